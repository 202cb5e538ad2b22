//! `tumorscope view --patient LABEL --structure NAME`: the notebook's
//! `dicom_interact(patient_id=…, mask_organ="liver")` as a link that opens the viewer there;
//! unknown names are refused before anything is served.

mod util;

use tumorscope_phantom::PhantomOptions;
use util::{spawn_view, Dir};

fn cohort(dir: &Dir) {
    dir.cohort(
        "c",
        PhantomOptions {
            patients: 2,
            ..PhantomOptions::default()
        },
        false,
    );
}

#[test]
fn unknown_patients_and_structures_are_refused_with_the_names_there_are() {
    let dir = Dir::new();
    cohort(&dir);
    let run = dir
        .run(&["view", "c", "--patient", "nobody"])
        .expect_code(2);
    assert!(
        run.stderr().contains("no patient `nobody`") && run.stderr().contains("`3Dircadb1.2`"),
        "{}",
        run.stderr()
    );
    let run = dir
        .run(&[
            "view",
            "c",
            "--patient",
            "3Dircadb1.2",
            "--structure",
            "spleen",
        ])
        .expect_code(2);
    assert!(
        run.stderr().contains("has no structure `spleen`") && run.stderr().contains("`liver`"),
        "{}",
        run.stderr()
    );
}

#[test]
fn the_printed_link_opens_on_the_patient_and_structure() {
    let dir = Dir::new();
    cohort(&dir);
    let (mut child, line) = spawn_view(
        dir.path(),
        &[
            "c",
            "--patient",
            "3Dircadb1.2",
            "--structure",
            "Liver",
            "--port",
            "0",
        ],
    );
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("tumorscope viewer: http://127.0.0.1:")
            && line.contains("/#patient=3Dircadb1.2&structure=Liver "),
        "{line}"
    );
}
