//! ML-KEM from pqcrypto-mlkem: the PQClean C code, AVX2 where the CPU has it.
//!
//! # Why pqcrypto-kyber is not a Kyber backend
//!
//! pqcrypto-kyber 0.8.1 (the crate snow 0.10 uses for `Kyber1024`) is NOT
//! NIST round-3 Kyber. Its PQClean sources (META.yml: pq-crystals/kyber
//! commit 11d00ff1) are the "standard" branch, i.e. the FIPS 203 initial
//! public draft: `crypto_kem_enc_derand` does not pre-hash `m`, returns `K`
//! from `G(m || H(pk))` directly instead of `SHAKE256(K̄ || H(c))`, and
//! implicit rejection is `SHAKE256(z || c)`; key generation is `G(d)` without
//! the final FIPS 203 domain byte. It therefore does not interoperate with
//! round-3 Kyber (libcrux's `Kyber*`, libsignal's PQXDH), while its
//! encapsulation and decapsulation are those of final ML-KEM (only the
//! unobservable derivation of a key from its seed differs), so its keys and
//! ciphertexts work with every ML-KEM backend. tests/kat_mlkem.rs pins this
//! with the CCTV accumulated digests of the FIPS 203 ipd. Registering it as
//! `Kyber*@pqcrypto` would break the rule that the backends of one
//! algorithm interoperate, so it is not registered at all.
//!
//! PQClean draws its randomness internally (`randombytes`), so these
//! backends cannot take explicit coins: [`AlgorithmId::takes_coins`] is
//! `false`, the `*_derand` forms return [`Error::NoExplicitCoins`], and the
//! randomized forms ignore the injected rng (they cannot be replayed from a
//! seed). Decapsulation is deterministic and is pinned by the same
//! known-answer digests as the other backends (tests/kat_mlkem.rs).
//!
//! PQClean runs no input check, so the FIPS 203 checks shared by every
//! backend (see [`super`]) are done here before calling it. pqcrypto's key
//! types are `Copy` arrays without a destructor; the copies made here are
//! overwritten with zeros after use (best effort: there is no volatile
//! write without `unsafe`).

use pqcrypto_traits::kem::{Ciphertext as _, PublicKey as _, SecretKey as _, SharedSecret as _};
use twofold_core::{AlgorithmId, CryptoRng, Error, Kem, KemSizes, Result, SecretBytes, check_len};

/// Defines one pqcrypto parameter set: a unit struct, its `pub static`
/// instance and the trait implementations. `$m` is the pqcrypto module.
macro_rules! pqcrypto_kem {
    (
        $(#[$doc:meta])*
        $ty:ident, $stat:ident, $name:literal, $m:path,
        k = $k:literal, pk = $pk:literal, sk = $sk:literal, ct = $ct:literal
    ) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $ty;

        /// The registry instance.
        pub static $stat: $ty = $ty;

        impl AlgorithmId for $ty {
            fn name(&self) -> &'static str {
                $name
            }
            fn backend(&self) -> &'static str {
                "pqcrypto"
            }
            fn takes_coins(&self) -> bool {
                false
            }
        }

        impl Kem for $ty {
            fn sizes(&self) -> KemSizes {
                KemSizes {
                    pk: $pk,
                    sk: $sk,
                    ct: $ct,
                    ss: 32,
                    keygen_coins: 64,
                    encaps_coins: 32,
                }
            }

            /// Refused: PQClean's randomness is internal.
            fn generate_derand(&self, _coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
                Err(self.no_coins())
            }

            /// Refused: PQClean's randomness is internal.
            fn encapsulate_derand(&self, _pk: &[u8], _coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
                Err(self.no_coins())
            }

            /// Key generation from PQClean's internal randomness; `rng` is
            /// NOT used (documented limitation of this backend).
            fn generate(&self, _rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
                use $m as m;
                let (pk, mut sk) = m::keypair();
                let sk_out = SecretBytes::from_slice(sk.as_bytes());
                crate::wipe::pq_kem_secret_key(&mut sk);
                Ok((pk.as_bytes().to_vec(), sk_out))
            }

            /// Encapsulation with PQClean's internal randomness; `rng` is
            /// NOT used (documented limitation of this backend).
            fn encapsulate(&self, pk: &[u8], _rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
                use $m as m;
                check_len(concat!($name, " public key"), pk, $pk)?;
                // FIPS 203 §7.2 input check; PQClean does not run it.
                if !super::ek_is_reduced(pk) {
                    return Err(Error::InvalidEncoding(concat!(
                        $name,
                        " public key (a coefficient is not reduced mod q)"
                    )));
                }
                let public = m::PublicKey::from_bytes(pk)
                    .map_err(|_| Error::Backend(concat!("pqcrypto ", $name, " public key")))?;
                let (mut ss, ct) = m::encapsulate(&public);
                let ss_out = SecretBytes::from_slice(ss.as_bytes());
                crate::wipe::pq_kem_shared_secret(&mut ss);
                Ok((ct.as_bytes().to_vec(), ss_out))
            }

            fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
                let what = [concat!($name, " secret key"), concat!($name, " ciphertext")];
                super::decapsulate_checked(self, what, sk, ct)
            }

            fn check_secret_key(&self, sk: &[u8]) -> Result<()> {
                super::check_expanded_dk(
                    concat!($name, " secret key"),
                    concat!($name, " secret key (H(ek) or ek check failed)"),
                    sk,
                    $k,
                )
            }

            fn decapsulate_prechecked(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
                use $m as m;
                check_len(concat!($name, " secret key"), sk, $sk)?;
                check_len(concat!($name, " ciphertext"), ct, $ct)?;
                let mut private = m::SecretKey::from_bytes(sk)
                    .map_err(|_| Error::Backend(concat!("pqcrypto ", $name, " secret key")))?;
                let ciphertext = m::Ciphertext::from_bytes(ct)
                    .map_err(|_| Error::Backend(concat!("pqcrypto ", $name, " ciphertext")))?;
                let mut ss = m::decapsulate(&ciphertext, &private);
                let ss_out = SecretBytes::from_slice(ss.as_bytes());
                crate::wipe::pq_kem_shared_secret(&mut ss);
                crate::wipe::pq_kem_secret_key(&mut private);
                Ok(ss_out)
            }
        }

        // The literal sizes above must be PQClean's (checked at compile time).
        const _: () = {
            use $m as m;
            assert!(m::public_key_bytes() == $pk);
            assert!(m::secret_key_bytes() == $sk);
            assert!(m::ciphertext_bytes() == $ct);
            assert!(m::shared_secret_bytes() == 32);
        };
    };
}

pqcrypto_kem!(
    /// ML-KEM-512 (FIPS 203) from pqcrypto-mlkem (PQClean). No explicit coins.
    PqcryptoMlKem512, ML_KEM_512, "ML-KEM-512", pqcrypto_mlkem::mlkem512,
    k = 2, pk = 800, sk = 1632, ct = 768
);
pqcrypto_kem!(
    /// ML-KEM-768 (FIPS 203) from pqcrypto-mlkem (PQClean). No explicit coins.
    PqcryptoMlKem768, ML_KEM_768, "ML-KEM-768", pqcrypto_mlkem::mlkem768,
    k = 3, pk = 1184, sk = 2400, ct = 1088
);
pqcrypto_kem!(
    /// ML-KEM-1024 (FIPS 203) from pqcrypto-mlkem (PQClean). No explicit coins.
    PqcryptoMlKem1024, ML_KEM_1024, "ML-KEM-1024", pqcrypto_mlkem::mlkem1024,
    k = 4, pk = 1568, sk = 3168, ct = 1568
);
