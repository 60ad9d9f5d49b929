//! Deleting whole statements: the edits that remove them with their lines,
//! keep a block that would be left empty parsing (`pass`), and leave the
//! blank lines around an import group as a person would.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Node;

use super::syntax::{Root, descendants, named_children, node_at};
use crate::edit::Edit;
use crate::python::import_order::continues_stdlib_group;
use crate::source::{line_end, line_start};

/// Edits that delete whole statements. A statement alone on its lines goes
/// with its lines; one that shares a line with another goes with the `;`
/// between them, and one after a compound statement's colon becomes
/// `pass`; a block left with
/// no statement keeps a `pass` so it still parses, unless it is a branch
/// of an `if` all of whose branches are left empty and whose conditions
/// only read values: that `if` goes whole. When the deleted lines
/// stood between two blank lines (an import group that disappears, an
/// import inside a block), one of the blank lines goes too, unless something is
/// inserted where they began (`refilled`); when nothing is left above them
/// (`deleted_elsewhere` are the ranges other edits delete), all of them go;
/// and when the imports above and below them are one stdlib group by
/// hacking's rules (glance's fallback imports sat between `import errno`
/// and `import functools`), both go, and the groups become one.
pub fn delete_statements(
    root: Node,
    source: &str,
    statements: &[Range<usize>],
    refilled: &[usize],
    deleted_elsewhere: &[Range<usize>],
) -> Vec<Edit> {
    let indexed = Root::new(root);
    let nodes: Vec<Node> = statements
        .iter()
        .filter_map(|r| node_at(&indexed, r))
        .map(|mut node| {
            // A block holding only this statement spans the same bytes.
            while node.kind() == "block" {
                match node.named_child(0) {
                    Some(child) if child.byte_range() == node.byte_range() => node = child,
                    _ => break,
                }
            }
            node
        })
        .collect();
    let nodes = lift_emptied_ifs(root, nodes, source);
    let mut per_parent: HashMap<usize, usize> = HashMap::new();
    for node in &nodes {
        if let Some(parent) = node.parent() {
            *per_parent.entry(parent.id()).or_default() += 1;
        }
    }
    let mut given_pass: Vec<usize> = Vec::new();
    let mut edits = Vec::new();
    let mut whole_lines: Vec<Range<usize>> = Vec::new();
    for node in nodes {
        let Some(parent) = node.parent() else {
            continue;
        };
        let statements_in_parent = named_children(parent)
            .iter()
            .filter(|c| c.kind() != "comment")
            .count();
        let empties_block = parent.kind() == "block"
            && per_parent[&parent.id()] == statements_in_parent
            && !given_pass.contains(&parent.id());
        if empties_block {
            given_pass.push(parent.id());
            edits.push(Edit::replace(node.byte_range(), "pass"));
            continue;
        }
        match deletion(node, source) {
            Deletion::Lines(range) => whole_lines.push(range),
            Deletion::Edit(edit) => edits.push(edit),
        }
    }
    whole_lines.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in whole_lines {
        // New imports refill a deleted group at its start: a deletion
        // before it stays apart, or it would swallow them.
        match merged.last_mut() {
            Some(last) if last.end == range.start && !refilled.contains(&range.start) => {
                last.end = range.end;
            }
            _ => merged.push(range),
        }
    }
    let gone: Vec<Range<usize>> = merged
        .iter()
        .cloned()
        .chain(deleted_elsewhere.iter().cloned())
        .collect();
    for mut range in merged {
        // Nothing left or inserted above: no blank line is left to open
        // the file.
        let opens_file = nothing_left_before(source, range.start, &gone)
            && !refilled.iter().any(|&at| at <= range.start);
        if !refilled.contains(&range.start)
            && (opens_file || preceded_by_blank_line(source, range.start))
        {
            let (start, end_of_lines) = (range.start, range.end);
            while let Some(end) = blank_line_at(source, range.end) {
                range.end = end;
                if !opens_file {
                    break;
                }
            }
            // Two import groups the deletion brings together that are one
            // group by kind and order become one.
            if range.end > end_of_lines {
                let top_level = named_children(root);
                let above = top_level
                    .iter()
                    .take_while(|s| s.end_byte() <= start)
                    .last();
                let below = top_level.iter().find(|s| s.start_byte() >= range.end);
                let gap_only = |from: usize, to: usize| source[from..to].trim().is_empty();
                let stays = |s: &Node| {
                    !gone
                        .iter()
                        .any(|g| g.start < s.end_byte() && s.start_byte() < g.end)
                };
                if let (Some(&above), Some(&below)) = (above, below)
                    && !opens_file
                    && stays(&above)
                    && stays(&below)
                    && gap_only(above.end_byte(), start)
                    && gap_only(range.end, below.start_byte())
                    && continues_stdlib_group(above, below, source)
                {
                    range.start = line_end(source, above.end_byte()) + 1;
                }
            }
        }
        edits.push(Edit::replace(range, ""));
    }
    edits
}

/// `nodes` with the statements of every `if` they leave with no statement
/// in any branch replaced by the `if` itself, when its conditions only
/// read values (`if os.name == 'nt':`, not `if debugger.enabled():`):
/// `if x: pass` / `else: pass` is not what a person writes.
fn lift_emptied_ifs<'t>(root: Node<'t>, mut nodes: Vec<Node<'t>>, source: &str) -> Vec<Node<'t>> {
    loop {
        let ids: std::collections::HashSet<usize> = nodes.iter().map(Node::id).collect();
        let emptied = |block: Node| {
            block.kind() == "block"
                && named_children(block)
                    .iter()
                    .filter(|c| c.kind() != "comment")
                    .all(|c| ids.contains(&c.id()))
        };
        let lifted = nodes.iter().find_map(|node| {
            let statement = node.parent()?.parent()?;
            let branch_of = |n: Node<'t>| match n.kind() {
                "elif_clause" | "else_clause" => n.parent(),
                _ => Some(n),
            };
            let statement = branch_of(statement)?;
            if statement.kind() != "if_statement" || ids.contains(&statement.id()) {
                return None;
            }
            let mut conditions = vec![statement.child_by_field_name("condition")?];
            let mut blocks = vec![statement.child_by_field_name("consequence")?];
            let mut cursor = statement.walk();
            for clause in statement.children_by_field_name("alternative", &mut cursor) {
                conditions.extend(clause.child_by_field_name("condition"));
                blocks.extend(
                    clause
                        .child_by_field_name("consequence")
                        .or_else(|| clause.child_by_field_name("body")),
                );
            }
            let pure = conditions
                .iter()
                .all(|c| reads_only(*c) && !source[c.byte_range()].contains("eventlet"));
            (pure && blocks.into_iter().all(emptied)).then_some((statement, conditions))
        });
        let Some((statement, conditions)) = lifted else {
            return nodes;
        };
        let range = statement.byte_range();
        nodes.retain(|n| !(range.start <= n.start_byte() && n.end_byte() <= range.end));
        nodes.extend(imports_left_unused(root, statement, &conditions, source));
        nodes.push(statement);
    }
}

/// The module-level `import x` statements of `root` whose name
/// `conditions` read and nothing outside `gone` uses.
fn imports_left_unused<'t>(
    root: Node<'t>,
    gone: Node,
    conditions: &[Node],
    source: &str,
) -> Vec<Node<'t>> {
    let mut names: Vec<&str> = Vec::new();
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for node in descendants(root).filter(|n| n.kind() == "identifier") {
        let name = &source[node.byte_range()];
        let within =
            |n: &Node| n.start_byte() <= node.start_byte() && node.end_byte() <= n.end_byte();
        if conditions.iter().any(within) {
            names.push(name);
        } else if !within(&gone) {
            *uses.entry(name).or_default() += 1;
        }
    }
    named_children(root)
        .into_iter()
        .filter(|statement| {
            let bound = named_children(*statement);
            statement.kind() == "import_statement"
                && bound.len() == 1
                && bound[0].kind() == "dotted_name"
                && bound[0].named_child_count() == 1
                && {
                    let name = &source[bound[0].byte_range()];
                    // Its only other identifier is the import's own.
                    names.contains(&name) && uses.get(name) == Some(&1)
                }
        })
        .collect()
}

/// Whether evaluating `expression` only reads names, attributes, items and
/// literals and compares them: no call, nothing that could act.
fn reads_only(expression: Node) -> bool {
    const READS: &[&str] = &[
        "identifier",
        "attribute",
        "subscript",
        "string",
        "string_start",
        "string_content",
        "string_end",
        "integer",
        "float",
        "true",
        "false",
        "none",
        "comparison_operator",
        "boolean_operator",
        "not_operator",
        "unary_operator",
        "parenthesized_expression",
        "tuple",
        "list",
    ];
    READS.contains(&expression.kind()) && named_children(expression).into_iter().all(reads_only)
}

enum Deletion {
    /// The statement fills these whole lines.
    Lines(Range<usize>),
    Edit(Edit),
}

fn deletion(node: Node, source: &str) -> Deletion {
    let (start, end) = (node.start_byte(), node.end_byte());
    let line_start = line_start(source, start);
    let line_end = line_end(source, end);
    let before = &source[line_start..start];
    let after = source[end..line_end].trim();
    // One of several statements on a line: the statement goes with the
    // `;` that joins it to a neighbour (`x = 1; gone()` becomes `x = 1`).
    if let Some(separator) = before.trim_end().strip_suffix(';').map(str::len) {
        return Deletion::Edit(Edit::replace(line_start + separator..end, ""));
    }
    if let Some(tail) = source[end..line_end].trim_start().strip_prefix(';')
        && !tail.trim().is_empty()
    {
        // Up to where the next statement starts (`tail` runs to the line end).
        let next_start = line_end - tail.trim_start().len();
        return Deletion::Edit(Edit::replace(start..next_start, ""));
    }
    // A `;` closing the line goes with the statement.
    let after = after.strip_prefix(';').map_or(after, str::trim_start);
    if !before.trim().is_empty() || (!after.is_empty() && !after.starts_with('#')) {
        return Deletion::Edit(Edit::replace(start..end, "pass"));
    }
    if after.starts_with('#') && !is_noqa(after) {
        // Keep the comment, on its own line where the statement began.
        let comment = end + source[end..line_end].find('#').unwrap_or(0);
        return Deletion::Edit(Edit::replace(start..comment, ""));
    }
    Deletion::Lines(line_start..(line_end + 1).min(source.len()))
}

/// A linter marker that only speaks of the statement it follows.
fn is_noqa(comment: &str) -> bool {
    comment
        .trim_start_matches('#')
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("noqa")
}

/// Whether `source[..at]` is blank once the `gone` ranges are deleted.
fn nothing_left_before(source: &str, at: usize, gone: &[Range<usize>]) -> bool {
    let mut from = 0;
    let mut ranges: Vec<&Range<usize>> = gone.iter().filter(|r| r.start < at).collect();
    ranges.sort_by_key(|r| r.start);
    for range in ranges {
        if !source[from..range.start.max(from)].trim().is_empty() {
            return false;
        }
        from = from.max(range.end.min(at));
    }
    source[from..at].trim().is_empty()
}

fn preceded_by_blank_line(source: &str, line_start: usize) -> bool {
    let before = source[..line_start].trim_end_matches(['\n', '\r']);
    let newlines = source[before.len()..line_start].matches('\n').count();
    line_start == 0 || newlines >= 2 || before.is_empty()
}

/// The end (after its newline) of the line starting at `at`, if it is blank.
fn blank_line_at(source: &str, at: usize) -> Option<usize> {
    let rest = &source[at..];
    let end = rest.find('\n')?;
    rest[..end].trim().is_empty().then_some(at + end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;
    use crate::python::parse::parse;

    fn delete(source: &str, needle: &str) -> String {
        let tree = parse(source);
        let start = source.find(needle).unwrap();
        let node = tree
            .root_node()
            .descendant_for_byte_range(start, start + needle.len())
            .unwrap();
        let mut stmt = node;
        while !stmt.kind().ends_with("statement") {
            stmt = stmt.parent().unwrap();
        }
        let edits = delete_statements(tree.root_node(), source, &[stmt.byte_range()], &[], &[]);
        apply(source, edits).unwrap()
    }

    #[test]
    fn stdlib_groups_a_deleted_group_kept_apart_become_one() {
        assert_eq!(
            delete("import errno\n\nimport eventlet\n\nimport os\n", "eventlet"),
            "import errno\nimport os\n"
        );
        // Not a stdlib import below, or not in order: the groups stay apart.
        assert_eq!(
            delete(
                "import errno\n\nimport eventlet\n\nimport six\n",
                "eventlet"
            ),
            "import errno\n\nimport six\n"
        );
        assert_eq!(
            delete("import os\n\nimport eventlet\n\nimport errno\n", "eventlet"),
            "import os\n\nimport errno\n"
        );
    }

    #[test]
    fn whole_line_statements_vanish_with_their_line() {
        assert_eq!(
            delete("a = 1\nuse_hub()\nb = 2\n", "use_hub"),
            "a = 1\nb = 2\n"
        );
    }

    #[test]
    fn a_file_does_not_open_with_the_blank_lines_of_a_deleted_first_group() {
        assert_eq!(
            delete("import eventlet\n\n\ndef f():\n    pass\n", "import"),
            "def f():\n    pass\n"
        );
        // Below a docstring one blank line goes, as between any groups.
        assert_eq!(
            delete(
                "'''Doc.'''\n\nimport eventlet\n\n\ndef f():\n    pass\n",
                "import"
            ),
            "'''Doc.'''\n\n\ndef f():\n    pass\n"
        );
    }

    #[test]
    fn nothing_left_above_counts_what_other_edits_delete() {
        let source =
            "import eventlet\n# TODO(eventlet-removal): x\neventlet.monkey_patch()\n\nimport os\n";
        let tree = parse(source);
        let statement = |needle: &str| {
            let at = source.find(needle).unwrap();
            at..source[at..].find('\n').unwrap() + at
        };
        let todo = statement("# TODO");
        let todo = todo.start..todo.end + 1;
        let mut edits = delete_statements(
            tree.root_node(),
            source,
            &[
                statement("import eventlet"),
                statement("eventlet.monkey_patch"),
            ],
            &[],
            std::slice::from_ref(&todo),
        );
        edits.push(Edit::replace(todo, ""));
        assert_eq!(apply(source, edits).unwrap(), "import os\n");
    }

    #[test]
    fn a_refilled_group_is_not_swallowed_by_the_deletion_before_it() {
        let source = "eventlet.monkey_patch()\nimport eventlet\nx = 1\n";
        let tree = parse(source);
        let [patch, import] = [0, 1].map(|i| named_children(tree.root_node())[i].byte_range());
        let refill = import.start;
        let mut edits =
            delete_statements(tree.root_node(), source, &[patch, import], &[refill], &[]);
        edits.push(Edit::insert(refill, "import time\n"));
        assert_eq!(apply(source, edits).unwrap(), "import time\nx = 1\n");
    }

    #[test]
    fn lone_statement_in_block_becomes_pass() {
        assert_eq!(
            delete("def f():\n    use_hub()\n", "use_hub"),
            "def f():\n    pass\n"
        );
        assert_eq!(
            delete("if ready():\n    use_hub()\n", "use_hub"),
            "if ready():\n    pass\n"
        );
    }

    /// Deletes the statements that start with each of `needles` (and end
    /// with their line).
    fn delete_lines(source: &str, needles: &[&str]) -> String {
        let tree = parse(source);
        let statements: Vec<Range<usize>> = needles
            .iter()
            .map(|needle| {
                let at = source.find(needle).unwrap();
                at..at + source[at..].find('\n').unwrap()
            })
            .collect();
        let edits = delete_statements(tree.root_node(), source, &statements, &[], &[]);
        apply(source, edits).unwrap()
    }

    #[test]
    fn an_if_left_empty_in_every_branch_goes_when_its_conditions_only_read() {
        let source = "import os\n\nif os.name == 'nt':\n    # no pipes\n    patch(os=False)\nelif x:\n    patch(thread=False)\nelse:\n    patch()\nrun()\n";
        let patches = ["patch(os", "patch(thread", "patch()"];
        // An import that only the condition used goes with it.
        assert_eq!(delete_lines(source, &patches), "run()\n");
        // A condition that calls something stays, and so do its branches.
        let called = source.replace("elif x:", "elif debugger.enabled():");
        assert!(delete_lines(&called, &patches).contains("elif debugger.enabled():\n    pass\n"));
        // One branch left with code: the if stays.
        assert_eq!(
            delete("if x:\n    patch()\nelse:\n    run()\n", "patch"),
            "if x:\n    pass\nelse:\n    run()\n"
        );
    }

    #[test]
    fn statement_sharing_a_line_goes_with_its_semicolon() {
        assert_eq!(delete("a = 1; use_hub()\n", "use_hub"), "a = 1\n");
        assert_eq!(delete("use_hub(); b = 2\n", "use_hub"), "b = 2\n");
        assert_eq!(
            delete("a = 1; use_hub(); b = 2\n", "use_hub"),
            "a = 1; b = 2\n"
        );
        assert_eq!(
            delete("a = 1\nuse_hub();\nb = 2\n", "use_hub"),
            "a = 1\nb = 2\n"
        );
        // The body of a compound statement on its line keeps a `pass`.
        assert_eq!(delete("while x: use_hub()\n", "use_hub"), "while x: pass\n");
    }

    #[test]
    fn trailing_comment_is_kept() {
        assert_eq!(
            delete("a = 1\nuse_hub()  # why\n", "use_hub"),
            "a = 1\n# why\n"
        );
        assert_eq!(
            delete("a = 1\nuse_hub()  # noqa: E402\n", "use_hub"),
            "a = 1\n"
        );
    }

    #[test]
    fn emptied_import_group_does_not_leave_two_blank_lines() {
        assert_eq!(
            delete("import os\n\nimport eventlet\n\nx = 1\n", "eventlet"),
            "import os\n\nx = 1\n"
        );
    }

    #[test]
    fn an_import_between_blank_lines_in_a_block_leaves_one() {
        assert_eq!(
            delete(
                "if __name__ == '__main__':\n\n    import eventlet\n\n    main()\n",
                "eventlet"
            ),
            "if __name__ == '__main__':\n\n    main()\n"
        );
    }

    #[test]
    fn a_whole_group_of_statements_goes_with_one_blank_line() {
        let src = "import os\n\nimport a\nimport b\n\nx = 1\n";
        let tree = parse(src);
        let ranges: Vec<_> = named_children(tree.root_node())[1..3]
            .iter()
            .map(|n| n.byte_range())
            .collect();
        let edits = delete_statements(tree.root_node(), src, &ranges, &[], &[]);
        assert_eq!(apply(src, edits).unwrap(), "import os\n\nx = 1\n");
    }

    #[test]
    fn crlf_lines_are_removed_whole() {
        assert_eq!(
            delete("a = 1\r\nuse_hub()\r\nb = 2\r\n", "use_hub"),
            "a = 1\r\nb = 2\r\n"
        );
    }
}
