//! A cache of whole-run results, keyed by everything they depend on: the
//! binary, the catalogue, the options, the list of Python files and the
//! content of every file that mentions eventlet (and of the configuration
//! files). Results depend on the whole tree (green threads, mocks), so the
//! unit is the run; a warm run over an unchanged tree costs reading the
//! files and hashing those that mention eventlet. A corrupt or stale entry
//! is ignored, never trusted. The folder stays bounded: entries unused for
//! two weeks go, and the least recently used beyond 64 entries or 64 MB.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::outcome::{Finding, HelperPlaces, ProjectSummary};

#[derive(Serialize, Deserialize)]
pub struct Entry {
    pub key: String,
    pub files_scanned: usize,
    pub files: Vec<CachedFile>,
    pub skipped: Vec<(PathBuf, String)>,
    pub project: Option<ProjectSummary>,
    pub helpers: HelperPlaces,
}

#[derive(Serialize, Deserialize)]
pub struct CachedFile {
    pub path: PathBuf,
    pub findings: Vec<Finding>,
    pub new_text: Option<String>,
    pub error: Option<String>,
    /// The run creates it (the shared helpers module).
    pub created: bool,
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
    if entry.key != key {
        return None;
    }
    // Dated by its last use, for eviction.
    if let Ok(file) = std::fs::File::options().write(true).open(slot) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
    Some(entry)
}

/// How much the cache folder keeps: entries unused for this long go, and
/// then the least recently used ones beyond these counts.
const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(14 * 24 * 3600);
const MAX_ENTRIES: usize = 64;
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Stores an entry atomically, then keeps the folder within its bounds; a
/// failure to cache is not an error of the run.
pub fn store(slot: &Path, entry: &Entry) {
    store_entry(slot, entry);
    if let Some(dir) = slot.parent() {
        evict(dir, MAX_AGE, MAX_ENTRIES, MAX_BYTES);
    }
}

/// Removes the entries of `dir` older than `max_age`, then the oldest
/// until at most `max_entries` of at most `max_bytes` together are left.
/// Entries are dated by their last use (a hit touches its entry).
fn evict(dir: &Path, max_age: std::time::Duration, max_entries: usize, max_bytes: u64) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<(std::time::SystemTime, u64, PathBuf)> = read
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("run-") && name.ends_with(".json")
        })
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((meta.modified().ok()?, meta.len(), e.path()))
        })
        .collect();
    // Newest first: what is kept is a prefix.
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    let now = std::time::SystemTime::now();
    let mut bytes = 0;
    for (n, (modified, len, path)) in entries.iter().enumerate() {
        bytes += len;
        let old = now.duration_since(*modified).is_ok_and(|age| age > max_age);
        if old || n >= max_entries || bytes > max_bytes {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn store_entry(slot: &Path, entry: &Entry) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    #[test]
    fn eviction_keeps_the_newest_within_age_count_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let day = Duration::from_secs(24 * 3600);
        let write = |name: &str, bytes: usize, age: Duration| {
            let path = dir.path().join(name);
            std::fs::write(&path, vec![b'x'; bytes]).unwrap();
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(SystemTime::now() - age).unwrap();
        };
        write("run-a.json", 10, Duration::ZERO);
        write("run-b.json", 10, day);
        write("run-c.json", 10, 2 * day);
        write("run-d.json", 10, 30 * day);
        write("other.txt", 10, 30 * day);
        let left = || {
            let mut names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        evict(dir.path(), 14 * day, 10, 1000);
        assert_eq!(
            left(),
            ["other.txt", "run-a.json", "run-b.json", "run-c.json"]
        );
        evict(dir.path(), 14 * day, 2, 1000);
        assert_eq!(left(), ["other.txt", "run-a.json", "run-b.json"]);
        evict(dir.path(), 14 * day, 10, 15);
        assert_eq!(left(), ["other.txt", "run-a.json"]);
    }
}
