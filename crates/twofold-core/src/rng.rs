//! Injected randomness.
//!
//! Every operation that draws randomness takes a `&mut dyn CryptoRng`, so a
//! test or a vector generator can replace the operating system with a
//! reproducible stream.

use sha3::Shake256;
use sha3::digest::{ExtendableOutput, Update, XofReader};

/// A source of cryptographically secure random bytes.
///
/// Object safe on purpose: protocols hold `&mut dyn CryptoRng`.
pub trait CryptoRng {
    /// Fills `dest` entirely with random bytes.
    fn fill_bytes(&mut self, dest: &mut [u8]);

    /// Whether the stream is reproducible (a seeded test stream). Vector
    /// generation requires it; nothing else looks at it.
    fn is_deterministic(&self) -> bool {
        false
    }
}

impl<R: CryptoRng + ?Sized> CryptoRng for &mut R {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        (**self).fill_bytes(dest)
    }
    fn is_deterministic(&self) -> bool {
        (**self).is_deterministic()
    }
}

/// The operating system's random number generator (`getrandom`).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRng;

impl CryptoRng for OsRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        // A system without a working entropy source cannot run any
        // cryptography safely; stopping is the only correct answer.
        getrandom::fill(dest).expect("operating system randomness unavailable");
    }
}

/// The deterministic random stream used by tests and test vectors.
///
/// Definition (stable, part of the vector format): the stream is the output
/// of `SHAKE256("twofold rng v1" || seed)`, read in order. Each call to
/// [`CryptoRng::fill_bytes`] takes the next `dest.len()` bytes, so the bytes a
/// protocol run consumes depend only on the seed and on the sequence of
/// lengths requested.
pub struct ShakeRng {
    reader: sha3::Shake256Reader,
}

/// Domain-separation prefix of [`ShakeRng`].
pub const SHAKE_RNG_LABEL: &[u8] = b"twofold rng v1";

impl ShakeRng {
    /// A stream determined by `seed`.
    pub fn new(seed: &[u8]) -> Self {
        let mut h = Shake256::default();
        h.update(SHAKE_RNG_LABEL);
        h.update(seed);
        Self {
            reader: h.finalize_xof(),
        }
    }
}

impl core::fmt::Debug for ShakeRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ShakeRng(..)")
    }
}

impl CryptoRng for ShakeRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.reader.read(dest);
    }
    fn is_deterministic(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shake_rng_is_the_documented_stream() {
        // Independent computation of the definition with the sha3 crate's
        // one-shot API, to pin the label and the framing.
        let mut expected = [0u8; 40];
        let mut h = Shake256::default();
        h.update(b"twofold rng v1seed");
        h.finalize_xof().read(&mut expected);

        let mut rng = ShakeRng::new(b"seed");
        let mut a = [0u8; 8];
        let mut b = [0u8; 32];
        rng.fill_bytes(&mut a);
        rng.fill_bytes(&mut b);
        assert_eq!(&expected[..8], &a);
        assert_eq!(&expected[8..], &b);
        assert!(rng.is_deterministic());
    }

    #[test]
    fn os_rng_fills() {
        let mut a = [0u8; 32];
        OsRng.fill_bytes(&mut a);
        assert_ne!(a, [0u8; 32]);
        assert!(!OsRng.is_deterministic());
    }
}
