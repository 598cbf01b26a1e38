//! One row of the matrix: a case, its two floors and its peers, measured
//! together.

use twofold_core::CryptoRng;
use twofold_core::ShakeRng;

use super::callgrind::Callgrind;
use super::fastest::Fastest;
use super::stats::{self, Measured, Runner, Summary, Timing, runner};
use super::{Case, Floor, Result};

/// How a row is measured.
#[derive(Debug)]
pub enum Meter {
    /// Wall-clock time, interleaved rounds ([`stats::measure`]).
    Time(Timing),
    /// Instructions under callgrind ([`Callgrind`]): one exact figure per
    /// contender.
    Instructions(Callgrind),
}

/// Operations per counted batch under callgrind: their instructions are
/// divided by this, which averages the data-dependent loops (rejection
/// sampling) of one operation with the next.
const COUNTED_OPS: usize = 4;

impl Meter {
    /// Measures the contenders of one row.
    pub fn measure(
        &mut self,
        contenders: &mut [Box<dyn Runner + '_>],
        tick: &mut dyn FnMut(),
    ) -> Result<Measured> {
        match self {
            Meter::Time(t) => stats::measure(contenders, t, tick),
            Meter::Instructions(cg) => count(cg, contenders, COUNTED_OPS, tick),
        }
    }

    /// A short measurement, to choose among candidates.
    pub fn probe(&mut self, contenders: &mut [Box<dyn Runner + '_>]) -> Result<Measured> {
        match self {
            Meter::Time(t) => {
                let quick = Timing {
                    warm_up: std::time::Duration::from_micros(200),
                    batch: std::time::Duration::from_micros(100),
                    min_rounds: 7,
                    max_rounds: 7,
                    budget: std::time::Duration::ZERO,
                };
                // Never longer than the row's own timing.
                let t = if t.min_rounds < quick.min_rounds {
                    *t
                } else {
                    quick
                };
                stats::measure(contenders, &t, &mut || ())
            }
            Meter::Instructions(cg) => count(cg, contenders, 1, &mut || ()),
        }
    }

    /// The unit of [`Measured`] figures: `s` or `instructions`.
    pub fn unit(&self) -> &'static str {
        match self {
            Meter::Time(_) => "s",
            Meter::Instructions(_) => "instructions",
        }
    }
}

fn count(
    cg: &mut Callgrind,
    contenders: &mut [Box<dyn Runner + '_>],
    n: usize,
    tick: &mut dyn FnMut(),
) -> Result<Measured> {
    let mut rounds = Vec::with_capacity(contenders.len());
    for c in contenders.iter_mut() {
        // One uncounted operation first: lazy initialisation (CPU feature
        // detection, first allocations) belongs to no operation.
        c.prepare(1)?;
        c.run()?;
        let total = cg.count(c.as_mut(), n)?;
        rounds.push(vec![total as f64 / n as f64]);
        tick();
    }
    Ok(Measured {
        batch_sizes: vec![n; rounds.len()],
        rounds,
    })
}

/// Another contender in a row: a peer library doing the same work, or
/// twofold on other backends.
pub struct Contender {
    /// Its name in the table (`snow`, `clatter`, `twofold-pqclean`).
    pub label: String,
    /// Performs one operation.
    pub runner: Box<dyn Runner>,
    /// Its bytes on the wire, when known (they must match the row's).
    pub messages: Option<Vec<usize>>,
}

/// Gives the peers of a row.
pub trait PeerSource {
    /// The contenders that do the same work as `op` of `subject`.
    fn peers(&self, kind: &str, subject: &str, op: &str) -> Result<Vec<Contender>>;
}

/// No peers.
pub struct NoPeers;

impl PeerSource for NoPeers {
    fn peers(&self, _: &str, _: &str, _: &str) -> Result<Vec<Contender>> {
        Ok(Vec::new())
    }
}

/// A measured row.
#[derive(Debug, Clone)]
pub struct RowResult {
    /// `handshake`, `ratchet`, `single-shot`.
    pub kind: String,
    /// The subject's name.
    pub subject: String,
    /// The operation.
    pub op: String,
    /// The contenders: `twofold`, `floor`, `fastest floor`, then peers.
    pub labels: Vec<String>,
    /// Per contender, per operation (seconds or instructions).
    pub values: Vec<Summary>,
    /// Per contender, every paired ratio to every other: `pairs[a][b]` is
    /// `a / b`.
    pub pairs: Vec<Vec<Summary>>,
    /// What the floor consists of.
    pub floor_ops: String,
    /// The backends of the fastest floor that differ from the row's own.
    pub fastest_backends: Vec<String>,
    /// Bytes on the wire per message.
    pub messages: Vec<usize>,
    /// State kept between operations, if known.
    pub state_bytes: Option<usize>,
    /// Rounds measured (time) or operations counted (instructions).
    pub samples: usize,
}

impl RowResult {
    /// Contender index of the twofold row itself.
    pub const TWOFOLD: usize = 0;
    /// Contender index of the floor.
    pub const FLOOR: usize = 1;
    /// Contender index of the fastest floor.
    pub const FASTEST: usize = 2;

    /// The paired ratio of contender `a` to contender `b`.
    pub fn ratio(&self, a: usize, b: usize) -> Summary {
        self.pairs
            .get(a)
            .and_then(|r| r.get(b))
            .copied()
            .unwrap_or_else(|| Summary::of(&[]))
    }

    /// Bytes on the wire in total.
    pub fn wire_bytes(&self) -> usize {
        self.messages.iter().sum()
    }

    /// The contender labelled `label`.
    pub fn index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }
}

/// Measures one case of a subject with its floors and `peers`.
#[allow(clippy::too_many_arguments)]
pub fn measure_case(
    kind: &str,
    subject: &str,
    case: Case,
    peers: Vec<Contender>,
    fastest: &mut Fastest,
    meter: &mut Meter,
    rng: &mut dyn CryptoRng,
    tick: &mut dyn FnMut(),
) -> Result<RowResult> {
    let floor = Floor::from_calls(&case.calls, rng)?;
    let fast_calls = fastest.calls(&case.calls, meter, rng)?;
    let fast_floor = Floor::from_calls(&fast_calls, rng)?;
    let mut fastest_backends: Vec<String> = case
        .calls
        .iter()
        .zip(&fast_calls)
        .filter(|(a, b)| !a.primitive.same_object(&b.primitive))
        .map(|(_, b)| b.primitive.id())
        .collect();
    fastest_backends.sort();
    fastest_backends.dedup();
    for p in &peers {
        if let Some(m) = &p.messages
            && m.iter().sum::<usize>() != case.messages.iter().sum::<usize>()
        {
            return Err(super::BenchError::Other(format!(
                "{subject}: {} puts {} bytes on the wire, twofold {}: not the same work",
                p.label,
                m.iter().sum::<usize>(),
                case.messages.iter().sum::<usize>()
            )));
        }
    }
    let floor_ops = floor.describe();
    let mut labels = vec![
        "twofold".to_string(),
        "floor".to_string(),
        "fastest floor".to_string(),
    ];
    let mut frng = ShakeRng::new(b"twofold bench floor");
    let mut grng = ShakeRng::new(b"twofold bench fastest floor");
    let mut contenders: Vec<Box<dyn Runner + '_>> = vec![
        case.runner,
        runner(move || Ok(floor.run(&mut frng)?)),
        runner(move || Ok(fast_floor.run(&mut grng)?)),
    ];
    for p in peers {
        labels.push(p.label);
        contenders.push(p.runner);
    }
    let m = meter.measure(&mut contenders, tick)?;
    let n = labels.len();
    let pairs: Vec<Vec<Summary>> = (0..n)
        .map(|a| (0..n).map(|b| m.ratio(a, b)).collect())
        .collect();
    Ok(RowResult {
        kind: kind.to_string(),
        subject: subject.to_string(),
        op: case.op,
        values: (0..n).map(|c| m.time(c)).collect(),
        pairs,
        labels,
        floor_ops,
        fastest_backends,
        messages: case.messages,
        state_bytes: case.state_bytes,
        samples: m.rounds.first().map_or(0, Vec::len),
    })
}
