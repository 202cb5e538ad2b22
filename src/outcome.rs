//! How a command ends, and the exit status a script can rely on.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | everything was read and done |
//! | 1 | done, but some inputs were skipped (each named on stderr) |
//! | 2 | usage error or fatal error (message on stderr) |
//! | 3 | no image data found in the inputs |
//! | 4 | an output location is not writable |

use std::path::PathBuf;
use std::process::ExitCode;

/// The exit-status table, for `--help`.
pub const EXIT_CODES_HELP: &str = "Exit status:
  0  everything was read and done
  1  done, but some inputs were skipped (each is named on stderr)
  2  usage error, or a fatal error (the message says which)
  3  no image data found in the inputs
  4  an output location is not writable";

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything was read.
    Complete,
    /// The command finished but skipped something (reported on stderr).
    Skipped,
}

impl Outcome {
    /// `Skipped` when anything was skipped, else `Complete`.
    pub fn of<T>(skipped: &[T]) -> Self {
        if skipped.is_empty() {
            Self::Complete
        } else {
            Self::Skipped
        }
    }

    pub fn exit_code(self) -> ExitCode {
        match self {
            Self::Complete => ExitCode::SUCCESS,
            Self::Skipped => ExitCode::from(1),
        }
    }
}

/// Failures that have an exit status of their own.
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    #[error("no image data found in {inputs}: {found}\nhint: tumorscope reads DICOM (folders, zips), LiTS/MSD NIfTI; `tumorscope scan -v PATH` shows what each file is")]
    NoImageData { inputs: String, found: String },
    #[error("cannot write to `{}`: {reason}", path.display())]
    OutputNotWritable { path: PathBuf, reason: String },
}

impl Fatal {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Self::NoImageData { .. } => ExitCode::from(3),
            Self::OutputNotWritable { .. } => ExitCode::from(4),
        }
    }
}
