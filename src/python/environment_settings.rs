//! Settings of eventlet's environment variables in code
//! (`os.environ['EVENTLET_NO_GREENDNS'] = 'yes'`, or its `setdefault`).
//! They tune eventlet for the process and for the commands it starts,
//! which inherit its environment: a person deletes them once nothing
//! imports eventlet, and checks those commands.

use tree_sitter::Node;

use super::bindings::module_bound_to;
use super::syntax::{descendants, named_children, plain_string_content, text};

/// What every eventlet variable's name starts with.
const PREFIX: &str = "EVENTLET_";

/// Whether `bytes` may set one (found before any parse).
pub fn may_set(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, PREFIX.as_bytes()).is_some()
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
        let other = "import os\nenviron = {}\nenviron['EVENTLET_HUB'] = 'poll'\n\
                     env = os\nenv.environ['EVENTLET_HUB'] = 'poll'\n";
        assert_eq!(set(other), []);
    }
}
