//! The NRRD header: its fields (`name: value`), key/value pairs (`key:=value`), and where the
//! data starts.
//!
//! Follows the NRRD format definition (teem, versions `NRRD0001`–`NRRD0005`): the magic line,
//! then one field per line, `#` comments, and a blank line before attached data. A detached
//! header (`.nhdr`) names its data with `data file`.

use std::io::Read;
use std::path::{Path, PathBuf};

use tumorscope_core::{Geometry, SampleType};

use crate::space::grid_of;
use crate::NrrdError;

/// A header larger than this is no NRRD header (3D Slicer's segmentations with hundreds of
/// segments stay far below it); it bounds what a damaged file can make us read.
const MAX_HEADER_BYTES: usize = 16 << 20;

/// How the data is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Raw,
    Gzip,
    /// Numbers as text, separated by white space.
    Text,
}

/// Byte order of multi-byte values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

/// Where the data is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DataPlace {
    /// The file holding the data: the header's own file, or the one `data file` names.
    pub file: PathBuf,
    /// Bytes from the start of `file` to the data (the header's length when attached).
    pub offset: u64,
    /// Lines of `file` to skip first (`line skip`).
    pub line_skip: u64,
    /// Bytes to skip after the lines (`byte skip`): in the file for raw data, in the decoded
    /// stream otherwise; `-1` means the raw data ends the file.
    pub byte_skip: i64,
}

/// What an NRRD header says.
#[derive(Debug, Clone, PartialEq)]
pub struct NrrdHeader {
    /// The file the header was read from.
    pub path: PathBuf,
    pub value_type: SampleType,
    /// Size of every axis, fastest first.
    pub sizes: Vec<usize>,
    /// Values per voxel: the size of a leading non-spatial axis (`kinds: list …`, the layers
    /// of a 3D Slicer segmentation), 1 when there is none.
    pub layers: usize,
    /// The spatial axes' grid in LPS millimetres.
    pub geometry: Geometry,
    pub encoding: Encoding,
    pub endian: Endian,
    pub(crate) data: DataPlace,
    /// `key:=value` pairs in file order, unescaped (`\n` and `\\`).
    pub key_values: Vec<(String, String)>,
    /// Warnings about the header (an assumed space, ignored fields …).
    pub notes: Vec<String>,
}

impl NrrdHeader {
    /// The value of key `key` (exact match).
    pub fn key_value(&self, key: &str) -> Option<&str> {
        self.key_values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Number of values the data holds.
    pub fn value_count(&self) -> u64 {
        self.sizes.iter().map(|&s| s as u64).product()
    }
}

/// Reads and interprets the header of `path` (`.nrrd` with attached or detached data, or a
/// detached `.nhdr`).
pub fn read_header(path: &Path) -> Result<NrrdHeader, NrrdError> {
    let (text, data_offset) = header_text(path)?;
    parse_header(path, &text, data_offset)
}

/// The header's text and the offset of attached data (`None` when the file ends first).
fn header_text(path: &Path) -> Result<(String, Option<u64>), NrrdError> {
    let read_err = |source| NrrdError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    let mut reader = file.take(MAX_HEADER_BYTES as u64 + 1);
    let mut chunk = [0u8; 8192];
    loop {
        let n = loop {
            match reader.read(&mut chunk) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other.map_err(read_err)?,
            }
        };
        let scan_from = bytes.len().saturating_sub(3);
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() >= 8 && !bytes.starts_with(b"NRRD000") {
            return Err(not_nrrd(path, "no `NRRD000x` magic line".to_owned()));
        }
        if let Some(end) = blank_line_end(&bytes, scan_from) {
            bytes.truncate(end);
            let text = String::from_utf8_lossy(&bytes).into_owned();
            return Ok((text, Some(end as u64)));
        }
        if n == 0 {
            if !bytes.starts_with(b"NRRD000") {
                return Err(not_nrrd(path, "no `NRRD000x` magic line".to_owned()));
            }
            return Ok((String::from_utf8_lossy(&bytes).into_owned(), None));
        }
        if bytes.len() > MAX_HEADER_BYTES {
            return Err(not_nrrd(
                path,
                format!("no end of header in the first {MAX_HEADER_BYTES} bytes"),
            ));
        }
    }
}

/// The offset just after the first empty line (`\n\n` or `\n\r\n`) at or after `from`.
fn blank_line_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\n' {
            if bytes[i + 1] == b'\n' {
                return Some(i + 2);
            }
            if bytes[i + 1] == b'\r' && bytes.get(i + 2) == Some(&b'\n') {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}

fn not_nrrd(path: &Path, reason: String) -> NrrdError {
    NrrdError::NotNrrd {
        path: path.to_path_buf(),
        reason,
    }
}

/// The fields of a header, by name without spaces and lowercased (`spacedirections`).
#[derive(Default)]
pub(crate) struct Fields {
    entries: Vec<(String, String)>,
}

impl Fields {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Interprets the header text.
pub(crate) fn parse_header(
    path: &Path,
    text: &str,
    data_offset: Option<u64>,
) -> Result<NrrdHeader, NrrdError> {
    let mut lines = text.lines();
    let magic = lines.next().unwrap_or_default().trim_end();
    let version = magic
        .strip_prefix("NRRD000")
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|v| (1..=9).contains(v))
        .ok_or_else(|| not_nrrd(path, format!("magic line `{magic}`")))?;
    let mut fields = Fields::default();
    let mut key_values = Vec::new();
    let mut data_list = false;
    for line in lines {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if data_list {
            return Err(NrrdError::Unsupported {
                path: path.to_path_buf(),
                what: "`data file: LIST` (data in several files)".to_owned(),
            });
        }
        if line.starts_with('#') {
            continue;
        }
        if let Some((key, value)) = line.split_once(":=") {
            if !key.contains(": ") {
                key_values.push((unescape(key), unescape(value)));
                continue;
            }
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(not_nrrd(
                path,
                format!("line `{line}` is no `field: value`"),
            ));
        };
        let name: String = name
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        let value = value.trim().to_owned();
        if name == "datafile" && value.starts_with("LIST") {
            data_list = true;
        }
        fields.entries.push((name, value));
    }
    let _ = version;

    let value_type = {
        let t = fields
            .get("type")
            .ok_or_else(|| not_nrrd(path, "no `type` field".to_owned()))?;
        if t.eq_ignore_ascii_case("block") {
            return Err(NrrdError::Unsupported {
                path: path.to_path_buf(),
                what: "type `block`".to_owned(),
            });
        }
        parse_type(t).ok_or_else(|| not_nrrd(path, format!("type `{t}`")))?
    };
    let dimension: usize = fields
        .get("dimension")
        .and_then(|d| d.parse().ok())
        .filter(|d| (1..=16).contains(d))
        .ok_or_else(|| not_nrrd(path, "no valid `dimension` field".to_owned()))?;
    let sizes: Vec<usize> = fields
        .get("sizes")
        .ok_or_else(|| not_nrrd(path, "no `sizes` field".to_owned()))?
        .split_whitespace()
        .map(|s| s.parse::<usize>().ok().filter(|&n| n > 0))
        .collect::<Option<_>>()
        .filter(|s: &Vec<usize>| s.len() == dimension)
        .ok_or_else(|| {
            not_nrrd(
                path,
                format!("`sizes` must give {dimension} positive whole numbers"),
            )
        })?;
    sizes
        .iter()
        .try_fold(1u64, |acc, &s| acc.checked_mul(s as u64))
        .filter(|&n| n <= 1 << 40)
        .ok_or_else(|| not_nrrd(path, format!("sizes `{sizes:?}` are too large")))?;

    let encoding = match fields
        .get("encoding")
        .ok_or_else(|| not_nrrd(path, "no `encoding` field".to_owned()))?
        .to_ascii_lowercase()
        .as_str()
    {
        "raw" => Encoding::Raw,
        "gz" | "gzip" => Encoding::Gzip,
        "txt" | "text" | "ascii" => Encoding::Text,
        other => {
            return Err(NrrdError::Unsupported {
                path: path.to_path_buf(),
                what: format!("encoding `{other}`\nhint: re-save the file raw or gzip (3D Slicer and ITK write both)"),
            })
        }
    };
    let mut notes = Vec::new();
    let endian = match fields.get("endian").map(str::to_ascii_lowercase).as_deref() {
        Some("little") => Endian::Little,
        Some("big") => Endian::Big,
        Some(other) => return Err(not_nrrd(path, format!("endian `{other}`"))),
        None => {
            if value_type.size() > 1 && encoding != Encoding::Text {
                notes.push("no `endian` field: little-endian assumed".to_owned());
            }
            Endian::Little
        }
    };

    let (geometry, layers) = grid_of(path, &fields, &sizes, &mut notes)?;

    let line_skip = match fields.get("lineskip") {
        None => 0,
        Some(v) => v
            .parse()
            .map_err(|_| not_nrrd(path, format!("line skip `{v}`")))?,
    };
    let byte_skip = match fields.get("byteskip") {
        None => 0,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|&b| b >= -1)
            .ok_or_else(|| not_nrrd(path, format!("byte skip `{v}`")))?,
    };
    if byte_skip == -1 && encoding != Encoding::Raw {
        return Err(not_nrrd(
            path,
            "`byte skip: -1` is only defined for raw data".to_owned(),
        ));
    }
    let data = match fields.get("datafile") {
        Some(name) => {
            if name.split_whitespace().count() > 1 {
                return Err(NrrdError::Unsupported {
                    path: path.to_path_buf(),
                    what: format!("`data file: {name}` (a numbered list of data files)"),
                });
            }
            let file = Path::new(name);
            let file = if file.is_absolute() {
                file.to_path_buf()
            } else {
                path.parent().unwrap_or(Path::new("")).join(file)
            };
            DataPlace {
                file,
                offset: 0,
                line_skip,
                byte_skip,
            }
        }
        None => DataPlace {
            file: path.to_path_buf(),
            offset: data_offset.ok_or_else(|| {
                not_nrrd(
                    path,
                    "the header neither ends with a blank line nor names a `data file`".to_owned(),
                )
            })?,
            line_skip,
            byte_skip,
        },
    };
    Ok(NrrdHeader {
        path: path.to_path_buf(),
        value_type,
        sizes,
        layers,
        geometry,
        encoding,
        endian,
        data,
        key_values,
        notes,
    })
}

/// The type of a `type:` field, under any of the spellings the format allows.
fn parse_type(text: &str) -> Option<SampleType> {
    let t = text.trim().to_ascii_lowercase();
    Some(match t.as_str() {
        "signed char" | "int8" | "int8_t" => SampleType::I8,
        "uchar" | "unsigned char" | "uint8" | "uint8_t" => SampleType::U8,
        "short" | "short int" | "signed short" | "signed short int" | "int16" | "int16_t" => {
            SampleType::I16
        }
        "ushort" | "unsigned short" | "unsigned short int" | "uint16" | "uint16_t" => {
            SampleType::U16
        }
        "int" | "signed int" | "int32" | "int32_t" => SampleType::I32,
        "uint" | "unsigned int" | "uint32" | "uint32_t" => SampleType::U32,
        "longlong"
        | "long long"
        | "long long int"
        | "signed long long"
        | "signed long long int"
        | "int64"
        | "int64_t" => SampleType::I64,
        "ulonglong" | "unsigned long long" | "unsigned long long int" | "uint64" | "uint64_t" => {
            SampleType::U64
        }
        "float" => SampleType::F32,
        "double" => SampleType::F64,
        _ => return None,
    })
}

/// A key or value with NRRD's escapes (`\n`, `\\`) undone.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<NrrdHeader, NrrdError> {
        parse_header(Path::new("/d/x.nrrd"), text, Some(text.len() as u64))
    }

    #[test]
    fn slicer_style_header() {
        let h = parse(
            "NRRD0004\n# Complete NRRD file format specification at:\ntype: short\ndimension: 3\nspace: left-posterior-superior\nsizes: 4 3 2\nspace directions: (0.7,0,0) (0,0.7,0) (0,0,2.5)\nkinds: domain domain domain\nendian: little\nencoding: gzip\nspace origin: (-10,20.5,-300)\nSegment0_Name:=liver\nweird\\nkey:=a\\\\b\n\n",
        )
        .unwrap();
        assert_eq!(h.value_type, SampleType::I16);
        assert_eq!(h.sizes, [4, 3, 2]);
        assert_eq!(h.layers, 1);
        assert_eq!(h.encoding, Encoding::Gzip);
        assert_eq!(h.geometry.dims, [4, 3, 2]);
        assert_eq!(h.geometry.spacing_mm, [0.7, 0.7, 2.5]);
        assert_eq!(h.geometry.origin_mm, [-10.0, 20.5, -300.0]);
        assert_eq!(h.key_value("Segment0_Name"), Some("liver"));
        assert_eq!(h.key_value("weird\nkey"), Some("a\\b"));
        assert!(h.notes.is_empty(), "{:?}", h.notes);
    }

    #[test]
    fn detached_data_and_skips() {
        let h = parse(
            "NRRD0005\ntype: uint8\ndimension: 3\nsizes: 2 2 2\nencoding: raw\ndatafile: data/x.raw\nline skip: 2\nbyteskip: -1\n",
        )
        .unwrap();
        assert_eq!(h.data.file, Path::new("/d/data/x.raw"));
        assert_eq!((h.data.line_skip, h.data.byte_skip), (2, -1));
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let cases = [
            ("NRRD9999\n", "magic line"),
            ("NRRD0004\ndimension: 3\nsizes: 1 1 1\nencoding: raw\n\n", "no `type`"),
            ("NRRD0004\ntype: block\n\n", "block"),
            (
                "NRRD0004\ntype: short\ndimension: 3\nsizes: 1 1\nencoding: raw\n\n",
                "`sizes` must give 3",
            ),
            (
                "NRRD0004\ntype: short\ndimension: 3\nsizes: 1 1 1\nencoding: bzip2\n\n",
                "encoding `bzip2`",
            ),
            (
                "NRRD0004\ntype: short\ndimension: 3\nsizes: 1 1 1\nencoding: raw\ndata file: LIST\na.raw\n",
                "LIST",
            ),
            (
                "NRRD0004\ntype: short\ndimension: 3\nsizes: 1 1 1\nencoding: raw\ndata file: x%03d.raw 1 10 1\n",
                "numbered list",
            ),
            (
                "NRRD0004\ntype: short\ndimension: 3\nsizes: 99999999 99999999 9999\nencoding: raw\n\n",
                "too large",
            ),
            (
                "NRRD0004\ntype: short\ndimension: 3\nsizes: 1 1 1\nencoding: gzip\nbyte skip: -1\n\n",
                "only defined for raw",
            ),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(e.contains("/d/x.nrrd"), "{e}");
        }
    }

    #[test]
    fn blank_line_is_found_across_chunks_and_crlf() {
        assert_eq!(blank_line_end(b"NRRD0004\na: b\n\nDATA", 0), Some(15));
        assert_eq!(blank_line_end(b"NRRD0004\r\na: b\r\n\r\nDATA", 0), Some(18));
        assert_eq!(blank_line_end(b"NRRD0004\na: b\n", 0), None);
    }
}
