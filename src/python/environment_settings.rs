//! Settings of eventlet's environment variables in code
//! (`os.environ['EVENTLET_NO_GREENDNS'] = 'yes'`, or its `setdefault`).
//! They tune eventlet for the process and for the commands it starts,
//! which inherit its environment: they go once nothing imports eventlet,
//! when those commands are checked.

use std::ops::Range;

use tree_sitter::Node;

use super::bindings::module_bound_to;
use super::imports::stale_late_import_markers;
use super::parse::{first_syntax_error, parse};
use super::statements::delete_statements;
use super::syntax::{descendants, named_children, plain_string_content, text};
use crate::edit::apply;
use crate::source::{line_end, line_start};

/// What every eventlet variable's name starts with.
const PREFIX: &str = "EVENTLET_";

/// Whether `bytes` may set one (found before any parse): a string starts
/// with the prefix (`OS_NOVA_DISABLE_EVENTLET_PATCHING` does not).
pub fn may_set(bytes: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, PREFIX.as_bytes())
        .any(|at| at > 0 && matches!(bytes[at - 1], b'\'' | b'"'))
}

/// The statements of `root` that set an eventlet variable in `os.environ`
/// (named through a module-level `import os` or `from os import environ`),
/// with the variable's name.
pub fn settings<'t>(root: Node<'t>, source: &'t str) -> Vec<(Node<'t>, &'t str)> {
    let environ = |node: Node| match node.kind() {
        "attribute" => {
            let object = node.child_by_field_name("object");
            let attribute = node.child_by_field_name("attribute");
            object.is_some_and(|o| o.kind() == "identifier")
                && attribute.is_some_and(|a| text(a, source) == "environ")
                && object.and_then(|o| module_bound_to(root, text(o, source), source))
                    == Some("os".to_owned())
        }
        "identifier" => {
            module_bound_to(root, text(node, source), source).as_deref() == Some("os.environ")
        }
        _ => false,
    };
    let mut found = Vec::new();
    for statement in descendants(root).filter(|n| n.kind() == "expression_statement") {
        let [expression] = named_children(statement)[..] else {
            continue;
        };
        let set = match expression.kind() {
            // os.environ['EVENTLET_X'] = value
            "assignment" => expression
                .child_by_field_name("left")
                .filter(|l| l.kind() == "subscript")
                .filter(|l| l.child_by_field_name("value").is_some_and(environ))
                .and_then(|l| l.child_by_field_name("subscript")),
            // os.environ.setdefault('EVENTLET_X', value)
            "call" => expression
                .child_by_field_name("function")
                .filter(|f| f.kind() == "attribute")
                .filter(|f| {
                    let name = f.child_by_field_name("attribute");
                    name.is_some_and(|n| text(n, source) == "setdefault")
                        && f.child_by_field_name("object").is_some_and(environ)
                })
                .and_then(|_| expression.child_by_field_name("arguments"))
                .and_then(|a| named_children(a).into_iter().next()),
            _ => None,
        };
        let variable = set
            .and_then(plain_string_content)
            .map(|content| text(content, source))
            .filter(|name| name.starts_with(PREFIX));
        if let Some(variable) = variable {
            found.push((statement, variable));
        }
    }
    found
}

/// `source` without its settings of eventlet's variables, deleted as any
/// statement is (with their lines, and a blank line they leave doubled):
/// each with the comments right above it when they and it stand apart from
/// the code around them, a module-level `import os` (or `from os import
/// environ`) that only they used, and the `# noqa: E402` of an import only
/// they kept from the top of the module. `None` when there is none; an
/// error when one cannot go alone (it shares its line, or is all its block
/// holds).
pub fn without_settings(source: &str) -> Result<Option<String>, String> {
    let tree = parse(source);
    let root = tree.root_node();
    let found = settings(root, source);
    if found.is_empty() {
        return Ok(None);
    }
    let statements: Vec<Node> = found.iter().map(|(s, _)| *s).collect();
    let mut gone: Vec<Range<usize>> = Vec::new();
    for statement in &statements {
        let parent = statement.parent().ok_or("a setting outside any block")?;
        let code = |n: &Node| n.kind() != "comment" && !statements.contains(n);
        if parent.kind() == "block" && !named_children(parent).iter().any(code) {
            return Err("the settings are all their block holds".into());
        }
        if !alone_on_its_lines(*statement, source) {
            return Err("a setting shares its line with other code".into());
        }
        gone.push(statement.byte_range());
        gone.extend(comments_above(*statement, source));
    }
    // An import only the settings used goes with them.
    let in_a_setting = |n: &Node| {
        statements
            .iter()
            .any(|s| s.byte_range().contains(&n.start_byte()))
    };
    for (import, name) in imports_of_environ(root, source) {
        let reads: Vec<Node> = descendants(root)
            .filter(|n| n.kind() == "identifier" && text(*n, source) == name)
            .filter(|n| !import.byte_range().contains(&n.start_byte()))
            .collect();
        if !reads.is_empty() && reads.iter().all(in_a_setting) {
            gone.push(import.byte_range());
        }
    }
    let settings_at: Vec<Range<usize>> = statements.iter().map(|s| s.byte_range()).collect();
    let markers = stale_late_import_markers(root, source, &settings_at)
        .into_iter()
        .filter(|marker| !gone.iter().any(|g| g.contains(&marker.range.start)));
    let mut edits = delete_statements(root, source, &gone, &[], &[]);
    edits.extend(markers);
    let out = apply(source, edits)?;
    if first_syntax_error(&parse(&out)).is_some() {
        return Err("the text without them would not parse".into());
    }
    Ok(Some(out))
}

/// Whether nothing but a comment shares the lines of `statement`.
fn alone_on_its_lines(statement: Node, source: &str) -> bool {
    let (start, end) = (statement.start_byte(), statement.end_byte());
    let after = source[end..line_end(source, end)].trim();
    source[line_start(source, start)..start].trim().is_empty()
        && (after.is_empty() || after.starts_with('#'))
}

/// The comments on the lines right above `statement`, each alone on its
/// line, when the statement ends its paragraph (a blank line, or the end
/// of the text, follows): they speak of it.
fn comments_above(statement: Node, source: &str) -> Vec<Range<usize>> {
    let next = (line_end(source, statement.end_byte()) + 1).min(source.len());
    if !source[next..line_end(source, next)].trim().is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut below = statement;
    while let Some(comment) = below.prev_named_sibling().filter(|c| {
        c.kind() == "comment"
            && c.end_position().row + 1 == below.start_position().row
            && source[line_start(source, c.start_byte())..c.start_byte()]
                .trim()
                .is_empty()
    }) {
        found.push(comment.byte_range());
        below = comment;
    }
    found
}

/// The module-level imports that bind `os` or `environ` from `os` alone
/// (`import os`, `from os import environ`), with the name.
fn imports_of_environ<'t>(root: Node<'t>, source: &str) -> Vec<(Node<'t>, &'static str)> {
    named_children(root)
        .into_iter()
        .filter_map(|statement| {
            let compact: String = text(statement, source).split_whitespace().collect();
            match compact.as_str() {
                "importos" => Some((statement, "os")),
                "fromosimportenviron" => Some((statement, "environ")),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn set(source: &str) -> Vec<(usize, String)> {
        let tree = parse(source);
        settings(tree.root_node(), source)
            .into_iter()
            .map(|(s, name)| (s.start_position().row + 1, name.to_owned()))
            .collect()
    }

    #[test]
    fn assignments_and_setdefault_of_eventlet_variables_are_settings() {
        let source = "import os\n\
                      os.environ['EVENTLET_NO_GREENDNS'] = 'yes'\n\
                      os.environ.setdefault(\"EVENTLET_HUB\", 'poll')\n\
                      def main():\n    os.environ['EVENTLET_THREADPOOL_SIZE'] = '4'\n\
                      os.environ['OS_NOVA_DISABLE_EVENTLET_PATCHING'] = '1'\n\
                      x = os.environ.get('EVENTLET_HUB')\n\
                      os.environ['EVENTLET_NO_GREENDNS'] += 'x'\n";
        assert_eq!(
            set(source),
            [
                (2, "EVENTLET_NO_GREENDNS".to_owned()),
                (3, "EVENTLET_HUB".to_owned()),
                (5, "EVENTLET_THREADPOOL_SIZE".to_owned()),
            ]
        );
        let imported = "from os import environ\nenviron['EVENTLET_HUB'] = 'poll'\n";
        assert_eq!(set(imported), [(2, "EVENTLET_HUB".to_owned())]);
        // Another mapping named environ is not the process's.
        assert!(may_set(b"x = 'EVENTLET_HUB'") && !may_set(b"'OS_EVENTLET_X' EVENTLET_HUB"));
        let other = "import os\nenviron = {}\nenviron['EVENTLET_HUB'] = 'poll'\n\
                     env = os\nenv.environ['EVENTLET_HUB'] = 'poll'\n";
        assert_eq!(set(other), []);
    }

    #[test]
    fn settings_go_with_their_comments_and_an_import_only_they_used() {
        let source = "\"\"\"Root module.\"\"\"\n\nimport os\n\n\
                      # Ensure greendns is off\n\
                      os.environ['EVENTLET_NO_GREENDNS'] = 'yes'  # noqa\n\n\
                      import threading  # noqa: E402\n";
        assert_eq!(
            without_settings(source).unwrap().unwrap(),
            "\"\"\"Root module.\"\"\"\n\nimport threading\n"
        );
        // os is read elsewhere; the comment is the paragraph's.
        let kept = "import os\n\n# Tune the process\nos.environ['EVENTLET_HUB'] = 'poll'\n\
                    os.environ['LANG'] = 'C'\n";
        assert_eq!(
            without_settings(kept).unwrap().unwrap(),
            "import os\n\n# Tune the process\nos.environ['LANG'] = 'C'\n"
        );
        assert_eq!(without_settings("import os\n").unwrap(), None);
        let shared = "import os\nx = 1; os.environ['EVENTLET_HUB'] = 'poll'\n";
        assert!(without_settings(shared).is_err());
        let alone = "import os\nif True:\n    os.environ['EVENTLET_HUB'] = 'poll'\n";
        assert!(without_settings(alone).is_err());
    }
}
