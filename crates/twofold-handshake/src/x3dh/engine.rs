//! The X3DH / PQXDH computation shared by both protocols and both profiles.
//!
//! PQXDH is X3DH plus one KEM encapsulation whose shared secret `SS` is
//! appended to the key material, so one engine runs both; the protocol,
//! the profile and the resolved primitives live in [`Xdh`].
//!
//! Step names follow the specs (X3DH §3.3, PQXDH §3.3):
//! ```text
//! DH1 = DH(IK_A, SPK_B)   DH2 = DH(EK_A, IK_B)   DH3 = DH(EK_A, SPK_B)
//! DH4 = DH(EK_A, OPK_B)   (if a one-time prekey was used)
//! (CT, SS) = PQKEM-ENC(PQPK_B)                    (PQXDH)
//! KM  = DH1 || DH2 || DH3 [|| DH4] [|| SS]
//! OKM = HKDF(hash, salt = zeros(hash len), IKM = F || KM, info, L)
//! AD  = EncodeEC(IK_A) || EncodeEC(IK_B)
//! ```
//! spec: `L = 32`, `SK = OKM`; signal: `L = 96` (PQXDH: RK || CK || PQRK) or
//! `L = 64` (legacy X3DH: RK || CK).
//!
//! Randomness drawn by the initiator, in order: `EK_A` (the curve's secret
//! key length, 32 bytes for X25519), then the KEM's encapsulation coins.

use twofold_core::{Aead, CryptoRng, Kdf, Resolver, SecretBytes};

use super::suite::{Part, Profile, invalid, kdf_name, resolve};
use super::wire::{self, InitialMessage};
use crate::bundle::{BundleParams, IdentityKeyPair, KeyEncoding, PrekeyBundle, PrekeyStore};
use crate::labels;
use crate::trace::Trace;
use crate::{HandshakeError, Result};

/// X3DH or PQXDH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    X3dh,
    Pqxdh,
}

/// A resolved X3DH or PQXDH suite: everything a handshake needs, and the
/// operations both protocols share. [`crate::x3dh::X3dh`] and
/// [`crate::pqxdh::Pqxdh`] dereference to it.
pub struct Xdh {
    pub(crate) name: String,
    /// The suite without backends: what the session secret reports, since
    /// backends of one algorithm compute the same function.
    algorithms: String,
    pub(crate) protocol: Protocol,
    pub(crate) profile: Profile,
    pub(crate) params: BundleParams,
    pub(crate) kdf: &'static dyn Kdf,
    /// Spec profile only: the AEAD of the initial payload.
    pub(crate) aead: Option<&'static dyn Aead>,
    /// The HKDF info actually used.
    pub(crate) info: Vec<u8>,
    /// Spec PQXDH: `"_" || curve || "_" || hash || "_" || pqkem`, appended to the
    /// application info.
    info_suffix: Vec<u8>,
    pub(crate) okm_len: usize,
}

impl Xdh {
    pub(crate) fn new(
        name: String,
        protocol: Protocol,
        profile: Profile,
        curve: &Part,
        hash: &Part,
        kem: Option<&Part>,
        resolver: &dyn Resolver,
    ) -> Result<Self> {
        let dh = resolve(&name, resolver.dh(&curve.to_string()))?;
        let kdf = resolve(&name, resolver.kdf(&kdf_name(hash)))?;
        let expected_prk = if hash.algorithm == "SHA-512" { 64 } else { 32 };
        if kdf.prk_len() != expected_prk {
            return Err(invalid(
                &name,
                format!(
                    "{} does not have the output length of {}",
                    kdf.id(),
                    hash.algorithm
                ),
            ));
        }
        let signature = resolve(
            &name,
            resolver.signature(match profile {
                Profile::Spec => labels::SPEC_SIGNATURE,
                Profile::Signal => labels::SIGNAL_SIGNATURE,
            }),
        )?;
        let kem_impl = match kem {
            Some(k) => Some(resolve(&name, resolver.kem(&k.to_string()))?),
            None => None,
        };
        let kem_type = match (kem, profile) {
            (None, _) => None,
            (Some(_), Profile::Signal) => Some(labels::SIGNAL_TYPE_KYBER1024),
            (Some(k), Profile::Spec) => Some(spec_kem_type(&name, &k.algorithm)?),
        };
        let ec_type = match profile {
            Profile::Spec => labels::SPEC_TYPE_X25519,
            Profile::Signal => labels::SIGNAL_TYPE_X25519,
        };
        let aead = match profile {
            Profile::Spec => Some(resolve(&name, resolver.aead(labels::SPEC_AEAD))?),
            Profile::Signal => None,
        };
        let (info, info_suffix, okm_len) = match (profile, protocol) {
            (Profile::Spec, Protocol::X3dh) => (
                labels::DEFAULT_INFO.to_vec(),
                Vec::new(),
                labels::SPEC_SK_LEN,
            ),
            (Profile::Spec, Protocol::Pqxdh) => {
                let sep = labels::PQXDH_INFO_SEPARATOR;
                let mut suffix = Vec::new();
                for p in [
                    curve.algorithm.as_str(),
                    hash.algorithm.as_str(),
                    kem.map_or("", |k| k.algorithm.as_str()),
                ] {
                    suffix.push(sep);
                    suffix.extend_from_slice(p.as_bytes());
                }
                let mut info = labels::DEFAULT_INFO.to_vec();
                info.extend_from_slice(&suffix);
                (info, suffix, labels::SPEC_SK_LEN)
            }
            (Profile::Signal, Protocol::X3dh) => (
                labels::SIGNAL_X3DH_LABEL.to_vec(),
                Vec::new(),
                labels::SIGNAL_X3DH_OKM_LEN,
            ),
            (Profile::Signal, Protocol::Pqxdh) => (
                labels::SIGNAL_PQXDH_LABEL.to_vec(),
                Vec::new(),
                labels::SIGNAL_PQXDH_OKM_LEN,
            ),
        };
        let mut algorithms = match protocol {
            Protocol::X3dh => "X3DH".to_string(),
            Protocol::Pqxdh => "PQXDH".to_string(),
        };
        for part in [profile.as_str(), &curve.algorithm, &hash.algorithm]
            .into_iter()
            .chain(kem.map(|k| k.algorithm.as_str()))
        {
            algorithms.push('_');
            algorithms.push_str(part);
        }
        Ok(Self {
            name,
            algorithms,
            protocol,
            profile,
            params: BundleParams {
                dh,
                signature,
                kem: kem_impl,
                encoding: KeyEncoding { ec_type, kem_type },
            },
            kdf,
            aead,
            info,
            info_suffix,
            okm_len,
        })
    }

    /// Replaces the application `info` (spec profile only; the signal
    /// profile's label is fixed by the deployment).
    pub(crate) fn set_info(&mut self, info: &[u8]) -> Result<()> {
        if self.profile == Profile::Signal {
            return Err(HandshakeError::Misuse(
                "the signal profile's KDF label is fixed",
            ));
        }
        if info.is_empty() || !info.is_ascii() {
            return Err(HandshakeError::Misuse("info must be non-empty ASCII"));
        }
        let mut full = info.to_vec();
        full.extend_from_slice(&self.info_suffix);
        self.info = full;
        Ok(())
    }

    fn has_kem(&self) -> bool {
        self.protocol == Protocol::Pqxdh
    }

    /// Largest payload `initiate` accepts (the wire limit minus the tag).
    fn max_plaintext(&self) -> usize {
        labels::MAX_PAYLOAD_LEN.saturating_sub(self.aead.map_or(0, |a| a.tag_len()))
    }

    /// The suite as parsed and printed back (backends included).
    pub fn suite_name(&self) -> &str {
        &self.name
    }

    /// The HKDF info this handshake uses.
    pub fn kdf_info(&self) -> &[u8] {
        &self.info
    }

    /// The primitives and encodings of this suite's bundles.
    pub fn bundle_params(&self) -> BundleParams {
        self.params
    }

    /// A new identity key pair on this suite's curve.
    pub fn generate_identity(&self, rng: &mut dyn CryptoRng) -> Result<IdentityKeyPair> {
        IdentityKeyPair::generate(self.params.dh, rng)
    }

    /// An empty prekey store for `identity` with this suite's parameters.
    pub fn new_store(&self, identity: IdentityKeyPair) -> Result<PrekeyStore> {
        PrekeyStore::new(self.params, identity)
    }

    /// Encodes an initial message in this suite's wire format.
    pub fn encode_message(&self, msg: &InitialMessage) -> Result<Vec<u8>> {
        wire::encode(self, msg)
    }

    /// Decodes (and checks) an initial message in this suite's wire format.
    pub fn decode_message(&self, bytes: &[u8]) -> Result<InitialMessage> {
        wire::decode(self, bytes)
    }

    /// `HKDF(salt = zeros(hash len), IKM = F || KM, info, L)`, split by profile.
    fn derive(
        &self,
        km: &SecretBytes,
        ad: Vec<u8>,
        party: &'static str,
        trace: &mut Trace,
    ) -> Result<SessionSecret> {
        let mut ikm = SecretBytes::zeroed(labels::F_X25519.len() + km.len());
        ikm.expose_mut()[..labels::F_X25519.len()].copy_from_slice(&labels::F_X25519);
        ikm.expose_mut()[labels::F_X25519.len()..].copy_from_slice(km.expose());
        let salt = vec![0u8; self.kdf.prk_len()];
        let okm = self
            .kdf
            .derive(&salt, ikm.expose(), &self.info, self.okm_len)?;
        if okm.len() != self.okm_len {
            // The split below relies on the length the Kdf contract promises.
            return Err(twofold_core::Error::Backend("KDF output of the wrong length").into());
        }
        trace.record(party, "info", &self.info);
        trace.record(party, "AD", &ad);
        let secret = match self.profile {
            Profile::Spec => {
                trace.record(party, "SK", okm.expose());
                SessionSecret {
                    suite: self.algorithms.clone(),
                    root_key: okm,
                    chain_key: None,
                    pq_ratchet_auth_key: None,
                    associated_data: ad,
                }
            }
            Profile::Signal => {
                let k = labels::SIGNAL_KEY_LEN;
                let o = okm.expose();
                let root_key = SecretBytes::from_slice(&o[..k]);
                let chain_key = SecretBytes::from_slice(&o[k..2 * k]);
                let pqr = (self.okm_len > 2 * k).then(|| SecretBytes::from_slice(&o[2 * k..]));
                trace.record(party, "RK", root_key.expose());
                trace.record(party, "CK", chain_key.expose());
                if let Some(p) = &pqr {
                    trace.record(party, "PQRK", p.expose());
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
    fn payload_key(&self, aead: &dyn Aead, sk: &SecretBytes) -> Result<SecretBytes> {
        let salt = vec![0u8; self.kdf.prk_len()];
        Ok(self.kdf.derive(
            &salt,
            sk.expose(),
            labels::SPEC_PAYLOAD_KEY_LABEL,
            aead.key_len(),
        )?)
    }

    fn ad(&self, ik_a: &[u8], ik_b: &[u8]) -> Vec<u8> {
        let mut ad = self.params.encode_ec(ik_a);
        ad.extend_from_slice(&self.params.encode_ec(ik_b));
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
        self.params
            .check_ec("initiator identity key", identity.public_key())?;
        let verified = bundle.verify(&self.params, self.has_kem())?;
        Ok(Initiator {
            xdh: self,
            identity,
            bundle: verified,
            registration_id: match self.profile {
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
        trace: &mut Trace,
    ) -> Result<Accepted> {
        if !self.params.compatible(store.params()) {
            return Err(HandshakeError::Misuse(
                "the prekey store was made for a different suite",
            ));
        }
        let party = "responder";
        let msg = self.decode_message(wire_bytes)?;
        trace.record(party, "initial message", wire_bytes);

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
            trace.record(party, "IK_A", &msg.identity_key);
            trace.record(party, "EK_A", &msg.base_key);
            trace.record(party, "IK_B", ik_b.public_key());
            trace.record(party, "SPK_B", &spk.public);

            // Bob mirrors Alice: DH1 = DH(SPK_B, IK_A), DH2 = DH(IK_B, EK_A),
            // DH3 = DH(SPK_B, EK_A), DH4 = DH(OPK_B, EK_A).
            let mut parts: Vec<(&'static str, SecretBytes)> = vec![
                ("DH1", sp.dh.dh(spk.secret.expose(), &msg.identity_key)?),
                ("DH2", sp.dh.dh(ik_b.secret_key().expose(), &msg.base_key)?),
                ("DH3", sp.dh.dh(spk.secret.expose(), &msg.base_key)?),
            ];
            if let Some(o) = opk {
                trace.record(party, "OPK_B", &o.public);
                parts.push(("DH4", sp.dh.dh(o.secret.expose(), &msg.base_key)?));
            }
            let mut kem_one_time = None;
            if let Some((record, one_time, ct)) = kem {
                let k = sp
                    .kem
                    .ok_or(HandshakeError::Misuse("the prekey store has no KEM"))?;
                trace.record(party, "PQPK_B", &record.public);
                trace.record(party, "CT", ct);
                parts.push(("SS", k.decapsulate(record.secret.expose(), ct)?));
                kem_one_time = one_time;
            }
            let km = concat_km(&parts, party, trace);
            drop(parts);
            let ad = self.ad(&msg.identity_key, ik_b.public_key());
            let secret = self.derive(&km, ad, party, trace)?;
            let payload = match self.aead {
                Some(aead) => {
                    let key = self.payload_key(aead, &secret.root_key)?;
                    trace.record(party, "K_init", key.expose());
                    let nonce = vec![0u8; aead.nonce_len()];
                    aead.open(key.expose(), &nonce, &secret.associated_data, &msg.payload)?
                }
                None => msg.payload.clone(),
            };
            (secret, payload, kem_one_time)
        };
        // Every check passed: only now are the one-time keys spent.
        store.consume(msg.one_time_prekey_id, kem_one_time);
        Ok(Accepted {
            secret,
            payload,
            their_identity_key: msg.identity_key.clone(),
            registration_id: msg.registration_id,
            message: msg,
        })
    }
}

/// `KM` = the concatenation of the named parts, traced one by one.
fn concat_km(
    parts: &[(&'static str, SecretBytes)],
    party: &'static str,
    trace: &mut Trace,
) -> SecretBytes {
    let total = parts.iter().map(|(_, s)| s.len()).sum();
    let mut km = SecretBytes::zeroed(total);
    let mut at = 0;
    for (name, s) in parts {
        trace.record(party, *name, s.expose());
        km.expose_mut()[at..at + s.len()].copy_from_slice(s.expose());
        at += s.len();
    }
    trace.record(party, "KM", km.expose());
    km
}

fn spec_kem_type(suite: &str, kem: &str) -> Result<u8> {
    labels::SPEC_KEM_TYPES
        .iter()
        .find(|(n, _)| *n == kem)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let list: Vec<&str> = labels::SPEC_KEM_TYPES.iter().map(|(n, _)| *n).collect();
            invalid(
                suite,
                format!(
                    "KEM {kem:?} has no spec-profile encoding; available: {}",
                    list.join(", ")
                ),
            )
        })
}

/// The names of the KEMs the spec profile can encode.
pub(crate) fn spec_kems() -> Vec<&'static str> {
    labels::SPEC_KEM_TYPES.iter().map(|(n, _)| *n).collect()
}

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
    xdh: &'a Xdh,
    identity: &'a IdentityKeyPair,
    bundle: crate::bundle::VerifiedBundle,
    registration_id: Option<u32>,
}

impl core::fmt::Debug for Initiator<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Initiator")
            .field("suite", &self.xdh.name)
            .field("signed_prekey_id", &self.bundle.signed_prekey_id)
            .finish_non_exhaustive()
    }
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
    /// The initial message, decoded.
    pub message: InitialMessage,
}

impl Initiator<'_> {
    /// Sets the registration id carried by a signal-profile message
    /// (libsignal's field 5; 0 unless set). Not part of the spec profile.
    pub fn with_registration_id(mut self, id: u32) -> Result<Self> {
        if self.xdh.profile != Profile::Signal {
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
        trace: &mut Trace,
    ) -> Result<Initiated> {
        let x = self.xdh;
        let p = &x.params;
        let b = &self.bundle;
        let party = "initiator";
        let max = x.max_plaintext();
        if payload.len() > max {
            return Err(HandshakeError::Oversized {
                what: "initial payload",
                max,
                actual: payload.len(),
            });
        }
        let ik_a = self.identity.public_key();
        trace.record(party, "IK_A", ik_a);
        trace.record(party, "IK_B", &b.identity_key);
        trace.record(party, "SPK_B", &b.signed_prekey);

        let (ek_a, ek_secret) = p.dh.generate(rng)?;
        trace.record(party, "EK_A", &ek_a);
        let ik_secret = self.identity.secret_key().expose();
        let mut parts: Vec<(&'static str, SecretBytes)> = vec![
            ("DH1", p.dh.dh(ik_secret, &b.signed_prekey)?),
            ("DH2", p.dh.dh(ek_secret.expose(), &b.identity_key)?),
            ("DH3", p.dh.dh(ek_secret.expose(), &b.signed_prekey)?),
        ];
        if let Some((_, opk)) = &b.one_time_prekey {
            trace.record(party, "OPK_B", opk);
            parts.push(("DH4", p.dh.dh(ek_secret.expose(), opk)?));
        }
        drop(ek_secret);
        let mut kem_fields = None;
        if let Some((id, pk)) = &b.kem_prekey {
            let kem = p.kem.ok_or(HandshakeError::Misuse("suite has no KEM"))?;
            trace.record(party, "PQPK_B", pk);
            let (ct, ss) = kem.encapsulate(pk, rng)?;
            trace.record(party, "CT", &ct);
            parts.push(("SS", ss));
            kem_fields = Some((*id, ct));
        }
        let km = concat_km(&parts, party, trace);
        drop(parts);
        let ad = x.ad(ik_a, &b.identity_key);
        let secret = x.derive(&km, ad, party, trace)?;
        drop(km);

        let payload = match x.aead {
            Some(aead) => {
                let key = x.payload_key(aead, &secret.root_key)?;
                trace.record(party, "K_init", key.expose());
                let nonce = vec![0u8; aead.nonce_len()];
                aead.seal(key.expose(), &nonce, &secret.associated_data, payload)?
            }
            None => payload.to_vec(),
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
        let wire = x.encode_message(&message)?;
        trace.record(party, "initial message", &wire);
        Ok(Initiated {
            message,
            wire,
            secret,
            their_identity_key: b.identity_key.clone(),
            their_signed_prekey: b.signed_prekey.clone(),
        })
    }
}
