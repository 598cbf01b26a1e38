//! Suite strings of the prekey handshakes, parsed by one parser:
//! `X3DH_<profile>_<curve>_<hash>` and `PQXDH_<profile>_<curve>_<hash>_<kem>`.
//!
//! Each algorithm part may carry a backend, `ALGORITHM@backend`
//! ([`AlgorithmName`]), which the [`twofold_core::Resolver`] uses to pick an
//! implementation; backends never enter a derivation (every backend of an
//! algorithm computes the same function). On the hash part the backend
//! selects the backend of `HKDF(hash)`. A suite prints back exactly as it
//! was parsed.

use core::fmt;

use twofold_core::AlgorithmName;

use crate::labels;
use crate::{HandshakeError, Result};

/// X3DH or PQXDH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// X3DH (Signal, revision 1): three or four DH outputs.
    X3dh,
    /// PQXDH (Signal; Kret & Schmidt): X3DH plus one KEM encapsulation.
    Pqxdh,
}

impl Protocol {
    /// The suite prefix: `X3DH` or `PQXDH`.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::X3dh => "X3DH",
            Protocol::Pqxdh => "PQXDH",
        }
    }
}

/// Which text a handshake follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// The published Signal specification (X3DH rev. 1, PQXDH), generic
    /// over its parameters.
    Spec,
    /// What libsignal deploys (`rust/protocol/src/pqxdh.rs`, `kem.rs`,
    /// `protocol.rs` at libsignal v0.x, 2026).
    Signal,
}

impl Profile {
    /// The name used in suite strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Spec => "spec",
            Profile::Signal => "signal",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) fn invalid(name: &str, reason: impl Into<String>) -> HandshakeError {
    HandshakeError::InvalidSuite {
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// Parses one `ALGORITHM[@backend]` part and checks the algorithm against
/// `allowed`; `what` names the part ("curve", "hash", "KEM"), `profile` the
/// profile whose list `allowed` is (for the error message).
fn parse_part(
    suite: &str,
    what: &str,
    text: &str,
    allowed: &[&str],
    profile: Profile,
) -> Result<AlgorithmName> {
    let part = AlgorithmName::parse(text).map_err(|e| {
        let reason = match e {
            twofold_core::Error::MalformedName { reason, .. } => reason,
            _ => "malformed name",
        };
        invalid(
            suite,
            if text.is_empty() || text.starts_with('@') {
                format!("empty {what}")
            } else if text.contains('@') {
                format!("malformed backend in {what} {text:?}: {reason}")
            } else {
                format!("malformed {what} {text:?}: {reason}")
            },
        )
    })?;
    if !allowed.contains(&part.algorithm.as_str()) {
        let list = allowed.join(", ");
        let algorithm = &part.algorithm;
        return Err(invalid(
            suite,
            match profile {
                Profile::Signal => format!(
                    "{what} {algorithm:?} is not deployed by the signal profile; available: {list}"
                ),
                Profile::Spec => format!("unknown {what} {algorithm:?}; available: {list}"),
            },
        ));
    }
    Ok(part)
}

fn parse_profile(suite: &str, text: &str) -> Result<Profile> {
    match text {
        "spec" => Ok(Profile::Spec),
        "signal" => Ok(Profile::Signal),
        _ => Err(invalid(
            suite,
            format!("unknown profile {text:?}; available: spec, signal"),
        )),
    }
}

/// Curves (X448 has no backend in twofold); libsignal deploys X25519 only.
const CURVES: &[&str] = &["X25519"];
/// Hashes of the spec profile.
const SPEC_HASHES: &[&str] = &["SHA-256", "SHA-512"];
/// The hash libsignal deploys.
const SIGNAL_HASHES: &[&str] = &["SHA-256"];
/// KEMs libsignal's PQXDH deploys (its default `kem::KeyType`).
const SIGNAL_KEMS: &[&str] = &["Kyber1024"];

/// A parsed X3DH or PQXDH suite.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrekeySuite {
    /// X3DH or PQXDH.
    pub protocol: Protocol,
    /// `spec` or `signal`.
    pub profile: Profile,
    /// The curve (X25519).
    pub curve: AlgorithmName,
    /// The hash of the KDF (SHA-256 or SHA-512).
    pub hash: AlgorithmName,
    /// The KEM (PQXDH only).
    pub kem: Option<AlgorithmName>,
}

impl PrekeySuite {
    /// Parses a suite string; unknown parts, or parts the signal profile
    /// does not deploy, are [`HandshakeError::InvalidSuite`] listing what is
    /// available.
    pub fn parse(name: &str) -> Result<Self> {
        let parts: Vec<&str> = name.split('_').collect();
        let protocol = match parts.first() {
            Some(&"X3DH") => Protocol::X3dh,
            Some(&"PQXDH") => Protocol::Pqxdh,
            _ => {
                return Err(invalid(
                    name,
                    "a prekey handshake suite starts with \"X3DH_\" or \"PQXDH_\"",
                ));
            }
        };
        let (profile, curve, hash, kem) = match (protocol, &parts[1..]) {
            (Protocol::X3dh, [p, c, h]) => (*p, *c, *h, None),
            (Protocol::Pqxdh, [p, c, h, k]) => (*p, *c, *h, Some(*k)),
            (Protocol::X3dh, _) => {
                return Err(invalid(
                    name,
                    format!(
                        "expected X3DH_<profile>_<curve>_<hash>, got {} parts \
                         (PQXDH_ suites add a KEM)",
                        parts.len()
                    ),
                ));
            }
            (Protocol::Pqxdh, _) => {
                return Err(invalid(
                    name,
                    format!(
                        "expected PQXDH_<profile>_<curve>_<hash>_<kem>, got {} parts \
                         (X3DH_ suites have no KEM)",
                        parts.len()
                    ),
                ));
            }
        };
        let profile = parse_profile(name, profile)?;
        let hashes = match profile {
            Profile::Spec => SPEC_HASHES,
            Profile::Signal => SIGNAL_HASHES,
        };
        let curve = parse_part(name, "curve", curve, CURVES, profile)?;
        let hash = parse_part(name, "hash", hash, hashes, profile)?;
        let kem = match kem {
            None => None,
            Some(k) => {
                let kems: Vec<&str> = match profile {
                    Profile::Spec => labels::SPEC_KEM_TYPES.iter().map(|(n, _)| *n).collect(),
                    Profile::Signal => SIGNAL_KEMS.to_vec(),
                };
                Some(parse_part(name, "KEM", k, &kems, profile)?)
            }
        };
        Ok(Self {
            protocol,
            profile,
            curve,
            hash,
            kem,
        })
    }

    /// The resolver name of the suite's HKDF, with the hash part's backend.
    pub fn kdf_name(&self) -> String {
        // The parser admits only these two hashes.
        let kdf = if self.hash.algorithm == "SHA-512" {
            "HKDF-SHA512"
        } else {
            "HKDF-SHA256"
        };
        self.hash.with_algorithm(kdf)
    }

    /// The suite without backends: what a session secret reports, since
    /// backends of one algorithm compute the same function.
    pub fn algorithms(&self) -> String {
        let mut s = format!(
            "{}_{}_{}_{}",
            self.protocol.as_str(),
            self.profile,
            self.curve.algorithm,
            self.hash.algorithm
        );
        if let Some(k) = &self.kem {
            s.push('_');
            s.push_str(&k.algorithm);
        }
        s
    }
}

impl fmt::Display for PrekeySuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}_{}_{}_{}",
            self.protocol.as_str(),
            self.profile,
            self.curve,
            self.hash
        )?;
        if let Some(k) = &self.kem {
            write!(f, "_{k}")?;
        }
        Ok(())
    }
}

impl core::str::FromStr for PrekeySuite {
    type Err = HandshakeError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}
