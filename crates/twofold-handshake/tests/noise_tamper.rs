//! Property: flipping any bits of any byte of any handshake message makes
//! the handshake fail (at that message, or at the latest when the peers'
//! diverging transcripts meet an AEAD), never a silent success; and when
//! the damaged read itself fails, the returned state accepts the genuine
//! message and the handshake completes.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod noise_common;

use noise_common::{pair, rng, sweep_for};
use proptest::prelude::*;
use twofold_core::Off;
use twofold_handshake::noise::HandshakeState;

const NAMES: [&str; 7] = [
    "Noise_NN_25519_ChaChaPoly_SHA256",
    "Noise_XXpsk3_25519_AESGCM_BLAKE2b",
    "Noise_IK_25519_ChaChaPoly_SHA512",
    "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_pqXX_MLKEM768_AESGCM_SHA256",
    "Noise_pqIK_MLKEM512_ChaChaPoly_SHA256",
    "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
];

enum Outcome {
    /// Some later step (read, write or transport) failed.
    RejectedLater,
    /// The damaged read failed; the rolled-back state then completed.
    RejectedAtOnce,
}

/// Runs `name` with byte `pos` (mod length) of message `k` (mod count)
/// XORed with `mask`. Panics if the damaged run completes.
fn run(name: &str, r: &dyn twofold_core::Resolver, k: usize, pos: usize, mask: u8) -> Outcome {
    let mut rngs = [rng("tamper a"), rng("tamper b")];
    let (i, resp) = pair(name, r);
    let k = k % i.pattern().messages().len();
    let mut parties: [Option<HandshakeState>; 2] = [Some(i), Some(resp)];
    let mut idx = 0;
    let mut tampered = false;
    while !parties[idx % 2].as_ref().unwrap().is_finished() {
        let (s, rcv) = (idx % 2, 1 - idx % 2);
        let Ok((st, m)) = parties[s]
            .take()
            .unwrap()
            .write_message(b"data", &mut rngs[s], &mut Off)
        else {
            assert!(tampered);
            return Outcome::RejectedLater;
        };
        parties[s] = Some(st);
        let receiver = parties[rcv].take().unwrap();
        if idx == k {
            let mut bad = m.clone();
            let p = pos % bad.len();
            bad[p] ^= mask;
            tampered = true;
            match receiver.read_message(&bad, &mut Off) {
                Ok((st, _)) => parties[rcv] = Some(st),
                Err(e) => {
                    // Roll-back: the genuine message is still accepted and
                    // the handshake completes.
                    let (st, p) = e.into_state().read_message(&m, &mut Off).unwrap();
                    assert_eq!(p, b"data");
                    parties[rcv] = Some(st);
                    let [i, r] = parties;
                    let [ra, rb] = &mut rngs;
                    let (_, mut ti, mut tr) =
                        noise_common::complete(i.unwrap(), r.unwrap(), ra, rb).unwrap();
                    noise_common::exchange(&mut ti, &mut tr, false);
                    return Outcome::RejectedAtOnce;
                }
            }
        } else {
            match receiver.read_message(&m, &mut Off) {
                Ok((st, _)) => parties[rcv] = Some(st),
                Err(_) => {
                    assert!(tampered);
                    return Outcome::RejectedLater;
                }
            }
        }
        idx += 1;
    }
    let [i, r] = parties;
    let (i, r) = (i.unwrap(), r.unwrap());
    // Both finished: the transcripts diverged, so the keys differ; the
    // first transport message in either direction must fail.
    let (Ok(mut ti), Ok(mut tr)) = (i.split(&mut Off), r.split(&mut Off)) else {
        panic!("split failed");
    };
    let c = ti.write_message(b"x").unwrap();
    assert!(
        tr.read_message(&c).is_err(),
        "{name}: tampered run completed"
    );
    let c = tr.write_message(b"y").unwrap();
    assert!(
        ti.read_message(&c).is_err(),
        "{name}: tampered run completed"
    );
    Outcome::RejectedLater
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_modified_byte_is_rejected(
        which in 0usize..NAMES.len(),
        k in 0usize..4,
        pos in any::<usize>(),
        mask in 1u8..=255,
    ) {
        let name = NAMES[which];
        let registries = sweep_for(name);
        prop_assert!(!registries.is_empty());
        for r in &registries {
            run(name, r, k, pos, mask);
        }
    }
}

/// Every byte of every message of one handshake per pattern family, one
/// bit at a time (the low bit and the top bit), deterministically.
#[test]
fn every_byte_of_small_handshakes_is_covered() {
    let mut at_once = 0usize;
    let mut later = 0usize;
    for name in [
        "Noise_NN_25519_ChaChaPoly_SHA256",
        "Noise_IKpsk2_25519_AESGCM_SHA256",
    ] {
        for r in sweep_for(name) {
            let (mut a, mut b) = (rng("tamper a"), rng("tamper b"));
            let (i, resp) = pair(name, &r);
            let (transcript, _, _) = noise_common::complete(i, resp, &mut a, &mut b).unwrap();
            for (k, m) in transcript.iter().enumerate() {
                // `run` sends "data" payloads, so lengths differ from this
                // transcript; positions wrap modulo the message length.
                for pos in 0..m.len() + 8 {
                    for mask in [0x01, 0x80] {
                        match run(name, &r, k, pos, mask) {
                            Outcome::RejectedAtOnce => at_once += 1,
                            Outcome::RejectedLater => later += 1,
                        }
                    }
                }
            }
        }
    }
    // NN's first message is unauthenticated: its damage shows later.
    assert!(at_once > 0 && later > 0);
}
