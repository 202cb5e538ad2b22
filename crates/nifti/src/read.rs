//! Reading NIfTI-1 images (`.nii`, `.nii.gz`): header only, CT in HU, label maps.
//!
//! Gzip is recognised by its magic bytes, not by the file name. Voxels are decoded while
//! streaming, so a volume costs its output buffer plus one chunk, never a second full copy.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;
use tumorscope_core::{as_label, round_to_hu, Geometry, Volume};

use crate::header::{widen, DataType, DataTypeCode, Endian, HeaderProblem, RawHeader, HEADER_LEN};
use crate::orientation::{geometry_from_header, NiftiTransform};
use crate::NiftiError;

/// Voxels reserved up front; beyond that the buffer grows with the data actually read, so a
/// damaged header claiming 32767³ voxels fails as truncated instead of exhausting memory.
const MAX_PREALLOCATED_VOXELS: usize = 1 << 28;

/// What the header of a NIfTI file says, without reading its voxels.
#[derive(Debug, Clone, PartialEq)]
pub struct NiftiHeaderInfo {
    /// `[x, y, z]` voxel counts (= `[columns, rows, slices]`).
    pub dims: [usize; 3],
    /// Voxel size in millimetres along `i`, `j`, `k` (taken from the chosen transform).
    pub spacing_mm: [f64; 3],
    /// Stored voxel type as numpy names it (`int16`, `float32` …).
    pub datatype: String,
    /// Placement in LPS patient space.
    pub geometry: Geometry,
    /// Which header transform the geometry comes from.
    pub transform: NiftiTransform,
    /// `(slope, intercept)` applied to stored values, `None` when values are used as stored.
    pub scaling: Option<(f64, f64)>,
}

/// A parsed header with what is needed to decode the voxels.
struct Layout {
    info: NiftiHeaderInfo,
    datatype: DataType,
    endian: Endian,
    /// Bytes between the end of the header and the first voxel (extensions).
    skip_bytes: u64,
}

/// Reads the header of a `.nii` or `.nii.gz` file (for gzip, only the first kilobytes are
/// inflated).
pub fn read_header(path: &Path) -> Result<NiftiHeaderInfo, NiftiError> {
    let mut stream = open_stream(path)?;
    Ok(read_layout(path, &mut stream)?.info)
}

/// Reads a CT image as Hounsfield units.
///
/// Stored values `v` become `round(v × scl_slope + scl_inter)` when `scl_slope` is neither 0
/// nor the identity `(1, 0)`; results outside `i16` are clipped to `-32768..=32767` and NaN
/// becomes `-32768` (no data). CT from LiTS and MSD is int16 or float with whole values, so the
/// conversion is exact there.
pub fn read_ct_volume(path: &Path) -> Result<Volume<i16>, NiftiError> {
    let mut stream = open_stream(path)?;
    let layout = read_layout(path, &mut stream)?;
    let geometry = layout.info.geometry.clone();
    let mut data = Vec::with_capacity(geometry.len().min(MAX_PREALLOCATED_VOXELS));
    let scaling = layout.info.scaling;
    let identity_i16 = layout.datatype == DataType::I16 && scaling.is_none();
    read_voxels(path, &mut stream, &layout, |bytes| {
        if identity_i16 {
            // The common case (HU stored as int16) without a float round trip.
            for c in bytes.chunks_exact(2) {
                let pair = [c[0], c[1]];
                data.push(match layout.endian {
                    Endian::Little => i16::from_le_bytes(pair),
                    Endian::Big => i16::from_be_bytes(pair),
                });
            }
        } else {
            let (slope, inter) = scaling.unwrap_or((1.0, 0.0));
            for_each_value(layout.datatype, layout.endian, bytes, |v| {
                data.push(round_to_hu(v * slope + inter));
            });
        }
        Ok(())
    })?;
    Ok(Volume { geometry, data })
}

/// Reads a label map: every voxel must hold a whole number in `0..=255` after scaling.
pub fn read_label_map(path: &Path) -> Result<Volume<u8>, NiftiError> {
    let mut stream = open_stream(path)?;
    let layout = read_layout(path, &mut stream)?;
    let geometry = layout.info.geometry.clone();
    let mut data = Vec::with_capacity(geometry.len().min(MAX_PREALLOCATED_VOXELS));
    let scaling = layout.info.scaling;
    read_voxels(path, &mut stream, &layout, |bytes| {
        if layout.datatype == DataType::U8 && scaling.is_none() {
            data.extend_from_slice(bytes);
            return Ok(());
        }
        let (slope, inter) = scaling.unwrap_or((1.0, 0.0));
        let mut bad = None;
        for_each_value(layout.datatype, layout.endian, bytes, |v| {
            let v = v * slope + inter;
            data.push(as_label(v).unwrap_or_else(|| {
                bad.get_or_insert(v);
                0
            }));
        });
        match bad {
            Some(value) => Err(NiftiError::BadLabel {
                path: path.to_path_buf(),
                value,
            }),
            None => Ok(()),
        }
    })?;
    Ok(Volume { geometry, data })
}

/// A buffered reader over the file, inflating when it starts with the gzip magic.
fn open_stream(path: &Path) -> Result<Box<dyn Read>, NiftiError> {
    let read_err = |source| NiftiError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(read_err)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let head = reader.fill_buf().map_err(read_err)?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// Reads and interprets the header, leaving `stream` just after it.
fn read_layout(path: &Path, stream: &mut dyn Read) -> Result<Layout, NiftiError> {
    let path_buf = || path.to_path_buf();
    let mut bytes = [0u8; HEADER_LEN];
    let got = read_full(stream, &mut bytes).map_err(|source| NiftiError::Read {
        path: path_buf(),
        source,
    })?;
    if got < HEADER_LEN {
        return Err(NiftiError::NotNifti {
            path: path_buf(),
            reason: format!("only `{got}` bytes, a header needs `{HEADER_LEN}`"),
        });
    }
    let header = RawHeader::parse(&bytes).map_err(|problem| match problem {
        HeaderProblem::Invalid(reason) => NiftiError::NotNifti {
            path: path_buf(),
            reason,
        },
        HeaderProblem::Unsupported(what) => NiftiError::Unsupported {
            path: path_buf(),
            what,
        },
    })?;
    let dims = spatial_dims(&header).map_err(|what| NiftiError::Unsupported {
        path: path_buf(),
        what,
    })?;
    let datatype = DataType::from_code(header.datatype).ok_or_else(|| NiftiError::Unsupported {
        path: path_buf(),
        what: format!("datatype code `{}`", header.datatype),
    })?;
    let (geometry, transform) =
        geometry_from_header(&header, dims).map_err(|reason| NiftiError::BadGeometry {
            path: path_buf(),
            reason,
        })?;
    let (slope, inter) = (widen(header.scl_slope), widen(header.scl_inter));
    // nifti1.h: slope 0 means "no scaling"; non-finite values are treated the same way (nibabel).
    let scaling =
        (slope != 0.0 && slope.is_finite() && inter.is_finite() && (slope, inter) != (1.0, 0.0))
            .then_some((slope, inter));
    let vox_offset = f64::from(header.vox_offset);
    if !(vox_offset.is_finite() && vox_offset >= HEADER_LEN as f64) {
        return Err(NiftiError::NotNifti {
            path: path_buf(),
            reason: format!("voxel offset `{vox_offset}` lies inside the header"),
        });
    }
    Ok(Layout {
        info: NiftiHeaderInfo {
            dims,
            spacing_mm: geometry.spacing_mm,
            datatype: datatype.name().to_string(),
            geometry,
            transform,
            scaling,
        },
        datatype,
        endian: header.endian,
        skip_bytes: vox_offset as u64 - HEADER_LEN as u64,
    })
}

/// `[x, y, z]` sizes; dimensions beyond the third must be 1 (one volume).
fn spatial_dims(header: &RawHeader) -> Result<[usize; 3], String> {
    let rank = header.dim[0];
    if !(1..=7).contains(&rank) {
        return Err(format!("dimension count `{rank}`"));
    }
    let rank = rank as usize;
    let size = |n: usize| if n <= rank { header.dim[n] } else { 1 };
    if (1..=rank).any(|n| size(n) < 1) {
        return Err(format!("dimensions `{:?}`", &header.dim[1..=rank]));
    }
    if (4..=rank).any(|n| size(n) != 1) {
        return Err(format!(
            "{rank}-d data with dimensions `{:?}` (one 3-d volume expected)",
            &header.dim[1..=rank]
        ));
    }
    Ok([size(1) as usize, size(2) as usize, size(3) as usize])
}

/// Feeds the voxel bytes to `sink` in chunks holding whole voxels; errors when data is short.
fn read_voxels(
    path: &Path,
    stream: &mut dyn Read,
    layout: &Layout,
    mut sink: impl FnMut(&[u8]) -> Result<(), NiftiError>,
) -> Result<(), NiftiError> {
    let read_err = |source| NiftiError::Read {
        path: path.to_path_buf(),
        source,
    };
    let skipped = std::io::copy(&mut stream.take(layout.skip_bytes), &mut std::io::sink())
        .map_err(read_err)?;
    let size = layout.datatype.size();
    let expected = layout.info.geometry.len() as u64 * size as u64;
    let truncated = |found| NiftiError::Truncated {
        path: path.to_path_buf(),
        expected,
        found,
    };
    if skipped < layout.skip_bytes {
        return Err(truncated(0));
    }
    let mut buffer = vec![0u8; (1 << 20) * size];
    let mut done = 0u64;
    while done < expected {
        let want = (expected - done).min(buffer.len() as u64) as usize;
        let got = read_full(stream, &mut buffer[..want]).map_err(read_err)?;
        if got < want {
            return Err(truncated(done + got as u64));
        }
        sink(&buffer[..want])?;
        done += want as u64;
    }
    Ok(())
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

/// Calls `f` with every value of `bytes` (whole voxels of `datatype`) as `f64`.
fn for_each_value(datatype: DataType, endian: Endian, bytes: &[u8], f: impl FnMut(f64)) {
    tumorscope_core::for_each_sample(datatype, endian == Endian::Big, bytes, f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::tests::sample;
    use std::io::Write;

    /// Writes `header` + 4 zero bytes + `body`, gzipped or not; returns the path.
    fn craft(
        dir: &Path,
        name: &str,
        header: &RawHeader,
        body: &[u8],
        gzip: bool,
    ) -> std::path::PathBuf {
        let mut bytes = header.encode().to_vec();
        let offset = header.vox_offset as usize;
        bytes.resize(offset, 0);
        bytes.extend_from_slice(body);
        let path = dir.join(name);
        if gzip {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(&bytes).unwrap();
            std::fs::write(&path, enc.finish().unwrap()).unwrap();
        } else {
            std::fs::write(&path, bytes).unwrap();
        }
        path
    }

    fn float_header(dims: [i16; 3], datatype: DataType, slope: f32, inter: f32) -> RawHeader {
        let mut h = sample(Endian::Little);
        h.dim = [3, dims[0], dims[1], dims[2], 1, 1, 1, 1];
        h.datatype = datatype.code();
        h.bitpix = (datatype.size() * 8) as i16;
        h.scl_slope = slope;
        h.scl_inter = inter;
        h
    }

    #[test]
    fn scaling_rounding_and_clipping() {
        let dir = tempfile::tempdir().unwrap();
        let stored: [f32; 6] = [0.0, 500.25, 512.0, 1.0e6, f32::NAN, -1.0e6];
        let body: Vec<u8> = stored.iter().flat_map(|v| v.to_le_bytes()).collect();
        let h = float_header([6, 1, 1], DataType::F32, 2.0, -1024.0);
        let path = craft(dir.path(), "ct.nii.gz", &h, &body, true);
        let ct = read_ct_volume(&path).unwrap();
        // 500.25·2 − 1024 = −23.5 rounds away from zero to −24.
        assert_eq!(ct.data, [-1024, -24, 0, i16::MAX, i16::MIN, i16::MIN]);
        let info = read_header(&path).unwrap();
        assert_eq!(info.scaling, Some((2.0, -1024.0)));
        assert_eq!(info.datatype, "float32");
        assert_eq!(info.transform, NiftiTransform::Sform);
    }

    #[test]
    fn slope_zero_or_identity_means_unscaled() {
        let dir = tempfile::tempdir().unwrap();
        let body: Vec<u8> = [-1000i32, 70000, 3]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        for (slope, inter) in [(0.0, 55.0), (1.0, 0.0)] {
            let h = float_header([3, 1, 1], DataType::I32, slope, inter);
            let path = craft(dir.path(), "ct.nii", &h, &body, false);
            assert_eq!(read_ct_volume(&path).unwrap().data, [-1000, i16::MAX, 3]);
            assert_eq!(read_header(&path).unwrap().scaling, None);
        }
    }

    #[test]
    fn big_endian_with_extension_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = sample(Endian::Big);
        h.dim = [3, 2, 2, 1, 1, 1, 1, 1];
        h.vox_offset = 368.0; // 16 bytes of (ignored) extension data after the flag
        let values = [-1024i16, 0, 300, i16::MAX];
        let body: Vec<u8> = values.iter().flat_map(|v| v.to_be_bytes()).collect();
        let path = craft(dir.path(), "be.nii", &h, &body, false);
        let ct = read_ct_volume(&path).unwrap();
        assert_eq!(ct.data, values);
        assert_eq!(ct.geometry.spacing_mm, [0.5, 0.75, 2.5]);
        // srow rows (−0.5, 0, 0, 10), (0, −0.75, 0, 20), (0, 0, 2.5, −30) in RAS → LPS.
        assert_eq!(ct.geometry.origin_mm, [-10.0, -20.0, -30.0]);
        assert_eq!(
            ct.geometry.direction,
            [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
        );
    }

    #[test]
    fn label_maps_from_float_and_their_errors() {
        let dir = tempfile::tempdir().unwrap();
        let h = float_header([4, 1, 1], DataType::F64, 0.0, 0.0);
        let good: Vec<u8> = [0.0f64, 1.0, 2.0, 255.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let path = craft(dir.path(), "seg.nii.gz", &h, &good, true);
        assert_eq!(read_label_map(&path).unwrap().data, [0, 1, 2, 255]);
        let bad: Vec<u8> = [0.0f64, 1.0, -3.0, 0.5]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let path = craft(dir.path(), "ct-as-seg.nii.gz", &h, &bad, true);
        match read_label_map(&path) {
            Err(NiftiError::BadLabel { path: p, value }) => {
                assert_eq!(p, path);
                assert_eq!(value, -3.0);
            }
            other => panic!("expected a bad label error, got {other:?}"),
        }
    }

    #[test]
    fn truncated_data_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let h = float_header([4, 3, 2], DataType::I16, 1.0, 0.0);
        let path = craft(dir.path(), "short.nii.gz", &h, &[0u8; 30], true);
        assert!(matches!(
            read_ct_volume(&path),
            Err(NiftiError::Truncated {
                expected: 48,
                found: 30,
                ..
            })
        ));
        // The header alone is fine.
        assert_eq!(read_header(&path).unwrap().dims, [4, 3, 2]);

        let junk = dir.path().join("junk.nii");
        std::fs::write(&junk, b"hello").unwrap();
        assert!(matches!(
            read_header(&junk),
            Err(NiftiError::NotNifti { .. })
        ));
        assert!(matches!(
            read_header(&dir.path().join("missing.nii")),
            Err(NiftiError::Read { .. })
        ));

        let mut rgb = h.clone();
        rgb.datatype = 128;
        let path = craft(dir.path(), "rgb.nii", &rgb, &[0u8; 72], false);
        assert!(matches!(
            read_header(&path),
            Err(NiftiError::Unsupported { .. })
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Damaged files (random header fields after a valid size and magic) never panic.
        #[test]
        fn random_headers_never_panic(noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 420)) {
            let dir = tempfile::tempdir().unwrap();
            let mut bytes = noise;
            bytes[0..4].copy_from_slice(&348i32.to_le_bytes());
            bytes[344..348].copy_from_slice(b"n+1\0");
            // Keep the voxel offset sane half of the time so decoding is exercised too.
            if bytes[400] % 2 == 0 {
                bytes[108..112].copy_from_slice(&352.0f32.to_le_bytes());
                bytes[40..42].copy_from_slice(&3i16.to_le_bytes());
            }
            let path = dir.path().join("noise.nii");
            std::fs::write(&path, &bytes).unwrap();
            let _ = read_header(&path);
            let _ = read_ct_volume(&path);
            let _ = read_label_map(&path);
        }
    }

    #[test]
    fn fourth_dimension_must_be_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = float_header([2, 1, 1], DataType::U8, 1.0, 0.0);
        h.dim = [4, 2, 1, 1, 1, 1, 1, 1];
        let path = craft(dir.path(), "t1.nii", &h, &[5, 6], false);
        assert_eq!(read_label_map(&path).unwrap().data, [5, 6]);
        h.dim = [4, 2, 1, 1, 3, 1, 1, 1];
        let path = craft(dir.path(), "t3.nii", &h, &[0; 6], false);
        assert!(matches!(
            read_header(&path),
            Err(NiftiError::Unsupported { .. })
        ));
        // Fewer than three dimensions: missing sizes are 1.
        h.dim = [2, 2, 1, 0, 0, 0, 0, 0];
        let path = craft(dir.path(), "2d.nii", &h, &[7, 8], false);
        assert_eq!(read_header(&path).unwrap().dims, [2, 1, 1]);
    }
}
