//! `twofold handshake`: both sides of a suite in memory, step by step.

use clap::Args;
use serde_json::json;
use twofold::core::{CryptoRng, OsRng, ShakeRng};
use twofold::suite;

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
    /// Print every intermediate value, not only step names and sizes.
    #[arg(long)]
    pub trace: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs the handshake and prints it.
pub fn run(args: &HandshakeArgs) -> CliResult {
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
    let t = suite::run(&args.suite, rng, true)?;
    if args.format == Format::Json {
        let doc = json!({
            "suite": t.suite,
            "seed": args.seed,
            "messages": t.messages.iter().map(|m| json!({"from": m.from, "name": m.name, "bytes": m.len})).collect::<Vec<_>>(),
            "wire_bytes": t.wire_bytes(),
            "steps": t.steps.iter().map(|s| {
                let mut v = json!({"party": s.party, "name": s.name, "bytes": s.value.len()});
                if args.trace {
                    v["value"] = json!(hex::encode(&s.value));
                }
                v
            }).collect::<Vec<_>>(),
            "secret_name": t.secret_name,
            "agree": t.agree(),
            "initiator_secret": args.trace.then(|| hex::encode(&t.initiator_secret)),
            "responder_secret": args.trace.then(|| hex::encode(&t.responder_secret)),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("suite    {}", t.suite);
        if let Some(s) = &args.seed {
            println!("seed     {s} (ShakeRng: SHAKE256(\"twofold rng v1\" || seed))");
        }
        println!(
            "\nsteps (spec names{}):",
            if args.trace {
                ", values in hex"
            } else {
                "; --trace shows values"
            }
        );
        for s in &t.steps {
            if args.trace {
                println!("  {:<10} {:<34} {}", s.party, s.name, hex::encode(&s.value));
            } else {
                println!(
                    "  {:<10} {:<34} {:>5} bytes",
                    s.party,
                    s.name,
                    s.value.len()
                );
            }
        }
        println!("\nmessages:");
        for (i, m) in t.messages.iter().enumerate() {
            println!(
                "  {}. {:<10} {:<40} {:>6} bytes",
                i + 1,
                m.from,
                m.name,
                m.len
            );
        }
        println!("  total on the wire: {} bytes", t.wire_bytes());
        println!(
            "\nboth sides hold the same secret ({}): {}",
            t.secret_name,
            if t.agree() { "yes" } else { "NO" }
        );
        if args.trace {
            println!("  initiator {}", hex::encode(&t.initiator_secret));
            println!("  responder {}", hex::encode(&t.responder_secret));
        }
    }
    if t.agree() {
        Ok(())
    } else {
        Err("the two sides disagree".into())
    }
}
