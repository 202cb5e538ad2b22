//! One patient's analysis: organ volumes, tumors as connected components, burden and RECIST.

use rayon::prelude::*;
use serde::{Deserialize, Serialize, Serializer};
use tumorscope_core::{LabelMask, PatientImage, StructureRole, MM3_PER_ML};

use crate::components::label_runs;
use crate::lesion::{measure_lesion, LesionContext};
use crate::recist::{select_targets, Recist};
use crate::vessels::Vessel;
use crate::volume_scan::scan_masks;
use crate::{AnalysisError, AnalysisOptions, Connectivity, TumorStats};

/// How tumor burden is defined, repeated in every result so a reader of the JSON knows.
pub const TUMOR_BURDEN_DEFINITION: &str =
    "100 × tumor volume / liver volume, where liver volume = liver mask ∪ tumor masks";

/// Share of tumor voxels inside the liver mask at or above which the liver mask is said to
/// include the tumors (and at or below 1 − this, to exclude them).
pub const INCLUDES_TUMORS_FRACTION: f64 = 0.99;

/// Volume of one named structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganStats {
    pub name: String,
    pub role: StructureRole,
    pub voxels: usize,
    pub volume_ml: f64,
    /// Radiomics features, when the analysis asked for this structure's.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::radiomics::features_with_nulls"
    )]
    pub radiomics: Option<crate::radiomics::Features>,
}

/// Whether the liver mask already contains the tumors (3D-IRCADb's does, some datasets' don't).
///
/// Serialized as `true` (≥ 99 % of tumor voxels inside the liver mask), `false` (≤ 1 %) or
/// `"partial"` (in between).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiverInclusion {
    Yes,
    No,
    Partial,
}

impl Serialize for LiverInclusion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Yes => s.serialize_bool(true),
            Self::No => s.serialize_bool(false),
            Self::Partial => s.serialize_str("partial"),
        }
    }
}

impl<'de> Deserialize<'de> for LiverInclusion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Spelled {
            Bool(bool),
            Text(String),
        }
        match Spelled::deserialize(d)? {
            Spelled::Bool(true) => Ok(Self::Yes),
            Spelled::Bool(false) => Ok(Self::No),
            Spelled::Text(s) if s == "partial" => Ok(Self::Partial),
            Spelled::Text(s) => Err(serde::de::Error::custom(format!(
                "liver_mask_includes_tumors: expected true, false or \"partial\", got {s:?}"
            ))),
        }
    }
}

/// The analysis of one patient. Field names are the public JSON/CSV schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatientStats {
    pub patient: String,
    /// Every structure mask, in the image's order.
    pub organs: Vec<OrganStats>,
    /// Volume of liver mask ∪ tumor masks; `None` without a liver mask.
    pub liver_volume_ml: Option<f64>,
    /// `None` without a liver mask or without tumor voxels.
    pub liver_mask_includes_tumors: Option<LiverInclusion>,
    /// Tumors kept (components at least `min_volume_ml` large).
    pub tumor_count: usize,
    pub connectivity: Connectivity,
    /// Sum of the kept tumors' volumes.
    pub tumor_volume_ml: f64,
    /// See `tumor_burden_definition`; `None` without a liver mask.
    pub tumor_burden_pct: Option<f64>,
    pub tumor_burden_definition: String,
    pub largest_tumor_by_volume: Option<u32>,
    pub largest_tumor_by_diameter: Option<u32>,
    pub recist: Recist,
    /// Tumor masks holding at least one voxel.
    pub tumor_structures: usize,
    /// Why `tumor_structures` and `tumor_count` differ, when they do.
    pub note: Option<String>,
    /// Components dropped for being smaller than `min_volume_ml`.
    pub dropped_small: usize,
    pub voxel_volume_mm3: f64,
    pub spacing_mm: [f64; 3],
    /// Tumours closer than this to a vessel are flagged `near_vessel`.
    pub vessel_margin_mm: f64,
    /// Largest first (see [`TumorStats::id`]).
    pub tumors: Vec<TumorStats>,
}

/// Analyses one patient: tumors are the connected components of the union of its tumor masks.
pub fn analyze_patient(
    image: &PatientImage,
    options: &AnalysisOptions,
) -> Result<PatientStats, AnalysisError> {
    let patient = image.patient.clone();
    let g = &image.ct.geometry;
    let n = g.len();
    if image.ct.data.len() != n {
        return Err(AnalysisError::CtSize {
            patient,
            expected: n,
            found: image.ct.data.len(),
        });
    }
    if let Some(m) = image.masks.iter().find(|m| m.bits.len() != n) {
        return Err(AnalysisError::MaskSize {
            patient,
            mask: m.name.clone(),
            expected: n,
            found: m.bits.len(),
        });
    }
    if !(options.min_volume_ml >= 0.0 && options.min_volume_ml.is_finite()) {
        let value = options.min_volume_ml;
        return Err(AnalysisError::BadOption {
            patient,
            option: "min_volume_ml",
            expected: "a finite number ≥ 0",
            value,
        });
    }
    let slice_thickness_mm = options.slice_thickness_mm.unwrap_or(g.spacing_mm[2]);
    if !(slice_thickness_mm > 0.0 && slice_thickness_mm.is_finite()) {
        let value = slice_thickness_mm;
        return Err(AnalysisError::BadOption {
            patient,
            option: "slice_thickness_mm",
            expected: "a finite number > 0",
            value,
        });
    }
    if let Some(r) = &options.radiomics {
        if !(r.bin_width.is_finite() && r.bin_width >= crate::radiomics::MIN_BIN_WIDTH_HU) {
            return Err(AnalysisError::BadOption {
                patient,
                option: "radiomics bin_width",
                expected: "a finite number ≥ 0.01 (HU)",
                value: r.bin_width,
            });
        }
        if let Some(n) = r.bin_count {
            if !(1..=crate::radiomics::MAX_BIN_COUNT).contains(&n) {
                return Err(AnalysisError::BadOption {
                    patient,
                    option: "radiomics bin_count",
                    expected: "a whole number from 1 to 65536",
                    value: n as f64,
                });
            }
        }
        if let Some(class) = r.unknown_class() {
            return Err(AnalysisError::UnknownRadiomicsClass {
                patient,
                class: class.to_owned(),
            });
        }
    }
    let tumor_masks = select_tumor_masks(image, options)?;
    let voxel_mm3 = g.voxel_volume_mm3();
    let to_ml = |voxels: usize| voxels as f64 * voxel_mm3 / MM3_PER_ML;

    // One fused pass: voxels per mask, runs of the tumor union, liver ∪ tumor overlap.
    let position = |m: &LabelMask| image.masks.iter().position(|x| std::ptr::eq(x, m));
    let tumor_index: Vec<usize> = tumor_masks.iter().filter_map(|m| position(m)).collect();
    let liver_masks: Vec<&LabelMask> = image.masks_with_role(StructureRole::Liver).collect();
    let liver_index: Vec<usize> = liver_masks.iter().filter_map(|m| position(m)).collect();
    let scan = scan_masks(&image.masks, &tumor_index, &liver_index, g.dims);

    let organs: Vec<OrganStats> = image
        .masks
        .iter()
        .zip(&scan.voxels)
        .map(|(m, &voxels)| OrganStats {
            name: m.name.clone(),
            role: m.role,
            voxels,
            volume_ml: to_ml(voxels),
            radiomics: options
                .radiomics
                .as_ref()
                .filter(|o| o.wants_structure(&m.name))
                .and_then(|o| crate::radiomics::mask_features(&image.ct.data, g, m, o)),
        })
        .collect();
    let tumor_structures = tumor_masks
        .iter()
        .filter(|m| position(m).is_some_and(|p| organs[p].voxels > 0))
        .count();

    let components = label_runs(scan.tumor_runs, options.connectivity).map_err(|source| {
        AnalysisError::Label {
            patient: patient.clone(),
            source,
        }
    })?;
    let voxel_lists = components.voxel_lists(g.dims[0], g.dims[1]);

    if !(options.vessel_margin_mm >= 0.0 && options.vessel_margin_mm.is_finite()) {
        let value = options.vessel_margin_mm;
        return Err(AnalysisError::BadOption {
            patient,
            option: "vessel_margin_mm",
            expected: "a finite number ≥ 0",
            value,
        });
    }
    let vessels: Vec<Vessel> = image
        .masks_with_role(StructureRole::Vessel)
        .map(|m| Vessel {
            name: &m.name,
            bits: &m.bits,
            voxels: m.bits.ones().collect(),
        })
        .collect();
    let ctx = LesionContext {
        geometry: g,
        ct: &image.ct.data,
        tumor_masks: &tumor_masks,
        liver: (!liver_masks.is_empty()).then_some(&liver_masks[..]),
        vessels: &vessels,
        vessel_margin_mm: options.vessel_margin_mm,
        radiomics: options.radiomics.as_ref(),
    };
    let measured: Vec<TumorStats> = voxel_lists
        .par_iter()
        .filter(|v| to_ml(v.len()) >= options.min_volume_ml)
        .filter_map(|v| measure_lesion(v, &ctx))
        .collect();
    let found = components.count as usize;
    let dropped_small = found - measured.len();
    // Volume descending; `par_iter().collect()` kept raster order, and the sort is stable.
    let mut tumors = measured;
    tumors.sort_by_key(|t| std::cmp::Reverse(t.voxels));
    for (n, t) in tumors.iter_mut().enumerate() {
        t.id = n as u32 + 1;
    }

    let (liver_volume_ml, liver_mask_includes_tumors) = if liver_masks.is_empty() {
        (None, None)
    } else {
        let o = scan.overlap;
        let inclusion = (o.tumor > 0).then(|| {
            let f = o.both as f64 / o.tumor as f64;
            if f >= INCLUDES_TUMORS_FRACTION {
                LiverInclusion::Yes
            } else if f <= 1.0 - INCLUDES_TUMORS_FRACTION {
                LiverInclusion::No
            } else {
                LiverInclusion::Partial
            }
        });
        (Some(to_ml(o.either)), inclusion)
    };
    let tumor_volume_ml = to_ml(tumors.iter().map(|t| t.voxels).sum());
    let tumor_burden_pct = liver_volume_ml
        .filter(|&v| v > 0.0)
        .map(|v| 100.0 * tumor_volume_ml / v);
    let largest_tumor_by_volume = tumors.first().map(|t| t.id);
    let largest_tumor_by_diameter = tumors
        .iter()
        .max_by(|a, b| {
            a.max_diameter_mm
                .total_cmp(&b.max_diameter_mm)
                .then(b.id.cmp(&a.id))
        })
        .map(|t| t.id);
    let recist = select_targets(&tumors, slice_thickness_mm);
    let note = component_note(
        tumor_structures,
        found,
        dropped_small,
        options.min_volume_ml,
    );

    Ok(PatientStats {
        patient,
        organs,
        liver_volume_ml,
        liver_mask_includes_tumors,
        tumor_count: tumors.len(),
        connectivity: options.connectivity,
        tumor_volume_ml,
        tumor_burden_pct,
        tumor_burden_definition: TUMOR_BURDEN_DEFINITION.to_owned(),
        largest_tumor_by_volume,
        largest_tumor_by_diameter,
        recist,
        tumor_structures,
        note,
        dropped_small,
        voxel_volume_mm3: voxel_mm3,
        spacing_mm: g.spacing_mm,
        vessel_margin_mm: options.vessel_margin_mm,
        tumors,
    })
}

/// The tumor masks: those named in the options, or those whose role is tumor.
pub(crate) fn select_tumor_masks<'a>(
    image: &'a PatientImage,
    options: &AnalysisOptions,
) -> Result<Vec<&'a LabelMask>, AnalysisError> {
    match &options.tumor_masks {
        None => Ok(image.masks_with_role(StructureRole::Tumor).collect()),
        Some(names) => names
            .iter()
            .map(|name| {
                image
                    .mask(name)
                    .ok_or_else(|| AnalysisError::UnknownTumorMask {
                        patient: image.patient.clone(),
                        name: name.clone(),
                        available: image
                            .masks
                            .iter()
                            .map(|m| format!("`{}`", m.name))
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            })
            .collect(),
    }
}

/// Explains a difference between tumor masks and tumors found.
fn component_note(
    structures: usize,
    found: usize,
    dropped: usize,
    min_volume_ml: f64,
) -> Option<String> {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let masks = plural(structures, "tumor mask", "tumor masks");
    let components = plural(found, "component", "components");
    let mut parts = Vec::new();
    if found < structures {
        parts.push(format!("{masks}, {components}: tumors touch or overlap"));
    } else if found > structures {
        parts.push(format!("{masks} split into {components}"));
    }
    if dropped > 0 {
        let dropped = plural(dropped, "component", "components");
        parts.push(format!("{dropped} smaller than {min_volume_ml} mL dropped"));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
