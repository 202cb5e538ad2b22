//! The plan: the analysis settings and one [`Unit`] per patient, in the scan's order, saved as
//! `PLAN/plan.json`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tumorscope_analysis::AnalysisOptions;
use tumorscope_dataset::{Patient, SeriesSource, Structure};
use tumorscope_ingest::{FileStamp, WalkOptions, ARCHIVE_SEPARATOR};

use crate::BatchError;

/// The manifest's file name inside the plan folder.
pub const PLAN_FILE: &str = "plan.json";

/// What `run` and `merge` need to know of a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// `tumorscope <version>` that wrote the plan; results of another version are redone.
    pub tool: String,
    /// The inputs, absolute, as scanned.
    pub inputs: Vec<PathBuf>,
    /// The analysis every task runs.
    pub options: AnalysisOptions,
    /// The settings as the provenance of the merged report records them.
    pub settings: serde_json::Value,
    /// Whether tasks draw the report's tumour thumbnails.
    pub thumbnails: bool,
    /// A hash of `options` and `thumbnails`: results made with other options are redone.
    pub options_hash: String,
    /// Units per array task, and the number of tasks.
    pub per_task: usize,
    pub tasks: usize,
    pub units: Vec<Unit>,
    /// Inputs the plan's scan could not read, `(origin, reason)`: the merged report lists them
    /// as `analyze` would.
    #[serde(default)]
    pub skipped: Vec<(String, String)>,
    /// The archive limits the plan's scan ran with, as the front end records them; tasks
    /// re-scan with the same (`null`: the defaults).
    #[serde(default)]
    pub scan_limits: serde_json::Value,
}

/// One patient of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// The patient's label in a scan of all the inputs (unique in the plan).
    pub key: String,
    /// Where the scan found the patient (its folder, archive levels as folders).
    pub location: String,
    /// The dataset layout (`ircad`, `generic`, …).
    pub layout: String,
    /// What a task scans to find this patient again: the patient's own folder when no other
    /// patient has files under it, else the files (archives) that hold its data.
    pub scan_paths: Vec<PathBuf>,
    /// Files (archive entries included) the patient is made of.
    pub files: usize,
    /// The files on disk (folders' files, archives) that hold them.
    pub disk_files: Vec<PathBuf>,
    /// Bytes of the files on disk that hold them.
    pub bytes: u64,
    /// SHA-256 over those files' paths, sizes and contents: a result made from other bytes is
    /// redone.
    pub content_hash: String,
}

impl Plan {
    /// A plan of `units`, `per_task` of them per array task (at least 1).
    pub fn new(
        inputs: Vec<PathBuf>,
        options: AnalysisOptions,
        settings: serde_json::Value,
        thumbnails: bool,
        per_task: usize,
        units: Vec<Unit>,
    ) -> Plan {
        let per_task = per_task.max(1);
        let options_hash = options_hash(&options, thumbnails);
        Plan {
            tool: concat!("tumorscope ", env!("CARGO_PKG_VERSION")).to_owned(),
            inputs,
            options,
            settings,
            thumbnails,
            options_hash,
            per_task,
            tasks: units.len().div_ceil(per_task).max(1),
            units,
            skipped: Vec::new(),
            scan_limits: serde_json::Value::Null,
        }
    }

    /// Reads `DIR/plan.json`.
    pub fn read(dir: &Path) -> Result<Plan, BatchError> {
        let path = dir.join(PLAN_FILE);
        let bytes = std::fs::read(&path).map_err(|source| BatchError::Read {
            path: path.clone(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|source| BatchError::Format { path, source })
    }

    /// The manifest as written to `plan.json`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).unwrap_or_default();
        out.push(b'\n');
        out
    }
}

/// How many patients have data in each file on disk (see [`disk_files`]).
pub fn file_owners<'a>(
    patients: impl IntoIterator<Item = &'a Patient>,
) -> BTreeMap<PathBuf, usize> {
    let mut owners = BTreeMap::new();
    for p in patients {
        for f in disk_files(p) {
            *owners.entry(f).or_insert(0) += 1;
        }
    }
    owners
}

/// The unit of `patient` under the input folders `roots`; `owners` ([`file_owners`] of every
/// patient) tells whether a folder holds this patient's data alone.
pub fn unit_of(
    patient: &Patient,
    roots: &[PathBuf],
    owners: &BTreeMap<PathBuf, usize>,
) -> Result<Unit, BatchError> {
    let origins = origins(patient);
    let disk = disk_files(patient);
    // Paths order component by component, so a folder's descendants follow it contiguously.
    let alone = |folder: &PathBuf| {
        owners
            .range(folder.clone()..)
            .take_while(|(p, _)| p.starts_with(folder))
            .all(|(p, &n)| n == 1 && disk.contains(p))
    };
    let scan_paths = match common_folder(&disk) {
        Some(folder)
            if roots.iter().any(|r| r.is_dir() && folder.starts_with(r)) && alone(&folder) =>
        {
            vec![folder]
        }
        _ => disk.iter().cloned().collect(),
    };
    let mut bytes = 0;
    for path in &disk {
        bytes += std::fs::metadata(path)
            .map_err(|source| BatchError::Read {
                path: path.clone(),
                source,
            })?
            .len();
    }
    Ok(Unit {
        key: patient.label.clone(),
        location: patient.location.clone(),
        layout: serde_json::to_value(patient.layout)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        scan_paths,
        files: origins.len(),
        disk_files: disk.iter().cloned().collect(),
        bytes,
        content_hash: content_hash(&disk)?,
    })
}

/// The files on disk a patient's data lies in (for [`unit_of`]'s `others`).
pub fn disk_files(patient: &Patient) -> BTreeSet<PathBuf> {
    origins(patient)
        .iter()
        .map(|o| PathBuf::from(o.split(ARCHIVE_SEPARATOR).next().unwrap_or_default()))
        .collect()
}

/// What a result depends on besides its inputs and the tool: the measurement options and whether
/// it carries thumbnails, as a SHA-256.
pub fn options_hash(options: &AnalysisOptions, thumbnails: bool) -> String {
    hex(&Sha256::digest(
        serde_json::to_vec(&(options, thumbnails)).unwrap_or_default(),
    ))
}

/// `stamps:` and a SHA-256 over what a result of `patient` is made from, as far as it can be
/// told without reading a byte: the archive limits the scan ran under (`walk`), which entries
/// make the patient (its origins, with the file on disk named by its absolute path), and each of
/// those files' size and modification time. What `analyze --db` and `merge --db` key a stored
/// result by; a file changed in place without a new size or time goes unnoticed (the scan
/// memo's test; [`content_hash`] reads every byte instead).
pub fn inputs_stamp(patient: &Patient, walk: &WalkOptions) -> String {
    let mut absolute: BTreeMap<String, String> = BTreeMap::new();
    let mut hash = Sha256::new();
    hash.update(format!("{walk:?}").as_bytes());
    hash.update([0]);
    for origin in origins(patient) {
        let (file, rest) = origin
            .split_once(ARCHIVE_SEPARATOR)
            .map_or((origin.as_str(), ""), |(f, r)| (f, r));
        let file = absolute.entry(file.to_owned()).or_insert_with(|| {
            std::fs::canonicalize(file)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| file.to_owned())
        });
        hash.update(file.as_bytes());
        hash.update(ARCHIVE_SEPARATOR.as_bytes());
        hash.update(rest.as_bytes());
        hash.update([0]);
    }
    for file in absolute.values() {
        hash.update(file.as_bytes());
        match FileStamp::of(Path::new(file)) {
            Some(s) => {
                hash.update(s.size_bytes.to_le_bytes());
                hash.update(s.modified_ns.to_le_bytes());
            }
            None => hash.update(b"missing"),
        }
    }
    format!("stamps:{}", hex(&hash.finalize()))
}

/// SHA-256 over each file's path, size and bytes, in path order.
pub fn content_hash(files: &BTreeSet<PathBuf>) -> Result<String, BatchError> {
    let mut hash = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    for path in files {
        let read = |source| BatchError::Read {
            path: path.clone(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(read)?;
        let size = file.metadata().map_err(read)?.len();
        hash.update(path.to_string_lossy().as_bytes());
        hash.update([0]);
        hash.update(size.to_le_bytes());
        loop {
            let n = file.read(&mut buffer).map_err(read)?;
            if n == 0 {
                break;
            }
            hash.update(&buffer[..n]);
        }
    }
    Ok(hex(&hash.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every origin a patient's series and structures are read from.
fn origins(patient: &Patient) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let structure = |s: &Structure, out: &mut BTreeSet<String>| {
        out.extend(s.slices.iter().map(|r| r.origin.clone()));
        if let Some(seg) = &s.segmentation {
            out.insert(seg.origin.clone());
        }
        if let Some(c) = &s.contours {
            out.insert(c.origin.clone());
        }
    };
    for series in &patient.series {
        out.extend(series.slices.iter().map(|r| r.origin.clone()));
        if let SeriesSource::Nifti(n) = &series.source {
            let paths = std::iter::once(&n.image)
                .chain(&n.labels)
                .chain(n.structure_files.iter().map(|(_, p)| p))
                .chain(&n.segmentations);
            out.extend(paths.map(|p| p.to_string_lossy().into_owned()));
        }
        for s in &series.structures {
            structure(s, &mut out);
        }
    }
    for s in &patient.unattached {
        structure(s, &mut out);
    }
    out
}

/// The deepest folder holding every file (`None` without files).
fn common_folder(files: &BTreeSet<PathBuf>) -> Option<PathBuf> {
    let mut folders = files.iter().map(|f| f.parent().unwrap_or(Path::new("")));
    let mut common = folders.next()?.to_owned();
    for f in folders {
        while !f.starts_with(&common) {
            common = common.parent()?.to_owned();
        }
    }
    Some(common)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_folder_is_the_deepest_shared_one() {
        let files: BTreeSet<PathBuf> = ["/d/p1/a.zip", "/d/p1/b.zip"]
            .into_iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(common_folder(&files), Some(PathBuf::from("/d/p1")));
        let files: BTreeSet<PathBuf> = ["/d/p1/a.zip", "/d/p2/x/b.zip"]
            .into_iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(common_folder(&files), Some(PathBuf::from("/d")));
    }

    #[test]
    fn the_hash_follows_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, b"one").unwrap();
        let files: BTreeSet<PathBuf> = [a.clone()].into_iter().collect();
        let first = content_hash(&files).unwrap();
        assert_eq!(first, content_hash(&files).unwrap());
        std::fs::write(&a, b"two").unwrap();
        assert_ne!(first, content_hash(&files).unwrap());
        std::fs::remove_file(&a).unwrap();
        assert!(matches!(content_hash(&files), Err(BatchError::Read { .. })));
    }
}
