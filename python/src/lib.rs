//! The native module of the `tumorscope` Python package (`tumorscope._native`): a thin PyO3
//! skin over the library crates. The Python layer (`python/tumorscope/`) shapes what this
//! module returns into the documented API; the work (scanning, loading, measuring, drawing)
//! is done here by the same crates the CLI uses, with the GIL released and Ctrl-C honoured.

mod analysis;
mod dataset;
mod errors;
mod image;
mod interrupt;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<dataset::NativeDataset>()?;
    m.add_class::<analysis::NativeAnalysis>()?;
    m.add_function(wrap_pyfunction!(dataset::scan, m)?)?;
    m.add_function(wrap_pyfunction!(dataset::demo, m)?)?;
    m.add_function(wrap_pyfunction!(window_presets, m)?)?;
    m.add_function(wrap_pyfunction!(parse_window, m)?)?;
    m.add_function(wrap_pyfunction!(structure_role, m)?)?;
    m.add_function(wrap_pyfunction!(viewer_modules, m)?)?;
    errors::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// The window presets the CLI and the viewer offer: `(name, width, center)`.
#[pyfunction]
fn window_presets() -> Vec<(&'static str, f64, f64)> {
    tumorscope_core::WINDOW_PRESETS
        .iter()
        .map(|p| (p.name, p.window.width, p.window.center))
        .collect()
}

/// `(width, center)` of a preset name or `WIDTH/LEVEL`.
#[pyfunction]
fn parse_window(spec: &str) -> PyResult<(f64, f64)> {
    let w = tumorscope_core::Window::parse(spec)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok((w.width, w.center))
}

/// The role tumorscope gives a structure by its name (`liver`, `tumor`, `cyst`, `vessel`,
/// `other`).
#[pyfunction]
fn structure_role(name: &str) -> String {
    serde_json::to_value(tumorscope_core::classify_structure(name))
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "other".to_owned())
}

/// The ES modules of `tumorscope view` that the notebook widget runs too (drawing, view
/// geometry, panels), as `(file name, source)`, each after the modules it imports: one
/// viewer, two hosts.
#[pyfunction]
fn viewer_modules() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "render.js",
            include_str!("../../crates/server/viewer/render.js"),
        ),
        (
            "views.js",
            include_str!("../../crates/server/viewer/views.js"),
        ),
        (
            "draw.js",
            include_str!("../../crates/server/viewer/draw.js"),
        ),
        (
            "panels.js",
            include_str!("../../crates/server/viewer/panels.js"),
        ),
    ]
}
