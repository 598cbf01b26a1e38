//! Whole ratchet sessions by suite string, both sides in memory.
//!
//! [`Pair::establish`] runs the handshake a ratchet suite starts from
//! ([`default_handshake`], or any compatible one) and starts both sessions
//! from its output ([`establish`]): X3DH or PQXDH for the Double and Triple
//! Ratchets, Noise with an exported secret for the KEM ratchet, the
//! PQ3-style set-up for the PQ3 ratchet. [`conversation`] plays a
//! conversation over an unreliable channel and reports what it cost;
//! [`workload`] holds the steady-state exchange the benchmarks time, with
//! the primitive calls of its floor.
//!
//! In the signal profile the handshake travels as libsignal's does: Alice's
//! messages are PreKeySignalMessages (the initial message of X3DH or PQXDH
//! with her SignalMessage inside) until she has received one of Bob's; Bob
//! starts his session from the first one that arrives and spends the
//! one-time prekeys it named once its SignalMessage has decrypted.

pub mod conversation;
pub mod establish;
pub mod workload;

use core::fmt;

use twofold_handshake::HandshakeError;
use twofold_ratchet::RatchetError;

pub use conversation::{Conversation, Delivery, Pattern, Report, play};
pub use establish::{Envelope, Pair, default_handshake, differs_only_where_unread};
pub use workload::PingPong;

/// The ratchet suites `twofold list` names and `twofold bench` measures.
pub use twofold_ratchet::suite::SUITES;

/// An error of a ratchet run: from the handshake or the ratchet.
#[derive(Debug)]
pub enum Error {
    /// The handshake failed (or its suite does not parse).
    Handshake(HandshakeError),
    /// The ratchet failed (or its suite does not parse).
    Ratchet(RatchetError),
    /// The handshake and the ratchet suite do not fit together.
    Mismatch(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Handshake(e) => write!(f, "handshake: {e}"),
            Error::Ratchet(e) => write!(f, "ratchet: {e}"),
            Error::Mismatch(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Handshake(e) => Some(e),
            Error::Ratchet(e) => Some(e),
            Error::Mismatch(_) => None,
        }
    }
}

impl From<HandshakeError> for Error {
    fn from(e: HandshakeError) -> Self {
        Error::Handshake(e)
    }
}

impl From<RatchetError> for Error {
    fn from(e: RatchetError) -> Self {
        Error::Ratchet(e)
    }
}

impl From<twofold_core::Error> for Error {
    fn from(e: twofold_core::Error) -> Self {
        Error::Ratchet(RatchetError::Primitive(e))
    }
}

/// Results of this module.
pub type Result<T> = core::result::Result<T, Error>;
