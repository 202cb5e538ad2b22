//! The 348-byte NIfTI-1 header: the fields tumorscope uses, decoded from and encoded to bytes.
//!
//! Layout per `nifti1.h` (NIfTI-1.1). Both byte orders are read (the order is the one in which
//! `sizeof_hdr` reads 348); this crate always writes little endian.

/// Length of the NIfTI-1 header in bytes.
pub(crate) const HEADER_LEN: usize = 348;
/// Offset of the voxels in files this crate writes: header plus the 4-byte extension flag.
pub(crate) const DATA_OFFSET: usize = 352;
/// `xyzt_units` value for millimetres (`NIFTI_UNITS_MM`), time unit unknown.
pub(crate) const UNITS_MM: u8 = 2;
/// `sform_code` / `qform_code` value for scanner-based coordinates (`NIFTI_XFORM_SCANNER_ANAT`).
pub(crate) const XFORM_SCANNER: i16 = 1;
/// `intent_code` marking a label map (`NIFTI_INTENT_LABEL`).
pub(crate) const INTENT_LABEL: i16 = 1002;

/// Widens a header float to the `f64` of its shortest decimal form, so a spacing written as
/// `0.8` reads back as `0.8`, not `0.800000011920929` (float32 cannot hold 0.8; the decimal the
/// writer meant is the best guess, and it is within float32 rounding of the stored value).
pub(crate) fn widen(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(f64::from(v))
}

/// Byte order of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endian {
    Little,
    Big,
}

/// Voxel types this crate reads (the scalar types of `nifti1.h`).
pub(crate) use tumorscope_core::SampleType as DataType;

/// NIfTI's `datatype` codes of the scalar types.
pub(crate) trait DataTypeCode: Sized {
    /// The type of a `datatype` code, `None` for complex, RGB and unknown codes.
    fn from_code(code: i16) -> Option<Self>;
    /// The `datatype` code.
    fn code(self) -> i16;
}

impl DataTypeCode for DataType {
    fn from_code(code: i16) -> Option<Self> {
        Some(match code {
            2 => Self::U8,
            4 => Self::I16,
            8 => Self::I32,
            16 => Self::F32,
            64 => Self::F64,
            256 => Self::I8,
            512 => Self::U16,
            768 => Self::U32,
            1024 => Self::I64,
            1280 => Self::U64,
            _ => return None,
        })
    }

    fn code(self) -> i16 {
        match self {
            Self::U8 => 2,
            Self::I16 => 4,
            Self::I32 => 8,
            Self::F32 => 16,
            Self::F64 => 64,
            Self::I8 => 256,
            Self::U16 => 512,
            Self::U32 => 768,
            Self::I64 => 1024,
            Self::U64 => 1280,
        }
    }
}

/// The header fields tumorscope reads or writes; the others are written as zeros.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawHeader {
    pub endian: Endian,
    pub dim: [i16; 8],
    pub intent_code: i16,
    pub datatype: i16,
    pub bitpix: i16,
    pub pixdim: [f32; 8],
    pub vox_offset: f32,
    pub scl_slope: f32,
    pub scl_inter: f32,
    pub xyzt_units: u8,
    pub descrip: [u8; 80],
    pub qform_code: i16,
    pub sform_code: i16,
    /// `quatern_b`, `quatern_c`, `quatern_d`.
    pub quatern_bcd: [f32; 3],
    /// `qoffset_x`, `qoffset_y`, `qoffset_z`.
    pub qoffset: [f32; 3],
    /// `srow_x`, `srow_y`, `srow_z`.
    pub srow: [[f32; 4]; 3],
    pub magic: [u8; 4],
}

/// Why 348 bytes are not a NIfTI-1 header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum HeaderProblem {
    /// Not NIfTI at all (or damaged).
    Invalid(String),
    /// NIfTI, but a variant this crate does not read.
    Unsupported(String),
}

impl RawHeader {
    /// Decodes a header, detecting the byte order from `sizeof_hdr`.
    pub(crate) fn parse(bytes: &[u8; HEADER_LEN]) -> Result<Self, HeaderProblem> {
        let sizeof_le = i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let sizeof_be = i32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let endian = if sizeof_le == 348 {
            Endian::Little
        } else if sizeof_be == 348 {
            Endian::Big
        } else if sizeof_le == 540 || sizeof_be == 540 {
            return Err(HeaderProblem::Unsupported("nifti-2 header".into()));
        } else {
            return Err(HeaderProblem::Invalid(format!(
                "header size field is `{sizeof_le}`, expected `348`"
            )));
        };
        let r = FieldReader { bytes, endian };
        let mut magic = [0u8; 4];
        magic.copy_from_slice(&bytes[344..348]);
        match &magic {
            b"n+1\0" => {}
            b"ni1\0" => {
                return Err(HeaderProblem::Unsupported(
                    "separate `.hdr`/`.img` pair (magic `ni1`)".into(),
                ))
            }
            _ => {
                return Err(HeaderProblem::Invalid(format!(
                    "magic is `{}`, expected `n+1`",
                    magic.escape_ascii()
                )))
            }
        }
        let mut descrip = [0u8; 80];
        descrip.copy_from_slice(&bytes[148..228]);
        Ok(Self {
            endian,
            dim: std::array::from_fn(|n| r.i16(40 + 2 * n)),
            intent_code: r.i16(68),
            datatype: r.i16(70),
            bitpix: r.i16(72),
            pixdim: std::array::from_fn(|n| r.f32(76 + 4 * n)),
            vox_offset: r.f32(108),
            scl_slope: r.f32(112),
            scl_inter: r.f32(116),
            xyzt_units: bytes[123],
            descrip,
            qform_code: r.i16(252),
            sform_code: r.i16(254),
            quatern_bcd: std::array::from_fn(|n| r.f32(256 + 4 * n)),
            qoffset: std::array::from_fn(|n| r.f32(268 + 4 * n)),
            srow: std::array::from_fn(|row| std::array::from_fn(|c| r.f32(280 + 16 * row + 4 * c))),
            magic,
        })
    }

    /// Encodes the header in its byte order; fields not modelled here are zero
    /// (`regular` is `r` for old Analyze readers).
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut w = FieldWriter {
            bytes: [0u8; HEADER_LEN],
            endian: self.endian,
        };
        w.i32(0, HEADER_LEN as i32);
        w.bytes[38] = b'r';
        for (n, &d) in self.dim.iter().enumerate() {
            w.i16(40 + 2 * n, d);
        }
        w.i16(68, self.intent_code);
        w.i16(70, self.datatype);
        w.i16(72, self.bitpix);
        for (n, &p) in self.pixdim.iter().enumerate() {
            w.f32(76 + 4 * n, p);
        }
        w.f32(108, self.vox_offset);
        w.f32(112, self.scl_slope);
        w.f32(116, self.scl_inter);
        w.bytes[123] = self.xyzt_units;
        w.bytes[148..228].copy_from_slice(&self.descrip);
        w.i16(252, self.qform_code);
        w.i16(254, self.sform_code);
        for n in 0..3 {
            w.f32(256 + 4 * n, self.quatern_bcd[n]);
            w.f32(268 + 4 * n, self.qoffset[n]);
        }
        for (row, values) in self.srow.iter().enumerate() {
            for (c, &v) in values.iter().enumerate() {
                w.f32(280 + 16 * row + 4 * c, v);
            }
        }
        w.bytes[344..348].copy_from_slice(&self.magic);
        w.bytes
    }
}

/// Reads typed fields at byte offsets (offsets are constants below 348).
struct FieldReader<'a> {
    bytes: &'a [u8; HEADER_LEN],
    endian: Endian,
}

impl FieldReader<'_> {
    fn array<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(&self.bytes[at..at + N]);
        a
    }

    fn i16(&self, at: usize) -> i16 {
        match self.endian {
            Endian::Little => i16::from_le_bytes(self.array(at)),
            Endian::Big => i16::from_be_bytes(self.array(at)),
        }
    }

    fn f32(&self, at: usize) -> f32 {
        match self.endian {
            Endian::Little => f32::from_le_bytes(self.array(at)),
            Endian::Big => f32::from_be_bytes(self.array(at)),
        }
    }
}

/// Writes typed fields at byte offsets.
struct FieldWriter {
    bytes: [u8; HEADER_LEN],
    endian: Endian,
}

impl FieldWriter {
    fn put<const N: usize>(&mut self, at: usize, le: [u8; N], be: [u8; N]) {
        let src = match self.endian {
            Endian::Little => le,
            Endian::Big => be,
        };
        self.bytes[at..at + N].copy_from_slice(&src);
    }

    fn i16(&mut self, at: usize, v: i16) {
        self.put(at, v.to_le_bytes(), v.to_be_bytes());
    }

    fn i32(&mut self, at: usize, v: i32) {
        self.put(at, v.to_le_bytes(), v.to_be_bytes());
    }

    fn f32(&mut self, at: usize, v: f32) {
        self.put(at, v.to_le_bytes(), v.to_be_bytes());
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A plausible header for tests: int16, 4×3×2, 1 mm, sform and qform off.
    pub(crate) fn sample(endian: Endian) -> RawHeader {
        RawHeader {
            endian,
            dim: [3, 4, 3, 2, 1, 1, 1, 1],
            intent_code: 0,
            datatype: 4,
            bitpix: 16,
            pixdim: [1.0, 0.5, 0.75, 2.5, 1.0, 1.0, 1.0, 1.0],
            vox_offset: 352.0,
            scl_slope: 1.0,
            scl_inter: 0.0,
            xyzt_units: UNITS_MM,
            descrip: [0; 80],
            qform_code: 0,
            sform_code: 1,
            quatern_bcd: [0.1, -0.2, 0.3],
            qoffset: [1.5, -2.5, 3.5],
            srow: [
                [-0.5, 0.0, 0.0, 10.0],
                [0.0, -0.75, 0.0, 20.0],
                [0.0, 0.0, 2.5, -30.0],
            ],
            magic: *b"n+1\0",
        }
    }

    #[test]
    fn widening_keeps_the_written_decimal() {
        assert_eq!(widen(0.8), 0.8);
        // 3D-IRCADb's pixel spacing is a float32 artefact itself: it is the float32 of 0.743.
        assert_eq!(widen(0.742_999_970_912_933_f64 as f32), 0.743);
        assert_eq!(widen(-1024.0), -1024.0);
        assert_eq!(widen(1.0e-7), 1.0e-7);
        assert!(widen(f32::NAN).is_nan());
        assert_eq!(widen(f32::INFINITY), f64::INFINITY);
    }

    #[test]
    fn round_trips_in_both_byte_orders() {
        for endian in [Endian::Little, Endian::Big] {
            let h = sample(endian);
            let bytes = h.encode();
            assert_eq!(RawHeader::parse(&bytes), Ok(h));
        }
    }

    #[test]
    fn fields_sit_at_nifti1_offsets() {
        let bytes = sample(Endian::Little).encode();
        assert_eq!(&bytes[0..4], &348i32.to_le_bytes());
        assert_eq!(&bytes[40..44], &[3, 0, 4, 0]);
        assert_eq!(&bytes[70..72], &4i16.to_le_bytes());
        assert_eq!(&bytes[80..84], &0.5f32.to_le_bytes());
        assert_eq!(&bytes[108..112], &352.0f32.to_le_bytes());
        assert_eq!(bytes[123], 2);
        assert_eq!(&bytes[254..256], &1i16.to_le_bytes());
        assert_eq!(&bytes[280..284], &(-0.5f32).to_le_bytes());
        assert_eq!(&bytes[324..328], &(-30.0f32).to_le_bytes());
        assert_eq!(&bytes[344..348], b"n+1\0");
    }

    #[test]
    fn rejects_other_formats() {
        let mut bytes = sample(Endian::Little).encode();
        bytes[344..348].copy_from_slice(b"ni1\0");
        assert!(matches!(
            RawHeader::parse(&bytes),
            Err(HeaderProblem::Unsupported(_))
        ));
        bytes[0..4].copy_from_slice(&540i32.to_le_bytes());
        assert!(matches!(
            RawHeader::parse(&bytes),
            Err(HeaderProblem::Unsupported(_))
        ));
        bytes[0..4].copy_from_slice(&7i32.to_le_bytes());
        assert!(matches!(
            RawHeader::parse(&bytes),
            Err(HeaderProblem::Invalid(_))
        ));
        let mut bytes = sample(Endian::Little).encode();
        bytes[344..348].copy_from_slice(b"abcd");
        assert!(matches!(
            RawHeader::parse(&bytes),
            Err(HeaderProblem::Invalid(_))
        ));
    }
}
