//! Noise `read_message` on arbitrary bytes at every message position, one
//! target per token family (classic, hfs, PQNoise, hybrid).
//!
//! Input: byte 0 picks the protocol of the family, byte 1 the position
//! (0 .. messages, or the first transport message), the rest is the
//! message. A genuine handshake, from fixed keys and seeds, is played up
//! to that position; the receiver then reads the input. A refusal must
//! return the state byte for byte as it was
//! ([`HandshakeState::state_snapshot`]), which must then accept the genuine
//! message; a transport message other than the genuine one must be refused.

use std::sync::OnceLock;

use twofold_core::{Off, ShakeRng};
use twofold_handshake::noise::{
    HandshakeBuilder, HandshakeState, PatternKind, Role, StepError, TransportState,
};
use twofold_primitives::registry::REGISTRY;

/// Classic patterns (with a PSK, both ciphers, three hashes).
pub const CLASSIC: [&str; 3] = [
    "Noise_XXpsk3_25519_ChaChaPoly_SHA256",
    "Noise_IK_25519_AESGCM_SHA512",
    "Noise_NN_25519_ChaChaPoly_BLAKE2s",
];
/// hfs patterns (`e1`, `ekem1`).
pub const HFS: [&str; 2] = [
    "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_IKhfs_25519+MLKEM768_AESGCM_SHA256",
];
/// PQNoise patterns (`ekem`, `skem`).
pub const PQ: [&str; 3] = [
    "Noise_pqXX_MLKEM768_ChaChaPoly_SHA256",
    "Noise_pqIK_MLKEM512_AESGCM_SHA512",
    "Noise_pqNN_MLKEM768_ChaChaPoly_BLAKE2b",
];
/// Hybrid patterns (DH and KEM tokens in the same messages).
pub const HYBRID: [&str; 2] = [
    "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
    "Noise_hybridIK_25519+MLKEM768_AESGCM_BLAKE2s",
];

const ROLES: [Role; 2] = [Role::Initiator, Role::Responder];

/// Both parties' builders of one protocol, with fixed static keys and PSKs.
pub struct Fixture {
    /// The protocol name.
    pub name: &'static str,
    builders: [HandshakeBuilder; 2],
    /// Handshake messages of the pattern.
    pub messages: usize,
}

/// The party about to read message `pos`.
pub enum Receiver {
    /// A handshake message.
    Handshake(HandshakeState),
    /// The first transport message (the responder's).
    Transport(TransportState),
}

impl Fixture {
    fn new(name: &'static str) -> Self {
        let mut rng = ShakeRng::new(format!("fuzz noise static keys {name}").as_bytes());
        let probe = HandshakeBuilder::new(name, &*REGISTRY).expect("a listed protocol");
        let pattern = probe.protocol_name().pattern().clone();
        let kind = probe.protocol_name().kind();
        let suite = *probe.suite();
        let mut keys = Vec::new();
        for _ in 0..2 {
            let dh = match (kind, suite.dh) {
                (PatternKind::Pq, _) | (_, None) => None,
                (_, Some(d)) => Some(d.generate(&mut rng).expect("DH key")),
            };
            let kem = match (kind, suite.skem) {
                (PatternKind::Classic, _) | (_, None) => None,
                (_, Some(k)) => Some(k.generate(&mut rng).expect("KEM key")),
            };
            keys.push((dh, kem));
        }
        let builders = [0, 1].map(|me| {
            let (mine, peer) = (&keys[me], &keys[1 - me]);
            let mut b = HandshakeBuilder::new(name, &*REGISTRY).expect("a listed protocol");
            if pattern.uses_local_static(ROLES[me]) {
                if let Some((_, sk)) = &mine.0 {
                    b = b.local_static_dh(sk.expose()).expect("static DH key");
                }
                if let Some((pk, sk)) = &mine.1 {
                    b = b.local_static_kem(pk, sk.expose()).expect("static KEM key");
                }
            }
            if pattern.needs_remote_static(ROLES[me]) {
                if let Some((pk, _)) = &peer.0 {
                    b = b.remote_static_dh(pk).expect("remote static DH key");
                }
                if let Some((pk, _)) = &peer.1 {
                    b = b.remote_static_kem(pk).expect("remote static KEM key");
                }
            }
            for n in pattern.psk_numbers() {
                b = b.psk(n, &[0x40 + n; 32]).expect("PSK");
            }
            b.prologue(b"twofold fuzz")
        });
        Self {
            name,
            builders,
            messages: pattern.messages().len(),
        }
    }

    /// Plays the genuine handshake up to message `pos` (or, for `pos` =
    /// the number of messages, to the first transport message); returns
    /// its receiver and the genuine message.
    pub fn receiver(&self, pos: usize) -> (Receiver, Vec<u8>) {
        let err =
            |e: StepError| -> ! { panic!("{}: the genuine handshake failed: {e}", self.name) };
        let mut rngs =
            [b"i", b"r"].map(|s| ShakeRng::new(&[&s[..], self.name.as_bytes()].concat()));
        let mut states = [0, 1].map(|i| {
            Some(
                self.builders[i]
                    .duplicate()
                    .build(ROLES[i], &mut Off)
                    .expect("the fixture builds"),
            )
        });
        for k in 0..=pos.min(self.messages.saturating_sub(1)) {
            let (w, r) = (k % 2, 1 - k % 2);
            let writer = states[w].take().expect("state present");
            let (writer, m) = writer
                .write_message(&[k as u8; 3], &mut rngs[w], &mut Off)
                .unwrap_or_else(|e| err(e));
            states[w] = Some(writer);
            if k == pos {
                let reader = states[r].take().expect("state present");
                return (Receiver::Handshake(reader), m);
            }
            let reader = states[r].take().expect("state present");
            let (reader, _) = reader.read_message(&m, &mut Off).unwrap_or_else(|e| err(e));
            states[r] = Some(reader);
        }
        let [i, r] = states.map(|s| {
            s.expect("state present")
                .split(&mut Off)
                .unwrap_or_else(|e| err(e))
        });
        let mut i = i;
        let m = i.write_message(b"transport").expect("transport message");
        (Receiver::Transport(r), m)
    }
}

/// The protocols of each family, in the order of [`Family`].
const FAMILIES: [&[&str]; 4] = [&CLASSIC, &HFS, &PQ, &HYBRID];

/// A token family.
#[derive(Debug, Clone, Copy)]
pub enum Family {
    /// Classic patterns.
    Classic,
    /// hfs patterns.
    Hfs,
    /// PQNoise patterns.
    Pq,
    /// Hybrid patterns.
    Hybrid,
}

/// The fixtures of one family, built once per process when first asked for.
pub fn fixtures(family: Family) -> &'static [Fixture] {
    static F: [OnceLock<Vec<Fixture>>; 4] = [const { OnceLock::new() }; 4];
    let i = family as usize;
    F[i].get_or_init(|| FAMILIES[i].iter().map(|n| Fixture::new(n)).collect())
}

fn run(fixtures: &[Fixture], data: &[u8]) {
    let [sel, pos, msg @ ..] = data else { return };
    let f = &fixtures[usize::from(*sel) % fixtures.len()];
    let pos = usize::from(*pos) % (f.messages + 1);
    let (receiver, genuine) = f.receiver(pos);
    match receiver {
        Receiver::Handshake(s) => {
            let before = s.state_snapshot();
            if let Err(e) = s.read_message(msg, &mut Off) {
                let (error, s) = e.into_parts();
                assert!(
                    s.state_snapshot() == before,
                    "{}: message {pos} refused ({error}) but the state changed",
                    f.name
                );
                if let Err(e) = s.read_message(&genuine, &mut Off) {
                    panic!(
                        "{}: after refusing a message ({error}) the genuine one failed: {e}",
                        f.name
                    );
                }
            }
        }
        Receiver::Transport(mut t) => {
            let n = t.receiving_nonce();
            match t.read_message(msg) {
                Ok(_) => assert!(msg == genuine, "{}: forged transport message", f.name),
                Err(e) => {
                    assert_eq!(t.receiving_nonce(), n, "{}: {e} moved the nonce", f.name);
                    t.read_message(&genuine)
                        .expect("the genuine transport message after a refusal");
                }
            }
        }
    }
}

/// Classic patterns.
pub fn classic(data: &[u8]) {
    run(fixtures(Family::Classic), data);
}

/// hfs patterns.
pub fn hfs(data: &[u8]) {
    run(fixtures(Family::Hfs), data);
}

/// PQNoise patterns.
pub fn pq(data: &[u8]) {
    run(fixtures(Family::Pq), data);
}

/// Hybrid patterns.
pub fn hybrid(data: &[u8]) {
    run(fixtures(Family::Hybrid), data);
}
