//! The decoding process of T.87 (Annex A): context modelling and prediction, regular mode with
//! adaptive Golomb codes and bias correction, run mode with run interruption samples.

use crate::bits::BitReader;
use crate::header::{read_header, Header};
use crate::{Image, JpegLsError};

/// Run lengths of the run mode, by run index (T.87 A.7.1.2).
const J: [u32; 32] = [
    0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13,
    14, 15,
];

/// Largest image decoded: 2^28 samples (a 16384² slice), far above any CT.
const MAX_SAMPLES: usize = 1 << 28;

/// Decodes a JPEG-LS stream of one component.
pub fn decode(bytes: &[u8]) -> Result<Image, JpegLsError> {
    let h = read_header(bytes)?;
    if h.width.saturating_mul(h.height) > MAX_SAMPLES {
        return Err(JpegLsError::Unsupported(format!(
            "an image of {}×{} samples",
            h.width, h.height
        )));
    }
    let mut state = State::new(&h)?;
    let mut reader = BitReader::new(&bytes[h.data_start..]);
    let width = h.width;
    // Two line buffers with one sample of padding on each side (index 0 and width + 1).
    let mut prev = vec![0i32; width + 2];
    let mut cur = vec![0i32; width + 2];
    // Reserve for what a CT slice needs; a header may claim far more than the stream holds.
    let mut samples = Vec::with_capacity((width * h.height).min(1 << 22));
    for _ in 0..h.height {
        std::mem::swap(&mut prev, &mut cur);
        // Ra of the first sample is the sample above it; Rd of the last is the one above it.
        cur[0] = prev[1];
        prev[width + 1] = prev[width];
        state.line(&mut reader, &prev, &mut cur)?;
        samples.extend(cur[1..=width].iter().map(|&v| v as u16));
    }
    Ok(Image {
        width,
        height: h.height,
        bits: h.bits,
        samples,
    })
}

/// A regular-mode context (A, B, C, N).
/// Counts are kept in i64: a preset RESET of up to 65535 lets A grow past i32 on noise.
#[derive(Clone, Copy)]
struct Context {
    a: i64,
    b: i64,
    c: i32,
    n: i64,
}

/// A run interruption context (A, N, Nn) of run interruption type 0 or 1.
#[derive(Clone, Copy)]
struct RunContext {
    a: i64,
    n: i64,
    nn: i64,
    kind: i32,
}

struct State {
    near: i32,
    maxval: i32,
    range: i32,
    qbpp: u32,
    limit: u32,
    t1: i32,
    t2: i32,
    t3: i32,
    reset: i64,
    contexts: Vec<Context>,
    run: [RunContext; 2],
    run_index: usize,
    /// Quantized gradient of every difference `d` in `[-MAXVAL, MAXVAL]`, at `d + MAXVAL`:
    /// three table reads per sample instead of three chains of comparisons.
    quantized: Vec<i8>,
}

fn ceil_log2(v: i32) -> u32 {
    let mut n = 0;
    while (1i64 << n) < i64::from(v) {
        n += 1;
    }
    n
}

/// The Golomb parameter: the least `k` with `n · 2^k ≥ a` (capped: a corrupt stream cannot
/// make it overflow).
fn golomb_k(n: i64, a: i64) -> u32 {
    let mut k = 0;
    while k < 32 && (n << k) < a {
        k += 1;
    }
    k
}

/// `CLAMP` of T.87 C.2.4.1.1.1.
fn clamp(i: i32, j: i32, maxval: i32) -> i32 {
    if i > maxval || i < j {
        j
    } else {
        i
    }
}

impl State {
    fn new(h: &Header) -> Result<Self, JpegLsError> {
        let maxval = if h.maxval > 0 {
            h.maxval
        } else {
            (1i32 << h.bits) - 1
        };
        let near = h.near;
        if !(1..=65535).contains(&maxval) {
            return Err(JpegLsError::Invalid(format!("MAXVAL {maxval}")));
        }
        if near < 0 || near > (maxval / 2).min(255) {
            return Err(JpegLsError::Invalid(format!("NEAR {near}")));
        }
        let range = (maxval + 2 * near) / (2 * near + 1) + 1;
        let qbpp = ceil_log2(range);
        let bpp = ceil_log2(maxval + 1).max(2);
        let limit = 2 * (bpp + bpp.max(8));
        // Default thresholds (C.2.4.1.1.1), unless the LSE segment set them.
        let (basic_t1, basic_t2, basic_t3) = (3, 7, 21);
        let (d1, d2, d3) = if maxval >= 128 {
            let factor = (maxval.min(4095) + 128) / 256;
            let t1 = clamp(factor * (basic_t1 - 2) + 2 + 3 * near, near + 1, maxval);
            let t2 = clamp(factor * (basic_t2 - 3) + 3 + 5 * near, t1, maxval);
            let t3 = clamp(factor * (basic_t3 - 4) + 4 + 7 * near, t2, maxval);
            (t1, t2, t3)
        } else {
            let factor = 256 / (maxval + 1);
            let t1 = clamp((basic_t1 / factor).max(2) + 3 * near, near + 1, maxval);
            let t2 = clamp((basic_t2 / factor).max(3) + 5 * near, t1, maxval);
            let t3 = clamp((basic_t3 / factor).max(4) + 7 * near, t2, maxval);
            (t1, t2, t3)
        };
        let pick = |given: i32, default: i32| if given > 0 { given } else { default };
        let a = i64::from(((range + 32) / 64).max(2));
        let (t1, t2, t3) = (pick(h.t1, d1), pick(h.t2, d2), pick(h.t3, d3));
        let reset = pick(h.reset, 64);
        if !(near < t1 && t1 <= t2 && t2 <= t3 && t3 <= maxval) || reset < 3 {
            return Err(JpegLsError::Invalid(format!(
                "preset parameters T1 {t1}, T2 {t2}, T3 {t3}, RESET {reset} for MAXVAL {maxval}"
            )));
        }
        let mut state = Self {
            near,
            maxval,
            range,
            qbpp,
            limit,
            t1,
            t2,
            t3,
            reset: i64::from(reset),
            contexts: vec![
                Context {
                    a,
                    b: 0,
                    c: 0,
                    n: 1
                };
                365
            ],
            run: [
                RunContext {
                    a,
                    n: 1,
                    nn: 0,
                    kind: 0,
                },
                RunContext {
                    a,
                    n: 1,
                    nn: 0,
                    kind: 1,
                },
            ],
            run_index: 0,
            quantized: Vec::new(),
        };
        state.quantized = (-maxval..=maxval)
            .map(|d| state.quantize(d) as i8)
            .collect();
        Ok(state)
    }

    /// The quantized gradient `d` (|d| ≤ MAXVAL, as differences of samples are).
    #[inline]
    fn q(&self, d: i32) -> i32 {
        i32::from(self.quantized[(d + self.maxval) as usize])
    }

    fn quantize(&self, d: i32) -> i32 {
        if d <= -self.t3 {
            -4
        } else if d <= -self.t2 {
            -3
        } else if d <= -self.t1 {
            -2
        } else if d < -self.near {
            -1
        } else if d <= self.near {
            0
        } else if d < self.t1 {
            1
        } else if d < self.t2 {
            2
        } else if d < self.t3 {
            3
        } else {
            4
        }
    }

    /// Brings a reconstructed value back into `[0, MAXVAL]` (modular reduction, then clamp).
    fn fix(&self, mut v: i32) -> i32 {
        let span = self.range * (2 * self.near + 1);
        if v < -self.near {
            v += span;
        } else if v > self.maxval + self.near {
            v -= span;
        }
        v.clamp(0, self.maxval)
    }

    /// A Golomb-coded value with parameter `k` and code length limit `limit` (A.5.3).
    fn value(&self, reader: &mut BitReader, k: u32, limit: u32) -> Result<i32, JpegLsError> {
        let escape = limit - self.qbpp - 1;
        let high = reader.unary(escape)?;
        if high >= escape {
            return Ok(reader.read(self.qbpp) as i32 + 1);
        }
        let v = (u64::from(high) << k) + u64::from(reader.read(k));
        i32::try_from(v).map_err(|_| JpegLsError::Invalid("a code value out of range".into()))
    }

    /// Decodes one line into `cur[1..=width]`; `prev` is the line above (padded alike).
    fn line(
        &mut self,
        reader: &mut BitReader,
        prev: &[i32],
        cur: &mut [i32],
    ) -> Result<(), JpegLsError> {
        let width = cur.len() - 2;
        let mut x = 1;
        while x <= width {
            let (ra, rb, rc, rd) = (cur[x - 1], prev[x], prev[x - 1], prev[x + 1]);
            let q = 81 * self.q(rd - rb) + 9 * self.q(rb - rc) + self.q(rc - ra);
            if q == 0 {
                x += self.run_mode(reader, prev, cur, x)?;
            } else {
                cur[x] = self.regular(reader, q, ra, rb, rc)?;
                x += 1;
            }
        }
        Ok(())
    }

    fn regular(
        &mut self,
        reader: &mut BitReader,
        q: i32,
        ra: i32,
        rb: i32,
        rc: i32,
    ) -> Result<i32, JpegLsError> {
        let sign = if q < 0 { -1 } else { 1 };
        let index = q.unsigned_abs() as usize;
        let ctx = self.contexts[index];
        // Median edge detector, then the context's bias correction.
        let predicted = if rc >= ra.max(rb) {
            ra.min(rb)
        } else if rc <= ra.min(rb) {
            ra.max(rb)
        } else {
            ra + rb - rc
        };
        let predicted = (predicted + sign * ctx.c).clamp(0, self.maxval);
        let k = golomb_k(ctx.n, ctx.a);
        let mapped = self.value(reader, k, self.limit)?;
        // Inverse error mapping (A.5.2), with the special mapping of k = 0 lossless contexts.
        let mut error = (mapped >> 1) ^ -(mapped & 1);
        if k == 0 && self.near == 0 && 2 * ctx.b <= -ctx.n {
            error = -error - 1;
        }
        // In a valid stream |error| < RANGE; anything else is a corrupt code.
        if error.abs() > self.range {
            return Err(JpegLsError::Invalid("an error value out of range".into()));
        }
        self.update(index, error);
        Ok(self.fix(predicted + sign * error * (2 * self.near + 1)))
    }

    /// Context update and bias computation (A.6.1, A.6.2).
    fn update(&mut self, index: usize, error: i32) {
        let reset = self.reset;
        let near = self.near;
        let c = &mut self.contexts[index];
        c.a += i64::from(error.abs());
        c.b += i64::from(error * (2 * near + 1));
        if c.n == reset {
            c.a >>= 1;
            c.b >>= 1;
            c.n >>= 1;
        }
        c.n += 1;
        if c.b + c.n <= 0 {
            c.b += c.n;
            if c.b <= -c.n {
                c.b = -c.n + 1;
            }
            if c.c > -128 {
                c.c -= 1;
            }
        } else if c.b > 0 {
            c.b -= c.n;
            if c.b > 0 {
                c.b = 0;
            }
            if c.c < 127 {
                c.c += 1;
            }
        }
    }

    /// A run starting at `x` (A.7): returns how many samples it filled, the interruption
    /// sample included.
    fn run_mode(
        &mut self,
        reader: &mut BitReader,
        prev: &[i32],
        cur: &mut [i32],
        x: usize,
    ) -> Result<usize, JpegLsError> {
        let width = cur.len() - 2;
        let ra = cur[x - 1];
        let left = width + 1 - x;
        let mut count = 0;
        while reader.bit() {
            let step = (1usize << J[self.run_index]).min(left - count);
            count += step;
            if step == 1 << J[self.run_index] {
                self.run_index = (self.run_index + 1).min(31);
            }
            if count == left {
                break;
            }
        }
        let interrupted = count != left;
        if interrupted {
            count += reader.read(J[self.run_index]) as usize;
            if count >= left {
                return Err(JpegLsError::Invalid(
                    "a run past the end of the line".into(),
                ));
            }
        }
        cur[x..x + count].fill(ra);
        if !interrupted {
            return Ok(count);
        }
        let end = x + count;
        let rb = prev[end];
        cur[end] = self.interruption(reader, ra, rb)?;
        self.run_index = self.run_index.saturating_sub(1);
        Ok(count + 1)
    }

    /// The sample ending an interrupted run (A.7.2).
    fn interruption(
        &mut self,
        reader: &mut BitReader,
        ra: i32,
        rb: i32,
    ) -> Result<i32, JpegLsError> {
        let kind = usize::from((ra - rb).abs() <= self.near);
        let ctx = self.run[kind];
        let temp = ctx.a + (ctx.n >> 1) * i64::from(ctx.kind);
        let k = golomb_k(ctx.n, temp);
        let limit = self.limit - J[self.run_index] - 1;
        let mapped = self.value(reader, k, limit)?;
        let t = mapped + ctx.kind;
        let map = t & 1;
        let magnitude = (t + map) / 2;
        let error = if (k != 0 || 2 * ctx.nn >= ctx.n) == (map == 1) {
            -magnitude
        } else {
            magnitude
        };
        if error.abs() > self.range {
            return Err(JpegLsError::Invalid("an error value out of range".into()));
        }
        let c = &mut self.run[kind];
        if error < 0 {
            c.nn += 1;
        }
        c.a += i64::from((mapped + 1 - c.kind) >> 1);
        if c.n == self.reset {
            c.a >>= 1;
            c.n >>= 1;
            c.nn >>= 1;
        }
        c.n += 1;
        let step = 2 * self.near + 1;
        Ok(if kind == 1 {
            self.fix(ra + error * step)
        } else {
            let sign = if rb - ra < 0 { -1 } else { 1 };
            self.fix(rb + sign * error * step)
        })
    }
}
