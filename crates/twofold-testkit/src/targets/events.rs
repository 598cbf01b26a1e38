//! State machines driven by the conversation model
//! ([`crate::conversation`]).
//!
//! Today: the SPQR chain ([`crate::chain_party`]). The ratchet sessions
//! join as parties of the same model, each as a target here.

use arbitrary::Unstructured;
use twofold_ratchet::spqr::chain::ChainParams;

use crate::chain_party::ChainParty;
use crate::conversation::{Conversation, events};

/// Most events one input plays.
pub const MAX_EVENTS: usize = 512;

/// The SPQR chain under arbitrary events. Input: the limits (`max_jump`
/// 1..=64, `max_ooo_keys` 1..=32, small so that the limits are met), then
/// the events.
pub fn spqr_chain(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let params = ChainParams {
        max_jump: u.int_in_range(1..=64).unwrap_or(8),
        max_ooo_keys: u.int_in_range(1..=32).unwrap_or(4),
    };
    let (a, b) = ChainParty::pair(params).expect("a chain pair");
    let events = events(&mut u, MAX_EVENTS);
    if let Err(v) = Conversation::new(a, b).run(&events) {
        panic!("SPQR chain with {params:?}: {v}");
    }
}
