//! Ratchet rows: a ratchet suite in steady-state ping-pong.
//!
//! Each row starts from a pair past its handshake and one message each way
//! ([`PingPong::new`]), so every message measured is encrypted on a chain of
//! the sender's own and decrypted by its peer. Rows:
//!
//! * `message 64 B`, `message 1 KiB`: one message (encrypt + decrypt),
//!   senders alternating; in ping-pong each opens an epoch of the DH, KEM or
//!   hybrid ratchet.
//! * `88 messages 64 B`: one whole SPQR epoch in ping-pong
//!   ([`PingPong::EPOCH_MESSAGES`]), the span over which the Triple
//!   Ratchet's and the periodic rekeying ratchets' per-message costs are
//!   fair (divide by 88).
//!
//! The floors replay the primitive calls of the same messages of a twin
//! workload (same suite, size and seed).

use std::sync::Arc;

use twofold_core::{CryptoRng, Resolver};
use twofold_primitives::registry::REGISTRY;

use super::stats::Runner;
use super::{Case, Result, Subject};
use crate::ratchets::PingPong;

/// A ratchet suite on a resolver's backends.
pub struct RatchetSubject {
    suite: String,
    resolver: Arc<dyn Resolver>,
}

impl RatchetSubject {
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
}

/// Runs `per_op` messages per operation, `n` operations per batch.
struct MessageRunner {
    w: PingPong,
    per_op: usize,
    n: usize,
}

impl Runner for MessageRunner {
    fn prepare(&mut self, n: usize) -> Result<()> {
        self.n = n;
        Ok(())
    }
    fn run(&mut self) -> Result<()> {
        for _ in 0..self.n * self.per_op {
            std::hint::black_box(self.w.message()?);
        }
        Ok(())
    }
}

/// The rows: name, plaintext bytes, messages per operation.
const ROWS: &[(&str, usize, usize)] = &[
    ("message 64 B", 64, 1),
    ("message 1 KiB", 1024, 1),
    ("88 messages 64 B", 64, PingPong::EPOCH_MESSAGES),
];

impl Subject for RatchetSubject {
    fn kind(&self) -> &'static str {
        "ratchet"
    }

    fn name(&self) -> String {
        self.suite.clone()
    }

    fn cases(&self, _rng: &mut dyn CryptoRng) -> Result<Vec<Case>> {
        let mut out = Vec::with_capacity(ROWS.len());
        for &(op, size, per_op) in ROWS {
            let seed = format!("{} {op}", self.suite);
            let w = PingPong::new(
                &self.suite,
                Arc::clone(&self.resolver),
                size,
                seed.as_bytes(),
            )?;
            let state = w.state_bytes()?;
            let (calls, messages) = PingPong::calls(
                &self.suite,
                Arc::clone(&self.resolver),
                size,
                seed.as_bytes(),
                per_op,
            )?;
            out.push(Case {
                op: op.to_string(),
                runner: Box::new(MessageRunner { w, per_op, n: 0 }),
                calls,
                messages,
                state_bytes: Some(state[0].max(state[1])),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::ShakeRng;

    #[test]
    fn every_row_runs_and_records_its_calls() {
        let s = RatchetSubject::new("TripleRatchet_signal_X25519_SHA-256");
        let mut cases = s.cases(&mut ShakeRng::new(b"ratchet")).unwrap();
        assert_eq!(cases.len(), 3);
        for c in &mut cases {
            assert!(!c.calls.is_empty(), "{}", c.op);
            assert!(c.state_bytes.unwrap() > 0);
            c.runner.prepare(2).unwrap();
            c.runner.run().unwrap();
        }
        // An epoch's 88 messages hold one ML-KEM-768 key generation.
        let epoch = &cases[2];
        assert_eq!(epoch.messages.len(), 88);
        let keygens = epoch
            .calls
            .iter()
            .filter(|k| {
                k.op == twofold_core::observe::CallOp::KemKeygen
                    && k.primitive.id().starts_with("ML-KEM-768")
            })
            .count();
        assert_eq!(keygens, 1);
    }
}
