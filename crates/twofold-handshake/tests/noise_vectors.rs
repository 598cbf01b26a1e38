//! Known-answer tests from independent Noise implementations: the cacophony
//! vectors and snow's multi-psk vectors (sources in
//! tests/data/NOISE_VECTORS_README.md), byte for byte, over every
//! combination of X25519, AEAD and hash backends.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod noise_common;

use noise_common::all_combinations;
use twofold_core::{Off, OsRng};
use twofold_handshake::noise::{HandshakeBuilder, Modifier, ProtocolName, Role};

const CACOPHONY: &str = include_str!("data/noise_cacophony_25519.json");
const SNOW_MULTIPSK: &str = include_str!("data/noise_snow_multipsk_25519.json");

#[derive(Default, Debug)]
struct Vector {
    name: String,
    fields: Vec<(String, Vec<u8>)>,
    psks: Vec<(String, Vec<Vec<u8>>)>,
    messages: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Vector {
    fn field(&self, key: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
    }
    fn psk_list(&self, key: &str) -> &[Vec<u8>] {
        self.psks
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }
}

/// Reads the one-key-per-line JSON layout of the vector files.
fn parse(text: &str) -> Vec<Vector> {
    let mut out: Vec<Vector> = Vec::new();
    let mut pending_payload: Option<Vec<u8>> = None;
    for line in text.lines() {
        let line = line.trim().trim_end_matches(',');
        let Some((key, value)) = line.split_once(": ") else {
            continue;
        };
        let key = key.trim_matches('"');
        if key == "messages" || key == "vectors" {
            continue;
        }
        if key == "protocol_name" || key == "name" {
            out.push(Vector {
                name: value.trim_matches('"').to_string(),
                ..Vector::default()
            });
            continue;
        }
        let v = out.last_mut().expect("a field before the first vector");
        if value.starts_with('[') {
            let items = value
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(|s| hex::decode(s.trim().trim_matches('"')).unwrap())
                .collect();
            v.psks.push((key.to_string(), items));
            continue;
        }
        let bytes = hex::decode(value.trim_matches('"')).unwrap();
        match key {
            "payload" => pending_payload = Some(bytes),
            "ciphertext" => {
                let p = pending_payload.take().expect("payload before ciphertext");
                v.messages.push((p, bytes));
            }
            _ => v.fields.push((key.to_string(), bytes)),
        }
    }
    out
}

fn build(v: &Vector, resolver: &dyn twofold_core::Resolver, role: Role) -> HandshakeBuilder {
    let p = if role == Role::Initiator {
        "init"
    } else {
        "resp"
    };
    let mut b = HandshakeBuilder::new(&v.name, resolver).unwrap();
    if let Some(s) = v.field(&format!("{p}_static")) {
        b = b.local_static_dh(s).unwrap();
    }
    if let Some(e) = v.field(&format!("{p}_ephemeral")) {
        b = b.fixed_ephemeral_dh(e).unwrap();
    }
    if let Some(rs) = v.field(&format!("{p}_remote_static")) {
        b = b.remote_static_dh(rs).unwrap();
    }
    // PSKs are listed in the order of the psk modifiers of the name.
    let numbers: Vec<u8> = b
        .protocol_name()
        .modifiers()
        .iter()
        .filter_map(|m| match m {
            Modifier::Psk(n) => Some(*n),
            Modifier::Hfs => None,
        })
        .collect();
    let psks = v.psk_list(&format!("{p}_psks"));
    assert_eq!(numbers.len(), psks.len(), "{}", v.name);
    for (n, k) in numbers.iter().zip(psks) {
        b = b.psk(*n, k).unwrap();
    }
    b.prologue(v.field(&format!("{p}_prologue")).unwrap_or(&[]))
}

/// Replays one vector; returns the number of messages checked.
fn check(v: &Vector, resolver: &dyn twofold_core::Resolver) -> usize {
    // Fixed ephemerals: the RNG must not be drawn from; OsRng would make
    // any accidental use visible as a mismatch.
    let mut os = OsRng;
    let mut init = Some(
        build(v, resolver, Role::Initiator)
            .build_initiator(&mut Off)
            .unwrap(),
    );
    let mut resp = Some(
        build(v, resolver, Role::Responder)
            .build_responder(&mut Off)
            .unwrap(),
    );
    let one_way = init.as_ref().unwrap().pattern().is_one_way();
    let mut iter = v.messages.iter().enumerate();
    while !init.as_ref().unwrap().is_finished() {
        let (i, (payload, expected)) = iter.next().expect("vector has too few messages");
        let (sender, receiver) = if i % 2 == 0 {
            (&mut init, &mut resp)
        } else {
            (&mut resp, &mut init)
        };
        let (s, msg) = sender
            .take()
            .unwrap()
            .write_message(payload, &mut os, &mut Off)
            .unwrap();
        *sender = Some(s);
        assert_eq!(
            hex::encode(&msg),
            hex::encode(expected),
            "{} message {i}",
            v.name
        );
        let (r, got) = receiver
            .take()
            .unwrap()
            .read_message(&msg, &mut Off)
            .unwrap();
        *receiver = Some(r);
        assert_eq!(&got, payload, "{} message {i}", v.name);
    }
    let (init, resp) = (init.unwrap(), resp.unwrap());
    if let Some(h) = v.field("handshake_hash") {
        assert_eq!(
            hex::encode(init.handshake_hash()),
            hex::encode(h),
            "{}",
            v.name
        );
        assert_eq!(resp.handshake_hash(), h, "{}", v.name);
    }
    let mut ti = init.split(&mut Off).unwrap();
    let mut tr = resp.split(&mut Off).unwrap();
    // Handshake messages consumed so far, then the transport ones.
    let mut checked = v.messages.len() - iter.len();
    for (i, (payload, expected)) in iter {
        let (s, r) = if one_way || i % 2 == 0 {
            (&mut ti, &mut tr)
        } else {
            (&mut tr, &mut ti)
        };
        let c = s.write_message(payload).unwrap();
        assert_eq!(
            hex::encode(&c),
            hex::encode(expected),
            "{} transport {i}",
            v.name
        );
        assert_eq!(&r.read_message(&c).unwrap(), payload);
        checked += 1;
    }
    checked
}

fn run_file(text: &str, min_vectors: usize) {
    let vectors = parse(text);
    assert!(
        vectors.len() >= min_vectors,
        "parsed {} vectors",
        vectors.len()
    );
    let mut runs = 0;
    for v in &vectors {
        let p = ProtocolName::parse(&v.name).unwrap();
        assert_eq!(p.to_string(), v.name);
        let combos = all_combinations(
            p.dh_registry().unwrap(),
            p.aead_registry(),
            p.hash_registry(),
        );
        assert!(!combos.is_empty());
        for r in &combos {
            assert_eq!(check(v, r), v.messages.len(), "{}", v.name);
            runs += 1;
        }
    }
    assert!(runs >= vectors.len());
}

#[test]
fn cacophony_vectors_all_patterns_all_backends() {
    run_file(CACOPHONY, 472);
}

#[test]
fn snow_multi_psk_vectors_all_backends() {
    run_file(SNOW_MULTIPSK, 26);
}
