//! `tumorscope scan PATH…`: find, organize and catalog every patient, series and mask.

use std::path::{Path, PathBuf};

use anyhow::Context;
use tumorscope_catalog::Catalog;
use tumorscope_dataset::{Dataset, Layout};
use tumorscope_sources::{scan, scan_with_memo, MemoUpdate, ScanMemo, ScanOptions};

use super::inputs::InputArgs;
use crate::ui::{report_skipped, write_atomic, Ui};
use crate::{Fatal, Outcome};

/// Scan folders and archives; print a summary, write the catalog and optionally an inventory.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// SQLite catalog to write.
    #[arg(long, default_value = "tumorscope.db")]
    pub db: PathBuf,
    /// Do not write a catalog.
    #[arg(long, conflicts_with = "db")]
    pub no_db: bool,
    /// Write the inventory as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    let dataset = if args.no_db {
        scan_inputs(&args.inputs, ui)?
    } else {
        let mut catalog = Catalog::open(&args.db)?;
        scan_into_catalog(&args.inputs, ui, &mut catalog, &args.db)?
    };
    crate::ui::write_out_raw(&summary(&dataset));
    if let Some(path) = &args.json {
        let json = serde_json::to_vec_pretty(&dataset.inventory())
            .context("cannot encode the inventory")?;
        write_atomic(path, &json)?;
    }
    report_skipped(&dataset.skipped);
    Ok(Outcome::of(&dataset.skipped))
}

/// Scans with the catalog's memo of the last scan (only files whose size or modification time
/// changed are read; nothing at all when none did) and records the scan in it.
pub fn scan_into_catalog(
    inputs: &InputArgs,
    ui: &Ui,
    catalog: &mut Catalog,
    db: &Path,
) -> anyhow::Result<Dataset> {
    let paths = &inputs.paths;
    let memo = ScanMemo::from_rows(catalog.scan_memo(paths)?)
        .with_tree(catalog.scan_tree(paths)?)
        .for_build(env!("TUMORSCOPE_BUILD_ID"));
    let (dataset, update) = scan_inputs_with_memo(inputs, ui, &memo)?;
    if update.files_not_read > 0 && !ui.quiet {
        crate::ui::write_err(format_args!(
            "{} file(s) unchanged since the last scan recorded in `{}`: not read again\n",
            update.files_not_read,
            db.display()
        ));
    }
    if !update.nothing_changed {
        catalog.record_scan(&dataset)?;
        catalog.record_scan_memo(paths, &update.fresh, &update.unchanged)?;
        if let Some(tree) = &update.tree {
            catalog.record_scan_tree(paths, tree)?;
        }
    }
    Ok(dataset)
}

/// Scans with a progress counter; shared by the commands that start from paths.
pub fn scan_inputs(inputs: &InputArgs, ui: &Ui) -> anyhow::Result<Dataset> {
    let options = ScanOptions {
        walk: inputs.walk_options()?,
    };
    let bar = ui.file_counter("scanning");
    let dataset = scan(&inputs.paths, &options, &|| bar.inc(1));
    bar.finish_and_clear();
    checked(dataset, inputs)
}

/// [`scan_inputs`] reading only the files `memo` does not know unchanged.
pub fn scan_inputs_with_memo(
    inputs: &InputArgs,
    ui: &Ui,
    memo: &ScanMemo,
) -> anyhow::Result<(Dataset, MemoUpdate)> {
    let options = ScanOptions {
        walk: inputs.walk_options()?,
    };
    let bar = ui.file_counter("scanning");
    let (dataset, update) = scan_with_memo(&inputs.paths, &options, memo, &|| bar.inc(1));
    bar.finish_and_clear();
    Ok((checked(dataset, inputs)?, update))
}

/// Logs what the scan found; no image data at all is fatal.
fn checked(dataset: Dataset, inputs: &InputArgs) -> anyhow::Result<Dataset> {
    log_findings(&dataset);
    if dataset.patients.is_empty() {
        report_skipped(&dataset.skipped);
        return Err(Fatal::NoImageData {
            inputs: inputs
                .paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", "),
            found: format!(
                "{} file(s) of other kinds, {} unreadable",
                dataset.ignored,
                dataset.skipped.len()
            ),
        }
        .into());
    }
    Ok(dataset)
}

/// With `-v`: what the scan found and decided, patient by patient (layout, where it was found,
/// series, the one analysed, structures attached), and every file it ignored.
fn log_findings(dataset: &Dataset) {
    for p in &dataset.patients {
        let root = dataset
            .roots
            .get(p.root)
            .map(|r| r.display().to_string())
            .unwrap_or_default();
        let primary = p.primary_series().map(|s| s as *const _);
        tracing::info!(
            "patient `{}`: {:?} layout, found under `{root}`, {} series",
            p.label,
            p.layout,
            p.series.len()
        );
        for s in &p.series {
            let chosen = primary == Some(s as *const _);
            tracing::info!(
                "  series `{}` {} {:?}{}: {} structure(s) attached{}",
                s.series_uid,
                s.modality,
                s.geometry.dims,
                if s.localizer { ", localizer" } else { "" },
                s.structures.len(),
                if chosen {
                    "; the one analysed and viewed"
                } else {
                    ""
                }
            );
        }
        for m in &p.unattached {
            tracing::info!("  structure `{}` matches no series: not attached", m.name);
        }
    }
    for x in dataset.duplicates.iter().filter(|x| x.identical) {
        tracing::info!(
            "duplicate: `{}` is `{}`: kept once",
            x.origin,
            x.same_uid_as
        );
    }
    for f in &dataset.ignored_files {
        tracing::info!("ignored: `{}`: {}", f.origin, f.reason);
    }
}

/// The human-readable scan summary.
pub fn summary(d: &Dataset) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut series_count = 0;
    for p in &d.patients {
        let layout = match p.layout {
            Layout::Ircad => "3D-IRCADb layout",
            Layout::Generic => "DICOM by UIDs",
            Layout::Organized => "tumorscope organized tree",
            Layout::Lits => "LiTS NIfTI",
            Layout::Msd => "Medical Segmentation Decathlon NIfTI",
            Layout::Nifti => "NIfTI",
            Layout::NiftiStructures => "volume with a mask per structure",
            Layout::Nrrd => "NRRD",
            Layout::Slicer => "3D Slicer segmentation",
        };
        if p.location.is_empty() {
            let _ = writeln!(out, "{}  ({layout})", p.label);
        } else {
            let _ = writeln!(out, "{}  ({layout}, in `{}`)", p.label, p.location);
        }
        let studies = p.studies();
        let exams = p.exams();
        let several = studies.len() > 1;
        for t in &studies {
            if several {
                // A patient with several studies lists each (date, description, the label it
                // is analysed under) above its series.
                let exam = exams.iter().find(|e| e.study.study_uid == t.study_uid);
                let date = t.date_iso();
                let _ = writeln!(
                    out,
                    "  study {}{}{}",
                    if date.is_empty() { "(no date)" } else { &date },
                    if t.description.is_empty() {
                        String::new()
                    } else {
                        format!("  \"{}\"", t.description)
                    },
                    match exam {
                        Some(e) => format!("  → analysed as `{}`", e.label),
                        None => "  (no volume)".to_owned(),
                    }
                );
            }
            for &s in &t.series {
                series_count += 1;
                let g = &s.geometry;
                let _ = write!(
                    out,
                    "  {:<3} {}×{}×{}  {:.3} × {:.3} × {:.3} mm  {} slices",
                    if s.modality.is_empty() {
                        "?"
                    } else {
                        &s.modality
                    },
                    g.dims[0],
                    g.dims[1],
                    g.dims[2],
                    g.spacing_mm[0],
                    g.spacing_mm[1],
                    g.spacing_mm[2],
                    s.file_count()
                );
                if s.localizer {
                    out.push_str("  localizer");
                }
                if !s.description.is_empty() {
                    let _ = write!(out, "  \"{}\"", s.description);
                }
                out.push('\n');
                if !s.structures.is_empty() {
                    let names: Vec<&str> = s.structures.iter().map(|m| m.name.as_str()).collect();
                    let _ = writeln!(out, "      masks ({}): {}", names.len(), names.join(", "));
                }
                for w in &s.warnings {
                    let _ = writeln!(out, "      warning: {w}");
                }
                for m in &s.structures {
                    for w in &m.warnings {
                        let _ = writeln!(out, "      warning: mask `{}`: {w}", m.name);
                    }
                }
            }
        }
        for m in &p.unattached {
            let _ = writeln!(
                out,
                "  warning: mask `{}` ({} slices) matches no series by geometry: not attached",
                m.name,
                m.slices.len()
            );
        }
    }
    let identical = d.duplicates.iter().filter(|x| x.identical).count();
    if identical > 0 {
        let _ = writeln!(
            out,
            "{identical} file(s) found twice (same SOP Instance UID, same bytes): each kept once"
        );
    }
    for c in d.duplicates.iter().filter(|x| !x.identical) {
        let _ = writeln!(
            out,
            "warning: `{}` has the SOP Instance UID of `{}` but other content: both kept",
            c.origin, c.same_uid_as
        );
    }
    if !d.non_image.is_empty() {
        let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
        for o in &d.non_image {
            *kinds.entry(o.kind.as_str()).or_default() += 1;
        }
        let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        let _ = writeln!(
            out,
            "{} non-image DICOM object(s), listed and not loaded: {}",
            d.non_image.len(),
            kinds.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "{} patient(s), {} series, {} DICOM file(s), {} ignored (not DICOM), {} skipped",
        d.patients.len(),
        series_count,
        d.instances,
        d.ignored,
        d.skipped.len()
    );
    out
}
