//! A clinical export in one folder: two patients, studies and series told apart by UIDs, a
//! localizer among the axial slices, two image sizes under one series UID, a missing slice and
//! uneven spacing — each found and said.

use std::path::Path;

use dicom_core::VR;
use dicom_dictionary_std::tags;
use tumorscope_dataset::Layout;
use tumorscope_phantom::{encode_slice, SliceEncoding, SliceTags};
use tumorscope_sources::{load_patient, scan, LoadOptions, ScanOptions};

const AXIAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
const CORONAL: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 0.0, -1.0];

struct Series<'a> {
    patient: &'a str,
    study: &'a str,
    series: &'a str,
    number: i32,
    size: usize,
    orientation: [f64; 6],
    localizer: bool,
}

/// Writes one slice whose voxels are all `value`, named by a running counter (file names carry
/// no order on purpose).
fn write(dir: &Path, n: &mut usize, s: &Series, z: f64, instance: i32, value: i32) {
    let stored = vec![value; s.size * s.size];
    let mut extra = vec![(tags::STUDY_DATE, VR::DA, "20240102".to_owned())];
    if s.localizer {
        extra.push((
            tags::IMAGE_TYPE,
            VR::CS,
            "ORIGINAL\\PRIMARY\\LOCALIZER".to_owned(),
        ));
    }
    let t = SliceTags {
        sop_instance_uid: format!("1.2.826.0.1.3680043.2.1125.9.{}", 1000 + *n),
        study_instance_uid: s.study.to_owned(),
        series_instance_uid: s.series.to_owned(),
        frame_of_reference_uid: Some("1.2.826.0.1.3680043.2.1125.7".to_owned()),
        series_number: s.number,
        instance_number: instance,
        modality: "CT".to_owned(),
        patient_name: format!("{}^TEST", s.patient),
        patient_id: s.patient.to_owned(),
        orientation: s.orientation,
        slice_thickness_mm: Some(2.0),
        extra_text: extra,
        ..SliceTags::default()
    };
    let bytes = encode_slice(
        &stored,
        s.size,
        s.size,
        [0.0, 0.0, z],
        [0.5, 0.5],
        &SliceEncoding::ct_int16(),
        &t,
    )
    .unwrap();
    std::fs::write(dir.join(format!("IM{:04}", (*n * 7919) % 10007)), bytes).unwrap();
    *n += 1;
}

#[test]
fn clinical_export_is_grouped_by_uids_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut n = 0;
    let ct = Series {
        patient: "PAT001",
        study: "1.2.3.1",
        series: "1.2.3.1.1",
        number: 2,
        size: 16,
        orientation: AXIAL,
        localizer: false,
    };
    // Descending positions with one slice (z = 6) missing.
    for (i, z) in [10.0, 8.0, 4.0, 2.0, 0.0].iter().enumerate() {
        write(d, &mut n, &ct, *z, i as i32 + 1, 100 + *z as i32);
    }
    let scout = Series {
        series: "1.2.3.1.9",
        number: 1,
        orientation: CORONAL,
        localizer: true,
        ..ct
    };
    write(d, &mut n, &scout, 0.0, 1, 0);
    // One series UID holding two image sizes.
    let mixed = Series {
        series: "1.2.3.1.3",
        number: 3,
        ..ct
    };
    for k in 0..3 {
        write(d, &mut n, &mixed, k as f64 * 3.0, k + 1, 5);
    }
    let mixed_small = Series { size: 8, ..mixed };
    for k in 0..3 {
        write(d, &mut n, &mixed_small, k as f64 * 3.0, k + 10, 5);
    }
    // Another patient: uneven spacing.
    let other = Series {
        patient: "PAT002",
        study: "1.2.3.2",
        series: "1.2.3.2.1",
        number: 1,
        size: 16,
        orientation: AXIAL,
        localizer: false,
    };
    for (i, z) in [0.0, 1.0, 2.0, 3.5, 4.5].iter().enumerate() {
        write(d, &mut n, &other, *z, i as i32 + 1, 1);
    }
    std::fs::write(d.join("DICOMDIR.txt"), "not dicom").unwrap();

    let ds = scan(&[d.to_path_buf()], &ScanOptions::default(), &|| {});
    assert!(ds.skipped.is_empty(), "{:?}", ds.skipped);
    assert_eq!(ds.ignored, 1);
    let labels: Vec<&str> = ds.patients.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["PAT001", "PAT002"]);
    let p1 = &ds.patients[0];
    assert_eq!(p1.layout, Layout::Generic);
    // Volume series first, the localizer last.
    assert_eq!(
        p1.series.len(),
        4,
        "{:#?}",
        p1.series
            .iter()
            .map(|s| (&s.series_uid, s.geometry.dims))
            .collect::<Vec<_>>()
    );
    assert!(p1.series.last().unwrap().localizer);
    let main = p1
        .series
        .iter()
        .find(|s| s.series_uid == "1.2.3.1.1")
        .unwrap();
    assert_eq!(main.geometry.dims, [16, 16, 6]);
    assert_eq!(main.missing_k, vec![3]);
    assert!((main.geometry.spacing_mm[2] - 2.0).abs() < 1e-9);
    assert!(
        main.warnings.iter().any(|w| w.contains("missing slice")),
        "{:?}",
        main.warnings
    );
    let split: Vec<_> = p1
        .series
        .iter()
        .filter(|s| s.series_uid == "1.2.3.1.3")
        .collect();
    assert_eq!(split.len(), 2);
    assert!(split
        .iter()
        .all(|s| s.warnings.iter().any(|w| w.contains("split"))));
    let p2 = &ds.patients[1].series[0];
    assert!(
        p2.warnings.iter().any(|w| w.starts_with("uneven spacing")),
        "{:?}",
        p2.warnings
    );

    // The primary series loads; the gap is interpolated from its neighbours (z 4 → 104, z 8 → 108).
    assert_eq!(p1.primary_series().unwrap().series_uid, "1.2.3.1.1");
    let loaded = load_patient(&ds, p1, &LoadOptions::default()).unwrap();
    let g = &loaded.image.ct.geometry;
    assert_eq!(loaded.image.ct.get([0, 0, 0]), 100);
    assert_eq!(loaded.image.ct.get([5, 5, 3]), 106);
    assert_eq!(loaded.image.ct.get([0, 0, 5]), 110);
    assert!((g.origin_mm[2] - 0.0).abs() < 1e-9);
}
