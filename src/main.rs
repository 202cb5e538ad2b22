//! `tumorscope`: organize, view and measure CT datasets from one command.
//!
//! `main` parses arguments, dispatches to one `cmd/<subcommand>.rs`, and maps the outcome to
//! the exit status ([`outcome`]): 0 done, 1 done with skipped inputs, 2 usage or fatal error,
//! 3 no image data found, 4 output not writable.

// Only the binary prints; the libraries return values.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cmd;
mod outcome;
mod ui;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Organize, view and measure CT datasets (DICOM folders, zips inside zips, NIfTI).
#[derive(Debug, Parser)]
#[command(name = "tumorscope", version, about, long_about = None, after_help = outcome::EXIT_CODES_HELP)]
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
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Scan(cmd::scan::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Organize(cmd::organize::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Metadata(cmd::metadata::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Analyze(cmd::analyze::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Plan(cmd::plan::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Run(cmd::run::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Merge(cmd::merge::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Render(cmd::render::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Response(cmd::response::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Export(cmd::export::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    View(cmd::view::Args),
    #[command(after_help = outcome::EXIT_CODES_HELP)]
    Demo(cmd::demo::Args),
}

pub use outcome::{Fatal, Outcome};

fn main() -> ExitCode {
    let cli = Cli::parse();
    ui::init_tracing(cli.verbose);
    let ui = ui::Ui { quiet: cli.quiet };
    // Commands isolate each patient's work; this is the last line of defence for the rest.
    let result = ui::isolate_panics(|| match cli.command {
        Command::Scan(args) => cmd::scan::execute(args, &ui),
        Command::Organize(args) => cmd::organize::execute(args, &ui),
        Command::Metadata(args) => cmd::metadata::execute(args, &ui),
        Command::Analyze(args) => cmd::analyze::execute(args, &ui),
        Command::Plan(args) => cmd::plan::execute(args, &ui),
        Command::Run(args) => cmd::run::execute(args, &ui),
        Command::Merge(args) => cmd::merge::execute(args, &ui),
        Command::Render(args) => cmd::render::execute(args, &ui),
        Command::Response(args) => cmd::response::execute(args, &ui),
        Command::Export(args) => cmd::export::execute(args, &ui),
        Command::View(args) => cmd::view::execute(args, &ui),
        Command::Demo(args) => cmd::demo::execute(args, &ui),
    });
    match result {
        Ok(outcome) => outcome.exit_code(),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            ui::errln!("error: {e:#}");
            match e.downcast_ref::<Fatal>() {
                Some(fatal) => fatal.exit_code(),
                None if ui::is_storage_error(&e) => ExitCode::from(4),
                None => ExitCode::from(2),
            }
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
