//! `CipherState` and `SymmetricState` (Noise rev 34 §5.1, §5.2), over the
//! twofold-core [`Aead`] and [`Hash`] trait objects.
//!
//! Function names follow the spec: `initialize_key`, `encrypt_with_ad`,
//! `mix_hash`, `mix_key`, `mix_key_and_hash`, `encrypt_and_hash`,
//! `split`. HKDF is the spec's (§4.3), built on the hash's HMAC: it is not
//! RFC 5869 with a salt/info split, although the outputs coincide.
//!
//! Every change of `h`, `ck` and `k` is reported to the caller's observer,
//! with the name of the value mixed in as its input: `MixKey(ee)` reports
//! `k` and `ck` derived from the previous `ck` and `ee`.

use twofold_core::{Aead, Hash, Obs, SecretBytes};
use zeroize::Zeroize;

use super::labels::{CIPHER_KEY_LEN, CIPHER_NONCE_LEN, MAX_NONCE};
use crate::{HandshakeError, Result};

/// How a Noise cipher encodes the 64-bit counter into its 96-bit nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceEncoding {
    /// ChaChaPoly (rev 34 §12.3): 32 zero bits then the little-endian counter.
    ChaChaPoly,
    /// AESGCM (rev 34 §12.4): 32 zero bits then the big-endian counter.
    AesGcm,
}

impl NonceEncoding {
    /// The 12-byte nonce for counter `n`.
    pub fn nonce(self, n: u64) -> [u8; CIPHER_NONCE_LEN] {
        let mut out = [0u8; CIPHER_NONCE_LEN];
        match self {
            NonceEncoding::ChaChaPoly => out[4..].copy_from_slice(&n.to_le_bytes()),
            NonceEncoding::AesGcm => out[4..].copy_from_slice(&n.to_be_bytes()),
        }
        out
    }
}

/// A cipher key `k` (or none) and a nonce counter `n` (rev 34 §5.1).
pub struct CipherState {
    aead: &'static dyn Aead,
    encoding: NonceEncoding,
    k: Option<SecretBytes>,
    n: u64,
}

impl core::fmt::Debug for CipherState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CipherState")
            .field("aead", &self.aead.id())
            .field("has_key", &self.k.is_some())
            .field("n", &self.n)
            .finish()
    }
}

impl CipherState {
    /// An empty cipher state (`InitializeKey(empty)`). The AEAD must take a
    /// 32-byte key and a 12-byte nonce.
    pub fn new(aead: &'static dyn Aead, encoding: NonceEncoding) -> Result<Self> {
        if aead.key_len() != CIPHER_KEY_LEN || aead.nonce_len() != CIPHER_NONCE_LEN {
            return Err(HandshakeError::Misuse(
                "a Noise cipher needs a 32-byte key and a 12-byte nonce",
            ));
        }
        Ok(Self {
            aead,
            encoding,
            k: None,
            n: 0,
        })
    }

    /// `InitializeKey(key)`: sets `k` (32 bytes) and `n = 0`.
    pub fn initialize_key(&mut self, key: SecretBytes) -> Result<()> {
        twofold_core::check_len("Noise cipher key", key.expose(), CIPHER_KEY_LEN)?;
        self.k = Some(key);
        self.n = 0;
        Ok(())
    }

    /// `HasKey()`.
    pub fn has_key(&self) -> bool {
        self.k.is_some()
    }

    /// `SetNonce(nonce)`.
    pub fn set_nonce(&mut self, nonce: u64) {
        self.n = nonce;
    }

    /// The next nonce `n`.
    pub fn nonce(&self) -> u64 {
        self.n
    }

    /// The AEAD tag length (0 while there is no key).
    pub fn overhead(&self) -> usize {
        if self.k.is_some() {
            self.aead.tag_len()
        } else {
            0
        }
    }

    /// `EncryptWithAd(ad, plaintext)`: the plaintext itself while there is
    /// no key. Fails with [`HandshakeError::NonceExhausted`] at `n = 2^64-1`
    /// (reserved, rev 34 §5.1).
    pub fn encrypt_with_ad(&mut self, ad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
        let Some(k) = &self.k else {
            return Ok(plaintext.to_vec());
        };
        if self.n == MAX_NONCE {
            return Err(HandshakeError::NonceExhausted);
        }
        let c = self
            .aead
            .seal(k.expose(), &self.encoding.nonce(self.n), ad, plaintext)?;
        self.n += 1;
        Ok(c)
    }

    /// `DecryptWithAd(ad, ciphertext)`: on an authentication failure `n` is
    /// not incremented (rev 34 §5.1), so the state is unchanged.
    pub fn decrypt_with_ad(&mut self, ad: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>> {
        let Some(k) = &self.k else {
            return Ok(ciphertext.to_vec());
        };
        if self.n == MAX_NONCE {
            return Err(HandshakeError::NonceExhausted);
        }
        let p = self
            .aead
            .open(k.expose(), &self.encoding.nonce(self.n), ad, ciphertext)?;
        self.n += 1;
        Ok(p)
    }

    /// `Rekey()` (rev 34 §4.2, §5.1): `k = REKEY(k)` =
    /// the first 32 bytes of `ENCRYPT(k, maxnonce, zerolen, zeros)`, with
    /// 32 zero bytes of plaintext. `n` is unchanged.
    pub fn rekey(&mut self) -> Result<()> {
        let Some(k) = &self.k else {
            return Err(HandshakeError::Misuse(
                "rekey of a cipher state without a key",
            ));
        };
        let zeros = [0u8; CIPHER_KEY_LEN];
        let mut c = self
            .aead
            .seal(k.expose(), &self.encoding.nonce(MAX_NONCE), &[], &zeros)?;
        let new_k = SecretBytes::from_slice(c.get(..CIPHER_KEY_LEN).ok_or(
            HandshakeError::Primitive(twofold_core::Error::Backend("AEAD output too short")),
        )?);
        c.zeroize();
        self.k = Some(new_k);
        Ok(())
    }

    /// `k`, for [`super::HandshakeState::state_snapshot`].
    pub(crate) fn key(&self) -> Option<&[u8]> {
        self.k.as_ref().map(SecretBytes::expose)
    }

    /// An explicit copy (secrets included), for roll-back on failed steps.
    pub(crate) fn duplicate(&self) -> Self {
        Self {
            aead: self.aead,
            encoding: self.encoding,
            k: self.k.as_ref().map(SecretBytes::duplicate),
            n: self.n,
        }
    }
}

/// `HKDF(chaining_key, input_key_material, num_outputs)` (rev 34 §4.3) for
/// two or three outputs, each `HASHLEN` bytes.
pub fn hkdf(hash: &dyn Hash, ck: &[u8], ikm: &[u8], outputs: usize) -> Vec<SecretBytes> {
    let temp_key = hash.hmac(ck, &[ikm]);
    let mut out: Vec<SecretBytes> = Vec::with_capacity(outputs);
    for i in [1u8, 2, 3].into_iter().take(outputs) {
        let counter = [i];
        let next = match out.last() {
            None => hash.hmac(temp_key.expose(), &[&counter]),
            Some(prev) => hash.hmac(temp_key.expose(), &[prev.expose(), &counter]),
        };
        out.push(next);
    }
    out
}

/// `ck`, `h` and a [`CipherState`] (rev 34 §5.2).
pub struct SymmetricState {
    hash: &'static dyn Hash,
    ck: SecretBytes,
    h: Vec<u8>,
    cipher: CipherState,
}

impl core::fmt::Debug for SymmetricState {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SymmetricState")
            .field("hash", &self.hash.id())
            .field("cipher", &self.cipher)
            .finish_non_exhaustive()
    }
}

impl SymmetricState {
    /// `InitializeSymmetric(protocol_name)`: `h` = the name zero-padded to
    /// HASHLEN, or `HASH(name)` when longer; `ck = h`; empty cipher state.
    pub fn initialize(
        hash: &'static dyn Hash,
        cipher: CipherState,
        protocol_name: &[u8],
        o: &mut Obs<'_>,
    ) -> Self {
        let hash_len = hash.output_len();
        let h = if protocol_name.len() <= hash_len {
            let mut h = protocol_name.to_vec();
            h.resize(hash_len, 0);
            h
        } else {
            hash.hash(&[protocol_name])
        };
        if o.on() {
            o.public("protocol_name", protocol_name, "constant", &[]);
            o.public("h", &h, "InitializeSymmetric", &["protocol_name"]);
            o.secret("ck", &h, "InitializeSymmetric", &["h"]);
        }
        Self {
            hash,
            ck: SecretBytes::from_slice(&h),
            h,
            cipher,
        }
    }

    /// Truncates a HASHLEN output to the 32-byte cipher key (rev 34 §5.2:
    /// "if HASHLEN is 64, then truncates temp_k to 32 bytes").
    fn cipher_key(temp_k: SecretBytes) -> SecretBytes {
        if temp_k.len() == CIPHER_KEY_LEN {
            return temp_k;
        }
        // Both halves are SecretBytes and wiped when dropped.
        let (k, _rest) = temp_k.split_at(CIPHER_KEY_LEN);
        k
    }

    /// `MixKey(input_key_material)`; `name` names the input.
    pub fn mix_key(&mut self, ikm: &[u8], name: &str, o: &mut Obs<'_>) -> Result<()> {
        let mut out = hkdf(self.hash, self.ck.expose(), ikm, 2).into_iter();
        let (Some(ck), Some(temp_k)) = (out.next(), out.next()) else {
            return Err(HandshakeError::Misuse(
                "HKDF returned fewer outputs than asked",
            ));
        };
        let k = Self::cipher_key(temp_k);
        if o.on() {
            o.secret("k", k.expose(), "MixKey", &["ck", name]);
            o.secret("ck", ck.expose(), "MixKey", &["ck", name]);
        }
        self.ck = ck;
        self.cipher.initialize_key(k)
    }

    /// `MixHash(data)`: `h = HASH(h || data)`; `name` names the data.
    pub fn mix_hash(&mut self, data: &[u8], name: &str, o: &mut Obs<'_>) {
        self.h = self.hash.hash(&[&self.h, data]);
        o.public("h", &self.h, "MixHash", &["h", name]);
    }

    /// `MixKeyAndHash(input_key_material)` (used for `psk` and `skem`).
    pub fn mix_key_and_hash(&mut self, ikm: &[u8], name: &str, o: &mut Obs<'_>) -> Result<()> {
        let mut out = hkdf(self.hash, self.ck.expose(), ikm, 3).into_iter();
        let (Some(ck), Some(temp_h), Some(temp_k)) = (out.next(), out.next(), out.next()) else {
            return Err(HandshakeError::Misuse(
                "HKDF returned fewer outputs than asked",
            ));
        };
        let k = Self::cipher_key(temp_k);
        if o.on() {
            o.secret("temp_h", temp_h.expose(), "MixKeyAndHash", &["ck", name]);
            o.secret("k", k.expose(), "MixKeyAndHash", &["ck", name]);
        }
        self.mix_hash(temp_h.expose(), "temp_h", o);
        o.secret("ck", ck.expose(), "MixKeyAndHash", &["ck", name]);
        self.ck = ck;
        self.cipher.initialize_key(k)
    }

    /// `GetHandshakeHash()`.
    pub fn handshake_hash(&self) -> &[u8] {
        &self.h
    }

    /// The cipher state, for traces and overhead computations.
    pub fn cipher(&self) -> &CipherState {
        &self.cipher
    }

    /// `EncryptAndHash(plaintext)`; `name` names the plaintext, and the
    /// ciphertext is reported as `"<name> sealed"` (the plaintext itself
    /// while there is no key).
    pub fn encrypt_and_hash(
        &mut self,
        plaintext: &[u8],
        name: &str,
        o: &mut Obs<'_>,
    ) -> Result<Vec<u8>> {
        let c = self.cipher.encrypt_with_ad(&self.h, plaintext)?;
        if self.cipher.has_key() && o.on() {
            let sealed = format!("{name} sealed");
            o.public(&sealed, &c, self.cipher.aead.name(), &["k", "h", name]);
            self.mix_hash(&c, &sealed, o);
        } else {
            self.mix_hash(&c, name, o);
        }
        Ok(c)
    }

    /// `DecryptAndHash(ciphertext)`: the bytes of `token` read off the wire
    /// message `from` (reported as `"<token> sealed"` under a key), opened
    /// into the value this party calls `plain`.
    pub fn decrypt_and_hash(
        &mut self,
        ciphertext: &[u8],
        token: &str,
        plain: &str,
        from: &str,
        o: &mut Obs<'_>,
    ) -> Result<Vec<u8>> {
        let keyed = self.cipher.has_key();
        let p = self.cipher.decrypt_with_ad(&self.h, ciphertext)?;
        if keyed && o.on() {
            let sealed = format!("{token} sealed");
            o.public(&sealed, ciphertext, "read", &[from]);
            o.public(plain, &p, self.cipher.aead.name(), &["k", "h", &sealed]);
            self.mix_hash(ciphertext, &sealed, o);
        } else {
            o.public(plain, &p, "read", &[from]);
            self.mix_hash(ciphertext, plain, o);
        }
        Ok(p)
    }

    /// `Split()`: two cipher states keyed from `HKDF(ck, zerolen, 2)`, the
    /// first for initiator-to-responder traffic.
    pub fn split(&self, o: &mut Obs<'_>) -> Result<(CipherState, CipherState)> {
        let mut out = hkdf(self.hash, self.ck.expose(), &[], 2).into_iter();
        let (Some(k1), Some(k2)) = (out.next(), out.next()) else {
            return Err(HandshakeError::Misuse(
                "HKDF returned fewer outputs than asked",
            ));
        };
        let (k1, k2) = (Self::cipher_key(k1), Self::cipher_key(k2));
        if o.on() {
            o.secret("k1", k1.expose(), "Split", &["ck"]);
            o.secret("k2", k2.expose(), "Split", &["ck"]);
        }
        let mut c1 = CipherState::new(self.cipher.aead, self.cipher.encoding)?;
        let mut c2 = CipherState::new(self.cipher.aead, self.cipher.encoding)?;
        c1.initialize_key(k1)?;
        c2.initialize_key(k2)?;
        Ok((c1, c2))
    }

    /// A secret for use outside the handshake (a ratchet's root key):
    /// the first output of `HKDF(ck, label, 2)`, truncated to 32 bytes.
    /// Split uses `HKDF(ck, zerolen, 2)`; a non-empty label gives an
    /// independent output, so the transport keys are not revealed.
    pub fn export(&self, label: &[u8], name: &str, o: &mut Obs<'_>) -> Result<SecretBytes> {
        if label.is_empty() {
            return Err(HandshakeError::Misuse("an exported secret needs a label"));
        }
        let mut out = hkdf(self.hash, self.ck.expose(), label, 2).into_iter();
        let first = out.next().ok_or(HandshakeError::Misuse(
            "HKDF returned fewer outputs than asked",
        ))?;
        let key = Self::cipher_key(first);
        o.secret(name, key.expose(), "HKDF(ck, label)", &["ck"]);
        Ok(key)
    }

    /// `ck`, for [`super::HandshakeState::state_snapshot`].
    pub(crate) fn chaining_key(&self) -> &[u8] {
        self.ck.expose()
    }

    /// An explicit copy (secrets included), for roll-back on failed steps.
    pub(crate) fn duplicate(&self) -> Self {
        Self {
            hash: self.hash,
            ck: self.ck.duplicate(),
            h: self.h.clone(),
            cipher: self.cipher.duplicate(),
        }
    }
}
