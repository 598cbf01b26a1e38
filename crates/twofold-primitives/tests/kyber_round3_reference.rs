//! Round-3 Kyber1024, the KEM of libsignal's PQXDH, against a second,
//! independent implementation: pqc_kyber 0.7.1, a Rust port of the round-3
//! reference code. It is a dev-dependency only: it builds one parameter set
//! per build (feature `kyber1024`) and carries the KyberSlash timing leak,
//! which does not matter in a test and is why it is no backend.
//!
//! From the same coins the two must agree byte for byte: the key pair from
//! `d || z` (pqc_kyber's `derive` takes the same 64 bytes), the ciphertext
//! and shared secret from `m`, and decapsulation of valid ciphertexts. On a
//! modified ciphertext the reference returns round 3's rejection key
//! `SHAKE256(z || SHA3-256(c))` and libcrux does not: the documented
//! deviation of src/kem/libcrux.rs, pinned here against the reference
//! itself rather than against a formula.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rand_core::{CryptoRng, RngCore};
use sha3::digest::{ExtendableOutput, Update, XofReader};
use sha3::{Digest, Sha3_256, Shake256};
use twofold_core::{CryptoRng as _, Kem, ShakeRng};
use twofold_primitives::kem::libcrux::KYBER1024;

/// Hands out exactly the bytes it was given, then refuses.
struct Coins(Vec<u8>);

impl RngCore for Coins {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        assert!(
            dest.len() <= self.0.len(),
            "the reference drew more coins than given"
        );
        dest.copy_from_slice(&self.0[..dest.len()]);
        self.0.drain(..dest.len());
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for Coins {}

fn bytes(rng: &mut ShakeRng, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill_bytes(&mut v);
    v
}

/// `SHAKE256(z || SHA3-256(c), 32)`, round 3's rejection key.
fn round3_rejection_key(sk: &[u8], c: &[u8]) -> Vec<u8> {
    let mut xof = Shake256::default();
    xof.update(&sk[sk.len() - 32..]);
    xof.update(&Sha3_256::digest(c));
    let mut out = vec![0u8; 32];
    xof.finalize_xof().read(&mut out);
    out
}

#[test]
fn libcrux_kyber1024_matches_the_round3_reference_byte_for_byte() {
    let mut rng = ShakeRng::new(b"kyber round 3 reference");
    for i in 0..64 {
        let d_z = bytes(&mut rng, 64);
        let m = bytes(&mut rng, 32);

        let (pk, sk) = KYBER1024.generate_derand(&d_z).unwrap();
        let reference = pqc_kyber::derive(&d_z).unwrap();
        assert_eq!(pk, reference.public, "public key, case {i}");
        assert_eq!(sk.expose(), reference.secret, "secret key, case {i}");

        let (ct, ss) = KYBER1024.encapsulate_derand(&pk, &m).unwrap();
        let mut coins = Coins(m.clone());
        let (ref_ct, ref_ss) = pqc_kyber::encapsulate(&pk, &mut coins).unwrap();
        assert!(coins.0.is_empty(), "the reference drew fewer than 32 coins");
        assert_eq!(ct, ref_ct, "ciphertext, case {i}");
        assert_eq!(ss.expose(), ref_ss, "shared secret, case {i}");

        let ref_dec = pqc_kyber::decapsulate(&ct, &reference.secret).unwrap();
        assert_eq!(ref_dec, ref_ss, "reference round trip, case {i}");
        let dec = KYBER1024.decapsulate(sk.expose(), &ct).unwrap();
        assert_eq!(dec.expose(), ref_ss, "decapsulation, case {i}");
    }
}

#[test]
fn on_modified_ciphertexts_libcrux_deviates_from_the_round3_reference() {
    let mut rng = ShakeRng::new(b"kyber round 3 rejection");
    for i in 0..16 {
        let (pk, sk) = KYBER1024.generate_derand(&bytes(&mut rng, 64)).unwrap();
        let (mut ct, ss) = KYBER1024
            .encapsulate_derand(&pk, &bytes(&mut rng, 32))
            .unwrap();
        let at = usize::from(bytes(&mut rng, 2)[0]) * 6 % ct.len();
        ct[at] ^= 1 << (i % 8);

        let reference = pqc_kyber::decapsulate(&ct, sk.expose()).unwrap();
        assert_eq!(
            reference.to_vec(),
            round3_rejection_key(sk.expose(), &ct),
            "the reference rejects as round 3 specifies, case {i}"
        );
        let ours = KYBER1024.decapsulate(sk.expose(), &ct).unwrap();
        assert_ne!(ours.expose(), ss.expose(), "case {i}");
        assert_ne!(
            ours.expose(),
            reference,
            "libcrux now rejects as round 3 does: update src/kem/libcrux.rs, case {i}"
        );
    }
}
