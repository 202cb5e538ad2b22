//! `tumorscope organize PATH… --out DIR`: lay a cohort out as a clean tree, in slice order.
//!
//! `DIR/<patient>/ct/0000.dcm …`, `DIR/<patient>/masks/<structure>/0000.dcm …` (other series of a
//! patient under `series-<n>-<modality>/`), and `DIR/manifest.json` mapping every written file to
//! its origin. The tree is built in a temporary folder beside `DIR` and renamed into place at the
//! end, so `DIR` is either absent, the old tree, or the complete new one.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Serialize;
use tumorscope_dataset::Skipped;
use tumorscope_ingest::{safe_relative_path, walk, Entry, Origin, OriginSet};

use super::inputs::InputArgs;
use super::scan::{scan_inputs, summary};
use crate::ui::outln;
use crate::ui::{check_output_dir, report_skipped, Ui};
use crate::{Fatal, Outcome};

/// Unpack and lay out a cohort as `DIR/<patient>/ct/…` and `DIR/<patient>/masks/<structure>/…`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Output folder (must not exist unless --force).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Replace an existing output folder.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Serialize)]
struct ManifestEntry {
    file: String,
    origin: String,
    patient: String,
    series_uid: String,
    structure: Option<String>,
    k: usize,
}

pub fn execute(args: Args, ui: &Ui) -> anyhow::Result<Outcome> {
    if args.out.exists() && !args.out.is_dir() {
        return Err(Fatal::OutputNotWritable {
            path: args.out.clone(),
            reason: "it is a file; organize writes a folder".into(),
        }
        .into());
    }
    if args.out.exists() && !args.force {
        bail!(
            "`{}` already exists\nhint: pass --force to replace it",
            args.out.display()
        );
    }
    let options = args.inputs.walk_options()?;
    check_output_dir(&args.out)?;
    let dataset = scan_inputs(&args.inputs, ui)?;
    let mut skipped = dataset.skipped.clone();

    // origin → relative destination, per root.
    let mut plan: Vec<BTreeMap<String, ManifestEntry>> =
        (0..dataset.roots.len()).map(|_| BTreeMap::new()).collect();
    let mut used_dirs = HashSet::new();
    for patient in &dataset.patients {
        let patient_dir = match safe_component(&patient.label) {
            Some(d) => d,
            None => {
                skipped.push(Skipped {
                    origin: patient.label.clone(),
                    reason: "patient label is not a safe folder name".into(),
                });
                continue;
            }
        };
        if !used_dirs.insert(patient_dir.clone()) {
            skipped.push(Skipped {
                origin: patient.label.clone(),
                reason: "another patient has the same label: not organized twice".into(),
            });
            continue;
        }
        let primary = patient.primary_series().map(|s| s.series_uid.clone());
        for (n, series) in patient.series.iter().enumerate() {
            let series_dir = if Some(&series.series_uid) == primary.as_ref() && series.is_volume() {
                "ct".to_owned()
            } else {
                format!(
                    "series-{}-{}",
                    n + 1,
                    if series.modality.is_empty() {
                        "unknown"
                    } else {
                        &series.modality
                    }
                )
                .to_ascii_lowercase()
            };
            for (i, s) in series.slices.iter().enumerate() {
                let file = format!("{patient_dir}/{series_dir}/{i:04}.dcm");
                plan[patient.root].insert(
                    s.origin.clone(),
                    entry(file, &s.origin, patient, series, None, s.k),
                );
            }
            for mask in &series.structures {
                let Some(mask_dir) = safe_component(&mask.name) else {
                    skipped.push(Skipped {
                        origin: mask.name.clone(),
                        reason: "structure name is not a safe folder name".into(),
                    });
                    continue;
                };
                let base = if series_dir == "ct" {
                    format!("{patient_dir}/masks/{mask_dir}")
                } else {
                    format!("{patient_dir}/{series_dir}/masks/{mask_dir}")
                };
                for (i, s) in mask.slices.iter().enumerate() {
                    let file = format!("{base}/{i:04}.dcm");
                    plan[patient.root].insert(
                        s.origin.clone(),
                        entry(file, &s.origin, patient, series, Some(&mask.name), s.k),
                    );
                }
                // A DICOM SEG or RT structure set is copied whole, once for all its segments
                // or ROIs; it finds its series again by its references.
                let object = (mask
                    .segmentation
                    .as_ref()
                    .map(|s| (s.origin.as_str(), "seg")))
                .or(mask
                    .contours
                    .as_ref()
                    .map(|c| (c.origin.as_str(), "rtstruct")));
                if let Some((origin, kind)) = object {
                    let planned = &mut plan[patient.root];
                    if !planned.contains_key(origin) {
                        let prefix = format!("{patient_dir}/segmentations/{kind}-");
                        let n = planned
                            .values()
                            .filter(|e| e.file.starts_with(&prefix))
                            .count();
                        let file = format!("{prefix}{}.dcm", n + 1);
                        planned.insert(
                            origin.to_owned(),
                            entry(file, origin, patient, series, None, 0),
                        );
                    }
                }
            }
        }
    }

    let parent = args
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs_err::create_dir_all(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".tumorscope-organize-")
        .tempdir_in(parent)
        .with_context(|| format!("cannot create a folder in `{}`", parent.display()))?;
    let total: usize = plan.iter().map(|p| p.len()).sum();
    let bar = ui.bar(total as u64, "organizing");
    let mut copied: HashSet<String> = HashSet::new();
    // A file that cannot be written (a full disk, a quota) ends the run: the staging tree is
    // removed, and the old tree, if any, stays. Never a tree with holes presented as done.
    let write_failed: std::sync::Mutex<Option<Fatal>> = std::sync::Mutex::new(None);
    for (root, files) in plan.iter().enumerate() {
        if files.is_empty() {
            continue;
        }
        // Enter exactly the folders and archives on the way to the planned files.
        let wanted = OriginSet::new(files.keys().map(String::as_str));
        let select = |o: &Origin| wanted.select(o);
        let visit = |entry: Entry<'_>| -> Option<Result<(), String>> {
            let m = files.get(entry.origin.as_str())?;
            let r = match copy_entry(
                entry,
                &staging.path().join(&m.file),
                &args.out.join(&m.file),
            ) {
                Ok(()) => Ok(()),
                Err(CopyError::Input(reason)) => Err(reason),
                Err(CopyError::Output(fatal)) => {
                    let mut first = write_failed.lock().unwrap_or_else(|e| e.into_inner());
                    first.get_or_insert(fatal);
                    Err("not written".into())
                }
            };
            bar.inc(1);
            Some(r)
        };
        let mut found = 0;
        let result = walk(
            std::slice::from_ref(&dataset.roots[root]),
            &options,
            &select,
            &visit,
        );
        if let Some(fatal) = write_failed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            bar.finish_and_clear();
            return Err(fatal.into());
        }
        skipped.extend(result.errors.iter().map(Skipped::from));
        for (origin, r) in result.items {
            match r {
                Some(Ok(())) => {
                    copied.insert(origin.to_string());
                    found += 1;
                }
                Some(Err(reason)) => skipped.push(Skipped {
                    origin: origin.to_string(),
                    reason,
                }),
                None => {}
            }
        }
        // A planned file the walk did not reach is not in the tree: say so.
        if found < files.len() {
            for origin in files.keys().filter(|o| !copied.contains(o.as_str())) {
                if !skipped.iter().any(|s| &s.origin == origin) {
                    skipped.push(Skipped {
                        origin: origin.clone(),
                        reason: "listed by the scan but not found again while copying".into(),
                    });
                }
            }
        }
    }
    bar.finish_and_clear();

    // The manifest lists what is in the tree; what could not be copied is in its skipped list.
    let mut manifest: Vec<&ManifestEntry> = plan
        .iter()
        .flat_map(|p| p.iter())
        .filter(|(origin, _)| copied.contains(origin.as_str()))
        .map(|(_, m)| m)
        .collect();
    manifest.sort_by(|a, b| a.file.cmp(&b.file));
    let json = serde_json::to_vec_pretty(&serde_json::json!({
        "tool": concat!("tumorscope ", env!("CARGO_PKG_VERSION")),
        "roots": dataset.roots,
        "files": manifest,
        "skipped": skipped,
    }))?;
    fs_err::write(staging.path().join("manifest.json"), json)?;

    // Until the rename succeeds the staging folder is a TempDir: an error removes it.
    if args.out.exists() {
        // --force: the old tree goes only once the new one is complete, and by renames, so a
        // kill leaves the old tree or the new one (at worst for an instant neither, the old
        // one then kept under `.tumorscope-replaced-*` beside it), never a half-deleted tree.
        let replaced = tempfile::Builder::new()
            .prefix(".tumorscope-replaced-")
            .tempdir_in(parent)
            .with_context(|| format!("cannot create a folder in `{}`", parent.display()))?;
        let old = replaced.path().join("old");
        fs_err::rename(&args.out, &old)?;
        if let Err(e) = fs_err::rename(staging.path(), &args.out) {
            // Put the old tree back before reporting.
            let _ = fs_err::rename(&old, &args.out);
            return Err(e.into());
        }
        drop(replaced);
    } else {
        fs_err::rename(staging.path(), &args.out)?;
    }
    let _ = staging.keep();
    crate::ui::write_out_raw(&summary(&dataset));
    outln!(
        "organized {} file(s) into `{}`",
        manifest.len(),
        args.out.display()
    );
    report_skipped(&skipped[dataset.skipped.len()..]);
    report_skipped(&dataset.skipped);
    Ok(Outcome::of(&skipped))
}

fn entry(
    file: String,
    origin: &str,
    patient: &tumorscope_dataset::Patient,
    series: &tumorscope_dataset::Series,
    structure: Option<&str>,
    k: usize,
) -> ManifestEntry {
    ManifestEntry {
        file,
        origin: origin.to_owned(),
        patient: patient.label.clone(),
        series_uid: series.series_uid.clone(),
        structure: structure.map(str::to_owned),
        k,
    }
}

/// A single safe path component, or None (empty, `..`, separators, absolute).
fn safe_component(name: &str) -> Option<String> {
    super::organize_name(name).ok()
}

/// Why an entry was not copied: its input (skipped, the run goes on) or the output (the run
/// stops).
enum CopyError {
    Input(String),
    Output(Fatal),
}

/// Copies one entry into the staging tree, refusing unsafe entry names on the way; a write
/// error names the file's place in the finished tree, `shown`.
fn copy_entry(entry: Entry<'_>, dest: &Path, shown: &Path) -> Result<(), CopyError> {
    for part in entry.origin.components().into_iter().skip(1) {
        if safe_relative_path(part).is_err() {
            return Err(CopyError::Input(format!(
                "unsafe entry name `{part}` (absolute or `..`): not extracted"
            )));
        }
    }
    let bytes = entry
        .read_all()
        .map_err(|e| CopyError::Input(format!("read error: {e}")))?;
    let output = |e: std::io::Error| {
        CopyError::Output(Fatal::OutputNotWritable {
            path: shown.to_owned(),
            reason: e.to_string(),
        })
    };
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(output)?;
    }
    std::fs::write(dest, bytes).map_err(output)
}
