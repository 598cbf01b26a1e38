//! Every constant that enters a derivation, an encoding or a signature in
//! the X3DH / PQXDH / safety-number code, spelled exactly as the spec or the
//! deployment spells it (one `labels` module per crate).
//!
//! Sources: the X3DH specification (revision 1, 2016-11-04), the PQXDH
//! specification (Kret and Schmidt, revision 1 of 2023-05-24), what
//! libsignal deploys (`rust/protocol/src/pqxdh.rs`, `kem.rs`, `protocol.rs`,
//! `rust/core/src/curve.rs`), and libsignal `rust/protocol/src/fingerprint.rs`
//! (safety numbers); all read for facts, none copied.

// ---------------------------------------------------------------------------
// KDF inputs shared by both profiles
// ---------------------------------------------------------------------------

/// `F` for curve25519: 32 bytes of `0xFF` prefixed to the key material so
/// that the KDF input can never collide with an XEdDSA hash input
/// (X3DH §2.2 / PQXDH §2.2; libsignal's "discontinuity bytes").
pub const F_X25519: [u8; 32] = [0xFF; 32];

/// Length of the spec profiles' `SK` (X3DH §2.2, PQXDH §2.2: 32 bytes).
pub const SPEC_SK_LEN: usize = 32;

/// Application `info` used by the spec profiles when the caller sets none.
/// The spec asks each application for its own ASCII identifier; at least 8
/// bytes as PQXDH revision 1 recommends.
pub const DEFAULT_INFO: &[u8] = b"twofold-v1";

/// Separator of the PQXDH spec `info` string:
/// `info || "_" || curve || "_" || hash || "_" || pqkem` (PQXDH §2.2).
pub const PQXDH_INFO_SEPARATOR: u8 = b'_';

// ---------------------------------------------------------------------------
// libsignal (`signal` profile)
// ---------------------------------------------------------------------------

/// libsignal's PQXDH HKDF info (`HandshakeKeys::derive` in
/// `rust/protocol/src/pqxdh.rs`).
pub const SIGNAL_PQXDH_LABEL: &[u8] = b"WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024";

/// libsignal's PQXDH output length: RK (32) || CK (32) || SPQR auth key (32).
pub const SIGNAL_PQXDH_OKM_LEN: usize = 96;

/// libsignal's legacy (message version 3) X3DH HKDF info (`rust/protocol/src/ratchet.rs`
/// before PQXDH).
pub const SIGNAL_X3DH_LABEL: &[u8] = b"WhisperText";

/// libsignal's legacy X3DH output length: RK (32) || CK (32).
pub const SIGNAL_X3DH_OKM_LEN: usize = 64;

/// Length of each of RK, CK and the PQ-ratchet auth key in the signal profile.
pub const SIGNAL_KEY_LEN: usize = 32;

/// libsignal's curve key type byte (`KeyType::Djb`, `rust/core/src/curve.rs`).
pub const SIGNAL_TYPE_X25519: u8 = 0x05;

/// libsignal's KEM key type byte for round-3 Kyber-1024 (`kem.rs`).
pub const SIGNAL_TYPE_KYBER1024: u8 = 0x08;

/// PreKeySignalMessage version byte of PQXDH (message version 4):
/// `(4 << 4) | 4` (libsignal `rust/protocol/src/protocol.rs`).
pub const SIGNAL_VERSION_PQXDH: u8 = 0x44;

/// PreKeySignalMessage version byte of legacy X3DH (message version 3).
pub const SIGNAL_VERSION_X3DH: u8 = 0x33;

/// Signature scheme of the signal profile: XEdDSA as libsignal's
/// `rust/core/src/curve/curve25519.rs` computes it.
pub const SIGNAL_SIGNATURE: &str = "XEdDSA-signal";

// ---------------------------------------------------------------------------
// twofold's own choices for the `spec` profile
// ---------------------------------------------------------------------------

/// Signature scheme of the spec profile (XEdDSA as published).
pub const SPEC_SIGNATURE: &str = "XEdDSA";

/// AEAD that protects the initial payload in the spec profile.
pub const SPEC_AEAD: &str = "ChaCha20-Poly1305";

/// HKDF info of the key that encrypts the spec profile's initial payload:
/// `K_init = HKDF(hash, salt = zeros(hash len), IKM = SK, info = this)`.
/// The key is used for exactly one message, so its nonce is all zeros.
pub const SPEC_PAYLOAD_KEY_LABEL: &[u8] = b"twofold XDH v1 initial payload key";

/// First byte of a spec-profile X3DH initial message (wire format version 1).
pub const SPEC_MESSAGE_X3DH: u8 = 0x03;

/// First byte of a spec-profile PQXDH initial message (wire format version 1).
pub const SPEC_MESSAGE_PQXDH: u8 = 0x04;

/// Spec-profile `EncodeEC` type byte of X25519 (twofold's choice; the spec
/// leaves the byte to the implementer).
pub const SPEC_TYPE_X25519: u8 = 0x11;

/// Spec-profile `EncodeKEM` type bytes (twofold's choice), by KEM name.
/// A KEM not in this table has no spec-profile encoding.
pub const SPEC_KEM_TYPES: &[(&str, u8)] = &[
    ("ML-KEM-512", 0x21),
    ("ML-KEM-768", 0x22),
    ("ML-KEM-1024", 0x23),
    ("Kyber512", 0x31),
    ("Kyber768", 0x32),
    ("Kyber1024", 0x33),
    ("X-Wing", 0x41),
];

/// Largest initial payload (spec: AEAD ciphertext; signal: the opaque
/// SignalMessage) accepted from a peer, in bytes.
pub const MAX_PAYLOAD_LEN: usize = 1 << 16;

// ---------------------------------------------------------------------------
// Safety numbers
// ---------------------------------------------------------------------------

/// libsignal's fingerprint version prefix: the 16-bit big-endian value 0.
pub const SIGNAL_FINGERPRINT_VERSION: [u8; 2] = [0x00, 0x00];

/// libsignal's (and Signal's apps') iteration count for safety numbers.
pub const SIGNAL_FINGERPRINT_ITERATIONS: u32 = 5200;

/// Domain label of twofold's hybrid safety number (version 1).
pub const TWOFOLD_FINGERPRINT_LABEL: &[u8] = b"twofold safety number v1";
