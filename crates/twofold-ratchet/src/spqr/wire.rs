//! The V1 SPQR message that rides in every Signal message (`spqr` v1.5.3
//! `src/v1/chunked/states/serialize.rs`; version handling in `src/lib.rs`).
//!
//! ```text
//! version   1 byte   0x01 (V1); an empty message is V0: no SPQR
//! epoch     varint   the sender's Braid epoch
//! index     varint   the chain key index used for this message (0: no key), a u32
//! type      1 byte   0 None, 1 Hdr, 2 Ek, 3 EkCt1Ack, 4 Ct1Ack, 5 Ct1, 6 Ct2
//! chunk     for Hdr, Ek, EkCt1Ack, Ct1, Ct2: chunk index varint (<= 65535) || 32 data bytes
//! ```
//!
//! Varints are LEB128 (7 bits a byte, least significant first, high bit set
//! on every byte but the last). Encoding is minimal; decoding accepts any
//! encoding of at most 10 bytes whose value fits a `u64`, as the deployed
//! decoder accepts non-minimal forms. Bytes after the message are ignored,
//! as deployed, so that a later version can extend it.
//!
//! The first message of a fresh session is
//! `01 01 01 01 00 || 32 bytes` (V1, epoch 1, key 1, a header chunk with
//! index 0); a message with nothing to carry is `01 <epoch> <index> 00`.

use super::erasure::Chunk;
use super::labels::{CHUNK_DATA_LEN, MAX_VARINT_LEN, WIRE_VERSION_V1};
use crate::{RatchetError, Result};

/// The SPQR protocol version a message announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// No SPQR: an empty message (or version byte 0).
    V0,
    /// The ML-KEM-768 Braid.
    V1,
}

impl Version {
    /// The version of a received message: V0 for an empty message or a
    /// leading 0, V1 for a leading 1, `None` for a version this code does
    /// not know (the deployed receiver ignores such a message and keeps its
    /// own version).
    pub fn of(message: &[u8]) -> Option<Self> {
        match message.first() {
            None | Some(0) => Some(Version::V0),
            Some(&WIRE_VERSION_V1) => Some(Version::V1),
            Some(_) => None,
        }
    }
}

/// The type byte of a V1 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MessageType {
    /// Nothing to carry.
    None = 0,
    /// A chunk of the header and its MAC.
    Hdr = 1,
    /// A chunk of the encapsulation key vector.
    Ek = 2,
    /// A chunk of the key vector, acknowledging that ct1 arrived.
    EkCt1Ack = 3,
    /// Acknowledges ct1, no chunk.
    Ct1Ack = 4,
    /// A chunk of the first ciphertext half.
    Ct1 = 5,
    /// A chunk of the second ciphertext half and its MAC.
    Ct2 = 6,
}

impl MessageType {
    /// The type of a type byte; `None` for an unknown byte.
    pub fn from_byte(b: u8) -> Option<Self> {
        Some(match b {
            0 => Self::None,
            1 => Self::Hdr,
            2 => Self::Ek,
            3 => Self::EkCt1Ack,
            4 => Self::Ct1Ack,
            5 => Self::Ct1,
            6 => Self::Ct2,
            _ => return None,
        })
    }
}

/// What a V1 message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Payload {
    /// Nothing.
    None,
    /// A header chunk.
    Hdr(Chunk),
    /// A key-vector chunk.
    Ek(Chunk),
    /// A key-vector chunk and the ct1 acknowledgement.
    EkCt1Ack(Chunk),
    /// The ct1 acknowledgement alone.
    Ct1Ack,
    /// A ct1 chunk.
    Ct1(Chunk),
    /// A ct2 chunk.
    Ct2(Chunk),
}

impl Payload {
    /// The type byte of this payload.
    pub fn message_type(&self) -> MessageType {
        match self {
            Payload::None => MessageType::None,
            Payload::Hdr(_) => MessageType::Hdr,
            Payload::Ek(_) => MessageType::Ek,
            Payload::EkCt1Ack(_) => MessageType::EkCt1Ack,
            Payload::Ct1Ack => MessageType::Ct1Ack,
            Payload::Ct1(_) => MessageType::Ct1,
            Payload::Ct2(_) => MessageType::Ct2,
        }
    }

    /// The chunk carried, if any.
    pub fn chunk(&self) -> Option<&Chunk> {
        match self {
            Payload::None | Payload::Ct1Ack => None,
            Payload::Hdr(c)
            | Payload::Ek(c)
            | Payload::EkCt1Ack(c)
            | Payload::Ct1(c)
            | Payload::Ct2(c) => Some(c),
        }
    }

    /// The payload of type `t` around chunk `c` (`c` is dropped for the
    /// two types without a chunk).
    fn with_chunk(t: MessageType, c: Chunk) -> Self {
        match t {
            MessageType::Hdr => Payload::Hdr(c),
            MessageType::Ek => Payload::Ek(c),
            MessageType::EkCt1Ack => Payload::EkCt1Ack(c),
            MessageType::Ct1 => Payload::Ct1(c),
            MessageType::Ct2 => Payload::Ct2(c),
            MessageType::None => Payload::None,
            MessageType::Ct1Ack => Payload::Ct1Ack,
        }
    }
}

/// One V1 SPQR message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Message {
    /// The sender's Braid epoch.
    pub epoch: u64,
    /// The chain key index the sender used (0: no key).
    pub key_index: u32,
    /// What the message carries.
    pub payload: Payload,
}

impl Message {
    /// The wire form (minimal varints).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 2 * MAX_VARINT_LEN + 1 + 3 + CHUNK_DATA_LEN);
        out.push(WIRE_VERSION_V1);
        encode_varint(self.epoch, &mut out);
        encode_varint(u64::from(self.key_index), &mut out);
        out.push(self.payload.message_type() as u8);
        if let Some(c) = self.payload.chunk() {
            encode_varint(u64::from(c.index), &mut out);
            out.extend_from_slice(&c.data);
        }
        out
    }

    /// Parses a V1 message, ignoring any bytes after it.
    pub fn decode(bytes: &[u8]) -> Result<Self> {
        Self::decode_prefix(bytes).map(|(m, _)| m)
    }

    /// Parses a V1 message from the start of `bytes`; also returns how many
    /// bytes it took (the rest is for later versions).
    pub fn decode_prefix(bytes: &[u8]) -> Result<(Self, usize)> {
        if bytes.first() != Some(&WIRE_VERSION_V1) {
            return Err(RatchetError::Malformed("SPQR message: not version 1"));
        }
        let mut at = 1;
        let epoch = decode_varint(bytes, &mut at)?;
        let key_index = u32::try_from(decode_varint(bytes, &mut at)?)
            .map_err(|_| RatchetError::Malformed("SPQR message: key index above 2^32 - 1"))?;
        let t = bytes
            .get(at)
            .ok_or(RatchetError::Malformed("SPQR message: no type byte"))?;
        let t = MessageType::from_byte(*t)
            .ok_or(RatchetError::Malformed("SPQR message: unknown type"))?;
        at += 1;
        let payload = match t {
            MessageType::None => Payload::None,
            MessageType::Ct1Ack => Payload::Ct1Ack,
            _ => Payload::with_chunk(t, decode_chunk(bytes, &mut at)?),
        };
        Ok((
            Self {
                epoch,
                key_index,
                payload,
            },
            at,
        ))
    }
}

/// Reads `chunk index varint || 32 data bytes` at `*at`.
fn decode_chunk(bytes: &[u8], at: &mut usize) -> Result<Chunk> {
    let mut pos = *at;
    let index = u16::try_from(decode_varint(bytes, &mut pos)?)
        .map_err(|_| RatchetError::Malformed("SPQR message: chunk index above 65535"))?;
    let rest = bytes.get(pos..).unwrap_or_default();
    let data = rest
        .first_chunk::<CHUNK_DATA_LEN>()
        .ok_or(RatchetError::InvalidLength {
            what: "SPQR chunk data",
            expected: CHUNK_DATA_LEN,
            actual: rest.len(),
        })?;
    *at = pos + CHUNK_DATA_LEN;
    Ok(Chunk { index, data: *data })
}

/// Appends the minimal LEB128 encoding of `v` (1 to 10 bytes).
pub fn encode_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7F) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads a LEB128 varint at `*at` and advances `*at` past it. Rejects a
/// truncated varint, one longer than 10 bytes, and one whose value does not
/// fit a `u64`. On error `*at` is unchanged.
pub fn decode_varint(bytes: &[u8], at: &mut usize) -> Result<u64> {
    let mut v: u64 = 0;
    for i in 0..MAX_VARINT_LEN {
        let b = *bytes
            .get(*at + i)
            .ok_or(RatchetError::Malformed("varint: truncated"))?;
        let bits = u64::from(b & 0x7F);
        // The tenth byte holds bit 63 only.
        if i == MAX_VARINT_LEN - 1 && bits > 1 {
            return Err(RatchetError::Malformed("varint: value above 2^64 - 1"));
        }
        v |= bits << (7 * i);
        if b & 0x80 == 0 {
            *at += i + 1;
            return Ok(v);
        }
    }
    Err(RatchetError::Malformed("varint: longer than 10 bytes"))
}
