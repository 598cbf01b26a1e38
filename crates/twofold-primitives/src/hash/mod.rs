//! Hash, XOF and KDF backends.
//!
//! * [`rustcrypto`]: SHA-256, SHA-512, SHA3-256, BLAKE2s, BLAKE2b (each with
//!   its HMAC) and SHAKE128 / SHAKE256 from the RustCrypto crates.
//! * [`awslc`]: SHA-256 and SHA-512 with HMAC from aws-lc-rs.
//! * [`hkdf`]: HKDF-SHA256 and HKDF-SHA512 from the `hkdf` crate and from
//!   aws-lc-rs, and [`hkdf::HkdfOver`], RFC 5869 over any [`Hash`]
//!   (registered for BLAKE2s and BLAKE2b).
use twofold_core::{Hash, Kdf, Xof};

pub mod awslc;
pub mod hkdf;
pub mod rustcrypto;

/// Every hash backend of this folder.
pub fn hashes() -> Vec<&'static dyn Hash> {
    vec![
        &rustcrypto::SHA256,
        &rustcrypto::SHA512,
        &rustcrypto::SHA3_256,
        &rustcrypto::BLAKE2S,
        &rustcrypto::BLAKE2B,
        &awslc::SHA256,
        &awslc::SHA512,
    ]
}

/// Every XOF backend of this folder.
pub fn xofs() -> Vec<&'static dyn Xof> {
    vec![&rustcrypto::SHAKE128, &rustcrypto::SHAKE256]
}

/// Every KDF backend of this folder.
pub fn kdfs() -> Vec<&'static dyn Kdf> {
    vec![
        &hkdf::HKDF_SHA256_RUSTCRYPTO,
        &hkdf::HKDF_SHA256_AWSLC,
        &hkdf::HKDF_SHA512_RUSTCRYPTO,
        &hkdf::HKDF_SHA512_AWSLC,
        &hkdf::HKDF_BLAKE2S,
        &hkdf::HKDF_BLAKE2B,
    ]
}
