//! The SPQR authenticator and epoch secret against committed answers, over
//! every HKDF-SHA256 and HMAC-SHA256 backend.
//!
//! The answers in `tests/data/spqr_authenticator.json` come from
//! `tests/python/spqr_reference.py`, a second implementation of the formulas
//! over Python's `hmac`/`hashlib` (HKDF written out from RFC 5869). They are
//! not vectors of Signal's deployed code, which publishes none for the
//! authenticator; the script's HKDF is itself checked against the chain
//! values Signal's `spqr` v1.5.3 produced before it writes anything.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use twofold_core::{Hash, Kdf, Secret};
use twofold_primitives::registry;
use twofold_ratchet::RatchetError;
use twofold_ratchet::spqr::Authenticator;
use twofold_ratchet::spqr::chain::epoch_secret;

/// Every pair of backends.
fn backends() -> Vec<(&'static dyn Kdf, &'static dyn Hash)> {
    let mut out = Vec::new();
    for k in common::hkdf_sha256() {
        for h in common::sha256() {
            out.push((k, h));
        }
    }
    out
}

#[test]
fn key_schedule_and_macs_match_the_committed_answers() {
    let d = common::data("spqr_authenticator.json");
    let cases = d["authenticator"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for (kdf, hmac) in backends() {
        let mut checked = 0;
        for case in cases {
            let mut auth: Option<Authenticator> = None;
            for s in case["steps"].as_array().unwrap() {
                let epoch = common::uint(&s["epoch"]);
                let a = match s["op"].as_str().unwrap() {
                    "new" => {
                        auth = Some(
                            Authenticator::new(kdf, hmac, &common::key(&s["key"]), epoch).unwrap(),
                        );
                        auth.as_ref().unwrap()
                    }
                    "update" => {
                        let a = auth.as_mut().unwrap();
                        a.update(epoch, &common::key(&s["key"])).unwrap();
                        a
                    }
                    op @ ("mac_hdr" | "mac_ct") => {
                        let a = auth.as_ref().unwrap();
                        let data = common::bytes(&s["data"]);
                        let mac = common::bytes(&s["mac"]);
                        if op == "mac_hdr" {
                            assert_eq!(data.len(), 64);
                            assert_eq!(a.mac_hdr(epoch, &data).unwrap().as_slice(), mac);
                            a.verify_hdr(epoch, &data, &mac).unwrap();
                        } else {
                            assert_eq!(data.len(), 960 + 128);
                            assert_eq!(a.mac_ct(epoch, &data).unwrap().as_slice(), mac);
                            a.verify_ct(epoch, &data, &mac).unwrap();
                        }
                        checked += 1;
                        continue;
                    }
                    op => panic!("unknown op {op}"),
                };
                assert_eq!(
                    a.root_key(),
                    &common::key(&s["root_key"]),
                    "{}",
                    case["name"]
                );
                assert_eq!(a.mac_key(), &common::key(&s["mac_key"]), "{}", case["name"]);
                checked += 1;
            }
        }
        assert_eq!(checked, 21, "{} / {}", kdf.id(), hmac.id());
    }
}

#[test]
fn epoch_secrets_match_the_committed_answers() {
    let d = common::data("spqr_authenticator.json");
    let cases = d["epoch_secret"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for kdf in common::hkdf_sha256() {
        for c in cases {
            let s = epoch_secret(
                kdf,
                common::uint(&c["epoch"]),
                &common::bytes(&c["shared_secret"]),
            )
            .unwrap();
            assert_eq!(s, common::key(&c["epoch_secret"]), "{c}");
        }
    }
}

fn fresh() -> Authenticator {
    let kdf = registry::kdf("HKDF-SHA256").unwrap();
    let hmac = registry::hash("SHA-256").unwrap();
    Authenticator::new(kdf, hmac, &Secret::new([0x29; 32]), 1).unwrap()
}

#[test]
fn a_changed_mac_input_or_tag_does_not_verify() {
    let a = fresh();
    let hdr = [7u8; 64];
    let ct = [9u8; 1088];
    let mac_hdr = a.mac_hdr(1, &hdr).unwrap();
    let mac_ct = a.mac_ct(1, &ct).unwrap();
    let bad_hdr = Err(RatchetError::BadMac("SPQR header"));
    let bad_ct = Err(RatchetError::BadMac("SPQR ciphertext"));
    // Wrong epoch.
    assert_eq!(a.verify_hdr(2, &hdr, &mac_hdr), bad_hdr);
    assert_eq!(a.verify_ct(0, &ct, &mac_ct), bad_ct);
    // Every bit of the tag matters.
    for i in 0..32 * 8 {
        let mut m = mac_hdr;
        m[i / 8] ^= 1 << (i % 8);
        assert_eq!(a.verify_hdr(1, &hdr, &m), bad_hdr);
    }
    // A changed byte of the data.
    let mut h = hdr;
    h[63] ^= 0x80;
    assert_eq!(a.verify_hdr(1, &h, &mac_hdr), bad_hdr);
    // The labels separate the two MACs.
    assert_ne!(
        a.mac_hdr(1, &ct[..64]).unwrap(),
        a.mac_ct(1, &ct[..64]).unwrap()
    );
    assert_eq!(a.verify_ct(1, &hdr, &mac_hdr), bad_ct);
    // Truncated, extended and empty tags.
    assert_eq!(a.verify_hdr(1, &hdr, &mac_hdr[..31]), bad_hdr);
    assert_eq!(
        a.verify_hdr(1, &hdr, &[&mac_hdr[..], &[0]].concat()),
        bad_hdr
    );
    assert_eq!(a.verify_ct(1, &ct, &[]), bad_ct);
    a.verify_hdr(1, &hdr, &mac_hdr).unwrap();
    a.verify_ct(1, &ct, &mac_ct).unwrap();
}

#[test]
fn an_update_changes_both_keys_and_old_macs_stop_verifying() {
    let mut a = fresh();
    let hdr = [1u8; 64];
    let before = a.mac_hdr(2, &hdr).unwrap();
    let (root, mac) = (a.root_key().duplicate(), a.mac_key().duplicate());
    a.update(2, &Secret::new([0x07; 32])).unwrap();
    assert_ne!(a.root_key(), &root);
    assert_ne!(a.mac_key(), &mac);
    assert_eq!(
        a.verify_hdr(2, &hdr, &before),
        Err(RatchetError::BadMac("SPQR header"))
    );
    // Rebuilt from its keys, it MACs the same.
    let b = Authenticator::from_keys(
        registry::kdf("HKDF-SHA256").unwrap(),
        registry::hash("SHA-256").unwrap(),
        a.root_key().duplicate(),
        a.mac_key().duplicate(),
    )
    .unwrap();
    assert_eq!(b.mac_hdr(2, &hdr).unwrap(), a.mac_hdr(2, &hdr).unwrap());
}

#[test]
fn a_hash_without_a_32_byte_output_is_refused() {
    let r = Authenticator::new(
        registry::kdf("HKDF-SHA256").unwrap(),
        registry::hash("SHA-512").unwrap(),
        &Secret::new([0; 32]),
        1,
    );
    assert!(matches!(r, Err(RatchetError::Misuse(_))));
}

#[test]
fn debug_shows_no_key() {
    let a = fresh();
    let text = format!("{a:?}");
    assert!(text.contains("REDACTED"), "{text}");
    for k in [a.root_key(), a.mac_key()] {
        assert!(!text.contains(&hex::encode(k.expose())), "{text}");
        assert!(!text.contains(&format!("{:?}", k.expose())), "{text}");
    }
}
