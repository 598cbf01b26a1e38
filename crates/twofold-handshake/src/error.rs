//! The handshake error type.

/// Result alias of this crate.
pub type Result<T> = core::result::Result<T, HandshakeError>;

/// Every way a handshake can fail. A failed step consumes nothing the caller
/// cannot retry with: state machines return errors before committing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// A primitive failed (invalid key, wrong length, failed decryption...).
    #[error(transparent)]
    Primitive(#[from] twofold_core::Error),
    /// A wire message is shorter than its pattern or format requires.
    #[error("message truncated: {what} needs {expected} bytes, got {actual}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes needed.
        expected: usize,
        /// Bytes present.
        actual: usize,
    },
    /// A wire message is longer than its pattern or format allows.
    #[error("message too long: {what} allows {max} bytes, got {actual}")]
    Oversized {
        /// What was being read.
        what: &'static str,
        /// Maximum allowed.
        max: usize,
        /// Bytes present.
        actual: usize,
    },
    /// A malformed encoding (bad tag, bad varint, unknown field...).
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A message arrived, or was asked for, out of turn.
    #[error("out of turn: {0}")]
    OutOfTurn(&'static str),
    /// A signature on a prekey did not verify.
    #[error("bad signature on {0}")]
    BadSignature(&'static str),
    /// A one-time prekey was asked for again after being consumed, or is unknown.
    #[error("unknown or already used {kind} prekey {id}")]
    PrekeyUnavailable {
        /// "one-time curve" / "one-time KEM" / "signed" / "last-resort KEM".
        kind: &'static str,
        /// Its identifier.
        id: u32,
    },
    /// An imported prekey names an identifier the store already uses.
    #[error("a {kind} prekey with this identifier is already in the store")]
    PrekeyInUse {
        /// "signed" / "one-time" / "KEM".
        kind: &'static str,
    },
    /// A suite or protocol name that cannot be parsed or resolved.
    #[error("invalid suite {name:?}: {reason}")]
    InvalidSuite {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A key the pattern needs was not supplied (e.g. the responder's static key in IK).
    #[error("missing key: {0}")]
    MissingKey(&'static str),
    /// The nonce counter is exhausted; the session must rekey or end.
    #[error("nonce exhausted")]
    NonceExhausted,
    /// The caller used the API in a way the protocol forbids.
    #[error("misuse: {0}")]
    Misuse(&'static str),
}
