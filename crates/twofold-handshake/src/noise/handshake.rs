//! `HandshakeState` (Noise rev 34 §5.3) for classic, hfs, PQNoise and
//! hybrid patterns, and its builder.
//!
//! # Consuming steps, nothing half-done
//!
//! [`HandshakeState::write_message`] and [`HandshakeState::read_message`]
//! take the state by value and return it with the message, so a state
//! cannot be stepped twice from the same point (an ephemeral key is used
//! once). On failure they return a [`StepError`] that holds the error *and
//! the state exactly as it was before the call*: a step works on a copy of
//! the symmetric state (`ck`, `h`, `k`, `n`: a few dozen bytes) and collects
//! the keys it creates or learns beside the committed ones, which it only
//! reads; it commits both when the whole message succeeded, and otherwise
//! drops (and so wipes) them. The caller may retry
//! (e.g. read the genuine message after a forged one) or drop the state
//! (`?` converts a [`StepError`] into a [`HandshakeError`] and wipes it).
//! Randomness drawn by a failed write is lost, which is harmless.
//!
//! # Token semantics
//!
//! | token | classic / hfs | `pq*` | `hybrid*` |
//! |---|---|---|---|
//! | `e` | DH pk in clear, `MixHash` (+`MixKey` if psk) | KEM pk, same | DH pk then KEM pk, each the same |
//! | `s` | `EncryptAndHash(DH pk)` | `EncryptAndHash(KEM pk)` | DH pk then KEM pk, each `EncryptAndHash` |
//! | `ee es se ss` | `MixKey(DH(..))` | - | `MixKey(DH(..))` |
//! | `psk` | `MixKeyAndHash(psk)` | same | same |
//! | `e1` (hfs) | `EncryptAndHash(KEM pk)` | - | - |
//! | `ekem1` (hfs) | `EncryptAndHash(ct)`, `MixKey(ss)` | - | - |
//! | `ekem` | - | ct in clear, `MixHash(ct)`, `MixKey(ss)` | same |
//! | `skem` | - | `EncryptAndHash(ct)`, `MixKeyAndHash(ss)` | same |
//!
//! Sources: rev 34 §5.3; noise_hfs.md §4 and snow 0.10's `handshakestate.rs`;
//! PQNoise as clatter 2.3's `handshakestate/{pq,hybrid}.rs` implement it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use twofold_core::{CryptoRng, Resolver, SecretBytes};

use super::labels::{MAX_MESSAGE_LEN, PSK_LEN};
use super::name::{ProtocolName, Suite};
use super::pattern::{Pattern, PatternKind, Role, Token};
use super::symmetric::{CipherState, SymmetricState};
use super::trace::{TraceEntry, TraceKind};
use super::transport::TransportState;
use crate::{HandshakeError, Result};

/// A public key and its secret key.
struct KeyPair {
    public: Vec<u8>,
    secret: SecretBytes,
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

    fn duplicate(&self) -> Self {
        Self {
            public: self.public.clone(),
            secret: self.secret.duplicate(),
        }
    }
}

/// Configures a handshake from a protocol name.
///
/// ```text
/// let mut rng = OsRng;
/// let hs = HandshakeBuilder::new("Noise_XXhfs_25519+Kyber1024_ChaChaPoly_SHA256", &REGISTRY)?
///     .local_static_dh(my_x25519_secret)?
///     .prologue(b"app v1")
///     .build(Role::Initiator, &mut rng)?;
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
    trace: bool,
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
            trace: false,
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

    /// Records a [`TraceEntry`] per step when `on` (secrets included).
    pub fn trace(mut self, on: bool) -> Self {
        self.trace = on;
        self
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
            trace: self.trace,
        }
    }

    /// Builds the initiator.
    pub fn build_initiator<'r>(self, rng: &'r mut dyn CryptoRng) -> Result<HandshakeState<'r>> {
        self.build(Role::Initiator, rng)
    }

    /// Builds the responder.
    pub fn build_responder<'r>(self, rng: &'r mut dyn CryptoRng) -> Result<HandshakeState<'r>> {
        self.build(Role::Responder, rng)
    }

    /// `Initialize()` (rev 34 §5.3): checks that every key the pattern needs
    /// is present, then hashes the protocol name, the prologue and the
    /// pre-message keys.
    pub fn build<'r>(self, role: Role, rng: &'r mut dyn CryptoRng) -> Result<HandshakeState<'r>> {
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
        let cipher = CipherState::new(config.suite.aead, config.suite.encoding)?;
        let ss =
            SymmetricState::initialize(config.suite.hash, cipher, config.protocol_name.as_bytes());
        let mut d = Dynamic {
            ss,
            keys: Keys {
                rs_dh: self.rs_dh,
                rs_kem: self.rs_kem,
                ..Keys::default()
            },
            next: 0,
        };
        let mut tr = Tracer::new(self.trace, role, TraceKind::Setup, 0);
        tr.record("protocol_name", config.protocol_name.as_bytes(), &d.ss);
        d.ss.mix_hash(&self.prologue);
        tr.record("prologue", &self.prologue, &d.ss);
        // Initiator's pre-message keys first (rev 34 §5.3).
        for owner in [Role::Initiator, Role::Responder] {
            for t in config.pattern().pre_message(owner) {
                // Pattern validation allows only `s` in pre-messages.
                if *t != Token::S {
                    return Err(HandshakeError::Misuse("pre-message token other than s"));
                }
                let (dh_pk, kem_pk) = if owner == role {
                    (
                        config.s_dh.as_ref().map(|k| k.public.as_slice()),
                        config.s_kem.as_ref().map(|k| k.public.as_slice()),
                    )
                } else {
                    (d.keys.rs_dh.as_deref(), d.keys.rs_kem.as_deref())
                };
                if wants_dh {
                    let pk =
                        dh_pk.ok_or(HandshakeError::MissingKey("pre-message static DH key"))?;
                    d.ss.mix_hash(pk);
                    tr.record("pre s", pk, &d.ss);
                }
                if wants_kem {
                    let pk =
                        kem_pk.ok_or(HandshakeError::MissingKey("pre-message static KEM key"))?;
                    d.ss.mix_hash(pk);
                    tr.record("pre s (KEM)", pk, &d.ss);
                }
            }
        }
        Ok(HandshakeState {
            config: Box::new(config),
            d: Box::new(d),
            trace: self.trace.then_some(tr.entries),
            rng,
        })
    }
}

/// What does not change during a handshake.
struct Config {
    role: Role,
    name: Arc<ProtocolName>,
    protocol_name: Arc<str>,
    suite: Suite,
    s_dh: Option<Arc<KeyPair>>,
    s_kem: Option<Arc<KeyPair>>,
    fixed_e_dh: Option<KeyPair>,
    fixed_e_kem: Option<KeyPair>,
    psks: BTreeMap<u8, SecretBytes>,
}

impl Config {
    /// The pattern, modifiers applied.
    fn pattern(&self) -> &Pattern {
        self.name.pattern()
    }
}

/// What the messages so far have changed.
struct Dynamic {
    ss: SymmetricState,
    keys: Keys,
    next: usize,
}

/// The keys a handshake creates or learns, each at most once.
#[derive(Default)]
struct Keys {
    e_dh: Option<KeyPair>,
    e_kem: Option<KeyPair>,
    rs_dh: Option<Vec<u8>>,
    rs_kem: Option<Vec<u8>>,
    re_dh: Option<Vec<u8>>,
    re_kem: Option<Vec<u8>>,
}

impl Keys {
    /// Moves every key set in `new` into `self` (a value in `new` wins).
    fn absorb(&mut self, new: Keys) {
        let Keys {
            e_dh,
            e_kem,
            rs_dh,
            rs_kem,
            re_dh,
            re_kem,
        } = new;
        fn put<T>(slot: &mut Option<T>, v: Option<T>) {
            if v.is_some() {
                *slot = v;
            }
        }
        put(&mut self.e_dh, e_dh);
        put(&mut self.e_kem, e_kem);
        put(&mut self.rs_dh, rs_dh);
        put(&mut self.rs_kem, rs_kem);
        put(&mut self.re_dh, re_dh);
        put(&mut self.re_kem, re_kem);
    }
}

/// One message in progress. The committed state is only read; the step
/// works on a copy of the symmetric state (a few dozen bytes) and puts the
/// keys it creates or learns in `new`, so that a failure anywhere leaves
/// [`Dynamic`] exactly as it was, without copying the (KEM-sized) keys at
/// every step. Dropping an unfinished `Work` wipes its secrets.
struct Work<'d> {
    old: &'d Keys,
    ss: SymmetricState,
    new: Keys,
    next: usize,
}

impl<'d> Work<'d> {
    fn start(d: &'d Dynamic) -> Self {
        Self {
            old: &d.keys,
            ss: d.ss.duplicate(),
            new: Keys::default(),
            next: d.next,
        }
    }

    /// The result of a successful step, to commit.
    fn finish(self) -> (SymmetricState, Keys) {
        (self.ss, self.new)
    }

    fn e_dh(&self) -> Option<&KeyPair> {
        self.new.e_dh.as_ref().or(self.old.e_dh.as_ref())
    }
    fn e_kem(&self) -> Option<&KeyPair> {
        self.new.e_kem.as_ref().or(self.old.e_kem.as_ref())
    }
    fn rs_dh(&self) -> Option<&[u8]> {
        self.new.rs_dh.as_deref().or(self.old.rs_dh.as_deref())
    }
    fn rs_kem(&self) -> Option<&[u8]> {
        self.new.rs_kem.as_deref().or(self.old.rs_kem.as_deref())
    }
    fn re_dh(&self) -> Option<&[u8]> {
        self.new.re_dh.as_deref().or(self.old.re_dh.as_deref())
    }
    fn re_kem(&self) -> Option<&[u8]> {
        self.new.re_kem.as_deref().or(self.old.re_kem.as_deref())
    }
}

impl Dynamic {
    /// Commits a successful step.
    fn commit(&mut self, ss: SymmetricState, new: Keys) {
        self.ss = ss;
        self.keys.absorb(new);
        self.next += 1;
    }
}

/// Collects trace entries of one step (a no-op when tracing is off).
struct Tracer {
    on: bool,
    party: Role,
    kind: TraceKind,
    message: usize,
    entries: Vec<TraceEntry>,
}

impl Tracer {
    fn new(on: bool, party: Role, kind: TraceKind, message: usize) -> Self {
        Self {
            on,
            party,
            kind,
            message,
            entries: Vec::new(),
        }
    }

    /// Records the step of token `t`; its name is only rendered when on.
    fn record_token(&mut self, t: Token, bytes: &[u8], ss: &SymmetricState) {
        if self.on {
            self.record(&token_step_name(t), bytes, ss);
        }
    }

    fn record(&mut self, step: &str, bytes: &[u8], ss: &SymmetricState) {
        if !self.on {
            return;
        }
        self.entries.push(TraceEntry {
            party: self.party,
            kind: self.kind,
            message: self.message,
            step: step.to_string(),
            bytes: bytes.to_vec(),
            h: ss.handshake_hash().to_vec(),
            ck: ss.chaining_key().expose().to_vec(),
            k: ss.cipher().key().map(|k| k.expose().to_vec()),
            n: ss.cipher().nonce(),
        });
    }
}

fn token_step_name(t: Token) -> String {
    match t {
        Token::Psk(n) => format!("psk{n}"),
        other => other.as_str().to_string(),
    }
}

/// A handshake in progress (rev 34 §5.3 `HandshakeState`).
pub struct HandshakeState<'r> {
    // Boxed so that the state moved at every step stays a few words.
    config: Box<Config>,
    d: Box<Dynamic>,
    trace: Option<Vec<TraceEntry>>,
    rng: &'r mut dyn CryptoRng,
}

impl fmt::Debug for HandshakeState<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeState")
            .field("protocol", &self.config.protocol_name)
            .field("role", &self.config.role)
            .field("next_message", &self.d.next)
            .finish_non_exhaustive()
    }
}

/// A failed step: the error and the state as it was before the step.
pub struct StepError<'r> {
    error: HandshakeError,
    state: Box<HandshakeState<'r>>,
}

impl<'r> StepError<'r> {
    /// What went wrong.
    pub fn error(&self) -> &HandshakeError {
        &self.error
    }

    /// The untouched state, to retry with another message or payload.
    pub fn into_state(self) -> HandshakeState<'r> {
        *self.state
    }

    /// Both parts.
    pub fn into_parts(self) -> (HandshakeError, HandshakeState<'r>) {
        (self.error, *self.state)
    }
}

impl fmt::Debug for StepError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StepError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for StepError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for StepError<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<StepError<'_>> for HandshakeError {
    /// Drops (and so wipes) the state.
    fn from(e: StepError<'_>) -> Self {
        e.error
    }
}

/// The outcome of a step: the next state and the bytes produced.
pub type Step<'r, T> = core::result::Result<(HandshakeState<'r>, T), StepError<'r>>;

/// Reads fixed-size fields off a message.
struct Reader<'m> {
    rest: &'m [u8],
}

impl<'m> Reader<'m> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'m [u8]> {
        if self.rest.len() < n {
            return Err(HandshakeError::Truncated {
                what,
                expected: n,
                actual: self.rest.len(),
            });
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
}

impl<'r> HandshakeState<'r> {
    /// Our role.
    pub fn role(&self) -> Role {
        self.config.role
    }

    /// The protocol name as hashed into `h`.
    pub fn protocol_name(&self) -> &str {
        &self.config.protocol_name
    }

    /// The parsed protocol name.
    pub fn parsed_name(&self) -> &ProtocolName {
        &self.config.name
    }

    /// The pattern, modifiers applied.
    pub fn pattern(&self) -> &Pattern {
        self.config.pattern()
    }

    /// The resolved primitives.
    pub fn suite(&self) -> &Suite {
        &self.config.suite
    }

    /// Whether every message has been sent or received.
    pub fn is_finished(&self) -> bool {
        self.d.next >= self.config.pattern().messages().len()
    }

    /// Whether the next message is ours to write.
    pub fn is_my_turn(&self) -> bool {
        !self.is_finished() && self.config.pattern().sender(self.d.next) == self.config.role
    }

    /// 0-based index of the next message.
    pub fn next_message(&self) -> usize {
        self.d.next
    }

    /// `h` so far (the handshake hash once finished).
    pub fn handshake_hash(&self) -> &[u8] {
        self.d.ss.handshake_hash()
    }

    /// The peer's static DH public key, once known.
    pub fn remote_static_dh(&self) -> Option<&[u8]> {
        self.d.keys.rs_dh.as_deref()
    }

    /// The peer's static KEM public key, once known.
    pub fn remote_static_kem(&self) -> Option<&[u8]> {
        self.d.keys.rs_kem.as_deref()
    }

    /// The peer's ephemeral DH public key, once received.
    pub fn remote_ephemeral_dh(&self) -> Option<&[u8]> {
        self.d.keys.re_dh.as_deref()
    }

    /// The peer's ephemeral KEM public key (hfs `e1`, pq/hybrid `e`), once received.
    pub fn remote_ephemeral_kem(&self) -> Option<&[u8]> {
        self.d.keys.re_kem.as_deref()
    }

    /// Whether a payload written now would be encrypted.
    pub fn payload_is_encrypted(&self) -> bool {
        self.d.ss.cipher().has_key()
    }

    /// The trace so far (empty when tracing is off).
    pub fn trace(&self) -> &[TraceEntry] {
        self.trace.as_deref().unwrap_or(&[])
    }

    fn fail(self, error: HandshakeError) -> StepError<'r> {
        StepError {
            error,
            state: Box::new(self),
        }
    }

    /// `WriteMessage(payload)`: the next handshake message.
    pub fn write_message(mut self, payload: &[u8]) -> Step<'r, Vec<u8>> {
        let mut work = Work::start(&self.d);
        let mut tr = Tracer::new(
            self.trace.is_some(),
            self.config.role,
            TraceKind::Write,
            work.next + 1,
        );
        match write_tokens(&self.config, &mut work, &mut *self.rng, payload, &mut tr) {
            Ok(msg) => {
                let (ss, keys) = work.finish();
                self.d.commit(ss, keys);
                if let Some(t) = &mut self.trace {
                    t.append(&mut tr.entries);
                }
                Ok((self, msg))
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// `ReadMessage(message)`: the payload of the peer's next message.
    pub fn read_message(mut self, message: &[u8]) -> Step<'r, Vec<u8>> {
        let mut work = Work::start(&self.d);
        let mut tr = Tracer::new(
            self.trace.is_some(),
            self.config.role,
            TraceKind::Read,
            work.next + 1,
        );
        match read_tokens(&self.config, &mut work, message, &mut tr) {
            Ok(payload) => {
                let (ss, keys) = work.finish();
                self.d.commit(ss, keys);
                if let Some(t) = &mut self.trace {
                    t.append(&mut tr.entries);
                }
                Ok((self, payload))
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// `Split()`: the transport cipher states and the handshake hash, once
    /// every message has been processed.
    pub fn split(mut self) -> core::result::Result<TransportState, StepError<'r>> {
        if !self.is_finished() {
            return Err(self.fail(HandshakeError::Misuse(
                "split before the handshake is finished",
            )));
        }
        match self.d.ss.split() {
            Ok((c1, c2)) => {
                // The state is consumed: its remote keys move, not copy.
                let keys = std::mem::take(&mut self.d.keys);
                Ok(TransportState::new(
                    self.config.role,
                    c1,
                    c2,
                    self.d.ss.handshake_hash().to_vec(),
                    self.config.pattern().is_one_way(),
                    keys.rs_dh,
                    keys.rs_kem,
                ))
            }
            Err(e) => Err(self.fail(e)),
        }
    }
}

fn missing(what: &'static str) -> HandshakeError {
    HandshakeError::MissingKey(what)
}

/// The DH of a DH token from `role`'s side (rev 34 §5.3).
fn dh_token(c: &Config, w: &Work<'_>, t: Token) -> Result<SecretBytes> {
    let dh = c.suite.dh.ok_or(missing("DH function"))?;
    let e = || w.e_dh().ok_or(missing("local ephemeral DH key"));
    let s = || c.s_dh.as_deref().ok_or(missing("local static DH key"));
    let re = || w.re_dh().ok_or(missing("remote ephemeral DH key"));
    let rs = || w.rs_dh().ok_or(missing("remote static DH key"));
    let initiator = c.role == Role::Initiator;
    let (local, remote) = match (t, initiator) {
        (Token::Ee, _) => (e()?, re()?),
        (Token::Ss, _) => (s()?, rs()?),
        (Token::Es, true) | (Token::Se, false) => (e()?, rs()?),
        (Token::Es, false) | (Token::Se, true) => (s()?, re()?),
        _ => return Err(HandshakeError::Misuse("not a DH token")),
    };
    Ok(dh.dh(local.secret.expose(), remote)?)
}

fn psk_of(c: &Config, n: u8) -> Result<&SecretBytes> {
    c.psks.get(&n).ok_or(missing("pre-shared key"))
}

/// An upper bound on the length of a message of `tokens` with a payload of
/// `payload` bytes (every encrypted field counted with a tag), so that the
/// message is allocated once.
fn message_capacity(c: &Config, tokens: &[Token], payload: usize) -> usize {
    let kind = c.pattern().kind();
    let tag = c.suite.aead.tag_len();
    let dh_pk = match (kind, c.suite.dh) {
        (PatternKind::Pq, _) | (_, None) => 0,
        (_, Some(dh)) => dh.sizes().pk,
    };
    let (epk, ect) = c
        .suite
        .ekem
        .map_or((0, 0), |k| (k.sizes().pk, k.sizes().ct));
    let (spk, sct) = c
        .suite
        .skem
        .map_or((0, 0), |k| (k.sizes().pk, k.sizes().ct));
    let (epk_e, spk_s) = if kind == PatternKind::Classic {
        (0, 0)
    } else {
        (epk, spk + tag)
    };
    let dh_s = if dh_pk == 0 { 0 } else { dh_pk + tag };
    tokens
        .iter()
        .map(|t| match t {
            Token::E => dh_pk + epk_e,
            Token::S => dh_s + spk_s,
            Token::E1 => epk + tag,
            Token::Ekem1 | Token::Skem => ect.max(sct) + tag,
            Token::Ekem => ect,
            Token::Ee | Token::Es | Token::Se | Token::Ss | Token::Psk(_) => 0,
        })
        .sum::<usize>()
        + payload
        + tag
}

/// A fresh key pair, or a copy of the fixed one set for test vectors.
fn ephemeral(
    fixed: Option<&KeyPair>,
    generate: impl FnOnce() -> twofold_core::Result<(Vec<u8>, SecretBytes)>,
) -> Result<KeyPair> {
    Ok(match fixed {
        Some(k) => k.duplicate(),
        None => {
            let (public, secret) = generate()?;
            KeyPair { public, secret }
        }
    })
}

fn write_tokens(
    c: &Config,
    w: &mut Work<'_>,
    rng: &mut dyn CryptoRng,
    payload: &[u8],
    tr: &mut Tracer,
) -> Result<Vec<u8>> {
    let pattern = c.pattern();
    if w.next >= pattern.messages().len() {
        return Err(HandshakeError::OutOfTurn("the handshake is finished"));
    }
    if pattern.sender(w.next) != c.role {
        return Err(HandshakeError::OutOfTurn(
            "it is the peer's turn: read its message first",
        ));
    }
    if payload.len() > MAX_MESSAGE_LEN {
        return Err(HandshakeError::Oversized {
            what: "handshake payload",
            max: MAX_MESSAGE_LEN,
            actual: payload.len(),
        });
    }
    let psk_mode = pattern.has_psk();
    let kind = pattern.kind();
    let tokens = &pattern.messages()[w.next];
    let mut out = Vec::with_capacity(message_capacity(c, tokens, payload.len()));
    for &t in tokens {
        let start = out.len();
        match t {
            Token::E => {
                if kind != PatternKind::Pq {
                    let dh = c.suite.dh.ok_or(missing("DH function"))?;
                    let kp = ephemeral(c.fixed_e_dh.as_ref(), || dh.generate(rng))?;
                    out.extend_from_slice(&kp.public);
                    w.ss.mix_hash(&kp.public);
                    if psk_mode {
                        w.ss.mix_key(&kp.public)?;
                    }
                    w.new.e_dh = Some(kp);
                }
                if kind != PatternKind::Classic {
                    let kem = c.suite.ekem.ok_or(missing("ephemeral KEM"))?;
                    let kp = ephemeral(c.fixed_e_kem.as_ref(), || kem.generate(rng))?;
                    out.extend_from_slice(&kp.public);
                    w.ss.mix_hash(&kp.public);
                    if psk_mode {
                        w.ss.mix_key(&kp.public)?;
                    }
                    w.new.e_kem = Some(kp);
                }
            }
            Token::S => {
                if kind != PatternKind::Pq {
                    let s = c.s_dh.as_ref().ok_or(missing("local static DH key"))?;
                    out.extend(w.ss.encrypt_and_hash(&s.public)?);
                }
                if kind != PatternKind::Classic {
                    let s = c.s_kem.as_ref().ok_or(missing("local static KEM key"))?;
                    out.extend(w.ss.encrypt_and_hash(&s.public)?);
                }
            }
            Token::Ee | Token::Es | Token::Se | Token::Ss => {
                let shared = dh_token(c, w, t)?;
                w.ss.mix_key(shared.expose())?;
            }
            Token::Psk(n) => {
                w.ss.mix_key_and_hash(psk_of(c, n)?.expose())?;
            }
            Token::E1 => {
                let kem = c.suite.ekem.ok_or(missing("hfs KEM"))?;
                let kp = ephemeral(c.fixed_e_kem.as_ref(), || kem.generate(rng))?;
                out.extend(w.ss.encrypt_and_hash(&kp.public)?);
                w.new.e_kem = Some(kp);
            }
            Token::Ekem1 => {
                let kem = c.suite.ekem.ok_or(missing("hfs KEM"))?;
                let re = w.re_kem().ok_or(missing("remote e1 KEM key"))?;
                let (ct, shared) = kem.encapsulate(re, rng)?;
                out.extend(w.ss.encrypt_and_hash(&ct)?);
                w.ss.mix_key(shared.expose())?;
            }
            Token::Ekem => {
                let kem = c.suite.ekem.ok_or(missing("ephemeral KEM"))?;
                let re = w.re_kem().ok_or(missing("remote ephemeral KEM key"))?;
                let (ct, shared) = kem.encapsulate(re, rng)?;
                out.extend_from_slice(&ct);
                w.ss.mix_hash(&ct);
                w.ss.mix_key(shared.expose())?;
            }
            Token::Skem => {
                let kem = c.suite.skem.ok_or(missing("static KEM"))?;
                let rs = w.rs_kem().ok_or(missing("remote static KEM key"))?;
                let (ct, shared) = kem.encapsulate(rs, rng)?;
                out.extend(w.ss.encrypt_and_hash(&ct)?);
                w.ss.mix_key_and_hash(shared.expose())?;
            }
        }
        tr.record_token(t, &out[start..], &w.ss);
    }
    let start = out.len();
    out.extend(w.ss.encrypt_and_hash(payload)?);
    tr.record("payload", &out[start..], &w.ss);
    if out.len() > MAX_MESSAGE_LEN {
        return Err(HandshakeError::Oversized {
            what: "handshake message",
            max: MAX_MESSAGE_LEN,
            actual: out.len(),
        });
    }
    Ok(out)
}

fn read_tokens(c: &Config, w: &mut Work<'_>, message: &[u8], tr: &mut Tracer) -> Result<Vec<u8>> {
    let pattern = c.pattern();
    if message.len() > MAX_MESSAGE_LEN {
        return Err(HandshakeError::Oversized {
            what: "handshake message",
            max: MAX_MESSAGE_LEN,
            actual: message.len(),
        });
    }
    if w.next >= pattern.messages().len() {
        return Err(HandshakeError::OutOfTurn("the handshake is finished"));
    }
    if pattern.sender(w.next) == c.role {
        return Err(HandshakeError::OutOfTurn(
            "it is our turn to write, not to read",
        ));
    }
    let psk_mode = pattern.has_psk();
    let kind = pattern.kind();
    let mut r = Reader { rest: message };
    for &t in &pattern.messages()[w.next] {
        let before = r.rest;
        match t {
            Token::E => {
                if kind != PatternKind::Pq {
                    let dh = c.suite.dh.ok_or(missing("DH function"))?;
                    let pk = r.take(dh.sizes().pk, "ephemeral DH public key")?;
                    w.ss.mix_hash(pk);
                    if psk_mode {
                        w.ss.mix_key(pk)?;
                    }
                    w.new.re_dh = Some(pk.to_vec());
                }
                if kind != PatternKind::Classic {
                    let kem = c.suite.ekem.ok_or(missing("ephemeral KEM"))?;
                    let pk = r.take(kem.sizes().pk, "ephemeral KEM public key")?;
                    w.ss.mix_hash(pk);
                    if psk_mode {
                        w.ss.mix_key(pk)?;
                    }
                    w.new.re_kem = Some(pk.to_vec());
                }
            }
            Token::S => {
                if kind != PatternKind::Pq {
                    let dh = c.suite.dh.ok_or(missing("DH function"))?;
                    let len = dh.sizes().pk + w.ss.cipher().overhead();
                    let ct = r.take(len, "static DH public key")?;
                    w.new.rs_dh = Some(w.ss.decrypt_and_hash(ct)?);
                }
                if kind != PatternKind::Classic {
                    let kem = c.suite.skem.ok_or(missing("static KEM"))?;
                    let len = kem.sizes().pk + w.ss.cipher().overhead();
                    let ct = r.take(len, "static KEM public key")?;
                    w.new.rs_kem = Some(w.ss.decrypt_and_hash(ct)?);
                }
            }
            Token::Ee | Token::Es | Token::Se | Token::Ss => {
                let shared = dh_token(c, w, t)?;
                w.ss.mix_key(shared.expose())?;
            }
            Token::Psk(n) => {
                w.ss.mix_key_and_hash(psk_of(c, n)?.expose())?;
            }
            Token::E1 => {
                let kem = c.suite.ekem.ok_or(missing("hfs KEM"))?;
                let len = kem.sizes().pk + w.ss.cipher().overhead();
                let ct = r.take(len, "e1 KEM public key")?;
                w.new.re_kem = Some(w.ss.decrypt_and_hash(ct)?);
            }
            Token::Ekem1 => {
                let kem = c.suite.ekem.ok_or(missing("hfs KEM"))?;
                let len = kem.sizes().ct + w.ss.cipher().overhead();
                let enc = r.take(len, "ekem1 KEM ciphertext")?;
                let ct = w.ss.decrypt_and_hash(enc)?;
                let e = w.e_kem().ok_or(missing("local e1 KEM key"))?;
                // Generated here or checked by the builder.
                let shared = kem.decapsulate_prechecked(e.secret.expose(), &ct)?;
                w.ss.mix_key(shared.expose())?;
            }
            Token::Ekem => {
                let kem = c.suite.ekem.ok_or(missing("ephemeral KEM"))?;
                let ct = r.take(kem.sizes().ct, "ekem KEM ciphertext")?;
                w.ss.mix_hash(ct);
                let e = w.e_kem().ok_or(missing("local ephemeral KEM key"))?;
                let shared = kem.decapsulate_prechecked(e.secret.expose(), ct)?;
                w.ss.mix_key(shared.expose())?;
            }
            Token::Skem => {
                let kem = c.suite.skem.ok_or(missing("static KEM"))?;
                let len = kem.sizes().ct + w.ss.cipher().overhead();
                let enc = r.take(len, "skem KEM ciphertext")?;
                let ct = w.ss.decrypt_and_hash(enc)?;
                let s = c.s_kem.as_ref().ok_or(missing("local static KEM key"))?;
                let shared = kem.decapsulate_prechecked(s.secret.expose(), &ct)?;
                w.ss.mix_key_and_hash(shared.expose())?;
            }
        }
        let used = before.len() - r.rest.len();
        tr.record_token(t, &before[..used], &w.ss);
    }
    let tag = w.ss.cipher().overhead();
    if r.rest.len() < tag {
        return Err(HandshakeError::Truncated {
            what: "payload tag",
            expected: tag,
            actual: r.rest.len(),
        });
    }
    let payload = w.ss.decrypt_and_hash(r.rest)?;
    tr.record("payload", r.rest, &w.ss);
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use twofold_core::ShakeRng;
    use twofold_primitives::registry::REGISTRY;

    /// Suites whose both parties hold static keys (DH, KEM or both) and,
    /// for one, a PSK: everything `duplicate` copies or shares.
    const NAMES: [&str; 4] = [
        "Noise_XXpsk3_25519_AESGCM_SHA512",
        "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
        "Noise_pqXX_MLKEM768_ChaChaPoly_SHA256",
        "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
    ];

    /// Builders for both parties of `name`, with fresh static keys and PSK;
    /// also returns (initiator's, responder's) static public keys.
    fn builders(name: &str, rng: &mut dyn CryptoRng) -> [(HandshakeBuilder, Vec<Vec<u8>>); 2] {
        let psk = [0x42u8; PSK_LEN];
        let mut out = Vec::new();
        for _ in 0..2 {
            let mut b = HandshakeBuilder::new(name, &*REGISTRY).unwrap();
            let mut publics = Vec::new();
            if let Some(dh) = b.suite().dh {
                let (pk, sk) = dh.generate(rng).unwrap();
                b = b.local_static_dh(sk.expose()).unwrap();
                publics.push(pk);
            }
            if let Some(kem) = b.suite().skem {
                let (pk, sk) = kem.generate(rng).unwrap();
                b = b.local_static_kem(&pk, sk.expose()).unwrap();
                publics.push(pk);
            }
            for n in b.protocol_name().pattern().psk_numbers() {
                b = b.psk(n, &psk).unwrap();
            }
            out.push((b, publics));
        }
        let r = out.pop().unwrap();
        let i = out.pop().unwrap();
        [i, r]
    }

    /// Plays a whole handshake; returns both final states.
    fn play<'r>(
        i: HandshakeState<'r>,
        r: HandshakeState<'r>,
    ) -> (HandshakeState<'r>, HandshakeState<'r>) {
        let mut parties = [Some(i), Some(r)];
        // Message k is the initiator's when k is even.
        for k in 0..parties[0].as_ref().unwrap().pattern().messages().len() {
            let (w, rd) = (k % 2, 1 - k % 2);
            let (ws, m) = parties[w]
                .take()
                .unwrap()
                .write_message(b"payload")
                .unwrap();
            let (rs, p) = parties[rd].take().unwrap().read_message(&m).unwrap();
            assert_eq!(p, b"payload");
            parties[w] = Some(ws);
            parties[rd] = Some(rs);
        }
        let [i, r] = parties;
        (i.unwrap(), r.unwrap())
    }

    #[test]
    fn duplicated_builders_start_independent_handshakes() {
        for name in NAMES {
            let mut rng = ShakeRng::new(name.as_bytes());
            let [(bi, pub_i), (br, pub_r)] = builders(name, &mut rng);
            let mut hashes = Vec::new();
            for run in 0..2u8 {
                let (mut ri, mut rr) = (ShakeRng::new(&[run, 0]), ShakeRng::new(&[run, 1]));
                let i = bi.duplicate().build(Role::Initiator, &mut ri).unwrap();
                let r = br.duplicate().build(Role::Responder, &mut rr).unwrap();
                let (i, r) = play(i, r);
                assert_eq!(i.handshake_hash(), r.handshake_hash(), "{name}");
                // Each side learned the other's configured static keys.
                let learned = |s: &HandshakeState<'_>| {
                    [s.remote_static_dh(), s.remote_static_kem()]
                        .into_iter()
                        .flatten()
                        .map(<[u8]>::to_vec)
                        .collect::<Vec<_>>()
                };
                assert_eq!(learned(&i), pub_r, "{name}");
                assert_eq!(learned(&r), pub_i, "{name}");
                hashes.push(i.handshake_hash().to_vec());
                let (mut ti, mut tr) = (i.split().unwrap(), r.split().unwrap());
                let c = ti.write_message(b"ping").unwrap();
                assert_eq!(tr.read_message(&c).unwrap(), b"ping", "{name}");
            }
            // Fresh ephemerals each time: the two handshakes differ.
            assert_ne!(hashes[0], hashes[1], "{name}");
        }
    }

    #[test]
    fn a_rejected_message_changes_nothing_then_the_genuine_one_passes() {
        for name in NAMES {
            let mut rng = ShakeRng::new(name.as_bytes());
            let [(bi, _), (br, _)] = builders(name, &mut rng);
            let (mut ri, mut rr) = (ShakeRng::new(b"i"), ShakeRng::new(b"r"));
            let i = bi.build(Role::Initiator, &mut ri).unwrap();
            let r = br.build(Role::Responder, &mut rr).unwrap();
            let (i, m1) = i.write_message(b"").unwrap();
            let (r, _) = r.read_message(&m1).unwrap();
            // Message 2 carries keys (e, s, ekem1 or ekem) before its payload:
            // flipping the last tag byte lets every token be processed, and
            // so staged, before the payload fails.
            let (_r, m2) = r.write_message(b"two").unwrap();
            let mut bad = m2.clone();
            *bad.last_mut().unwrap() ^= 1;
            let before = (
                i.handshake_hash().to_vec(),
                i.remote_ephemeral_dh().map(<[u8]>::to_vec),
                i.remote_ephemeral_kem().map(<[u8]>::to_vec),
                i.remote_static_dh().map(<[u8]>::to_vec),
                i.remote_static_kem().map(<[u8]>::to_vec),
                i.next_message(),
                i.payload_is_encrypted(),
            );
            let e = i.read_message(&bad).unwrap_err();
            assert!(
                matches!(
                    e.error(),
                    HandshakeError::Primitive(twofold_core::Error::DecryptionFailed)
                ),
                "{name}: {e:?}"
            );
            let i = e.into_state();
            let after = (
                i.handshake_hash().to_vec(),
                i.remote_ephemeral_dh().map(<[u8]>::to_vec),
                i.remote_ephemeral_kem().map(<[u8]>::to_vec),
                i.remote_static_dh().map(<[u8]>::to_vec),
                i.remote_static_kem().map(<[u8]>::to_vec),
                i.next_message(),
                i.payload_is_encrypted(),
            );
            assert!(
                before == after,
                "{name}: a rejected message changed the state"
            );
            let (i, p) = i.read_message(&m2).unwrap();
            assert_eq!(p, b"two", "{name}");
            assert_eq!(i.next_message(), 2, "{name}");
        }
    }
}
