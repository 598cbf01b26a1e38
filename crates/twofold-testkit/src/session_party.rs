//! Ratchet sessions as parties of the conversation model: both sides of a
//! suite of [`twofold_ratchet::suite::SUITES`], started from the suite's
//! default handshake by [`Pair::establish`] (in the signal profile with
//! libsignal's PreKeySignalMessage wrapping), each side a [`Party`] of its
//! own over the one pair.
//!
//! * State: [`Session::to_bytes`]; empty while the signal responder has no
//!   session yet (its prekey store has no serialized form: a refused first
//!   message that spent a one-time prekey shows when the genuine one is then
//!   refused).
//! * Reload: [`Pair::reload`], which reads those bytes back with
//!   [`Session::from_bytes`].
//! * Corrupt: bits flipped in the bytes on the wire.
//! * Tick: the party's clock moves on by `arg` hours (the PQ3 suite's
//!   time-based rekeying reads it).
//!
//! **Refusals.** Each message is tagged with the sender's chain (the
//! sender's count of epochs it received: a new epoch begins a new sending
//! chain) and its index there, and each party keeps its own account of the
//! limits of [`Limits`] (libsignal's: 25,000 forward, 2,000 stored keys per
//! chain, 5 receiving chains): which of the peer's chains it opened, and of
//! each held chain the next index and the stored indices. A genuine message
//! within every limit must be accepted; one beyond a limit must be refused
//! (so a limit not enforced shows too). In the Triple Ratchet, SPQR's own
//! limits may also refuse (an epoch no longer kept, a key trimmed, a jump
//! too far); its chain runs under the model on its own
//! (`spqr_chain_events`).
//!
//! **libsignal's exceptions** ([`Party::corruption_may_pass`]): a
//! PreKeySignalMessage's registration id is not authenticated, and once the
//! receiver holds the session the message's base key names, the other
//! handshake fields (the prekey ids and the KEM ciphertext) are not read
//! again (the identity key is compared with the one trusted). A copy damaged
//! only there may be accepted as the original.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

use twofold_core::{Off, Party as Role, Resolver, ShakeRng};
use twofold_handshake::prekey::PrekeyHandshake;
use twofold_harness::ratchets::{
    Envelope, Error, Pair, default_handshake, differs_only_where_unread,
};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::RatchetError;
use twofold_ratchet::double::{Limits, SendOptions};
use twofold_ratchet::session::Session;
use twofold_ratchet::suite::{RatchetKind, RatchetSuite};

use crate::conversation::Party;

/// A message of a session party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionMessage {
    /// What went on the wire.
    pub envelope: Envelope,
    /// The sender's chain: how many new epochs the sender had received
    /// when it sent.
    pub chain: u64,
    /// The index in that chain.
    pub n: u32,
}

/// Why a session party failed.
#[derive(Debug)]
pub enum SessionError {
    /// The side cannot send yet (a responder before its first message).
    NotYet,
    /// The session refused; `limit` names the configured limit that makes
    /// the refusal of a genuine message legitimate, if one does.
    Refused {
        /// The refusal.
        error: Error,
        /// The limit, if any.
        limit: Option<&'static str>,
    },
    /// A genuine message beyond a limit was accepted.
    AcceptedBeyondLimit(&'static str),
    /// Reading the session back failed.
    Reload(Error),
}

/// Whether a message is within the limits, by the party's own account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Receivable,
    Beyond(&'static str),
}

/// One of the peer's chains as the receiver holds it.
struct HeldChain {
    chain: u64,
    next: u32,
    /// Stored skipped indices, oldest first.
    skipped: VecDeque<u32>,
}

/// The receiver's account of the limits (see the module documentation).
struct Account {
    limits: Limits,
    /// Newest first, as the ratchet keeps them.
    held: VecDeque<HeldChain>,
    /// The newest chain opened.
    newest: Option<u64>,
}

impl Account {
    fn new(limits: Limits) -> Self {
        Self {
            limits,
            held: VecDeque::new(),
            newest: None,
        }
    }

    fn verdict(&self, chain: u64, n: u32) -> Verdict {
        let too_far = |from: u32| n - from > self.limits.max_skip;
        match self.held.iter().find(|c| c.chain == chain) {
            Some(c) if n >= c.next => {
                if too_far(c.next) {
                    Verdict::Beyond("more than max_skip ahead of its chain")
                } else {
                    Verdict::Receivable
                }
            }
            Some(c) if c.skipped.contains(&n) => Verdict::Receivable,
            Some(_) => Verdict::Beyond("received already, or its skipped key was not kept"),
            // Chains open in order (the peer's chain k+1 answers a message
            // of ours that answered chain k), so an older one was dropped.
            None if self.newest.is_some_and(|k| chain <= k) => {
                Verdict::Beyond("its receiving chain was dropped")
            }
            None if too_far(0) => Verdict::Beyond("more than max_skip into a new chain"),
            None => Verdict::Receivable,
        }
    }

    /// Message `n` of `chain` was accepted.
    fn accept(&mut self, chain: u64, n: u32) {
        let max = self.limits.max_stored_keys;
        let i = match self.held.iter().position(|c| c.chain == chain) {
            Some(i) => i,
            None => {
                self.held.push_front(HeldChain {
                    chain,
                    next: 0,
                    skipped: VecDeque::new(),
                });
                self.held.truncate(self.limits.max_receiving_chains);
                self.newest = Some(chain);
                0
            }
        };
        let c = &mut self.held[i];
        if n < c.next {
            c.skipped.retain(|&k| k != n);
            return;
        }
        // Only the last `max` skipped keys of a jump are stored at all.
        let keep_from = n.saturating_sub(u32::try_from(max).unwrap_or(u32::MAX));
        c.skipped.extend(c.next.max(keep_from)..n);
        c.next = n + 1;
        while c.skipped.len() > max {
            c.skipped.pop_front();
        }
    }
}

/// What a party holds for out-of-order messages, read after an event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// [`Ratchet::skipped_keys`](twofold_ratchet::double::Ratchet::skipped_keys).
    pub skipped_keys: usize,
    /// [`Ratchet::receiving_chains`](twofold_ratchet::double::Ratchet::receiving_chains).
    pub receiving_chains: usize,
    /// The length of [`Session::to_bytes`].
    pub state_bytes: usize,
}

/// One side of a ratchet session pair.
pub struct SessionParty {
    pair: Rc<RefCell<Pair>>,
    resolver: Arc<dyn Resolver>,
    side: Role,
    rng: ShakeRng,
    /// The party's clock, seconds.
    clock: u64,
    /// This side's sending chain and its next index.
    chain: u64,
    next: u32,
    account: Account,
    /// The signal profile's prekey handshake, to read PreKeySignalMessages.
    prekey: Option<PrekeyHandshake>,
    /// The Triple Ratchet: SPQR's limits refuse too.
    sparse: bool,
}

/// Both sides of `suite`, from its default handshake, every draw from a
/// stream seeded by `seed`.
pub fn pair(suite: &str, seed: &[u8]) -> Result<(SessionParty, SessionParty), Error> {
    let resolver: Arc<dyn Resolver> = Arc::new(&*REGISTRY);
    let parsed = RatchetSuite::parse(suite)?;
    let mut rng = ShakeRng::new(&[b"session pair ", seed].concat());
    let pair = Pair::establish(suite, None, Arc::clone(&resolver), &mut rng, &mut Off)?;
    // Both sides run the suite's limits; the initiator's session exists.
    let limits = pair
        .session(Role::Initiator)
        .map(|s| s.ratchet().config().limits)
        .unwrap_or_default();
    let pair = Rc::new(RefCell::new(pair));
    let side = |side: Role, tag: &[u8]| SessionParty {
        pair: Rc::clone(&pair),
        resolver: Arc::clone(&resolver),
        side,
        rng: ShakeRng::new(&[tag, seed].concat()),
        clock: 0,
        chain: 0,
        next: 0,
        account: Account::new(limits),
        prekey: PrekeyHandshake::new(default_handshake(&parsed), &*resolver).ok(),
        sparse: parsed.kind == RatchetKind::Triple,
    };
    Ok((
        side(Role::Initiator, b"session party A "),
        side(Role::Responder, b"session party B "),
    ))
}

impl SessionParty {
    /// Which side this is.
    pub fn side(&self) -> Role {
        self.side
    }

    /// The limits the party's account follows (the suite's).
    pub fn limits(&self) -> Limits {
        self.account.limits
    }

    /// What the session holds for out-of-order messages now (zeros before
    /// it exists).
    pub fn memory(&self) -> Result<Memory, Error> {
        let pair = self.pair.borrow();
        let Some(s) = pair.session(self.side) else {
            return Ok(Memory::default());
        };
        Ok(Memory {
            skipped_keys: s.ratchet().skipped_keys(),
            receiving_chains: s.ratchet().receiving_chains(),
            state_bytes: s.to_bytes(&*self.resolver)?.len(),
        })
    }

    /// Calls `f` with the session, if it exists.
    pub fn with_session<T>(&self, f: impl FnOnce(&Session) -> T) -> Option<T> {
        self.pair.borrow().session(self.side).map(f)
    }

    /// A refusal SPQR's own limits explain (Triple Ratchet only; the
    /// double ratchet's are in the account).
    fn sparse_limit(&self, e: &Error) -> Option<&'static str> {
        match e {
            Error::Ratchet(RatchetError::EpochOutOfRange { .. }) if self.sparse => {
                Some("SPQR keeps one epoch before the sending epoch")
            }
            Error::Ratchet(RatchetError::KeyTrimmed { .. }) if self.sparse => {
                Some("SPQR keeps skipped keys max_ooo_keys behind")
            }
            Error::Ratchet(RatchetError::TooManySkipped { .. }) if self.sparse => {
                Some("SPQR's max_jump")
            }
            _ => None,
        }
    }
}

impl Party for SessionParty {
    type Message = SessionMessage;
    type Error = SessionError;

    fn send(&mut self, payload: &[u8]) -> Result<SessionMessage, SessionError> {
        let mut pair = self.pair.borrow_mut();
        if !pair.can_send(self.side) {
            return Err(SessionError::NotYet);
        }
        let opts = SendOptions {
            now: self.clock,
            ..SendOptions::default()
        };
        let envelope = pair
            .send(self.side, payload, &opts, &mut self.rng, &mut Off)
            .map_err(|error| SessionError::Refused { error, limit: None })?;
        let m = SessionMessage {
            envelope,
            chain: self.chain,
            n: self.next,
        };
        // The ratchet refuses a send past u32::MAX before this could wrap.
        self.next = self.next.saturating_add(1);
        Ok(m)
    }

    fn receive(&mut self, m: &SessionMessage) -> Result<Vec<u8>, SessionError> {
        let verdict = self.account.verdict(m.chain, m.n);
        let got = self.pair.borrow_mut().receive(
            self.side,
            &m.envelope,
            self.clock,
            &mut self.rng,
            &mut Off,
        );
        match got {
            Ok(got) => {
                if let Verdict::Beyond(why) = verdict {
                    return Err(SessionError::AcceptedBeyondLimit(why));
                }
                self.account.accept(m.chain, m.n);
                if got.new_epoch {
                    self.chain += 1;
                    self.next = 0;
                }
                Ok(got.plaintext)
            }
            Err(error) => {
                let limit = match verdict {
                    Verdict::Beyond(why) => Some(why),
                    Verdict::Receivable => self.sparse_limit(&error),
                };
                Err(SessionError::Refused { error, limit })
            }
        }
    }

    fn state(&self) -> Vec<u8> {
        self.pair
            .borrow()
            .session(self.side)
            .map(|s| {
                s.to_bytes(&*self.resolver)
                    .expect("a session in memory serializes (SHA-256 is registered)")
                    .expose()
                    .to_vec()
            })
            .unwrap_or_default()
    }

    fn reload(&mut self) -> Result<(), SessionError> {
        self.pair
            .borrow_mut()
            .reload(self.side)
            .map(|_| ())
            .map_err(SessionError::Reload)
    }

    fn corrupt(m: &SessionMessage, at: usize, xor: u8) -> SessionMessage {
        let mut bad = m.clone();
        let n = bad.envelope.bytes.len();
        if n > 0 {
            bad.envelope.bytes[at % n] ^= xor;
        }
        bad
    }

    fn refusal_allowed(&self, e: &SessionError) -> bool {
        matches!(
            e,
            SessionError::NotYet | SessionError::Refused { limit: Some(_), .. }
        )
    }

    fn tick(&mut self, arg: u8) -> Result<(), SessionError> {
        self.clock = self.clock.saturating_add(u64::from(arg) * 3600);
        Ok(())
    }

    fn corruption_may_pass(&self, original: &SessionMessage, corrupted: &SessionMessage) -> bool {
        let (Some(hs), true) = (&self.prekey, original.envelope.prekey) else {
            return false;
        };
        let has_session = self.pair.borrow().session(self.side).is_some();
        differs_only_where_unread(
            hs,
            &original.envelope.bytes,
            &corrupted.envelope.bytes,
            has_session,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Limits {
        Limits {
            max_skip: 10,
            max_stored_keys: 3,
            max_receiving_chains: 2,
            skipped_key_lifetime: None,
        }
    }

    #[test]
    fn the_account_follows_each_limit() {
        let mut a = Account::new(small());
        // A new chain may start up to max_skip in.
        assert_eq!(a.verdict(0, 10), Verdict::Receivable);
        assert!(matches!(a.verdict(0, 11), Verdict::Beyond(_)));
        // Index 5 first: 2, 3 and 4 are stored (three at most), 0 and 1 not.
        a.accept(0, 5);
        // Up to max_skip past the next index (6) may come.
        for n in [2, 3, 4, 6, 16] {
            assert_eq!(a.verdict(0, n), Verdict::Receivable, "{n}");
        }
        for n in [0, 1, 5, 17] {
            assert!(matches!(a.verdict(0, n), Verdict::Beyond(_)), "{n}");
        }
        // A key is used once; the oldest stored key goes first: 6 and 8
        // join 2 and 4, so 2 goes.
        a.accept(0, 3);
        assert!(matches!(a.verdict(0, 3), Verdict::Beyond(_)));
        a.accept(0, 7);
        assert_eq!(a.verdict(0, 2), Verdict::Receivable);
        a.accept(0, 9);
        assert_eq!(a.verdict(0, 6), Verdict::Receivable);
        assert!(matches!(a.verdict(0, 2), Verdict::Beyond(_)));
        // Two chains are held: a third drops the first.
        a.accept(1, 0);
        assert_eq!(a.verdict(0, 6), Verdict::Receivable);
        a.accept(2, 0);
        assert!(matches!(a.verdict(0, 6), Verdict::Beyond(_)));
        assert_eq!(a.verdict(1, 1), Verdict::Receivable);
        assert_eq!(a.verdict(3, 0), Verdict::Receivable);
    }
}
