//! The conversation that starts from the handshake
//! (`PQXDH+TripleRatchet_signal_X25519_SHA-256_Kyber1024`): one flipped byte
//! of a PreKeySignalMessage, of a root key, of an input is reported at the
//! path where the file first departs from what its inputs give; a broken
//! choreography is a typed error that names the event.
//!
//! These test the verifier's bookkeeping. Whether the committed values are
//! right is checked by the Python second implementation
//! (`vectors/python/stack.py`), not here.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::Value;
use twofold_vectors::{DEFAULT_SEED, STACKS, VectorError, generate, to_json, verify};

const SUITE: &str = "PQXDH+TripleRatchet_signal_X25519_SHA-256_Kyber1024";

fn load() -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../vectors/conversation")
        .join(format!("{SUITE}.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// XORs byte `i` of the hex string `v` with 1 (`i` from the end if
/// negative).
fn flip(v: &mut Value, i: isize) {
    let mut b = hex::decode(v.as_str().unwrap()).unwrap();
    let i = if i < 0 {
        b.len() - i.unsigned_abs()
    } else {
        i as usize
    };
    b[i] ^= 1;
    *v = Value::String(hex::encode(b));
}

fn mismatches(doc: &Value) -> Vec<String> {
    let r = verify(&doc.to_string()).unwrap();
    r.mismatches.into_iter().map(|m| m.path).collect()
}

fn events(doc: &Value, v: usize) -> &Vec<Value> {
    doc["vectors"][v]["events"].as_array().unwrap()
}

fn event(doc: &Value, v: usize, f: impl Fn(&Value) -> bool) -> usize {
    events(doc, v).iter().position(f).unwrap()
}

fn sent(doc: &Value, v: usize, message: u64) -> usize {
    event(doc, v, |x| x["event"] == "send" && x["message"] == message)
}

fn delivered(doc: &Value, v: usize, message: u64) -> usize {
    event(doc, v, |x| {
        x["event"] == "deliver" && x["message"] == message
    })
}

#[test]
fn the_committed_file_is_generated_and_verifies() {
    assert!(STACKS.contains(&SUITE));
    let doc = load();
    let fresh = to_json(&generate(SUITE, DEFAULT_SEED).unwrap()).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&fresh).unwrap(), doc);
    let r = verify(&doc.to_string()).unwrap();
    assert!(r.ok(), "{:?}", r.mismatches);
    assert!(r.unchecked.is_empty(), "{:?}", r.unchecked);
    assert_eq!(r.vectors, 2);
}

#[test]
fn the_schedule_is_the_documented_choreography() {
    let doc = load();
    for v in 0..2 {
        let ev = events(&doc, v);
        // Alice wraps until she has received: messages 0, 1 and 3; her
        // fifth message (4) and every later one is a SignalMessage.
        for m in [0, 1, 3] {
            assert_eq!(ev[sent(&doc, v, m)]["type"], "PreKeySignalMessage");
        }
        let later = ev
            .iter()
            .filter(|x| x["event"] == "send" && x["message"].as_u64().unwrap() >= 4);
        assert!(later.into_iter().all(|x| x["type"] == "SignalMessage"));
        // Bob's session starts from message 1, which arrives first; the
        // handshake shows at that delivery only.
        let accepted: Vec<usize> = (0..ev.len())
            .filter(|&j| ev[j].get("handshake").is_some())
            .collect();
        assert_eq!(accepted, [delivered(&doc, v, 1)]);
        let spent: Vec<&Value> = ev.iter().filter_map(|x| x.get("prekeys spent")).collect();
        match v {
            0 => assert_eq!(
                spent,
                [&serde_json::json!({"OPK_B id": 11, "PQPK_B id": 33})]
            ),
            // No one-time curve prekey and a last-resort KEM prekey: nothing
            // is spent.
            _ => assert!(spent.is_empty()),
        }
    }
    // The long run reaches SPQR's second epoch, and message 99 is lost.
    let ev = events(&doc, 0);
    assert!(
        ev.iter()
            .any(|x| x["values"].get("SPQR epoch secret 2").is_some())
    );
    assert!(
        !ev.iter()
            .any(|x| x["event"] == "deliver" && x["message"] == 99)
    );
    assert!(ev.iter().filter(|x| x["event"] == "send").count() >= 100);
}

#[test]
fn a_flipped_prekey_message_byte_is_named() {
    let mut doc = load();
    // The first PreKeySignalMessage: a byte of its handshake fields, and the
    // last byte (the Kyber ciphertext's).
    let e = sent(&doc, 0, 0);
    for at in [5, -1] {
        let mut d = doc.clone();
        flip(&mut d["vectors"][0]["events"][e]["wire"], at);
        assert_eq!(mismatches(&d), [format!("$.vectors[0].events[{e}].wire")]);
    }
    // The SignalMessage inside the third.
    let e = sent(&doc, 1, 3);
    flip(&mut doc["vectors"][1]["events"][e]["signal message"], 40);
    assert_eq!(
        mismatches(&doc),
        [format!("$.vectors[1].events[{e}][\"signal message\"]")]
    );
}

#[test]
fn a_flipped_root_key_is_named() {
    let doc = load();
    // Alice's session secret from PQXDH.
    let mut d = doc.clone();
    flip(
        &mut d["vectors"][0]["start"]["initiator"]["handshake"]["session secret"]["RK"],
        0,
    );
    assert_eq!(
        mismatches(&d),
        ["$.vectors[0].start.initiator.handshake[\"session secret\"].RK"]
    );
    // Bob's, and his session's start, at the delivery that starts it.
    let e = delivered(&doc, 0, 1);
    let steps = doc["vectors"][0]["events"][e]["handshake"]["steps"]
        .as_array()
        .unwrap();
    let s = steps.iter().position(|x| x["name"] == "RK").unwrap();
    let mut d = doc.clone();
    flip(
        &mut d["vectors"][0]["events"][e]["handshake"]["steps"][s]["hex"],
        31,
    );
    flip(
        &mut d["vectors"][0]["events"][e]["start"]["values"]["RK"],
        1,
    );
    assert_eq!(
        mismatches(&d),
        [
            format!("$.vectors[0].events[{e}].handshake.steps[{s}].hex"),
            format!("$.vectors[0].events[{e}].start.values.RK"),
        ]
    );
    // A root key of the ratchet after SPQR's first epoch, recorded by name:
    // the second of Alice's DH ratchet step at Bob's new chain.
    let e = delivered(&doc, 0, 101);
    let mut d = doc.clone();
    flip(&mut d["vectors"][0]["events"][e]["values"]["RK"][1], 0);
    assert_eq!(
        mismatches(&d),
        [format!("$.vectors[0].events[{e}].values.RK[1]")]
    );
}

#[test]
fn a_flipped_input_is_named_where_it_first_shows() {
    let doc = load();
    // A plaintext of a PreKeySignalMessage: its SignalMessage (body and
    // MAC), the message around it and what Bob decrypts.
    let e = sent(&doc, 0, 3);
    let got = delivered(&doc, 0, 3);
    let mut d = doc.clone();
    flip(&mut d["vectors"][0]["events"][e]["plaintext"], 0);
    assert_eq!(
        mismatches(&d),
        [
            format!("$.vectors[0].events[{e}][\"signal message\"]"),
            format!("$.vectors[0].events[{e}].values.MAC"),
            format!("$.vectors[0].events[{e}].wire"),
            format!("$.vectors[0].events[{got}].decrypted"),
        ]
    );
    // The one-time prekey's id: the bundle, every PreKeySignalMessage
    // (field 1) and what the first delivery spent; nothing else.
    let mut d = doc.clone();
    d["vectors"][0]["inputs"]["OPK_B id"] = 12.into();
    let mut want = vec!["$.vectors[0].bundle.OPK_B.id".to_string()];
    for m in [0, 1, 3] {
        want.push(format!("$.vectors[0].events[{}].wire", sent(&doc, 0, m)));
    }
    want.push(format!(
        "$.vectors[0].events[{}][\"prekeys spent\"][\"OPK_B id\"]",
        delivered(&doc, 0, 1)
    ));
    want.sort();
    let mut found = mismatches(&d);
    found.sort();
    assert_eq!(found, want);
    // Alice's encapsulation coins: her handshake from CT on, none of its
    // steps before, not the bundle.
    let mut d = doc.clone();
    flip(&mut d["vectors"][1]["inputs"]["CT coins"], 0);
    let found = mismatches(&d);
    let steps = doc["vectors"][1]["start"]["initiator"]["handshake"]["steps"]
        .as_array()
        .unwrap();
    let ct = steps.iter().position(|x| x["name"] == "CT").unwrap();
    let step = |i: usize| format!("$.vectors[1].start.initiator.handshake.steps[{i}].hex");
    assert!(found.contains(&step(ct)), "{found:?}");
    assert!((0..ct).all(|i| !found.contains(&step(i))), "{found:?}");
    assert!(found.iter().all(|p| p.starts_with("$.vectors[1].")));
    assert!(!found.iter().any(|p| p.contains(".bundle")));
    assert!(found.iter().any(|p| p.ends_with(".wire")));
}

#[test]
fn a_moved_spend_is_named_where_it_is_missing() {
    let mut doc = load();
    let first = delivered(&doc, 0, 1);
    let second = delivered(&doc, 0, 0);
    let spent = doc["vectors"][0]["events"][first]
        .as_object_mut()
        .unwrap()
        .remove("prekeys spent")
        .unwrap();
    doc["vectors"][0]["events"][second]["prekeys spent"] = spent;
    let r = verify(&doc.to_string()).unwrap();
    let named: Vec<&str> = r.mismatches.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(
        named,
        [format!("$.vectors[0].events[{first}][\"prekeys spent\"]")]
    );
    // Where nothing was spent the member is not this implementation's: it
    // is listed, never trusted.
    assert_eq!(
        r.unchecked,
        [format!("$.vectors[0].events[{second}][\"prekeys spent\"]")]
    );
}

#[test]
fn a_broken_choreography_is_a_typed_error() {
    let doc = load();
    // Bob cannot send before a PreKeySignalMessage has reached him.
    let mut d = doc.clone();
    d["vectors"][1]["events"][0]["party"] = "responder".into();
    match verify(&d.to_string()) {
        Err(VectorError::Session { path, .. }) => assert_eq!(path, "$.vectors[1].events[0]"),
        other => panic!("{other:?}"),
    }
    // A one-time prekey's secret without its id.
    let mut d = doc.clone();
    d["vectors"][0]["inputs"]
        .as_object_mut()
        .unwrap()
        .remove("OPK_B id");
    match verify(&d.to_string()) {
        Err(VectorError::Field { path, .. }) => assert_eq!(path, "$.vectors[0].inputs"),
        other => panic!("{other:?}"),
    }
    // Alice's first ratchet key's coins cut short.
    let mut d = doc.clone();
    d["vectors"][0]["start"]["initiator"]["draws"][0]["hex"] = "00".into();
    match verify(&d.to_string()) {
        Err(VectorError::Field { path, .. }) => {
            assert_eq!(path, "$.vectors[0].start.initiator.draws")
        }
        other => panic!("{other:?}"),
    }
    // Suites that are not a signal-profile handshake into its ratchet.
    for suite in [
        "PQXDH+TripleRatchet_spec_X25519_SHA-256_ML-KEM-768",
        "X3DH+TripleRatchet_signal_X25519_SHA-256",
        "PQXDH+DoubleRatchet_signal_X25519_SHA-256_Kyber1024",
    ] {
        assert!(
            matches!(
                generate(suite, DEFAULT_SEED),
                Err(VectorError::Unsupported { .. })
            ),
            "{suite}"
        );
    }
}
