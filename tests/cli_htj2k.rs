//! HTJ2K (High-Throughput JPEG 2000, the syntaxes cloud archives use): CT slices compressed by
//! OpenJPH (`ojph_compress`, the reference encoder) through every unsigned phantom encoding
//! load to the HU of the uncompressed slices, voxel for voxel. Signed HTJ2K is refused per file
//! with the reason — this build's JPEG 2000 decoder clamps its negative samples (measured
//! here: −1002 came back as 32767), and wrong HU must never load silently.
//!
//! Skips (passing, with a message) without `ojph_compress` (Debian: openjph-tools) or pydicom;
//! `TUMORSCOPE_REQUIRE_TOOLS` makes that a failure (CI installs both).

// Tests say on stderr what they skipped.
#![allow(clippy::print_stderr)]

mod util;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use tumorscope_phantom::{CtEncoding, PhantomOptions};
use util::Dir;

const MAKE_HTJ2K: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/make_htj2k.py");

fn tools_available() -> bool {
    let ok = Command::new("ojph_compress").arg("-v").output().is_ok()
        && Command::new("python3")
            .args(["-c", "import pydicom, numpy"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("TUMORSCOPE_REQUIRE_TOOLS").is_none(),
            "ojph_compress (openjph-tools) and pydicom required but missing"
        );
        eprintln!("skipped: ojph_compress (apt install openjph-tools) or pydicom not found");
    }
    ok
}

/// The voxels of an exported `ct.nii.gz` (past its 352-byte header).
fn voxels(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out.split_off(352)
}

#[test]
fn unsigned_htj2k_loads_exactly_and_signed_is_refused_with_the_reason() {
    if !tools_available() {
        return;
    }
    let dir = Dir::new();
    // `variations` cycles the CT encodings: signed 16-bit, unsigned + intercept, 12 bits
    // stored, slope 2.
    let written = dir.cohort(
        "src",
        PhantomOptions {
            patients: 4,
            seed: 53,
            variations: true,
            ..PhantomOptions::default()
        },
        false,
    );
    dir.run(&["export", "src", "--nifti", "native"])
        .expect_code(0);
    for (n, truth) in written.patients.iter().enumerate() {
        let out = dir.path().join("htj2k").join(&truth.label);
        let run = Command::new("python3")
            .arg(MAKE_HTJ2K)
            .arg(written.root.join(&truth.label))
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let input = format!("htj2k/{}", truth.label);
        let export = format!("nii-{n}");
        let encoding = CtEncoding::ALL[n % CtEncoding::ALL.len()];
        if encoding == CtEncoding::SignedInt16 {
            let run = dir.run(&["export", &input, "--nifti", &export]);
            assert_ne!(run.code(), 0);
            assert!(
                run.stderr().contains("signed HTJ2K") && run.stderr().contains("image_"),
                "{}",
                run.stderr()
            );
            continue;
        }
        dir.run(&["export", &input, "--nifti", &export])
            .expect_code(0);
        assert_eq!(
            voxels(
                &dir.path()
                    .join(&export)
                    .join(&truth.label)
                    .join("ct.nii.gz")
            ),
            voxels(
                &dir.path()
                    .join("native")
                    .join(&truth.label)
                    .join("ct.nii.gz")
            ),
            "{:?}",
            encoding
        );
    }
}
