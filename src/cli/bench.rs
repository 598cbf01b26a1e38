//! `twofold bench`: the measurement matrix on a built-in configuration.
//!
//! With no arguments: every backend of every primitive (paired with the
//! algorithm's default backend), then every handshake suite (and every
//! subject that implements the harness's `Subject`), each measured
//! interleaved with its two floors. `--peers` adds the peer libraries to
//! the rows they can run, in the same rounds. The measurement itself is
//! `twofold::harness::bench`; this module chooses what to measure, shows
//! progress and writes the report.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use twofold::core::{Resolver, ShakeRng};
use twofold::harness::bench::callgrind::{Callgrind, OUT_ENV, valgrind_args};
use twofold::harness::bench::fastest::{Fastest, fastest_registry};
use twofold::harness::bench::handshake::HandshakeSubject;
use twofold::harness::bench::matrix::NoPeers;
use twofold::harness::bench::primitives::groups;
use twofold::harness::bench::ratchet::RatchetSubject;
use twofold::harness::bench::{Meter, PeerSource, Subject, Timing, measure_case};
use twofold::harness::handshakes::suites;
use twofold::primitives::registry::REGISTRY;

use super::CliResult;
use super::report::{self, BenchFormat, ChoiceJson, Method, Report};

/// Which backends the protocol rows run on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Provider {
    /// The registry's defaults (what a bare name selects).
    #[default]
    Default,
    /// For each algorithm, its fastest registered backend on this machine,
    /// measured at the start of the run.
    Fastest,
}

impl Provider {
    fn as_str(self) -> &'static str {
        match self {
            Provider::Default => "default",
            Provider::Fastest => "fastest",
        }
    }
}

/// Arguments of `twofold bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Only rows whose subject (suite, ALGORITHM@backend) contains this text
    /// (case-insensitive).
    #[arg(long)]
    pub filter: Option<String>,
    /// Fewer and shorter batches: a smoke run (CI); wider intervals.
    #[arg(long)]
    pub quick: bool,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = BenchFormat::Table)]
    pub format: BenchFormat,
    /// Also write bench.json, bench.csv, bench.md, bench.txt and SVG charts
    /// into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Compare with an earlier `--format json` report (or bench.json from
    /// `--out`): new / old per row, changes beyond the noise marked.
    #[arg(long, value_name = "FILE.json")]
    pub baseline: Option<PathBuf>,
    /// Run the peer libraries (snow, clatter, hpke-rs) on the same work in
    /// the same rounds.
    #[arg(long)]
    pub peers: bool,
    /// Backends of the protocol rows.
    #[arg(long, value_enum, default_value_t = Provider::Default)]
    pub provider: Provider,
    /// Count instructions under callgrind instead of timing (needs
    /// valgrind): figures that repeat exactly from run to run.
    #[arg(long)]
    pub instructions: bool,
    /// Leave out the primitive table.
    #[arg(long)]
    pub no_primitives: bool,
    /// In the primitive table, only the default backend of each algorithm.
    #[arg(long)]
    pub defaults_only: bool,
}

fn matches(filter: &Option<String>, s: &str) -> bool {
    filter
        .as_ref()
        .is_none_or(|f| s.to_ascii_lowercase().contains(&f.to_ascii_lowercase()))
}

/// Runs this very command again under callgrind, without
/// `--instructions`; the child counts and reports.
fn under_callgrind() -> CliResult {
    let exe = std::env::current_exe()?;
    let dir = std::env::temp_dir().join(format!("twofold-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let base = dir.join("cg.out");
    let args: Vec<OsString> = std::env::args_os()
        .skip(1)
        .filter(|a| a != "--instructions")
        .collect();
    let status = Command::new("valgrind")
        .args(valgrind_args(&base))
        .arg(exe)
        .args(args)
        .env(OUT_ENV, &base)
        .status();
    let _ = std::fs::remove_dir_all(&dir);
    match status {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(
            "--instructions runs under valgrind, which is not installed \
             (Debian: apt-get install valgrind)"
                .into(),
        ),
        Err(e) => Err(format!("cannot start valgrind: {e}").into()),
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("the run under callgrind failed ({s})").into()),
    }
}

fn method(meter: &Meter) -> Method {
    match meter {
        Meter::Time(t) => Method {
            meter: "time".into(),
            unit: "us".into(),
            warm_up_ms: t.warm_up.as_secs_f64() * 1e3,
            batch_ms: t.batch.as_secs_f64() * 1e3,
            rounds: [t.min_rounds, t.max_rounds],
            budget_ms: t.budget.as_secs_f64() * 1e3,
            description: format!(
                "time ({}): {}-{} interleaved rounds per row (each contender one batch of >= {} ms \
                 per round, order alternating), after {} ms warm-up; medians of per-round \
                 times and of per-round ratios, ± = half the 95% interval of the median",
                twofold::harness::bench::stats::CLOCK,
                t.min_rounds,
                t.max_rounds,
                t.batch.as_secs_f64() * 1e3,
                t.warm_up.as_millis()
            ),
        },
        Meter::Instructions(_) => Method {
            meter: "instructions".into(),
            unit: "instructions".into(),
            description: "instructions under callgrind: per contender one uncounted \
                          operation, then 4 counted; seeded inputs, so a second run counts \
                          the same"
                .into(),
            ..Method::default()
        },
    }
}

/// Every subject of the matrix, `filter` applied: handshakes, ratchets,
/// then peers.
fn subjects(
    filter: &Option<String>,
    resolver: &Arc<dyn Resolver>,
    peers: bool,
) -> Vec<Box<dyn Subject>> {
    let mut out: Vec<Box<dyn Subject>> = Vec::new();
    for s in suites() {
        if matches(filter, &s) {
            out.push(Box::new(HandshakeSubject::with_resolver(
                &s,
                Arc::clone(resolver),
            )));
        }
    }
    for s in twofold::harness::ratchets::SUITES {
        if matches(filter, s) {
            out.push(Box::new(RatchetSubject::with_resolver(
                s,
                Arc::clone(resolver),
            )));
        }
    }
    if peers {
        for s in peer_subjects(resolver) {
            if matches(filter, &s.name()) {
                out.push(s);
            }
        }
    }
    out
}

#[cfg(feature = "peers")]
fn peer_subjects(resolver: &Arc<dyn Resolver>) -> Vec<Box<dyn Subject>> {
    twofold::peers::subjects(resolver)
}

#[cfg(not(feature = "peers"))]
fn peer_subjects(_: &Arc<dyn Resolver>) -> Vec<Box<dyn Subject>> {
    Vec::new()
}

#[cfg(feature = "peers")]
fn peer_source(resolver: &Arc<dyn Resolver>) -> Box<dyn PeerSource> {
    Box::new(twofold::peers::Peers::new(Arc::clone(resolver)))
}

#[cfg(not(feature = "peers"))]
fn peer_source(_: &Arc<dyn Resolver>) -> Box<dyn PeerSource> {
    Box::new(NoPeers)
}

fn progress(len: usize) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{elapsed_precise:.dim} [{bar:32}] {pos}/{len} rows, ~{eta} left  {wide_msg}",
    )
    .map(|s| s.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style);
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// Runs the benchmark matrix.
pub fn run(args: &BenchArgs, out: &mut dyn Write) -> CliResult {
    if args.instructions && Callgrind::from_env().is_none() {
        return under_callgrind();
    }
    if cfg!(debug_assertions) {
        eprintln!(
            "twofold: warning: debug build; use `cargo run --release -- bench` for real figures"
        );
    }
    if args.peers && !cfg!(feature = "peers") {
        return Err(
            "--peers: this build has no peers (build with the `peers` feature, \
                    which the default build enables)"
                .into(),
        );
    }
    let start = Instant::now();
    let baseline = match &args.baseline {
        Some(p) => Some(super::baseline::load(p)?),
        None => None,
    };
    let mut meter = match Callgrind::from_env() {
        Some(cg) => Meter::Instructions(cg),
        None if args.quick => Meter::Time(Timing::QUICK),
        None => Meter::Time(Timing::DEFAULT),
    };
    let scale = if meter.unit() == "s" { 1e6 } else { 1.0 };

    let mut choices = Vec::new();
    let resolver: Arc<dyn Resolver> = match args.provider {
        Provider::Default => Arc::new(&*REGISTRY),
        Provider::Fastest => {
            eprintln!("twofold bench: choosing the fastest backend of each algorithm...");
            let (reg, c) = fastest_registry(&mut meter)?;
            choices = c;
            Arc::new(reg)
        }
    };
    let groups = if args.no_primitives {
        Vec::new()
    } else {
        groups(|e| (!args.defaults_only || e.is_default) && matches(&args.filter, &e.id()))?
    };
    let subjects = subjects(&args.filter, &resolver, args.peers);
    if groups.is_empty() && subjects.is_empty() {
        return Err("nothing matches the selection (see `twofold list`)".into());
    }
    let peers: Box<dyn PeerSource> = if args.peers {
        peer_source(&resolver)
    } else {
        Box::new(NoPeers)
    };

    let pb = progress(groups.len() + subjects.len());
    let mut primitives = Vec::new();
    for g in groups {
        pb.set_message(g.label.clone());
        for p in g.measure(&mut meter, &mut || pb.tick())? {
            primitives.push(report::primitive_json(&p, scale));
        }
        pb.inc(1);
    }
    let mut fastest = Fastest::new();
    let mut rows = Vec::new();
    for s in &subjects {
        let name = s.name();
        pb.set_message(name.clone());
        let mut rng = ShakeRng::new(name.as_bytes());
        let cases = s.cases(&mut rng)?;
        pb.inc_length(cases.len().saturating_sub(1) as u64);
        for c in cases {
            let peer_list = peers.peers(s.kind(), &name, &c.op)?;
            let r = measure_case(
                s.kind(),
                &name,
                c,
                peer_list,
                &mut fastest,
                &mut meter,
                &mut rng,
                &mut || pb.tick(),
            )?;
            rows.push(report::row_json(&r, scale));
            pb.inc(1);
        }
    }
    pb.finish_and_clear();

    let report = Report {
        format: report::FORMAT.to_string(),
        version: report::VERSION,
        twofold: format!("twofold {}", env!("CARGO_PKG_VERSION")),
        provider: args.provider.as_str().to_string(),
        provider_choices: choices
            .iter()
            .map(|c| ChoiceJson {
                algorithm: c.algorithm.to_string(),
                backend: c.backend.to_string(),
                default: c.default.to_string(),
            })
            .collect(),
        method: method(&meter),
        machine: super::machine::machine(),
        versions: super::machine::versions(),
        wall_seconds: start.elapsed().as_secs_f64(),
        primitives,
        rows,
    };
    report::write(&report, args.format, out)?;
    let comparison = match (&baseline, &args.baseline) {
        (Some(old), Some(path)) => {
            super::baseline::check(old, &report, path)?;
            Some(super::baseline::compare(old, &report))
        }
        _ => None,
    };
    if let Some(tables) = &comparison {
        // JSON and CSV on stdout stay machine-readable: the comparison
        // goes to stderr there.
        let mut err = std::io::stderr();
        let sink: &mut dyn Write = match args.format {
            BenchFormat::Table | BenchFormat::Md => out,
            BenchFormat::Csv | BenchFormat::Json => &mut err,
        };
        for t in tables {
            if args.format == BenchFormat::Md {
                t.markdown(sink)?;
            } else {
                t.text(sink)?;
            }
        }
    }
    if let Some(dir) = &args.out {
        write_out(&report, comparison.as_deref(), dir)?;
    }
    Ok(())
}

/// Writes every format and the charts into `dir`.
fn write_out(r: &Report, comparison: Option<&[report::Table]>, dir: &Path) -> CliResult {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create --out directory {}: {e}", dir.display()))?;
    let file =
        |name: &str| -> Result<std::io::BufWriter<std::fs::File>, Box<dyn std::error::Error>> {
            let p = dir.join(name);
            Ok(std::io::BufWriter::new(std::fs::File::create(&p).map_err(
                |e| format!("cannot write {}: {e}", p.display()),
            )?))
        };
    for (name, f) in [
        ("bench.json", BenchFormat::Json),
        ("bench.csv", BenchFormat::Csv),
        ("bench.md", BenchFormat::Md),
        ("bench.txt", BenchFormat::Table),
    ] {
        let mut w = file(name)?;
        report::write(r, f, &mut w)?;
        if let Some(tables) = comparison
            && matches!(f, BenchFormat::Md | BenchFormat::Table)
        {
            for t in tables {
                if f == BenchFormat::Md {
                    t.markdown(&mut w)?;
                } else {
                    t.text(&mut w)?;
                }
            }
        }
        w.flush()?;
    }
    let charts = super::plots::write_all(r, dir)?;
    eprintln!(
        "twofold bench: wrote bench.json, bench.csv, bench.md, bench.txt{} in {}",
        charts
            .iter()
            .filter_map(|p| p.file_name().map(|n| format!(", {}", n.to_string_lossy())))
            .collect::<String>(),
        dir.display()
    );
    Ok(())
}
