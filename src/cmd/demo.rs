//! `tumorscope demo`: generate a synthetic cohort with known answers and run the whole pipeline
//! on it: scan, analysis, report.
//!
//! The cohort is made in code (no data ships with tumorscope): patients in the 3D-IRCADb layout,
//! zipped and nested in one cohort zip, with the encodings and quirks real data has.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use tumorscope_phantom::{write_cohort, PhantomOptions};

use super::analyze::{run, AnalysisArgs};
use super::inputs::{InputArgs, LimitArgs};
use crate::ui::outln;
use crate::ui::Ui;
use crate::Outcome;

/// Generate a demo cohort (synthetic CT with known tumors), analyze it and write the report.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the demo cohort (`data/`) and the report (`report/`).
    #[arg(long, short, default_value = "tumorscope-demo")]
    pub out: PathBuf,
    #[command(flatten)]
    pub cohort: DemoCohort,
    /// Replace an existing output folder.
    #[arg(long)]
    pub force: bool,
    /// Do not open the viewer at the end.
    #[arg(long)]
    pub no_view: bool,
    /// Open the viewer in the default browser too.
    #[arg(long)]
    pub open: bool,
}

/// Marks a folder `demo` made, so a later `demo` may replace it.
const DEMO_MARKER: &str = ".tumorscope-demo";

/// What the generated cohort looks like.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoCohort {
    /// Number of synthetic patients.
    #[arg(long, default_value_t = PhantomOptions::DEMO_PATIENTS)]
    pub patients: usize,
    /// Seed of the generator (same seed, same bytes).
    #[arg(long, default_value_t = PhantomOptions::default().seed)]
    pub seed: u64,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    // A folder an earlier `demo` made (it holds the marker) is replaced without --force, so the
    // README's command can be run again; anything else needs --force.
    let made_by_demo = args.out.join(DEMO_MARKER).is_file();
    if args.out.exists() {
        if !args.force && !made_by_demo {
            anyhow::bail!(
                "`{}` already exists\nhint: pass --force to replace it, or --out another folder",
                args.out.display()
            );
        }
        fs_err::remove_dir_all(&args.out)?;
    }
    fs_err::create_dir_all(&args.out)?;
    fs_err::write(
        args.out.join(DEMO_MARKER),
        "made by `tumorscope demo`; replaced by the next run\n",
    )?;
    let cohort = PhantomOptions::demo(args.cohort.patients, args.cohort.seed);
    let root = write_cohort(&args.out.join("data"), &cohort, true)
        .context("cannot write the demo cohort")?
        .root;
    outln!(
        "demo cohort: {} synthetic patient(s) in `{}`",
        args.cohort.patients,
        root.display()
    );
    let inputs = InputArgs {
        paths: vec![root],
        limits: default_limits(),
    };
    let outcome = run(
        &inputs,
        &args.out.join("report"),
        &AnalysisArgs::default(),
        None,
        ui,
    )?;
    if args.no_view {
        return Ok(outcome);
    }
    // Serving blocks until Ctrl-C: only do it for a person at a terminal, never in a script.
    if !std::io::stdout().is_terminal() {
        outln!(
            "viewer not started (output is not a terminal); run `tumorscope view {}`",
            inputs.paths[0].display()
        );
        return Ok(outcome);
    }
    let dataset = super::scan::scan_inputs(&inputs, ui)?;
    let options = super::view::ServeOptions {
        open: args.open,
        measurements_dir: Some(args.out.join("measurements")),
        ..super::view::ServeOptions::default()
    };
    super::view::serve_dataset(dataset, Vec::new(), options, ui)
}

/// The archive limits' defaults, as clap would fill them.
pub fn default_limits() -> LimitArgs {
    use clap::Parser;
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        limits: LimitArgs,
    }
    Wrapper::parse_from(["tumorscope"]).limits
}
