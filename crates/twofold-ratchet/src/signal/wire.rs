//! libsignal's `SignalMessage`, byte for byte (`rust/protocol/src/protocol.rs`
//! and `proto/wire.proto`):
//!
//! ```text
//! 0x44 || protobuf(SignalMessage) || MAC (8 bytes)     (0x33: message version 3)
//! SignalMessage, fields in tag order as prost writes them:
//!   1 ratchet_key       bytes   0x05 || X25519 u (33 bytes)
//!   2 counter           varint  (always present, also when 0)
//!   3 previous_counter  varint  (always present)
//!   4 ciphertext        bytes   AES-256-CBC of the plaintext
//!   5 pq_ratchet        bytes   the SPQR message (omitted when empty)
//!   6 addresses         bytes   36 bytes (only in the first messages)
//! MAC = HMAC-SHA256(mac_key, IK_sender (33) || IK_receiver (33) ||
//!                   0x44 || protobuf)[0..8]
//! ```
//!
//! The decoder accepts exactly what that encoder writes (fields in
//! increasing order, each at most once, minimal varints, no unknown field),
//! which is what libsignal sends; the MAC covers those bytes as they are.

use twofold_core::encoding::{self, ReadError, Reader};

use crate::labels;
use crate::{RatchetError, Result};

/// A decoded `SignalMessage` (the MAC not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalMessage {
    /// The version byte: `0x44` (message version 4, PQXDH and the Triple
    /// Ratchet) or `0x33` (version 3, X3DH and the Double Ratchet).
    pub version: u8,
    /// The sender's ratchet public key, raw (no type byte).
    pub ratchet_key: Vec<u8>,
    /// `counter`: the message's index in its chain.
    pub counter: u32,
    /// `previous_counter`: libsignal's PN.
    pub previous_counter: u32,
    /// The AES-256-CBC body.
    pub ciphertext: Vec<u8>,
    /// The SPQR message (empty: none).
    pub pq_ratchet: Vec<u8>,
    /// The `addresses` field, if present.
    pub addresses: Option<Vec<u8>>,
}

fn read_error(e: ReadError) -> RatchetError {
    match e {
        ReadError::Truncated(what, ..) => RatchetError::Malformed(what),
        ReadError::VarintTooLong => RatchetError::Malformed("varint longer than 64 bits"),
        ReadError::NonMinimalVarint => RatchetError::Malformed("non-minimal varint"),
    }
}

impl SignalMessage {
    /// `0x44 || protobuf`: the bytes the MAC covers (the MAC is appended by
    /// the caller).
    pub fn encode_unmacced(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            1 + 35 + 12 + self.ciphertext.len() + 4 + self.pq_ratchet.len() + 40,
        );
        out.push(self.version);
        let mut key = Vec::with_capacity(1 + self.ratchet_key.len());
        key.push(labels::SIGNAL_TYPE_X25519);
        key.extend_from_slice(&self.ratchet_key);
        encoding::put_bytes_field(&mut out, 1, &key);
        encoding::put_varint_field(&mut out, 2, u64::from(self.counter));
        encoding::put_varint_field(&mut out, 3, u64::from(self.previous_counter));
        encoding::put_bytes_field(&mut out, 4, &self.ciphertext);
        if !self.pq_ratchet.is_empty() {
            encoding::put_bytes_field(&mut out, 5, &self.pq_ratchet);
        }
        if let Some(a) = &self.addresses {
            encoding::put_bytes_field(&mut out, 6, a);
        }
        out
    }

    /// Splits `version || protobuf || MAC` and decodes the protobuf, with
    /// the version byte `version`. Returns the message, the MAC'd bytes and
    /// the MAC.
    pub fn decode(bytes: &[u8], version: u8) -> Result<(Self, &[u8], &[u8])> {
        if bytes.len() < 1 + labels::SIGNAL_MAC_LEN {
            return Err(RatchetError::Malformed(
                "SignalMessage shorter than its MAC",
            ));
        }
        let (body, mac) = bytes.split_at(bytes.len() - labels::SIGNAL_MAC_LEN);
        if body[0] != version {
            return Err(RatchetError::Malformed("SignalMessage version byte"));
        }
        let mut r = Reader::new(&body[1..]);
        let mut last = 0u64;
        let mut m = SignalMessage {
            version,
            ratchet_key: Vec::new(),
            counter: 0,
            previous_counter: 0,
            ciphertext: Vec::new(),
            pq_ratchet: Vec::new(),
            addresses: None,
        };
        let mut seen = [false; 7];
        while r.remaining() > 0 {
            let key = r.varint("SignalMessage field key").map_err(read_error)?;
            let (field, wire) = (key >> 3, (key & 7) as u8);
            if field == 0 || field > 6 {
                return Err(RatchetError::Malformed("unknown SignalMessage field"));
            }
            if field <= last {
                return Err(RatchetError::Malformed(
                    "SignalMessage fields out of order or repeated",
                ));
            }
            last = field;
            seen[field as usize] = true;
            let bytes_field = matches!(field, 1 | 4 | 5 | 6);
            let expected = if bytes_field {
                encoding::WT_LEN
            } else {
                encoding::WT_VARINT
            };
            if wire != expected {
                return Err(RatchetError::Malformed("SignalMessage wire type"));
            }
            if bytes_field {
                let len = r.varint("SignalMessage length").map_err(read_error)?;
                let len = usize::try_from(len)
                    .map_err(|_| RatchetError::Malformed("SignalMessage length"))?;
                let v = r.take("SignalMessage field", len).map_err(read_error)?;
                match field {
                    1 => {
                        if v.len() != 33 || v[0] != labels::SIGNAL_TYPE_X25519 {
                            return Err(RatchetError::Malformed("SignalMessage ratchet key"));
                        }
                        m.ratchet_key = v[1..].to_vec();
                    }
                    4 => m.ciphertext = v.to_vec(),
                    5 => m.pq_ratchet = v.to_vec(),
                    _ => {
                        if v.len() != labels::SIGNAL_ADDRESSES_LEN {
                            return Err(RatchetError::Malformed("SignalMessage addresses"));
                        }
                        m.addresses = Some(v.to_vec());
                    }
                }
            } else {
                let v = r.varint("SignalMessage counter").map_err(read_error)?;
                let v = u32::try_from(v)
                    .map_err(|_| RatchetError::Malformed("SignalMessage counter out of range"))?;
                if field == 2 {
                    m.counter = v;
                } else {
                    m.previous_counter = v;
                }
            }
        }
        for (field, what) in [
            (1, "SignalMessage without ratchet_key"),
            (2, "SignalMessage without counter"),
            (3, "SignalMessage without previous_counter"),
            (4, "SignalMessage without ciphertext"),
        ] {
            if !seen[field] {
                return Err(RatchetError::Malformed(what));
            }
        }
        Ok((m, body, mac))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(pq: usize) -> SignalMessage {
        SignalMessage {
            version: labels::SIGNAL_VERSION_BYTE,
            ratchet_key: vec![7; 32],
            counter: 3,
            previous_counter: 0,
            ciphertext: vec![1; 32],
            pq_ratchet: vec![2; pq],
            addresses: None,
        }
    }

    #[test]
    fn sizes_are_libsignals() {
        // A 32-byte CBC body with a 37-byte SPQR message: 121 bytes with the
        // MAC; with a 4-byte SPQR message: 88 (libsignal, observed).
        assert_eq!(sample(37).encode_unmacced().len() + 8, 121);
        assert_eq!(sample(4).encode_unmacced().len() + 8, 88);
    }

    #[test]
    fn round_trip_and_strictness() {
        let m = SignalMessage {
            addresses: Some(vec![0; 36]),
            ..sample(37)
        };
        let mut bytes = m.encode_unmacced();
        bytes.extend_from_slice(&[9; 8]);
        let (d, body, mac) = SignalMessage::decode(&bytes, 0x44).unwrap();
        assert_eq!(d, m);
        assert_eq!(mac, &[9; 8]);
        assert_eq!(body.len(), bytes.len() - 8);
        // No truncation decodes to the same message, and none panics.
        for cut in 0..bytes.len() - 8 {
            let mut t = bytes[..cut].to_vec();
            t.extend_from_slice(&[9; 8]);
            if let Ok((d, _, _)) = SignalMessage::decode(&t, 0x44) {
                assert_ne!(d, m, "cut {cut}");
            }
        }
        // Fields out of order.
        let mut swapped = vec![0x44];
        encoding::put_varint_field(&mut swapped, 2, 1);
        encoding::put_bytes_field(&mut swapped, 1, &[5; 33]);
        swapped.extend_from_slice(&[0; 8]);
        assert!(SignalMessage::decode(&swapped, 0x44).is_err());
    }
}
