//! Reading scenario files from disk and writing output directories.
//!
//! Reading: only regular files, up to a size limit ([`MAX_SCENARIO_BYTES`],
//! [`MAX_OUTPUT_BYTES`]), so that `/dev/zero`, `/dev/urandom` or a named
//! pipe named as an input is refused instead of exhausting memory or
//! hanging.
//!
//! Writing: an output directory is locked for the whole command
//! ([`OutDir`]), so that two runs cannot interleave their files; each file
//! is written to a fresh temporary file (created exclusively, never through
//! a planted link) and renamed into place.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use mcstress_scenario::data::DataFile;
use mcstress_scenario::import::Problem;
use mcstress_scenario::{FileKind, LoadError, Loaded, ResolveError, Setting, SourceFile};

use crate::InputError;

/// Largest scenario file read (each file of an `extends` chain), bytes.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Largest output file `chart` and `report` read back, bytes. The largest
/// file they read, `monthly.csv`, holds about 670 bytes per county and
/// month: some 320 MB for 2,000 counties over 240 months.
pub const MAX_OUTPUT_BYTES: u64 = 1 << 30;

/// The lock file of an output directory (see [`OutDir`]).
pub const LOCK_FILE: &str = ".mcstress.lock";

/// Why a file could not be read: the scenario loader's resolver error, used
/// for every file mcstress reads.
pub type ReadFail = ResolveError;

fn kind_of(t: fs::FileType) -> FileKind {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return FileKind::NamedPipe;
        }
        if t.is_char_device() || t.is_block_device() {
            return FileKind::Device;
        }
        if t.is_socket() {
            return FileKind::Socket;
        }
    }
    if t.is_dir() { FileKind::Directory } else { FileKind::Other }
}

fn io_fail(e: std::io::Error) -> ReadFail {
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadFail::NotFound,
        _ => ReadFail::Io(e),
    }
}

/// Reads a regular file of at most `limit` bytes as UTF-8 text.
///
/// The type is checked before opening (a named pipe would block the open)
/// and again on the opened handle (the path may have changed in between);
/// on Unix the file is opened non-blocking as well. At most `limit + 1`
/// bytes are read, so a file that grows while it is read cannot exceed it.
pub fn read_limited(path: &Path, limit: u64) -> Result<String, ReadFail> {
    String::from_utf8(read_bytes_limited(path, limit)?).map_err(|_| ReadFail::NotUtf8)
}

/// Largest data file (county file or ledger) read, bytes: a ledger of
/// Yunnan's 405,600 loans is about 80 MB as GBK CSV.
pub const MAX_DATA_BYTES: u64 = 1 << 30;

/// Reads a regular file of at most `limit` bytes (see [`read_limited`]).
pub fn read_bytes_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadFail> {
    let regular = |t: fs::FileType| {
        if t.is_file() { Ok(()) } else { Err(ReadFail::NotRegularFile { kind: kind_of(t) }) }
    };
    regular(fs::metadata(path).map_err(io_fail)?.file_type())?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io_fail)?;
    regular(file.metadata().map_err(io_fail)?.file_type())?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io_fail)?;
    if bytes.len() as u64 > limit {
        return Err(ReadFail::TooLarge { limit });
    }
    Ok(bytes)
}

fn read_source(path: &Path) -> Result<SourceFile, ResolveError> {
    let text = read_limited(path, MAX_SCENARIO_BYTES)?;
    let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(SourceFile { name: path.display().to_string(), key: key.display().to_string(), text })
}

/// Loads a scenario file (or the embedded default), resolving `extends`
/// relative to the file that names it.
pub fn load_scenario(path: Option<&Path>, variant: Option<&str>) -> anyhow::Result<(Loaded, String)> {
    load_scenario_with(path, variant, &[])
}

/// [`load_scenario`] with `--set` settings applied.
pub fn load_scenario_with(
    path: Option<&Path>,
    variant: Option<&str>,
    settings: &[Setting],
) -> anyhow::Result<(Loaded, String)> {
    let mut data =
        |f: &DataFile| -> Result<Vec<u8>, ResolveError> { read_bytes_limited(&data_path(f), MAX_DATA_BYTES) };
    let Some(path) = path else {
        // The embedded default names no data files, but `--set data.…` may.
        let name = mcstress_scenario::EMBEDDED_NAME;
        let main =
            SourceFile { name: name.into(), key: name.into(), text: mcstress_scenario::EMBEDDED_TEXT.into() };
        let loaded = mcstress_scenario::load_with_data(
            main,
            variant,
            settings,
            &mut mcstress_scenario::no_extends,
            &mut data,
        )
        .map_err(load_error)?;
        return Ok((loaded, name.to_string()));
    };
    let main = read_source(path)
        .map_err(|why| InputError(format!("{}: cannot read scenario: {why}", path.display())))?;
    let mut resolver = |from: &SourceFile, rel: &str| -> Result<SourceFile, ResolveError> {
        let base = Path::new(&from.name).parent().map(Path::to_path_buf).unwrap_or_default();
        read_source(&base.join(rel))
    };
    let mut data =
        |f: &DataFile| -> Result<Vec<u8>, ResolveError> { read_bytes_limited(&data_path(f), MAX_DATA_BYTES) };
    let loaded = mcstress_scenario::load_with_data(main, variant, settings, &mut resolver, &mut data)
        .map_err(load_error)?;
    Ok((loaded, path.display().to_string()))
}

/// Where a data file named in a scenario is: relative to the scenario file
/// that names it (to the working directory for `--set`).
pub fn data_path(f: &DataFile) -> PathBuf {
    let p = Path::new(&f.path);
    if p.is_absolute() || f.relative_to == mcstress_scenario::SETTINGS_NAME {
        return p.to_path_buf();
    }
    Path::new(&f.relative_to).parent().map(|d| d.join(p)).unwrap_or_else(|| p.to_path_buf())
}

/// A load failure as the command line reports it: a data file's row
/// problems keep their rows for `--row-report`.
pub fn load_error(e: LoadError) -> anyhow::Error {
    match e {
        LoadError::Data(d) if !d.problems().is_empty() => {
            DataProblems { file: d.file().to_string(), problems: d.problems().to_vec() }.into()
        }
        other => InputError(other.to_string()).into(),
    }
}

/// Problems in the rows of a data file: every one is kept; the message
/// shows the first [`SHOWN_PROBLEMS`], `--row-report FILE` writes them all.
#[derive(Debug)]
pub struct DataProblems {
    /// The file, as the user named it.
    pub file: String,
    /// Every problem, in row order.
    pub problems: Vec<Problem>,
}

/// Problems shown on standard error.
pub const SHOWN_PROBLEMS: usize = 50;

impl std::fmt::Display for DataProblems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.problems.len();
        write!(f, "{}: {n} problem{} in the rows:", self.file, if n == 1 { "" } else { "s" })?;
        for p in self.problems.iter().take(SHOWN_PROBLEMS) {
            write!(f, "\n  {}: {p}", self.file)?;
        }
        if n > SHOWN_PROBLEMS {
            write!(f, "\n  … and {} more: --row-report FILE writes them all as CSV", n - SHOWN_PROBLEMS)?;
        }
        // Loans disbursed after the ledger date usually mean a ledger of a
        // later date than the scenario's start implies.
        if self.problems.iter().any(|p| p.expected.contains("on or before the ledger date")) {
            write!(
                f,
                "\nhint: the ledger date is `data.as_of`, by default the last day of the month before \
                 `scenario.start`; for a ledger of a later date, set `[scenario] start` to the month after it"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for DataProblems {}

impl DataProblems {
    /// Every problem as CSV for the bank to fix: file, row, column, value,
    /// expected (an ID number's value is never written).
    pub fn csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["file", "row", "column", "value", "expected"])?;
        for p in &self.problems {
            let value = p.value.clone().unwrap_or_else(|| "(not shown: personal data)".into());
            w.write_record([self.file.as_str(), &p.row.to_string(), &p.column, &value, &p.expected])?;
        }
        w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// Opens `path` for reading and writing without following a final
/// symbolic link, creating it if need be.
fn open_lock_file(path: &Path, create: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(create);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Whether `file` is still the file at `path` (the lock file may have been
/// removed and created anew by its previous holder between our open and
/// our lock).
fn still_at(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// The process id written in a lock file, or "unknown".
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = Read::by_ref(file).take(64).read_to_string(&mut text);
    match text.trim().parse::<u32>() {
        Ok(pid) => format!("pid {pid}"),
        Err(_) => "pid unknown".into(),
    }
}

fn busy(dir: &Path, file: &mut File) -> InputError {
    InputError(format!(
        "{}: another mcstress ({}) is using this directory; wait for it to finish or choose another \
         output directory",
        dir.display(),
        holder(file)
    ))
}

/// An output directory locked for writing.
///
/// The lock is an operating-system lock on `DIR/.mcstress.lock`, so a
/// process that is killed leaves no stale lock; the file itself is removed
/// when the command finishes. A second command writing the same directory
/// meanwhile is refused (exit 2) with the holder's process id. Taking the
/// lock also removes the temporary files a killed or failed write left
/// behind.
#[derive(Debug)]
pub struct OutDir {
    dir: PathBuf,
    lock_path: PathBuf,
    lock: File,
}

impl OutDir {
    /// Creates `dir` if need be and locks it.
    pub fn lock(dir: &Path) -> anyhow::Result<OutDir> {
        fs::create_dir_all(dir)
            .map_err(|e| InputError(format!("{}: cannot create output directory: {e}", dir.display())))?;
        if !dir.is_dir() {
            return Err(InputError(format!("{}: not a directory", dir.display())).into());
        }
        let lock_path = dir.join(LOCK_FILE);
        let cannot = |e: &dyn std::fmt::Display| {
            InputError(format!("{}: cannot lock the output directory: {e}", lock_path.display()))
        };
        for _ in 0..16 {
            if fs::symlink_metadata(&lock_path).is_ok_and(|m| m.file_type().is_symlink()) {
                // Never followed (the open below refuses it too).
                return Err(cannot(&"a symbolic link, expected a regular file; remove it").into());
            }
            let mut file = open_lock_file(&lock_path, true).map_err(|e| cannot(&e))?;
            let meta = file.metadata().map_err(|e| cannot(&e))?;
            if !meta.is_file() {
                return Err(cannot(&format!("{}, expected a regular file", kind_of(meta.file_type()))).into());
            }
            #[cfg(unix)]
            {
                // A hard link planted at the name must not make us truncate
                // another file.
                use std::os::unix::fs::MetadataExt;
                if meta.nlink() > 1 {
                    return Err(cannot(&"it has other names (hard links); remove it").into());
                }
            }
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => return Err(busy(dir, &mut file).into()),
                Err(std::fs::TryLockError::Error(e)) => return Err(cannot(&e).into()),
            }
            if !still_at(&file, &lock_path) {
                continue;
            }
            file.set_len(0).map_err(|e| cannot(&e))?;
            writeln!(file, "{}", std::process::id()).map_err(|e| cannot(&e))?;
            let out = OutDir { dir: dir.to_path_buf(), lock_path, lock: file };
            out.remove_stale_temporaries(&[]);
            return Ok(out);
        }
        Err(cannot(&"its lock file keeps being replaced").into())
    }

    /// Removes temporary files of an earlier write that was killed or
    /// failed: names of the form `.NAME.PID-N.tmp` (and `.NAME.tmp`, as
    /// earlier versions named them, for the `names` about to be written).
    /// Nothing else is touched, and never a directory.
    fn remove_stale_temporaries(&self, names: &[&str]) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let ours = is_temporary_name(name)
                || names
                    .iter()
                    .any(|n| name.strip_prefix('.').and_then(|r| r.strip_suffix(".tmp")) == Some(n));
            let plain = entry.file_type().is_ok_and(|t| t.is_file() || t.is_symlink());
            if ours && plain {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Writes `files` (name, bytes), in order, each through a temporary
    /// file renamed into place, so that a file present is complete. The
    /// caller puts `run.json` last: its presence marks a complete output,
    /// and a stale one is removed first so that it cannot vouch for the
    /// files of another run.
    pub fn write_outputs(&self, files: &[(&str, Vec<u8>)]) -> anyhow::Result<()> {
        let marker = self.dir.join("run.json");
        match fs::symlink_metadata(&marker) {
            Ok(m) if m.is_dir() => {
                return Err(InputError(format!(
                    "{}: a directory, where mcstress writes run.json; remove it or choose another output \
                     directory",
                    marker.display()
                ))
                .into());
            }
            Ok(_) => fs::remove_file(&marker).map_err(|e| {
                InputError(format!(
                    "{}: cannot remove the run.json of an earlier run (it would vouch for the files of \
                     this one): {e}",
                    marker.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(InputError(format!("{}: {e}", marker.display())).into()),
        }
        self.write_files(files)
    }

    /// Writes `files` into the directory, each through a temporary file
    /// renamed into place.
    pub fn write_files(&self, files: &[(&str, Vec<u8>)]) -> anyhow::Result<()> {
        let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
        self.remove_stale_temporaries(&names);
        for (name, bytes) in files {
            let target = self.dir.join(name);
            if fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
                return Err(InputError(format!(
                    "{}: a directory, where mcstress writes {name}; remove it or choose another output \
                     directory",
                    target.display()
                ))
                .into());
            }
            let tmp = self.write_temporary(name, bytes)?;
            if let Err(e) = fs::rename(&tmp, &target) {
                let _ = fs::remove_file(&tmp);
                return Err(InputError(format!("{}: cannot write: {e}", target.display())).into());
            }
        }
        Ok(())
    }

    /// Writes `bytes` to a new temporary file beside `name` and returns its
    /// path. The file is created exclusively (`create_new` fails on any
    /// existing name, a symbolic link included, and never follows one).
    fn write_temporary(&self, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
        let (tmp, mut file) = self.create_temporary(name)?;
        if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
            drop(file);
            let _ = fs::remove_file(&tmp);
            return Err(InputError(format!("{}: cannot write: {e}", self.dir.join(name).display())).into());
        }
        Ok(tmp)
    }

    /// Creates a new temporary file beside `name` and returns its path and
    /// handle, for a file written as it is made (a shard's paths);
    /// [`OutDir::put_in_place`] renames it once complete. Created
    /// exclusively, never through a symbolic link.
    pub fn create_temporary(&self, name: &str) -> anyhow::Result<(PathBuf, File)> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let pid = std::process::id();
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = self.dir.join(format!(".{name}.{pid}-{n}.tmp"));
            match OpenOptions::new().write(true).create_new(true).open(&tmp) {
                Ok(f) => return Ok((tmp, f)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(InputError(format!("{}: cannot write: {e}", tmp.display())).into()),
            }
        }
    }

    /// Renames a complete temporary file of [`OutDir::create_temporary`]
    /// to `name`.
    pub fn put_in_place(&self, tmp: &Path, name: &str) -> anyhow::Result<()> {
        let target = self.dir.join(name);
        if fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
            let _ = fs::remove_file(tmp);
            return Err(InputError(format!(
                "{}: a directory, where mcstress writes {name}; remove it or choose another output directory",
                target.display()
            ))
            .into());
        }
        fs::rename(tmp, &target).map_err(|e| {
            let _ = fs::remove_file(tmp);
            InputError(format!("{}: cannot write: {e}", target.display()))
        })?;
        Ok(())
    }

    /// Removes `name` if present (a marker of an earlier output, such as
    /// `run.json` or `shard.json`, that must not vouch for this one).
    pub fn remove_marker(&self, name: &str) -> anyhow::Result<()> {
        let marker = self.dir.join(name);
        match fs::symlink_metadata(&marker) {
            Ok(m) if m.is_dir() => Err(InputError(format!(
                "{}: a directory, where mcstress writes {name}; remove it or choose another output directory",
                marker.display()
            ))
            .into()),
            Ok(_) => fs::remove_file(&marker).map_err(|e| {
                InputError(format!(
                    "{}: cannot remove the {name} of an earlier run (it would vouch for the files of this \
                     one): {e}",
                    marker.display()
                ))
                .into()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(InputError(format!("{}: {e}", marker.display())).into()),
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        // Removed while still locked; a process that opened the old file
        // meanwhile sees it is no longer at the path and opens it anew.
        let _ = fs::remove_file(&self.lock_path);
        let _ = self.lock.unlock();
    }
}

/// Whether `name` is a temporary file name of [`OutDir`]:
/// `.NAME.PID-N.tmp`.
fn is_temporary_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.').and_then(|r| r.strip_suffix(".tmp")) else { return false };
    let Some((stem, tag)) = rest.rsplit_once('.') else { return false };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    !stem.is_empty() && tag.split_once('-').is_some_and(|(p, n)| digits(p) && digits(n))
}

/// Refuses to read `dir` while another mcstress holds its lock; the
/// returned handle (if any) keeps a shared lock while the caller reads.
fn check_not_being_written(dir: &Path) -> anyhow::Result<Option<File>> {
    let Ok(mut file) = open_lock_file(&dir.join(LOCK_FILE), false) else { return Ok(None) };
    match file.try_lock_shared() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(InputError(format!(
            "{}: another mcstress ({}) is writing this directory; wait for it to finish",
            dir.display(),
            holder(&mut file)
        ))
        .into()),
        Err(std::fs::TryLockError::Error(_)) => Ok(None),
    }
}

/// Reads an output directory of `run`, `stress`, `compare`, `sweep` or
/// `breakpoint` back. `locked` says the caller already holds the
/// directory's write lock (it reads and writes the same directory).
pub fn read_results(
    dir: &Path,
    locked: bool,
) -> anyhow::Result<(mcstress_report::briefing::inputs::RunMeta, mcstress_report::briefing::inputs::Results)>
{
    use mcstress_report::briefing::inputs::Results;
    let _shared = if locked { None } else { check_not_being_written(dir)? };
    let marker = dir.join("run.json");
    let meta_text = read_limited(&marker, MAX_OUTPUT_BYTES).map_err(|e| {
        InputError(match e {
            ReadFail::NotFound if !dir.is_dir() => format!("{}: no such directory", dir.display()),
            ReadFail::NotFound => format!(
                "{}: no run.json: not a complete output directory of mcstress run, stress, compare, sweep \
                 or breakpoint (run.json is written last)",
                dir.display()
            ),
            why => format!("{}: cannot read: {why}", marker.display()),
        })
    })?;
    let meta = Results::meta(&meta_text).map_err(|e| InputError(format!("{}/{e}", dir.display())))?;
    let mut io_error: Option<String> = None;
    let results = Results::read(&meta, |name| match read_limited(&dir.join(name), MAX_OUTPUT_BYTES) {
        Ok(t) => Some(t),
        Err(e) => {
            if !matches!(e, ReadFail::NotFound) && io_error.is_none() {
                io_error = Some(format!("{}: cannot read: {e}", dir.join(name).display()));
            }
            None
        }
    });
    match (results, io_error) {
        (Ok(r), _) => Ok((meta, r)),
        (Err(_), Some(io)) => Err(InputError(io).into()),
        (Err(e), None) => Err(InputError(format!("{}/{e}", dir.display())).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised_exactly() {
        assert!(is_temporary_name(".summary.json.123-0.tmp"));
        assert!(is_temporary_name(".monthly.csv.9-42.tmp"));
        for other in
            [".summary.json.tmp", "summary.json.1-2.tmp", ".x.1-.tmp", ".x.a-1.tmp", ".notes.tmp", ".1-2.tmp"]
        {
            assert!(!is_temporary_name(other), "{other}");
        }
    }
}
