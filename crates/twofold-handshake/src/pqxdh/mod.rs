//! PQXDH (Signal; Kret & Schmidt), in two labelled profiles.
//!
//! * `spec` (`PQXDH_spec_X25519_<SHA-256|SHA-512>_<kem>`): the published
//!   text, generic over the hash and the KEM (any KEM with a spec-profile
//!   type byte, [`crate::labels::SPEC_KEM_TYPES`]):
//!   `SK = HKDF(hash, salt = zeros(hash len), IKM = 0xFF×32 || DH1 || DH2 ||
//!   DH3 [|| DH4] || SS, info || "_" || curve || "_" || hash || "_" || pqkem, 32)`,
//!   with the suite's names as the string representations (e.g.
//!   `twofold-v1_X25519_SHA-512_ML-KEM-1024`); XEdDSA signatures over
//!   `EncodeEC` / `EncodeKEM`; the initial payload sealed with
//!   ChaCha20-Poly1305 under `K_init` and `AD`.
//! * `signal` (`PQXDH_signal_X25519_SHA-256_Kyber1024`): what libsignal
//!   deploys (PROTOCOLS.md §2.2, §11 items 1-3, 12-19): round-3 Kyber-1024
//!   (`0x08`), X25519 (`0x05`), XEdDSA-signal over the prefixed encodings,
//!   HKDF-SHA256 with no salt and info
//!   `WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024`, 96 bytes = root key
//!   || chain key || PQ-ratchet auth key, PreKeySignalMessage `0x44`, the
//!   payload (libsignal's inner SignalMessage) carried opaque.

use core::fmt;

use twofold_core::Resolver;

use crate::x3dh::{
    Protocol, Xdh, curves, hashes, invalid, parse_part, parse_profile, restriction, spec_kems,
};
use crate::{HandshakeError, Result};

pub use crate::x3dh::{
    Accepted, InitialMessage, Initiated, Initiator, Part, Profile, SessionSecret,
};

/// KEMs the signal profile deploys (libsignal's default `kem::KeyType`).
const SIGNAL_KEMS: &[&str] = &["Kyber1024"];

/// The named PQXDH suites (for `twofold list`). Any KEM in
/// [`crate::labels::SPEC_KEM_TYPES`] also works in the spec profile.
pub const SUITES: &[&str] = &[
    "PQXDH_signal_X25519_SHA-256_Kyber1024",
    "PQXDH_spec_X25519_SHA-256_Kyber1024",
    "PQXDH_spec_X25519_SHA-512_Kyber1024",
    "PQXDH_spec_X25519_SHA-256_ML-KEM-768",
    "PQXDH_spec_X25519_SHA-512_ML-KEM-768",
    "PQXDH_spec_X25519_SHA-256_ML-KEM-1024",
    "PQXDH_spec_X25519_SHA-512_ML-KEM-1024",
    "PQXDH_spec_X25519_SHA-256_X-Wing",
    "PQXDH_spec_X25519_SHA-512_X-Wing",
];

/// The named PQXDH suites (for `twofold list`).
pub fn suites() -> &'static [&'static str] {
    SUITES
}

/// A parsed `PQXDH_<profile>_<curve>_<hash>_<kem>` suite.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PqxdhSuite {
    /// `spec` or `signal`.
    pub profile: Profile,
    /// The curve (X25519).
    pub curve: Part,
    /// The hash of the KDF.
    pub hash: Part,
    /// The KEM.
    pub kem: Part,
}

impl PqxdhSuite {
    /// Parses a suite string; unknown parts, or parts the signal profile
    /// does not deploy, are [`HandshakeError::InvalidSuite`] listing what
    /// is available.
    pub fn parse(name: &str) -> Result<Self> {
        let parts: Vec<&str> = name.split('_').collect();
        if parts.first() != Some(&"PQXDH") {
            return Err(invalid(
                name,
                "a PQXDH suite starts with \"PQXDH_\" (X3DH suites: \"X3DH_\")",
            ));
        }
        let [_, profile, curve, hash, kem] = parts[..] else {
            return Err(invalid(
                name,
                format!(
                    "expected PQXDH_<profile>_<curve>_<hash>_<kem>, got {} parts",
                    parts.len()
                ),
            ));
        };
        let profile = parse_profile(name, profile)?;
        let r = restriction(profile);
        let curve = parse_part(name, "curve", curve, curves(profile), r)?;
        let hash = parse_part(name, "hash", hash, hashes(profile), r)?;
        let kems = match profile {
            Profile::Spec => spec_kems(),
            Profile::Signal => SIGNAL_KEMS.to_vec(),
        };
        let kem = parse_part(name, "KEM", kem, &kems, r)?;
        Ok(Self {
            profile,
            curve,
            hash,
            kem,
        })
    }
}

impl fmt::Display for PqxdhSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PQXDH_{}_{}_{}_{}",
            self.profile, self.curve, self.hash, self.kem
        )
    }
}

impl core::str::FromStr for PqxdhSuite {
    type Err = HandshakeError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// A resolved PQXDH suite.
pub struct Pqxdh {
    suite: PqxdhSuite,
    inner: Xdh,
}

impl fmt::Debug for Pqxdh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pqxdh")
            .field("suite", &self.inner.name)
            .field("params", &self.inner.params)
            .field("kdf", &self.inner.kdf.id())
            .finish()
    }
}

/// The shared operations (bundles, initiation, acceptance, encodings).
impl core::ops::Deref for Pqxdh {
    type Target = Xdh;
    fn deref(&self) -> &Xdh {
        &self.inner
    }
}

impl Pqxdh {
    /// Parses `suite` and resolves its primitives through `resolver`.
    pub fn new(suite: &str, resolver: &dyn Resolver) -> Result<Self> {
        let parsed = PqxdhSuite::parse(suite)?;
        let inner = Xdh::new(
            parsed.to_string(),
            Protocol::Pqxdh,
            parsed.profile,
            &parsed.curve,
            &parsed.hash,
            Some(&parsed.kem),
            resolver,
        )?;
        Ok(Self {
            suite: parsed,
            inner,
        })
    }

    /// Sets the application `info` of the spec profile (non-empty ASCII);
    /// the KDF info becomes `info || "_" || curve || "_" || hash || "_" || pqkem`.
    /// The signal profile refuses: its label is fixed.
    pub fn with_info(mut self, info: &[u8]) -> Result<Self> {
        self.inner.set_info(info)?;
        Ok(self)
    }

    /// The parsed suite.
    pub fn suite(&self) -> &PqxdhSuite {
        &self.suite
    }
}
