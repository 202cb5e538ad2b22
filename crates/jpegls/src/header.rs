//! The markers around the coded data: SOI, SOF55 (frame), LSE (preset parameters), SOS (scan),
//! and the segments that may be skipped (APPn, COM).

use crate::JpegLsError;

/// What the frame and scan headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub bits: u8,
    pub width: usize,
    pub height: usize,
    pub near: i32,
    /// Preset coding parameters (0 = default).
    pub maxval: i32,
    pub t1: i32,
    pub t2: i32,
    pub t3: i32,
    pub reset: i32,
    /// Offset of the first byte of coded data.
    pub data_start: usize,
}

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOF55: u8 = 0xF7;
const LSE: u8 = 0xF8;
const SOS: u8 = 0xDA;
const DRI: u8 = 0xDD;

/// Reads the markers up to the start of the scan data.
pub(crate) fn read_header(bytes: &[u8]) -> Result<Header, JpegLsError> {
    let u16_at = |at: usize| -> Result<usize, JpegLsError> {
        bytes
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            .ok_or(JpegLsError::Truncated("marker segment"))
    };
    if bytes.get(..2) != Some(&[0xFF, SOI]) {
        return Err(JpegLsError::Invalid("no SOI marker at the start".into()));
    }
    let mut h = Header {
        bits: 0,
        width: 0,
        height: 0,
        near: 0,
        maxval: 0,
        t1: 0,
        t2: 0,
        t3: 0,
        reset: 0,
        data_start: 0,
    };
    let mut at = 2;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Err(JpegLsError::Truncated("marker"));
        };
        at += 2;
        let len = u16_at(at)?;
        if len < 2 || at + len > bytes.len() {
            return Err(JpegLsError::Truncated("marker segment"));
        }
        let seg = &bytes[at + 2..at + len];
        match marker {
            SOF55 => {
                if seg.len() < 6 {
                    return Err(JpegLsError::Invalid("short frame header".into()));
                }
                h.bits = seg[0];
                h.height = usize::from(u16::from_be_bytes([seg[1], seg[2]]));
                h.width = usize::from(u16::from_be_bytes([seg[3], seg[4]]));
                let components = seg[5];
                if components != 1 {
                    return Err(JpegLsError::Unsupported(format!(
                        "{components} components (one is read)"
                    )));
                }
                if !(2..=16).contains(&h.bits) {
                    return Err(JpegLsError::Invalid(format!("{} bits per sample", h.bits)));
                }
                if h.width == 0 || h.height == 0 {
                    return Err(JpegLsError::Unsupported(format!(
                        "an image of {}×{} samples (the size must be in the frame header)",
                        h.width, h.height
                    )));
                }
            }
            LSE => {
                if seg.first() == Some(&1) && seg.len() >= 11 {
                    let v = |i: usize| i32::from(u16::from_be_bytes([seg[i], seg[i + 1]]));
                    h.maxval = v(1);
                    h.t1 = v(3);
                    h.t2 = v(5);
                    h.t3 = v(7);
                    h.reset = v(9);
                } else {
                    return Err(JpegLsError::Unsupported(
                        "LSE segments other than preset coding parameters (mapping tables)".into(),
                    ));
                }
            }
            DRI if len >= 4 && u16_at(at + 2)? != 0 => {
                return Err(JpegLsError::Unsupported("restart intervals".into()));
            }
            SOS => {
                if h.bits == 0 {
                    return Err(JpegLsError::Invalid("scan before the frame header".into()));
                }
                if seg.len() < 6 || seg[0] != 1 {
                    return Err(JpegLsError::Unsupported(
                        "a scan of several components".into(),
                    ));
                }
                h.near = i32::from(seg[3]);
                let interleave = seg[4];
                let point_transform = seg[5] & 0x0F;
                if interleave != 0 {
                    return Err(JpegLsError::Unsupported(format!(
                        "interleave mode {interleave}"
                    )));
                }
                if point_transform != 0 {
                    return Err(JpegLsError::Unsupported("a point transform".into()));
                }
                h.data_start = at + len;
                return Ok(h);
            }
            EOI => return Err(JpegLsError::Truncated("no scan before EOI")),
            // APPn, COM and anything else with a length: skipped.
            _ => {}
        }
        at += len;
    }
}
