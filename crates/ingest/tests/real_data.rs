//! Timing on the real 3D-IRCADb masks archive (ignored by default: needs the shared data):
//! `cargo test -p tumorscope-ingest --release --test real_data -- --ignored --nocapture`.
#![allow(clippy::print_stderr)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tumorscope_ingest::{walk, Visit, WalkOptions};

const MASKS: &str = "/work/shared/data/3Dircadb1.17/MASKS_DICOM.zip";

fn best_of<T>(runs: usize, mut run: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = run();
        best = best.min(start.elapsed());
        last = Some(value);
    }
    (best, last.expect("at least one run"))
}

#[test]
#[ignore = "needs /work/shared/data; prints timings"]
fn walk_real_masks_archive() {
    let paths = [PathBuf::from(MASKS)];
    let options = WalkOptions::default();
    let (prefix_time, prefix) = best_of(5, || {
        walk(&paths, &options, &|_| Visit::Enter, &|mut entry| {
            entry.read_prefix(64 << 10).map(|p| p.len()).unwrap_or(0)
        })
    });
    let (full_time, full) = best_of(5, || {
        walk(&paths, &options, &|_| Visit::Enter, &|entry| {
            entry.read_all().map(|bytes| bytes.len()).unwrap_or(0)
        })
    });

    // 961 entries in the central directory, 9 of them folders.
    assert_eq!(prefix.items.len(), 952);
    assert!(prefix.errors.is_empty() && full.errors.is_empty());
    let total: usize = full.items.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 250_661_288);
    assert!(prefix.items.iter().all(|(_, n)| *n == 64 << 10));
    eprintln!(
        "MASKS_DICOM.zip, 952 entries, {} threads: 64 KiB prefix {:.1} ms, read all ({} MB) {:.1} ms",
        rayon::current_num_threads(),
        prefix_time.as_secs_f64() * 1e3,
        total / 1_000_000,
        full_time.as_secs_f64() * 1e3
    );
}
