//! `--baseline FILE.json`: this run against an earlier report.
//!
//! Rows are matched by kind, subject and operation (primitives by
//! algorithm, backend and operation). A change is marked when the 95%
//! intervals of the two medians are disjoint: beyond the noise measured in
//! either run. Absolute times also move with the machine between runs
//! (tens of percent on a shared one); the paired ratios to the floor do
//! not, which is why both are shown.

use std::fmt;
use std::path::{Path, PathBuf};

use super::report::{FORMAT, Report, Stat, Table, VERSION};

/// A baseline file that cannot be used.
#[derive(Debug)]
pub enum BaselineError {
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a report's JSON.
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The file is JSON of another kind or version.
    Format {
        /// The file.
        path: PathBuf,
        /// What it says it is.
        found: String,
    },
    /// Instruction counts cannot be compared with times.
    Meter {
        /// The file.
        path: PathBuf,
        /// The baseline's unit.
        theirs: String,
        /// This run's unit.
        ours: String,
    },
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { path, source } => {
                write!(f, "cannot read baseline {}: {source}", path.display())
            }
            Self::Parse { path, source } => write!(
                f,
                "baseline {} is not a `twofold bench --format json` report: {source}",
                path.display()
            ),
            Self::Format { path, found } => write!(
                f,
                "baseline {} is {found}, not a {FORMAT} report of version {VERSION}",
                path.display()
            ),
            Self::Meter { path, theirs, ours } => write!(
                f,
                "baseline {} counts {theirs} and this run {ours}: run both with or both \
                 without --instructions",
                path.display()
            ),
        }
    }
}

impl std::error::Error for BaselineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Read { source, .. } => Some(source),
            Self::Parse { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Reads a baseline report.
pub fn load(path: &Path) -> Result<Report, BaselineError> {
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

fn parse(text: &str, path: &Path) -> Result<Report, BaselineError> {
    // The format and version are checked first, so that another JSON file
    // gets a clearer message than a missing field.
    let head: serde_json::Value =
        serde_json::from_str(text).map_err(|source| BaselineError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
    let format = head.get("format").and_then(|v| v.as_str());
    let version = head.get("version").and_then(|v| v.as_u64());
    if format != Some(FORMAT) || version != Some(u64::from(VERSION)) {
        return Err(BaselineError::Format {
            path: path.to_path_buf(),
            found: match (format, version) {
                (Some(f), Some(v)) => format!("{f} version {v}"),
                (Some(f), None) => format!("{f} without a version"),
                _ => "JSON without a \"format\" field".to_string(),
            },
        });
    }
    serde_json::from_value(head).map_err(|source| BaselineError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// Checks that `old` can be compared with `new`.
pub fn check(old: &Report, new: &Report, path: &Path) -> Result<(), BaselineError> {
    if old.method.unit != new.method.unit {
        return Err(BaselineError::Meter {
            path: path.to_path_buf(),
            theirs: old.method.unit.clone(),
            ours: new.method.unit.clone(),
        });
    }
    Ok(())
}

fn change(old: Option<Stat>, new: Option<Stat>) -> (String, String) {
    match (old, new) {
        (Some(o), Some(n)) if o.median != 0.0 => {
            let r = n.median / o.median;
            let mark = if !n.differs(&o) {
                ""
            } else if r > 1.0 {
                "▲ higher"
            } else {
                "▼ lower"
            };
            (format!("{r:.3}"), mark.to_string())
        }
        _ => ("–".to_string(), String::new()),
    }
}

fn fmt(v: Option<Stat>) -> String {
    v.map_or("–".to_string(), |s| {
        if s.median >= 100.0 {
            format!("{:.0}", s.median)
        } else {
            format!("{:.3}", s.median)
        }
    })
}

/// The comparison tables.
pub fn compare(old: &Report, new: &Report) -> Vec<Table> {
    let mut rows = Table {
        title: "against the baseline (new / old; ▲ ▼ where the 95% intervals of the two medians \
                are disjoint; × floor is paired within each run)"
            .to_string(),
        columns: [
            "subject",
            "op",
            "old>",
            "new>",
            "new / old>",
            "change",
            "old × floor>",
            "new × floor>",
            "change",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: Vec::new(),
    };
    for n in &new.rows {
        let Some(o) = old
            .rows
            .iter()
            .find(|o| o.kind == n.kind && o.subject == n.subject && o.op == n.op)
        else {
            continue;
        };
        let v = |r: &super::report::RowJson| r.contenders.first().and_then(|c| c.value);
        let (r, mark) = change(v(o), v(n));
        let (_, fmark) = change(o.ratio_floor, n.ratio_floor);
        rows.rows.push(vec![
            n.subject.clone(),
            n.op.clone(),
            fmt(v(o)),
            fmt(v(n)),
            r,
            mark,
            fmt(o.ratio_floor),
            fmt(n.ratio_floor),
            fmark,
        ]);
    }
    let mut prims = Table {
        title: "primitives against the baseline".to_string(),
        columns: [
            "algorithm@backend",
            "op",
            "old>",
            "new>",
            "new / old>",
            "change",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: Vec::new(),
    };
    for n in &new.primitives {
        let Some(o) = old
            .primitives
            .iter()
            .find(|o| o.algorithm == n.algorithm && o.backend == n.backend && o.op == n.op)
        else {
            continue;
        };
        let (r, mark) = change(o.value, n.value);
        prims.rows.push(vec![
            format!("{}@{}", n.algorithm, n.backend),
            n.op.clone(),
            fmt(o.value),
            fmt(n.value),
            r,
            mark,
        ]);
    }
    [prims, rows]
        .into_iter()
        .filter(|t| !t.rows.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_baselines_are_typed_errors() {
        let p = Path::new("b.json");
        let e = parse("{not json", p).unwrap_err();
        assert!(matches!(e, BaselineError::Parse { .. }));
        assert!(e.to_string().contains("b.json"), "{e}");
        let e = parse("[1, 2]", p).unwrap_err();
        assert!(e.to_string().contains("without a \"format\""), "{e}");
        let e = parse(r#"{"format": "twofold-trace", "version": 1}"#, p).unwrap_err();
        assert!(e.to_string().contains("twofold-trace version 1"), "{e}");
        let e = parse(r#"{"format": "twofold-bench", "version": 1}"#, p).unwrap_err();
        assert!(matches!(e, BaselineError::Parse { .. }), "{e}");
        let e = load(Path::new("/nonexistent/b.json")).unwrap_err();
        assert!(matches!(e, BaselineError::Read { .. }));
    }

    #[test]
    fn changes_are_marked_only_beyond_the_intervals() {
        let s = |m: f64, w: f64| {
            Some(Stat {
                median: m,
                low: m - w,
                high: m + w,
            })
        };
        assert_eq!(change(s(10.0, 0.5), s(10.4, 0.5)).1, "");
        assert_eq!(change(s(10.0, 0.5), s(12.0, 0.5)).1, "▲ higher");
        assert_eq!(change(s(10.0, 0.5), s(8.0, 0.5)).1, "▼ lower");
        assert_eq!(change(None, s(1.0, 0.0)).0, "–");
    }
}
