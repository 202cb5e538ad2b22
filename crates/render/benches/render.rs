//! Speed of the hot paths: one annotated 512×512 axial slice with three overlays, its PNG.
//!
//! Run: `cargo bench -p tumorscope-render --bench render`. Target: < 5 ms per render.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use tumorscope_core::{Geometry, LabelMask, PatientImage, Volume, Window};
use tumorscope_render::{
    encode_png, render_mip, render_slice, resolve_overlays, window_slice_u8, Plane, RenderOptions,
    SliceRequest,
};

/// A 512×512×119 grid like 3D-IRCADb 1.17: a soft-tissue body with texture, a liver and
/// two tumors (spheres), so overlays, outlines and PNG compression see realistic content.
fn patient() -> PatientImage {
    let g = Geometry::axial([512, 512, 119], [0.743, 0.743, 1.6], [0.0; 3]);
    let mut ct = Volume::filled(g.clone(), -1000i16);
    let mut liver = vec![0u8; g.len()];
    let mut t1 = vec![0u8; g.len()];
    let mut t2 = vec![0u8; g.len()];
    let inside = |ijk: [usize; 3], c: [f64; 3], r_mm: f64| {
        let d: f64 = (0..3)
            .map(|a| ((ijk[a] as f64 - c[a]) * g.spacing_mm[a]).powi(2))
            .sum();
        d <= r_mm * r_mm
    };
    for n in 0..g.len() {
        let [i, j, k] = g.ijk(n);
        let (x, y) = (i as f64 - 256.0, j as f64 - 256.0);
        if (x / 230.0).powi(2) + (y / 170.0).powi(2) <= 1.0 {
            ct.data[n] = 30 + ((i * 7 + j * 13 + k * 5) % 41) as i16;
        }
        if inside([i, j, k], [170.0, 230.0, 60.0], 60.0) {
            liver[n] = 1;
            ct.data[n] = 60 + ((i + j) % 9) as i16;
        }
        if inside([i, j, k], [150.0, 220.0, 60.0], 15.0) {
            t1[n] = 1;
        }
        if inside([i, j, k], [200.0, 260.0, 62.0], 8.0) {
            t2[n] = 1;
        }
    }
    PatientImage {
        patient: "bench".into(),
        ct,
        masks: vec![
            LabelMask::new("liver", liver),
            LabelMask::new("livertumor01", t1),
            LabelMask::new("livertumor02", t2),
        ],
    }
}

fn bench(c: &mut Criterion) {
    let image = patient();
    let opts = RenderOptions {
        window: Window::parse("abdomen").expect("preset exists"),
        overlays: resolve_overlays(&image, "liver:fill:0.3,tumors:outline").expect("masks exist"),
        annotations: true,
        scale: 1.0,
    };
    assert_eq!(opts.overlays.len(), 3);
    let axial = SliceRequest {
        plane: Plane::Axial,
        index: 60,
    };
    let coronal = SliceRequest {
        plane: Plane::Coronal,
        index: 230,
    };
    c.bench_function("axial 512x512, 3 overlays, annotations", |b| {
        b.iter(|| render_slice(black_box(&image), axial, &opts).expect("renders"))
    });
    c.bench_function("coronal 512x256, 3 overlays, annotations", |b| {
        b.iter(|| render_slice(black_box(&image), coronal, &opts).expect("renders"))
    });
    c.bench_function("window lut_i16", |b| {
        b.iter(|| black_box(&opts.window).lut_i16())
    });
    let lut = opts.window.lut_i16();
    c.bench_function("window_slice_u8 axial 512x512", |b| {
        b.iter(|| {
            window_slice_u8(black_box(&image.ct), Plane::Axial, 60, &lut, 1.0).expect("renders")
        })
    });
    let bare = RenderOptions {
        overlays: Vec::new(),
        annotations: false,
        ..opts.clone()
    };
    c.bench_function("axial 512x512 grey only", |b| {
        b.iter(|| render_slice(black_box(&image), axial, &bare).expect("renders"))
    });
    let img = render_slice(&image, axial, &opts).expect("renders");
    c.bench_function("encode_png 512x512 rgb", |b| {
        b.iter(|| encode_png(black_box(&img)).expect("encodes"))
    });
    c.bench_function("axial render + encode_png", |b| {
        b.iter(|| encode_png(&render_slice(black_box(&image), axial, &opts).expect("renders")))
    });
    let mut group = c.benchmark_group("mip");
    group.sample_size(10);
    group.bench_function("axial MIP 512x512x119, 3 overlays", |b| {
        b.iter(|| render_mip(black_box(&image), Plane::Axial, &opts).expect("renders"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
