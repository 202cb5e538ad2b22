//! Long calls run on a worker thread with the GIL released; the calling thread wakes every
//! 20 ms to let Python deliver Ctrl-C (`KeyboardInterrupt`). An interrupted call returns at
//! once; its worker finishes in the background and its result is dropped.

use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

use pyo3::prelude::*;

use crate::errors::Error;

/// How often the caller checks for signals.
const SIGNAL_CHECK: Duration = Duration::from_millis(20);

/// Runs `work` off the GIL; returns its result, or the signal's exception.
pub(crate) fn interruptible<T: Send + 'static>(
    py: Python<'_>,
    work: impl FnOnce() -> T + Send + 'static,
) -> PyResult<T> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        // The receiver may be gone (interrupted): nothing to do then.
        let _ = tx.send(work());
    });
    let mut rx = rx;
    loop {
        // The receiver goes to the GIL-free closure and comes back (it is not `Sync`).
        let (got, back) = py.detach(move || (rx.recv_timeout(SIGNAL_CHECK), rx));
        rx = back;
        match got {
            Ok(value) => return Ok(value),
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Error::new_err(
                    "tumorscope stopped without a result (an internal error; please report it)",
                ))
            }
        }
    }
}
