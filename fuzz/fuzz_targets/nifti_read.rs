//! Fuzz target: the NIfTI reader on any bytes, plain and gzipped: the header read, the CT and
//! label-map reads, and discovery of the file as a patient never panic.
#![no_main]

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn folder() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("tumorscope-fuzz-nifti-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp folder");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = folder();
    let plain = dir.join("volume-1.nii");
    std::fs::write(&plain, data).expect("write input");
    let gz = dir.join("segmentation-1.nii.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("gzip");
    std::fs::write(&gz, encoder.finish().expect("gzip")).expect("write input");
    for path in [&plain, &gz] {
        let _ = tumorscope_nifti::read_header(path);
        let _ = tumorscope_nifti::read_ct_volume(path);
        let _ = tumorscope_nifti::read_label_map(path);
    }
    // As a LiTS case (volume-1 with segmentation-1): discovery and loading.
    let (patients, _) = tumorscope_nifti::nifti_patients(dir, 0);
    for p in &patients {
        for s in &p.series {
            if let tumorscope_dataset::SeriesSource::Nifti(source) = &s.source {
                let _ = tumorscope_nifti::load_nifti_series(p, s, source);
            }
        }
    }
});
