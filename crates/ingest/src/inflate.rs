//! `RawDeflate`: a whole deflated archive member inflated in one call with libdeflate, under
//! the same guarantees as the streaming reader: per-entry, declared and total size limits, and
//! the CRC-32 checked.
//!
//! Only for members that compress moderately: on CT slices (about 2:1) libdeflate inflates
//! about twice as fast as zlib-rs (3D-IRCADb 1.17: 62.5 MB in ~82 ms instead of ~150–230 ms,
//! one core), but on masks that are nearly all zeros (200:1 and more) zlib-rs's long-match
//! copies win by 2–3× (250 MB in ~25–40 ms instead of ~65–100 ms), so those keep streaming.

use std::io;

use libdeflater::{DecompressionError, Decompressor};

use crate::archive::{MemberInfo, PREALLOCATE_MAX_BYTES};
use crate::limited::{record_failure, Budget, Failure, FailureCell};
use crate::origin::Origin;
use crate::source::Source;

/// Highest uncompressed:compressed ratio inflated in one call; above it zlib-rs streams faster.
const ONE_CALL_MAX_RATIO: u64 = 16;

/// The raw deflate stream of one member and what its central directory declares.
#[derive(Clone, Debug)]
pub(crate) struct RawDeflate {
    /// The compressed bytes (a window onto the archive, clamped to its end).
    compressed: Source,
    /// Declared uncompressed size: the exact size of the output buffer.
    size: u64,
    crc32: u32,
}

impl RawDeflate {
    /// The raw stream of `info` whose data starts at `data_start` in `archive`, when the
    /// one-call path applies: deflated, not encrypted, compressed at most
    /// [`ONE_CALL_MAX_RATIO`]:1, and declared small enough that the output buffer may be
    /// allocated on the header's word (larger entries stream).
    pub(crate) fn new(archive: &Source, data_start: u64, info: &MemberInfo) -> Option<Self> {
        let moderate = info.size <= info.compressed_size.saturating_mul(ONE_CALL_MAX_RATIO);
        (info.deflated && moderate && info.size <= PREALLOCATE_MAX_BYTES).then(|| RawDeflate {
            compressed: archive.slice(data_start, info.compressed_size),
            size: info.size,
            crc32: info.crc32,
        })
    }

    /// Inflates the whole member. `counted` bytes of it were already charged to the budget
    /// (by a peek through the streaming reader). Failures are recorded in `failed`, as the
    /// streaming reader records them, so the walk reports them in place of the item.
    pub(crate) fn inflate(
        &self,
        budget: &Budget,
        counted: u64,
        origin: &Origin,
        failed: &FailureCell,
    ) -> io::Result<Vec<u8>> {
        let fail = |failure| Err(record_failure(failed, origin, failure));
        // Sizes were checked against `max_entry_bytes` and the ratio before the member was
        // opened; what is left to enforce is the walk's total.
        let limits = &budget.limits;
        if budget.charge(self.size.saturating_sub(counted)) > limits.max_total_bytes {
            return fail(Failure::TotalTooLarge {
                limit: limits.max_total_bytes,
            });
        }
        let compressed = match self.compressed.window_bytes() {
            Ok(bytes) => bytes,
            Err(error) => return fail(Failure::io(&error)),
        };
        // `size` ≤ PREALLOCATE_MAX_BYTES, so this fits in memory and in `usize`.
        let mut out = vec![0u8; self.size as usize];
        let inflated = Decompressor::new().deflate_decompress(&compressed, &mut out);
        let len = match inflated {
            Ok(len) => len,
            Err(DecompressionError::InsufficientSpace) => {
                return fail(Failure::LargerThanDeclared {
                    declared: self.size,
                })
            }
            Err(DecompressionError::BadData) => {
                return fail(Failure::Io {
                    kind: io::ErrorKind::InvalidData,
                    message: "corrupt deflate stream".to_owned(),
                })
            }
        };
        // A shorter stream is what the streaming reader would give too: the CRC decides.
        out.truncate(len);
        let crc32 = libdeflater::crc32(&out);
        if crc32 != self.crc32 {
            return fail(Failure::Io {
                kind: io::ErrorKind::InvalidData,
                message: format!(
                    "invalid checksum: crc32 `{crc32:08x}`, the archive declares `{:08x}`",
                    self.crc32
                ),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::RawDeflate;
    use crate::source::Source;
    use crate::{walk_bytes, Entry, IngestError, Limits, WalkOptions};

    /// Pseudo-random bytes of a 16-letter alphabet: they deflate about 2:1, like CT slices,
    /// so they take the one-call path.
    fn pattern(len: usize) -> Vec<u8> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 60) as u8
            })
            .collect()
    }

    use crate::test_support::{enter, zip_of};

    /// Offsets of the uncompressed-size fields of every member (local and central headers).
    fn size_fields(zip: &[u8]) -> Vec<usize> {
        (0..zip.len().saturating_sub(4))
            .filter_map(|at| match &zip[at..at + 4] {
                b"PK\x03\x04" => Some(at + 22),
                b"PK\x01\x02" => Some(at + 24),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn only_moderately_compressed_members_take_the_one_call_path() {
        let zip = zip_of(&[("ct", &pattern(10_000)), ("mask", &[0u8; 10_000])]);
        let source = Source::memory(zip.into());
        let archive = zip::ZipArchive::new(source.clone()).expect("zip");
        let one_call: Vec<bool> = (0..archive.len())
            .map(|index| {
                let info = crate::archive::member_info(&archive, index).expect("member");
                RawDeflate::new(&source, 0, &info).is_some()
            })
            .collect();
        assert_eq!(one_call, [true, false]);
    }

    #[test]
    fn read_all_gives_the_exact_bytes_after_a_peek() {
        let data = pattern(300_000);
        let zip = zip_of(&[("a", &data), ("empty", b"")]);
        let result = walk_bytes(
            "x.zip",
            zip,
            &WalkOptions::default(),
            &enter,
            &|mut entry: Entry<'_>| {
                let head = entry
                    .read_prefix(1000)
                    .map(<[u8]>::to_vec)
                    .unwrap_or_default();
                (head, entry.read_all().ok())
            },
        );
        assert!(result.errors.is_empty(), "{:?}", result.errors);
        assert_eq!(result.items.len(), 2);
        let (head, all) = &result.items[0].1;
        assert_eq!(head[..], data[..1000]);
        assert_eq!(all.as_deref(), Some(&data[..]));
        assert_eq!(result.items[1].1, (Vec::new(), Some(Vec::new())));
    }

    #[test]
    fn read_all_after_streaming_gives_the_rest() {
        let data = pattern(100_000);
        let zip = zip_of(&[("a", &data)]);
        let result = walk_bytes(
            "x.zip",
            zip,
            &WalkOptions::default(),
            &enter,
            &|mut entry: Entry<'_>| {
                let mut first = [0u8; 10];
                entry.reader().read_exact(&mut first).ok();
                entry.read_all().ok()
            },
        );
        assert_eq!(result.items[0].1.as_deref(), Some(&data[10..]));
    }

    #[test]
    fn peeked_bytes_are_charged_once() {
        // The budget is exactly the two entries: charging a peek twice would trip it.
        let data = pattern(50_000);
        let zip = zip_of(&[("a", &data), ("b", &data)]);
        let options = WalkOptions {
            limits: Limits {
                max_total_bytes: 100_000,
                ..Limits::default()
            },
            ..WalkOptions::default()
        };
        let result = walk_bytes("x.zip", zip, &options, &enter, &|mut entry: Entry<'_>| {
            entry.read_prefix(4096).ok();
            entry.read_all().map(|b| b.len()).ok()
        });
        assert!(result.errors.is_empty(), "{:?}", result.errors);
        assert_eq!(
            result.items.iter().map(|i| i.1).collect::<Vec<_>>(),
            [Some(50_000), Some(50_000)]
        );
    }

    #[test]
    fn total_budget_trips_on_the_declared_size() {
        let data = pattern(50_000);
        let zip = zip_of(&[("a", &data)]);
        let options = WalkOptions {
            limits: Limits {
                max_total_bytes: 49_999,
                ..Limits::default()
            },
            ..WalkOptions::default()
        };
        let result = walk_bytes("x.zip", zip, &options, &enter, &|entry: Entry<'_>| {
            entry.read_all().ok()
        });
        assert!(result.items.is_empty());
        match &result.errors[..] {
            [IngestError::TotalTooLarge { origin, limit }] => {
                assert_eq!(origin.as_str(), "x.zip!/a");
                assert_eq!(*limit, 49_999);
            }
            other => panic!("unexpected errors {other:?}"),
        }
    }

    #[test]
    fn an_entry_larger_than_declared_is_refused() {
        let data = pattern(20_000);
        let mut zip = zip_of(&[("liar", &data)]);
        for at in size_fields(&zip) {
            zip[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
        }
        let result = walk_bytes(
            "x.zip",
            zip,
            &WalkOptions::default(),
            &enter,
            &|entry: Entry<'_>| entry.read_all().ok(),
        );
        assert!(result.items.is_empty());
        match &result.errors[..] {
            [IngestError::LargerThanDeclared { origin, declared }] => {
                assert_eq!(origin.as_str(), "x.zip!/liar");
                assert_eq!(*declared, 1000);
            }
            other => panic!("unexpected errors {other:?}"),
        }
    }

    #[test]
    fn a_corrupt_stream_is_an_error() {
        let data = pattern(20_000);
        let zip = zip_of(&[("a", &data)]);
        // Flip bits in the middle of the compressed data (after the 30-byte local header and
        // the one-byte name), then check that the walk reports the entry, never panics.
        for offset in [40usize, 200, 900] {
            let mut bad = zip.clone();
            bad[offset] ^= 0x5a;
            let result = walk_bytes(
                "x.zip",
                bad,
                &WalkOptions::default(),
                &enter,
                &|entry: Entry<'_>| entry.read_all().ok(),
            );
            assert!(result.items.is_empty(), "offset {offset}");
            match &result.errors[..] {
                [IngestError::Io { origin, source }] => {
                    assert_eq!(origin.as_str(), "x.zip!/a");
                    let message = source.to_string();
                    assert!(
                        message.contains("checksum") || message.contains("deflate"),
                        "{message}"
                    );
                }
                [IngestError::LargerThanDeclared { .. }] => {}
                other => panic!("offset {offset}: unexpected errors {other:?}"),
            }
        }
    }

    #[test]
    fn read_entry_inflates_in_one_call_too() {
        let data = pattern(70_000);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("x.zip");
        std::fs::write(&path, zip_of(&[("in/a", &data)])).expect("write zip");
        let origin = crate::Origin::from_path(&path).join_entry("in/a");
        let bytes = crate::read_entry(&origin, &WalkOptions::default()).expect("read entry");
        assert_eq!(bytes, data);
    }
}
