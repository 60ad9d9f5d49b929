//! Writing a rewritten file without ever leaving it half-written or
//! overwriting a change made since it was read.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// Replaces `path` with `bytes` if it still holds `expected`: the new bytes
/// go to a temporary file in the same folder, with the old file's
/// permissions, which is then renamed over the old one.
pub fn replace_if_unchanged(path: &Path, expected: &[u8], bytes: &[u8]) -> Result<()> {
    // Write through a symbolic link to its target, keeping the link.
    let resolved = fs::canonicalize(path)
        .with_context(|| format!("{}: cannot resolve the path", path.display()))?;
    let path = resolved.as_path();
    let now = fs::read(path)
        .with_context(|| format!("{}: cannot re-read before writing", path.display()))?;
    if now != expected {
        bail!(
            "{}: changed on disk since it was read; left alone (run again)",
            path.display()
        );
    }
    let metadata = fs::metadata(path)?;
    if metadata.permissions().readonly() {
        bail!("{}: file is read-only; left alone", path.display());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".eventless-")
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    fs::set_permissions(temp.path(), metadata.permissions())?;
    temp.persist(path)
        .with_context(|| format!("{}: cannot replace the file", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o750)).unwrap();
        replace_if_unchanged(&path, b"old", b"new").unwrap();
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
        replace_if_unchanged(&link, b"old", b"new").unwrap();
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
        let err = replace_if_unchanged(&path, b"old", b"new").unwrap_err();
        assert!(err.to_string().contains("changed on disk"));
        assert_eq!(fs::read(&path).unwrap(), b"edited meanwhile");
    }
}
