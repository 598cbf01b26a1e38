//! A small, honest timer for the `bench` table.
//!
//! Each measurement calibrates a batch size so one batch takes about a
//! millisecond, times a number of batches, and reports the median time per
//! operation. The median resists the noise of a shared machine; the number
//! of batches is reported so a reader can judge.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Median microseconds per call of `f`, and the number of timed batches.
pub fn median_us<T>(budget: Duration, mut f: impl FnMut() -> T) -> (f64, usize) {
    median_us_with_setup(budget, || (), |()| f())
}

/// Median microseconds per call of `f` on an input made by `setup`, and the
/// number of timed batches. The batch size is calibrated so one batch takes
/// at least a millisecond; the inputs of a batch are made first, untimed,
/// then the batch is timed.
pub fn median_us_with_setup<I, T>(
    budget: Duration,
    mut setup: impl FnMut() -> I,
    mut f: impl FnMut(I) -> T,
) -> (f64, usize) {
    let mut run_batch = |n: usize| {
        let inputs: Vec<I> = (0..n).map(|_| setup()).collect();
        let t = Instant::now();
        for i in inputs {
            black_box(f(i));
        }
        t.elapsed()
    };
    let mut batch = 1usize;
    while run_batch(batch) < Duration::from_millis(1) && batch < 1 << 16 {
        batch *= 2;
    }
    let start = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < 5 || (start.elapsed() < budget && samples.len() < 200) {
        samples.push(run_batch(batch).as_secs_f64() * 1e6 / batch as f64);
    }
    samples.sort_by(f64::total_cmp);
    (samples[samples.len() / 2], samples.len())
}
