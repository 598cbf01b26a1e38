//! ML-DSA (FIPS 204) from pqcrypto (PQClean), libcrux and RustCrypto.
//!
//! Common encodings, so that a key made by one backend signs in every other:
//! * public key: FIPS 204 `pkEncode` (`ρ || t1`);
//! * secret key: the FIPS 204 expanded signing key `skEncode`
//!   (`ρ || K || tr || s1 || s2 || t0`; ML-DSA-44/65/87: 2560/4032/4896 bytes),
//!   not the 32-byte seed, so signing never redoes key generation;
//! * signature: FIPS 204 `sigEncode`.
//!
//! Coins: key generation takes the 32-byte seed `ξ` (`ML-DSA.KeyGen_internal`);
//! signing takes the 32-byte `rnd`, so an all-zero `rnd` is FIPS 204's
//! deterministic variant. Signing and verification use pure ML-DSA with an
//! empty context string. pqcrypto hides its randomness (its signing is hedged
//! with internal randomness) and takes no explicit coins.
//!
//! Every backend checks a secret key the same way before use: the length, and
//! that every `s1`/`s2` coefficient is in `[-η, η]` (FIPS 204 `skDecode`
//! leaves this unchecked; RustCrypto would panic on it, the others would sign
//! with a key that is not an ML-DSA key).

use pqcrypto_traits::sign::{
    DetachedSignature as PqDetachedSignature, PublicKey as PqPublicKey, SecretKey as PqSecretKey,
};
use twofold_core::{
    AlgorithmId, CryptoRng, Error, Result, SecretBytes, SigSizes, Signature, check_len,
};
use zeroize::Zeroize;

use super::params::Params;
pub use super::params::SEED_LEN;

const ML_DSA_44: Params = Params {
    name: "ML-DSA-44",
    k: 4,
    l: 4,
    eta: 2,
    tr_len: 64,
    pk: 1312,
    sk: 2560,
    sig: 2420,
    pk_what: "ML-DSA-44 public key",
    sk_what: "ML-DSA-44 secret key",
    sig_what: "ML-DSA-44 signature",
};

const ML_DSA_65: Params = Params {
    name: "ML-DSA-65",
    k: 6,
    l: 5,
    eta: 4,
    tr_len: 64,
    pk: 1952,
    sk: 4032,
    sig: 3309,
    pk_what: "ML-DSA-65 public key",
    sk_what: "ML-DSA-65 secret key",
    sig_what: "ML-DSA-65 signature",
};

const ML_DSA_87: Params = Params {
    name: "ML-DSA-87",
    k: 8,
    l: 7,
    eta: 2,
    tr_len: 64,
    pk: 2592,
    sk: 4896,
    sig: 4627,
    pk_what: "ML-DSA-87 public key",
    sk_what: "ML-DSA-87 secret key",
    sig_what: "ML-DSA-87 signature",
};

/// `M' = 0x00 || |ctx| || ctx || M` with an empty context (FIPS 204
/// Algorithm 2, pure ML-DSA): the prefix before the message.
const PURE_EMPTY_CTX_PREFIX: [u8; 2] = [0, 0];

// ---------------------------------------------------------------- libcrux

macro_rules! libcrux_backend {
    ($ty:ident, $static:ident, $params:ident, $m:ident, $sk_ty:ident, $vk_ty:ident, $sig_ty:ident) => {
        #[doc = concat!("ML-DSA from libcrux-ml-dsa (`", stringify!($m), "`).")]
        #[derive(Debug)]
        pub struct $ty;

        #[doc = concat!("The registry instance of `", stringify!($ty), "`.")]
        pub static $static: $ty = $ty;

        impl AlgorithmId for $ty {
            fn name(&self) -> &'static str {
                $params.name
            }
            fn backend(&self) -> &'static str {
                "libcrux"
            }
        }

        impl Signature for $ty {
            fn sizes(&self) -> SigSizes {
                $params.sizes()
            }

            fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
                let mut seed = $params.check_seed(coins)?;
                // libcrux takes the seed by value (a copy: [u8; 32] is Copy);
                // wipe ours and the signing key it returns.
                let mut kp = libcrux_ml_dsa::$m::generate_key_pair(seed);
                seed.zeroize();
                let pk = kp.verification_key.as_slice().to_vec();
                let sk = SecretBytes::from_slice(kp.signing_key.as_slice());
                kp.signing_key.as_ref_mut().zeroize();
                Ok((pk, sk))
            }

            fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>> {
                $params.check_sk(sk)?;
                let mut rnd = $params.check_rnd(coins)?;
                let mut key = libcrux_ml_dsa::$m::$sk_ty::zero();
                key.as_mut_slice().copy_from_slice(sk);
                let sig = libcrux_ml_dsa::$m::sign(&key, msg, b"", rnd);
                key.as_mut_slice().zeroize();
                rnd.zeroize();
                // Fails only for a context over 255 bytes (ours is empty) or
                // when rejection sampling runs out of nonces (negligible).
                let sig = sig.map_err(|_| Error::Backend("libcrux ML-DSA signing"))?;
                Ok(sig.as_slice().to_vec())
            }

            fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
                check_len($params.pk_what, pk, $params.pk)?;
                check_len($params.sig_what, sig, $params.sig)?;
                let mut vk = libcrux_ml_dsa::$m::$vk_ty::zero();
                vk.as_mut_slice().copy_from_slice(pk);
                let mut s = libcrux_ml_dsa::$m::$sig_ty::zero();
                s.as_mut_slice().copy_from_slice(sig);
                libcrux_ml_dsa::$m::verify(&vk, msg, b"", &s).map_err(|_| Error::VerificationFailed)
            }
        }
    };
}

libcrux_backend!(
    LibcruxMlDsa44,
    ML_DSA_44_LIBCRUX,
    ML_DSA_44,
    ml_dsa_44,
    MLDSA44SigningKey,
    MLDSA44VerificationKey,
    MLDSA44Signature
);
libcrux_backend!(
    LibcruxMlDsa65,
    ML_DSA_65_LIBCRUX,
    ML_DSA_65,
    ml_dsa_65,
    MLDSA65SigningKey,
    MLDSA65VerificationKey,
    MLDSA65Signature
);
libcrux_backend!(
    LibcruxMlDsa87,
    ML_DSA_87_LIBCRUX,
    ML_DSA_87,
    ml_dsa_87,
    MLDSA87SigningKey,
    MLDSA87VerificationKey,
    MLDSA87Signature
);

// --------------------------------------------------------------- pqcrypto

macro_rules! pqcrypto_backend {
    ($ty:ident, $static:ident, $params:ident, $m:ident) => {
        #[doc = concat!(
            "ML-DSA from pqcrypto-mldsa (`", stringify!($m), "`, PQClean). Randomness is ",
            "internal: `takes_coins()` is false, `generate` and `sign` ignore the injected ",
            "rng, and the `*_derand` forms return `Error::NoExplicitCoins`. `sizes()` still ",
            "reports the FIPS 204 coin lengths, which PQClean draws internally."
        )]
        #[derive(Debug)]
        pub struct $ty;

        #[doc = concat!("The registry instance of `", stringify!($ty), "`.")]
        pub static $static: $ty = $ty;

        impl AlgorithmId for $ty {
            fn name(&self) -> &'static str {
                $params.name
            }
            fn backend(&self) -> &'static str {
                "pqcrypto"
            }
            fn takes_coins(&self) -> bool {
                false
            }
        }

        impl Signature for $ty {
            fn sizes(&self) -> SigSizes {
                $params.sizes()
            }

            fn generate_derand(&self, _coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
                Err(self.no_coins())
            }

            fn sign_derand(&self, _sk: &[u8], _msg: &[u8], _coins: &[u8]) -> Result<Vec<u8>> {
                Err(self.no_coins())
            }

            /// Ignores `rng`: PQClean draws its own seed.
            fn generate(&self, _rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
                let (pk, mut sk) = pqcrypto_mldsa::$m::keypair();
                let out = (
                    pk.as_bytes().to_vec(),
                    SecretBytes::from_slice(sk.as_bytes()),
                );
                crate::wipe::pq_sign_secret_key(&mut sk);
                Ok(out)
            }

            /// Ignores `rng`: PQClean hedges with its own `rnd`.
            fn sign(&self, sk: &[u8], msg: &[u8], _rng: &mut dyn CryptoRng) -> Result<Vec<u8>> {
                $params.check_sk(sk)?;
                let mut key = pqcrypto_mldsa::$m::SecretKey::from_bytes(sk)
                    .map_err(|_| Error::InvalidEncoding($params.sk_what))?;
                let sig = pqcrypto_mldsa::$m::detached_sign(msg, &key);
                crate::wipe::pq_sign_secret_key(&mut key);
                Ok(sig.as_bytes().to_vec())
            }

            fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
                check_len($params.pk_what, pk, $params.pk)?;
                check_len($params.sig_what, sig, $params.sig)?;
                let pk = pqcrypto_mldsa::$m::PublicKey::from_bytes(pk)
                    .map_err(|_| Error::InvalidEncoding($params.pk_what))?;
                let sig = pqcrypto_mldsa::$m::DetachedSignature::from_bytes(sig)
                    .map_err(|_| Error::InvalidEncoding($params.sig_what))?;
                pqcrypto_mldsa::$m::verify_detached_signature(&sig, msg, &pk)
                    .map_err(|_| Error::VerificationFailed)
            }
        }
    };
}

pqcrypto_backend!(PqcryptoMlDsa44, ML_DSA_44_PQCRYPTO, ML_DSA_44, mldsa44);
pqcrypto_backend!(PqcryptoMlDsa65, ML_DSA_65_PQCRYPTO, ML_DSA_65, mldsa65);
pqcrypto_backend!(PqcryptoMlDsa87, ML_DSA_87_PQCRYPTO, ML_DSA_87, mldsa87);

// ------------------------------------------------------------- RustCrypto

macro_rules! rustcrypto_backend {
    ($ty:ident, $static:ident, $params:ident, $p:ty) => {
        #[doc = concat!("ML-DSA from RustCrypto ml-dsa (`", stringify!($p), "`).")]
        #[derive(Debug)]
        pub struct $ty;

        #[doc = concat!("The registry instance of `", stringify!($ty), "`.")]
        pub static $static: $ty = $ty;

        impl AlgorithmId for $ty {
            fn name(&self) -> &'static str {
                $params.name
            }
            fn backend(&self) -> &'static str {
                "rustcrypto"
            }
        }

        impl Signature for $ty {
            fn sizes(&self) -> SigSizes {
                $params.sizes()
            }

            fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
                let mut seed = $params.check_seed(coins)?;
                let mut xi = ml_dsa::B32::from(seed);
                seed.zeroize();
                // SigningKey and its expanded key zeroize on drop (ml-dsa
                // feature "zeroize").
                let key = ml_dsa::SigningKey::<$p>::from_seed(&xi);
                xi.zeroize();
                let vk: &ml_dsa::VerifyingKey<$p> = key.as_ref();
                let pk = vk.encode().to_vec();
                // `to_expanded` is deprecated in favour of seeds, but the
                // expanded FIPS 204 encoding is our common secret-key format.
                #[allow(deprecated)]
                let mut expanded = key.expanded_key().to_expanded();
                let sk = SecretBytes::from_slice(&expanded);
                expanded.zeroize();
                Ok((pk, sk))
            }

            fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>> {
                // The range check makes `from_expanded` panic-free: its
                // BitUnpack asserts exactly these bounds.
                $params.check_sk(sk)?;
                let mut rnd_bytes = $params.check_rnd(coins)?;
                let mut rnd = ml_dsa::B32::from(rnd_bytes);
                rnd_bytes.zeroize();
                let mut enc = ml_dsa::ExpandedSigningKeyBytes::<$p>::try_from(sk)
                    .map_err(|_| Error::InvalidEncoding($params.sk_what))?;
                #[allow(deprecated)]
                let key = ml_dsa::ExpandedSigningKey::<$p>::from_expanded(&enc);
                enc.zeroize();
                // ML-DSA.Sign (Algorithm 2) = Sign_internal over
                // M' = 0 || 0 || M for the empty context. Its rejection loop
                // panics only after exhausting 2^16 / l nonces, which happens
                // with negligible probability.
                let sig = key.sign_internal(&[&PURE_EMPTY_CTX_PREFIX, msg], &rnd);
                rnd.zeroize();
                Ok(sig.encode().to_vec())
            }

            fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
                check_len($params.pk_what, pk, $params.pk)?;
                check_len($params.sig_what, sig, $params.sig)?;
                let pk_enc = ml_dsa::EncodedVerifyingKey::<$p>::try_from(pk)
                    .map_err(|_| Error::InvalidEncoding($params.pk_what))?;
                let sig_enc = ml_dsa::EncodedSignature::<$p>::try_from(sig)
                    .map_err(|_| Error::InvalidEncoding($params.sig_what))?;
                let vk = ml_dsa::VerifyingKey::<$p>::decode(&pk_enc);
                // A malformed hint or an out-of-range z is an invalid
                // signature, like a failed equation.
                let sig =
                    ml_dsa::Signature::<$p>::decode(&sig_enc).ok_or(Error::VerificationFailed)?;
                if vk.verify_with_context(msg, b"", &sig) {
                    Ok(())
                } else {
                    Err(Error::VerificationFailed)
                }
            }
        }
    };
}

rustcrypto_backend!(
    RustCryptoMlDsa44,
    ML_DSA_44_RUSTCRYPTO,
    ML_DSA_44,
    ml_dsa::MlDsa44
);
rustcrypto_backend!(
    RustCryptoMlDsa65,
    ML_DSA_65_RUSTCRYPTO,
    ML_DSA_65,
    ml_dsa::MlDsa65
);
rustcrypto_backend!(
    RustCryptoMlDsa87,
    ML_DSA_87_RUSTCRYPTO,
    ML_DSA_87,
    ml_dsa::MlDsa87
);

/// Every ML-DSA implementation of this file.
pub fn all() -> Vec<&'static dyn Signature> {
    vec![
        &ML_DSA_44_LIBCRUX,
        &ML_DSA_65_LIBCRUX,
        &ML_DSA_87_LIBCRUX,
        &ML_DSA_44_PQCRYPTO,
        &ML_DSA_65_PQCRYPTO,
        &ML_DSA_87_PQCRYPTO,
        &ML_DSA_44_RUSTCRYPTO,
        &ML_DSA_65_RUSTCRYPTO,
        &ML_DSA_87_RUSTCRYPTO,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_the_libraries() {
        for (p, pk, sk, sig) in [
            (
                &ML_DSA_44,
                pqcrypto_mldsa::mldsa44::public_key_bytes(),
                pqcrypto_mldsa::mldsa44::secret_key_bytes(),
                pqcrypto_mldsa::mldsa44::signature_bytes(),
            ),
            (
                &ML_DSA_65,
                pqcrypto_mldsa::mldsa65::public_key_bytes(),
                pqcrypto_mldsa::mldsa65::secret_key_bytes(),
                pqcrypto_mldsa::mldsa65::signature_bytes(),
            ),
            (
                &ML_DSA_87,
                pqcrypto_mldsa::mldsa87::public_key_bytes(),
                pqcrypto_mldsa::mldsa87::secret_key_bytes(),
                pqcrypto_mldsa::mldsa87::signature_bytes(),
            ),
        ] {
            assert_eq!((p.pk, p.sk, p.sig), (pk, sk, sig), "{}", p.name);
            // ρ, K, tr, s1, s2 and 13-bit t0 fill the secret key exactly.
            let width = if p.eta == 2 { 3 } else { 4 };
            assert_eq!(
                128 + (p.k + p.l) * 32 * width + p.k * 416,
                p.sk,
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn out_of_range_secret_coefficient_is_rejected() {
        for p in [&ML_DSA_44, &ML_DSA_65, &ML_DSA_87] {
            let mut sk = vec![0u8; p.sk];
            assert!(p.check_sk(&sk).is_ok(), "{}", p.name);
            // First s2 coefficient set to all ones: 7 > 4 or 15 > 8.
            let width = if p.eta == 2 { 3 } else { 4 };
            let bit = p.l * 256 * width;
            for j in 0..width {
                sk[128 + (bit + j) / 8] |= 1 << ((bit + j) % 8);
            }
            assert!(
                matches!(p.check_sk(&sk), Err(Error::InvalidEncoding(_))),
                "{}",
                p.name
            );
        }
    }
}
