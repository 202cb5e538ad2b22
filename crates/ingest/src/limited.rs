//! `LimitedReader`: enforces the size limits while an archive entry is read, so that a header
//! that lies about sizes cannot push a reader past them.

use std::cell::Cell;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::IngestError;
use crate::limits::Limits;
use crate::origin::Origin;

/// The limits of one walk plus its running count of uncompressed bytes read from archives.
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) limits: Limits,
    total_bytes: AtomicU64,
}

impl Budget {
    pub(crate) fn new(limits: Limits) -> Self {
        Budget {
            limits,
            total_bytes: AtomicU64::new(0),
        }
    }

    /// Whether the walk already read all the bytes it may.
    pub(crate) fn exhausted(&self) -> bool {
        self.total_bytes.load(Ordering::Relaxed) > self.limits.max_total_bytes
    }

    /// Adds `bytes` read to the walk's total; returns the new total.
    pub(crate) fn charge(&self, bytes: u64) -> u64 {
        self.total_bytes
            .fetch_add(bytes, Ordering::Relaxed)
            .saturating_add(bytes)
    }
}

/// Why reading an entry failed: a limit tripped, or the inner reader failed (corrupt data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    EntryTooLarge {
        read: u64,
        limit: u64,
    },
    LargerThanDeclared {
        declared: u64,
    },
    TotalTooLarge {
        limit: u64,
    },
    Io {
        kind: io::ErrorKind,
        message: String,
    },
}

impl Failure {
    /// An error of the inner reader.
    pub(crate) fn io(error: &io::Error) -> Self {
        Failure::Io {
            kind: error.kind(),
            message: error.to_string(),
        }
    }

    pub(crate) fn into_error(self, origin: &Origin) -> IngestError {
        let origin = origin.clone();
        match self {
            Failure::EntryTooLarge { read, limit } => IngestError::EntryTooLarge {
                origin,
                size: read,
                limit,
            },
            Failure::LargerThanDeclared { declared } => {
                IngestError::LargerThanDeclared { origin, declared }
            }
            Failure::TotalTooLarge { limit } => IngestError::TotalTooLarge { origin, limit },
            Failure::Io { kind, message } => IngestError::Io {
                origin,
                source: io::Error::new(kind, message),
            },
        }
    }
}

/// Where a limited reader records its first failure, for the walker to report once the visitor
/// is done (visitors only see an `io::Error`).
pub(crate) type FailureCell = Cell<Option<Failure>>;

/// Counts what passes through and fails once the entry grows past `max_entry_bytes`, past its
/// declared size, or takes the walk past `max_total_bytes`. It asks the inner reader for at most
/// one byte more than the tightest limit allows, so a bomb is never inflated further than that.
/// The first failure, a tripped limit or an error of the inner reader, is recorded in `failed`.
pub(crate) struct LimitedReader<'a, R> {
    inner: R,
    budget: &'a Budget,
    declared: Option<u64>,
    read: u64,
    origin: &'a Origin,
    failed: &'a FailureCell,
}

impl<'a, R: Read> LimitedReader<'a, R> {
    pub(crate) fn new(
        inner: R,
        budget: &'a Budget,
        declared: Option<u64>,
        origin: &'a Origin,
        failed: &'a FailureCell,
    ) -> Self {
        LimitedReader {
            inner,
            budget,
            declared,
            read: 0,
            origin,
            failed,
        }
    }

    fn fail(&self, failure: Failure) -> io::Error {
        record_failure(self.failed, self.origin, failure)
    }
}

/// Records `failure` in `failed` (keeping an earlier one) and returns the error the reader of
/// the entry at `origin` sees.
pub(crate) fn record_failure(failed: &FailureCell, origin: &Origin, failure: Failure) -> io::Error {
    let first = failed.take().unwrap_or(failure);
    let error = match &first {
        Failure::Io { kind, message } => io::Error::new(*kind, message.clone()),
        limit => io::Error::new(
            io::ErrorKind::InvalidData,
            limit.clone().into_error(origin).to_string(),
        ),
    };
    failed.set(Some(first));
    error
}

impl<R: Read> Read for LimitedReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(failure) = self.failed.take() {
            return Err(self.fail(failure));
        }
        let limits = &self.budget.limits;
        let cap = self
            .declared
            .unwrap_or(u64::MAX)
            .min(limits.max_entry_bytes);
        let allowed = cap.saturating_sub(self.read).saturating_add(1);
        let wanted = (buf.len() as u64).min(allowed) as usize;
        let n = match self.inner.read(&mut buf[..wanted]) {
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => return Err(error),
            // zip checks the declared size itself; name that failure like ours.
            Err(error) if error.to_string().contains("larger than its declared") => {
                let declared = self.declared.unwrap_or(self.read);
                return Err(self.fail(Failure::LargerThanDeclared { declared }));
            }
            Err(error) => return Err(self.fail(Failure::io(&error))),
        };
        self.read += n as u64;
        let total = self.budget.charge(n as u64);
        if self.read > limits.max_entry_bytes {
            return Err(self.fail(Failure::EntryTooLarge {
                read: self.read,
                limit: limits.max_entry_bytes,
            }));
        }
        if let Some(declared) = self.declared.filter(|declared| self.read > *declared) {
            return Err(self.fail(Failure::LargerThanDeclared { declared }));
        }
        if total > limits.max_total_bytes {
            return Err(self.fail(Failure::TotalTooLarge {
                limit: limits.max_total_bytes,
            }));
        }
        Ok(n)
    }
}

/// Records the first error of a plain file's reader in `failed` (no limits: files on disk are
/// the user's own), so every leaf ends as either an item or an error.
pub(crate) struct RecordingReader<'a, R> {
    pub(crate) inner: R,
    pub(crate) failed: &'a FailureCell,
}

impl<R: Read> Read for RecordingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|error| {
            if error.kind() != io::ErrorKind::Interrupted {
                let first = self.failed.take().unwrap_or(Failure::Io {
                    kind: error.kind(),
                    message: error.to_string(),
                });
                self.failed.set(Some(first));
            }
        })
    }
}
