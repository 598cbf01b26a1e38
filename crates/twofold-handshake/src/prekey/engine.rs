//! Alice's initiation and Bob's acceptance, reported step by step.

use twofold_core::observe::Kind;
use twofold_core::{Aead, CryptoRng, Obs, Observer, Party, SecretBytes};

use super::{PrekeyHandshake, Profile};
use crate::bundle::{IdentityKeyPair, PrekeyBundle, PrekeyStore, VerifiedBundle};
use crate::labels;
use crate::{HandshakeError, Result};

pub use super::wire::InitialMessage;

/// The secret a handshake ends in, handed to the ratchet, with the AD.
///
/// spec profiles: `root_key` is the spec's 32-byte `SK`, and there is no
/// chain key. signal profile: the 96-byte (PQXDH) or 64-byte (legacy X3DH)
/// HKDF output split into root key, chain key and (PQXDH) the PQ-ratchet
/// (SPQR) authentication key. Every key is wiped on drop; `Debug` prints
/// lengths only.
#[derive(Debug)]
pub struct SessionSecret {
    suite: String,
    root_key: SecretBytes,
    chain_key: Option<SecretBytes>,
    pq_ratchet_auth_key: Option<SecretBytes>,
    associated_data: Vec<u8>,
}

impl SessionSecret {
    /// The suite that produced it, without backends (e.g.
    /// `PQXDH_signal_X25519_SHA-256_Kyber1024`).
    pub fn suite(&self) -> &str {
        &self.suite
    }
    /// `SK` (spec profiles) or the root key `RK` (signal profile).
    pub fn root_key(&self) -> &SecretBytes {
        &self.root_key
    }
    /// The chain key `CK` (signal profile).
    pub fn chain_key(&self) -> Option<&SecretBytes> {
        self.chain_key.as_ref()
    }
    /// The PQ-ratchet (SPQR) authentication key (signal PQXDH).
    pub fn pq_ratchet_auth_key(&self) -> Option<&SecretBytes> {
        self.pq_ratchet_auth_key.as_ref()
    }
    /// `AD = EncodeEC(IK_A) || EncodeEC(IK_B)`.
    pub fn associated_data(&self) -> &[u8] {
        &self.associated_data
    }
}

/// Constant-time on the keys (the AD and suite are public).
impl PartialEq for SessionSecret {
    fn eq(&self, other: &Self) -> bool {
        let opt = |a: &Option<SecretBytes>, b: &Option<SecretBytes>| match (a, b) {
            (Some(x), Some(y)) => x == y,
            (None, None) => true,
            _ => false,
        };
        let keys = (self.root_key == other.root_key)
            & opt(&self.chain_key, &other.chain_key)
            & opt(&self.pq_ratchet_auth_key, &other.pq_ratchet_auth_key);
        keys && self.associated_data == other.associated_data && self.suite == other.suite
    }
}

impl Eq for SessionSecret {}

/// Alice, holding a bundle whose signatures verified. [`Self::initiate`]
/// consumes it.
pub struct Initiator<'a> {
    hs: &'a PrekeyHandshake,
    identity: &'a IdentityKeyPair,
    bundle: VerifiedBundle,
    registration_id: Option<u32>,
}

impl core::fmt::Debug for Initiator<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Initiator")
            .field("suite", &self.hs.name)
            .field("signed_prekey_id", &self.bundle.signed_prekey_id)
            .finish_non_exhaustive()
    }
}

/// The initiator's coins, given explicitly (to replay a recorded run or a
/// test vector) instead of drawn.
#[derive(Clone, Copy)]
pub struct InitiatorCoins<'a> {
    /// `EK_A`'s secret key (for X25519, the 32-byte scalar as stored).
    pub ephemeral: &'a [u8],
    /// The KEM's encapsulation coins (ML-KEM and Kyber: `m`, 32 bytes);
    /// PQXDH only.
    pub kem: Option<&'a [u8]>,
}

impl core::fmt::Debug for InitiatorCoins<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("InitiatorCoins(..)")
    }
}

/// Where the initiator's coins come from.
enum Coins<'a> {
    Drawn(&'a mut dyn CryptoRng),
    Given(InitiatorCoins<'a>),
}

/// What the initiator ends with.
#[derive(Debug)]
pub struct Initiated {
    /// The initial message, decoded.
    pub message: InitialMessage,
    /// The initial message as sent.
    pub wire: Vec<u8>,
    /// The session secret and AD.
    pub secret: SessionSecret,
    /// `IK_B`.
    pub their_identity_key: Vec<u8>,
    /// `SPK_B` (the signal profile's first ratchet key of Bob).
    pub their_signed_prekey: Vec<u8>,
}

/// What the responder ends with.
#[derive(Debug)]
pub struct Accepted {
    /// The session secret and AD.
    pub secret: SessionSecret,
    /// spec: the decrypted payload; signal: the opaque payload as received
    /// (libsignal's inner SignalMessage, authenticated by the ratchet).
    pub payload: Vec<u8>,
    /// `IK_A`, for the application's trust decision.
    pub their_identity_key: Vec<u8>,
    /// The initiator's registration id (signal profile).
    pub registration_id: Option<u32>,
    /// The one-time prekeys the message used: already spent in the spec
    /// profile; in the signal profile, to spend with
    /// [`PrekeyStore::consume`] once the first ratchet message decrypts.
    pub one_time_prekeys: OneTimePrekeys,
    /// The initial message, decoded.
    pub message: InitialMessage,
}

/// The one-time prekeys an initial message named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OneTimePrekeys {
    /// The one-time curve prekey `OPK_B`.
    pub curve: Option<u32>,
    /// The one-time KEM prekey (a last-resort key is not one-time).
    pub kem: Option<u32>,
}

impl PrekeyHandshake {
    /// `OKM = HKDF(salt = zeros(hash len), IKM = F || KM, info, L)`, split by
    /// profile, every value reported: `F`, `salt`, `info`, `IKM` whole,
    /// `OKM` whole (`SK` in the spec profiles) and its parts.
    fn derive(&self, km: &SecretBytes, ad: Vec<u8>, o: &mut Obs<'_>) -> Result<SessionSecret> {
        let f = &labels::F_X25519;
        let mut ikm = SecretBytes::zeroed(f.len() + km.len());
        ikm.expose_mut()[..f.len()].copy_from_slice(f);
        ikm.expose_mut()[f.len()..].copy_from_slice(km.expose());
        let salt = vec![0u8; self.kdf.prk_len()];
        let okm = self
            .kdf
            .derive(&salt, ikm.expose(), &self.info, self.okm_len)?;
        if okm.len() != self.okm_len {
            // The split below relies on the length the Kdf contract promises.
            return Err(twofold_core::Error::Backend("KDF output of the wrong length").into());
        }
        let kdf = self.kdf.name();
        let okm_name = match self.format.profile {
            Profile::Spec => "SK",
            Profile::Signal => "OKM",
        };
        if o.on() {
            o.public("F", f, "constant", &[]);
            o.public("salt", &salt, "constant", &[]);
            o.public("info", &self.info, "constant", &[]);
            o.secret("IKM", ikm.expose(), "concat", &["F", "KM"]);
            o.secret(okm_name, okm.expose(), kdf, &["salt", "IKM", "info"]);
            o.public("AD", &ad, "concat EncodeEC", &["IK_A", "IK_B"]);
        }
        let secret = match self.format.profile {
            Profile::Spec => SessionSecret {
                suite: self.algorithms.clone(),
                root_key: okm,
                chain_key: None,
                pq_ratchet_auth_key: None,
                associated_data: ad,
            },
            Profile::Signal => {
                let k = labels::SIGNAL_KEY_LEN;
                let bytes = okm.expose();
                let root_key = SecretBytes::from_slice(&bytes[..k]);
                let chain_key = SecretBytes::from_slice(&bytes[k..2 * k]);
                let pqr = (self.okm_len > 2 * k).then(|| SecretBytes::from_slice(&bytes[2 * k..]));
                o.secret("RK", root_key.expose(), "OKM[0..32]", &["OKM"]);
                o.secret("CK", chain_key.expose(), "OKM[32..64]", &["OKM"]);
                if let Some(p) = &pqr {
                    o.secret("PQRK", p.expose(), "OKM[64..96]", &["OKM"]);
                }
                SessionSecret {
                    suite: self.algorithms.clone(),
                    root_key,
                    chain_key: Some(chain_key),
                    pq_ratchet_auth_key: pqr,
                    associated_data: ad,
                }
            }
        };
        Ok(secret)
    }

    /// `K_init` of the spec profile (see [`labels::SPEC_PAYLOAD_KEY_LABEL`]).
    fn payload_key(
        &self,
        aead: &dyn Aead,
        sk: &SecretBytes,
        o: &mut Obs<'_>,
    ) -> Result<SecretBytes> {
        let salt = vec![0u8; self.kdf.prk_len()];
        let key = self.kdf.derive(
            &salt,
            sk.expose(),
            labels::SPEC_PAYLOAD_KEY_LABEL,
            aead.key_len(),
        )?;
        o.secret("K_init", key.expose(), self.kdf.name(), &["SK"]);
        Ok(key)
    }

    fn ad(&self, ik_a: &[u8], ik_b: &[u8]) -> Vec<u8> {
        let p = &self.format.params;
        let mut ad = p.encode_ec(ik_a);
        ad.extend_from_slice(&p.encode_ec(ik_b));
        ad
    }

    /// Alice's side, after checking the bundle: well-formed keys and valid
    /// signatures on the signed prekey and, for PQXDH, on the KEM prekey,
    /// which must be present (else [`HandshakeError::BadSignature`] or a
    /// typed error; nothing is computed and no randomness drawn).
    pub fn initiator<'a>(
        &'a self,
        identity: &'a IdentityKeyPair,
        bundle: &PrekeyBundle,
    ) -> Result<Initiator<'a>> {
        let p = &self.format.params;
        p.check_ec("initiator identity key", identity.public_key())?;
        let verified = bundle.verify(p, self.has_kem())?;
        Ok(Initiator {
            hs: self,
            identity,
            bundle: verified,
            registration_id: match self.format.profile {
                Profile::Signal => Some(0),
                Profile::Spec => None,
            },
        })
    }

    /// Bob's side: decodes the initial message, looks up the prekeys it
    /// names, recomputes the secret (and, in the spec profile, decrypts the
    /// payload); only when all of that succeeds are the one-time prekeys
    /// (curve and, for PQXDH, KEM) removed from `store`.
    pub fn accept(
        &self,
        store: &mut PrekeyStore,
        wire_bytes: &[u8],
        observer: &mut dyn Observer,
    ) -> Result<Accepted> {
        if !self.format.params.compatible(store.params()) {
            return Err(HandshakeError::Misuse(
                "the prekey store was made for a different suite",
            ));
        }
        let mut o = Obs::new(observer, Party::Responder);
        o.section("accept");
        let msg = self.decode_message(wire_bytes)?;
        o.value("initial message", Kind::Wire, wire_bytes, "received", &[]);
        if o.on() {
            let from = &["initial message"];
            o.public("IK_A", &msg.identity_key, "decode", from);
            o.public("EK_A", &msg.base_key, "decode", from);
            if let Some(ct) = &msg.kem_ciphertext {
                o.public("CT", ct, "decode", from);
            }
        }

        // Bob's private operations use the primitives his keys were made
        // with (their secret-key encodings are the backend's own).
        let sp = *store.params();
        let (secret, payload, kem_one_time) = {
            let spk = store.signed_prekey(msg.signed_prekey_id)?;
            let opk = match msg.one_time_prekey_id {
                Some(id) => Some(store.one_time_prekey(id)?),
                None => None,
            };
            let kem = match (self.has_kem(), msg.kem_prekey_id, &msg.kem_ciphertext) {
                (false, _, _) => None,
                (true, Some(id), Some(ct)) => {
                    let (record, one_time) = store.kem_prekey(id)?;
                    Some((record, one_time.then_some(id), ct))
                }
                (true, _, _) => return Err(HandshakeError::Malformed("missing KEM fields")),
            };
            let ik_b = store.identity();
            if o.on() {
                o.public("IK_B", ik_b.public_key(), "input", &[]);
                o.secret("IK_B secret", ik_b.secret_key().expose(), "input", &[]);
                o.public("SPK_B", &spk.public, "input", &[]);
                o.secret("SPK_B secret", spk.secret.expose(), "input", &[]);
            }
            let dh = sp.dh.name();
            // Bob mirrors Alice: DH1 = DH(SPK_B, IK_A), DH2 = DH(IK_B, EK_A),
            // DH3 = DH(SPK_B, EK_A), DH4 = DH(OPK_B, EK_A).
            let dh1 = sp.dh.dh(spk.secret.expose(), &msg.identity_key)?;
            o.secret("DH1", dh1.expose(), dh, &["SPK_B secret", "IK_A"]);
            let dh2 = sp.dh.dh(ik_b.secret_key().expose(), &msg.base_key)?;
            o.secret("DH2", dh2.expose(), dh, &["IK_B secret", "EK_A"]);
            let dh3 = sp.dh.dh(spk.secret.expose(), &msg.base_key)?;
            o.secret("DH3", dh3.expose(), dh, &["SPK_B secret", "EK_A"]);
            let mut parts = vec![dh1, dh2, dh3];
            let mut names = vec!["DH1", "DH2", "DH3"];
            if let Some(opk) = opk {
                if o.on() {
                    o.public("OPK_B", &opk.public, "input", &[]);
                    o.secret("OPK_B secret", opk.secret.expose(), "input", &[]);
                }
                let dh4 = sp.dh.dh(opk.secret.expose(), &msg.base_key)?;
                o.secret("DH4", dh4.expose(), dh, &["OPK_B secret", "EK_A"]);
                parts.push(dh4);
                names.push("DH4");
            }
            let mut kem_one_time = None;
            if let Some((record, one_time, ct)) = kem {
                let k = sp
                    .kem
                    .ok_or(HandshakeError::Misuse("the prekey store has no KEM"))?;
                if o.on() {
                    o.public("PQPK_B", &record.public, "input", &[]);
                    o.secret("PQPK_B secret", record.secret.expose(), "input", &[]);
                }
                let ss = k.decapsulate(record.secret.expose(), ct)?;
                o.secret("SS", ss.expose(), "PQKEM-DEC", &["PQPK_B secret", "CT"]);
                parts.push(ss);
                names.push("SS");
                kem_one_time = one_time;
            }
            let km = concat_km(&parts, &names, &mut o);
            drop(parts);
            let ad = self.ad(&msg.identity_key, ik_b.public_key());
            let secret = self.derive(&km, ad, &mut o)?;
            let payload = match self.aead {
                Some(aead) => {
                    let key = self.payload_key(aead, &secret.root_key, &mut o)?;
                    let nonce = vec![0u8; aead.nonce_len()];
                    let pt =
                        aead.open(key.expose(), &nonce, &secret.associated_data, &msg.payload)?;
                    if o.on() {
                        o.public(
                            "payload ciphertext",
                            &msg.payload,
                            "decode",
                            &["initial message"],
                        );
                        o.public(
                            "payload",
                            &pt,
                            aead.name(),
                            &["K_init", "AD", "payload ciphertext"],
                        );
                    }
                    pt
                }
                None => {
                    o.public("payload", &msg.payload, "decode", &["initial message"]);
                    msg.payload.clone()
                }
            };
            (secret, payload, kem_one_time)
        };
        let one_time = OneTimePrekeys {
            curve: msg.one_time_prekey_id,
            kem: kem_one_time,
        };
        // spec: the payload decrypted, every check passed: only now are the
        // one-time keys spent. signal: the payload is the first ratchet
        // message, not checked yet; libsignal spends the one-time keys when
        // it decrypts, so the caller does ([`PrekeyStore::consume`]).
        if self.format.profile == Profile::Spec {
            store.consume(&one_time);
        }
        Ok(Accepted {
            secret,
            payload,
            their_identity_key: msg.identity_key.clone(),
            registration_id: msg.registration_id,
            one_time_prekeys: one_time,
            message: msg,
        })
    }
}

/// `KM` = the concatenation of the named parts.
fn concat_km(parts: &[SecretBytes], names: &[&str], o: &mut Obs<'_>) -> SecretBytes {
    let total = parts.iter().map(SecretBytes::len).sum();
    let mut km = SecretBytes::zeroed(total);
    let mut at = 0;
    for s in parts {
        km.expose_mut()[at..at + s.len()].copy_from_slice(s.expose());
        at += s.len();
    }
    o.secret("KM", km.expose(), "concat", names);
    km
}

impl Initiator<'_> {
    /// Sets the registration id carried by a signal-profile message
    /// (libsignal's field 5; 0 unless set). Not part of the spec profile.
    pub fn with_registration_id(mut self, id: u32) -> Result<Self> {
        if self.hs.format.profile != Profile::Signal {
            return Err(HandshakeError::Misuse(
                "registration ids belong to the signal profile",
            ));
        }
        self.registration_id = Some(id);
        Ok(self)
    }

    /// Runs Alice's side: draws `EK_A` (and the KEM coins) from `rng`,
    /// computes DH1..DH4 and SS, derives the session secret, protects
    /// `payload` (spec: AEAD under `K_init` and AD; signal: carried as is)
    /// and encodes the initial message. Ephemeral secrets and DH outputs
    /// are wiped before this returns.
    pub fn initiate(
        self,
        payload: &[u8],
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Initiated> {
        self.run(payload, Coins::Drawn(rng), observer)
    }

    /// [`Self::initiate`] with the coins given: `EK_A`'s secret key and,
    /// for PQXDH, the KEM's encapsulation coins. A KEM backend that cannot
    /// take coins refuses with [`twofold_core::Error::NoExplicitCoins`].
    pub fn initiate_derand(
        self,
        payload: &[u8],
        coins: InitiatorCoins<'_>,
        observer: &mut dyn Observer,
    ) -> Result<Initiated> {
        self.run(payload, Coins::Given(coins), observer)
    }

    fn run(
        self,
        payload: &[u8],
        mut coins: Coins<'_>,
        observer: &mut dyn Observer,
    ) -> Result<Initiated> {
        let hs = self.hs;
        let p = &hs.format.params;
        let b = &self.bundle;
        let max = hs.max_plaintext();
        if payload.len() > max {
            return Err(HandshakeError::Oversized {
                what: "initial payload",
                max,
                actual: payload.len(),
            });
        }
        let mut o = Obs::new(observer, Party::Initiator);
        o.section("initiate");
        let ik_a = self.identity.public_key();
        let ik_secret = self.identity.secret_key().expose();
        if o.on() {
            o.public("IK_A", ik_a, "input", &[]);
            o.secret("IK_A secret", ik_secret, "input", &[]);
            o.public("IK_B", &b.identity_key, "bundle", &[]);
            o.public("SPK_B", &b.signed_prekey, "bundle", &[]);
        }

        let (ek_a, ek_secret) = match &mut coins {
            Coins::Drawn(rng) => p.dh.generate(&mut o.rng(&mut **rng, "EK_A coins"))?,
            Coins::Given(c) => {
                o.given("EK_A coins", c.ephemeral);
                p.dh.generate_derand(c.ephemeral)?
            }
        };
        if o.on() {
            let keygen = format!("{} keygen", p.dh.name());
            o.secret("EK_A secret", ek_secret.expose(), &keygen, &["EK_A coins"]);
            o.public("EK_A", &ek_a, p.dh.name(), &["EK_A secret"]);
        }
        let dh = p.dh.name();
        let dh1 = p.dh.dh(ik_secret, &b.signed_prekey)?;
        o.secret("DH1", dh1.expose(), dh, &["IK_A secret", "SPK_B"]);
        let dh2 = p.dh.dh(ek_secret.expose(), &b.identity_key)?;
        o.secret("DH2", dh2.expose(), dh, &["EK_A secret", "IK_B"]);
        let dh3 = p.dh.dh(ek_secret.expose(), &b.signed_prekey)?;
        o.secret("DH3", dh3.expose(), dh, &["EK_A secret", "SPK_B"]);
        let mut parts = vec![dh1, dh2, dh3];
        let mut names = vec!["DH1", "DH2", "DH3"];
        if let Some((_, opk)) = &b.one_time_prekey {
            o.public("OPK_B", opk, "bundle", &[]);
            let dh4 = p.dh.dh(ek_secret.expose(), opk)?;
            o.secret("DH4", dh4.expose(), dh, &["EK_A secret", "OPK_B"]);
            parts.push(dh4);
            names.push("DH4");
        }
        drop(ek_secret);
        let mut kem_fields = None;
        if let Some((id, pk)) = &b.kem_prekey {
            let kem = p.kem.ok_or(HandshakeError::Misuse("suite has no KEM"))?;
            o.public("PQPK_B", pk, "bundle", &[]);
            let (ct, ss) = match &mut coins {
                Coins::Drawn(rng) => kem.encapsulate(pk, &mut o.rng(&mut **rng, "CT coins"))?,
                Coins::Given(c) => {
                    let m = c.kem.ok_or(HandshakeError::MissingKey("KEM coins"))?;
                    o.given("CT coins", m);
                    kem.encapsulate_derand(pk, m)?
                }
            };
            o.public("CT", &ct, "PQKEM-ENC", &["PQPK_B", "CT coins"]);
            o.secret("SS", ss.expose(), "PQKEM-ENC", &["PQPK_B", "CT coins"]);
            parts.push(ss);
            names.push("SS");
            kem_fields = Some((*id, ct));
        }
        let km = concat_km(&parts, &names, &mut o);
        drop(parts);
        let ad = hs.ad(ik_a, &b.identity_key);
        let secret = hs.derive(&km, ad, &mut o)?;
        drop(km);

        let payload = match hs.aead {
            Some(aead) => {
                let key = hs.payload_key(aead, &secret.root_key, &mut o)?;
                let nonce = vec![0u8; aead.nonce_len()];
                let ct = aead.seal(key.expose(), &nonce, &secret.associated_data, payload)?;
                if o.on() {
                    o.public("payload", payload, "input", &[]);
                    o.public(
                        "payload ciphertext",
                        &ct,
                        aead.name(),
                        &["K_init", "AD", "payload"],
                    );
                }
                ct
            }
            None => {
                o.public("payload", payload, "input", &[]);
                payload.to_vec()
            }
        };
        let (kem_prekey_id, kem_ciphertext) = match kem_fields {
            Some((id, ct)) => (Some(id), Some(ct)),
            None => (None, None),
        };
        let message = InitialMessage {
            registration_id: self.registration_id,
            identity_key: ik_a.to_vec(),
            base_key: ek_a,
            signed_prekey_id: b.signed_prekey_id,
            one_time_prekey_id: b.one_time_prekey.as_ref().map(|(id, _)| *id),
            kem_prekey_id,
            kem_ciphertext,
            payload,
        };
        let wire = hs.encode_message(&message)?;
        if o.on() {
            let inputs: &[&str] = match (hs.has_kem(), hs.aead.is_some()) {
                (true, true) => &["IK_A", "EK_A", "CT", "payload ciphertext"],
                (true, false) => &["IK_A", "EK_A", "CT", "payload"],
                (false, true) => &["IK_A", "EK_A", "payload ciphertext"],
                (false, false) => &["IK_A", "EK_A", "payload"],
            };
            o.wire("initial message", &wire, inputs);
        }
        Ok(Initiated {
            message,
            wire,
            secret,
            their_identity_key: b.identity_key.clone(),
            their_signed_prekey: b.signed_prekey.clone(),
        })
    }
}
