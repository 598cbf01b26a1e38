//! Continuous key agreement (CKA), the public-key half of a ratchet in the
//! decomposition of Alwen, Coretti and Dodis ("The Double Ratchet: Security
//! Notions, Proofs, and Modularization for the Signal Protocol", EUROCRYPT
//! 2019, §4).
//!
//! Parties take turns. The party that starts a sending epoch calls
//! [`Cka::send`]: it gets the CKA message that every message of the epoch
//! carries and the epoch key `I`, which the root KDF turns into the epoch's
//! chain key. The peer, on the first message of that epoch, calls
//! [`Cka::receive`] with the CKA message and gets the same `I`. Each call
//! returns the next state instead of changing the current one, so a message
//! that fails to decrypt leaves the ratchet as it was.
//!
//! * [`dh::DhCka`]: one DH per turn (the Double Ratchet's DH ratchet).
//! * [`kem::KemCka`]: one encapsulation and one fresh key per turn (a fully
//!   post-quantum ratchet; ACD19's KEM-CKA).
//! * [`hybrid::HybridCka`]: DH every turn and a KEM when a [`RekeyPolicy`]
//!   says so, both secrets into the root KDF (Apple PQ3's shape).
//!
//! A new CKA is a new implementation of [`Cka`]; the ratchet engine does not
//! change.

pub mod dh;
pub mod hybrid;
pub mod kem;

use twofold_core::{CryptoRng, Obs, SecretBytes};

use crate::Result;

pub use crate::policy::RekeyPolicy;

/// What the engine tells a CKA when it starts a sending epoch (for rekey
/// policies).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendContext {
    /// The time, in seconds, as the caller's clock gives it (the protocol
    /// never reads a clock).
    pub now: u64,
    /// Messages this party has sent and received so far.
    pub messages: u64,
}

/// The result of [`Cka::send`].
pub struct CkaSend {
    /// The state after the step.
    pub state: Box<dyn Cka>,
    /// The CKA message every message of the epoch carries.
    pub message: Vec<u8>,
    /// The epoch key `I`.
    pub key: SecretBytes,
    /// Whether `I` holds a KEM secret (the epoch heals against a quantum
    /// adversary).
    pub post_quantum: bool,
}

/// The result of [`Cka::receive`].
pub struct CkaReceive {
    /// The state after the step.
    pub state: Box<dyn Cka>,
    /// The epoch key `I`.
    pub key: SecretBytes,
    /// Whether `I` holds a KEM secret.
    pub post_quantum: bool,
}

/// A continuous key agreement.
pub trait Cka: Send + Sync {
    /// The CKA and its primitives, e.g. `DH(X25519)` or `KEM(ML-KEM-768)`.
    fn name(&self) -> String;

    /// The part of a CKA message that identifies its epoch (the ratchet
    /// public key): messages of one epoch share it, messages of different
    /// epochs differ in it. Malformed messages are an error.
    fn epoch_id<'m>(&self, message: &'m [u8]) -> Result<&'m [u8]>;

    /// Starts a sending epoch, drawing fresh keys from `rng`.
    fn send(&self, ctx: &SendContext, rng: &mut dyn CryptoRng, o: &mut Obs<'_>) -> Result<CkaSend>;

    /// Receives the CKA message of the peer's new epoch.
    fn receive(&self, message: &[u8], o: &mut Obs<'_>) -> Result<CkaReceive>;

    /// An explicit copy (secrets included).
    fn duplicate(&self) -> Box<dyn Cka>;

    /// The state as bytes, for [`crate::session`] serialization; read back
    /// by the CKA's own `from_bytes`.
    fn to_bytes(&self) -> SecretBytes;
}

impl core::fmt::Debug for dyn Cka {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Cka({})", self.name())
    }
}

/// A length-prefixed field writer and reader for CKA states and messages.
pub(crate) mod fields {
    use twofold_core::SecretBytes;

    use crate::{RatchetError, Result};

    /// A key pair a CKA holds: the secret key and its public key.
    pub(crate) type Pair = (SecretBytes, Vec<u8>);

    /// Appends an optional key pair: the secret key, then the public key,
    /// each an optional field.
    pub(crate) fn put_pair(out: &mut Vec<u8>, pair: Option<&Pair>) {
        put_opt(out, pair.map(|(s, _)| s.expose()));
        put_opt(out, pair.map(|(_, p)| p.as_slice()));
    }

    /// A copy of an optional key pair (secrets are not `Clone`).
    pub(crate) fn duplicate_pair(pair: Option<&Pair>) -> Option<Pair> {
        pair.map(|(s, p)| (s.duplicate(), p.clone()))
    }

    /// Appends `u32 BE length || bytes`.
    pub(crate) fn put(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    }

    /// Appends an optional field: a presence byte, then the field.
    pub(crate) fn put_opt(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
        match bytes {
            Some(b) => {
                out.push(1);
                put(out, b);
            }
            None => out.push(0),
        }
    }

    /// Reads fields back; every read is bounds-checked.
    pub(crate) struct Reader<'a> {
        rest: &'a [u8],
    }

    impl<'a> Reader<'a> {
        pub(crate) fn new(bytes: &'a [u8]) -> Self {
            Self { rest: bytes }
        }

        pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
            if self.rest.len() < n {
                return Err(RatchetError::Malformed(what));
            }
            let (head, tail) = self.rest.split_at(n);
            self.rest = tail;
            Ok(head)
        }

        pub(crate) fn byte(&mut self, what: &'static str) -> Result<u8> {
            Ok(self.take(1, what)?[0])
        }

        pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64> {
            let b = self.take(8, what)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Ok(u64::from_be_bytes(a))
        }

        pub(crate) fn field(&mut self, what: &'static str) -> Result<&'a [u8]> {
            let b = self.take(4, what)?;
            let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
            self.take(n, what)
        }

        pub(crate) fn opt(&mut self, what: &'static str) -> Result<Option<&'a [u8]>> {
            match self.byte(what)? {
                0 => Ok(None),
                1 => Ok(Some(self.field(what)?)),
                _ => Err(RatchetError::Malformed(what)),
            }
        }

        /// An optional key pair written by [`put_pair`]: both halves or
        /// neither.
        pub(crate) fn pair(&mut self, what: &'static str) -> Result<Option<Pair>> {
            match (self.opt(what)?, self.opt(what)?) {
                (Some(s), Some(p)) => Ok(Some((SecretBytes::from_slice(s), p.to_vec()))),
                (None, None) => Ok(None),
                _ => Err(RatchetError::Malformed(what)),
            }
        }

        pub(crate) fn finish(&self, what: &'static str) -> Result<()> {
            if self.rest.is_empty() {
                Ok(())
            } else {
                Err(RatchetError::Malformed(what))
            }
        }
    }
}
