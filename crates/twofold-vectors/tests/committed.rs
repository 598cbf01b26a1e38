//! The committed vector files: they are what the generator writes, they
//! verify, any changed hex digit of an output or intermediate value is
//! found and named, malformed files are typed errors, coin-less backends
//! are refused, and the X-Wing file carries the draft's official answers.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;
use sha3::{Digest, Sha3_256};
use twofold_vectors::{
    DEFAULT_SEED, VectorError, default_suites, file_name, generate, to_json, verify,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

fn committed() -> Vec<(String, String)> {
    default_suites()
        .iter()
        .map(|s| {
            let rel = file_name(s).unwrap();
            let text =
                std::fs::read_to_string(root().join(&rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            (rel, text)
        })
        .collect()
}

#[test]
fn committed_files_are_the_default_set_and_verify() {
    let files = committed();
    assert_eq!(files.len(), default_suites().len());
    for ((rel, text), suite) in files.iter().zip(default_suites()) {
        let fresh = to_json(&generate(&suite, DEFAULT_SEED).unwrap()).unwrap();
        assert!(
            fresh == *text,
            "{rel} differs from what the generator writes"
        );
        let r = verify(text).unwrap();
        assert!(r.ok(), "{rel}: {:?}", r.mismatches);
        assert!(r.unchecked.is_empty(), "{rel}: {:?}", r.unchecked);
        // A conversation file may hold its one scripted conversation only.
        let min = if r.kind == "conversation" { 1 } else { 2 };
        assert!(r.vectors >= min && r.checked > 10, "{rel}");
    }
}

/// Members that are inputs (everything else is recomputed).
fn is_input(path: &str) -> bool {
    const NOISE_INPUTS: [&str; 9] = [
        "protocol_name",
        "prologue",
        "psks",
        "static",
        "ephemeral",
        "static_kem_coins",
        "ephemeral_kem_coins",
        "payload",
        "encaps_coins",
    ];
    if path.contains(".inputs") || path.ends_with(".name") || path.ends_with(".section") {
        return true;
    }
    // Conversations: the draws' bytes and what a send encrypts.
    if path.contains(".draws[") && path.ends_with(".hex")
        || path.contains(".events[") && path.ends_with(".plaintext")
    {
        return true;
    }
    let last = path.rsplit('.').next().unwrap().split('[').next().unwrap();
    let member = last
        .strip_prefix("init_")
        .or_else(|| last.strip_prefix("resp_"))
        .unwrap_or(last);
    NOISE_INPUTS.contains(&member) && !path.contains(".steps[")
}

/// The paths of every hex string of the vectors that is not an input.
fn outputs(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    format!("{path}.{k}")
                } else {
                    format!("{path}[{}]", serde_json::to_string(k).unwrap())
                };
                outputs(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                outputs(x, format!("{path}[{i}]"), out);
            }
        }
        Value::String(s)
            if !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_hexdigit())
                && s.len() % 2 == 0
                && !is_input(&path) =>
        {
            out.push(path)
        }
        _ => {}
    }
}

/// The string at a path written by `outputs`.
fn at<'a>(doc: &'a mut Value, path: &str) -> &'a mut Value {
    let mut cur = doc;
    let mut rest = path.strip_prefix('$').unwrap();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[\"") {
            let end = r.find("\"]").unwrap();
            cur = cur.get_mut(&r[..end]).unwrap();
            rest = &r[end + 2..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap();
            cur = cur.get_mut(r[..end].parse::<usize>().unwrap()).unwrap();
            rest = &r[end + 1..];
        } else {
            let r = rest.strip_prefix('.').unwrap();
            let end = r.find(['.', '[']).unwrap_or(r.len());
            cur = cur.get_mut(&r[..end]).unwrap();
            rest = &r[end..];
        }
    }
    cur
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Changing any single hex digit of any output or intermediate value of
    /// any committed file makes verification fail at exactly that path.
    #[test]
    fn one_changed_digit_is_found_and_named(file in any::<prop::sample::Index>(), pick in any::<prop::sample::Index>(), digit in any::<prop::sample::Index>()) {
        let files = committed();
        let (rel, text) = file.get(&files);
        let mut doc: Value = serde_json::from_str(text).unwrap();
        let mut paths = Vec::new();
        outputs(&doc["vectors"], "$.vectors".to_string(), &mut paths);
        prop_assert!(!paths.is_empty(), "{rel}");
        let path = pick.get(&paths).clone();
        let slot = at(&mut doc, &path);
        let mut s: Vec<u8> = slot.as_str().unwrap().bytes().collect();
        let i = digit.index(s.len());
        s[i] = if s[i] == b'0' { b'1' } else { b'0' };
        *slot = Value::String(String::from_utf8(s).unwrap());
        let r = verify(&serde_json::to_string(&doc).unwrap()).unwrap();
        let named: Vec<&str> = r.mismatches.iter().map(|m| m.path.as_str()).collect();
        prop_assert_eq!(named, vec![path.as_str()], "{}", rel);
    }
}

#[test]
fn the_digit_flip_covers_every_kind_of_field() {
    // The property above picks among these; make sure none of the kinds of
    // output is left out by `is_input`.
    let mut all = Vec::new();
    for (_, text) in committed() {
        let doc: Value = serde_json::from_str(&text).unwrap();
        outputs(&doc["vectors"], "$.vectors".to_string(), &mut all);
    }
    for needle in [
        ".steps[",
        ".ciphertext",
        ".handshake_hash",
        ".bundle.",
        ".outputs.",
        "_remote_static",
        "_kem_public",
        ".messages[0].hex",
        ".wire",
        ".decrypted",
        ".values[\"MK seed\"]",
        ".values.RK[1]",
        "SPQR",
    ] {
        assert!(all.iter().any(|p| p.contains(needle)), "{needle}");
    }
    assert!(!all.iter().any(|p| p.contains(".inputs")));
}

#[test]
fn truncated_and_corrupted_files_are_typed_errors() {
    let text = &committed()
        .into_iter()
        .find(|(r, _)| r.contains("PQXDH_signal"))
        .unwrap()
        .1;
    for cut in [0, 1, 10, text.len() / 3, text.len() / 2, text.len() - 2] {
        match verify(&text[..cut]) {
            Err(VectorError::Json { .. }) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let doc: Value = serde_json::from_str(text).unwrap();
    type Corrupt = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Corrupt, &str)> = vec![
        (
            "not hex",
            Box::new(|d| d["vectors"][0]["inputs"]["EK_A coins"] = "zz".into()),
            "$.vectors[0].inputs[\"EK_A coins\"]",
        ),
        (
            "missing input",
            Box::new(|d| {
                d["vectors"][1]["inputs"]
                    .as_object_mut()
                    .unwrap()
                    .remove("SPK_B secret");
            }),
            "$.vectors[1].inputs[\"SPK_B secret\"]",
        ),
        (
            "wrong type",
            Box::new(|d| d["vectors"][0]["inputs"]["SPK_B id"] = "22".into()),
            "$.vectors[0].inputs[\"SPK_B id\"]",
        ),
        (
            "vectors not an array",
            Box::new(|d| d["vectors"] = 3.into()),
            "$.vectors",
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
    // A secret key of the wrong length reaches the engine, which refuses it.
    let mut d = doc.clone();
    d["vectors"][0]["inputs"]["IK_A secret"] = "00".into();
    assert!(matches!(
        verify(&d.to_string()),
        Err(VectorError::Compute { .. })
    ));
    for (key, value) in [
        ("format", Value::from("cacophony")),
        ("version", Value::from(2)),
        ("kind", Value::from("ratchet")),
    ] {
        let mut d = doc.clone();
        d[key] = value;
        assert!(
            matches!(verify(&d.to_string()), Err(VectorError::Unsupported { .. })),
            "{key}"
        );
    }
    let mut d = doc.clone();
    d["kind"] = "noise".into();
    assert!(matches!(
        verify(&d.to_string()),
        Err(VectorError::Field { .. })
    ));
    // Random bytes and non-objects never panic.
    for junk in [
        "",
        "null",
        "[]",
        "\"x\"",
        "{}",
        "{\"format\": 1}",
        "\u{0}\u{1}",
    ] {
        assert!(verify(junk).is_err(), "{junk:?}");
    }
}

#[test]
fn extra_members_are_listed_not_trusted() {
    let text = &committed()[0].1;
    let mut d: Value = serde_json::from_str(text).unwrap();
    d["vectors"][0]["outputs"]["note"] = "written by another implementation".into();
    let r = verify(&d.to_string()).unwrap();
    assert!(r.ok());
    assert_eq!(r.unchecked, ["$.vectors[0].outputs.note"]);
    d["vectors"][0].as_object_mut().unwrap().remove("outputs");
    let r = verify(&d.to_string()).unwrap();
    assert!(!r.ok());
    assert_eq!(r.mismatches[0].path, "$.vectors[0].outputs");
}

/// A long non-ASCII string where an output belongs is a mismatch, shown
/// shortened by characters (slicing it by bytes panicked; found by the
/// `vector_file` fuzz target).
#[test]
fn non_ascii_values_are_reported_not_panicked_on() {
    let text = &committed()[0].1;
    let mut d: Value = serde_json::from_str(text).unwrap();
    // Byte 20 falls inside an "é".
    let long = "a".to_string() + &"é".repeat(26) + "€" + &"x".repeat(20);
    d["vectors"][0]["outputs"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .map(|v| *v = long.clone().into())
        .unwrap();
    let r = verify(&d.to_string()).unwrap();
    assert!(!r.ok());
    let m = &r.mismatches[0];
    assert!(
        m.found
            .starts_with(&("a".to_string() + &"é".repeat(19) + "…")),
        "{}",
        m.found
    );
    assert!(m.found.ends_with("(48 chars)"), "{}", m.found);
}

#[test]
fn backends_without_explicit_coins_are_refused() {
    for suite in [
        "ML-KEM-768@pqcrypto",
        "PQXDH_spec_X25519_SHA-256_ML-KEM-768@pqcrypto",
        "Dilithium2",
    ] {
        match generate(suite, DEFAULT_SEED) {
            Err(VectorError::NoExplicitCoins { algorithm }) => {
                assert!(algorithm.contains("@pqcrypto"), "{suite}: {algorithm}")
            }
            other => panic!("{suite}: {other:?}"),
        }
    }
}

/// The three official vectors of draft-connolly-cfrg-xwing-kem-10
/// (`spec/test-vectors.json`): SHA3-256 of `pk` and `ct`, and `ss`.
const XWING_OFFICIAL: [(&str, &str, &str); 3] = [
    (
        "5121745904643ad9dfacca7869292c19a8a69533b53e60666b7db910b4ad6367",
        "c0abd149f83f45324ac3a7ddc7606c71f257e5ea86113522834a0ee1bcb34e3e",
        "d2df0522128f09dd8e2c92b1e905c793d8f57a54c3da25861f10bf4ca613e384",
    ),
    (
        "799b6016e5daa56ffa1b5e79f7caf73413ceecd6df428642404cac41ddee4853",
        "7680b7ba47ae09bac4b43001edcef9d98e50df20026e70ba6a424447e1f2b961",
        "f2e86241c64d60f6649fbc6c5b7d17180b780a3f34355e64a85749949c45f150",
    ),
    (
        "1ef0c99a06026450564957a5402a788feffbbefdcce55d25de254d0a49eb095a",
        "3088688d63201d5d844170b79f148b2791c15f346ff6f8bd559807fbd442f91f",
        "953f7f4e8c5b5049bdc771d1dffada0dd961477d1a2ae0988baa7ea6898d893f",
    ),
];

#[test]
fn the_xwing_file_carries_the_official_answers() {
    let text = std::fs::read_to_string(root().join("primitives/X-Wing.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let sha3 = |h: &Value| hex::encode(Sha3_256::digest(hex::decode(h.as_str().unwrap()).unwrap()));
    for (i, (pk, ct, ss)) in XWING_OFFICIAL.iter().enumerate() {
        let out = &doc["vectors"][i]["outputs"];
        assert_eq!(sha3(&out["pk"]), *pk, "vector {i}");
        assert_eq!(sha3(&out["ct"]), *ct, "vector {i}");
        assert_eq!(out["ss"], *ss, "vector {i}");
        // The draft's decapsulation key is the seed: the first 32 bytes of
        // the stored form.
        let sk = out["sk"].as_str().unwrap();
        assert_eq!(&sk[..64], doc["vectors"][i]["inputs"]["keygen coins"]);
    }
}
