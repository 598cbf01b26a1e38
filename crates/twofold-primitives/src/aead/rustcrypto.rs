//! ChaCha20-Poly1305 (RFC 8439) and AES-256-GCM (NIST SP 800-38D) from the
//! RustCrypto `chacha20poly1305` and `aes-gcm` crates.
//!
//! Both crates implement the same `aead` 0.6 traits, so one generic wrapper
//! serves both. Key 32 bytes, nonce 12 bytes, tag 16 bytes appended to the
//! ciphertext.

use std::fmt;
use std::marker::PhantomData;

use aes_gcm::Aes256Gcm;
use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::array::typenum::Unsigned;
use chacha20poly1305::aead::{AeadInOut, KeyInit, Nonce};
use twofold_core::{Aead, AlgorithmId, Error, Result, check_len};
use zeroize::Zeroize;

/// An AEAD from a RustCrypto crate; `A` is the crate's cipher type.
pub struct RustCryptoAead<A> {
    name: &'static str,
    key_what: &'static str,
    nonce_what: &'static str,
    // `fn() -> A` keeps the wrapper `Send + Sync` whatever `A` is: no `A`
    // value is ever stored.
    _cipher: PhantomData<fn() -> A>,
}

impl<A> RustCryptoAead<A> {
    const fn new(name: &'static str, key_what: &'static str, nonce_what: &'static str) -> Self {
        Self {
            name,
            key_what,
            nonce_what,
            _cipher: PhantomData,
        }
    }
}

impl<A> fmt::Debug for RustCryptoAead<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RustCryptoAead({})", self.name)
    }
}

/// ChaCha20-Poly1305 (RFC 8439) from `chacha20poly1305`.
pub static CHACHA20_POLY1305: RustCryptoAead<ChaCha20Poly1305> = RustCryptoAead::new(
    "ChaCha20-Poly1305",
    "ChaCha20-Poly1305 key",
    "ChaCha20-Poly1305 nonce",
);

/// AES-256-GCM with a 96-bit nonce and a 128-bit tag from `aes-gcm`.
pub static AES_256_GCM: RustCryptoAead<Aes256Gcm> =
    RustCryptoAead::new("AES-256-GCM", "AES-256-GCM key", "AES-256-GCM nonce");

impl<A> RustCryptoAead<A>
where
    A: KeyInit + AeadInOut,
{
    /// Checks the lengths and builds the keyed cipher and the nonce.
    fn setup(&self, key: &[u8], nonce: &[u8]) -> Result<(A, Nonce<A>)> {
        check_len(self.key_what, key, A::KeySize::USIZE)?;
        check_len(self.nonce_what, nonce, A::NonceSize::USIZE)?;
        // Both lengths were checked just above, so neither conversion can
        // fail; map to a backend error rather than panic all the same.
        let cipher = A::new_from_slice(key).map_err(|_| Error::Backend(self.name))?;
        let nonce = Nonce::<A>::try_from(nonce).map_err(|_| Error::Backend(self.name))?;
        Ok((cipher, nonce))
    }
}

impl<A> AlgorithmId for RustCryptoAead<A> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        "rustcrypto"
    }
}

impl<A> Aead for RustCryptoAead<A>
where
    A: KeyInit + AeadInOut,
{
    fn key_len(&self) -> usize {
        A::KeySize::USIZE
    }
    fn nonce_len(&self) -> usize {
        A::NonceSize::USIZE
    }
    fn tag_len(&self) -> usize {
        A::TagSize::USIZE
    }

    fn seal(&self, key: &[u8], nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let (cipher, nonce) = self.setup(key, nonce)?;
        // Reserve room for the tag up front so appending it never moves (and
        // leaves behind) a copy of the plaintext.
        let mut buf = Vec::with_capacity(plaintext.len() + self.tag_len());
        buf.extend_from_slice(plaintext);
        match cipher.encrypt_in_place(&nonce, aad, &mut buf) {
            Ok(()) => Ok(buf),
            Err(_) => {
                buf.zeroize();
                // The only failure is a plaintext or AAD beyond the
                // algorithm's length limit (2^36 - 32 bytes for GCM).
                Err(Error::Misuse(
                    "plaintext or associated data too long for the AEAD",
                ))
            }
        }
    }

    fn open(&self, key: &[u8], nonce: &[u8], aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>> {
        let (cipher, nonce) = self.setup(key, nonce)?;
        // `decrypt_in_place` itself rejects a buffer shorter than the tag.
        let mut buf = ciphertext.to_vec();
        match cipher.decrypt_in_place(&nonce, aad, &mut buf) {
            Ok(()) => Ok(buf),
            Err(_) => {
                // Wipe whatever the library may have written before the tag
                // check failed.
                buf.zeroize();
                Err(Error::DecryptionFailed)
            }
        }
    }
}
