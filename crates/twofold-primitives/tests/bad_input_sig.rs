//! Bad input to every signature implementation (sign/ and the composites) and
//! every DH backend: wrong lengths give typed errors, garbage never verifies,
//! nothing panics.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_core::{CryptoRng, Dh, Error, ShakeRng, Signature};
use twofold_primitives::{dh, hybrid, sign};

fn signatures() -> Vec<&'static dyn Signature> {
    let v: Vec<_> = sign::all()
        .into_iter()
        .chain(hybrid::signatures())
        .collect();
    assert!(!v.is_empty(), "no signature implementation registered");
    v
}

fn dhs() -> Vec<&'static dyn Dh> {
    let v = dh::all();
    assert!(!v.is_empty(), "no DH backend registered");
    v
}

/// Lengths near `n` other than `n` itself.
fn wrong_lengths(n: usize) -> Vec<usize> {
    let mut v = vec![0, n + 1, n + 32];
    if n > 1 {
        v.push(n - 1);
    }
    v.retain(|&l| l != n);
    v
}

fn is_length_error<T: std::fmt::Debug>(r: &twofold_core::Result<T>) -> bool {
    matches!(r, Err(Error::InvalidLength { .. }))
}

fn garbage(rng: &mut ShakeRng, len: usize) -> Vec<Vec<u8>> {
    let mut random = vec![0u8; len];
    rng.fill_bytes(&mut random);
    vec![vec![0u8; len], vec![0xFF; len], random]
}

#[test]
fn signature_keygen_coins_of_wrong_length_are_typed_errors() {
    for s in signatures() {
        for len in wrong_lengths(s.sizes().keygen_coins) {
            let r = s.generate_derand(&vec![7u8; len]);
            if s.takes_coins() {
                assert!(is_length_error(&r), "{} coins {len}: {:?}", s.id(), r.err());
            } else {
                assert!(
                    matches!(r, Err(Error::NoExplicitCoins { .. })),
                    "{} coins {len}",
                    s.id()
                );
            }
        }
    }
}

#[test]
fn signing_with_wrong_lengths_gives_typed_errors() {
    let mut rng = ShakeRng::new(b"bad_input_sig sign");
    for s in signatures() {
        let sizes = s.sizes();
        let (_, sk) = s.generate(&mut rng).unwrap();
        let coins = vec![3u8; sizes.sign_coins];
        for len in wrong_lengths(sizes.sk) {
            let bad_sk = vec![1u8; len];
            let r = if s.takes_coins() {
                s.sign_derand(&bad_sk, b"msg", &coins)
            } else {
                s.sign(&bad_sk, b"msg", &mut rng)
            };
            assert!(is_length_error(&r), "{} sk {len}: {:?}", s.id(), r.err());
        }
        if s.takes_coins() {
            for len in wrong_lengths(sizes.sign_coins) {
                let r = s.sign_derand(sk.expose(), b"msg", &vec![3u8; len]);
                assert!(is_length_error(&r), "{} coins {len}: {:?}", s.id(), r.err());
            }
        } else {
            assert!(
                matches!(
                    s.sign_derand(sk.expose(), b"msg", &coins),
                    Err(Error::NoExplicitCoins { .. })
                ),
                "{}",
                s.id()
            );
        }
    }
}

#[test]
fn signing_with_a_garbage_secret_key_does_not_panic() {
    let mut rng = ShakeRng::new(b"bad_input_sig garbage sk");
    for s in signatures() {
        let sizes = s.sizes();
        let coins = vec![3u8; sizes.sign_coins];
        for sk in garbage(&mut rng, sizes.sk) {
            let r = if s.takes_coins() {
                s.sign_derand(&sk, b"msg", &coins)
            } else {
                s.sign(&sk, b"msg", &mut rng)
            };
            // Either the key is refused as malformed, or (for schemes where
            // every string is a key) it signs.
            assert!(
                matches!(r, Ok(_) | Err(Error::InvalidEncoding(_))),
                "{}: {:?}",
                s.id(),
                r.err()
            );
        }
    }
}

#[test]
fn verify_with_wrong_lengths_gives_typed_errors() {
    let mut rng = ShakeRng::new(b"bad_input_sig verify lengths");
    for s in signatures() {
        let sizes = s.sizes();
        let (pk, sk) = s.generate(&mut rng).unwrap();
        let sig = s.sign(sk.expose(), b"msg", &mut rng).unwrap();
        assert_eq!(s.verify(&pk, b"msg", &sig), Ok(()), "{}", s.id());
        for len in wrong_lengths(sizes.pk) {
            let r = s.verify(&vec![1u8; len], b"msg", &sig);
            assert!(is_length_error(&r), "{} pk {len}: {:?}", s.id(), r);
        }
        for len in wrong_lengths(sizes.sig) {
            let mut bad = sig.clone();
            bad.resize(len, 0);
            let r = s.verify(&pk, b"msg", &bad);
            if len > sizes.sig {
                assert!(is_length_error(&r), "{} sig {len}: {:?}", s.id(), r);
            } else {
                // Shorter than the maximum: a length error, or (variable
                // length schemes) an invalid signature.
                assert!(
                    matches!(
                        r,
                        Err(Error::InvalidLength { .. } | Error::VerificationFailed)
                    ),
                    "{} sig {len}: {:?}",
                    s.id(),
                    r
                );
            }
        }
    }
}

#[test]
fn garbage_never_verifies() {
    let mut rng = ShakeRng::new(b"bad_input_sig garbage");
    for s in signatures() {
        let sizes = s.sizes();
        let (pk, _) = s.generate(&mut rng).unwrap();
        let mut pks = garbage(&mut rng, sizes.pk);
        pks.push(pk);
        for pk in &pks {
            for sig in garbage(&mut rng, sizes.sig) {
                for msg in [&b""[..], b"msg"] {
                    let r = s.verify(pk, msg, &sig);
                    assert!(
                        matches!(
                            r,
                            Err(Error::VerificationFailed | Error::InvalidLength { .. })
                        ),
                        "{}: {:?}",
                        s.id(),
                        r
                    );
                }
            }
        }
    }
}

#[test]
fn dh_wrong_lengths_give_typed_errors() {
    let mut rng = ShakeRng::new(b"bad_input_sig dh");
    for d in dhs() {
        let sizes = d.sizes();
        let (pk, sk) = d.generate(&mut rng).unwrap();
        for len in wrong_lengths(sizes.sk) {
            let bad = vec![5u8; len];
            assert!(is_length_error(&d.public_key(&bad)), "{} sk {len}", d.id());
            assert!(is_length_error(&d.dh(&bad, &pk)), "{} sk {len}", d.id());
            assert!(
                is_length_error(&d.generate_derand(&bad)),
                "{} coins {len}",
                d.id()
            );
        }
        for len in wrong_lengths(sizes.pk) {
            assert!(
                is_length_error(&d.dh(sk.expose(), &vec![9u8; len])),
                "{} pk {len}",
                d.id()
            );
        }
        for pk in garbage(&mut rng, sizes.pk) {
            let r = d.dh(sk.expose(), &pk);
            // X25519 takes every string as a point; P-256 refuses strings
            // that are not a curve point (see bad_input_p256.rs).
            assert!(
                matches!(
                    r,
                    Ok(_) | Err(Error::LowOrderPoint | Error::InvalidEncoding(_))
                ),
                "{}: {:?}",
                d.id(),
                r
            );
        }
    }
}

/// Encodings of small-order Edwards points: the identity (0, 1), (0, -1),
/// and the two points with y = 0 (order 4).
const SMALL_ORDER_EDWARDS: [&str; 4] = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
];

/// Montgomery u of low order (libsodium's `has_small_order` list, canonical
/// entries; see kat_x25519.rs).
const LOW_ORDER_U: [&str; 5] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

/// With a small-order key and a small-order R, `S = 0` satisfies the plain
/// RFC 8032 equation `[S]B = R + [k]A` whenever `kA = -R`, e.g. always for
/// the identity; strict verification must refuse all of them.
#[test]
fn small_order_keys_and_r_never_verify() {
    let mut checked = 0;
    for s in signatures() {
        let keys: &[&str] = match s.name() {
            "Ed25519" => &SMALL_ORDER_EDWARDS,
            "XEdDSA" | "XEdDSA-signal" => &LOW_ORDER_U,
            _ => continue,
        };
        for pk in keys {
            for r in SMALL_ORDER_EDWARDS {
                let mut sig = hex::decode(r).unwrap();
                sig.extend_from_slice(&[0u8; 32]);
                for msg in [&b""[..], b"a", b"b", b"c", b"d"] {
                    assert_eq!(
                        s.verify(&hex::decode(pk).unwrap(), msg, &sig),
                        Err(Error::VerificationFailed),
                        "{} pk {pk} R {r}",
                        s.id()
                    );
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 4, "Ed25519 and XEdDSA implementations expected");
}
