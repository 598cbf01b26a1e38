//! X3DH (Signal, revision 1, 2016-11-04), in two labelled profiles, on the
//! shared prekey engine ([`crate::prekey`]).
//!
//! * `spec` (`X3DH_spec_X25519_SHA-256`, `X3DH_spec_X25519_SHA-512`): the
//!   published text. `SK = HKDF(hash, salt = zeros(hash len),
//!   IKM = 0xFF×32 || DH1 || DH2 || DH3 [|| DH4], info, 32)` with the
//!   application's `info` (default [`crate::labels::DEFAULT_INFO`]), XEdDSA
//!   prekey signatures, `EncodeEC` type byte `0x11`, and an initial payload
//!   sealed with ChaCha20-Poly1305 under `K_init` (derived from `SK`, see
//!   [`crate::labels::SPEC_PAYLOAD_KEY_LABEL`]) and `AD`.
//! * `signal` (`X3DH_signal_X25519_SHA-256`): libsignal's legacy message
//!   version 3: same key material, HKDF-SHA256 with info `"WhisperText"`
//!   expanded to 64 bytes = root key || chain key, `0x05`-prefixed keys,
//!   XEdDSA-signal signatures, PreKeySignalMessage version byte `0x33`, the
//!   payload carried opaque.
//!
//! Usage: Bob fills a [`crate::bundle::PrekeyStore`] and publishes its bundle
//! on a [`crate::bundle::PrekeyServer`]; Alice fetches a bundle, calls
//! [`PrekeyHandshake::initiator`] (which verifies the signatures) and
//! [`crate::prekey::Initiator::initiate`]; Bob calls [`PrekeyHandshake::accept`].

use twofold_core::Resolver;

use crate::Result;
use crate::prekey::{PrekeyHandshake, Protocol};

/// The named X3DH suites (for `twofold list`).
pub const SUITES: &[&str] = &[
    "X3DH_spec_X25519_SHA-256",
    "X3DH_spec_X25519_SHA-512",
    "X3DH_signal_X25519_SHA-256",
];

/// The named X3DH suites (for `twofold list`).
pub fn suites() -> &'static [&'static str] {
    SUITES
}

/// Parses an `X3DH_<profile>_<curve>_<hash>` suite and resolves its
/// primitives through `resolver`.
pub fn new(suite: &str, resolver: &dyn Resolver) -> Result<PrekeyHandshake> {
    PrekeyHandshake::new_for(Protocol::X3dh, suite, resolver)
}
