//! Everything a scan found: patients, and the files it ignored or could not read.

use serde::{Deserialize, Serialize};

use crate::Patient;

/// A file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Full origin (`cohort.zip!/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_7`).
    pub origin: String,
    pub reason: String,
}

impl From<&tumorscope_ingest::IngestError> for Skipped {
    fn from(e: &tumorscope_ingest::IngestError) -> Self {
        Self {
            origin: e.location(),
            reason: e.to_string(),
        }
    }
}

/// A file whose SOP Instance UID was already seen at another origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    pub origin: String,
    /// The first origin with the same SOP Instance UID (the copy kept).
    pub same_uid_as: String,
    /// Byte-identical (kept once), or a conflict (other content under the same UID: both kept).
    pub identical: bool,
}

/// A DICOM object that is not an image of a series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonImageObject {
    pub origin: String,
    /// What it is, in words (`structured report`, `RT structure set` …).
    pub kind: String,
    pub sop_class_uid: String,
}

/// Everything a scan found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// The input paths as given.
    pub roots: Vec<std::path::PathBuf>,
    pub patients: Vec<Patient>,
    /// Number of files of no format tumorscope reads (README.txt, .DS_Store, __MACOSX/ …).
    pub ignored: usize,
    /// Those files with the reason, as far as the scan kept them (a catalog keeps only the
    /// count).
    #[serde(default)]
    pub ignored_files: Vec<Skipped>,
    /// DICOM instances read (images and other objects).
    pub instances: usize,
    /// DICOM objects that are not images of a series (reports, RT objects, segmentations not
    /// read yet, documents, waveforms …), listed, never loaded.
    #[serde(default)]
    pub non_image: Vec<NonImageObject>,
    /// Instances found more than once (a copy, a zip and its folder), and UID conflicts.
    #[serde(default)]
    pub duplicates: Vec<Duplicate>,
    pub skipped: Vec<Skipped>,
}

impl Dataset {
    /// The patient labelled `label`.
    pub fn patient(&self, label: &str) -> Option<&Patient> {
        self.patients.iter().find(|p| p.label == label)
    }
}

impl Dataset {
    /// The same dataset with its input paths replaced by `roots` (one per root, in order, e.g.
    /// their absolute canonical forms), every origin and file path under an old root moved
    /// under the new one. Origins under no root are kept as they are.
    pub fn with_roots(&self, roots: &[std::path::PathBuf]) -> Dataset {
        let pairs: Vec<(String, String)> = self
            .roots
            .iter()
            .zip(roots)
            .map(|(old, new)| {
                (
                    old.to_string_lossy().into_owned(),
                    new.to_string_lossy().into_owned(),
                )
            })
            .collect();
        let rebase = |origin: &mut String| {
            // The longest matching root wins (roots may nest).
            let best = pairs
                .iter()
                .filter(|(old, _)| under(origin, old))
                .max_by_key(|(old, _)| old.len());
            if let Some((old, new)) = best {
                let rest = &origin[old.len()..];
                let sep = if old.ends_with('/') && !rest.starts_with('/') {
                    "/"
                } else {
                    ""
                };
                *origin = format!("{new}{sep}{rest}");
            }
        };
        let mut out = self.clone();
        out.roots = roots.to_vec();
        for p in &mut out.patients {
            let structures = p
                .series
                .iter_mut()
                .flat_map(|s| {
                    if let crate::SeriesSource::Nifti(n) = &mut s.source {
                        for path in std::iter::once(&mut n.image).chain(n.labels.as_mut()) {
                            let mut text = path.to_string_lossy().into_owned();
                            rebase(&mut text);
                            *path = text.into();
                        }
                    }
                    s.slices
                        .iter_mut()
                        .chain(s.structures.iter_mut().flat_map(|m| m.slices.iter_mut()))
                })
                .chain(p.unattached.iter_mut().flat_map(|m| m.slices.iter_mut()));
            for slice in structures {
                rebase(&mut slice.origin);
            }
        }
        for s in out.skipped.iter_mut().chain(out.ignored_files.iter_mut()) {
            rebase(&mut s.origin);
        }
        out
    }
}

/// Whether `origin` names `root` or something under it (a folder entry or an archive entry).
fn under(origin: &str, root: &str) -> bool {
    origin.strip_prefix(root).is_some_and(|rest| {
        rest.is_empty() || root.ends_with('/') || rest.starts_with('/') || rest.starts_with("!/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Layout, Patient, Series, SeriesInfo, SeriesSource, SliceRef};

    fn slice(origin: &str) -> SliceRef {
        SliceRef {
            frame: None,
            sop_instance_uid: String::new(),
            origin: origin.to_owned(),
            k: 0,
            normal_mm: 0.0,
            instance_number: None,
        }
    }

    #[test]
    fn with_roots_moves_every_origin_under_its_root() {
        let series = Series {
            series_uid: "1".into(),
            study_uid: "2".into(),
            modality: "CT".into(),
            description: String::new(),
            geometry: tumorscope_core::Geometry::axial([2, 2, 2], [1.0; 3], [0.0; 3]),
            source: SeriesSource::DicomSlices,
            slices: vec![
                slice("data/p1/CT.zip!/CT/1"),
                slice("data2/x"),
                slice("other/y"),
            ],
            structures: vec![],
            warnings: vec![],
            localizer: false,
            missing_k: vec![],
            info: SeriesInfo::default(),
        };
        let d = Dataset {
            roots: vec!["data".into(), "data2/".into()],
            patients: vec![Patient {
                label: "p1".into(),
                layout: Layout::Generic,
                root: 0,
                location: String::new(),
                series: vec![series],
                unattached: vec![],
            }],
            skipped: vec![Skipped {
                origin: "data.zip!/a".into(),
                reason: "r".into(),
            }],
            ..Dataset::default()
        };
        let moved = d.with_roots(&["/abs/data".into(), "/abs/data2".into()]);
        let origins: Vec<&str> = moved.patients[0].series[0]
            .slices
            .iter()
            .map(|s| s.origin.as_str())
            .collect();
        assert_eq!(
            origins,
            ["/abs/data/p1/CT.zip!/CT/1", "/abs/data2/x", "other/y"]
        );
        // `data.zip` is not under the root `data`.
        assert_eq!(moved.skipped[0].origin, "data.zip!/a");
        assert_eq!(
            moved.roots,
            ["/abs/data", "/abs/data2"].map(std::path::PathBuf::from)
        );
    }
}
