//! ML-KEM (FIPS 203) and NIST round-3 Kyber from libcrux-ml-kem.
//!
//! libcrux's deterministic API is its main API: key generation takes
//! `d || z` (64 bytes), encapsulation takes `m` (32 bytes). The round-3 Kyber
//! variants (`libcrux_ml_kem::kyber*`, the KEM of libsignal's PQXDH) share the
//! ML-KEM encodings and sizes but derive different keys (round 3 hashes `m`,
//! uses `G(d)` without FIPS 203's domain byte and derives
//! `K = SHAKE256(K' || SHA3-256(c))`; libcrux-ml-kem `src/variant.rs`).
//!
//! Known deviation of libcrux's round-3 Kyber on INVALID ciphertexts: the
//! round-3 reference rejects with `SHAKE256(z || SHA3-256(c))`, libcrux with
//! `SHAKE256(SHAKE256(z || c) || SHA3-256(c))` (its ML-KEM rejection value
//! passed through the round-3 KDF). Valid ciphertexts are unaffected, and
//! libsignal, which uses libcrux, behaves the same way. Pinned in
//! tests/differential_kem.rs, and for Kyber1024 against the round-3
//! reference port pqc_kyber in tests/kyber_round3_reference.rs.
//!
//! libcrux's key and ciphertext types are plain arrays that do not wipe
//! themselves; every secret copy made here is converted back into an array
//! and zeroized after use.

use libcrux_ml_kem::{mlkem512, mlkem768, mlkem1024};
use twofold_core::{AlgorithmId, Error, Kem, KemSizes, Result, SecretBytes, check_len};
use zeroize::Zeroize;

/// Defines one libcrux parameter set: a unit struct, its `pub static`
/// instance and the trait implementations.
///
/// `$ops` is the libcrux module with the KEM functions (`mlkem768` or the
/// round-3 `kyber768`); `$types` the module with the array types (always the
/// ML-KEM one: round-3 Kyber reuses them).
macro_rules! libcrux_kem {
    (
        $(#[$doc:meta])*
        $ty:ident, $stat:ident, $name:literal, $ops:path, $types:ident,
        $pk_t:ident, $sk_t:ident, $ct_t:ident,
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
                "libcrux"
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
                use $ops as ops;
                check_len(concat!($name, " key-generation coins (d || z)"), coins, 64)?;
                let mut seed = [0u8; 64];
                seed.copy_from_slice(coins);
                let key_pair = ops::generate_key_pair(seed);
                seed.zeroize();
                let (sk, pk) = key_pair.into_parts();
                let mut sk_bytes: [u8; $sk] = sk.into();
                let sk_out = SecretBytes::from_slice(&sk_bytes);
                sk_bytes.zeroize();
                Ok((pk.as_slice().to_vec(), sk_out))
            }

            fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
                use $ops as ops;
                let public = public_key::<$pk>(concat!($name, " public key"), pk)?;
                let public = $types::$pk_t::from(public);
                check_len(concat!($name, " encapsulation coins (m)"), coins, 32)?;
                // FIPS 203 §7.2 input check (libcrux's encapsulate does not run it).
                if !ops::validate_public_key(&public) {
                    return Err(Error::InvalidEncoding(concat!(
                        $name,
                        " public key (a coefficient is not reduced mod q)"
                    )));
                }
                let mut m = [0u8; 32];
                m.copy_from_slice(coins);
                let (ct, mut ss) = ops::encapsulate(&public, m);
                m.zeroize();
                let ss_out = SecretBytes::from_slice(&ss);
                ss.zeroize();
                Ok((ct.as_slice().to_vec(), ss_out))
            }

            fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
                let what = [concat!($name, " secret key"), concat!($name, " ciphertext")];
                super::decapsulate_checked(self, what, sk, ct)
            }

            fn check_secret_key(&self, sk: &[u8]) -> Result<()> {
                // Our shared check rather than libcrux's `validate_private_key`:
                // the same SHA3-256, plus the modulus check of the embedded ek
                // that libcrux leaves out, so every backend accepts the same keys.
                super::check_expanded_dk(
                    concat!($name, " secret key"),
                    concat!($name, " secret key (H(ek) or ek check failed)"),
                    sk,
                    $k,
                )
            }

            fn decapsulate_prechecked(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
                use $ops as ops;
                check_len(concat!($name, " secret key"), sk, $sk)?;
                check_len(concat!($name, " ciphertext"), ct, $ct)?;
                // One copy of the key, wiped in place (lengths checked above).
                let mut private = $types::$sk_t::try_from(sk)
                    .map_err(|_| Error::Backend(concat!("libcrux ", $name, " secret key")))?;
                let ciphertext = $types::$ct_t::try_from(ct)
                    .map_err(|_| Error::Backend(concat!("libcrux ", $name, " ciphertext")))?;
                let mut ss = ops::decapsulate(&private, &ciphertext);
                let out = SecretBytes::from_slice(&ss);
                ss.zeroize();
                private[0..].zeroize();
                Ok(out)
            }
        }
    };
}

/// Copies a public key of exactly `N` bytes into an array.
fn public_key<const N: usize>(what: &'static str, pk: &[u8]) -> Result<[u8; N]> {
    check_len(what, pk, N)?;
    let mut out = [0u8; N];
    out.copy_from_slice(pk);
    Ok(out)
}

libcrux_kem!(
    /// ML-KEM-512 (FIPS 203) from libcrux.
    LibcruxMlKem512, ML_KEM_512, "ML-KEM-512", libcrux_ml_kem::mlkem512, mlkem512,
    MlKem512PublicKey, MlKem512PrivateKey, MlKem512Ciphertext,
    k = 2, pk = 800, sk = 1632, ct = 768
);
libcrux_kem!(
    /// ML-KEM-768 (FIPS 203) from libcrux.
    LibcruxMlKem768, ML_KEM_768, "ML-KEM-768", libcrux_ml_kem::mlkem768, mlkem768,
    MlKem768PublicKey, MlKem768PrivateKey, MlKem768Ciphertext,
    k = 3, pk = 1184, sk = 2400, ct = 1088
);
libcrux_kem!(
    /// ML-KEM-1024 (FIPS 203) from libcrux.
    LibcruxMlKem1024, ML_KEM_1024, "ML-KEM-1024", libcrux_ml_kem::mlkem1024, mlkem1024,
    MlKem1024PublicKey, MlKem1024PrivateKey, MlKem1024Ciphertext,
    k = 4, pk = 1568, sk = 3168, ct = 1568
);
libcrux_kem!(
    /// Kyber512, NIST round 3 (not FIPS 203), from libcrux.
    LibcruxKyber512, KYBER512, "Kyber512", libcrux_ml_kem::kyber512, mlkem512,
    MlKem512PublicKey, MlKem512PrivateKey, MlKem512Ciphertext,
    k = 2, pk = 800, sk = 1632, ct = 768
);
libcrux_kem!(
    /// Kyber768, NIST round 3 (not FIPS 203), from libcrux.
    LibcruxKyber768, KYBER768, "Kyber768", libcrux_ml_kem::kyber768, mlkem768,
    MlKem768PublicKey, MlKem768PrivateKey, MlKem768Ciphertext,
    k = 3, pk = 1184, sk = 2400, ct = 1088
);
libcrux_kem!(
    /// Kyber1024, NIST round 3 (not FIPS 203), from libcrux: the KEM of
    /// libsignal's PQXDH (key-type byte 0x08).
    LibcruxKyber1024, KYBER1024, "Kyber1024", libcrux_ml_kem::kyber1024, mlkem1024,
    MlKem1024PublicKey, MlKem1024PrivateKey, MlKem1024Ciphertext,
    k = 4, pk = 1568, sk = 3168, ct = 1568
);
