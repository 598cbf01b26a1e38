//! X-Wing known-answer tests: the three official vectors of
//! draft-connolly-cfrg-xwing-kem (repo dconnolly/draft-connolly-cfrg-xwing-kem,
//! `spec/test-vectors.json`), in a compact form: inputs
//! `seed` and `eseed` in full, `pk` and `ct` as SHA3-256 digests, `ss` in full.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use sha3::{Digest, Sha3_256};
use twofold_core::{AlgorithmId, Error, Kem, ShakeRng};
use twofold_primitives::hybrid::{self, xwing};
use twofold_primitives::{dh, kem};

struct Vector {
    seed: &'static str,
    eseed: &'static str,
    pk_sha3: &'static str,
    ct_sha3: &'static str,
    ss: &'static str,
}

/// The three official vectors, `pk` and `ct` as SHA3-256 digests of the
/// vector file's bytes.
const VECTORS: [Vector; 3] = [
    Vector {
        seed: "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26",
        eseed: "3cb1eea988004b93103cfb0aeefd2a686e01fa4a58e8a3639ca8a1e3f9ae57e2\
                35b8cc873c23dc62b8d260169afa2f75ab916a58d974918835d25e6a435085b2",
        pk_sha3: "5121745904643ad9dfacca7869292c19a8a69533b53e60666b7db910b4ad6367",
        ct_sha3: "c0abd149f83f45324ac3a7ddc7606c71f257e5ea86113522834a0ee1bcb34e3e",
        ss: "d2df0522128f09dd8e2c92b1e905c793d8f57a54c3da25861f10bf4ca613e384",
    },
    Vector {
        seed: "badfd6dfaac359a5efbb7bcc4b59d538df9a04302e10c8bc1cbf1a0b3a5120ea",
        eseed: "17cda7cfad765f5623474d368ccca8af0007cd9f5e4c849f167a580b14aabdef\
                aee7eef47cb0fca9767be1fda69419dfb927e9df07348b196691abaeb580b32d",
        pk_sha3: "799b6016e5daa56ffa1b5e79f7caf73413ceecd6df428642404cac41ddee4853",
        ct_sha3: "7680b7ba47ae09bac4b43001edcef9d98e50df20026e70ba6a424447e1f2b961",
        ss: "f2e86241c64d60f6649fbc6c5b7d17180b780a3f34355e64a85749949c45f150",
    },
    Vector {
        seed: "ef58538b8d23f87732ea63b02b4fa0f4873360e2841928cd60dd4cee8cc0d4c9",
        eseed: "22a96188d032675c8ac850933c7aff1533b94c834adbb69c6115bad4692d8619\
                f90b0cdf8a7b9c264029ac185b70b83f2801f2f4b3f70c593ea3aeeb613a7f1b",
        pk_sha3: "1ef0c99a06026450564957a5402a788feffbbefdcce55d25de254d0a49eb095a",
        ct_sha3: "3088688d63201d5d844170b79f148b2791c15f346ff6f8bd559807fbd442f91f",
        ss: "953f7f4e8c5b5049bdc771d1dffada0dd961477d1a2ae0988baa7ea6898d893f",
    },
];

fn unhex(s: &str) -> Vec<u8> {
    let clean: String = s.split_whitespace().collect();
    hex::decode(clean).unwrap()
}

fn sha3(bytes: &[u8]) -> String {
    hex::encode(Sha3_256::digest(bytes))
}

fn backends() -> Vec<&'static dyn Kem> {
    let list: Vec<_> = hybrid::kems()
        .into_iter()
        .filter(|k| k.name() == "X-Wing")
        .collect();
    assert!(!list.is_empty(), "no X-Wing backend");
    list
}

#[test]
fn official_vectors_every_backend() {
    for k in backends() {
        assert!(k.takes_coins(), "{}", k.id());
        for (i, v) in VECTORS.iter().enumerate() {
            let seed = unhex(v.seed);
            let (pk, sk) = k.generate_derand(&seed).unwrap();
            assert_eq!(pk.len(), 1216);
            assert_eq!(sha3(&pk), v.pk_sha3, "{} vector {} pk", k.id(), i + 1);
            assert_eq!(sk.len(), k.sizes().sk);
            // Both secret-key forms start with the draft's 32-byte key.
            assert_eq!(
                &sk.expose()[..32],
                &seed[..],
                "{} vector {} sk",
                k.id(),
                i + 1
            );

            let (ct, ss) = k.encapsulate_derand(&pk, &unhex(v.eseed)).unwrap();
            assert_eq!(ct.len(), 1120);
            assert_eq!(sha3(&ct), v.ct_sha3, "{} vector {} ct", k.id(), i + 1);
            assert_eq!(
                hex::encode(ss.expose()),
                v.ss,
                "{} vector {} ss",
                k.id(),
                i + 1
            );

            // Decapsulation of the vector's ciphertext with the stored form
            // and with the bare 32-byte seed.
            let from_stored = k.decapsulate(sk.expose(), &ct).unwrap();
            assert_eq!(
                hex::encode(from_stored.expose()),
                v.ss,
                "{} stored form",
                k.id()
            );
            let from_seed = k.decapsulate(&seed, &ct).unwrap();
            assert_eq!(
                hex::encode(from_seed.expose()),
                v.ss,
                "{} seed form",
                k.id()
            );
        }
    }
}

/// The typed backend (the x-wing crate) and every runtime composition agree
/// byte for byte on the official vectors and on random inputs, and each
/// decapsulates the other's ciphertexts with the other's secret keys.
#[test]
fn typed_backend_agrees_with_runtime_composition() {
    let all = backends();
    let typed: Vec<_> = all.iter().filter(|k| k.backend() == "x-wing").collect();
    let runtime: Vec<_> = all.iter().filter(|k| k.backend() != "x-wing").collect();
    assert_eq!(typed.len(), 1);
    assert!(!runtime.is_empty());
    let t = typed[0];

    let mut rng = ShakeRng::new(b"kat_xwing typed vs runtime");
    let mut inputs: Vec<(Vec<u8>, Vec<u8>)> = VECTORS
        .iter()
        .map(|v| (unhex(v.seed), unhex(v.eseed)))
        .collect();
    for _ in 0..8 {
        let mut seed = vec![0u8; 32];
        let mut eseed = vec![0u8; 64];
        twofold_core::CryptoRng::fill_bytes(&mut rng, &mut seed);
        twofold_core::CryptoRng::fill_bytes(&mut rng, &mut eseed);
        inputs.push((seed, eseed));
    }
    for r in runtime {
        for (seed, eseed) in &inputs {
            let (pk_t, sk_t) = t.generate_derand(seed).unwrap();
            let (pk_r, sk_r) = r.generate_derand(seed).unwrap();
            assert_eq!(pk_t, pk_r, "{} vs {}", t.id(), r.id());
            let (ct_t, ss_t) = t.encapsulate_derand(&pk_t, eseed).unwrap();
            let (ct_r, ss_r) = r.encapsulate_derand(&pk_r, eseed).unwrap();
            assert_eq!(ct_t, ct_r);
            assert_eq!(ss_t, ss_r);
            // Cross decapsulation, each with the other's secret-key form.
            assert_eq!(t.decapsulate(sk_r.expose(), &ct_r).unwrap(), ss_r);
            assert_eq!(r.decapsulate(sk_t.expose(), &ct_t).unwrap(), ss_t);
        }
    }
}

#[test]
fn runtime_constructor_builds_the_registered_compositions() {
    let built = xwing::XWing::new(&kem::libcrux::ML_KEM_768, &dh::dalek::X25519).unwrap();
    assert_eq!(built.id(), "X-Wing@libcrux+dalek");
    let registered: Vec<_> = backends()
        .into_iter()
        .filter(|k| k.id() == built.id())
        .collect();
    assert_eq!(registered.len(), 1);
    let v = &VECTORS[0];
    let (pk, _) = built.generate_derand(&unhex(v.seed)).unwrap();
    assert_eq!(sha3(&pk), v.pk_sha3);
    let (_, ss) = built.encapsulate_derand(&pk, &unhex(v.eseed)).unwrap();
    assert_eq!(hex::encode(ss.expose()), v.ss);

    let other = xwing::XWing::new(&kem::rustcrypto::ML_KEM_768, &dh::awslc::X25519).unwrap();
    assert_eq!(other.id(), "X-Wing@rustcrypto+aws-lc");
    let (pk, _) = other.generate_derand(&unhex(v.seed)).unwrap();
    assert_eq!(sha3(&pk), v.pk_sha3);
}

#[test]
fn runtime_constructor_rejects_wrong_components() {
    // Not ML-KEM-768.
    for wrong in kem::all().into_iter().filter(|k| k.name() != "ML-KEM-768") {
        assert!(
            matches!(
                xwing::XWing::new(wrong, &dh::dalek::X25519),
                Err(Error::Misuse(_))
            ),
            "{} accepted",
            wrong.id()
        );
    }
    // ML-KEM-768 without explicit coins.
    let coinless: Vec<_> = kem::all()
        .into_iter()
        .filter(|k| k.name() == "ML-KEM-768" && !k.takes_coins())
        .collect();
    assert!(!coinless.is_empty());
    for k in coinless {
        assert!(matches!(
            xwing::XWing::new(k, &dh::dalek::X25519),
            Err(Error::Misuse(_))
        ));
    }
}

/// A low-order X25519 point in pk_X or ct_X is refused the same way by every
/// backend (the documented deviation from the draft, module doc of xwing.rs).
#[test]
fn low_order_x25519_points_are_refused_by_every_backend() {
    let v = &VECTORS[0];
    for k in backends() {
        let (pk, sk) = k.generate_derand(&unhex(v.seed)).unwrap();
        let mut bad_pk = pk.clone();
        bad_pk[1184..].fill(0);
        assert_eq!(
            k.encapsulate_derand(&bad_pk, &unhex(v.eseed)).unwrap_err(),
            Error::LowOrderPoint,
            "{}",
            k.id()
        );
        let (mut ct, _) = k.encapsulate_derand(&pk, &unhex(v.eseed)).unwrap();
        ct[1088..].fill(0);
        assert_eq!(
            k.decapsulate(sk.expose(), &ct).unwrap_err(),
            Error::LowOrderPoint,
            "{}",
            k.id()
        );
        // u = 1 is also of low order.
        ct[1088] = 1;
        assert_eq!(
            k.decapsulate(sk.expose(), &ct).unwrap_err(),
            Error::LowOrderPoint,
            "{}",
            k.id()
        );
    }
}
