//! twofold: hybrid (classical + post-quantum) secure-messaging protocols put
//! together from interchangeable primitives.
//!
//! This facade re-exports the layers, bottom up: [`core`] (traits, secrets,
//! errors, randomness, resolvers, the observer), [`primitives`] (backends,
//! hybrid combiners, the registry), [`handshake`] (X3DH, PQXDH, Noise, a
//! PQ3-style set-up), [`ratchet`] (CKAs, the ratchet engine, SPQR, sessions)
//! and [`harness`] (suites by name, both sides in memory, observed runs and
//! their floors, conversations, prepared primitive operations), and holds
//! the `twofold` command-line tool.
#![forbid(unsafe_code)]

pub use twofold_core as core;
pub use twofold_handshake as handshake;
pub use twofold_harness as harness;
pub use twofold_primitives as primitives;
pub use twofold_ratchet as ratchet;

pub use twofold_harness::{handshakes as suite, primitive_ops};

#[cfg(feature = "peers")]
pub mod peers;
pub use twofold_primitives::registry::{REGISTRY, registry};
