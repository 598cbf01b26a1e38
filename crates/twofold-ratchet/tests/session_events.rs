//! The ratchet sessions of every suite under the conversation event model
//! of twofold-testkit (the model the `ratchet_events` fuzz target runs):
//! both sides send, the network delivers in any order, drops, replays and
//! corrupts, parties restart from their serialized state and their clocks
//! move on. Every genuine message is accepted unless a configured limit
//! refuses it (25,000 forward, 2,000 stored keys a chain, 5 receiving
//! chains), every replay and corruption is refused but for libsignal's
//! unread PreKeySignalMessage fields, and no refusal changes a serialized
//! session.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use twofold_ratchet::suite::SUITES;
use twofold_testkit::conversation::{Conversation, Event, Side, Stats};
use twofold_testkit::session_party;

fn play(suite: &str, events: &[Event]) -> Stats {
    let (a, b) = session_party::pair(suite, b"session events test").unwrap();
    Conversation::new(a, b)
        .run(events)
        .unwrap_or_else(|v| panic!("{suite}: {v}"))
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::A), Just(Side::B)]
}

/// Events weighted towards sending and delivering, so that conversations
/// go on for many epochs.
fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        6 => (side(), any::<u8>()).prop_map(|(from, len)| Event::Send { from, len }),
        6 => (side(), any::<u8>()).prop_map(|(to, pick)| Event::Deliver { to, pick }),
        1 => (side(), any::<u8>(), any::<u8>())
            .prop_map(|(to, from, with)| Event::Reorder { to, from, with }),
        1 => (side(), any::<u8>()).prop_map(|(to, pick)| Event::Drop { to, pick }),
        1 => (side(), any::<u8>()).prop_map(|(to, pick)| Event::Duplicate { to, pick }),
        2 => (side(), any::<u8>(), any::<u16>(), any::<u8>())
            .prop_map(|(to, pick, at, xor)| Event::Corrupt { to, pick, at, xor }),
        1 => side().prop_map(|who| Event::SaveRestore { who }),
        1 => (side(), any::<u8>()).prop_map(|(who, arg)| Event::Tick { who, arg }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn any_events_keep_the_rules(
        suite in 0..SUITES.len(),
        events in proptest::collection::vec(event(), 0..200),
    ) {
        play(SUITES[suite], &events);
    }
}

use Side::{A, B};

fn sends(from: Side, n: usize) -> impl Iterator<Item = Event> {
    (0..n).map(move |_| Event::Send { from, len: 16 })
}

/// One message each way, delivered: a round trip, which gives each side a
/// new epoch.
fn round_trip(e: &mut Vec<Event>) {
    e.extend([
        Event::Send { from: B, len: 1 },
        Event::Deliver { to: A, pick: 0 },
        Event::Send { from: A, len: 1 },
        Event::Deliver { to: B, pick: 1 },
    ]);
}

/// A message of the receiver's oldest chain arrives after `trips` more
/// epochs: kept up to the fifth receiving chain, refused (and kept in
/// flight, then dropped) at the sixth.
#[test]
fn receiving_chains_are_kept_up_to_five() {
    for (trips, refused) in [(4, 0), (5, 1)] {
        // a0 waits; a1 opens B's first receiving chain.
        let mut e: Vec<Event> = sends(A, 2).collect();
        e.push(Event::Deliver { to: B, pick: 1 });
        for _ in 0..trips {
            round_trip(&mut e);
        }
        e.push(Event::Deliver { to: B, pick: 0 });
        e.push(Event::Drop { to: B, pick: 0 });
        let s = play("DoubleRatchet_spec_X25519_SHA-256_ChaCha20-Poly1305", &e);
        assert_eq!(
            (s.sent, s.accepted, s.refused, s.dropped),
            (2 + 2 * trips, 2 * trips + 2 - refused, refused, refused),
            "{trips} epochs later"
        );
    }
}

/// A message that waits while its chain moves `ahead` further is still
/// accepted while at most 2,000 keys were skipped after it (the
/// stored-key limit), refused beyond.
#[test]
fn stored_keys_are_kept_up_to_two_thousand() {
    for (skipped_after, refused) in [(1999, 0), (2000, 1)] {
        // a0 waits; the next `skipped_after` are lost; the one after them
        // arrives, skipping a0 and them.
        let mut e: Vec<Event> = sends(A, 1).collect();
        for _ in 0..skipped_after {
            e.push(Event::Send { from: A, len: 0 });
            e.push(Event::Drop { to: B, pick: 1 });
        }
        e.push(Event::Send { from: A, len: 0 });
        e.push(Event::Deliver { to: B, pick: 1 });
        e.push(Event::Deliver { to: B, pick: 0 });
        let s = play("TripleRatchet_signal_X25519_SHA-256", &e);
        let sent = skipped_after as u64 + 2;
        assert_eq!(
            (s.sent, s.accepted, s.refused),
            (sent, 2 - refused, refused),
            "{skipped_after} skipped after it"
        );
    }
}

/// The first message of a chain may lie 25,000 ahead (the forward
/// limit), not 25,001: refused, it stays in flight.
#[test]
fn a_chain_may_start_up_to_25000_ahead() {
    for (lost, refused) in [(25_000, 0), (25_001, 1)] {
        let mut e = Vec::new();
        for _ in 0..lost {
            e.push(Event::Send { from: A, len: 0 });
            e.push(Event::Drop { to: B, pick: 0 });
        }
        e.push(Event::Send { from: A, len: 0 });
        e.push(Event::Deliver { to: B, pick: 0 });
        e.push(Event::Deliver { to: B, pick: 0 });
        let s = play(
            "KemRatchet_twofold_ML-KEM-768_SHA-256_ChaCha20-Poly1305",
            &e,
        );
        assert_eq!(
            (s.accepted, s.refused),
            (1 - refused, 2 * refused),
            "{lost} lost before it"
        );
    }
}

/// Top-level protobuf fields of a PreKeySignalMessage (after its version
/// byte), read here on their own: field number, offset and length of the
/// value.
fn fields(message: &[u8]) -> Vec<(u64, usize, usize)> {
    fn varint(b: &[u8], at: &mut usize) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = b[*at];
            *at += 1;
            v |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                break;
            }
        }
        v
    }
    let mut out = Vec::new();
    let mut at = 1;
    while at < message.len() {
        let key = varint(message, &mut at);
        let start = at;
        if key & 7 == 2 {
            let len = varint(message, &mut at) as usize;
            out.push((key >> 3, at, len));
            at += len;
        } else {
            varint(message, &mut at);
            out.push((key >> 3, start, at - start));
        }
    }
    out
}

/// libsignal's PreKeySignalMessage (wire.proto): identity_key 3, message
/// 4, registration_id 5, kyber_ciphertext 8.
fn field(message: &[u8], number: u64) -> (usize, usize) {
    fields(message)
        .into_iter()
        .find(|f| f.0 == number)
        .map(|f| (f.1, f.2))
        .unwrap()
}

/// Every kind of event, with libsignal's exceptions: a registration id
/// changed passes always; a KEM ciphertext changed passes once the
/// receiver has the session its base key names; the identity key and the
/// inner message do not.
#[test]
fn every_kind_of_event_and_libsignals_unread_fields() {
    let suite = "TripleRatchet_signal_X25519_SHA-256";
    // The positions in Alice's first PreKeySignalMessage, from the same
    // seeds and a payload as long as the model's (16 bytes): the later
    // messages have the same fields at the same places.
    let (mut alice, _) = session_party::pair(suite, b"session events test").unwrap();
    let m = twofold_testkit::conversation::Party::send(&mut alice, &[0; 16]).unwrap();
    let bytes = &m.envelope.bytes;
    assert!(m.envelope.prekey && bytes[0] == 0x44);
    let (reg, _) = field(bytes, 5);
    let (kem, kem_len) = field(bytes, 8);
    let (identity, _) = field(bytes, 3);
    let (inner, inner_len) = field(bytes, 4);
    let at = |x: usize| u16::try_from(x).unwrap();

    let mut e: Vec<Event> = sends(A, 3).collect();
    e.extend([
        // Before B has a session: the registration id passes (a0 arrives),
        // a KEM ciphertext changed does not.
        Event::Corrupt {
            to: B,
            pick: 1,
            at: at(kem + kem_len / 2),
            xor: 0x10,
        },
        Event::Corrupt {
            to: B,
            pick: 0,
            at: at(reg),
            xor: 1,
        },
        Event::Duplicate { to: B, pick: 0 },
        // B has the session: a1's KEM ciphertext is not read again.
        Event::Corrupt {
            to: B,
            pick: 0,
            at: at(kem + kem_len / 2),
            xor: 0x10,
        },
        // a2: its identity key and its inner SignalMessage's MAC count.
        Event::Corrupt {
            to: B,
            pick: 0,
            at: at(identity + 7),
            xor: 0x01,
        },
        Event::Corrupt {
            to: B,
            pick: 0,
            at: at(inner + inner_len - 1),
            xor: 0x80,
        },
        Event::Reorder {
            to: B,
            from: 0,
            with: 0,
        },
        Event::SaveRestore { who: B },
        Event::Deliver { to: B, pick: 0 },
        Event::Tick { who: B, arg: 24 },
        Event::Send { from: B, len: 3 },
        Event::Send { from: B, len: 4 },
        Event::Drop { to: A, pick: 0 },
        Event::Deliver { to: A, pick: 0 },
        Event::SaveRestore { who: A },
        // Alice has heard from Bob: a plain SignalMessage now.
        Event::Send { from: A, len: 5 },
        Event::Corrupt {
            to: B,
            pick: 0,
            at: 3,
            xor: 0x01,
        },
        Event::Deliver { to: B, pick: 0 },
        Event::Duplicate { to: B, pick: 3 },
    ]);
    let s = play(suite, &e);
    assert_eq!(
        s,
        Stats {
            sent: 6,
            accepted: 5,
            refused: 0,
            dropped: 1,
            replays_refused: 2,
            corruptions_refused: 4,
            corruptions_unread: 2,
            reloads: 2,
        }
    );
}
