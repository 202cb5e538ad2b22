//! The viewer in real headless Chromium: a synthetic cohort with exactly known tumors, and the
//! real patient 3D-IRCADb 1.17 when its data is present. Pixels are read back from the canvases
//! and compared with values computed here from the same voxels.

// Tests print where screenshots went.
#![allow(clippy::print_stderr)]

use std::sync::Arc;
use std::time::Duration;

use fantoccini::actions::{InputSource, WheelAction, WheelActions};
use fantoccini::{Client, Locator};
use tumorscope_core::{preset_named, PatientImage, StructureRole, Window};
use tumorscope_phantom::{write_cohort, PhantomOptions};
use tumorscope_server::PatientSource;
use tumorscope_viewer_tests::*;

const LOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// Default overlay styles of the page: (visible, opacity) by role, drawn other < liver < cyst < tumor.
fn default_layers(image: &PatientImage, colors: &[[u8; 3]], n: usize) -> Vec<([u8; 3], f64)> {
    let mut layers: Vec<(u8, usize, [u8; 3], f64)> = Vec::new();
    for (bit, m) in image.masks.iter().enumerate() {
        if !m.bits.get(n) {
            continue;
        }
        let (order, opacity) = match m.role {
            StructureRole::Other | StructureRole::Vessel => continue,
            StructureRole::Liver => (1, 0.3),
            StructureRole::Cyst => (2, 0.5),
            StructureRole::Tumor => (3, 0.6),
        };
        layers.push((order, bit, colors[bit], opacity));
    }
    layers.sort_by_key(|l| (l.0, l.1));
    layers.into_iter().map(|l| (l.2, l.3)).collect()
}

fn rgb(hex: &str) -> [u8; 3] {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

async fn structure_colors(client: &Client) -> Vec<[u8; 3]> {
    let v = js(
        client,
        "return window.tumorscope.state.structures.slice().sort((a,b)=>a.bit-b.bit).map(s=>s.hex);",
    )
    .await;
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| rgb(h.as_str().unwrap()))
        .collect()
}

async fn cursor(client: &Client) -> [usize; 3] {
    let v = js(client, "return window.tumorscope.state.cursor;").await;
    [0, 1, 2].map(|n| v[n].as_u64().unwrap() as usize)
}

async fn slider_values(client: &Client) -> [usize; 3] {
    let v = js(client, "return ['axial','coronal','sagittal'].map(n => Number(document.querySelector(`.view[data-view=${n}] .slider`).value));").await;
    [0, 1, 2].map(|n| v[n].as_u64().unwrap() as usize)
}

async fn current_window(client: &Client) -> Window {
    let v = js(client, "return window.tumorscope.state.window;").await;
    Window {
        width: v["width"].as_f64().unwrap(),
        center: v["center"].as_f64().unwrap(),
    }
}

/// Opens the page, clicks the patient's row and waits for the full volume and the statistics.
async fn open_patient(client: &Client, url: &str, id: u32) {
    client.goto(url).await.expect("page opens");
    wait_js(
        client,
        "window.tumorscope && window.tumorscope.state.patients.length > 0",
        LOAD_TIMEOUT,
    )
    .await;
    let row = format!("#patients tbody tr[data-id='{id}']");
    client
        .wait()
        .for_element(Locator::Css(&row))
        .await
        .expect("patient row");
    // The page opens the first patient by itself and redraws the list as it loads: the row is
    // found and clicked in one step, never through a handle the redraw could make stale.
    js(
        client,
        &format!("document.querySelector(\"{row}\").click();"),
    )
    .await;
    wait_js(
        client,
        "window.tumorscope.state.full && window.tumorscope.state.stats !== null",
        LOAD_TIMEOUT,
    )
    .await;
}

/// Checks the pixel showing voxel `ijk` in all three views against the expected composite.
async fn assert_voxel_pixels(client: &Client, image: &PatientImage, ijk: [usize; 3], what: &str) {
    let n = image.ct.geometry.index(ijk);
    let colors = structure_colors(client).await;
    let window = current_window(client).await;
    let layers = default_layers(image, &colors, n);
    let want = expected_rgb(image.ct.data[n], window, &layers);
    let page = js(client, "return window.tumorscope.state.structures;").await;
    for view in ["axial", "coronal", "sagittal"] {
        let got = pixel(client, view, ijk).await;
        assert_eq!([got[0], got[1], got[2]], want, "{what}: {view} pixel of voxel {ijk:?} (HU {}), layers {layers:?}, page structures {page}", image.ct.data[n]);
        assert_eq!(got[3], 255);
    }
}

async fn wheel_at(client: &Client, x: f64, y: f64, delta_y: i64) {
    let wheel = WheelActions::new("wheel".into()).then(WheelAction::Scroll {
        duration: None,
        x: x as i64,
        y: y as i64,
        delta_x: 0,
        delta_y,
    });
    client.perform_actions(wheel).await.expect("wheel");
}

/// The whole interactive check on one patient; returns nothing, panics on the first mismatch.
/// `zoom` > 1 when voxels are smaller than canvas pixels at fit (512² in a 384² canvas), so
/// that every checked voxel owns the pixel at its centre.
async fn exercise(client: &Client, image: &PatientImage, tag: &str, zoom: f64) {
    let g = image.ct.geometry.clone();
    // The pixels checked are the CT and overlays composite: no RECIST axes drawn over them
    // (the 3D view's test checks those).
    js(
        client,
        &format!("window.tumorscope.setZoom({zoom}); window.tumorscope.setRecistAxes(false);"),
    )
    .await;
    // 1. Tumor list → every view centred on tumor 1's centroid, on the slice of its RECIST axes.
    let stats = js(client, "return window.tumorscope.state.stats;").await;
    let centroid: Vec<f64> = stats["tumors"][0]["centroid_ijk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let recist_k = stats["tumors"][0]["axial_slice_k"].as_u64().unwrap() as usize;
    let target = [
        centroid[0].round() as usize,
        centroid[1].round() as usize,
        recist_k,
    ];
    let before = drawn(client).await;
    client
        .find(Locator::Css("#tumors tbody tr[data-tumor='1']"))
        .await
        .expect("tumor row")
        .click()
        .await
        .expect("click tumor");
    wait_drawn(client, before).await;
    assert_eq!(
        cursor(client).await,
        target,
        "{tag}: cursor after clicking tumor 1"
    );
    // Axial shows slice k, coronal row j, sagittal column i.
    assert_eq!(
        slider_values(client).await,
        [target[2], target[1], target[0]],
        "{tag}: sliders follow the tumor"
    );
    let n = g.index(target);
    let in_tumor = image
        .masks
        .iter()
        .any(|m| m.role == StructureRole::Tumor && m.bits.get(n));
    assert!(
        in_tumor,
        "{tag}: the rounded centroid {target:?} lies in a tumor mask"
    );
    // 2. The tumor overlay colour at the centroid, identical in the three views.
    assert_voxel_pixels(
        client,
        image,
        target,
        &format!("{tag}: tumor centroid, abdomen window"),
    )
    .await;

    // 3. Window change: the liver preset button, then typed values; a plain voxel follows the VOI LUT.
    // The nearest such voxel, so that it stays on screen when zoomed on the tumor.
    let plain = (0..g.dims[0])
        .flat_map(|i| (0..g.dims[1]).map(move |j| [i, j, target[2]]))
        .filter(|&ijk| {
            let n = g.index(ijk);
            let hu = image.ct.data[n];
            (-40..=90).contains(&hu)
                && image
                    .masks
                    .iter()
                    .all(|m| m.role == StructureRole::Other || !m.bits.get(n))
        })
        .min_by_key(|ijk| ijk[0].abs_diff(target[0]).pow(2) + ijk[1].abs_diff(target[1]).pow(2))
        .expect("a soft-tissue voxel outside every overlay on the tumor's slice");
    let hu = image.ct.data[g.index(plain)];
    let abdomen = preset_named("abdomen").unwrap().window;
    assert_eq!(
        pixel(client, "axial", plain).await[0],
        abdomen.to_u8(f64::from(hu)),
        "{tag}: abdomen grey of HU {hu}"
    );
    let before = drawn(client).await;
    client
        .find(Locator::Css("#presets button[data-preset='liver']"))
        .await
        .expect("liver button")
        .click()
        .await
        .expect("click liver");
    wait_drawn(client, before).await;
    let liver = preset_named("liver").unwrap().window;
    assert_eq!(current_window(client).await, liver);
    assert_eq!(
        pixel(client, "axial", plain).await[0],
        liver.to_u8(f64::from(hu)),
        "{tag}: liver grey of HU {hu}"
    );
    assert_ne!(
        abdomen.to_u8(f64::from(hu)),
        liver.to_u8(f64::from(hu)),
        "{tag}: the chosen voxel must change grey"
    );
    assert_voxel_pixels(
        client,
        image,
        target,
        &format!("{tag}: tumor centroid, liver window"),
    )
    .await;
    let _ = save_screenshot(client, &format!("{tag}-liver-window-tumor")).await;
    // Typed W/L.
    let width = client.find(Locator::Id("win-width")).await.unwrap();
    width.clear().await.unwrap();
    width.send_keys("97\n").await.unwrap();
    let center = client.find(Locator::Id("win-center")).await.unwrap();
    center.clear().await.unwrap();
    let before = drawn(client).await;
    center.send_keys("41\n").await.unwrap();
    wait_drawn(client, before).await;
    let typed = Window::new(97.0, 41.0).unwrap();
    assert_eq!(current_window(client).await, typed);
    assert_eq!(
        pixel(client, "axial", plain).await[0],
        typed.to_u8(f64::from(hu)),
        "{tag}: typed W/L grey of HU {hu}"
    );
    client
        .find(Locator::Css("#presets button[data-preset='liver']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // 4. The wheel over the axial view moves one slice; the other views keep their planes.
    let (x, y) = viewport_point(client, "axial", target).await;
    let before = drawn(client).await;
    let k = target[2];
    let step: i64 = if k + 1 < g.dims[2] { 100 } else { -100 };
    wheel_at(client, x, y, step).await;
    wait_drawn(client, before).await;
    let after = cursor(client).await;
    let want_k = if step > 0 { k + 1 } else { k - 1 };
    assert_eq!(
        after,
        [target[0], target[1], want_k],
        "{tag}: wheel moves the axial slice only"
    );

    // 5. A click in the coronal view moves the axial and sagittal planes.
    let goal = [
        target[0].saturating_sub(3),
        target[1],
        target[2].saturating_sub(2).max(1),
    ];
    let (x, y) = viewport_point(client, "coronal", goal).await;
    let before = drawn(client).await;
    click_at(client, x, y).await;
    wait_drawn(client, before).await;
    assert_eq!(cursor(client).await, goal, "{tag}: click in coronal");
    assert_eq!(slider_values(client).await, [goal[2], goal[1], goal[0]]);

    // 6. Back to the tumor for the screenshots of the three views.
    let before = drawn(client).await;
    client
        .find(Locator::Css("#tumors tbody tr[data-tumor='1']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_drawn(client, before).await;
    let views = client.find(Locator::Id("views")).await.unwrap();
    let png = views.screenshot().await.expect("element screenshot");
    let path = screenshot_dir().join(format!("{tag}-views.png"));
    std::fs::write(&path, png).unwrap();
    let page = save_screenshot(client, &format!("{tag}-page")).await;
    // And the whole images at fit, still on the tumor, liver window, overlays on.
    let before = drawn(client).await;
    js(client, "for (const v of Object.values(window.tumorscope.state.views)) { v.panX = 0; v.panY = 0; } window.tumorscope.setZoom(1);").await;
    wait_drawn(client, before).await;
    let png = client
        .find(Locator::Id("views"))
        .await
        .unwrap()
        .screenshot()
        .await
        .expect("element screenshot");
    std::fs::write(screenshot_dir().join(format!("{tag}-views-fit.png")), png).unwrap();
    eprintln!(
        "{tag}: screenshots in `{}` and `{}`",
        path.display(),
        page.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phantom_cohort_in_chromium() {
    let Some(tools) = Tools::find_or_skip("phantom_cohort_in_chromium") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let written = write_cohort(
        dir.path(),
        &PhantomOptions {
            patients: 3,
            ..PhantomOptions::default()
        },
        true,
    )
    .unwrap();
    let source = Arc::new(scan_source(std::slice::from_ref(&written.root)));
    let truth = written
        .patients
        .iter()
        .find(|p| !p.tumors.is_empty())
        .expect("a patient with tumors");
    let id = source.id_of(&truth.label).expect("scanned patient");
    let image = source.load(id).unwrap();
    let server = serve(source.clone());
    let driver = Driver::start(&tools);
    let client = driver.browser(1400, 1000).await;
    open_patient(&client, &server.url(), id).await;
    // The list shows every patient and filters.
    let rows = client
        .find_all(Locator::Css("#patients tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), written.patients.len());
    // The page's tumor 1 is the truth's largest tumor: its centroid is the truth centre.
    let stats = js(&client, "return window.tumorscope.state.stats;").await;
    assert_eq!(
        stats["tumor_count"].as_u64().unwrap() as usize,
        truth.tumors.len()
    );
    let largest = truth.tumors.iter().max_by_key(|t| t.voxels).unwrap();
    let c: Vec<f64> = stats["tumors"][0]["centroid_ijk"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for a in 0..3 {
        assert!(
            (c[a] - largest.centre_ijk[a] as f64).abs() <= 0.5,
            "centroid {c:?} vs truth {:?}",
            largest.centre_ijk
        );
    }
    exercise(&client, &image, "phantom", 1.0).await;
    // The filter hides the others.
    let filter = client.find(Locator::Id("patient-filter")).await.unwrap();
    filter.send_keys(&truth.label).await.unwrap();
    let rows = client
        .find_all(Locator::Css("#patients tbody tr"))
        .await
        .unwrap();
    let labels: Vec<&str> = written
        .patients
        .iter()
        .map(|p| p.label.as_str())
        .filter(|l| l.contains(truth.label.as_str()))
        .collect();
    assert_eq!(rows.len(), labels.len());
    client.close().await.unwrap();
    server.shutdown().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_patient_1_17_in_chromium() {
    let Some(data) = real_patient_or_skip("real_patient_1_17_in_chromium") else {
        return;
    };
    let Some(tools) = Tools::find_or_skip("real_patient_1_17_in_chromium") else {
        return;
    };
    let source = Arc::new(scan_source(&[data]));
    let id = source.id_of("3Dircadb1.17").expect("3Dircadb1.17 scanned");
    let image = source.load(id).unwrap();
    assert_eq!(image.ct.geometry.dims, [512, 512, 119]);
    let server = serve(source.clone());
    let driver = Driver::start(&tools);
    let client = driver.browser(1400, 1000).await;
    open_patient(&client, &server.url(), id).await;
    // Physical aspect: the coronal image is 119 × 1.6 mm tall and 512 × 0.743 mm wide.
    let a = viewport_point(&client, "coronal", [0, 0, 0]).await;
    let b = viewport_point(&client, "coronal", [511, 0, 118]).await;
    let ratio = (a.1 - b.1).abs() / (b.0 - a.0).abs();
    let want = (118.0 * 1.6000000238) / (511.0 * 0.742999970912933);
    assert!(
        (ratio - want).abs() < 0.01,
        "coronal aspect {ratio} vs {want}"
    );
    exercise(&client, &image, "ircadb1.17", 4.0).await;
    let timings = js(&client, "return window.tumorscope.state.timings;").await;
    eprintln!("ircadb1.17 timings (debug build of the server): {timings}");
    client.close().await.unwrap();
    server.shutdown().unwrap();
}
