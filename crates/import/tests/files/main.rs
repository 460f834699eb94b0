//! The import crate's tests on whole files: generated ledgers and county
//! files read back in every format, the templates in `data/templates/`,
//! and the bad-ledger catalogue in `tests/data/bad-ledgers/`.

#[path = "../../examples/shared/xlsx.rs"]
mod xlsx;

mod bad_ledgers;
mod generated;
mod templates;

use std::path::PathBuf;

/// A path from the workspace root.
pub fn workspace(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}
