//! Headers longer than the first prefix the scan reads (4 KiB) and than the second (64 KiB):
//! private groups such as Siemens CSA headers run to tens of KiB. Each must still be scanned and
//! loaded, from a folder and from a deflated zip.

use std::io::Write;
use std::path::Path;

use dicom_core::{Tag, VR};
use tumorscope_dicom::header::{HEADER_PREFIX_BYTES, LONG_HEADER_PREFIX_BYTES};
use tumorscope_phantom::{encode_slice, SliceEncoding, SliceTags};
use tumorscope_sources::{load_patient, scan, LoadOptions, ScanOptions};

/// Private text lengths: under the first prefix, between the two, past the second.
const PRIVATE_BYTES: [usize; 3] = [
    100,
    HEADER_PREFIX_BYTES * 3,
    LONG_HEADER_PREFIX_BYTES + 10_000,
];
const SIZE: usize = 8;
const SLICES: usize = 3;

/// The slices of patient `p` as (file name, bytes); slice `k` holds the value `100 * p + k`.
fn slices(p: usize) -> Vec<(String, Vec<u8>)> {
    (0..SLICES)
        .map(|k| {
            let tags = SliceTags {
                sop_instance_uid: format!("2.25.{p}{k}9"),
                study_instance_uid: format!("2.25.{p}1"),
                series_instance_uid: format!("2.25.{p}2"),
                frame_of_reference_uid: Some(format!("2.25.{p}3")),
                instance_number: k as i32 + 1,
                patient_name: format!("LONG{p}^TEST"),
                patient_id: format!("LONG{p}"),
                extra_text: vec![
                    (Tag(0x0029, 0x0010), VR::LO, "PRIVATE CREATOR".into()),
                    (Tag(0x0029, 0x1010), VR::UT, "x".repeat(PRIVATE_BYTES[p])),
                ],
                ..SliceTags::default()
            };
            let stored = vec![(100 * p + k) as i32; SIZE * SIZE];
            let bytes = encode_slice(
                &stored,
                SIZE,
                SIZE,
                [0.0, 0.0, k as f64],
                [1.0, 1.0],
                &SliceEncoding::ct_int16(),
                &tags,
            )
            .unwrap();
            (format!("p{p}_im{k}"), bytes)
        })
        .collect()
}

fn check(root: &Path) {
    let dataset = scan(&[root.to_path_buf()], &ScanOptions::default(), &|| {});
    assert!(dataset.skipped.is_empty(), "{:?}", dataset.skipped);
    assert_eq!(dataset.patients.len(), PRIVATE_BYTES.len());
    for patient in &dataset.patients {
        let p: usize = patient.label.trim_start_matches("LONG").parse().unwrap();
        let series = patient.primary_series().unwrap();
        assert_eq!(series.slices.len(), SLICES, "{}", patient.label);
        let loaded = load_patient(&dataset, patient, &LoadOptions::default()).unwrap();
        assert!(loaded.skipped.is_empty(), "{:?}", loaded.skipped);
        for k in 0..SLICES {
            let slice = &loaded.image.ct.data[k * SIZE * SIZE..(k + 1) * SIZE * SIZE];
            assert!(
                slice.iter().all(|&v| usize::try_from(v) == Ok(100 * p + k)),
                "{} slice {k}",
                patient.label
            );
        }
    }
}

#[test]
fn long_headers_are_scanned_and_loaded_from_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    for p in 0..PRIVATE_BYTES.len() {
        for (name, bytes) in slices(p) {
            std::fs::write(dir.path().join(name), bytes).unwrap();
        }
    }
    check(dir.path());
}

#[test]
fn long_headers_are_scanned_and_loaded_from_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for p in 0..PRIVATE_BYTES.len() {
        for (name, bytes) in slices(p) {
            zip.start_file(name, deflated).unwrap();
            zip.write_all(&bytes).unwrap();
        }
    }
    zip.finish().unwrap();
    check(&path);
}

#[test]
fn a_garbage_length_is_reported_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (name, mut bytes) = slices(1).remove(0);
    // The private UT element: tag (0029,1010), "UT", two reserved bytes, then its length.
    let tag = [0x29, 0x00, 0x10, 0x10, b'U', b'T', 0, 0];
    let at = bytes.windows(8).position(|w| w == tag).unwrap() + 8;
    bytes[at..at + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    std::fs::write(dir.path().join(&name), bytes).unwrap();
    let dataset = scan(&[dir.path().to_path_buf()], &ScanOptions::default(), &|| {});
    assert!(dataset.patients.is_empty());
    assert_eq!(dataset.skipped.len(), 1, "{:?}", dataset.skipped);
    let skipped = &dataset.skipped[0];
    assert!(skipped.origin.ends_with(&name), "{skipped:?}");
    assert!(
        skipped.reason.contains("runs past the end of the file"),
        "{skipped:?}"
    );
}
