//! The ratchet engine over every CKA: ping-pong, bursts, out-of-order and
//! lost messages within the limits decrypt exactly once; replays, modified
//! messages and over-limit skips are typed errors that change nothing.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod ratchet_common;

use ratchet_common::{KINDS, Kind, pair, recv, send};
use twofold_core::{Off, ShakeRng};
use twofold_ratchet::RatchetError;
use twofold_ratchet::double::{Limits, SendOptions};

#[test]
fn ping_pong_and_bursts() {
    for kind in KINDS {
        let (mut a, mut b, mut rng) = pair(kind, Limits::default(), b"pp");
        for round in 0..6u8 {
            for i in 0..(round % 3 + 1) {
                let m = [round, i];
                let w = send(&mut a, &m, &mut rng);
                assert_eq!(recv(&mut b, &w, &mut rng), m, "{kind:?}");
            }
            for i in 0..(round % 2 + 1) {
                let m = [0xB0 | round, i];
                let w = send(&mut b, &m, &mut rng);
                assert_eq!(recv(&mut a, &w, &mut rng), m, "{kind:?}");
            }
        }
        assert!(a.epochs() >= 12, "{kind:?}: {} epochs", a.epochs());
    }
}

#[test]
fn out_of_order_and_lost_messages_decrypt_once() {
    for kind in KINDS {
        let (mut a, mut b, mut rng) = pair(kind, Limits::default(), b"ooo");
        // Epoch 1 of Alice: five messages, delivered 3, 0, 4, (1 lost), 2.
        let w: Vec<_> = (0..5u8).map(|i| send(&mut a, &[i], &mut rng)).collect();
        assert_eq!(recv(&mut b, &w[3], &mut rng), [3]);
        assert_eq!(b.skipped_keys(), 3);
        assert_eq!(recv(&mut b, &w[0], &mut rng), [0]);
        assert_eq!(recv(&mut b, &w[4], &mut rng), [4]);
        // Bob answers (a new epoch), Alice answers back; then the old
        // epoch's message 2 arrives late.
        let r1 = send(&mut b, b"reply", &mut rng);
        assert_eq!(recv(&mut a, &r1, &mut rng), b"reply");
        let r2 = send(&mut a, b"again", &mut rng);
        assert_eq!(recv(&mut b, &r2, &mut rng), b"again");
        assert_eq!(recv(&mut b, &w[2], &mut rng), [2], "{kind:?}");
        // Replays of every delivered message are refused.
        for m in [&w[0], &w[2], &w[3], &w[4], &r2] {
            let e = b.decrypt(m, 0, &mut rng, &mut Off).unwrap_err();
            assert!(
                matches!(e, RatchetError::Duplicate { .. }),
                "{kind:?}: {e:?}"
            );
        }
        assert_eq!(b.skipped_keys(), 1, "{kind:?}: message 1 stays stored");
    }
}

#[test]
fn a_modified_message_is_rejected_and_changes_nothing() {
    for kind in KINDS {
        let (mut a, mut b, mut rng) = pair(kind, Limits::default(), b"flip");
        let w = send(&mut a, b"hello", &mut rng);
        for i in 0..w.len() {
            for bit in [0x01u8, 0x80] {
                let mut bad = w.clone();
                bad[i] ^= bit;
                let before = (
                    b.messages(),
                    b.epochs(),
                    b.skipped_keys(),
                    b.receiving_chains(),
                );
                assert!(
                    b.decrypt(&bad, 0, &mut rng, &mut Off).is_err(),
                    "{kind:?} byte {i}"
                );
                let after = (
                    b.messages(),
                    b.epochs(),
                    b.skipped_keys(),
                    b.receiving_chains(),
                );
                assert_eq!(before, after, "{kind:?} byte {i}");
            }
        }
        assert_eq!(recv(&mut b, &w, &mut rng), b"hello", "{kind:?}");
    }
}

#[test]
fn skips_beyond_the_limit_are_typed_errors() {
    let limits = Limits {
        max_skip: 10,
        max_stored_keys: 4,
        ..Limits::default()
    };
    for kind in KINDS {
        let (mut a, mut b, mut rng) = pair(kind, limits, b"limit");
        let w: Vec<_> = (0..13u8).map(|i| send(&mut a, &[i], &mut rng)).collect();
        let e = b.decrypt(&w[11], 0, &mut rng, &mut Off).unwrap_err();
        assert!(
            matches!(e, RatchetError::TooManySkipped { .. }),
            "{kind:?}: {e:?}"
        );
        assert_eq!(recv(&mut b, &w[10], &mut rng), [10]);
        // Only the last four skipped keys were kept.
        assert_eq!(b.skipped_keys(), 4);
        assert_eq!(recv(&mut b, &w[9], &mut rng), [9]);
        assert!(b.decrypt(&w[2], 0, &mut rng, &mut Off).is_err());
    }
}

#[test]
fn expiry_is_authenticated_and_enforced() {
    let (mut a, mut b, mut rng) = pair(Kind::Dh, Limits::default(), b"exp");
    let opts = SendOptions {
        now: 100,
        expires_at: Some(200),
        addresses: None,
    };
    let w = a.encrypt(b"soon gone", &opts, &mut rng, &mut Off).unwrap();
    let e = b.decrypt(&w, 201, &mut rng, &mut Off).unwrap_err();
    assert_eq!(
        e,
        RatchetError::Expired {
            expired_at: 200,
            now: 201
        }
    );
    let got = b.decrypt(&w, 150, &mut rng, &mut Off).unwrap();
    assert_eq!(got.plaintext, b"soon gone");
    assert_eq!(got.header.expires_at, Some(200));
}

#[test]
fn skipped_keys_past_their_lifetime_are_dropped() {
    let limits = Limits {
        skipped_key_lifetime: Some(60),
        ..Limits::default()
    };
    let (mut a, mut b, mut rng) = pair(Kind::Dh, limits, b"life");
    let w: Vec<_> = (0..3u8).map(|i| send(&mut a, &[i], &mut rng)).collect();
    b.decrypt(&w[2], 1000, &mut rng, &mut Off).unwrap();
    assert_eq!(b.skipped_keys(), 2);
    assert_eq!(
        b.decrypt(&w[0], 1050, &mut rng, &mut Off)
            .unwrap()
            .plaintext,
        [0]
    );
    // A key stored at 1000 is gone after 1060.
    assert!(b.decrypt(&w[1], 1061, &mut rng, &mut Off).is_err());
    let _ = ShakeRng::new(b"");
}
