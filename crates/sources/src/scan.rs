//! The scan: every file under the given paths → one format-neutral [`Dataset`].
//!
//! Entries are walked once (folders and archives at any depth) and each is read only as far as
//! its DICOM header; NIfTI files are found on disk by their own discovery. Adding a format that
//! reads entries means one more arm in [`scan_entry`]; one that discovers files on disk, one
//! more call beside [`nifti_patients`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::duplicates::drop_duplicates;
use crate::memo::{scan_digest, scan_record, MemoFiles, MemoUpdate, ScanMemo};
use tumorscope_dataset::{make_labels_unique, natural_cmp, Dataset, NonImageObject, Skipped};
use tumorscope_dicom::layout::classify_path_and_folder;
use tumorscope_dicom::{
    assemble, attach_rtstructs, attach_segmentations, non_image_kind, read_entry_header,
    EntryHeader, ScannedInstance, ScannedRtStruct, ScannedSeg,
};
use tumorscope_ingest::{walk, Entry, Origin, Visit, WalkOptions};
use tumorscope_nifti::{is_nifti_name, nifti_patients};

/// Options of [`scan`].
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Archive limits.
    pub walk: WalkOptions,
}

/// Scans `paths` (folders, files, zip archives at any depth) and organizes what it finds.
/// `on_entry` is called once per entry read (for progress bars).
pub fn scan(paths: &[PathBuf], options: &ScanOptions, on_entry: &(dyn Fn() + Sync)) -> Dataset {
    scan_inner(paths, options, None, on_entry).0
}

/// [`scan`], reading only the files on disk whose size or modification time changed since the
/// scan `memo` remembers: the others' entries are taken from their records (see [`ScanMemo`]).
/// The dataset is the one [`scan`] would return; the update says what to store for next time.
pub fn scan_with_memo(
    paths: &[PathBuf],
    options: &ScanOptions,
    memo: &ScanMemo,
    on_entry: &(dyn Fn() + Sync),
) -> (Dataset, MemoUpdate) {
    scan_inner(paths, options, Some(memo), on_entry)
}

fn scan_inner(
    paths: &[PathBuf],
    options: &ScanOptions,
    memo: Option<&ScanMemo>,
    on_entry: &(dyn Fn() + Sync),
) -> (Dataset, MemoUpdate) {
    // A path given twice (or two spellings of one path) is read once.
    let mut seen = std::collections::HashSet::new();
    let paths: Vec<PathBuf> = paths
        .iter()
        .filter(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())))
        .cloned()
        .collect();
    let paths = paths.as_slice();
    // Stamps are taken before anything is read: a file that changes during the scan then
    // differs from its stamp next time, and is read again.
    let digest = memo.map(|memo| scan_digest(paths, &options.walk, memo));
    if let (Some(memo), Some((digest, files))) = (memo, &digest) {
        if let Some(dataset) = memo.unchanged_scan(digest, paths) {
            let update = MemoUpdate {
                nothing_changed: true,
                files_not_read: *files,
                ..MemoUpdate::default()
            };
            return (dataset, update);
        }
    }
    let files = memo.map(|memo| MemoFiles::new(paths, memo, &options.walk));
    // NIfTI files are read by their own discovery below (on disk) and never count as junk;
    // inside an archive they cannot be read yet, and the user is told.
    let nifti_in_archives = Mutex::new(Vec::new());
    let select = |o: &Origin| {
        if is_nifti_name(o.file_name()) {
            if o.is_in_archive() {
                nifti_in_archives
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(o.to_string());
            }
            Visit::Skip
        } else if files.as_ref().is_some_and(|f| f.reuse(o)) {
            Visit::Skip
        } else {
            Visit::Enter
        }
    };
    let visit = |entry: Entry<'_>| {
        let out = scan_entry(entry);
        on_entry();
        out
    };
    let mut result = walk(paths, &options.walk, &select, &visit);
    let mut nifti_in_archives = nifti_in_archives
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let mut memo_update = MemoUpdate::default();
    let mut remembered_skips = Vec::new();
    if let Some(files) = files {
        // Records of the files read now are made before their entries are consumed; the
        // entries of unchanged files join the walk's as if it had read them.
        memo_update = files.finish(&mut result, &mut nifti_in_archives, &mut remembered_skips);
    }

    let mut skipped: Vec<Skipped> = result.errors.iter().map(Skipped::from).collect();
    skipped.extend(remembered_skips);
    let mut ignored = Vec::new();
    let mut instances = Vec::new();
    let mut non_image = Vec::new();
    let mut segs = Vec::new();
    let mut structure_sets = Vec::new();
    let mut count = 0;
    for (origin, scanned) in result.items {
        match scanned {
            EntryHeader::Header(header) if non_image_kind(&header).is_some() => {
                count += 1;
                non_image.push(NonImageObject {
                    origin: origin.to_string(),
                    kind: non_image_kind(&header).unwrap_or_default(),
                    sop_class_uid: header.sop_class_uid.clone(),
                });
            }
            EntryHeader::Header(header) => {
                count += 1;
                let root = root_of(paths, &origin);
                let (role, patient_folder) = classify_path_and_folder(&origin.segments());
                instances.push(ScannedInstance {
                    role,
                    patient_folder,
                    origin: origin.to_string(),
                    root,
                    header: *header,
                    frame: None,
                    stack: None,
                });
            }
            EntryHeader::MultiFrame(header, frames) => {
                // Each frame stands as an instance of its own, placed by its functional
                // groups: ordering, geometry checks and mask attachment treat it like a slice.
                count += 1;
                let root = root_of(paths, &origin);
                let (role, patient_folder) = classify_path_and_folder(&origin.segments());
                let stacks = stack_count(&frames);
                // A key per frame is no stack: a dimension that numbers the frames.
                let split = stacks > 1 && stacks < frames.len();
                for (n, f) in frames.into_iter().enumerate() {
                    let mut h = (*header).clone();
                    h.frames = 1;
                    h.position_mm = f.position_mm;
                    h.orientation = f.orientation.or(h.orientation);
                    // Pixel Measures are in DICOM order (between rows, between columns); the
                    // header keeps (x, y) as every single-frame header does.
                    h.pixel_spacing_mm = f
                        .spacing_mm
                        .map(|[row, column]| [column, row])
                        .or(h.pixel_spacing_mm);
                    if let Some((slope, intercept)) = f.rescale {
                        h.rescale_slope = Some(slope);
                        h.rescale_intercept = Some(intercept);
                    }
                    h.instance_number = Some(n as i64 + 1);
                    instances.push(ScannedInstance {
                        role: role.clone(),
                        patient_folder: patient_folder.clone(),
                        origin: origin.to_string(),
                        root,
                        header: h,
                        frame: Some(n as u32),
                        stack: split.then_some(f.stack),
                    });
                }
            }
            EntryHeader::Segmentation(header, seg) => {
                count += 1;
                segs.push(ScannedSeg {
                    root: root_of(paths, &origin),
                    origin: origin.to_string(),
                    header: *header,
                    seg: *seg,
                });
            }
            EntryHeader::RtStruct(header, rtstruct) => {
                count += 1;
                structure_sets.push(ScannedRtStruct {
                    root: root_of(paths, &origin),
                    origin: origin.to_string(),
                    header: *header,
                    rtstruct: *rtstruct,
                });
            }
            EntryHeader::NotDicom => ignored.push(Skipped {
                origin: origin.to_string(),
                reason: "not a DICOM file, a NIfTI image or a zip archive".to_owned(),
            }),
            EntryHeader::Bad(reason) => skipped.push(Skipped {
                origin: origin.to_string(),
                reason,
            }),
        }
    }
    for origin in nifti_in_archives {
        skipped.push(Skipped {
            origin,
            reason:
                "NIfTI and NRRD inside an archive are not read\nhint: extract the archive and scan the folder"
                    .to_owned(),
        });
    }
    let (instances, duplicates) = drop_duplicates(instances, &options.walk);
    let fallback = |root: usize| fallback_label(&paths[root]);
    let mut patients = assemble(instances, &fallback);
    // Segmentations go onto the series they were drawn on, as structures.
    for (seg, reason) in attach_segmentations(&mut patients, segs) {
        skipped.push(Skipped {
            origin: seg.origin,
            reason: format!("segmentation not attached: {reason}"),
        });
    }
    for (rt, reason) in attach_rtstructs(&mut patients, structure_sets) {
        skipped.push(Skipped {
            origin: rt.origin,
            reason: format!("RT structure set not attached: {reason}"),
        });
    }
    for (index, root) in paths.iter().enumerate() {
        let (nifti, problems) = nifti_patients(root, index);
        patients.extend(nifti);
        skipped.extend(problems);
    }
    make_labels_unique(&mut patients, paths);
    patients.sort_by(|a, b| natural_cmp(&a.label, &b.label));
    skipped.sort_by(|a, b| a.origin.cmp(&b.origin));
    let dataset = Dataset {
        roots: paths.to_vec(),
        patients,
        ignored: ignored.len(),
        ignored_files: ignored,
        instances: count,
        non_image,
        duplicates,
        skipped,
    };
    if let (Some((digest, _)), Some(memo)) = (digest, memo) {
        memo_update.tree = scan_record(&dataset, digest, memo);
    }
    (dataset, memo_update)
}

/// How many stacks the frames of one multi-frame file fall into.
fn stack_count(frames: &[tumorscope_dicom::functional_groups::FrameGroups]) -> usize {
    let keys: std::collections::BTreeSet<_> = frames.iter().map(|f| &f.stack).collect();
    keys.len()
}

/// Reads one walked entry with the readers that read entries.
fn scan_entry(entry: Entry<'_>) -> EntryHeader {
    read_entry_header(entry)
}

/// Which input path an origin came from (the longest root whose origin prefixes it).
fn root_of(paths: &[PathBuf], origin: &Origin) -> usize {
    let o = origin.as_str();
    paths
        .iter()
        .enumerate()
        .filter(|(_, p)| o.starts_with(Origin::from_path(p).as_str()))
        .max_by_key(|(_, p)| p.as_os_str().len())
        .map(|(i, _)| i)
        .unwrap_or(0)
}

/// A patient label for IRCAD data whose patient folder is not in the origin: the name of the
/// folder the user pointed at, or of the folder holding the archive they pointed at.
fn fallback_label(root: &Path) -> String {
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let dir = if canonical.is_dir() {
        Some(canonical.as_path())
    } else {
        canonical.parent()
    };
    dir.and_then(|d| d.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "patient".to_owned())
}
