//! Whole handshakes by suite string, for the CLI and the benches.
//!
//! A suite string begins with its protocol's name and parses back into its
//! parts: `X3DH_spec_X25519_SHA-512`, `PQXDH_signal_X25519_SHA-256_Kyber1024`,
//! `Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256`. [`run`] plays both sides
//! in memory and returns every message and, on request, every intermediate
//! value under its spec name; [`Prepared`] splits a handshake into untimed
//! set-up and a timed run for benchmarks, next to its [`Floor`]: the same
//! primitive calls on the same backends, without the protocol around them.

mod floor;
mod noise;
pub mod record;
mod xdh;

use twofold_core::{CryptoRng, Resolver};
use twofold_handshake::{HandshakeError, noise as noise_engine, pqxdh, x3dh};
use twofold_primitives::registry::REGISTRY;

pub use floor::{Floor, Op};

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

/// One traced step: who, the spec's name, the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Line {
    /// "initiator", "responder" or "both".
    pub party: String,
    /// The spec's name of the step or value.
    pub name: String,
    /// The bytes (may be secret: traces are for teaching and vectors).
    pub value: Vec<u8>,
}

impl core::fmt::Debug for Line {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} {} ({} bytes)",
            self.party,
            self.name,
            self.value.len()
        )
    }
}

/// The outcome of [`run`].
#[derive(Debug, Clone)]
pub struct Transcript {
    /// The suite as parsed and printed back.
    pub suite: String,
    /// Every message, in order.
    pub messages: Vec<WireMessage>,
    /// Every step, in order (empty unless tracing).
    pub steps: Vec<Line>,
    /// What the two sides compare ("SK", "RK || CK || PQRK", "h, transport keys").
    pub secret_name: &'static str,
    /// The initiator's session secret (or handshake hash).
    pub initiator_secret: Vec<u8>,
    /// The responder's session secret (or handshake hash).
    pub responder_secret: Vec<u8>,
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
        Protocol::X3dh => x3dh::X3dhSuite::parse(suite)?.to_string(),
        Protocol::Pqxdh => pqxdh::PqxdhSuite::parse(suite)?.to_string(),
        Protocol::Noise => noise_engine::ProtocolName::parse(suite)?.to_string(),
    })
}

/// Runs both sides of `suite` in memory with randomness from `rng`.
pub fn run(suite: &str, rng: &mut dyn CryptoRng, trace: bool) -> Result<Transcript> {
    match protocol_of(suite)? {
        Protocol::X3dh | Protocol::Pqxdh => xdh::run(suite, rng, trace),
        Protocol::Noise => noise::run(suite, rng, trace),
    }
}

/// A handshake ready to be timed.
pub struct Prepared {
    suite: String,
    resolver: &'static dyn Resolver,
    kind: Kind,
}

enum Kind {
    Xdh(Box<xdh::Prepared>),
    Noise(Box<noise::Prepared>),
}

/// Per-run input made by [`Prepared::setup`] (untimed).
pub enum Input {
    /// Bob's fresh prekeys and the bundle Alice fetched.
    Xdh(Box<xdh::Input>),
    /// Nothing: Noise statics are long-term.
    Noise,
}

impl Prepared {
    /// Long-term keys and primitives for `suite`, resolved by the registry
    /// (bare names select the default backends).
    pub fn new(suite: &str, rng: &mut dyn CryptoRng) -> Result<Self> {
        Self::with_resolver(suite, &*REGISTRY, rng)
    }

    /// As [`Prepared::new`], with primitives resolved by `resolver` (e.g.
    /// to put another backend of the same algorithm under the protocol).
    pub fn with_resolver(
        suite: &str,
        resolver: &'static dyn Resolver,
        rng: &mut dyn CryptoRng,
    ) -> Result<Self> {
        let kind = match protocol_of(suite)? {
            Protocol::X3dh | Protocol::Pqxdh => {
                Kind::Xdh(Box::new(xdh::Prepared::new(suite, resolver, rng)?))
            }
            Protocol::Noise => Kind::Noise(Box::new(noise::Prepared::new(suite, resolver, rng)?)),
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
            Kind::Xdh(p) => Ok(Input::Xdh(Box::new(p.setup(rng)?))),
            Kind::Noise(_) => Ok(Input::Noise),
        }
    }

    /// One complete handshake, both sides; returns the bytes on the wire.
    pub fn handshake(&self, input: Input, rng: &mut dyn CryptoRng) -> Result<usize> {
        match (&self.kind, input) {
            (Kind::Xdh(p), Input::Xdh(i)) => p.handshake(*i, rng),
            (Kind::Noise(p), Input::Noise) => p.handshake(rng),
            _ => Err(HandshakeError::Misuse("input made for another suite")),
        }
    }

    /// The primitive operations of one handshake, ready to run alone: one
    /// handshake is run through a recording resolver over this suite's
    /// resolver, and every call it made is replayed by the [`Floor`].
    pub fn floor(&self, rng: &mut dyn CryptoRng) -> Result<Floor> {
        let rec = record::Recorder::new();
        let twin = Self::with_resolver(&self.suite, rec.resolver(self.resolver), rng)?;
        let input = twin.setup(rng)?;
        rec.clear();
        twin.handshake(input, rng)?;
        Floor::from_calls(&rec.take(), rng)
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
            let t = run(s, &mut rng, true).unwrap();
            assert!(t.agree(), "{s}");
            assert!(!t.steps.is_empty(), "{s}: no trace");
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
            let t = run(&s, &mut ShakeRng::new(b"x"), false).unwrap();
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
            assert!(run(bad, &mut rng, false).is_err(), "{bad:?}");
        }
    }
}
