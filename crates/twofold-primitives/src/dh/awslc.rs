//! X25519 and P-256 ECDH from aws-lc-rs (AWS-LC, a BoringSSL fork).
//!
//! aws-lc-rs takes a raw secret key for both (`PrivateKey::from_private_key`:
//! the 32 RFC 7748 bytes, or the big-endian P-256 scalar), so both backends
//! take explicit coins. AWS-LC keeps the key in an `EVP_PKEY`, and its
//! `OPENSSL_free` cleanses every allocation it releases.

use aws_lc_rs::agreement::{
    self, Algorithm, ParsedPublicKey, ParsedPublicKeyFormat, PrivateKey, UnparsedPublicKey,
};
use subtle::ConstantTimeEq;
use twofold_core::{AlgorithmId, CryptoRng, Dh, DhSizes, Error, Result, SecretBytes, check_len};

use super::{P256_BAD_SCALAR, P256_SIZES, check_p256_public, generate_p256};

/// X25519 (RFC 7748) from aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcX25519;

/// The registry instance.
pub static X25519: AwsLcX25519 = AwsLcX25519;

/// P-256 ECDH (SEC 1 §3.3.1) from aws-lc-rs. Encodings and checks: see
/// [`super`].
#[derive(Debug)]
pub struct AwsLcP256;

/// The registry instance.
pub static P256: AwsLcP256 = AwsLcP256;

/// Imports `len` raw secret-key bytes for `alg`; `refused` is the error when
/// AWS-LC rejects bytes of the right length.
fn private_key(
    alg: &'static Algorithm,
    what: &'static str,
    sk: &[u8],
    len: usize,
    refused: Error,
) -> Result<PrivateKey> {
    check_len(what, sk, len)?;
    PrivateKey::from_private_key(alg, sk).map_err(|_| refused)
}

/// The secret key's public key, in the encoding aws-lc-rs gives: the raw
/// u-coordinate for X25519, the uncompressed SEC 1 point for P-256.
fn public_of(key: &PrivateKey, failed: &'static str) -> Result<Vec<u8>> {
    let pk = key
        .compute_public_key()
        .map_err(|_| Error::Backend(failed))?;
    Ok(pk.as_ref().to_vec())
}

/// Runs the agreement and copies the raw secret out of the buffer aws-lc-rs
/// zeroizes itself. `check` sees the secret first. `failed` is the error
/// when AWS-LC refuses to derive, which the callers map per algorithm.
fn agree(
    key: &PrivateKey,
    peer: ParsedPublicKey,
    failed: Error,
    check: impl FnOnce(&[u8]) -> Result<()>,
) -> Result<SecretBytes> {
    agreement::agree(key, peer, failed, |shared| {
        if shared.len() != 32 {
            return Err(Error::Backend("aws-lc agreement output length"));
        }
        check(shared)?;
        Ok(SecretBytes::from_slice(shared))
    })
}

/// The 32 X25519 secret-key bytes. AWS-LC clamps them itself, exactly as
/// RFC 7748 §5 `decodeScalar25519` does.
fn x25519_private(sk: &[u8]) -> Result<PrivateKey> {
    // Every 32-byte string is a valid X25519 secret key, so a rejection can
    // only be an internal failure.
    private_key(
        &agreement::X25519,
        "X25519 secret key",
        sk,
        32,
        Error::Backend("aws-lc X25519 private-key import"),
    )
}

fn x25519_public(pk: &[u8]) -> Result<ParsedPublicKey> {
    check_len("X25519 public key", pk, 32)?;
    // Every 32-byte string is accepted as a raw u-coordinate (RFC 7748 §5:
    // implementations must accept non-canonical values and mask the top bit).
    ParsedPublicKey::try_from(UnparsedPublicKey::new(&agreement::X25519, pk))
        .map_err(|_| Error::InvalidEncoding("X25519 public key"))
}

/// The P-256 scalar. AWS-LC refuses 0 and every value >= n
/// (`EC_KEY_set_private_key`), the only rejections once the length is right.
/// The import also computes the public point, which every use of the key
/// pays for: aws-lc-rs has no way to load a bare scalar.
fn p256_private(sk: &[u8]) -> Result<PrivateKey> {
    private_key(
        &agreement::ECDH_P256,
        "P-256 secret key",
        sk,
        P256_SIZES.sk,
        P256_BAD_SCALAR,
    )
}

fn p256_public(pk: &[u8]) -> Result<ParsedPublicKey> {
    check_p256_public(pk)?;
    // AWS-LC refuses coordinates >= p, points off the curve and the
    // identity. aws-lc-rs would also parse a DER SubjectPublicKeyInfo or a
    // compressed point; the checks above already exclude both, and the
    // format check keeps it that way whatever aws-lc-rs guesses.
    let off_curve = Error::InvalidEncoding("P-256 public key (not a point of the curve)");
    let parsed = ParsedPublicKey::try_from(UnparsedPublicKey::new(&agreement::ECDH_P256, pk))
        .map_err(|_| off_curve.clone())?;
    if parsed.format() != ParsedPublicKeyFormat::Uncompressed {
        return Err(off_curve);
    }
    Ok(parsed)
}

impl AlgorithmId for AwsLcX25519 {
    fn name(&self) -> &'static str {
        "X25519"
    }
    fn backend(&self) -> &'static str {
        "aws-lc"
    }
}

impl Dh for AwsLcX25519 {
    fn sizes(&self) -> DhSizes {
        DhSizes {
            pk: 32,
            sk: 32,
            shared: 32,
        }
    }

    fn public_key(&self, sk: &[u8]) -> Result<Vec<u8>> {
        public_of(&x25519_private(sk)?, "aws-lc X25519 public key")
    }

    fn dh(&self, sk: &[u8], pk: &[u8]) -> Result<SecretBytes> {
        let key = x25519_private(sk)?;
        let peer = x25519_public(pk)?;
        // AWS-LC's X25519 (like BoringSSL's) refuses an all-zero result, which
        // is the only way the derivation fails once both keys are parsed; the
        // check runs again on the output so the mapping to LowOrderPoint does
        // not rest on that library detail alone.
        agree(&key, peer, Error::LowOrderPoint, |shared| {
            if bool::from(shared.ct_eq(&[0u8; 32])) {
                return Err(Error::LowOrderPoint);
            }
            Ok(())
        })
    }
}

impl AlgorithmId for AwsLcP256 {
    fn name(&self) -> &'static str {
        "P-256"
    }
    fn backend(&self) -> &'static str {
        "aws-lc"
    }
}

impl Dh for AwsLcP256 {
    fn sizes(&self) -> DhSizes {
        P256_SIZES
    }

    fn public_key(&self, sk: &[u8]) -> Result<Vec<u8>> {
        public_of(&p256_private(sk)?, "aws-lc P-256 public key")
    }

    fn dh(&self, sk: &[u8], pk: &[u8]) -> Result<SecretBytes> {
        let key = p256_private(sk)?;
        let peer = p256_public(pk)?;
        // With a scalar in [1, n - 1] and a point of the prime-order group
        // the product is never the identity, so a refusal here is internal.
        // An all-zero x-coordinate is a valid result (see `super`).
        agree(&key, peer, Error::Backend("aws-lc P-256 ECDH"), |_| Ok(()))
    }

    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        generate_p256(self, rng)
    }
}
