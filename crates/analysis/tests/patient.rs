//! Patient-level analysis on synthetic images whose answers are known exactly.

use proptest::prelude::*;
use tumorscope_analysis::{
    analyze_patient, summarize_cohort, tumor_masks, AnalysisError, AnalysisOptions, Connectivity,
    LiverInclusion,
};
use tumorscope_core::{BitMask, Geometry, LabelMask, PatientImage, StructureRole, Volume};

/// An image builder: a CT filled with `hu` and masks painted by closures over `[i, j, k]`.
struct Phantom {
    g: Geometry,
    ct: Vec<i16>,
    masks: Vec<LabelMask>,
}

impl Phantom {
    fn new(dims: [usize; 3], spacing_mm: [f64; 3]) -> Self {
        let g = Geometry::axial(dims, spacing_mm, [-10.0, 20.0, 5.0]);
        let ct = vec![0i16; g.len()];
        Self {
            g,
            ct,
            masks: Vec::new(),
        }
    }

    fn mask(mut self, name: &str, inside: impl Fn([usize; 3]) -> bool) -> Self {
        let bits: BitMask = (0..self.g.len()).map(|n| inside(self.g.ijk(n))).collect();
        self.masks.push(LabelMask::new(name, bits));
        self
    }

    fn ct(mut self, hu: impl Fn([usize; 3]) -> i16) -> Self {
        self.ct = (0..self.g.len()).map(|n| hu(self.g.ijk(n))).collect();
        self
    }

    fn image(&self) -> PatientImage {
        PatientImage {
            patient: "phantom".into(),
            ct: Volume {
                geometry: self.g.clone(),
                data: self.ct.clone(),
            },
            masks: self.masks.clone(),
        }
    }
}

fn in_box(p: [usize; 3], lo: [usize; 3], hi: [usize; 3]) -> bool {
    (0..3).all(|a| p[a] >= lo[a] && p[a] <= hi[a])
}

fn with(connectivity: Connectivity) -> AnalysisOptions {
    AnalysisOptions {
        connectivity,
        ..AnalysisOptions::default()
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn corner_touching_tumors_depend_on_connectivity() {
    let p = Phantom::new([8, 8, 8], [1.0; 3])
        .mask("livertumor1", |p| in_box(p, [1, 1, 1], [2, 2, 2]))
        .mask("livertumor2", |p| in_box(p, [3, 3, 3], [4, 4, 4]));
    let img = p.image();
    let s26 = analyze_patient(&img, &with(Connectivity::TwentySix)).unwrap();
    assert_eq!(s26.tumor_count, 1);
    assert_eq!(s26.tumors[0].voxels, 16);
    assert_eq!(s26.tumors[0].sources, vec!["livertumor1", "livertumor2"]);
    assert_eq!(s26.tumor_structures, 2);
    assert_eq!(
        s26.note.as_deref(),
        Some("2 tumor masks, 1 component: tumors touch or overlap")
    );
    for c in [Connectivity::Six, Connectivity::Eighteen] {
        let s = analyze_patient(&img, &with(c)).unwrap();
        assert_eq!(s.tumor_count, 2, "{c:?}");
        assert_eq!(s.note, None);
        assert_eq!(s.connectivity, c);
        assert!(s.tumors.iter().all(|t| t.voxels == 8));
    }
}

#[test]
fn tumor_masks_are_the_voxels_of_the_counted_tumors_in_report_order() {
    // Three components from two masks: a 2×2×2 cube, a 3×3×3 cube that the second mask
    // extends by a corner-touching 1×1×1 voxel (one tumour at 26, two at 6), and a lone voxel.
    let small = |p: [usize; 3]| in_box(p, [1, 1, 1], [2, 2, 2]);
    let large = |p: [usize; 3]| in_box(p, [5, 5, 5], [7, 7, 7]);
    let corner = |p: [usize; 3]| p == [8, 8, 8];
    let lone = |p: [usize; 3]| p == [1, 8, 1];
    let img = Phantom::new([10, 10, 10], [1.0, 1.0, 2.0])
        .mask("livertumor1", move |p| small(p) || large(p))
        .mask("livertumor2", move |p| corner(p) || lone(p))
        .mask("liver", |_| true)
        .image();
    let count = |bits: &BitMask, inside: &dyn Fn([usize; 3]) -> bool| {
        let g = &img.ct.geometry;
        (0..g.len()).all(|n| bits.get(n) == inside(g.ijk(n)))
    };
    let options = with(Connectivity::TwentySix);
    let stats = analyze_patient(&img, &options).unwrap();
    let masks = tumor_masks(&img, &stats, &options).unwrap();
    assert_eq!(masks.len(), 3);
    // Largest first, as the report numbers them.
    assert!(count(&masks[0], &|p| large(p) || corner(p)));
    assert!(count(&masks[1], &small));
    assert!(count(&masks[2], &lone));
    for (m, t) in masks.iter().zip(&stats.tumors) {
        assert_eq!(m.count_ones(), t.voxels);
    }

    // 6-connectivity splits the corner off; a minimum volume drops the single voxels.
    let options = AnalysisOptions {
        connectivity: Connectivity::Six,
        min_volume_ml: 0.003,
        ..AnalysisOptions::default()
    };
    let stats = analyze_patient(&img, &options).unwrap();
    let masks = tumor_masks(&img, &stats, &options).unwrap();
    assert_eq!(stats.tumor_count, 2);
    assert!(count(&masks[0], &large));
    assert!(count(&masks[1], &small));

    // Statistics of other masks are refused, not silently matched.
    let other = Phantom::new([10, 10, 10], [1.0, 1.0, 2.0])
        .mask("livertumor1", small)
        .image();
    let stats_of_other = analyze_patient(&other, &AnalysisOptions::default()).unwrap();
    let img_without = Phantom::new([10, 10, 10], [1.0, 1.0, 2.0])
        .mask("livertumor1", large)
        .image();
    assert!(matches!(
        tumor_masks(&img_without, &stats_of_other, &AnalysisOptions::default()),
        Err(AnalysisError::StatsMismatch { .. })
    ));
}

#[test]
fn cyst_touching_a_tumor_is_not_counted() {
    let p = Phantom::new([10, 6, 6], [1.0; 3])
        .mask("livertumor1", |p| in_box(p, [1, 1, 1], [3, 3, 3]))
        .mask("liverkyst", |p| in_box(p, [4, 1, 1], [6, 3, 3]));
    let s = analyze_patient(&p.image(), &AnalysisOptions::default()).unwrap();
    assert_eq!(
        s.masks_roles(),
        vec![StructureRole::Tumor, StructureRole::Cyst]
    );
    assert_eq!(s.tumor_count, 1);
    assert_eq!(s.tumors[0].voxels, 27);
    assert_eq!(s.tumors[0].bbox_ijk_max, [3, 3, 3]);
    assert_eq!(s.tumors[0].sources, vec!["livertumor1"]);
}

/// Small helper trait so tests read naturally.
trait Roles {
    fn masks_roles(&self) -> Vec<StructureRole>;
}
impl Roles for tumorscope_analysis::PatientStats {
    fn masks_roles(&self) -> Vec<StructureRole> {
        self.organs.iter().map(|o| o.role).collect()
    }
}

#[test]
fn one_voxel_tumor() {
    let spacing = [0.7, 0.8, 2.5];
    let p = Phantom::new([5, 5, 5], spacing)
        .mask("tumor", |p| p == [2, 3, 4])
        .ct(|p| if p == [2, 3, 4] { 55 } else { -100 });
    let s = analyze_patient(&p.image(), &AnalysisOptions::default()).unwrap();
    assert_eq!(s.tumor_count, 1);
    let t = &s.tumors[0];
    let v_mm3 = 0.7 * 0.8 * 2.5;
    assert_eq!(t.id, 1);
    assert!(close(t.volume_ml, v_mm3 / 1000.0));
    assert_eq!(
        (
            t.max_diameter_mm,
            t.axial_diameter_mm,
            t.axial_short_axis_mm
        ),
        (0.0, 0.0, 0.0)
    );
    assert_eq!(t.axial_slice_k, 4);
    assert!(close(
        t.equivalent_diameter_mm,
        (6.0 * v_mm3 / std::f64::consts::PI).cbrt()
    ));
    assert_eq!(t.centroid_ijk, [2.0, 3.0, 4.0]);
    assert!(close(t.centroid_mm[0], -10.0 + 2.0 * 0.7));
    assert!(close(t.centroid_mm[1], 20.0 + 3.0 * 0.8));
    assert!(close(t.centroid_mm[2], 5.0 + 4.0 * 2.5));
    assert_eq!(
        (t.hu_mean, t.hu_std, t.hu_min, t.hu_max, t.hu_median),
        (55.0, 0.0, 55, 55, 55.0)
    );
    // The octahedron of a lone voxel: volume = voxel volume / 6.
    assert!(close(t.mesh_volume_mm3, v_mm3 / 6.0));
    assert_eq!(t.liver_overlap_pct, None);
    assert_eq!(s.recist.targets, Vec::<u32>::new());
    assert_eq!(s.liver_volume_ml, None);
    assert_eq!(s.tumor_burden_pct, None);
}

#[test]
fn patient_without_tumors_and_with_an_empty_tumor_mask() {
    let liver = |p: [usize; 3]| in_box(p, [1, 1, 1], [4, 4, 2]);
    let none = Phantom::new([6, 6, 4], [1.0, 1.0, 2.0]).mask("liver", liver);
    let empty = Phantom::new([6, 6, 4], [1.0, 1.0, 2.0])
        .mask("liver", liver)
        .mask("livertumor01", |_| false);
    for (p, masks) in [(none, 1), (empty, 2)] {
        let s = analyze_patient(&p.image(), &AnalysisOptions::default()).unwrap();
        assert_eq!(s.organs.len(), masks);
        assert_eq!(s.tumor_count, 0);
        assert_eq!(s.tumor_structures, 0);
        assert_eq!(s.tumor_volume_ml, 0.0);
        assert_eq!(s.liver_volume_ml, Some(4.0 * 4.0 * 2.0 * 2.0 / 1000.0));
        assert_eq!(s.tumor_burden_pct, Some(0.0));
        assert_eq!(s.liver_mask_includes_tumors, None);
        assert_eq!(
            (s.largest_tumor_by_volume, s.largest_tumor_by_diameter),
            (None, None)
        );
        assert!(s.recist.targets.is_empty() && s.recist.sum_of_diameters_mm == 0.0);
        assert_eq!(s.note, None);
        assert!(s.tumors.is_empty());
    }
}

#[test]
fn sphere_volume_and_feret_match_brute_force() {
    let spacing = [0.8, 0.8, 1.5];
    let c = [7.0, 7.0, 4.0];
    let inside = move |p: [usize; 3]| {
        let d = [
            (p[0] as f64 - c[0]) * 0.8,
            (p[1] as f64 - c[1]) * 0.8,
            (p[2] as f64 - c[2]) * 1.5,
        ];
        d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= 25.0
    };
    let p = Phantom::new([15, 15, 9], spacing).mask("livertumor", inside);
    let s = analyze_patient(&p.image(), &AnalysisOptions::default()).unwrap();
    let voxels: Vec<[usize; 3]> = (0..p.g.len())
        .map(|n| p.g.ijk(n))
        .filter(|&q| inside(q))
        .collect();
    assert_eq!(s.tumor_count, 1);
    let t = &s.tumors[0];
    assert_eq!(t.voxels, voxels.len());
    assert!(close(
        t.volume_ml,
        voxels.len() as f64 * 0.8 * 0.8 * 1.5 / 1000.0
    ));
    let mut feret2 = 0.0f64;
    let mut axial2 = 0.0f64;
    for a in &voxels {
        for b in &voxels {
            let d = [0, 1, 2].map(|n| (a[n] as f64 - b[n] as f64) * spacing[n]);
            feret2 = feret2.max(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if a[2] == b[2] {
                axial2 = axial2.max(d[0] * d[0] + d[1] * d[1]);
            }
        }
    }
    assert!(
        close(t.max_diameter_mm, feret2.sqrt()),
        "{} vs {}",
        t.max_diameter_mm,
        feret2.sqrt()
    );
    assert!(close(t.axial_diameter_mm, axial2.sqrt()));
    assert_eq!(t.axial_slice_k, 4);
    assert_eq!(t.centroid_ijk, c);
    assert!(
        t.sphericity > 0.8 && t.sphericity <= 1.0,
        "{}",
        t.sphericity
    );
}

#[test]
fn anisotropic_box_has_exact_diameters() {
    let spacing = [0.5, 0.75, 3.0];
    let (lo, hi) = ([2, 3, 1], [9, 6, 4]); // 8 × 4 × 4 voxels
    let p = Phantom::new([12, 10, 7], spacing)
        .mask("livertumor1", |q| in_box(q, lo, hi))
        .ct(|q| (q[0] * 10) as i16);
    let s = analyze_patient(&p.image(), &AnalysisOptions::default()).unwrap();
    let t = &s.tumors[0];
    let (l, w, h): (f64, f64, f64) = (7.0 * 0.5, 3.0 * 0.75, 3.0 * 3.0);
    assert_eq!(t.voxels, 128);
    assert!(close(t.max_diameter_mm, (l * l + w * w + h * h).sqrt()));
    let diag = (l * l + w * w).sqrt();
    assert!(close(t.axial_diameter_mm, diag));
    // Width of an l × w rectangle across its diagonal.
    assert!(close(t.axial_short_axis_mm, 2.0 * l * w / diag));
    // Every slice ties; the lowest one is reported.
    assert_eq!(t.axial_slice_k, 1);
    assert_eq!((t.bbox_ijk_min, t.bbox_ijk_max), (lo, hi));
    assert_eq!(t.centroid_ijk, [5.5, 4.5, 2.5]);
    // HU = 10·i for i in 2..=9, four times each of 16 (j, k) pairs.
    assert_eq!((t.hu_min, t.hu_max, t.hu_mean), (20, 90, 55.0));
    // numpy.percentile(np.repeat(range(20, 100, 10), 16), [10, 50, 90]) = 20, 55, 90
    assert!(close(t.hu_p10, 20.0) && close(t.hu_median, 55.0) && close(t.hu_p90, 90.0));
    assert!(close(t.hu_std, 525f64.sqrt()));
}

#[test]
fn burden_liver_inclusion_and_ordering() {
    // Liver 10×10×4 that includes a small tumor; a larger tumor half outside the liver.
    let p = Phantom::new([16, 12, 4], [1.0, 1.0, 2.0])
        .mask("liver", |q| in_box(q, [0, 0, 0], [9, 9, 3]))
        .mask("livertumor1", |q| in_box(q, [1, 1, 1], [2, 2, 1]))
        .mask("livertumor2", |q| in_box(q, [8, 4, 0], [11, 7, 3]));
    let s = analyze_patient(&p.image(), &AnalysisOptions::default()).unwrap();
    assert_eq!(s.tumor_count, 2);
    // Sorted by volume: the 4×4×4 box first.
    assert_eq!(s.tumors[0].voxels, 64);
    assert_eq!(s.tumors[0].sources, vec!["livertumor2"]);
    assert_eq!(s.tumors[1].voxels, 4);
    assert_eq!(s.largest_tumor_by_volume, Some(1));
    assert_eq!(s.largest_tumor_by_diameter, Some(1));
    assert_eq!(s.tumors[0].liver_overlap_pct, Some(50.0));
    assert_eq!(s.tumors[1].liver_overlap_pct, Some(100.0));
    // Tumor voxels inside the liver: 4 + 32 of 68.
    assert_eq!(s.liver_mask_includes_tumors, Some(LiverInclusion::Partial));
    let liver_ml = (400.0 + 32.0) * 2.0 / 1000.0;
    assert!(close(s.liver_volume_ml.unwrap(), liver_ml));
    assert!(close(s.tumor_volume_ml, 68.0 * 2.0 / 1000.0));
    assert!(close(s.tumor_burden_pct.unwrap(), 100.0 * 68.0 / 432.0));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["liver_mask_includes_tumors"], "partial");
    assert_eq!(json["connectivity"], 26);
    assert!(json["tumors"][0]["max_diameter_mm"].is_number());
    assert!(json["tumor_burden_definition"]
        .as_str()
        .unwrap()
        .contains("liver mask ∪ tumor masks"));
}

#[test]
fn liver_inclusion_true_and_false() {
    let inside = Phantom::new([8, 8, 3], [1.0; 3])
        .mask("liver", |q| q[0] < 6)
        .mask("livertumor", |q| in_box(q, [1, 1, 1], [2, 2, 1]));
    let s = analyze_patient(&inside.image(), &AnalysisOptions::default()).unwrap();
    assert_eq!(s.liver_mask_includes_tumors, Some(LiverInclusion::Yes));
    assert_eq!(
        serde_json::to_value(&s).unwrap()["liver_mask_includes_tumors"],
        true
    );
    let outside = Phantom::new([8, 8, 3], [1.0; 3])
        .mask("liver", |q| q[0] < 3)
        .mask("livertumor", |q| in_box(q, [5, 1, 1], [6, 2, 1]));
    let s = analyze_patient(&outside.image(), &AnalysisOptions::default()).unwrap();
    assert_eq!(s.liver_mask_includes_tumors, Some(LiverInclusion::No));
    assert_eq!(s.liver_volume_ml, Some((3 * 8 * 3 + 4) as f64 / 1000.0));
}

#[test]
fn recist_targets_and_thresholds() {
    // Four flat tumors on one slice with long axes 9, 10, 14 and 20 mm (1 mm pixels).
    let p = Phantom::new([40, 12, 3], [1.0, 1.0, 2.0])
        .mask("livertumor1", |q| q[2] == 1 && q[1] == 1 && q[0] < 10) // 9 mm
        .mask("livertumor2", |q| q[2] == 1 && q[1] == 4 && q[0] < 11) // 10 mm
        .mask("livertumor3", |q| q[2] == 1 && q[1] == 7 && q[0] < 15) // 14 mm
        .mask("livertumor4", |q| q[2] == 1 && q[1] == 10 && q[0] < 21); // 20 mm
    let s = analyze_patient(&p.image(), &AnalysisOptions::default()).unwrap();
    assert_eq!(s.tumor_count, 4);
    let ids_by_len: Vec<(u32, f64)> = s
        .tumors
        .iter()
        .map(|t| (t.id, t.axial_diameter_mm))
        .collect();
    assert_eq!(ids_by_len, vec![(1, 20.0), (2, 14.0), (3, 10.0), (4, 9.0)]);
    assert_eq!(s.recist.targets, vec![1, 2]);
    assert_eq!(s.recist.sum_of_diameters_mm, 34.0);
    assert_eq!(s.recist.measurable_min_mm, 10.0);
    // With 8 mm slices, only lesions of at least 16 mm are measurable.
    let opts = AnalysisOptions {
        slice_thickness_mm: Some(8.0),
        ..AnalysisOptions::default()
    };
    let s = analyze_patient(&p.image(), &opts).unwrap();
    assert_eq!(s.recist.targets, vec![1]);
    assert_eq!(s.recist.measurable_min_mm, 16.0);
    // Min volume drops the smaller ones (10 and 11 voxels of 2 mm³).
    let opts = AnalysisOptions {
        min_volume_ml: 0.025,
        ..AnalysisOptions::default()
    };
    let s = analyze_patient(&p.image(), &opts).unwrap();
    assert_eq!((s.tumor_count, s.dropped_small), (2, 2));
    assert_eq!(
        s.note.as_deref(),
        Some("2 components smaller than 0.025 mL dropped")
    );
}

#[test]
fn explicit_tumor_masks_and_errors() {
    let p = Phantom::new([6, 6, 3], [1.0; 3])
        .mask("livertumor1", |q| q == [1, 1, 1])
        .mask("portalvein", |q| in_box(q, [3, 3, 0], [4, 4, 2]));
    let opts = AnalysisOptions {
        tumor_masks: Some(vec!["PortalVein".into()]),
        ..AnalysisOptions::default()
    };
    let s = analyze_patient(&p.image(), &opts).unwrap();
    assert_eq!(s.tumor_count, 1);
    assert_eq!(s.tumors[0].voxels, 12);
    assert_eq!(s.tumors[0].sources, vec!["portalvein"]);
    let opts = AnalysisOptions {
        tumor_masks: Some(vec!["nope".into()]),
        ..AnalysisOptions::default()
    };
    let err = analyze_patient(&p.image(), &opts).unwrap_err();
    assert!(matches!(&err, AnalysisError::UnknownTumorMask { name, .. } if name == "nope"));
    assert!(err.to_string().contains("`portalvein`"));
    let mut img = p.image();
    img.masks[1].bits = tumorscope_core::BitMask::zeros(img.masks[1].bits.len() - 1);
    assert!(matches!(
        analyze_patient(&img, &AnalysisOptions::default()),
        Err(AnalysisError::MaskSize { found: 107, .. })
    ));
    let opts = AnalysisOptions {
        min_volume_ml: -1.0,
        ..AnalysisOptions::default()
    };
    assert!(matches!(
        analyze_patient(&p.image(), &opts),
        Err(AnalysisError::BadOption { .. })
    ));
}

#[test]
fn one_mask_split_into_components() {
    let p = Phantom::new([10, 4, 2], [1.0; 3])
        .mask("livertumors", |q| q[0] == 1 || q[0] == 5 || q[0] == 8);
    let s = analyze_patient(&p.image(), &AnalysisOptions::default()).unwrap();
    assert_eq!(s.tumor_count, 3);
    assert_eq!(
        s.note.as_deref(),
        Some("1 tumor mask split into 3 components")
    );
    // Equal volumes keep raster order: ids follow i.
    assert_eq!(
        s.tumors
            .iter()
            .map(|t| t.bbox_ijk_min[0])
            .collect::<Vec<_>>(),
        vec![1, 5, 8]
    );
}

#[test]
fn cohort_of_phantoms() {
    let a = Phantom::new([8, 8, 3], [1.0; 3])
        .mask("liver", |q| q[0] < 6)
        .mask("livertumor", |q| in_box(q, [1, 1, 1], [2, 2, 1]));
    let b = Phantom::new([8, 8, 3], [1.0; 3]).mask("liver", |q| q[0] < 6);
    let stats: Vec<_> = [a, b]
        .iter()
        .map(|p| analyze_patient(&p.image(), &AnalysisOptions::default()).unwrap())
        .collect();
    let c = summarize_cohort(&stats);
    assert_eq!((c.patients, c.patients_with_tumors, c.lesions), (2, 1, 1));
    let count = c.tumor_count.unwrap();
    assert_eq!(
        (count.mean, count.median, count.min, count.max),
        (0.5, 0.5, 0.0, 1.0)
    );
    assert!(close(count.sd.unwrap(), 0.5f64.sqrt()));
    assert_eq!(c.lesion_volumes_ml[0].count, 1); // 0.004 mL < 0.1 mL
    assert_eq!(c.tumor_burden_pct.unwrap().n, 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn counts_survive_translation_and_volume_is_voxels_times_voxel_volume(
        cells in proptest::collection::vec(proptest::bool::weighted(0.3), 6 * 5 * 4),
        shift in (0usize..4, 0usize..3, 0usize..3),
        spacing in (0.3f64..2.0, 0.3f64..2.0, 0.5f64..5.0),
    ) {
        let spacing = [spacing.0, spacing.1, spacing.2];
        let small = move |q: [usize; 3]| q[0] < 6 && q[1] < 5 && q[2] < 4 && cells[(q[2] * 5 + q[1]) * 6 + q[0]];
        let small2 = small.clone();
        let base = Phantom::new([10, 8, 7], spacing).mask("tumor", small);
        let moved = Phantom::new([10, 8, 7], spacing).mask("tumor", move |q| {
            q[0] >= shift.0 && q[1] >= shift.1 && q[2] >= shift.2 && small2([q[0] - shift.0, q[1] - shift.1, q[2] - shift.2])
        });
        for c in [Connectivity::Six, Connectivity::TwentySix] {
            let a = analyze_patient(&base.image(), &with(c)).unwrap();
            let b = analyze_patient(&moved.image(), &with(c)).unwrap();
            prop_assert_eq!(a.tumor_count, b.tumor_count);
            let voxel_mm3 = spacing[0] * spacing[1] * spacing[2];
            for (x, y) in a.tumors.iter().zip(&b.tumors) {
                prop_assert_eq!(x.voxels, y.voxels);
                prop_assert!(close(x.volume_ml, x.voxels as f64 * voxel_mm3 / 1000.0));
                prop_assert!(close(x.max_diameter_mm, y.max_diameter_mm));
                prop_assert!(close(x.surface_area_mm2, y.surface_area_mm2));
            }
        }
    }
}
