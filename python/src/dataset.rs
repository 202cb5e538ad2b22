//! `scan` and the scanned dataset: its inventory, its exams, and what can be done with one
//! exam (load, render, measure).

use std::path::PathBuf;
use std::sync::Arc;

use numpy::{IntoPyArray, PyArray3, PyArrayMethods};
use pyo3::prelude::*;
use tumorscope_dataset::{Dataset, Exam};
use tumorscope_ingest::{Limits, WalkOptions};
use tumorscope_render::{
    render_mip, render_slice, resolve_overlays, Plane, RenderOptions, SliceRequest,
};
use tumorscope_sources::{load_exam, LoadOptions, ScanOptions};

use crate::analysis::{analyze_exams, NativeAnalysis};
use crate::errors::{chain, LoadError, ScanError};
use crate::interrupt::interruptible;

/// A scanned dataset (`tumorscope.scan` wraps it).
#[pyclass(frozen, module = "tumorscope._native")]
pub struct NativeDataset {
    pub(crate) inner: Arc<Dataset>,
    pub(crate) walk: WalkOptions,
    pub(crate) paths: Vec<String>,
}

/// Scans folders, files and zip archives (nested too) like `tumorscope scan`.
#[pyfunction]
#[pyo3(signature = (paths, *, max_depth=None, max_entries=None, max_entry_mib=None, max_total_mib=None, follow_symlinks=true))]
pub fn scan(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    max_depth: Option<usize>,
    max_entries: Option<usize>,
    max_entry_mib: Option<u64>,
    max_total_mib: Option<u64>,
    follow_symlinks: bool,
) -> PyResult<NativeDataset> {
    if paths.is_empty() {
        return Err(ScanError::new_err("no path given"));
    }
    for p in &paths {
        if !p.exists() {
            return Err(ScanError::new_err(format!(
                "`{}` does not exist",
                p.display()
            )));
        }
    }
    let defaults = Limits::default();
    let walk = WalkOptions {
        limits: Limits {
            max_depth: max_depth.unwrap_or(defaults.max_depth),
            max_entries: max_entries.unwrap_or(defaults.max_entries),
            max_entry_bytes: max_entry_mib.map_or(defaults.max_entry_bytes, |m| m << 20),
            max_total_bytes: max_total_mib.map_or(defaults.max_total_bytes, |m| m << 20),
            ..defaults
        },
        follow_symlinks,
    };
    let names = paths.iter().map(|p| p.display().to_string()).collect();
    let options = ScanOptions { walk: walk.clone() };
    let dataset = interruptible(py, move || {
        tumorscope_sources::scan(&paths, &options, &|| {})
    })?;
    Ok(NativeDataset {
        inner: Arc::new(dataset),
        walk,
        paths: names,
    })
}

/// Writes the demo cohort (synthetic CT with known tumours, 3D-IRCADb layout) into `dir`;
/// returns its patient labels.
#[pyfunction]
#[pyo3(signature = (dir, patients=6, seed=None))]
pub fn demo(
    py: Python<'_>,
    dir: PathBuf,
    patients: usize,
    seed: Option<u64>,
) -> PyResult<Vec<String>> {
    let options = tumorscope_phantom::PhantomOptions::demo(
        patients,
        seed.unwrap_or(tumorscope_phantom::PhantomOptions::default().seed),
    );
    let written = interruptible(py, move || {
        tumorscope_phantom::write_cohort(&dir, &options, false)
    })?
    .map_err(|e| crate::errors::Error::new_err(chain(&e)))?;
    Ok(written.patients.into_iter().map(|p| p.label).collect())
}

/// The `n`-th exam of `dataset` (patients in order, studies in date order).
pub(crate) fn exam_at(dataset: &Dataset, n: usize) -> Option<Exam<'_>> {
    dataset.patients.iter().flat_map(|p| p.exams()).nth(n)
}

#[pymethods]
impl NativeDataset {
    /// The inventory as `tumorscope scan --json` writes it.
    fn inventory_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner.inventory())
            .map_err(|e| crate::errors::Error::new_err(e.to_string()))
    }

    /// The input paths, as given.
    fn paths(&self) -> Vec<String> {
        self.paths.clone()
    }

    /// Every exam: (label, patient label, study UID, study date `YYYY-MM-DD`, series UID).
    fn exams(&self) -> Vec<(String, String, String, String, String)> {
        self.inner
            .patients
            .iter()
            .flat_map(|p| p.exams())
            .map(|e| {
                (
                    e.label.clone(),
                    e.patient.label.clone(),
                    e.study.study_uid.to_owned(),
                    e.study.date_iso(),
                    e.series.series_uid.clone(),
                )
            })
            .collect()
    }

    /// The metadata table (pseudonymised unless `include_phi`), as JSON rows.
    #[pyo3(signature = (include_phi=false))]
    fn metadata_json(&self, include_phi: bool) -> PyResult<String> {
        serde_json::to_string(&tumorscope_dataset::metadata_rows(&self.inner, include_phi))
            .map_err(|e| crate::errors::Error::new_err(e.to_string()))
    }

    /// Loads exam `exam`: a dict of numpy arrays and geometry (see `tumorscope.Image`).
    fn load<'py>(&self, py: Python<'py>, exam: usize) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let (dataset, walk) = (Arc::clone(&self.inner), self.walk.clone());
        let loaded = interruptible(py, move || {
            let exam = exam_at(&dataset, exam).ok_or_else(|| format!("no exam {exam}"))?;
            load_exam(&dataset, &exam, &LoadOptions { walk }).map_err(|e| chain(&e))
        })?
        .map_err(LoadError::new_err)?;
        crate::image::to_python(py, loaded)
    }

    /// One picture of exam `exam` as an RGB array `(rows, columns, 3)`: a slice of `plane`
    /// (`axial`, `coronal`, `sagittal`) at `index` (default: the middle), or its maximum
    /// intensity projection; windowed, with `overlay` (`liver,tumors`, `all` …).
    #[pyo3(signature = (exam, plane="axial", index=None, window="abdomen", overlay="", mip=false, annotations=true, scale=1.0))]
    #[allow(clippy::too_many_arguments)]
    fn render<'py>(
        &self,
        py: Python<'py>,
        exam: usize,
        plane: &str,
        index: Option<usize>,
        window: &str,
        overlay: &str,
        mip: bool,
        annotations: bool,
        scale: f64,
    ) -> PyResult<Bound<'py, PyArray3<u8>>> {
        let plane = match plane.to_ascii_lowercase().as_str() {
            "axial" => Plane::Axial,
            "coronal" => Plane::Coronal,
            "sagittal" => Plane::Sagittal,
            other => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "plane `{other}`: axial, coronal or sagittal"
                )))
            }
        };
        let window: tumorscope_core::Window =
            window.parse().map_err(|e: tumorscope_core::WindowError| {
                pyo3::exceptions::PyValueError::new_err(e.to_string())
            })?;
        let (dataset, walk, overlay) = (
            Arc::clone(&self.inner),
            self.walk.clone(),
            overlay.to_owned(),
        );
        let rgb = interruptible(py, move || -> Result<_, String> {
            let exam = exam_at(&dataset, exam).ok_or_else(|| format!("no exam {exam}"))?;
            let loaded =
                load_exam(&dataset, &exam, &LoadOptions { walk }).map_err(|e| chain(&e))?;
            let image = &loaded.image;
            let options = RenderOptions {
                window,
                overlays: resolve_overlays(image, &overlay).map_err(|e| chain(&e))?,
                annotations,
                scale,
            };
            let picture = if mip {
                render_mip(image, plane, &options)
            } else {
                let axis = match plane {
                    Plane::Axial => 2,
                    Plane::Coronal => 1,
                    Plane::Sagittal => 0,
                };
                let index = index.unwrap_or(image.ct.geometry.dims[axis] / 2);
                render_slice(image, SliceRequest { plane, index }, &options)
            };
            picture.map_err(|e| chain(&e))
        })?
        .map_err(LoadError::new_err)?;
        let (w, h) = (rgb.width, rgb.height);
        rgb.pixels.into_pyarray(py).reshape([h, w, 3])
    }

    /// Measures the exams (all by default) like `tumorscope analyze`.
    #[pyo3(signature = (exams=None, connectivity=26, min_volume_ml=0.0, tumor_masks=None, vessel_margin_mm=10.0, thumbnails=false, radiomics=false, radiomics_bin_width=25.0, radiomics_bin_count=None, radiomics_structures=None, radiomics_classes=None))]
    #[allow(clippy::too_many_arguments)]
    fn analyze(
        &self,
        py: Python<'_>,
        exams: Option<Vec<usize>>,
        connectivity: u8,
        min_volume_ml: f64,
        tumor_masks: Option<Vec<String>>,
        vessel_margin_mm: f64,
        thumbnails: bool,
        radiomics: bool,
        radiomics_bin_width: f64,
        radiomics_bin_count: Option<usize>,
        radiomics_structures: Option<Vec<String>>,
        radiomics_classes: Option<Vec<String>>,
    ) -> PyResult<NativeAnalysis> {
        let least = tumorscope_analysis::radiomics::MIN_BIN_WIDTH_HU;
        if !(radiomics_bin_width.is_finite() && radiomics_bin_width >= least) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "radiomics_bin_width must be a finite number of at least {least} HU, got {radiomics_bin_width}"
            )));
        }
        let most = tumorscope_analysis::radiomics::MAX_BIN_COUNT;
        if radiomics_bin_count.is_some_and(|n| !(1..=most).contains(&n)) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "radiomics_bin_count must be a whole number from 1 to {most}, got {}",
                radiomics_bin_count.unwrap_or_default()
            )));
        }
        let wanted = radiomics
            || radiomics_bin_count.is_some()
            || radiomics_structures.is_some()
            || radiomics_classes.is_some();
        let radiomics_options = wanted.then(|| {
            let defaults = tumorscope_analysis::radiomics::RadiomicsOptions::default();
            tumorscope_analysis::radiomics::RadiomicsOptions {
                bin_width: radiomics_bin_width,
                bin_count: radiomics_bin_count,
                structures: radiomics_structures.unwrap_or_default(),
                classes: radiomics_classes.unwrap_or(defaults.classes),
            }
        });
        if let Some(class) = radiomics_options.as_ref().and_then(|o| o.unknown_class()) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "no radiomics feature class {class:?}; the classes are {}",
                tumorscope_analysis::radiomics::CLASSES.join(", ")
            )));
        }
        let connectivity = tumorscope_analysis::Connectivity::try_from(connectivity)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        let options = tumorscope_analysis::AnalysisOptions {
            connectivity,
            min_volume_ml,
            tumor_masks,
            vessel_margin_mm,
            radiomics: radiomics_options,
            ..Default::default()
        };
        let (dataset, walk, paths) = (
            Arc::clone(&self.inner),
            self.walk.clone(),
            self.paths.clone(),
        );
        interruptible(py, move || {
            analyze_exams(&dataset, &walk, exams, &options, thumbnails, paths)
        })?
    }
}
