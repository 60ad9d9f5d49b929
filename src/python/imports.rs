//! Import statements the OpenStack way: a new standard-library import goes
//! into the stdlib group at its alphabetical place (hacking H306), one module
//! per line; eventlet imports that became unused are removed, one clause at
//! a time when others in the statement stay.

use std::collections::BTreeMap;
use std::ops::Range;

use tree_sitter::Node;

use super::bindings::{ImportBinding, import_bindings};
use super::fallback_imports::is_eventlet_fallback;
use super::import_order::{clauses, hacking_key, is_stdlib, module_of, one_name_key};
use super::module_names::NewImport;
use super::syntax::{is_eventlet_path, named_children, text};
use crate::edit::Edit;
use crate::source::line_start;

/// Removing the given import bindings: whole statements to delete (all their
/// clauses go), edits that cut single clauses out of a statement, and
/// statements moved: one left with a single name sorts by it (hacking
/// H306: `from a import b` is `a.b`, `from a import b, c` is `a`), and
/// when that puts it out of order with its neighbours it is deleted and
/// added again at its place, as a new import is.
pub fn removals(
    root: Node,
    source: &str,
    leaving: &[&ImportBinding],
) -> (Vec<Range<usize>>, Vec<Edit>, Vec<NewImport>) {
    let mut by_statement: BTreeMap<(usize, usize), Vec<Range<usize>>> = BTreeMap::new();
    let handler_twins: Vec<ImportBinding> = leaving
        .iter()
        .flat_map(|b| fallback_handler_imports(root, source, b))
        .collect();
    for b in leaving.iter().copied().chain(&handler_twins) {
        by_statement
            .entry((b.statement.start, b.statement.end))
            .or_default()
            .push(b.clause.clone());
    }
    let mut whole = Vec::new();
    let mut edits = Vec::new();
    let mut moved = Vec::new();
    for ((start, end), gone) in by_statement {
        let Some(stmt) = root.descendant_for_byte_range(start, end) else {
            continue;
        };
        let stmt = enclosing_import(stmt);
        let clauses = clauses(stmt);
        let leaving: Vec<bool> = clauses
            .iter()
            .map(|c| gone.contains(&c.byte_range()))
            .collect();
        if leaving.iter().all(|l| *l) {
            whole.push(stmt.byte_range());
            continue;
        }
        let mut cuts = Vec::new();
        let mut i = 0;
        while i < clauses.len() {
            if !leaving[i] {
                i += 1;
                continue;
            }
            let first = i;
            while i + 1 < clauses.len() && leaving[i + 1] {
                i += 1;
            }
            let range = if i + 1 < clauses.len() {
                clauses[first].start_byte()..clauses[i + 1].start_byte()
            } else {
                clauses[first - 1].end_byte()..clauses[i].end_byte()
            };
            cuts.push(Edit::replace(range, ""));
            i += 1;
        }
        let kept: Vec<Node> = clauses
            .iter()
            .zip(&leaving)
            .filter(|(_, gone)| !**gone)
            .map(|(c, _)| *c)
            .collect();
        match moved_import(stmt, &kept, &cuts, source) {
            Some(import) => {
                whole.push(stmt.byte_range());
                moved.push(import);
            }
            None => edits.extend(cuts),
        }
    }
    (whole_fallbacks(root, source, whole), edits, moved)
}

/// When `leaving` is an import in the body of an eventlet fallback, the
/// handler's imports of the same name: they go with it, so that what stays
/// is still a fallback of the same names.
fn fallback_handler_imports(
    root: Node,
    source: &str,
    leaving: &ImportBinding,
) -> Vec<ImportBinding> {
    let Some(fallback) = fallback_around(root, source, &leaving.statement) else {
        return Vec::new();
    };
    named_children(fallback)
        .into_iter()
        .filter(|c| c.kind() == "except_clause")
        .flat_map(|handler| named_children(handler))
        .filter(|c| c.kind() == "block")
        .flat_map(|block| named_children(block))
        .filter(|statement| is_import(*statement))
        .flat_map(|statement| import_bindings(statement, source))
        .filter(|b| b.name == leaving.name)
        .collect()
}

/// The eventlet fallback whose body holds the import statement at
/// `statement`.
fn fallback_around<'t>(root: Node<'t>, source: &str, statement: &Range<usize>) -> Option<Node<'t>> {
    let import = enclosing_import(root.descendant_for_byte_range(statement.start, statement.end)?);
    import
        .parent()?
        .parent()
        .filter(|fallback| is_eventlet_fallback(*fallback, source))
}

/// `whole` with the imports of every eventlet fallback that all go
/// replaced by the whole try statement: its handler's imports bound the
/// names only where eventlet is missing, and the rewrite's own imports bind
/// them now.
fn whole_fallbacks(root: Node, source: &str, mut whole: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let emptied: Vec<Range<usize>> = whole
        .iter()
        .filter_map(|r| {
            let fallback = fallback_around(root, source, r)?;
            let body = fallback.child_by_field_name("body")?;
            let all_go = named_children(body)
                .iter()
                .filter(|c| c.kind() != "comment")
                .all(|c| whole.contains(&c.byte_range()));
            all_go.then(|| fallback.byte_range())
        })
        .collect();
    for fallback in emptied {
        if !whole.contains(&fallback) {
            whole.retain(|r| !(fallback.start <= r.start && r.end <= fallback.end));
            whole.push(fallback);
        }
    }
    whole
}

/// The statement `stmt`, cut by `cuts` down to the clauses `kept`, as an
/// import to add again at its sorted place, when its new H306 key puts it
/// out of order with the import statements right before or after it, where
/// the old one was not. `None` when it stays where it is: in order, on
/// lines of its own with no comment, or spanning lines.
fn moved_import(stmt: Node, kept: &[Node], cuts: &[Edit], source: &str) -> Option<NewImport> {
    // One inside a block (an `if`, a fallback import) stays where it runs.
    if stmt.parent().is_none_or(|p| p.kind() != "module") {
        return None;
    }
    let module = module_of(stmt, source);
    let new_key = match (stmt.kind(), kept) {
        ("import_from_statement", [single]) => one_name_key(&module, *single, source),
        _ => return None,
    };
    let old_key = hacking_key(stmt, source);
    let neighbours = [stmt.prev_named_sibling(), stmt.next_named_sibling()];
    let in_order = |key: &str| {
        neighbours.iter().enumerate().all(|(n, other)| match other {
            Some(o) if is_import(*o) && same_group(stmt, *o, source) => {
                let other = hacking_key(*o, source);
                if n == 0 {
                    other.as_str() <= key
                } else {
                    key <= other.as_str()
                }
            }
            _ => true,
        })
    };
    if in_order(&new_key) || !in_order(&old_key) {
        return None;
    }
    let range = stmt.byte_range();
    let line = &source[line_start(source, range.start)..crate::source::line_end(source, range.end)];
    if text(stmt, source).contains('\n') || line.trim() != text(stmt, source) {
        return None;
    }
    let mut statement = text(stmt, source).to_owned();
    let mut cuts: Vec<&Edit> = cuts.iter().collect();
    cuts.sort_by_key(|c| std::cmp::Reverse(c.range.start));
    for cut in cuts {
        let at = cut.range.start - range.start..cut.range.end - range.start;
        statement.replace_range(at, &cut.text);
    }
    Some(NewImport {
        statement,
        top: module.split('.').next().unwrap_or_default().to_owned(),
        key: new_key,
    })
}

fn is_import(node: Node) -> bool {
    matches!(
        node.kind(),
        "import_statement" | "import_from_statement" | "future_import_statement"
    )
}

/// Whether two neighbouring statements are in one import group: no blank
/// line between them.
fn same_group(a: Node, b: Node, source: &str) -> bool {
    let (first, second) = if a.start_byte() < b.start_byte() {
        (a, b)
    } else {
        (b, a)
    };
    !has_blank_line(&source[first.end_byte()..second.start_byte()])
}

/// The edits that remove the `# noqa: E402` markers ("module level import
/// not at top of file") that only statements in `deleted` made necessary.
pub fn stale_late_import_markers(root: Node, source: &str, deleted: &[Range<usize>]) -> Vec<Edit> {
    stale_markers(root, source, deleted)
        .into_iter()
        .map(|(import, marker)| Edit::replace(import.end_byte()..marker.end_byte(), ""))
        .collect()
}

/// Top-level imports after a deleted statement, with nothing kept before
/// them but imports and the docstring, and their E402 markers.
fn stale_markers<'t>(
    root: Node<'t>,
    source: &str,
    deleted: &[Range<usize>],
) -> Vec<(Node<'t>, Node<'t>)> {
    let mut stale = Vec::new();
    let (mut after_deleted, mut after_code) = (false, false);
    for statement in named_children(root) {
        let kind = statement.kind();
        if kind == "comment" {
            continue;
        }
        if deleted
            .iter()
            .any(|d| d.start <= statement.start_byte() && statement.end_byte() <= d.end)
        {
            after_deleted = true;
            continue;
        }
        let is_import = matches!(
            kind,
            "import_statement" | "import_from_statement" | "future_import_statement"
        );
        if !is_import {
            after_code |= !is_docstring(statement);
            continue;
        }
        if let Some(marker) = late_marker(statement, source)
            && after_deleted
            && !after_code
        {
            stale.push((statement, marker));
        }
    }
    stale
}

/// The `# noqa: E402` comment on the import's own line.
fn late_marker<'t>(import: Node<'t>, source: &str) -> Option<Node<'t>> {
    import.next_named_sibling().filter(|c| {
        c.kind() == "comment"
            && c.start_position().row == import.end_position().row
            && is_e402_marker(text(*c, source))
    })
}

fn is_e402_marker(comment: &str) -> bool {
    let words: String = comment.chars().filter(|c| !c.is_whitespace()).collect();
    words.eq_ignore_ascii_case("#noqa:E402")
}

fn enclosing_import(mut node: Node) -> Node {
    while !matches!(node.kind(), "import_statement" | "import_from_statement") {
        match node.parent() {
            Some(p) => node = p,
            None => break,
        }
    }
    node
}

/// The edits that add `imports`. A stdlib import goes into the stdlib group
/// at its alphabetical place, or several form a new stdlib group at the
/// top. Any other import goes into the group of its own package, or the
/// last third-party or project group (one of `project`, the project's own
/// package, the last group: it comes after the third-party ones), or a
/// new group after the imports.
/// `deleted` are statements the same rewrite removes: a group that goes
/// entirely is replaced rather than given a neighbour, and the offsets so
/// refilled are returned (the blank line after such a group must stay).
pub fn insertions(
    root: Node,
    source: &str,
    newline: &str,
    imports: &[NewImport],
    deleted: &[Range<usize>],
    project: Option<&str>,
) -> (Vec<Edit>, Vec<usize>) {
    if imports.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let groups = import_groups(root, source);
    if groups.is_empty() {
        let (edit, refilled) = first_imports(root, source, newline, imports, deleted, project);
        return (vec![edit], refilled.into_iter().collect());
    }
    let stale: Vec<usize> = stale_markers(root, source, deleted)
        .iter()
        .map(|(import, _)| import.start_byte())
        .collect();
    // A group whose imports all keep an E402 marker gives new ones the same.
    let late = |group: &[Node]| {
        group
            .iter()
            .all(|s| late_marker(*s, source).is_some() && !stale.contains(&s.start_byte()))
    };
    let (stdlib, others): (Vec<&NewImport>, Vec<&NewImport>) =
        imports.iter().partition(|i| is_stdlib(&i.top));
    let (mut edits, stdlib_refilled) =
        stdlib_insertions(source, newline, &groups, &stdlib, deleted, &late);
    let mut refilled: Vec<usize> = stdlib_refilled.into_iter().collect();
    let mut separated: Vec<usize> = Vec::new();
    let gone = |g: &Vec<Node>| g.iter().all(|s| deleted.contains(&s.byte_range()));
    // A group is an import's own when an import of its package stays there.
    let holds = |g: &Vec<Node>, top: &str| {
        g.iter().any(|s| {
            !deleted.contains(&s.byte_range())
                && module_of(*s, source).split('.').next() == Some(top)
        })
    };
    let other_party = |g: &&Vec<Node>| {
        let m = module_of(lead(g, deleted, source), source);
        m != "__future__" && !is_stdlib(&m)
    };
    for import in others {
        let own = groups.iter().find(|g| holds(g, &import.top));
        let last_other = groups.iter().rev().filter(other_party).find(|g| !gone(g));
        let first_gone = groups.iter().filter(other_party).find(|g| gone(g));
        // The project's own import joins no third-party group: it starts
        // a group after them.
        let (join, refill) = match project == Some(import.top.as_str()) {
            true if last_other.is_some() => (None, None),
            true => (None, first_gone),
            false => (last_other, first_gone),
        };
        let edit = match own.or(join) {
            Some(group) => sorted_insert(group, import, late(group), source, newline, deleted),
            // Only groups that disappear: take the place of the first one.
            None => match refill {
                Some(group) => {
                    let at = line_start(source, group[0].start_byte());
                    // New stdlib imports took this place first: a blank line
                    // separates the groups.
                    let gap = if refilled.contains(&at) && !separated.contains(&at) {
                        separated.push(at);
                        newline
                    } else {
                        ""
                    };
                    refilled.push(at);
                    Edit::insert(at, format!("{gap}{}{newline}", import.statement))
                }
                None => {
                    let last = groups
                        .last()
                        .expect("a file without imports has its own path");
                    let end = last.last().expect("groups are never empty").end_byte();
                    insert_after_line(
                        source,
                        end,
                        newline,
                        &format!("{newline}{}{newline}", import.statement),
                    )
                }
            },
        };
        edits.push(edit);
    }
    (edits, refilled)
}

fn sorted_insert(
    group: &[Node],
    import: &NewImport,
    late: bool,
    source: &str,
    newline: &str,
    deleted: &[Range<usize>],
) -> Edit {
    let line = import_line(import, late, newline);
    let key = import.key.to_ascii_lowercase();
    // Not next to a statement the rewrite deletes.
    let staying: Vec<&Node> = group
        .iter()
        .filter(|s| !deleted.contains(&s.byte_range()))
        .collect();
    match staying
        .iter()
        .find(|stmt| hacking_key(***stmt, source) > key)
    {
        Some(next) => Edit::insert(line_start(source, next.start_byte()), line),
        None => {
            let last = staying
                .last()
                .copied()
                .or(group.last())
                .expect("groups are never empty");
            insert_after_line(source, last.end_byte(), newline, &line)
        }
    }
}

fn stdlib_insertions(
    source: &str,
    newline: &str,
    groups: &[Vec<Node>],
    imports: &[&NewImport],
    deleted: &[Range<usize>],
    late: &dyn Fn(&[Node]) -> bool,
) -> (Vec<Edit>, Option<usize>) {
    if imports.is_empty() {
        return (Vec::new(), None);
    }
    // The largest stdlib group (the first of equals): a lone `import errno`
    // above a try block does not take what belongs with the others. One
    // of stdlib imports alone comes before one that third-party imports
    // share (senlin's eventlet imports, `import functools` and oslo's).
    let stdlib_group = groups
        .iter()
        .filter(|g| {
            let m = module_of(lead(g, deleted, source), source);
            m != "__future__" && is_stdlib(&m)
        })
        .rev()
        .max_by_key(|g| {
            let third_party = g
                .iter()
                .filter(|s| !deleted.contains(&s.byte_range()))
                .any(|s| is_third_party(module_of(*s, source).as_str()));
            (!third_party, g.len())
        });
    if let Some(group) = stdlib_group {
        // A group that ends in third-party imports (a lone `from
        // oslo_utils import timeutils` after `import datetime`): a stdlib
        // import that sorts after the first of them goes before it, in a
        // group of the stdlib imports of its own, as a maintainer splits it.
        let staying: Vec<&Node> = group
            .iter()
            .filter(|s| !deleted.contains(&s.byte_range()))
            .collect();
        let first_other = third_party_tail(&staying, source);
        let (after_other, sorted): (Vec<&&NewImport>, Vec<&&NewImport>) =
            imports.iter().partition(|i| {
                let key = i.key.to_ascii_lowercase();
                first_other.is_some_and(|other| {
                    staying[..=other]
                        .iter()
                        .all(|s| hacking_key(**s, source) <= key)
                })
            });
        let mut edits: Vec<Edit> = sorted
            .iter()
            .map(|i| sorted_insert(group, i, late(group), source, newline, deleted))
            .collect();
        if let Some(other) = first_other.filter(|_| !after_other.is_empty()) {
            let mut own = after_other;
            own.sort_by_key(|i| i.key.to_ascii_lowercase());
            let block: String = own
                .iter()
                .map(|i| import_line(i, late(group), newline))
                .collect();
            let at = line_start(source, staying[other].start_byte());
            edits.push(Edit::insert(at, format!("{block}{newline}")));
        }
        return (edits, None);
    }
    let block: String = imports
        .iter()
        .map(|i| format!("{}{newline}", i.statement))
        .collect();
    if let Some(group) = groups
        .iter()
        .find(|g| g[0].kind() != "future_import_statement")
    {
        let at = line_start(source, group[0].start_byte());
        if group.iter().all(|s| deleted.contains(&s.byte_range())) {
            return (vec![Edit::insert(at, block)], Some(at));
        }
        return (vec![Edit::insert(at, format!("{block}{newline}"))], None);
    }
    // Only __future__ imports: the new ones follow them.
    let future = groups
        .first()
        .expect("a file without imports has its own path");
    let last = future.last().expect("groups are never empty");
    let edit = insert_after_line(
        source,
        last.end_byte(),
        newline,
        &format!("{newline}{block}"),
    );
    (vec![edit], None)
}

/// The imports of a file that has none, as one block in OpenStack's order
/// (the stdlib's, third-party ones, the project's own; each group apart)
/// where the first import goes: after the module docstring, in the place
/// of a statement that goes (a fallback import's try), or before the first
/// statement, after the comments that open the file (a license header).
/// With where the block took a deleted statement's place.
fn first_imports(
    root: Node,
    source: &str,
    newline: &str,
    imports: &[NewImport],
    deleted: &[Range<usize>],
    project: Option<&str>,
) -> (Edit, Option<usize>) {
    let group_of = |i: &NewImport| match (is_stdlib(&i.top), project == Some(i.top.as_str())) {
        (true, _) => 0,
        (false, false) => 1,
        (false, true) => 2,
    };
    let mut sorted: Vec<&NewImport> = imports.iter().collect();
    sorted.sort_by_key(|i| (group_of(i), i.key.to_ascii_lowercase()));
    let mut block = String::new();
    for (n, import) in sorted.iter().enumerate() {
        if n > 0 && group_of(sorted[n - 1]) != group_of(import) {
            block.push_str(newline);
        }
        block.push_str(&import.statement);
        block.push_str(newline);
    }
    let statements: Vec<Node> = named_children(root)
        .into_iter()
        .filter(|c| c.kind() != "comment")
        .collect();
    let edit = match statements.first() {
        Some(first) if is_docstring(*first) => insert_after_line(
            source,
            first.end_byte(),
            newline,
            &format!("{newline}{block}"),
        ),
        // A statement that goes (a fallback import's try): the new
        // imports take its place, before the blank lines after it.
        Some(first) if deleted.contains(&first.byte_range()) => {
            let at = line_start(source, first.start_byte());
            return (Edit::insert(at, block), Some(at));
        }
        Some(first) => Edit::insert(
            line_start(source, first.start_byte()),
            format!("{block}{}", blank_lines_before(*first, newline)),
        ),
        None => Edit::insert(source.len(), block),
    };
    (edit, None)
}

/// The blank lines that separate imports from `statement` after them: two
/// before a function or class definition (pycodestyle's E302), else one.
fn blank_lines_before(statement: Node, newline: &str) -> String {
    let definition = matches!(
        statement.kind(),
        "function_definition" | "class_definition" | "decorated_definition"
    );
    newline.repeat(if definition { 2 } else { 1 })
}

/// Where the third-party imports that end a group start, if it ends in
/// some. (An eventlet import kept there is misplaced, not a third group.)
fn third_party_tail(group: &[&Node], source: &str) -> Option<usize> {
    let third_party = |s: &&Node| is_third_party(&module_of(**s, source));
    let first = group.iter().position(third_party)?;
    group[first..].iter().all(third_party).then_some(first)
}

/// Neither the stdlib, nor eventlet (often sorted among it), nor
/// `__future__`.
fn is_third_party(module: &str) -> bool {
    module != "__future__" && !is_stdlib(module) && !is_eventlet_path(module)
}

/// The line of a new import, with the E402 marker of a group whose imports
/// all keep one.
fn import_line(import: &NewImport, late: bool, newline: &str) -> String {
    let marker = if late { "  # noqa: E402" } else { "" };
    format!("{}{marker}{newline}", import.statement)
}

/// The statement that says what a group is: its first that the rewrite
/// keeps and that does not import eventlet (an eventlet import, often
/// sorted into the stdlib group, leaves it a stdlib group), or its first
/// if there is none.
fn lead<'t>(group: &[Node<'t>], deleted: &[Range<usize>], source: &str) -> Node<'t> {
    group
        .iter()
        .find(|s| !deleted.contains(&s.byte_range()) && !is_eventlet_path(&module_of(**s, source)))
        .copied()
        .unwrap_or(group[0])
}

fn insert_after_line(source: &str, offset: usize, newline: &str, text: &str) -> Edit {
    match source[offset..].find('\n') {
        Some(i) => Edit::insert(offset + i + 1, text),
        None => Edit::insert(source.len(), format!("{newline}{text}")),
    }
}

fn is_docstring(node: Node) -> bool {
    node.kind() == "expression_statement"
        && node.named_child_count() == 1
        && node.named_child(0).is_some_and(|c| c.kind() == "string")
}

/// Top-level runs of import statements not separated by a blank line.
fn import_groups<'t>(root: Node<'t>, source: &str) -> Vec<Vec<Node<'t>>> {
    let mut groups: Vec<Vec<Node>> = Vec::new();
    let mut current: Vec<Node> = Vec::new();
    for stmt in named_children(root) {
        if stmt.kind() == "comment" {
            continue;
        }
        let is_import = matches!(
            stmt.kind(),
            "import_statement" | "import_from_statement" | "future_import_statement"
        );
        if !is_import {
            if !current.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(prev) = current.last()
            && has_blank_line(&source[prev.end_byte()..stmt.start_byte()])
        {
            groups.push(std::mem::take(&mut current));
        }
        current.push(stmt);
    }
    if !current.is_empty() {
        groups.push(current);
    }
    groups
}

fn has_blank_line(gap: &str) -> bool {
    let segments: Vec<&str> = gap.split('\n').collect();
    segments.len() > 2
        && segments[1..segments.len() - 1]
            .iter()
            .any(|s| s.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply;
    use crate::python::parse::parse;

    fn insert(source: &str, module: &str) -> String {
        insert_all(source, &[module])
    }

    fn insert_all(source: &str, modules: &[&str]) -> String {
        let tree = parse(source);
        let (edits, _) = insertions(
            tree.root_node(),
            source,
            "\n",
            &new_imports(modules),
            &[],
            None,
        );
        apply(source, edits).unwrap()
    }

    /// `source` with its first statement, an import, deleted as the
    /// imports of `modules` are added.
    fn replace_first(source: &str, modules: &[&str]) -> String {
        let first = parse(source)
            .root_node()
            .named_child(0)
            .unwrap()
            .byte_range();
        replace(source, first, modules, None)
    }

    /// `source` with the statement at `deleted` removed as the imports of
    /// `modules` are added, in a project whose own package is `project`.
    fn replace(
        source: &str,
        deleted: Range<usize>,
        modules: &[&str],
        project: Option<&str>,
    ) -> String {
        let tree = parse(source);
        let deleted = [deleted];
        let imports = new_imports(modules);
        let (mut edits, refilled) =
            insertions(tree.root_node(), source, "\n", &imports, &deleted, project);
        edits.extend(crate::python::statements::delete_statements(
            tree.root_node(),
            source,
            &deleted,
            &refilled,
            &[],
        ));
        apply(source, edits).unwrap()
    }

    /// `module` as `import module`, `package:name` as `from package import name`.
    fn new_imports(modules: &[&str]) -> Vec<NewImport> {
        modules
            .iter()
            .map(|m| match m.split_once(':') {
                Some((package, name)) => NewImport {
                    statement: format!("from {package} import {name}"),
                    key: format!("{package}.{name}"),
                    top: package.split('.').next().unwrap().to_owned(),
                },
                None => NewImport {
                    statement: format!("import {m}"),
                    key: m.to_string(),
                    top: m.split('.').next().unwrap().to_owned(),
                },
            })
            .collect()
    }

    #[test]
    fn new_stdlib_and_project_imports_replacing_a_group_stay_apart() {
        assert_eq!(
            replace_first(
                "import eventlet\n\n\ndef f():\n    pass\n",
                &["time", "nova:utils"]
            ),
            "import time\n\nfrom nova import utils\n\n\ndef f():\n    pass\n"
        );
    }

    #[test]
    fn the_first_imports_of_a_file_go_after_its_docstring_in_groups() {
        let project = |source: &str, modules: &[&str]| {
            let tree = parse(source);
            let imports = new_imports(modules);
            let (edits, _) =
                insertions(tree.root_node(), source, "\n", &imports, &[], Some("nova"));
            apply(source, edits).unwrap()
        };
        // Before the module's docstring the import would take its place.
        assert_eq!(
            project(
                "\"\"\"Doc.\"\"\"\n\n\ndef f():\n    pass\n",
                &["nova:threading_helpers", "time"]
            ),
            "\"\"\"Doc.\"\"\"\n\nimport time\n\nfrom nova import threading_helpers\n\n\ndef f():\n    pass\n"
        );
        // Before a definition, two blank lines (E302); after a license
        // header's comments.
        assert_eq!(
            project("# License\n@dec\ndef f():\n    pass\n", &["time"]),
            "# License\nimport time\n\n\n@dec\ndef f():\n    pass\n"
        );
        assert_eq!(
            project("X = 1\n", &["oslo_utils:timeutils", "time"]),
            "import time\n\nfrom oslo_utils import timeutils\n\nX = 1\n"
        );
        // Nothing to import: nothing changes.
        assert_eq!(project("def f():\n    pass\n", &[]), "def f():\n    pass\n");
    }

    #[test]
    fn an_import_joining_a_group_after_code_carries_its_e402_marker() {
        let source = "import eventlet\neventlet.monkey_patch()\n\nimport time  # noqa: E402\n";
        assert_eq!(
            insert(source, "_thread"),
            "import eventlet\neventlet.monkey_patch()\n\nimport _thread  # noqa: E402\nimport time  # noqa: E402\n"
        );
    }

    #[test]
    fn late_import_markers_go_with_the_statement_that_needed_them() {
        let source = "\"\"\"Doc.\"\"\"\nimport eventlet\neventlet.monkey_patch()\n\nimport os  # noqa: E402\nimport sys  # noqa:E402\nX = 1\nimport re  # noqa: E402\n";
        let tree = parse(source);
        let start = source.find("eventlet.monkey").unwrap();
        let end = start + "eventlet.monkey_patch()".len();
        let call = Range { start, end };
        let edits = stale_late_import_markers(tree.root_node(), source, &[call]);
        assert_eq!(
            apply(source, edits).unwrap(),
            "\"\"\"Doc.\"\"\"\nimport eventlet\neventlet.monkey_patch()\n\nimport os\nimport sys\nX = 1\nimport re  # noqa: E402\n"
        );
        let none = stale_late_import_markers(tree.root_node(), source, &[]);
        assert!(none.is_empty());
    }

    #[test]
    fn project_imports_go_into_their_package_group() {
        let src = "import os\n\nfrom oslo_log import log\n\nfrom nova import context\nfrom nova import wsgi\n";
        assert_eq!(
            insert_all(src, &["nova:utils"]),
            "import os\n\nfrom oslo_log import log\n\nfrom nova import context\nfrom nova import utils\nfrom nova import wsgi\n"
        );
    }

    #[test]
    fn a_project_import_starts_a_group_after_the_third_party_ones() {
        // `source` with its eventlet import deleted as the helpers module's
        // is added.
        let project = |source: &str| {
            let at = source.find("import eventlet").unwrap();
            let eventlet = at..at + "import eventlet".len();
            replace(source, eventlet, &["nova:threading_helpers"], Some("nova"))
        };
        // The eventlet import leaves a third-party group behind it.
        assert_eq!(
            project("import sys\n\nimport eventlet\nfrom oslo_config import cfg\n\n\nX = 1\n"),
            "import sys\n\nfrom oslo_config import cfg\n\nfrom nova import threading_helpers\n\n\nX = 1\n"
        );
        assert_eq!(
            project("import sys\n\nimport eventlet\n\nfrom oslo_config import cfg\n"),
            "import sys\n\nfrom oslo_config import cfg\n\nfrom nova import threading_helpers\n"
        );
        // The only third-party group goes: the project import takes its place.
        assert_eq!(
            project("import sys\n\nimport eventlet\n\n\nX = 1\n"),
            "import sys\n\nfrom nova import threading_helpers\n\n\nX = 1\n"
        );
    }

    #[test]
    fn several_new_imports_form_one_group() {
        let src = "import eventlet\n\nx = 1\n";
        assert_eq!(
            insert_all(src, &["queue", "time"]),
            "import queue\nimport time\n\nimport eventlet\n\nx = 1\n"
        );
    }

    #[test]
    fn goes_into_the_stdlib_group_in_order() {
        let src = "import os\nimport sys\n\nimport eventlet\n";
        assert_eq!(
            insert(src, "queue"),
            "import os\nimport queue\nimport sys\n\nimport eventlet\n"
        );
        assert_eq!(
            insert(src, "time"),
            "import os\nimport sys\nimport time\n\nimport eventlet\n"
        );
    }

    #[test]
    fn interleaves_from_imports_by_full_path() {
        let src = "from concurrent import futures\nimport threading\n";
        assert_eq!(
            insert(src, "queue"),
            "from concurrent import futures\nimport queue\nimport threading\n"
        );
    }

    #[test]
    fn creates_a_stdlib_group_before_third_party() {
        let src = "\"\"\"Doc.\"\"\"\n\nimport eventlet\nfrom oslo_log import log\n";
        assert_eq!(
            insert(src, "time"),
            "\"\"\"Doc.\"\"\"\n\nimport time\n\nimport eventlet\nfrom oslo_log import log\n"
        );
    }

    #[test]
    fn a_stdlib_group_headed_by_a_deleted_eventlet_import_takes_the_new_one() {
        // heat's check_resource.py: `import eventlet.queue` misplaced first.
        let source = "import eventlet.queue\nimport functools\n\nfrom oslo_log import log\n";
        assert_eq!(
            replace_first(source, &["queue"]),
            "import functools\nimport queue\n\nfrom oslo_log import log\n"
        );
    }

    #[test]
    fn a_stdlib_group_with_an_eventlet_import_kept_at_its_head_takes_the_new_one() {
        // heat's worker.py keeps `import eventlet.queue` first in its
        // stdlib group.
        let source = "import eventlet.queue\nimport functools\n\nfrom oslo_log import log\n";
        assert_eq!(
            insert(source, "time"),
            "import eventlet.queue\nimport functools\nimport time\n\nfrom oslo_log import log\n"
        );
    }

    #[test]
    fn a_stdlib_import_after_a_third_party_one_splits_the_mixed_group() {
        // heat's test_resource.py: `import eventlet` went from between them.
        let source = "import datetime\nfrom oslo_utils import timeutils\n\nfrom heat import x\n";
        assert_eq!(
            insert(source, "time"),
            "import datetime\nimport time\n\nfrom oslo_utils import timeutils\n\nfrom heat import x\n"
        );
        // A third-party import amid the stdlib ones is left as it is.
        let amid = "import tempfile\nimport testtools\nfrom unittest import mock\n";
        assert_eq!(
            insert(amid, "time"),
            "import tempfile\nimport testtools\nimport time\nfrom unittest import mock\n"
        );
        // One that sorts before the third-party import keeps the group.
        assert_eq!(
            insert(source, "functools"),
            "import datetime\nimport functools\nfrom oslo_utils import timeutils\n\nfrom heat import x\n"
        );
    }

    #[test]
    fn the_largest_stdlib_group_takes_the_new_import() {
        // glance's utils.py: a lone import above a try block, the rest below.
        let source = "import errno\n\ntry:\n    import json\nexcept ImportError:\n    json = None\n\nimport functools\nimport os\n";
        assert_eq!(
            insert(source, "socket"),
            "import errno\n\ntry:\n    import json\nexcept ImportError:\n    json = None\n\nimport functools\nimport os\nimport socket\n"
        );
    }

    #[test]
    fn a_group_of_stdlib_imports_alone_comes_before_a_larger_mixed_one() {
        // senlin's wsgi.py: `import functools` sits among eventlet's and
        // oslo's imports, below the stdlib group.
        let source = "import errno\nimport os\nimport sys\n\nimport eventlet\nimport functools\nfrom oslo_config import cfg\nimport webob\n";
        assert_eq!(
            insert(source, "socket"),
            "import errno\nimport os\nimport socket\nimport sys\n\nimport eventlet\nimport functools\nfrom oslo_config import cfg\nimport webob\n"
        );
    }

    #[test]
    fn keeps_future_imports_first() {
        let src = "from __future__ import annotations\n\nx = 1\n";
        assert_eq!(
            insert(src, "time"),
            "from __future__ import annotations\n\nimport time\n\nx = 1\n"
        );
    }

    #[test]
    fn removes_one_clause_of_a_from_import() {
        let src = "from eventlet import sleep, spawn\n\nfrom eventlet import (a,\n    b)\n";
        let tree = parse(src);
        let b = crate::python::bindings::Bindings::analyze(&tree, src);
        let leaving: Vec<&ImportBinding> = b
            .imports
            .iter()
            .filter(|i| i.name == "sleep" || i.name == "b")
            .collect();
        let (whole, edits, moved) = removals(tree.root_node(), src, &leaving);
        assert!(whole.is_empty() && moved.is_empty());
        assert_eq!(
            apply(src, edits).unwrap(),
            "from eventlet import spawn\n\nfrom eventlet import (a)\n"
        );
    }

    /// `from eventlet import GreenPool, Timeout` sorts as `eventlet`; left
    /// with Timeout it sorts as `eventlet.timeout`, after `import eventlet`.
    #[test]
    fn a_from_import_left_with_one_name_moves_to_its_sorted_place() {
        let src = "import time\n\nfrom eventlet import GreenPool, Timeout\nimport eventlet\n\
                   from sqlite3 import connect\n\nx = 1\n";
        let tree = parse(src);
        let root = tree.root_node();
        let b = crate::python::bindings::Bindings::analyze(&tree, src);
        let leaving: Vec<&ImportBinding> =
            b.imports.iter().filter(|i| i.name == "GreenPool").collect();
        let (whole, edits, moved) = removals(root, src, &leaving);
        assert!(edits.is_empty());
        assert_eq!(moved.len(), 1);
        assert_eq!(moved[0].statement, "from eventlet import Timeout");
        let (mut edits, refilled) = insertions(root, src, "\n", &moved, &whole, None);
        edits.extend(crate::python::statements::delete_statements(
            root,
            src,
            &whole,
            &refilled,
            &[],
        ));
        assert_eq!(
            apply(src, edits).unwrap(),
            "import time\n\nimport eventlet\nfrom eventlet import Timeout\n\
             from sqlite3 import connect\n\nx = 1\n"
        );
        // In order where it is: it stays.
        let src = "from eventlet import GreenPool, Timeout\nfrom sqlite3 import connect\n";
        let tree = parse(src);
        let b = crate::python::bindings::Bindings::analyze(&tree, src);
        let leaving: Vec<&ImportBinding> =
            b.imports.iter().filter(|i| i.name == "GreenPool").collect();
        let (whole, edits, moved) = removals(tree.root_node(), src, &leaving);
        assert!(whole.is_empty() && moved.is_empty());
        assert_eq!(
            apply(src, edits).unwrap(),
            "from eventlet import Timeout\nfrom sqlite3 import connect\n"
        );
    }

    /// An import inside a block runs there: it never moves to module
    /// level, even where its new key sorts after the next one (`ssl`
    /// after `os`). In a fallback, the handler's import of the name that
    /// goes goes too.
    #[test]
    fn a_fallback_import_left_with_one_name_keeps_its_place() {
        let src = "import time\n\ntry:\n    from eventlet.green import socket, ssl\n    \
                   from eventlet.green import os\nexcept ImportError:\n    import socket\n    \
                   import ssl\n    import os\n";
        let tree = parse(src);
        let b = crate::python::bindings::Bindings::analyze(&tree, src);
        let leaving: Vec<&ImportBinding> =
            b.imports.iter().filter(|i| i.name == "socket").collect();
        assert_eq!(leaving.len(), 1, "the handler's import binds nothing");
        let (whole, mut edits, moved) = removals(tree.root_node(), src, &leaving);
        assert!(moved.is_empty(), "{moved:?}");
        edits.extend(crate::python::statements::delete_statements(
            tree.root_node(),
            src,
            &whole,
            &[],
            &[],
        ));
        assert_eq!(
            apply(src, edits).unwrap(),
            "import time\n\ntry:\n    from eventlet.green import ssl\n    \
             from eventlet.green import os\nexcept ImportError:\n    import ssl\n    import os\n"
        );
    }
}
