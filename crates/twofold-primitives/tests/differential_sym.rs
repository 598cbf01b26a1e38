//! Differential tests between the symmetric backends, on random inputs.
//!
//! * The two backends of ChaCha20-Poly1305 and of AES-256-GCM produce the
//!   same ciphertexts and open each other's.
//! * AES-256-CBC-HMAC-SHA256 equals aws-lc-rs' own AES-256-CBC-PKCS#7 followed
//!   by HMAC-SHA256 from the `hmac` crate, truncated to 8 bytes.
//! * Every hash / HMAC backend agrees with every other of the same name, and
//!   each HMAC equals the RFC 2104 definition computed with its own hash.
//! * Every HKDF backend agrees with every other of the same name and with
//!   `HkdfOver` over each hash backend of the matching hash.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use aws_lc_rs::cipher::{AES_256, EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey};
use aws_lc_rs::iv::FixedLength;
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use sha2::Sha256;
use twofold_core::{Aead, Error, Hash, Kdf, Xof};
use twofold_primitives::aead::{self, cbc_hmac};
use twofold_primitives::hash::{self, hkdf::HkdfOver};

/// Every AEAD backend named `name`; a differential test needs two.
fn aeads(name: &str) -> Vec<&'static dyn Aead> {
    let list: Vec<_> = aead::all()
        .into_iter()
        .filter(|a| a.name() == name)
        .collect();
    assert!(
        list.len() >= 2,
        "{name}: fewer than two backends to compare"
    );
    list
}

/// Every hash backend named `name`; fails if there is none.
fn hashes(name: &str) -> Vec<&'static dyn Hash> {
    let list: Vec<_> = hash::hashes()
        .into_iter()
        .filter(|x| x.name() == name)
        .collect();
    assert!(!list.is_empty(), "no hash backend named {name}");
    list
}

/// The distinct hash names; fails if there are none.
fn hash_names() -> BTreeSet<&'static str> {
    let names: BTreeSet<_> = hash::hashes().into_iter().map(|x| x.name()).collect();
    assert!(!names.is_empty(), "no hash backends");
    names
}

/// Every registered backend of `kdf` plus `HkdfOver` each backend of `hash`;
/// a differential test needs two registered backends.
fn kdfs(kdf: &str, hash: &str) -> Vec<&'static dyn Kdf> {
    let mut list: Vec<&'static dyn Kdf> = hash::kdfs()
        .into_iter()
        .filter(|x| x.name() == kdf)
        .collect();
    assert!(list.len() >= 2, "{kdf}: fewer than two backends to compare");
    for hb in hashes(hash) {
        let name: &'static str = Box::leak(format!("{kdf}[over {}]", hb.id()).into_boxed_str());
        list.push(Box::leak(Box::new(HkdfOver::new(name, hb))));
    }
    list
}

/// Splits `data` at `cut` (clamped) into three parts, one of them empty.
fn parts(data: &[u8], cut: usize) -> [&[u8]; 3] {
    let (a, b) = data.split_at(cut.min(data.len()));
    [a, &[], b]
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}

// ---------------------------------------------------------------------------
// AEADs
// ---------------------------------------------------------------------------

fn aead_agree(
    name: &str,
    key: &[u8],
    nonce: &[u8],
    aad: &[u8],
    pt: &[u8],
    flip: usize,
) -> std::result::Result<(), TestCaseError> {
    let list = aeads(name);
    let sealed: Vec<Vec<u8>> = list
        .iter()
        .map(|a| a.seal(key, nonce, aad, pt).unwrap())
        .collect();
    for (a, ct) in list.iter().zip(&sealed) {
        prop_assert_eq!(ct, &sealed[0], "{} vs {}", a.id(), list[0].id());
        prop_assert_eq!(ct.len(), a.ciphertext_len(pt.len()));
    }
    let mut forged = sealed[0].clone();
    let i = flip % forged.len();
    forged[i] ^= 0x80;
    for opener in &list {
        for (sealer, ct) in list.iter().zip(&sealed) {
            prop_assert_eq!(
                &opener.open(key, nonce, aad, ct).unwrap(),
                &pt.to_vec(),
                "{} opening {}",
                opener.id(),
                sealer.id()
            );
        }
        prop_assert_eq!(
            opener.open(key, nonce, aad, &forged),
            Err(Error::DecryptionFailed)
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn chacha20_poly1305_backends_agree(
        key in any::<[u8; 32]>(),
        nonce in any::<[u8; 12]>(),
        aad in bytes(80),
        pt in bytes(300),
        flip in any::<usize>(),
    ) {
        aead_agree("ChaCha20-Poly1305", &key, &nonce, &aad, &pt, flip)?;
    }

    #[test]
    fn aes_256_gcm_backends_agree(
        key in any::<[u8; 32]>(),
        nonce in any::<[u8; 12]>(),
        aad in bytes(80),
        pt in bytes(300),
        flip in any::<usize>(),
    ) {
        aead_agree("AES-256-GCM", &key, &nonce, &aad, &pt, flip)?;
    }

    /// Our CBC+HMAC against aws-lc-rs' AES-256-CBC-PKCS#7 and the `hmac`
    /// crate, composed here from their public APIs.
    #[test]
    fn aes_256_cbc_hmac_sha256_matches_awslc_cbc_and_hmac(
        cipher_key in any::<[u8; 32]>(),
        mac_key in any::<[u8; 32]>(),
        iv in any::<[u8; 16]>(),
        aad in bytes(120),
        pt in bytes(200),
    ) {
        let list: Vec<_> = aead::all()
            .into_iter()
            .filter(|a| a.name() == "AES-256-CBC-HMAC-SHA256")
            .collect();
        prop_assert!(!list.is_empty());

        let lc_key = PaddedBlockEncryptingKey::cbc_pkcs7(
            UnboundCipherKey::new(&AES_256, &cipher_key).unwrap(),
        )
        .unwrap();
        let mut body = pt.clone();
        lc_key
            .less_safe_encrypt(&mut body, EncryptionContext::Iv128(FixedLength::from(iv)))
            .unwrap();
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&mac_key).unwrap();
        mac.update(&aad);
        mac.update(&body);
        let expected = [body.as_slice(), &mac.finalize().into_bytes()[..8]].concat();

        // The unauthenticated helpers are the same CBC.
        prop_assert_eq!(&cbc_hmac::aes_256_cbc_encrypt(&cipher_key, &iv, &pt).unwrap(), &body);
        prop_assert_eq!(&cbc_hmac::aes_256_cbc_decrypt(&cipher_key, &iv, &body).unwrap(), &pt);

        let key = [cipher_key, mac_key].concat();
        for a in list {
            let sealed = a.seal(&key, &iv, &aad, &pt).unwrap();
            prop_assert_eq!(&sealed, &expected, "{}", a.id());
            prop_assert_eq!(sealed.len(), a.ciphertext_len(pt.len()));
            prop_assert_eq!(&a.open(&key, &iv, &aad, &expected).unwrap(), &pt);
        }
    }
}

// ---------------------------------------------------------------------------
// Hashes and HMAC
// ---------------------------------------------------------------------------

/// HMAC by its RFC 2104 definition over `x.hash`:
/// `H((K' ^ opad) || H((K' ^ ipad) || m))`, `K'` = `K` (or `H(K)` if longer
/// than a block) zero-padded to the block length.
fn rfc2104(x: &dyn Hash, key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = if key.len() > x.block_len() {
        x.hash(&[key])
    } else {
        key.to_vec()
    };
    k.resize(x.block_len(), 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = x.hash(&[&ipad, msg]);
    x.hash(&[&opad, &inner])
}

#[test]
fn multi_backend_hashes_have_two_backends() {
    // The proptests below compare whatever backends each name has; make sure
    // the names that should have two still do.
    for name in ["SHA-256", "SHA-512"] {
        assert!(hashes(name).len() >= 2, "{name}: fewer than two backends");
    }
}

proptest! {
    #[test]
    fn hash_and_hmac_backends_agree(
        msg in bytes(400),
        key in bytes(300),
        cut in any::<usize>(),
    ) {
        for name in hash_names() {
            let list = hashes(name);
            let digest = list[0].hash(&[&msg]);
            let tag = list[0].hmac(&key, &[&msg]);
            for x in &list {
                prop_assert_eq!(x.output_len(), list[0].output_len());
                prop_assert_eq!(x.block_len(), list[0].block_len());
                let d = x.hash(&parts(&msg, cut));
                prop_assert_eq!(d.len(), x.output_len(), "{}", x.id());
                prop_assert_eq!(&d, &digest, "{} vs {}", x.id(), list[0].id());
                let t = x.hmac(&key, &parts(&msg, cut));
                prop_assert_eq!(t.expose(), tag.expose(), "{} vs {}", x.id(), list[0].id());
                let reference = rfc2104(*x, &key, &msg);
                prop_assert_eq!(
                    t.expose(),
                    reference.as_slice(),
                    "{}: HMAC differs from the RFC 2104 definition",
                    x.id()
                );
            }
        }
    }

    /// XOF outputs are prefixes of longer outputs and do not depend on how
    /// the input is split.
    #[test]
    fn xof_prefix_and_parts(msg in bytes(400), cut in any::<usize>(), n in 0usize..300) {
        let list: Vec<&'static dyn Xof> = hash::xofs();
        prop_assert!(!list.is_empty());
        for x in list {
            let mut long = vec![0u8; 300];
            x.xof(&[&msg], &mut long);
            let mut short = vec![0u8; n];
            x.xof(&parts(&msg, cut), &mut short);
            prop_assert_eq!(&short[..], &long[..n], "{}", x.id());
        }
    }
}

// ---------------------------------------------------------------------------
// HKDF
// ---------------------------------------------------------------------------

fn kdf_agree(
    kdf: &str,
    hash: &str,
    salt: &[u8],
    ikm: &[u8],
    info: &[u8],
    len: usize,
) -> std::result::Result<(), TestCaseError> {
    let list = kdfs(kdf, hash);
    let prk = list[0].extract(salt, ikm);
    let okm = list[0].expand(prk.expose(), info, len).unwrap();
    prop_assert_eq!(okm.len(), len);
    for k in &list {
        prop_assert_eq!(k.prk_len(), list[0].prk_len());
        let p = k.extract(salt, ikm);
        prop_assert_eq!(p.expose(), prk.expose(), "{} vs {}", k.id(), list[0].id());
        let o = k.expand(prk.expose(), info, len).unwrap();
        prop_assert_eq!(o.expose(), okm.expose(), "{} vs {}", k.id(), list[0].id());
        let d = k.derive(salt, ikm, info, len).unwrap();
        prop_assert_eq!(d.expose(), okm.expose(), "{} derive", k.id());
    }
    Ok(())
}

proptest! {
    #[test]
    fn hkdf_sha256_backends_agree(
        salt in bytes(100),
        ikm in bytes(100),
        info in bytes(100),
        len in 0usize..=(255 * 32),
    ) {
        kdf_agree("HKDF-SHA256", "SHA-256", &salt, &ikm, &info, len)?;
    }

    #[test]
    fn hkdf_sha512_backends_agree(
        salt in bytes(200),
        ikm in bytes(100),
        info in bytes(100),
        len in 0usize..=(255 * 64),
    ) {
        kdf_agree("HKDF-SHA512", "SHA-512", &salt, &ikm, &info, len)?;
    }

    /// The registered BLAKE2 HKDFs are `HkdfOver`; check they are
    /// extract-then-expand and that salt "" means HashLen zeros.
    #[test]
    fn hkdf_blake2_derive_is_extract_then_expand(
        ikm in bytes(100),
        info in bytes(100),
        len in 0usize..600,
    ) {
        let list: Vec<_> = hash::kdfs()
            .into_iter()
            .filter(|k| k.name().starts_with("HKDF-BLAKE2"))
            .collect();
        prop_assert_eq!(list.len(), 2);
        for k in list {
            let zeros = vec![0u8; k.prk_len()];
            let prk = k.extract(&[], &ikm);
            let prk_zeros = k.extract(&zeros, &ikm);
            prop_assert_eq!(prk.expose(), prk_zeros.expose(), "{}", k.id());
            let okm = k.expand(prk.expose(), &info, len).unwrap();
            let derived = k.derive(&[], &ikm, &info, len).unwrap();
            prop_assert_eq!(derived.expose(), okm.expose(), "{}", k.id());
        }
    }
}

#[test]
fn hkdf_maximal_output_agrees() {
    // 255 * HashLen, the RFC 5869 limit, on every backend and HkdfOver.
    for (kdf, hash, hash_len) in [
        ("HKDF-SHA256", "SHA-256", 32),
        ("HKDF-SHA512", "SHA-512", 64),
    ] {
        let list = kdfs(kdf, hash);
        let first = list[0]
            .derive(b"salt", b"ikm", b"info", 255 * hash_len)
            .unwrap();
        for k in &list {
            let okm = k.derive(b"salt", b"ikm", b"info", 255 * hash_len).unwrap();
            assert_eq!(okm.expose(), first.expose(), "{}", k.id());
        }
    }
}
