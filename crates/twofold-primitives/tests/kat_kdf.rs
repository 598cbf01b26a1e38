//! Known-answer tests for every HKDF backend, and libsignal's chain-key KAT.
//!
//! Sources (independent of this code):
//! * RFC 5869 Appendix A.1, A.2 ("longer inputs/outputs") and A.3, PRK and
//!   OKM as published in the RFC.
//! * libsignal `test_chain_key_derivation` (signalapp/libsignal,
//!   `rust/protocol/src/ratchet/keys.rs`; values only): CK, the message key
//!   seed, cipher key, MAC key, next CK. The IV is not in that test; it is
//!   the one OpenSSL's HKDF gives (`independent_vectors.rs`).
//! * HKDF-SHA512: Wycheproof `testvectors_v1/hkdf_sha512_test.json`
//!   (C2SP/wycheproof, commit 427a648c39e2edea11b75bcdcd72eea3da482d6f),
//!   tcIds 1, 3, 11, 12 (empty salt / salt and info, 20 to 64 bytes).
//!
//! Besides the registered backends, every test also runs [`HkdfOver`] over
//! each SHA-256 (or SHA-512) hash backend, so the RFC vectors pin the generic
//! construction that is registered for BLAKE2. No published vector covers
//! HKDF over BLAKE2 itself; `independent_vectors.rs` checks it against two
//! Python implementations.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_core::{Hash, Kdf};
use twofold_primitives::hash::{self, hkdf::HkdfOver};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test vector hex")
}

/// Every hash backend named `name`; fails if there is none.
fn hashes(name: &str) -> Vec<&'static dyn Hash> {
    let list: Vec<_> = hash::hashes()
        .into_iter()
        .filter(|x| x.name() == name)
        .collect();
    assert!(!list.is_empty(), "no hash backend named {name}");
    list
}

/// Every KDF backend named `kdf`, plus `HkdfOver` each `hash` backend;
/// fails if no registered backend exists.
fn kdfs(kdf: &str, hash: &str) -> Vec<&'static dyn Kdf> {
    let mut list: Vec<&'static dyn Kdf> = hash::kdfs()
        .into_iter()
        .filter(|x| x.name() == kdf)
        .collect();
    assert!(!list.is_empty(), "no KDF backend named {kdf}");
    for hb in hashes(hash) {
        // Leaked once per test: `HkdfOver` wants `&'static` names. The name
        // says which hash backend it runs over, for the failure messages.
        let name: &'static str = Box::leak(format!("{kdf}[over {}]", hb.id()).into_boxed_str());
        list.push(Box::leak(Box::new(HkdfOver::new(name, hb))));
    }
    list
}

/// Label for assertion messages.
fn label(k: &dyn Kdf) -> String {
    k.id()
}

struct Rfc5869 {
    case: &'static str,
    ikm: Vec<u8>,
    salt: Vec<u8>,
    info: Vec<u8>,
    len: usize,
    prk: &'static str,
    okm: &'static str,
}

fn rfc5869_sha256() -> Vec<Rfc5869> {
    vec![
        Rfc5869 {
            case: "A.1",
            ikm: vec![0x0b; 22],
            salt: (0x00u8..=0x0c).collect(),
            info: (0xf0u8..=0xf9).collect(),
            len: 42,
            prk: "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        },
        Rfc5869 {
            case: "A.2",
            ikm: (0x00u8..=0x4f).collect(),
            salt: (0x60u8..=0xaf).collect(),
            info: (0xb0u8..=0xff).collect(),
            len: 82,
            prk: "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            okm: concat!(
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c",
                "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71",
                "cc30c58179ec3e87c14c01d5c1f3434f1d87"
            ),
        },
        Rfc5869 {
            case: "A.3",
            ikm: vec![0x0b; 22],
            salt: vec![],
            info: vec![],
            len: 42,
            prk: "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
        },
    ]
}

#[test]
fn hkdf_sha256_rfc5869() {
    for k in kdfs("HKDF-SHA256", "SHA-256") {
        assert_eq!(k.prk_len(), 32, "{}", label(k));
        for v in rfc5869_sha256() {
            let prk = k.extract(&v.salt, &v.ikm);
            assert_eq!(hex::encode(prk.expose()), v.prk, "{} {}", label(k), v.case);
            let okm = k.expand(&h(v.prk), &v.info, v.len).unwrap();
            assert_eq!(hex::encode(okm.expose()), v.okm, "{} {}", label(k), v.case);
            let okm = k.derive(&v.salt, &v.ikm, &v.info, v.len).unwrap();
            assert_eq!(
                hex::encode(okm.expose()),
                v.okm,
                "{} {} derive",
                label(k),
                v.case
            );
        }
        // A.3 states that an absent salt is HashLen zero bytes: spelling the
        // zeros out gives the same PRK.
        let zeros = k.extract(&[0u8; 32], &[0x0b; 22]);
        assert_eq!(
            hex::encode(zeros.expose()),
            rfc5869_sha256()[2].prk,
            "{}",
            label(k)
        );
    }
}

/// (tcId, ikm, salt, info, size, okm) from Wycheproof hkdf_sha512_test.json.
const HKDF_SHA512: &[(u32, &str, &str, &str, usize, &str)] = &[
    (
        1,
        "24aeff2645e3e0f5494a9a102778c43a",
        "",
        "",
        20,
        "dd2599840b09699c6200b5cba79002b3aa75c61b",
    ),
    (
        3,
        "a4748031a14d3e6aafe42aa20c568f5f",
        "",
        "",
        64,
        concat!(
            "62ea97e06051e40b79deb127a4da294f557cafa3d7a90a75c02064571dfbbe46",
            "99129bdcec4b39eed7757ce8e3571589f7d8f5523c0dc3fd6a56b099fb4bfd51"
        ),
    ),
    (
        11,
        "0cbd136d66d15a4ffefde1303b430821",
        "2614d80275b08a1cf90bae0eb607d4d5",
        "ee991de21aeb6baa6a5f683dbb755e6f80db1c1d",
        42,
        "e51c3bfe5f4e9b4fb0d3c3a67bb33a20c288800e03707621cf143e8581d422dfec3fe658ba8fa2e35c2c",
    ),
    (
        12,
        "7a00817689a3d79001825a864c69c120",
        "08bc01c053a6406c7c4a667c9b9b3894",
        "967ccd75395be6e96a67759f070487c9e2107791",
        64,
        concat!(
            "aed987bcc5ed33c4feec7b28aa9fe1c16b1181e00ff42c63cf692ec19242f6d4",
            "628604b3382db0806d5e61518f83fc651e6f3bd0a9d1322926a76869b98b75d6"
        ),
    ),
];

#[test]
fn hkdf_sha512_wycheproof() {
    for k in kdfs("HKDF-SHA512", "SHA-512") {
        assert_eq!(k.prk_len(), 64, "{}", label(k));
        for &(tc, ikm, salt, info, size, okm) in HKDF_SHA512 {
            let (ikm, salt, info) = (h(ikm), h(salt), h(info));
            let out = k.derive(&salt, &ikm, &info, size).unwrap();
            assert_eq!(hex::encode(out.expose()), okm, "{} tc {tc}", label(k));
            let prk = k.extract(&salt, &ikm);
            let out = k.expand(prk.expose(), &info, size).unwrap();
            assert_eq!(
                hex::encode(out.expose()),
                okm,
                "{} tc {tc} (extract+expand)",
                label(k)
            );
        }
    }
}

// ---------------------------------------------------------------------------
// libsignal chain-key KAT
// ---------------------------------------------------------------------------

const CK: &str = "8ab72d6f4cc5ac0d387eaf463378ddb28edd07385b1cb01250c715982e7ad48f";
const SEED: &str = "fae95235beda3d2e00b41cf2e655dada2405b4388cae0d251a51bcd2ebdd2e40";
const CIPHER_KEY: &str = "bf51e9d75e0e31031051f82a2491ffc084fa298b7793bd9db620056febf45217";
const MAC_KEY: &str = "c6c77d6a73a354337a56435e34607dfe48e3ace14e77314dc6abc172e7a7030b";
const IV: &str = "afa8207986b692a116d4b40bbff72d6c";
const NEXT_CK: &str = "28e8f8fee54b801eef7c5cfb2f17f32c7b334485bbb70fac6ec10342a246d15d";

#[test]
fn libsignal_chain_key_hmac() {
    // seed = HMAC-SHA256(CK, 0x01), CK' = HMAC-SHA256(CK, 0x02).
    let ck = h(CK);
    for x in hashes("SHA-256") {
        assert_eq!(
            hex::encode(x.hmac(&ck, &[&[0x01]]).expose()),
            SEED,
            "{}",
            x.id()
        );
        assert_eq!(
            hex::encode(x.hmac(&ck, &[&[0x02]]).expose()),
            NEXT_CK,
            "{}",
            x.id()
        );
    }
}

#[test]
fn libsignal_message_keys_hkdf() {
    // HKDF-SHA256(salt = none, ikm = seed, info = "WhisperMessageKeys", 80)
    //   = cipher_key (32) || mac_key (32) || iv (16).
    let expected = format!("{CIPHER_KEY}{MAC_KEY}{IV}");
    for k in kdfs("HKDF-SHA256", "SHA-256") {
        let okm = k.derive(&[], &h(SEED), b"WhisperMessageKeys", 80).unwrap();
        assert_eq!(hex::encode(okm.expose()), expected, "{}", label(k));
    }
}
