//! Bad input to every KEM of kem::all() and hybrid::kems(): wrong lengths of
//! public keys, secret keys, ciphertexts and coins are
//! `Error::InvalidLength` naming the expected size (never a panic); an
//! ML-KEM encapsulation key with a coefficient >= q, and an ML-KEM
//! decapsulation key whose `H(ek)` is wrong, are `Error::InvalidEncoding`.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_core::{Error, Kem, ShakeRng};
use twofold_primitives::{hybrid, kem};

fn every_kem() -> Vec<&'static dyn Kem> {
    let list: Vec<_> = kem::all().into_iter().chain(hybrid::kems()).collect();
    assert!(!list.is_empty());
    list
}

/// 0, n - 1 and n + 1 bytes.
fn wrong_lengths(n: usize) -> [usize; 3] {
    [0, n - 1, n + 1]
}

fn assert_len_error<T: std::fmt::Debug>(
    r: twofold_core::Result<T>,
    expected: usize,
    actual: usize,
    ctx: &str,
) {
    match r {
        Err(Error::InvalidLength {
            expected: e,
            actual: a,
            ..
        }) => {
            assert_eq!((e, a), (expected, actual), "{ctx}");
        }
        other => panic!("{ctx}: expected InvalidLength, got {other:?}"),
    }
}

#[test]
fn wrong_lengths_are_invalid_length() {
    let mut rng = ShakeRng::new(b"bad_input_kem lengths");
    for k in every_kem() {
        let s = k.sizes();
        let (pk, sk) = k.generate(&mut rng).unwrap();
        assert_eq!((pk.len(), sk.len()), (s.pk, s.sk), "{}", k.id());
        let (ct, ss) = k.encapsulate(&pk, &mut rng).unwrap();
        assert_eq!((ct.len(), ss.len()), (s.ct, s.ss), "{}", k.id());
        let encaps_coins = vec![0x5a; s.encaps_coins];

        for n in wrong_lengths(s.pk) {
            let bad = vec![0x5a; n];
            let ctx = format!("{} pk of {n} bytes", k.id());
            assert_len_error(k.encapsulate(&bad, &mut rng), s.pk, n, &ctx);
            if k.takes_coins() {
                assert_len_error(k.encapsulate_derand(&bad, &encaps_coins), s.pk, n, &ctx);
            }
        }
        for n in wrong_lengths(s.sk) {
            let bad = vec![0x5a; n];
            let ctx = format!("{} sk of {n} bytes", k.id());
            assert_len_error(k.decapsulate(&bad, &ct), s.sk, n, &ctx);
        }
        for n in wrong_lengths(s.ct) {
            let bad = vec![0x5a; n];
            let ctx = format!("{} ct of {n} bytes", k.id());
            assert_len_error(k.decapsulate(sk.expose(), &bad), s.ct, n, &ctx);
        }
        if k.takes_coins() {
            for n in wrong_lengths(s.keygen_coins) {
                let ctx = format!("{} keygen coins of {n} bytes", k.id());
                assert_len_error(k.generate_derand(&vec![0x5a; n]), s.keygen_coins, n, &ctx);
            }
            for n in wrong_lengths(s.encaps_coins) {
                let ctx = format!("{} encaps coins of {n} bytes", k.id());
                assert_len_error(
                    k.encapsulate_derand(&pk, &vec![0x5a; n]),
                    s.encaps_coins,
                    n,
                    &ctx,
                );
            }
        } else {
            // Coin-less backends refuse every derandomized call.
            let coins = vec![0x5a; s.keygen_coins];
            assert!(matches!(
                k.generate_derand(&coins),
                Err(Error::NoExplicitCoins { .. })
            ));
            assert!(matches!(
                k.encapsulate_derand(&pk, &encaps_coins),
                Err(Error::NoExplicitCoins { .. })
            ));
        }
    }
}

/// Offset of the ML-KEM / Kyber encapsulation key inside `k`'s public key,
/// and its rank, for every KEM that has one.
fn mlkem_part(k: &dyn Kem) -> Option<(usize, usize)> {
    let rank = |n: &str| match n {
        _ if n.ends_with("512") => 2,
        _ if n.ends_with("768") => 3,
        _ => 4,
    };
    let name = k.name();
    if name.starts_with("ML-KEM-") || name.starts_with("Kyber") {
        Some((0, rank(name)))
    } else if name == "X-Wing" {
        Some((0, 3))
    } else {
        // The registered combiners: 32-byte X25519 key first.
        name.strip_prefix("X25519+")
            .map(|second| (32, rank(second)))
    }
}

#[test]
fn unreduced_mlkem_coefficient_is_invalid_encoding() {
    let mut rng = ShakeRng::new(b"bad_input_kem modulus");
    let with_mlkem: Vec<_> = every_kem()
        .into_iter()
        .filter(|k| mlkem_part(*k).is_some())
        .collect();
    assert!(!with_mlkem.is_empty());
    for k in with_mlkem {
        let (off, rank) = mlkem_part(k).unwrap();
        let (pk, _) = k.generate(&mut rng).unwrap();
        // First coefficient = 4095; last coefficient = 3329 = q (the
        // smallest unreduced value). ByteDecode12 is little-endian.
        let mut first = pk.clone();
        first[off] = 0xff;
        first[off + 1] |= 0x0f;
        let mut last = pk.clone();
        let end = off + 384 * rank;
        last[end - 2] = (last[end - 2] & 0x0f) | 0x10;
        last[end - 1] = 0xd0;
        for bad in [first, last] {
            let r = k.encapsulate(&bad, &mut rng);
            assert!(
                matches!(r, Err(Error::InvalidEncoding(_))),
                "{}: {r:?}",
                k.id()
            );
            if k.takes_coins() {
                let coins = vec![1u8; k.sizes().encaps_coins];
                let r = k.encapsulate_derand(&bad, &coins);
                assert!(
                    matches!(r, Err(Error::InvalidEncoding(_))),
                    "{}: {r:?}",
                    k.id()
                );
            }
        }
        // q - 1 = 3328 is reduced and accepted.
        let mut ok = pk.clone();
        ok[end - 2] &= 0x0f;
        ok[end - 1] = 0xd0;
        assert!(k.encapsulate(&ok, &mut rng).is_ok(), "{}", k.id());
    }
}

#[test]
fn wrong_ek_hash_in_mlkem_secret_key_is_invalid_encoding() {
    let mut rng = ShakeRng::new(b"bad_input_kem dk hash");
    let plain: Vec<_> = kem::all()
        .into_iter()
        .filter(|k| k.name().starts_with("ML-KEM-") || k.name().starts_with("Kyber"))
        .collect();
    assert!(!plain.is_empty());
    for k in plain {
        let (_, rank) = mlkem_part(k).unwrap();
        let (pk, sk) = k.generate(&mut rng).unwrap();
        let (ct, ss) = k.encapsulate(&pk, &mut rng).unwrap();
        // dk = dk_PKE (384k) || ek (384k + 32) || H(ek) (32) || z (32).
        let mut bad = sk.expose().to_vec();
        bad[768 * rank + 32] ^= 1;
        let r = k.decapsulate(&bad, &ct);
        assert!(
            matches!(r, Err(Error::InvalidEncoding(_))),
            "{}: H(ek) {r:?}",
            k.id()
        );
        let r = k.check_secret_key(&bad);
        assert!(
            matches!(r, Err(Error::InvalidEncoding(_))),
            "{}: check H(ek) {r:?}",
            k.id()
        );
        // Skipping the checks on a bad key is the caller's promise broken: a
        // wrong key (h feeds the re-encryption), never a panic, and the
        // backends that cannot skip still refuse.
        match k.decapsulate_prechecked(&bad, &ct) {
            Ok(wrong) => assert_ne!(wrong.expose(), ss.expose(), "{}", k.id()),
            Err(e) => assert!(matches!(e, Error::InvalidEncoding(_)), "{}: {e:?}", k.id()),
        }
        // An embedded ek that fails the modulus check (H(ek) recomputed so
        // that only the modulus check can catch it).
        let mut bad = sk.expose().to_vec();
        bad[384 * rank] = 0xff;
        bad[384 * rank + 1] |= 0x0f;
        let h = <sha3::Sha3_256 as sha3::Digest>::digest(&bad[384 * rank..768 * rank + 32]);
        bad[768 * rank + 32..768 * rank + 64].copy_from_slice(&h);
        let r = k.decapsulate(&bad, &ct);
        assert!(
            matches!(r, Err(Error::InvalidEncoding(_))),
            "{}: ek {r:?}",
            k.id()
        );
        let r = k.check_secret_key(&bad);
        assert!(
            matches!(r, Err(Error::InvalidEncoding(_))),
            "{}: check ek {r:?}",
            k.id()
        );
    }
}

#[test]
fn xwing_checks_its_mlkem_secret_key() {
    let mut rng = ShakeRng::new(b"bad_input_kem xwing dk");
    let xwings: Vec<_> = every_kem()
        .into_iter()
        .filter(|k| k.name() == "X-Wing" && k.sizes().sk == 2496)
        .collect();
    assert!(!xwings.is_empty());
    for k in xwings {
        let (pk, sk) = k.generate(&mut rng).unwrap();
        let (ct, ss) = k.encapsulate(&pk, &mut rng).unwrap();
        assert!(k.check_secret_key(sk.expose()).is_ok(), "{}", k.id());
        assert!(
            k.check_secret_key(&sk.expose()[..32]).is_ok(),
            "{} seed",
            k.id()
        );
        let got = k.decapsulate_prechecked(sk.expose(), &ct).unwrap();
        assert_eq!(got.expose(), ss.expose(), "{}", k.id());
        // Stored form: seed (32) || dk_M (2400) || ...; H(ek) of ML-KEM-768
        // sits at 768 * 3 + 32 inside dk_M.
        let mut bad = sk.expose().to_vec();
        bad[32 + 768 * 3 + 32] ^= 1;
        for r in [k.check_secret_key(&bad), k.decapsulate(&bad, &ct).map(drop)] {
            assert!(
                matches!(r, Err(Error::InvalidEncoding(_))),
                "{}: {r:?}",
                k.id()
            );
        }
        assert!(
            matches!(
                k.check_secret_key(&bad[1..]),
                Err(Error::InvalidLength { .. })
            ),
            "{}",
            k.id()
        );
    }
}
