//! End-to-end checks of the renderer on small synthetic patients with exactly known pixels.

use std::io::Cursor;

use tumorscope_core::{default_color, Geometry, LabelMask, PatientImage, Volume, Window};
use tumorscope_render::*;

/// `to_u8` is the identity on 0..=255 with this window: `((x − 127.5)/255 + 0.5)·255 = x`.
const IDENTITY: Window = Window {
    width: 256.0,
    center: 128.0,
};
const WIDE: Window = Window {
    width: 2000.0,
    center: 500.0,
};
const RED: [u8; 3] = [255, 0, 0];

/// HU of the main phantom: distinct along every axis, rising with `k` (so z).
fn hu(i: usize, j: usize, k: usize) -> i16 {
    100 * k as i16 + i as i16 - j as i16
}

fn block(
    g: &Geometry,
    i: std::ops::Range<usize>,
    j: std::ops::Range<usize>,
    k: std::ops::Range<usize>,
) -> Vec<u8> {
    let mut m = vec![0u8; g.len()];
    for kk in k {
        for jj in j.clone() {
            for ii in i.clone() {
                m[g.index([ii, jj, kk])] = 1;
            }
        }
    }
    m
}

/// 20×16×10 voxels of 0.8 × 0.8 × 2 mm, offset origin; a 5×5×3 tumor, a liver over k 2..8.
fn phantom_with(direction: [[f64; 3]; 3]) -> PatientImage {
    let g = Geometry::new(
        [20, 16, 10],
        [0.8, 0.8, 2.0],
        [-10.0, 20.0, 100.0],
        direction,
    )
    .unwrap();
    let mut ct = Volume::filled(g.clone(), 0i16);
    for k in 0..10 {
        for j in 0..16 {
            for i in 0..20 {
                ct.set([i, j, k], hu(i, j, k));
            }
        }
    }
    let tumor = block(&g, 4..9, 3..8, 3..6);
    let liver = block(&g, 2..18, 2..14, 2..8);
    PatientImage {
        patient: "phantom".into(),
        ct,
        masks: vec![
            LabelMask::new("liver", liver),
            LabelMask::new("livertumor01", tumor),
        ],
    }
}

fn phantom() -> PatientImage {
    phantom_with([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
}

fn opts(window: Window, overlays: Vec<OverlayStyle>) -> RenderOptions {
    RenderOptions {
        window,
        overlays,
        annotations: false,
        scale: 1.0,
    }
}

fn style(name: &str, opacity: f32, mode: OverlayMode) -> OverlayStyle {
    OverlayStyle {
        name: name.into(),
        color: RED,
        opacity,
        mode,
    }
}

fn grey(v: u8) -> [u8; 3] {
    [v, v, v]
}

fn axial(image: &PatientImage, k: usize, o: &RenderOptions) -> RgbImage {
    render_slice(
        image,
        SliceRequest {
            plane: Plane::Axial,
            index: k,
        },
        o,
    )
    .unwrap()
}

#[test]
fn axial_pixels_are_the_window_of_their_voxel() {
    let image = phantom();
    let img = axial(&image, 4, &opts(WIDE, vec![]));
    assert_eq!((img.width, img.height), (20, 16));
    for y in 0..16 {
        for x in 0..20 {
            assert_eq!(
                img.get(x, y),
                Some(grey(WIDE.to_u8(hu(x, y, 4) as f64))),
                "({x},{y})"
            );
        }
    }
    // The low-level grey slice agrees and clips outside the window.
    let narrow = Window::new(10.0, 400.0).unwrap();
    let g = window_slice_u8(&image.ct, Plane::Axial, 4, &narrow.lut_i16(), 1.0).unwrap();
    assert_eq!(g.pixels[0], narrow.to_u8(400.0));
    assert_eq!(g.pixels[15 * 20 + 19], narrow.to_u8(hu(19, 15, 4) as f64));
}

#[test]
fn fill_overlay_paints_exact_colour_and_exact_blend() {
    let image = phantom();
    let full = axial(
        &image,
        4,
        &opts(WIDE, vec![style("livertumor01", 1.0, OverlayMode::Fill)]),
    );
    assert_eq!(full.get(6, 5), Some(RED));
    assert_eq!(full.get(4, 3), Some(RED));
    assert_eq!(full.get(9, 5), Some(grey(WIDE.to_u8(hu(9, 5, 4) as f64))));
    assert_eq!(full.get(0, 0), Some(grey(WIDE.to_u8(hu(0, 0, 4) as f64))));
    // Outside the tumor's slices nothing is painted.
    let above = axial(
        &image,
        6,
        &opts(WIDE, vec![style("livertumor01", 1.0, OverlayMode::Fill)]),
    );
    assert_eq!(above.get(6, 5), Some(grey(WIDE.to_u8(hu(6, 5, 6) as f64))));

    let half = axial(
        &image,
        4,
        &opts(WIDE, vec![style("livertumor01", 0.5, OverlayMode::Fill)]),
    );
    let base = WIDE.to_u8(hu(6, 5, 4) as f64) as f64;
    let mix = |c: f64| ((base + c) / 2.0).round() as u8;
    assert_eq!(half.get(6, 5), Some([mix(255.0), mix(0.0), mix(0.0)]));
}

#[test]
fn later_overlays_are_drawn_on_top() {
    let image = phantom();
    let blue = OverlayStyle {
        name: "liver".into(),
        color: [0, 0, 255],
        opacity: 1.0,
        mode: OverlayMode::Fill,
    };
    let img = axial(
        &image,
        4,
        &opts(
            WIDE,
            vec![blue, style("livertumor01", 1.0, OverlayMode::Fill)],
        ),
    );
    assert_eq!(img.get(6, 5), Some(RED));
    assert_eq!(img.get(3, 3), Some([0, 0, 255]));
}

#[test]
fn outline_marks_only_the_boundary() {
    let image = phantom();
    let img = axial(
        &image,
        4,
        &opts(WIDE, vec![style("livertumor01", 1.0, OverlayMode::Outline)]),
    );
    // The 5×5 square i 4..9, j 3..8: its ring is red, its 3×3 inside and the outside are not.
    for y in 0..16 {
        for x in 0..20 {
            let inside = (4..9).contains(&x) && (3..8).contains(&y);
            let interior = (5..8).contains(&x) && (4..7).contains(&y);
            let want = if inside && !interior {
                RED
            } else {
                grey(WIDE.to_u8(hu(x, y, 4) as f64))
            };
            assert_eq!(img.get(x, y), Some(want), "({x},{y})");
        }
    }
}

#[test]
fn coronal_and_sagittal_keep_physical_aspect() {
    let image = phantom();
    let o = opts(WIDE, vec![]);
    let cor = render_slice(
        &image,
        SliceRequest {
            plane: Plane::Coronal,
            index: 5,
        },
        &o,
    )
    .unwrap();
    // 10 slices × 2 mm on 0.8 mm pixels = 25 rows.
    assert_eq!((cor.width, cor.height), (20, 25));
    let sag = render_slice(
        &image,
        SliceRequest {
            plane: Plane::Sagittal,
            index: 5,
        },
        &o,
    )
    .unwrap();
    assert_eq!((sag.width, sag.height), (16, 25));
    // The real 3D-IRCADb 1.17 grid: 512 × 0.743 mm columns, 119 × 1.6 mm slices.
    let g = Geometry::axial([512, 512, 119], [0.743, 0.743, 1.6], [0.0; 3]);
    let cor = display_size(&g, Plane::Coronal, 1.0).unwrap();
    assert_eq!((cor.width, cor.height), (512, 256));
    assert_eq!(display_size(&g, Plane::Axial, 1.0).unwrap().width, 512);
    let big = display_size(&g, Plane::Sagittal, 2.0).unwrap();
    assert_eq!((big.width, big.height), (1024, 513));
    assert!((big.pixel_mm - 0.3715).abs() < 1e-12);
}

#[test]
fn coronal_top_row_is_the_highest_slice() {
    let image = phantom();
    let o = opts(WIDE, vec![]);
    let cor = render_slice(
        &image,
        SliceRequest {
            plane: Plane::Coronal,
            index: 5,
        },
        &o,
    )
    .unwrap();
    for x in 0..20 {
        assert_eq!(cor.get(x, 0), Some(grey(WIDE.to_u8(hu(x, 5, 9) as f64))));
        assert_eq!(cor.get(x, 24), Some(grey(WIDE.to_u8(hu(x, 5, 0) as f64))));
    }
    let sag = render_slice(
        &image,
        SliceRequest {
            plane: Plane::Sagittal,
            index: 7,
        },
        &o,
    )
    .unwrap();
    for x in 0..16 {
        // Horizontal = j, anterior (j = 0) on the left.
        assert_eq!(sag.get(x, 0), Some(grey(WIDE.to_u8(hu(7, x, 9) as f64))));
    }
}

#[test]
fn linear_hu_and_nearest_labels_on_the_slow_axis() {
    let g = Geometry::axial([2, 2, 2], [1.0, 1.0, 2.0], [0.0; 3]);
    let mut ct = Volume::filled(g.clone(), 0i16);
    for j in 0..2 {
        for i in 0..2 {
            ct.set([i, j, 1], 100);
        }
    }
    let mask = block(&g, 0..2, 0..2, 1..2);
    let image = PatientImage {
        patient: "lerp".into(),
        ct,
        masks: vec![LabelMask::new("liver", mask)],
    };
    let plain = render_slice(
        &image,
        SliceRequest {
            plane: Plane::Coronal,
            index: 0,
        },
        &opts(IDENTITY, vec![]),
    )
    .unwrap();
    // 4 rows sample k = 1, 0.75, 0.25, 0 (top to bottom).
    let column: Vec<u8> = (0..4).map(|y| plain.get(0, y).unwrap()[0]).collect();
    assert_eq!(column, vec![100, 75, 25, 0]);
    let over = render_slice(
        &image,
        SliceRequest {
            plane: Plane::Coronal,
            index: 0,
        },
        &opts(IDENTITY, vec![style("liver", 1.0, OverlayMode::Fill)]),
    )
    .unwrap();
    let painted: Vec<bool> = (0..4).map(|y| over.get(1, y) == Some(RED)).collect();
    assert_eq!(painted, vec![true, true, false, false]);
}

#[test]
fn letters_follow_the_direction_cosines() {
    let image = phantom();
    let g = &image.ct.geometry;
    let l = screen_letters(g, Plane::Axial);
    assert_eq!((l.left, l.right, l.top, l.bottom), ('R', 'L', 'A', 'P'));
    let l = screen_letters(g, Plane::Coronal);
    assert_eq!((l.left, l.right, l.top, l.bottom), ('R', 'L', 'S', 'I'));
    let l = screen_letters(g, Plane::Sagittal);
    assert_eq!((l.left, l.right, l.top, l.bottom), ('A', 'P', 'S', 'I'));

    // Rows along +y and columns along −x (a 90° in-plane rotation): no flip brings i to the
    // left/right of the patient, so the letters must say A/P across and L/R up and down.
    let rot = Geometry::new(
        [4, 4, 2],
        [1.0; 3],
        [0.0; 3],
        [[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
    )
    .unwrap();
    let l = screen_letters(&rot, Plane::Axial);
    assert_eq!((l.left, l.right, l.top, l.bottom), ('A', 'P', 'L', 'R'));
    let l = screen_letters(&rot, Plane::Coronal);
    assert_eq!((l.left, l.right, l.top, l.bottom), ('A', 'P', 'S', 'I'));
    assert_eq!(direction_letter([0.6, -0.8, 0.0]), 'A');
    assert_eq!(direction_letter([0.1, 0.2, -0.97]), 'I');
}

#[test]
fn reversed_axes_are_laid_out_radiologically() {
    // Rows along −x and slices along −z: the screen still shows the patient's right on the
    // left and the head at the top, so voxel i = 0 lands at the right edge and k = 0 on top.
    let image = phantom_with([[-1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]]);
    let g = &image.ct.geometry;
    let l = screen_letters(g, Plane::Axial);
    assert_eq!((l.left, l.right, l.top, l.bottom), ('R', 'L', 'A', 'P'));
    let o = opts(WIDE, vec![]);
    let ax = axial(&image, 4, &o);
    assert_eq!(ax.get(19, 3), Some(grey(WIDE.to_u8(hu(0, 3, 4) as f64))));
    assert_eq!(ax.get(0, 3), Some(grey(WIDE.to_u8(hu(19, 3, 4) as f64))));
    let cor = render_slice(
        &image,
        SliceRequest {
            plane: Plane::Coronal,
            index: 2,
        },
        &o,
    )
    .unwrap();
    assert_eq!(cor.get(19, 0), Some(grey(WIDE.to_u8(hu(0, 2, 0) as f64))));
    assert_eq!(cor.get(0, 24), Some(grey(WIDE.to_u8(hu(19, 2, 9) as f64))));
    let l = screen_letters(g, Plane::Coronal);
    assert_eq!((l.top, l.bottom), ('S', 'I'));
}

#[test]
fn slice_at_mm_finds_the_nearest_voxel_on_an_oblique_grid() {
    let s = std::f64::consts::FRAC_1_SQRT_2;
    let g = Geometry::new(
        [10, 20, 30],
        [0.7, 0.8, 2.5],
        [-100.0, 50.0, 12.5],
        [[s, s, 0.0], [-s, s, 0.0], [0.0, 0.0, 1.0]],
    )
    .unwrap();
    let p = g.voxel_to_patient([3.3, 6.8, 11.4]);
    assert_eq!(slice_at_mm(&g, Plane::Axial, p).unwrap(), 11);
    assert_eq!(slice_at_mm(&g, Plane::Coronal, p).unwrap(), 7);
    assert_eq!(slice_at_mm(&g, Plane::Sagittal, p).unwrap(), 3);
    // Half a voxel beyond the last centre is still inside; further is not.
    let edge = g.voxel_to_patient([9.49, 0.0, 0.0]);
    assert_eq!(slice_at_mm(&g, Plane::Sagittal, edge).unwrap(), 9);
    let out = g.voxel_to_patient([10.2, 3.0, 3.0]);
    assert!(matches!(
        slice_at_mm(&g, Plane::Axial, out),
        Err(RenderError::OutsideVolume { .. })
    ));
    let below = g.voxel_to_patient([1.0, 1.0, -0.7]);
    assert!(matches!(
        slice_at_mm(&g, Plane::Axial, below),
        Err(RenderError::OutsideVolume { .. })
    ));
}

#[test]
fn montage_spreads_over_the_liver_and_tiles_the_grid() {
    let image = phantom();
    // Liver covers k 2..=7: three bins of two slices, middles 3, 5, 7.
    assert_eq!(
        montage_indices(&image, Plane::Axial, 3).unwrap(),
        vec![3, 5, 7]
    );
    assert_eq!(
        montage_indices(&image, Plane::Axial, 50).unwrap(),
        vec![2, 3, 4, 5, 6, 7]
    );
    let mut no_liver = phantom();
    no_liver.masks.retain(|m| m.name != "liver");
    assert_eq!(
        montage_indices(&no_liver, Plane::Axial, 4).unwrap(),
        vec![1, 3, 6, 8]
    );

    let o = opts(WIDE, vec![style("livertumor01", 1.0, OverlayMode::Fill)]);
    let m = render_montage(&image, Plane::Axial, 5, None, &o).unwrap();
    // 5 tiles → 3 columns × 2 rows of 20×16 with 2-px gaps.
    assert_eq!(
        (m.width, m.height),
        (3 * 20 + 2 * MONTAGE_GAP_PX, 2 * 16 + MONTAGE_GAP_PX)
    );
    let idx = montage_indices(&image, Plane::Axial, 5).unwrap();
    // Tile 4 (row 1, column 1) equals the single-slice render of its index.
    let tile = axial(&image, idx[4], &o);
    let (x0, y0) = (20 + MONTAGE_GAP_PX, 16 + MONTAGE_GAP_PX);
    for y in 0..16 {
        for x in 0..20 {
            assert_eq!(m.get(x0 + x, y0 + y), tile.get(x, y));
        }
    }
    assert_eq!(m.get(20, 0), Some([0, 0, 0])); // gap
    assert_eq!(
        m.get(2 * (20 + MONTAGE_GAP_PX) + 5, y0 + 5),
        Some([0, 0, 0])
    ); // empty slot
    let wide = render_montage(&image, Plane::Coronal, 4, Some(4), &o).unwrap();
    assert_eq!((wide.width, wide.height), (4 * 20 + 3 * MONTAGE_GAP_PX, 25));
    assert!(matches!(
        render_montage(&image, Plane::Axial, 0, None, &o),
        Err(RenderError::EmptyMontage)
    ));
}

#[test]
fn mip_is_the_maximum_along_the_normal() {
    let g = Geometry::axial([6, 5, 4], [1.0; 3], [0.0; 3]);
    let mut ct = Volume::filled(g.clone(), 0i16);
    let f = |i: usize, j: usize, k: usize| ((i * 7 + j * 13 + k * 29) % 50) as i16;
    for k in 0..4 {
        for j in 0..5 {
            for i in 0..6 {
                ct.set([i, j, k], f(i, j, k));
            }
        }
    }
    ct.set([2, 3, 1], 200);
    let spot = block(&g, 2..3, 3..4, 1..2);
    let image = PatientImage {
        patient: "mip".into(),
        ct,
        masks: vec![LabelMask::new("livertumor1", spot)],
    };
    let o = opts(IDENTITY, vec![style("livertumor1", 1.0, OverlayMode::Fill)]);
    let ax = render_mip(&image, Plane::Axial, &o).unwrap();
    assert_eq!((ax.width, ax.height), (6, 5));
    for j in 0..5 {
        for i in 0..6 {
            let want = if (i, j) == (2, 3) {
                RED
            } else {
                grey((0..4).map(|k| f(i, j, k)).max().unwrap() as u8)
            };
            assert_eq!(ax.get(i, j), Some(want));
        }
    }
    let plain = opts(IDENTITY, vec![]);
    let sag = render_mip(&image, Plane::Sagittal, &plain).unwrap();
    assert_eq!((sag.width, sag.height), (5, 4));
    for k in 0..4 {
        for j in 0..5 {
            let want = if (j, k) == (3, 1) {
                200
            } else {
                (0..6).map(|i| f(i, j, k)).max().unwrap() as u8
            };
            assert_eq!(sag.get(j, 3 - k), Some(grey(want)), "j {j} k {k}");
        }
    }
    let cor = render_mip(&image, Plane::Coronal, &plain).unwrap();
    assert_eq!(cor.get(2, 2), Some(grey(200)));
    assert_eq!(
        cor.get(0, 3),
        Some(grey((0..5).map(|j| f(0, j, 0)).max().unwrap() as u8))
    );
}

#[test]
fn png_round_trips() {
    let image = phantom();
    let mut o = opts(
        WIDE,
        resolve_overlays(&image, "liver:0.3,tumors:outline").unwrap(),
    );
    o.annotations = true;
    let img = render_slice(
        &image,
        SliceRequest {
            plane: Plane::Coronal,
            index: 6,
        },
        &o,
    )
    .unwrap();
    let bytes = encode_png(&img).unwrap();
    let decoder = png::Decoder::new(Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(
        (info.width as usize, info.height as usize),
        (img.width, img.height)
    );
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(&buf[..info.buffer_size()], &img.pixels[..]);
    let broken = RgbImage {
        width: 3,
        height: 3,
        pixels: vec![0; 5],
    };
    assert!(matches!(
        encode_png(&broken),
        Err(RenderError::ImageSize { .. })
    ));
}

#[test]
fn resolve_overlays_follows_the_grammar() {
    let mut image = phantom();
    let g = image.ct.geometry.clone();
    image.masks.push(LabelMask::new(
        "livertumor02",
        block(&g, 12..14, 10..12, 4..6),
    ));
    image
        .masks
        .push(LabelMask::new("portalvein", vec![0; g.len()]));
    let s = resolve_overlays(&image, "liver:fill:0.3, tumors:outline, PortalVein:#00ff00").unwrap();
    let names: Vec<&str> = s.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["liver", "livertumor01", "livertumor02", "portalvein"]
    );
    assert_eq!(
        (s[0].mode, s[0].opacity, s[0].color),
        (OverlayMode::Fill, 0.3, default_color("liver", 0))
    );
    assert_eq!((s[1].mode, s[1].opacity), (OverlayMode::Outline, 1.0));
    assert_eq!(s[1].color, default_color("livertumor01", 0));
    assert_eq!(s[2].color, default_color("livertumor02", 1));
    assert_ne!(s[1].color, s[2].color);
    assert_eq!(s[3].color, [0, 255, 0]);
    assert_eq!(s[3].opacity, DEFAULT_FILL_OPACITY);
    assert_eq!(resolve_overlays(&image, "all").unwrap().len(), 4);
    assert_eq!(
        resolve_overlays(&image, "liver:50%").unwrap()[0].opacity,
        0.5
    );
    assert!(resolve_overlays(&image, "none").unwrap().is_empty());
    assert!(resolve_overlays(&image, "").unwrap().is_empty());
    assert!(resolve_overlays(&image, "cysts").unwrap().is_empty());
    assert!(matches!(
        resolve_overlays(&image, "spleen"),
        Err(RenderError::UnknownStructure { .. })
    ));
    assert!(matches!(
        resolve_overlays(&image, "liver:1.5"),
        Err(RenderError::BadOverlay { .. })
    ));
    assert!(matches!(
        resolve_overlays(&image, "liver:#12345"),
        Err(RenderError::BadOverlay { .. })
    ));
    assert!(matches!(
        resolve_overlays(&image, "liver:dotted"),
        Err(RenderError::BadOverlay { .. })
    ));
}

#[test]
fn default_palette_by_role_and_name() {
    let tumor = default_color("livertumor01", 0);
    assert!(
        tumor[0] > 150 && tumor[2] < 150,
        "tumors are red family: {tumor:?}"
    );
    for n in 0..6 {
        let c = default_color("tumor", n);
        assert!(c[0] >= 190 && c[2] <= 120, "{c:?}");
    }
    let vein = default_color("venoussystem", 0);
    assert!(
        vein[2] > vein[0] && vein[2] > vein[1],
        "veins are blue: {vein:?}"
    );
    assert_ne!(default_color("portalvein", 0), vein);
    assert_eq!(default_color("bone", 3), default_color("bone", 0));
    assert_eq!(default_color("liver", 7), default_color("Liver", 0));
    assert_ne!(default_color("mystery", 0), default_color("mystery", 1));
}

#[test]
fn annotations_draw_over_the_picture() {
    let g = Geometry::axial([100, 80, 3], [1.0; 3], [0.0; 3]);
    let tumor = block(&g, 40..50, 30..40, 0..1);
    let image = PatientImage {
        patient: "annotated".into(),
        ct: Volume::filled(g, 100i16),
        masks: vec![LabelMask::new("livertumor01", tumor)],
    };
    let mut o = opts(
        IDENTITY,
        vec![style("livertumor01", 1.0, OverlayMode::Fill)],
    );
    // Slice 2 holds no tumor voxel, so red can only come from the legend swatch.
    let bare = axial(&image, 2, &o);
    assert!(bare.pixels.iter().all(|&v| v == 100));
    o.annotations = true;
    let ann = axial(&image, 2, &o);
    assert_eq!((ann.width, ann.height), (bare.width, bare.height));
    // Legend swatch at margin 3 + padding 2, 7 px square, in the overlay's exact colour.
    assert_eq!(ann.get(6, 6), Some(RED));
    assert_eq!(ann.get(11, 11), Some(RED));
    let yellow = [255, 220, 0];
    let count = |x0: usize, x1: usize, y0: usize, y1: usize, c: [u8; 3]| {
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| ann.get(x, y) == Some(c))
            .count()
    };
    // Letters at the edge midpoints: A top, P bottom, R left, L right (5×7 glyphs at margin 3).
    assert!(count(47, 53, 3, 10, yellow) > 5, "top");
    assert!(count(47, 53, 70, 77, yellow) > 5, "bottom");
    assert!(count(3, 8, 36, 43, yellow) > 5, "left");
    assert!(count(92, 97, 36, 43, yellow) > 5, "right");
    // `L` is a vertical bar then a foot: its first column is fully lit.
    assert!((36..43).all(|y| ann.get(92, y) == Some(yellow)));
    // Caption (white) at the bottom-left, one line above the bottom letter.
    assert!(count(3, 40, 60, 67, [255, 255, 255]) > 20, "caption");
    assert_eq!(ann.get(99, 20), Some(grey(100)));
    // Big pictures use ×2 glyphs.
    assert_eq!(text::text_scale(384), 2);
    assert_eq!(text::text_scale(383), 1);
}

#[test]
fn text_has_a_dark_halo() {
    let mut img = RgbImage {
        width: 12,
        height: 12,
        pixels: vec![128; 12 * 12 * 3],
    };
    text::draw_text(&mut img, 2, 2, "i", 1, [255, 255, 255]);
    // `I` row 0 is 0x0E: columns 1..=3 lit, so x = 3, 4, 5 at y = 2.
    for x in 3..6 {
        assert_eq!(img.get(x, 2), Some([255, 255, 255]));
    }
    assert_eq!(img.get(2, 2), Some([0, 0, 0])); // halo left of the bar
    assert_eq!(img.get(4, 1), Some([0, 0, 0])); // halo above
    assert_eq!(img.get(0, 0), Some([128, 128, 128])); // untouched
    assert_eq!(img.get(4, 3), Some([255, 255, 255])); // stem
    assert_eq!(img.get(3, 3), Some([0, 0, 0])); // halo beside the stem
}

#[test]
fn font_covers_the_annotation_alphabet() {
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:/-_%()+#=".chars() {
        assert!(font::has_glyph(c), "{c:?}");
        assert!(font::glyph(c).iter().all(|r| *r < 32));
    }
    assert_eq!(font::glyph('q'), font::glyph('Q'));
    assert_eq!(font::glyph('~'), font::glyph('?'));
    assert_ne!(font::glyph('O'), font::glyph('0'));
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let image = phantom();
    let o = opts(WIDE, vec![]);
    assert!(matches!(
        render_slice(
            &image,
            SliceRequest {
                plane: Plane::Coronal,
                index: 16
            },
            &o
        ),
        Err(RenderError::IndexOutOfRange { count: 16, .. })
    ));
    let mut bad = opts(WIDE, vec![]);
    bad.scale = 0.0;
    assert!(matches!(
        axial_err(&image, &bad),
        Err(RenderError::BadScale(_))
    ));
    bad.scale = 1e6;
    assert!(matches!(
        axial_err(&image, &bad),
        Err(RenderError::TooLarge { .. })
    ));
    let mut short = phantom();
    short.masks[1].bits = tumorscope_core::BitMask::zeros(10);
    let o = opts(WIDE, vec![style("livertumor01", 1.0, OverlayMode::Fill)]);
    assert!(matches!(
        axial_err(&short, &o),
        Err(RenderError::MaskSize { .. })
    ));
    let o = opts(WIDE, vec![style("nothing", 1.0, OverlayMode::Fill)]);
    assert!(matches!(
        axial_err(&image, &o),
        Err(RenderError::UnknownStructure { .. })
    ));
    assert!(matches!(
        window_slice_u8(&image.ct, Plane::Axial, 0, &[0; 10], 1.0),
        Err(RenderError::LutLength(10))
    ));
    let mut empty = phantom();
    empty.ct.data.clear();
    assert!(matches!(
        render_mip(&empty, Plane::Axial, &opts(WIDE, vec![])),
        Err(RenderError::VolumeSize { .. })
    ));
    assert_eq!("Sagittal".parse::<Plane>().unwrap(), Plane::Sagittal);
    assert_eq!("cor".parse::<Plane>().unwrap(), Plane::Coronal);
    assert!(matches!(
        "oblique".parse::<Plane>(),
        Err(RenderError::UnknownPlane(_))
    ));
}

fn axial_err(image: &PatientImage, o: &RenderOptions) -> Result<RgbImage, RenderError> {
    render_slice(
        image,
        SliceRequest {
            plane: Plane::Axial,
            index: 4,
        },
        o,
    )
}

#[test]
fn outline_closes_at_the_picture_edge() {
    let g = Geometry::axial([5, 4, 1], [1.0; 3], [0.0; 3]);
    let image = PatientImage {
        patient: "edge".into(),
        ct: Volume::filled(g.clone(), 100i16),
        masks: vec![LabelMask::new("liver", vec![1; g.len()])],
    };
    let img = axial(
        &image,
        0,
        &opts(IDENTITY, vec![style("liver", 1.0, OverlayMode::Outline)]),
    );
    for y in 0..4 {
        for x in 0..5 {
            let border = x == 0 || y == 0 || x == 4 || y == 3;
            assert_eq!(
                img.get(x, y),
                Some(if border { RED } else { grey(100) }),
                "({x},{y})"
            );
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn oblique() -> Geometry {
        let s = std::f64::consts::FRAC_1_SQRT_2;
        Geometry::new(
            [10, 20, 30],
            [0.7, 0.8, 2.5],
            [-100.0, 50.0, 12.5],
            [[s, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, s]],
        )
        .unwrap()
    }

    proptest! {
        #[test]
        fn slice_at_mm_inverts_voxel_to_patient(i in 0usize..10, j in 0usize..20, k in 0usize..30,
                                                 d in -0.45f64..0.45) {
            let g = oblique();
            let p = g.voxel_to_patient([i as f64 + d, j as f64 - d, k as f64 + d]);
            prop_assert_eq!(slice_at_mm(&g, Plane::Axial, p).unwrap(), k);
            prop_assert_eq!(slice_at_mm(&g, Plane::Coronal, p).unwrap(), j);
            prop_assert_eq!(slice_at_mm(&g, Plane::Sagittal, p).unwrap(), i);
        }

        #[test]
        fn display_size_follows_the_physical_extent(
            nx in 1usize..300, nz in 1usize..200, sx in 0.3f64..2.0, sz in 0.3f64..5.0,
            scale in 0.25f64..4.0,
        ) {
            let g = Geometry::axial([nx, 7, nz], [sx, sx * 1.5, sz], [0.0; 3]);
            let d = display_size(&g, Plane::Coronal, scale).unwrap();
            let pixel = sx.min(sz) / scale;
            prop_assert!((d.pixel_mm - pixel).abs() < 1e-12);
            prop_assert_eq!(d.width, ((nx as f64 * sx / pixel).round() as usize).max(1));
            prop_assert_eq!(d.height, ((nz as f64 * sz / pixel).round() as usize).max(1));
        }
    }
}
