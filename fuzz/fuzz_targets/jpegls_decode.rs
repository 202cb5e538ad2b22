//! Fuzz target: the JPEG-LS decoder on any bytes never panics (nor allocates past its limit).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tumorscope_jpegls::decode(data);
});
