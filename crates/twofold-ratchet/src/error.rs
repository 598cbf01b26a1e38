//! The ratchet error type.

/// Result alias of this crate.
pub type Result<T> = core::result::Result<T, RatchetError>;

/// Every way a ratchet operation can fail.
///
/// Cases are grouped: invalid encodings, malformed messages, primitive
/// failures, failed authentication, a peer that misbehaved, and misuse of the
/// API by the caller. An operation that fails leaves its object as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RatchetError {
    // --- invalid encodings --------------------------------------------------
    /// A byte string had the wrong length.
    #[error("invalid {what}: expected {expected} bytes, got {actual}")]
    InvalidLength {
        /// What was being read (e.g. "SPQR header MAC").
        what: &'static str,
        /// The length required.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A byte string whose length must be a positive multiple of a unit (and
    /// at most a maximum) was not.
    #[error("invalid {what}: length {actual} is not a positive multiple of {unit} up to {max}")]
    InvalidLengthMultiple {
        /// What was being read.
        what: &'static str,
        /// The unit the length must be a multiple of.
        unit: usize,
        /// The largest length allowed.
        max: usize,
        /// The length given.
        actual: usize,
    },

    // --- malformed messages and state ---------------------------------------
    /// A wire message or a serialized state does not parse (bad varint,
    /// unknown type byte, truncated field, bad version...).
    #[error("malformed {0}")]
    Malformed(&'static str),

    // --- primitives ---------------------------------------------------------
    /// A primitive failed (wrong key length, KDF output too long...).
    #[error(transparent)]
    Primitive(#[from] twofold_core::Error),

    // --- authentication ------------------------------------------------------
    /// A MAC did not verify. Says which MAC, nothing more.
    #[error("{0} MAC did not verify")]
    BadMac(&'static str),

    // --- peer misbehaved -----------------------------------------------------
    /// A key was asked for in an epoch this chain does not hold (in the
    /// future, or older than the one epoch kept before the sending epoch).
    #[error("epoch {epoch} is out of range")]
    EpochOutOfRange {
        /// The epoch asked for.
        epoch: u64,
    },
    /// A key index lies further ahead of the chain than `max_jump` allows.
    #[error("key index {requested} is more than {max_jump} ahead of {current}")]
    TooManySkipped {
        /// The chain's counter (index of the last key derived).
        current: u32,
        /// The index asked for.
        requested: u32,
        /// The limit in force.
        max_jump: u32,
    },
    /// A message key was already handed out once (or the index is 0, which
    /// names no key).
    #[error("key {index} of epoch {epoch} was already used")]
    KeyAlreadyUsed {
        /// The epoch of the key.
        epoch: u64,
        /// The key index.
        index: u32,
    },
    /// A message key lies more than `max_ooo_keys` behind the chain and was
    /// dropped.
    #[error("key {index} of epoch {epoch} is too old and was dropped")]
    KeyTrimmed {
        /// The epoch of the key.
        epoch: u64,
        /// The key index.
        index: u32,
    },

    /// A message whose key was already used (a replay or a duplicate), or
    /// that lies behind its chain and was never stored.
    #[error("message {index} of its chain was already received or is too old")]
    Duplicate {
        /// Its index in its chain.
        index: u32,
    },
    /// A message past the expiry its sender set.
    #[error("message expired at {expired_at} (now {now})")]
    Expired {
        /// The sender's expiry, seconds.
        expired_at: u64,
        /// The receiver's time, seconds.
        now: u64,
    },

    // --- configuration --------------------------------------------------------
    /// A ratchet suite that does not parse or resolve.
    #[error("invalid ratchet suite {name:?}: {reason}")]
    InvalidSuite {
        /// The suite as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A value the peer sent, once rebuilt from its chunks, is not valid
    /// (an ML-KEM key vector that does not match the header it followed).
    #[error("invalid {0} from the peer")]
    InvalidPeerValue(&'static str),

    // --- version negotiation -------------------------------------------------
    /// The peer speaks a lower SPQR version than the minimum this party
    /// accepts.
    #[error("the peer's SPQR version {peer:?} is below the minimum {minimum:?}")]
    MinimumVersion {
        /// The version of the peer's message.
        peer: crate::spqr::Version,
        /// The lowest version this party accepts.
        minimum: crate::spqr::Version,
    },
    /// The peer speaks a lower SPQR version after negotiation ended (this
    /// party already received a message of its own version).
    #[error("the peer's SPQR version {peer:?} differs from the one negotiated, {ours:?}")]
    VersionMismatch {
        /// The version of the peer's message.
        peer: crate::spqr::Version,
        /// The version in use.
        ours: crate::spqr::Version,
    },

    // --- misuse --------------------------------------------------------------
    /// The caller used the API in a way the protocol forbids (epochs out of
    /// order, a counter exhausted, a primitive of the wrong size...).
    #[error("misuse: {0}")]
    Misuse(&'static str),
}
