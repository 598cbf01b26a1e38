//! twofold-harness: what everything that drives whole protocols shares.
//!
//! * [`handshakes`]: suites by name ([`handshakes::suites`],
//!   [`handshakes::protocol_of`]); [`handshakes::run`] plays both sides of a
//!   handshake in memory and returns its messages and its observed
//!   [`twofold_core::observe::Trace`]; [`handshakes::Prepared`] splits a
//!   handshake into untimed set-up and a timed run, next to its floor.
//! * [`floor`]: the primitive calls of one observed run, replayed alone on
//!   the same backends: the cost a protocol cannot beat.
//! * [`primitive_ops`]: every registered primitive's operations, prepared
//!   for timing (the `twofold bench` table and the criterion bench).
//! * [`bench`]: the measurement core of `twofold bench`: subjects and their
//!   cases, both floors, paired interleaved timing, instruction counts.
//!
//! The CLI, the benches, the test vectors and the analysis sit above this
//! crate; the protocol crates below it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bench;
pub mod floor;
pub mod handshakes;
pub mod primitive_ops;
pub mod ratchets;

pub use floor::{Floor, Op};
