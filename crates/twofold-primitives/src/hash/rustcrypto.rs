//! SHA-256, SHA-512 (FIPS 180-4), SHA3-256 (FIPS 202), BLAKE2s-256 and
//! BLAKE2b-512 (RFC 7693) with their HMAC (RFC 2104), and the SHAKE128 /
//! SHAKE256 XOFs (FIPS 202), from the RustCrypto `sha2`, `sha3`, `blake2` and
//! `hmac` crates.
//!
//! SHA-2 and SHA-3 use `hmac::Hmac`, which works on the hash's block-level
//! core. BLAKE2 processes its last block lazily and has no such core, so it
//! uses `hmac::SimpleHmac`, the same RFC 2104 construction over the plain
//! `Digest` interface (block 64 bytes for BLAKE2s, 128 for BLAKE2b). Keyed
//! BLAKE2 (RFC 7693's MAC mode) is a different function and is not used.

use std::fmt;
use std::marker::PhantomData;

use blake2::{Blake2b512, Blake2s256};
use hmac::digest::common::BlockSizeUser;
use hmac::digest::typenum::Unsigned;
use hmac::digest::{Digest, ExtendableOutput, Update, XofReader};
use hmac::{Hmac, KeyInit, Mac, SimpleHmac};
use sha2::{Sha256, Sha512};
use sha3::{Sha3_256, Shake128, Shake256};
use twofold_core::{AlgorithmId, Hash, SecretBytes, Xof};
use zeroize::Zeroize;

/// A hash function `D` with its HMAC `M`, from RustCrypto crates.
pub struct RustCryptoHash<D, M> {
    name: &'static str,
    // No `D` or `M` value is stored; `fn() -> _` keeps the type Send + Sync.
    _types: PhantomData<fn() -> (D, M)>,
}

impl<D, M> RustCryptoHash<D, M> {
    const fn new(name: &'static str) -> Self {
        Self {
            name,
            _types: PhantomData,
        }
    }
}

impl<D, M> fmt::Debug for RustCryptoHash<D, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RustCryptoHash({})", self.name)
    }
}

/// SHA-256 with HMAC-SHA256.
pub static SHA256: RustCryptoHash<Sha256, Hmac<Sha256>> = RustCryptoHash::new("SHA-256");
/// SHA-512 with HMAC-SHA512.
pub static SHA512: RustCryptoHash<Sha512, Hmac<Sha512>> = RustCryptoHash::new("SHA-512");
/// SHA3-256 with HMAC-SHA3-256 (block = the 136-byte rate).
pub static SHA3_256: RustCryptoHash<Sha3_256, Hmac<Sha3_256>> = RustCryptoHash::new("SHA3-256");
/// BLAKE2s-256 (unkeyed) with HMAC-BLAKE2s (RFC 2104, 64-byte block).
pub static BLAKE2S: RustCryptoHash<Blake2s256, SimpleHmac<Blake2s256>> =
    RustCryptoHash::new("BLAKE2s");
/// BLAKE2b-512 (unkeyed) with HMAC-BLAKE2b (RFC 2104, 128-byte block).
pub static BLAKE2B: RustCryptoHash<Blake2b512, SimpleHmac<Blake2b512>> =
    RustCryptoHash::new("BLAKE2b");

impl<D, M> AlgorithmId for RustCryptoHash<D, M> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        "rustcrypto"
    }
}

impl<D, M> Hash for RustCryptoHash<D, M>
where
    D: Digest + BlockSizeUser,
    M: Mac + KeyInit,
{
    fn output_len(&self) -> usize {
        <D as Digest>::output_size()
    }

    fn block_len(&self) -> usize {
        D::BlockSize::USIZE
    }

    fn hash(&self, parts: &[&[u8]]) -> Vec<u8> {
        let mut h = D::new();
        for part in parts {
            Digest::update(&mut h, part);
        }
        h.finalize().to_vec()
    }

    fn hmac(&self, key: &[u8], parts: &[&[u8]]) -> SecretBytes {
        // HMAC is defined for keys of every length (RFC 2104 §2: longer keys
        // are hashed, shorter ones zero-padded), and both `Hmac` and
        // `SimpleHmac` implement `new_from_slice` without an error path.
        let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
        for part in parts {
            Mac::update(&mut mac, part);
        }
        let mut tag = mac.finalize().into_bytes();
        let out = SecretBytes::from_slice(&tag);
        tag.as_mut_slice().zeroize();
        out
    }
}

/// An extendable-output function `X` from the RustCrypto `sha3` crate.
pub struct RustCryptoXof<X> {
    name: &'static str,
    _xof: PhantomData<fn() -> X>,
}

impl<X> fmt::Debug for RustCryptoXof<X> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RustCryptoXof({})", self.name)
    }
}

/// SHAKE128 (FIPS 202).
pub static SHAKE128: RustCryptoXof<Shake128> = RustCryptoXof {
    name: "SHAKE128",
    _xof: PhantomData,
};
/// SHAKE256 (FIPS 202).
pub static SHAKE256: RustCryptoXof<Shake256> = RustCryptoXof {
    name: "SHAKE256",
    _xof: PhantomData,
};

impl<X> AlgorithmId for RustCryptoXof<X> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn backend(&self) -> &'static str {
        "rustcrypto"
    }
}

impl<X> Xof for RustCryptoXof<X>
where
    X: Default + Update + ExtendableOutput,
{
    fn xof(&self, parts: &[&[u8]], out: &mut [u8]) {
        let mut x = X::default();
        for part in parts {
            Update::update(&mut x, part);
        }
        x.finalize_xof().read(out);
    }
}
