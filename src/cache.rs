//! A cache of whole-run results, keyed by everything they depend on: the
//! binary, the catalogue, the options, the list of Python files and the
//! content of every file that mentions eventlet (and of the configuration
//! files). Results depend on the whole tree (green threads, mocks), so the
//! unit is the run; a warm run over an unchanged tree costs reading the
//! files and hashing those that mention eventlet. A corrupt or stale entry
//! is ignored, never trusted.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::outcome::{Finding, ProjectSummary};

#[derive(Serialize, Deserialize)]
pub struct Entry {
    pub key: String,
    pub files_scanned: usize,
    pub files: Vec<CachedFile>,
    pub skipped: Vec<(PathBuf, String)>,
    pub project: Option<ProjectSummary>,
}

#[derive(Serialize, Deserialize)]
pub struct CachedFile {
    pub path: PathBuf,
    pub findings: Vec<Finding>,
    pub new_text: Option<String>,
    pub error: Option<String>,
}

/// What identifies this build of eventless: its version and executable.
pub fn binary_identity() -> String {
    let exe = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::metadata(p).ok());
    let stamp = exe
        .map(|m| {
            (
                m.len(),
                m.modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()),
            )
        })
        .map_or(String::new(), |(len, t)| format!("{len}:{t:?}"));
    format!("{}:{stamp}", env!("CARGO_PKG_VERSION"))
}

/// The cache folder: $XDG_CACHE_HOME/eventless or ~/.cache/eventless.
pub fn folder() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("eventless"))
}

/// The entry for `slot` if its key is `key`; anything unreadable is a miss.
pub fn load(slot: &Path, key: &str) -> Option<Entry> {
    let bytes = std::fs::read(slot).ok()?;
    let entry: Entry = serde_json::from_slice(&bytes).ok()?;
    (entry.key == key).then_some(entry)
}

/// Stores an entry atomically; a failure to cache is not an error of the run.
pub fn store(slot: &Path, entry: &Entry) {
    let Some(dir) = slot.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(bytes) = serde_json::to_vec(entry) else {
        return;
    };
    if let Ok(mut temp) = tempfile::NamedTempFile::new_in(dir)
        && std::io::Write::write_all(&mut temp, &bytes).is_ok()
    {
        let _ = temp.persist(slot);
    }
}
