//! The patient source the binary ships: patients of a scanned (or catalogued) dataset, loaded
//! on demand through `tumorscope-sources`, measured with `tumorscope-analysis`, statistics kept
//! once computed. The browser tests drive this same type.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tumorscope_analysis::{analyze_patient, AnalysisOptions, PatientStats};
use tumorscope_core::PatientImage;
use tumorscope_dataset::{Dataset, Exam};
use tumorscope_sources::{load_exam, LoadOptions};

use crate::{PatientSource, PatientSummary, StructureSummary};

/// Exams of a dataset (a patient's studies that have a volume: one per patient, or one per
/// study when a patient has several); ids are indices into that list.
pub struct DatasetSource {
    dataset: Dataset,
    /// Index into `dataset.patients` and into that patient's exams, of each id.
    entries: Vec<(usize, usize)>,
    load_options: LoadOptions,
    stats: Mutex<HashMap<u32, PatientStats>>,
}

impl DatasetSource {
    /// A source over `dataset`, loading with `load_options` (archive limits).
    pub fn new(dataset: Dataset, load_options: LoadOptions) -> Self {
        let entries = (0..dataset.patients.len())
            .flat_map(|n| (0..dataset.patients[n].exams().len()).map(move |e| (n, e)))
            .collect();
        Self {
            dataset,
            entries,
            load_options,
            stats: Mutex::new(HashMap::new()),
        }
    }

    /// The source with the statistics of some exams already known (by exam label; stored
    /// results, say): they are served as they are, not measured again.
    pub fn with_stats(self, known: impl IntoIterator<Item = (String, PatientStats)>) -> Self {
        for (label, stats) in known {
            if let Some(id) = self.id_of(&label) {
                self.known_stats().insert(id, stats);
            }
        }
        self
    }

    /// The dataset served.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// Number of patients served (those with a volume).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no patient has a volume.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The id of the exam labelled `label`; a patient's label names its first study.
    pub fn id_of(&self, label: &str) -> Option<u32> {
        let ids = 0..self.entries.len() as u32;
        ids.clone()
            .find(|&id| self.exam(id).is_some_and(|e| e.label == label))
            .or_else(|| {
                ids.into_iter()
                    .find(|&id| self.exam(id).is_some_and(|e| e.patient.label == label))
            })
    }

    fn exam(&self, id: u32) -> Option<Exam<'_>> {
        let &(n, e) = self.entries.get(id as usize)?;
        self.dataset.patients.get(n)?.exams().into_iter().nth(e)
    }

    /// Loads and analyses every patient whose statistics are not known yet (one image in memory
    /// at a time), so the patient list shows tumors and burden before each patient is opened;
    /// a failure is logged and the patient keeps no statistics.
    pub fn analyze_all(&self) {
        for id in 0..self.entries.len() as u32 {
            if self.known_stats().contains_key(&id) {
                continue;
            }
            match self.load(id) {
                Ok(image) => {
                    let _ = self.stats(id, &image);
                }
                Err(e) => tracing::warn!("cannot load patient {id} for statistics: {e}"),
            }
        }
    }

    fn known_stats(&self) -> MutexGuard<'_, HashMap<u32, PatientStats>> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl PatientSource for DatasetSource {
    fn patients(&self) -> Vec<PatientSummary> {
        let stats = self.known_stats();
        let mut out = Vec::with_capacity(self.entries.len());
        for id in 0..self.entries.len() as u32 {
            let Some(exam) = self.exam(id) else { continue };
            let s = exam.series;
            let known = stats.get(&id);
            out.push(PatientSummary {
                id,
                label: exam.label.clone(),
                series_description: s.description.clone(),
                modality: s.modality.clone(),
                geometry: s.geometry.clone(),
                structures: s
                    .structures
                    .iter()
                    .map(|m| StructureSummary {
                        name: m.name.clone(),
                        role: m.role,
                        color_rgb: m.color_rgb,
                    })
                    .collect(),
                tumor_count: known.map(|k| k.tumor_count),
                tumor_volume_ml: known.map(|k| k.tumor_volume_ml),
                tumor_burden_pct: known.and_then(|k| k.tumor_burden_pct),
                warnings: s.warnings.clone(),
            });
        }
        out
    }

    fn load(&self, id: u32) -> Result<Arc<PatientImage>, String> {
        let exam = self.exam(id).ok_or_else(|| format!("no patient `{id}`"))?;
        let loaded =
            load_exam(&self.dataset, &exam, &self.load_options).map_err(|e| e.to_string())?;
        for w in &loaded.warnings {
            tracing::warn!("`{}`: {w}", exam.label);
        }
        for s in &loaded.skipped {
            tracing::warn!("skipped: `{}`: {}", s.origin, s.reason);
        }
        Ok(Arc::new(loaded.image))
    }

    fn stats(&self, id: u32, image: &PatientImage) -> Option<PatientStats> {
        if let Some(s) = self.known_stats().get(&id) {
            return Some(s.clone());
        }
        match analyze_patient(image, &AnalysisOptions::default()) {
            Ok(stats) => {
                self.known_stats().insert(id, stats.clone());
                Some(stats)
            }
            Err(e) => {
                tracing::warn!("cannot analyse `{}`: {e}", image.patient);
                None
            }
        }
    }

    fn metadata(&self, id: u32) -> Vec<(String, String)> {
        let Some(exam) = self.exam(id) else {
            return Vec::new();
        };
        let s = exam.series;
        let h = &s.info;
        let mut out = Vec::new();
        let mut add = |k: &str, v: String| {
            if !v.trim().is_empty() {
                out.push((k.to_owned(), v));
            }
        };
        add("patient id", h.patient_id.clone());
        add("study date", h.study_date.clone());
        add("study", h.study_description.clone());
        add("manufacturer", format!("{} {}", h.manufacturer, h.model));
        add("institution", h.institution.clone());
        add("kVp", h.kvp.map(|v| v.to_string()).unwrap_or_default());
        add(
            "slice thickness",
            h.slice_thickness_mm
                .map(|v| format!("{v} mm"))
                .unwrap_or_default(),
        );
        add("transfer syntax", h.transfer_syntax.clone());
        add("photometric", h.photometric.clone());
        add("series uid", s.series_uid.clone());
        out
    }
}
