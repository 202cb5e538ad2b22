//! Dataset layouts: what an instance is, judged from where it was found.
//!
//! The 3D-IRCADb-01 distribution names what its files are only through folders:
//! `<patient>/PATIENT_DICOM[.zip]/…` holds the CT and `<patient>/MASKS_DICOM[.zip]/MASKS_DICOM/<structure>/…`
//! one mask series per structure (with unrelated UIDs and no Patient ID). A tree written by
//! `tumorscope organize` says the same with its own names: `<patient>/ct/0000.dcm`,
//! `<patient>/masks/<structure>/0000.dcm`, `<patient>/series-<n>-<modality>/0000.dcm` (and
//! `masks/` below those). Everything else is read as a clinical export grouped by UIDs.

/// Where an instance belongs according to its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathRole {
    /// 3D-IRCADb CT (`PATIENT_DICOM`); `patient` is the folder above it, when there is one.
    IrcadCt { patient: Option<String> },
    /// 3D-IRCADb mask of `structure` (`MASKS_DICOM/<structure>`).
    IrcadMask {
        patient: Option<String>,
        structure: String,
    },
    /// 3D-IRCADb label map (`LABELLED_DICOM`): read, but not a CT nor a mask series.
    IrcadLabelMap { patient: Option<String> },
    /// An image series of an organized tree: `<patient>/<series>/0000.dcm`.
    OrganizedImage { patient: String, series: String },
    /// A structure of an organized tree: `<patient>[/<series>]/masks/<structure>/0000.dcm`.
    OrganizedMask {
        patient: String,
        series: String,
        structure: String,
    },
    /// Anything else: grouped by UIDs.
    Generic,
}

const CT_DIR: &str = "patient_dicom";
const MASKS_DIR: &str = "masks_dicom";
const LABELS_DIR: &str = "labelled_dicom";

/// The folder name without a `.zip` suffix, lowercased, for comparing against layout names.
fn stem(segment: &str) -> String {
    let lower = segment.to_ascii_lowercase();
    lower
        .strip_suffix(".zip")
        .map(str::to_owned)
        .unwrap_or(lower)
}

/// Classifies an instance by the logical path segments of its origin (folders, archive names and
/// entry folders, the file name last). `.`/empty segments are ignored.
pub fn classify_path(segments: &[&str]) -> PathRole {
    classify_path_and_folder(segments).0
}

/// [`classify_path`], and for layouts keyed by folders the patient folder's logical path
/// (`sites/siteA/3Dircadb1.1`): two patients in folders of the same name stay two patients.
pub fn classify_path_and_folder(segments: &[&str]) -> (PathRole, Option<String>) {
    let segs: Vec<&str> = segments
        .iter()
        .copied()
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    let role = classify(&segs);
    let folder = match &role {
        PathRole::IrcadCt { patient: Some(p) }
        | PathRole::IrcadLabelMap { patient: Some(p) }
        | PathRole::IrcadMask {
            patient: Some(p), ..
        } => {
            // The patient folder is the one right above the first layout folder.
            let first = segs
                .iter()
                .position(|s| matches!(stem(s).as_str(), CT_DIR | MASKS_DIR | LABELS_DIR));
            first
                .and_then(|f| f.checked_sub(1))
                .filter(|&i| segs[i] == p)
        }
        PathRole::OrganizedImage { .. } => segs.len().checked_sub(3),
        PathRole::OrganizedMask { series, .. } => {
            // `<patient>/masks/<s>/f` or `<patient>/<series>/masks/<s>/f`.
            let below = if segs.len() >= 5 && segs[segs.len() - 4] == series {
                5
            } else {
                4
            };
            segs.len().checked_sub(below)
        }
        _ => None,
    };
    (role, folder.map(|i| segs[..=i].join("/")))
}

fn classify(segs: &[&str]) -> PathRole {
    if let Some(role) = organized(segs) {
        return role;
    }
    let stems: Vec<String> = segs.iter().map(|s| stem(s)).collect();
    let Some(first) = stems
        .iter()
        .position(|s| s == CT_DIR || s == MASKS_DIR || s == LABELS_DIR)
    else {
        return PathRole::Generic;
    };
    let patient = first.checked_sub(1).map(|i| segs[i].to_owned());
    match stems[first].as_str() {
        CT_DIR => PathRole::IrcadCt { patient },
        LABELS_DIR => PathRole::IrcadLabelMap { patient },
        _ => {
            // `MASKS_DICOM.zip!/MASKS_DICOM/liver/image_0`: the structure is the folder right
            // after the last MASKS_DICOM segment, provided a file name still follows it.
            let last = stems.iter().rposition(|s| s == MASKS_DIR).unwrap_or(first);
            if last + 2 < segs.len() {
                PathRole::IrcadMask {
                    patient,
                    structure: segs[last + 1].to_owned(),
                }
            } else {
                PathRole::Generic
            }
        }
    }
}

/// The organized layout's file names: four or more digits and `.dcm` (`0000.dcm`).
fn is_organized_file(name: &str) -> bool {
    name.strip_suffix(".dcm")
        .is_some_and(|n| n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `series-<n>-<modality>`, the folder of a patient's other series in an organized tree.
fn is_organized_series(name: &str) -> bool {
    name == "ct"
        || name.strip_prefix("series-").is_some_and(|rest| {
            rest.split_once('-').is_some_and(|(n, modality)| {
                !n.is_empty()
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && !modality.is_empty()
                    && modality.bytes().all(|b| b.is_ascii_alphanumeric())
            })
        })
}

/// The organized-tree role of a path, from its last segments only (the tree may sit anywhere).
fn organized(segs: &[&str]) -> Option<PathRole> {
    let (&file, dirs) = segs.split_last()?;
    if !is_organized_file(file) {
        return None;
    }
    match dirs {
        [.., patient, series] if is_organized_series(series) => Some(PathRole::OrganizedImage {
            patient: (*patient).to_owned(),
            series: (*series).to_owned(),
        }),
        [.., patient, series, "masks", structure] if is_organized_series(series) => {
            Some(PathRole::OrganizedMask {
                patient: (*patient).to_owned(),
                series: (*series).to_owned(),
                structure: (*structure).to_owned(),
            })
        }
        [.., patient, "masks", structure] => Some(PathRole::OrganizedMask {
            patient: (*patient).to_owned(),
            series: "ct".to_owned(),
            structure: (*structure).to_owned(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ircad_paths() {
        let cases: &[(&[&str], PathRole)] = &[
            (
                &[
                    "data",
                    "3Dircadb1.17",
                    "PATIENT_DICOM.zip",
                    "PATIENT_DICOM",
                    "image_7",
                ],
                PathRole::IrcadCt {
                    patient: Some("3Dircadb1.17".into()),
                },
            ),
            (
                &[
                    "cohort.zip",
                    "3Dircadb1.3",
                    "MASKS_DICOM.zip",
                    "MASKS_DICOM",
                    "livertumor01",
                    "image_0",
                ],
                PathRole::IrcadMask {
                    patient: Some("3Dircadb1.3".into()),
                    structure: "livertumor01".into(),
                },
            ),
            (
                &["3Dircadb1.3", "MASKS_DICOM", "liver", "image_0"],
                PathRole::IrcadMask {
                    patient: Some("3Dircadb1.3".into()),
                    structure: "liver".into(),
                },
            ),
            (
                &["PATIENT_DICOM.zip", "PATIENT_DICOM", "image_1"],
                PathRole::IrcadCt { patient: None },
            ),
            (
                &["3Dircadb1.1", "LABELLED_DICOM", "image_1"],
                PathRole::IrcadLabelMap {
                    patient: Some("3Dircadb1.1".into()),
                },
            ),
            (&["export", "CT", "IM0001.dcm"], PathRole::Generic),
            (&["export", "ct", "IM0001.dcm"], PathRole::Generic),
            (
                &["o", "3Dircadb1.1", "ct", "0007.dcm"],
                PathRole::OrganizedImage {
                    patient: "3Dircadb1.1".into(),
                    series: "ct".into(),
                },
            ),
            (
                &["3Dircadb1.1", "masks", "livertumor01", "0000.dcm"],
                PathRole::OrganizedMask {
                    patient: "3Dircadb1.1".into(),
                    series: "ct".into(),
                    structure: "livertumor01".into(),
                },
            ),
            (
                &["tree.zip", "PAT1", "series-2-mr", "0012.dcm"],
                PathRole::OrganizedImage {
                    patient: "PAT1".into(),
                    series: "series-2-mr".into(),
                },
            ),
            (
                &["PAT1", "series-2-mr", "masks", "liver", "0012.dcm"],
                PathRole::OrganizedMask {
                    patient: "PAT1".into(),
                    series: "series-2-mr".into(),
                    structure: "liver".into(),
                },
            ),
            (&["PAT1", "series-x-mr", "0012.dcm"], PathRole::Generic),
            (
                &["3Dircadb1.3", "MASKS_DICOM.zip", "MASKS_DICOM", "image_0"],
                PathRole::Generic,
            ),
        ];
        for (segs, want) in cases {
            assert_eq!(&classify_path(segs), want, "{segs:?}");
        }
    }
}
