//! `-` as the path: one Python file's text read from standard input, for
//! editors and pre-commit hooks. `--stdin-filename` names the file it
//! stands for, and the run decides it as it would that file on disk; the
//! rest of the project is read from disk as always.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::cli::Common;
use crate::outcome::{FileResult, RunResult};
use crate::source::StandIn;

/// The path that stands for standard input.
const DASH: &str = "-";

/// Whether the paths ask for standard input.
pub fn wanted(paths: &[PathBuf]) -> bool {
    paths.iter().any(|p| p.as_os_str() == DASH)
}

/// Reads standard input when the path is `-`, and makes the run's path the
/// file it stands for: `filename`, or else a lone file `-` in the current
/// folder, analysed alone (no file of the folder is the text's).
pub fn take(common: &mut Common, filename: Option<&Path>) -> Result<Option<StandIn>> {
    if !wanted(&common.paths) {
        if filename.is_some() {
            bail!("--stdin-filename names the file standard input holds: give `-` as the path");
        }
        return Ok(None);
    }
    if common.paths.len() > 1 {
        bail!("`-` (standard input) must be the only path");
    }
    let path = match filename {
        Some(path) => path.to_path_buf(),
        None => {
            common.no_project = true;
            PathBuf::from(DASH)
        }
    };
    if path.is_dir() || crate::config_files::kind_of(&path).is_some() {
        bail!(
            "{}: --stdin-filename names the Python file standard input holds",
            path.display()
        );
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let stand_in = StandIn::new(&path, bytes)
        .with_context(|| format!("{}: its folder does not exist", path.display()))?;
    common.paths = vec![path];
    Ok(Some(stand_in))
}

/// The result of the text from standard input, when the run rewrites it.
pub fn rewritten<'r>(stand_in: &StandIn, run: &'r RunResult) -> Option<&'r FileResult> {
    run.changed().find(|f| stand_in.stands_for(&f.source.path))
}

/// What `apply -` prints: the rewritten text, or the text as it came.
pub fn output(stand_in: &StandIn, rewritten: Option<&FileResult>) -> Vec<u8> {
    match rewritten {
        Some(file) => file.source.encode(
            file.new_text
                .as_deref()
                .expect("changed files have new text"),
        ),
        None => stand_in.bytes.clone(),
    }
}
