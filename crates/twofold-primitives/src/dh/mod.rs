//! Diffie-Hellman backends: X25519 (RFC 7748) and P-256 ECDH.
//!
//! Every backend of one algorithm uses the same encodings, so keys move
//! freely between them. X25519 values are the 32-byte strings of RFC 7748 §5.
//! P-256 is the curve of NIST SP 800-186 (secp256r1 in SEC 2):
//! * public key: the SEC 1 §2.3.3 uncompressed point `0x04 || X || Y`
//!   (65 bytes). Compressed points (`0x02`/`0x03`), the hybrid form and
//!   the identity are refused ([`Error::InvalidEncoding`]): one encoding
//!   per key keeps byte-exact vectors simple and keeps square roots off the
//!   parsing path. Every public key must lie on the curve with both
//!   coordinates below `p`: the partial validation of SP 800-56A rev 3
//!   §5.6.2.3.4. The one further check of full validation, `n·Q = O`,
//!   holds for every point of a curve of prime order such as P-256;
//! * secret key: the scalar `d` as 32 big-endian bytes (SEC 1 §2.3.7), with
//!   `1 <= d <= n - 1` (SEC 1 §3.2.1); anything else is
//!   [`Error::InvalidEncoding`];
//! * shared secret: the 32-byte x-coordinate of `d·Q` (SEC 1 §3.3.1,
//!   SP 800-56A rev 3 §5.7.1.2). All zeros is a legitimate result (the
//!   curve has points with `x = 0`), so P-256 never reports
//!   [`Error::LowOrderPoint`]: the group has prime order and points off
//!   the curve are refused before any multiplication;
//! * key-generation coins: the secret key itself. [`Dh::generate`] draws
//!   32 bytes and, in the rare case (about 2^-32) that they are 0 or at
//!   least `n`, draws 32 more.
use twofold_core::{CryptoRng, Dh, DhSizes, Error, Result, SecretBytes, check_len};

pub mod awslc;
pub mod dalek;
pub mod rustcrypto;

/// Every DH backend of this folder.
pub fn all() -> Vec<&'static dyn Dh> {
    vec![
        &dalek::X25519,
        &awslc::X25519,
        &rustcrypto::P256,
        &awslc::P256,
    ]
}

/// Value sizes of P-256 in every backend.
pub(crate) const P256_SIZES: DhSizes = DhSizes {
    pk: 65,
    sk: 32,
    shared: 32,
};

/// The SEC 1 tag of an uncompressed point.
const SEC1_UNCOMPRESSED: u8 = 0x04;

/// The checks every backend makes on a P-256 public key before handing it
/// to its library: the length and the uncompressed tag. Libraries accept
/// more forms (compressed points, and aws-lc-rs a DER SubjectPublicKeyInfo);
/// checking here makes every backend refuse the same strings.
pub(crate) fn check_p256_public(pk: &[u8]) -> Result<()> {
    check_len("P-256 public key", pk, P256_SIZES.pk)?;
    if pk[0] != SEC1_UNCOMPRESSED {
        return Err(Error::InvalidEncoding(
            "P-256 public key (not an uncompressed SEC 1 point)",
        ));
    }
    Ok(())
}

/// The error for a secret key or key-generation coins outside `[1, n - 1]`.
pub(crate) const P256_BAD_SCALAR: Error =
    Error::InvalidEncoding("P-256 secret key (zero, or not below the group order n)");

/// Draws after which [`generate_p256`] gives up: with a working RNG the
/// chance of that many rejections in a row is below 2^-2000, so reaching it
/// means the RNG is stuck (say, all zeros).
const P256_MAX_DRAWS: usize = 64;

/// P-256 key generation by rejection sampling: 32 bytes from `rng` are the
/// candidate secret key, redrawn while they are 0 or `>= n`. A rejected
/// candidate reveals nothing about the key finally kept.
pub(crate) fn generate_p256<D: Dh + ?Sized>(
    d: &D,
    rng: &mut dyn CryptoRng,
) -> Result<(Vec<u8>, SecretBytes)> {
    let mut coins = SecretBytes::zeroed(P256_SIZES.sk);
    for _ in 0..P256_MAX_DRAWS {
        rng.fill_bytes(coins.expose_mut());
        // The coins have the right length, so an out-of-range scalar is the
        // only way key generation can fail with this error.
        match d.generate_derand(coins.expose()) {
            Err(e) if e == P256_BAD_SCALAR => continue,
            other => return other,
        }
    }
    Err(Error::Misuse(
        "P-256 key generation: the RNG gave no scalar in [1, n - 1] in 64 draws",
    ))
}
