//! Ed25519 (RFC 8032 §5.1, pure EdDSA over edwards25519) from ed25519-dalek
//! and aws-lc-rs.
//!
//! Encodings, identical for both backends:
//! * secret key: the 32-byte RFC 8032 private key (the "seed" that is hashed
//!   into the scalar and the nonce prefix); it is also the key-generation coins;
//! * public key: the 32-byte compressed point `A`;
//! * signature: the 64-byte `R || S`.
//!
//! Ed25519 signing is deterministic: `sign_coins` is 0 and `sign_derand`
//! requires an empty `coins` slice (anything else is an
//! [`Error::InvalidLength`], so a caller that believes it is injecting
//! randomness learns that it is not).
//!
//! Verification is "strict" in both backends, the rule of
//! ed25519-dalek's `verify_strict` (libsodium has similar ones): the cofactorless check
//! `R == [S]B - [k]A` (compared as encodings) with `S < L` (RFC 8032 §5.1.7),
//! plus the rejection of a small-order public key `A` or a small-order `R`.
//! RFC 8032 accepts those, but a small-order key has no private key and lets
//! anyone make "valid" signatures (with the identity as `A` and `R` and
//! `S = 0`, every message verifies), so accepting them serves no honest
//! signer.
//! AWS-LC's `ED25519_verify` does the RFC check; the small-order checks are
//! done here before it, with curve25519-dalek.

use twofold_core::{AlgorithmId, Error, Result, SecretBytes, SigSizes, Signature, check_len};
use zeroize::Zeroize;

/// Public-key length in bytes.
pub const PK_LEN: usize = 32;
/// Secret-key (seed) length in bytes.
pub const SK_LEN: usize = 32;
/// Signature length in bytes.
pub const SIG_LEN: usize = 64;

const SIZES: SigSizes = SigSizes {
    pk: PK_LEN,
    sk: SK_LEN,
    sig: SIG_LEN,
    keygen_coins: SK_LEN,
    sign_coins: 0,
};

/// Ed25519 from ed25519-dalek.
#[derive(Debug)]
pub struct DalekEd25519;

/// The registry instance (ed25519-dalek).
pub static ED25519_DALEK: DalekEd25519 = DalekEd25519;

/// Ed25519 from aws-lc-rs.
#[derive(Debug)]
pub struct AwsLcEd25519;

/// The registry instance (aws-lc-rs).
pub static ED25519_AWSLC: AwsLcEd25519 = AwsLcEd25519;

/// Deterministic signing takes no coins; refuse any, rather than ignore them.
fn check_no_coins(coins: &[u8]) -> Result<()> {
    check_len("Ed25519 signing coins (deterministic: none)", coins, 0)
}

fn dalek_signing_key(sk: &[u8]) -> Result<ed25519_dalek::SigningKey> {
    check_len("Ed25519 secret key", sk, SK_LEN)?;
    let mut seed = [0u8; SK_LEN];
    seed.copy_from_slice(sk);
    // SigningKey zeroizes itself on drop (feature "zeroize", on by default).
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    seed.zeroize();
    Ok(key)
}

impl AlgorithmId for DalekEd25519 {
    fn name(&self) -> &'static str {
        "Ed25519"
    }
    fn backend(&self) -> &'static str {
        "dalek"
    }
}

impl Signature for DalekEd25519 {
    fn sizes(&self) -> SigSizes {
        SIZES
    }

    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        check_len("Ed25519 key-generation coins", coins, SK_LEN)?;
        let key = dalek_signing_key(coins)?;
        Ok((
            key.verifying_key().to_bytes().to_vec(),
            SecretBytes::from_slice(coins),
        ))
    }

    fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>> {
        check_no_coins(coins)?;
        let key = dalek_signing_key(sk)?;
        Ok(ed25519_dalek::Signer::sign(&key, msg).to_bytes().to_vec())
    }

    fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
        check_len("Ed25519 public key", pk, PK_LEN)?;
        check_len("Ed25519 signature", sig, SIG_LEN)?;
        let mut pk_bytes = [0u8; PK_LEN];
        pk_bytes.copy_from_slice(pk);
        // A public key that does not decode to a curve point cannot verify
        // anything: that is a verification failure, not a caller error.
        let vk = ed25519_dalek::VerifyingKey::from_bytes(&pk_bytes)
            .map_err(|_| Error::VerificationFailed)?;
        let mut sig_bytes = [0u8; SIG_LEN];
        sig_bytes.copy_from_slice(sig);
        let sig = ed25519_dalek::Signature::from_bytes(&sig_bytes);
        vk.verify_strict(msg, &sig)
            .map_err(|_| Error::VerificationFailed)
    }
}

/// Fails unless `point` (32 bytes) decodes to a point of large order: the
/// checks `verify_strict` adds to RFC 8032, for the AWS-LC backend.
fn reject_small_order(point: &[u8]) -> Result<()> {
    let mut bytes = [0u8; 32];
    bytes.copy_from_slice(point);
    match curve25519_dalek::edwards::CompressedEdwardsY(bytes).decompress() {
        Some(p) if !p.is_small_order() => Ok(()),
        _ => Err(Error::VerificationFailed),
    }
}

fn awslc_key_pair(sk: &[u8]) -> Result<aws_lc_rs::signature::Ed25519KeyPair> {
    check_len("Ed25519 secret key", sk, SK_LEN)?;
    // Every 32-byte string is a valid seed; a rejection is an internal
    // failure. The key lives in an EVP_PKEY that AWS-LC cleanses when freed.
    aws_lc_rs::signature::Ed25519KeyPair::from_seed_unchecked(sk)
        .map_err(|_| Error::Backend("aws-lc Ed25519 key import"))
}

impl AlgorithmId for AwsLcEd25519 {
    fn name(&self) -> &'static str {
        "Ed25519"
    }
    fn backend(&self) -> &'static str {
        "aws-lc"
    }
}

impl Signature for AwsLcEd25519 {
    fn sizes(&self) -> SigSizes {
        SIZES
    }

    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        use aws_lc_rs::signature::KeyPair;
        check_len("Ed25519 key-generation coins", coins, SK_LEN)?;
        let kp = awslc_key_pair(coins)?;
        Ok((
            kp.public_key().as_ref().to_vec(),
            SecretBytes::from_slice(coins),
        ))
    }

    fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>> {
        check_no_coins(coins)?;
        let kp = awslc_key_pair(sk)?;
        let sig = kp
            .try_sign(msg)
            .map_err(|_| Error::Backend("aws-lc Ed25519 signing"))?;
        Ok(sig.as_ref().to_vec())
    }

    fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
        check_len("Ed25519 public key", pk, PK_LEN)?;
        check_len("Ed25519 signature", sig, SIG_LEN)?;
        reject_small_order(pk)?;
        reject_small_order(&sig[..32])?;
        aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::ED25519, pk)
            .verify(msg, sig)
            .map_err(|_| Error::VerificationFailed)
    }
}
