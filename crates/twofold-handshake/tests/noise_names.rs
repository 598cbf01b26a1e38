//! Protocol-name parsing: round trips, the snow and clatter spellings, and
//! errors that list what is available.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod noise_common;

use noise_common::all_names;
use twofold_handshake::HandshakeError;
use twofold_handshake::noise::{HandshakeBuilder, Modifier, PatternKind, ProtocolName};
use twofold_primitives::registry::REGISTRY;

const CIPHERS: [&str; 2] = ["ChaChaPoly", "AESGCM"];
const HASHES: [&str; 4] = ["SHA256", "SHA512", "BLAKE2s", "BLAKE2b"];

#[test]
fn names_from_the_brief_and_the_peers_round_trip() {
    for name in [
        "Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256",
        "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
        "Noise_NNhfs_25519+Kyber1024_ChaChaPoly_SHA256",
        "Noise_pqXX_MLKEM768_ChaChaPoly_SHA256",
        "Noise_pqNN_Kyber512+Kyber1024_ChaChaPoly_SHA256",
        "Noise_pqNN_MLKEM512+MLKEM1024_ChaChaPoly_BLAKE2s",
        "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
        "Noise_hybridNN_25519+MLKEM512+MLKEM1024_ChaChaPoly_BLAKE2s",
        "Noise_XXpsk3_25519_AESGCM_SHA512",
        "Noise_XXpsk0+psk1+psk2+psk3_25519_ChaChaPoly_SHA256",
        "Noise_NNhfs+psk2_25519+Kyber1024_AESGCM_BLAKE2b",
        "Noise_pqXXpsk3_MLKEM768_ChaChaPoly_SHA256",
        "Noise_hybridIKpsk2_25519+MLKEM768_AESGCM_SHA256",
        "Noise_pqXX_ML-KEM-768_ChaChaPoly_SHA256",
        "Noise_XXhfs_25519+X-Wing_ChaChaPoly_SHA256",
        "Noise_I1K1_25519_ChaChaPoly_SHA256",
    ] {
        let p = ProtocolName::parse(name).unwrap();
        assert_eq!(p.to_string(), name);
        let again: ProtocolName = p.to_string().parse().unwrap();
        assert_eq!(again, p);
    }
}

#[test]
fn every_supported_name_round_trips_and_resolves() {
    let mut count = 0;
    for c in CIPHERS {
        for h in HASHES {
            for name in all_names(c, h) {
                let p = ProtocolName::parse(&name).unwrap();
                assert_eq!(p.to_string(), name);
                HandshakeBuilder::new(&name, &*REGISTRY).unwrap();
                count += 1;
            }
        }
    }
    assert!(count > 1000, "{count}");
}

#[test]
fn parts_map_to_registry_names() {
    let p = ProtocolName::parse("Noise_pqNN_Kyber512+Kyber1024_AESGCM_BLAKE2b").unwrap();
    assert_eq!(p.kind(), PatternKind::Pq);
    // Noise's Kyber* names are pqcrypto-kyber's (snow): ML-KEM on the wire.
    assert_eq!(p.ekem().unwrap().registry(), "ML-KEM-512");
    assert_eq!(p.skem().unwrap().registry(), "ML-KEM-1024");
    assert_eq!(p.aead_registry(), "AES-256-GCM");
    assert_eq!(p.hash_registry(), "BLAKE2b");
    assert_eq!(p.dh_registry(), None);

    let p = ProtocolName::parse("Noise_pqXX_MLKEM768_ChaChaPoly_SHA256").unwrap();
    assert_eq!(p.ekem().unwrap().registry(), "ML-KEM-768");
    assert_eq!(p.skem().unwrap().registry(), "ML-KEM-768");

    let p = ProtocolName::parse("Noise_XXhfs+psk3_25519+Kyber1024_ChaChaPoly_SHA512").unwrap();
    assert_eq!(p.kind(), PatternKind::Classic);
    assert_eq!(p.modifiers(), &[Modifier::Hfs, Modifier::Psk(3)]);
    assert_eq!(p.dh_registry(), Some("X25519"));
    assert_eq!(p.ekem().unwrap().registry(), "ML-KEM-1024");
    assert!(p.skem().is_none());
    assert_eq!(p.aead_registry(), "ChaCha20-Poly1305");
    assert_eq!(p.hash_registry(), "SHA-512");
    assert_eq!(
        p.pattern().to_string(),
        "-> e, e1\n<- e, ee, ekem1, s, es\n-> s, se, psk"
    );

    let p =
        ProtocolName::parse("Noise_hybridXX_25519+MLKEM512+MLKEM1024_ChaChaPoly_SHA256").unwrap();
    assert_eq!(p.ekem().unwrap().registry(), "ML-KEM-512");
    assert_eq!(p.skem().unwrap().registry(), "ML-KEM-1024");
    assert_eq!(
        p.pattern().to_string(),
        "-> e\n<- ekem, e, ee, s, es\n-> skem, s, se\n<- skem"
    );
}

fn reason(name: &str) -> String {
    match ProtocolName::parse(name) {
        Err(HandshakeError::InvalidSuite { name: n, reason }) => {
            assert_eq!(n, name);
            reason
        }
        other => panic!("{name}: expected InvalidSuite, got {other:?}"),
    }
}

#[test]
fn bad_names_say_what_is_available() {
    // (name, a fragment the reason must contain)
    let cases = [
        ("Noise_ZZ_25519_ChaChaPoly_SHA256", "available: N, K, X, NN"),
        ("Noise_pqZZ_MLKEM768_ChaChaPoly_SHA256", "pqXX"),
        ("Noise_XX_448_ChaChaPoly_SHA256", "available: 25519"),
        ("Noise_XX_P256_ChaChaPoly_SHA256", "available: 25519"),
        (
            "Noise_XX_25519_XChaChaPoly_SHA256",
            "available: ChaChaPoly, AESGCM",
        ),
        (
            "Noise_XX_25519_ChaChaPoly_SHA3",
            "available: SHA256, SHA512, BLAKE2s, BLAKE2b",
        ),
        ("Noise_XXfoo_25519_ChaChaPoly_SHA256", "available: pskN"),
        ("Noise_XXfallback_25519_ChaChaPoly_SHA256", "fallback"),
        ("Noise_XXpsk9_25519_ChaChaPoly_SHA256", "psk0..psk3"),
        ("Noise_XXpsk01_25519_ChaChaPoly_SHA256", "leading zeros"),
        ("Noise_XXpsk_25519_ChaChaPoly_SHA256", "psk0, psk1"),
        ("Noise_XXpsk3+psk3_25519_ChaChaPoly_SHA256", "twice"),
        ("Noise_XXhfs_25519_ChaChaPoly_SHA256", "MLKEM512"),
        ("Noise_XX_25519+Kyber1024_ChaChaPoly_SHA256", "hfs"),
        ("Noise_Nhfs_25519+Kyber1024_ChaChaPoly_SHA256", "one-way"),
        ("Noise_pqXXhfs_MLKEM768_ChaChaPoly_SHA256", "classic"),
        (
            "Noise_pqXX_MLKEM768+MLKEM768+MLKEM768_ChaChaPoly_SHA256",
            "MLKEM768",
        ),
        ("Noise_hybridXX_25519_ChaChaPoly_SHA256", "MLKEM768"),
        ("Noise_pqXX_ML-KEM-768@libcrux_ChaChaPoly_SHA256", "backend"),
        ("Noise_XX_25519_ChaChaPoly", "five fields"),
        ("Noise_XX_25519_ChaChaPoly_SHA256_x", "five fields"),
        ("Noyse_XX_25519_ChaChaPoly_SHA256", "\"Noise\""),
        ("Noise_XX_25519+_ChaChaPoly_SHA256", "empty"),
        ("", "five fields"),
    ];
    for (name, fragment) in cases {
        let r = reason(name);
        assert!(r.contains(fragment), "{name}: {r}");
    }
}

#[test]
fn unknown_kem_is_reported_at_resolution_with_the_list() {
    let err =
        HandshakeBuilder::new("Noise_pqXX_FrodoKEM_ChaChaPoly_SHA256", &*REGISTRY).unwrap_err();
    match err {
        HandshakeError::InvalidSuite { reason, .. } => {
            assert!(reason.contains("ML-KEM-768"), "{reason}");
            assert!(reason.contains("MLKEM768"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}
