//! Token execution: what each token of a message writes and reads, for
//! classic, hfs, PQNoise and hybrid patterns.
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
//!
//! Names reported to the observer: the spec's `e`, `s`, `re`, `rs` (and
//! `e secret`, `s secret`), hfs's `e1` / `re1`, in hybrid patterns the KEM
//! halves `e_kem`, `s_kem`, `re_kem`, `rs_kem`; DH outputs under their token
//! (`ee`, `es`, `se`, `ss`); KEM tokens as `<token> ct` and `<token> ss`;
//! AEAD ciphertexts as `<value> sealed`; draws as `<key> coins`.

use std::collections::BTreeMap;
use std::sync::Arc;

use twofold_core::observe::Kind;
use twofold_core::{CryptoRng, Obs, SecretBytes};

use super::builder::KeyPair;
use super::labels::MAX_MESSAGE_LEN;
use super::name::{ProtocolName, Suite};
use super::pattern::{Pattern, PatternKind, Role, Token};
use super::symmetric::SymmetricState;
use crate::{HandshakeError, Result};

/// What does not change during a handshake.
pub(crate) struct Config {
    pub(crate) role: Role,
    pub(crate) name: Arc<ProtocolName>,
    pub(crate) protocol_name: Arc<str>,
    pub(crate) suite: Suite,
    pub(crate) s_dh: Option<Arc<KeyPair>>,
    pub(crate) s_kem: Option<Arc<KeyPair>>,
    pub(crate) fixed_e_dh: Option<KeyPair>,
    pub(crate) fixed_e_kem: Option<KeyPair>,
    pub(crate) psks: BTreeMap<u8, SecretBytes>,
}

/// The names of a pattern's keys, as the specifications spell them.
pub(crate) struct KeyNames {
    pub(crate) e_dh: &'static str,
    pub(crate) e_dh_secret: &'static str,
    pub(crate) e_kem: &'static str,
    pub(crate) e_kem_secret: &'static str,
    pub(crate) s_dh: &'static str,
    pub(crate) s_dh_secret: &'static str,
    pub(crate) s_kem: &'static str,
    pub(crate) s_kem_secret: &'static str,
    pub(crate) re_dh: &'static str,
    pub(crate) re_kem: &'static str,
    pub(crate) rs_dh: &'static str,
    pub(crate) rs_kem: &'static str,
}

const CLASSIC_NAMES: KeyNames = KeyNames {
    e_dh: "e",
    e_dh_secret: "e secret",
    e_kem: "e1",
    e_kem_secret: "e1 secret",
    s_dh: "s",
    s_dh_secret: "s secret",
    s_kem: "s_kem",
    s_kem_secret: "s_kem secret",
    re_dh: "re",
    re_kem: "re1",
    rs_dh: "rs",
    rs_kem: "rs_kem",
};

const PQ_NAMES: KeyNames = KeyNames {
    e_dh: "e_dh",
    e_dh_secret: "e_dh secret",
    e_kem: "e",
    e_kem_secret: "e secret",
    s_dh: "s_dh",
    s_dh_secret: "s_dh secret",
    s_kem: "s",
    s_kem_secret: "s secret",
    re_dh: "re_dh",
    re_kem: "re",
    rs_dh: "rs_dh",
    rs_kem: "rs",
};

const HYBRID_NAMES: KeyNames = KeyNames {
    e_kem: "e_kem",
    e_kem_secret: "e_kem secret",
    re_kem: "re_kem",
    ..CLASSIC_NAMES
};

impl Config {
    /// The pattern, modifiers applied.
    pub(crate) fn pattern(&self) -> &Pattern {
        self.name.pattern()
    }

    pub(crate) fn key_names(&self) -> &'static KeyNames {
        match self.pattern().kind() {
            PatternKind::Classic => &CLASSIC_NAMES,
            PatternKind::Pq => &PQ_NAMES,
            PatternKind::Hybrid => &HYBRID_NAMES,
        }
    }
}

/// What the messages so far have changed.
pub(crate) struct Dynamic {
    pub(crate) ss: SymmetricState,
    pub(crate) keys: Keys,
    pub(crate) next: usize,
}

/// The keys a handshake creates or learns, each at most once.
#[derive(Default)]
pub(crate) struct Keys {
    pub(crate) e_dh: Option<KeyPair>,
    pub(crate) e_kem: Option<KeyPair>,
    pub(crate) rs_dh: Option<Vec<u8>>,
    pub(crate) rs_kem: Option<Vec<u8>>,
    pub(crate) re_dh: Option<Vec<u8>>,
    pub(crate) re_kem: Option<Vec<u8>>,
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

impl Dynamic {
    /// Commits a successful step.
    pub(crate) fn commit(&mut self, ss: SymmetricState, new: Keys) {
        self.ss = ss;
        self.keys.absorb(new);
        self.next += 1;
    }
}

/// One message in progress. The committed state is only read; the step
/// works on a copy of the symmetric state (a few dozen bytes) and puts the
/// keys it creates or learns in `new`, so that a failure anywhere leaves
/// [`Dynamic`] exactly as it was, without copying the (KEM-sized) keys at
/// every step. Dropping an unfinished `Work` wipes its secrets.
pub(crate) struct Work<'d> {
    old: &'d Keys,
    ss: SymmetricState,
    new: Keys,
    next: usize,
}

impl<'d> Work<'d> {
    pub(crate) fn start(d: &'d Dynamic) -> Self {
        Self {
            old: &d.keys,
            ss: d.ss.duplicate(),
            new: Keys::default(),
            next: d.next,
        }
    }

    /// The result of a successful step, to commit.
    pub(crate) fn finish(self) -> (SymmetricState, Keys) {
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

fn missing(what: &'static str) -> HandshakeError {
    HandshakeError::MissingKey(what)
}

/// The DH of a DH token from `role`'s side (rev 34 §5.3), reported under
/// the token's name.
fn dh_token(c: &Config, w: &Work<'_>, t: Token, o: &mut Obs<'_>) -> Result<SecretBytes> {
    let dh = c.suite.dh.ok_or(missing("DH function"))?;
    let n = c.key_names();
    let e = || w.e_dh().ok_or(missing("local ephemeral DH key"));
    let s = || c.s_dh.as_deref().ok_or(missing("local static DH key"));
    let re = || w.re_dh().ok_or(missing("remote ephemeral DH key"));
    let rs = || w.rs_dh().ok_or(missing("remote static DH key"));
    let initiator = c.role == Role::Initiator;
    let (local, remote, names) = match (t, initiator) {
        (Token::Ee, _) => (e()?, re()?, [n.e_dh_secret, n.re_dh]),
        (Token::Ss, _) => (s()?, rs()?, [n.s_dh_secret, n.rs_dh]),
        (Token::Es, true) | (Token::Se, false) => (e()?, rs()?, [n.e_dh_secret, n.rs_dh]),
        (Token::Es, false) | (Token::Se, true) => (s()?, re()?, [n.s_dh_secret, n.re_dh]),
        _ => return Err(HandshakeError::Misuse("not a DH token")),
    };
    let shared = dh.dh(local.secret.expose(), remote)?;
    o.secret(t.as_str(), shared.expose(), dh.name(), &names);
    Ok(shared)
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

/// A fresh key pair drawn under `"<name> coins"`, or a copy of the fixed one
/// set for test vectors; reported as `"<name> secret"` and `name`.
fn ephemeral(
    fixed: Option<&KeyPair>,
    [name, secret_name]: [&str; 2],
    o: &mut Obs<'_>,
    generate: impl FnOnce(&mut dyn CryptoRng) -> twofold_core::Result<(Vec<u8>, SecretBytes)>,
    rng: &mut dyn CryptoRng,
) -> Result<KeyPair> {
    let coins = if o.on() {
        format!("{name} coins")
    } else {
        String::new()
    };
    let kp = match fixed {
        Some(k) => k.duplicate(),
        None => {
            let (public, secret) = generate(&mut o.rng(rng, &coins))?;
            KeyPair { public, secret }
        }
    };
    if o.on() {
        let op = if fixed.is_some() { "fixed" } else { "keygen" };
        o.secret(secret_name, kp.secret.expose(), op, &[&coins]);
        o.public(name, &kp.public, op, &[secret_name]);
    }
    Ok(kp)
}

/// `"<token> ct"`, `"<token> ss"` and `"<token> coins"` (empty when off).
fn kem_names(t: Token, o: &Obs<'_>) -> [String; 3] {
    if o.on() {
        let t = t.as_str();
        [format!("{t} ct"), format!("{t} ss"), format!("{t} coins")]
    } else {
        Default::default()
    }
}

/// The name of message `i` (0-based) as reported on the wire.
pub(crate) fn message_name(i: usize, o: &Obs<'_>) -> String {
    if o.on() {
        format!("message {}", i + 1)
    } else {
        String::new()
    }
}

/// Writes the next message: every token, then the payload.
pub(crate) fn write_tokens(
    c: &Config,
    w: &mut Work<'_>,
    rng: &mut dyn CryptoRng,
    payload: &[u8],
    o: &mut Obs<'_>,
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
    let n = c.key_names();
    let psk_mode = pattern.has_psk();
    let kind = pattern.kind();
    let tokens = &pattern.messages()[w.next];
    let mut out = Vec::with_capacity(message_capacity(c, tokens, payload.len()));
    let arrow = match c.role {
        Role::Initiator => "->",
        Role::Responder => "<-",
    };
    // The bytes each token put on the wire, reported as `-> e`, `<- ekem1`,
    // ... in the specification's message notation (names built when on).
    let mut segments: Vec<String> = Vec::new();
    let mut segment = |o: &mut Obs<'_>, t: &str, bytes: &[u8]| {
        if o.on() {
            let name = format!("{arrow} {t}");
            o.value(&name, Kind::Wire, bytes, "token", &[]);
            segments.push(name);
        }
    };
    for &t in tokens {
        let start = out.len();
        match t {
            Token::E => {
                if kind != PatternKind::Pq {
                    let dh = c.suite.dh.ok_or(missing("DH function"))?;
                    let names = [n.e_dh, n.e_dh_secret];
                    let kp = ephemeral(c.fixed_e_dh.as_ref(), names, o, |r| dh.generate(r), rng)?;
                    out.extend_from_slice(&kp.public);
                    w.ss.mix_hash(&kp.public, n.e_dh, o);
                    if psk_mode {
                        w.ss.mix_key(&kp.public, n.e_dh, o)?;
                    }
                    w.new.e_dh = Some(kp);
                }
                if kind != PatternKind::Classic {
                    let kem = c.suite.ekem.ok_or(missing("ephemeral KEM"))?;
                    let names = [n.e_kem, n.e_kem_secret];
                    let kp = ephemeral(c.fixed_e_kem.as_ref(), names, o, |r| kem.generate(r), rng)?;
                    out.extend_from_slice(&kp.public);
                    w.ss.mix_hash(&kp.public, n.e_kem, o);
                    if psk_mode {
                        w.ss.mix_key(&kp.public, n.e_kem, o)?;
                    }
                    w.new.e_kem = Some(kp);
                }
            }
            Token::S => {
                if kind != PatternKind::Pq {
                    let s = c.s_dh.as_ref().ok_or(missing("local static DH key"))?;
                    out.extend(w.ss.encrypt_and_hash(&s.public, n.s_dh, o)?);
                }
                if kind != PatternKind::Classic {
                    let s = c.s_kem.as_ref().ok_or(missing("local static KEM key"))?;
                    out.extend(w.ss.encrypt_and_hash(&s.public, n.s_kem, o)?);
                }
            }
            Token::Ee | Token::Es | Token::Se | Token::Ss => {
                let shared = dh_token(c, w, t, o)?;
                w.ss.mix_key(shared.expose(), t.as_str(), o)?;
            }
            Token::Psk(k) => {
                let name = if o.on() {
                    format!("psk{k}")
                } else {
                    String::new()
                };
                w.ss.mix_key_and_hash(psk_of(c, k)?.expose(), &name, o)?;
            }
            Token::E1 => {
                let kem = c.suite.ekem.ok_or(missing("hfs KEM"))?;
                let names = [n.e_kem, n.e_kem_secret];
                let kp = ephemeral(c.fixed_e_kem.as_ref(), names, o, |r| kem.generate(r), rng)?;
                out.extend(w.ss.encrypt_and_hash(&kp.public, n.e_kem, o)?);
                w.new.e_kem = Some(kp);
            }
            Token::Ekem1 | Token::Ekem | Token::Skem => {
                let (kem, remote, remote_name) = match t {
                    Token::Skem => (
                        c.suite.skem.ok_or(missing("static KEM"))?,
                        w.rs_kem().ok_or(missing("remote static KEM key"))?,
                        n.rs_kem,
                    ),
                    _ => (
                        c.suite.ekem.ok_or(missing("ephemeral KEM"))?,
                        w.re_kem().ok_or(missing("remote ephemeral KEM key"))?,
                        n.re_kem,
                    ),
                };
                let [ct_name, ss_name, coins] = kem_names(t, o);
                let (ct, shared) = kem.encapsulate(remote, &mut o.rng(rng, &coins))?;
                if o.on() {
                    o.public(&ct_name, &ct, "encaps", &[remote_name, &coins]);
                    o.secret(&ss_name, shared.expose(), "encaps", &[remote_name, &coins]);
                }
                match t {
                    Token::Ekem => {
                        out.extend_from_slice(&ct);
                        w.ss.mix_hash(&ct, &ct_name, o);
                        w.ss.mix_key(shared.expose(), &ss_name, o)?;
                    }
                    Token::Ekem1 => {
                        out.extend(w.ss.encrypt_and_hash(&ct, &ct_name, o)?);
                        w.ss.mix_key(shared.expose(), &ss_name, o)?;
                    }
                    _ => {
                        out.extend(w.ss.encrypt_and_hash(&ct, &ct_name, o)?);
                        w.ss.mix_key_and_hash(shared.expose(), &ss_name, o)?;
                    }
                }
            }
        }
        if o.on() {
            let name = match t {
                Token::Psk(k) => format!("psk{k}"),
                t => t.as_str().to_string(),
            };
            segment(o, &name, &out[start..]);
        }
    }
    o.public("payload", payload, "input", &[]);
    let start = out.len();
    out.extend(w.ss.encrypt_and_hash(payload, "payload", o)?);
    segment(o, "payload", &out[start..]);
    if out.len() > MAX_MESSAGE_LEN {
        return Err(HandshakeError::Oversized {
            what: "handshake message",
            max: MAX_MESSAGE_LEN,
            actual: out.len(),
        });
    }
    if o.on() {
        let inputs: Vec<&str> = segments.iter().map(String::as_str).collect();
        o.wire(&message_name(w.next, o), &out, &inputs);
    }
    Ok(out)
}

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

/// Reads the peer's next message: every token, then the payload.
pub(crate) fn read_tokens(
    c: &Config,
    w: &mut Work<'_>,
    message: &[u8],
    o: &mut Obs<'_>,
) -> Result<Vec<u8>> {
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
    let n = c.key_names();
    let from = message_name(w.next, o);
    let from = from.as_str();
    o.value(from, Kind::Wire, message, "received", &[]);
    let psk_mode = pattern.has_psk();
    let kind = pattern.kind();
    let mut r = Reader { rest: message };
    for &t in &pattern.messages()[w.next] {
        match t {
            Token::E => {
                if kind != PatternKind::Pq {
                    let dh = c.suite.dh.ok_or(missing("DH function"))?;
                    let pk = r.take(dh.sizes().pk, "ephemeral DH public key")?;
                    o.public(n.re_dh, pk, "read", &[from]);
                    w.ss.mix_hash(pk, n.re_dh, o);
                    if psk_mode {
                        w.ss.mix_key(pk, n.re_dh, o)?;
                    }
                    w.new.re_dh = Some(pk.to_vec());
                }
                if kind != PatternKind::Classic {
                    let kem = c.suite.ekem.ok_or(missing("ephemeral KEM"))?;
                    let pk = r.take(kem.sizes().pk, "ephemeral KEM public key")?;
                    o.public(n.re_kem, pk, "read", &[from]);
                    w.ss.mix_hash(pk, n.re_kem, o);
                    if psk_mode {
                        w.ss.mix_key(pk, n.re_kem, o)?;
                    }
                    w.new.re_kem = Some(pk.to_vec());
                }
            }
            Token::S => {
                if kind != PatternKind::Pq {
                    let dh = c.suite.dh.ok_or(missing("DH function"))?;
                    let len = dh.sizes().pk + w.ss.cipher().overhead();
                    let ct = r.take(len, "static DH public key")?;
                    let pk = w.ss.decrypt_and_hash(ct, n.s_dh, n.rs_dh, from, o)?;
                    w.new.rs_dh = Some(pk);
                }
                if kind != PatternKind::Classic {
                    let kem = c.suite.skem.ok_or(missing("static KEM"))?;
                    let len = kem.sizes().pk + w.ss.cipher().overhead();
                    let ct = r.take(len, "static KEM public key")?;
                    let pk = w.ss.decrypt_and_hash(ct, n.s_kem, n.rs_kem, from, o)?;
                    w.new.rs_kem = Some(pk);
                }
            }
            Token::Ee | Token::Es | Token::Se | Token::Ss => {
                let shared = dh_token(c, w, t, o)?;
                w.ss.mix_key(shared.expose(), t.as_str(), o)?;
            }
            Token::Psk(k) => {
                let name = if o.on() {
                    format!("psk{k}")
                } else {
                    String::new()
                };
                w.ss.mix_key_and_hash(psk_of(c, k)?.expose(), &name, o)?;
            }
            Token::E1 => {
                let kem = c.suite.ekem.ok_or(missing("hfs KEM"))?;
                let len = kem.sizes().pk + w.ss.cipher().overhead();
                let ct = r.take(len, "e1 KEM public key")?;
                let pk = w.ss.decrypt_and_hash(ct, n.e_kem, n.re_kem, from, o)?;
                w.new.re_kem = Some(pk);
            }
            Token::Ekem1 | Token::Ekem | Token::Skem => {
                let [ct_name, ss_name, _] = kem_names(t, o);
                let (kem, what) = match t {
                    Token::Skem => (
                        c.suite.skem.ok_or(missing("static KEM"))?,
                        "skem KEM ciphertext",
                    ),
                    Token::Ekem => (
                        c.suite.ekem.ok_or(missing("ephemeral KEM"))?,
                        "ekem KEM ciphertext",
                    ),
                    _ => (
                        c.suite.ekem.ok_or(missing("hfs KEM"))?,
                        "ekem1 KEM ciphertext",
                    ),
                };
                let ct = if t == Token::Ekem {
                    let ct = r.take(kem.sizes().ct, what)?;
                    o.public(&ct_name, ct, "read", &[from]);
                    w.ss.mix_hash(ct, &ct_name, o);
                    ct.to_vec()
                } else {
                    let len = kem.sizes().ct + w.ss.cipher().overhead();
                    let enc = r.take(len, what)?;
                    w.ss.decrypt_and_hash(enc, &ct_name, &ct_name, from, o)?
                };
                // Ephemeral keys were generated here; static keys were
                // checked by the builder.
                let (key, key_name) = if t == Token::Skem {
                    let s = c.s_kem.as_deref().ok_or(missing("local static KEM key"))?;
                    (s, n.s_kem_secret)
                } else {
                    let e = w.e_kem().ok_or(missing("local ephemeral KEM key"))?;
                    (e, n.e_kem_secret)
                };
                let shared = kem.decapsulate_prechecked(key.secret.expose(), &ct)?;
                o.secret(&ss_name, shared.expose(), "decaps", &[key_name, &ct_name]);
                if t == Token::Skem {
                    w.ss.mix_key_and_hash(shared.expose(), &ss_name, o)?;
                } else {
                    w.ss.mix_key(shared.expose(), &ss_name, o)?;
                }
            }
        }
    }
    let tag = w.ss.cipher().overhead();
    if r.rest.len() < tag {
        return Err(HandshakeError::Truncated {
            what: "payload tag",
            expected: tag,
            actual: r.rest.len(),
        });
    }
    w.ss.decrypt_and_hash(r.rest, "payload", "payload", from, o)
}
