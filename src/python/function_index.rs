//! The functions a module defines, by name, and those it hands on as
//! values, found in one walk of its tree: what a function may call in its
//! own file.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::Node;

use crate::python::syntax::{descendants, text};

pub struct FunctionIndex {
    /// Each name's function definitions (byte ranges), at any depth.
    by_name: HashMap<String, Vec<Range<usize>>>,
    /// The names of defined functions that the module names somewhere other
    /// than where they are called or defined (`add_handler(self._on_exit)`),
    /// so code may call them through a value; every one of them where the
    /// module fetches an attribute by a computed name (`getattr(self, '_%s'
    /// % action)`).
    handed_on: HashSet<String>,
}

impl FunctionIndex {
    /// The index of the module whose tree is `root`. A name is handed on
    /// where it occurs more often than it is called or defined: counting
    /// asks no node for its parent, which tree-sitter finds from the root.
    pub fn of(root: Node, source: &str) -> FunctionIndex {
        let mut by_name: HashMap<String, Vec<Range<usize>>> = HashMap::new();
        let mut occurrences: HashMap<&str, usize> = HashMap::new();
        let mut called_or_defined: HashMap<&str, usize> = HashMap::new();
        let mut computed_getattr = false;
        for node in descendants(root) {
            let name = match node.kind() {
                "identifier" => {
                    *occurrences.entry(text(node, source)).or_default() += 1;
                    continue;
                }
                "function_definition" => {
                    let Some(name) = node.child_by_field_name("name") else {
                        continue;
                    };
                    let name = text(name, source);
                    by_name
                        .entry(name.to_owned())
                        .or_default()
                        .push(node.byte_range());
                    name
                }
                "call" => {
                    computed_getattr |= is_computed_getattr(node, source);
                    let callee = node.child_by_field_name("function");
                    let name = match callee {
                        Some(f) if f.kind() == "attribute" => f.child_by_field_name("attribute"),
                        callee => callee.filter(|f| f.kind() == "identifier"),
                    };
                    let Some(name) = name else {
                        continue;
                    };
                    text(name, source)
                }
                _ => continue,
            };
            *called_or_defined.entry(name).or_default() += 1;
        }
        let handed_on = by_name
            .keys()
            .filter(|name| {
                computed_getattr
                    || occurrences.get(name.as_str()) > called_or_defined.get(name.as_str())
            })
            .cloned()
            .collect();
        FunctionIndex { by_name, handed_on }
    }

    /// Where the module defines functions named `name`.
    pub fn definitions(&self, name: &str) -> &[Range<usize>] {
        self.by_name.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn defines(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    pub fn handed_on(&self) -> impl Iterator<Item = &str> {
        self.handed_on.iter().map(String::as_str)
    }
}

/// `getattr(obj, name)` with a name that is not a literal string.
fn is_computed_getattr(call: Node, source: &str) -> bool {
    call.child_by_field_name("function")
        .is_some_and(|f| text(f, source) == "getattr")
        && call
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(1))
            .is_some_and(|attribute| attribute.kind() != "string")
}
