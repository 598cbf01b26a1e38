//! ML-KEM (FIPS 203) from RustCrypto's `ml-kem` (pure Rust).
//!
//! Key generation runs `DecapsulationKey::from_seed(d || z)`; encapsulation
//! runs the hazmat `encapsulate_deterministic(m)`. The crate prefers 64-byte
//! seeds as its secret-key form; twofold stores the FIPS 203 expanded key
//! like every other backend (see [`super`]) and loads it with the crate's
//! legacy `from_expanded`, which itself runs the FIPS 203 §7.2 modulus check
//! on the embedded `ek` and the §7.3 `H(ek)` check. The crate is built with
//! its `zeroize` feature, so its decapsulation keys wipe themselves on drop.

// `from_expanded` / `to_expanded_bytes` are deprecated in ml-kem 0.3 in favour
// of seeds; the expanded form is the interoperable encoding twofold needs.
#![allow(deprecated)]

use ml_kem::array::Array;
use ml_kem::{B32, Decapsulate, ExpandedKeyEncoding, KeyExport, MlKem512, MlKem768, MlKem1024};
use twofold_core::{AlgorithmId, Error, Kem, KemSizes, Result, SecretBytes, check_len};
use zeroize::Zeroize;

/// Defines one ml-kem parameter set: a unit struct, its `pub static`
/// instance and the trait implementations. `$p` is the ml-kem parameter type.
macro_rules! rustcrypto_kem {
    (
        $(#[$doc:meta])*
        $ty:ident, $stat:ident, $name:literal, $p:ty,
        pk = $pk:literal, sk = $sk:literal, ct = $ct:literal
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
                "rustcrypto"
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

            fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
                check_len(concat!($name, " key-generation coins (d || z)"), coins, 64)?;
                let mut seed: ml_kem::Seed = Array::try_from(coins).map_err(|_| Error::InvalidLength {
                    what: concat!($name, " key-generation coins (d || z)"),
                    expected: 64,
                    actual: coins.len(),
                })?;
                let dk = ml_kem::DecapsulationKey::<$p>::from_seed(seed);
                seed.as_mut_slice().zeroize();
                let pk = dk.encapsulation_key().to_bytes().to_vec();
                let mut expanded = dk.to_expanded_bytes();
                let sk = SecretBytes::from_slice(expanded.as_slice());
                expanded.as_mut_slice().zeroize();
                Ok((pk, sk))
            }

            fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
                let pk_bytes = <&Array<u8, _>>::try_from(pk).map_err(|_| Error::InvalidLength {
                    what: concat!($name, " public key"),
                    expected: $pk,
                    actual: pk.len(),
                })?;
                let m = <&B32>::try_from(coins).map_err(|_| Error::InvalidLength {
                    what: concat!($name, " encapsulation coins (m)"),
                    expected: 32,
                    actual: coins.len(),
                })?;
                // `new` runs the FIPS 203 §7.2 modulus check.
                let ek = ml_kem::EncapsulationKey::<$p>::new(pk_bytes).map_err(|_| {
                    Error::InvalidEncoding(concat!(
                        $name,
                        " public key (a coefficient is not reduced mod q)"
                    ))
                })?;
                let (ct, mut ss) = ek.encapsulate_deterministic(m);
                let ss_out = SecretBytes::from_slice(ss.as_slice());
                ss.as_mut_slice().zeroize();
                Ok((ct.to_vec(), ss_out))
            }

            fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
                // Lengths first, the key's before the ciphertext's, as in
                // every other backend; then the key checks.
                check_len(concat!($name, " secret key"), sk, $sk)?;
                let ciphertext = <&ml_kem::Ciphertext<$p>>::try_from(ct).map_err(|_| {
                    Error::InvalidLength {
                        what: concat!($name, " ciphertext"),
                        expected: $ct,
                        actual: ct.len(),
                    }
                })?;
                let dk = Self::checked_key(sk)?;
                let mut ss = dk.decapsulate(ciphertext);
                let out = SecretBytes::from_slice(ss.as_slice());
                ss.as_mut_slice().zeroize();
                Ok(out)
            }

            // `ml-kem` builds a key only through its checks, so
            // `decapsulate_prechecked` keeps the checking default.
            fn check_secret_key(&self, sk: &[u8]) -> Result<()> {
                Self::checked_key(sk).map(drop)
            }
        }

        impl $ty {
            /// The key of an expanded encoding; `from_expanded` runs the §7.2
            /// check on the embedded ek and the §7.3 H(ek) check.
            fn checked_key(sk: &[u8]) -> Result<ml_kem::DecapsulationKey<$p>> {
                let expanded = <&ml_kem::ExpandedDecapsulationKey<$p>>::try_from(sk).map_err(|_| {
                    Error::InvalidLength {
                        what: concat!($name, " secret key"),
                        expected: $sk,
                        actual: sk.len(),
                    }
                })?;
                ml_kem::DecapsulationKey::<$p>::from_expanded(expanded).map_err(|_| {
                    Error::InvalidEncoding(concat!($name, " secret key (H(ek) or ek check failed)"))
                })
            }
        }
    };
}

rustcrypto_kem!(
    /// ML-KEM-512 (FIPS 203) from RustCrypto `ml-kem`.
    RustCryptoMlKem512, ML_KEM_512, "ML-KEM-512", MlKem512,
    pk = 800, sk = 1632, ct = 768
);
rustcrypto_kem!(
    /// ML-KEM-768 (FIPS 203) from RustCrypto `ml-kem`.
    RustCryptoMlKem768, ML_KEM_768, "ML-KEM-768", MlKem768,
    pk = 1184, sk = 2400, ct = 1088
);
rustcrypto_kem!(
    /// ML-KEM-1024 (FIPS 203) from RustCrypto `ml-kem`.
    RustCryptoMlKem1024, ML_KEM_1024, "ML-KEM-1024", MlKem1024,
    pk = 1568, sk = 3168, ct = 1568
);
