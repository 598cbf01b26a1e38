//! X-Wing from RustCrypto's `x-wing` crate (ML-KEM-768 from `ml-kem`,
//! X25519 from x25519-dalek), a second, independent X-Wing next to the
//! runtime composition of [`super::xwing`].
//!
//! The crate stores the draft's 32-byte seed and re-expands it on every
//! decapsulation. Its secret key here is that seed; decapsulation also
//! accepts twofold's 2496-byte stored form (see [`super::xwing`]) by taking
//! its first 32 bytes, which are the seed.
//!
//! To agree with the runtime X-Wing on every input, this backend refuses a
//! low-order X25519 point the same way ([`Error::LowOrderPoint`]): it
//! decapsulates with the crate's `DecapsulationKeyRejectNonContrib`, and
//! before encapsulating it checks that `X25519(ek_X, pk_X)` is not all
//! zeros (the crate does not check; this costs one extra X25519).

use ml_kem::array::{Array, ArrayN};
use subtle::ConstantTimeEq;
use twofold_core::{AlgorithmId, Error, Kem, KemSizes, Result, SecretBytes, check_len};
use x_wing::{
    Ciphertext, DecapsulationKey, DecapsulationKeyRejectNonContrib, Decapsulator, EncapsulationKey,
    KeyExport, TryDecapsulate,
};
use zeroize::Zeroize;

use super::xwing::{SEED_LEN, STORED_SK_LEN};

/// X-Wing from the `x-wing` crate.
#[derive(Debug)]
pub struct XWingCrate;

/// The registry instance.
pub static XWING: XWingCrate = XWingCrate;

/// The 32-byte seed of either secret-key form.
fn seed(sk: &[u8]) -> Result<[u8; SEED_LEN]> {
    if sk.len() != SEED_LEN && sk.len() != STORED_SK_LEN {
        return Err(Error::InvalidLength {
            what: "X-Wing secret key (the 32-byte seed, or twofold's stored form)",
            expected: SEED_LEN,
            actual: sk.len(),
        });
    }
    let mut out = [0u8; SEED_LEN];
    out.copy_from_slice(&sk[..SEED_LEN]);
    Ok(out)
}

impl AlgorithmId for XWingCrate {
    fn name(&self) -> &'static str {
        "X-Wing"
    }
    fn backend(&self) -> &'static str {
        "x-wing"
    }
}

impl Kem for XWingCrate {
    fn sizes(&self) -> KemSizes {
        KemSizes {
            pk: x_wing::ENCAPSULATION_KEY_SIZE,
            sk: x_wing::DECAPSULATION_KEY_SIZE,
            ct: x_wing::CIPHERTEXT_SIZE,
            ss: 32,
            keygen_coins: SEED_LEN,
            encaps_coins: x_wing::ENCAPSULATION_RANDOMNESS_SIZE,
        }
    }

    /// The coins are the seed, which is also the secret key.
    fn generate_derand(&self, coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        check_len("X-Wing key-generation coins (seed)", coins, SEED_LEN)?;
        let mut s = [0u8; SEED_LEN];
        s.copy_from_slice(coins);
        // The key wipes its copy of the seed on drop (crate feature zeroize).
        let dk = DecapsulationKey::from(s);
        s.zeroize();
        let pk = dk.encapsulation_key().to_bytes().to_vec();
        Ok((pk, SecretBytes::from_slice(coins)))
    }

    fn encapsulate_derand(&self, pk: &[u8], coins: &[u8]) -> Result<(Vec<u8>, SecretBytes)> {
        check_len("X-Wing public key", pk, x_wing::ENCAPSULATION_KEY_SIZE)?;
        check_len("X-Wing encapsulation coins (eseed)", coins, 64)?;
        // Runs the FIPS 203 §7.2 check on pk_M.
        let ek = EncapsulationKey::try_from(pk).map_err(|_| {
            Error::InvalidEncoding("X-Wing public key (ML-KEM-768 part fails the modulus check)")
        })?;
        let mut ek_x = [0u8; 32];
        ek_x.copy_from_slice(&coins[32..64]);
        let mut pk_x = [0u8; 32];
        pk_x.copy_from_slice(&pk[1184..]);
        let mut ss_x = x25519_dalek::x25519(ek_x, pk_x);
        ek_x.zeroize();
        let low_order = bool::from(ss_x.ct_eq(&[0u8; 32]));
        ss_x.zeroize();
        if low_order {
            return Err(Error::LowOrderPoint);
        }
        let mut eseed: ArrayN<u8, 64> =
            Array::try_from(coins).map_err(|_| Error::InvalidLength {
                what: "X-Wing encapsulation coins (eseed)",
                expected: 64,
                actual: coins.len(),
            })?;
        let (ct, mut ss) = ek.encapsulate_deterministic(&eseed);
        eseed.as_mut_slice().zeroize();
        let out = SecretBytes::from_slice(ss.as_slice());
        ss.as_mut_slice().zeroize();
        Ok((ct.to_vec(), out))
    }

    /// `sk` is the 32-byte seed or twofold's 2496-byte stored form.
    fn decapsulate(&self, sk: &[u8], ct: &[u8]) -> Result<SecretBytes> {
        let mut s = seed(sk)?;
        let ciphertext = <&Ciphertext>::try_from(ct).map_err(|_| Error::InvalidLength {
            what: "X-Wing ciphertext",
            expected: x_wing::CIPHERTEXT_SIZE,
            actual: ct.len(),
        })?;
        let dk = DecapsulationKeyRejectNonContrib::from(s);
        s.zeroize();
        let mut ss = dk
            .try_decapsulate(ciphertext)
            .map_err(|_| Error::LowOrderPoint)?;
        let out = SecretBytes::from_slice(ss.as_slice());
        ss.as_mut_slice().zeroize();
        Ok(out)
    }

    /// The crate expands every key from its seed, so any seed is valid;
    /// only the length is checked.
    fn check_secret_key(&self, sk: &[u8]) -> Result<()> {
        seed(sk).map(|mut s| s.zeroize())
    }
}
