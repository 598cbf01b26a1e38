//! Every registered algorithm × backend × operation, through the trait
//! objects: the same prepared operations as the `twofold bench` table
//! (`twofold::primitive_ops`).
//!
//! Filter with criterion's usual argument, e.g.
//! `cargo bench --bench primitives -- ML-KEM-768`.
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use twofold::primitive_ops::primitive_ops;

fn primitives(c: &mut Criterion) {
    let ops = primitive_ops(|_| true).expect("every registered primitive prepares");
    for mut p in ops {
        (p.run)().expect("operation works on its prepared inputs");
        let mut g = c.benchmark_group(p.family.as_str());
        // SPHINCS+ signing takes milliseconds: fewer samples keep the run short.
        g.sample_size(if p.subject.starts_with("SPHINCS") {
            10
        } else {
            30
        });
        g.bench_function(BenchmarkId::new(p.op, &p.subject), |b| {
            b.iter(|| black_box((p.run)()))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    // Short runs: the registry has ~65 implementations and the machine 2 cores.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30);
    targets = primitives
}
criterion_main!(benches);
