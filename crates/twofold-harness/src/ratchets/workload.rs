//! Steady-state workloads of a ratchet suite, for benchmarks: a pair past
//! its handshake exchanging messages in ping-pong, and the primitive calls
//! the same exchange makes (for its [`crate::Floor`]).
//!
//! One *message* is encrypted by its sender and decrypted by its receiver;
//! senders alternate. In ping-pong every message opens an epoch of the DH
//! (or KEM, or hybrid) ratchet, so every message does an epoch's work.
//! SPQR's epochs span many messages, so a per-message figure of the Triple
//! Ratchet is only fair amortized over a whole epoch
//! ([`PingPong::EPOCH_MESSAGES`]).

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
    next: Party,
}

impl PingPong {
    /// Messages that cover one SPQR epoch in ping-pong (it completes on
    /// the 86th; 88 keeps the count even, one message each way per round),
    /// so that amortized figures hold a whole epoch of every ratchet here.
    pub const EPOCH_MESSAGES: usize = 88;

    /// Establishes `suite` from its default handshake with primitives from
    /// `resolver`, randomness from a SHAKE stream of `seed`, and plays one
    /// round so that both sides send on ratchet chains of their own (and the
    /// signal profile's handshake no longer rides along); the next message
    /// is the initiator's.
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
            next: Party::Initiator,
        };
        w.message()?;
        w.message()?;
        Ok(w)
    }

    /// The next message: its sender encrypts, its receiver decrypts, and
    /// the turn passes; the bytes it put on the wire.
    pub fn message(&mut self) -> Result<usize> {
        let from = self.next;
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
        self.next = from.peer();
        Ok(e.bytes.len())
    }

    /// Both sessions' serialized sizes.
    pub fn state_bytes(&self) -> Result<[usize; 2]> {
        Ok([
            self.pair.state_bytes(Party::Initiator)?,
            self.pair.state_bytes(Party::Responder)?,
        ])
    }

    /// The primitive calls of the first `messages` messages a workload made
    /// by [`Self::new`] with these arguments sends, on a twin whose
    /// primitives report through an observing resolver over `resolver`;
    /// and every message's size.
    pub fn calls(
        suite: &str,
        resolver: Arc<dyn Resolver>,
        plaintext_len: usize,
        seed: &[u8],
        messages: usize,
    ) -> Result<(Vec<CallRecord>, Vec<usize>)> {
        let observing: Arc<dyn Resolver> = Arc::new(Observing::new(resolver));
        let mut twin = Self::new(suite, observing, plaintext_len, seed)?;
        let rec = Recorder::new();
        let mut sizes = Vec::with_capacity(messages);
        {
            let _capture = rec.capture_calls();
            for _ in 0..messages {
                sizes.push(twin.message()?);
            }
        }
        Ok((rec.trace().calls().cloned().collect(), sizes))
    }
}
