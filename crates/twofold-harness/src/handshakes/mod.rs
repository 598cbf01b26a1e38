//! Whole handshakes by suite string.
//!
//! A suite string begins with its protocol's name and parses back into its
//! parts: `X3DH_spec_X25519_SHA-512`, `PQXDH_signal_X25519_SHA-256_Kyber1024`,
//! `Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256`. [`run`] plays both sides
//! in memory and reports every step to the caller's observer; [`Prepared`]
//! splits a handshake into untimed set-up and a timed run for benchmarks,
//! next to its [`Floor`]: the same primitive calls on the same backends,
//! without the protocol around them.

pub(crate) mod noise;
pub(crate) mod prekey;

use std::sync::Arc;

use twofold_core::observe::CallRecord;
use twofold_core::resolve::Observing;
use twofold_core::{CryptoRng, Observer, Off, Recorder, Resolver};
use twofold_handshake::{
    HandshakeError, noise as noise_engine, pqxdh, prekey as prekey_engine, x3dh,
};
use twofold_primitives::registry::REGISTRY;
use zeroize::Zeroizing;

use crate::floor::Floor;

/// Errors of this module: a handshake error.
pub type Result<T> = core::result::Result<T, HandshakeError>;

/// One message on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireMessage {
    /// "initiator" or "responder".
    pub from: &'static str,
    /// What the message is ("initial message", "-> e, e1", ...).
    pub name: String,
    /// Its length in bytes.
    pub len: usize,
}

/// The outcome of [`run`]; the steps went to the observer.
#[derive(Debug)]
pub struct Transcript {
    /// The suite as parsed and printed back.
    pub suite: String,
    /// Every message, in order.
    pub messages: Vec<WireMessage>,
    /// What the two sides compare ("SK", "RK || CK || PQRK", "h, transport keys").
    pub secret_name: &'static str,
    /// The initiator's session secret (or handshake hash).
    pub initiator_secret: Zeroizing<Vec<u8>>,
    /// The responder's session secret (or handshake hash).
    pub responder_secret: Zeroizing<Vec<u8>>,
}

impl Transcript {
    /// Bytes on the wire in total.
    pub fn wire_bytes(&self) -> usize {
        self.messages.iter().map(|m| m.len).sum()
    }
    /// Whether both sides hold the same secret.
    pub fn agree(&self) -> bool {
        !self.initiator_secret.is_empty() && self.initiator_secret == self.responder_secret
    }
}

/// Which protocol a suite string names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `X3DH_...`
    X3dh,
    /// `PQXDH_...`
    Pqxdh,
    /// `Noise_...`
    Noise,
}

/// The protocol of a suite string, from its prefix.
pub fn protocol_of(suite: &str) -> Result<Protocol> {
    match suite.split('_').next() {
        Some("X3DH") => Ok(Protocol::X3dh),
        Some("PQXDH") => Ok(Protocol::Pqxdh),
        Some("Noise") => Ok(Protocol::Noise),
        _ => Err(HandshakeError::InvalidSuite {
            name: suite.to_string(),
            reason: "a suite begins with its protocol: X3DH_, PQXDH_ or Noise_ \
                     (see `twofold list`)"
                .to_string(),
        }),
    }
}

/// Noise suites listed by `twofold list` and measured by `twofold bench`:
/// the classic patterns, hfs with the KEM snow speaks and with ML-KEM-768,
/// PQNoise and hybrid patterns with ML-KEM-768 as clatter speaks them, and
/// X-Wing in the hfs KEM slot.
pub const NOISE_SUITES: &[&str] = &[
    "Noise_NN_25519_ChaChaPoly_SHA256",
    "Noise_XX_25519_ChaChaPoly_SHA256",
    "Noise_IK_25519_ChaChaPoly_SHA256",
    "Noise_XXpsk3_25519_AESGCM_SHA512",
    "Noise_NNhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_IKhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256",
    "Noise_XXhfs_25519+X-Wing_ChaChaPoly_SHA256",
    "Noise_pqNN_MLKEM768_ChaChaPoly_SHA256",
    "Noise_pqXX_MLKEM768_ChaChaPoly_SHA256",
    "Noise_pqIK_MLKEM768_ChaChaPoly_SHA256",
    "Noise_hybridNN_25519+MLKEM768_ChaChaPoly_SHA256",
    "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
    "Noise_hybridIK_25519+MLKEM768_ChaChaPoly_SHA256",
];

/// Every named suite: X3DH, PQXDH, then Noise.
pub fn suites() -> Vec<String> {
    x3dh::suites()
        .iter()
        .chain(pqxdh::suites())
        .chain(NOISE_SUITES)
        .map(|s| s.to_string())
        .collect()
}

/// Parses a suite string and prints it back (checks every part).
pub fn normalize(suite: &str) -> Result<String> {
    Ok(match protocol_of(suite)? {
        Protocol::X3dh | Protocol::Pqxdh => prekey_engine::PrekeySuite::parse(suite)?.to_string(),
        Protocol::Noise => noise_engine::ProtocolName::parse(suite)?.to_string(),
    })
}

/// Runs both sides of `suite` in memory, primitives from `resolver`,
/// randomness from `rng`, every step reported to `observer`.
pub fn run(
    suite: &str,
    resolver: &dyn Resolver,
    rng: &mut dyn CryptoRng,
    observer: &mut dyn Observer,
) -> Result<Transcript> {
    match protocol_of(suite)? {
        Protocol::X3dh | Protocol::Pqxdh => prekey::run(suite, resolver, rng, observer),
        Protocol::Noise => noise::run(suite, resolver, rng, observer),
    }
}

/// A handshake ready to be timed.
pub struct Prepared {
    suite: String,
    resolver: Arc<dyn Resolver>,
    kind: Kind,
}

enum Kind {
    Prekey(Box<prekey::Prepared>),
    Noise(Box<noise::Prepared>),
}

/// Per-run input made by [`Prepared::setup`] (untimed).
pub enum Input {
    /// Bob's fresh prekeys and the bundle Alice fetched.
    Prekey(Box<prekey::Input>),
    /// Nothing: Noise statics are long-term.
    Noise,
}

impl Prepared {
    /// Long-term keys and primitives for `suite`, resolved by the registry
    /// (bare names select the default backends).
    pub fn new(suite: &str, rng: &mut dyn CryptoRng) -> Result<Self> {
        Self::with_resolver(suite, Arc::new(&*REGISTRY), rng)
    }

    /// As [`Prepared::new`], with primitives resolved by `resolver` (e.g.
    /// to put another backend of the same algorithm under the protocol).
    pub fn with_resolver(
        suite: &str,
        resolver: Arc<dyn Resolver>,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self> {
        let kind = match protocol_of(suite)? {
            Protocol::X3dh | Protocol::Pqxdh => {
                Kind::Prekey(Box::new(prekey::Prepared::new(suite, &*resolver, rng)?))
            }
            Protocol::Noise => Kind::Noise(Box::new(noise::Prepared::new(suite, &*resolver, rng)?)),
        };
        Ok(Self {
            suite: suite.to_string(),
            resolver,
            kind,
        })
    }

    /// Per-run set-up that a real deployment does ahead of time (Bob's
    /// one-time prekeys and the bundle fetch); not part of the handshake.
    pub fn setup(&self, rng: &mut dyn CryptoRng) -> Result<Input> {
        match &self.kind {
            Kind::Prekey(p) => Ok(Input::Prekey(Box::new(p.setup(rng)?))),
            Kind::Noise(_) => Ok(Input::Noise),
        }
    }

    /// One complete handshake, both sides; returns the bytes on the wire.
    pub fn handshake(&self, input: Input, rng: &mut dyn CryptoRng) -> Result<usize> {
        self.handshake_observed(input, rng, &mut Off)
    }

    /// [`Self::handshake`], every step reported to `observer`.
    pub fn handshake_observed(
        &self,
        input: Input,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<usize> {
        match (&self.kind, input) {
            (Kind::Prekey(p), Input::Prekey(i)) => p.handshake(*i, rng, observer),
            (Kind::Noise(p), Input::Noise) => p.handshake(rng, observer),
            _ => Err(HandshakeError::Misuse("input made for another suite")),
        }
    }

    /// The primitive calls of one handshake: one handshake runs on
    /// primitives from an observing resolver over this suite's resolver,
    /// and every call the observer recorded is returned, in order.
    pub fn calls(&self, rng: &mut dyn CryptoRng) -> Result<Vec<CallRecord>> {
        let observing: Arc<dyn Resolver> = Arc::new(Observing::new(Arc::clone(&self.resolver)));
        let twin = Self::with_resolver(&self.suite, observing, rng)?;
        let input = twin.setup(rng)?;
        let rec = Recorder::new();
        {
            let _capture = rec.capture_calls();
            twin.handshake(input, rng)?;
        }
        let calls = rec.trace().calls().cloned().collect();
        Ok(calls)
    }

    /// The primitive operations of one handshake ([`Self::calls`]), ready
    /// to run alone as its [`Floor`].
    pub fn floor(&self, rng: &mut dyn CryptoRng) -> Result<Floor> {
        Ok(Floor::from_calls(&self.calls(rng)?, rng)?)
    }

    /// The suite.
    pub fn suite(&self) -> &str {
        &self.suite
    }

    /// The resolver its primitives come from.
    pub fn resolver(&self) -> &Arc<dyn Resolver> {
        &self.resolver
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::ShakeRng;

    #[test]
    fn every_listed_suite_runs_agrees_and_prints_back() {
        let all = suites();
        assert!(all.len() > 10);
        for s in &all {
            assert_eq!(&normalize(s).unwrap(), s);
            let mut rng = ShakeRng::new(s.as_bytes());
            let rec = Recorder::new();
            let t = run(s, &*REGISTRY, &mut rng, &mut rec.clone()).unwrap();
            assert!(t.agree(), "{s}");
            assert!(rec.trace().values().next().is_some(), "{s}: no trace");
            assert!(t.wire_bytes() > 0);
        }
    }

    #[test]
    fn prepared_handshakes_and_floors_run() {
        let mut rng = ShakeRng::new(b"prepared");
        for s in suites() {
            let p = Prepared::new(&s, &mut rng).unwrap();
            let input = p.setup(&mut rng).unwrap();
            let bytes = p.handshake(input, &mut rng).unwrap();
            let t = run(&s, &*REGISTRY, &mut ShakeRng::new(b"x"), &mut Off).unwrap();
            assert_eq!(bytes, t.wire_bytes(), "{s}");
            let f = p.floor(&mut rng).unwrap();
            assert!(!f.ops().is_empty(), "{s}");
            f.run(&mut rng).unwrap();
        }
    }

    #[test]
    fn bad_suite_strings_are_typed_errors() {
        for bad in [
            "",
            "TLS_1.3",
            "Noise_QQ_25519_ChaChaPoly_SHA256",
            "PQXDH_spec_X25519_MD5_ML-KEM-768",
        ] {
            let mut rng = ShakeRng::new(b"");
            assert!(run(bad, &*REGISTRY, &mut rng, &mut Off).is_err(), "{bad:?}");
        }
    }
}
