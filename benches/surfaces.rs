//! The viewer's 3D surfaces on the real 3D-IRCADb patient 1.17: the exact marching-cubes
//! surface of the liver, its display surface (smoothed, simplified to its share of the patient's
//! triangle budget), and every structure's display surface (what the 3D view asks the server
//! for, once per patient). Falls back to a synthetic patient (saying so) when the data is absent.
//!
//! Run: `cargo bench --bench surfaces` (data from `TUMORSCOPE_BENCH_DATA`, else
//! `../shared/data/3Dircadb1.17` next to the workspace).

// A bench binary reports to the terminal like any CLI.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use tumorscope_core::PatientImage;
use tumorscope_mesh::{display_mesh, structure_mesh};
use tumorscope_phantom::{write_cohort, PhantomOptions};
use tumorscope_server::surfaces::{options_for, surface};
use tumorscope_server::{DatasetSource, PatientSource};
use tumorscope_sources::{scan, LoadOptions, ScanOptions};

fn image() -> (&'static str, PatientImage) {
    let dir = std::env::var_os("TUMORSCOPE_BENCH_DATA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/3Dircadb1.17"),
        PathBuf::from,
    );
    let (name, root, _temp) = if dir.is_dir() {
        ("1.17", dir, None)
    } else {
        eprintln!(
            "3Dircadb1.17 not found at `{}`: benchmarking a synthetic patient instead",
            dir.display()
        );
        let temp = tempfile::tempdir().expect("a temporary directory");
        let cohort = write_cohort(
            temp.path(),
            &PhantomOptions {
                patients: 1,
                dims: [256, 256, 80],
                ..PhantomOptions::default()
            },
            false,
        )
        .expect("the synthetic patient is written");
        ("synthetic", cohort.root.clone(), Some(temp))
    };
    let source = DatasetSource::new(
        scan(&[root], &ScanOptions::default(), &|| {}),
        LoadOptions::default(),
    );
    let id = source.patients()[0].id;
    let image = source.load(id).expect("the patient loads");
    (name, (*image).clone())
}

fn surfaces(c: &mut Criterion) {
    let (name, image) = image();
    let liver = image.mask("liver").expect("a liver mask");
    let exact = structure_mesh(&liver.bits, &image.ct.geometry);
    let options = options_for(image.masks.len());
    let shown = display_mesh(&exact, options);
    println!(
        "{name}: liver {} → {} triangles; all structures: {}",
        exact.triangles.len(),
        shown.triangles.len(),
        image
            .masks
            .iter()
            .enumerate()
            .map(|(n, m)| {
                let s = surface(&image, n).expect("a surface");
                format!("{} {} → {}", m.name, s.full_triangles, s.triangles.len())
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut group = c.benchmark_group("surfaces");
    group.bench_function(format!("{name}-liver-exact"), |b| {
        b.iter(|| black_box(structure_mesh(&liver.bits, &image.ct.geometry)))
    });
    group.bench_function(format!("{name}-liver-display-from-exact"), |b| {
        b.iter(|| black_box(display_mesh(&exact, options)))
    });
    group.bench_function(format!("{name}-every-structure-display"), |b| {
        b.iter(|| {
            for n in 0..image.masks.len() {
                black_box(surface(&image, n));
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Small samples: the whole run must stay under a few minutes on 2 busy cores.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    targets = surfaces
}
criterion_main!(benches);
