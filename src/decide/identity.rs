//! The current green thread's identity: `getcurrent()` becomes
//! `threading.current_thread()` only where its value is compared, hashed or
//! used as a key, and only against values of the same origin. Inside a
//! green thread, `getcurrent()` is the very handle `spawn()` or
//! `spawn_after()` returned, so a registry keyed by handles finds it there;
//! no thread equals such a handle.

use tree_sitter::Node;

use crate::decide::follow::enclosing_scope;
use crate::python::syntax::{descendants, field_name, named_children, text};
use crate::source::line_of;

/// How deep names and containers are followed back to where their values
/// come from (`a = b`, `b = getcurrent()`): past it, the origin is unknown.
const FOLLOW_DEPTH: usize = 4;

/// The value (a call's result) is only compared, hashed or used as a key,
/// directly or through the name it is assigned to, and only against values
/// that are the current thread too.
pub(crate) fn check_identity_only(call: Node, root: Node, source: &str) -> Result<(), String> {
    let Some(parent) = call.parent() else {
        return Ok(());
    };
    if parent.kind() == "assignment" && field_name(parent, call) == Some("right") {
        let Some(left) = parent.child_by_field_name("left") else {
            return refuse_non_identity(call, source);
        };
        return match left.kind() {
            // Stored into a container or on an object: followed there.
            "subscript" | "attribute" => check_stored(left, root, source),
            _ => check_value_use(call, root, source),
        };
    }
    check_value_use(call, root, source)
}

fn refuse_non_identity(at: Node, source: &str) -> Result<(), String> {
    Err(format!(
        "the result is used at line {} other than by identity (is, ==, in, as a key)",
        line_of(source, at.start_byte())
    ))
}

/// A read of the value (the call, or an expression that reads it back):
/// used by identity, directly or through the plain name it is assigned to.
fn check_value_use(value: Node, root: Node, source: &str) -> Result<(), String> {
    if is_identity_use(value, source) {
        return check_counterparts(value, root, source);
    }
    let Some(assignment) = value
        .parent()
        .filter(|p| p.kind() == "assignment" && field_name(*p, value) == Some("right"))
    else {
        return refuse_non_identity(value, source);
    };
    let Some(left) = assignment
        .child_by_field_name("left")
        .filter(|l| l.kind() == "identifier")
    else {
        return refuse_non_identity(value, source);
    };
    let name = text(left, source);
    for node in descendants(enclosing_scope(assignment)) {
        if node.kind() == "identifier" && text(node, source) == name && node != left {
            if !is_identity_use(node, source) {
                return refuse_non_identity(node, source);
            }
            check_counterparts(node, root, source)?;
        }
    }
    Ok(())
}

/// The value stored at `target` (`owners[key]`, `self.owner`) is read back
/// by identity only, wherever the file reads that container or attribute:
/// by key (`owners[key]`, `owners.get(key)`, `owners.pop(key)`) or by
/// `key in owners`; the container itself passed on or iterated is refused.
fn check_stored(target: Node, root: Node, source: &str) -> Result<(), String> {
    let passed_on = |at: Node| {
        Err(format!(
            "it is stored in {}, which is used at line {} other than by key, so the value \
             cannot be followed",
            text(target, source),
            line_of(source, at.start_byte())
        ))
    };
    if target.kind() == "attribute" {
        let whole = text(target, source);
        for node in descendants(root) {
            if node.kind() == "attribute"
                && node != target
                && text(node, source) == whole
                && !is_store(node)
            {
                check_value_use(node, root, source)?;
            }
        }
        return Ok(());
    }
    let Some(base) = target.child_by_field_name("value") else {
        return passed_on(target);
    };
    let base_text = text(base, source);
    for node in descendants(root) {
        if node == base || node.kind() != base.kind() || text(node, source) != base_text {
            continue;
        }
        let Some(parent) = node.parent() else {
            continue;
        };
        match parent.kind() {
            "subscript" if field_name(parent, node) == Some("value") => {
                if !is_store(parent) {
                    check_value_use(parent, root, source)?;
                }
            }
            "attribute" if field_name(parent, node) == Some("object") => {
                match method_call(parent, source) {
                    Some(("get" | "pop", call)) => check_value_use(call, root, source)?,
                    _ => return passed_on(node),
                }
            }
            // Made or emptied (`owners = {}`), or asked for a key
            // (`key in owners`).
            "assignment" if field_name(parent, node) == Some("left") => {}
            "comparison_operator" => {}
            _ => return passed_on(node),
        }
    }
    Ok(())
}

/// Written to (`x[k] = ...`, `x.a = ...`) or deleted.
fn is_store(node: Node) -> bool {
    node.parent()
        .is_some_and(|p| p.kind() == "assignment" && field_name(p, node) == Some("left"))
        || node
            .parent()
            .is_some_and(|p| p.kind() == "delete_statement")
}

fn is_identity_use(node: Node, source: &str) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    match parent.kind() {
        "comparison_operator" | "set" => true,
        "parenthesized_expression" => is_identity_use(parent, source),
        "subscript" => field_name(parent, node) == Some("subscript"),
        "pair" => field_name(parent, node) == Some("key"),
        "argument_list" => parent.parent().is_some_and(|call| {
            call.child_by_field_name("function")
                .is_some_and(|f| matches!(text(f, source), "id" | "hash"))
        }),
        _ => false,
    }
}

/// What `value` (in an identity use) meets is the current thread too: the
/// other side of `is` or `==`, the other keys of the container it keys,
/// and what its id() or hash() meets in turn.
fn check_counterparts(value: Node, root: Node, source: &str) -> Result<(), String> {
    let Some(parent) = value.parent() else {
        return Ok(());
    };
    let other_origin = |at: Node| {
        Err(format!(
            "it meets {} at line {}, which may be a green thread's handle (what spawn() \
             returns equals getcurrent() inside it, and no thread equals it)",
            text(at, source),
            line_of(source, at.start_byte())
        ))
    };
    match parent.kind() {
        "parenthesized_expression" => check_counterparts(parent, root, source),
        "comparison_operator" => {
            let operands = named_children(parent);
            let membership = (0..parent.child_count())
                .filter_map(|i| parent.child(i as u32))
                .any(|c| !c.is_named() && text(c, source) == "in");
            if membership {
                // `value in container`: the container's keys.
                return match operands.as_slice() {
                    [left, container] if *left == value => {
                        check_keys(*container, root, source, FOLLOW_DEPTH)
                    }
                    _ => refuse_non_identity(value, source),
                };
            }
            match operands
                .iter()
                .find(|o| **o != value && !is_current(**o, root, source, FOLLOW_DEPTH))
            {
                Some(other) => other_origin(*other),
                None => Ok(()),
            }
        }
        "subscript" => match parent.child_by_field_name("value") {
            Some(container) => check_keys(container, root, source, FOLLOW_DEPTH),
            None => refuse_non_identity(value, source),
        },
        // id(value), hash(value): what the number meets, in turn.
        "argument_list" => match parent.parent() {
            Some(call) => check_value_use(call, root, source),
            None => refuse_non_identity(value, source),
        },
        // A member of a set, or a key of a dict, made for a name: the
        // container's keys.
        "set" | "pair" => {
            let literal = if parent.kind() == "pair" {
                parent.parent()
            } else {
                Some(parent)
            };
            let container = literal.and_then(|l| {
                l.parent()
                    .filter(|a| a.kind() == "assignment" && field_name(*a, l) == Some("right"))
                    .and_then(|a| a.child_by_field_name("left"))
            });
            match container {
                Some(container) => check_keys(container, root, source, FOLLOW_DEPTH),
                None => Err(format!(
                    "it is put in a literal at line {}, whose other members are not followed",
                    line_of(source, value.start_byte())
                )),
            }
        }
        _ => refuse_non_identity(value, source),
    }
}

/// Every key the file uses with `container` (`jobs[k]`, `jobs.get(k)`,
/// `k in jobs`) is the current thread; the container is only made empty
/// and used by key.
fn check_keys(container: Node, root: Node, source: &str, depth: usize) -> Result<(), String> {
    let name = text(container, source);
    if !matches!(container.kind(), "identifier" | "attribute") || depth == 0 {
        return Err(format!(
            "it keys {name}, whose other keys cannot be followed"
        ));
    }
    let other_key = |key: Node| {
        Err(format!(
            "it keys {name}, which is also keyed by {} at line {}: that may be a green \
             thread's handle (what spawn() returns equals getcurrent() inside it, and no \
             thread equals it)",
            text(key, source),
            line_of(source, key.start_byte())
        ))
    };
    let used_otherwise = |at: Node| {
        Err(format!(
            "it keys {name}, whose keys are read at line {} other than by a lookup",
            line_of(source, at.start_byte())
        ))
    };
    for node in descendants(root) {
        if node.kind() != container.kind() || text(node, source) != name {
            continue;
        }
        let Some(parent) = node.parent() else {
            continue;
        };
        let keys: Vec<Node> = match parent.kind() {
            "subscript" if field_name(parent, node) == Some("value") => parent
                .child_by_field_name("subscript")
                .into_iter()
                .collect(),
            "attribute" if field_name(parent, node) == Some("object") => {
                match method_call(parent, source) {
                    Some(("get" | "pop" | "setdefault", call)) => call
                        .child_by_field_name("arguments")
                        .and_then(|a| named_children(a).first().copied())
                        .into_iter()
                        .collect(),
                    Some(("clear" | "values", _)) => continue,
                    _ => return used_otherwise(node),
                }
            }
            "comparison_operator" => match named_children(parent).as_slice() {
                [key, right] if *right == node => vec![*key],
                _ => return used_otherwise(node),
            },
            "assignment" if field_name(parent, node) == Some("left") => {
                match parent.child_by_field_name("right") {
                    Some(made) if is_empty_container(made, source) => continue,
                    Some(made) => match literal_keys(made) {
                        Some(keys) => keys,
                        None => return used_otherwise(node),
                    },
                    None => return used_otherwise(node),
                }
            }
            "argument_list" if is_len_argument(parent, source) => continue,
            _ => return used_otherwise(node),
        };
        if keys.is_empty() {
            return used_otherwise(node);
        }
        if let Some(key) = keys
            .into_iter()
            .find(|key| !is_current(*key, root, source, depth - 1))
        {
            return other_key(key);
        }
    }
    Ok(())
}

/// The keys of a dict literal, or the members of a set literal (None for
/// anything else, or one that unpacks another).
fn literal_keys(made: Node) -> Option<Vec<Node>> {
    let members = named_children(made);
    match made.kind() {
        "dictionary" => members
            .iter()
            .map(|pair| {
                (pair.kind() == "pair")
                    .then(|| pair.child_by_field_name("key"))
                    .flatten()
            })
            .collect(),
        "set" => members
            .iter()
            .all(|m| !matches!(m.kind(), "list_splat" | "dictionary_splat"))
            .then_some(members),
        _ => None,
    }
}

/// The method name and the call, where `attribute` (`jobs.get`) is called.
fn method_call<'t, 's>(attribute: Node<'t>, source: &'s str) -> Option<(&'s str, Node<'t>)> {
    let method = attribute.child_by_field_name("attribute")?;
    let call = attribute.parent().filter(|c| c.kind() == "call")?;
    Some((text(method, source), call))
}

fn is_empty_container(made: Node, source: &str) -> bool {
    match made.kind() {
        "dictionary" | "set" | "list" => named_children(made).is_empty(),
        "call" => {
            made.child_by_field_name("function")
                .is_some_and(|f| matches!(text(f, source), "dict" | "set" | "list"))
                && made
                    .child_by_field_name("arguments")
                    .is_some_and(|a| named_children(a).is_empty())
        }
        _ => false,
    }
}

fn is_len_argument(arguments: Node, source: &str) -> bool {
    arguments
        .parent()
        .and_then(|call| call.child_by_field_name("function"))
        .is_some_and(|f| text(f, source) == "len")
}

/// Whether `value` is the current thread once rewritten (or None): a call
/// of getcurrent() (or of current_thread()), its id() or hash(), or a name,
/// attribute or container entry that the file only ever sets to one.
fn is_current(value: Node, root: Node, source: &str, depth: usize) -> bool {
    if depth == 0 {
        return false;
    }
    match value.kind() {
        "none" => true,
        "parenthesized_expression" => named_children(value)
            .first()
            .is_some_and(|inner| is_current(*inner, root, source, depth)),
        "call" => {
            let Some(function) = value.child_by_field_name("function") else {
                return false;
            };
            let callee = text(function, source);
            let last = callee.rsplit('.').next().unwrap_or(callee);
            let arguments = value
                .child_by_field_name("arguments")
                .map(named_children)
                .unwrap_or_default();
            match last {
                "getcurrent" | "current_thread" => arguments.is_empty(),
                "id" | "hash" if callee == last => match arguments.as_slice() {
                    [argument] => is_current(*argument, root, source, depth - 1),
                    _ => false,
                },
                // `registry.get(key)`: what the registry holds.
                "get" | "pop" => function
                    .child_by_field_name("object")
                    .is_some_and(|container| stored_current(container, root, source, depth)),
                _ => false,
            }
        }
        "subscript" => value
            .child_by_field_name("value")
            .is_some_and(|container| stored_current(container, root, source, depth)),
        "identifier" | "attribute" => assigned_current(value, root, source, depth),
        _ => false,
    }
}

/// Every value the file gives `name` (a plain name or an attribute) is the
/// current thread, and it gives one; a name bound otherwise (a parameter,
/// a loop variable) is not followed.
fn assigned_current(name: Node, root: Node, source: &str, depth: usize) -> bool {
    let wanted = text(name, source);
    let mut assigned = false;
    for node in descendants(root) {
        if node.kind() != name.kind() || text(node, source) != wanted {
            continue;
        }
        let Some(parent) = node.parent() else {
            continue;
        };
        match parent.kind() {
            "assignment" if field_name(parent, node) == Some("left") => {
                match parent.child_by_field_name("right") {
                    Some(right) if is_current(right, root, source, depth - 1) => assigned = true,
                    _ => return false,
                }
            }
            "parameters"
            | "default_parameter"
            | "typed_parameter"
            | "typed_default_parameter"
            | "for_statement"
            | "for_in_clause"
            | "as_pattern_target"
            | "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "augmented_assignment"
            | "global_statement"
            | "nonlocal_statement"
            | "named_expression" => return false,
            _ => {}
        }
    }
    assigned
}

/// Every value the file stores in `container` (`c[k] = v`) is the current
/// thread, and it stores one.
fn stored_current(container: Node, root: Node, source: &str, depth: usize) -> bool {
    let wanted = text(container, source);
    let mut stored = false;
    for node in descendants(root) {
        if node.kind() != container.kind() || text(node, source) != wanted {
            continue;
        }
        let Some(subscript) = node
            .parent()
            .filter(|p| p.kind() == "subscript" && field_name(*p, node) == Some("value"))
        else {
            continue;
        };
        let Some(assignment) = subscript
            .parent()
            .filter(|p| p.kind() == "assignment" && field_name(*p, subscript) == Some("left"))
        else {
            continue;
        };
        match assignment.child_by_field_name("right") {
            Some(right) if is_current(right, root, source, depth - 1) => stored = true,
            _ => return false,
        }
    }
    stored
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    /// The identity check of the first `getcurrent()` call in `source`.
    fn check(source: &str) -> Result<(), String> {
        let tree = parse(source);
        let root = tree.root_node();
        let call = descendants(root)
            .find(|n| n.kind() == "call" && text(*n, source).ends_with("getcurrent()"))
            .expect("a getcurrent() call");
        check_identity_only(call, root, source)
    }

    #[test]
    fn a_registry_keyed_by_spawn_handles_is_refused() {
        let source = "\
import eventlet

jobs = {}


def schedule(f):
    gt = eventlet.spawn_after(1, f)
    jobs[gt] = f


def done():
    del jobs[eventlet.getcurrent()]
";
        let why = check(source).unwrap_err();
        assert!(why.contains("also keyed by gt at line 8"), "{why}");
    }

    #[test]
    fn a_registry_keyed_only_by_the_current_thread_passes() {
        let source = "\
import eventlet

owners = {}


def claim(key):
    owners[eventlet.getcurrent()] = key


def release():
    if eventlet.getcurrent() in owners:
        del owners[eventlet.getcurrent()]
";
        assert_eq!(check(source), Ok(()));
    }

    #[test]
    fn comparing_with_a_handle_is_refused_and_with_the_current_thread_passes() {
        let handle = "\
import eventlet

gt = eventlet.spawn(print)
same = eventlet.getcurrent() is gt
";
        let why = check(handle).unwrap_err();
        assert!(why.contains("meets gt at line 4"), "{why}");
        let stored = "\
import eventlet

_owners = {}


def claim(key):
    _owners[key] = eventlet.getcurrent()


def mine(key):
    me = eventlet.getcurrent()
    return _owners.get(key) is me
";
        assert_eq!(check(stored), Ok(()));
    }

    #[test]
    fn ids_are_followed_to_what_they_meet() {
        let source = "\
import eventlet

gt = eventlet.spawn(print)
same = id(eventlet.getcurrent()) == id(gt)
";
        assert!(check(source).is_err());
        let ids = "\
import eventlet

first = id(eventlet.getcurrent())
same = id(eventlet.getcurrent()) == first
";
        assert_eq!(check(ids), Ok(()));
    }
}
