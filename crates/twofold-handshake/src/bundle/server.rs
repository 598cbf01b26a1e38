//! The in-memory prekey directory.

use std::collections::{BTreeMap, VecDeque};

use super::{KemPrekey, KemPrekeyKind, OneTimePrekey, PrekeyBundle, PublishedBundle, SignedPrekey};
use crate::{HandshakeError, Result};

struct Entry {
    identity_key: Vec<u8>,
    signed_prekey: SignedPrekey,
    one_time: VecDeque<OneTimePrekey>,
    last_resort_kem: Option<SignedPrekey>,
    kem_one_time: VecDeque<SignedPrekey>,
}

/// A server that stores published bundles by address and hands each
/// one-time prekey (curve and KEM) out exactly once, oldest first.
///
/// When the one-time curve prekeys run out the bundle has no `OPK_B`; when
/// the one-time KEM prekeys run out it carries the last-resort KEM prekey
/// (PQXDH §3.2). The server checks nothing: Alice verifies signatures.
#[derive(Default)]
pub struct PrekeyServer {
    users: BTreeMap<String, Entry>,
}

impl core::fmt::Debug for PrekeyServer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrekeyServer")
            .field("addresses", &self.users.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl PrekeyServer {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores (or replaces) the bundle published under `address`.
    pub fn publish(&mut self, address: &str, bundle: PublishedBundle) {
        self.users.insert(
            address.to_string(),
            Entry {
                identity_key: bundle.identity_key,
                signed_prekey: bundle.signed_prekey,
                one_time: bundle.one_time_prekeys.into(),
                last_resort_kem: bundle.last_resort_kem_prekey,
                kem_one_time: bundle.one_time_kem_prekeys.into(),
            },
        );
    }

    fn entry(&mut self, address: &str) -> Result<&mut Entry> {
        self.users
            .get_mut(address)
            .ok_or(HandshakeError::MissingKey(
                "no bundle published for this address",
            ))
    }

    /// Adds one-time curve prekeys to a published bundle.
    pub fn upload_one_time_prekeys(
        &mut self,
        address: &str,
        keys: Vec<OneTimePrekey>,
    ) -> Result<()> {
        self.entry(address)?.one_time.extend(keys);
        Ok(())
    }

    /// Adds signed one-time KEM prekeys to a published bundle.
    pub fn upload_one_time_kem_prekeys(
        &mut self,
        address: &str,
        keys: Vec<SignedPrekey>,
    ) -> Result<()> {
        self.entry(address)?.kem_one_time.extend(keys);
        Ok(())
    }

    /// The bundle for one handshake with `address`; removes the one-time
    /// prekeys it hands out.
    pub fn fetch(&mut self, address: &str) -> Result<PrekeyBundle> {
        let e = self.entry(address)?;
        let one_time_prekey = e.one_time.pop_front();
        let kem_prekey = match e.kem_one_time.pop_front() {
            Some(key) => Some(KemPrekey {
                kind: KemPrekeyKind::OneTime,
                key,
            }),
            None => e.last_resort_kem.clone().map(|key| KemPrekey {
                kind: KemPrekeyKind::LastResort,
                key,
            }),
        };
        Ok(PrekeyBundle {
            identity_key: e.identity_key.clone(),
            signed_prekey: e.signed_prekey.clone(),
            one_time_prekey,
            kem_prekey,
        })
    }

    /// One-time curve prekeys left for `address` (0 if unknown).
    pub fn one_time_prekeys_left(&self, address: &str) -> usize {
        self.users.get(address).map_or(0, |e| e.one_time.len())
    }

    /// One-time KEM prekeys left for `address` (0 if unknown).
    pub fn one_time_kem_prekeys_left(&self, address: &str) -> usize {
        self.users.get(address).map_or(0, |e| e.kem_one_time.len())
    }
}
