//! Soak: long conversations of ratchet sessions through the conversation
//! event model of twofold-testkit, with random loss and reordering, turns
//! of chat, long one-way bursts and the rare silence longer than the
//! forward limit. After every event each party's memory for out-of-order
//! messages is read (skipped keys, receiving chains, serialized size) and
//! must stay within the suite's limits; the model's own rules hold
//! throughout (every genuine message accepted unless a limit refuses it,
//! nothing refused changes a state).
//!
//! `soak_short_*` (10^4 messages a suite) run with the other tests;
//! `soak_million_*` (10^6 a suite) are ignored (CI's pass of ignored tests
//! skips them) and run by hand, in release:
//! `cargo test --release -p twofold-ratchet --test session_soak -- --ignored --nocapture`.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use twofold_core::{CryptoRng, ShakeRng};
use twofold_ratchet::double::Limits;
use twofold_testkit::conversation::{Conversation, Event, Side};
use twofold_testkit::session_party::{self, Memory, SessionParty};

/// libsignal's Triple Ratchet, the specification's Double Ratchet and the
/// KEM ratchet.
const SUITES: [&str; 3] = [
    "TripleRatchet_signal_X25519_SHA-256",
    "DoubleRatchet_spec_X25519_SHA-256_ChaCha20-Poly1305",
    "KemRatchet_twofold_ML-KEM-768_SHA-256_ChaCha20-Poly1305",
];

/// Largest serialized skipped key of the double ratchet: postcard's
/// `(u32, [u8; 32], u64)`, varints of at most 5 and 10 bytes.
const DR_KEY_BYTES: usize = 5 + 32 + 10;

/// SPQR's: `u32 || key`, at most `max_ooo_keys` of them in each of the (at
/// most three) epochs it holds.
const SPQR_KEY_BYTES: usize = 4 + 32;
const SPQR_KEYS: usize = 3 * 2_000;

/// Everything but the skipped keys (keys of the CKA, chain keys, SPQR's
/// chunks in transit) stays under this.
const REST_BYTES: usize = 64 * 1024;

/// The draws of the network and the parties' turns.
struct Draw(ShakeRng);

impl Draw {
    fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.0.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.u64() % (hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.u64() >> 11) as f64) < p * (1u64 << 53) as f64
    }
    fn side(&mut self) -> Side {
        if self.chance(0.5) { Side::A } else { Side::B }
    }
    fn pick(&mut self) -> u8 {
        self.u64() as u8
    }
}

/// What a soak saw.
#[derive(Debug, Default)]
struct Figures {
    events: u64,
    /// The largest value of each field over both parties and every event.
    max: Memory,
    /// The largest serialized state less its skipped keys at their largest
    /// encoding.
    max_rest: usize,
    /// Messages sent in silences (all lost but the last), which the run's
    /// length does not count.
    silenced: u64,
    seconds: f64,
}

struct Soak {
    c: Conversation<SessionParty>,
    draw: Draw,
    limits: Limits,
    bound: usize,
    /// Each party's serialized size as last read.
    state_bytes: [usize; 2],
    figures: Figures,
}

impl Soak {
    fn new(suite: &str) -> Self {
        let (a, b) = session_party::pair(suite, b"soak").unwrap();
        let limits = a.limits();
        let sparse = suite.starts_with("TripleRatchet");
        let bound = limits.max_stored_keys * limits.max_receiving_chains * DR_KEY_BYTES
            + if sparse {
                SPQR_KEYS * SPQR_KEY_BYTES
            } else {
                0
            }
            + REST_BYTES;
        Self {
            c: Conversation::new(a, b),
            draw: Draw(ShakeRng::new(format!("soak {suite}").as_bytes())),
            limits,
            bound,
            state_bytes: [0; 2],
            figures: Figures::default(),
        }
    }

    /// Plays one event, then reads both parties' memory. The serialized
    /// size is read again for the party the event sent from, delivered to
    /// or restored; no other event can change a party's state (the model
    /// compares the serialized state around every refusal, byte for byte).
    fn apply(&mut self, e: Event) {
        self.c.apply(&e).unwrap_or_else(|v| panic!("{v}"));
        self.figures.events += 1;
        let touched = match e {
            Event::Send { from, .. } => Some(from),
            Event::Deliver { to, .. } | Event::Corrupt { to, .. } => Some(to),
            Event::SaveRestore { who } => Some(who),
            _ => None,
        };
        let l = self.limits;
        for side in [Side::A, Side::B] {
            let i = usize::from(side == Side::B);
            let party = self.c.party(side);
            if touched == Some(side) {
                self.state_bytes[i] = party.memory().unwrap().state_bytes;
            }
            let (skipped_keys, receiving_chains) = party
                .with_session(|s| (s.ratchet().skipped_keys(), s.ratchet().receiving_chains()))
                .unwrap_or_default();
            let m = Memory {
                skipped_keys,
                receiving_chains,
                state_bytes: self.state_bytes[i],
            };
            assert!(
                m.receiving_chains <= l.max_receiving_chains,
                "{side:?} holds {} receiving chains",
                m.receiving_chains
            );
            assert!(
                m.skipped_keys <= l.max_stored_keys * l.max_receiving_chains,
                "{side:?} holds {} skipped keys",
                m.skipped_keys
            );
            assert!(
                m.state_bytes <= self.bound,
                "{side:?}'s state is {} bytes",
                m.state_bytes
            );
            let max = &mut self.figures.max;
            max.skipped_keys = max.skipped_keys.max(m.skipped_keys);
            max.receiving_chains = max.receiving_chains.max(m.receiving_chains);
            max.state_bytes = max.state_bytes.max(m.state_bytes);
            self.figures.max_rest = self
                .figures
                .max_rest
                .max(m.state_bytes.saturating_sub(m.skipped_keys * DR_KEY_BYTES));
        }
    }

    /// `from` sends; the message is lost with probability `loss`.
    fn send(&mut self, from: Side, loss: f64) {
        let len = self.draw.range(0, 120) as u8;
        let before = self.c.stats().sent;
        self.apply(Event::Send { from, len });
        if self.c.stats().sent > before && self.draw.chance(loss) {
            let last = self.c.in_flight(from.peer()) - 1;
            self.apply(Event::Drop {
                to: from.peer(),
                pick: last as u8,
            });
        }
    }

    /// Each message waiting for `to` arrives with probability `p`, in a
    /// random order.
    fn deliver_some(&mut self, to: Side, p: f64) {
        for _ in 0..self.c.in_flight(to) {
            if self.draw.chance(p) {
                let pick = self.draw.pick();
                self.deliver(to, pick);
            }
        }
    }

    /// Now and then: a replay, a damaged copy, a reorder, a restart, time.
    fn noise(&mut self) {
        let to = self.draw.side();
        let (pick, with) = (self.draw.pick(), self.draw.pick());
        let r = self.draw.range(0, 999);
        let e = match r {
            0..=9 => Event::Duplicate { to, pick },
            10..=19 => Event::Corrupt {
                to,
                pick,
                at: self.draw.u64() as u16,
                xor: self.draw.pick(),
            },
            20..=39 => Event::Reorder {
                to,
                from: pick,
                with,
            },
            40..=41 => Event::SaveRestore { who: to },
            42 => Event::Tick { who: to, arg: with },
            _ => return,
        };
        self.apply(e);
    }

    /// Turns of conversation: the turn passes after a message with
    /// probability one half; what waits is mostly delivered, in any order.
    fn chat(&mut self, messages: u64) {
        let loss = self.draw.range(0, 20) as f64 / 100.0;
        // With little delivered, messages wait several turns: their chains
        // get dropped.
        let delivered = self.draw.range(30, 90) as f64 / 100.0;
        let mut turn = self.draw.side();
        for _ in 0..messages {
            self.deliver_some(turn, delivered);
            self.send(turn, loss);
            self.noise();
            if self.draw.chance(0.5) {
                turn = turn.peer();
            }
        }
    }

    /// One side sends a long run, heavily lost, delivered out of order as
    /// it goes: skipped keys pile up to the stored-key limit.
    fn burst(&mut self, messages: u64) {
        let loss = self.draw.range(5, 50) as f64 / 100.0;
        let from = self.draw.side();
        for _ in 0..messages {
            self.send(from, loss);
            if self.draw.chance(0.8) {
                let pick = self.draw.pick();
                self.deliver(from.peer(), pick);
            }
            self.noise();
        }
    }

    /// One side's messages are all lost for longer than the forward limit,
    /// then one arrives: refused, kept in flight.
    fn silence(&mut self) {
        let from = self.draw.side();
        let n = u64::from(self.limits.max_skip) + self.draw.range(1, 100);
        for _ in 0..n {
            self.send(from, 1.0);
        }
        self.send(from, 0.0);
        self.figures.silenced += n + 1;
        let pick = (self.c.in_flight(from.peer()).max(1) - 1) as u8;
        self.deliver(from.peer(), pick);
    }

    /// Delivers message `pick` to `to`. A message a limit refused stays in
    /// flight in the model, but no later event brings it within reach (its
    /// chain was dropped, or it lies beyond the forward limit of a chain
    /// whose next index only grows through it): it is then lost, so that
    /// it is not refused again at every delivery.
    fn deliver(&mut self, to: Side, pick: u8) {
        let refused = self.c.stats().refused;
        self.apply(Event::Deliver { to, pick });
        if self.c.stats().refused > refused {
            self.apply(Event::Drop { to, pick });
        }
    }

    fn run(mut self, messages: u64) -> (Figures, twofold_testkit::conversation::Stats) {
        let t = Instant::now();
        // A chat first, so that even a short run has one; the first
        // silence after a fifth of the run (also of a short one, so that it
        // meets the forward limit), then one in about 300,000 messages.
        self.chat(400);
        let mut silence_at = messages / 5;
        while self.c.stats().sent - self.figures.silenced < messages {
            let sent = self.c.stats().sent - self.figures.silenced;
            if sent >= silence_at {
                self.silence();
                silence_at = sent + self.draw.range(200_000, 400_000);
                continue;
            }
            match self.draw.range(0, 9) {
                0..=6 => {
                    let n = self.draw.range(20, 400);
                    self.chat(n)
                }
                _ => {
                    let n = self.draw.range(100, 4000);
                    self.burst(n)
                }
            }
        }
        self.figures.seconds = t.elapsed().as_secs_f64();
        (self.figures, self.c.stats())
    }
}

fn soak(suite: &str, messages: u64) {
    let (f, s) = Soak::new(suite).run(messages);
    println!(
        "{suite}: {} messages ({} in silences), {} events, {:.1} s; accepted {}, refused by a limit {}, \
         lost {}, replays {}, damaged copies {} (+{} unread), restarts {}; \
         max skipped keys {}, max receiving chains {}, max state {} B \
         (without skipped keys at most {} B)",
        s.sent,
        f.silenced,
        f.events,
        f.seconds,
        s.accepted,
        s.refused,
        s.dropped,
        s.replays_refused,
        s.corruptions_refused,
        s.corruptions_unread,
        s.reloads,
        f.max.skipped_keys,
        f.max.receiving_chains,
        f.max.state_bytes,
        f.max_rest,
    );
    // The run met what it is about: losses, reordering past the receiving
    // chain limit. Bursts lose up to half of their messages and a message a
    // limit refused is lost too, so about half arrive (10^6 of the Double
    // Ratchet: 48%); a third is a floor that a working run clears.
    let outside_silences = s.sent - f.silenced;
    assert!(
        s.dropped > 0 && s.accepted > outside_silences / 3,
        "{suite}: {s:?}"
    );
    assert!(s.refused > 0, "{suite}: no message waited past a limit");
    assert_eq!(f.max.receiving_chains, 5, "{suite}");
}

/// 10^4 messages a suite, with the other tests.
#[test]
fn soak_short_triple_signal() {
    soak(SUITES[0], 10_000);
}

#[test]
fn soak_short_double_spec() {
    soak(SUITES[1], 10_000);
}

#[test]
fn soak_short_kem() {
    soak(SUITES[2], 10_000);
}

#[test]
#[ignore = "10^6 messages: minutes in release; run by hand (see the file's header)"]
fn soak_million_triple_signal() {
    soak(SUITES[0], 1_000_000);
}

#[test]
#[ignore = "10^6 messages: minutes in release; run by hand (see the file's header)"]
fn soak_million_double_spec() {
    soak(SUITES[1], 1_000_000);
}

#[test]
#[ignore = "10^6 messages: minutes in release; run by hand (see the file's header)"]
fn soak_million_kem() {
    soak(SUITES[2], 1_000_000);
}
