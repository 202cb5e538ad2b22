//! Arguments shared by every command that reads datasets: the paths and the archive limits.

use std::path::PathBuf;

use anyhow::bail;
use tumorscope_ingest::{Limits, WalkOptions};

/// Input paths and resource limits for archives.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Folders, DICOM files or zip archives (zips inside zips are read in memory).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Archive limits (zip bombs, endless nesting); defaults are safe for real cohorts.
#[derive(Debug, Clone, clap::Args, serde::Serialize, serde::Deserialize)]
pub struct LimitArgs {
    /// Deepest nesting of archives (a zip on disk is level 1).
    #[arg(long, default_value_t = Limits::default().max_depth, help_heading = "Archive limits")]
    pub max_depth: usize,
    /// Most entries one archive may list.
    #[arg(long, default_value_t = Limits::default().max_entries, help_heading = "Archive limits")]
    pub max_entries: usize,
    /// Largest uncompressed size of one archive entry, in MiB.
    #[arg(long, default_value_t = Limits::default().max_entry_bytes >> 20, help_heading = "Archive limits")]
    pub max_entry_mib: u64,
    /// Largest total of uncompressed bytes read from archives, in MiB.
    #[arg(long, default_value_t = Limits::default().max_total_bytes >> 20, help_heading = "Archive limits")]
    pub max_total_mib: u64,
    /// Highest compression ratio of an entry of 1 MiB or more.
    #[arg(long, default_value_t = Limits::default().max_ratio, help_heading = "Archive limits")]
    pub max_ratio: u64,
}

impl Default for LimitArgs {
    fn default() -> Self {
        let l = Limits::default();
        LimitArgs {
            max_depth: l.max_depth,
            max_entries: l.max_entries,
            max_entry_mib: l.max_entry_bytes >> 20,
            max_total_mib: l.max_total_bytes >> 20,
            max_ratio: l.max_ratio,
        }
    }
}

impl InputArgs {
    /// Checks the paths exist and builds walk options.
    pub fn walk_options(&self) -> anyhow::Result<WalkOptions> {
        for p in &self.paths {
            if !p.exists() {
                bail!("`{}` does not exist", p.display());
            }
        }
        let l = &self.limits;
        Ok(WalkOptions {
            limits: Limits {
                max_depth: l.max_depth,
                max_entries: l.max_entries,
                max_entry_bytes: l.max_entry_mib << 20,
                max_total_bytes: l.max_total_mib << 20,
                max_ratio: l.max_ratio,
                ..Limits::default()
            },
            ..WalkOptions::default()
        })
    }
}

/// The patient called `label`, or the only patient when no label is given.
pub fn pick_patient<'a>(
    dataset: &'a tumorscope_dataset::Dataset,
    label: Option<&str>,
) -> anyhow::Result<&'a tumorscope_dataset::Patient> {
    let labels = || {
        dataset
            .patients
            .iter()
            .map(|p| format!("`{}`", p.label))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match label {
        Some(l) => dataset
            .patient(l)
            .ok_or_else(|| anyhow::anyhow!("no patient `{l}`; found {}", labels())),
        None => match dataset.patients.as_slice() {
            [one] => Ok(one),
            [] => bail!("no patient found"),
            _ => bail!(
                "several patients found ({})\nhint: choose one with --patient LABEL",
                labels()
            ),
        },
    }
}

/// The exam called `label` (`P7`, or `P7@2021-03-15` for one study of a patient with several),
/// or the only exam when no label is given.
pub fn pick_exam<'a>(
    dataset: &'a tumorscope_dataset::Dataset,
    label: Option<&str>,
) -> anyhow::Result<tumorscope_dataset::Exam<'a>> {
    let exams: Vec<tumorscope_dataset::Exam<'a>> =
        dataset.patients.iter().flat_map(|p| p.exams()).collect();
    let names = |exams: &[tumorscope_dataset::Exam]| {
        exams
            .iter()
            .map(|e| format!("`{}`", e.label))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(l) = label else {
        return match exams.len() {
            1 => Ok(exams.into_iter().next().expect("one exam")),
            0 => {
                pick_patient(dataset, None)?;
                bail!("no CT volume found")
            }
            _ => bail!(
                "several patients found ({})\nhint: choose one with --patient LABEL",
                names(&exams)
            ),
        };
    };
    if let Some(n) = exams.iter().position(|e| e.label == l) {
        return Ok(exams.into_iter().nth(n).expect("found"));
    }
    let patient = pick_patient(dataset, Some(l))?;
    let mut own = patient.exams();
    match own.len() {
        1 => Ok(own.remove(0)),
        0 => bail!("patient `{l}` has no CT volume"),
        _ => bail!(
            "patient `{l}` has {} studies: {}\nhint: choose one with --patient",
            own.len(),
            names(&own)
        ),
    }
}
