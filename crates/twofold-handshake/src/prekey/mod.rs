//! The asynchronous prekey handshakes, X3DH and PQXDH: one engine.
//!
//! PQXDH is X3DH plus one KEM encapsulation whose shared secret `SS` is
//! appended to the key material, so one engine, [`PrekeyHandshake`], runs
//! both protocols in both profiles; [`crate::x3dh`] and [`crate::pqxdh`] are
//! the profiles' suite lists and constructors.
//!
//! Step names follow the specifications (X3DH §3.3, PQXDH §3.3):
//! ```text
//! DH1 = DH(IK_A, SPK_B)   DH2 = DH(EK_A, IK_B)   DH3 = DH(EK_A, SPK_B)
//! DH4 = DH(EK_A, OPK_B)   (if a one-time prekey was used)
//! (CT, SS) = PQKEM-ENC(PQPK_B)                    (PQXDH)
//! KM  = DH1 || DH2 || DH3 [|| DH4] [|| SS]
//! IKM = F || KM                                   (F = 0xFF × 32 for X25519)
//! OKM = HKDF(hash, salt = zeros(hash len), IKM, info, L)
//! AD  = EncodeEC(IK_A) || EncodeEC(IK_B)
//! ```
//! spec: `L = 32` and `SK = OKM`; signal: `L = 96` (PQXDH: `RK || CK ||
//! PQRK`) or `L = 64` (legacy X3DH: `RK || CK`).
//!
//! Randomness drawn by the initiator, in order: `EK_A coins` (the curve's
//! secret key, 32 bytes for X25519), then `CT coins` (the KEM's
//! encapsulation coins). [`Initiator::initiate_derand`] takes both
//! explicitly instead.
//!
//! Every step is reported to the caller's [`twofold_core::Observer`] under
//! the names above (and `IK_A secret`, `SPK_B secret`, ... for secret keys,
//! `K_init`, `payload`, `initial message`), with the names it was derived
//! from: the run's derivation graph.

mod engine;
mod suite;
mod wire;

pub use engine::{Accepted, Initiated, Initiator, InitiatorCoins, OneTimePrekeys, SessionSecret};
pub use suite::{PrekeySuite, Profile, Protocol};
pub use wire::InitialMessage;

use twofold_core::{Aead, CryptoRng, Kdf, Resolver};

use crate::bundle::{BundleParams, IdentityKeyPair, KeyEncoding, PrekeyStore};
use crate::labels;
use crate::{HandshakeError, Result};
use suite::invalid;
use wire::Format;

/// A resolved X3DH or PQXDH suite: everything a handshake needs.
pub struct PrekeyHandshake {
    suite: PrekeySuite,
    /// The suite as parsed and printed back (backends included).
    name: String,
    /// The suite without backends.
    algorithms: String,
    format: Format,
    kdf: &'static dyn Kdf,
    /// Spec profile only: the AEAD of the initial payload.
    aead: Option<&'static dyn Aead>,
    /// The HKDF info actually used.
    info: Vec<u8>,
    /// Spec PQXDH: `"_" || curve || "_" || hash || "_" || pqkem`, appended to
    /// the application info.
    info_suffix: Vec<u8>,
    okm_len: usize,
}

impl core::fmt::Debug for PrekeyHandshake {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrekeyHandshake")
            .field("suite", &self.name)
            .field("params", &self.format.params)
            .field("kdf", &self.kdf.id())
            .finish()
    }
}

/// Turns a resolver failure into an `InvalidSuite` that keeps its list of
/// available implementations.
fn resolve<T>(suite: &str, r: twofold_core::Result<T>) -> Result<T> {
    r.map_err(|e| invalid(suite, e.to_string()))
}

fn spec_kem_type(suite: &str, kem: &str) -> Result<u8> {
    labels::SPEC_KEM_TYPES
        .iter()
        .find(|(n, _)| *n == kem)
        .map(|(_, t)| *t)
        .ok_or_else(|| invalid(suite, format!("KEM {kem:?} has no spec-profile encoding")))
}

impl PrekeyHandshake {
    /// Parses an `X3DH_...` or `PQXDH_...` suite and resolves its primitives
    /// through `resolver`.
    pub fn new(suite: &str, resolver: &dyn Resolver) -> Result<Self> {
        Self::from_suite(PrekeySuite::parse(suite)?, resolver)
    }

    /// As [`Self::new`], insisting on `protocol`.
    pub(crate) fn new_for(
        protocol: Protocol,
        suite: &str,
        resolver: &dyn Resolver,
    ) -> Result<Self> {
        let parsed = PrekeySuite::parse(suite)?;
        if parsed.protocol != protocol {
            return Err(invalid(
                suite,
                format!(
                    "not a {} suite (it names {})",
                    protocol.as_str(),
                    parsed.protocol.as_str()
                ),
            ));
        }
        Self::from_suite(parsed, resolver)
    }

    /// Resolves the primitives of a parsed suite.
    pub fn from_suite(suite: PrekeySuite, resolver: &dyn Resolver) -> Result<Self> {
        let name = suite.to_string();
        let dh = resolve(&name, resolver.dh(&suite.curve.to_string()))?;
        let kdf = resolve(&name, resolver.kdf(&suite.kdf_name()))?;
        let expected_prk = if suite.hash.algorithm == "SHA-512" {
            64
        } else {
            32
        };
        if kdf.prk_len() != expected_prk {
            return Err(invalid(
                &name,
                format!(
                    "{} does not have the output length of {}",
                    kdf.id(),
                    suite.hash.algorithm
                ),
            ));
        }
        let profile = suite.profile;
        let signature = resolve(
            &name,
            resolver.signature(match profile {
                Profile::Spec => labels::SPEC_SIGNATURE,
                Profile::Signal => labels::SIGNAL_SIGNATURE,
            }),
        )?;
        let kem = match &suite.kem {
            Some(k) => Some(resolve(&name, resolver.kem(&k.to_string()))?),
            None => None,
        };
        let kem_type = match (&suite.kem, profile) {
            (None, _) => None,
            (Some(_), Profile::Signal) => Some(labels::SIGNAL_TYPE_KYBER1024),
            (Some(k), Profile::Spec) => Some(spec_kem_type(&name, &k.algorithm)?),
        };
        let ec_type = match profile {
            Profile::Spec => labels::SPEC_TYPE_X25519,
            Profile::Signal => labels::SIGNAL_TYPE_X25519,
        };
        let aead = match profile {
            Profile::Spec => Some(resolve(&name, resolver.aead(labels::SPEC_AEAD))?),
            Profile::Signal => None,
        };
        let (info, info_suffix, okm_len) = match (profile, suite.protocol) {
            (Profile::Spec, Protocol::X3dh) => (
                labels::DEFAULT_INFO.to_vec(),
                Vec::new(),
                labels::SPEC_SK_LEN,
            ),
            (Profile::Spec, Protocol::Pqxdh) => {
                let mut suffix = Vec::new();
                for p in [&suite.curve, &suite.hash]
                    .into_iter()
                    .chain(suite.kem.as_ref())
                {
                    suffix.push(labels::PQXDH_INFO_SEPARATOR);
                    suffix.extend_from_slice(p.algorithm.as_bytes());
                }
                let mut info = labels::DEFAULT_INFO.to_vec();
                info.extend_from_slice(&suffix);
                (info, suffix, labels::SPEC_SK_LEN)
            }
            (Profile::Signal, Protocol::X3dh) => (
                labels::SIGNAL_X3DH_LABEL.to_vec(),
                Vec::new(),
                labels::SIGNAL_X3DH_OKM_LEN,
            ),
            (Profile::Signal, Protocol::Pqxdh) => (
                labels::SIGNAL_PQXDH_LABEL.to_vec(),
                Vec::new(),
                labels::SIGNAL_PQXDH_OKM_LEN,
            ),
        };
        let algorithms = suite.algorithms();
        Ok(Self {
            format: Format {
                protocol: suite.protocol,
                profile,
                params: BundleParams {
                    dh,
                    signature,
                    kem,
                    encoding: KeyEncoding { ec_type, kem_type },
                },
            },
            suite,
            name,
            algorithms,
            kdf,
            aead,
            info,
            info_suffix,
            okm_len,
        })
    }

    /// Sets the application `info` of the spec profile (non-empty ASCII);
    /// for PQXDH the KDF info becomes `info || "_" || curve || "_" || hash ||
    /// "_" || pqkem`. The signal profile refuses: its label is fixed by the
    /// deployment.
    pub fn with_info(mut self, info: &[u8]) -> Result<Self> {
        if self.format.profile == Profile::Signal {
            return Err(HandshakeError::Misuse(
                "the signal profile's KDF label is fixed",
            ));
        }
        if info.is_empty() || !info.is_ascii() {
            return Err(HandshakeError::Misuse("info must be non-empty ASCII"));
        }
        let mut full = info.to_vec();
        full.extend_from_slice(&self.info_suffix);
        self.info = full;
        Ok(self)
    }

    /// The parsed suite.
    pub fn suite(&self) -> &PrekeySuite {
        &self.suite
    }

    /// The suite as parsed and printed back (backends included).
    pub fn suite_name(&self) -> &str {
        &self.name
    }

    /// X3DH or PQXDH.
    pub fn protocol(&self) -> Protocol {
        self.format.protocol
    }

    /// `spec` or `signal`.
    pub fn profile(&self) -> Profile {
        self.format.profile
    }

    /// The HKDF info this handshake uses.
    pub fn kdf_info(&self) -> &[u8] {
        &self.info
    }

    /// The primitives and encodings of this suite's bundles.
    pub fn bundle_params(&self) -> BundleParams {
        self.format.params
    }

    /// A new identity key pair on this suite's curve.
    pub fn generate_identity(&self, rng: &mut dyn CryptoRng) -> Result<IdentityKeyPair> {
        IdentityKeyPair::generate(self.format.params.dh, rng)
    }

    /// An empty prekey store for `identity` with this suite's parameters.
    pub fn new_store(&self, identity: IdentityKeyPair) -> Result<PrekeyStore> {
        PrekeyStore::new(self.format.params, identity)
    }

    /// Encodes an initial message in this suite's wire format.
    pub fn encode_message(&self, msg: &InitialMessage) -> Result<Vec<u8>> {
        wire::encode(&self.format, msg)
    }

    /// Decodes (and checks) an initial message in this suite's wire format.
    pub fn decode_message(&self, bytes: &[u8]) -> Result<InitialMessage> {
        wire::decode(&self.format, bytes)
    }

    fn has_kem(&self) -> bool {
        self.format.protocol == Protocol::Pqxdh
    }

    /// Largest payload `initiate` accepts (the wire limit minus the tag).
    fn max_plaintext(&self) -> usize {
        labels::MAX_PAYLOAD_LEN.saturating_sub(self.aead.map_or(0, |a| a.tag_len()))
    }
}
