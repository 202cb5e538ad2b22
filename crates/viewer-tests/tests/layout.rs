//! The viewer's layout in real headless Chromium: the views fill the window at two window
//! sizes and follow a resize, the first patient draws with no click, a view maximises and comes
//! back, the URL's hash brings a reload back to the same place, and `structure=` opens centred on
//! a structure with its organ's window. Screenshots go to `target/viewer-screenshots/`.

// Tests print where screenshots went.
#![allow(clippy::print_stderr)]

use std::sync::Arc;
use std::time::Duration;

use fantoccini::Client;
use tumorscope_core::{preset_named, StructureRole};
use tumorscope_phantom::{write_cohort, PhantomOptions};
use tumorscope_server::PatientSource;
use tumorscope_viewer_tests::*;

const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// The share of the viewport `selector`'s box covers.
async fn coverage(client: &Client, selector: &str) -> f64 {
    js(
        client,
        &format!(
            "const r = document.querySelector(\"{selector}\").getBoundingClientRect();
             return r.width * r.height / (innerWidth * innerHeight);"
        ),
    )
    .await
    .as_f64()
    .unwrap()
}

/// Every visible canvas's backing store is its box's size (nothing stretched or cut).
async fn assert_canvases_fit(client: &Client, what: &str) {
    let fits = js(
        client,
        "return ['axial','coronal','sagittal'].map(n => {
           const c = window.tumorscope.canvas(n); const b = c.parentElement;
           return b.offsetParent === null || (c.width === Math.floor(b.clientWidth) && c.height === Math.floor(b.clientHeight));
         });",
    )
    .await;
    assert_eq!(fits, serde_json::json!([true, true, true]), "{what}");
}

async fn wait_loaded(client: &Client) {
    wait_js(
        client,
        "window.tumorscope && window.tumorscope.state.full",
        LOAD_TIMEOUT,
    )
    .await;
}

/// The hash written after the last change (written shortly after it).
async fn wait_hash(client: &Client, contains: &str) {
    wait_js(
        client,
        &format!("location.hash.includes('{contains}')"),
        Duration::from_secs(10),
    )
    .await;
}

fn phantom(dir: &std::path::Path) -> (Arc<tumorscope_server::DatasetSource>, Vec<String>) {
    let written = write_cohort(
        dir,
        &PhantomOptions {
            patients: 2,
            ..PhantomOptions::default()
        },
        false,
    )
    .unwrap();
    let source = Arc::new(scan_source(std::slice::from_ref(&written.root)));
    let labels = written.patients.iter().map(|p| p.label.clone()).collect();
    (source, labels)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_views_fill_the_window_and_the_first_patient_opens_by_itself() {
    let Some(tools) = Tools::find_or_skip("layout") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (source, _) = phantom(dir.path());
    let server = serve(source.clone());
    let driver = Driver::start(&tools);
    for (w, h) in [(1600, 1000), (1024, 700)] {
        let client = driver.browser(w, h).await;
        client.goto(&server.url()).await.unwrap();
        // No click: the first patient loads and draws.
        wait_loaded(&client).await;
        let id = js(&client, "return window.tumorscope.state.id;").await;
        let first = js(&client, "return window.tumorscope.state.patients[0].id;").await;
        assert_eq!(id, first, "{w}×{h}: the first patient opened");
        let cursor = js(&client, "return window.tumorscope.state.cursor;").await;
        let ijk = [0, 1, 2].map(|a| cursor[a].as_u64().unwrap() as usize);
        for view in ["axial", "coronal", "sagittal"] {
            let p = pixel(&client, view, ijk).await;
            assert!(
                p[..3] != [0, 0, 0],
                "{w}×{h}: {view} drawn at the cursor: {p:?}"
            );
        }
        // 2×2 beside the panel: the grid takes most of the window, each view a quarter of it.
        let grid = coverage(&client, "#views").await;
        assert!(
            grid > 0.6,
            "{w}×{h}: the views cover {grid:.2} of the window"
        );
        for view in ["axial", "coronal", "sagittal"] {
            let share = coverage(&client, &format!(".view[data-view={view}]")).await;
            assert!(share > 0.13, "{w}×{h}: {view} covers {share:.2}");
        }
        assert_canvases_fit(&client, "2×2").await;
        save_screenshot(&client, &format!("layout-2x2-{w}x{h}")).await;
        // The panel folded away (key `b`): the views take nearly everything.
        js(
            &client,
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'b'}));",
        )
        .await;
        wait_js(
            &client,
            "document.body.classList.contains('sidebar-hidden')",
            LOAD_TIMEOUT,
        )
        .await;
        let grid = coverage(&client, "#views").await;
        assert!(
            grid > 0.85,
            "{w}×{h}: without the panel the views cover {grid:.2}"
        );
        assert_canvases_fit(&client, "panel hidden").await;
        // Double-click maximises a view; again, back to the grid.
        let dbl = "window.tumorscope.canvas('coronal').dispatchEvent(new MouseEvent('dblclick', {bubbles: true}));";
        js(&client, dbl).await;
        let share = coverage(&client, ".view[data-view=coronal]").await;
        assert!(share > 0.8, "{w}×{h}: maximised coronal covers {share:.2}");
        assert_canvases_fit(&client, "maximised").await;
        save_screenshot(&client, &format!("layout-maximised-{w}x{h}")).await;
        js(&client, dbl).await;
        let share = coverage(&client, ".view[data-view=coronal]").await;
        assert!(
            share < 0.3,
            "{w}×{h}: back in the grid, coronal covers {share:.2}"
        );
        // 1×3, and a live resize: the canvases follow.
        js(&client, "window.tumorscope.setLayout('1x3');").await;
        assert_canvases_fit(&client, "1×3").await;
        client.set_window_size(w - 200, h - 100).await.unwrap();
        wait_js(
            &client,
            "(() => { const c = window.tumorscope.canvas('axial'); return c.width === Math.floor(c.parentElement.clientWidth); })()",
            Duration::from_secs(10),
        )
        .await;
        assert_canvases_fit(&client, "after a resize").await;
        client.close().await.unwrap();
    }
    server.shutdown().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_url_brings_a_reload_back_and_opens_on_a_structure() {
    let Some(tools) = Tools::find_or_skip("layout") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (source, labels) = phantom(dir.path());
    let server = serve(source.clone());
    let driver = Driver::start(&tools);
    let client = driver.browser(1400, 900).await;
    client.goto(&server.url()).await.unwrap();
    wait_loaded(&client).await;
    // The second patient, a cursor, a window, a layout and a zoom: all in the hash.
    let second = source.id_of(&labels[1]).unwrap();
    js(
        &client,
        &format!("window.tumorscope.selectPatient({second});"),
    )
    .await;
    wait_js(
        &client,
        &format!("window.tumorscope.state.id === {second} && window.tumorscope.state.full"),
        LOAD_TIMEOUT,
    )
    .await;
    js(
        &client,
        "const t = window.tumorscope; t.setCursor([10, 20, 5]); t.setWindow(1500, -600);
         t.setLayout('1x3'); t.setZoom(2); t.setCursor([10, 20, 5]);",
    )
    .await;
    wait_hash(&client, "ww=1500").await;
    wait_hash(&client, "zoom=2%2C2%2C2").await;
    let hash = js(&client, "return location.hash;").await;
    client.refresh().await.unwrap();
    wait_loaded(&client).await;
    let state = js(
        &client,
        "const s = window.tumorscope.state;
         return { label: s.doc.label, cursor: s.cursor, window: s.window, layout: s.layout,
                  zoom: ['axial','coronal','sagittal'].map(n => s.views[n].zoom) };",
    )
    .await;
    assert_eq!(state["label"], labels[1].as_str(), "after reload ({hash})");
    assert_eq!(state["cursor"], serde_json::json!([10, 20, 5]), "{hash}");
    assert_eq!(
        state["window"],
        serde_json::json!({"width": 1500, "center": -600})
    );
    assert_eq!(state["layout"], "1x3");
    let zoom: Vec<f64> = serde_json::from_value(state["zoom"].clone()).unwrap();
    assert_eq!(zoom, [2.0, 2.0, 2.0]);
    assert!(
        js(
            &client,
            "return document.body.classList.contains('layout-1x3');"
        )
        .await
            == true
    );

    // `structure=liver`: centred on the liver's centroid, in the liver window, liver shown.
    let first = source.id_of(&labels[0]).unwrap();
    let image = source.load(first).unwrap();
    let liver = image
        .masks
        .iter()
        .find(|m| m.role == StructureRole::Liver)
        .expect("a liver mask");
    let g = &image.ct.geometry;
    let (mut sum, mut n) = ([0.0f64; 3], 0.0);
    for v in liver.bits.ones() {
        let ijk = [
            v % g.dims[0],
            (v / g.dims[0]) % g.dims[1],
            v / (g.dims[0] * g.dims[1]),
        ];
        for a in 0..3 {
            sum[a] += ijk[a] as f64;
        }
        n += 1.0;
    }
    let want = sum.map(|s| (s / n).round() as u64);
    let url = format!(
        "{}#patient={}&structure={}",
        server.url(),
        labels[0],
        liver.name
    );
    client.goto(&url).await.unwrap();
    client.refresh().await.unwrap();
    let preset = preset_named("liver").unwrap();
    wait_js(
        &client,
        &format!(
            "window.tumorscope && window.tumorscope.state.full && window.tumorscope.state.window.width === {}",
            preset.window.width
        ),
        LOAD_TIMEOUT,
    )
    .await;
    let state = js(
        &client,
        "const s = window.tumorscope.state;
         return { label: s.doc.label, cursor: s.cursor, window: s.window,
                  visible: s.structures.filter(x => x.role === 'liver').map(x => x.visible) };",
    )
    .await;
    assert_eq!(state["label"], labels[0].as_str());
    assert_eq!(state["cursor"], serde_json::json!(want), "liver centroid");
    assert_eq!(
        state["window"]["center"].as_f64(),
        Some(preset.window.center)
    );
    assert_eq!(state["visible"], serde_json::json!([true]));
    save_screenshot(&client, "structure-liver").await;
    client.close().await.unwrap();
    server.shutdown().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thick_slab_shows_the_maximum_over_its_slices() {
    let Some(tools) = Tools::find_or_skip("layout") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (source, labels) = phantom(dir.path());
    let id = source.id_of(&labels[0]).unwrap();
    let image = source.load(id).unwrap();
    let g = image.ct.geometry.clone();
    let server = serve(source.clone());
    let driver = Driver::start(&tools);
    let client = driver.browser(1400, 900).await;
    client
        .goto(&format!("{}#patient={}", server.url(), labels[0]))
        .await
        .unwrap();
    wait_loaded(&client).await;
    // Overlays and crosshair off, so the pixel is the grey alone; zoomed so each voxel owns its
    // centre pixel.
    let cursor = [g.dims[0] / 2, g.dims[1] / 2, g.dims[2] / 2];
    let slab_mm = 8.0;
    let before = drawn(&client).await;
    js(
        &client,
        &format!(
            "const t = window.tumorscope; t.state.structures.forEach(s => s.visible = false); t.state.crosshair = false;
             t.setZoom(2); t.setCursor([{}, {}, {}]); t.setSlab({slab_mm});",
            cursor[0], cursor[1], cursor[2]
        ),
    )
    .await;
    wait_drawn(&client, before).await;
    wait_hash(&client, "slab=8").await;
    let window = js(&client, "return window.tumorscope.state.window;").await;
    let window = tumorscope_core::Window {
        width: window["width"].as_f64().unwrap(),
        center: window["center"].as_f64().unwrap(),
    };
    for (view, fixed) in [("axial", 2), ("coronal", 1), ("sagittal", 0)] {
        let count = ((slab_mm / g.spacing_mm[fixed]).round() as usize).max(1);
        let before = (count - 1) / 2;
        let first = cursor[fixed].saturating_sub(before);
        let last = (cursor[fixed] + (count - 1 - before)).min(g.dims[fixed] - 1);
        // Voxels of the view's plane near the cursor, each checked against its slab's maximum.
        for offset in [0usize, 3, 7] {
            let mut ijk = cursor;
            let across = if fixed == 0 { 1 } else { 0 };
            ijk[across] = (cursor[across] + offset).min(g.dims[across] - 1);
            let max_hu = (first..=last)
                .map(|q| {
                    let mut v = ijk;
                    v[fixed] = q;
                    image.ct.data[g.index(v)]
                })
                .max()
                .unwrap();
            let want = expected_rgb(max_hu, window, &[]);
            let got = pixel(&client, view, ijk).await;
            assert_eq!(
                [got[0], got[1], got[2]],
                want,
                "{view} at {ijk:?}: slab {first}..={last}"
            );
        }
    }
    save_screenshot(&client, "slab-mip-8mm").await;
    client.close().await.unwrap();
    server.shutdown().unwrap();
}
