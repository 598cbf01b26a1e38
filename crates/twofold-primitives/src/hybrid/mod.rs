//! Hybrid constructions as runtime combinators over trait objects.
use twofold_core::{Kem, Signature};

pub mod combiner;
pub mod composite;
pub mod dhkem;
pub mod xwing;
pub mod xwing_crate;

/// Every hybrid KEM of this folder.
pub fn kems() -> Vec<&'static dyn Kem> {
    vec![
        &xwing::XWING_LIBCRUX_DALEK,
        &xwing::XWING_RUSTCRYPTO_DALEK,
        &xwing::XWING_LIBCRUX_AWSLC,
        &xwing_crate::XWING,
        &dhkem::DHKEM_X25519_DALEK,
        &dhkem::DHKEM_X25519_AWSLC,
        &combiner::DH_KEM_X25519_DALEK,
        &combiner::DH_KEM_X25519_AWSLC,
        &combiner::X25519_ML_KEM_768,
        &combiner::X25519_ML_KEM_1024,
        &combiner::X25519_KYBER1024,
    ]
}
/// Every composite signature of this folder.
pub fn signatures() -> Vec<&'static dyn Signature> {
    vec![&composite::ED25519_ML_DSA_65]
}
