//! Bad input: truncated, oversized and garbage messages, wrong KEM
//! ciphertext sizes, out-of-turn steps, missing keys, low-order X25519
//! points. Every failure is a typed error, and the returned state is the
//! state before the failed step (it then completes with the genuine message).
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod noise_common;

use noise_common::{complete, pair, rng, sweep_for};
use twofold_core::{Error as CoreError, Off, ShakeRng};
use twofold_handshake::HandshakeError;
use twofold_handshake::noise::{HandshakeBuilder, HandshakeState};

const NAMES: [&str; 5] = [
    "Noise_XX_25519_ChaChaPoly_SHA256",
    "Noise_IKpsk2_25519_AESGCM_BLAKE2b",
    "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_SHA512",
    "Noise_pqXX_MLKEM768_AESGCM_SHA256",
    "Noise_hybridIK_25519+MLKEM512_ChaChaPoly_BLAKE2s",
];

/// `(message index, message, payload encrypted)` -> the damaged message.
type Damage<'a> = dyn Fn(usize, &[u8], bool) -> Option<Vec<u8>> + 'a;

/// Plays the handshake of `name` with `damage(index, message, encrypted)`
/// applied to each message in turn before delivery (`encrypted`: the
/// payload of that message is encrypted); for every damaged delivery that
/// fails, checks `check(index, error)` and that the returned state then
/// accepts the genuine message. Returns the number of rejected deliveries.
fn with_damage(name: &str, damage: &Damage<'_>, check: &dyn Fn(usize, &HandshakeError)) -> usize {
    let mut rejected = 0;
    for r in sweep_for(name) {
        let mut rngs: [ShakeRng; 2] = [rng("a"), rng("b")];
        let (i, resp) = pair(name, &r);
        let mut parties: [Option<HandshakeState>; 2] = [Some(i), Some(resp)];
        let mut idx = 0;
        while !parties[0].as_ref().unwrap().is_finished() {
            let (s, rcv) = (idx % 2, 1 - idx % 2);
            let (st, m) = parties[s]
                .take()
                .unwrap()
                .write_message(b"hello", &mut rngs[s], &mut Off)
                .unwrap();
            let encrypted = st.payload_is_encrypted();
            parties[s] = Some(st);
            let mut receiver = parties[rcv].take().unwrap();
            if let Some(bad) = damage(idx, &m, encrypted) {
                match receiver.read_message(&bad, &mut Off) {
                    Ok(_) => panic!("{name}: damaged message {idx} accepted"),
                    Err(e) => {
                        check(idx, e.error());
                        rejected += 1;
                        receiver = e.into_state();
                    }
                }
            }
            let (st, p) = receiver.read_message(&m, &mut Off).unwrap();
            assert_eq!(p, b"hello");
            parties[rcv] = Some(st);
            idx += 1;
        }
        let [i, resp] = parties;
        let (i, resp) = (i.unwrap(), resp.unwrap());
        assert_eq!(i.handshake_hash(), resp.handshake_hash());
        let mut ti = i.split(&mut Off).unwrap();
        let mut tr = resp.split(&mut Off).unwrap();
        noise_common::exchange(&mut ti, &mut tr, false);
    }
    rejected
}

/// Bytes of message `m` that are not payload (tokens and the payload tag):
/// `m.len() - 5` for the 5-byte payload "hello".
fn overhead(m: &[u8]) -> usize {
    m.len() - 5
}

#[test]
fn truncated_messages_are_rejected_and_change_nothing() {
    for name in NAMES {
        // Cuts inside the token bytes or the tag, on every message.
        for cut in [|o: usize| o - 1, |o: usize| o / 2] {
            let n = with_damage(
                name,
                &|_, m, _| Some(m[..cut(overhead(m))].to_vec()),
                &|_, e| {
                    assert!(
                        matches!(e, HandshakeError::Truncated { .. }),
                        "{name}: {e:?}"
                    )
                },
            );
            assert!(n > 0);
        }
        // Every prefix shorter than the overhead, on the first message.
        for r in sweep_for(name) {
            let mut a = rng("a");
            let (i, mut resp) = pair(name, &r);
            let (_, m) = i.write_message(b"hello", &mut a, &mut Off).unwrap();
            for cut in 0..overhead(&m) {
                let e = resp.read_message(&m[..cut], &mut Off).unwrap_err();
                assert!(
                    matches!(e.error(), HandshakeError::Truncated { .. }),
                    "{e:?}"
                );
                resp = e.into_state();
            }
            assert_eq!(resp.read_message(&m, &mut Off).unwrap().1, b"hello");
        }
    }
}

#[test]
fn garbage_is_rejected() {
    for name in NAMES {
        // Random bytes of the right length: rejected at the latest by the
        // AEAD of the payload, or earlier by a DH/KEM input check.
        let n = with_damage(
            name,
            // A message without a key yet (XX's first) has an
            // unauthenticated payload: garbage there is only detected
            // later, by the tamper test's full run.
            &|idx, m, encrypted| {
                if !encrypted {
                    return None;
                }
                let mut g = vec![0u8; m.len()];
                twofold_core::CryptoRng::fill_bytes(&mut rng(&format!("garbage {idx}")), &mut g);
                Some(g)
            },
            &|_, e| {
                assert!(
                    matches!(
                        e,
                        HandshakeError::Primitive(
                            CoreError::DecryptionFailed
                                | CoreError::LowOrderPoint
                                | CoreError::InvalidEncoding(_)
                        )
                    ),
                    "{name}: {e:?}"
                )
            },
        );
        assert!(n > 0, "{name}");
    }
}

#[test]
fn oversized_messages_are_rejected() {
    for name in NAMES {
        with_damage(
            name,
            &|_, m, _| {
                let mut big = m.to_vec();
                big.resize(65536, 0);
                Some(big)
            },
            &|_, e| assert!(matches!(e, HandshakeError::Oversized { .. }), "{e:?}"),
        );
        // Writing a payload that would push the message past 65535 bytes.
        for r in sweep_for(name) {
            let mut a = rng("a");
            let (i, _) = pair(name, &r);
            let e = i
                .write_message(&vec![0; 65535], &mut a, &mut Off)
                .unwrap_err();
            assert!(matches!(e.error(), HandshakeError::Oversized { .. }));
            // The state survives and writes a normal message.
            assert!(
                e.into_state()
                    .write_message(b"ok", &mut a, &mut Off)
                    .is_ok()
            );
        }
    }
}

#[test]
fn wrong_kem_ciphertext_size_is_rejected() {
    // pqNN: "<- ekem" carries the ML-KEM-768 ciphertext (1088 bytes) in clear.
    let name = "Noise_pqNN_MLKEM768_ChaChaPoly_SHA256";
    for r in sweep_for(name) {
        let (mut a, mut b) = (rng("a"), rng("b"));
        let (i, resp) = pair(name, &r);
        let (i, m1) = i.write_message(b"", &mut a, &mut Off).unwrap();
        let (resp, _) = resp.read_message(&m1, &mut Off).unwrap();
        let (_, m2) = resp.write_message(b"", &mut b, &mut Off).unwrap();
        assert_eq!(m2.len(), 1088 + 16);
        // Short ciphertext, nothing after it.
        let e = i.read_message(&m2[..1000], &mut Off).unwrap_err();
        assert_eq!(
            e.error(),
            &HandshakeError::Truncated {
                what: "ekem KEM ciphertext",
                expected: 1088,
                actual: 1000
            }
        );
        // Ciphertext one byte short (the message keeps a full tag after
        // it): the fields shift and the payload AEAD fails.
        let mut short = m2[..1087].to_vec();
        short.extend_from_slice(&m2[1088..]);
        short.push(0);
        let e = e.into_state().read_message(&short, &mut Off).unwrap_err();
        assert!(matches!(e.error(), HandshakeError::Primitive(_)), "{e:?}");
        // One byte too many inside the ciphertext.
        let mut long = m2[..1088].to_vec();
        long.push(0);
        long.extend_from_slice(&m2[1088..]);
        let e = e.into_state().read_message(&long, &mut Off).unwrap_err();
        assert!(matches!(e.error(), HandshakeError::Primitive(_)), "{e:?}");
        // And the genuine message still completes the handshake.
        let (i, _) = e.into_state().read_message(&m2, &mut Off).unwrap();
        assert!(i.is_finished());
    }
    // skem and ekem1 ciphertexts are encrypted: a short one is truncated.
    for (name, idx) in [
        ("Noise_pqIK_MLKEM768_ChaChaPoly_SHA256", 0usize),
        ("Noise_NNhfs_25519+Kyber1024_ChaChaPoly_SHA256", 1usize),
    ] {
        with_damage(
            name,
            &|i, m, _| (i == idx).then(|| m[..m.len() - 40].to_vec()),
            &|_, e| assert!(matches!(e, HandshakeError::Truncated { .. }), "{e:?}"),
        );
    }
}

#[test]
fn out_of_turn_steps_are_refused() {
    for name in NAMES {
        for r in sweep_for(name) {
            let (mut a, mut b) = (rng("a"), rng("b"));
            let (i, resp) = pair(name, &r);
            // The responder cannot write first, the initiator cannot read first.
            let e = resp.write_message(b"", &mut b, &mut Off).unwrap_err();
            assert!(matches!(e.error(), HandshakeError::OutOfTurn(_)));
            let resp = e.into_state();
            let e = i.read_message(&[0; 64], &mut Off).unwrap_err();
            assert!(matches!(e.error(), HandshakeError::OutOfTurn(_)));
            let i = e.into_state();
            // A split before the end is refused too.
            let e = i.split(&mut Off).unwrap_err();
            assert!(matches!(e.error(), HandshakeError::Misuse(_)));
            let i = e.into_state();
            let (i, m) = i.write_message(b"", &mut a, &mut Off).unwrap();
            // Writing twice in a row is refused.
            let e = i.write_message(b"", &mut a, &mut Off).unwrap_err();
            assert!(matches!(e.error(), HandshakeError::OutOfTurn(_)));
            let i = e.into_state();
            let (resp, _) = resp.read_message(&m, &mut Off).unwrap();
            let (_, ti, tr) = complete_rest(i, resp, &mut a, &mut b);
            drop((ti, tr));
        }
    }
}

fn complete_rest(
    i: HandshakeState,
    r: HandshakeState,
    a: &mut ShakeRng,
    b: &mut ShakeRng,
) -> (
    Vec<Vec<u8>>,
    twofold_handshake::noise::TransportState,
    twofold_handshake::noise::TransportState,
) {
    complete(i, r, a, b).unwrap()
}

#[test]
fn steps_after_the_end_are_refused() {
    let name = "Noise_NN_25519_ChaChaPoly_SHA256";
    for r in sweep_for(name) {
        let (mut a, mut b) = (rng("a"), rng("b"));
        let (i, resp) = pair(name, &r);
        let (i, m1) = i.write_message(b"", &mut a, &mut Off).unwrap();
        let (resp, _) = resp.read_message(&m1, &mut Off).unwrap();
        let (resp, m2) = resp.write_message(b"", &mut b, &mut Off).unwrap();
        let (i, _) = i.read_message(&m2, &mut Off).unwrap();
        assert!(i.is_finished() && resp.is_finished());
        let e = i.write_message(b"", &mut a, &mut Off).unwrap_err();
        assert!(matches!(e.error(), HandshakeError::OutOfTurn(_)));
        let e = resp.read_message(&m2, &mut Off).unwrap_err();
        assert!(matches!(e.error(), HandshakeError::OutOfTurn(_)));
    }
}

#[test]
fn missing_keys_are_reported_at_build() {
    for (name, which) in [
        (
            "Noise_IK_25519_ChaChaPoly_SHA256",
            "remote static DH public key (pre-message)",
        ),
        (
            "Noise_NK_25519_ChaChaPoly_SHA256",
            "remote static DH public key (pre-message)",
        ),
        (
            "Noise_pqIK_MLKEM768_ChaChaPoly_SHA256",
            "remote static KEM public key (pre-message)",
        ),
    ] {
        for r in sweep_for(name) {
            let e = HandshakeBuilder::new(name, &r)
                .unwrap()
                .local_static_dh_if_any()
                .build_initiator(&mut Off)
                .unwrap_err();
            assert_eq!(e, HandshakeError::MissingKey(which), "{name}");
        }
    }
    for (name, which) in [
        ("Noise_XX_25519_ChaChaPoly_SHA256", "local static DH key"),
        (
            "Noise_pqXX_MLKEM768_ChaChaPoly_SHA256",
            "local static KEM key",
        ),
        (
            "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
            "local static DH key",
        ),
        ("Noise_NNpsk0_25519_ChaChaPoly_SHA256", "pre-shared key"),
    ] {
        for r in sweep_for(name) {
            let e = HandshakeBuilder::new(name, &r)
                .unwrap()
                .build_responder(&mut Off)
                .unwrap_err();
            assert_eq!(e, HandshakeError::MissingKey(which), "{name}");
        }
    }
    // Keys of the wrong size or for a primitive the suite lacks.
    let name = "Noise_XX_25519_ChaChaPoly_SHA256";
    for r in sweep_for(name) {
        let b = HandshakeBuilder::new(name, &r).unwrap();
        assert!(matches!(
            b.local_static_dh(&[1; 31]),
            Err(HandshakeError::Primitive(CoreError::InvalidLength { .. }))
        ));
        let b = HandshakeBuilder::new(name, &r).unwrap();
        assert!(matches!(
            b.local_static_kem(&[0; 1184], &[0; 2400]),
            Err(HandshakeError::Misuse(_))
        ));
        let b = HandshakeBuilder::new(name, &r).unwrap();
        assert!(matches!(b.psk(0, &[0; 32]), Err(HandshakeError::Misuse(_))));
        let b = HandshakeBuilder::new("Noise_NNpsk0_25519_ChaChaPoly_SHA256", &r).unwrap();
        assert!(matches!(
            b.psk(0, &[0; 31]),
            Err(HandshakeError::Primitive(CoreError::InvalidLength { .. }))
        ));
    }
}

#[test]
fn corrupted_kem_secret_keys_are_refused_by_the_builder() {
    // The builder checks a static (or fixed ephemeral) KEM secret key once,
    // so the handshakes built from it may skip the check; a corrupted key
    // must therefore be refused there. ML-KEM-768 expanded key: H(ek) at
    // byte 768 * 3 + 32.
    let name = "Noise_pqXX_MLKEM768_ChaChaPoly_SHA256";
    for r in sweep_for(name) {
        let kem = HandshakeBuilder::new(name, &r)
            .unwrap()
            .suite()
            .skem
            .unwrap();
        let (pk, sk) = kem.generate(&mut rng("corrupt")).unwrap();
        let mut bad = sk.expose().to_vec();
        bad[768 * 3 + 32] ^= 0x80;
        let b = HandshakeBuilder::new(name, &r).unwrap();
        assert!(
            matches!(
                b.local_static_kem(&pk, &bad),
                Err(HandshakeError::Primitive(CoreError::InvalidEncoding(_)))
            ),
            "{}",
            kem.id()
        );
        let b = HandshakeBuilder::new(name, &r).unwrap();
        assert!(
            matches!(
                b.fixed_ephemeral_kem(&pk, &bad),
                Err(HandshakeError::Primitive(CoreError::InvalidEncoding(_)))
            ),
            "{}",
            kem.id()
        );
        let b = HandshakeBuilder::new(name, &r).unwrap();
        assert!(b.local_static_kem(&pk, sk.expose()).is_ok(), "{}", kem.id());
    }
}

trait LocalStaticIfAny {
    fn local_static_dh_if_any(self) -> Self;
}

impl LocalStaticIfAny for HandshakeBuilder {
    /// IK needs the initiator's own static key too; give it one so the
    /// error is about the remote key.
    fn local_static_dh_if_any(self) -> Self {
        if self.suite().dh.is_some()
            && self.protocol_name().kind() != twofold_handshake::noise::PatternKind::Pq
        {
            self.local_static_dh(&[9; 32]).unwrap()
        } else {
            let kem = self.suite().skem.unwrap();
            let (pk, sk) = kem.generate(&mut rng("k")).unwrap();
            self.local_static_kem(&pk, sk.expose()).unwrap()
        }
    }
}

/// Points of small order on Curve25519 (u = 0: order 2; u = 1: order 4;
/// u = p - 1: order 4). Any clamped scalar maps them to the all-zero
/// output, which rev 34 §12.1 lets implementations reject; twofold does
/// (the Dh trait returns LowOrderPoint).
const LOW_ORDER: [[u8; 32]; 3] = {
    let mut p_minus_1 = [0xffu8; 32];
    p_minus_1[0] = 0xec;
    p_minus_1[31] = 0x7f;
    let mut one = [0u8; 32];
    one[0] = 1;
    [[0u8; 32], one, p_minus_1]
};

#[test]
fn low_order_points_are_rejected() {
    let name = "Noise_NK_25519_ChaChaPoly_SHA256";
    for r in sweep_for(name) {
        for point in LOW_ORDER {
            // NK: the responder computes es = DH(s, re) while reading.
            let mut a = rng("a");
            let (i, resp) = pair(name, &r);
            let (_, mut m1) = i.write_message(b"", &mut a, &mut Off).unwrap();
            m1[..32].copy_from_slice(&point);
            let e = resp.read_message(&m1, &mut Off).unwrap_err();
            assert_eq!(
                e.error(),
                &HandshakeError::Primitive(CoreError::LowOrderPoint)
            );
        }
    }
    let name = "Noise_NN_25519_AESGCM_SHA256";
    for r in sweep_for(name) {
        for point in LOW_ORDER {
            // NN: the initiator computes ee while reading message 2 ...
            let (mut a, mut b) = (rng("a"), rng("b"));
            let (i, resp) = pair(name, &r);
            let (i, m1) = i.write_message(b"", &mut a, &mut Off).unwrap();
            let (resp, _) = resp.read_message(&m1, &mut Off).unwrap();
            let (_, mut m2) = resp.write_message(b"", &mut b, &mut Off).unwrap();
            m2[..32].copy_from_slice(&point);
            let e = i.read_message(&m2, &mut Off).unwrap_err();
            assert_eq!(
                e.error(),
                &HandshakeError::Primitive(CoreError::LowOrderPoint)
            );
            // ... and the responder while writing it (ee of its own e and
            // the peer's low-order e): the write fails, the state survives.
            let (mut a, mut b) = (rng("a"), rng("b"));
            let (i, resp) = pair(name, &r);
            let (_, mut m1) = i.write_message(b"", &mut a, &mut Off).unwrap();
            m1[..32].copy_from_slice(&point);
            let (resp, _) = resp.read_message(&m1, &mut Off).unwrap();
            let e = resp.write_message(b"", &mut b, &mut Off).unwrap_err();
            assert_eq!(
                e.error(),
                &HandshakeError::Primitive(CoreError::LowOrderPoint)
            );
        }
    }
}

#[test]
fn invalid_kem_public_key_fails_the_encapsulating_write() {
    // pqNN: the initiator's e is an ML-KEM-768 key; coefficients >= q fail
    // the FIPS 203 modulus check when the responder encapsulates to it.
    let name = "Noise_pqNN_MLKEM768_ChaChaPoly_SHA256";
    for r in sweep_for(name) {
        let (mut a, mut b) = (rng("a"), rng("b"));
        let (i, resp) = pair(name, &r);
        let (_, mut m1) = i.write_message(b"", &mut a, &mut Off).unwrap();
        m1[..3].copy_from_slice(&[0xff, 0xff, 0xff]);
        let (resp, _) = resp.read_message(&m1, &mut Off).unwrap();
        let e = resp.write_message(b"", &mut b, &mut Off).unwrap_err();
        assert!(
            matches!(
                e.error(),
                HandshakeError::Primitive(CoreError::InvalidEncoding(_))
            ),
            "{e:?}"
        );
    }
}
