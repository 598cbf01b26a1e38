//! Every constant of the Double Ratchet and its profiles, spelled as the
//! specification or the deployment spells it (the SPQR constants are in
//! [`crate::spqr::labels`]).
//!
//! Sources: the Double Ratchet specification (Perrin, Marlinspike, Schmidt,
//! revision 3, 2025-09-26: §2.2-§2.4 KDF chains, §3 the ratchet, §4 header
//! encryption, §6 the Triple Ratchet) and libsignal's
//! `rust/protocol/src/ratchet/keys.rs`, `consts.rs`, `protocol.rs` (what it
//! deploys).

// ---------------------------------------------------------------------------
// libsignal (`signal` profile)
// ---------------------------------------------------------------------------

/// HKDF info of libsignal's root KDF (`RootKey::create_chain`):
/// `HKDF-SHA256(salt = RK, ikm = DH, info, 64) = RK' || CK`.
pub const SIGNAL_ROOT_INFO: &[u8] = b"WhisperRatchet";

/// HKDF info of libsignal's message keys (`MessageKeys::derive_keys`):
/// `HKDF-SHA256(salt = SPQR key or none, ikm = seed, info, 80)`.
pub const SIGNAL_MESSAGE_KEYS_INFO: &[u8] = b"WhisperMessageKeys";

/// `ChainKey::MESSAGE_KEY_SEED`: `seed = HMAC-SHA256(CK, 0x01)`.
pub const MESSAGE_KEY_SEED: [u8; 1] = [0x01];

/// `ChainKey::CHAIN_KEY_SEED`: `CK' = HMAC-SHA256(CK, 0x02)`.
pub const CHAIN_KEY_SEED: [u8; 1] = [0x02];

/// SignalMessage version byte of message version 4: `(4 << 4) | 4`.
pub const SIGNAL_VERSION_BYTE: u8 = 0x44;

/// SignalMessage version byte of message version 3 (X3DH sessions):
/// `(3 << 4) | 3`.
pub const SIGNAL_VERSION_BYTE_V3: u8 = 0x33;

/// libsignal's `MAC_LENGTH`: the SignalMessage MAC is the first 8 bytes of
/// HMAC-SHA256.
pub const SIGNAL_MAC_LEN: usize = 8;

/// libsignal's curve key type byte (`0x05 || X25519 u`).
pub const SIGNAL_TYPE_X25519: u8 = 0x05;

/// `MAX_FORWARD_JUMPS`: how far ahead of its chain a message may be.
pub const SIGNAL_MAX_FORWARD_JUMPS: u32 = 25_000;

/// `MAX_MESSAGE_KEYS`: skipped message keys kept per receiving chain.
pub const SIGNAL_MAX_MESSAGE_KEYS: usize = 2_000;

/// `MAX_RECEIVER_CHAINS`: receiving chains kept.
pub const SIGNAL_MAX_RECEIVER_CHAINS: usize = 5;

/// Length of libsignal's message-key output: cipher key 32, MAC key 32, IV 16.
pub const SIGNAL_MESSAGE_KEYS_LEN: usize = 80;

/// Length of the `addresses` field (sender ServiceId 17 || device 1 ||
/// recipient ServiceId 17 || device 1).
pub const SIGNAL_ADDRESSES_LEN: usize = 36;

// ---------------------------------------------------------------------------
// twofold's own choices for the research profiles
// ---------------------------------------------------------------------------

/// HKDF info of the research profiles' root KDF (the specification asks for
/// an application-specific value distinct from every other HKDF use).
pub const ROOT_INFO: &[u8] = b"twofold ratchet v1 root";

/// HKDF info of the root KDF with header encryption (three outputs: root
/// key, chain key, next header key; Double Ratchet §4.2 `KDF_RK_HE`).
pub const ROOT_INFO_HE: &[u8] = b"twofold ratchet v1 root with header keys";

/// HKDF info of the research profiles' message keys: the AEAD key and nonce
/// of one message from its seed.
pub const MESSAGE_KEYS_INFO: &[u8] = b"twofold ratchet v1 message keys";

/// HKDF info of the initial header keys of the header-encryption variant
/// (`shared_hka`, `shared_nhkb` of §4.1, derived from the session secret).
pub const INITIAL_HEADER_KEYS_INFO: &[u8] = b"twofold ratchet v1 initial header keys";

/// HKDF info that splits a handshake's one secret into the root key and the
/// PQ-ratchet key of the twofold-profile Triple Ratchet (for handshakes that,
/// unlike libsignal's PQXDH, derive a single `SK`).
pub const TRIPLE_KEYS_INFO: &[u8] = b"twofold ratchet v1 triple root and PQ key";

/// First byte of a research-profile message (format version 1).
pub const TWOFOLD_MESSAGE_V1: u8 = 0x01;

/// First byte of a research-profile message with an encrypted header.
pub const TWOFOLD_MESSAGE_V1_HE: u8 = 0x02;

/// Default forward jump of the research profiles (as libsignal's).
pub const MAX_SKIP: u32 = SIGNAL_MAX_FORWARD_JUMPS;

/// Default skipped keys kept per receiving chain (as libsignal's).
pub const MAX_STORED_KEYS: usize = SIGNAL_MAX_MESSAGE_KEYS;

/// Default receiving chains kept (as libsignal's).
pub const MAX_RECEIVING_CHAINS: usize = SIGNAL_MAX_RECEIVER_CHAINS;

/// Largest plaintext a message may carry.
pub const MAX_PLAINTEXT_LEN: usize = 1 << 20;
