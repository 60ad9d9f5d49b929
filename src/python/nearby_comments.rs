//! Comments beside a rewritten line that speak of eventlet or green
//! threads. The rewrite may make them wrong (`# yield to the other
//! greenthreads` above what is now `time.sleep(0)`, `# mock out
//! eventlet.sleep()` above a mock of `time.sleep`), and only a person can
//! say whether they still hold, so they are pointed out, never edited. So
//! is the message of a log call right above the statement, which tells
//! what it does (cinder's `LOG.debug('Calling eventlet.sleep(0)')`), and a
//! message in the statement itself (mistral's `print('[eventlet_id=%s]' %
//! corolocal.get_ident())`). Further up, within the statement's paragraph
//! (no blank line), a comment that names eventlet and the rewritten name
//! still counts (storlets' `# NOTE: not sure if using eventlet.spawn_n is
//! right`, one statement above the spawn).

use std::ops::Range;

use tree_sitter::Node;

use crate::source::LineIndex;

/// Words that name eventlet outright, which a comment further up the
/// statement's paragraph must hold to count, with the rewritten name.
const NAMES_EVENTLET: [&str; 8] = [
    "eventlet",
    "greenthread",
    "green thread",
    "greenlet",
    "greenpool",
    "green pool",
    "monkey",
    "spawn_n",
];

/// Words that, beside those, tie a comment right by the statement to
/// eventlet's way of running code (neutron's `eventlet.sleep(0)  # yield
/// to let coro execute`).
const SPEAKS_OF_COOPERATION: [&str; 2] = ["coro", "yield"];

/// The lines (1-based) of the comments that go with the statement holding
/// `range` and speak of eventlet: those on the lines from the statement's
/// start to the end of `range`, and the block of comment lines right
/// above the statement (no blank line between); the messages in the
/// statement's lines; and further up its paragraph, the comments that
/// name eventlet.
pub fn speaking_of_eventlet(
    root: Node,
    text: &str,
    lines: &LineIndex,
    range: &Range<usize>,
) -> Vec<usize> {
    let Some(inner) = root.descendant_for_byte_range(range.start, range.end) else {
        return Vec::new();
    };
    let statement = std::iter::successors(Some(inner), |n| n.parent())
        .find(|n| n.parent().is_none_or(|p| is_block(p)))
        .unwrap_or(inner);
    let first = lines.line_of(statement.start_byte());
    let last = lines.line_of(range.end);
    let mut found = Vec::new();
    let mut above = first;
    while above > 1 && comment_line(root, text, lines, above - 1).is_some() {
        above -= 1;
    }
    if let Some(log) = log_call_right_above(statement, text, lines, above)
        && speaks_of_eventlet(&message_of(log, text))
    {
        found.push(lines.line_of(log.start_byte()));
    }
    for line in above..=last {
        let at_or_after = if line < first {
            0
        } else {
            statement.start_byte()
        };
        if let Some(comment) = comment_on(root, text, lines, line, at_or_after)
            && speaks_of_eventlet(comment)
        {
            found.push(line);
        }
    }
    found.extend(messages_in(statement, text, lines, last));
    let written = text[range.clone()].split('(').next().unwrap_or_default();
    let name = written.rsplit('.').next().unwrap_or_default();
    found.extend(paragraph_above(root, statement, text, lines, above, name));
    found.extend(docstring_naming_eventlet(statement, text, lines));
    found.sort_unstable();
    found.dedup();
    found
}

/// The lines of the messages (string literals that are not a dotted name,
/// which may be a use itself) in `statement` up to line `last` that name
/// eventlet.
fn messages_in(statement: Node, text: &str, lines: &LineIndex, last: usize) -> Vec<usize> {
    crate::python::syntax::descendants(statement)
        .filter(|n| n.kind() == "string_content" && lines.line_of(n.start_byte()) <= last)
        .filter(|n| {
            let content = &text[n.byte_range()];
            !crate::python::syntax::is_identifier_path(content) && names_eventlet(content)
        })
        .map(|n| lines.line_of(n.start_byte()))
        .collect()
}

/// The lines of the comments that name eventlet and the rewritten `name`
/// above the statements before `statement` in its paragraph: each
/// statement ends right above the comments (or statement) after it, from
/// line `above` up.
fn paragraph_above(
    root: Node,
    statement: Node,
    text: &str,
    lines: &LineIndex,
    mut above: usize,
    name: &str,
) -> Vec<usize> {
    let mut found = Vec::new();
    let previous =
        std::iter::successors(statement.prev_named_sibling(), |n| n.prev_named_sibling())
            .filter(|n| n.kind() != "comment");
    for earlier in previous {
        if lines.line_of(earlier.end_byte()) + 1 != above {
            break;
        }
        above = lines.line_of(earlier.start_byte());
        while above > 1
            && let Some(comment) = comment_line(root, text, lines, above - 1)
        {
            above -= 1;
            if names_eventlet(comment) && comment.contains(name) {
                found.push(above);
            }
        }
    }
    found
}

/// The lines of the docstring of the function holding `statement` that
/// name eventlet outright (neutron's "start an update in an eventlet
/// coroutine"): what the function says it does may change with it.
fn docstring_naming_eventlet(statement: Node, text: &str, lines: &LineIndex) -> Vec<usize> {
    let docstring = std::iter::successors(statement.parent(), |n| n.parent())
        .find(|n| n.kind() == "function_definition")
        .and_then(|f| f.child_by_field_name("body"))
        .and_then(|body| body.named_child(0))
        .filter(|first| first.kind() == "expression_statement" && *first != statement)
        .and_then(|first| first.named_child(0))
        .filter(|string| string.kind() == "string");
    let Some(docstring) = docstring else {
        return Vec::new();
    };
    let (first, last) = (
        lines.line_of(docstring.start_byte()),
        lines.line_of(docstring.end_byte()),
    );
    (first..=last)
        .filter(|&line| names_eventlet(lines.line_text(text, line)))
        .collect()
}

/// Logger methods, whose message says what the code does.
pub(crate) const LOG_METHODS: [&str; 7] = [
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
];

/// The call of the statement ending on the line right above `line`, when
/// it is a call of a logger's method (`LOG.debug(...)`).
fn log_call_right_above<'t>(
    statement: Node<'t>,
    text: &str,
    lines: &LineIndex,
    line: usize,
) -> Option<Node<'t>> {
    let previous =
        std::iter::successors(statement.prev_named_sibling(), |n| n.prev_named_sibling())
            .find(|n| n.kind() != "comment")
            .filter(|p| p.kind() == "expression_statement")
            .filter(|p| lines.line_of(p.end_byte()) + 1 == line)?;
    let call = previous.named_child(0).filter(|c| c.kind() == "call")?;
    let method = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "attribute")?
        .child_by_field_name("attribute")?;
    LOG_METHODS
        .contains(&&text[method.byte_range()])
        .then_some(call)
}

/// The text of the string literals among a call's arguments (adjacent
/// literals make one message).
fn message_of(call: Node, text: &str) -> String {
    let mut message = String::new();
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return message;
    };
    for node in crate::python::syntax::descendants(arguments) {
        if node.kind() == "string_content" {
            message.push_str(&text[node.byte_range()]);
        }
    }
    message
}

fn is_block(node: Node) -> bool {
    matches!(node.kind(), "module" | "block")
}

/// The comment that is the whole of `line` (apart from indentation).
fn comment_line<'t>(root: Node, text: &'t str, lines: &LineIndex, line: usize) -> Option<&'t str> {
    let start = lines.start_of(line);
    let content = lines.line_text(text, line);
    let indent = content.len() - content.trim_start().len();
    content[indent..]
        .starts_with('#')
        .then(|| comment_at(root, text, start + indent))
        .flatten()
}

/// The comment on `line` that starts at or after byte `from`.
fn comment_on<'t>(
    root: Node,
    text: &'t str,
    lines: &LineIndex,
    line: usize,
    from: usize,
) -> Option<&'t str> {
    let start = lines.start_of(line);
    memchr::memchr_iter(b'#', lines.line_text(text, line).as_bytes())
        .map(|at| start + at)
        .filter(|&at| at >= from)
        .find_map(|at| comment_at(root, text, at))
}

/// The comment starting at byte `at` (a `#` in a string is not one).
fn comment_at<'t>(root: Node, text: &'t str, at: usize) -> Option<&'t str> {
    root.descendant_for_byte_range(at, at + 1)
        .filter(|n| n.kind() == "comment" && n.start_byte() == at)
        .map(|n| &text[n.byte_range()])
}

fn speaks_of_eventlet(comment: &str) -> bool {
    let lower = comment.to_lowercase();
    NAMES_EVENTLET
        .iter()
        .chain(&SPEAKS_OF_COOPERATION)
        .any(|word| lower.contains(word))
}

fn names_eventlet(comment: &str) -> bool {
    let lower = comment.to_lowercase();
    NAMES_EVENTLET.iter().any(|word| lower.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    /// The comment lines found for the first use of `eventlet.` in `text`.
    fn found(text: &str) -> Vec<usize> {
        let tree = parse(text);
        let start = text.find("eventlet.").expect("a use");
        let end = start + text[start..].find(')').expect("a call") + 1;
        speaking_of_eventlet(tree.root_node(), text, &LineIndex::new(text), &(start..end))
    }

    #[test]
    fn a_block_of_comments_right_above_counts_and_a_blank_line_ends_it() {
        let text = "import eventlet\n\n# About greenthreads.\n\n# Yield to the\n# other \
                    greenthreads.\n# Then go on.\neventlet.sleep(0)\n";
        assert_eq!(found(text), vec![5, 6]);
    }

    #[test]
    fn a_comment_at_the_end_of_the_rewritten_lines_counts() {
        let text = "def f():\n    x = 1  # no eventlet here\n    eventlet.sleep(\n        0)  \
                    # let eventlet switch\n    y = 2  # eventlet\n";
        assert_eq!(found(text), vec![4]);
    }

    #[test]
    fn a_hash_in_a_string_is_not_a_comment() {
        let text = "log('# eventlet')\neventlet.sleep(0)\n";
        assert_eq!(found(text), Vec::<usize>::new());
    }

    #[test]
    fn comments_above_a_decorator_go_with_its_definition() {
        let text = "class T:\n    # Mock out eventlet.sleep() so that it does nothing.\n    \
                    @mock.patch('x')\n    @mock.patch(eventlet.sleep)\n    def test(self):\n        \
                    pass  # eventlet\n";
        assert_eq!(found(text), vec![2]);
    }

    #[test]
    fn a_log_message_right_above_counts_and_one_further_up_does_not() {
        let text =
            "def f():\n    LOG.debug('Yield to other eventlet threads')\n    eventlet.sleep(0)\n";
        assert_eq!(found(text), vec![2]);
        let text = "def f():\n    LOG.info('Resizing the green '\n             'pool')\n    \
                    # wait\n    eventlet.sleep(0)\n";
        assert_eq!(found(text), vec![2]);
        let text = "def f():\n    LOG.debug('eventlet')\n    x = 1\n    eventlet.sleep(0)\n";
        assert_eq!(found(text), Vec::<usize>::new());
        let text = "def f():\n    print('eventlet')\n    eventlet.sleep(0)\n";
        assert_eq!(found(text), Vec::<usize>::new());
    }

    #[test]
    fn the_function_s_docstring_counts_where_it_names_eventlet() {
        let text = "def test_update(self):\n    \"\"\"Start an update.\n\n    It runs in an \
                    eventlet coroutine.\n    \"\"\"\n    x = 1\n\n    eventlet.sleep(0)\n";
        assert_eq!(found(text), vec![4]);
        let text = "def f():\n    \"\"\"Wait a little.\"\"\"\n    eventlet.sleep(0)\n";
        assert_eq!(found(text), Vec::<usize>::new());
    }

    #[test]
    fn a_comment_about_yielding_to_coroutines_counts() {
        let text = "for i in range(3):\n    eventlet.sleep(0)  # yield to let coro execute\n";
        assert_eq!(found(text), vec![2]);
        let text = "# wait for the coroutine to block\neventlet.sleep(0)\n";
        assert_eq!(found(text), vec![1]);
    }

    #[test]
    fn further_up_the_paragraph_a_comment_naming_eventlet_and_the_call_counts() {
        let text = "for s in sources:\n    # NOTE: not sure if eventlet spawn_n is right\n    \
                    # here.\n    # Yield first.\n    wait(s)\n    eventlet.spawn_n(f)\n";
        assert_eq!(found(text), vec![2]);
        // One about green threads but not this call is another statement's.
        let text = "# Let the green threads run.\nwait(s)\neventlet.spawn_n(f)\n";
        assert_eq!(found(text), Vec::<usize>::new());
        // A blank line ends the paragraph.
        let text = "# eventlet spawn_n below\nwait(s)\n\nx = 1\neventlet.spawn_n(f)\n";
        assert_eq!(found(text), Vec::<usize>::new());
    }

    #[test]
    fn a_message_in_the_statement_that_names_eventlet_counts() {
        let text = "print('done [eventlet_id=%s]' % eventlet.corolocal.get_ident())\n";
        assert_eq!(found(text), vec![1]);
        // A dotted name is no message: it may be a use of its own.
        let text = "mock.patch('eventlet.sleep', eventlet.sleep(0))\n";
        assert_eq!(found(text), Vec::<usize>::new());
    }

    #[test]
    fn comments_of_the_first_statement_of_a_block_count() {
        let text = "def f():\n    # allow green thread switches\n    eventlet.sleep(0)\n";
        assert_eq!(found(text), vec![2]);
    }
}
