//! Step-by-step traces for teaching and for test vectors.
//!
//! A handshake records one [`TraceStep`] per protocol step, named as the
//! specification names it (DH1..DH4, SS, e, ee, ekem1, ...). Values recorded
//! here include secrets: a trace is only kept when the caller turns tracing
//! on, and its values are wiped on drop.

use zeroize::{Zeroize, ZeroizeOnDrop};

/// One named step and the value it produced.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct TraceStep {
    /// Who did it: "initiator" or "responder" (or "both").
    #[zeroize(skip)]
    pub party: &'static str,
    /// The spec's name for the step or value ("DH1", "SS", "h", "ck", ...).
    #[zeroize(skip)]
    pub name: String,
    /// The bytes produced (may be secret).
    pub value: Vec<u8>,
}

impl core::fmt::Debug for TraceStep {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} {} ({} bytes)",
            self.party,
            self.name,
            self.value.len()
        )
    }
}

/// An append-only list of steps; recording is a no-op when disabled.
#[derive(Debug, Default, Clone)]
pub struct Trace {
    enabled: bool,
    steps: Vec<TraceStep>,
}

impl Trace {
    /// A trace that records when `enabled` is true.
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            steps: Vec::new(),
        }
    }

    /// Whether steps are being recorded.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Records a step (copies `value`) if enabled.
    pub fn record(&mut self, party: &'static str, name: impl Into<String>, value: &[u8]) {
        if self.enabled {
            self.steps.push(TraceStep {
                party,
                name: name.into(),
                value: value.to_vec(),
            });
        }
    }

    /// The recorded steps, in order.
    pub fn steps(&self) -> &[TraceStep] {
        &self.steps
    }

    /// Moves the steps of `other` to the end of this trace.
    pub fn append(&mut self, other: &mut Trace) {
        self.steps.append(&mut other.steps);
    }
}
