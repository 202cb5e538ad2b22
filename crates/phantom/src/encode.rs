//! A general-purpose encoder of one uncompressed single-frame DICOM image, for phantoms and for
//! the pixel-decoding tests of other crates (any native transfer syntax, bit depth and rescale).

use dicom_core::value::PrimitiveValue;
use dicom_core::{DataElement, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::meta::FileMetaTableBuilder;
use dicom_object::InMemDicomObject;

use crate::PhantomError;

/// How stored pixel values are laid out and mapped to output units.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceEncoding {
    /// Transfer syntax UID; only the native (uncompressed) ones are accepted.
    pub transfer_syntax: &'static str,
    /// 0 = unsigned, 1 = two's complement.
    pub pixel_representation: u16,
    /// 8 or 16.
    pub bits_allocated: u16,
    /// `1..=bits_allocated`; High Bit is written as `bits_stored - 1`.
    pub bits_stored: u16,
    /// Rescale Slope (output = stored × slope + intercept).
    pub slope: f64,
    /// Rescale Intercept.
    pub intercept: f64,
    /// `MONOCHROME2` or `MONOCHROME1`.
    pub photometric: &'static str,
    /// Pixel Padding Value (written as US or SS following `pixel_representation`).
    pub pixel_padding_value: Option<i32>,
}

impl SliceEncoding {
    /// Signed 16-bit, slope 1, intercept 0, explicit VR little endian: the 3D-IRCADb CT encoding.
    pub fn ct_int16() -> Self {
        Self {
            transfer_syntax: uids::EXPLICIT_VR_LITTLE_ENDIAN,
            pixel_representation: 1,
            bits_allocated: 16,
            bits_stored: 16,
            slope: 1.0,
            intercept: 0.0,
            photometric: "MONOCHROME2",
            pixel_padding_value: None,
        }
    }

    /// Unsigned 8-bit, slope 1, intercept 0: the 3D-IRCADb mask encoding (values 0/255).
    pub fn mask_u8() -> Self {
        Self {
            pixel_representation: 0,
            bits_allocated: 8,
            bits_stored: 8,
            ..Self::ct_int16()
        }
    }

    /// Smallest and largest stored value this encoding can hold.
    pub fn stored_range(&self) -> (i64, i64) {
        let bits = u32::from(self.bits_stored.clamp(1, 32));
        if self.pixel_representation == 1 {
            (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1)
        } else {
            (0, (1i64 << bits) - 1)
        }
    }
}

/// Identifying and descriptive attributes of one slice, besides pixels and geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceTags {
    pub sop_class_uid: String,
    pub sop_instance_uid: String,
    pub study_instance_uid: String,
    pub series_instance_uid: String,
    /// Omitted when `None` (3D-IRCADb has none).
    pub frame_of_reference_uid: Option<String>,
    pub series_number: i32,
    pub instance_number: i32,
    pub modality: String,
    pub patient_name: String,
    /// Written even when empty (3D-IRCADb stores an empty Patient ID).
    pub patient_id: String,
    /// Image Orientation (Patient): row direction then column direction.
    pub orientation: [f64; 6],
    pub slice_thickness_mm: Option<f64>,
    /// Window Center and Width as stored (3D-IRCADb stores `0` and `0`).
    pub window_center_width: Option<(f64, f64)>,
    /// Any further attributes, written as given (`(tag, vr, text)`), e.g. KVP or Study Date.
    pub extra_text: Vec<(Tag, VR, String)>,
}

impl Default for SliceTags {
    fn default() -> Self {
        Self {
            sop_class_uid: uids::CT_IMAGE_STORAGE.to_owned(),
            sop_instance_uid: "2.25.1".to_owned(),
            study_instance_uid: "2.25.2".to_owned(),
            series_instance_uid: "2.25.3".to_owned(),
            frame_of_reference_uid: None,
            series_number: 1,
            instance_number: 1,
            modality: "CT".to_owned(),
            patient_name: "PHANTOM".to_owned(),
            patient_id: String::new(),
            orientation: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            slice_thickness_mm: None,
            window_center_width: None,
            extra_text: Vec::new(),
        }
    }
}

/// Explicit VR Big Endian: retired from the standard (hence deprecated in dicom-rs), still met
/// in old archives, so readers must handle it.
pub const EXPLICIT_VR_BIG_ENDIAN: &str = "1.2.840.10008.1.2.2";

/// The native transfer syntaxes [`encode_slice`] writes.
pub const NATIVE_TRANSFER_SYNTAXES: [&str; 4] = [
    uids::EXPLICIT_VR_LITTLE_ENDIAN,
    uids::IMPLICIT_VR_LITTLE_ENDIAN,
    EXPLICIT_VR_BIG_ENDIAN,
    uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
];

/// Encodes one slice as complete DICOM Part-10 bytes (preamble, `DICM`, file meta, data set).
///
/// `stored` holds the stored values row by row (`rows × cols`, column index fastest);
/// `pixel_spacing_mm` is in DICOM order `[row step, column step]` (between rows, between columns).
/// Signed values narrower than `bits_allocated` are sign-extended to the full word.
pub fn encode_slice(
    stored: &[i32],
    rows: usize,
    cols: usize,
    position_mm: [f64; 3],
    pixel_spacing_mm: [f64; 2],
    enc: &SliceEncoding,
    extra: &SliceTags,
) -> Result<Vec<u8>, PhantomError> {
    let origin = || {
        format!(
            "instance `{}` (sop `{}`)",
            extra.instance_number, extra.sop_instance_uid
        )
    };
    let invalid = |reason: String| PhantomError::InvalidSlice {
        origin: origin(),
        reason,
    };
    check_slice(stored, rows, cols, enc).map_err(invalid)?;

    let mut obj = InMemDicomObject::new_empty();
    let mut put = |tag: Tag, vr: VR, value: PrimitiveValue| {
        obj.put(DataElement::new(tag, vr, value));
    };
    put(
        tags::SOP_CLASS_UID,
        VR::UI,
        extra.sop_class_uid.as_str().into(),
    );
    put(
        tags::SOP_INSTANCE_UID,
        VR::UI,
        extra.sop_instance_uid.as_str().into(),
    );
    put(tags::MODALITY, VR::CS, extra.modality.as_str().into());
    put(
        tags::PATIENT_NAME,
        VR::PN,
        extra.patient_name.as_str().into(),
    );
    put(tags::PATIENT_ID, VR::LO, extra.patient_id.as_str().into());
    put(
        tags::STUDY_INSTANCE_UID,
        VR::UI,
        extra.study_instance_uid.as_str().into(),
    );
    put(
        tags::SERIES_INSTANCE_UID,
        VR::UI,
        extra.series_instance_uid.as_str().into(),
    );
    put(
        tags::SERIES_NUMBER,
        VR::IS,
        extra.series_number.to_string().into(),
    );
    put(
        tags::INSTANCE_NUMBER,
        VR::IS,
        extra.instance_number.to_string().into(),
    );
    put(
        tags::IMAGE_POSITION_PATIENT,
        VR::DS,
        ds_list(&position_mm).into(),
    );
    put(
        tags::IMAGE_ORIENTATION_PATIENT,
        VR::DS,
        ds_list(&extra.orientation).into(),
    );
    if let Some(uid) = &extra.frame_of_reference_uid {
        put(tags::FRAME_OF_REFERENCE_UID, VR::UI, uid.as_str().into());
    }
    if let Some(t) = extra.slice_thickness_mm {
        put(tags::SLICE_THICKNESS, VR::DS, format_ds(t).into());
    }
    put(tags::SAMPLES_PER_PIXEL, VR::US, 1u16.into());
    put(
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        enc.photometric.into(),
    );
    // Both fit: check_slice refused anything above u16::MAX.
    put(tags::ROWS, VR::US, (rows as u16).into());
    put(tags::COLUMNS, VR::US, (cols as u16).into());
    put(
        tags::PIXEL_SPACING,
        VR::DS,
        ds_list(&pixel_spacing_mm).into(),
    );
    put(tags::BITS_ALLOCATED, VR::US, enc.bits_allocated.into());
    put(tags::BITS_STORED, VR::US, enc.bits_stored.into());
    put(tags::HIGH_BIT, VR::US, (enc.bits_stored - 1).into());
    put(
        tags::PIXEL_REPRESENTATION,
        VR::US,
        enc.pixel_representation.into(),
    );
    if let Some(pad) = enc.pixel_padding_value {
        if enc.pixel_representation == 1 {
            put(tags::PIXEL_PADDING_VALUE, VR::SS, (pad as i16).into());
        } else {
            put(tags::PIXEL_PADDING_VALUE, VR::US, (pad as u16).into());
        }
    }
    if let Some((center, width)) = extra.window_center_width {
        put(tags::WINDOW_CENTER, VR::DS, format_ds(center).into());
        put(tags::WINDOW_WIDTH, VR::DS, format_ds(width).into());
    }
    put(
        tags::RESCALE_INTERCEPT,
        VR::DS,
        format_ds(enc.intercept).into(),
    );
    put(tags::RESCALE_SLOPE, VR::DS, format_ds(enc.slope).into());
    for (tag, vr, text) in &extra.extra_text {
        put(*tag, *vr, text.as_str().into());
    }
    if enc.bits_allocated == 8 {
        let mut bytes: Vec<u8> = stored.iter().map(|&v| v as u8).collect();
        // Values have even length; OB pads with a zero byte.
        if bytes.len() % 2 == 1 {
            bytes.push(0);
        }
        put(tags::PIXEL_DATA, VR::OB, PrimitiveValue::U8(bytes.into()));
    } else {
        // Typed 16-bit words let the writer apply the byte order of the transfer syntax.
        let words: Vec<u16> = stored.iter().map(|&v| v as i16 as u16).collect();
        put(tags::PIXEL_DATA, VR::OW, PrimitiveValue::U16(words.into()));
    }

    let dicom_error = |e: Box<dyn std::error::Error + Send + Sync>| PhantomError::Dicom {
        origin: origin(),
        source: e,
    };
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(enc.transfer_syntax))
        .map_err(|e| dicom_error(Box::new(e)))?;
    let mut out = Vec::with_capacity(stored.len() * usize::from(enc.bits_allocated / 8) + 1024);
    file.write_all(&mut out)
        .map_err(|e| dicom_error(Box::new(e)))?;
    Ok(out)
}

/// Checks sizes, bit depths, photometric and value ranges; the reason says what is wrong.
fn check_slice(
    stored: &[i32],
    rows: usize,
    cols: usize,
    enc: &SliceEncoding,
) -> Result<(), String> {
    if rows == 0 || cols == 0 || rows > usize::from(u16::MAX) || cols > usize::from(u16::MAX) {
        return Err(format!(
            "rows and columns must be in 1..=65535, found `{rows}` × `{cols}`"
        ));
    }
    if stored.len() != rows * cols {
        return Err(format!(
            "expected `{}` values for `{rows}` × `{cols}`, found `{}`",
            rows * cols,
            stored.len()
        ));
    }
    if !NATIVE_TRANSFER_SYNTAXES.contains(&enc.transfer_syntax) {
        return Err(format!(
            "transfer syntax `{}` is not a native one",
            enc.transfer_syntax
        ));
    }
    if enc.bits_allocated != 8 && enc.bits_allocated != 16 {
        return Err(format!(
            "bits allocated must be 8 or 16, found `{}`",
            enc.bits_allocated
        ));
    }
    if enc.bits_stored == 0 || enc.bits_stored > enc.bits_allocated {
        return Err(format!(
            "bits stored must be in 1..=`{}`, found `{}`",
            enc.bits_allocated, enc.bits_stored
        ));
    }
    if enc.pixel_representation > 1 {
        return Err(format!(
            "pixel representation must be 0 or 1, found `{}`",
            enc.pixel_representation
        ));
    }
    if enc.photometric != "MONOCHROME1" && enc.photometric != "MONOCHROME2" {
        return Err(format!(
            "photometric interpretation `{}` is not monochrome",
            enc.photometric
        ));
    }
    if !(enc.slope.is_finite() && enc.slope != 0.0 && enc.intercept.is_finite()) {
        return Err(format!(
            "rescale `{}`/`{}` is not usable",
            enc.slope, enc.intercept
        ));
    }
    let (lo, hi) = enc.stored_range();
    if let Some(bad) = stored
        .iter()
        .find(|&&v| i64::from(v) < lo || i64::from(v) > hi)
    {
        return Err(format!("stored value `{bad}` outside `{lo}..={hi}`"));
    }
    if let Some(pad) = enc.pixel_padding_value {
        let (lo16, hi16) = if enc.pixel_representation == 1 {
            (-32768, 32767)
        } else {
            (0, 65535)
        };
        if !(lo16..=hi16).contains(&pad) {
            return Err(format!("pixel padding value `{pad}` does not fit 16 bits"));
        }
    }
    Ok(())
}

/// A Decimal String (at most 16 characters) holding `v` as exactly as that length allows.
pub(crate) fn format_ds(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return "0".to_owned();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    // Shortest round-trip text first; otherwise fewer decimals (k × 1.6 gives 4.800000000000001).
    let shortest = format!("{v}");
    if shortest.len() <= 16 && !shortest.contains('e') {
        return shortest;
    }
    for decimals in (0..=15).rev() {
        let text = format!("{v:.decimals$}");
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            text
        };
        if text.len() <= 16 {
            return text;
        }
    }
    format!("{v:.0}")
}

/// Several Decimal Strings joined by backslashes.
fn ds_list(values: &[f64]) -> String {
    values
        .iter()
        .map(|&v| format_ds(v))
        .collect::<Vec<_>>()
        .join("\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_strings_fit_sixteen_chars() {
        assert_eq!(format_ds(0.75), "0.75");
        assert_eq!(format_ds(3.0 * 1.6), "4.8");
        assert_eq!(format_ds(-1024.0), "-1024");
        assert_eq!(format_ds(-0.0), "0");
        assert_eq!(format_ds(0.742999970912933), "0.74299997091293");
        assert!(format_ds(1.0 / 3.0).len() <= 16);
        assert!((format_ds(1.0 / 3.0).parse::<f64>().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn refuses_bad_slices() {
        let enc = SliceEncoding::ct_int16();
        let tags = SliceTags::default();
        let err = encode_slice(&[0; 5], 2, 2, [0.0; 3], [1.0; 2], &enc, &tags).unwrap_err();
        assert!(matches!(err, PhantomError::InvalidSlice { .. }), "{err}");
        let twelve = SliceEncoding {
            pixel_representation: 0,
            bits_stored: 12,
            ..enc.clone()
        };
        assert!(encode_slice(
            &[4095, 4096, 0, 0],
            2,
            2,
            [0.0; 3],
            [1.0; 2],
            &twelve,
            &tags
        )
        .is_err());
        assert!(encode_slice(&[4095, 0, 0, 0], 2, 2, [0.0; 3], [1.0; 2], &twelve, &tags).is_ok());
        let jpeg = SliceEncoding {
            transfer_syntax: uids::JPEG_BASELINE8_BIT,
            ..enc
        };
        assert!(encode_slice(&[0; 4], 2, 2, [0.0; 3], [1.0; 2], &jpeg, &tags).is_err());
    }

    #[test]
    fn stored_ranges() {
        let enc = SliceEncoding::ct_int16();
        assert_eq!(enc.stored_range(), (-32768, 32767));
        assert_eq!(SliceEncoding::mask_u8().stored_range(), (0, 255));
        let twelve = SliceEncoding {
            pixel_representation: 1,
            bits_stored: 12,
            ..enc
        };
        assert_eq!(twelve.stored_range(), (-2048, 2047));
    }
}
