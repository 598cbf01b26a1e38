//! A conversation over an unreliable channel, and what it cost.
//!
//! The [`Pattern`] says who sends each message; the [`Delivery`] loses some
//! (never delivered) and may deliver the rest out of order. A party reads
//! everything delivered to it before it sends; a responder that has not
//! received yet cannot send, so its peer sends instead. At the end both
//! sides read what is left. Every delivered message must decrypt to what
//! was sent, exactly once: anything else ends the run with an error.
//!
//! The channel draws from its own RNG (seeded by the caller), so the same
//! seed gives the same losses and orders for every suite.

use std::time::Instant;

use twofold_core::{CryptoRng, Off, Party};
use twofold_ratchet::double::SendOptions;

use super::establish::{Envelope, Pair};
use super::{Error, Result};

/// Who sends each message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pattern {
    /// Turns alternate every message.
    PingPong,
    /// Each turn is this many messages.
    Bursts(u32),
    /// The initiator sends everything (the responder replies only when its
    /// turn comes: never).
    OneWay,
    /// The turn passes with this probability after each message.
    Random(f64),
}

impl Pattern {
    /// Parses `pingpong`, `burst<N>`, `oneway` or `random<P>` (`random0.3`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pingpong" => Some(Self::PingPong),
            "oneway" => Some(Self::OneWay),
            _ => {
                if let Some(n) = s.strip_prefix("burst") {
                    n.parse().ok().filter(|&n| n > 0).map(Self::Bursts)
                } else if let Some(p) = s.strip_prefix("random") {
                    p.parse()
                        .ok()
                        .filter(|p: &f64| (0.0..=1.0).contains(p))
                        .map(Self::Random)
                } else {
                    None
                }
            }
        }
    }
}

impl core::fmt::Display for Pattern {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::PingPong => f.write_str("pingpong"),
            Self::Bursts(n) => write!(f, "burst{n}"),
            Self::OneWay => f.write_str("oneway"),
            Self::Random(p) => write!(f, "random{p}"),
        }
    }
}

/// What the channel does to messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delivery {
    /// Probability that a message is lost (0 ≤ loss < 1).
    pub loss: f64,
    /// Whether what waits for a party reaches it in random order.
    pub reorder: bool,
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            loss: 0.0,
            reorder: false,
        }
    }
}

/// A conversation to play.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// Messages to send.
    pub messages: u64,
    /// Who sends them.
    pub pattern: Pattern,
    /// The channel.
    pub delivery: Delivery,
    /// Plaintext bytes per message.
    pub plaintext_len: usize,
    /// Simulated seconds between messages (the clock of time-based rekey
    /// policies and expiry).
    pub seconds_per_message: u64,
    /// Serialize and reload both sessions every this many messages.
    pub reload_every: Option<u64>,
}

impl Default for Conversation {
    fn default() -> Self {
        Self {
            messages: 200,
            pattern: Pattern::PingPong,
            delivery: Delivery::default(),
            plaintext_len: 32,
            seconds_per_message: 60,
            reload_every: None,
        }
    }
}

/// What a conversation cost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The ratchet suite.
    pub suite: String,
    /// The handshake it started from.
    pub handshake: String,
    /// Bytes the handshake sent on its own.
    pub handshake_bytes: usize,
    /// Messages sent.
    pub sent: u64,
    /// Messages delivered (and decrypted).
    pub delivered: u64,
    /// Messages lost.
    pub lost: u64,
    /// Bytes on the wire over every sent message.
    pub wire_bytes: u64,
    /// The largest message.
    pub max_message: usize,
    /// Bytes over the plaintext per message (mean).
    pub overhead_mean: f64,
    /// CKA epochs (DH or KEM ratchet steps), the larger of the two sides.
    pub epochs: u64,
    /// Epochs with a KEM secret in their key (KEM and hybrid CKAs).
    pub pq_epochs: u64,
    /// Epochs the sparse PQ ratchet completed on both sides (Triple
    /// Ratchet).
    pub sparse_epochs: u64,
    /// The first message (1-based) whose key holds a post-quantum secret
    /// the ratchet itself agreed (beyond the handshake's), if one did.
    pub first_pq_message: Option<u64>,
    /// The most skipped message keys either side held at once.
    pub max_skipped_keys: usize,
    /// The largest serialized session seen (sampled after every message).
    pub max_state_bytes: usize,
    /// Both sessions' serialized sizes at the end.
    pub final_state_bytes: [usize; 2],
    /// Reloads from serialized state.
    pub reloads: u64,
    /// Median time of one encryption, in nanoseconds.
    pub encrypt_ns_median: u64,
    /// Median time of one decryption, in nanoseconds.
    pub decrypt_ns_median: u64,
}

impl Report {
    /// Mean bytes per sent message.
    pub fn bytes_per_message(&self) -> f64 {
        if self.sent == 0 {
            0.0
        } else {
            self.wire_bytes as f64 / self.sent as f64
        }
    }
}

/// A uniform draw in `[0, 1)` from the channel's RNG.
fn unit(rng: &mut dyn CryptoRng) -> f64 {
    let mut b = [0u8; 8];
    rng.fill_bytes(&mut b);
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// A draw below `n` (n > 0) from the channel's RNG.
fn below(rng: &mut dyn CryptoRng, n: usize) -> usize {
    ((unit(rng) * n as f64) as usize).min(n - 1)
}

fn median(v: &mut [u64]) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[v.len() / 2]
}

/// The plaintext of message `i`: its number, repeated.
fn plaintext(i: u64, len: usize) -> Vec<u8> {
    i.to_le_bytes().iter().copied().cycle().take(len).collect()
}

/// A message on its way, with what it must decrypt to.
struct InFlight {
    envelope: Envelope,
    plaintext: Vec<u8>,
}

struct Run<'a> {
    pair: &'a mut Pair,
    c: &'a Conversation,
    inbox: [Vec<InFlight>; 2],
    report: Report,
    encrypt_ns: Vec<u64>,
    decrypt_ns: Vec<u64>,
    now: u64,
}

fn idx(p: Party) -> usize {
    match p {
        Party::Initiator => 0,
        Party::Responder => 1,
    }
}

impl Run<'_> {
    /// `party` reads everything delivered to it.
    fn deliver(
        &mut self,
        party: Party,
        rng: &mut dyn CryptoRng,
        channel: &mut dyn CryptoRng,
    ) -> Result<()> {
        let mut waiting = std::mem::take(&mut self.inbox[idx(party)]);
        if self.c.delivery.reorder {
            for i in (1..waiting.len()).rev() {
                waiting.swap(i, below(channel, i + 1));
            }
        }
        for m in waiting {
            let t = Instant::now();
            let got = self
                .pair
                .receive(party, &m.envelope, self.now, rng, &mut Off)?;
            self.decrypt_ns.push(t.elapsed().as_nanos() as u64);
            if got.plaintext != m.plaintext {
                return Err(Error::Mismatch(
                    "a message decrypted to something else".into(),
                ));
            }
            self.report.delivered += 1;
        }
        Ok(())
    }

    fn sample(&mut self) -> Result<()> {
        let r = &mut self.report;
        let mut sparse = u64::MAX;
        for p in [Party::Initiator, Party::Responder] {
            let x = self.pair.session(p).map(|s| s.ratchet());
            if let Some(x) = x {
                r.epochs = r.epochs.max(x.epochs());
                r.pq_epochs = r.pq_epochs.max(x.pq_epochs());
                r.max_skipped_keys = r.max_skipped_keys.max(x.skipped_keys());
            }
            sparse = sparse.min(x.map_or(0, |x| x.sparse_epochs()));
            r.max_state_bytes = r.max_state_bytes.max(self.pair.state_bytes(p)?);
        }
        r.sparse_epochs = sparse;
        // The message just sent opened the first KEM-keyed epoch.
        if r.first_pq_message.is_none() && r.pq_epochs > 0 {
            r.first_pq_message = Some(r.sent);
        }
        Ok(())
    }

    /// Before a send: once both sides hold a sparse epoch secret, the next
    /// message is keyed from it (SPQR keys a message from the epoch before
    /// the one it is sent in, and the sender has moved on only if it heard
    /// that the peer has the secret too).
    fn before_send(&mut self) {
        let sparse = [Party::Initiator, Party::Responder]
            .map(|p| {
                self.pair
                    .session(p)
                    .map_or(0, |s| s.ratchet().sparse_epochs())
            })
            .into_iter()
            .min()
            .unwrap_or(0);
        if self.report.first_pq_message.is_none() && sparse > 0 {
            self.report.first_pq_message = Some(self.report.sent + 1);
        }
    }
}

/// Plays `c` on `pair`: the ratchets draw from `rng`, the channel (who sends
/// under [`Pattern::Random`], losses, orders) from `channel`.
pub fn play(
    pair: &mut Pair,
    c: &Conversation,
    rng: &mut dyn CryptoRng,
    channel: &mut dyn CryptoRng,
) -> Result<Report> {
    if !(0.0..1.0).contains(&c.delivery.loss) {
        return Err(Error::Mismatch("loss must lie in [0, 1)".into()));
    }
    let report = Report {
        suite: pair.suite().to_string(),
        handshake: pair.handshake().to_string(),
        handshake_bytes: pair.handshake_bytes(),
        ..Report::default()
    };
    let mut run = Run {
        pair,
        c,
        inbox: [Vec::new(), Vec::new()],
        report,
        encrypt_ns: Vec::new(),
        decrypt_ns: Vec::new(),
        now: 0,
    };
    let mut turn = Party::Initiator;
    let mut in_turn = 0u64;
    let mut overhead = 0u64;
    for i in 0..c.messages {
        run.now = i * c.seconds_per_message;
        run.deliver(turn, rng, channel)?;
        let mut sender = turn;
        if !run.pair.can_send(sender) {
            sender = sender.peer();
            run.deliver(sender, rng, channel)?;
        }
        run.before_send();
        let text = plaintext(i, c.plaintext_len);
        let opts = SendOptions {
            now: run.now,
            ..SendOptions::default()
        };
        let t = Instant::now();
        let envelope = run.pair.send(sender, &text, &opts, rng, &mut Off)?;
        run.encrypt_ns.push(t.elapsed().as_nanos() as u64);
        run.report.sent += 1;
        run.report.wire_bytes += envelope.bytes.len() as u64;
        run.report.max_message = run.report.max_message.max(envelope.bytes.len());
        overhead += envelope.bytes.len().saturating_sub(text.len()) as u64;
        if unit(channel) < c.delivery.loss {
            run.report.lost += 1;
        } else {
            run.inbox[idx(sender.peer())].push(InFlight {
                envelope,
                plaintext: text,
            });
        }
        run.sample()?;
        if let Some(k) = c.reload_every
            && k > 0
            && (i + 1) % k == 0
        {
            run.pair.reload(Party::Initiator)?;
            run.pair.reload(Party::Responder)?;
            run.report.reloads += 1;
        }
        in_turn += 1;
        let pass = match c.pattern {
            Pattern::PingPong => true,
            Pattern::Bursts(n) => in_turn >= u64::from(n),
            Pattern::OneWay => false,
            Pattern::Random(p) => unit(channel) < p,
        };
        if pass {
            turn = turn.peer();
            in_turn = 0;
        }
    }
    run.deliver(Party::Initiator, rng, channel)?;
    run.deliver(Party::Responder, rng, channel)?;
    run.sample()?;
    run.report.final_state_bytes = [
        run.pair.state_bytes(Party::Initiator)?,
        run.pair.state_bytes(Party::Responder)?,
    ];
    run.report.overhead_mean = if run.report.sent == 0 {
        0.0
    } else {
        overhead as f64 / run.report.sent as f64
    };
    run.report.encrypt_ns_median = median(&mut run.encrypt_ns);
    run.report.decrypt_ns_median = median(&mut run.decrypt_ns);
    Ok(run.report)
}
