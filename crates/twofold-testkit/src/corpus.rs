//! The seed inputs of every fuzz target: genuine messages, states and
//! names where the target decodes them, deterministic random bytes where
//! its input is read through [`arbitrary`]. All are made from fixed seeds,
//! so writing them again gives the same files.

use twofold_core::{CryptoRng, Resolver, ShakeRng};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::spqr::chain::{Chain, ChainParams, Direction, Key};
use twofold_ratchet::spqr::erasure::Chunk;
use twofold_ratchet::spqr::wire::{Message, Payload};

use twofold_ratchet::labels;
use twofold_ratchet::signal::wire::SignalMessage;

use crate::targets::{noise, prekey, ratchet};

/// Deterministic bytes for targets that read their input as [`arbitrary`]
/// values.
fn random(target: &str, lens: &[usize]) -> Vec<Vec<u8>> {
    let mut rng = ShakeRng::new(format!("fuzz seeds {target}").as_bytes());
    lens.iter()
        .map(|&n| {
            let mut v = vec![0u8; n];
            rng.fill_bytes(&mut v);
            v
        })
        .collect()
}

fn prefixed(sel: usize, rest: &[u8]) -> Vec<u8> {
    // Fixture lists are far shorter than 256.
    [&[sel as u8][..], rest].concat()
}

fn noise_seeds(family: noise::Family) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (s, f) in noise::fixtures(family).iter().enumerate() {
        for pos in 0..=f.messages {
            let (_, genuine) = f.receiver(pos);
            out.push([&[s as u8, pos as u8][..], &genuine].concat());
        }
    }
    out
}

/// A chain after sends, out-of-order receives and an epoch.
fn chain_state() -> Vec<u8> {
    let kdf = REGISTRY.kdf("HKDF-SHA256").expect("registered");
    let params = ChainParams {
        max_jump: 64,
        max_ooo_keys: 16,
    };
    let mut c = Chain::new(kdf, &Key::new([7; 32]), Direction::A2B, params).expect("chain");
    c.send_key(0).expect("send");
    c.recv_key(0, 3).expect("receive ahead");
    c.add_epoch(1, &Key::new([9; 32])).expect("epoch");
    c.send_key(1).expect("send");
    c.recv_key(1, 2).expect("receive ahead");
    c.to_bytes().expose().to_vec()
}

/// `m` with one byte changed and one byte short: the two mutations of a
/// genuine message or state in the seeds.
fn mutations(m: &[u8]) -> [Vec<u8>; 2] {
    let mut flipped = m.to_vec();
    if let Some(b) = flipped.get_mut(m.len() / 2) {
        *b ^= 0x04;
    }
    [flipped, m[..m.len().saturating_sub(1)].to_vec()]
}

fn ratchet_decrypt() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, (script, side)) in ratchet::decrypt_fixtures().into_iter().enumerate() {
        let pending = &script.pending[usize::from(side == twofold_core::Party::Responder)];
        for (m, _) in pending {
            out.push(prefixed(i, m));
            out.extend(mutations(m).iter().map(|x| prefixed(i, x)));
        }
    }
    out
}

fn session_state() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for script in ratchet::scripts() {
        for state in &script.states {
            // As written; and changed behind a recomputed checksum (mode 1).
            out.push(prefixed(0, state));
            out.push(prefixed(1, &mutations(state)[0]));
        }
    }
    out
}

fn signal_message() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for script in ratchet::scripts() {
        let version = match script.suite {
            "DoubleRatchet_signal_X25519_SHA-256" => 0,
            "TripleRatchet_signal_X25519_SHA-256" => 1,
            _ => continue,
        };
        for (m, _) in script.pending.iter().flatten() {
            out.push(prefixed(version, m));
        }
    }
    // With the addresses field, which the sessions above do not send.
    for (version, byte) in [
        (0, labels::SIGNAL_VERSION_BYTE_V3),
        (1, labels::SIGNAL_VERSION_BYTE),
    ] {
        let mut m = SignalMessage {
            version: byte,
            ratchet_key: vec![0x21; 32],
            counter: 300,
            previous_counter: 2,
            ciphertext: vec![0x33; 48],
            pq_ratchet: if version == 1 {
                vec![1, 2, 3, 4]
            } else {
                Vec::new()
            },
            addresses: Some(vec![0x17; labels::SIGNAL_ADDRESSES_LEN]),
        }
        .encode_unmacced();
        m.extend_from_slice(&[0x4D; labels::SIGNAL_MAC_LEN]);
        out.push(prefixed(version, &m));
    }
    out
}

/// Each small generated file whole (mode 0); and as edits (mode 1): none
/// (the genuine file), a hex digit changed, a quote removed.
fn vector_file() -> Vec<Vec<u8>> {
    let files = crate::targets::vectors::files();
    let mut out: Vec<Vec<u8>> = files.iter().map(|f| prefixed(0, f.as_bytes())).collect();
    for (i, f) in files.iter().enumerate() {
        let mode = 1 | (i << 1);
        out.push(prefixed(mode, &[]));
        let at = |p: usize| u16::try_from(p % f.len()).unwrap_or(0).to_le_bytes();
        // The opening quote of the last string value, and its first byte.
        let quote = f.rfind("\": \"").map_or(0, |p| p + 3);
        out.push(prefixed(mode, &[&at(quote + 1)[..], b"0"].concat()));
        out.push(prefixed(mode, &[&at(quote)[..], b" "].concat()));
    }
    out
}

/// The seeds of `target` (empty for an unknown name).
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "prekey_message" | "prekey_accept" => prekey::fixtures()
            .iter()
            .enumerate()
            .flat_map(|(i, f)| f.genuine.iter().map(move |g| prefixed(i, g)))
            .collect(),
        "prekey_bundle" => (0..prekey::SUITES.len())
            .flat_map(|i| {
                [
                    prefixed(i, &[1, 0, 0, 0, 0, 0, 0, 0]),
                    prefixed(i, &[0, 0, 0, 0, 0, 0, 0, 0]),
                    prefixed(i, &[1, 0, 1, 4, 1, 2, 3, 4, 0, 0, 0, 0]),
                ]
            })
            .collect(),
        "noise_classic" => noise_seeds(noise::Family::Classic),
        "noise_hfs" => noise_seeds(noise::Family::Hfs),
        "noise_pq" => noise_seeds(noise::Family::Pq),
        "noise_hybrid" => noise_seeds(noise::Family::Hybrid),
        "spqr_wire" => {
            let chunk = Chunk {
                index: 300,
                data: [0x42; 32],
            };
            [
                Payload::None,
                Payload::Hdr(chunk),
                Payload::Ek(chunk),
                Payload::EkCt1Ack(chunk),
                Payload::Ct1Ack,
                Payload::Ct1(chunk),
                Payload::Ct2(chunk),
            ]
            .into_iter()
            .enumerate()
            .map(|(i, payload)| {
                Message {
                    epoch: 1 << (9 * i),
                    key_index: u32::MAX >> i,
                    payload,
                }
                .encode()
            })
            .collect()
        }
        "spqr_chain_state" => {
            let s = chain_state();
            vec![
                prefixed(0, &s),
                [&[3, 0, 0, 0, 0, 0, 1, 1, 0, 4][..], &s].concat(),
            ]
        }
        "names" => {
            let mut v: Vec<String> = twofold_handshake::x3dh::SUITES
                .iter()
                .chain(twofold_handshake::pqxdh::SUITES)
                .chain(&noise::CLASSIC)
                .chain(&noise::HFS)
                .chain(&noise::PQ)
                .chain(&noise::HYBRID)
                .map(|s| s.to_string())
                .collect();
            v.extend(REGISTRY.kems.iter().take(4).map(|k| k.id()));
            v.extend([
                "ML-KEM-768".into(),
                "PQXDH_spec_X25519@aws-lc_SHA-512@aws-lc_ML-KEM-768@rustcrypto".into(),
            ]);
            v.into_iter().map(String::into_bytes).collect()
        }
        "spqr_chain_events" => random(target, &[64, 600, 3000]),
        // Every suite: the first byte picks it.
        "ratchet_events" => random(target, &[300, 1500])
            .iter()
            .flat_map(|r| (0..twofold_ratchet::suite::SUITES.len()).map(move |i| prefixed(i, r)))
            .collect(),
        "ratchet_decrypt" => ratchet_decrypt(),
        "session_state" => session_state(),
        "signal_message" => signal_message(),
        "vector_file" => vector_file(),
        "spqr_erasure" => random(target, &[40, 700, 2000]),
        "diff_kem" | "diff_sig" | "diff_aead" | "diff_dh" => random(target, &[64, 300, 2500, 9000]),
        _ => Vec::new(),
    }
}
