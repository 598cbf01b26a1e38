//! Safety numbers: what two users compare out of band to check that they
//! hold each other's identity keys.
//!
//! * [`SignalFingerprint`]: libsignal's displayable numeric fingerprint
//!   (fingerprint version 0, 5200 iterations of SHA-512; algorithm as in
//!   libsignal `rust/protocol/src/fingerprint.rs`, described below).
//! * [`TwofoldFingerprint`]: twofold's hybrid safety number over a
//!   classical **and** a post-quantum identity key per party.
//!
//! Both show 60 digits: each party's 30 digits, the two halves sorted as
//! strings and concatenated, so both parties see the same number.

use core::fmt;

use twofold_core::{Hash, Resolver, check_len};

use crate::labels;
use crate::{HandshakeError, Result};

/// Hash of both profiles.
const HASH: &str = "SHA-512";
/// Bytes of each party's hash that are shown (6 chunks of 5 bytes).
const SHOWN_BYTES: usize = 30;
/// libsignal's accepted iteration range (`1 < iterations <= 1_000_000`).
const MAX_ITERATIONS: u32 = 1_000_000;

/// A 60-digit safety number: each party's 30 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyNumber {
    local: String,
    remote: String,
}

impl SafetyNumber {
    fn new(local: &[u8], remote: &[u8]) -> Result<Self> {
        Ok(Self {
            local: digits(local)?,
            remote: digits(remote)?,
        })
    }

    /// This party's 30 digits.
    pub fn local(&self) -> &str {
        &self.local
    }

    /// The other party's 30 digits.
    pub fn remote(&self) -> &str {
        &self.remote
    }
}

/// The two halves, smaller first: the same string on both sides.
impl fmt::Display for SafetyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.local < self.remote {
            write!(f, "{}{}", self.local, self.remote)
        } else {
            write!(f, "{}{}", self.remote, self.local)
        }
    }
}

/// 30 digits from the first 30 bytes: six chunks of 5 bytes, each read as
/// a big-endian 40-bit integer, reduced mod 100000, written as 5 digits.
fn digits(hash: &[u8]) -> Result<String> {
    if hash.len() < SHOWN_BYTES {
        return Err(HandshakeError::Truncated {
            what: "fingerprint hash",
            expected: SHOWN_BYTES,
            actual: hash.len(),
        });
    }
    let mut s = String::with_capacity(30);
    for chunk in hash[..SHOWN_BYTES].chunks_exact(5) {
        let v = chunk.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        s.push_str(&format!("{:05}", v % 100_000));
    }
    Ok(s)
}

fn resolve_hash(resolver: &dyn Resolver) -> Result<&'static dyn Hash> {
    check_hash(resolver.hash(HASH)?)
}

fn check_hash(h: &'static dyn Hash) -> Result<&'static dyn Hash> {
    if h.name() != HASH || h.output_len() != 64 {
        return Err(HandshakeError::Misuse("safety numbers need SHA-512"));
    }
    Ok(h)
}

fn check_iterations(iterations: u32) -> Result<()> {
    if iterations <= 1 || iterations > MAX_ITERATIONS {
        return Err(HandshakeError::Misuse(
            "fingerprint iterations must be in 2..=1000000",
        ));
    }
    Ok(())
}

/// libsignal's numeric fingerprint (the "safety number").
///
/// Per party, with `key` = the 33-byte serialized identity key
/// (`0x05 || X25519 u`) and `id` = the stable identifier (e.g. the phone
/// number or ACI bytes):
/// ```text
/// h = SHA-512(0x00 0x00 || key || id || key)       # fingerprint version 0
/// repeat iterations - 1 times: h = SHA-512(h || key)
/// ```
/// i.e. `hash = version || key || id`, then `iterations` rounds of
/// `hash = SHA-512(hash || key)`. The first 30 bytes give 30 digits.
pub type SignalFingerprint = Fingerprint<Signal>;

/// Profile marker of [`SignalFingerprint`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Signal;

/// Profile marker of [`TwofoldFingerprint`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Twofold;

/// A safety-number scheme: an iterated SHA-512 per party, in the profile
/// `P` ([`Signal`] or [`Twofold`]), which defines what each party hashes.
#[derive(Clone, Copy)]
pub struct Fingerprint<P> {
    hash: &'static dyn Hash,
    iterations: u32,
    profile: P,
}

impl<P: fmt::Debug> fmt::Debug for Fingerprint<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fingerprint")
            .field("profile", &self.profile)
            .field("hash", &self.hash.id())
            .field("iterations", &self.iterations)
            .finish()
    }
}

impl<P: Default> Fingerprint<P> {
    /// With a given SHA-512 implementation (e.g. one backend), 5200 iterations.
    pub fn from_hash(hash: &'static dyn Hash) -> Result<Self> {
        Ok(Self {
            hash: check_hash(hash)?,
            iterations: labels::SIGNAL_FINGERPRINT_ITERATIONS,
            profile: P::default(),
        })
    }

    /// SHA-512 from `resolver`, 5200 iterations (as Signal's apps).
    pub fn new(resolver: &dyn Resolver) -> Result<Self> {
        Self::from_hash(resolve_hash(resolver)?)
    }

    /// Another iteration count (2..=1000000, the range libsignal accepts).
    pub fn with_iterations(mut self, iterations: u32) -> Result<Self> {
        check_iterations(iterations)?;
        self.iterations = iterations;
        Ok(self)
    }
}

impl Fingerprint<Signal> {
    /// One party's 64-byte iterated hash. `identity_key` is the raw 32-byte
    /// X25519 public key; its 33-byte serialization is formed here.
    pub fn party_hash(&self, stable_id: &[u8], identity_key: &[u8]) -> Result<Vec<u8>> {
        check_len("identity key", identity_key, 32)?;
        let mut key = Vec::with_capacity(33);
        key.push(labels::SIGNAL_TYPE_X25519);
        key.extend_from_slice(identity_key);
        let mut h = self
            .hash
            .hash(&[&labels::SIGNAL_FINGERPRINT_VERSION, &key, stable_id, &key]);
        for _ in 1..self.iterations {
            h = self.hash.hash(&[&h, &key]);
        }
        Ok(h)
    }

    /// The safety number `local` shows when talking to `remote`.
    pub fn safety_number(
        &self,
        local_id: &[u8],
        local_identity_key: &[u8],
        remote_id: &[u8],
        remote_identity_key: &[u8],
    ) -> Result<SafetyNumber> {
        SafetyNumber::new(
            &self.party_hash(local_id, local_identity_key)?,
            &self.party_hash(remote_id, remote_identity_key)?,
        )
    }
}

/// One party's hybrid identity: a stable identifier, a classical identity
/// key and a post-quantum identity key, each key with its algorithm name.
#[derive(Debug, Clone, Copy)]
pub struct HybridIdentity<'a> {
    /// Stable identifier (e.g. an account id).
    pub stable_id: &'a [u8],
    /// Classical algorithm, e.g. `"X25519"`.
    pub classical_algorithm: &'a str,
    /// Classical public key, raw.
    pub classical_key: &'a [u8],
    /// Post-quantum algorithm, e.g. `"ML-DSA-65"` or `"ML-KEM-1024"`.
    pub pq_algorithm: &'a str,
    /// Post-quantum public key, raw.
    pub pq_key: &'a [u8],
}

/// twofold's hybrid safety number (profile `twofold`, version 1).
///
/// Per party, every field length-prefixed with a 32-bit big-endian length
/// (`lp(x) = BE32(len(x)) || x`), so no two different inputs share an
/// encoding:
/// ```text
/// E = lp("twofold safety number v1") || lp(stable_id)
///     || lp(classical algorithm) || lp(classical key)
///     || lp(pq algorithm) || lp(pq key)
/// D = SHA-512(E)
/// h = D; repeat iterations times: h = SHA-512(h || D)
/// ```
/// Iterating over the 64-byte digest `D` rather than the keys keeps each
/// round the same cost however large the post-quantum key is. Digits as in
/// the signal profile (first 30 bytes, six 5-byte chunks mod 100000); the
/// two halves sorted and concatenated. Changing either key, either
/// algorithm name or the identifier changes the number.
pub type TwofoldFingerprint = Fingerprint<Twofold>;

fn lp(out: &mut Vec<u8>, what: &'static str, x: &[u8]) -> Result<()> {
    let n = u32::try_from(x.len()).map_err(|_| HandshakeError::Oversized {
        what,
        max: u32::MAX as usize,
        actual: x.len(),
    })?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(x);
    Ok(())
}

impl Fingerprint<Twofold> {
    /// One party's 64-byte iterated hash.
    pub fn party_hash(&self, id: &HybridIdentity<'_>) -> Result<Vec<u8>> {
        if id.classical_key.is_empty() || id.pq_key.is_empty() {
            return Err(HandshakeError::MissingKey(
                "both a classical and a post-quantum identity key",
            ));
        }
        if id.classical_algorithm.is_empty() || id.pq_algorithm.is_empty() {
            return Err(HandshakeError::Misuse("empty algorithm name"));
        }
        let mut e = Vec::new();
        lp(&mut e, "label", labels::TWOFOLD_FINGERPRINT_LABEL)?;
        lp(&mut e, "stable identifier", id.stable_id)?;
        lp(&mut e, "algorithm name", id.classical_algorithm.as_bytes())?;
        lp(&mut e, "classical identity key", id.classical_key)?;
        lp(&mut e, "algorithm name", id.pq_algorithm.as_bytes())?;
        lp(&mut e, "post-quantum identity key", id.pq_key)?;
        let d = self.hash.hash(&[&e]);
        let mut h = d.clone();
        for _ in 0..self.iterations {
            h = self.hash.hash(&[&h, &d]);
        }
        Ok(h)
    }

    /// The safety number `local` shows when talking to `remote`.
    pub fn safety_number(
        &self,
        local: &HybridIdentity<'_>,
        remote: &HybridIdentity<'_>,
    ) -> Result<SafetyNumber> {
        SafetyNumber::new(&self.party_hash(local)?, &self.party_hash(remote)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_reduce_each_40_bit_chunk() {
        // 0xFFFFFFFFFF = 1099511627775 -> 27775; 0x0000000001 -> 00001.
        let mut h = vec![0xFFu8; 5];
        h.extend_from_slice(&[0, 0, 0, 0, 1]);
        h.extend_from_slice(&[0u8; 20]);
        assert_eq!(digits(&h).unwrap(), "277750000100000000000000000000");
        assert!(digits(&h[..29]).is_err());
    }
}
