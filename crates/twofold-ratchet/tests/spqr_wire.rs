//! The V1 SPQR wire format: the deployed message shapes, varint edges, every
//! rejection, and round trips.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use twofold_ratchet::RatchetError;
use twofold_ratchet::spqr::erasure::Chunk;
use twofold_ratchet::spqr::wire::{
    Message, MessageType, Payload, Version, decode_varint, encode_varint,
};

fn msg(epoch: u64, key_index: u32, payload: Payload) -> Message {
    Message {
        epoch,
        key_index,
        payload,
    }
}

fn chunk(index: u16, fill: u8) -> Chunk {
    Chunk {
        index,
        data: [fill; 32],
    }
}

fn malformed(r: Result<Message, RatchetError>) -> bool {
    matches!(
        r,
        Err(RatchetError::Malformed(_)) | Err(RatchetError::InvalidLength { .. })
    )
}

#[test]
fn first_message_of_a_session_is_37_bytes() {
    // What libsignal sends in its first message (spqr v1.5.3): V1, epoch 1,
    // key index 1, type Hdr, chunk 0, then the first 32 header bytes.
    let rho = [0xABu8; 32];
    let m = msg(
        1,
        1,
        Payload::Hdr(Chunk {
            index: 0,
            data: rho,
        }),
    );
    let wire = m.encode();
    assert_eq!(wire.len(), 37);
    assert_eq!(wire[..5], [0x01, 0x01, 0x01, 0x01, 0x00]);
    assert_eq!(wire[5..], rho);
    assert_eq!(Message::decode(&wire).unwrap(), m);
    assert_eq!(Version::of(&wire), Some(Version::V1));
}

#[test]
fn a_message_without_payload_is_4_bytes() {
    // The responder's replies before it holds the header: `01 01 <idx> 00`.
    for idx in [1u32, 2, 0x7F] {
        let m = msg(1, idx, Payload::None);
        assert_eq!(m.encode(), [0x01, 0x01, idx as u8, 0x00]);
        assert_eq!(Message::decode(&m.encode()).unwrap(), m);
    }
    let ack = msg(3, 0, Payload::Ct1Ack);
    assert_eq!(ack.encode(), [0x01, 0x03, 0x00, 0x04]);
}

#[test]
fn every_type_byte_and_its_payload() {
    let c = chunk(300, 0x5A);
    let cases = [
        (Payload::None, 0u8),
        (Payload::Hdr(c), 1),
        (Payload::Ek(c), 2),
        (Payload::EkCt1Ack(c), 3),
        (Payload::Ct1Ack, 4),
        (Payload::Ct1(c), 5),
        (Payload::Ct2(c), 6),
    ];
    for (payload, byte) in cases {
        let m = msg(2, 5, payload);
        let wire = m.encode();
        assert_eq!(wire[3], byte);
        assert_eq!(payload.message_type() as u8, byte);
        assert_eq!(MessageType::from_byte(byte), Some(payload.message_type()));
        match payload.chunk() {
            // Chunk index 300 = AC 02.
            Some(_) => assert_eq!(wire[4..], [&[0xAC, 0x02][..], &[0x5A; 32]].concat()),
            None => assert_eq!(wire.len(), 4),
        }
        assert_eq!(Message::decode(&wire).unwrap(), m);
    }
    assert_eq!(MessageType::from_byte(7), None);
}

#[test]
fn varints_are_leb128() {
    // The deployed test value: 0x012C = AC 02.
    let mut v = Vec::new();
    encode_varint(0x012C, &mut v);
    assert_eq!(v, [0xAC, 0x02]);
    let mut at = 1;
    assert_eq!(
        decode_varint(&[0xFF, 0xAC, 0x02, 0xFF], &mut at).unwrap(),
        0x012C
    );
    assert_eq!(at, 3);
    for (value, wire) in [
        (0u64, vec![0x00]),
        (0x7F, vec![0x7F]),
        (0x80, vec![0x80, 0x01]),
        (u64::from(u32::MAX), vec![0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        (
            u64::MAX,
            vec![0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        ),
    ] {
        let mut v = Vec::new();
        encode_varint(value, &mut v);
        assert_eq!(v, wire, "{value}");
        let mut at = 0;
        assert_eq!(decode_varint(&wire, &mut at).unwrap(), value);
        assert_eq!(at, wire.len());
    }
    // Non-minimal forms decode, as the deployed decoder accepts them.
    let mut at = 0;
    assert_eq!(decode_varint(&[0x80, 0x80, 0x00], &mut at).unwrap(), 0);
    assert_eq!(at, 3);
}

#[test]
fn bad_varints_are_rejected_without_moving() {
    let bad: [&[u8]; 5] = [
        &[],
        &[0x80],
        &[0xFF, 0xFF],
        // Ten bytes, value above 2^64 - 1.
        &[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02],
        // Eleven bytes.
        &[
            0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
        ],
    ];
    for b in bad {
        let mut at = 0;
        assert!(
            matches!(decode_varint(b, &mut at), Err(RatchetError::Malformed(_))),
            "{b:02x?}"
        );
        assert_eq!(at, 0);
    }
}

#[test]
fn malformed_messages_are_rejected() {
    let good = msg(1, 1, Payload::Ek(chunk(7, 1))).encode();
    // Every truncation of a chunk-carrying message.
    for n in 0..good.len() {
        assert!(malformed(Message::decode(&good[..n])), "prefix {n}");
    }
    let cases: [&[u8]; 8] = [
        &[0x00, 0x01, 0x01, 0x00],                         // version 0
        &[0x02, 0x01, 0x01, 0x00],                         // version 2
        &[0x01, 0x01, 0x01],                               // no type byte
        &[0x01, 0x01, 0x01, 0x07],                         // unknown type
        &[0x01, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00], // key index 2^32
        &[0x01, 0x01, 0x01, 0x01, 0x80, 0x80, 0x04],       // chunk index 65536
        &[0x01, 0x01, 0x01, 0x05, 0x00],                   // chunk without data
        &[
            0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
        ], // epoch overflow
    ];
    for c in cases {
        assert!(malformed(Message::decode(c)), "{c:02x?}");
    }
    // The largest values that fit.
    let max = msg(u64::MAX, u32::MAX, Payload::Ct2(chunk(u16::MAX, 9)));
    let wire = max.encode();
    assert_eq!(wire.len(), 1 + 10 + 5 + 1 + 3 + 32);
    assert_eq!(Message::decode(&wire).unwrap(), max);
}

#[test]
fn trailing_bytes_are_ignored() {
    let m = msg(9, 4, Payload::Ct1(chunk(2, 3)));
    let mut wire = m.encode();
    let len = wire.len();
    wire.extend_from_slice(b"future extension");
    assert_eq!(Message::decode(&wire).unwrap(), m);
    assert_eq!(Message::decode_prefix(&wire).unwrap(), (m, len));
}

#[test]
fn versions_of_received_messages() {
    assert_eq!(Version::of(&[]), Some(Version::V0));
    assert_eq!(Version::of(&[0x00, 0x05]), Some(Version::V0));
    assert_eq!(Version::of(&[0x01]), Some(Version::V1));
    assert_eq!(Version::of(&[0x02]), None);
    assert_eq!(Version::of(&[0xFF, 0x01]), None);
    assert!(Version::V0 < Version::V1);
}

fn payload() -> impl Strategy<Value = Payload> {
    let c = (any::<u16>(), any::<[u8; 32]>()).prop_map(|(index, data)| Chunk { index, data });
    prop_oneof![
        Just(Payload::None),
        Just(Payload::Ct1Ack),
        c.clone().prop_map(Payload::Hdr),
        c.clone().prop_map(Payload::Ek),
        c.clone().prop_map(Payload::EkCt1Ack),
        c.clone().prop_map(Payload::Ct1),
        c.prop_map(Payload::Ct2),
    ]
}

proptest! {
    #[test]
    fn decode_inverts_encode(epoch: u64, key_index: u32, payload in payload(), tail: Vec<u8>) {
        let m = msg(epoch, key_index, payload);
        let wire = m.encode();
        prop_assert_eq!(Message::decode(&wire).unwrap(), m);
        let mut long = wire.clone();
        long.extend_from_slice(&tail);
        prop_assert_eq!(Message::decode_prefix(&long).unwrap(), (m, wire.len()));
    }

    #[test]
    fn varints_round_trip(v: u64) {
        let mut w = Vec::new();
        encode_varint(v, &mut w);
        prop_assert!(!w.is_empty() && w.len() <= 10);
        prop_assert_eq!(w.len(), (64 - v.leading_zeros() as usize).div_ceil(7).max(1));
        let mut at = 0;
        prop_assert_eq!(decode_varint(&w, &mut at).unwrap(), v);
        prop_assert_eq!(at, w.len());
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(v1: bool, tail: Vec<u8>) {
        // Half the inputs start with the V1 byte, so the parser goes deep.
        let bytes = if v1 { [&[0x01][..], &tail].concat() } else { tail };
        if let Ok((m, used)) = Message::decode_prefix(&bytes) {
            prop_assert!(used <= bytes.len());
            // A message that parses re-encodes to a form that parses the same.
            prop_assert_eq!(Message::decode(&m.encode()).unwrap(), m);
        }
        let _ = Version::of(&bytes);
    }

    #[test]
    fn decoding_near_valid_bytes_never_panics(
        epoch: u64, key_index: u32, payload in payload(), at: prop::sample::Index, byte: u8, cut: prop::sample::Index,
    ) {
        let mut wire = msg(epoch, key_index, payload).encode();
        let i = at.index(wire.len());
        wire[i] = byte;
        wire.truncate(cut.index(wire.len() + 1));
        if let Ok(m) = Message::decode(&wire) {
            prop_assert_eq!(Message::decode(&m.encode()).unwrap(), m);
        }
    }
}
