//! DH-CKA: the Double Ratchet's DH ratchet as a continuous key agreement
//! (Double Ratchet §3.5; ACD19 §4.2), over any registry [`Dh`].
//!
//! The sender of a new epoch draws a ratchet key pair `DHs` and sends its
//! public key; the epoch key is `I = DH(DHs, DHr)` with the peer's latest
//! ratchet public key `DHr`. The receiver computes the same `I` from its own
//! `DHs` and the new `DHr`.
//!
//! Draws: `DHs coins` (the DH secret key, 32 bytes for X25519).

use twofold_core::{CryptoRng, Dh, Obs, SecretBytes};

use super::fields::{Reader, duplicate_pair, put_opt, put_pair};
use super::{Cka, CkaReceive, CkaSend, SendContext};
use crate::{RatchetError, Result};

/// The state of a DH-CKA party.
pub struct DhCka {
    dh: &'static dyn Dh,
    /// Our ratchet key pair `DHs` (secret, public).
    ours: Option<(SecretBytes, Vec<u8>)>,
    /// The peer's ratchet public key `DHr`.
    theirs: Option<Vec<u8>>,
}

impl DhCka {
    /// The party that sends first (Alice), knowing the peer's first ratchet
    /// public key (in Signal's sessions, Bob's signed prekey).
    pub fn initiator(dh: &'static dyn Dh, their_public: &[u8]) -> Result<Self> {
        twofold_core::check_len("DH ratchet public key", their_public, dh.sizes().pk)?;
        Ok(Self {
            dh,
            ours: None,
            theirs: Some(their_public.to_vec()),
        })
    }

    /// The party that receives first (Bob), with the key pair whose public
    /// key the initiator holds.
    pub fn responder(dh: &'static dyn Dh, secret: SecretBytes) -> Result<Self> {
        let public = dh.public_key(secret.expose())?;
        Ok(Self {
            dh,
            ours: Some((secret, public)),
            theirs: None,
        })
    }

    /// Our current ratchet public key, if any.
    pub fn our_public(&self) -> Option<&[u8]> {
        self.ours.as_ref().map(|(_, p)| p.as_slice())
    }

    /// The peer's current ratchet public key, if any.
    pub fn their_public(&self) -> Option<&[u8]> {
        self.theirs.as_deref()
    }

    /// Reads a state written by [`Cka::to_bytes`].
    pub fn from_bytes(dh: &'static dyn Dh, bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        let ours = r.pair("DH-CKA state")?;
        let theirs = r.opt("DH-CKA state")?.map(<[u8]>::to_vec);
        r.finish("DH-CKA state")?;
        Ok(Self { dh, ours, theirs })
    }
}

impl Cka for DhCka {
    fn name(&self) -> String {
        format!("DH({})", self.dh.name())
    }

    fn epoch_id<'m>(&self, message: &'m [u8]) -> Result<&'m [u8]> {
        twofold_core::check_len("DH ratchet public key", message, self.dh.sizes().pk)?;
        Ok(message)
    }

    fn send(
        &self,
        _ctx: &SendContext,
        rng: &mut dyn CryptoRng,
        o: &mut Obs<'_>,
    ) -> Result<CkaSend> {
        let theirs = self
            .theirs
            .as_ref()
            .ok_or(RatchetError::Misuse("no peer ratchet key to send to yet"))?;
        let (pk, sk) = self.dh.generate(&mut o.rng(rng, "DHs coins"))?;
        let key = self.dh.dh(sk.expose(), theirs)?;
        if o.on() {
            o.secret("DHs secret", sk.expose(), "keygen", &["DHs coins"]);
            o.public("DHs", &pk, self.dh.name(), &["DHs secret"]);
            o.secret("I", key.expose(), self.dh.name(), &["DHs secret", "DHr"]);
        }
        Ok(CkaSend {
            state: Box::new(Self {
                dh: self.dh,
                ours: Some((sk, pk.clone())),
                theirs: Some(theirs.clone()),
            }),
            message: pk,
            key,
            post_quantum: false,
        })
    }

    fn receive(&self, message: &[u8], o: &mut Obs<'_>) -> Result<CkaReceive> {
        self.epoch_id(message)?;
        let (sk, pk) = self
            .ours
            .as_ref()
            .ok_or(RatchetError::Misuse("no ratchet key to receive with"))?;
        o.public("DHr", message, "read", &["message"]);
        let key = self.dh.dh(sk.expose(), message)?;
        o.secret("I", key.expose(), self.dh.name(), &["DHs secret", "DHr"]);
        Ok(CkaReceive {
            state: Box::new(Self {
                dh: self.dh,
                ours: Some((sk.duplicate(), pk.clone())),
                theirs: Some(message.to_vec()),
            }),
            key,
            post_quantum: false,
        })
    }

    fn duplicate(&self) -> Box<dyn Cka> {
        Box::new(Self {
            dh: self.dh,
            ours: duplicate_pair(self.ours.as_ref()),
            theirs: self.theirs.clone(),
        })
    }

    fn to_bytes(&self) -> SecretBytes {
        let mut out = Vec::new();
        put_pair(&mut out, self.ours.as_ref());
        put_opt(&mut out, self.theirs.as_deref());
        SecretBytes::new(out)
    }
}
