//! Installed code that runs on eventlet: the libraries a project imports,
//! and the installed code a mocking file runs.

use std::collections::HashMap;
use std::path::PathBuf;

use super::parsed::Parsed;
use crate::analysis::{Use, UseKind};
use crate::decide::tree_facts::{PatchFunction, Patching};
use crate::project::modules::ModuleGraph;
use crate::python::import_scan::{ImportScan, ScannedImport};
use crate::source::line_col;
use crate::transform::Catalogue;

/// Whether the dotted `module` is, or is inside, one of `modules`.
pub(super) fn is_within<'m>(module: &str, mut modules: impl Iterator<Item = &'m str>) -> bool {
    modules.any(|m| {
        module
            .strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// Whether the dotted `module` is installed code: no module of the project
/// (nor inside one).
fn is_installed(module: &str, graph: &ModuleGraph) -> bool {
    graph.with_parents(module).is_empty()
}

/// The first installed module the project imports that runs on eventlet
/// itself (`oslo_service.service (imported at nova/service.py:25)`), if
/// any; the project's own modules are not installed ones (oslo.service's
/// own tree).
pub(super) fn eventlet_runtime(
    files: &[PathBuf],
    scans: &[ImportScan],
    graph: &ModuleGraph,
    catalogue: &Catalogue,
) -> Option<String> {
    let runtime = catalogue.eventlet_runtime_modules();
    files.iter().zip(scans).find_map(|(path, scan)| {
        let (module, line) = first_installed_import(scan, &runtime, graph)?;
        Some(format!("{module} (imported at {}:{line})", path.display()))
    })
}

/// By file, the first installed module it imports that starts green
/// threads itself (`oslo_service.loopingcall`), and the line.
pub(super) fn green_starting_imports(
    scans: &[ImportScan],
    graph: &ModuleGraph,
    catalogue: &Catalogue,
) -> HashMap<usize, (String, usize)> {
    let starting = catalogue.green_starting_modules();
    scans
        .iter()
        .enumerate()
        .filter_map(|(file, scan)| Some((file, first_installed_import(scan, &starting, graph)?)))
        .collect()
}

/// By file, the installed patch functions it may call: those of the
/// installed modules it imports (neutron's `eventlet_utils.monkey_patch()`,
/// which its stadium projects call as their programs start). Calling one
/// patches as `monkey_patch()` with no arguments, but for what it leaves
/// unpatched in some runs (neutron's Windows branch keeps `os`).
pub(super) fn installed_patch_functions(
    scans: &[ImportScan],
    graph: &ModuleGraph,
    catalogue: &Catalogue,
) -> HashMap<usize, Vec<PatchFunction>> {
    let wrappers: Vec<(&str, PatchFunction)> = catalogue
        .patch_wrappers()
        .filter_map(|w| {
            let (module, name) = w.function.rsplit_once('.')?;
            let mut patching = Patching::of_keywords(Default::default());
            for m in &w.some_runs {
                if patching.modules.remove(m) {
                    patching.some_runs.insert(m.clone());
                }
            }
            let name = name.to_owned();
            Some((module, PatchFunction { name, patching }))
        })
        .collect();
    let mut found: HashMap<usize, Vec<PatchFunction>> = HashMap::new();
    for (file, scan) in scans.iter().enumerate() {
        for (module, function) in &wrappers {
            if first_installed_import(scan, &[module], graph).is_some() {
                found.entry(file).or_default().push(function.clone());
            }
        }
    }
    found
}

/// The first module of `modules` (or inside one) that the file imports,
/// when it is an installed one, not the project's own, and its line.
fn first_installed_import(
    scan: &ImportScan,
    modules: &[&str],
    graph: &ModuleGraph,
) -> Option<(String, usize)> {
    let installed_within =
        |module: &str| is_within(module, modules.iter().copied()) && is_installed(module, graph);
    scan.imports.iter().filter(|i| i.level == 0).find_map(|i| {
        // `from oslo_service import service` imports the module too.
        std::iter::once(i.module.clone())
            .chain(i.names.iter().map(|name| format!("{}.{name}", i.module)))
            .find(|m| installed_within(m))
            .map(|m| (m, i.line))
    })
}

/// Installed code a file runs.
pub(super) struct LibraryCaller {
    /// Its dotted module (`oslo_service.loopingcall`, `eventlet.tpool.execute`).
    pub(super) module: String,
    /// How a reason names it.
    pub(super) shown: String,
    /// The line that brings it in.
    pub(super) line: usize,
}

impl LibraryCaller {
    /// It is, or is inside, one of these dotted modules.
    pub(super) fn runs(&self, modules: &[String]) -> bool {
        is_within(&self.module, modules.iter().map(String::as_str))
    }
}

/// By file, the imports of installed modules of the files in `parsed`:
/// absolute ones of no module of the project (oslo.vmware's tests import
/// its own `oslo_vmware`, which is no library to them).
pub(super) fn installed_imports(
    parsed: &[Parsed],
    scans: &[ImportScan],
    graph: &ModuleGraph,
) -> Vec<Vec<ScannedImport>> {
    let mut installed = vec![Vec::new(); scans.len()];
    for p in parsed {
        installed[p.file] = scans[p.file]
            .imports
            .iter()
            .filter(|i| i.level == 0 && is_installed(&i.module, graph))
            .cloned()
            .collect();
    }
    installed
}

/// The installed code a mocking file runs: the installed modules it
/// imports (`imports`, see [`installed_imports`]), and eventlet's, where
/// one of its eventlet uses stays (tpool, a green module), whose
/// internals then run.
pub(super) fn library_callers(
    p: &Parsed,
    imports: &[ScannedImport],
    catalogue: &Catalogue,
    rewritten: &mut dyn FnMut(&Use) -> bool,
) -> Vec<LibraryCaller> {
    let mut found: Vec<LibraryCaller> = imports
        .iter()
        .filter(|i| i.module.split('.').next() != Some("eventlet"))
        .map(|i| LibraryCaller {
            module: i.module.clone(),
            shown: i.module.clone(),
            line: i.line,
        })
        .collect();
    // Only eventlet code that some API names as its caller matters: the
    // others' fates are not worked out.
    let named: Vec<String> = catalogue
        .apis
        .iter()
        .flat_map(|a| a.called_by.iter().cloned())
        .collect();
    let references = p
        .analysis
        .uses
        .iter()
        .filter(|u| u.kind == UseKind::Reference);
    for u in references {
        let Some(api) = u.api else { continue };
        // monkey_patch() goes last of all, and calls nothing itself.
        let whole_program = catalogue
            .transforms_for(api)
            .iter()
            .any(|t| catalogue.transforms[*t].whole_program());
        let name = &catalogue.apis[api].name;
        let caller = LibraryCaller {
            module: name.clone(),
            shown: format!("eventlet, whose {name} stays"),
            line: line_col(&p.source.text, u.range.start).0,
        };
        if !whole_program && caller.runs(&named) && !rewritten(u) {
            found.push(caller);
        }
    }
    found
}
