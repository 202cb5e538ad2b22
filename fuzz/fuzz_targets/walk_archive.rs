//! Fuzz target: walking arbitrary bytes as a (nested) zip must never panic, and a peeked prefix
//! of every leaf must be the start of its full read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tumorscope_ingest::{walk_bytes, Limits, Visit, WalkOptions};

fuzz_target!(|data: &[u8]| {
    // Tight limits keep each run fast; the limits themselves are under test too.
    let options = WalkOptions {
        limits: Limits {
            max_depth: 3,
            max_entries: 256,
            max_entry_bytes: 8 << 20,
            max_total_bytes: 32 << 20,
            max_buffered_archive_bytes: 8 << 20,
            ..Limits::default()
        },
        follow_symlinks: false,
    };
    let result = walk_bytes(
        "fuzz.zip",
        data.to_vec(),
        &options,
        &|_| Visit::Enter,
        &|mut entry| {
            let prefix = entry.read_prefix(64).map(<[u8]>::to_vec).ok();
            let all = entry.read_all().ok();
            (prefix, all)
        },
    );
    for (origin, (prefix, all)) in &result.items {
        assert!(origin.as_str().starts_with("fuzz.zip"));
        // A peeked prefix is the start of the full read.
        if let (Some(prefix), Some(all)) = (prefix, all) {
            assert!(
                all.starts_with(prefix),
                "prefix of `{origin}` differs from its bytes"
            );
        }
    }
});
