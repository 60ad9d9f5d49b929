//! Whether the function a thread starts can reach a name (`exit`,
//! `SystemExit`) through the functions its own file defines. A green
//! thread's SystemExit ends the whole eventlet program; a native thread's
//! ends that thread alone, so a spawn of code that may exit keeps its form.
//!
//! Functions are matched by name (a method `self.f` is every `f` the file
//! defines), and a function that a reached body names without calling it
//! (a callback handed on) is reached too. What the reached code calls
//! through a value (a callback registered elsewhere, a method fetched with
//! `getattr`) is unknown: where a function the file hands on that way can
//! reach the name, the spawn is held as well.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::python::syntax::{descendants, field_name, text};
use crate::source::line_of;

/// `Err` with the reason when the function named `started`, defined in the
/// file whose tree is `root`, may reach an identifier `name`.
pub(crate) fn check_not_reached(
    started: &str,
    name: &str,
    root: Node,
    source: &str,
) -> Result<(), String> {
    let functions = FileFunctions::of(root, source);
    if let Some(at) = functions.first_reached(&[started], name, source) {
        return Err(format!(
            "the function it starts, {started}, reaches '{name}' (line {}), which could tell \
             the two apart",
            line_of(source, at)
        ));
    }
    let handed_on = functions.handed_on(root, source);
    let handed_on: Vec<&str> = handed_on.iter().copied().collect();
    match functions.first_reached(&handed_on, name, source) {
        Some(at) => Err(format!(
            "the function it starts, {started}, may call back into a function this file \
             hands on as a value, which reaches '{name}' (line {}) and could tell the two apart",
            line_of(source, at)
        )),
        None => Ok(()),
    }
}

/// The functions a file defines, by name, at any depth.
struct FileFunctions<'t, 's> {
    by_name: HashMap<&'s str, Vec<Node<'t>>>,
}

impl<'t, 's> FileFunctions<'t, 's> {
    fn of(root: Node<'t>, source: &'s str) -> Self {
        let mut by_name: HashMap<&str, Vec<Node>> = HashMap::new();
        for function in descendants(root).filter(|n| n.kind() == "function_definition") {
            if let Some(name) = function.child_by_field_name("name") {
                by_name
                    .entry(text(name, source))
                    .or_default()
                    .push(function);
            }
        }
        FileFunctions { by_name }
    }

    /// The first identifier `name` (its byte offset) in the bodies of the
    /// functions named in `from` and of every file function they name.
    fn first_reached(&self, from: &[&'s str], name: &str, source: &'s str) -> Option<usize> {
        let mut seen: HashSet<&str> = from.iter().copied().collect();
        let mut queue: Vec<&str> = from.to_vec();
        let mut first: Option<usize> = None;
        while let Some(function) = queue.pop() {
            for definition in self.by_name.get(function).into_iter().flatten() {
                for identifier in descendants(*definition).filter(|n| n.kind() == "identifier") {
                    let word = text(identifier, source);
                    if word == name {
                        let at = identifier.start_byte();
                        first = Some(first.map_or(at, |f| f.min(at)));
                    } else if self.by_name.contains_key(word) && seen.insert(word) {
                        queue.push(word);
                    }
                }
            }
        }
        first
    }

    /// The file functions named somewhere other than where they are called
    /// or defined (`add_handler(self._on_exit)`), so code may call them
    /// through a value; every one of them where the file fetches an
    /// attribute by a computed name (`getattr(self, '_%s' % action)`).
    fn handed_on(&self, root: Node, source: &'s str) -> HashSet<&'s str> {
        let computed_getattr = descendants(root).any(|n| {
            n.kind() == "call"
                && n.child_by_field_name("function")
                    .is_some_and(|f| text(f, source) == "getattr")
                && n.child_by_field_name("arguments")
                    .and_then(|a| a.named_child(1))
                    .is_some_and(|attribute| attribute.kind() != "string")
        });
        if computed_getattr {
            return self.by_name.keys().copied().collect();
        }
        descendants(root)
            .filter(|n| n.kind() == "identifier")
            .map(|identifier| (identifier, text(identifier, source)))
            .filter(|(identifier, word)| {
                self.by_name.contains_key(word) && !is_called_or_defined(*identifier)
            })
            .map(|(_, word)| word)
            .collect()
    }
}

/// The identifier is what a call calls (`f()`, `self.f()`), or the name of
/// the function it defines.
fn is_called_or_defined(identifier: Node) -> bool {
    let Some(parent) = identifier.parent() else {
        return false;
    };
    let callee = match parent.kind() {
        "function_definition" => return field_name(parent, identifier) == Some("name"),
        "attribute" if field_name(parent, identifier) == Some("attribute") => parent,
        _ => identifier,
    };
    callee
        .parent()
        .is_some_and(|call| call.kind() == "call" && field_name(call, callee) == Some("function"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn check(started: &str, source: &str) -> Result<(), String> {
        let tree = parse(source);
        check_not_reached(started, "exit", tree.root_node(), source)
    }

    #[test]
    fn an_exit_the_started_function_does_not_reach_holds_nothing() {
        let source = "def poll(a):\n    a.poll()\n\n\ndef main():\n    sys.exit(1)\n";
        assert_eq!(check("poll", source), Ok(()));
    }

    #[test]
    fn an_exit_reached_through_a_method_holds_the_spawn() {
        let source = "class M:\n    def run(self):\n        self._stop()\n\n    \
                      def _stop(self):\n        sys.exit(1)\n";
        let reason = check("run", source).unwrap_err();
        assert!(reason.contains("reaches 'exit' (line 6)"), "{reason}");
    }

    #[test]
    fn an_exit_in_a_callback_the_file_hands_on_holds_the_spawn() {
        let source = "class M:\n    def __init__(self, signals):\n        \
                      signals.add('INT', self._quit)\n\n    def run(self):\n        \
                      self.handler()\n\n    def _quit(self):\n        sys.exit(1)\n";
        let reason = check("run", source).unwrap_err();
        assert!(reason.contains("may call back"), "{reason}");
    }

    #[test]
    fn a_computed_getattr_hands_on_every_function() {
        let source = "class M:\n    def run(self, a):\n        getattr(self, '_' + a)()\n\n    \
                      def _quit(self):\n        sys.exit(1)\n";
        assert!(check("run", source).is_err());
        let literal = source.replace("'_' + a", "'_quit_not'");
        assert_eq!(check("run", &literal), Ok(()));
    }
}
