//! `Positional`: reads at any offset of a file on disk, from several threads at once.
//!
//! A multi-frame image holds a whole CT in one file; reading it as one stream copies 60 MB
//! through one thread into one fresh buffer. With positional reads each frame is read where
//! it lies, by the thread that decodes it, into a buffer that stays in its cache.

use std::fs::File;
use std::io;

/// Positional read access to a leaf that is a plain file on disk (see
/// [`Entry::positional`](crate::Entry::positional)). `Copy` and `Sync`: hand it to every
/// thread that reads a part of the file.
#[derive(Debug, Clone, Copy)]
pub struct Positional<'a> {
    file: &'a File,
    len: u64,
}

impl<'a> Positional<'a> {
    pub(crate) fn new(file: &'a File, len: u64) -> Self {
        Positional { file, len }
    }

    /// The file's size when it was opened for the walk.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file was empty when it was opened.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Fills `buf` with the bytes at `offset`; an error (`UnexpectedEof`) when the file ends
    /// first. Does not move the entry's stream.
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        read_exact_at(self.file, buf, offset)
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    // `seek_read` moves the file cursor on Windows, so the walker hands out positional reads
    // only on Unix; this stays for callers that own their file.
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_at_offsets_from_several_threads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        File::create(&path).unwrap().write_all(&data).unwrap();
        let file = File::open(&path).unwrap();
        let p = Positional::new(&file, data.len() as u64);
        let data = &data;
        std::thread::scope(|s| {
            for start in [0usize, 4_096, 50_000, 99_990] {
                s.spawn(move || {
                    let mut buf = vec![0; 10];
                    p.read_exact_at(&mut buf, start as u64).unwrap();
                    assert_eq!(buf, data[start..start + 10]);
                });
            }
        });
        let mut past = [0u8; 20];
        let err = p.read_exact_at(&mut past, 99_990).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }
}
