//! Continuation lines aligned with an opening bracket, kept aligned when a
//! rewrite moves the bracket:
//!
//! ```text
//! thr = eventlet.spawn(cache, 'fname',      thr = _spawn_future(cache, 'fname',
//!                      signal=sig)     ->                       signal=sig)
//! ```
//!
//! pycodestyle (E127/E128), and so every OpenStack pep8 job, wants the
//! second form. A copied argument's continuation lines that were at or
//! beyond the argument's own column move by as much as the argument moved;
//! lines inside a string, lines indented less (a hanging indent) and text
//! indented with tabs stay as they are.
//!
//! The same holds for a bracket that opens after an edit on its line (a
//! renamed reference or member before it: `HTTPConnection.putrequest(a,` ->
//! `http.client.HTTPConnection.putrequest(a,`): its aligned lines follow.
//!
//! For the same checks (E501), a one-line replacement that would make its
//! line longer than 79 columns where it was not is broken after the
//! bracket of the call it makes, the arguments on the next line with a
//! hanging indent, when they then fit:
//!
//! ```text
//!         _thread.start_new_thread(
//!             functools.partial(self._wait_flashcopy, src, dst), ())
//! ```
//!
//! Text added after a call that even so leaves its line too long moves the
//! call's arguments to a line of their own instead ([`break_call_before`]).

use std::ops::Range;

use tree_sitter::Node;

use crate::edit::{Cover, Edit};
use crate::python::parse::parse;
use crate::python::syntax::named_children;
use crate::source::{line_end, line_start};

/// The longest line pycodestyle allows by default (E501), which OpenStack
/// projects keep.
pub const MAX_LINE: usize = 79;

/// `rendered`, which replaces source text starting at `start`, with the
/// continuation lines of each copied argument realigned. `placed` gives,
/// for each argument, where its text begins in `rendered` and the source
/// range it was copied from.
pub fn realign(
    rendered: String,
    placed: &[(usize, Range<usize>)],
    start: usize,
    source: &str,
    root: Node,
) -> String {
    let mut out = rendered;
    // From the last argument back, so earlier offsets stay valid.
    let mut placed: Vec<&(usize, Range<usize>)> = placed.iter().collect();
    placed.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    for (at, copied) in placed {
        let text = &source[copied.clone()];
        if !text.contains('\n') {
            continue;
        }
        let Some(old_column) = column(source, copied.start) else {
            continue;
        };
        let new_column = match out[..*at].rfind('\n') {
            Some(newline) => out[newline + 1..*at].chars().count(),
            None => match column(source, start) {
                Some(c) => c + out[..*at].chars().count(),
                None => continue,
            },
        };
        if new_column == old_column {
            continue;
        }
        let moved = shift_lines(text, old_column, new_column, |at| {
            in_string(root, copied.start + at)
        });
        out.replace_range(*at..*at + text.len(), &moved);
    }
    out
}

/// A call whose argument starts on the line after its bracket (a hanging
/// indent), rewritten around that one copied argument, keeps the form: the
/// bracket that holds the argument in `rendered` ends its line, the
/// template's arguments before it (`0` of `max(0, {seconds})`) and the
/// argument each take a line at the old indent, and the closing brackets
/// go where the old one was:
///
/// ```text
/// eventlet.sleep(               time.sleep(max(
///     fixed +              ->       0,
///     jitter                        fixed +
/// )                                 jitter
///                               ))
/// ```
///
/// The argument's own lines then stay where they were. `None` when the
/// call is not in that form, or the template has text after the argument
/// other than closing brackets.
pub fn keep_hanging(
    rendered: &str,
    copied: &[(usize, Range<usize>)],
    range: &Range<usize>,
    source: &str,
    root: Node,
    newline: &str,
) -> Option<String> {
    let [(at, argument)] = copied else {
        return None;
    };
    let call = root
        .descendant_for_byte_range(range.start, range.end)
        .filter(|n| n.kind() == "call" && n.byte_range() == *range)?;
    let arguments = call.child_by_field_name("arguments")?;
    // The call passes the argument alone, on the line after its bracket.
    let [only] = named_children(arguments)[..] else {
        return None;
    };
    if only.byte_range() != *argument || only.start_position().row == arguments.start_position().row
    {
        return None;
    }
    let hang = &source[line_start(source, argument.start)..argument.start];
    if !hang.trim().is_empty() || hang.contains('\t') {
        return None;
    }
    // Its closing bracket on a line of its own, or right after it.
    let closing = arguments.end_byte() - 1;
    let close = match arguments.end_position().row > only.end_position().row {
        true => Some(&source[line_start(source, closing)..closing]),
        false => None,
    };
    if close.is_some_and(|c| !c.trim().is_empty()) {
        return None;
    }
    // In the new text, the argument is the last item of a bracket opened on
    // the first line, followed only by closing brackets.
    let text = &source[argument.clone()];
    let tree = parse(rendered);
    if tree.root_node().has_error() {
        return None;
    }
    let mut placed = tree
        .root_node()
        .descendant_for_byte_range(*at, at + text.len())?;
    while let Some(parent) = placed
        .parent()
        .filter(|p| p.byte_range() == placed.byte_range())
    {
        placed = parent;
    }
    let list = placed.parent().filter(|l| l.kind() == "argument_list")?;
    let items = named_children(list);
    let (last, before) = items.split_last()?;
    let tail = &rendered[list.end_byte() - 1..];
    if *last != placed
        || placed.byte_range() != (*at..at + text.len())
        || rendered[..list.start_byte()].contains('\n')
        || !tail.chars().all(|c| c == ')')
    {
        return None;
    }
    let mut out = format!("{}{newline}", &rendered[..=list.start_byte()]);
    for item in before {
        out.push_str(&format!("{hang}{},{newline}", &rendered[item.byte_range()]));
    }
    out.push_str(&format!("{hang}{text}"));
    match close {
        Some(close) => out.push_str(&format!("{newline}{close}{tail}")),
        None => out.push_str(tail),
    }
    let first = &source[line_start(source, range.start)..range.start];
    (!too_long(width(first), &out, "")).then_some(out)
}

/// Edits of the indentation of continuation lines aligned with a bracket
/// that opens after `edits` on the same line, where those edits change the
/// line's length before the bracket.
pub fn follow_moved_brackets(root: Node, source: &str, edits: &[Edit]) -> Vec<Edit> {
    let width = |s: &str| s.chars().count() as isize;
    // Line start -> (end of an edit on it, how much longer it makes the line).
    let mut moved: std::collections::BTreeMap<usize, Vec<(usize, isize)>> = Default::default();
    for edit in edits {
        let old = &source[edit.range.clone()];
        let delta = width(&edit.text) - width(old);
        // A line indented into a block moves with the lines that go on its
        // statement, which are indented the same.
        if indents_line(source, edit) {
            continue;
        }
        if delta != 0 && !old.contains('\n') && !edit.text.contains('\n') {
            moved
                .entry(line_start(source, edit.range.start))
                .or_default()
                .push((edit.range.end, delta));
        }
    }
    // Strictly inside: the edits' ranges without their first and last byte.
    let interiors = Cover::new(
        edits
            .iter()
            .filter(|e| e.range.len() >= 2)
            .map(|e| (e.range.start + 1..e.range.end - 1, ()))
            .collect(),
    );
    let inside_an_edit = |at: usize| interiors.containing(&(at..at)).is_some();
    let edit_starts: std::collections::HashSet<usize> = edits
        .iter()
        .filter(|e| !indents_line(source, e))
        .map(|e| e.range.start)
        .collect();
    let mut shifted: std::collections::HashSet<usize> = Default::default();
    let mut out = Vec::new();
    for (line, line_edits) in moved {
        let end = line_end(source, line);
        // Brackets opening a construct that goes on below, innermost first.
        let mut brackets: Vec<(usize, Node)> = source[line..end]
            .match_indices(['(', '[', '{'])
            .map(|(i, _)| line + i)
            .filter(|&at| !inside_an_edit(at) && !in_string(root, at))
            .filter_map(|at| {
                let container = root.descendant_for_byte_range(at, at + 1)?.parent()?;
                (container.start_byte() == at && container.end_byte() > end)
                    .then_some((at, container))
            })
            .collect();
        brackets.reverse();
        for (at, container) in brackets {
            let shift: isize = line_edits
                .iter()
                .filter(|(edit_end, _)| *edit_end <= at)
                .map(|(_, delta)| delta)
                .sum();
            let after = &source[at + 1..end];
            let first_token = after.len() - after.trim_start().len();
            if shift == 0 || after.trim().is_empty() || after.trim_start().starts_with('#') {
                continue;
            }
            let Some(column) = column(source, at + 1 + first_token) else {
                continue;
            };
            let mut next = end + 1;
            while next < container.end_byte() {
                let line_end = line_end(source, next);
                let free = !shifted.contains(&next)
                    && !inside_an_edit(next)
                    && !edit_starts.contains(&next);
                if let Some(indent) =
                    aligned_indent(&source[next..line_end], column, || in_string(root, next))
                    && free
                {
                    shifted.insert(next);
                    let new_indent = (indent as isize + shift).max(0) as usize;
                    out.push(Edit::replace(next..next + indent, " ".repeat(new_indent)));
                }
                next = line_end + 1;
            }
        }
    }
    out
}

/// Whether `edit` indents a whole line further (spaces inserted at its
/// start), as a with block's body is indented.
pub fn indents_line(source: &str, edit: &Edit) -> bool {
    edit.range.is_empty()
        && line_start(source, edit.range.start) == edit.range.start
        && !edit.text.is_empty()
        && edit.text.chars().all(|c| c == ' ')
}

/// `edits` with each statement that was broken onto two lines only because
/// it was too long, and that they shorten enough to fit on one, joined:
///
/// ```text
/// result = list(self.proc._iter_queue(eventlet.queue.LightQueue(),
///                                     False))
/// ->
/// result = list(self.proc._iter_queue(queue_mod.Queue(), False))
/// ```
///
/// The edits inside such a statement become one edit of the whole
/// statement. A statement over more lines is left as it is: its author
/// may have broken it for reading, not for length.
pub fn rejoin_shortened(root: Node, source: &str, edits: Vec<Edit>) -> Vec<Edit> {
    let mut statements: Vec<Node> = edits
        .iter()
        .filter_map(|e| two_line_statement(root, source, &e.range))
        .collect();
    statements.sort_by_key(|s| s.start_byte());
    statements.dedup_by_key(|s| s.start_byte());
    let mut joins = Vec::new();
    for statement in statements {
        let range = statement.byte_range();
        // An insertion at either end counts, as an edit over either does.
        let touches = |r: &Range<usize>| match r.is_empty() {
            true => (range.start..=range.end).contains(&r.start),
            false => r.start < range.end && range.start < r.end,
        };
        let touching: Vec<&Edit> = edits.iter().filter(|e| touches(&e.range)).collect();
        let all_inside_one_line = touching.iter().all(|e| {
            range.start <= e.range.start
                && e.range.end <= range.end
                && !e.text.contains(['\n', '\\'])
                && !source[e.range.clone()].contains('\n')
        });
        let old = &source[range.clone()];
        if !all_inside_one_line || !joinable(statement, old, source) {
            continue;
        }
        let within = touching.iter().map(|e| {
            let start = e.range.start - range.start;
            Edit::replace(start..start + e.range.len(), e.text.clone())
        });
        let Ok(new) = crate::edit::apply(old, within.collect()) else {
            continue;
        };
        let before = width(&source[line_start(source, range.start)..range.start]);
        let after = width(&source[range.end..line_end(source, range.end)]);
        let fits = |text: &str| before + width(&joined(text)) + after <= MAX_LINE;
        if !fits(old) && fits(&new) {
            joins.push((range, joined(&new)));
        }
    }
    if joins.is_empty() {
        return edits;
    }
    let joined_ranges = Cover::new(joins.iter().map(|(r, _)| (r.clone(), ())).collect());
    edits
        .into_iter()
        .filter(|e| joined_ranges.containing(&e.range).is_none())
        .chain(
            joins
                .into_iter()
                .map(|(range, text)| Edit::replace(range, text)),
        )
        .collect()
}

/// The simple statement holding `range` when it spans exactly two lines
/// and starts its line, indented with spaces, with at most a comment after
/// it.
fn two_line_statement<'t>(root: Node<'t>, source: &str, range: &Range<usize>) -> Option<Node<'t>> {
    let mut node = root.descendant_for_byte_range(range.start, range.end)?;
    while !matches!(node.kind(), "expression_statement" | "return_statement") {
        node = node.parent()?;
    }
    let in_block = matches!(node.parent()?.kind(), "block" | "module");
    let before = &source[line_start(source, node.start_byte())..node.start_byte()];
    let after = source[node.end_byte()..line_end(source, node.end_byte())].trim();
    let two_lines = node.end_position().row == node.start_position().row + 1;
    (in_block
        && two_lines
        && before.bytes().all(|b| b == b' ')
        && (after.is_empty() || after.starts_with('#')))
    .then_some(node)
}

/// How other edits of the same rewrite change the line of the text being
/// wrapped, in columns: before it (`widened`), and in its indentation
/// alone (`reindented`: a continuation line realigned under a renamed
/// call), from which a hanging indent counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shift {
    pub widened: isize,
    pub reindented: isize,
}

/// `rendered`, which replaces `range` of `source` on one line, wrapped
/// when the line would otherwise grow past [`MAX_LINE`] where it was not:
/// the arguments of its first call (whose bracket comes before
/// `first_argument`, in the template's own text) are filled onto lines
/// aligned with the bracket, as maintainers write it; when an argument
/// does not fit there, after the bracket with a hanging indent. Left as it
/// is when no form fits. `shift.widened` is how much other edits before it on the
/// same line change the line's width.
pub fn wrap_long_line(
    rendered: String,
    first_argument: Option<usize>,
    range: &Range<usize>,
    shift: Shift,
    source: &str,
    root: Node,
    newline: &str,
) -> String {
    let start = line_start(source, range.start);
    let end = line_end(source, range.end);
    let (before, after) = (&source[start..range.start], &source[range.end..end]);
    let before_width = width(before).saturating_add_signed(shift.widened);
    let old_indent = &before[..before.len() - before.trim_start().len()];
    let indent = " ".repeat(old_indent.len().saturating_add_signed(shift.reindented));
    // A statement that spanned lines is wrapped too, unless one of them
    // was already too long.
    let long_before = source[start..end].lines().any(|l| width(l) > MAX_LINE);
    if !too_long(before_width, &rendered, after)
        || long_before
        || old_indent.contains('\t')
        // Python before 3.12 allows no line break in an f-string's field.
        || in_string(root, range.start)
    {
        return rendered;
    }
    // Statements written one per line (a patch per module) are wrapped
    // one by one, each line at the indentation it starts with.
    if first_argument.is_none() && rendered.contains(newline) {
        let lines: Vec<&str> = rendered.split(newline).collect();
        let last = lines.len() - 1;
        let wrapped: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(n, line)| {
                let (width_before, line_after) = match (n, n == last) {
                    (0, true) => (before_width, after),
                    (0, false) => (before_width, ""),
                    (_, true) => (0, after),
                    _ => (0, ""),
                };
                let line_indent = &line[..line.len() - line.trim_start().len()];
                let indent = if n == 0 { indent.as_str() } else { line_indent };
                wrap_text(line, None, width_before, indent, line_after, newline)
            })
            .collect();
        return wrapped.join(newline);
    }
    wrap_text(
        &rendered,
        first_argument,
        before_width,
        &indent,
        after,
        newline,
    )
}

/// `rendered`, whose first line starts `before_width` columns in and is
/// followed by `after`, with its first call's arguments filled onto lines
/// aligned with the bracket, or after it with a hanging indent from
/// `indent`, when that makes every line fit; else as it is.
fn wrap_text(
    rendered: &str,
    first_argument: Option<usize>,
    before_width: usize,
    indent: &str,
    after: &str,
    newline: &str,
) -> String {
    let rendered = rendered.to_owned();
    if !too_long(before_width, &rendered, after) {
        return rendered;
    }
    let limit = first_argument.unwrap_or(rendered.len());
    let Some(bracket) = rendered[..limit].find('(') else {
        return rendered;
    };
    let (head, tail) = rendered.split_at(bracket + 1);
    if tail.starts_with(')') {
        return rendered;
    }
    let hanging = format!("{indent}    ");
    // Text that is not a whole expression (`.add_done_callback(f)`, added
    // after a call) keeps its arguments together.
    let arguments = match top_level_arguments(&rendered, bracket, before_width) {
        Some(arguments) => arguments,
        None if !rendered.contains('\n') => vec![Argument::one_line(tail)],
        None => return rendered,
    };
    if head.contains('\n') {
        return rendered;
    }
    let visual = " ".repeat(before_width + width(head));
    let aligned = fill(&arguments, head, &visual, visual.len(), after, newline);
    aligned
        .or_else(|| {
            let lines = fill(&arguments, "", &hanging, hanging.len(), after, newline)?;
            Some(format!("{head}{newline}{hanging}{lines}"))
        })
        .unwrap_or(rendered)
}

/// Text `added` right after the call `call` (`.add_done_callback(f)` after
/// `pool.submit(f, x)`) whose line stays too long even broken after the
/// added text's own bracket: the call's arguments go on a line of their
/// own, with a hanging indent, and its closing bracket starts the next
/// line, followed by the added text:
///
/// ```text
///         pool.submit(
///             self.driver.sync_power_state, node
///         ).add_done_callback(_print_exception)
/// ```
///
/// Returns the range to replace (the call's arguments) and its text, or
/// `None` when a line would still be too long (arguments that span lines
/// are joined onto one, where that cannot change them).
/// `widened` is how much other edits before the arguments on the line
/// change its width.
pub fn break_call_before(
    call: Node,
    added: &str,
    widened: isize,
    source: &str,
    newline: &str,
) -> Option<(Range<usize>, String)> {
    let arguments = call.child_by_field_name("arguments")?;
    let range = arguments.byte_range();
    let inner = source.get(range.start + 1..range.end - 1)?.trim();
    if inner.is_empty() || call.end_byte() != range.end {
        return None;
    }
    let inner = one_line(arguments, inner, source)?;
    let start = line_start(source, range.start);
    let before = &source[start..range.start];
    let indent = &before[..before.len() - before.trim_start().len()];
    if indent.contains('\t') {
        return None;
    }
    let after = &source[range.end..line_end(source, range.end)];
    let hanging = format!("{indent}    ");
    let fits = width(before).saturating_add_signed(widened) < MAX_LINE
        && width(&hanging) + width(&inner) <= MAX_LINE
        && width(indent) + 1 + width(added) + width(after) <= MAX_LINE;
    fits.then(|| {
        (
            range,
            format!("({newline}{hanging}{inner}{newline}{indent}){added}"),
        )
    })
}

/// The text of arguments that span lines, on one line (see [`joined`]).
/// `None` when that could change them.
fn one_line(arguments: Node, inner: &str, source: &str) -> Option<String> {
    if !inner.contains('\n') {
        return Some(inner.to_owned());
    }
    joinable(arguments, inner, source).then(|| joined(inner))
}

/// Whether the lines of `text`, the text of `node`, can be joined without
/// changing it or making it read worse: no comment, no string that spans
/// lines, no backslash, no break between the parts of a concatenated
/// string (`'a ' 'b'` on one line reads as a mistake), no break beside a
/// `.` or an `=` (`key=` joined as `key= value` would be E251).
fn joinable(node: Node, text: &str, source: &str) -> bool {
    let spans_lines = |n: Node| source[n.byte_range()].contains('\n');
    let unsafe_to_join = text.contains('\\')
        || crate::python::syntax::descendants(node).any(|n| match n.kind() {
            "comment" => true,
            "string" | "concatenated_string" => spans_lines(n),
            _ => false,
        });
    let pieces: Vec<&str> = text.lines().map(str::trim).collect();
    let awkward_break = pieces
        .windows(2)
        .any(|pair| pair[0].ends_with(['.', '=']) || pair[1].starts_with(['.', '=']));
    !unsafe_to_join && !awkward_break
}

/// `text` on one line: each line break and the indentation after it
/// become one space, or none next to a bracket.
fn joined(text: &str) -> String {
    let mut joined = String::new();
    for piece in text.lines().map(str::trim) {
        let tight = joined.ends_with(['(', '[', '{']) || piece.starts_with([')', ']', '}']);
        if !joined.is_empty() && !tight {
            joined.push(' ');
        }
        joined.push_str(piece);
    }
    joined
}

/// One argument of the call being filled, with the separator after it.
struct Argument {
    text: String,
    /// The column it starts at as rendered: its continuation lines are
    /// aligned relative to it.
    column: usize,
    /// Its lines can move with it: every continuation line is aligned at
    /// or beyond its column, and none is inside a string.
    movable: bool,
}

impl Argument {
    fn one_line(text: &str) -> Argument {
        Argument {
            text: text.to_owned(),
            column: 0,
            movable: true,
        }
    }

    /// Its text when it starts at `column`: its continuation lines move by
    /// as much as it does. `None` when they cannot.
    fn placed_at(&self, column: usize) -> Option<String> {
        if !self.text.contains('\n') || column == self.column {
            return Some(self.text.clone());
        }
        // Movable: no line is inside a string.
        self.movable
            .then(|| shift_lines(&self.text, self.column, column, |_| false))
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Whether `text`, with `before_width` columns before its first line and
/// `after` following its last, has a line longer than [`MAX_LINE`].
fn too_long(before_width: usize, text: &str, after: &str) -> bool {
    let lines: Vec<&str> = text.split('\n').collect();
    lines.iter().enumerate().any(|(n, line)| {
        let before = if n == 0 { before_width } else { 0 };
        let after = if n + 1 == lines.len() {
            width(after)
        } else {
            0
        };
        before + width(line.trim_end_matches('\r')) + after > MAX_LINE
    })
}

/// The arguments of the call whose `(` is at `bracket` in `rendered`, each
/// with the separator after it (`", "`; for the last, the `)` and the rest
/// of `rendered`), read from a parse of `rendered`, whose first line
/// starts at column `first_column`.
fn top_level_arguments(
    rendered: &str,
    bracket: usize,
    first_column: usize,
) -> Option<Vec<Argument>> {
    let tree = parse(rendered);
    let list = tree
        .root_node()
        .descendant_for_byte_range(bracket, bracket + 1)?
        .parent()
        .filter(|n| n.kind() == "argument_list" && n.start_byte() == bracket)?;
    let items: Vec<Node> = named_children(list);
    // A comment ends its line: the arguments could not be refilled.
    if items.iter().any(|n| n.kind() == "comment") {
        return None;
    }
    let last = items.last()?;
    let column = |at: usize| match rendered[..at].rfind('\n') {
        Some(newline) => width(&rendered[newline + 1..at]),
        None => first_column + width(&rendered[..at]),
    };
    let argument = |node: &Node, text: String| {
        let column = column(node.start_byte());
        let movable = !spans_lines_in_string(*node)
            && text.lines().skip(1).all(|line| {
                let indent = line.len() - line.trim_start_matches(' ').len();
                indent >= column && !line[indent..].starts_with('\t')
            });
        Argument {
            text,
            column,
            movable,
        }
    };
    let mut out = Vec::new();
    for pair in items.windows(2) {
        let text = rendered[pair[0].start_byte()..pair[1].start_byte()].trim_end();
        // A separator that spans lines (`x\n    , y`) is not refilled.
        if text.lines().count() != pair[0].end_position().row - pair[0].start_position().row + 1 {
            return None;
        }
        out.push(argument(&pair[0], text.to_owned()));
    }
    // The last argument takes the text after it: `)`, `.start()`.
    let rest = rendered[last.end_byte()..].trim_start_matches([',', ' ']);
    if rest.contains('\n') {
        return None;
    }
    out.push(argument(
        last,
        format!("{}{rest}", &rendered[last.start_byte()..last.end_byte()]),
    ));
    (!tree.root_node().has_error()).then_some(out)
}

/// Whether a string inside `node` spans lines (its continuation lines
/// cannot move).
fn spans_lines_in_string(node: Node) -> bool {
    if node.kind() == "string" {
        return node.start_position().row != node.end_position().row;
    }
    named_children(node).into_iter().any(spans_lines_in_string)
}

/// `arguments` (each ending with its separator) filled onto lines of at
/// most [`MAX_LINE`]: the first after `head`, the next ones after
/// `indent`; `after` is what follows on the last line.
fn fill(
    arguments: &[Argument],
    head: &str,
    indent: &str,
    first_column: usize,
    after: &str,
    newline: &str,
) -> Option<String> {
    let mut out = head.to_owned();
    let mut column = first_column;
    // An argument that spans lines has lines of its own.
    let spans = |n: usize| {
        arguments
            .get(n)
            .is_some_and(|a: &Argument| a.text.contains('\n'))
    };
    for (n, argument) in arguments.iter().enumerate() {
        let tail = if n + 1 == arguments.len() {
            width(after)
        } else {
            0
        };
        let starts_line = n == 0;
        let first_line = argument.text.split('\n').next().unwrap_or_default();
        let needed = width(first_line) + tail + usize::from(!starts_line);
        let own_line = n > 0 && (spans(n) || spans(n - 1));
        if !starts_line && (own_line || column + needed > MAX_LINE) {
            out.push_str(newline);
            out.push_str(indent);
            column = width(indent);
        } else if !starts_line {
            out.push(' ');
            column += 1;
        }
        let mut text = argument.placed_at(column)?;
        // One too long for a line of its own breaks inside its tuple or
        // list (`args=(a,\n      b)`).
        if !text.contains('\n') && column + width(&text) + tail > MAX_LINE {
            text = break_sequence(&text, column, newline).unwrap_or(text);
        }
        let lines: Vec<&str> = text.split('\n').collect();
        if lines.len() > 1 {
            if too_long(column, &text, "") {
                return None;
            }
            column = 0;
        }
        out.push_str(&text);
        column += width(lines.last().unwrap_or(&"").trim_end_matches('\r'));
        if column + tail > MAX_LINE {
            return None;
        }
    }
    Some(out)
}

/// `argument` (one line, with the separator after it, starting at
/// `column`), a tuple or list or a keyword given one, with its elements
/// filled onto lines aligned after its opening bracket; `None` when it is
/// no such argument, has fewer than two elements, or a line stays too long.
fn break_sequence(argument: &str, column: usize, newline: &str) -> Option<String> {
    const CALL: &str = "_(";
    let expression = argument.trim_end_matches([',', ' ']);
    let wrapped = format!("{CALL}{expression})");
    let tree = parse(&wrapped);
    let call = tree.root_node().named_child(0)?.named_child(0)?;
    let first = named_children(call.child_by_field_name("arguments")?)
        .into_iter()
        .next()?;
    let sequence = match first.kind() {
        "keyword_argument" => first.child_by_field_name("value")?,
        _ => first,
    };
    if !matches!(sequence.kind(), "tuple" | "list") || tree.root_node().has_error() {
        return None;
    }
    let elements: Vec<Node> = named_children(sequence);
    if elements.len() < 2 || elements.iter().any(|e| e.kind() == "comment") {
        return None;
    }
    let at = |byte: usize| byte - CALL.len();
    let open = at(sequence.start_byte()) + 1;
    let head = &argument[..open];
    let indent = " ".repeat(column + width(head));
    let rest = &argument[at(sequence.end_byte()) - 1..];
    let texts: Vec<&str> = elements
        .iter()
        .map(|e| &argument[at(e.start_byte())..at(e.end_byte())])
        .collect();
    let mut out = head.to_owned();
    let mut line = column + width(head);
    for (n, element) in texts.iter().enumerate() {
        let separator = if n + 1 == texts.len() { rest } else { "," };
        let needed = width(element) + width(separator);
        if n > 0 {
            if line + 1 + needed > MAX_LINE {
                out.push_str(newline);
                out.push_str(&indent);
                line = indent.len();
            } else {
                out.push(' ');
                line += 1;
            }
        }
        out.push_str(element);
        out.push_str(separator);
        line += needed;
        if line > MAX_LINE {
            return None;
        }
    }
    Some(out)
}

/// The column of `at` in its line, in characters; none after a tab.
fn column(source: &str, at: usize) -> Option<usize> {
    let prefix = &source[line_start(source, at)..at];
    (!prefix.contains('\t')).then(|| prefix.chars().count())
}

/// `text` with the lines after its first indented at least `old`
/// re-indented from `old` to `new`, except those `in_string` (given a
/// line's offset in `text`) says are inside a string.
fn shift_lines(text: &str, old: usize, new: usize, in_string: impl Fn(usize) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split_inclusive('\n');
    out.push_str(lines.next().unwrap_or_default());
    let mut at = out.len();
    for line in lines {
        match aligned_indent(line, old, || in_string(at)) {
            Some(indent) => {
                out.push_str(&" ".repeat(indent - old + new));
                out.push_str(&line[indent..]);
            }
            None => out.push_str(line),
        }
        at += line.len();
    }
    out
}

/// The indentation of `line` when it is a continuation line aligned at or
/// beyond `column`: spaces only, not blank, not inside a string.
fn aligned_indent(line: &str, column: usize, in_string: impl FnOnce() -> bool) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    (indent >= column && !rest.starts_with('\t') && !rest.trim().is_empty() && !in_string())
        .then_some(indent)
}

/// Whether the line starting at `at` is inside a string literal.
fn in_string(root: Node, at: usize) -> bool {
    let mut node = root.descendant_for_byte_range(at, at);
    while let Some(n) = node {
        if n.kind() == "string" && n.start_byte() < at {
            return true;
        }
        node = n.parent();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    /// `rendered` in place of `range` of `source`, wrapped where too long
    /// (its first argument at `first_argument`).
    fn wrap(
        rendered: &str,
        first_argument: Option<usize>,
        range: &Range<usize>,
        source: &str,
    ) -> String {
        let tree = parse(source);
        let root = tree.root_node();
        wrap_long_line(
            rendered.into(),
            first_argument,
            range,
            Shift::default(),
            source,
            root,
            "\n",
        )
    }

    /// Replaces `old` (the callee, up to its bracket) by `new` in `source`,
    /// copying the arguments as a template's `{...}` does.
    fn rewrite_callee(source: &str, old: &str, new: &str) -> String {
        let tree = parse(source);
        let start = source.find(old).unwrap();
        let args_start = start + old.len();
        let args_end = source.rfind(')').unwrap();
        let rendered = format!("{new}{})", &source[args_start..args_end]);
        let placed = [(new.len(), args_start..args_end)];
        let out = realign(rendered, &placed, start, source, tree.root_node());
        format!("{}{}{}", &source[..start], out, &source[args_end + 1..])
    }

    /// `source` with `old` replaced by `new`, and the statements that
    /// change shortens joined where they then fit.
    fn shorten(source: &str, old: &str, new: &str) -> String {
        let tree = parse(source);
        let at = source.find(old).unwrap();
        let edits = vec![Edit::replace(at..at + old.len(), new)];
        crate::edit::apply(source, rejoin_shortened(tree.root_node(), source, edits)).unwrap()
    }

    #[test]
    fn a_statement_broken_for_length_is_joined_once_it_fits() {
        // neutron's test_async_process.py.
        let source = "    def test(self):\n        result = list(self.proc._iter_queue(eventlet.queue.LightQueue(),\n                                            False))\n        return result\n";
        assert_eq!(
            shorten(source, "eventlet.queue.LightQueue()", "queue_mod.Queue()"),
            "    def test(self):\n        result = list(self.proc._iter_queue(queue_mod.Queue(), False))\n        return result\n"
        );
        // Broken after the bracket, with a comment after it.
        let source = "        result = list(self.proc._iter_queue(\n            eventlet.queue.LightQueue(), False))  # why\n";
        assert_eq!(
            shorten(source, "eventlet.queue.LightQueue()", "queue_mod.Queue()"),
            "        result = list(self.proc._iter_queue(queue_mod.Queue(), False))  # why\n"
        );
    }

    #[test]
    fn statements_broken_for_reading_stay_broken() {
        let keeps = |source: &str| {
            let out = shorten(source, "eventlet.queue.LightQueue()", "queue_mod.Queue()");
            assert_eq!(
                out,
                source.replace("eventlet.queue.LightQueue()", "queue_mod.Queue()")
            );
        };
        // It fitted on one line before the rewrite.
        keeps("x = f(eventlet.queue.LightQueue(),\n      False)\n");
        // Over three lines.
        keeps(
            "        result = list(self.proc._iter_queue(eventlet.queue.LightQueue(),\n                                            False,\n                                            True))\n",
        );
        // A comment inside, a break beside a keyword's `=`, the header of
        // a compound statement: joining would lose or misplace something.
        keeps(
            "        result = list(self.proc._iter_queue(eventlet.queue.LightQueue(),  # a\n                                            False))\n",
        );
        keeps(
            "        result = list(self.proc._iter_queue(eventlet.queue.LightQueue(), x=\n                                            False))\n",
        );
        keeps(
            "        with list(self.proc._iter_queue(eventlet.queue.LightQueue(),\n                                        False)) as x:\n            pass\n",
        );
        // The parts of a concatenated string, one per line.
        keeps(
            "        LOG.info('waiting for the queue %s'\n                 ' to be empty', eventlet.queue.LightQueue())\n",
        );
    }

    #[test]
    fn a_hanging_argument_keeps_its_lines_when_the_call_wraps_it() {
        // mistral's scheduler: max(0, ...) around a delay spanning lines.
        let source = "            eventlet.sleep(\n                fixed +\n                jitter * 0.001\n            )\n";
        let tree = parse(source);
        let call = source.find("eventlet").unwrap()..source.rfind(')').unwrap() + 1;
        let argument = source.find("fixed").unwrap()..source.find("0.001").unwrap() + 5;
        let text = &source[argument.clone()];
        let wrap = |template: &str| {
            let rendered = template.replace("{}", text);
            let at = template.find("{}").unwrap();
            keep_hanging(
                &rendered,
                &[(at, argument.clone())],
                &call,
                source,
                tree.root_node(),
                "\n",
            )
        };
        assert_eq!(
            wrap("time.sleep(max(0, {}))").unwrap(),
            "time.sleep(max(\n                0,\n                fixed +\n                jitter * 0.001\n            ))"
        );
        assert_eq!(
            wrap("time.sleep({})").unwrap(),
            "time.sleep(\n                fixed +\n                jitter * 0.001\n            )"
        );
        // Text after the argument other than closing brackets, or before it
        // in its item: not this form.
        assert_eq!(wrap("time.sleep({}, 1)"), None);
        assert_eq!(wrap("Executor(max_workers={})"), None);
    }

    #[test]
    fn visually_aligned_lines_follow_the_bracket() {
        let source = "thr = eventlet.spawn(cache, 'fname',\n                     signal=sig,\n                       nested=1)\n";
        assert_eq!(
            rewrite_callee(source, "eventlet.spawn(", "_spawn_future("),
            "thr = _spawn_future(cache, 'fname',\n                    signal=sig,\n                      nested=1)\n"
        );
        assert_eq!(
            rewrite_callee(source, "eventlet.spawn(", "_thread.start_new_thread("),
            "thr = _thread.start_new_thread(cache, 'fname',\n                               signal=sig,\n                                 nested=1)\n"
        );
    }

    #[test]
    fn a_call_that_spanned_lines_is_filled_again() {
        let source = "        greenthread.spawn_n(self.sim._clone_thread,\n                            src_name, tgt_set)\n";
        let range = 8..source.len() - 1;
        let rendered = "threading.Thread(target=self.sim._clone_thread, args=(src_name, tgt_set), daemon=True).start()";
        assert_eq!(
            wrap(rendered, rendered.find("self"), &range, source),
            "threading.Thread(target=self.sim._clone_thread,\n                         args=(src_name, tgt_set), daemon=True).start()"
        );
    }

    /// storlets: the tuple of arguments is too long for a line of its own
    /// and breaks inside its bracket (it was left on one 148-column line).
    #[test]
    fn an_argument_too_long_for_its_own_line_breaks_inside_its_tuple() {
        let source = "                eventlet.spawn_n(self._write_input_data,\n                                 self._input_data_write_fd,\n                                 self.srequest.data.data_iter)\n";
        let range = 16..source.len() - 1;
        let rendered = "threading.Thread(target=self._write_input_data, args=(self._input_data_write_fd, self.srequest.data.data_iter), daemon=True).start()";
        let wrapped = wrap(rendered, rendered.find("self"), &range, source);
        let args = " ".repeat(33);
        let tuple = " ".repeat(39);
        assert_eq!(
            wrapped,
            format!(
                "threading.Thread(target=self._write_input_data,\n{args}args=(self._input_data_write_fd,\n{tuple}self.srequest.data.data_iter),\n{args}daemon=True).start()"
            )
        );
        assert_eq!(
            break_sequence("args=(a, b),", 0, "\n").as_deref(),
            Some("args=(a, b),")
        );
        assert_eq!(break_sequence("args=(a,),", 70, "\n"), None, "one element");
        assert_eq!(break_sequence("target=f,", 70, "\n"), None, "no sequence");
    }

    #[test]
    fn realigned_lines_that_grow_too_long_are_filled_again() {
        let source = "            th = greenthread.spawn(self.rep_secondary.delete_ldev,\n                                   pair_info['svol_info'][0]['ldev'])\n";
        let range = source.find("greenthread").unwrap()..source.len() - 1;
        let realigned = rewrite_callee(
            source,
            "greenthread.spawn(",
            "threading_helpers.spawn_future(",
        );
        let rendered = realigned[range.start..realigned.len() - 1].to_owned();
        assert!(rendered.contains('\n'));
        let wrapped = wrap(&rendered, rendered.find("self"), &range, source);
        assert_eq!(
            wrapped,
            "threading_helpers.spawn_future(\n                self.rep_secondary.delete_ldev,\n                pair_info['svol_info'][0]['ldev'])"
        );
        // An argument that spans lines moves with its continuation lines.
        let source = "        thr1 = eventlet.spawn(backend.by_name(self._fake_instance(uuid),\n                                              'name').cache,\n                _concurrency, 'fname', None,\n                signal=sig1, wait=wait1, done=done1)\n";
        let range = source.find("eventlet").unwrap()..source.len() - 1;
        let realigned =
            rewrite_callee(source, "eventlet.spawn(", "threading_helpers.spawn_future(");
        let rendered = realigned[range.start..realigned.len() - 1].to_owned();
        assert_eq!(
            wrap(&rendered, rendered.find("backend"), &range, source),
            "threading_helpers.spawn_future(\n            backend.by_name(self._fake_instance(uuid),\n                            'name').cache,\n            _concurrency, 'fname', None, signal=sig1, wait=wait1, done=done1)"
        );
        // A string that spans lines cannot move; a comment between
        // arguments ends its line: the text stays as it is.
        let string = rendered.replacen("'name'", "\"\"\"name\n\"\"\"", 1);
        assert_eq!(
            wrap(&string, string.find("backend"), &range, source),
            string
        );
        let commented = rendered.replacen(".cache,\n", ".cache,  # secondary\n", 1);
        assert_eq!(
            wrap(&commented, commented.find("self"), &range, source),
            commented
        );
    }

    #[test]
    fn a_line_made_too_long_is_broken_after_the_bracket() {
        let source = "        eventlet.spawn_n(self._wait_flashcopy, src_luns, tgt_luns)\n";
        let range = 8..source.len() - 1;
        let rendered = "_thread.start_new_thread(functools.partial(self._wait_flashcopy, src_luns, tgt_luns), ())";
        let first_argument = rendered.find("self");
        assert_eq!(
            wrap(rendered, first_argument, &range, source),
            "_thread.start_new_thread(\n            functools.partial(self._wait_flashcopy, src_luns, tgt_luns), ())"
        );
        // Short enough, or too long before: left as it is.
        let short = "time.sleep(1)";
        assert_eq!(wrap(short, None, &range, source), short);
        let long_before = format!("{}  # {}\n", &source[..source.len() - 1], "x".repeat(20));
        assert_eq!(
            wrap(rendered, first_argument, &range, &long_before),
            rendered
        );
        // Inside an f-string's field a line break is a syntax error (3.11).
        let fstring =
            "        log(f\"{eventlet.spawn_n(self._wait_flashcopy, src_luns, tgt_luns)}\")\n";
        let start = fstring.find("eventlet").unwrap();
        let end = fstring.find(")}").unwrap() + 1;
        assert_eq!(
            wrap(rendered, first_argument, &(start..end), fstring),
            rendered
        );
    }

    #[test]
    fn lines_under_a_bracket_after_a_renamed_name_follow_it() {
        let source = "x = HTTPConnection.putrequest(self, url,\n                              skip)\nf(HTTPConnection,\n  y)\n";
        let tree = parse(source);
        let at = source.find("HTTPConnection").unwrap();
        let rename = Edit::replace(
            at..at + "HTTPConnection".len(),
            "http.client.HTTPConnection",
        );
        let mut edits = vec![rename];
        edits.extend(follow_moved_brackets(tree.root_node(), source, &edits));
        assert_eq!(
            crate::edit::apply(source, edits).unwrap(),
            "x = http.client.HTTPConnection.putrequest(self, url,\n                                          skip)\nf(HTTPConnection,\n  y)\n"
        );
    }

    #[test]
    fn lines_indented_into_a_block_follow_a_renamed_name_from_their_new_place() {
        let source = "p.spawn_n(send, i,\n          count)\n";
        let tree = parse(source);
        let at = source.find("spawn_n").unwrap();
        let second = source.find('\n').unwrap() + 1;
        let mut edits = vec![
            Edit::insert(0, "    ".to_owned()),
            Edit::replace(at..at + "spawn_n".len(), "submit".to_owned()),
            Edit::insert(second, "    ".to_owned()),
        ];
        edits.extend(follow_moved_brackets(tree.root_node(), source, &edits));
        assert_eq!(
            crate::edit::apply(source, edits).unwrap(),
            "    p.submit(send, i,\n             count)\n"
        );
    }

    #[test]
    fn hanging_indents_strings_and_tabs_stay() {
        let hanging = "x = eventlet.spawn(\n    f, 1)\n";
        assert_eq!(
            rewrite_callee(hanging, "eventlet.spawn(", "_spawn_future("),
            "x = _spawn_future(\n    f, 1)\n"
        );
        let string = "x = eventlet.spawn(f, '''a\n                   b''')\n";
        assert_eq!(
            rewrite_callee(string, "eventlet.spawn(", "go("),
            "x = go(f, '''a\n                   b''')\n"
        );
        let tabs = "\tx = eventlet.spawn(f,\n\t                   g)\n";
        assert_eq!(
            rewrite_callee(tabs, "eventlet.spawn(", "go("),
            "\tx = go(f,\n\t                   g)\n"
        );
    }

    #[test]
    fn text_added_after_a_long_call_moves_the_calls_arguments_to_a_line_of_their_own() {
        let source = "            for node in nodes:\n                \
                      pool.submit(self.driver.sync_power_state, node)\n";
        let tree = parse(source);
        let at = source.find("pool.submit").unwrap();
        let call = tree
            .root_node()
            .descendant_for_byte_range(at, source.len() - 1)
            .unwrap();
        assert_eq!(call.kind(), "call");
        let added = ".add_done_callback(_print_exception)";
        let (range, text) = break_call_before(call, added, 0, source, "\n").unwrap();
        let mut out = source.to_owned();
        out.replace_range(range, &text);
        assert_eq!(
            out,
            "            for node in nodes:\n                pool.submit(\n                    \
             self.driver.sync_power_state, node\n                \
             ).add_done_callback(_print_exception)\n"
        );
        // Arguments that span lines are joined, unless that could change
        // them (a comment, a string of many lines).
        let spanning = "pool.submit(f,\n            g(\n                x))\n";
        let tree = parse(spanning);
        let call = tree.root_node().descendant_for_byte_range(0, 20).unwrap();
        assert_eq!(call.kind(), "call");
        let (range, text) = break_call_before(call, added, 0, spanning, "\n").unwrap();
        let mut out = spanning.to_owned();
        out.replace_range(range, &text);
        assert_eq!(
            out,
            "pool.submit(\n    f, g(x)\n).add_done_callback(_print_exception)\n"
        );
        for kept in [
            "pool.submit(f,  # why\n            x)\n",
            "pool.submit(f, '''a\nb''')\n",
        ] {
            let tree = parse(kept);
            let call = tree.root_node().descendant_for_byte_range(0, 20).unwrap();
            assert_eq!(call.kind(), "call");
            assert!(
                break_call_before(call, added, 0, kept, "\n").is_none(),
                "{kept}"
            );
        }
    }
}
