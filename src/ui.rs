//! Terminal output shared by the subcommands: lines on stdout/stderr that never panic on a
//! closed pipe, progress bars, skipped-file reports, atomic writes.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use tumorscope_dataset::Skipped;

use crate::Fatal;

/// Set once stdout is closed (`tumorscope analyze … | head -1`): later lines are dropped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes one line on stdout. A closed pipe is not an error (the work goes on, its files are
/// written, as ripgrep does); nothing here panics.
pub fn write_out(args: fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{args}").and_then(|()| out.flush()).is_err() {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes text on stdout as is (no newline added), like [`write_out`].
pub fn write_out_raw(text: &str) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes one line on stderr; a closed stderr is ignored.
pub fn write_err(args: fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "{args}");
}

/// `println!` that never panics: see [`write_out`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::ui::write_out(format_args!($($arg)*)) };
}
/// `eprintln!` that never panics: see [`write_err`].
macro_rules! errln {
    ($($arg:tt)*) => { $crate::ui::write_err(format_args!($($arg)*)) };
}
pub(crate) use {errln, outln};

/// Lines that parallel workers finish out of order, printed in input order: each as soon as
/// every line before it is known, so output is the same on every run.
pub struct OrderedLines {
    state: std::sync::Mutex<(usize, std::collections::BTreeMap<usize, Line>)>,
}

/// A line for stdout or for stderr.
pub enum Line {
    Out(String),
    Err(String),
}

impl OrderedLines {
    pub fn new() -> Self {
        Self {
            state: std::sync::Mutex::new((0, std::collections::BTreeMap::new())),
        }
    }

    /// Records line number `index` (one per input, numbered from 0) and prints every line now
    /// in order through `print`.
    pub fn put(&self, index: usize, line: Line, print: impl Fn(&Line)) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.1.insert(index, line);
        loop {
            let next = state.0;
            let Some(line) = state.1.remove(&next) else {
                break;
            };
            print(&line);
            state.0 += 1;
        }
    }
}

impl Line {
    pub fn print(&self) {
        match self {
            Line::Out(text) => write_out(format_args!("{text}")),
            Line::Err(text) => write_err(format_args!("{text}")),
        }
    }
}

/// What every subcommand needs to talk to the user.
#[derive(Debug, Clone)]
pub struct Ui {
    pub quiet: bool,
}

impl Ui {
    /// A spinner counting files, hidden when quiet or when stderr is not a terminal.
    pub fn file_counter(&self, what: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {pos} files ({per_sec}) {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }

    /// A bar over `len` items (patients, files).
    pub fn bar(&self, len: u64, what: &str) -> ProgressBar {
        if self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(what.to_owned());
        bar
    }
}

/// Runs one patient's work; a panic (a bug) becomes that patient's error, so the batch goes
/// on and the user learns which patient and what to report.
pub fn isolate_panics<T>(work: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(anyhow::anyhow!(
            "internal error: {message}\nhint: this is a bug in tumorscope; please report it with this message and, if you can, the file"
        ))
    })
}

/// Prints skipped files on stderr, one per line, with their full origin.
pub fn report_skipped(skipped: &[Skipped]) {
    for s in skipped {
        errln!("skipped: `{}`: {}", s.origin, s.reason);
    }
}

/// Checks before any work that `dir` can hold outputs: it is a folder, or does not exist yet
/// and its nearest existing ancestor is a folder; and a file can be created there. Nothing is
/// left behind (the probe file is removed, no folder is created).
pub fn check_output_dir(dir: &Path) -> Result<(), crate::Fatal> {
    let fail = |reason: String| crate::Fatal::OutputNotWritable {
        path: dir.to_path_buf(),
        reason,
    };
    let mut existing = dir;
    while !existing.as_os_str().is_empty() && !existing.exists() {
        existing = existing.parent().unwrap_or(Path::new(""));
    }
    if existing.as_os_str().is_empty() {
        existing = Path::new(".");
    }
    if !existing.is_dir() {
        return Err(fail(if existing == dir {
            "it is a file, not a folder".into()
        } else {
            format!("`{}` is a file, not a folder", existing.display())
        }));
    }
    tempfile::NamedTempFile::new_in(existing)
        .map(drop)
        .map_err(|e| fail(e.to_string()))
}

/// Checks before any work that the file `path` can be written: not a folder, and its folder
/// writable (created when missing).
pub fn check_output_file(path: &Path) -> Result<(), crate::Fatal> {
    if path.is_dir() {
        return Err(crate::Fatal::OutputNotWritable {
            path: path.to_path_buf(),
            reason: "it is a folder, not a file".into(),
        });
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    check_output_dir(dir)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
///
/// A failure (a full disk, a quota, a read-only file system) is [`Fatal::OutputNotWritable`]
/// naming `path` (exit status 4); the temporary file is removed, so no partial file is left.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let not_writable = |e: std::io::Error| Fatal::OutputNotWritable {
        path: path.to_owned(),
        reason: e.to_string(),
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(not_writable)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(not_writable)?;
    tmp.write_all(bytes).map_err(not_writable)?;
    // Temporary files are private (0600); results are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(not_writable)?;
    }
    // The persist error repeats its io::Error as its source: keep only the io::Error.
    tmp.persist(path).map_err(|e| not_writable(e.error))?;
    Ok(())
}

/// A file written in pieces and put in place at once: its bytes go to a temporary file in the
/// same folder, renamed over `path` by [`commit`](Self::commit); dropped uncommitted, it leaves
/// nothing behind. Errors are [`Fatal::OutputNotWritable`] naming `path` (exit status 4).
pub struct AtomicFile {
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
}

impl AtomicFile {
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| not_writable(path, &e))?;
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| not_writable(path, &e))?;
        Ok(Self {
            path: path.to_owned(),
            tmp,
        })
    }

    /// A buffered writer into the temporary file.
    pub fn writer(&self) -> anyhow::Result<Box<dyn Write + Send>> {
        let file = self
            .tmp
            .as_file()
            .try_clone()
            .map_err(|e| not_writable(&self.path, &e))?;
        Ok(Box::new(std::io::BufWriter::with_capacity(1 << 16, file)))
    }

    /// Puts the file in place (the writers must have been flushed).
    pub fn commit(self) -> anyhow::Result<()> {
        let path = self.path;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            self.tmp
                .as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(|e| not_writable(&path, &e))?;
        }
        self.tmp
            .persist(&path)
            .map_err(|e| not_writable(&path, &e.error))?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn not_writable(path: &Path, e: &std::io::Error) -> Fatal {
    Fatal::OutputNotWritable {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Whether `e` is the file system refusing to store more (a full disk, a quota, a file-size
/// limit, a read-only file system): such an error ends a batch with status 4, not 1.
pub fn is_storage_error(e: &anyhow::Error) -> bool {
    use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, ReadOnlyFilesystem, StorageFull};
    e.chain().any(|c| {
        c.downcast_ref::<Fatal>()
            .is_some_and(|f| matches!(f, Fatal::OutputNotWritable { .. }))
            || c.downcast_ref::<std::io::Error>().is_some_and(|io| {
                matches!(
                    io.kind(),
                    StorageFull | QuotaExceeded | FileTooLarge | ReadOnlyFilesystem
                )
            })
    })
}

/// Logs to stderr; `-v` shows info, `-vv` debug. `RUST_LOG` overrides.
///
/// The readers' own warnings (dicom-rs on a missing meta attribute, codecs on odd streams)
/// are shown from `-v` on, each under the span naming the file it concerns
/// (`file{origin=…}`); without `-v` only their errors are, and tumorscope reports the files
/// it skips itself.
pub fn init_tracing(verbose: u8) {
    const DEPENDENCIES_QUIET: &str =
        "warn,dicom_object=error,dicom_parser=error,dicom_encoding=error,\
         dicom_pixeldata=error,dicom_transfer_syntax_registry=error,jpeg2k=error,openjp2=error";
    let level = match verbose {
        0 => DEPENDENCIES_QUIET,
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .try_init();
}
