//! Constructions with no published vectors, checked against a second
//! implementation that shares no code with this crate.
//!
//! The generic KEM combiner, AES-256-CBC-HMAC-SHA256, HMAC and HKDF over
//! BLAKE2, both XEdDSA profiles and the Ed25519+ML-DSA-65 composite signature
//! are compositions of ours or libsignal's, and nobody publishes vectors for
//! them; round-3 Kyber has a single backend here. `tests/python/
//! independent_vectors.py` restates each formula in Python over independent
//! primitives (pyca/cryptography = OpenSSL, CPython's hashlib/hmac, kyber-py,
//! dilithium-py, PyNaCl = libsodium; pinned in
//! `tests/python/requirements.txt`) and commits the results as
//! `tests/data/independent_vectors.json`; CI re-runs the script with
//! `--check` so the file cannot drift from it. This is the strongest evidence
//! available for these constructions: it shows that two implementations of
//! the same written formula agree, not that the formula is the one a third
//! party deploys (the libsignal XEdDSA vector in `xeddsa.rs` is the one
//! outside check of that kind).
//!
//! Every backend the registry lists under each name is checked, and each
//! test fails if a name has none.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use sha2::{Digest, Sha256};
use twofold_core::{AlgorithmId, SecretBytes};
use twofold_primitives::registry::registry;

fn data() -> Value {
    let text = include_str!("data/independent_vectors.json");
    serde_json::from_str(text).expect("independent_vectors.json parses")
}

fn cases<'a>(data: &'a Value, section: &str) -> &'a [Value] {
    let list = data[section].as_array().expect("section is a list");
    assert!(!list.is_empty(), "no {section} vectors");
    list
}

fn field(case: &Value, key: &str) -> String {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("missing {key}"))
        .to_string()
}

fn bytes(case: &Value, key: &str) -> Vec<u8> {
    hex::decode(field(case, key)).expect("hex")
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

/// Every registered implementation called `name`; panics if there is none.
fn named<T: AlgorithmId + ?Sized>(list: &[&'static T], name: &str) -> Vec<&'static T> {
    let found: Vec<_> = list.iter().copied().filter(|i| i.name() == name).collect();
    assert!(!found.is_empty(), "no {name} registered");
    found
}

/// Compares a key pair with the case's `pk_sha256` and `sk_sha256`.
fn check_key_pair(pk: &[u8], sk: &SecretBytes, case: &Value, ctx: &str) {
    assert_eq!(sha256_hex(&[pk]), field(case, "pk_sha256"), "{ctx}: pk");
    let sk_digest = sha256_hex(&[sk.expose()]);
    assert_eq!(sk_digest, field(case, "sk_sha256"), "{ctx}: sk");
}

/// Checks one KEM case (coins in, SHA-256 of pk/sk/ct and ss out) against
/// every registered backend of `name`.
fn check_kem_case(name: &str, case: &Value, what: &str) {
    for k in named(&registry().kems, name) {
        let ctx = format!("{} ({what})", k.id());
        let (pk, sk) = k.generate_derand(&bytes(case, "keygen_coins")).unwrap();
        check_key_pair(&pk, &sk, case, &ctx);
        let (ct, ss) = k
            .encapsulate_derand(&pk, &bytes(case, "encaps_coins"))
            .unwrap();
        assert_eq!(sha256_hex(&[&ct]), field(case, "ct_sha256"), "{ctx}: ct");
        assert_eq!(hex::encode(ss.expose()), field(case, "ss"), "{ctx}: ss");
        let back = k.decapsulate(sk.expose(), &ct).unwrap();
        assert_eq!(hex::encode(back.expose()), field(case, "ss"), "{ctx}");
    }
}

#[test]
fn kem_combiners_match_the_python_combiner() {
    let data = data();
    for (i, case) in cases(&data, "kem_combiner").iter().enumerate() {
        check_kem_case(&field(case, "name"), case, &format!("case {i}"));
    }
}

/// Round-3 Kyber has one backend (libcrux). Kyber1024 also has a second
/// Rust check (`kyber_round3_reference.rs`, the pqc_kyber port); kyber-py
/// covers all three sizes, and its first case is the Kyber1024 key pair
/// and encapsulation that `signal_kat.rs` in twofold-handshake pins.
#[test]
fn kyber_round3_matches_kyber_py() {
    let data = data();
    for case in cases(&data, "kyber_round3") {
        check_kem_case(&field(case, "name"), case, &field(case, "what"));
    }
}

#[test]
fn cbc_hmac_matches_openssl_and_python_hmac() {
    let data = data();
    for case in cases(&data, "aes_256_cbc_hmac_sha256") {
        let (key, nonce, aad) = (bytes(case, "key"), bytes(case, "nonce"), bytes(case, "aad"));
        let (pt, sealed) = (bytes(case, "plaintext"), bytes(case, "sealed"));
        for a in named(&registry().aeads, "AES-256-CBC-HMAC-SHA256") {
            let ctx = format!("{}, {}-byte plaintext", a.id(), pt.len());
            assert_eq!(a.seal(&key, &nonce, &aad, &pt).unwrap(), sealed, "{ctx}");
            assert_eq!(a.open(&key, &nonce, &aad, &sealed).unwrap(), pt, "{ctx}");
        }
    }
}

#[test]
fn hmac_blake2_matches_two_python_implementations() {
    let data = data();
    for case in cases(&data, "hmac_blake2") {
        let hash = field(case, "hash");
        let (key, msg) = (bytes(case, "key"), bytes(case, "msg"));
        for h in named(&registry().hashes, &hash) {
            let mac = h.hmac(&key, &[&msg]);
            assert_eq!(
                hex::encode(mac.expose()),
                field(case, "mac"),
                "{}: {}-byte key, {}-byte message",
                h.id(),
                key.len(),
                msg.len()
            );
        }
    }
}

/// libsignal publishes the message keys of one chain key but not the IV;
/// all 80 bytes here come from OpenSSL's HKDF (the script checks its first
/// 64 against libsignal's published values).
#[test]
fn libsignal_message_keys_match_openssl_hkdf() {
    let data = data();
    let case = &data["libsignal_message_keys"];
    let (ck, seed, okm) = (bytes(case, "ck"), bytes(case, "seed"), bytes(case, "okm"));
    for h in named(&registry().hashes, "SHA-256") {
        assert_eq!(h.hmac(&ck, &[&[0x01]]).expose(), &seed[..], "{}", h.id());
    }
    for k in named(&registry().kdfs, "HKDF-SHA256") {
        let out = k.derive(&[], &seed, b"WhisperMessageKeys", 80).unwrap();
        assert_eq!(out.expose(), &okm[..], "{}", k.id());
    }
}

#[test]
fn hkdf_blake2_matches_two_python_implementations() {
    let data = data();
    for case in cases(&data, "hkdf_blake2") {
        let kdf = field(case, "kdf");
        let (salt, ikm, info) = (bytes(case, "salt"), bytes(case, "ikm"), bytes(case, "info"));
        let (prk, okm) = (bytes(case, "prk"), bytes(case, "okm"));
        for k in named(&registry().kdfs, &kdf) {
            let ctx = format!("{}, L = {}", k.id(), okm.len());
            assert_eq!(k.extract(&salt, &ikm).expose(), &prk[..], "{ctx}: PRK");
            let out = k.expand(&prk, &info, okm.len()).unwrap();
            assert_eq!(out.expose(), &okm[..], "{ctx}: OKM");
            let out = k.derive(&salt, &ikm, &info, okm.len()).unwrap();
            assert_eq!(out.expose(), &okm[..], "{ctx}: derive");
        }
    }
}

/// Pins the signature bytes of both profiles, including the signal
/// profile's nonce `SHA-512(0xFE || 0xFF*31 || clamp(k) || M || Z)` and its
/// sign bit in byte 63; the cases alternate the sign bit of `clamp(k)·B`.
#[test]
fn xeddsa_signatures_match_libsodium_arithmetic() {
    let data = data();
    let mut per_profile = [0usize; 2];
    for case in cases(&data, "xeddsa") {
        let profile = field(case, "profile");
        let (sk, pk, msg) = (bytes(case, "sk"), bytes(case, "pk"), bytes(case, "msg"));
        let (z, sig) = (bytes(case, "z"), bytes(case, "sig"));
        let sign_bit = case["sign_bit_of_kB"].as_u64().expect("sign bit");
        for s in named(&registry().signatures, &profile) {
            let ctx = format!(
                "{}, sign bit {sign_bit}, {}-byte message",
                s.id(),
                msg.len()
            );
            let (pk2, _) = s.generate_derand(&sk).unwrap();
            assert_eq!(pk2, pk, "{ctx}: public key");
            assert_eq!(s.sign_derand(&sk, &msg, &z).unwrap(), sig, "{ctx}");
            assert_eq!(s.verify(&pk, &msg, &sig), Ok(()), "{ctx}: verify");
            per_profile[usize::from(profile == "XEdDSA-signal")] += 1;
        }
    }
    assert!(per_profile.iter().all(|&n| n > 0), "both profiles checked");
}

/// The composite's components are pinned by their own KATs (RFC 8032, the
/// CCTV ML-DSA digests); this pins the composition: key and signature
/// layout, the label prefix and the split of the coins.
#[test]
fn composite_signature_matches_pyca_ed25519_and_dilithium_py() {
    let data = data();
    for case in cases(&data, "composite_signature") {
        let name = field(case, "name");
        let msg = bytes(case, "msg");
        for s in named(&registry().signatures, &name) {
            let ctx = format!("{}, {}-byte message", s.id(), msg.len());
            let (pk, sk) = s.generate_derand(&bytes(case, "keygen_coins")).unwrap();
            check_key_pair(&pk, &sk, case, &ctx);
            let sig = s
                .sign_derand(sk.expose(), &msg, &bytes(case, "sign_coins"))
                .unwrap();
            assert_eq!(sha256_hex(&[&sig]), field(case, "sig_sha256"), "{ctx}: sig");
            assert_eq!(s.verify(&pk, &msg, &sig), Ok(()), "{ctx}: verify");
        }
    }
}
