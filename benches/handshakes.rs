//! Whole handshakes of every named suite under criterion, next to snow,
//! clatter and the floor, one group per suite (`handshake/<suite>`).
//!
//! `twofold bench --peers` measures the same rows paired, in one run, and
//! is the figure the README reports; this bench gives criterion's
//! statistics and history for the same work. Rows of a group:
//!
//! * `twofold`: one complete handshake on the default backends, both sides
//!   in memory (Bob's fresh prekeys made untimed, as a deployment makes
//!   them ahead of time), drawing from the operating system as the peers do;
//! * `twofold-pqclean`: the same with bare `ML-KEM-*` on PQClean, the C
//!   code snow and clatter link;
//! * `snow`, `clatter`: the peer drivers of `twofold::peers::noise`;
//! * `floor`, `floor-pqclean`: the recorded primitive calls replayed alone.
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

use twofold::core::{OsRng, Resolver, ShakeRng};
use twofold::harness::bench::Runner;
use twofold::harness::bench::handshake::HandshakeSubject;
use twofold::harness::handshakes::{Prepared, suites};
use twofold::peers::noise::{CLATTER, Clatter, SNOW, Snow};
use twofold::peers::pqclean;
use twofold::primitives::registry::REGISTRY;

/// Every named suite, then the snow protocols that are not among them.
fn all_suites() -> Vec<String> {
    let mut all = suites();
    for s in SNOW {
        if !all.iter().any(|a| a == s) {
            all.push((*s).to_string());
        }
    }
    all
}

fn wants_pqclean(suite: &str) -> bool {
    suite.contains("Kyber1024") && SNOW.contains(&suite) || CLATTER.iter().any(|(n, _)| *n == suite)
}

fn row(g: &mut BenchmarkGroup<'_, WallTime>, id: &str, mut r: Box<dyn Runner>) {
    g.bench_function(id, |b| {
        b.iter_custom(|n| {
            r.prepare(n as usize).expect("prepares");
            let t = std::time::Instant::now();
            r.run().expect("ran once before");
            t.elapsed()
        })
    });
}

fn twofold_rows(
    g: &mut BenchmarkGroup<'_, WallTime>,
    suite: &str,
    label: &str,
    res: Arc<dyn Resolver>,
) {
    let s = HandshakeSubject::with_resolver(suite, Arc::clone(&res));
    let mut rng = ShakeRng::new(suite.as_bytes());
    let p = Prepared::with_resolver(suite, res, &mut rng).expect("listed suites resolve");
    let floor = p.floor(&mut rng).expect("floor");
    eprintln!("{suite}: {label}: floor = {}", floor.describe());
    row(g, label, s.runner(Box::new(OsRng)).expect("prepares"));
    let mut frng = ShakeRng::new(b"handshake floor");
    let id = if label == "twofold" {
        "floor".to_string()
    } else {
        format!("floor-{}", &label[8..])
    };
    g.bench_function(id, |b| {
        b.iter(|| floor.run(&mut frng).expect("valid inputs made in advance"))
    });
}

fn handshakes(c: &mut Criterion) {
    let registry: Arc<dyn Resolver> = Arc::new(&*REGISTRY);
    for suite in all_suites() {
        let mut g = c.benchmark_group(format!("handshake/{suite}"));
        twofold_rows(&mut g, &suite, "twofold", Arc::clone(&registry));
        if wants_pqclean(&suite) {
            twofold_rows(&mut g, &suite, "twofold-pqclean", pqclean(&registry));
        }
        if SNOW.contains(&suite.as_str()) {
            let mut s = Snow::new(&suite).expect("snow speaks it");
            eprintln!("{suite}: snow: {} bytes", s.handshake().expect("snow runs"));
            g.bench_function("snow", |b| {
                b.iter(|| black_box(s.handshake().expect("snow runs")))
            });
        }
        if let Some(mut cl) = Clatter::new(&suite).expect("clatter set-up") {
            eprintln!(
                "{suite}: clatter: {} bytes",
                cl.handshake().expect("clatter runs")
            );
            g.bench_function("clatter", |b| {
                b.iter(|| black_box(cl.handshake().expect("clatter runs")))
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    // 2 cores and ~100 rows: short windows keep the whole run in minutes.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = handshakes
}
criterion_main!(benches);
