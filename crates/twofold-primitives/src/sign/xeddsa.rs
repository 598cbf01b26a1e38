//! XEdDSA: EdDSA-compatible signatures made and checked with X25519 keys.
//!
//! Our own code on curve25519-dalek, written from the published text, in two
//! labelled profiles that differ in how the Edwards sign bit is handled:
//!
//! * `"XEdDSA"`: the specification, "The XEdDSA and VXEdDSA Signature
//!   Schemes", revision 1, 2016-10-20, §3
//!   (<https://signal.org/docs/specifications/xeddsa/>).
//!   `calculate_key_pair(k)` computes `E = kB` and picks `a = ±k (mod q)` so
//!   that `A = aB` has sign bit 0; `r = hash_1(a || M || Z) (mod q)`,
//!   `R = rB`, `h = SHA-512(R || A || M) (mod q)`, `s = r + h·a (mod q)`,
//!   signature `R || s`. Verification converts `u` to the Edwards point with
//!   sign bit 0 and checks `R == sB - hA` on the encodings.
//! * `"XEdDSA-signal"`: what libsignal deploys (`rust/core/src/curve/curve25519.rs`,
//!   implemented here from a description of its behaviour, not its code): `a` is the clamped scalar,
//!   never negated; the sign bit of `A = aB` is carried in the top bit of
//!   signature byte 63 (free because `s < q < 2^253`);
//!   `r = SHA-512(0xFE || 0xFF×31 || clamp(k) || M || Z) (mod q)` hashes the
//!   clamped private-key bytes rather than the reduced scalar. Verification
//!   takes the sign bit from byte 63, clears it, converts `u` with that sign
//!   bit and checks as Ed25519.
//!
//! A spec signature always verifies under the `signal` verifier (its byte-63
//! bit is 0 and its `A` has sign 0); a `signal` signature verifies under the
//! spec verifier exactly when the sign bit of the signer's `aB` is 0.
//!
//! Encodings (both profiles): public key = the 32-byte X25519 public key
//! (Montgomery `u`, as [`crate::dh`] produces it); secret key = the 32-byte
//! X25519 private key, clamped when used; key-generation coins = the secret
//! key (32 bytes); signing coins = `Z` (64 bytes).
//!
//! Verification rules, identical in both profiles:
//! * `u` must be canonical (`u < p`), as the spec requires; libsignal masks
//!   the top bit instead, but X25519 never outputs a non-canonical `u`.
//! * `s` must be canonical (`s < q`). The spec only asks `s < 2^|q|` =
//!   `2^253`; requiring `s < q`, as RFC 8032 does, removes the malleability of
//!   `s + q` and rejects nothing an honest signer makes.
//! * `u` must map to a point on the curve (not on the twist).
//! * `R` is compared as bytes with the canonical encoding of `sB - hA`, so a
//!   non-canonical `R` is rejected, as the spec's `bytes_equal` does.
//! * A small-order `A` (from a low-order `u`) or a small-order `R` is
//!   rejected, as ed25519-dalek's `verify_strict` and libsodium do for
//!   Ed25519. The spec does not ask for it (and libsignal, as far as its
//!   description goes, does not do it), but such a key has no private key and
//!   lets anyone produce signatures that pass the equation for some messages;
//!   no honest key or signature is ever refused by it.

use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::{Scalar, clamp_integer};
use sha2::{Digest, Sha512};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use twofold_core::{AlgorithmId, Error, Result, SecretBytes, SigSizes, Signature, check_len};
use zeroize::Zeroize;

/// Public-key length (Montgomery `u`) in bytes.
pub const PK_LEN: usize = 32;
/// Secret-key length (X25519 private key) in bytes.
pub const SK_LEN: usize = 32;
/// Signature length (`R || s`) in bytes.
pub const SIG_LEN: usize = 64;
/// Length of the signing randomness `Z` in bytes.
pub const Z_LEN: usize = 64;

const SIZES: SigSizes = SigSizes {
    pk: PK_LEN,
    sk: SK_LEN,
    sig: SIG_LEN,
    keygen_coins: SK_LEN,
    sign_coins: Z_LEN,
};

/// The prefix of `hash_1(X) = SHA-512(2^256 - 1 - 1 || X)` (spec §2.5): the
/// 32-byte little-endian encoding of `2^256 - 2`.
const HASH1_PREFIX: [u8; 32] = {
    let mut p = [0xFFu8; 32];
    p[0] = 0xFE;
    p
};

/// `p = 2^255 - 19`, little-endian.
const P_LE: [u8; 32] = {
    let mut p = [0xFFu8; 32];
    p[0] = 0xED;
    p[31] = 0x7F;
    p
};

/// The spec profile of XEdDSA (sign bit of `A` forced to 0).
#[derive(Debug)]
pub struct XEdDsa;

/// The registry instance of the spec profile.
pub static XEDDSA: XEdDsa = XEdDsa;

/// The libsignal profile of XEdDSA (sign bit of `A` carried in signature byte 63).
#[derive(Debug)]
pub struct XEdDsaSignal;

/// The registry instance of the libsignal profile.
pub static XEDDSA_SIGNAL: XEdDsaSignal = XEdDsaSignal;

/// SHA-512 of the concatenation of `parts`, reduced mod `q`. The hasher
/// state is wiped on drop (sha2 feature "zeroize"), the digest here.
fn hash_to_scalar(parts: &[&[u8]]) -> Scalar {
    let mut h = Sha512::new();
    for p in parts {
        h.update(p);
    }
    let mut digest: [u8; 64] = h.finalize().into();
    let s = Scalar::from_bytes_mod_order_wide(&digest);
    digest.zeroize();
    s
}

/// `u < p` on the little-endian encoding (public data: variable time).
fn u_is_canonical(u: &[u8; 32]) -> bool {
    for i in (0..32).rev() {
        if u[i] != P_LE[i] {
            return u[i] < P_LE[i];
        }
    }
    false
}

/// The clamped private scalar bytes `clamp(k)` (RFC 7748 `decodeScalar25519`).
fn clamped(sk: &[u8]) -> Result<[u8; 32]> {
    check_len("XEdDSA secret key (X25519 private key)", sk, SK_LEN)?;
    let mut k = [0u8; 32];
    k.copy_from_slice(sk);
    Ok(clamp_integer(k))
}

/// Key generation shared by both profiles: the X25519 key pair of `coins`.
fn generate(coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
    check_len("XEdDSA key-generation coins", coins, SK_LEN)?;
    let mut k = clamped(coins)?;
    let pk = MontgomeryPoint::mul_base_clamped(k).to_bytes().to_vec();
    k.zeroize();
    Ok((pk, SecretBytes::from_slice(coins)))
}

/// The two signing algorithms; `signal` selects the libsignal profile.
fn sign(sk: &[u8], msg: &[u8], z: &[u8], signal: bool) -> Result<Vec<u8>> {
    check_len("XEdDSA signing coins Z", z, Z_LEN)?;
    let mut k_bytes = clamped(sk)?;
    let mut k = Scalar::from_bytes_mod_order(k_bytes);
    // E = kB; k and clamp(k) give the same point since B has order q.
    let e = (&k * ED25519_BASEPOINT_TABLE).compress();
    let e_sign = e.as_bytes()[31] >> 7;

    let (mut a, a_enc, mut r) = if signal {
        // a = clamp(k) mod q, A = E as is; nonce over the clamped bytes.
        let r = hash_to_scalar(&[&HASH1_PREFIX, &k_bytes, msg, z]);
        (k, *e.as_bytes(), r)
    } else {
        // calculate_key_pair: a = -k if E's sign bit is 1, else k (constant
        // time: the sign bit depends on the private key); A = E with sign 0.
        let mut neg_k = -k;
        let a = Scalar::conditional_select(&k, &neg_k, Choice::from(e_sign));
        neg_k.zeroize();
        let mut a_enc = *e.as_bytes();
        a_enc[31] &= 0x7F;
        let mut a_bytes = a.to_bytes();
        let r = hash_to_scalar(&[&HASH1_PREFIX, &a_bytes, msg, z]);
        a_bytes.zeroize();
        (a, a_enc, r)
    };
    k.zeroize();
    k_bytes.zeroize();

    let big_r = (&r * ED25519_BASEPOINT_TABLE).compress();
    let h = hash_to_scalar(&[big_r.as_bytes(), &a_enc, msg]);
    let s = r + h * a;
    r.zeroize();
    a.zeroize();

    let mut sig = Vec::with_capacity(SIG_LEN);
    sig.extend_from_slice(big_r.as_bytes());
    sig.extend_from_slice(s.as_bytes());
    if signal {
        // s < q < 2^253, so bit 255 is free to carry A's sign bit.
        sig[63] |= e_sign << 7;
    }
    Ok(sig)
}

/// The two verification algorithms; `signal` selects the libsignal profile.
fn verify(pk: &[u8], msg: &[u8], sig: &[u8], signal: bool) -> Result<()> {
    check_len("XEdDSA public key", pk, PK_LEN)?;
    check_len("XEdDSA signature", sig, SIG_LEN)?;
    let mut u = [0u8; 32];
    u.copy_from_slice(pk);
    if !u_is_canonical(&u) {
        return Err(Error::VerificationFailed);
    }
    let mut r_bytes = [0u8; 32];
    r_bytes.copy_from_slice(&sig[..32]);
    let mut s_bytes = [0u8; 32];
    s_bytes.copy_from_slice(&sig[32..]);
    let sign = if signal {
        let bit = s_bytes[31] >> 7;
        s_bytes[31] &= 0x7F;
        bit
    } else {
        0
    };
    let s: Scalar =
        Option::from(Scalar::from_canonical_bytes(s_bytes)).ok_or(Error::VerificationFailed)?;
    // convert_mont: None when u is on the twist (the spec's on_curve check).
    let a = MontgomeryPoint(u)
        .to_edwards(sign)
        .ok_or(Error::VerificationFailed)?;
    // R must decode (a non-decodable R could never match below anyway).
    let r_point = CompressedEdwardsY(r_bytes)
        .decompress()
        .ok_or(Error::VerificationFailed)?;
    if a.is_small_order() || r_point.is_small_order() {
        return Err(Error::VerificationFailed);
    }
    let a_enc: CompressedEdwardsY = a.compress();
    let h = hash_to_scalar(&[&r_bytes, a_enc.as_bytes(), msg]);
    // Rcheck = sB - hA = h(-A) + sB.
    let r_check = EdwardsPoint::vartime_double_scalar_mul_basepoint(&h, &-a, &s).compress();
    if bool::from(r_check.as_bytes().ct_eq(&r_bytes)) {
        Ok(())
    } else {
        Err(Error::VerificationFailed)
    }
}

impl AlgorithmId for XEdDsa {
    fn name(&self) -> &'static str {
        "XEdDSA"
    }
    fn backend(&self) -> &'static str {
        "twofold"
    }
}

impl Signature for XEdDsa {
    fn sizes(&self) -> SigSizes {
        SIZES
    }
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        generate(coins)
    }
    fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>> {
        sign(sk, msg, coins, false)
    }
    fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
        verify(pk, msg, sig, false)
    }
}

impl AlgorithmId for XEdDsaSignal {
    fn name(&self) -> &'static str {
        "XEdDSA-signal"
    }
    fn backend(&self) -> &'static str {
        "twofold"
    }
}

impl Signature for XEdDsaSignal {
    fn sizes(&self) -> SigSizes {
        SIZES
    }
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        generate(coins)
    }
    fn sign_derand(&self, sk: &[u8], msg: &[u8], coins: &[u8]) -> Result<Vec<u8>> {
        sign(sk, msg, coins, true)
    }
    fn verify(&self, pk: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
        verify(pk, msg, sig, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_u_boundary() {
        let mut p_minus_1 = P_LE;
        p_minus_1[0] -= 1;
        assert!(u_is_canonical(&p_minus_1));
        assert!(!u_is_canonical(&P_LE));
        let mut p_plus_1 = P_LE;
        p_plus_1[0] += 1;
        assert!(!u_is_canonical(&p_plus_1));
        assert!(!u_is_canonical(&[0xFF; 32]));
        assert!(u_is_canonical(&[0; 32]));
    }
}
