//! SPQR as the Triple Ratchet's sparse key source ([`crate::sparse::Sparse`]).
//!
//! libsignal starts it from the session's PQ-ratchet key (PQXDH bytes
//! 64..96) as the auth key, A2B for the session's initiator and B2A for its
//! responder, speaking and requiring V1, with the chain limits of
//! [`ChainParams::default`].

use twofold_core::{CryptoRng, Obs, Party, Resolver, SecretBytes};

use super::chain::{ChainParams, Direction, Key};
use super::state::{Params, Spqr, SpqrPrimitives};
use super::wire::Version;
use crate::Result;
use crate::sparse::{Sparse, SparseRecv, SparseSend};

/// One party's SPQR with the primitives it runs on.
pub struct SpqrSource {
    spqr: Spqr,
    p: SpqrPrimitives,
}

impl SpqrSource {
    /// The state a session starts with: `party`'s direction, `auth_key` the
    /// PQ-ratchet key, V1 spoken and required.
    pub fn new(resolver: &dyn Resolver, party: Party, auth_key: &Key) -> Result<Self> {
        let p = SpqrPrimitives::resolve(resolver)?;
        let direction = match party {
            Party::Initiator => Direction::A2B,
            Party::Responder => Direction::B2A,
        };
        Ok(Self {
            spqr: Spqr::new(Params {
                auth_key: auth_key.duplicate(),
                direction,
                version: Version::V1,
                min_version: Version::V1,
                chain: ChainParams::default(),
            }),
            p,
        })
    }

    /// A state written by [`Sparse::to_bytes`].
    pub fn from_bytes(resolver: &dyn Resolver, bytes: &[u8]) -> Result<Self> {
        let p = SpqrPrimitives::resolve(resolver)?;
        Ok(Self {
            spqr: Spqr::from_bytes(&p, bytes)?,
            p,
        })
    }

    /// The SPQR state.
    pub fn spqr(&self) -> &Spqr {
        &self.spqr
    }
}

impl Sparse for SpqrSource {
    fn name(&self) -> String {
        format!("SPQR-{:?}({})", self.spqr.version(), SpqrPrimitives::KEM)
    }

    fn send(&self, rng: &mut dyn CryptoRng, o: &mut Obs<'_>) -> Result<SparseSend> {
        let (spqr, message, key) = self.spqr.send(&self.p, rng, o)?;
        Ok(SparseSend {
            state: Box::new(Self { spqr, p: self.p }),
            message,
            key: key.map(|k| k.key),
        })
    }

    fn recv(&self, message: &[u8], o: &mut Obs<'_>) -> Result<SparseRecv> {
        let (spqr, key) = self.spqr.recv(&self.p, message, o)?;
        Ok(SparseRecv {
            state: Box::new(Self { spqr, p: self.p }),
            key: key.map(|k| k.key),
        })
    }

    fn to_bytes(&self) -> SecretBytes {
        self.spqr.to_bytes()
    }

    fn epochs(&self) -> u64 {
        self.spqr.epochs_completed()
    }
}
