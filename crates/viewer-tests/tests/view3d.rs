//! The 3D view in real headless Chromium (WebGL 2 on SwiftShader, no GPU): the surfaces the
//! server makes are drawn (the liver's colour where its centre projects), the view rotates, a
//! click on the liver moves the crosshair onto the liver's surface, a hidden structure leaves
//! the picture. On the real patient 1.17: the first 3D frame's time (printed; the frame-time
//! figures come from `bench/viewer_frames.rs`), the triangle budget, tumour 1's RECIST axes
//! drawn, the four measurement tools by mouse, and the screenshots of the 2×2 layout with
//! measurements, RECIST axes and the 3D view.

// Tests print timings and where screenshots went.
#![allow(clippy::print_stderr)]

use std::sync::Arc;
use std::time::Duration;

use fantoccini::Client;
use serde_json::Value;
use tumorscope_core::PatientImage;
use tumorscope_server::PatientSource;
use tumorscope_viewer_tests::*;

const LOAD_TIMEOUT: Duration = Duration::from_secs(240);

/// The mean voxel of mask `name`, and its LPS position.
fn centre_of(image: &PatientImage, name: &str) -> ([f64; 3], [f64; 3]) {
    let g = &image.ct.geometry;
    let mask = image.mask(name).expect("mask");
    let mut sum = [0.0; 3];
    let mut n = 0.0;
    for v in mask.bits.ones() {
        let ijk = g.ijk(v);
        for a in 0..3 {
            sum[a] += ijk[a] as f64;
        }
        n += 1.0;
    }
    let ijk = sum.map(|s| s / n);
    (ijk, g.voxel_to_patient(ijk))
}

async fn read3d(client: &Client, at: Option<(f64, f64)>) -> Value {
    let args = at.map_or(String::new(), |(x, y)| format!("{x}, {y}"));
    js(client, &format!("return window.tumorscope.read3d({args});")).await
}

async fn project(client: &Client, lps: [f64; 3]) -> (f64, f64) {
    let p = js(
        client,
        &format!(
            "return window.tumorscope.project3d([{}, {}, {}]);",
            lps[0], lps[1], lps[2]
        ),
    )
    .await;
    (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())
}

/// Shows only the structures named (2D and 3D share visibility), without the crosshair (its
/// lines would cover the pixels looked at), and redraws the 3D view.
async fn show_only(client: &Client, names: &[&str]) {
    let list = serde_json::to_string(names).unwrap();
    js(
        client,
        &format!(
            "const t = window.tumorscope; const names = {list};
             t.state.structures.forEach(s => {{ s.visible = names.includes(s.name); }});
             t.state.crosshair = false;
             t.draw3dNow();"
        ),
    )
    .await;
}

/// The colour channels ordered by strength (the hue's signature), for a colour `#rrggbb`.
fn channel_order(rgb: [f64; 3]) -> [usize; 3] {
    let mut order = [0, 1, 2];
    order.sort_by(|&a, &b| rgb[b].total_cmp(&rgb[a]));
    order
}

fn hex_rgb(hex: &str) -> [f64; 3] {
    let n = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
    [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(f64::from)
}

fn rgb_of(v: &Value) -> [f64; 3] {
    [0, 1, 2].map(|n| v[n].as_f64().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn surfaces_draw_rotate_and_pick_without_a_gpu() {
    let Some(tools) = Tools::find_or_skip("view3d") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (source, _, _, image) = one_phantom_patient(&dir.path().join("c"), [96, 96, 40]);
    let server = serve(source.clone());
    let driver = Driver::start(&tools);
    let client = driver.browser(1400, 1000).await;
    client.goto(&server.url()).await.unwrap();
    wait_js(
        &client,
        "window.tumorscope && window.tumorscope.state.timings.first3dMs !== undefined",
        LOAD_TIMEOUT,
    )
    .await;
    let first = js(&client, "return window.tumorscope.state.timings.first3dMs;").await;
    eprintln!("phantom: first 3D frame {first} ms after choosing the patient");
    let shot = save_screenshot(&client, "view3d-phantom").await;
    eprintln!("screenshot: {}", shot.display());

    // Only the liver: its colour where its centre projects, and a good part of the view drawn.
    show_only(&client, &["liver"]).await;
    let liver_hex = js(
        &client,
        "return window.tumorscope.state.structures.find(s => s.name === 'liver').hex;",
    )
    .await;
    let liver_rgb = hex_rgb(liver_hex.as_str().unwrap());
    let (liver_ijk, liver_lps) = centre_of(&image, "liver");
    let at = project(&client, liver_lps).await;
    let front = read3d(&client, Some(at)).await;
    let px = rgb_of(&front["at"]);
    assert!(
        px.iter().sum::<f64>() > 60.0,
        "the liver's centre projects on a drawn pixel: {px:?}"
    );
    assert_eq!(
        channel_order(px)[0],
        channel_order(liver_rgb)[0],
        "liver-coloured: {px:?} vs {liver_rgb:?}"
    );
    let share = front["nonBlack"].as_f64().unwrap() / front["pixels"].as_f64().unwrap();
    assert!(share > 0.03, "the liver covers {share:.3} of the 3D view");

    // It rotates (about the centre of the surfaces shown): other pixels, the liver still where
    // its centre projects now.
    js(&client, "window.tumorscope.rotate3d(140, 40);").await;
    let turned_at = project(&client, liver_lps).await;
    let turned = read3d(&client, Some(turned_at)).await;
    assert_ne!(front["checksum"], turned["checksum"], "the picture changed");
    let px = rgb_of(&turned["at"]);
    assert_eq!(
        channel_order(px)[0],
        channel_order(liver_rgb)[0],
        "still the liver after turning: {px:?}"
    );
    js(
        &client,
        "const t = window.tumorscope; t.view3d().reset(t.state.structures); t.draw3dNow();",
    )
    .await;
    let at = project(&client, liver_lps).await;

    // A click (a real one: press and release without moving) on the liver moves the crosshair
    // onto its surface.
    js(&client, "window.tumorscope.setCursor([0, 0, 0]);").await;
    let page = js(
        &client,
        &format!(
            "const c = window.tumorscope.view3d().canvas; const r = c.getBoundingClientRect();
             return [r.left + ({x} + 0.5) * r.width / c.width, r.top + ({y} + 0.5) * r.height / c.height];",
            x = at.0.floor(),
            y = at.1.floor()
        ),
    )
    .await;
    click_at(
        &client,
        page[0].as_f64().unwrap(),
        page[1].as_f64().unwrap(),
    )
    .await;
    wait_js(
        &client,
        "window.tumorscope.state.cursor.some(v => v !== 0)",
        Duration::from_secs(10),
    )
    .await;
    let cursor = js(&client, "return window.tumorscope.state.cursor;").await;
    let c = [0, 1, 2].map(|a| cursor[a].as_i64().unwrap());
    let g = &image.ct.geometry;
    let liver = image.mask("liver").unwrap();
    let (mut inside, mut outside) = (0, 0);
    for dk in -1..=1 {
        for dj in -2..=2 {
            for di in -2..=2 {
                let p = [c[0] + di, c[1] + dj, c[2] + dk];
                if (0..3).any(|a| p[a] < 0 || p[a] >= g.dims[a] as i64) {
                    continue;
                }
                let n = g.index(p.map(|v| v as usize));
                if liver.bits.get(n) {
                    inside += 1;
                } else {
                    outside += 1;
                }
            }
        }
    }
    assert!(
        inside > 0 && outside > 0,
        "the crosshair {c:?} is on the liver's surface (centre {liver_ijk:?}): {inside} liver and {outside} other voxels around"
    );
    // The surface seen from the front is the anterior one: smaller j (LPS y) than the centre.
    assert!(
        (c[1] as f64) < liver_ijk[1],
        "{c:?} vs centre {liver_ijk:?}"
    );

    // Hidden: nothing left but the box and the crosshair.
    show_only(&client, &[]).await;
    let empty = read3d(&client, None).await;
    let empty_share = empty["nonBlack"].as_f64().unwrap() / empty["pixels"].as_f64().unwrap();
    assert!(empty_share < share / 3.0, "{empty_share} vs {share}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_patient_1_17_in_2x2_with_measurements_recist_axes_and_3d() {
    let Some(data) = real_patient_or_skip("view3d 1.17") else {
        return;
    };
    let Some(tools) = Tools::find_or_skip("view3d 1.17") else {
        return;
    };
    let source = Arc::new(scan_source(&[data]));
    let id = source.id_of("3Dircadb1.17").expect("3Dircadb1.17 scanned");
    let structures = source.load(id).unwrap().masks.len();
    let server = serve(source.clone());
    let driver = Driver::start(&tools);
    let client = driver.browser(1600, 1000).await;
    client.goto(&server.url()).await.unwrap();
    wait_js(
        &client,
        "window.tumorscope && window.tumorscope.state.stats && window.tumorscope.state.timings.first3dMs !== undefined",
        LOAD_TIMEOUT,
    )
    .await;
    let timings = js(&client, "return window.tumorscope.state.timings;").await;
    eprintln!("ircadb1.17 (debug build of the server): {timings}");
    // Each visible structure within its share of the patient's triangle budget.
    let share = tumorscope_server::surfaces::options_for(structures).max_triangles;
    let counts = js(
        &client,
        "const t = window.tumorscope; return t.state.structures.filter(s => s.visible && s.bit !== null).map(s => [s.name, t.view3d().triangles([s])]);",
    )
    .await;
    for c in counts.as_array().unwrap() {
        let n = c[1].as_f64().unwrap() as usize;
        assert!(n > 0 && n <= share, "{c}: share {share}");
    }
    eprintln!("triangles drawn: {counts}");

    // Tumour 1 opens on its RECIST slice, with the axes drawn on the axial view.
    js(
        &client,
        "const t = window.tumorscope; t.centreOnTumor(t.state.stats.tumors[0]); t.drawNow();",
    )
    .await;
    let tumour = js(&client, "return window.tumorscope.state.stats.tumors[0];").await;
    let ends = &tumour["axial_long_axis_ijk"];
    let quarter: Vec<f64> = (0..3)
        .map(|a| 0.75 * ends[0][a].as_f64().unwrap() + 0.25 * ends[1][a].as_f64().unwrap())
        .collect();
    let read = format!(
        "const t = window.tumorscope; t.drawNow(); return t.pixel('axial', [{}, {}, {}]);",
        quarter[0], quarter[1], quarter[2]
    );
    let with_axes = js(&client, &read).await;
    js(&client, "window.tumorscope.setRecistAxes(false);").await;
    let without = js(&client, &read).await;
    js(&client, "window.tumorscope.setRecistAxes(true);").await;
    assert!(
        with_axes[1].as_u64().unwrap() >= 200 && with_axes != without,
        "the long axis drawn where it runs: {with_axes} (without the axes {without})"
    );

    // Measurements by hand on the tumour's slice: length, bidirectional, ellipse, freehand.
    let k = tumour["axial_slice_k"].as_u64().unwrap() as usize;
    let c = [0, 1].map(|a| tumour["centroid_ijk"][a].as_f64().unwrap() as usize);
    js(&client, "window.tumorscope.setZoom(2.5); window.tumorscope.centreOnTumor(window.tumorscope.state.stats.tumors[0]);").await;
    choose_tool(&client, "length").await;
    drag_through(
        &client,
        "axial",
        &[[c[0] - 30, c[1] - 25, k], [c[0] - 5, c[1] - 25, k]],
    )
    .await;
    choose_tool(&client, "bidirectional").await;
    drag_through(
        &client,
        "axial",
        &[[c[0] - 12, c[1] - 6, k], [c[0] + 12, c[1] + 6, k]],
    )
    .await;
    drag_through(
        &client,
        "axial",
        &[[c[0] + 3, c[1] - 8, k], [c[0] - 3, c[1] + 8, k]],
    )
    .await;
    choose_tool(&client, "ellipse").await;
    drag_through(
        &client,
        "axial",
        &[[c[0] + 20, c[1] - 30, k], [c[0] + 40, c[1] - 15, k]],
    )
    .await;
    choose_tool(&client, "freehand").await;
    drag_through(
        &client,
        "axial",
        &[
            [c[0] - 40, c[1] + 20, k],
            [c[0] - 15, c[1] + 25, k],
            [c[0] - 20, c[1] + 40, k],
            [c[0] - 38, c[1] + 36, k],
        ],
    )
    .await;
    choose_tool(&client, "navigate").await;
    wait_js(
        &client,
        "window.tumorscope.state.measurements.length === 4",
        LOAD_TIMEOUT,
    )
    .await;
    let list = js(
        &client,
        "return window.tumorscope.state.measurements.map(m => m.kind);",
    )
    .await;
    assert_eq!(
        list,
        serde_json::json!(["length", "bidirectional", "ellipse", "freehand"])
    );
    // The vessels in 3D too, then the screenshots: the 2×2 layout, and the 3D view maximised.
    js(
        &client,
        "const t = window.tumorscope; t.state.structures.forEach(s => { if (s.role === 'vessel') s.visible = true; }); t.requestDraw(); t.draw3dNow();",
    )
    .await;
    wait_js(
        &client,
        "(() => { const t = window.tumorscope; return t.state.structures.filter(s => s.visible && s.bit !== null).every(s => t.view3d().has(s.bit)); })()",
        LOAD_TIMEOUT,
    )
    .await;
    js(
        &client,
        "window.tumorscope.rotate3d(-60, -25); window.tumorscope.drawNow();",
    )
    .await;
    let shot = save_screenshot(&client, "ircadb1.17-2x2-measurements-3d").await;
    eprintln!("screenshot: {}", shot.display());
    js(&client, "window.tumorscope.toggleMaximized('3d');").await;
    wait_js(
        &client,
        "window.tumorscope.view3d().canvas.width > 1000",
        Duration::from_secs(20),
    )
    .await;
    js(&client, "window.tumorscope.draw3dNow();").await;
    let shot = save_screenshot(&client, "ircadb1.17-3d").await;
    eprintln!("screenshot: {}", shot.display());
    client.close().await.unwrap();
    server.shutdown().unwrap();
}
