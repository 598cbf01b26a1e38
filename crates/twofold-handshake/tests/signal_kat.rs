//! Fixed-key runs of the `signal` profile, recomputed independently.
//!
//! No published libsignal PQXDH vector exists, so every key is derived from
//! a named seed of the documented ShakeRng stream, and the test recomputes,
//! outside the handshake code, each public key and DH1..DH4 with every
//! X25519 backend, the 96-byte HKDF-SHA256 output with the hkdf crate (salt
//! none, IKM = 0xFF×32 || DH1 || DH2 || DH3 || DH4 || SS, info
//! `WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024`), and the
//! PreKeySignalMessage bytes from the protobuf rules (prost writes fields in
//! tag order).
//!
//! The round-3 Kyber1024 values (public key, ciphertext, SS) cannot be
//! recomputed here with a second backend: libcrux is the only Kyber1024
//! backend, the one the handshake uses. They are pinned instead
//! ([`KYBER1024_FIXED_RUN`]) to what kyber-py, an independent Python
//! implementation of round-3 Kyber, computes from the same coins; and
//! `kyber1024_shared_secret_matches_an_independent_construction` rebuilds
//! SS from ML-KEM-1024 and the round-3 KDF.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use hkdf::Hkdf;
use sha2::Sha256;
use twofold_core::{CryptoRng, Dh, Kem, Off, Party, Recorder, Resolver, ShakeRng, Signature};
use twofold_handshake::bundle::{IdentityKeyPair, PrekeyServer};
use twofold_handshake::{pqxdh, x3dh};
use twofold_primitives::registry::REGISTRY;

fn resolver() -> &'static dyn Resolver {
    &*REGISTRY
}

/// The first `n` bytes of the ShakeRng stream of `seed`.
fn stream(seed: &[u8], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    ShakeRng::new(seed).fill_bytes(&mut out);
    out
}

fn x25519_backends() -> Vec<&'static dyn Dh> {
    let v: Vec<&'static dyn Dh> = REGISTRY
        .dhs
        .iter()
        .copied()
        .filter(|d| d.name() == "X25519")
        .collect();
    assert!(!v.is_empty());
    v
}

fn kyber_backends() -> Vec<&'static dyn Kem> {
    let v: Vec<&'static dyn Kem> = REGISTRY
        .kems
        .iter()
        .copied()
        .filter(|k| k.name() == "Kyber1024")
        .collect();
    assert!(!v.is_empty());
    v
}

/// Round-3 Kyber1024 of the fixed run, from kyber-py 1.2.0 (`Kyber1024`,
/// keygen coins `d || z` = the first 64 bytes of the `S_BOB_PQOPK` stream,
/// encapsulation coins `m` = bytes 32..64 of the `S_ALICE_EPH` stream):
/// SHA-256 of the public key, SHA-256 of the ciphertext, and SS. Computed by
/// `crates/twofold-primitives/tests/python/independent_vectors.py` (its
/// `kyber_round3` case "signal_kat fixed run", which CI re-runs).
struct KyberPins {
    pk_sha256: &'static str,
    ct_sha256: &'static str,
    ss: &'static str,
}

const KYBER1024_FIXED_RUN: KyberPins = KyberPins {
    pk_sha256: "25a05ca7ab60b964edfb1342315ffacd60c9472f08eca7b078d5629272ff7965",
    ct_sha256: "8375a586c4dab58d8079bafbf44665fe46d20ffe9bcc58cddadf145d34e1f727",
    ss: "c6edb162698b8d089303d6629b1cbf63a462843fe8dc4960be62168288b5457b",
};

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(data))
}

fn step(t: &Recorder, party: &str, name: &str) -> Vec<u8> {
    let p = if party == "initiator" {
        Party::Initiator
    } else {
        Party::Responder
    };
    t.trace()
        .last(p, name)
        .unwrap_or_else(|| panic!("no {party} {name} in trace"))
        .bytes
        .to_vec()
}

const S_BOB_ID: &[u8] = b"kat bob identity";
const S_BOB_SPK: &[u8] = b"kat bob signed prekey";
const S_BOB_OPK: &[u8] = b"kat bob one-time prekey";
const S_BOB_PQSPK: &[u8] = b"kat bob last-resort kyber";
const S_BOB_PQOPK: &[u8] = b"kat bob one-time kyber";
const S_ALICE_ID: &[u8] = b"kat alice identity";
const S_ALICE_EPH: &[u8] = b"kat alice ephemeral";
const REGISTRATION_ID: u32 = 0x1234;
const PAYLOAD: &[u8] = b"opaque SignalMessage bytes (40 bytes)..";

/// The fixed run: each key from its own seed, so its secret is the start of
/// that seed's stream (X25519: 32 bytes; Kyber key generation: d || z, 64).
struct Run {
    alice_trace: Recorder,
    bob_trace: Recorder,
    wire: Vec<u8>,
    alice: twofold_handshake::prekey::Initiated,
    bob: twofold_handshake::prekey::Accepted,
    bundle: twofold_handshake::bundle::PrekeyBundle,
}

fn fixed_run(suite: &str) -> Run {
    let h = pqxdh::new(suite, resolver()).unwrap();
    let dh = h.bundle_params().dh;
    let bob_id = IdentityKeyPair::generate(dh, &mut ShakeRng::new(S_BOB_ID)).unwrap();
    let mut store = h.new_store(bob_id).unwrap();
    store
        .generate_signed_prekey(&mut ShakeRng::new(S_BOB_SPK))
        .unwrap();
    store
        .generate_one_time_prekeys(1, &mut ShakeRng::new(S_BOB_OPK))
        .unwrap();
    store
        .generate_last_resort_kem_prekey(&mut ShakeRng::new(S_BOB_PQSPK))
        .unwrap();
    store
        .generate_one_time_kem_prekeys(1, &mut ShakeRng::new(S_BOB_PQOPK))
        .unwrap();
    let mut server = PrekeyServer::new();
    server.publish("bob", store.published_bundle().unwrap());
    let bundle = server.fetch("bob").unwrap();

    let alice_id = IdentityKeyPair::generate(dh, &mut ShakeRng::new(S_ALICE_ID)).unwrap();
    let alice_trace = Recorder::new();
    let alice = h
        .initiator(&alice_id, &bundle)
        .unwrap()
        .with_registration_id(REGISTRATION_ID)
        .unwrap()
        .initiate(
            PAYLOAD,
            &mut ShakeRng::new(S_ALICE_EPH),
            &mut alice_trace.clone(),
        )
        .unwrap();
    let bob_trace = Recorder::new();
    let bob = h
        .accept(&mut store, &alice.wire, &mut bob_trace.clone())
        .unwrap();
    Run {
        alice_trace,
        bob_trace,
        wire: alice.wire.clone(),
        alice,
        bob,
        bundle,
    }
}

#[test]
fn pqxdh_signal_fixed_keys_recomputed_independently() {
    let coin_takers: Vec<_> = kyber_backends()
        .into_iter()
        .filter(|k| k.takes_coins())
        .collect();
    assert!(
        !coin_takers.is_empty(),
        "no Kyber1024 backend takes explicit coins"
    );
    for kyber in &coin_takers {
        let r = fixed_run(&format!(
            "PQXDH_signal_X25519_SHA-256_Kyber1024@{}",
            kyber.backend()
        ));

        // Secrets, straight from the seeds.
        let ik_a = stream(S_ALICE_ID, 32);
        let eph = stream(S_ALICE_EPH, 32);
        let ek_a = &eph[..];
        let ik_b = stream(S_BOB_ID, 32);
        let spk = stream(S_BOB_SPK, 32);
        let opk = stream(S_BOB_OPK, 32);

        let mut dh_values: Option<Vec<Vec<u8>>> = None;
        for x in x25519_backends() {
            let pk = |sk: &[u8]| x.public_key(sk).unwrap();
            assert_eq!(pk(&ik_b), r.bundle.identity_key);
            assert_eq!(pk(&spk), r.bundle.signed_prekey.public_key);
            assert_eq!(
                pk(&opk),
                r.bundle.one_time_prekey.as_ref().unwrap().public_key
            );
            assert_eq!(pk(&ik_a), r.alice.message.identity_key);
            assert_eq!(pk(ek_a), r.alice.message.base_key);
            let dh = |a: &[u8], b: &[u8]| x.dh(a, &pk(b)).unwrap().expose().to_vec();
            let values = vec![
                dh(&ik_a, &spk),
                dh(ek_a, &ik_b),
                dh(ek_a, &spk),
                dh(ek_a, &opk),
            ];
            for (i, v) in values.iter().enumerate() {
                let n = format!("DH{}", i + 1);
                assert_eq!(
                    step(&r.alice_trace, "initiator", &n),
                    v.as_slice(),
                    "{} {n}",
                    x.id()
                );
                assert_eq!(
                    step(&r.bob_trace, "responder", &n),
                    v.as_slice(),
                    "{} {n}",
                    x.id()
                );
            }
            // Bob's side of each DH gives the same value.
            assert_eq!(dh(&spk, &ik_a), values[0]);
            assert_eq!(dh(&opk, ek_a), values[3]);
            dh_values = Some(values);
        }
        let dh_values = dh_values.unwrap();

        // Kyber1024: the prekey came from d || z (the S_BOB_PQOPK stream),
        // the ciphertext and SS from m (S_ALICE_EPH bytes 32..64).
        let kem_pk = &r.bundle.kem_prekey.as_ref().unwrap().key.public_key;
        let ct = r.alice.message.kem_ciphertext.as_ref().unwrap();
        let pins = &KYBER1024_FIXED_RUN;
        assert_eq!(sha256_hex(kem_pk), pins.pk_sha256, "{}", kyber.id());
        assert_eq!(sha256_hex(ct), pins.ct_sha256, "{}", kyber.id());
        let ss = hex::decode(pins.ss).unwrap();
        assert_eq!(step(&r.alice_trace, "initiator", "SS"), ss.as_slice());
        assert_eq!(step(&r.bob_trace, "responder", "SS"), ss.as_slice());

        // HKDF-SHA256 with the hkdf crate: salt none, 96 bytes.
        let mut ikm = vec![0xFFu8; 32];
        for v in &dh_values {
            ikm.extend_from_slice(v);
        }
        ikm.extend_from_slice(&ss);
        let mut okm = [0u8; 96];
        Hkdf::<Sha256>::new(None, &ikm)
            .expand(b"WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024", &mut okm)
            .unwrap();
        for secret in [&r.alice.secret, &r.bob.secret] {
            assert_eq!(secret.root_key().expose(), &okm[..32]);
            assert_eq!(secret.chain_key().unwrap().expose(), &okm[32..64]);
            assert_eq!(secret.pq_ratchet_auth_key().unwrap().expose(), &okm[64..]);
            assert_eq!(secret.suite(), "PQXDH_signal_X25519_SHA-256_Kyber1024");
        }

        // PreKeySignalMessage, built by hand from the protobuf rules.
        let mut expected = vec![0x44, 0x08, 0x01]; // version 4; pre_key_id = 1
        expected.extend_from_slice(&[0x12, 0x21, 0x05]);
        expected.extend_from_slice(&r.alice.message.base_key);
        expected.extend_from_slice(&[0x1a, 0x21, 0x05]);
        expected.extend_from_slice(&r.alice.message.identity_key);
        expected.extend_from_slice(&[0x22, PAYLOAD.len() as u8]);
        expected.extend_from_slice(PAYLOAD);
        expected.extend_from_slice(&[0x28, 0xb4, 0x24]); // registration_id 0x1234
        expected.extend_from_slice(&[0x30, 0x01]); // signed_pre_key_id 1
        expected.extend_from_slice(&[0x38, 0x02]); // kyber_pre_key_id 2 (1 is the last resort)
        expected.extend_from_slice(&[0x42, 0xa1, 0x0c, 0x08]); // 1569 bytes: 0x08 || ct
        expected.extend_from_slice(r.alice.message.kem_ciphertext.as_ref().unwrap());
        assert_eq!(r.wire, expected);
        assert_eq!(r.bob.registration_id, Some(REGISTRATION_ID));
        assert_eq!(r.bob.payload, PAYLOAD);

        // AD = (0x05 || IK_A) || (0x05 || IK_B).
        let ad = [
            &[0x05][..],
            &r.alice.message.identity_key,
            &[0x05],
            &r.bundle.identity_key,
        ]
        .concat();
        assert_eq!(r.alice.secret.associated_data(), ad.as_slice());

        // Bundle signatures: XEdDSA-signal over 0x05 || SPK and 0x08 || PQPK.
        let verifiers: Vec<&dyn Signature> = REGISTRY
            .signatures
            .iter()
            .copied()
            .filter(|s| s.name() == "XEdDSA-signal")
            .collect();
        assert!(!verifiers.is_empty());
        for v in verifiers {
            let spk_msg = [&[0x05][..], &r.bundle.signed_prekey.public_key].concat();
            v.verify(
                &r.bundle.identity_key,
                &spk_msg,
                &r.bundle.signed_prekey.signature,
            )
            .unwrap();
            let kem = &r.bundle.kem_prekey.as_ref().unwrap().key;
            let kem_msg = [&[0x08][..], &kem.public_key].concat();
            assert_eq!(kem_msg.len(), 1569);
            v.verify(&r.bundle.identity_key, &kem_msg, &kem.signature)
                .unwrap();
        }
    }
}

/// Round-3 Kyber1024 (libsignal's KEM) of the fixed run, recomputed with a
/// second construction: round-3 encapsulation is ML-KEM-1024's
/// `Encaps_internal(pk, m')` with `m' = SHA3-256(m)`, giving `(K̄, c)`, then
/// `K = SHAKE256(K̄ || SHA3-256(c), 32)`; decapsulation is ML-KEM's
/// decapsulation of `c` (same `K̄` for a valid ciphertext) followed by the
/// same KDF (round-3 Kyber specification, 2021-08-04, Algorithms 8 and
/// 9). Every ML-KEM-1024 backend that takes coins encapsulates; every
/// ML-KEM-1024 backend decapsulates with the round-3 secret key (same
/// expanded layout). Every Kyber1024 backend must give the same SS.
///
/// A libcrux-vs-pqcrypto comparison of Kyber1024 is not possible:
/// pqcrypto-kyber 0.8.1 is the FIPS 203 draft, not round 3 (its PQClean
/// sources neither pre-hash `m` nor hash `c` into `K`), so the registry does
/// not offer it as Kyber1024.
#[test]
fn kyber1024_shared_secret_matches_an_independent_construction() {
    let kybers = kyber_backends();
    let coin_takers: Vec<_> = kybers.iter().copied().filter(|k| k.takes_coins()).collect();
    assert!(!coin_takers.is_empty());
    let mlkems: Vec<&'static dyn Kem> = REGISTRY
        .kems
        .iter()
        .copied()
        .filter(|k| k.name() == "ML-KEM-1024")
        .collect();
    assert!(!mlkems.is_empty());
    let sha3 = REGISTRY.hash("SHA3-256").unwrap();
    let shake = REGISTRY.xof("SHAKE256").unwrap();
    let kdf = |k_bar: &[u8], ct: &[u8]| {
        let mut k = [0u8; 32];
        shake.xof(&[k_bar, &sha3.hash(&[ct])], &mut k);
        k.to_vec()
    };

    let r = fixed_run("PQXDH_signal_X25519_SHA-256_Kyber1024");
    let ct = r.alice.message.kem_ciphertext.clone().unwrap();
    let ss = step(&r.alice_trace, "initiator", "SS").to_vec();
    let pk = r.bundle.kem_prekey.as_ref().unwrap().key.public_key.clone();
    let m = &stream(S_ALICE_EPH, 64)[32..];
    let (_, sk) = coin_takers[0]
        .generate_derand(&stream(S_BOB_PQOPK, 64))
        .unwrap();

    let mut checked = 0;
    for b in mlkems.iter().filter(|b| b.takes_coins()) {
        let (ct2, k_bar) = b.encapsulate_derand(&pk, &sha3.hash(&[m])).unwrap();
        assert_eq!(ct2, ct, "{}", b.id());
        assert_eq!(kdf(k_bar.expose(), &ct), ss, "{}", b.id());
        checked += 1;
    }
    for b in &mlkems {
        let k_bar = b.decapsulate(sk.expose(), &ct).unwrap();
        assert_eq!(kdf(k_bar.expose(), &ct), ss, "{} decapsulation", b.id());
        checked += 1;
    }
    for k in &kybers {
        assert_eq!(
            k.decapsulate(sk.expose(), &ct).unwrap().expose(),
            ss.as_slice(),
            "{}",
            k.id()
        );
    }
    assert!(checked >= 2);
}

#[test]
fn x3dh_signal_v3_fixed_keys_recomputed_independently() {
    let x = x3dh::new("X3DH_signal_X25519_SHA-256", resolver()).unwrap();
    let dh = x.bundle_params().dh;
    let bob_id = IdentityKeyPair::generate(dh, &mut ShakeRng::new(S_BOB_ID)).unwrap();
    let mut store = x.new_store(bob_id).unwrap();
    store
        .generate_signed_prekey(&mut ShakeRng::new(S_BOB_SPK))
        .unwrap();
    let mut server = PrekeyServer::new();
    server.publish("bob", store.published_bundle().unwrap());
    let bundle = server.fetch("bob").unwrap();
    let alice_id = IdentityKeyPair::generate(dh, &mut ShakeRng::new(S_ALICE_ID)).unwrap();
    let sent = x
        .initiator(&alice_id, &bundle)
        .unwrap()
        .initiate(PAYLOAD, &mut ShakeRng::new(S_ALICE_EPH), &mut Off)
        .unwrap();
    let got = x.accept(&mut store, &sent.wire, &mut Off).unwrap();

    let ik_a = stream(S_ALICE_ID, 32);
    let ek_a = stream(S_ALICE_EPH, 32);
    let ik_b = stream(S_BOB_ID, 32);
    let spk = stream(S_BOB_SPK, 32);
    for d in x25519_backends() {
        let dh = |a: &[u8], b: &[u8]| {
            d.dh(a, &d.public_key(b).unwrap())
                .unwrap()
                .expose()
                .to_vec()
        };
        let mut ikm = vec![0xFFu8; 32];
        ikm.extend(dh(&ik_a, &spk));
        ikm.extend(dh(&ek_a, &ik_b));
        ikm.extend(dh(&ek_a, &spk));
        let mut okm = [0u8; 64];
        Hkdf::<Sha256>::new(None, &ikm)
            .expand(b"WhisperText", &mut okm)
            .unwrap();
        for s in [&sent.secret, &got.secret] {
            assert_eq!(s.root_key().expose(), &okm[..32]);
            assert_eq!(s.chain_key().unwrap().expose(), &okm[32..]);
            assert!(s.pq_ratchet_auth_key().is_none());
        }
    }
    // Version 3: 0x33, no pre_key_id (no one-time prekey), no Kyber fields.
    let mut expected = vec![0x33, 0x12, 0x21, 0x05];
    expected.extend_from_slice(&sent.message.base_key);
    expected.extend_from_slice(&[0x1a, 0x21, 0x05]);
    expected.extend_from_slice(&sent.message.identity_key);
    expected.extend_from_slice(&[0x22, PAYLOAD.len() as u8]);
    expected.extend_from_slice(PAYLOAD);
    expected.extend_from_slice(&[0x28, 0x00, 0x30, 0x01]);
    assert_eq!(sent.wire, expected);
}
