//! `Source`: a cheaply cloneable, seekable window onto a file or an in-memory buffer, so that
//! every rayon worker can hold its own `ZipArchive` over the same bytes, and a stored inner zip
//! can be opened in place as a window onto its outer archive.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

/// Where a source's bytes live.
#[derive(Clone, Debug)]
enum Backing {
    /// A file opened read-only, read with positional reads (no shared cursor between clones).
    File(Arc<File>),
    /// Bytes held in memory (a buffered deflated inner archive, or bytes given by the caller).
    Memory(Arc<[u8]>),
}

/// A window `[start, start + len)` onto a file or buffer, with its own read position.
#[derive(Clone, Debug)]
pub(crate) struct Source {
    backing: Backing,
    start: u64,
    len: u64,
    position: u64,
}

impl Source {
    /// The whole of a file.
    pub(crate) fn file(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(Source {
            backing: Backing::File(Arc::new(file)),
            start: 0,
            len,
            position: 0,
        })
    }

    /// The whole of a buffer.
    pub(crate) fn memory(bytes: Arc<[u8]>) -> Self {
        let len = bytes.len() as u64;
        Source {
            backing: Backing::Memory(bytes),
            start: 0,
            len,
            position: 0,
        }
    }

    /// A window onto `len` bytes from `offset` of this source (clamped to its end).
    pub(crate) fn slice(&self, offset: u64, len: u64) -> Self {
        let offset = offset.min(self.len);
        Source {
            backing: self.backing.clone(),
            start: self.start + offset,
            len: len.min(self.len - offset),
            position: 0,
        }
    }
}

impl Source {
    /// Every byte of the window: borrowed from a buffer, read with positional reads from a
    /// file (the window is clamped to the backing's end, so its length is trustworthy).
    pub(crate) fn window_bytes(&self) -> io::Result<Cow<'_, [u8]>> {
        let len = usize::try_from(self.len).map_err(|_| io::ErrorKind::OutOfMemory)?;
        match &self.backing {
            Backing::Memory(bytes) => {
                let from = usize::try_from(self.start).map_err(|_| io::ErrorKind::InvalidInput)?;
                let window = bytes
                    .get(from..from.saturating_add(len))
                    .ok_or(io::ErrorKind::UnexpectedEof)?;
                Ok(Cow::Borrowed(window))
            }
            Backing::File(file) => {
                let mut out = vec![0u8; len];
                let mut filled = 0;
                while filled < len {
                    match read_at(file, &mut out[filled..], self.start + filled as u64) {
                        Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                        Ok(n) => filled += n,
                        Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                        Err(error) => return Err(error),
                    }
                }
                Ok(Cow::Owned(out))
            }
        }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let remaining = self.len.saturating_sub(self.position);
        let wanted = (buf.len() as u64).min(remaining) as usize;
        if wanted == 0 {
            return Ok(0);
        }
        let at = self.start + self.position;
        let n = match &self.backing {
            Backing::File(file) => read_at(file, &mut buf[..wanted], at)?,
            Backing::Memory(bytes) => {
                // `at + wanted` lies within the buffer: windows are clamped on creation.
                let from = usize::try_from(at).map_err(|_| io::ErrorKind::InvalidInput)?;
                let chunk = bytes
                    .get(from..from + wanted)
                    .ok_or(io::ErrorKind::UnexpectedEof)?;
                buf[..wanted].copy_from_slice(chunk);
                wanted
            }
        };
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for Source {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(delta) => self.len.checked_add_signed(delta),
            SeekFrom::Current(delta) => self.position.checked_add_signed(delta),
        };
        match target {
            Some(position) => {
                self.position = position;
                Ok(position)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the source",
            )),
        }
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    // `seek_read` moves the shared cursor, but nothing else relies on it.
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(not(any(unix, windows)))]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    // No positional reads here: serialize seek + read so clones do not race on the cursor.
    static CURSOR: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = CURSOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_their_own_bytes() {
        let source = Source::memory(Arc::from(&b"0123456789"[..]));
        let mut window = source.slice(2, 5);
        let mut text = String::new();
        window.read_to_string(&mut text).ok();
        assert_eq!(text, "23456");
        let mut inner = window.slice(1, 100);
        assert_eq!(inner.seek(SeekFrom::End(-2)).ok(), Some(2));
        let mut tail = Vec::new();
        inner.read_to_end(&mut tail).ok();
        assert_eq!(tail, b"56");
        assert!(inner.seek(SeekFrom::Current(-10)).is_err());
        assert_eq!(inner.window_bytes().ok().as_deref(), Some(&b"3456"[..]));
    }

    #[test]
    fn file_windows_give_their_bytes() {
        let mut file = tempfile::tempfile().expect("temp file");
        std::io::Write::write_all(&mut file, b"0123456789").expect("write");
        let source = Source::file(file).expect("source");
        assert_eq!(
            source.slice(3, 4).window_bytes().ok().as_deref(),
            Some(&b"3456"[..])
        );
        assert_eq!(
            source.slice(8, 100).window_bytes().ok().as_deref(),
            Some(&b"89"[..])
        );
    }
}
