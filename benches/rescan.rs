//! Rescan speed: `tumorscope scan --db` of an unchanged cohort against its first scan, on ten
//! full-size synthetic patients (512 × 512 × 119, the real 1.17's grid, in the 3D-IRCADb
//! layout: two zips per patient). Each measurement is what the `scan` command does with a
//! catalog: read the memo, scan, record the scan and the memo. A third case touches one of the
//! twenty zips before each rescan: only that file is read again.
//!
//! Run: `cargo bench --bench rescan`. The cohort is written once under
//! `target/bench-cohorts/rescan-10` (about 0.5 GB, a few minutes) and reused; the last lines
//! print the first scan's time, the rescan's and their ratio (goal: ≤ 10 %).

// A bench binary reports to the terminal like any CLI.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use tumorscope_catalog::Catalog;
use tumorscope_dataset::Dataset;
use tumorscope_phantom::{write_cohort, PhantomOptions};
use tumorscope_sources::{scan_with_memo, ScanMemo, ScanOptions};

/// Ten patients on the real patient's grid.
fn cohort() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-cohorts/rescan-10");
    let done = dir.join(".written");
    if !done.is_file() {
        eprintln!(
            "writing 10 full-size patients to `{}` (once)",
            dir.display()
        );
        let _ = std::fs::remove_dir_all(&dir);
        let options = PhantomOptions {
            patients: 10,
            dims: [512, 512, 119],
            spacing_mm: [0.74, 0.74, 1.6],
            ..PhantomOptions::default()
        };
        write_cohort(&dir, &options, false).expect("the bench cohort is written");
        std::fs::write(&done, b"").expect("the cohort's marker is written");
    }
    dir
}

/// What `tumorscope scan ROOT --db DB` does: memo in, scan, scan and memo out.
fn scan_command(root: &Path, db: &Path) -> Dataset {
    let roots = [root.to_path_buf()];
    let mut catalog = Catalog::open(db).expect("the catalog opens");
    let memo = ScanMemo::from_rows(catalog.scan_memo(&roots).expect("the memo reads"))
        .with_tree(catalog.scan_tree(&roots).expect("the tree record reads"));
    let (dataset, update) = scan_with_memo(&roots, &ScanOptions::default(), &memo, &|| {});
    if !update.nothing_changed {
        catalog.record_scan(&dataset).expect("the scan is recorded");
        catalog
            .record_scan_memo(&roots, &update.fresh, &update.unchanged)
            .expect("the memo is recorded");
        if let Some(tree) = &update.tree {
            catalog
                .record_scan_tree(&roots, tree)
                .expect("the tree record is stored");
        }
    }
    dataset
}

fn rescan(c: &mut Criterion) {
    let root = cohort();
    let temp = tempfile::tempdir().expect("a temporary folder");
    let first = Instant::now();
    let dataset = scan_command(&root, &temp.path().join("kept.db"));
    eprintln!(
        "cohort: {} patients, {} DICOM files; first scan {:?}",
        dataset.patients.len(),
        dataset.instances,
        first.elapsed()
    );
    assert_eq!(dataset.patients.len(), 10, "the cohort scans whole");

    let mut group = c.benchmark_group("scan_10_full_size");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let mut n = 0;
    group.bench_function("first (empty catalog)", |b| {
        b.iter(|| {
            n += 1;
            let db = temp.path().join(format!("first-{n}.db"));
            let d = scan_command(&root, &db);
            let _ = std::fs::remove_file(&db);
            d
        })
    });
    group.bench_function("rescan (unchanged)", |b| {
        b.iter(|| scan_command(&root, &temp.path().join("kept.db")))
    });
    // One of the twenty zips touched (a new modification time): that file alone is read again,
    // the others' entries come from their records.
    let touched = root.join("3Dircadb1.4/MASKS_DICOM.zip");
    let mut tick = 0;
    group.bench_function("rescan (one zip of 20 changed)", |b| {
        b.iter(|| {
            tick += 1;
            let when = std::time::SystemTime::now() + Duration::from_secs(tick);
            std::fs::File::options()
                .write(true)
                .open(&touched)
                .and_then(|f| f.set_modified(when))
                .expect("the zip's modification time is set");
            scan_command(&root, &temp.path().join("kept.db"))
        })
    });
    group.finish();

    // The ratio in one line, from best-of-five wall times outside criterion's statistics.
    let best = |f: &mut dyn FnMut()| {
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let first = best(&mut || {
        let db = temp.path().join("ratio-first.db");
        let _ = std::fs::remove_file(&db);
        scan_command(&root, &db);
    });
    let again = best(&mut || {
        scan_command(&root, &temp.path().join("kept.db"));
    });
    println!(
        "first scan {first:.2?}, rescan {again:.2?}: {:.1} % of the first",
        100.0 * again.as_secs_f64() / first.as_secs_f64()
    );
}

criterion_group!(benches, rescan);
criterion_main!(benches);
