//! tree-sitter-python setup and syntax error detection.

use std::cell::RefCell;
use tree_sitter::{Node, Parser, Tree};

use crate::edit::Edit;
use crate::source::LineIndex;

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

fn new_parser() -> Parser {
    crate::allocator::route_tree_sitter();
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("the bundled tree-sitter-python grammar matches the tree-sitter runtime");
    parser
}

/// Parses Python source. Each thread keeps one parser, so parallel callers
/// never re-create the language tables.
pub fn parse(text: &str) -> Tree {
    PARSER.with(|parser| {
        parser
            .borrow_mut()
            .parse(text, None)
            .expect("parsing without a timeout or cancellation flag always yields a tree")
    })
}

/// Parses `text` again after `old` (already told of the edits with
/// `Tree::edit`), reusing what did not change.
pub fn reparse(text: &str, old: &Tree) -> Tree {
    PARSER.with(|parser| {
        parser
            .borrow_mut()
            .parse(text, Some(old))
            .expect("parsing without a timeout or cancellation flag always yields a tree")
    })
}

/// Tells `tree` (parsed from `old`) of the edits, so that the new text can
/// be parsed incrementally. Edits go from the end of the text to its start,
/// so each one's positions are still those of `old`.
pub fn edit_tree(tree: &mut Tree, old: &str, edits: &[Edit]) {
    let lines = LineIndex::new(old);
    let point = |offset: usize| lines.point(offset);
    for edit in crate::edit::normalize(edits.to_vec()).iter().rev() {
        let start = point(edit.range.start);
        let new_end = match edit.text.rfind('\n') {
            Some(last) => tree_sitter::Point {
                row: start.row + edit.text.matches('\n').count(),
                column: edit.text.len() - last - 1,
            },
            None => tree_sitter::Point {
                row: start.row,
                column: start.column + edit.text.len(),
            },
        };
        tree.edit(&tree_sitter::InputEdit {
            start_byte: edit.range.start,
            old_end_byte: edit.range.end,
            new_end_byte: edit.range.start + edit.text.len(),
            start_position: start,
            old_end_position: point(edit.range.end),
            new_end_position: new_end,
        });
    }
}

/// Byte offset of the first ERROR or MISSING node, if the tree has one.
pub fn first_syntax_error(tree: &Tree) -> Option<usize> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            return Some(node.start_byte());
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node
            .children(&mut cursor)
            .filter(|c| c.has_error())
            .collect();
        stack.extend(children.into_iter().rev());
    }
    Some(root.start_byte())
}

/// For tests: the expression of a source's first statement.
#[cfg(test)]
pub fn first_expression(tree: &Tree) -> Node<'_> {
    tree.root_node()
        .named_child(0)
        .and_then(|statement| statement.named_child(0))
        .expect("the source starts with an expression statement")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;

    #[test]
    fn valid_source_has_no_error() {
        assert_eq!(first_syntax_error(&parse("import eventlet\n")), None);
    }

    #[test]
    fn broken_source_reports_the_error_position() {
        let text = "x = 1\ndef f(:\n    pass\n";
        let at = first_syntax_error(&parse(text)).unwrap();
        assert!(at >= 6, "error reported at {at}");
    }

    #[test]
    fn an_edited_tree_reparses_to_the_same_tree() {
        let old = "import eventlet\n\n\ndef f():\n    eventlet.sleep(1)\n    x = 2\n";
        let edits = vec![
            Edit::replace(0..15, "import time"),
            Edit::replace(40..54, "time.sleep"),
            Edit::insert(old.len(), "y = [\n    3,\n]\n"),
        ];
        let new = apply(old, edits.clone()).unwrap();
        let mut tree = parse(old);
        edit_tree(&mut tree, old, &edits);
        let incremental = reparse(&new, &tree);
        assert_eq!(
            incremental.root_node().to_sexp(),
            parse(&new).root_node().to_sexp()
        );
        assert_eq!(
            incremental.root_node().byte_range(),
            parse(&new).root_node().byte_range()
        );
    }
}
