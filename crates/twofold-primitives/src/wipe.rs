//! Wiping values of libraries whose types cannot be zeroized.
//!
//! pqcrypto's key and shared-secret types are `Copy` arrays without
//! `Zeroize` and without mutable access, so the only way to wipe one is to
//! assign an all-zero value over it; `black_box` keeps the compiler from
//! dropping that dead store. Copies the library made while returning the
//! value are out of reach: this is best effort, and said so where these
//! backends are documented.

/// Enough zero bytes for every value wiped here (the largest pqcrypto
/// secret key is under 8 KiB).
const ZEROS: [u8; 8192] = [0u8; 8192];

/// Overwrites `v`, whose encoding is `len` bytes, with the value `from_bytes`
/// makes of zeros.
fn overwrite<T, E>(v: &mut T, len: usize, from_bytes: impl FnOnce(&[u8]) -> Result<T, E>) {
    if let Some(zeros) = ZEROS.get(..len)
        && let Ok(zero) = from_bytes(zeros)
    {
        *v = zero;
    }
    core::hint::black_box(&*v);
}

/// Wipes a pqcrypto signature secret key.
pub(crate) fn pq_sign_secret_key<T: pqcrypto_traits::sign::SecretKey>(sk: &mut T) {
    overwrite(sk, sk.as_bytes().len(), T::from_bytes);
}

/// Wipes a pqcrypto KEM secret key.
pub(crate) fn pq_kem_secret_key<T: pqcrypto_traits::kem::SecretKey + Clone>(sk: &mut T) {
    overwrite(sk, sk.as_bytes().len(), T::from_bytes);
}

/// Wipes a pqcrypto KEM shared secret.
pub(crate) fn pq_kem_shared_secret<T: pqcrypto_traits::kem::SharedSecret + Copy>(ss: &mut T) {
    overwrite(ss, ss.as_bytes().len(), T::from_bytes);
}
