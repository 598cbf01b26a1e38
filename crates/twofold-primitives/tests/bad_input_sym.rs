//! Bad input to every symmetric backend gives a typed error, never a panic.
//!
//! * AEAD: wrong key and nonce lengths are `InvalidLength` (for `seal` and
//!   `open`); an empty ciphertext, one shorter than the tag, and random bytes
//!   of any length are `DecryptionFailed`.
//! * HKDF: output beyond `255 * HashLen` is `Misuse`; a PRK that is not
//!   exactly `HashLen` bytes is `InvalidLength`.
//! * Hashes, HMAC and XOFs accept any input (empty, long keys, empty output).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use twofold_core::{Aead, Error, Kdf};
use twofold_primitives::aead;
use twofold_primitives::hash;

/// Every AEAD backend; fails if there is none.
fn aeads() -> Vec<&'static dyn Aead> {
    let list = aead::all();
    assert!(!list.is_empty(), "no AEAD backends");
    list
}

/// Every KDF backend; fails if there is none.
fn kdfs() -> Vec<&'static dyn Kdf> {
    let list = hash::kdfs();
    assert!(!list.is_empty(), "no KDF backends");
    list
}

fn is_invalid_length(
    r: &twofold_core::Result<Vec<u8>>,
    expected_len: usize,
    actual_len: usize,
) -> bool {
    matches!(r, Err(Error::InvalidLength { expected, actual, .. })
        if *expected == expected_len && *actual == actual_len)
}

/// Lengths around `n` that are not `n`.
fn wrong_lengths(n: usize) -> Vec<usize> {
    let mut v = vec![0, 1, n - 1, n + 1, 2 * n, 32, 64, 12, 16, 24];
    v.retain(|&l| l != n);
    v
}

#[test]
fn aead_wrong_key_length() {
    for a in aeads() {
        let nonce = vec![0u8; a.nonce_len()];
        let good_key = vec![7u8; a.key_len()];
        let ct = a.seal(&good_key, &nonce, b"", b"hello").unwrap();
        for len in wrong_lengths(a.key_len()) {
            let key = vec![7u8; len];
            let r = a.seal(&key, &nonce, b"", b"hello");
            assert!(
                is_invalid_length(&r, a.key_len(), len),
                "{} seal key {len}: {r:?}",
                a.id()
            );
            let r = a.open(&key, &nonce, b"", &ct);
            assert!(
                is_invalid_length(&r, a.key_len(), len),
                "{} open key {len}: {r:?}",
                a.id()
            );
        }
    }
}

#[test]
fn aead_wrong_nonce_length() {
    for a in aeads() {
        let key = vec![7u8; a.key_len()];
        let good_nonce = vec![0u8; a.nonce_len()];
        let ct = a.seal(&key, &good_nonce, b"", b"hello").unwrap();
        for len in wrong_lengths(a.nonce_len()) {
            let nonce = vec![0u8; len];
            let r = a.seal(&key, &nonce, b"", b"hello");
            assert!(
                is_invalid_length(&r, a.nonce_len(), len),
                "{} seal nonce {len}: {r:?}",
                a.id()
            );
            let r = a.open(&key, &nonce, b"", &ct);
            assert!(
                is_invalid_length(&r, a.nonce_len(), len),
                "{} open nonce {len}: {r:?}",
                a.id()
            );
        }
    }
}

#[test]
fn aead_short_and_empty_ciphertexts() {
    for a in aeads() {
        let key = vec![7u8; a.key_len()];
        let nonce = vec![0u8; a.nonce_len()];
        let sealed = a.seal(&key, &nonce, b"aad", b"").unwrap();
        // Every truncation of a valid ciphertext (down to empty, so also every
        // length shorter than the tag) fails, opaquely.
        for len in 0..sealed.len() {
            assert_eq!(
                a.open(&key, &nonce, b"aad", &sealed[..len]),
                Err(Error::DecryptionFailed),
                "{} truncated to {len}",
                a.id()
            );
        }
        for len in 0..a.tag_len() {
            assert_eq!(
                a.open(&key, &nonce, b"", &vec![0u8; len]),
                Err(Error::DecryptionFailed),
                "{} zeros of length {len}",
                a.id()
            );
        }
        // And the untouched one opens.
        assert_eq!(a.open(&key, &nonce, b"aad", &sealed).unwrap(), b"");
    }
}

proptest! {
    /// Random bytes of any length (block-aligned or not) never open and
    /// never panic.
    #[test]
    fn aead_random_ciphertexts_rejected(ct in prop::collection::vec(any::<u8>(), 0..200)) {
        for a in aeads() {
            let key = vec![3u8; a.key_len()];
            let nonce = vec![5u8; a.nonce_len()];
            prop_assert_eq!(a.open(&key, &nonce, b"", &ct), Err(Error::DecryptionFailed), "{}", a.id());
        }
    }

    /// Random key, nonce and ciphertext lengths: a typed error or (only for
    /// the exact lengths) a result, never a panic.
    #[test]
    fn aead_any_lengths_no_panic(
        key in prop::collection::vec(any::<u8>(), 0..80),
        nonce in prop::collection::vec(any::<u8>(), 0..20),
        ct in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        for a in aeads() {
            let r = a.open(&key, &nonce, b"", &ct);
            prop_assert!(
                matches!(r, Err(Error::InvalidLength { .. }) | Err(Error::DecryptionFailed)),
                "{}: {:?}", a.id(), r
            );
            let r = a.seal(&key, &nonce, b"", &ct);
            if key.len() == a.key_len() && nonce.len() == a.nonce_len() {
                prop_assert!(r.is_ok(), "{}: {:?}", a.id(), r);
            } else {
                prop_assert!(matches!(r, Err(Error::InvalidLength { .. })), "{}: {:?}", a.id(), r);
            }
        }
    }
}

#[test]
fn hkdf_expand_too_long_is_misuse() {
    for k in kdfs() {
        let prk = k.extract(b"salt", b"ikm");
        let max = 255 * k.prk_len();
        assert_eq!(
            k.expand(prk.expose(), b"info", max).unwrap().len(),
            max,
            "{}",
            k.id()
        );
        for len in [max + 1, max * 2, usize::MAX] {
            assert!(
                matches!(k.expand(prk.expose(), b"info", len), Err(Error::Misuse(_))),
                "{} expand {len}",
                k.id()
            );
            assert!(
                matches!(
                    k.derive(b"salt", b"ikm", b"info", len),
                    Err(Error::Misuse(_))
                ),
                "{} derive {len}",
                k.id()
            );
        }
        // Zero bytes of output are allowed (L = 0 satisfies L <= 255*HashLen).
        assert!(
            k.expand(prk.expose(), b"info", 0).unwrap().is_empty(),
            "{}",
            k.id()
        );
    }
}

#[test]
fn hkdf_wrong_prk_length() {
    for k in kdfs() {
        let n = k.prk_len();
        for len in [0, 1, n - 1, n + 1, 2 * n, 200] {
            let prk = vec![1u8; len];
            let r = k.expand(&prk, b"info", 32);
            assert!(
                matches!(r, Err(Error::InvalidLength { expected, actual, .. }) if expected == n && actual == len),
                "{} PRK of {len} bytes: {r:?}",
                k.id()
            );
        }
    }
}

#[test]
fn hashes_and_xofs_take_any_input() {
    let hashes = hash::hashes();
    assert!(!hashes.is_empty(), "no hash backends");
    for x in hashes {
        let long_key = vec![0xaa; 1000];
        assert_eq!(x.hash(&[]).len(), x.output_len(), "{}", x.id());
        assert_eq!(x.hmac(&[], &[]).len(), x.output_len(), "{}", x.id());
        assert_eq!(
            x.hmac(&long_key, &[b"", b"m"]).len(),
            x.output_len(),
            "{}",
            x.id()
        );
    }
    let xofs = hash::xofs();
    assert!(!xofs.is_empty(), "no XOF backends");
    for x in xofs {
        x.xof(&[], &mut []);
        let mut out = vec![0u8; 10_000];
        x.xof(&[b"", &[1u8; 1000]], &mut out);
        assert!(out.iter().any(|&b| b != 0), "{}", x.id());
    }
}
