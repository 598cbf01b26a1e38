//! One party's whole SPQR state: version negotiation, the Braid's SCKA
//! state and the chain, behind `send` and `recv` (`spqr` v1.5.3 `src/lib.rs`:
//! `initial_state`, `send`, `recv`).
//!
//! Every call takes the state by reference and returns the state that
//! follows, so that a caller commits a new state only once the message it
//! belongs to is accepted; a call that fails changes nothing.
//!
//! # Send
//! The SCKA state gives the payload (and, on the send_ct side's first ct1
//! chunk, a new epoch secret, added to the chain first). The message key is
//! the next sending key of epoch `msg.epoch − 1`: the latest epoch the peer
//! is sure to know when the message arrives. Its index goes in the message.
//! The chain is made from the auth key (`HKDF(0^32, auth_key,
//! "Signal PQ Ratchet V1 Chain  Start", 96)`, two spaces) at the first send
//! or receive; a party that still negotiates and accepts V0
//! (`min_version = V0`) makes no chain when it sends, so its messages carry
//! index 0 and no key until it has received once.
//!
//! # Receive
//! * An empty message is V0. A message of a lower version than this party's
//!   downgrades it to V0 (no SPQR from then on) while it still negotiates
//!   and the version is at least `min_version`; below that it is
//!   [`RatchetError::MinimumVersion`], and after negotiation
//!   [`RatchetError::VersionMismatch`].
//! * A message whose version byte this code does not know is ignored (no
//!   key, state unchanged), as deployed: a later version's peer may still
//!   fall back.
//! * Otherwise the SCKA state takes the message (a new epoch secret is added
//!   to the chain), the key is the receiving key `(msg.epoch − 1, index)`,
//!   with `(0, 0)` meaning no key, and negotiation ends. A message of an
//!   earlier epoch than the SCKA state's is ignored by the Braid but still
//!   gets its key, while the chain holds that epoch (the one before the
//!   sending epoch and later); a message of epoch 0 is malformed, as
//!   deployed.
//!
//! A V0 party sends empty messages and takes nothing from any message.
//!
//! # Randomness
//! Only `send` draws, through `obs.rng(rng, purpose)`, and at most once a
//! call, in the deployed order and shapes (`fill_bytes` of a whole array):
//! * the send_ek side's first send of an epoch (`KeysUnsampled`): 64 bytes
//!   `d || z` for ML-KEM-768 key generation, purpose
//!   [`KEYGEN_COINS`](super::scka::KEYGEN_COINS);
//! * the send_ct side's first send after the header arrived
//!   (`HeaderReceived`): 32 bytes `m` for `encapsulate1`, purpose
//!   [`ENCAPS_COINS`](super::scka::ENCAPS_COINS).
//!
//! So a run replays from its draws alone: one 64-byte draw per epoch on the
//! send_ek side, one 32-byte draw per epoch on the send_ct side, nothing
//! else. The deployed crate draws the same sizes at the same steps, each
//! with one `fill_bytes` (`src/incremental_mlkem768.rs`: `generate`,
//! `encaps1`), so it takes the same bytes from the same stream.
//!
//! # Observation
//! Reported, by the party that computed them: `SPQR auth key` (input, at
//! the first send or receive); the authenticator's `SPQR auth root_key` and
//! `SPQR auth mac_key` after each update; per epoch `e` the Braid values
//! `SPQR hdr e`, `SPQR ek e`, `SPQR dk e`, `SPQR hdr mac e`, `SPQR ct1 e`,
//! `SPQR ct2 e`, `SPQR ct mac e`, `SPQR ss e` and `SPQR epoch secret e`
//! (values rebuilt from chunks are reported again by the receiver, as
//! `erasure decode`); the chain's `SPQR chain root`, its chain keys
//! `SPQR A2B chain e` / `SPQR B2A chain e` after each step, and each
//! message key `SPQR A2B key e.i` / `SPQR B2A key e.i`. A key derived past
//! skipped ones names the chain key it was reached from; a skipped key
//! handed out later names its epoch's chain. A failed call may already have
//! reported the values it computed.

use std::fmt;

use twofold_core::{CryptoRng, Hash, IncrementalKem, Kdf, Obs, Resolver, SecretBytes};

use super::Reader;
use super::chain::{Chain, ChainParams, Direction, Key};
use super::labels::{CT1_LEN, CT2_LEN, EK_VECTOR_LEN, HDR_LEN, KEY_LEN, MAC_LEN, WIRE_VERSION_V1};
use super::scka::{Role, Scka, SckaState};
use super::wire::{Message, Version};
use crate::{RatchetError, Result};

/// The primitives SPQR runs on: ML-KEM-768 split for the Braid,
/// HKDF-SHA256 and HMAC-SHA256 (through SHA-256), as deployed.
#[derive(Clone, Copy)]
pub struct SpqrPrimitives {
    /// The incremental ML-KEM-768.
    pub kem: &'static dyn IncrementalKem,
    /// HKDF-SHA256.
    pub kdf: &'static dyn Kdf,
    /// SHA-256, for HMAC-SHA256.
    pub hmac: &'static dyn Hash,
}

impl SpqrPrimitives {
    /// The incremental KEM's name.
    pub const KEM: &'static str = "ML-KEM-768-incremental";
    /// The KDF's name.
    pub const KDF: &'static str = "HKDF-SHA256";
    /// The hash's name (HMAC-SHA256 is HMAC over it).
    pub const HMAC: &'static str = "SHA-256";

    /// The deployed primitives, by name, from `r`.
    pub fn resolve(r: &dyn Resolver) -> Result<Self> {
        Self::new(
            r.incremental_kem(Self::KEM)?,
            r.kdf(Self::KDF)?,
            r.hash(Self::HMAC)?,
        )
    }

    /// Any implementations with the sizes the V1 wire format fixes (header
    /// 64, key vector 1152, ct1 960, ct2 128, shared secret 32, coins 64 and
    /// 32, a 32-byte hash); [`RatchetError::Misuse`] otherwise.
    pub fn new(
        kem: &'static dyn IncrementalKem,
        kdf: &'static dyn Kdf,
        hmac: &'static dyn Hash,
    ) -> Result<Self> {
        let s = kem.sizes();
        // The coins too: the draws are part of the deployed behaviour.
        if (
            s.header,
            s.ek_vector,
            s.ct1,
            s.ct2,
            s.ss,
            s.keygen_coins,
            s.encaps_coins,
        ) != (HDR_LEN, EK_VECTOR_LEN, CT1_LEN, CT2_LEN, KEY_LEN, 64, 32)
        {
            return Err(RatchetError::Misuse(
                "SPQR V1 needs an incremental KEM with ML-KEM-768's sizes",
            ));
        }
        if hmac.output_len() != MAC_LEN {
            return Err(RatchetError::Misuse(
                "SPQR needs a hash with a 32-byte output",
            ));
        }
        Ok(Self { kem, kdf, hmac })
    }
}

impl fmt::Debug for SpqrPrimitives {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpqrPrimitives")
            .field("kem", &self.kem.id())
            .field("kdf", &self.kdf.id())
            .field("hmac", &self.hmac.id())
            .finish()
    }
}

/// What a session starts SPQR with (libsignal: the auth key is bytes 64..96
/// of the PQXDH HKDF output, `version = min_version = V1`).
#[derive(Debug)]
pub struct Params {
    /// The session's SPQR auth key.
    pub auth_key: Key,
    /// A2B for the session's initiator, B2A for its responder.
    pub direction: Direction,
    /// The version this party speaks (V0: no SPQR).
    pub version: Version,
    /// The lowest version it accepts from the peer.
    pub min_version: Version,
    /// The chain's out-of-order limits.
    pub chain: ChainParams,
}

/// The post-quantum key of one message.
#[derive(Debug, PartialEq, Eq)]
pub struct MessageKey {
    /// The chain epoch it comes from (the message's SCKA epoch − 1).
    pub epoch: u64,
    /// Its index in that epoch's chain of its direction (from 1).
    pub index: u32,
    /// The key.
    pub key: Key,
}

/// What the state keeps until its first successful receive.
struct Negotiation {
    auth_key: Key,
    min_version: Version,
    chain_params: ChainParams,
}

impl Negotiation {
    fn duplicate(&self) -> Self {
        Self {
            auth_key: self.auth_key.duplicate(),
            min_version: self.min_version,
            chain_params: self.chain_params,
        }
    }
}

/// A V1 state.
struct V1 {
    direction: Direction,
    /// Until the first successful receive.
    negotiation: Option<Negotiation>,
    /// `None` until the first send or receive: the initial state of the
    /// direction, made from the auth key.
    scka: Option<Scka>,
    /// `None` until the first send or receive (or, accepting V0, receive).
    chain: Option<Chain>,
}

enum Inner {
    V0,
    V1(Box<V1>),
}

/// One party's SPQR state.
pub struct Spqr(Inner);

/// The role a direction starts in: the initiator samples the first key.
fn first_role(d: Direction) -> Role {
    match d {
        Direction::A2B => Role::SendEk,
        Direction::B2A => Role::SendCt,
    }
}

fn dir_name(d: Direction) -> &'static str {
    match d {
        Direction::A2B => "A2B",
        Direction::B2A => "B2A",
    }
}

fn version_byte(v: Version) -> u8 {
    match v {
        Version::V0 => 0,
        Version::V1 => WIRE_VERSION_V1,
    }
}

/// Reports the chain's root and both chain keys of its newest epoch.
fn report_epoch(chain: &Chain, inputs: &[&str], obs: &mut Obs<'_>) {
    if !obs.on() {
        return;
    }
    let e = chain.current_epoch();
    for d in [Direction::A2B, Direction::B2A] {
        if let Some((_, k)) = chain.chain_key(e, d) {
            let name = format!("SPQR {} chain {e}", dir_name(d));
            obs.secret(&name, k.expose(), "HKDF-SHA256", inputs);
        }
    }
    obs.secret(
        "SPQR chain root",
        chain.next_root().expose(),
        "HKDF-SHA256",
        inputs,
    );
}

/// Reports a message key of direction `d` and, for a key at the head of its
/// chain, the chain key that follows it.
fn report_key(chain: &Chain, d: Direction, k: &MessageKey, obs: &mut Obs<'_>) {
    if !obs.on() {
        return;
    }
    let chain_name = format!("SPQR {} chain {}", dir_name(d), k.epoch);
    obs.secret(
        &format!("SPQR {} key {}.{}", dir_name(d), k.epoch, k.index),
        k.key.expose(),
        "HKDF-SHA256",
        &[&chain_name],
    );
    if let Some((ctr, next)) = chain.chain_key(k.epoch, d)
        && ctr == k.index
    {
        obs.secret(&chain_name, next.expose(), "HKDF-SHA256", &[&chain_name]);
    }
}

impl V1 {
    fn duplicate(&self, p: &SpqrPrimitives) -> Result<Self> {
        Ok(Self {
            direction: self.direction,
            negotiation: self.negotiation.as_ref().map(Negotiation::duplicate),
            scka: self.scka.as_ref().map(|s| s.duplicate(p)).transpose()?,
            chain: self.chain.as_ref().map(Chain::duplicate),
        })
    }

    /// The SCKA state to work on: a copy of the held one, or the initial one.
    fn scka(&self, p: &SpqrPrimitives, obs: &mut Obs<'_>) -> Result<Scka> {
        match (&self.scka, &self.negotiation) {
            (Some(s), _) => s.duplicate(p),
            (None, Some(n)) => {
                if obs.on() {
                    obs.secret("SPQR auth key", n.auth_key.expose(), "input", &[]);
                }
                Scka::initial(p, &n.auth_key, first_role(self.direction), obs)
            }
            (None, None) => Err(MALFORMED),
        }
    }

    /// The chain from the negotiation's auth key.
    fn new_chain(&self, p: &SpqrPrimitives, n: &Negotiation, obs: &mut Obs<'_>) -> Result<Chain> {
        let chain = Chain::new(p.kdf, &n.auth_key, self.direction, n.chain_params)?;
        report_epoch(&chain, &["SPQR auth key"], obs);
        Ok(chain)
    }

    /// A copy of the chain, or a new one from the negotiation.
    fn chain(&self, p: &SpqrPrimitives, obs: &mut Obs<'_>) -> Result<Chain> {
        match (&self.chain, &self.negotiation) {
            (Some(c), _) => Ok(c.duplicate()),
            (None, Some(n)) => self.new_chain(p, n, obs),
            (None, None) => Err(MALFORMED),
        }
    }
}

/// Adds an epoch secret to the chain and reports the new epoch.
fn add_epoch(chain: &mut Chain, e: &super::scka::EpochSecret, obs: &mut Obs<'_>) -> Result<()> {
    chain.add_epoch(e.epoch, &e.secret)?;
    report_epoch(
        chain,
        &["SPQR chain root", &format!("SPQR epoch secret {}", e.epoch)],
        obs,
    );
    Ok(())
}

impl Spqr {
    /// The state a session starts with (`spqr::initial_state`). Nothing is
    /// derived yet: the authenticator, the SCKA state and the chain are made
    /// from the auth key at the first send or receive.
    pub fn new(params: Params) -> Self {
        match params.version {
            Version::V0 => Spqr(Inner::V0),
            Version::V1 => Spqr(Inner::V1(Box::new(V1 {
                direction: params.direction,
                negotiation: Some(Negotiation {
                    auth_key: params.auth_key,
                    min_version: params.min_version,
                    chain_params: params.chain,
                }),
                scka: None,
                chain: None,
            }))),
        }
    }

    /// The next message's SPQR part and its key (`spqr::send`): the new
    /// state, the bytes to send (empty for V0) and the key (`None` for V0,
    /// or while a party that accepts V0 has not received yet).
    pub fn send(
        &self,
        p: &SpqrPrimitives,
        rng: &mut dyn CryptoRng,
        obs: &mut Obs<'_>,
    ) -> Result<(Spqr, Vec<u8>, Option<MessageKey>)> {
        let Inner::V1(v1) = &self.0 else {
            return Ok((Spqr(Inner::V0), Vec::new(), None));
        };
        let sent = v1.scka(p, obs)?.send(p, rng, obs)?;
        let chain = match (&v1.chain, &v1.negotiation) {
            (Some(c), _) => Some(c.duplicate()),
            (None, Some(n)) if n.min_version > Version::V0 => Some(v1.new_chain(p, n, obs)?),
            (None, Some(_)) => None,
            (None, None) => return Err(MALFORMED),
        };
        let (chain, key) = match chain {
            Some(mut chain) => {
                if let Some(e) = &sent.secret {
                    add_epoch(&mut chain, e, obs)?;
                }
                let epoch = sent.epoch.checked_sub(1).ok_or(MALFORMED)?;
                let (index, key) = chain.send_key(epoch)?;
                let key = MessageKey { epoch, index, key };
                report_key(&chain, v1.direction, &key, obs);
                (Some(chain), Some(key))
            }
            // Without a chain no epoch secret can have come out yet: the
            // send_ct side's first comes after a receive, which makes the
            // chain.
            None if sent.secret.is_some() => {
                return Err(RatchetError::Misuse("SPQR epoch secret without a chain"));
            }
            None => (None, None),
        };
        let msg = Message {
            epoch: sent.epoch,
            key_index: key.as_ref().map_or(0, |k| k.index),
            payload: sent.payload,
        }
        .encode();
        let state = Spqr(Inner::V1(Box::new(V1 {
            direction: v1.direction,
            // Sending never ends negotiation.
            negotiation: v1.negotiation.as_ref().map(Negotiation::duplicate),
            scka: Some(sent.state),
            chain,
        })));
        Ok((state, msg, key))
    }

    /// Takes in the SPQR part of a received message (`spqr::recv`): the new
    /// state and the message's key (`None` for no key). On error nothing
    /// changed; the caller keeps `self`.
    pub fn recv(
        &self,
        p: &SpqrPrimitives,
        msg: &[u8],
        obs: &mut Obs<'_>,
    ) -> Result<(Spqr, Option<MessageKey>)> {
        let Some(peer) = Version::of(msg) else {
            return Ok((self.duplicate(p)?, None));
        };
        let ours = self.version();
        let v1 = match &self.0 {
            Inner::V1(v1) if peer < ours => {
                let Some(n) = &v1.negotiation else {
                    return Err(RatchetError::VersionMismatch { peer, ours });
                };
                if peer < n.min_version {
                    return Err(RatchetError::MinimumVersion {
                        peer,
                        minimum: n.min_version,
                    });
                }
                // Only V0 lies below V1: no SPQR from now on.
                return Ok((Spqr(Inner::V0), None));
            }
            Inner::V0 => return Ok((Spqr(Inner::V0), None)),
            Inner::V1(v1) => v1,
        };
        let m = Message::decode(msg)?;
        // As deployed, epoch 0 is no message (keys come from epoch − 1).
        if m.epoch == 0 {
            return Err(RatchetError::Malformed("SPQR message: epoch 0"));
        }
        let (scka, secret) = v1.scka(p, obs)?.recv(p, &m, obs)?;
        let mut chain = v1.chain(p, obs)?;
        if let Some(e) = &secret {
            add_epoch(&mut chain, e, obs)?;
        }
        let epoch = m.epoch - 1;
        let key = if epoch == 0 && m.key_index == 0 {
            None
        } else {
            let key = MessageKey {
                epoch,
                index: m.key_index,
                key: chain.recv_key(epoch, m.key_index)?,
            };
            report_key(&chain, v1.direction.switch(), &key, obs);
            Some(key)
        };
        let state = Spqr(Inner::V1(Box::new(V1 {
            direction: v1.direction,
            // A message of our own version ends negotiation.
            negotiation: None,
            scka: Some(scka),
            chain: Some(chain),
        })));
        Ok((state, key))
    }

    /// An explicit copy, secrets included.
    pub fn duplicate(&self, p: &SpqrPrimitives) -> Result<Self> {
        Ok(Spqr(match &self.0 {
            Inner::V0 => Inner::V0,
            Inner::V1(v1) => Inner::V1(Box::new(v1.duplicate(p)?)),
        }))
    }

    /// The version this state speaks.
    pub fn version(&self) -> Version {
        match self.0 {
            Inner::V0 => Version::V0,
            Inner::V1(_) => Version::V1,
        }
    }

    /// Whether the state still accepts a downgrade (no message of its own
    /// version received yet); `None` for V0.
    pub fn min_version(&self) -> Option<Version> {
        match &self.0 {
            Inner::V1(v1) => v1.negotiation.as_ref().map(|n| n.min_version),
            Inner::V0 => None,
        }
    }

    /// Whether version negotiation is still open (V1 before the first
    /// successful receive).
    pub fn negotiating(&self) -> bool {
        self.min_version().is_some()
    }

    /// This party's sending direction (`None` for V0).
    pub fn direction(&self) -> Option<Direction> {
        match &self.0 {
            Inner::V0 => None,
            Inner::V1(v1) => Some(v1.direction),
        }
    }

    /// The SCKA epoch (from 1; `None` for V0).
    pub fn epoch(&self) -> Option<u64> {
        match &self.0 {
            Inner::V0 => None,
            Inner::V1(v1) => Some(v1.scka.as_ref().map_or(1, Scka::epoch)),
        }
    }

    /// The SCKA state's name (`None` for V0).
    pub fn scka_state(&self) -> Option<SckaState> {
        match &self.0 {
            Inner::V0 => None,
            Inner::V1(v1) => Some(match &v1.scka {
                Some(s) => s.name(),
                None => match first_role(v1.direction) {
                    Role::SendEk => SckaState::KeysUnsampled,
                    Role::SendCt => SckaState::NoHeaderReceived,
                },
            }),
        }
    }

    /// The role this party plays in the current epoch (`None` for V0).
    pub fn role(&self) -> Option<Role> {
        self.scka_state().map(SckaState::role)
    }

    /// How many epoch secrets this party's chain holds beyond epoch 0: the
    /// Braid epochs it has completed (0 before its chain exists).
    pub fn epochs_completed(&self) -> u64 {
        match &self.0 {
            Inner::V1(v1) => v1.chain.as_ref().map_or(0, Chain::current_epoch),
            Inner::V0 => 0,
        }
    }

    /// The chain, once made (for inspection).
    pub fn chain(&self) -> Option<&Chain> {
        match &self.0 {
            Inner::V1(v1) => v1.chain.as_ref(),
            Inner::V0 => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Serialization
// ---------------------------------------------------------------------------

/// Version byte of the format [`Spqr::to_bytes`] writes.
pub const STATE_VERSION: u8 = 1;

const MALFORMED: RatchetError = RatchetError::Malformed("SPQR state");

fn direction_byte(d: Direction) -> u8 {
    match d {
        Direction::A2B => 0,
        Direction::B2A => 1,
    }
}

impl Spqr {
    /// The whole state as bytes (it holds keys). All integers big-endian:
    ///
    /// ```text
    /// format (1) = 1 | version (1): 0 V0 (nothing follows), 1 V1
    /// direction (1): 0 A2B, 1 B2A
    /// negotiating (1): 0 or 1; if 1: auth key (32) | min version (1) | max_jump (4) | max_ooo_keys (4)
    /// has SCKA state (1): 0 or 1; if 1: length (4) | the SCKA state
    /// has chain (1): 0 or 1; if 1: length (4) | the chain (Chain::to_bytes)
    /// ```
    ///
    /// A state with neither negotiation nor SCKA state and chain does not
    /// exist. The format is twofold's own; the deployed crate stores its
    /// state in protobuf (`src/proto/pq_ratchet.proto`).
    pub fn to_bytes(&self) -> SecretBytes {
        let Inner::V1(v1) = &self.0 else {
            return SecretBytes::new(vec![STATE_VERSION, version_byte(Version::V0)]);
        };
        let scka = v1.scka.as_ref().map(|s| {
            let mut b = Vec::new();
            s.write(&mut b);
            SecretBytes::new(b)
        });
        let chain = v1.chain.as_ref().map(Chain::to_bytes);
        let len = |b: &Option<SecretBytes>| b.as_ref().map_or(0, SecretBytes::len);
        // Sized up front, so that no secret is left behind in a buffer that
        // grew.
        let mut out = Vec::with_capacity(64 + len(&scka) + len(&chain));
        out.extend_from_slice(&[STATE_VERSION, version_byte(Version::V1)]);
        out.push(direction_byte(v1.direction));
        match &v1.negotiation {
            Some(n) => {
                out.push(1);
                out.extend_from_slice(n.auth_key.expose());
                out.push(version_byte(n.min_version));
                out.extend_from_slice(&n.chain_params.max_jump.to_be_bytes());
                out.extend_from_slice(&n.chain_params.max_ooo_keys.to_be_bytes());
            }
            None => out.push(0),
        }
        let mut part = |bytes: Option<SecretBytes>| match bytes {
            Some(b) => {
                out.push(1);
                // States are a few kilobytes plus at most 2 × 2 × 2000
                // skipped keys: far below 2^32 bytes.
                out.extend_from_slice(&(b.len() as u32).to_be_bytes());
                out.extend_from_slice(b.expose());
            }
            None => out.push(0),
        };
        part(scka);
        part(chain);
        SecretBytes::new(out)
    }

    /// Reads what [`Spqr::to_bytes`] wrote, checking every field;
    /// [`RatchetError::Malformed`] on any truncation, trailing byte, unknown
    /// value or inconsistency.
    pub fn from_bytes(p: &SpqrPrimitives, bytes: &[u8]) -> Result<Spqr> {
        let mut r = Reader::new(bytes, MALFORMED);
        if r.u8()? != STATE_VERSION {
            return Err(RatchetError::Malformed("SPQR state format"));
        }
        let version = |b: u8| match b {
            0 => Ok(Version::V0),
            WIRE_VERSION_V1 => Ok(Version::V1),
            _ => Err(MALFORMED),
        };
        if version(r.u8()?)? == Version::V0 {
            r.finish()?;
            return Ok(Spqr(Inner::V0));
        }
        let direction = match r.u8()? {
            0 => Direction::A2B,
            1 => Direction::B2A,
            _ => return Err(MALFORMED),
        };
        let negotiation = if r.flag()? {
            Some(Negotiation {
                auth_key: r.key()?,
                min_version: version(r.u8()?)?,
                chain_params: ChainParams {
                    max_jump: r.u32()?,
                    max_ooo_keys: r.u32()?,
                },
            })
        } else {
            None
        };
        let scka = if r.flag()? {
            let len = r.u32()? as usize;
            let mut sr = Reader::new(r.bytes(len)?, MALFORMED);
            let s = Scka::read(p, &mut sr)?;
            sr.finish()?;
            Some(s)
        } else {
            None
        };
        let chain = if r.flag()? {
            let len = r.u32()? as usize;
            Some(Chain::from_bytes(p.kdf, r.bytes(len)?)?)
        } else {
            None
        };
        r.finish()?;
        let consistent = match (&negotiation, &scka, &chain) {
            (None, Some(_), Some(_)) => true,
            (None, _, _) => false,
            // A chain exists only once the SCKA state does.
            (Some(_), None, Some(_)) => false,
            (Some(_), _, _) => true,
        };
        let chain_fits = chain.as_ref().is_none_or(|c| {
            c.direction() == direction
                && scka
                    .as_ref()
                    .is_some_and(|s| Some(c.current_epoch()) == s.name().chain_epoch(s.epoch()))
        });
        let role_fits = scka.as_ref().is_none_or(|s| {
            // Roles alternate: the initiator is send_ek in odd epochs.
            let odd = s.epoch() % 2 == 1;
            (s.name().role() == first_role(direction)) == odd
        });
        if !(consistent && chain_fits && role_fits) {
            return Err(MALFORMED);
        }
        Ok(Spqr(Inner::V1(Box::new(V1 {
            direction,
            negotiation,
            scka,
            chain,
        }))))
    }
}

impl fmt::Debug for Spqr {
    /// Version, direction, SCKA state and epochs; nothing secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::V0 => f.write_str("Spqr(V0)"),
            Inner::V1(v1) => f
                .debug_struct("Spqr")
                .field("direction", &v1.direction)
                .field("negotiating", &v1.negotiation.is_some())
                .field("scka", &self.scka_state())
                .field("epoch", &self.epoch())
                .field("chain", &v1.chain)
                .finish(),
        }
    }
}
