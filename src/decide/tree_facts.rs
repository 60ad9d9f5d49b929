//! The facts about programs that decide whether a primitive's rewrite
//! keeps their behaviour.
//!
//! Replacing `eventlet.sleep` by `time.sleep` is exact once the process runs
//! on native threads, and also while `monkey_patch()` makes `time` green.
//! It is *not* exact while green threads still run unpatched: `time.sleep`
//! would then block every green thread. So each transform states what it
//! requires, and it must hold in every program that may run the line: the
//! green-thread starters each program reaches and the `monkey_patch()`
//! calls it makes decide (see `project::programs` for what a program is).

use crate::analysis::mock_catches;
use crate::python::config_options::ProjectBounds;
use crate::python::import_scan::ImportScan;
use crate::python::import_scan::is_main_condition;
use crate::python::patchers::Patchers;
use crate::python::stdlib_mocks::StdlibMock;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use tree_sitter::Node;

use super::narrow_mock::{ModuleUnderTest, NarrowFacts};
use crate::project::call_reach::CallReach;
use crate::project::mock_paths::HeldName;
use crate::project::modules::ModuleGraph;
use crate::project::requirements::RequirementFloors;
use crate::python::non_negative::constant_named;
use crate::python::syntax::{
    Root, descendants, is_eventlet_path, named_children, plain_string_content, root_of, text,
};
use crate::transform::{
    ApiId, CAUGHT_BY_MOCK, DifferenceId, ESCAPED_MOCK, PATCHABLE, RESOLVER, Requirement,
    UNPATCHED_LOCALS, UNPATCHED_PROGRAM, UNPATCHED_RUNS, UNPATCHED_THREADS,
};

const OFF_BY_DEFAULT: &[&str] = &["MySQLdb", "builtins"];
/// Where the patching the user assumes is said to come from.
const ASSUMED: &str = "--assume-monkey-patched";
/// Where the unknown patching of a library's users comes from.
const UNKNOWN_USERS: &str = "its users";

/// The modules the application that runs the tree patches, as the user
/// says (`--assume-monkey-patched[=MODULES]`): `all` or some of
/// [`PATCHABLE`].
pub fn assumed_patching(names: &[String]) -> Result<BTreeSet<String>, String> {
    let mut modules = BTreeSet::new();
    for name in names {
        match name.as_str() {
            "all" => modules.extend(PATCHABLE.iter().map(|m| m.to_string())),
            m if PATCHABLE.contains(&m) => {
                modules.insert(m.to_owned());
            }
            other => {
                return Err(format!(
                    "'{other}' is not a module monkey_patch() patches (expected all or some of {})",
                    PATCHABLE.join(", ")
                ));
            }
        }
    }
    Ok(modules)
}

/// How the uses of one API fare across the project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiTally {
    /// Uses in code, and how many of them a transform rewrites.
    pub code: usize,
    pub rewritten: usize,
    /// Mock targets naming it, and how many of them a transform can rewrite.
    pub mocks: usize,
    pub followable: usize,
    /// Of the mocks that follow, those that become narrow mocks (see
    /// `narrow_mock`), and the files whose code they patch: they move with
    /// that code alone, and let the rest go its own way.
    pub narrow_mocks: usize,
    pub narrow_files: BTreeSet<usize>,
    /// The attributes the mocks replace (see `Use::lookup`): code
    /// that looks the API up elsewhere is never caught by them.
    pub mocked_at: BTreeSet<String>,
    /// Why a mock cannot follow: a library whose code it also catches
    /// (`eventlet.tpool, used at tests/test_x.py:12`).
    pub library_caller: Option<String>,
    /// Where the first mock that cannot follow is, and why if its file
    /// does not say (`tests/test_x.py:12, outside the paths given`).
    pub stuck_mock: Option<String>,
    /// Of the mocks that cannot follow, the bare ones no test reads of an
    /// API that only waits: they only skip the wait, so code may leave
    /// them (escaped-mock).
    pub wait_skippers: Sites,
    /// Code uses that move once escaped-mock is accepted (they leave such
    /// mocks, or move with code that does).
    pub escaping: Sites,
    /// Where the first code use that stays is, the same way, and the pass
    /// of decisions that first held it: 0 when it stays for reasons of its
    /// own, later when what an earlier pass held holds it in turn (a reason
    /// names the earliest, whose finding says why).
    pub held_code: Option<String>,
    pub held_pass: usize,
    /// The behaviour differences of the mocks' rewrites: the code moves
    /// only with its mocks, so it has them too.
    pub mock_differences: BTreeSet<DifferenceId>,
    /// Those of the code's rewrites, in the order their transforms name
    /// them: a mock (a test's expected argument) moves only with the code,
    /// so it has them too.
    pub code_differences: Vec<DifferenceId>,
}

impl ApiTally {
    /// Whether the program's mocks of the API hold its code, or the code
    /// holds its mocks (see `FileContext::check_moves_whole`).
    fn holds(&self) -> bool {
        self.mocks > 0
            && (self.code == 0
                || self.library_caller.is_some()
                || self.followable < self.mocks
                || self.rewritten < self.code)
    }

    pub fn add(&mut self, other: ApiTally) {
        self.code += other.code;
        self.rewritten += other.rewritten;
        self.mocks += other.mocks;
        self.followable += other.followable;
        self.narrow_mocks += other.narrow_mocks;
        self.narrow_files.extend(other.narrow_files);
        self.mocked_at.extend(other.mocked_at);
        self.wait_skippers.add(other.wait_skippers);
        self.escaping.add(other.escaping);
        // The first site of each kind, in the order tallies are added.
        self.library_caller = self.library_caller.take().or(other.library_caller);
        self.stuck_mock = self.stuck_mock.take().or(other.stuck_mock);
        if other.held_code.is_some()
            && (self.held_code.is_none() || other.held_pass < self.held_pass)
        {
            self.held_code = other.held_code;
            self.held_pass = other.held_pass;
        }
        self.mock_differences.extend(other.mock_differences);
        add_new(&mut self.code_differences, other.code_differences);
    }
}

/// Appends the differences `list` does not hold yet, keeping its order.
pub fn add_new(list: &mut Vec<DifferenceId>, more: impl IntoIterator<Item = DifferenceId>) {
    for id in more {
        if !list.contains(&id) {
            list.push(id);
        }
    }
}

/// How many uses of a kind an API has, and where the first is
/// (`tests/test_x.py:12`, with why where its file does not say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sites {
    pub count: usize,
    pub first: Option<String>,
}

impl Sites {
    /// One more, at `site` (made only for the first).
    pub fn note(&mut self, site: impl FnOnce() -> String) {
        self.count += 1;
        self.first.get_or_insert_with(site);
    }

    /// The first site stays the one added first.
    fn add(&mut self, other: Sites) {
        self.count += other.count;
        self.first = self.first.take().or(other.first);
    }
}

/// Where uses of an API are tallied: at a code use (by the byte offset of
/// its line's use), which counts for the programs that may run that line,
/// or a file's mocks, which count for every program that imports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TallyPlace {
    pub file: usize,
    pub code_at: Option<usize>,
}

/// How the uses of each API fare, by place.
pub type Tallies = HashMap<TallyPlace, HashMap<ApiId, ApiTally>>;

/// Top-level definitions that mention a name: (module, definition, name)
/// -> the module's file.
pub type DefinitionsMentioning = HashMap<(String, String, String), String>;

/// A file's module-level names and attributes stored on `self` that a
/// module importing the file mentions: (file, name) -> that module's path.
pub type NamesReadElsewhere = HashMap<(usize, String), String>;

/// A use that starts green threads or hub timers.
#[derive(Debug, Clone)]
pub struct GreenUse {
    pub line: usize,
    pub api: String,
    /// Its index among the uses of the file's analysis.
    pub use_index: usize,
}

/// A `monkey_patch()` call.
#[derive(Debug, Clone)]
pub struct PatchCall {
    pub line: usize,
    /// Where in its file it is: the start of the function it is in, or 0
    /// at module level. Calls of one scope are alternatives (nova's
    /// `if debugger: ... else: ...`); calls of different scopes all run.
    pub scope: usize,
    pub patching: Patching,
    /// It runs when its file is imported (at module level, or in a
    /// function called there), not only when a program calls it.
    pub at_import: bool,
    /// Its byte offset in its file, where call reach asks which programs
    /// may run it (none for a file that could not be read).
    pub at: Option<usize>,
    /// It is made in a test class's set-up (`setUp`, `setUpClass`), which
    /// runs before each test of the classes deriving from it.
    pub in_set_up: bool,
}

/// The host-name lookups a line makes, as the matcher reads them: what
/// the same-resolver requirement asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookups {
    None,
    /// Through eventlet's green socket, which the stdlib one replaces.
    GreenSocket,
    /// Through the stdlib socket, which a monkey_patch() call patches.
    PatchedSocket,
}

/// A condition that holds but for a behaviour difference: in some runs
/// of a program, or under a test's mock, the rewritten call behaves
/// otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relaxed {
    /// The difference's id in the catalogue.
    pub difference: &'static str,
    /// Where it shows: the program and what it patches.
    pub why: String,
}

/// What a stdlib call does in a run that leaves its module unpatched.
const BLOCKS_GREEN_THREADS: &str = "the stdlib call would block them all";

impl Relaxed {
    /// Whether it is for runs or commands that leave a module unpatched
    /// while green threads run.
    pub fn unpatched(&self) -> bool {
        matches!(self.difference, UNPATCHED_RUNS | UNPATCHED_PROGRAM)
    }

    /// Of an unpatched difference: the program and what it leaves
    /// unpatched, without what a stdlib call does there.
    pub fn shows_in(&self) -> &str {
        self.why
            .strip_suffix(BLOCKS_GREEN_THREADS)
            .unwrap_or(&self.why)
    }

    /// The difference for a use of the current thread or thread-local
    /// state where a stdlib call would block green threads: there they are
    /// the OS thread's, shared by every green thread.
    pub fn for_per_thread_use(self) -> Relaxed {
        self.instead(
            UNPATCHED_LOCALS,
            "the current thread and thread-local state would be the OS thread's, which every \
             green thread shares there",
        )
    }

    /// The difference for a use that starts a thread where a stdlib call
    /// would block green threads: the thread is an OS thread there.
    pub fn for_started_thread(self) -> Relaxed {
        self.instead(
            UNPATCHED_THREADS,
            "a thread started there would be an OS thread, which the eventlet primitives it \
             shares with green threads no longer wake",
        )
    }

    /// An unpatched difference as `difference`, which says what `happens`
    /// in the runs it shows in; any other stays as it is.
    fn instead(self, difference: &'static str, happens: &str) -> Relaxed {
        if !self.unpatched() {
            return self;
        }
        Relaxed {
            difference,
            why: format!("{}{happens}", self.shows_in()),
        }
    }
}

/// The differences code has for the tests that mock what it uses.
#[derive(Debug, Default)]
pub struct WithMocks {
    /// Those of the mocks that move with it (a wider mock).
    pub moving: BTreeSet<DifferenceId>,
    /// Those of the code the mocks move with.
    pub code: Vec<DifferenceId>,
    /// Mocks that stay but only skipped its wait: it now waits under them.
    pub escaped: Option<Relaxed>,
}

/// What a `monkey_patch()` call patches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patching {
    /// The modules it surely patches.
    pub modules: BTreeSet<String>,
    /// The modules it patches only in some runs (a keyword whose value is
    /// computed: `thread=not debugging`).
    pub some_runs: BTreeSet<String>,
}

impl Patching {
    /// What `monkey_patch()` patches given these keywords, each `true`,
    /// `false` or computed (`None`).
    pub fn of_keywords(mut on: BTreeMap<String, Option<bool>>) -> Patching {
        let default_on = match on.remove("all") {
            Some(all) => all,
            None if on.values().any(|v| *v == Some(true)) => Some(false),
            None if on.values().any(Option::is_none) => None,
            None => Some(true),
        };
        let mut patching = Patching::default();
        for m in PATCHABLE {
            let value = on
                .get(*m)
                .copied()
                .unwrap_or(if OFF_BY_DEFAULT.contains(m) {
                    Some(false)
                } else {
                    default_on
                });
            match value {
                Some(true) => patching.modules.insert(m.to_string()),
                None => patching.some_runs.insert(m.to_string()),
                Some(false) => false,
            };
        }
        patching
    }

    /// What a call made only in some runs of its scope patches: each
    /// module it names, in some runs.
    pub fn sometimes(&self) -> Patching {
        Patching {
            modules: BTreeSet::new(),
            some_runs: self.modules.union(&self.some_runs).cloned().collect(),
        }
    }

    /// It may patch `module`, in some runs or in all.
    pub fn may_patch(&self, module: &str) -> bool {
        self.modules.contains(module) || self.some_runs.contains(module)
    }

    /// It patches `module` in every run or in some: it says so, with a
    /// literal or a computed keyword. A call that may patch anything
    /// (positional arguments, a file that could not be read) names none.
    fn names(&self, module: &str) -> bool {
        let anything = self.some_runs.len() == PATCHABLE.len();
        self.modules.contains(module) || (!anything && self.some_runs.contains(module))
    }
}

/// A call that may stop eventlet printing the exceptions green threads
/// end with, as the API it names, its line and its offset.
#[derive(Debug, Clone)]
pub struct Silencing {
    pub api: String,
    pub line: usize,
    pub at: usize,
}

/// A top-level function that calls `monkey_patch()`: calling it patches
/// (neutron's `eventlet_utils.monkey_patch()`, called where its programs
/// start).
#[derive(Debug, Clone)]
pub struct PatchFunction {
    pub name: String,
    pub patching: Patching,
}

/// What one file contributes.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    pub green_threads: Vec<GreenUse>,
    /// An installed module it imports that starts green threads itself
    /// (oslo.service's looping calls), and the line.
    pub green_import: Option<(String, usize)>,
    /// Its calls (and assignments) that may stop eventlet printing what
    /// green threads end with (`eventlet.debug.hub_exceptions(False)`).
    pub silencings: Vec<Silencing>,
    /// Its monkey_patch() calls, and its calls of another file's patch
    /// functions.
    pub monkey_patches: Vec<PatchCall>,
    pub patch_functions: Vec<PatchFunction>,
}

impl FileFacts {
    /// The facts of a file that mentions eventlet but could not be read:
    /// it may start green threads and may monkey-patch anything.
    pub fn unreadable() -> FileFacts {
        FileFacts {
            green_threads: vec![GreenUse {
                line: 1,
                api: "eventlet (the file could not be read)".into(),
                use_index: usize::MAX,
            }],
            monkey_patches: vec![PatchCall {
                line: 1,
                scope: 0,
                patching: Patching {
                    modules: BTreeSet::new(),
                    some_runs: PATCHABLE.iter().map(|m| m.to_string()).collect(),
                },
                at_import: true,
                at: None,
                in_set_up: false,
            }],
            patch_functions: Vec::new(),
            green_import: None,
            silencings: Vec::new(),
        }
    }
}

/// What one program does, as far as rewrites care.
#[derive(Debug, Clone)]
pub struct ProgramFacts {
    /// How a reason names it (`console script nova-compute (nova.cmd.compute)`).
    pub name: String,
    /// A green use it may run (`path:line api`).
    pub green_site: Option<String>,
    /// Where it may stop eventlet printing what green threads end with
    /// (`path:line api`).
    pub silenced_site: Option<String>,
    /// The monkey_patch() calls it makes.
    pub calls: Vec<MadeCall>,
    /// A command a user runs (an entry point, a script, a module run
    /// alone), not a test run or a library's unknown user.
    pub command: bool,
    /// A run of the project's tests.
    test_run: bool,
    /// Its green socket looks names up with the system resolver: it
    /// turns greendns off before eventlet loads.
    greendns_off: bool,
    /// The files it imports (sorted), and those whose every function it
    /// may run; any function at all for a library's unknown user.
    reached: Arc<[usize]>,
    entries: Arc<[usize]>,
    any_function: bool,
}

/// A mock of a stdlib name that rewrites call, and where it is made.
#[derive(Debug, Clone)]
pub struct StdlibMockSite {
    /// `path:line`.
    site: String,
    mock: StdlibMock,
    /// The file of the project module whose name for the stdlib module a
    /// mock of that name replaces (`patch('pkg.mod.time')`).
    in_file: Option<usize>,
}

impl StdlibMockSite {
    /// Whether it catches a call of `module.member` made in `file`.
    fn catches(&self, module: &str, member: &str, file: usize) -> bool {
        self.mock.module == module
            && match &self.mock.member {
                Some(patched) => patched == member,
                None => self.in_file == Some(file),
            }
    }
}

/// A monkey_patch() call a program makes.
#[derive(Debug, Clone)]
pub struct MadeCall {
    /// `path:line`, or the user's assumption.
    pub site: String,
    /// The file and function it is in: calls of one scope are
    /// alternatives, calls of different scopes add up.
    pub scope: String,
    pub patching: Patching,
    /// Made by one test of a test module: it may patch the process for the
    /// tests after it, but none of the others can count on it.
    pub one_test: bool,
}

impl ProgramFacts {
    /// Where it patches threads, which makes it green without a green use.
    fn threads_patched_at(&self) -> String {
        let patching_threads = self.calls.iter().find(|c| {
            c.patching.modules.contains("thread") || c.patching.some_runs.contains("thread")
        });
        match patching_threads.map(|c| c.site.as_str()) {
            Some(UNKNOWN_USERS) | None => "threads its users may monkey-patch".into(),
            Some(ASSUMED) => format!("threads monkey-patched, as {ASSUMED} says"),
            Some(site) => format!("threads monkey-patched at {site}"),
        }
    }

    /// Green threads run in it: it starts some, or patches threads.
    fn green(&self) -> bool {
        self.green_site.is_some()
            || self.calls.iter().any(|c| {
                c.patching.modules.contains("thread") || c.patching.some_runs.contains("thread")
            })
    }

    /// Some run of it patches `module` but not every one: a computed
    /// argument, or alternatives (nova's debugger switch, oslo.service's
    /// Windows branch) of which one leaves it alone.
    fn patches_in_some_runs(&self, module: &str) -> bool {
        self.calls
            .iter()
            .any(|c| c.site != UNKNOWN_USERS && !c.one_test && c.patching.names(module))
    }

    /// `Ok` when every run of it patches `module`, else why not. The
    /// calls of one scope are alternatives, so each must patch it; calls
    /// of different scopes all run (heat's `monkey_patch(time=True)` adds to
    /// its service's), so one such scope is enough.
    fn patches(&self, module: &str) -> Result<(), String> {
        let sure: Vec<&MadeCall> = self.calls.iter().filter(|c| !c.one_test).collect();
        if sure.is_empty() {
            return Err(match self.calls.first() {
                Some(call) => format!(
                    "only one of its tests monkey-patches ({}), which the others cannot \
                     count on",
                    call.site
                ),
                None => format!("nothing in it monkey-patches '{module}'"),
            });
        }
        let mut scopes: BTreeMap<&str, bool> = BTreeMap::new();
        for call in &sure {
            *scopes.entry(call.scope.as_str()).or_insert(true) &=
                call.patching.modules.contains(module);
        }
        if scopes.values().any(|all| *all) {
            return Ok(());
        }
        if self.calls.iter().any(|c| c.site == UNKNOWN_USERS) {
            return Err(format!(
                "whether its users monkey-patch '{module}' is not known (say it with \
                 --assume-monkey-patched or assume_monkey_patched in eventless.toml)"
            ));
        }
        if let Some(call) = sure.iter().find(|c| c.patching.some_runs.contains(module)) {
            return Err(format!(
                "{} patches '{module}' only in some runs (a computed argument, or a call \
                 made under a condition)",
                call_name(&call.site)
            ));
        }
        let call = sure
            .iter()
            .find(|c| !c.patching.modules.contains(module))
            .expect("no scope patches it, so some call leaves it alone");
        Err(format!("{} leaves '{module}' alone", call_name(&call.site)))
    }
}

/// The calls a program may make in functions of files it reaches, besides
/// those it makes at import or in its entry files (`program.patches`): it
/// patches through them in some runs. In a test run, only a call in a test
/// class's set-up (heat's base class sets up its fake transport, which
/// patches time) runs for many tests; another is made by one test at most,
/// which the others cannot count on. A library's unknown users may call
/// any function: what they patch stays unknown.
fn calls_in_functions<'a>(
    program: &ProgramRun,
    files: &dyn Fn(usize) -> Option<(&'a Path, &'a FileFacts)>,
    in_functions: &[usize],
    call_reach: &CallReach,
) -> Vec<MadeCall> {
    let mut made = Vec::new();
    for &f in in_functions {
        let reached = program.reached.binary_search(&f).is_ok();
        let Some((path, facts)) = files(f).filter(|_| reached && !program.unknown) else {
            continue;
        };
        for (i, call) in facts.monkey_patches.iter().enumerate() {
            let counted = program
                .patches
                .iter()
                .any(|(pf, pc, _)| (*pf, *pc) == (f, i));
            let may_run = call.at.is_some_and(|at| {
                call.scope != 0
                    && call_reach.may_run(program.reached, program.entries, false, f, at)
            });
            if may_run && !counted {
                made.push(MadeCall {
                    site: format!("{}:{}", path.display(), call.line),
                    scope: format!("{}#{}", path.display(), call.scope),
                    patching: call.patching.sometimes(),
                    one_test: !program.command && !call.in_set_up,
                });
            }
        }
    }
    made
}

/// What a program does, said of one of its calls.
fn calls_monkey_patch(site: &str) -> String {
    if site == UNKNOWN_USERS {
        "may monkey-patch, as its users may".into()
    } else if site == ASSUMED {
        format!("monkey-patches, as {ASSUMED} says")
    } else {
        format!("calls monkey_patch() ({site})")
    }
}

fn call_name(site: &str) -> String {
    if site == ASSUMED {
        format!("the application ({ASSUMED})")
    } else {
        format!("the monkey_patch() at {site}")
    }
}

/// The facts of the whole project: its programs, which of them reach each
/// file, and how the uses of each API fare.
#[derive(Debug, Clone, Default)]
pub struct ProjectFacts {
    /// Per program, per API, how the uses it reaches fare: code and the
    /// mocks that patch it must move together in every program.
    api_uses: Vec<HashMap<ApiId, ApiTally>>,
    /// Per file and API, its uses in code and how many are rewritten.
    file_code: HashMap<(usize, ApiId), (usize, usize)>,
    /// What narrow mocks need to know of the project's files.
    narrow: Arc<NarrowFacts>,
    programs: Vec<ProgramFacts>,
    /// For each file that mentions eventlet (by the caller's index), the
    /// programs that may run it.
    reaching: HashMap<usize, Vec<usize>>,
    /// Whether the run's other rewrites leave no other eventlet use in the
    /// project (known only once they are made).
    eventlet_free: bool,
    /// An installed module the project imports that runs on eventlet
    /// itself (`oslo_service.service, imported at a.py:3`): the switch off
    /// eventlet waits for it.
    eventlet_runtime: Option<String>,
    /// The lower bounds of the project's oslo.config options and of the
    /// constants its modules read from one another.
    pub bounds: ProjectBounds,
    /// The calls with which the project's tests patch names.
    pub patchers: Patchers,
    /// The lowest release of each library the project's requirements allow.
    pub requirement_floors: RequirementFloors,
    /// The name the project declares itself under.
    pub project_name: Option<String>,
    /// Per file, the module-level names a test replaces there.
    held: HashMap<usize, Vec<HeldName>>,
    /// The test modules named for eventlet (see `tests_eventlet`).
    eventlet_tests: HashSet<usize>,
    /// The files that start green threads or hub timers.
    green_files: HashSet<usize>,
    /// Which programs may run the lines of functions.
    call_reach: Arc<CallReach>,
    /// See `mocks_no_code`.
    block_mocks_without_code: HashSet<(usize, usize)>,
    /// For each function that threads started in the project's test run
    /// call over and over, what starts them in the first file a test
    /// imports (`an oslo.messaging server at path:line`); see
    /// `check_not_polled`.
    test_run_pollers: BTreeMap<String, String>,
    /// The project's module-level thread-locals: (module, name) -> where.
    thread_locals: HashMap<(String, String), String>,
    /// The top-level definitions that mention a name some `no-identifier`
    /// guard refuses.
    definitions_mentioning: Arc<DefinitionsMentioning>,
    names_read_elsewhere: Arc<NamesReadElsewhere>,
    /// The mocks of stdlib names that rewrites call, by file (sorted).
    stdlib_mocks: Vec<(usize, Vec<StdlibMockSite>)>,
    /// The eventlet APIs the project's code assigns something else to
    /// (`eventlet.spawn_after = fake_spawn`), with where (`path:line`).
    reassigned: HashMap<ApiId, String>,
}

/// One program of the project, for the facts: its name, the files it may
/// run and the monkey_patch() calls it makes, as (file, call index).
pub struct ProgramRun<'a> {
    pub name: &'a str,
    pub reaches: &'a [usize],
    pub patches: &'a [(usize, usize, bool)],
    /// It is the application the user says patches (`assumed`).
    pub assumed_to_patch: bool,
    /// An unknown program (a library's user): unless the user says how it
    /// patches, it may patch anything, or nothing.
    pub unknown: bool,
    /// A command a user runs: an entry point, a script, a module run
    /// alone in a tree that is not a library.
    pub command: bool,
    /// A run of the project's tests (a test module run alone).
    pub test_run: bool,
    /// It turns greendns off before eventlet loads (see `Program`).
    pub greendns_off: bool,
    /// The files it imports (sorted), and those whose every function it
    /// may run: a function of another file runs only where code may call
    /// it.
    pub reached: &'a Arc<[usize]>,
    pub entries: &'a Arc<[usize]>,
}

impl ProjectFacts {
    /// The facts of `programs`, with `files` giving each file's path and
    /// facts by index; `in_functions`, the files that patch inside a
    /// function (sorted); `assumed` is what the user says the application
    /// patches, a call of every program marked for it.
    pub fn new<'a>(
        programs: &[ProgramRun],
        files: &dyn Fn(usize) -> Option<(&'a Path, &'a FileFacts)>,
        in_functions: &[usize],
        assumed: Option<&BTreeSet<String>>,
        call_reach: Arc<CallReach>,
    ) -> ProjectFacts {
        let mut facts = ProjectFacts {
            call_reach,
            ..ProjectFacts::default()
        };
        for (n, program) in programs.iter().enumerate() {
            for &f in program.reaches {
                if files(f).is_some_and(|(_, facts)| {
                    !facts.green_threads.is_empty() || facts.green_import.is_some()
                }) {
                    facts.green_files.insert(f);
                }
            }
            // Whether green threads run in the program is judged by what it
            // imports, not by which of its functions run: it may start them
            // through a library the project hands work to (oslo.service's
            // thread groups), which no eventlet use of the project shows.
            let green_site = program
                .reaches
                .iter()
                .find_map(|f| {
                    let (path, facts) = files(*f)?;
                    let green = facts.green_threads.first()?;
                    Some(format!("{}:{} {}", path.display(), green.line, green.api))
                })
                .or_else(|| {
                    program.reaches.iter().find_map(|f| {
                        let (path, facts) = files(*f)?;
                        let (module, line) = facts.green_import.as_ref()?;
                        Some(format!("{}:{line} import of {module}", path.display()))
                    })
                });
            // Only a call it may run: swift's servers silence theirs in the
            // function that starts them, which its probe tests never call.
            let call_reach = &facts.call_reach;
            let silenced_site = program.reaches.iter().find_map(|&f| {
                let (path, file_facts) = files(f)?;
                let s = file_facts.silencings.iter().find(|s| {
                    call_reach.may_run(program.reached, program.entries, program.unknown, f, s.at)
                })?;
                Some(format!("{}:{} {}", path.display(), s.line, s.api))
            });
            let mut calls: Vec<MadeCall> = program
                .patches
                .iter()
                .filter_map(|(f, call, one_test)| {
                    let (path, facts) = files(*f)?;
                    let call = facts.monkey_patches.get(*call)?;
                    Some(MadeCall {
                        site: format!("{}:{}", path.display(), call.line),
                        scope: format!("{}#{}", path.display(), call.scope),
                        patching: call.patching.clone(),
                        one_test: *one_test,
                    })
                })
                .collect();
            calls.extend(calls_in_functions(
                program,
                files,
                in_functions,
                &facts.call_reach,
            ));
            let stated = |site: &str, patching| MadeCall {
                site: site.into(),
                scope: site.into(),
                one_test: false,
                patching,
            };
            match (assumed, program.assumed_to_patch, program.unknown) {
                (Some(modules), true, _) => calls.push(stated(
                    ASSUMED,
                    Patching {
                        modules: modules.clone(),
                        some_runs: BTreeSet::new(),
                    },
                )),
                (None, _, true) => calls.push(stated(
                    UNKNOWN_USERS,
                    Patching {
                        modules: BTreeSet::new(),
                        some_runs: PATCHABLE.iter().map(|m| m.to_string()).collect(),
                    },
                )),
                _ => {}
            }
            for f in program.reaches {
                facts.reaching.entry(*f).or_default().push(n);
            }
            facts.programs.push(ProgramFacts {
                name: program.name.to_owned(),
                green_site,
                silenced_site,
                calls,
                command: program.command,
                test_run: program.test_run,
                greendns_off: program.greendns_off,
                reached: Arc::clone(program.reached),
                entries: Arc::clone(program.entries),
                any_function: program.unknown,
            });
        }
        facts
    }

    /// Records, from a pass over every file, how the uses of each API fare,
    /// by place, summed up for each program over what it may run: the
    /// mocks of the files it imports, and the code uses whose lines it may
    /// run (a test that mocks a sleep does not hold code it never calls).
    pub fn set_api_uses(&mut self, by_place: Tallies) {
        let mut per_program = vec![HashMap::<ApiId, ApiTally>::new(); self.programs.len()];
        // In path order, so that the first site a reason names is the same
        // in every run.
        let mut by_place: Vec<_> = by_place.into_iter().collect();
        by_place.sort_by_key(|(place, _)| *place);
        // Uses of one definition run in the same programs: asked once.
        let mut runs_in: HashMap<(usize, usize), bool> = HashMap::new();
        for (place, tallies) in &by_place {
            let unit = place
                .code_at
                .and_then(|offset| self.call_reach.unit(place.file, offset));
            for &program in self.reaching.get(&place.file).into_iter().flatten() {
                let facts = &self.programs[program];
                let runs = unit.is_none_or(|unit| {
                    *runs_in.entry((program, unit)).or_insert_with(|| {
                        self.call_reach.unit_runs(
                            unit,
                            &facts.reached,
                            &facts.entries,
                            facts.any_function,
                        )
                    })
                });
                if !runs {
                    continue;
                }
                for (api, tally) in tallies {
                    per_program[program]
                        .entry(*api)
                        .or_default()
                        .add(tally.clone());
                }
            }
        }
        self.api_uses = per_program;
        self.file_code.clear();
        for (place, tallies) in &by_place {
            if place.code_at.is_none() {
                continue;
            }
            for (api, tally) in tallies {
                let counts = self.file_code.entry((place.file, *api)).or_default();
                counts.0 += tally.code;
                counts.1 += tally.rewritten;
            }
        }
    }

    /// How many of `file`'s uses of `api` in code there are, and how many
    /// of them are rewritten, when some stay (as tallied so far).
    fn code_staying(&self, file: usize, api: ApiId) -> Option<(usize, usize)> {
        self.file_code
            .get(&(file, api))
            .copied()
            .filter(|(code, rewritten)| rewritten < code)
    }

    /// Records what narrow mocks need to know of the project's files.
    pub fn set_narrow_facts(&mut self, facts: NarrowFacts) {
        self.narrow = Arc::new(facts);
    }

    /// The APIs some program holds: the fate of their code may change
    /// with the holds, that of the others' not.
    pub fn held_apis(&self) -> HashSet<ApiId> {
        self.api_uses
            .iter()
            .flat_map(|tallies| tallies.iter())
            .filter(|(_, tally)| tally.holds())
            .map(|(api, _)| *api)
            .collect()
    }

    /// The mocks (file, byte offset) made by a `with` block that runs no
    /// code use of the mocked API while it is active.
    pub fn set_block_mocks_without_code(&mut self, mocks: HashSet<(usize, usize)>) {
        self.block_mocks_without_code = mocks;
    }

    /// A mock made by a `with` block that runs no code use of its API:
    /// it patches installed code only (nova's vmware tests mock eventlet's
    /// sleep around oslo.vmware's session), so it neither holds code nor
    /// moves with it.
    pub fn mocks_no_code(&self, file: usize, at: usize) -> bool {
        self.block_mocks_without_code.contains(&(file, at))
    }

    /// Records the files that start oslo.messaging servers (file, where),
    /// whose listener threads call `calls` until they are
    /// stopped: a test run that imports one may leave such a thread
    /// running (see `check_not_polled`).
    pub fn set_rpc_servers(&mut self, servers: &[(usize, String)], calls: &[String]) {
        let site = servers.iter().find(|(file, _)| {
            self.programs
                .iter()
                .any(|p| p.test_run && p.reached.binary_search(file).is_ok())
        });
        self.test_run_pollers = site
            .map(|(_, site)| calls.iter().map(|c| (c.clone(), site.clone())).collect())
            .unwrap_or_default();
    }

    /// Records the project's module-level thread-locals, (module, name)
    /// with where each is made (`path:line`).
    pub fn set_thread_locals(&mut self, locals: HashMap<(String, String), String>) {
        self.thread_locals = locals;
    }

    /// Records which top-level definitions mention the names that
    /// `no-identifier` guards refuse, (module, definition, name), with the
    /// module's file.
    pub fn set_definitions_mentioning(&mut self, mentioning: Arc<DefinitionsMentioning>) {
        self.definitions_mentioning = mentioning;
    }

    pub fn set_names_read_elsewhere(&mut self, names: Arc<NamesReadElsewhere>) {
        self.names_read_elsewhere = names;
    }

    /// Records the mocks of stdlib names that rewrites call, found in
    /// `files` (by file, in file order; `scans` their imports). One made
    /// through a project module whose name for the module is eventlet's
    /// green module (`pkg.wsgi.socket.getaddrinfo`, where pkg.wsgi imports
    /// the green socket) patches eventlet, and moves with the code.
    pub fn set_stdlib_mocks(
        &mut self,
        mocks: Vec<(usize, Vec<StdlibMock>)>,
        graph: &ModuleGraph,
        files: &[std::path::PathBuf],
        scans: &[ImportScan],
    ) {
        let green_name = |file: usize, module: &str| {
            let name = module.rsplit('.').next().unwrap_or(module);
            scans[file].imports.iter().any(|i| {
                is_eventlet_path(&i.module)
                    && (i.names.iter().any(|n| n == name)
                        || i.module.ends_with(&format!(".{name}")))
            })
        };
        self.stdlib_mocks = mocks
            .into_iter()
            .map(|(file, mocks)| {
                let sites = mocks
                    .into_iter()
                    .filter_map(|mock| {
                        let through = mock.through.as_deref().and_then(|m| graph.file_named(m));
                        if through.is_some_and(|f| green_name(f, &mock.module)) {
                            return None;
                        }
                        Some(StdlibMockSite {
                            site: format!("{}:{}", files[file].display(), mock.line),
                            in_file: through.filter(|_| mock.member.is_none()),
                            mock,
                        })
                    })
                    .collect();
                (file, sites)
            })
            .collect();
    }

    /// Records the eventlet APIs the project's code assigns something else
    /// to, with where (`path:line`).
    pub fn set_reassigned(&mut self, reassigned: HashMap<ApiId, String>) {
        self.reassigned = reassigned;
    }

    /// Records the module-level names tests replace (file, name).
    pub fn set_held(&mut self, held: HashMap<usize, Vec<HeldName>>) {
        self.held = held;
    }

    /// Records the test modules named for eventlet (see `tests_eventlet`).
    pub fn set_eventlet_tests(&mut self, files: HashSet<usize>) {
        self.eventlet_tests = files;
    }

    /// Records an installed module the project imports that runs on
    /// eventlet itself (see `eventlet_runtime`).
    pub fn set_eventlet_runtime(&mut self, runtime: Option<String>) {
        self.eventlet_runtime = runtime;
    }

    /// Whether an installed module the project imports runs on eventlet.
    pub fn keeps_eventlet_running(&self) -> bool {
        self.eventlet_runtime.is_some()
    }

    /// The same facts, once the run's other rewrites are known to leave
    /// nothing else of eventlet in the project.
    pub fn eventlet_free(&self) -> ProjectFacts {
        ProjectFacts {
            eventlet_free: true,
            ..self.clone()
        }
    }

    /// The same facts in the project switched to native threads: none of
    /// its code starts green threads or monkey-patches, and nothing else
    /// uses eventlet. What lies outside it stays: a library's users may
    /// still patch, and so does an application the user says patches. The
    /// tallies of mocks are to be settled again. A program that kept quiet
    /// what green threads raised still counts as such: its threads would
    /// print it, whether or not the switch deletes the call.
    pub fn switched(&self) -> ProjectFacts {
        let programs = self
            .programs
            .iter()
            .map(|p| ProgramFacts {
                green_site: None,
                calls: p
                    .calls
                    .iter()
                    .filter(|c| c.site == UNKNOWN_USERS || c.site == ASSUMED)
                    .cloned()
                    .collect(),
                ..p.clone()
            })
            .collect();
        ProjectFacts {
            programs,
            eventlet_free: true,
            eventlet_runtime: None,
            green_files: HashSet::new(),
            // A native listener thread that spins through a test's mock no
            // longer stops that test: it spins only while the mock lasts,
            // filling its call list (wider-mock's guidance).
            test_run_pollers: BTreeMap::new(),
            // Settled anew: mocks keep the judgement of the tallies' first
            // pass, so a mock held only under green facts would hold itself.
            api_uses: Vec::new(),
            file_code: HashMap::new(),
            ..self.clone()
        }
    }

    /// The context of one file: the programs that may run it, or, when no
    /// known program does (a plugin loaded by name), all of them.
    pub fn context(&self, file: usize) -> FileContext<'_> {
        let programs = match self.reaching.get(&file) {
            Some(reaching) => Programs::Some(reaching),
            None => Programs::All,
        };
        FileContext {
            project: self,
            file,
            at_use: None,
            programs,
            held: self.held.get(&file).map_or(&[], Vec::as_slice),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Programs<'a> {
    Some(&'a [usize]),
    All,
}

/// What decides a rewrite in one file: the programs that may run it, and
/// the names tests replace in it.
#[derive(Debug, Clone, Copy)]
pub struct FileContext<'a> {
    project: &'a ProjectFacts,
    file: usize,
    /// The use decided (its byte offset), when only the programs that may
    /// run its line count.
    at_use: Option<usize>,
    programs: Programs<'a>,
    held: &'a [HeldName],
}

impl<'a> FileContext<'a> {
    /// The file is a test module named for eventlet
    /// (`test_lockutils_eventlet.py`): it tests the project's support of
    /// eventlet, which it keeps while that support lasts.
    pub fn tests_eventlet(&self) -> bool {
        self.project.eventlet_tests.contains(&self.file)
    }

    /// The context of another file of the project.
    pub fn of_file(&self, file: usize) -> FileContext<'a> {
        self.project.context(file)
    }

    /// The calls with which the project's tests patch names.
    pub fn patchers(&self) -> &'a Patchers {
        &self.project.patchers
    }

    /// Whether a program that may run this file imports `file`.
    pub fn reaches(&self, file: usize) -> bool {
        self.programs()
            .any(|p| p.reached.binary_search(&file).is_ok())
    }

    /// What narrow mocks need to know of the project's files.
    pub fn narrow_facts(&self) -> &'a NarrowFacts {
        &self.project.narrow
    }

    /// `Err` with why when a narrow mock of `name` may not follow the code
    /// of `module`: some of its uses there stay (once the uses' fates are
    /// tallied; before, every one may move).
    pub fn check_module_moves(
        &self,
        module: &ModuleUnderTest,
        api: ApiId,
        name: &str,
    ) -> Result<(), String> {
        match self.project.code_staying(module.file, api) {
            Some((code, rewritten)) => Err(format!(
                "only {rewritten} of the {code} uses of {name} in {}, the module under \
                 test, are rewritten: its code and the mock of its time move together",
                module.dotted
            )),
            None => Ok(()),
        }
    }

    /// The mock at `offset` is made by a `with` block that runs no code
    /// use of its API (see `ProjectFacts::mocks_no_code`).
    pub fn mocks_no_code(&self, offset: usize) -> bool {
        self.project.mocks_no_code(self.file, offset)
    }

    /// The context of one use of the file (by its byte offset): of the
    /// programs that import the file, those whose code may call the
    /// function it is in.
    pub fn at_use(&self, offset: usize) -> FileContext<'a> {
        FileContext {
            at_use: Some(offset),
            ..*self
        }
    }

    /// The caught-by-mock difference of a rewrite that calls the stdlib
    /// names `calls` gives (module, member), where a program that may run
    /// the line imports a file with a mock of one: the mock now catches the
    /// rewritten call, which went to eventlet past it. `calls` is asked
    /// only in a project with such mocks (every decision comes here).
    pub fn caught_by_mock(&self, calls: impl FnOnce() -> Vec<(String, String)>) -> Option<Relaxed> {
        if self.project.stdlib_mocks.is_empty() {
            return None;
        }
        let calls = calls();
        self.programs().find_map(|program| {
            let (mock, (module, member)) = self
                .project
                .stdlib_mocks
                .iter()
                .filter(|(file, _)| program.reached.binary_search(file).is_ok())
                .flat_map(|(_, mocks)| mocks)
                .find_map(|mock| {
                    let call = calls
                        .iter()
                        .find(|(module, member)| mock.catches(module, member, self.file))?;
                    Some((mock, call))
                })?;
            let mocked = match &mock.mock.member {
                Some(_) => format!("{module}.{member}"),
                None => format!("this module's name '{module}'"),
            };
            Some(Relaxed {
                difference: CAUGHT_BY_MOCK,
                why: format!(
                    "{} mocks {mocked} ({}), which now also catches the rewritten call",
                    program.name, mock.site
                ),
            })
        })
    }

    /// The resolver difference of a rewrite that moves the line's host-name
    /// lookups off greendns, eventlet's resolver, in the first program
    /// that may run the line and leaves greendns on: with
    /// `unless_socket_patched` (a green module becoming the stdlib one),
    /// only in a program that does not monkey-patch socket, since a patched
    /// stdlib socket looks names up with greendns too.
    fn resolver_changes(&self, unless_socket_patched: bool) -> Option<Relaxed> {
        self.programs()
            .filter(|p| !p.greendns_off)
            .find_map(|program| {
                let greendns_on = format!(
                    "{} leaves greendns on (no EVENTLET_NO_GREENDNS=yes before eventlet loads)",
                    program.name
                );
                let why = if unless_socket_patched {
                    format!(
                        "{greendns_on} and {}: the stdlib socket looks names up with the \
                         system resolver, where eventlet's green socket used greendns",
                        program.patches("socket").err()?
                    )
                } else {
                    format!(
                        "{greendns_on}: this call makes the stdlib socket look names up with \
                         greendns, and without it the system resolver answers"
                    )
                };
                Some(Relaxed {
                    difference: RESOLVER,
                    why,
                })
            })
    }

    /// `Err` with the reason when the project assigns something else to
    /// the eventlet API: its calls run that, which a stdlib call escapes.
    pub fn check_not_reassigned(&self, api: ApiId, name: &str) -> Result<(), String> {
        match self.project.reassigned.get(&api) {
            Some(site) => Err(format!(
                "the project assigns its own function to {name} ({site}), as a test harness \
                 does to run green threads on simulated time: its calls run that, and the \
                 stdlib call would escape it"
            )),
            None => Ok(()),
        }
    }

    /// `Err` with the reason when a test replaces this module-level name.
    pub fn check_not_held(&self, name: &str) -> Result<(), String> {
        match self.held.iter().find(|h| h.name == name) {
            Some(held) => Err(held.reason.clone()),
            None => Ok(()),
        }
    }

    /// `Err` with the reason when a test's mock of `target` would catch
    /// threads of the project's test run that call it over and over. A
    /// test module shares its worker process with many others, and a
    /// thread one test leaves running goes on during the tests after it:
    /// an RPC server's listener polls with time.sleep, so a mock of
    /// time.sleep makes its green thread spin without yielding, and the
    /// test never ends (cinder's unit run ran out of memory), where the
    /// mock of eventlet's name let it sleep. A mock no test run reaches (a
    /// script's) is not asked.
    pub fn check_not_polled(&self, target: &str) -> Result<(), String> {
        if !self.programs().any(|p| p.test_run) {
            return Ok(());
        }
        let Some(site) = self.project.test_run_pollers.get(target) else {
            return Ok(());
        };
        // The narrow mock patches the name through which the code under
        // test reaches the module (what cinder's tests now do).
        let narrow = target
            .rsplit_once('.')
            .map_or(String::new(), |(module, member)| {
                format!(
                    ". Patching {module} only where the module under test looks it up leaves the \
                 global {target} alone: `mock.patch.object(module_under_test, '{module}', \
                 wraps={module}, {member}=mock.Mock())` passes every other call through"
                )
            });
        Err(format!(
            "the project's test run starts threads that call {target} until they \
             are stopped ({site}, in a module a test imports): a mock of {target} \
             would also catch one an earlier test left running, which then spins \
             without end, where the mock of eventlet's name let it wait{narrow}"
        ))
    }

    /// The file of `module`, when its top-level `definition` mentions
    /// `name`.
    pub fn definition_mentions(
        &self,
        module: &str,
        definition: &str,
        name: &str,
    ) -> Option<&'a str> {
        let key = (module.to_owned(), definition.to_owned(), name.to_owned());
        self.project
            .definitions_mentioning
            .get(&key)
            .map(String::as_str)
    }

    /// A module that imports this file and mentions its module-level
    /// `name` (or an attribute `name` it stores on `self`), where an object
    /// so held may be used.
    pub fn name_read_elsewhere(&self, name: &str) -> Option<&'a str> {
        self.project
            .names_read_elsewhere
            .get(&(self.file, name.to_owned()))
            .map(String::as_str)
    }

    /// Where the module-level thread-local `name` of the project's
    /// `module` is made, if it is one.
    pub fn thread_local(&self, module: &str, name: &str) -> Option<&'a str> {
        self.project
            .thread_locals
            .get(&(module.to_owned(), name.to_owned()))
            .map(String::as_str)
    }

    /// The indices of the programs that may run the file.
    fn program_indices(&self) -> Box<dyn Iterator<Item = usize> + 'a> {
        let project = self.project;
        match (self.programs, self.at_use) {
            (Programs::Some(list), None) => Box::new(list.iter().copied()),
            (Programs::Some(list), Some(offset)) => {
                let file = self.file;
                Box::new(list.iter().copied().filter(move |&p| {
                    let program = &project.programs[p];
                    project.call_reach.may_run(
                        &program.reached,
                        &program.entries,
                        program.any_function,
                        file,
                        offset,
                    )
                }))
            }
            // A file no program is seen to import may run in any of them,
            // and from any of its functions.
            (Programs::All, _) => Box::new(0..project.programs.len()),
        }
    }

    fn programs(&self) -> impl Iterator<Item = &'a ProgramFacts> + 'a {
        let project = self.project;
        self.program_indices().map(move |i| &project.programs[i])
    }

    /// Code and the tests that mock it move together: `Ok` unless a
    /// program that may run this file mocks `api` where a use looked up at
    /// `looked_up` (see `Use::lookup`) is caught and, among what it
    /// reaches, some code use stays or some mock cannot follow. `Ok` says
    /// which differences the code has for its mocks.
    pub fn check_moves_whole(
        &self,
        api: ApiId,
        name: &str,
        looked_up: &str,
    ) -> Result<WithMocks, String> {
        self.moves_whole(api, name, looked_up)
            .map_err(|why| self.judged_by(why))
    }

    fn moves_whole(&self, api: ApiId, name: &str, looked_up: &str) -> Result<WithMocks, String> {
        let mut moving = BTreeSet::new();
        let mut code = Vec::new();
        // Why the code leaves mocks that only skip its wait: its own
        // (`true`) before that of code it moves with.
        let mut escaped: Option<(bool, String)> = None;
        // A program whose own mocks hold says why before one whose code is
        // held by what holds it in another program.
        let mut held_elsewhere = None;
        for program in self.program_indices() {
            let Some(t) = self.project.api_uses.get(program).and_then(|t| t.get(&api)) else {
                continue;
            };
            // A program whose mocks replace another attribute than the
            // one the use looks up (eventlet.sleep, where the code calls
            // greenthread.sleep) never caught it: it holds nothing here.
            if t.mocks == 0 || !t.mocked_at.iter().any(|m| mock_catches(m, looked_up)) {
                continue;
            }
            let who = &self.project.programs[program].name;
            if t.code == 0 {
                return Err(format!(
                    "{who} mocks {name} but reaches no code of this project that uses it; the \
                     patched calls live elsewhere (an installed library)"
                ));
            }
            if let Some(caller) = &t.library_caller {
                return Err(format!(
                    "{who} mocks {name} where an installed library calls it too ({caller}): \
                     the mock must keep catching those calls, so neither it nor the code it \
                     patches moves"
                ));
            }
            let staying = t.mocks - t.followable;
            if staying > t.wait_skippers.count {
                let first = t
                    .stuck_mock
                    .as_deref()
                    .map_or(String::new(), |site| format!(" (first at {site})"));
                return Err(format!(
                    "{who} mocks {name} in {} place(s) that cannot follow a rewrite{first}: code \
                     and mocks must move together",
                    staying - t.wait_skippers.count
                ));
            }
            if staying > 0 && !escaped.as_ref().is_some_and(|(direct, _)| *direct) {
                let site = t
                    .wait_skippers
                    .first
                    .as_deref()
                    .unwrap_or("a shared module");
                escaped = Some((
                    true,
                    format!(
                        "{who} keeps a bare mock of {name} that only skips its wait ({site}): \
                         while that mock is active, this call now waits"
                    ),
                ));
            }
            // Narrow mocks leave the code of other modules to its own
            // fate (narrower-mock), and move with all of the code of the
            // modules they patch: where one of them keeps a use, the mock
            // stays, and so does this module's code that it catches.
            let staying = t
                .narrow_files
                .contains(&self.file)
                .then(|| {
                    // Another module's code that stays is what holds this
                    // module's, which stays in turn.
                    let others = t.narrow_files.iter().filter(|&&f| f != self.file);
                    others
                        .chain([&self.file])
                        .find_map(|&file| Some((file, self.project.code_staying(file, api)?)))
                })
                .flatten();
            if let Some((file, (code, rewritten))) = staying.filter(|_| held_elsewhere.is_none()) {
                held_elsewhere = Some(if file == self.file {
                    format!(
                        "{who} mocks {name} through this module's own time, and only \
                         {rewritten} of its {code} uses here are rewritten: the module's code \
                         and that mock move together"
                    )
                } else {
                    format!(
                        "{who} mocks {name} through the time of this module and of {}, where \
                         only {rewritten} of its {code} uses are rewritten: the code of both \
                         and that mock move together",
                        self.project
                            .narrow
                            .module_of(file)
                            .unwrap_or("another module")
                    )
                });
            }
            if t.mocks > t.narrow_mocks && t.rewritten + t.escaping.count < t.code {
                if held_elsewhere.is_none() {
                    let first = t
                        .held_code
                        .as_deref()
                        .map_or(String::new(), |site| format!(" (first held at {site})"));
                    let rewritten = match (t.rewritten, t.code) {
                        (0, 1) => "the one use in code it reaches is not".to_owned(),
                        (0, all) => format!("none of the {all} uses in code it reaches is"),
                        (n, all) => format!("only {n} of the {all} uses in code it reaches are"),
                    };
                    held_elsewhere = Some(format!(
                        "{who} mocks {name}, and {rewritten} rewritten{first}: code and mocks \
                         must move together"
                    ));
                }
            } else if t.escaping.count > 0 && escaped.is_none() {
                let site = t.escaping.first.as_deref().unwrap_or("another file");
                escaped = Some((
                    false,
                    format!(
                        "{who} mocks {name}, and code it reaches moves away from a bare mock \
                         that only skips its wait ({site}): code and mocks move together"
                    ),
                ));
            }
            moving.extend(&t.mock_differences);
            add_new(&mut code, t.code_differences.iter().copied());
        }
        match held_elsewhere {
            Some(why) => Err(why),
            None => Ok(WithMocks {
                moving,
                code,
                escaped: escaped.map(|(_, why)| Relaxed {
                    difference: ESCAPED_MOCK,
                    why,
                }),
            }),
        }
    }

    /// `Ok` unless a program that may run this line mocks `inner`, an
    /// eventlet API that the code's own API (`outer`) calls: the mock stops
    /// that work too (a mock of eventlet.spawn_n keeps a GreenPool's tasks
    /// from running), and the stdlib replacement would not be stopped.
    pub fn check_not_mocked_within(
        &self,
        inner: ApiId,
        inner_name: &str,
        outer_name: &str,
    ) -> Result<(), String> {
        for program in self.program_indices() {
            let mocks = self
                .project
                .api_uses
                .get(program)
                .and_then(|t| t.get(&inner));
            if mocks.is_some_and(|t| t.mocks > 0) {
                let who = &self.project.programs[program].name;
                return Err(self.judged_by(format!(
                    "{who} mocks {inner_name}, which {outer_name} calls itself: the mock \
                     keeps its work from running too, and the stdlib replacement's would run"
                )));
            }
        }
        Ok(())
    }

    /// `Ok` when the requirement holds in every program that may run the
    /// file, or holds but for a behaviour difference (`Some`: the rewrite is
    /// review level); else the reason, naming the program and the call that
    /// decide.
    /// `lookups` tells, when asked, the host-name lookups of the line.
    pub fn check(
        &self,
        requirement: &Requirement,
        lookups: impl FnOnce() -> Lookups,
    ) -> Result<Option<Relaxed>, String> {
        self.requirement_holds(requirement, lookups)
            .map(|relaxed| {
                relaxed.map(|r| Relaxed {
                    why: self.judged_by(r.why),
                    ..r
                })
            })
            .map_err(|why| self.judged_by(why))
    }

    /// A reason, saying why a program that does not import the file
    /// counts.
    fn judged_by(&self, why: String) -> String {
        match self.programs {
            Programs::Some(_) => why,
            Programs::All => format!(
                "no program of the project is seen to import this file (loaded by name?), so \
                 each of them may run it: {why}"
            ),
        }
    }

    fn requirement_holds(
        &self,
        requirement: &Requirement,
        lookups: impl FnOnce() -> Lookups,
    ) -> Result<Option<Relaxed>, String> {
        match requirement {
            Requirement::Native => {
                for program in self.programs() {
                    if let Some(site) = &program.green_site {
                        return Err(format!(
                            "green threads or hub timers run in {} ({site}); this rewrite is \
                             exact only once the program runs on native threads",
                            program.name
                        ));
                    }
                    if let Some(MadeCall { site, .. }) = program.calls.first() {
                        return Err(format!(
                            "{} {}; this rewrite is exact only once monkey-patching is gone",
                            program.name,
                            calls_monkey_patch(site)
                        ));
                    }
                }
                Ok(None)
            }
            Requirement::Unpatched => {
                let patching = |p: &'a ProgramFacts| Some((p, p.calls.first()?));
                if let Some((program, MadeCall { site, .. })) = self.programs().find_map(patching) {
                    return Err(format!(
                        "{} {}; the result differs while monkey-patching is active",
                        program.name,
                        calls_monkey_patch(site)
                    ));
                }
                // A test runner loads many test modules in one process, so
                // one that patches patches the rest of the run.
                if !self.programs().any(|p| p.test_run) {
                    return Ok(None);
                }
                let tests = self.project.programs.iter().filter(|p| p.test_run);
                match tests.filter_map(patching).next() {
                    Some((_, MadeCall { site, .. })) => Err(format!(
                        "tests run this file, and a test module that a runner may load in the \
                         same process {}; the result differs while monkey-patching is active",
                        calls_monkey_patch(site)
                    )),
                    None => Ok(None),
                }
            }
            Requirement::EventletFree if self.project.eventlet_free => {
                match &self.project.eventlet_runtime {
                    None => Ok(None),
                    Some(runtime) => Err(format!(
                        "no other eventlet use stays in this project, but {runtime} runs \
                         on eventlet itself: this rewrite, part of the switch to native \
                         threads, waits until that library runs without eventlet too"
                    )),
                }
            }
            Requirement::ErrorsPrinted => match self
                .programs()
                .find_map(|p| Some((p, p.silenced_site.as_ref()?)))
            {
                Some((program, site)) => Err(format!(
                    "{} may stop eventlet printing what green threads end with ({site}), \
                     where a native thread prints its uncaught exception",
                    program.name
                )),
                None => Ok(None),
            },
            Requirement::EventletFree => Err(
                "other eventlet uses stay in this project; this rewrite is part of the switch \
                 to native threads, made once nothing else uses eventlet"
                    .into(),
            ),
            Requirement::SameResolver => Ok(match lookups() {
                Lookups::None => None,
                Lookups::GreenSocket => self.resolver_changes(true),
                Lookups::PatchedSocket => self.resolver_changes(false),
            }),
            Requirement::Patched(module) => {
                for program in self.programs() {
                    if let Err(why) = program.patches(module) {
                        return Err(format!(
                            "{} may run this, and {why}: the rewrite keeps the behaviour only \
                             where '{module}' is monkey-patched",
                            program.name
                        ));
                    }
                }
                Ok(None)
            }
            Requirement::NativeOrPatched(module) => {
                let mut relaxed = None;
                for program in self.programs().filter(|p| p.green()) {
                    let Err(why) = program.patches(module) else {
                        continue;
                    };
                    let site = match &program.green_site {
                        Some(site) => site.clone(),
                        None => program.threads_patched_at(),
                    };
                    let why = format!(
                        "green threads or hub timers run in {} ({site}) and {why}: \
                         {BLOCKS_GREEN_THREADS}",
                        program.name
                    );
                    let difference = if program.patches_in_some_runs(module) {
                        UNPATCHED_RUNS
                    } else if program.command
                        && program.calls.is_empty()
                        && !self.project.green_files.contains(&self.file)
                    {
                        UNPATCHED_PROGRAM
                    } else {
                        return Err(format!(
                            "{why}. Rewrite once the threads are native, or when \
                             monkey_patch() covers '{module}' (--assume-monkey-patched if the \
                             application patches)"
                        ));
                    };
                    relaxed.get_or_insert(Relaxed { difference, why });
                }
                Ok(relaxed)
            }
        }
    }
}

/// What a `monkey_patch(**on)` call patches, following eventlet's rules:
/// no module named True means every module except the ones off by default;
/// naming some True patches only those; `all=` sets the default. A keyword
/// whose value is not a literal patches its module in some runs only (and
/// positional or `**` arguments any module).
pub fn patched_by_call(call: Node, source: &str) -> Patching {
    let unknown = || Patching {
        modules: BTreeSet::new(),
        some_runs: PATCHABLE.iter().map(|m| m.to_string()).collect(),
    };
    let literal = |value: Node| match value.kind() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    let mut on: BTreeMap<String, Option<bool>> = BTreeMap::new();
    if let Some(args) = call.child_by_field_name("arguments") {
        for arg in named_children(args) {
            let keywords = match arg.kind() {
                "keyword_argument" => arg
                    .child_by_field_name("name")
                    .zip(arg.child_by_field_name("value"))
                    .map(|(name, value)| vec![(text(name, source).to_owned(), value)]),
                "dictionary_splat" => splatted_constant(arg, source),
                _ => None,
            };
            let Some(keywords) = keywords else {
                return unknown();
            };
            for (name, value) in keywords {
                on.insert(name, literal(value));
            }
        }
    }
    Patching::of_keywords(on)
}

/// The keywords `**NAME` passes, where NAME is a module constant of the
/// file (sahara's `EVENTLET_MONKEY_PATCH_MODULES = dict(os=True, ...)`):
/// assigned once, a `dict(...)` of keywords or a literal of string keys,
/// and read nowhere but in such splats, so that nothing changes it.
fn splatted_constant<'t>(splat: Node<'t>, source: &str) -> Option<Vec<(String, Node<'t>)>> {
    let name = splat.named_child(0).filter(|n| n.kind() == "identifier")?;
    let name = text(name, source);
    let root = Root::new(root_of(splat));
    let value = constant_named(&root, name, source)?;
    let target = value.parent()?.child_by_field_name("left")?;
    let only_splatted = root
        .identifiers(name, source)
        .into_iter()
        .all(|n| n == target || n.parent().is_some_and(|p| p.kind() == "dictionary_splat"));
    if !only_splatted {
        return None;
    }
    match value.kind() {
        "call" if text(value.child_by_field_name("function")?, source) == "dict" => {
            named_children(value.child_by_field_name("arguments")?)
                .into_iter()
                .map(|a| {
                    let name = a.child_by_field_name("name")?;
                    Some((
                        text(name, source).to_owned(),
                        a.child_by_field_name("value")?,
                    ))
                })
                .collect()
        }
        "dictionary" => named_children(value)
            .into_iter()
            .map(|pair| {
                let key = plain_string_content(pair.child_by_field_name("key")?)?;
                Some((
                    text(key, source).to_owned(),
                    pair.child_by_field_name("value")?,
                ))
            })
            .collect(),
        _ => None,
    }
}

/// Whether a call runs when its file is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtImport {
    Never,
    /// At module level, or in a top-level function that module-level code
    /// calls by name (nova's `_monkey_patch()`).
    EveryRun,
    /// In a top-level function that module-level code calls under a
    /// condition only, never unconditionally (nova's `if
    /// os.environ.get(...) not in (...): _monkey_patch()`).
    SomeRuns,
}

impl AtImport {
    pub fn runs(self) -> bool {
        self != AtImport::Never
    }
}

/// When a call runs as its file is imported.
pub fn at_import(call: Node, source: &str) -> AtImport {
    let mut at_module_level = HashMap::new();
    names_called_at_module_level(root_of(call), source, &mut at_module_level);
    at_import_given(&enclosing_function(call, source), &at_module_level, source)
}

/// `at_import`, knowing the names module-level code calls (and whether
/// in every run), for a call where `enclosing` says.
fn at_import_given(
    enclosing: &Enclosing,
    at_module_level: &HashMap<&str, bool>,
    source: &str,
) -> AtImport {
    match enclosing {
        Enclosing::Module => AtImport::EveryRun,
        Enclosing::TopLevel(function) => match function
            .child_by_field_name("name")
            .and_then(|n| at_module_level.get(text(n, source)))
        {
            Some(true) => AtImport::EveryRun,
            Some(false) => AtImport::SomeRuns,
            None => AtImport::Never,
        },
        Enclosing::MainBlock | Enclosing::Nested => AtImport::Never,
    }
}

/// The name of the top-level function a call sits in, if it does.
pub fn top_level_function<'s>(call: Node, source: &'s str) -> Option<&'s str> {
    named_function(&enclosing_function(call, source), source)
}

fn named_function<'s>(enclosing: &Enclosing, source: &'s str) -> Option<&'s str> {
    match enclosing {
        Enclosing::TopLevel(function) => Some(text(function.child_by_field_name("name")?, source)),
        _ => None,
    }
}

/// Where a call is in its file, as `PatchCall::scope` says.
pub fn scope_of(call: Node) -> usize {
    std::iter::successors(call.parent(), |n| n.parent())
        .find(|n| n.kind() == "function_definition")
        .map_or(0, |f| f.start_byte())
}

/// A call of a function, as `calls_of` finds it.
pub struct FunctionCall {
    pub line: usize,
    /// It runs when its file is imported.
    pub at_import: bool,
    pub scope: usize,
    /// The top-level function it is in, which calling then calls it.
    pub in_function: Option<String>,
    /// It runs in some runs of its scope only (see `runs_sometimes`).
    pub sometimes: bool,
    /// Its byte offset, and whether a test class's set-up makes it.
    pub at: usize,
    pub in_set_up: bool,
}

/// The calls in a file, by the name of the function called (by its name,
/// or as an attribute: `eventlet_utils.monkey_patch()` under
/// `monkey_patch`).
pub fn function_calls(root: Node, source: &str) -> HashMap<String, Vec<FunctionCall>> {
    let mut at_module_level = HashMap::new();
    names_called_at_module_level(root, source, &mut at_module_level);
    let mut calls: HashMap<String, Vec<FunctionCall>> = HashMap::new();
    for call in descendants(root).filter(|n| n.kind() == "call") {
        let Some(name) = called_name(call, source) else {
            continue;
        };
        let enclosing = enclosing_function(call, source);
        calls
            .entry(name.to_owned())
            .or_default()
            .push(FunctionCall {
                line: call.start_position().row + 1,
                at_import: at_import_given(&enclosing, &at_module_level, source).runs(),
                scope: scope_of(call),
                in_function: named_function(&enclosing, source).map(str::to_owned),
                sometimes: runs_sometimes(call, source),
                at: call.start_byte(),
                in_set_up: in_set_up(call, source),
            });
    }
    calls
}

/// Whether a call runs in some runs of its scope only: it sits in a
/// loop's body, an except clause, a match case, one side of a conditional
/// expression or after `and`/`or`, or in a branch of an `if` whose other
/// branches (an `else` among them) do not all call its function too
/// (heat's `if url.startswith('fake://'): eventlet.monkey_patch(time=True)`).
/// Branches that all call it are alternatives (nova's debugger switch),
/// which the calls' scope says; a script's main guard runs when the
/// script does.
pub fn runs_sometimes(call: Node, source: &str) -> bool {
    let called = called_name(call, source);
    let calls_it = |branch: Option<Node>| {
        branch.is_some_and(|b| {
            descendants(b).any(|n| n.kind() == "call" && called_name(n, source) == called)
        })
    };
    let mut at = call;
    while let Some(parent) = at.parent() {
        let in_field = |field: &str| parent.child_by_field_name(field) == Some(at);
        let sometimes = match parent.kind() {
            "function_definition" | "lambda" => return false,
            "if_statement" if in_field("condition") || is_main_guard(parent, source) => false,
            "if_statement" => {
                let mut branches = vec![parent.child_by_field_name("consequence")];
                let mut has_else = false;
                for clause in named_children(parent) {
                    match clause.kind() {
                        "elif_clause" => branches.push(clause.child_by_field_name("consequence")),
                        "else_clause" => {
                            has_else = true;
                            branches.push(clause.child_by_field_name("body"));
                        }
                        _ => {}
                    }
                }
                !has_else || !branches.into_iter().all(calls_it)
            }
            "for_statement" | "while_statement" => in_field("body"),
            "except_clause" | "case_clause" => true,
            "conditional_expression" => parent
                .named_child(1)
                .is_none_or(|condition| condition != at),
            "boolean_operator" => in_field("right"),
            _ => false,
        };
        if sometimes {
            return true;
        }
        at = parent;
    }
    false
}

/// Whether a call is made by a test class's set-up: a method `setUp` or
/// `setUpClass` (the call's innermost function).
pub fn in_set_up(call: Node, source: &str) -> bool {
    std::iter::successors(call.parent(), |n| n.parent())
        .find(|n| matches!(n.kind(), "function_definition" | "lambda"))
        .filter(|f| f.kind() == "function_definition")
        .and_then(|f| f.child_by_field_name("name"))
        .is_some_and(|name| matches!(text(name, source), "setUp" | "setUpClass"))
}

/// The name a call calls: `f` of `f()` and of `x.f()`.
fn called_name<'s>(call: Node, source: &'s str) -> Option<&'s str> {
    let function = call.child_by_field_name("function")?;
    match function.kind() {
        "identifier" => Some(text(function, source)),
        "attribute" => function
            .child_by_field_name("attribute")
            .map(|a| text(a, source)),
        _ => None,
    }
}

enum Enclosing<'t> {
    Module,
    /// The body of `if __name__ == "__main__":`, which runs only when the
    /// file is run as a script (oslo.service's backdoor patches there, not
    /// for its importers).
    MainBlock,
    /// A function defined at module level (decorated or not).
    TopLevel(Node<'t>),
    Nested,
}

fn enclosing_function<'t>(node: Node<'t>, source: &str) -> Enclosing<'t> {
    let mut functions = Vec::new();
    let mut classes = 0;
    let mut in_main_block = false;
    let mut at = node;
    while let Some(parent) = at.parent() {
        match parent.kind() {
            "function_definition" | "lambda" => functions.push(parent),
            "class_definition" => classes += 1,
            "if_statement" => {
                in_main_block |= parent.child_by_field_name("consequence") == Some(at)
                    && is_main_guard(parent, source);
            }
            _ => {}
        }
        at = parent;
    }
    match (functions.as_slice(), classes) {
        ([], _) if in_main_block => Enclosing::MainBlock,
        ([], _) => Enclosing::Module,
        ([only], 0) if only.kind() == "function_definition" => Enclosing::TopLevel(*only),
        _ => Enclosing::Nested,
    }
}

/// The names module-level code calls when the file is imported (outside
/// every def and class, and outside its main guard), each with whether
/// one of those calls is made in every run (see `runs_sometimes`).
fn names_called_at_module_level<'s>(
    node: Node,
    source: &'s str,
    names: &mut HashMap<&'s str, bool>,
) {
    for child in named_children(node) {
        match child.kind() {
            "function_definition" | "class_definition" | "decorated_definition" => {}
            _ if is_main_guard(child, source) => {}
            kind => {
                if kind == "call"
                    && let Some(f) = child
                        .child_by_field_name("function")
                        .filter(|f| f.kind() == "identifier")
                {
                    *names.entry(text(f, source)).or_default() |= !runs_sometimes(child, source);
                }
                names_called_at_module_level(child, source, names);
            }
        }
    }
}

/// A module-level `if __name__ == "__main__":`.
fn is_main_guard(node: Node, source: &str) -> bool {
    node.kind() == "if_statement"
        && node.parent().is_some_and(|p| p.kind() == "module")
        && node
            .child_by_field_name("condition")
            .is_some_and(|c| is_main_condition(text(c, source)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::{first_expression, parse};

    fn patched(call: &str) -> Patching {
        let tree = parse(call);
        let node = first_expression(&tree);
        patched_by_call(node, call)
    }

    fn modules(call: &str) -> Vec<String> {
        patched(call).modules.into_iter().collect()
    }

    #[test]
    fn default_call_patches_the_default_set() {
        assert_eq!(
            modules("monkey_patch()"),
            [
                "os",
                "psycopg",
                "select",
                "socket",
                "subprocess",
                "thread",
                "time"
            ]
        );
    }

    /// What the last statement of `source`, a monkey_patch() call, patches.
    fn patched_last(source: &str) -> Patching {
        let tree = parse(source);
        let last = tree
            .root_node()
            .named_child(tree.root_node().named_child_count() as u32 - 1);
        let call = last.and_then(|s| s.named_child(0)).unwrap();
        patched_by_call(call, source)
    }

    #[test]
    fn a_module_constant_splatted_is_read_as_its_keywords() {
        // sahara's patches.py.
        let sahara =
            patched_last("MODS = dict(os=True, thread=True, time=True)\nmonkey_patch(**MODS)\n");
        assert_eq!(
            sahara.modules.into_iter().collect::<Vec<_>>(),
            ["os", "thread", "time"]
        );
        assert!(sahara.some_runs.is_empty());
        let literal =
            patched_last("MODS = {'thread': True, 'time': False}\nmonkey_patch(**MODS)\n");
        assert_eq!(literal.modules.into_iter().collect::<Vec<_>>(), ["thread"]);
        // Changed after it is made, or not a constant: anything, in some runs.
        let changed =
            patched_last("MODS = dict(thread=True)\nMODS['time'] = True\nmonkey_patch(**MODS)\n");
        assert!(changed.some_runs.contains("time"));
        let passed = patched_last("MODS = dict(thread=True)\nf(MODS)\nmonkey_patch(**MODS)\n");
        assert!(passed.some_runs.contains("socket"));
        assert!(
            patched("monkey_patch(**options())")
                .some_runs
                .contains("thread")
        );
    }

    #[test]
    fn naming_modules_true_patches_only_those() {
        assert_eq!(modules("monkey_patch(time=True)"), ["time"]);
        assert!(!modules("monkey_patch(thread=False)").contains(&"thread".to_string()));
        let computed = patched("monkey_patch(thread=flag)");
        assert!(!computed.modules.contains("thread"));
        assert!(computed.some_runs.contains("thread"));
    }

    fn program(name: &str, green: bool, calls: &[&str]) -> ProgramFacts {
        ProgramFacts {
            name: name.into(),
            green_site: green.then(|| format!("{name}.py:1 eventlet.greenthread.spawn")),
            silenced_site: None,
            // One function's alternatives, as nova's `_monkey_patch()`.
            calls: calls
                .iter()
                .enumerate()
                .map(|(n, call)| MadeCall {
                    site: format!("{name}.py:{}", n + 2),
                    scope: format!("{name}.py#0"),
                    patching: patched(call),
                    one_test: false,
                })
                .collect(),
            command: false,
            test_run: false,
            greendns_off: false,
            reached: Arc::from([0]),
            entries: Arc::from([0]),
            any_function: false,
        }
    }

    #[test]
    fn lookups_change_resolver_where_greendns_stays_on() {
        // The green socket becoming the stdlib one: same resolver where
        // socket is patched, or where greendns was off anyway.
        let resolver = |programs: Vec<ProgramFacts>, lookups: Lookups| {
            project(programs)
                .context(0)
                .check(&Requirement::SameResolver, || lookups)
                .unwrap()
        };
        let service = program("service", true, &["monkey_patch()"]);
        let mut tool = program("tool", false, &[]);
        let mixed = vec![service.clone(), tool.clone()];
        // A line that looks nothing up keeps its resolver.
        assert_eq!(resolver(mixed.clone(), Lookups::None), None);
        assert_eq!(resolver(vec![service.clone()], Lookups::GreenSocket), None);
        let relaxed = resolver(mixed, Lookups::GreenSocket).unwrap();
        assert_eq!(relaxed.difference, RESOLVER);
        assert!(
            relaxed.why.contains("tool leaves greendns on")
                && relaxed
                    .why
                    .contains("nothing in it monkey-patches 'socket'"),
            "{relaxed:?}"
        );
        tool.greendns_off = true;
        assert_eq!(
            resolver(vec![service.clone(), tool], Lookups::GreenSocket),
            None
        );
        // The switch: where the call made lookups greendns's.
        let relaxed = resolver(vec![service.clone()], Lookups::PatchedSocket).unwrap();
        assert!(
            relaxed
                .why
                .contains("without it the system resolver answers"),
            "{relaxed:?}"
        );
        let mut cinder = service;
        cinder.greendns_off = true;
        assert_eq!(resolver(vec![cinder], Lookups::PatchedSocket), None);
    }

    /// A project whose programs all reach file 0.
    fn project(programs: Vec<ProgramFacts>) -> ProjectFacts {
        let reaching = HashMap::from([(0, (0..programs.len()).collect())]);
        ProjectFacts {
            programs,
            reaching,
            ..ProjectFacts::default()
        }
    }

    #[test]
    fn a_module_is_patched_when_every_program_that_runs_it_patches_it() {
        let time = Requirement::NativeOrPatched("time".into());
        let thread = Requirement::NativeOrPatched("thread".into());
        // swift: the servers leave time alone, the probe tests patch all.
        let swift = project(vec![
            program(
                "server",
                true,
                &["monkey_patch(all=False, socket=True, select=True, thread=True)"],
            ),
            program("probe", true, &["monkey_patch()"]),
        ]);
        assert_eq!(swift.context(0).check(&thread, || Lookups::None), Ok(None));
        let err = swift.context(0).check(&time, || Lookups::None).unwrap_err();
        assert!(
            err.contains("run in server (server.py:1 eventlet.greenthread.spawn)")
                && err.contains("the monkey_patch() at server.py:2 leaves 'time' alone"),
            "{err}"
        );
        // A program that never patches keeps green code green.
        let tests = project(vec![
            program("service", true, &["monkey_patch()"]),
            program("unit tests", true, &[]),
        ]);
        let err = tests.context(0).check(&time, || Lookups::None).unwrap_err();
        assert!(
            err.contains("unit tests") && err.contains("nothing in it"),
            "{err}"
        );
        // A file no program reaches is judged by all of them.
        assert!(tests.context(7).check(&time, || Lookups::None).is_err());
        // A command that never patches, where green threads start in
        // another file it imports: review level. In the file that starts
        // them, the call stays.
        let mut tool = program("status tool", true, &[]);
        tool.command = true;
        let mut cli = project(vec![program("service", true, &["monkey_patch()"]), tool]);
        let relaxed = cli
            .context(0)
            .check(&time, || Lookups::None)
            .unwrap()
            .unwrap();
        assert_eq!(relaxed.difference, UNPATCHED_PROGRAM);
        assert!(relaxed.why.contains("status tool"), "{relaxed:?}");
        cli.green_files.insert(0);
        assert!(cli.context(0).check(&time, || Lookups::None).is_err());
        // nova's debugger mode leaves threads alone; mistral's computes it.
        let nova = project(vec![program(
            "nova",
            true,
            &["monkey_patch(thread=False)", "monkey_patch()"],
        )]);
        assert_eq!(nova.context(0).check(&time, || Lookups::None), Ok(None));
        // In the debugger's runs only: the rewrite is review level.
        let relaxed = nova
            .context(0)
            .check(&thread, || Lookups::None)
            .unwrap()
            .unwrap();
        assert_eq!(relaxed.difference, UNPATCHED_RUNS);
        assert!(relaxed.why.contains("leaves 'thread' alone"), "{relaxed:?}");
        // heat: the service patches all but os, a messaging setup adds
        // time again elsewhere: both run, so threads stay patched.
        let mut heat = program("heat", true, &["monkey_patch(os=False)"]);
        heat.calls.push(MadeCall {
            site: "messaging.py:98".into(),
            scope: "messaging.py#2400".into(),
            patching: patched("monkey_patch(time=True)"),
            one_test: false,
        });
        let heat = project(vec![heat]);
        assert_eq!(heat.context(0).check(&thread, || Lookups::None), Ok(None));
        assert_eq!(heat.context(0).check(&time, || Lookups::None), Ok(None));
        let mistral = project(vec![program(
            "mistral",
            true,
            &["monkey_patch(os=True, select=True, socket=True, thread=debug, time=True)"],
        )]);
        let relaxed = mistral
            .context(0)
            .check(&thread, || Lookups::None)
            .unwrap()
            .unwrap();
        assert!(
            relaxed.why.contains("patches 'thread' only in some runs"),
            "{relaxed:?}"
        );
        assert_eq!(mistral.context(0).check(&time, || Lookups::None), Ok(None));
        // swift's test_utils: one test patches everything; the others run
        // unpatched before it, and patched after it.
        let mut swift = program("swift", true, &["monkey_patch()"]);
        swift.calls[0].one_test = true;
        let swift = project(vec![swift]);
        let err = swift
            .context(0)
            .check(&thread, || Lookups::None)
            .unwrap_err();
        assert!(
            err.contains("only one of its tests monkey-patches"),
            "{err}"
        );
        assert!(
            swift
                .context(0)
                .check(&Requirement::Unpatched, || Lookups::None)
                .is_err()
        );
    }

    #[test]
    fn patched_asks_every_program_to_patch_green_or_not() {
        let thread = Requirement::Patched("thread".into());
        let services = project(vec![
            program("api", true, &["monkey_patch(os=False)"]),
            program("unit tests", false, &["monkey_patch()"]),
        ]);
        assert_eq!(
            services.context(0).check(&thread, || Lookups::None),
            Ok(None)
        );
        // A WSGI application that never patches and starts no green thread:
        // native-or-patched holds there, patched does not.
        let wsgi = project(vec![
            program("api", true, &["monkey_patch()"]),
            program("api-wsgi", false, &[]),
        ]);
        let native = Requirement::NativeOrPatched("thread".into());
        assert_eq!(wsgi.context(0).check(&native, || Lookups::None), Ok(None));
        let err = wsgi
            .context(0)
            .check(&thread, || Lookups::None)
            .unwrap_err();
        assert!(
            err.contains("api-wsgi may run this, and nothing in it monkey-patches 'thread'"),
            "{err}"
        );
        let partly = project(vec![program(
            "agent",
            true,
            &["monkey_patch(thread=False)"],
        )]);
        assert!(partly.context(0).check(&thread, || Lookups::None).is_err());
    }

    #[test]
    fn programs_come_with_their_calls_green_sites_and_the_assumed_patching() {
        let green = FileFacts {
            green_threads: vec![GreenUse {
                line: 3,
                api: "eventlet.spawn".into(),
                use_index: 0,
            }],
            ..FileFacts::default()
        };
        let files = [(std::path::PathBuf::from("lib.py"), green)];
        let lookup = |i: usize| files.get(i).map(|(p, f)| (p.as_path(), f));
        let assumed = assumed_patching(&["socket".into(), "thread".into()]).unwrap();
        let runs = [ProgramRun {
            name: "a user",
            reaches: &[0],
            patches: &[],
            assumed_to_patch: true,
            unknown: true,
            command: false,
            test_run: false,
            greendns_off: false,
            reached: &Arc::from([0]),
            entries: &Arc::from([]),
        }];
        let facts = ProjectFacts::new(&runs, &lookup, &[], Some(&assumed), Arc::default());
        let err = facts
            .context(0)
            .check(&Requirement::NativeOrPatched("time".into()), || {
                Lookups::None
            })
            .unwrap_err();
        assert!(
            err.contains("lib.py:3 eventlet.spawn")
                && err.contains("the application (--assume-monkey-patched) leaves 'time' alone"),
            "{err}"
        );
        assert!(
            facts
                .context(0)
                .check(&Requirement::NativeOrPatched("socket".into()), || {
                    Lookups::None
                })
                .is_ok()
        );
    }

    #[test]
    fn a_test_module_that_patches_patches_the_other_tests_of_its_run() {
        let test = |name: &str, calls: &[&str]| ProgramFacts {
            test_run: true,
            ..program(name, false, calls)
        };
        // The unit test that runs file 0 patches nothing; a functional test
        // module, which reaches other files only, patches at import.
        let mut facts = project(vec![
            test("test_ratelimit", &[]),
            test("functional", &["monkey_patch()"]),
        ]);
        facts.reaching.insert(0, vec![0]);
        let err = facts
            .context(0)
            .check(&Requirement::Unpatched, || Lookups::None)
            .unwrap_err();
        assert!(
            err.contains(
                "a test module that a runner may load in the same process calls \
                 monkey_patch() (functional.py:2)"
            ),
            "{err}"
        );
        // Run by a command alone, the file is unpatched.
        let mut command = program("cmd", false, &[]);
        command.command = true;
        let mut facts = project(vec![command, test("functional", &["monkey_patch()"])]);
        facts.reaching.insert(0, vec![0]);
        assert!(
            facts
                .context(0)
                .check(&Requirement::Unpatched, || Lookups::None)
                .is_ok()
        );
    }

    #[test]
    fn unreadable_files_may_be_green_and_may_patch_anything() {
        let files = [(
            std::path::PathBuf::from("latin1.py"),
            FileFacts::unreadable(),
        )];
        let lookup = |i: usize| files.get(i).map(|(p, f)| (p.as_path(), f));
        let runs = [ProgramRun {
            name: "main",
            reaches: &[0],
            patches: &[(0, 0, false)],
            assumed_to_patch: false,
            unknown: false,
            command: true,
            test_run: false,
            greendns_off: false,
            reached: &Arc::from([0]),
            entries: &Arc::from([]),
        }];
        let facts = ProjectFacts::new(&runs, &lookup, &[], None, Arc::default());
        let context = facts.context(0);
        assert!(
            context
                .check(&Requirement::Unpatched, || Lookups::None)
                .is_err()
        );
        assert!(
            context
                .check(&Requirement::Native, || Lookups::None)
                .is_err()
        );
        assert!(
            context
                .check(&Requirement::NativeOrPatched("time".into()), || {
                    Lookups::None
                })
                .is_err()
        );
    }

    #[test]
    fn calls_under_the_main_guard_run_only_when_the_file_is_a_script() {
        // oslo.service's backdoor: `_main()` patches, called from its guard.
        let source = "import eventlet\n\ndef _main():\n    eventlet.monkey_patch(all=True)\n\n\
                      if __name__ == '__main__':\n    _main()\n    eventlet.monkey_patch()\n\
                      else:\n    eventlet.monkey_patch(time=True)\n";
        let tree = parse(source);
        let calls: Vec<bool> = crate::python::syntax::descendants(tree.root_node())
            .filter(|n| n.kind() == "call" && text(*n, source).contains("monkey_patch"))
            .map(|n| at_import(n, source).runs())
            .collect();
        assert_eq!(calls, [false, false, true]);
    }

    #[test]
    fn calls_run_at_import_at_module_level_or_through_a_function_called_there() {
        let source = "import eventlet\n\ndef _patch():\n    eventlet.monkey_patch()\n\n\
                      def main():\n    eventlet.monkey_patch(thread=False)\n\n\
                      if ENV:\n    _patch()\n";
        let tree = parse(source);
        let calls: Vec<bool> = crate::python::syntax::descendants(tree.root_node())
            .filter(|n| n.kind() == "call" && text(*n, source).contains("monkey_patch"))
            .map(|n| at_import(n, source).runs())
            .collect();
        assert_eq!(calls, [true, false]);
        let top = parse("import eventlet\nif x:\n    eventlet.monkey_patch()\n");
        let call = crate::python::syntax::descendants(top.root_node())
            .find(|n| n.kind() == "call")
            .unwrap();
        assert!(
            at_import(
                call,
                "import eventlet\nif x:\n    eventlet.monkey_patch()\n"
            )
            .runs()
        );
    }

    /// nova's `monkey_patch.py` calls `_monkey_patch()` unless an
    /// environment variable says not to: the patch it makes at import is
    /// made in some runs only. A call made in every run as well is not.
    #[test]
    fn a_function_called_at_import_under_a_condition_patches_in_some_runs() {
        let sometimes = |source: &str| {
            let tree = parse(source);
            let call = crate::python::syntax::descendants(tree.root_node())
                .find(|n| n.kind() == "call" && text(*n, source).contains("monkey_patch"))
                .unwrap();
            at_import(call, source) == AtImport::SomeRuns
        };
        let nova = "import os\n\ndef _patch():\n    eventlet.monkey_patch()\n\n\
                    if os.environ.get('OS_DISABLE', '') not in ('1', 'yes'):\n    _patch()\n";
        assert!(sometimes(nova));
        assert!(!sometimes(&format!("{nova}_patch()\n")));
        assert!(!sometimes(
            "def _patch():\n    eventlet.monkey_patch()\n\n_patch()\n"
        ));
    }

    /// Which `monkey_patch()` calls of a source run in some runs of their
    /// scope only, in source order.
    fn sometimes(source: &str) -> Vec<bool> {
        let tree = parse(source);
        crate::python::syntax::descendants(tree.root_node())
            .filter(|n| {
                n.kind() == "call"
                    && n.child_by_field_name("function")
                        .is_some_and(|f| text(f, source).ends_with("monkey_patch"))
            })
            .map(|n| runs_sometimes(n, source))
            .collect()
    }

    #[test]
    fn a_call_under_a_condition_runs_in_some_runs_only() {
        // A lone `if` (heat's fake transport), a loop, an except clause,
        // a conditional expression and `and`.
        let lone = "def setup(url):\n    if url.startswith('fake://'):\n        \
                    eventlet.monkey_patch(time=True)\n";
        assert_eq!(sometimes(lone), [true]);
        let shapes = "for x in y:\n    eventlet.monkey_patch()\n\
                      try:\n    pass\nexcept E:\n    eventlet.monkey_patch()\n\
                      eventlet.monkey_patch() if a else None\n\
                      a and eventlet.monkey_patch()\n\
                      match mode:\n    case 'green':\n        eventlet.monkey_patch()\n";
        assert_eq!(sometimes(shapes), [true, true, true, true, true]);
        // Branches that all patch are alternatives; an else without a call
        // leaves one run unpatched.
        let switch = "if debug:\n    eventlet.monkey_patch(thread=False)\n\
                      elif nt:\n    eventlet.monkey_patch(os=False)\n\
                      else:\n    eventlet.monkey_patch()\n";
        assert_eq!(sometimes(switch), [false, false, false]);
        let half = "if debug:\n    eventlet.monkey_patch()\nelse:\n    pass\n";
        assert_eq!(sometimes(half), [true]);
        // A condition's own call, a try body, a with block, a function's
        // body and a script's main guard run whenever their scope does.
        let always = "if eventlet.monkey_patch():\n    pass\n\
                      try:\n    eventlet.monkey_patch()\nexcept E:\n    pass\n\
                      with a:\n    eventlet.monkey_patch()\n\
                      def main():\n    eventlet.monkey_patch()\n\
                      if __name__ == '__main__':\n    eventlet.monkey_patch()\n";
        assert_eq!(sometimes(always), [false, false, false, false, false]);
        // A call inside a conditional function body counts for its scope.
        let nested = "if x:\n    def f():\n        eventlet.monkey_patch()\n";
        assert_eq!(sometimes(nested), [false]);
    }

    #[test]
    fn eventlet_freedom_is_known_only_after_the_rewrites() {
        let before = project(vec![program("p", false, &["monkey_patch()"])]);
        assert!(
            before
                .context(0)
                .check(&Requirement::EventletFree, || Lookups::None)
                .is_err()
        );
        assert!(
            before
                .eventlet_free()
                .context(0)
                .check(&Requirement::EventletFree, || Lookups::None)
                .is_ok()
        );
    }

    #[test]
    fn requirements_follow_green_threads_and_patching() {
        let time = Requirement::NativeOrPatched("time".into());
        let context = |green, calls: &[&str]| project(vec![program("p", green, calls)]);
        assert_eq!(
            context(false, &[])
                .context(0)
                .check(&time, || Lookups::None),
            Ok(None)
        );
        assert!(
            context(true, &["monkey_patch(time=True)"])
                .context(0)
                .check(&time, || Lookups::None)
                .is_ok()
        );
        let err = context(true, &["monkey_patch(socket=True)"])
            .context(0)
            .check(&time, || Lookups::None)
            .unwrap_err();
        assert!(err.contains("p.py:1"), "{err}");
        assert!(
            context(false, &["monkey_patch(time=True)"])
                .context(0)
                .check(&Requirement::Native, || Lookups::None)
                .is_err()
        );
        assert!(
            context(true, &[])
                .context(0)
                .check(&Requirement::Unpatched, || Lookups::None)
                .is_ok()
        );
    }

    #[test]
    fn a_program_that_silences_green_errors_keeps_them_unprinted() {
        let quiet = ProgramFacts {
            silenced_site: Some("q.py:3 eventlet.debug.hub_exceptions".into()),
            ..program("q", true, &["monkey_patch()"])
        };
        let printed = Requirement::ErrorsPrinted;
        assert_eq!(
            project(vec![program("p", true, &["monkey_patch()"])])
                .context(0)
                .check(&printed, || Lookups::None),
            Ok(None)
        );
        let err = project(vec![quiet.clone()])
            .context(0)
            .check(&printed, || Lookups::None)
            .unwrap_err();
        assert!(err.contains("q.py:3"), "{err}");
        // The switch deletes the call, but the threads would still print.
        assert!(
            project(vec![quiet])
                .switched()
                .context(0)
                .check(&printed, || Lookups::None)
                .is_err()
        );
    }
}
