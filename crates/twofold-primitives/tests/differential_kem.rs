//! Differential tests between the backends of every KEM (kem::all() and
//! hybrid::kems()):
//! * every ordered triple (key generation by A, encapsulation by B,
//!   decapsulation by C) agrees on the shared secret;
//! * backends that take coins produce byte-identical keys, ciphertexts and
//!   secrets from the same coins;
//! * decapsulating a ciphertext with one byte changed gives the same result
//!   in every backend; for ML-KEM and Kyber it is the implicit-rejection key,
//!   recomputed here from its definition.
//!
//! Round-3 Kyber has only one backend (libcrux: pqcrypto-kyber 0.8.1 is the
//! FIPS 203 ipd, see src/kem/pqcrypto.rs). Its key generation is pinned by
//! the CCTV ipd digests (tests/kat_mlkem.rs), Kyber1024 is compared byte for
//! byte with the round-3 reference port pqc_kyber
//! (tests/kyber_round3_reference.rs), all three sizes with kyber-py
//! (tests/independent_vectors.rs), and here its encapsulation and
//! decapsulation are checked against a second construction from the ML-KEM
//! backends and the round-3 differences (round-3 specification, Algorithms
//! 8 and 9): `m` pre-hashed with SHA3-256, and
//! `K = SHAKE256(K̄ || SHA3-256(c))`.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::Index;
use sha3::digest::{ExtendableOutput, Update, XofReader};
use sha3::{Digest, Sha3_256, Shake256};
use twofold_core::{CryptoRng, Kem, ShakeRng};
use twofold_primitives::{hybrid, kem};

/// Every KEM implementation, grouped by algorithm name.
fn algorithms() -> BTreeMap<&'static str, Vec<&'static dyn Kem>> {
    let mut map: BTreeMap<&'static str, Vec<&'static dyn Kem>> = BTreeMap::new();
    for k in kem::all().into_iter().chain(hybrid::kems()) {
        map.entry(k.name()).or_default().push(k);
    }
    assert!(!map.is_empty());
    for name in [
        "ML-KEM-512",
        "ML-KEM-768",
        "ML-KEM-1024",
        "X-Wing",
        "DHKEM(X25519,HKDF-SHA256)",
        "DH-KEM(X25519)",
    ] {
        assert!(
            map.get(name).is_some_and(|b| b.len() >= 2),
            "{name} needs at least two backends for a differential test"
        );
    }
    map
}

fn is_mlkem(name: &str) -> bool {
    name.starts_with("ML-KEM-")
}

fn is_kyber(name: &str) -> bool {
    name.starts_with("Kyber")
}

/// ML-KEM rank k from the name.
fn rank(name: &str) -> usize {
    match &name[name.len() - 3..] {
        "512" => 2,
        "768" => 3,
        _ => 4,
    }
}

/// The implicit-rejection key for ciphertext `c` under expanded secret key
/// `dk` (`z` = its last 32 bytes).
///
/// ML-KEM: FIPS 203 Algorithm 18, `K̄ = J(z || c) = SHAKE256(z || c, 32)`.
///
/// Kyber: KNOWN DEVIATION of libcrux-ml-kem 0.0.11 from round 3. The
/// round-3 reference (pq-crystals `kem.c`, `crypto_kem_dec`: "overwrite
/// pre-k with z on re-encryption failure", then `kdf(ss, kr)`) rejects with
/// `SHAKE256(z || SHA3-256(c), 32)`; libcrux's `Kyber` variant instead feeds
/// the ML-KEM rejection value through the round-3 KDF:
/// `SHAKE256(SHAKE256(z || c, 32) || SHA3-256(c), 32)`
/// (libcrux `ind_cca.rs` `decapsulate` + `variant.rs` `Kyber::kdf`). Valid
/// ciphertexts are unaffected, and libsignal (which uses libcrux) behaves
/// the same way. This returns the libcrux value; the caller also checks
/// that it differs from the round-3 value, so a change in libcrux is noticed.
fn rejection_key(name: &str, dk: &[u8], c: &[u8]) -> Vec<u8> {
    let z = z_of(name, dk);
    if is_kyber(name) {
        shake256_32(&shake256_32(z, c), &Sha3_256::digest(c))
    } else {
        shake256_32(z, c)
    }
}

/// Round-3 Kyber's specified rejection key `SHAKE256(z || SHA3-256(c), 32)`.
fn round3_rejection_key(name: &str, dk: &[u8], c: &[u8]) -> Vec<u8> {
    shake256_32(z_of(name, dk), &Sha3_256::digest(c))
}

fn z_of<'a>(name: &str, dk: &'a [u8]) -> &'a [u8] {
    let k = rank(name);
    assert_eq!(dk.len(), 768 * k + 96);
    &dk[768 * k + 64..]
}

/// `SHAKE256(a || b, 32)`.
fn shake256_32(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut xof = Shake256::default();
    xof.update(a);
    xof.update(b);
    let mut out = vec![0u8; 32];
    xof.finalize_xof().read(&mut out);
    out
}

fn bytes(rng: &mut ShakeRng, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill_bytes(&mut v);
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn every_triple_of_backends_agrees(seed in any::<[u8; 32]>()) {
        let mut rng = ShakeRng::new(&seed);
        for (name, backends) in algorithms() {
            for a in &backends {
                let (pk, sk) = a.generate(&mut rng).unwrap();
                for b in &backends {
                    let (ct, ss) = b.encapsulate(&pk, &mut rng).unwrap();
                    for c in &backends {
                        let got = c.decapsulate(sk.expose(), &ct).unwrap();
                        prop_assert_eq!(
                            got.expose(), ss.expose(),
                            "{}: keygen {}, encaps {}, decaps {}", name, a.backend(), b.backend(), c.backend()
                        );
                        prop_assert!(c.check_secret_key(sk.expose()).is_ok(), "{}: {}", name, c.backend());
                        let got = c.decapsulate_prechecked(sk.expose(), &ct).unwrap();
                        prop_assert_eq!(got.expose(), ss.expose(), "{}: prechecked {}", name, c.backend());
                    }
                }
            }
        }
    }

    #[test]
    fn coin_taking_backends_are_byte_identical(seed in any::<[u8; 32]>()) {
        let mut rng = ShakeRng::new(&seed);
        for (name, backends) in algorithms() {
            let takers: Vec<_> = backends.iter().filter(|k| k.takes_coins()).collect();
            prop_assert!(!takers.is_empty(), "{} has no coin-taking backend", name);
            let first = takers[0];
            let kc = bytes(&mut rng, first.sizes().keygen_coins);
            let ec = bytes(&mut rng, first.sizes().encaps_coins);
            let (pk0, sk0) = first.generate_derand(&kc).unwrap();
            let (ct0, ss0) = first.encapsulate_derand(&pk0, &ec).unwrap();
            for k in &takers[1..] {
                let (pk, sk) = k.generate_derand(&kc).unwrap();
                prop_assert_eq!(&pk, &pk0, "{} pk: {} vs {}", name, k.backend(), first.backend());
                if k.sizes().sk == first.sizes().sk {
                    prop_assert_eq!(sk.expose(), sk0.expose(), "{} sk: {}", name, k.backend());
                }
                let (ct, ss) = k.encapsulate_derand(&pk, &ec).unwrap();
                prop_assert_eq!(&ct, &ct0, "{} ct: {}", name, k.backend());
                prop_assert_eq!(ss.expose(), ss0.expose(), "{} ss: {}", name, k.backend());
            }
        }
    }

    #[test]
    fn modified_ciphertext_gives_the_same_result_everywhere(
        seed in any::<[u8; 32]>(),
        at in any::<Index>(),
        mask in 1u8..=255,
    ) {
        let mut rng = ShakeRng::new(&seed);
        for (name, backends) in algorithms() {
            for a in &backends {
                let (pk, sk) = a.generate(&mut rng).unwrap();
                let (mut ct, ss) = a.encapsulate(&pk, &mut rng).unwrap();
                let i = at.index(ct.len());
                ct[i] ^= mask;
                let results: Vec<_> = backends
                    .iter()
                    .map(|c| c.decapsulate(sk.expose(), &ct).map(|k| k.expose().to_vec()))
                    .collect();
                for (c, r) in backends.iter().zip(&results) {
                    prop_assert_eq!(r, &results[0], "{}: {} vs {}", name, c.backend(), backends[0].backend());
                    let pre = c.decapsulate_prechecked(sk.expose(), &ct).map(|k| k.expose().to_vec());
                    prop_assert_eq!(&pre, &results[0], "{}: prechecked {}", name, c.backend());
                }
                if is_mlkem(name) || is_kyber(name) {
                    let key = results[0].clone().unwrap();
                    prop_assert_ne!(&key[..], ss.expose(), "{}", name);
                    prop_assert_eq!(&key, &rejection_key(name, sk.expose(), &ct), "{}", name);
                    if is_kyber(name) {
                        // The documented libcrux deviation (see rejection_key).
                        prop_assert_ne!(&key, &round3_rejection_key(name, sk.expose(), &ct));
                    }
                }
            }
        }
    }

    #[test]
    fn round3_kyber_is_mlkem_with_prehash_and_kdf(seed in any::<[u8; 32]>()) {
        let mut rng = ShakeRng::new(&seed);
        let algos = algorithms();
        for (kyber, mlkem) in [("Kyber512", "ML-KEM-512"), ("Kyber768", "ML-KEM-768"), ("Kyber1024", "ML-KEM-1024")] {
            let kybers = &algos[kyber];
            let mlkems: Vec<_> = algos[mlkem].iter().filter(|k| k.takes_coins()).collect();
            prop_assert!(!kybers.is_empty() && !mlkems.is_empty());
            for k in kybers {
                let (pk, sk) = k.generate_derand(&bytes(&mut rng, 64)).unwrap();
                let m = bytes(&mut rng, 32);
                let (ct, key) = k.encapsulate_derand(&pk, &m).unwrap();
                prop_assert_eq!(k.decapsulate(sk.expose(), &ct).unwrap(), key.duplicate());
                for b in &mlkems {
                    // Round 3: m' = H(m); (K̄, c) = ML-KEM.Encaps_internal(pk, m');
                    // K = SHAKE256(K̄ || H(c)).
                    let (ct2, k_bar) = b.encapsulate_derand(&pk, &Sha3_256::digest(&m)).unwrap();
                    prop_assert_eq!(&ct2, &ct, "{} vs {}", k.id(), b.id());
                    let h_c = Sha3_256::digest(&ct);
                    prop_assert_eq!(shake256_32(k_bar.expose(), &h_c), key.expose());
                    // Decapsulation: K̄ from ML-KEM, then the same KDF.
                    let k_bar2 = b.decapsulate(sk.expose(), &ct).unwrap();
                    prop_assert_eq!(shake256_32(k_bar2.expose(), &h_c), key.expose());
                }
            }
        }
    }
}

/// pqcrypto-kyber 0.8.1 (snow's `Kyber1024`) is not registered because it is
/// the FIPS 203 ipd, not round-3 Kyber (src/kem/pqcrypto.rs). On the wire it
/// is ML-KEM: its keys and ciphertexts work with every ML-KEM backend in
/// both directions, and it does not agree with round-3 Kyber.
#[test]
fn pqcrypto_kyber_interoperates_with_mlkem_not_with_round3_kyber() {
    use pqcrypto_traits::kem::{Ciphertext as _, PublicKey as _, SharedSecret as _};
    macro_rules! check {
        ($m:ident, $mlkem:literal, $kyber:literal) => {{
            use pqcrypto_kyber::$m;
            let algos = algorithms();
            let mlkems = &algos[$mlkem];
            let mut rng = ShakeRng::new(concat!("pqcrypto-kyber ", $mlkem).as_bytes());
            for b in mlkems {
                // pqcrypto-kyber keys, ML-KEM encapsulation.
                let (pk, sk) = $m::keypair();
                let (ct, ss) = b.encapsulate(pk.as_bytes(), &mut rng).unwrap();
                let ct_q = $m::Ciphertext::from_bytes(&ct).unwrap();
                assert_eq!(
                    $m::decapsulate(&ct_q, &sk).as_bytes(),
                    ss.expose(),
                    "{}",
                    b.id()
                );
                // ML-KEM keys, pqcrypto-kyber encapsulation.
                let (pk, sk) = b.generate(&mut rng).unwrap();
                let (ss_q, ct_q) = $m::encapsulate(&$m::PublicKey::from_bytes(&pk).unwrap());
                let ss = b.decapsulate(sk.expose(), ct_q.as_bytes()).unwrap();
                assert_eq!(ss.expose(), ss_q.as_bytes(), "{}", b.id());
                // Round-3 Kyber decapsulates the same ciphertext to another key.
                for k in &algos[$kyber] {
                    let other = k.decapsulate(sk.expose(), ct_q.as_bytes()).unwrap();
                    assert_ne!(other.expose(), ss_q.as_bytes(), "{}", k.id());
                }
            }
        }};
    }
    check!(kyber512, "ML-KEM-512", "Kyber512");
    check!(kyber768, "ML-KEM-768", "Kyber768");
    check!(kyber1024, "ML-KEM-1024", "Kyber1024");
}
