//! Times reading an RT Structure Set: `cargo run --release -p tumorscope-dicom --example
//! rtstruct_parse -- FILE [REPEAT]`.

#![allow(clippy::print_stdout)]

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: rtstruct_parse FILE [REPEAT]");
    let repeat: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes = std::fs::read(&path).expect("read");
    let mut best = f64::MAX;
    let mut points = 0;
    for _ in 0..repeat {
        let started = Instant::now();
        let rt = tumorscope_dicom::rtstruct::parse_rtstruct(&bytes).expect("parse");
        best = best.min(started.elapsed().as_secs_f64());
        points = rt
            .rois
            .iter()
            .flat_map(|r| &r.contours)
            .map(|c| c.points_mm.len())
            .sum();
    }
    println!(
        "{path}: {} MB, {points} points, parsed in {:.1} ms (best of {repeat})",
        bytes.len() / 1_000_000,
        best * 1000.0
    );
}
