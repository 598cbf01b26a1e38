//! `twofold list`: every primitive with its backend, sizes, coins and default flag.

use std::io::Write;

use super::{CliResult, Format};
use serde_json::{Value, json};
use twofold::harness::handshakes as suite;
use twofold::primitives::registry::{Entry, registry};

fn size(v: Option<usize>) -> String {
    v.map_or_else(|| "-".to_string(), |n| n.to_string())
}

fn entry_json(e: &Entry) -> Value {
    let s = &e.sizes;
    let mut sizes = serde_json::Map::new();
    for (k, v) in [
        ("pk", s.pk),
        ("sk", s.sk),
        ("ct", s.ct),
        ("sig", s.sig),
        ("ss", s.ss),
        ("key", s.key),
        ("nonce", s.nonce),
        ("tag", s.tag),
    ] {
        if let Some(v) = v {
            sizes.insert(k.to_string(), json!(v));
        }
    }
    json!({
        "family": e.family.as_str(),
        "algorithm": e.name,
        "backend": e.backend,
        "id": e.id(),
        "sizes": sizes,
        "explicit_coins": e.takes_coins,
        "default": e.is_default,
    })
}

/// Prints the registry.
pub fn run(format: Format, out: &mut dyn Write) -> CliResult {
    let entries = registry().entries();
    match format {
        Format::Json => {
            let doc = json!({
                "primitives": entries.iter().map(entry_json).collect::<Vec<_>>(),
                "handshake_suites": suite::suites(),
                "ratchet_suites": twofold::harness::ratchets::SUITES,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => {
            writeln!(
                out,
                "{:<10} {:<36} {:>6} {:>6} {:>7} {:>4}  {:<5} {:<7}",
                "family", "algorithm@backend", "pk", "sk", "ct/sig", "ss", "coins", "default"
            )?;
            for e in &entries {
                let s = &e.sizes;
                // AEAD rows show key/nonce/tag in the pk/sk/ct columns' place.
                let (a, b, c, d) = if s.key.is_some() {
                    (
                        format!("k{}", size(s.key)),
                        format!("n{}", size(s.nonce)),
                        format!("t{}", size(s.tag)),
                        "-".to_string(),
                    )
                } else {
                    (size(s.pk), size(s.sk), size(s.ct.or(s.sig)), size(s.ss))
                };
                writeln!(
                    out,
                    "{:<10} {:<36} {:>6} {:>6} {:>7} {:>4}  {:<5} {:<7}",
                    e.family.as_str(),
                    e.id(),
                    a,
                    b,
                    c,
                    d,
                    if e.takes_coins { "yes" } else { "no" },
                    if e.is_default { "*" } else { "" }
                )?;
            }
            writeln!(out, "\nhandshake suites (twofold handshake --suite SUITE):")?;
            for s in suite::suites() {
                writeln!(out, "  {s}")?;
            }
            writeln!(out, "\nratchet suites (twofold ratchet --suite SUITE):")?;
            for s in twofold::harness::ratchets::SUITES {
                writeln!(out, "  {s}")?;
            }
        }
    }
    Ok(())
}
