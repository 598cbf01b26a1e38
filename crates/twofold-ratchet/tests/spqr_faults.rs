//! SPQR under faults: lost, reordered, replayed and corrupted messages; a
//! failed receive changes nothing; serialized states round-trip and bad
//! state bytes are typed errors; arbitrary interleavings keep both sides'
//! keys equal.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeSet, HashMap};

use common::peer::{Peer, prims};
use proptest::prelude::*;
use twofold_core::{CryptoRng, ShakeRng};
use twofold_ratchet::RatchetError;
use twofold_ratchet::spqr::wire::{Message, MessageType, Payload};
use twofold_ratchet::spqr::{ChainParams, MessageKey, SckaState, Spqr, SpqrPrimitives};

const AUTH_KEY: [u8; 32] = [0x5C; 32];

/// A message in flight, with the key its sender used.
struct InFlight {
    id: usize,
    msg: Vec<u8>,
    key: Option<MessageKey>,
}

/// A small deterministic choice source for the simulations.
struct Dice(ShakeRng);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        let mut b = [0u8; 8];
        self.0.fill_bytes(&mut b);
        (u64::from_be_bytes(b) % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Two parties and the messages in flight each way; every delivery checks
/// the key against the sender's and that no key is handed out twice.
struct Net {
    p: SpqrPrimitives,
    peers: [Peer; 2],
    /// Messages in flight to peer 0 and to peer 1.
    flight: [Vec<InFlight>; 2],
    next_id: usize,
    /// (receiver, epoch, index) of every key handed out.
    seen: BTreeSet<(usize, u64, u32)>,
    /// Messages each peer already took in, by id, to tell replays apart.
    delivered: [BTreeSet<usize>; 2],
    errors: HashMap<&'static str, usize>,
    ok: usize,
    /// Deliveries of a message the receiver already took in.
    replays: usize,
}

impl Net {
    fn new(seed: &[u8], chain: ChainParams) -> Self {
        let (a, b) = Peer::pair(AUTH_KEY, chain, seed);
        Self {
            p: prims(),
            peers: [a, b],
            flight: [Vec::new(), Vec::new()],
            next_id: 0,
            seen: BTreeSet::new(),
            delivered: [BTreeSet::new(), BTreeSet::new()],
            errors: HashMap::new(),
            ok: 0,
            replays: 0,
        }
    }

    /// One step of a simulation: a random side sends; then messages to the
    /// other side, picked from the `window` oldest, are lost (`loss`
    /// percent) or delivered (`dup` percent of them kept in flight, to come
    /// again as a replay), until at most `window` are in flight and a coin
    /// says stop.
    fn step(&mut self, dice: &mut Dice, window: usize, loss: usize, dup: usize) {
        let from = dice.below(2);
        self.send(from);
        let to = 1 - from;
        while self.flight[to].len() > window || (!self.flight[to].is_empty() && dice.chance(50)) {
            let i = dice.below(self.flight[to].len().min(window));
            if dice.chance(loss) {
                self.flight[to].remove(i);
            } else {
                self.deliver(to, i, dice.chance(dup));
            }
        }
    }

    fn send(&mut self, from: usize) {
        let (msg, key) = self.peers[from].send(&self.p);
        self.flight[1 - from].push(InFlight {
            id: self.next_id,
            msg,
            key,
        });
        self.next_id += 1;
    }

    /// Delivers in-flight message `i` to `to`; keeps a copy in flight when
    /// `duplicate`. Returns the error, if the receive failed.
    fn deliver(&mut self, to: usize, i: usize, duplicate: bool) -> Option<RatchetError> {
        let f = &self.flight[to][i];
        let (id, msg, want) = (
            f.id,
            f.msg.clone(),
            f.key.as_ref().map(|k| (k.epoch, k.index)),
        );
        let before = self.peers[to].state.to_bytes();
        let result = self.peers[to].try_recv(&self.p, &msg);
        let replay = !self.delivered[to].insert(id);
        self.replays += usize::from(replay);
        match result {
            Ok(got) => {
                assert!(!replay, "a replayed message was accepted");
                let f = &self.flight[to][i];
                assert_eq!(got, f.key, "the receiver derives the sender's key");
                if let Some((e, n)) = want {
                    assert!(
                        self.seen.insert((to, e, n)),
                        "key ({e}, {n}) handed out twice"
                    );
                }
                self.ok += 1;
                if !duplicate {
                    self.flight[to].remove(i);
                }
                None
            }
            Err(e) => {
                // A failed receive changed nothing.
                assert_eq!(self.peers[to].state.to_bytes(), before);
                if !replay {
                    self.delivered[to].remove(&id);
                }
                let kind = match e {
                    RatchetError::KeyAlreadyUsed { .. } => "already used",
                    RatchetError::EpochOutOfRange { .. } => "epoch out of range",
                    RatchetError::KeyTrimmed { .. } => "trimmed",
                    RatchetError::TooManySkipped { .. } => "too far ahead",
                    ref other => panic!("unexpected error on an intact message: {other}"),
                };
                assert!(
                    replay || kind != "already used",
                    "a fresh message's key was used"
                );
                *self.errors.entry(kind).or_default() += 1;
                self.flight[to].remove(i);
                Some(e)
            }
        }
    }
}

#[test]
fn epochs_complete_through_loss_reordering_and_replays() {
    // Each step one side sends; each in-flight message is lost with
    // probability 30%, delivered out of order from the 8 oldest, or
    // delivered twice (the second time a replay).
    let mut net = Net::new(b"lossy", ChainParams::default());
    let mut dice = Dice(ShakeRng::new(b"lossy dice"));
    for _ in 0..6000 {
        net.step(&mut dice, 8, 30, 5);
    }
    let done = net
        .peers
        .iter()
        .map(|p| p.state.epochs_completed())
        .min()
        .unwrap();
    assert!(done >= 20, "only {done} epochs completed");
    // Every replay was refused; no other receive failed: out-of-order keys
    // within these limits are all found, once.
    assert!(net.replays > 50);
    assert_eq!(net.errors.get("already used").copied(), Some(net.replays));
    assert_eq!(net.errors.len(), 1);
    assert!(net.ok > 2000);
}

#[test]
fn keys_beyond_the_chain_limits_are_typed_errors() {
    // max_jump 10, max_ooo_keys 4: a message 11 keys ahead is refused, and
    // one that falls more than 4 behind is dropped.
    let mut net = Net::new(
        b"limits",
        ChainParams {
            max_jump: 10,
            max_ooo_keys: 4,
        },
    );
    for _ in 0..12 {
        net.send(0);
    }
    let before = net.peers[1].state.to_bytes();
    assert!(matches!(
        net.deliver(1, 11, false),
        Some(RatchetError::TooManySkipped { .. })
    ));
    assert_eq!(net.peers[1].state.to_bytes(), before);
    // Index 10 is 10 ahead: accepted; indices 1..=5 are now too old.
    assert_eq!(net.deliver(1, 9, false), None);
    assert!(matches!(
        net.deliver(1, 0, false),
        Some(RatchetError::KeyTrimmed { .. })
    ));
    // Index 6 (now at position 4) is within the window.
    assert_eq!(net.deliver(1, 4, false), None);
}

// ---------------------------------------------------------------------------
// Corrupted messages
// ---------------------------------------------------------------------------

/// How a receiver took a corrupted message.
#[derive(Debug, PartialEq, Eq, Hash)]
enum Outcome {
    /// Refused, with a typed error.
    Refused,
    /// Accepted with another key than the sender's (or none): the enclosing
    /// message's authentication fails.
    OtherKey,
    /// Accepted with the sender's key: the flip hit the payload, which is
    /// authenticated when its value completes.
    SameKey,
}

/// Every single-bit flip of `msg` delivered to `rx` (its state is left as
/// it was); returns the outcomes and the first byte after the header fields.
fn flips(
    p: &SpqrPrimitives,
    rx: &Peer,
    msg: &[u8],
    key: &Option<MessageKey>,
) -> Vec<(usize, Outcome)> {
    let mut out = Vec::new();
    for bit in 0..msg.len() * 8 {
        let mut m = msg.to_vec();
        m[bit / 8] ^= 1 << (bit % 8);
        let mut obs_off = twofold_core::Off;
        let mut obs = twofold_core::Obs::new(&mut obs_off, twofold_core::Party::Responder);
        let o = match rx.state.recv(p, &m, &mut obs) {
            Err(_) => Outcome::Refused,
            Ok((_, k)) if &k == key => Outcome::SameKey,
            Ok(_) => Outcome::OtherKey,
        };
        out.push((bit / 8, o));
    }
    out
}

/// Strict ping-pong until `stop` says so of the next message and its
/// sender; returns the parties and that message, not yet delivered.
fn until(
    stop: impl Fn(&Message, usize) -> bool,
) -> (Peer, Peer, Vec<u8>, Option<MessageKey>, usize) {
    let p = prims();
    let (a, b) = Peer::pair(AUTH_KEY, ChainParams::default(), b"flips");
    let mut peers = [a, b];
    for n in 0.. {
        let from = n % 2;
        let (msg, key) = peers[from].send(&p);
        if stop(&Message::decode(&msg).unwrap(), from) {
            let [a, b] = peers;
            return (a, b, msg, key, from);
        }
        let got = peers[1 - from].recv(&p, &msg);
        assert_eq!(got, key);
    }
    unreachable!()
}

#[test]
fn every_bit_flip_of_every_message_type_is_refused_changes_the_key_or_hits_the_payload() {
    let p = prims();
    use MessageType as T;
    let kinds = [
        T::None,
        T::Hdr,
        T::Ek,
        T::EkCt1Ack,
        T::Ct1Ack,
        T::Ct1,
        T::Ct2,
    ];
    let mut total = HashMap::new();
    for name in kinds {
        // The second message of that type in epoch 1 (a middle chunk).
        let count = std::cell::Cell::new(0);
        let (a, b, msg, key, from) = until(|m, _| {
            if m.payload.message_type() == name {
                count.set(count.get() + 1);
            }
            count.get() == 2
        });
        let rx = if from == 0 { &b } else { &a };
        // Version byte, epoch and key index: a flip there is refused or
        // changes the key, never goes unnoticed. (The type byte comes next.)
        let header = 3;
        for (at, o) in flips(&p, rx, &msg, &key) {
            if at < header {
                assert_ne!(o, Outcome::SameKey, "{name:?}: byte {at}");
            }
            *total.entry((name, o)).or_insert(0) += 1;
        }
    }
    // Chunk data is never checked when it arrives, only the value it ends
    // up in (below).
    assert!(total.contains_key(&(T::Hdr, Outcome::SameKey)));
    for t in kinds {
        assert!(total[&(t, Outcome::Refused)] > 0, "{t:?}");
    }
}

#[test]
fn a_corrupted_chunk_is_caught_when_its_value_completes() {
    let p = prims();
    // The header: its MAC fails when the last chunk needed arrives, and
    // keeps failing with parity chunks, since the decoder keeps the first
    // chunk of each index (as deployed): the enclosing message's MAC is
    // what keeps forged chunks out in libsignal.
    let (mut a, mut b, m0, _, _) = until(|_, _| true);
    let mut bad = m0.clone();
    bad[10] ^= 0x01;
    b.recv(&p, &bad);
    let mut last = None;
    for _ in 0..3 {
        let (r, _) = b.send(&p);
        a.recv(&p, &r);
        let (m, _) = a.send(&p);
        last = Some(b.try_recv(&p, &m));
    }
    assert_eq!(
        last.unwrap().unwrap_err(),
        RatchetError::BadMac("SPQR header")
    );
    assert_eq!(b.state.scka_state(), Some(SckaState::NoHeaderReceived));

    // The key vector: refused against the header's hash at completion.
    let ek_5 = |m: &Payload| matches!(m, Payload::Ek(c) if c.index == 5);
    assert_eq!(
        corrupted_epoch(ek_5, 36, 0x80),
        RatchetError::InvalidPeerValue("SPQR key vector")
    );
    // ct1: A decapsulates a wrong ciphertext (implicit rejection), so the
    // epoch secret differs and the ciphertext MAC fails.
    let ct1_7 = |m: &Payload| matches!(m, Payload::Ct1(c) if c.index == 7);
    assert_eq!(
        corrupted_epoch(ct1_7, 20, 0x04),
        RatchetError::BadMac("SPQR ciphertext")
    );
    // ct2 and its MAC.
    let ct2_1 = |m: &Payload| matches!(m, Payload::Ct2(c) if c.index == 1);
    assert_eq!(
        corrupted_epoch(ct2_1, 30, 0x10),
        RatchetError::BadMac("SPQR ciphertext")
    );
}

/// Ping-pong until the first message whose payload `pick` chooses, which
/// arrives with `byte` xored with `mask`; then on until the receive that
/// fails (its error).
fn corrupted_epoch(pick: impl Fn(&Payload) -> bool, byte: usize, mask: u8) -> RatchetError {
    let p = prims();
    let (mut a, mut b, m, _, from) = until(|m, _| pick(&m.payload));
    let mut bad = m.clone();
    bad[byte] ^= mask;
    // The flipped byte lies in the chunk data: the message is taken in.
    if from == 0 { &mut b } else { &mut a }.recv(&p, &bad);
    finish_epoch(a, b).unwrap_err()
}

/// Ping-pong, A next, until epoch 1 completes on both sides or a receive
/// fails (its error).
fn finish_epoch(mut a: Peer, mut b: Peer) -> Result<(), RatchetError> {
    let p = prims();
    for _ in 0..200 {
        let (m, _) = a.send(&p);
        b.try_recv(&p, &m)?;
        let (m, _) = b.send(&p);
        a.try_recv(&p, &m)?;
        if a.state.epochs_completed() >= 1 && b.state.epochs_completed() >= 1 {
            return Ok(());
        }
    }
    panic!("epoch 1 did not complete");
}

#[test]
fn messages_of_an_earlier_epoch_are_ignored_by_the_braid_but_keep_their_keys() {
    // A message of epoch 1 that arrives once both sides are in epoch 2: the
    // Braid ignores it, the chain still gives its key (epoch 0 is kept as
    // the epoch before the sending epoch).
    let p = prims();
    let (mut a, mut b) = Peer::pair(AUTH_KEY, ChainParams::default(), b"late");
    let mut held = None;
    for n in 0..120 {
        let (tx, rx) = if n % 2 == 0 {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        let (m, k) = tx.send(&p);
        if n == 70 {
            held = Some((m, k));
            continue;
        }
        assert_eq!(rx.recv(&p, &m), k);
    }
    assert_eq!(b.state.epoch(), Some(2));
    let (m, k) = held.unwrap();
    assert_eq!(Message::decode(&m).unwrap().epoch, 1);
    let scka = b.state.scka_state();
    assert_eq!(b.recv(&p, &m), k);
    assert_eq!(b.state.scka_state(), scka);
}

#[test]
fn an_epoch_ahead_of_the_state_is_out_of_range() {
    let p = prims();
    let (_, b) = Peer::pair(AUTH_KEY, ChainParams::default(), b"ahead");
    let m = Message {
        epoch: 2,
        key_index: 1,
        payload: Payload::None,
    }
    .encode();
    let mut b = b;
    assert_eq!(
        b.try_recv(&p, &m).unwrap_err(),
        RatchetError::EpochOutOfRange { epoch: 2 }
    );
    let zero = Message {
        epoch: 0,
        key_index: 1,
        payload: Payload::None,
    }
    .encode();
    assert!(matches!(
        b.try_recv(&p, &zero),
        Err(RatchetError::Malformed(_))
    ));
    for junk in [
        &[0x01][..],
        &[0x01, 0x01],
        &[0x01, 0x01, 0x01],
        &[0x01, 0x01, 0x01, 0x09],
        &[0x01, 0x01, 0x01, 0x01, 0x00],
    ] {
        assert!(matches!(
            b.try_recv(&p, junk),
            Err(RatchetError::Malformed(_) | RatchetError::InvalidLength { .. })
        ));
    }
}

// ---------------------------------------------------------------------------
// Serialized states
// ---------------------------------------------------------------------------

/// Every distinct SCKA state met in a lossy conversation, with the state's
/// bytes, and a check at each step that the bytes round-trip and that the
/// conversation goes on from the restored states.
fn states_of_a_conversation() -> Vec<(SckaState, Vec<u8>)> {
    let p = prims();
    let mut net = Net::new(b"serial", ChainParams::default());
    let mut dice = Dice(ShakeRng::new(b"serial dice"));
    let mut met: Vec<(SckaState, Vec<u8>)> = Vec::new();
    for _ in 0..1200 {
        net.step(&mut dice, 4, 30, 0);
        for peer in &mut net.peers {
            let bytes = peer.state.to_bytes();
            let back = Spqr::from_bytes(&p, bytes.expose()).unwrap();
            assert_eq!(back.to_bytes(), bytes);
            // Carry on from the restored state.
            peer.state = back;
            let s = peer.state.scka_state().unwrap();
            if !met.iter().any(|(m, _)| *m == s) {
                met.push((s, bytes.expose().to_vec()));
            }
        }
    }
    assert!(net.peers.iter().all(|p| p.state.epochs_completed() >= 4));
    met
}

#[test]
fn states_round_trip_at_every_step_and_bad_state_bytes_are_typed_errors() {
    let p = prims();
    let met = states_of_a_conversation();
    assert_eq!(
        met.len(),
        11,
        "every SCKA state was met: {:?}",
        met.iter().map(|m| m.0).collect::<Vec<_>>()
    );
    for (name, bytes) in &met {
        // Every truncation, and a trailing byte.
        for cut in 0..bytes.len() {
            let e = Spqr::from_bytes(&p, &bytes[..cut]).unwrap_err();
            assert!(
                matches!(e, RatchetError::Malformed(_)),
                "{name:?} cut at {cut}: {e}"
            );
        }
        let mut long = bytes.clone();
        long.push(0);
        assert!(Spqr::from_bytes(&p, &long).is_err());
        // Every byte changed: a typed error or a state (a changed key or
        // chunk is still a well-formed state), never a panic.
        let mut refused = 0;
        for at in 0..bytes.len() {
            let mut b = bytes.clone();
            b[at] ^= 0xA5;
            match Spqr::from_bytes(&p, &b) {
                Ok(s) => assert_eq!(s.to_bytes().expose(), &b[..]),
                Err(RatchetError::Malformed(_)) => refused += 1,
                Err(e) => panic!("{name:?} byte {at}: {e}"),
            }
        }
        assert!(refused > 10, "{name:?}: structure bytes are checked");
    }
}

#[test]
fn state_sizes_stay_small() {
    // Sizes at a few points of a ping-pong conversation (printed for the
    // record): the SCKA state holds at most a key pair or an encapsulation
    // state and one value's chunks.
    let p = prims();
    let (mut a, mut b) = Peer::pair(AUTH_KEY, ChainParams::default(), b"sizes");
    let mut sizes = Vec::new();
    for n in 0..400 {
        let (tx, rx) = if n % 2 == 0 {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        let (m, _) = tx.send(&p);
        rx.recv(&p, &m);
        if [0, 1, 5, 40, 80, 85, 86, 200, 399].contains(&n) {
            for (who, s) in [("A", &a.state), ("B", &b.state)] {
                let len = s.to_bytes().len();
                println!(
                    "after message {}: {who} {:?} {len} bytes",
                    n + 1,
                    s.scka_state().unwrap()
                );
                sizes.push(len);
            }
        }
    }
    assert!(sizes.iter().all(|&s| s < 6000));
}

// ---------------------------------------------------------------------------
// Arbitrary interleavings
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Send(usize),
    Deliver { to: usize, pick: usize },
    Duplicate { to: usize, pick: usize },
    Drop { to: usize, pick: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..2usize).prop_map(Op::Send),
        4 => (0..2usize, any::<usize>()).prop_map(|(to, pick)| Op::Deliver { to, pick }),
        1 => (0..2usize, any::<usize>()).prop_map(|(to, pick)| Op::Duplicate { to, pick }),
        1 => (0..2usize, any::<usize>()).prop_map(|(to, pick)| Op::Drop { to, pick }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_interleavings_keep_keys_equal(ops in prop::collection::vec(op(), 1..700), seed: [u8; 8]) {
        let mut net = Net::new(&seed, ChainParams::default());
        for op in ops {
            match op {
                Op::Send(from) => net.send(from),
                Op::Deliver { to, pick } | Op::Duplicate { to, pick } | Op::Drop { to, pick }
                    if net.flight[to].is_empty() => { let _ = pick; }
                Op::Deliver { to, pick } => { let i = pick % net.flight[to].len(); net.deliver(to, i, false); }
                Op::Duplicate { to, pick } => { let i = pick % net.flight[to].len(); net.deliver(to, i, true); }
                Op::Drop { to, pick } => { let i = pick % net.flight[to].len(); net.flight[to].remove(i); }
            }
        }
    }
}

/// The states of [`states_of_a_conversation`], computed once.
fn every_state() -> &'static [(SckaState, Vec<u8>)] {
    static STATES: std::sync::OnceLock<Vec<(SckaState, Vec<u8>)>> = std::sync::OnceLock::new();
    STATES.get_or_init(states_of_a_conversation)
}

/// Messages shaped like V1 messages (small epochs and indices, any type
/// byte and chunk), cut anywhere, or arbitrary bytes.
fn peer_bytes() -> impl Strategy<Value = Vec<u8>> {
    let shaped = (
        0..6u8,
        0..120u8,
        0..9u8,
        any::<u16>(),
        any::<[u8; 32]>(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(epoch, index, t, chunk, data, cut)| {
            let mut m = vec![0x01, epoch, index, t];
            twofold_ratchet::spqr::wire::encode_varint(u64::from(chunk), &mut m);
            m.extend_from_slice(&data);
            let cut = cut.index(m.len() + 1);
            m.truncate(cut);
            m
        });
    prop_oneof![3 => shaped, 1 => prop::collection::vec(any::<u8>(), 0..48)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_peer_bytes_in_any_state_give_a_typed_answer(msg in peer_bytes()) {
        let p = prims();
        for (name, bytes) in every_state() {
            let state = Spqr::from_bytes(&p, bytes).unwrap();
            let mut off = twofold_core::Off;
            let mut obs = twofold_core::Obs::new(&mut off, twofold_core::Party::Responder);
            // Ok or a typed error, never a panic; the state is unchanged.
            let _ = state.recv(&p, &msg, &mut obs);
            let after = state.to_bytes();
            prop_assert_eq!(after.expose(), &bytes[..], "{:?}", name);
        }
    }
}
