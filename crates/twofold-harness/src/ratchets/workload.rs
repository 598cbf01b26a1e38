//! Steady-state workloads of a ratchet suite, for benchmarks: a pair past
//! its handshake exchanging messages in ping-pong, and the primitive calls
//! the same exchange makes (for its [`crate::Floor`]).
//!
//! One *round* is one message each way, each encrypted by its sender and
//! decrypted by its receiver: in ping-pong every message opens an epoch of
//! the DH (or KEM, or hybrid) ratchet, so a round holds two epochs' worth of
//! work. SPQR's epochs span many messages, so a per-message figure of the
//! Triple Ratchet is only fair amortized over rounds covering a whole
//! epoch ([`PingPong::EPOCH_ROUNDS`]).

use std::sync::Arc;

use twofold_core::observe::CallRecord;
use twofold_core::resolve::Observing;
use twofold_core::{Off, Party, Recorder, Resolver, ShakeRng};
use twofold_ratchet::double::SendOptions;

use super::establish::Pair;
use super::{Error, Result};

/// Two sessions of a suite in ping-pong.
pub struct PingPong {
    pair: Pair,
    rng: ShakeRng,
    plaintext: Vec<u8>,
}

impl PingPong {
    /// Rounds that cover one SPQR epoch in ping-pong (its 86 messages, and
    /// the round's second message of the next), so that amortized figures
    /// include a whole epoch of every ratchet here.
    pub const EPOCH_ROUNDS: usize = 44;

    /// Establishes `suite` from its default handshake with primitives from
    /// `resolver`, randomness from a SHAKE stream of `seed`, and plays one
    /// round so that both sides send on ratchet chains of their own (and the
    /// signal profile's handshake no longer rides along).
    pub fn new(
        suite: &str,
        resolver: Arc<dyn Resolver>,
        plaintext_len: usize,
        seed: &[u8],
    ) -> Result<Self> {
        let mut rng = ShakeRng::new(seed);
        let pair = Pair::establish(suite, None, resolver, &mut rng, &mut Off)?;
        let mut w = Self {
            pair,
            rng,
            plaintext: vec![0x61; plaintext_len],
        };
        w.round()?;
        Ok(w)
    }

    /// One message each way; the bytes both put on the wire.
    pub fn round(&mut self) -> Result<[usize; 2]> {
        let mut sizes = [0; 2];
        for (i, from) in [Party::Initiator, Party::Responder].into_iter().enumerate() {
            let opts = SendOptions::default();
            let e = self
                .pair
                .send(from, &self.plaintext, &opts, &mut self.rng, &mut Off)?;
            let got = self
                .pair
                .receive(from.peer(), &e, 0, &mut self.rng, &mut Off)?;
            if got.plaintext != self.plaintext {
                return Err(Error::Mismatch(
                    "a message decrypted to something else".into(),
                ));
            }
            sizes[i] = e.bytes.len();
        }
        Ok(sizes)
    }

    /// Both sessions' serialized sizes.
    pub fn state_bytes(&self) -> Result<[usize; 2]> {
        Ok([
            self.pair.state_bytes(Party::Initiator)?,
            self.pair.state_bytes(Party::Responder)?,
        ])
    }

    /// The primitive calls `rounds` rounds make after the first, on a twin
    /// of this workload (the same suite, size and seed) whose primitives
    /// report through an observing resolver over `resolver`; and every
    /// message's size.
    pub fn calls(
        suite: &str,
        resolver: Arc<dyn Resolver>,
        plaintext_len: usize,
        seed: &[u8],
        rounds: usize,
    ) -> Result<(Vec<CallRecord>, Vec<usize>)> {
        let observing: Arc<dyn Resolver> = Arc::new(Observing::new(resolver));
        let mut twin = Self::new(suite, observing, plaintext_len, seed)?;
        let rec = Recorder::new();
        let mut sizes = Vec::with_capacity(2 * rounds);
        {
            let _capture = rec.capture_calls();
            for _ in 0..rounds {
                sizes.extend(twin.round()?);
            }
        }
        Ok((rec.trace().calls().cloned().collect(), sizes))
    }
}
