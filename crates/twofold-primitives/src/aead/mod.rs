//! AEAD backends.
//!
//! * [`rustcrypto`]: ChaCha20-Poly1305 (RFC 8439) and AES-256-GCM from the
//!   RustCrypto `chacha20poly1305` and `aes-gcm` crates.
//! * [`awslc`]: the same two algorithms from aws-lc-rs.
//! * [`cbc_hmac`]: AES-256-CBC with PKCS#7 padding followed by an HMAC-SHA256
//!   tag truncated to 8 bytes, the body encryption of libsignal's
//!   `SignalMessage` (libsignal `rust/protocol/src/crypto.rs`).
//!
//! Every implementation appends its tag to the ciphertext, fails an `open`
//! of a modified or truncated ciphertext with the opaque
//! [`Error::DecryptionFailed`](twofold_core::Error::DecryptionFailed), and
//! rejects a key or nonce of the wrong length with
//! [`Error::InvalidLength`](twofold_core::Error::InvalidLength).
use twofold_core::Aead;

pub mod awslc;
pub mod cbc_hmac;
pub mod rustcrypto;

/// Every AEAD backend of this folder.
pub fn all() -> Vec<&'static dyn Aead> {
    vec![
        &rustcrypto::CHACHA20_POLY1305,
        &rustcrypto::AES_256_GCM,
        &awslc::CHACHA20_POLY1305,
        &awslc::AES_256_GCM,
        &cbc_hmac::AES_256_CBC_HMAC_SHA256,
    ]
}

/// Every unauthenticated cipher this crate ships (for protocols that MAC
/// whole messages themselves).
pub fn ciphers() -> Vec<&'static dyn twofold_core::Cipher> {
    vec![&cbc_hmac::AES_256_CBC]
}
