//! The tumorscope viewer server: an axum router with a JSON API, raw typed-array payloads and
//! the embedded canvas-2D page (`viewer/`).
//!
//! The HTTP layer neither scans, loads nor analyses: it asks a [`PatientSource`].
//! [`DatasetSource`] is the one the binary ships (and the browser tests drive): patients of a
//! scanned dataset, loaded through `tumorscope-sources` on demand and measured with
//! `tumorscope-analysis`. The server keeps loaded images in a byte-bounded LRU [`ImageCache`],
//! encodes payloads ([`encode`]) and serves the page. See [`api`] for the routes.
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
mod dataset_source;
pub mod encode;
mod measurements;
mod serve;
mod source;
pub mod surfaces;

pub use api::router;
pub use assets::{asset, Asset, ASSETS};
pub use cache::{image_bytes, ImageCache, DEFAULT_CACHE_BYTES};
pub use dataset_source::DatasetSource;
pub use measurements::{measurements_file, MAX_BYTES as MAX_MEASUREMENT_BYTES};
pub use serve::{start, RunningServer, ServerError, ServerOptions};
pub use source::{PatientSource, PatientSummary, StructureSummary};
