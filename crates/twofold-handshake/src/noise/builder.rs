//! Configuring a handshake from a protocol name, and `Initialize()`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use twofold_core::{Obs, Observer, Resolver, SecretBytes};

use super::labels::PSK_LEN;
use super::name::{ProtocolName, Suite};
use super::pattern::{PatternKind, Role, Token};
use super::state::HandshakeState;
use super::symmetric::{CipherState, SymmetricState};
use super::tokens::{Config, Dynamic, Keys};
use crate::{HandshakeError, Result};

/// A public key and its secret key.
pub(crate) struct KeyPair {
    pub(crate) public: Vec<u8>,
    pub(crate) secret: SecretBytes,
}

impl KeyPair {
    /// A DH key pair from its secret key (`what` names it in errors).
    fn dh(dh: &dyn twofold_core::Dh, what: &'static str, secret: &[u8]) -> Result<Self> {
        twofold_core::check_len(what, secret, dh.sizes().sk)?;
        Ok(Self {
            public: dh.public_key(secret)?,
            secret: SecretBytes::from_slice(secret),
        })
    }

    /// A KEM key pair given by the caller. The secret key is checked here,
    /// once ([`twofold_core::Kem::check_secret_key`]), so that every
    /// handshake using it decapsulates without checking it again.
    fn kem(
        kem: &dyn twofold_core::Kem,
        [what_pk, what_sk]: [&'static str; 2],
        public: &[u8],
        secret: &[u8],
    ) -> Result<Self> {
        let sizes = kem.sizes();
        twofold_core::check_len(what_pk, public, sizes.pk)?;
        twofold_core::check_len(what_sk, secret, sizes.sk)?;
        kem.check_secret_key(secret)?;
        Ok(Self {
            public: public.to_vec(),
            secret: SecretBytes::from_slice(secret),
        })
    }

    pub(crate) fn duplicate(&self) -> Self {
        Self {
            public: self.public.clone(),
            secret: self.secret.duplicate(),
        }
    }
}

/// Configures a handshake from a protocol name.
///
/// ```text
/// let hs = HandshakeBuilder::new("Noise_XXhfs_25519+Kyber1024_ChaChaPoly_SHA256", &REGISTRY)?
///     .local_static_dh(my_x25519_secret)?
///     .prologue(b"app v1")
///     .build(Role::Initiator, &mut Off)?;
/// ```
pub struct HandshakeBuilder {
    // Shared, not copied, by `duplicate` and every state built from it.
    name: Arc<ProtocolName>,
    // The canonical spelling hashed by `Initialize()`, rendered once.
    protocol_name: Arc<str>,
    suite: Suite,
    prologue: Vec<u8>,
    // Static keys are shared, not copied, by `duplicate` and the states
    // built from it (a KEM secret key is kilobytes); the last owner's drop
    // wipes them.
    s_dh: Option<Arc<KeyPair>>,
    s_kem: Option<Arc<KeyPair>>,
    rs_dh: Option<Vec<u8>>,
    rs_kem: Option<Vec<u8>>,
    fixed_e_dh: Option<KeyPair>,
    fixed_e_kem: Option<KeyPair>,
    psks: BTreeMap<u8, SecretBytes>,
}

impl fmt::Debug for HandshakeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeBuilder")
            .field("name", &self.name.to_string())
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl HandshakeBuilder {
    /// Parses `protocol_name` and resolves its primitives through `resolver`.
    pub fn new(protocol_name: &str, resolver: &dyn Resolver) -> Result<Self> {
        let name = ProtocolName::parse(protocol_name)?;
        let suite = name.resolve(resolver)?;
        Ok(Self {
            protocol_name: name.to_string().into(),
            name: Arc::new(name),
            suite,
            prologue: Vec::new(),
            s_dh: None,
            s_kem: None,
            rs_dh: None,
            rs_kem: None,
            fixed_e_dh: None,
            fixed_e_kem: None,
            psks: BTreeMap::new(),
        })
    }

    /// The resolved primitives (e.g. to generate static keys with them).
    pub fn suite(&self) -> &Suite {
        &self.suite
    }

    /// The parsed protocol name.
    pub fn protocol_name(&self) -> &ProtocolName {
        &self.name
    }

    fn dh(&self) -> Result<&'static dyn twofold_core::Dh> {
        self.suite
            .dh
            .ok_or(HandshakeError::Misuse("this protocol uses no DH function"))
    }

    fn static_kem(&self) -> Result<&'static dyn twofold_core::Kem> {
        self.suite.skem.ok_or(HandshakeError::Misuse(
            "this protocol has no static KEM key",
        ))
    }

    fn ephemeral_kem(&self) -> Result<&'static dyn twofold_core::Kem> {
        self.suite
            .ekem
            .ok_or(HandshakeError::Misuse("this protocol uses no KEM"))
    }

    /// Our static DH secret key (the public key is derived from it).
    pub fn local_static_dh(mut self, secret: &[u8]) -> Result<Self> {
        let dh = self.dh()?;
        if self.name.kind() == PatternKind::Pq {
            return Err(HandshakeError::Misuse("pq patterns have no static DH key"));
        }
        self.s_dh = Some(Arc::new(KeyPair::dh(dh, "static DH secret key", secret)?));
        Ok(self)
    }

    /// Our static KEM key pair (`pq*` and `hybrid*` patterns). The secret
    /// key is checked here, once, so that every handshake built from this
    /// builder decapsulates without checking it again.
    pub fn local_static_kem(mut self, public: &[u8], secret: &[u8]) -> Result<Self> {
        let kem = self.static_kem()?;
        let what = ["static KEM public key", "static KEM secret key"];
        self.s_kem = Some(Arc::new(KeyPair::kem(kem, what, public, secret)?));
        Ok(self)
    }

    /// The peer's static DH public key, known in advance (`<- s` pre-messages).
    pub fn remote_static_dh(mut self, public: &[u8]) -> Result<Self> {
        let dh = self.dh()?;
        if self.name.kind() == PatternKind::Pq {
            return Err(HandshakeError::Misuse("pq patterns have no static DH key"));
        }
        twofold_core::check_len("remote static DH public key", public, dh.sizes().pk)?;
        self.rs_dh = Some(public.to_vec());
        Ok(self)
    }

    /// The peer's static KEM public key, known in advance.
    pub fn remote_static_kem(mut self, public: &[u8]) -> Result<Self> {
        let kem = self.static_kem()?;
        twofold_core::check_len("remote static KEM public key", public, kem.sizes().pk)?;
        self.rs_kem = Some(public.to_vec());
        Ok(self)
    }

    /// The prologue (rev 34 §6); empty by default.
    pub fn prologue(mut self, prologue: &[u8]) -> Self {
        self.prologue = prologue.to_vec();
        self
    }

    /// The 32-byte pre-shared key used by the `pskN` modifier with number `n`.
    pub fn psk(mut self, n: u8, psk: &[u8]) -> Result<Self> {
        twofold_core::check_len("pre-shared key", psk, PSK_LEN)?;
        if !self.name.pattern().psk_numbers().contains(&n) {
            return Err(HandshakeError::Misuse(
                "psk number not used by this protocol's modifiers",
            ));
        }
        self.psks.insert(n, SecretBytes::from_slice(psk));
        Ok(self)
    }

    /// A fixed ephemeral DH secret key instead of a fresh one. For test
    /// vectors and byte-exact interop tests only: reusing an ephemeral key
    /// across handshakes destroys forward secrecy.
    pub fn fixed_ephemeral_dh(mut self, secret: &[u8]) -> Result<Self> {
        let dh = self.dh()?;
        self.fixed_e_dh = Some(KeyPair::dh(dh, "ephemeral DH secret key", secret)?);
        Ok(self)
    }

    /// A fixed ephemeral KEM key pair (hfs `e1`, pq/hybrid `e`). For test
    /// vectors only, as [`HandshakeBuilder::fixed_ephemeral_dh`]. The secret
    /// key is checked here, as a static one.
    pub fn fixed_ephemeral_kem(mut self, public: &[u8], secret: &[u8]) -> Result<Self> {
        let kem = self.ephemeral_kem()?;
        let what = ["ephemeral KEM public key", "ephemeral KEM secret key"];
        self.fixed_e_kem = Some(KeyPair::kem(kem, what, public, secret)?);
        Ok(self)
    }

    /// An explicit copy (named, not `Clone`, like
    /// [`SecretBytes::duplicate`]): the static key pairs are shared with
    /// this builder, the PSKs and fixed test keys copied. Lets a party
    /// configure its keys once (a static DH key costs a scalar
    /// multiplication to import) and start each handshake from a copy,
    /// since building consumes the builder.
    pub fn duplicate(&self) -> Self {
        Self {
            name: Arc::clone(&self.name),
            protocol_name: Arc::clone(&self.protocol_name),
            suite: self.suite,
            prologue: self.prologue.clone(),
            s_dh: self.s_dh.clone(),
            s_kem: self.s_kem.clone(),
            rs_dh: self.rs_dh.clone(),
            rs_kem: self.rs_kem.clone(),
            fixed_e_dh: self.fixed_e_dh.as_ref().map(KeyPair::duplicate),
            fixed_e_kem: self.fixed_e_kem.as_ref().map(KeyPair::duplicate),
            psks: self.psks.iter().map(|(n, k)| (*n, k.duplicate())).collect(),
        }
    }

    /// Builds the initiator.
    pub fn build_initiator(self, observer: &mut dyn Observer) -> Result<HandshakeState> {
        self.build(Role::Initiator, observer)
    }

    /// Builds the responder.
    pub fn build_responder(self, observer: &mut dyn Observer) -> Result<HandshakeState> {
        self.build(Role::Responder, observer)
    }

    /// `Initialize()` (rev 34 §5.3): checks that every key the pattern needs
    /// is present, then hashes the protocol name, the prologue and the
    /// pre-message keys, reporting each to `observer` (section `setup`).
    /// Draws no randomness: ephemerals are drawn by the messages that send
    /// them.
    pub fn build(self, role: Role, observer: &mut dyn Observer) -> Result<HandshakeState> {
        let pattern = self.name.pattern();
        let kind = pattern.kind();
        let wants_dh = kind != PatternKind::Pq;
        let wants_kem = kind != PatternKind::Classic;
        if pattern.uses_local_static(role) {
            if wants_dh && self.s_dh.is_none() {
                return Err(HandshakeError::MissingKey("local static DH key"));
            }
            if wants_kem && self.s_kem.is_none() {
                return Err(HandshakeError::MissingKey("local static KEM key"));
            }
        }
        if pattern.needs_remote_static(role) {
            if wants_dh && self.rs_dh.is_none() {
                return Err(HandshakeError::MissingKey(
                    "remote static DH public key (pre-message)",
                ));
            }
            if wants_kem && self.rs_kem.is_none() {
                return Err(HandshakeError::MissingKey(
                    "remote static KEM public key (pre-message)",
                ));
            }
        }
        for n in pattern.psk_numbers() {
            if !self.psks.contains_key(&n) {
                return Err(HandshakeError::MissingKey("pre-shared key"));
            }
        }

        let mut o = Obs::new(observer, role.into());
        o.section("setup");
        let config = Config {
            role,
            protocol_name: self.protocol_name,
            name: self.name,
            suite: self.suite,
            s_dh: self.s_dh,
            s_kem: self.s_kem,
            fixed_e_dh: self.fixed_e_dh,
            fixed_e_kem: self.fixed_e_kem,
            psks: self.psks,
        };
        let names = config.key_names();
        if o.on() {
            for (pair, [public, secret]) in [
                (&config.s_dh, [names.s_dh, names.s_dh_secret]),
                (&config.s_kem, [names.s_kem, names.s_kem_secret]),
            ] {
                if let Some(k) = pair {
                    o.public(public, &k.public, "input", &[]);
                    o.secret(secret, k.secret.expose(), "input", &[]);
                }
            }
            for (n, psk) in &config.psks {
                o.secret(&format!("psk{n}"), psk.expose(), "input", &[]);
            }
        }
        let cipher = CipherState::new(config.suite.aead, config.suite.encoding)?;
        let mut ss = SymmetricState::initialize(
            config.suite.hash,
            cipher,
            config.protocol_name.as_bytes(),
            &mut o,
        );
        o.public("prologue", &self.prologue, "input", &[]);
        ss.mix_hash(&self.prologue, "prologue", &mut o);
        let keys = Keys {
            rs_dh: self.rs_dh,
            rs_kem: self.rs_kem,
            ..Keys::default()
        };
        // Initiator's pre-message keys first (rev 34 §5.3).
        for owner in [Role::Initiator, Role::Responder] {
            for t in config.pattern().pre_message(owner) {
                // Pattern validation allows only `s` in pre-messages.
                if *t != Token::S {
                    return Err(HandshakeError::Misuse("pre-message token other than s"));
                }
                let mine = owner == role;
                let (dh_pk, kem_pk) = if mine {
                    (
                        config.s_dh.as_ref().map(|k| k.public.as_slice()),
                        config.s_kem.as_ref().map(|k| k.public.as_slice()),
                    )
                } else {
                    (keys.rs_dh.as_deref(), keys.rs_kem.as_deref())
                };
                if wants_dh {
                    let pk =
                        dh_pk.ok_or(HandshakeError::MissingKey("pre-message static DH key"))?;
                    let name = if mine { names.s_dh } else { names.rs_dh };
                    if !mine {
                        o.public(name, pk, "input", &[]);
                    }
                    ss.mix_hash(pk, name, &mut o);
                }
                if wants_kem {
                    let pk =
                        kem_pk.ok_or(HandshakeError::MissingKey("pre-message static KEM key"))?;
                    let name = if mine { names.s_kem } else { names.rs_kem };
                    if !mine {
                        o.public(name, pk, "input", &[]);
                    }
                    ss.mix_hash(pk, name, &mut o);
                }
            }
        }
        Ok(HandshakeState::new(
            Box::new(config),
            Box::new(Dynamic { ss, keys, next: 0 }),
        ))
    }
}
