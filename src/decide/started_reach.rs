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

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};

use crate::python::function_index::FunctionIndex;
use crate::python::syntax::{Root, descendants, text};
use crate::source::line_of;

/// What the functions that a module's spawns start reach, found on the
/// first question: every spawn of the module asks, once per transform
/// that may take it.
#[derive(Default)]
pub(crate) struct ReachAnswers {
    index: OnceCell<FunctionIndex>,
    /// Per started function and name; per name alone (after a space) for
    /// the functions the module hands on, the same for all its spawns.
    reached: RefCell<HashMap<String, Option<Reached>>>,
}

/// Where a started function reaches a name: the byte offset of the first
/// identifier, and whether only through a function the module hands on.
#[derive(Debug, Clone, Copy)]
struct Reached {
    at: usize,
    through_handed_on: bool,
}

impl ReachAnswers {
    /// The module's function index.
    pub(crate) fn index(&self, root: &Root, source: &str) -> &FunctionIndex {
        self.index
            .get_or_init(|| FunctionIndex::of(root.node(), source))
    }

    fn remembered(&self, key: String, find: impl FnOnce() -> Option<Reached>) -> Option<Reached> {
        if let Some(known) = self.reached.borrow().get(&key) {
            return *known;
        }
        let found = find();
        self.reached.borrow_mut().insert(key, found);
        found
    }
}

/// `Err` with the reason when the function named `started`, defined in the
/// module whose tree is `root`, may reach an identifier `name`.
pub(crate) fn check_not_reached(
    answers: &ReachAnswers,
    started: &str,
    name: &str,
    root: &Root,
    source: &str,
) -> Result<(), String> {
    let reached = answers
        .remembered(format!("{started} {name}"), || {
            let at = first_reached(answers, root, [started], name, source)?;
            Some(Reached {
                at,
                through_handed_on: false,
            })
        })
        .or_else(|| {
            answers.remembered(format!(" {name}"), || {
                let handed_on = answers.index(root, source).handed_on();
                let at = first_reached(answers, root, handed_on, name, source)?;
                Some(Reached {
                    at,
                    through_handed_on: true,
                })
            })
        });
    match reached {
        None => Ok(()),
        Some(Reached {
            at,
            through_handed_on: false,
        }) => Err(format!(
            "the function it starts, {started}, reaches '{name}' (line {}), which could tell \
             the two apart",
            line_of(source, at)
        )),
        Some(Reached { at, .. }) => Err(format!(
            "the function it starts, {started}, may call back into a function this file \
             hands on as a value, which reaches '{name}' (line {}) and could tell the two apart",
            line_of(source, at)
        )),
    }
}

/// The first identifier `name` (its byte offset) in the bodies of the
/// functions named in `from` and of every function of the module they name.
fn first_reached<'n>(
    answers: &ReachAnswers,
    root: &Root,
    from: impl IntoIterator<Item = &'n str>,
    name: &str,
    source: &str,
) -> Option<usize> {
    let index = answers.index(root, source);
    let mut queue: Vec<String> = from.into_iter().map(str::to_owned).collect();
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut first: Option<usize> = None;
    while let Some(function) = queue.pop() {
        for range in index.definitions(&function) {
            let Some(definition) = root.descendant_for_byte_range(range.start, range.end) else {
                continue;
            };
            for identifier in descendants(definition).filter(|n| n.kind() == "identifier") {
                let word = text(identifier, source);
                if word == name {
                    let at = identifier.start_byte();
                    first = Some(first.map_or(at, |f| f.min(at)));
                } else if index.defines(word) && seen.insert(word.to_owned()) {
                    queue.push(word.to_owned());
                }
            }
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn check(started: &str, source: &str) -> Result<(), String> {
        let tree = parse(source);
        let answers = ReachAnswers::default();
        check_not_reached(
            &answers,
            started,
            "exit",
            &Root::new(tree.root_node()),
            source,
        )
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
