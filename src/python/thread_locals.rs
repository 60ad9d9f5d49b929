//! Thread-local state a module keeps at module level
//! (`_notifier_store = threading.local()`), and the reads of it a function
//! makes, in its own module or through a module import (`nova._notifier_store`
//! after `from neutron.notifiers import nova`): a task an executor runs on a
//! reused worker sees what the task before it left there.

use tree_sitter::Node;

use super::bindings::module_bound_to;
use super::syntax::{descendants, module_assignments, text};

/// The callables whose instances keep one value per thread.
const THREAD_LOCAL_CLASSES: &[&str] = &[
    "threading.local",
    "_threading_local.local",
    "eventlet.green.threading.local",
    "eventlet.corolocal.local",
];

/// Whether `source` may make a thread-local (found before any parse).
pub fn may_define(source: &str) -> bool {
    source.contains("local()")
}

/// The module-level names of `root` assigned a new thread-local, each with
/// its line.
pub fn defined_in(root: Node, source: &str) -> Vec<(String, usize)> {
    module_assignments(root)
        .filter(|(_, value)| makes_thread_local(root, *value, source))
        .map(|(name, _)| (text(name, source).to_owned(), name.start_position().row + 1))
        .collect()
}

/// Whether `value` calls one of `THREAD_LOCAL_CLASSES`, named through a
/// module-level import.
fn makes_thread_local(root: Node, value: Node, source: &str) -> bool {
    let Some(function) = value
        .child_by_field_name("function")
        .filter(|_| value.kind() == "call")
    else {
        return false;
    };
    let dotted = match function.kind() {
        "identifier" => module_bound_to(root, text(function, source), source),
        "attribute" => function
            .child_by_field_name("object")
            .zip(function.child_by_field_name("attribute"))
            .and_then(|(object, attribute)| {
                let module = match object.kind() {
                    "identifier" => module_bound_to(root, text(object, source), source)?,
                    _ => text(object, source).to_owned(),
                };
                Some(format!("{module}.{}", text(attribute, source)))
            }),
        _ => None,
    };
    dotted.is_some_and(|d| THREAD_LOCAL_CLASSES.contains(&d.as_str()))
}

/// A read of module-level state in `body`: a bare name, or an attribute of
/// a name a module-level import binds to a module.
pub enum StateRead {
    /// A name of the file's own module.
    Own(String),
    /// (module, name) of another module.
    Imported(String, String),
}

/// The module-level state `body` may read, in order, each with the
/// expression that reads it.
pub fn reads_in<'t>(root: Node, body: Node<'t>, source: &str) -> Vec<(Node<'t>, StateRead)> {
    let mut reads = Vec::new();
    for node in descendants(body) {
        match node.kind() {
            "identifier" if !is_attribute_name(node) => {
                reads.push((node, StateRead::Own(text(node, source).to_owned())));
            }
            "attribute" => {
                let (Some(object), Some(name)) = (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("attribute"),
                ) else {
                    continue;
                };
                if object.kind() != "identifier" {
                    continue;
                }
                if let Some(module) = module_bound_to(root, text(object, source), source) {
                    let read = StateRead::Imported(module, text(name, source).to_owned());
                    reads.push((node, read));
                }
            }
            _ => {}
        }
    }
    reads
}

/// Whether `node` names the attribute of an `x.name` expression.
fn is_attribute_name(node: Node) -> bool {
    node.parent().is_some_and(|p| {
        p.kind() == "attribute" && p.child_by_field_name("attribute") == Some(node)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    #[test]
    fn finds_module_level_thread_locals_however_imported() {
        let source = "import threading\nfrom threading import local\nfrom eventlet import corolocal\n\
                      from eventlet.green import threading as green\n\
                      a = threading.local()\nb = local()\nc = corolocal.local()\nd = dict()\n\
                      def f():\n    e = threading.local()\ng = green.local()\n";
        let tree = parse(source);
        let found = defined_in(tree.root_node(), source);
        assert_eq!(
            found,
            vec![
                ("a".into(), 5),
                ("b".into(), 6),
                ("c".into(), 7),
                ("g".into(), 11)
            ]
        );
    }

    #[test]
    fn reads_name_own_names_and_imported_modules_attributes() {
        let source = "from neutron.notifiers import nova\nimport os\n\
                      def task(i):\n    x = nova._notifier_store\n    return store.v + os.sep\n";
        let tree = parse(source);
        let root = tree.root_node();
        let body = descendants(root)
            .find(|n| n.kind() == "block")
            .expect("a body");
        let reads: Vec<String> = reads_in(root, body, source)
            .into_iter()
            .map(|(_, r)| match r {
                StateRead::Own(name) => name,
                StateRead::Imported(module, name) => format!("{module}:{name}"),
            })
            .collect();
        assert!(reads.contains(&"neutron.notifiers.nova:_notifier_store".to_owned()));
        assert!(reads.contains(&"store".to_owned()));
        assert!(reads.contains(&"os:sep".to_owned()));
        assert!(!reads.contains(&"v".to_owned()));
    }
}
