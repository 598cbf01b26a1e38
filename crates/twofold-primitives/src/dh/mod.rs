//! Diffie-Hellman (X25519) backends.
use twofold_core::Dh;

pub mod awslc;
pub mod dalek;

/// Every DH backend of this folder.
pub fn all() -> Vec<&'static dyn Dh> {
    vec![&dalek::X25519, &awslc::X25519]
}
