//! Initial-message encodings.
//!
//! ## spec profile (twofold's format, version 1)
//! All integers big-endian; every length is checked; nothing may follow.
//! ```text
//! offset size
//! 0      1    message type: 0x03 = X3DH, 0x04 = PQXDH
//! 1      1    flags: bit 0 = a one-time prekey was used; other bits 0
//! 2      33   EncodeEC(IK_A)  (type byte 0x11 || 32-byte X25519 u)
//! 35     33   EncodeEC(EK_A)
//! 68     4    signed prekey id
//!        4    one-time prekey id                 (only if flag bit 0)
//!        4    KEM prekey id                      (PQXDH only)
//!        2    n = length of the KEM ciphertext field (PQXDH only)
//!        n    KEM type byte || KEM ciphertext    (PQXDH only)
//!        4    m = payload length (at most 65536)
//!        m    AEAD ciphertext of the payload (tag appended)
//! ```
//!
//! ## signal profile (libsignal's PreKeySignalMessage)
//! `version byte || protobuf`, version `0x44` (PQXDH, message version 4)
//! or `0x33` (legacy X3DH, version 3). Fields in tag order, as prost writes
//! them (libsignal's `wire.proto` through prost, which writes fields in tag order):
//! ```text
//! 1 pre_key_id (varint, only if a one-time prekey was used)
//! 2 base_key (bytes: 0x05 || EK_A)   3 identity_key (bytes: 0x05 || IK_A)
//! 4 message (bytes: opaque payload)  5 registration_id (varint)
//! 6 signed_pre_key_id (varint)
//! 7 kyber_pre_key_id (varint)        8 kyber_ciphertext (0x08 || ct)   (version 4 only)
//! ```
//! The decoder accepts exactly what that encoder produces: fields in
//! strictly increasing order, each at most once, minimal varints, no
//! unknown field, every field the version needs present.

use twofold_core::encoding::{self, ReadError};

use super::suite::{Profile, Protocol};
use crate::bundle::BundleParams;
use crate::labels;
use crate::{HandshakeError, Result};

/// What the encoding of an initial message depends on: the protocol, the
/// profile, and the key sizes and type bytes of the bundle parameters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Format {
    pub(crate) protocol: Protocol,
    pub(crate) profile: Profile,
    pub(crate) params: BundleParams,
}

/// The initiator's first message (X3DH §3.3 / PQXDH §3.3), decoded.
/// Curve keys and the KEM ciphertext are raw (no type byte).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialMessage {
    /// libsignal's registration id (signal profile only; `None` in spec).
    pub registration_id: Option<u32>,
    /// `IK_A`.
    pub identity_key: Vec<u8>,
    /// `EK_A` (libsignal: the "base key").
    pub base_key: Vec<u8>,
    /// Identifier of `SPK_B`.
    pub signed_prekey_id: u32,
    /// Identifier of `OPK_B`, if one was used.
    pub one_time_prekey_id: Option<u32>,
    /// Identifier of `PQPK_B` (PQXDH).
    pub kem_prekey_id: Option<u32>,
    /// `CT` (PQXDH).
    pub kem_ciphertext: Option<Vec<u8>>,
    /// spec: AEAD ciphertext of the payload; signal: the opaque payload.
    pub payload: Vec<u8>,
}

pub(crate) fn encode(x: &Format, m: &InitialMessage) -> Result<Vec<u8>> {
    let p = &x.params;
    let pk_len = p.dh.sizes().pk;
    twofold_core::check_len("identity key IK_A", &m.identity_key, pk_len)?;
    twofold_core::check_len("base key EK_A", &m.base_key, pk_len)?;
    let pq = x.protocol == Protocol::Pqxdh;
    let kem = match (pq, m.kem_prekey_id, &m.kem_ciphertext) {
        (false, None, None) => None,
        (true, Some(id), Some(ct)) => Some((id, p.encode_kem_ct(ct)?)),
        (true, _, _) => return Err(HandshakeError::MissingKey("KEM prekey id and ciphertext")),
        (false, _, _) => return Err(HandshakeError::Misuse("X3DH carries no KEM fields")),
    };
    match x.profile {
        Profile::Spec => {
            if m.registration_id.is_some() {
                return Err(HandshakeError::Misuse(
                    "registration ids belong to the signal profile",
                ));
            }
            let mut out = Vec::new();
            out.push(if pq {
                labels::SPEC_MESSAGE_PQXDH
            } else {
                labels::SPEC_MESSAGE_X3DH
            });
            out.push(u8::from(m.one_time_prekey_id.is_some()));
            out.extend_from_slice(&p.encode_ec(&m.identity_key));
            out.extend_from_slice(&p.encode_ec(&m.base_key));
            out.extend_from_slice(&m.signed_prekey_id.to_be_bytes());
            if let Some(id) = m.one_time_prekey_id {
                out.extend_from_slice(&id.to_be_bytes());
            }
            if let Some((id, ct)) = &kem {
                out.extend_from_slice(&id.to_be_bytes());
                let n = u16::try_from(ct.len()).map_err(|_| HandshakeError::Oversized {
                    what: "KEM ciphertext field",
                    max: u16::MAX as usize,
                    actual: ct.len(),
                })?;
                out.extend_from_slice(&n.to_be_bytes());
                out.extend_from_slice(ct);
            }
            let n = u32::try_from(m.payload.len()).map_err(|_| HandshakeError::Oversized {
                what: "initial payload",
                max: u32::MAX as usize,
                actual: m.payload.len(),
            })?;
            out.extend_from_slice(&n.to_be_bytes());
            out.extend_from_slice(&m.payload);
            Ok(out)
        }
        Profile::Signal => {
            let registration_id = m.registration_id.ok_or(HandshakeError::MissingKey(
                "registration id (signal profile)",
            ))?;
            let mut out = vec![if pq {
                labels::SIGNAL_VERSION_PQXDH
            } else {
                labels::SIGNAL_VERSION_X3DH
            }];
            if let Some(id) = m.one_time_prekey_id {
                pb_varint_field(&mut out, 1, id);
            }
            encoding::put_bytes_field(&mut out, 2, &p.encode_ec(&m.base_key));
            encoding::put_bytes_field(&mut out, 3, &p.encode_ec(&m.identity_key));
            encoding::put_bytes_field(&mut out, 4, &m.payload);
            pb_varint_field(&mut out, 5, registration_id);
            pb_varint_field(&mut out, 6, m.signed_prekey_id);
            if let Some((id, ct)) = &kem {
                pb_varint_field(&mut out, 7, *id);
                encoding::put_bytes_field(&mut out, 8, ct);
            }
            Ok(out)
        }
    }
}

pub(crate) fn decode(x: &Format, bytes: &[u8]) -> Result<InitialMessage> {
    let max = max_message_len(x);
    if bytes.len() > max {
        return Err(HandshakeError::Oversized {
            what: "initial message",
            max,
            actual: bytes.len(),
        });
    }
    match x.profile {
        Profile::Spec => decode_spec(x, bytes),
        Profile::Signal => decode_signal(x, bytes),
    }
}

/// An upper bound on any valid message: header, keys, ids, the KEM
/// ciphertext field and the largest payload, plus protobuf framing.
fn max_message_len(x: &Format) -> usize {
    let ec = 1 + x.params.dh.sizes().pk;
    let ct = x.params.kem.map_or(0, |k| 1 + k.sizes().ct);
    // Generous framing allowance: tags, lengths and varints are < 64 bytes.
    2 + 2 * ec + 3 * 4 + 2 + ct + 4 + labels::MAX_PAYLOAD_LEN + 64
}

/// A bounds-checked cursor whose failures are handshake errors.
struct Reader<'a>(encoding::Reader<'a>);

fn read_error(e: ReadError) -> HandshakeError {
    match e {
        ReadError::Truncated(what, expected, actual) => HandshakeError::Truncated {
            what,
            expected,
            actual,
        },
        ReadError::VarintTooLong => HandshakeError::Malformed("varint longer than 64 bits"),
        ReadError::NonMinimalVarint => HandshakeError::Malformed("non-minimal varint"),
    }
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Self(encoding::Reader::new(buf))
    }
    fn remaining(&self) -> usize {
        self.0.remaining()
    }
    fn pos(&self) -> usize {
        self.0.position()
    }
    fn take(&mut self, what: &'static str, n: usize) -> Result<&'a [u8]> {
        self.0.take(what, n).map_err(read_error)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8> {
        self.0.u8(what).map_err(read_error)
    }
    fn u16(&mut self, what: &'static str) -> Result<u16> {
        self.0.u16(what).map_err(read_error)
    }
    fn u32(&mut self, what: &'static str) -> Result<u32> {
        self.0.u32(what).map_err(read_error)
    }
    fn varint(&mut self, what: &'static str) -> Result<u64> {
        self.0.varint(what).map_err(read_error)
    }
}

fn decode_spec(x: &Format, bytes: &[u8]) -> Result<InitialMessage> {
    let p = &x.params;
    let pq = x.protocol == Protocol::Pqxdh;
    let mut r = Reader::new(bytes);
    let expected_type = if pq {
        labels::SPEC_MESSAGE_PQXDH
    } else {
        labels::SPEC_MESSAGE_X3DH
    };
    if r.u8("message type")? != expected_type {
        return Err(HandshakeError::Malformed("message type"));
    }
    let flags = r.u8("flags")?;
    if flags & !1 != 0 {
        return Err(HandshakeError::Malformed("reserved flag bits set"));
    }
    let ec_len = 1 + p.dh.sizes().pk;
    let identity_key = p.decode_ec("identity key IK_A", r.take("identity key IK_A", ec_len)?)?;
    let base_key = p.decode_ec("base key EK_A", r.take("base key EK_A", ec_len)?)?;
    let signed_prekey_id = r.u32("signed prekey id")?;
    let one_time_prekey_id = if flags & 1 == 1 {
        Some(r.u32("one-time prekey id")?)
    } else {
        None
    };
    let (kem_prekey_id, kem_ciphertext) = if pq {
        let id = r.u32("KEM prekey id")?;
        let n = usize::from(r.u16("KEM ciphertext length")?);
        let ct = p.decode_kem_ct(r.take("KEM ciphertext", n)?)?;
        (Some(id), Some(ct))
    } else {
        (None, None)
    };
    let n = r.u32("payload length")?;
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if n > labels::MAX_PAYLOAD_LEN {
        return Err(HandshakeError::Oversized {
            what: "initial payload",
            max: labels::MAX_PAYLOAD_LEN,
            actual: n,
        });
    }
    let payload = r.take("initial payload", n)?.to_vec();
    if r.remaining() != 0 {
        return Err(HandshakeError::Oversized {
            what: "initial message",
            max: r.pos(),
            actual: bytes.len(),
        });
    }
    Ok(InitialMessage {
        registration_id: None,
        identity_key,
        base_key,
        signed_prekey_id,
        one_time_prekey_id,
        kem_prekey_id,
        kem_ciphertext,
        payload,
    })
}

fn pb_varint_field(out: &mut Vec<u8>, field: u8, v: u32) {
    encoding::put_varint_field(out, field, u64::from(v));
}

fn decode_signal(x: &Format, bytes: &[u8]) -> Result<InitialMessage> {
    let p = &x.params;
    let pq = x.protocol == Protocol::Pqxdh;
    let (version, last_field) = if pq {
        (labels::SIGNAL_VERSION_PQXDH, 8u64)
    } else {
        (labels::SIGNAL_VERSION_X3DH, 6u64)
    };
    let mut r = Reader::new(bytes);
    if r.u8("version byte")? != version {
        return Err(HandshakeError::Malformed("version byte"));
    }
    let mut pre_key_id = None;
    let mut base_key = None;
    let mut identity_key = None;
    let mut message = None;
    let mut registration_id = None;
    let mut signed_pre_key_id = None;
    let mut kyber_pre_key_id = None;
    let mut kyber_ciphertext = None;
    let mut previous = 0u64;
    while r.remaining() > 0 {
        if previous == last_field {
            // Nothing can follow the highest field.
            return Err(HandshakeError::Oversized {
                what: "PreKeySignalMessage",
                max: r.pos(),
                actual: bytes.len(),
            });
        }
        let key = r.varint("protobuf field key")?;
        let field = key >> 3;
        let wire_type = (key & 7) as u8;
        if field == 0 || field > last_field {
            return Err(HandshakeError::Malformed("unknown protobuf field"));
        }
        if field <= previous {
            return Err(HandshakeError::Malformed(
                "protobuf fields out of order or repeated",
            ));
        }
        previous = field;
        let is_bytes = matches!(field, 2 | 3 | 4 | 8);
        let expected_wt = if is_bytes {
            encoding::WT_LEN
        } else {
            encoding::WT_VARINT
        };
        if wire_type != expected_wt {
            return Err(HandshakeError::Malformed("protobuf wire type"));
        }
        if is_bytes {
            let len = r.varint("protobuf length")?;
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            let (what, limit) = match field {
                2 => ("base_key", 0),
                3 => ("identity_key", 0),
                4 => ("message", labels::MAX_PAYLOAD_LEN),
                _ => ("kyber_ciphertext", 0),
            };
            if limit > 0 && len > limit {
                return Err(HandshakeError::Oversized {
                    what,
                    max: limit,
                    actual: len,
                });
            }
            let v = r.take(what, len)?;
            match field {
                2 => base_key = Some(p.decode_ec("base key EK_A", v)?),
                3 => identity_key = Some(p.decode_ec("identity key IK_A", v)?),
                4 => message = Some(v.to_vec()),
                _ => kyber_ciphertext = Some(p.decode_kem_ct(v)?),
            }
        } else {
            let v = r.varint("protobuf varint")?;
            let v =
                u32::try_from(v).map_err(|_| HandshakeError::Malformed("uint32 out of range"))?;
            match field {
                1 => pre_key_id = Some(v),
                5 => registration_id = Some(v),
                6 => signed_pre_key_id = Some(v),
                _ => kyber_pre_key_id = Some(v),
            }
        }
    }
    let missing = |what| HandshakeError::Malformed(what);
    let (kem_prekey_id, kem_ciphertext) = if pq {
        (
            Some(kyber_pre_key_id.ok_or(missing("missing kyber_pre_key_id"))?),
            Some(kyber_ciphertext.ok_or(missing("missing kyber_ciphertext"))?),
        )
    } else {
        (None, None)
    };
    Ok(InitialMessage {
        registration_id: Some(registration_id.ok_or(missing("missing registration_id"))?),
        identity_key: identity_key.ok_or(missing("missing identity_key"))?,
        base_key: base_key.ok_or(missing("missing base_key"))?,
        signed_prekey_id: signed_pre_key_id.ok_or(missing("missing signed_pre_key_id"))?,
        one_time_prekey_id: pre_key_id,
        kem_prekey_id,
        kem_ciphertext,
        payload: message.ok_or(missing("missing message"))?,
    })
}
