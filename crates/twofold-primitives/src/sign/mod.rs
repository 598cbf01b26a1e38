//! Signature backends.
//!
//! * [`ed25519`]: Ed25519 (RFC 8032) from ed25519-dalek and aws-lc-rs.
//! * [`xeddsa`]: XEdDSA over X25519 keys, our own code, in the spec profile
//!   (`XEdDSA`) and the libsignal profile (`XEdDSA-signal`).
//! * [`mldsa`]: ML-DSA-44/65/87 (FIPS 204) from pqcrypto, libcrux and RustCrypto,
//!   sharing one secret-key encoding (the FIPS 204 expanded key).
//! * [`pqclean`]: Dilithium (pqcrypto-dilithium 0.5), Falcon-512 and
//!   SPHINCS+-SHA2-128f-simple from pqcrypto.
//!
//! The composite signature (Ed25519 + ML-DSA-65) lives in
//! [`crate::hybrid::composite`] and is listed by [`crate::hybrid::signatures`].
use twofold_core::Signature;

pub mod ed25519;
pub mod mldsa;
mod params;
pub mod pqclean;
pub mod xeddsa;

/// Every signature implementation of this folder.
pub fn all() -> Vec<&'static dyn Signature> {
    let mut out: Vec<&'static dyn Signature> = vec![
        &ed25519::ED25519_DALEK,
        &ed25519::ED25519_AWSLC,
        &xeddsa::XEDDSA,
        &xeddsa::XEDDSA_SIGNAL,
    ];
    out.extend(mldsa::all());
    out.extend(pqclean::all());
    out
}
