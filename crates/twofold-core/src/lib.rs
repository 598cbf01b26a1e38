//! twofold-core: the vocabulary every other twofold crate speaks.
//!
//! * [`traits`]: one object-safe trait per primitive family ([`Kem`], [`Dh`],
//!   [`Signature`], [`Aead`], [`Hash`], [`Xof`], [`Kdf`]). Public values cross as
//!   bytes, secret values as [`SecretBytes`].
//! * [`secret`]: zeroizing secret containers with redacted `Debug` and
//!   constant-time equality.
//! * [`rng`]: the injected randomness trait [`CryptoRng`], the operating-system
//!   source, the documented deterministic stream [`ShakeRng`] and
//!   [`ReplayRng`], which serves recorded draws in order.
//! * [`error`]: the typed error every fallible operation returns.
//! * [`encoding`]: the protobuf subset libsignal's messages use, and a
//!   bounds-checked reader.
//! * [`names`]: the `ALGORITHM[@backend]` grammar.
//! * [`resolve`]: the [`Resolver`] trait and resolvers composed of resolvers.
//! * [`observe`]: the one observation mechanism (steps, draws, primitive
//!   calls) behind traces, test vectors, floors and the derivation graph.
//!
//! This crate holds no backend and no protocol.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod encoding;
pub mod error;
pub mod names;
pub mod observe;
pub mod resolve;
pub mod rng;
pub mod secret;
pub mod traits;

pub use error::{Error, Result};
pub use names::AlgorithmName;
pub use observe::{Obs, Observer, Off, Party, Recorder};
pub use resolve::{Primitive, Resolver};
pub use rng::{CryptoRng, OsRng, ReplayError, ReplayRng, ShakeRng};
pub use secret::{Secret, SecretBytes};
pub use traits::{
    Aead, AlgorithmId, Cipher, Dh, DhSizes, Family, Hash, IncrementalKem, IncrementalKemSizes, Kdf,
    Kem, KemSizes, SigSizes, Signature, Xof,
};

/// Checks that `bytes` has exactly `expected` bytes; names `what` in the error.
pub fn check_len(what: &'static str, bytes: &[u8], expected: usize) -> Result<()> {
    if bytes.len() == expected {
        Ok(())
    } else {
        Err(Error::InvalidLength {
            what,
            expected,
            actual: bytes.len(),
        })
    }
}
