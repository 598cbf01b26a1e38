//! The `ALGORITHM[@backend]` name grammar, parsed in one place.
//!
//! Every name that selects an implementation (registry lookups, the
//! algorithm parts of X3DH / PQXDH suites, the DH and KEM fields of Noise
//! protocol names) goes through [`AlgorithmName::parse`].

use crate::{Error, Result};

/// A parsed algorithm name: `ML-KEM-768` or `ML-KEM-768@libcrux`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlgorithmName {
    /// The algorithm part.
    pub algorithm: String,
    /// The backend part, if one was given.
    pub backend: Option<String>,
}

impl AlgorithmName {
    /// Parses `ALGORITHM` or `ALGORITHM@backend`. Whitespace, control
    /// characters, an empty part or a second `@` are
    /// [`Error::MalformedName`].
    pub fn parse(name: &str) -> Result<Self> {
        let malformed = |reason| Error::MalformedName {
            name: name.to_string(),
            reason,
        };
        if name.is_empty() {
            return Err(malformed("empty name"));
        }
        if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(malformed("contains whitespace or control characters"));
        }
        let (algorithm, backend) = match name.split_once('@') {
            Some((a, b)) => (a, Some(b)),
            None => (name, None),
        };
        if algorithm.is_empty() {
            return Err(malformed("empty algorithm before '@'"));
        }
        match backend {
            Some("") => Err(malformed("empty backend after '@'")),
            Some(b) if b.contains('@') => Err(malformed("more than one '@'")),
            _ => Ok(Self {
                algorithm: algorithm.to_string(),
                backend: backend.map(str::to_string),
            }),
        }
    }

    /// A name without a backend.
    pub fn bare(algorithm: &str) -> Self {
        Self {
            algorithm: algorithm.to_string(),
            backend: None,
        }
    }

    /// The name of `algorithm` with this name's backend: how a suite part
    /// such as `SHA-512@aws-lc` selects the backend of `HKDF-SHA512`.
    pub fn with_algorithm(&self, algorithm: &str) -> String {
        match &self.backend {
            Some(b) => format!("{algorithm}@{b}"),
            None => algorithm.to_string(),
        }
    }
}

impl core::fmt::Display for AlgorithmName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match &self.backend {
            Some(b) => write!(f, "{}@{}", self.algorithm, b),
            None => f.write_str(&self.algorithm),
        }
    }
}

impl core::str::FromStr for AlgorithmName {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        for s in ["ML-KEM-768", "ML-KEM-768@libcrux", "X-Wing@libcrux+dalek"] {
            assert_eq!(AlgorithmName::parse(s).unwrap().to_string(), s);
        }
        let n = AlgorithmName::parse("X25519@aws-lc").unwrap();
        assert_eq!(
            (n.algorithm.as_str(), n.backend.as_deref()),
            ("X25519", Some("aws-lc"))
        );
        assert_eq!(n.with_algorithm("HKDF-SHA256"), "HKDF-SHA256@aws-lc");
        assert_eq!(
            AlgorithmName::bare("SHA-256").with_algorithm("HKDF-SHA256"),
            "HKDF-SHA256"
        );
    }

    #[test]
    fn rejects_malformed() {
        for s in ["", "@libcrux", "ML-KEM-768@", "a@b@c", "ML KEM", "x\n"] {
            assert!(
                matches!(AlgorithmName::parse(s), Err(Error::MalformedName { .. })),
                "{s:?}"
            );
        }
    }
}
