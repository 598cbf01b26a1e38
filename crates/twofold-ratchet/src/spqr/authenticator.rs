//! The SPQR authenticator: the MAC key schedule over ML-KEM headers and
//! ciphertexts (`spqr` v1.5.3 `src/authenticator.rs`).
//!
//! ```text
//! new(auth_key, ep):  root_key = 0^32; update(ep, auth_key)
//! update(ep, k):      root_key || mac_key = HKDF-SHA256(salt = 0^32, ikm = root_key || k,
//!                         info = "Signal_PQCKA_V1_MLKEM768:Authenticator Update" || BE64(ep), 64)
//! mac_hdr(ep, hdr):   HMAC-SHA256(mac_key, "Signal_PQCKA_V1_MLKEM768:ekheader" || BE64(ep) || hdr)
//! mac_ct(ep, ct):     HMAC-SHA256(mac_key, "Signal_PQCKA_V1_MLKEM768:ciphertext" || BE64(ep) || ct1 || ct2)
//! ```
//!
//! A session starts it with the PQXDH-derived SPQR auth key at epoch 1 and
//! updates it with each new epoch secret, so every MAC is keyed by the whole
//! history of the session.

use std::fmt;

use subtle::ConstantTimeEq;
use twofold_core::{Hash, Kdf, Secret, SecretBytes};

use super::Okm;
use super::labels::{AUTHENTICATOR_UPDATE, CIPHERTEXT, EK_HEADER, KEY_LEN, MAC_LEN};
use crate::{RatchetError, Result};

/// The authenticator's state: a root key and the current MAC key.
pub struct Authenticator {
    kdf: &'static dyn Kdf,
    hmac: &'static dyn Hash,
    root_key: Secret<KEY_LEN>,
    mac_key: Secret<KEY_LEN>,
}

impl Authenticator {
    /// `new(auth_key, epoch)`: a zero root key updated with `auth_key` at
    /// `epoch` (SPQR starts at epoch 1). `kdf` is HKDF-SHA256 and `hmac`
    /// SHA-256 (for its HMAC), as the deployment uses; any hash with a
    /// 32-byte output is accepted.
    pub fn new(
        kdf: &'static dyn Kdf,
        hmac: &'static dyn Hash,
        auth_key: &Secret<KEY_LEN>,
        epoch: u64,
    ) -> Result<Self> {
        let mut a = Self::from_keys(
            kdf,
            hmac,
            Secret::new([0u8; KEY_LEN]),
            Secret::new([0u8; KEY_LEN]),
        )?;
        a.update(epoch, auth_key)?;
        Ok(a)
    }

    /// Rebuilds an authenticator from its two keys (for deserialization).
    pub fn from_keys(
        kdf: &'static dyn Kdf,
        hmac: &'static dyn Hash,
        root_key: Secret<KEY_LEN>,
        mac_key: Secret<KEY_LEN>,
    ) -> Result<Self> {
        if hmac.output_len() != MAC_LEN {
            return Err(RatchetError::Misuse(
                "the SPQR authenticator needs a hash with a 32-byte output",
            ));
        }
        Ok(Self {
            kdf,
            hmac,
            root_key,
            mac_key,
        })
    }

    /// `update(epoch, key)`: mixes an epoch secret into the root key and
    /// derives the next MAC key. On error the state is unchanged.
    pub fn update(&mut self, epoch: u64, key: &Secret<KEY_LEN>) -> Result<()> {
        let mut ikm = SecretBytes::zeroed(2 * KEY_LEN);
        ikm.expose_mut()[..KEY_LEN].copy_from_slice(self.root_key.expose());
        ikm.expose_mut()[KEY_LEN..].copy_from_slice(key.expose());
        let info = [AUTHENTICATOR_UPDATE, &epoch.to_be_bytes()].concat();
        let okm = Okm::derive(self.kdf, &[0u8; KEY_LEN], ikm.expose(), &info, 2)?;
        self.root_key = okm.block(0);
        self.mac_key = okm.block(1);
        Ok(())
    }

    /// The header MAC: `HMAC(mac_key, ekheader label || BE64(epoch) || hdr)`.
    pub fn mac_hdr(&self, epoch: u64, hdr: &[u8]) -> Result<[u8; MAC_LEN]> {
        self.mac(EK_HEADER, epoch, hdr)
    }

    /// The ciphertext MAC over `ct = ct1 || ct2`.
    pub fn mac_ct(&self, epoch: u64, ct: &[u8]) -> Result<[u8; MAC_LEN]> {
        self.mac(CIPHERTEXT, epoch, ct)
    }

    /// Checks a header MAC in constant time; [`RatchetError::BadMac`] if it
    /// differs (or has the wrong length).
    pub fn verify_hdr(&self, epoch: u64, hdr: &[u8], mac: &[u8]) -> Result<()> {
        verify(&self.mac_hdr(epoch, hdr)?, mac, "SPQR header")
    }

    /// Checks a ciphertext MAC in constant time; [`RatchetError::BadMac`] if
    /// it differs (or has the wrong length).
    pub fn verify_ct(&self, epoch: u64, ct: &[u8], mac: &[u8]) -> Result<()> {
        verify(&self.mac_ct(epoch, ct)?, mac, "SPQR ciphertext")
    }

    /// The root key (for serialization).
    pub fn root_key(&self) -> &Secret<KEY_LEN> {
        &self.root_key
    }

    /// The current MAC key (for serialization).
    pub fn mac_key(&self) -> &Secret<KEY_LEN> {
        &self.mac_key
    }

    fn mac(&self, label: &[u8], epoch: u64, data: &[u8]) -> Result<[u8; MAC_LEN]> {
        let tag = self
            .hmac
            .hmac(self.mac_key.expose(), &[label, &epoch.to_be_bytes(), data]);
        // Checked again (not only at construction) so that a backend that
        // breaks its own `output_len` fails instead of yielding a fixed MAC.
        twofold_core::check_len("HMAC output", tag.expose(), MAC_LEN)?;
        let mut out = [0u8; MAC_LEN];
        out.copy_from_slice(tag.expose());
        Ok(out)
    }
}

fn verify(expected: &[u8; MAC_LEN], given: &[u8], what: &'static str) -> Result<()> {
    // `ct_eq` on slices of different lengths is false without looking at
    // the contents; the length of a MAC is public.
    if bool::from(expected.as_slice().ct_eq(given)) {
        Ok(())
    } else {
        Err(RatchetError::BadMac(what))
    }
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("kdf", &self.kdf.id())
            .field("hmac", &self.hmac.id())
            .field("root_key", &self.root_key)
            .field("mac_key", &self.mac_key)
            .finish()
    }
}
