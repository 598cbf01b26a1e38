//! Two parties of a ratchet in memory, for the ratchet tests.
#![allow(dead_code)]

use twofold_core::{CryptoRng, Off, Party, Resolver, SecretBytes, ShakeRng};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::cka::Cka;
use twofold_ratchet::cka::dh::DhCka;
use twofold_ratchet::cka::hybrid::HybridCka;
use twofold_ratchet::cka::kem::KemCka;
use twofold_ratchet::double::{Body, Config, Format, Limits, Ratchet, SendOptions, Start};
use twofold_ratchet::kdf::{Kdfs, Key};
use twofold_ratchet::labels;
use twofold_ratchet::policy::RekeyPolicy;

/// The CKAs under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dh,
    DhHe,
    Kem,
    Hybrid(RekeyPolicy),
}

pub fn config(kind: Kind, limits: Limits) -> Config {
    let r: &dyn Resolver = &*REGISTRY;
    Config {
        kdfs: Kdfs {
            kdf: r.kdf("HKDF-SHA256").unwrap(),
            hmac: r.hash("SHA-256").unwrap(),
            root_info: labels::ROOT_INFO,
            message_info: labels::MESSAGE_KEYS_INFO,
        },
        body: Body::Aead(r.aead("ChaCha20-Poly1305").unwrap()),
        format: Format::Twofold {
            header_encryption: kind == Kind::DhHe,
        },
        limits,
    }
}

/// Alice and Bob of `kind`, from a fixed root key.
pub fn pair(kind: Kind, limits: Limits, seed: &[u8]) -> (Ratchet, Ratchet, ShakeRng) {
    let mut rng = ShakeRng::new(seed);
    let r: &dyn Resolver = &*REGISTRY;
    let dh = r.dh("X25519").unwrap();
    let kem = r.kem("ML-KEM-768").unwrap();
    let (bob_pk, bob_sk) = dh.generate(&mut rng).unwrap();
    let (alice_cka, bob_cka): (Box<dyn Cka>, Box<dyn Cka>) = match kind {
        Kind::Dh | Kind::DhHe => (
            Box::new(DhCka::initiator(dh, &bob_pk).unwrap()),
            Box::new(DhCka::responder(dh, bob_sk).unwrap()),
        ),
        Kind::Kem => (Box::new(KemCka::new(kem)), Box::new(KemCka::new(kem))),
        Kind::Hybrid(p) => (
            Box::new(HybridCka::initiator(dh, kem, p, &bob_pk, None).unwrap()),
            Box::new(HybridCka::responder(dh, kem, p, bob_sk).unwrap()),
        ),
    };
    let root = Key::new([0x42; 32]);
    let header_keys = || (Key::new([0x11; 32]), Key::new([0x22; 32]));
    let he = kind == Kind::DhHe;
    let alice = Ratchet::new(
        config(kind, limits),
        Start {
            party: Party::Initiator,
            root_key: root.duplicate(),
            cka: alice_cka,
            sending_chain: None,
            receiving_chain: None,
            sparse: None,
            associated_data: b"AD".to_vec(),
            header_keys: he.then(header_keys),
        },
        &mut rng,
        &mut Off,
    )
    .unwrap();
    let bob = Ratchet::new(
        config(kind, limits),
        Start {
            party: Party::Responder,
            root_key: root,
            cka: bob_cka,
            sending_chain: None,
            receiving_chain: None,
            sparse: None,
            associated_data: b"AD".to_vec(),
            header_keys: he.then(header_keys),
        },
        &mut rng,
        &mut Off,
    )
    .unwrap();
    (alice, bob, rng)
}

pub fn send(r: &mut Ratchet, msg: &[u8], rng: &mut dyn CryptoRng) -> Vec<u8> {
    r.encrypt(msg, &SendOptions::default(), rng, &mut Off)
        .unwrap()
}

pub fn recv(r: &mut Ratchet, wire: &[u8], rng: &mut dyn CryptoRng) -> Vec<u8> {
    r.decrypt(wire, 0, rng, &mut Off).unwrap().plaintext
}

pub const KINDS: [Kind; 5] = [
    Kind::Dh,
    Kind::DhHe,
    Kind::Kem,
    Kind::Hybrid(RekeyPolicy::EveryTurn),
    Kind::Hybrid(RekeyPolicy::EveryMessages(3)),
];

pub fn unused(_: SecretBytes) {}
