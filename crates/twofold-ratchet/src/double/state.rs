//! The ratchet's state as plain data, for serialization.
//!
//! Everything a [`Ratchet`] holds except its configuration and the states
//! of its CKA and sparse key source, which are carried as their own bytes
//! ([`crate::cka::Cka::to_bytes`], [`crate::sparse::Sparse::to_bytes`]) and
//! rebuilt by the session, which knows their types from its suite.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use twofold_core::Party;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{Config, HeaderKeys, Ratchet, ReceivingChain, SendingChain, Skipped};
use crate::cka::Cka;
use crate::kdf::Key;
use crate::sparse::Sparse;

/// A serializable ratchet state. Every key is wiped on drop; `Debug` is not
/// implemented.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct RatchetState {
    pub(crate) initiator: bool,
    pub(crate) rk: [u8; 32],
    pub(crate) cka: Vec<u8>,
    pub(crate) sending: Option<([u8; 32], u32, Vec<u8>)>,
    pub(crate) pn: u32,
    pub(crate) receiving: Vec<ChainState>,
    pub(crate) sparse: Option<Vec<u8>>,
    pub(crate) ad: Vec<u8>,
    pub(crate) hks: Option<[u8; 32]>,
    pub(crate) nhks: Option<[u8; 32]>,
    pub(crate) nhkr: Option<[u8; 32]>,
    pub(crate) messages: u64,
    pub(crate) epochs: u64,
    pub(crate) pq_epochs: u64,
}

/// One receiving chain.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub(crate) struct ChainState {
    id: Vec<u8>,
    ck: [u8; 32],
    n: u32,
    skipped: Vec<(u32, [u8; 32], u64)>,
    hk: Option<[u8; 32]>,
}

impl RatchetState {
    /// The CKA state's bytes.
    pub fn cka_bytes(&self) -> &[u8] {
        &self.cka
    }
    /// The sparse key source's bytes, if any.
    pub fn sparse_bytes(&self) -> Option<&[u8]> {
        self.sparse.as_deref()
    }
}

fn k(key: &Key) -> [u8; 32] {
    *key.expose()
}

fn opt(key: &Option<Key>) -> Option<[u8; 32]> {
    key.as_ref().map(k)
}

impl Ratchet {
    /// The state as plain data.
    pub fn to_state(&self) -> RatchetState {
        RatchetState {
            initiator: self.party == Party::Initiator,
            rk: k(&self.rk),
            cka: self.cka.to_bytes().expose().to_vec(),
            sending: self
                .sending
                .as_ref()
                .map(|s| (k(&s.ck), s.n, s.cka_message.clone())),
            pn: self.pn,
            receiving: self
                .receiving
                .iter()
                .map(|c| ChainState {
                    id: c.id.clone(),
                    ck: k(&c.ck),
                    n: c.n,
                    skipped: c
                        .skipped
                        .iter()
                        .map(|s| (s.n, k(&s.seed), s.stored_at))
                        .collect(),
                    hk: opt(&c.hk),
                })
                .collect(),
            sparse: self.sparse.as_ref().map(|s| s.to_bytes().expose().to_vec()),
            ad: self.ad.clone(),
            hks: opt(&self.hk.hks),
            nhks: opt(&self.hk.nhks),
            nhkr: opt(&self.hk.nhkr),
            messages: self.messages,
            epochs: self.epochs,
            pq_epochs: self.pq_epochs,
        }
    }

    /// A ratchet from its state, with the CKA and sparse source the caller
    /// rebuilt from [`RatchetState::cka_bytes`] and
    /// [`RatchetState::sparse_bytes`].
    pub fn from_state(
        cfg: Config,
        state: &RatchetState,
        cka: Box<dyn Cka>,
        sparse: Option<Box<dyn Sparse>>,
    ) -> Self {
        Self {
            cfg,
            party: if state.initiator {
                Party::Initiator
            } else {
                Party::Responder
            },
            rk: Key::new(state.rk),
            cka,
            sending: state.sending.as_ref().map(|(ck, n, m)| SendingChain {
                ck: Key::new(*ck),
                n: *n,
                cka_message: m.clone(),
            }),
            pn: state.pn,
            receiving: state
                .receiving
                .iter()
                .map(|c| ReceivingChain {
                    id: c.id.clone(),
                    ck: Key::new(c.ck),
                    n: c.n,
                    skipped: c
                        .skipped
                        .iter()
                        .map(|(n, seed, at)| Skipped {
                            n: *n,
                            seed: Key::new(*seed),
                            stored_at: *at,
                        })
                        .collect::<VecDeque<_>>(),
                    hk: c.hk.map(Key::new),
                })
                .collect(),
            sparse,
            ad: state.ad.clone(),
            hk: HeaderKeys {
                hks: state.hks.map(Key::new),
                nhks: state.nhks.map(Key::new),
                nhkr: state.nhkr.map(Key::new),
            },
            messages: state.messages,
            epochs: state.epochs,
            pq_epochs: state.pq_epochs,
        }
    }
}
