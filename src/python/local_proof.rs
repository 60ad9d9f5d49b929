//! Proving that edited source still parses without parsing all of it again.
//!
//! tree-sitter re-parses about everything after an edit that changes the
//! length of the text, so a few edits in a large class cost as much as a
//! fresh parse. Python is a sequence of statements, each on whole lines: an
//! edit inside a statement that begins and ends its lines can be proved by
//! parsing that statement's new text alone, dedented, as long as it is
//! still one or more whole statements at the same indentation. An edit at
//! module level that replaces whole lines of whole statements is proved by
//! parsing its new text alone. Anything else is not proved here, and the
//! caller parses the file.

use std::collections::BTreeMap;
use std::ops::Range;

use tree_sitter::Node;

use super::parse::{first_syntax_error, parse};
use super::syntax::Root;
use crate::edit::Edit;
use crate::source::{line_end, line_start};

/// Whether `edits` (non-overlapping, on `old`, whose tree is `root`) surely
/// leave source that parses. `false` means "not proved", not "broken".
pub fn proves(root: Node, old: &str, edits: &[Edit]) -> bool {
    let edits = &crate::edit::normalize(edits.to_vec());
    let root = Root::new(root);
    // Each edit's region: the whole lines of its innermost enclosing
    // statement, or the edit itself when it splices whole top-level lines.
    let mut regions: BTreeMap<(usize, usize), Region> = BTreeMap::new();
    for edit in edits {
        let Some(region) = region_of(&root, old, &edit.range) else {
            return false;
        };
        regions.insert((region.lines.start, region.lines.end), region);
    }
    // A region inside another is proved with it. By start, the longest
    // first: a region is inside one before it that reaches as far.
    let mut ordered: Vec<&Region> = regions.values().collect();
    ordered.sort_by_key(|r| (r.lines.start, std::cmp::Reverse(r.lines.end)));
    let mut reach = 0;
    let mut outermost = Vec::new();
    for (n, region) in ordered.into_iter().enumerate() {
        if n == 0 || region.lines.end > reach {
            outermost.push(region);
        }
        reach = reach.max(region.lines.end);
    }
    outermost.iter().all(|region| region.proved(old, edits))
}

struct Region<'t> {
    /// Whole lines of `old` (without the final line break).
    lines: Range<usize>,
    /// The statement whose lines these are; `None` for a top-level splice.
    statement: Option<Node<'t>>,
}

impl Region<'_> {
    fn proved(&self, old: &str, edits: &[Edit]) -> bool {
        // The edits are sorted and do not overlap: those inside follow
        // one another.
        let first = edits.partition_point(|e| e.range.start < self.lines.start);
        let inside = edits[first..]
            .iter()
            .take_while(|e| e.range.start <= self.lines.end)
            .filter(|e| e.range.end <= self.lines.end);
        let mut new = String::new();
        let mut at = self.lines.start;
        for edit in inside {
            new.push_str(&old[at..edit.range.start]);
            new.push_str(&edit.text);
            at = edit.range.end;
        }
        new.push_str(&old[at..self.lines.end]);
        let Some(statement) = self.statement else {
            return parses(&new, 0);
        };
        let indent = &old[line_start(old, statement.start_byte())..statement.start_byte()];
        match dedent(&new, indent) {
            Some(dedented) => parses(&dedented, 1),
            None => false,
        }
    }
}

/// Whether `text` parses on its own into at least `at_least` statements.
fn parses(text: &str, at_least: usize) -> bool {
    let tree = parse(text);
    let root = tree.root_node();
    let mut cursor = root.walk();
    let statements = root
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .count();
    first_syntax_error(&tree).is_none() && statements >= at_least
}

fn region_of<'t>(root: &Root<'t>, old: &str, range: &Range<usize>) -> Option<Region<'t>> {
    let mut node = root.descendant_for_byte_range(range.start, range.end)?;
    loop {
        let contains = node.start_byte() <= range.start && range.end <= node.end_byte();
        if contains && is_statement(root, node) && whole_lines(old, node.byte_range()) {
            let lines = line_start(old, node.start_byte())..line_end(old, node.end_byte());
            return Some(Region {
                lines,
                statement: Some(node),
            });
        }
        match root.parent(node) {
            Some(parent) => node = parent,
            None => break,
        }
    }
    // A splice of whole top-level lines that cuts no statement.
    let splice = line_start(old, range.start) == range.start
        && (range.end == old.len() || line_start(old, range.end) == range.end);
    let mut cursor = root.node().walk();
    let cut = root.node().children(&mut cursor).any(|child| {
        let overlaps = child.start_byte() < range.end && range.start < child.end_byte();
        overlaps && !(range.start <= child.start_byte() && child.end_byte() <= range.end)
    });
    (splice && !cut).then(|| Region {
        lines: range.clone(),
        statement: None,
    })
}

/// A statement of a module or block (not a comment).
fn is_statement(root: &Root, node: Node) -> bool {
    node.is_named()
        && node.kind() != "comment"
        && root
            .parent(node)
            .is_some_and(|p| matches!(p.kind(), "module" | "block"))
}

/// Whether only blanks come before `range` on its first line and only
/// blanks or a comment after it on its last.
fn whole_lines(text: &str, range: Range<usize>) -> bool {
    let before = &text[line_start(text, range.start)..range.start];
    let after = text[range.end..line_end(text, range.end)].trim_start();
    before.chars().all(|c| c == ' ' || c == '\t') && (after.is_empty() || after.starts_with('#'))
}

/// `text` without `indent` at the start of each line that is not blank;
/// `None` when a line does not start with it.
fn dedent(text: &str, indent: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            out.push_str(if line.ends_with("\r\n") {
                "\r\n"
            } else if line.ends_with('\n') {
                "\n"
            } else {
                ""
            });
        } else {
            out.push_str(line.strip_prefix(indent)?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proves_on(old: &str, edits: &[Edit]) -> bool {
        let tree = parse(old);
        proves(tree.root_node(), old, edits)
    }

    const CLASS: &str = "import eventlet\nimport os\n\n\nclass A:\n    def f(self):\n        eventlet.sleep(1)  # nap\n        return os.sep\n";

    fn at(text: &str, needle: &str) -> Range<usize> {
        let start = text.find(needle).unwrap();
        start..start + needle.len()
    }

    #[test]
    fn an_edit_inside_a_method_is_proved_by_the_method_alone() {
        let edit = Edit::replace(at(CLASS, "eventlet.sleep(1)"), "time.sleep(1)");
        assert!(proves_on(CLASS, &[edit]));
    }

    #[test]
    fn a_broken_edit_is_not_proved() {
        let edit = Edit::replace(at(CLASS, "eventlet.sleep(1)"), "time.sleep(1");
        assert!(!proves_on(CLASS, &[edit]));
        // Text that would dedent below the method is not proved either.
        let edit = Edit::replace(at(CLASS, "eventlet.sleep(1)"), "x = 1\ny = 2");
        assert!(!proves_on(CLASS, &[edit]));
    }

    #[test]
    fn whole_top_level_lines_are_spliced() {
        let delete = Edit::replace(at(CLASS, "import eventlet\n"), "");
        let insert = Edit::insert(at(CLASS, "import os").start, "import time\n");
        assert!(proves_on(CLASS, &[delete, insert]));
        let broken = Edit::insert(at(CLASS, "import os").start, "import (\n");
        assert!(!proves_on(CLASS, &[broken]));
    }

    #[test]
    fn crlf_tabs_and_decorators_are_proved_in_place() {
        let source = "class T:\r\n\t@mock.patch.object(eventlet, 'sleep')\r\n\tdef test(self, m):\r\n\t\tpass\r\n";
        let edit = Edit::replace(at(source, "eventlet, 'sleep'"), "time, 'sleep'");
        assert!(proves_on(source, &[edit]));
        let broken = Edit::replace(at(source, "eventlet, 'sleep'"), "time, 'sleep");
        assert!(!proves_on(source, &[broken]));
    }

    #[test]
    fn emptying_a_block_is_not_proved_by_its_statement() {
        let source = "def f():\n    eventlet.sleep(1)\n";
        let edit = Edit::replace(at(source, "    eventlet.sleep(1)\n"), "");
        // The deletion sits in the def, which would be left without a body.
        assert!(!proves_on(source, &[edit]));
    }
}
