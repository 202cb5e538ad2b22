//! Stored numeric samples: their types, and decoding a run of them from bytes.
//!
//! NIfTI and NRRD store voxels as the same ten scalar types, in either byte order; their
//! readers hand the bytes here so both decode alike.

/// A scalar sample type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleType {
    U8,
    I8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

impl SampleType {
    /// Bytes per sample.
    pub fn size(self) -> usize {
        match self {
            Self::U8 | Self::I8 => 1,
            Self::I16 | Self::U16 => 2,
            Self::I32 | Self::U32 | Self::F32 => 4,
            Self::I64 | Self::U64 | Self::F64 => 8,
        }
    }

    /// The name numpy gives the type (`int16`, `float32` …).
    pub fn name(self) -> &'static str {
        match self {
            Self::U8 => "uint8",
            Self::I8 => "int8",
            Self::I16 => "int16",
            Self::U16 => "uint16",
            Self::I32 => "int32",
            Self::U32 => "uint32",
            Self::I64 => "int64",
            Self::U64 => "uint64",
            Self::F32 => "float32",
            Self::F64 => "float64",
        }
    }
}

/// Calls `f` with every sample of `bytes` (whole samples of `ty`, little-endian unless
/// `big_endian`) as `f64`; trailing bytes short of a sample are ignored.
pub fn for_each_sample(ty: SampleType, big_endian: bool, bytes: &[u8], mut f: impl FnMut(f64)) {
    macro_rules! each {
        ($t:ty) => {{
            const N: usize = std::mem::size_of::<$t>();
            for c in bytes.chunks_exact(N) {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                let v = if big_endian {
                    <$t>::from_be_bytes(a)
                } else {
                    <$t>::from_le_bytes(a)
                };
                f(v as f64);
            }
        }};
    }
    match ty {
        SampleType::U8 => each!(u8),
        SampleType::I8 => each!(i8),
        SampleType::I16 => each!(i16),
        SampleType::U16 => each!(u16),
        SampleType::I32 => each!(i32),
        SampleType::U32 => each!(u32),
        SampleType::I64 => each!(i64),
        SampleType::U64 => each!(u64),
        SampleType::F32 => each!(f32),
        SampleType::F64 => each!(f64),
    }
}

/// `v` rounded to the nearest Hounsfield unit, clipped to the `i16` range, NaN to `i16::MIN`
/// (no data).
pub fn round_to_hu(v: f64) -> i16 {
    // `as` saturates at the bounds but maps NaN to 0, a plausible HU: NaN is handled first.
    if v.is_nan() {
        i16::MIN
    } else {
        v.round() as i16
    }
}

/// `v` as a label value when it is a whole number in `0..=255` (float label maps carry whole
/// numbers; anything else means the data is no label map).
pub fn as_label(v: f64) -> Option<u8> {
    let rounded = v.round();
    ((v - rounded).abs() <= 1e-3 && (0.0..=255.0).contains(&rounded)).then_some(rounded as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_byte_orders() {
        let mut got = Vec::new();
        for_each_sample(SampleType::I16, false, &[0x18, 0xfc, 0x28, 0x00, 9], |v| {
            got.push(v)
        });
        for_each_sample(SampleType::I16, true, &[0xfc, 0x18], |v| got.push(v));
        for_each_sample(SampleType::F32, false, &1.5f32.to_le_bytes(), |v| {
            got.push(v)
        });
        assert_eq!(got, [-1000.0, 40.0, -1000.0, 1.5]);
    }

    #[test]
    fn hu_and_label_conversions() {
        assert_eq!(round_to_hu(1e9), i16::MAX);
        assert_eq!(round_to_hu(-40.5), -41);
        assert_eq!(round_to_hu(f64::NAN), i16::MIN);
        assert_eq!(as_label(2.0000001), Some(2));
        assert_eq!(as_label(2.5), None);
        assert_eq!(as_label(256.0), None);
        assert_eq!(as_label(-1.0), None);
    }
}
