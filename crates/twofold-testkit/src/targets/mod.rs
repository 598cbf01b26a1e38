//! The fuzz target bodies. Each takes the fuzzer's input bytes and panics
//! only when a property fails.
//!
//! Adding a target: write its body here (a `pub fn name(data: &[u8])`),
//! list it in [`TARGETS`], give it seeds in [`crate::corpus`], add the
//! one-line `fuzz/fuzz_targets/<name>.rs` and its `[[bin]]` entry in
//! `fuzz/Cargo.toml`, and run `cargo run -p twofold-testkit --example
//! seed_corpus`. The workspace test `tests/fuzz_corpus.rs` checks that the
//! lists agree and replays every committed corpus file through the body.

pub mod differential;
pub mod events;
pub mod names;
pub mod noise;
pub mod prekey;
pub mod ratchet;
pub mod spqr;
pub mod vectors;

/// What a target exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A decoder (or parser) of bytes from a peer, a file or the command line.
    Decoder,
    /// A state machine driven by a sequence of events.
    StateMachine,
    /// Every backend of an algorithm on the same input.
    Differential,
}

/// One fuzz target.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Its name: `fuzz/fuzz_targets/<name>.rs`, `fuzz/corpus/<name>/`.
    pub name: &'static str,
    /// What it exercises.
    pub kind: Kind,
    /// Its body.
    pub run: fn(&[u8]),
}

/// Every target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "prekey_message",
        kind: Kind::Decoder,
        run: prekey::message,
    },
    Target {
        name: "prekey_accept",
        kind: Kind::Decoder,
        run: prekey::accept,
    },
    Target {
        name: "prekey_bundle",
        kind: Kind::Decoder,
        run: prekey::bundle,
    },
    Target {
        name: "noise_classic",
        kind: Kind::Decoder,
        run: noise::classic,
    },
    Target {
        name: "noise_hfs",
        kind: Kind::Decoder,
        run: noise::hfs,
    },
    Target {
        name: "noise_pq",
        kind: Kind::Decoder,
        run: noise::pq,
    },
    Target {
        name: "noise_hybrid",
        kind: Kind::Decoder,
        run: noise::hybrid,
    },
    Target {
        name: "spqr_wire",
        kind: Kind::Decoder,
        run: spqr::wire,
    },
    Target {
        name: "spqr_erasure",
        kind: Kind::Decoder,
        run: spqr::erasure,
    },
    Target {
        name: "spqr_chain_state",
        kind: Kind::Decoder,
        run: spqr::chain_state,
    },
    Target {
        name: "names",
        kind: Kind::Decoder,
        run: names::names,
    },
    Target {
        name: "spqr_chain_events",
        kind: Kind::StateMachine,
        run: events::spqr_chain,
    },
    Target {
        name: "ratchet_events",
        kind: Kind::StateMachine,
        run: events::ratchet,
    },
    Target {
        name: "ratchet_decrypt",
        kind: Kind::Decoder,
        run: ratchet::decrypt,
    },
    Target {
        name: "session_state",
        kind: Kind::Decoder,
        run: ratchet::session_state,
    },
    Target {
        name: "signal_message",
        kind: Kind::Decoder,
        run: ratchet::signal_message,
    },
    Target {
        name: "vector_file",
        kind: Kind::Decoder,
        run: vectors::vector_file,
    },
    Target {
        name: "diff_kem",
        kind: Kind::Differential,
        run: differential::kem,
    },
    Target {
        name: "diff_sig",
        kind: Kind::Differential,
        run: differential::sig,
    },
    Target {
        name: "diff_aead",
        kind: Kind::Differential,
        run: differential::aead,
    },
    Target {
        name: "diff_dh",
        kind: Kind::Differential,
        run: differential::dh,
    },
];

/// The target called `name`.
pub fn by_name(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}
