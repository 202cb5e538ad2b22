//! Scan and load synthetic cohorts with exactly known answers: every patient, series and mask
//! found, slices in position order whatever the file names and Instance Numbers say, junk counted,
//! the corrupt file reported with its full origin, and every voxel of every encoding exact.

use std::path::PathBuf;

use tumorscope_dataset::Dataset;
use tumorscope_phantom::{generate_patient, write_cohort, CohortWritten, PhantomOptions};
use tumorscope_sources::{load_patient, scan, LoadOptions, ScanOptions};

fn cohort(
    patients: usize,
    nested: bool,
    junk: bool,
    corrupt: bool,
) -> (tempfile::TempDir, CohortWritten, PhantomOptions) {
    let dir = tempfile::tempdir().unwrap();
    let options = PhantomOptions {
        patients,
        junk_files: junk,
        corrupt_file: corrupt,
        ..PhantomOptions::default()
    };
    let written = write_cohort(&dir.path().join("cohort"), &options, nested).unwrap();
    (dir, written, options)
}

fn scan_root(root: &std::path::Path) -> Dataset {
    scan(&[root.to_path_buf()], &ScanOptions::default(), &|| {})
}

#[test]
fn nested_cohort_of_20_with_junk_and_a_corrupt_file() {
    let (_dir, written, _) = cohort(20, true, true, true);
    let d = scan_root(&written.root);

    assert_eq!(d.patients.len(), 20);
    let corrupt = written
        .corrupt
        .clone()
        .expect("the cohort has a corrupt file");
    assert_eq!(d.skipped.len(), 1, "{:?}", d.skipped);
    assert_eq!(d.skipped[0].origin, corrupt);
    assert!(
        corrupt.contains(".zip!/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_"),
        "{corrupt}"
    );
    assert_eq!(d.ignored, written.junk.len(), "junk: {:?}", written.junk);

    for truth in &written.patients {
        let p = d
            .patient(&truth.label)
            .unwrap_or_else(|| panic!("{} not found", truth.label));
        assert_eq!(p.series.len(), 1, "{}", truth.label);
        let s = &p.series[0];
        // A gap at either end shortens the grid; an interior gap is kept and filled.
        let at_end = truth
            .corrupt_slice_k
            .is_some_and(|k| k == 0 || k + 1 == truth.dims[2]);
        let want_dims = [
            truth.dims[0],
            truth.dims[1],
            truth.dims[2] - usize::from(at_end),
        ];
        assert_eq!(s.geometry.dims, want_dims, "{}", truth.label);
        for a in 0..3 {
            assert!(
                (s.geometry.spacing_mm[a] - truth.spacing_mm[a]).abs() < 1e-6,
                "{}",
                truth.label
            );
        }
        let names: Vec<&str> = s.structures.iter().map(|m| m.name.as_str()).collect();
        let mut want: Vec<&str> = truth.structures.iter().map(String::as_str).collect();
        want.sort_by(|a, b| tumorscope_dataset::natural_cmp(a, b));
        assert_eq!(names, want, "{}", truth.label);
        assert!(p.unattached.is_empty());
        // Slices strictly ascending along the normal, k consecutive but for the corrupt gap.
        assert!(s.slices.windows(2).all(|w| w[1].normal_mm > w[0].normal_mm));
        let expected_files = truth.slices - usize::from(truth.corrupt_slice_k.is_some());
        assert_eq!(s.slices.len(), expected_files, "{}", truth.label);
        match truth.corrupt_slice_k {
            Some(_) if at_end => {
                assert!(s.missing_k.is_empty());
                for m in &s.structures {
                    // The mask slice beyond the CT is dropped, and said so.
                    assert_eq!(
                        m.slices.len(),
                        truth.slices - 1,
                        "{} {}",
                        truth.label,
                        m.name
                    );
                    assert!(
                        m.warnings.iter().any(|w| w.contains("1 only in the mask")),
                        "{:?}",
                        m.warnings
                    );
                }
            }
            Some(k) => {
                assert_eq!(s.missing_k, vec![k]);
                assert!(
                    s.warnings.iter().any(|w| w.contains("missing slice")),
                    "{:?}",
                    s.warnings
                );
            }
            None => {
                assert!(s.warnings.is_empty(), "{}: {:?}", truth.label, s.warnings);
                for m in &s.structures {
                    assert_eq!(m.slices.len(), truth.slices, "{} {}", truth.label, m.name);
                }
            }
        }
    }
}

#[test]
fn every_encoding_loads_to_exact_hu_and_masks() {
    let (_dir, written, options) = cohort(8, false, false, false);
    let d = scan_root(&written.root);
    assert!(d.skipped.is_empty(), "{:?}", d.skipped);
    let mut encodings = std::collections::BTreeSet::new();
    for (index, truth) in written.patients.iter().enumerate() {
        let phantom = generate_patient(index, &options).unwrap();
        let p = d.patient(&truth.label).unwrap();
        let loaded = load_patient(&d, p, &LoadOptions::default()).unwrap();
        let img = &loaded.image;
        assert_eq!(img.ct.geometry.dims, phantom.image.ct.geometry.dims);
        let sum: i64 = img.ct.data.iter().map(|&v| v as i64).sum();
        assert_eq!(
            sum, truth.hu_sum,
            "{} ({:?}, {})",
            truth.label, truth.encoding, truth.transfer_syntax
        );
        assert!(
            img.ct.data == phantom.image.ct.data,
            "{}: voxels differ",
            truth.label
        );
        for m in &phantom.image.masks {
            let got = img
                .mask(&m.name)
                .unwrap_or_else(|| panic!("{}: no mask {}", truth.label, m.name));
            assert!(
                got.bits == m.bits,
                "{}: mask {} differs",
                truth.label,
                m.name
            );
            assert_eq!(got.voxel_count(), truth.structure_voxels[&m.name]);
        }
        assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
        encodings.insert(format!(
            "{:?}/{}/{}/{}",
            truth.encoding, truth.transfer_syntax, truth.descending, truth.photometric
        ));
    }
    // The cohort really exercised several encodings, syntaxes and slice orders.
    assert!(encodings.len() >= 4, "{encodings:?}");
    assert!(written.patients.iter().any(|t| t.descending));
    assert!(written.patients.iter().any(|t| t.scrambled_names));
}

#[test]
fn corrupt_slice_is_interpolated_and_reported() {
    // The corrupt file is `image_7` of the third (or last) patient; its slice index depends on the
    // patient's slice order, so try a few cohort sizes and require an interior gap among them.
    let mut interior = 0;
    for patients in 1..=3 {
        interior += usize::from(check_corrupt_cohort(patients));
    }
    assert!(
        interior > 0,
        "no cohort had an interior gap: the interpolation path went untested"
    );
}

/// Loads the cohort's corrupt patient and checks it; returns whether the gap was interior.
fn check_corrupt_cohort(patients: usize) -> bool {
    let (_dir, written, options) = cohort(patients, false, false, true);
    let d = scan_root(&written.root);
    let truth = written
        .patients
        .iter()
        .find(|t| t.corrupt_slice_k.is_some())
        .unwrap();
    let k = truth.corrupt_slice_k.unwrap();
    let index = written
        .patients
        .iter()
        .position(|t| t.label == truth.label)
        .unwrap();
    let phantom = generate_patient(index, &options).unwrap();
    let loaded = load_patient(
        &d,
        d.patient(&truth.label).unwrap(),
        &LoadOptions::default(),
    )
    .unwrap();
    let n = loaded.image.ct.geometry.slice_len();
    if k == 0 || k + 1 == truth.dims[2] {
        // At an end the grid is one slice shorter; the rest must match the truth exactly.
        let first = usize::from(k == 0);
        let kept = truth.dims[2] - 1;
        assert_eq!(loaded.image.ct.geometry.dims[2], kept);
        assert!(loaded.image.ct.data[..] == phantom.image.ct.data[first * n..(first + kept) * n]);
        return false;
    }
    // Every other slice exact; the gap is the rounded mean of its neighbours.
    for kk in 0..truth.dims[2] {
        let got = &loaded.image.ct.data[kk * n..(kk + 1) * n];
        if kk == k {
            let below = &phantom.image.ct.data[(k - 1) * n..k * n];
            let above = &phantom.image.ct.data[(k + 1) * n..(k + 2) * n];
            for i in 0..n {
                let mean = ((below[i] as f64 + above[i] as f64) / 2.0).round() as i16;
                assert_eq!(got[i], mean);
            }
        } else {
            assert!(
                got == &phantom.image.ct.data[kk * n..(kk + 1) * n],
                "slice {kk}"
            );
        }
    }
    assert!(
        loaded.warnings.iter().any(|w| w.contains("missing slice")),
        "{:?}",
        loaded.warnings
    );
    true
}

#[test]
fn patient_zip_given_directly_takes_its_folder_name() {
    let (_dir, written, _) = cohort(1, false, false, false);
    let zip: PathBuf = written.root.join("3Dircadb1.1").join("PATIENT_DICOM.zip");
    let d = scan_root(&zip);
    assert_eq!(d.patients.len(), 1);
    assert_eq!(d.patients[0].label, "3Dircadb1.1");
}

#[test]
fn dataset_round_trips_through_json() {
    let (_dir, written, _) = cohort(2, true, false, false);
    let d = scan_root(&written.root);
    assert!(d.patients.iter().all(|p| p.series[0].structures.len() >= 2));
    let json = serde_json::to_string(&d).unwrap();
    let back: Dataset = serde_json::from_str(&json).unwrap();
    // Attachment footprints are scan-time state and are not stored; everything else comes back.
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    assert_eq!(
        back.patients[0].series[0].structures[0].slices,
        d.patients[0].series[0].structures[0].slices
    );
}
