//! `analyze`: every exam loaded and measured in parallel as `tumorscope analyze` does, the
//! results kept to be read as JSON or written as the CLI's files.

use std::collections::BTreeMap;
use std::path::PathBuf;

use pyo3::prelude::*;
use rayon::prelude::*;
use tumorscope_analysis::{analyze_patient, summarize_cohort, AnalysisOptions, CohortStats};
use tumorscope_dataset::Dataset;
use tumorscope_ingest::WalkOptions;
use tumorscope_render::{encode_png, render_tumor_thumbnail};
use tumorscope_report::{
    patients_csv, radiomics_csv, report_html, stats_json, tumors_csv, PatientReport, Provenance,
    Report, StudyRef,
};
use tumorscope_sources::{load_exam, LoadOptions};

use crate::dataset::exam_at;
use crate::errors::{chain, AnalysisError, Error};

/// One exam's report and the files skipped while loading it, or why it failed.
type ExamOutcome = Result<(PatientReport, Vec<(String, String)>), String>;

/// Measured exams (`tumorscope.analyze` wraps it).
#[pyclass(frozen, module = "tumorscope._native")]
pub struct NativeAnalysis {
    patients: Vec<PatientReport>,
    cohort: CohortStats,
    skipped: Vec<(String, String)>,
    provenance: Provenance,
}

/// Loads and measures `exams` (every exam when `None`).
pub(crate) fn analyze_exams(
    dataset: &Dataset,
    walk: &WalkOptions,
    exams: Option<Vec<usize>>,
    options: &AnalysisOptions,
    thumbnails: bool,
    paths: Vec<String>,
) -> PyResult<NativeAnalysis> {
    let count = dataset
        .patients
        .iter()
        .map(|p| p.exams().len())
        .sum::<usize>();
    let wanted: Vec<usize> = exams.unwrap_or_else(|| (0..count).collect());
    if let Some(bad) = wanted.iter().find(|&&n| n >= count) {
        return Err(AnalysisError::new_err(format!(
            "no exam {bad} (the dataset has {count})"
        )));
    }
    let load = LoadOptions { walk: walk.clone() };
    let results: Vec<(String, ExamOutcome)> = wanted
        .par_iter()
        .map(|&n| {
            let Some(exam) = exam_at(dataset, n) else {
                return (format!("exam {n}"), Err("no such exam".to_owned()));
            };
            let label = exam.label.clone();
            let r = (|| {
                let loaded = load_exam(dataset, &exam, &load).map_err(|e| chain(&e))?;
                let options = AnalysisOptions {
                    slice_thickness_mm: exam.series.info.slice_thickness_mm,
                    ..options.clone()
                };
                let stats = analyze_patient(&loaded.image, &options).map_err(|e| chain(&e))?;
                let mut pictures = BTreeMap::new();
                if thumbnails {
                    for t in &stats.tumors {
                        let rgb = render_tumor_thumbnail(
                            &loaded.image,
                            t.axial_slice_k,
                            t.bbox_ijk_min,
                            t.bbox_ijk_max,
                        )
                        .map_err(|e| chain(&e))?;
                        pictures.insert(t.id, encode_png(&rgb).map_err(|e| chain(&e))?);
                    }
                }
                let series = exam.series;
                Ok((
                    PatientReport {
                        stats,
                        warnings: loaded.warnings,
                        source: format!("{} {}", series.modality, series.description)
                            .trim()
                            .to_owned(),
                        study: StudyRef {
                            patient: exam.patient.label.clone(),
                            uid: exam.study.study_uid.to_owned(),
                            date: exam.study.date_iso(),
                            description: exam.study.description.to_owned(),
                        },
                        thumbnails: pictures,
                    },
                    loaded
                        .skipped
                        .into_iter()
                        .map(|s| (s.origin, s.reason))
                        .collect(),
                ))
            })();
            (label, r)
        })
        .collect();
    let mut skipped: Vec<(String, String)> = dataset
        .skipped
        .iter()
        .map(|s| (s.origin.clone(), s.reason.clone()))
        .collect();
    let mut patients = Vec::new();
    for (label, r) in results {
        match r {
            Ok((report, s)) => {
                patients.push(report);
                skipped.extend(s);
            }
            Err(reason) => skipped.push((label, reason)),
        }
    }
    let stats: Vec<_> = patients.iter().map(|p| p.stats.clone()).collect();
    let cohort = summarize_cohort(&stats);
    let provenance = Provenance {
        tool: concat!("tumorscope ", env!("CARGO_PKG_VERSION"), " (python)").to_owned(),
        generated_at: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        inputs: paths,
        settings: serde_json::json!({
            "connectivity": options.connectivity,
            "min_volume_ml": options.min_volume_ml,
            "vessel_margin_mm": options.vessel_margin_mm,
            "radiomics": options.radiomics,
            "tumor_masks": options.tumor_masks.clone().map(serde_json::Value::from)
                .unwrap_or_else(|| tumorscope_analysis::TUMOR_MASK_RULE.into()),
        }),
    };
    Ok(NativeAnalysis {
        patients,
        cohort,
        skipped,
        provenance,
    })
}

impl NativeAnalysis {
    fn report(&self) -> Report<'_> {
        Report {
            provenance: &self.provenance,
            cohort: &self.cohort,
            patients: &self.patients,
            skipped: &self.skipped,
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so a reader never
/// sees half a file.
fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp-tumorscope");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[pymethods]
impl NativeAnalysis {
    /// The `stats.json` document.
    fn stats_json(&self) -> PyResult<String> {
        let bytes = stats_json(&self.report()).map_err(|e| Error::new_err(chain(&e)))?;
        String::from_utf8(bytes).map_err(|e| Error::new_err(e.to_string()))
    }

    /// Writes `stats.json`, `patients.csv`, `tumors.csv` and `report.html` into `dir`.
    fn write(&self, dir: PathBuf) -> PyResult<()> {
        let io = |e: std::io::Error| {
            Error::new_err(format!("cannot write into `{}`: {e}", dir.display()))
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let report = self.report();
        let json = stats_json(&report).map_err(|e| Error::new_err(chain(&e)))?;
        let html = report_html(&report).map_err(|e| Error::new_err(chain(&e)))?;
        write_atomic(&dir.join("stats.json"), &json).map_err(io)?;
        write_atomic(&dir.join("patients.csv"), &patients_csv(&self.patients)).map_err(io)?;
        write_atomic(&dir.join("tumors.csv"), &tumors_csv(&self.patients)).map_err(io)?;
        if let Some(table) = radiomics_csv(&self.patients) {
            write_atomic(&dir.join("radiomics.csv"), &table).map_err(io)?;
        }
        write_atomic(&dir.join("report.html"), &html).map_err(io)?;
        Ok(())
    }
}
