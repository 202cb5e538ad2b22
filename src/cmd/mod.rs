//! One module per subcommand; each declares its `Args` and one `execute` function.

pub mod analyze;
pub mod demo;
pub mod export;
pub mod export_seg;
pub mod inputs;
pub mod merge;
pub mod metadata;
pub mod organize;
pub mod plan;
pub mod render;
pub mod response;
pub mod run;
pub mod scan;
pub mod stored;
pub mod view;

/// A patient label or structure name as one safe path component (labels come from files).
pub fn organize_name(name: &str) -> anyhow::Result<String> {
    let p = tumorscope_ingest::safe_relative_path(name)
        .map_err(|e| anyhow::anyhow!("`{name}` cannot be a folder name: {e}"))?;
    anyhow::ensure!(
        p.components().count() == 1,
        "`{name}` cannot be a folder name: it has several parts"
    );
    Ok(p.to_string_lossy().into_owned())
}
