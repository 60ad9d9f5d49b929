//! Rewrites of whole blocks that a template cannot express, named by a
//! transform's `strategy` (shape `block`).
//!
//! `timeout-queue-get` (and `timeout-queue-put`, with `queue.Full`):
//! eventlet's Timeout around one blocking `get()` of an eventlet queue,
//! caught right there,
//!
//! ```python
//! try:
//!     with eventlet.Timeout(5):
//!         item = jobs.get()
//! except eventlet.Timeout:
//!     item = None
//! ```
//!
//! becomes the queue's own timeout, whose expiry raises `queue.Empty`:
//!
//! ```python
//! try:
//!     item = jobs.get(timeout=5)
//! except queue.Empty:
//!     item = None
//! ```

use tree_sitter::Node;

use crate::analysis::{FileAnalysis, UseKind};
use crate::flow::{MemberEdit, enclosing_scope};
use crate::python::syntax::{descendants, field_name, named_children, numeric_literal, text};
use crate::transform::{ApiId, Catalogue};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// `get()` becomes `get(timeout=t)`; the transform's template names
    /// `queue.Empty`.
    TimeoutQueueGet,
    /// `put(item)` becomes `put(item, timeout=t)`; the template names
    /// `queue.Full`.
    TimeoutQueuePut,
}

impl Block {
    pub fn parse(word: &str) -> Option<Block> {
        match word {
            "timeout-queue-get" => Some(Block::TimeoutQueueGet),
            "timeout-queue-put" => Some(Block::TimeoutQueuePut),
            _ => None,
        }
    }

    pub const WORDS: &'static str = "timeout-queue-get, timeout-queue-put";

    /// The queue method, and how many positional arguments it is called with.
    fn method(self) -> (&'static str, usize) {
        match self {
            Block::TimeoutQueueGet => ("get", 0),
            Block::TimeoutQueuePut => ("put", 1),
        }
    }
}

/// The queue classes whose `get(timeout=)` raises `queue.Empty`.
const QUEUES: &[&str] = &[
    "eventlet.queue.Queue",
    "eventlet.queue.LightQueue",
    "eventlet.queue.LifoQueue",
    "eventlet.queue.PriorityQueue",
];

/// The range to replace with the `except` template, and the edit of the
/// `with` block itself.
pub struct BlockRewrite {
    pub except_type: std::ops::Range<usize>,
    pub edits: Vec<MemberEdit>,
}

pub fn rewrite(
    block: Block,
    timeout: Node,
    api: ApiId,
    source: &str,
    file: &FileAnalysis,
    catalogue: &Catalogue,
) -> Result<BlockRewrite, String> {
    let (method, positional) = block.method();
    timeout_around_queue_call(timeout, api, method, positional, source, file, catalogue)
}

fn timeout_around_queue_call(
    timeout: Node,
    api: ApiId,
    method: &str,
    positional: usize,
    source: &str,
    file: &FileAnalysis,
    catalogue: &Catalogue,
) -> Result<BlockRewrite, String> {
    let not_this = || format!("not a Timeout around a single queue {method}() caught right there");
    let call = timeout
        .parent()
        .filter(|c| c.kind() == "call" && field_name(timeout) == Some("function"))
        .ok_or_else(not_this)?;
    let args = statements(call.child_by_field_name("arguments").ok_or_else(not_this)?);
    let [seconds] = args.as_slice() else {
        return Err(not_this());
    };
    let item = call
        .parent()
        .filter(|i| i.kind() == "with_item")
        .ok_or_else(not_this)?;
    let clause = item
        .parent()
        .filter(|c| named_children(*c).len() == 1)
        .ok_or_else(not_this)?;
    let with = clause
        .parent()
        .filter(|w| w.kind() == "with_statement")
        .ok_or_else(not_this)?;
    let body = statements(with.child_by_field_name("body").ok_or_else(not_this)?);
    let [statement] = body.as_slice() else {
        return Err(not_this());
    };
    if with
        .child_by_field_name("body")
        .is_some_and(|b| named_children(b).len() != 1)
    {
        return Err("the with block holds comments".into());
    }
    let statement_text = text(*statement, source);
    if statement_text.contains('\n') {
        return Err(not_this());
    }
    let get = queue_call(*statement, method, positional, source).ok_or_else(not_this)?;
    let try_body = with
        .parent()
        .filter(|b| b.kind() == "block" && statements(*b).len() == 1)
        .ok_or_else(not_this)?;
    let try_statement = try_body
        .parent()
        .filter(|t| t.kind() == "try_statement")
        .ok_or_else(not_this)?;
    let handlers: Vec<Node> = named_children(try_statement)
        .into_iter()
        .filter(|c| c.kind() != "block" && c.kind() != "comment")
        .collect();
    let [handler] = handlers.as_slice() else {
        return Err(not_this());
    };
    if handler.kind() != "except_clause" {
        return Err(not_this());
    }
    let caught = handler.named_child(0).ok_or_else(not_this)?;
    let catches_this = file.uses.iter().any(|u| {
        u.kind == UseKind::Reference && u.api == Some(api) && u.range == caught.byte_range()
    });
    if !catches_this {
        return Err("the except clause does not catch exactly this Timeout".into());
    }
    // Checked once the block has the shape, so that the reason for any
    // other Timeout is that it is not this one.
    if numeric_literal(*seconds, source).is_none_or(|v| v < 0.0) {
        return Err("the timeout is not a literal of zero or more seconds".into());
    }
    let receiver = get
        .child_by_field_name("function")
        .and_then(|f| f.child_by_field_name("object"))
        .ok_or_else(not_this)?;
    check_eventlet_queue(receiver, source, file, catalogue)?;

    let arguments = get.child_by_field_name("arguments").ok_or_else(not_this)?;
    let start = statement.start_byte();
    let mut rewritten = statement_text.to_owned();
    let inner = &source[arguments.start_byte() + 1..arguments.end_byte() - 1];
    let separator = if positional == 0 { "" } else { ", " };
    rewritten.replace_range(
        arguments.start_byte() - start..arguments.end_byte() - start,
        &format!(
            "({}{separator}timeout={})",
            inner.trim(),
            text(*seconds, source)
        ),
    );
    Ok(BlockRewrite {
        except_type: caught.byte_range(),
        edits: vec![(with.byte_range(), rewritten)],
    })
}

/// Named children that are not comments.
fn statements(node: Node) -> Vec<Node> {
    named_children(node)
        .into_iter()
        .filter(|c| c.kind() != "comment")
        .collect()
}

/// `x.method(...)` with `positional` positional arguments and nothing else,
/// as the statement or as the right side of an assignment.
fn queue_call<'t>(
    statement: Node<'t>,
    method: &str,
    positional: usize,
    source: &str,
) -> Option<Node<'t>> {
    if statement.kind() != "expression_statement" || statement.named_child_count() != 1 {
        return None;
    }
    let expression = statement.named_child(0)?;
    let call = if expression.kind() == "assignment" {
        expression.child_by_field_name("right")?
    } else {
        expression
    };
    let function = call.child_by_field_name("function")?;
    let is_method = call.kind() == "call"
        && function.kind() == "attribute"
        && function
            .child_by_field_name("attribute")
            .is_some_and(|a| text(a, source) == method);
    let arguments_fit = call.child_by_field_name("arguments").is_some_and(|a| {
        let args = statements(a);
        a.kind() == "argument_list"
            && args.len() == positional
            && args.iter().all(|n| {
                !matches!(
                    n.kind(),
                    "keyword_argument" | "list_splat" | "dictionary_splat"
                )
            })
    });
    (is_method && arguments_fit).then_some(call)
}

/// The receiver is a name or attribute that is only ever given eventlet
/// queues: a name in its function (or, if the function never assigns it,
/// in the module), an attribute anywhere in the file.
fn check_eventlet_queue(
    receiver: Node,
    source: &str,
    file: &FileAnalysis,
    catalogue: &Catalogue,
) -> Result<(), String> {
    let is_queue_call = |rhs: Node| {
        rhs.kind() == "call"
            && rhs.child_by_field_name("function").is_some_and(|f| {
                file.uses.iter().any(|u| {
                    u.range == f.byte_range()
                        && u.api
                            .is_some_and(|a| QUEUES.contains(&catalogue.apis[a].name.as_str()))
                })
            })
    };
    let scopes = match receiver.kind() {
        "identifier" => vec![enclosing_scope(receiver), root_of(receiver)],
        "attribute" => vec![root_of(receiver)],
        _ => Vec::new(),
    };
    for scope in scopes {
        // (assignments to the receiver, how many give it an eventlet queue)
        let (mut assigned, mut queues) = (0, 0);
        for node in descendants(scope).filter(|n| n.kind() == "assignment") {
            let Some(left) = node.child_by_field_name("left") else {
                continue;
            };
            if !same_holder(receiver, left, source) {
                continue;
            }
            assigned += 1;
            queues += usize::from(node.child_by_field_name("right").is_some_and(is_queue_call));
        }
        if assigned > 0 {
            return if assigned == queues {
                Ok(())
            } else {
                Err("the receiver is also given something other than an eventlet queue".into())
            };
        }
    }
    Err("the receiver is not known to be an eventlet queue".into())
}

fn same_holder(receiver: Node, left: Node, source: &str) -> bool {
    match (receiver.kind(), left.kind()) {
        ("identifier", "identifier") => text(left, source) == text(receiver, source),
        ("attribute", "attribute") => {
            let attr = |n: Node| n.child_by_field_name("attribute").map(|a| text(a, source));
            attr(left) == attr(receiver)
        }
        _ => false,
    }
}

fn root_of(mut node: Node) -> Node {
    while let Some(p) = node.parent() {
        node = p;
    }
    node
}
