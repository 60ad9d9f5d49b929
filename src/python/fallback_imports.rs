//! Fallback imports: code that runs with or without eventlet installed.
//!
//! ```python
//! try:
//!     from eventlet import sleep
//! except ImportError:
//!     from time import sleep
//! ```
//!
//! Where eventlet is installed (every program of a project that requires
//! it), the names are eventlet's and the handler never runs. So the names
//! are resolved as the eventlet imports alone, and their uses are rewritten
//! like any others; once every eventlet import of the try goes, the whole
//! statement goes, since the new stdlib imports bind what the handler did.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::import_clauses::{Imported, imported};
use super::syntax::{is_eventlet_path, named_children, text};

/// Whether `import` is one of the handler's imports of an eventlet fallback
/// (which binds nothing that runs where eventlet is installed).
pub fn in_fallback_handler(import: Node, source: &str) -> bool {
    let handler = import
        .parent()
        .filter(|block| block.kind() == "block")
        .and_then(|block| block.parent())
        .filter(|clause| clause.kind() == "except_clause");
    handler
        .and_then(|h| h.parent())
        .is_some_and(|statement| is_eventlet_fallback(statement, source))
}

/// Whether `statement` is a try statement whose body only imports from
/// eventlet and whose every handler catches only ImportError (or
/// ModuleNotFoundError) and imports the same names from elsewhere, with no
/// `else` or `finally`.
pub fn is_eventlet_fallback(statement: Node, source: &str) -> bool {
    if statement.kind() != "try_statement" {
        return false;
    }
    let Some(body) = statement.child_by_field_name("body") else {
        return false;
    };
    let Some(names) = names_imported(body, source, true) else {
        return false;
    };
    let handlers: Vec<Node> = named_children(statement)
        .into_iter()
        .filter(|c| c.id() != body.id() && c.kind() != "comment")
        .collect();
    !handlers.is_empty()
        && handlers.iter().all(|handler| {
            handler.kind() == "except_clause"
                && handler.child_by_field_name("alias").is_none()
                && catches_import_error_only(*handler, source)
                && named_children(*handler)
                    .into_iter()
                    .find(|c| c.kind() == "block")
                    .and_then(|block| names_imported(block, source, false))
                    .is_some_and(|bound| bound == names)
        })
}

/// The names the statements of `block` bind, when every one of them is an
/// import (comments aside) of eventlet (`eventlet`) or of anything else.
fn names_imported(block: Node, source: &str, eventlet: bool) -> Option<BTreeSet<String>> {
    let mut names = BTreeSet::new();
    for statement in named_children(block) {
        match statement.kind() {
            "comment" => continue,
            "import_statement" | "import_from_statement" => {}
            _ => return None,
        }
        let Imported::Clauses(clauses) = imported(statement, source) else {
            return None;
        };
        for clause in clauses {
            if is_eventlet_path(&clause.target) != eventlet {
                return None;
            }
            names.insert(clause.name);
        }
    }
    (!names.is_empty()).then_some(names)
}

fn catches_import_error_only(handler: Node, source: &str) -> bool {
    let mut cursor = handler.walk();
    let caught: Vec<Node> = handler
        .children_by_field_name("value", &mut cursor)
        .collect();
    let names: Vec<Node> = match caught.as_slice() {
        [tuple] if tuple.kind() == "tuple" || tuple.kind() == "parenthesized_expression" => {
            named_children(*tuple)
        }
        _ => caught,
    };
    !names.is_empty()
        && names.iter().all(|n| {
            n.kind() == "identifier"
                && matches!(text(*n, source), "ImportError" | "ModuleNotFoundError")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn first_statement_is_fallback(source: &str) -> bool {
        let tree = parse(source);
        let statement = tree.root_node().named_child(0).expect("a statement");
        is_eventlet_fallback(statement, source)
    }

    #[test]
    fn the_same_names_from_elsewhere_make_a_fallback() {
        assert!(first_statement_is_fallback(
            "try:\n    from eventlet import sleep\nexcept ImportError:\n    from time import sleep\n"
        ));
        assert!(first_statement_is_fallback(
            "try:\n    from eventlet.green import socket\n    from eventlet.green import ssl\n\
             except (ImportError, ModuleNotFoundError):\n    import socket\n    import ssl\n"
        ));
    }

    #[test]
    fn anything_else_in_the_try_is_not_a_fallback() {
        for source in [
            // The handler binds something else: eventlet's absence is told apart.
            "try:\n    import eventlet\nexcept ImportError:\n    eventlet = None\n",
            // Not the same names.
            "try:\n    from eventlet.green import socket\nexcept ImportError:\n    import ssl\n",
            // Another exception is caught too.
            "try:\n    from eventlet import sleep\nexcept Exception:\n    from time import sleep\n",
            // The body does more than import eventlet.
            "try:\n    from eventlet import sleep\n    import json\nexcept ImportError:\n    \
             from time import sleep\n    import json\n",
            // An else runs only where eventlet imported.
            "try:\n    from eventlet import sleep\nexcept ImportError:\n    from time import sleep\n\
             else:\n    sleep(0)\n",
        ] {
            assert!(!first_statement_is_fallback(source), "{source}");
        }
    }
}
