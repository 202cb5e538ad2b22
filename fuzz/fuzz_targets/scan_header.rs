//! Fuzz target: the DICOM header scan must never panic on any bytes, whether it sees them as a
//! prefix or as a whole file, and its fast path must agree with the full reader on every input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tumorscope_dicom::{parse_header, parse_header_full, HeaderOutcome};

fuzz_target!(|data: &[u8]| {
    let whole = parse_header(data, true);
    if let HeaderOutcome::NeedMore = whole {
        panic!("a complete input never asks for more bytes");
    }
    assert!(
        whole.same_as(&parse_header_full(data, true)),
        "fast and full readers disagree"
    );
    // As a prefix, either a result or a request for more; never a panic.
    let half = &data[..data.len() / 2];
    assert!(
        parse_header(half, false).same_as(&parse_header_full(half, false)),
        "fast and full readers disagree on a prefix"
    );
});
