//! Build script: `TUMORSCOPE_BUILD_ID`, a digest of every Rust source file and the lock file, so
//! what a build stores to reuse later (the scan memo's records, results in the catalog) is not
//! taken by a build whose readers or measurements may differ — every git build is version
//! 0.1.0, so the version alone cannot tell them apart.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut files = Vec::new();
    for dir in ["src", "crates", "python/src"] {
        collect(&root.join(dir), &mut files);
        println!("cargo:rerun-if-changed={dir}");
    }
    files.push(root.join("Cargo.lock"));
    println!("cargo:rerun-if-changed=Cargo.lock");
    files.sort();
    // FNV-1a, 64 bits: stable across toolchains (a std hasher is not), and plenty to tell
    // builds apart.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for f in &files {
        eat(f
            .strip_prefix(&root)
            .unwrap_or(f)
            .to_string_lossy()
            .as_bytes());
        eat(&std::fs::read(f).unwrap_or_default());
    }
    println!("cargo:rustc-env=TUMORSCOPE_BUILD_ID={hash:016x}");
}

/// Every `.rs` file under `dir`, build output excluded.
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.file_name().is_some_and(|n| n == "target") {
            continue;
        }
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}
