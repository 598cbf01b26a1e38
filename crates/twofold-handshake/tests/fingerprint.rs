//! Safety numbers: libsignal's numeric fingerprint against published
//! vectors, and twofold's hybrid profile.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use twofold_core::{Hash, Resolver};
use twofold_handshake::HandshakeError;
use twofold_handshake::fingerprint::{HybridIdentity, SignalFingerprint, TwofoldFingerprint};
use twofold_primitives::registry::REGISTRY;

fn sha512_backends() -> Vec<&'static dyn Hash> {
    let v: Vec<&'static dyn Hash> = REGISTRY
        .hashes
        .iter()
        .copied()
        .filter(|h| h.name() == "SHA-512")
        .collect();
    assert!(!v.is_empty(), "no SHA-512 backend");
    v
}

// Known-answer values from two independent implementations' tests:
// signalapp/libsignal-protocol-c tests/test_fingerprint.c (ALICE_IDENTITY,
// BOB_IDENTITY, DISPLAYABLE_FINGERPRINT, ALICE/BOB_SCANNABLE_FINGERPRINT_V1,
// iterations 5200, identifiers "+14152222222" / "+14153333333") and
// signalapp/libsignal rust/protocol/src/fingerprint.rs (`fingerprint_test_v1`,
// same values). The serialized identity keys are 0x05 || X25519 u.
const ALICE_IDENTITY: &str = "0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868";
const BOB_IDENTITY: &str = "05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b";
const ALICE_STABLE_ID: &[u8] = b"+14152222222";
const BOB_STABLE_ID: &[u8] = b"+14153333333";
const DISPLAYABLE: &str = "300354477692869396892869876765458257569162576843440918079131";
/// The scannable (version 1) fingerprints carry the first 32 bytes of each
/// party's iterated hash: Alice's after `080112220a20`, Bob's after `1a220a20`
/// in ALICE_SCANNABLE_FINGERPRINT_V1.
const ALICE_SCANNABLE_V1: &str = "080112220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d";

fn raw_key(serialized: &str) -> Vec<u8> {
    let k = hex::decode(serialized).unwrap();
    assert_eq!(k[0], 0x05);
    k[1..].to_vec()
}

#[test]
fn signal_safety_number_matches_libsignal_vectors() {
    let (a, b) = (raw_key(ALICE_IDENTITY), raw_key(BOB_IDENTITY));
    for h in sha512_backends() {
        let f = SignalFingerprint::from_hash(h).unwrap();
        let alice_view = f
            .safety_number(ALICE_STABLE_ID, &a, BOB_STABLE_ID, &b)
            .unwrap();
        let bob_view = f
            .safety_number(BOB_STABLE_ID, &b, ALICE_STABLE_ID, &a)
            .unwrap();
        assert_eq!(alice_view.to_string(), DISPLAYABLE, "{}", h.id());
        assert_eq!(bob_view.to_string(), DISPLAYABLE, "{}", h.id());
        assert_eq!(alice_view.local(), bob_view.remote());

        let scannable = hex::decode(ALICE_SCANNABLE_V1).unwrap();
        let alice_hash = f.party_hash(ALICE_STABLE_ID, &a).unwrap();
        let bob_hash = f.party_hash(BOB_STABLE_ID, &b).unwrap();
        assert_eq!(alice_hash.len(), 64);
        assert_eq!(&alice_hash[..32], &scannable[6..38]);
        assert_eq!(&bob_hash[..32], &scannable[42..74]);
    }
    // Through the resolver (default backend).
    let f = SignalFingerprint::new(&*REGISTRY as &dyn Resolver).unwrap();
    assert_eq!(
        f.safety_number(ALICE_STABLE_ID, &a, BOB_STABLE_ID, &b)
            .unwrap()
            .to_string(),
        DISPLAYABLE
    );
}

#[test]
fn signal_safety_number_changes_with_key_or_identifier() {
    let (a, b) = (raw_key(ALICE_IDENTITY), raw_key(BOB_IDENTITY));
    for h in sha512_backends() {
        let f = SignalFingerprint::from_hash(h)
            .unwrap()
            .with_iterations(1024)
            .unwrap();
        let base = f
            .safety_number(ALICE_STABLE_ID, &a, BOB_STABLE_ID, &b)
            .unwrap();
        let s = base.to_string();
        assert_eq!(s.len(), 60);
        assert!(s.bytes().all(|c| c.is_ascii_digit()));
        // Symmetric.
        assert_eq!(
            f.safety_number(BOB_STABLE_ID, &b, ALICE_STABLE_ID, &a)
                .unwrap()
                .to_string(),
            s
        );
        // A man in the middle's key in place of Bob's.
        let mut m = b.clone();
        m[7] ^= 1;
        assert_ne!(
            f.safety_number(ALICE_STABLE_ID, &a, BOB_STABLE_ID, &m)
                .unwrap()
                .to_string(),
            s
        );
        assert_ne!(
            f.safety_number(b"+141512222222", &a, BOB_STABLE_ID, &b)
                .unwrap()
                .to_string(),
            s
        );
        assert!(matches!(
            f.safety_number(ALICE_STABLE_ID, &a[..31], BOB_STABLE_ID, &b),
            Err(HandshakeError::Primitive(_))
        ));
    }
    let f = SignalFingerprint::from_hash(sha512_backends()[0]).unwrap();
    for bad in [0, 1, 1_000_001] {
        assert!(matches!(
            f.with_iterations(bad),
            Err(HandshakeError::Misuse(_))
        ));
    }
    let sha256 = REGISTRY
        .hashes
        .iter()
        .copied()
        .find(|h| h.name() == "SHA-256")
        .unwrap();
    assert!(SignalFingerprint::from_hash(sha256).is_err());
    assert!(TwofoldFingerprint::from_hash(sha256).is_err());
}

fn hybrid<'a>(id: &'a [u8], c: &'a [u8], pq: &'a [u8]) -> HybridIdentity<'a> {
    HybridIdentity {
        stable_id: id,
        classical_algorithm: "X25519",
        classical_key: c,
        pq_algorithm: "ML-DSA-65",
        pq_key: pq,
    }
}

#[test]
fn twofold_safety_number_covers_both_keys() {
    let alice_c = [0x11u8; 32];
    let alice_pq = vec![0x22u8; 1952];
    let bob_c = [0x33u8; 32];
    let bob_pq = vec![0x44u8; 1952];
    for h in sha512_backends() {
        let f = TwofoldFingerprint::from_hash(h)
            .unwrap()
            .with_iterations(512)
            .unwrap();
        let alice = hybrid(b"alice", &alice_c, &alice_pq);
        let bob = hybrid(b"bob", &bob_c, &bob_pq);
        let n = f.safety_number(&alice, &bob).unwrap().to_string();
        assert_eq!(n.len(), 60);
        assert!(n.bytes().all(|c| c.is_ascii_digit()));
        // Symmetric.
        assert_eq!(f.safety_number(&bob, &alice).unwrap().to_string(), n);

        // Either key of either party changes it.
        let mut c2 = bob_c;
        c2[0] ^= 1;
        let mut pq2 = bob_pq.clone();
        pq2[1000] ^= 1;
        let mut a2 = alice_pq.clone();
        a2[0] ^= 0x80;
        for (who, other) in [
            (
                "bob classical",
                f.safety_number(&alice, &hybrid(b"bob", &c2, &bob_pq)),
            ),
            (
                "bob pq",
                f.safety_number(&alice, &hybrid(b"bob", &bob_c, &pq2)),
            ),
            (
                "alice pq",
                f.safety_number(&hybrid(b"alice", &alice_c, &a2), &bob),
            ),
            (
                "bob id",
                f.safety_number(&alice, &hybrid(b"bob2", &bob_c, &bob_pq)),
            ),
            (
                "pq algorithm",
                f.safety_number(
                    &alice,
                    &HybridIdentity {
                        pq_algorithm: "ML-KEM-1024",
                        ..bob
                    },
                ),
            ),
        ] {
            assert_ne!(other.unwrap().to_string(), n, "{who}");
        }
        // Moving a byte between fields is not the same input (length prefixes).
        let shifted_c = [&bob_c[..], &bob_pq[..1]].concat();
        let shifted = HybridIdentity {
            classical_key: &shifted_c,
            pq_key: &bob_pq[1..],
            ..bob
        };
        assert_ne!(f.safety_number(&alice, &shifted).unwrap().to_string(), n);

        // A hybrid number needs both keys.
        assert!(matches!(
            f.safety_number(&alice, &hybrid(b"bob", &bob_c, &[])),
            Err(HandshakeError::MissingKey(_))
        ));
        assert!(matches!(
            f.safety_number(&hybrid(b"alice", &[], &alice_pq), &bob),
            Err(HandshakeError::MissingKey(_))
        ));
    }
}

#[test]
fn twofold_and_signal_profiles_differ() {
    let (a, b) = (raw_key(ALICE_IDENTITY), raw_key(BOB_IDENTITY));
    let h = sha512_backends()[0];
    let s = SignalFingerprint::from_hash(h).unwrap();
    let t = TwofoldFingerprint::from_hash(h).unwrap();
    let signal = s
        .safety_number(ALICE_STABLE_ID, &a, BOB_STABLE_ID, &b)
        .unwrap();
    let pq = [0x55u8; 1184];
    let hybrid_number = t
        .safety_number(
            &hybrid(ALICE_STABLE_ID, &a, &pq),
            &hybrid(BOB_STABLE_ID, &b, &pq),
        )
        .unwrap();
    assert_ne!(signal.to_string(), hybrid_number.to_string());
}
