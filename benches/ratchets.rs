//! Every ratchet suite in steady-state ping-pong, next to its floor, one
//! criterion group per suite (`ratchet/<suite>`).
//!
//! Rows of a group:
//!
//! * `round 64 B`, `round 1 KiB`: one message each way (encrypt and
//!   decrypt each), after the handshake and a first round
//!   ([`PingPong::round`]). In ping-pong each message opens a ratchet epoch,
//!   so a round is two epochs of the DH/KEM/hybrid ratchet; per message is
//!   half a round.
//! * `epoch 64 B`: [`PingPong::EPOCH_ROUNDS`] rounds, covering one whole
//!   SPQR epoch: the Triple Ratchet's per-message cost amortized over its
//!   sparse epoch, and the hybrid and PQ3-style ratchets' over their
//!   rekeying period.
//! * `floor ...`: exactly the primitive calls the same rounds make (the
//!   observer records them on a twin of the workload with the same seed),
//!   replayed alone on the same backends ([`Floor::run`]). The ratio row /
//!   floor is what the ratchet implementation itself costs.
//!
//! Message sizes and each floor's operations go to stderr at set-up.
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]
// A failed operation in a bench is a broken bench: stop there.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use twofold::core::{Resolver, ShakeRng};
use twofold::harness::Floor;
use twofold::harness::ratchets::{PingPong, SUITES};
use twofold::primitives::registry::REGISTRY;

const SEED: &[u8] = b"ratchet bench";

fn registry() -> Arc<dyn Resolver> {
    Arc::new(&*REGISTRY)
}

fn floor(suite: &str, size: usize, rounds: usize) -> Floor {
    let (calls, sizes) = PingPong::calls(suite, registry(), size, SEED, rounds)
        .unwrap_or_else(|e| panic!("{suite}: {e}"));
    let f = Floor::from_calls(&calls, &mut ShakeRng::new(b"floor inputs"))
        .unwrap_or_else(|e| panic!("{suite}: floor: {e}"));
    let mean = sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64;
    eprintln!(
        "{suite} {size} B x {rounds} rounds: {mean:.1} B/message; floor: {}",
        f.describe()
    );
    f
}

fn ratchets(c: &mut Criterion) {
    let only = std::env::var("TWOFOLD_RATCHET_FILTER").ok();
    for &suite in SUITES {
        if only.as_deref().is_some_and(|f| !suite.contains(f)) {
            continue;
        }
        let mut g = c.benchmark_group(format!("ratchet/{suite}"));
        for (label, size, rounds) in [
            ("round 64 B", 64, 1),
            ("round 1 KiB", 1024, 1),
            ("epoch 64 B", 64, PingPong::EPOCH_ROUNDS),
        ] {
            let mut w = PingPong::new(suite, registry(), size, SEED)
                .unwrap_or_else(|e| panic!("{suite}: {e}"));
            g.bench_function(label, |b| {
                b.iter(|| {
                    for _ in 0..rounds {
                        black_box(w.round().unwrap());
                    }
                })
            });
            let f = floor(suite, size, rounds);
            let mut rng = ShakeRng::new(b"floor run");
            g.bench_function(format!("floor {label}"), |b| {
                b.iter(|| f.run(&mut rng).unwrap())
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    // 9 suites x 6 rows on 2 cores: short windows keep the run in minutes.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    targets = ratchets
}
criterion_main!(benches);
