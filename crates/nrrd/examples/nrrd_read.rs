//! Times reading one NRRD file as a CT and as labels (best of 5), to see where a scene's load
//! time goes: `cargo run --release -p tumorscope-nrrd --example nrrd_read -- FILE`.

// An example prints what it measured.
#![allow(clippy::print_stdout)]

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: nrrd_read FILE")?;
    let path = std::path::Path::new(&path);
    let header = tumorscope_nrrd::read_header(path)?;
    println!(
        "{}: {} {:?}, {} layer(s), {:?}",
        path.display(),
        header.value_type.name(),
        header.sizes,
        header.layers,
        header.encoding
    );
    let best = |f: &dyn Fn() -> Result<usize, tumorscope_nrrd::NrrdError>| {
        let mut best = f64::INFINITY;
        let mut n = 0;
        for _ in 0..5 {
            let started = Instant::now();
            n = f().unwrap_or(0);
            best = best.min(started.elapsed().as_secs_f64());
        }
        (best * 1000.0, n)
    };
    if header.layers == 1 && header.value_type.size() > 1 {
        let (ms, n) = best(&|| tumorscope_nrrd::read_ct(path).map(|v| v.data.len()));
        println!("read_ct: {ms:.1} ms for {n} voxels");
    } else {
        let (ms, n) = best(&|| tumorscope_nrrd::read_labels(path).map(|v| v.data.len()));
        println!("read_labels: {ms:.1} ms for {n} values");
    }
    Ok(())
}
