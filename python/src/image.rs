//! A loaded exam handed to numpy: HU as int16 `(z, y, x)` moved, not copied; each mask as
//! bool `(z, y, x)` written from its set bits; the geometry that places them in patient space.

use numpy::{IntoPyArray, PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tumorscope_dataset::LoadedPatient;

/// The dict `tumorscope.Image` is built from.
pub(crate) fn to_python(py: Python<'_>, loaded: LoadedPatient) -> PyResult<Bound<'_, PyDict>> {
    let LoadedPatient {
        image,
        warnings,
        skipped,
    } = loaded;
    let g = image.ct.geometry.clone();
    let [x, y, z] = g.dims;
    let out = PyDict::new(py);
    out.set_item("label", &image.patient)?;
    // `Volume` stores `i` fastest, then `j`, then `k`: exactly numpy's C order of (z, y, x).
    out.set_item("hu", image.ct.data.into_pyarray(py).reshape([z, y, x])?)?;
    let masks = PyDict::new(py);
    let roles = PyDict::new(py);
    let mut order = Vec::with_capacity(image.masks.len());
    for m in image.masks {
        // numpy's zeros come from calloc (pages of zeros the OS maps on first write): only the
        // pages a structure touches are written, so a liver costs its voxels, not the volume.
        let array = PyArray1::<bool>::zeros(py, m.bits.len(), false);
        {
            let mut view = array.readwrite();
            let cells = view.as_slice_mut()?;
            for n in m.bits.ones() {
                cells[n] = true;
            }
        }
        masks.set_item(&m.name, array.reshape([z, y, x])?)?;
        let role = serde_json::to_value(m.role)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        roles.set_item(&m.name, role)?;
        order.push(m.name);
    }
    out.set_item("masks", masks)?;
    out.set_item("roles", roles)?;
    out.set_item("order", order)?;
    out.set_item(
        "spacing_mm",
        (g.spacing_mm[0], g.spacing_mm[1], g.spacing_mm[2]),
    )?;
    out.set_item(
        "origin_mm",
        (g.origin_mm[0], g.origin_mm[1], g.origin_mm[2]),
    )?;
    out.set_item("direction", g.direction.map(|row| row.to_vec()).to_vec())?;
    out.set_item(
        "affine",
        g.voxel_to_patient_matrix().map(|row| row.to_vec()).to_vec(),
    )?;
    out.set_item("warnings", warnings)?;
    out.set_item(
        "skipped",
        skipped
            .into_iter()
            .map(|s| (s.origin, s.reason))
            .collect::<Vec<_>>(),
    )?;
    Ok(out)
}
