//! X3DH, both profiles: agreement over every suite and backend, an
//! independent recomputation of the KDF with the hkdf and sha2 crates, bad
//! input, and a property test on modified initial messages.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use hkdf::Hkdf;
use proptest::prelude::*;
use sha2::{Sha256, Sha512};
use twofold_core::{Error, Off, Party, Recorder, Resolver, ShakeRng};
use twofold_handshake::HandshakeError;
use twofold_handshake::bundle::{PrekeyServer, PrekeyStore};
use twofold_handshake::prekey::{PrekeyHandshake, PrekeySuite, Profile};
use twofold_handshake::x3dh;
use twofold_primitives::registry::REGISTRY;

fn resolver() -> &'static dyn Resolver {
    &*REGISTRY
}

/// Every `@backend` combination of a suite: each X25519 backend and each
/// backend of the suite's HKDF.
fn variants(suite: &str) -> Vec<String> {
    let parsed = PrekeySuite::parse(suite).unwrap();
    let kdf = if parsed.hash.algorithm == "SHA-512" {
        "HKDF-SHA512"
    } else {
        "HKDF-SHA256"
    };
    let dhs: Vec<_> = REGISTRY
        .dhs
        .iter()
        .filter(|d| d.name() == "X25519")
        .collect();
    let kdfs: Vec<_> = REGISTRY.kdfs.iter().filter(|k| k.name() == kdf).collect();
    assert!(!dhs.is_empty(), "no X25519 backend");
    assert!(!kdfs.is_empty(), "no {kdf} backend");
    let mut out = Vec::new();
    for d in &dhs {
        for k in &kdfs {
            out.push(format!(
                "X3DH_{}_X25519@{}_{}@{}",
                parsed.profile,
                d.backend(),
                parsed.hash.algorithm,
                k.backend()
            ));
        }
    }
    out
}

/// Bob's store with a signed prekey and `opks` one-time prekeys, published.
fn bob(x: &PrekeyHandshake, seed: &[u8], opks: usize) -> (PrekeyStore, PrekeyServer) {
    let mut rng = ShakeRng::new(seed);
    let identity = x.generate_identity(&mut rng).unwrap();
    let mut store = x.new_store(identity).unwrap();
    store.generate_signed_prekey(&mut rng).unwrap();
    store.generate_one_time_prekeys(opks, &mut rng).unwrap();
    let mut server = PrekeyServer::new();
    server.publish("bob", store.published_bundle().unwrap());
    (store, server)
}

fn ec_type(x: &PrekeyHandshake) -> u8 {
    x.bundle_params().encoding.ec_type
}

#[test]
fn suites_parse_and_print_back() {
    assert!(!x3dh::suites().is_empty());
    for s in x3dh::suites() {
        assert_eq!(PrekeySuite::parse(s).unwrap().to_string(), *s);
        for v in variants(s) {
            assert_eq!(PrekeySuite::parse(&v).unwrap().to_string(), v);
            let x = x3dh::new(&v, resolver()).unwrap();
            assert_eq!(x.suite().to_string(), v);
        }
    }
}

#[test]
fn both_sides_agree_for_every_suite_and_backend() {
    let mut runs = 0;
    for s in x3dh::suites() {
        for v in variants(s) {
            let x = x3dh::new(&v, resolver()).unwrap();
            for opks in [0, 1] {
                let (mut store, mut server) = bob(&x, b"bob", opks);
                let mut rng = ShakeRng::new(format!("alice {v} {opks}").as_bytes());
                let alice = x.generate_identity(&mut rng).unwrap();
                let bundle = server.fetch("bob").unwrap();
                assert_eq!(bundle.one_time_prekey.is_some(), opks == 1);
                let payload = b"hello Bob";
                let sent = x
                    .initiator(&alice, &bundle)
                    .unwrap()
                    .initiate(payload, &mut rng, &mut Off)
                    .unwrap();
                let got = x.accept(&mut store, &sent.wire, &mut Off).unwrap();
                assert_eq!(got.secret, sent.secret, "{v} opk={opks}");
                assert_eq!(got.payload, payload);
                assert_eq!(got.their_identity_key, alice.public_key());
                assert_eq!(sent.message, got.message);
                // AD = EncodeEC(IK_A) || EncodeEC(IK_B), built here by hand.
                let t = ec_type(&x);
                let mut ad = vec![t];
                ad.extend_from_slice(alice.public_key());
                ad.push(t);
                ad.extend_from_slice(&bundle.identity_key);
                assert_eq!(sent.secret.associated_data(), ad.as_slice());
                assert_eq!(sent.secret.root_key().len(), 32);
                match x.suite().profile {
                    Profile::Spec => {
                        assert!(sent.secret.chain_key().is_none());
                        // The payload travels encrypted.
                        assert!(!sent.wire.windows(payload.len()).any(|w| w == payload));
                    }
                    Profile::Signal => {
                        assert_eq!(sent.secret.chain_key().unwrap().len(), 32);
                        assert!(sent.secret.pq_ratchet_auth_key().is_none());
                        assert_eq!(sent.wire[0], 0x33);
                        assert_eq!(got.registration_id, Some(0));
                    }
                }
                runs += 1;
            }
        }
    }
    assert!(runs >= 12, "only {runs} runs");
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

/// OKM computed with the hkdf crate directly (not through twofold).
fn hkdf_reference(hash: &str, salt: Option<&[u8]>, ikm: &[u8], info: &[u8], len: usize) -> Vec<u8> {
    let mut okm = vec![0u8; len];
    match hash {
        "SHA-256" => Hkdf::<Sha256>::new(salt, ikm)
            .expand(info, &mut okm)
            .unwrap(),
        "SHA-512" => Hkdf::<Sha512>::new(salt, ikm)
            .expand(info, &mut okm)
            .unwrap(),
        _ => unreachable!(),
    }
    okm
}

#[test]
fn kdf_recomputed_independently_from_traced_dh_values() {
    let mut runs = 0;
    for s in x3dh::suites() {
        for v in variants(s) {
            let x = x3dh::new(&v, resolver()).unwrap();
            let x = if x.suite().profile == Profile::Spec {
                x.with_info(b"MyProtocol").unwrap()
            } else {
                x
            };
            for opks in [0, 1] {
                let (mut store, mut server) = bob(&x, b"bob kdf", opks);
                let mut rng = ShakeRng::new(b"alice kdf");
                let alice = x.generate_identity(&mut rng).unwrap();
                let bundle = server.fetch("bob").unwrap();
                let ta = Recorder::new();
                let tb = Recorder::new();
                let sent = x
                    .initiator(&alice, &bundle)
                    .unwrap()
                    .initiate(b"payload", &mut rng, &mut ta.clone())
                    .unwrap();
                let got = x.accept(&mut store, &sent.wire, &mut tb.clone()).unwrap();
                assert_eq!(got.secret, sent.secret);

                let mut names = vec!["DH1", "DH2", "DH3"];
                if opks == 1 {
                    names.push("DH4");
                }
                let mut ikm = vec![0xFFu8; 32];
                for n in &names {
                    // Both parties computed the same DH value independently.
                    assert_eq!(step(&ta, "initiator", n), step(&tb, "responder", n), "{n}");
                    assert_eq!(step(&ta, "initiator", n).len(), 32);
                    ikm.extend_from_slice(&step(&ta, "initiator", n));
                }
                assert_eq!(&ikm[32..], step(&ta, "initiator", "KM"));
                let hash = x.suite().hash.algorithm.as_str();
                match x.suite().profile {
                    Profile::Spec => {
                        // X3DH §2.2: salt = zeros(hash len), info = the application's info.
                        let zeros = vec![0u8; if hash == "SHA-512" { 64 } else { 32 }];
                        let sk = hkdf_reference(hash, Some(&zeros), &ikm, b"MyProtocol", 32);
                        assert_eq!(sent.secret.root_key().expose(), sk.as_slice());
                        assert_eq!(step(&ta, "initiator", "SK"), sk.as_slice());
                        // K_init and the payload, with the reference HKDF and
                        // every ChaCha20-Poly1305 backend.
                        let k = hkdf_reference(
                            hash,
                            Some(&zeros),
                            &sk,
                            b"twofold XDH v1 initial payload key",
                            32,
                        );
                        let aeads: Vec<_> = REGISTRY
                            .aeads
                            .iter()
                            .filter(|a| a.name() == "ChaCha20-Poly1305")
                            .collect();
                        assert!(!aeads.is_empty());
                        for a in aeads {
                            let pt = a
                                .open(
                                    &k,
                                    &[0u8; 12],
                                    sent.secret.associated_data(),
                                    &sent.message.payload,
                                )
                                .unwrap();
                            assert_eq!(pt, b"payload");
                        }
                    }
                    Profile::Signal => {
                        // libsignal v3: HKDF-SHA256, no salt, "WhisperText", 64 bytes.
                        let okm = hkdf_reference("SHA-256", None, &ikm, b"WhisperText", 64);
                        assert_eq!(sent.secret.root_key().expose(), &okm[..32]);
                        assert_eq!(sent.secret.chain_key().unwrap().expose(), &okm[32..]);
                    }
                }
                runs += 1;
            }
        }
    }
    assert!(runs >= 12);
}

#[test]
fn wrong_suite_strings_are_typed_errors() {
    let cases: &[(&str, &str)] = &[
        ("", "X3DH_"),
        ("X3DH", "expected X3DH_<profile>_<curve>_<hash>"),
        ("X3DH_spec_X25519", "expected X3DH_<profile>_<curve>_<hash>"),
        ("X3DH_spec_X25519_SHA-256_extra", "expected"),
        ("PQXDH_spec_X25519_SHA-256", "X3DH_"),
        ("X3DH_draft_X25519_SHA-256", "available: spec, signal"),
        (
            "X3DH_spec_X448_SHA-256",
            "unknown curve \"X448\"; available: X25519",
        ),
        ("X3DH_spec_X25519_SHA-384", "available: SHA-256, SHA-512"),
        (
            "X3DH_signal_X25519_SHA-512",
            "not deployed by the signal profile; available: SHA-256",
        ),
        ("X3DH_spec_X25519@_SHA-256", "malformed backend"),
        ("X3DH_spec_@dalek_SHA-256", "empty curve"),
    ];
    for (s, reason) in cases {
        match PrekeySuite::parse(s) {
            Err(HandshakeError::InvalidSuite { name, reason: r }) => {
                assert_eq!(name, *s);
                assert!(r.contains(reason), "{s}: {r}");
            }
            other => panic!("{s}: {other:?}"),
        }
        assert!(matches!(
            x3dh::new(s, resolver()),
            Err(HandshakeError::InvalidSuite { .. })
        ));
    }
    // A backend the registry does not have: the error lists the backends.
    match x3dh::new("X3DH_spec_X25519@nope_SHA-256", resolver()) {
        Err(HandshakeError::InvalidSuite { reason, .. }) => {
            assert!(reason.contains("X25519@dalek"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// A fresh X3DH run with one one-time prekey; returns the handshake,
/// Bob's store and the initial message.
fn run(suite: &str) -> (PrekeyHandshake, PrekeyStore, Vec<u8>) {
    let x = x3dh::new(suite, resolver()).unwrap();
    let (store, mut server) = bob(&x, b"bob bad input", 1);
    let mut rng = ShakeRng::new(b"alice bad input");
    let alice = x.generate_identity(&mut rng).unwrap();
    let bundle = server.fetch("bob").unwrap();
    let sent = x
        .initiator(&alice, &bundle)
        .unwrap()
        .initiate(b"hi", &mut rng, &mut Off)
        .unwrap();
    (x, store, sent.wire)
}

#[test]
fn truncated_and_oversized_messages() {
    for s in x3dh::suites() {
        let (x, mut store, wire) = run(s);
        let t = &mut Off;
        assert!(matches!(
            x.accept(&mut store, &wire[..wire.len() - 1], t),
            Err(HandshakeError::Truncated { .. })
        ));
        assert!(matches!(
            x.accept(&mut store, &[], t),
            Err(HandshakeError::Truncated { .. })
        ));
        // Every prefix fails (and never panics).
        for n in 0..wire.len() {
            assert!(
                x.accept(&mut store, &wire[..n], t).is_err(),
                "{s} prefix {n}"
            );
        }
        let mut longer = wire.clone();
        longer.push(0);
        assert!(matches!(
            x.accept(&mut store, &longer, t),
            Err(HandshakeError::Oversized { .. })
        ));
        let huge = vec![0u8; 200_000];
        assert!(matches!(
            x.accept(&mut store, &huge, t),
            Err(HandshakeError::Oversized { .. })
        ));
        // The genuine message still works: nothing was consumed.
        x.accept(&mut store, &wire, t).unwrap();
    }
}

/// Canonical X25519 `u` values of small order (0, 1, the two points of
/// order 8, and p - 1): the DH output is all zeros for every one of them.
const LOW_ORDER: &[&str] = &[
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
];

#[test]
fn low_order_and_non_canonical_keys_are_rejected() {
    for s in x3dh::suites() {
        let (x, mut store, wire) = run(s);
        let t = &mut Off;
        let msg = x.decode_message(&wire).unwrap();
        for hexkey in LOW_ORDER {
            let low = hex::decode(hexkey).unwrap();
            let mut m = msg.clone();
            m.base_key = low.clone();
            assert_eq!(
                x.accept(&mut store, &x.encode_message(&m).unwrap(), t)
                    .unwrap_err(),
                HandshakeError::Primitive(Error::LowOrderPoint),
                "{s} base key {hexkey}"
            );
            let mut m = msg.clone();
            m.identity_key = low;
            assert_eq!(
                x.accept(&mut store, &x.encode_message(&m).unwrap(), t)
                    .unwrap_err(),
                HandshakeError::Primitive(Error::LowOrderPoint),
                "{s} identity key {hexkey}"
            );
        }
        // Non-canonical encodings: top bit set (X25519 would ignore it),
        // and u = p (which X25519 would read as 0).
        let mut top = msg.base_key.clone();
        top[31] |= 0x80;
        let p = hex::decode("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
            .unwrap();
        for bad in [top, p] {
            let mut m = msg.clone();
            m.base_key = bad;
            assert!(matches!(
                x.accept(&mut store, &x.encode_message(&m).unwrap(), t),
                Err(HandshakeError::Primitive(Error::InvalidEncoding(_)))
            ));
        }
        x.accept(&mut store, &wire, t).unwrap();
    }
}

#[test]
fn bad_signed_prekey_signature_is_rejected() {
    for s in x3dh::suites() {
        let x = x3dh::new(s, resolver()).unwrap();
        let (_store, mut server) = bob(&x, b"bob sig", 1);
        let mut rng = ShakeRng::new(b"alice sig");
        let alice = x.generate_identity(&mut rng).unwrap();
        let good = server.fetch("bob").unwrap();
        let mut bad = good.clone();
        bad.signed_prekey.signature[10] ^= 1;
        assert_eq!(
            x.initiator(&alice, &bad).unwrap_err(),
            HandshakeError::BadSignature("signed prekey")
        );
        // A signature over a different key.
        let mut swapped = good.clone();
        swapped.signed_prekey.public_key = good.one_time_prekey.clone().unwrap().public_key;
        assert_eq!(
            x.initiator(&alice, &swapped).unwrap_err(),
            HandshakeError::BadSignature("signed prekey")
        );
        assert!(x.initiator(&alice, &good).is_ok());
    }
}

#[test]
fn reused_and_unknown_prekeys() {
    for s in x3dh::suites() {
        let (x, mut store, wire) = run(s);
        let t = &mut Off;
        let msg = x.decode_message(&wire).unwrap();
        let opk = msg.one_time_prekey_id.unwrap();
        // Unknown ids first: nothing is consumed by a failure.
        let mut m = msg.clone();
        m.signed_prekey_id = 999;
        assert_eq!(
            x.accept(&mut store, &x.encode_message(&m).unwrap(), t)
                .unwrap_err(),
            HandshakeError::PrekeyUnavailable {
                kind: "signed",
                id: 999
            }
        );
        let mut m = msg.clone();
        m.one_time_prekey_id = Some(777);
        assert_eq!(
            x.accept(&mut store, &x.encode_message(&m).unwrap(), t)
                .unwrap_err(),
            HandshakeError::PrekeyUnavailable {
                kind: "one-time curve",
                id: 777
            }
        );
        assert_eq!(store.one_time_prekeys_left(), 1);
        spend(&x, &mut store, &wire);
        assert_eq!(store.one_time_prekeys_left(), 0);
        assert_eq!(
            x.accept(&mut store, &wire, t).unwrap_err(),
            HandshakeError::PrekeyUnavailable {
                kind: "one-time curve",
                id: opk
            }
        );
    }
}

#[test]
fn signal_profile_refuses_custom_info_and_spec_uses_it() {
    let x = x3dh::new("X3DH_signal_X25519_SHA-256", resolver()).unwrap();
    assert_eq!(x.kdf_info(), b"WhisperText");
    assert!(matches!(
        x.with_info(b"MyProtocol"),
        Err(HandshakeError::Misuse(_))
    ));
    let x = x3dh::new("X3DH_spec_X25519_SHA-512", resolver()).unwrap();
    assert_eq!(x.kdf_info(), b"twofold-v1");
    assert!(matches!(x.with_info(b""), Err(HandshakeError::Misuse(_))));
    let x = x3dh::new("X3DH_spec_X25519_SHA-512", resolver()).unwrap();
    assert_eq!(
        x.with_info(b"MyProtocol").unwrap().kdf_info(),
        b"MyProtocol"
    );
}

#[test]
fn trace_names_every_step() {
    let x = x3dh::new("X3DH_signal_X25519_SHA-256", resolver()).unwrap();
    let (mut store, mut server) = bob(&x, b"bob trace", 1);
    let mut rng = ShakeRng::new(b"alice trace");
    let alice = x.generate_identity(&mut rng).unwrap();
    let bundle = server.fetch("bob").unwrap();
    let ta = Recorder::new();
    let sent = x
        .initiator(&alice, &bundle)
        .unwrap()
        .initiate(b"", &mut rng, &mut ta.clone())
        .unwrap();
    let tb = Recorder::new();
    x.accept(&mut store, &sent.wire, &mut tb.clone()).unwrap();
    for (t, party) in [(&ta, "initiator"), (&tb, "responder")] {
        for n in [
            "IK_A",
            "EK_A",
            "IK_B",
            "SPK_B",
            "OPK_B",
            "DH1",
            "DH2",
            "DH3",
            "DH4",
            "KM",
            "RK",
            "CK",
            "AD",
            "initial message",
        ] {
            assert!(!step(t, party, n).is_empty(), "{party} {n}");
        }
    }
    // Observing changes nothing: the same coins give the same message and
    // secret with the observer off.
    let (mut store, mut server) = bob(&x, b"bob trace", 1);
    let bundle = server.fetch("bob").unwrap();
    let mut rng = ShakeRng::new(b"alice trace");
    let alice = x.generate_identity(&mut rng).unwrap();
    let quiet = x
        .initiator(&alice, &bundle)
        .unwrap()
        .initiate(b"", &mut rng, &mut Off)
        .unwrap();
    assert_eq!(quiet.wire, sent.wire);
    let got = x.accept(&mut store, &quiet.wire, &mut Off).unwrap();
    assert!(got.secret == sent.secret);
}

/// The fixed run the property test modifies (default backends, with OPK).
struct Fixture {
    x: PrekeyHandshake,
    wire: Vec<u8>,
    secret_root: Vec<u8>,
    message: twofold_handshake::prekey::InitialMessage,
}

fn fixture(suite: &str) -> Fixture {
    let x = x3dh::new(suite, resolver()).unwrap();
    let (_, mut server) = bob(&x, b"bob prop", 2);
    let mut rng = ShakeRng::new(b"alice prop");
    let alice = x.generate_identity(&mut rng).unwrap();
    let bundle = server.fetch("bob").unwrap();
    let sent = x
        .initiator(&alice, &bundle)
        .unwrap()
        .initiate(b"property payload", &mut rng, &mut Off)
        .unwrap();
    Fixture {
        secret_root: sent.secret.root_key().expose().to_vec(),
        wire: sent.wire,
        message: sent.message,
        x,
    }
}

fn check_modified(f: &Fixture, pos: usize, xor: u8) -> Result<(), TestCaseError> {
    let mut wire = f.wire.clone();
    let i = pos % wire.len();
    wire[i] ^= xor;
    // A fresh store with the same keys (same seed) for every case.
    let (mut store, _) = bob(&f.x, b"bob prop", 2);
    match f.x.accept(&mut store, &wire, &mut Off) {
        Err(_) => Ok(()),
        Ok(got) => {
            if got.secret.root_key().expose() != f.secret_root.as_slice() {
                return Ok(());
            }
            // Same secret: allowed only in the signal profile, and only when
            // the change lies in a field libsignal leaves unauthenticated at
            // this layer (registration id; the payload, which the ratchet
            // MACs).
            prop_assert_eq!(f.x.suite().profile, Profile::Signal);
            let mut m = got.message.clone();
            m.registration_id = f.message.registration_id;
            m.payload = f.message.payload.clone();
            prop_assert_eq!(&m, &f.message, "byte {} changed a bound field", i);
            prop_assert!(got.message != f.message);
            Ok(())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn modified_byte_never_gives_the_same_secret_spec(pos in any::<usize>(), xor in 1u8..=255) {
        thread_local!(static F: Fixture = fixture("X3DH_spec_X25519_SHA-256"));
        F.with(|f| check_modified(f, pos, xor))?;
    }

    #[test]
    fn modified_byte_never_gives_the_same_secret_signal(pos in any::<usize>(), xor in 1u8..=255) {
        thread_local!(static F: Fixture = fixture("X3DH_signal_X25519_SHA-256"));
        F.with(|f| check_modified(f, pos, xor))?;
    }
}

/// Every byte position flipped (low bit, then high bit): the spec profile
/// rejects every one; the signal profile rejects or changes the secret
/// everywhere except in exactly the payload bytes and the registration id
/// value, which libsignal does not bind at this layer.
#[test]
fn every_byte_position_flipped() {
    for suite in ["X3DH_spec_X25519_SHA-512", "X3DH_signal_X25519_SHA-256"] {
        let f = fixture(suite);
        let signal = f.x.suite().profile == Profile::Signal;
        let payload_at = f
            .wire
            .windows(f.message.payload.len())
            .position(|w| w == f.message.payload.as_slice())
            .unwrap();
        let reg_at = payload_at + f.message.payload.len() + 1;
        for xor in [0x01u8, 0x80] {
            let mut same = Vec::new();
            for i in 0..f.wire.len() {
                let mut wire = f.wire.clone();
                wire[i] ^= xor;
                let (mut store, _) = bob(&f.x, b"bob prop", 2);
                if let Ok(got) = f.x.accept(&mut store, &wire, &mut Off)
                    && got.secret.root_key().expose() == f.secret_root.as_slice()
                {
                    same.push(i);
                }
            }
            if signal {
                assert_eq!(f.wire[reg_at - 1], 0x28, "registration_id key");
                let mut expected: Vec<usize> =
                    (payload_at..payload_at + f.message.payload.len()).collect();
                if xor == 0x01 {
                    expected.push(reg_at);
                }
                assert_eq!(same, expected, "{suite} xor {xor:#x}");
            } else {
                assert!(same.is_empty(), "{suite}: {same:?}");
            }
        }
    }
}

/// Accepts `wire` and spends its one-time prekeys as a completed first
/// message does (the signal profile leaves that to the caller, after the
/// first ratchet message decrypts; the spec profile has done it already).
fn spend(h: &PrekeyHandshake, store: &mut PrekeyStore, wire: &[u8]) {
    let got = h.accept(store, wire, &mut Off).unwrap();
    store.consume(&got.one_time_prekeys);
}
