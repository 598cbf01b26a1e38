//! Every constant of SPQR, spelled exactly as the deployed `spqr` crate v1.5.3
//! spells it (`src/chain.rs`, `src/authenticator.rs`,
//! `src/v1/unchunked/send_ct.rs`, `src/incremental_mlkem768.rs`,
//! `src/encoding/polynomial.rs`, `src/v1/chunked/states/serialize.rs`).
//!
//! The labels are ASCII and their spacing matters: the chain's start label
//! has two spaces before `Start`.

// ---------------------------------------------------------------------------
// Chain KDF labels (`src/chain.rs`)
// ---------------------------------------------------------------------------

/// HKDF info of `Chain::new`: `HKDF(0^32, auth_key, CHAIN_START, 96)`.
/// Two spaces before `Start`, as deployed.
pub const CHAIN_START: &[u8] = b"Signal PQ Ratchet V1 Chain  Start";

/// HKDF info of `add_epoch`: `HKDF(next_root, epoch_secret, CHAIN_ADD_EPOCH, 96)`.
pub const CHAIN_ADD_EPOCH: &[u8] = b"Signal PQ Ratchet V1 Chain Add Epoch";

/// HKDF info suffix of each chain step: `info = BE32(ctr) || CHAIN_NEXT`.
pub const CHAIN_NEXT: &[u8] = b"Signal PQ Ratchet V1 Chain Next";

// ---------------------------------------------------------------------------
// Braid (CKA) labels: `Signal_PQCKA_V1_MLKEM768` prefix, BE64 epoch suffix
// ---------------------------------------------------------------------------

/// The protocol name every Braid label starts with.
pub const PROTOCOL: &[u8] = b"Signal_PQCKA_V1_MLKEM768";

/// HKDF info prefix of the epoch secret: `info = SCKA_KEY || BE64(epoch)`
/// (`src/v1/unchunked/send_ct.rs`, `send_ek.rs`).
pub const SCKA_KEY: &[u8] = b"Signal_PQCKA_V1_MLKEM768:SCKA Key";

/// HKDF info prefix of the authenticator update:
/// `info = AUTHENTICATOR_UPDATE || BE64(epoch)` (`src/authenticator.rs`).
pub const AUTHENTICATOR_UPDATE: &[u8] = b"Signal_PQCKA_V1_MLKEM768:Authenticator Update";

/// HMAC input prefix of the header MAC: `EK_HEADER || BE64(epoch) || hdr`.
pub const EK_HEADER: &[u8] = b"Signal_PQCKA_V1_MLKEM768:ekheader";

/// HMAC input prefix of the ciphertext MAC: `CIPHERTEXT || BE64(epoch) || ct1 || ct2`.
pub const CIPHERTEXT: &[u8] = b"Signal_PQCKA_V1_MLKEM768:ciphertext";

// ---------------------------------------------------------------------------
// Sizes (bytes)
// ---------------------------------------------------------------------------

/// Length of every SPQR key: auth key, root and MAC keys, chain keys,
/// message keys, epoch secrets.
pub const KEY_LEN: usize = 32;

/// ML-KEM-768 header: `rho (32) || H(ek) (32)`.
pub const HDR_LEN: usize = 64;

/// ML-KEM-768 encapsulation key vector `ByteEncode12(t_hat)`.
pub const EK_VECTOR_LEN: usize = 1152;

/// First ciphertext half (compressed `u`).
pub const CT1_LEN: usize = 960;

/// Second ciphertext half (compressed `v`).
pub const CT2_LEN: usize = 128;

/// Header and ciphertext MACs: full HMAC-SHA256 output.
pub const MAC_LEN: usize = 32;

/// Data bytes in one erasure-code chunk (16 GF(2^16) symbols).
pub const CHUNK_DATA_LEN: usize = 32;

/// The header as sent: `hdr || mac` (3 chunks).
pub const HDR_WITH_MAC_LEN: usize = HDR_LEN + MAC_LEN;

/// The second ciphertext half as sent: `ct2 || mac` (5 chunks).
pub const CT2_WITH_MAC_LEN: usize = CT2_LEN + MAC_LEN;

// ---------------------------------------------------------------------------
// Chain limits (`src/chain.rs`, `ChainParams::default`)
// ---------------------------------------------------------------------------

/// Largest distance a received key index may lie ahead of the chain
/// (libsignal's `MAX_FORWARD_JUMPS`).
pub const MAX_JUMP: u32 = 25_000;

/// How far behind the chain a skipped key is still kept (libsignal's
/// `MAX_MESSAGE_KEYS`).
pub const MAX_OOO_KEYS: u32 = 2_000;

/// Epochs kept before the current sending epoch, for late messages.
pub const EPOCHS_KEPT_BEFORE_SEND_EPOCH: usize = 1;

// ---------------------------------------------------------------------------
// Wire (`src/v1/chunked/states/serialize.rs`, `src/lib.rs`)
// ---------------------------------------------------------------------------

/// Version byte of a V1 SPQR message. An empty message (or version byte 0)
/// is V0: no SPQR.
pub const WIRE_VERSION_V1: u8 = 0x01;

/// Longest LEB128 varint of a `u64`.
pub const MAX_VARINT_LEN: usize = 10;
