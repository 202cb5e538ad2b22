//! Dataset layouts: what an instance is, judged from where it was found.
//!
//! The 3D-IRCADb-01 distribution names what its files are only through folders:
//! `<patient>/PATIENT_DICOM[.zip]/…` holds the CT and `<patient>/MASKS_DICOM[.zip]/MASKS_DICOM/<structure>/…`
//! one mask series per structure (with unrelated UIDs and no Patient ID). Everything else is read
//! as a clinical export grouped by UIDs.

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
    let segs: Vec<&str> = segments
        .iter()
        .copied()
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
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
