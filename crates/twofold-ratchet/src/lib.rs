//! twofold-ratchet: continuous key agreement and the ratchets built on it.
//!
//! Today this crate holds the leaf building blocks of Signal's sparse
//! post-quantum ratchet, SPQR (the "ML-KEM Braid"), byte for byte as Signal's
//! deployed `spqr` crate v1.5.3 computes them:
//!
//! * [`spqr::labels`]: every constant (KDF labels, value sizes, chain limits).
//! * [`spqr::gf16`]: arithmetic in GF(2^16), the field of the erasure code.
//! * [`spqr::erasure`]: the systematic Reed-Solomon code that splits each
//!   ML-KEM value into 32-byte chunks, one per message.
//! * [`spqr::authenticator`]: the MAC key schedule over headers and ciphertexts.
//! * [`spqr::chain`]: epoch secrets to per-message keys, with the
//!   out-of-order key store.
//! * [`spqr::wire`]: the V1 SPQR message carried in each Signal message.
//!
//! Primitives come in as twofold-core trait objects (`&'static dyn Kdf` for
//! HKDF-SHA256, `&'static dyn Hash` for HMAC-SHA256) that the caller resolves
//! by name; this crate depends on no backend.
//!
//! Primary sources: Signal's ML-KEM Braid specification
//! (<https://signal.org/docs/specifications/mlkembraid/>), the Double Ratchet
//! specification revision 3, and the deployed `spqr` crate v1.5.3
//! (github.com/signalapp/SparsePostQuantumRatchet), read for facts only.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cka;
pub mod double;
pub mod error;
pub mod kdf;
pub mod labels;
pub mod policy;
pub mod session;
pub mod signal;
pub mod sparse;
pub mod spqr;
pub mod suite;

pub use error::{RatchetError, Result};
