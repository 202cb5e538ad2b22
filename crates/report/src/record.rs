//! A [`PatientReport`] as a JSON record that reads back to an equal value: the batch runner's
//! per-patient result, merged later into the same tables and pages `analyze` writes.
//! Thumbnails travel as base64 PNGs; NaN radiomics values as `null`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tumorscope_analysis::PatientStats;

use crate::model::{PatientReport, StudyRef};
use crate::ReportError;

#[derive(Serialize, Deserialize)]
struct Record {
    stats: PatientStats,
    warnings: Vec<String>,
    source: String,
    study: StudyRef,
    /// Tumour id → base64 PNG.
    thumbnails: BTreeMap<u32, String>,
}

impl PatientReport {
    /// The report as a JSON value (see the module documentation).
    pub fn to_record(&self) -> Result<serde_json::Value, ReportError> {
        let record = Record {
            stats: self.stats.clone(),
            warnings: self.warnings.clone(),
            source: self.source.clone(),
            study: self.study.clone(),
            thumbnails: self
                .thumbnails
                .iter()
                .map(|(id, png)| {
                    let mut text = String::new();
                    crate::base64::encode_into(png, &mut text);
                    (*id, text)
                })
                .collect(),
        };
        serde_json::to_value(record).map_err(|source| ReportError::Json {
            what: "patient record",
            source,
        })
    }

    /// Reads back what [`PatientReport::to_record`] wrote.
    pub fn from_record(value: serde_json::Value) -> Result<Self, ReportError> {
        let record: Record = serde_json::from_value(value).map_err(|source| ReportError::Json {
            what: "patient record",
            source,
        })?;
        let mut thumbnails = BTreeMap::new();
        for (id, text) in record.thumbnails {
            let png = crate::base64::decode(&text).ok_or(ReportError::NotPng {
                patient: record.stats.patient.clone(),
                tumor_id: id,
            })?;
            thumbnails.insert(id, png);
        }
        Ok(PatientReport {
            stats: record.stats,
            warnings: record.warnings,
            source: record.source,
            study: record.study,
            thumbnails,
        })
    }
}
