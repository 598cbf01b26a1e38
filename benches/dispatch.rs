//! Cost of calling a backend through the twofold trait object against
//! calling the backend library directly, on the same inputs.
//!
//! The trait path includes everything a caller pays: the virtual call, the
//! length and validity checks and the copies into owned byte strings. For
//! ML-KEM the FIPS 203 input checks (which libcrux leaves to its caller) are
//! a real cost, not dispatch, so each ML-KEM group also has the direct call
//! with libcrux's own checks (`direct + checks`) and, for decapsulation, the
//! trait call on a key checked beforehand (`trait object, prechecked`):
//! like against like, `trait object` vs `direct + checks` and
//! `trait object, prechecked` vs `direct` are the dispatch overhead.
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use twofold::core::{Dh, Kem, Resolver};
use twofold::primitives::registry::registry;

fn x25519(c: &mut Criterion) {
    let dh: &dyn Dh = registry().dh("X25519@dalek").expect("registered");
    let sk = [0x11u8; 32];
    let pk = dh.public_key(&[0x22u8; 32]).expect("valid");
    let mut g = c.benchmark_group("dispatch/X25519@dalek dh");
    g.bench_function("direct", |b| {
        let s = x25519_dalek::StaticSecret::from(sk);
        let mut p = [0u8; 32];
        p.copy_from_slice(&pk);
        let p = x25519_dalek::PublicKey::from(p);
        b.iter(|| black_box(s.diffie_hellman(black_box(&p))))
    });
    g.bench_function("trait object", |b| {
        b.iter(|| black_box(dh.dh(black_box(&sk), black_box(&pk))))
    });
    g.finish();
}

fn mlkem768(c: &mut Criterion) {
    use libcrux_ml_kem::mlkem768;
    let kem: &dyn Kem = registry().kem("ML-KEM-768@libcrux").expect("registered");
    let (pk, sk) = kem.generate_derand(&[3u8; 64]).expect("keygen");
    let coins = [4u8; 32];
    let (ct, _) = kem.encapsulate_derand(&pk, &coins).expect("encaps");

    let kp = mlkem768::generate_key_pair([3u8; 64]);
    let mut g = c.benchmark_group("dispatch/ML-KEM-768@libcrux encaps");
    g.bench_function("direct", |b| {
        b.iter(|| black_box(mlkem768::encapsulate(black_box(kp.public_key()), coins)))
    });
    g.bench_function("direct + checks", |b| {
        b.iter(|| {
            let p = black_box(kp.public_key());
            assert!(mlkem768::validate_public_key(p));
            black_box(mlkem768::encapsulate(p, coins))
        })
    });
    g.bench_function("trait object", |b| {
        b.iter(|| black_box(kem.encapsulate_derand(black_box(&pk), &coins)))
    });
    g.finish();

    let lct = mlkem768::encapsulate(kp.public_key(), coins).0;
    let mut g = c.benchmark_group("dispatch/ML-KEM-768@libcrux decaps");
    g.bench_function("direct", |b| {
        b.iter(|| black_box(mlkem768::decapsulate(black_box(kp.private_key()), &lct)))
    });
    g.bench_function("direct + checks", |b| {
        b.iter(|| {
            let k = black_box(kp.private_key());
            // libcrux checks H(ek) only; twofold also runs the modulus check
            // of the embedded ek (about a tenth of the hash).
            assert!(mlkem768::validate_private_key(k, &lct));
            black_box(mlkem768::decapsulate(k, &lct))
        })
    });
    g.bench_function("trait object", |b| {
        b.iter(|| black_box(kem.decapsulate(black_box(sk.expose()), &ct)))
    });
    g.bench_function("trait object, prechecked", |b| {
        b.iter(|| black_box(kem.decapsulate_prechecked(black_box(sk.expose()), &ct)))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3))
        .sample_size(50);
    targets = x25519, mlkem768
}
criterion_main!(benches);
