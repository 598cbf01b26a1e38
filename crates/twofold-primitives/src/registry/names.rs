//! The `ALGORITHM[@backend]` name grammar.

use twofold_core::{Error, Result};

/// A parsed algorithm name: `ML-KEM-768` or `ML-KEM-768@libcrux`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlgorithmName<'a> {
    /// The algorithm part.
    pub algorithm: &'a str,
    /// The backend part, if one was given.
    pub backend: Option<&'a str>,
}

impl<'a> AlgorithmName<'a> {
    /// Parses `ALGORITHM` or `ALGORITHM@backend`. Whitespace, an empty part or
    /// a second `@` are errors.
    pub fn parse(name: &'a str) -> Result<Self> {
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
        let mut parts = name.split('@');
        let algorithm = parts.next().unwrap_or_default();
        let backend = parts.next();
        if parts.next().is_some() {
            return Err(malformed("more than one '@'"));
        }
        if algorithm.is_empty() {
            return Err(malformed("empty algorithm before '@'"));
        }
        if backend == Some("") {
            return Err(malformed("empty backend after '@'"));
        }
        Ok(Self { algorithm, backend })
    }
}

impl std::fmt::Display for AlgorithmName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.backend {
            Some(b) => write!(f, "{}@{}", self.algorithm, b),
            None => f.write_str(self.algorithm),
        }
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
        assert_eq!((n.algorithm, n.backend), ("X25519", Some("aws-lc")));
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
