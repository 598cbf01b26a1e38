//! Observation: one record of what a protocol run did, for traces, test
//! vectors, floors and the derivation graph.
//!
//! Protocol code reports each step once to an [`Observer`]:
//! * a [`Value`]: the party, the step's name as its specification spells it
//!   (`DH1`, `SS`, `KM`, `RK`, `h`, `ck`, `e1`, `ekem1 ss`, ...), the bytes,
//!   whether they are [`Kind::Public`], [`Kind::Secret`] or a whole
//!   [`Kind::Wire`] message, the operation that made them, and the names of
//!   the values they were derived from;
//! * a [`Draw`]: every random byte string a protocol consumes, with its
//!   purpose (`EK_A coins`, `e coins`, ...), reported by the [`Drawing`]
//!   wrapper around the caller's generator;
//! * a [`Call`]: every primitive call (operation, `ALGORITHM@backend`, input
//!   sizes), reported by implementations handed out by
//!   [`crate::resolve::Observing`] to the [`Recorder`] capturing calls on
//!   the current thread.
//!
//! Observation is off unless the caller passes an observer: [`Off`] answers
//! [`Observer::enabled`] with `false`, protocol code builds no names and
//! copies nothing for it, and each report costs one empty virtual call.
//!
//! Input names resolve to the latest value of that name reported by the same
//! party, else by any party (a responder's `re` comes from the initiator's
//! `message 1`). The [`Recorder`] keeps the resolved edges, so a
//! [`Trace`] is the derivation graph of the run.

use std::cell::{Ref, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use serde::Serialize;
use serde::ser::{SerializeSeq, SerializeStruct};
use zeroize::Zeroizing;

use crate::CryptoRng;
use crate::resolve::Primitive;

/// Who did a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    /// The party that sends first (X3DH's Alice, Noise's initiator).
    Initiator,
    /// The other party.
    Responder,
}

impl Party {
    /// `"initiator"` or `"responder"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Initiator => "initiator",
            Party::Responder => "responder",
        }
    }

    /// The other party.
    pub fn peer(self) -> Party {
        match self {
            Party::Initiator => Party::Responder,
            Party::Responder => Party::Initiator,
        }
    }
}

impl core::fmt::Display for Party {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a reported value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Public: a public key, a hash, a label, associated data, a plaintext
    /// the caller supplied.
    Public,
    /// Secret: a secret key, a DH output, a KEM shared secret, a derived key.
    Secret,
    /// A whole message as it went onto the wire.
    Wire,
}

/// A value one step produced.
#[derive(Debug, Clone, Copy)]
pub struct Value<'a> {
    /// Who computed it.
    pub party: Party,
    /// Its name in the specification.
    pub name: &'a str,
    /// Public, secret or a wire message.
    pub kind: Kind,
    /// The bytes.
    pub bytes: &'a [u8],
    /// The operation that made it (`X25519`, `HKDF-SHA256`, `concat`,
    /// `MixKey`, `input`, `constant`, ...).
    pub op: &'a str,
    /// The names of the values it was made from.
    pub inputs: &'a [&'a str],
}

/// Random bytes a protocol consumed.
#[derive(Debug, Clone, Copy)]
pub struct Draw<'a> {
    /// Who drew them.
    pub party: Party,
    /// What they are for (`EK_A coins`, `e coins`, ...).
    pub purpose: &'a str,
    /// The bytes (coins are secret).
    pub bytes: &'a [u8],
}

/// Which operation a primitive call performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CallOp {
    /// KEM key generation; sizes: coins.
    KemKeygen,
    /// First half of an incremental encapsulation; sizes: header.
    Encaps1,
    /// Second half of an incremental encapsulation; sizes: state, key vector.
    Encaps2,
    /// Check of an incremental KEM's key vector; sizes: header, key vector.
    CheckEkVector,
    /// KEM encapsulation; sizes: public key.
    Encaps,
    /// KEM decapsulation; sizes: secret key, ciphertext.
    Decaps,
    /// Decapsulation with a checked key; sizes: secret key, ciphertext.
    DecapsPrechecked,
    /// The checks on a KEM secret key; sizes: secret key.
    CheckSecretKey,
    /// DH key generation; sizes: coins.
    DhKeygen,
    /// Public key of a DH secret key; sizes: secret key.
    DhPublic,
    /// A DH computation; sizes: secret key, public key.
    Dh,
    /// Signature key generation; sizes: coins.
    SigKeygen,
    /// Signing; sizes: secret key, message.
    Sign,
    /// Verification; sizes: public key, message, signature.
    Verify,
    /// AEAD seal; sizes: associated data, plaintext.
    Seal,
    /// Unauthenticated encryption; sizes: plaintext.
    Encrypt,
    /// Unauthenticated decryption; sizes: ciphertext.
    Decrypt,
    /// AEAD open; sizes: associated data, ciphertext.
    Open,
    /// Hashing; sizes: message.
    Hash,
    /// HMAC; sizes: key, message.
    Hmac,
    /// XOF; sizes: input, output.
    Xof,
    /// KDF extract; sizes: salt, input keying material.
    Extract,
    /// KDF expand; sizes: pseudorandom key, info, output.
    Expand,
    /// KDF extract-then-expand; sizes: salt, input keying material, info, output.
    Derive,
}

impl CallOp {
    /// The name used in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOp::KemKeygen => "KEM keygen",
            CallOp::Encaps1 => "encaps1",
            CallOp::Encaps2 => "encaps2",
            CallOp::CheckEkVector => "ek check",
            CallOp::Encaps => "encaps",
            CallOp::Decaps => "decaps",
            CallOp::DecapsPrechecked => "decaps (checked key)",
            CallOp::CheckSecretKey => "KEM key check",
            CallOp::DhKeygen => "DH keygen",
            CallOp::DhPublic => "DH public",
            CallOp::Dh => "DH",
            CallOp::SigKeygen => "signature keygen",
            CallOp::Sign => "sign",
            CallOp::Verify => "verify",
            CallOp::Seal => "seal",
            CallOp::Encrypt => "encrypt",
            CallOp::Decrypt => "decrypt",
            CallOp::Open => "open",
            CallOp::Hash => "hash",
            CallOp::Hmac => "HMAC",
            CallOp::Xof => "XOF",
            CallOp::Extract => "KDF extract",
            CallOp::Expand => "KDF expand",
            CallOp::Derive => "KDF",
        }
    }
}

/// One primitive call.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The operation.
    pub op: CallOp,
    /// The implementation that served it (the real one, not the wrapper).
    pub primitive: Primitive,
    /// Input sizes, in the order [`CallOp`] documents.
    pub sizes: &'a [usize],
}

/// Receives what a protocol run reports. Every method but [`Self::value`]
/// has an empty default.
pub trait Observer {
    /// Whether anything is recorded. Protocol code skips building names and
    /// copying values when this is `false`.
    fn enabled(&self) -> bool {
        true
    }
    /// `party` begins a named part of the protocol (`initiate`,
    /// `message 2`, `send 7`); later values of `party` belong to it.
    fn section(&mut self, _party: Party, _name: &str) {}
    /// A value a step produced.
    fn value(&mut self, v: &Value<'_>);
    /// Random bytes consumed.
    fn draw(&mut self, _d: &Draw<'_>) {}
    /// A primitive call.
    fn call(&mut self, _c: &Call<'_>) {}
}

/// The observer that records nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Off;

impl Observer for Off {
    fn enabled(&self) -> bool {
        false
    }
    fn value(&mut self, _v: &Value<'_>) {}
}

impl<O: Observer + ?Sized> Observer for &mut O {
    fn enabled(&self) -> bool {
        (**self).enabled()
    }
    fn section(&mut self, party: Party, name: &str) {
        (**self).section(party, name)
    }
    fn value(&mut self, v: &Value<'_>) {
        (**self).value(v)
    }
    fn draw(&mut self, d: &Draw<'_>) {
        (**self).draw(d)
    }
    fn call(&mut self, c: &Call<'_>) {
        (**self).call(c)
    }
}

/// One party's handle on an observer: what protocol code calls.
pub struct Obs<'a> {
    observer: &'a mut dyn Observer,
    party: Party,
}

impl<'a> Obs<'a> {
    /// Reports to `observer` as `party`.
    pub fn new(observer: &'a mut dyn Observer, party: Party) -> Self {
        Self { observer, party }
    }

    /// Whether anything is recorded.
    #[inline]
    pub fn on(&self) -> bool {
        self.observer.enabled()
    }

    /// The reporting party.
    pub fn party(&self) -> Party {
        self.party
    }

    /// A shorter-lived handle on the same observer and party.
    pub fn reborrow(&mut self) -> Obs<'_> {
        Obs {
            observer: &mut *self.observer,
            party: self.party,
        }
    }

    /// Begins a named part of the protocol.
    pub fn section(&mut self, name: &str) {
        self.observer.section(self.party, name);
    }

    /// Reports a value.
    #[inline]
    pub fn value(&mut self, name: &str, kind: Kind, bytes: &[u8], op: &str, inputs: &[&str]) {
        self.observer.value(&Value {
            party: self.party,
            name,
            kind,
            bytes,
            op,
            inputs,
        });
    }

    /// Reports a public value.
    #[inline]
    pub fn public(&mut self, name: &str, bytes: &[u8], op: &str, inputs: &[&str]) {
        self.value(name, Kind::Public, bytes, op, inputs);
    }

    /// Reports a secret value.
    #[inline]
    pub fn secret(&mut self, name: &str, bytes: &[u8], op: &str, inputs: &[&str]) {
        self.value(name, Kind::Secret, bytes, op, inputs);
    }

    /// Reports a whole wire message.
    #[inline]
    pub fn wire(&mut self, name: &str, bytes: &[u8], inputs: &[&str]) {
        self.value(name, Kind::Wire, bytes, "message", inputs);
    }

    /// Reports coins the caller gave instead of drawing them (a replayed
    /// run, a test vector), as a draw under `purpose`, so that a trace
    /// reads the same whichever way the coins came.
    pub fn given(&mut self, purpose: &str, bytes: &[u8]) {
        self.observer.draw(&Draw {
            party: self.party,
            purpose,
            bytes,
        });
    }

    /// `rng`, reporting every draw under `purpose`.
    pub fn rng<'b>(&'b mut self, rng: &'b mut dyn CryptoRng, purpose: &'b str) -> Drawing<'b> {
        Drawing {
            rng,
            observer: &mut *self.observer,
            party: self.party,
            purpose,
        }
    }
}

/// A generator that reports every draw, with its purpose, to an observer:
/// the recording wrapper that makes every coin of a run visible.
pub struct Drawing<'a> {
    rng: &'a mut dyn CryptoRng,
    observer: &'a mut dyn Observer,
    party: Party,
    purpose: &'a str,
}

impl<'a> Drawing<'a> {
    /// Draws from `rng` and reports to `observer` as `party`, for `purpose`.
    pub fn new(
        rng: &'a mut dyn CryptoRng,
        observer: &'a mut dyn Observer,
        party: Party,
        purpose: &'a str,
    ) -> Self {
        Self {
            rng,
            observer,
            party,
            purpose,
        }
    }
}

impl CryptoRng for Drawing<'_> {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.rng.fill_bytes(dest);
        self.observer.draw(&Draw {
            party: self.party,
            purpose: self.purpose,
            bytes: dest,
        });
    }
    fn is_deterministic(&self) -> bool {
        self.rng.is_deterministic()
    }
}

// ---------------------------------------------------------------------------
// Calls: reported by wrapped implementations to this thread's capture.
// ---------------------------------------------------------------------------

thread_local! {
    static CAPTURE: RefCell<Vec<Recorder>> = const { RefCell::new(Vec::new()) };
}

/// Reports `c` to the recorder capturing calls on this thread, if any.
pub fn report_call(c: &Call<'_>) {
    CAPTURE.with(|stack| {
        if let Ok(stack) = stack.try_borrow()
            && let Some(r) = stack.last()
        {
            r.record_call(c);
        }
    });
}

/// While alive, primitive calls on this thread go to a recorder (see
/// [`Recorder::capture_calls`]). Dropping it ends the capture.
#[must_use = "the capture ends when this guard is dropped"]
pub struct CallCapture {
    _not_send: core::marker::PhantomData<*const ()>,
}

impl Drop for CallCapture {
    fn drop(&mut self) {
        CAPTURE.with(|stack| {
            if let Ok(mut stack) = stack.try_borrow_mut() {
                stack.pop();
            }
        });
    }
}

// ---------------------------------------------------------------------------
// The recorder and its trace.
// ---------------------------------------------------------------------------

/// The reference from a value to one of its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The name as the protocol gave it.
    pub name: String,
    /// The sequence number of the event it resolved to (`None`: nothing of
    /// that name was reported before).
    pub seq: Option<usize>,
}

/// A recorded value.
pub struct ValueRecord {
    /// Who computed it.
    pub party: Party,
    /// The section of `party` it belongs to.
    pub section: Option<String>,
    /// Its name.
    pub name: String,
    /// Public, secret or wire.
    pub kind: Kind,
    /// The operation that made it.
    pub op: String,
    /// What it was made from.
    pub inputs: Vec<Input>,
    /// The bytes (wiped when the trace drops).
    pub bytes: Zeroizing<Vec<u8>>,
}

/// A recorded draw.
pub struct DrawRecord {
    /// Who drew.
    pub party: Party,
    /// The section of `party` it belongs to.
    pub section: Option<String>,
    /// What for.
    pub purpose: String,
    /// The bytes (wiped when the trace drops).
    pub bytes: Zeroizing<Vec<u8>>,
}

/// A recorded primitive call.
#[derive(Debug, Clone)]
pub struct CallRecord {
    /// The operation.
    pub op: CallOp,
    /// The implementation that served it.
    pub primitive: Primitive,
    /// Its input sizes.
    pub sizes: Vec<usize>,
}

/// One recorded event.
pub enum Event {
    /// A party began a section.
    Section {
        /// The party.
        party: Party,
        /// The section's name.
        name: String,
    },
    /// A value.
    Value(ValueRecord),
    /// A draw.
    Draw(DrawRecord),
    /// A primitive call.
    Call(CallRecord),
}

impl core::fmt::Debug for Event {
    /// Names and lengths only: values may be secret.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Event::Section { party, name } => write!(f, "{party} section {name}"),
            Event::Value(v) => write!(
                f,
                "{} {} {:?} ({} bytes, {})",
                v.party,
                v.name,
                v.kind,
                v.bytes.len(),
                v.op
            ),
            Event::Draw(d) => write!(
                f,
                "{} draw {} ({} bytes)",
                d.party,
                d.purpose,
                d.bytes.len()
            ),
            Event::Call(c) => write!(
                f,
                "call {} {} {:?}",
                c.op.as_str(),
                c.primitive.id(),
                c.sizes
            ),
        }
    }
}

/// Everything one run reported, in order, with the derivation edges
/// resolved.
#[derive(Default)]
pub struct Trace {
    events: Vec<Event>,
    latest: HashMap<(Party, String), usize>,
    latest_any: HashMap<String, usize>,
    section: [Option<String>; 2],
}

impl core::fmt::Debug for Trace {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(&self.events).finish()
    }
}

fn slot(p: Party) -> usize {
    match p {
        Party::Initiator => 0,
        Party::Responder => 1,
    }
}

impl Trace {
    /// An empty trace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every event, in order; an event's sequence number is its index.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    fn resolve(&self, party: Party, name: &str) -> Option<usize> {
        self.latest
            .get(&(party, name.to_string()))
            .or_else(|| self.latest_any.get(name))
            .copied()
    }

    fn bind(&mut self, party: Party, name: &str) {
        let seq = self.events.len();
        self.latest.insert((party, name.to_string()), seq);
        self.latest_any.insert(name.to_string(), seq);
    }

    fn push_value(&mut self, v: &Value<'_>) {
        let inputs = v
            .inputs
            .iter()
            .map(|n| Input {
                name: (*n).to_string(),
                seq: self.resolve(v.party, n),
            })
            .collect();
        self.bind(v.party, v.name);
        self.events.push(Event::Value(ValueRecord {
            party: v.party,
            section: self.section[slot(v.party)].clone(),
            name: v.name.to_string(),
            kind: v.kind,
            op: v.op.to_string(),
            inputs,
            bytes: Zeroizing::new(v.bytes.to_vec()),
        }));
    }

    fn push_draw(&mut self, d: &Draw<'_>) {
        self.bind(d.party, d.purpose);
        self.events.push(Event::Draw(DrawRecord {
            party: d.party,
            section: self.section[slot(d.party)].clone(),
            purpose: d.purpose.to_string(),
            bytes: Zeroizing::new(d.bytes.to_vec()),
        }));
    }

    /// The values, with their sequence numbers.
    pub fn values(&self) -> impl Iterator<Item = (usize, &ValueRecord)> {
        self.events.iter().enumerate().filter_map(|(i, e)| match e {
            Event::Value(v) => Some((i, v)),
            _ => None,
        })
    }

    /// The draws, in order.
    pub fn draws(&self) -> impl Iterator<Item = &DrawRecord> {
        self.events.iter().filter_map(|e| match e {
            Event::Draw(d) => Some(d),
            _ => None,
        })
    }

    /// The primitive calls, in order.
    pub fn calls(&self) -> impl Iterator<Item = &CallRecord> {
        self.events.iter().filter_map(|e| match e {
            Event::Call(c) => Some(c),
            _ => None,
        })
    }

    /// Every value `party` reported under `name`, in order, with its
    /// sequence number.
    pub fn all(&self, party: Party, name: &str) -> Vec<(usize, &ValueRecord)> {
        self.values()
            .filter(|(_, v)| v.party == party && v.name == name)
            .collect()
    }

    /// The last value `party` reported under `name`.
    pub fn last(&self, party: Party, name: &str) -> Option<&ValueRecord> {
        self.all(party, name).last().map(|(_, v)| *v)
    }

    /// The bytes of an event that carries bytes (a value or a draw).
    pub fn bytes_of(&self, seq: usize) -> Option<&[u8]> {
        match self.events.get(seq)? {
            Event::Value(v) => Some(&v.bytes),
            Event::Draw(d) => Some(&d.bytes),
            _ => None,
        }
    }

    /// The name of a value or the purpose of a draw.
    pub fn name_of(&self, seq: usize) -> Option<&str> {
        match self.events.get(seq)? {
            Event::Value(v) => Some(&v.name),
            Event::Draw(d) => Some(&d.purpose),
            _ => None,
        }
    }

    /// Whether the event `seq` was derived, directly or through other
    /// values, from the event `from`.
    pub fn depends_on(&self, seq: usize, from: usize) -> bool {
        let mut stack = vec![seq];
        let mut seen = vec![false; self.events.len()];
        while let Some(s) = stack.pop() {
            if s == from {
                return true;
            }
            if std::mem::replace(&mut seen[s], true) {
                continue;
            }
            if let Some(Event::Value(v)) = self.events.get(s) {
                stack.extend(v.inputs.iter().filter_map(|i| i.seq));
            }
        }
        false
    }

    /// The JSON shape of this trace (see [`TraceJson`]); `values` includes
    /// every value in hex, secrets too.
    pub fn json(&self, values: bool) -> TraceJson<'_> {
        TraceJson {
            trace: self,
            values,
        }
    }
}

/// A recording observer. Clones share one [`Trace`], so the same recorder
/// can observe both parties of an in-memory run and capture the primitive
/// calls of the thread.
#[derive(Clone, Default)]
pub struct Recorder {
    trace: Rc<RefCell<Trace>>,
}

impl core::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.trace.try_borrow() {
            Ok(t) => write!(f, "Recorder({} events)", t.events.len()),
            Err(_) => f.write_str("Recorder(..)"),
        }
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The trace so far.
    ///
    /// # Panics
    /// If called while the recorder is recording (from inside an observer
    /// callback), which protocol code never does.
    pub fn trace(&self) -> Ref<'_, Trace> {
        self.trace.borrow()
    }

    /// Takes the trace recorded so far, leaving an empty one.
    pub fn take(&self) -> Trace {
        std::mem::take(&mut *self.trace.borrow_mut())
    }

    /// Sends the primitive calls made on this thread (through implementations
    /// from [`crate::resolve::Observing`]) to this recorder until the guard
    /// drops. Captures nest: the innermost one receives the calls.
    pub fn capture_calls(&self) -> CallCapture {
        CAPTURE.with(|stack| stack.borrow_mut().push(self.clone()));
        CallCapture {
            _not_send: core::marker::PhantomData,
        }
    }

    fn record_call(&self, c: &Call<'_>) {
        // A call made while the trace is borrowed (by a caller inspecting
        // it) is not recorded rather than aborting the run.
        if let Ok(mut t) = self.trace.try_borrow_mut() {
            t.events.push(Event::Call(CallRecord {
                op: c.op,
                primitive: c.primitive,
                sizes: c.sizes.to_vec(),
            }));
        }
    }
}

impl Observer for Recorder {
    fn section(&mut self, party: Party, name: &str) {
        let mut t = self.trace.borrow_mut();
        t.section[slot(party)] = Some(name.to_string());
        t.events.push(Event::Section {
            party,
            name: name.to_string(),
        });
    }
    fn value(&mut self, v: &Value<'_>) {
        self.trace.borrow_mut().push_value(v);
    }
    fn draw(&mut self, d: &Draw<'_>) {
        self.trace.borrow_mut().push_draw(d);
    }
    fn call(&mut self, c: &Call<'_>) {
        self.record_call(c);
    }
}

// ---------------------------------------------------------------------------
// JSON shape
// ---------------------------------------------------------------------------

/// Name and version of the trace's JSON shape.
pub const TRACE_FORMAT: &str = "twofold-trace";
/// Version of the trace's JSON shape.
pub const TRACE_VERSION: u32 = 1;

/// The documented JSON shape of a [`Trace`]:
///
/// ```text
/// { "format": "twofold-trace", "version": 1,
///   "events": [
///     { "seq": 0, "type": "section", "party": "initiator", "name": "initiate" },
///     { "seq": 1, "type": "value", "party": "initiator", "section": "initiate",
///       "name": "DH1", "kind": "secret", "op": "X25519",
///       "inputs": [ { "name": "IK_A secret", "seq": 3 }, { "name": "SPK_B", "seq": 2 } ],
///       "len": 32, "hex": "..." },
///     { "seq": 5, "type": "draw", "party": "initiator", "section": "initiate",
///       "purpose": "EK_A coins", "len": 32, "hex": "..." },
///     { "seq": 9, "type": "call", "op": "dh", "primitive": "X25519@aws-lc",
///       "sizes": [32, 32] } ] }
/// ```
///
/// `hex` is present only when values were asked for; an input whose name
/// was never reported has `"seq": null`.
pub struct TraceJson<'a> {
    trace: &'a Trace,
    values: bool,
}

struct EventJson<'a> {
    seq: usize,
    event: &'a Event,
    values: bool,
}

#[derive(Serialize)]
struct InputJson<'a> {
    name: &'a str,
    seq: Option<usize>,
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

impl Serialize for TraceJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Trace", 3)?;
        st.serialize_field("format", TRACE_FORMAT)?;
        st.serialize_field("version", &TRACE_VERSION)?;
        st.serialize_field(
            "events",
            &EventsJson {
                trace: self.trace,
                values: self.values,
            },
        )?;
        st.end()
    }
}

struct EventsJson<'a> {
    trace: &'a Trace,
    values: bool,
}

impl Serialize for EventsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.trace.events.len()))?;
        for (i, e) in self.trace.events.iter().enumerate() {
            seq.serialize_element(&EventJson {
                seq: i,
                event: e,
                values: self.values,
            })?;
        }
        seq.end()
    }
}

impl Serialize for EventJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Event", 10)?;
        st.serialize_field("seq", &self.seq)?;
        match self.event {
            Event::Section { party, name } => {
                st.serialize_field("type", "section")?;
                st.serialize_field("party", party)?;
                st.serialize_field("name", name)?;
            }
            Event::Value(v) => {
                st.serialize_field("type", "value")?;
                st.serialize_field("party", &v.party)?;
                st.serialize_field("section", &v.section)?;
                st.serialize_field("name", &v.name)?;
                st.serialize_field("kind", &v.kind)?;
                st.serialize_field("op", &v.op)?;
                let inputs: Vec<InputJson<'_>> = v
                    .inputs
                    .iter()
                    .map(|i| InputJson {
                        name: &i.name,
                        seq: i.seq,
                    })
                    .collect();
                st.serialize_field("inputs", &inputs)?;
                st.serialize_field("len", &v.bytes.len())?;
                if self.values {
                    st.serialize_field("hex", &hex(&v.bytes))?;
                }
            }
            Event::Draw(d) => {
                st.serialize_field("type", "draw")?;
                st.serialize_field("party", &d.party)?;
                st.serialize_field("section", &d.section)?;
                st.serialize_field("purpose", &d.purpose)?;
                st.serialize_field("len", &d.bytes.len())?;
                if self.values {
                    st.serialize_field("hex", &hex(&d.bytes))?;
                }
            }
            Event::Call(c) => {
                st.serialize_field("type", "call")?;
                st.serialize_field("op", &c.op)?;
                st.serialize_field("primitive", &c.primitive.id())?;
                st.serialize_field("sizes", &c.sizes)?;
            }
        }
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ShakeRng;

    #[test]
    fn inputs_resolve_to_the_latest_value_of_the_name() {
        let mut rec = Recorder::new();
        {
            let mut a = Obs::new(&mut rec, Party::Initiator);
            a.section("start");
            a.public("h", b"h0", "init", &[]);
            a.secret("ee", b"dh", "X25519", &[]);
            a.public("h", b"h1", "MixHash", &["h", "ee"]);
            a.wire("message 1", b"m", &["h"]);
        }
        {
            let mut b = Obs::new(&mut rec, Party::Responder);
            b.public("re", b"m", "read", &["message 1", "nothing"]);
        }
        let t = rec.take();
        let hs = t.all(Party::Initiator, "h");
        assert_eq!(hs.len(), 2);
        let (second, h1) = hs[1];
        assert_eq!(h1.inputs[0].seq, Some(hs[0].0));
        assert_eq!(t.name_of(h1.inputs[1].seq.unwrap()), Some("ee"));
        assert_eq!(h1.section.as_deref(), Some("start"));
        let re = t.last(Party::Responder, "re").unwrap();
        assert_eq!(t.name_of(re.inputs[0].seq.unwrap()), Some("message 1"));
        assert_eq!(re.inputs[1].seq, None);
        let (re_seq, _) = t.all(Party::Responder, "re")[0];
        assert!(t.depends_on(re_seq, second));
        assert!(!t.depends_on(second, re_seq));
    }

    #[test]
    fn draws_are_reported_with_their_purpose() {
        let mut rec = Recorder::new();
        let mut rng = ShakeRng::new(b"draws");
        let mut expected = [0u8; 40];
        ShakeRng::new(b"draws").fill_bytes(&mut expected);
        {
            let mut o = Obs::new(&mut rec, Party::Responder);
            let mut buf = [0u8; 32];
            o.rng(&mut rng, "e coins").fill_bytes(&mut buf);
            let mut buf = [0u8; 8];
            o.rng(&mut rng, "ekem coins").fill_bytes(&mut buf);
        }
        let t = rec.take();
        let d: Vec<_> = t.draws().collect();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].purpose, "e coins");
        assert_eq!(&d[0].bytes[..], &expected[..32]);
        assert_eq!(&d[1].bytes[..], &expected[32..]);
        assert_eq!(d[1].party, Party::Responder);
    }

    #[test]
    fn off_records_nothing_and_says_so() {
        let mut off = Off;
        let mut o = Obs::new(&mut off, Party::Initiator);
        assert!(!o.on());
        o.secret("x", b"secret", "op", &[]);
    }

    #[test]
    fn debug_shows_no_bytes() {
        let mut rec = Recorder::new();
        Obs::new(&mut rec, Party::Initiator).secret("k", &[0xAB; 16], "op", &[]);
        let dbg = format!("{:?}", rec.trace());
        assert!(dbg.contains("k Secret (16 bytes"));
        assert!(!dbg.to_lowercase().contains("abab"));
    }
}
