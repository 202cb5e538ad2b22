//! Labelling speed on CT-sized masks: sparse (tumor-like ellipsoids, ~3 % foreground) and dense
//! (one large ellipsoid, ~40 %), plus a whole-patient analysis of the sparse case.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tumorscope_analysis::{analyze_patient, label_components, AnalysisOptions, Connectivity};
use tumorscope_core::{Geometry, LabelMask, PatientImage, Volume};

const DIMS: [usize; 3] = [512, 512, 119];

/// A mask holding the given ellipsoids `(centre ijk, radii in voxels)`.
fn ellipsoids(shapes: &[([f64; 3], [f64; 3])]) -> Vec<u8> {
    let [nx, ny, nz] = DIMS;
    let mut mask = vec![0u8; nx * ny * nz];
    for (c, r) in shapes {
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    let d = (i as f64 - c[0]) / r[0];
                    let e = (j as f64 - c[1]) / r[1];
                    let f = (k as f64 - c[2]) / r[2];
                    if d * d + e * e + f * f <= 1.0 {
                        mask[(k * ny + j) * nx + i] = 1;
                    }
                }
            }
        }
    }
    mask
}

fn sparse() -> Vec<u8> {
    ellipsoids(&[
        ([150.0, 180.0, 40.0], [50.0, 40.0, 28.0]),
        ([330.0, 200.0, 70.0], [45.0, 42.0, 30.0]),
        ([250.0, 350.0, 60.0], [55.0, 38.0, 27.0]),
        ([380.0, 380.0, 30.0], [30.0, 25.0, 15.0]),
        ([100.0, 380.0, 95.0], [12.0, 10.0, 6.0]),
        ([200.0, 100.0, 100.0], [3.0, 3.0, 2.0]),
    ])
}

fn dense() -> Vec<u8> {
    ellipsoids(&[([256.0, 256.0, 59.0], [250.0, 200.0, 58.0])])
}

fn bench(c: &mut Criterion) {
    let voxels = (DIMS[0] * DIMS[1] * DIMS[2]) as u64;
    let mut group = c.benchmark_group("label_512x512x119");
    group.throughput(Throughput::Elements(voxels));
    group.sample_size(20);
    for (name, mask) in [("sparse", sparse()), ("dense", dense())] {
        for conn in [Connectivity::Six, Connectivity::TwentySix] {
            let id = format!("{name}_{}", u8::from(conn));
            group.bench_function(id, |b| {
                b.iter(|| label_components(black_box(&mask), DIMS, conn).map(|c| c.count))
            });
        }
    }
    group.finish();

    let g = Geometry::axial(DIMS, [0.743, 0.743, 1.6], [0.0; 3]);
    let image = PatientImage {
        patient: "bench".into(),
        ct: Volume::filled(g, 40i16),
        masks: vec![
            LabelMask::new(
                "liver",
                ellipsoids(&[([256.0, 256.0, 60.0], [200.0, 180.0, 55.0])]),
            ),
            LabelMask::new("livertumor1", sparse()),
        ],
    };
    let mut group = c.benchmark_group("analyze_patient_512x512x119");
    group.sample_size(10);
    group.bench_function("sparse_tumors", |b| {
        b.iter(|| {
            analyze_patient(black_box(&image), &AnalysisOptions::default()).map(|s| s.tumor_count)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
