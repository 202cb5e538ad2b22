//! Pipeline speed on the real 3D-IRCADb patient 1.17: header scan, inflate-only baselines, and
//! volume loading with and without the masks. Falls back to a synthetic cohort (with a clear
//! line saying so) when the data is absent.
//!
//! Run: `cargo bench --bench pipeline` (data from `TUMORSCOPE_BENCH_DATA`, else
//! `../shared/data/3Dircadb1.17` next to the workspace).

// A bench binary reports to the terminal like any CLI.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "support/inflate.rs"]
mod inflate;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tumorscope_dataset::Dataset;
use tumorscope_phantom::{write_cohort, PhantomOptions};
use tumorscope_sources::{load_patient, load_series, scan, LoadOptions, ScanOptions};

/// Where the benchmark's input lives, and under which name its results are reported.
struct Input {
    /// Suffix of every benchmark id (`1.17`, or `synthetic` for the phantom fallback).
    name: &'static str,
    /// The folder `scan` is given.
    scan_root: PathBuf,
    /// The CT zip and the masks zip of the patient that is loaded.
    ct_zip: PathBuf,
    masks_zip: PathBuf,
    /// Keeps the synthetic cohort on disk while benchmarking.
    _temp: Option<tempfile::TempDir>,
}

fn real_data_dir() -> PathBuf {
    std::env::var_os("TUMORSCOPE_BENCH_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/3Dircadb1.17"),
        PathBuf::from,
    )
}

fn input() -> Input {
    let dir = real_data_dir();
    let ct_zip = dir.join("PATIENT_DICOM.zip");
    let masks_zip = dir.join("MASKS_DICOM.zip");
    if ct_zip.is_file() && masks_zip.is_file() {
        return Input {
            name: "1.17",
            scan_root: dir,
            ct_zip,
            masks_zip,
            _temp: None,
        };
    }
    eprintln!(
        "3Dircadb1.17 not found at `{}`: real-data benchmarks skipped, benchmarking a synthetic \
         cohort instead (set `TUMORSCOPE_BENCH_DATA` to the patient folder)",
        dir.display()
    );
    let temp = tempfile::tempdir().expect("a temporary directory for the synthetic cohort");
    let options = PhantomOptions {
        patients: 2,
        ..Default::default()
    };
    let cohort =
        write_cohort(temp.path(), &options, false).expect("the synthetic cohort is written");
    let patient = cohort.root.join("3Dircadb1.1");
    Input {
        name: "synthetic",
        scan_root: cohort.root.clone(),
        ct_zip: patient.join("PATIENT_DICOM.zip"),
        masks_zip: patient.join("MASKS_DICOM.zip"),
        _temp: Some(temp),
    }
}

/// The scanned dataset with the CT series of its first patient stripped of its masks.
fn ct_only(dataset: &Dataset) -> (Dataset, usize) {
    let mut stripped = dataset.clone();
    let patient = &mut stripped.patients[0];
    let primary_uid = patient
        .primary_series()
        .expect("the first patient has a CT volume")
        .series_uid
        .clone();
    let index = patient
        .series
        .iter()
        .position(|s| s.series_uid == primary_uid)
        .expect("the primary series is one of the patient's series");
    patient.series[index].structures.clear();
    (stripped, index)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn pipeline(c: &mut Criterion) {
    let input = input();
    let name = input.name;
    let roots = vec![input.scan_root.clone()];
    let dataset = scan(&roots, &ScanOptions::default(), &|| {});
    assert!(
        !dataset.patients.is_empty() && dataset.skipped.is_empty(),
        "the benchmark input scans cleanly: {} patient(s), skipped {:?}",
        dataset.patients.len(),
        dataset.skipped
    );

    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Elements(dataset.instances as u64));
    group.bench_function(name, |b| {
        b.iter(|| black_box(scan(&roots, &ScanOptions::default(), &|| {})))
    });
    group.finish();

    let mut group = c.benchmark_group("inflate");
    group.throughput(Throughput::Bytes(file_len(&input.ct_zip)));
    group.bench_function(format!("{name}-ct"), |b| {
        b.iter(|| black_box(inflate::inflate_zip(&input.ct_zip).expect("the CT zip inflates")))
    });
    group.throughput(Throughput::Bytes(
        file_len(&input.ct_zip) + file_len(&input.masks_zip),
    ));
    group.bench_function(format!("{name}-all"), |b| {
        b.iter(|| {
            let ct = inflate::inflate_zip(&input.ct_zip).expect("the CT zip inflates");
            let masks = inflate::inflate_zip(&input.masks_zip).expect("the masks zip inflates");
            black_box((ct, masks))
        })
    });
    group.finish();

    let (stripped, primary) = ct_only(&dataset);
    let patient = &stripped.patients[0];
    let series = &patient.series[primary];
    let mut group = c.benchmark_group("load");
    group.throughput(Throughput::Elements(series.slices.len() as u64));
    group.bench_function(format!("{name}-ct"), |b| {
        b.iter(|| {
            black_box(
                load_series(&stripped, patient, series, &LoadOptions::default())
                    .expect("the CT loads"),
            )
        })
    });
    let all_slices = series.slices.len()
        + dataset.patients[0]
            .primary_series()
            .map_or(0, |s| s.structures.iter().map(|m| m.slices.len()).sum());
    group.throughput(Throughput::Elements(all_slices as u64));
    group.bench_function(format!("{name}-all"), |b| {
        b.iter(|| {
            black_box(
                load_patient(&dataset, &dataset.patients[0], &LoadOptions::default())
                    .expect("the patient loads"),
            )
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Small samples: the whole run must stay under 3 minutes on 2 busy cores.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = pipeline
}
criterion_main!(benches);
