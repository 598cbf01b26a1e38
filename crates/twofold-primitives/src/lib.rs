//! twofold-primitives: real cryptographic backends behind the twofold-core
//! traits, the hybrid combiners, XEdDSA, and the registry that names them.
//!
//! Layout (one folder per family, one file per backend library):
//! * [`kem`]: ML-KEM-512/768/1024 and round-3 Kyber from libcrux, pqcrypto and RustCrypto.
//! * [`dh`]: X25519 from dalek and aws-lc-rs, P-256 ECDH from RustCrypto and aws-lc-rs.
//! * [`sign`]: Ed25519, XEdDSA, ML-DSA, round-3 Dilithium, Falcon, SPHINCS+.
//! * [`aead`]: ChaCha20-Poly1305, AES-256-GCM, AES-256-CBC + truncated HMAC-SHA256.
//! * [`hash`]: SHA-2, SHA-3, SHAKE, BLAKE2 (with HMAC) and HKDF.
//! * [`hybrid`]: X-Wing, DHKEM(X25519), the generic KEM combiner, the composite signature.
//! * [`registry`]: the provider as data, `ALGORITHM@backend` names and their parser.
#![forbid(unsafe_code)]

pub mod aead;
pub mod dh;
pub mod hash;
pub mod hybrid;
pub mod kem;
pub mod registry;
pub mod sign;
mod wipe;

pub use twofold_core as core;
