//! The HTTP routes: JSON documents about patients, raw typed-array payloads and the page.
//!
//! | route | answer |
//! |---|---|
//! | `GET /api/patients` | `[PatientSummary]` |
//! | `GET /api/patients/{id}?stats=` | geometry, structures (name, role, bit, colour), metadata, stats (loads and analyses unless `stats=false`) |
//! | `GET /api/patients/{id}/ct?level=&k0=&k1=` | little-endian `Int16Array` bytes |
//! | `GET /api/patients/{id}/masks?level=&k0=&k1=` | bit `n` = structure `n`, 1/2/4 bytes per voxel |
//! | `GET`/`PUT /api/patients/{id}/measurements` | the viewer's measurements of a patient (JSON array; 404 when the server saves none) |
//! | `GET /api/patients/{id}/surfaces/{n}` | structure `n`'s smoothed, simplified surface for the 3D view ([`crate::surfaces`]) |
//! | `GET /api/presets` | window presets of `tumorscope-core` |
//! | `GET /`, `GET /{asset}` | the embedded page |
//!
//! Binary payloads carry `x-tumorscope-dims` (`columns,rows,slices` of the payload),
//! `x-tumorscope-step` (column/row step) and `x-tumorscope-k0` (first slice). Ids are the small
//! integers of the list; anything else, and every unknown path, is a 404.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tumorscope_analysis::PatientStats;
use tumorscope_core::{color_hex, structure_colors, StructureRole, WINDOW_PRESETS};

use crate::assets::asset;
use crate::cache::ImageCache;
use crate::encode::{ct_bytes, mask_bytes, mask_bytes_per_voxel, Selection, MAX_MASK_BITS};
use crate::{PatientSource, PatientSummary};

/// Surfaces made at once: a bound on threads and memory when a patient shows many structures
/// (TotalSegmentator's 100+). More than the cores on purpose: with one per core, the liver's
/// surface queued behind others made 1.17's first 3D frame 0.4 s later (measured).
const SURFACES_AT_ONCE: usize = 16;

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub source: Arc<dyn PatientSource>,
    pub cache: Arc<ImageCache>,
    pub viewer_dir: Option<Arc<PathBuf>>,
    /// Where measurements are saved (`None`: not saved).
    pub measurements: Option<Arc<PathBuf>>,
    /// The 3D view's surfaces made so far.
    pub surfaces: Arc<crate::surfaces::SurfaceCache>,
    /// Surfaces made at once (see [`SURFACES_AT_ONCE`]).
    pub surface_permits: Arc<tokio::sync::Semaphore>,
}

/// The router of the API and the page over `source`, caching up to `cache_bytes` of images.
pub fn router(
    source: Arc<dyn PatientSource>,
    cache_bytes: u64,
    viewer_dir: Option<PathBuf>,
    measurements_dir: Option<PathBuf>,
) -> Router {
    let state = AppState {
        source,
        cache: Arc::new(ImageCache::new(cache_bytes)),
        viewer_dir: viewer_dir.map(Arc::new),
        measurements: measurements_dir.map(Arc::new),
        surfaces: Arc::default(),
        surface_permits: Arc::new(tokio::sync::Semaphore::new(SURFACES_AT_ONCE)),
    };
    Router::new()
        .route("/", get(index))
        .route("/api/presets", get(presets))
        .route("/api/patients", get(list))
        .route("/api/patients/{id}", get(patient))
        .route("/api/patients/{id}/ct", get(ct))
        .route("/api/patients/{id}/masks", get(masks))
        .route(
            "/api/patients/{id}/measurements",
            get(crate::measurements::get_measurements).put(crate::measurements::put_measurements),
        )
        .route(
            "/api/patients/{id}/surfaces/{n}",
            get(crate::surfaces::get_surface),
        )
        .route("/{name}", get(static_file))
        .fallback(not_found)
        .with_state(state)
        // Fastest levels: CT payloads are tens of MB and the link is usually local.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

async fn index(State(s): State<AppState>) -> Response {
    serve_asset("index.html", &s)
}

async fn static_file(State(s): State<AppState>, Path(name): Path<String>) -> Response {
    serve_asset(&name, &s)
}

fn serve_asset(name: &str, s: &AppState) -> Response {
    match asset(name, s.viewer_dir.as_deref().map(|p| p.as_path())) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Serialize)]
struct PresetJson {
    name: &'static str,
    width: f64,
    center: f64,
    source: &'static str,
}

async fn presets() -> Json<Vec<PresetJson>> {
    Json(
        WINDOW_PRESETS
            .iter()
            .map(|p| PresetJson {
                name: p.name,
                width: p.window.width,
                center: p.window.center,
                source: p.source,
            })
            .collect(),
    )
}

async fn list(State(s): State<AppState>) -> Response {
    let source = s.source.clone();
    match tokio::task::spawn_blocking(move || source.patients()).await {
        Ok(list) => Json(list).into_response(),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("listing patients failed: {e}"),
        ),
    }
}

/// A structure as the page sees it.
#[derive(Debug, Serialize)]
pub struct StructureJson {
    pub name: String,
    pub role: StructureRole,
    /// Bit in the mask payload; `None` past the 32nd structure.
    pub bit: Option<usize>,
    /// Default overlay colour, `#rrggbb`.
    pub color: String,
}

/// The patient document.
#[derive(Debug, Serialize)]
pub struct PatientJson {
    #[serde(flatten)]
    pub summary: PatientSummary,
    /// Row-major 4×4 affine from `[i, j, k, 1]` to LPS mm.
    pub voxel_to_patient: [[f64; 4]; 4],
    pub structure_list: Vec<StructureJson>,
    pub mask_bytes_per_voxel: usize,
    pub metadata: Vec<(String, String)>,
    pub stats: Option<PatientStats>,
}

pub(crate) fn parse_id(raw: &str, s: &AppState) -> Option<(u32, PatientSummary)> {
    // Only plain decimal integers: no signs, spaces or paths.
    if raw.is_empty() || raw.len() > 9 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id: u32 = raw.parse().ok()?;
    let summary = s.source.patients().into_iter().find(|p| p.id == id)?;
    Some((id, summary))
}

/// Query of the patient document: `stats=false` answers from the scan alone, without loading.
#[derive(Debug, Deserialize)]
pub struct PatientQuery {
    pub stats: Option<bool>,
}

async fn patient(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    query: Result<Query<PatientQuery>, QueryRejection>,
) -> Response {
    let Some((id, summary)) = parse_id(&raw, &s) else {
        return not_found().await;
    };
    let want_stats = query
        .map(|Query(q)| q.stats.unwrap_or(true))
        .unwrap_or(true);
    let image = if want_stats {
        match s.cache.get(&s.source, id).await {
            Ok(image) => Some(image),
            Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
        }
    } else {
        None
    };
    let source = s.source.clone();
    let work = move || {
        (
            image.and_then(|image| source.stats(id, &image)),
            source.metadata(id),
        )
    };
    let (stats, metadata) = match tokio::task::spawn_blocking(work).await {
        Ok(v) => v,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("analysis failed: {e}"),
            )
        }
    };
    // The list may have learnt the tumor count meanwhile.
    let summary = s
        .source
        .patients()
        .into_iter()
        .find(|p| p.id == id)
        .unwrap_or(summary);
    // The same palette as the PNGs: the default colours come from `tumorscope-core`, unless
    // the structure's file gives one (an RTSTRUCT's ROI Display Color, a SEG's CIELab value).
    let colors = structure_colors(summary.structures.iter().map(|s| (s.name.as_str(), s.role)));
    let structure_list = summary
        .structures
        .iter()
        .zip(colors)
        .enumerate()
        .map(|(n, (s, rgb))| StructureJson {
            name: s.name.clone(),
            role: s.role,
            bit: (n < MAX_MASK_BITS).then_some(n),
            color: color_hex(s.color_rgb.unwrap_or(rgb)),
        })
        .collect();
    let doc = PatientJson {
        voxel_to_patient: summary.geometry.voxel_to_patient_matrix(),
        mask_bytes_per_voxel: mask_bytes_per_voxel(summary.structures.len().min(MAX_MASK_BITS)),
        structure_list,
        metadata,
        stats,
        summary,
    };
    Json(doc).into_response()
}

/// Query of the binary payloads.
#[derive(Debug, Deserialize)]
pub struct PayloadQuery {
    pub level: Option<u32>,
    pub k0: Option<usize>,
    pub k1: Option<usize>,
}

#[derive(Clone, Copy)]
enum Payload {
    Ct,
    Masks,
}

async fn ct(
    state: State<AppState>,
    id: Path<String>,
    query: Result<Query<PayloadQuery>, QueryRejection>,
) -> Response {
    payload(state, id, query, Payload::Ct).await
}

async fn masks(
    state: State<AppState>,
    id: Path<String>,
    query: Result<Query<PayloadQuery>, QueryRejection>,
) -> Response {
    payload(state, id, query, Payload::Masks).await
}

async fn payload(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    query: Result<Query<PayloadQuery>, QueryRejection>,
    what: Payload,
) -> Response {
    let Ok(Query(q)) = query else {
        return error(
            StatusCode::BAD_REQUEST,
            "query must be `level`, `k0`, `k1` as integers".to_owned(),
        );
    };
    let Some((id, _)) = parse_id(&raw, &s) else {
        return not_found().await;
    };
    let image = match s.cache.get(&s.source, id).await {
        Ok(image) => image,
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let g = image.ct.geometry.clone();
    let sel = match Selection::new(&g, q.level, q.k0, q.k1) {
        Ok(sel) => sel,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let dims = sel.dims(&g);
    let encoded = tokio::task::spawn_blocking(move || match what {
        Payload::Ct => ct_bytes(&g, &image.ct.data, &sel),
        Payload::Masks => mask_bytes(&g, &image.masks, &sel),
    })
    .await;
    let bytes = match encoded {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("encoding failed: {e}"),
            )
        }
    };
    let mut response = Response::new(Body::from(bytes));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let text = |v: String| HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static(""));
    h.insert(
        "x-tumorscope-dims",
        text(format!("{},{},{}", dims[0], dims[1], dims[2])),
    );
    h.insert("x-tumorscope-step", text(sel.step.to_string()));
    h.insert("x-tumorscope-k0", text(sel.k0.to_string()));
    response
}

pub(crate) fn error(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "error": message }))).into_response()
}
