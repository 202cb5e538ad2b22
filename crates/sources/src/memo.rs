//! The scan memo: what a scan read from each file on disk, so the next scan of the same inputs
//! reads only the files that changed.
//!
//! The unit is a file on disk — a DICOM file, or a zip archive with everything inside it, nested
//! archives included — stamped with its size and modification time (the test git and make use).
//! A file whose stamp is unchanged is not opened: the entries it gave last time (each entry's
//! header, or why it was unreadable) are taken from its record instead, and the dataset is
//! assembled from them exactly as from a fresh reading. Anything that makes a record unusable (a
//! record written by another version of the readers, other archive limits, a record that does
//! not decode) makes the file be read again, never a different result.
//!
//! Above the files, the whole scan is remembered under a digest of every file's stamp under the
//! roots ([`tree_digest`]): when not one file was added, removed or changed, the scan's dataset is
//! the remembered one, and nothing is read or assembled at all.
//!
//! Records are opaque bytes to whoever stores them (the catalog keeps them in SQLite), so the
//! storage links no parser. Origins inside a record are kept relative to the file, so a record
//! still serves when the same folder is given under another spelling (relative, absolute).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tumorscope_dataset::{Dataset, Skipped};
use tumorscope_dicom::EntryHeader;
use tumorscope_ingest::{
    tree_digest, FileStamp, IngestError, MemoRow, Origin, TreeRecord, WalkOptions, WalkResult,
};

/// The version of what a record holds: bumped whenever the readers could read the same bytes
/// differently (header fields, verdicts, reasons), so older records are read again, not reused.
const RECORD_FORMAT: u32 = 1;

/// The records an earlier scan left, by file, and its whole result.
#[derive(Debug, Default)]
pub struct ScanMemo {
    files: HashMap<PathBuf, (FileStamp, Vec<u8>)>,
    tree: Option<TreeRecord>,
    /// Which build's records are taken (see [`ScanMemo::for_build`]).
    build: String,
}

impl ScanMemo {
    /// A memo built from stored rows.
    pub fn from_rows(rows: impl IntoIterator<Item = MemoRow>) -> Self {
        Self {
            files: rows
                .into_iter()
                .map(|r| (r.path, (r.stamp, r.record)))
                .collect(),
            tree: None,
            build: String::new(),
        }
    }

    /// Takes (and writes) only records of build `id`: the crate version alone cannot tell two
    /// builds of the same version apart, and a build whose readers changed must read again.
    pub fn for_build(mut self, id: &str) -> Self {
        self.build = id.to_owned();
        self
    }

    /// The reader a record names: this version and the build.
    fn reader(&self) -> String {
        format!("{}+{}", env!("CARGO_PKG_VERSION"), self.build)
    }

    /// The memo with the stored record of the last whole scan of the same roots.
    pub fn with_tree(mut self, tree: Option<TreeRecord>) -> Self {
        self.tree = tree;
        self
    }

    /// The dataset of the last whole scan of `paths`, when the tree's digest is still `digest`.
    pub(crate) fn unchanged_scan(&self, digest: &str, paths: &[PathBuf]) -> Option<Dataset> {
        let tree = self.tree.as_ref().filter(|t| t.digest == digest)?;
        let record: ScanRecord = serde_json::from_slice(&tree.record).ok()?;
        if record.format != RECORD_FORMAT || record.reader != self.reader() {
            return None;
        }
        // Only under the same spelling of the roots: a dataset's origins, locations and
        // warnings all name files as the scan was given them.
        (record.dataset.roots == paths).then_some(record.dataset)
    }

    /// How many files the memo has records of.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the memo is empty (a first scan).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The record of `path` when its stamp is still `stamp` and it decodes for these options.
    pub(crate) fn reusable(
        &self,
        path: &Path,
        stamp: FileStamp,
        walk: &WalkOptions,
    ) -> Option<FileRecord> {
        let (stored, bytes) = self.files.get(path)?;
        if *stored != stamp {
            return None;
        }
        let record = FileRecord::decode(bytes, &self.reader())?;
        (record.walk == walk_key(walk)).then_some(record)
    }
}

/// What a scan did with the memo: the rows to store for the next scan, and the files whose
/// rows stay as they are. A stored row under the scanned roots that is in neither list is of a
/// file that is gone, and can be dropped.
#[derive(Debug, Default)]
pub struct MemoUpdate {
    /// Not one file under the roots changed: the dataset is the remembered one, and nothing
    /// needs storing (`fresh`, `unchanged` and `tree` are empty).
    pub nothing_changed: bool,
    /// A new row for every file on disk this scan read.
    pub fresh: Vec<MemoRow>,
    /// The files not read because their record was current (their stored rows stay).
    pub unchanged: Vec<PathBuf>,
    /// The whole scan's record, to store under these roots.
    pub tree: Option<TreeRecord>,
    /// How many files under the roots were not read (all of them when nothing changed).
    pub files_not_read: usize,
}

/// The whole scan as remembered: the dataset as that scan returned it.
#[derive(Serialize, Deserialize)]
struct ScanRecord {
    format: u32,
    reader: String,
    dataset: Dataset,
}

/// The digest a whole scan of `paths` is remembered under: the tree's files, the archive
/// limits and the readers' version (a scan under other limits, or by another version, is not
/// the same scan), and how many files there are.
pub(crate) fn scan_digest(
    paths: &[PathBuf],
    walk: &WalkOptions,
    memo: &ScanMemo,
) -> (String, usize) {
    let (tree, files) = tree_digest(paths, walk.follow_symlinks);
    (
        format!(
            "{tree}:{}:{RECORD_FORMAT}:{}",
            memo.reader(),
            walk_key(walk)
        ),
        files,
    )
}

/// The whole scan's record, under `digest`.
pub(crate) fn scan_record(
    dataset: &Dataset,
    digest: String,
    memo: &ScanMemo,
) -> Option<TreeRecord> {
    let record = ScanRecord {
        format: RECORD_FORMAT,
        reader: memo.reader(),
        dataset: dataset.clone(),
    };
    Some(TreeRecord {
        digest,
        record: serde_json::to_vec(&record).ok()?,
    })
}

/// What one file on disk gave a scan: its entries (origins relative to the file), the entries
/// that could not be read, and the NIfTI files inside its archives (named, not read).
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct FileRecord {
    format: u32,
    reader: String,
    walk: String,
    pub items: Vec<(String, EntryHeader)>,
    pub skipped: Vec<(String, String)>,
    pub nifti_in_archives: Vec<String>,
}

impl FileRecord {
    /// An empty record for a file read under `walk` by `reader`.
    pub fn new(walk: &WalkOptions, reader: String) -> Self {
        Self {
            format: RECORD_FORMAT,
            reader,
            walk: walk_key(walk),
            ..Self::default()
        }
    }

    /// The record as stored. Encoding plain data cannot fail except on a non-finite float,
    /// which JSON cannot carry: such a file is then simply not remembered.
    pub fn encode(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(self).ok()
    }

    fn decode(bytes: &[u8], reader: &str) -> Option<Self> {
        let record: Self = serde_json::from_slice(bytes).ok()?;
        (record.format == RECORD_FORMAT && record.reader == reader).then_some(record)
    }

    /// Turns a reading of this file back into skipped entries, origins under `file_origin`.
    pub fn skipped_under(&self, file_origin: &str) -> impl Iterator<Item = Skipped> + '_ {
        let file_origin = file_origin.to_owned();
        self.skipped.iter().map(move |(rest, reason)| Skipped {
            origin: format!("{file_origin}{rest}"),
            reason: reason.clone(),
        })
    }
}

/// The archive limits a record was read under: a record read under other limits may hold a
/// different verdict (an archive too large then, fine now).
fn walk_key(walk: &WalkOptions) -> String {
    format!("{walk:?}")
}

/// The memo at work during one scan: which files on disk it let the walk skip (with their
/// records) and which it let the walk read (to record them afterwards).
pub(crate) struct MemoFiles<'m> {
    memo: &'m ScanMemo,
    walk: &'m WalkOptions,
    /// Each root as given and as an absolute path: a file's key is its absolute path, made from
    /// its root's without asking the filesystem again.
    roots: Vec<(PathBuf, PathBuf)>,
    reused: Mutex<Vec<(String, PathBuf, FileRecord)>>,
    read: Mutex<Vec<(String, PathBuf, FileStamp)>>,
}

impl<'m> MemoFiles<'m> {
    pub fn new(paths: &[PathBuf], memo: &'m ScanMemo, walk: &'m WalkOptions) -> Self {
        Self {
            memo,
            walk,
            roots: paths
                .iter()
                .map(|p| {
                    let absolute = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
                    (p.clone(), absolute)
                })
                .collect(),
            reused: Mutex::default(),
            read: Mutex::default(),
        }
    }

    /// Whether the walk may skip `origin` because its record is current (then kept for
    /// [`finish`](Self::finish)); a file on disk it must read is noted to be recorded.
    pub fn reuse(&self, origin: &Origin) -> bool {
        if origin.is_in_archive() {
            return false;
        }
        let path = origin.filesystem_path();
        let Some(stamp) = FileStamp::of(path) else {
            return false; // a folder (or gone): walked as usual
        };
        let key = self.key(path);
        if let Some(record) = self.memo.reusable(&key, stamp, self.walk) {
            lock(&self.reused).push((origin.as_str().to_owned(), key, record));
            return true;
        }
        lock(&self.read).push((origin.as_str().to_owned(), key, stamp));
        false
    }

    /// The absolute path of a file on disk under one of the roots.
    fn key(&self, path: &Path) -> PathBuf {
        self.roots
            .iter()
            .filter_map(|(given, absolute)| {
                let rest = path.strip_prefix(given).ok()?;
                Some((given.as_os_str().len(), absolute.join(rest)))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, key)| key)
            .unwrap_or_else(|| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }

    /// Records every file read now from what the walk gave, then adds the entries, unreadable
    /// entries and archived NIfTI names of the skipped files to the walk's.
    pub fn finish(
        self,
        result: &mut WalkResult<EntryHeader>,
        nifti_in_archives: &mut Vec<String>,
        skipped: &mut Vec<Skipped>,
    ) -> MemoUpdate {
        let read = self.read.into_inner().unwrap_or_else(|e| e.into_inner());
        // A file the walk met twice (overlapping roots) gave its entries twice: it is not
        // remembered, so a later scan reads it (and meets it twice) as a full scan does.
        let mut times: HashMap<&str, usize> = HashMap::new();
        for (origin, _, _) in &read {
            *times.entry(origin.as_str()).or_default() += 1;
        }
        let mut records: HashMap<String, FileRecord> = read
            .iter()
            .filter(|(origin, _, _)| times[origin.as_str()] == 1)
            .map(|(origin, _, _)| {
                (
                    origin.clone(),
                    FileRecord::new(self.walk, self.memo.reader()),
                )
            })
            .collect();
        // The file on disk an origin lies in, and the rest of the origin after it.
        let split = |origin: &str| {
            let file = Origin::from(origin)
                .filesystem_path()
                .to_string_lossy()
                .into_owned();
            let rest = origin.get(file.len()..).unwrap_or_default().to_owned();
            (file, rest)
        };
        for (origin, header) in &result.items {
            let (file, rest) = split(origin.as_str());
            if let Some(record) = records.get_mut(&file) {
                record.items.push((rest, header.clone()));
            }
        }
        for error in &result.errors {
            let s = Skipped::from(error);
            let (file, rest) = split(&s.origin);
            if matches!(error, IngestError::Io { .. }) {
                // An I/O error may not happen again: such a file is read next time.
                records.remove(&file);
            } else if let Some(record) = records.get_mut(&file) {
                record.skipped.push((rest, s.reason));
            }
        }
        for origin in nifti_in_archives.iter() {
            let (file, rest) = split(origin);
            if let Some(record) = records.get_mut(&file) {
                record.nifti_in_archives.push(rest);
            }
        }
        let mut update = MemoUpdate::default();
        for (origin, key, stamp) in &read {
            if let Some(record) = records.get(origin).and_then(FileRecord::encode) {
                update.fresh.push(MemoRow {
                    path: key.clone(),
                    stamp: *stamp,
                    record,
                });
            }
        }
        for (file, key, record) in self.reused.into_inner().unwrap_or_else(|e| e.into_inner()) {
            skipped.extend(record.skipped_under(&file));
            nifti_in_archives.extend(
                record
                    .nifti_in_archives
                    .iter()
                    .map(|rest| format!("{file}{rest}")),
            );
            result.items.extend(
                record
                    .items
                    .into_iter()
                    .map(|(rest, header)| (Origin::from(format!("{file}{rest}")), header)),
            );
            update.unchanged.push(key);
            update.files_not_read += 1;
        }
        // In the walk's order, so assembly sees what a full reading gives.
        result.items.sort_by(|a, b| a.0.cmp(&b.0));
        update
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
