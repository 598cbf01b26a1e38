//! Incremental ML-KEM-768 against whole ML-KEM-768 from other backends
//! (RustCrypto `ml-kem` and PQClean share no code with libcrux's incremental
//! API): the header and key vector are the FIPS 203 `ek` cut in two, the
//! decapsulation key is FIPS 203's, `ct1 || ct2` is `Encaps_internal(ek, m)`
//! and both decapsulations agree, on valid and on modified ciphertexts.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use sha3::{Digest, Sha3_256};
use twofold_core::{CryptoRng, Error, IncrementalKem, Kem, ShakeRng};
use twofold_primitives::registry::REGISTRY;

fn incremental() -> Vec<&'static dyn IncrementalKem> {
    let v: Vec<_> = REGISTRY
        .incremental_kems
        .iter()
        .copied()
        .filter(|k| k.name() == "ML-KEM-768-incremental")
        .collect();
    assert!(!v.is_empty(), "no incremental ML-KEM-768 backend");
    v
}

/// Whole ML-KEM-768 backends other than libcrux.
fn others() -> Vec<&'static dyn Kem> {
    let v: Vec<_> = REGISTRY
        .kems
        .iter()
        .copied()
        .filter(|k| k.name() == "ML-KEM-768" && k.backend() != "libcrux")
        .collect();
    assert!(
        v.iter().any(|k| k.takes_coins()),
        "no coin-taking second backend"
    );
    v
}

fn coins(seed: &[u8], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    ShakeRng::new(seed).fill_bytes(&mut out);
    out
}

#[test]
fn the_split_is_ml_kem_768_cut_in_two() {
    for inc in incremental() {
        let s = inc.sizes();
        assert_eq!(
            (s.header, s.ek_vector, s.dk, s.ct1, s.ct2, s.ss),
            (64, 1152, 2400, 960, 128, 32)
        );
        for case in 0..8u8 {
            let dz = coins(&[b'k', case], 64);
            let m = coins(&[b'm', case], 32);
            let (hdr, ekv, dk) = inc.generate_derand(&dz).unwrap();
            let (ct1, state, ss) = inc.encapsulate1_derand(&hdr, &m).unwrap();
            inc.check_ek_vector(&hdr, &ekv).unwrap();
            let ct2 = inc.encapsulate2(state.expose(), &ekv).unwrap();
            for whole in others().into_iter().filter(|k| k.takes_coins()) {
                let (ek, dk_whole) = whole.generate_derand(&dz).unwrap();
                // ek = t̂ || ρ; header = ρ || SHA3-256(ek).
                assert_eq!(&ek[..1152], &ekv[..], "{}", whole.id());
                assert_eq!(&ek[1152..], &hdr[..32]);
                assert_eq!(&Sha3_256::digest(&ek)[..], &hdr[32..]);
                assert!(dk_whole == dk, "{}", whole.id());
                let (ct, ss_whole) = whole.encapsulate_derand(&ek, &m).unwrap();
                assert_eq!(&ct[..960], &ct1[..], "{}", whole.id());
                assert_eq!(&ct[960..], &ct2[..], "{}", whole.id());
                assert!(ss_whole == ss);
            }
            let mut ct = ct1.clone();
            ct.extend_from_slice(&ct2);
            for whole in others() {
                assert!(
                    whole.decapsulate(dk.expose(), &ct).unwrap() == ss,
                    "{}",
                    whole.id()
                );
            }
            assert!(inc.decapsulate(dk.expose(), &ct1, &ct2).unwrap() == ss);
            // A modified ciphertext: implicit rejection, the same everywhere.
            let mut bad2 = ct2.clone();
            bad2[case as usize] ^= 1;
            let rejected = inc.decapsulate(dk.expose(), &ct1, &bad2).unwrap();
            assert!(rejected != ss);
            let mut bad = ct1.clone();
            bad.extend_from_slice(&bad2);
            for whole in others() {
                assert!(whole.decapsulate(dk.expose(), &bad).unwrap() == rejected);
            }
        }
    }
}

#[test]
fn a_key_vector_of_another_key_or_out_of_range_is_refused() {
    for inc in incremental() {
        let (hdr, _, _) = inc.generate_derand(&coins(b"a", 64)).unwrap();
        let (_, other, _) = inc.generate_derand(&coins(b"b", 64)).unwrap();
        assert!(matches!(
            inc.check_ek_vector(&hdr, &other),
            Err(Error::InvalidEncoding(_))
        ));
        // A coefficient of 0xFFF >= q fails the modulus check, even with a
        // header made for exactly those bytes.
        let mut high = other.clone();
        high[0] = 0xFF;
        high[1] |= 0x0F;
        let mut ek = high.clone();
        ek.extend_from_slice(&hdr[..32]);
        let mut forged = hdr[..32].to_vec();
        forged.extend_from_slice(&Sha3_256::digest(&ek));
        assert!(inc.check_ek_vector(&forged, &high).is_err());
        // Lengths.
        assert!(matches!(
            inc.check_ek_vector(&hdr[..63], &other),
            Err(Error::InvalidLength { .. })
        ));
        assert!(inc.generate_derand(&[0; 63]).is_err());
        assert!(inc.encapsulate1_derand(&hdr, &[0; 31]).is_err());
        assert!(inc.encapsulate2(&[0; 5], &other).is_err());
        assert!(inc.decapsulate(&[0; 2400], &[0; 959], &[0; 128]).is_err());
    }
}
