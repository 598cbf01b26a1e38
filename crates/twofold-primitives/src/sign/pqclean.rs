//! Pre-standard post-quantum signatures from the pqcrypto crates (PQClean C
//! code): Dilithium, Falcon-512 and SPHINCS+-SHA2-128f-simple, as detached
//! signatures over the raw message.
//!
//! pqcrypto hides its randomness, so every scheme here answers
//! `takes_coins() == false`: `generate` and `sign` ignore the injected rng
//! (PQClean calls the operating system), the `*_derand` forms return
//! [`Error::NoExplicitCoins`], and `sizes()` reports 0 coins.
//!
//! What the names mean, exactly:
//! * `Dilithium2/3/5`: pqcrypto-dilithium 0.4.6, PQClean's packaging of
//!   pq-crystals commit 61b51a7: the NIST round-3.1 submission (32-byte `tr`,
//!   secret keys 2528/4000/4864 bytes, signatures 2420/3293/4595 bytes).
//!   The pin matters: pqcrypto-dilithium 0.5 packages the FIPS 204 draft
//!   under the same names. Round-3 Dilithium does not interoperate with
//!   ML-DSA.
//! * `Falcon-512`: pqcrypto-falcon 0.4.1, the compressed (variable-length)
//!   signature format: a signature is at most 752 bytes, and shorter ones are
//!   accepted.
//! * `SPHINCS+-SHA2-128f-simple`: pqcrypto-sphincsplus 0.7.2, SPHINCS+ round
//!   3.1 (pre-FIPS 205, not SLH-DSA), signing randomized with `optrand`.
//!
//! Secret keys are the PQClean encodings. Malformed ones are refused where
//! the format allows a check: Dilithium keys get the same `s1`/`s2` range
//! check as ML-DSA, and a Falcon key that PQClean cannot decode makes it
//! return no signature, which becomes [`Error::InvalidEncoding`]. A crafted
//! Falcon key that decodes but is not an NTRU basis is not detected.

use pqcrypto_traits::sign::{
    DetachedSignature as PqDetachedSignature, PublicKey as PqPublicKey, SecretKey as PqSecretKey,
};
use twofold_core::{
    AlgorithmId, CryptoRng, Error, Result, SecretBytes, SigSizes, Signature, check_len,
};

use super::params::Params;

const DILITHIUM2: Params = Params {
    name: "Dilithium2",
    k: 4,
    l: 4,
    eta: 2,
    tr_len: 32,
    pk: pqcrypto_dilithium::dilithium2::public_key_bytes(),
    sk: pqcrypto_dilithium::dilithium2::secret_key_bytes(),
    sig: pqcrypto_dilithium::dilithium2::signature_bytes(),
    pk_what: "Dilithium2 public key",
    sk_what: "Dilithium2 secret key",
    sig_what: "Dilithium2 signature",
};

const DILITHIUM3: Params = Params {
    name: "Dilithium3",
    k: 6,
    l: 5,
    eta: 4,
    tr_len: 32,
    pk: pqcrypto_dilithium::dilithium3::public_key_bytes(),
    sk: pqcrypto_dilithium::dilithium3::secret_key_bytes(),
    sig: pqcrypto_dilithium::dilithium3::signature_bytes(),
    pk_what: "Dilithium3 public key",
    sk_what: "Dilithium3 secret key",
    sig_what: "Dilithium3 signature",
};

const DILITHIUM5: Params = Params {
    name: "Dilithium5",
    k: 8,
    l: 7,
    eta: 2,
    tr_len: 32,
    pk: pqcrypto_dilithium::dilithium5::public_key_bytes(),
    sk: pqcrypto_dilithium::dilithium5::secret_key_bytes(),
    sig: pqcrypto_dilithium::dilithium5::signature_bytes(),
    pk_what: "Dilithium5 public key",
    sk_what: "Dilithium5 secret key",
    sig_what: "Dilithium5 signature",
};

/// How a scheme's secret key is checked before PQClean sees it.
enum SkCheck {
    /// Length only.
    Length,
    /// Length and the Dilithium `s1`/`s2` coefficient range.
    Dilithium(&'static Params),
}

macro_rules! pqclean_backend {
    (
        $(#[$doc:meta])*
        $ty:ident, $static:ident, $name:literal, $krate:ident :: $m:ident,
        sk_check: $check:expr, variable_length_sig: $var:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $ty;

        #[doc = concat!("The registry instance of `", stringify!($ty), "`.")]
        pub static $static: $ty = $ty;

        impl $ty {
            const PK_WHAT: &'static str = concat!($name, " public key");
            const SK_WHAT: &'static str = concat!($name, " secret key");
            const SIG_WHAT: &'static str = concat!($name, " signature");
            const SK_CHECK: SkCheck = $check;

            fn check_sk(sk: &[u8]) -> Result<()> {
                match Self::SK_CHECK {
                    SkCheck::Length => check_len(Self::SK_WHAT, sk, $krate::$m::secret_key_bytes()),
                    SkCheck::Dilithium(p) => p.check_sk(sk),
                }
            }
        }

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

        impl Signature for $ty {
            fn sizes(&self) -> SigSizes {
                SigSizes {
                    pk: $krate::$m::public_key_bytes(),
                    sk: $krate::$m::secret_key_bytes(),
                    sig: $krate::$m::signature_bytes(),
                    keygen_coins: 0,
                    sign_coins: 0,
                }
            }

            fn generate_derand(&self, _coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
                Err(self.no_coins())
            }

            fn sign_derand(&self, _sk: &[u8], _msg: &[u8], _coins: &[u8]) -> Result<Vec<u8>> {
                Err(self.no_coins())
            }

            /// Ignores `rng`: PQClean draws its own randomness.
            fn generate(&self, _rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
                let (pk, mut sk) = $krate::$m::keypair();
                let out = (
                    pk.as_bytes().to_vec(),
                    SecretBytes::from_slice(sk.as_bytes()),
                );
                crate::wipe::pq_sign_secret_key(&mut sk);
                Ok(out)
            }

            /// Ignores `rng`: PQClean draws its own randomness (if the
            /// scheme signs randomized at all).
            fn sign(&self, sk: &[u8], msg: &[u8], _rng: &mut dyn CryptoRng) -> Result<Vec<u8>> {
                Self::check_sk(sk)?;
                let mut key = $krate::$m::SecretKey::from_bytes(sk)
                    .map_err(|_| Error::InvalidEncoding(Self::SK_WHAT))?;
                let sig = $krate::$m::detached_sign(msg, &key);
                crate::wipe::pq_sign_secret_key(&mut key);
                let sig = sig.as_bytes();
                // pqcrypto ignores PQClean's return code; a signing failure
                // (an undecodable key) shows as an empty signature.
                if sig.is_empty() {
                    return Err(Error::InvalidEncoding(Self::SK_WHAT));
                }
                Ok(sig.to_vec())
            }

            fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
                check_len(Self::PK_WHAT, pk, $krate::$m::public_key_bytes())?;
                let max = $krate::$m::signature_bytes();
                if $var {
                    if sig.len() > max {
                        return Err(Error::InvalidLength {
                            what: Self::SIG_WHAT,
                            expected: max,
                            actual: sig.len(),
                        });
                    }
                } else {
                    check_len(Self::SIG_WHAT, sig, max)?;
                }
                let pk = $krate::$m::PublicKey::from_bytes(pk)
                    .map_err(|_| Error::InvalidEncoding(Self::PK_WHAT))?;
                let sig = $krate::$m::DetachedSignature::from_bytes(sig)
                    .map_err(|_| Error::InvalidEncoding(Self::SIG_WHAT))?;
                $krate::$m::verify_detached_signature(&sig, msg, &pk)
                    .map_err(|_| Error::VerificationFailed)
            }
        }
    };
}

pqclean_backend!(
    /// Dilithium2 from pqcrypto-dilithium (round 3.1; see the module docs).
    PqcryptoDilithium2, DILITHIUM2_PQCRYPTO, "Dilithium2", pqcrypto_dilithium::dilithium2,
    sk_check: SkCheck::Dilithium(&DILITHIUM2), variable_length_sig: false
);
pqclean_backend!(
    /// Dilithium3 from pqcrypto-dilithium (round 3.1; see the module docs).
    PqcryptoDilithium3, DILITHIUM3_PQCRYPTO, "Dilithium3", pqcrypto_dilithium::dilithium3,
    sk_check: SkCheck::Dilithium(&DILITHIUM3), variable_length_sig: false
);
pqclean_backend!(
    /// Dilithium5 from pqcrypto-dilithium (round 3.1; see the module docs).
    PqcryptoDilithium5, DILITHIUM5_PQCRYPTO, "Dilithium5", pqcrypto_dilithium::dilithium5,
    sk_check: SkCheck::Dilithium(&DILITHIUM5), variable_length_sig: false
);
pqclean_backend!(
    /// Falcon-512 from pqcrypto-falcon (compressed, variable-length signatures).
    PqcryptoFalcon512, FALCON_512_PQCRYPTO, "Falcon-512", pqcrypto_falcon::falcon512,
    sk_check: SkCheck::Length, variable_length_sig: true
);
pqclean_backend!(
    /// SPHINCS+-SHA2-128f-simple (round 3.1) from pqcrypto-sphincsplus.
    PqcryptoSphincsSha2128fSimple, SPHINCS_SHA2_128F_SIMPLE_PQCRYPTO,
    "SPHINCS+-SHA2-128f-simple", pqcrypto_sphincsplus::sphincssha2128fsimple,
    sk_check: SkCheck::Length, variable_length_sig: false
);

/// Every implementation of this file.
pub fn all() -> Vec<&'static dyn Signature> {
    vec![
        &DILITHIUM2_PQCRYPTO,
        &DILITHIUM3_PQCRYPTO,
        &DILITHIUM5_PQCRYPTO,
        &FALCON_512_PQCRYPTO,
        &SPHINCS_SHA2_128F_SIMPLE_PQCRYPTO,
    ]
}
