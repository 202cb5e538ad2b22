//! `GET /api/patients/{id}/surfaces/{n}`: the 3D view's surface of structure `n` (its bit in the
//! mask payload), made once per patient and structure and kept in a small cache.
//!
//! The surface is `tumorscope-mesh`'s display mesh (exact marching cubes, smoothed, simplified);
//! each structure that can be shown (the first [`MAX_MASK_BITS`]) gets an equal share of
//! [`PATIENT_TRIANGLES`], a hard limit, so a patient stays within it whatever its structures.
//! The page asks for each structure's surface by itself, the visible ones when it opens and the
//! others when they are shown, so the first frame does not wait for the skin of a whole body.
//! At most 16 surfaces are made at once.
//!
//! Body: little-endian `Float32Array` of LPS millimetre positions (`x, y, z` per vertex), then
//! `Uint32Array` of triangle corners (counter-clockwise seen from outside). Headers:
//! `x-tumorscope-vertices`, `x-tumorscope-triangles`, `x-tumorscope-full-triangles` (the exact
//! surface's count). Compressed on the wire like every payload.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::OnceCell;
use tumorscope_core::PatientImage;
use tumorscope_mesh::{display_mesh, structure_mesh, DisplayMesh, DisplayOptions};

use crate::api::{error, parse_id, AppState};
use crate::encode::MAX_MASK_BITS;

/// Triangles a patient's surfaces share.
pub const PATIENT_TRIANGLES: usize = 400_000;
/// Surfaces kept (each a few MB at most).
const CACHED_SURFACES: usize = 64;

type Slot = Arc<OnceCell<Arc<Encoded>>>;

/// A surface as sent.
pub(crate) struct Encoded {
    body: Bytes,
    vertices: usize,
    triangles: usize,
    full_triangles: usize,
}

/// Surfaces by `(patient, structure)`, the oldest dropped past [`CACHED_SURFACES`].
#[derive(Default)]
pub(crate) struct SurfaceCache {
    inner: Mutex<Slots>,
}

/// Each slot with its last use (a counter), and the counter.
#[derive(Default)]
struct Slots {
    by_key: HashMap<(u32, usize), (u64, Slot)>,
    clock: u64,
}

impl SurfaceCache {
    fn slot(&self, key: (u32, usize)) -> Slot {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let Slots { by_key, clock } = &mut *guard;
        *clock += 1;
        let now = *clock;
        let entry = by_key.entry(key).or_insert_with(|| (now, Slot::default()));
        entry.0 = now;
        let slot = entry.1.clone();
        while by_key.len() > CACHED_SURFACES {
            let Some(oldest) = by_key
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            by_key.remove(&oldest);
        }
        slot
    }
}

/// The display options of a patient with `structures` structures: an equal share of the
/// budget for each one the viewer can show (12 500 triangles at the least, with 32).
pub fn options_for(structures: usize) -> DisplayOptions {
    DisplayOptions {
        max_triangles: PATIENT_TRIANGLES / structures.clamp(1, MAX_MASK_BITS),
        ..DisplayOptions::default()
    }
}

/// The display surface of mask `n` of `image`.
pub fn surface(image: &PatientImage, n: usize) -> Option<DisplayMesh> {
    let mask = image.masks.get(n)?;
    let mesh = structure_mesh(&mask.bits, &image.ct.geometry);
    Some(display_mesh(&mesh, options_for(image.masks.len())))
}

/// The body the route sends for `mesh`: positions, then triangle corners, little-endian.
pub fn surface_bytes(mesh: &DisplayMesh) -> Vec<u8> {
    encode(mesh).body.to_vec()
}

fn encode(mesh: &DisplayMesh) -> Encoded {
    let mut body = Vec::with_capacity(mesh.positions_lps_mm.len() * 12 + mesh.triangles.len() * 12);
    for p in &mesh.positions_lps_mm {
        for c in p {
            body.extend_from_slice(&c.to_le_bytes());
        }
    }
    for t in &mesh.triangles {
        for v in t {
            body.extend_from_slice(&v.to_le_bytes());
        }
    }
    Encoded {
        body: body.into(),
        vertices: mesh.positions_lps_mm.len(),
        triangles: mesh.triangles.len(),
        full_triangles: mesh.full_triangles,
    }
}

pub(crate) async fn get_surface(
    State(s): State<AppState>,
    Path((raw, n)): Path<(String, String)>,
) -> Response {
    let Some((id, summary)) = parse_id(&raw, &s) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Plain decimal structure numbers only, as patient ids.
    let n = match n.parse::<usize>() {
        Ok(v)
            if n.bytes().all(|b| b.is_ascii_digit())
                && v < summary.structures.len().min(MAX_MASK_BITS) =>
        {
            v
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let slot = s.surfaces.slot((id, n));
    // A surface made before is sent without the image (which may have left the image cache).
    let made = slot
        .get_or_try_init(|| async move {
            let image = s.cache.get(&s.source, id).await?;
            let _permit = s
                .surface_permits
                .acquire()
                .await
                .map_err(|e| format!("making the surface failed: {e}"))?;
            tokio::task::spawn_blocking(move || surface(&image, n).map(|m| Arc::new(encode(&m))))
                .await
                .map_err(|e| format!("making the surface failed: {e}"))?
                .ok_or_else(|| format!("patient `{id}` has no structure {n}"))
        })
        .await;
    let encoded = match made {
        Ok(e) => e.clone(),
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, e),
    };
    let mut response = Response::new(Body::from(encoded.body.clone()));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    for (name, value) in [
        ("x-tumorscope-vertices", encoded.vertices),
        ("x-tumorscope-triangles", encoded.triangles),
        ("x-tumorscope-full-triangles", encoded.full_triangles),
    ] {
        h.insert(name, HeaderValue::from(value as u64));
    }
    response
}
