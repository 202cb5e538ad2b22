//! Checks that outputs are absent, the previous ones, or complete: never half written. Shared
//! by the kill test and the write-error test.

use std::io::Read;
use std::path::Path;

/// Every report file is absent, or as complete as a finished run writes it.
pub fn check_report(dir: &Path) {
    if let Ok(bytes) = std::fs::read(dir.join("stats.json")) {
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("stats.json whole");
        assert!(v["patients"].is_array());
    }
    for csv in ["patients.csv", "tumors.csv"] {
        if let Ok(text) = std::fs::read_to_string(dir.join(csv)) {
            assert!(text.ends_with("\r\n"), "{csv} cut: {text:?}");
            assert!(text.lines().count() >= 2, "{csv}: {text:?}");
        }
    }
    if let Ok(html) = std::fs::read_to_string(dir.join("report.html")) {
        assert!(html.trim_end().ends_with("</html>"), "report.html cut");
    }
}

/// Every `.nii.gz` present inflates whole and holds its header plus data.
pub fn check_nifti(dir: &Path) {
    let Ok(patients) = std::fs::read_dir(dir) else {
        return;
    };
    for p in patients {
        let p = p.unwrap().path();
        for f in [p.join("ct.nii.gz"), p.join("labels.nii.gz")] {
            let Ok(bytes) = std::fs::read(&f) else {
                continue;
            };
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .unwrap_or_else(|e| panic!("{} cut: {e}", f.display()));
            assert!(out.len() > 352, "{}", f.display());
        }
    }
}

/// The tree is absent, the previous one, or complete: every manifest file exists.
pub fn check_tree(tree: &Path) {
    let Ok(bytes) = std::fs::read(tree.join("manifest.json")) else {
        assert!(!tree.exists(), "a tree without its manifest");
        return;
    };
    let manifest: serde_json::Value = serde_json::from_slice(&bytes).expect("manifest whole");
    for f in manifest["files"].as_array().unwrap() {
        assert!(tree.join(f["file"].as_str().unwrap()).is_file(), "{f}");
    }
}

/// No temporary file of an atomic write is left in `dir` (or below it).
pub fn assert_no_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let path = e.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".tmp") && !name.starts_with(".tumorscope-"),
            "a temporary file is left: {}",
            path.display()
        );
        if path.is_dir() {
            assert_no_temporaries(&path);
        }
    }
}
