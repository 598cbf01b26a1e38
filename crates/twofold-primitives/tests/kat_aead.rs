//! Known-answer tests for every AEAD backend.
//!
//! Sources (independent of this code):
//! * ChaCha20-Poly1305: RFC 8439 §2.8.2.
//! * AES-256-GCM: Wycheproof `testvectors_v1/aes_gcm_test.json`
//!   (C2SP/wycheproof, commit 6fc4a87a4c4e2264b2f0d6862bbd900b5b25717e), group
//!   ivSize 96 / keySize 256 / tagSize 128, tcIds 101, 102, 103 (the first
//!   entries of that group with a non-empty AAD).
//! * AES-256-CBC-HMAC-SHA256, CBC part: NIST SP 800-38A F.2.5 (CBC-AES256
//!   encryption) and Wycheproof `testvectors_v1/aes_cbc_pkcs5_test.json`
//!   (commit 061657f12eed26eeab9b6548ce03f45219d0e7fe), keySize 256 group,
//!   tcIds 145-149, 164-165, 168 (valid) and 169-176 (invalid padding). The
//!   8-byte tag is recomputed here with the `hmac` crate directly, the same
//!   crate the construction uses; the whole output, tag included, is checked
//!   against OpenSSL and Python's `hmac` in `independent_vectors.rs` (no
//!   published vector covers the composition).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use twofold_core::{Aead, Error};
use twofold_primitives::aead;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test vector hex")
}

/// Every backend of `name`; fails if there is none.
fn backends(name: &str) -> Vec<&'static dyn Aead> {
    let list: Vec<_> = aead::all()
        .into_iter()
        .filter(|a| a.name() == name)
        .collect();
    assert!(!list.is_empty(), "no AEAD backend named {name}");
    list
}

/// Every single-bit flip of the ciphertext (incl. tag) and of the AAD must
/// make `open` fail with `DecryptionFailed`.
fn assert_bit_flips_rejected(a: &dyn Aead, key: &[u8], nonce: &[u8], aad: &[u8], sealed: &[u8]) {
    for i in 0..sealed.len() * 8 {
        let mut bad = sealed.to_vec();
        bad[i / 8] ^= 1 << (i % 8);
        assert_eq!(
            a.open(key, nonce, aad, &bad),
            Err(Error::DecryptionFailed),
            "{}: flipped ciphertext bit {i} accepted",
            a.id()
        );
    }
    for i in 0..aad.len() * 8 {
        let mut bad = aad.to_vec();
        bad[i / 8] ^= 1 << (i % 8);
        assert_eq!(
            a.open(key, nonce, &bad, sealed),
            Err(Error::DecryptionFailed),
            "{}: flipped AAD bit {i} accepted",
            a.id()
        );
    }
}

#[test]
fn chacha20_poly1305_rfc8439_2_8_2() {
    // RFC 8439 §2.8.2.
    let key: Vec<u8> = (0x80u8..=0x9f).collect();
    let nonce = h("070000004041424344454647");
    let aad = h("50515253c0c1c2c3c4c5c6c7");
    let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
    let ct = h(concat!(
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6",
        "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36",
        "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc",
        "3ff4def08e4b7a9de576d26586cec64b6116"
    ));
    let tag = h("1ae10b594f09e26a7e902ecbd0600691");
    let expected = [ct.as_slice(), tag.as_slice()].concat();

    for a in backends("ChaCha20-Poly1305") {
        assert_eq!((a.key_len(), a.nonce_len(), a.tag_len()), (32, 12, 16));
        let sealed = a.seal(&key, &nonce, &aad, plaintext).unwrap();
        assert_eq!(hex::encode(&sealed), hex::encode(&expected), "{}", a.id());
        assert_eq!(a.ciphertext_len(plaintext.len()), expected.len());
        assert_eq!(
            a.open(&key, &nonce, &aad, &expected).unwrap(),
            plaintext,
            "{}",
            a.id()
        );
        assert_bit_flips_rejected(a, &key, &nonce, &aad, &expected);
    }
}

/// (tcId, key, iv, aad, msg, ct, tag) from Wycheproof aes_gcm_test.json.
const GCM_256: &[(u32, &str, &str, &str, &str, &str, &str)] = &[
    (
        101,
        "cdccfe3f46d782ef47df4e72f0c02d9c7f774def970d23486f11a57f54247f17",
        "376187894605a8d45e30de51",
        "956846a209e087ed",
        "e28e0e9f9d22463ac0e42639b530f42102fded75",
        "feca44952447015b5df1f456df8ca4bb4eee2ce2",
        "082e91924deeb77880e1b1c84f9b8d30",
    ),
    (
        102,
        "f32364b1d339d82e4f132d8f4a0ec1ff7e746517fa07ef1a7f422f4e25a48194",
        "5a86a50a0e8a179c734b996d",
        "ab2ac7c44c60bdf8228c7884adb20184",
        "43891bccb522b1e72a6b53cf31c074e9d6c2df8e",
        "43dda832e942e286da314daa99bef5071d9d2c78",
        "c3922583476ced575404ddb85dd8cd44",
    ),
    (
        103,
        "ff0089ee870a4a39f645b0a5da774f7a5911e9696fc9cad646452c2aa8595a12",
        "bc2a7757d0ce2d8b1f14ccd9",
        "972ab4e06390caae8f99dd6e2187be6c7ff2c08a24be16ef",
        "748b28031621d95ee61812b4b4f47d04c6fc2ff3",
        "a929ee7e67c7a2f91bbcec6389a3caf43ab49305",
        "ebec6774b955e789591c822dab739e12",
    ),
];

#[test]
fn aes_256_gcm_wycheproof() {
    for a in backends("AES-256-GCM") {
        assert_eq!((a.key_len(), a.nonce_len(), a.tag_len()), (32, 12, 16));
        for &(tc, key, iv, aad, msg, ct, tag) in GCM_256 {
            let (key, iv, aad, msg) = (h(key), h(iv), h(aad), h(msg));
            let expected = [h(ct), h(tag)].concat();
            let sealed = a.seal(&key, &iv, &aad, &msg).unwrap();
            assert_eq!(
                hex::encode(&sealed),
                hex::encode(&expected),
                "{} tc {tc}",
                a.id()
            );
            assert_eq!(
                a.open(&key, &iv, &aad, &expected).unwrap(),
                msg,
                "{} tc {tc}",
                a.id()
            );
            assert_bit_flips_rejected(a, &key, &iv, &aad, &expected);
        }
    }
}

// ---------------------------------------------------------------------------
// AES-256-CBC-HMAC-SHA256
// ---------------------------------------------------------------------------

/// An arbitrary MAC key and AAD for the CBC vectors (the published vectors
/// fix only the CBC part; the tag is recomputed independently below).
const MAC_KEY: [u8; 32] = [0xa5; 32];
const CBC_AAD: &[u8] = b"sender IK || receiver IK || version || header";

/// The expected 8-byte tag, computed with the `hmac` crate directly.
fn reference_tag(mac_key: &[u8], aad: &[u8], body: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(mac_key).unwrap();
    mac.update(aad);
    mac.update(body);
    mac.finalize().into_bytes()[..8].to_vec()
}

/// (tcId, key, iv, msg, ct) from Wycheproof aes_cbc_pkcs5_test.json,
/// keySize 256, result "valid".
const CBC_VALID: &[(u32, &str, &str, &str, &str)] = &[
    (
        145,
        "7bf9e536b66a215c22233fe2daaa743a898b9acb9f7802de70b40e3d6e43ef97",
        "eb38ef61717e1324ae064e86f1c3e797",
        "",
        "e7c166554d1bb32792c981fa674cc4d8",
    ),
    (
        146,
        "612e837843ceae7f61d49625faa7e7494f9253e20cb3adcea686512b043936cd",
        "9ec7b863ac845cad5e4673da21f5b6a9",
        "cc37fae15f745a2f40e2c8b192f2b38d",
        "299295be47e9f5441fe83a7a811c4aeb2650333e681e69fa6b767d28a6ccf282",
    ),
    (
        147,
        "96e1e4896fb2cd05f133a6a100bc5609a7ac3ca6d81721e922dadd69ad07a892",
        "e70d83a77a2ce722ac214c00837acedf",
        "91a17e4dfcc3166a1add26ff0e7c12056e8a654f28a6de24f4ba739ceb5b5b18",
        "a615a39ff8f59f82cf72ed13e1b01e32459700561be112412961365c7a0b58aa7a16d68c065e77ebe504999051476bd7",
    ),
    (
        148,
        "649e373e681ef52e3c10ac265484750932a9918f28fb824f7cb50adab39781fe",
        "bd003c0a9d804c29f053a77cb380cb47",
        "39b447bd3a01983c1cb761b456d69000948ceb870562a536126a0d18a8e7e49b16de8fe672f13d0808d8b7d957899917",
        "ed3ed8ecdbabc0a8c06259e913f3ab9a1f1dc6d05e5dfdd9c80e1008f3423064d540681291bbd3e159820fee3ff190a68fe506d8ab9e62c8e7b3816093336dbc",
    ),
    (
        149,
        "e754076ceab3fdaf4f9bcab7d4f0df0cbbafbc87731b8f9b7cd2166472e8eebc",
        "014d2e13dfbcb969ba3bb91442d52eca",
        "40",
        "42c0b89a706ed2606cd94f9cb361fa51",
    ),
    (
        164,
        "73216fafd0022d0d6ee27198b2272578fa8f04dd9f44467fbb6437aa45641bf7",
        "4b74bd981ea9d074757c3e2ef515e5fb",
        "d5247b8f6c3edcbfb1d591d13ece23d2f5",
        "fbea776fb1653635f88e2937ed2450ba4e9063e96d7cdba04928f01cb85492fe",
    ),
    (
        165,
        "c2039f0d05951aa8d9fbdf68be58a37cf99bd1afcedda286a9db470c3729ca92",
        "9a1d8ccc24c5e4d3995480af236be103",
        "ed5b5e28e9703bdf5c7b3b080f2690a605fcd0d9",
        "3a79bb6084c7116b58afe52d7181a0aacee1caa11df959090e2e7b0073d74817",
    ),
    (
        168,
        "95aaa5df4ccb529e9b2dc929e770c1f419f8e8933bfb36f632f532b3dcad2ba6",
        "f88551c6aa197f9ad80251c2e32d7663",
        "f5735567b7c8312f116517788b091cc6cb1d474b010a77910154fd11c3b2f0cd19f713b63d66492e8cc7ee8ad714783f46c305a26416e11ff4b99ec5ce2550593cc5ec1b86ba6a66d10f82bdff827055",
        "5074f46f1a6d0eeff070d623172eb15bbfc83e7d16466a00c9da5f4545eecf44adbf60cf9ac9aa1a3ec5eca22d4a34a7b21ca44d214c9d04ab1cb0b2c07001de9adb46f3c12f8f48436b516a409bf6cbdf1871dee3115d5cbb7943558b68867e",
    ),
];

#[test]
fn aes_256_cbc_hmac_sha256_wycheproof_cbc_part() {
    for a in backends("AES-256-CBC-HMAC-SHA256") {
        assert_eq!((a.key_len(), a.nonce_len(), a.tag_len()), (64, 16, 8));
        for &(tc, cbc_key, iv, msg, ct) in CBC_VALID {
            let key = [h(cbc_key), MAC_KEY.to_vec()].concat();
            let (iv, msg, ct) = (h(iv), h(msg), h(ct));
            let expected = [ct.clone(), reference_tag(&MAC_KEY, CBC_AAD, &ct)].concat();
            let sealed = a.seal(&key, &iv, CBC_AAD, &msg).unwrap();
            assert_eq!(
                hex::encode(&sealed),
                hex::encode(&expected),
                "{} tc {tc}",
                a.id()
            );
            assert_eq!(
                a.ciphertext_len(msg.len()),
                expected.len(),
                "{} tc {tc}",
                a.id()
            );
            assert_eq!(
                a.open(&key, &iv, CBC_AAD, &expected).unwrap(),
                msg,
                "{} tc {tc}",
                a.id()
            );
        }
    }
}

#[test]
fn aes_256_cbc_hmac_sha256_sp800_38a_f_2_5() {
    // NIST SP 800-38A F.2.5 CBC-AES256.Encrypt. The published ciphertext is
    // the unpadded 4-block CBC; with PKCS#7 a fifth (padding) block follows,
    // and CBC makes the first four blocks identical to the published ones.
    let cbc_key = h("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    let iv = h("000102030405060708090a0b0c0d0e0f");
    let pt = h(concat!(
        "6bc1bee22e409f96e93d7e117393172a",
        "ae2d8a571e03ac9c9eb76fac45af8e51",
        "30c81c46a35ce411e5fbc1191a0a52ef",
        "f69f2445df4f9b17ad2b417be66c3710"
    ));
    let ct4 = h(concat!(
        "f58c4c04d6e5f1ba779eabfb5f7bfbd6",
        "9cfc4e967edb808d679f777bc6702c7d",
        "39f23369a9d9bacfa530e26304231461",
        "b2eb05e2c39be9fcda6c19078c6a9d1b"
    ));
    let key = [cbc_key, MAC_KEY.to_vec()].concat();
    for a in backends("AES-256-CBC-HMAC-SHA256") {
        let sealed = a.seal(&key, &iv, CBC_AAD, &pt).unwrap();
        assert_eq!(sealed.len(), 64 + 16 + 8, "{}", a.id());
        assert_eq!(hex::encode(&sealed[..64]), hex::encode(&ct4), "{}", a.id());
        let body = &sealed[..80];
        assert_eq!(
            &sealed[80..],
            reference_tag(&MAC_KEY, CBC_AAD, body).as_slice()
        );
        assert_eq!(
            a.open(&key, &iv, CBC_AAD, &sealed).unwrap(),
            pt,
            "{}",
            a.id()
        );
    }
}

/// The same SP 800-38A F.2.5 vector through every registered AES-256-CBC
/// [`twofold_core::Cipher`] (the unauthenticated body encryption of the
/// signal profile), and a bad length or padding refused.
#[test]
fn aes_256_cbc_cipher_sp800_38a_f_2_5() {
    let key = h("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    let iv = h("000102030405060708090a0b0c0d0e0f");
    let pt = h(concat!(
        "6bc1bee22e409f96e93d7e117393172a",
        "ae2d8a571e03ac9c9eb76fac45af8e51",
        "30c81c46a35ce411e5fbc1191a0a52ef",
        "f69f2445df4f9b17ad2b417be66c3710"
    ));
    let ct4 = "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d\
               39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b";
    let ciphers: Vec<_> = twofold_primitives::registry::REGISTRY
        .ciphers
        .iter()
        .copied()
        .filter(|c| c.name() == "AES-256-CBC")
        .collect();
    assert!(!ciphers.is_empty());
    for c in ciphers {
        let ct = c.encrypt(&key, &iv, &pt).unwrap();
        assert_eq!(ct.len(), c.ciphertext_len(pt.len()));
        assert_eq!(hex::encode(&ct[..64]), ct4.replace(' ', ""), "{}", c.id());
        assert_eq!(c.decrypt(&key, &iv, &ct).unwrap(), pt);
        assert!(c.decrypt(&key, &iv, &ct[..63]).is_err());
        assert!(c.decrypt(&key, &iv, &ct[..64]).is_err(), "no padding block");
        assert!(c.decrypt(&key[..31], &iv, &ct).is_err());
    }
}

/// (tcId, ct) from Wycheproof aes_cbc_pkcs5_test.json, keySize 256, all with
/// key 7c78f34d... and iv f010f61c..., result "invalid" (169: empty
/// ciphertext; 170-176: zero padding or 0xff padding instead of PKCS#7).
const CBC_INVALID_KEY: &str = "7c78f34dbce8f0557d43630266f59babd1cb92ba624bd1a8f45a2a91c84a804a";
const CBC_INVALID_IV: &str = "f010f61c31c9aa8fa0d5be5f6b0f2f70";
const CBC_INVALID: &[(u32, &str)] = &[
    (169, ""),
    (170, "e07558d746574528fb813f34e3fb7719"),
    (171, "c01af61276368818a8295f7d4b5bb2fd"),
    (172, "97dd9716f06be49160399a5b212250ae"),
    (
        173,
        "8881e9e02fa9e3037b397957ba1fb7ce783bb4b4e18d7c646f38e0bb8ff92896",
    ),
    (
        174,
        "8881e9e02fa9e3037b397957ba1fb7ce64679a46621b792f643542a735f0bbbf",
    ),
    (
        175,
        "706029a204cc11e69b5bc1a84e6a8ef75fe891cc466d6fb1bbf65135727a1ffb741bad06f9eb681b7551e61cd06ddc3b",
    ),
    (176, "c007ddffb76b95208505fe7f3be96172"),
];

#[test]
fn aes_256_cbc_hmac_sha256_bad_padding_under_valid_tag() {
    // A correct tag over a badly padded body (only a holder of mac_key can
    // make one) still fails, with the same opaque error as a forgery.
    let key = [h(CBC_INVALID_KEY), MAC_KEY.to_vec()].concat();
    let iv = h(CBC_INVALID_IV);
    for a in backends("AES-256-CBC-HMAC-SHA256") {
        for &(tc, ct) in CBC_INVALID {
            let ct = h(ct);
            let sealed = [ct.clone(), reference_tag(&MAC_KEY, CBC_AAD, &ct)].concat();
            assert_eq!(
                a.open(&key, &iv, CBC_AAD, &sealed),
                Err(Error::DecryptionFailed),
                "{} tc {tc}",
                a.id()
            );
        }
    }
}

#[test]
fn aes_256_cbc_hmac_sha256_bit_flips() {
    let (cbc_key, iv, msg) = (CBC_VALID[6].1, CBC_VALID[6].2, CBC_VALID[6].3);
    let key = [h(cbc_key), MAC_KEY.to_vec()].concat();
    let (iv, msg) = (h(iv), h(msg));
    for a in backends("AES-256-CBC-HMAC-SHA256") {
        let sealed = a.seal(&key, &iv, CBC_AAD, &msg).unwrap();
        assert_bit_flips_rejected(a, &key, &iv, CBC_AAD, &sealed);
    }
}
