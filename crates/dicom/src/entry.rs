//! Reading one entry's header for a scan: a 4 KiB prefix, then 64 KiB, 1 MiB, 16 MiB, then the
//! whole entry, so scanning never inflates pixel data it does not need. Segmentations and RT
//! structure sets are read whole: what they hold is what the scan places.

use tumorscope_ingest::Entry;

use crate::functional_groups::FrameGroups;
use crate::header::{parse_header, HeaderOutcome, HEADER_PREFIX_BYTES, LONG_HEADER_PREFIX_BYTES};
use crate::rtstruct::{
    is_rtstruct, meta_sop_class, parse_rtstruct, parse_rtstruct_with_header, RtStruct,
};
use crate::seg::{is_segmentation, parse_seg, SegHeader};
use crate::InstanceHeader;

/// What reading one entry's header gave. Serializable, so a scan can remember it for a file
/// that has not changed (`tumorscope-sources`' scan memo).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum EntryHeader {
    /// A DICOM header.
    Header(Box<InstanceHeader>),
    /// A DICOM Segmentation: its header and where its frames lie.
    Segmentation(Box<InstanceHeader>, Box<SegHeader>),
    /// An RT Structure Set: its header and its ROIs with their contours.
    RtStruct(Box<InstanceHeader>, Box<RtStruct>),
    /// A multi-frame image whose functional groups place every frame (Enhanced and Legacy
    /// Converted Enhanced CT/MR): its header and each frame's groups, in frame order.
    MultiFrame(Box<InstanceHeader>, Vec<FrameGroups>),
    /// Not DICOM (counted as ignored).
    NotDicom,
    /// DICOM, or meant to be, but unreadable: the reason.
    Bad(String),
}

/// Reads the header of `entry`, as little of it as the header needs. A file whose Pixel Data
/// runs past its end is refused here, with the loader's reason, so scan and load agree.
pub fn read_entry_header(entry: Entry<'_>) -> EntryHeader {
    // What dicom-rs logs while it reads this file names the file (the span's field).
    let _file = tracing::warn_span!("file", origin = %entry.origin).entered();
    let size = entry.size;
    match read_header(entry) {
        EntryHeader::Header(h) | EntryHeader::MultiFrame(h, _)
            if h.pixel_data_end
                .zip(size)
                .is_some_and(|(end, size)| end > size) =>
        {
            EntryHeader::Bad(format!("cannot read pixels: {}", crate::header::TRUNCATED))
        }
        other => other,
    }
}

fn read_header(mut entry: Entry<'_>) -> EntryHeader {
    // Larger prefixes for headers that need them (the functional groups of a multi-frame
    // file run to hundreds of KB): its pixels are never read by the scan.
    for size in [
        HEADER_PREFIX_BYTES,
        LONG_HEADER_PREFIX_BYTES,
        1 << 20,
        16 << 20,
    ] {
        let prefix = match entry.read_prefix(size) {
            Ok(p) => p,
            Err(e) => return EntryHeader::Bad(format!("read error: {e}")),
        };
        let complete = prefix.len() < size;
        // An RT structure set has no Pixel Data to stop at: the header reader would read the
        // whole file at every prefix, then the structure set reader once more. One parse.
        if size == HEADER_PREFIX_BYTES
            && meta_sop_class(prefix).is_some_and(|uid| is_rtstruct(&uid))
        {
            return match entry.read_all() {
                Ok(all) => match parse_rtstruct_with_header(&all) {
                    Ok((h, rt)) if is_rtstruct(&h.sop_class_uid) => {
                        EntryHeader::RtStruct(Box::new(h), Box::new(rt))
                    }
                    // The data set says it is something else: read it as that.
                    Ok(_) => whole_file(&all),
                    Err(reason) => {
                        EntryHeader::Bad(format!("cannot read the RT structure set: {reason}"))
                    }
                },
                Err(e) => EntryHeader::Bad(format!("read error: {e}")),
            };
        }
        match parse_header(prefix, complete) {
            HeaderOutcome::NeedMore if !complete => continue,
            HeaderOutcome::Header(h) if is_segmentation(&h.sop_class_uid) => {
                return match entry.read_all() {
                    Ok(all) => segmentation(h, &all),
                    Err(e) => EntryHeader::Bad(format!("read error: {e}")),
                }
            }
            HeaderOutcome::Header(h) if is_rtstruct(&h.sop_class_uid) => {
                return match entry.read_all() {
                    Ok(all) => structure_set(h, &all),
                    Err(e) => EntryHeader::Bad(format!("read error: {e}")),
                }
            }
            HeaderOutcome::Header(h) if is_multi_frame_image(&h) => return multi_frame(h, prefix),
            outcome => return classify(outcome),
        }
    }
    match entry.read_all() {
        Ok(all) => whole_file(&all),
        Err(e) => EntryHeader::Bad(format!("read error: {e}")),
    }
}

/// The header of a whole file, whatever it holds.
fn whole_file(all: &[u8]) -> EntryHeader {
    match parse_header(all, true) {
        HeaderOutcome::Header(h) if is_segmentation(&h.sop_class_uid) => segmentation(h, all),
        HeaderOutcome::Header(h) if is_rtstruct(&h.sop_class_uid) => structure_set(h, all),
        HeaderOutcome::Header(h) if is_multi_frame_image(&h) => multi_frame(h, all),
        outcome => classify(outcome),
    }
}

fn classify(outcome: HeaderOutcome) -> EntryHeader {
    match outcome {
        HeaderOutcome::Header(h) => EntryHeader::Header(h),
        HeaderOutcome::NotDicom => EntryHeader::NotDicom,
        HeaderOutcome::Corrupt(why) => {
            EntryHeader::Bad(format!("not a readable DICOM file: {why}"))
        }
        HeaderOutcome::NeedMore => EntryHeader::Bad("truncated DICOM header".to_owned()),
    }
}

/// An image of several frames (not a segmentation, not a non-image object).
fn is_multi_frame_image(h: &InstanceHeader) -> bool {
    h.frames > 1 && !is_segmentation(&h.sop_class_uid) && crate::non_image_kind(h).is_none()
}

/// A multi-frame image whose functional groups place every frame is read frame by frame;
/// without them it stays one instance (listed, not loaded as a volume).
fn multi_frame(header: Box<InstanceHeader>, bytes: &[u8]) -> EntryHeader {
    match crate::functional_groups::parse_frame_groups(bytes) {
        Ok(frames)
            if frames.len() == header.frames as usize
                && frames.iter().all(|f| f.position_mm.is_some()) =>
        {
            EntryHeader::MultiFrame(header, frames)
        }
        Ok(_) => EntryHeader::Header(header),
        Err(reason) => EntryHeader::Bad(format!("cannot read the multi-frame image: {reason}")),
    }
}

/// A SEG's functional groups (where each frame lies) are read whole at scan time: a SEG is one
/// file, and its frames are placed on the CT before anything is loaded.
fn segmentation(header: Box<InstanceHeader>, bytes: &[u8]) -> EntryHeader {
    match parse_seg(bytes) {
        Ok(seg) => EntryHeader::Segmentation(header, Box::new(seg)),
        Err(reason) => EntryHeader::Bad(format!("cannot read the segmentation: {reason}")),
    }
}

/// An RT Structure Set is read whole at scan time: its ROIs become structures of the series
/// they were drawn on, and its contours are checked against that series' grid.
fn structure_set(header: Box<InstanceHeader>, bytes: &[u8]) -> EntryHeader {
    match parse_rtstruct(bytes) {
        Ok(rt) => EntryHeader::RtStruct(header, Box::new(rt)),
        Err(reason) => EntryHeader::Bad(format!("cannot read the RT structure set: {reason}")),
    }
}
