//! The report of one `twofold bench` run: its JSON shape (also read back
//! as a baseline), and its table, Markdown and CSV renderings.

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};
use twofold::harness::bench::primitives::PrimitiveRow;
use twofold::harness::bench::{RowResult, Summary};

use super::CliResult;

/// Name of the JSON shape.
pub const FORMAT: &str = "twofold-bench";
/// Version of the JSON shape.
pub const VERSION: u32 = 1;

/// A median and its 95% interval (µs, instructions or a ratio).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// Median.
    pub median: f64,
    /// Lower end of the 95% interval of the median.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl Stat {
    /// From a summary; `None` when there was nothing to summarise.
    pub fn from(s: Summary, scale: f64) -> Option<Stat> {
        let s = s.scaled(scale);
        (s.median.is_finite() && s.low.is_finite() && s.high.is_finite()).then_some(Stat {
            median: s.median,
            low: s.low,
            high: s.high,
        })
    }

    /// Half the interval relative to the median.
    pub fn spread(&self) -> f64 {
        if self.median == 0.0 {
            0.0
        } else {
            (self.high - self.low) / 2.0 / self.median.abs()
        }
    }

    /// Whether the intervals are disjoint.
    pub fn differs(&self, o: &Stat) -> bool {
        self.high < o.low || o.high < self.low
    }
}

/// The machine the run was made on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Machine {
    /// `model name` of /proc/cpuinfo.
    pub cpu: String,
    /// Logical cores available to the process.
    pub cores: usize,
    /// CPU flags of /proc/cpuinfo.
    pub flags: Vec<String>,
    /// Operating system and architecture.
    pub os: String,
}

/// How the figures were measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Method {
    /// `time` or `instructions`.
    pub meter: String,
    /// Unit of every value: `us` or `instructions`.
    pub unit: String,
    /// Warm-up per contender, ms.
    pub warm_up_ms: f64,
    /// Minimum batch duration, ms.
    pub batch_ms: f64,
    /// Rounds per row (at least, at most).
    pub rounds: [usize; 2],
    /// Time after which rounds stop past the minimum, ms.
    pub budget_ms: f64,
    /// In words.
    pub description: String,
}

/// One contender of a row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContenderJson {
    /// `twofold`, `floor`, `fastest floor`, a peer.
    pub label: String,
    /// Per operation.
    pub value: Option<Stat>,
    /// Paired ratio twofold / this contender.
    pub twofold_over: Option<Stat>,
}

/// One measured row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RowJson {
    /// `handshake`, `ratchet`, `single-shot`.
    pub kind: String,
    /// Suite or subject.
    pub subject: String,
    /// Operation.
    pub op: String,
    /// Every contender.
    pub contenders: Vec<ContenderJson>,
    /// twofold / floor (paired).
    pub ratio_floor: Option<Stat>,
    /// twofold / fastest floor (paired).
    pub ratio_fastest: Option<Stat>,
    /// peer / twofold (paired) for each peer (contenders after the floors).
    #[serde(default)]
    pub peers: BTreeMap<String, Stat>,
    /// Operations of the floor.
    pub floor_ops: String,
    /// Backends of the fastest floor that differ from the row's.
    #[serde(default)]
    pub fastest_backends: Vec<String>,
    /// Bytes on the wire per message.
    pub messages: Vec<usize>,
    /// Bytes on the wire in total.
    pub wire_bytes: usize,
    /// Bytes of state between operations.
    pub state_bytes: Option<usize>,
    /// Rounds or counted operations.
    pub samples: usize,
}

/// One primitive operation of one backend.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PrimitiveJson {
    /// Family.
    pub family: String,
    /// Algorithm.
    pub algorithm: String,
    /// Backend.
    pub backend: String,
    /// Whether the bare name selects it.
    pub default: bool,
    /// Operation.
    pub op: String,
    /// Wire sizes.
    pub bytes: String,
    /// Per operation.
    pub value: Option<Stat>,
    /// Paired ratio to the default backend.
    pub to_default: Option<Stat>,
    /// Rounds or counted operations.
    pub samples: usize,
}

/// The backend `--provider fastest` chose for an algorithm.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChoiceJson {
    /// Algorithm.
    pub algorithm: String,
    /// Chosen backend.
    pub backend: String,
    /// The registry's default.
    pub default: String,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// twofold's version.
    pub twofold: String,
    /// `default` or `fastest`.
    pub provider: String,
    /// Backends chosen by `--provider fastest`.
    #[serde(default)]
    pub provider_choices: Vec<ChoiceJson>,
    /// How it was measured.
    pub method: Method,
    /// Where.
    pub machine: Machine,
    /// Version of every backend and peer crate in this build.
    pub versions: BTreeMap<String, String>,
    /// Seconds the run took.
    pub wall_seconds: f64,
    /// The primitive table.
    pub primitives: Vec<PrimitiveJson>,
    /// Handshake, ratchet and other rows.
    pub rows: Vec<RowJson>,
}

impl Report {
    /// Whether values are times (µs) rather than instruction counts.
    pub fn is_time(&self) -> bool {
        self.method.unit == "us"
    }
}

/// The JSON row of a measured row; `scale` turns values into the unit.
pub fn row_json(r: &RowResult, scale: f64) -> RowJson {
    let contenders = r
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| ContenderJson {
            label: l.clone(),
            value: r.values.get(i).and_then(|v| Stat::from(*v, scale)),
            twofold_over: (i != RowResult::TWOFOLD)
                .then(|| Stat::from(r.ratio(RowResult::TWOFOLD, i), 1.0))
                .flatten(),
        })
        .collect();
    let peers = (RowResult::FASTEST + 1..r.labels.len())
        .filter_map(|i| {
            Stat::from(r.ratio(i, RowResult::TWOFOLD), 1.0).map(|s| (r.labels[i].clone(), s))
        })
        .collect();
    RowJson {
        kind: r.kind.clone(),
        subject: r.subject.clone(),
        op: r.op.clone(),
        contenders,
        ratio_floor: Stat::from(r.ratio(RowResult::TWOFOLD, RowResult::FLOOR), 1.0),
        ratio_fastest: Stat::from(r.ratio(RowResult::TWOFOLD, RowResult::FASTEST), 1.0),
        peers,
        floor_ops: r.floor_ops.clone(),
        fastest_backends: r.fastest_backends.clone(),
        messages: r.messages.clone(),
        wire_bytes: r.wire_bytes(),
        state_bytes: r.state_bytes,
        samples: r.samples,
    }
}

/// The JSON row of a primitive row.
pub fn primitive_json(p: &PrimitiveRow, scale: f64) -> PrimitiveJson {
    PrimitiveJson {
        family: p.family.as_str().to_string(),
        algorithm: p.algorithm.to_string(),
        backend: p.backend.to_string(),
        default: p.is_default,
        op: p.op.to_string(),
        bytes: p.bytes.clone(),
        value: Stat::from(p.value, scale),
        to_default: Stat::from(p.to_default, 1.0),
        samples: p.samples,
    }
}

// ------------------------------------------------------------ rendering

/// Output formats of `twofold bench`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchFormat {
    /// Aligned text tables.
    #[default]
    Table,
    /// Markdown tables.
    Md,
    /// One CSV table, one line per row and contender.
    Csv,
    /// The JSON report.
    Json,
}

/// A value with its unit: `12.3` µs or `45.6k` instructions.
pub fn value(v: Option<Stat>, time: bool) -> String {
    match v {
        None => "–".to_string(),
        Some(s) if time => {
            if s.median >= 100.0 {
                format!("{:.0}", s.median)
            } else {
                format!("{:.2}", s.median)
            }
        }
        Some(s) => format!("{:.1}k", s.median / 1000.0),
    }
}

/// `±2.1%`, or `exact` for a single count.
pub fn spread(v: Option<Stat>) -> String {
    match v {
        None => "–".to_string(),
        Some(s) if s.low == s.high => "±0".to_string(),
        Some(s) => format!("±{:.1}%", s.spread() * 100.0),
    }
}

/// A ratio with its spread: `1.04 ±0.8%`.
pub fn ratio(v: Option<Stat>) -> String {
    match v {
        None => "–".to_string(),
        Some(s) if s.low == s.high => format!("{:.3}", s.median),
        Some(s) => format!("{:.2} ±{:.1}%", s.median, s.spread() * 100.0),
    }
}

/// A simple table: header, rows, rendered as aligned text or Markdown.
pub struct Table {
    /// Title.
    pub title: String,
    /// Column names; a name ending in `>` is right-aligned (the `>` is dropped).
    pub columns: Vec<String>,
    /// Cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    fn new(title: &str, columns: &[&str]) -> Self {
        Self {
            title: title.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    fn right(&self, i: usize) -> bool {
        self.columns.get(i).is_some_and(|c| c.ends_with('>'))
    }

    fn name(&self, i: usize) -> &str {
        self.columns[i].trim_end_matches('>')
    }

    /// Writes the table as aligned text.
    pub fn text(&self, out: &mut dyn Write) -> CliResult {
        let n = self.columns.len();
        let mut w: Vec<usize> = (0..n).map(|i| self.name(i).chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(c.chars().count());
            }
        }
        writeln!(out, "\n## {}\n", self.title)?;
        let line = |cells: Vec<&str>, out: &mut dyn Write| -> CliResult {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                let pad = w[i].saturating_sub(c.chars().count());
                if i > 0 {
                    s.push_str("  ");
                }
                if self.right(i) {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    if i + 1 < cells.len() {
                        s.push_str(&" ".repeat(pad));
                    }
                }
            }
            writeln!(out, "{}", s.trim_end())?;
            Ok(())
        };
        line((0..n).map(|i| self.name(i)).collect(), out)?;
        for r in &self.rows {
            line(r.iter().map(String::as_str).collect(), out)?;
        }
        Ok(())
    }

    /// Writes the table as Markdown.
    pub fn markdown(&self, out: &mut dyn Write) -> CliResult {
        let n = self.columns.len();
        writeln!(out, "\n### {}\n", self.title)?;
        let names: Vec<&str> = (0..n).map(|i| self.name(i)).collect();
        writeln!(out, "| {} |", names.join(" | "))?;
        let seps: Vec<&str> = (0..n)
            .map(|i| if self.right(i) { "---:" } else { "---" })
            .collect();
        writeln!(out, "|{}|", seps.join("|"))?;
        for r in &self.rows {
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i == 0 {
                        format!("`{c}`")
                    } else {
                        c.replace('|', "\\|")
                    }
                })
                .collect();
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        Ok(())
    }
}

/// The tables of a report.
pub fn tables(r: &Report) -> Vec<Table> {
    let time = r.is_time();
    let unit = if time { "µs" } else { "instr" };
    let mut out = Vec::new();
    if !r.primitives.is_empty() {
        let mut t = Table::new(
            &format!(
                "primitives (every backend; × default = paired ratio to the default backend; {unit} per operation)"
            ),
            &[
                "algorithm@backend",
                "op",
                &format!("{unit}>"),
                "spread>",
                "× default>",
                "bytes",
            ],
        );
        for p in &r.primitives {
            let mark = if p.default { " *" } else { "" };
            t.rows.push(vec![
                format!("{}@{}{mark}", p.algorithm, p.backend),
                p.op.clone(),
                value(p.value, time),
                spread(p.value),
                if p.default {
                    "1".to_string()
                } else {
                    ratio(p.to_default)
                },
                p.bytes.clone(),
            ]);
        }
        out.push(t);
    }
    for kind in ["handshake", "ratchet", "single-shot"] {
        let rows: Vec<&RowJson> = r.rows.iter().filter(|x| x.kind == kind).collect();
        if rows.is_empty() {
            continue;
        }
        let mut t = Table::new(
            &format!(
                "{kind}s on the {} backends ({unit}; × = twofold / floor, paired; floor = the same primitive calls alone, fastest = each call on its fastest backend)",
                r.provider
            ),
            &[
                kind,
                "op",
                &format!("{unit}>"),
                "spread>",
                &format!("floor {unit}>"),
                "× floor>",
                &format!("fastest {unit}>"),
                "× fastest>",
                "bytes/msg>",
                "bytes>",
                "state>",
            ],
        );
        for x in &rows {
            let v = |i: usize| x.contenders.get(i).and_then(|c| c.value);
            t.rows.push(vec![
                x.subject.clone(),
                x.op.clone(),
                value(v(0), time),
                spread(v(0)),
                value(v(1), time),
                ratio(x.ratio_floor),
                value(v(2), time),
                ratio(x.ratio_fastest),
                message_sizes(&x.messages),
                x.wire_bytes.to_string(),
                x.state_bytes.map_or("–".to_string(), |s| s.to_string()),
            ]);
        }
        out.push(t);
    }
    let peers: Vec<&RowJson> = r.rows.iter().filter(|x| !x.peers.is_empty()).collect();
    if !peers.is_empty() {
        let mut t = Table::new(
            &format!(
                "peers in the same run (peer / twofold, paired; > 1: twofold is faster; {unit})"
            ),
            &[
                "subject",
                "contender",
                &format!("{unit}>"),
                "spread>",
                "contender / twofold>",
            ],
        );
        for x in peers {
            let base = x.contenders.first().and_then(|c| c.value);
            t.rows.push(vec![
                x.subject.clone(),
                "twofold".to_string(),
                value(base, time),
                spread(base),
                "1".to_string(),
            ]);
            for c in x.contenders.iter().skip(3) {
                t.rows.push(vec![
                    x.subject.clone(),
                    c.label.clone(),
                    value(c.value, time),
                    spread(c.value),
                    ratio(x.peers.get(&c.label).copied()),
                ]);
            }
        }
        out.push(t);
    }
    if !r.provider_choices.is_empty() {
        let mut t = Table::new(
            "--provider fastest: the backend each bare name selected",
            &["algorithm", "fastest", "default"],
        );
        for c in &r.provider_choices {
            t.rows.push(vec![
                c.algorithm.clone(),
                c.backend.clone(),
                c.default.clone(),
            ]);
        }
        out.push(t);
    }
    out
}

fn footer(r: &Report) -> String {
    format!(
        "{}; {} on {} ({} cores), {:.0} s in all",
        r.method.description, r.twofold, r.machine.cpu, r.machine.cores, r.wall_seconds
    )
}

/// Writes the report as text tables.
pub fn write_table(r: &Report, out: &mut dyn Write) -> CliResult {
    for t in tables(r) {
        t.text(out)?;
    }
    writeln!(out, "\n{}", footer(r))?;
    Ok(())
}

/// Writes the report as Markdown.
pub fn write_markdown(r: &Report, out: &mut dyn Write) -> CliResult {
    writeln!(out, "# twofold bench")?;
    for t in tables(r) {
        t.markdown(out)?;
    }
    writeln!(out, "\n{}", footer(r))?;
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x}"))
}

/// Writes the report as one CSV table: a line per primitive backend and
/// operation, and a line per row and contender.
pub fn write_csv(r: &Report, out: &mut dyn Write) -> CliResult {
    writeln!(
        out,
        "table,kind,subject,op,contender,median,low,high,unit,ratio_name,ratio,ratio_low,ratio_high,wire_bytes"
    )?;
    let unit = &r.method.unit;
    let line = |cells: &[String], out: &mut dyn Write| -> CliResult {
        let c: Vec<String> = cells.iter().map(|s| csv_field(s)).collect();
        writeln!(out, "{}", c.join(","))?;
        Ok(())
    };
    for p in &r.primitives {
        line(
            &[
                "primitive".into(),
                p.family.clone(),
                format!("{}@{}", p.algorithm, p.backend),
                p.op.clone(),
                p.backend.clone(),
                num(p.value.map(|v| v.median)),
                num(p.value.map(|v| v.low)),
                num(p.value.map(|v| v.high)),
                unit.clone(),
                "backend/default".into(),
                num(p.to_default.map(|v| v.median)),
                num(p.to_default.map(|v| v.low)),
                num(p.to_default.map(|v| v.high)),
                String::new(),
            ],
            out,
        )?;
    }
    for x in &r.rows {
        for (i, c) in x.contenders.iter().enumerate() {
            let (name, rt) = match i {
                0 => ("", None),
                1 | 2 => ("twofold/contender", c.twofold_over),
                _ => ("contender/twofold", x.peers.get(&c.label).copied()),
            };
            line(
                &[
                    x.kind.clone(),
                    x.kind.clone(),
                    x.subject.clone(),
                    x.op.clone(),
                    c.label.clone(),
                    num(c.value.map(|v| v.median)),
                    num(c.value.map(|v| v.low)),
                    num(c.value.map(|v| v.high)),
                    unit.clone(),
                    name.into(),
                    num(rt.map(|v| v.median)),
                    num(rt.map(|v| v.low)),
                    num(rt.map(|v| v.high)),
                    x.wire_bytes.to_string(),
                ],
                out,
            )?;
        }
    }
    Ok(())
}

/// Writes the report as JSON.
pub fn write_json(r: &Report, out: &mut dyn Write) -> CliResult {
    serde_json::to_writer_pretty(&mut *out, r)?;
    writeln!(out)?;
    Ok(())
}

/// Writes the report in `format`.
pub fn write(r: &Report, format: BenchFormat, out: &mut dyn Write) -> CliResult {
    match format {
        BenchFormat::Table => write_table(r, out),
        BenchFormat::Md => write_markdown(r, out),
        BenchFormat::Csv => write_csv(r, out),
        BenchFormat::Json => write_json(r, out),
    }
}

/// Each message's size (`96+48+64`), or for long runs (a ratchet epoch)
/// their mean and count (`164.1 x 88`), which the JSON keeps whole.
fn message_sizes(m: &[usize]) -> String {
    if m.len() <= 4 {
        return m
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join("+");
    }
    let mean = m.iter().sum::<usize>() as f64 / m.len() as f64;
    format!("{mean:.1} x {}", m.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn stats_render() {
        let s = Stat {
            median: 1.04,
            low: 1.03,
            high: 1.05,
        };
        assert_eq!(ratio(Some(s)), "1.04 ±1.0%");
        assert_eq!(ratio(None), "–");
        let c = Stat {
            median: 123456.0,
            low: 123456.0,
            high: 123456.0,
        };
        assert_eq!(value(Some(c), false), "123.5k");
        assert_eq!(spread(Some(c)), "±0");
        assert!(Stat::from(Summary::of(&[]), 1.0).is_none());
    }

    #[test]
    fn tables_align_and_mark_down() {
        let mut t = Table::new("t", &["a", "b>"]);
        t.rows.push(vec!["x".into(), "1".into()]);
        t.rows.push(vec!["longer".into(), "22".into()]);
        let mut o = Vec::new();
        t.text(&mut o).unwrap();
        let s = String::from_utf8(o).unwrap();
        assert!(s.contains("a        b\nx        1\nlonger  22\n"), "{s}");
        let mut o = Vec::new();
        t.markdown(&mut o).unwrap();
        let s = String::from_utf8(o).unwrap();
        assert!(s.contains("| a | b |\n|---|---:|\n| `x` | 1 |"), "{s}");
    }
}
