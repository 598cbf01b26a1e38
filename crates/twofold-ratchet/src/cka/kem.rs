//! KEM-CKA (ACD19 §4.3), over any registry [`Kem`]: a fully post-quantum
//! ratchet.
//!
//! The sender of a new epoch encapsulates to the peer's latest public key
//! (`CT, I = Encaps(KEMr)`) and sends `CT` with a fresh public key `KEMs` of
//! its own; the receiver decapsulates with the secret key of the public key
//! it sent last, then keeps the new `KEMr` for its own next epoch. Each key
//! pair serves one epoch, so its secret key is dropped (and wiped) after one
//! decapsulation.
//!
//! The very first epoch of a session has no peer key to encapsulate to
//! unless one is given: its message is then `KEMs` alone and its epoch key
//! empty, so that epoch is keyed by the handshake secret in the root key
//! only.
//!
//! Message: `[CT] || KEMs` (the lengths tell whether `CT` is present).
//! Draws: `CT coins` (encapsulation), then `KEMs coins` (key generation).

use twofold_core::{CryptoRng, Kem, Obs, SecretBytes};

use super::fields::{Reader, duplicate_pair, put_opt, put_pair};
use super::{Cka, CkaReceive, CkaSend, SendContext};
use crate::{RatchetError, Result};

/// The state of a KEM-CKA party.
pub struct KemCka {
    kem: &'static dyn Kem,
    /// Our key pair for the peer's next epoch: (secret, public).
    ours: Option<(SecretBytes, Vec<u8>)>,
    /// The peer's public key to encapsulate to at our next epoch.
    theirs: Option<Vec<u8>>,
}

/// A parsed KEM-CKA message.
struct Parsed<'m> {
    ct: Option<&'m [u8]>,
    pk: &'m [u8],
}

impl KemCka {
    /// A party with no key yet: it sends first, its first message carrying
    /// only a public key (or receives first, after `with_their_key`).
    pub fn new(kem: &'static dyn Kem) -> Self {
        Self {
            kem,
            ours: None,
            theirs: None,
        }
    }

    /// A party that already holds the peer's first public key.
    pub fn with_their_key(kem: &'static dyn Kem, their_public: &[u8]) -> Result<Self> {
        twofold_core::check_len("KEM ratchet public key", their_public, kem.sizes().pk)?;
        Ok(Self {
            kem,
            ours: None,
            theirs: Some(their_public.to_vec()),
        })
    }

    /// A party that holds the key pair whose public key the peer has.
    pub fn with_our_key(
        kem: &'static dyn Kem,
        secret: SecretBytes,
        public: Vec<u8>,
    ) -> Result<Self> {
        kem.check_secret_key(secret.expose())?;
        twofold_core::check_len("KEM ratchet public key", &public, kem.sizes().pk)?;
        Ok(Self {
            kem,
            ours: Some((secret, public)),
            theirs: None,
        })
    }

    fn parse<'m>(&self, message: &'m [u8]) -> Result<Parsed<'m>> {
        let s = self.kem.sizes();
        if message.len() == s.pk {
            Ok(Parsed {
                ct: None,
                pk: message,
            })
        } else if message.len() == s.ct + s.pk {
            let (ct, pk) = message.split_at(s.ct);
            Ok(Parsed { ct: Some(ct), pk })
        } else {
            Err(RatchetError::InvalidLength {
                what: "KEM-CKA message",
                expected: s.ct + s.pk,
                actual: message.len(),
            })
        }
    }

    /// Reads a state written by [`Cka::to_bytes`].
    pub fn from_bytes(kem: &'static dyn Kem, bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        let ours = r.pair("KEM-CKA state")?;
        let theirs = r.opt("KEM-CKA state")?.map(<[u8]>::to_vec);
        r.finish("KEM-CKA state")?;
        Ok(Self { kem, ours, theirs })
    }
}

/// A key pair: (secret, public).
pub(crate) type KeyPair = (SecretBytes, Vec<u8>);

/// Encapsulates to `theirs` (if any) and makes a fresh key pair: the core of
/// a KEM-CKA send, shared with the hybrid CKA. Returns the ciphertext, the
/// shared secret (empty without a peer key) and the new key pair.
pub(crate) fn kem_send(
    kem: &'static dyn Kem,
    theirs: Option<&[u8]>,
    names: [&str; 4],
    rng: &mut dyn CryptoRng,
    o: &mut Obs<'_>,
) -> Result<(Option<Vec<u8>>, SecretBytes, KeyPair)> {
    let [ct_name, ss_name, pk_name, peer_name] = names;
    let (ct, ss) = match theirs {
        Some(pk) => {
            let coins = format!("{ct_name} coins");
            let (ct, ss) = kem.encapsulate(pk, &mut o.rng(rng, &coins))?;
            if o.on() {
                o.public(ct_name, &ct, "encaps", &[peer_name, &coins]);
                o.secret(ss_name, ss.expose(), "encaps", &[peer_name, &coins]);
            }
            (Some(ct), ss)
        }
        None => (None, SecretBytes::new(Vec::new())),
    };
    let coins = format!("{pk_name} coins");
    let (pk, sk) = kem.generate(&mut o.rng(rng, &coins))?;
    if o.on() {
        o.secret(
            &format!("{pk_name} secret"),
            sk.expose(),
            "keygen",
            &[&coins],
        );
        o.public(pk_name, &pk, "keygen", &[&coins]);
    }
    Ok((ct, ss, (sk, pk)))
}

impl Cka for KemCka {
    fn name(&self) -> String {
        format!("KEM({})", self.kem.name())
    }

    fn epoch_id<'m>(&self, message: &'m [u8]) -> Result<&'m [u8]> {
        Ok(self.parse(message)?.pk)
    }

    fn send(
        &self,
        _ctx: &SendContext,
        rng: &mut dyn CryptoRng,
        o: &mut Obs<'_>,
    ) -> Result<CkaSend> {
        let names = ["CT", "I", "KEMs", "KEMr"];
        let (ct, key, ours) = kem_send(self.kem, self.theirs.as_deref(), names, rng, o)?;
        let post_quantum = ct.is_some();
        let mut message = ct.unwrap_or_default();
        message.extend_from_slice(&ours.1);
        Ok(CkaSend {
            state: Box::new(Self {
                kem: self.kem,
                ours: Some(ours),
                // Each peer key serves one epoch.
                theirs: None,
            }),
            message,
            key,
            post_quantum,
        })
    }

    fn receive(&self, message: &[u8], o: &mut Obs<'_>) -> Result<CkaReceive> {
        let p = self.parse(message)?;
        let key = match p.ct {
            Some(ct) => {
                let (sk, _) = self.ours.as_ref().ok_or(RatchetError::Misuse(
                    "a KEM ciphertext but no key to open it",
                ))?;
                o.public("CT", ct, "read", &["message"]);
                // Our own key, made by `generate` in this process.
                let ss = self.kem.decapsulate_prechecked(sk.expose(), ct)?;
                o.secret("I", ss.expose(), "decaps", &["KEMs secret", "CT"]);
                ss
            }
            None => SecretBytes::new(Vec::new()),
        };
        o.public("KEMr", p.pk, "read", &["message"]);
        Ok(CkaReceive {
            state: Box::new(Self {
                kem: self.kem,
                // The secret key has served its epoch.
                ours: None,
                theirs: Some(p.pk.to_vec()),
            }),
            key,
            post_quantum: p.ct.is_some(),
        })
    }

    fn duplicate(&self) -> Box<dyn Cka> {
        Box::new(Self {
            kem: self.kem,
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
