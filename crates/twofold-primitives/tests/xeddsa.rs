//! XEdDSA cross-checks. There are no official XEdDSA vectors; the
//! signature bytes of both profiles are pinned against a second
//! implementation in `independent_vectors.rs` (libsodium arithmetic, from
//! `tests/python/independent_vectors.py`), and the signal profile is also
//! checked against a signature made by libsignal itself (verify only: its
//! `Z` is not published). The checks here rest on independent code and on
//! the algebra the spec states:
//! * keys are X25519 keys: the public key equals `crate::dh::dalek::X25519`'s;
//! * an `XEdDSA` (spec) signature is a standard Ed25519 signature under the
//!   Edwards key `to_edwards(u, sign 0)` and verifies with ed25519-dalek;
//! * an `XEdDSA-signal` signature, with the top bit of byte 63 cleared, is a
//!   standard Ed25519 signature under `to_edwards(u, that bit)`;
//! * spec signatures verify under the signal verifier; signal signatures
//!   verify under the spec verifier exactly when their sign bit is 0;
//! * any change of message, signature or key fails.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use curve25519_dalek::montgomery::MontgomeryPoint;
use twofold_core::{CryptoRng, Dh, Error, ShakeRng, Signature};
use twofold_primitives::dh::dalek::X25519;
use twofold_primitives::sign;

fn profile(name: &str) -> Vec<&'static dyn Signature> {
    let v: Vec<_> = sign::all()
        .into_iter()
        .filter(|s| s.name() == name)
        .collect();
    assert!(!v.is_empty(), "no {name} implementation registered");
    v
}

fn spec() -> Vec<&'static dyn Signature> {
    profile("XEdDSA")
}

fn signal() -> Vec<&'static dyn Signature> {
    profile("XEdDSA-signal")
}

/// Checks `sig` with ed25519-dalek under the Edwards form of the Montgomery
/// key `u` with the given sign bit, strictly and cofactorless.
fn ed25519_verifies(u: &[u8], sign_bit: u8, msg: &[u8], sig: &[u8; 64]) -> bool {
    let mut u_bytes = [0u8; 32];
    u_bytes.copy_from_slice(u);
    let Some(a) = MontgomeryPoint(u_bytes).to_edwards(sign_bit) else {
        return false;
    };
    let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(&a.compress().to_bytes()) else {
        return false;
    };
    let sig = ed25519_dalek::Signature::from_bytes(sig);
    vk.verify_strict(msg, &sig).is_ok() && ed25519_dalek::Verifier::verify(&vk, msg, &sig).is_ok()
}

/// The group order q = 2^252 + 27742317777372353535851937790883648493
/// (RFC 8032 §5.1, "L"), little-endian.
const Q_LE: &str = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010";

/// The signature with `s` replaced by `s + q` (bit 255, the signal
/// profile's sign bit, kept as it was).
fn add_q_to_s(sig: &[u8]) -> Vec<u8> {
    let q = hex::decode(Q_LE).unwrap();
    let mut out = sig.to_vec();
    let sign = out[63] & 0x80;
    out[63] &= 0x7F;
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(out[32 + i]) + u16::from(q[i]) + carry;
        out[32 + i] = v as u8;
        carry = v >> 8;
    }
    // s < q < 2^253, so s + q < 2^254: no carry out, bit 255 untouched.
    assert_eq!(carry, 0);
    out[63] |= sign;
    out
}

fn to_array(sig: &[u8]) -> [u8; 64] {
    let mut a = [0u8; 64];
    a.copy_from_slice(sig);
    a
}

#[test]
fn keys_are_x25519_keys() {
    let mut rng = ShakeRng::new(b"xeddsa keys");
    for s in spec().into_iter().chain(signal()) {
        assert_eq!(s.sizes().pk, 32, "{}", s.id());
        assert_eq!(s.sizes().sk, 32, "{}", s.id());
        assert_eq!(s.sizes().sig, 64, "{}", s.id());
        assert_eq!(s.sizes().sign_coins, 64, "{}", s.id());
        for _ in 0..8 {
            let (pk, sk) = s.generate(&mut rng).unwrap();
            assert_eq!(X25519.public_key(sk.expose()).unwrap(), pk, "{}", s.id());
            let x25519 = twofold_primitives::dh::all()
                .into_iter()
                .filter(|d| d.name() == "X25519");
            for d in x25519 {
                assert_eq!(
                    d.public_key(sk.expose()).unwrap(),
                    pk,
                    "{} vs {}",
                    s.id(),
                    d.id()
                );
            }
        }
    }
}

#[test]
fn spec_signatures_are_ed25519_signatures_under_sign_bit_0() {
    let mut rng = ShakeRng::new(b"xeddsa spec");
    for s in spec() {
        for i in 0..32u8 {
            let (pk, sk) = X25519.generate(&mut rng).unwrap();
            let msg = vec![i; usize::from(i)];
            let sig = s.sign(sk.expose(), &msg, &mut rng).unwrap();
            assert_eq!(s.verify(&pk, &msg, &sig), Ok(()), "{}", s.id());
            assert_eq!(sig[63] & 0x80, 0, "{}: s < q leaves bit 255 clear", s.id());
            assert!(
                ed25519_verifies(&pk, 0, &msg, &to_array(&sig)),
                "{}",
                s.id()
            );
        }
    }
}

#[test]
fn signal_signatures_are_ed25519_signatures_under_the_carried_sign_bit() {
    let mut rng = ShakeRng::new(b"xeddsa signal");
    for s in signal() {
        for i in 0..32u8 {
            let (pk, sk) = X25519.generate(&mut rng).unwrap();
            let msg = vec![i; usize::from(i)];
            let sig = s.sign(sk.expose(), &msg, &mut rng).unwrap();
            assert_eq!(s.verify(&pk, &msg, &sig), Ok(()), "{}", s.id());
            let bit = sig[63] >> 7;
            let mut plain = to_array(&sig);
            plain[63] &= 0x7F;
            assert!(ed25519_verifies(&pk, bit, &msg, &plain), "{}", s.id());
            // With the other sign bit the key is -A: no longer valid.
            assert!(!ed25519_verifies(&pk, bit ^ 1, &msg, &plain), "{}", s.id());
        }
    }
}

#[test]
fn profiles_verify_each_other_exactly_when_the_spec_says() {
    let mut rng = ShakeRng::new(b"xeddsa cross");
    for sp in spec() {
        for sg in signal() {
            // Search keys until both sign bits of A = clamp(k)·B have been seen.
            let (mut seen0, mut seen1) = (false, false);
            for _ in 0..128 {
                let (pk, sk) = X25519.generate(&mut rng).unwrap();
                let msg = b"cross-profile";

                let spec_sig = sp.sign(sk.expose(), msg, &mut rng).unwrap();
                assert_eq!(
                    sg.verify(&pk, msg, &spec_sig),
                    Ok(()),
                    "spec sig, signal verifier"
                );

                let signal_sig = sg.sign(sk.expose(), msg, &mut rng).unwrap();
                let bit = signal_sig[63] >> 7;
                let expected = if bit == 0 {
                    Ok(())
                } else {
                    Err(Error::VerificationFailed)
                };
                assert_eq!(
                    sp.verify(&pk, msg, &signal_sig),
                    expected,
                    "signal sig with sign bit {bit}, spec verifier"
                );
                if bit == 0 {
                    seen0 = true;
                } else {
                    seen1 = true;
                }
                if seen0 && seen1 {
                    break;
                }
            }
            assert!(seen0 && seen1, "did not find keys with both sign bits");
        }
    }
}

#[test]
fn any_change_fails() {
    let mut rng = ShakeRng::new(b"xeddsa tamper");
    for s in spec().into_iter().chain(signal()) {
        for _ in 0..8 {
            let (pk, sk) = X25519.generate(&mut rng).unwrap();
            let (other_pk, _) = X25519.generate(&mut rng).unwrap();
            let msg = b"attack at dawn".to_vec();
            let sig = s.sign(sk.expose(), &msg, &mut rng).unwrap();
            assert_eq!(s.verify(&pk, &msg, &sig), Ok(()), "{}", s.id());

            let mut bad_msg = msg.clone();
            bad_msg[0] ^= 1;
            assert_eq!(
                s.verify(&pk, &bad_msg, &sig),
                Err(Error::VerificationFailed)
            );
            for i in 0..64 {
                for bit in [0x01u8, 0x80] {
                    let mut bad = sig.clone();
                    bad[i] ^= bit;
                    assert_eq!(
                        s.verify(&pk, &msg, &bad),
                        Err(Error::VerificationFailed),
                        "{} byte {i} ^ {bit:#x}",
                        s.id()
                    );
                }
            }
            assert_eq!(
                s.verify(&other_pk, &msg, &sig),
                Err(Error::VerificationFailed)
            );
            let mut bad_pk = pk.clone();
            bad_pk[0] ^= 1;
            assert_eq!(
                s.verify(&bad_pk, &msg, &sig),
                Err(Error::VerificationFailed)
            );
            // u with bit 255 set is non-canonical (u >= p): rejected.
            let mut high_pk = pk.clone();
            high_pk[31] |= 0x80;
            assert_eq!(
                s.verify(&high_pk, &msg, &sig),
                Err(Error::VerificationFailed)
            );
            // s + q is the same scalar, non-canonical: rejected (stricter
            // than the spec's s < 2^253, documented in sign/xeddsa.rs).
            let malleated = add_q_to_s(&sig);
            assert_eq!(
                s.verify(&pk, &msg, &malleated),
                Err(Error::VerificationFailed),
                "{}: s + q",
                s.id()
            );
        }
    }
}

#[test]
fn z_is_the_only_randomness() {
    let mut rng = ShakeRng::new(b"xeddsa z");
    for s in spec().into_iter().chain(signal()) {
        let (_, sk) = X25519.generate(&mut rng).unwrap();
        let mut z1 = [0u8; 64];
        let mut z2 = [0u8; 64];
        rng.fill_bytes(&mut z1);
        rng.fill_bytes(&mut z2);
        let a = s.sign_derand(sk.expose(), b"m", &z1).unwrap();
        assert_eq!(
            s.sign_derand(sk.expose(), b"m", &z1).unwrap(),
            a,
            "{}",
            s.id()
        );
        assert_ne!(
            s.sign_derand(sk.expose(), b"m", &z2).unwrap(),
            a,
            "{}",
            s.id()
        );
        // The randomized form draws exactly Z.
        let mut r1 = ShakeRng::new(b"same stream");
        let mut r2 = ShakeRng::new(b"same stream");
        let mut z = [0u8; 64];
        r2.fill_bytes(&mut z);
        assert_eq!(
            s.sign(sk.expose(), b"m", &mut r1).unwrap(),
            s.sign_derand(sk.expose(), b"m", &z).unwrap(),
            "{}",
            s.id()
        );
    }
}

#[test]
fn profiles_differ_only_in_the_documented_ways() {
    // Same key and Z: when A's sign bit is 0 the profiles still differ in r
    // (the spec hashes the reduced scalar a, libsignal the clamped bytes), so
    // the signatures differ but both verify under both verifiers.
    let mut rng = ShakeRng::new(b"xeddsa r");
    for sp in spec() {
        for sg in signal() {
            let mut found = false;
            for _ in 0..64 {
                let (pk, sk) = X25519.generate(&mut rng).unwrap();
                let z = [7u8; 64];
                let a = sp.sign_derand(sk.expose(), b"m", &z).unwrap();
                let b = sg.sign_derand(sk.expose(), b"m", &z).unwrap();
                if b[63] >> 7 == 0 {
                    assert_ne!(a, b, "nonce derivations differ");
                    for v in [sp, sg] {
                        assert_eq!(v.verify(&pk, b"m", &a), Ok(()));
                        assert_eq!(v.verify(&pk, b"m", &b), Ok(()));
                    }
                    found = true;
                    break;
                }
            }
            assert!(found, "no key with sign bit 0 found");
        }
    }
}

/// A signature made by libsignal, from its own test `test_signature` in
/// `rust/core/src/curve/curve25519.rs` (signalapp/libsignal, commit
/// 06ef1fadd27a32c50ac398f440967af71d0ea6b7; values only): Alice's identity
/// key signs her 33-byte `0x05`-prefixed ephemeral public key. Its byte 63
/// carries sign bit 1, the case in which the profiles disagree.
mod libsignal_vector {
    pub const PRIVATE: &str = "c097248412e58bf05df4879682051327\
                           94178e367637f5818f81e0e6ce73e865";
    pub const PUBLIC: &str = "ab7e717d4a163b7d9a1d8071dfe9dcf8cdcd1cea3339b6356be84d887e322c64";
    pub const MESSAGE: &str = "05edce9d9c415ca78cb7252e72c2c4a554d3eb29485a0e1d503118d1a82d99fb4a";
    pub const SIGNATURE: &str = "5de88ca9a89b4a115da79109c67c9c7464a3e4180274f1cb8c63c2984e286dfb\
                                 ede82deb9dcd9fae0bfbb821569b3d9001bd8130cd11d486cef047bd60b86e88";
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn libsignal_signature_verifies_under_the_signal_profile_only() {
    use libsignal_vector::*;
    let (sk, pk) = (unhex(PRIVATE), unhex(PUBLIC));
    let (msg, sig) = (unhex(MESSAGE), unhex(SIGNATURE));
    assert_eq!(sig[63] >> 7, 1, "the vector carries sign bit 1");
    for s in signal() {
        assert_eq!(s.generate_derand(&sk).unwrap().0, pk, "{}", s.id());
        assert_eq!(s.verify(&pk, &msg, &sig), Ok(()), "{}", s.id());
        // As libsignal's own test does: every single-bit change fails.
        for i in 0..sig.len() {
            let mut bad = sig.clone();
            bad[i] ^= 0x01;
            assert_eq!(
                s.verify(&pk, &msg, &bad),
                Err(Error::VerificationFailed),
                "{} byte {i}",
                s.id()
            );
        }
    }
    for s in spec() {
        assert_eq!(s.generate_derand(&sk).unwrap().0, pk, "{}", s.id());
        assert_eq!(
            s.verify(&pk, &msg, &sig),
            Err(Error::VerificationFailed),
            "{}: sign bit 1 is not a spec signature",
            s.id()
        );
    }
}
