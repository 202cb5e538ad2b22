//! Tumour response between a baseline and a follow-up scan: lesions matched across the scans,
//! RECIST 1.1 sums of diameters and category, and the volumetric change beside them.
//!
//! Rules (RECIST 1.1, Eisenhauer et al. 2009, section 4.3):
//! - targets are chosen at baseline ([`crate::recist::select_targets`]); the follow-up sum adds
//!   the long axes of the same lesions (0 for one that disappeared; the fragments of a split
//!   lesion add up; a lesion that coalesced with another counts 0, the merged lesion's axis
//!   goes to the other);
//! - PD: a new lesion, or the sum grew by ≥ 20 % over the nadir (the smallest sum so far,
//!   baseline included) and by ≥ 5 mm;
//! - CR: every baseline lesion gone (targets and non-targets) and no new lesion;
//! - PR: the sum fell by ≥ 30 % from baseline;
//! - SD otherwise. Without targets, non-target lesions alone give CR, PD or `non-CR/non-PD`.
//!
//! Lymph nodes (short axis), unequivocal non-target progression and confirmation scans are
//! out of scope.
//!
//! Matching: lesions are compared by their centroids in patient coordinates, after moving the
//! follow-up by the shift between the two livers' centroids when both scans have a liver mask
//! (a rigid translation that absorbs table position and breathing offsets; no rotation and no
//! deformable registration), else by the images' own geometry. A baseline and a follow-up lesion
//! match when their centroids lie within `max(10 mm, half the larger Feret diameter)`, nearest
//! pairs first.

use serde::{Deserialize, Serialize};
use tumorscope_core::{PatientImage, StructureRole};

use crate::{PatientStats, TumorStats};

/// Centroids closer than this always match (mm).
pub const MATCH_MIN_MM: f64 = 10.0;
/// PR: the sum fell by at least this fraction of the baseline sum.
pub const PR_DECREASE: f64 = 0.30;
/// PD: the sum grew by at least this fraction of the nadir …
pub const PD_INCREASE: f64 = 0.20;
/// … and by at least this many millimetres.
pub const PD_ABSOLUTE_MM: f64 = 5.0;

/// What became of a lesion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LesionStatus {
    /// Found in both scans.
    Matched,
    /// Gone at follow-up.
    Disappeared,
    /// Coalesced with another baseline lesion at follow-up.
    Merged,
    /// Only at follow-up.
    New,
}

/// One lesion across the two scans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LesionChange {
    pub status: LesionStatus,
    /// Tumour id at baseline (`None` for a new lesion).
    pub baseline_id: Option<u32>,
    /// Tumour ids at follow-up (several when the lesion split; none when it disappeared).
    pub followup_ids: Vec<u32>,
    /// A RECIST target at baseline.
    pub target: bool,
    pub baseline_diameter_mm: Option<f64>,
    /// Sum of the follow-up fragments' long axes; 0 when disappeared or merged.
    pub followup_diameter_mm: Option<f64>,
    pub diameter_change_pct: Option<f64>,
    pub baseline_volume_ml: Option<f64>,
    pub followup_volume_ml: Option<f64>,
    pub volume_change_pct: Option<f64>,
    /// Distance between the centroids after alignment.
    pub centroid_distance_mm: Option<f64>,
}

/// How the follow-up was placed on the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    /// `liver centroid` (translation between the livers' centroids) or `image geometry`.
    pub method: String,
    /// Added to baseline positions to find them at follow-up (LPS mm).
    pub shift_mm: [f64; 3],
}

/// RECIST 1.1 response category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Category {
    CR,
    PR,
    SD,
    PD,
    #[serde(rename = "non-CR/non-PD")]
    NonCrNonPd,
}

impl Category {
    /// How the category is written (`CR`, `non-CR/non-PD` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CR => "CR",
            Self::PR => "PR",
            Self::SD => "SD",
            Self::PD => "PD",
            Self::NonCrNonPd => "non-CR/non-PD",
        }
    }
}

/// The response of one follow-up against its baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub alignment: Alignment,
    pub lesions: Vec<LesionChange>,
    /// Baseline ids of the RECIST targets.
    pub targets: Vec<u32>,
    pub baseline_sum_mm: f64,
    pub followup_sum_mm: f64,
    /// The smallest sum before this follow-up (baseline included).
    pub nadir_sum_mm: f64,
    /// Change of the sum from baseline; `None` without targets.
    pub sum_change_pct: Option<f64>,
    /// Change of the sum from the nadir, mm.
    pub sum_change_from_nadir_mm: f64,
    pub new_lesions: usize,
    pub category: Category,
    /// Why, in words.
    pub category_reason: String,
    /// Total tumour volume at both times and its change (volumetric response).
    pub baseline_volume_ml: f64,
    pub followup_volume_ml: f64,
    pub volume_change_pct: Option<f64>,
}

/// The centroid (LPS mm) of the union of a patient's liver masks; `None` without any.
pub fn liver_centroid_mm(image: &PatientImage) -> Option<[f64; 3]> {
    let livers: Vec<_> = image.masks_with_role(StructureRole::Liver).collect();
    let g = &image.ct.geometry;
    let mut sum = [0.0; 3];
    let mut count = 0usize;
    for n in 0..g.len() {
        if livers.iter().any(|m| m.contains(n)) {
            let p = g.ijk(n);
            for a in 0..3 {
                sum[a] += p[a] as f64;
            }
            count += 1;
        }
    }
    (count > 0).then(|| g.voxel_to_patient(sum.map(|s| s / count as f64)))
}

/// Compares `followup` with `baseline`; `nadir_sum_mm` is the smallest sum of diameters before
/// this follow-up (the baseline sum for a first follow-up). Liver centroids, when both are
/// given, align the scans.
pub fn assess_response(
    baseline: &PatientStats,
    followup: &PatientStats,
    baseline_liver_mm: Option<[f64; 3]>,
    followup_liver_mm: Option<[f64; 3]>,
    nadir_sum_mm: f64,
) -> Response {
    let alignment = match (baseline_liver_mm, followup_liver_mm) {
        (Some(b), Some(f)) => Alignment {
            method: "liver centroid".to_owned(),
            shift_mm: [f[0] - b[0], f[1] - b[1], f[2] - b[2]],
        },
        _ => Alignment {
            method: "image geometry".to_owned(),
            shift_mm: [0.0; 3],
        },
    };
    let shift = alignment.shift_mm;
    let distance = |b: &TumorStats, f: &TumorStats| {
        (0..3)
            .map(|a| (b.centroid_mm[a] + shift[a] - f.centroid_mm[a]).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let tolerance = |b: &TumorStats, f: &TumorStats| {
        MATCH_MIN_MM.max(0.5 * b.max_diameter_mm.max(f.max_diameter_mm))
    };
    // Nearest pairs first, one to one.
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (bi, b) in baseline.tumors.iter().enumerate() {
        for (fi, f) in followup.tumors.iter().enumerate() {
            let d = distance(b, f);
            if d <= tolerance(b, f) {
                pairs.push((d, bi, fi));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut match_of_baseline: Vec<Option<usize>> = vec![None; baseline.tumors.len()];
    let mut match_of_followup: Vec<Option<usize>> = vec![None; followup.tumors.len()];
    for &(_, bi, fi) in &pairs {
        if match_of_baseline[bi].is_none() && match_of_followup[fi].is_none() {
            match_of_baseline[bi] = Some(fi);
            match_of_followup[fi] = Some(bi);
        }
    }
    // A follow-up lesion left over near a matched baseline lesion is a fragment of it; a
    // baseline lesion left over near a matched follow-up lesion coalesced into it.
    let mut fragments: Vec<Vec<usize>> = match_of_baseline
        .iter()
        .map(|m| m.iter().copied().collect())
        .collect();
    let mut new_lesions = Vec::new();
    for (fi, matched) in match_of_followup.iter().enumerate() {
        if matched.is_some() {
            continue;
        }
        let owner = pairs
            .iter()
            .find(|&&(_, bi, f)| f == fi && match_of_baseline[bi].is_some())
            .map(|&(_, bi, _)| bi);
        match owner {
            Some(bi) => fragments[bi].push(fi),
            None => new_lesions.push(fi),
        }
    }
    let targets = &baseline.recist.targets;
    let pct = |from: f64, to: f64| (from > 0.0).then(|| 100.0 * (to - from) / from);
    let mut lesions = Vec::new();
    for (bi, b) in baseline.tumors.iter().enumerate() {
        let merged_into = (fragments[bi].is_empty())
            .then(|| {
                pairs
                    .iter()
                    .find(|&&(_, p, fi)| p == bi && match_of_followup[fi].is_some())
                    .map(|&(_, _, fi)| fi)
            })
            .flatten();
        let (status, ids, fu_diameter, fu_volume) = if !fragments[bi].is_empty() {
            let parts: Vec<&TumorStats> = fragments[bi]
                .iter()
                .map(|&fi| &followup.tumors[fi])
                .collect();
            (
                LesionStatus::Matched,
                parts.iter().map(|t| t.id).collect(),
                parts.iter().map(|t| t.axial_diameter_mm).sum(),
                parts.iter().map(|t| t.volume_ml).sum(),
            )
        } else if let Some(fi) = merged_into {
            (LesionStatus::Merged, vec![followup.tumors[fi].id], 0.0, 0.0)
        } else {
            (LesionStatus::Disappeared, Vec::new(), 0.0, 0.0)
        };
        let centroid_distance_mm = fragments[bi]
            .first()
            .or(merged_into.as_ref())
            .map(|&fi| distance(b, &followup.tumors[fi]));
        lesions.push(LesionChange {
            status,
            baseline_id: Some(b.id),
            followup_ids: ids,
            target: targets.contains(&b.id),
            baseline_diameter_mm: Some(b.axial_diameter_mm),
            followup_diameter_mm: Some(fu_diameter),
            diameter_change_pct: pct(b.axial_diameter_mm, fu_diameter),
            baseline_volume_ml: Some(b.volume_ml),
            followup_volume_ml: Some(fu_volume),
            volume_change_pct: pct(b.volume_ml, fu_volume),
            centroid_distance_mm,
        });
    }
    for &fi in &new_lesions {
        let f = &followup.tumors[fi];
        lesions.push(LesionChange {
            status: LesionStatus::New,
            baseline_id: None,
            followup_ids: vec![f.id],
            target: false,
            baseline_diameter_mm: None,
            followup_diameter_mm: Some(f.axial_diameter_mm),
            diameter_change_pct: None,
            baseline_volume_ml: None,
            followup_volume_ml: Some(f.volume_ml),
            volume_change_pct: None,
            centroid_distance_mm: None,
        });
    }

    let baseline_sum_mm = baseline.recist.sum_of_diameters_mm;
    let followup_sum_mm: f64 = lesions
        .iter()
        .filter(|l| l.target)
        .filter_map(|l| l.followup_diameter_mm)
        .sum::<f64>()
        // An empty f64 sum is −0.0.
        + 0.0;
    let nadir = nadir_sum_mm.min(baseline_sum_mm);
    let growth_mm = followup_sum_mm - nadir;
    let all_gone = lesions
        .iter()
        .filter(|l| l.baseline_id.is_some())
        .all(|l| l.status != LesionStatus::Matched);
    let had_lesions = !baseline.tumors.is_empty();
    let (category, category_reason) = if !new_lesions.is_empty() {
        (Category::PD, format!("{} new lesion(s)", new_lesions.len()))
    } else if !targets.is_empty() && growth_mm >= PD_ABSOLUTE_MM && growth_mm >= PD_INCREASE * nadir
    {
        (
            Category::PD,
            format!(
                "sum of diameters {followup_sum_mm:.1} mm is {growth_mm:.1} mm ({:.1} %) above the nadir {nadir:.1} mm (≥ 20 % and ≥ 5 mm)",
                100.0 * growth_mm / nadir.max(f64::MIN_POSITIVE)
            ),
        )
    } else if had_lesions && all_gone {
        (Category::CR, "every lesion disappeared".to_owned())
    } else if targets.is_empty() {
        (
            Category::NonCrNonPd,
            "no measurable target lesion at baseline; non-target lesions persist".to_owned(),
        )
    } else if followup_sum_mm <= (1.0 - PR_DECREASE) * baseline_sum_mm {
        (
            Category::PR,
            format!(
                "sum of diameters fell {:.1} % from baseline (≥ 30 %)",
                100.0 * (baseline_sum_mm - followup_sum_mm) / baseline_sum_mm
            ),
        )
    } else {
        (
            Category::SD,
            "neither a 30 % decrease from baseline nor a 20 % and 5 mm increase over the nadir"
                .to_owned(),
        )
    };
    Response {
        alignment,
        targets: targets.clone(),
        baseline_sum_mm,
        followup_sum_mm,
        nadir_sum_mm: nadir,
        sum_change_pct: pct(baseline_sum_mm, followup_sum_mm),
        sum_change_from_nadir_mm: growth_mm,
        new_lesions: new_lesions.len(),
        category,
        category_reason,
        baseline_volume_ml: baseline.tumor_volume_ml,
        followup_volume_ml: followup.tumor_volume_ml,
        volume_change_pct: pct(baseline.tumor_volume_ml, followup.tumor_volume_ml),
        lesions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recist::select_targets;

    fn tumor(id: u32, at: [f64; 3], diameter_mm: f64) -> TumorStats {
        let json = serde_json::json!({
            "id": id, "voxels": 1000, "volume_ml": diameter_mm.powi(3) / 2000.0,
            "centroid_mm": at, "centroid_ijk": [0.0, 0.0, 0.0],
            "bbox_ijk_min": [0, 0, 0], "bbox_ijk_max": [1, 1, 1],
            "max_diameter_mm": diameter_mm, "axial_diameter_mm": diameter_mm,
            "axial_short_axis_mm": diameter_mm / 2.0, "axial_slice_k": 0,
            "equivalent_diameter_mm": diameter_mm, "surface_area_mm2": 1.0,
            "mesh_volume_mm3": 1.0, "sphericity": 1.0, "hu_mean": 0.0, "hu_std": 0.0,
            "hu_min": 0, "hu_max": 0, "hu_p10": 0.0, "hu_median": 0.0, "hu_p90": 0.0,
            "sources": [], "liver_overlap_pct": null
        });
        serde_json::from_value(json).unwrap()
    }

    fn patient(tumors: Vec<TumorStats>) -> PatientStats {
        let image = PatientImage {
            patient: "p".into(),
            ct: tumorscope_core::Volume::filled(
                tumorscope_core::Geometry::axial([1, 1, 1], [1.0; 3], [0.0; 3]),
                0i16,
            ),
            masks: Vec::new(),
        };
        let mut stats = crate::analyze_patient(&image, &crate::AnalysisOptions::default()).unwrap();
        stats.recist = select_targets(&tumors, 1.0);
        stats.tumor_volume_ml = tumors.iter().map(|t| t.volume_ml).sum();
        stats.tumors = tumors;
        stats
    }

    fn category(baseline: Vec<TumorStats>, followup: Vec<TumorStats>) -> (Category, Response) {
        let (b, f) = (patient(baseline), patient(followup));
        let r = assess_response(&b, &f, None, None, b.recist.sum_of_diameters_mm);
        (r.category, r)
    }

    #[test]
    fn each_category_by_the_rules() {
        let a = [0.0, 0.0, 0.0];
        let b = [80.0, 0.0, 0.0];
        // 40 + 20 = 60 mm at baseline.
        let base = || vec![tumor(1, a, 40.0), tumor(2, b, 20.0)];
        // Shrinking by 30 %: 42 mm.
        assert_eq!(
            category(base(), vec![tumor(1, a, 28.0), tumor(2, b, 14.0)]).0,
            Category::PR
        );
        // Shrinking by 25 %: SD.
        assert_eq!(
            category(base(), vec![tumor(1, a, 30.0), tumor(2, b, 15.0)]).0,
            Category::SD
        );
        // Growing 20 % and ≥ 5 mm: 72 mm.
        assert_eq!(
            category(base(), vec![tumor(1, a, 52.0), tumor(2, b, 20.0)]).0,
            Category::PD
        );
        // Small lesions growing 20 % but by less than 5 mm: 12 → 14.4 mm.
        let small = || vec![tumor(1, a, 12.0)];
        let (c, r) = category(small(), vec![tumor(1, a, 14.4)]);
        assert_eq!(c, Category::SD, "{r:?}");
        // A new lesion.
        let (c, r) = category(
            base(),
            vec![
                tumor(1, a, 40.0),
                tumor(2, b, 20.0),
                tumor(3, [0.0, 90.0, 0.0], 8.0),
            ],
        );
        assert_eq!((c, r.new_lesions), (Category::PD, 1));
        // All gone.
        let (c, r) = category(base(), Vec::new());
        assert_eq!((c, r.followup_sum_mm), (Category::CR, 0.0));
        assert!(r
            .lesions
            .iter()
            .all(|l| l.status == LesionStatus::Disappeared));
    }

    #[test]
    fn shifted_scans_split_and_merged_lesions() {
        let base = patient(vec![
            tumor(1, [0.0, 0.0, 0.0], 40.0),
            tumor(2, [30.0, 0.0, 0.0], 20.0),
        ]);
        // The whole patient moved by 50 mm; lesion 1 split into two fragments, lesion 2 kept.
        let shift = [0.0, 50.0, -20.0];
        let at = |x: f64| [x + shift[0], shift[1], shift[2]];
        let follow = patient(vec![
            tumor(1, at(-6.0), 20.0),
            tumor(2, at(30.0), 20.0),
            tumor(3, at(6.0), 15.0),
        ]);
        let unaligned = assess_response(&base, &follow, None, None, 60.0);
        assert_eq!(
            unaligned.category,
            Category::PD,
            "without alignment everything is new"
        );
        let r = assess_response(
            &base,
            &follow,
            Some([1.0, 2.0, 3.0]),
            Some([1.0, 52.0, -17.0]),
            60.0,
        );
        assert_eq!(r.alignment.method, "liver centroid");
        assert_eq!(r.new_lesions, 0, "{r:?}");
        assert_eq!(r.lesions[0].followup_ids.len(), 2, "{r:?}");
        assert_eq!(r.followup_sum_mm, 20.0 + 15.0 + 20.0);
        // Two lesions coalescing: the second counts 0.
        let merged = patient(vec![tumor(1, at(12.0), 45.0)]);
        let r = assess_response(&base, &merged, Some([0.0; 3]), Some(shift), 60.0);
        let statuses: Vec<_> = r.lesions.iter().map(|l| l.status).collect();
        assert_eq!(statuses, [LesionStatus::Matched, LesionStatus::Merged]);
        assert_eq!(r.followup_sum_mm, 45.0);
    }
}
