//! End to end: generate a cohort, write it as 3D-IRCADb folders or one nested zip, read every
//! entry back with dicom-object and check it against the truth.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read};
use std::path::Path;
use std::time::Instant;

use common::{float, floats, int, read, stored_values, text};
use dicom_dictionary_std::{tags, uids};
use dicom_object::OpenFileOptions;
use tumorscope_core::StructureRole;
use tumorscope_phantom::{
    generate_patient, write_cohort, write_patient_dir, CtEncoding, PatientTruth, PhantomError,
    PhantomOptions, PhantomPatient, MIN_DIMS,
};

/// `(entry name, bytes)` of every file entry (directories skipped), in archive order.
fn entries(zip_bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    let mut out = Vec::new();
    for n in 0..archive.len() {
        let mut file = archive.by_index(n).unwrap();
        if file.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        let name = file.name().unwrap().to_string();
        out.push((name, bytes));
    }
    out
}

fn is_junk(name: &str) -> bool {
    name.starts_with("__MACOSX/") || name.ends_with(".DS_Store")
}

/// Checks one patient's two archives against its truth and the generated image; returns the
/// origins (relative to the patient folder) of junk and unreadable entries.
fn check_patient(
    patient: &PhantomPatient,
    ct_zip: &[u8],
    masks_zip: &[u8],
) -> (Vec<String>, Vec<String>) {
    let truth = &patient.truth;
    let [cols, rows, slices] = truth.dims;
    let step = truth.spacing_mm[2];
    let mut junk = Vec::new();
    let mut unreadable = Vec::new();

    // CT: every readable slice decodes to the truth HU; positions and instance numbers as planned.
    let mut seen_k = BTreeSet::new();
    let mut hu_sum = 0i64;
    let mut ct_uids = BTreeSet::new();
    let ct_entries = entries(ct_zip);
    let names: Vec<&str> = ct_entries.iter().map(|e| e.0.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_ne!(names, sorted, "entries must not come in text order");
    for (name, bytes) in &ct_entries {
        if is_junk(name) {
            junk.push(format!("PATIENT_DICOM.zip!/{name}"));
            continue;
        }
        let Ok(obj) = OpenFileOptions::new().from_reader(bytes.as_slice()) else {
            unreadable.push(format!("PATIENT_DICOM.zip!/{name}"));
            continue;
        };
        let instance = int(&obj, tags::INSTANCE_NUMBER) as usize;
        let position = floats(&obj, tags::IMAGE_POSITION_PATIENT);
        assert_eq!(&position[..2], &[0.0, 0.0]);
        let k = (position[2] / step).round() as usize;
        assert!((position[2] - k as f64 * step).abs() < 1e-6);
        assert_eq!(
            instance,
            if truth.descending { slices - 1 - k } else { k },
            "{name}"
        );
        assert_eq!(
            name,
            &format!("PATIENT_DICOM/image_{}", patient.entry_numbers[instance])
        );
        assert_eq!(
            truth.scrambled_names,
            name != &format!("PATIENT_DICOM/image_{instance}")
        );
        assert!(seen_k.insert(k));
        assert_eq!(
            obj.meta().transfer_syntax().trim_end_matches('\0'),
            truth.transfer_syntax
        );
        assert_eq!(
            obj.meta()
                .media_storage_sop_class_uid()
                .trim_end_matches('\0'),
            uids::CT_IMAGE_STORAGE
        );
        assert_eq!(text(&obj, tags::MODALITY), "CT");
        assert_eq!(text(&obj, tags::PATIENT_ID), "");
        assert_eq!(
            text(&obj, tags::PATIENT_NAME),
            format!("liver_{}", patient.index + 1)
        );
        assert_eq!(float(&obj, tags::WINDOW_CENTER), 0.0);
        assert_eq!(float(&obj, tags::WINDOW_WIDTH), 0.0);
        assert!(obj.element(tags::FRAME_OF_REFERENCE_UID).is_err());
        assert_eq!(
            floats(&obj, tags::IMAGE_ORIENTATION_PATIENT),
            vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        );
        assert_eq!(
            floats(&obj, tags::PIXEL_SPACING),
            vec![truth.spacing_mm[1], truth.spacing_mm[0]]
        );
        assert_eq!(float(&obj, tags::SLICE_THICKNESS), step);
        for tag in [
            tags::KVP,
            tags::MANUFACTURER,
            tags::MANUFACTURER_MODEL_NAME,
            tags::PATIENT_SEX,
            tags::PATIENT_AGE,
            tags::STUDY_DATE,
            tags::SERIES_DESCRIPTION,
            tags::INSTITUTION_NAME,
            tags::PATIENT_BIRTH_DATE,
        ] {
            assert!(!text(&obj, tag).is_empty(), "{tag}");
        }
        assert_eq!(
            text(&obj, tags::PHOTOMETRIC_INTERPRETATION),
            truth.photometric
        );
        assert_eq!(int(&obj, tags::ROWS) as usize, rows);
        assert_eq!(int(&obj, tags::COLUMNS) as usize, cols);
        let (slope, intercept) = (
            float(&obj, tags::RESCALE_SLOPE),
            float(&obj, tags::RESCALE_INTERCEPT),
        );
        let expected_bits = match truth.encoding {
            CtEncoding::SignedInt16 => (1, 16, 1.0, 0.0),
            CtEncoding::UnsignedWithIntercept => (0, 16, 1.0, -1024.0),
            CtEncoding::Unsigned12Bit => (0, 12, 1.0, -1024.0),
            CtEncoding::SlopeTwo => (0, 16, 2.0, -1024.0),
        };
        assert_eq!(
            (
                int(&obj, tags::PIXEL_REPRESENTATION),
                int(&obj, tags::BITS_STORED),
                slope,
                intercept
            ),
            expected_bits
        );
        ct_uids.insert((
            text(&obj, tags::STUDY_INSTANCE_UID),
            text(&obj, tags::SERIES_INSTANCE_UID),
        ));
        let hu: Vec<i16> = stored_values(&obj)
            .iter()
            .map(|&s| (f64::from(s) * slope + intercept) as i16)
            .collect();
        assert_eq!(hu.as_slice(), patient.image.ct.slice(k), "{name}");
        hu_sum += hu.iter().map(|&v| i64::from(v)).sum::<i64>();
        assert_eq!(
            hu_sum - hu.iter().map(|&v| i64::from(v)).sum::<i64>() + truth.slice_hu_sums[k],
            hu_sum
        );
    }
    assert_eq!(ct_uids.len(), 1, "one CT study and series");
    let missing: Vec<usize> = (0..slices).filter(|k| !seen_k.contains(k)).collect();
    assert_eq!(
        missing,
        truth.corrupt_slice_k.into_iter().collect::<Vec<_>>()
    );
    assert_eq!(hu_sum, truth.readable_hu_sum());

    // Masks: one folder per structure, its own study and series, counts equal to the truth.
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut mask_uids: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for (name, bytes) in entries(masks_zip) {
        if is_junk(&name) {
            junk.push(format!("MASKS_DICOM.zip!/{name}"));
            continue;
        }
        let parts: Vec<&str> = name.split('/').collect();
        assert_eq!((parts.len(), parts[0]), (3, "MASKS_DICOM"), "{name}");
        let structure = parts[1];
        let obj = read(&bytes);
        let k = (floats(&obj, tags::IMAGE_POSITION_PATIENT)[2] / step).round() as usize;
        assert_eq!(parts[2], patient.entry_name(k));
        assert_eq!(
            text(&obj, tags::PATIENT_NAME),
            format!("liver_{}^{structure}", patient.index + 1)
        );
        assert_eq!(text(&obj, tags::PATIENT_ID), "");
        assert_eq!(text(&obj, tags::MODALITY), "CT");
        assert_eq!(
            (
                int(&obj, tags::BITS_ALLOCATED),
                int(&obj, tags::PIXEL_REPRESENTATION)
            ),
            (8, 0)
        );
        assert_eq!(
            obj.meta().transfer_syntax().trim_end_matches('\0'),
            truth.transfer_syntax
        );
        let values = stored_values(&obj);
        assert!(values.iter().all(|&v| v == 0 || v == 255));
        let mask = patient.image.mask(structure).unwrap();
        let want: Vec<i32> = (k * cols * rows..(k + 1) * cols * rows)
            .map(|n| i32::from(mask.bits.get(n)) * 255)
            .collect();
        assert_eq!(values, want, "{name}");
        *counts.entry(structure.to_owned()).or_default() +=
            values.iter().filter(|&&v| v == 255).count();
        let uid_pair = (
            text(&obj, tags::STUDY_INSTANCE_UID),
            text(&obj, tags::SERIES_INSTANCE_UID),
        );
        assert!(!ct_uids.contains(&uid_pair));
        mask_uids
            .entry(structure.to_owned())
            .or_default()
            .insert(uid_pair);
    }
    assert_eq!(counts, truth.structure_voxels);
    let all_pairs: BTreeSet<_> = mask_uids.values().flatten().collect();
    assert!(mask_uids.values().all(|set| set.len() == 1));
    assert_eq!(
        all_pairs.len(),
        mask_uids.len(),
        "every mask its own study and series"
    );
    assert_eq!(counts.keys().cloned().collect::<Vec<_>>(), truth.structures);
    (junk, unreadable)
}

fn read_file(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn folder_cohort_reads_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let options = PhantomOptions {
        patients: 5,
        junk_files: true,
        corrupt_file: true,
        ..PhantomOptions::default()
    };
    let written = write_cohort(dir.path(), &options, false).unwrap();
    assert_eq!(written.root, dir.path());
    assert_eq!(written.patients.len(), 5);
    let root = dir.path().display().to_string();
    assert_eq!(
        written.corrupt.as_deref(),
        Some(format!("{root}/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_7").as_str())
    );
    let mut junk_found = vec![format!("{root}/README.txt"), format!("{root}/.DS_Store")];
    assert!(dir.path().join("README.txt").is_file() && dir.path().join(".DS_Store").is_file());
    let mut unreadable_found = Vec::new();
    for (index, truth) in written.patients.iter().enumerate() {
        let patient = generate_patient(index, &options).unwrap();
        let mut expected_truth = patient.truth.clone();
        expected_truth.corrupt_slice_k = truth.corrupt_slice_k;
        assert_eq!(&expected_truth, truth);
        let folder = dir.path().join(&truth.label);
        let (junk, unreadable) = check_patient(
            &patient_with_truth(patient, truth),
            &read_file(&folder.join("PATIENT_DICOM.zip")),
            &read_file(&folder.join("MASKS_DICOM.zip")),
        );
        junk_found.extend(junk.iter().map(|j| format!("{root}/{}/{j}", truth.label)));
        unreadable_found.extend(
            unreadable
                .iter()
                .map(|u| format!("{root}/{}/{u}", truth.label)),
        );
    }
    junk_found.sort();
    let mut junk_written = written.junk.clone();
    junk_written.sort();
    assert_eq!(junk_found, junk_written);
    assert_eq!(
        unreadable_found,
        written.corrupt.into_iter().collect::<Vec<_>>()
    );
    // The corrupt slice of the third patient (ascending, scrambled names) is the one named image_7.
    let third = &written.patients[2];
    assert!(third.scrambled_names);
    let k = third.corrupt_slice_k.unwrap();
    let p = generate_patient(2, &options).unwrap();
    assert_eq!(p.entry_name(k), "image_7");
}

fn patient_with_truth(mut patient: PhantomPatient, truth: &PatientTruth) -> PhantomPatient {
    patient.truth = truth.clone();
    patient
}

#[test]
fn nested_cohort_of_twenty_is_fast_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let options = PhantomOptions {
        patients: 20,
        junk_files: true,
        corrupt_file: true,
        ..PhantomOptions::default()
    };
    let start = Instant::now();
    let written = write_cohort(dir.path(), &options, true).unwrap();
    let elapsed = start.elapsed();
    // Generous bound for a loaded 2-core machine in a debug build; a few seconds expected.
    assert!(elapsed.as_secs_f64() < 30.0, "20 patients took {elapsed:?}");
    let root = dir.path().join("cohort.zip");
    assert_eq!(written.root, root);
    let root_text = root.display().to_string();
    assert_eq!(
        written.corrupt.as_deref(),
        Some(format!("{root_text}!/3Dircadb1.3/PATIENT_DICOM.zip!/PATIENT_DICOM/image_7").as_str())
    );
    let bytes = read_file(&root);
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
    let names: BTreeSet<String> = archive
        .file_names()
        .map(|n| n.unwrap().to_string())
        .collect();
    assert!(names.contains("README.txt") && names.contains(".DS_Store"));
    for (index, truth) in written.patients.iter().enumerate() {
        let patient = patient_with_truth(generate_patient(index, &options).unwrap(), truth);
        let mut inner = |name: &str| {
            let mut file = archive.by_name(&format!("{}/{name}", truth.label)).unwrap();
            assert_eq!(file.compression(), zip::CompressionMethod::Stored);
            let mut out = Vec::new();
            file.read_to_end(&mut out).unwrap();
            out
        };
        let (ct, masks) = (inner("PATIENT_DICOM.zip"), inner("MASKS_DICOM.zip"));
        let (junk, unreadable) = check_patient(&patient, &ct, &masks);
        for j in junk {
            assert!(
                written
                    .junk
                    .contains(&format!("{root_text}!/{}/{j}", truth.label)),
                "{j}"
            );
        }
        for u in unreadable {
            assert_eq!(
                written.corrupt.as_deref(),
                Some(format!("{root_text}!/{}/{u}", truth.label).as_str())
            );
        }
    }
    // Every encoding, both slice orders and all three transfer syntaxes appear.
    let encodings: BTreeSet<String> = written
        .patients
        .iter()
        .map(|t| format!("{:?}", t.encoding))
        .collect();
    assert_eq!(encodings.len(), 4);
    assert!(
        written.patients.iter().any(|t| t.descending)
            && written.patients.iter().any(|t| !t.descending)
    );
    let syntaxes: BTreeSet<&str> = written
        .patients
        .iter()
        .map(|t| t.transfer_syntax.as_str())
        .collect();
    assert_eq!(syntaxes.len(), 3);
}

#[test]
fn truth_is_consistent_with_the_masks() {
    let options = PhantomOptions {
        patients: 10,
        ..PhantomOptions::default()
    };
    let mut saw = BTreeSet::new();
    for index in 0..options.patients {
        let patient = generate_patient(index, &options).unwrap();
        let truth = &patient.truth;
        let image = &patient.image;
        let g = &image.ct.geometry;
        assert_eq!(
            truth.hu_sum,
            image.ct.data.iter().map(|&v| i64::from(v)).sum::<i64>()
        );
        for mask in &image.masks {
            assert_eq!(truth.structure_voxels[&mask.name], mask.voxel_count());
            assert_eq!(mask.bits.len(), image.ct.data.len());
        }
        assert_eq!(
            truth.liver_voxels,
            image.mask("liver").unwrap().voxel_count()
        );
        let liver = &image.mask("liver").unwrap().bits;
        let lesion_masks: Vec<_> = image
            .masks
            .iter()
            .filter(|m| matches!(m.role, StructureRole::Tumor | StructureRole::Cyst))
            .collect();
        let in_lesion = |n: usize| lesion_masks.iter().any(|m| m.bits.get(n));
        // Lesions strictly inside the liver: each lesion voxel and its 26 neighbours are liver
        // or lesion; included in the liver mask or excluded from it as the truth says.
        for m in &lesion_masks {
            for n in m.bits.ones() {
                assert_eq!(liver.get(n), truth.liver_includes_lesions, "{}", m.name);
                let [i, j, k] = g.ijk(n);
                for (di, dj, dk) in offsets() {
                    let w = g.index([
                        (i as i64 + di) as usize,
                        (j as i64 + dj) as usize,
                        (k as i64 + dk) as usize,
                    ]);
                    assert!(liver.get(w) || in_lesion(w));
                }
            }
        }
        // Per-lesion truth sums to the mask counts; tumors never touch each other.
        for m in &lesion_masks {
            let lesions: Vec<_> = truth
                .tumors
                .iter()
                .chain(&truth.cysts)
                .filter(|t| t.structure == m.name)
                .collect();
            assert_eq!(
                lesions.iter().map(|t| t.voxels).sum::<usize>(),
                m.voxel_count()
            );
            for t in &lesions {
                assert!(m.bits.get(g.index(t.centre_ijk)));
                assert_eq!(t.volume_ml, t.voxels as f64 * 0.75 * 0.75 * 1.6 / 1000.0);
                let sum: i64 = m
                    .bits
                    .ones()
                    .filter(|&n| within(g.ijk(n), t))
                    .map(|n| i64::from(image.ct.data[n]))
                    .sum();
                assert_eq!(sum, t.hu_sum);
            }
        }
        if truth.encoding == CtEncoding::SlopeTwo {
            assert!(image.ct.data.iter().all(|v| v % 2 == 0));
        }
        saw.insert(truth.structures.join(","));
    }
    let expected: BTreeSet<String> = [
        "bone,liver,livertumor1,livertumor2",
        "bone,liver,liverkyst,livertumors",
        "bone,liver",
        "bone,liver,livertumor01",
        "bone,liver,liverkyst,livertumor1,livertumor2,livertumor3",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(saw, expected);
    let p1 = generate_patient(1, &options).unwrap();
    assert_eq!(p1.truth.tumors.len(), 2);
    assert!(p1.truth.tumors.iter().all(|t| t.structure == "livertumors"));
    assert_eq!(p1.truth.cysts.len(), 1);
    assert!(generate_patient(2, &options)
        .unwrap()
        .truth
        .tumors
        .is_empty());
}

/// True when voxel `ijk` lies in the lesion's ellipsoid (exact integer test).
fn within(ijk: [usize; 3], t: &tumorscope_phantom::TumorTruth) -> bool {
    let r2 = t.radii_ijk.map(|r| (r * r) as i128);
    let d2: Vec<i128> = (0..3)
        .map(|a| (ijk[a] as i128 - t.centre_ijk[a] as i128).pow(2))
        .collect();
    d2[0] * r2[1] * r2[2] + d2[1] * r2[0] * r2[2] + d2[2] * r2[0] * r2[1] <= r2[0] * r2[1] * r2[2]
}

fn offsets() -> impl Iterator<Item = (i64, i64, i64)> {
    (-1..=1).flat_map(|a| (-1..=1).flat_map(move |b| (-1..=1).map(move |c| (a, b, c))))
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let options = PhantomOptions {
        patients: 3,
        junk_files: true,
        corrupt_file: true,
        ..PhantomOptions::default()
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_cohort(a.path(), &options, true).unwrap();
    write_cohort(b.path(), &options, true).unwrap();
    let bytes_a = read_file(&a.path().join("cohort.zip"));
    assert_eq!(bytes_a, read_file(&b.path().join("cohort.zip")));
    let other = PhantomOptions {
        seed: options.seed + 1,
        ..options.clone()
    };
    let c = tempfile::tempdir().unwrap();
    write_cohort(c.path(), &other, true).unwrap();
    assert_ne!(bytes_a, read_file(&c.path().join("cohort.zip")));
    let (p, q) = (
        generate_patient(0, &options).unwrap(),
        generate_patient(0, &other).unwrap(),
    );
    assert_ne!(p.image.ct.data, q.image.ct.data);
}

#[test]
fn single_patient_dir_and_plain_layout() {
    let dir = tempfile::tempdir().unwrap();
    let options = PhantomOptions {
        variations: false,
        dims: [48, 56, 12],
        ..PhantomOptions::default()
    };
    for index in 0..3 {
        let patient = generate_patient(index, &options).unwrap();
        assert_eq!(patient.encoding, CtEncoding::SignedInt16);
        assert_eq!(patient.transfer_syntax, uids::EXPLICIT_VR_LITTLE_ENDIAN);
        write_patient_dir(&patient, dir.path()).unwrap();
        let folder = dir.path().join(&patient.label);
        let (junk, unreadable) = check_patient(
            &patient,
            &read_file(&folder.join("PATIENT_DICOM.zip")),
            &read_file(&folder.join("MASKS_DICOM.zip")),
        );
        assert!(junk.is_empty() && unreadable.is_empty());
    }
}

#[test]
fn bad_options_are_refused() {
    for options in [
        PhantomOptions {
            dims: [47, 64, 24],
            ..PhantomOptions::default()
        },
        PhantomOptions {
            dims: [64, 64, 11],
            ..PhantomOptions::default()
        },
        PhantomOptions {
            spacing_mm: [0.0, 0.75, 1.6],
            ..PhantomOptions::default()
        },
        PhantomOptions {
            spacing_mm: [f64::NAN, 0.75, 1.6],
            ..PhantomOptions::default()
        },
    ] {
        assert!(matches!(
            generate_patient(0, &options),
            Err(PhantomError::InvalidOptions { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            write_cohort(dir.path(), &options, false),
            Err(PhantomError::InvalidOptions { .. })
        ));
    }
    // The smallest allowed grid still fits every profile's lesions.
    for seed in 0..8 {
        for dims in [MIN_DIMS, [48, 64, 12], [64, 48, 40], [96, 80, 12]] {
            let small = PhantomOptions {
                dims,
                seed,
                ..PhantomOptions::default()
            };
            for index in 0..5 {
                let p = generate_patient(index, &small).unwrap();
                assert!(p.truth.tumors.iter().all(|t| t.voxels > 0));
                let (liver, bone) = (
                    p.image.mask("liver").unwrap(),
                    p.image.mask("bone").unwrap(),
                );
                assert!(liver.bits.ones().all(|n| !bone.bits.get(n)));
                assert!(liver.voxel_count() > 0 && bone.voxel_count() > 0);
            }
        }
    }
}

#[test]
fn monochrome1_is_opt_in_and_keeps_hu() {
    let dir = tempfile::tempdir().unwrap();
    let options = PhantomOptions {
        monochrome1: true,
        ..PhantomOptions::default()
    };
    let plain = generate_patient(1, &PhantomOptions::default()).unwrap();
    assert_eq!(plain.photometric, "MONOCHROME2");
    let patient = generate_patient(1, &options).unwrap();
    assert_eq!(patient.photometric, "MONOCHROME1");
    assert_eq!(patient.image.ct.data, plain.image.ct.data);
    assert_eq!(
        generate_patient(0, &options).unwrap().photometric,
        "MONOCHROME2"
    );
    write_patient_dir(&patient, dir.path()).unwrap();
    let folder = dir.path().join(&patient.label);
    // check_patient compares Photometric Interpretation with the truth and pixels with the HU.
    let (junk, unreadable) = check_patient(
        &patient,
        &read_file(&folder.join("PATIENT_DICOM.zip")),
        &read_file(&folder.join("MASKS_DICOM.zip")),
    );
    assert!(junk.is_empty() && unreadable.is_empty());
}
