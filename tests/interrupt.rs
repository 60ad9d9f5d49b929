//! Stopping `apply` with SIGINT or SIGTERM at any moment leaves either
//! every file rewritten or none, and no stray file in the tree.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const FILES: usize = 400;

fn write_tree(dir: &Path, git: bool) {
    for i in 0..FILES {
        let folder = dir.join(format!("pkg{}", i % 10));
        fs::create_dir_all(&folder).unwrap();
        fs::write(
            folder.join(format!("m{i}.py")),
            format!("import eventlet\n\n\ndef wait_{i}():\n    eventlet.sleep({i})\n"),
        )
        .unwrap();
    }
    if git {
        git2::Repository::init(dir).unwrap();
    }
}

/// Every file under `dir` but the git folder, with its content.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else {
                let content = fs::read(&path).unwrap();
                found.insert(path.strip_prefix(dir).unwrap().to_path_buf(), content);
            }
        }
    }
    found
}

/// Starts `apply` on `dir`, with `home` as HOME (where its cache goes).
fn apply(dir: &Path, home: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_eventless"))
        .args(["apply", "-q", "."])
        .current_dir(dir)
        .env("HOME", home)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Kills runs at moments spread over a whole run's length and checks each
/// tree; some run must have been stopped while writing, not only before.
fn kill_at_spread_moments(git: bool) {
    let home = tempfile::tempdir().unwrap();
    let reference = tempfile::tempdir().unwrap();
    write_tree(reference.path(), git);
    let before = files(reference.path());
    let started = Instant::now();
    assert!(
        apply(reference.path(), home.path())
            .wait()
            .unwrap()
            .success()
    );
    let length = started.elapsed();
    let after = files(reference.path());
    assert_eq!(after.len(), before.len());
    assert!(after.iter().all(|(path, text)| before[path] != *text));

    let moments = 10;
    let mut stopped_while_writing = 0;
    for k in 0..moments {
        let dir = tempfile::tempdir().unwrap();
        write_tree(dir.path(), git);
        let child = apply(dir.path(), home.path());
        std::thread::sleep(length.mul_f64(k as f64 / moments as f64 * 1.2));
        let signal = if k % 2 == 0 { "-INT" } else { "-TERM" };
        let _ = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let now = files(dir.path());
        let state = if now == before {
            "none"
        } else if now == after {
            "all"
        } else {
            let rewritten = now
                .iter()
                .filter(|(p, t)| before.get(*p) != Some(t))
                .count();
            panic!(
                "stopped at {k}/{moments}: {rewritten} of {} files changed, {} in the tree \
                 (exit {:?}, signal {:?}): {stderr}",
                before.len(),
                now.len(),
                output.status.code(),
                output.status.signal()
            );
        };
        if stderr.contains("interrupted: nothing was written") {
            assert_eq!(state, "none");
            stopped_while_writing += 1;
        }
        if stderr.contains("interrupted: every file had been written") {
            assert_eq!(state, "all");
            stopped_while_writing += 1;
        }
        if git {
            let staging = dir.path().join(".git/eventless-staging");
            let left = fs::read_dir(&staging).map_or(0, |d| d.count());
            assert_eq!(left, 0, "staged files left in {}", staging.display());
        }
    }
    assert!(
        stopped_while_writing > 0,
        "no run was stopped while writing; the moments missed the write phase"
    );
}

#[test]
fn a_stopped_apply_in_a_git_tree_writes_all_or_nothing() {
    kill_at_spread_moments(true);
}

#[test]
fn a_stopped_apply_outside_git_writes_all_or_nothing() {
    kill_at_spread_moments(false);
}
