//! Writes a synthetic cohort of any size, to measure at cohort scale:
//! `cargo run --release -p tumorscope-phantom --example write_cohort -- OUT PATIENTS [COLUMNS ROWS SLICES]`
//! (default 512 × 512 × 120 at 0.75 × 0.75 × 1.6 mm: 3D-IRCADb-sized patients), in the
//! 3D-IRCADb layout (`OUT/3Dircadb1.N/{PATIENT_DICOM,MASKS_DICOM}.zip`).

#![allow(clippy::print_stdout)]

use std::path::PathBuf;

use tumorscope_phantom::{write_cohort, PhantomOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: write_cohort OUT PATIENTS [COLUMNS ROWS SLICES]";
    let out = PathBuf::from(args.first().expect(usage));
    let patients: usize = args.get(1).and_then(|p| p.parse().ok()).expect(usage);
    let dim =
        |n: usize, default: usize| args.get(n).and_then(|d| d.parse().ok()).unwrap_or(default);
    let options = PhantomOptions {
        patients,
        dims: [dim(2, 512), dim(3, 512), dim(4, 120)],
        spacing_mm: [0.75, 0.75, 1.6],
        junk_files: false,
        corrupt_file: false,
        ..PhantomOptions::default()
    };
    let written = write_cohort(&out, &options, false).expect("writing the cohort");
    println!(
        "{} patients of {:?} voxels in `{}`",
        written.patients.len(),
        options.dims,
        out.display()
    );
}
