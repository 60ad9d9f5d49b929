//! Configuration files (tox.ini, setup.cfg, ...): their eventlet settings,
//! rewritten once the Python files leave no eventlet import. And the
//! settings of eventlet's environment variables in Python code, which a
//! person deletes then.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use crate::analysis::UseKind;
use crate::config_files;
use crate::decide::matcher::Selection;
use crate::discover::mentions_eventlet;
use crate::outcome::{Action, FileResult, Finding, RunResult, Skipped};
use crate::python::environment_settings::{may_set, settings};
use crate::python::parse::parse;
use crate::source::{SourceFile, StandIn, line_col, line_text, read_bytes};
use crate::transform::{Catalogue, Safety, Transform};

/// Where eventlet is still imported once this run's rewrites are made, if
/// anywhere: a file that keeps it, or one that mentions eventlet and could
/// not be read; and whether it stays only through the project's own uses,
/// which go in the switch to native threads (not through a file that could
/// not be read, or one outside the paths given, which a person must see
/// to). `eventlet_kept` starts with the file outside, if `outside`.
pub(super) fn eventlet_left(
    result: &RunResult,
    eventlet_kept: &[String],
    outside: bool,
) -> Option<(String, bool)> {
    if let Some(s) = result.skipped.first() {
        return Some((format!("{} could not be read", s.path.display()), false));
    }
    eventlet_kept.first().map(|site| (site.clone(), !outside))
}

/// The findings and rewrite of one configuration file, or `None` when it
/// has nothing about eventlet.
pub(super) fn config_file(
    path: &std::path::Path,
    transforms: &[&Transform],
    catalogue: &Catalogue,
    selection: &Selection,
    eventlet_left: Option<(&str, bool)>,
) -> Result<Option<FileResult>, Skipped> {
    let skipped = |reason: String| Skipped {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| skipped(format!("cannot read: {e}")))?;
    // EVENTLET_* settings are upper case.
    if !mentions_eventlet(&bytes.to_ascii_lowercase()) {
        return Ok(None);
    }
    let source =
        SourceFile::from_bytes(path.to_path_buf(), bytes).map_err(|e| skipped(e.to_string()))?;
    let kind = config_files::kind_of(path).expect("discovered as a configuration file");
    let mut findings = Vec::new();
    let mut applied = Vec::new();
    for t in transforms {
        let strategy = t.strategy.expect("config transforms have a strategy");
        for change in config_files::changes(strategy, kind, &source.text) {
            let refusal = match eventlet_left {
                Some((site, _)) => Some(format!(
                    "eventlet is still imported ({site}); this goes with the last import"
                )),
                None => selection.allows(t, t.safety).err(),
            };
            let code = line_text(&source.text, change.line);
            findings.push(Finding {
                kind: UseKind::Config,
                line: change.line,
                column: 1,
                end_line: change.line,
                end_column: code.chars().count() + 1,
                api: catalogue.apis[t.apis[0]].name.clone(),
                family: catalogue.families[t.family].name.clone(),
                transform: Some(t.id.clone()),
                safety: if refusal.is_some() {
                    Safety::Manual
                } else {
                    t.safety
                },
                action: if refusal.is_some() {
                    Action::Manual
                } else {
                    Action::Rewrite
                },
                reason: refusal.clone(),
                differences: Vec::new(),
                conditions: BTreeMap::new(),
                comments: Vec::new(),
                // The last import goes in the switch, and this with it.
                with_switch: eventlet_left.is_some_and(|(_, with_switch)| with_switch),
                code: code.trim().to_owned(),
            });
            if refusal.is_none() {
                applied.push(change);
            }
        }
    }
    if findings.is_empty() {
        return Ok(None);
    }
    findings.sort_by_key(|f| f.line);
    let new_text = (!applied.is_empty()).then(|| config_files::apply(&source.text, &applied));
    Ok(Some(FileResult {
        source,
        findings,
        new_text,
        error: None,
        created: false,
    }))
}

/// The API the settings of eventlet's environment variables are uses of.
const ENVIRONMENT: &str = "eventlet:environment";

/// Adds to `files` (a run's results) the uses that set eventlet's
/// environment variables in them, and in those of `others` (files that do
/// not mention eventlet otherwise), which join the results when they have
/// some.
pub(super) fn add_environment_settings<'p>(
    files: &mut Vec<FileResult>,
    others: impl Iterator<Item = &'p Path>,
    catalogue: &Catalogue,
    eventlet_left: Option<(&str, bool)>,
    stand_in: Option<&StandIn>,
) {
    for file in files.iter_mut().filter(|f| !f.created) {
        let found = environment_settings(&file.source, catalogue, eventlet_left);
        if !found.is_empty() {
            file.findings.extend(found);
            file.findings.sort_by_key(|f| (f.line, f.column));
        }
    }
    for path in others {
        let read = read_bytes(path, stand_in).ok();
        let Some(source) = read.and_then(|b| SourceFile::from_bytes(path.to_path_buf(), b).ok())
        else {
            continue;
        };
        let findings = environment_settings(&source, catalogue, eventlet_left);
        if !findings.is_empty() {
            files.push(FileResult {
                source,
                findings,
                new_text: None,
                error: None,
                created: false,
            });
        }
    }
}

/// The uses of `source` that set eventlet's environment variables
/// (`os.environ['EVENTLET_NO_GREENDNS'] = 'yes'`), each left for a person
/// to delete once eventlet goes (while it stays, the reason names the place
/// that keeps it), after checking the commands the program starts, which
/// inherit the setting and may run on eventlet themselves.
fn environment_settings(
    source: &SourceFile,
    catalogue: &Catalogue,
    eventlet_left: Option<(&str, bool)>,
) -> Vec<Finding> {
    let Some(api) = catalogue
        .api(ENVIRONMENT)
        .filter(|_| may_set(source.text.as_bytes()))
    else {
        return Vec::new();
    };
    let text = &source.text;
    let tree = parse(text);
    settings(tree.root_node(), text)
        .into_iter()
        .map(|(statement, variable)| {
            let (line, column) = line_col(text, statement.start_byte());
            let (end_line, end_column) = line_col(text, statement.end_byte());
            let reason = match eventlet_left {
                Some((site, _)) => format!(
                    "eventlet is still imported ({site}); delete the setting once nothing \
                     imports it, and no command this program starts runs on eventlet itself, \
                     which {variable} tunes through the environment it inherits"
                ),
                None => format!(
                    "nothing imports eventlet any more: delete the setting (and an import only \
                     it uses), once no command this program starts runs on eventlet itself, \
                     which {variable} tunes through the environment it inherits"
                ),
            };
            Finding {
                kind: UseKind::Config,
                line,
                column,
                end_line,
                end_column,
                api: ENVIRONMENT.to_owned(),
                family: catalogue.family_name(api).to_owned(),
                transform: None,
                safety: Safety::Manual,
                action: Action::Manual,
                reason: Some(reason),
                differences: Vec::new(),
                conditions: BTreeMap::new(),
                comments: Vec::new(),
                // Not even the switch deletes it.
                with_switch: false,
                code: line_text(text, line).trim().to_owned(),
            }
        })
        .collect()
}
