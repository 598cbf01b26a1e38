//! One party of a test SPQR conversation: its state and its random stream.

use twofold_core::{Obs, Off, Party, Secret, ShakeRng};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::Result;
use twofold_ratchet::spqr::{
    ChainParams, Direction, MessageKey, Params, Spqr, SpqrPrimitives, Version,
};

/// The deployed primitives from the registry.
pub fn prims() -> SpqrPrimitives {
    SpqrPrimitives::resolve(&*REGISTRY).unwrap()
}

/// V1 parameters with the given auth key.
pub fn params_with(
    auth_key: [u8; 32],
    direction: Direction,
    min_version: Version,
    chain: ChainParams,
) -> Params {
    Params {
        auth_key: Secret::new(auth_key),
        direction,
        version: Version::V1,
        min_version,
        chain,
    }
}

/// A party's state and random stream.
pub struct Peer {
    /// The current state.
    pub state: Spqr,
    /// Its randomness.
    pub rng: ShakeRng,
}

impl Peer {
    /// A party starting from `state`, drawing from the stream of `seed`.
    pub fn new(state: Spqr, seed: &[u8]) -> Self {
        Self {
            state,
            rng: ShakeRng::new(seed),
        }
    }

    /// The initiator and the responder of a V1 session with `auth_key`.
    pub fn pair(auth_key: [u8; 32], chain: ChainParams, seed: &[u8]) -> (Peer, Peer) {
        let make = |d, s: &[u8]| {
            Peer::new(
                Spqr::new(params_with(auth_key, d, Version::V1, chain)),
                &[seed, s].concat(),
            )
        };
        (make(Direction::A2B, b" a"), make(Direction::B2A, b" b"))
    }

    /// Sends; commits the new state.
    pub fn send(&mut self, p: &SpqrPrimitives) -> (Vec<u8>, Option<MessageKey>) {
        let (s, msg, key) = self
            .state
            .send(p, &mut self.rng, &mut Obs::new(&mut Off, Party::Initiator))
            .unwrap();
        self.state = s;
        (msg, key)
    }

    /// Receives; commits the new state only on success.
    pub fn try_recv(&mut self, p: &SpqrPrimitives, msg: &[u8]) -> Result<Option<MessageKey>> {
        let (s, key) = self
            .state
            .recv(p, msg, &mut Obs::new(&mut Off, Party::Responder))?;
        self.state = s;
        Ok(key)
    }

    /// Receives a message that must be accepted.
    pub fn recv(&mut self, p: &SpqrPrimitives, msg: &[u8]) -> Option<MessageKey> {
        self.try_recv(p, msg).unwrap()
    }
}
