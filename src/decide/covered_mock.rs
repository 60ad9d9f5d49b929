//! Covered mocks: a test's patch decorator of an eventlet name that the
//! test's class already patches in its `setUp`, for every test, with
//! neither mock read. While the test runs, the decorator's mock only stands
//! in for setUp's, and nothing tells the two apart: the decorator goes,
//! with the parameter it passed its mock to, as cinder's maintainers
//! deleted them from the DS8K driver's tests.
//!
//! ```python
//! def setUp(self):
//!     self.patch('eventlet.sleep')
//!
//! @mock.patch.object(eventlet, 'sleep')     # deleted
//! def test_create(self, mock_sleep):        # def test_create(self):
//! ```

use std::ops::Range;

use tree_sitter::Node;

use super::narrow_mock::{MockUse, mock_use};
use crate::edit::Edit;
use crate::python::continuation::MAX_LINE;
use crate::python::patchers::Patchers;
use crate::python::syntax::{Root, descendants, named_children, text};
use crate::source::{line_end, line_start, own_lines};

/// What deleting a covered decorator takes.
#[derive(Debug)]
pub struct Deletion {
    /// The decorator's lines.
    pub range: Range<usize>,
    /// The deletion of the parameter it passed its mock to.
    pub parameter: Edit,
}

/// The deletion of the patch decorator whose target string is at
/// `string_content`, or why it stays.
pub fn deletion(
    root: &Root,
    string_content: Range<usize>,
    source: &str,
    patchers: &Patchers,
) -> Result<Deletion, String> {
    let call = root
        .descendant_for_byte_range(string_content.start, string_content.end)
        .and_then(|n| root.ancestors(n).find(|a| a.kind() == "call"))
        .ok_or("the target is not an argument of a call")?;
    let patched = patched_name(root, call, source, patchers)
        .ok_or("the mock is given more than its target (a spec, a side effect, a value)")?;
    let MockUse::Decorator {
        decorator,
        function,
        parameter,
        reads,
    } = mock_use(root, call, source, patchers)?
    else {
        return Err("not a patch decorator".into());
    };
    if !reads.is_empty() {
        return Err("the test reads the mock".into());
    }
    let class = root
        .parent(decorator)
        .and_then(|decorated| root.parent(decorated))
        .and_then(|block| root.parent(block))
        .filter(|c| c.kind() == "class_definition")
        .ok_or("the test is not a method of a class")?;
    set_up_patches(root, class, &patched, source, patchers)?;
    let class_name = class
        .child_by_field_name("name")
        .map_or("", |n| text(n, source));
    if let Some(subclass) = subclass_of(root.node(), class_name, source) {
        return Err(format!(
            "{subclass} inherits this test from {class_name}, and its setUp may not patch the same"
        ));
    }
    if descendants(function).any(|n| n.kind() == "identifier" && text(n, source) == "stopall") {
        return Err("the test stops the patches setUp started".into());
    }
    Ok(Deletion {
        range: own_lines(source, decorator.byte_range()).ok_or("the decorator shares its lines")?,
        parameter: parameter_deletion(root, parameter, source)?,
    })
}

/// What a patcher's call patches (see `Patchers::patched_path`), when it
/// is given nothing else.
fn patched_name(root: &Root, call: Node, source: &str, patchers: &Patchers) -> Option<String> {
    let args = patchers.args(call, source)?;
    let given = call
        .child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.kind() != "comment")
        .count();
    (given == 1 + usize::from(args.object.is_some()))
        .then(|| patchers.patched_path(root.node(), call, source))
        .flatten()
}

/// `Ok` when the class's own setUp patches `patched` for the whole test,
/// unconditionally and with a mock it does not keep.
fn set_up_patches(
    root: &Root,
    class: Node,
    patched: &str,
    source: &str,
    patchers: &Patchers,
) -> Result<(), String> {
    let set_up = class
        .child_by_field_name("body")
        .map(named_children)
        .unwrap_or_default()
        .into_iter()
        .find(|d| {
            d.kind() == "function_definition"
                && d.child_by_field_name("name")
                    .is_some_and(|n| text(n, source) == "setUp")
        })
        .ok_or("the test's class has no setUp of its own that patches the same")?;
    let statements = set_up
        .child_by_field_name("body")
        .map(named_children)
        .unwrap_or_default();
    let patches = statements.into_iter().any(|statement| {
        let Some(expression) = named_children(statement)
            .into_iter()
            .next()
            .filter(|_| statement.kind() == "expression_statement")
        else {
            return false;
        };
        // `self.patch(...)`, `self.mock_object(...)`, or a patcher started.
        let started = expression
            .child_by_field_name("function")
            .filter(|f| f.kind() == "attribute")
            .filter(|f| {
                f.child_by_field_name("attribute")
                    .is_some_and(|a| text(a, source) == "start")
            })
            .and_then(|f| f.child_by_field_name("object"))
            .filter(|o| o.kind() == "call");
        let call = started.unwrap_or(expression);
        let callee = call
            .child_by_field_name("function")
            .map_or("", |f| text(f, source));
        let applies = started.is_some() || callee.starts_with("self.");
        applies
            && patched_name(root, call, source, patchers).as_deref() == Some(patched)
            && matches!(
                mock_use(root, call, source, patchers),
                Ok(MockUse::Passed {
                    statement: Some(_),
                    kept: None,
                })
            )
    });
    if patches {
        Ok(())
    } else {
        Err("the test's class's setUp does not patch the same for every test".into())
    }
}

/// The first class at the module's top level that names `class` among
/// its bases.
fn subclass_of<'s>(root: Node, class: &str, source: &'s str) -> Option<&'s str> {
    named_children(root)
        .into_iter()
        .map(|n| match n.kind() {
            "decorated_definition" => n.child_by_field_name("definition").unwrap_or(n),
            _ => n,
        })
        .filter(|n| n.kind() == "class_definition")
        .find(|c| {
            c.child_by_field_name("superclasses")
                .map(named_children)
                .unwrap_or_default()
                .iter()
                .any(|base| text(*base, source).rsplit('.').next() == Some(class))
        })
        .and_then(|c| c.child_by_field_name("name"))
        .map(|n| text(n, source))
}

/// The deletion of a parameter with the comma before it, which leaves the
/// lines of the parameters after it as they were. Where that would join
/// the last parameter's closing bracket to a line then too long, the
/// parameter before it moves down to the deleted one's line instead.
fn parameter_deletion(root: &Root, parameter: Node, source: &str) -> Result<Edit, String> {
    let parameters = root
        .parent(parameter)
        .map(named_children)
        .unwrap_or_default();
    let at = parameters.iter().position(|p| p.id() == parameter.id());
    let nth_before = |n: usize| {
        at.and_then(|at| at.checked_sub(n))
            .and_then(|i| parameters.get(i).copied())
    };
    let comma_only = |from: Node, to: Node| {
        source[from.end_byte()..to.start_byte()]
            .chars()
            .all(|c| c == ',' || c.is_whitespace())
    };
    let before = nth_before(1).ok_or("the mock's parameter is the function's first")?;
    if !comma_only(before, parameter) {
        return Err("a comment sits beside the mock's parameter".into());
    }
    let fits = |line: &str| line.trim_end_matches('\r').chars().count() <= MAX_LINE;
    let rest_of_line = &source[parameter.end_byte()..line_end(source, parameter.end_byte())];
    let joined = format!(
        "{}{rest_of_line}",
        &source[line_start(source, before.end_byte())..before.end_byte()]
    );
    if fits(&joined) {
        return Ok(Edit::replace(
            before.end_byte()..parameter.end_byte(),
            String::new(),
        ));
    }
    let too_long =
        || format!("without the mock's parameter, its line would run past {MAX_LINE} columns");
    let earlier = nth_before(2).ok_or_else(too_long)?;
    let indent = &source[line_start(source, parameter.start_byte())..parameter.start_byte()];
    let moved = text(before, source);
    let alone = indent.chars().all(char::is_whitespace) && comma_only(earlier, before);
    let newline = if source[..parameter.start_byte()].ends_with(&format!("\r\n{indent}")) {
        "\r\n"
    } else {
        "\n"
    };
    if !alone || !fits(&format!("{indent}{moved}{rest_of_line}")) {
        return Err(too_long());
    }
    Ok(Edit::replace(
        earlier.end_byte()..parameter.end_byte(),
        format!(",{newline}{indent}{moved}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn deleted(source: &str) -> Result<String, String> {
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        let at = source.find("'sleep'").unwrap() + 1;
        let patchers = Patchers::default();
        let d = deletion(&root, at..at + 5, source, &patchers)?;
        let mut out = source.to_owned();
        let mut edits = [
            (d.range, String::new()),
            (d.parameter.range, d.parameter.text),
        ];
        edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        for (range, text) in edits {
            out.replace_range(range, &text);
        }
        Ok(out)
    }

    const COVERED: &str = "\
import eventlet
from unittest import mock


class T(Base):
    def setUp(self):
        super().setUp()
        mock.patch('eventlet.sleep').start()

    @mock.patch.object(Helper, 'get')
    @mock.patch.object(eventlet, 'sleep')
    def test_a(self, mock_sleep,
               mock_get):
        mock_get.assert_called()
";

    #[test]
    fn a_decorator_that_set_up_covers_goes_with_its_parameter() {
        let out = deleted(COVERED).unwrap();
        assert!(out.contains(
            "    @mock.patch.object(Helper, 'get')\n    def test_a(self,\n               mock_get):"
        ), "{out}");
    }

    #[test]
    fn a_read_mock_stays() {
        let read = COVERED.replace("mock_get.assert_called()", "mock_sleep.assert_called()");
        assert_eq!(deleted(&read).unwrap_err(), "the test reads the mock");
    }

    #[test]
    fn another_attribute_of_the_same_function_is_not_covered() {
        let other = COVERED.replace(
            "mock.patch('eventlet.sleep')",
            "mock.patch('eventlet.greenthread.sleep')",
        );
        assert!(deleted(&other).is_err());
    }

    #[test]
    fn a_patcher_set_up_does_not_start_covers_nothing() {
        let unstarted = COVERED.replace(
            "mock.patch('eventlet.sleep').start()",
            "mock.patch('eventlet.sleep')",
        );
        assert!(deleted(&unstarted).is_err());
    }

    #[test]
    fn a_subclass_may_set_up_otherwise() {
        let inherited = format!("{COVERED}\n\nclass U(T):\n    def setUp(self):\n        pass\n");
        assert!(deleted(&inherited).unwrap_err().starts_with("U inherits"));
    }

    #[test]
    fn a_last_parameter_s_line_is_not_joined_past_the_limit() {
        let long = COVERED.replace(
            "    def test_a(self, mock_sleep,\n               mock_get):",
            "    def test_a_name_long_enough_to_fill_the_line_past_its_limit(self, mock_get,\n                                                                mock_sleep):",
        ).replace("@mock.patch.object(Helper, 'get')\n    @mock.patch.object(eventlet, 'sleep')", "@mock.patch.object(eventlet, 'sleep')\n    @mock.patch.object(Helper, 'get')");
        let out = deleted(&long).unwrap();
        assert!(out.contains(
            "    def test_a_name_long_enough_to_fill_the_line_past_its_limit(self,\n                                                                mock_get):"
        ), "{out}");
    }
}
