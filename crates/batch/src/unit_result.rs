//! One patient's result as a batch task leaves it: `PLAN/results/<key>.json`, everything
//! `merge` needs (the exams' reports, the files skipped, the failures), and what it was made
//! from, so a rerun can tell whether it is still current.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tumorscope_report::Failure;

use crate::{BatchError, Plan, Unit};

/// The results folder inside the plan folder.
pub const RESULTS_DIR: &str = "results";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub key: String,
    pub content_hash: String,
    /// [`inputs_stamp`](crate::inputs_stamp) of the patient when its task scanned it: what the
    /// catalog keys the result by (`merge --db`); empty in results of older versions.
    #[serde(default)]
    pub inputs_stamp: String,
    pub options_hash: String,
    pub tool: String,
    /// One `PatientReport` record per exam (`PatientReport::to_record`).
    pub exams: Vec<serde_json::Value>,
    /// Files skipped while loading: `(origin, reason)`.
    pub skipped: Vec<(String, String)>,
    pub failures: Vec<Failure>,
}

impl UnitResult {
    /// An empty result of `unit` made now from bytes hashing to `content_hash`.
    pub fn new(plan: &Plan, unit: &Unit, content_hash: &str) -> UnitResult {
        UnitResult {
            key: unit.key.clone(),
            content_hash: content_hash.to_owned(),
            inputs_stamp: String::new(),
            options_hash: plan.options_hash.clone(),
            tool: plan.tool.clone(),
            exams: Vec::new(),
            skipped: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// Reads a result file.
    pub fn read(path: &Path) -> Result<UnitResult, BatchError> {
        let bytes = std::fs::read(path).map_err(|source| BatchError::Read {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|source| BatchError::Format {
            path: path.to_owned(),
            source,
        })
    }

    /// Whether this result was made from `unit`'s current bytes (`content_hash`, computed now)
    /// with `plan`'s options and tool version.
    pub fn is_current(&self, plan: &Plan, unit: &Unit, content_hash: &str) -> bool {
        self.key == unit.key
            && self.content_hash == content_hash
            && self.options_hash == plan.options_hash
            && self.tool == plan.tool
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// `PLAN/results/<key>-<hash>.json`: the key made safe as a file name, with a short hash of the
/// key so two keys that read alike never share a file.
pub fn result_path(plan_dir: &Path, key: &str) -> PathBuf {
    let safe: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let digest = Sha256::digest(key.as_bytes());
    let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    plan_dir
        .join(RESULTS_DIR)
        .join(format!("{safe}-{short}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_read_alike_get_their_own_files() {
        let a = result_path(Path::new("p"), "a/b");
        let b = result_path(Path::new("p"), "a_b");
        assert_ne!(a, b);
        assert!(a.starts_with("p/results"));
        assert!(a.file_name().unwrap().to_str().unwrap().starts_with("a_b-"));
    }
}
