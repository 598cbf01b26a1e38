//! The ratchet sessions' decoders: a session's `decrypt` on arbitrary bytes
//! in each wire format, `Session::from_bytes` on arbitrary states, and
//! libsignal's SignalMessage decoder.
//!
//! The sessions come from one scripted conversation per suite
//! ([`scripts`]), played from fixed seeds, so that each receiver holds
//! several receiving chains, stored skipped keys and genuine messages it has
//! not received yet: of an older chain (a stored key), of its current chain
//! (a stored key, the next index) and of a new epoch.

use std::sync::OnceLock;

use twofold_core::{Off, Party as Role, Resolver, ShakeRng};
use twofold_handshake::prekey::PrekeyHandshake;
use twofold_harness::ratchets::{Envelope, Error, Pair, default_handshake};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::double::SendOptions;
use twofold_ratchet::labels;
use twofold_ratchet::session::Session;
use twofold_ratchet::signal::wire::SignalMessage;
use twofold_ratchet::suite::{RatchetSuite, SUITES};

/// One suite per wire format: twofold's without and with header
/// encryption, libsignal's version 3 (Double Ratchet) and version 4 (Triple
/// Ratchet), and twofold's with an SPQR message in the header.
pub const DECRYPT_SUITES: [&str; 5] = [
    "DoubleRatchet_spec_X25519_SHA-256_ChaCha20-Poly1305",
    "DoubleRatchet_spec+HE_X25519_SHA-256_ChaCha20-Poly1305",
    "DoubleRatchet_signal_X25519_SHA-256",
    "TripleRatchet_signal_X25519_SHA-256",
    "TripleRatchet_twofold_X25519_SHA-256_ChaCha20-Poly1305",
];

/// A genuine message a side has not received: the bytes its session
/// decrypts (a PreKeySignalMessage's inner SignalMessage) and the plaintext.
pub type Pending = (Vec<u8>, Vec<u8>);

/// The end of one suite's scripted conversation.
pub struct Script {
    /// The suite.
    pub suite: &'static str,
    /// Both serialized sessions at the end, initiator first.
    pub states: [Vec<u8>; 2],
    /// The genuine messages each side has not received, initiator's first.
    pub pending: [Vec<Pending>; 2],
}

fn index(side: Role) -> usize {
    match side {
        Role::Initiator => 0,
        Role::Responder => 1,
    }
}

fn resolver() -> &'static dyn Resolver {
    &*REGISTRY
}

/// A conversation being played.
struct Play {
    pair: Pair,
    rng: ShakeRng,
    prekey: Option<PrekeyHandshake>,
    sent: Vec<(Envelope, Vec<u8>)>,
    delivered: Vec<bool>,
}

impl Play {
    fn send(&mut self, from: Role, count: usize) -> Result<(), Error> {
        for _ in 0..count {
            let text = format!("script message {}", self.sent.len()).into_bytes();
            let e = self.pair.send(
                from,
                &text,
                &SendOptions::default(),
                &mut self.rng,
                &mut Off,
            )?;
            self.sent.push((e, text));
            self.delivered.push(false);
        }
        Ok(())
    }

    fn deliver(&mut self, messages: &[usize]) -> Result<(), Error> {
        for &i in messages {
            let (e, text) = &self.sent[i];
            let got = self
                .pair
                .receive(e.from.peer(), e, 0, &mut self.rng, &mut Off)?;
            if got.plaintext != *text {
                return Err(Error::Mismatch("a script message decrypted wrong".into()));
            }
            self.delivered[i] = true;
        }
        Ok(())
    }

    /// What `side`'s session decrypts of an envelope: the envelope, or the
    /// SignalMessage inside a PreKeySignalMessage.
    fn inner(&self, e: &Envelope) -> Result<Vec<u8>, Error> {
        match (&self.prekey, e.prekey) {
            (Some(hs), true) => Ok(hs.decode_message(&e.bytes)?.payload),
            _ => Ok(e.bytes.clone()),
        }
    }
}

/// The conversation: A sends a0-a2, B gets a0 and a2; B sends b0, b1, A gets
/// b1; A sends a3, a4 (its second chain), B gets a4; B sends b2, b3, A gets
/// b3; A sends a5, a6 (its third chain); B sends b4. B has not received a1
/// and a3 (stored keys of two older chains), a5 and a6 (a new epoch, and a
/// jump into it); A has not received b0 and b2 (stored keys) and b4 (the
/// next index of its current chain).
fn script(suite: &'static str) -> Result<Script, Error> {
    let registry: std::sync::Arc<dyn Resolver> = std::sync::Arc::new(&*REGISTRY);
    let mut rng = ShakeRng::new(format!("fuzz ratchet script {suite}").as_bytes());
    let pair = Pair::establish(suite, None, registry, &mut rng, &mut Off)?;
    let prekey =
        PrekeyHandshake::new(default_handshake(&RatchetSuite::parse(suite)?), resolver()).ok();
    let mut p = Play {
        pair,
        rng,
        prekey,
        sent: Vec::new(),
        delivered: Vec::new(),
    };
    let (a, b) = (Role::Initiator, Role::Responder);
    // Message numbers in the order sent: a0-a2 = 0-2, b0-b1 = 3-4,
    // a3-a4 = 5-6, b2-b3 = 7-8, a5-a6 = 9-10, b4 = 11.
    p.send(a, 3)?;
    p.deliver(&[0, 2])?;
    p.send(b, 2)?;
    p.deliver(&[4])?;
    p.send(a, 2)?;
    p.deliver(&[6])?;
    p.send(b, 2)?;
    p.deliver(&[8])?;
    p.send(a, 2)?;
    p.send(b, 1)?;
    let mut pending: [Vec<Pending>; 2] = [Vec::new(), Vec::new()];
    for (i, (e, text)) in p.sent.iter().enumerate() {
        if !p.delivered[i] {
            pending[index(e.from.peer())].push((p.inner(e)?, text.clone()));
        }
    }
    let state = |side| -> Result<Vec<u8>, Error> {
        let s = p
            .pair
            .session(side)
            .ok_or(Error::Mismatch("a side without a session".into()))?;
        Ok(s.to_bytes(resolver())?.expose().to_vec())
    };
    Ok(Script {
        suite,
        states: [state(a)?, state(b)?],
        pending,
    })
}

/// Every suite's script, played once per process.
pub fn scripts() -> &'static [Script] {
    static S: OnceLock<Vec<Script>> = OnceLock::new();
    S.get_or_init(|| {
        SUITES
            .iter()
            .map(|s| script(s).unwrap_or_else(|e| panic!("{s}: the script runs: {e}")))
            .collect()
    })
}

/// The script of `suite`.
fn script_of(suite: &str) -> &'static Script {
    scripts()
        .iter()
        .find(|s| s.suite == suite)
        .expect("every decrypt suite is a listed suite")
}

/// The receivers of [`decrypt`]: each suite of [`DECRYPT_SUITES`], each side.
pub fn decrypt_fixtures() -> Vec<(&'static Script, Role)> {
    DECRYPT_SUITES
        .iter()
        .flat_map(|s| {
            [
                (script_of(s), Role::Initiator),
                (script_of(s), Role::Responder),
            ]
        })
        .collect()
}

fn session_bytes(s: &Session) -> Vec<u8> {
    s.to_bytes(resolver())
        .expect("a session in memory serializes")
        .expose()
        .to_vec()
}

/// A session's `decrypt` on arbitrary bytes. Input: the first byte picks
/// the receiver ([`decrypt_fixtures`], modulo their number), the rest is the
/// message. A refusal leaves the serialized session byte for byte as it
/// was; only the genuine messages the receiver has not had are accepted,
/// each with its plaintext, and each of them is.
pub fn decrypt(data: &[u8]) {
    let Some((&pick, message)) = data.split_first() else {
        return;
    };
    let fixtures = decrypt_fixtures();
    let (script, side) = fixtures[usize::from(pick) % fixtures.len()];
    let state = &script.states[index(side)];
    let suite = script.suite;
    let mut session = Session::from_bytes(state, resolver()).expect("a state it wrote reads");
    let genuine = script.pending[index(side)]
        .iter()
        .find(|(m, _)| m == message);
    let mut rng = ShakeRng::new(b"fuzz ratchet_decrypt");
    match session.decrypt(message, 0, &mut rng, &mut Off) {
        Ok(got) => {
            let Some((_, plaintext)) = genuine else {
                panic!("{suite} {side:?}: accepted bytes that are no genuine message");
            };
            assert!(
                got.plaintext == *plaintext,
                "{suite} {side:?}: a genuine message decrypted to another plaintext"
            );
        }
        Err(e) => {
            assert!(
                genuine.is_none(),
                "{suite} {side:?}: a genuine message was refused: {e}"
            );
            assert!(
                session_bytes(&session) == *state,
                "{suite} {side:?}: refusing ({e}) changed the session"
            );
        }
    }
}

/// `state` with its SHA-256 checksum (the last 32 bytes) recomputed.
pub fn rechecksum(state: &mut [u8]) {
    if state.len() < 37 {
        return;
    }
    let n = state.len() - 32;
    let sha256 = resolver().hash("SHA-256").expect("SHA-256 is registered");
    let digest = sha256.hash(&[&state[..n]]);
    state[n..].copy_from_slice(&digest);
}

/// `Session::from_bytes` on arbitrary bytes. Input: a mode byte (bit 0:
/// recompute the checksum first, so that changes behind it are read), then
/// the state. An error is a typed error (no panic); an accepted state writes
/// back to the same bytes. A state of the scripts then decrypts its peer's
/// pending message and its next message decrypts at the peer; any other
/// accepted state encrypts and decrypts without a panic, and what it
/// refuses leaves it as it was.
pub fn session_state(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut state = rest.to_vec();
    if mode & 1 == 1 {
        rechecksum(&mut state);
    }
    let Ok(mut session) = Session::from_bytes(&state, resolver()) else {
        return;
    };
    assert!(
        session_bytes(&session) == state,
        "an accepted state does not serialize back to its bytes"
    );
    let mut rng = ShakeRng::new(b"fuzz session_state");
    let text = b"fuzz session_state message";
    let genuine = scripts()
        .iter()
        .find_map(|s| s.states.iter().position(|st| *st == state).map(|i| (s, i)));
    if let Some((script, i)) = genuine {
        let suite = script.suite;
        let (m, plaintext) = &script.pending[i][0];
        let got = session
            .decrypt(m, 0, &mut rng, &mut Off)
            .unwrap_or_else(|e| panic!("{suite}: a read state refused its pending message: {e}"));
        assert!(got.plaintext == *plaintext, "{suite}: decrypted wrong");
        let sent = session
            .encrypt(text, &SendOptions::default(), &mut rng, &mut Off)
            .unwrap_or_else(|e| panic!("{suite}: a read state cannot encrypt: {e}"));
        let mut peer =
            Session::from_bytes(&script.states[1 - i], resolver()).expect("the peer's state reads");
        let got = peer
            .decrypt(&sent, 0, &mut rng, &mut Off)
            .unwrap_or_else(|e| panic!("{suite}: the peer refused a read state's message: {e}"));
        assert!(got.plaintext == text, "{suite}: the peer decrypted wrong");
        return;
    }
    let before = session_bytes(&session);
    if let Err(e) = session.encrypt(text, &SendOptions::default(), &mut rng, &mut Off) {
        assert!(
            session_bytes(&session) == before,
            "a failed encryption ({e}) changed the session"
        );
    }
    let suite = session.suite().to_string();
    let pending = scripts()
        .iter()
        .filter(|s| s.suite == suite)
        .flat_map(|s| s.pending.iter().flatten());
    for (m, _) in pending {
        let before = session_bytes(&session);
        if let Err(e) = session.decrypt(m, 0, &mut rng, &mut Off) {
            assert!(
                session_bytes(&session) == before,
                "a refusal ({e}) changed the session"
            );
        }
    }
}

/// libsignal's SignalMessage decoder on arbitrary bytes. Input: a byte
/// whose bit 0 picks the version (0: version 3, `0x33`; 1: version 4,
/// `0x44`), then the message. What decodes encodes back to the same bytes,
/// with the MAC'd part and the MAC where they were, with one exception:
/// an empty `pq_ratchet` (field 5 of length 0, `2a 00`) is read as no
/// `pq_ratchet`, as libsignal's protobuf decoder reads it (an empty SPQR
/// message: the sender speaks no SPQR), and the encoder, like libsignal's,
/// leaves the field out when it is empty. The MAC covers the bytes as
/// received, so the leniency changes nothing a peer authenticated.
pub fn signal_message(data: &[u8]) {
    let Some((&v, bytes)) = data.split_first() else {
        return;
    };
    let version = if v & 1 == 0 {
        labels::SIGNAL_VERSION_BYTE_V3
    } else {
        labels::SIGNAL_VERSION_BYTE
    };
    let Ok((m, macced, mac)) = SignalMessage::decode(bytes, version) else {
        return;
    };
    assert_eq!(m.version, version, "the version byte");
    assert_eq!(mac.len(), labels::SIGNAL_MAC_LEN, "the MAC's length");
    assert!(
        [macced, mac].concat() == bytes,
        "the MAC'd part and the MAC are not the message"
    );
    let encoded = m.encode_unmacced();
    let empty_pq_ratchet = m.pq_ratchet.is_empty()
        && macced.len() == encoded.len() + 2
        && (0..=encoded.len()).any(|i| {
            macced[i..i + 2] == [0x2a, 0x00]
                && macced[..i] == encoded[..i]
                && macced[i + 2..] == encoded[i..]
        });
    assert!(
        encoded == macced || empty_pq_ratchet,
        "a decoded SignalMessage encodes to other bytes"
    );
}
