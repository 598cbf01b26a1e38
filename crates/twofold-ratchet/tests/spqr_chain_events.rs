//! The SPQR chain under the conversation event model of twofold-testkit
//! (the model the `spqr_chain_events` fuzz target runs): two parties send,
//! the network delivers in any order, drops, replays and corrupts, parties
//! save and restore and add epochs; every genuine message is accepted or
//! refused only by a configured limit, every replay and corruption is
//! refused, and no refusal changes the serialized chain.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use twofold_ratchet::spqr::chain::ChainParams;
use twofold_testkit::arbitrary::Unstructured;
use twofold_testkit::chain_party::ChainParty;
use twofold_testkit::conversation::{Conversation, Event, Side, Stats, events};

fn play(params: ChainParams, events: &[Event]) -> Stats {
    let (a, b) = ChainParty::pair(params).unwrap();
    Conversation::new(a, b)
        .run(events)
        .unwrap_or_else(|v| panic!("{params:?}: {v}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_events_keep_the_rules(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        max_jump in 1u32..64,
        max_ooo_keys in 1u32..32,
    ) {
        let events = events(&mut Unstructured::new(&bytes), 512);
        play(ChainParams { max_jump, max_ooo_keys }, &events);
    }
}

/// A scripted run in which every kind of event happens, so the rules are
/// seen to be exercised (and the counts to move).
#[test]
fn every_kind_of_event_is_checked() {
    use Side::{A, B};
    let mut e = Vec::new();
    for _ in 0..6 {
        e.push(Event::Send { from: A, len: 20 });
    }
    e.extend([
        Event::Reorder {
            to: B,
            from: 0,
            with: 5,
        },
        Event::Deliver { to: B, pick: 0 },
        Event::Duplicate { to: B, pick: 0 },
        Event::Corrupt {
            to: B,
            pick: 1,
            at: 3,
            xor: 0x10,
        },
        Event::Corrupt {
            to: B,
            pick: 1,
            at: 40,
            xor: 1,
        },
        Event::Drop { to: B, pick: 2 },
        Event::SaveRestore { who: B },
        Event::Deliver { to: B, pick: 0 },
        Event::Tick { who: A, arg: 0 },
        Event::Send { from: A, len: 0 },
        // B does not know epoch 1 yet: refused, kept in flight.
        Event::Deliver { to: B, pick: 3 },
        Event::Tick { who: B, arg: 0 },
        Event::Deliver { to: B, pick: 3 },
        Event::Send { from: B, len: 3 },
        Event::Deliver { to: A, pick: 0 },
        Event::SaveRestore { who: A },
    ]);
    let s = play(
        ChainParams {
            max_jump: 8,
            max_ooo_keys: 4,
        },
        &e,
    );
    assert_eq!(
        s,
        Stats {
            sent: 8,
            accepted: 4,
            refused: 1,
            dropped: 1,
            replays_refused: 1,
            corruptions_refused: 2,
            corruptions_unread: 0,
            reloads: 2,
        }
    );
}

/// Limits are met: a message further ahead than `max_jump` is refused with
/// the chain unchanged, stays in flight and arrives once the gap is closed;
/// the keys skipped on the way stay available.
#[test]
fn limits_refuse_and_keep_the_message() {
    use Side::{A, B};
    let mut e: Vec<Event> = (0..5).map(|_| Event::Send { from: A, len: 1 }).collect();
    // Index 5 of 5 is 5 ahead: refused. Then 1 and 2, then 5 (3 ahead),
    // then the skipped 3.
    for pick in [4, 0, 0, 2, 0] {
        e.push(Event::Deliver { to: B, pick });
    }
    let s = play(
        ChainParams {
            max_jump: 3,
            max_ooo_keys: 4,
        },
        &e,
    );
    assert_eq!((s.accepted, s.refused), (4, 1));
}
