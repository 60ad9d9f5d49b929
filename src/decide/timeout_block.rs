//! Rewrites of whole blocks that a template cannot express (shape `block`):
//! eventlet's Timeout around one blocking call, caught right there, becomes
//! the call's own timeout.
//!
//! ```python
//! try:
//!     with eventlet.Timeout(5):
//!         item = jobs.get()
//! except eventlet.Timeout:
//!     item = None
//! ```
//!
//! `timeout-argument`: the call takes `timeout=` and raises on expiry; the
//! except clause catches what it raises (the transform's template):
//!
//! ```python
//! try:
//!     item = jobs.get(timeout=5)
//! except queue.Empty:
//!     item = None
//! ```
//!
//! `timeout-raise-if-false`: the call returns false on expiry
//! (`sem.acquire(timeout=5)`, `evt.wait(timeout=5)`). Where the handler
//! only does simple work that cannot tell it runs outside an except clause
//! (no `raise`, no traceback logged), the try statement becomes an `if`:
//!
//! ```python
//! if not slots.acquire(timeout=5):
//!     return False
//! ```
//!
//! Otherwise the rewrite raises TimeoutError in the call's place and the
//! except clause catches that.
//!
//! Which call, on which objects, is data (`blocking` in the transform). An
//! object whose own rewrite makes the call behave this way (a GreenThread
//! whose `wait()` becomes a Future's `result()`) names that transform as
//! `receiver_transform`: the block is rewritten only together with it.

use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::{FileAnalysis, Use, UseKind};
use crate::decide::follow::enclosing_scope;
use crate::edit::Edit;
use crate::python::nearby_comments::LOG_METHODS;
use crate::python::syntax::{
    descendants, field_name, named_children, numeric_literal, root_of, text,
};
use crate::source::line_of;
use crate::transform::strategy::{BlockRule, BlockStrategy, BlockingCall, RAISED};
use crate::transform::{ApiId, Catalogue, TransformId};

/// The rewrite of a block: the range to replace (with the transform's
/// `except` template, or, where the try statement becomes an `if`, with
/// nothing), the edits of the `with` block, and the uses whose rewrite
/// this one needs in the same run.
pub struct BlockRewrite {
    pub replaced: Range<usize>,
    pub keeps_except: bool,
    pub edits: Vec<Edit>,
    pub needs: Vec<Range<usize>>,
}

/// `try: with Timeout(seconds): <statement> except <caught>: <handler>`,
/// checked.
struct TimeoutBlock<'t> {
    seconds: Node<'t>,
    try_statement: Node<'t>,
    with: Node<'t>,
    statement: Node<'t>,
    caught: Node<'t>,
    handler: Node<'t>,
}

const NOT_A_BLOCK: &str = "not a Timeout around one blocking call caught right there";

/// Whether the Timeout has the block's shape around a call of the rule's
/// method: its refusal then says more than another block transform's.
pub fn names_method(
    rule: &BlockRule,
    timeout: Node,
    api: ApiId,
    source: &str,
    file: &FileAnalysis,
) -> bool {
    TimeoutBlock::find(timeout, api, source, file).is_ok_and(|block| {
        statement_call(block.statement, source).is_some_and(|(_, m)| m == rule.call.method)
    })
}

/// The rewrite of the block around `timeout`; `rewritten_by` tells which
/// transform rewrites another use in this run.
pub fn rewrite(
    rule: &BlockRule,
    timeout: Node,
    api: ApiId,
    source: &str,
    file: &FileAnalysis,
    catalogue: &Catalogue,
    rewritten_by: &dyn Fn(&Use) -> Option<TransformId>,
) -> Result<BlockRewrite, String> {
    let block = TimeoutBlock::find(timeout, api, source, file)?;
    let BlockingCall {
        method, positional, ..
    } = &rule.call;
    match statement_call(block.statement, source) {
        None => return Err("the Timeout's block is not one method call".into()),
        Some((_, called)) if called != method => {
            return Err(format!(
                "the Timeout is around .{called}(), which no rewrite gives a timeout of its own"
            ));
        }
        Some(_) => {}
    }
    let call = blocking_call(block.statement, rule, source).ok_or_else(|| {
        let taking = match positional {
            0 => " without arguments".to_owned(),
            1 => " with one positional argument".to_owned(),
            n => format!(" with {n} positional arguments"),
        };
        let alone = match rule.strategy {
            BlockStrategy::TimeoutRaiseIfFalse => ", its value unused",
            BlockStrategy::TimeoutArgument => "",
        };
        format!("the Timeout is not around one .{method}() call{taking}{alone}")
    })?;
    // Checked once the block has the shape, so that the reason for any
    // other Timeout is that it is not this one.
    if numeric_literal(block.seconds, source).is_none_or(|v| v < 0.0) {
        return Err("the timeout is not a literal of zero or more seconds".into());
    }
    if rule.strategy == BlockStrategy::TimeoutRaiseIfFalse && file.bindings.times_bound(RAISED) > 0
    {
        return Err(format!("the file binds its own '{RAISED}'"));
    }
    let receiver = call
        .child_by_field_name("function")
        .and_then(|f| f.child_by_field_name("object"))
        .ok_or(NOT_A_BLOCK)?;
    let made = made_by(receiver, &rule.call.receivers, source, file, catalogue)?;
    let mut needs = Vec::new();
    if let Some(wanted) = &rule.call.receiver_transform {
        for u in made {
            let by = rewritten_by(u).map(|t| catalogue.transforms[t].id.as_str());
            if by != Some(wanted.as_str()) {
                return Err(format!(
                    "the object made at line {} is not rewritten by {wanted} in this run, and \
                     only that gives .{method}() its timeout",
                    line_of(source, u.range.start)
                ));
            }
            needs.push(u.range.clone());
        }
    }
    if rule.strategy == BlockStrategy::TimeoutRaiseIfFalse
        && let Some((replaced, edits)) = if_edits(&block, call, rule, source)
    {
        return Ok(BlockRewrite {
            replaced,
            keeps_except: false,
            edits,
            needs,
        });
    }
    Ok(BlockRewrite {
        replaced: block.caught.byte_range(),
        keeps_except: true,
        edits: block_edits(&block, call, rule, source)?,
        needs,
    })
}

impl<'t> TimeoutBlock<'t> {
    fn find(
        timeout: Node<'t>,
        api: ApiId,
        source: &str,
        file: &FileAnalysis,
    ) -> Result<Self, String> {
        let call = timeout
            .parent()
            .filter(|c| c.kind() == "call" && field_name(*c, timeout) == Some("function"))
            .ok_or(NOT_A_BLOCK)?;
        let item = call
            .parent()
            .filter(|i| i.kind() == "with_item")
            .ok_or(NOT_A_BLOCK)?;
        let with = item
            .parent()
            .filter(|c| named_children(*c).len() == 1)
            .and_then(|clause| clause.parent())
            .filter(|w| w.kind() == "with_statement")
            .ok_or("the with statement holds more than the Timeout")?;
        let args = statements(call.child_by_field_name("arguments").ok_or(NOT_A_BLOCK)?);
        let seconds = match args.as_slice() {
            [seconds] => seconds,
            [_, second, ..] if second.kind() == "false" => {
                return Err(
                    "the Timeout is given False: it leaves the block quietly, which \
                            a call's own timeout does not"
                        .into(),
                );
            }
            [_, _, ..] => {
                return Err(
                    "the Timeout raises the exception passed after its seconds, \
                            which a call's own timeout does not"
                        .into(),
                );
            }
            [] => return Err("the Timeout is given no seconds".into()),
        };
        let body = with.child_by_field_name("body").ok_or(NOT_A_BLOCK)?;
        let body_statements = statements(body);
        let [statement] = body_statements.as_slice() else {
            return Err("the Timeout's block holds more than one statement".into());
        };
        if named_children(body).len() != 1 {
            return Err("the with block holds comments".into());
        }
        if text(*statement, source).contains('\n') || statement.end_byte() != with.end_byte() {
            return Err("the statement in the Timeout's block spans lines".into());
        }
        let try_statement = with
            .parent()
            .filter(|b| b.kind() == "block" && statements(*b).len() == 1)
            .and_then(|b| b.parent())
            .filter(|t| t.kind() == "try_statement")
            .ok_or("the Timeout is not alone in a try statement that catches it")?;
        let handlers: Vec<Node> = named_children(try_statement)
            .into_iter()
            .filter(|c| c.kind() != "block" && c.kind() != "comment")
            .collect();
        let [handler] = handlers.as_slice() else {
            return Err("the try statement has more than one except clause".into());
        };
        if handler.kind() != "except_clause" {
            return Err("the try statement has no except clause".into());
        }
        let caught = handler.named_child(0).ok_or(NOT_A_BLOCK)?;
        let catches_this = file.uses.iter().any(|u| {
            u.kind == UseKind::Reference && u.api == Some(api) && u.range == caught.byte_range()
        });
        if !catches_this {
            return Err("the except clause does not catch exactly this Timeout".into());
        }
        Ok(TimeoutBlock {
            seconds: *seconds,
            try_statement,
            with,
            statement: *statement,
            caught,
            handler: *handler,
        })
    }
}

/// The with statement's lines become the statement alone, at the with's
/// indentation, with the timeout passed to the call (and, for a call that
/// returns false on expiry, the raise in its place). The call's own text
/// is not copied, so another rewrite may rename its method.
fn block_edits(
    block: &TimeoutBlock,
    call: Node,
    rule: &BlockRule,
    source: &str,
) -> Result<Vec<Edit>, String> {
    let mut opening = String::new();
    let mut then = String::new();
    if rule.strategy == BlockStrategy::TimeoutRaiseIfFalse {
        let statement = block.statement.start_byte();
        let line = crate::source::line_start(source, statement);
        let indent = &source[line..statement];
        opening.push_str("if not ");
        then = format!(":{}{indent}raise {RAISED}", newline_before(source, line));
    }
    Ok(vec![
        Edit::replace(
            block.with.start_byte()..block.statement.start_byte(),
            opening,
        ),
        timeout_passed(block, call, rule, source, &then)?,
    ])
}

/// The edit that passes the block's seconds to the call as `timeout=`,
/// followed by `then`.
fn timeout_passed(
    block: &TimeoutBlock,
    call: Node,
    rule: &BlockRule,
    source: &str,
    then: &str,
) -> Result<Edit, String> {
    let arguments = call.child_by_field_name("arguments").ok_or(NOT_A_BLOCK)?;
    let close = arguments.end_byte() - 1;
    let after_last = named_children(arguments)
        .last()
        .map_or(arguments.start_byte() + 1, |a| a.end_byte());
    if !source[after_last..close].trim().is_empty() {
        return Err("the call's arguments end with a comma".into());
    }
    let seconds = text(block.seconds, source);
    let separator = if rule.call.positional == 0 { "" } else { ", " };
    Ok(Edit::replace(
        close..arguments.end_byte(),
        format!("{separator}timeout={seconds}){then}"),
    ))
}

/// The line ending that ends the line before the one starting at `line`.
fn newline_before(source: &str, line: usize) -> &'static str {
    if source[..line].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Where the handler cannot tell whether it runs in an except clause, the
/// try statement as an `if` of the call, with the handler as its body:
/// the range from the call's end to the handler's body (the except line),
/// to delete, and the edits that open the `if` and pass the timeout.
/// Else none, and the except clause stays.
fn if_edits(
    block: &TimeoutBlock,
    call: Node,
    rule: &BlockRule,
    source: &str,
) -> Option<(Range<usize>, Vec<Edit>)> {
    let body = block.handler.child_by_field_name("body").or_else(|| {
        named_children(block.handler)
            .into_iter()
            .find(|c| c.kind() == "block")
    })?;
    let first = statements(body).into_iter().next()?;
    if !handler_is_plain(body, source) {
        return None;
    }
    let body_line = crate::source::line_start(source, first.start_byte());
    let newline = newline_before(source, body_line).len();
    // The handler's body starts on a line of its own, and the lines that
    // go (`try:`, the with, the except clause) hold no comment.
    let deleted = block.statement.end_byte()..body_line.checked_sub(newline)?;
    if deleted.start > deleted.end || source[block.handler.start_byte()..deleted.end].contains('\n')
    {
        return None;
    }
    let opened = block.try_statement.start_byte()..block.statement.start_byte();
    let commented = |range: &Range<usize>| {
        descendants(block.try_statement)
            .any(|n| n.kind() == "comment" && range.contains(&n.start_byte()))
    };
    if commented(&opened) || commented(&deleted) {
        return None;
    }
    let timeout = timeout_passed(block, call, rule, source, ":").ok()?;
    Some((
        deleted,
        vec![Edit::replace(opened, "if not ".to_owned()), timeout],
    ))
}

/// Whether a handler's body does only what runs the same outside an except
/// clause: no `raise` (a bare one re-raises the handled exception, a new
/// one chains it), and no call but `print()` and a logger's message
/// methods without `exc_info` (`LOG.exception`, `traceback.print_exc()`,
/// oslo's `save_and_reraise_exception()`, or a helper that calls them,
/// read the exception being handled).
fn handler_is_plain(body: Node, source: &str) -> bool {
    const LOGGERS: &[&str] = &["LOG", "log", "logger", "LOGGER", "logging"];
    // `LOG.exception()` prints the traceback, which tells the exceptions
    // apart.
    let message = |method: &str| LOG_METHODS.contains(&method) && method != "exception";
    descendants(body).all(|n| match n.kind() {
        "raise_statement" | "function_definition" | "class_definition" | "lambda" => false,
        "keyword_argument" => n
            .child_by_field_name("name")
            .is_none_or(|k| text(k, source) != "exc_info"),
        "call" => match n.child_by_field_name("function") {
            Some(f) if f.kind() == "identifier" => text(f, source) == "print",
            Some(f) if f.kind() == "attribute" => {
                let object = f.child_by_field_name("object");
                let method = f.child_by_field_name("attribute");
                object
                    .is_some_and(|o| o.kind() == "identifier" && LOGGERS.contains(&text(o, source)))
                    && method.is_some_and(|m| message(text(m, source)))
            }
            _ => false,
        },
        _ => true,
    })
}

/// Named children that are not comments.
fn statements(node: Node) -> Vec<Node> {
    named_children(node)
        .into_iter()
        .filter(|c| c.kind() != "comment")
        .collect()
}

/// The call the statement makes, as the statement or as the right side
/// of an assignment, and the name of the method it calls.
fn statement_call<'t>(statement: Node<'t>, source: &'t str) -> Option<(Node<'t>, &'t str)> {
    if statement.kind() != "expression_statement" || statement.named_child_count() != 1 {
        return None;
    }
    let expression = statement.named_child(0)?;
    let call = match expression.kind() {
        "assignment" => expression.child_by_field_name("right")?,
        _ => expression,
    };
    let function = call.child_by_field_name("function")?;
    let method = function
        .child_by_field_name("attribute")
        .filter(|_| call.kind() == "call" && function.kind() == "attribute")?;
    Some((call, text(method, source)))
}

/// The statement's call of the rule's method with its positional
/// arguments and nothing else (for a call that returns false on expiry,
/// as the whole statement).
fn blocking_call<'t>(statement: Node<'t>, rule: &BlockRule, source: &'t str) -> Option<Node<'t>> {
    let (call, method) = statement_call(statement, source)?;
    let alone = rule.strategy == BlockStrategy::TimeoutArgument
        || statement.named_child(0).is_some_and(|e| e == call);
    let arguments_fit = call.child_by_field_name("arguments").is_some_and(|a| {
        let args = statements(a);
        a.kind() == "argument_list"
            && args.len() == rule.call.positional
            && args.iter().all(|n| {
                !matches!(
                    n.kind(),
                    "keyword_argument" | "list_splat" | "dictionary_splat"
                )
            })
    });
    (method == rule.call.method && alone && arguments_fit).then_some(call)
}

/// The uses that make the receiver, a name or attribute that is only ever
/// given objects of `receivers`: a name in its function (or, if the
/// function never assigns it, in the module), an attribute anywhere in the
/// file.
fn made_by<'f>(
    receiver: Node,
    receivers: &[String],
    source: &str,
    file: &'f FileAnalysis,
    catalogue: &Catalogue,
) -> Result<Vec<&'f Use>, String> {
    let scopes = match receiver.kind() {
        "identifier" => vec![enclosing_scope(receiver), root_of(receiver)],
        "attribute" => vec![root_of(receiver)],
        _ => Vec::new(),
    };
    let what = receivers.join(", ");
    for scope in scopes {
        let (mut assigned, mut made) = (0, Vec::new());
        for node in descendants(scope).filter(|n| n.kind() == "assignment") {
            let Some(left) = node.child_by_field_name("left") else {
                continue;
            };
            if !same_holder(receiver, left, source) {
                continue;
            }
            assigned += 1;
            let maker = node
                .child_by_field_name("right")
                .filter(|r| r.kind() == "call")
                .and_then(|r| r.child_by_field_name("function"))
                .and_then(|f| maker_use(f, receivers, source, file, catalogue));
            made.extend(maker);
        }
        if assigned > 0 {
            return if assigned == made.len() {
                Ok(made)
            } else {
                Err(format!(
                    "the receiver is also given something other than an object of {what}"
                ))
            };
        }
    }
    Err(format!(
        "the receiver is not known to be an object of {what}"
    ))
}

/// The use that names the called function, when its dotted name is one
/// of `receivers`: the use itself (`queue.Queue`), or a member of it
/// (`subprocess.Popen` with the green subprocess module).
fn maker_use<'f>(
    function: Node,
    receivers: &[String],
    source: &str,
    file: &'f FileAnalysis,
    catalogue: &Catalogue,
) -> Option<&'f Use> {
    let dotted = |u: &Use, member: Option<&str>| {
        let api = &catalogue.apis[u.api?].name;
        let parts = std::iter::once(api.as_str())
            .chain(u.suffix.iter().map(String::as_str))
            .chain(member);
        Some(parts.collect::<Vec<_>>().join("."))
    };
    file.uses
        .iter()
        .filter(|u| u.kind == UseKind::Reference)
        .find(|u| {
            let name = if u.range == function.byte_range() {
                dotted(u, None)
            } else {
                function
                    .child_by_field_name("object")
                    .filter(|o| o.byte_range() == u.range)
                    .and_then(|_| function.child_by_field_name("attribute"))
                    .and_then(|a| dotted(u, Some(text(a, source))))
            };
            name.is_some_and(|n| receivers.contains(&n))
        })
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
