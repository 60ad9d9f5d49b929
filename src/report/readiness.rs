//! The readiness verdict of a project: can eventlet be switched off, what
//! blocks it, and how hard the rest of the migration is. Shared by the
//! Markdown report and batch summaries.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use super::Summary;
use super::display_path;
use crate::analysis::UseKind;
use crate::outcome::Action;
use crate::outcome::RunResult;

#[derive(Debug, Serialize)]
pub struct Readiness {
    /// Whether eventlet can be deactivated once eventless's rewrites apply.
    pub deactivable: bool,
    /// Why not, most important first.
    pub blockers: Vec<String>,
    /// 1 (trivial) to 10 (hard); see [`complexity`].
    pub complexity: u8,
    /// No eventlet import is left after the rewrites: hacking's H905 can be enabled.
    pub h905_ready: bool,
}

/// The migration complexity score, 1 to 10, over what is left for people:
///
/// `1 + round(9 * (0.4 * min(1, manual / 200) + 0.2 * min(1, files / 50)
///  + 0.2 * manual_share + 0.2 * min(1, kinds / 15)))`
///
/// where `manual` counts uses left for a person, `files` the files holding
/// them, `manual_share` is `manual / uses`, and `kinds` the distinct APIs
/// among them. No manual use scores 1.
pub fn complexity(manual: usize, files: usize, uses: usize, kinds: usize) -> u8 {
    if manual == 0 {
        return 1;
    }
    let share = manual as f64 / uses.max(1) as f64;
    let weighted = 0.4 * (manual as f64 / 200.0).min(1.0)
        + 0.2 * (files as f64 / 50.0).min(1.0)
        + 0.2 * share
        + 0.2 * (kinds as f64 / 15.0).min(1.0);
    (1.0 + (9.0 * weighted).round()).clamp(1.0, 10.0) as u8
}

/// How ready the tree under `root` is; blockers name paths relative to it.
pub fn assess(run: &RunResult, root: &Path) -> Readiness {
    let summary = Summary::of(run);
    let mut by_api: BTreeMap<&str, usize> = BTreeMap::new();
    let mut files: BTreeSet<&std::path::Path> = BTreeSet::new();
    let mut blockers = Vec::new();
    for file in &run.files {
        for f in file
            .findings
            .iter()
            .filter(|f| f.action == Action::Manual && f.kind != UseKind::Config)
        {
            *by_api.entry(f.api.as_str()).or_default() += 1;
            files.insert(&file.source.path);
            if f.api == "eventlet.patcher.monkey_patch" {
                blockers.push(format!(
                    "monkey_patch() at {}:{}",
                    display_path(root, &file.source.path),
                    f.line
                ));
            }
            if f.api.starts_with("eventlet.wsgi") {
                blockers.push(format!(
                    "eventlet.wsgi at {}:{}",
                    display_path(root, &file.source.path),
                    f.line
                ));
            }
        }
    }
    if summary.manual > 0 {
        let mut kinds: Vec<(&str, usize)> = by_api.iter().map(|(k, v)| (*k, *v)).collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let listed: Vec<String> = kinds
            .iter()
            .take(8)
            .map(|(api, n)| format!("{api} ({n})"))
            .collect();
        blockers.insert(
            0,
            format!("{}: {}", summary.left_for_people(), listed.join(", ")),
        );
    }
    for s in &run.skipped {
        blockers.push(format!(
            "{} could not be analysed: {}",
            display_path(root, &s.path),
            s.reason
        ));
    }
    let imports_left = run
        .files
        .iter()
        .any(|f| f.findings.iter().any(|x| x.action == Action::Import) && f.new_text.is_none());
    Readiness {
        deactivable: blockers.is_empty(),
        complexity: complexity(summary.manual, files.len(), summary.uses, by_api.len()),
        h905_ready: blockers.is_empty() && !imports_left,
        blockers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complexity_grows_with_what_is_left() {
        assert_eq!(complexity(0, 0, 10, 0), 1);
        assert!(complexity(5, 2, 100, 2) <= 3);
        assert_eq!(complexity(400, 80, 400, 20), 10);
        assert!(complexity(50, 10, 100, 5) < complexity(150, 30, 200, 10));
    }
}
