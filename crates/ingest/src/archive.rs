//! Opening zip archives and their members under the limits: shared by the walker and by
//! `read_entry`, so both apply exactly the same rules.

use std::io::{self, Read};
use std::sync::Arc;

use zip::{CompressionMethod, ZipArchive};

use crate::entry::Peekable;
use crate::error::IngestError;
use crate::inflate::RawDeflate;
use crate::limited::{Budget, FailureCell, LimitedReader};
use crate::limits::Limits;
use crate::origin::Origin;
use crate::source::Source;
use crate::stream::InflateReader;

/// Most bytes reserved up front on the word of a header (buffers grow past it as data comes).
pub(crate) const PREALLOCATE_MAX_BYTES: u64 = 64 << 20;

/// First bytes of a zip local file header.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Formats that are zip containers but documents, not archives of a dataset: passed to the
/// visitor as leaves even though they start with the zip magic.
const ZIP_DOCUMENT_EXTENSIONS: &[&str] = &[
    ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".jar", ".apk", ".epub", ".whl",
];

/// Whether a file should be opened as an archive: named `.zip`, or starting with the zip magic
/// (and not a known zip-based document format). macOS AppleDouble companions (`._name.zip`,
/// anything under `__MACOSX/`) are never archives, whatever their name says.
pub(crate) fn looks_like_archive(name: &str, first_bytes: &[u8]) -> bool {
    let lower = name.to_ascii_lowercase();
    let file_name = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    let apple_double = file_name.starts_with("._")
        || lower
            .split(['/', '\\'])
            .any(|segment| segment == "__macosx");
    if apple_double {
        return false;
    }
    if lower.ends_with(".zip") {
        return true;
    }
    first_bytes.starts_with(ZIP_MAGIC)
        && !ZIP_DOCUMENT_EXTENSIONS
            .iter()
            .any(|extension| lower.ends_with(extension))
}

/// Opens the archive in `source` at nesting `depth` (a zip on disk is depth 1), checking the
/// depth and entry-count limits.
pub(crate) fn open_archive(
    source: Source,
    origin: &Origin,
    depth: usize,
    limits: &Limits,
) -> Result<ZipArchive<Source>, IngestError> {
    check_depth(origin, depth, limits)?;
    let archive = ZipArchive::new(source).map_err(|source| IngestError::BadArchive {
        origin: origin.clone(),
        source,
    })?;
    if archive.len() > limits.max_entries {
        return Err(IngestError::TooManyEntries {
            origin: origin.clone(),
            entries: archive.len(),
            limit: limits.max_entries,
        });
    }
    Ok(archive)
}

fn check_depth(origin: &Origin, depth: usize, limits: &Limits) -> Result<(), IngestError> {
    if depth > limits.max_depth {
        return Err(IngestError::TooDeep {
            origin: origin.clone(),
            depth,
            limit: limits.max_depth,
        });
    }
    Ok(())
}

/// What the central directory says about one member.
#[derive(Clone, Debug)]
pub(crate) struct MemberInfo {
    pub(crate) index: usize,
    pub(crate) name: String,
    pub(crate) is_dir: bool,
    pub(crate) size: u64,
    pub(crate) compressed_size: u64,
    pub(crate) stored: bool,
    /// Deflated and not encrypted: the raw stream can be inflated in one call.
    pub(crate) deflated: bool,
    /// CRC-32 of the uncompressed bytes, as the central directory declares it.
    pub(crate) crc32: u32,
}

pub(crate) fn member_info(
    archive: &ZipArchive<Source>,
    index: usize,
) -> zip::result::ZipResult<MemberInfo> {
    let entry = archive.by_index_data(index)?;
    let name = match entry.name() {
        Ok(name) => name.into_owned(),
        Err(_) => String::from_utf8_lossy(entry.name_raw()).into_owned(),
    };
    Ok(MemberInfo {
        index,
        is_dir: entry.is_dir(),
        size: entry.size(),
        compressed_size: entry.compressed_size(),
        stored: entry.compression() == CompressionMethod::Stored,
        deflated: entry.compression() == CompressionMethod::Deflated && !entry.encrypted(),
        crc32: entry.crc32(),
        name,
    })
}

/// Checks the declared sizes of a member against the per-entry limits, before opening it.
pub(crate) fn check_member(
    info: &MemberInfo,
    origin: &Origin,
    limits: &Limits,
) -> Result<(), IngestError> {
    if info.size > limits.max_entry_bytes {
        return Err(IngestError::EntryTooLarge {
            origin: origin.clone(),
            size: info.size,
            limit: limits.max_entry_bytes,
        });
    }
    if info.size >= limits.ratio_exempt_bytes {
        let ratio = info
            .size
            .checked_div(info.compressed_size)
            .unwrap_or(u64::MAX);
        if ratio > limits.max_ratio {
            return Err(IngestError::SuspiciousRatio {
                origin: origin.clone(),
                ratio,
                limit: limits.max_ratio,
            });
        }
    }
    Ok(())
}

/// An opened member: a nested archive to descend into, or a leaf to hand to the visitor (its
/// stream, and its raw deflate data when [`Entry::read_all`](crate::Entry::read_all) may
/// inflate it in one call).
pub(crate) enum Opened<'a> {
    Archive(Source),
    Leaf(Peekable<Box<dyn Read + 'a>>, Option<RawDeflate>),
}

/// Where a member goes: detect from its name and first bytes, or decided by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Treat {
    Detect,
    AsArchive,
    AsLeaf,
}

/// Everything `open_member` needs besides the archive itself.
pub(crate) struct MemberContext<'a> {
    pub(crate) origin: &'a Origin,
    pub(crate) budget: &'a Budget,
    /// Nesting depth of the archive holding the member.
    pub(crate) depth: usize,
    pub(crate) failed: &'a FailureCell,
}

/// Opens a member whose declared sizes already passed [`check_member`]. Only the first 4 bytes
/// are inflated to tell archives from leaves; a leaf is returned unread. `outer` is the source
/// the archive was opened on: a stored inner archive becomes a window onto it.
pub(crate) fn open_member<'a>(
    archive: &'a mut ZipArchive<Source>,
    outer: &Source,
    info: &MemberInfo,
    treat: Treat,
    context: &MemberContext<'a>,
) -> Result<Opened<'a>, IngestError> {
    let origin = context.origin;
    let limits = &context.budget.limits;
    if context.budget.exhausted() {
        return Err(IngestError::TotalTooLarge {
            origin: origin.clone(),
            limit: limits.max_total_bytes,
        });
    }
    let bad_archive = |source| IngestError::BadArchive {
        origin: origin.clone(),
        source,
    };
    // Deflated members stream from their raw bytes with a reused inflate state (see
    // `stream`); others (stored, or methods only zip knows) through zip's reader.
    let (inner, data_start): (Box<dyn Read + 'a>, Option<u64>) = if info.deflated {
        let data_start = archive
            .by_index_raw(info.index)
            .map_err(bad_archive)?
            .data_start()
            .ok_or_else(|| {
                bad_archive(zip::result::ZipError::InvalidArchive(
                    "entry data offset unknown".into(),
                ))
            })?;
        let compressed = outer.slice(data_start, info.compressed_size);
        let inflate = InflateReader::new(compressed, info.crc32);
        (Box::new(inflate), Some(data_start))
    } else {
        let file = archive.by_index(info.index).map_err(bad_archive)?;
        let data_start = file.data_start();
        (Box::new(file), data_start)
    };
    let limited = LimitedReader::new(
        inner,
        context.budget,
        Some(info.size),
        origin,
        context.failed,
    );
    let mut reader = Peekable::new(Box::new(limited) as Box<dyn Read + 'a>);
    let is_archive = match treat {
        Treat::AsArchive => true,
        Treat::AsLeaf => false,
        Treat::Detect => {
            let magic = reader
                .peek(ZIP_MAGIC.len())
                .map_err(|error| read_error(context.failed, origin, error))?;
            looks_like_archive(&info.name, magic)
        }
    };
    if !is_archive {
        let raw = data_start.and_then(|start| RawDeflate::new(outer, start, info));
        return Ok(Opened::Leaf(reader, raw));
    }
    check_depth(origin, context.depth + 1, limits)?;
    if info.stored {
        // Read in place: the inner archive is a window onto the outer one's bytes.
        let data_start = data_start.ok_or_else(|| IngestError::BadArchive {
            origin: origin.clone(),
            source: zip::result::ZipError::InvalidArchive("entry data offset unknown".into()),
        })?;
        return Ok(Opened::Archive(
            outer.slice(data_start, info.compressed_size),
        ));
    }
    if info.size > limits.max_buffered_archive_bytes {
        return Err(IngestError::ArchiveTooLargeToBuffer {
            origin: origin.clone(),
            size: info.size,
            limit: limits.max_buffered_archive_bytes,
        });
    }
    // Deflated archives cannot be read in place ("seekable compressed files are not yet
    // supported" in zip): buffer the inflated bytes, capped by the limited reader.
    // The declared size is only a hint: capped, so a lying header cannot reserve gigabytes.
    let mut bytes = Vec::with_capacity(info.size.min(PREALLOCATE_MAX_BYTES) as usize);
    reader
        .read_to_end(&mut bytes)
        .map_err(|error| read_error(context.failed, origin, error))?;
    Ok(Opened::Archive(Source::memory(Arc::from(bytes))))
}

/// The error for a failed read: the recorded failure (a tripped limit), else the I/O error.
pub(crate) fn read_error(failed: &FailureCell, origin: &Origin, source: io::Error) -> IngestError {
    match failed.take() {
        Some(failure) => failure.into_error(origin),
        None => IngestError::Io {
            origin: origin.clone(),
            source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_detection() {
        assert!(looks_like_archive("a/B.ZIP", b""));
        assert!(looks_like_archive("data", b"PK\x03\x04rest"));
        assert!(!looks_like_archive("report.docx", b"PK\x03\x04rest"));
        assert!(!looks_like_archive(
            "__MACOSX/x/._a.zip",
            b"\x00\x05\x16\x07"
        ));
        assert!(!looks_like_archive("x/._a.zip", b"PK\x03\x04"));
        assert!(!looks_like_archive("image_1", b"\0\0\0\0"));
    }
}
