//! The calls with which tests patch a name: mock's and fixtures' patchers,
//! the known helpers of test base classes, and the project's own functions
//! that hand their arguments on to one of them (nova's
//! `TestCase.stub_out(old, new)`, which patches `old` with
//! `fixtures.MonkeyPatch`; blazar's `TestCase.patch(obj, attr)`, which
//! patches with `fixtures.MockPatchObject(obj, attr)`). A call of such a
//! function with an eventlet path patches eventlet as `mock.patch` would:
//! missing it would let a rewrite move the code away from the test's stub.

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::Node;

use crate::python::bindings::module_bound_to;
use crate::python::syntax::{Root, descendants, named_children, plain_string_content, text};

/// Callables whose first argument is a dotted name to patch.
const PATCHERS: &[&str] = &["patch", "MockPatch", "MonkeyPatch"];

/// Calls that patch an attribute of an object given first, named by the
/// string after it: `mock.patch.object`, fixtures' `MockPatchObject`, the
/// test base classes' `mock_object` (cinder, manila) and `patchobject`
/// (heat), and `setattr` (also pytest's `monkeypatch.setattr`).
const ATTRIBUTE_PATCHERS: &[&str] = &[
    "object",
    "MockPatchObject",
    "PatchObject",
    "mock_object",
    "patchobject",
    "setattr",
];

/// What the name of every patcher above contains.
const PATCHER_WORDS: &[&str] = &["atch", "mock_object", "setattr"];

/// The patchers of one project: the known ones and the project's functions
/// that pass their parameters on as what to patch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patchers {
    /// Each such function's name, with where its callers pass what it
    /// patches.
    wrappers: BTreeMap<String, Passed>,
    /// Those that pass the argument after what they patch on as the
    /// patcher's new value (see [`value_passing_in`]).
    value_passing: BTreeSet<String>,
}

/// Where the callers of a project's patcher pass what it patches: the
/// positions of those parameters among their arguments (`self` not
/// counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    /// A dotted name (`stub_out('a.b', new)`).
    Dotted(usize),
    /// An object, and a string naming its attribute (`patch(obj, 'b')`).
    Attribute { object: usize, name: usize },
}

impl Passed {
    /// The positions it names, in order.
    fn positions(self) -> Vec<usize> {
        match self {
            Passed::Dotted(target) => vec![target],
            Passed::Attribute { object, name } => vec![object, name],
        }
    }

    /// The same form, at `positions` (as [`Passed::positions`] lists them).
    fn at(self, positions: &[usize]) -> Passed {
        match self {
            Passed::Dotted(_) => Passed::Dotted(positions[0]),
            Passed::Attribute { .. } => Passed::Attribute {
                object: positions[0],
                name: positions[1],
            },
        }
    }
}

/// What a patch call names: the string of `mock.patch('a.b')`, or the
/// object and the attribute string of `mock.patch.object(a, 'b')` and its
/// kin (`string` is the string's content, a plain dotted name).
pub struct PatchArgs<'t> {
    pub object: Option<Node<'t>>,
    pub string: Node<'t>,
}

impl Patchers {
    /// The known patchers and the functions `wrappers` found.
    pub fn with_wrappers(wrappers: impl IntoIterator<Item = (String, Passed)>) -> Self {
        Patchers {
            wrappers: wrappers.into_iter().collect(),
            value_passing: BTreeSet::new(),
        }
    }

    /// The same, knowing which wrappers pass a new value on.
    pub fn passing_values(mut self, names: impl IntoIterator<Item = String>) -> Self {
        self.value_passing = names.into_iter().collect();
        self
    }

    /// Whether the project's patcher `name` passes the argument after what
    /// it patches on as the new value.
    pub fn passes_value(&self, name: &str) -> bool {
        self.value_passing.contains(name)
    }

    /// Whether a file's text may call a patcher at all.
    pub fn may_patch(&self, text: &[u8]) -> bool {
        self.words()
            .any(|word| memchr::memmem::find(text, word.as_bytes()).is_some())
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        PATCHER_WORDS
            .iter()
            .copied()
            .chain(self.wrappers.keys().map(String::as_str))
    }

    /// Every call of a patcher in the file, found from the patchers' names.
    pub fn calls<'t>(&self, root: &Root<'t>, source: &str) -> Vec<Node<'t>> {
        let bytes = source.as_bytes();
        let mut calls: Vec<Node> = Vec::new();
        for word in self.words() {
            for at in memchr::memmem::find_iter(bytes, word) {
                let Some(mut callee) = root
                    .descendant_for_byte_range(at, at + word.len())
                    .filter(|n| n.kind() == "identifier")
                else {
                    continue;
                };
                while let Some(parent) = root.parent(callee).filter(|p| p.kind() == "attribute") {
                    callee = parent;
                }
                let call = root.parent(callee).filter(|c| {
                    c.kind() == "call" && c.child_by_field_name("function") == Some(callee)
                });
                if let Some(call) = call
                    && !calls.contains(&call)
                {
                    calls.push(call);
                }
            }
        }
        calls
    }

    /// The arguments of a patcher's call that name what it patches; `None`
    /// for a call of anything else, or one whose target is not a string
    /// holding a plain dotted name.
    pub fn args<'t>(&self, call: Node<'t>, source: &str) -> Option<PatchArgs<'t>> {
        let (object, target) = self.target_argument(call, source)?;
        Some(PatchArgs {
            object,
            string: dotted_string(target, source)?,
        })
    }

    /// What a patcher's call patches, as a dotted path: `eventlet.sleep`
    /// for `mock.patch('eventlet.sleep')`, and for
    /// `mock.patch.object(eventlet, 'sleep')` after `import eventlet`. A
    /// mock replaces that one attribute: a call that reads another
    /// (eventlet binds `eventlet.greenthread.sleep` apart) is not caught.
    pub fn patched_path(&self, root: Node, call: Node, source: &str) -> Option<String> {
        let args = self.args(call, source)?;
        let attribute = text(args.string, source);
        let Some(object) = args.object else {
            return Some(attribute.to_owned());
        };
        let written: String = text(object, source).split_whitespace().collect();
        let (head, rest) = written.split_once('.').unwrap_or((&written, ""));
        let module = module_bound_to(root, head, source)?;
        let rest = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        Some(format!("{module}{rest}.{attribute}"))
    }

    /// The object and the argument naming the attribute, of an attribute
    /// patcher's call that names it by a variable, not a string
    /// (`mock.patch.object(eventlet, self.spawn_name, fake)`).
    pub fn attribute_named_by<'t>(
        &self,
        call: Node<'t>,
        source: &str,
    ) -> Option<(Node<'t>, Node<'t>)> {
        match self.target_argument(call, source)? {
            (Some(object), name) if matches!(name.kind(), "identifier" | "attribute") => {
                Some((object, name))
            }
            _ => None,
        }
    }

    /// The object a patcher's call patches an attribute of (for attribute
    /// patchers), and the argument that names its target.
    fn target_argument<'t>(
        &self,
        call: Node<'t>,
        source: &str,
    ) -> Option<(Option<Node<'t>>, Node<'t>)> {
        let callee = call
            .child_by_field_name("function")
            .map(|f| text(f, source))
            .unwrap_or("");
        let last = callee.rsplit('.').next().unwrap_or(callee);
        // A test base class's method may share a known patcher's name
        // (blazar's `self.patch(obj, attr)`): through `self` it is that.
        let own = self.wrappers.get(last);
        let method = callee.starts_with("self.") || callee.starts_with("cls.");
        let passed = match (known_patcher(callee), own) {
            (_, Some(own)) if method => *own,
            (Some(known), _) => known,
            (None, own) => *own?,
        };
        let args = positional_args(call);
        match passed {
            Passed::Dotted(target) => Some((None, *args.get(target)?)),
            Passed::Attribute { object, name } => {
                Some((Some(*args.get(object)?), *args.get(name)?))
            }
        }
    }
}

/// Where a known patcher, called as `callee`, takes what it patches.
fn known_patcher(callee: &str) -> Option<Passed> {
    let last = callee.rsplit('.').next().unwrap_or(callee);
    if ATTRIBUTE_PATCHERS.contains(&last) && (last != "object" || callee.ends_with("patch.object"))
    {
        Some(Passed::Attribute { object: 0, name: 1 })
    } else if PATCHERS.contains(&last) {
        Some(Passed::Dotted(0))
    } else {
        None
    }
}

/// Whether the target at `node` is patched by a bare mock no test reads:
/// `with mock.patch('a.b'):` or `with mock.patch.object(a, 'b'):`, with no
/// other argument and no `as`. While the block runs, such a mock only
/// replaces the calls, which return a fresh mock, and nothing sees them.
pub fn is_unread_with_mock(root: &Root, node: Node, source: &str) -> bool {
    let Some(call) = root.ancestors(node).find(|n| n.kind() == "call") else {
        return false;
    };
    let callee = call
        .child_by_field_name("function")
        .map_or("", |f| text(f, source));
    let targets = match callee.rsplit_once('.').map_or(callee, |(_, last)| last) {
        "patch" => 1,
        "object" if callee.ends_with("patch.object") => 2,
        _ => return false,
    };
    let arguments = call.child_by_field_name("arguments").map_or(0, |a| {
        named_children(a)
            .into_iter()
            .filter(|n| n.kind() != "comment")
            .count()
    });
    arguments == targets
        && positional_args(call).len() == targets
        && root.parent(call).is_some_and(|p| p.kind() == "with_item")
}

/// The `with` statement whose item's call makes the mock at `node`
/// (`with mock.patch.object(greenthread, 'sleep'):`), when nothing in it
/// reads an attribute of `self` or `cls` or calls `super()` (a method,
/// maybe inherited, could run anything while the block runs; storing into
/// one, `self.conn = ...`, runs nothing) and the functions it is in take
/// no parameter but `self` or `cls`.
pub fn mock_with_block<'t>(root: &Root<'t>, node: Node<'t>, source: &str) -> Option<Node<'t>> {
    let call = root.ancestors(node).find(|n| n.kind() == "call")?;
    let item = root.parent(call).filter(|p| p.kind() == "with_item")?;
    let with = root
        .ancestors(item)
        .find(|n| n.kind() == "with_statement")?;
    // A function's parameter may hold anything a caller passed (swift's
    // helper runs `func(*args)` under its mock).
    let takes_values = root
        .ancestors(with)
        .filter(|n| n.kind() == "function_definition")
        .filter_map(|f| f.child_by_field_name("parameters"))
        .flat_map(named_children)
        .any(|p| !matches!(text(p, source), "self" | "cls"));
    if takes_values {
        return None;
    }
    let reads_self = descendants(with).any(|n| match n.kind() {
        "attribute" => {
            let object = n.child_by_field_name("object");
            let on_self = object.is_some_and(|o| matches!(text(o, source), "self" | "cls"));
            let stored = root.parent(n).is_some_and(|p| {
                p.kind() == "assignment" && p.child_by_field_name("left") == Some(n)
            });
            on_self && !stored
        }
        "call" => n
            .child_by_field_name("function")
            .is_some_and(|f| text(f, source) == "super"),
        _ => false,
    });
    (!reads_self).then_some(with)
}

/// The function a patch decorator decorates, and the parameter it passes
/// its mock to. mock passes its mocks after every other argument (those
/// of `ddt.data` come first), the mock of the decorator nearest the
/// definition first.
pub fn decorator_parameter<'t>(
    root: &Root<'t>,
    decorator: Node<'t>,
    source: &str,
) -> Result<(Node<'t>, Node<'t>), String> {
    let decorated = root
        .parent(decorator)
        .filter(|d| d.kind() == "decorated_definition")
        .ok_or("not a decorator of a definition")?;
    let function = decorated
        .child_by_field_name("definition")
        .filter(|d| d.kind() == "function_definition")
        .ok_or("it decorates a class, whose methods the mock goes to")?;
    let passing: Vec<Node> = named_children(decorated)
        .into_iter()
        .filter(|d| d.kind() == "decorator" && passes_mock(*d, source))
        .collect();
    if !passing.iter().any(|d| d.id() == decorator.id()) {
        return Err("the decorator passes the function no mock".into());
    }
    let below = passing
        .iter()
        .skip_while(|d| d.id() != decorator.id())
        .skip(1)
        .count();
    let parameters = function
        .child_by_field_name("parameters")
        .map(named_children)
        .unwrap_or_default();
    let unmatched = || "the test function's parameters cannot be matched to its mocks".to_owned();
    // Only plain parameters are passed one argument each.
    if parameters.iter().any(|p| p.kind() != "identifier") {
        return Err(unmatched());
    }
    let first_mock = parameters
        .len()
        .checked_sub(passing.len())
        .ok_or_else(unmatched)?;
    let parameter = parameters
        .get(first_mock + below)
        .copied()
        .filter(|p| !matches!(text(*p, source), "self" | "cls"))
        .ok_or_else(unmatched)?;
    Ok((function, parameter))
}

/// Where `function`'s body reads its `parameter`.
pub fn parameter_reads<'t>(
    root: &Root<'t>,
    function: Node<'t>,
    parameter: Node<'t>,
    source: &str,
) -> Vec<Node<'t>> {
    let name = text(parameter, source);
    let Some(body) = function.child_by_field_name("body") else {
        return Vec::new();
    };
    descendants(body)
        .filter(|n| n.kind() == "identifier" && text(*n, source) == name)
        .filter(|n| {
            !root.parent(*n).is_some_and(|p| {
                matches!(p.kind(), "attribute" | "keyword_argument")
                    && p.child_by_field_name(if p.kind() == "attribute" {
                        "attribute"
                    } else {
                        "name"
                    }) == Some(*n)
            })
        })
        .collect()
}

/// Whether a decorator passes a mock to the function: a patcher of mock
/// given no new value.
fn passes_mock(decorator: Node, source: &str) -> bool {
    let Some(call) = named_children(decorator)
        .into_iter()
        .find(|c| c.kind() == "call")
    else {
        return false;
    };
    let callee = call
        .child_by_field_name("function")
        .map_or("", |f| text(f, source));
    let targets = match callee.rsplit('.').next() {
        Some("patch") => 1,
        Some("object") if callee.ends_with("patch.object") => 2,
        _ => return false,
    };
    let keywords: Vec<String> = call
        .child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.kind() == "keyword_argument")
        .filter_map(|a| a.child_by_field_name("name"))
        .map(|n| text(n, source).to_owned())
        .collect();
    positional_args(call).len() <= targets && !keywords.iter().any(|k| k == "new")
}

/// The arguments of a call before its first keyword argument or unpacking.
pub fn positional_args(call: Node) -> Vec<Node> {
    call.child_by_field_name("arguments")
        .map(|a| {
            named_children(a)
                .into_iter()
                .filter(|n| n.kind() != "comment")
                .take_while(|n| {
                    !matches!(
                        n.kind(),
                        "keyword_argument" | "list_splat" | "dictionary_splat"
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a file's text may define a function that hands its parameters
/// to a patcher: one of [`PATCHERS`] (a whole name, not `_create_patch`)
/// called with a name, not a string, first, or one of
/// [`ATTRIBUTE_PATCHERS`] with names first and second.
pub fn may_define_wrapper(text: &[u8]) -> bool {
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let skip_blanks = |at: usize| {
        at + text[at..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count()
    };
    // Whether the arguments from `at` start with `names` plain names.
    let passes_names = |mut at: usize, names: usize| {
        for n in 0..names {
            at = skip_blanks(at);
            if !text
                .get(at)
                .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
            {
                return false;
            }
            at += text[at..].iter().take_while(|b| name_byte(**b)).count();
            if n + 1 < names {
                at = skip_blanks(at);
                if text.get(at) != Some(&b',') {
                    return false;
                }
                at += 1;
            }
        }
        true
    };
    let calls_with_names = |words: &[&str], names: usize| {
        words.iter().any(|word| {
            memchr::memmem::find_iter(text, word.as_bytes()).any(|at| {
                let whole = at == 0 || !name_byte(text[at - 1]);
                let open = at + word.len();
                whole && text.get(open) == Some(&b'(') && passes_names(open + 1, names)
            })
        })
    };
    calls_with_names(PATCHERS, 1) || calls_with_names(ATTRIBUTE_PATCHERS, 2)
}

/// The functions of a file that pass their parameters, unchanged, as what
/// a known patcher patches: each function's name and where its callers
/// pass that, in the parsed module `root` of `source` (worth a parse only
/// where [`may_define_wrapper`]).
pub fn wrappers_in(root: &Root, source: &str) -> Vec<(String, Passed)> {
    wrapper_calls(root, source)
        .into_iter()
        .map(|w| (w.name, w.passed))
        .collect()
}

/// The functions of [`wrappers_in`] that also pass their `*args` on right
/// after what they patch (cinder's `TestCase.patch(path, *args,
/// **kwargs)`): their callers' next argument is the patcher's new value.
pub fn value_passing_in(root: &Root, source: &str) -> Vec<String> {
    wrapper_calls(root, source)
        .into_iter()
        .filter(|w| w.passes_rest)
        .map(|w| w.name)
        .collect()
}

struct WrapperCall {
    name: String,
    passed: Passed,
    passes_rest: bool,
}

fn wrapper_calls(root: &Root, source: &str) -> Vec<WrapperCall> {
    let known = Patchers::default();
    let mut found = Vec::new();
    for call in known.calls(root, source) {
        let callee = call
            .child_by_field_name("function")
            .map(|f| text(f, source))
            .unwrap_or("");
        // mock's `patch`, not an HTTP client's (`requests.patch(url)`).
        let last = callee.rsplit('.').next().unwrap_or(callee);
        let mock_patch = callee == "patch" || callee.ends_with("mock.patch");
        let Some(passed) = known_patcher(callee).filter(|_| last != "patch" || mock_patch) else {
            continue;
        };
        let args = positional_args(call);
        let passed_names: Option<Vec<&str>> = passed
            .positions()
            .into_iter()
            .map(|p| {
                args.get(p)
                    .filter(|a| a.kind() == "identifier")
                    .map(|a| text(*a, source))
            })
            .collect();
        let Some(passed_names) = passed_names else {
            continue;
        };
        let Some(function) = root
            .ancestors(call)
            .find(|n| matches!(n.kind(), "function_definition" | "lambda"))
            .filter(|f| f.kind() == "function_definition")
        else {
            continue;
        };
        let Some(name) = function.child_by_field_name("name") else {
            continue;
        };
        let name = text(name, source);
        let parameters = parameter_names(function, source);
        let method = usize::from(is_method(function, source));
        let Some(positions) = passed_names
            .iter()
            .map(|passed| {
                let position = parameters.iter().position(|p| p == passed)?;
                position.checked_sub(method)
            })
            .collect::<Option<Vec<usize>>>()
        else {
            continue;
        };
        let rest = rest_parameter(function, source);
        let passes_rest = rest.is_some_and(|rest| {
            positional_splat(call, source)
                .is_some_and(|(at, splat)| at == passed.positions().len() && splat == rest)
        });
        found.push(WrapperCall {
            name: name.to_owned(),
            passed: passed.at(&positions),
            passes_rest,
        });
    }
    found
}

/// The name of a function's `*args` parameter.
fn rest_parameter<'s>(function: Node, source: &'s str) -> Option<&'s str> {
    let parameters = function.child_by_field_name("parameters")?;
    named_children(parameters)
        .into_iter()
        .find(|p| p.kind() == "list_splat_pattern")
        .and_then(|p| p.named_child(0))
        .map(|name| text(name, source))
}

/// The `*name` among a call's arguments, with its position among them.
fn positional_splat<'s>(call: Node, source: &'s str) -> Option<(usize, &'s str)> {
    let arguments = call.child_by_field_name("arguments")?;
    named_children(arguments)
        .into_iter()
        .filter(|a| a.kind() != "comment")
        .enumerate()
        .find(|(_, a)| a.kind() == "list_splat")
        .and_then(|(at, a)| a.named_child(0).map(|n| (at, text(n, source))))
}

/// The names of a function's parameters that callers may pass by position.
fn parameter_names<'s>(function: Node, source: &'s str) -> Vec<&'s str> {
    let Some(parameters) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    named_children(parameters)
        .into_iter()
        .take_while(|p| {
            !matches!(
                p.kind(),
                "list_splat_pattern" | "dictionary_splat_pattern" | "keyword_separator"
            )
        })
        .filter(|p| p.kind() != "positional_separator")
        .filter_map(|p| match p.kind() {
            "identifier" => Some(p),
            "default_parameter" | "typed_default_parameter" => p.child_by_field_name("name"),
            "typed_parameter" => p.named_child(0),
            _ => None,
        })
        .map(|name| text(name, source))
        .collect()
}

/// Whether `function` is a method its callers call on an instance or class:
/// defined in a class body and not a static method.
fn is_method(function: Node, source: &str) -> bool {
    let (definition, decorators) = match function.parent() {
        Some(decorated) if decorated.kind() == "decorated_definition" => {
            (decorated, named_children(decorated))
        }
        _ => (function, Vec::new()),
    };
    let in_class = definition
        .parent()
        .filter(|b| b.kind() == "block")
        .and_then(|b| b.parent())
        .is_some_and(|c| c.kind() == "class_definition");
    in_class
        && !decorators
            .iter()
            .any(|d| d.kind() == "decorator" && text(*d, source).trim() == "@staticmethod")
}

/// The content of a string literal holding a plain dotted name.
fn dotted_string<'t>(string: Node<'t>, source: &str) -> Option<Node<'t>> {
    plain_string_content(string).filter(|content| {
        text(*content, source)
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    })
}

/// The names a variable (`name`, `self.name`) may hold, when every value
/// the file assigns to it is a string of a plain dotted name; `None` when
/// one is anything else, or none is assigned.
pub fn assigned_strings(root: &Root, name: Node, source: &str) -> Option<Vec<String>> {
    let wanted = text(name, source);
    let mut values: Vec<String> = Vec::new();
    for node in descendants(root.node()) {
        if node.kind() != name.kind() || text(node, source) != wanted {
            continue;
        }
        let Some(assignment) = root.parent(node).filter(|a| {
            matches!(a.kind(), "assignment" | "augmented_assignment")
                && a.child_by_field_name("left") == Some(node)
        }) else {
            continue;
        };
        let content = assignment
            .child_by_field_name("right")
            .filter(|_| assignment.kind() == "assignment")
            .and_then(|right| dotted_string(right, source))?;
        let value = text(content, source).to_owned();
        if !values.contains(&value) {
            values.push(value);
        }
    }
    (!values.is_empty()).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn wrappers(source: &str) -> Vec<(String, Passed)> {
        assert!(may_define_wrapper(source.as_bytes()));
        let tree = parse(source);
        wrappers_in(&Root::new(tree.root_node()), source)
    }

    #[test]
    fn only_a_bare_with_mock_is_unread() {
        let cases = [
            ("with mock.patch('eventlet.sleep'):\n    f()\n", true),
            (
                "with mock.patch.object(eventlet, 'sleep'):\n    f()\n",
                true,
            ),
            ("with a, patch('eventlet.sleep'):\n    f()\n", true),
            ("with mock.patch('eventlet.sleep') as s:\n    f()\n", false),
            (
                "with mock.patch('eventlet.sleep', side_effect=E):\n    f()\n",
                false,
            ),
            (
                "with mock.patch('eventlet.sleep', autospec=True):\n    f()\n",
                false,
            ),
            (
                "@mock.patch('eventlet.sleep')\ndef f(s):\n    pass\n",
                false,
            ),
            (
                "self.useFixture(fixtures.MockPatch('eventlet.sleep'))\n",
                false,
            ),
            (
                "with fixtures.MonkeyPatch('eventlet.sleep', None):\n    f()\n",
                false,
            ),
        ];
        for (source, unread) in cases {
            let tree = parse(source);
            let root = Root::new(tree.root_node());
            let at = source.find("sleep'").unwrap();
            let node = root.descendant_for_byte_range(at, at + 5).unwrap();
            assert_eq!(is_unread_with_mock(&root, node, source), unread, "{source}");
        }
    }

    #[test]
    fn a_with_block_is_followed_only_when_it_can_run_nothing_hidden() {
        let body = |lines: &str| {
            format!(
                "class T:\n    def test(self):\n        \
                 with mock.patch.object(greenthread, 'sleep'):\n{lines}"
            )
        };
        let cases = [
            (body("            self.conn = session.Session()\n"), true),
            (body("            self.start_service()\n"), false),
            (body("            super().setUp()\n"), false),
            (body("            x = self.conn\n"), false),
            (
                "def helper(func):\n    with mock.patch('eventlet.sleep'):\n        \
                 return func()\n"
                    .to_owned(),
                false,
            ),
            (
                "@mock.patch('eventlet.sleep')\ndef test(s):\n    pass\n".to_owned(),
                false,
            ),
        ];
        for (source, followed) in cases {
            let tree = parse(&source);
            let root = Root::new(tree.root_node());
            let at = source.find("sleep'").unwrap();
            let node = root.descendant_for_byte_range(at, at + 5).unwrap();
            let block = mock_with_block(&root, node, &source);
            assert_eq!(block.is_some(), followed, "{source}");
        }
    }

    #[test]
    fn a_method_handing_its_argument_to_a_patcher_is_a_patcher() {
        let found = wrappers(
            "class TestCase:\n    def stub_out(self, old, new):\n        \
             self.useFixture(fixtures.MonkeyPatch(old, new))\n\n    \
             @staticmethod\n    def patch_it(target):\n        return mock.patch(target)\n\n\
             def module_level(a, target, *rest):\n    return mock.patch(\n        target)\n",
        );
        assert_eq!(
            found,
            [
                ("stub_out".to_string(), Passed::Dotted(0)),
                ("patch_it".to_string(), Passed::Dotted(0)),
                ("module_level".to_string(), Passed::Dotted(1))
            ]
        );
    }

    /// cinder's `TestCase.patch(path, *args, **kwargs)` hands its `*args`
    /// on right after the path: a caller's next argument is the new value.
    #[test]
    fn a_wrapper_passing_its_rest_on_after_the_target_passes_a_value() {
        let source = "class TestCase:\n    def patch(self, path, *args, **kwargs):\n        \
                      patcher = mock.patch(path, *args, **kwargs)\n        \
                      return patcher.start()\n\n    \
                      def stub(self, path, *args):\n        return mock.patch(path)\n\n    \
                      def keywords(self, path, **kwargs):\n        \
                      return mock.patch(path, **kwargs)\n";
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        assert_eq!(wrappers(source).len(), 3);
        assert_eq!(value_passing_in(&root, source), ["patch"]);
    }

    /// blazar's test base class: `self.patch(eventlet, 'spawn')` mocks
    /// eventlet's spawn, though a known patcher has the method's name.
    #[test]
    fn a_method_handing_an_object_and_its_attribute_to_a_patcher_is_a_patcher() {
        let base = "class TestCase:\n    def patch(self, obj, attr):\n        \
                    return self.useFixture(fixtures.MockPatchObject(obj, attr)).mock\n";
        let found = wrappers(base);
        let attribute = Passed::Attribute { object: 0, name: 1 };
        assert_eq!(found, [("patch".to_string(), attribute)]);
        let patchers = Patchers::with_wrappers(found);
        let source = "self.patch(eventlet, 'spawn')\nmock.patch('eventlet.sleep')\n";
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        let named: Vec<(Option<&str>, &str)> = patchers
            .calls(&root, source)
            .into_iter()
            .filter_map(|call| patchers.args(call, source))
            .map(|args| {
                (
                    args.object.map(|o| text(o, source)),
                    text(args.string, source),
                )
            })
            .collect();
        assert_eq!(
            named,
            [(Some("eventlet"), "spawn"), (None, "eventlet.sleep")]
        );
    }

    #[test]
    fn a_name_that_is_no_parameter_or_a_string_makes_no_patcher() {
        let source = "TARGET = 'a.b'\n\ndef f(x, url):\n    mock.patch(TARGET)\n    \
                      mock.patch('a.' + x)\n    g = lambda t: mock.patch(t)\n    \
                      requests.patch(url)\n";
        assert!(wrappers(source).is_empty());
        assert!(!may_define_wrapper(
            b"mock.patch('eventlet.sleep')\nmock.patch.object(a, 'b')\n_create_patch(name, 'x')\n"
        ));
    }

    #[test]
    fn a_call_of_a_wrapper_names_its_target_where_the_wrapper_takes_it() {
        let patchers = Patchers::with_wrappers([("stub_out".to_string(), Passed::Dotted(0))]);
        let source = "self.stub_out('eventlet.greenthread.sleep', lambda *a: None)\n\
                      self.stub_out(name, 'eventlet.sleep')\n\
                      self.stub_out(old='eventlet.sleep', new=None)\n";
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        let named: Vec<&str> = patchers
            .calls(&root, source)
            .into_iter()
            .filter_map(|call| patchers.args(call, source))
            .map(|args| text(args.string, source))
            .collect();
        assert_eq!(named, ["eventlet.greenthread.sleep"]);
        assert!(!Patchers::default().may_patch(b"self.stub_out('eventlet.sleep', f)"));
        assert!(patchers.may_patch(b"self.stub_out('eventlet.sleep', f)"));
    }

    #[test]
    fn mock_passes_its_mocks_after_the_arguments_of_other_decorators() {
        let source = "\
@ddt.data(1, 2)
@mock.patch.object(a, 'b')
@mock.patch('eventlet.sleep')
def test(self, value, fake_sleep, fake_b):
    pass
";
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        let parameter_of = |decorator: &str| {
            let at = source.find(decorator).unwrap();
            let node = root.descendant_for_byte_range(at, at).unwrap();
            let decorator = root
                .ancestors(node)
                .find(|n| n.kind() == "decorator")
                .unwrap();
            let (_, parameter) = decorator_parameter(&root, decorator, source).unwrap();
            text(parameter, source)
        };
        assert_eq!(parameter_of("@mock.patch("), "fake_sleep");
        assert_eq!(parameter_of("@mock.patch.object"), "fake_b");
    }
}
