//! The human-readable scan report.

use std::fmt::Write;

use super::Summary;
use crate::outcome::RunResult;
use crate::outcome::{Action, Finding};

pub fn render(run: &RunResult) -> String {
    let mut out = String::new();
    for file in &run.files {
        let path = file.source.path.display();
        for f in &file.findings {
            let what = match f.action {
                Action::Rewrite => {
                    let switch = if f.with_switch {
                        ", with the switch"
                    } else {
                        ""
                    };
                    let differences = if f.differences.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", f.differences.join(", "))
                    };
                    let shows: String = f
                        .conditions
                        .iter()
                        .map(|(id, why)| format!("; {id} where {why}"))
                        .collect();
                    format!(
                        "rewrite by {} ({}{switch}{differences}{shows})",
                        f.transform.as_deref().unwrap_or("?"),
                        f.safety.as_str(),
                    )
                }
                Action::Manual => {
                    format!("{}: {}", manual_label(f), f.reason.as_deref().unwrap_or(""))
                }
                Action::Import => "import".to_owned(),
            };
            let _ = writeln!(
                out,
                "{path}:{}:{}: {} [{}] {what}",
                f.line, f.column, f.api, f.family
            );
        }
        if let Some(error) = &file.error {
            let _ = writeln!(out, "{path}: error: {error}");
        }
    }
    for s in &run.skipped {
        let _ = writeln!(out, "{}: skipped: {}", s.path.display(), s.reason);
    }
    if let Some(project) = &run.project {
        out.push_str(&super::project_lines(project));
    }
    out.push_str(&summary_lines(&Summary::of(run)));
    out
}

pub fn summary_lines(s: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} Python files scanned, {} mention eventlet, {} skipped",
        s.files_scanned, s.files_with_eventlet, s.files_skipped
    );
    let _ = writeln!(
        out,
        "{} eventlet uses: {} rewritable ({} safe, {} conditional, {} review), {} left for manual work; {} imports",
        s.uses,
        s.rewrites(),
        s.rewrite_safe,
        s.rewrite_conditional,
        s.rewrite_review,
        s.manual,
        s.imports
    );
    out.push_str(&s.difference_lines());
    let verdict = if s.files_with_eventlet == 0 {
        "no eventlet use found".to_owned()
    } else if s.eventlet_removable() {
        "eventlet can be switched off once the rewrites are applied".to_owned()
    } else {
        format!(
            "eventlet cannot be switched off yet: {}{}",
            s.left_for_people(),
            if s.files_skipped > 0 {
                ", and skipped files need a look"
            } else {
                ""
            }
        )
    };
    let _ = writeln!(out, "verdict: {verdict}");
    out
}

/// How a use left for a person is marked: apart when only the switch to
/// native threads holds it.
fn manual_label(f: &Finding) -> &'static str {
    if f.with_switch {
        "manual (with the switch)"
    } else {
        "manual"
    }
}

/// Counts per API and fate (`--statistics`, as ruff's): how many uses each
/// transform rewrites, and for each reason how many stay, most first.
pub fn statistics(run: &RunResult) -> String {
    let mut counts: std::collections::HashMap<(&str, String), usize> = Default::default();
    for f in run.files.iter().flat_map(|f| &f.findings) {
        let fate = match f.action {
            Action::Import => continue,
            Action::Rewrite => format!("rewrite by {}", f.transform.as_deref().unwrap_or("?")),
            Action::Manual => {
                let reason = f.reason.as_deref().unwrap_or("");
                // The first sentence: the rest is guidance, the same for all.
                let first = reason.split(". ").next().unwrap_or(reason);
                format!("{}: {}", manual_label(f), first.trim_end_matches('.'))
            }
        };
        *counts.entry((f.api.as_str(), fate)).or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let width = rows.first().map_or(1, |(_, n)| n.to_string().len());
    let mut out = String::new();
    for ((api, fate), n) in rows {
        let _ = writeln!(out, "{n:>width$}  {api}  {fate}");
    }
    out.push_str(&summary_lines(&Summary::of(run)));
    out
}
