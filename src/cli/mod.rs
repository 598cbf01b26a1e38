//! Command-line interface: argument parsing and dispatch.

mod baseline;
mod bench;
mod handshake;
mod list;
mod machine;
mod plots;
mod ratchet;
mod report;
mod vectors;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// twofold: hybrid (classical + post-quantum) secure messaging, from interchangeable primitives.
#[derive(Parser, Debug)]
#[command(name = "twofold", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output format of listing and benchmark commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text table.
    #[default]
    Text,
    /// JSON document.
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List every primitive (algorithm, backend, sizes, explicit coins, default) and handshake suite.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Measure the built-in matrix: primitives on every backend, every handshake against its
    /// two floors (and, with --peers, against snow, clatter and hpke-rs), paired.
    Bench(bench::BenchArgs),
    /// Run both sides of a handshake suite in memory and show every step.
    Handshake(handshake::HandshakeArgs),
    /// Play a conversation between two sessions of a ratchet suite and report its cost.
    Ratchet(ratchet::RatchetArgs),
    /// Write interop test vectors, or verify vector files by recomputing them from their inputs.
    Vectors(vectors::VectorsArgs),
}

/// Errors of the CLI: a message for the user.
pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Whether `e` is (or wraps) a write to a closed pipe, as when the output
/// goes to `head`: the reader has what it wanted, which is no error.
fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<io::Error>()
            && io.kind() == io::ErrorKind::BrokenPipe
        {
            return true;
        }
        cur = err.source();
    }
    false
}

/// Parses the command line and runs the command; errors go to stderr.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = match cli.command {
        Command::List { format } => list::run(format, &mut out),
        Command::Bench(args) => bench::run(&args, &mut out),
        Command::Handshake(args) => handshake::run(&args, &mut out),
        Command::Ratchet(args) => ratchet::run(&args, &mut out),
        Command::Vectors(args) => vectors::run(&args, &mut out),
    }
    .and_then(|()| Ok(out.flush()?));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(e.as_ref()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("twofold: {e}");
            ExitCode::FAILURE
        }
    }
}
