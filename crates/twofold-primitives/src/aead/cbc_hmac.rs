//! AES-256-CBC (PKCS#7) + HMAC-SHA256 truncated to 8 bytes, the message-body
//! protection of libsignal's `SignalMessage`, as an [`Aead`].
//!
//! Built on the RustCrypto `aes`, `cbc`, `hmac` and `sha2` crates (backend
//! `twofold`: the composition is ours).
//!
//! # Layout
//!
//! * key (64 bytes) = `cipher_key (32) || mac_key (32)`, the first 64 bytes of
//!   libsignal's `WhisperMessageKeys` HKDF output (`rust/protocol/src/ratchet/keys.rs`);
//! * nonce (16 bytes) = the CBC IV, bytes 64..80 of that output;
//! * ciphertext = `c || t` with `c = AES-256-CBC-PKCS#7(cipher_key, iv,
//!   plaintext)` and `t` = the first 8 bytes of
//!   `HMAC-SHA256(mac_key, aad || c)`.
//!
//! `open` recomputes the tag and compares it in constant time *before* it
//! decrypts anything, so a forged ciphertext never reaches the padding check
//! (no padding oracle); a bad padding under a valid tag (only the holder of
//! `mac_key` can produce one) is the same opaque
//! [`Error::DecryptionFailed`].
//!
//! # Relation to libsignal's `SignalMessage` MAC
//!
//! libsignal computes `MAC = HMAC-SHA256(mac_key, IK_sender (33 B, 0x05 || pk)
//! || IK_receiver (33 B) || version_byte || protobuf(SignalMessage))[0..8]`
//! and sends `version_byte || protobuf || MAC` (`SignalMessage::compute_mac`
//! in `rust/protocol/src/protocol.rs`). The truncation to 8 bytes (`MAC_LENGTH = 8`, 64 bits of
//! tag) is libsignal's and is kept as is: a single forgery attempt succeeds
//! with probability 2^-64, against 2^-128 for the 16-byte-tag AEADs.
//!
//! The protobuf embeds the CBC ciphertext as field 4, so libsignal's MAC input
//! equals this AEAD's `aad || c` exactly when `aad = IK_sender || IK_receiver
//! || version_byte || (protobuf bytes before the ciphertext)` and no field
//! follows the ciphertext. Fields 5 (the SPQR message) and 6 (addresses) do
//! follow it in current libsignal messages, so a byte-exact `signal` profile
//! has to MAC the serialized message itself (the SHA-256 [`Hash`]'s `hmac`,
//! truncated to [`TAG_LEN`]) and encrypt the body with
//! [`aes_256_cbc_encrypt`] / [`aes_256_cbc_decrypt`]: the same keys, the same
//! IV and the same 8-byte truncation as this AEAD, with the MAC input framed
//! the libsignal way.
//!
//! [`Hash`]: twofold_core::Hash

use aes::Aes256;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use twofold_core::{Aead, AlgorithmId, Cipher, Error, Result, check_len};
use zeroize::Zeroize;

/// Length of `cipher_key || mac_key`.
pub const KEY_LEN: usize = 64;
/// Length of the AES-256 key (the first half of the AEAD key).
pub const CIPHER_KEY_LEN: usize = 32;
/// Length of the CBC IV (the AEAD nonce).
pub const IV_LEN: usize = 16;
/// Length of the truncated HMAC-SHA256 tag, libsignal's `MAC_LENGTH`.
pub const TAG_LEN: usize = 8;
/// AES block length.
const BLOCK_LEN: usize = 16;

/// AES-256-CBC-PKCS#7 then HMAC-SHA256 truncated to 8 bytes (libsignal's
/// message-body protection); see the module documentation.
#[derive(Debug)]
pub struct Aes256CbcHmacSha256;

/// The registry instance.
pub static AES_256_CBC_HMAC_SHA256: Aes256CbcHmacSha256 = Aes256CbcHmacSha256;

/// Length of the PKCS#7-padded CBC ciphertext of `len` plaintext bytes: one
/// to sixteen bytes of padding, so always at least one block.
fn padded_len(len: usize) -> usize {
    (len / BLOCK_LEN)
        .saturating_add(1)
        .saturating_mul(BLOCK_LEN)
}

/// AES-256-CBC with PKCS#7 padding, unauthenticated.
///
/// This is the `signal_crypto::aes_256_cbc_encrypt` step on its own, for
/// callers that authenticate the ciphertext themselves (a `signal` profile
/// MACs the whole serialized `SignalMessage`). Prefer the
/// [`Aead`] implementation wherever its `aad || c` MAC input fits.
pub fn aes_256_cbc_encrypt(cipher_key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    aes_256_cbc_encrypt_with_room(cipher_key, iv, plaintext, 0)
}

/// As [`aes_256_cbc_encrypt`], reserving `extra` bytes of capacity after the
/// ciphertext so that appending a tag does not reallocate.
fn aes_256_cbc_encrypt_with_room(
    cipher_key: &[u8],
    iv: &[u8],
    plaintext: &[u8],
    extra: usize,
) -> Result<Vec<u8>> {
    check_len("AES-256-CBC key", cipher_key, CIPHER_KEY_LEN)?;
    check_len("AES-256-CBC IV", iv, IV_LEN)?;
    // Lengths checked above: a refusal would be an internal failure.
    let enc = cbc::Encryptor::<Aes256>::new_from_slices(cipher_key, iv)
        .map_err(|_| Error::Backend("AES-256-CBC key setup"))?;
    let ct_len = padded_len(plaintext.len());
    let mut buf = Vec::with_capacity(ct_len.saturating_add(extra));
    buf.extend_from_slice(plaintext);
    buf.resize(ct_len, 0);
    // Encryption happens in place, so the plaintext copy in `buf` is
    // overwritten by the ciphertext.
    match enc.encrypt_padded::<Pkcs7>(&mut buf, plaintext.len()) {
        Ok(ct) if ct.len() == ct_len => Ok(buf),
        _ => {
            // The buffer is exactly the padded length, so this is unreachable;
            // wipe the plaintext copy and report rather than panic.
            buf.zeroize();
            Err(Error::Backend("AES-256-CBC padding"))
        }
    }
}

/// AES-256-CBC decryption and PKCS#7 unpadding, unauthenticated.
///
/// Call it only on a ciphertext whose MAC has already been verified: on its
/// own it is a padding oracle. Fails with [`Error::DecryptionFailed`] when
/// the ciphertext is empty, not a whole number of blocks, or badly padded.
pub fn aes_256_cbc_decrypt(cipher_key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>> {
    check_len("AES-256-CBC key", cipher_key, CIPHER_KEY_LEN)?;
    check_len("AES-256-CBC IV", iv, IV_LEN)?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(BLOCK_LEN) {
        return Err(Error::DecryptionFailed);
    }
    let dec = cbc::Decryptor::<Aes256>::new_from_slices(cipher_key, iv)
        .map_err(|_| Error::Backend("AES-256-CBC key setup"))?;
    let mut buf = ciphertext.to_vec();
    let plaintext_len = match dec.decrypt_padded::<Pkcs7>(&mut buf) {
        Ok(plaintext) => plaintext.len(),
        Err(_) => {
            // The buffer now holds the decrypted (badly padded) blocks.
            buf.zeroize();
            return Err(Error::DecryptionFailed);
        }
    };
    buf.truncate(plaintext_len);
    Ok(buf)
}

/// The first [`TAG_LEN`] bytes of `HMAC-SHA256(mac_key, aad || body)`.
fn truncated_mac(mac_key: &[u8], aad: &[u8], body: &[u8]) -> Result<[u8; TAG_LEN]> {
    // HMAC accepts keys of every length, so this cannot fail; no panic all
    // the same.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(mac_key)
        .map_err(|_| Error::Backend("HMAC-SHA256 key setup"))?;
    mac.update(aad);
    mac.update(body);
    let mut full = mac.finalize().into_bytes();
    let mut tag = [0u8; TAG_LEN];
    tag.copy_from_slice(&full[..TAG_LEN]);
    // The untransmitted 24 bytes are never needed again.
    full.as_mut_slice().zeroize();
    Ok(tag)
}

/// Splits the 64-byte AEAD key into `(cipher_key, mac_key)`.
fn split_key(key: &[u8]) -> Result<(&[u8], &[u8])> {
    check_len(
        "AES-256-CBC-HMAC-SHA256 key (cipher_key || mac_key)",
        key,
        KEY_LEN,
    )?;
    Ok(key.split_at(CIPHER_KEY_LEN))
}

impl AlgorithmId for Aes256CbcHmacSha256 {
    fn name(&self) -> &'static str {
        "AES-256-CBC-HMAC-SHA256"
    }
    fn backend(&self) -> &'static str {
        "twofold"
    }
}

impl Aead for Aes256CbcHmacSha256 {
    fn key_len(&self) -> usize {
        KEY_LEN
    }
    fn nonce_len(&self) -> usize {
        IV_LEN
    }
    fn tag_len(&self) -> usize {
        TAG_LEN
    }

    fn seal(&self, key: &[u8], nonce: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let (cipher_key, mac_key) = split_key(key)?;
        check_len("AES-256-CBC-HMAC-SHA256 IV", nonce, IV_LEN)?;
        let mut out = aes_256_cbc_encrypt_with_room(cipher_key, nonce, plaintext, TAG_LEN)?;
        let tag = truncated_mac(mac_key, aad, &out)?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    fn open(&self, key: &[u8], nonce: &[u8], aad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>> {
        let (cipher_key, mac_key) = split_key(key)?;
        check_len("AES-256-CBC-HMAC-SHA256 IV", nonce, IV_LEN)?;
        // A ciphertext shorter than the tag is a truncation: opaque failure.
        let body_len = ciphertext
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(Error::DecryptionFailed)?;
        let (body, tag) = ciphertext.split_at(body_len);
        // Authenticate first, in constant time; nothing is decrypted under a
        // forged tag.
        let expected = truncated_mac(mac_key, aad, body)?;
        if !bool::from(expected.as_slice().ct_eq(tag)) {
            return Err(Error::DecryptionFailed);
        }
        aes_256_cbc_decrypt(cipher_key, nonce, body)
    }

    fn ciphertext_len(&self, len: usize) -> usize {
        padded_len(len).saturating_add(TAG_LEN)
    }
}

/// AES-256-CBC with PKCS#7 padding as a [`Cipher`]: the body encryption of
/// libsignal's `SignalMessage`, whose MAC covers the whole serialized message.
#[derive(Debug)]
pub struct Aes256Cbc;

/// The registry instance.
pub static AES_256_CBC: Aes256Cbc = Aes256Cbc;

impl AlgorithmId for Aes256Cbc {
    fn name(&self) -> &'static str {
        "AES-256-CBC"
    }
    fn backend(&self) -> &'static str {
        "rustcrypto"
    }
}

impl Cipher for Aes256Cbc {
    fn key_len(&self) -> usize {
        CIPHER_KEY_LEN
    }
    fn iv_len(&self) -> usize {
        IV_LEN
    }
    fn encrypt(&self, key: &[u8], iv: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        aes_256_cbc_encrypt(key, iv, plaintext)
    }
    fn decrypt(&self, key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>> {
        aes_256_cbc_decrypt(key, iv, ciphertext)
    }
    fn ciphertext_len(&self, len: usize) -> usize {
        padded_len(len)
    }
}
