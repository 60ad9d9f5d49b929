//! The project's module graph: each Python file's dotted module name
//! (packages are folders with an `__init__.py`; the folder above the
//! outermost one is its package root, so `src/` layouts and loose scripts
//! work alike), and each import resolved to the files it runs, with the
//! modules its code loads by name (see `python::loaders`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::python::import_scan::{ImportScan, ScannedImport};
use crate::python::loaders::ByName;
use crate::python::syntax::is_identifier_path;

/// An import of one of the project's own packages that names no file.
#[derive(Debug, Clone)]
pub struct Unresolved {
    pub path: PathBuf,
    pub line: usize,
    pub module: String,
}

/// The import edges of one file, to file indices.
#[derive(Debug, Default, Clone)]
pub struct Edges {
    /// Imports that run when the file is imported (module level).
    pub at_import: Vec<usize>,
    /// Imports inside functions, which run when those are called.
    pub later: Vec<usize>,
}

pub struct ModuleGraph {
    /// Each file's dotted module name.
    pub names: Vec<String>,
    pub edges: Vec<Edges>,
    pub unresolved: Vec<Unresolved>,
    by_name: HashMap<String, Vec<usize>>,
    /// The names of the project's packages (folders with `__init__.py`).
    packages: HashSet<String>,
    /// The dotted names of folders that hold modules but no file of their
    /// own (namespace packages, like ovn-octavia-provider's `common`).
    namespaces: HashSet<String>,
}

impl ModuleGraph {
    /// The graph of `files` (each with its scanned imports) of the project
    /// at `root`.
    pub fn build(root: &Path, files: &[(&Path, &ImportScan)]) -> ModuleGraph {
        let names: Vec<String> = files.iter().map(|(p, _)| module_name(p)).collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, ((path, _), name)) in files.iter().zip(&names).enumerate() {
            by_name.entry(name.clone()).or_default().push(i);
            // From the root, folders without `__init__.py` are namespace
            // packages (`from worker import service`).
            if let Some(dotted) = dotted_from(root, path).filter(|d| d != name) {
                by_name.entry(dotted).or_default().push(i);
            }
        }
        let packages = files
            .iter()
            .zip(&names)
            .filter(|((p, _), _)| p.file_name().is_some_and(|n| n == "__init__.py"))
            .map(|(_, name)| name.clone())
            .collect();
        let namespaces = by_name
            .keys()
            .flat_map(|name| name.match_indices('.').map(move |(dot, _)| &name[..dot]))
            .filter(|prefix| !by_name.contains_key(*prefix))
            .map(str::to_owned)
            .collect();
        let mut graph = ModuleGraph {
            names,
            edges: Vec::new(),
            unresolved: Vec::new(),
            by_name,
            packages,
            namespaces,
        };
        let edges: Vec<Edges> = files
            .iter()
            .enumerate()
            .map(|(i, (path, scan))| {
                let mut edges = Edges::default();
                for import in &scan.imports {
                    let module = graph.absolute(i, path, import);
                    let targets = graph.resolve(&module, import);
                    let named =
                        graph.by_name.contains_key(&module) || graph.namespaces.contains(&module);
                    if !named && graph.is_own(&module) {
                        graph.unresolved.push(Unresolved {
                            path: path.to_path_buf(),
                            line: import.line,
                            module,
                        });
                    }
                    let list = if import.in_function {
                        &mut edges.later
                    } else {
                        &mut edges.at_import
                    };
                    list.extend(targets);
                }
                edges.at_import.sort_unstable();
                edges.at_import.dedup();
                edges.later.sort_unstable();
                edges.later.dedup();
                edges
            })
            .collect();
        graph.edges = edges;
        graph
    }

    /// The files named `module` and its parent packages, outermost first
    /// (importing `a.b.c` runs `a` and `a.b` first).
    pub fn with_parents(&self, module: &str) -> Vec<usize> {
        let mut found = Vec::new();
        let mut end = 0;
        while end < module.len() {
            end = module[end..].find('.').map_or(module.len(), |i| end + i);
            if let Some(files) = self.by_name.get(&module[..end]) {
                found.extend(files);
            }
            end += 1;
        }
        found
    }

    /// The files named by the longest leading part of the dotted `path`
    /// that names a module of the project (`pkg.api` of `pkg.api.cli`
    /// where `pkg/api.py` exists).
    pub fn deepest_module(&self, path: &str) -> &[usize] {
        let mut end = path.len();
        loop {
            if let Some(files) = self.by_name.get(&path[..end]) {
                return files;
            }
            match path[..end].rfind('.') {
                Some(dot) => end = dot,
                None => return &[],
            }
        }
    }

    /// Whether the file is a package's `__init__.py`.
    pub fn is_package(&self, file: usize) -> bool {
        self.packages.contains(&self.names[file])
    }

    /// The one file named `module`, if exactly one is.
    pub fn file_named(&self, module: &str) -> Option<usize> {
        match self.by_name.get(module)?.as_slice() {
            [file] => Some(*file),
            _ => None,
        }
    }

    /// Records that `file` imports `module` when one of its functions runs
    /// (as `mock.patch('module.name')` does when the patch starts).
    pub fn add_later_import(&mut self, file: usize, module: &str) {
        let found = self.with_parents(module);
        let later = &mut self.edges[file].later;
        later.extend(found);
        later.sort_unstable();
        later.dedup();
    }

    /// Records what each file (by index, as `by_name`) loads by name, as
    /// imports made when its functions run: the names its loaders are
    /// given as literals, and for a loader given a computed name every
    /// name the project offers it (see `loaders`).
    pub fn add_loaded_by_name(&mut self, by_name: &[ByName]) {
        let defaults: Vec<&String> = by_name.iter().flat_map(|b| &b.option_defaults).collect();
        for (file, found) in by_name.iter().enumerate() {
            let computed = found
                .loads_computed
                .then(|| defaults.iter().copied().chain(&found.own_paths));
            for module in found.loads.iter().chain(computed.into_iter().flatten()) {
                self.add_later_import(file, module);
            }
        }
    }

    /// The dotted module an import names, made absolute.
    fn absolute(&self, file: usize, path: &Path, import: &ScannedImport) -> String {
        if import.level == 0 {
            return import.module.clone();
        }
        let own = &self.names[file];
        let is_package = path.file_name().is_some_and(|n| n == "__init__.py");
        let mut parts: Vec<&str> = own.split('.').collect();
        if !is_package {
            parts.pop();
        }
        for _ in 1..import.level {
            parts.pop();
        }
        let mut base = parts.join(".");
        if !import.module.is_empty() {
            if !base.is_empty() {
                base.push('.');
            }
            base.push_str(&import.module);
        }
        base
    }

    /// The files an import runs: the module and its parents, and for a
    /// from-import each name that is a submodule.
    fn resolve(&self, module: &str, import: &ScannedImport) -> Vec<usize> {
        let mut found = self.with_parents(module);
        for name in &import.names {
            let sub = if module.is_empty() {
                name.clone()
            } else {
                format!("{module}.{name}")
            };
            if let Some(files) = self.by_name.get(&sub) {
                found.extend(files);
            }
        }
        found
    }

    /// Whether a dotted name belongs to one of the project's top-level
    /// packages (so failing to resolve it is worth saying).
    fn is_own(&self, module: &str) -> bool {
        let top = module.split('.').next().unwrap_or_default();
        self.packages.contains(top)
    }
}

/// The dotted name of the module at `path` imported from `root` as a
/// namespace package.
pub fn dotted_from(root: &Path, path: &Path) -> Option<String> {
    let (root, path) = (lexical(root), lexical(path));
    let rel = path.strip_prefix(&root).ok()?.with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "__init__") {
        parts.pop();
    }
    let dotted = parts.join(".");
    is_identifier_path(&dotted).then_some(dotted)
}

/// An absolute path without `.` and `..` components (not resolving links).
pub fn lexical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The dotted name Python gives the module at `path`: its stem, preceded
/// by every enclosing folder that is a package, or a folder right inside
/// one.
pub fn module_name(path: &Path) -> String {
    // The folders above a path given relative to the working folder.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let path = absolute.as_path();
    let mut parts: Vec<String> = Vec::new();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem != "__init__" {
        parts.push(stem);
    }
    let is_package = |folder: &Path| folder.join("__init__.py").is_file();
    let mut dir = path.parent();
    while let Some(folder) = dir {
        // A folder without `__init__.py` right inside a package is a
        // namespace portion of it (`pkg/common/config.py` is
        // `pkg.common.config`).
        let namespace_in_package = || folder.parent().is_some_and(is_package);
        if !is_package(folder) && !namespace_in_package() {
            break;
        }
        match folder.file_name() {
            Some(name) => parts.push(name.to_string_lossy().into_owned()),
            None => break,
        }
        dir = folder.parent();
    }
    parts.reverse();
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::import_scan::scan;

    #[test]
    fn imports_resolve_to_files_with_their_parent_packages() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let files = [
            ("src/pkg/__init__.py", ""),
            (
                "src/pkg/cmd/__init__.py",
                "from pkg import patching  # noqa\n",
            ),
            ("src/pkg/patching.py", "import eventlet\n"),
            (
                "src/pkg/cmd/run.py",
                "from ..util import helper\nimport pkg.missing\n",
            ),
            ("src/pkg/util.py", "def f():\n    from . import patching\n"),
            ("tools/script.py", "import pkg.cmd.run\n"),
            // A folder without `__init__.py` inside a package.
            ("src/pkg/common/config.py", ""),
            ("src/pkg/agent.py", "from pkg.common import config\n"),
        ];
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let paths: Vec<PathBuf> = files.iter().map(|(p, _)| root.join(p)).collect();
        let scans: Vec<ImportScan> = files.iter().map(|(_, t)| scan(t)).collect();
        let pairs: Vec<(&Path, &ImportScan)> =
            paths.iter().map(|p| p.as_path()).zip(&scans).collect();
        let graph = ModuleGraph::build(root, &pairs);
        assert_eq!(
            graph.names,
            [
                "pkg",
                "pkg.cmd",
                "pkg.patching",
                "pkg.cmd.run",
                "pkg.util",
                "script",
                "pkg.common.config",
                "pkg.agent"
            ]
        );
        // `from ..util import helper` runs pkg and pkg.util.
        assert_eq!(graph.edges[3].at_import, vec![0, 4]);
        assert_eq!(graph.edges[4].later, vec![0, 2]);
        assert_eq!(graph.edges[5].at_import, vec![0, 1, 3]);
        assert_eq!(graph.edges[7].at_import, vec![0, 6]);
        let unresolved: Vec<&str> = graph.unresolved.iter().map(|u| u.module.as_str()).collect();
        assert_eq!(unresolved, ["pkg.missing"]);
    }
}
