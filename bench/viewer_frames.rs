//! Viewer frame benchmark on 3D-IRCADb 1.17 in headless Chromium, measured in the page with the
//! Performance API: time from choosing the patient to the first drawn views (and to the full
//! volume, and to the first complete 3D frame), then frame times while scrolling slices, while
//! dragging the window and while rotating the 3D view (its surfaces drawn by WebGL on
//! SwiftShader: headless Chromium has no GPU here).
//!
//! Run: `cargo run --release -p tumorscope-viewer-tests --example viewer_frames`
//! (needs `chromium chromium-driver` and `../shared/data/3Dircadb1.17`).

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;
use std::time::Duration;

use fantoccini::Locator;
use serde_json::Value;
use tumorscope_viewer_tests::{
    js, real_patient_or_skip, scan_source, serve, wait_js, Driver, Tools,
};

/// Scrolls (`wheel`), right-drags (`window`) or rotates the 3D view (`rotate`) once per
/// animation frame for `frames` frames. Reports the page's draw times (`performance.now()`
/// around the draw of the three 2D views, or of the 3D view's draw calls) and the intervals
/// between animation frames (what the eye sees: 16.7 ms at 60 fps).
const RUN: &str = r#"
const [mode, frames, done] = arguments;
const t = window.tumorscope;
const c = mode === 'rotate' ? t.view3d().canvas : t.canvas('axial');
const r = c.getBoundingClientRect();
const x0 = r.left + 150, y0 = r.top + 150;
const samples = mode === 'rotate' ? t.view3d().frameMs : t.state.frameMs;
samples.length = 0;
const intervals = [];
let last = 0, n = 0;
if (mode === 'window') c.dispatchEvent(new MouseEvent('mousedown', { button: 2, clientX: x0, clientY: y0, bubbles: true }));
if (mode === 'rotate') c.dispatchEvent(new MouseEvent('mousedown', { button: 0, clientX: x0, clientY: y0, bubbles: true }));
function step(now) {
  if (n > 0) intervals.push(now - last);
  last = now;
  if (n++ >= frames) {
    if (mode !== 'wheel') window.dispatchEvent(new MouseEvent('mouseup', { button: mode === 'window' ? 2 : 0, bubbles: true }));
    done({ draw: samples.slice(), intervals });
    return;
  }
  if (mode === 'wheel') {
    c.dispatchEvent(new WheelEvent('wheel', { deltaY: n % 80 < 40 ? 100 : -100, clientX: x0, clientY: y0, bubbles: true, cancelable: true }));
  } else if (mode === 'rotate') {
    window.dispatchEvent(new MouseEvent('mousemove', { clientX: x0 + 5 + (n % 60) * 4, clientY: y0 + (n % 20), bubbles: true }));
  } else {
    window.dispatchEvent(new MouseEvent('mousemove', { clientX: x0 + (n % 50) * 3, clientY: y0 + (n % 30) * 2, bubbles: true }));
  }
  requestAnimationFrame(step);
}
requestAnimationFrame(step);
"#;

fn summary(name: &str, values: &[f64]) -> String {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return format!("{name}: no samples");
    }
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    format!(
        "{name}: n={} median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        v.len(),
        q(0.5),
        q(0.95),
        q(1.0)
    )
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(data) = real_patient_or_skip("viewer_frames") else {
        return;
    };
    let Some(tools) = Tools::find_or_skip("viewer_frames") else {
        return;
    };
    let source = Arc::new(scan_source(&[data]));
    let id = source.id_of("3Dircadb1.17").expect("3Dircadb1.17 scanned");
    let server = serve(source);
    let driver = Driver::start(&tools);
    let client = driver.browser(1400, 1000).await;
    let runs = 3;
    for run in 0..runs {
        // A fresh page and an emptied server cache would be fairer for run 0 only; later runs show
        // the cached case (the server keeps the loaded patient).
        client.goto(&server.url()).await.expect("page");
        wait_js(
            &client,
            "window.tumorscope && window.tumorscope.state.patients.length > 0",
            Duration::from_secs(60),
        )
        .await;
        let row = client
            .find(Locator::Css(&format!("#patients tbody tr[data-id='{id}']")))
            .await
            .expect("row");
        row.click().await.expect("click");
        wait_js(
            &client,
            "window.tumorscope.state.full && window.tumorscope.state.stats !== null
             && window.tumorscope.state.timings.first3dMs !== undefined",
            Duration::from_secs(120),
        )
        .await;
        let perf = js(
            &client,
            "return performance.getEntriesByType('measure').map(m => [m.name, m.duration]);",
        )
        .await;
        println!(
            "run {run} ({}): {perf}",
            if run == 0 {
                "cold server cache"
            } else {
                "patient already loaded on the server"
            }
        );
    }
    let triangles = js(
        &client,
        "const t = window.tumorscope; return t.view3d().triangles(t.state.structures.filter(s => s.visible && s.bit !== null));",
    )
    .await;
    println!("3D view: {triangles} triangles drawn (the visible structures)");
    // Picking (a click on a surface moves the crosshair): rays through a grid of pixels of the
    // 3D view, each against every visible surface's triangles on the CPU.
    let picks = js(
        &client,
        "const t = window.tumorscope; const c = t.view3d().canvas; const ms = []; let hits = 0;
         for (let y = 1; y < 8; y++) for (let x = 1; x < 8; x++) {
           const t0 = performance.now();
           if (t.view3d().pick(c.width * x / 8, c.height * y / 8, t.state.structures)) hits += 1;
           ms.push(performance.now() - t0);
         }
         return { ms, hits };",
    )
    .await;
    println!(
        "{} ({} of 49 rays hit a surface)",
        summary("3D pick", &floats(&picks["ms"])),
        picks["hits"]
    );
    for mode in ["wheel", "window", "rotate"] {
        let out = client
            .execute_async(RUN, vec![Value::from(mode), Value::from(240)])
            .await
            .expect("benchmark script");
        println!(
            "{}",
            summary(
                &format!(
                    "{mode}: {}",
                    if mode == "rotate" {
                        "3D draw calls"
                    } else {
                        "draw of the 3 views"
                    }
                ),
                &floats(&out["draw"])
            )
        );
        println!(
            "{}",
            summary(
                &format!("{mode}: animation-frame interval"),
                &floats(&out["intervals"])
            )
        );
    }
    let _ = client.close().await;
    let _ = server.shutdown();
}
