//! Handshake rows: one full handshake of a suite, both sides in memory.

use std::sync::Arc;

use twofold_core::{CryptoRng, Off, Resolver, ShakeRng};
use twofold_primitives::registry::REGISTRY;

use super::stats::Runner;
use super::{Case, Result, Subject};
use crate::handshakes::{Input, Prepared, run};

/// A handshake suite on a resolver's backends.
pub struct HandshakeSubject {
    suite: String,
    resolver: Arc<dyn Resolver>,
}

impl HandshakeSubject {
    /// `suite` on the registry's default backends.
    pub fn new(suite: &str) -> Self {
        Self::with_resolver(suite, Arc::new(&*REGISTRY))
    }

    /// `suite` on the backends `resolver` selects.
    pub fn with_resolver(suite: &str, resolver: Arc<dyn Resolver>) -> Self {
        Self {
            suite: suite.to_string(),
            resolver,
        }
    }

    /// A runner of full handshakes, drawing from `rng`: what
    /// [`Subject::cases`] times, for peers' rows too.
    pub fn runner(&self, rng: Box<dyn CryptoRng>) -> Result<Box<dyn Runner>> {
        let mut setup_rng = ShakeRng::new(self.suite.as_bytes());
        let p = Prepared::with_resolver(&self.suite, Arc::clone(&self.resolver), &mut setup_rng)?;
        Ok(Box::new(HandshakeRunner {
            p,
            setup_rng,
            rng,
            inputs: Vec::new(),
        }))
    }
}

/// Bob's prekeys are made by `prepare`, untimed, as a deployment makes
/// them ahead of time; `run` plays the handshakes.
struct HandshakeRunner {
    p: Prepared,
    setup_rng: ShakeRng,
    rng: Box<dyn CryptoRng>,
    inputs: Vec<Input>,
}

impl Runner for HandshakeRunner {
    fn prepare(&mut self, n: usize) -> Result<()> {
        self.inputs.clear();
        for _ in 0..n {
            self.inputs.push(self.p.setup(&mut self.setup_rng)?);
        }
        Ok(())
    }
    fn run(&mut self) -> Result<()> {
        for i in self.inputs.drain(..) {
            std::hint::black_box(self.p.handshake(i, &mut *self.rng)?);
        }
        Ok(())
    }
}

impl Subject for HandshakeSubject {
    fn kind(&self) -> &'static str {
        "handshake"
    }

    fn name(&self) -> String {
        self.suite.clone()
    }

    fn cases(&self, rng: &mut dyn CryptoRng) -> Result<Vec<Case>> {
        let t = run(&self.suite, &*self.resolver, rng, &mut Off)?;
        let p = Prepared::with_resolver(&self.suite, Arc::clone(&self.resolver), rng)?;
        let calls = p.calls(rng)?;
        let seed = format!("{} handshakes", self.suite);
        Ok(vec![Case {
            op: "handshake".to_string(),
            runner: self.runner(Box::new(ShakeRng::new(seed.as_bytes())))?,
            calls,
            messages: t.messages.iter().map(|m| m.len).collect(),
            state_bytes: None,
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_runs_and_records_its_calls() {
        let s = HandshakeSubject::new("PQXDH_spec_X25519_SHA-256_ML-KEM-768");
        let mut rng = ShakeRng::new(b"case");
        let mut cases = s.cases(&mut rng).unwrap();
        assert_eq!(cases.len(), 1);
        let c = &mut cases[0];
        assert_eq!(c.messages.len(), 1);
        assert!(
            c.calls
                .iter()
                .any(|k| k.primitive.id() == "ML-KEM-768@libcrux")
        );
        c.runner.prepare(2).unwrap();
        c.runner.run().unwrap();
    }

    #[test]
    fn recorded_calls_name_the_kem_the_suite_uses() {
        // Backends are zero-sized: the observer once mistook one for
        // another at the same address, and a floor replayed ML-KEM-768
        // for an ML-KEM-1024 suite (or the reverse, by run order).
        let mut rng = ShakeRng::new(b"order");
        for (suite, kem, pk) in [
            (
                "Noise_pqNN_MLKEM768_ChaChaPoly_SHA256",
                "ML-KEM-768@libcrux",
                1184,
            ),
            (
                "Noise_NNhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
                "ML-KEM-1024@libcrux",
                1568,
            ),
            (
                "Noise_pqNN_MLKEM768_ChaChaPoly_SHA256",
                "ML-KEM-768@libcrux",
                1184,
            ),
        ] {
            let c = HandshakeSubject::new(suite)
                .cases(&mut rng)
                .unwrap()
                .remove(0);
            let encaps: Vec<_> = c
                .calls
                .iter()
                .filter(|k| k.op == twofold_core::observe::CallOp::Encaps)
                .collect();
            assert!(!encaps.is_empty(), "{suite}");
            for e in encaps {
                assert_eq!(e.primitive.id(), kem, "{suite}");
                assert_eq!(e.sizes, [pk], "{suite}");
            }
        }
    }
}
