//! `twofold bench`: the quick measurement table on a built-in configuration.
//!
//! Default configuration: the default backend of every algorithm (what a bare
//! name selects). `--all` measures every backend. Each row is the median time
//! of one operation in microseconds, measured in this run, with the sizes that
//! go on the wire.

use std::time::Duration;

use clap::Args;
use serde_json::json;
use twofold::core::{Aead, Dh, Hash, Kdf, Kem, OsRng, Signature, Xof};
use twofold::primitives::registry::{Entry, registry};

use super::measure::{median_us, median_us_with_setup};
use super::{CliResult, Format};

/// Arguments of `twofold bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Measure every backend, not only the default of each algorithm.
    #[arg(long)]
    pub all: bool,
    /// Only rows whose `ALGORITHM@backend` contains this text (case-insensitive).
    #[arg(long)]
    pub filter: Option<String>,
    /// Time budget per operation, in milliseconds.
    #[arg(long, default_value_t = 60)]
    pub budget_ms: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// One measured row.
pub struct Row {
    /// What was measured (`ALGORITHM@backend` or a suite).
    pub subject: String,
    /// The operation.
    pub op: &'static str,
    /// Median microseconds per operation.
    pub median_us: f64,
    /// Number of timed batches.
    pub samples: usize,
    /// Bytes on the wire or size note.
    pub bytes: String,
}

const MSG: &[u8] = &[0x5a; 1024];

fn selected(args: &BenchArgs, e: &Entry) -> bool {
    (args.all || e.is_default)
        && args.filter.as_ref().is_none_or(|f| {
            e.id()
                .to_ascii_lowercase()
                .contains(&f.to_ascii_lowercase())
        })
}

fn push(rows: &mut Vec<Row>, subject: &str, op: &'static str, m: (f64, usize), bytes: String) {
    rows.push(Row {
        subject: subject.to_string(),
        op,
        median_us: m.0,
        samples: m.1,
        bytes,
    });
}

fn bench_kem(k: &dyn Kem, b: Duration, rows: &mut Vec<Row>) -> CliResult {
    let id = k.id();
    let s = k.sizes();
    let (pk, sk) = k.generate(&mut OsRng)?;
    let (ct, _) = k.encapsulate(&pk, &mut OsRng)?;
    push(
        rows,
        &id,
        "keygen",
        median_us(b, || k.generate(&mut OsRng)),
        format!("pk {}", s.pk),
    );
    push(
        rows,
        &id,
        "encaps",
        median_us(b, || k.encapsulate(&pk, &mut OsRng)),
        format!("ct {}", s.ct),
    );
    push(
        rows,
        &id,
        "decaps",
        median_us(b, || k.decapsulate(sk.expose(), &ct)),
        format!("ss {}", s.ss),
    );
    Ok(())
}

fn bench_dh(d: &dyn Dh, b: Duration, rows: &mut Vec<Row>) -> CliResult {
    let id = d.id();
    let (_, sk) = d.generate(&mut OsRng)?;
    let (pk2, _) = d.generate(&mut OsRng)?;
    push(
        rows,
        &id,
        "keygen",
        median_us(b, || d.generate(&mut OsRng)),
        format!("pk {}", d.sizes().pk),
    );
    push(
        rows,
        &id,
        "dh",
        median_us(b, || d.dh(sk.expose(), &pk2)),
        format!("ss {}", d.sizes().shared),
    );
    Ok(())
}

fn bench_sig(g: &dyn Signature, b: Duration, rows: &mut Vec<Row>) -> CliResult {
    let id = g.id();
    let (pk, sk) = g.generate(&mut OsRng)?;
    let sig = g.sign(sk.expose(), MSG, &mut OsRng)?;
    g.verify(&pk, MSG, &sig)?;
    push(
        rows,
        &id,
        "keygen",
        median_us(b, || g.generate(&mut OsRng)),
        format!("pk {}", pk.len()),
    );
    push(
        rows,
        &id,
        "sign 1KiB",
        median_us(b, || g.sign(sk.expose(), MSG, &mut OsRng)),
        format!("sig {}", sig.len()),
    );
    push(
        rows,
        &id,
        "verify 1KiB",
        median_us(b, || g.verify(&pk, MSG, &sig)),
        String::new(),
    );
    Ok(())
}

fn bench_aead(a: &dyn Aead, b: Duration, rows: &mut Vec<Row>) -> CliResult {
    let id = a.id();
    let key = vec![7u8; a.key_len()];
    let nonce = vec![9u8; a.nonce_len()];
    let ct = a.seal(&key, &nonce, b"ad", MSG)?;
    push(
        rows,
        &id,
        "seal 1KiB",
        median_us(b, || a.seal(&key, &nonce, b"ad", MSG)),
        format!("+{} B", ct.len() - MSG.len()),
    );
    push(
        rows,
        &id,
        "open 1KiB",
        median_us(b, || a.open(&key, &nonce, b"ad", &ct)),
        String::new(),
    );
    Ok(())
}

fn bench_hash(h: &dyn Hash, b: Duration, rows: &mut Vec<Row>) {
    let id = h.id();
    push(
        rows,
        &id,
        "hash 1KiB",
        median_us(b, || h.hash(&[MSG])),
        format!("out {}", h.output_len()),
    );
    push(
        rows,
        &id,
        "hmac 1KiB",
        median_us(b, || h.hmac(&[1u8; 32], &[MSG])),
        String::new(),
    );
}

fn bench_xof(x: &dyn Xof, b: Duration, rows: &mut Vec<Row>) {
    let mut out = [0u8; 64];
    push(
        rows,
        &x.id(),
        "1KiB->64B",
        median_us(b, || x.xof(&[MSG], &mut out)),
        String::new(),
    );
}

fn bench_kdf(k: &dyn Kdf, b: Duration, rows: &mut Vec<Row>) {
    push(
        rows,
        &k.id(),
        "derive 32B",
        median_us(b, || k.derive(&[1u8; 32], &[2u8; 32], b"info", 32)),
        String::new(),
    );
}

/// Measures the primitive rows selected by `args`.
pub fn primitive_rows(args: &BenchArgs) -> Result<Vec<Row>, Box<dyn std::error::Error>> {
    let reg = registry();
    let b = Duration::from_millis(args.budget_ms);
    let entries = reg.entries();
    let want = |name: &str, backend: &str| {
        entries
            .iter()
            .any(|e| e.name == name && e.backend == backend && selected(args, e))
    };
    let mut rows = Vec::new();
    for &k in reg.kems.iter().filter(|k| want(k.name(), k.backend())) {
        bench_kem(k, b, &mut rows)?;
    }
    for &d in reg.dhs.iter().filter(|d| want(d.name(), d.backend())) {
        bench_dh(d, b, &mut rows)?;
    }
    for &g in reg
        .signatures
        .iter()
        .filter(|g| want(g.name(), g.backend()))
    {
        bench_sig(g, b, &mut rows)?;
    }
    for &a in reg.aeads.iter().filter(|a| want(a.name(), a.backend())) {
        bench_aead(a, b, &mut rows)?;
    }
    for &h in reg.hashes.iter().filter(|h| want(h.name(), h.backend())) {
        bench_hash(h, b, &mut rows);
    }
    for &x in reg.xofs.iter().filter(|x| want(x.name(), x.backend())) {
        bench_xof(x, b, &mut rows);
    }
    for &k in reg.kdfs.iter().filter(|k| want(k.name(), k.backend())) {
        bench_kdf(k, b, &mut rows);
    }
    Ok(rows)
}

/// One handshake row: the handshake, its floor and the ratio.
pub struct HandshakeRow {
    /// The suite.
    pub suite: String,
    /// Median µs of one full handshake (both sides).
    pub handshake_us: f64,
    /// Median µs of its primitive calls alone.
    pub floor_us: f64,
    /// What the floor consists of.
    pub floor_ops: String,
    /// Bytes on the wire.
    pub wire_bytes: usize,
}

/// Measures every named handshake suite selected by `args`, each next to
/// its floor, in this run.
pub fn handshake_rows(args: &BenchArgs) -> Result<Vec<HandshakeRow>, Box<dyn std::error::Error>> {
    let b = Duration::from_millis(args.budget_ms);
    let mut rows = Vec::new();
    for name in twofold::suite::suites() {
        if let Some(f) = &args.filter
            && !name.to_ascii_lowercase().contains(&f.to_ascii_lowercase())
        {
            continue;
        }
        let p = twofold::suite::Prepared::new(&name, &mut OsRng)?;
        let wire_bytes = p.handshake(p.setup(&mut OsRng)?, &mut OsRng)?;
        let floor = p.floor(&mut OsRng)?;
        floor.run(&mut OsRng)?;
        let (hs, _) = median_us_with_setup(
            b,
            || p.setup(&mut OsRng).expect("set-up worked above"),
            |i| p.handshake(i, &mut OsRng),
        );
        let (fl, _) = median_us(b, || floor.run(&mut OsRng));
        rows.push(HandshakeRow {
            suite: name,
            handshake_us: hs,
            floor_us: fl,
            floor_ops: floor.describe(),
            wire_bytes,
        });
    }
    Ok(rows)
}

fn print_handshakes(rows: &[HandshakeRow], format: Format) {
    match format {
        Format::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|r| {
                    json!({"suite": r.suite, "handshake_us": r.handshake_us, "floor_us": r.floor_us,
                           "ratio": r.handshake_us / r.floor_us, "floor_ops": r.floor_ops,
                           "wire_bytes": r.wire_bytes})
                })
                .collect();
            println!("{}", json!({ "table": "handshakes", "rows": v }));
        }
        Format::Text => {
            println!(
                "\n## handshakes (both sides in memory; floor = the same primitive calls alone)\n"
            );
            println!(
                "{:<50} {:>12} {:>10} {:>6} {:>7}  floor ops",
                "suite", "handshake µs", "floor µs", "ratio", "bytes"
            );
            for r in rows {
                println!(
                    "{:<50} {:>12.1} {:>10.1} {:>6.2} {:>7}  {}",
                    r.suite,
                    r.handshake_us,
                    r.floor_us,
                    r.handshake_us / r.floor_us,
                    r.wire_bytes,
                    r.floor_ops
                );
            }
        }
    }
}

/// Prints rows as a table or JSON.
pub fn print(title: &str, rows: &[Row], format: Format) {
    match format {
        Format::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|r| {
                    json!({"subject": r.subject, "op": r.op, "median_us": r.median_us,
                           "samples": r.samples, "bytes": r.bytes})
                })
                .collect();
            println!("{}", json!({ "table": title, "rows": v }));
        }
        Format::Text => {
            println!("\n## {title}\n");
            println!(
                "{:<40} {:<12} {:>12} {:>8}  bytes",
                "subject", "op", "median µs", "batches"
            );
            for r in rows {
                println!(
                    "{:<40} {:<12} {:>12.2} {:>8}  {}",
                    r.subject, r.op, r.median_us, r.samples, r.bytes
                );
            }
        }
    }
}

/// Runs the benchmark table.
pub fn run(args: &BenchArgs) -> CliResult {
    if cfg!(debug_assertions) {
        eprintln!(
            "twofold: warning: debug build; use `cargo run --release -- bench` for real figures"
        );
    }
    let rows = primitive_rows(args)?;
    let hs = handshake_rows(args)?;
    if rows.is_empty() && hs.is_empty() {
        return Err("nothing matches the selection (see `twofold list`)".into());
    }
    if !rows.is_empty() {
        print(
            if args.all {
                "primitives (every backend)"
            } else {
                "primitives (default backends)"
            },
            &rows,
            args.format,
        );
    }
    if !hs.is_empty() {
        print_handshakes(&hs, args.format);
    }
    Ok(())
}
