//! P-256 ECDH from RustCrypto's `p256` (pure Rust). Encodings and checks:
//! see [`super`].

use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{FieldBytes, NonZeroScalar, PublicKey, ecdh};
use twofold_core::{AlgorithmId, CryptoRng, Dh, DhSizes, Error, Result, SecretBytes, check_len};
use zeroize::{Zeroize, Zeroizing};

use super::{P256_BAD_SCALAR, P256_SIZES, check_p256_public, generate_p256};

/// P-256 ECDH (SEC 1 §3.3.1) from the `p256` crate.
#[derive(Debug)]
pub struct RustCryptoP256;

/// The registry instance.
pub static P256: RustCryptoP256 = RustCryptoP256;

/// Decodes the secret scalar. `NonZeroScalar` is not wiped on drop by
/// itself, hence the `Zeroizing` wrapper; the byte copy is wiped here.
fn scalar(sk: &[u8]) -> Result<Zeroizing<NonZeroScalar>> {
    check_len("P-256 secret key", sk, P256_SIZES.sk)?;
    let mut bytes = FieldBytes::default();
    bytes.copy_from_slice(sk);
    // `from_repr` refuses 0 and every value >= n, in constant time.
    let s = NonZeroScalar::from_repr(bytes).into_option();
    bytes.zeroize();
    s.map(Zeroizing::new).ok_or(P256_BAD_SCALAR)
}

fn public(pk: &[u8]) -> Result<PublicKey> {
    check_p256_public(pk)?;
    // Refuses coordinates >= p, points off the curve and the identity.
    PublicKey::from_sec1_bytes(pk)
        .map_err(|_| Error::InvalidEncoding("P-256 public key (not a point of the curve)"))
}

impl AlgorithmId for RustCryptoP256 {
    fn name(&self) -> &'static str {
        "P-256"
    }
    fn backend(&self) -> &'static str {
        "rustcrypto"
    }
}

impl Dh for RustCryptoP256 {
    fn sizes(&self) -> DhSizes {
        P256_SIZES
    }

    fn public_key(&self, sk: &[u8]) -> Result<Vec<u8>> {
        let point = PublicKey::from_secret_scalar(&*scalar(sk)?);
        Ok(point.to_sec1_point(false).as_bytes().to_vec())
    }

    fn dh(&self, sk: &[u8], pk: &[u8]) -> Result<SecretBytes> {
        let s = scalar(sk)?;
        let peer = public(pk)?;
        // `SharedSecret` wipes itself on drop; our copy is a SecretBytes.
        let shared = ecdh::diffie_hellman(&*s, peer.as_affine());
        Ok(SecretBytes::from_slice(shared.raw_secret_bytes()))
    }

    fn generate(&self, rng: &mut dyn CryptoRng) -> Result<(Vec<u8>, SecretBytes)> {
        generate_p256(self, rng)
    }
}
