//! Cohorts past one machine. `plan` turns a scanned cohort into a manifest of units (one per
//! patient, in the scan's stable order, each with the paths to re-scan, its size and a content
//! hash of its input files) plus scripts that submit it as a batch array (Slurm, Kubernetes
//! Indexed Job); each array task runs one [`Shard`] of the units, writing one [`UnitResult`] per
//! patient that a rerun with the same inputs, options and tool version leaves alone; `merge`
//! reads them back into the tables `analyze` writes.
//!
//! The library decides and reads; the front end (the CLI's `plan`, `run` and `merge`) scans,
//! analyses and writes files atomically.

mod cpus;
mod error;
mod plan;
mod scripts;
mod shard;
mod unit_result;

pub use cpus::allocated_cpus;
pub use error::BatchError;
pub use plan::{
    content_hash, disk_files, file_owners, inputs_stamp, options_hash, unit_of, Plan, Unit,
    PLAN_FILE,
};
pub use scripts::{k8s_job_yaml, slurm_script, SlurmOptions};
pub use shard::Shard;
pub use unit_result::{result_path, UnitResult, RESULTS_DIR};
