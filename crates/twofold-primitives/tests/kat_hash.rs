//! Known-answer tests for every hash, HMAC and XOF backend.
//!
//! Every expected value is a published one, each found with the search tool
//! in independent copies (other projects' test suites citing the standard):
//! * SHA-256("abc"), SHA-512("abc"): FIPS 180-2/180-4 appendix examples
//!   (also in NIST's "Examples with intermediate values").
//! * SHA3-256("") and SHA3-256("abc"): FIPS 202 examples (also the Keccak
//!   Code Package `ShortMsgKAT_SHA3-256.txt`, Len = 0).
//! * SHAKE128(""), first 32 bytes: the seed of X-Wing's official vector 1,
//!   which is also where the CCTV accumulated procedure's stream starts; SHAKE256(""), first 64 bytes: FIPS 202
//!   example values.
//! * BLAKE2b-512("abc"): RFC 7693 Appendix A; BLAKE2s-256("abc"): RFC 7693
//!   Appendix B.
//! * HMAC-SHA-256 / HMAC-SHA-512: RFC 4231 §4.2 (test case 1) and §4.3 (test
//!   case 2).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_core::{Hash, Xof};
use twofold_primitives::hash;

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

/// Every XOF backend named `name`; fails if there is none.
fn xofs(name: &str) -> Vec<&'static dyn Xof> {
    let list: Vec<_> = hash::xofs()
        .into_iter()
        .filter(|x| x.name() == name)
        .collect();
    assert!(!list.is_empty(), "no XOF backend named {name}");
    list
}

/// Checks the digest of `msg`, both whole and split into parts (the trait
/// hashes the concatenation of its parts).
fn check_digest(name: &str, msg: &[u8], expected: &str, out_len: usize, block_len: usize) {
    for x in hashes(name) {
        assert_eq!(x.output_len(), out_len, "{}", x.id());
        assert_eq!(x.block_len(), block_len, "{}", x.id());
        assert_eq!(hex::encode(x.hash(&[msg])), expected, "{}", x.id());
        let (a, b) = msg.split_at(msg.len() / 2);
        assert_eq!(
            hex::encode(x.hash(&[a, &[], b])),
            expected,
            "{} (parts)",
            x.id()
        );
    }
}

#[test]
fn sha256_abc() {
    check_digest(
        "SHA-256",
        b"abc",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        32,
        64,
    );
}

#[test]
fn sha512_abc() {
    check_digest(
        "SHA-512",
        b"abc",
        concat!(
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a",
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        ),
        64,
        128,
    );
}

#[test]
fn sha3_256_empty_and_abc() {
    check_digest(
        "SHA3-256",
        b"",
        "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
        32,
        136,
    );
    check_digest(
        "SHA3-256",
        b"abc",
        "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
        32,
        136,
    );
}

#[test]
fn blake2b_512_abc_rfc7693_appendix_a() {
    check_digest(
        "BLAKE2b",
        b"abc",
        concat!(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1",
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"
        ),
        64,
        128,
    );
}

#[test]
fn blake2s_256_abc_rfc7693_appendix_b() {
    check_digest(
        "BLAKE2s",
        b"abc",
        "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982",
        32,
        64,
    );
}

/// Checks an XOF of the empty string, for several output lengths: every
/// shorter output is a prefix of the published one.
fn check_xof_empty(name: &str, expected: &str) {
    let expected = h(expected);
    for x in xofs(name) {
        for len in [0, 1, 16, 31, expected.len()] {
            let mut out = vec![0u8; len];
            x.xof(&[], &mut out);
            assert_eq!(out, expected[..len], "{} len {len}", x.id());
            let mut out = vec![0u8; len];
            x.xof(&[b"", b""], &mut out);
            assert_eq!(out, expected[..len], "{} len {len} (parts)", x.id());
        }
    }
}

#[test]
fn shake128_empty() {
    check_xof_empty(
        "SHAKE128",
        "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26",
    );
}

#[test]
fn shake256_empty() {
    check_xof_empty(
        "SHAKE256",
        concat!(
            "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f",
            "d75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be"
        ),
    );
}

/// RFC 4231 test cases 1 and 2: (key, data, HMAC-SHA-256, HMAC-SHA-512).
fn rfc4231() -> Vec<(Vec<u8>, Vec<u8>, &'static str, &'static str)> {
    vec![
        (
            vec![0x0b; 20],
            b"Hi There".to_vec(),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            concat!(
                "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde",
                "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"
            ),
        ),
        (
            b"Jefe".to_vec(),
            b"what do ya want for nothing?".to_vec(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            concat!(
                "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554",
                "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
            ),
        ),
    ]
}

#[test]
fn hmac_sha256_rfc4231() {
    for x in hashes("SHA-256") {
        for (i, (key, data, expected, _)) in rfc4231().into_iter().enumerate() {
            let tag = x.hmac(&key, &[&data]);
            assert_eq!(
                hex::encode(tag.expose()),
                expected,
                "{} case {}",
                x.id(),
                i + 1
            );
            let (a, b) = data.split_at(3);
            let tag = x.hmac(&key, &[a, b]);
            assert_eq!(
                hex::encode(tag.expose()),
                expected,
                "{} case {} (parts)",
                x.id(),
                i + 1
            );
        }
    }
}

#[test]
fn hmac_sha512_rfc4231() {
    for x in hashes("SHA-512") {
        for (i, (key, data, _, expected)) in rfc4231().into_iter().enumerate() {
            let tag = x.hmac(&key, &[&data]);
            assert_eq!(
                hex::encode(tag.expose()),
                expected,
                "{} case {}",
                x.id(),
                i + 1
            );
            let (a, b) = data.split_at(3);
            let tag = x.hmac(&key, &[a, b]);
            assert_eq!(
                hex::encode(tag.expose()),
                expected,
                "{} case {} (parts)",
                x.id(),
                i + 1
            );
        }
    }
}
