//! The seed inputs of every fuzz target: genuine messages, states and
//! names where the target decodes them, deterministic random bytes where
//! its input is read through [`arbitrary`]. All are made from fixed seeds,
//! so writing them again gives the same files.

use twofold_core::{CryptoRng, Resolver, ShakeRng};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::spqr::chain::{Chain, ChainParams, Direction, Key};
use twofold_ratchet::spqr::erasure::Chunk;
use twofold_ratchet::spqr::wire::{Message, Payload};

use crate::targets::{noise, prekey};

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
        "spqr_erasure" => random(target, &[40, 700, 2000]),
        "diff_kem" | "diff_sig" | "diff_aead" | "diff_dh" => random(target, &[64, 300, 2500, 9000]),
        _ => Vec::new(),
    }
}
