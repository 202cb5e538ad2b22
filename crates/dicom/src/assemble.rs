//! Series assembly: instance headers → patients → series, ordered, checked, masks attached.
//!
//! Clinical exports are grouped by Patient ID, Study and Series UIDs, and a series UID that
//! covers several image sizes or orientations is split. 3D-IRCADb instances are grouped by the
//! folders they came from. Masks are attached by geometry, never by UID: a mask series belongs to
//! the CT series whose in-plane geometry and slice positions it shares.

use std::collections::BTreeMap;

use tumorscope_core::{classify_structure, Geometry};
use tumorscope_dataset::{
    natural_cmp, Layout, Patient, Series, SeriesInfo, SeriesSource, SliceRef, Structure,
};

use crate::layout::PathRole;
use crate::slice_order::{order_slices, slice_normal};
use crate::InstanceHeader;

/// One readable instance with where it came from.
#[derive(Debug, Clone)]
pub struct ScannedInstance {
    pub origin: String,
    pub root: usize,
    pub role: PathRole,
    /// For layouts keyed by folders: the patient folder's logical path (its identity).
    pub patient_folder: Option<String>,
    pub header: InstanceHeader,
    /// The frame of a multi-frame file this instance stands for (its header then describes
    /// that frame: position, orientation, spacing, rescale from the functional groups).
    pub frame: Option<u32>,
    /// For a frame of a file that holds several stacks at the same positions (phases, echoes):
    /// which stack. Stacks become series of their own.
    pub stack: Option<crate::functional_groups::StackKey>,
}

/// Patient IDs that de-identification leaves on every patient alike: never an identity.
fn is_placeholder_id(id: &str) -> bool {
    let id = id.trim().to_ascii_lowercase();
    matches!(
        id.as_str(),
        "" | "0"
            | "-"
            | "anon"
            | "anonymous"
            | "anonymized"
            | "anonymised"
            | "unknown"
            | "none"
            | "n/a"
            | "na"
            | "patient"
            | "removed"
    )
}

/// The longest common folder of two logical folder paths (`a/b/c`, `a/b/d` → `a/b`).
fn common_folder(a: &str, b: &str) -> String {
    a.split('/')
        .zip(b.split('/'))
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect::<Vec<_>>()
        .join("/")
}

/// The logical folder holding an origin's file (`a/b.zip!/c/f` → `a/b.zip/c`).
fn folder_of(origin: &str) -> String {
    let logical = origin.replace("!/", "/");
    match logical.rfind('/') {
        Some(i) => logical[..i].to_owned(),
        None => String::new(),
    }
}

/// Positions along the normal within this distance are the same slice when matching masks.
const MATCH_POSITION_MM: f64 = 0.05;
const MATCH_SPACING_MM: f64 = 1e-3;
const MATCH_ORIENTATION: f64 = 1e-3;

/// Groups instances into patients. `fallback_label(root)` names an IRCAD patient whose folder is
/// not part of the origin (the user pointed at `PATIENT_DICOM.zip` itself).
pub fn assemble(
    instances: Vec<ScannedInstance>,
    fallback_label: &dyn Fn(usize) -> String,
) -> Vec<Patient> {
    // patient key → (layout, root, label, series key → instances)
    let mut patients: BTreeMap<String, PatientBuild> = BTreeMap::new();
    for inst in instances {
        let (key, label, layout, group) = match &inst.role {
            PathRole::IrcadCt { patient }
            | PathRole::IrcadLabelMap { patient }
            | PathRole::IrcadMask { patient, .. } => {
                let label = patient.clone().unwrap_or_else(|| fallback_label(inst.root));
                let group = match &inst.role {
                    PathRole::IrcadMask { structure, .. } => Group::Mask(structure.clone()),
                    PathRole::IrcadLabelMap { .. } => Group::LabelMap,
                    _ => Group::Image,
                };
                // The patient is its folder (two sites' `3Dircadb1.1` are two patients).
                let identity = inst.patient_folder.clone().unwrap_or_else(|| label.clone());
                (
                    format!("ircad\u{0}{}\u{0}{identity}", inst.root),
                    label,
                    Layout::Ircad,
                    group,
                )
            }
            PathRole::OrganizedImage { patient, .. } | PathRole::OrganizedMask { patient, .. } => {
                let group = match &inst.role {
                    PathRole::OrganizedMask { structure, .. } => Group::Mask(structure.clone()),
                    _ => Group::Image,
                };
                let identity = inst.patient_folder.as_deref().unwrap_or(patient);
                (
                    format!("organized\u{0}{}\u{0}{identity}", inst.root),
                    patient.clone(),
                    Layout::Organized,
                    group,
                )
            }
            PathRole::Generic => {
                let h = &inst.header;
                // Patient ID (with its issuer) is the identity; a placeholder ID left by
                // de-identification is none, so such a patient is its study: two studies of
                // `ANON` are never merged (a follow-up study of an anonymous patient is listed
                // as a patient of its own rather than risk merging two people).
                let (key, label) = if !is_placeholder_id(&h.patient_id) {
                    (
                        format!("id\u{0}{}\u{0}{}", h.patient_id, h.issuer_of_patient_id),
                        h.patient_id.clone(),
                    )
                } else {
                    let name = h.patient_name.trim();
                    let label = if name.is_empty() || is_placeholder_id(name) {
                        "anonymous".to_owned()
                    } else {
                        name.to_owned()
                    };
                    let study = if h.study_uid.is_empty() {
                        folder_of(&inst.origin)
                    } else {
                        h.study_uid.clone()
                    };
                    (format!("study\u{0}{study}"), label)
                };
                (
                    format!("generic\u{0}{key}"),
                    label,
                    Layout::Generic,
                    Group::Image,
                )
            }
        };
        let p = patients.entry(key).or_insert_with(|| PatientBuild {
            label,
            layout,
            root: inst.root,
            location: None,
            groups: BTreeMap::new(),
        });
        let here = inst
            .patient_folder
            .clone()
            .unwrap_or_else(|| folder_of(&inst.origin));
        p.location = Some(match p.location.take() {
            None => here,
            Some(known) => common_folder(&known, &here),
        });
        let series_key = (
            group,
            inst.header.study_uid.clone(),
            inst.header.series_uid.clone(),
        );
        p.groups.entry(series_key).or_default().push(inst);
    }

    let mut out: Vec<Patient> = patients.into_values().map(PatientBuild::finish).collect();
    // Labels from different roots may collide (two folders named alike): keep them apart.
    out.sort_by(|a, b| natural_cmp(&a.label, &b.label));
    out
}

/// What must agree between a CT series and a mask series for the mask to belong to it.
#[derive(Debug, Clone, PartialEq)]
struct Footprint {
    rows: u16,
    columns: u16,
    spacing_mm: [f64; 2],
    orientation: [f64; 6],
    /// Sorted positions along the normal.
    positions_mm: Vec<f64>,
    /// Image Position (Patient) of the lowest slice.
    first_position_mm: [f64; 3],
    /// What tells two CT series of one grid apart (a baseline and a follow-up study on one
    /// scanner): the series folder an organized tree put the mask under, then the mask's
    /// Study Instance UID and Frame of Reference UID.
    series_folder: Option<String>,
    study_uid: String,
    frame_of_reference_uid: String,
}

/// A mask series on its way to a CT series: the structure and how to recognise its CT.
struct MaskBuild {
    structure: Structure,
    footprint: Footprint,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Image,
    LabelMap,
    Mask(String),
}

struct PatientBuild {
    label: String,
    layout: Layout,
    root: usize,
    /// Where its files were found: the patient folder, or the common folder of its files.
    location: Option<String>,
    groups: BTreeMap<(Group, String, String), Vec<ScannedInstance>>,
}

impl PatientBuild {
    fn finish(self) -> Patient {
        let mut series = Vec::new();
        let mut masks = Vec::new();
        for ((group, _, _), instances) in self.groups {
            for part in split_by_shape(instances) {
                match &group {
                    Group::Image | Group::LabelMap => {
                        let mut s = build_series(part.instances, part.split_note.clone());
                        if group == Group::LabelMap {
                            s.description =
                                format!("label map {}", s.description).trim().to_owned();
                            s.localizer = false;
                        }
                        series.push(s);
                    }
                    Group::Mask(name) => {
                        masks.push(build_mask(name, part.instances, part.split_note))
                    }
                }
            }
        }
        // Localizers apart, volumes first, then by series number and UID.
        series.sort_by(|a, b| {
            (a.localizer, a.info.series_number, &a.series_uid).cmp(&(
                b.localizer,
                b.info.series_number,
                &b.series_uid,
            ))
        });
        let mut unattached = Vec::new();
        for MaskBuild {
            structure: mut mask,
            footprint,
        } in masks
        {
            match attach_target(&series, &footprint) {
                Some((idx, note)) => {
                    let target = &mut series[idx];
                    remap_mask_k(&mut mask, target);
                    if let Some(n) = note {
                        mask.warnings.push(n);
                    }
                    target.structures.push(mask);
                }
                None => {
                    mask.warnings.push(
                        "matches the geometry of no CT series of this patient: not attached".into(),
                    );
                    unattached.push(mask);
                }
            }
        }
        for s in &mut series {
            s.structures.sort_by(|a, b| natural_cmp(&a.name, &b.name));
        }
        Patient {
            label: self.label,
            layout: self.layout,
            root: self.root,
            location: self.location.unwrap_or_default(),
            series,
            unattached,
        }
    }
}

struct Part {
    instances: Vec<ScannedInstance>,
    split_note: Option<String>,
}

/// Splits one series UID by image size, orientation, pixel spacing, localizer flag and
/// multi-frame stack. Stacks come in their key's order (temporal position 1 before 2).
fn split_by_shape(instances: Vec<ScannedInstance>) -> Vec<Part> {
    let mut parts: Vec<(ShapeKey, Vec<ScannedInstance>)> = Vec::new();
    for inst in instances {
        let key = ShapeKey::of(&inst);
        match parts.iter_mut().find(|(k, _)| k.same(&key)) {
            Some((_, v)) => v.push(inst),
            None => parts.push((key, vec![inst])),
        }
    }
    parts.sort_by(|(a, _), (b, _)| a.stack.cmp(&b.stack));
    let n = parts.len();
    parts
        .into_iter()
        .map(|(key, instances)| Part {
            split_note: (n > 1).then(|| {
                format!(
                    "series UID holds {n} different image shapes or stacks (sizes, orientations, localizers, stacks of a multi-frame file): split; this part is {}×{}{}{}",
                    key.columns,
                    key.rows,
                    if key.localizer { ", localizer" } else { "" },
                    key.stack.as_ref().map(|s| format!(", {s}")).unwrap_or_default()
                )
            }),
            instances,
        })
        .collect()
}

#[derive(Debug, Clone)]
struct ShapeKey {
    rows: u16,
    columns: u16,
    orientation: Option<[f64; 6]>,
    spacing: Option<[f64; 2]>,
    localizer: bool,
    stack: Option<crate::functional_groups::StackKey>,
}

impl ShapeKey {
    fn of(inst: &ScannedInstance) -> Self {
        let h = &inst.header;
        Self {
            rows: h.rows,
            columns: h.columns,
            orientation: h.orientation,
            spacing: h.pixel_spacing_mm,
            localizer: h
                .image_type
                .iter()
                .any(|t| t.eq_ignore_ascii_case("LOCALIZER")),
            stack: inst.stack.clone(),
        }
    }

    fn same(&self, other: &Self) -> bool {
        self.rows == other.rows
            && self.columns == other.columns
            && self.localizer == other.localizer
            && self.stack == other.stack
            && close_opt(
                self.orientation.as_ref().map(|o| &o[..]),
                other.orientation.as_ref().map(|o| &o[..]),
                MATCH_ORIENTATION,
            )
            && close_opt(
                self.spacing.as_ref().map(|o| &o[..]),
                other.spacing.as_ref().map(|o| &o[..]),
                MATCH_SPACING_MM,
            )
    }
}

fn close_opt(a: Option<&[f64]>, b: Option<&[f64]>, tol: f64) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol),
        (None, None) => true,
        _ => false,
    }
}

const DEFAULT_ORIENTATION: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];

/// Orders instances and derives the series grid.
fn order(instances: &[ScannedInstance]) -> (crate::slice_order::SliceOrder, [f64; 6], Vec<String>) {
    let mut warnings = Vec::new();
    let orientation = instances
        .iter()
        .find_map(|i| i.header.orientation)
        .unwrap_or_else(|| {
            warnings.push("no Image Orientation (Patient): assumed axial".to_owned());
            DEFAULT_ORIENTATION
        });
    let have_positions = instances.iter().all(|i| i.header.position_mm.is_some());
    let positions: Vec<[f64; 3]> = if have_positions {
        instances
            .iter()
            .map(|i| i.header.position_mm.unwrap_or_default())
            .collect()
    } else {
        // Without positions the only order left is Instance Number; say so.
        warnings.push("no Image Position (Patient) on every slice: ordered by Instance Number, step from Slice Thickness".to_owned());
        let step = instances
            .iter()
            .find_map(|i| i.header.slice_thickness_mm)
            .filter(|t| *t > 0.0)
            .unwrap_or(1.0);
        let normal = slice_normal(orientation);
        instances
            .iter()
            .map(|i| {
                let n = i.header.instance_number.unwrap_or(0) as f64 * step;
                [normal[0] * n, normal[1] * n, normal[2] * n]
            })
            .collect()
    };
    let ordered = order_slices(&positions, orientation);
    (ordered, orientation, warnings)
}

fn build_series(instances: Vec<ScannedInstance>, split_note: Option<String>) -> Series {
    let (ordered, orientation, mut warnings) = order(&instances);
    warnings.extend(split_note);
    warnings.extend(ordered.warnings.iter().cloned());
    let first = &instances[ordered.slices.first().map(|s| s.input).unwrap_or(0)];
    let header = first.header.clone();
    // Only ImageType says a slice is a localizer: a lone slice is a 2D image like any other.
    let localizer = header
        .image_type
        .iter()
        .any(|t| t.eq_ignore_ascii_case("LOCALIZER"));
    if header.frames > 1 {
        warnings.push(format!(
            "multi-frame image ({} frames): not loaded as a volume",
            header.frames
        ));
    }
    let spacing_xy = header.pixel_spacing_mm.unwrap_or_else(|| {
        warnings.push("no Pixel Spacing: assumed 1 mm".to_owned());
        [1.0, 1.0]
    });
    let normal = slice_normal(orientation);
    let origin = first.header.position_mm.unwrap_or([0.0; 3]);
    let step = if ordered.step_mm > 0.0 {
        ordered.step_mm
    } else {
        1.0
    };
    let geometry = Geometry {
        dims: [
            header.columns as usize,
            header.rows as usize,
            ordered.grid_slices,
        ],
        spacing_mm: [spacing_xy[0], spacing_xy[1], step],
        origin_mm: origin,
        direction: [
            [orientation[0], orientation[1], orientation[2]],
            [orientation[3], orientation[4], orientation[5]],
            normal,
        ],
    };
    let slices = slice_refs(&ordered, &instances);
    warnings.extend(left_out(&ordered, &instances));
    Series {
        series_uid: header.series_uid.clone(),
        study_uid: header.study_uid.clone(),
        modality: header.modality.clone(),
        description: header.series_description.clone(),
        geometry,
        source: SeriesSource::DicomSlices,
        slices,
        structures: Vec::new(),
        warnings,
        localizer,
        missing_k: ordered.missing.clone(),
        info: SeriesInfo {
            storage: crate::info::storage(
                &header.sop_class_uid,
                &header.transfer_syntax,
                instances[0].frame.map(|_| {
                    let file = &instances[0].origin;
                    instances.iter().filter(|i| &i.origin == file).count()
                }),
            ),
            ..header.series_info()
        },
    }
}

fn build_mask(
    name: &str,
    instances: Vec<ScannedInstance>,
    split_note: Option<String>,
) -> MaskBuild {
    let (ordered, orientation, mut warnings) = order(&instances);
    warnings.extend(split_note);
    // Gaps in a mask series are not interpolated: a missing mask slice is empty.
    warnings.extend(
        ordered
            .warnings
            .iter()
            .filter(|w| !w.contains("missing slice"))
            .cloned(),
    );
    warnings.extend(left_out(&ordered, &instances));
    let first = &instances[ordered.slices.first().map(|s| s.input).unwrap_or(0)].header;
    let footprint = Footprint {
        rows: first.rows,
        columns: first.columns,
        spacing_mm: first.pixel_spacing_mm.unwrap_or([1.0, 1.0]),
        orientation,
        positions_mm: ordered.slices.iter().map(|s| s.normal_mm).collect(),
        first_position_mm: first.position_mm.unwrap_or([0.0; 3]),
        series_folder: match &instances[0].role {
            PathRole::OrganizedMask { series, .. } => Some(series.clone()),
            _ => None,
        },
        study_uid: first.study_uid.clone(),
        frame_of_reference_uid: first.frame_of_reference_uid.clone(),
    };
    let slices = slice_refs(&ordered, &instances);
    MaskBuild {
        structure: Structure {
            name: name.to_owned(),
            role: classify_structure(name),
            series_uid: first.series_uid.clone(),
            slices,
            warnings,
            segmentation: None,
            contours: None,
            color_rgb: None,
        },
        footprint,
    }
}

/// One warning per file the ordering left out (a second slice at one position, a position far
/// outside the stack), naming the file.
fn left_out(
    ordered: &crate::slice_order::SliceOrder,
    instances: &[ScannedInstance],
) -> Vec<String> {
    let duplicates = ordered
        .duplicates
        .iter()
        .map(|d| format!("duplicate position: `{}` left out", instances[*d].origin));
    let far = ordered.far.iter().map(|f| {
        format!(
            "position of `{}` lies far outside the stack: left out",
            instances[*f].origin
        )
    });
    duplicates.chain(far).collect()
}

/// The ordered slices as references to their files.
fn slice_refs(
    ordered: &crate::slice_order::SliceOrder,
    instances: &[ScannedInstance],
) -> Vec<SliceRef> {
    ordered
        .slices
        .iter()
        .map(|s| SliceRef {
            origin: instances[s.input].origin.clone(),
            k: s.k,
            normal_mm: s.normal_mm,
            instance_number: instances[s.input].header.instance_number,
            frame: instances[s.input].frame,
            sop_instance_uid: instances[s.input].header.sop_instance_uid.clone(),
        })
        .collect()
}

/// The CT series a mask belongs to, with a note when the slice sets differ partly. Among
/// series of the same grid, the one the mask's folder, study or frame of reference names wins;
/// a tie that nothing breaks is said in the note.
fn attach_target(series: &[Series], fp: &Footprint) -> Option<(usize, Option<String>)> {
    type Rank = (bool, usize, bool, bool);
    let mut best: Option<(usize, Rank, Option<String>)> = None;
    let mut tied = 0;
    for (idx, s) in series.iter().enumerate() {
        if s.localizer {
            continue;
        }
        // The series grid holds what its first header said (spacing 1 mm and axial when the
        // header had none, as the mask footprint assumes too).
        let g = &s.geometry;
        let spacing = [g.spacing_mm[0], g.spacing_mm[1]];
        let [row_dir, col_dir, _] = g.direction;
        let orientation = [
            row_dir[0], row_dir[1], row_dir[2], col_dir[0], col_dir[1], col_dir[2],
        ];
        if g.dims[1] != fp.rows as usize
            || g.dims[0] != fp.columns as usize
            || !close_opt(Some(&spacing), Some(&fp.spacing_mm), MATCH_SPACING_MM)
            || !close_opt(Some(&orientation), Some(&fp.orientation), MATCH_ORIENTATION)
        {
            continue;
        }
        // In-plane origin must agree too (a mask of another field of view has other x/y).
        let origin = s.geometry.origin_mm;
        let normal = s.geometry.direction[2];
        let d = [
            fp.first_position_mm[0] - origin[0],
            fp.first_position_mm[1] - origin[1],
            fp.first_position_mm[2] - origin[2],
        ];
        let along = d[0] * normal[0] + d[1] * normal[1] + d[2] * normal[2];
        let inplane = ((d[0] - along * normal[0]).powi(2)
            + (d[1] - along * normal[1]).powi(2)
            + (d[2] - along * normal[2]).powi(2))
        .sqrt();
        if inplane > MATCH_POSITION_MM {
            continue;
        }
        let ct: Vec<f64> = s.slices.iter().map(|x| x.normal_mm).collect();
        let shared = fp
            .positions_mm
            .iter()
            .filter(|p| ct.iter().any(|c| (*c - **p).abs() < MATCH_POSITION_MM))
            .count();
        if shared == 0 {
            continue;
        }
        let mask_only = fp.positions_mm.len() - shared;
        let ct_only = ct.len() - shared;
        let note = (mask_only > 0 || ct_only > 0).then(|| {
            format!("slice sets differ from the CT: {shared} shared, {ct_only} only in the CT, {mask_only} only in the mask")
        });
        // Only accept partial overlap when one set contains the other (gaps from skipped files).
        if mask_only > 0 && ct_only > 0 {
            continue;
        }
        let rank: Rank = (
            fp.series_folder
                .as_deref()
                .is_some_and(|f| series_folder(s).is_some_and(|own| own.eq_ignore_ascii_case(f))),
            shared,
            !fp.study_uid.is_empty() && fp.study_uid == s.study_uid,
            !fp.frame_of_reference_uid.is_empty()
                && fp.frame_of_reference_uid == s.info.frame_of_reference_uid,
        );
        match &best {
            Some(b) if rank < b.1 => {}
            Some(b) if rank == b.1 => tied += 1,
            _ => {
                best = Some((idx, rank, note));
                tied = 0;
            }
        }
    }
    best.map(|(i, _, note)| {
        if tied == 0 {
            return (i, note);
        }
        let tie = format!(
            "fits {} series of this patient equally (same grid; no folder, study or frame of reference tells them apart): attached to series `{}`",
            tied + 1,
            series[i].series_uid
        );
        (i, Some(note.map_or(tie.clone(), |n| format!("{n}; {tie}"))))
    })
}

/// The folder holding a series' files (`series-2-ct` in an organized tree).
fn series_folder(s: &Series) -> Option<&str> {
    let origin = &s.slices.first()?.origin;
    let parent = &origin[..origin.rfind(['/', '\\'])?];
    let name = parent.rsplit(['/', '\\', '!']).next()?;
    Some(name)
}

/// Puts the mask's slices on the CT grid: `k` is the CT grid index of the same position.
/// Slices outside the CT grid are left out, each named in a warning.
fn remap_mask_k(mask: &mut Structure, target: &Series) {
    let g = &target.geometry;
    let first = target.slices.first().map(|s| s.normal_mm).unwrap_or(0.0);
    let mut outside = Vec::new();
    mask.slices.retain_mut(|s| {
        let k = ((s.normal_mm - first) / g.spacing_mm[2]).round();
        if k < 0.0 || k as usize >= g.dims[2] {
            outside.push(s.origin.clone());
            return false;
        }
        s.k = k as usize;
        true
    });
    for origin in outside {
        mask.warnings.push(format!(
            "slice `{origin}` lies outside the CT grid: left out"
        ));
    }
}
