//! `InflateReader`: streams a deflated archive member straight from its raw bytes, with an
//! inflate state reused from one member to the next on the same thread.
//!
//! zip's own reader builds a fresh decompressor, a read buffer and a CRC reader for every
//! member; for a header scan that reads 16 KiB of each of a thousand members, those allocations
//! cost as much as the inflating. The CRC-32 is checked when the stream ends, as zip does; the
//! size limits are enforced by the [`LimitedReader`](crate::limited::LimitedReader) around it.

use std::cell::RefCell;
use std::io::{self, Read};

use flate2::{Decompress, FlushDecompress, Status};

use crate::source::Source;

/// Compressed bytes read from the archive by the first read of a member: a header scan needs
/// a few KiB; later reads double it up to [`INPUT_CHUNK_MAX`].
const INPUT_CHUNK_MIN: usize = 4 << 10;
const INPUT_CHUNK_MAX: usize = 64 << 10;

/// Inflate states kept per thread for reuse (a walk opens one member per worker at a time;
/// nested archives may hold a few).
const POOL_SIZE: usize = 4;

thread_local! {
    /// Inflate states and input buffers, kept for the next member.
    static POOL: RefCell<Vec<(Decompress, Vec<u8>)>> = const { RefCell::new(Vec::new()) };
}

/// Reads the inflated bytes of one raw deflate stream.
pub(crate) struct InflateReader {
    compressed: Source,
    input: Vec<u8>,
    input_at: usize,
    input_eof: bool,
    /// `None` once returned to the pool (after the stream ended).
    state: Option<Decompress>,
    crc: libdeflater::Crc,
    expected_crc32: u32,
    ended: bool,
}

impl InflateReader {
    /// A reader of the raw deflate stream in `compressed` whose CRC-32 must be `crc32`.
    pub(crate) fn new(compressed: Source, crc32: u32) -> Self {
        let (state, mut input) = POOL
            .with(|pool| pool.borrow_mut().pop())
            .unwrap_or_else(|| (Decompress::new(false), Vec::new()));
        input.clear();
        InflateReader {
            compressed,
            input,
            input_at: 0,
            input_eof: false,
            state: Some(state),
            crc: libdeflater::Crc::new(),
            expected_crc32: crc32,
            ended: false,
        }
    }

    /// Reads the next chunk of compressed bytes (none at the end of the member).
    fn refill(&mut self) -> io::Result<()> {
        let chunk = (self.input.len() * 2).clamp(INPUT_CHUNK_MIN, INPUT_CHUNK_MAX);
        self.input.resize(chunk, 0);
        let n = loop {
            match self.compressed.read(&mut self.input) {
                Ok(n) => break n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        };
        self.input.truncate(n);
        self.input_at = 0;
        self.input_eof = n == 0;
        Ok(())
    }

    /// Returns the inflate state to the pool.
    fn release(&mut self) {
        if let Some(mut state) = self.state.take() {
            state.reset(false);
            let input = std::mem::take(&mut self.input);
            POOL.with(|pool| {
                let mut pool = pool.borrow_mut();
                if pool.len() < POOL_SIZE {
                    pool.push((state, input));
                }
            });
        }
    }
}

impl Read for InflateReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.ended {
            // Checked at the end of the stream, like zip's reader: a prefix read never is.
            let crc32 = self.crc.sum();
            if crc32 != self.expected_crc32 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "invalid checksum: crc32 `{crc32:08x}`, the archive declares `{:08x}`",
                        self.expected_crc32
                    ),
                ));
            }
            return Ok(0);
        }
        loop {
            if self.input_at == self.input.len() && !self.input_eof {
                self.refill()?;
            }
            let Some(state) = self.state.as_mut() else {
                return Ok(0);
            };
            let (in_before, out_before) = (state.total_in(), state.total_out());
            let status = state
                .decompress(&self.input[self.input_at..], buf, FlushDecompress::None)
                .map_err(|_| {
                    io::Error::new(io::ErrorKind::InvalidData, "corrupt deflate stream")
                })?;
            let consumed = (state.total_in() - in_before) as usize;
            let produced = (state.total_out() - out_before) as usize;
            self.input_at += consumed;
            self.crc.update(&buf[..produced]);
            if status == Status::StreamEnd {
                self.ended = true;
                self.release();
                if produced == 0 {
                    return self.read(buf);
                }
                return Ok(produced);
            }
            if produced > 0 {
                return Ok(produced);
            }
            if consumed == 0 {
                if self.input_at < self.input.len() {
                    // Input left, room to write, and no progress: never ends well.
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "corrupt deflate stream",
                    ));
                }
                if self.input_eof {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "deflate stream ends before its end marker",
                    ));
                }
            }
        }
    }
}

impl Drop for InflateReader {
    fn drop(&mut self) {
        self.release();
    }
}

#[cfg(test)]
mod tests {
    use crate::{walk_bytes, Entry, IngestError, WalkOptions};

    use crate::test_support::{enter, zip_of};

    /// Mostly zeros with a few marks, like a mask slice: compresses far beyond 16:1, so
    /// `read_all` streams it.
    fn mask_like(len: usize, mark: usize) -> Vec<u8> {
        (0..len).map(|i| u8::from(i % mark == 0) * 255).collect()
    }

    /// Reads the whole stream in small pieces through `Entry::reader`.
    fn stream_all(mut entry: Entry<'_>) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut piece = [0u8; 1000];
        loop {
            match entry.reader().read(&mut piece) {
                Ok(0) => return Ok(out),
                Ok(n) => out.extend_from_slice(&piece[..n]),
                Err(error) => return Err(error.to_string()),
            }
        }
    }

    #[test]
    fn reused_states_inflate_every_member_exactly() {
        let members: Vec<(String, Vec<u8>)> = (0..12)
            .map(|n| (format!("m{n}"), mask_like(200_000 + n * 1000, 97 + n)))
            .collect();
        let refs: Vec<(&str, &[u8])> = members
            .iter()
            .map(|(name, bytes)| (name.as_str(), &bytes[..]))
            .collect();
        let zip = zip_of(&refs);
        // One thread: every member after the first reuses the pooled state.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        for read_whole in [true, false] {
            let result = pool.install(|| {
                walk_bytes(
                    "x.zip",
                    zip.clone(),
                    &WalkOptions::default(),
                    &enter,
                    &|entry: Entry<'_>| {
                        if read_whole {
                            entry.read_all().map_err(|e| e.to_string())
                        } else {
                            stream_all(entry)
                        }
                    },
                )
            });
            assert!(result.errors.is_empty(), "{:?}", result.errors);
            let mut got: Vec<(String, Vec<u8>)> = result
                .items
                .into_iter()
                .map(|(origin, bytes)| {
                    let name = origin.as_str().trim_start_matches("x.zip!/").to_owned();
                    (name, bytes.expect("read"))
                })
                .collect();
            got.sort();
            let mut want = members.clone();
            want.sort();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn a_bad_checksum_fails_the_streamed_read_at_its_end() {
        let data = mask_like(100_000, 50);
        let mut zip = zip_of(&[("a", &data)]);
        for at in 0..zip.len().saturating_sub(4) {
            let field = match &zip[at..at + 4] {
                b"PK\x03\x04" => at + 14,
                b"PK\x01\x02" => at + 16,
                _ => continue,
            };
            zip[field] ^= 0xff;
        }
        let result = walk_bytes(
            "x.zip",
            zip,
            &WalkOptions::default(),
            &enter,
            &|mut entry: Entry<'_>| {
                // A prefix is fine: the checksum is only known at the end.
                let prefix_ok = entry.read_prefix(5000).map(|p| p.len()).ok();
                (prefix_ok, stream_all(entry))
            },
        );
        assert!(result.items.is_empty());
        match &result.errors[..] {
            [IngestError::Io { origin, source }] => {
                assert_eq!(origin.as_str(), "x.zip!/a");
                assert!(source.to_string().contains("checksum"), "{source}");
            }
            other => panic!("unexpected errors {other:?}"),
        }
    }

    #[test]
    fn a_truncated_stream_is_an_error() {
        let data = mask_like(100_000, 7);
        let zip = zip_of(&[("a", &data)]);
        // Declare a compressed size shorter than the real stream (local and central headers).
        let mut short = zip.clone();
        for at in 0..short.len().saturating_sub(4) {
            let field = match &short[at..at + 4] {
                b"PK\x03\x04" => at + 18,
                b"PK\x01\x02" => at + 20,
                _ => continue,
            };
            let size = u32::from_le_bytes(short[field..field + 4].try_into().expect("4 bytes"));
            short[field..field + 4].copy_from_slice(&(size / 2).to_le_bytes());
        }
        let result = walk_bytes(
            "x.zip",
            short,
            &WalkOptions::default(),
            &enter,
            &|entry: Entry<'_>| stream_all(entry),
        );
        assert!(result.items.is_empty());
        assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
        assert!(result.errors[0].to_string().contains("x.zip!/a"));
    }
}
