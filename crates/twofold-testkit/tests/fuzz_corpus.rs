//! The fuzz targets on the stable toolchain: every committed corpus file
//! (seeds, and inputs that once crashed a target) runs through its target's
//! body, and the lists of targets agree (`targets::TARGETS`, the files of
//! `fuzz/fuzz_targets/`, the `[[bin]]` entries of `fuzz/Cargo.toml`, the
//! corpus directories, and the seeds the corpus module makes).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use twofold_testkit::corpus::seeds;
use twofold_testkit::targets::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

#[test]
fn every_target_has_a_file_a_bin_entry_and_a_corpus() {
    let listed: BTreeSet<String> = TARGETS.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(listed.len(), TARGETS.len(), "a target is listed twice");
    let files: BTreeSet<String> = names_in(&fuzz_dir().join("fuzz_targets"))
        .into_iter()
        .filter_map(|f| f.strip_suffix(".rs").map(str::to_string))
        .collect();
    assert_eq!(files, listed, "fuzz/fuzz_targets/*.rs against TARGETS");
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for t in &listed {
        assert!(
            manifest.contains(&format!("name = \"{t}\"\npath = \"fuzz_targets/{t}.rs\"")),
            "fuzz/Cargo.toml has no [[bin]] for {t}"
        );
        let body =
            std::fs::read_to_string(fuzz_dir().join(format!("fuzz_targets/{t}.rs"))).unwrap();
        assert!(
            body.contains(&format!("by_name(\"{t}\")")),
            "fuzz_targets/{t}.rs does not run the body of {t}"
        );
    }
    let corpora = names_in(&fuzz_dir().join("corpus"));
    assert_eq!(corpora, listed, "fuzz/corpus/* against TARGETS");
}

#[test]
fn committed_seeds_are_the_seeds_the_corpus_module_makes() {
    for t in TARGETS {
        let s = seeds(t.name);
        assert!(!s.is_empty(), "{} has no seeds", t.name);
        for (i, seed) in s.iter().enumerate() {
            let path = fuzz_dir().join(format!("corpus/{}/seed-{i:02}", t.name));
            let committed = std::fs::read(&path).unwrap_or_else(|e| {
                panic!("{}: {e} (run the seed_corpus example)", path.display())
            });
            assert!(
                committed == *seed,
                "{} differs from its seed",
                path.display()
            );
        }
    }
}

#[test]
fn every_corpus_file_runs_through_its_target() {
    let mut total = 0;
    for t in TARGETS {
        let dir = fuzz_dir().join("corpus").join(t.name);
        for f in names_in(&dir) {
            let data = std::fs::read(dir.join(&f)).unwrap();
            (t.run)(&data);
            total += 1;
        }
    }
    assert!(total >= TARGETS.len(), "only {total} corpus files");
}
