//! `twofold ratchet`: a conversation between two sessions of a ratchet
//! suite, over a channel that may lose and reorder messages, and its cost.

use std::io::Write;
use std::sync::Arc;

use clap::Args;
use serde_json::json;
use twofold::core::{CryptoRng, Off, OsRng, Resolver, ShakeRng};
use twofold::harness::ratchets::{self, Conversation, Delivery, Pair, Pattern, Report};
use twofold::primitives::registry::REGISTRY;

use super::{CliResult, Format};

/// Arguments of `twofold ratchet`.
#[derive(Args, Debug)]
pub struct RatchetArgs {
    /// The ratchet suite, e.g. `TripleRatchet_signal_X25519_SHA-256` (see
    /// `twofold list`).
    #[arg(long)]
    pub suite: String,
    /// The handshake to start from (default: the suite's own, e.g. PQXDH for
    /// the Triple Ratchet).
    #[arg(long)]
    pub handshake: Option<String>,
    /// Messages to send.
    #[arg(long, default_value_t = 1000)]
    pub messages: u64,
    /// Who sends: `pingpong`, `burst` (turns of 10), `burstN`, `oneway`,
    /// `randomP` (the turn passes with probability P), or `lossy` (random
    /// turns, loss 0.1 unless --loss says otherwise, reordering).
    #[arg(long, default_value = "pingpong")]
    pub pattern: String,
    /// Probability that a message is lost.
    #[arg(long)]
    pub loss: Option<f64>,
    /// Deliver what waits for a party in random order.
    #[arg(long)]
    pub reorder: bool,
    /// Plaintext bytes per message.
    #[arg(long, default_value_t = 64)]
    pub size: usize,
    /// Serialize and reload both sessions every N messages.
    #[arg(long)]
    pub reload_every: Option<u64>,
    /// Seed (hex) of the protocol's and the channel's random streams;
    /// without it, OS randomness for both.
    #[arg(long)]
    pub seed: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The conversation the arguments describe.
fn conversation(args: &RatchetArgs) -> Result<Conversation, String> {
    let (pattern, loss, reorder) = match args.pattern.as_str() {
        "lossy" => (Pattern::Random(0.5), args.loss.unwrap_or(0.1), true),
        "burst" => (Pattern::Bursts(10), args.loss.unwrap_or(0.0), args.reorder),
        p => (
            Pattern::parse(p).ok_or_else(|| {
                format!(
                    "--pattern {p:?}: expected pingpong, burst, burstN, oneway, randomP or lossy"
                )
            })?,
            args.loss.unwrap_or(0.0),
            args.reorder,
        ),
    };
    if !(0.0..1.0).contains(&loss) {
        return Err(format!("--loss {loss}: a probability in [0, 1)"));
    }
    if args.size > twofold::ratchet::labels::MAX_PLAINTEXT_LEN {
        return Err(format!(
            "--size {}: at most {} bytes",
            args.size,
            twofold::ratchet::labels::MAX_PLAINTEXT_LEN
        ));
    }
    Ok(Conversation {
        messages: args.messages,
        pattern,
        delivery: Delivery { loss, reorder },
        plaintext_len: args.size,
        reload_every: args.reload_every,
        ..Conversation::default()
    })
}

fn report_json(r: &Report, c: &Conversation, seed: Option<&str>) -> serde_json::Value {
    json!({
        "suite": r.suite,
        "handshake": r.handshake,
        "handshake_bytes": r.handshake_bytes,
        "seed": seed,
        "pattern": c.pattern.to_string(),
        "loss": c.delivery.loss,
        "reorder": c.delivery.reorder,
        "plaintext_bytes": c.plaintext_len,
        "sent": r.sent,
        "delivered": r.delivered,
        "lost": r.lost,
        "wire_bytes": r.wire_bytes,
        "bytes_per_message_mean": r.bytes_per_message(),
        "bytes_per_message_max": r.max_message,
        "overhead_per_message_mean": r.overhead_mean,
        "epochs": r.epochs,
        "pq_epochs": r.pq_epochs,
        "sparse_epochs": r.sparse_epochs,
        "first_pq_message": r.first_pq_message,
        "max_skipped_keys": r.max_skipped_keys,
        "max_state_bytes": r.max_state_bytes,
        "final_state_bytes": r.final_state_bytes,
        "reloads": r.reloads,
        "encrypt_ns_median": r.encrypt_ns_median,
        "decrypt_ns_median": r.decrypt_ns_median,
    })
}

fn print_report(r: &Report, c: &Conversation, out: &mut dyn Write) -> CliResult {
    let row = |out: &mut dyn Write, k: &str, v: String| writeln!(out, "  {k:<28} {v}");
    writeln!(out, "suite      {}", r.suite)?;
    writeln!(
        out,
        "handshake  {} ({} bytes on its own)",
        r.handshake, r.handshake_bytes
    )?;
    writeln!(
        out,
        "channel    {} messages of {} bytes, {}, loss {}{}\n",
        c.messages,
        c.plaintext_len,
        c.pattern,
        c.delivery.loss,
        if c.delivery.reorder {
            ", reordered"
        } else {
            ""
        }
    )?;
    row(
        out,
        "sent / delivered / lost",
        format!("{} / {} / {}", r.sent, r.delivered, r.lost),
    )?;
    row(
        out,
        "bytes per message",
        format!(
            "mean {:.1}, max {} (overhead mean {:.1})",
            r.bytes_per_message(),
            r.max_message,
            r.overhead_mean
        ),
    )?;
    row(out, "CKA epochs", r.epochs.to_string())?;
    row(out, "KEM-keyed epochs", r.pq_epochs.to_string())?;
    row(out, "sparse PQ epochs (both)", r.sparse_epochs.to_string())?;
    row(
        out,
        "first PQ-keyed message",
        r.first_pq_message
            .map_or("none".to_string(), |m| format!("#{m}")),
    )?;
    row(
        out,
        "skipped keys held (max)",
        r.max_skipped_keys.to_string(),
    )?;
    row(
        out,
        "state bytes",
        format!(
            "max {}, final {} / {}",
            r.max_state_bytes, r.final_state_bytes[0], r.final_state_bytes[1]
        ),
    )?;
    if r.reloads > 0 {
        row(out, "reloads", r.reloads.to_string())?;
    }
    row(
        out,
        "time per message (median)",
        format!(
            "encrypt {:.1} µs, decrypt {:.1} µs (one run; `twofold bench` measures)",
            r.encrypt_ns_median as f64 / 1e3,
            r.decrypt_ns_median as f64 / 1e3
        ),
    )?;
    Ok(())
}

/// Plays the conversation and prints its report.
pub fn run(args: &RatchetArgs, out: &mut dyn Write) -> CliResult {
    let c = conversation(args)?;
    let (mut protocol, mut channel): (Box<dyn CryptoRng>, Box<dyn CryptoRng>) = match &args.seed {
        Some(h) => {
            let seed = hex::decode(h).map_err(|e| format!("--seed must be hex: {e}"))?;
            (
                Box::new(ShakeRng::new(&seed)),
                Box::new(ShakeRng::new(&[&seed[..], b" channel"].concat())),
            )
        }
        None => (Box::new(OsRng), Box::new(OsRng)),
    };
    let resolver: Arc<dyn Resolver> = Arc::new(&*REGISTRY);
    let mut pair = Pair::establish(
        &args.suite,
        args.handshake.as_deref(),
        resolver,
        &mut *protocol,
        &mut Off,
    )?;
    let r = ratchets::play(&mut pair, &c, &mut *protocol, &mut *channel)?;
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report_json(&r, &c, args.seed.as_deref()))?
        )?,
        Format::Text => print_report(&r, &c, out)?,
    }
    Ok(())
}
