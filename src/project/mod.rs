//! The project a run belongs to, and the programs that run its code.
//!
//! Behaviour belongs to programs (a service, a script, a test run, the
//! unknown users of a library), not to the folder given on the command
//! line. So a run finds the project's root above its paths, reads every
//! Python file's imports ([`modules`]), finds the programs and what each
//! reaches ([`programs`]), and decides each rewrite for the programs that
//! can run the line; only the paths given are edited.

pub mod call_reach;
pub mod helpers_module;
pub mod metadata;
pub mod mock_paths;
pub mod modules;
pub mod programs;
pub mod requirements;
pub mod setup_cfg;

use std::path::{Path, PathBuf};

use crate::source::canonical;

/// What marks a project's root folder.
pub const ROOT_MARKERS: &[&str] = &[
    ".git",
    "eventless.toml",
    "setup.cfg",
    "pyproject.toml",
    "setup.py",
];

/// The project root of `paths`: the nearest folder at or above the first
/// path that holds a root marker. Every path must lie under it. A file not
/// on disk (text given for it on standard input) belongs to its folder's.
pub fn find_root(paths: &[PathBuf]) -> Result<Option<PathBuf>, String> {
    let Some(first) = paths.first() else {
        return Ok(None);
    };
    // A path that does not exist is reported by the run.
    let Ok(start) = canonical(first) else {
        return Ok(None);
    };
    let folder = if start.is_dir() {
        start.as_path()
    } else {
        start.parent().unwrap_or(&start)
    };
    let Some(root) = folder
        .ancestors()
        .find(|dir| ROOT_MARKERS.iter().any(|m| dir.join(m).exists()))
    else {
        return Ok(None);
    };
    for path in paths {
        let Ok(path_found) = canonical(path) else {
            continue;
        };
        if !path_found.starts_with(root) {
            return Err(format!(
                "{} is outside the project at {} (found from {}); run once per project, or \
                 pass --no-project",
                path.display(),
                root.display(),
                first.display()
            ));
        }
    }
    Ok(Some(shown(root)))
}

/// `root` as the user would write it: relative to the working folder when
/// one lies within the other (`.` for the folder itself, `..` for its
/// parent), else absolute.
fn shown(root: &Path) -> PathBuf {
    let Ok(cwd) = std::env::current_dir().and_then(std::fs::canonicalize) else {
        return root.to_path_buf();
    };
    if let Ok(rel) = root.strip_prefix(&cwd) {
        return if rel.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            rel.to_path_buf()
        };
    }
    // The working folder lies within the project: `..` up to the root.
    match cwd.strip_prefix(root) {
        Ok(below) => below.components().map(|_| "..").collect(),
        Err(_) => root.to_path_buf(),
    }
}

/// How to show the files of a project whose root lies above the working
/// folder: `../x/y.py` as `y.py` when the working folder is `x`, so that
/// diffs apply where they are made (`patch -p1`, `git apply`).
pub struct Shown {
    root: PathBuf,
    /// The working folder below the root, when it is there.
    below: Option<PathBuf>,
}

impl Shown {
    pub fn new(root: &Path) -> Shown {
        let below = std::env::current_dir()
            .and_then(std::fs::canonicalize)
            .ok()
            .zip(std::fs::canonicalize(root).ok())
            .and_then(|(cwd, root)| Some(cwd.strip_prefix(root).ok()?.to_path_buf()))
            .filter(|below| !below.as_os_str().is_empty());
        Shown {
            root: root.to_path_buf(),
            below,
        }
    }

    pub fn path(&self, path: PathBuf) -> PathBuf {
        let Some(below) = &self.below else {
            return path;
        };
        match path
            .strip_prefix(&self.root)
            .ok()
            .and_then(|rel| rel.strip_prefix(below).ok())
        {
            Some(here) => here.to_path_buf(),
            None => path,
        }
    }
}

/// Whether `file` lies within one of `paths` (the files a run edits).
pub struct Scope {
    paths: Vec<PathBuf>,
}

impl Scope {
    pub fn new(paths: &[PathBuf]) -> Scope {
        Scope {
            paths: paths
                .iter()
                .map(|p| canonical(p).unwrap_or_else(|_| p.clone()))
                .collect(),
        }
    }

    /// Whether the paths take in all of `root` (the whole project).
    pub fn covers(&self, root: &Path) -> bool {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        self.paths.iter().any(|p| root.starts_with(p))
    }

    /// Whether the paths take in `file`, which may be yet to be made.
    pub fn contains(&self, file: &Path) -> bool {
        let file = canonical(file).unwrap_or_else(|_| file.to_path_buf());
        self.paths.iter().any(|p| file.starts_with(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_nearest_marked_folder_and_holds_every_path() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("proj");
        std::fs::create_dir_all(project.join("pkg/sub")).unwrap();
        std::fs::write(project.join("setup.cfg"), "").unwrap();
        std::fs::write(project.join("pkg/sub/m.py"), "").unwrap();
        let root = find_root(&[project.join("pkg/sub/m.py")]).unwrap().unwrap();
        assert_eq!(
            std::fs::canonicalize(root).unwrap(),
            std::fs::canonicalize(&project).unwrap()
        );
        std::fs::create_dir_all(dir.path().join("other")).unwrap();
        let err = find_root(&[project.join("pkg"), dir.path().join("other")]).unwrap_err();
        assert!(err.contains("outside the project"), "{err}");
        let scope = Scope::new(&[project.join("pkg/sub")]);
        assert!(scope.contains(&project.join("pkg/sub/m.py")));
        assert!(scope.contains(&project.join("pkg/sub/new.py")));
        assert!(!scope.contains(&project.join("setup.cfg")));
        assert!(!scope.contains(&project.join("pkg/new.py")));
    }
}
