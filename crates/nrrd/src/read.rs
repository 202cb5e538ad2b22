//! Reading an NRRD's values: raw, gzip or text, attached or in a detached data file, as a CT
//! in Hounsfield units or as a label volume.
//!
//! Values are converted while streaming, so a volume costs its output buffer plus one chunk.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;
use tumorscope_core::{as_label, for_each_sample, round_to_hu, Geometry, SampleType, Volume};

use crate::header::{read_header, Encoding, Endian, NrrdHeader};
use crate::NrrdError;

/// Values reserved up front; beyond that buffers grow with the data actually read, so a
/// damaged header claiming huge sizes fails as truncated instead of exhausting memory.
const MAX_PREALLOCATED_VALUES: usize = 1 << 28;
/// Values per chunk handed to a converter.
const CHUNK_VALUES: usize = 1 << 20;

/// A label volume with one or more values per voxel (3D Slicer stores overlapping segments
/// in layers).
#[derive(Debug, Clone, PartialEq)]
pub struct LabelVolume {
    pub geometry: Geometry,
    /// Values per voxel.
    pub layers: usize,
    /// `layers` values per voxel, layer fastest, voxels in [`Geometry::index`] order.
    pub data: Vec<u8>,
}

impl LabelVolume {
    /// The values of one layer.
    pub fn layer(&self, layer: usize) -> Volume<u8> {
        let data = if self.layers == 1 {
            self.data.clone()
        } else {
            self.data
                .iter()
                .skip(layer)
                .step_by(self.layers)
                .copied()
                .collect()
        };
        Volume {
            geometry: self.geometry.clone(),
            data,
        }
    }
}

/// Reads an image as Hounsfield units: values rounded to whole numbers, clipped to the `i16`
/// range, NaN to `-32768` (no data). NRRD has no rescale: the values are taken as HU.
pub fn read_ct(path: &Path) -> Result<Volume<i16>, NrrdError> {
    let header = read_header(path)?;
    if header.layers != 1 {
        return Err(NrrdError::Unsupported {
            path: path.to_path_buf(),
            what: format!(
                "{} values per voxel in an image (a CT has one)",
                header.layers
            ),
        });
    }
    let mut data = Vec::with_capacity(header.geometry.len().min(MAX_PREALLOCATED_VALUES));
    let fast_i16 = header.value_type == SampleType::I16;
    read_values(&header, |chunk| {
        match chunk {
            Chunk::Bytes(bytes) if fast_i16 => {
                // The common case (HU stored as int16) without a float round trip.
                data.extend(bytes.chunks_exact(2).map(|c| match header.endian {
                    Endian::Little => i16::from_le_bytes([c[0], c[1]]),
                    Endian::Big => i16::from_be_bytes([c[0], c[1]]),
                }));
            }
            Chunk::Bytes(bytes) => for_each_sample(
                header.value_type,
                header.endian == Endian::Big,
                bytes,
                |v| data.push(round_to_hu(v)),
            ),
            Chunk::Numbers(values) => data.extend(values.iter().map(|&v| round_to_hu(v))),
        }
        Ok(())
    })?;
    Ok(Volume {
        geometry: header.geometry,
        data,
    })
}

/// Reads a label volume: every value must be a whole number in `0..=255`.
pub fn read_labels(path: &Path) -> Result<LabelVolume, NrrdError> {
    let header = read_header(path)?;
    let mut data = Vec::with_capacity((header.value_count() as usize).min(MAX_PREALLOCATED_VALUES));
    read_values(&header, |chunk| {
        let mut bad = None;
        let mut push = |v: f64| {
            data.push(as_label(v).unwrap_or_else(|| {
                bad.get_or_insert(v);
                0
            }))
        };
        match chunk {
            Chunk::Bytes(bytes) if header.value_type == SampleType::U8 => {
                data.extend_from_slice(bytes)
            }
            Chunk::Bytes(bytes) => for_each_sample(
                header.value_type,
                header.endian == Endian::Big,
                bytes,
                &mut push,
            ),
            Chunk::Numbers(values) => values.iter().for_each(|&v| push(v)),
        }
        match bad {
            Some(value) => Err(NrrdError::BadLabel {
                path: path.to_path_buf(),
                value,
            }),
            None => Ok(()),
        }
    })?;
    Ok(LabelVolume {
        geometry: header.geometry,
        layers: header.layers,
        data,
    })
}

/// A run of whole values, as stored bytes or parsed text.
enum Chunk<'a> {
    Bytes(&'a [u8]),
    Numbers(&'a [f64]),
}

/// Feeds every value of the data to `sink`, in chunks; errors when the data is short.
fn read_values(
    header: &NrrdHeader,
    mut sink: impl FnMut(Chunk<'_>) -> Result<(), NrrdError>,
) -> Result<(), NrrdError> {
    let place = &header.data;
    let path = &place.file;
    let read_err = |source| NrrdError::Read {
        path: path.clone(),
        source,
    };
    let expected = header.value_count();
    let truncated = |found| NrrdError::Truncated {
        path: path.clone(),
        expected,
        found,
    };
    let mut file = File::open(path).map_err(read_err)?;
    file.seek(SeekFrom::Start(place.offset)).map_err(read_err)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    for _ in 0..place.line_skip {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).map_err(read_err)? == 0 {
            return Err(truncated(0));
        }
    }
    let size = header.value_type.size() as u64;
    let mut stream: Box<dyn Read> = match header.encoding {
        Encoding::Raw => {
            if place.byte_skip == -1 {
                // The data ends the file: start `expected × size` bytes before its end.
                let mut file = reader.into_inner();
                let end = file.seek(SeekFrom::End(0)).map_err(read_err)?;
                let start = end
                    .checked_sub(expected * size)
                    .ok_or_else(|| truncated(end / size))?;
                file.seek(SeekFrom::Start(start)).map_err(read_err)?;
                Box::new(BufReader::with_capacity(1 << 16, file))
            } else {
                Box::new(reader)
            }
        }
        Encoding::Gzip => Box::new(MultiGzDecoder::new(reader)),
        Encoding::Text => Box::new(reader),
    };
    if place.byte_skip > 0 {
        let skip = place.byte_skip as u64;
        let skipped =
            std::io::copy(&mut (&mut stream).take(skip), &mut std::io::sink()).map_err(read_err)?;
        if skipped < skip {
            return Err(truncated(0));
        }
    }
    if header.encoding == Encoding::Text {
        return read_text(stream, expected, sink, truncated, read_err);
    }
    let mut buffer = vec![0u8; CHUNK_VALUES * size as usize];
    let total = expected * size;
    let mut done = 0u64;
    while done < total {
        let want = (total - done).min(buffer.len() as u64) as usize;
        let got = read_full(&mut stream, &mut buffer[..want]).map_err(read_err)?;
        if got < want {
            return Err(truncated((done + got as u64) / size));
        }
        sink(Chunk::Bytes(&buffer[..want]))?;
        done += want as u64;
    }
    Ok(())
}

/// Values written as text, separated by white space.
fn read_text(
    stream: Box<dyn Read>,
    expected: u64,
    mut sink: impl FnMut(Chunk<'_>) -> Result<(), NrrdError>,
    truncated: impl Fn(u64) -> NrrdError,
    read_err: impl Fn(std::io::Error) -> NrrdError,
) -> Result<(), NrrdError> {
    let mut reader = BufReader::new(stream);
    let mut values = Vec::with_capacity(CHUNK_VALUES.min(expected as usize));
    let mut found = 0u64;
    let mut token = Vec::new();
    let mut line = Vec::new();
    while found < expected {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(&read_err)? == 0 {
            break;
        }
        for word in line
            .split(|b| b.is_ascii_whitespace() || *b == b',')
            .filter(|w| !w.is_empty())
        {
            token.clear();
            token.extend_from_slice(word);
            let v = std::str::from_utf8(&token)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .unwrap_or(f64::NAN);
            values.push(v);
            found += 1;
            if values.len() == CHUNK_VALUES || found == expected {
                sink(Chunk::Numbers(&values))?;
                values.clear();
            }
            if found == expected {
                return Ok(());
            }
        }
    }
    Err(truncated(found))
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
fn read_full(stream: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match stream.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    const GRID: &str = "dimension: 3\nsizes: 2 2 1\nspace: left-posterior-superior\nspace directions: (1,0,0) (0,1,0) (0,0,2)\nspace origin: (0,0,0)\n";

    #[test]
    fn raw_gzip_text_and_detached_agree() {
        let dir = tempfile::tempdir().unwrap();
        let values: [i16; 4] = [-1000, 40, 3071, -2];
        let le: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let be: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&be).unwrap();
        let gz = gz.finish().unwrap();

        let head = |extra: &str| format!("NRRD0004\ntype: short\n{GRID}{extra}\n");
        let raw = write(
            dir.path(),
            "raw.nrrd",
            &[head("encoding: raw\nendian: little\n").as_bytes(), &le].concat(),
        );
        let gzip = write(
            dir.path(),
            "gz.nrrd",
            &[head("encoding: gzip\nendian: big\n").as_bytes(), &gz].concat(),
        );
        let text = write(dir.path(), "t.nrrd", head("encoding: ascii\n").as_bytes());
        std::fs::OpenOptions::new()
            .append(true)
            .open(&text)
            .unwrap()
            .write_all(b"-1000 40\n3071 -2\n")
            .unwrap();
        write(
            dir.path(),
            "d.raw",
            &[b"skip me\nJUNK".as_slice(), &le].concat(),
        );
        let detached = write(
            dir.path(),
            "d.nhdr",
            format!("NRRD0004\ntype: int16\n{GRID}encoding: raw\nendian: little\ndata file: d.raw\nline skip: 1\nbyte skip: 4\n").as_bytes(),
        );
        write(
            dir.path(),
            "e.raw",
            &[b"a long preamble".as_slice(), &le].concat(),
        );
        let at_end = write(
            dir.path(),
            "e.nhdr",
            format!("NRRD0004\ntype: int16\n{GRID}encoding: raw\nendian: little\ndata file: e.raw\nbyte skip: -1\n").as_bytes(),
        );
        for path in [raw, gzip, text, detached, at_end] {
            let ct = read_ct(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(ct.data, values, "{}", path.display());
            assert_eq!(ct.geometry.spacing_mm, [1.0, 1.0, 2.0]);
        }
    }

    #[test]
    fn float_ct_rounds_and_labels_must_be_whole() {
        let dir = tempfile::tempdir().unwrap();
        let floats: Vec<u8> = [-999.6f32, 40.4, f32::NAN, 1e6]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let path = write(
            dir.path(),
            "f.nrrd",
            &[
                format!("NRRD0004\ntype: float\n{GRID}encoding: raw\nendian: little\n\n")
                    .as_bytes(),
                &floats,
            ]
            .concat(),
        );
        assert_eq!(
            read_ct(&path).unwrap().data,
            [-1000, 40, i16::MIN, i16::MAX]
        );
        let e = read_labels(&path).unwrap_err().to_string();
        assert!(e.contains("-999.5") && e.contains("f.nrrd"), "{e}");
    }

    #[test]
    fn layers_split_and_short_data_fails() {
        let dir = tempfile::tempdir().unwrap();
        let head = "NRRD0004\ntype: uchar\ndimension: 4\nsizes: 2 2 2 1\nspace: LPS\nkinds: list domain domain domain\nspace directions: none (1,0,0) (0,1,0) (0,0,1)\nencoding: raw\n\n";
        let path = write(
            dir.path(),
            "s.seg.nrrd",
            &[head.as_bytes(), &[1, 0, 0, 2, 1, 1, 0, 0]].concat(),
        );
        let labels = read_labels(&path).unwrap();
        assert_eq!(labels.layers, 2);
        assert_eq!(labels.layer(0).data, [1, 0, 1, 0]);
        assert_eq!(labels.layer(1).data, [0, 2, 1, 0]);
        assert!(read_ct(&path)
            .unwrap_err()
            .to_string()
            .contains("2 values per voxel"));

        let short = write(
            dir.path(),
            "short.nrrd",
            &[head.as_bytes(), &[1, 0, 0]].concat(),
        );
        let e = read_labels(&short).unwrap_err().to_string();
        assert!(e.contains("expected `8` values, found `3`"), "{e}");
        let missing = write(dir.path(), "m.nhdr", b"NRRD0004\ntype: uchar\ndimension: 3\nsizes: 1 1 1\nencoding: raw\ndata file: nowhere.raw\n");
        let e = format!("{:?}", read_labels(&missing).unwrap_err());
        assert!(e.contains("nowhere.raw"), "{e}");
    }
}
