//! The error type shared by the primitive layer.

use std::fmt;

/// Result alias used throughout twofold-core and the backends.
pub type Result<T> = core::result::Result<T, Error>;

/// Every way a primitive operation can fail.
///
/// Cases are grouped: invalid encodings (with the
/// expected and actual length), unsupported algorithms, opaque
/// decryption/verification failures, and API misuse. Failures of
/// authenticity carry no detail on purpose.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A byte string had the wrong length.
    #[error("invalid {what}: expected {expected} bytes, got {actual}")]
    InvalidLength {
        /// What was being decoded (e.g. "ML-KEM-768 public key").
        what: &'static str,
        /// The length the algorithm requires.
        expected: usize,
        /// The length that was given.
        actual: usize,
    },
    /// A byte string had the right length but is not a valid value
    /// (e.g. an ML-KEM key failing the FIPS 203 modulus check).
    #[error("invalid {0}")]
    InvalidEncoding(&'static str),
    /// A Diffie-Hellman result was all zeros: the peer sent a low-order point.
    #[error("Diffie-Hellman output is all zeros (low-order public key)")]
    LowOrderPoint,
    /// An algorithm name that no provider knows.
    #[error("{}", unknown_message(.kind, .name, .available))]
    UnknownAlgorithm {
        /// The family searched ("KEM", "signature", ...).
        kind: &'static str,
        /// The name as given.
        name: String,
        /// Every name that would have been accepted.
        available: Vec<String>,
    },
    /// A malformed name (empty part, stray separator, ...).
    #[error("malformed algorithm name {name:?}: {reason}")]
    MalformedName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The backend hides its randomness and cannot take explicit coins.
    #[error("{algorithm} cannot take explicit coins (its randomness is internal)")]
    NoExplicitCoins {
        /// `ALGORITHM@backend` of the refusing implementation.
        algorithm: String,
    },
    /// An AEAD open failed. Deliberately says nothing more.
    #[error("decryption failed")]
    DecryptionFailed,
    /// A signature or MAC did not verify. Deliberately says nothing more.
    #[error("verification failed")]
    VerificationFailed,
    /// The request does not fit the algorithm (e.g. output too long for HKDF).
    #[error("misuse: {0}")]
    Misuse(&'static str),
    /// A backend reported a failure it does not explain.
    #[error("backend failure in {0}")]
    Backend(&'static str),
}

fn unknown_message(kind: &str, name: &str, available: &[String]) -> String {
    UnknownList {
        kind,
        name,
        available,
    }
    .to_string()
}

struct UnknownList<'a> {
    kind: &'a str,
    name: &'a str,
    available: &'a [String],
}

impl fmt::Display for UnknownList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}; available: ", self.kind, self.name)?;
        for (i, a) in self.available.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(a)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_lists_alternatives() {
        let e = Error::UnknownAlgorithm {
            kind: "KEM",
            name: "ML-KEM-666".into(),
            available: vec!["ML-KEM-768".into(), "X-Wing".into()],
        };
        assert_eq!(
            e.to_string(),
            "unknown KEM \"ML-KEM-666\"; available: ML-KEM-768, X-Wing"
        );
    }
}
