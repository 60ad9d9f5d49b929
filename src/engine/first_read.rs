//! The first read of every file of the project, eventlet or not: its
//! imports, for the programs; the oslo.config options it declares, for
//! delays read from them; whether it may call a patcher, and the functions
//! it defines that patch what their argument names (a test base class's
//! `stub_out`), for the mocks; its outline, for which code may call which;
//! what it loads by name, which no import statement shows; its oslo.messaging
//! servers and module-level thread-locals; its mocks of stdlib names that
//! rewrites call.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::analysis::{may_start_rpc_server, rpc_server_line};
use crate::python::config_options;
use crate::python::import_scan::{ImportScan, scan as scan_imports};
use crate::python::loaders;
use crate::python::outline::Outline;
use crate::python::parse::parse;
use crate::python::patchers::{self, Patchers};
use crate::python::stdlib_mocks::{self, StdlibMock, StdlibTarget};
use crate::python::syntax::Root;
use crate::python::thread_locals;
use crate::source::{StandIn, read_bytes};
use crate::transform::{ApiId, Catalogue};

use super::parsed::{Read, TreeBudget};

/// What the first read of every file found in one of them.
#[derive(Default)]
struct Scanned {
    imports: ImportScan,
    options: config_options::Declared,
    /// Whether it may call a known patcher.
    may_patch: bool,
    /// The functions it defines that patch what their argument names.
    wrappers: Vec<(String, patchers::Passed)>,
    value_passing: Vec<String>,
    outline: Outline,
    by_name: loaders::ByName,
    /// The line of its first oslo.messaging server factory call.
    rpc_server: Option<usize>,
    /// Its module-level thread-locals (name, line).
    thread_locals: Vec<(String, usize)>,
    /// Its mocks of stdlib names that rewrites call.
    stdlib_mocks: Vec<StdlibMock>,
    /// Its tree, when it is to be loaded and was parsed already.
    tree: Option<tree_sitter::Tree>,
}

/// What the first read found, by file.
pub(super) struct FirstRead {
    pub(super) scans: Vec<ImportScan>,
    pub(super) declared: Vec<config_options::Declared>,
    /// Whether each file may call a patcher (known, or the project's own).
    pub(super) patching: Vec<bool>,
    /// The known patchers, with the project's own.
    pub(super) patchers: Patchers,
    pub(super) outlines: Vec<Outline>,
    pub(super) by_name: Vec<loaders::ByName>,
    /// The trees of files to be loaded, made already.
    pub(super) trees: Vec<Option<tree_sitter::Tree>>,
    /// The oslo.messaging servers (file, how a reason names it).
    pub(super) rpc_servers: Vec<(usize, String)>,
    /// The module-level thread-locals (file, name, site).
    pub(super) thread_locals: Vec<(usize, String, String)>,
    /// The mocks of stdlib names that rewrites call, by file.
    pub(super) stdlib_mocks: Vec<(usize, Vec<StdlibMock>)>,
}

/// Reads every file of `files` (as `read` found them) a first time. A
/// file that uses eventlet is parsed again when loaded: a tree made here is
/// handed on, claimed from the budget of kept trees (and given back if the
/// file's analysis does not keep it).
pub(super) fn first_read(
    read: &[Read],
    files: &[PathBuf],
    budget: &TreeBudget,
    stand_in: Option<&StandIn>,
    stdlib_calls: &[StdlibTarget],
) -> FirstRead {
    let known_patchers = Patchers::default();
    let scanned: Vec<Scanned> = read
        .par_iter()
        .zip(files)
        .map(|(r, path)| {
            let scan = |bytes: &[u8], loaded_later: bool| {
                let text = String::from_utf8_lossy(bytes);
                // One parse, for the files that declare options, load code
                // by name or may define a patcher (most files do none).
                let options = config_options::may_declare(&text);
                let loads = loaders::may_load_or_offer(&text);
                let wraps = matches!(text, Cow::Borrowed(_)) && patchers::may_define_wrapper(bytes);
                let serves = may_start_rpc_server(&text);
                let locals = thread_locals::may_define(&text);
                let mocks = stdlib_mocks::may_mock(bytes, &known_patchers, stdlib_calls);
                let tree =
                    (options || loads || wraps || serves || locals || mocks).then(|| parse(&text));
                let root = tree.as_ref().map(tree_sitter::Tree::root_node);
                let imports = scan_imports(&text);
                let stdlib_mocks = root
                    .filter(|_| mocks)
                    .map(|r| {
                        let root = Root::new(r);
                        stdlib_mocks::in_file(&root, &text, &imports, &known_patchers, stdlib_calls)
                    })
                    .unwrap_or_default();
                let mut scanned = Scanned {
                    imports,
                    options: root
                        .filter(|_| options)
                        .map(|r| config_options::declared_in(r, &text))
                        .unwrap_or_default(),
                    may_patch: known_patchers.may_patch(bytes),
                    wrappers: root
                        .filter(|_| wraps)
                        .map(|r| patchers::wrappers_in(&Root::new(r), &text))
                        .unwrap_or_default(),
                    value_passing: root
                        .filter(|_| wraps)
                        .map(|r| patchers::value_passing_in(&Root::new(r), &text))
                        .unwrap_or_default(),
                    outline: Outline::of(&text),
                    by_name: root
                        .filter(|_| loads)
                        .map(|r| loaders::by_name_in(r, &text))
                        .unwrap_or_default(),
                    rpc_server: root
                        .filter(|_| serves)
                        .and_then(|r| rpc_server_line(r, &text)),
                    thread_locals: root
                        .filter(|_| locals)
                        .map(|r| thread_locals::defined_in(r, &text))
                        .unwrap_or_default(),
                    stdlib_mocks,
                    tree: None,
                };
                scanned.tree = tree.filter(|_| loaded_later && budget.claim(bytes.len()));
                scanned
            };
            match r {
                Read::Eventlet(_, bytes) => scan(bytes, true),
                Read::NoEventlet(..) => read_bytes(path, stand_in)
                    .map(|bytes| scan(&bytes, false))
                    .unwrap_or_default(),
                Read::Failed(_) => Scanned::default(),
            }
        })
        .collect();
    let mut scans = Vec::with_capacity(scanned.len());
    let mut declared = Vec::with_capacity(scanned.len());
    let mut patching = Vec::with_capacity(scanned.len());
    let mut wrappers = Vec::new();
    let mut value_passing = Vec::new();
    let mut outlines = Vec::with_capacity(scanned.len());
    let mut by_name = Vec::with_capacity(scanned.len());
    let mut trees = Vec::with_capacity(scanned.len());
    let mut rpc_servers = Vec::new();
    let mut thread_locals_by_file = Vec::new();
    let mut stdlib_mocks = Vec::new();
    for (file, one) in scanned.into_iter().enumerate() {
        if !one.stdlib_mocks.is_empty() {
            stdlib_mocks.push((file, one.stdlib_mocks));
        }
        let path = files[file].display();
        if let Some(line) = one.rpc_server {
            rpc_servers.push((file, format!("an oslo.messaging server at {path}:{line}")));
        }
        for (name, line) in one.thread_locals {
            thread_locals_by_file.push((file, name, format!("{path}:{line}")));
        }
        scans.push(one.imports);
        declared.push(one.options);
        patching.push(one.may_patch);
        wrappers.extend(one.wrappers);
        value_passing.extend(one.value_passing);
        outlines.push(one.outline);
        by_name.push(one.by_name);
        trees.push(one.tree);
    }
    let patchers = Patchers::with_wrappers(wrappers).passing_values(value_passing);
    if patchers != known_patchers {
        // A file may call the project's own patchers without naming a
        // known one: read again those that name none.
        let calls_own: Vec<(usize, bool)> = (0..patching.len())
            .into_par_iter()
            .filter(|file| !patching[*file])
            .map(|file| {
                let calls = match &read[file] {
                    Read::Eventlet(_, bytes) => patchers.may_patch(bytes),
                    Read::NoEventlet(..) => read_bytes(&files[file], stand_in)
                        .is_ok_and(|bytes| patchers.may_patch(&bytes)),
                    Read::Failed(_) => false,
                };
                (file, calls)
            })
            .collect();
        for (file, calls) in calls_own {
            patching[file] = calls;
        }
    }
    FirstRead {
        scans,
        declared,
        patching,
        patchers,
        outlines,
        by_name,
        trees,
        rpc_servers,
        thread_locals: thread_locals_by_file,
        stdlib_mocks,
    }
}

/// The stdlib names that rewrites in this project may call, whose mocks
/// the first read looks for: every member a transform's template names
/// (`time.sleep`), and the whole modules that the green modules the
/// project imports become, whose members the code reads
/// (`socket.getaddrinfo`). A green module no file imports adds none: `os.`
/// and `time.` are in most test files, which are then not parsed for this.
pub(super) fn stdlib_calls_in_use(read: &[Read], catalogue: &Catalogue) -> Vec<StdlibTarget> {
    let imported: HashSet<ApiId> = read
        .par_iter()
        .filter_map(|r| match r {
            Read::Eventlet(_, bytes) => Some(scan_imports(&String::from_utf8_lossy(bytes))),
            _ => None,
        })
        .flat_map_iter(|scan| {
            scan.imports.into_iter().flat_map(|i| {
                let members: Vec<String> = i
                    .names
                    .iter()
                    .map(|n| format!("{}.{n}", i.module))
                    .collect();
                std::iter::once(i.module).chain(members)
            })
        })
        .filter_map(|name| catalogue.api(&name))
        .collect();
    let whole_modules: Vec<StdlibTarget> = imported
        .into_iter()
        .filter_map(|api| catalogue.stdlib_target(api))
        .filter(|target| target.member.is_none())
        .collect();
    catalogue
        .stdlib_calls()
        .into_iter()
        .filter(|target| target.member.is_some() || whole_modules.contains(target))
        .collect()
}
