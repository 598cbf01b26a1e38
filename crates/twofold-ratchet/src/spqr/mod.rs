//! SPQR, Signal's sparse post-quantum ratchet (the "ML-KEM Braid").
//!
//! The Braid runs ML-KEM-768 one epoch at a time, split into a 64-byte header,
//! a 1152-byte key vector and two ciphertext halves (960 + 128 bytes), each
//! erasure-coded into 32-byte chunks so that one chunk rides in every
//! message. The epoch secrets it agrees on feed a symmetric chain that gives
//! each message its post-quantum key.
//!
//! [`Spqr`] is one party's whole state, with `send` and `recv` as
//! libsignal calls them; [`scka`] holds the Braid's state machines and the
//! other modules the pieces they are built from. Each module names the file
//! of the deployed `spqr` crate v1.5.3 it is byte-compatible with.

pub mod authenticator;
pub mod chain;
pub mod erasure;
pub mod gf16;
pub mod labels;
pub mod scka;
pub mod source;
pub mod state;
pub mod wire;

pub use authenticator::Authenticator;
pub use chain::{Chain, ChainParams, Direction};
pub use erasure::{Chunk, Decoder, Encoder};
pub use gf16::Gf16;
pub use scka::{Role, SckaState};
pub use source::SpqrSource;
pub use state::{MessageKey, Params, Spqr, SpqrPrimitives};
pub use wire::{Message, MessageType, Payload, Version};

use twofold_core::{Error, Kdf, Secret, SecretBytes};

use crate::Result;

/// The output of one HKDF call, cut into 32-byte blocks.
struct Okm(SecretBytes);

impl Okm {
    /// `HKDF(salt, ikm, info)` of `blocks` × 32 bytes. Checks the length the
    /// KDF returned, so that [`Okm::block`] can slice without a bound check.
    fn derive(kdf: &dyn Kdf, salt: &[u8], ikm: &[u8], info: &[u8], blocks: usize) -> Result<Self> {
        let len = blocks * labels::KEY_LEN;
        let okm = kdf.derive(salt, ikm, info, len)?;
        if okm.len() != len {
            return Err(Error::InvalidLength {
                what: "KDF output",
                expected: len,
                actual: okm.len(),
            }
            .into());
        }
        Ok(Self(okm))
    }

    /// Block `i` (bytes `32 i .. 32 i + 32`); `i` is below the block count
    /// the caller derived.
    fn block(&self, i: usize) -> Secret<{ labels::KEY_LEN }> {
        let mut b = [0u8; labels::KEY_LEN];
        b.copy_from_slice(&self.0.expose()[i * labels::KEY_LEN..(i + 1) * labels::KEY_LEN]);
        Secret::new(b)
    }
}

/// A cursor over serialized state: every read checks the length left and
/// fails with the error its owner chose, never panics.
struct Reader<'a> {
    bytes: &'a [u8],
    error: crate::RatchetError,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], error: crate::RatchetError) -> Self {
        Self { bytes, error }
    }

    /// The next `n` bytes.
    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(self.error.clone());
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        let (head, rest) = self
            .bytes
            .split_first_chunk::<N>()
            .ok_or_else(|| self.error.clone())?;
        self.bytes = rest;
        Ok(*head)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        self.take().map(u16::from_be_bytes)
    }
    fn u32(&mut self) -> Result<u32> {
        self.take().map(u32::from_be_bytes)
    }
    fn u64(&mut self) -> Result<u64> {
        self.take().map(u64::from_be_bytes)
    }
    fn key(&mut self) -> Result<Secret<{ labels::KEY_LEN }>> {
        self.take().map(Secret::new)
    }
    /// A 0 or 1 byte.
    fn flag(&mut self) -> Result<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(self.error.clone()),
        }
    }
    /// Fails unless every byte was read.
    fn finish(&self) -> Result<()> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(self.error.clone())
        }
    }
}
