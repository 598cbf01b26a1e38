//! Sessions: a ratchet suite, started from what a handshake gave, that
//! encrypts, decrypts and serializes.
//!
//! A [`SessionInit`] holds the handshake's output in the form every
//! handshake can give: the root key, the chain key and PQ-ratchet key where
//! the handshake derives them (libsignal's PQXDH: `RK`, `CK`, `PQRK`), the
//! associated data, and the first ratchet keys. Turning a particular
//! handshake's result into one is the caller's step (twofold-harness does it
//! for X3DH, PQXDH, Noise and the PQ3-style set-up), so this crate depends on
//! no handshake.
//!
//! Serialized form (versioned): `"TFSS" || 0x01 || postcard(suite, state) ||
//! SHA-256 of everything before`. A truncated or corrupted state is a typed
//! error, never a panic; the checksum is for corruption, not an
//! authenticator (a state is as secret as its keys).

use serde::{Deserialize, Serialize};
use twofold_core::{CryptoRng, Hash, Observer, Party, Resolver, SecretBytes};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::cka::Cka;
use crate::cka::dh::DhCka;
use crate::cka::hybrid::HybridCka;
use crate::cka::kem::KemCka;
use crate::double::{
    Body, Config, Format, Limits, Ratchet, RatchetState, Received, SendOptions, Start,
};
use crate::kdf::{Kdfs, Key};
use crate::labels;
use crate::policy::RekeyPolicy;
use crate::sparse::Sparse;
use crate::spqr::SpqrSource;
use crate::suite::{RatchetKind, RatchetProfile, RatchetSuite};
use crate::{RatchetError, Result};

/// What a handshake gives a session.
pub struct SessionInit {
    /// Which side this is (the handshake's initiator sends first).
    pub party: Party,
    /// The root key (`SK` of the spec profiles, `RK` of libsignal's).
    pub root_key: Key,
    /// The handshake's chain key (libsignal's `CK`), if it gives one.
    pub chain_key: Option<Key>,
    /// The PQ-ratchet key (libsignal's PQXDH bytes 64..96, SPQR's
    /// `auth_key`), for the Triple Ratchet. Without it, the twofold profile
    /// splits the root key into a root key and an auth key
    /// ([`crate::labels::TRIPLE_KEYS_INFO`]); the signal profile refuses.
    pub pq_ratchet_key: Option<Key>,
    /// Associated data: the handshake's AD (twofold format); for the signal
    /// profile `IK_ours || IK_theirs`, each `0x05 || X25519 u` (33 bytes), the
    /// MAC's identity input.
    pub associated_data: Vec<u8>,
    /// The initiator's: the responder's first DH ratchet public key
    /// (libsignal: Bob's signed prekey).
    pub their_ratchet_key: Option<Vec<u8>>,
    /// The responder's: the secret key of that ratchet key.
    pub our_ratchet_key: Option<SecretBytes>,
    /// A first KEM public key of the peer, if the set-up gave one.
    pub their_kem_key: Option<Vec<u8>>,
    /// Our KEM key pair (secret, public) whose public key the peer holds.
    pub our_kem_key: Option<(SecretBytes, Vec<u8>)>,
}

impl core::fmt::Debug for SessionInit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionInit")
            .field("party", &self.party)
            .finish_non_exhaustive()
    }
}

/// The primitives of a suite, resolved.
struct Resolved {
    cfg: Config,
    dh: Option<&'static dyn twofold_core::Dh>,
    kem: Option<&'static dyn twofold_core::Kem>,
    policy: RekeyPolicy,
}

fn suite_err(suite: &RatchetSuite, e: twofold_core::Error) -> RatchetError {
    RatchetError::InvalidSuite {
        name: suite.to_string(),
        reason: e.to_string(),
    }
}

fn resolve(suite: &RatchetSuite, r: &dyn Resolver) -> Result<Resolved> {
    let e = |x| suite_err(suite, x);
    let signal = suite.profile == RatchetProfile::Signal;
    let kdf = r.kdf(&suite.kdf_name()).map_err(e)?;
    let hmac = r.hash(&suite.hash.to_string()).map_err(e)?;
    let body = match &suite.aead {
        Some(a) => Body::Aead(r.aead(&a.to_string()).map_err(e)?),
        None => Body::SignalCbc(r.cipher("AES-256-CBC").map_err(e)?),
    };
    let dh = match &suite.dh {
        Some(d) => Some(r.dh(&d.to_string()).map_err(e)?),
        None => None,
    };
    let kem = match &suite.kem {
        Some(k) => Some(r.kem(&k.to_string()).map_err(e)?),
        None => None,
    };
    let (root_info, message_info) = if signal {
        (labels::SIGNAL_ROOT_INFO, labels::SIGNAL_MESSAGE_KEYS_INFO)
    } else {
        (labels::ROOT_INFO, labels::MESSAGE_KEYS_INFO)
    };
    let limits = if signal {
        Limits {
            max_skip: labels::SIGNAL_MAX_FORWARD_JUMPS,
            max_stored_keys: labels::SIGNAL_MAX_MESSAGE_KEYS,
            max_receiving_chains: labels::SIGNAL_MAX_RECEIVER_CHAINS,
            skipped_key_lifetime: None,
        }
    } else {
        Limits::default()
    };
    Ok(Resolved {
        cfg: Config {
            kdfs: Kdfs {
                kdf,
                hmac,
                root_info,
                message_info,
            },
            body,
            format: if signal {
                Format::Signal {
                    version: if suite.kind == RatchetKind::Triple {
                        labels::SIGNAL_VERSION_BYTE
                    } else {
                        labels::SIGNAL_VERSION_BYTE_V3
                    },
                }
            } else {
                Format::Twofold {
                    header_encryption: suite.header_encryption,
                }
            },
            limits,
        },
        dh,
        kem,
        policy: suite.policy.unwrap_or(RekeyPolicy::EveryTurn),
    })
}

fn need<T>(v: Option<T>, what: &'static str) -> Result<T> {
    v.ok_or(RatchetError::Misuse(what))
}

fn initial_cka(suite: &RatchetSuite, r: &Resolved, init: &SessionInit) -> Result<Box<dyn Cka>> {
    let initiator = init.party == Party::Initiator;
    Ok(match suite.kind {
        RatchetKind::Double | RatchetKind::Triple => {
            let dh = need(r.dh, "the suite has no DH")?;
            if initiator {
                let theirs = need(init.their_ratchet_key.as_deref(), "the peer's ratchet key")?;
                Box::new(DhCka::initiator(dh, theirs)?)
            } else {
                let ours = need(init.our_ratchet_key.as_ref(), "our ratchet key")?;
                Box::new(DhCka::responder(dh, ours.duplicate())?)
            }
        }
        RatchetKind::Kem => {
            let kem = need(r.kem, "the suite has no KEM")?;
            match (&init.their_kem_key, &init.our_kem_key) {
                (Some(pk), _) => Box::new(KemCka::with_their_key(kem, pk)?),
                (None, Some((sk, pk))) => {
                    Box::new(KemCka::with_our_key(kem, sk.duplicate(), pk.clone())?)
                }
                (None, None) => Box::new(KemCka::new(kem)),
            }
        }
        RatchetKind::Hybrid | RatchetKind::Pq3 => {
            let dh = need(r.dh, "the suite has no DH")?;
            let kem = need(r.kem, "the suite has no KEM")?;
            if initiator {
                let theirs = need(init.their_ratchet_key.as_deref(), "the peer's ratchet key")?;
                Box::new(HybridCka::initiator(
                    dh,
                    kem,
                    r.policy,
                    theirs,
                    init.their_kem_key.as_deref(),
                )?)
            } else {
                let ours = need(init.our_ratchet_key.as_ref(), "our ratchet key")?;
                Box::new(HybridCka::responder(dh, kem, r.policy, ours.duplicate())?)
            }
        }
    })
}

fn load_cka(suite: &RatchetSuite, r: &Resolved, bytes: &[u8]) -> Result<Box<dyn Cka>> {
    Ok(match suite.kind {
        RatchetKind::Double | RatchetKind::Triple => Box::new(DhCka::from_bytes(
            need(r.dh, "the suite has no DH")?,
            bytes,
        )?),
        RatchetKind::Kem => Box::new(KemCka::from_bytes(
            need(r.kem, "the suite has no KEM")?,
            bytes,
        )?),
        RatchetKind::Hybrid | RatchetKind::Pq3 => Box::new(HybridCka::from_bytes(
            need(r.dh, "the suite has no DH")?,
            need(r.kem, "the suite has no KEM")?,
            r.policy,
            bytes,
        )?),
    })
}

/// The header keys `(shared_hka, shared_nhkb)` of the header-encryption
/// variant, from the root key (§4.1 leaves their agreement to the
/// handshake; here they come from the same secret through their own label).
fn initial_header_keys(kdfs: &Kdfs, root: &Key) -> Result<(Key, Key)> {
    two_keys(kdfs, root, labels::INITIAL_HEADER_KEYS_INFO)
}

/// `HKDF(salt = none, ikm = secret, info, 64)` cut into two keys.
fn two_keys(kdfs: &Kdfs, secret: &Key, info: &[u8]) -> Result<(Key, Key)> {
    let out = kdfs.kdf.derive(&[], secret.expose(), info, 64)?;
    let b = out.expose();
    if b.len() != 64 {
        return Err(RatchetError::Misuse("KDF output of the wrong length"));
    }
    let to_key =
        |s: &[u8]| Key::from_slice(s).map_err(|_| RatchetError::Misuse("key of the wrong length"));
    Ok((to_key(&b[..32])?, to_key(&b[32..])?))
}

/// A ratchet session.
pub struct Session {
    suite: RatchetSuite,
    ratchet: Ratchet,
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("suite", &self.suite.to_string())
            .field("ratchet", &self.ratchet)
            .finish()
    }
}

/// The serialized form.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct SessionFile {
    suite: String,
    state: RatchetState,
}

const MAGIC: &[u8; 4] = b"TFSS";
const VERSION: u8 = 1;
const DIGEST_LEN: usize = 32;

fn checksum(sha256: &dyn Hash, bytes: &[u8]) -> Vec<u8> {
    sha256.hash(&[bytes])
}

impl Session {
    /// Starts `suite` (see [`crate::suite`]) from a handshake's output,
    /// drawing the initiator's first ratchet key from `rng`.
    pub fn new(
        suite: &str,
        resolver: &dyn Resolver,
        init: SessionInit,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Self> {
        let parsed = RatchetSuite::parse(suite)?;
        let r = resolve(&parsed, resolver)?;
        let cka = initial_cka(&parsed, &r, &init)?;
        let signal = parsed.profile == RatchetProfile::Signal;
        let initiator = init.party == Party::Initiator;
        // libsignal starts Bob with a sending chain under his signed prekey
        // and Alice with the matching receiving chain (both from PQXDH's CK);
        // the specification starts both without chains.
        let (sending_chain, receiving_chain) = match (signal, initiator, &init.chain_key) {
            (true, true, Some(ck)) => (
                None,
                Some((
                    need(init.their_ratchet_key.clone(), "the peer's ratchet key")?,
                    ck.duplicate(),
                )),
            ),
            (true, false, Some(ck)) => {
                let sk = need(init.our_ratchet_key.as_ref(), "our ratchet key")?;
                let dh = need(r.dh, "the suite has no DH")?;
                (Some((ck.duplicate(), dh.public_key(sk.expose())?)), None)
            }
            (true, _, None) => return Err(RatchetError::Misuse("the signal profile needs CK")),
            _ => (None, None),
        };
        let mut root_key = init.root_key;
        let sparse: Option<Box<dyn Sparse>> = match (parsed.kind, &init.pq_ratchet_key) {
            (RatchetKind::Triple, Some(pqrk)) => {
                Some(Box::new(SpqrSource::new(resolver, init.party, pqrk)?))
            }
            // A handshake with one secret (X3DH, PQXDH of the specification):
            // the twofold profile splits it, so that the root key and SPQR's
            // auth key are independent as in libsignal's PQXDH.
            (RatchetKind::Triple, None) if !signal => {
                let (rk, pqrk) = two_keys(&r.cfg.kdfs, &root_key, labels::TRIPLE_KEYS_INFO)?;
                root_key = rk;
                Some(Box::new(SpqrSource::new(resolver, init.party, &pqrk)?))
            }
            (RatchetKind::Triple, None) => {
                return Err(RatchetError::Misuse(
                    "the signal Triple Ratchet needs PQXDH's PQ-ratchet key",
                ));
            }
            _ => None,
        };
        let header_keys = if parsed.header_encryption {
            Some(initial_header_keys(&r.cfg.kdfs, &root_key)?)
        } else {
            None
        };
        let ratchet = Ratchet::new(
            r.cfg,
            Start {
                party: init.party,
                root_key,
                cka,
                sending_chain,
                receiving_chain,
                sparse,
                associated_data: init.associated_data,
                header_keys,
            },
            rng,
            observer,
        )?;
        Ok(Self {
            suite: parsed,
            ratchet,
        })
    }

    /// The suite.
    pub fn suite(&self) -> &RatchetSuite {
        &self.suite
    }

    /// The ratchet (counters, epochs, skipped keys).
    pub fn ratchet(&self) -> &Ratchet {
        &self.ratchet
    }

    /// Encrypts the next message.
    pub fn encrypt(
        &mut self,
        plaintext: &[u8],
        opts: &SendOptions,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Vec<u8>> {
        self.ratchet.encrypt(plaintext, opts, rng, observer)
    }

    /// Decrypts a message; on any error the session is unchanged.
    pub fn decrypt(
        &mut self,
        message: &[u8],
        now: u64,
        rng: &mut dyn CryptoRng,
        observer: &mut dyn Observer,
    ) -> Result<Received> {
        self.ratchet.decrypt(message, now, rng, observer)
    }

    /// The serialized session (see the module documentation).
    pub fn to_bytes(&self, resolver: &dyn Resolver) -> Result<SecretBytes> {
        let sha256 = resolver.hash("SHA-256")?;
        let file = SessionFile {
            suite: self.suite.to_string(),
            state: self.ratchet.to_state(),
        };
        let body = postcard::to_allocvec(&file)
            .map_err(|_| RatchetError::Misuse("session state does not serialize"))?;
        let mut out = Vec::with_capacity(5 + body.len() + DIGEST_LEN);
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&body);
        let digest = checksum(sha256, &out);
        out.extend_from_slice(&digest);
        let mut body = body;
        body.zeroize();
        Ok(SecretBytes::new(out))
    }

    /// Reads a session written by [`Self::to_bytes`].
    pub fn from_bytes(bytes: &[u8], resolver: &dyn Resolver) -> Result<Self> {
        if bytes.len() < MAGIC.len() + 1 + DIGEST_LEN {
            return Err(RatchetError::Malformed("session state: truncated"));
        }
        if &bytes[..4] != MAGIC {
            return Err(RatchetError::Malformed(
                "session state: not a twofold session",
            ));
        }
        if bytes[4] != VERSION {
            return Err(RatchetError::Malformed("session state: unknown version"));
        }
        let (content, digest) = bytes.split_at(bytes.len() - DIGEST_LEN);
        let sha256 = resolver.hash("SHA-256")?;
        if checksum(sha256, content) != digest {
            return Err(RatchetError::Malformed("session state: checksum mismatch"));
        }
        // `take_from_bytes`: postcard's `from_bytes` ignores trailing bytes,
        // and a state must have one encoding.
        let (file, rest): (SessionFile, &[u8]) = postcard::take_from_bytes(&content[5..])
            .map_err(|_| RatchetError::Malformed("session state: does not decode"))?;
        if !rest.is_empty() {
            return Err(RatchetError::Malformed(
                "session state: bytes after the state",
            ));
        }
        let suite = RatchetSuite::parse(&file.suite)?;
        let r = resolve(&suite, resolver)?;
        let cka = load_cka(&suite, &r, file.state.cka_bytes())?;
        let sparse: Option<Box<dyn Sparse>> = match (suite.kind, file.state.sparse_bytes()) {
            (RatchetKind::Triple, Some(b)) => Some(Box::new(SpqrSource::from_bytes(resolver, b)?)),
            (RatchetKind::Triple, None) | (_, Some(_)) => {
                return Err(RatchetError::Malformed(
                    "session state: sparse state does not fit the suite",
                ));
            }
            (_, None) => None,
        };
        let ratchet = Ratchet::from_state(r.cfg, &file.state, cka, sparse);
        let session = Self { suite, ratchet };
        // One encoding per state: postcard also reads non-minimal varints,
        // and the nested decoders have their own defaults, so what was read
        // must be what this state writes.
        if session.to_bytes(resolver)?.expose() != bytes {
            return Err(RatchetError::Malformed(
                "session state: not in its canonical encoding",
            ));
        }
        Ok(session)
    }
}
