//! Narrow mocks: a test's mock of eventlet's sleep where a mock of
//! `time.sleep` itself would also catch the threads the test run leaves
//! polling with it (an RPC listener, which then spins). The mock patches
//! the module under test's own name for `time` instead, with a mock that
//! passes every other call through, as cinder's tests now do:
//!
//! ```python
//! @mock.patch.object(eventlet, 'sleep')        # before
//! @mock.patch.object(qnap, 'time', wraps=time, sleep=mock.Mock())
//! self.mock_object(qnap, 'time', mock.Mock(wraps=time, sleep=mock.Mock()))
//! ```
//!
//! It catches the calls of those modules only, where eventlet's caught
//! every call made through eventlet's name (narrower-mock). The modules
//! under test are those the test module imports whose code calls the API
//! through the attribute the mock replaces (a mock of `eventlet.sleep`
//! never caught `greenthread.sleep`), one patch each; a statement
//! patching several makes one mock of time that they share. Where the
//! test reads the mock, it reads the new mock's `sleep`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use tree_sitter::Node;

use crate::analysis::{UNKNOWN_LOOKUP, mock_catches};
use crate::edit::Edit;
use crate::python::import_clauses::{Imported, imported};
use crate::python::patchers::{Patchers, decorator_parameter, parameter_reads};
use crate::python::syntax::{Root, descendants, named_children, text};
use crate::source::line_start;
use crate::transform::ApiId;
use crate::transform::template::{Piece, Template};

/// What narrow mocks need to know of the project's other files.
#[derive(Debug, Clone, Default)]
pub struct NarrowFacts {
    /// Each project module's file, by dotted name.
    pub module_files: HashMap<String, usize>,
    /// The files whose code uses each API, each with the attributes its
    /// calls look the API up at when they run (`eventlet.sleep`,
    /// `eventlet.greenthread.sleep`; empty for a name read alone, bound at
    /// import: see `Use::lookup`).
    pub code_files: HashMap<ApiId, BTreeMap<usize, BTreeSet<String>>>,
    /// For a file with code uses of an API that a narrow transform takes,
    /// and that transform's target (`time.sleep`): whether the file's own
    /// name for the target's module may become a mock that passes every
    /// other call through, or why not.
    pub fits: HashMap<(usize, String), Result<(), String>>,
}

impl NarrowFacts {
    /// The dotted name of the project module in `file`.
    pub fn module_of(&self, file: usize) -> Option<&str> {
        self.module_files
            .iter()
            .find(|(_, f)| **f == file)
            .map(|(dotted, _)| dotted.as_str())
    }
}

/// The module a narrow mock patches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleUnderTest {
    pub file: usize,
    pub dotted: String,
    /// The expression naming the module in the test module
    /// (`qnap` after `from cinder.volume.drivers import qnap`), when one
    /// does.
    pub named_as: Option<String>,
}

/// How the test uses the mock it makes.
#[derive(Debug, Clone)]
pub enum MockUse<'t> {
    /// A decorator, whose mock goes to `parameter` of `function`, read at
    /// `reads` (identifiers): the patcher makes the new mock from keywords
    /// (for several modules, the first's; the others' patchers are passed
    /// theirs, and pass nothing).
    Decorator {
        decorator: Node<'t>,
        function: Node<'t>,
        parameter: Node<'t>,
        reads: Vec<Node<'t>>,
    },
    /// A statement, or a `with` without `as` (no `statement`): the new
    /// mock is passed. `kept` is the end of the call whose value the
    /// statement assigns (the patcher's, or its `start()`'s).
    Passed {
        statement: Option<Node<'t>>,
        kept: Option<usize>,
    },
}

impl MockUse<'_> {
    /// Whether the test reads the mock.
    fn read(&self) -> bool {
        match self {
            MockUse::Decorator { reads, .. } => !reads.is_empty(),
            MockUse::Passed { kept, .. } => kept.is_some(),
        }
    }
}

/// The modules the test module at `root` imports at its top level whose
/// code calls `api` through the attribute `patched` that the mock
/// replaces, in the order it imports them. A module that also calls it
/// otherwise makes it fail: a mock of its time would catch calls that the
/// mock did not.
pub fn modules_under_test(
    root: Node,
    source: &str,
    api: ApiId,
    patched: &str,
    facts: &NarrowFacts,
) -> Result<Vec<ModuleUnderTest>, String> {
    let with_code = facts.code_files.get(&api);
    let mut found: Vec<ModuleUnderTest> = Vec::new();
    for statement in named_children(root) {
        for (dotted, named_as) in modules_imported(statement, source) {
            let Some(&file) = facts.module_files.get(&dotted) else {
                continue;
            };
            let Some(paths) = with_code.and_then(|files| files.get(&file)) else {
                continue;
            };
            if !paths.iter().any(|p| mock_catches(patched, p)) {
                continue;
            }
            if let Some(other) = paths.iter().find(|p| *p != patched) {
                let how = match other.as_str() {
                    "" => "a name bound at import".to_owned(),
                    UNKNOWN_LOOKUP => "a name whose binding is not known".to_owned(),
                    other => other.to_owned(),
                };
                return Err(format!(
                    "{dotted} calls it through {how} too, which the mock of {patched} \
                     did not catch: a mock of the module's time would"
                ));
            }
            match found.iter_mut().find(|m| m.file == file) {
                Some(known) => {
                    known.named_as = known.named_as.take().or(named_as);
                }
                None => found.push(ModuleUnderTest {
                    file,
                    dotted,
                    named_as,
                }),
            }
        }
    }
    if found.is_empty() {
        return Err(
            "the test module imports no module of the project whose code calls it, so no \
             module under test has a name for time to patch instead"
                .into(),
        );
    }
    Ok(found)
}

/// The attribute the mock whose target string's content is at `content`
/// replaces (see `Patchers::patched_path`).
pub fn patched_path(
    root: &Root,
    source: &str,
    content: Range<usize>,
    patchers: &Patchers,
) -> Result<String, String> {
    root.descendant_for_byte_range(content.start, content.end)
        .and_then(|n| root.ancestors(n).find(|a| a.kind() == "call"))
        .and_then(|call| patchers.patched_path(root.node(), call, source))
        .ok_or_else(|| "the mock patches an object no top-level import names".into())
}

/// The modules an import statement loads by dotted name, with the
/// expression that names each afterwards, if any (`from a import b`
/// names `a.b` as `b`; `from a.b import C` loads `a.b` but names only C).
fn modules_imported(statement: Node, source: &str) -> Vec<(String, Option<String>)> {
    let Imported::Clauses(clauses) = imported(statement, source) else {
        return Vec::new();
    };
    let from_module = (statement.kind() == "import_from_statement")
        .then(|| statement.child_by_field_name("module_name"))
        .flatten()
        .map(|m| text(m, source).split_whitespace().collect::<String>());
    let mut modules = Vec::new();
    for clause in clauses {
        if let Some(module) = &from_module {
            modules.push((module.clone(), None));
            modules.push((clause.target.clone(), Some(clause.name.clone())));
        } else {
            // `import a.b` names `a.b` by its path; `import a.b as c` as c.
            let written = &source[clause.range.clone()];
            let path: String = written
                .split(" as ")
                .next()
                .unwrap_or(written)
                .split_whitespace()
                .collect();
            let named = if clause.name == clause.target {
                path.clone()
            } else {
                clause.name.clone()
            };
            modules.push((path, Some(named)));
        }
    }
    modules
}

/// How the test uses the mock the patch call `call` makes, where it can
/// patch a module's time instead. Only mock's own patchers, the test base classes' `mock_object`
/// (cinder, manila), whose third argument is the new value, and the
/// project's patchers that pass their next argument on as one, are known
/// to take one.
pub fn mock_use<'t>(
    root: &Root<'t>,
    call: Node<'t>,
    source: &str,
    patchers: &Patchers,
) -> Result<MockUse<'t>, String> {
    let callee = call
        .child_by_field_name("function")
        .map_or("", |f| text(f, source));
    let last = callee.rsplit('.').next().unwrap_or(callee);
    let mock_s = matches!(
        callee,
        "mock.patch" | "patch" | "mock.patch.object" | "patch.object"
    );
    let known = mock_s || last == "mock_object" || patchers.passes_value(last);
    if !known {
        return Err(format!(
            "the mock is made by {callee}, which may not take the mock to patch with"
        ));
    }
    let parent = root.parent(call).ok_or("the mock is not in a statement")?;
    match parent.kind() {
        "decorator" if mock_s => {
            let (function, parameter) = decorator_parameter(root, parent, source)?;
            Ok(MockUse::Decorator {
                decorator: parent,
                function,
                parameter,
                reads: parameter_reads(root, function, parameter, source),
            })
        }
        "expression_statement" => Ok(MockUse::Passed {
            statement: Some(parent),
            kept: None,
        }),
        // `self.x = self.mock_object(eventlet, 'sleep')`: only helpers
        // known to give back the mock they are passed.
        "assignment" if last == "mock_object" && !mock_s => assigned(root, parent, call),
        "with_item"
            if root
                .parent(parent)
                .is_some_and(|w| w.kind() == "with_clause") =>
        {
            match parent.child_by_field_name("value").map(|v| v.kind()) {
                Some("as_pattern") | None => Err("the with statement keeps the mock (as)".into()),
                Some(_) => Ok(MockUse::Passed {
                    statement: None,
                    kept: None,
                }),
            }
        }
        "attribute" => {
            // `mock.patch('eventlet.sleep').start()` as a statement.
            let started = root
                .parent(parent)
                .filter(|c| c.kind() == "call")
                .filter(|_| {
                    parent
                        .child_by_field_name("attribute")
                        .is_some_and(|a| text(a, source) == "start")
                });
            let Some(started) = started else {
                return Err("the mock's value is read".into());
            };
            match root.parent(started) {
                Some(s) if s.kind() == "expression_statement" => Ok(MockUse::Passed {
                    statement: Some(s),
                    kept: None,
                }),
                Some(a) if a.kind() == "assignment" && mock_s => assigned(root, a, started),
                _ => Err("the mock's value is read".into()),
            }
        }
        _ => Err("the mock's value is read".into()),
    }
}

/// `assignment`, whose value is `value` (a `mock_object()` call, or a
/// patcher's `start()`), as a statement that keeps the new mock.
fn assigned<'t>(
    root: &Root<'t>,
    assignment: Node<'t>,
    value: Node<'t>,
) -> Result<MockUse<'t>, String> {
    let statement = root
        .parent(assignment)
        .filter(|s| s.kind() == "expression_statement")
        .filter(|_| assignment.child_by_field_name("right") == Some(value))
        .ok_or("the mock's value is read")?;
    Ok(MockUse::Passed {
        statement: Some(statement),
        kept: Some(value.end_byte()),
    })
}

/// Whether the file at `root` may have its own name for `module`
/// (`time`) replaced by a mock passing every call through but that of
/// `member` (`sleep`): it reads the name only to call the module's
/// functions, never calls `member` itself (a call the mock would catch
/// too), and imports the module only at its top level.
pub fn fits(root: Node, source: &str, module: &str, member: &str) -> Result<(), String> {
    for node in descendants(root) {
        if node.kind() != "identifier" || text(node, source) != module {
            continue;
        }
        let line = node.start_position().row + 1;
        let Some(parent) = node.parent() else {
            continue;
        };
        // `x.time` and `f(time=...)` name other things.
        let other_name = match parent.kind() {
            "attribute" => parent.child_by_field_name("attribute") == Some(node),
            "keyword_argument" => parent.child_by_field_name("name") == Some(node),
            _ => false,
        };
        if other_name {
            continue;
        }
        if matches!(parent.kind(), "dotted_name" | "aliased_import") {
            let statement = std::iter::successors(Some(parent), |n| n.parent())
                .find(|n| matches!(n.kind(), "import_statement" | "import_from_statement"));
            if statement.is_some_and(|s| s.parent().is_some_and(|p| p.kind() != "module")) {
                return Err(format!(
                    "it imports {module} inside a block (line {line}), so the module may have \
                     no name for it to patch"
                ));
            }
            // Only `import time` gives the module the name the mock patches
            // and the rewrite calls through.
            let plain = statement.is_some_and(|s| s.kind() == "import_statement")
                && parent.kind() == "dotted_name"
                && parent
                    .parent()
                    .is_some_and(|p| p.kind() == "import_statement");
            if !plain {
                return Err(format!(
                    "it imports {module} otherwise than as `import {module}` (line {line}), \
                     so its calls may not go through the name the mock patches"
                ));
            }
            continue;
        }
        let called = parent.kind() == "attribute"
            && parent
                .child_by_field_name("object")
                .is_some_and(|o| o.id() == node.id())
            && parent.parent().is_some_and(|c| {
                c.kind() == "call" && c.child_by_field_name("function") == Some(parent)
            });
        if !called {
            return Err(format!(
                "it reads {module} other than to call one of its functions (line {line}), \
                 which a mock passing calls through would not give"
            ));
        }
        let attribute = parent
            .child_by_field_name("attribute")
            .map_or("", |a| text(a, source));
        if attribute == member {
            return Err(format!(
                "it calls {module}.{member} itself (line {line}), which a mock of its \
                 {module} would catch too"
            ));
        }
    }
    Ok(())
}

/// Where a narrow mock is written: the mock target's string, the object
/// before it in an attribute form (`patch.object(eventlet, 'sleep')`), and
/// the new target (`time.sleep`), whose own mock would catch the test
/// run's pollers (`polled`, with why).
pub struct Site<'s> {
    pub string_content: std::ops::Range<usize>,
    pub object: Option<std::ops::Range<usize>>,
    pub target: &'s str,
    pub polled: Option<String>,
    pub api: ApiId,
    pub patchers: &'s Patchers,
    /// Whether a program that runs the test imports a file.
    pub reaches: &'s dyn Fn(usize) -> bool,
    /// `Err` with why when a module's sleeps do not all move (see
    /// `FileContext::check_module_moves`).
    pub moves: &'s dyn Fn(&ModuleUnderTest) -> Result<(), String>,
}

/// A narrow mock's rewrite: the text replacing `range`, and the edits
/// where the test reads the mock (now its `.sleep`).
pub struct Narrowed {
    pub template: Template,
    pub range: std::ops::Range<usize>,
    pub edits: Vec<Edit>,
}

/// The rewrite of the mock at `site`: one patch of each module under
/// test's time, in place of the patch of eventlet's sleep. Where it is not
/// written, why says first why the mock of the target itself is not.
pub fn rewrite(
    root: &Root,
    source: &str,
    site: &Site,
    facts: &NarrowFacts,
) -> Result<Narrowed, String> {
    let Some(polled) = &site.polled else {
        return Err(format!(
            "a mock of {} itself fits here: it catches what eventlet's did and more \
             (wider-mock)",
            site.target
        ));
    };
    narrowed(root, source, site, facts).map_err(|why| {
        format!("{polled}. Nor can this mock patch the module under test's time: {why}")
    })
}

fn narrowed(
    root: &Root,
    source: &str,
    site: &Site,
    facts: &NarrowFacts,
) -> Result<Narrowed, String> {
    let (module_name, member) = site
        .target
        .rsplit_once('.')
        .ok_or("the target has no module to patch")?;
    let string = root
        .descendant_for_byte_range(site.string_content.start, site.string_content.end)
        .and_then(|content| root.parent(content))
        .filter(|s| s.kind() == "string")
        .ok_or("the target is not a string")?;
    let arguments = root
        .parent(string)
        .filter(|a| a.kind() == "argument_list")
        .ok_or("the target is not an argument of a call")?;
    let call = root.parent(arguments).ok_or("not a call")?;
    let given: Vec<Node> = named_children(arguments)
        .into_iter()
        .filter(|a| a.kind() != "comment")
        .collect();
    let expected = if site.object.is_some() { 2 } else { 1 };
    if given.len() != expected || given.iter().any(|a| a.kind() == "keyword_argument") {
        return Err(
            "the mock is given more than its target (a spec, a side effect, a \
                    value): a mock of the module's time would need the same"
                .into(),
        );
    }
    let form = mock_use(root, call, source, site.patchers)?;
    let patched = patched_path(root, source, site.string_content.clone(), site.patchers)?;
    let modules = modules_under_test(root.node(), source, site.api, &patched, facts)?;
    let start = site
        .object
        .as_ref()
        .map_or(string.start_byte(), |o| o.start);
    let shared = shared_statement(
        root,
        source,
        &form,
        start..string.end_byte(),
        modules.len(),
        module_name,
    );
    if form.read() && modules.len() > 1 && shared.is_none() {
        return Err(format!(
            "the test reads the mock, and {} modules it imports sleep: their patches \
             would each have a mock of their own",
            modules.len()
        ));
    }
    // A mock the test reads must still see every sleep it saw: no
    // module the test runs may sleep past it.
    if form.read() {
        let missed: Vec<usize> = facts
            .code_files
            .get(&site.api)
            .into_iter()
            .flatten()
            .filter(|(_, paths)| paths.iter().any(|p| mock_catches(&patched, p)))
            .map(|(file, _)| *file)
            .filter(|file| !modules.iter().any(|m| m.file == *file) && (site.reaches)(*file))
            .collect();
        if let Some(file) = missed.first() {
            let dotted = facts
                .module_files
                .iter()
                .filter(|(_, f)| *f == file)
                .map(|(name, _)| name.as_str())
                .min()
                .unwrap_or("another module");
            return Err(format!(
                "the test reads the mock, and runs code of {} module(s) it does not \
                 import itself that sleep too ({dotted}): the new mock would not see \
                 those calls",
                missed.len()
            ));
        }
    }
    // Where the test reads the mock, it reads the new mock's sleep: a
    // value kept from the patcher's own call is written with it, below. A
    // parameter named for the mock of sleep is named for the mock of time
    // now (`mock_sleep.assert_called()` becomes
    // `mock_time.sleep.assert_called()`).
    let ends = match &form {
        MockUse::Decorator { reads, .. } => reads.iter().map(|r| r.end_byte()).collect(),
        MockUse::Passed { kept, .. } => kept.iter().copied().collect::<Vec<_>>(),
    };
    let kept_from_call = ends.contains(&call.end_byte());
    let renamed = match &form {
        MockUse::Decorator {
            function,
            parameter,
            reads,
            ..
        } if !reads.is_empty() => {
            renamed_parameter(*function, *parameter, member, module_name, source)
                .map(|name| (parameter, reads, name))
        }
        _ => None,
    };
    let edits = match renamed {
        // The kept name is given the new mock's sleep itself.
        _ if shared.is_some() => Vec::new(),
        Some((parameter, reads, name)) => reads
            .iter()
            .map(|read| Edit::replace(read.byte_range(), format!("{name}.{member}")))
            .chain([Edit::replace(parameter.byte_range(), name.clone())])
            .collect(),
        _ => ends
            .into_iter()
            .filter(|at| *at != call.end_byte())
            .map(|at| Edit::insert(at, format!(".{member}")))
            .collect(),
    };
    for module in &modules {
        match facts.fits.get(&(module.file, site.target.to_owned())) {
            Some(Ok(())) => {}
            Some(Err(why)) => return Err(format!("in {}, {why}", module.dotted)),
            None => return Err(format!("{} was not read", module.dotted)),
        }
    }
    if !names_mock(root.node(), source) {
        return Err(
            "the test module has no top-level name for mock (`from unittest import \
             mock`) to make the mock of the module's time with"
                .into(),
        );
    }
    // It follows its modules' code alone.
    for module in &modules {
        (site.moves)(module)?;
    }
    let written = text(string, source);
    let quote = written
        .chars()
        .find(|c| matches!(c, '\'' | '"'))
        .unwrap_or('\'');
    // What names each module's time for the patcher.
    let patched = |module: &ModuleUnderTest| match &site.object {
        Some(_) => module
            .named_as
            .as_ref()
            .map(|named| format!("{named}, {quote}{module_name}{quote}"))
            .ok_or_else(|| {
                format!(
                    "the test module imports names from {} but no name for the module \
                     itself, whose time the mock would patch",
                    module.dotted
                )
            }),
        None => Ok(format!("{quote}{}.{module_name}{quote}", module.dotted)),
    };
    // A patcher makes the new mock from keywords (a decorator's, which
    // still passes it), or is passed it.
    let made = |pieces: &mut Vec<Piece>, patched: String| {
        pieces.push(Piece::Text(format!("{patched}, wraps=")));
        pieces.push(Piece::Module(module_name.to_owned()));
        pieces.push(Piece::Text(format!(", {member}=mock.Mock()")));
    };
    let passed = |pieces: &mut Vec<Piece>, patched: String| {
        pieces.push(Piece::Text(format!("{patched}, mock.Mock(wraps=")));
        pieces.push(Piece::Module(module_name.to_owned()));
        pieces.push(Piece::Text(format!(", {member}=mock.Mock())")));
    };
    let mut pieces = Vec::new();
    if let Some(shared) = shared {
        shared.write(&mut pieces, module_name, member, patched, &modules)?;
        return Ok(Narrowed {
            template: Template { pieces },
            range: shared.statement.byte_range(),
            edits,
        });
    }
    // A decorator's patcher makes the mock (its first, for several
    // modules, which still passes the test function its parameter).
    let made_first = matches!(form, MockUse::Decorator { .. });
    let write = |p: &mut Vec<Piece>, first: bool, m: &ModuleUnderTest| {
        let patched = patched(m)?;
        match first && made_first {
            true => made(p, patched),
            false => passed(p, patched),
        }
        Ok(())
    };
    let range = if let [module] = modules.as_slice() {
        // The whole call, so that a line grown too long breaks after its
        // bracket.
        if named_children(arguments)
            .iter()
            .any(|a| a.kind() == "comment")
        {
            return Err("a comment among the mock's arguments would be lost".into());
        }
        let head = &source[call.start_byte()..arguments.start_byte()];
        pieces.push(Piece::Text(format!("{head}(")));
        write(&mut pieces, true, module)?;
        let read = if kept_from_call {
            format!(".{member}")
        } else {
            String::new()
        };
        pieces.push(Piece::Text(format!("){read}")));
        call.byte_range()
    } else {
        // Several modules: the decorator or statement once per module.
        let whole = match form {
            MockUse::Decorator { decorator, .. } => decorator,
            MockUse::Passed {
                statement: Some(statement),
                ..
            } => statement,
            MockUse::Passed {
                statement: None, ..
            } => {
                return Err("a with statement would patch several modules' time".into());
            }
        };
        repeated(
            &mut pieces,
            whole,
            start,
            string.end_byte(),
            source,
            write,
            &modules,
        )?;
        whole.byte_range()
    };
    Ok(Narrowed {
        template: Template { pieces },
        range,
        edits,
    })
}

/// The name a test function's parameter for the mock of `member` takes
/// once it holds the mock of `module` (`mock_sleep` becomes `mock_time`,
/// and `sleep` alone `mock_time`), when the function names no such thing
/// already; `None` for a name that does not say `member`.
fn renamed_parameter(
    function: Node,
    parameter: Node,
    member: &str,
    module: &str,
    source: &str,
) -> Option<String> {
    let name = text(parameter, source);
    if !name.contains(member) {
        return None;
    }
    let renamed = match name.replacen(member, module, 1) {
        bare if bare == module => format!("mock_{module}"),
        renamed => renamed,
    };
    let taken =
        descendants(function).any(|n| n.kind() == "identifier" && text(n, source) == renamed);
    (!taken).then_some(renamed)
}

/// A statement whose patches are given one mock of time made before
/// them: where it patches several modules, so that the mock sees every
/// module's sleep as eventlet's did, and where it keeps the mock, whose
/// name is given the new mock's sleep, made first:
///
/// ```python
/// self.mock_sleep = mock.Mock()
/// mock_time = mock.Mock(wraps=time, sleep=self.mock_sleep)
/// self.patch('volume.client.time', mock_time)
/// self.patch('volume.driver.time', mock_time)
/// ```
struct SharedStatement<'t> {
    statement: Node<'t>,
    /// The statement's patcher call (with its `start()`, without what
    /// keeps its value) before and after its target.
    before_target: &'t str,
    after_target: &'t str,
    /// What the statement assigns the mock to.
    kept: Option<&'t str>,
    /// The name of the shared mock of time, for several modules.
    shared_name: Option<String>,
    indent: &'t str,
}

/// The statement of `form` as a [`SharedStatement`], where one is
/// wanted (several modules, or a kept mock) and can be written: the
/// statement starts its line, keeps the mock in a plain name or
/// attribute, and its scope has no other use of the shared mock's name.
fn shared_statement<'t>(
    root: &Root<'t>,
    source: &'t str,
    form: &MockUse<'t>,
    target: Range<usize>,
    modules: usize,
    module_name: &str,
) -> Option<SharedStatement<'t>> {
    let MockUse::Passed {
        statement: Some(statement),
        kept,
    } = form
    else {
        return None;
    };
    if modules < 2 && kept.is_none() {
        return None;
    }
    let indent = indentation(*statement, source)?;
    let (patch, kept) = match named_children(*statement).as_slice() {
        [assignment] if kept.is_some() && assignment.kind() == "assignment" => {
            let left = assignment.child_by_field_name("left")?;
            if !matches!(left.kind(), "identifier" | "attribute") {
                return None;
            }
            (
                assignment.child_by_field_name("right")?,
                Some(text(left, source)),
            )
        }
        [patch] if kept.is_none() => (*patch, None),
        _ => return None,
    };
    let shared_name = (modules > 1).then(|| format!("mock_{module_name}"));
    if let Some(name) = &shared_name {
        let scope = std::iter::successors(root.parent(*statement), |n| root.parent(*n))
            .find(|n| n.kind() == "function_definition")
            .unwrap_or(root.node());
        let taken = descendants(scope).any(|n| n.kind() == "identifier" && text(n, source) == name);
        if taken {
            return None;
        }
    }
    Some(SharedStatement {
        statement: *statement,
        before_target: &source[patch.start_byte()..target.start],
        after_target: &source[target.end..patch.end_byte()],
        kept,
        shared_name,
        indent,
    })
}

impl SharedStatement<'_> {
    /// The statement's lines, its patch's target written by `patched`
    /// for each module.
    fn write(
        &self,
        pieces: &mut Vec<Piece>,
        module_name: &str,
        member: &str,
        patched: impl Fn(&ModuleUnderTest) -> Result<String, String>,
        modules: &[ModuleUnderTest],
    ) -> Result<(), String> {
        let newline = format!("\n{}", self.indent);
        let sleep = match self.kept {
            Some(kept) => {
                pieces.push(Piece::Text(format!("{kept} = mock.Mock(){newline}")));
                kept.to_owned()
            }
            None => "mock.Mock()".to_owned(),
        };
        let mock_of_time = |pieces: &mut Vec<Piece>| {
            pieces.push(Piece::Text("mock.Mock(wraps=".into()));
            pieces.push(Piece::Module(module_name.to_owned()));
            pieces.push(Piece::Text(format!(", {member}={sleep})")));
        };
        if let Some(name) = &self.shared_name {
            pieces.push(Piece::Text(format!("{name} = ")));
            mock_of_time(pieces);
        }
        for (i, module) in modules.iter().enumerate() {
            let lead = match i == 0 && self.shared_name.is_none() {
                true => "",
                false => newline.as_str(),
            };
            pieces.push(Piece::Text(format!(
                "{lead}{}{}, ",
                self.before_target,
                patched(module)?
            )));
            match &self.shared_name {
                Some(name) => pieces.push(Piece::Text(name.clone())),
                None => mock_of_time(pieces),
            }
            pieces.push(Piece::Text(self.after_target.to_owned()));
        }
        Ok(())
    }
}

/// `whole` once per module, one per line at its indentation, with
/// `target` (the patch's target) written by `write` for each.
fn repeated(
    pieces: &mut Vec<Piece>,
    whole: Node,
    target_start: usize,
    target_end: usize,
    source: &str,
    write: impl Fn(&mut Vec<Piece>, bool, &ModuleUnderTest) -> Result<(), String>,
    modules: &[ModuleUnderTest],
) -> Result<(), String> {
    let indent = indentation(whole, source).ok_or("the mock shares its line with other code")?;
    let before = &source[whole.start_byte()..target_start];
    let after = &source[target_end..whole.end_byte()];
    for (i, module) in modules.iter().enumerate() {
        let lead = if i == 0 {
            String::new()
        } else {
            format!("\n{indent}")
        };
        pieces.push(Piece::Text(format!("{lead}{before}")));
        write(pieces, i == 0, module)?;
        pieces.push(Piece::Text(after.to_owned()));
    }
    Ok(())
}

/// The indentation of `node`'s line, when nothing comes before it there.
fn indentation<'s>(node: Node, source: &'s str) -> Option<&'s str> {
    let indent = &source[line_start(source, node.start_byte())..node.start_byte()];
    indent.chars().all(char::is_whitespace).then_some(indent)
}

/// Whether the module binds `mock` at its top level to mock's module.
fn names_mock(root: Node, source: &str) -> bool {
    named_children(root).into_iter().any(|statement| {
        matches!(
            imported(statement, source),
            Imported::Clauses(clauses) if clauses.iter().any(|c| {
                c.name == "mock" && matches!(c.target.as_str(), "unittest.mock" | "mock")
            })
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn fit(source: &str) -> Result<(), String> {
        let tree = parse(source);
        fits(tree.root_node(), source, "time", "sleep")
    }

    #[test]
    fn a_module_fits_when_it_only_calls_time_s_other_functions() {
        let calls = "import time\n\nimport eventlet\n\n\ndef f(timeout):\n    \
                     start = time.monotonic()\n    eventlet.sleep(1)\n    \
                     return time.time() - start, x.time, g(time=1)\n";
        assert_eq!(fit(calls), Ok(()));
        assert_eq!(
            fit("import os, time\n\n\ndef f():\n    time.time()\n"),
            Ok(())
        );
        for (source, why) in [
            (
                "import time\n\n\ndef f():\n    time.sleep(1)\n",
                "calls time.sleep itself",
            ),
            (
                "import time\n\n\ndef f():\n    return time\n",
                "reads time other than",
            ),
            (
                "import time\n\nNOW = time.struct_time\n",
                "reads time other than",
            ),
            (
                "def f():\n    import time\n    time.time()\n",
                "inside a block",
            ),
            (
                "import time as _time\n\n\ndef f():\n    _time.time()\n",
                "otherwise than",
            ),
            ("from time import monotonic\n", "otherwise than"),
        ] {
            let got = fit(source);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(why)),
                "{source}: {got:?}"
            );
        }
    }
}
