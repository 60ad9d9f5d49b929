//! SARIF 2.1.0 for code-review tooling: one rule per eventlet API (its
//! own name, the guidance as its description and help, a link to read on),
//! one result per use (a note where eventless rewrites it, with its part of
//! the rewrite as fixes, a warning where a person must; its start and end,
//! the source line as snippet, columns in UTF-16 code units, and a fingerprint that survives
//! lines added above it), and files skipped or not rewritten as
//! notifications.

mod fixes;
mod help;

use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::path::Path;

use serde_json::{Value, json};

use super::display_path;
use crate::outcome::Action;
use crate::outcome::RunResult;
use crate::source::LineIndex;
use crate::transform::Catalogue;
use fixes::Replacement;
use help::Help;

pub fn render(run: &RunResult, catalogue: &Catalogue, root: &Path) -> String {
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for file in &run.files {
        let uri = display_path(root, &file.source.path);
        let text = &file.source.text;
        let lines = LineIndex::new(text);
        let rewritten: Vec<usize> = file.rewrites().map(|f| f.line).collect();
        // In the order of `file.rewrites()`, which the loop below follows.
        let mut fixes = file
            .new_text
            .as_deref()
            .map_or_else(Vec::new, |new| fixes::by_use(text, new, &rewritten))
            .into_iter();
        // How many results of the file came before with the same rule and
        // line text: the fingerprint tells identical lines apart by it.
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for f in file.findings.iter().filter(|f| f.action != Action::Import) {
            let occurrence = seen.entry((&f.api, &f.code)).or_default();
            let fingerprint = fingerprint(&f.api, &uri, &f.code, *occurrence);
            *occurrence += 1;
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
            let (level, message) = match f.action {
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
                        "{} {}: {}",
                        f.api,
                        if f.with_switch {
                            "changes only with the switch to native threads"
                        } else {
                            "needs a person"
                        },
                        f.reason.as_deref().unwrap_or("")
                    ),
                ),
            };
            let line = lines.line_text(text, f.line);
            let mut result = json!({
                "ruleId": f.api,
                "level": level,
                "message": { "text": message },
                "properties": { "differences": f.differences, "conditions": f.conditions },
                "partialFingerprints": { "eventlessUse/v1": fingerprint },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": {
                            "startLine": f.line,
                            "startColumn": utf16_column(line, f.column),
                            "endLine": f.end_line,
                            "endColumn": utf16_column(lines.line_text(text, f.end_line), f.end_column),
                            "snippet": { "text": f.code },
                        },
                    }
                }],
            });
            let fix = match f.action {
                Action::Rewrite => fixes.next().filter(|r| !r.is_empty()),
                _ => None,
            };
            if let Some(replacements) = fix {
                result["fixes"] = json!([fix_json(&uri, &replacements)]);
            }
            results.push(result);
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
            "columnKind": COLUMN_KIND,
            "results": results,
            // Files that could not be analysed or rewritten, so that a clean
            // run is not mistaken for a complete one.
            "invocations": [{
                "executionSuccessful": run.files.iter().all(|f| f.error.is_none()),
                "toolExecutionNotifications": notifications(run, root),
            }],
        }],
    });
    let mut text = serde_json::to_string_pretty(&sarif).expect("JSON values serialize");
    text.push('\n');
    text
}

/// What identifies a result across commits, whatever lines are added or
/// removed above it: the rule, the file, the line's text and which of the
/// file's results with both that is, hashed with FNV-1a (stable across
/// builds and platforms).
fn fingerprint(rule: &str, uri: &str, code: &str, occurrence: usize) -> String {
    let mut hasher = fnv::FnvHasher::default();
    for part in [rule, uri, code, &occurrence.to_string()] {
        hasher.write(part.as_bytes());
        hasher.write_u8(0);
    }
    format!("{:016x}", hasher.finish())
}

/// A warning for each file skipped, and each file whose rewrite failed.
fn notifications(run: &RunResult, root: &Path) -> Vec<Value> {
    let skipped = run
        .skipped
        .iter()
        .map(|s| (&s.path, format!("skipped: {}", s.reason)));
    let failed = run.files.iter().filter_map(|f| {
        let error = f.error.as_ref()?;
        Some((&f.source.path, format!("not rewritten: {error}")))
    });
    skipped
        .chain(failed)
        .map(|(path, text)| {
            json!({
                "level": "warning",
                "message": { "text": text },
                "locations": [{ "physicalLocation": {
                    "artifactLocation": { "uri": display_path(root, path) },
                }}],
            })
        })
        .collect()
}

/// A result's fix: its part of the file's rewrite.
fn fix_json(uri: &str, replacements: &[Replacement]) -> Value {
    let region = |r: &Replacement| {
        json!({
            "startLine": r.start.line,
            "startColumn": r.start.column,
            "endLine": r.end.line,
            "endColumn": r.end.column,
        })
    };
    json!({
        "description": {
            "text": "eventless's rewrite at this use, one part of the file's rewrite: \
                     apply the fixes of all the file's results together.",
        },
        "artifactChanges": [{
            "artifactLocation": { "uri": uri },
            "replacements": replacements.iter().map(|r| json!({
                "deletedRegion": region(r),
                "insertedContent": { "text": r.inserted },
            })).collect::<Vec<_>>(),
        }],
    })
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

/// Columns count UTF-16 code units, as in GitHub's code scanning
/// documentation and CodeQL's output.
const COLUMN_KIND: &str = "utf16CodeUnits";

/// The length of a text in UTF-16 code units, SARIF's columns here.
fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The column, in UTF-16 code units, of the 1-based character `column` of
/// `line`.
fn utf16_column(line: &str, column: usize) -> usize {
    line.chars()
        .take(column - 1)
        .map(char::len_utf16)
        .sum::<usize>()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{FileResult, Skipped};
    use crate::source::SourceFile;

    #[test]
    fn files_skipped_or_not_rewritten_are_warnings_of_an_unsuccessful_run() {
        let source = SourceFile::from_bytes("pkg/a.py".into(), b"import eventlet\n".to_vec());
        let run = RunResult {
            files: vec![FileResult {
                source: source.unwrap(),
                findings: Vec::new(),
                new_text: None,
                error: Some("the rewrite would not parse".into()),
                created: false,
            }],
            skipped: vec![Skipped {
                path: "pkg/b.py".into(),
                reason: "not valid UTF-8; left alone".into(),
            }],
            ..RunResult::default()
        };
        let catalogue = Catalogue::builtin().unwrap();
        let sarif: Value = serde_json::from_str(&render(&run, &catalogue, Path::new("."))).unwrap();
        let invocation = &sarif["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let notes: Vec<(&str, &str)> = invocation["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| {
                let uri = &n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
                (
                    uri.as_str().unwrap(),
                    n["message"]["text"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            notes,
            [
                ("pkg/b.py", "skipped: not valid UTF-8; left alone"),
                ("pkg/a.py", "not rewritten: the rewrite would not parse"),
            ]
        );
    }
}
