//! Whole SPQR conversations replayed against a second implementation:
//! tests/python/spqr_session.py (kyber-py's ML-KEM-768, the Braid's state
//! machines and chain written from the specification and the deployed
//! behaviour) wrote every message and key of a strict ping-pong and of a
//! conversation that loses about 30% of its messages; the Rust state, fed
//! the same random streams, must send the same bytes and derive the same
//! keys, message by message.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{bytes, data, uint};
use serde_json::Value;
use twofold_core::{Obs, Off, Party, Secret, ShakeRng};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::spqr::wire::{Message, Payload};
use twofold_ratchet::spqr::{
    ChainParams, Direction, MessageKey, Params, Spqr, SpqrPrimitives, Version,
};

fn key_json(k: &Option<MessageKey>) -> Value {
    match k {
        None => Value::Null,
        Some(k) => serde_json::json!({
            "epoch": k.epoch,
            "index": k.index,
            "key": hex::encode(k.key.expose()),
        }),
    }
}

fn party(auth_key: &[u8], direction: Direction) -> Spqr {
    Spqr::new(Params {
        auth_key: Secret::from_slice(auth_key).unwrap(),
        direction,
        version: Version::V1,
        min_version: Version::V1,
        chain: ChainParams::default(),
    })
}

/// Replays one conversation; returns how many chunks with an index past
/// the systematic ones (parity) went out.
fn replay(c: &Value) -> usize {
    let p = SpqrPrimitives::resolve(&*REGISTRY).unwrap();
    let name = c["name"].as_str().unwrap();
    let auth_key = bytes(&c["auth_key"]);
    let mut a = party(&auth_key, Direction::A2B);
    let mut b = party(&auth_key, Direction::B2A);
    let mut rng_a = ShakeRng::new(&bytes(&c["seed_a"]));
    let mut rng_b = ShakeRng::new(&bytes(&c["seed_b"]));
    let steps = c["steps"].as_array().unwrap();
    let mut sent: Vec<Vec<u8>> = Vec::new();
    let mut parity = 0;
    for (n, step) in steps.iter().enumerate() {
        let mut off = Off;
        let mut obs = Obs::new(&mut off, Party::Initiator);
        if let Some(who) = step["send"].as_str() {
            let (state, rng) = if who == "A" {
                (&mut a, &mut rng_a)
            } else {
                (&mut b, &mut rng_b)
            };
            let (s, msg, key) = state.send(&p, rng, &mut obs).unwrap();
            *state = s;
            assert_eq!(
                hex::encode(&msg),
                step["msg"].as_str().unwrap(),
                "{name} step {n}: message"
            );
            assert_eq!(key_json(&key), step["key"], "{name} step {n}: sending key");
            let m = Message::decode(&msg).unwrap();
            if let Some(chunk) = m.payload.chunk() {
                let k = match m.payload {
                    Payload::Hdr(_) => 3,
                    Payload::Ek(_) | Payload::EkCt1Ack(_) => 36,
                    Payload::Ct1(_) => 30,
                    _ => 5,
                };
                parity += usize::from(chunk.index >= k);
            }
            sent.push(msg);
            // The step list refers to messages by step number.
            while sent.len() < n + 1 {
                sent.push(Vec::new());
            }
        } else {
            let who = step["recv"].as_str().unwrap();
            let state = if who == "A" { &mut a } else { &mut b };
            let msg = &sent[uint(&step["msg_of_step"]) as usize];
            let (s, key) = state.recv(&p, msg, &mut obs).unwrap();
            *state = s;
            assert_eq!(
                key_json(&key),
                step["key"],
                "{name} step {n}: receiving key"
            );
            sent.push(Vec::new());
        }
    }
    let done = c["epochs_completed"].as_array().unwrap();
    assert_eq!(a.epochs_completed(), uint(&done[0]), "{name}: A's epochs");
    assert_eq!(b.epochs_completed(), uint(&done[1]), "{name}: B's epochs");
    parity
}

#[test]
fn conversations_match_the_second_implementation() {
    let d = data("spqr_session.json");
    let cases = d["conversations"].as_array().unwrap();
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["ping-pong", "lossy"]);
    // Strict ping-pong needs no parity chunk; the lossy conversation
    // finishes its values from parity chunks.
    assert_eq!(replay(&cases[0]), 0);
    assert!(replay(&cases[1]) > 20);
}
