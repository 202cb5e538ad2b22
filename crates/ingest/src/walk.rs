//! `walk`: folders and (nested) zip archives fanned out over rayon, every leaf handed to the
//! caller's visitor with its origin; failures collected, never fatal to the walk.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use walkdir::WalkDir;
use zip::ZipArchive;

use crate::archive::{
    check_member, looks_like_archive, member_info, open_archive, open_member, MemberContext,
    Opened, Treat,
};
use crate::entry::{Entry, Peekable, RawRead};
use crate::error::IngestError;
use crate::limited::{Budget, FailureCell, RecordingReader};
use crate::limits::WalkOptions;
use crate::origin::Origin;
use crate::positional::Positional;
use crate::source::Source;

/// The caller's answer about a folder, archive or file before the walker opens it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visit {
    /// Open it: descend into a folder or archive, hand a leaf to the visitor.
    Enter,
    /// Leave it alone: nothing under it is opened, read or reported.
    Skip,
}

/// Everything a walk produced.
#[derive(Debug)]
pub struct WalkResult<T> {
    /// One value per visited leaf, sorted by origin. A leaf whose reading failed (a limit
    /// tripped, corrupt data, bad checksum, an I/O error) has no item: its error is in `errors`
    /// instead, so every leaf ends as exactly one item or one error.
    pub items: Vec<(Origin, T)>,
    /// Everything that could not be walked or read, sorted by location.
    pub errors: Vec<IngestError>,
    /// How many archives were opened (nested ones included).
    pub archives: usize,
}

/// Asked before any folder, archive or file is opened (walk roots included).
pub type Select<'s> = &'s (dyn Fn(&Origin) -> Visit + Sync);
/// Called once per leaf file; its value is collected in [`WalkResult::items`].
pub type Visitor<'v, T> = &'v (dyn Fn(Entry<'_>) -> T + Sync);

/// Walks `paths` (files, folders, zip archives), descending into nested zips in memory, and
/// calls `visit` on every leaf file, in parallel.
///
/// `select` is asked about every folder, file and archive member before it is opened; `Skip`
/// prunes it. Archive members that are folders are skipped silently. Files named `.zip`, or
/// starting with the zip magic, are opened as archives (see the crate docs). Inputs are opened
/// read-only and never modified; nothing is extracted to disk.
pub fn walk<T: Send>(
    paths: &[PathBuf],
    options: &WalkOptions,
    select: Select<'_>,
    visit: Visitor<'_, T>,
) -> WalkResult<T> {
    let walker = Walker::new(options, select, visit);
    paths.par_iter().for_each(|path| walker.path(path));
    walker.finish()
}

/// Walks one in-memory file named `name` (an archive when [`walk`] would treat a file of that
/// name and content as one), with the same rules as [`walk`]. Origins start with `name`.
pub fn walk_bytes<T: Send>(
    name: &str,
    bytes: impl Into<Arc<[u8]>>,
    options: &WalkOptions,
    select: Select<'_>,
    visit: Visitor<'_, T>,
) -> WalkResult<T> {
    let walker = Walker::new(options, select, visit);
    let bytes: Arc<[u8]> = bytes.into();
    let origin = Origin::from(name);
    if walker.select(&origin) {
        if looks_like_archive(name, &bytes) {
            walker.archive(Source::memory(bytes), &origin, 1);
        } else {
            let size = bytes.len() as u64;
            let reader = Peekable::new(Box::new(&bytes[..]) as Box<dyn Read + '_>);
            let entry = Entry::new(&origin, Some(size), reader, None);
            walker.visit_leaf(entry, &FailureCell::new(None));
        }
    }
    walker.finish()
}

struct Walker<'w, T> {
    options: &'w WalkOptions,
    budget: Budget,
    select: Select<'w>,
    visit: Visitor<'w, T>,
    items: Mutex<Vec<(Origin, T)>>,
    errors: Mutex<Vec<IngestError>>,
    archives: AtomicUsize,
}

impl<'w, T: Send> Walker<'w, T> {
    fn new(options: &'w WalkOptions, select: Select<'w>, visit: Visitor<'w, T>) -> Self {
        Walker {
            options,
            budget: Budget::new(options.limits.clone()),
            select,
            visit,
            items: Mutex::new(Vec::new()),
            errors: Mutex::new(Vec::new()),
            archives: AtomicUsize::new(0),
        }
    }

    fn finish(self) -> WalkResult<T> {
        let mut items = self
            .items
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let mut errors = self
            .errors
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        errors.sort_by_cached_key(|error| (error.location(), error.to_string()));
        WalkResult {
            items,
            errors,
            archives: self.archives.into_inner(),
        }
    }

    fn select(&self, origin: &Origin) -> bool {
        (self.select)(origin) == Visit::Enter
    }

    fn error(&self, error: IngestError) {
        tracing::debug!(%error, "ingest error");
        self.errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(error);
    }

    fn path(&self, path: &Path) {
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => self.folder(path),
            Ok(_) => self.file(path),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                self.error(IngestError::NotFound {
                    path: path.to_path_buf(),
                })
            }
            Err(source) => self.error(IngestError::Io {
                origin: Origin::from_path(path),
                source,
            }),
        }
    }

    /// Lists the folder sequentially (cheap: metadata only), then reads its files in parallel.
    fn folder(&self, root: &Path) {
        let mut files = Vec::new();
        let entries = WalkDir::new(root)
            .follow_links(self.options.follow_symlinks)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                !entry.file_type().is_dir() || self.select(&Origin::from_path(entry.path()))
            });
        for entry in entries {
            match entry {
                Ok(entry) if entry.file_type().is_file() => files.push(entry.into_path()),
                Ok(entry) => {
                    if entry.file_type().is_symlink() {
                        tracing::debug!(path = %entry.path().display(), "symbolic link skipped");
                    }
                }
                Err(error) => self.error(walkdir_error(error)),
            }
        }
        files.par_iter().for_each(|path| self.file(path));
    }

    fn file(&self, path: &Path) {
        let origin = Origin::from_path(path);
        if !self.select(&origin) {
            return;
        }
        let io_error = |source| IngestError::Io {
            origin: origin.clone(),
            source,
        };
        let opened = File::open(path).and_then(|mut file| {
            let mut magic = Vec::with_capacity(4);
            (&mut file).take(4).read_to_end(&mut magic)?;
            file.seek(SeekFrom::Start(0))?;
            let size = file.metadata()?.len();
            Ok((file, magic, size))
        });
        let (file, magic, size) = match opened {
            Ok(opened) => opened,
            Err(source) => return self.error(io_error(source)),
        };
        if looks_like_archive(origin.as_str(), &magic) {
            match Source::file(file) {
                Ok(source) => self.archive(source, &origin, 1),
                Err(source) => self.error(io_error(source)),
            }
        } else {
            let failed = FailureCell::new(None);
            let recording = RecordingReader {
                inner: &file,
                failed: &failed,
            };
            let reader = Peekable::new(Box::new(recording) as Box<dyn Read + '_>);
            let entry = Entry::new(&origin, Some(size), reader, None);
            // Only where a positional read leaves the stream's cursor alone (pread): Windows'
            // `seek_read` moves it, and a reader falling back to the stream would misread.
            #[cfg(unix)]
            let entry = entry.with_positional(Positional::new(&file, size));
            self.visit_leaf(entry, &failed);
        }
    }

    /// Opens the archive in `source` and walks its members in parallel, each rayon worker with
    /// its own clone of the `ZipArchive` (the central directory is shared, not re-read).
    fn archive(&self, source: Source, origin: &Origin, depth: usize) {
        let archive = match open_archive(source.clone(), origin, depth, &self.options.limits) {
            Ok(archive) => archive,
            Err(error) => return self.error(error),
        };
        self.archives.fetch_add(1, Ordering::Relaxed);
        (0..archive.len()).into_par_iter().for_each_init(
            || archive.clone(),
            |archive, index| self.member(archive, &source, origin, depth, index),
        );
    }

    fn member(
        &self,
        archive: &mut ZipArchive<Source>,
        outer: &Source,
        archive_origin: &Origin,
        depth: usize,
        index: usize,
    ) {
        let info = match member_info(archive, index) {
            Ok(info) => info,
            Err(source) => {
                return self.error(IngestError::BadArchive {
                    origin: archive_origin.join_entry(&format!("#{index}")),
                    source,
                })
            }
        };
        if info.is_dir {
            return;
        }
        let origin = archive_origin.join_entry(&info.name);
        if !self.select(&origin) {
            return;
        }
        if let Err(error) = check_member(&info, &origin, &self.options.limits) {
            return self.error(error);
        }
        let failed = FailureCell::new(None);
        let context = MemberContext {
            origin: &origin,
            budget: &self.budget,
            depth,
            failed: &failed,
        };
        let opened = open_member(archive, outer, &info, Treat::Detect, &context);
        match opened {
            Ok(Opened::Archive(inner)) => self.archive(inner, &origin, depth + 1),
            Ok(Opened::Leaf(reader, raw)) => {
                let raw = raw.map(|deflate| RawRead {
                    deflate,
                    budget: &self.budget,
                    failed: &failed,
                });
                self.visit_leaf(Entry::new(&origin, Some(info.size), reader, raw), &failed)
            }
            Err(error) => self.error(error),
        };
    }

    /// Hands a leaf to the visitor; if reading it failed (a limit tripped, corrupt data), the
    /// error replaces the item.
    fn visit_leaf(&self, entry: Entry<'_>, failed: &FailureCell) {
        let origin = entry.origin;
        let item = (self.visit)(entry);
        if let Some(failure) = failed.take() {
            return self.error(failure.into_error(origin));
        }
        self.items
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((origin.clone(), item));
    }
}

fn walkdir_error(error: walkdir::Error) -> IngestError {
    let path = error.path().map(Path::to_path_buf).unwrap_or_default();
    if let Some(ancestor) = error.loop_ancestor() {
        return IngestError::SymlinkLoop {
            ancestor: ancestor.to_path_buf(),
            path,
        };
    }
    let origin = Origin::from_path(&path);
    let source = error
        .into_io_error()
        .unwrap_or_else(|| io::Error::other("folder walk failed"));
    IngestError::Io { origin, source }
}
