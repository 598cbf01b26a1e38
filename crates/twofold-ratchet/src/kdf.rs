//! The three KDFs of the Double Ratchet (specification §2.2-§2.4, §5.2):
//!
//! * the root KDF, ACD19's PRF-PRNG: `RK', CK = HKDF(salt = RK, ikm = I,
//!   info, 64)` where `I` is the epoch key a continuous key agreement gave
//!   (a DH output, a KEM shared secret, or both); with header encryption a
//!   third output, the next header key;
//! * the chain KDF: `seed = HMAC(CK, 0x01)`, `CK' = HMAC(CK, 0x02)`;
//! * the message keys: `HKDF(salt, ikm = seed, info, L)`, where libsignal's
//!   Triple Ratchet puts the SPQR message key in the salt.
//!
//! Every output is reported to the observer with its inputs.

use twofold_core::{Hash, Kdf, Obs, Secret, SecretBytes};

use crate::labels;
use crate::{RatchetError, Result};

/// A 32-byte key (root, chain, header keys and message-key seeds).
pub type Key = Secret<32>;

/// The KDFs of one profile.
#[derive(Clone, Copy)]
pub struct Kdfs {
    /// HKDF of the root KDF and the message keys.
    pub kdf: &'static dyn Kdf,
    /// HMAC of the chain KDF.
    pub hmac: &'static dyn Hash,
    /// Info of the root KDF.
    pub root_info: &'static [u8],
    /// Info of the message keys.
    pub message_info: &'static [u8],
}

impl core::fmt::Debug for Kdfs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Kdfs")
            .field("kdf", &self.kdf.id())
            .field("hmac", &self.hmac.id())
            .finish_non_exhaustive()
    }
}

fn key(what: &'static str, bytes: &[u8]) -> Result<Key> {
    Key::from_slice(bytes).map_err(|_| RatchetError::InvalidLength {
        what,
        expected: 32,
        actual: bytes.len(),
    })
}

impl Kdfs {
    /// `KDF_RK(rk, ikm)` = `(RK', CK)`, reported as `RK` and `<chain>`.
    pub fn root(&self, rk: &Key, ikm: &[u8], chain: &str, o: &mut Obs<'_>) -> Result<(Key, Key)> {
        let out = self.kdf.derive(rk.expose(), ikm, self.root_info, 64)?;
        let b = out.expose();
        if b.len() != 64 {
            return Err(RatchetError::Misuse("root KDF output of the wrong length"));
        }
        let (rk2, ck) = (key("root key", &b[..32])?, key("chain key", &b[32..])?);
        if o.on() {
            o.secret(chain, ck.expose(), self.kdf.name(), &["RK", "I"]);
            o.secret("RK", rk2.expose(), self.kdf.name(), &["RK", "I"]);
        }
        Ok((rk2, ck))
    }

    /// `KDF_RK_HE(rk, ikm)` = `(RK', CK, NHK)` (§4.2), with its own info.
    pub fn root_he(
        &self,
        rk: &Key,
        ikm: &[u8],
        chain: &str,
        o: &mut Obs<'_>,
    ) -> Result<(Key, Key, Key)> {
        let out = self
            .kdf
            .derive(rk.expose(), ikm, labels::ROOT_INFO_HE, 96)?;
        let b = out.expose();
        if b.len() != 96 {
            return Err(RatchetError::Misuse("root KDF output of the wrong length"));
        }
        let rk2 = key("root key", &b[..32])?;
        let ck = key("chain key", &b[32..64])?;
        let nhk = key("header key", &b[64..])?;
        if o.on() {
            o.secret(chain, ck.expose(), self.kdf.name(), &["RK", "I"]);
            o.secret("NHK", nhk.expose(), self.kdf.name(), &["RK", "I"]);
            o.secret("RK", rk2.expose(), self.kdf.name(), &["RK", "I"]);
        }
        Ok((rk2, ck, nhk))
    }

    /// `KDF_CK(ck)` = `(seed, CK')`; `chain` names the chain in reports
    /// (`CKs`, `CKr`).
    pub fn chain(&self, ck: &Key, chain: &str, o: &mut Obs<'_>) -> Result<(Key, Key)> {
        let seed = self.hmac.hmac(ck.expose(), &[&labels::MESSAGE_KEY_SEED]);
        let next = self.hmac.hmac(ck.expose(), &[&labels::CHAIN_KEY_SEED]);
        let (seed, next) = (
            key("message key seed", seed.expose())?,
            key("chain key", next.expose())?,
        );
        if o.on() {
            o.secret("MK seed", seed.expose(), "HMAC(CK, 0x01)", &[chain]);
            o.secret(chain, next.expose(), "HMAC(CK, 0x02)", &[chain]);
        }
        Ok((seed, next))
    }

    /// `HKDF(salt, ikm = seed, info, len)`: the keys of one message. No salt
    /// means `HashLen` zero bytes (RFC 5869 §2.2), as libsignal's `None`.
    pub fn message_keys(
        &self,
        seed: &Key,
        salt: Option<&Key>,
        len: usize,
        o: &mut Obs<'_>,
    ) -> Result<SecretBytes> {
        // An empty salt is HashLen zero bytes in every twofold KDF.
        let salt_bytes: &[u8] = salt.map_or(&[], |s| s.expose());
        let keys = self
            .kdf
            .derive(salt_bytes, seed.expose(), self.message_info, len)?;
        if keys.len() != len {
            return Err(RatchetError::Misuse(
                "message-key output of the wrong length",
            ));
        }
        if o.on() {
            let inputs: &[&str] = if salt.is_some() {
                &["MK seed", "SPQR key"]
            } else {
                &["MK seed"]
            };
            o.secret("MK", keys.expose(), self.kdf.name(), inputs);
        }
        Ok(keys)
    }
}
