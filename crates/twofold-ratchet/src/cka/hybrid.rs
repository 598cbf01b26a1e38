//! Hybrid CKA: a DH step on every turn and a KEM step when a
//! [`RekeyPolicy`] says so, both secrets of the epoch into the root KDF
//! (`I = I_dh || I_kem`), so an epoch key stays secret while either problem
//! is hard. Apple's iMessage PQ3 ratchet has this shape: ECDH (P-256) on
//! every turn, Kyber-768 periodically (Apple's security research blog,
//! 2024-02-21; Stebila, "Security analysis of the iMessage PQ3 protocol").
//! This is that shape, not Apple's wire format, which is not published.
//!
//! A KEM step encapsulates to the peer's latest KEM public key (when there
//! is one) and always sends a fresh public key of its own, which the peer's
//! next KEM step encapsulates to.
//!
//! Message: `DHs || flags || [CT] || [KEMs]` (flags: bit 0 `CT`, bit 1
//! `KEMs`). Draws: `DHs coins`, then `CT coins`, then `KEMs coins`.

use twofold_core::{CryptoRng, Dh, Kem, Obs, SecretBytes};

use super::fields::{Reader, duplicate_pair, put_opt, put_pair};
use super::kem::kem_send;
use super::{Cka, CkaReceive, CkaSend, RekeyPolicy, SendContext};
use crate::{RatchetError, Result};

const FLAG_CT: u8 = 1;
const FLAG_PK: u8 = 2;

/// The state of a hybrid CKA party.
pub struct HybridCka {
    dh: &'static dyn Dh,
    kem: &'static dyn Kem,
    policy: RekeyPolicy,
    dh_ours: Option<(SecretBytes, Vec<u8>)>,
    dh_theirs: Option<Vec<u8>>,
    kem_ours: Option<(SecretBytes, Vec<u8>)>,
    kem_theirs: Option<Vec<u8>>,
    /// Message count and time of our last KEM step.
    last_rekey: (u64, u64),
}

struct Parsed<'m> {
    dh: &'m [u8],
    ct: Option<&'m [u8]>,
    pk: Option<&'m [u8]>,
}

impl HybridCka {
    /// The party that sends first, knowing the peer's first DH ratchet key
    /// (and, if the set-up gave one, the peer's first KEM public key).
    pub fn initiator(
        dh: &'static dyn Dh,
        kem: &'static dyn Kem,
        policy: RekeyPolicy,
        their_dh: &[u8],
        their_kem: Option<&[u8]>,
    ) -> Result<Self> {
        twofold_core::check_len("DH ratchet public key", their_dh, dh.sizes().pk)?;
        if let Some(k) = their_kem {
            twofold_core::check_len("KEM ratchet public key", k, kem.sizes().pk)?;
        }
        Ok(Self {
            dh,
            kem,
            policy,
            dh_ours: None,
            dh_theirs: Some(their_dh.to_vec()),
            kem_ours: None,
            kem_theirs: their_kem.map(<[u8]>::to_vec),
            last_rekey: (0, 0),
        })
    }

    /// The party that receives first, with its DH ratchet key pair.
    pub fn responder(
        dh: &'static dyn Dh,
        kem: &'static dyn Kem,
        policy: RekeyPolicy,
        dh_secret: SecretBytes,
    ) -> Result<Self> {
        let public = dh.public_key(dh_secret.expose())?;
        Ok(Self {
            dh,
            kem,
            policy,
            dh_ours: Some((dh_secret, public)),
            dh_theirs: None,
            kem_ours: None,
            kem_theirs: None,
            last_rekey: (0, 0),
        })
    }

    /// The rekey policy.
    pub fn policy(&self) -> RekeyPolicy {
        self.policy
    }

    fn parse<'m>(&self, message: &'m [u8]) -> Result<Parsed<'m>> {
        let mut r = Reader::new(message);
        let dh = r.take(self.dh.sizes().pk, "hybrid CKA message")?;
        let flags = r.byte("hybrid CKA message")?;
        if flags & !(FLAG_CT | FLAG_PK) != 0 {
            return Err(RatchetError::Malformed("hybrid CKA message flags"));
        }
        let s = self.kem.sizes();
        let ct = if flags & FLAG_CT != 0 {
            Some(r.take(s.ct, "hybrid CKA ciphertext")?)
        } else {
            None
        };
        let pk = if flags & FLAG_PK != 0 {
            Some(r.take(s.pk, "hybrid CKA KEM public key")?)
        } else {
            None
        };
        r.finish("hybrid CKA message")?;
        Ok(Parsed { dh, ct, pk })
    }

    fn copy(&self) -> Self {
        Self {
            dh: self.dh,
            kem: self.kem,
            policy: self.policy,
            dh_ours: duplicate_pair(self.dh_ours.as_ref()),
            dh_theirs: self.dh_theirs.clone(),
            kem_ours: duplicate_pair(self.kem_ours.as_ref()),
            kem_theirs: self.kem_theirs.clone(),
            last_rekey: self.last_rekey,
        }
    }

    /// Reads a state written by [`Cka::to_bytes`].
    pub fn from_bytes(
        dh: &'static dyn Dh,
        kem: &'static dyn Kem,
        policy: RekeyPolicy,
        bytes: &[u8],
    ) -> Result<Self> {
        let mut r = Reader::new(bytes);
        let dh_ours = r.pair("hybrid CKA state")?;
        let dh_theirs = r.opt("hybrid CKA state")?.map(<[u8]>::to_vec);
        let kem_ours = r.pair("hybrid CKA state")?;
        let kem_theirs = r.opt("hybrid CKA state")?.map(<[u8]>::to_vec);
        let last_rekey = (r.u64("hybrid CKA state")?, r.u64("hybrid CKA state")?);
        r.finish("hybrid CKA state")?;
        Ok(Self {
            dh,
            kem,
            policy,
            dh_ours,
            dh_theirs,
            kem_ours,
            kem_theirs,
            last_rekey,
        })
    }
}

fn concat(a: &SecretBytes, b: &SecretBytes) -> SecretBytes {
    let mut out = SecretBytes::zeroed(a.len() + b.len());
    out.expose_mut()[..a.len()].copy_from_slice(a.expose());
    out.expose_mut()[a.len()..].copy_from_slice(b.expose());
    out
}

impl Cka for HybridCka {
    fn name(&self) -> String {
        format!(
            "hybrid({}+{}, {})",
            self.dh.name(),
            self.kem.name(),
            self.policy.tag()
        )
    }

    fn epoch_id<'m>(&self, message: &'m [u8]) -> Result<&'m [u8]> {
        Ok(self.parse(message)?.dh)
    }

    fn send(&self, ctx: &SendContext, rng: &mut dyn CryptoRng, o: &mut Obs<'_>) -> Result<CkaSend> {
        let theirs = self
            .dh_theirs
            .as_ref()
            .ok_or(RatchetError::Misuse("no peer ratchet key to send to yet"))?;
        let mut next = self.copy();
        let (pk, sk) = self.dh.generate(&mut o.rng(rng, "DHs coins"))?;
        let i_dh = self.dh.dh(sk.expose(), theirs)?;
        if o.on() {
            o.secret("DHs secret", sk.expose(), "keygen", &["DHs coins"]);
            o.public("DHs", &pk, self.dh.name(), &["DHs secret"]);
            o.secret(
                "I_dh",
                i_dh.expose(),
                self.dh.name(),
                &["DHs secret", "DHr"],
            );
        }
        let mut message = pk.clone();
        next.dh_ours = Some((sk, pk));
        let (last_messages, last_time) = self.last_rekey;
        let rekey = self.policy.due(
            ctx.messages.saturating_sub(last_messages),
            ctx.now.saturating_sub(last_time),
        );
        let mut post_quantum = false;
        let key = if rekey {
            let names = ["CT", "I_kem", "KEMs", "KEMr"];
            let (ct, i_kem, ours) = kem_send(self.kem, self.kem_theirs.as_deref(), names, rng, o)?;
            let mut flags = FLAG_PK;
            if ct.is_some() {
                flags |= FLAG_CT;
                post_quantum = true;
            }
            message.push(flags);
            if let Some(ct) = &ct {
                message.extend_from_slice(ct);
            }
            message.extend_from_slice(&ours.1);
            next.kem_ours = Some(ours);
            // A peer key serves one KEM step.
            next.kem_theirs = None;
            next.last_rekey = (ctx.messages, ctx.now);
            let key = concat(&i_dh, &i_kem);
            o.secret("I", key.expose(), "concat", &["I_dh", "I_kem"]);
            key
        } else {
            message.push(0);
            o.secret("I", i_dh.expose(), "concat", &["I_dh"]);
            i_dh
        };
        Ok(CkaSend {
            state: Box::new(next),
            message,
            key,
            post_quantum,
        })
    }

    fn receive(&self, message: &[u8], o: &mut Obs<'_>) -> Result<CkaReceive> {
        let p = self.parse(message)?;
        let (sk, _) = self
            .dh_ours
            .as_ref()
            .ok_or(RatchetError::Misuse("no ratchet key to receive with"))?;
        o.public("DHr", p.dh, "read", &["message"]);
        let i_dh = self.dh.dh(sk.expose(), p.dh)?;
        o.secret(
            "I_dh",
            i_dh.expose(),
            self.dh.name(),
            &["DHs secret", "DHr"],
        );
        let mut next = self.copy();
        next.dh_theirs = Some(p.dh.to_vec());
        let key = match p.ct {
            Some(ct) => {
                let (ksk, _) = self.kem_ours.as_ref().ok_or(RatchetError::Misuse(
                    "a KEM ciphertext but no key to open it",
                ))?;
                o.public("CT", ct, "read", &["message"]);
                let i_kem = self.kem.decapsulate_prechecked(ksk.expose(), ct)?;
                o.secret("I_kem", i_kem.expose(), "decaps", &["KEMs secret", "CT"]);
                // The key pair has served its KEM step.
                next.kem_ours = None;
                let key = concat(&i_dh, &i_kem);
                o.secret("I", key.expose(), "concat", &["I_dh", "I_kem"]);
                key
            }
            None => {
                o.secret("I", i_dh.expose(), "concat", &["I_dh"]);
                i_dh
            }
        };
        if let Some(pk) = p.pk {
            o.public("KEMr", pk, "read", &["message"]);
            next.kem_theirs = Some(pk.to_vec());
        }
        Ok(CkaReceive {
            state: Box::new(next),
            key,
            post_quantum: p.ct.is_some(),
        })
    }

    fn duplicate(&self) -> Box<dyn Cka> {
        Box::new(self.copy())
    }

    fn to_bytes(&self) -> SecretBytes {
        let mut out = Vec::new();
        put_pair(&mut out, self.dh_ours.as_ref());
        put_opt(&mut out, self.dh_theirs.as_deref());
        put_pair(&mut out, self.kem_ours.as_ref());
        put_opt(&mut out, self.kem_theirs.as_deref());
        out.extend_from_slice(&self.last_rekey.0.to_be_bytes());
        out.extend_from_slice(&self.last_rekey.1.to_be_bytes());
        SecretBytes::new(out)
    }
}
