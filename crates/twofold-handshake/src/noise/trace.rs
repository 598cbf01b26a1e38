//! Per-token traces of a Noise handshake.
//!
//! When the builder turns tracing on, every step records one
//! [`TraceEntry`]: initialisation, the prologue, each pre-message key, each
//! token of each message (with the bytes it put on or took off the wire)
//! and each payload, followed by the symmetric state after it (`h`, `ck`,
//! `k`, `n`). `ck` and `k` are secrets: a trace is for teaching and test
//! vectors, is off by default, and is wiped when dropped.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::pattern::Role;
use crate::trace::Trace;

/// What a trace entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// State set-up (protocol name, prologue, pre-message keys); `bytes` is
    /// the value mixed in.
    Setup,
    /// A token or payload this party wrote; `bytes` went onto the wire.
    Write,
    /// A token or payload this party read; `bytes` came off the wire.
    Read,
}

/// One step of a handshake and the symmetric state after it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct TraceEntry {
    /// The party that recorded it.
    #[zeroize(skip)]
    pub party: Role,
    /// Setup, write or read.
    #[zeroize(skip)]
    pub kind: TraceKind,
    /// 1-based message number (0 for set-up steps).
    pub message: usize,
    /// The spec's name: "protocol_name", "prologue", "pre s", "e", "ee",
    /// "ekem1", "psk2", "payload", ...
    #[zeroize(skip)]
    pub step: String,
    /// Bytes written or read for this step (set-up: the value mixed in).
    pub bytes: Vec<u8>,
    /// The handshake hash `h` after the step.
    pub h: Vec<u8>,
    /// The chaining key `ck` after the step (secret).
    pub ck: Vec<u8>,
    /// The cipher key `k` after the step, if any (secret).
    pub k: Option<Vec<u8>>,
    /// The nonce `n` after the step.
    pub n: u64,
}

impl fmt::Debug for TraceEntry {
    /// Lengths only: the secret fields stay out of debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:?} msg {} {} ({} bytes)",
            self.party,
            self.kind,
            self.message,
            self.step,
            self.bytes.len()
        )
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

impl TraceEntry {
    /// A multi-line rendering with every value in hex, secrets included
    /// (what `twofold handshake --trace` prints).
    pub fn render(&self) -> String {
        let arrow = match self.kind {
            TraceKind::Setup => "setup",
            TraceKind::Write => "write",
            TraceKind::Read => "read",
        };
        let mut s = format!(
            "[{} {arrow} msg {}] {} ({} bytes): {}\n  h  = {}\n  ck = {}\n",
            self.party,
            self.message,
            self.step,
            self.bytes.len(),
            hex(&self.bytes),
            hex(&self.h),
            hex(&self.ck)
        );
        match &self.k {
            Some(k) => s.push_str(&format!("  k  = {} (n = {})\n", hex(k), self.n)),
            None => s.push_str("  k  = (empty)\n"),
        }
        s
    }
}

/// Converts Noise trace entries into the crate's generic [`Trace`]: four
/// steps per entry, named `msgN <step> bytes|h|ck|k`.
pub fn to_generic(entries: &[TraceEntry]) -> Trace {
    let mut t = Trace::new(true);
    for e in entries {
        let prefix = format!("msg{} {}", e.message, e.step);
        let party = e.party.as_str();
        t.record(party, format!("{prefix} bytes"), &e.bytes);
        t.record(party, format!("{prefix} h"), &e.h);
        t.record(party, format!("{prefix} ck"), &e.ck);
        if let Some(k) = &e.k {
            t.record(party, format!("{prefix} k"), k);
        }
    }
    t
}
