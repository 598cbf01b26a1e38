//! ML-DSA known answers: the C2SP CCTV accumulated test
//! (C2SP/CCTV `ML-DSA/accumulated/README.md`; the same 100 / 10 000 values
//! are in Go's `crypto/mldsa` TestAccumulated).
//!
//! Procedure, exactly as the README gives it:
//! ```text
//! s = SHAKE128(); a = SHAKE128()
//! for i in range(N):
//!     seed = read(s, 32)
//!     public_key = keygen(seed);                 write(a, public_key)
//!     signature = sign_deterministic(seed, message="", context="")
//!     write(a, signature);  assert verify(public_key, signature)
//! result = read(a, 32)
//! ```
//! `sign_deterministic` is FIPS 204 signing with `rnd` = 32 zero bytes.
//!
//! Every coin-taking backend must reproduce the digest. pqcrypto takes no
//! coins, so it verifies every signature of the loop instead, and its own
//! (hedged) signatures must verify in every other backend.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use sha3::Shake128;
use sha3::digest::{ExtendableOutput, Update, XofReader};
use twofold_core::{Error, Signature};
use twofold_primitives::sign;

const SETS: [&str; 3] = ["ML-DSA-44", "ML-DSA-65", "ML-DSA-87"];

/// (parameter set, iterations, expected hex digest)
const EXPECTED: [(&str, usize, &str); 6] = [
    (
        "ML-DSA-44",
        100,
        "d51148e1f9f4fa1a723a6cf42e25f2a99eb5c1b378b3d2dbbd561b1203beeae4",
    ),
    (
        "ML-DSA-65",
        100,
        "8358a1843220194417cadbc2651295cd8fc65125b5a5c1a239a16dc8b57ca199",
    ),
    (
        "ML-DSA-87",
        100,
        "8c3ad714777622b8f21ce31bb35f71394f23bc0fcf3c78ace5d608990f3b061b",
    ),
    (
        "ML-DSA-44",
        10_000,
        "e7fd21f6a59bcba60d65adc44404bb29a7c00e5d8d3ec06a732c00a306a7d143",
    ),
    (
        "ML-DSA-65",
        10_000,
        "5ff5e196f0b830c3b10a9eb5358e7c98a3a20136cb677f3ae3b90175c3ace329",
    ),
    (
        "ML-DSA-87",
        10_000,
        "80a8cf39317f7d0be0e24972c51ac152bd2a3e09bc0c32ce29dd82c4e7385e60",
    ),
];

/// Every backend of `name`; fails if there is none.
fn backends(name: &str) -> Vec<&'static dyn Signature> {
    let v: Vec<_> = sign::all()
        .into_iter()
        .filter(|s| s.name() == name)
        .collect();
    assert!(!v.is_empty(), "no {name} backend registered");
    v
}

/// Runs the accumulated test for `n` iterations with `s`, checking every
/// signature with each of `also_verify` as well; returns the hex digest.
fn accumulate(s: &dyn Signature, n: usize, also_verify: &[&'static dyn Signature]) -> String {
    let mut seeds = Shake128::default().finalize_xof();
    let mut acc = Shake128::default();
    let rnd = [0u8; 32];
    for i in 0..n {
        let mut seed = [0u8; 32];
        seeds.read(&mut seed);
        let (pk, sk) = s.generate_derand(&seed).unwrap();
        acc.update(&pk);
        let sig = s.sign_derand(sk.expose(), b"", &rnd).unwrap();
        acc.update(&sig);
        assert_eq!(s.verify(&pk, b"", &sig), Ok(()), "{} iteration {i}", s.id());
        for v in also_verify {
            assert_eq!(
                v.verify(&pk, b"", &sig),
                Ok(()),
                "{} signature, {} verifier, iteration {i}",
                s.id(),
                v.id()
            );
        }
    }
    let mut out = [0u8; 32];
    acc.finalize_xof().read(&mut out);
    hex::encode(out)
}

fn run_accumulated(iterations: usize) {
    let mut checked = 0;
    for (name, n, expected) in EXPECTED.iter().filter(|e| e.1 == iterations) {
        let all = backends(name);
        let (coins, no_coins): (Vec<_>, Vec<_>) = all.into_iter().partition(|s| s.takes_coins());
        assert!(!coins.is_empty(), "no coin-taking {name} backend");
        for s in coins {
            assert_eq!(
                accumulate(s, *n, &no_coins),
                *expected,
                "{} N = {n}",
                s.id()
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no accumulated test ran for N = {iterations}");
}

#[test]
fn cctv_accumulated_100() {
    run_accumulated(100);
}

#[test]
#[ignore = "slow in debug builds: `cargo test -- --ignored` runs it"]
fn cctv_accumulated_10000() {
    run_accumulated(10_000);
}

#[test]
fn coinless_backends_refuse_coins_and_their_signatures_verify_everywhere() {
    let mut rng = twofold_core::ShakeRng::new(b"kat_mldsa pqcrypto");
    for name in SETS {
        let all = backends(name);
        let coinless: Vec<_> = all.iter().filter(|s| !s.takes_coins()).collect();
        for s in coinless {
            assert!(
                matches!(
                    s.generate_derand(&[0u8; 32]),
                    Err(Error::NoExplicitCoins { .. })
                ),
                "{}",
                s.id()
            );
            for i in 0..8u8 {
                let (pk, sk) = s.generate(&mut rng).unwrap();
                assert_eq!(pk.len(), s.sizes().pk, "{}", s.id());
                assert_eq!(sk.len(), s.sizes().sk, "{}", s.id());
                let msg = [i; 33];
                assert!(
                    matches!(
                        s.sign_derand(sk.expose(), &msg, &[0u8; 32]),
                        Err(Error::NoExplicitCoins { .. })
                    ),
                    "{}",
                    s.id()
                );
                let sig = s.sign(sk.expose(), &msg, &mut rng).unwrap();
                for v in &all {
                    assert_eq!(
                        v.verify(&pk, &msg, &sig),
                        Ok(()),
                        "{} signature, {} verifier",
                        s.id(),
                        v.id()
                    );
                    assert_eq!(
                        v.verify(&pk, b"other", &sig),
                        Err(Error::VerificationFailed),
                        "{} signature, {} verifier, wrong message",
                        s.id(),
                        v.id()
                    );
                }
            }
        }
    }
}
