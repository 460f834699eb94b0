//! Reading scenario files from disk and writing output directories.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use mcstress_scenario::{Loaded, Setting, SourceFile};

use crate::InputError;

fn read_source(path: &Path) -> Result<SourceFile, String> {
    let text = fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::InvalidData => "not UTF-8 text".to_string(),
        _ => e.to_string(),
    })?;
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
    let Some(path) = path else {
        let loaded = mcstress_scenario::embedded_default_with(variant, settings)
            .map_err(|e| InputError(e.to_string()))?;
        return Ok((loaded, mcstress_scenario::EMBEDDED_NAME.to_string()));
    };
    let main = read_source(path)
        .map_err(|why| InputError(format!("{}: cannot read scenario: {why}", path.display())))?;
    let mut resolver = |from: &SourceFile, rel: &str| -> Result<SourceFile, String> {
        let base = Path::new(&from.name).parent().map(Path::to_path_buf).unwrap_or_default();
        read_source(&base.join(rel))
    };
    let loaded = mcstress_scenario::load_with(main, variant, settings, &mut resolver)
        .map_err(|e| InputError(e.to_string()))?;
    Ok((loaded, path.display().to_string()))
}

/// Writes `files` (name, bytes) into `dir`: each through a temporary file
/// renamed into place, in order, so that a file present is complete. The
/// caller puts `run.json` last: its presence marks a complete output.
pub fn write_outputs(dir: &Path, files: &[(&str, Vec<u8>)]) -> anyhow::Result<()> {
    // A stale run.json would vouch for files of an older run.
    let marker = dir.join("run.json");
    if marker.exists() {
        fs::remove_file(&marker).with_context(|| format!("cannot remove {}", marker.display()))?;
    }
    write_files(dir, files)
}

/// Writes `files` into `dir` (created if need be), each through a
/// temporary file renamed into place.
pub fn write_files(dir: &Path, files: &[(&str, Vec<u8>)]) -> anyhow::Result<()> {
    fs::create_dir_all(dir)
        .map_err(|e| InputError(format!("{}: cannot create output directory: {e}", dir.display())))?;
    for (name, bytes) in files {
        let target: PathBuf = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        fs::write(&tmp, bytes).map_err(|e| InputError(format!("{}: cannot write: {e}", tmp.display())))?;
        fs::rename(&tmp, &target).with_context(|| format!("cannot move {} into place", target.display()))?;
    }
    Ok(())
}

/// Reads an output directory of `run`, `stress`, `compare` or `sweep` back.
pub fn read_results(
    dir: &Path,
) -> anyhow::Result<(mcstress_report::briefing::inputs::RunMeta, mcstress_report::briefing::inputs::Results)>
{
    use mcstress_report::briefing::inputs::Results;
    let marker = dir.join("run.json");
    let meta_text = fs::read_to_string(&marker).map_err(|e| {
        InputError(match e.kind() {
            std::io::ErrorKind::NotFound if !dir.is_dir() => {
                format!("{}: no such directory", dir.display())
            }
            std::io::ErrorKind::NotFound => format!(
                "{}: no run.json: not a complete output directory of mcstress run, stress, compare or sweep \
                 (run.json is written last)",
                dir.display()
            ),
            _ => format!("{}: cannot read: {e}", marker.display()),
        })
    })?;
    let meta = Results::meta(&meta_text).map_err(|e| InputError(format!("{}/{e}", dir.display())))?;
    let mut io_error: Option<String> = None;
    let results = Results::read(&meta, |name| match fs::read_to_string(dir.join(name)) {
        Ok(t) => Some(t),
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound && io_error.is_none() {
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
