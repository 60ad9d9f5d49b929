//! Which programs may run a line inside a function. A program that imports
//! a file runs its module-level code, but a function of it only when code
//! the program runs may call it: glance's cache prefetcher imports the WSGI
//! module, whose socket functions only the API server calls. A rewrite of
//! such a line is decided by the programs that may run it (whether each is
//! monkey-patched, whether green threads run in it, whether its tests mock
//! what the line calls); whether green threads
//! run in a program stays judged by all it imports, since a library the
//! project hands work to may start them (oslo.service's thread groups).
//!
//! Calls are found by names, from each line back to what may call it: a
//! top-level function or class is called only from code that mentions its
//! name (a call, an attribute `x.name`, whatever the name is bound to; not
//! a class it catches, nor one it tests for with `isinstance`, which runs
//! only a `__subclasshook__`) in its own file or in one that imports it, or
//! a package that does; a module-level `from m import name as alias` passes
//! it on to the code that mentions `alias` (nova's test fixtures package
//! imports its libvirt fixture, which only the libvirt tests name), or from
//! a string holding a dotted path in any file (code loaded by name) that
//! names it right after its module's path (`'pkg.mod.Name'`,
//! `'pkg.mod:name'`) or after a module that imports its file (a star
//! import); what a mock replaces is loaded by no one. That code is run by a
//! program when it is module-level code of a file the program imports, or a
//! decorated definition there (a registry received it), or a definition
//! named in a non-Python file (an entry point, a paste factory), or any
//! definition of a program's entry files (a test module's tests, a script's
//! functions); else by whatever may call it in turn. A class is one unit
//! with its methods.
//!
//! Left out, as they cannot be seen by name: a function reached by
//! `getattr` with a computed name, or through `globals()`.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use super::modules::ModuleGraph;
use crate::python::outline::{Mention, Outline, name_key};

/// What may lead to a line inside a definition (module-level code runs
/// in every program that imports its file).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Leads {
    /// Files whose import runs code that may lead to the line.
    at_import: Vec<usize>,
    /// Files holding a definition that may lead to the line: programs
    /// that run every function of their entry files start there.
    in_definitions: Vec<usize>,
}

/// For some uses of the project (by file and byte offset), which programs
/// may run their lines.
#[derive(Debug, Default)]
pub struct CallReach {
    /// Per use inside a definition, the index of what leads to the
    /// definition (its unit: uses of one definition share it).
    units: HashMap<(usize, usize), usize>,
    leads: Vec<Leads>,
    /// Per mock made by a `with` block (its file and byte offset), the
    /// sites (file, byte offset) the block may run.
    blocks: HashMap<(usize, usize), Vec<(usize, usize)>>,
}

/// A `with` block that mocks a name while it runs: the mock's file and
/// byte offset, the byte range of the code the block may run itself (its
/// enclosing definition: closures and stubs defined there run through
/// what it calls), and the keys of the words of the function it is in
/// (what it calls may have been made there before it).
#[derive(Debug, Clone)]
pub struct MockBlock {
    pub file: usize,
    pub at: usize,
    pub own_code: std::ops::Range<usize>,
    pub words: Vec<u64>,
}

/// A definition: its file and its index in the file's outline.
type Definition = (usize, usize);

impl CallReach {
    /// What may lead to each of `sites` (file, byte offset, line), in the
    /// files of `graph` whose outlines are `outlines`; `named_outside`
    /// holds the words of the project's non-Python files.
    /// `blocks`: the mocks made by `with` blocks, whose sites are found
    /// forward from what each block mentions.
    pub fn find(
        sites: &[(usize, usize, usize)],
        blocks: &[MockBlock],
        graph: &ModuleGraph,
        outlines: &[Outline],
        named_outside: &HashSet<String>,
    ) -> CallReach {
        let search = Search {
            outlines,
            mentions: mentions_of_definitions(outlines),
            importers: Importers::new(graph),
            named_outside,
        };
        // Built only when some block is followed: most runs have none.
        let by_key = match blocks.is_empty() {
            true => HashMap::new(),
            false => definitions_by_key(outlines),
        };
        let blocks = blocks
            .iter()
            .map(|block| {
                let reached = search.forward(&by_key, block.file, &block.words);
                let runs = sites
                    .iter()
                    .filter(|&&(file, offset, line)| {
                        (file == block.file && block.own_code.contains(&offset))
                            || outlines[file]
                                .owner_of(line)
                                .is_some_and(|owner| reached.contains(&(file, owner)))
                    })
                    .map(|&(file, offset, _)| (file, offset))
                    .collect();
                ((block.file, block.at), runs)
            })
            .collect();
        let mut by_definition: HashMap<Definition, usize> = HashMap::new();
        let mut leads = Vec::new();
        let mut units = HashMap::new();
        for &(file, offset, line) in sites {
            // Module-level code runs anywhere the file is imported.
            let Some(index) = outlines[file].owner_of(line) else {
                continue;
            };
            let unit = *by_definition.entry((file, index)).or_insert_with(|| {
                leads.push(search.leads((file, index)));
                leads.len() - 1
            });
            units.insert((file, offset), unit);
        }
        CallReach {
            units,
            leads,
            blocks,
        }
    }

    /// The sites a mock's `with` block may run, for a mock made by one.
    pub fn block_runs(&self, file: usize, at: usize) -> Option<&[(usize, usize)]> {
        self.blocks.get(&(file, at)).map(Vec::as_slice)
    }

    /// The unit of the use at `offset` in `file`: uses with the same unit
    /// run in the same programs. `None` for module-level code, which runs
    /// wherever the file is imported.
    pub fn unit(&self, file: usize, offset: usize) -> Option<usize> {
        self.units.get(&(file, offset)).copied()
    }

    /// Whether a program may run the line of the use at `offset` in
    /// `file` (which it imports): `reached`, the files it imports (sorted);
    /// `entries`, the files whose every function it may run;
    /// `any_function`, an unknown user of a library, who may call any of
    /// them.
    pub fn may_run(
        &self,
        reached: &[usize],
        entries: &[usize],
        any_function: bool,
        file: usize,
        offset: usize,
    ) -> bool {
        self.unit(file, offset)
            .is_none_or(|unit| self.unit_runs(unit, reached, entries, any_function))
    }

    /// Whether a program (as for `may_run`) may run the uses of `unit`.
    pub fn unit_runs(
        &self,
        unit: usize,
        reached: &[usize],
        entries: &[usize],
        any_function: bool,
    ) -> bool {
        let leads = &self.leads[unit];
        any_function
            || leads
                .at_import
                .iter()
                .any(|f| reached.binary_search(f).is_ok())
            || leads.in_definitions.iter().any(|f| entries.contains(f))
    }
}

/// Per name of a definition of the project (by key), the lines that
/// mention it, as (file, mention).
fn mentions_of_definitions(outlines: &[Outline]) -> HashMap<u64, Vec<(usize, Mention)>> {
    let mut mentions: HashMap<u64, Vec<(usize, Mention)>> = outlines
        .iter()
        .flat_map(|o| o.defs.iter().map(|d| (name_key(&d.name), Vec::new())))
        .collect();
    for (file, outline) in outlines.iter().enumerate() {
        for (key, mention) in outline.mentions() {
            if let Some(list) = mentions.get_mut(key) {
                list.push((file, *mention));
            }
        }
    }
    mentions
}

/// Per name (by key), the definitions of the project so named.
fn definitions_by_key(outlines: &[Outline]) -> HashMap<u64, Vec<Definition>> {
    let mut by_key: HashMap<u64, Vec<Definition>> = HashMap::new();
    for (file, outline) in outlines.iter().enumerate() {
        for (index, def) in outline.defs.iter().enumerate() {
            by_key
                .entry(name_key(&def.name))
                .or_default()
                .push((file, index));
        }
    }
    by_key
}

/// What the search for callers reads.
struct Search<'a> {
    outlines: &'a [Outline],
    mentions: HashMap<u64, Vec<(usize, Mention)>>,
    importers: Importers<'a>,
    named_outside: &'a HashSet<String>,
}

impl Search<'_> {
    /// What may lead to `start`: the code that mentions it, and what
    /// mentions that code in turn.
    fn leads(&self, start: Definition) -> Leads {
        let mut at_import = HashSet::new();
        let mut in_definitions = HashSet::new();
        let mut seen = HashSet::from([start]);
        let mut queue = vec![start];
        while let Some((file, index)) = queue.pop() {
            in_definitions.insert(file);
            let def = &self.outlines[file].defs[index];
            if def.decorated || self.named_outside.contains(&def.name) {
                at_import.insert(file);
            }
            for &(caller_file, mention) in self
                .mentions
                .get(&name_key(&def.name))
                .into_iter()
                .flatten()
            {
                if !self.runs((file, index), caller_file, mention) {
                    continue;
                }
                match mention.owner {
                    None => {
                        at_import.insert(caller_file);
                    }
                    Some(caller) => {
                        if seen.insert((caller_file, caller)) {
                            queue.push((caller_file, caller));
                        }
                    }
                }
            }
        }
        let sorted = |set: HashSet<usize>| {
            let mut list: Vec<usize> = set.into_iter().collect();
            list.sort_unstable();
            list
        };
        Leads {
            at_import: sorted(at_import),
            in_definitions: sorted(in_definitions),
        }
    }

    /// The definitions code of `file` that mentions `words` may run: those
    /// its words name (by the rules `leads` follows backward), and what
    /// their code names in turn.
    fn forward(
        &self,
        by_key: &HashMap<u64, Vec<Definition>>,
        file: usize,
        words: &[u64],
    ) -> HashSet<Definition> {
        let mut reached = HashSet::new();
        let mut queue = Vec::new();
        let plain = Mention {
            owner: None,
            by_path: false,
            module: None,
            type_tested: false,
        };
        let mut name = |caller: usize, key: u64, mention: Mention, queue: &mut Vec<Definition>| {
            for &def in by_key.get(&key).into_iter().flatten() {
                if self.runs(def, caller, mention) && reached.insert(def) {
                    queue.push(def);
                }
            }
        };
        // Objects made at import (a module-level fake) may be used there too.
        let at_import = self.outlines[file]
            .mentions()
            .iter()
            .filter(|(_, m)| m.owner.is_none())
            .map(|(key, _)| *key);
        for key in words.iter().copied().chain(at_import) {
            name(file, key, plain, &mut queue);
        }
        while let Some((def_file, index)) = queue.pop() {
            for &(key, mention) in self.outlines[def_file].mentions() {
                if mention.owner == Some(index) {
                    name(def_file, key, mention, &mut queue);
                }
            }
        }
        reached
    }

    /// Whether `mention`, in `caller_file`, may run definition `def` of its
    /// name: code names a function of another file through an import, a
    /// dotted path through its module's path; an isinstance() test runs
    /// only a class's `__subclasshook__`.
    fn runs(&self, (file, index): Definition, caller_file: usize, mention: Mention) -> bool {
        let named = match mention.by_path {
            true => self.path_names_module(caller_file, mention, file),
            false => self.importers.importing(file).contains(&caller_file),
        };
        named && (!mention.type_tested || self.outlines[file].defs[index].hooks_type_tests)
    }

    /// Whether a dotted path of `caller_file` names its name in the module
    /// of `file`: its path before the name is the module's, or ends with it
    /// (a package above the project's folders), or the module the path
    /// leads to imports that file, and so may pass the name on (`from
    /// .logger import *`, `'pkg.api:drivers.Driver'`).
    fn path_names_module(&self, caller_file: usize, mention: Mention, file: usize) -> bool {
        let Some(index) = mention.module else {
            return true;
        };
        let path = &self.outlines[caller_file].modules[index as usize];
        let module = &self.importers.graph.names[file];
        let own = path
            .strip_suffix(module.as_str())
            .is_some_and(|above| above.is_empty() || above.ends_with('.'));
        own || {
            let importing = self.importers.importing(file);
            let reached = self.importers.graph.deepest_module(path);
            reached.iter().any(|f| importing.contains(f))
        }
    }
}

/// The files that import each file, found when first asked.
struct Importers<'a> {
    graph: &'a ModuleGraph,
    /// Per file, the files that import it directly.
    direct: Vec<Vec<usize>>,
    importing: Vec<OnceLock<HashSet<usize>>>,
}

impl<'a> Importers<'a> {
    fn new(graph: &'a ModuleGraph) -> Importers<'a> {
        let mut direct: Vec<Vec<usize>> = vec![Vec::new(); graph.edges.len()];
        for (from, edges) in graph.edges.iter().enumerate() {
            for &to in edges.at_import.iter().chain(&edges.later) {
                direct[to].push(from);
            }
        }
        Importers {
            graph,
            importing: (0..direct.len()).map(|_| OnceLock::new()).collect(),
            direct,
        }
    }

    /// `file` and the files that import it. A file a package's
    /// `__init__.py` imports counts as imported by the package's importers
    /// too: `import pkg` then `pkg.mod.name`, or a name the package passes
    /// on.
    fn importing(&self, file: usize) -> &HashSet<usize> {
        self.importing[file].get_or_init(|| {
            let mut importing = HashSet::from([file]);
            let mut queue = vec![file];
            while let Some(f) = queue.pop() {
                for &from in &self.direct[f] {
                    if importing.insert(from) && self.graph.is_package(from) {
                        queue.push(from);
                    }
                }
            }
            importing
        })
    }
}

/// The words of non-Python files that may name a function or class to
/// load (entry points in `setup.cfg`, paste factories in `.ini` files).
pub fn words_of(texts: impl Iterator<Item = String>) -> HashSet<String> {
    let mut words = HashSet::new();
    for text in texts {
        for word in text.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !word.is_empty() {
                words.insert(word.to_owned());
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::python::import_scan::{ImportScan, scan};

    /// A program: the files it imports and its entry files.
    struct Run(Vec<usize>, Vec<usize>);

    impl Run {
        fn may_run(&self, reach: &CallReach, file: usize, line: usize) -> bool {
            reach.may_run(&self.0, &self.1, false, file, line)
        }
    }

    // The module whose pool only `serve` starts; the API command, which
    // calls it; the manage command, which imports it for a helper; a
    // worker started by a decorated handler; a module that names `serve`
    // without importing the first.
    const FILES: [(&str, &str); 5] = [
        (
            "wsgi.py",
            "import eventlet\n\ndef serve():\n    Pool().spawn(work)\n\nclass Pool:\n    \
             def spawn(self, f):\n        eventlet.spawn(f)\n\ndef helper():\n    return 1\n\n\
             POOL_SIZE = 4\n",
        ),
        ("api.py", "import wsgi\n\ndef main():\n    wsgi.serve()\n"),
        (
            "manage.py",
            "import wsgi\n\ndef main():\n    wsgi.helper()\n",
        ),
        (
            "hooks.py",
            "@hook\ndef on_event():\n    start_worker()\n\ndef start_worker():\n    \
             eventlet.spawn(run)\n",
        ),
        ("other.py", "def serve():\n    pass\n\nserve()\n"),
    ];

    /// Each site is named by its line (as its offset too).
    fn reach(sites: &[(usize, usize)], outside: &[&str]) -> CallReach {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = FILES.iter().map(|(p, _)| dir.path().join(p)).collect();
        let scans: Vec<ImportScan> = FILES.iter().map(|(_, t)| scan(t)).collect();
        let pairs: Vec<(&Path, &ImportScan)> =
            paths.iter().map(PathBuf::as_path).zip(&scans).collect();
        let graph = ModuleGraph::build(dir.path(), &pairs);
        let outside = outside.iter().map(|w| w.to_string()).collect();
        let outlines: Vec<Outline> = FILES.iter().map(|(_, t)| Outline::of(t)).collect();
        let sites: Vec<(usize, usize, usize)> = sites.iter().map(|&(f, l)| (f, l, l)).collect();
        CallReach::find(&sites, &[], &graph, &outlines, &outside)
    }

    #[test]
    fn a_function_runs_only_in_programs_whose_code_may_call_it() {
        // The spawn in Pool.spawn (line 8), reached through serve(); the
        // `serve()` of a file that does not import it is another function.
        let found = reach(&[(0, 8), (0, 13)], &[]);
        let api = Run(vec![0, 1], vec![1]);
        let manage = Run(vec![0, 2, 4], vec![2]);
        assert!(api.may_run(&found, 0, 8));
        assert!(!manage.may_run(&found, 0, 8));
        // Module-level code runs in every importer.
        assert!(manage.may_run(&found, 0, 13));
        // A library's unknown users may call anything.
        assert!(found.may_run(&[0], &[], true, 0, 8));
    }

    #[test]
    fn decorated_and_externally_named_definitions_run_at_import() {
        let decorated = reach(&[(3, 6)], &[]);
        assert!(Run(vec![3], vec![]).may_run(&decorated, 3, 6));
        let named = reach(&[(0, 8)], &["serve"]);
        assert!(Run(vec![0, 2], vec![2]).may_run(&named, 0, 8));
    }

    /// What may lead to the site at `line` of file `site` (its offset
    /// too), in a tree of `files` written out.
    fn reach_in(files: &[(&str, &str)], site: usize, line: usize) -> CallReach {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| dir.path().join(p)).collect();
        let scans: Vec<ImportScan> = files.iter().map(|(_, t)| scan(t)).collect();
        let pairs: Vec<(&Path, &ImportScan)> =
            paths.iter().map(PathBuf::as_path).zip(&scans).collect();
        let graph = ModuleGraph::build(dir.path(), &pairs);
        let outlines: Vec<Outline> = files.iter().map(|(_, t)| Outline::of(t)).collect();
        CallReach::find(
            &[(site, line, line)],
            &[],
            &graph,
            &outlines,
            &HashSet::new(),
        )
    }

    #[test]
    fn a_package_passes_on_what_it_imports() {
        let found = reach_in(
            &[
                ("pkg/__init__.py", "from pkg import wsgi  # noqa\n"),
                (
                    "pkg/wsgi.py",
                    "import eventlet\n\n\ndef serve():\n    eventlet.spawn(run)\n",
                ),
                (
                    "api.py",
                    "import pkg\n\n\ndef main():\n    pkg.wsgi.serve()\n",
                ),
            ],
            1,
            5,
        );
        // api.py imports only the package, which imports the module.
        assert!(Run(vec![0, 1, 2], vec![2]).may_run(&found, 1, 5));
        assert!(!Run(vec![0, 1], vec![0]).may_run(&found, 1, 5));
    }

    #[test]
    fn a_dotted_path_names_a_definition_only_in_its_module() {
        let files = [
            (
                "app/cmd.py",
                "import eventlet\n\n\ndef main():\n    eventlet.spawn(run)\n",
            ),
            ("app/__init__.py", ""),
            // A path through another module's `main`, and a mock's target.
            (
                "test_db.py",
                "X = 'app.db.main.api.get'\n\n\ndef test_x():\n    \
                 mock.patch('app.cmd.main')\n",
            ),
            ("test_cli.py", "LOADED = 'app.cmd:main'\n"),
            ("test_any.py", "TEMPLATE = 'app.%s.main'\n"),
        ];
        let found = reach_in(&files, 0, 5);
        assert!(!Run(vec![0, 1, 2], vec![2]).may_run(&found, 0, 5));
        assert!(Run(vec![0, 1, 3], vec![3]).may_run(&found, 0, 5));
        assert!(Run(vec![0, 1, 4], vec![4]).may_run(&found, 0, 5));
    }

    #[test]
    fn a_dotted_path_through_a_module_that_passes_the_name_on() {
        let files = [
            (
                "app/drivers/cli.py",
                "import eventlet\n\n\nclass Client:\n    def run(self):\n        \
                 eventlet.spawn(run)\n",
            ),
            ("app/__init__.py", "from app.drivers.cli import *  # noqa\n"),
            ("app/drivers/__init__.py", ""),
            // Split over literals, relative, through a star import, through
            // an attribute of a module that imports it.
            (
                "split.py",
                "X = load('app.drivers.'\n         'cli.Client')\n",
            ),
            ("relative.py", "X = load('.cli.Client', 'app.drivers')\n"),
            ("star.py", "X = load('app.Client')\n"),
            ("api.py", "from app.drivers import cli\n"),
            ("attribute.py", "X = load('api:cli.Client')\n"),
            ("other.py", "X = load('app.drivers.Client')\n"),
        ];
        let found = reach_in(&files, 0, 6);
        for (entry, runs) in [(3, true), (4, true), (5, true), (7, true), (8, false)] {
            let program = Run(vec![entry], vec![entry]);
            assert_eq!(program.may_run(&found, 0, 6), runs, "{}", files[entry].0);
        }
    }

    #[test]
    fn an_isinstance_test_runs_only_a_subclass_hook() {
        let files = [
            (
                "iface.py",
                "import eventlet\n\n\nclass Hooked(metaclass=abc.ABCMeta):\n    \
                 @classmethod\n    def __subclasshook__(cls, other):\n        \
                 eventlet.sleep(0)\n\n\nclass Plain:\n    def run(self):\n        \
                 eventlet.sleep(0)\n",
            ),
            (
                "user.py",
                "import iface\n\n\ndef check(x):\n    \
                 return isinstance(x, (iface.Hooked, iface.Plain))\n",
            ),
        ];
        let user = Run(vec![0, 1], vec![1]);
        assert!(user.may_run(&reach_in(&files, 0, 7), 0, 7));
        assert!(!user.may_run(&reach_in(&files, 0, 12), 0, 12));
    }

    #[test]
    fn a_name_an_import_passes_on_runs_only_where_it_is_mentioned() {
        // nova's `nova.tests.fixtures` imports its libvirt fixture for the
        // libvirt tests; the other tests import the package and never
        // name it.
        let found = reach_in(
            &[
                ("pkg/__init__.py", "from pkg.fixtures import Fixture\n"),
                (
                    "pkg/fixtures.py",
                    "import eventlet\n\n\nclass Fixture:\n    def setUp(self):\n        \
                     eventlet.spawn(run)\n",
                ),
                (
                    "test_a.py",
                    "import pkg\n\n\ndef test_a():\n    pkg.Fixture().setUp()\n",
                ),
                ("test_b.py", "import pkg\n\n\ndef test_b():\n    pass\n"),
                // Passed on again, by a plain module.
                ("helpers.py", "from pkg import Fixture as Base\n"),
                (
                    "test_c.py",
                    "import helpers\n\n\ndef test_c():\n    helpers.Base()\n",
                ),
            ],
            1,
            6,
        );
        assert!(Run(vec![0, 1, 2], vec![2]).may_run(&found, 1, 6));
        assert!(!Run(vec![0, 1, 3], vec![3]).may_run(&found, 1, 6));
        assert!(Run(vec![0, 1, 4, 5], vec![5]).may_run(&found, 1, 6));
    }
}
