//! Tokens, handshake patterns, the pattern tables and the modifiers.
//!
//! The tables are written in the notation of the specifications, so that a
//! reader can hold each line against its source:
//! * classic patterns: Noise rev 34 §7.4 (one-way), §7.5 (fundamental
//!   interactive), §7.6 (deferred);
//! * `pq*` patterns: PQNoise (Angel et al., CCS 2022) as clatter 2.3
//!   implements them (`src/handshakepattern.rs`);
//! * `hybrid*` patterns: clatter 2.3's true-hybrid patterns (the NQ pattern
//!   with the PQ tokens merged in, `ekem` before `skem` before any public key).
//!
//! Modifiers: `pskN` (rev 34 §9.2) and `hfs` (noise_hfs.md §5, placed by the
//! rule in its text, as snow does; the KKhfs and INhfs rows of the spec's
//! example table disagree with that rule, and the rule wins).

use std::fmt;

/// Who speaks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Sends the first handshake message.
    Initiator,
    /// Receives the first handshake message.
    Responder,
}

impl Role {
    /// The other party.
    pub fn peer(self) -> Role {
        match self {
            Role::Initiator => Role::Responder,
            Role::Responder => Role::Initiator,
        }
    }

    /// "initiator" / "responder".
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Initiator => "initiator",
            Role::Responder => "responder",
        }
    }
}

impl From<Role> for twofold_core::Party {
    fn from(r: Role) -> Self {
        match r {
            Role::Initiator => twofold_core::Party::Initiator,
            Role::Responder => twofold_core::Party::Responder,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One token of a message pattern, named as the specifications name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Token {
    /// `e`: the sender's ephemeral public key (DH; KEM in `pq*`; DH then
    /// KEM in `hybrid*`), sent in clear.
    E,
    /// `s`: the sender's static public key, `EncryptAndHash`ed.
    S,
    /// `ee`: DH(initiator e, responder e).
    Ee,
    /// `es`: DH(initiator e, responder s).
    Es,
    /// `se`: DH(initiator s, responder e).
    Se,
    /// `ss`: DH(initiator s, responder s).
    Ss,
    /// `psk`: `MixKeyAndHash(psk)`; the number is the modifier's (`psk2` -> 2).
    Psk(u8),
    /// hfs `e1`: an ephemeral KEM public key, `EncryptAndHash`ed.
    E1,
    /// hfs `ekem1`: a ciphertext to the peer's `e1`, `EncryptAndHash`ed,
    /// then `MixKey(kem_output)`.
    Ekem1,
    /// PQNoise `ekem`: a ciphertext to the peer's ephemeral KEM key, sent in
    /// clear with `MixHash`, then `MixKey(ss)`.
    Ekem,
    /// PQNoise `skem`: a ciphertext to the peer's static KEM key,
    /// `EncryptAndHash`ed, then `MixKeyAndHash(ss)`.
    Skem,
}

impl Token {
    /// The token as the pattern notation writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Token::E => "e",
            Token::S => "s",
            Token::Ee => "ee",
            Token::Es => "es",
            Token::Se => "se",
            Token::Ss => "ss",
            Token::Psk(_) => "psk",
            Token::E1 => "e1",
            Token::Ekem1 => "ekem1",
            Token::Ekem => "ekem",
            Token::Skem => "skem",
        }
    }

    fn is_dh(self) -> bool {
        matches!(self, Token::Ee | Token::Es | Token::Se | Token::Ss)
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `e` and `s` stand for, and which tokens a pattern may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternKind {
    /// Noise rev 34: DH keys (plus `e1`/`ekem1` with the `hfs` modifier).
    Classic,
    /// PQNoise (`pq` prefix): `e`/`s` are KEM keys; `ekem`, `skem`.
    Pq,
    /// clatter's hybrid (`hybrid` prefix): `e`/`s` carry a DH key then a KEM
    /// key; DH tokens and `ekem`/`skem`.
    Hybrid,
}

impl PatternKind {
    /// The pattern-name prefix ("", "pq", "hybrid").
    pub fn prefix(self) -> &'static str {
        match self {
            PatternKind::Classic => "",
            PatternKind::Pq => super::labels::PQ_PREFIX,
            PatternKind::Hybrid => super::labels::HYBRID_PREFIX,
        }
    }
}

/// A pattern modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    /// `pskN`.
    Psk(u8),
    /// `hfs`.
    Hfs,
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Modifier::Psk(n) => write!(f, "{}{n}", super::labels::PSK_MODIFIER),
            Modifier::Hfs => f.write_str(super::labels::HFS_MODIFIER),
        }
    }
}

/// A complete handshake pattern: pre-messages and messages, modifiers
/// applied. Message `i` is sent by the initiator when `i` is even.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    kind: PatternKind,
    pre_initiator: Vec<Token>,
    pre_responder: Vec<Token>,
    messages: Vec<Vec<Token>>,
}

/// Classic patterns, rev 34 §7.4-§7.6.
const CLASSIC: &[(&str, &str)] = &[
    // §7.4 one-way
    ("N", "<- s\n...\n-> e, es"),
    ("K", "-> s\n<- s\n...\n-> e, es, ss"),
    ("X", "<- s\n...\n-> e, es, s, ss"),
    // §7.5 fundamental interactive
    ("NN", "-> e\n<- e, ee"),
    ("NK", "<- s\n...\n-> e, es\n<- e, ee"),
    ("NX", "-> e\n<- e, ee, s, es"),
    ("XN", "-> e\n<- e, ee\n-> s, se"),
    ("XK", "<- s\n...\n-> e, es\n<- e, ee\n-> s, se"),
    ("XX", "-> e\n<- e, ee, s, es\n-> s, se"),
    ("KN", "-> s\n...\n-> e\n<- e, ee, se"),
    ("KK", "-> s\n<- s\n...\n-> e, es, ss\n<- e, ee, se"),
    ("KX", "-> s\n...\n-> e\n<- e, ee, se, s, es"),
    ("IN", "-> e, s\n<- e, ee, se"),
    ("IK", "<- s\n...\n-> e, es, s, ss\n<- e, ee, se"),
    ("IX", "-> e, s\n<- e, ee, se, s, es"),
    // §7.6 deferred
    ("NK1", "<- s\n...\n-> e\n<- e, ee, es"),
    ("NX1", "-> e\n<- e, ee, s\n-> es"),
    ("X1N", "-> e\n<- e, ee\n-> s\n<- se"),
    ("X1K", "<- s\n...\n-> e, es\n<- e, ee\n-> s\n<- se"),
    ("XK1", "<- s\n...\n-> e\n<- e, ee, es\n-> s, se"),
    ("X1K1", "<- s\n...\n-> e\n<- e, ee, es\n-> s\n<- se"),
    ("X1X", "-> e\n<- e, ee, s, es\n-> s\n<- se"),
    ("XX1", "-> e\n<- e, ee, s\n-> es, s, se"),
    ("X1X1", "-> e\n<- e, ee, s\n-> es, s\n<- se"),
    ("K1N", "-> s\n...\n-> e\n<- e, ee\n-> se"),
    ("K1K", "-> s\n<- s\n...\n-> e, es\n<- e, ee\n-> se"),
    ("KK1", "-> s\n<- s\n...\n-> e\n<- e, ee, se, es"),
    ("K1K1", "-> s\n<- s\n...\n-> e\n<- e, ee, es\n-> se"),
    ("K1X", "-> s\n...\n-> e\n<- e, ee, s, es\n-> se"),
    ("KX1", "-> s\n...\n-> e\n<- e, ee, se, s\n-> es"),
    ("K1X1", "-> s\n...\n-> e\n<- e, ee, s\n-> se, es"),
    ("I1N", "-> e, s\n<- e, ee\n-> se"),
    ("I1K", "<- s\n...\n-> e, es, s\n<- e, ee\n-> se"),
    ("IK1", "<- s\n...\n-> e, s\n<- e, ee, se, es"),
    ("I1K1", "<- s\n...\n-> e, s\n<- e, ee, es\n-> se"),
    ("I1X", "-> e, s\n<- e, ee, s, es\n-> se"),
    ("IX1", "-> e, s\n<- e, ee, se, s\n-> es"),
    ("I1X1", "-> e, s\n<- e, ee, s\n-> se, es"),
];

/// PQNoise patterns (base names; the `pq` prefix is added), as clatter 2.3.
const PQ: &[(&str, &str)] = &[
    ("NN", "-> e\n<- ekem"),
    ("NK", "<- s\n...\n-> skem, e\n<- ekem"),
    ("NX", "-> e\n<- ekem, s\n-> skem"),
    ("KN", "-> s\n...\n-> e\n<- ekem, skem"),
    ("KK", "-> s\n<- s\n...\n-> skem, e\n<- ekem, skem"),
    ("KX", "-> s\n...\n-> e\n<- ekem, skem, s\n-> skem"),
    ("XN", "-> e\n<- ekem\n-> s\n<- skem"),
    ("XK", "<- s\n...\n-> skem, e\n<- ekem\n-> s\n<- skem"),
    ("XX", "-> e\n<- ekem, s\n-> skem, s\n<- skem"),
    ("IN", "-> e, s\n<- ekem, skem"),
    ("IK", "<- s\n...\n-> skem, e, s\n<- ekem, skem"),
    ("IX", "-> e, s\n<- ekem, skem, s\n-> skem"),
];

/// clatter 2.3's hybrid patterns (base names; the `hybrid` prefix is added).
const HYBRID: &[(&str, &str)] = &[
    ("NN", "-> e\n<- ekem, e, ee"),
    ("NK", "<- s\n...\n-> skem, e, es\n<- ekem, e, ee"),
    ("NX", "-> e\n<- ekem, e, ee, s, es\n-> skem"),
    ("KN", "-> s\n...\n-> e\n<- ekem, skem, e, ee, se"),
    (
        "KK",
        "-> s\n<- s\n...\n-> skem, e, es, ss\n<- ekem, skem, e, ee, se",
    ),
    (
        "KX",
        "-> s\n...\n-> e\n<- ekem, skem, e, ee, se, s, es\n-> skem",
    ),
    ("XN", "-> e\n<- ekem, e, ee\n-> s, se\n<- skem"),
    (
        "XK",
        "<- s\n...\n-> skem, e, es\n<- ekem, e, ee\n-> s, se\n<- skem",
    ),
    ("XX", "-> e\n<- ekem, e, ee, s, es\n-> skem, s, se\n<- skem"),
    ("IN", "-> e, s\n<- ekem, skem, e, ee, se"),
    (
        "IK",
        "<- s\n...\n-> skem, e, es, s, ss\n<- ekem, skem, e, ee, se",
    ),
    ("IX", "-> e, s\n<- ekem, skem, e, ee, se, s, es\n-> skem"),
];

fn table(kind: PatternKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        PatternKind::Classic => CLASSIC,
        PatternKind::Pq => PQ,
        PatternKind::Hybrid => HYBRID,
    }
}

/// Every base pattern name of a kind, with its prefix (`XX`, `pqXX`, ...).
pub fn pattern_names(kind: PatternKind) -> Vec<String> {
    table(kind)
        .iter()
        .map(|(n, _)| format!("{}{n}", kind.prefix()))
        .collect()
}

/// The base pattern name as it appears in [`pattern_names`], if the table has it.
pub(crate) fn lookup_base(kind: PatternKind, base: &str) -> Option<&'static str> {
    table(kind)
        .iter()
        .find(|(n, _)| *n == base)
        .map(|(n, _)| *n)
}

impl Pattern {
    /// A table pattern (`base` without prefix) with `modifiers` applied in
    /// order. The reason of an error is a sentence for
    /// [`crate::HandshakeError::InvalidSuite`].
    pub fn from_table(
        kind: PatternKind,
        base: &str,
        modifiers: &[Modifier],
    ) -> Result<Pattern, String> {
        let (_, text) = table(kind)
            .iter()
            .find(|(n, _)| *n == base)
            .ok_or_else(|| {
                format!(
                    "unknown {}pattern {:?}; available: {}",
                    match kind {
                        PatternKind::Classic => "",
                        PatternKind::Pq => "PQNoise ",
                        PatternKind::Hybrid => "hybrid ",
                    },
                    format!("{}{base}", kind.prefix()),
                    pattern_names(kind).join(", ")
                )
            })?;
        let mut p = Pattern::parse(kind, text)?;
        for m in modifiers {
            match *m {
                Modifier::Psk(n) => p.apply_psk(n)?,
                Modifier::Hfs => {
                    if kind != PatternKind::Classic {
                        return Err(
                            "the hfs modifier applies to classic (DH) patterns only".to_string()
                        );
                    }
                    if p.is_one_way() {
                        return Err(
                            "the hfs modifier must not be used with one-way patterns (noise_hfs.md §5)"
                                .to_string(),
                        );
                    }
                    apply_hfs(&mut p.messages);
                }
            }
        }
        p.validate()?;
        Ok(p)
    }

    /// Parses a pattern written in the spec's notation, one message per line:
    /// optional pre-message lines (`-> s`, `<- s`) followed by a `...` line,
    /// then `-> tokens` / `<- tokens` lines alternating from `->`. A `psk`
    /// token written here is numbered by the message it is in (rev 34 §9.2
    /// places `pskN` at the end of message N, `psk0` at the start of the
    /// first). The result is checked as [`Pattern::from_table`] checks.
    pub fn parse(kind: PatternKind, text: &str) -> Result<Pattern, String> {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let (pre, msgs) = match lines.iter().position(|l| *l == "...") {
            Some(i) => (&lines[..i], &lines[i + 1..]),
            None => (&lines[..0], &lines[..]),
        };
        let mut p = Pattern {
            kind,
            pre_initiator: Vec::new(),
            pre_responder: Vec::new(),
            messages: Vec::new(),
        };
        for line in pre {
            let (dir, tokens) = split_line(line)?;
            let list = match dir {
                Role::Initiator => &mut p.pre_initiator,
                Role::Responder => &mut p.pre_responder,
            };
            if !list.is_empty() {
                return Err(format!("two pre-message lines for the {dir}"));
            }
            for t in tokens {
                match t {
                    "s" => list.push(Token::S),
                    "e" => {
                        return Err(
                            "pre-message `e` (fallback patterns) is not supported".to_string()
                        );
                    }
                    other => return Err(format!("pre-message token {other:?}: only `s` allowed")),
                }
            }
        }
        if msgs.is_empty() {
            return Err("a pattern needs at least one message".to_string());
        }
        for (i, line) in msgs.iter().enumerate() {
            let (dir, tokens) = split_line(line)?;
            let expected = if i.is_multiple_of(2) {
                Role::Initiator
            } else {
                Role::Responder
            };
            if dir != expected {
                return Err(format!(
                    "message {} must be sent by the {expected} (`{}`)",
                    i + 1,
                    if expected == Role::Initiator {
                        "->"
                    } else {
                        "<-"
                    }
                ));
            }
            let n = u8::try_from(i + 1).map_err(|_| "too many messages".to_string())?;
            let mut msg = Vec::new();
            for (j, t) in tokens.iter().enumerate() {
                msg.push(match *t {
                    "e" => Token::E,
                    "s" => Token::S,
                    "ee" => Token::Ee,
                    "es" => Token::Es,
                    "se" => Token::Se,
                    "ss" => Token::Ss,
                    "e1" => Token::E1,
                    "ekem1" => Token::Ekem1,
                    "ekem" => Token::Ekem,
                    "skem" => Token::Skem,
                    // psk0 sits first in message 1; pskN last in message N.
                    "psk" if i == 0 && j == 0 => Token::Psk(0),
                    "psk" => Token::Psk(n),
                    other => return Err(format!("unknown token {other:?}")),
                });
            }
            p.messages.push(msg);
        }
        p.validate()?;
        Ok(p)
    }

    /// Inserts `psk` per rev 34 §9.2: `psk0` first in message 1, `pskN`
    /// last in message N.
    fn apply_psk(&mut self, n: u8) -> Result<(), String> {
        let count = self.messages.len();
        let idx = usize::from(n).saturating_sub(1);
        let msg = self.messages.get_mut(idx).ok_or_else(|| {
            format!("psk{n} is out of range: the pattern has {count} messages (psk0..psk{count})")
        })?;
        if n == 0 {
            msg.insert(0, Token::Psk(0));
        } else {
            msg.push(Token::Psk(n));
        }
        Ok(())
    }

    /// The rules every pattern must satisfy (rev 34 §7.3 and §9.3, the
    /// PQNoise ordering rule, token sets per kind).
    fn validate(&self) -> Result<(), String> {
        #[derive(Default, Clone, Copy)]
        struct Party {
            e: bool,
            s: bool,
            e1: bool,
            psk: bool,
            randomness: bool,
        }
        let mut parties = [Party::default(), Party::default()];
        let idx = |r: Role| usize::from(r == Role::Responder);
        for (role, pre) in [
            (Role::Initiator, &self.pre_initiator),
            (Role::Responder, &self.pre_responder),
        ] {
            for t in pre {
                if *t != Token::S {
                    return Err(format!("pre-message token {t}: only `s` allowed"));
                }
                if parties[idx(role)].s {
                    return Err(format!("the {role} sends `s` twice"));
                }
                parties[idx(role)].s = true;
            }
        }
        let mut seen_psk = Vec::new();
        for (i, msg) in self.messages.iter().enumerate() {
            let from = self.sender(i);
            let (x, y) = (idx(from), idx(from.peer()));
            let (ini, res) = (idx(Role::Initiator), idx(Role::Responder));
            let mut public_key_seen = false;
            let mut skem_seen = false;
            for t in msg {
                let allowed = match self.kind {
                    PatternKind::Classic => !matches!(t, Token::Ekem | Token::Skem),
                    PatternKind::Pq => !t.is_dh() && !matches!(t, Token::E1 | Token::Ekem1),
                    PatternKind::Hybrid => !matches!(t, Token::E1 | Token::Ekem1),
                };
                if !allowed {
                    return Err(format!(
                        "token `{t}` is not allowed in a {:?} pattern",
                        self.kind
                    ));
                }
                let encrypted_data = |p: &Party| !p.psk || p.randomness;
                match *t {
                    Token::E => {
                        if parties[x].e {
                            return Err(format!("the {from} sends `e` twice"));
                        }
                        parties[x].e = true;
                        parties[x].randomness = true;
                        public_key_seen = true;
                    }
                    Token::S => {
                        if parties[x].s {
                            return Err(format!("the {from} sends `s` twice"));
                        }
                        if !encrypted_data(&parties[x]) {
                            return Err(psk_rule(from));
                        }
                        parties[x].s = true;
                        public_key_seen = true;
                    }
                    Token::Ee | Token::Es | Token::Se | Token::Ss => {
                        let (a, b) = match t {
                            Token::Ee => (parties[ini].e, parties[res].e),
                            Token::Es => (parties[ini].e, parties[res].s),
                            Token::Se => (parties[ini].s, parties[res].e),
                            _ => (parties[ini].s, parties[res].s),
                        };
                        if !(a && b) {
                            return Err(format!(
                                "`{t}` in message {} uses a key not yet sent",
                                i + 1
                            ));
                        }
                    }
                    Token::Psk(n) => {
                        if seen_psk.contains(&n) {
                            return Err(format!("psk{n} appears twice"));
                        }
                        seen_psk.push(n);
                        parties[x].psk = true;
                        parties[y].psk = true;
                    }
                    Token::E1 => {
                        if parties[x].e1 {
                            return Err(format!("the {from} sends `e1` twice"));
                        }
                        if !encrypted_data(&parties[x]) {
                            return Err(psk_rule(from));
                        }
                        parties[x].e1 = true;
                    }
                    Token::Ekem1 => {
                        if !parties[y].e1 {
                            return Err(format!(
                                "`ekem1` in message {} before the peer's `e1`",
                                i + 1
                            ));
                        }
                        if !encrypted_data(&parties[x]) {
                            return Err(psk_rule(from));
                        }
                    }
                    Token::Ekem => {
                        if !parties[y].e {
                            return Err(format!(
                                "`ekem` in message {} before the peer's `e`",
                                i + 1
                            ));
                        }
                        // PQNoise §2.4: ekem precedes skem, which precedes public keys.
                        if skem_seen || public_key_seen {
                            return Err(format!(
                                "message {}: `ekem` must precede `skem` and all public keys",
                                i + 1
                            ));
                        }
                        parties[x].randomness = true;
                    }
                    Token::Skem => {
                        if !parties[y].s {
                            return Err(format!(
                                "`skem` in message {} before the peer's `s`",
                                i + 1
                            ));
                        }
                        if public_key_seen {
                            return Err(format!(
                                "message {}: `skem` must precede all public keys",
                                i + 1
                            ));
                        }
                        if !encrypted_data(&parties[x]) {
                            return Err(psk_rule(from));
                        }
                        skem_seen = true;
                        parties[x].randomness = true;
                    }
                }
            }
            // The payload is encrypted data too.
            if parties[x].psk && !parties[x].randomness {
                return Err(psk_rule(from));
            }
        }
        Ok(())
    }

    /// The kind of pattern.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    /// Pre-message tokens of the initiator (`-> s` before `...`).
    pub fn pre_initiator(&self) -> &[Token] {
        &self.pre_initiator
    }

    /// Pre-message tokens of the responder (`<- s` before `...`).
    pub fn pre_responder(&self) -> &[Token] {
        &self.pre_responder
    }

    /// Pre-message tokens of `role`.
    pub fn pre_message(&self, role: Role) -> &[Token] {
        match role {
            Role::Initiator => &self.pre_initiator,
            Role::Responder => &self.pre_responder,
        }
    }

    /// The message patterns, in order (even indices: initiator).
    pub fn messages(&self) -> &[Vec<Token>] {
        &self.messages
    }

    /// Who sends message `i` (0-based).
    pub fn sender(&self, i: usize) -> Role {
        if i.is_multiple_of(2) {
            Role::Initiator
        } else {
            Role::Responder
        }
    }

    /// A one-way pattern (rev 34 §7.4): a single message.
    pub fn is_one_way(&self) -> bool {
        self.messages.len() == 1
    }

    /// Whether any `psk` token occurs (rev 34 §9.2 then adds `MixKey(e)`).
    pub fn has_psk(&self) -> bool {
        self.messages
            .iter()
            .flatten()
            .any(|t| matches!(t, Token::Psk(_)))
    }

    /// The psk numbers used, in token order.
    pub fn psk_numbers(&self) -> Vec<u8> {
        self.messages
            .iter()
            .flatten()
            .filter_map(|t| match t {
                Token::Psk(n) => Some(*n),
                _ => None,
            })
            .collect()
    }

    /// Whether `role` sends or uses its own static key anywhere.
    pub fn uses_local_static(&self, role: Role) -> bool {
        if self.pre_message(role).contains(&Token::S) {
            return true;
        }
        self.messages.iter().enumerate().any(|(i, m)| {
            m.iter().any(|t| match t {
                Token::S => self.sender(i) == role,
                Token::Ss => true,
                Token::Es => role == Role::Responder,
                Token::Se => role == Role::Initiator,
                // The receiver of skem decapsulates with its static key.
                Token::Skem => self.sender(i) != role,
                _ => false,
            })
        })
    }

    /// Whether `role` must know the peer's static key before the handshake
    /// (the peer's pre-message has `s`).
    pub fn needs_remote_static(&self, role: Role) -> bool {
        self.pre_message(role.peer()).contains(&Token::S)
    }

    /// Whether `e1`/`ekem1` occur (the hfs modifier, or written by hand).
    pub fn uses_hfs_tokens(&self) -> bool {
        self.messages
            .iter()
            .flatten()
            .any(|t| matches!(t, Token::E1 | Token::Ekem1))
    }
}

fn psk_rule(role: Role) -> String {
    format!(
        "PSK validity rule (rev 34 §9.3): the {role} would send encrypted data after a psk \
         without having sent its own randomness (e, or ekem/skem in PQ patterns)"
    )
}

fn split_line(line: &str) -> Result<(Role, Vec<&str>), String> {
    let (dir, rest) = if let Some(r) = line.strip_prefix("->") {
        (Role::Initiator, r)
    } else if let Some(r) = line.strip_prefix("<-") {
        (Role::Responder, r)
    } else {
        return Err(format!("pattern line {line:?} must start with -> or <-"));
    };
    let tokens: Vec<&str> = rest.split(',').map(str::trim).collect();
    if tokens.iter().any(|t| t.is_empty()) {
        return Err(format!("empty token in pattern line {line:?}"));
    }
    Ok((dir, tokens))
}

/// The hfs modifier (noise_hfs.md §5): "adds an `e1` token directly
/// following the first occurrence of `e`, unless there is a DH operation in
/// this same message, in which case [it] is placed directly after this DH
/// (so that the public key will be encrypted). [It] also adds an `ekem1`
/// token directly following the first occurrence of `ee`."
///
/// "This DH" is read as the first DH token of that message, as snow 0.10
/// reads it. The spec's example table disagrees with its own rule for KKhfs
/// (it prints `-> e, e1, es, ss`); the rule (and snow) give
/// `-> e, es, e1, ss`, which is what this function produces. The table's
/// INhfs response also lacks `ee`; the rule keeps it.
fn apply_hfs(messages: &mut [Vec<Token>]) {
    for msg in messages.iter_mut() {
        if let Some(e_idx) = msg.iter().position(|t| *t == Token::E) {
            let at = match msg.iter().position(|t| t.is_dh()) {
                Some(dh_idx) => dh_idx + 1,
                None => e_idx + 1,
            };
            msg.insert(at, Token::E1);
            break;
        }
    }
    for msg in messages.iter_mut() {
        if let Some(ee_idx) = msg.iter().position(|t| *t == Token::Ee) {
            msg.insert(ee_idx + 1, Token::Ekem1);
            break;
        }
    }
}

impl fmt::Display for Pattern {
    /// The spec's notation, one message per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut line = |f: &mut fmt::Formatter<'_>, s: &str| -> fmt::Result {
            if !first {
                f.write_str("\n")?;
            }
            first = false;
            f.write_str(s)
        };
        let join = |ts: &[Token]| ts.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ");
        let has_pre = !self.pre_initiator.is_empty() || !self.pre_responder.is_empty();
        if !self.pre_initiator.is_empty() {
            line(f, &format!("-> {}", join(&self.pre_initiator)))?;
        }
        if !self.pre_responder.is_empty() {
            line(f, &format!("<- {}", join(&self.pre_responder)))?;
        }
        if has_pre {
            line(f, "...")?;
        }
        for (i, m) in self.messages.iter().enumerate() {
            let arrow = if i.is_multiple_of(2) { "->" } else { "<-" };
            line(f, &format!("{arrow} {}", join(m)))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_pattern_is_valid() {
        for kind in [PatternKind::Classic, PatternKind::Pq, PatternKind::Hybrid] {
            assert!(!table(kind).is_empty());
            for (name, _) in table(kind) {
                let p = Pattern::from_table(kind, name, &[]).unwrap();
                assert!(!p.messages().is_empty(), "{name}");
            }
        }
    }

    /// The HFS table of noise_hfs.md §5 (revision 1), for every entry where
    /// the table follows the spec's own placement rule.
    #[test]
    fn hfs_placement_matches_the_spec_table() {
        let cases = [
            ("NN", "-> e, e1\n<- e, ee, ekem1"),
            ("NK", "<- s\n...\n-> e, es, e1\n<- e, ee, ekem1"),
            ("NX", "-> e, e1\n<- e, ee, ekem1, s, es"),
            ("XN", "-> e, e1\n<- e, ee, ekem1\n-> s, se"),
            ("XK", "<- s\n...\n-> e, es, e1\n<- e, ee, ekem1\n-> s, se"),
            ("XX", "-> e, e1\n<- e, ee, ekem1, s, es\n-> s, se"),
            ("KN", "-> s\n...\n-> e, e1\n<- e, ee, ekem1, se"),
            ("KX", "-> s\n...\n-> e, e1\n<- e, ee, ekem1, se, s, es"),
            ("IK", "<- s\n...\n-> e, es, e1, s, ss\n<- e, ee, ekem1, se"),
            ("IX", "-> e, e1, s\n<- e, ee, ekem1, se, s, es"),
        ];
        for (base, expected) in cases {
            let p = Pattern::from_table(PatternKind::Classic, base, &[Modifier::Hfs]).unwrap();
            assert_eq!(p.to_string(), expected, "{base}hfs");
        }
        // Where the table contradicts the rule, the rule wins (see apply_hfs).
        let kk = Pattern::from_table(PatternKind::Classic, "KK", &[Modifier::Hfs]).unwrap();
        assert_eq!(
            kk.to_string(),
            "-> s\n<- s\n...\n-> e, es, e1, ss\n<- e, ee, ekem1, se"
        );
        let inn = Pattern::from_table(PatternKind::Classic, "IN", &[Modifier::Hfs]).unwrap();
        assert_eq!(inn.to_string(), "-> e, e1, s\n<- e, ee, ekem1, se");
    }

    #[test]
    fn hfs_is_refused_on_one_way_and_pq_patterns() {
        assert!(Pattern::from_table(PatternKind::Classic, "N", &[Modifier::Hfs]).is_err());
        assert!(Pattern::from_table(PatternKind::Pq, "XX", &[Modifier::Hfs]).is_err());
    }

    /// rev 34 §9.2 examples: NNpsk0, NNpsk2, XXpsk3.
    #[test]
    fn psk_placement_follows_rev34() {
        let p = |b: &str, n: u8| {
            Pattern::from_table(PatternKind::Classic, b, &[Modifier::Psk(n)])
                .unwrap()
                .to_string()
        };
        assert_eq!(p("NN", 0), "-> psk, e\n<- e, ee");
        assert_eq!(p("NN", 2), "-> e\n<- e, ee, psk");
        assert_eq!(p("XX", 3), "-> e\n<- e, ee, s, es\n-> s, se, psk");
        assert!(Pattern::from_table(PatternKind::Classic, "NN", &[Modifier::Psk(3)]).is_err());
    }

    #[test]
    fn invalid_patterns_are_refused() {
        for text in [
            "-> e\n-> e, ee",      // not alternating
            "-> ee",               // DH before keys
            "-> e\n<- e, ee, e",   // e twice
            "-> e\n<- s, ekem",    // ekem after a public key
            "-> e\n<- ekem1",      // ekem1 without e1
            "-> e\n<- xyz",        // unknown token
            "<- e\n...\n-> e, ee", // pre-message e
            "",                    // empty
        ] {
            assert!(
                Pattern::parse(PatternKind::Hybrid, text).is_err(),
                "{text:?}"
            );
        }
        // PSK validity: skem after psk without own randomness.
        assert!(Pattern::parse(PatternKind::Pq, "<- s\n...\n-> psk, skem, e\n<- ekem").is_err());
        // DH tokens are not PQNoise tokens.
        assert!(Pattern::parse(PatternKind::Pq, "-> e\n<- e, ee").is_err());
    }

    #[test]
    fn notation_round_trips() {
        for kind in [PatternKind::Classic, PatternKind::Pq, PatternKind::Hybrid] {
            for (name, text) in table(kind) {
                let p = Pattern::from_table(kind, name, &[]).unwrap();
                assert_eq!(p.to_string(), *text);
            }
        }
    }
}
