//! Starting both sessions of a ratchet suite from a handshake.
//!
//! | ratchet                  | default handshake                        | first ratchet key of the responder |
//! |--------------------------|------------------------------------------|------------------------------------|
//! | `DoubleRatchet_spec*`    | `X3DH_spec_X25519_SHA-256`               | `SPK_B` (X3DH §3.3)                |
//! | `DoubleRatchet_signal`   | `X3DH_signal_X25519_SHA-256`             | `SPK_B` (libsignal)                |
//! | `TripleRatchet_signal`   | `PQXDH_signal_X25519_SHA-256_Kyber1024`  | `SPK_B`; SPQR from `PQRK`          |
//! | `TripleRatchet_twofold`  | `PQXDH_spec_X25519_SHA-256_ML-KEM-768`   | `SPK_B`; SPQR from a split of `SK` |
//! | `KemRatchet_twofold`     | `Noise_pqXX_MLKEM768_ChaChaPoly_SHA256`  | none: the first epoch sends a key  |
//! | `HybridRatchet_twofold`  | `PQXDH_spec_X25519_SHA-256_ML-KEM-768`   | `SPK_B`                            |
//! | `PQ3Ratchet_twofold`     | `PQ3_P-256_Kyber1024_HKDF-SHA256`        | the registered P-256 key           |
//!
//! A Noise handshake gives the ratchet `HKDF(ck, label)` as its root key
//! ([`NOISE_EXPORT_LABEL`]) and the handshake hash `h` as its associated
//! data; it has no ratchet key for a responder, so only the KEM ratchet
//! starts from one.

use std::sync::Arc;

use twofold_core::{CryptoRng, Observer, Party, Resolver, SecretBytes};
use twofold_handshake::bundle::PrekeyStore;
use twofold_handshake::pq3::Pq3Setup;
use twofold_handshake::prekey::{
    InitialMessage, Initiated, OneTimePrekeys, PrekeyHandshake, Profile, SessionSecret,
};
use twofold_ratchet::double::{Received, SendOptions};
use twofold_ratchet::kdf::Key;
use twofold_ratchet::session::{Session, SessionInit};
use twofold_ratchet::suite::{RatchetKind, RatchetProfile, RatchetSuite};

use super::{Error, Result};
use crate::handshakes::{self, Protocol, noise, prekey};

/// The label of the Noise export that keys a ratchet.
pub const NOISE_EXPORT_LABEL: &[u8] = b"twofold ratchet v1 root from Noise";

/// The PQ3-style set-up as a handshake name: `PQ3_<DH>_<KEM>_<KDF>`.
pub const PQ3_SETUP: &str = "PQ3_P-256_Kyber1024_HKDF-SHA256";

/// The handshake a ratchet suite starts from unless told otherwise (see the
/// module table).
pub fn default_handshake(suite: &RatchetSuite) -> &'static str {
    match (suite.kind, suite.profile) {
        (RatchetKind::Double, RatchetProfile::Signal) => "X3DH_signal_X25519_SHA-256",
        (RatchetKind::Double, _) => "X3DH_spec_X25519_SHA-256",
        (RatchetKind::Triple, RatchetProfile::Signal) => "PQXDH_signal_X25519_SHA-256_Kyber1024",
        (RatchetKind::Triple | RatchetKind::Hybrid, _) => "PQXDH_spec_X25519_SHA-256_ML-KEM-768",
        (RatchetKind::Kem, _) => "Noise_pqXX_MLKEM768_ChaChaPoly_SHA256",
        (RatchetKind::Pq3, _) => PQ3_SETUP,
    }
}

/// One message on the in-memory channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Who sent it.
    pub from: Party,
    /// Whether it carries the handshake (libsignal's PreKeySignalMessage:
    /// the envelope type says so, as Signal's server does).
    pub prekey: bool,
    /// The bytes on the wire.
    pub bytes: Vec<u8>,
}

/// Where one side stands.
struct Side {
    session: Option<Session>,
    /// The initiator of a signal-profile handshake: the initial message
    /// each of its messages rides in until it has received one.
    wrap: Option<InitialMessage>,
    /// The responder of a signal-profile handshake before its session
    /// exists: its prekeys.
    store: Option<PrekeyStore>,
    /// The responder of a signal-profile handshake once its session exists:
    /// the base key and identity key of the initial message it came from.
    base: Option<(Vec<u8>, Vec<u8>)>,
    /// The responder of a prekey handshake once it has accepted: the
    /// one-time prekeys its store spent.
    spent: Option<OneTimePrekeys>,
}

/// Both sides of a ratchet session, in memory.
pub struct Pair {
    suite: String,
    handshake: String,
    handshake_bytes: usize,
    resolver: Arc<dyn Resolver>,
    /// The prekey handshake, for the signal profile's wrapping.
    hs: Option<PrekeyHandshake>,
    sides: [Side; 2],
}

impl core::fmt::Debug for Pair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pair")
            .field("suite", &self.suite)
            .field("handshake", &self.handshake)
            .finish_non_exhaustive()
    }
}

fn idx(p: Party) -> usize {
    match p {
        Party::Initiator => 0,
        Party::Responder => 1,
    }
}

fn key(b: &SecretBytes) -> Result<Key> {
    Ok(Key::from_slice(b.expose())?)
}

/// The session's associated data from the prekey handshake's
/// `IK_A || IK_B`: as it is for the twofold format; our half first for the
/// signal profile, whose MAC input names the sender's identity key first
/// (the ratchet orders the halves per message).
fn session_ad(ad: &[u8], party: Party, profile: Profile) -> Vec<u8> {
    match (profile, party) {
        (Profile::Spec, _) | (Profile::Signal, Party::Initiator) => ad.to_vec(),
        (Profile::Signal, Party::Responder) => {
            let (a, b) = ad.split_at(ad.len() / 2);
            [b, a].concat()
        }
    }
}

/// A session start from a prekey handshake's secret.
fn prekey_init(
    secret: &SessionSecret,
    profile: Profile,
    party: Party,
    their_ratchet_key: Option<Vec<u8>>,
    our_ratchet_key: Option<SecretBytes>,
) -> Result<SessionInit> {
    let opt = |k: Option<&SecretBytes>| k.map(key).transpose();
    Ok(SessionInit {
        party,
        root_key: key(secret.root_key())?,
        chain_key: opt(secret.chain_key())?,
        pq_ratchet_key: opt(secret.pq_ratchet_auth_key())?,
        associated_data: session_ad(secret.associated_data(), party, profile),
        their_ratchet_key,
        our_ratchet_key,
        their_kem_key: None,
        our_kem_key: None,
    })
}

/// A session start with no handshake-given ratchet key.
fn bare_init(party: Party, root_key: Key, associated_data: Vec<u8>) -> SessionInit {
    SessionInit {
        party,
        root_key,
        chain_key: None,
        pq_ratchet_key: None,
        associated_data,
        their_ratchet_key: None,
        our_ratchet_key: None,
        their_kem_key: None,
        our_kem_key: None,
    }
}

/// What a handshake gave: both starts (the responder's may wait for the
/// first message), the bytes it sent on its own, and the signal wrapping.
struct Started {
    alice: SessionInit,
    bob: Option<SessionInit>,
    handshake_bytes: usize,
    hs: Option<PrekeyHandshake>,
    wrap: Option<InitialMessage>,
    store: Option<PrekeyStore>,
    /// What the responder spent if it accepted during the set-up.
    spent: Option<OneTimePrekeys>,
}

fn prekey_start(
    name: &str,
    resolver: &dyn Resolver,
    rng: &mut dyn CryptoRng,
    observer: &mut dyn Observer,
) -> Result<Started> {
    let hs = PrekeyHandshake::new(name, resolver)?;
    let (store, bundle) = prekey::bob(&hs, rng)?;
    let alice_id = hs.generate_identity(rng)?;
    let sent = hs
        .initiator(&alice_id, &bundle)?
        .initiate(&[], rng, observer)?;
    prekey_started(hs, store, sent, observer)
}

/// The starts from a prekey handshake Alice has initiated: in the signal
/// profile her initial message waits to ride in her first messages; in the
/// spec profile Bob accepts it at once.
fn prekey_started(
    hs: PrekeyHandshake,
    mut store: PrekeyStore,
    sent: Initiated,
    observer: &mut dyn Observer,
) -> Result<Started> {
    let alice = prekey_init(
        &sent.secret,
        hs.profile(),
        Party::Initiator,
        Some(sent.their_signed_prekey.clone()),
        None,
    )?;
    if hs.profile() == Profile::Signal {
        // The initial message goes out inside Alice's first messages.
        return Ok(Started {
            alice,
            bob: None,
            handshake_bytes: 0,
            wrap: Some(sent.message),
            hs: Some(hs),
            store: Some(store),
            spent: None,
        });
    }
    let got = hs.accept(&mut store, &sent.wire, observer)?;
    let spk = store.signed_prekey_secret(got.message.signed_prekey_id)?;
    let bob = prekey_init(&got.secret, hs.profile(), Party::Responder, None, Some(spk))?;
    Ok(Started {
        alice,
        bob: Some(bob),
        handshake_bytes: sent.wire.len(),
        hs: None,
        wrap: None,
        store: None,
        spent: Some(got.one_time_prekeys),
    })
}

fn noise_start(
    name: &str,
    resolver: &dyn Resolver,
    rng: &mut dyn CryptoRng,
    observer: &mut dyn Observer,
) -> Result<Started> {
    let prepared = noise::Prepared::new(name, resolver, rng)?;
    let noise::Finished {
        messages,
        states: [i, r],
    } = prepared.finish(rng, observer)?;
    let ki = key(&i.export_secret(NOISE_EXPORT_LABEL, "ratchet root", observer)?)?;
    let kr = key(&r.export_secret(NOISE_EXPORT_LABEL, "ratchet root", observer)?)?;
    Ok(Started {
        alice: bare_init(Party::Initiator, ki, i.handshake_hash().to_vec()),
        bob: Some(bare_init(Party::Responder, kr, r.handshake_hash().to_vec())),
        handshake_bytes: messages.iter().map(|&(_, len)| len).sum(),
        hs: None,
        wrap: None,
        store: None,
        spent: None,
    })
}

fn pq3_start(
    name: &str,
    resolver: &dyn Resolver,
    rng: &mut dyn CryptoRng,
    observer: &mut dyn Observer,
) -> Result<Started> {
    let parts: Vec<&str> = name.split('_').collect();
    let [_, dh, kem, kdf] = parts[..] else {
        return Err(Error::Mismatch(format!(
            "{name:?}: a PQ3-style set-up is named PQ3_<DH>_<KEM>_<KDF>, e.g. {PQ3_SETUP}"
        )));
    };
    let setup = Pq3Setup::with(resolver, dh, kem, kdf)?;
    // The receiver's registered keys.
    let (r_dh, r_dh_sk) = setup.dh().generate(rng)?;
    let (r_kem, r_kem_sk) = setup.kem().generate(rng)?;
    let (message, a) = setup.initiate(&r_dh, &r_kem, rng, observer)?;
    let b = setup.respond(r_dh_sk.expose(), r_kem_sk.expose(), &message, observer)?;
    let mut alice = bare_init(Party::Initiator, key(&a.root_key)?, a.associated_data);
    alice.their_ratchet_key = Some(r_dh);
    let mut bob = bare_init(Party::Responder, key(&b.root_key)?, b.associated_data);
    bob.our_ratchet_key = Some(r_dh_sk);
    Ok(Started {
        alice,
        bob: Some(bob),
        handshake_bytes: message.len(),
        hs: None,
        wrap: None,
        store: None,
        spent: None,
    })
}

impl Pair {
    /// Runs `handshake` (default: [`default_handshake`]) and starts both
    /// sessions of `suite` from it; primitives from `resolver`, randomness
    /// from `rng`, every step of the handshake and the ratchets reported to
    /// `observer`.
    pub fn establish(
        suite: &str,
        handshake: Option<&str>,
        resolver: Arc<dyn Resolver>,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Self> {
        let parsed = RatchetSuite::parse(suite)?;
        let hname = handshake.unwrap_or_else(|| default_handshake(&parsed));
        let started = if hname.starts_with("PQ3_") {
            pq3_start(hname, &*resolver, rng, observer)?
        } else {
            match handshakes::protocol_of(hname)? {
                Protocol::X3dh | Protocol::Pqxdh => prekey_start(hname, &*resolver, rng, observer)?,
                Protocol::Noise => noise_start(hname, &*resolver, rng, observer)?,
            }
        };
        Self::start(suite, hname, started, resolver, rng, observer)
    }

    /// Starts both sessions of `suite` from a prekey handshake the caller
    /// ran with prekeys and coins of its own (a test vector's): `hs`, Bob's
    /// `store` holding the prekeys of the bundle Alice used, and Alice's
    /// `initiated` (her initial message's payload is replaced by each
    /// message it rides in). The choreography is [`Self::establish`]'s;
    /// Alice's first ratchet key is drawn from `rng`.
    pub fn from_prekey_handshake(
        suite: &str,
        hs: PrekeyHandshake,
        store: PrekeyStore,
        initiated: Initiated,
        resolver: Arc<dyn Resolver>,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Self> {
        let hname = hs.suite_name().to_string();
        let started = prekey_started(hs, store, initiated, observer)?;
        Self::start(suite, &hname, started, resolver, rng, observer)
    }

    fn start(
        suite: &str,
        hname: &str,
        started: Started,
        resolver: Arc<dyn Resolver>,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Self> {
        let fit = |e: Error| match e {
            Error::Ratchet(twofold_ratchet::RatchetError::Misuse(m)) => {
                Error::Mismatch(format!("{suite} cannot start from {hname}: {m}"))
            }
            e => e,
        };
        let alice = Session::new(suite, &*resolver, started.alice, rng, observer)
            .map_err(|e| fit(e.into()))?;
        let bob = match started.bob {
            Some(init) => Some(
                Session::new(suite, &*resolver, init, rng, observer).map_err(|e| fit(e.into()))?,
            ),
            None => None,
        };
        Ok(Self {
            suite: alice.suite().to_string(),
            handshake: hname.to_string(),
            handshake_bytes: started.handshake_bytes,
            resolver,
            hs: started.hs,
            sides: [
                Side {
                    session: Some(alice),
                    wrap: started.wrap,
                    store: None,
                    base: None,
                    spent: None,
                },
                Side {
                    session: bob,
                    wrap: None,
                    store: started.store,
                    base: None,
                    spent: started.spent,
                },
            ],
        })
    }

    /// The ratchet suite.
    pub fn suite(&self) -> &str {
        &self.suite
    }

    /// The handshake it started from.
    pub fn handshake(&self) -> &str {
        &self.handshake
    }

    /// Bytes the handshake sent on its own (0 when its message rides in the
    /// ratchet's first messages, as in the signal profile).
    pub fn handshake_bytes(&self) -> usize {
        self.handshake_bytes
    }

    /// A side's session (the signal-profile responder has none before its
    /// first message).
    pub fn session(&self, party: Party) -> Option<&Session> {
        self.sides[idx(party)].session.as_ref()
    }

    /// The one-time prekeys `party`'s store spent when it accepted the
    /// handshake (`None` before it has accepted, and for the initiator).
    /// In the signal profile that is when its first message decrypted.
    pub fn spent_prekeys(&self, party: Party) -> Option<OneTimePrekeys> {
        self.sides[idx(party)].spent
    }

    /// Whether `party` can send now (a responder sends once it has
    /// received).
    pub fn can_send(&self, party: Party) -> bool {
        self.session(party).is_some_and(|s| s.ratchet().can_send())
    }

    /// `party` encrypts its next message.
    pub fn send(
        &mut self,
        party: Party,
        plaintext: &[u8],
        opts: &SendOptions,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Envelope> {
        let side = &mut self.sides[idx(party)];
        let session =
            side.session
                .as_mut()
                .ok_or(Error::Ratchet(twofold_ratchet::RatchetError::Misuse(
                    "no session yet: receive first",
                )))?;
        let inner = session.encrypt(plaintext, opts, rng, observer)?;
        let (prekey, bytes) = match (&side.wrap, &self.hs) {
            (Some(m), Some(hs)) => {
                let mut m = m.clone();
                m.payload = inner;
                (true, hs.encode_message(&m)?)
            }
            _ => (false, inner),
        };
        Ok(Envelope {
            from: party,
            prekey,
            bytes,
        })
    }

    /// `party` decrypts `envelope`; on any error nothing changes (not the
    /// session, not the prekeys).
    pub fn receive(
        &mut self,
        party: Party,
        envelope: &Envelope,
        now: u64,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Received> {
        let suite = &self.suite;
        let resolver = &*self.resolver;
        let side = &mut self.sides[idx(party)];
        let got = match (envelope.prekey, &self.hs) {
            (false, _) => {
                let session = side
                    .session
                    .as_mut()
                    .ok_or(Error::Mismatch("a message before the handshake".into()))?;
                session.decrypt(&envelope.bytes, now, rng, observer)?
            }
            (true, None) => {
                return Err(Error::Mismatch(
                    "a prekey message in a session without one".into(),
                ));
            }
            (true, Some(hs)) => match (&mut side.session, &mut side.store) {
                (Some(session), _) => {
                    // As libsignal: a PreKeySignalMessage whose base key
                    // matches a session goes to that session, its other
                    // handshake fields unread; the identity key is checked
                    // against the one already trusted.
                    let m = hs.decode_message(&envelope.bytes)?;
                    match &side.base {
                        Some((base, identity)) if *base == m.base_key => {
                            if *identity != m.identity_key {
                                return Err(Error::Mismatch(
                                    "a PreKeySignalMessage with another identity key".into(),
                                ));
                            }
                        }
                        _ => {
                            return Err(Error::Mismatch(
                                "a PreKeySignalMessage for no session (another base key)".into(),
                            ));
                        }
                    }
                    session.decrypt(&m.payload, now, rng, observer)?
                }
                (None, Some(store)) => {
                    let accepted = hs.accept(store, &envelope.bytes, observer)?;
                    let spk = store.signed_prekey_secret(accepted.message.signed_prekey_id)?;
                    let init = prekey_init(&accepted.secret, hs.profile(), party, None, Some(spk))?;
                    let mut session = Session::new(suite, resolver, init, rng, observer)?;
                    let got = session.decrypt(&accepted.payload, now, rng, observer)?;
                    // Only now, with the first message authentic, are the
                    // one-time prekeys spent (libsignal does the same).
                    store.consume(&accepted.one_time_prekeys);
                    side.spent = Some(accepted.one_time_prekeys);
                    side.session = Some(session);
                    side.store = None;
                    side.base = Some((accepted.message.base_key, accepted.message.identity_key));
                    got
                }
                (None, None) => {
                    return Err(Error::Mismatch(
                        "a prekey message for a side that does not accept one".into(),
                    ));
                }
            },
        };
        // Having heard from the peer, the initiator stops resending the
        // handshake.
        side.wrap = None;
        Ok(got)
    }

    /// Serializes `party`'s session and reads it back in its place (what an
    /// application restarting does); the bytes' length.
    pub fn reload(&mut self, party: Party) -> Result<usize> {
        let side = &mut self.sides[idx(party)];
        let Some(session) = &side.session else {
            return Ok(0);
        };
        let bytes = session.to_bytes(&*self.resolver)?;
        side.session = Some(Session::from_bytes(bytes.expose(), &*self.resolver)?);
        Ok(bytes.len())
    }

    /// The serialized size of `party`'s session (0 before it exists).
    pub fn state_bytes(&self, party: Party) -> Result<usize> {
        match self.session(party) {
            Some(s) => Ok(s.to_bytes(&*self.resolver)?.len()),
            None => Ok(0),
        }
    }
}

/// Whether PreKeySignalMessage `other` differs from `original` only in
/// fields the receiver does not authenticate or read, so that it may be
/// accepted as `original`: the registration id (never authenticated), and,
/// once the session of the message's base key exists (`session_exists`),
/// the prekey ids and the KEM ciphertext, which libsignal does not read
/// again. Either one failing to decode is `false`.
pub fn differs_only_where_unread(
    hs: &PrekeyHandshake,
    original: &[u8],
    other: &[u8],
    session_exists: bool,
) -> bool {
    let (Ok(mut x), Ok(y)) = (hs.decode_message(original), hs.decode_message(other)) else {
        return false;
    };
    x.registration_id = y.registration_id;
    if session_exists {
        x.signed_prekey_id = y.signed_prekey_id;
        x.one_time_prekey_id = y.one_time_prekey_id;
        x.kem_prekey_id = y.kem_prekey_id;
        x.kem_ciphertext = y.kem_ciphertext.clone();
    }
    x == y
}
