//! PQXDH (Signal; Kret & Schmidt), in two labelled profiles, on the shared
//! prekey engine ([`crate::prekey`]).
//!
//! * `spec` (`PQXDH_spec_X25519_<SHA-256|SHA-512>_<kem>`): the published
//!   text, generic over the hash and the KEM (any KEM with a spec-profile
//!   type byte, [`crate::labels::SPEC_KEM_TYPES`]):
//!   `SK = HKDF(hash, salt = zeros(hash len), IKM = 0xFF×32 || DH1 || DH2 ||
//!   DH3 [|| DH4] || SS, info || "_" || curve || "_" || hash || "_" || pqkem, 32)`,
//!   with the suite's names as the string representations (e.g.
//!   `twofold-v1_X25519_SHA-512_ML-KEM-1024`); XEdDSA signatures over
//!   `EncodeEC` / `EncodeKEM`; the initial payload sealed with
//!   ChaCha20-Poly1305 under `K_init` and `AD`.
//! * `signal` (`PQXDH_signal_X25519_SHA-256_Kyber1024`): what libsignal
//!   deploys (`rust/protocol/src/pqxdh.rs`, `kem.rs`, `session.rs`): round-3
//!   Kyber-1024 (`0x08`), X25519 (`0x05`), XEdDSA-signal over the prefixed
//!   encodings, HKDF-SHA256 with no salt and info
//!   `WhisperText_X25519_SHA-256_CRYSTALS-KYBER-1024`, 96 bytes = root key
//!   || chain key || PQ-ratchet auth key, PreKeySignalMessage `0x44`, the
//!   payload (libsignal's inner SignalMessage) carried opaque.

use twofold_core::Resolver;

use crate::Result;
use crate::prekey::{PrekeyHandshake, Protocol};

/// The named PQXDH suites (for `twofold list`). Any KEM in
/// [`crate::labels::SPEC_KEM_TYPES`] also works in the spec profile.
pub const SUITES: &[&str] = &[
    "PQXDH_signal_X25519_SHA-256_Kyber1024",
    "PQXDH_spec_X25519_SHA-256_Kyber1024",
    "PQXDH_spec_X25519_SHA-512_Kyber1024",
    "PQXDH_spec_X25519_SHA-256_ML-KEM-768",
    "PQXDH_spec_X25519_SHA-512_ML-KEM-768",
    "PQXDH_spec_X25519_SHA-256_ML-KEM-1024",
    "PQXDH_spec_X25519_SHA-512_ML-KEM-1024",
    "PQXDH_spec_X25519_SHA-256_X-Wing",
    "PQXDH_spec_X25519_SHA-512_X-Wing",
];

/// The named PQXDH suites (for `twofold list`).
pub fn suites() -> &'static [&'static str] {
    SUITES
}

/// Parses a `PQXDH_<profile>_<curve>_<hash>_<kem>` suite and resolves its
/// primitives through `resolver`.
pub fn new(suite: &str, resolver: &dyn Resolver) -> Result<PrekeyHandshake> {
    PrekeyHandshake::new_for(Protocol::Pqxdh, suite, resolver)
}
