//! `tumorscope plan PATH… --out PLAN`: the cohort as a manifest of patients and the scripts that
//! run it as a batch array (Slurm, Kubernetes); `run` does the work of one array task, `merge`
//! gathers the results.

use std::path::PathBuf;

use tumorscope_batch::{
    file_owners, k8s_job_yaml, slurm_script, unit_of, Plan, SlurmOptions, PLAN_FILE,
};

use super::analyze::{check_structure_names, settings_json, AnalysisArgs};
use super::inputs::{InputArgs, LimitArgs};
use super::scan::scan_inputs;
use crate::ui::{outln, report_skipped, write_atomic, Ui};
use crate::Outcome;

/// Plan a cohort for a batch array (Slurm, Kubernetes, xargs): manifest and submit scripts.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folders, files or zip archives.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The plan folder: plan.json, submit-slurm.sh, k8s-job.yaml; results and merged tables
    /// go there later.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Patients per array task.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub per_task: u32,
    /// CPUs per task (Slurm `--cpus-per-task`; `run` uses what it was given).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..), help_heading = "Batch resources")]
    pub cpus_per_task: u32,
    /// Memory per task (Slurm `--mem`).
    #[arg(long, default_value = "4G", help_heading = "Batch resources")]
    pub mem: String,
    /// Time limit per task (Slurm `--time`).
    #[arg(long, default_value = "01:00:00", help_heading = "Batch resources")]
    pub time: String,
    /// Slurm partition (the cluster's default when absent).
    #[arg(long, help_heading = "Batch resources")]
    pub partition: Option<String>,
    /// At most this many tasks at once.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..), help_heading = "Batch resources")]
    pub max_parallel: u32,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    // Absolute paths: tasks run elsewhere (another node, another working folder).
    let paths = args
        .paths
        .iter()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .collect::<Vec<_>>();
    let inputs = InputArgs {
        paths: paths.clone(),
        limits: args.limits.clone(),
    };
    inputs.walk_options()?;
    let dataset = scan_inputs(&inputs, ui)?;
    if let Some(names) = &args.analysis.measure.tumor_masks {
        check_structure_names(&dataset, names)?;
    }
    let owners = file_owners(&dataset.patients);
    let units = dataset
        .patients
        .iter()
        .map(|p| unit_of(p, &paths, &owners))
        .collect::<Result<Vec<_>, _>>()?;
    let mut plan = Plan::new(
        paths,
        args.analysis.measure.options(),
        settings_json(&args.analysis),
        !args.analysis.no_thumbnails,
        args.per_task as usize,
        units,
    );
    plan.skipped = dataset
        .skipped
        .iter()
        .map(|s| (s.origin.clone(), s.reason.clone()))
        .collect();
    plan.scan_limits = serde_json::to_value(&args.limits)?;
    // The build that planned: its tasks' results are stored under it (`merge --db`), and only
    // this build takes them as current (`analyze --db`).
    plan.tool = super::stored::TOOL.to_owned();
    let slurm = SlurmOptions {
        cpus_per_task: args.cpus_per_task as usize,
        mem: args.mem.clone(),
        time: args.time.clone(),
        partition: args.partition.clone(),
        max_parallel: args.max_parallel as usize,
    };
    let exe = std::env::current_exe()?;
    write_atomic(&args.out.join(PLAN_FILE), &plan.to_json())?;
    let script = args.out.join("submit-slurm.sh");
    write_atomic(&script, slurm_script(&plan, &slurm, &exe).as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    }
    write_atomic(
        &args.out.join("k8s-job.yaml"),
        k8s_job_yaml(&plan, &slurm).as_bytes(),
    )?;
    let bytes: u64 = plan.units.iter().map(|u| u.bytes).sum();
    outln!(
        "{} patient(s), {:.1} MB, in {} task(s) of {}; submit with `{}` (or run each task: `tumorscope run {} --shard-index I`)",
        plan.units.len(),
        bytes as f64 / 1e6,
        plan.tasks,
        plan.per_task,
        script.display(),
        args.out.display()
    );
    report_skipped(&dataset.skipped);
    Ok(Outcome::of(&dataset.skipped))
}
