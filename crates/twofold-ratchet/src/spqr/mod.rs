//! SPQR, Signal's sparse post-quantum ratchet (the "ML-KEM Braid"): its leaf
//! building blocks.
//!
//! The Braid runs ML-KEM-768 one epoch at a time, split into a 64-byte header,
//! a 1152-byte key vector and two ciphertext halves (960 + 128 bytes), each
//! erasure-coded into 32-byte chunks so that one chunk rides in every
//! message. The epoch secrets it agrees on feed a symmetric chain that gives
//! each message its post-quantum key.
//!
//! The modules here are the pieces the state machines are built from; each
//! names the file of the deployed `spqr` crate v1.5.3 it is byte-compatible
//! with.

pub mod erasure;
pub mod gf16;
pub mod labels;

pub use erasure::{Chunk, Decoder, Encoder};
pub use gf16::Gf16;
