//! A dudect-style timing check (Reparaz, Balasch, Verbauwhede, "Dude, is my
//! code constant time?", DATE 2017): time one operation on inputs of two
//! classes and test whether time tells the classes apart. |t| above 4.5
//! says it does (a leak, or noise that happened to line up with the
//! classes: rerun the row); below, no difference was found with that many
//! samples, which bounds a leak but proves nothing.
//!
//! The classes are measured in pairs, one input of each in an order drawn
//! at random for each pair, and compared with a paired t-test. dudect's
//! unpaired Welch test flagged equal inputs on this shared machine, whose
//! load drifts over seconds; the two halves of a pair share the drift. As
//! dudect does, every test is also run on the pairs below several
//! percentiles of all times (cropping the long tail that interrupts and
//! the machine's other tenants add), and the largest |t| is reported. Each
//! input is copied into the same buffer for both classes before the clock
//! starts, so that where an input lies in memory cannot tell them apart.
//!
//! Tests:
//! * KEM decapsulation, valid against random ciphertexts, per backend: the
//!   FO transform's implicit rejection must not show.
//! * MAC checks, per backend: the SPQR header MAC (over each HMAC-SHA256)
//!   and AEAD open, with a tag wrong in its first byte against one wrong in
//!   its last byte (a comparison that stops at the first difference shows
//!   here), and with the right against a wrong tag. For the latter a
//!   difference is no leak: a valid AEAD message is also decrypted and an
//!   invalid one is not, a check returns a different result, and validity
//!   is public.
//! * Calibration: equal inputs in both classes, which must not differ: the
//!   noise floor of the machine the bench runs on.
//! * Positive controls, which must be flagged for the harness to be
//!   trusted: a byte-by-byte tag comparison that returns at the first
//!   difference; a 64-bit division whose dividend is small or large (the
//!   instruction's latency depends on its operands on many CPUs: the
//!   KyberSlash mechanism); and pqc_kyber, the round-3 reference port kept
//!   for tests, whose `poly_tomsg` divides a secret value by q, on
//!   ciphertexts of a fixed against random messages. Compilers turn a
//!   division by a constant into a multiplication on x86-64, so that last
//!   control is not expected to show a leak here.
//!
//! `cargo bench --bench dudect [-- SECONDS [FILTER]]` (default 3 s a test).

use std::hint::black_box;
use std::sync::atomic::{Ordering, fence};
use std::time::{Duration, Instant};

use twofold::core::{Aead, CryptoRng, Hash, Kdf, Resolver, ShakeRng};
use twofold::primitives::registry::REGISTRY;
use twofold_ratchet::spqr::Authenticator;
use twofold_ratchet::spqr::chain::Key;

/// Inputs per class, cycled through.
const POOL: usize = 64;
/// Percentiles at which the measurements are also cropped.
const CROPS: [f64; 5] = [0.5, 0.75, 0.9, 0.95, 0.99];
/// The classes of a right against a wrong tag: a difference there may be
/// the work done only for a valid message (decryption, building the
/// result), and validity is public.
const PUBLIC: &str = "right vs wrong tag (validity public)";
/// dudect's threshold.
const THRESHOLD: f64 = 4.5;

/// The t statistic of paired differences `a - b`.
fn paired_t(d: &[f64]) -> f64 {
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    if var == 0.0 {
        0.0
    } else {
        mean / (var / n).sqrt()
    }
}

/// The largest |t| over the raw and the cropped measurements: a pair is
/// kept under a crop when both of its times lie below the percentile.
fn max_t(pairs: &[(f64, f64)]) -> f64 {
    let mut pooled: Vec<f64> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    pooled.sort_by(f64::total_cmp);
    let mut best = 0.0f64;
    for limit in CROPS
        .iter()
        .map(|p| pooled[((pooled.len() - 1) as f64 * p) as usize])
        .chain([f64::INFINITY])
    {
        let d: Vec<f64> = pairs
            .iter()
            .filter(|&&(a, b)| a <= limit && b <= limit)
            .map(|&(a, b)| a - b)
            .collect();
        if d.len() > 100 {
            best = best.max(paired_t(&d).abs());
        }
    }
    best
}

/// Times one call; the preparation around it is not timed.
struct Stopwatch(f64);

impl Stopwatch {
    fn time<R>(&mut self, f: impl FnOnce() -> R) -> R {
        // Let the preparation's stores drain before the clock starts.
        fence(Ordering::SeqCst);
        let t0 = Instant::now();
        let r = black_box(f());
        self.0 = t0.elapsed().as_nanos() as f64;
        r
    }
}

/// Runs `op(class, i, stopwatch)` for `budget`: one input of each class in
/// turn, in an order drawn at random for each pair, and compares the two
/// with a paired t-test, so that the machine's load, which drifts over
/// seconds, falls on both classes of a pair alike. `op` copies its input
/// into the same buffer for both classes and times only the operation, so
/// that where an input lies in memory cannot tell the classes apart.
fn measure(budget: Duration, mut op: impl FnMut(bool, usize, &mut Stopwatch)) -> (usize, f64, f64) {
    let mut rng = ShakeRng::new(b"dudect classes");
    let mut bits = [0u8; 4096];
    let mut pairs = Vec::new();
    let mut sw = Stopwatch(0.0);
    // Warm-up: caches, branch predictors, lazily built tables.
    for i in 0..2 * POOL {
        op(i % 2 == 0, i % POOL, &mut sw);
    }
    let start = Instant::now();
    let mut k = 0usize;
    while start.elapsed() < budget {
        if k.is_multiple_of(8 * bits.len()) {
            rng.fill_bytes(&mut bits);
        }
        let j = k % (8 * bits.len());
        let first = bits[j / 8] >> (j % 8) & 1 == 1;
        let mut t = [0.0f64; 2];
        for c in [first, !first] {
            op(c, k % POOL, &mut sw);
            t[usize::from(c)] = sw.0;
        }
        pairs.push((t[1], t[0]));
        k += 1;
    }
    let median = {
        let mut v: Vec<f64> = pairs.iter().map(|&(a, _)| a).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (2 * pairs.len(), median, max_t(&pairs))
}

struct Report {
    budget: Duration,
    filter: String,
    rows: Vec<(String, String, usize, f64, f64)>,
}

impl Report {
    fn run(&mut self, test: &str, classes: &str, op: impl FnMut(bool, usize, &mut Stopwatch)) {
        if !test.contains(&self.filter) {
            return;
        }
        let (n, median, t) = measure(self.budget, op);
        let verdict = if t > THRESHOLD {
            "DIFFERS"
        } else {
            "no difference found"
        };
        println!("{test:<44} {classes:<36} {n:>9} {median:>10.0} {t:>8.2}  {verdict}");
        self.rows.push((test.into(), classes.into(), n, median, t));
    }
}

/// Copies of `items`, each with the lowest bit flipped at `at(its length)`.
fn flipped<T: Clone + AsMut<[u8]>>(items: &[T], at: impl Fn(usize) -> usize) -> Vec<T> {
    items
        .iter()
        .map(|t| {
            let mut b = t.clone();
            let s = b.as_mut();
            let i = at(s.len());
            s[i] ^= 1;
            b
        })
        .collect()
}

/// The inputs of both classes in one allocation order, `y[i]` (class
/// false) then `x[i]` (class true), so that neither class's inputs sit
/// apart in memory.
fn interleave(x: &[Vec<u8>], y: &[Vec<u8>]) -> Vec<Vec<u8>> {
    y.iter()
        .zip(x)
        .flat_map(|(a, b)| [a.clone(), b.clone()])
        .collect()
}

fn bytes(rng: &mut ShakeRng, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rng.fill_bytes(&mut v);
    v
}

fn kems(r: &mut Report) {
    let mut rng = ShakeRng::new(b"dudect kem");
    for k in REGISTRY.kems.iter().filter(|k| {
        matches!(
            k.name(),
            "ML-KEM-512" | "ML-KEM-768" | "ML-KEM-1024" | "Kyber1024" | "X-Wing"
        )
    }) {
        let (pk, sk) = k.generate(&mut rng).expect("keygen");
        let valid: Vec<Vec<u8>> = (0..POOL)
            .map(|_| k.encapsulate(&pk, &mut rng).expect("encaps").0)
            .collect();
        let invalid: Vec<Vec<u8>> = (0..POOL).map(|_| bytes(&mut rng, k.sizes().ct)).collect();
        let mut ct = vec![0u8; k.sizes().ct];
        r.run(
            &format!("decaps {}", k.id()),
            "valid vs random ciphertext",
            |c, i, sw| {
                ct.copy_from_slice([&invalid[i], &valid[i]][usize::from(c)]);
                sw.time(|| k.decapsulate(sk.expose(), &ct).ok());
            },
        );
    }
}

fn macs(r: &mut Report) {
    let kdf: &dyn Kdf = REGISTRY.kdf("HKDF-SHA256").expect("registered");
    let mut rng = ShakeRng::new(b"dudect mac");
    for h in REGISTRY.hashes.iter().filter(|h| h.name() == "SHA-256") {
        let h: &'static dyn Hash = *h;
        let auth = Authenticator::new(kdf, h, &Key::new([7; 32]), 1).expect("authenticator");
        let hdr: Vec<Vec<u8>> = (0..POOL).map(|_| bytes(&mut rng, 64)).collect();
        let good: Vec<[u8; 32]> = hdr
            .iter()
            .map(|m| auth.mac_hdr(1, m).expect("mac"))
            .collect();
        let (bad, last) = (flipped(&good, |_| 0), flipped(&good, |n| n - 1));
        let mut tag = [0u8; 32];
        let mut verify = |classes: &str, x: &[[u8; 32]], y: &[[u8; 32]]| {
            r.run(
                &format!("SPQR verify_hdr over HMAC {}", h.id()),
                classes,
                |c, i, sw| {
                    tag = [y[i], x[i]][usize::from(c)];
                    sw.time(|| auth.verify_hdr(1, &hdr[i], &tag).is_ok());
                },
            );
        };
        verify("tag wrong in first vs last byte", &bad, &last);
        verify(PUBLIC, &good, &bad);
        verify(
            "equal inputs, both classes (calibration)",
            &bad,
            &bad.clone(),
        );
    }
    for a in REGISTRY.aeads.iter() {
        let a: &'static dyn Aead = *a;
        let key = bytes(&mut rng, a.key_len());
        let nonce = bytes(&mut rng, a.nonce_len());
        let sealed: Vec<Vec<u8>> = (0..POOL)
            .map(|_| {
                a.seal(&key, &nonce, b"ad", &bytes(&mut rng, 64))
                    .expect("seal")
            })
            .collect();
        let tag = a.tag_len();
        let first = flipped(&sealed, |n| n - tag);
        let last = flipped(&sealed, |n| n - 1);
        let mut ct = sealed[0].clone();
        let mut open = |test: &str, x: &[Vec<u8>], y: &[Vec<u8>]| {
            let pool = interleave(x, y);
            r.run(&format!("open {}", a.id()), test, |c, i, sw| {
                ct.copy_from_slice(&pool[2 * i + usize::from(c)]);
                sw.time(|| a.open(&key, &nonce, b"ad", &ct).is_ok());
            });
        };
        open("tag wrong in first vs last byte", &first, &last);
        open(PUBLIC, &sealed, &last);
        // Calibration: equal inputs (two copies) in both classes.
        open(
            "equal inputs, both classes (calibration)",
            &last,
            &last.clone(),
        );
    }
}

/// A tag comparison that stops at the first differing byte.
#[inline(never)]
fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
    for (x, y) in a.iter().zip(b) {
        if black_box(x) != black_box(y) {
            return false;
        }
    }
    a.len() == b.len()
}

fn controls(r: &mut Report) {
    let mut rng = ShakeRng::new(b"dudect controls");
    let tags: Vec<Vec<u8>> = (0..POOL).map(|_| bytes(&mut rng, 64)).collect();
    let (near, far) = (flipped(&tags, |n| n - 1), flipped(&tags, |_| 0));
    r.run(
        "CONTROL early-exit tag comparison",
        "wrong in last vs first byte",
        |c, i, sw| {
            let other = [&far[i], &near[i]][usize::from(c)];
            sw.time(|| early_exit_eq(&tags[i], other));
        },
    );
    let small: Vec<u64> = (0..POOL).map(|i| 1000 + i as u64).collect();
    let large: Vec<u64> = (0..POOL).map(|i| u64::MAX - i as u64).collect();
    r.run(
        "CONTROL 64-bit division by a secret-sized value",
        "small vs large dividend",
        |c, i, sw| {
            let x = [large[i], small[i]][usize::from(c)];
            sw.time(|| {
                let mut acc = 0u64;
                for d in 3..19u64 {
                    acc = acc.wrapping_add(black_box(x) / black_box(d));
                }
                acc
            });
        },
    );
    // pqc_kyber's ciphertexts of one fixed message and of random ones:
    // `poly_tomsg` divides every coefficient of the decrypted message by q.
    let mut coins = Coins(ShakeRng::new(b"dudect pqc_kyber"));
    let kp = pqc_kyber::keypair(&mut coins).expect("keypair");
    let random: Vec<Vec<u8>> = (0..POOL)
        .map(|_| {
            pqc_kyber::encapsulate(&kp.public, &mut coins)
                .expect("encaps")
                .0
                .to_vec()
        })
        .collect();
    let fixed: Vec<Vec<u8>> = (0..POOL)
        .map(|_| {
            let mut fixed = Coins(ShakeRng::new(b"fixed message"));
            pqc_kyber::encapsulate(&kp.public, &mut fixed)
                .expect("encaps")
                .0
                .to_vec()
        })
        .collect();
    let mut ct = random[0].clone();
    r.run(
        "CONTROL pqc_kyber (round-3 reference) decaps",
        "fixed vs random message",
        |c, i, sw| {
            ct.copy_from_slice([&random[i], &fixed[i]][usize::from(c)]);
            sw.time(|| pqc_kyber::decapsulate(&ct, &kp.secret).ok());
        },
    );
}

/// pqc_kyber's randomness, from a ShakeRng.
struct Coins(ShakeRng);

impl rand_core::RngCore for Coins {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.0.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.0.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for Coins {}

fn main() {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let seconds: f64 = args.first().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let mut r = Report {
        budget: Duration::from_secs_f64(seconds),
        filter: args.get(1).cloned().unwrap_or_default(),
        rows: Vec::new(),
    };
    println!(
        "{:<44} {:<36} {:>9} {:>10} {:>8}",
        "test", "classes", "samples", "median ns", "max |t|"
    );
    controls(&mut r);
    kems(&mut r);
    macs(&mut r);
    let flagged = r
        .rows
        .iter()
        .filter(|(t, c, _, _, v)| {
            *v > THRESHOLD && !t.starts_with("CONTROL") && !c.contains("expected")
        })
        .count();
    println!(
        "\n{} tests, {flagged} outside the controls above |t| = {THRESHOLD}",
        r.rows.len()
    );
}
