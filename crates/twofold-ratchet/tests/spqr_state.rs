//! The SPQR state (`Spqr::send` / `Spqr::recv`): the deployed first
//! messages and keys (pinned by the chain known answers of Signal's `spqr`
//! v1.5.3), the shape of the first epochs under strict ping-pong, version
//! negotiation, the draws, and what the observer is told.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::peer::{Peer, params_with, prims};
use twofold_core::{CryptoRng, Obs, Off, Party, Recorder, Secret, ShakeRng};
use twofold_ratchet::RatchetError;
use twofold_ratchet::spqr::scka::{ENCAPS_COINS, KEYGEN_COINS};
use twofold_ratchet::spqr::wire::{Message, MessageType, Payload};
use twofold_ratchet::spqr::{
    Authenticator, ChainParams, Direction, MessageKey, Role, SckaState, Spqr, SpqrPrimitives,
    Version,
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

fn pair() -> (Peer, Peer) {
    Peer::pair(AUTH_KEY, ChainParams::default(), b"state")
}

fn hex_of(k: &MessageKey) -> String {
    hex::encode(k.key.expose())
}

#[test]
fn the_first_message_and_keys_are_the_deployed_ones() {
    let p = prims();
    let (mut a, mut b) = pair();

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
fn ping_pong(rounds: usize) -> (Vec<Sent>, Vec<(u64, u64)>, Peer, Peer) {
    let p = prims();
    let (mut a, mut b) = pair();
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
    // For e = 1..=6, the message after which the chain of the epoch's
    // send_ek side (`true`) or send_ct side (`false`) first holds epoch e.
    let first = |a_in_odd: bool| {
        (1..=6u64)
            .map(|e| {
                let side_a = (e % 2 == 1) == a_in_odd;
                1 + epochs
                    .iter()
                    .position(|x| if side_a { x.0 == e } else { x.1 == e })
                    .unwrap()
            })
            .collect::<Vec<_>>()
    };
    // The send_ek side of an epoch completes it; A is send_ek in odd epochs.
    assert_eq!(first(true), [86, 173, 260, 347, 434, 521]);
    // The send_ct side has the epoch from its first ct1 chunk on.
    let early = first(false);
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

// ---------------------------------------------------------------------------
// Version negotiation
// ---------------------------------------------------------------------------

fn peer(direction: Direction, min_version: Version, seed: &[u8]) -> Peer {
    Peer::new(
        Spqr::new(params_with(
            AUTH_KEY,
            direction,
            min_version,
            ChainParams::default(),
        )),
        seed,
    )
}

#[test]
fn a_lower_version_downgrades_only_while_negotiating_and_down_to_min_version() {
    let p = prims();
    // An empty message, or one whose version byte is 0, is V0.
    for v0 in [&[][..], &[0x00, 0x01, 0x01, 0x00]] {
        let strict = peer(Direction::B2A, Version::V1, b"s");
        assert_eq!(
            strict
                .state
                .recv(&p, v0, &mut Obs::new(&mut Off, Party::Responder))
                .unwrap_err(),
            RatchetError::MinimumVersion {
                peer: Version::V0,
                minimum: Version::V1
            }
        );
        let mut lax = peer(Direction::B2A, Version::V0, b"l");
        assert_eq!(lax.recv(&p, v0), None);
        assert_eq!(lax.state.version(), Version::V0);
        // From now on no SPQR: empty messages, no keys, anything ignored.
        assert_eq!(lax.send(&p), (Vec::new(), None));
        let (mut a, _) = pair();
        let (m, _) = a.send(&p);
        assert_eq!(lax.recv(&p, &m), None);
        assert_eq!(lax.state.to_bytes().expose(), [1, 0]);
    }

    // Negotiation ends with the first message of the party's own version.
    let (mut a, mut b) = pair();
    assert!(b.state.negotiating());
    let (m, _) = a.send(&p);
    b.recv(&p, &m);
    assert!(!b.state.negotiating());
    assert!(a.state.negotiating(), "sending never ends negotiation");
    assert_eq!(
        b.try_recv(&p, &[]).unwrap_err(),
        RatchetError::VersionMismatch {
            peer: Version::V0,
            ours: Version::V1
        }
    );

    // A version byte this code does not know: ignored, nothing changes.
    let before = b.state.to_bytes();
    assert_eq!(b.recv(&p, &[0x02, 0x01, 0x01, 0x00]), None);
    assert_eq!(b.state.to_bytes(), before);
}

#[test]
fn a_party_that_accepts_v0_sends_no_key_until_it_has_received() {
    let p = prims();
    let mut a = peer(Direction::A2B, Version::V0, b"a");
    let mut b = peer(Direction::B2A, Version::V1, b"b");
    // No chain yet, so index 0 and no key; B takes (epoch 0, index 0) as
    // "no key".
    let (m1, k1) = a.send(&p);
    assert_eq!(k1, None);
    assert_eq!(m1[..5], [0x01, 0x01, 0x00, 0x01, 0x00]);
    assert!(a.state.chain().is_none());
    assert_eq!(b.recv(&p, &m1), None);
    // B's chain exists: its key is the deployed B2A key 1; A makes its chain
    // when it receives, and its next key is the deployed A2B key 1.
    let (r1, kb1) = b.send(&p);
    assert_eq!(hex_of(kb1.as_ref().unwrap()), B2A_EPOCH0_KEY1);
    assert_eq!(a.recv(&p, &r1), kb1);
    let (m2, k2) = a.send(&p);
    assert_eq!(hex_of(k2.as_ref().unwrap()), A2B_EPOCH0[0]);
    assert_eq!(b.recv(&p, &m2), k2);
}

#[test]
fn a_v0_state_sends_nothing_and_takes_nothing() {
    let p = prims();
    let mut params = params_with(
        AUTH_KEY,
        Direction::A2B,
        Version::V0,
        ChainParams::default(),
    );
    params.version = Version::V0;
    let mut v0 = Peer::new(Spqr::new(params), b"v0");
    assert_eq!(v0.state.version(), Version::V0);
    assert_eq!(
        (v0.state.epoch(), v0.state.role(), v0.state.direction()),
        (None, None, None)
    );
    assert_eq!(v0.send(&p), (Vec::new(), None));
    let (mut a, _) = pair();
    assert_eq!(v0.recv(&p, &a.send(&p).0), None);
    assert_eq!(v0.recv(&p, &[]), None);
    let bytes = v0.state.to_bytes();
    assert_eq!(bytes.expose(), [1, 0]);
    assert_eq!(
        Spqr::from_bytes(&p, bytes.expose()).unwrap().version(),
        Version::V0
    );
}

#[test]
fn the_chain_is_made_at_the_first_send_or_receive() {
    let p = prims();
    let (mut a, mut b) = pair();
    for s in [&a.state, &b.state] {
        assert!(s.chain().is_none());
        assert_eq!((s.epoch(), s.epochs_completed()), (Some(1), 0));
    }
    assert_eq!(a.state.scka_state(), Some(SckaState::KeysUnsampled));
    assert_eq!(b.state.scka_state(), Some(SckaState::NoHeaderReceived));
    let (m, _) = a.send(&p);
    assert_eq!(a.state.chain().unwrap().direction(), Direction::A2B);
    b.recv(&p, &m);
    assert_eq!(b.state.chain().unwrap().direction(), Direction::B2A);
}

// ---------------------------------------------------------------------------
// Draws and observation
// ---------------------------------------------------------------------------

/// A generator that hands out recorded draws, in order, and checks each
/// length.
struct Replay(std::collections::VecDeque<Vec<u8>>);

impl CryptoRng for Replay {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let next = self.0.pop_front().expect("no draw left to replay");
        assert_eq!(next.len(), dest.len(), "a draw of another length");
        dest.copy_from_slice(&next);
    }
}

/// Ping-pong of `messages` messages reported to `rec` (A as the initiator,
/// B as the responder); returns every message and key.
fn recorded(
    rec: &mut Recorder,
    rngs: [&mut dyn CryptoRng; 2],
    messages: usize,
) -> Vec<(Vec<u8>, Option<MessageKey>)> {
    let p = prims();
    let (a, b) = pair();
    let mut states = [a.state, b.state];
    let [rng_a, rng_b] = rngs;
    let rngs = [rng_a, rng_b];
    let parties = [Party::Initiator, Party::Responder];
    let mut out = Vec::new();
    for n in 0..messages {
        let (tx, rx) = (n % 2, 1 - n % 2);
        let (s, msg, key) = states[tx]
            .send(&p, &mut *rngs[tx], &mut Obs::new(rec, parties[tx]))
            .unwrap();
        states[tx] = s;
        let (s, got) = states[rx]
            .recv(&p, &msg, &mut Obs::new(rec, parties[rx]))
            .unwrap();
        states[rx] = s;
        assert_eq!(got, key);
        out.push((msg, key));
    }
    out
}

#[test]
fn draws_come_in_the_deployed_order_and_shapes_and_a_run_replays_from_them() {
    let p = prims();
    let mut rec = Recorder::new();
    let (mut ra, mut rb) = (ShakeRng::new(b"draw a"), ShakeRng::new(b"draw b"));
    let run = recorded(&mut rec, [&mut ra, &mut rb], 270);
    let t = rec.take();
    let draws = |party| {
        t.draws()
            .filter(|d| d.party == party)
            .map(|d| (d.purpose.clone(), d.bytes.to_vec()))
            .collect::<Vec<_>>()
    };
    let (da, db) = (draws(Party::Initiator), draws(Party::Responder));
    // One draw an epoch and role: d || z when sampling the key pair, m for
    // the first ciphertext half. In 270 messages both sides reach epoch 4
    // (A samples keys in odd epochs).
    let shape = |d: &[(String, Vec<u8>)]| {
        d.iter()
            .map(|(p, b)| (p.clone(), b.len()))
            .collect::<Vec<_>>()
    };
    let keygen = || (KEYGEN_COINS.to_string(), 64);
    let encaps = || (ENCAPS_COINS.to_string(), 32);
    assert_eq!(shape(&da), [keygen(), encaps(), keygen(), encaps()]);
    assert_eq!(shape(&db), [encaps(), keygen(), encaps(), keygen()]);

    // A's first message carries the first 32 bytes of the header that key
    // generation makes from the first draw, and its three header chunks
    // are header || HMAC, keyed by the authenticator of epoch 1.
    let (hdr, _, _) = p.kem.generate_derand(&da[0].1).unwrap();
    let chunks: Vec<u8> = run[..6]
        .iter()
        .step_by(2)
        .flat_map(|(m, _)| Message::decode(m).unwrap().payload.chunk().unwrap().data)
        .collect();
    let auth = Authenticator::new(p.kdf, p.hmac, &Secret::new(AUTH_KEY), 1).unwrap();
    assert_eq!(
        chunks,
        [hdr.clone(), auth.mac_hdr(1, &hdr).unwrap().to_vec()].concat()
    );
    assert_eq!(run[0].0[5..], hdr[..32]);

    // Fed the recorded draws alone, the run repeats byte for byte.
    let bytes = |d: Vec<(String, Vec<u8>)>| Replay(d.into_iter().map(|(_, b)| b).collect());
    let (mut ra, mut rb) = (bytes(da), bytes(db));
    let again = recorded(&mut Recorder::new(), [&mut ra, &mut rb], 270);
    assert_eq!(again, run);
    assert!(ra.0.is_empty() && rb.0.is_empty());
}

#[test]
fn the_observer_sees_epoch_secrets_authenticator_updates_and_keys_with_their_inputs() {
    let mut rec = Recorder::new();
    let (mut ra, mut rb) = (ShakeRng::new(b"obs a"), ShakeRng::new(b"obs b"));
    let run = recorded(&mut rec, [&mut ra, &mut rb], 90);
    let t = rec.take();
    let value = |party, name: &str| {
        t.last(party, name)
            .unwrap_or_else(|| panic!("{name}"))
            .bytes
            .to_vec()
    };

    // Both sides report the same epoch secret, shared secret and MAC key.
    for name in [
        "SPQR epoch secret 1",
        "SPQR ss 1",
        "SPQR auth mac_key",
        "SPQR chain root",
    ] {
        assert_eq!(
            value(Party::Initiator, name),
            value(Party::Responder, name),
            "{name}"
        );
    }
    // The epoch secret is made from that epoch's shared secret, and the
    // authenticator's keys from the epoch secret.
    let (s_seq, s) = *t
        .all(Party::Responder, "SPQR epoch secret 1")
        .last()
        .unwrap();
    assert_eq!(t.name_of(s.inputs[0].seq.unwrap()), Some("SPQR ss 1"));
    let (mac_seq, _) = *t.all(Party::Responder, "SPQR auth mac_key").last().unwrap();
    assert!(t.depends_on(mac_seq, s_seq));

    // Every key handed out is reported, by both parties, under its name,
    // with the auth key among its sources.
    for (_, key) in &run {
        let key = key.as_ref().unwrap();
        let name_a = format!("SPQR A2B key {}.{}", key.epoch, key.index);
        let name_b = format!("SPQR B2A key {}.{}", key.epoch, key.index);
        let found: Vec<_> = t
            .values()
            .filter(|(_, v)| {
                (v.name == name_a || v.name == name_b) && v.bytes[..] == key.key.expose()[..]
            })
            .collect();
        assert_eq!(found.len(), 2, "{name_a} / {name_b}: sender and receiver");
        let auth_key = t.all(found[0].1.party, "SPQR auth key")[0].0;
        assert!(t.depends_on(found[0].0, auth_key));
    }
    assert_eq!(
        hex::encode(value(Party::Responder, "SPQR A2B key 0.1")),
        A2B_EPOCH0[0]
    );
}

#[test]
fn primitives_of_other_sizes_are_refused_and_nothing_secret_is_printed() {
    use twofold_primitives::registry::{REGISTRY, Registry};
    let p = prims();
    let sha512 = twofold_primitives::registry::hash("SHA-512").unwrap();
    assert!(matches!(
        SpqrPrimitives::new(p.kem, p.kdf, sha512),
        Err(RatchetError::Misuse(_))
    ));
    assert!(matches!(
        SpqrPrimitives::resolve(&Registry::empty()),
        Err(RatchetError::Primitive(_))
    ));
    assert!(SpqrPrimitives::resolve(&*REGISTRY).is_ok());

    let (mut a, mut b) = pair();
    let (m, k) = a.send(&p);
    b.recv(&p, &m);
    let k = k.unwrap();
    let secret_hex = hex::encode(k.key.expose());
    let printed = format!(
        "{k:?} {:?} {:?} {:?}",
        a.state,
        b.state,
        params_with(
            AUTH_KEY,
            Direction::A2B,
            Version::V1,
            ChainParams::default()
        )
    );
    assert!(!printed.contains(&secret_hex[..8]), "{printed}");
    assert!(!printed.contains("41, 41"), "{printed}");
    assert!(printed.contains("KeysSampled"));
}
