//! twofold-ratchet: continuous key agreement and the ratchets built on it,
//! decomposed as Alwen, Coretti and Dodis decompose the Double Ratchet
//! (EUROCRYPT 2019): a CKA, a root KDF and forward-secure symmetric chains.
//!
//! * [`cka`]: the [`cka::Cka`] trait and its DH, KEM and hybrid
//!   implementations (the hybrid one with a [`policy::RekeyPolicy`]).
//! * [`kdf`]: the root KDF, the chain KDF and the message keys.
//! * [`double`]: the engine that runs any CKA (skipped keys, limits, expiry,
//!   header encryption, the twofold and the signal wire formats), with an
//!   optional [`sparse::Sparse`] key source beside it.
//! * [`spqr`]: Signal's sparse post-quantum ratchet (the "ML-KEM Braid"),
//!   byte for byte as the deployed `spqr` crate v1.5.3 computes it, and
//!   [`spqr::SpqrSource`], which makes it the Triple Ratchet's sparse source.
//! * [`signal`]: libsignal's SignalMessage.
//! * [`suite`]: ratchet suite strings; [`session`]: a suite started from a
//!   handshake's output, with versioned serialization.
//!
//! Primitives come in as twofold-core trait objects that the caller
//! resolves by name; this crate depends on no backend and no handshake.
//!
//! Primary sources: the Double Ratchet specification
//! (<https://signal.org/docs/specifications/doubleratchet/>, revisions 1 and
//! 3), Signal's ML-KEM Braid specification
//! (<https://signal.org/docs/specifications/mlkembraid/>), and the deployed
//! libsignal and `spqr` v1.5.3 (github.com/signalapp/SparsePostQuantumRatchet),
//! read for facts only.
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
