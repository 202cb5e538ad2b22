//! The viewer's measurements (lengths, ROIs), saved per patient as a JSON document in a folder
//! the front end chooses beside the catalog — never in the input data: `GET` and `PUT
//! /api/patients/{id}/measurements`. The server keeps the document as the page sends it (a JSON
//! array, at most [`MAX_BYTES`]); the page computes every value from the voxels it shows.

use std::path::{Path, PathBuf};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::api::AppState;

/// Largest document accepted.
pub const MAX_BYTES: usize = 1 << 20;

/// The file of patient `label` in `dir`: the label with anything but letters, digits, `.`, `_`
/// and `-` made `_`, and a digest of the label so two labels that read alike never share a file.
pub fn measurements_file(dir: &Path, label: &str) -> PathBuf {
    let safe: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    // FNV-1a: a stable name across runs and builds.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    dir.join(format!("{safe}-{:08x}.json", hash as u32))
}

/// The label of patient `id`, or why not.
async fn label_of(s: &AppState, id: u32) -> Result<(PathBuf, String), Response> {
    let Some(dir) = s.measurements.clone() else {
        return Err((
            StatusCode::NOT_FOUND,
            "measurements are not saved by this server",
        )
            .into_response());
    };
    let source = s.source.clone();
    let list = tokio::task::spawn_blocking(move || source.patients())
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())?;
    let label = list
        .into_iter()
        .find(|p| p.id == id)
        .map(|p| p.label)
        .ok_or_else(|| (StatusCode::NOT_FOUND, "no such patient").into_response())?;
    Ok((dir.as_ref().clone(), label))
}

pub(crate) async fn get_measurements(
    State(s): State<AppState>,
    UrlPath(id): UrlPath<u32>,
) -> Response {
    let (dir, label) = match label_of(&s, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let body = std::fs::read(measurements_file(&dir, &label)).unwrap_or_else(|_| b"[]".to_vec());
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

pub(crate) async fn put_measurements(
    State(s): State<AppState>,
    UrlPath(id): UrlPath<u32>,
    body: Bytes,
) -> Response {
    let (dir, label) = match label_of(&s, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    if body.len() > MAX_BYTES {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "measurements larger than 1 MiB",
        )
            .into_response();
    }
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(v) if v.is_array() => {}
        _ => return (StatusCode::BAD_REQUEST, "measurements must be a JSON array").into_response(),
    }
    let path = measurements_file(&dir, &label);
    match write_atomic(&dir, &path, &body) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot save `{}`: {e}", path.display()),
        )
            .into_response(),
    }
}

/// A temporary file in `dir`, renamed over `path`: a reader never sees half a document.
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
