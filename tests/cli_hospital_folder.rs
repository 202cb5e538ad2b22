//! A folder as hospitals export it: images beside structured reports, RT plans and structure
//! sets, segmentations, presentation states, documents, waveforms, images without pixel data or
//! with zero rows, and a file whose File Meta group declares a huge length. Every command
//! reads it, as a folder and as a zip, without a panic: images become patients, the other
//! objects are listed as what they are, the corrupt file is skipped with its reason.

mod util;

use std::io::Write;
use std::path::Path;

use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::meta::FileMetaTableBuilder;
use dicom_object::InMemDicomObject;
use serde_json::Value;
use tumorscope_phantom::PhantomOptions;
use util::Dir;

const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

/// A minimal object of `sop_class`; `rows` > 0 adds an image pixel module, `pixels` a Pixel
/// Data element of the right size.
fn object(sop_class: &str, n: usize, rows: u16, pixels: bool) -> Vec<u8> {
    let mut obj = InMemDicomObject::new_empty();
    let mut put = |tag, vr, value: PrimitiveValue| obj.put(DataElement::new(tag, vr, value));
    let uid = format!("2.25.{}", 9000 + n);
    put(tags::SOP_CLASS_UID, VR::UI, sop_class.into());
    put(tags::SOP_INSTANCE_UID, VR::UI, uid.as_str().into());
    put(tags::STUDY_INSTANCE_UID, VR::UI, "2.25.8001".into());
    put(
        tags::SERIES_INSTANCE_UID,
        VR::UI,
        format!("2.25.{}", 8100 + n).into(),
    );
    put(tags::PATIENT_ID, VR::LO, "HOSP-1".into());
    put(tags::MODALITY, VR::CS, "OT".into());
    if rows > 0 || pixels {
        put(tags::ROWS, VR::US, PrimitiveValue::from(rows));
        put(tags::COLUMNS, VR::US, PrimitiveValue::from(rows));
        put(tags::BITS_ALLOCATED, VR::US, PrimitiveValue::from(16_u16));
        put(tags::BITS_STORED, VR::US, PrimitiveValue::from(16_u16));
        put(
            tags::PIXEL_REPRESENTATION,
            VR::US,
            PrimitiveValue::from(1_u16),
        );
        put(tags::SAMPLES_PER_PIXEL, VR::US, PrimitiveValue::from(1_u16));
        put(
            tags::PHOTOMETRIC_INTERPRETATION,
            VR::CS,
            "MONOCHROME2".into(),
        );
    }
    if pixels {
        let bytes = vec![0u8; usize::from(rows) * usize::from(rows) * 2];
        put(tags::PIXEL_DATA, VR::OW, PrimitiveValue::from(bytes));
    }
    let file = obj
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(EXPLICIT_LE)
                .media_storage_sop_class_uid(sop_class)
                .media_storage_sop_instance_uid(uid.as_str()),
        )
        .unwrap();
    let mut out = Vec::new();
    file.write_all(&mut out).unwrap();
    out
}

/// A Part-10 file whose File Meta group declares a 4 GiB element, then 500 KB of garbage.
fn huge_meta_length() -> Vec<u8> {
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    // (0002,0000) UL 4: the group length dicom-rs reads the meta group by.
    out.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0]);
    out.extend_from_slice(&200_u32.to_le_bytes());
    // (0002,0001) OB, reserved, length 0xFFFFFFF0.
    out.extend_from_slice(&[0x02, 0x00, 0x01, 0x00, b'O', b'B', 0, 0]);
    out.extend_from_slice(&0xFFFF_FFF0_u32.to_le_bytes());
    out.extend((0..500_000u32).map(|i| (i * 7919 % 251) as u8));
    out
}

/// What the folder holds besides the phantom patient: (file name, bytes, kind in the scan).
fn others() -> Vec<(String, Vec<u8>, Option<&'static str>)> {
    let classes = [
        ("1.2.840.10008.5.1.4.1.1.88.22", "structured report"),
        ("1.2.840.10008.5.1.4.1.1.481.3", "RT structure set"),
        ("1.2.840.10008.5.1.4.1.1.481.5", "RT plan"),
        ("1.2.840.10008.5.1.4.1.1.66.4", "segmentation"),
        ("1.2.840.10008.5.1.4.1.1.11.1", "presentation state"),
        ("1.2.840.10008.5.1.4.1.1.104.1", "encapsulated PDF"),
        ("1.2.840.10008.5.1.4.1.1.9.1.1", "waveform"),
    ];
    let mut out = Vec::new();
    for (n, (uid, kind)) in classes.iter().enumerate() {
        // Segmentations carry pixels; the others none.
        let pixels = *kind == "segmentation";
        out.push((
            format!("obj{n}.dcm"),
            object(uid, n, if pixels { 4 } else { 0 }, pixels),
            Some(*kind),
        ));
    }
    let ct = "1.2.840.10008.5.1.4.1.1.2";
    out.push((
        "zero_rows.dcm".into(),
        object(ct, 20, 0, true),
        Some("image of 0×0 pixels (no rows or columns)"),
    ));
    out.push((
        "no_pixels.dcm".into(),
        object(ct, 21, 8, false),
        Some("object without pixel data"),
    ));
    out.push(("huge_meta.dcm".into(), huge_meta_length(), None));
    out
}

fn zip_folder(folder: &Path, zip_path: &Path) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(zip_path).unwrap());
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p
                .strip_prefix(folder)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(&std::fs::read(&p).unwrap()).unwrap();
        }
    }
    zip.finish().unwrap();
}

#[test]
fn every_command_reads_a_hospital_folder_without_a_panic() {
    let dir = Dir::new();
    dir.cohort(
        "export",
        PhantomOptions {
            patients: 1,
            ..PhantomOptions::default()
        },
        false,
    );
    let others = others();
    std::fs::create_dir_all(dir.path().join("export/other")).unwrap();
    for (name, bytes, _) in &others {
        std::fs::write(dir.path().join("export/other").join(name), bytes).unwrap();
    }
    zip_folder(&dir.path().join("export"), &dir.path().join("export.zip"));

    for input in ["export", "export.zip"] {
        let scan = dir
            .run(&["scan", input, "--no-db", "--json", "inv.json"])
            .expect_code(1);
        let out = scan.stdout();
        assert!(out.contains("1 patient(s)"), "{input}: {out}");
        assert!(out.contains("non-image DICOM object(s)"), "{input}: {out}");
        let err = scan.stderr();
        assert!(
            err.contains("huge_meta.dcm") && err.contains("File Meta element"),
            "{err}"
        );
        let inv: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
        let listed = inv["non_image_objects"].as_array().unwrap();
        for (name, _, kind) in others.iter().filter(|o| o.2.is_some()) {
            let found = listed
                .iter()
                .find(|o| o["origin"].as_str().unwrap().ends_with(name.as_str()))
                .unwrap_or_else(|| panic!("{name} not listed: {listed:?}"));
            assert_eq!(found["kind"].as_str(), *kind, "{name}");
        }
        // Only the phantom's series are image series.
        let patients = inv["patients"].as_array().unwrap();
        assert_eq!(patients.len(), 1, "{patients:?}");

        let label = patients[0]["patient"].as_str().unwrap().to_owned();
        for args in [
            vec!["analyze", input, "--out", "rep", "--no-thumbnails"],
            vec!["export", input, "--nifti", "nii"],
            vec!["metadata", input, "--out", "m.csv"],
            vec![
                "render",
                input,
                "--patient",
                label.as_str(),
                "--out",
                "r.png",
            ],
        ] {
            let run = dir.run(&args);
            assert!(
                !run.stderr().contains("panicked"),
                "{args:?}: {}",
                run.stderr()
            );
            assert!(
                run.stderr().contains("huge_meta.dcm"),
                "{args:?} names the skipped file: {}",
                run.stderr()
            );
            assert_eq!(run.code(), 1, "{args:?}: {}", run.stderr());
        }
    }
}
