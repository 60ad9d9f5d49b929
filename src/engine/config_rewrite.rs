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
use crate::python::environment_settings::{may_set, settings, without_settings};
use crate::python::parse::parse;
use crate::source::{SourceFile, StandIn, line_col, line_text, read_bytes};
use crate::transform::model::{ENVIRONMENT_API, INHERITED_ENVIRONMENT};
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
                helpers: Vec::new(),
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

/// The transform that deletes settings of eventlet's variables.
const ENVIRONMENT_TRANSFORM: &str = "environment";

/// Adds to `files` (a run's results) the uses that set eventlet's
/// environment variables in them, and in those of `others` (files that do
/// not mention eventlet otherwise), which join the results when they have
/// some; and deletes them where they go.
pub(super) fn add_environment_settings<'p>(
    files: &mut Vec<FileResult>,
    others: impl Iterator<Item = &'p Path>,
    catalogue: &Catalogue,
    settling: &Settling,
    stand_in: Option<&StandIn>,
) {
    for file in files.iter_mut().filter(|f| !f.created) {
        settle_settings(file, catalogue, settling);
    }
    for path in others {
        let read = read_bytes(path, stand_in).ok();
        let Some(source) = read.and_then(|b| SourceFile::from_bytes(path.to_path_buf(), b).ok())
        else {
            continue;
        };
        let mut file = FileResult {
            source,
            findings: Vec::new(),
            new_text: None,
            error: None,
            created: false,
        };
        settle_settings(&mut file, catalogue, settling);
        if !file.findings.is_empty() {
            files.push(file);
        }
    }
}

/// What decides the fate of the settings of eventlet's variables.
pub(super) struct Settling<'a> {
    pub(super) selection: &'a Selection,
    /// Where eventlet stays, and whether only through the project's uses.
    pub(super) eventlet_left: Option<(&'a str, bool)>,
}

/// The uses of `file` that set eventlet's environment variables
/// (`os.environ['EVENTLET_NO_GREENDNS'] = 'yes'`, found in its text as it
/// was). While eventlet stays they wait for it, naming the place that
/// keeps it. Once it goes they are deleted when the user accepts that the
/// commands the program starts no longer inherit them (they may run on
/// eventlet themselves), else left for a person with that difference.
fn settle_settings(file: &mut FileResult, catalogue: &Catalogue, settling: &Settling) {
    let Some(api) = catalogue
        .api(ENVIRONMENT_API)
        .filter(|_| may_set(file.source.text.as_bytes()))
    else {
        return;
    };
    let text = &file.source.text;
    let tree = parse(text);
    let found = settings(tree.root_node(), text);
    if found.is_empty() {
        return;
    }
    let transform = catalogue.transform_by_id(ENVIRONMENT_TRANSFORM);
    let difference = catalogue.difference_by_id(INHERITED_ENVIRONMENT);
    let failed = file.error.is_some();
    // Worked out only where the settings may go.
    let deleted = match (settling.eventlet_left, failed) {
        (None, false) => without_settings(file.new_text.as_deref().unwrap_or(text)),
        _ => Ok(None),
    };
    // Why the settings stay, if they do, and whether accepting the
    // difference would delete them.
    let stays = |variable: &str| -> Option<(String, bool)> {
        if let Some((site, _)) = settling.eventlet_left {
            let why = format!(
                "eventlet is still imported ({site}); the setting goes once nothing imports \
                 it, and no command this program starts runs on eventlet itself, which \
                 {variable} tunes through the environment it inherits"
            );
            return Some((why, false));
        }
        if failed {
            return Some((
                "the file's rewrite failed, so it is left as it is".into(),
                false,
            ));
        }
        if let Err(why) = &deleted {
            return Some((format!("{why}: delete it by hand"), false));
        }
        let (Some(t), Some(d)) = (transform, difference) else {
            return Some((
                "the catalogue has no transform that deletes it".into(),
                false,
            ));
        };
        if let Err(why) = settling.selection.allows(t, Safety::Review) {
            return Some((why, false));
        }
        let unaccepted = format!(
            "nothing imports eventlet any more: the setting goes (and an import only it uses) \
             once no command this program starts runs on eventlet itself, which {variable} \
             tunes through the environment it inherits"
        );
        (!settling.selection.accepts(&[d])).then_some((unaccepted, true))
    };
    let mut edited = false;
    for (statement, variable) in found {
        let (line, column) = line_col(text, statement.start_byte());
        let (end_line, end_column) = line_col(text, statement.end_byte());
        let stay = stays(variable);
        let rewritten = stay.is_none();
        edited |= rewritten;
        // What the rewrite has, or what would unlock it.
        let differences = match &stay {
            None | Some((_, true)) => vec![INHERITED_ENVIRONMENT.to_owned()],
            Some((_, false)) => Vec::new(),
        };
        file.findings.push(Finding {
            kind: UseKind::Config,
            line,
            column,
            end_line,
            end_column,
            api: ENVIRONMENT_API.to_owned(),
            family: catalogue.family_name(api).to_owned(),
            transform: transform.filter(|_| rewritten).map(|t| t.id.clone()),
            safety: if rewritten {
                Safety::Review
            } else {
                Safety::Manual
            },
            action: if rewritten {
                Action::Rewrite
            } else {
                Action::Manual
            },
            reason: stay.map(|(why, _)| why),
            differences,
            conditions: BTreeMap::new(),
            comments: Vec::new(),
            // Not even the switch deletes it.
            with_switch: false,
            helpers: Vec::new(),
            code: line_text(text, line).trim().to_owned(),
        });
    }
    file.findings.sort_by_key(|f| (f.line, f.column));
    if let (true, Ok(Some(new_text))) = (edited, deleted) {
        file.new_text = Some(new_text);
    }
}
