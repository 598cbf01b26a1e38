//! The measurement core of `twofold bench` and the benches: subjects,
//! their floors, paired timing and instruction counts.
//!
//! # The matrix
//!
//! A *row* is one operation of one subject: a full handshake of a suite, or
//! (for a ratchet) one message encrypted and decrypted at a size, or one
//! epoch. Each row is measured together with its *contenders*, interleaved
//! in rounds ([`stats::measure`]) so that ratios between them are paired:
//!
//! 0. the subject itself;
//! 1. its **floor**: the primitive calls of one operation, as the observer
//!    recorded them, replayed alone on the same backends ([`Floor`]);
//! 2. its **fastest floor**: the same calls, each on the fastest registered
//!    backend of its algorithm ([`fastest::Fastest`]);
//! 3. any peers (another library doing the same work), given by the caller.
//!
//! # Adding a kind of row: the [`Subject`] seam
//!
//! A new kind of subject (the ratchets) implements [`Subject`]: a kind and
//! a name, and [`Subject::cases`], which prepares each operation to measure
//! as a [`Case`]: a [`stats::Runner`] performing it (set-up outside the
//! timer), the primitive calls one operation makes (record them with
//! [`record_calls`] around one operation on primitives from an
//! [`twofold_core::resolve::Observing`] resolver), the bytes each message
//! puts on the wire, and the size of the state kept between operations.
//! Floors, pairing, instruction counts, tables, JSON, charts and baselines
//! then come for free. [`handshake::HandshakeSubject`] is the example.

pub mod callgrind;
pub mod fastest;
pub mod handshake;
pub mod matrix;
pub mod primitives;
pub mod ratchet;
pub mod stats;

use twofold_core::observe::CallRecord;
use twofold_core::{CryptoRng, Recorder};
use twofold_handshake::HandshakeError;

pub use crate::floor::Floor;
pub use matrix::{Contender, Meter, PeerSource, RowResult, measure_case};
pub use stats::{Measured, Runner, Summary, Timing};

/// Errors of a measurement.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// A protocol failed.
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    /// A primitive failed.
    #[error(transparent)]
    Primitive(#[from] twofold_core::Error),
    /// A ratchet failed.
    #[error(transparent)]
    Ratchet(#[from] crate::ratchets::Error),
    /// Reading or writing a file failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// Anything else (a peer library's error, a missing tool), as text.
    #[error("{0}")]
    Other(String),
}

/// Results of this module.
pub type Result<T> = core::result::Result<T, BenchError>;

/// One operation of a subject, ready to measure.
pub struct Case {
    /// What is measured, e.g. `handshake`, `message 64 B`, `epoch`.
    pub op: String,
    /// Performs the operation.
    pub runner: Box<dyn Runner>,
    /// The primitive calls one operation makes (the floors replay them).
    pub calls: Vec<CallRecord>,
    /// Bytes on the wire of each message of one operation, in order.
    pub messages: Vec<usize>,
    /// Bytes of state kept between operations, where the subject can say.
    pub state_bytes: Option<usize>,
}

/// Something the matrix measures: a handshake suite, a ratchet, a
/// single-shot construction. See the module documentation.
pub trait Subject {
    /// The kind of row: `handshake`, `ratchet`, `single-shot`.
    fn kind(&self) -> &'static str;
    /// The subject's name (a suite string).
    fn name(&self) -> String;
    /// Prepares every operation to measure (untimed).
    fn cases(&self, rng: &mut dyn CryptoRng) -> Result<Vec<Case>>;
}

/// Runs `f` and returns its result with the primitive calls it made through
/// implementations from an [`twofold_core::resolve::Observing`] resolver on
/// this thread.
pub fn record_calls<T>(f: impl FnOnce() -> T) -> (T, Vec<CallRecord>) {
    let rec = Recorder::new();
    let out = {
        let _capture = rec.capture_calls();
        f()
    };
    let calls = rec.trace().calls().cloned().collect();
    (out, calls)
}
