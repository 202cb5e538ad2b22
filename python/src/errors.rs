//! The exceptions of the package: `tumorscope.Error` and its kinds. Messages name the file
//! (inside archives too) the way the CLI does.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    tumorscope,
    Error,
    PyException,
    "Anything tumorscope could not do; the message names the file or patient."
);
create_exception!(
    tumorscope,
    ScanError,
    Error,
    "An input could not be scanned."
);
create_exception!(
    tumorscope,
    LoadError,
    Error,
    "A patient's images or structures could not be loaded."
);
create_exception!(
    tumorscope,
    AnalysisError,
    Error,
    "A patient could not be measured."
);

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("ScanError", py.get_type::<ScanError>())?;
    m.add("LoadError", py.get_type::<LoadError>())?;
    m.add("AnalysisError", py.get_type::<AnalysisError>())?;
    Ok(())
}

/// An error and its causes, `outer: inner: innermost`, as the CLI prints them.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}
