//! The event model of a two-party conversation over an unreliable network,
//! shared by the property tests and the fuzz targets.
//!
//! A conversation is two [`Party`] values, A and B, and the messages in
//! flight between them. An [`Event`] sends, delivers (in any order), drops,
//! replays, corrupts, or saves and restores a party, or gives a party a
//! protocol step of its own ([`Event::Tick`]). [`Conversation::apply`] plays
//! one event and checks, after each, what must hold whatever the network
//! does:
//!
//! * a genuine message delivered for the first time is accepted with the
//!   payload that was sent, or refused with an error the party declares
//!   legitimate ([`Party::refusal_allowed`]: a configured limit); a refused
//!   message stays in flight, so it can still arrive later;
//! * a replayed (already accepted) or corrupted message is refused, unless
//!   the party declares the damage to lie in bytes its protocol does not
//!   authenticate or read ([`Party::corruption_may_pass`]: libsignal's
//!   PreKeySignalMessage has such fields); such a copy must then give the
//!   original's payload, and the original counts as delivered;
//! * every refusal leaves the party's serialized state byte for byte as it
//!   was ([`Party::state`]);
//! * saving and restoring a party gives the same serialized state.
//!
//! Events are [`arbitrary::Arbitrary`], so a fuzz target reads them from
//! its input and a property test from random bytes; [`events`] does both.
//! A party type is added by implementing [`Party`] for it (see
//! [`crate::chain_party`] for the SPQR chain, [`crate::session_party`] for
//! the ratchet sessions).

use core::fmt;

use arbitrary::{Arbitrary, Unstructured};

/// One of the two parties.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The initiator.
    A,
    /// The responder.
    B,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }

    /// The other party.
    pub fn peer(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// What the network or a party does next. Positions (`pick`, `from`, `to`)
/// are taken modulo the length of the queue they index.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `from` sends a new message with a payload of `len` bytes.
    Send {
        /// The sender.
        from: Side,
        /// Payload length.
        len: u8,
    },
    /// The in-flight message at `pick` reaches `to`.
    Deliver {
        /// The recipient.
        to: Side,
        /// Which in-flight message.
        pick: u8,
    },
    /// Two in-flight messages to `to` swap places.
    Reorder {
        /// The recipient.
        to: Side,
        /// One position.
        from: u8,
        /// The other position.
        with: u8,
    },
    /// The in-flight message at `pick` is lost.
    Drop {
        /// The recipient.
        to: Side,
        /// Which in-flight message.
        pick: u8,
    },
    /// A message `to` already accepted arrives again.
    Duplicate {
        /// The recipient.
        to: Side,
        /// Which accepted message.
        pick: u8,
    },
    /// A damaged copy of the in-flight message at `pick` reaches `to`; the
    /// original stays in flight.
    Corrupt {
        /// The recipient.
        to: Side,
        /// Which in-flight message.
        pick: u8,
        /// Byte position of the damage (modulo the message length).
        at: u16,
        /// The bits flipped there (0 is taken as 1).
        xor: u8,
    },
    /// `who` is serialized and restored from the bytes.
    SaveRestore {
        /// The party.
        who: Side,
    },
    /// A protocol step of `who`'s own ([`Party::tick`]), e.g. a new epoch.
    Tick {
        /// The party.
        who: Side,
        /// Its argument.
        arg: u8,
    },
}

/// A protocol party the model can drive.
pub trait Party {
    /// A message on the wire.
    type Message: Clone;
    /// The party's error type.
    type Error: fmt::Debug;

    /// Encrypts a new message.
    fn send(&mut self, payload: &[u8]) -> Result<Self::Message, Self::Error>;
    /// Decrypts a message; on error the state must be unchanged.
    fn receive(&mut self, message: &Self::Message) -> Result<Vec<u8>, Self::Error>;
    /// The serialized state, compared byte for byte around every refusal.
    fn state(&self) -> Vec<u8>;
    /// Replaces the party with one restored from its serialized state.
    fn reload(&mut self) -> Result<(), Self::Error>;
    /// A copy of `message` with the bits `xor` (non-zero) flipped at
    /// position `at`, taken modulo the length of its encoding.
    fn corrupt(message: &Self::Message, at: usize, xor: u8) -> Self::Message;
    /// Whether refusing a genuine, first-time message with `error` is
    /// legitimate (a configured limit, a message from an epoch not known
    /// yet); anything else is a lost message.
    fn refusal_allowed(&self, error: &Self::Error) -> bool;
    /// A protocol step of this party's own; nothing by default.
    fn tick(&mut self, _arg: u8) -> Result<(), Self::Error> {
        Ok(())
    }
    /// Whether this party, about to receive `corrupted` (a damaged copy of
    /// the genuine in-flight `original`), may accept it as `original`: the
    /// damage lies only in bytes its protocol does not authenticate or does
    /// not read. Asked before the delivery; `false` by default.
    fn corruption_may_pass(&self, _original: &Self::Message, _corrupted: &Self::Message) -> bool {
        false
    }
}

/// What went wrong, with the event that showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The event, as `Debug` prints it.
    pub event: String,
    /// What did not hold.
    pub what: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.event, self.what)
    }
}

/// Counts of what happened, for the figures of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages sent.
    pub sent: u64,
    /// Genuine messages accepted (also through a copy damaged where it is
    /// not read, see `corruptions_unread`).
    pub accepted: u64,
    /// Genuine messages refused with an allowed error (kept in flight).
    pub refused: u64,
    /// Messages dropped by the network.
    pub dropped: u64,
    /// Replays refused.
    pub replays_refused: u64,
    /// Corrupted copies refused.
    pub corruptions_refused: u64,
    /// Corrupted copies accepted as the original, the damage lying in bytes
    /// the protocol does not read ([`Party::corruption_may_pass`]).
    pub corruptions_unread: u64,
    /// Save-and-restore round trips.
    pub reloads: u64,
}

struct InFlight<M> {
    payload: Vec<u8>,
    message: M,
}

/// At most this many messages wait in each direction; a send beyond it is
/// skipped, so that memory stays bounded whatever the events.
pub const MAX_IN_FLIGHT: usize = 256;

/// Two parties and the network between them.
pub struct Conversation<P: Party> {
    parties: [P; 2],
    /// By recipient.
    in_flight: [Vec<InFlight<P::Message>>; 2],
    /// Accepted messages, by recipient, for replays (the last
    /// [`MAX_IN_FLIGHT`]).
    accepted: [Vec<P::Message>; 2],
    next_payload: u64,
    stats: Stats,
}

impl<P: Party> Conversation<P> {
    /// A conversation between `a` and `b`.
    pub fn new(a: P, b: P) -> Self {
        Self {
            parties: [a, b],
            in_flight: [Vec::new(), Vec::new()],
            accepted: [Vec::new(), Vec::new()],
            next_payload: 0,
            stats: Stats::default(),
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// A party.
    pub fn party(&self, side: Side) -> &P {
        &self.parties[side.index()]
    }

    /// How many messages to `to` are in flight.
    pub fn in_flight(&self, to: Side) -> usize {
        self.in_flight[to.index()].len()
    }

    /// Plays every event in turn; stops at the first violation.
    pub fn run(&mut self, events: &[Event]) -> Result<Stats, Violation> {
        for e in events {
            self.apply(e)?;
        }
        Ok(self.stats)
    }

    /// A payload no other message of this conversation has: a counter,
    /// then filler up to `len` bytes.
    fn payload(&mut self, len: u8) -> Vec<u8> {
        let mut p = self.next_payload.to_be_bytes().to_vec();
        self.next_payload += 1;
        p.resize(p.len().max(usize::from(len)), 0xA5);
        p
    }

    /// Plays one event and checks the model's rules.
    pub fn apply(&mut self, event: &Event) -> Result<(), Violation> {
        let fail = |what: String| Violation {
            event: format!("{event:?}"),
            what,
        };
        match *event {
            Event::Send { from, len } => {
                let to = from.peer().index();
                if self.in_flight[to].len() >= MAX_IN_FLIGHT {
                    return Ok(());
                }
                let payload = self.payload(len);
                let party = &mut self.parties[from.index()];
                match party.send(&payload) {
                    Ok(message) => {
                        self.in_flight[to].push(InFlight { payload, message });
                        self.stats.sent += 1;
                    }
                    Err(e) if party.refusal_allowed(&e) => {}
                    Err(e) => return Err(fail(format!("send failed: {e:?}"))),
                }
            }
            Event::Deliver { to, pick } => {
                let queue = &mut self.in_flight[to.index()];
                if queue.is_empty() {
                    return Ok(());
                }
                let i = usize::from(pick) % queue.len();
                let party = &mut self.parties[to.index()];
                let before = party.state();
                match party.receive(&queue[i].message) {
                    Ok(p) if p == queue[i].payload => {
                        let m = queue.remove(i);
                        let accepted = &mut self.accepted[to.index()];
                        if accepted.len() >= MAX_IN_FLIGHT {
                            accepted.remove(0);
                        }
                        accepted.push(m.message);
                        self.stats.accepted += 1;
                    }
                    Ok(_) => return Err(fail("accepted with another payload".into())),
                    Err(e) => {
                        if !party.refusal_allowed(&e) {
                            return Err(fail(format!("genuine message refused: {e:?}")));
                        }
                        if party.state() != before {
                            return Err(fail(format!("refusal {e:?} changed the state")));
                        }
                        self.stats.refused += 1;
                    }
                }
            }
            Event::Reorder { to, from, with } => {
                let queue = &mut self.in_flight[to.index()];
                if !queue.is_empty() {
                    let n = queue.len();
                    queue.swap(usize::from(from) % n, usize::from(with) % n);
                }
            }
            Event::Drop { to, pick } => {
                let queue = &mut self.in_flight[to.index()];
                if !queue.is_empty() {
                    let n = queue.len();
                    queue.remove(usize::from(pick) % n);
                    self.stats.dropped += 1;
                }
            }
            Event::Duplicate { to, pick } => {
                let old = &self.accepted[to.index()];
                if old.is_empty() {
                    return Ok(());
                }
                let m = old[usize::from(pick) % old.len()].clone();
                self.refused(to, &m, "replay").map_err(fail)?;
                self.stats.replays_refused += 1;
            }
            Event::Corrupt { to, pick, at, xor } => {
                let queue = &self.in_flight[to.index()];
                if queue.is_empty() {
                    return Ok(());
                }
                let i = usize::from(pick) % queue.len();
                let m = &queue[i].message;
                let bad = P::corrupt(m, usize::from(at), xor.max(1));
                if self.parties[to.index()].corruption_may_pass(m, &bad) {
                    return self.unread_corruption(to, i, &bad).map_err(fail);
                }
                self.refused(to, &bad, "corrupted message").map_err(fail)?;
                self.stats.corruptions_refused += 1;
            }
            Event::SaveRestore { who } => {
                let party = &mut self.parties[who.index()];
                let before = party.state();
                party
                    .reload()
                    .map_err(|e| fail(format!("restore failed: {e:?}")))?;
                if party.state() != before {
                    return Err(fail("the restored state differs".into()));
                }
                self.stats.reloads += 1;
            }
            Event::Tick { who, arg } => {
                let party = &mut self.parties[who.index()];
                let before = party.state();
                if let Err(e) = party.tick(arg) {
                    if !party.refusal_allowed(&e) {
                        return Err(fail(format!("tick failed: {e:?}")));
                    }
                    if party.state() != before {
                        return Err(fail(format!("failed tick {e:?} changed the state")));
                    }
                }
            }
        }
        Ok(())
    }

    /// Delivers `bad`, a copy of in-flight message `i` to `to` damaged only
    /// where the protocol does not read: accepted, it must give the
    /// original's payload, and the original is delivered; refused, it must
    /// leave the party as it was, and the original stays in flight.
    fn unread_corruption(&mut self, to: Side, i: usize, bad: &P::Message) -> Result<(), String> {
        let party = &mut self.parties[to.index()];
        let before = party.state();
        match party.receive(bad) {
            Ok(p) if p == self.in_flight[to.index()][i].payload => {
                let m = self.in_flight[to.index()].remove(i);
                let accepted = &mut self.accepted[to.index()];
                if accepted.len() >= MAX_IN_FLIGHT {
                    accepted.remove(0);
                }
                accepted.push(m.message);
                self.stats.corruptions_unread += 1;
                self.stats.accepted += 1;
                Ok(())
            }
            Ok(_) => Err("a corrupted copy was accepted with another payload".into()),
            Err(e) if party.state() != before => Err(format!(
                "refusing a copy corrupted where it is not read ({e:?}) changed the state"
            )),
            Err(_) => {
                self.stats.corruptions_refused += 1;
                Ok(())
            }
        }
    }

    /// Delivers `m` to `to`, which must refuse it and stay as it was.
    fn refused(&mut self, to: Side, m: &P::Message, what: &str) -> Result<(), String> {
        let party = &mut self.parties[to.index()];
        let before = party.state();
        match party.receive(m) {
            Ok(_) => Err(format!("{what} accepted")),
            Err(e) if party.state() != before => {
                Err(format!("refusing the {what} ({e:?}) changed the state"))
            }
            Err(_) => Ok(()),
        }
    }
}

/// Reads up to `max` events from `u` (fewer if the bytes run out).
pub fn events(u: &mut Unstructured<'_>, max: usize) -> Vec<Event> {
    let mut out = Vec::new();
    while out.len() < max && !u.is_empty() {
        match Event::arbitrary(u) {
            Ok(e) => out.push(e),
            Err(_) => break,
        }
    }
    out
}
