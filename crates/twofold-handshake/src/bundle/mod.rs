//! Prekey bundles (X3DH §3.2, PQXDH §3.2): what Bob publishes, what the
//! server hands out, and what Alice checks before using it.
//!
//! * [`IdentityKeyPair`]: a curve key pair (X25519) used both for
//!   Diffie-Hellman and, through XEdDSA, for signing prekeys.
//! * [`BundleParams`]: the primitives and the `EncodeEC` / `EncodeKEM` type
//!   bytes of one profile; every signature is made over these encodings.
//! * [`PrekeyStore`] (Bob's private side) and
//!   [`PrekeyServer`] (the in-memory directory).
//!
//! Public keys cross as raw bytes in the primitive's own encoding (X25519:
//! the 32-byte `u`); the one-byte type prefix is added exactly where the
//! protocol signs or sends a key.
//!
//! Type bytes:
//!
//! | profile | curve key (`EncodeEC`) | KEM key / ciphertext (`EncodeKEM`) |
//! |---|---|---|
//! | `signal` | `0x05` X25519 | `0x08` Kyber1024 (round 3) |
//! | `spec` (twofold's choice) | `0x11` X25519 | see [`crate::labels::SPEC_KEM_TYPES`] |

mod server;
mod store;

pub use server::PrekeyServer;
pub use store::PrekeyStore;

use twofold_core::{CryptoRng, Dh, Error, Kem, SecretBytes, Signature, check_len};

use crate::{HandshakeError, Result};

/// A long-term identity: a curve key pair that can also sign with XEdDSA.
pub struct IdentityKeyPair {
    public: Vec<u8>,
    secret: SecretBytes,
}

impl IdentityKeyPair {
    /// A fresh identity key pair drawn from `rng` (`dh.sizes().sk` bytes).
    pub fn generate(dh: &dyn Dh, rng: &mut dyn CryptoRng) -> Result<Self> {
        let (public, secret) = dh.generate(rng)?;
        Ok(Self { public, secret })
    }

    /// The key pair of an existing secret key.
    pub fn from_secret(dh: &dyn Dh, secret: SecretBytes) -> Result<Self> {
        let public = dh.public_key(secret.expose())?;
        Ok(Self { public, secret })
    }

    /// The public key (raw, e.g. the 32-byte X25519 `u`).
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// The secret key.
    pub fn secret_key(&self) -> &SecretBytes {
        &self.secret
    }

    /// An explicit copy (the secret is duplicated visibly, never `Clone`d).
    pub fn duplicate(&self) -> Self {
        Self {
            public: self.public.clone(),
            secret: self.secret.duplicate(),
        }
    }
}

impl core::fmt::Debug for IdentityKeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IdentityKeyPair")
            .field("public", &Hex(&self.public))
            .field("secret", &self.secret)
            .finish()
    }
}

/// Hex for `Debug` output of public values.
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl core::fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The one-byte type prefixes of one profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyEncoding {
    /// `EncodeEC` prefix of curve public keys.
    pub ec_type: u8,
    /// `EncodeKEM` prefix of KEM public keys and ciphertexts (PQXDH only).
    pub kem_type: Option<u8>,
}

/// The primitives a bundle is made with, and its encodings.
#[derive(Clone, Copy)]
pub struct BundleParams {
    /// The curve (X25519).
    pub dh: &'static dyn Dh,
    /// The signature over prekeys (XEdDSA or XEdDSA-signal).
    pub signature: &'static dyn Signature,
    /// The KEM of the KEM prekeys (PQXDH only).
    pub kem: Option<&'static dyn Kem>,
    /// The type bytes.
    pub encoding: KeyEncoding,
}

impl core::fmt::Debug for BundleParams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BundleParams")
            .field("dh", &self.dh.id())
            .field("signature", &self.signature.id())
            .field("kem", &self.kem.map(|k| k.id()))
            .field("encoding", &self.encoding)
            .finish()
    }
}

/// `p = 2^255 - 19`, little-endian.
const P25519_LE: [u8; 32] = {
    let mut p = [0xFFu8; 32];
    p[0] = 0xED;
    p[31] = 0x7F;
    p
};

/// Whether a 32-byte X25519 `u` is the canonical encoding of a field
/// element: top bit clear and `u < p`. X25519 ignores the top bit and
/// reduces `u` mod `p`, so a non-canonical `u` gives the same shared secret
/// as its canonical form; accepting it would let a peer change the wire
/// bytes (and the AD) without changing the DH outputs. libsignal rejects a
/// non-canonical base key the same way (`pqxdh_accept` in
/// `rust/protocol/src/pqxdh.rs`). Public data:
/// variable time is fine.
pub(crate) fn x25519_is_canonical(u: &[u8]) -> bool {
    if u.len() != 32 {
        return false;
    }
    for i in (0..32).rev() {
        if u[i] != P25519_LE[i] {
            return u[i] < P25519_LE[i];
        }
    }
    false
}

impl BundleParams {
    /// Checks a raw curve public key: its length and, for X25519, that it
    /// is canonical. Low-order keys are caught by [`Dh::dh`] when used.
    pub fn check_ec(&self, what: &'static str, pk: &[u8]) -> Result<()> {
        check_len(what, pk, self.dh.sizes().pk)?;
        if self.dh.name() == "X25519" && !x25519_is_canonical(pk) {
            return Err(Error::InvalidEncoding("non-canonical X25519 public key").into());
        }
        Ok(())
    }

    /// `EncodeEC(pk)` = type byte || raw key.
    pub fn encode_ec(&self, pk: &[u8]) -> Vec<u8> {
        prefixed(self.encoding.ec_type, pk)
    }

    /// Inverse of [`Self::encode_ec`], with [`Self::check_ec`] on the key.
    pub fn decode_ec(&self, what: &'static str, bytes: &[u8]) -> Result<Vec<u8>> {
        check_len(what, bytes, 1 + self.dh.sizes().pk)?;
        if bytes[0] != self.encoding.ec_type {
            return Err(HandshakeError::Malformed("curve key type byte"));
        }
        self.check_ec(what, &bytes[1..])?;
        Ok(bytes[1..].to_vec())
    }

    fn kem_parts(&self) -> Result<(&'static dyn Kem, u8)> {
        match (self.kem, self.encoding.kem_type) {
            (Some(k), Some(t)) => Ok((k, t)),
            _ => Err(HandshakeError::Misuse("this profile has no KEM prekeys")),
        }
    }

    /// Checks the length of a raw KEM public key.
    pub fn check_kem_pk(&self, pk: &[u8]) -> Result<()> {
        let (kem, _) = self.kem_parts()?;
        check_len("KEM public key", pk, kem.sizes().pk)?;
        Ok(())
    }

    /// `EncodeKEM(pk)` = type byte || the KEM's own public-key encoding.
    pub fn encode_kem(&self, pk: &[u8]) -> Result<Vec<u8>> {
        let (_, t) = self.kem_parts()?;
        Ok(prefixed(t, pk))
    }

    /// A KEM ciphertext on the wire: type byte || ciphertext (as libsignal
    /// serializes ciphertexts; the spec profile does the same).
    pub fn encode_kem_ct(&self, ct: &[u8]) -> Result<Vec<u8>> {
        let (_, t) = self.kem_parts()?;
        Ok(prefixed(t, ct))
    }

    /// Inverse of [`Self::encode_kem_ct`]; a wrong size is
    /// [`Error::InvalidLength`] naming the KEM ciphertext.
    pub fn decode_kem_ct(&self, bytes: &[u8]) -> Result<Vec<u8>> {
        let (kem, t) = self.kem_parts()?;
        check_len("KEM ciphertext (with type byte)", bytes, 1 + kem.sizes().ct)?;
        if bytes[0] != t {
            return Err(HandshakeError::Malformed("KEM ciphertext type byte"));
        }
        Ok(bytes[1..].to_vec())
    }

    /// `type byte || secret key`: how libsignal serializes a KEM secret key
    /// (`kem::SecretKey::serialize`, `0x08 ||` the round-3 Kyber-1024 secret
    /// key in the signal profile); the spec profile uses its own type bytes.
    pub fn encode_kem_secret_key(&self, sk: &SecretBytes) -> Result<SecretBytes> {
        let (kem, t) = self.kem_parts()?;
        check_len("KEM secret key", sk.expose(), kem.sizes().sk)?;
        let mut out = SecretBytes::zeroed(1 + sk.len());
        out.expose_mut()[0] = t;
        out.expose_mut()[1..].copy_from_slice(sk.expose());
        Ok(out)
    }

    /// Inverse of [`Self::encode_kem_secret_key`].
    pub fn decode_kem_secret_key(&self, bytes: &[u8]) -> Result<SecretBytes> {
        let (kem, t) = self.kem_parts()?;
        check_len("KEM secret key (with type byte)", bytes, 1 + kem.sizes().sk)?;
        if bytes[0] != t {
            return Err(HandshakeError::Malformed("KEM secret key type byte"));
        }
        Ok(SecretBytes::from_slice(&bytes[1..]))
    }

    /// Inverse of [`Self::encode_kem`]: the raw public key of `EncodeKEM(pk)`.
    pub fn decode_kem(&self, bytes: &[u8]) -> Result<Vec<u8>> {
        let (kem, t) = self.kem_parts()?;
        check_len("KEM public key (with type byte)", bytes, 1 + kem.sizes().pk)?;
        if bytes[0] != t {
            return Err(HandshakeError::Malformed("KEM public key type byte"));
        }
        Ok(bytes[1..].to_vec())
    }

    /// Whether `other` makes and reads the same keys (same algorithms and
    /// type bytes; backends may differ since encodings are standard).
    pub fn compatible(&self, other: &BundleParams) -> bool {
        self.dh.name() == other.dh.name()
            && self.signature.name() == other.signature.name()
            && self.kem.map(|k| k.name()) == other.kem.map(|k| k.name())
            && self.encoding == other.encoding
    }
}

fn prefixed(t: u8, key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + key.len());
    out.push(t);
    out.extend_from_slice(key);
    out
}

/// A signed prekey (curve or KEM): identifier, raw public key and the
/// signature by the identity key over its type-prefixed encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPrekey {
    /// Identifier chosen by the owner.
    pub id: u32,
    /// Raw public key.
    pub public_key: Vec<u8>,
    /// `Sig(IK, EncodeEC(pk))` or `Sig(IK, EncodeKEM(pk))`.
    pub signature: Vec<u8>,
}

/// An unsigned one-time curve prekey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneTimePrekey {
    /// Identifier chosen by the owner.
    pub id: u32,
    /// Raw public key.
    pub public_key: Vec<u8>,
}

/// Whether a KEM prekey handed out is one-time or the last-resort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KemPrekeyKind {
    /// A signed one-time KEM prekey (`PQOPK`), handed out once.
    OneTime,
    /// The signed last-resort KEM prekey (`PQSPK`), handed out when no
    /// one-time KEM prekey is left.
    LastResort,
}

/// A KEM prekey as fetched by Alice (`PQPK_B`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KemPrekey {
    /// One-time or last resort.
    pub kind: KemPrekeyKind,
    /// The signed key.
    pub key: SignedPrekey,
}

/// Everything Bob uploads to the server (all public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedBundle {
    /// `IK_B` (raw).
    pub identity_key: Vec<u8>,
    /// `SPK_B` and its signature.
    pub signed_prekey: SignedPrekey,
    /// `OPK_B1..n`.
    pub one_time_prekeys: Vec<OneTimePrekey>,
    /// `PQSPK_B` and its signature (PQXDH).
    pub last_resort_kem_prekey: Option<SignedPrekey>,
    /// `PQOPK_B1..n` and their signatures (PQXDH).
    pub one_time_kem_prekeys: Vec<SignedPrekey>,
}

/// What the server hands Alice for one handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrekeyBundle {
    /// `IK_B` (raw).
    pub identity_key: Vec<u8>,
    /// `SPK_B` and its signature.
    pub signed_prekey: SignedPrekey,
    /// `OPK_B`, if one was left.
    pub one_time_prekey: Option<OneTimePrekey>,
    /// `PQPK_B` (PQXDH): a one-time KEM prekey if one was left, else the
    /// last-resort one.
    pub kem_prekey: Option<KemPrekey>,
}

/// A bundle whose keys and signatures Alice has checked.
pub(crate) struct VerifiedBundle {
    pub(crate) identity_key: Vec<u8>,
    pub(crate) signed_prekey_id: u32,
    pub(crate) signed_prekey: Vec<u8>,
    pub(crate) one_time_prekey: Option<(u32, Vec<u8>)>,
    pub(crate) kem_prekey: Option<(u32, Vec<u8>)>,
}

impl PrekeyBundle {
    /// Alice's checks before any use (X3DH §3.3, PQXDH §3.3): every curve
    /// key well formed, `Sig(IK_B, EncodeEC(SPK_B))` valid and, when
    /// `needs_kem`, `Sig(IK_B, EncodeKEM(PQPK_B))` valid. Nothing secret is
    /// touched and no randomness drawn before these pass.
    pub(crate) fn verify(&self, params: &BundleParams, needs_kem: bool) -> Result<VerifiedBundle> {
        params.check_ec("identity key IK_B", &self.identity_key)?;
        params.check_ec("signed prekey SPK_B", &self.signed_prekey.public_key)?;
        if let Some(opk) = &self.one_time_prekey {
            params.check_ec("one-time prekey OPK_B", &opk.public_key)?;
        }
        let spk_msg = params.encode_ec(&self.signed_prekey.public_key);
        params
            .signature
            .verify(&self.identity_key, &spk_msg, &self.signed_prekey.signature)
            .map_err(|_| HandshakeError::BadSignature("signed prekey"))?;

        let kem_prekey = if needs_kem {
            let k = self
                .kem_prekey
                .as_ref()
                .ok_or(HandshakeError::MissingKey("KEM prekey PQPK_B"))?;
            params.check_kem_pk(&k.key.public_key)?;
            let msg = params.encode_kem(&k.key.public_key)?;
            params
                .signature
                .verify(&self.identity_key, &msg, &k.key.signature)
                .map_err(|_| HandshakeError::BadSignature("KEM prekey"))?;
            Some((k.key.id, k.key.public_key.clone()))
        } else {
            None
        };

        Ok(VerifiedBundle {
            identity_key: self.identity_key.clone(),
            signed_prekey_id: self.signed_prekey.id,
            signed_prekey: self.signed_prekey.public_key.clone(),
            one_time_prekey: self
                .one_time_prekey
                .as_ref()
                .map(|o| (o.id, o.public_key.clone())),
            kem_prekey,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_x25519() {
        let mut u = [0u8; 32];
        assert!(x25519_is_canonical(&u));
        // p - 1 is canonical, p and p + 1 are not, nor anything with the top bit.
        u = P25519_LE;
        u[0] = 0xEC;
        assert!(x25519_is_canonical(&u));
        u[0] = 0xED;
        assert!(!x25519_is_canonical(&u));
        u[0] = 0xEE;
        assert!(!x25519_is_canonical(&u));
        let mut v = [0u8; 32];
        v[31] = 0x80;
        assert!(!x25519_is_canonical(&v));
        assert!(!x25519_is_canonical(&v[..31]));
    }
}
