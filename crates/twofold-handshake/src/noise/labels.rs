//! Every fixed string and limit of the Noise engine, spelled exactly as the
//! specifications (or the deployed peers) spell them.
//!
//! Sources: the Noise Protocol Framework, revision 34 (2018-07-11), §§5, 8,
//! 12; the HFS extension (noise_hfs.md, revision 1); clatter 2.3 for the
//! PQNoise and hybrid names (there is no registry of Noise KEM names).

/// First field of every protocol name (rev 34 §8).
pub const PROTOCOL_PREFIX: &str = "Noise";

/// Pattern-name prefix of the PQNoise patterns (as clatter names them).
pub const PQ_PREFIX: &str = "pq";

/// Pattern-name prefix of clatter's hybrid (DH + KEM) patterns.
pub const HYBRID_PREFIX: &str = "hybrid";

/// The HFS pattern modifier (noise_hfs.md §5).
pub const HFS_MODIFIER: &str = "hfs";

/// Prefix of the PSK pattern modifiers `psk0`, `psk1`, ... (rev 34 §9.2).
pub const PSK_MODIFIER: &str = "psk";

/// Maximum size of any Noise message, handshake or transport (rev 34 §3).
pub const MAX_MESSAGE_LEN: usize = 65535;

/// Length of a pre-shared key (rev 34 §9.1).
pub const PSK_LEN: usize = 32;

/// Length of a cipher key (rev 34 §5.1: 32 bytes for every Noise cipher).
pub const CIPHER_KEY_LEN: usize = 32;

/// AEAD nonce length of both Noise ciphers (rev 34 §12.3, §12.4).
pub const CIPHER_NONCE_LEN: usize = 12;

/// Reserved nonce value (rev 34 §5.1: 2^64-1 is never used for a message;
/// REKEY uses it).
pub const MAX_NONCE: u64 = u64::MAX;

/// Noise name of the X25519 DH functions (rev 34 §12.1).
pub const DH_25519: &str = "25519";
/// Noise name of the X448 DH functions (rev 34 §12.2); recognised so that
/// the error can say it is not available.
pub const DH_448: &str = "448";

/// Noise cipher names (rev 34 §12.3, §12.4).
pub const CIPHER_CHACHAPOLY: &str = "ChaChaPoly";
/// AES-256-GCM.
pub const CIPHER_AESGCM: &str = "AESGCM";

/// Noise hash names (rev 34 §12.5-§12.8).
pub const HASH_SHA256: &str = "SHA256";
/// SHA-512.
pub const HASH_SHA512: &str = "SHA512";
/// BLAKE2s-256.
pub const HASH_BLAKE2S: &str = "BLAKE2s";
/// BLAKE2b-512.
pub const HASH_BLAKE2B: &str = "BLAKE2b";

/// Noise KEM names and the registry names they stand for.
///
/// * `MLKEM512/768/1024`: clatter's names for FIPS 203 ML-KEM.
/// * `Kyber512/768/1024`: the names of snow's `hfs` KEM (only `Kyber1024`)
///   and of earlier clatter releases, both backed by pqcrypto-kyber 0.8.
///   That crate is NOT round-3 Kyber: its PQClean sources are the FIPS 203
///   initial public draft, whose encapsulation and decapsulation are those
///   of final ML-KEM (only the unobservable seed-to-key derivation differs;
///   see twofold-primitives `kem/pqcrypto.rs`). On the wire these names are
///   therefore ML-KEM, and they resolve to it: live interop with snow
///   (tests/interop_snow.rs) fails with round-3 Kyber and passes with
///   ML-KEM-1024. Round-3 Kyber (libsignal's PQXDH KEM) has no Noise name.
pub const KEM_NAMES: &[(&str, &str)] = &[
    ("MLKEM512", "ML-KEM-512"),
    ("MLKEM768", "ML-KEM-768"),
    ("MLKEM1024", "ML-KEM-1024"),
    ("Kyber512", "ML-KEM-512"),
    ("Kyber768", "ML-KEM-768"),
    ("Kyber1024", "ML-KEM-1024"),
];

/// Noise cipher names and the registry names of the AEADs.
pub const CIPHER_NAMES: &[(&str, &str)] = &[
    (CIPHER_CHACHAPOLY, "ChaCha20-Poly1305"),
    (CIPHER_AESGCM, "AES-256-GCM"),
];

/// Noise hash names and the registry names of the hash functions.
pub const HASH_NAMES: &[(&str, &str)] = &[
    (HASH_SHA256, "SHA-256"),
    (HASH_SHA512, "SHA-512"),
    (HASH_BLAKE2S, "BLAKE2s"),
    (HASH_BLAKE2B, "BLAKE2b"),
];

/// Noise DH names and the registry names of the DH functions.
pub const DH_NAMES: &[(&str, &str)] = &[(DH_25519, "X25519")];
