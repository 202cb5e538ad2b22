//! `tumorscope run PLAN [--shard-index I --shard-count N]`: one array task of a plan. Measures
//! its patients as `analyze` does (same code, same options), writes one result per patient
//! atomically, then the shard's tumours as Parquet and a done marker. Patients whose result is
//! current (same input bytes, options and tool version) are not redone, so a cancelled or
//! failed task is resumed by running it again, and a finished one changes no file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use tumorscope_batch::{
    allocated_cpus, content_hash, inputs_stamp, result_path, Plan, Shard, UnitResult,
};
use tumorscope_dataset::Skipped;
use tumorscope_report::{table_parquet, tumors_table, Failure, PatientReport};
use tumorscope_sources::LoadOptions;

use super::analyze::{analyze_one, failure_as_skipped};
use super::inputs::{InputArgs, LimitArgs};
use super::scan::scan_inputs;
use crate::ui::{isolate_panics, outln, report_skipped, write_atomic, Ui};
use crate::Outcome;

/// Run one task of a plan (its index from the flags or from Slurm / Kubernetes / AWS Batch).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The plan folder `tumorscope plan` wrote.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// This task's index, from 0 (default: SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or
    /// AWS_BATCH_JOB_ARRAY_INDEX).
    #[arg(long)]
    pub shard_index: Option<usize>,
    /// The number of tasks (default: SLURM_ARRAY_TASK_COUNT, else the plan's).
    #[arg(long)]
    pub shard_count: Option<usize>,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let plan = Plan::read(&args.plan)?;
    let env = |name: &str| std::env::var(name).ok();
    let shard = Shard::resolve(args.shard_index, args.shard_count, plan.tasks, env)?;
    let cpus = allocated_cpus(env);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cpus)
        .build()
        .context("cannot start the worker threads")?;
    tracing::debug!(cpus, ?shard, "run");
    pool.install(|| run_shard(&args.plan, &plan, shard, ui))
}

fn run_shard(dir: &Path, plan: &Plan, shard: Shard, ui: &Ui) -> anyhow::Result<Outcome> {
    let units = &plan.units[shard.units(plan.units.len())];
    // Which results are still current: hashed now, so changed inputs are redone.
    let mut todo = Vec::new();
    let mut hash_failures = Vec::new();
    for unit in units {
        let files: BTreeSet<PathBuf> = unit.disk_files.iter().cloned().collect();
        match content_hash(&files) {
            Ok(hash) => {
                let current = UnitResult::read(&result_path(dir, &unit.key))
                    .is_ok_and(|r| r.is_current(plan, unit, &hash));
                if !current {
                    todo.push((unit, hash));
                }
            }
            Err(e) => hash_failures.push((unit, format!("{e:#}"))),
        }
    }
    let mut done_now = 0usize;
    for (unit, message) in &hash_failures {
        let mut result = UnitResult::new(plan, unit, "");
        result.failures.push(Failure {
            patient: unit.key.clone(),
            kind: "failed".into(),
            message: message.clone(),
            origin: unit.location.clone(),
        });
        write_atomic(&result_path(dir, &unit.key), &result.to_json())?;
        done_now += 1;
    }
    if !todo.is_empty() {
        let scan_paths: BTreeSet<PathBuf> = todo
            .iter()
            .flat_map(|(u, _)| u.scan_paths.iter().cloned())
            .collect();
        let inputs = InputArgs {
            paths: scan_paths.into_iter().collect(),
            // The plan's limits (a plan written before they were recorded: the defaults).
            limits: serde_json::from_value::<LimitArgs>(plan.scan_limits.clone())
                .unwrap_or_default(),
        };
        let load = LoadOptions {
            walk: inputs.walk_options()?,
        };
        let mut dataset = match scan_inputs(&inputs, ui) {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::warn!("{e:#}");
                None
            }
        };
        // The patients under the plan's names, so exam labels equal a whole-cohort analyze's.
        let mut found = Vec::new();
        for (unit, hash) in &todo {
            let at = dataset.as_mut().and_then(|d| {
                let n = d
                    .patients
                    .iter()
                    .position(|p| p.location == unit.location)?;
                d.patients[n].label = unit.key.clone();
                Some(n)
            });
            found.push((*unit, hash.clone(), at));
        }
        let bar = ui.bar(found.len() as u64, "analyzing");
        let results: Vec<UnitResult> = found
            .par_iter()
            .map(|(unit, hash, at)| {
                let mut result = UnitResult::new(plan, unit, hash);
                let fail = |kind: &str, message: String| Failure {
                    patient: unit.key.clone(),
                    kind: kind.into(),
                    message,
                    origin: unit.location.clone(),
                };
                match (dataset.as_ref(), at) {
                    (Some(d), Some(n)) => {
                        // Taken before the patient is loaded: a file changed while it is
                        // measured makes the stored result stale, never the other way round.
                        result.inputs_stamp = inputs_stamp(&d.patients[*n], &load.walk);
                        let exams = d.patients[*n].exams();
                        if exams.is_empty() {
                            result
                                .failures
                                .push(fail("failed", "no CT volume to analyze".into()));
                        }
                        for exam in &exams {
                            let r = isolate_panics(|| {
                                analyze_one(d, exam, &load, &plan.options, plan.thumbnails)
                            });
                            match r.and_then(|(report, skipped)| {
                                Ok((report.to_record()?, report, skipped))
                            }) {
                                Ok((record, report, skipped)) => {
                                    bar.suspend(|| {
                                        outln!("{}", tumorscope_report::console_line(&report.stats))
                                    });
                                    result.exams.push(record);
                                    result
                                        .skipped
                                        .extend(skipped.into_iter().map(|s| (s.origin, s.reason)));
                                }
                                Err(e) => {
                                    let mut f = fail("failed", format!("{e:#}"));
                                    f.patient = exam.label.clone();
                                    f.origin = exam.label.clone();
                                    result.failures.push(f);
                                }
                            }
                        }
                    }
                    _ => result.failures.push(fail(
                        "missing",
                        format!(
                            "not found again in {}",
                            unit.scan_paths
                                .iter()
                                .map(|p| format!("`{}`", p.display()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )),
                }
                bar.inc(1);
                result
            })
            .collect();
        bar.finish_and_clear();
        for result in &results {
            write_atomic(&result_path(dir, &result.key), &result.to_json())?;
        }
        done_now += results.len();
    }

    // The shard's tumours as Parquet, and the done marker: rewritten only when a result was.
    let shards = dir.join("shards");
    let name = format!("shard-{:05}-of-{:05}", shard.index, shard.count);
    let (table, marker) = (
        shards.join(format!("{name}.parquet")),
        shards.join(format!("{name}.done")),
    );
    let mut reports = Vec::new();
    let mut problems: Vec<Skipped> = Vec::new();
    for unit in units {
        let result = UnitResult::read(&result_path(dir, &unit.key))?;
        for record in result.exams {
            reports.push(PatientReport::from_record(record)?);
        }
        problems.extend(
            result
                .skipped
                .into_iter()
                .map(|(origin, reason)| Skipped { origin, reason }),
        );
        problems.extend(result.failures.iter().map(failure_as_skipped));
    }
    if done_now > 0 || !table.exists() || !marker.exists() {
        write_atomic(
            &table,
            &table_parquet(&tumors_table(&reports), "shard tumours")?,
        )?;
        let summary = serde_json::json!({
            "shard": shard.index,
            "shards": shard.count,
            "patients": units.len(),
            "redone": done_now,
            "problems": problems.len(),
            "finished_at": humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        });
        write_atomic(&marker, format!("{summary}\n").as_bytes())?;
    }
    outln!(
        "shard {} of {}: {} patient(s), {} measured now, {} already current",
        shard.index,
        shard.count,
        units.len(),
        done_now,
        units.len() - done_now
    );
    report_skipped(&problems);
    Ok(Outcome::of(&problems))
}
