//! The compiled form of a transform file: families, APIs, transforms with
//! their cases, guards and member rules, helpers. Every word a transform
//! file may say is defined in `transform/`; the code that interprets the
//! words imports them from here.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::project::requirements::Release;

use super::predicate::Predicate;
use super::strategy::{BlockRule, ConfigStrategy};
use super::template::Template;

pub type ApiId = usize;
pub type TransformId = usize;
pub type DifferenceId = usize;

/// A behaviour difference a review-level rewrite has, named so that the
/// reviewer knows what to check (`transforms/differences.toml`). Each is
/// shown by its own program, `tests/differential/difference_<id>.py`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    pub id: String,
    /// One sentence a reviewer reads.
    pub summary: String,
    /// What to check, or do instead.
    pub guidance: String,
    /// The summary line of the commit of the rewrites that have it.
    pub commit_summary: String,
    /// Code that accepting this difference alone rewrites (`after`), and
    /// that the default level leaves.
    #[serde(rename = "example")]
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    Safe,
    Conditional,
    /// What maintainers write, with behaviour differences named in the
    /// catalogue: made only when the user accepts them (`--accept`,
    /// `--review`).
    Review,
    Manual,
}

impl Safety {
    pub fn as_str(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::Conditional => "conditional",
            Safety::Review => "review",
            Safety::Manual => "manual",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// The API is called; the whole call is replaced.
    Call,
    /// The API is called as a statement of its own; the statement is replaced
    /// (an empty replacement deletes it).
    Statement,
    /// Any mention of the API; the name itself is replaced.
    Reference,
    /// The API is called as the value of a module-level assignment to the
    /// name that the module its string argument names takes when imported
    /// (`threading = patcher.original('threading')`): the assignment goes,
    /// and that module is imported among the file's imports.
    Import,
    /// A string naming the API as a mock target (`mock.patch('eventlet.sleep')`);
    /// its text is replaced by the target's dotted name once every use of
    /// the API in the tree is rewritten.
    #[serde(rename = "mock-target")]
    MockTarget,
    /// Lines of project configuration files (requirements, coverage, tox),
    /// changed by a named strategy once no eventlet import is left.
    Config,
    /// A block of code around the API, rewritten by a named strategy
    /// implemented in Rust (see `decide::timeout_block`).
    Block,
}

/// Which uses of a green module look host names up (`looks_up` in an
/// `[[api]]`: `true`, or the members that do).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(untagged)]
pub enum LooksUp {
    #[default]
    Never,
    Always(bool),
    Members(Vec<String>),
}

impl LooksUp {
    /// A use that reaches `member` (`None`: the module itself) looks names
    /// up.
    pub fn by(&self, member: Option<&str>) -> bool {
        match self {
            LooksUp::Never => false,
            LooksUp::Always(always) => *always,
            LooksUp::Members(members) => member.is_some_and(|m| members.iter().any(|l| l == m)),
        }
    }
}

/// When a rewrite keeps the program's behaviour, seen from the whole tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// No green threads run in the tree and nothing is monkey-patched.
    Native,
    /// The tree never calls `monkey_patch()`.
    Unpatched,
    /// No green threads run, or `monkey_patch()` makes this stdlib module green.
    NativeOrPatched(String),
    /// Every program that may run the line monkey-patches this module in
    /// all its runs: what the line does depends on whether it is patched
    /// (oslo.messaging picks the eventlet executor only then).
    Patched(String),
    /// Nothing else in the tree uses eventlet once the run's other rewrites
    /// are made (decided after them, for monkey_patch() to go last).
    EventletFree,
    /// No program that may run the line stops eventlet printing what green
    /// threads end with (`eventlet.debug.hub_exceptions(False)`): a native
    /// thread prints its uncaught exception.
    ErrorsPrinted,
    /// The line's host-name lookups keep their resolver: a green module's
    /// lookups (see `Api::looks_up`) stay with greendns, eventlet's
    /// resolver, in programs that monkey-patch socket or turn greendns
    /// off; a `monkey_patch()` call that patched socket goes only from
    /// programs that turn it off. Elsewhere it holds with the resolver
    /// difference.
    SameResolver,
}

/// The behaviour difference with which `NativeOrPatched` holds in a
/// program that patches the module in some runs only: in the others, the
/// stdlib call blocks the green threads.
pub const UNPATCHED_RUNS: &str = "unpatched-runs";

/// The behaviour difference with which `NativeOrPatched` holds in a
/// command that never monkey-patches, in a file that starts no green
/// threads itself: green threads start elsewhere in what the command
/// imports, and the stdlib call blocks them if they run.
pub const UNPATCHED_PROGRAM: &str = "unpatched-program";

/// The behaviour difference with which `NativeOrPatched` holds, in place
/// of the two above, for a use that starts threads: in the runs or
/// commands that leave threads unpatched, the thread started is an OS
/// thread, which the eventlet primitives it shares with green threads no
/// longer wake.
pub const UNPATCHED_THREADS: &str = "unpatched-threads";

/// The behaviour difference with which `NativeOrPatched` holds, in place
/// of the first two, for a use of the current thread or of thread-local
/// state: in those runs they are the OS thread's, which every green thread
/// shares.
pub const UNPATCHED_LOCALS: &str = "unpatched-locals";

/// The behaviour difference of a rewrite whose stdlib call a test's mock
/// of that name (`mock.patch('time.sleep')`), in a program that runs it,
/// now catches.
pub const CAUGHT_BY_MOCK: &str = "caught-by-mock";

/// The behaviour difference with which `SameResolver` holds where the
/// rewrite moves host-name lookups from greendns to the system resolver.
pub const RESOLVER: &str = "resolver";

/// The behaviour difference of deleting a setting of eventlet's
/// variables in code: the commands the program starts no longer inherit it.
pub const INHERITED_ENVIRONMENT: &str = "inherited-environment";

/// The API that settings of eventlet's variables are uses of.
pub const ENVIRONMENT_API: &str = "eventlet:environment";

/// The behaviour difference with which code moves away from a mock that
/// stays (in shared set-up code) when the mock only skipped its wait: while
/// that mock is active, the call now really waits.
pub const ESCAPED_MOCK: &str = "escaped-mock";

/// The modules `monkey_patch()` knows, by its keyword names.
pub const PATCHABLE: &[&str] = &[
    "os",
    "select",
    "socket",
    "thread",
    "time",
    "psycopg",
    "MySQLdb",
    "builtins",
    "subprocess",
];

/// Local checks on the file that must hold for a rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Guard {
    /// Every use of the API in the file is a call.
    OnlyCalled,
    /// No call in the file passes this keyword argument.
    NoKeyword(String),
    /// The API (a module) is never used for this member.
    NoMember(String),
    /// The module is used only to read its members (`ssl.CERT_NONE`): never
    /// assigned into, passed on or compared as an object, which the
    /// rewrite would turn into another module object.
    MembersOnly,
    /// Calls of the module's members pass no keyword arguments.
    MemberCallsPositional,
    /// The call's result is only compared, hashed or used as a key.
    IdentityOnly,
    /// Every use of the transform's APIs in the file can be rewritten, or
    /// none is (values that are compared must all come from one side).
    AllInFile,
    /// The file never names this (e.g. `current_thread`, which would tell
    /// tpool's worker thread from the caller's).
    NoIdentifier(String),
    /// The call makes the context manager of a `with` statement (which
    /// shuts an executor down at the block's end).
    WithBlock,
    /// The call's value is used: it is not a statement of its own (which
    /// a statement transform rewrites).
    ValueUsed,
    /// The function the call runs (its first argument, `f` or `self.f`)
    /// is defined in the file and raises nothing on purpose: no raise or
    /// assert statement, no `self.fail(...)` or `self.assert...(...)`,
    /// which a waiter of the thread would see.
    QuietTarget,
    /// The mock is made in a module that defines tests, not in shared
    /// set-up code that the tests of many modules run.
    InTestModule,
    /// The call does not schedule the function that makes it (a timer that
    /// reschedules itself, which a non-daemon Timer would wait for at exit
    /// for ever).
    NotRescheduling,
    /// The call does not start a function defined in the one that makes
    /// it: such a closure is deferred work of that call, whose order
    /// against the work of the calls after it changes once start() runs it
    /// before the caller goes on (mistral's post-transaction queue).
    NotDeferredClosure,
    /// Every use of this API in the file is rewritten too: an exception
    /// class follows the queues the file makes, so that a file does not
    /// catch the stdlib's `queue.Empty` from a queue that stays eventlet's.
    Follows(String),
    /// The project's requirements (requirements.txt, setup.cfg,
    /// pyproject.toml) allow no release of the package
    /// below this one (`package-at-least:oslo.messaging>=12.0.0`): the
    /// rewrite counts on what that release brought.
    PackageAtLeast(String, Release),
}

impl Guard {
    /// It asks for the form of the use's own site, which another
    /// transform of the API may cover instead.
    pub fn is_form(&self) -> bool {
        matches!(self, Guard::WithBlock | Guard::ValueUsed)
    }
}

/// What a use of one member of the created object must look like.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberRule {
    /// The stdlib member's name, when it differs.
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub args: ArgsRule,
    #[serde(default)]
    pub result: ResultRule,
    /// Put between the parentheses of a call without arguments.
    #[serde(default)]
    pub empty_args: Option<String>,
    /// Used in one place at most (eventlet asserted on a second `send`).
    #[serde(default)]
    pub once: bool,
    /// Only as the object's last use, since the stdlib member ends it
    /// (`shutdown`): held by a name, in the function that makes it, after
    /// every other use, and in no loop that does not make it again.
    #[serde(default)]
    pub last: bool,
    /// The object must be used this way somewhere (a GreenPile must be
    /// read to its end).
    #[serde(default)]
    pub required: bool,
    /// The difference the rewrite has when the object is never used this
    /// way (an executor never shut down: its threads keep the program
    /// alive at exit, `exit-waits`).
    #[serde(default)]
    pub unused: Option<String>,
    /// The difference the rewrite has when the object is used this way
    /// (a thread's `join()` returns where a green thread's `wait()` raised
    /// what its function raised: `unraised-exception`); none when it
    /// never is.
    #[serde(default)]
    pub used: Option<String>,
    /// The difference the rewrite has when the object's making (`pool =
    /// ...`) and this last use are statements of one block, which become
    /// a with block that ends where the use was, as maintainers write an
    /// executor (`exception-waits`: the block's end waits for the tasks
    /// when an exception leaves it); none keeps the use.
    #[serde(default)]
    pub with_block: Option<String>,
    /// Members that may not also be used on the object (after `cancel()`,
    /// eventlet's `wait()` raised GreenletExit, a Future's `result()`
    /// raises CancelledError).
    #[serde(default)]
    pub without: Vec<String>,
    /// Not called inside a try statement with handlers or a with block of
    /// its function: an exception eventlet's member raised there may be
    /// what that code catches (a test's `assertRaises`), and the stdlib
    /// member does not raise it.
    #[serde(default)]
    pub unhandled: bool,
    /// May also be read uncalled, as a bound method another call makes
    /// (`assertRaises(E, t.wait)`): eventlet's method takes no arguments,
    /// like the stdlib one, so only its name changes.
    #[serde(default)]
    pub bound: bool,
    /// The first argument is a task the stdlib member runs on a worker
    /// thread that ran tasks before (an executor's): a task seen to read
    /// thread-local state would see what the one before it left there
    /// (reused-worker), so the object stays.
    #[serde(default)]
    pub task: bool,
    /// The position of a timeout parameter (also passed as `timeout=`):
    /// its argument is absent, None or proved never negative, since
    /// eventlet took a negative timeout as already expired (and -1 as
    /// none), where the stdlib raises ValueError or returns at once.
    #[serde(default)]
    pub timeout: Option<usize>,
    /// Text added after the member's call, e.g.
    /// `.add_done_callback({def:_print_exception})`: literal text and
    /// helper calls only.
    #[serde(default, deserialize_with = "template_text")]
    pub then: Option<Template>,
    /// The difference the rewrite has without `then`, as maintainers
    /// write it (a pool's task with no printer of its exception:
    /// `unprinted-exception`); where that difference is accepted, `then`
    /// is left out.
    #[serde(default)]
    pub then_left_out: Option<String>,
}

impl MemberRule {
    /// The differences the rule names, each with its key: the rewrite has
    /// one where the object is used, or not used, so.
    pub fn differences(&self) -> [(&'static str, Option<&str>); 4] {
        [
            ("unused", self.unused.as_deref()),
            ("used", self.used.as_deref()),
            ("with_block", self.with_block.as_deref()),
            ("then_left_out", self.then_left_out.as_deref()),
        ]
    }
}

fn template_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Template>, D::Error> {
    let text = String::deserialize(d)?;
    Template::parse(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArgsRule {
    #[default]
    Any,
    /// Called, without arguments.
    None,
    /// Called with exactly one positional argument.
    One,
    /// Called with no argument or one positional argument.
    Optional,
    /// Called with no argument, or with one literal the rewrite drops (the
    /// stdlib member takes none, and nothing reads the value: an Event's
    /// `send('done')` whose `wait()` result is unused). A literal only:
    /// dropping a call would skip its work, and a name could be left unused.
    #[serde(rename = "literal-dropped")]
    LiteralDropped,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResultRule {
    #[default]
    Any,
    /// The call's value must be discarded.
    Unused,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub default: Option<String>,
    /// `*name`: takes every argument left over, of any kind.
    pub rest: bool,
}

#[derive(Debug, Clone)]
pub enum CaseAction {
    Replace(HashMap<ApiId, Template>),
    Manual(String),
}

#[derive(Debug, Clone)]
pub struct Case {
    pub when: Vec<(usize, Predicate)>,
    pub action: CaseAction,
    pub safety: Safety,
    /// The behaviour differences of its rewrite (review level): the case
    /// is chosen only when the user accepts all of them.
    pub differences: Vec<DifferenceId>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    #[serde(default)]
    pub name: Option<String>,
    pub before: String,
    /// The expected rewrite; absent means the code must stay untouched.
    #[serde(default)]
    pub after: Option<String>,
    /// APIs whose uses must be reported for a person.
    #[serde(default)]
    pub manual: Vec<String>,
    /// The file name the example is written to (default `example.py`).
    #[serde(default)]
    pub file: Option<String>,
    /// Other files of the example's tree by name, as they are (a module
    /// the example imports); only the example's file is checked.
    #[serde(default)]
    pub beside: std::collections::BTreeMap<String, String>,
    /// Run with every behaviour difference accepted (`--review`).
    #[serde(default)]
    pub review: bool,
    /// The differences (ids) the example runs accepting, as `--accept`
    /// does; in a difference's example, the other differences of the form
    /// that has this one, accepted with it.
    #[serde(default)]
    pub accept: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Family {
    pub name: String,
    pub title: String,
    /// The summary line of a commit of this family's rewrites.
    pub commit_summary: Option<String>,
    /// Its objects are what threads wait on and wake one another through
    /// (events, locks, queues): one that stays eventlet's no longer wakes
    /// an OS thread started in place of a green one.
    pub wakes_threads: bool,
    pub file: String,
    pub examples: Vec<Example>,
}

/// An installed function that calls `monkey_patch()` for its callers
/// (neutron's `eventlet_utils.monkey_patch()`): as with no arguments, but
/// for the modules it leaves unpatched in some runs.
#[derive(Debug, Clone)]
pub struct PatchWrapper {
    /// Its dotted name.
    pub function: String,
    pub some_runs: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Api {
    pub name: String,
    pub aliases: Vec<String>,
    pub family: usize,
    pub guidance: String,
    /// Using it means code runs on the hub: it starts green threads, or it
    /// relies on the hub to interrupt cooperative blocking calls (Timeout).
    pub green: bool,
    /// Of a green module: the members that start green threads (`Thread`
    /// of green threading); a use through another one (`local`) starts
    /// none. Empty: every use counts.
    pub green_members: Vec<String>,
    /// Its uses give the current thread or state kept per thread (a
    /// thread-local, the thread's identity): while threads are unpatched,
    /// the stdlib ones are the OS thread's, which every green thread on it
    /// shares.
    pub per_thread: bool,
    /// Of a green module: the members whose uses do so (`local` of green
    /// threading). Empty: every use does.
    pub per_thread_members: Vec<String>,
    /// Which of its uses look host names up through eventlet's green
    /// socket, with greendns unless it is turned off.
    pub looks_up: LooksUp,
    pub monkey_patch: bool,
    /// Another library's member that runs on eventlet
    /// (`futurist.GreenThreadPoolExecutor`): only the member is a use, not
    /// an import of the library.
    pub library: bool,
    /// Installed code that calls it itself, as dotted module prefixes (a
    /// library's top-level package, `eventlet.tpool` for one of eventlet's
    /// modules): a test that mocks it while such code runs catches their
    /// calls too, so the mock cannot move.
    pub called_by: Vec<String>,
    /// A call of it only waits (and yields) and returns nothing: a bare
    /// mock of it, one no test reads, only skips the wait, so code may move
    /// away from such a mock that stays (the escaped-mock difference).
    pub only_waits: bool,
    /// Called with anything but `True` (or so assigned), it may stop
    /// eventlet printing the exceptions green threads end with.
    pub silences_errors: bool,
    /// Installed functions that call it (of an API that monkey-patches):
    /// calling one patches as it does.
    pub wrappers: Vec<PatchWrapper>,
    /// Functions the threads it starts call over and over, for as long as
    /// they run (oslo.messaging's fake-driver listener polls with
    /// time.sleep): in a test run that imports a module starting them, a
    /// thread one test leaves running calls them during the tests after
    /// it.
    pub background_calls: Vec<String>,
    /// The eventlet APIs its own code calls (GreenPool's `spawn_n` calls
    /// `eventlet.spawn_n`): a test's mock of one of them stops its work
    /// too, which the stdlib replacement would not call, so the code stays
    /// where such a mock reaches it.
    pub calls: Vec<ApiId>,
    /// The package whose own feature it is (`oslo.messaging` for its
    /// executor='eventlet'): in that package's tree, a use is its code and
    /// tests of the feature, which go when the package drops it.
    pub provided_by: Option<String>,
}

impl Api {
    /// Whether a use of it, through `member` (`threading.Thread` of green
    /// threading), runs code on the hub (see `green`): every use, or for a
    /// green module with `green_members`, a use through one of them.
    pub fn green_use(&self, member: Option<&str>) -> bool {
        self.green && through_one_of(&self.green_members, member)
    }

    /// Whether a use of it, through `member`, gives the current thread or
    /// state kept per thread (see `per_thread`).
    pub fn per_thread_use(&self, member: Option<&str>) -> bool {
        self.per_thread && through_one_of(&self.per_thread_members, member)
    }
}

/// A use through `member` is one of `members`, when they are named (the
/// module passed on as a whole counts).
fn through_one_of(members: &[String], member: Option<&str>) -> bool {
    members.is_empty() || member.is_none_or(|m| members.iter().any(|g| g == m))
}

#[derive(Debug, Clone)]
pub struct Transform {
    pub id: String,
    pub family: usize,
    pub summary: String,
    pub docs: String,
    pub safety: Safety,
    pub shape: Shape,
    pub apis: Vec<ApiId>,
    pub params: Vec<Param>,
    pub requires: Vec<Requirement>,
    pub guards: Vec<Guard>,
    /// When present, the created object is followed through the file and
    /// every member used on it must have a rule here.
    pub members: Option<BTreeMap<String, MemberRule>>,
    /// Whether the created object may be passed on where it is not followed.
    pub escapes: bool,
    /// A method called on what the call's value is assigned to, on the line
    /// after the assignment (`start`: `t = Thread(...)` / `t.start()`); the
    /// call must then be the whole right side of an assignment statement.
    pub call_after_assignment: Option<String>,
    /// For a `mock-target` transform: what the mock becomes.
    pub mock_form: MockForm,
    /// For `config` transforms: the strategy that edits the file.
    pub strategy: Option<ConfigStrategy>,
    /// For `block` transforms: the blocking call, and how its block is
    /// rewritten.
    pub block: Option<BlockRule>,
    pub cases: Vec<Case>,
    pub examples: Vec<Example>,
    /// Defined (added or replaced) by the project's eventless.toml.
    pub project: bool,
}

impl Transform {
    /// What a mock-target transform's mock of `api` patches once it
    /// follows the code (`time.sleep`).
    pub fn mock_target(&self, api: ApiId) -> Option<String> {
        match &self.cases.first()?.action {
            CaseAction::Replace(per_api) => per_api.get(&api)?.as_written(),
            CaseAction::Manual(_) => None,
        }
    }

    /// Part of the switch off eventlet: made only in the run that leaves
    /// no other eventlet use in the tree.
    pub fn whole_program(&self) -> bool {
        self.requires.contains(&Requirement::EventletFree)
    }

    /// The differences its member rules name: a rewrite has one where its
    /// object is used, or not used, so (exit-waits, exception-waits).
    pub fn member_differences(&self) -> impl Iterator<Item = &str> {
        self.members
            .iter()
            .flat_map(|m| m.values())
            .flat_map(MemberRule::differences)
            .filter_map(|(_, id)| id)
    }

    /// The helpers its templates call.
    pub fn helpers(&self) -> impl Iterator<Item = &str> {
        let members = self
            .members
            .iter()
            .flat_map(|m| m.values())
            .filter_map(|rule| rule.then.as_ref());
        self.cases
            .iter()
            .filter_map(|c| match &c.action {
                CaseAction::Replace(templates) => Some(templates.values()),
                CaseAction::Manual(_) => None,
            })
            .flatten()
            .chain(members)
            .flat_map(|t| t.helpers())
    }
}

/// A module-level function that rewrites call (`{def:name}` in a
/// template): defined once in the project's shared helpers module, or in
/// each file that calls it when the project has none.
#[derive(Debug, Clone)]
pub struct Helper {
    pub name: String,
    /// The whole `def`, whose `{@module}` placeholders name modules as
    /// the rewrite's templates do.
    pub code: Template,
}

/// A helper's name in a shared helpers module, which other modules import:
/// without the leading underscore that marks a module's private names.
pub fn public_name(name: &str) -> &str {
    name.trim_start_matches('_')
}

impl Helper {
    pub fn public_name(&self) -> &str {
        public_name(&self.name)
    }

    /// The name a module defines it under: its public name, with `public`.
    pub fn defined_name(&self, public: bool) -> &str {
        match public {
            true => self.public_name(),
            false => &self.name,
        }
    }

    /// The definition's text, `module` naming each module it uses; with
    /// `public`, as a shared helpers module defines it: it and the helpers
    /// it calls under their public names.
    pub fn render(&self, module: impl FnMut(&str) -> String, public: bool) -> String {
        let called = |h: &str| match public {
            true => public_name(h).to_owned(),
            false => h.to_owned(),
        };
        let code = self
            .code
            .render(|_| None, module, called)
            .expect("validated: a helper's code takes no arguments");
        match public {
            true => crate::python::helpers::renamed(&code, &self.name, self.public_name()),
            false => code,
        }
    }
}

/// What a `mock-target` transform makes of a test's mock of eventlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MockForm {
    /// A mock of the transform's target (`time.sleep`).
    #[default]
    Target,
    /// A mock of the module under test's own name for the target's module
    /// (`qnap.time`), which passes every other call through, and so catches
    /// that module's calls only: taken where a mock of the target itself
    /// would catch the test run's threads too (see `narrow_mock`).
    Narrow,
    /// No mock: a decorator whose mock the test's class already makes in
    /// its setUp for every test goes (see `covered_mock`).
    Covered,
}

impl MockForm {
    pub const WORDS: &'static str = "'narrow', 'covered'";

    pub fn parse(word: &str) -> Option<MockForm> {
        match word {
            "narrow" => Some(MockForm::Narrow),
            "covered" => Some(MockForm::Covered),
            _ => None,
        }
    }
}
