//! Decodes JPEG-LS streams (`.jls` files) repeatedly and prints the time per decode:
//! `cargo run --release -p tumorscope-jpegls --example decode_file -- FILE.jls… [--repeat N]`.

#![allow(clippy::print_stdout)]

use std::time::Instant;

fn main() {
    let mut repeat = 20;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--repeat" {
            repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(repeat);
        } else {
            files.push(a);
        }
    }
    let streams: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("read"))
        .collect();
    let mut samples = 0usize;
    let started = Instant::now();
    for _ in 0..repeat {
        for s in &streams {
            let image = tumorscope_jpegls::decode(s).expect("decode");
            samples += image.samples.len();
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let decodes = (repeat * streams.len()) as f64;
    println!(
        "{} stream(s) × {repeat}: {:.2} ms per decode, {:.1} Msamples/s",
        streams.len(),
        seconds * 1000.0 / decodes,
        samples as f64 / seconds / 1e6
    );
}
