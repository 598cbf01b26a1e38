//! X25519 from aws-lc-rs (AWS-LC, a BoringSSL fork).

use aws_lc_rs::agreement::{self, ParsedPublicKey, PrivateKey, UnparsedPublicKey};
use subtle::ConstantTimeEq;
use twofold_core::{AlgorithmId, Dh, DhSizes, Error, Result, SecretBytes, check_len};

/// X25519 (RFC 7748) from aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcX25519;

/// The registry instance.
pub static X25519: AwsLcX25519 = AwsLcX25519;

/// Imports the 32 raw secret-key bytes. AWS-LC clamps them itself, exactly
/// as RFC 7748 §5 `decodeScalar25519` does, and keeps the key in an
/// `EVP_PKEY` that it cleanses when freed.
fn private_key(sk: &[u8]) -> Result<PrivateKey> {
    check_len("X25519 secret key", sk, 32)?;
    // The length is checked above and every 32-byte string is a valid
    // X25519 secret key, so a rejection can only be an internal failure.
    PrivateKey::from_private_key(&agreement::X25519, sk)
        .map_err(|_| Error::Backend("aws-lc X25519 private-key import"))
}

fn public_key(pk: &[u8]) -> Result<ParsedPublicKey> {
    check_len("X25519 public key", pk, 32)?;
    // Every 32-byte string is accepted as a raw u-coordinate (RFC 7748 §5:
    // implementations must accept non-canonical values and mask the top bit).
    ParsedPublicKey::try_from(UnparsedPublicKey::new(&agreement::X25519, pk))
        .map_err(|_| Error::InvalidEncoding("X25519 public key"))
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
        let key = private_key(sk)?;
        let pk = key
            .compute_public_key()
            .map_err(|_| Error::Backend("aws-lc X25519 public key"))?;
        Ok(pk.as_ref().to_vec())
    }

    fn dh(&self, sk: &[u8], pk: &[u8]) -> Result<SecretBytes> {
        let key = private_key(sk)?;
        let peer = public_key(pk)?;
        // AWS-LC's X25519 (like BoringSSL's) refuses an all-zero result, which
        // is the only way the derivation fails once both keys are parsed; the
        // closure checks the output again so the mapping to LowOrderPoint does
        // not rest on that library detail alone. aws-lc-rs hands the raw
        // secret in a buffer it zeroizes itself; our copy is a SecretBytes.
        agreement::agree(&key, peer, Error::LowOrderPoint, |shared| {
            if shared.len() != 32 {
                return Err(Error::Backend("aws-lc X25519 output length"));
            }
            if bool::from(shared.ct_eq(&[0u8; 32])) {
                return Err(Error::LowOrderPoint);
            }
            Ok(SecretBytes::from_slice(shared))
        })
    }
}
