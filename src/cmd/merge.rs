//! `tumorscope merge PLAN [--out DIR]`: gathers the per-patient results of a plan's tasks into
//! the tables and report `analyze` writes (default `PLAN/merged`), with the Parquet tables.
//! Every planned patient must have a current result; the missing are listed (exit 1).

use std::borrow::Cow;
use std::path::PathBuf;

use tumorscope_batch::{result_path, Plan, UnitResult};
use tumorscope_dataset::Skipped;
use tumorscope_report::{OverviewBuilder, PatientReport};

use super::analyze::{provenance, write_streamed};
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
    // First pass: every result present and current, and what the files' beginnings need (the
    // cohort summary, a line per patient); skipped files and failures are kept (few). Results
    // are read one at a time and dropped: a merge holds one patient at once, whatever the
    // cohort's size.
    let mut missing = Vec::new();
    let mut overview = OverviewBuilder::default();
    let mut skipped: Vec<Skipped> = plan
        .skipped
        .iter()
        .map(|(origin, reason)| Skipped {
            origin: origin.clone(),
            reason: reason.clone(),
        })
        .collect();
    let mut failures = Vec::new();
    // Results go to the catalog in batches as they are read (each is current and stays so,
    // whether or not the merge finds every patient).
    let mut catalog = args
        .db
        .as_deref()
        .map(tumorscope_catalog::Catalog::open)
        .transpose()?;
    let mut catalog_rows = Vec::new();
    for unit in &plan.units {
        let path = result_path(&args.plan, &unit.key);
        match UnitResult::read(&path) {
            Ok(r)
                if r.key == unit.key
                    && r.options_hash == plan.options_hash
                    && r.tool == plan.tool =>
            {
                for record in &r.exams {
                    overview.add(&PatientReport::from_record(record.clone())?);
                }
                skipped.extend(r.skipped.iter().map(|(origin, reason)| Skipped {
                    origin: origin.clone(),
                    reason: reason.clone(),
                }));
                failures.extend(r.failures.iter().cloned());
                if let Some(catalog) = &mut catalog {
                    catalog_rows.extend(super::stored::batch_rows(
                        &plan,
                        std::slice::from_ref(unit),
                        std::slice::from_ref(&r),
                    ));
                    if catalog_rows.len() >= 256 {
                        catalog.store_analyses(&std::mem::take(&mut catalog_rows))?;
                    }
                }
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
    if let Some(catalog) = &mut catalog {
        catalog.store_analyses(&catalog_rows)?;
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
    // Second pass: each patient's report read again and written out.
    let plan_dir = args.plan.clone();
    let mut reports = plan.units.iter().flat_map(|unit| {
        let exams = UnitResult::read(&result_path(&plan_dir, &unit.key))
            .map(|r| r.exams)
            .map_err(anyhow::Error::from);
        let exams: Vec<anyhow::Result<serde_json::Value>> = match exams {
            Ok(exams) => exams.into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e)],
        };
        exams
            .into_iter()
            .map(|record| Ok(Cow::Owned(PatientReport::from_record(record?)?)))
    });
    let inputs = plan
        .inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let provenance = provenance(inputs, plan.settings.clone());
    write_streamed(
        &out,
        &provenance,
        &overview.finish(),
        &mut reports,
        &skipped,
        &failures,
        true,
    )?;
    let mut all = skipped;
    all.extend(failures.iter().map(super::analyze::failure_as_skipped));
    report_skipped(&all);
    Ok(Outcome::of(&all))
}
