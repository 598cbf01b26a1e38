//! Bob's private prekey store.

use std::collections::BTreeMap;

use twofold_core::{CryptoRng, SecretBytes};

use super::{
    BundleParams, IdentityKeyPair, KemPrekeyKind, OneTimePrekey, PublishedBundle, SignedPrekey,
};
use crate::{HandshakeError, Result};

/// One key pair and, for signed prekeys, its signature.
pub(crate) struct KeyRecord {
    pub(crate) public: Vec<u8>,
    pub(crate) secret: SecretBytes,
    pub(crate) signature: Vec<u8>,
}

/// Bob's side: his identity, his prekeys' secrets, and which one-time keys
/// are still unused.
///
/// A one-time prekey (curve or KEM) is removed, and its secret wiped, when a
/// handshake that used it is accepted; a second initial message naming it
/// fails with [`HandshakeError::PrekeyUnavailable`]. Signed prekeys and
/// last-resort KEM prekeys stay until [`Self::remove_signed_prekey`] /
/// [`Self::remove_last_resort_kem_prekey`].
///
/// Identifiers are assigned by the store, counting from 1, in separate
/// spaces for signed prekeys, one-time curve prekeys and KEM prekeys (one
/// space for one-time and last-resort KEM keys, since the initial message
/// names either with the same field). Keys made elsewhere (a deployment's,
/// with its own identifiers, e.g. signed prekey 22, one-time prekey 11, KEM
/// prekey 33) are added with the `import_*` methods; generated identifiers
/// then skip the imported ones.
pub struct PrekeyStore {
    params: BundleParams,
    identity: IdentityKeyPair,
    signed: BTreeMap<u32, KeyRecord>,
    current_signed: Option<u32>,
    next_signed_id: u32,
    one_time: BTreeMap<u32, KeyRecord>,
    next_one_time_id: u32,
    kem_last_resort: BTreeMap<u32, KeyRecord>,
    current_last_resort: Option<u32>,
    kem_one_time: BTreeMap<u32, KeyRecord>,
    next_kem_id: u32,
}

impl core::fmt::Debug for PrekeyStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrekeyStore")
            .field("params", &self.params)
            .field("identity", &self.identity)
            .field("signed", &self.signed.keys().collect::<Vec<_>>())
            .field("one_time", &self.one_time.len())
            .field(
                "kem_last_resort",
                &self.kem_last_resort.keys().collect::<Vec<_>>(),
            )
            .field("kem_one_time", &self.kem_one_time.len())
            .finish()
    }
}

/// The next identifier of a space that `taken` does not already use.
fn next_id(counter: &mut u32, taken: impl Fn(u32) -> bool) -> Result<u32> {
    loop {
        let id = *counter;
        *counter = counter
            .checked_add(1)
            .ok_or(HandshakeError::Misuse("prekey identifiers exhausted"))?;
        if !taken(id) {
            return Ok(id);
        }
    }
}

fn in_use(kind: &'static str) -> HandshakeError {
    HandshakeError::PrekeyInUse { kind }
}

impl PrekeyStore {
    /// An empty store for `identity` under `params` (take them from
    /// [`crate::prekey::PrekeyHandshake::bundle_params`] of an X3DH or PQXDH suite).
    pub fn new(params: BundleParams, identity: IdentityKeyPair) -> Result<Self> {
        params.check_ec("identity key", identity.public_key())?;
        Ok(Self {
            params,
            identity,
            signed: BTreeMap::new(),
            current_signed: None,
            next_signed_id: 1,
            one_time: BTreeMap::new(),
            next_one_time_id: 1,
            kem_last_resort: BTreeMap::new(),
            current_last_resort: None,
            kem_one_time: BTreeMap::new(),
            next_kem_id: 1,
        })
    }

    /// The parameters the keys are made with.
    pub fn params(&self) -> &BundleParams {
        &self.params
    }

    /// Bob's identity key pair.
    pub fn identity(&self) -> &IdentityKeyPair {
        &self.identity
    }

    fn signed_curve_key(&self, rng: &mut dyn CryptoRng) -> Result<KeyRecord> {
        let (public, secret) = self.params.dh.generate(rng)?;
        let msg = self.params.encode_ec(&public);
        let signature =
            self.params
                .signature
                .sign(self.identity.secret_key().expose(), &msg, rng)?;
        Ok(KeyRecord {
            public,
            secret,
            signature,
        })
    }

    fn signed_kem_key(&self, rng: &mut dyn CryptoRng) -> Result<KeyRecord> {
        let kem = self
            .params
            .kem
            .ok_or(HandshakeError::Misuse("this profile has no KEM prekeys"))?;
        let (public, secret) = kem.generate(rng)?;
        let msg = self.params.encode_kem(&public)?;
        let signature =
            self.params
                .signature
                .sign(self.identity.secret_key().expose(), &msg, rng)?;
        Ok(KeyRecord {
            public,
            secret,
            signature,
        })
    }

    /// Makes a new signed prekey, which becomes the one published; older
    /// signed prekeys stay usable until removed. Draws the key, then the
    /// signature's coins, from `rng`.
    pub fn generate_signed_prekey(&mut self, rng: &mut dyn CryptoRng) -> Result<u32> {
        let record = self.signed_curve_key(rng)?;
        let signed = &self.signed;
        let id = next_id(&mut self.next_signed_id, |i| signed.contains_key(&i))?;
        self.signed.insert(id, record);
        self.current_signed = Some(id);
        Ok(id)
    }

    /// Makes `count` one-time curve prekeys; returns their identifiers.
    pub fn generate_one_time_prekeys(
        &mut self,
        count: usize,
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u32>> {
        let mut ids = Vec::with_capacity(count);
        for _ in 0..count {
            let (public, secret) = self.params.dh.generate(rng)?;
            let one_time = &self.one_time;
            let id = next_id(&mut self.next_one_time_id, |i| one_time.contains_key(&i))?;
            self.one_time.insert(
                id,
                KeyRecord {
                    public,
                    secret,
                    signature: Vec::new(),
                },
            );
            ids.push(id);
        }
        Ok(ids)
    }

    /// Makes a new signed last-resort KEM prekey, which becomes the one
    /// published. Draws the key, then the signature's coins, from `rng`.
    pub fn generate_last_resort_kem_prekey(&mut self, rng: &mut dyn CryptoRng) -> Result<u32> {
        let record = self.signed_kem_key(rng)?;
        let id = self.next_kem_id()?;
        self.kem_last_resort.insert(id, record);
        self.current_last_resort = Some(id);
        Ok(id)
    }

    /// Makes `count` signed one-time KEM prekeys; returns their identifiers.
    pub fn generate_one_time_kem_prekeys(
        &mut self,
        count: usize,
        rng: &mut dyn CryptoRng,
    ) -> Result<Vec<u32>> {
        let mut ids = Vec::with_capacity(count);
        for _ in 0..count {
            let record = self.signed_kem_key(rng)?;
            let id = self.next_kem_id()?;
            self.kem_one_time.insert(id, record);
            ids.push(id);
        }
        Ok(ids)
    }

    fn next_kem_id(&mut self) -> Result<u32> {
        let (lr, ot) = (&self.kem_last_resort, &self.kem_one_time);
        next_id(&mut self.next_kem_id, |i| {
            lr.contains_key(&i) || ot.contains_key(&i)
        })
    }

    /// Checks `signature` over `message` by the identity key.
    fn check_signature(&self, what: &'static str, message: &[u8], signature: &[u8]) -> Result<()> {
        self.params
            .signature
            .verify(self.identity.public_key(), message, signature)
            .map_err(|_| HandshakeError::BadSignature(what))
    }

    /// Adds a signed prekey made elsewhere, under the owner's identifier:
    /// its secret key (the curve's raw form) and the identity key's
    /// signature over `EncodeEC(SPK)`, which is checked. It becomes the
    /// published signed prekey. An identifier already in use is refused.
    pub fn import_signed_prekey(
        &mut self,
        id: u32,
        secret: SecretBytes,
        signature: &[u8],
    ) -> Result<()> {
        if self.signed.contains_key(&id) {
            return Err(in_use("signed"));
        }
        let public = self.params.dh.public_key(secret.expose())?;
        self.params.check_ec("signed prekey", &public)?;
        self.check_signature("signed prekey", &self.params.encode_ec(&public), signature)?;
        self.signed.insert(
            id,
            KeyRecord {
                public,
                secret,
                signature: signature.to_vec(),
            },
        );
        self.current_signed = Some(id);
        Ok(())
    }

    /// Adds a one-time curve prekey made elsewhere, under the owner's
    /// identifier. An identifier already in use is refused.
    pub fn import_one_time_prekey(&mut self, id: u32, secret: SecretBytes) -> Result<()> {
        if self.one_time.contains_key(&id) {
            return Err(in_use("one-time"));
        }
        let public = self.params.dh.public_key(secret.expose())?;
        self.params.check_ec("one-time prekey", &public)?;
        self.one_time.insert(
            id,
            KeyRecord {
                public,
                secret,
                signature: Vec::new(),
            },
        );
        Ok(())
    }

    /// Adds a signed KEM prekey made elsewhere (PQXDH), under the owner's
    /// identifier: the raw public key, the secret key in the backend's
    /// stored form (see [`BundleParams::decode_kem_secret_key`] for the
    /// type-prefixed form libsignal serializes) and the identity key's
    /// signature over `EncodeKEM(PQPK)`, which is checked, as is the secret
    /// key ([`twofold_core::Kem::check_secret_key`]). A last-resort key
    /// becomes the published one. An identifier already in use by either
    /// kind of KEM prekey is refused.
    pub fn import_kem_prekey(
        &mut self,
        kind: KemPrekeyKind,
        id: u32,
        public: &[u8],
        secret: SecretBytes,
        signature: &[u8],
    ) -> Result<()> {
        let kem = self
            .params
            .kem
            .ok_or(HandshakeError::Misuse("this profile has no KEM prekeys"))?;
        if self.kem_last_resort.contains_key(&id) || self.kem_one_time.contains_key(&id) {
            return Err(in_use("KEM"));
        }
        self.params.check_kem_pk(public)?;
        kem.check_secret_key(secret.expose())?;
        self.check_signature("KEM prekey", &self.params.encode_kem(public)?, signature)?;
        let record = KeyRecord {
            public: public.to_vec(),
            secret,
            signature: signature.to_vec(),
        };
        match kind {
            KemPrekeyKind::OneTime => {
                self.kem_one_time.insert(id, record);
            }
            KemPrekeyKind::LastResort => {
                self.kem_last_resort.insert(id, record);
                self.current_last_resort = Some(id);
            }
        }
        Ok(())
    }

    /// Forgets a signed prekey (rotation); its secret is wiped.
    pub fn remove_signed_prekey(&mut self, id: u32) -> Result<()> {
        self.signed
            .remove(&id)
            .map(drop)
            .ok_or(HandshakeError::PrekeyUnavailable { kind: "signed", id })?;
        if self.current_signed == Some(id) {
            self.current_signed = None;
        }
        Ok(())
    }

    /// Forgets a last-resort KEM prekey (rotation); its secret is wiped.
    pub fn remove_last_resort_kem_prekey(&mut self, id: u32) -> Result<()> {
        self.kem_last_resort
            .remove(&id)
            .map(drop)
            .ok_or(HandshakeError::PrekeyUnavailable {
                kind: "last-resort KEM",
                id,
            })?;
        if self.current_last_resort == Some(id) {
            self.current_last_resort = None;
        }
        Ok(())
    }

    /// Number of unused one-time curve prekeys.
    pub fn one_time_prekeys_left(&self) -> usize {
        self.one_time.len()
    }

    /// Number of unused one-time KEM prekeys.
    pub fn one_time_kem_prekeys_left(&self) -> usize {
        self.kem_one_time.len()
    }

    /// The public bundle to upload: identity key, the current signed prekey,
    /// every unused one-time prekey and, when the profile has KEM prekeys,
    /// the current last-resort KEM prekey and every unused one-time KEM
    /// prekey.
    pub fn published_bundle(&self) -> Result<PublishedBundle> {
        let spk_id = self.current_signed.ok_or(HandshakeError::MissingKey(
            "signed prekey (generate one first)",
        ))?;
        let spk = self
            .signed
            .get(&spk_id)
            .ok_or(HandshakeError::MissingKey("signed prekey"))?;
        let last_resort_kem_prekey = if self.params.kem.is_some() {
            let id = self.current_last_resort.ok_or(HandshakeError::MissingKey(
                "last-resort KEM prekey (generate one first)",
            ))?;
            let r = self
                .kem_last_resort
                .get(&id)
                .ok_or(HandshakeError::MissingKey("last-resort KEM prekey"))?;
            Some(signed(id, r))
        } else {
            None
        };
        Ok(PublishedBundle {
            identity_key: self.identity.public_key().to_vec(),
            signed_prekey: signed(spk_id, spk),
            one_time_prekeys: self
                .one_time
                .iter()
                .map(|(&id, r)| OneTimePrekey {
                    id,
                    public_key: r.public.clone(),
                })
                .collect(),
            last_resort_kem_prekey,
            one_time_kem_prekeys: self
                .kem_one_time
                .iter()
                .map(|(&id, r)| signed(id, r))
                .collect(),
        })
    }

    // -- used by the responder ------------------------------------------

    pub(crate) fn signed_prekey(&self, id: u32) -> Result<&KeyRecord> {
        self.signed
            .get(&id)
            .ok_or(HandshakeError::PrekeyUnavailable { kind: "signed", id })
    }

    pub(crate) fn one_time_prekey(&self, id: u32) -> Result<&KeyRecord> {
        self.one_time
            .get(&id)
            .ok_or(HandshakeError::PrekeyUnavailable {
                kind: "one-time curve",
                id,
            })
    }

    /// The KEM prekey `id` and whether it is a one-time key. An identifier
    /// that is not a last-resort key is reported as a one-time KEM prekey
    /// (used or never issued: the store keeps no list of used ones).
    pub(crate) fn kem_prekey(&self, id: u32) -> Result<(&KeyRecord, bool)> {
        if let Some(r) = self.kem_last_resort.get(&id) {
            return Ok((r, false));
        }
        self.kem_one_time
            .get(&id)
            .map(|r| (r, true))
            .ok_or(HandshakeError::PrekeyUnavailable {
                kind: "one-time KEM",
                id,
            })
    }

    /// Removes (and wipes) the one-time keys an accepted handshake used
    /// ([`crate::prekey::Accepted::one_time_prekeys`]). The spec profile's
    /// `accept` does it itself; in the signal profile the caller does it when
    /// the first ratchet message decrypts, as libsignal does. Keys already
    /// gone are ignored.
    pub fn consume(&mut self, used: &crate::prekey::OneTimePrekeys) {
        if let Some(id) = used.curve {
            self.one_time.remove(&id);
        }
        if let Some(id) = used.kem {
            self.kem_one_time.remove(&id);
        }
    }

    /// A copy of the secret key of signed prekey `id` (the signal profile's
    /// first ratchet key of the responder).
    pub fn signed_prekey_secret(&self, id: u32) -> Result<SecretBytes> {
        Ok(self.signed_prekey(id)?.secret.duplicate())
    }
}

fn signed(id: u32, r: &KeyRecord) -> SignedPrekey {
    SignedPrekey {
        id,
        public_key: r.public.clone(),
        signature: r.signature.clone(),
    }
}
