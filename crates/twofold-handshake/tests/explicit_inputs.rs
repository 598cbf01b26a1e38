//! Explicit inputs, as an interop implementer uses them: prekeys imported
//! with a deployment's own identifiers and secrets, the initiator run from
//! explicit coins, and the type-prefixed KEM secret keys libsignal stores.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_core::{CryptoRng, Off, Party, Recorder, SecretBytes, ShakeRng};
use twofold_handshake::HandshakeError;
use twofold_handshake::bundle::{KemPrekeyKind, PrekeyServer};
use twofold_handshake::pqxdh;
use twofold_handshake::prekey::{InitiatorCoins, PrekeyHandshake};
use twofold_primitives::registry::REGISTRY;

fn bytes(seed: &[u8], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    ShakeRng::new(seed).fill_bytes(&mut out);
    out
}

/// Bob's store with keys made outside it (as a deployment's recording
/// provides them) and imported under the identifiers 22 (signed), 11
/// (one-time), 33 (one-time KEM) and 34 (last-resort KEM).
fn imported_store(h: &PrekeyHandshake) -> twofold_handshake::bundle::PrekeyStore {
    let p = h.bundle_params();
    let identity = h.generate_identity(&mut ShakeRng::new(b"bob id")).unwrap();
    let ik = identity.secret_key().duplicate();
    let mut store = h.new_store(identity).unwrap();
    let spk = SecretBytes::new(bytes(b"bob spk", 32));
    let spk_pub = p.dh.public_key(spk.expose()).unwrap();
    let sig = p
        .signature
        .sign(
            ik.expose(),
            &p.encode_ec(&spk_pub),
            &mut ShakeRng::new(b"z1"),
        )
        .unwrap();
    store.import_signed_prekey(22, spk, &sig).unwrap();
    store
        .import_one_time_prekey(11, SecretBytes::new(bytes(b"bob opk", 32)))
        .unwrap();
    if let Some(kem) = p.kem {
        for (kind, id, seed) in [
            (KemPrekeyKind::OneTime, 33, b"bob kem 33"),
            (KemPrekeyKind::LastResort, 34, b"bob kem 34"),
        ] {
            let (pk, sk) = kem.generate(&mut ShakeRng::new(seed)).unwrap();
            let msg = p.encode_kem(&pk).unwrap();
            let sig = p
                .signature
                .sign(ik.expose(), &msg, &mut ShakeRng::new(seed))
                .unwrap();
            store.import_kem_prekey(kind, id, &pk, sk, &sig).unwrap();
        }
    }
    store
}

#[test]
fn imported_prekeys_keep_their_identifiers_and_complete_a_handshake() {
    for suite in [
        "X3DH_signal_X25519_SHA-256",
        "X3DH_spec_X25519_SHA-512",
        "PQXDH_signal_X25519_SHA-256_Kyber1024",
        "PQXDH_spec_X25519_SHA-256_ML-KEM-768",
    ] {
        let h = PrekeyHandshake::new(suite, &*REGISTRY).unwrap();
        let mut store = imported_store(&h);
        // Generated keys skip the imported identifiers.
        let next = store
            .generate_one_time_prekeys(12, &mut ShakeRng::new(b"more"))
            .unwrap();
        assert!(!next.contains(&11), "{suite}: generated id 11 again");
        let mut server = PrekeyServer::new();
        let mut published = store.published_bundle().unwrap();
        // Offer the imported one-time key first.
        published.one_time_prekeys.retain(|k| k.id == 11);
        server.publish("bob", published);
        let bundle = server.fetch("bob").unwrap();
        assert_eq!(bundle.signed_prekey.id, 22);
        let alice = h.generate_identity(&mut ShakeRng::new(b"alice")).unwrap();
        let sent = h
            .initiator(&alice, &bundle)
            .unwrap()
            .initiate(b"hi", &mut ShakeRng::new(b"eph"), &mut Off)
            .unwrap();
        assert_eq!(sent.message.signed_prekey_id, 22, "{suite}");
        assert_eq!(sent.message.one_time_prekey_id, Some(11), "{suite}");
        if h.bundle_params().kem.is_some() {
            assert_eq!(sent.message.kem_prekey_id, Some(33), "{suite}");
        }
        let got = h.accept(&mut store, &sent.wire, &mut Off).unwrap();
        assert!(got.secret == sent.secret, "{suite}");
    }
}

#[test]
fn imports_are_checked() {
    let h = pqxdh::new("PQXDH_signal_X25519_SHA-256_Kyber1024", &*REGISTRY).unwrap();
    let mut store = imported_store(&h);
    let p = h.bundle_params();
    // A signature by another key.
    let spk = SecretBytes::new(bytes(b"other spk", 32));
    let spk_pub = p.dh.public_key(spk.expose()).unwrap();
    let wrong = p
        .signature
        .sign(
            &bytes(b"mallory", 32),
            &p.encode_ec(&spk_pub),
            &mut ShakeRng::new(b"z"),
        )
        .unwrap();
    assert_eq!(
        store.import_signed_prekey(5, spk, &wrong),
        Err(HandshakeError::BadSignature("signed prekey"))
    );
    // An identifier in use, whatever the key.
    assert!(matches!(
        store.import_one_time_prekey(11, SecretBytes::new(bytes(b"x", 32))),
        Err(HandshakeError::PrekeyInUse { .. })
    ));
    // A KEM secret key that fails the key checks, and one of the wrong size.
    let kem = p.kem.unwrap();
    let (pk, sk) = kem.generate(&mut ShakeRng::new(b"k")).unwrap();
    let mut bad = sk.expose().to_vec();
    bad[kem.sizes().sk - 40] ^= 1; // inside H(ek) of the expanded key
    assert!(
        store
            .import_kem_prekey(
                KemPrekeyKind::OneTime,
                40,
                &pk,
                SecretBytes::new(bad),
                &[0; 64]
            )
            .is_err()
    );
    assert!(
        store
            .import_kem_prekey(
                KemPrekeyKind::OneTime,
                41,
                &pk,
                SecretBytes::new(vec![0; 5]),
                &[0; 64]
            )
            .is_err()
    );
}

#[test]
fn signal_kem_secret_keys_are_type_prefixed_with_0x08() {
    let h = pqxdh::new("PQXDH_signal_X25519_SHA-256_Kyber1024", &*REGISTRY).unwrap();
    let p = h.bundle_params();
    let (pk, sk) = p.kem.unwrap().generate(&mut ShakeRng::new(b"k")).unwrap();
    let enc = p.encode_kem_secret_key(&sk).unwrap();
    assert_eq!(enc.len(), 1 + 3168);
    assert_eq!(enc.expose()[0], 0x08);
    assert!(p.decode_kem_secret_key(enc.expose()).unwrap() == sk);
    assert_eq!(p.decode_kem(&p.encode_kem(&pk).unwrap()).unwrap(), pk);
    let mut wrong = enc.expose().to_vec();
    wrong[0] = 0x0A;
    assert_eq!(
        p.decode_kem_secret_key(&wrong),
        Err(HandshakeError::Malformed("KEM secret key type byte"))
    );
    assert!(p.decode_kem_secret_key(&enc.expose()[..100]).is_err());
}

/// `initiate_derand` with the coins a seeded run drew gives the same
/// message and secret; the draws the observer saw are the stream's bytes,
/// in the documented order (`EK_A coins`, then `CT coins`).
#[test]
fn explicit_coins_reproduce_a_drawn_run() {
    for suite in [
        "X3DH_spec_X25519_SHA-256",
        "PQXDH_spec_X25519_SHA-512_ML-KEM-1024",
        "PQXDH_signal_X25519_SHA-256_Kyber1024",
        "PQXDH_spec_X25519_SHA-256_X-Wing",
    ] {
        let h = PrekeyHandshake::new(suite, &*REGISTRY).unwrap();
        let store = imported_store(&h);
        let mut server = PrekeyServer::new();
        server.publish("bob", store.published_bundle().unwrap());
        let bundle = server.fetch("bob").unwrap();
        let alice = h.generate_identity(&mut ShakeRng::new(b"alice")).unwrap();
        let rec = Recorder::new();
        let drawn = h
            .initiator(&alice, &bundle)
            .unwrap()
            .initiate(b"hi", &mut ShakeRng::new(b"coins"), &mut rec.clone())
            .unwrap();
        let t = rec.take();
        let draws: Vec<_> = t.draws().collect();
        let pq = h.bundle_params().kem.is_some();
        assert_eq!(draws.len(), if pq { 2 } else { 1 }, "{suite}");
        assert_eq!(draws[0].purpose, "EK_A coins");
        assert_eq!(draws[0].party, Party::Initiator);
        let kem_len = h.bundle_params().kem.map_or(0, |k| k.sizes().encaps_coins);
        let stream = bytes(b"coins", 32 + kem_len);
        assert_eq!(&draws[0].bytes[..], &stream[..32], "{suite}");
        let kem_coins = pq.then(|| {
            assert_eq!(draws[1].purpose, "CT coins");
            assert_eq!(&draws[1].bytes[..], &stream[32..], "{suite}");
            &stream[32..]
        });
        let given = h
            .initiator(&alice, &bundle)
            .unwrap()
            .initiate_derand(
                b"hi",
                InitiatorCoins {
                    ephemeral: &stream[..32],
                    kem: kem_coins,
                },
                &mut Off,
            )
            .unwrap();
        assert_eq!(given.wire, drawn.wire, "{suite}");
        assert!(given.secret == drawn.secret, "{suite}");
    }
    // PQXDH without KEM coins is a typed error.
    let h = pqxdh::new("PQXDH_spec_X25519_SHA-256_ML-KEM-768", &*REGISTRY).unwrap();
    let store = imported_store(&h);
    let mut server = PrekeyServer::new();
    server.publish("bob", store.published_bundle().unwrap());
    let bundle = server.fetch("bob").unwrap();
    let alice = h.generate_identity(&mut ShakeRng::new(b"alice")).unwrap();
    let e = h
        .initiator(&alice, &bundle)
        .unwrap()
        .initiate_derand(
            b"",
            InitiatorCoins {
                ephemeral: &[7; 32],
                kem: None,
            },
            &mut Off,
        )
        .unwrap_err();
    assert_eq!(e, HandshakeError::MissingKey("KEM coins"));
}
