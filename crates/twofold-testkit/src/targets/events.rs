//! State machines driven by the conversation model
//! ([`crate::conversation`]).
//!
//! The SPQR chain ([`crate::chain_party`]) and the ratchet sessions of
//! every suite ([`crate::session_party`]).

use arbitrary::Unstructured;
use twofold_ratchet::spqr::chain::ChainParams;

use twofold_ratchet::suite::SUITES;

use crate::chain_party::ChainParty;
use crate::conversation::{Conversation, events};
use crate::session_party;

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

/// Most events one ratchet input plays: a DH or KEM step costs tens to
/// hundreds of µs, so fewer than the chain's.
pub const MAX_SESSION_EVENTS: usize = 256;

/// The ratchet sessions under arbitrary events. Input: the first byte picks
/// the suite ([`SUITES`], modulo its length), then the events.
pub fn ratchet(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let suite = SUITES[usize::from(pick) % SUITES.len()];
    let (a, b) = session_party::pair(suite, b"fuzz ratchet_events").expect("every suite starts");
    let events = events(&mut Unstructured::new(rest), MAX_SESSION_EVENTS);
    if let Err(v) = Conversation::new(a, b).run(&events) {
        panic!("{suite}: {v}");
    }
}
