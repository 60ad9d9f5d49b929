//! Writing rewritten files as one transaction, so that a run that is
//! stopped leaves either every file rewritten or none, and never a stray
//! file in the tree.
//!
//! Every new text is first staged: written in full, synced, and given the
//! old file's permissions (a file the run creates, those of its package's
//! `__init__.py`), in a staging folder a `git add -A` never takes
//! (the repository's git folder, or the system's temporary folder when it
//! is on the same file system). Then one short phase renames each staged
//! file over its target. SIGINT, SIGTERM and SIGHUP during staging discard
//! what is staged and write nothing; during the renames they wait for the
//! phase to finish.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use tempfile::TempPath;

/// The folder, inside a repository's git folder, that holds staged files.
const GIT_STAGING: &str = "eventless-staging";

/// A termination signal that arrived while files were being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted(pub i32);

impl Interrupted {
    /// The exit status of a process stopped by this signal, as shells report.
    pub fn exit_status(self) -> u8 {
        u8::try_from(128 + self.0).unwrap_or(u8::MAX)
    }
}

/// Records SIGINT, SIGTERM and SIGHUP instead of dying of them, from its
/// creation to the end of the process (a run writes last, then exits).
pub struct SignalWatch {
    received: Arc<AtomicUsize>,
}

impl SignalWatch {
    pub fn install() -> Result<Self> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let received = Arc::new(AtomicUsize::new(0));
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            let number = usize::try_from(signal).expect("signal numbers are positive");
            signal_hook::flag::register_usize(signal, Arc::clone(&received), number)
                .context("cannot watch for termination signals")?;
        }
        Ok(SignalWatch { received })
    }

    pub fn interrupted(&self) -> Option<Interrupted> {
        match self.received.load(Ordering::SeqCst) {
            0 => None,
            n => Some(Interrupted(i32::try_from(n).unwrap_or(i32::MAX))),
        }
    }
}

struct Staged {
    target: PathBuf,
    /// What the target must still hold; `None`: it must not exist.
    expected: Option<Vec<u8>>,
    temp: TempPath,
}

/// Files staged to replace their targets, renamed over them by `commit`.
#[derive(Default)]
pub struct Transaction {
    staged: Vec<Staged>,
    /// Each target folder's staging folder (None: the target's own).
    staging_for: HashMap<PathBuf, Option<PathBuf>>,
}

impl Transaction {
    /// Stages `bytes` to replace `path`, which must still hold `expected`
    /// and be writable. Nothing in the tree changes yet.
    pub fn stage(&mut self, path: &Path, expected: &[u8], bytes: &[u8]) -> Result<()> {
        // Write through a symbolic link to its target, keeping the link.
        let target = fs::canonicalize(path)
            .with_context(|| format!("{}: cannot resolve the path", path.display()))?;
        check_unchanged(&target, expected)?;
        let metadata = fs::metadata(&target)?;
        if metadata.permissions().readonly() {
            bail!("{}: file is read-only; left alone", target.display());
        }
        let permissions = metadata.permissions();
        self.stage_at(target, Some(expected.to_vec()), permissions, bytes)
    }

    /// Stages `bytes` as the new file `path`, which must not exist, now or
    /// when committed.
    pub fn stage_new(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let (folder, name) = path
            .parent()
            .zip(path.file_name())
            .with_context(|| format!("{}: not a file path", path.display()))?;
        let folder = fs::canonicalize(folder)
            .with_context(|| format!("{}: cannot resolve the folder", path.display()))?;
        let target = folder.join(name);
        if fs::symlink_metadata(&target).is_ok() {
            bail!("{}: {APPEARED}", target.display());
        }
        let permissions = fs::metadata(folder.join("__init__.py"))
            .map_or_else(|_| fs::Permissions::from_mode(0o644), |m| m.permissions());
        self.stage_at(target, None, permissions, bytes)
    }

    fn stage_at(
        &mut self,
        target: PathBuf,
        expected: Option<Vec<u8>>,
        permissions: fs::Permissions,
        bytes: &[u8],
    ) -> Result<()> {
        let folder = target.parent().unwrap_or(Path::new("/")).to_path_buf();
        let device = fs::metadata(&folder)?.dev();
        let staging = self
            .staging_for
            .entry(folder.clone())
            .or_insert_with(|| staging_folder(&folder, device))
            .clone()
            .unwrap_or(folder);
        let mut temp = tempfile::Builder::new()
            .prefix(".eventless-")
            .tempfile_in(&staging)
            .with_context(|| format!("{}: cannot create a staging file", staging.display()))?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;
        fs::set_permissions(temp.path(), permissions)?;
        self.staged.push(Staged {
            target,
            expected,
            temp: temp.into_temp_path(),
        });
        Ok(())
    }

    /// Renames every staged file over its target, in staging order; a
    /// target changed since it was staged (or a new file's, made since) is
    /// left alone. The result of each, by target.
    pub fn commit(self) -> Vec<(PathBuf, Result<()>)> {
        self.staged
            .into_iter()
            .map(|staged| {
                let target = &staged.target;
                let result =
                    match &staged.expected {
                        Some(expected) => check_unchanged(target, expected).and_then(|()| {
                            staged.temp.persist(target).with_context(|| {
                                format!("{}: cannot replace the file", target.display())
                            })
                        }),
                        // Never over a file made meanwhile, even in the rename.
                        None => staged.temp.persist_noclobber(target).map_err(|e| {
                            match e.error.kind() {
                                std::io::ErrorKind::AlreadyExists => {
                                    anyhow::anyhow!("{}: {APPEARED}", target.display())
                                }
                                _ => anyhow::Error::new(e.error).context(format!(
                                    "{}: cannot create the file",
                                    target.display()
                                )),
                            }
                        }),
                    };
                (staged.target, result)
            })
            .collect()
    }
}

/// Why a file the run creates is not written.
const APPEARED: &str = "was made since the run read the project; left alone (run again)";

fn check_unchanged(target: &Path, expected: &[u8]) -> Result<()> {
    let now = fs::read(target)
        .with_context(|| format!("{}: cannot re-read before writing", target.display()))?;
    if now != expected {
        bail!(
            "{}: changed on disk since it was read; left alone (run again)",
            target.display()
        );
    }
    Ok(())
}

/// Where files for `folder` are staged: a folder on the same file system
/// (a rename cannot cross file systems) that no `git add -A` takes; None
/// when there is none, and the target's own folder must do.
fn staging_folder(folder: &Path, device: u64) -> Option<PathBuf> {
    let same_device = |dir: &Path| fs::metadata(dir).is_ok_and(|m| m.dev() == device);
    let in_git = git2::Repository::discover(folder).ok().and_then(|repo| {
        let dir = repo.path().join(GIT_STAGING);
        fs::create_dir_all(&dir).ok()?;
        Some(dir)
    });
    in_git
        .into_iter()
        .chain([std::env::temp_dir()])
        .find(|dir| same_device(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replace(path: &Path, expected: &[u8], bytes: &[u8]) -> Result<()> {
        let mut transaction = Transaction::default();
        transaction.stage(path, expected, bytes)?;
        transaction.commit().pop().unwrap().1
    }

    #[test]
    fn writes_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o750)).unwrap();
        replace(&path, b"old", b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o750
        );
    }

    #[test]
    fn writes_through_a_symlink_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.py");
        let link = dir.path().join("link.py");
        fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        replace(&link, b"old", b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn refuses_a_file_changed_since_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "edited meanwhile").unwrap();
        let err = replace(&path, b"old", b"new").unwrap_err();
        assert!(err.to_string().contains("changed on disk"));
        assert_eq!(fs::read(&path).unwrap(), b"edited meanwhile");
    }

    #[test]
    fn refuses_a_file_changed_after_staging() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "old").unwrap();
        let mut transaction = Transaction::default();
        transaction.stage(&path, b"old", b"new").unwrap();
        fs::write(&path, "edited meanwhile").unwrap();
        let (_, result) = transaction.commit().pop().unwrap();
        assert!(result.unwrap_err().to_string().contains("changed on disk"));
        assert_eq!(fs::read(&path).unwrap(), b"edited meanwhile");
    }

    #[test]
    fn creates_a_new_file_with_its_package_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let init = dir.path().join("__init__.py");
        fs::write(&init, "").unwrap();
        fs::set_permissions(&init, fs::Permissions::from_mode(0o640)).unwrap();
        let path = dir.path().join("helpers.py");
        let mut transaction = Transaction::default();
        transaction.stage_new(&path, b"new").unwrap();
        assert!(!path.exists(), "nothing is written before the commit");
        transaction.commit().pop().unwrap().1.unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[test]
    fn refuses_a_new_file_that_appeared() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("helpers.py");
        fs::write(&path, "theirs").unwrap();
        let err = Transaction::default().stage_new(&path, b"new").unwrap_err();
        assert!(err.to_string().contains("was made since"), "{err}");
        fs::remove_file(&path).unwrap();
        let mut transaction = Transaction::default();
        transaction.stage_new(&path, b"new").unwrap();
        fs::write(&path, "theirs").unwrap();
        let (_, result) = transaction.commit().pop().unwrap();
        assert!(result.unwrap_err().to_string().contains("was made since"));
        assert_eq!(fs::read(&path).unwrap(), b"theirs");
    }

    #[test]
    fn stages_in_the_git_folder_and_discards_unless_committed() {
        let dir = tempfile::tempdir().unwrap();
        git2::Repository::init(dir.path()).unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "old").unwrap();
        let mut transaction = Transaction::default();
        transaction.stage(&path, b"old", b"new").unwrap();
        let staging = dir.path().join(".git").join(GIT_STAGING);
        assert_eq!(fs::read_dir(&staging).unwrap().count(), 1);
        let mut entries: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        entries.sort();
        assert_eq!(entries, [".git", "a.py"], "nothing staged in the tree");
        drop(transaction);
        assert_eq!(fs::read_dir(&staging).unwrap().count(), 0);
        assert_eq!(fs::read(&path).unwrap(), b"old");
    }
}
