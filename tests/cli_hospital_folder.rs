//! A folder as hospitals export it: images beside structured reports, RT plans and structure
//! sets, segmentations, presentation states, documents, waveforms, images without pixel data or
//! with zero rows, and a file whose File Meta group declares a huge length. Every command
//! reads it, as a folder and as a zip, without a panic: images become patients, the other
//! objects are listed as what they are, the corrupt file is skipped with its reason.

mod util;

use std::io::Write;
use std::path::Path;

use serde_json::Value;
use tumorscope_phantom::{hospital_objects, PhantomOptions};
use util::Dir;

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
    let others = hospital_objects();
    std::fs::create_dir_all(dir.path().join("export/other")).unwrap();
    for o in &others {
        std::fs::write(dir.path().join("export/other").join(&o.file_name), &o.bytes).unwrap();
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
        for o in others.iter().filter(|o| o.skip_reason.is_some()) {
            assert!(
                err.contains(&o.file_name) && err.contains(o.skip_reason.unwrap()),
                "{}: {err}",
                o.file_name
            );
        }
        let inv: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("inv.json")).unwrap()).unwrap();
        let listed = inv["non_image_objects"].as_array().unwrap();
        for o in others.iter().filter(|o| o.kind.is_some()) {
            let name = &o.file_name;
            let found = listed
                .iter()
                .find(|x| x["origin"].as_str().unwrap().ends_with(name.as_str()))
                .unwrap_or_else(|| panic!("{name} not listed: {listed:?}"));
            assert_eq!(found["kind"].as_str(), o.kind, "{name}");
        }
        // Only the phantom's series are image series.
        let patients = inv["patients"].as_array().unwrap();
        assert_eq!(patients.len(), 1, "{patients:?}");

        let label = patients[0]["patient"].as_str().unwrap().to_owned();
        for args in [
            vec!["analyze", input, "--out", "rep", "--no-thumbnails"],
            vec!["export", input, "--nifti", "nii"],
            vec!["metadata", input, "--out", "m.csv"],
            vec!["plan", input, "--out", "plan"],
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
