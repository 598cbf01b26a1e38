//! twofold: hybrid (classical + post-quantum) secure-messaging protocols put
//! together from interchangeable primitives.
//!
//! This facade re-exports the layers (see DESIGN.md §1):
//! [`core`] (traits, secrets, errors, randomness), [`primitives`] (backends,
//! hybrid combiners, the registry) and [`handshake`] (X3DH, PQXDH, Noise).
#![forbid(unsafe_code)]

pub use twofold_core as core;
pub use twofold_handshake as handshake;
pub use twofold_primitives as primitives;

pub mod primitive_ops;
pub mod suite;

pub use twofold_primitives::registry::{REGISTRY, registry};
