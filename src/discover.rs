//! Finding the files to look at: a gitignore-aware walk of the given paths,
//! `--exclude` globs, and the cheap test that decides which files are parsed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

use crate::source::StandIn;

/// A path the walk could not enter, with the reason.
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub reason: String,
}

pub struct Discovered {
    pub files: Vec<PathBuf>,
    /// Requirements, setup.cfg, pyproject.toml, tox.ini and .coveragerc files.
    pub config_files: Vec<PathBuf>,
    /// Other `.ini` files, which may load code by name (paste factories).
    pub ini_files: Vec<PathBuf>,
    pub problems: Vec<WalkProblem>,
}

/// Python files under `paths` (a path named explicitly is taken whatever its
/// extension), sorted, without those matching an exclude glob. A glob
/// without `/` matches any file or folder name; one with `/` the whole path.
/// The file `stand_in` stands for is taken even when it is not on disk.
pub fn discover(
    paths: &[PathBuf],
    excludes: &[String],
    stand_in: Option<&StandIn>,
) -> Result<Discovered> {
    let excluded = exclude_set(excludes)?;
    let mut files = Vec::new();
    let mut config_files = Vec::new();
    let mut ini_files = Vec::new();
    let mut problems = Vec::new();
    for root in paths {
        let given = stand_in.is_some_and(|s| s.stands_for(root));
        if !root.exists() && !given {
            bail!("{}: no such file or directory", root.display());
        }
        if root.is_file() || given {
            if is_excluded(&excluded, root) {
                continue;
            }
            if crate::config_files::kind_of(root).is_some() {
                config_files.push(root.clone());
            } else {
                files.push(root.clone());
            }
            continue;
        }
        // The walk skips hidden files; coverage's is looked for at the root.
        let coveragerc = root.join(".coveragerc");
        if coveragerc.is_file() && !is_excluded(&excluded, &coveragerc) {
            config_files.push(coveragerc);
        }
        let walk_excluded = excluded.clone();
        let walker = WalkBuilder::new(root)
            .require_git(false)
            .filter_entry(move |entry| !is_excluded(&walk_excluded, entry.path()))
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    if is_file && entry.path().extension().is_some_and(|e| e == "py") {
                        files.push(entry.into_path());
                    } else if is_file && crate::config_files::kind_of(entry.path()).is_some() {
                        config_files.push(entry.into_path());
                    } else if is_file && entry.path().extension().is_some_and(|e| e == "ini") {
                        ini_files.push(entry.into_path());
                    }
                }
                Err(err) => problems.push(WalkProblem {
                    path: error_path(&err).unwrap_or_else(|| root.clone()),
                    reason: err.to_string(),
                }),
            }
        }
        // A file not saved yet is listed where the walk would find it.
        if let Some(path) = stand_in.and_then(|s| s.missing_under(root))
            && !path
                .ancestors()
                .take_while(|a| a != root)
                .any(|a| is_excluded(&excluded, a))
        {
            files.push(path);
        }
    }
    // Paths that overlap (`a.py .`) name some files twice, spelled apart.
    let overlapping = paths.len() > 1;
    for list in [&mut files, &mut config_files, &mut ini_files] {
        list.sort();
        list.dedup();
        if overlapping {
            let mut seen = std::collections::HashSet::new();
            list.retain(|p| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
        }
    }
    Ok(Discovered {
        files,
        config_files,
        ini_files,
        problems,
    })
}

fn exclude_set(excludes: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in excludes {
        let pattern = pattern.trim_end_matches('/');
        builder.add(
            Glob::new(pattern)
                .with_context(|| format!("--exclude {pattern:?} is not a valid glob"))?,
        );
    }
    Ok(builder.build()?)
}

fn is_excluded(set: &GlobSet, path: &Path) -> bool {
    if set.is_empty() {
        return false;
    }
    let path = path.strip_prefix("./").unwrap_or(path);
    set.is_match(path) || path.file_name().is_some_and(|name| set.is_match(name))
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// Files that never mention eventlet are never parsed.
pub fn mentions_eventlet(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"eventlet").is_some()
}

/// Python files that mention neither eventlet nor a library's member that
/// runs on it (`GreenThreadPoolExecutor`) are never parsed.
pub fn runs_on_eventlet(bytes: &[u8], library_members: &[&str]) -> bool {
    mentions_eventlet(bytes)
        || library_members
            .iter()
            .any(|m| memchr::memmem::find(bytes, m.as_bytes()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_python_files_and_honours_excludes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("pkg/tests")).unwrap();
        std::fs::write(root.join("pkg/a.py"), "").unwrap();
        std::fs::write(root.join("pkg/b.txt"), "").unwrap();
        std::fs::write(root.join("pkg/tests/t.py"), "").unwrap();
        let all = discover(&[root.to_path_buf()], &[], None).unwrap().files;
        assert_eq!(all.len(), 2);
        let some = discover(&[root.to_path_buf()], &["tests".into()], None)
            .unwrap()
            .files;
        assert_eq!(some, [root.join("pkg/a.py")]);
    }

    #[test]
    fn a_file_not_on_disk_is_listed_where_the_walk_would_find_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("pkg")).unwrap();
        let new = StandIn::new(&root.join("pkg/new.py"), Vec::new()).unwrap();
        let files = discover(&[root.to_path_buf()], &[], Some(&new))
            .unwrap()
            .files;
        assert_eq!(files, [root.join("pkg/new.py")]);
        let excluded = discover(&[root.to_path_buf()], &["pkg".into()], Some(&new))
            .unwrap()
            .files;
        assert!(excluded.is_empty(), "{excluded:?}");
        let alone = discover(
            &[PathBuf::from("-")],
            &[],
            Some(&StandIn::new(Path::new("-"), Vec::new()).unwrap()),
        )
        .unwrap()
        .files;
        assert_eq!(alone, [PathBuf::from("-")]);
    }

    #[test]
    fn missing_path_is_an_error() {
        let err = discover(&[PathBuf::from("/no/such/dir")], &[], None)
            .err()
            .unwrap();
        assert!(err.to_string().contains("no such file"));
    }
}
