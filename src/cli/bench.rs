//! `twofold bench`: the quick measurement table on a built-in configuration.
//!
//! Default configuration: the default backend of every algorithm (what a bare
//! name selects). `--all` measures every backend. Each row is the median time
//! of one operation in microseconds, measured in this run, with the sizes that
//! go on the wire.

use std::io::Write;
use std::time::Duration;

use clap::Args;
use serde_json::json;
use twofold::core::OsRng;
use twofold::harness::handshakes::{Prepared, suites};
use twofold::harness::primitive_ops::primitive_ops;
use twofold::primitives::registry::Entry;

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

fn selected(args: &BenchArgs, e: &Entry) -> bool {
    (args.all || e.is_default)
        && args.filter.as_ref().is_none_or(|f| {
            e.id()
                .to_ascii_lowercase()
                .contains(&f.to_ascii_lowercase())
        })
}

/// Measures the primitive rows selected by `args`.
pub fn primitive_rows(args: &BenchArgs) -> Result<Vec<Row>, Box<dyn std::error::Error>> {
    let b = Duration::from_millis(args.budget_ms);
    let mut rows = Vec::new();
    for mut p in primitive_ops(|e| selected(args, e))? {
        // Run once outside the timer: a failing operation is an error, not a row.
        (p.run)()?;
        let (median_us, samples) = median_us(b, &mut p.run);
        rows.push(Row {
            subject: p.subject,
            op: p.op,
            median_us,
            samples,
            bytes: p.bytes,
        });
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
    for name in suites() {
        if let Some(f) = &args.filter
            && !name.to_ascii_lowercase().contains(&f.to_ascii_lowercase())
        {
            continue;
        }
        let p = Prepared::new(&name, &mut OsRng)?;
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

fn print_handshakes(rows: &[HandshakeRow], format: Format, out: &mut dyn Write) -> CliResult {
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
            writeln!(out, "{}", json!({ "table": "handshakes", "rows": v }))?;
        }
        Format::Text => {
            writeln!(
                out,
                "\n## handshakes (both sides in memory; floor = the same primitive calls alone)\n"
            )?;
            writeln!(
                out,
                "{:<50} {:>12} {:>10} {:>6} {:>7}  floor ops",
                "suite", "handshake µs", "floor µs", "ratio", "bytes"
            )?;
            for r in rows {
                writeln!(
                    out,
                    "{:<50} {:>12.1} {:>10.1} {:>6.2} {:>7}  {}",
                    r.suite,
                    r.handshake_us,
                    r.floor_us,
                    r.handshake_us / r.floor_us,
                    r.wire_bytes,
                    r.floor_ops
                )?;
            }
        }
    }
    Ok(())
}

/// Prints rows as a table or JSON.
pub fn print(title: &str, rows: &[Row], format: Format, out: &mut dyn Write) -> CliResult {
    match format {
        Format::Json => {
            let v: Vec<_> = rows
                .iter()
                .map(|r| {
                    json!({"subject": r.subject, "op": r.op, "median_us": r.median_us,
                           "samples": r.samples, "bytes": r.bytes})
                })
                .collect();
            writeln!(out, "{}", json!({ "table": title, "rows": v }))?;
        }
        Format::Text => {
            writeln!(out, "\n## {title}\n")?;
            writeln!(
                out,
                "{:<40} {:<12} {:>12} {:>8}  bytes",
                "subject", "op", "median µs", "batches"
            )?;
            for r in rows {
                writeln!(
                    out,
                    "{:<40} {:<12} {:>12.2} {:>8}  {}",
                    r.subject, r.op, r.median_us, r.samples, r.bytes
                )?;
            }
        }
    }
    Ok(())
}

/// Runs the benchmark table.
pub fn run(args: &BenchArgs, out: &mut dyn Write) -> CliResult {
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
            out,
        )?;
    }
    if !hs.is_empty() {
        print_handshakes(&hs, args.format, out)?;
    }
    Ok(())
}
