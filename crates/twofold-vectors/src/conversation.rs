//! `conversation` vectors: a ratchet suite's two sessions, started from
//! explicit session starts (not from a handshake, whose vectors are the
//! `prekey` and `noise` kinds), through a scripted conversation.
//!
//! Inputs: each party's session start (the fields of
//! `twofold_ratchet::session::SessionInit`: the root key, libsignal's chain
//! key and PQ-ratchet key where the profile has them, the associated data,
//! the responder's first ratchet key and the initiator's copy of its public
//! key), every random draw of each session start and each event, in order,
//! every plaintext and the schedule: which party sends, and which message is
//! delivered when (and at what time). Derived: the purpose of each draw,
//! every wire message, each delivery's header counters and plaintext, and
//! every value the ratchet reports to its observer, per event.

use serde::Serialize;
use twofold_core::observe::{DrawRecord, Kind as ValueKind, ValueRecord};
use twofold_core::{AlgorithmId, CryptoRng, Party, Recorder, ReplayRng, Resolver, SecretBytes};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::RatchetError;
use twofold_ratchet::double::SendOptions;
use twofold_ratchet::kdf::Key;
use twofold_ratchet::session::{Session, SessionInit};
use twofold_ratchet::suite::{RatchetKind, RatchetProfile, RatchetSuite};

use crate::error::{RatchetAt, Result, VectorError};
use crate::json::Node;
use crate::prekey::SecretOut;
use crate::{Case, Generated, draw, needs_coins};

/// A conversation vector.
#[derive(Debug, Serialize)]
pub struct ConversationCase {
    name: String,
    record: Record,
    inputs: Inputs,
    start: Starts,
    events: Vec<EventOut>,
}

/// How a vector records the values the ratchet reports: every value with
/// its operation and inputs (`steps`), or each value's bytes by name
/// (`values`, for long runs whose derivations repeat those of a `steps`
/// vector of the same file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Record {
    Steps,
    Values,
}

/// The values of one start or event by name, in the order their names first
/// appear: one hex string, or a list when the name was reported more than
/// once.
#[derive(Debug, Default)]
pub(crate) struct Values(Vec<(String, Vec<Vec<u8>>)>);

impl Serialize for Values {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Hexes<'a>(&'a [Vec<u8>]);
        impl Serialize for Hexes<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> core::result::Result<S::Ok, S::Error> {
                match self.0 {
                    [one] => s.serialize_str(&hex::encode(one)),
                    many => crate::hexser::list(many, s),
                }
            }
        }
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (name, hexes) in &self.0 {
            m.serialize_entry(name, &Hexes(hexes))?;
        }
        m.end()
    }
}

impl Values {
    fn of(steps: Vec<StepOut>) -> Self {
        let mut out: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
        for st in steps {
            match out.iter_mut().find(|(n, _)| *n == st.name) {
                Some((_, v)) => v.push(st.hex),
                None => out.push((st.name, vec![st.hex])),
            }
        }
        Self(out)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `steps` or `values`, as the vector records them.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum Reported {
    Steps {
        steps: Vec<StepOut>,
    },
    Values {
        #[serde(skip_serializing_if = "Values::is_empty")]
        values: Values,
    },
}

impl Reported {
    pub(crate) fn new(record: Record, steps: Vec<StepOut>) -> Self {
        match record {
            Record::Steps => Reported::Steps { steps },
            Record::Values => Reported::Values {
                values: Values::of(steps),
            },
        }
    }
}

/// One party's session start: the handshake's session secret, named as
/// the Double Ratchet specification (`SK`) or libsignal (`RK`, `CK`,
/// `PQRK`) names its values, and the first ratchet key.
#[derive(Debug, Clone, Default, Serialize)]
struct StartIn {
    #[serde(flatten)]
    secret: SecretOut,
    /// The initiator's: the responder's first ratchet public key.
    #[serde(
        rename = "DHr",
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    dhr: Option<Vec<u8>>,
    /// The responder's: the secret key of that ratchet key.
    #[serde(
        rename = "DHs secret",
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    dhs: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Serialize)]
struct Inputs {
    initiator: StartIn,
    responder: StartIn,
}

/// A random draw: its bytes (input) and purpose (as the protocol reports
/// it; derived).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DrawOut {
    purpose: String,
    #[serde(serialize_with = "crate::hexser::bytes")]
    hex: Vec<u8>,
}

/// One value the ratchet reported. The party and the event are the
/// enclosing event's; `message` and `plaintext` in `inputs` are the event's
/// `wire` and plaintext.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StepOut {
    name: String,
    kind: &'static str,
    op: String,
    inputs: Vec<String>,
    #[serde(serialize_with = "crate::hexser::bytes")]
    hex: Vec<u8>,
}

#[derive(Debug, Serialize)]
struct StartOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    draws: Vec<DrawOut>,
    #[serde(flatten)]
    reported: Reported,
}

#[derive(Debug, Serialize)]
struct Starts {
    initiator: StartOut,
    responder: StartOut,
}

/// The header counters of a delivered message as its receiver read them.
#[derive(Debug, Serialize)]
pub(crate) struct HeaderOut {
    #[serde(rename = "PN")]
    pub(crate) pn: u32,
    #[serde(rename = "N")]
    pub(crate) n: u32,
}

pub(crate) fn is_zero(t: &u64) -> bool {
    *t == 0
}

/// A send or a delivery.
#[derive(Debug, Serialize)]
struct EventOut {
    event: &'static str,
    party: &'static str,
    message: u32,
    #[serde(skip_serializing_if = "is_zero")]
    time: u64,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    plaintext: Option<Vec<u8>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    draws: Vec<DrawOut>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    wire: Option<Vec<u8>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<HeaderOut>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    decrypted: Option<Vec<u8>>,
    #[serde(flatten)]
    reported: Reported,
}

/// What an event is, as read from a file or planned.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// `party` encrypts `plaintext` as the next message.
    Send { party: Party, plaintext: Vec<u8> },
    /// Message `message` (numbered by send, from 0) reaches its receiver at
    /// `time` seconds.
    Deliver { message: u32, time: u64 },
}

/// An event's inputs: the action and its draws (`None`: draw from the
/// generator's stream).
#[derive(Debug, Clone)]
pub(crate) struct EventIn {
    pub(crate) action: Action,
    pub(crate) draws: Option<Vec<Vec<u8>>>,
}

/// The suite, parsed and checked for explicit coins.
pub(crate) struct Parsed {
    pub(crate) suite: RatchetSuite,
    dh: Option<&'static dyn twofold_core::Dh>,
}

pub(crate) fn parse_suite(name: &str) -> Result<Parsed> {
    let suite = RatchetSuite::parse(name).at_ratchet("$.suite")?;
    let r: &dyn Resolver = &*REGISTRY;
    let dh = match &suite.dh {
        Some(d) => Some(r.dh(&d.to_string()).at_ratchet("$.suite")?),
        None => None,
    };
    if let Some(d) = dh {
        needs_coins(d)?;
    }
    if let Some(k) = &suite.kem {
        needs_coins(r.kem(&k.to_string()).at_ratchet("$.suite")?)?;
    }
    if suite.kind == RatchetKind::Triple {
        let spqr = r
            .incremental_kem(twofold_ratchet::spqr::SpqrPrimitives::KEM)
            .at_ratchet("$.suite")?;
        needs_coins(spqr as &dyn AlgorithmId)?;
    }
    Ok(Parsed { suite, dh })
}

fn signal(s: &RatchetSuite) -> bool {
    s.profile == RatchetProfile::Signal
}

fn key(what: &str, b: &[u8], path: &str) -> Result<Key> {
    Key::from_slice(b).map_err(|_| VectorError::Field {
        path: crate::json::child(path, what),
        problem: format!("{} bytes; a key is 32", b.len()),
    })
}

/// The `SessionInit` of one party from its start values.
fn session_init(p: &Parsed, party: Party, s: &StartIn, path: &str) -> Result<SessionInit> {
    let (root, root_name) = if signal(&p.suite) {
        (&s.secret.rk, "RK")
    } else {
        (&s.secret.sk, "SK")
    };
    let root = root.as_ref().ok_or_else(|| VectorError::Field {
        path: crate::json::child(path, root_name),
        problem: "missing".to_string(),
    })?;
    let opt = |v: &Option<Vec<u8>>, what: &str| v.as_ref().map(|b| key(what, b, path)).transpose();
    Ok(SessionInit {
        party,
        root_key: key(root_name, root, path)?,
        chain_key: opt(&s.secret.ck, "CK")?,
        pq_ratchet_key: opt(&s.secret.pqrk, "PQRK")?,
        associated_data: s.secret.ad.clone(),
        their_ratchet_key: s.dhr.clone(),
        our_ratchet_key: s.dhs.as_deref().map(SecretBytes::from_slice),
        their_kem_key: None,
        our_kem_key: None,
    })
}

/// Checks that the starts fit the suite: the members it uses and no
/// others, and the initiator's `DHr` the public key of the responder's
/// `DHs secret`.
fn check_starts(p: &Parsed, inputs: &Inputs, path: &str) -> Result<()> {
    let s = &p.suite;
    let sig = signal(s);
    let triple = s.kind == RatchetKind::Triple;
    let uses_dh = p.dh.is_some();
    for (who, st, initiator) in [
        ("initiator", &inputs.initiator, true),
        ("responder", &inputs.responder, false),
    ] {
        let here = format!("{path}.inputs.{who}");
        let rules = [
            ("SK", st.secret.sk.is_some(), !sig),
            ("RK", st.secret.rk.is_some(), sig),
            ("CK", st.secret.ck.is_some(), sig),
            ("PQRK", st.secret.pqrk.is_some(), sig && triple),
            ("DHr", st.dhr.is_some(), uses_dh && initiator),
            ("DHs secret", st.dhs.is_some(), uses_dh && !initiator),
        ];
        for (name, present, wanted) in rules {
            if present != wanted {
                return Err(VectorError::Field {
                    path: crate::json::child(&here, name),
                    problem: if wanted {
                        format!("missing: {s} starts with it")
                    } else {
                        format!("{s} starts without it")
                    },
                });
            }
        }
    }
    if let (Some(dh), Some(dhr), Some(dhs)) = (p.dh, &inputs.initiator.dhr, &inputs.responder.dhs) {
        let public = dh
            .public_key(dhs)
            .at_ratchet(&format!("{path}.inputs.responder"))?;
        if &public != dhr {
            return Err(VectorError::Field {
                path: format!("{path}.inputs.initiator.DHr"),
                problem: "not the public key of the responder's \"DHs secret\"".to_string(),
            });
        }
    }
    Ok(())
}

pub(crate) fn party_index(p: Party) -> usize {
    match p {
        Party::Initiator => 0,
        Party::Responder => 1,
    }
}

/// A draw as a vector records it.
pub(crate) fn draw_out(d: &DrawRecord) -> DrawOut {
    DrawOut {
        purpose: d.purpose.clone(),
        hex: d.bytes.to_vec(),
    }
}

/// Whether a reported value is one of the ratchet's values: whole
/// messages and plaintexts are the event's own members.
pub(crate) fn is_ratchet_value(v: &ValueRecord) -> bool {
    v.kind != ValueKind::Wire && v.name != "plaintext"
}

/// A value as a vector records it.
pub(crate) fn step_out(v: &ValueRecord) -> StepOut {
    StepOut {
        name: v.name.clone(),
        kind: crate::kind_label(v.kind),
        op: v.op.clone(),
        inputs: v.inputs.iter().map(|i| i.name.clone()).collect(),
        hex: v.bytes.to_vec(),
    }
}

/// The draws and values recorded since the last call.
fn take(rec: &Recorder) -> (Vec<DrawOut>, Vec<StepOut>) {
    let t = rec.take();
    let draws = t.draws().map(draw_out).collect();
    let steps = t
        .values()
        .map(|(_, v)| v)
        .filter(|v| is_ratchet_value(v))
        .map(step_out)
        .collect();
    (draws, steps)
}

/// Runs `f` with the event's recorded draws, or with `live` when the event
/// has none recorded (generation); the draws must be used exactly.
pub(crate) fn with_draws<T>(
    draws: &Option<Vec<Vec<u8>>>,
    live: &mut dyn CryptoRng,
    path: &str,
    f: impl FnOnce(&mut dyn CryptoRng) -> Result<T>,
) -> Result<T> {
    match draws {
        None => f(live),
        Some(d) => {
            let mut replay = ReplayRng::new(d.iter().cloned());
            let out = f(&mut replay)?;
            replay.finish().map_err(|e| VectorError::Field {
                path: format!("{path}.draws"),
                problem: format!("the ratchet did not take these draws: {e}"),
            })?;
            Ok(out)
        }
    }
}

/// Starts both sessions and plays the events.
#[allow(clippy::too_many_arguments)]
fn compute(
    p: &Parsed,
    name: String,
    record: Record,
    inputs: Inputs,
    start_draws: [Option<Vec<Vec<u8>>>; 2],
    events: Vec<EventIn>,
    live: &mut dyn CryptoRng,
    path: &str,
) -> Result<ConversationCase> {
    check_starts(p, &inputs, path)?;
    let suite = p.suite.to_string();
    let rec = Recorder::new();
    let mut obs = rec.clone();
    let mut sessions = Vec::with_capacity(2);
    let mut starts = Vec::with_capacity(2);
    for (party, st, draws) in [
        (Party::Initiator, &inputs.initiator, &start_draws[0]),
        (Party::Responder, &inputs.responder, &start_draws[1]),
    ] {
        let here = format!("{path}.start.{}", party.as_str());
        let init = session_init(p, party, st, &format!("{path}.inputs.{}", party.as_str()))?;
        let session = with_draws(draws, live, &here, |rng| {
            Session::new(&suite, &*REGISTRY, init, rng, &mut obs).at_ratchet(&here)
        })?;
        sessions.push(session);
        let (draws, steps) = take(&rec);
        starts.push(StartOut {
            draws,
            reported: Reported::new(record, steps),
        });
    }
    let mut sent: Vec<(Party, Vec<u8>)> = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    for (j, ev) in events.into_iter().enumerate() {
        let here = format!("{path}.events[{j}]");
        let e = match ev.action {
            Action::Send { party, plaintext } => {
                let number = u32::try_from(sent.len()).map_err(|_| VectorError::Field {
                    path: here.clone(),
                    problem: "too many messages".to_string(),
                })?;
                let s = &mut sessions[party_index(party)];
                let wire = with_draws(&ev.draws, live, &here, |rng| {
                    s.encrypt(&plaintext, &SendOptions::default(), rng, &mut obs)
                        .at_ratchet(&here)
                })?;
                sent.push((party, wire.clone()));
                let (draws, steps) = take(&rec);
                EventOut {
                    event: "send",
                    party: party.as_str(),
                    message: number,
                    time: 0,
                    plaintext: Some(plaintext),
                    draws,
                    wire: Some(wire),
                    header: None,
                    decrypted: None,
                    reported: Reported::new(record, steps),
                }
            }
            Action::Deliver { message, time } => {
                let (from, wire) = usize::try_from(message)
                    .ok()
                    .and_then(|m| sent.get(m))
                    .cloned()
                    .ok_or_else(|| VectorError::Field {
                        path: format!("{here}.message"),
                        problem: format!("no message {message} has been sent yet"),
                    })?;
                let to = from.peer();
                let s = &mut sessions[party_index(to)];
                let got = with_draws(&ev.draws, live, &here, |rng| {
                    s.decrypt(&wire, time, rng, &mut obs).at_ratchet(&here)
                })?;
                let (draws, steps) = take(&rec);
                EventOut {
                    event: "deliver",
                    party: to.as_str(),
                    message,
                    time,
                    plaintext: None,
                    draws,
                    wire: None,
                    header: Some(HeaderOut {
                        pn: got.header.pn,
                        n: got.header.n,
                    }),
                    decrypted: Some(got.plaintext),
                    reported: Reported::new(record, steps),
                }
            }
        };
        out.push(e);
    }
    let mut starts = starts.into_iter();
    let (Some(initiator), Some(responder)) = (starts.next(), starts.next()) else {
        return Err(VectorError::Ratchet {
            path: path.to_string(),
            source: RatchetError::Misuse("two sessions expected"),
        });
    };
    Ok(ConversationCase {
        name,
        record,
        inputs,
        start: Starts {
            initiator,
            responder,
        },
        events: out,
    })
}

// ---------------------------------------------------------------------------
// The default set
// ---------------------------------------------------------------------------

/// Eight days, in seconds: past PQ3's reported seven-day bound, so a
/// time-bounded rekey policy is due after it.
const LATER: u64 = 8 * 24 * 3600;

pub(crate) fn send(party: Party, text: &str) -> Action {
    Action::Send {
        party,
        plaintext: text.as_bytes().to_vec(),
    }
}

pub(crate) fn deliver(message: u32, time: u64) -> Action {
    Action::Deliver { message, time }
}

/// The scripted conversation (15 messages; `A` the initiator, `B` the
/// responder): two ping-pong rounds; A's burst of four, delivered 0, 2, 1
/// with the last held back; eight days later, B's burst of three with the
/// middle one lost; A's reply; A's held-back message from its older chain;
/// two more rounds.
fn scripted() -> Vec<Action> {
    use Party::{Initiator as A, Responder as B};
    vec![
        send(A, "A0: hello Bob"),
        deliver(0, 0),
        send(B, "B1: hello Alice"),
        deliver(1, 0),
        send(A, "A2: ping"),
        deliver(2, 0),
        send(B, ""),
        deliver(3, 0),
        send(A, "A4: first of a burst of four"),
        send(A, "A5: second, delivered after the third"),
        send(A, "A6: third"),
        send(A, "A7: fourth, held back until A's next chain"),
        deliver(4, LATER),
        deliver(6, LATER),
        deliver(5, LATER),
        send(B, "B8: first of a burst of three"),
        send(B, "B9: lost"),
        send(B, "B10: third"),
        deliver(8, LATER),
        deliver(10, LATER),
        send(A, "A11: a new chain"),
        deliver(11, LATER),
        deliver(7, LATER),
        send(B, "B12: pong"),
        deliver(12, LATER),
        send(A, "A13: ping"),
        deliver(13, LATER),
        send(B, "B14: bye"),
        deliver(14, LATER),
    ]
}

/// `n` messages in strict ping-pong, each delivered at once.
fn ping_pong(n: u32) -> Vec<Action> {
    ping_pong_from(0, n, Party::Initiator)
}

/// `n` messages in strict ping-pong, numbered from `first`, `by` sending
/// first, each delivered at once.
pub(crate) fn ping_pong_from(first: u32, n: u32, by: Party) -> Vec<Action> {
    let mut out = Vec::new();
    let mut party = by;
    for k in first..first.saturating_add(n) {
        out.push(Action::Send {
            party,
            plaintext: format!("message {k}").into_bytes(),
        });
        out.push(deliver(k, 0));
        party = party.peer();
    }
    out
}

/// The vectors of a suite beyond the scripted one: for the Triple Ratchet a
/// ping-pong through SPQR's first epoch (complete at the 86th message); for
/// a message-count rekey policy a ping-pong through its first KEM steps.
fn plans(s: &RatchetSuite) -> Vec<(String, Record, Vec<Action>)> {
    let mut v = vec![(
        "scripted: ping-pong; a burst of four delivered out of order, one held back; \
         eight days later a burst of three with one lost; the held-back message from the \
         older chain; ping-pong"
            .to_string(),
        Record::Steps,
        scripted(),
    )];
    if s.kind == RatchetKind::Triple {
        v.push((
            "ping-pong: 90 messages, through the completion of SPQR's first epoch".to_string(),
            Record::Values,
            ping_pong(90),
        ));
    }
    if let Some(twofold_ratchet::policy::RekeyPolicy::EveryMessages(n)) = s.policy {
        let n = u32::try_from(n).unwrap_or(u32::MAX).saturating_add(4);
        v.push((
            format!("ping-pong: {n} messages, through the policy's first KEM steps"),
            Record::Values,
            ping_pong(n),
        ));
    }
    v
}

/// The associated data of the suite's default handshake, with random keys
/// of the right shape (the ratchet never parses it): `EncodeEC(IK_A) ||
/// EncodeEC(IK_B)` from X3DH or PQXDH (type byte 0x05 in the signal profile,
/// 0x11 otherwise), a Noise handshake hash for the KEM ratchet, `E || R_dh`
/// (uncompressed P-256 points) for the PQ3-style set-up. Returns the
/// initiator's AD; the signal responder's is its halves swapped
/// (`IK_ours || IK_theirs`).
fn draw_ad(s: &RatchetSuite, rng: &mut dyn CryptoRng) -> Vec<u8> {
    let (prefix, len, halves) = match (s.kind, s.profile) {
        (RatchetKind::Kem, _) => (None, 32, 1),
        (RatchetKind::Pq3, _) => (Some(0x04), 64, 2),
        (_, RatchetProfile::Signal) => (Some(0x05), 32, 2),
        _ => (Some(0x11), 32, 2),
    };
    let mut ad = Vec::new();
    for _ in 0..halves {
        ad.extend(prefix);
        ad.extend(draw(rng, len));
    }
    ad
}

fn swap_halves(ad: &[u8]) -> Vec<u8> {
    let (a, b) = ad.split_at(ad.len() / 2);
    [b, a].concat()
}

pub(crate) fn generate(name: &str, rng: &mut dyn CryptoRng) -> Result<Generated> {
    let p = parse_suite(name)?;
    let s = &p.suite;
    let sig = signal(s);
    let mut cases = Vec::new();
    for (i, (case_name, record, actions)) in plans(s).into_iter().enumerate() {
        let root = draw(rng, 32);
        let ck = sig.then(|| draw(rng, 32));
        let pqrk = (sig && s.kind == RatchetKind::Triple).then(|| draw(rng, 32));
        let ad = draw_ad(s, rng);
        let path = format!("$.vectors[{i}]");
        let (dhr, dhs) = match p.dh {
            Some(dh) => {
                let (pk, sk) = dh.generate(rng).at_ratchet(&path)?;
                (Some(pk), Some(sk.expose().to_vec()))
            }
            None => (None, None),
        };
        let secret = SecretOut {
            sk: (!sig).then(|| root.clone()),
            rk: sig.then(|| root.clone()),
            ck,
            pqrk,
            ad: ad.clone(),
        };
        let inputs = Inputs {
            initiator: StartIn {
                secret: secret.clone(),
                dhr,
                dhs: None,
            },
            responder: StartIn {
                secret: SecretOut {
                    ad: if sig { swap_halves(&ad) } else { ad },
                    ..secret
                },
                dhr: None,
                dhs,
            },
        };
        let events = actions
            .into_iter()
            .map(|action| EventIn {
                action,
                draws: None,
            })
            .collect();
        let case = compute(
            &p,
            case_name,
            record,
            inputs,
            [None, None],
            events,
            rng,
            &path,
        )?;
        check_deliveries(
            &case
                .events
                .iter()
                .map(|e| {
                    (
                        e.event,
                        e.message,
                        e.plaintext.as_deref(),
                        e.decrypted.as_deref(),
                    )
                })
                .collect::<Vec<_>>(),
            &path,
        )?;
        cases.push(Case::Conversation(Box::new(case)));
    }
    let (description, sources) = describe(s);
    Ok((s.to_string(), description, sources, cases))
}

fn describe(s: &RatchetSuite) -> (String, Vec<&'static str>) {
    let what = match (s.kind, s.profile, s.header_encryption) {
        (RatchetKind::Double, RatchetProfile::Signal, _) => {
            "The Double Ratchet as libsignal deploys it (signal profile): the WhisperRatchet and \
             WhisperMessageKeys KDFs, SignalMessage version 3 with AES-256-CBC and the 8-byte \
             HMAC-SHA256 over both identity keys and the message"
        }
        (RatchetKind::Double, _, false) => {
            "The Double Ratchet of the specification (§3) with twofold's KDF labels and wire \
             format (an AEAD body under the message's key and nonce)"
        }
        (RatchetKind::Double, _, true) => {
            "The Double Ratchet with header encryption (specification §4) with twofold's KDF \
             labels and wire format"
        }
        (RatchetKind::Triple, RatchetProfile::Signal, _) => {
            "The Triple Ratchet as libsignal deploys it: the Double Ratchet with SPQR (the ML-KEM \
             Braid) beside it, SPQR's key in the salt of each message's keys, SignalMessage \
             version 4 with the SPQR message in field 5"
        }
        (RatchetKind::Triple, _, _) => {
            "The Triple Ratchet in twofold's format: the Double Ratchet with SPQR beside it, the \
             session secret split into the root key and SPQR's auth key, SPQR's key in the salt \
             of each message's keys, the SPQR message in the header"
        }
        (RatchetKind::Kem, _, _) => {
            "A KEM ratchet (KEM-CKA of Alwen, Coretti and Dodis): one encapsulation and one fresh \
             key pair per turn, twofold's format"
        }
        (RatchetKind::Hybrid, _, _) => {
            "A hybrid ratchet: a DH step every turn and a KEM step when the rekey policy says so, \
             both secrets into the root KDF, twofold's format"
        }
        (RatchetKind::Pq3, _, _) => {
            "The hybrid ratchet in the shape Apple describes for iMessage PQ3 (P-256 every turn, \
             Kyber-768 at most every 50 messages and at least every 7 days), twofold's format"
        }
    };
    let description = format!(
        "{what}; both sessions started from explicit session starts and run through a scripted \
         conversation with every draw, plaintext and delivery as inputs"
    );
    let mut sources = vec![
        "The Double Ratchet Algorithm, revision 3 (Perrin, Marlinspike, Schmidt; Signal, 2025-09-26)",
        "RFC 5869 (HKDF), RFC 2104 (HMAC), RFC 7748 (X25519)",
    ];
    match s.kind {
        RatchetKind::Double | RatchetKind::Triple if signal(s) => sources.push(
            "libsignal rust/protocol/src/ratchet/keys.rs, session_cipher.rs, protocol.rs, \
             proto/wire.proto (deployed behaviour)",
        ),
        _ => sources.push("RFC 8439 (ChaCha20-Poly1305)"),
    }
    match s.kind {
        RatchetKind::Triple => sources.push(
            "The ML-KEM Braid (SPQR) specification (Signal, 2025) and the deployed spqr crate \
             v1.5.3; FIPS 203 (ML-KEM)",
        ),
        RatchetKind::Kem | RatchetKind::Hybrid => {
            sources.push("Alwen, Coretti, Dodis: The Double Ratchet (EUROCRYPT 2019), §4 CKA");
            sources.push("FIPS 203 (ML-KEM)");
        }
        RatchetKind::Pq3 => {
            sources.push("Apple security research blog, iMessage with PQ3 (2024-02-21)");
            sources.push(
                "CRYSTALS-Kyber round 3 specification (version 3.02); SEC 1 (P-256 ECDH); \
                 NIST SP 800-38D (AES-GCM)",
            );
        }
        RatchetKind::Double => {}
    }
    (description, sources)
}

// ---------------------------------------------------------------------------
// Reading a file
// ---------------------------------------------------------------------------

fn party_of(n: &Node<'_>) -> Result<Party> {
    match n.str()? {
        "initiator" => Ok(Party::Initiator),
        "responder" => Ok(Party::Responder),
        other => Err(VectorError::Field {
            path: n.path().to_string(),
            problem: format!("{other:?} is neither \"initiator\" nor \"responder\""),
        }),
    }
}

fn start_in(n: &Node<'_>) -> Result<StartIn> {
    Ok(StartIn {
        secret: SecretOut {
            sk: n.opt_hex("SK")?,
            rk: n.opt_hex("RK")?,
            ck: n.opt_hex("CK")?,
            pqrk: n.opt_hex("PQRK")?,
            ad: n.get("AD")?.hex()?,
        },
        dhr: n.opt_hex("DHr")?,
        dhs: n.opt_hex("DHs secret")?,
    })
}

/// The draws' bytes (absent: none).
pub(crate) fn draws_in(n: &Node<'_>) -> Result<Vec<Vec<u8>>> {
    match n.opt("draws")? {
        None => Ok(Vec::new()),
        Some(d) => d.items()?.iter().map(|x| x.get("hex")?.hex()).collect(),
    }
}

fn u64_of(n: &Node<'_>) -> Result<u64> {
    n.value().as_u64().ok_or_else(|| VectorError::Field {
        path: n.path().to_string(),
        problem: "not an integer from 0 to 2^64 - 1".to_string(),
    })
}

pub(crate) fn event_in(n: &Node<'_>) -> Result<EventIn> {
    let kind = n.get("event")?;
    let action = match kind.str()? {
        "send" => Action::Send {
            party: party_of(&n.get("party")?)?,
            plaintext: n.get("plaintext")?.hex()?,
        },
        "deliver" => Action::Deliver {
            message: n.get("message")?.u32()?,
            time: n.opt("time")?.map(|t| u64_of(&t)).transpose()?.unwrap_or(0),
        },
        other => {
            return Err(VectorError::Field {
                path: kind.path().to_string(),
                problem: format!("{other:?} is neither \"send\" nor \"deliver\""),
            });
        }
    };
    Ok(EventIn {
        action,
        draws: Some(draws_in(n)?),
    })
}

/// A vector's `record`.
pub(crate) fn record_in(v: &Node<'_>) -> Result<Record> {
    let n = v.get("record")?;
    match n.str()? {
        "steps" => Ok(Record::Steps),
        "values" => Ok(Record::Values),
        other => Err(VectorError::Field {
            path: n.path().to_string(),
            problem: format!("{other:?} is neither \"steps\" nor \"values\""),
        }),
    }
}

pub(crate) fn recompute(suite: &str, items: &[Node<'_>]) -> Result<Vec<Case>> {
    let p = parse_suite(suite)?;
    items
        .iter()
        .map(|v| {
            let name = v.get("name")?.str()?.to_string();
            let record = record_in(v)?;
            let i = v.get("inputs")?;
            let inputs = Inputs {
                initiator: start_in(&i.get("initiator")?)?,
                responder: start_in(&i.get("responder")?)?,
            };
            let st = v.get("start")?;
            let start_draws = [
                Some(draws_in(&st.get("initiator")?)?),
                Some(draws_in(&st.get("responder")?)?),
            ];
            let events = events_in(v)?;
            // Every draw is in the file; nothing is drawn from this.
            let mut none = ReplayRng::new(Vec::<Vec<u8>>::new());
            Ok(Case::Conversation(Box::new(compute(
                &p,
                name,
                record,
                inputs,
                start_draws,
                events,
                &mut none,
                v.path(),
            )?)))
        })
        .collect()
}

/// The `events` of vector `v`, as inputs.
pub(crate) fn events_in(v: &Node<'_>) -> Result<Vec<EventIn>> {
    v.get("events")?.items()?.iter().map(event_in).collect()
}

/// One event as [`check_deliveries`] reads it: its kind, its message
/// number, what was sent and what was decrypted.
pub(crate) type Delivery<'a> = (&'a str, u32, Option<&'a [u8]>, Option<&'a [u8]>);

/// Every delivery must give back what was sent.
pub(crate) fn check_deliveries(events: &[Delivery<'_>], path: &str) -> Result<()> {
    for (j, &(event, message, _, decrypted)) in events.iter().enumerate() {
        if event == "deliver" {
            let sent = events
                .iter()
                .find(|x| x.0 == "send" && x.1 == message)
                .and_then(|x| x.2);
            if sent != decrypted {
                return Err(VectorError::Ratchet {
                    path: format!("{path}.events[{j}]"),
                    source: RatchetError::Misuse("the receiver got another plaintext"),
                });
            }
        }
    }
    Ok(())
}
