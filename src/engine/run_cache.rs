//! Whole-run results kept in the user's cache folder: the slot and key of
//! a run, and the result stored and read back.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::options::Options;
use super::parsed::Read;
use crate::cache;
use crate::fingerprint::KeyBuilder;
use crate::outcome::{FileResult, RunResult, Skipped};
use crate::project::metadata::NAME_FILES;
use crate::project::requirements::REQUIREMENT_FILES;
use crate::source::{SourceFile, StandIn, canonical, read_bytes};
use crate::transform::Catalogue;

/// One cache slot per set of roots and options.
pub(super) fn cache_slot(options: &Options) -> Option<PathBuf> {
    let roots: Vec<PathBuf> = options
        .paths
        .iter()
        .filter_map(|p| canonical(p).ok())
        .collect();
    let mut slot = KeyBuilder::default();
    slot.add(&roots).add(options_identity(options));
    Some(cache::folder()?.join(format!("run-{}.json", slot.finish())))
}

pub(super) fn options_identity(options: &Options) -> String {
    let sorted = |set: &HashSet<String>| {
        let mut v: Vec<&String> = set.iter().collect();
        v.sort();
        format!("{v:?}")
    };
    let mut accepted: Vec<&usize> = options.selection.accepted.iter().collect();
    accepted.sort();
    // Text from standard input gets a slot of its own: an editor's runs
    // do not evict the run over the files on disk.
    format!(
        "{:?}|{:?}|{:?}|{accepted:?}|{}|{}|{:?}|{}|{}|{}|{}|{:?}",
        options.project_root,
        options.excludes,
        options.selection.max_safety,
        options
            .selection
            .select
            .as_ref()
            .map_or(String::new(), sorted),
        sorted(&options.selection.ignore),
        options.assume_monkey_patched,
        options.annotate,
        options.findings_only,
        options.writes,
        options.stand_in.is_some(),
        options.helpers
    )
}

pub(super) fn cache_key(
    catalogue: &Catalogue,
    options: &Options,
    root: &Path,
    discovered: &crate::discover::Discovered,
    read: &[Read],
) -> String {
    let mut key = KeyBuilder::default();
    key.add(cache::binary_identity())
        .add(&catalogue.fingerprint)
        .add(options_identity(options));
    key.add(&discovered.files);
    for r in read {
        match r {
            Read::Eventlet(path, bytes) => key.add(path).add(bytes),
            Read::Failed(s) => key.add(&s.path).add(&s.reason),
            // Other files matter by their imports (the programs).
            Read::NoEventlet(hash, _) => key.add(hash),
        };
    }
    for path in discovered.config_files.iter().chain(&discovered.ini_files) {
        key.add(path).add(std::fs::read(path).unwrap_or_default());
    }
    for p in &discovered.problems {
        key.add(&p.path).add(&p.reason);
    }
    // The requirement floors and the project's name, read there even when
    // the paths leave them out.
    for name in REQUIREMENT_FILES.iter().chain(&NAME_FILES) {
        key.add(std::fs::read(root.join(name)).unwrap_or_default());
    }
    key.finish()
}

pub(super) fn to_cache(result: &RunResult, key: String) -> cache::Entry {
    cache::Entry {
        key,
        files_scanned: result.files_scanned,
        files: result
            .files
            .iter()
            .map(|f| cache::CachedFile {
                path: f.source.path.clone(),
                findings: f.findings.clone(),
                new_text: f.new_text.clone(),
                error: f.error.clone(),
                created: f.created,
            })
            .collect(),
        skipped: result
            .skipped
            .iter()
            .map(|s| (s.path.clone(), s.reason.clone()))
            .collect(),
        project: result.project.clone(),
        helpers: result.helpers.clone(),
    }
}

/// The cached result, with the sources just read; `None` if anything no
/// longer fits (then the run is made afresh).
pub(super) fn from_cache(
    entry: cache::Entry,
    read: &[Read],
    stand_in: Option<&StandIn>,
) -> Option<RunResult> {
    let mut bytes: HashMap<&PathBuf, &Vec<u8>> = HashMap::new();
    for r in read {
        if let Read::Eventlet(path, b) = r {
            bytes.insert(path, b);
        }
    }
    let mut files = Vec::new();
    for f in entry.files {
        let content = match bytes.get(&f.path) {
            Some(b) => (*b).clone(),
            None if f.created => Vec::new(),
            None => read_bytes(&f.path, stand_in).ok()?,
        };
        let source = SourceFile::from_bytes(f.path, content).ok()?;
        files.push(FileResult {
            source,
            findings: f.findings,
            new_text: f.new_text,
            error: f.error,
            created: f.created,
        });
    }
    Some(RunResult {
        files,
        skipped: entry
            .skipped
            .into_iter()
            .map(|(path, reason)| Skipped { path, reason })
            .collect(),
        files_scanned: entry.files_scanned,
        project: entry.project,
        helpers: entry.helpers,
    })
}
