//! The machine-readable scan report.

use serde::Serialize;

use std::path::Path;

use super::Summary;
use super::readiness::{Readiness, assess};
use crate::outcome::Finding;
use crate::outcome::{ProjectSummary, RunResult};

/// The report's format version (docs/reports.md): 2 added the verdict,
/// the behaviour differences and `changes` for scan.
const VERSION: u32 = 2;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    files: Vec<FileEntry<'a>>,
    skipped: Vec<SkippedEntry>,
    summary: Summary,
    /// What the Markdown report says: deactivable, blockers, complexity.
    verdict: Readiness,
    /// The project analysed: its root, programs and where it was rewritten.
    #[serde(skip_serializing_if = "Option::is_none")]
    project: Option<&'a ProjectSummary>,
}

#[derive(Serialize)]
struct FileEntry<'a> {
    path: String,
    changes: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct SkippedEntry {
    path: String,
    reason: String,
}

pub fn render(run: &RunResult, root: &Path) -> String {
    let report = Report {
        version: VERSION,
        files: run
            .files
            .iter()
            .map(|f| FileEntry {
                path: f.source.path.display().to_string(),
                changes: f.changes(),
                error: f.error.as_deref(),
                findings: &f.findings,
            })
            .collect(),
        skipped: run
            .skipped
            .iter()
            .map(|s| SkippedEntry {
                path: s.path.display().to_string(),
                reason: s.reason.clone(),
            })
            .collect(),
        summary: Summary::of(run),
        verdict: assess(run, root),
        project: run.project.as_ref(),
    };
    let mut text = serde_json::to_string_pretty(&report).expect("report types serialize");
    text.push('\n');
    text
}
