//! Instruction counts under callgrind, for figures that repeat exactly.
//!
//! Time on a shared machine drifts; the number of instructions a
//! deterministic computation executes does not. `twofold bench
//! --instructions` runs itself again under `valgrind --tool=callgrind` with
//! [`valgrind_args`]: collection is off except inside
//! [`twofold_counted_region`], and callgrind writes a profile each time that
//! function returns (`--dump-after`), numbered `1, 2, ...` after the file
//! name given. [`Callgrind::count`] runs one prepared batch inside the
//! region and reads the total of the profile it produced.
//!
//! (Client requests, as gungraun/iai-callgrind use, need unsafe inline
//! assembly in the measured process; gungraun also runs one benchmark per
//! valgrind process through its own runner binary. A named function and
//! callgrind's own options need neither, and keep every row of the matrix,
//! with its floors, in one process.)
//!
//! This machine type has no hardware performance counters, so this is the
//! only repeatable count available. Inputs come from seeded streams, so a
//! second run executes the same instructions; backends that draw their own
//! randomness (pqcrypto) are the exception, by a few instructions.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use super::stats::Runner;
use super::{BenchError, Result};

/// The environment variable that tells a process run under callgrind where
/// its profiles go (the `--callgrind-out-file` value).
pub const OUT_ENV: &str = "TWOFOLD_CALLGRIND_OUT";

/// The demangled path of [`twofold_counted_region`], as callgrind's
/// `--toggle-collect` and `--dump-after` must name it exactly.
pub const REGION: &str = "twofold_harness::bench::callgrind::twofold_counted_region";

/// The only code whose instructions are counted. Never inlined: callgrind
/// finds it by name.
#[inline(never)]
pub fn twofold_counted_region(r: &mut dyn Runner) -> Result<()> {
    black_box(r.run())
}

/// The valgrind arguments (before the program) that count
/// [`twofold_counted_region`] alone, one profile per call, under `out`.
pub fn valgrind_args(out: &Path) -> Vec<String> {
    vec![
        "--tool=callgrind".into(),
        "--quiet".into(),
        "--collect-atstart=no".into(),
        format!("--toggle-collect={REGION}"),
        format!("--dump-after={REGION}"),
        "--dump-instr=no".into(),
        "--dump-line=no".into(),
        "--compress-strings=yes".into(),
        format!("--callgrind-out-file={}", out.display()),
    ]
}

/// Counts instructions in a process started with [`valgrind_args`].
#[derive(Debug)]
pub struct Callgrind {
    base: PathBuf,
    dumps: usize,
}

impl Callgrind {
    /// The counter of this process, if it runs under callgrind as
    /// `twofold bench --instructions` starts it ([`OUT_ENV`] set).
    pub fn from_env() -> Option<Self> {
        std::env::var_os(OUT_ENV).map(|p| Self {
            base: PathBuf::from(p),
            dumps: 0,
        })
    }

    /// Instructions executed by `n` prepared operations of `r`.
    pub fn count(&mut self, r: &mut dyn Runner, n: usize) -> Result<u64> {
        r.prepare(n)?;
        twofold_counted_region(r)?;
        self.dumps += 1;
        let mut name = self.base.clone().into_os_string();
        name.push(format!(".{}", self.dumps));
        let path = PathBuf::from(name);
        let text = std::fs::read_to_string(&path).map_err(|e| BenchError::Io {
            what: format!(
                "reading callgrind profile {} (is this process running under \
                 `twofold bench --instructions`?)",
                path.display()
            ),
            source: e,
        })?;
        // The profiles are only read once; without removal a run would
        // leave hundreds behind.
        let _ = std::fs::remove_file(&path);
        totals(&text).ok_or_else(|| {
            BenchError::Other(format!(
                "no totals line in callgrind profile {}",
                path.display()
            ))
        })
    }
}

/// The event total of a callgrind profile (`totals:` or, in older
/// versions, `summary:`; the first event is instructions).
pub fn totals(profile: &str) -> Option<u64> {
    let field = |key: &str| {
        profile
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    field("totals:").or_else(|| field("summary:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_read_from_either_line() {
        assert_eq!(
            totals("events: Ir\nsummary: 916493\nfn=(1) x\n"),
            Some(916493)
        );
        assert_eq!(totals("summary: 3\ntotals: 450 7\n"), Some(450));
        assert_eq!(totals("events: Ir\n"), None);
        assert_eq!(totals("totals: many\n"), None);
    }

    #[test]
    fn the_region_is_named_as_its_path() {
        // callgrind matches the demangled path exactly: keep REGION in step
        // with the function's module and name.
        assert_eq!(
            module_path!().replace("::tests", ""),
            REGION.rsplit_once("::").map(|(m, _)| m).unwrap_or_default()
        );
        let args = valgrind_args(Path::new("/tmp/x"));
        assert!(args.iter().any(|a| a.ends_with("twofold_counted_region")));
    }

    #[test]
    fn counting_outside_callgrind_is_an_error() {
        let mut c = Callgrind {
            base: PathBuf::from("/nonexistent/twofold-cg"),
            dumps: 0,
        };
        let mut r = super::super::stats::runner(|| Ok(()));
        let e = c.count(r.as_mut(), 1).unwrap_err().to_string();
        assert!(e.contains("callgrind profile"), "{e}");
    }
}
