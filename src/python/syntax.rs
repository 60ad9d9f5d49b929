//! Small helpers over tree-sitter nodes that several passes share.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use tree_sitter::Node;

pub fn text<'t>(node: Node, source: &'t str) -> &'t str {
    &source[node.byte_range()]
}

/// The field name under which `child` hangs from `parent`, if any.
pub fn field_name(parent: Node, child: Node) -> Option<&'static str> {
    let mut cursor = parent.walk();
    if !cursor.goto_first_child() {
        return None;
    }
    loop {
        if cursor.node() == child {
            return cursor.field_name();
        }
        if !cursor.goto_next_sibling() {
            return None;
        }
    }
}

/// A module's syntax tree with its top-level statements indexed by
/// position. tree-sitter finds a node's parent, or the node at a byte
/// range, by scanning each ancestor's children from the first: cheap inside
/// a statement, but linear in the module's statements at the top, which
/// made a module of many statements quadratic in its uses. Through the
/// index those scans start at the top-level statement instead.
pub struct Root<'t> {
    node: Node<'t>,
    statements: Vec<Node<'t>>,
    /// Where the identifiers of each name asked for start.
    named: PerName<Rc<[usize]>>,
    /// Where the names of the functions of each name asked for start.
    functions: PerName<Rc<[usize]>>,
    /// Where the value of each module or class constant asked for lies,
    /// if it has one.
    constants: PerName<Option<Range<usize>>>,
}

/// Answers about a tree, per name, found on the first question: guards
/// and proofs ask the same of every use of a file. They are kept as
/// positions rather than nodes, which keeps `Root` covariant.
struct PerName<V>(RefCell<HashMap<String, V>>);

impl<V: Clone> PerName<V> {
    fn get_or_find(&self, name: &str, find: impl FnOnce() -> V) -> V {
        if let Some(answer) = self.0.borrow().get(name) {
            return answer.clone();
        }
        let answer = find();
        self.0.borrow_mut().insert(name.to_owned(), answer.clone());
        answer
    }
}

impl<'t> Root<'t> {
    pub fn new(node: Node<'t>) -> Self {
        let mut cursor = node.walk();
        let statements = node.children(&mut cursor).collect();
        Root {
            node,
            statements,
            named: PerName(RefCell::default()),
            functions: PerName(RefCell::default()),
            constants: PerName(RefCell::default()),
        }
    }

    pub fn node(&self) -> Node<'t> {
        self.node
    }

    /// The identifiers `name` in the tree of `source`, in order. The text
    /// is searched for the name, and only where it occurs is the tree asked
    /// whether an identifier is there: an index of every identifier of the
    /// file (one string per name) cost more than the rest of its decisions.
    pub fn identifiers(&self, name: &str, source: &str) -> Vec<Node<'t>> {
        let node_at = |start: usize| {
            self.descendant_for_byte_range(start, start + name.len())
                .filter(|n| {
                    n.kind() == "identifier" && n.byte_range() == (start..start + name.len())
                })
        };
        let starts = self.named.get_or_find(name, || {
            let within = &source.as_bytes()[self.node.byte_range()];
            let finder = memchr::memmem::Finder::new(name);
            let mut starts = Vec::new();
            let mut from = 0;
            while let Some(at) = finder.find(&within[from..]).map(|at| from + at) {
                let start = self.node.start_byte() + at;
                // A match that is not the identifier may hide one that
                // starts inside it (`LL` in `1LLL`).
                from = match node_at(start) {
                    Some(_) => {
                        starts.push(start);
                        at + name.len()
                    }
                    None => at + 1,
                };
            }
            starts.into()
        });
        starts.iter().filter_map(|&start| node_at(start)).collect()
    }

    /// The functions named `name` that the tree of `source` defines (at any
    /// depth), found on the first question.
    pub fn functions_defined(&self, name: &str, source: &str) -> Vec<Node<'t>> {
        let function_named_at = |start: usize| {
            let identifier = self.descendant_for_byte_range(start, start + name.len())?;
            self.parent(identifier).filter(|function| {
                function.kind() == "function_definition"
                    && function.child_by_field_name("name") == Some(identifier)
            })
        };
        let starts = self.functions.get_or_find(name, || {
            self.identifiers(name, source)
                .into_iter()
                .map(|identifier| identifier.start_byte())
                .filter(|&start| function_named_at(start).is_some())
                .collect()
        });
        starts
            .iter()
            .filter_map(|&start| function_named_at(start))
            .collect()
    }

    /// The value of the constant `name`, found by `find` on the first
    /// question.
    pub fn remembered_constant(
        &self,
        name: &str,
        find: impl FnOnce() -> Option<Node<'t>>,
    ) -> Option<Node<'t>> {
        self.constants
            .get_or_find(name, || find().map(|value| value.byte_range()))
            .and_then(|range| self.outermost_at(range))
    }

    /// The outermost node spanning exactly `range`.
    fn outermost_at(&self, range: Range<usize>) -> Option<Node<'t>> {
        let innermost = self.descendant_for_byte_range(range.start, range.end)?;
        let same = |n: &Node| n.byte_range() == range;
        std::iter::successors(Some(innermost), |n| self.parent(*n).filter(same))
            .last()
            .filter(same)
    }

    /// The start of the first identifier `name` in the tree of `source`.
    pub fn first_identifier(&self, name: &str, source: &str) -> Option<usize> {
        self.identifiers(name, source).first().map(Node::start_byte)
    }

    /// The top-level node that tree-sitter descends into for the range
    /// `start..end`: the first to end at or after both ends (after the
    /// start, unless it is empty), if it begins at or before the start.
    fn statement_over(&self, start: usize, end: usize) -> Option<Node<'t>> {
        let reaches = |s: &Node| s.end_byte() >= end && s.end_byte() >= start;
        let first = self.statements.partition_point(|s| !reaches(s));
        let statement = self.statements[first..]
            .iter()
            .find(|s| s.start_byte() == s.end_byte() || s.end_byte() > start)?;
        (statement.start_byte() <= start).then_some(*statement)
    }

    /// The smallest node spanning `start..end`, as
    /// `Node::descendant_for_byte_range` finds it from the root.
    pub fn descendant_for_byte_range(&self, start: usize, end: usize) -> Option<Node<'t>> {
        if start > end {
            return None;
        }
        match self.statement_over(start, end) {
            Some(statement) => statement.descendant_for_byte_range(start, end),
            None => Some(self.node),
        }
    }

    /// The parent of `node`, a node of this tree.
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        if node == self.node {
            return None;
        }
        let Some(mut at) = self.statement_over(node.start_byte(), node.end_byte()) else {
            return node.parent();
        };
        if at == node {
            return Some(self.node);
        }
        loop {
            match at.child_with_descendant(node) {
                Some(child) if child == node => return Some(at),
                Some(child) => at = child,
                // Not under that statement (an empty node at its edge).
                None => return node.parent(),
            }
        }
    }

    /// The ancestors of `node`, innermost first, up to the module: found
    /// by one descent from its top-level statement.
    pub fn ancestors(&self, node: Node<'t>) -> impl Iterator<Item = Node<'t>> + '_ {
        let mut path = Vec::new();
        if let Some(statement) = self
            .statement_over(node.start_byte(), node.end_byte())
            .filter(|s| *s != node && node != self.node)
        {
            let mut at = statement;
            loop {
                path.push(at);
                match at.child_with_descendant(node) {
                    Some(child) if child == node => break,
                    Some(child) => at = child,
                    // Not under that statement (an empty node at its edge).
                    None => {
                        path.clear();
                        break;
                    }
                }
            }
        }
        let descended = !path.is_empty();
        let above: Box<dyn Iterator<Item = Node<'t>>> = match descended {
            true => Box::new(std::iter::once(self.node)),
            false => Box::new(std::iter::successors(self.parent(node), |n| {
                self.parent(*n)
            })),
        };
        path.into_iter().rev().chain(above)
    }
}

pub fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The value of the keyword argument `name=` among `arguments` (a call's
/// named argument nodes).
pub fn keyword_value<'t>(arguments: &[Node<'t>], name: &str, source: &str) -> Option<Node<'t>> {
    arguments.iter().find_map(|a| {
        (a.kind() == "keyword_argument"
            && a.child_by_field_name("name")
                .is_some_and(|n| text(n, source) == name))
        .then(|| a.child_by_field_name("value"))
        .flatten()
    })
}

/// The bytes to delete to drop the argument `argument` from its call: the
/// argument with the comma that separates it from the next one on its
/// line, or, for the last one or one that ends its line, with the comma
/// before it (a line of its own goes, and no line is joined). None when a
/// comment sits beside it, which would go too, or whose line the closing
/// bracket would join.
pub fn argument_removal(argument: Node, source: &str) -> Option<Range<usize>> {
    let list = argument.parent().filter(|l| l.kind() == "argument_list")?;
    let children: Vec<Node> = {
        let mut cursor = list.walk();
        list.children(&mut cursor).collect()
    };
    let at = children.iter().position(|c| *c == argument)?;
    let is_argument = |c: &&Node| c.is_named() && c.kind() != "comment";
    let previous = children[..at].iter().rev().find(is_argument);
    let next = children[at + 1..].iter().find(is_argument);
    let comment_beside = children.iter().filter(|c| c.kind() == "comment").any(|c| {
        previous.is_none_or(|p| c.start_byte() > p.end_byte())
            && next.is_none_or(|n| c.end_byte() < n.start_byte())
    });
    if comment_beside {
        return None;
    }
    let ends_its_line =
        next.is_some_and(|n| source[argument.end_byte()..n.start_byte()].contains('\n'));
    let removal = match (next, previous) {
        (Some(_), Some(previous)) if ends_its_line => previous.end_byte()..argument.end_byte(),
        (Some(next), _) => argument.start_byte()..next.start_byte(),
        (None, Some(previous)) => previous.end_byte()..argument.end_byte(),
        (None, None) => argument.start_byte()..children.last()?.start_byte(),
    };
    let separators = |range: Range<usize>| {
        let between = source.get(range).unwrap_or(",,");
        between.chars().all(|c| c.is_whitespace() || c == ',') && between.matches(',').count() <= 1
    };
    let before = removal.start..argument.start_byte();
    let after = argument.end_byte()..removal.end.max(argument.end_byte());
    (separators(before) && separators(after)).then_some(removal)
}

/// The smallest node spanning exactly `range`, preferring the outermost one.
pub fn node_at<'t>(root: &Root<'t>, range: &Range<usize>) -> Option<Node<'t>> {
    let mut node = root.descendant_for_byte_range(range.start, range.end)?;
    while let Some(parent) = root.parent(node) {
        if parent.byte_range() == *range {
            node = parent;
        } else {
            break;
        }
    }
    (node.byte_range() == *range).then_some(node)
}

/// Whether an expression can take a call, attribute or subscript suffix
/// without parentheses.
pub fn is_primary(node: Node) -> bool {
    matches!(
        node.kind(),
        "identifier"
            | "attribute"
            | "call"
            | "subscript"
            | "string"
            | "concatenated_string"
            | "integer"
            | "float"
            | "true"
            | "false"
            | "none"
            | "parenthesized_expression"
            | "list"
            | "tuple"
            | "dictionary"
            | "set"
            | "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression"
    )
}

/// A dotted module path that is eventlet or one of its modules.
pub fn is_eventlet_path(dotted: &str) -> bool {
    dotted == "eventlet" || dotted.starts_with("eventlet.")
}

/// Whether `dotted` is a dotted name of Python identifiers.
pub fn is_identifier_path(dotted: &str) -> bool {
    !dotted.is_empty()
        && dotted.split('.').all(|p| {
            !p.is_empty()
                && !p.starts_with(|c: char| c.is_ascii_digit())
                && p.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// The content node of a string literal of one plain part (no
/// interpolation or escape): `threading` in `'threading'`.
pub fn plain_string_content(node: Node) -> Option<Node> {
    if node.kind() != "string" {
        return None;
    }
    match named_children(node).as_slice() {
        [_, content, _] if content.kind() == "string_content" => Some(*content),
        _ => None,
    }
}

/// The string literals whose text starts with `word` right after the
/// quote, found from the word's occurrences (`'eventlet.sleep'` for
/// `eventlet`).
pub fn strings_starting_with<'t>(root: &Root<'t>, source: &str, word: &str) -> Vec<Node<'t>> {
    let bytes = source.as_bytes();
    memchr::memmem::find_iter(bytes, word.as_bytes())
        .filter(|&at| at > 0 && matches!(bytes[at - 1], b'\'' | b'"'))
        .filter_map(|at| root.descendant_for_byte_range(at, at + word.len()))
        .filter(|n| n.kind() == "string_content")
        .filter_map(|content| root.parent(content))
        .collect()
}

/// The content of a plain string literal (no interpolation or escape)
/// that is a dotted name: `'threading'`, `'dns.reversename'`.
pub fn dotted_name_literal(node: Node, source: &str) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut content = String::new();
    for child in named_children(node) {
        match child.kind() {
            "string_content" => content.push_str(text(child, source)),
            "string_start" | "string_end" => {}
            _ => return None,
        }
    }
    is_identifier_path(&content).then_some(content)
}

/// The dotted name a call's one argument, a plain string literal, gives:
/// `'threading'` in `patcher.original('threading')`.
pub fn sole_dotted_name_argument(call: Node, source: &str) -> Option<String> {
    let arguments = call.child_by_field_name("arguments")?;
    match named_children(arguments).as_slice() {
        [only] => dotted_name_literal(*only, source),
        _ => None,
    }
}

/// The module-level statements `name = value` of `root`, as the name and
/// the value assigned.
pub fn module_assignments<'t>(root: Node<'t>) -> impl Iterator<Item = (Node<'t>, Node<'t>)> {
    named_children(root)
        .into_iter()
        .filter(|statement| statement.kind() == "expression_statement")
        .filter_map(|statement| statement.named_child(0))
        .filter(|assignment| assignment.kind() == "assignment")
        .filter_map(|assignment| {
            let name = assignment
                .child_by_field_name("left")
                .filter(|left| left.kind() == "identifier")?;
            Some((name, assignment.child_by_field_name("right")?))
        })
}

/// A numeric literal's value, if the node is one (with an optional sign).
pub fn numeric_literal(node: Node, source: &str) -> Option<f64> {
    match node.kind() {
        "integer" | "float" => {
            let t = text(node, source).replace('_', "");
            let lower = t.to_ascii_lowercase();
            if let Some(hex) = lower.strip_prefix("0x") {
                return i64::from_str_radix(hex, 16).ok().map(|v| v as f64);
            }
            if let Some(oct) = lower.strip_prefix("0o") {
                return i64::from_str_radix(oct, 8).ok().map(|v| v as f64);
            }
            if let Some(bin) = lower.strip_prefix("0b") {
                return i64::from_str_radix(bin, 2).ok().map(|v| v as f64);
            }
            if lower.ends_with('j') {
                return None;
            }
            lower.parse::<f64>().ok()
        }
        "unary_operator" => {
            let operand = node.child_by_field_name("argument")?;
            let value = numeric_literal(operand, source)?;
            match node.child_by_field_name("operator").map(|o| o.kind()) {
                Some("-") => Some(-value),
                Some("+") => Some(value),
                _ => None,
            }
        }
        "parenthesized_expression" => numeric_literal(node.named_child(0)?, source),
        _ => None,
    }
}

/// The root of the tree `node` is in.
pub fn root_of(mut node: Node) -> Node {
    while let Some(parent) = node.parent() {
        node = parent;
    }
    node
}

/// Every named node under `node` (itself included), in document order,
/// walked with one cursor: no allocation, no parent lookups.
pub fn descendants(node: Node) -> Descendants {
    Descendants {
        cursor: node.walk(),
        depth: 0,
        started: false,
        done: false,
    }
}

pub struct Descendants<'t> {
    cursor: tree_sitter::TreeCursor<'t>,
    depth: usize,
    started: bool,
    done: bool,
}

impl<'t> Descendants<'t> {
    fn advance(&mut self) -> bool {
        if self.cursor.goto_first_child() {
            self.depth += 1;
            return true;
        }
        loop {
            if self.depth == 0 {
                return false;
            }
            if self.cursor.goto_next_sibling() {
                return true;
            }
            self.cursor.goto_parent();
            self.depth -= 1;
        }
    }
}

impl<'t> Iterator for Descendants<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            if self.cursor.node().is_named() {
                return Some(self.cursor.node());
            }
        }
        loop {
            if !self.advance() {
                self.done = true;
                return None;
            }
            if self.cursor.node().is_named() {
                return Some(self.cursor.node());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    #[test]
    fn the_first_identifier_is_a_name_in_code_not_in_text_or_a_longer_name() {
        let source = "# local state\nmy_local = 'local'\nx = threading.local()\nlocal = 1\n";
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        assert_eq!(
            root.first_identifier("local", source),
            source.find(".local").map(|at| at + 1)
        );
        assert_eq!(
            root.first_identifier("my_local", source),
            source.find("my_local")
        );
        assert_eq!(root.first_identifier("state", source), None);
        // A match that is no identifier does not hide one starting inside
        // it (`1L` is an integer of Python 2, then `LL`).
        let source = "x = 1LLL\nLL = 2\n";
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        assert_eq!(root.first_identifier("LL", source), Some(6));
    }

    #[test]
    fn the_functions_of_a_name_are_its_definitions_at_any_depth() {
        let source =
            "def run():\n    pass\n\nclass A:\n    def run(self):\n        run()\n\nrunner = run\n";
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        for _ in 0..2 {
            let lines: Vec<usize> = root
                .functions_defined("run", source)
                .iter()
                .map(|f| f.start_position().row + 1)
                .collect();
            assert_eq!(lines, [1, 5]);
        }
        assert!(root.functions_defined("runner", source).is_empty());
    }

    #[test]
    fn descendants_stay_inside_the_node_in_document_order() {
        let source = "def f(a):\n    return g(a)\nx = 1\n";
        let tree = parse(source);
        let function = tree.root_node().named_child(0).unwrap();
        let names: Vec<&str> = descendants(function)
            .filter(|n| n.kind() == "identifier")
            .map(|n| text(n, source))
            .collect();
        assert_eq!(names, ["f", "a", "g", "a"]);
        assert_eq!(
            descendants(tree.root_node())
                .filter(|n| n.kind() == "identifier")
                .count(),
            5
        );
    }

    #[test]
    fn the_indexed_root_agrees_with_tree_sitter() {
        let whole = "# head\nimport a\n\n@d\ndef f(x):  # c\n    return [y for y in x]\n\
                     x = 1; y = 2\nclass C:\n    pass\n# tail\n";
        // With ERROR and MISSING (empty) nodes.
        let broken = "x = (1,\ndef f(:\n    pass\nprint(\n";
        for source in [whole, broken] {
            let tree = parse(source);
            let root = Root::new(tree.root_node());
            for node in descendants(tree.root_node()) {
                assert_eq!(root.parent(node), node.parent(), "{node:?}");
            }
            for start in 0..=source.len() {
                for end in start..=(start + 3).min(source.len()) {
                    assert_eq!(
                        root.descendant_for_byte_range(start, end),
                        tree.root_node().descendant_for_byte_range(start, end),
                        "{start}..{end} of {source:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_dropped_keyword_argument_takes_one_separator_with_it() {
        let drop = |source: &str| {
            let tree = parse(source);
            let argument = descendants(tree.root_node())
                .find(|n| {
                    n.kind() == "keyword_argument"
                        && n.child_by_field_name("name")
                            .is_some_and(|k| text(k, source) == "executor")
                })
                .unwrap();
            argument_removal(argument, source).map(|r| {
                let mut out = source.to_owned();
                out.replace_range(r, "");
                out
            })
        };
        // The next argument takes its place, on its line.
        assert_eq!(
            drop("f(a,\n  executor='e', pool=p)\n").unwrap(),
            "f(a,\n  pool=p)\n"
        );
        // Ending its line, it goes with the comma before it: the next line
        // stays as it is, rather than join a line it may make too long.
        assert_eq!(
            drop("f(a, executor='e',\n  pool=p)\n").unwrap(),
            "f(a,\n  pool=p)\n"
        );
        assert_eq!(drop("f(executor='e',\n  pool=p)\n").unwrap(), "f(pool=p)\n");
        // The last one goes with its line, a trailing comma staying.
        assert_eq!(drop("f(a, b,\n  executor='e')\n").unwrap(), "f(a, b)\n");
        assert_eq!(
            drop("f(\n    a,\n    executor='e',\n)\n").unwrap(),
            "f(\n    a,\n)\n"
        );
        assert_eq!(drop("f(executor='e',)\n").unwrap(), "f()\n");
        // A comment beside it would go too, or swallow the bracket.
        assert_eq!(drop("f(a,  # why\n  executor='e')\n"), None);
        assert_eq!(drop("f(a, executor='e',  # why\n  pool=p)\n"), None);
    }
}
