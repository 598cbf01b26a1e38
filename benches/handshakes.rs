//! Whole handshakes of every named suite, next to snow, clatter and the
//! floor, one criterion group per suite (`handshake/<suite>`), so the
//! results read as a table.
//!
//! Rows of a group:
//!
//! * `twofold`: one complete handshake with the default backends, both
//!   sides in memory ([`Prepared::handshake`]): building both states,
//!   every message written and read, the split into transport keys (Noise),
//!   or Alice's initiation with bundle verification and Bob's acceptance
//!   (X3DH, PQXDH; Bob's fresh prekeys are made untimed by
//!   [`Prepared::setup`], as a deployment makes them ahead of time).
//! * `twofold-pqclean`: the same with bare `ML-KEM-*` resolved to
//!   `ML-KEM-*@pqcrypto`, the PQClean C code that snow (`Kyber1024`, via
//!   pqcrypto-kyber 0.8.1 = ML-KEM-1024) and clatter (pqcrypto-mlkem) use:
//!   the same KEM code under both protocols isolates the protocol engine.
//! * `snow` (classic and hfs patterns snow 0.10 speaks) and `clatter`
//!   (PQNoise and hybrid patterns of clatter 2.3, PQClean ML-KEM): a full
//!   handshake with the same work as `twofold`: both states built from the
//!   protocol name and static keys made outside the loop, every message
//!   with an empty payload, then the switch to transport mode. Their
//!   message buffers are allocated once outside the loop (their API takes
//!   caller buffers; twofold returns owned messages and pays that
//!   allocation inside the loop). snow and clatter draw randomness from
//!   the operating system; so does `twofold` (`OsRng`).
//! * `floor` ([`Floor::run`]): exactly the primitive calls one handshake
//!   makes (recorded by the observer through an observing resolver: key generation, DH,
//!   encapsulation, decapsulation, signatures, and every hash, HMAC, KDF
//!   and AEAD call with its real input size) on the same backends, with
//!   valid inputs made in advance, drawing from an in-process SHAKE stream
//!   (no system calls), so it is a lower bound. `floor-pqclean` is the
//!   floor of the `twofold-pqclean` row.
//!
//! Why the floor matters: no implementation of a protocol can be faster
//! than the primitive operations it must perform. The ratio handshake /
//! floor is therefore the implementation's own overhead (state handling,
//! encoding, copies, allocation, bookkeeping); comparing two libraries is
//! only meaningful next to it, because a library with faster primitives
//! wins without a better protocol engine.
//!
//! The wire size of each suite (and of the snow and clatter runs, which
//! must match) and the operations of its floor are printed to stderr when
//! the group is set up.
// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]
#![allow(deprecated)] // clatter 2.3 marks its pqclean_ml_kem module deprecated.

use std::hint::black_box;
use std::time::Duration;

use clatter::crypto::cipher::ChaChaPoly;
use clatter::crypto::dh::X25519;
use clatter::crypto::hash::Sha256;
use clatter::crypto::kem::pqclean_ml_kem::MlKem768;
use clatter::handshakepattern::{self as hp, HandshakePattern};
use clatter::traits::{Dh as _, Handshaker, Kem as _};
use clatter::{HybridHandshake, HybridHandshakeParams, KeyPair, PqHandshake};
use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};
use std::sync::Arc;

use twofold::core::resolve::Prefer;
use twofold::core::{OsRng, Resolver, ShakeRng};
use twofold::handshake::noise::{Pattern, ProtocolName, Role};
use twofold::harness::Floor;
use twofold::harness::handshakes::{Prepared, suites};
use twofold::primitives::registry::REGISTRY;

// ------------------------------------------------------------- resolver

/// The registry, except that a bare `ML-KEM-*` name selects the pqcrypto
/// backend (PQClean, the C code snow and clatter link) instead of the
/// default.
fn pqclean() -> Arc<dyn Resolver> {
    Arc::new(Prefer::new(&*REGISTRY).backend("ML-KEM-", "pqcrypto"))
}

// ---------------------------------------------------------------- suites

/// Protocols snow 0.10 (features `hfs`, `use-pqcrypto-kyber1024`) speaks,
/// spelled as snow spells them.
const SNOW: &[&str] = &[
    "Noise_NN_25519_ChaChaPoly_SHA256",
    "Noise_XX_25519_ChaChaPoly_SHA256",
    "Noise_IK_25519_ChaChaPoly_SHA256",
    "Noise_NN_25519_ChaChaPoly_BLAKE2s",
    "Noise_XX_25519_ChaChaPoly_BLAKE2s",
    "Noise_IK_25519_ChaChaPoly_BLAKE2s",
    "Noise_NNhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
    "Noise_IKhfs_25519+Kyber1024_ChaChaPoly_BLAKE2s",
];

/// Makes one of clatter's handshake patterns.
type MakePattern = fn() -> HandshakePattern;

/// Protocols clatter 2.3 speaks, with the pattern function that makes
/// clatter's handshake.
const CLATTER: &[(&str, MakePattern)] = &[
    ("Noise_pqNN_MLKEM768_ChaChaPoly_SHA256", hp::noise_pqnn),
    ("Noise_pqXX_MLKEM768_ChaChaPoly_SHA256", hp::noise_pqxx),
    ("Noise_pqIK_MLKEM768_ChaChaPoly_SHA256", hp::noise_pqik),
    (
        "Noise_hybridNN_25519+MLKEM768_ChaChaPoly_SHA256",
        hp::noise_hybrid_nn,
    ),
    (
        "Noise_hybridXX_25519+MLKEM768_ChaChaPoly_SHA256",
        hp::noise_hybrid_xx,
    ),
    (
        "Noise_hybridIK_25519+MLKEM768_ChaChaPoly_SHA256",
        hp::noise_hybrid_ik,
    ),
];

/// Suites that also get the `twofold-pqclean` and `floor-pqclean` rows:
/// those whose KEM snow or clatter runs on PQClean.
fn wants_pqclean(suite: &str) -> bool {
    suite.contains("Kyber1024") && suite.starts_with("Noise_")
        || CLATTER.iter().any(|(n, _)| *n == suite)
}

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

/// The pattern of a Noise protocol name, for the snow and clatter drivers.
fn pattern(suite: &str) -> Pattern {
    ProtocolName::parse(suite)
        .expect("listed protocol names parse")
        .pattern()
        .clone()
}

// ------------------------------------------------------------------ snow

/// One side of a snow handshake, built from the name as every run must.
fn snow_side(
    suite: &str,
    pattern: &Pattern,
    role: Role,
    me: &snow::Keypair,
    peer: &snow::Keypair,
) -> snow::HandshakeState {
    let params: snow::params::NoiseParams = suite.parse().expect("snow knows this protocol");
    let mut b = snow::Builder::new(params);
    if pattern.uses_local_static(role) {
        b = b.local_private_key(&me.private).expect("32-byte key");
    }
    if pattern.needs_remote_static(role) {
        b = b.remote_public_key(&peer.public).expect("32-byte key");
    }
    match role {
        Role::Initiator => b.build_initiator(),
        Role::Responder => b.build_responder(),
    }
    .expect("complete builder")
}

/// Message and payload buffers, allocated once.
struct Buffers {
    msg: Vec<u8>,
    payload: Vec<u8>,
}

impl Buffers {
    fn new() -> Self {
        // Noise's maximum message length (rev 34 §3).
        Self {
            msg: vec![0u8; 65535],
            payload: vec![0u8; 65535],
        }
    }
}

/// A full snow handshake; returns the bytes on the wire.
fn snow_handshake(
    suite: &str,
    pattern: &Pattern,
    keys: &(snow::Keypair, snow::Keypair),
    buf: &mut Buffers,
) -> usize {
    let (ki, kr) = keys;
    let mut init = snow_side(suite, pattern, Role::Initiator, ki, kr);
    let mut resp = snow_side(suite, pattern, Role::Responder, kr, ki);
    let mut bytes = 0;
    for i in 0..pattern.messages().len() {
        let (w, r) = match pattern.sender(i) {
            Role::Initiator => (&mut init, &mut resp),
            Role::Responder => (&mut resp, &mut init),
        };
        let n = w.write_message(&[], &mut buf.msg).expect("snow writes");
        r.read_message(&buf.msg[..n], &mut buf.payload)
            .expect("snow reads its own message");
        bytes += n;
    }
    black_box(init.into_transport_mode().expect("finished"));
    black_box(resp.into_transport_mode().expect("finished"));
    bytes
}

fn snow_row(g: &mut BenchmarkGroup<'_, WallTime>, suite: &str) {
    let pattern = pattern(suite);
    let params: snow::params::NoiseParams = suite.parse().expect("snow knows this protocol");
    let keypair = || {
        snow::Builder::new(params.clone())
            .generate_keypair()
            .expect("snow key generation")
    };
    let keys = (keypair(), keypair());
    let mut buf = Buffers::new();
    let bytes = snow_handshake(suite, &pattern, &keys, &mut buf);
    eprintln!("{suite}: snow: {bytes} bytes on the wire");
    g.bench_function("snow", |b| {
        b.iter(|| black_box(snow_handshake(suite, &pattern, &keys, &mut buf)))
    });
}

// --------------------------------------------------------------- clatter

type KemKeys = KeyPair<
    <MlKem768 as clatter::traits::Kem>::PubKey,
    <MlKem768 as clatter::traits::Kem>::SecretKey,
>;
type DhKeys =
    KeyPair<<X25519 as clatter::traits::Dh>::PubKey, <X25519 as clatter::traits::Dh>::PrivateKey>;

/// One party's static keys for clatter: ML-KEM-768 and (hybrid) X25519.
struct ClatterKeys {
    kem: KemKeys,
    dh: DhKeys,
}

fn clatter_keys() -> ClatterKeys {
    ClatterKeys {
        kem: MlKem768::genkey().expect("clatter KEM key generation"),
        dh: X25519::genkey().expect("clatter DH key generation"),
    }
}

fn pq_side(
    make: MakePattern,
    pattern: &Pattern,
    role: Role,
    me: &ClatterKeys,
    peer: &ClatterKeys,
) -> PqHandshake<MlKem768, MlKem768, ChaChaPoly, Sha256> {
    PqHandshake::new(
        make(),
        &[],
        role == Role::Initiator,
        pattern.uses_local_static(role).then(|| me.kem.clone()),
        None,
        pattern
            .needs_remote_static(role)
            .then(|| peer.kem.public.clone()),
        None,
    )
    .expect("valid clatter PQ handshake")
}

fn hybrid_side(
    make: MakePattern,
    pattern: &Pattern,
    role: Role,
    me: &ClatterKeys,
    peer: &ClatterKeys,
) -> HybridHandshake<X25519, MlKem768, MlKem768, ChaChaPoly, Sha256> {
    let mut params =
        HybridHandshakeParams::<X25519, MlKem768, MlKem768>::new(make(), role == Role::Initiator);
    if pattern.uses_local_static(role) {
        params = params.with_s(me.dh.clone()).with_s_kem(me.kem.clone());
    }
    if pattern.needs_remote_static(role) {
        params = params
            .with_rs(peer.dh.public)
            .with_rs_kem(peer.kem.public.clone());
    }
    HybridHandshake::new(params).expect("valid clatter hybrid handshake")
}

/// Plays two built clatter handshakes to the end; returns the bytes on
/// the wire.
fn clatter_play<T: Handshaker<ChaChaPoly, Sha256>>(
    mut init: T,
    mut resp: T,
    pattern: &Pattern,
    buf: &mut Buffers,
) -> usize {
    let mut bytes = 0;
    for i in 0..pattern.messages().len() {
        let (w, r) = match pattern.sender(i) {
            Role::Initiator => (&mut init, &mut resp),
            Role::Responder => (&mut resp, &mut init),
        };
        let n = w.write_message(&[], &mut buf.msg).expect("clatter writes");
        r.read_message(&buf.msg[..n], &mut buf.payload)
            .expect("clatter reads its own message");
        bytes += n;
    }
    black_box(init.finalize().expect("finished"));
    black_box(resp.finalize().expect("finished"));
    bytes
}

fn clatter_handshake(
    make: MakePattern,
    pattern: &Pattern,
    keys: &(ClatterKeys, ClatterKeys),
    buf: &mut Buffers,
) -> usize {
    let (ki, kr) = keys;
    if pattern.kind() == twofold::handshake::noise::PatternKind::Pq {
        let init = pq_side(make, pattern, Role::Initiator, ki, kr);
        let resp = pq_side(make, pattern, Role::Responder, kr, ki);
        clatter_play(init, resp, pattern, buf)
    } else {
        let init = hybrid_side(make, pattern, Role::Initiator, ki, kr);
        let resp = hybrid_side(make, pattern, Role::Responder, kr, ki);
        clatter_play(init, resp, pattern, buf)
    }
}

fn clatter_row(g: &mut BenchmarkGroup<'_, WallTime>, suite: &str, make: MakePattern) {
    let pattern = pattern(suite);
    let keys = (clatter_keys(), clatter_keys());
    let mut buf = Buffers::new();
    let bytes = clatter_handshake(make, &pattern, &keys, &mut buf);
    eprintln!("{suite}: clatter: {bytes} bytes on the wire");
    g.bench_function("clatter", |b| {
        b.iter(|| black_box(clatter_handshake(make, &pattern, &keys, &mut buf)))
    });
}

// --------------------------------------------------------------- twofold

/// A prepared suite and its floor; runs the handshake once and prints its
/// wire size and floor.
fn prepare(suite: &str, label: &str, resolver: Arc<dyn Resolver>) -> (Prepared, Floor) {
    let mut rng = OsRng;
    let p = Prepared::with_resolver(suite, resolver, &mut rng).expect("listed suites resolve");
    let input = p.setup(&mut rng).expect("set-up");
    let bytes = p.handshake(input, &mut rng).expect("handshake");
    let floor = p.floor(&mut rng).expect("floor");
    eprintln!(
        "{suite}: {label}: {bytes} bytes on the wire; floor = {}",
        floor.describe()
    );
    (p, floor)
}

fn twofold_row(g: &mut BenchmarkGroup<'_, WallTime>, id: &str, p: &Prepared) {
    g.bench_function(id, |b| {
        b.iter_batched(
            || p.setup(&mut OsRng).expect("set-up ran once before"),
            |input| black_box(p.handshake(input, &mut OsRng).expect("ran once before")),
            BatchSize::SmallInput,
        )
    });
}

fn floor_row(g: &mut BenchmarkGroup<'_, WallTime>, id: &str, floor: &Floor) {
    let mut rng = ShakeRng::new(b"handshake floor");
    g.bench_function(id, |b| {
        b.iter(|| floor.run(&mut rng).expect("valid inputs made in advance"))
    });
}

fn handshakes(c: &mut Criterion) {
    for suite in all_suites() {
        let (p, floor) = prepare(&suite, "twofold", Arc::new(&*REGISTRY));
        let pqclean = wants_pqclean(&suite).then(|| prepare(&suite, "twofold-pqclean", pqclean()));
        let mut g = c.benchmark_group(format!("handshake/{suite}"));
        twofold_row(&mut g, "twofold", &p);
        if let Some((pp, _)) = &pqclean {
            twofold_row(&mut g, "twofold-pqclean", pp);
        }
        if SNOW.contains(&suite.as_str()) {
            snow_row(&mut g, &suite);
        }
        if let Some((_, make)) = CLATTER.iter().find(|(n, _)| *n == suite) {
            clatter_row(&mut g, &suite, *make);
        }
        floor_row(&mut g, "floor", &floor);
        if let Some((_, pf)) = &pqclean {
            floor_row(&mut g, "floor-pqclean", pf);
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
