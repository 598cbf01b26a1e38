//! What the signal-profile Triple Ratchet draws, in order and shape, over
//! the first SPQR epoch of a ping-pong conversation (replaying a recorded
//! conversation from its draws is what the conversation vectors do).
//!
//! libsignal's deployed behaviour gives the shape: X25519 keys from 32
//! bytes filled at once; Bob's next ratchet key drawn inside the decryption
//! of a message that carries a new ratchet key; SPQR's key pair drawn at
//! the first message (it carries the first header chunk) from 64 bytes
//! `d || z`, and its encapsulation from 32 bytes `m` at the send_ct side's
//! first message after the header is complete.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use twofold_core::{CryptoRng, Observer, Party, Recorder, Resolver, ShakeRng};
use twofold_harness::ratchets::{Envelope, Pair};
use twofold_primitives::registry::REGISTRY;

const SUITE: &str = "TripleRatchet_signal_X25519_SHA-256";

/// `n` messages of strict ping-pong; every envelope.
fn converse(
    rng: &mut dyn CryptoRng,
    observer: &mut dyn Observer,
    n: usize,
) -> (Vec<Envelope>, Pair) {
    let resolver: Arc<dyn Resolver> = Arc::new(&*REGISTRY);
    let mut pair = Pair::establish(SUITE, None, resolver, rng, observer).unwrap();
    let mut out = Vec::new();
    for i in 0..n {
        let from = if i % 2 == 0 {
            Party::Initiator
        } else {
            Party::Responder
        };
        let text = format!("message {i}");
        let e = pair
            .send(from, text.as_bytes(), &Default::default(), rng, observer)
            .unwrap();
        let got = pair.receive(from.peer(), &e, 0, rng, observer).unwrap();
        assert_eq!(got.plaintext, text.as_bytes());
        out.push(e);
    }
    (out, pair)
}

#[test]
fn draws_in_the_order_and_shape_libsignal_draws() {
    let rec = Recorder::new();
    let mut rng = ShakeRng::new(b"draws");
    converse(&mut rng, &mut rec.clone(), 90);
    let t = rec.take();
    let draws: Vec<(Party, String, usize)> = t
        .draws()
        .map(|d| (d.party, d.purpose.clone(), d.bytes.len()))
        .collect();
    let ratchet_keys = draws.iter().filter(|d| d.1 == "DHs coins").count();
    // Alice's first ratchet key at set-up, then one per received message
    // that opens an epoch: all 90 in ping-pong.
    assert_eq!(ratchet_keys, 91);
    assert!(draws.iter().all(|d| d.1 != "DHs coins" || d.2 == 32));
    let spqr: Vec<_> = draws
        .iter()
        .filter(|d| d.1.starts_with("SPQR"))
        .cloned()
        .collect();
    // Epoch 1: Alice's key pair (d || z) with her first message; Bob's
    // encapsulation (m) when he first sends after the header is complete.
    // Epoch 2, roles swapped: Bob samples the next key pair.
    assert_eq!(
        spqr[0],
        (Party::Initiator, "SPQR keygen coins".to_string(), 64)
    );
    assert_eq!(
        spqr[1],
        (Party::Responder, "SPQR encaps1 coins".to_string(), 32)
    );
    assert_eq!(spqr[2].1, "SPQR keygen coins");
    assert_eq!(spqr[2].0, Party::Responder);
    // Alice draws her SPQR key pair after her first ratchet key: the
    // session exists before its first message.
    let first_spqr = draws.iter().position(|d| d.1.starts_with("SPQR")).unwrap();
    let alice_key = draws
        .iter()
        .position(|d| d.0 == Party::Initiator && d.1 == "DHs coins")
        .unwrap();
    assert!(alice_key < first_spqr);
    // Nothing else draws in the ratchet (the handshake's draws come first).
    let handshake: Vec<_> = draws[..alice_key].iter().map(|d| d.1.as_str()).collect();
    assert!(!handshake.is_empty());
    assert!(
        draws[alice_key..]
            .iter()
            .all(|d| d.1 == "DHs coins" || d.1.starts_with("SPQR")),
        "{:?}",
        &draws[alice_key..]
    );
}
