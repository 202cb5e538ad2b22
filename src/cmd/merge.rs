//! `tumorscope merge PLAN [--out DIR]`: gathers the per-patient results of a plan's tasks into
//! the tables and report `analyze` writes (default `PLAN/merged`), with the Parquet tables.
//! Every planned patient must have a current result; the missing are listed (exit 1).

use std::path::PathBuf;

use tumorscope_batch::{result_path, Plan, UnitResult};
use tumorscope_dataset::Skipped;
use tumorscope_report::PatientReport;

use super::analyze::{provenance, write_results};
use crate::ui::{check_output_dir, report_skipped, Ui};
use crate::Outcome;

/// Merge a plan's results: stats.json, CSVs, report.html and Parquet tables.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan folder.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Output folder (default PLAN/merged).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Also store the results in this SQLite catalog (what `analyze --db` stores): an
    /// `analyze --db` or `view --db` of the plan's inputs then reads them instead of measuring.
    /// Tasks never write the catalog themselves: hundreds of writers on a shared filesystem is
    /// what SQLite is not for.
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

pub fn execute(args: Args, _ui: &Ui) -> anyhow::Result<Outcome> {
    let plan = Plan::read(&args.plan)?;
    let out = args.out.unwrap_or_else(|| args.plan.join("merged"));
    check_output_dir(&out)?;
    let mut missing = Vec::new();
    let mut results = Vec::new();
    for unit in &plan.units {
        let path = result_path(&args.plan, &unit.key);
        match UnitResult::read(&path) {
            Ok(r)
                if r.key == unit.key
                    && r.options_hash == plan.options_hash
                    && r.tool == plan.tool =>
            {
                results.push(r)
            }
            Ok(_) => missing.push(Skipped {
                origin: unit.key.clone(),
                reason: format!(
                    "`{}` was made by another version or other options: rerun its task",
                    path.display()
                ),
            }),
            Err(_) => missing.push(Skipped {
                origin: unit.key.clone(),
                reason: "no result: its task has not run or did not finish".into(),
            }),
        }
    }
    if !missing.is_empty() {
        report_skipped(&missing);
        eprintln!(
            "{} of {} planned patient(s) have no result; nothing merged",
            missing.len(),
            plan.units.len()
        );
        return Ok(Outcome::of(&missing));
    }
    if let Some(db) = &args.db {
        let mut catalog = tumorscope_catalog::Catalog::open(db)?;
        catalog.store_analyses(&super::stored::batch_rows(&plan, &results))?;
    }
    let mut patients = Vec::new();
    let mut skipped: Vec<Skipped> = plan
        .skipped
        .iter()
        .map(|(origin, reason)| Skipped {
            origin: origin.clone(),
            reason: reason.clone(),
        })
        .collect();
    let mut failures = Vec::new();
    for r in results {
        for record in r.exams {
            patients.push(PatientReport::from_record(record)?);
        }
        skipped.extend(
            r.skipped
                .into_iter()
                .map(|(origin, reason)| Skipped { origin, reason }),
        );
        failures.extend(r.failures);
    }
    let inputs = plan
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let provenance = provenance(inputs, plan.settings.clone());
    write_results(&out, &provenance, &patients, &skipped, &failures, true)?;
    let mut all = skipped;
    all.extend(failures.iter().map(super::analyze::failure_as_skipped));
    report_skipped(&all);
    Ok(Outcome::of(&all))
}
