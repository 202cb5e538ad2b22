//! Every declared length checked against the bytes there are, before dicom-rs reads a file:
//! dicom-rs first allocates what a length declares, so one garbage length (4 GiB) in a 500 KB
//! file would cost gigabytes and seconds before the file is refused. The walk reads element
//! headers only (tag, VR, length), descends into sequences, items and encapsulated fragments,
//! and skips values by their length.

/// What the walk found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Every length fits (up to Pixel Data when asked to stop there).
    Fits,
    /// A length runs past the end of the bytes (cut prefix, truncated or corrupt file).
    PastEnd,
    /// Not walkable here (deflated data set, unknown syntax, odd VR bytes): the reader decides.
    Unknown,
}

use dicom_core::VR;

const PIXEL_DATA: (u16, u16) = (0x7FE0, 0x0010);
const UNDEFINED: u32 = u32::MAX;

/// Walks the data set of a Part-10 file (`DICM` at 128 or 0) after its File Meta group.
pub(crate) fn check_part10(input: &[u8], stop_at_pixel_data: bool) -> Fit {
    let start = if input.get(128..132) == Some(b"DICM") {
        132
    } else if input.get(..4) == Some(b"DICM") {
        4
    } else {
        return Fit::Unknown;
    };
    // The File Meta group: explicit VR little endian, transfer syntax inside. With a group
    // length (0002,0000) first, dicom-rs reads elements of any group for as long as that length
    // lasts and starts the data set right after it: so does this walk (a mutated group number
    // inside the meta group once made the two disagree, and dicom-rs allocated 3.7 GB for a
    // garbage length the walk never reached). Without one, the group ends at the first
    // element of another group.
    let (mut at, group_end) = match meta_group_length(input, start) {
        Some((first, length)) => (first, Some(first as u64 + u64::from(length))),
        None => (start, None),
    };
    let mut syntax = String::new();
    loop {
        match group_end {
            Some(end) if at as u64 >= end => break,
            Some(_) => {}
            None => {
                if input.get(at..at + 2).is_some_and(|g| g != [0x02, 0x00]) {
                    break;
                }
            }
        }
        let Some(head) = input.get(at..at + 8) else {
            return Fit::PastEnd;
        };
        let Some((value_at, len)) = meta_element_length(input, at) else {
            return Fit::PastEnd;
        };
        if len == UNDEFINED {
            // dicom-rs refuses an undefined length in the meta group.
            return Fit::PastEnd;
        }
        let Some(value) = input.get(value_at..value_at + len as usize) else {
            return Fit::PastEnd;
        };
        if head[..4] == [0x02, 0x00, 0x10, 0x00] {
            // As dicom-rs reads it: padding of any whitespace (a fuzzed `\n` made the walk
            // take a big-endian data set for little endian).
            syntax = String::from_utf8_lossy(value)
                .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                .to_owned();
        }
        at = value_at + len as usize;
    }
    // The last meta element may end past the declared group length; dicom-rs goes on from
    // where it ended.
    let (explicit, little) = match syntax.as_str() {
        "1.2.840.10008.1.2" => (false, true),
        "1.2.840.10008.1.2.2" => (true, false),
        // Deflated data sets are not walkable without inflating them.
        "1.2.840.10008.1.2.1.99" => return Fit::Unknown,
        "" => return Fit::Unknown,
        // Every other syntax stores the data set as explicit VR little endian.
        _ => (true, true),
    };
    check_data_set(&input[at..], explicit, little, stop_at_pixel_data)
}

/// The File Meta group length as dicom-rs reads it: a first element tagged (0002,0000) of any
/// VR whose length is 4 (a fuzzed `FL` in place of `UL` is read all the same). Returns where
/// the next element starts and the group length.
pub(crate) fn meta_group_length(input: &[u8], start: usize) -> Option<(usize, u32)> {
    if input.get(start..start + 4)? != [0x02, 0x00, 0x00, 0x00] {
        return None;
    }
    let (value_at, len) = explicit_length(input, start, true)?;
    if len != 4 {
        return None;
    }
    let b = input.get(value_at..value_at + 4)?;
    Some((value_at + 4, u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// The value offset and length of a File Meta element at `at` as dicom-rs reads it: explicit
/// VR little endian, except tags of group FFFE, which have no VR (tag, then a 4-byte length)
/// wherever they are (a fuzzed (FFFE,0012) in the meta group made the two readers disagree).
pub(crate) fn meta_element_length(input: &[u8], at: usize) -> Option<(usize, u32)> {
    if input.get(at..at + 2)? == [0xFE, 0xFF] {
        let b = input.get(at + 4..at + 8)?;
        return Some((at + 8, u32::from_le_bytes([b[0], b[1], b[2], b[3]])));
    }
    explicit_length(input, at, true)
}

/// Walks a data set encoded `explicit`/`little` from its first element.
pub(crate) fn check_data_set(
    data: &[u8],
    explicit: bool,
    little: bool,
    stop_at_pixel_data: bool,
) -> Fit {
    let u16_at = |at: usize| -> Option<u16> {
        let b = data.get(at..at + 2)?;
        Some(if little {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b = data.get(at..at + 4)?;
        Some(if little {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        } else {
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        })
    };
    let mut at = 0usize;
    let mut in_fragments = false;
    // Open sequences and items: the end offset of a defined-length one, `None` for one that a
    // delimiter closes. Pixel Data stops the walk at the top level only, as it stops dicom-rs's
    // `read_until`: an element of a higher tag inside an item is read (and so checked) too.
    let mut open: Vec<Option<usize>> = Vec::new();
    while at < data.len() {
        while matches!(open.last(), Some(Some(end)) if *end <= at) {
            open.pop();
        }
        let (Some(group), Some(element)) = (u16_at(at), u16_at(at + 2)) else {
            return Fit::PastEnd;
        };
        if group == 0xFFFE {
            // Item and delimiters: tag and a 4-byte length, no VR, in any syntax.
            let Some(len) = u32_at(at + 4) else {
                return Fit::PastEnd;
            };
            at += 8;
            match element {
                0xE000 if len != UNDEFINED => {
                    if at as u64 + u64::from(len) > data.len() as u64 {
                        return Fit::PastEnd;
                    }
                    // A fragment holds bytes; a sequence item holds elements to walk into.
                    if in_fragments {
                        at += len as usize;
                    } else {
                        open.push(Some(at + len as usize));
                    }
                }
                0xE000 => open.push(None),
                // Item and sequence delimiters close what is open up to the undefined one.
                0xE0DD if in_fragments => in_fragments = false,
                0xE00D | 0xE0DD => {
                    while let Some(Some(_)) = open.last() {
                        open.pop();
                    }
                    open.pop();
                }
                // Any other (FFFE,xxxx) is read by dicom-rs as an element with a value of that
                // length (found by the mutation test: 540 MB allocated for a 1.4 KB file);
                // in implicit VR with its dictionary VR, so (FFFE,0000) is a group length (UL)
                // and a partial number leaves bytes unread as below (found by the scan_header
                // fuzz target: 4 GB for a 94-byte raw data set).
                _ => {
                    let unit = if explicit {
                        1
                    } else {
                        implicit_value_unit(group, element)
                    };
                    if len != UNDEFINED && !(len as usize).is_multiple_of(unit) {
                        return Fit::PastEnd;
                    }
                    if at as u64 + u64::from(len) > data.len() as u64 {
                        return Fit::PastEnd;
                    }
                    at += len as usize;
                }
            }
            continue;
        }
        if stop_at_pixel_data && open.is_empty() && (group, element) >= PIXEL_DATA {
            return Fit::Fits;
        }
        let (value_at, len, is_sequence, unit) = if explicit {
            let Some(vr) = data.get(at + 4..at + 6) else {
                return Fit::PastEnd;
            };
            let long = has_long_length(vr);
            let len = if long {
                u32_at(at + 8)
            } else {
                u16_at(at + 6).map(u32::from)
            };
            let Some(len) = len else {
                return Fit::PastEnd;
            };
            let unit = VR::from_binary([vr[0], vr[1]]).map_or(1, value_unit);
            (at + if long { 12 } else { 8 }, len, vr == b"SQ", unit)
        } else {
            let Some(len) = u32_at(at + 4) else {
                return Fit::PastEnd;
            };
            (at + 8, len, false, implicit_value_unit(group, element))
        };
        // dicom-rs reads a binary value as whole numbers and does not skip what is left over:
        // a 1-byte UL put the next element one byte early, where a garbage length made it
        // allocate 4 GB (found by the scan_header fuzz target). Such a file is refused.
        if len != UNDEFINED && !(len as usize).is_multiple_of(unit) {
            return Fit::PastEnd;
        }
        at = value_at;
        if len == UNDEFINED {
            // A sequence or encapsulated Pixel Data: its items follow.
            in_fragments = (group, element) == PIXEL_DATA && open.is_empty();
            if !in_fragments {
                open.push(None);
            }
            continue;
        }
        if value_at as u64 + u64::from(len) > data.len() as u64 {
            return Fit::PastEnd;
        }
        if is_sequence {
            open.push(Some(value_at + len as usize));
        } else {
            at += len as usize;
        }
    }
    Fit::Fits
}

/// Bytes per number of a binary VR (1 for text and bytes).
fn value_unit(vr: VR) -> usize {
    match vr {
        VR::US | VR::SS | VR::OW => 2,
        VR::UL | VR::SL | VR::FL | VR::AT | VR::OF | VR::OL => 4,
        VR::FD | VR::SV | VR::UV | VR::OD | VR::OV => 8,
        _ => 1,
    }
}

/// [`value_unit`] of an implicit-VR element: group lengths are UL, the rest as the standard
/// dictionary has them (private and unknown tags are bytes).
fn implicit_value_unit(group: u16, element: u16) -> usize {
    use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
    if element == 0 {
        return 4;
    }
    use dicom_core::dictionary::VirtualVr;
    match dicom_dictionary_std::StandardDataDictionary
        .by_tag(dicom_core::Tag(group, element))
        .map(|entry| entry.vr())
    {
        Some(VirtualVr::Exact(vr)) => value_unit(vr),
        // US or SS; OB or OW and Pixel Data, which implicit VR reads as OW (an odd length of
        // Pixel Data was another 4 GB read, found by the scan_header fuzz target); lookup data.
        Some(VirtualVr::Xs | VirtualVr::Ox | VirtualVr::Px | VirtualVr::Lt) => 2,
        _ => 1,
    }
}

/// Whether an explicit-VR element with these VR bytes has the long header form (2 reserved
/// bytes, then a 4-byte length): every VR but the 21 with a 2-byte length, and bytes that are
/// no VR at all, which dicom-rs reads as UN.
pub(crate) fn has_long_length(vr: &[u8]) -> bool {
    const SHORT: [&[u8; 2]; 21] = [
        b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FD", b"FL", b"IS", b"LO", b"LT", b"PN",
        b"SH", b"SL", b"SS", b"ST", b"TM", b"UI", b"UL", b"US",
    ];
    !SHORT.iter().any(|short| short.as_slice() == vr)
}

/// The value offset and length of the explicit-VR element at `at`.
fn explicit_length(input: &[u8], at: usize, little: bool) -> Option<(usize, u32)> {
    let vr = input.get(at + 4..at + 6)?;
    let long = has_long_length(vr);
    if long {
        let b = input.get(at + 8..at + 12)?;
        let len = if little {
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        } else {
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        };
        Some((at + 12, len))
    } else {
        let b = input.get(at + 6..at + 8)?;
        let len = if little {
            u16::from_le_bytes([b[0], b[1]])
        } else {
            u16::from_be_bytes([b[0], b[1]])
        };
        Some((at + 8, u32::from(len)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tumorscope_phantom::{encode_slice, SliceEncoding, SliceTags, NATIVE_TRANSFER_SYNTAXES};

    fn slice(syntax: &'static str) -> Vec<u8> {
        let enc = SliceEncoding {
            transfer_syntax: syntax,
            ..SliceEncoding::ct_int16()
        };
        encode_slice(
            &[0; 16],
            4,
            4,
            [0.0; 3],
            [1.0, 1.0],
            &enc,
            &SliceTags::default(),
        )
        .unwrap()
    }

    #[test]
    fn whole_files_fit_and_cuts_run_past_the_end() {
        for syntax in NATIVE_TRANSFER_SYNTAXES {
            let bytes = slice(syntax);
            if syntax == "1.2.840.10008.1.2.1.99" {
                // Deflated data sets are left to the reader.
                assert_eq!(check_part10(&bytes, false), Fit::Unknown);
                continue;
            }
            assert_eq!(check_part10(&bytes, false), Fit::Fits, "{syntax}");
            // Cut inside the pixel data: the whole walk runs past the end, the header does not.
            let cut = &bytes[..bytes.len() - 3];
            assert_eq!(check_part10(cut, false), Fit::PastEnd, "{syntax}");
            assert_eq!(check_part10(cut, true), Fit::Fits, "{syntax}");
        }
    }

    /// Found by the `load_series` fuzz target: dicom-rs reads meta elements of any group for
    /// as long as the group length lasts, and allocated 2.4 GB for this 1 296-byte file's shape.
    #[test]
    fn meta_elements_of_any_group_within_the_group_length_are_checked() {
        let mut bytes = vec![0u8; 128];
        bytes.extend_from_slice(b"DICM");
        bytes.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0]);
        bytes.extend_from_slice(&256_u32.to_le_bytes());
        // (FD02,0000) OB, reserved, length 0x9000_0000, inside the declared group length.
        bytes.extend_from_slice(&[0x02, 0xFD, 0x00, 0x00, b'O', b'B', 0, 0]);
        bytes.extend_from_slice(&0x9000_0000_u32.to_le_bytes());
        bytes.extend_from_slice(&[0u8; 1000]);
        let outcome = crate::header::parse_header(&bytes, true);
        assert!(
            matches!(&outcome, crate::header::HeaderOutcome::Corrupt(why) if why.contains("File Meta element")),
            "{outcome:?}"
        );
        assert!(matches!(
            crate::header::parse_header(&bytes[..600], false),
            crate::header::HeaderOutcome::NeedMore
        ));
    }

    /// Found by the mutation test: an element of another group inside the File Meta group
    /// length ended the walk's meta group early, before the transfer syntax, so the data set
    /// was "not walkable" and dicom-rs allocated a later element's 3.7 GB garbage length.
    #[test]
    fn the_meta_group_ends_where_its_group_length_says() {
        let syntax = b"1.2.840.10008.1.2.1\0";
        let mut meta = Vec::new();
        // (4002,0001) OB: a mutated (0002,0001).
        meta.extend_from_slice(&[0x02, 0x40, 0x01, 0x00, b'O', b'B', 0, 0, 2, 0, 0, 0, 0, 1]);
        meta.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', syntax.len() as u8, 0]);
        meta.extend_from_slice(syntax);
        let mut bytes = vec![0u8; 128];
        bytes.extend_from_slice(b"DICM");
        bytes.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0]);
        bytes.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&meta);
        let whole = bytes.len();
        // (0009,0010) OB declaring 0xE000_0000 bytes in a 1 KB file.
        bytes.extend_from_slice(&[0x09, 0x00, 0x10, 0x00, b'O', b'B', 0, 0]);
        bytes.extend_from_slice(&0xE000_0000_u32.to_le_bytes());
        bytes.extend_from_slice(&[0u8; 1000]);
        assert_eq!(check_part10(&bytes, false), Fit::PastEnd);
        assert_eq!(check_part10(&bytes[..whole], false), Fit::Fits);
    }

    /// Found by the scan_header fuzz target: the group length element with VR `FL`, which
    /// dicom-rs reads as the group length all the same.
    #[test]
    fn a_group_length_of_any_vr_bounds_the_meta_group() {
        let syntax = b"1.2.840.10008.1.2.1\0";
        let mut meta = Vec::new();
        meta.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', syntax.len() as u8, 0]);
        meta.extend_from_slice(syntax);
        // An element of another group inside the group length.
        meta.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, b'U', b'S', 2, 0, 1, 0]);
        let mut bytes = vec![0u8; 128];
        bytes.extend_from_slice(b"DICM");
        bytes.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'F', b'L', 4, 0]);
        bytes.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&meta);
        bytes.extend_from_slice(&[0x09, 0x00, 0x10, 0x00, b'O', b'B', 0, 0]);
        bytes.extend_from_slice(&0xE000_0000_u32.to_le_bytes());
        bytes.extend_from_slice(&[0u8; 300]);
        assert_eq!(check_part10(&bytes, false), Fit::PastEnd);
        assert!(matches!(
            crate::header::parse_header(&bytes, true),
            crate::header::HeaderOutcome::Corrupt(_)
        ));
    }

    /// Found by the scan_header fuzz target: a (FFFE,xxxx) tag in the File Meta group, which
    /// dicom-rs reads without a VR (tag, 4-byte length) there too.
    #[test]
    fn fffe_tags_in_the_meta_group_have_no_vr() {
        let syntax = b"1.2.840.10008.1.2.1\0";
        let mut meta = Vec::new();
        meta.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', syntax.len() as u8, 0]);
        meta.extend_from_slice(syntax);
        // (FFFE,0012), 4-byte length 4: read with a VR, "\x04\0" would be a long VR.
        meta.extend_from_slice(&[0xFE, 0xFF, 0x12, 0x00, 4, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(meta_element_length(&meta, 28), Some((36, 4)));
        let mut bytes = vec![0u8; 128];
        bytes.extend_from_slice(b"DICM");
        bytes.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0]);
        bytes.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&meta);
        let whole = bytes.len();
        bytes.extend_from_slice(&[0x09, 0x00, 0x10, 0x00, b'O', b'B', 0, 0]);
        bytes.extend_from_slice(&0xE000_0000_u32.to_le_bytes());
        bytes.extend_from_slice(&[0u8; 300]);
        assert_eq!(check_part10(&bytes[..whole], false), Fit::Fits);
        assert_eq!(check_part10(&bytes, false), Fit::PastEnd);
    }

    /// Found by the scan_header fuzz target: a transfer syntax UID padded with a newline, which
    /// dicom-rs reads as big endian and the walk took for "another syntax" (little endian).
    #[test]
    fn a_transfer_syntax_padded_with_whitespace_is_the_syntax() {
        let syntax = b"1.2.840.10008.1.2.2\n";
        let mut meta = Vec::new();
        meta.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', syntax.len() as u8, 0]);
        meta.extend_from_slice(syntax);
        let mut bytes = vec![0u8; 128];
        bytes.extend_from_slice(b"DICM");
        bytes.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 4, 0]);
        bytes.extend_from_slice(&(meta.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&meta);
        // Big endian (0009,0010) OB of 0xE000_0000 bytes; read as little endian it would be
        // tag (0900,1000) with a small length.
        bytes.extend_from_slice(&[0x00, 0x09, 0x00, 0x10, b'O', b'B', 0, 0]);
        bytes.extend_from_slice(&0xE000_0000_u32.to_be_bytes());
        bytes.extend_from_slice(&[0u8; 300]);
        assert_eq!(check_part10(&bytes, false), Fit::PastEnd);
    }

    /// Found by the scan_header fuzz target: a 1-byte group length (UL) in a raw data set;
    /// dicom-rs read no whole number from it, stayed one byte early, and took the next bytes
    /// for a 4 GB length.
    #[test]
    fn binary_values_of_a_partial_number_are_refused() {
        let implicit = |g: u16, e: u16, len: u32| {
            let mut out = Vec::new();
            out.extend_from_slice(&g.to_le_bytes());
            out.extend_from_slice(&e.to_le_bytes());
            out.extend_from_slice(&len.to_le_bytes());
            out
        };
        let mut data = implicit(0x0008, 0x0014, 0);
        data.extend(implicit(0x0000, 0x0000, 1));
        data.push(0);
        data.extend(implicit(0x0008, 0x1115, UNDEFINED));
        assert_eq!(check_data_set(&data, false, true, false), Fit::PastEnd);
        // Rows (US) of 3 bytes in explicit VR; of 2 bytes it fits.
        let mut data = vec![0x28, 0x00, 0x10, 0x00, b'U', b'S', 3, 0, 1, 2, 3];
        assert_eq!(check_data_set(&data, true, true, false), Fit::PastEnd);
        data[6] = 2;
        data.pop();
        assert_eq!(check_data_set(&data, true, true, false), Fit::Fits);
        // Implicit Rows of 2 bytes, and an unknown private element of any length.
        let mut data = implicit(0x0028, 0x0010, 2);
        data.extend_from_slice(&[1, 2]);
        data.extend(implicit(0x0009, 0x1001, 3));
        data.extend_from_slice(&[1, 2, 3]);
        assert_eq!(check_data_set(&data, false, true, false), Fit::Fits);
    }

    /// Found by the mutation test: a tag of group FFFE that is neither an item nor a
    /// delimiter, read by dicom-rs as an element of the declared length.
    #[test]
    fn other_fffe_tags_are_elements_with_a_length() {
        let mut data = Vec::new();
        data.extend_from_slice(&[0x08, 0x00, 0x60, 0x00, b'C', b'S', 2, 0, b'R', b'T']);
        data.extend_from_slice(&[0xFE, 0xFF, 0x49, 0x53]);
        data.extend_from_slice(&0x2030_2020_u32.to_le_bytes());
        data.extend_from_slice(&[0u8; 600]);
        assert_eq!(check_data_set(&data, true, true, false), Fit::PastEnd);
        // The same with a length that fits is skipped whole.
        data[14..18].copy_from_slice(&600_u32.to_le_bytes());
        assert_eq!(check_data_set(&data, true, true, false), Fit::Fits);
    }

    /// Found by the scan_header fuzz target: (FFFE,0000) in a raw (implicit VR) data set is
    /// read by dicom-rs as a group length (UL): 38 bytes gave 9 numbers, left 2 bytes unread,
    /// and the next "element" declared 4 GB. The 94-byte input allocated 4.2 GB.
    #[test]
    fn an_implicit_fffe_group_length_of_a_partial_number_is_refused() {
        let bytes: [u8; 94] = [
            8, 0, 0, 0, 0, 0, 0, 0, 35, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 254, 255, 0, 0, 38, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0, 255, 255, 255, 167, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 71, 0, 0, 0, 49, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 8, 16, 0,
            0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        ];
        assert_eq!(check_data_set(&bytes, false, true, false), Fit::PastEnd);
        assert!(matches!(
            crate::header::parse_header(&bytes, true),
            crate::header::HeaderOutcome::NotDicom
        ));
        // In explicit VR the same tag has no VR (UN): any length is bytes.
        let mut data = vec![0x08, 0x00, 0x60, 0x00, b'C', b'S', 2, 0, b'R', b'T'];
        data.extend_from_slice(&[0xFE, 0xFF, 0x00, 0x00, 3, 0, 0, 0, 1, 2, 3]);
        assert_eq!(check_data_set(&data, true, true, false), Fit::Fits);
    }

    /// Found by the `load_series` fuzz target: a raw data set (no File Meta) whose element
    /// past Pixel Data's tag declares 4 GB; the raw reader does not stop at Pixel Data.
    #[test]
    fn raw_data_sets_are_walked_to_their_end() {
        let mut bytes = vec![8u8, 0, 0, 0, 0, 0, 0, 0];
        bytes.extend_from_slice(&[0xFB, 0xFF, 0xFF, 0xD1, 0xA0, 0xFF, 0xFF, 0xFF]);
        bytes.extend_from_slice(&[0u8; 500]);
        assert_eq!(check_data_set(&bytes, false, true, false), Fit::PastEnd);
        assert!(matches!(
            crate::header::parse_header(&bytes, true),
            crate::header::HeaderOutcome::NotDicom
        ));
    }

    #[test]
    fn a_huge_length_in_the_data_set_is_refused() {
        let mut bytes = slice("1.2.840.10008.1.2.1");
        // Patient Name (0010,0010) PN: make its 2-byte length 0xFFF0.
        let at = bytes
            .windows(6)
            .position(|w| w == [0x10, 0x00, 0x10, 0x00, b'P', b'N'])
            .unwrap();
        bytes[at + 6..at + 8].copy_from_slice(&0xFFF0_u16.to_le_bytes());
        assert_eq!(check_part10(&bytes, true), Fit::PastEnd);
    }

    #[test]
    fn pixel_data_stops_the_walk_at_the_top_level_only() {
        // (0008,1115) SQ undefined → item undefined → (FF08,FFFF) UN of a garbage length: inside
        // an item dicom-rs reads it even with `read_until(PixelData)`, so it must be checked.
        let mut nested = Vec::new();
        nested.extend_from_slice(&[0x08, 0x00, 0x15, 0x11, b'S', b'Q', 0, 0]);
        nested.extend_from_slice(&u32::MAX.to_le_bytes());
        nested.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0]);
        nested.extend_from_slice(&u32::MAX.to_le_bytes());
        nested.extend_from_slice(&[0x08, 0xFF, 0xFF, 0xFF, b'U', b'N', 0, 0]);
        nested.extend_from_slice(&0xFFFF_FFE0_u32.to_le_bytes());
        nested.extend_from_slice(&[0u8; 64]);
        assert_eq!(check_data_set(&nested, true, true, true), Fit::PastEnd);
        // The same element at the top level ends the walk before its value.
        let top = nested[16..].to_vec();
        assert_eq!(check_data_set(&top, true, true, true), Fit::Fits);
        // After the sequence closes, a top-level tag past Pixel Data stops it again.
        let mut closed = Vec::new();
        closed.extend_from_slice(&[0x08, 0x00, 0x15, 0x11, b'S', b'Q', 0, 0]);
        closed.extend_from_slice(&u32::MAX.to_le_bytes());
        closed.extend_from_slice(&[0xFE, 0xFF, 0x00, 0xE0, 10, 0, 0, 0]);
        closed.extend_from_slice(&[0x20, 0x00, 0x0E, 0x00, b'U', b'I', 2, 0, b'1', 0]);
        closed.extend_from_slice(&[0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]);
        closed.extend_from_slice(&[0x08, 0xFF, 0xFF, 0xFF, b'U', b'N', 0, 0]);
        closed.extend_from_slice(&0xFFFF_FFE0_u32.to_le_bytes());
        assert_eq!(check_data_set(&closed, true, true, true), Fit::Fits);
    }
}
