//! The SPQR state (`Spqr::send` / `Spqr::recv`): the deployed first
//! messages and keys (pinned by the chain known answers of Signal's `spqr`
//! v1.5.3), the shape of the first epochs under strict ping-pong, version
//! negotiation, the draws, and what the observer is told.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use twofold_core::{Obs, Off, Party, Secret, ShakeRng};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::spqr::wire::{Message, MessageType, Payload};
use twofold_ratchet::spqr::{
    ChainParams, Direction, MessageKey, Params, Role, SckaState, Spqr, SpqrPrimitives, Version,
};

/// The chain known answers of tests/spqr_chain.rs (Signal's `spqr` v1.5.3
/// and an independent Python script): auth key `29` × 32.
const AUTH_KEY: [u8; 32] = [0x29; 32];
const A2B_EPOCH0: [&str; 3] = [
    "9bcdfae095d09aa8ab367dd231d1d271fe580b555bcc6f64ff079d53d9a9db5d",
    "6af868be8ea72f8ca3bb819c9623c0c9ffebd6f8503937d8f4fac142ac42a48e",
    "a404b6f9818a9df70c23a91e8ce97e4311dbe6038e247854646a38bd80598c0c",
];
const B2A_EPOCH0_KEY1: &str = "8ede114ee798830a3d35a383e72e96d82a9adca0ac699c12fdf99069220e2da8";

fn prims() -> SpqrPrimitives {
    SpqrPrimitives::resolve(&*REGISTRY).unwrap()
}

fn params(direction: Direction, min_version: Version) -> Params {
    Params {
        auth_key: Secret::new(AUTH_KEY),
        direction,
        version: Version::V1,
        min_version,
        chain: ChainParams::default(),
    }
}

fn pair() -> (Spqr, Spqr) {
    (
        Spqr::new(params(Direction::A2B, Version::V1)),
        Spqr::new(params(Direction::B2A, Version::V1)),
    )
}

fn hex_of(k: &MessageKey) -> String {
    hex::encode(k.key.expose())
}

/// One party of a test conversation.
struct Party_ {
    state: Spqr,
    rng: ShakeRng,
}

impl Party_ {
    fn new(state: Spqr, seed: &[u8]) -> Self {
        Self {
            state,
            rng: ShakeRng::new(seed),
        }
    }

    fn send(&mut self, p: &SpqrPrimitives) -> (Vec<u8>, Option<MessageKey>) {
        let (s, msg, key) = self
            .state
            .send(p, &mut self.rng, &mut Obs::new(&mut Off, Party::Initiator))
            .unwrap();
        self.state = s;
        (msg, key)
    }

    fn recv(&mut self, p: &SpqrPrimitives, msg: &[u8]) -> Option<MessageKey> {
        let (s, key) = self
            .state
            .recv(p, msg, &mut Obs::new(&mut Off, Party::Responder))
            .unwrap();
        self.state = s;
        key
    }
}

#[test]
fn the_first_message_and_keys_are_the_deployed_ones() {
    let p = prims();
    let (a, b) = pair();
    let mut a = Party_::new(a, b"a");
    let mut b = Party_::new(b, b"b");

    // A1: V1, epoch 1, key index 1, type Hdr, chunk 0, then 32 header bytes.
    let (m1, k1) = a.send(&p);
    assert_eq!(m1.len(), 37);
    assert_eq!(m1[..5], [0x01, 0x01, 0x01, 0x01, 0x00]);
    let k1 = k1.unwrap();
    assert_eq!((k1.epoch, k1.index), (0, 1));
    assert_eq!(hex_of(&k1), A2B_EPOCH0[0]);
    assert_eq!(b.recv(&p, &m1), Some(k1));

    // B's replies before the whole header arrived: `01 01 <idx> 00`, keys
    // of the B2A epoch-0 chain.
    let (r1, kb1) = b.send(&p);
    assert_eq!(r1, [0x01, 0x01, 0x01, 0x00]);
    let kb1 = kb1.unwrap();
    assert_eq!(hex_of(&kb1), B2A_EPOCH0_KEY1);
    assert_eq!(a.recv(&p, &r1), Some(kb1));

    // A2 and A3 carry header chunks 1 and 2 and A2B keys 2 and 3.
    for (i, want) in A2B_EPOCH0.iter().enumerate().skip(1) {
        let (m, k) = a.send(&p);
        let k = k.unwrap();
        assert_eq!((k.epoch, k.index), (0, i as u32 + 1));
        assert_eq!(&hex_of(&k), want);
        let d = Message::decode(&m).unwrap();
        assert_eq!(d.payload.message_type(), MessageType::Hdr);
        assert_eq!(d.payload.chunk().unwrap().index, i as u16);
        assert_eq!(b.recv(&p, &m), Some(k));
    }
    let (r2, _) = b.send(&p);
    let d = Message::decode(&r2).unwrap();
    // B now holds the header: its next message is the first ct1 chunk.
    assert_eq!((d.epoch, d.key_index), (1, 2));
    assert!(matches!(d.payload, Payload::Ct1(c) if c.index == 0));
}

/// What one message of a conversation carried.
struct Sent {
    from_a: bool,
    msg: Message,
    key: Option<MessageKey>,
}

/// Strict ping-pong, A first, `rounds` messages each; records every message
/// and, after each delivery, how many epochs each side's chain completed.
fn ping_pong(rounds: usize) -> (Vec<Sent>, Vec<(u64, u64)>, Party_, Party_) {
    let p = prims();
    let (a, b) = pair();
    let mut a = Party_::new(a, b"ping-pong a");
    let mut b = Party_::new(b, b"ping-pong b");
    let mut log = Vec::new();
    let mut epochs = Vec::new();
    for _ in 0..rounds {
        for from_a in [true, false] {
            let (tx, rx) = if from_a {
                (&mut a, &mut b)
            } else {
                (&mut b, &mut a)
            };
            let (wire, key) = tx.send(&p);
            let got = rx.recv(&p, &wire);
            assert_eq!(got, key, "both sides derive the same key");
            log.push(Sent {
                from_a,
                msg: Message::decode(&wire).unwrap(),
                key,
            });
            epochs.push((a.state.epochs_completed(), b.state.epochs_completed()));
        }
    }
    (log, epochs, a, b)
}

/// The payload types and chunk indices of `from_a`'s messages among `log`.
fn payloads(log: &[Sent], from_a: bool) -> Vec<(MessageType, Option<u16>)> {
    log.iter()
        .filter(|s| s.from_a == from_a)
        .map(|s| {
            (
                s.msg.payload.message_type(),
                s.msg.payload.chunk().map(|c| c.index),
            )
        })
        .collect()
}

/// `n` payloads of type `t` with chunk indices `from..from + n`, or without
/// a chunk.
fn run(
    t: MessageType,
    chunks: Option<std::ops::Range<u16>>,
    n: usize,
) -> Vec<(MessageType, Option<u16>)> {
    match chunks {
        Some(r) => r.map(|i| (t, Some(i))).collect(),
        None => vec![(t, None); n],
    }
}

#[test]
fn strict_ping_pong_completes_epoch_1_on_the_86th_message() {
    let (log, epochs, a, b) = ping_pong(45);

    // Epoch 1, message by message: the initiator sends the 3 header chunks,
    // 29 key-vector chunks, the last 7 with the ct1 acknowledgement, then
    // acknowledgements alone; the responder two empty messages, the 30 ct1
    // chunks, six empty messages while the key vector completes, then the 5
    // chunks of ct2 and its MAC. Every chunk is systematic, in index order.
    use MessageType as T;
    let a_want = [
        run(T::Hdr, Some(0..3), 3),
        run(T::Ek, Some(0..29), 29),
        run(T::EkCt1Ack, Some(29..36), 7),
        run(T::Ct1Ack, None, 4),
    ]
    .concat();
    let b_want = [
        run(T::None, None, 2),
        run(T::Ct1, Some(0..30), 30),
        run(T::None, None, 6),
        run(T::Ct2, Some(0..5), 5),
    ]
    .concat();
    assert_eq!(payloads(&log[..86], true), a_want);
    assert_eq!(payloads(&log[..86], false), b_want);
    // 3 + 36 + 30 + 5 chunks.
    let chunks = log[..86]
        .iter()
        .filter(|s| s.msg.payload.chunk().is_some())
        .count();
    assert_eq!(chunks, 74);
    assert!(log[..86].iter().all(|s| s.msg.epoch == 1));

    // B adds epoch 1 to its chain when it sends its first ct1 chunk (the
    // 6th message); A when the 5th ct2 chunk arrives (the 86th, B's 43rd).
    let first =
        |side: fn(&(u64, u64)) -> u64| epochs.iter().position(|e| side(e) == 1).unwrap() + 1;
    assert_eq!(first(|e| e.1), 6);
    assert_eq!(first(|e| e.0), 86);
    assert!(matches!(log[5].msg.payload, Payload::Ct1(c) if c.index == 0));

    // Keys come from epoch msg.epoch - 1: every epoch-1 message used epoch-0
    // keys, and the first epoch-1 keys ride in the first messages of SPQR
    // epoch 2 (A's 44th, now send_ct with nothing to send, then B's 44th,
    // now send_ek, with its first header chunk).
    assert!(log[..86].iter().all(|s| s.key.as_ref().unwrap().epoch == 0));
    for (s, from_a, t) in [(&log[86], true, T::None), (&log[87], false, T::Hdr)] {
        assert_eq!(s.from_a, from_a);
        assert_eq!(s.msg.epoch, 2);
        assert_eq!(s.msg.payload.message_type(), t);
        let k = s.key.as_ref().unwrap();
        assert_eq!((k.epoch, k.index), (1, 1));
    }
    // Key indices run on per direction within each epoch.
    let a_idx: Vec<u32> = log
        .iter()
        .filter(|s| s.from_a && s.msg.epoch == 1)
        .map(|s| s.msg.key_index)
        .collect();
    assert_eq!(a_idx, (1..=43).collect::<Vec<_>>());

    // Roles swapped.
    assert_eq!(a.state.role(), Some(Role::SendCt));
    assert_eq!(b.state.role(), Some(Role::SendEk));
    assert_eq!(a.state.scka_state(), Some(SckaState::NoHeaderReceived));
    assert_eq!(b.state.scka_state(), Some(SckaState::KeysSampled));
    assert_eq!((a.state.epoch(), b.state.epoch()), (Some(2), Some(2)));
}

#[test]
fn strict_ping_pong_keeps_completing_epochs_with_roles_alternating() {
    let (log, epochs, a, b) = ping_pong(300);
    // Each later epoch takes 87 messages in ping-pong: the one extra is the
    // new send_ct side's empty first message of the epoch, which tells the
    // old send_ct side that the epoch moved on.
    let completed = |side: fn(&(u64, u64)) -> u64, e: u64| {
        epochs.iter().position(|x| side(x) == e).unwrap() + 1
    };
    // The send_ek side of an epoch completes it; A is send_ek in odd epochs.
    let done: Vec<usize> = (1..=6)
        .map(|e| {
            if e % 2 == 1 {
                completed(|x| x.0, e)
            } else {
                completed(|x| x.1, e)
            }
        })
        .collect();
    assert_eq!(done, [86, 173, 260, 347, 434, 521]);
    // The send_ct side has the epoch from its first ct1 chunk on.
    let early: Vec<usize> = (1..=6)
        .map(|e| {
            if e % 2 == 1 {
                completed(|x| x.1, e)
            } else {
                completed(|x| x.0, e)
            }
        })
        .collect();
    assert_eq!(early, [6, 93, 180, 267, 354, 441]);
    // Every message's key is the latest epoch the sender's peer is sure to
    // have: msg.epoch - 1.
    assert!(
        log.iter()
            .all(|s| s.key.as_ref().unwrap().epoch == s.msg.epoch - 1)
    );
    assert_eq!(
        a.state.epochs_completed().min(b.state.epochs_completed()),
        6
    );
}
