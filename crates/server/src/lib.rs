//! The tumorscope viewer server: an axum router with a JSON API, raw typed-array payloads and
//! the embedded canvas-2D page (`viewer/`).
//!
//! The server neither scans, loads nor analyses: the caller hands it a [`PatientSource`] (the
//! CLI implements one over a scanned DICOM dataset). The server keeps loaded images in a
//! byte-bounded LRU [`ImageCache`], encodes payloads ([`encode`]) and serves the page.
//! See [`api`] for the routes.
//!
//! ```no_run
//! # fn demo(source: std::sync::Arc<dyn tumorscope_server::PatientSource>) -> Result<(), tumorscope_server::ServerError> {
//! use tumorscope_server::{start, ServerOptions};
//! let server = start(source, &ServerOptions::default())?;
//! let _url = server.url(); // http://127.0.0.1:PORT/
//! server.wait()
//! # }
//! ```

pub mod api;
mod assets;
mod cache;
pub mod encode;
mod serve;
mod source;

pub use api::{default_color, router};
pub use assets::{asset, Asset, ASSETS};
pub use cache::{image_bytes, ImageCache, DEFAULT_CACHE_BYTES};
pub use serve::{start, RunningServer, ServerError, ServerOptions};
pub use source::{PatientSource, PatientSummary};
