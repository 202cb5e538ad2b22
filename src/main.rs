//! `tumorscope`: organize, view and measure CT datasets from one command.
//!
//! `main` parses arguments, dispatches to one `cmd/<subcommand>.rs`, and maps the outcome to
//! the exit status: 0 everything was read, 1 something was skipped, 2 fatal error.

// Only the binary prints; the libraries return values.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;
mod ui;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Organize, view and measure CT datasets (DICOM folders, zips inside zips, NIfTI).
#[derive(Debug, Parser)]
#[command(name = "tumorscope", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// More detail on stderr (repeat for debug output).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// No progress bars.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    Scan(cmd::scan::Args),
    Organize(cmd::organize::Args),
    Metadata(cmd::metadata::Args),
    Analyze(cmd::analyze::Args),
    Render(cmd::render::Args),
    Export(cmd::export::Args),
    View(cmd::view::Args),
    Demo(cmd::demo::Args),
}

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was read.
    Complete,
    /// The command finished but skipped something (reported on stderr).
    Skipped,
}

impl Outcome {
    /// `Skipped` when anything was skipped, else `Complete`.
    pub fn of<T>(skipped: &[T]) -> Self {
        if skipped.is_empty() {
            Self::Complete
        } else {
            Self::Skipped
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    ui::init_tracing(cli.verbose);
    let ui = ui::Ui { quiet: cli.quiet };
    let result = match cli.command {
        Command::Scan(args) => cmd::scan::execute(args, &ui),
        Command::Organize(args) => cmd::organize::execute(args, &ui),
        Command::Metadata(args) => cmd::metadata::execute(args, &ui),
        Command::Analyze(args) => cmd::analyze::execute(args, &ui),
        Command::Render(args) => cmd::render::execute(args, &ui),
        Command::Export(args) => cmd::export::execute(args, &ui),
        Command::View(args) => cmd::view::execute(args, &ui),
        Command::Demo(args) => cmd::demo::execute(args, &ui),
    };
    match result {
        Ok(Outcome::Complete) => ExitCode::SUCCESS,
        Ok(Outcome::Skipped) => ExitCode::from(1),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// A closed pipe (`tumorscope metadata … | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
