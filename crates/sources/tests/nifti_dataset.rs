//! LiTS and MSD NIfTI datasets go through the same scan and load as DICOM cohorts.

use std::io::Write;

use tumorscope_core::{Geometry, StructureRole, Volume};
use tumorscope_dataset::Layout;
use tumorscope_nifti::{write_mask_u8, write_volume_i16};
use tumorscope_sources::{load_patient, scan, LoadOptions, ScanOptions};

fn phantom() -> (Volume<i16>, Vec<u8>) {
    let g = Geometry::axial([12, 10, 6], [0.8, 0.8, 2.5], [-40.0, -30.0, 100.0]);
    let mut ct = Volume::filled(g.clone(), -1000i16);
    let mut labels = vec![0u8; g.len()];
    for k in 1..5 {
        for j in 2..8 {
            for i in 2..10 {
                let n = g.index([i, j, k]);
                ct.data[n] = 60 + (i + j + k) as i16;
                labels[n] = if (4..6).contains(&i) && (4..6).contains(&j) && k == 2 {
                    2
                } else {
                    1
                };
            }
        }
    }
    (ct, labels)
}

#[test]
fn lits_folder_scans_and_loads() {
    let dir = tempfile::tempdir().unwrap();
    let (ct, labels) = phantom();
    write_volume_i16(&dir.path().join("volume-3.nii.gz"), &ct).unwrap();
    write_mask_u8(
        &dir.path().join("segmentation-3.nii.gz"),
        &ct.geometry,
        &labels,
    )
    .unwrap();
    std::fs::write(dir.path().join("README.txt"), "lits").unwrap();

    let d = scan(&[dir.path().to_path_buf()], &ScanOptions::default(), &|| {});
    assert!(d.skipped.is_empty(), "{:?}", d.skipped);
    assert_eq!(d.ignored, 1, "the NIfTI files are not junk");
    assert_eq!(d.patients.len(), 1);
    let p = &d.patients[0];
    assert_eq!(p.label, "volume-3");
    assert_eq!(p.layout, Layout::Lits);
    let s = &p.series[0];
    assert_eq!(s.geometry.dims, [12, 10, 6]);
    let names: Vec<&str> = s.structures.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["liver", "tumor"]);
    let inv = d.inventory();
    assert_eq!(inv.patients[0].series[0].slices, 6);

    let loaded = load_patient(&d, p, &LoadOptions::default()).unwrap();
    assert!(loaded.image.ct.data == ct.data);
    let tumor = loaded.image.mask("tumor").unwrap();
    assert_eq!(tumor.role, StructureRole::Tumor);
    assert_eq!(
        tumor.voxel_count(),
        labels.iter().filter(|&&v| v == 2).count()
    );
    assert_eq!(
        loaded.image.mask("liver").unwrap().voxel_count(),
        labels.iter().filter(|&&v| v == 1).count()
    );
}

#[test]
fn nifti_inside_a_zip_is_reported_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("lits.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    zip.start_file("volume-1.nii.gz", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"not really").unwrap();
    zip.finish().unwrap();
    let d = scan(&[zip_path], &ScanOptions::default(), &|| {});
    assert_eq!(d.ignored, 0);
    assert_eq!(d.skipped.len(), 1);
    assert!(d.skipped[0].origin.ends_with("lits.zip!/volume-1.nii.gz"));
    assert!(
        d.skipped[0].reason.contains("extract"),
        "{}",
        d.skipped[0].reason
    );
}
