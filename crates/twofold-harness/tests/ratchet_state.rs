//! Serialized sessions of every suite: they round-trip at any point of a
//! conversation, and a truncated or corrupted state is a typed error (a
//! corruption behind a recomputed checksum too), never a panic.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use proptest::prelude::*;
use sha2::{Digest, Sha256};
use twofold_core::{Off, Party, Resolver, ShakeRng};
use twofold_harness::ratchets::{Pair, SUITES};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::RatchetError;
use twofold_ratchet::session::Session;

fn registry() -> Arc<dyn Resolver> {
    Arc::new(&*REGISTRY)
}

/// A pair after `n` messages of ping-pong.
fn after(suite: &str, n: usize) -> Pair {
    let mut rng = ShakeRng::new(suite.as_bytes());
    let mut pair = Pair::establish(suite, None, registry(), &mut rng, &mut Off).unwrap();
    for i in 0..n {
        let from = if i % 2 == 0 {
            Party::Initiator
        } else {
            Party::Responder
        };
        let e = pair
            .send(from, b"state test", &Default::default(), &mut rng, &mut Off)
            .unwrap();
        pair.receive(from.peer(), &e, 0, &mut rng, &mut Off)
            .unwrap();
    }
    pair
}

fn bytes(pair: &Pair, p: Party) -> Vec<u8> {
    pair.session(p)
        .unwrap()
        .to_bytes(&*registry())
        .unwrap()
        .expose()
        .to_vec()
}

/// `body` with its SHA-256 checksum recomputed, as a forger would.
fn rechecksum(mut b: Vec<u8>) -> Vec<u8> {
    let n = b.len() - 32;
    let d = Sha256::digest(&b[..n]);
    b[n..].copy_from_slice(&d);
    b
}

#[test]
fn states_round_trip_at_every_step() {
    for suite in SUITES {
        for n in [1, 2, 3, 7] {
            let pair = after(suite, n);
            for p in [Party::Initiator, Party::Responder] {
                let b = bytes(&pair, p);
                let again = Session::from_bytes(&b, &*registry()).unwrap();
                let b2 = again.to_bytes(&*registry()).unwrap();
                assert_eq!(b2.expose(), &b[..], "{suite} after {n}");
            }
        }
    }
}

#[test]
fn truncated_and_corrupted_states_are_typed_errors() {
    for suite in SUITES {
        let pair = after(suite, 5);
        let b = bytes(&pair, Party::Responder);
        for cut in (0..b.len()).step_by(7) {
            assert!(
                matches!(
                    Session::from_bytes(&b[..cut], &*registry()),
                    Err(RatchetError::Malformed(_))
                ),
                "{suite}: cut at {cut}"
            );
        }
        for i in (0..b.len()).step_by(5) {
            let mut c = b.clone();
            c[i] ^= 0x20;
            assert!(
                matches!(
                    Session::from_bytes(&c, &*registry()),
                    Err(RatchetError::Malformed(_))
                ),
                "{suite}: byte {i}"
            );
        }
        let mut v = b.clone();
        v[4] = 9;
        assert_eq!(
            Session::from_bytes(&v, &*registry()).err(),
            Some(RatchetError::Malformed("session state: unknown version"))
        );
    }
}

/// Bytes appended to a genuine state, behind a recomputed checksum, are
/// refused: a state has one encoding. (postcard's `from_bytes` reads a
/// value and ignores what follows it; found by the `session_state` fuzz
/// target.)
#[test]
fn trailing_bytes_are_refused() {
    for suite in SUITES {
        let pair = after(suite, 3);
        let b = bytes(&pair, Party::Initiator);
        let n = b.len() - 32;
        for extra in [&[0u8][..], &[0x31, 0x41, 0xba], &[0xff; 53]] {
            let forged = rechecksum([&b[..n], extra, &[0u8; 32]].concat());
            assert_eq!(
                Session::from_bytes(&forged, &*registry()).err(),
                Some(RatchetError::Malformed(
                    "session state: bytes after the state"
                )),
                "{suite}: {} bytes appended",
                extra.len()
            );
        }
    }
}

/// A non-minimal varint (the suite name's length, `L` written as `L|0x80,
/// 0x00`), behind a recomputed checksum, is refused: postcard reads it as
/// `L`, so without the check one state had two encodings (found by the
/// `session_state` fuzz target, in a P-256 key's length).
#[test]
fn non_minimal_varints_are_refused() {
    for suite in SUITES {
        let pair = after(suite, 3);
        let b = bytes(&pair, Party::Initiator);
        assert!(b[5] < 0x80, "{suite}: a one-byte length");
        let n = b.len() - 32;
        let forged = rechecksum([&b[..5], &[b[5] | 0x80, 0x00], &b[6..n], &[0u8; 32]].concat());
        assert_eq!(
            Session::from_bytes(&forged, &*registry()).err(),
            Some(RatchetError::Malformed(
                "session state: not in its canonical encoding"
            )),
            "{suite}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Behind a valid checksum, any change to the body is refused with a
    /// typed error or read as some other valid state; it never panics.
    #[test]
    fn forged_states_never_panic(
        suite in 0..SUITES.len(),
        at in any::<usize>(),
        with in prop::collection::vec(any::<u8>(), 1..8),
    ) {
        let pair = after(SUITES[suite], 3);
        let mut b = bytes(&pair, Party::Initiator);
        let body = b.len() - 32 - 5;
        let at = 5 + at % body;
        for (k, x) in with.iter().enumerate() {
            if at + k < b.len() - 32 {
                b[at + k] ^= x | 1;
            }
        }
        let b = rechecksum(b);
        match Session::from_bytes(&b, &*registry()) {
            Ok(s) => {
                // A state that parses serializes back to itself.
                let b2 = s.to_bytes(&*registry()).unwrap();
                prop_assert_eq!(b2.expose(), &b[..]);
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
