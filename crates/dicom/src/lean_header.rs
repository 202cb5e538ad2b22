//! The fast way to read a header: walk the top-level elements of the data set with dicom-rs's
//! stateful decoder, decode only the attributes [`InstanceHeader`](crate::InstanceHeader) uses
//! and skip every other value by its length.
//!
//! Reading a whole in-memory object (every value decoded, every element inserted into a map)
//! took ~15 µs per 3D-IRCADb header, and the scan and the loader each read 1 071 of them for one
//! patient. The values kept here are read exactly as the full reader reads them
//! (`read_value_preserved`, Specific Character Set honoured), into an object of the same kind,
//! so [`header_from_object`](crate::header::header_from_object) gives the same header.
//!
//! The fast path takes only flat data sets it can skip through without judging what it skips;
//! everything else gives `None` and goes to the full reader:
//! - no File Meta group, or a deflated data set;
//! - any sequence or undefined length before Pixel Data: the full reader parses inside
//!   sequences (so malformed content is an error there), and dicom-rs lets a Specific Character
//!   Set inside an item change how later top-level text decodes;
//! - a binary value whose length is not a multiple of its value size (dicom-rs then reads one
//!   size and steps over another, and the rest of its parse slips);
//! - a value cut by the end of the prefix: that one the caller answers itself (more bytes,
//!   or a corrupt file when the input was whole), without handing dicom-rs a length it would
//!   allocate first.
//!
//! A tag past Pixel Data's ends the walk as it ends the full reader's (`read_until`). Tests
//! compare both readers on every native syntax, several character sets, sequences, odd lengths
//! and every cut of a file; the real 1.17 headers and the fuzz target check them too.

use std::io::Cursor;

use dicom_core::header::{HasLength, Header};
use dicom_core::value::PrimitiveValue;
use dicom_core::{DataElement, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_encoding::transfer_syntax::{Codec, TransferSyntaxIndex};
use dicom_object::meta::FileMetaTable;
use dicom_object::InMemDicomObject;
use dicom_parser::stateful::decode::{StatefulDecode, StatefulDecoder};
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

/// Every attribute `header_from_object` reads, plus Specific Character Set (which switches the
/// decoder's text decoding, as it does in the full reader). Sorted, for the binary search.
pub(crate) const KEPT_TAGS: [Tag; 40] = [
    tags::SPECIFIC_CHARACTER_SET,
    tags::IMAGE_TYPE,
    tags::SOP_CLASS_UID,
    tags::SOP_INSTANCE_UID,
    tags::STUDY_DATE,
    tags::MODALITY,
    tags::MANUFACTURER,
    tags::INSTITUTION_NAME,
    tags::STUDY_DESCRIPTION,
    tags::SERIES_DESCRIPTION,
    tags::MANUFACTURER_MODEL_NAME,
    tags::PATIENT_NAME,
    tags::PATIENT_ID,
    tags::ISSUER_OF_PATIENT_ID,
    tags::PATIENT_BIRTH_DATE,
    tags::PATIENT_SEX,
    tags::PATIENT_AGE,
    tags::SLICE_THICKNESS,
    tags::KVP,
    tags::STUDY_INSTANCE_UID,
    tags::SERIES_INSTANCE_UID,
    tags::SERIES_NUMBER,
    tags::INSTANCE_NUMBER,
    tags::IMAGE_POSITION_PATIENT,
    tags::IMAGE_ORIENTATION_PATIENT,
    tags::FRAME_OF_REFERENCE_UID,
    tags::SAMPLES_PER_PIXEL,
    tags::PHOTOMETRIC_INTERPRETATION,
    tags::NUMBER_OF_FRAMES,
    tags::ROWS,
    tags::COLUMNS,
    tags::PIXEL_SPACING,
    tags::BITS_ALLOCATED,
    tags::BITS_STORED,
    tags::PIXEL_REPRESENTATION,
    tags::PIXEL_PADDING_VALUE,
    tags::WINDOW_CENTER,
    tags::WINDOW_WIDTH,
    tags::RESCALE_INTERCEPT,
    tags::RESCALE_SLOPE,
];

/// The attributes a loader needs to decode native pixels (see `PixelFormat::from_header`).
/// Sorted, and a subset of [`KEPT_TAGS`].
pub(crate) const PIXEL_TAGS: [Tag; 12] = [
    tags::SPECIFIC_CHARACTER_SET,
    tags::SAMPLES_PER_PIXEL,
    tags::PHOTOMETRIC_INTERPRETATION,
    tags::NUMBER_OF_FRAMES,
    tags::ROWS,
    tags::COLUMNS,
    tags::BITS_ALLOCATED,
    tags::BITS_STORED,
    tags::PIXEL_REPRESENTATION,
    tags::PIXEL_PADDING_VALUE,
    tags::RESCALE_INTERCEPT,
    tags::RESCALE_SLOPE,
];

/// What the fast path read from a prefix.
pub(crate) struct LeanRead {
    pub(crate) transfer_syntax: String,
    /// The kept attributes of the top-level data set.
    pub(crate) object: InMemDicomObject,
    /// Whether the walk stopped at the Pixel Data element (otherwise at the end of the prefix).
    pub(crate) reached_pixel_data: bool,
    /// Where a defined-length Pixel Data value ends, in bytes from the start of the file.
    pub(crate) pixel_data_end: Option<u64>,
}

impl LeanRead {
    /// The header these attributes make; `has_pixel_data` as the caller established it.
    pub(crate) fn into_header(self, has_pixel_data: bool) -> crate::InstanceHeader {
        let mut header = crate::header::header_from_object(&self.object);
        header.transfer_syntax = self.transfer_syntax;
        header.has_pixel_data = has_pixel_data;
        header.pixel_data_end = self.pixel_data_end;
        header
    }
}

/// Why the fast path gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bail {
    /// A value runs past the end of the input: a cut prefix, or a truncated or corrupt file.
    /// Callers answer this themselves: dicom-rs would first fill a buffer of the declared
    /// length, up to 4 GiB for a garbage length.
    PastEnd,
    /// Anything else: the full reader decides.
    FullReader,
}

/// Reads the attributes `keep` (sorted) of a Part-10 file from `prefix`.
pub(crate) fn read_lean(prefix: &[u8], keep: &[Tag]) -> Result<LeanRead, Bail> {
    use Bail::{FullReader, PastEnd};
    let start = if prefix.get(128..132) == Some(b"DICM") {
        128
    } else if prefix.get(..4) == Some(b"DICM") {
        0
    } else {
        return Err(FullReader);
    };
    let body = &prefix[start..];
    let mut cursor = Cursor::new(body);
    let meta = FileMetaTable::from_reader(&mut cursor).map_err(|_| FullReader)?;
    let transfer_syntax = meta.transfer_syntax().to_owned();
    let ts = TransferSyntaxRegistry
        .get(&transfer_syntax)
        .ok_or(FullReader)?;
    // Only data sets stored as they are (a deflated one needs the full reader's adapter).
    if !matches!(ts.codec(), Codec::None | Codec::EncapsulatedPixelData(..)) {
        return Err(FullReader);
    }
    let position = cursor.position();
    let mut decoder = StatefulDecoder::new_with_ts(cursor, ts, position).map_err(|_| FullReader)?;
    let end = body.len() as u64;
    let mut object = InMemDicomObject::new_empty();
    // Whether text in the declared character set may be taken byte for byte when it is ASCII.
    let mut ascii_text_ok = true;
    loop {
        if decoder.position() >= end {
            return Ok(LeanRead {
                transfer_syntax,
                object,
                reached_pixel_data: false,
                pixel_data_end: None,
            });
        }
        let header = decoder.decode_header().map_err(|_| FullReader)?;
        if header.tag() >= tags::PIXEL_DATA {
            // The full reader stops at the first tag at or past Pixel Data's, too.
            let reached = header.tag() == tags::PIXEL_DATA;
            let pixel_data_end = header
                .length()
                .get()
                .filter(|_| reached)
                .map(|len| start as u64 + decoder.position() + u64::from(len));
            return Ok(LeanRead {
                transfer_syntax,
                object,
                reached_pixel_data: reached,
                pixel_data_end,
            });
        }
        let len = header.length().get().ok_or(FullReader)?;
        if header.vr() == VR::SQ || len % value_size(header.vr()) != 0 {
            return Err(FullReader);
        }
        if keep.binary_search(&header.tag()).is_ok() {
            let at = usize::try_from(decoder.position()).map_err(|_| FullReader)?;
            let bytes = at
                .checked_add(len as usize)
                .and_then(|to| body.get(at..to))
                .ok_or(PastEnd)?;
            let value = if header.tag() == tags::SPECIFIC_CHARACTER_SET {
                // Read by the decoder, which switches its text decoding on this attribute.
                let value = decoder
                    .read_value_preserved(&header)
                    .map_err(|_| FullReader)?;
                ascii_text_ok = value
                    .strings()
                    .is_ok_and(|terms| terms.iter().all(|t| ascii_superset(t)));
                value
            } else if let Some(value) = ascii_text(header.vr(), bytes, ascii_text_ok) {
                decoder.skip_bytes(len).map_err(|_| FullReader)?;
                value
            } else {
                decoder
                    .read_value_preserved(&header)
                    .map_err(|_| FullReader)?
            };
            object.put(DataElement::new(header.tag(), header.vr(), value));
            continue;
        }
        if decoder.position() + u64::from(len) > end {
            return Err(PastEnd);
        }
        decoder.skip_bytes(len).map_err(|_| FullReader)?;
    }
}

/// Bytes per value of a binary value representation (1 for text and byte strings).
fn value_size(vr: VR) -> u32 {
    match vr {
        VR::US | VR::SS | VR::OW => 2,
        VR::UL | VR::SL | VR::FL | VR::OL | VR::OF | VR::AT => 4,
        VR::FD | VR::OD | VR::SV | VR::UV | VR::OV => 8,
        _ => 1,
    }
}

/// Whether a Specific Character Set term leaves ASCII bytes as they are: the default
/// repertoire, Latin-1 and UTF-8 (the sets of every file seen so far). Other sets go through
/// dicom-rs's decoders.
fn ascii_superset(term: &str) -> bool {
    matches!(term.trim(), "" | "ISO_IR 6" | "ISO_IR 100" | "ISO_IR 192")
}

/// The value dicom-rs's `read_value_preserved` gives for a text value made only of ASCII
/// bytes (no escape sequence), built without its per-call text decoder: on 3D-IRCADb headers
/// decoding ~25 short strings that way cost more than the rest of the header. `None` for other
/// value representations and other bytes, which the decoder reads.
fn ascii_text(vr: VR, bytes: &[u8], charset_ok: bool) -> Option<PrimitiveValue> {
    if !bytes.is_ascii() || bytes.contains(&0x1B) {
        return None;
    }
    if bytes.is_empty() {
        return Some(PrimitiveValue::Empty);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let strings = || PrimitiveValue::Strs(text.split('\\').map(str::to_owned).collect());
    match vr {
        // Always in the default repertoire, whatever the declared set.
        VR::AE | VR::AS | VR::CS => Some(strings()),
        VR::PN | VR::SH | VR::LO | VR::UC | VR::UI | VR::IS | VR::DS | VR::DA | VR::TM | VR::DT
            if charset_ok =>
        {
            Some(strings())
        }
        VR::UT | VR::ST | VR::UR | VR::LT if charset_ok => {
            Some(PrimitiveValue::Str(text.to_owned()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{parse_header, parse_header_full, HeaderOutcome};
    use dicom_core::value::DataSetSequence;
    use dicom_dictionary_std::uids;
    use dicom_object::meta::FileMetaTableBuilder;
    use tumorscope_phantom::{encode_slice, SliceEncoding, SliceTags, NATIVE_TRANSFER_SYNTAXES};

    #[test]
    fn kept_tags_are_sorted_and_unique() {
        assert!(KEPT_TAGS.windows(2).all(|w| w[0] < w[1]));
        assert!(PIXEL_TAGS.windows(2).all(|w| w[0] < w[1]));
        assert!(PIXEL_TAGS
            .iter()
            .all(|t| KEPT_TAGS.binary_search(t).is_ok()));
    }

    /// The fast path and the full reader agree on the whole file and on every cut of it (as
    /// prefixes and as truncated files), and the fast path really took the whole file.
    fn check_agreement(bytes: &[u8], what: &str) {
        let lean =
            read_lean(bytes, &KEPT_TAGS).unwrap_or_else(|e| panic!("{what}: fast path: {e:?}"));
        assert!(lean.reached_pixel_data, "{what}");
        check_outcomes(bytes, what);
    }

    /// `parse_header` and `parse_header_full` give the same outcome on every cut of `bytes`.
    fn check_outcomes(bytes: &[u8], what: &str) {
        for cut in 0..=bytes.len() {
            for complete in [false, true] {
                let prefix = &bytes[..cut];
                let (fast, full) = (
                    parse_header(prefix, complete),
                    parse_header_full(prefix, complete),
                );
                assert!(
                    fast.same_as(&full),
                    "{what}, cut at {cut}, complete {complete}: {fast:?} against {full:?}"
                );
            }
        }
    }

    fn tags_with_extras() -> SliceTags {
        SliceTags {
            frame_of_reference_uid: Some("2.25.9".into()),
            slice_thickness_mm: Some(1.25),
            window_center_width: Some((40.0, 400.0)),
            patient_id: "P-7".into(),
            extra_text: vec![
                (tags::IMAGE_TYPE, VR::CS, "ORIGINAL\\PRIMARY\\AXIAL".into()),
                (tags::STUDY_DATE, VR::DA, "20200102".into()),
                (tags::ACCESSION_NUMBER, VR::SH, "A1".into()),
                (tags::INSTITUTION_NAME, VR::LO, "General".into()),
                (tags::PATIENT_AGE, VR::AS, "054Y".into()),
                (tags::KVP, VR::DS, "120".into()),
                (tags::STUDY_DESCRIPTION, VR::LO, "Abdomen".into()),
                (Tag(0x0009, 0x0010), VR::LO, "PRIVATE CREATOR".into()),
            ],
            ..SliceTags::default()
        }
    }

    #[test]
    fn agrees_with_the_full_reader_in_every_native_syntax() {
        let stored: Vec<i32> = (0..35).map(|v| v * 3 - 40).collect();
        for ts in NATIVE_TRANSFER_SYNTAXES {
            let enc = SliceEncoding {
                transfer_syntax: ts,
                pixel_padding_value: Some(-2000),
                slope: 2.0,
                intercept: -1024.0,
                ..SliceEncoding::ct_int16()
            };
            let bytes = encode_slice(
                &stored,
                5,
                7,
                [1.0, 2.0, 3.0],
                [0.7, 0.8],
                &enc,
                &tags_with_extras(),
            )
            .unwrap();
            if ts == uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN {
                assert!(
                    read_lean(&bytes, &KEPT_TAGS).is_err(),
                    "deflated data sets take the full reader"
                );
                continue;
            }
            check_agreement(&bytes, ts);
        }
    }

    #[test]
    fn agrees_with_the_full_reader_in_other_character_sets() {
        let stored: Vec<i32> = vec![0; 6];
        // Each set with text it can encode: the fast path takes ASCII values, dicom-rs the rest.
        for (charset, name) in [
            ("ISO_IR 100", "Müller^Jürgen"),
            ("ISO_IR 144", "Иванов^Пётр"),
            ("ISO_IR 192", "Müller^Иван"),
        ] {
            let mut tags = tags_with_extras();
            tags.patient_name = name.into();
            tags.extra_text
                .push((tags::SPECIFIC_CHARACTER_SET, VR::CS, charset.into()));
            let bytes = encode_slice(
                &stored,
                2,
                3,
                [0.0; 3],
                [1.0, 1.0],
                &SliceEncoding::ct_int16(),
                &tags,
            )
            .unwrap();
            check_agreement(&bytes, charset);
            let HeaderOutcome::Header(h) = parse_header(&bytes, true) else {
                panic!("{charset}: no header");
            };
            assert_eq!(h.patient_name, name, "{charset}");
            assert_eq!(h.institution, "General", "{charset}");
        }
    }

    #[test]
    fn sequences_go_to_the_full_reader() {
        let item = |inner: Option<InMemDicomObject>| {
            let mut item = InMemDicomObject::new_empty();
            item.put(DataElement::new(
                tags::REFERENCED_SOP_INSTANCE_UID,
                VR::UI,
                PrimitiveValue::from("2.25.77"),
            ));
            if let Some(inner) = inner {
                item.put(DataElement::new(
                    tags::SOURCE_IMAGE_SEQUENCE,
                    VR::SQ,
                    DataSetSequence::from(vec![inner]),
                ));
            }
            item
        };
        let nested = item(Some(item(None)));
        for ts in [
            uids::EXPLICIT_VR_LITTLE_ENDIAN,
            uids::IMPLICIT_VR_LITTLE_ENDIAN,
        ] {
            let mut obj = InMemDicomObject::new_empty();
            let mut put = |tag: Tag, vr: VR, value: PrimitiveValue| {
                obj.put(DataElement::new(tag, vr, value));
            };
            put(tags::SOP_CLASS_UID, VR::UI, uids::CT_IMAGE_STORAGE.into());
            put(tags::SOP_INSTANCE_UID, VR::UI, "2.25.5".into());
            put(tags::MODALITY, VR::CS, "CT".into());
            put(
                tags::SERIES_DESCRIPTION,
                VR::LO,
                "before the sequence".into(),
            );
            put(
                tags::MANUFACTURER_MODEL_NAME,
                VR::LO,
                "after the sequence".into(),
            );
            put(tags::ROWS, VR::US, PrimitiveValue::from(1u16));
            put(tags::COLUMNS, VR::US, PrimitiveValue::from(2u16));
            put(tags::BITS_ALLOCATED, VR::US, PrimitiveValue::from(8u16));
            put(tags::BITS_STORED, VR::US, PrimitiveValue::from(8u16));
            put(
                tags::PIXEL_REPRESENTATION,
                VR::US,
                PrimitiveValue::from(0u16),
            );
            put(
                tags::PHOTOMETRIC_INTERPRETATION,
                VR::CS,
                "MONOCHROME2".into(),
            );
            put(
                tags::PIXEL_DATA,
                VR::OB,
                PrimitiveValue::U8(vec![0, 255].into()),
            );
            obj.put(DataElement::new(
                tags::REFERENCED_IMAGE_SEQUENCE,
                VR::SQ,
                DataSetSequence::from(vec![nested.clone(), item(None)]),
            ));
            let file = obj
                .with_meta(
                    FileMetaTableBuilder::new()
                        .transfer_syntax(ts)
                        .media_storage_sop_class_uid(uids::CT_IMAGE_STORAGE)
                        .media_storage_sop_instance_uid("2.25.5"),
                )
                .unwrap();
            let mut bytes = Vec::new();
            file.write_all(&mut bytes).unwrap();
            assert!(read_lean(&bytes, &KEPT_TAGS).is_err(), "{ts}");
            check_outcomes(&bytes, ts);
            let HeaderOutcome::Header(h) = parse_header(&bytes, true) else {
                panic!("{ts}: no header");
            };
            assert_eq!(h.series_description, "before the sequence");
            assert_eq!(h.model, "after the sequence");
            assert_eq!((h.rows, h.columns), (1, 2));
        }
    }
    /// An explicit VR little endian element.
    fn element(group: u16, number: u16, vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(group.to_le_bytes());
        out.extend(number.to_le_bytes());
        out.extend(vr);
        if matches!(vr, b"OB" | b"OW" | b"SQ" | b"UN" | b"UT") {
            out.extend([0, 0]);
            out.extend((value.len() as u32).to_le_bytes());
        } else {
            out.extend((value.len() as u16).to_le_bytes());
        }
        out.extend(value);
        out
    }

    /// A file whose data set is SOP Class and Instance UIDs, then `raw`, then Rows, Columns and
    /// a two-pixel Pixel Data.
    fn file_with(raw: &[u8]) -> Vec<u8> {
        let mut obj = InMemDicomObject::new_empty();
        obj.put(DataElement::new(
            tags::SOP_CLASS_UID,
            VR::UI,
            PrimitiveValue::from(uids::CT_IMAGE_STORAGE),
        ));
        obj.put(DataElement::new(
            tags::SOP_INSTANCE_UID,
            VR::UI,
            PrimitiveValue::from("2.25.5"),
        ));
        let file = obj
            .with_meta(
                FileMetaTableBuilder::new()
                    .transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN)
                    .media_storage_sop_class_uid(uids::CT_IMAGE_STORAGE)
                    .media_storage_sop_instance_uid("2.25.5"),
            )
            .unwrap();
        let mut bytes = Vec::new();
        file.write_all(&mut bytes).unwrap();
        bytes.extend(raw);
        bytes.extend(element(0x0028, 0x0010, b"US", &1u16.to_le_bytes()));
        bytes.extend(element(0x0028, 0x0011, b"US", &2u16.to_le_bytes()));
        bytes.extend(element(0x7FE0, 0x0010, b"OW", &[0, 0, 0, 0]));
        bytes
    }

    #[test]
    fn agrees_on_files_that_trip_the_full_reader() {
        // A character set declared inside an item: dicom-rs applies it to later top-level text.
        let mut charset_in_item = element(0x0008, 0x1140, b"SQ", &[]);
        charset_in_item[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        charset_in_item.extend([0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]);
        charset_in_item.extend(element(0x0008, 0x0005, b"CS", b"ISO_IR 144"));
        charset_in_item.extend([0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0]);
        charset_in_item.extend([0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        charset_in_item.extend(element(0x0010, 0x0010, b"PN", &[0xC8, 0xE2]));
        let cases = [
            ("a character set inside an item", charset_in_item),
            (
                "a defined-length sequence holding no item",
                element(0x0008, 0x1140, b"SQ", b"ABCDEFGH"),
            ),
            (
                "an odd-length US value",
                element(0x0028, 0x0006, b"US", &[0, 0, 0]),
            ),
            (
                "a tag past Pixel Data's before the pixel module",
                element(0x7FE1, 0x0010, b"LO", b"AB"),
            ),
        ];
        for (what, raw) in cases {
            // Whole files only: cut inside a slipped parse, dicom-rs trusts garbage lengths and
            // fills buffers of up to 4 GiB before failing, which takes seconds per cut.
            let bytes = file_with(&raw);
            for complete in [false, true] {
                let (fast, full) = (
                    parse_header(&bytes, complete),
                    parse_header_full(&bytes, complete),
                );
                assert!(fast.same_as(&full), "{what}: {fast:?} against {full:?}");
            }
        }
        // A garbage length is answered here, never handed to dicom-rs (which would first fill
        // a buffer of that length): a corrupt whole file, or more bytes wanted of a prefix.
        let mut huge = element(0x0009, 0x1010, b"OB", &[1, 2, 3, 4]);
        huge[8..12].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        let bytes = file_with(&huge);
        assert_eq!(read_lean(&bytes, &KEPT_TAGS).err(), Some(Bail::PastEnd));
        assert!(matches!(
            parse_header(&bytes, true),
            HeaderOutcome::Corrupt(why) if why.contains("runs past the end of the file")
        ));
        assert!(matches!(
            parse_header(&bytes, false),
            HeaderOutcome::NeedMore
        ));
        // The control: the same file with nothing unusual takes the fast path.
        check_agreement(&file_with(&[]), "a plain file");
    }
}
