//! `--annotate`: a `# TODO(eventlet-removal): ...` comment above each
//! statement that holds a use left for a person, so the work is visible
//! where it has to be done. Comments already there are not added again,
//! and one above a statement whose last such use a later run rewrites goes
//! (with or without `--annotate`).

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::{FileAnalysis, UseKind};
use crate::decide::matcher::Fate;
use crate::edit::Edit;
use crate::python::continuation::MAX_LINE;
use crate::python::syntax::{Root, node_at};
use crate::source::line_start;

pub const MARKER: &str = "# TODO(eventlet-removal):";

pub fn annotations(
    text: &str,
    root: &Root,
    analysis: &FileAnalysis,
    fates: &[Fate],
    newline: &str,
) -> Vec<Edit> {
    // Statement start line -> notes, in order of appearance.
    let mut notes: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (u, fate) in analysis.uses.iter().zip(fates) {
        let Fate::Manual(_, reason) = fate else {
            continue;
        };
        if u.kind != UseKind::Reference {
            continue;
        }
        let Some(statement) = node_at(root, &u.range).map(|n| enclosing_statement(root, n)) else {
            continue;
        };
        let line_start = line_start(text, statement.start_byte());
        let note = format!("{}: {}", short_name(&u.name), first_sentence(reason));
        let entry = notes.entry(line_start).or_default();
        if !entry.contains(&note) {
            entry.push(note);
        }
    }
    let mut edits = Vec::new();
    for (line_start, notes) in notes {
        if already_annotated(text, line_start) {
            continue;
        }
        let indent: String = text[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        let mut comment = String::new();
        for line in wrap(&format!("{MARKER} {}", notes.join("; ")), &indent) {
            comment.push_str(&indent);
            comment.push_str(&line);
            comment.push_str(newline);
        }
        edits.push(Edit::insert(line_start, comment));
    }
    edits
}

/// Edits that delete the TODO comments above the statements that
/// `rewritten` (this round's rewrites) leave with no use for a person;
/// `consumed` are the uses the round rewrites or replaces.
pub fn stale(
    text: &str,
    root: &Root,
    analysis: &FileAnalysis,
    fates: &[Fate],
    rewritten: &[Range<usize>],
    consumed: &HashSet<usize>,
) -> Vec<Edit> {
    let statement_line = |range: &Range<usize>| {
        node_at(root, range).map(|n| line_start(text, enclosing_statement(root, n).start_byte()))
    };
    let still_manual: HashSet<usize> = analysis
        .uses
        .iter()
        .zip(fates)
        .enumerate()
        .filter(|(i, (u, fate))| {
            fate.is_manual() && u.kind == UseKind::Reference && !consumed.contains(i)
        })
        .filter_map(|(_, (u, _))| statement_line(&u.range))
        .collect();
    let mut lines: Vec<usize> = rewritten
        .iter()
        .filter_map(statement_line)
        .filter(|line| !still_manual.contains(line))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
        .into_iter()
        .filter_map(|line| annotation_above(text, line))
        .map(|comment| Edit::replace(comment, ""))
        .collect()
}

fn enclosing_statement<'t>(root: &Root<'t>, mut node: Node<'t>) -> Node<'t> {
    for parent in root.ancestors(node) {
        let kind = node.kind();
        if (kind.ends_with("_statement")
            || kind == "function_definition"
            || kind == "class_definition"
            || kind == "decorated_definition")
            && !matches!(parent.kind(), "decorated_definition")
        {
            return node;
        }
        node = parent;
    }
    node
}

/// Whether the comment lines right above `line_start` hold the marker.
fn already_annotated(text: &str, line_start: usize) -> bool {
    annotation_above(text, line_start).is_some()
}

/// The lines of the TODO comment (the marker line and its continuation
/// lines) that end right above the line starting at `line_start`.
fn annotation_above(text: &str, line_start: usize) -> Option<Range<usize>> {
    let mut at = line_start;
    while at > 0 {
        let previous = crate::source::line_start(text, at - 1);
        let line = text[previous..at].trim();
        if line.starts_with(MARKER) {
            return Some(previous..line_start);
        }
        if !line.starts_with("#     ") {
            return None;
        }
        at = previous;
    }
    None
}

fn short_name(api: &str) -> &str {
    api.strip_prefix("eventlet.").map_or(api, |_| api)
}

/// The reason's first sentence, without line references (they shift as
/// soon as comments are added).
fn first_sentence(reason: &str) -> String {
    let end = reason.find(". ").map_or(reason.len(), |i| i + 1);
    let mut sentence = reason[..end].trim_end_matches('.').to_owned();
    while let Some(start) = sentence.find(" (line ") {
        let Some(close) = sentence[start..].find(')') else {
            break;
        };
        sentence.replace_range(start..start + close + 1, "");
    }
    sentence
}

/// Wraps a comment at 79 columns; continuation lines are indented under
/// the text.
fn wrap(comment: &str, indent: &str) -> Vec<String> {
    let width = MAX_LINE.saturating_sub(indent.len()).max(40);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in comment.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
            line.push_str("#     ");
        } else if !line.is_empty() && !line.ends_with("#     ") {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_under_the_marker() {
        let lines = wrap(&format!("{MARKER} {}", "word ".repeat(30)), "    ");
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.len() + 4 <= MAX_LINE), "{lines:?}");
        assert!(lines[1].starts_with("#     word"));
    }

    #[test]
    fn sees_an_existing_annotation_above_continuation_lines() {
        let text = "x = 1\n# TODO(eventlet-removal): a\n#     b\nspawn()\n";
        let at = text.find("spawn").unwrap();
        assert!(already_annotated(text, at));
        assert!(!already_annotated(text, text.find("# TODO").unwrap()));
        assert_eq!(
            annotation_above(text, at),
            Some(text.find("# TODO").unwrap()..at)
        );
        let other_comment = "# TODO(eventlet-removal): a\n# unrelated\nspawn()\n";
        assert_eq!(
            annotation_above(other_comment, other_comment.find("spawn").unwrap()),
            None
        );
    }
}
