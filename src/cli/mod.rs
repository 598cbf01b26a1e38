//! Command-line interface: argument parsing and dispatch.

mod bench;
mod handshake;
mod list;
mod measure;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

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
    /// Measure the built-in default configuration (median microseconds per operation).
    Bench(bench::BenchArgs),
    /// Run both sides of a handshake suite in memory and show every step.
    Handshake(handshake::HandshakeArgs),
}

/// Parses the command line and runs the command; errors go to stderr.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List { format } => list::run(format),
        Command::Bench(args) => bench::run(&args),
        Command::Handshake(args) => handshake::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("twofold: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Errors of the CLI: a message for the user.
pub type CliResult = Result<(), Box<dyn std::error::Error>>;
