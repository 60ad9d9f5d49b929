//! Scan reports: every eventlet use with its fate, and a summary.

mod catalogue;
pub mod dashboard;
pub mod json;
pub mod markdown;
pub mod readiness;
pub mod sarif;
pub mod text;

pub use catalogue::catalogue_markdown;

use std::path::Path;

use serde::Serialize;

use crate::outcome::Action;
use crate::outcome::RunResult;
use crate::transform::Safety;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub files_scanned: usize,
    pub files_with_eventlet: usize,
    pub files_skipped: usize,
    /// Uses in code (imports not counted).
    pub uses: usize,
    pub rewrite_safe: usize,
    pub rewrite_conditional: usize,
    pub manual: usize,
    pub imports: usize,
    pub files_to_change: usize,
}

impl Summary {
    pub fn of(run: &RunResult) -> Summary {
        let mut s = Summary {
            files_scanned: run.files_scanned,
            files_with_eventlet: run.files.len(),
            files_skipped: run.skipped.len(),
            files_to_change: run.changed().count(),
            ..Summary::default()
        };
        for f in run.files.iter().flat_map(|f| &f.findings) {
            match (f.action, f.safety) {
                (Action::Import, _) => s.imports += 1,
                (Action::Manual, _) => s.manual += 1,
                (Action::Rewrite, Safety::Safe) => s.rewrite_safe += 1,
                (Action::Rewrite, _) => s.rewrite_conditional += 1,
            }
        }
        s.uses = s.rewrite_safe + s.rewrite_conditional + s.manual;
        s
    }

    pub fn rewrites(&self) -> usize {
        self.rewrite_safe + self.rewrite_conditional
    }

    /// Whether nothing would be left for a person once the rewrites apply.
    pub fn eventlet_removable(&self) -> bool {
        self.manual == 0 && self.files_skipped == 0
    }
}

/// A file's path as reports show it: relative to the root given.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel.display().to_string();
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}
