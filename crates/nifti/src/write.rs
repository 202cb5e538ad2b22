//! Writing NIfTI-1 images that ITK-SNAP, 3D Slicer, nibabel and nnU-Net place correctly.
//!
//! Every file gets identical sform and qform (both `NIFTI_XFORM_SCANNER_ANAT`), `pixdim` from
//! the spacing, `qfac` from the handedness, millimetre units and the description `tumorscope`.
//! Files are written to a temp file in the target directory and renamed into place, so a
//! reader never sees half a file.

use std::io::{BufWriter, Write};
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use tumorscope_core::{Geometry, Volume};

use crate::header::{
    DataType, DataTypeCode, Endian, RawHeader, DATA_OFFSET, HEADER_LEN, INTENT_LABEL, UNITS_MM,
    XFORM_SCANNER,
};
use crate::orientation::header_transform;
use crate::NiftiError;

/// gzip level for `.nii.gz`: level 1, as nibabel uses, inflates as fast as any level and
/// deflates CT several times faster than the default 6 for a file a few percent larger.
const GZIP_LEVEL: u32 = 1;

/// Writes a CT volume as int16 with `scl_slope = 1`, `scl_inter = 0`.
///
/// `.nii.gz` is gzipped, `.nii` is not; other names are refused.
pub fn write_volume_i16(path: &Path, volume: &Volume<i16>) -> Result<(), NiftiError> {
    write_image(
        path,
        &volume.geometry,
        DataType::I16,
        0,
        &volume.data,
        |block, out| {
            out.resize(block.len() * 2, 0);
            for (bytes, v) in out.chunks_exact_mut(2).zip(block) {
                bytes.copy_from_slice(&v.to_le_bytes());
            }
        },
    )
}

/// Writes a mask or label map as uint8 (values as given: 0/1 masks or label values), marked
/// with `intent_code = NIFTI_INTENT_LABEL`.
pub fn write_mask_u8(path: &Path, geometry: &Geometry, data: &[u8]) -> Result<(), NiftiError> {
    write_image(
        path,
        geometry,
        DataType::U8,
        INTENT_LABEL,
        data,
        |block, out| out.extend_from_slice(block),
    )
}

/// The header of a file holding `geometry` in `datatype`.
fn header_for(
    geometry: &Geometry,
    datatype: DataType,
    intent_code: i16,
) -> Result<RawHeader, String> {
    let mut dim = [3, 1, 1, 1, 1, 1, 1, 1];
    for axis in 0..3 {
        let n = geometry.dims[axis];
        dim[axis + 1] = i16::try_from(n)
            .ok()
            .filter(|&d| d >= 1)
            .ok_or_else(|| format!("dimension `{n}` does not fit nifti-1 (`1..=32767`)"))?;
    }
    let t = header_transform(geometry);
    let mut descrip = [0u8; 80];
    descrip[..10].copy_from_slice(b"tumorscope");
    Ok(RawHeader {
        endian: Endian::Little,
        dim,
        intent_code,
        datatype: datatype.code(),
        bitpix: (datatype.size() * 8) as i16,
        pixdim: [
            t.qfac,
            t.spacing_mm[0],
            t.spacing_mm[1],
            t.spacing_mm[2],
            1.0,
            1.0,
            1.0,
            1.0,
        ],
        vox_offset: DATA_OFFSET as f32,
        scl_slope: 1.0,
        scl_inter: 0.0,
        xyzt_units: UNITS_MM,
        descrip,
        qform_code: XFORM_SCANNER,
        sform_code: XFORM_SCANNER,
        quatern_bcd: t.quatern_bcd,
        qoffset: t.qoffset,
        srow: t.srow,
        magic: *b"n+1\0",
    })
}

/// Validates, encodes and atomically writes one image.
fn write_image<T>(
    path: &Path,
    geometry: &Geometry,
    datatype: DataType,
    intent_code: i16,
    data: &[T],
    encode_block: impl Fn(&[T], &mut Vec<u8>),
) -> Result<(), NiftiError> {
    let bad = |reason: String| NiftiError::BadInput {
        path: path.to_path_buf(),
        reason,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let gzip = if name.ends_with(".nii.gz") {
        true
    } else if name.ends_with(".nii") {
        false
    } else {
        return Err(bad("the file name must end in `.nii.gz` or `.nii`".into()));
    };
    if data.len() != geometry.len() {
        return Err(bad(format!(
            "`{}` voxels given for a `{:?}` grid of `{}`",
            data.len(),
            geometry.dims,
            geometry.len()
        )));
    }
    let header = header_for(geometry, datatype, intent_code).map_err(bad)?;

    let write_err = |source| NiftiError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tumorscope-").suffix(".tmp");
    // Temp files are private (0600) by default; the result is a dataset file others read.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let temp = builder.tempfile_in(dir).map_err(write_err)?;
    let file = BufWriter::with_capacity(1 << 20, temp.as_file());
    let body = |out: &mut dyn Write| -> std::io::Result<()> {
        out.write_all(&header.encode())?;
        // Extension flag bytes: no extensions follow.
        out.write_all(&[0u8; DATA_OFFSET - HEADER_LEN])?;
        let mut chunk = Vec::with_capacity((1 << 16) * datatype.size());
        for block in data.chunks(1 << 16) {
            chunk.clear();
            encode_block(block, &mut chunk);
            out.write_all(&chunk)?;
        }
        Ok(())
    };
    if gzip {
        let mut encoder = GzEncoder::new(file, Compression::new(GZIP_LEVEL));
        body(&mut encoder).map_err(write_err)?;
        encoder
            .finish()
            .map_err(write_err)?
            .flush()
            .map_err(write_err)?;
    } else {
        let mut file = file;
        body(&mut file).map_err(write_err)?;
        file.flush().map_err(write_err)?;
    }
    temp.persist(path).map_err(|e| write_err(e.error))?;
    Ok(())
}
