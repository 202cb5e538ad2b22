//! `tumorscope export PATH --nifti DIR`: each patient's CT and masks as `.nii.gz` with a correct
//! affine, for ITK-SNAP, 3D Slicer, nibabel and nnU-Net; `--dicom-seg DIR`: each patient's
//! structures and tumours as one DICOM SEG over the CT, for PACS viewers (OHIF, Slicer).
//!
//! Per patient `DIR/<patient>/`: `ct.nii.gz` (int16 HU), `masks/<structure>.nii.gz` (uint8 0/1),
//! `labels.nii.gz` (every structure one value, see `labels.json`; where structures overlap the
//! later one in the order other → liver → cyst → tumor wins) and `liver_tumor.nii.gz` (the
//! LiTS/MSD convention: 1 liver, 2 tumor, tumor taking precedence).
//!
//! `--mesh DIR`: each structure's closed surface as `DIR/<patient>/<structure>.stl` (binary,
//! millimetres, LPS unless `--mesh-coords ras`) and `.glb` (glTF binary with its colour), and
//! `all.glb` with every structure (the liver see-through), for 3D printing, Slicer and Blender.

use std::path::PathBuf;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;
use tumorscope_core::{structure_colors, PatientImage, StructureRole};
use tumorscope_dataset::{Exam, Skipped};
use tumorscope_mesh::{glb, stl, structure_mesh, Coords, GlbItem, Mesh};
use tumorscope_nifti::{write_mask_u8, write_volume_i16};
use tumorscope_sources::{load_exam, LoadOptions};

use super::analyze::{check_structure_names, MeasureArgs};
use super::inputs::{pick_exam, InputArgs};
use super::scan::scan_inputs;
use crate::ui::{check_output_dir, isolate_panics, report_skipped, write_atomic, Ui};
use crate::ui::{errln, outln};
use crate::Outcome;

/// Write CT and masks of every patient as NIfTI.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output folder for `<patient>/ct.nii.gz` …
    #[arg(long, value_name = "DIR", required_unless_present_any = ["dicom_seg", "mesh"])]
    pub nifti: Option<PathBuf>,
    /// Output folder for `<patient>/seg.dcm`: a DICOM Segmentation of every structure and every
    /// tumour (one segment each, as `analyze` counts them) over the CT it was drawn on.
    #[arg(long, value_name = "DIR")]
    pub dicom_seg: Option<PathBuf>,
    /// Output folder for `<patient>/<structure>.stl` and `.glb`: every structure's closed
    /// surface (marching cubes halfway between inside and outside voxels) in patient
    /// millimetres, and `<patient>/all.glb` with all of them.
    #[arg(long, value_name = "DIR")]
    pub mesh: Option<PathBuf>,
    /// The coordinates STL files are written in: `lps` (DICOM's, the default; 3D Slicer reads
    /// the `SPACE=` in the header either way) or `ras` (NIfTI's and Slicer's display). glTF files
    /// are always in glTF's own frame (metres, Y superior, Z anterior).
    #[arg(long, value_enum, default_value = "lps", requires = "mesh")]
    pub mesh_coords: MeshCoords,
    /// Only this patient.
    #[arg(long)]
    pub patient: Option<String>,
    #[command(flatten)]
    pub measure: MeasureArgs,
}

/// `--mesh-coords`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum MeshCoords {
    Lps,
    Ras,
}

#[derive(Debug, Serialize)]
struct LabelEntry {
    value: u8,
    name: String,
    role: StructureRole,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let options = LoadOptions {
        walk: args.inputs.walk_options()?,
    };
    let outputs: Vec<&PathBuf> = args
        .nifti
        .iter()
        .chain(&args.dicom_seg)
        .chain(&args.mesh)
        .collect();
    for dir in &outputs {
        check_output_dir(dir)?;
    }
    let measure = args.measure.options();
    let dataset = scan_inputs(&args.inputs, ui)?;
    if let Some(names) = &args.measure.tumor_masks {
        check_structure_names(&dataset, names)?;
    }
    // One folder per study with a volume (`P7`, or `P7@2021-03-15` beside `P7@2020-01-02`).
    let exams: Vec<Exam> = match &args.patient {
        Some(label) => vec![pick_exam(&dataset, Some(label))?],
        None => dataset.patients.iter().flat_map(|p| p.exams()).collect(),
    };
    let bar = ui.bar(exams.len() as u64, "exporting");
    let results: Vec<(String, anyhow::Result<Vec<Skipped>>)> = exams
        .par_iter()
        .map(|exam| {
            let r = isolate_panics(|| {
                let loaded = load_exam(&dataset, exam, &options)?;
                let name = super::organize_name(&exam.label)?;
                let mut skipped = loaded.skipped;
                if let Some(out) = &args.nifti {
                    export_patient(&loaded.image, &out.join(&name))?;
                }
                if let Some(out) = &args.dicom_seg {
                    match super::export_seg::export_seg(
                        exam,
                        &loaded.image,
                        &measure,
                        &out.join(&name),
                    ) {
                        Ok(note) => {
                            if let Some(note) = note {
                                bar.suspend(|| errln!("note: {}: {note}", exam.label));
                            }
                        }
                        Err(e) if crate::ui::is_storage_error(&e) => return Err(e),
                        Err(e) => skipped.push(Skipped {
                            origin: format!("{} (DICOM SEG)", exam.label),
                            reason: format!("{e:#}"),
                        }),
                    }
                }
                if let Some(out) = &args.mesh {
                    let coords = match args.mesh_coords {
                        MeshCoords::Lps => Coords::Lps,
                        MeshCoords::Ras => Coords::Ras,
                    };
                    export_meshes(&loaded.image, &out.join(&name), coords)?;
                }
                for w in &loaded.warnings {
                    bar.suspend(|| errln!("warning: {}: {w}", exam.label));
                }
                Ok(skipped)
            });
            bar.inc(1);
            (exam.label.clone(), r)
        })
        .collect();
    bar.finish_and_clear();
    let mut skipped = dataset.skipped.clone();
    let mut storage_error = None;
    if args.patient.is_none() {
        for p in dataset.patients.iter().filter(|p| p.exams().is_empty()) {
            skipped.push(Skipped {
                origin: p.label.clone(),
                reason: "no CT volume to export".into(),
            });
        }
    }
    let mut written = 0;
    for (label, r) in results {
        match r {
            Ok(s) => {
                let dirs: Vec<String> = outputs
                    .iter()
                    .map(|d| format!("`{}`", d.join(&label).display()))
                    .collect();
                outln!("{label}: written to {}", dirs.join(" and "));
                written += 1;
                skipped.extend(s);
            }
            // A full disk is no patient's fault: the run ends with status 4 (no partial
            // file is left: every file is written beside its place and renamed).
            Err(e) if crate::ui::is_storage_error(&e) => {
                storage_error.get_or_insert(e);
            }
            Err(e) => skipped.push(Skipped {
                origin: label,
                reason: format!("{e:#}"),
            }),
        }
    }
    outln!(
        "{written} of {} patient(s) exported to {}",
        exams.len(),
        outputs
            .iter()
            .map(|d| format!("`{}`", d.display()))
            .collect::<Vec<_>>()
            .join(" and ")
    );
    report_skipped(&skipped);
    match storage_error {
        Some(e) => Err(e),
        None => Ok(Outcome::of(&skipped)),
    }
}

/// Writes the surface of each of a patient's structures into `dir` (an empty structure has
/// none), and all of them as one glTF scene.
pub fn export_meshes(
    image: &PatientImage,
    dir: &std::path::Path,
    coords: Coords,
) -> anyhow::Result<()> {
    fs_err::create_dir_all(dir)?;
    let g = &image.ct.geometry;
    let colors = structure_colors(image.masks.iter().map(|m| (m.name.as_str(), m.role)));
    // File names unique ignoring case (macOS and Windows folders ignore it), `all` kept for
    // the scene: a clash gets `-2`, `-3` …
    let mut used: std::collections::HashSet<String> = ["all".to_owned()].into();
    let mut names = Vec::new();
    for m in &image.masks {
        let base = super::organize_name(&m.name)?;
        let mut name = base.clone();
        let mut n = 1;
        while !used.insert(name.to_lowercase()) {
            n += 1;
            name = format!("{base}-{n}");
        }
        names.push(name);
    }
    let meshes: Vec<Mesh> = image
        .masks
        .par_iter()
        .map(|m| structure_mesh(&m.bits, g))
        .collect();
    let mut items = Vec::new();
    for ((name, mesh), (m, rgb)) in names
        .iter()
        .zip(&meshes)
        .zip(image.masks.iter().zip(&colors))
    {
        if mesh.triangles.is_empty() {
            continue;
        }
        let item = GlbItem {
            name,
            mesh,
            rgb: *rgb,
            opacity: 1.0,
        };
        write_atomic(&dir.join(format!("{name}.stl")), &stl(mesh, coords, name))?;
        write_atomic(
            &dir.join(format!("{name}.glb")),
            &glb(std::slice::from_ref(&item)),
        )?;
        // In the scene the liver is see-through, so what lies inside it shows.
        let opacity = if m.role == StructureRole::Liver {
            0.35
        } else {
            1.0
        };
        items.push(GlbItem { opacity, ..item });
    }
    if items.is_empty() {
        return Ok(());
    }
    write_atomic(&dir.join("all.glb"), &glb(&items))?;
    Ok(())
}

/// Writes one patient's files into `dir`.
pub fn export_patient(image: &PatientImage, dir: &std::path::Path) -> anyhow::Result<()> {
    let g = &image.ct.geometry;
    fs_err::create_dir_all(dir.join("masks"))?;
    write_volume_i16(&dir.join("ct.nii.gz"), &image.ct).context("cannot write the CT")?;
    let mut labels = vec![0u8; g.len()];
    let mut entries = Vec::new();
    let rank = |r: StructureRole| match r {
        StructureRole::Other | StructureRole::Vessel => 0,
        StructureRole::Liver => 1,
        StructureRole::Cyst => 2,
        StructureRole::Tumor => 3,
    };
    let mut order: Vec<(usize, &tumorscope_core::LabelMask)> =
        image.masks.iter().enumerate().collect();
    order.sort_by_key(|(n, m)| (rank(m.role), *n));
    for m in &image.masks {
        let name = super::organize_name(&m.name)?;
        write_mask_u8(
            &dir.join("masks").join(format!("{name}.nii.gz")),
            g,
            &m.bits.to_bytes(),
        )
        .with_context(|| format!("cannot write mask `{}`", m.name))?;
    }
    for (n, m) in &order {
        let value = u8::try_from(*n + 1).context("more than 255 structures")?;
        for n in m.bits.ones() {
            labels[n] = value;
        }
        entries.push(LabelEntry {
            value,
            name: m.name.clone(),
            role: m.role,
        });
    }
    entries.sort_by_key(|e| e.value);
    write_mask_u8(&dir.join("labels.nii.gz"), g, &labels).context("cannot write the label map")?;
    write_atomic(
        &dir.join("labels.json"),
        &serde_json::to_vec_pretty(&entries)?,
    )?;

    let mut lits = vec![0u8; g.len()];
    for m in image
        .masks
        .iter()
        .filter(|m| m.role == StructureRole::Liver)
    {
        for n in m.bits.ones() {
            lits[n] = 1;
        }
    }
    for m in image
        .masks
        .iter()
        .filter(|m| m.role == StructureRole::Tumor)
    {
        for n in m.bits.ones() {
            lits[n] = 2;
        }
    }
    write_mask_u8(&dir.join("liver_tumor.nii.gz"), g, &lits)
        .context("cannot write the liver/tumor map")?;
    Ok(())
}
