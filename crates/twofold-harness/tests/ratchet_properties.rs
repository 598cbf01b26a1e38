//! Properties of every ratchet suite under arbitrary conversations: sends,
//! deliveries in any order, losses, replays, flipped bits and reloads from
//! serialized state, in any interleaving.
//!
//! * every delivered message decrypts, once, to what was sent;
//! * a replay is refused and changes nothing;
//! * a message with any bit flipped is refused and changes nothing, with
//!   the exceptions libsignal has too: a PreKeySignalMessage's registration
//!   id is never authenticated, and once the receiver has the session its
//!   base key names, the other handshake fields (prekey ids, KEM
//!   ciphertext) are not read again;
//! * a session serialized and read back serializes to the same bytes, and
//!   the conversation goes on as if nothing happened.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use proptest::prelude::*;
use twofold_core::{Off, Party, Resolver, ShakeRng};
use twofold_handshake::prekey::PrekeyHandshake;
use twofold_harness::ratchets::establish::default_handshake;
use twofold_harness::ratchets::{Envelope, Pair, SUITES, differs_only_where_unread};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::suite::RatchetSuite;

/// One step of a conversation; indices pick among what exists at the time.
#[derive(Debug, Clone)]
enum Event {
    Send(bool),
    Deliver(usize),
    Lose(usize),
    Replay(usize),
    Flip(usize, usize),
    Reload(bool),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        4 => any::<bool>().prop_map(Event::Send),
        4 => any::<usize>().prop_map(Event::Deliver),
        1 => any::<usize>().prop_map(Event::Lose),
        1 => any::<usize>().prop_map(Event::Replay),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(m, b)| Event::Flip(m, b)),
        1 => any::<bool>().prop_map(Event::Reload),
    ]
}

fn party(initiator: bool) -> Party {
    if initiator {
        Party::Initiator
    } else {
        Party::Responder
    }
}

struct Sent {
    envelope: Envelope,
    plaintext: Vec<u8>,
}

struct World {
    pair: Pair,
    rng: ShakeRng,
    resolver: Arc<dyn Resolver>,
    in_flight: Vec<Sent>,
    delivered: Vec<Sent>,
    counter: u64,
    /// The signal profile's handshake, to tell a registration-id flip.
    prekey: Option<PrekeyHandshake>,
}

impl World {
    fn new(suite: &str, seed: u64) -> Self {
        let resolver: Arc<dyn Resolver> = Arc::new(&*REGISTRY);
        let mut rng = ShakeRng::new(&[suite.as_bytes(), &seed.to_le_bytes()].concat());
        let pair = Pair::establish(suite, None, Arc::clone(&resolver), &mut rng, &mut Off).unwrap();
        let parsed = RatchetSuite::parse(suite).unwrap();
        let prekey = PrekeyHandshake::new(default_handshake(&parsed), &*resolver).ok();
        Self {
            pair,
            rng,
            resolver,
            in_flight: Vec::new(),
            delivered: Vec::new(),
            counter: 0,
            prekey,
        }
    }

    /// Both sessions, serialized (empty for a session that does not exist).
    fn snapshot(&self) -> [Vec<u8>; 2] {
        [Party::Initiator, Party::Responder].map(|p| {
            self.pair.session(p).map_or(Vec::new(), |s| {
                s.to_bytes(&*self.resolver).unwrap().expose().to_vec()
            })
        })
    }

    fn receiver(e: &Envelope) -> Party {
        e.from.peer()
    }

    /// A flipped envelope the signal profile may accept: it changed only
    /// the registration id, or, for a receiver that has its session, only
    /// fields that are not read again.
    fn unread_field_changed(&self, a: &Envelope, b: &Envelope) -> bool {
        let (Some(hs), true) = (&self.prekey, a.prekey) else {
            return false;
        };
        let has_session = self.pair.session(Self::receiver(a)).is_some();
        differs_only_where_unread(hs, &a.bytes, &b.bytes, has_session)
    }

    fn step(&mut self, e: &Event) -> Result<(), TestCaseError> {
        match *e {
            Event::Send(initiator) => {
                let p = party(initiator);
                if !self.pair.can_send(p) {
                    return Ok(());
                }
                self.counter += 1;
                let plaintext = format!("message {}", self.counter).into_bytes();
                let envelope = self
                    .pair
                    .send(p, &plaintext, &Default::default(), &mut self.rng, &mut Off)
                    .unwrap();
                self.in_flight.push(Sent {
                    envelope,
                    plaintext,
                });
            }
            Event::Deliver(i) if !self.in_flight.is_empty() => {
                let m = self.in_flight.remove(i % self.in_flight.len());
                let to = Self::receiver(&m.envelope);
                let got = self
                    .pair
                    .receive(to, &m.envelope, 0, &mut self.rng, &mut Off)
                    .map_err(|e| TestCaseError::fail(format!("delivery failed: {e}")))?;
                prop_assert_eq!(&got.plaintext, &m.plaintext);
                self.delivered.push(m);
            }
            Event::Lose(i) if !self.in_flight.is_empty() => {
                self.in_flight.remove(i % self.in_flight.len());
            }
            Event::Replay(i) if !self.delivered.is_empty() => {
                let m = &self.delivered[i % self.delivered.len()];
                let envelope = m.envelope.clone();
                let before = self.snapshot();
                let to = Self::receiver(&envelope);
                let r = self.pair.receive(to, &envelope, 0, &mut self.rng, &mut Off);
                prop_assert!(r.is_err(), "a replay decrypted");
                prop_assert_eq!(self.snapshot(), before, "a refused replay changed state");
            }
            Event::Flip(i, bit) if !self.in_flight.is_empty() => {
                let m = &self.in_flight[i % self.in_flight.len()];
                let mut flipped = m.envelope.clone();
                let bit = bit % (flipped.bytes.len() * 8);
                flipped.bytes[bit / 8] ^= 1 << (bit % 8);
                let before = self.snapshot();
                let to = Self::receiver(&flipped);
                let exempt = self.unread_field_changed(&m.envelope, &flipped);
                let r = self.pair.receive(to, &flipped, 0, &mut self.rng, &mut Off);
                if exempt && r.is_ok() {
                    // Accepted as libsignal would; the original is now a
                    // replay, so it counts as delivered.
                    let m = self.in_flight.remove(i % self.in_flight.len());
                    self.delivered.push(m);
                } else {
                    prop_assert!(r.is_err(), "bit {} flipped was accepted", bit);
                    prop_assert_eq!(self.snapshot(), before, "a refused message changed state");
                }
            }
            Event::Reload(initiator) => {
                let p = party(initiator);
                let before = self.snapshot();
                self.pair.reload(p).unwrap();
                prop_assert_eq!(self.snapshot(), before, "a reloaded session differs");
            }
            _ => {}
        }
        Ok(())
    }

    /// Everything still in flight arrives, in order.
    fn drain(&mut self) -> Result<(), TestCaseError> {
        while !self.in_flight.is_empty() {
            self.step(&Event::Deliver(0))?;
        }
        Ok(())
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_conversations_keep_both_sides_in_agreement(
        suite in 0..SUITES.len(),
        seed in any::<u64>(),
        events in prop::collection::vec(event(), 1..60),
    ) {
        let mut w = World::new(SUITES[suite], seed);
        for e in &events {
            w.step(e)?;
        }
        w.drain()?;
        // Both sides can still talk both ways.
        for initiator in [true, false, true] {
            if w.pair.can_send(party(initiator)) {
                w.step(&Event::Send(initiator))?;
                w.drain()?;
            }
        }
    }
}
