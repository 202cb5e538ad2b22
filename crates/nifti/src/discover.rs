//! Finding the cases of a volume-file dataset under a folder: LiTS, Medical Segmentation
//! Decathlon (and its nnU-Net v2 form), TotalSegmentator-style structure folders, images with
//! 3D Slicer segmentations, or loose NIfTI and NRRD files.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tumorscope_core::Geometry;

use crate::volume_file::{
    is_slicer_segmentation, present_labels, read_volume_header, unnamed_labels, volume_stem,
};
use crate::NiftiError;

/// How a case was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NiftiLayout {
    /// LiTS: `volume-N.nii[.gz]` with `segmentation-N.nii[.gz]` (labels 1 liver, 2 tumor);
    /// the test set's `test-volume-N` files come without labels.
    Lits,
    /// A Medical Segmentation Decathlon task folder (`dataset.json`, `imagesTr`, `labelsTr`,
    /// `imagesTs`), raw or in nnU-Net v2 form.
    Msd,
    /// Any other NIfTI file: an image without labels.
    Plain,
    /// A folder holding an image and one NIfTI mask per structure in `segmentations/` or
    /// `masks/`: TotalSegmentator's layout, and `tumorscope export --nifti`'s.
    Structures,
    /// An NRRD image without a known dataset layout (with a `-label` map beside it, if any).
    Nrrd,
    /// An image with one or more 3D Slicer segmentations (`.seg.nrrd`) beside it.
    Slicer,
}

/// One image (and its label map, when the dataset has one) to load with [`crate::load_case`].
#[derive(Debug, Clone, PartialEq)]
pub struct NiftiCase {
    /// Case name: the file stem (`volume-3`, `liver_7`, `test-volume-12`).
    pub patient: String,
    /// The CT image.
    pub image: PathBuf,
    /// The label map on the same grid, if any.
    pub labels: Option<PathBuf>,
    pub layout: NiftiLayout,
    /// Structure name of each non-zero label value (LiTS: 1 `liver`, 2 `tumor`; MSD: from
    /// `dataset.json`, with `cancer` spelled `tumor`). Values missing here load as `label-N`.
    pub label_names: Vec<(u8, String)>,
    /// One binary mask file per structure (name, path), on the image's grid.
    pub structure_files: Vec<(String, PathBuf)>,
    /// 3D Slicer segmentations (`.seg.nrrd`) drawn on this image.
    pub segmentations: Vec<PathBuf>,
}

/// A file discovery could not place, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct NotPlaced {
    pub path: PathBuf,
    pub reason: String,
}

/// Finds every case under `root` (a folder, or one NIfTI or NRRD file), in natural order of
/// case name (`volume-2` before `volume-10`). Wherever NIfTI files are named below, NRRD
/// files (`.nrrd`, `.nhdr`) are read alike.
///
/// - A folder with `dataset.json` is an MSD task: `imagesTr/X` pairs with `labelsTr/X`;
///   `imagesTs` images come without labels. In nnU-Net v2 form (`dataset.json` has
///   `file_ending` or `channel_names`), `X_0000` pairs with `labelsTr/X` and the other channels
///   are skipped. Files elsewhere in the task folder are ignored. A folder of nnU-Net v2
///   predictions (with `predict_from_raw_data_args.json`) pairs each prediction with the image
///   it was predicted from.
/// - Elsewhere, `volume-N` pairs with `segmentation-N` anywhere under `root` (LiTS ships them
///   in separate batch folders); a lone `segmentation-N` is skipped.
/// - A folder with a `segmentations/` or `masks/` subfolder of NIfTI files, and an image beside
///   it (`ct`, else `image`, else its only other NIfTI file that is not a label map), is one
///   [`NiftiLayout::Structures`] case named after the folder: TotalSegmentator's layout and
///   `tumorscope export --nifti`'s. Its mask files and label maps are no cases of their own.
/// - A 3D Slicer segmentation (`.seg.nrrd`) belongs to an image beside it
///   ([`NiftiLayout::Slicer`], see [`discover_placed`]).
/// - Any other `.nii` / `.nii.gz` file is a [`NiftiLayout::Plain`] image, any other NRRD file
///   a [`NiftiLayout::Nrrd`] one, without labels unless a `<stem>-label` volume lies beside it.
///
/// macOS resource forks (`._*`), `__MACOSX` and hidden folders are skipped. Two files claiming
/// the same LiTS or MSD case are an error, since picking one silently could mix datasets.
pub fn discover(root: &Path) -> Result<Vec<NiftiCase>, NiftiError> {
    discover_placed(root).map(|(cases, _)| cases)
}

/// [`discover`], and the files it found but could not place: a 3D Slicer segmentation with
/// no image, or several images and no name to choose by, beside it.
///
/// A `.seg.nrrd` belongs to the image in its folder whose name starts its own
/// (`CT-segmentation.seg.nrrd` → `CT.nrrd`, the longest such name), else to the folder's only
/// image. A `<stem>-label` or `<stem>_label` volume beside image `<stem>` is that image's
/// label map (3D Slicer's label map volumes), no case of its own. Other loose volumes on an
/// image's grid whose values are few whole numbers are its masks (see `recognise_masks`).
/// An image alone in its folder
/// with a segmentation is a scene folder: the case is named after the folder.
pub fn discover_placed(root: &Path) -> Result<(Vec<NiftiCase>, Vec<NotPlaced>), NiftiError> {
    let mut files = Vec::new();
    let mut task_dirs = Vec::new();
    let mut structure_cases = Vec::new();
    let meta = std::fs::metadata(root).map_err(|source| NiftiError::Read {
        path: root.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        walk(root, &mut files, &mut task_dirs, &mut structure_cases)?;
    } else {
        files.push(root.to_path_buf());
    }

    let mut cases = structure_cases;
    let mut not_placed = Vec::new();
    for dir in &task_dirs {
        let (task_cases, without_image) = msd_cases(dir)?;
        cases.extend(task_cases);
        not_placed.extend(without_image);
    }
    // An image an nnU-Net prediction was made from is that case's image, no case of its own.
    let predicted: std::collections::HashSet<PathBuf> =
        cases.iter().map(|c| c.image.clone()).collect();
    let (slicer_files, outside_tasks): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .filter(|f| !task_dirs.iter().any(|d| f.starts_with(d)) && !predicted.contains(f))
        .partition(|f| {
            f.file_name()
                .is_some_and(|n| is_slicer_segmentation(&n.to_string_lossy()))
        });
    cases.extend(lits_and_plain_cases(outside_tasks.into_iter())?);
    pair_label_volumes(&mut cases);
    recognise_masks(&mut cases);
    not_placed.extend(attach_slicer_segmentations(&mut cases, slicer_files));
    cases.sort_by(|a, b| natural_cmp(&a.patient, &b.patient).then_with(|| a.image.cmp(&b.image)));
    Ok((cases, not_placed))
}

/// Moves each `<stem>-label` / `<stem>_label` plain volume onto image `<stem>` of its folder
/// as its label map.
fn pair_label_volumes(cases: &mut Vec<NiftiCase>) {
    let is_plain = |c: &NiftiCase| matches!(c.layout, NiftiLayout::Plain | NiftiLayout::Nrrd);
    let image_stem = |c: &NiftiCase| {
        ["-label", "_label"]
            .iter()
            .find_map(|suffix| c.patient.strip_suffix(suffix))
            .map(str::to_owned)
    };
    let mut moved = Vec::new();
    for l in 0..cases.len() {
        let Some(stem) = image_stem(&cases[l]).filter(|_| is_plain(&cases[l])) else {
            continue;
        };
        let target = (0..cases.len()).find(|&t| {
            let c = &cases[t];
            is_plain(c)
                && c.labels.is_none()
                && c.patient == stem
                && image_stem(c).is_none()
                && c.image.parent() == cases[l].image.parent()
        });
        if let Some(t) = target {
            // The label map names no values: list those present, so the scan shows the
            // structures the load will make.
            let label = cases[l].image.clone();
            cases[t].label_names = present_labels(&label)
                .map(|v| unnamed_labels(&v))
                .unwrap_or_default();
            cases[t].labels = Some(label);
            moved.push(l);
        }
    }
    for l in moved.into_iter().rev() {
        cases.remove(l);
    }
}

/// Most distinct non-zero values a volume may hold and still be a label map, not an image.
const MAX_LABELS: usize = 64;

/// Loose volumes that share a folder and a grid: those whose values are few whole numbers
/// in `0..=255` are masks of the one that is not (a CT holds negative HU and thousands of
/// values). A mask with one value becomes a structure named after its file; one with several
/// the image's label map (`label-N`), or a structure when the image has one already. Where
/// no single image stands out, the files stay cases of their own.
fn recognise_masks(cases: &mut Vec<NiftiCase>) {
    let loose = |c: &NiftiCase| {
        matches!(c.layout, NiftiLayout::Plain | NiftiLayout::Nrrd) && c.labels.is_none()
    };
    let mut by_folder: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    for (n, c) in cases.iter().enumerate() {
        if loose(c) {
            if let Some(folder) = c.image.parent() {
                by_folder.entry(folder.to_path_buf()).or_default().push(n);
            }
        }
    }
    let mut masks_taken = Vec::new();
    for members in by_folder.into_values().filter(|m| m.len() >= 2) {
        let grids: Vec<Option<Geometry>> = members
            .iter()
            .map(|&n| read_volume_header(&cases[n].image).ok().map(|h| h.geometry))
            .collect();
        let mut grouped = vec![false; members.len()];
        for a in 0..members.len() {
            let Some(grid) = grids[a].as_ref().filter(|_| !grouped[a]) else {
                continue;
            };
            let tolerance_mm = 0.1
                * grid
                    .spacing_mm
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min);
            let on_grid: Vec<usize> = (a..members.len())
                .filter(|&b| {
                    !grouped[b]
                        && grids[b]
                            .as_ref()
                            .is_some_and(|g| grid.same_grid(g, tolerance_mm))
                })
                .collect();
            for &b in &on_grid {
                grouped[b] = true;
            }
            let group: Vec<usize> = on_grid.iter().map(|&b| members[b]).collect();
            if group.len() < 2 {
                continue;
            }
            let labels: Vec<Option<Vec<u8>>> = group
                .iter()
                .map(|&n| {
                    present_labels(&cases[n].image)
                        .ok()
                        .filter(|v| v.len() <= MAX_LABELS)
                })
                .collect();
            let images: Vec<usize> = (0..group.len()).filter(|&m| labels[m].is_none()).collect();
            let [image] = images[..] else {
                continue;
            };
            let image = group[image];
            for (m, values) in labels.iter().enumerate() {
                let Some(values) = values else {
                    continue;
                };
                let mask = group[m];
                let path = cases[mask].image.clone();
                if values.len() > 1 && cases[image].labels.is_none() {
                    cases[image].label_names = unnamed_labels(values);
                    cases[image].labels = Some(path);
                } else {
                    let name = cases[mask].patient.clone();
                    cases[image].structure_files.push((name, path));
                }
                masks_taken.push(mask);
            }
        }
    }
    masks_taken.sort_unstable();
    for n in masks_taken.into_iter().rev() {
        cases.remove(n);
    }
}

/// Gives each `.seg.nrrd` to the image it segments; returns the ones without one.
fn attach_slicer_segmentations(
    cases: &mut [NiftiCase],
    slicer_files: Vec<PathBuf>,
) -> Vec<NotPlaced> {
    let mut not_placed = Vec::new();
    for file in slicer_files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = volume_stem(&name).unwrap_or(&name).to_ascii_lowercase();
        let beside: Vec<usize> = (0..cases.len())
            .filter(|&c| {
                cases[c].image.parent() == file.parent()
                    && matches!(
                        cases[c].layout,
                        NiftiLayout::Plain | NiftiLayout::Nrrd | NiftiLayout::Slicer
                    )
            })
            .collect();
        let by_name = beside
            .iter()
            .copied()
            .filter(|&c| stem.starts_with(&cases[c].patient.to_ascii_lowercase()))
            .max_by_key(|&c| cases[c].patient.len());
        let chosen = by_name.or_else(|| (beside.len() == 1).then(|| beside[0]));
        match chosen {
            Some(c) => {
                // A scene folder holding one image is the patient: name it after the folder
                // (`3Dircadb1.17/CT.nrrd` is patient `3Dircadb1.17`, not `CT`).
                if beside.len() == 1 && cases[c].layout != NiftiLayout::Slicer {
                    if let Some(folder) = file.parent().and_then(Path::file_name) {
                        cases[c].patient = folder.to_string_lossy().into_owned();
                    }
                }
                cases[c].segmentations.push(file);
                cases[c].layout = NiftiLayout::Slicer;
            }
            None => not_placed.push(NotPlaced {
                reason: if beside.is_empty() {
                    "3D Slicer segmentation without an image beside it: not read\nhint: keep the segmented volume (`.nrrd` or `.nii.gz`) in the same folder".to_owned()
                } else {
                    format!("3D Slicer segmentation beside {} images and named after none: not read\nhint: name it after its image (`CT.seg.nrrd` for `CT.nrrd`)", beside.len())
                },
                path: file,
            }),
        }
    }
    not_placed
}

/// Collects NIfTI files and MSD task folders (folders with `dataset.json`) under `dir`.
fn walk(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    task_dirs: &mut Vec<PathBuf>,
    structure_cases: &mut Vec<NiftiCase>,
) -> Result<(), NiftiError> {
    let read_err = |source| NiftiError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        entries.push(entry.map_err(read_err)?);
    }
    entries.sort_by_key(|e| e.file_name());
    if entries.iter().any(|e| e.file_name() == "dataset.json") {
        task_dirs.push(dir.to_path_buf());
        return Ok(());
    }
    if let Some(case) = structure_case(dir, &entries)? {
        structure_cases.push(case);
        return Ok(());
    }
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("._") || name == "__MACOSX" {
            continue;
        }
        // `file_type` does not follow symlinks, so a link cycle cannot trap the walk.
        let kind = entry.file_type().map_err(|source| NiftiError::Read {
            path: entry.path(),
            source,
        })?;
        if kind.is_dir() {
            if !name.starts_with('.') {
                walk(&entry.path(), files, task_dirs, structure_cases)?;
            }
        } else if volume_stem(&name).is_some() {
            files.push(entry.path());
        }
    }
    Ok(())
}

/// Folders of per-structure masks, in the order they are looked for.
const STRUCTURE_DIRS: [&str; 2] = ["segmentations", "masks"];
/// Image names of a structure folder, in order of preference.
const IMAGE_STEMS: [&str; 4] = ["ct", "image", "img", "volume"];
/// Label maps that `tumorscope export --nifti` (and others) write beside the image: the same
/// structures as the masks, so neither an image nor a case.
const LABEL_MAP_STEMS: [&str; 6] = [
    "labels",
    "label",
    "liver_tumor",
    "segmentation",
    "seg",
    "mask",
];

/// The case of a folder holding an image and a `segmentations/` or `masks/` folder of NIfTI
/// masks; `None` when `dir` is no such folder.
fn structure_case(
    dir: &Path,
    entries: &[std::fs::DirEntry],
) -> Result<Option<NiftiCase>, NiftiError> {
    let Some(masks_dir) = entries.iter().find(|e| {
        let name = e.file_name().to_string_lossy().to_ascii_lowercase();
        STRUCTURE_DIRS.contains(&name.as_str()) && e.path().is_dir()
    }) else {
        return Ok(None);
    };
    let images: Vec<(String, PathBuf)> = entries
        .iter()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let stem = volume_stem(&name)?.to_owned();
            e.path().is_file().then(|| (stem, e.path()))
        })
        .collect();
    let image = IMAGE_STEMS
        .iter()
        .find_map(|want| {
            images
                .iter()
                .find(|(stem, _)| stem.eq_ignore_ascii_case(want))
        })
        .or_else(|| {
            let others: Vec<_> = images
                .iter()
                .filter(|(stem, _)| !LABEL_MAP_STEMS.contains(&stem.to_ascii_lowercase().as_str()))
                .collect();
            (others.len() == 1).then(|| others[0])
        });
    let read_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| NiftiError::Read { path, source }
    };
    let mut structure_files = Vec::new();
    for entry in std::fs::read_dir(masks_dir.path()).map_err(read_err(&masks_dir.path()))? {
        let entry = entry.map_err(read_err(&masks_dir.path()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = volume_stem(&name) {
            if entry.path().is_file() {
                structure_files.push((stem.to_owned(), entry.path()));
            }
        }
    }
    let Some((_, image)) = image else {
        return Ok(None);
    };
    if structure_files.is_empty() {
        return Ok(None);
    }
    structure_files.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    let patient = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "nifti".to_owned());
    Ok(Some(NiftiCase {
        patient,
        image: image.clone(),
        labels: None,
        layout: NiftiLayout::Structures,
        label_names: Vec::new(),
        structure_files,
        segmentations: Vec::new(),
    }))
}

/// `N` of `prefix` + digits.
fn numbered<'a>(stem: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = stem.strip_prefix(prefix)?;
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then_some(rest)
}

/// Cases of files outside MSD task folders.
fn lits_and_plain_cases(
    files: impl Iterator<Item = PathBuf>,
) -> Result<Vec<NiftiCase>, NiftiError> {
    let mut volumes: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut segmentations: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut cases = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(stem) = volume_stem(&name) else {
            continue;
        };
        // Numbers compare as numbers: `volume-007` and `volume-7` are the same case.
        let key = |n: &str| n.trim_start_matches('0').to_string();
        let slot = match (numbered(stem, "volume-"), numbered(stem, "segmentation-")) {
            (Some(n), _) => Some((&mut volumes, key(n))),
            (_, Some(n)) => Some((&mut segmentations, key(n))),
            _ => None,
        };
        match slot {
            Some((map, n)) => {
                if let Some(first) = map.get(&n) {
                    return Err(NiftiError::DuplicateCase {
                        case: stem.to_string(),
                        first: first.clone(),
                        second: file,
                    });
                }
                map.insert(n, file);
            }
            None => {
                let test_set = numbered(stem, "test-volume-").is_some();
                cases.push(NiftiCase {
                    patient: stem.to_string(),
                    image: file.clone(),
                    labels: None,
                    layout: if test_set {
                        NiftiLayout::Lits
                    } else if tumorscope_nrrd::is_nrrd_name(&name) {
                        NiftiLayout::Nrrd
                    } else {
                        NiftiLayout::Plain
                    },
                    label_names: if test_set {
                        lits_label_names()
                    } else {
                        Vec::new()
                    },
                    structure_files: Vec::new(),
                    segmentations: Vec::new(),
                });
            }
        }
    }
    for (n, image) in volumes {
        let name = image
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        cases.push(NiftiCase {
            patient: volume_stem(&name).unwrap_or(&name).to_string(),
            image,
            labels: segmentations.remove(&n),
            layout: NiftiLayout::Lits,
            label_names: lits_label_names(),
            structure_files: Vec::new(),
            segmentations: Vec::new(),
        });
    }
    Ok(cases)
}

/// LiTS labels: 0 background, 1 liver, 2 tumor.
fn lits_label_names() -> Vec<(u8, String)> {
    vec![(1, "liver".to_string()), (2, "tumor".to_string())]
}

/// Cases of one MSD task folder (or nnU-Net prediction folder, with the predictions whose
/// image is missing).
fn msd_cases(dir: &Path) -> Result<(Vec<NiftiCase>, Vec<NotPlaced>), NiftiError> {
    let json_path = dir.join("dataset.json");
    let text = std::fs::read_to_string(&json_path).map_err(|source| NiftiError::Read {
        path: json_path.clone(),
        source,
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| NiftiError::DatasetJson {
            path: json_path.clone(),
            source,
        })?;
    let label_names = msd_label_names(&json);
    let nnunet = json.get("file_ending").is_some() || json.get("channel_names").is_some();
    let arguments = dir.join(PREDICTION_ARGUMENTS);
    if arguments.is_file() {
        return prediction_cases(dir, &arguments, label_names);
    }

    let mut cases = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (images, labels) in [("imagesTr", Some("labelsTr")), ("imagesTs", None)] {
        let mut names = Vec::new();
        let images_dir = dir.join(images);
        match std::fs::read_dir(&images_dir) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry.map_err(|source| NiftiError::Read {
                        path: images_dir.clone(),
                        source,
                    })?;
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(NiftiError::Read {
                    path: images_dir,
                    source,
                })
            }
        }
        names.sort();
        for name in names {
            let Some(stem) = volume_stem(&name) else {
                continue;
            };
            let patient = if nnunet {
                // nnU-Net v2 names channels `CASE_XXXX`; CT is the single channel `0000`.
                match stem.strip_suffix("_0000") {
                    Some(case) => case,
                    None => continue,
                }
            } else {
                stem
            };
            let image = images_dir.join(&name);
            if let Some(first) = seen.insert(patient.to_string(), image.clone()) {
                return Err(NiftiError::DuplicateCase {
                    case: patient.to_string(),
                    first,
                    second: image,
                });
            }
            let labels = labels.and_then(|l| {
                let ending = &name[stem.len()..];
                let candidate = dir.join(l).join(format!("{patient}{ending}"));
                candidate.is_file().then_some(candidate)
            });
            cases.push(NiftiCase {
                patient: patient.to_string(),
                image,
                labels,
                layout: NiftiLayout::Msd,
                label_names: label_names.clone(),
                structure_files: Vec::new(),
                segmentations: Vec::new(),
            });
        }
    }
    Ok((cases, Vec::new()))
}

/// The file nnU-Net v2 writes beside its predictions, naming the images it was given.
const PREDICTION_ARGUMENTS: &str = "predict_from_raw_data_args.json";

/// Cases of an nnU-Net v2 prediction folder (`nnUNetv2_predict -i IMAGES -o DIR`): each
/// `X.nii.gz` in `DIR` is the label map of image `X_0000` in the folder the run was given
/// (`list_of_lists_or_source_folder` of `predict_from_raw_data_args.json`: a folder, or lists
/// of files per case), label names from the `dataset.json` nnU-Net copies beside them.
/// A relative input folder is looked for from the working directory, then from the
/// prediction folder and its parents.
fn prediction_cases(
    dir: &Path,
    arguments: &Path,
    label_names: Vec<(u8, String)>,
) -> Result<(Vec<NiftiCase>, Vec<NotPlaced>), NiftiError> {
    let text = std::fs::read_to_string(arguments).map_err(|source| NiftiError::Read {
        path: arguments.to_path_buf(),
        source,
    })?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| NiftiError::DatasetJson {
            path: arguments.to_path_buf(),
            source,
        })?;
    let resolve = |name: &str| -> Option<PathBuf> {
        let given = Path::new(name);
        if given.is_absolute() || given.exists() {
            return given.exists().then(|| given.to_path_buf());
        }
        dir.ancestors().map(|a| a.join(given)).find(|p| p.exists())
    };
    // Case name → its first channel.
    let mut images: BTreeMap<String, PathBuf> = BTreeMap::new();
    match &json["list_of_lists_or_source_folder"] {
        serde_json::Value::String(folder) => {
            if let Some(folder) = resolve(folder) {
                for entry in std::fs::read_dir(&folder).map_err(|source| NiftiError::Read {
                    path: folder.clone(),
                    source,
                })? {
                    let path = entry
                        .map_err(|source| NiftiError::Read {
                            path: folder.clone(),
                            source,
                        })?
                        .path();
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if let Some(case) = volume_stem(&name).and_then(|s| s.strip_suffix("_0000")) {
                        images.insert(case.to_owned(), path.clone());
                    }
                }
            }
        }
        serde_json::Value::Array(lists) => {
            for first in lists.iter().filter_map(|l| l.get(0)?.as_str()) {
                let name = Path::new(first)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if let (Some(case), Some(path)) = (
                    volume_stem(&name).map(|s| s.strip_suffix("_0000").unwrap_or(s)),
                    resolve(first),
                ) {
                    images.insert(case.to_owned(), path);
                }
            }
        }
        _ => {}
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|source| NiftiError::Read {
        path: dir.to_path_buf(),
        source,
    })? {
        let entry = entry.map_err(|source| NiftiError::Read {
            path: dir.to_path_buf(),
            source,
        })?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    let mut cases = Vec::new();
    let mut not_placed = Vec::new();
    for name in names {
        let Some(case) = volume_stem(&name) else {
            continue;
        };
        let labels = dir.join(&name);
        let Some(image) = images.get(case) else {
            not_placed.push(NotPlaced {
                reason: NiftiError::PredictionWithoutImage {
                    labels: labels.clone(),
                    arguments: arguments.to_path_buf(),
                }
                .to_string(),
                path: labels,
            });
            continue;
        };
        cases.push(NiftiCase {
            patient: case.to_owned(),
            image: image.clone(),
            labels: Some(labels),
            layout: NiftiLayout::Msd,
            label_names: label_names.clone(),
            structure_files: Vec::new(),
            segmentations: Vec::new(),
        });
    }
    Ok((cases, not_placed))
}

/// Non-zero label values and names from `dataset.json`: MSD writes `{"1": "liver"}`,
/// nnU-Net v2 `{"liver": 1}`. Names are lowercased; `cancer` becomes `tumor`.
fn msd_label_names(json: &serde_json::Value) -> Vec<(u8, String)> {
    let Some(labels) = json.get("labels").and_then(|l| l.as_object()) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for (key, value) in labels {
        let pair = match (key.trim().parse::<u8>(), value) {
            (Ok(n), serde_json::Value::String(name)) => Some((n, name.as_str())),
            (_, serde_json::Value::Number(n)) => n
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .map(|n| (n, key.as_str())),
            // nnU-Net region labels (lists of values) name no single value.
            _ => None,
        };
        if let Some((n, name)) = pair.filter(|(n, _)| *n != 0) {
            let name = name.trim().to_ascii_lowercase();
            names.push((
                n,
                if name == "cancer" {
                    "tumor".to_string()
                } else {
                    name
                },
            ));
        }
    }
    names.sort();
    names.dedup_by_key(|(n, _)| *n);
    names
}

/// Orders strings with digit runs compared as numbers (`a2` < `a10`).
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (trim_zeros(&a[..da]), trim_zeros(&b[..db]));
                let by_value = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                // Equal values: fewer leading zeros first, so the order stays total.
                match by_value.then_with(|| da.cmp(&db)) {
                    Ordering::Equal => {
                        a = &a[da..];
                        b = &b[db..];
                    }
                    other => return other,
                }
            }
            (Some(x), Some(y)) => match x.cmp(y) {
                Ordering::Equal => {
                    a = &a[1..];
                    b = &b[1..];
                }
                other => return other,
            },
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|&&c| c == b'0').count();
    &digits[zeros..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut names = vec![
            "volume-10",
            "volume-2",
            "volume-1",
            "liver_100",
            "liver_9",
            "volume-02",
            "a",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "a",
                "liver_9",
                "liver_100",
                "volume-1",
                "volume-2",
                "volume-02",
                "volume-10"
            ]
        );
    }

    #[test]
    fn volume_names() {
        assert_eq!(volume_stem("volume-3.nii"), Some("volume-3"));
        assert_eq!(volume_stem("CT.nrrd"), Some("CT"));
        assert_eq!(volume_stem("Segmentation.seg.nrrd"), Some("Segmentation"));
        assert_eq!(volume_stem("ct.NHDR"), Some("ct"));
        assert_eq!(volume_stem("liver_7.nii.gz"), Some("liver_7"));
        assert_eq!(volume_stem("LIVER.NII.GZ"), Some("LIVER"));
        assert_eq!(volume_stem("._liver_7.nii.gz"), None);
        assert_eq!(volume_stem("notes.txt"), None);
        assert_eq!(volume_stem(".nii"), None);
        assert_eq!(numbered("volume-12", "volume-"), Some("12"));
        assert_eq!(numbered("volume-12b", "volume-"), None);
        assert_eq!(numbered("volume-", "volume-"), None);
    }

    #[test]
    fn label_names_of_both_json_forms() {
        let msd: serde_json::Value =
            serde_json::from_str(r#"{"labels": {"0": "background", "1": "Liver", "2": "cancer"}}"#)
                .unwrap();
        assert_eq!(
            msd_label_names(&msd),
            [(1, "liver".to_string()), (2, "tumor".to_string())]
        );
        let v2: serde_json::Value = serde_json::from_str(
            r#"{"labels": {"background": 0, "vessel": 1, "tumour": 2, "both": [1, 2]}}"#,
        )
        .unwrap();
        assert_eq!(
            msd_label_names(&v2),
            [(1, "vessel".to_string()), (2, "tumour".to_string())]
        );
        assert!(msd_label_names(&serde_json::json!({})).is_empty());
    }
}
