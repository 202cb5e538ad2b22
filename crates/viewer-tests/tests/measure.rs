//! Measurements drawn by hand in real headless Chromium: a length dragged between two voxels is
//! their distance in mm; a bidirectional measurement's long axis too, its short axis exactly
//! perpendicular and as long as the drag across it; an ellipse and a freehand ROI's area and HU
//! statistics equal a computation here over the same voxels; all are listed, exported as CSV,
//! drawn (screenshot) and saved beside the catalog, and come back after a reload.

// Tests print where screenshots went.
#![allow(clippy::print_stderr)]

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::Value;
use tumorscope_server::{measurements_file, start, ServerOptions};
use tumorscope_viewer_tests::*;

const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

async fn drag(client: &Client, view: &str, from: [usize; 3], to: [usize; 3]) {
    drag_through(client, view, &[from, to]).await;
}

async fn tool(client: &Client, name: &str) {
    choose_tool(client, name).await;
}

fn point(v: &Value) -> [f64; 3] {
    [0, 1, 2].map(|n| v[n].as_f64().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lengths_and_rois_measure_the_voxels_and_are_kept() {
    let Some(tools) = Tools::find_or_skip("measure") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (source, label, _, image) = one_phantom_patient(&dir.path().join("c"), [96, 96, 30]);
    let g = image.ct.geometry.clone();
    let saved = dir.path().join("cat.measurements");
    let server = start(
        source.clone(),
        &ServerOptions {
            viewer_dir: None,
            measurements_dir: Some(saved.clone()),
            ..ServerOptions::default()
        },
    )
    .unwrap();
    let driver = Driver::start(&tools);
    let client = driver.browser(1400, 1000).await;
    client.goto(&server.url()).await.unwrap();
    wait_js(
        &client,
        "window.tumorscope && window.tumorscope.state.full",
        LOAD_TIMEOUT,
    )
    .await;
    let k = g.dims[2] / 2;
    js(
        &client,
        &format!("window.tumorscope.setZoom(3); window.tumorscope.setCursor([48, 48, {k}]);"),
    )
    .await;
    wait_js(&client, "window.tumorscope.state.drawn > 0", LOAD_TIMEOUT).await;

    // A length between two voxel centres: their distance in mm.
    tool(&client, "length").await;
    let (a, b) = ([40, 45, k], [52, 50, k]);
    drag(&client, "axial", a, b).await;
    wait_js(
        &client,
        "window.tumorscope.state.measurements.length === 1",
        LOAD_TIMEOUT,
    )
    .await;
    let m = js(&client, "return window.tumorscope.state.measurements[0];").await;
    let (pa, pb) = (point(&m["a"]), point(&m["b"]));
    for n in 0..3 {
        assert!(
            (pa[n] - a[n] as f64).abs() < 0.1,
            "start {pa:?} vs voxel {a:?}"
        );
        assert!(
            (pb[n] - b[n] as f64).abs() < 0.1,
            "end {pb:?} vs voxel {b:?}"
        );
    }
    let exact = (0..3)
        .map(|n| ((b[n] as f64 - a[n] as f64) * g.spacing_mm[n]).powi(2))
        .sum::<f64>()
        .sqrt();
    let got = m["length_mm"].as_f64().unwrap();
    assert!((got - exact).abs() < 0.1, "length {got} mm vs {exact} mm");

    // An ellipse ROI: the voxels whose centres lie inside, and their statistics.
    tool(&client, "ellipse").await;
    drag(&client, "axial", [38, 40, k], [58, 55, k]).await;
    wait_js(
        &client,
        "window.tumorscope.state.measurements.length === 2",
        LOAD_TIMEOUT,
    )
    .await;
    let m = js(&client, "return window.tumorscope.state.measurements[1];").await;
    let (pa, pb) = (point(&m["a"]), point(&m["b"]));
    let c = [(pa[0] + pb[0]) / 2.0, (pa[1] + pb[1]) / 2.0];
    let r = [(pb[0] - pa[0]).abs() / 2.0, (pb[1] - pa[1]).abs() / 2.0];
    let mut hu = Vec::new();
    for j in 0..g.dims[1] {
        for i in 0..g.dims[0] {
            let (u, v) = ((i as f64 - c[0]) / r[0], (j as f64 - c[1]) / r[1]);
            if u * u + v * v <= 1.0 {
                hu.push(f64::from(image.ct.data[g.index([i, j, k])]));
            }
        }
    }
    let n = hu.len() as f64;
    let mean = hu.iter().sum::<f64>() / n;
    let sd = (hu.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    assert_eq!(m["voxels"].as_u64().unwrap() as usize, hu.len());
    let close = |key: &str, want: f64| {
        let got = m[key].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{key}: {got} vs {want}"
        );
    };
    close("hu_mean", mean);
    close("hu_sd", sd);
    close("hu_min", hu.iter().copied().fold(f64::MAX, f64::min));
    close("hu_max", hu.iter().copied().fold(f64::MIN, f64::max));
    close("area_mm2", n * g.spacing_mm[0] * g.spacing_mm[1]);

    // Bidirectional: the long axis between two voxel centres, then a drag across it, made
    // exactly perpendicular.
    tool(&client, "bidirectional").await;
    let (a, b) = ([40, 44, k], [56, 52, k]);
    drag(&client, "axial", a, b).await;
    wait_js(&client, "window.tumorscope.state.pendingAxis", LOAD_TIMEOUT).await;
    let (c, d) = ([50, 40, k], [45, 55, k]);
    drag(&client, "axial", c, d).await;
    wait_js(
        &client,
        "window.tumorscope.state.measurements.length === 3",
        LOAD_TIMEOUT,
    )
    .await;
    let bi = js(&client, "return window.tumorscope.state.measurements[2];").await;
    let mm = |p: [f64; 3]| [p[0] * g.spacing_mm[0], p[1] * g.spacing_mm[1]];
    let to_f = |p: [usize; 3]| p.map(|v| v as f64);
    let (la, lb) = (mm(point(&bi["a"])), mm(point(&bi["b"])));
    let (want_a, want_b) = (mm(to_f(a)), mm(to_f(b)));
    let long = (want_b[0] - want_a[0]).hypot(want_b[1] - want_a[1]);
    let got_long = bi["long_mm"].as_f64().unwrap();
    assert!(
        (got_long - long).abs() < 0.1,
        "long axis {got_long} vs {long}"
    );
    let (sc, sd) = (mm(point(&bi["c"])), mm(point(&bi["d"])));
    let along = [(lb[0] - la[0]) / got_long, (lb[1] - la[1]) / got_long];
    let short_dir = [sd[0] - sc[0], sd[1] - sc[1]];
    assert!(
        (short_dir[0] * along[0] + short_dir[1] * along[1]).abs() < 1e-6,
        "short axis perpendicular: {short_dir:?} vs {along:?}"
    );
    // Its length: the drag's extent across the long axis.
    let (dc, dd) = (mm(to_f(c)), mm(to_f(d)));
    let perp = [-along[1], along[0]];
    let across = ((dd[0] - dc[0]) * perp[0] + (dd[1] - dc[1]) * perp[1]).abs();
    let got_short = bi["short_mm"].as_f64().unwrap();
    assert!(
        (got_short - across).abs() < 0.1,
        "short axis {got_short} vs {across}"
    );
    // And the two axes cross: the short one's line meets the long one between its ends, and
    // the crossing lies between the short one's ends.
    let cross = |p: [f64; 2], q: [f64; 2]| p[0] * q[1] - p[1] * q[0];
    let r = [lb[0] - la[0], lb[1] - la[1]];
    let q = [sd[0] - sc[0], sd[1] - sc[1]];
    let w = [sc[0] - la[0], sc[1] - la[1]];
    let denom = cross(r, q);
    let (t, u) = (cross(w, q) / denom, cross(w, r) / denom);
    assert!(
        (-1e-9..=1.0 + 1e-9).contains(&t) && (-1e-9..=1.0 + 1e-9).contains(&u),
        "the axes cross at t={t} (long) u={u} (short)"
    );

    // Freehand: an outline through three voxel centres; the voxels whose centres lie inside
    // (even–odd rule, the page's own outline points) and their statistics.
    tool(&client, "freehand").await;
    drag_through(&client, "axial", &[[40, 40, k], [60, 44, k], [48, 58, k]]).await;
    wait_js(
        &client,
        "window.tumorscope.state.measurements.length === 4",
        LOAD_TIMEOUT,
    )
    .await;
    let fh = js(&client, "return window.tumorscope.state.measurements[3];").await;
    let outline: Vec<[f64; 2]> = fh["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect();
    assert_eq!(outline.len(), 3, "{outline:?}");
    let mut hu = Vec::new();
    for j in 0..g.dims[1] {
        for i in 0..g.dims[0] {
            if inside(&outline, [i as f64, j as f64]) {
                hu.push(f64::from(image.ct.data[g.index([i, j, k])]));
            }
        }
    }
    assert!(hu.len() > 50, "{}", hu.len());
    assert_eq!(fh["voxels"].as_u64().unwrap() as usize, hu.len());
    let n = hu.len() as f64;
    let mean = hu.iter().sum::<f64>() / n;
    let close_fh = |key: &str, want: f64| {
        let got = fh[key].as_f64().unwrap();
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{key}: {got} vs {want}"
        );
    };
    close_fh("hu_mean", mean);
    close_fh("area_mm2", n * g.spacing_mm[0] * g.spacing_mm[1]);
    // Independently of the counting rule: the voxel count is the outline's area (shoelace, in
    // voxels) within half a voxel per voxel of perimeter.
    let (mut twice_area, mut perimeter) = (0.0, 0.0);
    for e in 0..outline.len() {
        let (p, q) = (outline[e], outline[(e + 1) % outline.len()]);
        twice_area += p[0] * q[1] - q[0] * p[1];
        perimeter += (q[0] - p[0]).hypot(q[1] - p[1]);
    }
    let area = twice_area.abs() / 2.0;
    assert!(
        (n - area).abs() <= perimeter / 2.0,
        "{n} voxels vs an outline of {area:.1} voxels² and perimeter {perimeter:.1}"
    );

    // Listed, exported, drawn.
    let rows = client
        .find_all(Locator::Css("#measurements tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 4);
    let csv = js(&client, "return window.tumorscope.measurementsCsv();").await;
    let csv = csv.as_str().unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(csv.starts_with("patient,n,kind,view,slice,"), "{csv}");
    let shot = save_screenshot(&client, "measurements").await;
    eprintln!("screenshot: {}", shot.display());

    // Saved beside the catalog, and back after a reload.
    let file = measurements_file(&saved, &label);
    wait_js(&client, "window.tumorscope.state.savedAt > 0", LOAD_TIMEOUT).await;
    for _ in 0..100 {
        let n = std::fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v.as_array().map(Vec::len));
        if n == Some(4) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stored: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(stored.as_array().unwrap().len(), 4);
    client.refresh().await.unwrap();
    wait_js(
        &client,
        "window.tumorscope && window.tumorscope.state.full && window.tumorscope.state.measurements.length === 4",
        LOAD_TIMEOUT,
    )
    .await;
    let again = js(&client, "return window.tumorscope.state.measurements[1];").await;
    assert_eq!(again["hu_mean"], m["hu_mean"]);
    assert_eq!(again["voxels"], m["voxels"]);
    let freehand = js(&client, "return window.tumorscope.state.measurements[3];").await;
    assert_eq!(freehand["voxels"].as_u64().unwrap() as usize, hu.len());
    let bidirectional = js(&client, "return window.tumorscope.state.measurements[2];").await;
    assert_eq!(bidirectional["short_mm"].as_f64().unwrap(), got_short);
    client.close().await.unwrap();
    server.shutdown().unwrap();
}

/// Is voxel centre `p` inside the closed outline `poly` (even–odd rule, a crossing counted when
/// an edge spans the row from above `y` to at-or-below it, as the page counts)?
fn inside(poly: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut xs = Vec::new();
    for e in 0..poly.len() {
        let (a, b) = (poly[e], poly[(e + 1) % poly.len()]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            xs.push(a[0] + ((p[1] - a[1]) / (b[1] - a[1])) * (b[0] - a[0]));
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.chunks_exact(2).any(|s| s[0] <= p[0] && p[0] <= s[1])
}
