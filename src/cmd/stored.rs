//! Results stored in the catalog: `analyze --db` reuses a patient's stored result while its
//! inputs (the stamps of its files), the options and the tool are those it was made from, and
//! stores the ones it measures; `view --db` shows the newest current result of each patient in
//! the patient list instead of measuring it again; `merge --db` stores a batch run's results
//! the same way. A stored result is the batch runner's per-patient document (`UnitResult`), so
//! every front end reads the same thing.

use std::collections::HashMap;
use std::path::Path;

use tumorscope_analysis::PatientStats;
use tumorscope_batch::{inputs_stamp, Plan, Unit, UnitResult};
use tumorscope_catalog::{Catalog, StoredAnalysis};
use tumorscope_dataset::{Dataset, Skipped};
use tumorscope_ingest::WalkOptions;
use tumorscope_report::PatientReport;

/// The tool a result was made by: the version and the build (a digest of the sources, see
/// build.rs), so a result is never taken as current by a build that may measure differently.
pub const TOOL: &str = concat!(
    "tumorscope ",
    env!("CARGO_PKG_VERSION"),
    " build ",
    env!("TUMORSCOPE_BUILD_ID")
);

/// A patient's current stored result, read back.
pub struct Reused {
    /// One report per exam, in the patient's exam order.
    pub reports: Vec<PatientReport>,
    /// Files skipped while the patient was loaded.
    pub skipped: Vec<Skipped>,
}

/// What the catalog holds for this dataset under these options: for each patient (by index),
/// its reusable result if it has one, and the hash of its inputs now.
pub struct StoredResults {
    options_hash: String,
    inputs: Vec<String>,
    reused: HashMap<usize, Reused>,
}

impl StoredResults {
    /// Looks up every patient of `dataset`: a stored result is reused when it was made from the
    /// same inputs, options and tool, holds one report per exam and no failure.
    pub fn look_up(
        catalog: &Catalog,
        dataset: &Dataset,
        options_hash: &str,
        walk: &WalkOptions,
    ) -> anyhow::Result<Self> {
        let mut stored: HashMap<(usize, String), StoredAnalysis> = HashMap::new();
        for (n, root) in dataset.roots.iter().enumerate() {
            for row in catalog.stored_analyses(root, options_hash)? {
                stored.insert((n, row.patient.clone()), row);
            }
        }
        let inputs: Vec<String> = dataset
            .patients
            .iter()
            .map(|p| inputs_stamp(p, walk))
            .collect();
        let mut reused = HashMap::new();
        for (n, p) in dataset.patients.iter().enumerate() {
            let Some(row) = stored.remove(&(p.root, p.label.clone())) else {
                continue;
            };
            if row.inputs_hash != inputs[n] || row.tool != TOOL {
                continue;
            }
            if let Some(r) = read_back(&row.document, p.exams().len()) {
                reused.insert(n, r);
            }
        }
        Ok(Self {
            options_hash: options_hash.to_owned(),
            inputs,
            reused,
        })
    }

    /// The reusable result of patient `n`, taken out (each is used once).
    pub fn take(&mut self, n: usize) -> Option<Reused> {
        self.reused.remove(&n)
    }

    /// How many patients have a reusable result.
    pub fn len(&self) -> usize {
        self.reused.len()
    }

    /// The row that stores patient `n`'s fresh result: every exam's report and the files
    /// skipped while loading it.
    pub fn row(
        &self,
        dataset: &Dataset,
        n: usize,
        reports: &[&PatientReport],
        skipped: &[Skipped],
    ) -> anyhow::Result<StoredAnalysis> {
        let p = &dataset.patients[n];
        let document = UnitResult {
            key: p.label.clone(),
            content_hash: self.inputs[n].clone(),
            inputs_stamp: self.inputs[n].clone(),
            options_hash: self.options_hash.clone(),
            tool: TOOL.to_owned(),
            exams: reports
                .iter()
                .map(|r| r.to_record())
                .collect::<Result<_, _>>()?,
            skipped: skipped
                .iter()
                .map(|s| (s.origin.clone(), s.reason.clone()))
                .collect(),
            failures: Vec::new(),
        };
        Ok(StoredAnalysis {
            root: dataset.roots[p.root].clone(),
            patient: p.label.clone(),
            options_hash: self.options_hash.clone(),
            inputs_hash: self.inputs[n].clone(),
            tool: TOOL.to_owned(),
            document: String::from_utf8(document.to_json())?,
        })
    }
}

/// The statistics of every exam whose patient has a current stored result (the newest, whatever
/// its options), by exam label: what the viewer's patient list shows without measuring.
pub fn current_stats(
    catalog: &Catalog,
    dataset: &Dataset,
    walk: &WalkOptions,
) -> anyhow::Result<Vec<(String, PatientStats)>> {
    let mut out = Vec::new();
    for (n, root) in dataset.roots.iter().enumerate() {
        let latest: HashMap<String, StoredAnalysis> = catalog
            .latest_analyses(root)?
            .into_iter()
            .map(|r| (r.patient.clone(), r))
            .collect();
        for p in dataset.patients.iter().filter(|p| p.root == n) {
            let Some(row) = latest.get(&p.label) else {
                continue;
            };
            if row.tool != TOOL || row.inputs_hash != inputs_stamp(p, walk) {
                continue;
            }
            if let Some(r) = read_back(&row.document, p.exams().len()) {
                let labels = p.exams().into_iter().map(|e| e.label);
                out.extend(labels.zip(r.reports.into_iter().map(|r| r.stats)));
            }
        }
    }
    Ok(out)
}

/// The catalog rows of a batch plan's results (`merge --db`), under the plan's input path that
/// holds each patient and the inputs' stamp its task took before measuring it: a later
/// `analyze --db` or `view --db` of the same inputs finds them, and a file changed since the
/// task makes them stale. A result with a failure, or from a version that took no stamp, is
/// not stored.
pub fn batch_rows(plan: &Plan, units: &[Unit], results: &[UnitResult]) -> Vec<StoredAnalysis> {
    let mut rows = Vec::new();
    for (unit, result) in units.iter().zip(results) {
        let root = unit.disk_files.first().and_then(|f| {
            plan.inputs
                .iter()
                .filter(|i| f.starts_with(i))
                .max_by_key(|i| i.as_os_str().len())
        });
        let Some(root) = root else {
            continue;
        };
        if !result.failures.is_empty() || result.inputs_stamp.is_empty() {
            continue;
        }
        rows.push(StoredAnalysis {
            root: root.clone(),
            patient: unit.key.clone(),
            options_hash: plan.options_hash.clone(),
            inputs_hash: result.inputs_stamp.clone(),
            tool: plan.tool.clone(),
            document: String::from_utf8_lossy(&result.to_json()).into_owned(),
        });
    }
    rows
}

/// A stored document read back, when it holds one report per exam and no failure (a failure
/// is measured again: it may not happen twice).
fn read_back(document: &str, exams: usize) -> Option<Reused> {
    let result: UnitResult = serde_json::from_str(document).ok()?;
    if !result.failures.is_empty() || result.exams.len() != exams || exams == 0 {
        return None;
    }
    let reports = result
        .exams
        .into_iter()
        .map(PatientReport::from_record)
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    let skipped = result
        .skipped
        .into_iter()
        .map(|(origin, reason)| Skipped { origin, reason })
        .collect();
    Some(Reused { reports, skipped })
}

/// Says on stderr how many patients were not measured again.
pub fn say_reused(count: usize, db: &Path, quiet: bool) {
    if count > 0 && !quiet {
        crate::ui::write_err(format_args!(
            "{count} patient(s) unchanged since their results were stored in `{}`: not measured again\n",
            db.display()
        ));
    }
}
