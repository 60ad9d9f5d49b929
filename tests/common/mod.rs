//! Helpers for the tests that drive git and the eventless binary in a
//! temporary folder, which is also `HOME` (so no user configuration leaks in).

use std::path::Path;
use std::process::{Command, Output};

/// Runs git in `dir`; fails the test if git does; returns its output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs eventless in `dir`.
pub fn eventless(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventless"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .expect("eventless runs")
}
