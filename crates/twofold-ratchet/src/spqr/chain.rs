//! The SPQR chain: epoch secrets to per-message keys (`spqr` v1.5.3
//! `src/chain.rs`).
//!
//! ```text
//! new(auth_key, dir):     G = HKDF(salt = 0^32, ikm = auth_key, "Signal PQ Ratchet V1 Chain  Start", 96)
//! add_epoch(e, S_e):      G = HKDF(salt = next_root, ikm = S_e, "Signal PQ Ratchet V1 Chain Add Epoch", 96)
//!                         next_root = G[0..32]; A2B seed = G[32..64]; B2A seed = G[64..96]
//! next key, per direction: ctr += 1;
//!                         O = HKDF(salt = 0^32, ikm = next, BE32(ctr) || "Signal PQ Ratchet V1 Chain Next", 64)
//!                         next = O[0..32]; key(ctr) = O[32..64]
//! ```
//!
//! Epoch 0 is the chain `new` makes from the auth key; epoch `e >= 1` is added
//! with the Braid's epoch secret of epoch `e`. In each epoch a party sends on
//! the chain of its own direction (the initiator is A2B) and receives on the
//! other. Key indices start at 1.
//!
//! Received keys may arrive out of order: a key up to `max_jump` ahead of the
//! receiving chain is derived at once, the keys skipped on the way are kept
//! while they lie at most `max_ooo_keys` behind the chain, and every key is
//! handed out once. Epochs stay while they are the sending epoch, later, or
//! the one just before it; the sending keys of older epochs are erased.
//!
//! Every operation that fails leaves the chain exactly as it was.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use twofold_core::{Kdf, Secret, SecretBytes};

use super::labels::{
    CHAIN_ADD_EPOCH, CHAIN_NEXT, CHAIN_START, EPOCHS_KEPT_BEFORE_SEND_EPOCH, KEY_LEN, MAX_JUMP,
    MAX_OOO_KEYS, SCKA_KEY,
};
use super::{Okm, Reader};
use crate::{RatchetError, Result};

/// A 32-byte SPQR key.
pub type Key = Secret<KEY_LEN>;

/// Which way a chain runs: A2B from the session's initiator to its responder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Initiator to responder (the initiator's sending direction).
    A2B,
    /// Responder to initiator.
    B2A,
}

impl Direction {
    /// The other direction.
    pub fn switch(self) -> Self {
        match self {
            Direction::A2B => Direction::B2A,
            Direction::B2A => Direction::A2B,
        }
    }
}

/// Limits of the out-of-order key store.
///
/// A zero field means the default, as in the deployed `ChainParams`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainParams {
    /// Largest distance a received key index may lie ahead of the chain.
    pub max_jump: u32,
    /// How far behind the receiving chain a skipped key is still kept.
    pub max_ooo_keys: u32,
}

impl Default for ChainParams {
    /// 25 000 and 2 000, libsignal's `MAX_FORWARD_JUMPS` and
    /// `MAX_MESSAGE_KEYS`.
    fn default() -> Self {
        Self {
            max_jump: MAX_JUMP,
            max_ooo_keys: MAX_OOO_KEYS,
        }
    }
}

impl ChainParams {
    /// The limits in force: zero fields replaced by the defaults.
    pub fn effective(self) -> Self {
        let d = Self::default();
        Self {
            max_jump: if self.max_jump == 0 {
                d.max_jump
            } else {
                self.max_jump
            },
            max_ooo_keys: if self.max_ooo_keys == 0 {
                d.max_ooo_keys
            } else {
                self.max_ooo_keys
            },
        }
    }
}

/// The epoch secret of epoch `epoch` from the ML-KEM shared secret:
/// `HKDF(salt = 0^32, ikm = shared_secret, "Signal_PQCKA_V1_MLKEM768:SCKA Key" || BE64(epoch), 32)`
/// (`spqr` v1.5.3 `src/v1/unchunked/send_ct.rs` and `send_ek.rs`). Both
/// parties feed it to [`Chain::add_epoch`] and
/// [`Authenticator::update`](super::Authenticator::update).
pub fn epoch_secret(kdf: &dyn Kdf, epoch: u64, shared_secret: &[u8]) -> Result<Key> {
    let info = [SCKA_KEY, &epoch.to_be_bytes()].concat();
    Ok(Okm::derive(kdf, &[0u8; KEY_LEN], shared_secret, &info, 1)?.block(0))
}

/// One step of a direction chain: the chain key that follows index `ctr`,
/// and the message key of index `ctr`.
fn step(kdf: &dyn Kdf, next: &Key, ctr: u32) -> Result<(Key, Key)> {
    let info = [&ctr.to_be_bytes()[..], CHAIN_NEXT].concat();
    let okm = Okm::derive(kdf, &[0u8; KEY_LEN], next.expose(), &info, 2)?;
    Ok((okm.block(0), okm.block(1)))
}

/// One direction of one epoch.
struct DirectionChain {
    /// Index of the last key derived (0: none yet).
    ctr: u32,
    /// Chain key for index `ctr + 1`; `None` once erased (sending chains of
    /// epochs before the sending epoch).
    next: Option<Key>,
    /// Keys skipped on the way to `ctr`, not yet handed out.
    skipped: BTreeMap<u32, Key>,
}

impl DirectionChain {
    fn new(seed: Key) -> Self {
        Self {
            ctr: 0,
            next: Some(seed),
            skipped: BTreeMap::new(),
        }
    }

    fn duplicate(&self) -> Self {
        Self {
            ctr: self.ctr,
            next: self.next.as_ref().map(Key::duplicate),
            skipped: self
                .skipped
                .iter()
                .map(|(&i, k)| (i, k.duplicate()))
                .collect(),
        }
    }

    fn next_key(&self) -> Result<&Key> {
        self.next
            .as_ref()
            .ok_or(RatchetError::Misuse("this SPQR chain's key was erased"))
    }

    /// The key of index `at` in a receiving chain. Computes everything
    /// before changing anything, so a failure leaves the chain as it was.
    fn recv(&mut self, kdf: &dyn Kdf, epoch: u64, at: u32, params: ChainParams) -> Result<Key> {
        let max_ooo = u64::from(params.max_ooo_keys);
        if at <= self.ctr {
            if at == self.ctr {
                return Err(RatchetError::KeyAlreadyUsed { epoch, index: at });
            }
            if u64::from(at) + max_ooo < u64::from(self.ctr) {
                return Err(RatchetError::KeyTrimmed { epoch, index: at });
            }
            return self
                .skipped
                .remove(&at)
                .ok_or(RatchetError::KeyAlreadyUsed { epoch, index: at });
        }
        if at - self.ctr > params.max_jump {
            return Err(RatchetError::TooManySkipped {
                current: self.ctr,
                requested: at,
                max_jump: params.max_jump,
            });
        }
        let mut next = self.next_key()?.duplicate();
        let mut kept = Vec::new();
        let mut ctr = self.ctr;
        while ctr + 1 < at {
            ctr += 1;
            let (n, key) = step(kdf, &next, ctr)?;
            next = n;
            // Keys that would be trimmed at once are not kept at all.
            if u64::from(ctr) + max_ooo >= u64::from(at) {
                kept.push((ctr, key));
            }
        }
        let (n, key) = step(kdf, &next, at)?;
        self.ctr = at;
        self.next = Some(n);
        self.skipped.extend(kept);
        self.skipped
            .retain(|&index, _| u64::from(index) + max_ooo >= u64::from(at));
        Ok(key)
    }
}

/// Both directions of one epoch.
struct EpochChains {
    send: DirectionChain,
    recv: DirectionChain,
}

impl EpochChains {
    /// The chains of one epoch from its 96-byte HKDF output (`next_root` in
    /// block 0, the A2B seed in block 1, the B2A seed in block 2).
    fn from_okm(okm: &Okm, own: Direction) -> Self {
        let seed = |d: Direction| match d {
            Direction::A2B => okm.block(1),
            Direction::B2A => okm.block(2),
        };
        Self {
            send: DirectionChain::new(seed(own)),
            recv: DirectionChain::new(seed(own.switch())),
        }
    }
}

/// The SPQR chain of one party.
pub struct Chain {
    kdf: &'static dyn Kdf,
    direction: Direction,
    params: ChainParams,
    current_epoch: u64,
    send_epoch: u64,
    next_root: Key,
    /// The epochs held, oldest first; the last is `current_epoch`.
    links: VecDeque<EpochChains>,
}

impl Chain {
    /// The chain of epoch 0 from the session's SPQR auth key. `direction` is
    /// this party's sending direction (A2B for the initiator); `kdf` is
    /// HKDF-SHA256 as deployed.
    pub fn new(
        kdf: &'static dyn Kdf,
        auth_key: &Key,
        direction: Direction,
        params: ChainParams,
    ) -> Result<Self> {
        let okm = Okm::derive(kdf, &[0u8; KEY_LEN], auth_key.expose(), CHAIN_START, 3)?;
        Ok(Self {
            kdf,
            direction,
            params: params.effective(),
            current_epoch: 0,
            send_epoch: 0,
            next_root: okm.block(0),
            links: VecDeque::from([EpochChains::from_okm(&okm, direction)]),
        })
    }

    /// Adds epoch `epoch`, which must be `current_epoch() + 1`, from its
    /// epoch secret.
    pub fn add_epoch(&mut self, epoch: u64, epoch_secret: &Key) -> Result<()> {
        if Some(epoch) != self.current_epoch.checked_add(1) {
            return Err(RatchetError::Misuse(
                "SPQR epochs must be added one at a time, in order",
            ));
        }
        let okm = Okm::derive(
            self.kdf,
            self.next_root.expose(),
            epoch_secret.expose(),
            CHAIN_ADD_EPOCH,
            3,
        )?;
        self.next_root = okm.block(0);
        self.links
            .push_back(EpochChains::from_okm(&okm, self.direction));
        self.current_epoch = epoch;
        Ok(())
    }

    /// The next sending key of epoch `epoch`, with its index (from 1).
    ///
    /// Sending in a later epoch than before drops all but one earlier epoch
    /// and erases the sending keys of the earlier epochs; sending in an
    /// earlier epoch than before is an error.
    pub fn send_key(&mut self, epoch: u64) -> Result<(u32, Key)> {
        if epoch < self.send_epoch {
            return Err(RatchetError::Misuse(
                "SPQR send epoch went back (keys of older epochs are erased)",
            ));
        }
        let i = self.link_index(epoch)?;
        let chain = &self.links[i].send;
        let ctr = chain
            .ctr
            .checked_add(1)
            .ok_or(RatchetError::Misuse("SPQR sending chain exhausted"))?;
        let (next, key) = step(self.kdf, chain.next_key()?, ctr)?;

        let chain = &mut self.links[i].send;
        chain.ctr = ctr;
        chain.next = Some(next);
        if epoch != self.send_epoch {
            self.send_epoch = epoch;
            let drop = i.saturating_sub(EPOCHS_KEPT_BEFORE_SEND_EPOCH);
            self.links.drain(..drop);
            for link in self.links.iter_mut().take(i - drop) {
                link.send.next = None;
            }
        }
        Ok((ctr, key))
    }

    /// The receiving key of index `index` in epoch `epoch`. Each key is
    /// handed out once.
    pub fn recv_key(&mut self, epoch: u64, index: u32) -> Result<Key> {
        let i = self.link_index(epoch)?;
        let params = self.params;
        self.links[i].recv.recv(self.kdf, epoch, index, params)
    }

    /// An explicit copy of the whole chain, keys included (see
    /// [`Secret::duplicate`]): a caller that must leave its chain as it was
    /// when a later step fails works on a copy.
    pub fn duplicate(&self) -> Self {
        Self {
            kdf: self.kdf,
            direction: self.direction,
            params: self.params,
            current_epoch: self.current_epoch,
            send_epoch: self.send_epoch,
            next_root: self.next_root.duplicate(),
            links: self
                .links
                .iter()
                .map(|l| EpochChains {
                    send: l.send.duplicate(),
                    recv: l.recv.duplicate(),
                })
                .collect(),
        }
    }

    /// The root key the next epoch secret is added to (for observation).
    pub fn next_root(&self) -> &Key {
        &self.next_root
    }

    /// The chain key of `direction` in `epoch` that gives the next key of
    /// that direction, with the index of the last key derived (for
    /// observation). `None` for an epoch not held or a chain key erased.
    pub fn chain_key(&self, epoch: u64, direction: Direction) -> Option<(u32, &Key)> {
        let link = &self.links[self.link_index(epoch).ok()?];
        let d = if direction == self.direction {
            &link.send
        } else {
            &link.recv
        };
        Some((d.ctr, d.next.as_ref()?))
    }

    /// This party's sending direction.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The limits in force.
    pub fn params(&self) -> ChainParams {
        self.params
    }

    /// The newest epoch added (0 before any).
    pub fn current_epoch(&self) -> u64 {
        self.current_epoch
    }

    /// The epoch of the last sending key (0 before any).
    pub fn send_epoch(&self) -> u64 {
        self.send_epoch
    }

    /// The oldest epoch still held.
    pub fn oldest_epoch(&self) -> u64 {
        // `links` is never empty and holds at most `current_epoch + 1` epochs.
        self.current_epoch - (self.links.len() as u64).saturating_sub(1)
    }

    /// Position of `epoch` in `links`.
    fn link_index(&self, epoch: u64) -> Result<usize> {
        if epoch > self.current_epoch || epoch < self.oldest_epoch() {
            return Err(RatchetError::EpochOutOfRange { epoch });
        }
        // oldest_epoch() <= epoch <= current_epoch, so this is < links.len().
        Ok((epoch - self.oldest_epoch()) as usize)
    }
}

// ---------------------------------------------------------------------------
// Serialization
// ---------------------------------------------------------------------------

/// Version byte of the format [`Chain::to_bytes`] writes.
pub const STATE_VERSION: u8 = 1;

const MALFORMED: RatchetError = RatchetError::Malformed("SPQR chain state");

impl Chain {
    /// The whole chain as bytes (it holds keys, hence [`SecretBytes`]).
    /// All integers big-endian:
    ///
    /// ```text
    /// version (1) = 1 | direction (1): 0 A2B, 1 B2A | max_jump (4) | max_ooo_keys (4)
    /// current_epoch (8) | send_epoch (8) | next_root (32) | epoch count n (4)
    /// n epochs, oldest first, each: send chain, then receive chain, each:
    ///     ctr (4) | has_next (1): 0 or 1 | next (32, if has_next)
    ///     skipped count m (4) | m × (index (4) | key (32)), indices increasing
    /// ```
    ///
    /// The format is twofold's own; the deployed crate stores its chain in
    /// protobuf (`src/proto/pq_ratchet.proto`).
    pub fn to_bytes(&self) -> SecretBytes {
        let mut out = Vec::new();
        out.push(STATE_VERSION);
        out.push(match self.direction {
            Direction::A2B => 0,
            Direction::B2A => 1,
        });
        out.extend_from_slice(&self.params.max_jump.to_be_bytes());
        out.extend_from_slice(&self.params.max_ooo_keys.to_be_bytes());
        out.extend_from_slice(&self.current_epoch.to_be_bytes());
        out.extend_from_slice(&self.send_epoch.to_be_bytes());
        out.extend_from_slice(self.next_root.expose());
        // Each held epoch took a Braid epoch of dozens of messages: far
        // fewer than 2^32 are ever held.
        out.extend_from_slice(&(self.links.len() as u32).to_be_bytes());
        for link in &self.links {
            for d in [&link.send, &link.recv] {
                out.extend_from_slice(&d.ctr.to_be_bytes());
                match &d.next {
                    Some(k) => {
                        out.push(1);
                        out.extend_from_slice(k.expose());
                    }
                    None => out.push(0),
                }
                out.extend_from_slice(&(d.skipped.len() as u32).to_be_bytes());
                for (index, key) in &d.skipped {
                    out.extend_from_slice(&index.to_be_bytes());
                    out.extend_from_slice(key.expose());
                }
            }
        }
        SecretBytes::new(out)
    }

    /// Reads what [`Chain::to_bytes`] wrote, checking every field and the
    /// chain's invariants; [`RatchetError::Malformed`] on any truncation,
    /// trailing byte, unknown version or inconsistent value.
    pub fn from_bytes(kdf: &'static dyn Kdf, bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes, MALFORMED);
        if r.u8()? != STATE_VERSION {
            return Err(RatchetError::Malformed("SPQR chain state version"));
        }
        let direction = match r.u8()? {
            0 => Direction::A2B,
            1 => Direction::B2A,
            _ => return Err(MALFORMED),
        };
        let params = ChainParams {
            max_jump: r.u32()?,
            max_ooo_keys: r.u32()?,
        }
        .effective();
        let current_epoch = r.u64()?;
        let send_epoch = r.u64()?;
        let next_root = r.key()?;
        let n = r.u32()?;
        if n == 0 || u64::from(n - 1) > current_epoch {
            return Err(MALFORMED);
        }
        let oldest = current_epoch - u64::from(n - 1);
        if send_epoch < oldest || send_epoch > current_epoch {
            return Err(MALFORMED);
        }
        let mut links = VecDeque::new();
        for epoch in oldest..=current_epoch {
            // Only sending chains of epochs before the sending epoch may
            // have been erased.
            let send = read_direction_chain(&mut r, params, epoch < send_epoch)?;
            let recv = read_direction_chain(&mut r, params, false)?;
            links.push_back(EpochChains { send, recv });
        }
        r.finish()?;
        Ok(Self {
            kdf,
            direction,
            params,
            current_epoch,
            send_epoch,
            next_root,
            links,
        })
    }
}

/// Reads one direction chain of [`Chain::to_bytes`].
fn read_direction_chain(
    r: &mut Reader<'_>,
    params: ChainParams,
    may_be_erased: bool,
) -> Result<DirectionChain> {
    let ctr = r.u32()?;
    let next = match r.u8()? {
        1 => Some(r.key()?),
        0 if may_be_erased => None,
        _ => return Err(MALFORMED),
    };
    let m = r.u32()?;
    if m > params.max_ooo_keys {
        return Err(MALFORMED);
    }
    let mut skipped = BTreeMap::new();
    let mut last = None;
    for _ in 0..m {
        let index = r.u32()?;
        let key = r.key()?;
        // Increasing, below the counter, and inside the kept window.
        if last.is_some_and(|l| index <= l)
            || index >= ctr
            || u64::from(index) + u64::from(params.max_ooo_keys) < u64::from(ctr)
        {
            return Err(MALFORMED);
        }
        last = Some(index);
        skipped.insert(index, key);
    }
    Ok(DirectionChain { ctr, next, skipped })
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chain")
            .field("kdf", &self.kdf.id())
            .field("direction", &self.direction)
            .field("params", &self.params)
            .field("epochs", &(self.oldest_epoch()..=self.current_epoch))
            .field("send_epoch", &self.send_epoch)
            .finish_non_exhaustive()
    }
}
