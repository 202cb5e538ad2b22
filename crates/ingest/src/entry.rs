//! `Entry`: one leaf file handed to the visitor, readable once, streaming.

use std::io::{self, Read};

use crate::archive::PREALLOCATE_MAX_BYTES;
use crate::inflate::RawDeflate;
use crate::limited::{Budget, FailureCell};
use crate::origin::Origin;
use crate::positional::Positional;

/// One leaf file (on disk or inside an archive), readable once as a stream.
///
/// Nothing is inflated before the visitor asks for it: a visitor that reads a 64 KiB prefix
/// costs a 64 KiB inflate, not the whole entry. [`Entry::read_all`] on a deflated archive
/// member inflates it in one call (libdeflate) instead of streaming it.
pub struct Entry<'a> {
    /// Where the file came from.
    pub origin: &'a Origin,
    /// Uncompressed size, when known (archive entries: as their header declares it).
    pub size: Option<u64>,
    reader: Peekable<Box<dyn Read + 'a>>,
    /// The one-call path of `read_all`, while the stream has not been handed out.
    raw: Option<RawRead<'a>>,
    /// Reads at any offset, for a plain file on disk.
    positional: Option<Positional<'a>>,
}

/// What [`Entry::read_all`] needs to inflate a member in one call under the walk's limits.
pub(crate) struct RawRead<'a> {
    pub(crate) deflate: RawDeflate,
    pub(crate) budget: &'a Budget,
    pub(crate) failed: &'a FailureCell,
}

impl<'a> Entry<'a> {
    pub(crate) fn new(
        origin: &'a Origin,
        size: Option<u64>,
        reader: Peekable<Box<dyn Read + 'a>>,
        raw: Option<RawRead<'a>>,
    ) -> Self {
        Entry {
            origin,
            size,
            reader,
            raw,
            positional: None,
        }
    }

    /// The same entry, readable at any offset too (a plain file on disk).
    pub(crate) fn with_positional(mut self, positional: Positional<'a>) -> Self {
        self.positional = Some(positional);
        self
    }

    /// Reads at any offset, from any thread, when the entry is a plain file on disk (`None`
    /// inside archives, and on platforms whose positional reads move the stream's cursor): a
    /// reader of a large file can read only the parts it needs, in parallel. Offsets count
    /// from the start of the file, whatever the stream consumed.
    pub fn positional(&self) -> Option<Positional<'a>> {
        self.positional
    }

    /// The stream of the entry's bytes (starting with any bytes peeked by
    /// [`Entry::read_prefix`] and not consumed yet).
    pub fn reader(&mut self) -> &mut dyn Read {
        // Bytes may now be consumed from the stream: only the stream knows where it stands.
        self.raw = None;
        &mut self.reader
    }

    /// Up to `n` bytes from the current position, without consuming them: fewer only at the
    /// end of the entry. A later [`Entry::reader`] or [`Entry::read_all`] starts with them.
    pub fn read_prefix(&mut self, n: usize) -> io::Result<&[u8]> {
        self.reader.peek(n)
    }

    /// All remaining bytes of the entry.
    ///
    /// A deflated archive member whose stream was not handed out by [`Entry::reader`] is
    /// inflated in one call into a buffer of its declared size, its CRC-32 checked; other
    /// entries are streamed to the end.
    pub fn read_all(mut self) -> io::Result<Vec<u8>> {
        if let Some(raw) = self.raw.take() {
            // Peeked bytes were charged to the budget already: they are in the result again.
            let counted = self.reader.buffered() as u64;
            return raw
                .deflate
                .inflate(raw.budget, counted, self.origin, raw.failed);
        }
        // Trust the declared size only as a hint, capped so a lying header cannot make us
        // reserve gigabytes up front.
        let hint = self.size.unwrap_or(0).min(PREALLOCATE_MAX_BYTES) as usize;
        let mut bytes = Vec::with_capacity(hint);
        self.reader.read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

/// A reader with a look-ahead buffer: `peek` fills it, `read` drains it before the inner reader.
pub(crate) struct Peekable<R> {
    inner: R,
    buffer: Vec<u8>,
    position: usize,
}

impl<R: Read> Peekable<R> {
    pub(crate) fn new(inner: R) -> Self {
        Peekable {
            inner,
            buffer: Vec::new(),
            position: 0,
        }
    }

    /// How many bytes were read from the inner reader and not consumed yet.
    pub(crate) fn buffered(&self) -> usize {
        self.buffer.len() - self.position
    }

    /// Up to `n` unconsumed bytes, reading more from the inner reader when needed.
    pub(crate) fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.position > 0 {
            self.buffer.drain(..self.position);
            self.position = 0;
        }
        if self.buffer.len() < n {
            let missing = (n - self.buffer.len()) as u64;
            // Room for all of it up front: `read_to_end` then inflates straight into it instead
            // of probing with small reads (each a separate, slower inflate call).
            self.buffer.reserve(n - self.buffer.len());
            (&mut self.inner)
                .take(missing)
                .read_to_end(&mut self.buffer)?;
        }
        let available = self.buffer.len().min(n);
        Ok(&self.buffer[..available])
    }
}

impl<R: Read> Read for Peekable<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.position < self.buffer.len() {
            let n = (self.buffer.len() - self.position).min(buf.len());
            buf[..n].copy_from_slice(&self.buffer[self.position..self.position + n]);
            self.position += n;
            if self.position == self.buffer.len() {
                self.buffer.clear();
                self.position = 0;
            }
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peeked_bytes_are_read_again() {
        let mut reader = Peekable::new(&b"abcdefgh"[..]);
        assert_eq!(reader.peek(3).ok(), Some(&b"abc"[..]));
        assert_eq!(reader.peek(5).ok(), Some(&b"abcde"[..]));
        let mut two = [0u8; 2];
        reader.read_exact(&mut two).ok();
        assert_eq!(&two, b"ab");
        assert_eq!(reader.peek(2).ok(), Some(&b"cd"[..]));
        assert_eq!(reader.peek(100).ok(), Some(&b"cdefgh"[..]));
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).ok();
        assert_eq!(rest, b"cdefgh");
    }
}
