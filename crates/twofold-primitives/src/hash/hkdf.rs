//! HKDF (RFC 5869): from the RustCrypto `hkdf` crate, from aws-lc-rs, and
//! [`HkdfOver`], our own RFC 5869 over any [`Hash`] trait object.
//!
//! Conventions shared by every implementation here, so that all backends
//! accept exactly the same inputs:
//!
//! * `extract` with an empty salt uses `HashLen` zero bytes (RFC 5869 §2.2).
//!   (HMAC zero-pads its key to the block length, so the empty string and
//!   `HashLen` zeros give the same PRK; the zeros are spelled out anyway.)
//! * `expand` takes a PRK of exactly `HashLen` bytes, the output of
//!   `extract`. RFC 5869 §2.3 allows longer PRKs, but aws-lc-rs caps them at
//!   64 bytes; a single rule for every backend keeps them interchangeable.
//!   Any other length is [`Error::InvalidLength`].
//! * `expand` to more than `255 * HashLen` bytes is [`Error::Misuse`]
//!   (RFC 5869 §2.3: `L <= 255*HashLen`). Zero bytes of output are allowed.

use std::fmt;
use std::marker::PhantomData;

use aws_lc_rs::hkdf as lc_hkdf;
use aws_lc_rs::hmac as lc_hmac;
use hmac::EagerHash;
use hmac::digest::OutputSizeUser;
use hmac::digest::typenum::Unsigned;
use sha2::{Sha256, Sha512};
use twofold_core::{AlgorithmId, Error, Hash, Kdf, Result, SecretBytes, check_len};
use zeroize::Zeroize;

use super::rustcrypto;

/// RFC 5869 §2.3: at most 255 blocks of output.
const MAX_BLOCKS: usize = 255;

/// The error for an output longer than `255 * HashLen`.
fn too_long() -> Error {
    Error::Misuse("HKDF-Expand output longer than 255 * HashLen")
}

/// Checks `len <= 255 * hash_len`.
fn check_output_len(len: usize, hash_len: usize) -> Result<()> {
    if len > MAX_BLOCKS.saturating_mul(hash_len) {
        Err(too_long())
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// RustCrypto `hkdf`
// ---------------------------------------------------------------------------

/// HKDF over the hash `H` from the RustCrypto `hkdf` crate.
pub struct RustCryptoHkdf<H> {
    name: &'static str,
    prk_what: &'static str,
    _hash: PhantomData<fn() -> H>,
}

impl<H> fmt::Debug for RustCryptoHkdf<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RustCryptoHkdf({})", self.name)
    }
}

/// HKDF-SHA256 from the `hkdf` crate.
pub static HKDF_SHA256_RUSTCRYPTO: RustCryptoHkdf<Sha256> = RustCryptoHkdf {
    name: "HKDF-SHA256",
    prk_what: "HKDF-SHA256 PRK",
    _hash: PhantomData,
};

/// HKDF-SHA512 from the `hkdf` crate.
pub static HKDF_SHA512_RUSTCRYPTO: RustCryptoHkdf<Sha512> = RustCryptoHkdf {
    name: "HKDF-SHA512",
    prk_what: "HKDF-SHA512 PRK",
    _hash: PhantomData,
};

impl<H> AlgorithmId for RustCryptoHkdf<H> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        "rustcrypto"
    }
}

impl<H: EagerHash> Kdf for RustCryptoHkdf<H> {
    fn prk_len(&self) -> usize {
        <H as OutputSizeUser>::OutputSize::USIZE
    }

    fn extract(&self, salt: &[u8], ikm: &[u8]) -> SecretBytes {
        // `None` is the crate's spelling of "HashLen zero bytes".
        let salt = if salt.is_empty() { None } else { Some(salt) };
        let (mut prk, _expander) = hkdf::Hkdf::<H>::extract(salt, ikm);
        let out = SecretBytes::from_slice(&prk);
        prk.as_mut_slice().zeroize();
        out
    }

    fn expand(&self, prk: &[u8], info: &[u8], len: usize) -> Result<SecretBytes> {
        check_len(self.prk_what, prk, self.prk_len())?;
        check_output_len(len, self.prk_len())?;
        // The PRK length was checked above (`from_prk` only refuses PRKs
        // shorter than HashLen).
        let hk = hkdf::Hkdf::<H>::from_prk(prk).map_err(|_| Error::Backend(self.name))?;
        let mut okm = SecretBytes::zeroed(len);
        hk.expand(info, okm.expose_mut()).map_err(|_| too_long())?;
        Ok(okm)
    }
}

// ---------------------------------------------------------------------------
// aws-lc-rs
// ---------------------------------------------------------------------------

/// HKDF from aws-lc-rs.
///
/// aws-lc-rs sizes its output through a [`lc_hkdf::KeyType`]; a private `OkmLen`
/// carries an arbitrary byte count, so every length up to `255 * HashLen`
/// is available. aws-lc-rs does not expose the PRK of its extract step, so
/// [`Kdf::extract`] computes it by its definition, `HMAC-Hash(salt, IKM)`,
/// with aws-lc's HMAC; [`Kdf::derive`] calls AWS-LC's one-shot `HKDF`.
pub struct AwsLcHkdf {
    name: &'static str,
    prk_what: &'static str,
    algorithm: lc_hkdf::Algorithm,
}

impl fmt::Debug for AwsLcHkdf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AwsLcHkdf({})", self.name)
    }
}

/// HKDF-SHA256 from aws-lc-rs.
pub static HKDF_SHA256_AWSLC: AwsLcHkdf = AwsLcHkdf {
    name: "HKDF-SHA256",
    prk_what: "HKDF-SHA256 PRK",
    algorithm: lc_hkdf::HKDF_SHA256,
};

/// HKDF-SHA512 from aws-lc-rs.
pub static HKDF_SHA512_AWSLC: AwsLcHkdf = AwsLcHkdf {
    name: "HKDF-SHA512",
    prk_what: "HKDF-SHA512 PRK",
    algorithm: lc_hkdf::HKDF_SHA512,
};

/// An output length for aws-lc-rs' `Prk::expand`.
struct OkmLen(usize);

impl lc_hkdf::KeyType for OkmLen {
    fn len(&self) -> usize {
        self.0
    }
}

impl AwsLcHkdf {
    fn hash_len(&self) -> usize {
        self.algorithm
            .hmac_algorithm()
            .digest_algorithm()
            .output_len()
    }

    /// The salt, with an empty one replaced by `HashLen` zero bytes.
    fn salt_or_zeros<'a>(&self, salt: &'a [u8], zeros: &'a [u8]) -> &'a [u8] {
        if salt.is_empty() { zeros } else { salt }
    }
}

impl AlgorithmId for AwsLcHkdf {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        "aws-lc"
    }
}

impl Kdf for AwsLcHkdf {
    fn prk_len(&self) -> usize {
        self.hash_len()
    }

    fn extract(&self, salt: &[u8], ikm: &[u8]) -> SecretBytes {
        let zeros = vec![0u8; self.hash_len()];
        let key = lc_hmac::Key::new(
            self.algorithm.hmac_algorithm(),
            self.salt_or_zeros(salt, &zeros),
        );
        SecretBytes::from_slice(lc_hmac::sign(&key, ikm).as_ref())
    }

    fn expand(&self, prk: &[u8], info: &[u8], len: usize) -> Result<SecretBytes> {
        check_len(self.prk_what, prk, self.hash_len())?;
        check_output_len(len, self.hash_len())?;
        // `new_less_safe` panics only for PRKs over 64 bytes; this one is
        // exactly HashLen (32 or 64). aws-lc-rs wipes its copy on drop.
        let prk = lc_hkdf::Prk::new_less_safe(self.algorithm, prk);
        let info = [info];
        let okm = prk.expand(&info, OkmLen(len)).map_err(|_| too_long())?;
        let mut out = SecretBytes::zeroed(len);
        okm.fill(out.expose_mut())
            .map_err(|_| Error::Backend(self.name))?;
        Ok(out)
    }

    fn derive(&self, salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> Result<SecretBytes> {
        check_output_len(len, self.hash_len())?;
        let zeros = vec![0u8; self.hash_len()];
        let salt = lc_hkdf::Salt::new(self.algorithm, self.salt_or_zeros(salt, &zeros));
        // The PRK object keeps a zeroizing copy of the IKM and runs AWS-LC's
        // one-shot HKDF (extract and expand) in `fill`.
        let prk = salt.extract(ikm);
        let info = [info];
        let okm = prk.expand(&info, OkmLen(len)).map_err(|_| too_long())?;
        let mut out = SecretBytes::zeroed(len);
        okm.fill(out.expose_mut())
            .map_err(|_| Error::Backend(self.name))?;
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// RFC 5869 over any Hash
// ---------------------------------------------------------------------------

/// HKDF (RFC 5869) over any [`Hash`], written from the RFC:
///
/// ```text
/// PRK  = HMAC-Hash(salt, IKM)                     (salt "" => HashLen zeros)
/// T(0) = ""
/// T(i) = HMAC-Hash(PRK, T(i-1) || info || i)      (i as one octet, 1..=255)
/// OKM  = first L octets of T(1) || T(2) || ...
/// ```
///
/// Registered as `HKDF-BLAKE2s` and `HKDF-BLAKE2b` (the HKDF of Noise suites
/// with a BLAKE2 hash); over SHA-256 it must equal `HKDF-SHA256`, which the
/// differential tests check.
pub struct HkdfOver {
    name: &'static str,
    hash: &'static dyn Hash,
}

impl HkdfOver {
    /// HKDF over `hash`, reporting `name` (spell it `HKDF-` + the hash name,
    /// e.g. `HKDF-BLAKE2s`).
    pub const fn new(name: &'static str, hash: &'static dyn Hash) -> Self {
        Self { name, hash }
    }

    /// The underlying hash.
    pub fn hash(&self) -> &'static dyn Hash {
        self.hash
    }
}

impl fmt::Debug for HkdfOver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HkdfOver({} over {})", self.name, self.hash.id())
    }
}

/// HKDF over BLAKE2s-256 (HashLen 32).
pub static HKDF_BLAKE2S: HkdfOver = HkdfOver::new("HKDF-BLAKE2s", &rustcrypto::BLAKE2S);

/// HKDF over BLAKE2b-512 (HashLen 64).
pub static HKDF_BLAKE2B: HkdfOver = HkdfOver::new("HKDF-BLAKE2b", &rustcrypto::BLAKE2B);

impl AlgorithmId for HkdfOver {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        "twofold"
    }
}

impl Kdf for HkdfOver {
    fn prk_len(&self) -> usize {
        self.hash.output_len()
    }

    fn extract(&self, salt: &[u8], ikm: &[u8]) -> SecretBytes {
        if salt.is_empty() {
            let zeros = vec![0u8; self.hash.output_len()];
            self.hash.hmac(&zeros, &[ikm])
        } else {
            self.hash.hmac(salt, &[ikm])
        }
    }

    fn expand(&self, prk: &[u8], info: &[u8], len: usize) -> Result<SecretBytes> {
        let hash_len = self.hash.output_len();
        check_len("HKDF PRK", prk, hash_len)?;
        check_output_len(len, hash_len)?;
        let mut okm = SecretBytes::zeroed(len);
        let mut t = SecretBytes::new(Vec::new());
        // `len <= 255 * hash_len` (checked), so the counter fits one octet.
        for (counter, chunk) in (1..=u8::MAX).zip(okm.expose_mut().chunks_mut(hash_len.max(1))) {
            t = self.hash.hmac(prk, &[t.expose(), info, &[counter]]);
            // `chunk` is at most HashLen bytes long, the length of `t`.
            chunk.copy_from_slice(&t.expose()[..chunk.len()]);
        }
        Ok(okm)
    }
}
