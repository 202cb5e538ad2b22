//! Tumor analysis of CT masks: 3D connected components, lesion and organ metrics, tumor
//! burden, RECIST 1.1 target lesions and cohort summaries.
//!
//! Pure computation: this crate reads a [`tumorscope_core::PatientImage`] and returns
//! serde-serializable results; it does no I/O and formats no text for people (the report crate
//! and the CLI do). Field names of [`PatientStats`], [`TumorStats`] and [`CohortStats`] are the
//! public JSON/CSV schema.
//!
//! Definitions worth knowing:
//! - a tumor is a connected component (26-connected by default) of the union of the tumor
//!   masks, so two touching masks make one tumor and one mask with two blobs makes two;
//! - tumor ids run by volume, largest first;
//! - diameters are distances between voxel centres: `max_diameter_mm` in 3D (Feret, via an
//!   exact convex hull), `axial_diameter_mm` on one axial slice (the RECIST long axis), and
//!   `axial_short_axis_mm` as the width across it (see [`axial`]);
//! - tumor burden = 100 × tumor volume / (liver mask ∪ tumor masks) volume;
//! - each tumor is measured against every vessel structure (role vessel): the exact minimum
//!   distance between their voxel centres, the nearest points, contact area and overlap.
//!
//! ```
//! use tumorscope_analysis::{analyze_patient, AnalysisOptions};
//! use tumorscope_core::{Geometry, LabelMask, PatientImage, Volume};
//!
//! let g = Geometry::axial([4, 4, 4], [1.0, 1.0, 1.0], [0.0; 3]);
//! let mut liver = vec![1u8; 64];
//! let mut tumor = vec![0u8; 64];
//! tumor[g.index([1, 1, 1])] = 1;
//! liver[0] = 0;
//! let image = PatientImage {
//!     patient: "demo".into(),
//!     ct: Volume::filled(g, 40i16),
//!     masks: vec![LabelMask::new("liver", liver), LabelMask::new("livertumor1", tumor)],
//! };
//! let stats = analyze_patient(&image, &AnalysisOptions::default()).unwrap();
//! assert_eq!(stats.tumor_count, 1);
//! assert_eq!(stats.tumors[0].voxels, 1);
//! assert_eq!(stats.liver_volume_ml, Some(0.063));
//! ```

pub mod axial;
mod cohort;
mod components;
mod distance;
mod error;
pub mod feret;
mod hu;
mod hull2d;
mod hull3d;
mod lesion;
mod options;
mod patient;
pub mod radiomics;
pub mod recist;
pub mod response;
pub mod stats;
pub mod surface;
mod tumor_masks;
mod vessels;
mod volume_scan;

pub use cohort::{
    summarize_cohort, CohortAccumulator, CohortStats, Summary, VolumeBin, VOLUME_BIN_EDGES_ML,
};
pub use components::{label_components, BadConnectivity, Components, Connectivity, LabelError};
pub use error::AnalysisError;
pub use hu::{hu_stats, HuStats};
pub use lesion::TumorStats;
pub use options::{AnalysisOptions, DEFAULT_VESSEL_MARGIN_MM, TUMOR_MASK_RULE};
pub use patient::{
    analyze_patient, LiverInclusion, OrganStats, PatientStats, INCLUDES_TUMORS_FRACTION,
    TUMOR_BURDEN_DEFINITION,
};
pub use recist::Recist;
pub use tumor_masks::tumor_masks;
pub use vessels::VesselDistance;
