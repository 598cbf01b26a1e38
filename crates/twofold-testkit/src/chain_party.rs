//! The SPQR chain as a [`Party`] of the conversation model: each message
//! is `(epoch, key index, AEAD ciphertext under that key)`, and a
//! [`Event::Tick`](crate::conversation::Event::Tick) adds the party's next
//! epoch.
//!
//! The chain hands out each receiving key once, so a receiver that takes a
//! key and then fails to open the ciphertext must put the key back: this
//! party does it by restoring the chain from the bytes it saved before
//! ([`Chain::to_bytes`] / [`Chain::from_bytes`]), the pattern a session
//! built on the chain follows. Refusals by the chain itself (a replayed,
//! trimmed or far-ahead index, an unknown epoch) are the chain's own and
//! are not rolled back here, so the model checks that they change nothing.

use twofold_core::{Aead, Kdf, Resolver};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::spqr::chain::{Chain, ChainParams, Direction, Key, epoch_secret};
use twofold_ratchet::{RatchetError, Result};

use crate::conversation::Party;

/// The auth key both chains start from.
const AUTH_KEY: [u8; 32] = [0x5A; 32];

/// A message of the chain party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainMessage {
    /// The sender's epoch.
    pub epoch: u64,
    /// The key index.
    pub index: u32,
    /// ChaCha20-Poly1305 under the message key, with epoch and index as
    /// associated data.
    pub body: Vec<u8>,
}

impl ChainMessage {
    fn header(epoch: u64, index: u32) -> [u8; 12] {
        let mut h = [0u8; 12];
        h[..8].copy_from_slice(&epoch.to_be_bytes());
        h[8..].copy_from_slice(&index.to_be_bytes());
        h
    }

    /// `epoch (8) || index (4) || body`.
    pub fn to_bytes(&self) -> Vec<u8> {
        [&Self::header(self.epoch, self.index)[..], &self.body].concat()
    }

    /// The inverse of [`Self::to_bytes`]; `None` below 12 bytes.
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        let (epoch, rest) = b.split_first_chunk::<8>()?;
        let (index, body) = rest.split_first_chunk::<4>()?;
        Some(Self {
            epoch: u64::from_be_bytes(*epoch),
            index: u32::from_be_bytes(*index),
            body: body.to_vec(),
        })
    }
}

/// One party's SPQR chain and the primitives around it.
pub struct ChainParty {
    kdf: &'static dyn Kdf,
    aead: &'static dyn Aead,
    chain: Chain,
}

impl ChainParty {
    /// The two parties of a session with these limits (A sends A2B).
    pub fn pair(params: ChainParams) -> Result<(Self, Self)> {
        let kdf = REGISTRY.kdf("HKDF-SHA256")?;
        let aead = REGISTRY.aead("ChaCha20-Poly1305")?;
        let auth = Key::new(AUTH_KEY);
        let make = |d| -> Result<Self> {
            Ok(Self {
                kdf,
                aead,
                chain: Chain::new(kdf, &auth, d, params)?,
            })
        };
        Ok((make(Direction::A2B)?, make(Direction::B2A)?))
    }

    /// The chain.
    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    fn seal(&self, key: &Key, m: &ChainMessage, payload: &[u8]) -> Result<Vec<u8>> {
        let nonce = [0u8; 12];
        let aad = ChainMessage::header(m.epoch, m.index);
        Ok(self.aead.seal(key.expose(), &nonce, &aad, payload)?)
    }
}

impl Party for ChainParty {
    type Message = ChainMessage;
    type Error = RatchetError;

    fn send(&mut self, payload: &[u8]) -> Result<ChainMessage> {
        let epoch = self.chain.current_epoch();
        let (index, key) = self.chain.send_key(epoch)?;
        let mut m = ChainMessage {
            epoch,
            index,
            body: Vec::new(),
        };
        m.body = self.seal(&key, &m, payload)?;
        Ok(m)
    }

    fn receive(&mut self, m: &ChainMessage) -> Result<Vec<u8>> {
        let saved = self.chain.to_bytes();
        let key = self.chain.recv_key(m.epoch, m.index)?;
        let nonce = [0u8; 12];
        let aad = ChainMessage::header(m.epoch, m.index);
        match self.aead.open(key.expose(), &nonce, &aad, &m.body) {
            Ok(p) => Ok(p),
            Err(e) => {
                // The key was not this message's: give it back.
                self.chain = Chain::from_bytes(self.kdf, saved.expose())?;
                Err(e.into())
            }
        }
    }

    fn state(&self) -> Vec<u8> {
        self.chain.to_bytes().expose().to_vec()
    }

    fn reload(&mut self) -> Result<()> {
        self.chain = Chain::from_bytes(self.kdf, self.chain.to_bytes().expose())?;
        Ok(())
    }

    fn corrupt(m: &ChainMessage, at: usize, xor: u8) -> ChainMessage {
        let mut b = m.to_bytes();
        let n = b.len();
        b[at % n] ^= xor;
        ChainMessage::from_bytes(&b).expect("the same length as a message, so it parses")
    }

    fn refusal_allowed(&self, e: &RatchetError) -> bool {
        matches!(
            e,
            RatchetError::TooManySkipped { .. }
                | RatchetError::KeyTrimmed { .. }
                | RatchetError::EpochOutOfRange { .. }
        )
    }

    /// Adds the next epoch; both parties derive the same secret for it.
    fn tick(&mut self, _arg: u8) -> Result<()> {
        let epoch = self
            .chain
            .current_epoch()
            .checked_add(1)
            .ok_or(RatchetError::Misuse("epochs exhausted"))?;
        let secret = epoch_secret(self.kdf, epoch, b"twofold-testkit epoch")?;
        self.chain.add_epoch(epoch, &secret)
    }
}
