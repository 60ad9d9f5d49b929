//! Helper functions (or classes) a rewrite defines in a module: checking a
//! helper's code, renaming it to its public form, finding a definition
//! already there, and choosing where a new one goes.
//!
//! A helper goes right before the first top-level statement that defines a
//! function or class or that calls the helper (with the comments above that
//! statement), so that it follows the imports and the module's constants and
//! is defined before anything at module level can call it.

use tree_sitter::Node;

use super::parse::{first_syntax_error, parse};
use super::syntax::{descendants, field_name, named_children, text};
use crate::edit::Edit;
use crate::source::{encoding_declaration, line_start};

/// Whether `code` is exactly one function definition named `name`.
pub fn check_definition(code: &str, name: &str) -> Result<(), String> {
    let tree = parse(code);
    if first_syntax_error(&tree).is_some() {
        return Err("its code does not parse".into());
    }
    let statements: Vec<Node> = named_children(tree.root_node())
        .into_iter()
        .filter(|n| n.kind() != "comment")
        .collect();
    match statements.as_slice() {
        [def] if defined_name(*def, code) == Some(name) => Ok(()),
        _ => Err(format!(
            "its code must be one `def {name}(...)` or `class {name}` and nothing else"
        )),
    }
}

/// `code`, one helper's definition, with its name changed to `to` where it
/// names the helper (not as an attribute or a keyword argument's name).
pub fn renamed(code: &str, from: &str, to: &str) -> String {
    let tree = parse(code);
    let other_name = |n: Node| {
        n.parent().is_some_and(|p| {
            matches!(
                (p.kind(), field_name(p, n)),
                ("attribute", Some("attribute")) | ("keyword_argument", Some("name"))
            )
        })
    };
    let edits = descendants(tree.root_node())
        .filter(|n| n.kind() == "identifier" && text(*n, code) == from && !other_name(*n))
        .map(|n| Edit::replace(n.byte_range(), to))
        .collect();
    crate::edit::apply(code, edits).expect("identifiers never overlap")
}

/// The top-level `def name(...)` or `class name` of the module, if there
/// is one.
pub fn definition<'t>(root: Node<'t>, source: &str, name: &str) -> Option<Node<'t>> {
    named_children(root)
        .into_iter()
        .find(|n| defined_name(*n, source) == Some(name))
}

fn defined_name<'s>(node: Node, source: &'s str) -> Option<&'s str> {
    matches!(node.kind(), "function_definition" | "class_definition")
        .then(|| node.child_by_field_name("name"))
        .flatten()
        .map(|n| text(n, source))
}

/// The edit that defines a helper (`code`, ending without a line break)
/// before the first top-level statement that defines something or holds
/// `first_call`, with two blank lines on each side. `planned` are the
/// round's other edits: what they insert at the same place (new imports)
/// counts among the lines above.
pub fn insertion(
    root: Node,
    source: &str,
    newline: &str,
    first_call: usize,
    code: &str,
    planned: &[Edit],
) -> Edit {
    let stopper = named_children(root).into_iter().find(|n| {
        matches!(
            n.kind(),
            "function_definition" | "class_definition" | "decorated_definition"
        ) || n.end_byte() > first_call
    });
    let at = stopper.map_or(source.len(), |s| {
        comments_above(source, line_start(source, s.start_byte()))
    });
    let code = code.replace('\n', newline);
    let inserted: String = planned
        .iter()
        .filter(|e| e.range == (at..at))
        .map(|e| e.text.as_str())
        .collect();
    let above = format!("{}{inserted}", &source[..at]);
    let before = if above.is_empty() {
        String::new()
    } else {
        let missing = 2usize.saturating_sub(blank_lines_before(&above, above.len()));
        // Text ending without a line break gets one first.
        let unterminated = !above.ends_with('\n');
        newline.repeat(missing + usize::from(unterminated))
    };
    let after = if stopper.is_some() {
        newline.repeat(3)
    } else {
        newline.to_owned()
    };
    Edit::insert(at, format!("{before}{code}{after}"))
}

/// The start of the comment lines right above the line starting at `at`,
/// short of a `#!` line or an encoding declaration opening the file, which
/// must stay in the first two lines.
fn comments_above(source: &str, mut at: usize) -> usize {
    while at > 0 {
        let previous = line_start(source, at - 1);
        let line = source[previous..at].trim_start();
        let in_first_two_lines = source[..previous].matches('\n').count() < 2;
        let header =
            in_first_two_lines && (line.starts_with("#!") || encoding_declaration(line).is_some());
        if !line.starts_with('#') || header {
            break;
        }
        at = previous;
    }
    at
}

/// How many blank lines end `source[..at]` (`at` starts a line).
fn blank_lines_before(source: &str, mut at: usize) -> usize {
    let mut count = 0;
    while at > 0 {
        let previous = line_start(source, at - 1);
        if !source[previous..at].trim().is_empty() {
            break;
        }
        count += 1;
        at = previous;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELPER: &str = "def _run(f):\n    return f()";

    fn insert(source: &str, call: &str) -> String {
        let tree = parse(source);
        let first_call = source.find(call).expect("the call is in the source");
        let edit = insertion(tree.root_node(), source, "\n", first_call, HELPER, &[]);
        crate::edit::apply(source, vec![edit]).unwrap()
    }

    #[test]
    fn goes_after_imports_and_constants_before_the_first_definition() {
        let source =
            "import os\n\nLIMIT = 3\n\n\n# Runs things.\ndef main():\n    _run(os.getpid)\n";
        assert_eq!(
            insert(source, "_run("),
            "import os\n\nLIMIT = 3\n\n\ndef _run(f):\n    return f()\n\n\n# Runs things.\ndef main():\n    _run(os.getpid)\n"
        );
    }

    #[test]
    fn goes_before_a_module_level_call() {
        let source = "import os\nx = _run(os.getpid)\n";
        assert_eq!(
            insert(source, "_run("),
            "import os\n\n\ndef _run(f):\n    return f()\n\n\nx = _run(os.getpid)\n"
        );
    }

    #[test]
    fn keeps_crlf() {
        let source = "import os\r\n\r\n\r\nclass A:\r\n    x = _run(os.getpid)\r\n";
        let tree = parse(source);
        let edit = insertion(
            tree.root_node(),
            source,
            "\r\n",
            source.find("_run(").unwrap(),
            HELPER,
            &[],
        );
        let out = crate::edit::apply(source, vec![edit]).unwrap();
        assert_eq!(
            out,
            "import os\r\n\r\n\r\ndef _run(f):\r\n    return f()\r\n\r\n\r\nclass A:\r\n    x = _run(os.getpid)\r\n"
        );
    }

    #[test]
    fn the_first_two_lines_keep_their_shebang_and_encoding() {
        let source = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# Runs it.\ndef main():\n    _run(len)\n";
        assert_eq!(
            insert(source, "_run("),
            "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n\ndef _run(f):\n    return f()\n\n\n# Runs it.\ndef main():\n    _run(len)\n"
        );
    }

    #[test]
    fn imports_inserted_at_the_same_place_count_among_the_lines_above() {
        let source = "# -*- coding: utf-8 -*-\ndef main():\n    _run(len)\n";
        let tree = parse(source);
        let at = source.find("def").unwrap();
        let import = Edit::insert(at, "import os\n\n");
        let first_call = source.find("_run(").unwrap();
        let helper = insertion(
            tree.root_node(),
            source,
            "\n",
            first_call,
            HELPER,
            std::slice::from_ref(&import),
        );
        assert_eq!(
            crate::edit::apply(source, vec![import, helper]).unwrap(),
            "# -*- coding: utf-8 -*-\nimport os\n\n\ndef _run(f):\n    return f()\n\n\ndef main():\n    _run(len)\n"
        );
    }

    #[test]
    fn finds_only_a_top_level_definition() {
        let source =
            "class A:\n    def _run(self):\n        pass\n\n\ndef _run(f):\n    return f()\n";
        let tree = parse(source);
        let found = definition(tree.root_node(), source, "_run").unwrap();
        assert_eq!(found.start_position().row, 5);
    }

    #[test]
    fn renaming_changes_the_definition_and_its_references_only() {
        let code = "def _walk(node):\n    \"\"\"_walk it.\"\"\"\n    \
                    return [_walk(c) for c in node._walk(_walk=1)]";
        assert_eq!(
            renamed(code, "_walk", "walk"),
            "def walk(node):\n    \"\"\"_walk it.\"\"\"\n    \
             return [walk(c) for c in node._walk(_walk=1)]"
        );
    }

    #[test]
    fn code_must_be_one_definition_of_the_name() {
        assert!(check_definition(HELPER, "_run").is_ok());
        assert!(check_definition("class _Run:\n    pass", "_Run").is_ok());
        assert!(check_definition(HELPER, "_other").is_err());
        assert!(check_definition("x = 1\ndef _run(f):\n    pass", "_run").is_err());
        assert!(check_definition("def _run(f:\n    pass", "_run").is_err());
    }
}
