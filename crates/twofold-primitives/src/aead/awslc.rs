//! ChaCha20-Poly1305 (RFC 8439) and AES-256-GCM (NIST SP 800-38D) from
//! aws-lc-rs.
//!
//! aws-lc-rs wants a [`Nonce`] it may assume unique for the key; twofold's
//! [`Aead`] takes the nonce from the caller (Noise and the ratchets derive
//! it from a counter), so this wrapper uses [`LessSafeKey`], the aws-lc-rs
//! type for caller-managed nonces. Uniqueness stays the caller's duty, as
//! with every other backend.

use aws_lc_rs::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use twofold_core::{Aead, AlgorithmId, Error, Result, check_len};
use zeroize::Zeroize;

/// An AEAD from aws-lc-rs.
pub struct AwsLcAead {
    name: &'static str,
    key_what: &'static str,
    nonce_what: &'static str,
    algorithm: &'static aead::Algorithm,
}

impl std::fmt::Debug for AwsLcAead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AwsLcAead({})", self.name)
    }
}

/// ChaCha20-Poly1305 (RFC 8439) from aws-lc-rs.
pub static CHACHA20_POLY1305: AwsLcAead = AwsLcAead {
    name: "ChaCha20-Poly1305",
    key_what: "ChaCha20-Poly1305 key",
    nonce_what: "ChaCha20-Poly1305 nonce",
    algorithm: &aead::CHACHA20_POLY1305,
};

/// AES-256-GCM with a 96-bit nonce and a 128-bit tag from aws-lc-rs.
pub static AES_256_GCM: AwsLcAead = AwsLcAead {
    name: "AES-256-GCM",
    key_what: "AES-256-GCM key",
    nonce_what: "AES-256-GCM nonce",
    algorithm: &aead::AES_256_GCM,
};

impl AwsLcAead {
    /// Checks the lengths and builds the keyed cipher and the nonce. The key
    /// schedule lives in an AWS-LC allocation (`EVP_AEAD_CTX`), which
    /// `OPENSSL_free` cleanses when the key drops.
    fn setup(&self, key: &[u8], nonce: &[u8]) -> Result<(LessSafeKey, Nonce)> {
        check_len(self.key_what, key, self.algorithm.key_len())?;
        check_len(self.nonce_what, nonce, self.algorithm.nonce_len())?;
        // Both lengths were checked just above; a refusal here would be an
        // internal AWS-LC failure.
        let key = UnboundKey::new(self.algorithm, key).map_err(|_| Error::Backend(self.name))?;
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| Error::Backend(self.name))?;
        Ok((LessSafeKey::new(key), nonce))
    }
}

impl AlgorithmId for AwsLcAead {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        "aws-lc"
    }
}

impl Aead for AwsLcAead {
    fn key_len(&self) -> usize {
        self.algorithm.key_len()
    }
    fn nonce_len(&self) -> usize {
        self.algorithm.nonce_len()
    }
    fn tag_len(&self) -> usize {
        self.algorithm.tag_len()
    }

    fn seal(&self, key: &[u8], nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let (key, nonce) = self.setup(key, nonce)?;
        // Room for the tag up front: appending it never moves the buffer.
        let mut buf = Vec::with_capacity(plaintext.len() + self.tag_len());
        buf.extend_from_slice(plaintext);
        match key.seal_in_place_append_tag(nonce, Aad::from(aad), &mut buf) {
            Ok(()) => Ok(buf),
            Err(_) => {
                buf.zeroize();
                // AWS-LC only refuses inputs beyond the algorithm's length
                // limits.
                Err(Error::Misuse(
                    "plaintext or associated data too long for the AEAD",
                ))
            }
        }
    }

    fn open(&self, key: &[u8], nonce: &[u8], aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>> {
        let (key, nonce) = self.setup(key, nonce)?;
        // `open_in_place` itself rejects an input shorter than the tag.
        let mut buf = ciphertext.to_vec();
        let plaintext_len = match key.open_in_place(nonce, Aad::from(aad), &mut buf) {
            Ok(plaintext) => plaintext.len(),
            Err(_) => {
                // aws-lc-rs documents that the buffer may have been
                // overwritten in an unspecified way on failure.
                buf.zeroize();
                return Err(Error::DecryptionFailed);
            }
        };
        // The plaintext is the prefix of the buffer; drop the tag.
        buf.truncate(plaintext_len);
        Ok(buf)
    }
}
