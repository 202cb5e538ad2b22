//! Reading the coded bits: most significant bit first, with JPEG-LS marker stuffing (after a
//! 0xFF byte the next byte carries 7 bits; a byte of 0x80 or more after 0xFF is a marker and
//! ends the data).

use crate::JpegLsError;

pub(crate) struct BitReader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Bits not consumed yet, left-aligned.
    cache: u64,
    count: u32,
    /// The previous byte was 0xFF.
    after_ff: bool,
    /// A marker was met: only zero bits remain.
    ended: bool,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            at: 0,
            cache: 0,
            count: 0,
            after_ff: false,
            ended: false,
        }
    }

    fn fill(&mut self) {
        while self.count <= 56 {
            if self.ended || self.at >= self.bytes.len() {
                // Past the data: zeros, so a truncated stream fails on its counts instead of
                // reading out of bounds; `overrun` tells.
                self.ended = true;
                self.count += 8;
                continue;
            }
            let b = self.bytes[self.at];
            if self.after_ff {
                if b >= 0x80 {
                    self.ended = true;
                    continue;
                }
                self.at += 1;
                self.cache |= u64::from(b) << (57 - self.count);
                self.count += 7;
                self.after_ff = false;
            } else {
                self.at += 1;
                self.cache |= u64::from(b) << (56 - self.count);
                self.count += 8;
                self.after_ff = b == 0xFF;
            }
        }
    }

    /// The next `n` bits (n ≤ 32) as a number.
    pub(crate) fn read(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        if self.count < n {
            self.fill();
        }
        let v = (self.cache >> (64 - n)) as u32;
        self.cache <<= n;
        self.count -= n;
        v
    }

    pub(crate) fn bit(&mut self) -> bool {
        self.read(1) == 1
    }

    /// Zero bits before the next 1 bit, which is consumed; errors past `limit` zeros.
    pub(crate) fn unary(&mut self, limit: u32) -> Result<u32, JpegLsError> {
        let mut zeros = 0;
        loop {
            if self.count == 0 {
                self.fill();
            }
            let lead = self.cache.leading_zeros().min(self.count);
            zeros += lead;
            // All 64 cached bits may be zeros: shifting them all out leaves 0.
            self.cache = self.cache.checked_shl(lead).unwrap_or(0);
            self.count -= lead;
            if zeros > limit {
                return Err(JpegLsError::Invalid("a code longer than LIMIT".into()));
            }
            if self.count > 0 {
                // The 1 bit.
                self.cache <<= 1;
                self.count -= 1;
                return Ok(zeros);
            }
            if self.ended && self.at >= self.bytes.len() && zeros > 64 {
                return Err(JpegLsError::Truncated("coded data"));
            }
        }
    }
}
