//! Key-encapsulation backends: ML-KEM (FIPS 203) and NIST round-3 Kyber.
//!
//! Round-3 Kyber has one backend, libcrux: pqcrypto-kyber 0.8.1 turned out
//! to implement the FIPS 203 initial public draft, not round 3 (see
//! [`pqcrypto`]).
//!
//! Every backend of one algorithm uses the same encodings, so keys and
//! ciphertexts move freely between them:
//! * public key: the FIPS 203 encapsulation key `ek = ByteEncode12(t̂) || ρ`;
//! * secret key: the FIPS 203 *expanded* decapsulation key
//!   `dk = dk_PKE || ek || H(ek) || z` (ML-KEM-768: 2400 bytes). It already
//!   holds `ek`, `H(ek)` and `z`, so decapsulation never redoes key
//!   generation. Round-3 Kyber uses the same layout;
//! * key-generation coins: `d || z` (64 bytes); encapsulation coins: `m`
//!   (32 bytes).
//!
//! Input checks are the same in every backend: exact lengths
//! ([`twofold_core::Error::InvalidLength`]), the FIPS 203 §7.2 modulus check
//! on every encapsulation key, and, on decapsulation, the FIPS 203 §7.3 hash
//! check `H(ek) = h` plus the modulus check of the embedded `ek`
//! ([`twofold_core::Error::InvalidEncoding`]). The key checks are also
//! offered alone ([`Kem::check_secret_key`]), and libcrux and pqcrypto skip
//! them in [`Kem::decapsulate_prechecked`] for a key already checked.
//! Round-3 Kyber never defined
//! these checks; a key produced by Kyber key generation always passes them,
//! so applying them to Kyber only rejects keys no honest party makes.
use sha3::{Digest, Sha3_256};
use subtle::ConstantTimeEq;
use twofold_core::{Error, Kem, Result, SecretBytes, check_len};

pub mod incremental;
pub mod libcrux;
pub mod pqcrypto;
pub mod rustcrypto;

/// Every KEM backend of this folder.
pub fn all() -> Vec<&'static dyn Kem> {
    vec![
        &libcrux::ML_KEM_512,
        &libcrux::ML_KEM_768,
        &libcrux::ML_KEM_1024,
        &libcrux::KYBER512,
        &libcrux::KYBER768,
        &libcrux::KYBER1024,
        &pqcrypto::ML_KEM_512,
        &pqcrypto::ML_KEM_768,
        &pqcrypto::ML_KEM_1024,
        &rustcrypto::ML_KEM_512,
        &rustcrypto::ML_KEM_768,
        &rustcrypto::ML_KEM_1024,
    ]
}

/// FIPS 203 §7.2 modulus check on an encapsulation key of `384k + 32` bytes:
/// `ByteEncode12(ByteDecode12(ek[0:384k])) == ek[0:384k]`, i.e. every 12-bit
/// coefficient is below q = 3329. Public data, so variable time is fine.
///
/// Returns `false` for a length that is not `384k + 32`.
pub(crate) fn ek_is_reduced(ek: &[u8]) -> bool {
    if ek.len() < 32 || !(ek.len() - 32).is_multiple_of(384) {
        return false;
    }
    ek[..ek.len() - 32].chunks_exact(3).all(|b| {
        // ByteDecode12 reads bits little-endian: two coefficients per 3 bytes.
        let c0 = u16::from(b[0]) | (u16::from(b[1] & 0x0f) << 8);
        let c1 = u16::from(b[1] >> 4) | (u16::from(b[2]) << 4);
        c0 < 3329 && c1 < 3329
    })
}

/// The embedded encapsulation key of an expanded decapsulation key of rank
/// `k` (`dk[384k .. 768k + 32]`). The caller has checked `dk.len() == 768k + 96`.
pub(crate) fn embedded_ek(dk: &[u8], k: usize) -> &[u8] {
    &dk[384 * k..768 * k + 32]
}

/// FIPS 203 §7.3 hash check on an expanded decapsulation key of rank `k`:
/// `SHA3-256(dk[384k : 768k+32]) == dk[768k+32 : 768k+64]`.
/// The caller has checked `dk.len() == 768k + 96`.
pub(crate) fn dk_hash_matches(dk: &[u8], k: usize) -> bool {
    let h = Sha3_256::digest(embedded_ek(dk, k));
    bool::from(h.as_slice().ct_eq(&dk[768 * k + 32..768 * k + 64]))
}

/// The FIPS 203 §7.3 checks on an expanded decapsulation key of rank `k`,
/// for the backends whose library runs none: its length, the hash check and
/// the §7.2 modulus check of the embedded `ek`.
/// `what` names the key in a length error, `bad` in a failed check.
pub(crate) fn check_expanded_dk(
    what: &'static str,
    bad: &'static str,
    dk: &[u8],
    k: usize,
) -> Result<()> {
    check_len(what, dk, 768 * k + 96)?;
    if dk_hash_matches(dk, k) && ek_is_reduced(embedded_ek(dk, k)) {
        Ok(())
    } else {
        Err(Error::InvalidEncoding(bad))
    }
}

/// [`Kem::decapsulate`] for the backends whose library runs no check:
/// the lengths (key first, then ciphertext), the key checks, then
/// [`Kem::decapsulate_prechecked`]. `what` names the key and the ciphertext.
pub(crate) fn decapsulate_checked(
    kem: &dyn Kem,
    [what_sk, what_ct]: [&'static str; 2],
    sk: &[u8],
    ct: &[u8],
) -> Result<SecretBytes> {
    let sizes = kem.sizes();
    check_len(what_sk, sk, sizes.sk)?;
    check_len(what_ct, ct, sizes.ct)?;
    kem.check_secret_key(sk)?;
    kem.decapsulate_prechecked(sk, ct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulus_check_reads_12_bit_little_endian() {
        // k = 1 shape: 384 bytes of coefficients + 32 bytes of rho.
        let mut ek = vec![0u8; 384 + 32];
        assert!(ek_is_reduced(&ek));
        // c0 = 3328 = 0xd00: byte0 = 0x00, low nibble of byte1 = 0xd.
        ek[0] = 0x00;
        ek[1] = 0x0d;
        assert!(ek_is_reduced(&ek));
        // c0 = 3329 = 0xd01.
        ek[0] = 0x01;
        assert!(!ek_is_reduced(&ek));
        // c1 = 3329: high nibble of byte1 = 0x1, byte2 = 0xd0.
        ek[0] = 0;
        ek[1] = 0x10;
        ek[2] = 0xd0;
        assert!(!ek_is_reduced(&ek));
        // rho is not checked.
        ek[1] = 0;
        ek[2] = 0;
        ek[400] = 0xff;
        assert!(ek_is_reduced(&ek));
        assert!(!ek_is_reduced(&ek[1..]));
    }
}
