//! Writes the seed corpus of every fuzz target to `fuzz/corpus/<target>/`
//! (`seed-NN` files; what the fuzzer adds is left alone).
//!
//! `cargo run -p twofold-testkit --example seed_corpus`

use std::path::Path;

use twofold_testkit::corpus::seeds;
use twofold_testkit::targets::TARGETS;

fn main() -> std::io::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    for t in TARGETS {
        let dir = root.join(t.name);
        std::fs::create_dir_all(&dir)?;
        let s = seeds(t.name);
        for (i, seed) in s.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:02}")), seed)?;
        }
        println!("{}: {} seeds", t.name, s.len());
    }
    Ok(())
}
