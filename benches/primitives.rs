//! Every registered algorithm × backend × operation, through the trait objects.
//!
//! Filter with criterion's usual argument, e.g.
//! `cargo bench --bench primitives -- ML-KEM-768`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use twofold::core::OsRng;
use twofold::primitives::registry::registry;

const MSG: &[u8] = &[0x5a; 1024];

fn kems(c: &mut Criterion) {
    for &k in &registry().kems {
        let id = k.id();
        let (pk, sk) = k.generate(&mut OsRng).expect("keygen");
        let (ct, _) = k.encapsulate(&pk, &mut OsRng).expect("encaps");
        let mut g = c.benchmark_group("kem");
        g.bench_function(BenchmarkId::new("keygen", &id), |b| {
            b.iter(|| black_box(k.generate(&mut OsRng)))
        });
        g.bench_function(BenchmarkId::new("encaps", &id), |b| {
            b.iter(|| black_box(k.encapsulate(&pk, &mut OsRng)))
        });
        g.bench_function(BenchmarkId::new("decaps", &id), |b| {
            b.iter(|| black_box(k.decapsulate(sk.expose(), &ct)))
        });
        g.finish();
    }
}

fn dhs(c: &mut Criterion) {
    for &d in &registry().dhs {
        let id = d.id();
        let (_, sk) = d.generate(&mut OsRng).expect("keygen");
        let (pk, _) = d.generate(&mut OsRng).expect("keygen");
        let mut g = c.benchmark_group("dh");
        g.bench_function(BenchmarkId::new("keygen", &id), |b| {
            b.iter(|| black_box(d.generate(&mut OsRng)))
        });
        g.bench_function(BenchmarkId::new("dh", &id), |b| {
            b.iter(|| black_box(d.dh(sk.expose(), &pk)))
        });
        g.finish();
    }
}

fn signatures(c: &mut Criterion) {
    for &s in &registry().signatures {
        let id = s.id();
        let (pk, sk) = s.generate(&mut OsRng).expect("keygen");
        let sig = s.sign(sk.expose(), MSG, &mut OsRng).expect("sign");
        let mut g = c.benchmark_group("signature");
        // SPHINCS+ signing takes milliseconds: fewer samples keep the run short.
        g.sample_size(if id.starts_with("SPHINCS") { 10 } else { 30 });
        g.bench_function(BenchmarkId::new("keygen", &id), |b| {
            b.iter(|| black_box(s.generate(&mut OsRng)))
        });
        g.bench_function(BenchmarkId::new("sign", &id), |b| {
            b.iter(|| black_box(s.sign(sk.expose(), MSG, &mut OsRng)))
        });
        g.bench_function(BenchmarkId::new("verify", &id), |b| {
            b.iter(|| black_box(s.verify(&pk, MSG, &sig)))
        });
        g.finish();
    }
}

fn symmetric(c: &mut Criterion) {
    let reg = registry();
    let mut g = c.benchmark_group("aead 1KiB");
    for &a in &reg.aeads {
        let key = vec![7u8; a.key_len()];
        let nonce = vec![9u8; a.nonce_len()];
        let ct = a.seal(&key, &nonce, b"ad", MSG).expect("seal");
        g.bench_function(BenchmarkId::new("seal", a.id()), |b| {
            b.iter(|| black_box(a.seal(&key, &nonce, b"ad", MSG)))
        });
        g.bench_function(BenchmarkId::new("open", a.id()), |b| {
            b.iter(|| black_box(a.open(&key, &nonce, b"ad", &ct)))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("hash 1KiB");
    for &h in &reg.hashes {
        g.bench_function(BenchmarkId::new("hash", h.id()), |b| {
            b.iter(|| black_box(h.hash(&[MSG])))
        });
        g.bench_function(BenchmarkId::new("hmac", h.id()), |b| {
            b.iter(|| black_box(h.hmac(&[1u8; 32], &[MSG])))
        });
    }
    for &x in &reg.xofs {
        let mut out = [0u8; 64];
        g.bench_function(BenchmarkId::new("xof64", x.id()), |b| {
            b.iter(|| x.xof(&[MSG], black_box(&mut out)))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("kdf");
    for &k in &reg.kdfs {
        g.bench_function(BenchmarkId::new("derive32", k.id()), |b| {
            b.iter(|| black_box(k.derive(&[1u8; 32], &[2u8; 32], b"info", 32)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // Short runs: the registry has ~70 implementations and the machine 2 cores.
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30);
    targets = kems, dhs, signatures, symmetric
}
criterion_main!(benches);
