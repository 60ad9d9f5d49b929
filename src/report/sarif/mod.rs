//! SARIF 2.1.0 for code-review tooling: one rule per eventlet API (its
//! own name, the guidance as its description and help, a link to read on),
//! one result per use (a note where eventless rewrites it, a warning where
//! a person must, with the source line as snippet), and skipped files as
//! notifications.

mod help;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::display_path;
use crate::outcome::Action;
use crate::outcome::RunResult;
use crate::transform::Catalogue;
use help::Help;

pub fn render(run: &RunResult, catalogue: &Catalogue, root: &std::path::Path) -> String {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for file in &run.files {
        let uri = display_path(root, &file.source.path);
        for f in file.findings.iter().filter(|f| f.action != Action::Import) {
            rules.entry(f.api.clone()).or_insert_with(|| {
                let help = Help::of(catalogue, &f.api);
                json!({
                    "id": f.api,
                    "name": rule_name(&f.api),
                    "shortDescription": { "text": format!("eventlet API {} ({} family)", f.api, f.family) },
                    "fullDescription": { "text": help.guidance },
                    "helpUri": help.uri,
                    "help": help.message(),
                })
            });
            let (level, text) = match f.action {
                Action::Rewrite => (
                    "note",
                    format!(
                        "eventless rewrites this use of {} ({} transform '{}'{}).",
                        f.api,
                        f.safety.as_str(),
                        f.transform.as_deref().unwrap_or(""),
                        match f.differences.is_empty() {
                            true => String::new(),
                            false =>
                                format!(", behaviour differences: {}", f.differences.join(", ")),
                        }
                    ),
                ),
                _ => (
                    "warning",
                    format!(
                        "{} needs a person: {}",
                        f.api,
                        f.reason.as_deref().unwrap_or("")
                    ),
                ),
            };
            results.push(json!({
                "ruleId": f.api,
                "level": level,
                "message": { "text": text },
                "properties": { "differences": f.differences },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "snippet": { "text": f.code },
                        },
                    }
                }],
            }));
        }
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "eventless",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "results": results,
            // Files that could not be analysed, so that a clean run is not
            // mistaken for a complete one.
            "invocations": [{
                "executionSuccessful": run.files.iter().all(|f| f.error.is_none()),
                "toolExecutionNotifications": run.skipped.iter().map(|s| json!({
                    "level": "warning",
                    "message": { "text": format!("skipped: {}", s.reason) },
                    "locations": [{ "physicalLocation": {
                        "artifactLocation": { "uri": display_path(root, &s.path) },
                    }}],
                })).collect::<Vec<_>>(),
            }],
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).expect("JSON values serialize");
    text.push('\n');
    text
}

/// A rule name of its own for each API, as code scanning wants them:
/// `eventlet.greenthread.sleep` -> `EventletGreenthreadSleep`.
fn rule_name(api: &str) -> String {
    api.split(['.', ':', '_', '-'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}
