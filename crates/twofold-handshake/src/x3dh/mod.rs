//! X3DH (Signal, revision 1, 2016-11-04), in two labelled profiles.
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
//! Usage: Bob fills a [`crate::bundle::PrekeyStore`] and publishes its bundle on a
//! [`crate::bundle::PrekeyServer`]; Alice fetches a bundle, calls
//! [`Xdh::initiator`] (which verifies the signatures) and
//! [`Initiator::initiate`]; Bob calls [`Xdh::accept`].
//! The shared engine and the message formats are in `engine` and `wire`.

mod engine;
mod suite;
mod wire;

pub use engine::{Accepted, Initiated, Initiator, SessionSecret};
pub use suite::{Part, Profile, X3dhSuite};
pub use wire::InitialMessage;

pub use engine::Xdh;
pub(crate) use engine::{Protocol, spec_kems};
pub(crate) use suite::{curves, hashes, invalid, parse_part, parse_profile, restriction};

use twofold_core::Resolver;

use crate::Result;

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

/// A resolved X3DH suite.
pub struct X3dh {
    suite: X3dhSuite,
    inner: Xdh,
}

impl core::fmt::Debug for X3dh {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("X3dh")
            .field("suite", &self.inner.name)
            .field("params", &self.inner.params)
            .field("kdf", &self.inner.kdf.id())
            .finish()
    }
}

/// The shared operations (bundles, initiation, acceptance, encodings).
impl core::ops::Deref for X3dh {
    type Target = Xdh;
    fn deref(&self) -> &Xdh {
        &self.inner
    }
}

impl X3dh {
    /// Parses `suite` and resolves its primitives through `resolver`.
    pub fn new(suite: &str, resolver: &dyn Resolver) -> Result<Self> {
        let parsed = X3dhSuite::parse(suite)?;
        let inner = Xdh::new(
            parsed.to_string(),
            Protocol::X3dh,
            parsed.profile,
            &parsed.curve,
            &parsed.hash,
            None,
            resolver,
        )?;
        Ok(Self {
            suite: parsed,
            inner,
        })
    }

    /// Sets the application `info` of the spec profile (non-empty ASCII).
    /// The signal profile refuses: its label is fixed.
    pub fn with_info(mut self, info: &[u8]) -> Result<Self> {
        self.inner.set_info(info)?;
        Ok(self)
    }

    /// The parsed suite.
    pub fn suite(&self) -> &X3dhSuite {
        &self.suite
    }
}
