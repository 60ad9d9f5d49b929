//! Decides, for each eventlet use, which transform rewrites it, or why none
//! may: the call's shape and arguments, the transform's guards on the file,
//! and what the whole tree requires.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::{FileAnalysis, Through, UNKNOWN_LOOKUP, Use, UseKind, is_mock_assertion};
use crate::decide::follow::{self, member_of};
use crate::decide::helper_site::HelperSite;
use crate::decide::identity;
use crate::decide::tree_facts::{
    FileContext, Lookups, Relaxed, WithMocks, add_new, patched_by_call,
};
use crate::decide::{covered_mock, narrow_mock, started_reach};
use crate::edit::Edit;
use crate::project::metadata::normalise;
use crate::project::requirements::RequirementFloors;
use crate::python::bindings::{Bindings, MODULE_SCOPE, Reads, module_bound_to};
use crate::python::config_options::ProjectBounds;
use crate::python::continuation::MAX_LINE;
use crate::python::module_names::{ModuleRef, name_module};
use crate::python::non_negative::Proof;
use crate::python::patchers::{Patchers, positional_args};
use crate::python::suppression;
use crate::python::syntax::{
    Root, argument_removal, descendants, dotted_name_literal, field_name, is_primary,
    named_children, node_at, sole_dotted_name_argument, text,
};
use crate::python::thread_locals::{self, StateRead};
use crate::source::{line_end, line_of, line_start};
use crate::transform::catalogue::stdlib_names;
use crate::transform::model::{Case, CaseAction, Guard, MemberRule, MockForm, Param};
use crate::transform::template::{ALL_ARGUMENTS, Piece, REST_AS_DICT, REST_AS_TUPLE, Template};
use crate::transform::{
    ApiId, Catalogue, DifferenceId, Requirement, Safety, Shape, Transform, TransformId,
    UNPATCHED_THREADS,
};

/// A with block that makes a followed object (see `Matcher::with_block`).
struct WithBlock {
    block: follow::Block,
    body_edits: Vec<Edit>,
    difference: Option<DifferenceId>,
}

/// What the user allows to be applied.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The least safe exact class applied (`safe` or `conditional`).
    pub max_safety: Safety,
    /// The behaviour differences the user accepts: a review-level rewrite
    /// is made when all of its differences are accepted.
    pub accepted: HashSet<DifferenceId>,
    /// Only these transform ids, when given.
    pub select: Option<HashSet<String>>,
    pub ignore: HashSet<String>,
}

impl Selection {
    /// The differences accepted: every one of the catalogue (`--review`,
    /// safety "review"), or those named; an unknown id is an error.
    pub fn accepting<'i>(
        catalogue: &Catalogue,
        all: bool,
        ids: impl IntoIterator<Item = &'i String>,
    ) -> Result<HashSet<DifferenceId>, String> {
        if all {
            return Ok((0..catalogue.differences.len()).collect());
        }
        ids.into_iter()
            .map(|id| {
                catalogue.difference_by_id(id).ok_or_else(|| {
                    format!("unknown difference id '{id}' (see `eventless transforms differences`)")
                })
            })
            .collect()
    }

    /// Whether every one of these differences is accepted.
    pub fn accepts(&self, differences: &[DifferenceId]) -> bool {
        differences.iter().all(|d| self.accepted.contains(d))
    }

    /// `Ok` when the user lets `transform` make a rewrite of this safety
    /// (the differences of a review-level one are checked by `accepts`).
    pub fn allows(&self, transform: &Transform, safety: Safety) -> Result<(), String> {
        let id = &transform.id;
        if self.ignore.contains(id) || self.select.as_ref().is_some_and(|s| !s.contains(id)) {
            return Err(format!(
                "transform '{id}' is not selected (--select/--ignore)"
            ));
        }
        if safety != Safety::Review && safety > self.max_safety {
            return Err(format!(
                "'{id}' is a {} rewrite; --safety {} leaves it",
                safety.as_str(),
                self.max_safety.as_str()
            ));
        }
        Ok(())
    }
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            max_safety: Safety::Conditional,
            accepted: HashSet::new(),
            select: None,
            ignore: HashSet::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Rewrite {
    pub transform: TransformId,
    pub safety: Safety,
    /// Its behaviour differences (a review-level rewrite).
    pub differences: Vec<DifferenceId>,
    /// Where differences that come from the programs running the file show
    /// (`green threads run in ... and ... patches 'time' only in some runs`),
    /// by difference.
    pub conditions: Vec<(DifferenceId, String)>,
    /// The bytes replaced: the call, the statement or the name.
    pub range: Range<usize>,
    /// Replace a whole statement (an empty text deletes it).
    pub statement: bool,
    pub template: Template,
    /// Argument texts by parameter.
    pub arguments: HashMap<String, Argument>,
    /// Appended as `.a.b` (a from-import that reached past a module API).
    pub suffix: Vec<String>,
    /// Edits that go with the main one: where the created object is used
    /// (member renames), a Timeout block's own, a mock's module argument.
    pub attached_edits: Vec<Edit>,
    /// Text added after member calls (`.add_done_callback(...)`), by
    /// offset, rendered with the names of the round that makes it.
    pub appended: Vec<(usize, Template)>,
    /// Uses whose rewrite this one is correct only with: made in the same
    /// round, or this one waits.
    pub needs: Vec<Range<usize>>,
    /// A module the file imports in place of the deleted statement, as a
    /// template names it (`threading`, `dns:reversename`), and the name
    /// that statement bound, which the import takes over.
    pub imports: Option<(String, String)>,
}

impl Rewrite {
    /// The rewrite with the differences of conditions (requirements, the
    /// tests' mocks) that hold only with them: review level.
    fn relaxed(self, catalogue: &Catalogue, relaxed: Vec<Relaxed>) -> Rewrite {
        relaxed
            .into_iter()
            .fold(self, |rewrite, Relaxed { difference, why }| {
                let id = catalogue
                    .difference_by_id(difference)
                    .expect("the catalogue checks that it has the differences requirements name");
                rewrite.with_difference(id, why)
            })
    }

    /// The rewrite with one more difference, and where it shows.
    fn with_difference(mut self, id: DifferenceId, why: String) -> Rewrite {
        if !self.differences.contains(&id) {
            self.differences.push(id);
        }
        self.conditions.push((id, why));
        self.safety = Safety::Review;
        self
    }

    /// The helpers the rewrite calls.
    pub fn helpers(&self) -> impl Iterator<Item = &str> {
        self.template
            .helpers()
            .chain(self.appended.iter().flat_map(|(_, t)| t.helpers()))
    }

    /// Where its first edit begins.
    pub fn start(&self) -> usize {
        self.attached_edits
            .iter()
            .map(|e| e.range.start)
            .chain(self.appended.iter().map(|(at, _)| *at))
            .fold(self.range.start, usize::min)
    }
}

/// What a template's `{param}` stands for.
#[derive(Debug, Clone)]
pub struct Argument {
    pub text: String,
    /// A primary expression needs no parentheses around it.
    pub primary: bool,
    /// Where the text was copied from, when it was copied as one piece.
    pub copied: Option<Range<usize>>,
}

impl Argument {
    fn copied(node_range: Range<usize>, source: &str, primary: bool) -> Argument {
        Argument {
            text: source[node_range.clone()].to_owned(),
            primary,
            copied: Some(node_range),
        }
    }

    fn written(text: String, primary: bool) -> Argument {
        Argument {
            text,
            primary,
            copied: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Fate {
    Rewrite(Rewrite),
    /// Left for a person: the transform that was tried, if any, and why.
    Manual(Option<TransformId>, String),
    /// A review-level rewrite whose differences the user has not accepted:
    /// left for a person, and counted as what accepting them unlocks.
    Unaccepted(Rewrite),
    /// An import clause: kept, or removed once nothing uses it.
    Import,
}

impl Fate {
    /// Left for a person in this run, whatever the reason.
    pub fn is_manual(&self) -> bool {
        matches!(self, Fate::Manual(..) | Fate::Unaccepted(_))
    }
}

pub struct Matcher<'a> {
    pub catalogue: &'a Catalogue,
    pub context: FileContext<'a>,
    pub selection: &'a Selection,
    /// The lower bounds of the project's options and modules' constants.
    pub bounds: &'a ProjectBounds,
    /// The calls with which the project's tests patch names.
    pub patchers: &'a Patchers,
    /// The lowest release of each library the project's requirements allow.
    pub requirement_floors: &'a RequirementFloors,
    /// The name the project declares itself under.
    pub project_name: Option<&'a str>,
    /// Where the file's helpers are defined.
    pub helpers: HelperSite<'a>,
    /// Whether each use a `follows` guard asked about (by its start) is
    /// rewritten: every mention that follows a queue asks about them all.
    pub followed: RefCell<HashMap<usize, Option<usize>>>,
    /// What the functions the file's spawns start reach.
    pub(crate) reach: started_reach::ReachAnswers,
}

impl Matcher<'_> {
    pub fn decide(&self, u: &Use, root: &Root, source: &str, file: &FileAnalysis) -> Fate {
        let mut candidates = match decide_without_code(self.catalogue, u) {
            Ok(fate) => return fate,
            Err(candidates) => candidates,
        };
        let provider = u
            .api
            .and_then(|a| self.catalogue.apis[a].provided_by.as_deref());
        let is_own = |package: &&str| {
            self.project_name
                .is_some_and(|name| normalise(name) == normalise(package))
        };
        // eventlet's own code and tests are what the migration moves off,
        // and its tests of a green API exist to run it green.
        if is_own(&"eventlet") {
            return Fate::Manual(
                None,
                "this project is eventlet itself: its code and its tests of its own APIs \
                 are what users move off, not a use to migrate"
                    .into(),
            );
        }
        if let Some(package) = provider.filter(is_own) {
            return Fate::Manual(
                None,
                format!(
                    "this project is {package}, whose own eventlet feature this is: its code \
                     and tests of the feature go when {package} drops it, not as a user's"
                ),
            );
        }
        if self.context.tests_eventlet() {
            return Fate::Manual(
                None,
                "this test module is named for eventlet: it tests the project's support of \
                 eventlet, which it keeps while that support lasts and drops with it, not a use \
                 to migrate"
                    .into(),
            );
        }
        // A comment on the import keeps the uses of the name it binds too:
        // rewriting them would rewrite the import it keeps.
        let import_line = u
            .named_import()
            .map(|i| file.bindings.imports[i].clause.start)
            .filter(|&at| line_start(source, at) != line_start(source, u.range.start));
        let comments = [
            (Some(u.range.start), "its line"),
            (import_line, "its import's line"),
        ];
        for (at, place) in comments {
            let Some(suppression) = at.and_then(|at| suppression::on_line(root.node(), source, at))
            else {
                continue;
            };
            candidates.retain(|id| !suppression.covers(&self.catalogue.transforms[*id].id));
            if candidates.is_empty() {
                return Fate::Manual(
                    None,
                    format!("kept as it is by the '# eventless: ignore' comment on {place}"),
                );
            }
        }
        let fate = self.try_candidates(u, &candidates, root, source, file);
        // What a rewrite would break in the file or the project, it leaves.
        let (Fate::Rewrite(rw) | Fate::Unaccepted(rw)) = &fate else {
            return fate;
        };
        if let Some(line) = comment_dropped(rw, root, source) {
            return Fate::Manual(
                Some(rw.transform),
                format!(
                    "the comment at line {line} is inside what the rewrite replaces, which \
                     would drop it: move it out of the call, then run again"
                ),
            );
        }
        if let Some(said) = self.requirement_floors.python2() {
            return Fate::Manual(
                Some(rw.transform),
                format!(
                    "the project still runs on Python 2 ({said}), whose standard library \
                     lacks much of what the rewrites write (the queue module, \
                     concurrent.futures, Thread's daemon=): it moves once the project \
                     drops Python 2"
                ),
            );
        }
        fate
    }

    fn try_candidates(
        &self,
        u: &Use,
        candidates: &[TransformId],
        root: &Root,
        source: &str,
        file: &FileAnalysis,
    ) -> Fate {
        let api = u.api.expect("uses with candidates name an API");
        let mut refusal = None;
        // A review-level rewrite the user has not accepted gives way to a
        // later candidate's that is made (a joined thread stays a Future
        // where start-order is not accepted); with none, it is reported.
        let mut unaccepted = None;
        for &id in candidates {
            // Whether the transform takes the code, and only the tests'
            // mocks hold it: that says more than another form's refusal.
            let mut taken = false;
            let attempt = self
                .try_transform(id, u, root, source, file, true)
                .and_then(|mut rw| {
                    taken = true;
                    if matches!(u.kind, UseKind::Reference | UseKind::Option) {
                        // Code moves only with the mocks of the programs
                        // that may run it, and has their differences (a
                        // wider mock), or leaves mocks that only skipped
                        // its wait.
                        let context = self.context.at_use(u.range.start);
                        context.check_not_reassigned(api, &u.name)?;
                        let read = u.lookup(root, &file.bindings, source).path;
                        let with_mocks = context.check_moves_whole(api, &u.name, &read)?;
                        for &inner in &self.catalogue.apis[api].calls {
                            let inner_name = &self.catalogue.apis[inner].name;
                            context.check_not_mocked_within(inner, inner_name, &u.name)?;
                        }
                        for id in with_mocks.moving {
                            let why = format!("the tests' mocks of {} move with it", u.name);
                            rw = rw.with_difference(id, why);
                        }
                        rw = rw.relaxed(self.catalogue, with_mocks.escaped.into_iter().collect());
                        if let Some(mock) =
                            node_at(root, &u.range).and_then(|n| mock_behaviour(root, n, source))
                        {
                            return Err(format!(
                                "it is the {} of the mock at line {} ({}): while that patch is \
                                 active, the stdlib call it would become may be the mock itself",
                                mock.keyword, mock.line, mock.call
                            ));
                        }
                    }
                    Ok(rw)
                });
            match attempt {
                Ok(rewrite) => {
                    let transform = &self.catalogue.transforms[id];
                    return match self.selection.allows(transform, rewrite.safety) {
                        Err(why) => Fate::Manual(Some(id), why),
                        Ok(()) if !self.selection.accepts(&rewrite.differences) => {
                            unaccepted.get_or_insert(rewrite);
                            continue;
                        }
                        Ok(()) => Fate::Rewrite(rewrite),
                    };
                }
                Err(why) => {
                    // A statement transform's refusal of a call whose value
                    // is used says less than another transform's, and so
                    // does a block transform's for another blocking call,
                    // and the refusal of a transform whose form guard the
                    // site fails (a dropped value, an executor not made by
                    // a `with`): another transform takes that form.
                    let t = &self.catalogue.transforms[id];
                    let node = node_at(root, &u.range);
                    let value_dropped = node
                        .and_then(|n| called(root, n))
                        .and_then(statement_of)
                        .is_some();
                    let fits = match (t.shape, &t.block) {
                        (Shape::Statement, _) => value_dropped,
                        (Shape::Block, Some(rule)) => node.is_some_and(|n| {
                            crate::decide::timeout_block::names_method(rule, n, api, source, file)
                        }),
                        _ => node.is_some_and(|n| {
                            t.guards
                                .iter()
                                .filter(|g| g.is_form())
                                .all(|g| check_guard(g, u, n, root, source, file).is_ok())
                        }),
                    };
                    // The user is told why what they accept is not made.
                    let accepted = t
                        .cases
                        .iter()
                        .any(|c| self.selection.accepts(&c.differences));
                    // A covered mock's refusal (no setUp patches the same)
                    // says less than any other's.
                    let fits = fits && accepted && t.mock_form != MockForm::Covered;
                    // Of those that fit, the form with the fewest
                    // differences says most (an exact one first): it is the
                    // rewrite the user would get, and covers the most uses.
                    // A member's use may add one (a joined thread's).
                    let by_members = t
                        .members
                        .iter()
                        .flat_map(|m| m.values())
                        .filter(|rule| rule.used.is_some())
                        .count();
                    let fewest = t
                        .cases
                        .iter()
                        .map(|c| c.differences.len() + by_members)
                        .min()
                        .unwrap_or(usize::MAX);
                    // Where the mock of the target itself would catch the
                    // test run's pollers, the narrow form's refusal also
                    // says why the one that fits is not written.
                    let narrow_says_more = t.mock_form == MockForm::Narrow
                        && t.mock_target(api)
                            .is_some_and(|target| self.context.check_not_polled(&target).is_err());
                    let rank = (
                        taken,
                        fits,
                        narrow_says_more,
                        fits.then_some(std::cmp::Reverse(fewest)),
                    );
                    if refusal.as_ref().is_none_or(|(_, _, best)| rank > *best) {
                        refusal = Some((id, why, rank));
                    }
                }
            }
        }
        if let Some(rewrite) = unaccepted {
            return Fate::Unaccepted(rewrite);
        }
        let (id, why, _) = refusal.expect("at least one candidate was tried");
        Fate::Manual(
            Some(id),
            format!("{why}. {}", guidance(self.catalogue, u, api, true)),
        )
    }

    fn check_all_in_file(
        &self,
        id: TransformId,
        root: &Root,
        source: &str,
        file: &FileAnalysis,
    ) -> Result<(), String> {
        let apis = &self.catalogue.transforms[id].apis;
        for other in &file.uses {
            if other.kind != UseKind::Reference || !other.api.is_some_and(|a| apis.contains(&a)) {
                continue;
            }
            let refusal = if other.ambiguous {
                Some("its name is ambiguous".to_owned())
            } else {
                self.try_transform(id, other, root, source, file, false)
                    .err()
            };
            if let Some(why) = refusal {
                return Err(format!(
                    "the use at line {} cannot be rewritten ({why}), and all uses in a file \
                     must change together",
                    line_of(source, other.range.start)
                ));
            }
        }
        Ok(())
    }

    /// Every use of `api` in the file is rewritten in this run.
    fn check_follows(
        &self,
        api: &str,
        root: &Root,
        source: &str,
        file: &FileAnalysis,
    ) -> Result<(), String> {
        let followed = |o: &Use| o.api.is_some_and(|a| self.catalogue.apis[a].name == api);
        match self.first_staying(followed, root, source, file) {
            Some((_, line)) => Err(format!(
                "the {api} at line {line} stays eventlet's, and this mention moves only with it"
            )),
            None => Ok(()),
        }
    }

    /// The first use of the file that `wanted` picks and this run leaves
    /// as it is, with its line.
    fn first_staying<'f>(
        &self,
        wanted: impl Fn(&Use) -> bool,
        root: &Root,
        source: &str,
        file: &'f FileAnalysis,
    ) -> Option<(&'f Use, usize)> {
        let staying = |other: &'f Use| {
            let known = self.followed.borrow().get(&other.range.start).copied();
            let line = known.unwrap_or_else(|| {
                let rewritten = matches!(self.decide(other, root, source, file), Fate::Rewrite(_));
                let staying = (!rewritten).then(|| line_of(source, other.range.start));
                self.followed
                    .borrow_mut()
                    .insert(other.range.start, staying);
                staying
            })?;
            Some((other, line))
        };
        file.uses.iter().filter(|u| wanted(u)).find_map(staying)
    }

    /// The helpers named, and those they call, may be called here.
    fn check_helpers<'n>(
        &self,
        names: impl IntoIterator<Item = &'n str>,
        root: &Root,
        source: &str,
        file: &FileAnalysis,
    ) -> Result<(), String> {
        for helper in self.catalogue.helpers_needed(names) {
            self.helpers
                .call(helper, root.node(), source, &file.bindings)?;
        }
        Ok(())
    }

    /// Checks each requirement in the programs that may run the use's
    /// line (those that import the file and may call its function): those
    /// that hold only with a behaviour difference, with where it shows.
    fn check_requirements<'r>(
        &self,
        requirements: impl IntoIterator<Item = &'r Requirement>,
        u: &Use,
        root: &Root,
        source: &str,
        file: &FileAnalysis,
    ) -> Result<Vec<Relaxed>, String> {
        let context = self.context.at_use(u.range.start);
        let mut relaxed = Vec::new();
        for requirement in requirements {
            let lookups = || self.lookups(u, root, source, file);
            relaxed.extend(context.check(requirement, lookups)?);
        }
        let api = u.api.map(|a| &self.catalogue.apis[a]);
        let member = u.member(root, source);
        // In the runs that leave threads unpatched, the current thread and
        // thread-local state are the OS thread's, which every green thread
        // shares; and a thread started in place of a green one is an OS
        // thread, on which the eventlet primitives its function may use (an
        // Event, a green lock) do not work: not the blocking of a stdlib
        // call, but differences of their own (both, for a use that may be
        // both).
        let per_thread = api.is_some_and(|a| a.per_thread_use(member));
        let starts_threads = api.is_some_and(|a| a.green_use(member));
        if per_thread || starts_threads {
            relaxed = relaxed
                .into_iter()
                .flat_map(|r| match r.unpatched() {
                    false => vec![r],
                    true => [
                        per_thread.then(|| r.clone().for_per_thread_use()),
                        starts_threads.then(|| r.for_started_thread()),
                    ]
                    .into_iter()
                    .flatten()
                    .collect(),
                })
                .collect();
        }
        // The difference the reviewer would check is in plain sight when
        // the file keeps such primitives: they may be the thread's.
        let unpatched_threads = relaxed.iter().find(|r| r.difference == UNPATCHED_THREADS);
        if let Some(r) = unpatched_threads {
            let wakes_threads = |o: &Use| {
                o.kind == UseKind::Reference
                    && o.api.is_some_and(|a| {
                        let family = self.catalogue.apis[a].family;
                        self.catalogue.families[family].wakes_threads
                    })
            };
            if let Some((kept, line)) = self.first_staying(wakes_threads, root, source, file) {
                let api = &self.catalogue.apis[kept.api.expect("picked by its API")].name;
                return Err(format!(
                    "{}; and this file keeps {api} (line {line}), which the thread may \
                     wait for",
                    r.why
                ));
            }
        }
        Ok(relaxed)
    }

    /// The stdlib names the rewritten code calls, (module, member): each
    /// module the template names with the member read from it, or, for a
    /// module that takes the API's place whole (a green module), the member
    /// the use reads from it; and those the helpers it calls name.
    fn stdlib_calls(
        &self,
        template: &Template,
        u: &Use,
        root: &Root,
        source: &str,
    ) -> Vec<(String, String)> {
        let helpers = self.catalogue.helpers_needed(template.helpers());
        stdlib_names(template)
            .chain(helpers.iter().flat_map(|h| stdlib_names(&h.code)))
            .filter_map(|target| {
                let member = target
                    .member
                    .or_else(|| u.member(root, source).map(str::to_owned))?;
                Some((target.module, member))
            })
            .collect()
    }

    /// The host-name lookups of the use's line that a rewrite may move off
    /// greendns: a green module's, where the file uses it to look names up
    /// (it becomes the stdlib one), or the stdlib socket's, where a
    /// monkey_patch() call may patch it (the call goes).
    fn lookups(&self, u: &Use, root: &Root, source: &str, file: &FileAnalysis) -> Lookups {
        let Some(api) = u.api.map(|a| &self.catalogue.apis[a]) else {
            return Lookups::None;
        };
        if api.monkey_patch {
            let patches_socket = node_at(root, &u.range)
                .and_then(|n| called(root, n))
                .is_some_and(|call| patched_by_call(call, source).may_patch("socket"));
            return if patches_socket {
                Lookups::PatchedSocket
            } else {
                Lookups::None
            };
        }
        let looks_up = file
            .uses
            .iter()
            .filter(|o| o.api == u.api && o.kind == UseKind::Reference)
            .any(|o| api.looks_up.by(o.member(root, source)));
        if looks_up {
            Lookups::GreenSocket
        } else {
            Lookups::None
        }
    }

    /// A module-level name that a test replaces keeps the code that looks
    /// it up (checked after what the use itself allows, so that a use that
    /// could never be rewritten says why). Code that runs as the module is
    /// imported looked it up before any test's mock: it is free to go where
    /// a function of the module also looks the name up, which keeps it for
    /// the mock (murano's module-level `monkey_patch()`).
    fn check_not_replaced(&self, u: &Use, root: &Root, file: &FileAnalysis) -> Result<(), String> {
        let Some(binding) = u.named_import().map(|i| &file.bindings.imports[i]) else {
            return Ok(());
        };
        if binding.scope != MODULE_SCOPE {
            return Ok(());
        }
        let in_function = |range: &Range<usize>| {
            node_at(root, range).is_some_and(|n| {
                std::iter::successors(root.parent(n), |p| root.parent(*p))
                    .any(|p| matches!(p.kind(), "function_definition" | "lambda"))
            })
        };
        let kept_for_the_mock = || {
            file.uses
                .iter()
                .any(|other| other.named_import() == u.named_import() && in_function(&other.range))
        };
        if !in_function(&u.range) && kept_for_the_mock() {
            return Ok(());
        }
        self.context.check_not_held(&binding.name)
    }

    /// The with block that makes the object `followed` (see
    /// `follow::Block`), with the edits of its body and the difference it
    /// has (none where a `finally` waited as the block does): where that
    /// difference is accepted, the header fits its line, and the block can
    /// take the lines between; the end's own edits then go from
    /// `followed`. Otherwise the executor is shut down where its end was,
    /// with that end's differences.
    #[allow(clippy::too_many_arguments)]
    fn with_block(
        &self,
        followed: &mut follow::Followed,
        members: &BTreeMap<String, MemberRule>,
        template: &Template,
        arguments: &HashMap<String, Argument>,
        root: &Root,
        source: &str,
        file: &FileAnalysis,
    ) -> Option<WithBlock> {
        let block = followed.block.take()?;
        let difference = match &block.guarded {
            Some(_) => None,
            None => {
                let id = members[&block.member]
                    .with_block
                    .as_ref()
                    .and_then(|id| self.catalogue.difference_by_id(id))?;
                if !self.selection.accepts(&[id]) {
                    return None;
                }
                Some(id)
            }
        };
        let made = template.render(
            |p| arguments.get(p).map(|a| (a.text.clone(), a.primary)),
            |m| m.to_owned(),
            |h| h.to_owned(),
        )?;
        let indent = block.made.start - line_start(source, block.made.start);
        let header =
            indent + "with ".len() + made.chars().count() + " as :".len() + block.name.len();
        if made.contains('\n') || header > MAX_LINE {
            return None;
        }
        // A statement that goes on across lines of the body: a rewrite of
        // a use in it may span them, and text added after its call is
        // wrapped without the block's indentation. A member's rename stays
        // on its line, and the lines that go on the call are realigned
        // under it with the block's indentation.
        let edited = |statement: Range<usize>| {
            let within = |at: usize| (statement.start..=statement.end).contains(&at);
            file.uses.iter().any(|u| within(u.range.start))
                || followed.appended.iter().any(|(at, _)| within(*at))
        };
        let body_edits = block.body_edits(root, source, &edited).ok()?;
        // The end's line goes, and with it the end's own edits and the
        // difference of an end an exception may skip.
        followed
            .edits
            .retain(|e| !(block.end.start <= e.range.start && e.range.end <= block.end.end));
        followed
            .exposed
            .retain(|(member, _)| *member != block.member);
        Some(WithBlock {
            block,
            body_edits,
            difference,
        })
    }

    fn try_transform(
        &self,
        id: TransformId,
        u: &Use,
        root: &Root,
        source: &str,
        file: &FileAnalysis,
        whole_file: bool,
    ) -> Result<Rewrite, String> {
        let t = &self.catalogue.transforms[id];
        let api = u.api.expect("only catalogued uses reach transforms");
        let node = node_at(root, &u.range).ok_or("the use is not a whole expression")?;
        let mut mock_object = None;
        if let Some(block) = &t.block {
            if u.kind != UseKind::Reference {
                return Err("not a use in code".into());
            }
            let rewritten_by = |other: &Use| match self.decide(other, root, source, file) {
                Fate::Rewrite(rw) => Some(rw.transform),
                _ => None,
            };
            let done = crate::decide::timeout_block::rewrite(
                block,
                node,
                api,
                source,
                file,
                self.catalogue,
                &rewritten_by,
            )?;
            let template = match t.cases.first().map(|c| &c.action) {
                Some(CaseAction::Replace(_)) if !done.keeps_except => {
                    Template { pieces: Vec::new() }
                }
                Some(CaseAction::Replace(per_api)) => per_api[&api].clone(),
                _ => {
                    return Err("the block transform has no replacement (a catalogue error)".into());
                }
            };
            let relaxed = self.check_requirements(&t.requires, u, root, source, file)?;
            self.check_not_replaced(u, root, file)?;
            return Ok(Rewrite {
                transform: id,
                safety: t.safety,
                differences: t.cases[0].differences.clone(),
                conditions: Vec::new(),
                range: done.replaced,
                statement: false,
                template,
                arguments: HashMap::new(),
                suffix: Vec::new(),
                attached_edits: done.edits,
                appended: Vec::new(),
                needs: done.needs,
                imports: None,
            }
            .relaxed(self.catalogue, relaxed));
        }
        let mut imports = None;
        let (mut range, statement, case, arguments) = match t.shape {
            Shape::Config | Shape::Block => {
                return Err("not a call, statement or reference transform".into());
            }
            Shape::Import => {
                if u.kind != UseKind::Reference || !u.suffix.is_empty() {
                    return Err("not a call of the API in code".into());
                }
                let call = called(root, node).ok_or("not called here")?;
                let (statement, imported) = assignment_becoming_import(call, source, file)?;
                imports = Some(imported);
                let case = t.cases.first().expect("validated: at least one case");
                (statement.byte_range(), true, case, HashMap::new())
            }
            Shape::Reference => {
                if !matches!(u.kind, UseKind::Reference | UseKind::Option) {
                    return Err("not a use in code".into());
                }
                let case = t.cases.first().expect("validated: at least one case");
                (u.range.clone(), false, case, HashMap::new())
            }
            Shape::MockTarget => {
                if u.kind != UseKind::MockTarget {
                    return Err("not a mock target".into());
                }
                if self.context.mocks_no_code(u.range.start) {
                    return Err(format!(
                        "the with block of this mock runs no code of the project that uses \
                         {} while it is active: it patches installed code only, which keeps \
                         calling eventlet's name",
                        u.name
                    ));
                }
                let content = node_at(root, &u.range).ok_or("not a string")?;
                if content.kind() != "string_content" {
                    // `patch.object(eventlet, self.spawn_name)`: the variable
                    // names other things too (the code under test, by getattr).
                    return Err(format!(
                        "the attribute it patches is named by {}, not a string, so the \
                         mock cannot follow a rewrite",
                        text(content, source)
                    ));
                }
                let string = content.parent().ok_or("not a string")?;
                let arguments = string.parent().ok_or("not an argument")?;
                let first = named_children(arguments)
                    .into_iter()
                    .find(|n| n.kind() != "comment")
                    .ok_or("not an argument")?;
                // A mock through a module that cannot follow says why first.
                if let Some(Err(why)) = u.through.as_ref().map(|t| &t.module) {
                    return Err(why.clone());
                }
                let asserted = arguments
                    .parent()
                    .and_then(|call| call.child_by_field_name("function"))
                    .is_some_and(|f| is_mock_assertion(text(f, source)));
                if u.through.is_none()
                    && first != string
                    && arguments.kind() == "argument_list"
                    && !asserted
                {
                    // `patch.object(eventlet, 'sleep')`: the object is the module
                    // (an expected `executor='eventlet'` is a keyword's value,
                    // or an argument of the assertion).
                    mock_object = Some(first.byte_range());
                }
                let case = t.cases.first().expect("validated: at least one case");
                (u.range.clone(), false, case, HashMap::new())
            }
            Shape::Call | Shape::Statement => {
                if u.kind != UseKind::Reference {
                    return Err("not a use in code".into());
                }
                if !u.suffix.is_empty() {
                    return Err("the imported name is a member of the API, not the API".into());
                }
                let call = called(root, node).ok_or("not called here")?;
                let (range, statement) = if t.shape == Shape::Statement {
                    let stmt = statement_of(call)
                        .ok_or("its result is used; only a call that is a statement of its own is rewritten")?;
                    (stmt.byte_range(), true)
                } else {
                    (call.byte_range(), false)
                };
                let bound = bind_arguments(call, &t.params, source)?;
                let proof = Proof {
                    root,
                    source,
                    bounds: self.bounds,
                };
                // A module an argument names is imported only where the
                // file may call it by its own name, not an alias.
                let imported_plainly = |c: &Case| {
                    let CaseAction::Replace(per_api) = &c.action else {
                        return true;
                    };
                    per_api[&api].imports_of().all(|param| {
                        let module = t
                            .params
                            .iter()
                            .position(|p| p.name == param)
                            .and_then(|i| bound[i].as_deref())
                            .and_then(|nodes| nodes.first())
                            .and_then(|node| dotted_name_literal(*node, source));
                        module.is_some_and(|module| {
                            local_module_name(&module, &file.bindings, &[]) == module
                        })
                    })
                };
                let fitting: Vec<&Case> = t
                    .cases
                    .iter()
                    .filter(|c| {
                        c.when.iter().all(|(i, p)| {
                            p.holds_on(
                                bound[*i].as_deref(),
                                t.params[*i].default.as_deref(),
                                &proof,
                            )
                        }) && imported_plainly(c)
                    })
                    .collect();
                // The first case the user accepts; else the first that fits,
                // which then says what accepting its differences unlocks.
                let case = fitting
                    .iter()
                    .find(|c| self.selection.accepts(&c.differences))
                    .or(fitting.first())
                    .copied()
                    .ok_or("no case of the transform fits these arguments")?;
                let mut arguments = HashMap::new();
                arguments.insert(
                    ALL_ARGUMENTS.to_owned(),
                    Argument::copied(arguments_range(call), source, false),
                );
                for (param, nodes) in t.params.iter().zip(&bound) {
                    if param.rest {
                        let nodes = nodes.as_deref().unwrap_or_default();
                        arguments.insert(
                            format!("{}{}", param.name, REST_AS_TUPLE),
                            Argument::written(positional_tuple(nodes, source), true),
                        );
                        arguments.insert(
                            format!("{}{}", param.name, REST_AS_DICT),
                            Argument::written(keyword_dict(nodes, source), true),
                        );
                    }
                    let value = match nodes {
                        Some(nodes) if param.rest => {
                            let joined: Vec<&str> =
                                nodes.iter().map(|n| text(*n, source)).collect();
                            Argument::written(joined.join(", "), false)
                        }
                        Some(nodes) => {
                            Argument::copied(nodes[0].byte_range(), source, is_primary(nodes[0]))
                        }
                        None if param.rest => Argument::written(String::new(), false),
                        None => match &param.default {
                            Some(d) => Argument::written(d.clone(), true),
                            None => continue,
                        },
                    };
                    arguments.insert(param.name.clone(), value);
                }
                (range, statement, case, arguments)
            }
        };
        let mut template = match &case.action {
            CaseAction::Manual(reason) => return Err(reason.clone()),
            CaseAction::Replace(per_api) => per_api[&api].clone(),
        };
        if template.imports_of().next().is_some() {
            template = template
                .importing(|param| {
                    let range = arguments.get(param)?.copied.clone()?;
                    let node = root.descendant_for_byte_range(range.start, range.end)?;
                    dotted_name_literal(node, source)
                })
                .ok_or("the module is not named by a string literal")?;
        }
        let mut suffix = u.suffix.clone();
        // What a mock patches once it follows the code (`time.sleep`).
        let new_target = target_path(&template, &suffix);
        let mut mock_member = None;
        let mut mock_edits = Vec::new();
        if t.mock_form == MockForm::Narrow {
            if u.through.is_some() {
                return Err("the mock goes through a module's name for eventlet".into());
            }
            let site = narrow_mock::Site {
                string_content: u.range.clone(),
                object: mock_object.clone(),
                target: &new_target,
                polled: self.context.check_not_polled(&new_target).err(),
                api,
                patchers: self.context.patchers(),
                reaches: &|file| self.context.reaches(file),
                moves: &|module| self.context.check_module_moves(module, api, &u.name),
            };
            let facts = self.context.narrow_facts();
            let narrow = narrow_mock::rewrite(root, source, &site, facts)?;
            mock_edits = narrow.edits;
            template = narrow.template;
            range = narrow.range;
            suffix.clear();
        } else if t.mock_form == MockForm::Covered {
            let deletion =
                covered_mock::deletion(root, u.range.clone(), source, self.context.patchers())?;
            template = Template { pieces: Vec::new() };
            range = deletion.range;
            mock_edits.push(deletion.parameter);
            suffix.clear();
        } else if let Some(through) = &u.through {
            let (text, member) = retarget_through(through, &template, &suffix, &u.range)?;
            template = Template {
                pieces: vec![Piece::Text(text)],
            };
            mock_member = member;
            range = through.from_binding.clone();
            suffix.clear();
        } else if let Some(object) = mock_object {
            // The target `time.sleep` becomes `patch.object(time, 'sleep')`.
            let full: Vec<&str> = new_target.split('.').collect();
            let (member, module) = full.split_last().ok_or("empty target")?;
            if module.is_empty() {
                return Err("the target has no module to patch".into());
            }
            template = Template {
                pieces: vec![Piece::Module(module.join("."))],
            };
            mock_member = Some(Edit::replace(u.range.clone(), member.to_string()));
            range = object;
            suffix.clear();
        }
        if template.pieces.is_empty()
            && matches!(u.kind, UseKind::Option | UseKind::MockTarget)
            && t.mock_form != MockForm::Covered
        {
            range = dropped_argument(node, root, source)?;
        }
        for guard in &t.guards {
            match guard {
                Guard::AllInFile if whole_file => self.check_all_in_file(id, root, source, file)?,
                Guard::AllInFile => {}
                Guard::Follows(api) => self.check_follows(api, root, source, file)?,
                Guard::PackageAtLeast(package, release) => {
                    self.requirement_floors.check(package, release)?
                }
                Guard::NoIdentifier(name) => {
                    let func = t.params.iter().position(|p| p.name == "func" && !p.rest);
                    let started = func.and_then(|func| {
                        let call = called(root, node)?;
                        own_function_name(*positional_args(call).get(func)?, source)
                            .filter(|f| self.reach.index(root, source).defines(f))
                    });
                    match (started, func) {
                        (Some(started), _) => started_reach::check_not_reached(
                            &self.reach,
                            started,
                            name,
                            root,
                            source,
                        )?,
                        (None, Some(func)) => {
                            check_guard(guard, u, node, root, source, file)?;
                            self.check_started_definition(name, func, node, root, source)?;
                        }
                        (None, None) => check_guard(guard, u, node, root, source, file)?,
                    }
                }
                _ => check_guard(guard, u, node, root, source, file)?,
            }
        }
        // A mock moves only with the code it patches, and waits for what
        // that code waits for (code leaving other mocks that only skip its
        // wait); its own guards, just checked, say why first, rather than
        // the tallies it holds itself.
        let mut with_code = Vec::new();
        let mut code_differences = Vec::new();
        if t.shape == Shape::MockTarget && t.mock_form == MockForm::Target {
            self.context.check_not_polled(&new_target)?;
            let mut moves_with = |code: WithMocks| {
                with_code.extend(code.escaped);
                add_new(&mut code_differences, code.code);
            };
            moves_with(
                self.context
                    .check_moves_whole(api, &u.name, UNKNOWN_LOOKUP)?,
            );
            if let Some(through) = &u.through {
                // Through a module: the code there must move in every
                // program that runs it, for the new target to exist.
                let there = self.context.of_file(through.file);
                moves_with(there.check_moves_whole(api, &u.name, UNKNOWN_LOOKUP)?);
            }
        }
        // Whether the tree ends free of eventlet is checked last, so that a
        // use that could never be rewritten says why.
        let (whole_program, local): (Vec<&Requirement>, Vec<&Requirement>) = t
            .requires
            .iter()
            .partition(|r| **r == Requirement::EventletFree);
        let mut relaxed = self.check_requirements(local, u, root, source, file)?;
        relaxed.extend(with_code);
        if u.kind == UseKind::Reference {
            let calls = || self.stdlib_calls(&template, u, root, source);
            relaxed.extend(self.context.at_use(u.range.start).caught_by_mock(calls));
        }
        self.check_helpers(template.helpers(), root, source, file)?;
        let mut attached_edits: Vec<Edit> = mock_member.into_iter().chain(mock_edits).collect();
        let mut appended: Vec<(usize, Template)> = Vec::new();
        // Differences of the object's members (one never called, or one
        // an exception may skip), with why.
        let mut member_differences: Vec<(DifferenceId, String)> = Vec::new();
        if let Some(members) = &t.members {
            let call = called(root, node).ok_or("not called here")?;
            let creates_same = |rhs: Node| {
                rhs.kind() == "call"
                    && rhs.child_by_field_name("function").is_some_and(|f| {
                        file.uses.iter().any(|o| {
                            o.range == f.byte_range() && o.api.is_some_and(|a| t.apis.contains(&a))
                        })
                    })
            };
            let task_state =
                |task: Node| thread_state_read(task, root.node(), source, &self.context);
            let proof = Proof {
                root,
                source,
                bounds: self.bounds,
            };
            let non_negative = |value: Node| proof.proved(value);
            let read_elsewhere =
                |name: &str| self.context.name_read_elsewhere(name).map(str::to_owned);
            let named = |id: Option<&String>| {
                id.map(|id| self.catalogue.difference_by_id(id))
                    .map(|id| id.expect("the catalogue checks the differences member rules name"))
            };
            // What maintainers write, where its difference is accepted.
            let then_left_out: BTreeSet<String> = members
                .iter()
                .filter(|(_, rule)| {
                    named(rule.then_left_out.as_ref())
                        .is_some_and(|id| self.selection.accepts(&[id]))
                })
                .map(|(member, _)| member.clone())
                .collect();
            let rules = follow::Rules {
                members,
                escapes: t.escapes,
                task_state: &task_state,
                non_negative: &non_negative,
                read_elsewhere: &read_elsewhere,
                then_left_out: &then_left_out,
            };
            let mut followed = follow::follow(call, root.node(), source, &rules, &creates_same)?;
            let called = followed.appended.iter().flat_map(|(_, t)| t.helpers());
            self.check_helpers(called, root, source, file)?;
            // Made and ended in one block: a with block, as maintainers
            // write an executor, where the block can take the lines.
            if let Some(with) = self.with_block(
                &mut followed,
                members,
                &template,
                &arguments,
                root,
                source,
                file,
            ) {
                let block = &with.block;
                attached_edits.extend(with.body_edits);
                let mut pieces = vec![Piece::Text("with ".into())];
                pieces.append(&mut template.pieces);
                pieces.push(Piece::Text(format!(" as {}:", block.name)));
                template = Template { pieces };
                range = block.made.clone();
                if let Some(id) = with.difference {
                    let why = format!(
                        "it is made by a with block that ends where '.{}()' was (line {})",
                        block.member,
                        line_of(source, block.end.start)
                    );
                    member_differences.push((id, why));
                }
            }
            attached_edits.extend(followed.edits);
            appended = followed.appended;
            let difference = |member: &str| named(members[member].unused.as_ref());
            for member in followed.then_left_out {
                let rule = &members[&member];
                if let Some(id) = named(rule.then_left_out.as_ref()) {
                    let left_out = rule.then.as_ref().and_then(Template::as_written);
                    let why = format!(
                        "'.{member}()' goes without `{}`",
                        left_out.unwrap_or_default()
                    );
                    member_differences.push((id, why));
                }
            }
            for member in followed.used {
                if let Some(id) = named(members[&member].used.as_ref()) {
                    member_differences.push((id, format!("'.{member}()' is called on it")));
                }
            }
            for member in followed.unused {
                if let Some(id) = difference(&member) {
                    member_differences.push((id, format!("'.{member}()' is never called on it")));
                }
            }
            for (member, line) in followed.exposed {
                if let Some(id) = difference(&member) {
                    let why = format!(
                        "'.{member}()' (line {line}) is in no finally: an exception raised \
                         before it skips it"
                    );
                    member_differences.push((id, why));
                }
            }
        }
        if let Some(method) = &t.call_after_assignment {
            let call = called(root, node).ok_or("not called here")?;
            attached_edits.push(call_after_assignment(call, method, source)?);
        }
        self.check_not_replaced(u, root, file)?;
        relaxed.extend(self.check_requirements(whole_program, u, root, source, file)?);
        let rewrite = Rewrite {
            transform: id,
            safety: case.safety,
            differences: case.differences.clone(),
            conditions: Vec::new(),
            range,
            statement,
            template,
            arguments,
            suffix,
            attached_edits,
            appended,
            needs: Vec::new(),
            imports,
        }
        .relaxed(self.catalogue, relaxed);
        // A mock lands with the code it follows, so it has its differences.
        code_differences.retain(|id| !rewrite.differences.contains(id));
        let with_code = code_differences
            .into_iter()
            .map(|id| (id, "a mock that moves with the code it follows".to_owned()));
        Ok(member_differences
            .into_iter()
            .chain(with_code)
            .fold(rewrite, |rw, (id, why)| rw.with_difference(id, why)))
    }
}

/// The line that calls `method` on what `call`'s value is assigned to,
/// inserted after the assignment statement (`t.start()` after
/// `t = threading.Thread(...)`), with its indentation and line ending.
fn call_after_assignment(call: Node, method: &str, source: &str) -> Result<Edit, String> {
    let refused = || {
        format!(
            "its value is not assigned to a name or an attribute on a statement of its own, \
             after which .{method}() could be called"
        )
    };
    let assignment = call
        .parent()
        .filter(|a| a.kind() == "assignment" && a.child_by_field_name("right") == Some(call))
        .ok_or_else(refused)?;
    let statement = assignment
        .parent()
        .filter(|s| s.kind() == "expression_statement" && s.named_child_count() == 1)
        .ok_or_else(refused)?;
    let target = assignment
        .child_by_field_name("left")
        .filter(|l| matches!(l.kind(), "identifier" | "attribute"))
        .ok_or_else(refused)?;
    let line = crate::source::line_start(source, statement.start_byte());
    let indent = &source[line..statement.start_byte()];
    let end = crate::source::line_end(source, statement.end_byte());
    let rest = source[statement.end_byte()..end].trim();
    if !indent.trim().is_empty() || !(rest.is_empty() || rest.starts_with('#')) {
        return Err(refused());
    }
    let (end, newline) = match source[..end].strip_suffix('\r') {
        Some(before) => (before.len(), "\r\n"),
        None => (end, "\n"),
    };
    Ok(Edit::insert(
        end,
        format!("{newline}{indent}{}.{method}()", text(target, source)),
    ))
}

/// The dotted name a mock transform's template makes, with the members the
/// mocked target names past the API (`suffix`) appended.
fn target_path(template: &Template, suffix: &[String]) -> String {
    let dotted = template.as_written().unwrap_or_default();
    std::iter::once(dotted.as_str())
        .chain(suffix.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(".")
}

/// What a mock through a project module names once the module's code is
/// rewritten: the module's name for the stdlib module it now calls, then
/// the members the mock transform names past it (`time.sleep` for
/// `pkg.a.manager.eventlet.sleep`, to follow `pkg.a.manager`); for a
/// `patch.object` form, the last member is the attribute string's new text.
fn retarget_through(
    through: &Through,
    template: &Template,
    suffix: &[String],
    attribute: &Range<usize>,
) -> Result<(String, Option<Edit>), String> {
    let (module, name) = through.module.as_ref().map_err(Clone::clone)?;
    let dotted = target_path(template, suffix);
    let full: Vec<&str> = dotted.split('.').collect();
    let module_parts: Vec<&str> = module.split('.').collect();
    let members = full
        .strip_prefix(module_parts.as_slice())
        .filter(|members| !members.is_empty())
        .ok_or_else(|| {
            format!(
                "the mock would patch {}, which is no member of {module}, the module the \
                 code calls once rewritten",
                full.join(".")
            )
        })?;
    // A string holds the whole target; an object comes before its string.
    let in_string = attribute.start <= through.from_binding.start;
    let (last, before) = members.split_last().expect("not empty");
    Ok(if in_string {
        (format!("{name}.{}", members.join(".")), None)
    } else {
        let object: Vec<&str> = std::iter::once(name.as_str())
            .chain(before.iter().copied())
            .collect();
        let attribute = Edit::replace(attribute.clone(), (*last).to_owned());
        (object.join("."), Some(attribute))
    })
}

/// Where the text between a call's parentheses is.
fn arguments_range(call: Node) -> Range<usize> {
    match call.child_by_field_name("arguments") {
        Some(args) if args.kind() == "argument_list" => {
            let inner = args.start_byte() + 1..args.end_byte().saturating_sub(1);
            inner.start..inner.end.max(inner.start)
        }
        Some(generator) => generator.byte_range(),
        None => call.end_byte()..call.end_byte(),
    }
}

/// The statement `name = <call>` at module level whose call loads the
/// module its string argument names, where `name` is the name an import
/// of that module binds, and nothing else in the file binds it: the
/// statement, and the module (as a template names it) with that name.
fn assignment_becoming_import<'t>(
    call: Node<'t>,
    source: &str,
    file: &FileAnalysis,
) -> Result<(Node<'t>, (String, String)), String> {
    let refused = || {
        "its value is not assigned to a name on a statement of its own at module level".to_owned()
    };
    let assignment = call
        .parent()
        .filter(|p| p.kind() == "assignment")
        .ok_or_else(refused)?;
    let statement = assignment
        .parent()
        .filter(|p| {
            p.kind() == "expression_statement"
                && p.named_child_count() == 1
                && p.parent().is_some_and(|m| m.kind() == "module")
        })
        .ok_or_else(refused)?;
    // Alone on its line: no other statement after a `;`, no comment whose
    // line would be left behind.
    let (start, end) = (statement.start_byte(), statement.end_byte());
    if !source[line_start(source, start)..start].trim().is_empty()
        || !source[end..line_end(source, end)].trim().is_empty()
    {
        return Err("the statement shares its line with another statement or a comment".into());
    }
    let target = assignment
        .child_by_field_name("left")
        .filter(|l| l.kind() == "identifier")
        .ok_or_else(refused)?;
    let module = sole_dotted_name_argument(call, source)
        .ok_or("the module is not named by one string literal")?;
    let name = text(target, source);
    let spec = match module.rsplit_once('.') {
        Some((package, last)) if last == name => format!("{package}:{last}"),
        None if module == name => module.clone(),
        _ => {
            return Err(format!(
                "'{name}' is not the name an import of {module} binds"
            ));
        }
    };
    if file.bindings.times_bound(name) != 1 {
        return Err(format!("'{name}' is also bound elsewhere in the file"));
    }
    let local = local_module_name(&spec, &file.bindings, &[name.to_owned()]);
    if local != name {
        return Err(format!("the file imports {module} as '{local}' already"));
    }
    Ok((statement, (spec, name.to_owned())))
}

/// The name by which a file may call the module `spec` (`threading`,
/// `dns:reversename`) once it imports it, with the names in `freed` no
/// longer bound.
fn local_module_name(spec: &str, bindings: &Bindings, freed: &[String]) -> String {
    let (local, _) = name_module(
        ModuleRef::parse(spec),
        bindings,
        Reads::Anywhere,
        &HashSet::new(),
        &[],
        freed,
    );
    local
}

/// The statement that is the call alone (its value unused).
fn statement_of(call: Node) -> Option<Node> {
    call.parent()
        .filter(|p| p.kind() == "expression_statement" && p.named_child_count() == 1)
}

/// The call whose callee is `node`.
fn called<'t>(root: &Root<'t>, node: Node<'t>) -> Option<Node<'t>> {
    let parent = root.parent(node)?;
    (parent.kind() == "call" && field_name(parent, node) == Some("function")).then_some(parent)
}

type Bound<'t> = Vec<Option<Vec<Node<'t>>>>;

/// Maps a call's arguments to the transform's parameters the way Python
/// binds them; anything it cannot bind exactly is a refusal.
/// The positional arguments of a `*rest` parameter as a tuple display:
/// `(a,)`, `(a, *more)`.
/// The function's own `*args`, passed on whole, is that tuple.
fn positional_tuple(nodes: &[Node], source: &str) -> String {
    let items: Vec<Node> = nodes
        .iter()
        .filter(|n| !matches!(n.kind(), "keyword_argument" | "dictionary_splat"))
        .copied()
        .collect();
    if let [splat] = items.as_slice()
        && let Some(name) = own_star_parameter(*splat, source)
    {
        return name.to_owned();
    }
    let items: Vec<&str> = items.iter().map(|n| text(*n, source)).collect();
    match items.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", items.join(", ")),
    }
}

/// The keyword arguments of a `*rest` parameter as a dict display:
/// `{'key': value, **more}`.
/// The function's own `**kwargs`, passed on whole and not touched after,
/// is that dict (the thread unpacks it into a fresh one when it runs, as
/// the spawn did at once).
fn keyword_dict(nodes: &[Node], source: &str) -> String {
    let keywords: Vec<Node> = nodes
        .iter()
        .filter(|n| matches!(n.kind(), "keyword_argument" | "dictionary_splat"))
        .copied()
        .collect();
    if let [splat] = keywords.as_slice()
        && let Some(name) = own_star_parameter(*splat, source)
    {
        return name.to_owned();
    }
    let items: Vec<String> = nodes
        .iter()
        .filter_map(|n| match n.kind() {
            "keyword_argument" => {
                let name = text(n.child_by_field_name("name")?, source);
                let value = text(n.child_by_field_name("value")?, source);
                Some(format!("'{name}': {value}"))
            }
            "dictionary_splat" => Some(text(*n, source).to_owned()),
            _ => None,
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// The name of `splat` (`*args`, `**kwargs`) when it passes on the
/// enclosing function's own star parameter of that kind, which the
/// function mentions nowhere else (no rebinding, no change after the call;
/// a nested function with a parameter of that name has its own).
fn own_star_parameter<'s>(splat: Node, source: &'s str) -> Option<&'s str> {
    let pattern = match splat.kind() {
        "list_splat" => "list_splat_pattern",
        "dictionary_splat" => "dictionary_splat_pattern",
        _ => return None,
    };
    let name = splat.named_child(0).filter(|n| n.kind() == "identifier")?;
    let wanted = text(name, source);
    let mut function = splat.parent()?;
    while function.kind() != "function_definition" {
        if function.kind() == "lambda" {
            return None;
        }
        function = function.parent()?;
    }
    let binds = |f: Node, kind: Option<&str>| {
        f.child_by_field_name("parameters").is_some_and(|p| {
            named_children(p).iter().any(|param| {
                kind.is_none_or(|k| param.kind() == k)
                    && descendants(*param)
                        .any(|n| n.kind() == "identifier" && text(n, source) == wanted)
            })
        })
    };
    if !binds(function, Some(pattern)) {
        return None;
    }
    let body = function.child_by_field_name("body")?;
    let mut stack = vec![body];
    while let Some(node) = stack.pop() {
        if matches!(node.kind(), "function_definition" | "lambda") && binds(node, None) {
            continue;
        }
        if node.kind() == "identifier" && text(node, source) == wanted && node != name {
            return None;
        }
        stack.extend(named_children(node));
    }
    Some(wanted)
}

fn bind_arguments<'t>(call: Node<'t>, params: &[Param], source: &str) -> Result<Bound<'t>, String> {
    let mut bound: Bound = vec![None; params.len()];
    let rest = params.iter().position(|p| p.rest);
    let Some(args) = call.child_by_field_name("arguments") else {
        return Ok(bound);
    };
    let items: Vec<Node> = if args.kind() == "generator_expression" {
        vec![args]
    } else {
        named_children(args)
            .into_iter()
            .filter(|n| n.kind() != "comment")
            .collect()
    };
    let mut next_positional = 0;
    for item in items {
        let slot = match item.kind() {
            "keyword_argument" => {
                let name = item
                    .child_by_field_name("name")
                    .map(|n| text(n, source))
                    .unwrap_or("");
                match params.iter().position(|p| p.name == name && !p.rest) {
                    Some(i) => {
                        let value = item
                            .child_by_field_name("value")
                            .ok_or("malformed keyword")?;
                        if bound[i].is_some() {
                            return Err(format!("'{name}' is passed twice"));
                        }
                        bound[i] = Some(vec![value]);
                        continue;
                    }
                    None => rest.ok_or(format!("unexpected keyword argument '{name}='"))?,
                }
            }
            "list_splat" | "dictionary_splat" => {
                rest.ok_or("the arguments are unpacked with * or **, so they cannot be checked")?
            }
            _ => {
                if next_positional < params.len() && !params[next_positional].rest {
                    next_positional += 1;
                    bound[next_positional - 1] = Some(vec![item]);
                    continue;
                }
                rest.ok_or("more positional arguments than the API takes")?
            }
        };
        bound[slot].get_or_insert_with(Vec::new).push(item);
    }
    Ok(bound)
}

impl Matcher<'_> {
    /// The function a call at `node` starts (its positional argument
    /// `func`), when another module of the project defines it at top
    /// level, does not mention `name` either: ironic-inspector's functional
    /// test spawns the command's `main`, whose `sys.exit()` ended the whole
    /// process from a green thread, and ends only its own thread from a
    /// native one.
    fn check_started_definition(
        &self,
        name: &str,
        func: usize,
        node: Node,
        root: &Root,
        source: &str,
    ) -> Result<(), String> {
        let Some(started) =
            called(root, node).and_then(|call| positional_args(call).get(func).copied())
        else {
            return Ok(());
        };
        let imported = |alias: Node| module_bound_to(root.node(), text(alias, source), source);
        let (module, definition) = match started.kind() {
            "attribute" => {
                let object = started
                    .child_by_field_name("object")
                    .filter(|o| o.kind() == "identifier");
                let Some(module) = object.and_then(imported) else {
                    return Ok(());
                };
                let attribute = started
                    .child_by_field_name("attribute")
                    .ok_or("no attribute")?;
                (module, text(attribute, source).to_owned())
            }
            "identifier" => match imported(started)
                .as_deref()
                .and_then(|d| d.rsplit_once('.'))
            {
                Some((module, definition)) => (module.to_owned(), definition.to_owned()),
                None => return Ok(()),
            },
            _ => return Ok(()),
        };
        match self.context.definition_mentions(&module, &definition, name) {
            Some(path) => Err(format!(
                "the function it starts, {} (defined in {path}), uses '{name}', which could \
                 tell the two apart",
                text(started, source)
            )),
            None => Ok(()),
        }
    }
}

fn check_guard(
    guard: &Guard,
    u: &Use,
    node: Node,
    root: &Root,
    source: &str,
    file: &FileAnalysis,
) -> Result<(), String> {
    let same_api = || {
        file.uses
            .iter()
            .filter(move |o| o.api == u.api && o.kind == UseKind::Reference)
    };
    match guard {
        Guard::OnlyCalled => {
            for other in same_api() {
                let n = node_at(root, &other.range);
                if n.is_none_or(|n| called(root, n).is_none()) {
                    return Err(format!(
                        "'{}' is also used other than by a call at line {}",
                        u.name,
                        line_of(source, other.range.start)
                    ));
                }
            }
        }
        Guard::NoKeyword(keyword) => {
            if let Some(at) = keyword_use(root, source, keyword) {
                return Err(format!(
                    "a call passes the eventlet-only '{keyword}=' at line {}",
                    line_of(source, at)
                ));
            }
        }
        Guard::NoMember(member) => {
            for other in same_api() {
                let via_suffix = other.suffix.first().is_some_and(|s| s == member);
                let via_attribute = node_at(root, &other.range)
                    .and_then(|n| member_of(n, source))
                    .is_some_and(|(m, _)| m == *member);
                if via_suffix || via_attribute {
                    return Err(format!(
                        "'{}.{member}' is used at line {}; it has no stdlib equivalent with the same behaviour",
                        u.name,
                        line_of(source, other.range.start)
                    ));
                }
            }
        }
        Guard::MembersOnly => {
            for other in same_api().filter(|o| o.suffix.is_empty()) {
                let Some(n) = node_at(root, &other.range) else {
                    continue;
                };
                let member_read = n.parent().is_some_and(|p| {
                    p.kind() == "attribute"
                        && field_name(p, n) == Some("object")
                        && !p.parent().is_some_and(|g| {
                            matches!(g.kind(), "assignment" | "augmented_assignment")
                                && field_name(g, p) == Some("left")
                                || g.kind() == "delete_statement"
                        })
                });
                // `hasattr(socket, 'TCP_KEEPIDLE')` reads a member too.
                let asked = n
                    .parent()
                    .filter(|a| a.kind() == "argument_list")
                    .is_some_and(|args| {
                        args.named_child(0) == Some(n)
                            && args
                                .parent()
                                .and_then(|c| c.child_by_field_name("function"))
                                .is_some_and(|f| matches!(text(f, source), "hasattr" | "getattr"))
                    });
                let read = member_read || asked;
                if !read {
                    return Err(format!(
                        "the module object itself is used at line {} (stored into, passed on \
                         or compared), and the rewrite would make it the stdlib module",
                        line_of(source, other.range.start)
                    ));
                }
            }
        }
        Guard::MemberCallsPositional => {
            for other in same_api() {
                let Some(n) = node_at(root, &other.range) else {
                    continue;
                };
                let Some((member, attr)) = member_of(n, source) else {
                    continue;
                };
                if called(root, attr).is_some_and(|call| has_keyword(call)) {
                    return Err(format!(
                        "'{member}' is called with keyword arguments at line {}; the stdlib \
                         function takes positional arguments only",
                        line_of(source, attr.start_byte())
                    ));
                }
            }
        }
        Guard::IdentityOnly => {
            let call = called(root, node).ok_or("not called here")?;
            identity::check_identity_only(call, root.node(), source)?;
        }
        // Need the matcher; checked in `try_transform`.
        Guard::AllInFile | Guard::Follows(_) | Guard::PackageAtLeast(..) => {}
        Guard::ValueUsed => {
            let call = called(root, node).ok_or("not called here")?;
            if statement_of(call).is_some() {
                return Err("its value is dropped: a statement transform rewrites it".into());
            }
        }
        Guard::WithBlock => {
            let call = called(root, node).ok_or("not called here")?;
            let item = call
                .parent()
                .filter(|p| p.kind() == "as_pattern")
                .map_or(call.parent(), |pattern| pattern.parent());
            if item.is_none_or(|i| i.kind() != "with_item") {
                return Err(
                    "not made by a with statement, which would shut it down at the block's end"
                        .into(),
                );
            }
        }
        Guard::NoIdentifier(name) => {
            if let Some(at) = root.first_identifier(name, source) {
                return Err(format!(
                    "the file uses '{name}' (line {}), which could tell the two apart",
                    line_of(source, at)
                ));
            }
        }
        Guard::QuietTarget => check_quiet_target(node, root, source)?,
        Guard::NotRescheduling => check_not_rescheduling(node, root, source)?,
        Guard::NotDeferredClosure => check_not_deferred_closure(node, root, source)?,
        Guard::InTestModule => check_in_test_module(node, root, source)?,
    }
    Ok(())
}

/// The mock at `node` is made in a module that defines tests (a function
/// named `test...`), or at a script's top level, not in shared set-up code
/// (a base class, a fixture, a helper module) that the tests of many
/// modules run, services included.
fn check_in_test_module(node: Node, root: &Root, source: &str) -> Result<(), String> {
    let top_level = std::iter::successors(root.parent(node), |n| root.parent(*n))
        .all(|n| !matches!(n.kind(), "function_definition" | "class_definition"));
    if top_level {
        return Ok(());
    }
    match functions_named(root, source, "test").next().is_some() {
        true => Ok(()),
        false => Err(format!(
            "the mock (line {}) is made in shared set-up code (a module that defines no \
             tests: a base class, a fixture or a helper), which the tests of many modules \
             run, some of them starting services: a mock of the stdlib name there would \
             catch the calls of their threads too (an RPC listener's polling sleep then \
             spins), where eventlet's caught only the code's",
            node.start_position().row + 1
        )),
    }
}

/// The function a call runs (its first argument: `f` or `self.f`) is
/// defined in the file and never raises on purpose. One defined elsewhere
/// may, and its waiter may be there to see it (a test that waits on its
/// threads so that their failures fail it).
fn check_quiet_target(callee: Node, root: &Root, source: &str) -> Result<(), String> {
    let first = root
        .parent(callee)
        .filter(|c| c.kind() == "call")
        .and_then(|call| call.child_by_field_name("arguments"))
        .and_then(|a| {
            named_children(a)
                .into_iter()
                .find(|n| n.kind() != "comment")
        });
    let name = first.and_then(|first| own_function_name(first, source));
    let unknown = || {
        "the function the thread runs is not defined in this file, so whether it raises \
         on purpose, for the waiting code to see, is not known"
            .to_owned()
    };
    let name = name.ok_or_else(unknown)?;
    let raises = |node: &Node| match node.kind() {
        "raise_statement" | "assert_statement" => true,
        "call" => node.child_by_field_name("function").is_some_and(|f| {
            let f = text(f, source);
            f == "self.fail" || f.starts_with("self.assert")
        }),
        _ => false,
    };
    let definitions = root.functions_defined(name, source);
    if definitions.is_empty() {
        return Err(unknown());
    }
    match definitions
        .iter()
        .find_map(|function| descendants(*function).find(|d| raises(d)))
    {
        Some(raising) => Err(format!(
            "the function the thread runs raises on purpose (line {}), which the waiting \
             code sees",
            raising.start_position().row + 1
        )),
        None => Ok(()),
    }
}

/// The name of the function an expression names as this file would define
/// it: `f`, or a method of the object itself (`self.f`); another object's
/// (`self.driver.f`) is its class's, which may be defined elsewhere under
/// the same name.
fn own_function_name<'s>(expression: Node, source: &'s str) -> Option<&'s str> {
    match expression.kind() {
        "identifier" => Some(text(expression, source)),
        "attribute" => {
            let object = text(expression.child_by_field_name("object")?, source);
            matches!(object, "self" | "cls")
                .then(|| expression.child_by_field_name("attribute"))
                .flatten()
                .map(|attr| text(attr, source))
        }
        _ => None,
    }
}

/// The call does not schedule the function that makes it, nor one of the
/// file that loops: a timer that starts the next one each time it runs
/// always leaves one pending, and a loop run by the Timer's thread holds
/// the exit until it ends (mistral's heartbeat checker), so a Timer's exit
/// wait could be for ever.
fn check_not_rescheduling(callee: Node, root: &Root, source: &str) -> Result<(), String> {
    let Some(call) = root.parent(callee).filter(|c| c.kind() == "call") else {
        return Ok(());
    };
    let arguments = call
        .child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default();
    // The function scheduled: the second argument, after the delay.
    if let Some(name) = arguments.get(1).and_then(|f| own_function_name(*f, source))
        && let Some(line) = loop_in_function_named(root, name, source)
    {
        return Err(format!(
            "the function it schedules, '{name}', loops (line {line}): run by the Timer's \
             thread, the loop would keep the program from exiting until it ends, where \
             eventlet dropped the green thread at exit"
        ));
    }
    let own = enclosing_function(call, root)
        .and_then(|f| f.child_by_field_name("name"))
        .map(|name| text(name, source));
    let Some(own) = own else {
        return Ok(());
    };
    match arguments
        .iter()
        .any(|a| own_function_name(*a, source) == Some(own))
    {
        true => Err(format!(
            "it schedules '{own}', the function that makes it, again: a timer that starts \
             the next one each time it runs always leaves one pending, and a pending Timer \
             keeps the program from exiting, where eventlet dropped it"
        )),
        false => Ok(()),
    }
}

/// The call does not start a function defined in the function that makes
/// it, unless that function then waits (for the thread's result or an
/// event it sets). Such a closure is that call's deferred work: a green
/// thread ran it once the caller yielded, after what the caller did next,
/// and start() runs it before, so the work of successive calls may end in
/// another order (mistral's post-transaction queue: its notification-order
/// tests failed).
fn check_not_deferred_closure(callee: Node, root: &Root, source: &str) -> Result<(), String> {
    let Some(call) = root.parent(callee).filter(|c| c.kind() == "call") else {
        return Ok(());
    };
    let Some(function) = call
        .child_by_field_name("arguments")
        .and_then(|a| named_children(a).first().copied())
        .filter(|f| f.kind() == "identifier")
    else {
        return Ok(());
    };
    let name = text(function, source);
    let Some(spawner) = enclosing_function(call, root) else {
        return Ok(());
    };
    let defined_here = descendants(spawner).any(|n| {
        n.kind() == "function_definition"
            && n != spawner
            && n.child_by_field_name("name")
                .is_some_and(|f| text(f, source) == name)
    });
    // The caller waits for it afterwards (a result or an event it sets):
    // nothing the caller does next can come before its work.
    let waits_after = descendants(spawner).any(|n| {
        n.kind() == "call"
            && n.start_byte() > call.end_byte()
            && n.child_by_field_name("function")
                .filter(|f| f.kind() == "attribute")
                .and_then(|f| f.child_by_field_name("attribute"))
                .is_some_and(|a| {
                    matches!(
                        text(a, source),
                        "wait" | "join" | "result" | "get" | "acquire"
                    )
                })
    });
    match defined_here && !waits_after {
        true => Err(format!(
            "it starts '{name}', a function defined in the one that starts it: deferred work \
             of that call, which a green thread ran once the caller yielded and a thread's \
             start() runs before the caller goes on, so the work of successive calls may end \
             in another order"
        )),
        false => Ok(()),
    }
}

/// The innermost function or lambda holding `node`.
fn enclosing_function<'t>(node: Node<'t>, root: &Root<'t>) -> Option<Node<'t>> {
    std::iter::successors(root.parent(node), |n| root.parent(*n))
        .find(|n| matches!(n.kind(), "function_definition" | "lambda"))
}

/// The line of a `while` loop in the body of a function of the file named
/// `name` (not in a function nested in it), if one has one.
fn loop_in_function_named(root: &Root, name: &str, source: &str) -> Option<usize> {
    let named = |f: &Node| {
        f.child_by_field_name("name")
            .is_some_and(|n| text(n, source) == name)
    };
    descendants(root.node())
        .filter(|n| n.kind() == "function_definition" && named(n))
        .filter_map(|f| f.child_by_field_name("body"))
        .find_map(|body| {
            let mut stack = vec![body];
            while let Some(node) = stack.pop() {
                match node.kind() {
                    "while_statement" => return Some(line_of(source, node.start_byte())),
                    "function_definition" | "lambda" | "class_definition" => {}
                    _ => stack.extend(named_children(node)),
                }
            }
            None
        })
}

/// An empty replacement of an argument's value (`executor='eventlet'`, or
/// `'eventlet'` passed last by position) drops the whole argument.
fn dropped_argument(value: Node, root: &Root, source: &str) -> Result<Range<usize>, String> {
    // The value is a string's content or a name.
    let value = match value.kind() {
        "string_content" => root.parent(value).ok_or("not an argument of a call")?,
        _ => value,
    };
    let parent = root.parent(value).ok_or("not an argument of a call")?;
    let argument = match parent.kind() {
        "keyword_argument" => parent,
        "argument_list" => value,
        _ => return Err("not an argument of a call".into()),
    };
    // A positional argument goes only where no other follows it.
    let positional_after =
        std::iter::successors(argument.next_named_sibling(), |n| n.next_named_sibling()).any(|n| {
            !matches!(
                n.kind(),
                "keyword_argument" | "dictionary_splat" | "comment"
            )
        });
    if argument == value && positional_after {
        return Err(
            "the argument is passed by position before others, which dropping it would shift"
                .into(),
        );
    }
    argument_removal(argument, source).ok_or_else(|| {
        format!(
            "a comment sits beside the argument at line {}, which dropping it would take too",
            line_of(source, argument.start_byte())
        )
    })
}

/// The functions the file defines whose name starts with `prefix`, found
/// from their text: a walk of the whole tree per use made files of many
/// uses slow. (A whole name is asked of `Root::functions_defined`, which
/// remembers the answer.)
fn functions_named<'a, 't>(
    root: &'a Root<'t>,
    source: &'a str,
    prefix: &'a str,
) -> impl Iterator<Item = Node<'t>> + 'a {
    memchr::memmem::find_iter(source.as_bytes(), prefix.as_bytes()).filter_map(move |at| {
        let name = root
            .descendant_for_byte_range(at, at + prefix.len())
            .filter(|n| n.kind() == "identifier" && n.start_byte() == at)?;
        let function = root.parent(name)?;
        (function.kind() == "function_definition"
            && function.child_by_field_name("name") == Some(name))
        .then_some(function)
    })
}

/// The fate of a use when it does not depend on the code around it (an
/// import, an ambiguous name, an API no transform handles); otherwise
/// the transforms to try.
pub fn decide_without_code(catalogue: &Catalogue, u: &Use) -> Result<Fate, Vec<TransformId>> {
    if u.kind == UseKind::Import && u.local == "*" {
        let module = u.name.trim_end_matches(".*");
        return Ok(Fate::Manual(
            None,
            format!(
                "a star import: the names it binds from {module} are not followed, so \
                 neither they nor it are rewritten. Import the names the file uses by name \
                 (`from {module} import sleep`), then run again"
            ),
        ));
    }
    if u.kind == UseKind::Import {
        return Ok(Fate::Import);
    }
    if u.loaded.is_some() {
        return Ok(Fate::Manual(None, loaded_by_name(catalogue, u)));
    }
    if u.ambiguous {
        let name = u.name.split('.').next().unwrap_or(&u.name);
        return Ok(Fate::Manual(
            None,
            format!(
                "the name bound by this eventlet import is also assigned something else in \
             the same scope (or comes from a star import), so its meaning here is not \
             certain: rename one of them ({name}). (A fallback import, `try: from \
             eventlet import sleep` / `except ImportError: from time import sleep`, is \
             rewritten when its handler only imports the same names.)"
            ),
        ));
    }
    let Some(api) = u.api else {
        let why = if u.kind == UseKind::MockTarget {
            "a mock of an eventlet name the catalogue does not know; make the test assert behaviour"
        } else {
            "eventlet API not in the catalogue; migrate by hand"
        };
        return Ok(Fate::Manual(None, why.into()));
    };
    let mock = u.kind == UseKind::MockTarget;
    let candidates: Vec<TransformId> = catalogue
        .transforms_for(api)
        .iter()
        .copied()
        .filter(|id| (catalogue.transforms[*id].shape == Shape::MockTarget) == mock)
        .collect();
    if candidates.is_empty() {
        return Ok(Fate::Manual(None, guidance(catalogue, u, api, false)));
    }
    Err(candidates)
}

/// Why a use of eventlet loaded by name stays, and what to do instead.
fn loaded_by_name(catalogue: &Catalogue, u: &Use) -> String {
    let then = u.api.map_or(String::new(), |api| {
        format!(" {}", catalogue.apis[api].guidance)
    });
    if u.local.is_empty() {
        format!(
            "{} is loaded by name here rather than imported, and the code around it may \
             choose on whether the load worked (`try_import` gives None): eventless rewrites \
             neither. Drop the load, and the branch that uses eventlet, by hand once the \
             project runs on native threads.{then}",
            u.name
        )
    } else {
        format!(
            "'{}' holds what a loader call gave (eventlet loaded by name, not imported), \
             and eventless does not rewrite through it: the load and the code that uses \
             it go together, by hand.{then}",
            u.local
        )
    }
}

/// What to do with a use left as it is; `refused` when a transform for it
/// exists but refused it.
fn guidance(catalogue: &Catalogue, u: &Use, api: ApiId, refused: bool) -> String {
    if u.kind == UseKind::MockTarget && refused {
        "Patch only what the test needs (a method of the code under test), or \
         let the mock move with the code once what holds it is solved"
            .into()
    } else if u.kind == UseKind::MockTarget {
        format!(
            "a mock of {} has no one-to-one stdlib target: make the test assert behaviour \
             instead of patching eventlet",
            u.name
        )
    } else {
        catalogue.apis[api].guidance.clone()
    }
}

/// The line of a comment inside the text `rw` replaces, outside the
/// argument texts its template copies as they are: rendered anew, the
/// rewrite would drop it (`eventlet.spawn_n(f,  # why` over two lines).
fn comment_dropped(rw: &Rewrite, root: &Root, source: &str) -> Option<usize> {
    let range = &rw.range;
    let node = root.descendant_for_byte_range(range.start, range.end)?;
    let copied: Vec<&Range<usize>> = rw
        .template
        .params()
        .filter_map(|param| rw.arguments.get(param)?.copied.as_ref())
        .collect();
    descendants(node)
        .filter(|n| n.kind() == "comment")
        .map(|n| n.byte_range())
        .find(|c| {
            range.start <= c.start
                && c.end <= range.end
                && !copied.iter().any(|a| a.start <= c.start && c.end <= a.end)
        })
        .map(|c| line_of(source, c.start))
}

fn has_keyword(call: Node) -> bool {
    call.child_by_field_name("arguments").is_some_and(|a| {
        named_children(a)
            .iter()
            .any(|n| matches!(n.kind(), "keyword_argument" | "dictionary_splat"))
    })
}

/// Where a call of the file first passes `keyword=`.
fn keyword_use(root: &Root, source: &str, keyword: &str) -> Option<usize> {
    root.identifiers(keyword, source)
        .into_iter()
        .find(|name| {
            root.parent(*name).is_some_and(|argument| {
                argument.kind() == "keyword_argument"
                    && argument.child_by_field_name("name") == Some(*name)
            })
        })
        .map(|name| name.start_byte())
}

/// A mock's behaviour that a use sits in: `side_effect=`, `new=`, `wraps=`
/// or `new_callable=` of a `patch(...)`, `patch.object(...)` or
/// `patch.multiple(...)` call.
pub(crate) struct MockBehaviour {
    keyword: String,
    line: usize,
    call: String,
}

pub(crate) fn mock_behaviour(root: &Root, node: Node, source: &str) -> Option<MockBehaviour> {
    const KEYWORDS: &[&str] = &["side_effect", "new", "wraps", "new_callable"];
    let ancestors: Vec<Node> = root.ancestors(node).collect();
    for (k, parent) in ancestors.iter().enumerate() {
        if parent.kind() == "keyword_argument"
            && let Some(name) = parent.child_by_field_name("name").map(|n| text(n, source))
            && KEYWORDS.contains(&name)
            && let Some(&call) = ancestors.get(k + 2)
            && call.kind() == "call"
            && let Some(function) = call.child_by_field_name("function")
        {
            let callee = text(function, source);
            let last = callee.rsplit('.').next().unwrap_or(callee);
            if callee.contains("patch") && matches!(last, "patch" | "object" | "multiple") {
                let head = text(call, source);
                let call_text = head.lines().next().unwrap_or(head);
                return Some(MockBehaviour {
                    keyword: format!("{name}="),
                    line: call.start_position().row + 1,
                    call: call_text.chars().take(60).collect(),
                });
            }
        }
    }
    None
}

/// The thread-local state that `task` (a function handed to a pool) is
/// seen to read, described: a function or method of the file named by
/// `task`, or a lambda, that reads a module-level thread-local of the file
/// or, through a module import, of another module of the project.
fn thread_state_read(
    task: Node,
    root: Node,
    source: &str,
    context: &FileContext,
) -> Option<String> {
    let bodies: Vec<Node> = match task.kind() {
        "lambda" => task.child_by_field_name("body").into_iter().collect(),
        "identifier" | "attribute" => {
            let name = match task.kind() {
                "identifier" => text(task, source),
                _ => text(task.child_by_field_name("attribute")?, source),
            };
            descendants(root)
                .filter(|n| n.kind() == "function_definition")
                .filter(|f| {
                    f.child_by_field_name("name")
                        .is_some_and(|n| text(n, source) == name)
                })
                .filter_map(|f| f.child_by_field_name("body"))
                .collect()
        }
        _ => return None,
    };
    if bodies.is_empty() {
        return None;
    }
    let own = thread_locals::defined_in(root, source);
    bodies.into_iter().find_map(|body| {
        thread_locals::reads_in(root, body, source)
            .into_iter()
            .find_map(|(node, read)| {
                let made = match read {
                    StateRead::Own(name) => match own.iter().find(|(n, _)| *n == name) {
                        Some((_, line)) => format!("line {line}"),
                        None => {
                            let dotted = module_bound_to(root, &name, source)?;
                            let (module, name) = dotted.rsplit_once('.')?;
                            context.thread_local(module, name)?.to_owned()
                        }
                    },
                    StateRead::Imported(module, name) => {
                        context.thread_local(&module, &name)?.to_owned()
                    }
                };
                Some(format!(
                    "thread-local state ({}, made at {made})",
                    text(node, source)
                ))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::{first_expression, parse};
    use crate::transform::model::Param;

    fn params(spec: &[&str]) -> Vec<Param> {
        spec.iter()
            .map(|p| match p.strip_prefix('*') {
                Some(name) => Param {
                    name: name.into(),
                    default: None,
                    rest: true,
                },
                None => match p.split_once('=') {
                    Some((n, d)) => Param {
                        name: n.into(),
                        default: Some(d.into()),
                        rest: false,
                    },
                    None => Param {
                        name: p.to_string(),
                        default: None,
                        rest: false,
                    },
                },
            })
            .collect()
    }

    fn bind(call: &str, spec: &[&str]) -> Result<Vec<Option<Vec<String>>>, String> {
        let tree = parse(call);
        let node = first_expression(&tree);
        bind_arguments(node, &params(spec), call).map(|bound| {
            bound
                .into_iter()
                .map(|b| b.map(|nodes| nodes.iter().map(|n| text(*n, call).to_owned()).collect()))
                .collect()
        })
    }

    #[test]
    fn positional_and_keyword_arguments_bind_like_python() {
        assert_eq!(
            bind("f(1)", &["seconds=0"]).unwrap(),
            [Some(vec!["1".to_string()])]
        );
        assert_eq!(
            bind("f(seconds=2)", &["seconds=0"]).unwrap(),
            [Some(vec!["2".to_string()])]
        );
        assert_eq!(bind("f()", &["seconds=0"]).unwrap(), [None]);
    }

    #[test]
    fn rest_takes_everything_left_over() {
        let bound = bind("f(g, 1, *a, k=2, **kw)", &["func", "*args"]).unwrap();
        assert_eq!(bound[1].as_ref().unwrap(), &["1", "*a", "k=2", "**kw"]);
    }

    #[test]
    fn what_cannot_be_bound_exactly_is_refused() {
        assert!(
            bind("f(1, 2)", &["seconds=0"])
                .unwrap_err()
                .contains("more positional")
        );
        assert!(
            bind("f(secs=1)", &["seconds=0"])
                .unwrap_err()
                .contains("secs=")
        );
        assert!(
            bind("f(*a)", &["seconds=0"])
                .unwrap_err()
                .contains("unpacked")
        );
        assert!(
            bind("f(1, seconds=1)", &["seconds=0"])
                .unwrap_err()
                .contains("twice")
        );
    }
}
