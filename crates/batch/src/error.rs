//! Why a batch step could not go on; every variant names the file or setting.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("cannot read `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{path}` is not a tumorscope plan or result file this version reads")]
    Format {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("shard index {index} is not below the shard count {count}")]
    ShardOutOfRange { index: usize, count: usize },
    #[error("`{name}` = `{value}` is not a whole number")]
    BadVariable { name: String, value: String },
    #[error("no shard given: pass --shard-index (and --shard-count), or run inside a Slurm array, a Kubernetes Indexed Job or an AWS Batch array job")]
    NoShard,
}
