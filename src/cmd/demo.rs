//! `tumorscope demo`: generate a synthetic cohort with known answers and run the pipeline on it.
//!
//! The cohort is made in code (no data ships with tumorscope): patients in the 3D-IRCADb layout,
//! zipped and nested in one cohort zip, with the encodings and quirks real data has.

use std::path::PathBuf;

use anyhow::Context;
use tumorscope_phantom::{write_cohort, PhantomOptions};

use super::inputs::{InputArgs, LimitArgs};
use super::scan::{scan_inputs, summary};
use crate::ui::{report_skipped, Ui};
use crate::Outcome;

/// Generate a demo cohort (synthetic CT with known tumors) and scan it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the demo cohort and results.
    #[arg(long, short, default_value = "tumorscope-demo")]
    pub out: PathBuf,
    /// Number of synthetic patients.
    #[arg(long, default_value_t = 4)]
    pub patients: usize,
    /// Seed of the generator (same seed, same bytes).
    #[arg(long, default_value_t = PhantomOptions::default().seed)]
    pub seed: u64,
    /// Replace an existing output folder.
    #[arg(long)]
    pub force: bool,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    if args.out.exists() {
        if !args.force {
            anyhow::bail!("`{}` already exists\nhint: pass --force to replace it, or --out another folder", args.out.display());
        }
        fs_err::remove_dir_all(&args.out)?;
    }
    let options = PhantomOptions {
        patients: args.patients,
        seed: args.seed,
        // A clean demo: no junk and no corrupt file, so the exit status is 0.
        junk_files: false,
        corrupt_file: false,
        ..PhantomOptions::default()
    };
    let written = write_cohort(&args.out.join("data"), &options, true).context("cannot write the demo cohort")?;
    println!("demo cohort: {} synthetic patient(s) in `{}`", written.patients.len(), written.root.display());
    let inputs = InputArgs { paths: vec![written.root.clone()], limits: default_limits() };
    let dataset = scan_inputs(&inputs, ui)?;
    print!("{}", summary(&dataset));
    report_skipped(&dataset.skipped);
    Ok(if dataset.skipped.is_empty() { Outcome::Complete } else { Outcome::Skipped })
}

fn default_limits() -> LimitArgs {
    use clap::Parser;
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        limits: LimitArgs,
    }
    Wrapper::parse_from(["tumorscope"]).limits
}
