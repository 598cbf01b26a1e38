//! `twofold handshake`: both sides of a suite in memory, step by step.

use std::io::Write;

use clap::Args;
use serde_json::json;
use twofold::core::observe::{Event, Kind, Trace};
use twofold::core::resolve::Observing;
use twofold::core::{CryptoRng, OsRng, Recorder, ShakeRng};
use twofold::harness::handshakes;
use twofold::primitives::registry::REGISTRY;

use super::{CliResult, Format};

/// Arguments of `twofold handshake`.
#[derive(Args, Debug)]
pub struct HandshakeArgs {
    /// The suite, e.g. `PQXDH_signal_X25519_SHA-256_Kyber1024` or
    /// `Noise_XXhfs_25519+MLKEM768_ChaChaPoly_SHA256` (see `twofold list`).
    #[arg(long)]
    pub suite: String,
    /// Seed (hex) of the deterministic random stream; without it, OS randomness.
    #[arg(long)]
    pub seed: Option<String>,
    /// Print every value (secrets included), not only names, sizes and edges.
    #[arg(long)]
    pub trace: bool,
    /// Output format: `json` prints the whole observed trace (documented in
    /// `twofold_core::observe::TraceJson`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Public => "public",
        Kind::Secret => "secret",
        Kind::Wire => "wire",
    }
}

/// The text rendering: sections, values with their inputs, draws, and a
/// count of the primitive calls.
fn print_trace(t: &Trace, values: bool, out: &mut dyn Write) -> CliResult {
    let mut calls = 0usize;
    for (seq, e) in t.events().iter().enumerate() {
        match e {
            Event::Section { party, name } => writeln!(out, "\n  [{party}] {name}")?,
            Event::Value(v) => {
                let inputs: Vec<&str> = v.inputs.iter().map(|i| i.name.as_str()).collect();
                let from = if inputs.is_empty() {
                    String::new()
                } else {
                    format!(" <- {}", inputs.join(", "))
                };
                writeln!(
                    out,
                    "  {seq:>4} {:<22} {:<6} {:>5} B  {}{from}",
                    v.name,
                    kind(v.kind),
                    v.bytes.len(),
                    v.op
                )?;
                if values {
                    writeln!(out, "       = {}", hex::encode(&v.bytes[..]))?;
                }
            }
            Event::Draw(d) => {
                writeln!(
                    out,
                    "  {seq:>4} {:<22} {:<6} {:>5} B  random draw",
                    d.purpose,
                    "coins",
                    d.bytes.len()
                )?;
                if values {
                    writeln!(out, "       = {}", hex::encode(&d.bytes[..]))?;
                }
            }
            Event::Call(_) => calls += 1,
        }
    }
    writeln!(
        out,
        "\n  {calls} primitive calls (listed with --format json)"
    )?;
    Ok(())
}

/// Runs the handshake and prints it.
pub fn run(args: &HandshakeArgs, out: &mut dyn Write) -> CliResult {
    let mut seeded;
    let mut os = OsRng;
    let rng: &mut dyn CryptoRng = match &args.seed {
        Some(h) => {
            let seed = hex::decode(h).map_err(|e| format!("--seed must be hex: {e}"))?;
            seeded = ShakeRng::new(&seed);
            &mut seeded
        }
        None => &mut os,
    };
    let rec = Recorder::new();
    let resolver = Observing::new(&*REGISTRY);
    let t = {
        let _calls = rec.capture_calls();
        handshakes::run(&args.suite, &resolver, rng, &mut rec.clone())?
    };
    let trace = rec.take();
    if args.format == Format::Json {
        let doc = json!({
            "suite": t.suite,
            "seed": args.seed,
            "messages": t.messages.iter().map(|m| json!({"from": m.from, "name": m.name, "bytes": m.len})).collect::<Vec<_>>(),
            "wire_bytes": t.wire_bytes(),
            "secret_name": t.secret_name,
            "agree": t.agree(),
            "initiator_secret": args.trace.then(|| hex::encode(&t.initiator_secret[..])),
            "responder_secret": args.trace.then(|| hex::encode(&t.responder_secret[..])),
            "trace": trace.json(args.trace),
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(out, "suite    {}", t.suite)?;
        if let Some(s) = &args.seed {
            writeln!(
                out,
                "seed     {s} (ShakeRng: SHAKE256(\"twofold rng v1\" || seed))"
            )?;
        }
        writeln!(
            out,
            "\nsteps (spec names; value <- the values it was made from{}):",
            if args.trace {
                "; values in hex"
            } else {
                "; --trace shows values"
            }
        )?;
        print_trace(&trace, args.trace, out)?;
        writeln!(out, "\nmessages:")?;
        for (i, m) in t.messages.iter().enumerate() {
            writeln!(
                out,
                "  {}. {:<10} {:<40} {:>6} bytes",
                i + 1,
                m.from,
                m.name,
                m.len
            )?;
        }
        writeln!(out, "  total on the wire: {} bytes", t.wire_bytes())?;
        writeln!(
            out,
            "\nboth sides hold the same secret ({}): {}",
            t.secret_name,
            if t.agree() { "yes" } else { "NO" }
        )?;
        if args.trace {
            writeln!(out, "  initiator {}", hex::encode(&t.initiator_secret[..]))?;
            writeln!(out, "  responder {}", hex::encode(&t.responder_secret[..]))?;
        }
    }
    if t.agree() {
        Ok(())
    } else {
        Err("the two sides disagree".into())
    }
}
