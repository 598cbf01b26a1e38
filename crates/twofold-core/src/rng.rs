//! Injected randomness.
//!
//! Every operation that draws randomness takes a `&mut dyn CryptoRng`, so a
//! test or a vector generator can replace the operating system with a
//! reproducible stream.

use sha3::Shake256;
use sha3::digest::{ExtendableOutput, Update, XofReader};
use zeroize::Zeroizing;

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

/// Why a [`ReplayRng`] did not serve its draws exactly as recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// A request asked for another number of bytes than the draw recorded
    /// at that position.
    #[error("draw {index}: {requested} bytes requested, {recorded} recorded")]
    Length {
        /// 0-based position of the draw.
        index: usize,
        /// Bytes recorded there.
        recorded: usize,
        /// Bytes the caller asked for.
        requested: usize,
    },
    /// More requests than recorded draws.
    #[error("draw {index}: {requested} bytes requested, but only {index} draws were recorded")]
    Exhausted {
        /// 0-based position of the request.
        index: usize,
        /// Bytes the caller asked for.
        requested: usize,
    },
    /// Fewer requests than recorded draws.
    #[error("{consumed} of {recorded} recorded draws were used")]
    Unused {
        /// Draws served.
        consumed: usize,
        /// Draws recorded.
        recorded: usize,
    },
}

/// A generator that serves recorded draws, in order, one per request: a
/// run replayed from a test vector's coins draws exactly what the file
/// holds, and nothing the file does not.
///
/// Each [`CryptoRng::fill_bytes`] call must ask for exactly the length of
/// the next recorded draw. `fill_bytes` cannot fail, so a mismatch is kept
/// (the first one wins), the request is filled with zeros, and
/// [`ReplayRng::finish`] reports it; `finish` also reports draws left
/// unused.
pub struct ReplayRng {
    draws: Vec<Zeroizing<Vec<u8>>>,
    next: usize,
    error: Option<ReplayError>,
}

impl ReplayRng {
    /// Serves `draws` in order.
    pub fn new<I: IntoIterator<Item = Vec<u8>>>(draws: I) -> Self {
        Self {
            draws: draws.into_iter().map(Zeroizing::new).collect(),
            next: 0,
            error: None,
        }
    }

    /// Draws served so far.
    pub fn consumed(&self) -> usize {
        self.next
    }

    /// `Ok` if every request matched its recorded draw and every draw was
    /// served.
    pub fn finish(self) -> Result<(), ReplayError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        if self.next != self.draws.len() {
            return Err(ReplayError::Unused {
                consumed: self.next,
                recorded: self.draws.len(),
            });
        }
        Ok(())
    }
}

impl core::fmt::Debug for ReplayRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ReplayRng({} of {} draws)", self.next, self.draws.len())
    }
}

impl CryptoRng for ReplayRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(0);
        if self.error.is_some() {
            return;
        }
        let index = self.next;
        match self.draws.get(index) {
            None => {
                self.error = Some(ReplayError::Exhausted {
                    index,
                    requested: dest.len(),
                })
            }
            Some(d) if d.len() != dest.len() => {
                self.error = Some(ReplayError::Length {
                    index,
                    recorded: d.len(),
                    requested: dest.len(),
                })
            }
            Some(d) => {
                dest.copy_from_slice(d);
                self.next += 1;
            }
        }
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

    #[test]
    fn replay_serves_draws_in_order_and_reports_mismatches() {
        let mut r = ReplayRng::new([vec![1, 2, 3], vec![4; 32]]);
        let (mut a, mut b) = ([0u8; 3], [0u8; 32]);
        r.fill_bytes(&mut a);
        r.fill_bytes(&mut b);
        assert_eq!((a, b), ([1, 2, 3], [4; 32]));
        assert!(r.is_deterministic());
        assert_eq!(r.finish(), Ok(()));

        let mut r = ReplayRng::new([vec![1, 2, 3]]);
        let mut c = [9u8; 4];
        r.fill_bytes(&mut c);
        assert_eq!(c, [0; 4], "a mismatched request gets zeros");
        let e = ReplayError::Length {
            index: 0,
            recorded: 3,
            requested: 4,
        };
        assert_eq!(r.finish(), Err(e));

        let mut r = ReplayRng::new([vec![1]]);
        let mut d = [0u8; 1];
        r.fill_bytes(&mut d);
        r.fill_bytes(&mut d);
        let e = ReplayError::Exhausted {
            index: 1,
            requested: 1,
        };
        assert_eq!(r.finish(), Err(e));

        let r = ReplayRng::new([vec![1], vec![2]]);
        let e = ReplayError::Unused {
            consumed: 0,
            recorded: 2,
        };
        assert_eq!(r.finish(), Err(e));
    }
}
