//! `conversation` vectors that start from the handshake instead of
//! explicit session starts: the Signal stack end to end, as libsignal sends
//! it.
//!
//! Suite `<handshake protocol>+<ratchet kind>_signal_<curve>_<hash>[_<KEM>]`,
//! e.g. `PQXDH+TripleRatchet_signal_X25519_SHA-256_Kyber1024`: the handshake
//! `PQXDH_signal_X25519_SHA-256_Kyber1024` into the ratchet
//! `TripleRatchet_signal_X25519_SHA-256`, which must be the handshake the
//! ratchet starts from ([`twofold_harness::ratchets::default_handshake`]).
//! Only the signal profile: there the initial message rides in the
//! ratchet's first messages, which is what makes the pairing a protocol of
//! its own.
//!
//! The choreography is [`twofold_harness::ratchets::Pair`]'s (libsignal's):
//! Alice's messages are PreKeySignalMessages (her initial message with her
//! SignalMessage in field 4) until she has received one of Bob's; Bob starts
//! his session from the first one that arrives, and his store spends the
//! one-time prekeys it named once that message's SignalMessage decrypts; a
//! later PreKeySignalMessage with the same base key goes to that session.
//!
//! Inputs: a `prekey` vector's (Bob's prekeys with their ids, both
//! identities, the registration id, Alice's coins) without the payload,
//! every random draw of the run, the plaintexts and the schedule. Derived:
//! the bundle; the handshake's steps (Alice's at her start, Bob's at the
//! delivery his session starts from) and session secrets; every wire
//! message with its type, and the SignalMessage inside each
//! PreKeySignalMessage; what the ratchets report, as in `conversation`;
//! each delivery's header and plaintext; the one-time prekeys spent, at the
//! delivery that spent them.

use std::sync::Arc;

use serde::Serialize;
use twofold_core::observe::{Kind as ValueKind, Trace, ValueRecord};
use twofold_core::{CryptoRng, Party, Recorder, ReplayRng, Resolver};
use twofold_handshake::prekey::{OneTimePrekeys, Profile};
use twofold_harness::ratchets::{Envelope, Pair, default_handshake};
use twofold_primitives::registry::REGISTRY;
use twofold_ratchet::double::SendOptions;
use twofold_ratchet::suite::RatchetKind;

use crate::conversation::{
    self, Action, DrawOut, EventIn, HeaderOut, Record, Reported, StepOut, deliver, send,
};
use crate::error::{AtPath, Result, SessionAt, VectorError};
use crate::json::Node;
use crate::prekey::{self, BundleOut, Inputs, SecretOut};
use crate::{Case, Generated, Step};

/// The handshake-and-ratchet suites of the default set.
pub const STACKS: &[&str] = &["PQXDH+TripleRatchet_signal_X25519_SHA-256_Kyber1024"];

/// A parsed suite: its name as printed back and its two parts.
struct StackSuite {
    name: String,
    handshake: String,
    ratchet: String,
    kind: RatchetKind,
}

/// Whether `suite` names a handshake into a ratchet (`X3DH+` or `PQXDH+`
/// and a ratchet kind before the first `_`).
pub(crate) fn is_stack(suite: &str) -> bool {
    let head = suite.split('_').next().unwrap_or_default();
    head.split_once('+')
        .is_some_and(|(h, r)| matches!(h, "X3DH" | "PQXDH") && r.ends_with("Ratchet"))
}

fn parse(name: &str) -> Result<StackSuite> {
    let bad = |why: String| VectorError::Unsupported {
        what: format!("suite {name:?}: {why}"),
    };
    let shape = || {
        bad(
            "a handshake into a ratchet is named <X3DH|PQXDH>+<ratchet kind>_signal_..., \
             e.g. PQXDH+TripleRatchet_signal_X25519_SHA-256_Kyber1024"
                .to_string(),
        )
    };
    let (head, rest) = name.split_once('_').ok_or_else(shape)?;
    let (protocol, kind) = head.split_once('+').ok_or_else(shape)?;
    let hs = prekey::handshake(&format!("{protocol}_{rest}"), None)?;
    if hs.profile() != Profile::Signal {
        return Err(bad(
            "only the signal profile, whose initial message rides in the ratchet's first \
             messages (spec-profile ratchets start from the prekey and conversation kinds)"
                .to_string(),
        ));
    }
    let hsuite = hs.suite();
    let ratchet =
        conversation::parse_suite(&format!("{kind}_signal_{}_{}", hsuite.curve, hsuite.hash))?
            .suite;
    let wanted = default_handshake(&ratchet);
    if wanted != hsuite.algorithms() {
        return Err(bad(format!("{ratchet} starts from {wanted}")));
    }
    let printed = hs.suite_name();
    let tail = printed.split_once('_').map_or("", |(_, t)| t);
    Ok(StackSuite {
        name: format!("{protocol}+{kind}_{tail}"),
        handshake: printed.to_string(),
        ratchet: ratchet.to_string(),
        kind: ratchet.kind,
    })
}

/// A conversation vector that starts from the handshake.
#[derive(Debug, Serialize)]
pub struct StackCase {
    name: String,
    record: Record,
    inputs: Inputs,
    bundle: BundleOut,
    start: Starts,
    events: Vec<EventOut>,
}

/// A side's part of the handshake: its steps and the session secret it
/// hands the ratchet.
#[derive(Debug, Serialize)]
struct HandshakeOut {
    steps: Vec<Step>,
    #[serde(rename = "session secret")]
    secret: SecretOut,
}

/// Alice's start: her initiation, then her session's start.
#[derive(Debug, Serialize)]
struct InitiatorStart {
    handshake: HandshakeOut,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    draws: Vec<DrawOut>,
    #[serde(flatten)]
    reported: Reported,
}

#[derive(Debug, Serialize)]
struct Starts {
    initiator: InitiatorStart,
}

/// Bob's session start, inside the delivery it happens at (its draws are
/// the event's).
#[derive(Debug, Serialize)]
struct ResponderStart {
    #[serde(flatten)]
    reported: Reported,
}

/// The one-time prekeys a delivery spent.
#[derive(Debug, Serialize)]
struct Spent {
    #[serde(rename = "OPK_B id", skip_serializing_if = "Option::is_none")]
    curve: Option<u32>,
    #[serde(rename = "PQPK_B id", skip_serializing_if = "Option::is_none")]
    kem: Option<u32>,
}

impl Spent {
    fn of(s: OneTimePrekeys) -> Option<Self> {
        (s.curve.is_some() || s.kem.is_some()).then_some(Self {
            curve: s.curve,
            kem: s.kem,
        })
    }
}

const PREKEY_MESSAGE: &str = "PreKeySignalMessage";
const SIGNAL_MESSAGE: &str = "SignalMessage";

/// A send or a delivery.
#[derive(Debug, Serialize)]
struct EventOut {
    event: &'static str,
    party: &'static str,
    message: u32,
    #[serde(skip_serializing_if = "conversation::is_zero")]
    time: u64,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
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
    #[serde(
        rename = "signal message",
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    inner: Option<Vec<u8>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    handshake: Option<HandshakeOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<ResponderStart>,
    #[serde(skip_serializing_if = "Option::is_none")]
    header: Option<HeaderOut>,
    #[serde(
        serialize_with = "crate::hexser::opt",
        skip_serializing_if = "Option::is_none"
    )]
    decrypted: Option<Vec<u8>>,
    #[serde(rename = "prekeys spent", skip_serializing_if = "Option::is_none")]
    spent: Option<Spent>,
    #[serde(flatten)]
    reported: Reported,
}

/// The handshake's steps of a trace: every value but the messages and the
/// payload, which are the events' `wire` and `signal message` (Alice
/// initiates with an empty payload; each of her messages replaces it).
fn handshake_steps(values: &[&ValueRecord]) -> Vec<Step> {
    values
        .iter()
        .filter(|v| v.kind != ValueKind::Wire && v.name != "payload")
        .map(|v| crate::step(v))
        .collect()
}

/// The session secret a side's handshake reported (`RK`, `CK`, `PQRK`,
/// `AD`).
fn reported_secret(values: &[&ValueRecord], path: &str) -> Result<SecretOut> {
    let last = |name: &str| {
        values
            .iter()
            .rev()
            .find(|v| v.name == name)
            .map(|v| v.bytes.to_vec())
    };
    let missing = |name: &str| VectorError::Session {
        path: path.to_string(),
        source: twofold_harness::ratchets::Error::Mismatch(format!(
            "the handshake reported no {name}"
        )),
    };
    Ok(SecretOut::signal(
        last("RK").ok_or_else(|| missing("RK"))?,
        last("CK").ok_or_else(|| missing("CK"))?,
        last("PQRK"),
        last("AD").ok_or_else(|| missing("AD"))?,
    ))
}

/// One event's trace, by the part of the protocol that reported it.
struct Split<'a> {
    draws: Vec<DrawOut>,
    accept: Vec<&'a ValueRecord>,
    start: Vec<StepOut>,
    ratchet: Vec<StepOut>,
}

fn split(t: &Trace) -> Split<'_> {
    let mut s = Split {
        draws: t.draws().map(conversation::draw_out).collect(),
        accept: Vec::new(),
        start: Vec::new(),
        ratchet: Vec::new(),
    };
    for (_, v) in t.values() {
        match v.section.as_deref() {
            Some("accept") => s.accept.push(v),
            Some("ratchet start") if conversation::is_ratchet_value(v) => {
                s.start.push(conversation::step_out(v))
            }
            _ if conversation::is_ratchet_value(v) => s.ratchet.push(conversation::step_out(v)),
            _ => {}
        }
    }
    s
}

/// Bob's set-up, Alice's initiation and session start, then the events.
#[allow(clippy::too_many_arguments)]
fn compute(
    st: &StackSuite,
    name: String,
    record: Record,
    inputs: Inputs,
    start_draws: Option<Vec<Vec<u8>>>,
    events: Vec<EventIn>,
    live: &mut dyn CryptoRng,
    path: &str,
) -> Result<StackCase> {
    let hs = prekey::handshake(&st.handshake, None)?;
    // A second handle reads the PreKeySignalMessages back for the record.
    let reader = prekey::handshake(&st.handshake, None)?;
    let setup = prekey::setup(&hs, &inputs, path)?;
    let rec = Recorder::new();
    let mut obs = rec.clone();
    let start_path = format!("{path}.start.initiator");
    let initiated = prekey::initiate(
        &hs,
        &setup.alice,
        &setup.bundle,
        &inputs,
        &[],
        &mut obs,
        &start_path,
    )?;
    let handshake = {
        let t = rec.take();
        let values: Vec<&ValueRecord> = t.values().map(|(_, v)| v).collect();
        HandshakeOut {
            steps: handshake_steps(&values),
            secret: SecretOut::of(&initiated.secret, Profile::Signal),
        }
    };
    let resolver: Arc<dyn Resolver> = Arc::new(&*REGISTRY);
    let store = setup.store;
    let mut pair = conversation::with_draws(&start_draws, live, &start_path, |rng| {
        Pair::from_prekey_handshake(&st.ratchet, hs, store, initiated, resolver, rng, &mut obs)
            .at_session(&start_path)
    })?;
    let initiator = {
        let t = rec.take();
        let s = split(&t);
        InitiatorStart {
            handshake,
            draws: s.draws,
            reported: Reported::new(record, s.start),
        }
    };

    let mut sent: Vec<Envelope> = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    for (j, ev) in events.into_iter().enumerate() {
        let here = format!("{path}.events[{j}]");
        let e = match ev.action {
            Action::Send { party, plaintext } => {
                let number = u32::try_from(sent.len()).map_err(|_| VectorError::Field {
                    path: here.clone(),
                    problem: "too many messages".to_string(),
                })?;
                let env = conversation::with_draws(&ev.draws, live, &here, |rng| {
                    pair.send(party, &plaintext, &SendOptions::default(), rng, &mut obs)
                        .at_session(&here)
                })?;
                let inner = if env.prekey {
                    Some(reader.decode_message(&env.bytes).at(&here)?.payload)
                } else {
                    None
                };
                let t = rec.take();
                let s = split(&t);
                let wire = env.bytes.clone();
                let kind = if env.prekey {
                    PREKEY_MESSAGE
                } else {
                    SIGNAL_MESSAGE
                };
                sent.push(env);
                EventOut {
                    event: "send",
                    party: party.as_str(),
                    message: number,
                    time: 0,
                    kind: Some(kind),
                    plaintext: Some(plaintext),
                    draws: s.draws,
                    wire: Some(wire),
                    inner,
                    handshake: None,
                    start: None,
                    header: None,
                    decrypted: None,
                    spent: None,
                    reported: Reported::new(record, s.ratchet),
                }
            }
            Action::Deliver { message, time } => {
                let env = usize::try_from(message)
                    .ok()
                    .and_then(|m| sent.get(m))
                    .cloned()
                    .ok_or_else(|| VectorError::Field {
                        path: format!("{here}.message"),
                        problem: format!("no message {message} has been sent yet"),
                    })?;
                let to = env.from.peer();
                let before = pair.spent_prekeys(to);
                let got = conversation::with_draws(&ev.draws, live, &here, |rng| {
                    pair.receive(to, &env, time, rng, &mut obs)
                        .at_session(&here)
                })?;
                let spent = match (before, pair.spent_prekeys(to)) {
                    (None, Some(s)) => Spent::of(s),
                    _ => None,
                };
                let t = rec.take();
                let s = split(&t);
                let handshake = if s.accept.is_empty() {
                    None
                } else {
                    Some(HandshakeOut {
                        steps: handshake_steps(&s.accept),
                        secret: reported_secret(&s.accept, &here)?,
                    })
                };
                let start = (!s.start.is_empty()).then(|| ResponderStart {
                    reported: Reported::new(record, s.start),
                });
                EventOut {
                    event: "deliver",
                    party: to.as_str(),
                    message,
                    time,
                    kind: None,
                    plaintext: None,
                    draws: s.draws,
                    wire: None,
                    inner: None,
                    handshake,
                    start,
                    header: Some(HeaderOut {
                        pn: got.header.pn,
                        n: got.header.n,
                    }),
                    decrypted: Some(got.plaintext),
                    spent,
                    reported: Reported::new(record, s.ratchet),
                }
            }
        };
        out.push(e);
    }
    Ok(StackCase {
        name,
        record,
        inputs,
        bundle: setup.out,
        start: Starts { initiator },
        events: out,
    })
}

// ---------------------------------------------------------------------------
// The default set
// ---------------------------------------------------------------------------

/// The handshake's part of a conversation (messages 0 to 4): Alice sends
/// two PreKeySignalMessages and the second arrives first, so Bob starts his
/// session from it and the first goes to that session; Alice sends a third
/// before Bob's reply reaches her; her fifth message is a SignalMessage.
fn opening() -> Vec<Action> {
    use Party::{Initiator as A, Responder as B};
    vec![
        send(A, "A0: the first PreKeySignalMessage"),
        send(A, "A1: the second, which arrives first"),
        deliver(1, 0),
        deliver(0, 0),
        send(B, "B2: Bob's first reply"),
        send(
            A,
            "A3: still a PreKeySignalMessage: Bob's reply has not arrived",
        ),
        deliver(2, 0),
        deliver(3, 0),
        send(A, "A4: a SignalMessage: Alice has heard from Bob"),
        deliver(4, 0),
    ]
}

/// Out-of-order, late and lost deliveries from message `f` on (Bob sends
/// first): Bob's burst of three delivered third, first, the second held
/// back; Alice's burst of three from a new chain with the second lost;
/// Bob's reply from a new chain, then his held-back message from the older
/// chain; Alice's last message.
fn disorder(f: u32) -> Vec<Action> {
    use Party::{Initiator as A, Responder as B};
    let text = |n: u32, who: &str, what: &str| format!("{who}{n}: {what}");
    let s = |p: Party, n: u32, what: &str| {
        let who = if p == A { "A" } else { "B" };
        send(p, &text(n, who, what))
    };
    vec![
        s(B, f, "first of a burst of three"),
        s(B, f + 1, "second, held back until Bob's next chain"),
        s(B, f + 2, "third, delivered before the first"),
        deliver(f + 2, 0),
        deliver(f, 0),
        s(A, f + 3, "a new chain"),
        s(A, f + 4, "lost"),
        s(A, f + 5, "after the lost one"),
        deliver(f + 3, 0),
        deliver(f + 5, 0),
        s(B, f + 6, "a new chain"),
        deliver(f + 6, 0),
        deliver(f + 1, 0),
        s(A, f + 7, "bye"),
        deliver(f + 7, 0),
    ]
}

/// Messages of strict ping-pong after the opening: SPQR's first epoch
/// completes within them (at the 86th message of a strict ping-pong from
/// the start).
const PING_PONG: u32 = 90;

/// The vectors' schedules, with the prekey plan each uses: the whole run
/// with one-time prekeys; the opening and two rounds without a one-time
/// curve prekey (libsignal's "noopk" case) and with the last-resort KEM
/// prekey. Both record the ratchets' values by name (the derivations are
/// those of the ratchet's own conversation file); the handshake's steps
/// always come with theirs.
fn plans(kind: RatchetKind) -> Vec<(usize, String, Record, Vec<Action>)> {
    let mut long = opening();
    long.extend(conversation::ping_pong_from(5, PING_PONG, Party::Responder));
    long.extend(disorder(5 + PING_PONG));
    let mut short = opening();
    short.extend(conversation::ping_pong_from(5, 4, Party::Responder));
    let through = if kind == RatchetKind::Triple {
        " through SPQR's first epoch"
    } else {
        ""
    };
    vec![
        (
            0,
            format!(
                "one-time curve and KEM prekeys (ids 22, 11, 33): two PreKeySignalMessages \
                 delivered out of order, a third before Bob's reply arrives; {PING_PONG} \
                 messages of ping-pong{through}; out-of-order, late and lost messages"
            ),
            Record::Values,
            long,
        ),
        (
            1,
            "no one-time curve prekey, the last-resort KEM prekey (ids 7, 1): two \
             PreKeySignalMessages delivered out of order, a third before Bob's reply arrives; \
             two rounds of ping-pong"
                .to_string(),
            Record::Values,
            short,
        ),
    ]
}

pub(crate) fn generate(name: &str, rng: &mut dyn CryptoRng) -> Result<Generated> {
    let st = parse(name)?;
    let hs = prekey::handshake(&st.handshake, None)?;
    let mut cases = Vec::new();
    for (i, (plan, case_name, record, actions)) in plans(st.kind).into_iter().enumerate() {
        let path = format!("$.vectors[{i}]");
        let inputs = prekey::draw_inputs(&hs, &prekey::PLANS[plan], false, rng);
        let events = actions
            .into_iter()
            .map(|action| EventIn {
                action,
                draws: None,
            })
            .collect();
        let case = compute(&st, case_name, record, inputs, None, events, rng, &path)?;
        conversation::check_deliveries(
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
        cases.push(Case::Stack(Box::new(case)));
    }
    let (description, sources) = describe(&st);
    Ok((st.name, description, sources, cases))
}

fn describe(st: &StackSuite) -> (String, Vec<&'static str>) {
    let description = format!(
        "{} into {} as libsignal sends them: Bob's prekeys with their ids, Alice's \
         PreKeySignalMessages (the initial message with her SignalMessage inside) until she has \
         received from Bob, Bob's session started from the first that arrives and its one-time \
         prekeys spent once that message decrypts; every draw, plaintext and delivery as inputs",
        st.handshake, st.ratchet
    );
    let mut sources = vec![
        "libsignal rust/protocol/src/pqxdh.rs, session.rs, session_cipher.rs, protocol.rs, \
         proto/wire.proto (deployed behaviour)",
        "The PQXDH Key Agreement Protocol, revision 1 (Kret and Schmidt, Signal, 2023-05-24)",
        "The X3DH Key Agreement Protocol, revision 1 (Signal, 2016-11-04)",
        "The Double Ratchet Algorithm, revision 3 (Perrin, Marlinspike, Schmidt; Signal, 2025-09-26)",
        "The XEdDSA and VXEdDSA Signature Schemes, revision 1 (Signal, 2016-10-20)",
        "RFC 5869 (HKDF), RFC 2104 (HMAC), RFC 7748 (X25519)",
    ];
    if st.kind == RatchetKind::Triple {
        sources.push(
            "The ML-KEM Braid (SPQR) specification (Signal, 2025) and the deployed spqr crate \
             v1.5.3; FIPS 203 (ML-KEM); CRYSTALS-Kyber round 3 specification (version 3.02)",
        );
    }
    (description, sources)
}

// ---------------------------------------------------------------------------
// Reading a file
// ---------------------------------------------------------------------------

pub(crate) fn recompute(suite: &str, items: &[Node<'_>]) -> Result<Vec<Case>> {
    let st = parse(suite)?;
    items
        .iter()
        .map(|v| {
            let name = v.get("name")?.str()?.to_string();
            let record = conversation::record_in(v)?;
            let inputs = prekey::parse_inputs(v, false)?;
            let start = v.get("start")?.get("initiator")?;
            let start_draws = Some(conversation::draws_in(&start)?);
            let events = conversation::events_in(v)?;
            // Every draw is in the file; nothing is drawn from this.
            let mut none = ReplayRng::new(Vec::<Vec<u8>>::new());
            Ok(Case::Stack(Box::new(compute(
                &st,
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
