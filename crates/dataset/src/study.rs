//! Studies and exams: a patient holds studies (one visit each: baseline, follow-up …), a study
//! holds series. An *exam* is a study with a volume to measure; analysis, export and the viewer
//! take one exam at a time, so two studies of one patient are never merged nor one dropped.

use crate::{Patient, Series};

/// One study of a patient: its series, in the patient's series order.
#[derive(Debug, Clone, PartialEq)]
pub struct Study<'a> {
    /// Study Instance UID (empty when the format has none, as for NIfTI).
    pub study_uid: &'a str,
    /// Study Date as stored (`YYYYMMDD` in DICOM; empty when unknown).
    pub date: &'a str,
    pub description: &'a str,
    pub series: Vec<&'a Series>,
}

impl<'a> Study<'a> {
    /// The series analysis and viewing use: the volume with the most structures, CT first,
    /// then the most slices (the rule of [`Patient::primary_series`], within the study).
    pub fn primary_series(&self) -> Option<&'a Series> {
        self.series
            .iter()
            .copied()
            .filter(|s| s.is_volume())
            .max_by_key(|s| (s.structures.len(), s.modality == "CT", s.slices.len()))
    }

    /// The date as `YYYY-MM-DD` when it is a DICOM date, else as stored.
    pub fn date_iso(&self) -> String {
        let d = self.date.trim();
        if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) {
            format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..])
        } else {
            d.to_owned()
        }
    }
}

/// A study with a volume to measure, and the name it goes by in every output.
#[derive(Debug, Clone, PartialEq)]
pub struct Exam<'a> {
    pub patient: &'a Patient,
    /// The patient's label when it has one exam; `label@YYYY-MM-DD` (or `label@study-N` when
    /// dates are missing or shared) when it has several, so outputs stay unique per row.
    pub label: String,
    pub study: Study<'a>,
    /// The study's primary series.
    pub series: &'a Series,
}

impl Patient {
    /// The patient's studies, oldest first (undated ones last, in order of appearance).
    pub fn studies(&self) -> Vec<Study<'_>> {
        let mut studies: Vec<Study<'_>> = Vec::new();
        for s in &self.series {
            match studies.iter_mut().find(|t| t.study_uid == s.study_uid) {
                Some(t) => t.series.push(s),
                None => studies.push(Study {
                    study_uid: &s.study_uid,
                    date: &s.info.study_date,
                    description: &s.info.study_description,
                    series: vec![s],
                }),
            }
        }
        // Stable: studies of one date (or none) keep the order they were found in.
        studies.sort_by_key(|t| (t.date.trim().is_empty(), t.date.trim().to_owned()));
        studies
    }

    /// The studies that hold a volume, each with the label it is reported under.
    pub fn exams(&self) -> Vec<Exam<'_>> {
        let with_volume: Vec<(Study<'_>, &Series)> = self
            .studies()
            .into_iter()
            .filter_map(|t| t.primary_series().map(|s| (t, s)))
            .collect();
        let single = with_volume.len() == 1;
        let dates: Vec<String> = with_volume.iter().map(|(t, _)| t.date_iso()).collect();
        with_volume
            .into_iter()
            .enumerate()
            .map(|(n, (study, series))| {
                let date = &dates[n];
                let label = if single {
                    self.label.clone()
                } else if !date.is_empty() && dates.iter().filter(|d| *d == date).count() == 1 {
                    format!("{}@{date}", self.label)
                } else {
                    format!("{}@study-{}", self.label, n + 1)
                };
                Exam {
                    patient: self,
                    label,
                    study,
                    series,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use tumorscope_core::Geometry;

    use crate::{Layout, Patient, Series, SeriesInfo, SeriesSource, SliceRef};

    fn series(uid: &str, study: &str, date: &str, slices: usize) -> Series {
        Series {
            series_uid: uid.into(),
            study_uid: study.into(),
            modality: "CT".into(),
            description: String::new(),
            geometry: Geometry::axial([4, 4, slices], [1.0, 1.0, 1.0], [0.0; 3]),
            source: SeriesSource::DicomSlices,
            slices: (0..slices)
                .map(|k| SliceRef {
                    frame: None,
                    sop_instance_uid: String::new(),
                    origin: format!("{uid}/{k}"),
                    k,
                    normal_mm: k as f64,
                    instance_number: None,
                })
                .collect(),
            structures: vec![],
            warnings: vec![],
            localizer: false,
            missing_k: vec![],
            info: SeriesInfo {
                study_date: date.into(),
                frames_per_file: 1,
                ..SeriesInfo::default()
            },
        }
    }

    fn patient(series: Vec<Series>) -> Patient {
        Patient {
            label: "P1".into(),
            layout: Layout::Generic,
            root: 0,
            location: String::new(),
            series,
            unattached: vec![],
        }
    }

    #[test]
    fn one_study_keeps_the_patient_label() {
        let p = patient(vec![
            series("1", "A", "20200101", 5),
            series("2", "A", "20200101", 9),
        ]);
        let exams = p.exams();
        assert_eq!(exams.len(), 1);
        assert_eq!(exams[0].label, "P1");
        assert_eq!(exams[0].series.series_uid, "2");
    }

    #[test]
    fn studies_are_dated_oldest_first_and_labelled_by_date() {
        let p = patient(vec![
            series("2", "B", "20210315", 5),
            series("1", "A", "20200101", 5),
        ]);
        let labels: Vec<String> = p.exams().into_iter().map(|e| e.label).collect();
        assert_eq!(labels, ["P1@2020-01-01", "P1@2021-03-15"]);
        assert_eq!(p.studies()[0].study_uid, "A");
    }

    #[test]
    fn shared_or_missing_dates_fall_back_to_the_study_number() {
        let p = patient(vec![
            series("1", "A", "20200101", 5),
            series("2", "B", "20200101", 5),
            series("3", "C", "", 5),
        ]);
        let labels: Vec<String> = p.exams().into_iter().map(|e| e.label).collect();
        assert_eq!(labels, ["P1@study-1", "P1@study-2", "P1@study-3"]);
    }
}
