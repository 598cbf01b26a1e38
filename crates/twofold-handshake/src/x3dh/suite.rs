//! Suite strings: `X3DH_<profile>_<curve>_<hash>` and
//! `PQXDH_<profile>_<curve>_<hash>_<kem>`.
//!
//! Each algorithm part may carry a backend, `ALGORITHM@backend`, which the
//! [`twofold_core::Resolver`] uses to pick an implementation; backends never
//! enter a derivation (every backend of an algorithm computes the same
//! function). On the hash part the backend selects the backend of
//! `HKDF(hash)`. A suite prints back exactly as it was parsed.

use core::fmt;

use crate::{HandshakeError, Result};

/// Which text a handshake follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// The published Signal specification (X3DH rev. 1, PQXDH), generic
    /// over its parameters.
    Spec,
    /// What libsignal deploys (PROTOCOLS.md §2.2, §11).
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

/// One algorithm part of a suite: `ALGORITHM` or `ALGORITHM@backend`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Part {
    /// The algorithm name (as twofold spells it).
    pub algorithm: String,
    /// The backend, if one was named.
    pub backend: Option<String>,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.backend {
            Some(b) => write!(f, "{}@{}", self.algorithm, b),
            None => f.write_str(&self.algorithm),
        }
    }
}

impl Part {
    /// The resolver name of `algorithm` with this part's backend.
    pub(crate) fn with_backend(&self, algorithm: &str) -> String {
        match &self.backend {
            Some(b) => format!("{algorithm}@{b}"),
            None => algorithm.to_string(),
        }
    }
}

pub(crate) fn invalid(name: &str, reason: impl Into<String>) -> HandshakeError {
    HandshakeError::InvalidSuite {
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// Parses `ALGORITHM[@backend]` and checks the algorithm against `allowed`.
/// `what` names the part ("curve", "hash", "KEM"); `restriction` names the
/// profile when `allowed` is that profile's deployment list (for the error
/// message).
pub(crate) fn parse_part(
    suite: &str,
    what: &str,
    text: &str,
    allowed: &[&str],
    restriction: Option<Profile>,
) -> Result<Part> {
    let (algorithm, backend) = match text.split_once('@') {
        Some((a, b)) => (a, Some(b)),
        None => (text, None),
    };
    if algorithm.is_empty() {
        return Err(invalid(suite, format!("empty {what}")));
    }
    if let Some(b) = backend
        && (b.is_empty() || b.contains('@'))
    {
        return Err(invalid(
            suite,
            format!("malformed backend in {what} {text:?}"),
        ));
    }
    if !allowed.contains(&algorithm) {
        let list = allowed.join(", ");
        return Err(invalid(
            suite,
            match restriction {
                Some(p) => format!(
                    "{what} {algorithm:?} is not deployed by the {p} profile; available: {list}"
                ),
                None => format!("unknown {what} {algorithm:?}; available: {list}"),
            },
        ));
    }
    Ok(Part {
        algorithm: algorithm.to_string(),
        backend: backend.map(str::to_string),
    })
}

pub(crate) fn parse_profile(suite: &str, text: &str) -> Result<Profile> {
    match text {
        "spec" => Ok(Profile::Spec),
        "signal" => Ok(Profile::Signal),
        _ => Err(invalid(
            suite,
            format!("unknown profile {text:?}; available: spec, signal"),
        )),
    }
}

/// Curves of the spec profile (X448 has no backend in twofold).
pub(crate) const SPEC_CURVES: &[&str] = &["X25519"];
/// Hashes of the spec profile.
pub(crate) const SPEC_HASHES: &[&str] = &["SHA-256", "SHA-512"];
/// The curve libsignal deploys.
pub(crate) const SIGNAL_CURVES: &[&str] = &["X25519"];
/// The hash libsignal deploys.
pub(crate) const SIGNAL_HASHES: &[&str] = &["SHA-256"];

pub(crate) fn curves(p: Profile) -> &'static [&'static str] {
    match p {
        Profile::Spec => SPEC_CURVES,
        Profile::Signal => SIGNAL_CURVES,
    }
}

pub(crate) fn hashes(p: Profile) -> &'static [&'static str] {
    match p {
        Profile::Spec => SPEC_HASHES,
        Profile::Signal => SIGNAL_HASHES,
    }
}

pub(crate) fn restriction(p: Profile) -> Option<Profile> {
    match p {
        Profile::Spec => None,
        Profile::Signal => Some(Profile::Signal),
    }
}

/// The HKDF of a hash part, with the part's backend.
pub(crate) fn kdf_name(hash: &Part) -> String {
    // parse_part admits only these two hashes.
    let kdf = if hash.algorithm == "SHA-512" {
        "HKDF-SHA512"
    } else {
        "HKDF-SHA256"
    };
    hash.with_backend(kdf)
}

/// Turns a resolver failure into an `InvalidSuite` that keeps its list of
/// available implementations.
pub(crate) fn resolve<T>(suite: &str, r: twofold_core::Result<T>) -> Result<T> {
    r.map_err(|e| invalid(suite, e.to_string()))
}

/// A parsed `X3DH_<profile>_<curve>_<hash>` suite.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct X3dhSuite {
    /// `spec` or `signal`.
    pub profile: Profile,
    /// The curve (X25519).
    pub curve: Part,
    /// The hash of the KDF (SHA-256 or SHA-512).
    pub hash: Part,
}

impl X3dhSuite {
    /// Parses a suite string; unknown parts are
    /// [`HandshakeError::InvalidSuite`] listing what is available.
    pub fn parse(name: &str) -> Result<Self> {
        let parts: Vec<&str> = name.split('_').collect();
        if parts.first() != Some(&"X3DH") {
            return Err(invalid(
                name,
                "an X3DH suite starts with \"X3DH_\" (PQXDH suites: \"PQXDH_\")",
            ));
        }
        let [_, profile, curve, hash] = parts[..] else {
            return Err(invalid(
                name,
                format!(
                    "expected X3DH_<profile>_<curve>_<hash>, got {} parts",
                    parts.len()
                ),
            ));
        };
        let profile = parse_profile(name, profile)?;
        let r = restriction(profile);
        let curve = parse_part(name, "curve", curve, curves(profile), r)?;
        let hash = parse_part(name, "hash", hash, hashes(profile), r)?;
        Ok(Self {
            profile,
            curve,
            hash,
        })
    }
}

impl fmt::Display for X3dhSuite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "X3DH_{}_{}_{}", self.profile, self.curve, self.hash)
    }
}

impl core::str::FromStr for X3dhSuite {
    type Err = HandshakeError;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}
