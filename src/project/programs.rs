//! The programs that run a project's code, and what each reaches.
//!
//! - an entry point declared in `setup.cfg` or `pyproject.toml`
//!   (`console_scripts`, `gui_scripts`, `wsgi_scripts`);
//! - a script: a module with an `if __name__ == "__main__":` block, run
//!   by its path (importing none of its packages) or with `python -m`;
//! - a test run: each test module (`test_*.py`, `*_test.py`), with the
//!   `conftest.py` files above it, as a test runner may load it alone (its
//!   functions run only if it defines a test);
//! - for a library (no declared entry point monkey-patches), an unknown
//!   program that imports any one of its non-test modules first.
//!
//! A program reaches every file its imports lead to, at import time or
//! inside functions (what it may run). The `monkey_patch()` calls it makes
//! are those of its entry files (whose functions it runs; not for an
//! importer) and those that run when a file is imported at start (at
//! module level, or in a function called there), following module-level
//! imports only.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::modules::{ModuleGraph, lexical};
use super::setup_cfg;
use crate::python::import_scan::ResolverChoice;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramKind {
    EntryPoint,
    Script,
    Test,
    /// A program that starts by importing one module: an unknown user of
    /// a library, or in a tree without packaging any module run alone.
    Importer,
}

#[derive(Debug, Clone)]
pub struct Program {
    pub kind: ProgramKind,
    /// How a reason names it: `console script nova-compute`.
    pub name: String,
    /// The files it may run (indices among the project's files), among
    /// those the caller asked about.
    pub reaches: Vec<usize>,
    /// Every file it imports, sorted.
    pub reached: Arc<[usize]>,
    /// The files it starts with, whose every function it may run (a test
    /// module, a script, a command's module, the module an importer
    /// imports).
    pub entries: Arc<[usize]>,
    /// The `monkey_patch()` calls it makes: (file, index of the call among
    /// the file's calls, made by one test only).
    pub patches: Vec<(usize, usize, bool)>,
    /// Its entry files turn greendns off before anything may load eventlet
    /// (cinder's `os.environ['EVENTLET_NO_GREENDNS'] = 'yes'`): its green
    /// socket looks names up with the system resolver, as the stdlib one.
    pub greendns_off: bool,
}

/// What the programs need to know of one file.
pub struct FileInfo<'a> {
    pub path: &'a Path,
    pub main_guard: bool,
    /// It defines a test (a function or method named `test...`).
    pub defines_tests: bool,
    /// Whether its facts matter (it mentions eventlet).
    pub relevant: bool,
    /// Its `monkey_patch()` calls: whether each runs when the file is
    /// imported.
    pub calls_at_import: Vec<bool>,
    pub resolver_choice: ResolverChoice,
}

/// A declared entry point: its kind and name, and the module it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    pub group: String,
    pub name: String,
    pub module: String,
}

pub struct Programs {
    pub programs: Vec<Program>,
    /// A packaged project none of whose declared entry points
    /// monkey-patches: its modules run in programs it does not know.
    pub library: bool,
}

/// The programs of the project at `root`, whose files are `files` (with
/// `graph` their imports).
pub fn find(root: &Path, files: &[FileInfo], graph: &ModuleGraph) -> Programs {
    let mut walker = Walker::new(files, graph);
    let mut programs = Vec::new();
    for entry in entry_points(root) {
        let entries = graph.with_parents(&entry.module);
        if entries.is_empty() {
            continue;
        }
        programs.push(walker.program(
            ProgramKind::EntryPoint,
            format!(
                "{} {} ({})",
                entry.group.replace('_', " ").trim_end_matches('s'),
                entry.name,
                entry.module
            ),
            &entries,
        ));
    }
    // A packaged project whose entry points never patch is a library; in
    // a tree without packaging, each module may be a program of its own.
    let packaged = PACKAGING.iter().any(|f| root.join(f).is_file());
    let library = packaged && !programs.iter().any(|p| !p.patches.is_empty());
    // Without packaging, the modules no other module imports are the
    // programs (scripts run alone), and the rest run in them.
    let mut imported = vec![false; files.len()];
    for (from, edges) in graph.edges.iter().enumerate() {
        for &to in edges.at_import.iter().chain(&edges.later) {
            if to != from {
                imported[to] = true;
            }
        }
    }
    let root_folder = lexical(root);
    let conftests: HashMap<PathBuf, usize> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| file_name(f.path) == "conftest.py")
        .filter_map(|(i, f)| Some((lexical(f.path).parent()?.to_path_buf(), i)))
        .collect();
    for (i, file) in files.iter().enumerate() {
        let shown = shown_path(root, file.path);
        if is_test_module(file.path) {
            let mut entries = graph.with_parents(&graph.names[i]);
            entries.push(i);
            // pytest loads the conftest.py of every folder down to the test.
            entries.extend(
                lexical(file.path)
                    .ancestors()
                    .skip(1)
                    .take_while(|dir| dir.starts_with(&root_folder))
                    .filter_map(|dir| conftests.get(dir)),
            );
            let mut program = walker.program(
                ProgramKind::Test,
                format!("the test module {shown} run alone"),
                &entries,
            );
            // A module named so that defines no test (heat's TestResource
            // plugin) runs only what importing it runs.
            if !file.defines_tests {
                program.entries = entries.iter().copied().filter(|&f| f != i).collect();
            }
            programs.push(program);
        } else if file.main_guard {
            // Run by its path, a script imports none of its packages (a
            // test's helper in a `bin` folder, whose tests package
            // monkey-patches); run with `python -m`, each of them.
            let mut packages = graph.with_parents(&graph.names[i]);
            packages.retain(|&f| f != i);
            let by_path = if packages.is_empty() {
                ""
            } else {
                " run by its path"
            };
            let name = format!("the script {shown}{by_path}");
            programs.push(walker.program(ProgramKind::Script, name, &[i]));
            if !packages.is_empty() {
                packages.push(i);
                let name = format!("the script {shown} run with python -m");
                programs.push(walker.program(ProgramKind::Script, name, &packages));
            }
        }
        let starts_a_program = library || (!packaged && !imported[i]);
        if starts_a_program && !is_test_code(root, file.path) {
            let mut entries = graph.with_parents(&graph.names[i]);
            entries.push(i);
            let name = if library {
                format!("a program that imports {shown} (a library's module)")
            } else {
                format!("a program that starts with {shown}")
            };
            let program = walker.program(ProgramKind::Importer, name, &entries);
            // Only where it can tell something: it runs code that matters.
            if !program.reaches.is_empty() {
                programs.push(program);
            }
        }
    }
    Programs { programs, library }
}

/// Breadth-first walks over the graph, reusing one visited list.
struct Walker<'a> {
    files: &'a [FileInfo<'a>],
    graph: &'a ModuleGraph,
    seen: Vec<u32>,
    round: u32,
}

impl<'a> Walker<'a> {
    fn new(files: &'a [FileInfo<'a>], graph: &'a ModuleGraph) -> Self {
        Walker {
            files,
            graph,
            seen: vec![0; files.len()],
            round: 0,
        }
    }

    fn program(&mut self, kind: ProgramKind, name: String, entries: &[usize]) -> Program {
        let reached = self.walk(entries, true);
        let reaches = reached
            .iter()
            .copied()
            .filter(|f| self.files[*f].relevant)
            .collect();
        // An importer runs what importing runs; the other programs run
        // their entry files' functions too (main, the tests). A call in a
        // test is made by that test only (swift's test_monkey_patch): it
        // may patch the process for the tests after it, but none of the
        // others can count on it.
        let runs_entries = kind != ProgramKind::Importer;
        let mut patches = Vec::new();
        for file in self.walk(entries, false) {
            let entry = runs_entries && entries.contains(&file);
            for (call, at_import) in self.files[file].calls_at_import.iter().enumerate() {
                if entry || *at_import {
                    let one_test = kind == ProgramKind::Test && !at_import;
                    patches.push((file, call, one_test));
                }
            }
        }
        Program {
            kind,
            name,
            reaches,
            reached: reached.into(),
            entries: entries.into(),
            patches,
            greendns_off: self.turns_greendns_off(entries),
        }
    }

    /// The first of `entries` to choose eventlet's resolver, in the order
    /// they are imported (pytest's conftest.py files before the rest, a
    /// package before its modules), turns greendns off.
    fn turns_greendns_off(&self, entries: &[usize]) -> bool {
        let (conftests, modules): (Vec<usize>, Vec<usize>) = entries
            .iter()
            .partition(|&&f| file_name(self.files[f].path) == "conftest.py");
        conftests
            .iter()
            .chain(&modules)
            .map(|&f| self.files[f].resolver_choice)
            .find(|choice| *choice != ResolverChoice::Leaves)
            == Some(ResolverChoice::TurnsGreendnsOff)
    }

    /// The files reached from `entries`, sorted: through every import, or
    /// through those that run at import only.
    fn walk(&mut self, entries: &[usize], later_too: bool) -> Vec<usize> {
        self.round += 1;
        let mut queue: Vec<usize> = Vec::new();
        for &e in entries {
            if self.seen[e] != self.round {
                self.seen[e] = self.round;
                queue.push(e);
            }
        }
        let mut next = 0;
        while next < queue.len() {
            let file = queue[next];
            next += 1;
            let edges = &self.graph.edges[file];
            let later: &[usize] = if later_too { &edges.later } else { &[] };
            for &to in edges.at_import.iter().chain(later) {
                if self.seen[to] != self.round {
                    self.seen[to] = self.round;
                    queue.push(to);
                }
            }
        }
        queue.sort_unstable();
        queue
    }
}

fn shown_path(root: &Path, path: &Path) -> String {
    let (root, full) = (lexical(root), lexical(path));
    match full.strip_prefix(&root) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}

/// A module a test runner loads: `test_*.py` or `*_test.py`.
pub fn is_test_module(path: &Path) -> bool {
    let name = file_name(path);
    name.ends_with(".py")
        && (name.starts_with("test_") || name.ends_with("_test.py") || name.ends_with("_tests.py"))
}

/// A test module whose name says it tests eventlet
/// (`test_functional_eventlet.py`, `test_eventletutils.py`).
pub fn is_named_for_eventlet_test(path: &Path) -> bool {
    is_test_module(path) && file_name(path).contains("eventlet")
}

/// Test code: a test module, or anything in a `tests`/`test` folder.
pub fn is_test_code(root: &Path, path: &Path) -> bool {
    let (root, full) = (lexical(root), lexical(path));
    is_test_module(path)
        || full
            .strip_prefix(&root)
            .unwrap_or(&full)
            .components()
            .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "test")))
}

/// The entry points `setup.cfg` and `pyproject.toml` declare.
pub fn entry_points(root: &Path) -> Vec<EntryPoint> {
    let mut found = Vec::new();
    if let Ok(text) = std::fs::read_to_string(root.join("setup.cfg")) {
        found.extend(setup_cfg_entry_points(&text));
    }
    if let Ok(text) = std::fs::read_to_string(root.join("pyproject.toml")) {
        found.extend(pyproject_entry_points(&text));
    }
    found
}

const GROUPS: &[&str] = &["console_scripts", "gui_scripts", "wsgi_scripts"];
/// The files that make a folder a packaged project.
const PACKAGING: &[&str] = &["setup.cfg", "pyproject.toml", "setup.py"];

fn entry(group: &str, name: &str, target: &str) -> Option<EntryPoint> {
    let module = target.split(':').next()?.trim();
    (!module.is_empty() && !name.trim().is_empty()).then(|| EntryPoint {
        group: group.to_owned(),
        name: name.trim().to_owned(),
        module: module.to_owned(),
    })
}

/// `[entry_points]` (pbr) or `[options.entry_points]` (setuptools):
/// `console_scripts =` followed by indented `name = module:function` lines.
fn setup_cfg_entry_points(text: &str) -> Vec<EntryPoint> {
    setup_cfg::entries(text)
        .into_iter()
        .filter(|e| matches!(e.section, "entry_points" | "options.entry_points"))
        .filter(|e| GROUPS.contains(&e.key))
        .flat_map(|e| {
            e.lines
                .into_iter()
                .filter_map(|line| line.split_once('='))
                .filter_map(move |(name, target)| entry(e.key, name, target))
        })
        .collect()
}

/// `[project.scripts]`, `[project.gui-scripts]` and
/// `[project.entry-points.wsgi_scripts]`.
fn pyproject_entry_points(text: &str) -> Vec<EntryPoint> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(project) = doc.get("project").and_then(|p| p.as_table()) else {
        return Vec::new();
    };
    let mut tables: Vec<(&str, &toml::Table)> = Vec::new();
    for (key, group) in [
        ("scripts", "console_scripts"),
        ("gui-scripts", "gui_scripts"),
    ] {
        if let Some(t) = project.get(key).and_then(|t| t.as_table()) {
            tables.push((group, t));
        }
    }
    if let Some(groups) = project.get("entry-points").and_then(|t| t.as_table()) {
        for group in GROUPS {
            if let Some(t) = groups.get(*group).and_then(|t| t.as_table()) {
                tables.push((group, t));
            }
        }
    }
    tables
        .into_iter()
        .flat_map(|(group, table)| {
            table
                .iter()
                .filter_map(move |(name, target)| entry(group, name, target.as_str()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points_come_from_setup_cfg_and_pyproject() {
        let cfg = "[metadata]\nname = x\n\n[entry_points]\nconsole_scripts =\n    \
                   nova-compute = nova.cmd.compute:main\n    nova-api = nova.cmd.api:main\n\
                   oslo.config.opts =\n    nova.conf = nova.conf.opts:list_opts\n\
                   wsgi_scripts =\n    nova-api-wsgi = nova.api.wsgi:init\n";
        let names: Vec<(String, String)> = setup_cfg_entry_points(cfg)
            .into_iter()
            .map(|e| (e.name, e.module))
            .collect();
        assert_eq!(
            names,
            [
                ("nova-compute".to_owned(), "nova.cmd.compute".to_owned()),
                ("nova-api".to_owned(), "nova.cmd.api".to_owned()),
                ("nova-api-wsgi".to_owned(), "nova.api.wsgi".to_owned()),
            ]
        );
        let toml = "[project]\nname = 'x'\n[project.scripts]\ntool = 'pkg.cli:main'\n";
        let found = pyproject_entry_points(toml);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].module, "pkg.cli");
    }

    #[test]
    fn test_modules_and_test_code() {
        let root = Path::new("/p");
        assert!(is_test_module(Path::new("/p/pkg/tests/test_x.py")));
        assert!(is_test_module(Path::new("/p/x_test.py")));
        assert!(!is_test_module(Path::new("/p/pkg/tests/base.py")));
        assert!(is_test_code(root, Path::new("/p/pkg/tests/base.py")));
        assert!(!is_test_code(root, Path::new("/p/pkg/testing.py")));
    }
}
