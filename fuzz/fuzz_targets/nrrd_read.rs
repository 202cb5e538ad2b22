//! Fuzz target: the NRRD reader on any bytes: header, CT, labels and segment listing of the
//! file as an attached `.nrrd`, and discovery and loading of it as a 3D Slicer scene (image
//! plus `.seg.nrrd` of the same bytes) never panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tumorscope-fuzz-nrrd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = folder();
    let image = dir.join("CT.nrrd");
    let segmentation = dir.join("Segmentation.seg.nrrd");
    std::fs::write(&image, data).expect("write input");
    std::fs::write(&segmentation, data).expect("write input");
    if let Ok(header) = tumorscope_nrrd::read_header(&image) {
        let _ = tumorscope_nrrd::slicer_segments(&header);
    }
    let _ = tumorscope_nrrd::read_ct(&image);
    let _ = tumorscope_nrrd::read_labels(&image);
    let (patients, _) = tumorscope_nifti::nifti_patients(dir, 0);
    for p in &patients {
        for s in &p.series {
            if let tumorscope_dataset::SeriesSource::Nifti(source) = &s.source {
                let _ = tumorscope_nifti::load_nifti_series(p, s, source);
            }
        }
    }
});
