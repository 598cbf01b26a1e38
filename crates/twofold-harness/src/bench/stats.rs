//! Interleaved, paired timing and the statistics reported from it.
//!
//! A shared machine drifts by tens of percent over seconds: two figures
//! measured one after the other are not comparable, and a ratio of two such
//! figures can fall below 1 where it cannot be. [`measure`] therefore runs
//! the contenders of one row (a protocol, its floors, a peer) in *rounds*:
//! in each round every contender runs one batch, back to back, in an order
//! that alternates between rounds (forward, then reversed) so that neither
//! always runs first. A ratio is computed per round, between batches a few
//! milliseconds apart, and the median over rounds is reported, so drift
//! slower than a round cancels.
//!
//! Reported figures: the median of the per-round values and a 95%
//! confidence interval of that median from order statistics (distribution
//! free: the interval between the `k`-th smallest and `k`-th largest of `n`
//! values, `k = ⌊(n − 1.96·√n) / 2⌋`). [`Summary::spread`] is half its width
//! relative to the median.
//!
//! Batches are timed on the thread's CPU clock (`CLOCK_THREAD_CPUTIME_ID`)
//! where there is one: time during which another process had the core is
//! not counted, which on a shared two-core machine is most of the noise.
//! Cache and memory-bandwidth interference from the other processes
//! remains.
//!
//! A paired-benchmark library (tango-bench) compares two builds of the same
//! function loaded from two binaries; the contenders here are different
//! functions of one process, so the pairing is done here.

use std::hint::black_box;
use std::time::{Duration, Instant};

use super::Result;

/// Something timed by batches. [`Runner::prepare`] makes the inputs of the
/// next `n` operations (untimed: Bob's fresh prekeys, say); [`Runner::run`]
/// performs them, and only it is timed or counted.
pub trait Runner {
    /// Makes the inputs of the next `n` operations.
    fn prepare(&mut self, n: usize) -> Result<()>;
    /// Performs the prepared operations.
    fn run(&mut self) -> Result<()>;
}

struct Plain<F> {
    f: F,
    n: usize,
}

impl<F: FnMut() -> Result<()>> Runner for Plain<F> {
    fn prepare(&mut self, n: usize) -> Result<()> {
        self.n = n;
        Ok(())
    }
    fn run(&mut self) -> Result<()> {
        for _ in 0..self.n {
            black_box((self.f)()?);
        }
        Ok(())
    }
}

/// A runner of `f`, one operation per call.
pub fn runner<'a>(f: impl FnMut() -> Result<()> + 'a) -> Box<dyn Runner + 'a> {
    Box::new(Plain { f, n: 0 })
}

struct WithSetup<I, S, F> {
    setup: S,
    run: F,
    inputs: Vec<I>,
}

impl<I, S, F> Runner for WithSetup<I, S, F>
where
    S: FnMut() -> Result<I>,
    F: FnMut(I) -> Result<()>,
{
    fn prepare(&mut self, n: usize) -> Result<()> {
        self.inputs = (0..n).map(|_| (self.setup)()).collect::<Result<Vec<I>>>()?;
        Ok(())
    }
    fn run(&mut self) -> Result<()> {
        for i in self.inputs.drain(..) {
            black_box((self.run)(i)?);
        }
        Ok(())
    }
}

/// A runner of `run` on inputs made by `setup`, untimed, a batch at a time.
pub fn runner_with_setup<'a, I: 'a>(
    setup: impl FnMut() -> Result<I> + 'a,
    run: impl FnMut(I) -> Result<()> + 'a,
) -> Box<dyn Runner + 'a> {
    Box::new(WithSetup {
        setup,
        run,
        inputs: Vec::new(),
    })
}

/// The clock batches are timed with: this thread's CPU time.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// The clock batches are timed with: elsewhere, wall-clock time.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn now() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// What [`time_batch`] measures, in words.
pub const CLOCK: &str = if cfg!(any(target_os = "linux", target_os = "android")) {
    "the thread's CPU time (CLOCK_THREAD_CPUTIME_ID)"
} else {
    "wall-clock time"
};

/// Prepares and times `n` operations of `r`.
pub fn time_batch(r: &mut dyn Runner, n: usize) -> Result<Duration> {
    r.prepare(n)?;
    let t = now();
    r.run()?;
    Ok(now().saturating_sub(t))
}

/// How long and how often to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Time each contender runs before measuring (caches, branch
    /// predictors, CPU frequency).
    pub warm_up: Duration,
    /// A batch runs at least this long (timer resolution and call overhead
    /// become negligible).
    pub batch: Duration,
    /// At least this many rounds.
    pub min_rounds: usize,
    /// At most this many rounds.
    pub max_rounds: usize,
    /// Rounds continue past `min_rounds` until this much time went by.
    pub budget: Duration,
}

impl Timing {
    /// The default: 30 to 60 rounds of 1 ms batches, about 0.25 s per row
    /// and contender.
    pub const DEFAULT: Timing = Timing {
        warm_up: Duration::from_millis(20),
        batch: Duration::from_millis(1),
        min_rounds: 31,
        max_rounds: 61,
        budget: Duration::from_millis(150),
    };
    /// `--quick`: 11 rounds of 0.3 ms batches, for CI and smoke runs; the
    /// intervals are wider.
    pub const QUICK: Timing = Timing {
        warm_up: Duration::from_millis(2),
        batch: Duration::from_micros(300),
        min_rounds: 11,
        max_rounds: 11,
        budget: Duration::ZERO,
    };
}

/// The per-round times of each contender of one row, in seconds per
/// operation: `rounds[c][r]` is contender `c` in round `r`.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// Per contender, per round.
    pub rounds: Vec<Vec<f64>>,
    /// Operations per batch, per contender.
    pub batch_sizes: Vec<usize>,
}

impl Measured {
    /// The time per operation of contender `c`.
    pub fn time(&self, c: usize) -> Summary {
        Summary::of(self.rounds.get(c).map(Vec::as_slice).unwrap_or(&[]))
    }

    /// The paired ratio `a / b`: per round, then summarised.
    pub fn ratio(&self, a: usize, b: usize) -> Summary {
        match (self.rounds.get(a), self.rounds.get(b)) {
            (Some(x), Some(y)) => Summary::of(&ratios(x, y)),
            _ => Summary::of(&[]),
        }
    }
}

/// Per-round ratios `x[r] / y[r]` (rounds where `y[r]` is zero are left out).
pub fn ratios(x: &[f64], y: &[f64]) -> Vec<f64> {
    x.iter()
        .zip(y)
        .filter(|(_, b)| **b > 0.0)
        .map(|(a, b)| a / b)
        .collect()
}

/// Median and a 95% confidence interval of the median.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// The median.
    pub median: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
    /// Number of values.
    pub n: usize,
}

impl Summary {
    /// The summary of `values` (NaN figures when there are none).
    pub fn of(values: &[f64]) -> Summary {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n == 0 {
            return Summary {
                median: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
                n,
            };
        }
        let median = if !n.is_multiple_of(2) {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        let (lo, hi) = median_ci_ranks(n);
        Summary {
            median,
            low: v[lo],
            high: v[hi],
            n,
        }
    }

    /// Half the interval's width relative to the median (0.02 = ±2%).
    pub fn spread(&self) -> f64 {
        if self.median == 0.0 {
            return 0.0;
        }
        (self.high - self.low) / 2.0 / self.median.abs()
    }

    /// The same figures times `k` (seconds to microseconds).
    pub fn scaled(&self, k: f64) -> Summary {
        Summary {
            median: self.median * k,
            low: self.low * k,
            high: self.high * k,
            n: self.n,
        }
    }

    /// Whether the two intervals are disjoint: a difference beyond the
    /// noise measured in both runs.
    pub fn differs(&self, other: &Summary) -> bool {
        self.high < other.low || other.high < self.low
    }
}

/// The 0-based ranks of the 95% interval of the median of `n` sorted values.
fn median_ci_ranks(n: usize) -> (usize, usize) {
    let nf = n as f64;
    let k = ((nf - 1.96 * nf.sqrt()) / 2.0).floor();
    // For fewer than 6 values no interval reaches 95%: the range is used.
    let k = if k < 1.0 { 0 } else { k as usize - 1 };
    (k, n - 1 - k)
}

/// The batch size of `r`: doubled until one batch takes `target`.
fn calibrate(r: &mut dyn Runner, target: Duration) -> Result<usize> {
    let mut n = 1usize;
    loop {
        let t = time_batch(r, n)?;
        if t >= target || n >= 1 << 20 {
            return Ok(n);
        }
        // Jump close to the target, at most 16x, then double.
        let guess = if t.is_zero() {
            n * 16
        } else {
            let f = target.as_secs_f64() / t.as_secs_f64();
            ((n as f64 * f).ceil() as usize).clamp(n * 2, n * 16)
        };
        n = guess;
    }
}

/// Measures the contenders interleaved (see the module documentation).
/// `tick` is called after each round (a progress bar).
pub fn measure(
    contenders: &mut [Box<dyn Runner + '_>],
    timing: &Timing,
    tick: &mut dyn FnMut(),
) -> Result<Measured> {
    let mut batch_sizes = Vec::with_capacity(contenders.len());
    for c in contenders.iter_mut() {
        let start = Instant::now();
        let n = calibrate(c.as_mut(), timing.batch)?;
        while start.elapsed() < timing.warm_up {
            time_batch(c.as_mut(), n)?;
        }
        batch_sizes.push(n);
    }
    let mut rounds = vec![Vec::with_capacity(timing.max_rounds); contenders.len()];
    let start = Instant::now();
    let mut r = 0usize;
    while r < timing.min_rounds || (r < timing.max_rounds && start.elapsed() < timing.budget) {
        let order: Vec<usize> = if r.is_multiple_of(2) {
            (0..contenders.len()).collect()
        } else {
            (0..contenders.len()).rev().collect()
        };
        for c in order {
            let n = batch_sizes[c];
            let t = time_batch(contenders[c].as_mut(), n)?;
            rounds[c].push(t.as_secs_f64() / n as f64);
        }
        tick();
        r += 1;
    }
    Ok(Measured {
        rounds,
        batch_sizes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    #[test]
    fn median_and_interval_of_known_values() {
        let s = Summary::of(&[5.0, 1.0, 3.0]);
        assert_eq!((s.median, s.low, s.high, s.n), (3.0, 1.0, 5.0, 3));
        let s = Summary::of(&[4.0, 1.0, 3.0, 2.0]);
        assert_eq!(s.median, 2.5);
        // n = 31: k = floor((31 - 1.96 * 5.568) / 2) = 10: ranks 10 and 22
        // (1-based), values 10 and 22.
        let v: Vec<f64> = (1..=31).map(f64::from).collect();
        let s = Summary::of(&v);
        assert_eq!((s.median, s.low, s.high), (16.0, 10.0, 22.0));
        assert!((s.spread() - 6.0 / 16.0).abs() < 1e-12);
        assert!(Summary::of(&[]).median.is_nan());
        assert!(Summary::of(&[f64::NAN, 2.0]).median == 2.0);
    }

    #[test]
    fn disjoint_intervals_differ() {
        let a = Summary::of(&[1.0, 1.1, 1.2]);
        let b = Summary::of(&[1.3, 1.4, 1.5]);
        let c = Summary::of(&[1.15, 1.3, 1.4]);
        assert!(a.differs(&b) && b.differs(&a));
        assert!(!a.differs(&c));
    }

    #[test]
    fn paired_ratios_cancel_a_common_drift() {
        // Both contenders slow down by the same factor from round to round:
        // their times spread over 4x, their per-round ratio does not move.
        let drift = [1.0, 2.0, 4.0, 1.5, 3.0];
        let a: Vec<f64> = drift.iter().map(|d| 2.0 * d).collect();
        let b: Vec<f64> = drift.to_vec();
        let m = Measured {
            rounds: vec![a, b],
            batch_sizes: vec![1, 1],
        };
        let r = m.ratio(0, 1);
        assert_eq!((r.median, r.low, r.high), (2.0, 2.0, 2.0));
        assert!(m.time(0).spread() > 0.5);
        assert!(m.ratio(0, 5).median.is_nan());
    }

    /// A runner whose operation takes a fixed time spinning, and which
    /// records the order it ran in.
    struct Fake {
        id: usize,
        log: Rc<Cell<Vec<usize>>>,
        per_op: Duration,
        n: usize,
    }

    impl Runner for Fake {
        fn prepare(&mut self, n: usize) -> Result<()> {
            self.n = n;
            Ok(())
        }
        fn run(&mut self) -> Result<()> {
            let mut l = self.log.take();
            l.push(self.id);
            self.log.set(l);
            // Busy, not asleep: batches are timed on the thread's CPU clock.
            let t = Instant::now();
            while t.elapsed() < self.per_op * self.n as u32 {
                std::hint::spin_loop();
            }
            Ok(())
        }
    }

    #[test]
    fn rounds_alternate_order_and_calibrate_batches() {
        let log = Rc::new(Cell::new(Vec::new()));
        let mk = |id, us| -> Box<dyn Runner> {
            Box::new(Fake {
                id,
                log: Rc::clone(&log),
                per_op: Duration::from_micros(us),
                n: 0,
            })
        };
        let mut cs = vec![mk(0, 20), mk(1, 10)];
        let timing = Timing {
            warm_up: Duration::ZERO,
            batch: Duration::from_micros(200),
            min_rounds: 4,
            max_rounds: 4,
            budget: Duration::ZERO,
        };
        let mut ticks = 0;
        let m = measure(&mut cs, &timing, &mut || ticks += 1).unwrap();
        assert_eq!(ticks, 4);
        assert!(m.batch_sizes.iter().all(|&n| n >= 1));
        let order = log.take();
        // Calibration runs, then rounds 0 1 | 1 0 | 0 1 | 1 0.
        assert_eq!(&order[order.len() - 8..], &[0, 1, 1, 0, 0, 1, 1, 0]);
        assert_eq!(m.rounds.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4]);
    }

    #[test]
    fn errors_stop_the_measurement() {
        let mut cs: Vec<Box<dyn Runner>> =
            vec![runner(|| Err(twofold_core::Error::Misuse("fails").into()))];
        assert!(measure(&mut cs, &Timing::QUICK, &mut || ()).is_err());
    }

    #[test]
    fn setup_is_made_outside_the_timer() {
        let made = Rc::new(Cell::new(0));
        let m2 = Rc::clone(&made);
        let mut r = runner_with_setup(
            move || {
                m2.set(m2.get() + 1);
                Ok(7u8)
            },
            |x| {
                assert_eq!(x, 7);
                Ok(())
            },
        );
        time_batch(r.as_mut(), 5).unwrap();
        assert_eq!(made.get(), 5);
    }
}
