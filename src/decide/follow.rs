//! Value flow within a file: following the object a call creates to every
//! place it is used, so that a transform can check each use against its
//! member rules and rename members (`evt.send()` -> `evt.set()`).
//!
//! The object is followed through the plain name it is assigned to (within
//! that function), through `self.attr` (or `cls.attr`) when it is stored on an
//! attribute (across the file, since methods of a class share it), or
//! through the loops over a list of such objects (made by a comprehension or
//! `append`, and only iterated). Anything that cannot be followed (another
//! container, a tuple target, a name rebound to another object, a list used
//! some other way) is a refusal that names the line.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use tree_sitter::Node;

use crate::edit::Edit;
use crate::python::continuation::MAX_LINE;
use crate::python::syntax::{Root, descendants, field_name, named_children, text};
use crate::source::{line_end, line_of, line_start, own_lines};
use crate::transform::model::{ArgsRule, MemberRule, ResultRule};
use crate::transform::template::Template;

/// What following the object found: the edits of its members' uses, and
/// the text to add after member calls (`then`, which may call helpers: it
/// is rendered where the file's names are known), by offset.
#[derive(Debug, Default)]
pub struct Followed {
    pub edits: Vec<Edit>,
    pub appended: Vec<(usize, Template)>,
    /// The members never used whose rule names a difference for that.
    pub unused: Vec<String>,
    /// The members used whose rule names a difference for that.
    pub used: Vec<String>,
    /// The members that end the object outside a `finally` (with their
    /// line): an exception raised before them skips them, so the rule's
    /// difference for an unused member shows on that path.
    pub exposed: Vec<(String, usize)>,
    /// An end (a member with `with_block`) that may close a with block
    /// made of the object's making.
    pub block: Option<Block>,
    /// The members called whose `then` was left out (see
    /// `Rules::then_left_out`).
    pub then_left_out: BTreeSet<String>,
}

/// The object's making, `name = ...` on a statement of its own, and its
/// end, a statement of its own later in the same block or alone in the
/// `finally` of a try right after the making: the statements between may
/// become the body of a with block.
#[derive(Debug, Clone)]
pub struct Block {
    pub member: String,
    pub name: String,
    pub made: Range<usize>,
    pub end: Range<usize>,
    /// The try statement right after the making, and its `finally` clause,
    /// where the end is that clause's only statement (no handler, no
    /// `else`): the with block waits as the `finally` did, and takes the
    /// try's body as it is.
    pub guarded: Option<(Range<usize>, Range<usize>)>,
}

/// What a transform says about the created object's uses.
pub struct Rules<'a> {
    pub members: &'a BTreeMap<String, MemberRule>,
    /// Whether the object may be passed on (to a call, returned, aliased).
    pub escapes: bool,
    /// What thread-local state a task (a member's first argument, see
    /// `MemberRule::task`) is seen to read, if any.
    pub task_state: &'a dyn Fn(Node) -> Option<String>,
    /// Whether an argument is proved never negative (a timeout, see
    /// `MemberRule::timeout`).
    pub non_negative: &'a dyn Fn(Node) -> bool,
    /// Another module that mentions a module-level name of the file (or an
    /// attribute it stores on `self`), where an object so held may be used.
    pub read_elsewhere: &'a dyn Fn(&str) -> Option<String>,
    /// The members whose `then` is left out: its difference is accepted
    /// (see `MemberRule::then_left_out`).
    pub then_left_out: &'a BTreeSet<String>,
}

/// Checks every use of the object `call` creates and returns the edits that
/// rename members. `same_api` tells whether another assignment's right-hand
/// side creates the same kind of object.
pub fn follow(
    call: Node,
    root: Node,
    source: &str,
    rules: &Rules,
    same_api: &dyn Fn(Node) -> bool,
) -> Result<Followed, String> {
    let (mut found, counts) = follow_uses(call, root, source, rules, same_api)?;
    for (member, rule) in rules.members {
        if rule.unused.is_some() && !counts.contains_key(member) {
            found.unused.push(member.clone());
        }
        if rule.used.is_some() && counts.contains_key(member) {
            found.used.push(member.clone());
        }
        if rule.required && !counts.contains_key(member) {
            let unused = match member.as_str() {
                ITERATED => "the object is never read to the end (by a `for` or list())".into(),
                _ => format!("'.{member}' is never used on the object"),
            };
            return Err(format!("{unused}, and its stdlib replacement needs it"));
        }
        let used = counts.contains_key(member);
        if let Some(other) = rule
            .without
            .iter()
            .find(|o| used && counts.contains_key(*o))
        {
            return Err(format!(
                "'.{member}' and '.{other}' are both used on the object, and together they \
                 behave differently in the stdlib"
            ));
        }
    }
    Ok(found)
}

/// What `follow` finds, with how many places use each member.
fn follow_uses(
    call: Node,
    root: Node,
    source: &str,
    rules: &Rules,
    same_api: &dyn Fn(Node) -> bool,
) -> Result<(Followed, HashMap<String, usize>), String> {
    let mut f = Follower {
        source,
        rules,
        found: Followed::default(),
        counts: HashMap::new(),
        last_uses: Vec::new(),
    };
    if let Some((member, attr)) = member_of(call, source) {
        f.check_member(&member, attr)?;
        return Ok((f.found, f.counts));
    }
    let Some(parent) = call.parent() else {
        return Ok((f.found, f.counts));
    };
    if let Some((list, name)) = list_of_objects(call, source) {
        f.follow_list(list, name, same_api)?;
        f.check_last_uses(None)?;
        return Ok((f.found, f.counts));
    }
    if is_container(parent) {
        return Err(format!(
            "the object is stored in a container at line {}, where its uses cannot be followed",
            f.line(call)
        ));
    }
    if let Some(how) = inspected(call, source) {
        return Err(format!(
            "the object's {how} is looked at (line {}), and it differs in the stdlib",
            f.line(call)
        ));
    }
    if parent.kind() != "assignment" || field_name(parent, call) != Some("right") {
        return if rules.escapes || parent.kind() == "expression_statement" {
            Ok((f.found, f.counts))
        } else {
            Err(format!(
                "the object is passed on at line {}, where its uses cannot be followed",
                f.line(call)
            ))
        };
    }
    let left = parent
        .child_by_field_name("left")
        .ok_or("malformed assignment")?;
    let (scope, holder) = match left.kind() {
        "identifier" if in_class_body(parent) => {
            return Err(format!(
                "the object is a class attribute at line {}, which code may use through the \
                 class or its instances, where its uses cannot be followed",
                f.line(call)
            ));
        }
        "identifier" => {
            let scope = enclosing_scope(parent);
            let name = text(left, source);
            if scope.kind() == "module"
                && let Some(reader) = (rules.read_elsewhere)(name)
            {
                return Err(format!(
                    "the object is the module-level '{name}' (line {}), which {reader} \
                     also names, where its uses cannot be followed",
                    f.line(call)
                ));
            }
            (scope, Holder::Name(name))
        }
        "attribute" => {
            let attr = left
                .child_by_field_name("attribute")
                .ok_or("malformed attribute")?;
            // An instance's attribute is the class's to use; another
            // object's (a module's global, `utils.POOL`) is read by code
            // in other files.
            let object = left.child_by_field_name("object").map(|o| text(o, source));
            if !matches!(object, Some("self" | "cls")) {
                return Err(format!(
                    "the object is stored on '{}' at line {}, which code in other files \
                     may use",
                    text(left, source),
                    f.line(call)
                ));
            }
            let name = text(attr, source);
            if let Some(reader) = (rules.read_elsewhere)(name) {
                return Err(format!(
                    "the object is stored on '{}' at line {}, and {reader} also names \
                     '{name}', where its uses cannot be followed",
                    text(left, source),
                    f.line(call)
                ));
            }
            (root, Holder::Attribute(name))
        }
        _ => {
            return Err(format!(
                "the object is unpacked or stored by index at line {}, where its uses cannot be followed",
                f.line(call)
            ));
        }
    };
    let uses = holder.occurrences(scope, source);
    for &node in &uses {
        if let Holder::Name(name) = holder
            && let Some(function) = parameter_of(node).filter(|def| *def != scope)
        {
            return Err(format!(
                "'{name}' is also a parameter at line {}",
                f.line(function)
            ));
        }
        if node != left {
            f.check_use(node, same_api)?;
        }
    }
    let named = matches!(holder, Holder::Name(_)).then_some(Named {
        scope,
        made: call,
        uses: &uses,
    });
    f.check_last_uses(named)?;
    Ok((f.found, f.counts))
}

/// An object held by a plain name: the function it is followed through,
/// the call that makes it, and every occurrence of the name there.
struct Named<'n, 't> {
    scope: Node<'t>,
    made: Node<'t>,
    uses: &'n [Node<'t>],
}

/// The list the object goes into: `name = [<call> for ...]` or
/// `name.append(<call>)`, with the name's node there.
fn list_of_objects<'t>(call: Node<'t>, source: &'t str) -> Option<(Node<'t>, &'t str)> {
    let parent = call.parent()?;
    let holder = match parent.kind() {
        "list_comprehension" if field_name(parent, call) == Some("body") => {
            let assignment = parent
                .parent()
                .filter(|a| a.kind() == "assignment" && field_name(*a, parent) == Some("right"))?;
            assignment.child_by_field_name("left")?
        }
        "argument_list" if parent.named_child_count() == 1 => {
            let function = parent.parent()?.child_by_field_name("function")?;
            let (member, attr) = function
                .child_by_field_name("object")
                .and_then(|object| member_of(object, source))?;
            if member != "append" || attr != function {
                return None;
            }
            function.child_by_field_name("object")?
        }
        _ => return None,
    };
    (holder.kind() == "identifier").then(|| (holder, text(holder, source)))
}

/// Following one created object: the file, the transform's rules, and
/// what the checks of its uses found so far.
struct Follower<'a, 't> {
    source: &'a str,
    rules: &'a Rules<'a>,
    found: Followed,
    /// How many places use each member (for rules that allow one).
    counts: HashMap<String, usize>,
    /// Uses of members that must be the object's last (`rule.last`).
    last_uses: Vec<(String, Node<'t>)>,
}

impl<'t> Follower<'_, 't> {
    fn line(&self, node: Node) -> usize {
        line_of(self.source, node.start_byte())
    }

    /// Checks that each member that ends the object is its last use, and
    /// notes those that an exception raised before them would skip.
    fn check_last_uses(&mut self, named: Option<Named<'_, 't>>) -> Result<(), String> {
        for (member, attr) in &self.last_uses {
            let at = self.line(*attr);
            let end = ending(member);
            let Some(named) = &named else {
                return Err(format!(
                    "{end} ends the object, which is not held by a name in one \
                     function, so it may be used again elsewhere (line {at})"
                ));
            };
            if enclosing_scope(*attr) != named.scope {
                return Err(format!(
                    "{end} ends the object from a nested function (line {at})"
                ));
            }
            // A nested function may run after the end, whatever its place.
            if let Some(nested) = named
                .uses
                .iter()
                .find(|u| enclosing_scope(**u) != named.scope)
            {
                return Err(format!(
                    "{end} ends the object at line {at}, and a nested function uses it \
                     (line {}), which may run after that",
                    self.line(*nested)
                ));
            }
            if let Some(later) = named.uses.iter().find(|u| u.start_byte() > attr.end_byte()) {
                return Err(format!(
                    "{end} ends the object at line {at}, and it is used again at line {}",
                    self.line(*later)
                ));
            }
            let inside = |outer: Node, inner: Node| {
                outer.start_byte() <= inner.start_byte() && inner.end_byte() <= outer.end_byte()
            };
            if let Some(repeated) =
                loops_around(*attr, named.scope).find(|l| !inside(*l, named.made))
            {
                return Err(format!(
                    "{end} ends the object in a loop (line {}) that uses it again \
                     on its next round (line {at})",
                    self.line(repeated)
                ));
            }
            // Ended on some paths only: on the others it is never ended.
            if let Some(branch) = std::iter::successors(attr.parent(), |n| n.parent())
                .take_while(|n| *n != named.scope && !inside(*n, named.made))
                .find(|n| CONDITIONAL.contains(&n.kind()))
            {
                return Err(format!(
                    "{end} ends the object only on some paths (line {})",
                    self.line(branch)
                ));
            }
            // A jump out between the two leaves it unended, unless the end
            // is in a `finally` that the jump passes through.
            if let Some(jump) = jump_between(named.made, *attr, named.scope) {
                return Err(format!(
                    "line {} can jump past {end}, and the object is then never ended",
                    self.line(jump)
                ));
            }
            // Made again on each round, but ended once: the others never are.
            if let Some(repeated) =
                loops_around(named.made, named.scope).find(|l| !inside(*l, *attr))
            {
                return Err(format!(
                    "the object is made in a loop (line {}) and {end} ends only the \
                     last one (line {at})",
                    self.line(repeated)
                ));
            }
            // The try holds the making, or comes right after it.
            let made_statement =
                std::iter::successors(Some(named.made), |n| n.parent()).find(|n| {
                    n.parent()
                        .is_some_and(|p| p.kind() == "block" || p == named.scope)
                });
            let in_finally = std::iter::successors(attr.parent(), |n| n.parent())
                .take_while(|n| *n != named.scope)
                .filter(|n| n.kind() == "finally_clause")
                .filter_map(|clause| clause.parent())
                .any(|statement| {
                    inside(statement, named.made)
                        || made_statement.and_then(|m| m.next_named_sibling()) == Some(statement)
                });
            if !in_finally {
                self.found.exposed.push((member.clone(), at));
            }
            if self.rules.members[member].with_block.is_some() {
                self.found.block = made_statement
                    .and_then(|made| block(member, made, named.made, *attr, self.source))
                    .filter(|block| in_finally == block.guarded.is_some());
            }
        }
        Ok(())
    }

    /// Follows a list of such objects through its function: it may only be
    /// made (`[]`, a comprehension of them), appended such objects, and
    /// iterated by a `for` or a comprehension whose item is then followed.
    fn follow_list(
        &mut self,
        list: Node<'t>,
        name: &str,
        same_api: &dyn Fn(Node) -> bool,
    ) -> Result<(), String> {
        let source = self.source;
        let scope = enclosing_scope(list);
        let holder = Holder::Name(name);
        let made_of_objects = |value: Node| match value.kind() {
            "list" => value.named_child_count() == 0,
            "list_comprehension" => value.child_by_field_name("body").is_some_and(same_api),
            _ => false,
        };
        for node in holder.occurrences(scope, source) {
            let parent = node.parent().ok_or("malformed tree")?;
            let ok = match (parent.kind(), field_name(parent, node)) {
                ("assignment", Some("left")) => parent
                    .child_by_field_name("right")
                    .is_some_and(made_of_objects),
                ("for_statement", Some("right")) => {
                    self.follow_item(parent, scope, &holder)?;
                    true
                }
                ("for_in_clause", Some("right")) => {
                    let comprehension = parent.parent().ok_or("malformed tree")?;
                    self.follow_item(parent, comprehension, &holder)?;
                    true
                }
                ("attribute", Some("object")) => {
                    member_of(node, source).is_some_and(|(member, attr)| {
                        member == "append"
                            && attr
                                .parent()
                                .and_then(|call| call.child_by_field_name("arguments"))
                                .is_some_and(|args| {
                                    args.named_child_count() == 1
                                        && args.named_child(0).is_some_and(same_api)
                                })
                    })
                }
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "the list '{name}' of these objects is used other than by adding them and \
                 iterating it (line {})",
                    self.line(node)
                ));
            }
        }
        Ok(())
    }

    /// Follows the item of a loop over a list of objects (`for item in list`)
    /// through `within`: every use of its name, but as the item of a loop over
    /// the same list, is checked as a use of the object.
    fn follow_item(
        &mut self,
        looping: Node<'t>,
        within: Node<'t>,
        list: &Holder,
    ) -> Result<(), String> {
        let source = self.source;
        let target = looping
            .child_by_field_name("left")
            .filter(|t| t.kind() == "identifier")
            .ok_or_else(|| {
                format!(
                    "the items of a list of these objects are unpacked at line {}",
                    self.line(looping)
                )
            })?;
        let item = Holder::Name(text(target, source));
        let item_of_the_list = |node: Node| {
            node.parent().is_some_and(|p| {
                matches!(p.kind(), "for_statement" | "for_in_clause")
                    && field_name(p, node) == Some("left")
                    && p.child_by_field_name("right")
                        .is_some_and(|r| list.is(r, source))
            })
        };
        let never = |_: Node| false;
        for node in item
            .occurrences(within, source)
            .into_iter()
            .filter(|n| !item_of_the_list(*n))
        {
            self.check_use(node, &never)?;
        }
        Ok(())
    }

    /// Checks one use of the object, and names its line when it is refused.
    fn check_use(&mut self, node: Node<'t>, same_api: &dyn Fn(Node) -> bool) -> Result<(), String> {
        self.check_use_here(node, same_api)
            .map_err(|why| format!("{why} (line {})", self.line(node)))
    }

    /// Why one use of the object is refused, if it is.
    fn check_use_here(
        &mut self,
        node: Node<'t>,
        same_api: &dyn Fn(Node) -> bool,
    ) -> Result<(), String> {
        let source = self.source;
        if let Some(parent) = node.parent()
            && parent.kind() == "assignment"
            && field_name(parent, node) == Some("left")
        {
            let right = parent.child_by_field_name("right");
            return match right {
                Some(r) if r.kind() == "none" || same_api(r) => Ok(()),
                _ => Err("the same name is also given another object".into()),
            };
        }
        if let Some((member, attr)) = member_of(node, source) {
            return self.check_member(&member, attr);
        }
        if self.rules.members.contains_key(ITERATED)
            && let Some(reading) = iterated(node, source)
        {
            reading?;
            return self.check_member(ITERATED, node);
        }
        if let Some(how) = inspected(node, source) {
            return Err(format!(
                "the object's {how} is looked at, and it differs in the stdlib"
            ));
        }
        if self.rules.escapes {
            Ok(())
        } else {
            Err(format!(
                "the object is {}, where its uses cannot be followed",
                how_passed_on(node, source)
            ))
        }
    }

    fn check_member(&mut self, member: &str, attr: Node<'t>) -> Result<(), String> {
        let source = self.source;
        let rule = self.rules.members.get(member).ok_or_else(|| {
        format!(
            "the object is used as '.{member}', which the stdlib type does not offer the same way"
        )
    })?;
        let count = self.counts.entry(member.to_owned()).or_default();
        *count += 1;
        if rule.once && *count > 1 {
            return Err(format!(
                "'.{member}' is used in more than one place; a second one behaves differently in the stdlib"
            ));
        }
        let call = attr
            .parent()
            .filter(|p| p.kind() == "call" && field_name(*p, attr) == Some("function"));
        let arguments = call.and_then(|c| c.child_by_field_name("arguments"));
        let count = arguments.map_or(0, |a| {
            named_children(a)
                .iter()
                .filter(|n| n.kind() != "comment")
                .count()
        });
        let bound_method =
            rule.bound && call.is_none() && attr.parent().is_some_and(|p| is_read(p, attr));
        match rule.args {
            ArgsRule::Any => {}
            ArgsRule::None if (call.is_some() && count == 0) || bound_method => {}
            ArgsRule::One if call.is_some() && count == 1 && !has_keyword_or_splat(arguments) => {}
            ArgsRule::Optional
                if call.is_some() && count <= 1 && !has_keyword_or_splat(arguments) => {}
            ArgsRule::LiteralDropped if call.is_some() && count == 0 => {}
            ArgsRule::LiteralDropped
                if let Some(args) = arguments.filter(|a| a.kind() == "argument_list")
                    && count == 1
                    && named_children(args).iter().all(|n| is_literal(*n)) =>
            {
                self.found
                    .edits
                    .push(Edit::replace(args.byte_range(), "()".to_owned()));
            }
            ArgsRule::None => {
                return Err(format!("'.{member}' is used with arguments or not called"));
            }
            ArgsRule::One => {
                return Err(format!(
                    "'.{member}' is not called with exactly one positional argument"
                ));
            }
            ArgsRule::Optional => {
                return Err(format!(
                    "'.{member}' is not called with at most one positional argument"
                ));
            }
            ArgsRule::LiteralDropped => {
                return Err(format!(
                    "'.{member}' is not called with no argument or one literal"
                ));
            }
        }
        if rule.unhandled
            && let Some(handler) = call.and_then(enclosing_handler)
        {
            return Err(format!(
                "'.{member}()' is called inside the {} at line {}, which may catch what it \
                 raises; the stdlib member does not raise it",
                match handler.kind() {
                    "try_statement" => "try statement",
                    _ => "with block",
                },
                handler.start_position().row + 1
            ));
        }
        if rule.task
            && let Some(task) = arguments.and_then(|a| a.named_child(0))
            && let Some(state) = (self.rules.task_state)(task)
        {
            return Err(format!(
                "the task reads {state}: a worker thread of the executor runs task after \
                 task, so it would see what the task before it left there, where each \
                 green thread started afresh"
            ));
        }
        if let Some(position) = rule.timeout
            && let Some(arguments) = arguments
        {
            match timeout_argument(arguments, position, source) {
                Err(()) => {
                    return Err(format!(
                        "'.{member}()' is given unpacked arguments, which may hold a timeout"
                    ));
                }
                Ok(Some(value)) if value.kind() != "none" && !(self.rules.non_negative)(value) => {
                    return Err(format!(
                        "'.{member}()' is given a timeout not proved never negative ({}): \
                         eventlet took a negative one as already expired, where the stdlib \
                         raises ValueError or returns at once",
                        text(value, source)
                    ));
                }
                Ok(_) => {}
            }
        }
        if rule.result == ResultRule::Unused {
            let discarded = call
                .and_then(|c| c.parent())
                .is_some_and(|p| p.kind() == "expression_statement" && p.named_child_count() == 1);
            if !discarded {
                return Err(format!(
                    "the value of '.{member}()' is used, and it differs in the stdlib"
                ));
            }
        }
        if let Some(to) = &rule.to {
            let name = attr
                .child_by_field_name("attribute")
                .ok_or("malformed attribute")?;
            if text(name, source) != to {
                self.found
                    .edits
                    .push(Edit::replace(name.byte_range(), to.clone()));
            }
        }
        if let (Some(fill), Some(args)) = (&rule.empty_args, arguments)
            && count == 0
            && args.kind() == "argument_list"
        {
            self.found
                .edits
                .push(Edit::replace(args.byte_range(), format!("({fill})")));
        }
        if let Some(then) = &rule.then {
            let call = call.ok_or_else(|| format!("'.{member}' is not called"))?;
            if self.rules.then_left_out.contains(member) {
                self.found.then_left_out.insert(member.to_owned());
            } else {
                self.found.appended.push((call.end_byte(), then.clone()));
            }
        }
        if rule.last {
            self.last_uses.push((member.to_owned(), attr));
        }
        Ok(())
    }
}

impl Block {
    /// The edits that make the statements between the object's making and
    /// its end the body of the with block: each of their lines indented one
    /// level more, and the end's line deleted. `Err` where that cannot be
    /// written: a string or an `edited` statement that goes on across a
    /// line, a tab, a line that would grow too long, an end sharing its
    /// line, or no statement between.
    pub fn body_edits(
        &self,
        root: &Root,
        source: &str,
        edited: &dyn Fn(Range<usize>) -> bool,
    ) -> Result<Vec<Edit>, String> {
        if let Some((statement, clause)) = &self.guarded {
            return guarded_edits(statement, clause, &self.end, source);
        }
        const INDENT: &str = "    ";
        let first = line_end(source, self.made.end) + 1;
        let end_lines =
            own_lines(source, self.end.clone()).ok_or("the end shares its line with other code")?;
        let end_line = end_lines.start;
        let mut edits = Vec::new();
        let mut statements = false;
        let mut at = first;
        while at < end_line {
            let next = (line_end(source, at) + 1).min(source.len());
            let line = source[at..next].trim_end_matches(['\n', '\r']);
            let content = line.trim_start();
            if !content.is_empty() {
                if line[..line.len() - content.len()].contains('\t') {
                    return Err("a line of the block is indented with a tab".into());
                }
                if line.chars().count() + INDENT.len() > MAX_LINE {
                    return Err(format!(
                        "line {} would grow past {MAX_LINE} columns in the with block",
                        line_of(source, at)
                    ));
                }
                // A line that goes on a statement begun above: inside a
                // string it is text, and an `edited` statement's edits
                // would not count the block's indentation.
                let first = at + (line.len() - content.len());
                let ancestors: Vec<Node> = root
                    .descendant_for_byte_range(first, first)
                    .into_iter()
                    .flat_map(|n| std::iter::successors(Some(n), |n| root.parent(*n)))
                    .take_while(|n| !matches!(n.kind(), "block" | "module"))
                    .collect();
                let begun_above = |n: &&Node| n.start_byte() < at;
                let in_string = ancestors
                    .iter()
                    .filter(begun_above)
                    .any(|n| n.kind() == "string");
                let edited_statement = ancestors
                    .last()
                    .filter(begun_above)
                    .is_some_and(|statement| edited(statement.byte_range()));
                if in_string || edited_statement {
                    return Err(format!(
                        "line {} goes on a statement begun above that the block cannot \
                         indent",
                        line_of(source, at)
                    ));
                }
                statements |= !content.starts_with('#');
                edits.push(Edit::insert(at, INDENT.to_owned()));
            }
            at = next;
        }
        if !statements {
            return Err("no statement stands between the object's making and its end".into());
        }
        edits.push(Edit::replace(end_lines, String::new()));
        Ok(edits)
    }
}

/// The edits that make a try's body, whose `finally` holds only the
/// object's `end`, the body of the with block: its `try:` line and its
/// `finally:` clause go.
fn guarded_edits(
    statement: &Range<usize>,
    clause: &Range<usize>,
    end: &Range<usize>,
    source: &str,
) -> Result<Vec<Edit>, String> {
    // The line starting at `at`, where it holds `written` alone.
    let keyword_line = |at: usize, written: &str| {
        let (start, stop) = (line_start(source, at), line_end(source, at));
        (source[start..stop].trim() == written).then(|| start..(stop + 1).min(source.len()))
    };
    let try_line = keyword_line(statement.start, "try:")
        .ok_or("the try statement's line holds more than `try:`")?;
    let finally_line = keyword_line(clause.start, "finally:")
        .ok_or("the finally clause's line holds more than `finally:`")?;
    let end_line =
        own_lines(source, end.clone()).ok_or("the end shares its line with other code")?;
    if end_line.start != finally_line.end {
        return Err("the end is not on the line after `finally:`".into());
    }
    Ok(vec![
        Edit::replace(try_line, String::new()),
        Edit::replace(finally_line.start..end_line.end, String::new()),
    ])
}

/// The with block made of `made` (the statement making the object with
/// `call`) and the statement holding the end `member`'s `attr`: `name =
/// call` and `name.end()`, statements of one block, or the end alone in
/// the `finally` of a try right after the making.
fn block(member: &str, made: Node, call: Node, attr: Node, source: &str) -> Option<Block> {
    let assignment = made
        .named_child(0)
        .filter(|_| made.kind() == "expression_statement" && made.named_child_count() == 1)
        .filter(|a| a.kind() == "assignment" && a.child_by_field_name("right") == Some(call))?;
    let name = assignment
        .child_by_field_name("left")
        .filter(|l| l.kind() == "identifier")?;
    let end = attr
        .parent()
        .and_then(|c| c.parent())
        .filter(|s| s.kind() == "expression_statement" && s.named_child_count() == 1)?;
    let guarded = if end.parent() == made.parent() {
        None
    } else {
        let clause = end
            .parent()
            .filter(|b| b.kind() == "block" && b.named_child_count() == 1)?
            .parent()
            .filter(|c| c.kind() == "finally_clause")?;
        let statement = clause
            .parent()
            .filter(|t| made.next_named_sibling() == Some(*t))
            .filter(|t| t.named_child_count() == 2)?;
        Some((statement.byte_range(), clause.byte_range()))
    };
    Some(Block {
        member: member.to_owned(),
        name: text(name, source).to_owned(),
        made: made.byte_range(),
        end: end.byte_range(),
        guarded,
    })
}

/// The argument a call passes for the timeout parameter at `position`
/// (or as `timeout=`), if any; `Err` when `*` or `**` unpacking may pass it.
fn timeout_argument<'t>(
    arguments: Node<'t>,
    position: usize,
    source: &str,
) -> Result<Option<Node<'t>>, ()> {
    let mut positional = 0;
    for argument in named_children(arguments) {
        match argument.kind() {
            "comment" => {}
            "list_splat" | "dictionary_splat" => return Err(()),
            "keyword_argument" => {
                let named_timeout = argument
                    .child_by_field_name("name")
                    .is_some_and(|name| text(name, source) == "timeout");
                if named_timeout {
                    return Ok(argument.child_by_field_name("value"));
                }
            }
            _ => {
                if positional == position {
                    return Ok(Some(argument));
                }
                positional += 1;
            }
        }
    }
    Ok(None)
}

/// A string, number or constant, which evaluates to itself.
fn is_literal(node: Node) -> bool {
    matches!(
        node.kind(),
        "string" | "concatenated_string" | "integer" | "float" | "true" | "false" | "none"
    ) && !descendants(node).any(|n| n.kind() == "interpolation")
}

/// Whether `node`, a child of `parent`, is read there, not assigned or
/// deleted.
fn is_read(parent: Node, node: Node) -> bool {
    match parent.kind() {
        "assignment" | "augmented_assignment" => field_name(parent, node) != Some("left"),
        "delete_statement" | "pattern_list" | "tuple_pattern" => false,
        _ => true,
    }
}

/// The member rule for reading the object to its end, as a `for` loop's
/// iterable or the argument of `list()` or `tuple()`.
const ITERATED: &str = "__iter__";

/// How a member that ends the object is named in reasons.
fn ending(member: &str) -> String {
    match member {
        ITERATED => "reading it to the end".into(),
        _ => format!("'.{member}()'"),
    }
}

/// Whether `node` is read to its end here: `Some(Ok)` as the iterable of
/// a `for` whose body cannot leave the loop early, or as the argument of
/// `list()` or `tuple()`; `Some(Err)` for a `for` that can.
fn iterated(node: Node, source: &str) -> Option<Result<(), String>> {
    let parent = node.parent()?;
    if parent.kind() == "for_statement" && field_name(parent, node) == Some("right") {
        let body = parent.child_by_field_name("body")?;
        let early = crate::python::syntax::descendants(body)
            .filter(|n| {
                matches!(
                    n.kind(),
                    "break_statement" | "return_statement" | "raise_statement" | "yield"
                )
            })
            .filter(|n| enclosing_scope(*n) == enclosing_scope(parent))
            // A `break` of a loop inside the body stays in the body.
            .find(|n| {
                n.kind() != "break_statement"
                    || std::iter::successors(n.parent(), |p| p.parent())
                        .find(|p| matches!(p.kind(), "for_statement" | "while_statement"))
                        == Some(parent)
            });
        return Some(match early {
            Some(n) => Err(format!(
                "the {} at line {} can stop the loop over the object before its end",
                text(n, source)
                    .split_whitespace()
                    .next()
                    .unwrap_or("statement"),
                line_of(source, n.start_byte())
            )),
            None => Ok(()),
        });
    }
    let call = parent
        .parent()
        .filter(|_| parent.kind() == "argument_list" && parent.named_child_count() == 1)?;
    let function = call.child_by_field_name("function")?;
    (function.kind() == "identifier" && matches!(text(function, source), "list" | "tuple"))
        .then_some(Ok(()))
}

/// Calls that look at what an object is rather than use it.
const INSPECTORS: &[(&str, &str)] = &[
    ("type", "type"),
    ("isinstance", "type"),
    ("issubclass", "type"),
    ("repr", "representation"),
    ("str", "representation"),
    ("print", "representation"),
    ("format", "representation"),
    ("vars", "attributes"),
    ("dir", "attributes"),
];

/// What is looked at when `node` is passed to `type()`, `repr()`, `print()`
/// and the like, which would tell the eventlet object from the stdlib one.
fn inspected(node: Node, source: &str) -> Option<&'static str> {
    let args = node.parent().filter(|p| p.kind() == "argument_list")?;
    let callee = args.parent()?.child_by_field_name("function")?;
    INSPECTORS
        .iter()
        .find(|(name, _)| text(callee, source) == *name)
        .map(|(_, how)| *how)
}

fn has_keyword_or_splat(arguments: Option<Node>) -> bool {
    arguments.is_some_and(|a| {
        named_children(a).iter().any(|n| {
            matches!(
                n.kind(),
                "keyword_argument" | "list_splat" | "dictionary_splat"
            )
        })
    })
}

/// Where the object is kept.
#[derive(Clone, Copy)]
enum Holder<'s> {
    Name(&'s str),
    /// Any `<object>.attr`: the object is usually `self`, seen from several methods.
    Attribute(&'s str),
}

impl Holder<'_> {
    /// The nodes in `within` that hold the object, in the order of the
    /// text, found from the name's occurrences rather than by walking.
    fn occurrences<'t>(&self, within: Node<'t>, source: &str) -> Vec<Node<'t>> {
        let (Holder::Name(word) | Holder::Attribute(word)) = *self;
        let bytes = source.as_bytes();
        let outside_word = |at: usize| {
            bytes
                .get(at)
                .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        };
        let range = within.byte_range();
        memchr::memmem::find_iter(&bytes[range.clone()], word.as_bytes())
            .map(|at| range.start + at)
            .filter(|&at| (at == 0 || outside_word(at - 1)) && outside_word(at + word.len()))
            .filter_map(|at| within.descendant_for_byte_range(at, at + word.len()))
            .filter_map(|id| match self {
                Holder::Name(_) => Some(id),
                Holder::Attribute(_) => id.parent(),
            })
            .filter(|node| self.is(*node, source))
            .collect()
    }

    fn is(&self, node: Node, source: &str) -> bool {
        match self {
            Holder::Name(name) => {
                node.kind() == "identifier"
                    && text(node, source) == *name
                    && !node.parent().is_some_and(|p| {
                        p.kind() == "attribute" && field_name(p, node) == Some("attribute")
                            || p.kind() == "keyword_argument" && field_name(p, node) == Some("name")
                    })
            }
            Holder::Attribute(name) => {
                node.kind() == "attribute"
                    && node
                        .child_by_field_name("attribute")
                        .is_some_and(|a| text(a, source) == *name)
            }
        }
    }
}

/// The function or lambda among whose parameters (defaults included)
/// `node` is.
fn parameter_of(node: Node) -> Option<Node> {
    let mut child = node;
    while let Some(parent) = child.parent() {
        if matches!(parent.kind(), "function_definition" | "lambda") {
            return (field_name(parent, child) == Some("parameters")).then_some(parent);
        }
        child = parent;
    }
    None
}

/// A `return`, `raise`, `break` or `continue` of `scope` between `made` and
/// `end` that would skip `end`: not in a nested function, and not inside a
/// `try` whose `finally` holds `end`.
fn jump_between<'t>(made: Node<'t>, end: Node<'t>, scope: Node<'t>) -> Option<Node<'t>> {
    let finally_tries: Vec<Node> = std::iter::successors(end.parent(), |n| n.parent())
        .take_while(|n| *n != scope)
        .filter(|n| n.kind() == "finally_clause")
        .filter_map(|f| f.parent())
        .collect();
    crate::python::syntax::descendants(scope)
        .filter(|n| {
            matches!(
                n.kind(),
                "return_statement" | "raise_statement" | "break_statement" | "continue_statement"
            )
        })
        .filter(|n| made.end_byte() <= n.start_byte() && n.end_byte() <= end.start_byte())
        .filter(|n| enclosing_scope(*n) == scope)
        // `break` and `continue` skip `end` only inside a loop around it.
        .filter(|n| {
            !matches!(n.kind(), "break_statement" | "continue_statement")
                || std::iter::successors(n.parent(), |p| p.parent())
                    .find(|p| matches!(p.kind(), "for_statement" | "while_statement"))
                    .is_some_and(|l| {
                        l.start_byte() <= end.start_byte() && end.end_byte() <= l.end_byte()
                    })
        })
        .find(|n| {
            !finally_tries
                .iter()
                .any(|t| t.start_byte() <= n.start_byte() && n.end_byte() <= t.end_byte())
        })
}

/// Nodes whose parts run on some paths only.
const CONDITIONAL: &[&str] = &[
    "if_statement",
    "except_clause",
    "conditional_expression",
    "boolean_operator",
    "match_statement",
];

/// The loops (and comprehensions) around `node` inside `scope`, innermost
/// first.
fn loops_around<'t>(node: Node<'t>, scope: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    std::iter::successors(Some(node), |n| n.parent())
        .take_while(move |n| *n != scope)
        .filter_map(|child| child.parent().map(|loop_| (child, loop_)))
        // A `for` statement's iterable is evaluated once, before any round.
        .filter(|(child, loop_)| {
            loop_.kind() != "for_statement" || field_name(*loop_, *child) != Some("right")
        })
        .map(|(_, loop_)| loop_)
        .filter(|n| {
            matches!(
                n.kind(),
                "for_statement"
                    | "while_statement"
                    | "list_comprehension"
                    | "set_comprehension"
                    | "dictionary_comprehension"
                    | "generator_expression"
            )
        })
}

/// `(member, attribute node)` when `node` is the object of an attribute.
pub fn member_of<'t>(node: Node<'t>, source: &str) -> Option<(String, Node<'t>)> {
    let parent = node.parent()?;
    if parent.kind() != "attribute" || field_name(parent, node) != Some("object") {
        return None;
    }
    let attr = parent.child_by_field_name("attribute")?;
    Some((text(attr, source).to_owned(), parent))
}

fn is_container(node: Node) -> bool {
    matches!(
        node.kind(),
        "list"
            | "tuple"
            | "set"
            | "pair"
            | "expression_list"
            | "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression"
    )
}

/// Whether a node is in a class body, outside its methods.
fn in_class_body(node: Node) -> bool {
    let mut at = node;
    while let Some(parent) = at.parent() {
        match parent.kind() {
            "class_definition" => return true,
            "function_definition" | "lambda" => return false,
            _ => at = parent,
        }
    }
    false
}

/// The function (or module) a node is in.
pub fn enclosing_scope(node: Node) -> Node {
    let mut scope = node;
    while let Some(p) = scope.parent() {
        scope = p;
        if matches!(p.kind(), "function_definition" | "lambda") {
            break;
        }
    }
    scope
}

/// How a use of the object hands it on: stored (into a subscript or
/// another name's attribute), passed to a call, returned, or otherwise.
fn how_passed_on(node: Node, source: &str) -> String {
    let Some(parent) = node.parent() else {
        return "passed on".into();
    };
    match parent.kind() {
        "assignment" if field_name(parent, node) == Some("right") => {
            match parent.child_by_field_name("left") {
                Some(left) if !text(left, source).contains('\n') => {
                    format!("stored in '{}'", text(left, source))
                }
                _ => "stored elsewhere".into(),
            }
        }
        "argument_list" | "keyword_argument" => "passed to a call".into(),
        "return_statement" => "returned".into(),
        "list" | "tuple" | "set" | "dictionary" | "pair" => "put in a container".into(),
        _ => "passed on".into(),
    }
}

/// The innermost try statement with except clauses, or with statement,
/// whose body holds `node`, within its function.
fn enclosing_handler(node: Node) -> Option<Node> {
    let mut child = node;
    while let Some(parent) = child.parent() {
        match parent.kind() {
            "function_definition" | "lambda" | "class_definition" | "module" => return None,
            "with_statement" if field_name(parent, child) == Some("body") => return Some(parent),
            "try_statement"
                if field_name(parent, child) == Some("body")
                    && named_children(parent)
                        .iter()
                        .any(|c| matches!(c.kind(), "except_clause" | "except_group_clause")) =>
            {
                return Some(parent);
            }
            _ => {}
        }
        child = parent;
    }
    None
}
