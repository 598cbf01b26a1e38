//! The generic KEM combiner: the shared secret is recomputed here by hand
//! from the component KEMs and SHA3-256, following the documented formula
//! `SHA3-256(ss_1 || ss_2 || ct_1 || ct_2 || pk_1 || pk_2 || label)`, and
//! compared with the combiner's output; wrong lengths are typed errors; a
//! modified ciphertext component changes the key.
//!
//! The recomputation uses this crate's own components, so it checks the
//! composition, not them. The combiner has no published vectors; the
//! independent check is `independent_vectors.rs` (the same formula in Python
//! over OpenSSL's X25519 and kyber-py).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use sha3::{Digest, Sha3_256};
use twofold_core::{AlgorithmId, Error, Kem, ShakeRng};
use twofold_primitives::hybrid::combiner::{self, KemCombiner};
use twofold_primitives::{hybrid, kem};

/// Registered combiners and the ids of their components, in order.
const REGISTERED: [(&str, &str, &str); 3] = [
    (
        "X25519+ML-KEM-768",
        "DH-KEM(X25519)@dalek",
        "ML-KEM-768@libcrux",
    ),
    (
        "X25519+ML-KEM-1024",
        "DH-KEM(X25519)@dalek",
        "ML-KEM-1024@libcrux",
    ),
    (
        "X25519+Kyber1024",
        "DH-KEM(X25519)@dalek",
        "Kyber1024@libcrux",
    ),
];

fn find(id: &str) -> &'static dyn Kem {
    kem::all()
        .into_iter()
        .chain(hybrid::kems())
        .find(|k| k.id() == id)
        .unwrap_or_else(|| panic!("{id} is not registered"))
}

fn fill(rng: &mut ShakeRng, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    twofold_core::CryptoRng::fill_bytes(rng, &mut v);
    v
}

/// Checks `c` against the formula computed from `parts` and `label`.
fn check_formula(c: &dyn Kem, parts: [&dyn Kem; 2], label: &[u8], rng: &mut ShakeRng) {
    let [p1, p2] = parts;
    let (s1, s2) = (p1.sizes(), p2.sizes());
    let kc1 = fill(rng, s1.keygen_coins);
    let kc2 = fill(rng, s2.keygen_coins);
    let ec1 = fill(rng, s1.encaps_coins);
    let ec2 = fill(rng, s2.encaps_coins);

    // By hand, from the components.
    let (pk1, sk1) = p1.generate_derand(&kc1).unwrap();
    let (pk2, sk2) = p2.generate_derand(&kc2).unwrap();
    let (ct1, ss1) = p1.encapsulate_derand(&pk1, &ec1).unwrap();
    let (ct2, ss2) = p2.encapsulate_derand(&pk2, &ec2).unwrap();
    let mut h = Sha3_256::new();
    for part in [ss1.expose(), ss2.expose(), &ct1, &ct2, &pk1, &pk2, label] {
        h.update(part);
    }
    let expected = h.finalize().to_vec();

    // The combiner.
    let (pk, sk) = c.generate_derand(&[kc1, kc2].concat()).unwrap();
    assert_eq!(pk, [pk1.clone(), pk2.clone()].concat(), "{} pk", c.id());
    assert_eq!(
        sk.expose(),
        [sk1.expose(), sk2.expose(), &pk1, &pk2].concat(),
        "{} sk",
        c.id()
    );
    let (ct, ss) = c.encapsulate_derand(&pk, &[ec1, ec2].concat()).unwrap();
    assert_eq!(ct, [ct1, ct2].concat(), "{} ct", c.id());
    assert_eq!(ss.expose(), &expected[..], "{} ss", c.id());
    assert_eq!(
        c.decapsulate(sk.expose(), &ct).unwrap().expose(),
        &expected[..],
        "{} decaps",
        c.id()
    );
}

#[test]
fn registered_combiners_follow_the_formula() {
    let mut rng = ShakeRng::new(b"combiner formula");
    for (name, first, second) in REGISTERED {
        let listed: Vec<_> = hybrid::kems()
            .into_iter()
            .filter(|k| k.name() == name)
            .collect();
        assert!(!listed.is_empty(), "{name} is not registered");
        let label = format!("{}{name}", combiner::LABEL_PREFIX);
        for c in listed {
            assert_eq!(c.backend(), "libcrux+dalek");
            for _ in 0..4 {
                check_formula(c, [find(first), find(second)], label.as_bytes(), &mut rng);
            }
        }
    }
}

#[test]
fn statics_expose_parts_and_label() {
    let statics = [
        &combiner::X25519_ML_KEM_768,
        &combiner::X25519_ML_KEM_1024,
        &combiner::X25519_KYBER1024,
    ];
    for (c, (name, first, second)) in statics.into_iter().zip(REGISTERED) {
        assert_eq!(c.name(), name);
        let [a, b] = c.parts();
        assert_eq!((a.id().as_str(), b.id().as_str()), (first, second));
        assert_eq!(c.label(), format!("twofold-combiner-v1 {name}").as_bytes());
    }
}

#[test]
fn custom_combiner_follows_the_formula() {
    let mut rng = ShakeRng::new(b"custom combiner");
    let parts = [find("ML-KEM-768@rustcrypto"), find("DH-KEM(X25519)@aws-lc")];
    let c = KemCombiner::new("ML-KEM-768+X25519", parts, b"my protocol v1").unwrap();
    assert_eq!(c.id(), "ML-KEM-768+X25519@rustcrypto+aws-lc");
    for _ in 0..4 {
        check_formula(&c, parts, b"my protocol v1", &mut rng);
    }
    // Randomized forms draw the same byte stream as the derandomized ones.
    let mut a = ShakeRng::new(b"same stream");
    let mut b = ShakeRng::new(b"same stream");
    let (pk, _) = c.generate(&mut a).unwrap();
    let coins = fill(&mut b, c.sizes().keygen_coins);
    assert_eq!(c.generate_derand(&coins).unwrap().0, pk);
    let (ct, ss) = c.encapsulate(&pk, &mut a).unwrap();
    let coins = fill(&mut b, c.sizes().encaps_coins);
    let (ct2, ss2) = c.encapsulate_derand(&pk, &coins).unwrap();
    assert_eq!((ct, ss), (ct2, ss2));
}

#[test]
fn constructor_rejects_bad_names_and_labels() {
    let parts = [find("DH-KEM(X25519)@dalek"), find("ML-KEM-768@libcrux")];
    assert!(matches!(
        KemCombiner::new("", parts, b"l"),
        Err(Error::MalformedName { .. })
    ));
    assert!(matches!(
        KemCombiner::new("a@b", parts, b"l"),
        Err(Error::MalformedName { .. })
    ));
    assert!(matches!(
        KemCombiner::new("ok", parts, b""),
        Err(Error::Misuse(_))
    ));
}

/// Every registered combiner: wrong lengths of pk, sk, ct and coins are
/// `InvalidLength` naming the combiner's own size.
#[test]
fn wrong_lengths_are_typed_errors() {
    let mut rng = ShakeRng::new(b"combiner lengths");
    for (name, _, _) in REGISTERED {
        let listed: Vec<_> = hybrid::kems()
            .into_iter()
            .filter(|k| k.name() == name)
            .collect();
        assert!(!listed.is_empty());
        for c in listed {
            let s = c.sizes();
            let (pk, sk) = c.generate(&mut rng).unwrap();
            let (ct, _) = c.encapsulate(&pk, &mut rng).unwrap();
            let coins = fill(&mut rng, s.encaps_coins);
            for delta in [-1isize, 1] {
                let bad = |n: usize| vec![0u8; n.checked_add_signed(delta).unwrap()];
                let is_len = |e: Error, expected: usize| matches!(e, Error::InvalidLength { expected: x, .. } if x == expected);
                assert!(is_len(
                    c.encapsulate_derand(&bad(s.pk), &coins).unwrap_err(),
                    s.pk
                ));
                assert!(is_len(
                    c.encapsulate_derand(&pk, &bad(s.encaps_coins)).unwrap_err(),
                    s.encaps_coins
                ));
                assert!(is_len(
                    c.generate_derand(&bad(s.keygen_coins)).unwrap_err(),
                    s.keygen_coins
                ));
                assert!(is_len(c.decapsulate(&bad(s.sk), &ct).unwrap_err(), s.sk));
                assert!(is_len(
                    c.decapsulate(sk.expose(), &bad(s.ct)).unwrap_err(),
                    s.ct
                ));
            }
        }
    }
}

/// Modifying either ciphertext component changes the decapsulated key,
/// including a bit X25519 itself ignores (the top bit of `u`): the combiner
/// hashes the ciphertext, not only the component secrets.
#[test]
fn modified_ciphertext_component_changes_the_key() {
    let mut rng = ShakeRng::new(b"combiner ct flips");
    for (name, _, _) in REGISTERED {
        let listed: Vec<_> = hybrid::kems()
            .into_iter()
            .filter(|k| k.name() == name)
            .collect();
        assert!(!listed.is_empty());
        for c in listed {
            let (pk, sk) = c.generate(&mut rng).unwrap();
            let (ct, ss) = c.encapsulate(&pk, &mut rng).unwrap();
            // ct_1 = the 32-byte X25519 share, then ct_2.
            for (index, mask) in [
                (0usize, 0x01u8),
                (31, 0x80),
                (32, 0x01),
                (ct.len() - 1, 0x40),
            ] {
                let mut bad = ct.clone();
                bad[index] ^= mask;
                let other = c.decapsulate(sk.expose(), &bad).unwrap();
                assert_ne!(other, ss, "{} byte {index}", c.id());
            }
        }
    }
}
