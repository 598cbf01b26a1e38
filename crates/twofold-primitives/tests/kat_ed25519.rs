//! Ed25519 known answers for every Ed25519 backend: RFC 8032 §7.1 TEST 1-3
//! (values of the RFC, also recomputed with pyca/cryptography).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_core::{Error, Signature};
use twofold_primitives::sign;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test vector hex")
}

/// Every Ed25519 backend; fails if there is none.
fn backends() -> Vec<&'static dyn Signature> {
    let v: Vec<_> = sign::all()
        .into_iter()
        .filter(|s| s.name() == "Ed25519")
        .collect();
    assert!(!v.is_empty(), "no Ed25519 backend registered");
    v
}

/// (secret key, public key, message, signature)
const TESTS: [(&str, &str, &str, &str); 3] = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
];

#[test]
fn rfc8032_section_7_1_tests_1_to_3() {
    for s in backends() {
        for (n, (sk, pk, msg, sig)) in TESTS.iter().enumerate() {
            let (sk, pk, msg, sig) = (h(sk), h(pk), h(msg), h(sig));
            let ctx = format!("{} TEST {}", s.id(), n + 1);

            let (got_pk, got_sk) = s.generate_derand(&sk).unwrap();
            assert_eq!(got_pk, pk, "{ctx}: public key");
            assert_eq!(got_sk.expose(), sk.as_slice(), "{ctx}: secret key");

            assert_eq!(
                s.sign_derand(&sk, &msg, &[]).unwrap(),
                sig,
                "{ctx}: signature"
            );
            assert_eq!(s.verify(&pk, &msg, &sig), Ok(()), "{ctx}: verify");

            // Any single-bit change of the signature or the message fails.
            for i in [0, 31, 32, 63] {
                let mut bad = sig.clone();
                bad[i] ^= 0x01;
                assert_eq!(
                    s.verify(&pk, &msg, &bad),
                    Err(Error::VerificationFailed),
                    "{ctx}: signature byte {i} flipped"
                );
            }
            let mut bad_msg = msg.clone();
            bad_msg.push(0);
            assert_eq!(
                s.verify(&pk, &bad_msg, &sig),
                Err(Error::VerificationFailed),
                "{ctx}: message extended"
            );
        }
    }
}

#[test]
fn signing_is_deterministic_and_refuses_coins() {
    let mut rng = twofold_core::ShakeRng::new(b"kat_ed25519 determinism");
    let (sk, _, msg, sig) = TESTS[2];
    for s in backends() {
        assert_eq!(s.sizes().sign_coins, 0, "{}", s.id());
        // The randomized form draws nothing and gives the RFC signature.
        assert_eq!(
            s.sign(&h(sk), &h(msg), &mut rng).unwrap(),
            h(sig),
            "{}",
            s.id()
        );
        assert!(
            matches!(
                s.sign_derand(&h(sk), &h(msg), &[0u8; 32]),
                Err(Error::InvalidLength {
                    expected: 0,
                    actual: 32,
                    ..
                })
            ),
            "{}",
            s.id()
        );
    }
}
