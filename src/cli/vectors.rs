//! `twofold vectors`: write the interop test vectors, or check files by
//! recomputing every value from their inputs.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use twofold_vectors as vectors;

use super::CliResult;

/// Arguments of `twofold vectors`.
#[derive(Args, Debug)]
pub struct VectorsArgs {
    #[command(subcommand)]
    command: VectorsCommand,
}

#[derive(Subcommand, Debug)]
enum VectorsCommand {
    /// Write vector files (the default set without --suite).
    Generate {
        /// A suite or primitive (repeatable), e.g. `X-Wing`,
        /// `PQXDH_signal_X25519_SHA-256_Kyber1024`,
        /// `Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256`,
        /// `TripleRatchet_signal_X25519_SHA-256`.
        #[arg(long)]
        suite: Vec<String>,
        /// Seed (hex) of the stream the inputs are drawn from.
        #[arg(long, default_value = "00")]
        seed: String,
        /// Folder to write into (files go to primitives/, prekey/, noise/,
        /// conversation/).
        #[arg(long)]
        out: PathBuf,
    },
    /// Recompute every value of each file (or of every .json file below a
    /// folder) from its inputs and report each difference by its JSON path.
    Verify {
        /// Files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

/// Mismatch lines printed per file before the rest are counted.
const MAX_LINES: usize = 40;

/// Every vector file below `p` (the JSON Schema beside them excluded).
fn files(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            if e.is_dir() {
                files(&e, out)?;
            } else if e.extension().is_some_and(|x| x == "json")
                && !e.to_string_lossy().ends_with(".schema.json")
            {
                out.push(e);
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

/// Runs `twofold vectors`.
pub fn run(args: &VectorsArgs, out: &mut dyn Write) -> CliResult {
    match &args.command {
        VectorsCommand::Generate {
            suite,
            seed,
            out: dir,
        } => {
            let seed = hex::decode(seed).map_err(|e| format!("--seed must be hex: {e}"))?;
            let written = vectors::write_set(dir, suite, &seed)?;
            let total: usize = written.iter().map(|(_, n)| n).sum();
            for (file, size) in &written {
                writeln!(out, "{size:>9}  {}", dir.join(file).display())?;
            }
            writeln!(out, "{total:>9}  in {} files", written.len())?;
            Ok(())
        }
        VectorsCommand::Verify { paths } => {
            let mut all = Vec::new();
            for p in paths {
                files(p, &mut all).map_err(|e| format!("{}: {e}", p.display()))?;
            }
            let mut failed = 0usize;
            for f in &all {
                let outcome = std::fs::read_to_string(f)
                    .map_err(|e| vectors::VectorError::Io {
                        path: f.display().to_string(),
                        source: e,
                    })
                    .and_then(|text| vectors::verify(&text));
                match outcome {
                    Ok(r) if r.ok() => writeln!(
                        out,
                        "ok    {}  ({} {}: {} vectors, {} values recomputed)",
                        f.display(),
                        r.kind,
                        r.suite,
                        r.vectors,
                        r.checked
                    )?,
                    Ok(r) => {
                        failed += 1;
                        writeln!(
                            out,
                            "FAIL  {}  ({} {}: {} of {} values differ)",
                            f.display(),
                            r.kind,
                            r.suite,
                            r.mismatches.len(),
                            r.checked
                        )?;
                        for m in r.mismatches.iter().take(MAX_LINES) {
                            writeln!(out, "      {m}")?;
                        }
                        if r.mismatches.len() > MAX_LINES {
                            writeln!(out, "      ... and {} more", r.mismatches.len() - MAX_LINES)?;
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        writeln!(out, "ERROR {}: {e}", f.display())?;
                    }
                }
            }
            writeln!(
                out,
                "verified {} files: {} ok, {failed} failing",
                all.len(),
                all.len() - failed
            )?;
            if failed > 0 {
                return Err(
                    format!("{failed} of {} vector files did not verify", all.len()).into(),
                );
            }
            Ok(())
        }
    }
}
