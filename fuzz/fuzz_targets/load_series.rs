//! Fuzz target: the whole load path on any bytes. The input becomes a slice of a 3D-IRCADb
//! CT folder (and, split in two, a second slice beside it), which is scanned and loaded like a
//! user's data: nothing may panic, and a scanned patient either loads or fails with an error.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tumorscope_sources::{load_patient, scan, LoadOptions, ScanOptions};

/// One folder per fuzzing process, rewritten for every input.
fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tumorscope-fuzz-load-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("p1/PATIENT_DICOM")).expect("temp folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = folder();
    let ct = dir.join("p1/PATIENT_DICOM");
    let (a, b) = data.split_at(data.len() / 2);
    for (name, bytes) in [("image_0", data), ("image_1", a), ("image_2", b)] {
        std::fs::write(ct.join(name), bytes).expect("write input");
    }
    let dataset = scan(std::slice::from_ref(dir), &ScanOptions::default(), &|| {});
    for patient in &dataset.patients {
        let _ = load_patient(&dataset, patient, &LoadOptions::default());
    }
});
