//! twofold-testkit: test support shared by the property tests and the fuzz
//! targets of `fuzz/`.
//!
//! * [`conversation`]: the event model of a two-party conversation (send,
//!   deliver in any order, drop, replay, corrupt, save and restore) and the
//!   rules every party must keep under it, with [`arbitrary`] events.
//! * [`chain_party`]: the SPQR chain as a party of that model.
//! * [`session_party`]: the ratchet sessions of every suite as parties of
//!   that model.
//! * [`targets`]: the body of every fuzz target, one function of the input
//!   bytes each, so that the fuzzer (`fuzz/fuzz_targets/*.rs`, one line
//!   each) and the workspace tests (which replay the committed corpus on
//!   the stable toolchain) run the same code.
//! * [`corpus`]: the seed inputs of each target, written to
//!   `fuzz/corpus/<target>/` by `cargo run -p twofold-testkit --example
//!   seed_corpus`.
//!
//! A target body panics exactly when a property fails (a panic on peer
//! input, a changed state after a refusal, backends that disagree): that is
//! what the fuzzer reports as a crash.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// Re-exported so that users of the event model need no dependency of their own.
pub use arbitrary;

pub mod chain_party;
pub mod conversation;
pub mod corpus;
pub mod session_party;
pub mod targets;
