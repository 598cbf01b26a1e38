//! A sparse key source that runs beside a ratchet: Signal's SPQR in the
//! Triple Ratchet (Double Ratchet specification revision 3, §6).
//!
//! Every message carries one message of the sparse protocol and may get a
//! key from it; the ratchet puts that key in the salt of the message keys
//! (libsignal: `MessageKeys::derive_keys(seed, Some(spqr_key), ...)`), so a
//! message key is secret while either the DH ratchet or the post-quantum one
//! holds. Like [`crate::cka::Cka`], each step returns the next state, so a
//! message that fails to decrypt changes nothing.

use twofold_core::{CryptoRng, Obs, SecretBytes};

use crate::Result;
use crate::kdf::Key;

/// What [`Sparse::send`] gives.
pub struct SparseSend {
    /// The state after the step.
    pub state: Box<dyn Sparse>,
    /// The message to carry.
    pub message: Vec<u8>,
    /// The key for this message, if the protocol gives one.
    pub key: Option<Key>,
}

/// What [`Sparse::recv`] gives.
pub struct SparseRecv {
    /// The state after the step.
    pub state: Box<dyn Sparse>,
    /// The key for this message, if the protocol gives one.
    pub key: Option<Key>,
}

/// A sparse protocol running beside a ratchet.
pub trait Sparse: Send + Sync {
    /// Its name, e.g. `SPQR-V1(ML-KEM-768)`.
    fn name(&self) -> String;
    /// The message for the next outgoing message, and its key.
    fn send(&self, rng: &mut dyn CryptoRng, o: &mut Obs<'_>) -> Result<SparseSend>;
    /// Reads the message an incoming message carried; its key.
    fn recv(&self, message: &[u8], o: &mut Obs<'_>) -> Result<SparseRecv>;
    /// The state as bytes (for session serialization).
    fn to_bytes(&self) -> SecretBytes;
    /// Epochs of the sparse protocol completed so far (for reports).
    fn epochs(&self) -> u64 {
        0
    }
}

impl core::fmt::Debug for dyn Sparse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Sparse({})", self.name())
    }
}
