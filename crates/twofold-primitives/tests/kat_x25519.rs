//! X25519 known answers for every DH backend.
//!
//! Values: RFC 7748 §5.2 (test vectors and the iterated test) and §6.1
//! (Alice and Bob), also recomputed with pyca/cryptography. Low-order points: the blocklist of
//! libsodium's `has_small_order` (jedisct1/libsodium,
//! `src/libsodium/crypto_scalarmult/curve25519/ref10/x25519_ref10.c`), i.e.
//! `0`, `1`, the two order-8 points, `p - 1`, `p` and `p + 1`.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_core::{Dh, Error};
use twofold_primitives::dh;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).expect("test vector hex")
}

/// Every X25519 backend; fails if there is none.
fn backends() -> Vec<&'static dyn Dh> {
    let v: Vec<_> = dh::all()
        .into_iter()
        .filter(|d| d.name() == "X25519")
        .collect();
    assert!(!v.is_empty(), "no X25519 backend registered");
    v
}

#[test]
fn rfc7748_section_5_2_vectors() {
    // (scalar k, u-coordinate, X25519(k, u))
    let vectors = [
        (
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        ),
        (
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
        ),
    ];
    for d in backends() {
        for (k, u, out) in vectors {
            let got = d.dh(&h(k), &h(u)).unwrap();
            assert_eq!(got.expose(), h(out).as_slice(), "{}", d.id());
        }
    }
}

#[test]
fn rfc7748_section_5_2_iterations() {
    let after_1 = h("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
    let after_1000 = h("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
    for d in backends() {
        // k = u = 9 (the base point); each step: k, u = X25519(k, u), k.
        let mut k = vec![0u8; 32];
        k[0] = 9;
        let mut u = k.clone();
        for i in 1..=1000 {
            let r = d.dh(&k, &u).unwrap().expose().to_vec();
            u = k;
            k = r;
            if i == 1 {
                assert_eq!(k, after_1, "{} after 1 iteration", d.id());
            }
        }
        assert_eq!(k, after_1000, "{} after 1000 iterations", d.id());
    }
}

#[test]
fn rfc7748_section_6_1_alice_and_bob() {
    let alice_sk = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    let alice_pk = h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    let bob_sk = h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    let bob_pk = h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    let shared = h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    for d in backends() {
        assert_eq!(d.public_key(&alice_sk).unwrap(), alice_pk, "{}", d.id());
        assert_eq!(d.public_key(&bob_sk).unwrap(), bob_pk, "{}", d.id());
        let (pk, sk) = d.generate_derand(&alice_sk).unwrap();
        assert_eq!(pk, alice_pk, "{}", d.id());
        assert_eq!(sk.expose(), alice_sk.as_slice(), "{}", d.id());
        assert_eq!(
            d.dh(&alice_sk, &bob_pk).unwrap().expose(),
            shared.as_slice(),
            "{}",
            d.id()
        );
        assert_eq!(
            d.dh(&bob_sk, &alice_pk).unwrap().expose(),
            shared.as_slice(),
            "{}",
            d.id()
        );
    }
}

/// libsodium's `has_small_order` blocklist (see the module docs).
fn low_order_points() -> Vec<Vec<u8>> {
    let mut v = vec![
        // 0 (order 4)
        h("0000000000000000000000000000000000000000000000000000000000000000"),
        // 1 (order 1)
        h("0100000000000000000000000000000000000000000000000000000000000000"),
        // order 8
        h("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
        // order 8
        h("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
        // p - 1 (order 2)
        h("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        // p (= 0, non-canonical)
        h("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        // p + 1 (= 1, non-canonical)
        h("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    ];
    // RFC 7748 §5: the top bit of u is ignored, so each point with bit 255
    // set is the same point.
    let with_top_bit: Vec<Vec<u8>> = v
        .iter()
        .map(|p| {
            let mut q = p.clone();
            q[31] |= 0x80;
            q
        })
        .collect();
    v.extend(with_top_bit);
    v
}

#[test]
fn low_order_public_keys_are_rejected() {
    let secrets = [
        h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
        h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"),
        vec![0xFF; 32],
        vec![0x00; 32],
    ];
    for d in backends() {
        for sk in &secrets {
            for pk in low_order_points() {
                assert_eq!(
                    d.dh(sk, &pk).err(),
                    Some(Error::LowOrderPoint),
                    "{} u = {}",
                    d.id(),
                    hex::encode(&pk)
                );
            }
        }
    }
}

#[test]
fn backends_agree_on_random_keys() {
    let all = backends();
    let mut rng = twofold_core::ShakeRng::new(b"kat_x25519 agreement");
    for _ in 0..16 {
        let (pk_a, sk_a) = all[0].generate(&mut rng).unwrap();
        let (pk_b, sk_b) = all[0].generate(&mut rng).unwrap();
        let reference = all[0].dh(sk_a.expose(), &pk_b).unwrap();
        for d in &all {
            assert_eq!(d.public_key(sk_a.expose()).unwrap(), pk_a, "{}", d.id());
            assert_eq!(d.dh(sk_a.expose(), &pk_b).unwrap(), reference, "{}", d.id());
            assert_eq!(d.dh(sk_b.expose(), &pk_a).unwrap(), reference, "{}", d.id());
        }
    }
}
