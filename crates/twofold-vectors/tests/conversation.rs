//! Corrupted conversation files: one flipped byte of a wire message, of a
//! key, of an input, is reported at the path where the file first departs
//! from what its inputs give; broken schedules and draws are typed errors
//! that name the field.
//!
//! These test the verifier's bookkeeping. Whether the committed values are
//! right is checked by the Python second implementation
//! (`vectors/python/verify.py`), not here.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::Value;
use twofold_vectors::{VectorError, verify};

fn load(suite: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../vectors/conversation")
        .join(format!("{suite}.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

const SIGNAL: &str = "DoubleRatchet_signal_X25519_SHA-256";
const HE: &str = "DoubleRatchet_spec+HE_X25519_SHA-256_ChaCha20-Poly1305";
const TRIPLE: &str = "TripleRatchet_twofold_X25519_SHA-256_ChaCha20-Poly1305";

/// XORs byte `i` of the hex string `v` with 1.
fn flip(v: &mut Value, i: usize) {
    let mut b = hex::decode(v.as_str().unwrap()).unwrap();
    b[i] ^= 1;
    *v = Value::String(hex::encode(b));
}

fn mismatches(doc: &Value) -> Vec<String> {
    let r = verify(&doc.to_string()).unwrap();
    r.mismatches.into_iter().map(|m| m.path).collect()
}

/// The index of the first event matching `f`.
fn event(doc: &Value, v: usize, f: impl Fn(&Value) -> bool) -> usize {
    doc["vectors"][v]["events"]
        .as_array()
        .unwrap()
        .iter()
        .position(f)
        .unwrap()
}

fn step(doc: &Value, v: usize, e: usize, name: &str) -> usize {
    doc["vectors"][v]["events"][e]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["name"] == name)
        .unwrap()
}

#[test]
fn the_committed_files_verify() {
    for suite in [SIGNAL, HE, TRIPLE] {
        let r = verify(&load(suite).to_string()).unwrap();
        assert!(r.ok(), "{suite}: {:?}", r.mismatches);
    }
}

#[test]
fn a_flipped_wire_byte_is_named() {
    for suite in [SIGNAL, HE, TRIPLE] {
        let mut doc = load(suite);
        let e = event(&doc, 0, |x| x["event"] == "send" && x["message"] == 5);
        flip(&mut doc["vectors"][0]["events"][e]["wire"], 7);
        assert_eq!(
            mismatches(&doc),
            [format!("$.vectors[0].events[{e}].wire")],
            "{suite}"
        );
    }
}

#[test]
fn a_flipped_key_is_named() {
    let mut doc = load(SIGNAL);
    // The message keys of the late message from the older chain.
    let e = event(&doc, 0, |x| x["event"] == "deliver" && x["message"] == 7);
    let s = step(&doc, 0, e, "MK");
    flip(&mut doc["vectors"][0]["events"][e]["steps"][s]["hex"], 40);
    assert_eq!(
        mismatches(&doc),
        [format!("$.vectors[0].events[{e}].steps[{s}].hex")]
    );

    // A root key of the 90-message Triple Ratchet run, recorded by name.
    let mut doc = load(TRIPLE);
    assert_eq!(doc["vectors"][1]["record"], "values");
    let e = event(&doc, 1, |x| x["event"] == "deliver" && x["message"] == 85);
    flip(&mut doc["vectors"][1]["events"][e]["values"]["RK"][1], 0);
    assert_eq!(
        mismatches(&doc),
        [format!("$.vectors[1].events[{e}].values.RK[1]")]
    );
}

#[test]
fn a_flipped_input_is_named_where_it_first_shows() {
    // A plaintext: its message and what its receiver decrypts.
    let mut doc = load(HE);
    let e = event(&doc, 0, |x| x["event"] == "send" && x["message"] == 10);
    let d = event(&doc, 0, |x| x["event"] == "deliver" && x["message"] == 10);
    flip(&mut doc["vectors"][0]["events"][e]["plaintext"], 0);
    assert_eq!(
        mismatches(&doc),
        [
            format!("$.vectors[0].events[{e}].wire"),
            format!("$.vectors[0].events[{d}].decrypted"),
        ]
    );

    // A ratchet key's coins: the new key pair and everything after it
    // differs, nothing before it.
    let mut doc = load(SIGNAL);
    let e = event(&doc, 0, |x| {
        x["event"] == "deliver" && x["draws"][0]["purpose"] == "DHs coins" && x["message"] == 4
    });
    flip(&mut doc["vectors"][0]["events"][e]["draws"][0]["hex"], 3);
    let found = mismatches(&doc);
    let s = step(&doc, 0, e, "DHs secret");
    assert_eq!(found[0], format!("$.vectors[0].events[{e}].steps[{s}].hex"));
    let first_event = |p: &String| {
        p.strip_prefix("$.vectors[0].events[")
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap()
    };
    assert!(found.iter().all(|p| first_event(p) >= e), "{found:?}");
    assert!(found.iter().any(|p| p.ends_with(".wire")));

    // The responder's root key: its first delivery no longer decrypts.
    let mut doc = load(SIGNAL);
    flip(&mut doc["vectors"][0]["inputs"]["responder"]["RK"], 0);
    let d = event(&doc, 0, |x| x["event"] == "deliver");
    match verify(&doc.to_string()) {
        Err(VectorError::Ratchet { path, .. }) => {
            assert_eq!(path, format!("$.vectors[0].events[{d}]"))
        }
        other => panic!("{other:?}"),
    }

    // The initiator's copy of the responder's ratchet key.
    let mut doc = load(SIGNAL);
    flip(&mut doc["vectors"][0]["inputs"]["initiator"]["DHr"], 0);
    match verify(&doc.to_string()) {
        Err(VectorError::Field { path, .. }) => {
            assert_eq!(path, "$.vectors[0].inputs.initiator.DHr")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn broken_schedules_and_draws_are_typed_errors() {
    let doc = load(HE);
    type Corrupt = Box<dyn Fn(&mut Value)>;
    let send = event(&doc, 0, |x| x["event"] == "send");
    let first_deliver = event(&doc, 0, |x| x["event"] == "deliver");
    let cases: Vec<(&str, Corrupt, String)> = vec![
        (
            "a header nonce too short",
            Box::new(move |d| d["vectors"][0]["events"][send]["draws"][0]["hex"] = "00".into()),
            format!("$.vectors[0].events[{send}].draws"),
        ),
        (
            "a draw too many",
            Box::new(move |d| {
                let extra = d["vectors"][0]["events"][send]["draws"][0].clone();
                d["vectors"][0]["events"][send]["draws"]
                    .as_array_mut()
                    .unwrap()
                    .push(extra);
            }),
            format!("$.vectors[0].events[{send}].draws"),
        ),
        (
            "a delivery of a message not sent",
            Box::new(move |d| d["vectors"][0]["events"][first_deliver]["message"] = 99.into()),
            format!("$.vectors[0].events[{first_deliver}].message"),
        ),
        (
            "an unknown event",
            Box::new(move |d| d["vectors"][0]["events"][send]["event"] = "replay".into()),
            format!("$.vectors[0].events[{send}].event"),
        ),
        (
            "a member the suite does not start with",
            Box::new(|d| d["vectors"][0]["inputs"]["initiator"]["CK"] = "00".repeat(32).into()),
            "$.vectors[0].inputs.initiator.CK".to_string(),
        ),
        (
            "an unknown record",
            Box::new(|d| d["vectors"][0]["record"] = "everything".into()),
            "$.vectors[0].record".to_string(),
        ),
    ];
    for (what, f, path) in cases {
        let mut d = doc.clone();
        f(&mut d);
        match verify(&d.to_string()) {
            Err(VectorError::Field { path: p, .. }) => assert_eq!(p, path, "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    // A send by a party without a sending chain is the ratchet's refusal.
    let mut d = doc.clone();
    d["vectors"][0]["events"][send]["party"] = "responder".into();
    match verify(&d.to_string()) {
        Err(VectorError::Ratchet { path, .. }) => {
            assert_eq!(path, format!("$.vectors[0].events[{send}]"))
        }
        other => panic!("{other:?}"),
    }
}
