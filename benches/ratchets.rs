//! Every ratchet suite in steady-state ping-pong, next to its floor, one
//! criterion group per suite (`ratchet/<suite>`).
//!
//! Rows of a group:
//!
//! * `message 64 B`, `message 1 KiB`: one message encrypted by its sender
//!   and decrypted by its receiver, senders alternating, after the
//!   handshake and one message each way ([`PingPong::message`]). In
//!   ping-pong each message opens a ratchet epoch.
//! * `88 messages 64 B`: [`PingPong::EPOCH_MESSAGES`] messages, one whole
//!   SPQR epoch: the Triple Ratchet's per-message cost amortized over its
//!   sparse epoch (divide by 88), and the hybrid and PQ3-style ratchets'
//!   over their rekeying period.
//! * `floor ...`: exactly the primitive calls the same messages make (the
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

fn floor(suite: &str, size: usize, messages: usize) -> Floor {
    let (calls, sizes) = PingPong::calls(suite, registry(), size, SEED, messages)
        .unwrap_or_else(|e| panic!("{suite}: {e}"));
    let f = Floor::from_calls(&calls, &mut ShakeRng::new(b"floor inputs"))
        .unwrap_or_else(|e| panic!("{suite}: floor: {e}"));
    let mean = sizes.iter().sum::<usize>() as f64 / sizes.len().max(1) as f64;
    eprintln!(
        "{suite} {size} B x {messages}: {mean:.1} B/message; floor: {}",
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
        for (label, size, messages) in [
            ("message 64 B", 64, 1),
            ("message 1 KiB", 1024, 1),
            ("88 messages 64 B", 64, PingPong::EPOCH_MESSAGES),
        ] {
            let mut w = PingPong::new(suite, registry(), size, SEED)
                .unwrap_or_else(|e| panic!("{suite}: {e}"));
            g.bench_function(label, |b| {
                b.iter(|| {
                    for _ in 0..messages {
                        black_box(w.message().unwrap());
                    }
                })
            });
            let f = floor(suite, size, messages);
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
