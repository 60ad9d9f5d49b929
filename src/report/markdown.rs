//! The readiness report in Markdown, as an analyst would write it: the
//! verdict, the blocking reasons, the complexity score, the patterns per
//! file, and every occurrence (linked when `--link-base` is given).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

use super::readiness::assess;
use super::{Summary, display_path};
use crate::outcome::Action;
use crate::outcome::RunResult;
use crate::transform::Catalogue;

pub fn render(
    run: &RunResult,
    catalogue: &Catalogue,
    title: &str,
    root: &Path,
    link_base: Option<&str>,
) -> String {
    let summary = Summary::of(run);
    let readiness = assess(run, root);
    let mut out = String::new();
    let _ = writeln!(out, "# eventlet removal readiness: {title}\n");
    let _ = writeln!(
        out,
        "**Is eventlet globally deactivable: {}**\n",
        if readiness.deactivable { "Yes" } else { "No" }
    );
    if !readiness.blockers.is_empty() {
        let _ = writeln!(out, "Blocking:\n");
        for b in &readiness.blockers {
            let _ = writeln!(out, "- {b}");
        }
        out.push('\n');
    }
    if let Some(project) = &run.project {
        let shown = match display_path(root, &project.root) {
            rel if rel.is_empty() || rel == "." => "the project root".to_owned(),
            rel => format!("`{rel}`"),
        };
        for line in super::project_lines_under(project, &shown).lines() {
            let _ = writeln!(out, "{}.\n", capitalized(line));
        }
    }
    let _ = writeln!(
        out,
        "**Migration complexity: {}/10** (see `eventless` docs/reports.md for the formula)\n",
        readiness.complexity
    );
    let _ = writeln!(out, "| | count |\n|---|---:|");
    let _ = writeln!(out, "| Python files scanned | {} |", summary.files_scanned);
    let _ = writeln!(
        out,
        "| files using eventlet | {} |",
        summary.files_with_eventlet
    );
    let _ = writeln!(out, "| eventlet uses | {} |", summary.uses);
    let _ = writeln!(
        out,
        "| rewritten by eventless (safe / conditional / review) | {} ({} / {} / {}) |",
        summary.rewrites(),
        summary.rewrite_safe,
        summary.rewrite_conditional,
        summary.rewrite_review
    );
    let _ = writeln!(out, "| left for a person | {} |", summary.manual);
    if summary.with_switch > 0 {
        let _ = writeln!(
            out,
            "| of which change only with the switch to native threads | {} |",
            summary.with_switch
        );
    }
    for (ids, n) in &summary.unlockable {
        let _ = writeln!(out, "| of which rewritten with `--accept {ids}` | {n} |");
    }
    let _ = writeln!(out, "| files skipped | {} |\n", summary.files_skipped);
    if readiness.h905_ready {
        let _ = writeln!(
            out,
            "No eventlet import is left once the rewrites apply: hacking's H905 check can be \
             enabled (`enable-extensions = H905`) to keep it that way.\n"
        );
    }

    let _ = writeln!(out, "## Patterns per file\n");
    for file in run
        .files
        .iter()
        .filter(|f| f.findings.iter().any(|x| x.action != Action::Import))
    {
        let path = display_path(root, &file.source.path);
        let _ = writeln!(out, "### {path}\n");
        let mut patterns: BTreeMap<(&str, &str), (usize, Action)> = BTreeMap::new();
        for f in file.findings.iter().filter(|x| x.action != Action::Import) {
            let entry = patterns
                .entry((f.api.as_str(), f.family.as_str()))
                .or_insert((0, f.action));
            entry.0 += 1;
            if f.action == Action::Manual {
                entry.1 = Action::Manual;
            }
        }
        for ((api, family), (n, action)) in patterns {
            let what = match action {
                Action::Rewrite => "rewritten by eventless".to_owned(),
                _ => describe(catalogue, api),
            };
            let _ = writeln!(out, "- `{api}` ({family}), {n}x: {what}");
        }
        out.push('\n');
    }

    let _ = writeln!(out, "## Occurrences found\n");
    for file in &run.files {
        let path = display_path(root, &file.source.path);
        // Import lines too, as an inventory lists them (once per line).
        let mut import_lines = BTreeSet::new();
        for f in &file.findings {
            if f.action == Action::Import && !import_lines.insert(f.line) {
                continue;
            }
            let place = match link_base {
                Some(base) => link(base, &path, f.line),
                None => format!("{path}:{}", f.line),
            };
            let mark = match (f.action, f.differences.is_empty()) {
                (Action::Import, _) => "import".to_owned(),
                (Action::Rewrite, true) => "rewritten".to_owned(),
                (Action::Rewrite, false) => {
                    format!("rewritten; check {}", f.differences.join(", "))
                }
                (_, true) if f.with_switch => "manual; changes with the switch".to_owned(),
                (_, false) if f.with_switch => format!(
                    "manual; changes with the switch, once --accept {}",
                    f.differences.join(",")
                ),
                (_, true) => "manual".to_owned(),
                (_, false) => format!(
                    "manual; rewritten with --accept {}",
                    f.differences.join(",")
                ),
            };
            let _ = writeln!(out, "- {place} : `{}` ({mark})", f.code.replace('`', "'"));
        }
    }
    out
}

/// A link that opens the line: `base` with its `{path}` and `{line}`
/// filled in, or else `<base>/<path>#L<line>`, the line anchor of Gitea
/// (opendev.org), GitHub and GitLab.
fn link(base: &str, path: &str, line: usize) -> String {
    if base.contains("{path}") {
        return base
            .replace("{path}", path)
            .replace("{line}", &line.to_string());
    }
    format!("{}/{path}#L{line}", base.trim_end_matches('/'))
}

fn describe(catalogue: &Catalogue, api: &str) -> String {
    catalogue.api(api).map_or_else(
        || "needs a person".to_owned(),
        |id| catalogue.apis[id].guidance.clone(),
    )
}

fn capitalized(line: &str) -> String {
    let mut chars = line.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
