//! The HTTP API in-process (no socket): a fake source with exactly known voxels and masks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;
use tumorscope_analysis::{analyze_patient, AnalysisOptions, PatientStats};
use tumorscope_core::{Geometry, LabelMask, PatientImage, StructureRole, Volume};
use tumorscope_server::{router, PatientSource, PatientSummary, StructureSummary};

const DIMS: [usize; 3] = [6, 5, 4];

/// Two patients on a 6×5×4 grid; CT value = linear index × 3 − 40; liver = slices 1..=2, tumor
/// = voxel [2, 2, 1]; "other" = voxel 0.
struct Fake {
    loads: AtomicUsize,
}

fn geometry() -> Geometry {
    Geometry::axial(DIMS, [0.8, 0.8, 2.5], [-10.0, 20.0, 5.0])
}

fn ct_value(n: usize) -> i16 {
    n as i16 * 3 - 40
}

impl PatientSource for Fake {
    fn patients(&self) -> Vec<PatientSummary> {
        (0..2)
            .map(|id| {
                let g = geometry();
                PatientSummary {
                    id,
                    label: format!("fake{id}"),
                    series_description: "fake ct".into(),
                    modality: "CT".into(),
                    geometry: g,
                    structures: [
                        ("other", StructureRole::Other),
                        ("liver", StructureRole::Liver),
                        ("livertumor1", StructureRole::Tumor),
                    ]
                    .into_iter()
                    .map(|(name, role)| StructureSummary {
                        name: name.into(),
                        role,
                        // A colour from the file (an RTSTRUCT's, say) wins over the palette.
                        color_rgb: (name == "other").then_some([1, 2, 3]),
                    })
                    .collect(),
                    tumor_count: None,
                    tumor_volume_ml: None,
                    tumor_burden_pct: None,
                    warnings: vec![],
                }
            })
            .collect()
    }

    fn load(&self, id: u32) -> Result<Arc<PatientImage>, String> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        // Slow enough that concurrent requests overlap the load.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let g = geometry();
        let ct = Volume {
            data: (0..g.len()).map(ct_value).collect(),
            geometry: g.clone(),
        };
        let mut other = vec![0u8; g.len()];
        other[0] = 1;
        let liver: Vec<u8> = (0..g.len())
            .map(|n| u8::from((1..=2).contains(&g.ijk(n)[2])))
            .collect();
        let mut tumor = vec![0u8; g.len()];
        tumor[g.index([2, 2, 1])] = 255;
        Ok(Arc::new(PatientImage {
            patient: format!("fake{id}"),
            ct,
            masks: vec![
                LabelMask::new("other", other),
                LabelMask::new("liver", liver),
                LabelMask::new("livertumor1", tumor),
            ],
        }))
    }

    fn stats(&self, _id: u32, image: &PatientImage) -> Option<PatientStats> {
        analyze_patient(image, &AnalysisOptions::default()).ok()
    }
}

fn app() -> (Router, Arc<Fake>) {
    let fake = Arc::new(Fake {
        loads: AtomicUsize::new(0),
    });
    (router(fake.clone(), 1 << 30, None, None), fake)
}

async fn get(app: &Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn lists_patients() {
    let (app, fake) = app();
    let (status, headers, body) = get(&app, "/api/patients").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    let list: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["label"], "fake1");
    assert_eq!(list[0]["dims"], serde_json::json!([6, 5, 4]));
    // Listing loads nothing.
    assert_eq!(fake.loads.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn patient_document_has_geometry_structures_and_stats() {
    let (app, fake) = app();
    let (status, _, body) = get(&app, "/api/patients/1?stats=false").await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["stats"], serde_json::Value::Null);
    assert_eq!(
        fake.loads.load(Ordering::SeqCst),
        0,
        "stats=false must not load"
    );
    let (status, _, body) = get(&app, "/api/patients/1").await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["spacing_mm"], serde_json::json!([0.8, 0.8, 2.5]));
    assert_eq!(doc["origin_mm"], serde_json::json!([-10.0, 20.0, 5.0]));
    assert_eq!(
        doc["voxel_to_patient"][0],
        serde_json::json!([0.8, 0.0, 0.0, -10.0])
    );
    assert_eq!(
        doc["voxel_to_patient"][2],
        serde_json::json!([0.0, 0.0, 2.5, 5.0])
    );
    assert_eq!(doc["mask_bytes_per_voxel"], 1);
    let s = &doc["structure_list"];
    assert_eq!(s[0]["role"], "other");
    assert_eq!(s[1]["role"], "liver");
    assert_eq!(s[2]["name"], "livertumor1");
    assert_eq!(s[2]["role"], "tumor");
    assert_eq!(s[2]["bit"], 2);
    // The one palette of tumorscope-core: the PNGs colour these alike.
    assert_eq!(s[2]["color"], "#ff2828");
    assert_eq!(s[0]["color"], "#010203");
    assert_eq!(s[1]["color"], "#3cc85a");
    assert_eq!(doc["stats"]["tumor_count"], 1);
    assert_eq!(
        doc["stats"]["tumors"][0]["centroid_ijk"],
        serde_json::json!([2.0, 2.0, 1.0])
    );
}

#[tokio::test]
async fn ct_bytes_are_exact() {
    let (app, _) = app();
    let (status, headers, body) = get(&app, "/api/patients/0/ct").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/octet-stream");
    assert_eq!(headers["x-tumorscope-dims"], "6,5,4");
    assert_eq!(body.len(), 2 * 6 * 5 * 4);
    let values: Vec<i16> = body
        .chunks(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    assert!(values.iter().enumerate().all(|(n, &v)| v == ct_value(n)));
    // A slab of slices 2..4 at level 1 (every other column and row).
    let (status, headers, body) = get(&app, "/api/patients/0/ct?level=1&k0=2&k1=4").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-tumorscope-dims"], "3,3,2");
    assert_eq!(headers["x-tumorscope-step"], "2");
    assert_eq!(headers["x-tumorscope-k0"], "2");
    let values: Vec<i16> = body
        .chunks(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let g = geometry();
    assert_eq!(values.len(), 18);
    assert_eq!(values[0], ct_value(g.index([0, 0, 2])));
    assert_eq!(values[4], ct_value(g.index([2, 2, 2])));
    assert_eq!(values[17], ct_value(g.index([4, 4, 3])));
    let (status, _, _) = get(&app, "/api/patients/0/ct?k0=3&k1=9").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = get(&app, "/api/patients/0/ct?level=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn masks_carry_one_bit_per_structure() {
    let (app, _) = app();
    let (status, _, body) = get(&app, "/api/patients/0/masks").await;
    assert_eq!(status, StatusCode::OK);
    let g = geometry();
    assert_eq!(body.len(), g.len());
    assert_eq!(body[0], 0b001);
    assert_eq!(body[g.index([2, 2, 1])], 0b110);
    assert_eq!(body[g.index([3, 2, 1])], 0b010);
    assert_eq!(body[g.index([3, 2, 3])], 0);
    let liver = body.iter().filter(|&&b| b & 0b010 != 0).count();
    assert_eq!(liver, 2 * 30);
}

#[tokio::test]
async fn unknown_ids_and_traversal_are_404() {
    let (app, fake) = app();
    for uri in [
        "/api/patients/2",
        "/api/patients/2/ct",
        "/api/patients/-1/ct",
        "/api/patients/+1",
        "/api/patients/01x/masks",
        "/api/patients/4294967296/ct",
        "/api/patients/..%2F..%2Fetc%2Fpasswd/ct",
        "/api/patients/0/../../../etc/passwd",
        "/../../etc/passwd",
        "/..%2F..%2FCargo.toml",
        "/Cargo.toml",
        "/viewer/index.html",
        "/api/nothing",
    ] {
        let (status, _, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            !String::from_utf8_lossy(&body).contains("[package]"),
            "{uri}"
        );
    }
    assert_eq!(fake.loads.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn serves_the_embedded_page() {
    let (app, _) = app();
    let (status, headers, body) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(String::from_utf8_lossy(&body).contains("viewer.js"));
    let (status, headers, _) = get(&app, "/viewer.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let (_, _, body) = get(&app, "/api/presets").await;
    let presets: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let liver = presets
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "liver")
        .unwrap();
    assert_eq!(
        (liver["width"].as_f64(), liver["center"].as_f64()),
        (Some(150.0), Some(30.0))
    );
}

#[tokio::test]
async fn compresses_when_asked() {
    let (app, _) = app();
    for (encoding, uri) in [
        ("gzip", "/api/patients/0/masks"),
        ("br", "/api/patients"),
        ("gzip", "/"),
    ] {
        let request = Request::get(uri)
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_ENCODING],
            encoding,
            "{uri}"
        );
    }
    let (_, headers, _) = get(&app, "/api/patients/0/masks").await;
    assert!(!headers.contains_key(header::CONTENT_ENCODING));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn answers_200_concurrent_requests_and_loads_once() {
    let (app, fake) = app();
    let uris = [
        "/api/patients/0/ct",
        "/api/patients/0/masks",
        "/api/patients",
        "/api/patients/0",
        "/",
    ];
    let mut tasks = Vec::new();
    for n in 0..200 {
        let app = app.clone();
        let uri = uris[n % uris.len()];
        tasks.push(tokio::spawn(async move { get(&app, uri).await.0 }));
    }
    let mut ok = 0;
    for t in tasks {
        if t.await.unwrap() == StatusCode::OK {
            ok += 1;
        }
    }
    assert_eq!(ok, 200);
    assert_eq!(
        fake.loads.load(Ordering::SeqCst),
        1,
        "one load shared by every request"
    );
}

#[tokio::test]
async fn cache_evicts_least_recently_used_over_budget() {
    let fake = Arc::new(Fake {
        loads: AtomicUsize::new(0),
    });
    // One image is 6·5·4 × 2 bytes of CT + 3 masks × 2 words of 8 bytes = 288 bytes: a
    // budget of 500 holds one.
    let app = router(fake.clone(), 500, None, None);
    assert_eq!(get(&app, "/api/patients/0/ct").await.0, StatusCode::OK);
    assert_eq!(get(&app, "/api/patients/0/masks").await.0, StatusCode::OK);
    assert_eq!(fake.loads.load(Ordering::SeqCst), 1);
    assert_eq!(get(&app, "/api/patients/1/ct").await.0, StatusCode::OK);
    assert_eq!(fake.loads.load(Ordering::SeqCst), 2);
    assert_eq!(get(&app, "/api/patients/1/masks").await.0, StatusCode::OK);
    assert_eq!(fake.loads.load(Ordering::SeqCst), 2);
    // Patient 0 was evicted: asking again loads it again.
    assert_eq!(get(&app, "/api/patients/0/ct").await.0, StatusCode::OK);
    assert_eq!(fake.loads.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn measurements_are_kept_per_patient_as_json_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let fake = Arc::new(Fake {
        loads: AtomicUsize::new(0),
    });
    let with = router(fake.clone(), 1 << 30, None, Some(dir.path().to_path_buf()));
    let put = |uri: &str, body: &'static str| {
        let app = with.clone();
        let uri = uri.to_owned();
        async move {
            app.oneshot(Request::put(uri).body(Body::from(body)).unwrap())
                .await
                .unwrap()
                .status()
        }
    };
    // Nothing saved yet: an empty list.
    let (status, _, body) = get(&with, "/api/patients/1/measurements").await;
    assert_eq!(
        (status, body.as_slice()),
        (StatusCode::OK, b"[]".as_slice())
    );
    assert_eq!(
        put("/api/patients/1/measurements", r#"[{"kind":"length"}]"#).await,
        StatusCode::NO_CONTENT
    );
    let (_, _, body) = get(&with, "/api/patients/1/measurements").await;
    assert_eq!(body, br#"[{"kind":"length"}]"#);
    // Per patient, in the folder given, under a name made from the label.
    let (_, _, other) = get(&with, "/api/patients/0/measurements").await;
    assert_eq!(other, b"[]");
    assert!(tumorscope_server::measurements_file(dir.path(), "fake1").is_file());
    // Anything but a JSON array, an unknown patient: refused, nothing written.
    assert_eq!(
        put("/api/patients/1/measurements", "{}").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put("/api/patients/1/measurements", "not json").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put("/api/patients/7/measurements", "[]").await,
        StatusCode::NOT_FOUND
    );
    let (_, _, body) = get(&with, "/api/patients/1/measurements").await;
    assert_eq!(body, br#"[{"kind":"length"}]"#);
    // A server without a folder saves none.
    let (app, _) = app();
    let (status, _, _) = get(&app, "/api/patients/1/measurements").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn surfaces_are_served_per_structure_in_patient_millimetres() {
    let (app, fake) = app();
    let (status, headers, body) = get(&app, "/api/patients/1/surfaces/2").await;
    assert_eq!(status, StatusCode::OK);
    let count = |name: &str| -> usize { headers[name].to_str().unwrap().parse().unwrap() };
    let (vertices, triangles) = (
        count("x-tumorscope-vertices"),
        count("x-tumorscope-triangles"),
    );
    // One voxel: the closed surface around its centre (6 faces, split as the mesh crate does).
    assert!(triangles >= 8 && vertices >= 6, "{vertices} {triangles}");
    assert_eq!(count("x-tumorscope-full-triangles"), triangles);
    assert_eq!(body.len(), vertices * 12 + triangles * 12);
    let positions: Vec<f32> = body[..vertices * 12]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let indices: Vec<u32> = body[vertices * 12..]
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert!(indices.iter().all(|&v| (v as usize) < vertices));
    // Within half a voxel of the tumor voxel's centre, in LPS millimetres.
    let centre = geometry().voxel_to_patient([2.0, 2.0, 1.0]);
    let half = [0.4, 0.4, 1.25];
    for p in positions.chunks_exact(3) {
        for a in 0..3 {
            assert!(
                (f64::from(p[a]) - centre[a]).abs() <= half[a] + 1e-4,
                "{p:?} vs {centre:?}"
            );
        }
    }
    // The same bytes as the library makes.
    let image = fake.load(1).unwrap();
    let made = tumorscope_server::surfaces::surface(&image, 2).unwrap();
    assert_eq!(tumorscope_server::surfaces::surface_bytes(&made), body);
    for bad in [
        "/api/patients/1/surfaces/3",
        "/api/patients/1/surfaces/x",
        "/api/patients/1/surfaces/-1",
        "/api/patients/1/surfaces/+1",
        "/api/patients/9/surfaces/0",
    ] {
        assert_eq!(get(&app, bad).await.0, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn a_surface_made_once_is_sent_without_loading_the_patient_again() {
    // An image cache of 0 bytes keeps only the patient asked for last.
    let fake = Arc::new(Fake {
        loads: AtomicUsize::new(0),
    });
    let app = router(fake.clone(), 0, None, None);
    let (status, _, first) = get(&app, "/api/patients/1/surfaces/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fake.loads.load(Ordering::SeqCst), 1);
    // Patient 0 pushes patient 1 out of the image cache.
    assert_eq!(get(&app, "/api/patients/0/ct").await.0, StatusCode::OK);
    assert_eq!(fake.loads.load(Ordering::SeqCst), 2);
    let (_, _, again) = get(&app, "/api/patients/1/surfaces/1").await;
    assert_eq!(again, first);
    assert_eq!(
        fake.loads.load(Ordering::SeqCst),
        2,
        "made once, not loaded again"
    );
    // Another structure of patient 1 needs its image again.
    assert_eq!(
        get(&app, "/api/patients/1/surfaces/2").await.0,
        StatusCode::OK
    );
    assert_eq!(fake.loads.load(Ordering::SeqCst), 3);
}
