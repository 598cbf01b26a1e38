//! Transport mode: the two cipher states of `Split()` (Noise rev 34 §5.2,
//! §11.3 rekey).

use super::labels::MAX_MESSAGE_LEN;
use super::pattern::Role;
use super::symmetric::CipherState;
use crate::{HandshakeError, Result};

/// The result of a finished handshake: one cipher state per direction and
/// the handshake hash (channel binding, rev 34 §11.2).
///
/// A failed [`TransportState::read_message`] changes nothing (the receive
/// nonce advances only on success), so a forged message can be dropped and
/// the genuine one read afterwards.
#[derive(Debug)]
pub struct TransportState {
    role: Role,
    send: CipherState,
    recv: CipherState,
    handshake_hash: Vec<u8>,
    one_way: bool,
    remote_static_dh: Option<Vec<u8>>,
    remote_static_kem: Option<Vec<u8>>,
}

impl TransportState {
    /// `c1` carries initiator-to-responder traffic, `c2` the reverse.
    pub(crate) fn new(
        role: Role,
        c1: CipherState,
        c2: CipherState,
        handshake_hash: Vec<u8>,
        one_way: bool,
        remote_static_dh: Option<Vec<u8>>,
        remote_static_kem: Option<Vec<u8>>,
    ) -> Self {
        let (send, recv) = match role {
            Role::Initiator => (c1, c2),
            Role::Responder => (c2, c1),
        };
        Self {
            role,
            send,
            recv,
            handshake_hash,
            one_way,
            remote_static_dh,
            remote_static_kem,
        }
    }

    /// Our role in the handshake.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The handshake hash `h` (rev 34 §5.2 `GetHandshakeHash`).
    pub fn handshake_hash(&self) -> &[u8] {
        &self.handshake_hash
    }

    /// The peer's static DH public key, if the handshake carried one.
    pub fn remote_static_dh(&self) -> Option<&[u8]> {
        self.remote_static_dh.as_deref()
    }

    /// The peer's static KEM public key, if the handshake carried one.
    pub fn remote_static_kem(&self) -> Option<&[u8]> {
        self.remote_static_kem.as_deref()
    }

    fn check_direction(&self, sending: bool) -> Result<()> {
        // One-way patterns (rev 34 §7.4): only the initiator sends; the
        // responder-to-initiator cipher is never used.
        if self.one_way && (sending != (self.role == Role::Initiator)) {
            return Err(HandshakeError::Misuse(
                "one-way pattern: only the initiator sends transport messages",
            ));
        }
        Ok(())
    }

    /// Encrypts a transport message (empty associated data).
    pub fn write_message(&mut self, payload: &[u8]) -> Result<Vec<u8>> {
        self.check_direction(true)?;
        let len = payload.len() + self.send.overhead();
        if len > MAX_MESSAGE_LEN {
            return Err(HandshakeError::Oversized {
                what: "transport message",
                max: MAX_MESSAGE_LEN,
                actual: len,
            });
        }
        self.send.encrypt_with_ad(&[], payload)
    }

    /// Decrypts a transport message; on failure nothing changes.
    pub fn read_message(&mut self, message: &[u8]) -> Result<Vec<u8>> {
        self.check_direction(false)?;
        if message.len() > MAX_MESSAGE_LEN {
            return Err(HandshakeError::Oversized {
                what: "transport message",
                max: MAX_MESSAGE_LEN,
                actual: message.len(),
            });
        }
        let tag = self.recv.overhead();
        if message.len() < tag {
            return Err(HandshakeError::Truncated {
                what: "transport message tag",
                expected: tag,
                actual: message.len(),
            });
        }
        self.recv.decrypt_with_ad(&[], message)
    }

    /// `Rekey()` of the sending cipher (rev 34 §11.3).
    pub fn rekey_outgoing(&mut self) -> Result<()> {
        self.send.rekey()
    }

    /// `Rekey()` of the receiving cipher.
    pub fn rekey_incoming(&mut self) -> Result<()> {
        self.recv.rekey()
    }

    /// The next sending nonce.
    pub fn sending_nonce(&self) -> u64 {
        self.send.nonce()
    }

    /// The next receiving nonce.
    pub fn receiving_nonce(&self) -> u64 {
        self.recv.nonce()
    }

    /// `SetNonce` on the sending cipher (out-of-order transports, tests).
    pub fn set_sending_nonce(&mut self, n: u64) {
        self.send.set_nonce(n);
    }

    /// `SetNonce` on the receiving cipher (out-of-order transports, tests).
    pub fn set_receiving_nonce(&mut self, n: u64) {
        self.recv.set_nonce(n);
    }

    /// The `(sending, receiving)` cipher states.
    pub fn into_cipher_states(self) -> (CipherState, CipherState) {
        (self.send, self.recv)
    }
}
