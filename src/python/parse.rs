//! tree-sitter-python setup and syntax error detection.

use std::cell::RefCell;
use tree_sitter::{Node, Parser, Tree};

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
}
