//! One run over a project: discover its files, read every file's imports
//! and parse and analyse those that mention eventlet (in parallel), find the
//! programs that run the code and what each does, then decide and rewrite
//! every file within the paths given.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, bail};
use rayon::prelude::*;

use crate::analysis::{
    FileAnalysis, Use, UseKind, analyze, may_start_rpc_server, rpc_listener_calls, rpc_server_line,
};
use crate::cache;
use crate::config_files;
use crate::decide::matcher::{Fate, Matcher, Selection, decide_without_code, mock_behaviour};
use crate::decide::tree_facts::{
    FileFacts, FunctionCall, GreenUse, PatchCall, PatchFunction, ProgramRun, ProjectFacts, Tallies,
    TallyPlace, add_new, function_calls, in_set_up, patched_by_call, runs_at_import,
    runs_sometimes, scope_of, top_level_function,
};
use crate::discover::{discover, mentions_eventlet, runs_on_eventlet};
use crate::fingerprint::KeyBuilder;
use crate::helpers_home::{Helpers, site};
use crate::outcome::{
    Action, FileResult, Finding, HelperPlaces, HelpersModule, ProjectSummary, RunResult, Skipped,
};
use crate::plan::helpers_module::with_definitions;
use crate::plan::rewrite::{FileRewrite, Mode, rewrite_file};
use crate::project::call_reach::{self, CallReach, MockBlock};
use crate::project::mock_paths::{EventletModules, FoundMocks, HeldName};
use crate::project::modules::ModuleGraph;
use crate::project::programs::{self, FileInfo, Program, ProgramKind};
use crate::project::requirements::{REQUIREMENT_FILES, RequirementFloors};
use crate::project::{Scope, Shown};
use crate::python::config_options::{self, Bound, ProjectBounds};
use crate::python::import_scan::{ImportScan, scan as scan_imports};
use crate::python::loaders;
use crate::python::module_constants;
use crate::python::outline::{Outline, name_key};
use crate::python::parse::{first_syntax_error, parse};
use crate::python::patchers::{self, Patchers};
use crate::python::syntax::{Root, descendants, node_at, text};
use crate::python::thread_locals;
use crate::source::{LineIndex, SourceFile, StandIn, canonical, line_col, line_text, read_bytes};
use crate::transform::{ApiId, Catalogue, ESCAPED_MOCK, Safety, Shape, Transform};

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The files and folders to rewrite.
    pub paths: Vec<PathBuf>,
    /// The project they belong to, analysed whole (its programs, its mocks,
    /// the switch off eventlet); `None` takes the paths for the project.
    pub project_root: Option<PathBuf>,
    pub excludes: Vec<String>,
    pub selection: Selection,
    /// What the application that runs the project monkey-patches, when the
    /// user says so (libraries run by patched services).
    pub assume_monkey_patched: Option<BTreeSet<String>>,
    /// Mark uses left for a person with a TODO comment.
    pub annotate: bool,
    /// Only report (scan): decide every use but plan no edits.
    pub findings_only: bool,
    /// The results will be written (apply, commit, patches): prove every
    /// rewritten text with a fresh parse too, not only the incremental one.
    pub writes: bool,
    /// The project's shared helpers module (a dotted name), when the
    /// configuration names one.
    pub helpers_module: Option<String>,
    /// Reuse and store whole-run results in the user's cache folder.
    pub cache: bool,
    /// Keep the trees of at most this many bytes of source between the
    /// passes (default [`TREE_BUDGET`]).
    pub tree_budget: Option<usize>,
    /// Text read in place of one file's content (standard input).
    pub stand_in: Option<StandIn>,
}

struct Parsed {
    /// Its index among the project's files.
    file: usize,
    /// Within the paths given (else analysed for the facts only).
    in_scope: bool,
    source: SourceFile,
    analysis: FileAnalysis,
    /// The tree, kept between the passes within the memory budget (made
    /// again when needed otherwise).
    tree: Option<tree_sitter::Tree>,
    facts: FileFacts,
    /// APIs that this file names as mock targets, and all the APIs it uses.
    mocked: HashSet<ApiId>,
    apis: HashSet<ApiId>,
    /// The constants it reads from other modules, by (module, name).
    constant_reads: Vec<(String, String)>,
}

/// The trees of this many bytes of source (about 25 times as much memory)
/// are kept between the passes, or the tree of one larger file; other
/// files are parsed again if needed, so memory stays bounded by the budget
/// or the largest file.
pub const TREE_BUDGET: usize = 12 << 20;

impl Parsed {
    /// The kept tree, or a fresh parse of the source.
    fn tree(&self) -> Cow<'_, tree_sitter::Tree> {
        match &self.tree {
            Some(kept) => Cow::Borrowed(kept),
            None => Cow::Owned(parse(&self.source.text)),
        }
    }
}

pub fn run(catalogue: &Catalogue, options: &Options) -> Result<RunResult> {
    let stand_in = options.stand_in.as_ref();
    // Every path given exists, or has text standing in for it: the walk of
    // a project starts at its root and would not notice one missing.
    for path in &options.paths {
        if !path.exists() && !stand_in.is_some_and(|s| s.stands_for(path)) {
            bail!("{}: no such file or directory", path.display());
        }
    }
    let analysed = match &options.project_root {
        Some(root) => std::slice::from_ref(root),
        None => options.paths.as_slice(),
    };
    let mut discovered = discover(analysed, &options.excludes, stand_in)?;
    if let Some(root) = &options.project_root {
        let shown = Shown::new(root);
        for path in discovered
            .files
            .iter_mut()
            .chain(&mut discovered.config_files)
        {
            *path = shown.path(std::mem::take(path));
        }
    }
    let scope = options
        .project_root
        .as_ref()
        .map(|_| Scope::new(&options.paths));
    let in_scope = |path: &Path| scope.as_ref().is_none_or(|s| s.contains(path));
    let root = options
        .project_root
        .clone()
        .unwrap_or_else(|| tree_root(&options.paths));
    let library_members: Vec<&str> = catalogue.library_members().collect();
    let read: Vec<Read> = discovered
        .files
        .par_iter()
        .map(|path| read(path, &library_members, stand_in))
        .collect();
    let cache_slot = if options.cache {
        cache_slot(options)
    } else {
        None
    };
    let cache_key = cache_slot
        .as_ref()
        .map(|_| cache_key(catalogue, options, &root, &discovered, &read));
    if let (Some(slot), Some(key)) = (&cache_slot, &cache_key)
        && let Some(entry) = cache::load(slot, key)
        && let Some(result) = from_cache(entry, &read, stand_in)
    {
        return Ok(result);
    }
    // Largest files first, handed to whichever worker is free (a queue,
    // not halves of the list): no worker then starts a large file while
    // the other runs out of work. Results are put in path order at the end.
    let named_in_other_files = named_outside(&discovered);
    let mut result = RunResult {
        files_scanned: discovered.files.len(),
        ..RunResult::default()
    };
    result
        .skipped
        .extend(discovered.problems.into_iter().map(|p| Skipped {
            path: p.path,
            reason: p.reason,
        }));
    // Every file's imports, for the programs: read again where the first
    // read kept no bytes.
    // And the oslo.config options each declares, for delays read from them,
    // and whether it may call a patcher, for the mocks.
    // The functions it defines that patch what their argument names (a
    // test base class's `stub_out`), too.
    // And its outline, for which code may call which.
    // And what it loads by name, which no import statement shows.
    // A file that uses eventlet is parsed again when loaded: the tree made
    // here is handed on, claimed from the budget of kept trees (and given
    // back if the file's analysis does not keep it).
    let budget = TreeBudget::new(options.tree_budget.unwrap_or(TREE_BUDGET));
    let known_patchers = Patchers::default();
    let scanned: Vec<Scanned> = read
        .par_iter()
        .zip(&discovered.files)
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
                let tree = (options || loads || wraps || serves || locals).then(|| parse(&text));
                let root = tree.as_ref().map(tree_sitter::Tree::root_node);
                let mut scanned = Scanned {
                    imports: scan_imports(&text),
                    options: root
                        .filter(|_| options)
                        .map(|r| config_options::declared_in(r, &text))
                        .unwrap_or_default(),
                    may_patch: known_patchers.may_patch(bytes),
                    wrappers: root
                        .filter(|_| wraps)
                        .map(|r| patchers::wrappers_in(&Root::new(r), &text))
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
                    tree: None,
                };
                scanned.tree = tree.filter(|_| loaded_later && budget.claim(bytes.len()));
                scanned
            };
            match r {
                Read::Eventlet(_, bytes) => scan(bytes, true),
                Read::NoEventlet(_) => read_bytes(path, stand_in)
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
    let mut outlines = Vec::with_capacity(scanned.len());
    let mut by_name = Vec::with_capacity(scanned.len());
    let mut trees = Vec::with_capacity(scanned.len());
    let mut rpc_servers = Vec::new();
    let mut thread_locals_by_file = Vec::new();
    for (file, one) in scanned.into_iter().enumerate() {
        let path = discovered.files[file].display();
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
        outlines.push(one.outline);
        by_name.push(one.by_name);
        trees.push(one.tree);
    }
    let patchers = Patchers::with_wrappers(wrappers);
    if patchers != known_patchers {
        // A file may call the project's own patchers without naming a
        // known one: read again those that name none.
        let calls_own: Vec<(usize, bool)> = (0..patching.len())
            .into_par_iter()
            .filter(|file| !patching[*file])
            .map(|file| {
                let calls = match &read[file] {
                    Read::Eventlet(_, bytes) => patchers.may_patch(bytes),
                    Read::NoEventlet(_) => read_bytes(&discovered.files[file], stand_in)
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
    let configured = options.helpers_module.as_deref();
    let helpers = Helpers::find(catalogue, &root, &discovered.files, configured, in_scope);
    let mut to_load: Vec<ToLoad> = Vec::new();
    // Files that mention eventlet (or could not be read) but give no facts:
    // they may start green threads and may monkey-patch anything.
    let mut unreadable: Vec<(usize, Skipped)> = Vec::new();
    for (file, r) in read.into_iter().enumerate() {
        match r {
            Read::Eventlet(path, bytes) => to_load.push(ToLoad {
                file,
                path,
                bytes,
                tree: trees[file].take(),
            }),
            Read::Failed(skipped) => unreadable.push((file, skipped)),
            Read::NoEventlet(_) => {}
        }
    }
    to_load.sort_by_key(|l| std::cmp::Reverse(l.bytes.len()));
    let loading = Loading {
        files: &discovered.files,
        in_scope: &in_scope,
        catalogue,
        patchers: &patchers,
        helpers: &helpers,
        annotate: options.annotate,
        budget: &budget,
        stand_in,
    };
    let loaded: Vec<Result<Parsed, (usize, Skipped)>> = to_load
        .into_iter()
        .par_bridge()
        .map(|l| load(l, &loading))
        .collect();
    let mut parsed = Vec::new();
    for item in loaded {
        match item {
            Ok(p) => parsed.push(p),
            Err(s) => unreadable.push(s),
        }
    }
    unreadable.sort_by_key(|(file, _)| *file);
    // Path order, so that the facts (and the sites reasons name) do not
    // depend on which worker finished first.
    parsed.sort_by_key(|p| p.file);
    let pairs: Vec<(&Path, &ImportScan)> = discovered
        .files
        .iter()
        .map(PathBuf::as_path)
        .zip(&scans)
        .collect();
    let mut graph = ModuleGraph::build(&root, &pairs);
    graph.add_loaded_by_name(&by_name);
    let (held, mocks_through) = module_mocks(&mut graph, &mut parsed, &patching, &loading);
    let model = ProgramModel::new(
        &root,
        &graph,
        &discovered.files,
        &scans,
        &mut parsed,
        &unreadable,
        options.assume_monkey_patched.clone(),
        stand_in,
    )
    .holding(held);
    let reach = call_reach_of_uses(
        &parsed,
        &model.patch_sites,
        &graph,
        &outlines,
        &named_in_other_files,
    );
    let model = model.reaching_by_calls(reach);
    drop(outlines);
    // What lies outside the paths stays as it is; what could not be read
    // is reported where it is within them.
    let mut outside: Option<String> = None;
    for (_, skipped) in unreadable {
        if in_scope(&skipped.path) {
            result.skipped.push(skipped);
        } else {
            outside.get_or_insert_with(|| format!("{} could not be read", skipped.path.display()));
        }
    }
    if outside.is_none() {
        outside = parsed
            .iter()
            .filter(|p| !p.in_scope && !p.analysis.uses.is_empty())
            .find_map(|p| {
                let first = p.analysis.uses.iter().map(|u| u.range.start).min()?;
                let line = line_col(&p.source.text, first).0;
                Some(format!("{}:{line}", p.source.path.display()))
            });
    }
    let within = scope
        .as_ref()
        .filter(|scope| !scope.covers(&root))
        .map(|_| options.paths.clone());
    result.project = Some(model.summary(&root, within, &discovered.files));
    settle_green_uses(&mut parsed, catalogue, options, &helpers, &model);
    let mut facts = model.facts(&parsed);
    facts.set_rpc_servers(&rpc_servers, rpc_listener_calls(catalogue));
    facts.set_thread_locals(
        thread_locals_by_file
            .into_iter()
            .map(|(file, name, site)| ((graph.names[file].clone(), name), site))
            .collect(),
    );
    facts.patchers = patchers.clone();
    facts.requirement_floors = RequirementFloors::read(&root);
    facts.bounds = ProjectBounds::of(&declared).with_constants(read_constants(
        &parsed,
        &graph,
        &discovered.files,
        stand_in,
    ));
    let runtime = eventlet_runtime(&discovered.files, &scans, &graph, catalogue);
    if let Some(project) = &mut result.project {
        project.eventlet_runtime.clone_from(&runtime);
    }
    facts.set_eventlet_runtime(runtime);
    settle_mock_tallies(&mut facts, &parsed, &scans, catalogue, options, &helpers);
    let mut switched = facts.switched();
    settle_mock_tallies(&mut switched, &parsed, &scans, catalogue, options, &helpers);
    let with_switch = uses_with_switch(&parsed, catalogue, &switched, options, &helpers);
    let facts = facts;
    // Only the files within the paths are rewritten.
    parsed.retain(|p| p.in_scope);
    // A configuration file's fate depends on the rewritten Python files.
    let findings_only = options.findings_only
        && !discovered
            .config_files
            .iter()
            .any(|p| std::fs::read(p).is_ok_and(|b| mentions_eventlet(&b.to_ascii_lowercase())));
    let mode = Mode {
        annotate: options.annotate,
        findings_only,
        fresh_proof: options.writes,
    };
    // Each file's result, with the line of an eventlet import it keeps
    // (largest first, as when loading).
    parsed.sort_by_key(|p| std::cmp::Reverse(p.source.text.len()));
    let mut rewritten: Vec<Rewritten> = parsed
        .into_iter()
        .par_bridge()
        .map(|p| {
            let outcome = rewrite_file(
                &p.source.text,
                p.tree,
                p.analysis,
                p.source.newline,
                &matcher(catalogue, &facts, &options.selection, &helpers, p.file),
                mode,
            );
            Rewritten::new(p.file, p.source, outcome)
        })
        .collect();
    // Path order again, for what is drawn from the results below.
    rewritten.sort_by_key(|r| r.file);
    for r in &mut rewritten {
        mark_with_switch(&mut r.result, with_switch.get(&r.file));
    }
    // The switch to native threads goes last: when all that stays is held
    // only by it (monkey_patch(), a GreenPool becoming an executor, a tpool
    // call in a patched service, ...), the files that hold it are rewritten
    // again as the project will be once switched, and the new results are
    // kept only if every use went; what they rewrite anew is part of the
    // switch. While an imported library runs on eventlet itself there is
    // no switch, and once nothing else stays, the uses that are part of it
    // say why.
    // (A file that could not be read may use eventlet too, and nothing
    // outside the paths given is rewritten.)
    let manual = || {
        rewritten
            .iter()
            .flat_map(|r| r.result.findings.iter())
            .filter(|x| x.action == Action::Manual)
    };
    let held_only_for_the_switch = manual().next().is_some()
        && manual().all(|x| x.with_switch)
        && rewritten.iter().all(|r| r.result.error.is_none());
    let the_switch = if facts.keeps_eventlet_running() {
        only_whole_program_left(&rewritten, catalogue).then(|| facts.eventlet_free())
    } else {
        held_only_for_the_switch.then_some(switched)
    };
    if let Some(switch_facts) =
        the_switch.filter(|_| result.skipped.is_empty() && outside.is_none())
    {
        let again: Vec<usize> = (0..rewritten.len())
            .filter(|&i| {
                rewritten[i]
                    .result
                    .findings
                    .iter()
                    .any(|x| x.action == Action::Manual)
            })
            .collect();
        let redone: Vec<Rewritten> = again
            .par_iter()
            .map(|&i| {
                let file = rewritten[i].file;
                let source = rewritten[i].result.source.clone();
                let tree = parse(&source.text);
                let matcher = matcher(catalogue, &switch_facts, &options.selection, &helpers, file);
                let naming = matcher.helpers.names_considered();
                let mut analysis =
                    analyze(&tree, &source.text, catalogue, &naming, matcher.patchers);
                if let Some(mocks) = mocks_through.get(&file) {
                    add_uses(&mut analysis, mocks);
                }
                let outcome = rewrite_file(
                    &source.text,
                    Some(tree),
                    analysis,
                    source.newline,
                    &matcher,
                    mode,
                );
                Rewritten::new(file, source, outcome)
            })
            .collect();
        let all_gone = redone.iter().all(|r| {
            let f = &r.result;
            f.error.is_none() && f.findings.iter().all(|x| x.action != Action::Manual)
        });
        let held_for_a_library = switch_facts.keeps_eventlet_running()
            && redone.iter().all(|r| r.result.error.is_none());
        if all_gone || held_for_a_library {
            for (i, mut entry) in again.into_iter().zip(redone) {
                // What stayed before and goes (or stays) now is the switch's.
                let before: HashSet<(usize, usize)> = manual_places(&rewritten[i].result);
                for finding in &mut entry.result.findings {
                    finding.with_switch = before.contains(&(finding.line, finding.column));
                }
                rewritten[i] = entry;
            }
        }
    }
    // Where eventlet stays: an import, or a library's member that imports it
    // (futurist's green executor), named as `path:line`.
    let eventlet_kept: Vec<String> = outside
        .iter()
        .map(|site| format!("{site}, outside the paths given"))
        .chain(rewritten.iter().filter_map(|r| {
            let (f, line) = (&r.result, r.import_left);
            let path = f.source.path.display();
            if let Some(line) = line {
                return Some(format!("{path}:{line}"));
            }
            f.findings
                .iter()
                .filter(|x| x.action == Action::Manual)
                .find(|x| {
                    catalogue
                        .api(&x.api)
                        .is_some_and(|a| catalogue.apis[a].library)
                })
                .map(|x| format!("{path}:{}, where {} runs on it", x.line, x.api))
        }))
        .collect();
    let mut module = None;
    if !options.findings_only {
        (result.helpers, module) = place_helpers(&helpers, &mut rewritten, catalogue);
    }
    result.files = rewritten.into_iter().map(|r| r.result).collect();
    result.files.extend(module);
    let config_transforms: Vec<&Transform> = catalogue
        .transforms
        .iter()
        .filter(|t| t.shape == Shape::Config)
        .collect();
    if !config_transforms.is_empty() && !discovered.config_files.is_empty() {
        let left = eventlet_left(&result, &eventlet_kept, outside.is_some());
        for path in discovered.config_files.iter().filter(|p| in_scope(p)) {
            match config_file(
                path,
                &config_transforms,
                catalogue,
                &options.selection,
                left.as_ref()
                    .map(|(site, with_switch)| (site.as_str(), *with_switch)),
            ) {
                Ok(Some(file)) => result.files.push(file),
                Ok(None) => {}
                Err(skipped) => result.skipped.push(skipped),
            }
        }
    }
    result
        .files
        .sort_by(|a, b| a.source.path.cmp(&b.source.path));
    result.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    if let (Some(slot), Some(key)) = (&cache_slot, cache_key) {
        cache::store(slot, &to_cache(&result, key));
    }
    Ok(result)
}

/// Leaves in each file's facts the green uses that stay: a green-thread
/// starter or hub timer that is itself rewritten (a Timeout around one
/// queue get) does not keep its programs green. Files outside the paths
/// given keep all of theirs, as nothing there is rewritten.
///
/// A use whose transforms hold whatever the tree runs (they require
/// nothing) is first assumed gone, since some go only together (a Timeout
/// around an Event's wait() goes with the Event, which becomes threading's
/// only once no hub timer is left), and put back, round by round, while it
/// is refused under what is assumed. Then the other green uses are decided
/// once under what is left, as a starter must not count itself out.
fn settle_green_uses(
    parsed: &mut [Parsed],
    catalogue: &Catalogue,
    options: &Options,
    helpers: &Helpers,
    model: &ProgramModel,
) {
    let decided_by_code =
        |p: &Parsed, index: usize| decide_without_code(catalogue, &p.analysis.uses[index]).is_err();
    let context_free = |p: &Parsed, index: usize| {
        p.analysis.uses[index].api.is_some_and(|api| {
            decided_by_code(p, index)
                && catalogue
                    .transforms_for(api)
                    .iter()
                    .all(|t| catalogue.transforms[*t].requires.is_empty())
        })
    };
    let all_green: Vec<Vec<GreenUse>> = parsed
        .iter_mut()
        .map(|p| {
            if !p.in_scope {
                return Vec::new();
            }
            let all = std::mem::take(&mut p.facts.green_threads);
            p.facts.green_threads = all
                .iter()
                .filter(|g| !context_free(p, g.use_index))
                .cloned()
                .collect();
            all
        })
        .collect();
    loop {
        let put_back: usize = with_matcher(
            parsed,
            &all_green,
            catalogue,
            options,
            helpers,
            model,
            |matcher, p, all| {
                let before = p.facts.green_threads.len();
                let assumed_gone =
                    |index: usize| !p.facts.green_threads.iter().any(|g| g.use_index == index);
                let replaced = replaced_by_rewrites(p, all, matcher, &assumed_gone);
                let left: Vec<GreenUse> = all
                    .iter()
                    .filter(|g| !assumed_gone(g.use_index) || !covered(&replaced, p, g.use_index))
                    .cloned()
                    .collect();
                p.facts.green_threads = left;
                p.facts.green_threads.len() - before
            },
        )
        .into_iter()
        .sum();
        if put_back == 0 {
            break;
        }
    }
    with_matcher(
        parsed,
        &all_green,
        catalogue,
        options,
        helpers,
        model,
        |matcher, p, all| {
            let replaced =
                replaced_by_rewrites(p, all, matcher, &|index| decided_by_code(p, index));
            p.facts.green_threads = all
                .iter()
                .filter(|g| !covered(&replaced, p, g.use_index))
                .cloned()
                .collect();
        },
    );
}

/// The matcher of one file: the programs that run it decide.
fn matcher<'a>(
    catalogue: &'a Catalogue,
    facts: &'a ProjectFacts,
    selection: &'a Selection,
    helpers: &'a Helpers,
    file: usize,
) -> Matcher<'a> {
    Matcher {
        catalogue,
        context: facts.context(file),
        selection,
        bounds: &facts.bounds,
        patchers: &facts.patchers,
        requirement_floors: &facts.requirement_floors,
        helpers: site(helpers, file),
        followed: Default::default(),
    }
}

/// Runs `step` on every file with green uses (and all of them), with a
/// matcher under the facts the files give now.
fn with_matcher<T: Send>(
    parsed: &mut [Parsed],
    all_green: &[Vec<GreenUse>],
    catalogue: &Catalogue,
    options: &Options,
    helpers: &Helpers,
    model: &ProgramModel,
    step: impl Fn(&Matcher, &mut Parsed, &[GreenUse]) -> T + Sync,
) -> Vec<T> {
    let facts = model.facts(parsed);
    parsed
        .par_iter_mut()
        .zip(all_green)
        .filter(|(_, all)| !all.is_empty())
        .map(|(p, all)| {
            let file = p.file;
            step(
                &matcher(catalogue, &facts, &options.selection, helpers, file),
                p,
                all,
            )
        })
        .collect()
}

/// What the rewrites of the green uses `decided` picks replace: their
/// ranges, and their edits elsewhere (a Timeout block's except clause).
fn replaced_by_rewrites(
    p: &Parsed,
    all: &[GreenUse],
    matcher: &Matcher,
    decided: &dyn Fn(usize) -> bool,
) -> Vec<std::ops::Range<usize>> {
    let picked: Vec<usize> = all
        .iter()
        .map(|g| g.use_index)
        .filter(|i| decided(*i))
        .collect();
    if picked.is_empty() {
        return Vec::new();
    }
    let tree = p.tree();
    let root = Root::new(tree.root_node());
    let (text, analysis) = (&p.source.text, &p.analysis);
    let mut replaced = Vec::new();
    for index in picked {
        if let Fate::Rewrite(rw) = matcher.decide(&analysis.uses[index], &root, text, analysis) {
            replaced.push(rw.range.clone());
            replaced.extend(rw.attached_edits.iter().map(|e| e.range.clone()));
        }
    }
    replaced
}

fn covered(replaced: &[std::ops::Range<usize>], p: &Parsed, index: usize) -> bool {
    let range = &p.analysis.uses[index].range;
    replaced
        .iter()
        .any(|r| r.start <= range.start && range.end <= r.end)
}

/// One file's result, with what the rest of the run draws from its
/// rewrite.
struct Rewritten {
    /// Its index among the project's files.
    file: usize,
    result: FileResult,
    /// The line of an eventlet import it keeps.
    import_left: Option<usize>,
    /// The helpers its new text calls from the shared helpers module.
    helpers_from_module: BTreeSet<String>,
    /// The helpers its new text defines.
    helpers_defined: BTreeSet<String>,
}

impl Rewritten {
    fn new(file: usize, source: SourceFile, outcome: FileRewrite) -> Rewritten {
        let FileRewrite {
            findings,
            new_text,
            error,
            import_left,
            helpers_from_module,
            helpers_defined,
        } = outcome;
        Rewritten {
            file,
            result: FileResult {
                source,
                findings,
                new_text,
                error,
                created: false,
            },
            import_left,
            helpers_from_module,
            helpers_defined,
        }
    }
}

/// A use in code whose API has a rewrite that needs the tree free of
/// eventlet (monkey_patch(), GreenPool).
fn is_whole_program(finding: &Finding, catalogue: &Catalogue) -> bool {
    finding.kind == UseKind::Reference
        && catalogue.api(&finding.api).is_some_and(|api| {
            catalogue
                .transforms_for(api)
                .iter()
                .any(|t| catalogue.transforms[*t].whole_program())
        })
}

/// Whether the only eventlet uses the rewrites leave (but imports) are
/// ones that only the whole program's switch rewrites.
fn only_whole_program_left(files: &[Rewritten], catalogue: &Catalogue) -> bool {
    let mut left = false;
    for file in files.iter().map(|r| &r.result) {
        if file.error.is_some() {
            return false;
        }
        for finding in file.findings.iter().filter(|f| f.action == Action::Manual) {
            if !is_whole_program(finding, catalogue) {
                return false;
            }
            left = true;
        }
    }
    left
}

/// A file as read: whether it mentions eventlet decides all the rest. The
/// others matter by their imports, read only when the cache has no answer
/// (a warm run then costs reading and hashing, as it did).
enum Read {
    /// With a hash of its bytes, for the cache key.
    NoEventlet(u64),
    Eventlet(PathBuf, Vec<u8>),
    Failed(Skipped),
}

fn read(path: &Path, library_members: &[&str], stand_in: Option<&StandIn>) -> Read {
    match read_bytes(path, stand_in) {
        Ok(bytes) if runs_on_eventlet(&bytes, library_members) => {
            Read::Eventlet(path.to_path_buf(), bytes)
        }
        Ok(bytes) => {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            bytes.hash(&mut hasher);
            Read::NoEventlet(hasher.finish())
        }
        Err(e) => Read::Failed(Skipped {
            path: path.to_path_buf(),
            reason: format!("cannot read: {e}"),
        }),
    }
}

/// One cache slot per set of roots and options.
fn cache_slot(options: &Options) -> Option<PathBuf> {
    let roots: Vec<PathBuf> = options
        .paths
        .iter()
        .filter_map(|p| canonical(p).ok())
        .collect();
    let mut slot = KeyBuilder::default();
    slot.add(&roots).add(options_identity(options));
    Some(cache::folder()?.join(format!("run-{}.json", slot.finish())))
}

fn options_identity(options: &Options) -> String {
    let sorted = |set: &HashSet<String>| {
        let mut v: Vec<&String> = set.iter().collect();
        v.sort();
        format!("{v:?}")
    };
    let mut accepted: Vec<&usize> = options.selection.accepted.iter().collect();
    accepted.sort();
    // Text from standard input gets a slot of its own: an editor's runs
    // do not evict the run over the files on disk.
    format!(
        "{:?}|{:?}|{:?}|{accepted:?}|{}|{}|{:?}|{}|{}|{}|{}|{:?}",
        options.project_root,
        options.excludes,
        options.selection.max_safety,
        options
            .selection
            .select
            .as_ref()
            .map_or(String::new(), sorted),
        sorted(&options.selection.ignore),
        options.assume_monkey_patched,
        options.annotate,
        options.findings_only,
        options.writes,
        options.stand_in.is_some(),
        options.helpers_module
    )
}

fn cache_key(
    catalogue: &Catalogue,
    options: &Options,
    root: &Path,
    discovered: &crate::discover::Discovered,
    read: &[Read],
) -> String {
    let mut key = KeyBuilder::default();
    key.add(cache::binary_identity())
        .add(&catalogue.fingerprint)
        .add(options_identity(options));
    key.add(&discovered.files);
    for r in read {
        match r {
            Read::Eventlet(path, bytes) => key.add(path).add(bytes),
            Read::Failed(s) => key.add(&s.path).add(&s.reason),
            // Other files matter by their imports (the programs).
            Read::NoEventlet(hash) => key.add(hash),
        };
    }
    for path in discovered.config_files.iter().chain(&discovered.ini_files) {
        key.add(path).add(std::fs::read(path).unwrap_or_default());
    }
    for p in &discovered.problems {
        key.add(&p.path).add(&p.reason);
    }
    // The requirement floors, read there even when the paths leave them out.
    for name in REQUIREMENT_FILES {
        key.add(std::fs::read(root.join(name)).unwrap_or_default());
    }
    key.finish()
}

fn to_cache(result: &RunResult, key: String) -> cache::Entry {
    cache::Entry {
        key,
        files_scanned: result.files_scanned,
        files: result
            .files
            .iter()
            .map(|f| cache::CachedFile {
                path: f.source.path.clone(),
                findings: f.findings.clone(),
                new_text: f.new_text.clone(),
                error: f.error.clone(),
                created: f.created,
            })
            .collect(),
        skipped: result
            .skipped
            .iter()
            .map(|s| (s.path.clone(), s.reason.clone()))
            .collect(),
        project: result.project.clone(),
        helpers: result.helpers.clone(),
    }
}

/// The cached result, with the sources just read; `None` if anything no
/// longer fits (then the run is made afresh).
fn from_cache(entry: cache::Entry, read: &[Read], stand_in: Option<&StandIn>) -> Option<RunResult> {
    let mut bytes: HashMap<&PathBuf, &Vec<u8>> = HashMap::new();
    for r in read {
        if let Read::Eventlet(path, b) = r {
            bytes.insert(path, b);
        }
    }
    let mut files = Vec::new();
    for f in entry.files {
        let content = match bytes.get(&f.path) {
            Some(b) => (*b).clone(),
            None if f.created => Vec::new(),
            None => read_bytes(&f.path, stand_in).ok()?,
        };
        let source = SourceFile::from_bytes(f.path, content).ok()?;
        files.push(FileResult {
            source,
            findings: f.findings,
            new_text: f.new_text,
            error: f.error,
            created: f.created,
        });
    }
    Some(RunResult {
        files,
        skipped: entry
            .skipped
            .into_iter()
            .map(|(path, reason)| Skipped { path, reason })
            .collect(),
        files_scanned: entry.files_scanned,
        project: entry.project,
        helpers: entry.helpers,
    })
}

/// Where eventlet is still imported once this run's rewrites are made, if
/// anywhere: a file that keeps it, or one that mentions eventlet and could
/// not be read; and whether it stays only through the project's own uses,
/// which go in the switch to native threads (not through a file that could
/// not be read, or one outside the paths given, which a person must see
/// to). `eventlet_kept` starts with the file outside, if `outside`.
fn eventlet_left(
    result: &RunResult,
    eventlet_kept: &[String],
    outside: bool,
) -> Option<(String, bool)> {
    if let Some(s) = result.skipped.first() {
        return Some((format!("{} could not be read", s.path.display()), false));
    }
    eventlet_kept.first().map(|site| (site.clone(), !outside))
}

/// The findings and rewrite of one configuration file, or `None` when it
/// has nothing about eventlet.
fn config_file(
    path: &std::path::Path,
    transforms: &[&Transform],
    catalogue: &Catalogue,
    selection: &Selection,
    eventlet_left: Option<(&str, bool)>,
) -> Result<Option<FileResult>, Skipped> {
    let skipped = |reason: String| Skipped {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| skipped(format!("cannot read: {e}")))?;
    // EVENTLET_* settings are upper case.
    if !mentions_eventlet(&bytes.to_ascii_lowercase()) {
        return Ok(None);
    }
    let source =
        SourceFile::from_bytes(path.to_path_buf(), bytes).map_err(|e| skipped(e.to_string()))?;
    let kind = config_files::kind_of(path).expect("discovered as a configuration file");
    let mut findings = Vec::new();
    let mut applied = Vec::new();
    for t in transforms {
        let strategy = t.strategy.expect("config transforms have a strategy");
        for change in config_files::changes(strategy, kind, &source.text) {
            let refusal = match eventlet_left {
                Some((site, _)) => Some(format!(
                    "eventlet is still imported ({site}); this goes with the last import"
                )),
                None => selection.allows(t, t.safety).err(),
            };
            let code = line_text(&source.text, change.line);
            findings.push(Finding {
                kind: UseKind::Config,
                line: change.line,
                column: 1,
                end_line: change.line,
                end_column: code.chars().count() + 1,
                api: catalogue.apis[t.apis[0]].name.clone(),
                family: catalogue.families[t.family].name.clone(),
                transform: Some(t.id.clone()),
                safety: if refusal.is_some() {
                    Safety::Manual
                } else {
                    t.safety
                },
                action: if refusal.is_some() {
                    Action::Manual
                } else {
                    Action::Rewrite
                },
                reason: refusal.clone(),
                differences: Vec::new(),
                conditions: BTreeMap::new(),
                comments: Vec::new(),
                // The last import goes in the switch, and this with it.
                with_switch: eventlet_left.is_some_and(|(_, with_switch)| with_switch),
                code: code.trim().to_owned(),
            });
            if refusal.is_none() {
                applied.push(change);
            }
        }
    }
    if findings.is_empty() {
        return Ok(None);
    }
    findings.sort_by_key(|f| f.line);
    let new_text = (!applied.is_empty()).then(|| config_files::apply(&source.text, &applied));
    Ok(Some(FileResult {
        source,
        findings,
        new_text,
        error: None,
        created: false,
    }))
}

/// The bytes of source whose trees may still be kept, of `whole`.
struct TreeBudget {
    left: AtomicUsize,
    whole: usize,
}

impl TreeBudget {
    fn new(whole: usize) -> Self {
        TreeBudget {
            left: AtomicUsize::new(whole),
            whole,
        }
    }

    /// Whether a tree of `bytes` of source may be kept. A file larger than
    /// the whole budget takes all of it while untouched: its tree is the
    /// one a run holds anyway, and parsing it twice would make one big file
    /// cost more than twice a file of half its size.
    fn claim(&self, bytes: usize) -> bool {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(bytes)
                    .or((self.whole > 0 && left == self.whole).then_some(0))
            })
            .is_ok()
    }

    /// Gives back a claim of `bytes` whose tree is not kept.
    fn release(&self, bytes: usize) {
        self.left
            .fetch_add(bytes.min(self.whole), Ordering::Relaxed);
    }
}

/// What loading a file needs besides its bytes.
struct Loading<'a> {
    /// The project's files, by index.
    files: &'a [PathBuf],
    in_scope: &'a (dyn Fn(&Path) -> bool + Sync),
    catalogue: &'a Catalogue,
    /// The calls with which the project's tests patch names.
    patchers: &'a Patchers,
    helpers: &'a Helpers,
    /// Uses left for a person get a comment: every tree is of use.
    annotate: bool,
    budget: &'a TreeBudget,
    /// Text given on standard input for one of the files.
    stand_in: Option<&'a StandIn>,
}

/// What the first read of every file found in one of them.
#[derive(Default)]
struct Scanned {
    imports: ImportScan,
    options: config_options::Declared,
    /// Whether it may call a known patcher.
    may_patch: bool,
    /// The functions it defines that patch what their argument names.
    wrappers: Vec<(String, usize)>,
    outline: Outline,
    by_name: loaders::ByName,
    /// The line of its first oslo.messaging server factory call.
    rpc_server: Option<usize>,
    /// Its module-level thread-locals (name, line).
    thread_locals: Vec<(String, usize)>,
    /// Its tree, when it is to be loaded and was parsed already.
    tree: Option<tree_sitter::Tree>,
}

/// A file that uses eventlet, to be analysed.
struct ToLoad {
    file: usize,
    path: PathBuf,
    bytes: Vec<u8>,
    /// Its tree, if parsed already (from `bytes` as text).
    tree: Option<tree_sitter::Tree>,
}

fn load(to_load: ToLoad, loading: &Loading) -> Result<Parsed, (usize, Skipped)> {
    let ToLoad {
        file,
        path,
        bytes,
        tree,
    } = to_load;
    let claimed = tree.is_some().then_some(bytes.len());
    match read_source(file, path, bytes, tree) {
        Ok((source, tree)) => Ok(Parsed::new(file, source, tree, claimed, loading)),
        Err(skipped) => {
            if let Some(bytes) = claimed {
                loading.budget.release(bytes);
            }
            Err(skipped)
        }
    }
}

/// A file's text and tree, or why it is skipped. (`parsed`: the tree of
/// `bytes` read whole as text, if made already: it fits the file's text
/// unless a byte order mark, which the text leaves out, shifts it.)
fn read_source(
    file: usize,
    path: PathBuf,
    bytes: Vec<u8>,
    parsed: Option<tree_sitter::Tree>,
) -> Result<(SourceFile, tree_sitter::Tree), (usize, Skipped)> {
    let skipped = |reason: String| {
        Err((
            file,
            Skipped {
                path: path.clone(),
                reason,
            },
        ))
    };
    let source = match SourceFile::from_bytes(path.clone(), bytes) {
        Ok(source) => source,
        Err(why) => return skipped(why.to_string()),
    };
    let tree = parsed
        .filter(|_| !source.has_bom)
        .unwrap_or_else(|| parse(&source.text));
    if let Some(at) = first_syntax_error(&tree) {
        let (line, col) = line_col(&source.text, at);
        return skipped(format!(
            "syntax error at line {line}, column {col}; left alone"
        ));
    }
    Ok((source, tree))
}

impl Parsed {
    /// A file's analysis and facts, from its text and tree.
    /// (`claimed`: the bytes of the budget its tree holds already.)
    fn new(
        file: usize,
        source: SourceFile,
        tree: tree_sitter::Tree,
        claimed: Option<usize>,
        loading: &Loading,
    ) -> Parsed {
        let Loading {
            catalogue,
            annotate,
            budget,
            ..
        } = *loading;
        let in_scope = (loading.in_scope)(&source.path);
        let naming = site(loading.helpers, file).names_considered();
        let analysis = analyze(&tree, &source.text, catalogue, &naming, loading.patchers);
        let facts = facts(&tree, &source.text, &analysis, catalogue);
        let callees = analysis
            .uses
            .iter()
            .filter(|u| u.kind == UseKind::Reference)
            .map(|u| u.range.clone());
        let constant_reads =
            module_constants::reads(&Root::new(tree.root_node()), &source.text, callees);
        let mocked = analysis
            .uses
            .iter()
            .filter(|u| u.kind == UseKind::MockTarget)
            .filter_map(|u| u.api)
            .collect();
        let apis = analysis.uses.iter().filter_map(|u| u.api).collect();
        // A tree is of use later only where a transform may apply or a comment
        // be added.
        let needs_code = annotate
            || analysis
                .uses
                .iter()
                .any(|u| decide_without_code(catalogue, u).is_err());
        let keep_tree = match claimed {
            Some(bytes) if !needs_code => {
                budget.release(bytes);
                false
            }
            Some(_) => true,
            None => needs_code && budget.claim(source.text.len()),
        };
        Parsed {
            file,
            in_scope,
            source,
            analysis,
            tree: keep_tree.then_some(tree),
            facts,
            mocked,
            apis,
            constant_reads,
        }
    }
}

/// Finds the mocks that reach eventlet through a project module (see
/// `project::mock_paths`) in the files that may patch: adds those that may
/// follow the code as uses of their files (loading a file that does not
/// mention eventlet for them), records the imports the patches make when
/// they start, and returns the module-level names the others hold, and
/// the uses added, by file.
fn module_mocks(
    graph: &mut ModuleGraph,
    parsed: &mut Vec<Parsed>,
    patching: &[bool],
    loading: &Loading,
) -> (HashMap<usize, Vec<HeldName>>, HashMap<usize, Vec<Use>>) {
    let found: Vec<(usize, Option<Parsed>, FoundMocks)> = {
        let modules = EventletModules::new(
            graph,
            loading.catalogue,
            loading.patchers,
            parsed
                .iter()
                .map(|p| (p.file, p.source.path.as_path(), &p.analysis)),
        );
        if modules.is_empty() {
            return Default::default();
        }
        let position: HashMap<usize, usize> = parsed
            .iter()
            .enumerate()
            .map(|(i, p)| (p.file, i))
            .collect();
        let loaded: &[Parsed] = parsed;
        (0..patching.len())
            .into_par_iter()
            .filter(|file| patching[*file])
            .filter_map(|file| {
                if let Some(&i) = position.get(&file) {
                    let p = &loaded[i];
                    if !modules.may_be_patched_in(file, &p.source.text) {
                        return None;
                    }
                    let found = modules.mocks_in(&p.source.path, &p.tree(), &p.source.text);
                    return Some((file, None, found));
                }
                // A file that does not mention eventlet: parsed only here,
                // and kept only if it holds such a mock.
                let path = &loading.files[file];
                let bytes = read_bytes(path, loading.stand_in).ok()?;
                if !modules.may_be_patched_in(file, &String::from_utf8_lossy(&bytes)) {
                    return None;
                }
                let (source, tree) = read_source(file, path.clone(), bytes, None).ok()?;
                let found = modules.mocks_in(&source.path, &tree, &source.text);
                let new = (!found.uses.is_empty())
                    .then(|| Parsed::new(file, source, tree, None, loading));
                Some((file, new, found))
            })
            .collect()
    };
    let mut held: HashMap<usize, Vec<HeldName>> = HashMap::new();
    let mut added: HashMap<usize, Vec<Use>> = HashMap::new();
    for (file, new, found) in found {
        for module in &found.imported {
            graph.add_later_import(file, module);
        }
        for (module, name) in found.held {
            held.entry(module).or_default().push(name);
        }
        if found.uses.is_empty() {
            continue;
        }
        let p = match new {
            Some(new) => {
                parsed.push(new);
                parsed.last_mut().expect("just pushed")
            }
            None => parsed
                .iter_mut()
                .find(|p| p.file == file)
                .expect("found in a parsed file"),
        };
        p.mocked.extend(found.uses.iter().filter_map(|u| u.api));
        p.apis.extend(found.uses.iter().filter_map(|u| u.api));
        add_uses(&mut p.analysis, &found.uses);
        added.insert(file, found.uses);
    }
    parsed.sort_by_key(|p| p.file);
    (held, added)
}

/// Adds to a file's analysis the uses found with the project's help.
fn add_uses(analysis: &mut FileAnalysis, uses: &[Use]) {
    analysis.uses.extend(uses.iter().cloned());
    analysis.uses.sort_by_key(|u| (u.range.start, u.range.end));
}

/// The bounds of the constants the parsed files read from other modules
/// of the project (each module parsed once, if it is a file of the tree).
fn read_constants(
    parsed: &[Parsed],
    graph: &ModuleGraph,
    files: &[PathBuf],
    stand_in: Option<&StandIn>,
) -> HashMap<(String, String), Bound> {
    let mut wanted: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for p in parsed {
        for (module, name) in &p.constant_reads {
            wanted.entry(module).or_default().insert(name.clone());
        }
    }
    wanted
        .into_par_iter()
        .filter_map(|(module, names)| {
            let file = graph.file_named(module)?;
            // A parsed file's text is at hand (`parsed` is in file order).
            let text = match parsed.binary_search_by_key(&file, |p| p.file) {
                Ok(i) => Cow::Borrowed(parsed[i].source.text.as_str()),
                Err(_) => {
                    let bytes = read_bytes(&files[file], stand_in).ok()?;
                    Cow::Owned(String::from_utf8(bytes).ok()?)
                }
            };
            Some(
                module_constants::bounds(&text, &names)
                    .into_iter()
                    .map(|(name, bound)| ((module.to_owned(), name), bound))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect()
}

/// Which programs may run the lines of `parsed` that use eventlet, and
/// the monkey_patch() calls of `patch_sites`, by the code that may call
/// them.
fn call_reach_of_uses(
    parsed: &[Parsed],
    patch_sites: &[(usize, usize, usize)],
    graph: &ModuleGraph,
    outlines: &[Outline],
    named_outside: &HashSet<String>,
) -> CallReach {
    let mut sites: Vec<(usize, usize, usize)> = parsed
        .iter()
        .flat_map(|p| {
            let lines = LineIndex::new(&p.source.text);
            p.analysis
                .uses
                .iter()
                .filter(|u| u.kind == UseKind::Reference)
                .map(move |u| {
                    let line = lines.line_col(&p.source.text, u.range.start).0;
                    (p.file, u.range.start, line)
                })
                .collect::<Vec<_>>()
        })
        .chain(patch_sites.iter().copied())
        .collect();
    sites.sort_unstable();
    sites.dedup();
    CallReach::find(&sites, &mock_blocks(parsed), graph, outlines, named_outside)
}

/// The mocks made by `with` blocks that call reach may follow forward.
fn mock_blocks(parsed: &[Parsed]) -> Vec<MockBlock> {
    parsed
        .par_iter()
        .filter(|p| {
            p.analysis
                .uses
                .iter()
                .any(|u| u.kind == UseKind::MockTarget)
        })
        .flat_map_iter(|p| {
            let tree = p.tree();
            let root = Root::new(tree.root_node());
            let source = &p.source.text;
            p.analysis
                .uses
                .iter()
                .filter(|u| u.kind == UseKind::MockTarget)
                .filter_map(|u| {
                    let node = node_at(&root, &u.range)?;
                    let with = patchers::mock_with_block(&root, node, source)?;
                    // What the block calls may have been made before it in
                    // its function (a closure a decorator returned): the
                    // function's words count, as the module's do.
                    let function = root
                        .ancestors(with)
                        .find(|n| n.kind() == "function_definition")
                        .unwrap_or(with);
                    let words = descendants(function)
                        .filter(|n| n.kind() == "identifier")
                        .map(|n| name_key(text(n, source)))
                        .collect();
                    // Code of the definition the block is in runs through
                    // it too (a closure stubbed in, a helper of the class).
                    let own = root
                        .ancestors(with)
                        .filter(|n| matches!(n.kind(), "function_definition" | "class_definition"))
                        .last()
                        .unwrap_or(with);
                    Some(MockBlock {
                        file: p.file,
                        at: u.range.start,
                        own_code: own.byte_range(),
                        words,
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The words of the project's non-Python files that may load code by name.
fn named_outside(discovered: &crate::discover::Discovered) -> HashSet<String> {
    call_reach::words_of(
        discovered
            .config_files
            .iter()
            .chain(&discovered.ini_files)
            .filter_map(|path| std::fs::read_to_string(path).ok()),
    )
}

/// Whether the dotted `module` is, or is inside, one of `modules`.
fn is_within<'m>(module: &str, mut modules: impl Iterator<Item = &'m str>) -> bool {
    modules.any(|m| {
        module
            .strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// The first installed module the project imports that runs on eventlet
/// itself (`oslo_service.service (imported at nova/service.py:25)`), if
/// any; the project's own modules are not installed ones (oslo.service's
/// own tree).
fn eventlet_runtime(
    files: &[PathBuf],
    scans: &[ImportScan],
    graph: &ModuleGraph,
    catalogue: &Catalogue,
) -> Option<String> {
    let runtime = catalogue.eventlet_runtime_modules();
    let installed_on_eventlet = |module: &str| {
        is_within(module, runtime.iter().copied()) && graph.with_parents(module).is_empty()
    };
    files.iter().zip(scans).find_map(|(path, scan)| {
        scan.imports.iter().filter(|i| i.level == 0).find_map(|i| {
            // `from oslo_service import service` imports the module too.
            std::iter::once(i.module.clone())
                .chain(i.names.iter().map(|name| format!("{}.{name}", i.module)))
                .find(|m| installed_on_eventlet(m))
                .map(|m| format!("{m} (imported at {}:{})", path.display(), i.line))
        })
    })
}

/// Settles how the uses of each mocked API fare in every program. A use
/// that one program's mock holds may hold another program's mock in turn
/// (nova's libvirt tests mock the sleep that the vmware tests' mock holds):
/// tally again until nothing changes. Mocks keep their first judgement (by
/// their form, and whether a transform takes them); only code's fate
/// changes with the holds, and only for an API that some program holds.
fn settle_mock_tallies(
    facts: &mut ProjectFacts,
    parsed: &[Parsed],
    scans: &[ImportScan],
    catalogue: &Catalogue,
    options: &Options,
    helpers: &Helpers,
) {
    let mocked: HashSet<ApiId> = parsed
        .iter()
        .flat_map(|p| p.mocked.iter().copied())
        .collect();
    if mocked.is_empty() {
        return;
    }
    let tally = |facts: &ProjectFacts, apis: &HashSet<ApiId>| {
        api_fates(
            parsed,
            scans,
            catalogue,
            facts,
            &options.selection,
            helpers,
            apis,
        )
    };
    let mut current = tally(facts, &mocked);
    for pass in 1.. {
        facts.set_api_uses(current.clone());
        let held = facts.held_apis();
        if held.is_empty() {
            break;
        }
        let again = with_code_fates(&current, &tally(facts, &held), pass);
        if again == current {
            break;
        }
        current = again;
    }
}

/// The uses of the files within the paths given (by file, their start
/// offsets) that the project's switch to native threads would rewrite
/// (decided under `switched`, the project's facts once switched): those
/// held only by what the switch removes (its green threads, its
/// monkey-patching, its other eventlet uses), which therefore change only
/// together. The rest of what stays needs a person.
fn uses_with_switch(
    parsed: &[Parsed],
    catalogue: &Catalogue,
    switched: &ProjectFacts,
    options: &Options,
    helpers: &Helpers,
) -> HashMap<usize, HashSet<usize>> {
    parsed
        .par_iter()
        .filter(|p| p.in_scope && !p.analysis.uses.is_empty())
        .map(|p| {
            let tree = std::cell::OnceCell::new();
            let root = std::cell::OnceCell::new();
            let root = || root.get_or_init(|| Root::new(tree.get_or_init(|| p.tree()).root_node()));
            let matcher = matcher(catalogue, switched, &options.selection, helpers, p.file);
            let rewritten: HashSet<usize> = p
                .analysis
                .uses
                .iter()
                .filter(|u| !matches!(u.kind, UseKind::Import | UseKind::Config))
                .filter(|u| matches!(fate_of(catalogue, &matcher, p, root, u), Fate::Rewrite(_)))
                .map(|u| u.range.start)
                .collect();
            (p.file, rewritten)
        })
        .collect()
}

/// Where the file's uses left for a person start (line, column).
fn manual_places(file: &FileResult) -> HashSet<(usize, usize)> {
    file.findings
        .iter()
        .filter(|x| x.action == Action::Manual)
        .map(|x| (x.line, x.column))
        .collect()
}

/// Marks the file's uses left for a person that the switch would rewrite
/// (`offsets`, from `uses_with_switch`).
fn mark_with_switch(file: &mut FileResult, offsets: Option<&HashSet<usize>>) {
    let Some(offsets) = offsets.filter(|o| !o.is_empty()) else {
        return;
    };
    if !file.findings.iter().any(|x| x.action == Action::Manual) {
        return;
    }
    let lines = LineIndex::new(&file.source.text);
    let starts: HashSet<(usize, usize)> = offsets
        .iter()
        .map(|&offset| lines.line_col(&file.source.text, offset))
        .collect();
    for finding in &mut file.findings {
        if finding.action == Action::Manual && starts.contains(&(finding.line, finding.column)) {
            finding.with_switch = true;
        }
    }
}

/// The tallies of `current`, with the fates of code uses of `again` (made
/// in pass `pass`) where it has them: how many are rewritten, or wait for
/// escaped-mock.
fn with_code_fates(current: &Tallies, again: &Tallies, pass: usize) -> Tallies {
    let mut merged = current.clone();
    for (place, tallies) in &mut merged {
        for (api, tally) in tallies {
            if let Some(t) = again.get(place).and_then(|t| t.get(api)) {
                tally.rewritten = t.rewritten;
                tally.code_differences.clone_from(&t.code_differences);
                tally.escaping.clone_from(&t.escaping);
                // The site held in the earliest pass is the root of what
                // later passes hold.
                if tally.held_code.is_none() && t.held_code.is_some() {
                    tally.held_code = t.held_code.clone();
                    tally.held_pass = pass;
                }
            }
        }
    }
    merged
}

/// Per file, for each API of `mocked`, how its uses fare in a pass of
/// decisions made with the tallies `facts` holds so far (none in the first
/// pass): code and the tests that mock it then move together in every
/// program.
fn api_fates(
    parsed: &[Parsed],
    scans: &[ImportScan],
    catalogue: &Catalogue,
    facts: &ProjectFacts,
    selection: &Selection,
    helpers: &Helpers,
    mocked: &HashSet<ApiId>,
) -> Tallies {
    // Only the APIs asked for (mocked ones) are tallied: nothing else
    // depends on the tallies.
    parsed
        .par_iter()
        .filter(|p| !p.apis.is_disjoint(mocked))
        .flat_map_iter(|p| {
            let mut tallies: Tallies = HashMap::new();
            let tree = std::cell::OnceCell::new();
            let root = std::cell::OnceCell::new();
            let root = || root.get_or_init(|| Root::new(tree.get_or_init(|| p.tree()).root_node()));
            let matcher = matcher(catalogue, facts, selection, helpers, p.file);
            let fate = |u: &Use| fate_of(catalogue, &matcher, p, root, u);
            // Nothing outside the paths given is rewritten.
            let mut rewritten_use = |u: &Use| p.in_scope && matches!(fate(u), Fate::Rewrite(_));
            let mut library_caller = None;
            for u in &p.analysis.uses {
                let Some(api) = u.api.filter(|a| mocked.contains(a)) else {
                    continue;
                };
                if u.kind == UseKind::MockTarget && facts.mocks_no_code(p.file, u.range.start) {
                    continue;
                }
                // A mock, and code only with the differences of its mocks,
                // moves once those are accepted: code and mocks then wait
                // for the same acceptance.
                // Code that leaves mocks which only skip its wait moves
                // once that is accepted: the code its mocks reach waits
                // for the same.
                let mut escaping = false;
                let moving = match p.in_scope.then(|| fate(u)) {
                    Some(Fate::Rewrite(rw)) => Some(rw.differences),
                    Some(Fate::Unaccepted(rw)) => {
                        let of_mocks = catalogue.mock_differences(api);
                        let escaped = catalogue.difference_by_id(ESCAPED_MOCK);
                        if u.kind == UseKind::MockTarget
                            || rw.differences.iter().all(|d| of_mocks.contains(d))
                        {
                            Some(rw.differences)
                        } else {
                            escaping = rw
                                .differences
                                .iter()
                                .all(|d| of_mocks.contains(d) || Some(*d) == escaped);
                            None
                        }
                    }
                    _ => None,
                };
                let rewritten = usize::from(moving.is_some());
                // A code use counts for the programs that may run its line.
                let place = TallyPlace {
                    file: p.file,
                    code_at: matches!(u.kind, UseKind::Reference | UseKind::Option)
                        .then_some(u.range.start),
                };
                let tally = tallies.entry(place).or_default().entry(api).or_default();
                // Where a use that stays is, and where to read why.
                let site = || {
                    let line = line_col(&p.source.text, u.range.start).0;
                    let why = if p.in_scope {
                        "whose finding says why"
                    } else {
                        "outside the paths given"
                    };
                    format!("{}:{line}, {why}", p.source.path.display())
                };
                match u.kind {
                    // A mock's own behaviour is the test's, not code it patches.
                    UseKind::Reference if in_mock_behaviour(p, root, u) => {}
                    UseKind::Reference | UseKind::Option => {
                        tally.code += 1;
                        tally.rewritten += rewritten;
                        add_new(&mut tally.code_differences, moving.into_iter().flatten());
                        if escaping {
                            tally.escaping.note(site);
                        } else if rewritten == 0 {
                            tally.held_code.get_or_insert_with(site);
                        }
                    }
                    // With no tallies yet, a mock is refused only for its form,
                    // for want of a transform or for threads of the test run
                    // that call its new target, which the second pass keeps.
                    UseKind::MockTarget => {
                        tally.mocks += 1;
                        tally.followable += rewritten;
                        tally.mock_differences.extend(moving.into_iter().flatten());
                        if rewritten == 0 {
                            // One outside the paths given would follow
                            // in a run that includes it: it holds.
                            let skips_wait = p.in_scope
                                && catalogue.apis[api].only_waits
                                && node_at(root(), &u.range).is_some_and(|n| {
                                    patchers::is_unread_with_mock(root(), n, &p.source.text)
                                });
                            if skips_wait {
                                tally.wait_skippers.note(site);
                            } else {
                                tally.stuck_mock.get_or_insert_with(site);
                            }
                        }
                        let caller = library_caller
                            .get_or_insert_with(|| {
                                library_callers(p, &scans[p.file], catalogue, &mut rewritten_use)
                            })
                            .iter()
                            .find(|c| c.runs(&catalogue.apis[api].called_by));
                        if let Some(c) = caller {
                            tally.library_caller.get_or_insert_with(|| {
                                format!("{}, at {}:{}", c.shown, p.source.path.display(), c.line)
                            });
                        }
                    }
                    UseKind::Import | UseKind::Config => {}
                }
            }
            tallies
        })
        .collect()
}

/// A use's fate under `matcher`; the file's tree (`root`) is made only if
/// the decision needs the code.
fn fate_of<'r, 't: 'r>(
    catalogue: &Catalogue,
    matcher: &Matcher,
    p: &Parsed,
    root: impl Fn() -> &'r Root<'t>,
    u: &Use,
) -> Fate {
    decide_without_code(catalogue, u)
        .unwrap_or_else(|_| matcher.decide(u, root(), &p.source.text, &p.analysis))
}

fn in_mock_behaviour<'r, 't: 'r>(p: &Parsed, root: impl Fn() -> &'r Root<'t>, u: &Use) -> bool {
    p.source.text.contains("patch")
        && node_at(root(), &u.range)
            .is_some_and(|n| mock_behaviour(root(), n, &p.source.text).is_some())
}

/// Installed code a file runs.
struct LibraryCaller {
    /// Its dotted module (`oslo_service.loopingcall`, `eventlet.tpool.execute`).
    module: String,
    /// How a reason names it.
    shown: String,
    /// The line that brings it in.
    line: usize,
}

impl LibraryCaller {
    /// It is, or is inside, one of these dotted modules.
    fn runs(&self, modules: &[String]) -> bool {
        is_within(&self.module, modules.iter().map(String::as_str))
    }
}

/// The installed code a mocking file runs: the modules it imports, and
/// eventlet's, where one of its eventlet uses stays (tpool, a green
/// module), whose internals then run.
fn library_callers(
    p: &Parsed,
    imports: &ImportScan,
    catalogue: &Catalogue,
    rewritten: &mut dyn FnMut(&Use) -> bool,
) -> Vec<LibraryCaller> {
    let mut found: Vec<LibraryCaller> = imports
        .imports
        .iter()
        .filter(|i| i.level == 0)
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

fn facts(
    tree: &tree_sitter::Tree,
    text: &str,
    analysis: &FileAnalysis,
    catalogue: &Catalogue,
) -> FileFacts {
    let mut facts = FileFacts::default();
    let lines = LineIndex::new(text);
    let root = Root::new(tree.root_node());
    for (index, u) in analysis
        .uses
        .iter()
        .enumerate()
        .filter(|(_, u)| u.kind == UseKind::Reference)
    {
        let Some(api) = u.api.map(|a| &catalogue.apis[a]) else {
            continue;
        };
        let line = lines.line_col(text, u.range.start).0;
        if api.green {
            facts.green_threads.push(GreenUse {
                line,
                api: api.name.clone(),
                use_index: index,
            });
        }
        if api.monkey_patch {
            let call = node_at(&root, &u.range)
                .and_then(|n| root.parent(n))
                .filter(|p| p.kind() == "call");
            if let Some(call) = call {
                let mut patching = patched_by_call(call, text);
                if runs_sometimes(call, text) {
                    patching = patching.sometimes();
                }
                if let Some(name) = top_level_function(call, text) {
                    facts.patch_functions.push(PatchFunction {
                        name: name.to_owned(),
                        patching: patching.clone(),
                    });
                }
                facts.monkey_patches.push(PatchCall {
                    line,
                    scope: scope_of(call),
                    patching,
                    at_import: runs_at_import(call, text),
                    at: Some(u.range.start),
                    in_set_up: in_set_up(call, text),
                });
            }
        }
    }
    facts
}

/// Where the run's helpers are defined. The shared helpers module gets
/// the helpers the rewrites call from it that it lacks: the new text of
/// its file, when that is one of those rewritten, or its result to add to
/// the run's (new text, or a new file with its neighbours' license
/// header); if it cannot take them, the files that call them stay as they
/// are. Without a shared module, the helpers defined in more than one file
/// are named.
fn place_helpers(
    helpers: &Helpers,
    rewritten: &mut [Rewritten],
    catalogue: &Catalogue,
) -> (HelperPlaces, Option<FileResult>) {
    let changed = |r: &Rewritten| r.result.new_text.is_some();
    let home = match helpers {
        Helpers::Module(home) => home,
        Helpers::InFiles => {
            let places = HelperPlaces {
                repeated: repeated_helpers(rewritten.iter().filter(|r| changed(r))),
                ..HelperPlaces::default()
            };
            return (places, None);
        }
        Helpers::Unavailable(why, _) => {
            let places = HelperPlaces {
                unavailable: Some(why.clone()),
                ..HelperPlaces::default()
            };
            return (places, None);
        }
    };
    let callers: Vec<usize> = (0..rewritten.len())
        .filter(|&i| changed(&rewritten[i]) && !rewritten[i].helpers_from_module.is_empty())
        .collect();
    let called: BTreeSet<&str> = callers
        .iter()
        .flat_map(|&i| rewritten[i].helpers_from_module.iter().map(String::as_str))
        .collect();
    let helpers = catalogue.helpers_needed(called);
    if helpers.is_empty() {
        return (HelperPlaces::default(), None);
    }
    let fresh = home.unchanged();
    let own = rewritten.iter().position(|r| Some(r.file) == home.file);
    let module = own.map_or(&fresh, |i| &rewritten[i].result);
    let before = match (&module.new_text, module.created) {
        (Some(text), _) => text.clone(),
        (None, true) => home.new_module(),
        (None, false) => module.source.text.clone(),
    };
    let path = &home.location.path;
    let defined = match &module.error {
        Some(why) => Err(format!("its own rewrite failed: {why}")),
        None => with_definitions(&before, module.source.newline, &helpers),
    };
    let (text, defined) = match defined {
        Ok(defined) => defined,
        Err(why) => {
            for &i in &callers {
                let caller = &mut rewritten[i].result;
                caller.new_text = None;
                caller.error = Some(format!(
                    "the helpers module {} cannot take the helpers this file calls ({why}); \
                     file left unchanged",
                    path.display()
                ));
            }
            return (HelperPlaces::default(), None);
        }
    };
    // What its own rewrite defined (the module uses eventlet too), and
    // what the others need.
    let own_defined = own.iter().flat_map(|&i| &rewritten[i].helpers_defined);
    let added: Vec<String> = own_defined
        .filter_map(|name| catalogue.helper(name))
        .chain(defined)
        .map(|h| h.public_name().to_owned())
        .collect();
    let places = HelperPlaces {
        module: (!added.is_empty()).then(|| HelpersModule {
            path: path.clone(),
            added,
            callers: callers
                .iter()
                .map(|&i| rewritten[i].result.source.path.clone())
                .collect(),
        }),
        ..HelperPlaces::default()
    };
    let new_text = (text != module.source.text).then_some(text);
    match own {
        Some(i) => {
            rewritten[i].result.new_text = new_text;
            (places, None)
        }
        None => {
            let result = new_text.map(|text| FileResult {
                new_text: Some(text),
                ..fresh
            });
            (places, result)
        }
    }
}

/// The helpers defined in more than one of `files`, with those files.
fn repeated_helpers<'r>(files: impl Iterator<Item = &'r Rewritten>) -> Vec<(String, Vec<PathBuf>)> {
    let mut defined_in: BTreeMap<&str, Vec<PathBuf>> = BTreeMap::new();
    for r in files {
        for helper in &r.helpers_defined {
            let files = defined_in.entry(helper).or_default();
            files.push(r.result.source.path.clone());
        }
    }
    defined_in
        .into_iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(helper, files)| (helper.to_owned(), files))
        .collect()
}

/// The directory that stands for the project when no root is given: the
/// first path, or its folder.
fn tree_root(paths: &[PathBuf]) -> PathBuf {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    if first.is_dir() {
        first
    } else {
        first
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }
}

/// The programs of the project, and the facts of the files they run.
struct ProgramModel {
    programs: Vec<Program>,
    library: bool,
    /// The facts of files not parsed for their eventlet uses: those that
    /// mention eventlet and could not be read (unknown, so worst-case), and
    /// those that call another file's patch function.
    other_facts: HashMap<usize, (PathBuf, FileFacts)>,
    unresolved: Vec<String>,
    assumed: Option<BTreeSet<String>>,
    /// Per file, the module-level names tests replace there.
    held: HashMap<usize, Vec<HeldName>>,
    /// Which programs may run the lines of functions that use eventlet.
    call_reach: Arc<CallReach>,
    /// The monkey_patch() calls made inside functions (of monkey_patch()
    /// itself, or of a patch function), as call reach sites: (file, byte
    /// offset, line), sorted.
    patch_sites: Vec<(usize, usize, usize)>,
}

impl ProgramModel {
    // The project's facts as the run gathered them, each in its own form.
    #[allow(clippy::too_many_arguments)]
    fn new(
        root: &Path,
        graph: &ModuleGraph,
        files: &[PathBuf],
        scans: &[ImportScan],
        parsed: &mut [Parsed],
        unreadable: &[(usize, Skipped)],
        assumed: Option<BTreeSet<String>>,
        stand_in: Option<&StandIn>,
    ) -> ProgramModel {
        let mut other_facts: HashMap<usize, (PathBuf, FileFacts)> = unreadable
            .iter()
            .map(|(file, s)| (*file, (s.path.clone(), FileFacts::unreadable())))
            .collect();
        patch_function_calls(files, graph, parsed, &mut other_facts, stand_in);
        let by_file: HashMap<usize, &Parsed> = parsed.iter().map(|p| (p.file, p)).collect();
        let infos: Vec<FileInfo> = files
            .iter()
            .enumerate()
            .map(|(i, path)| {
                let parsed = by_file.get(&i);
                let facts = parsed
                    .map(|p| &p.facts)
                    .or_else(|| other_facts.get(&i).map(|(_, f)| f));
                FileInfo {
                    path,
                    main_guard: scans[i].main_guard,
                    defines_tests: scans[i].defines_tests,
                    relevant: parsed.is_some() || unreadable.iter().any(|(f, _)| *f == i),
                    calls_at_import: facts
                        .map(|f| f.monkey_patches.iter().map(|c| c.at_import).collect())
                        .unwrap_or_default(),
                }
            })
            .collect();
        let found = programs::find(root, &infos, graph);
        let facts_by_file = parsed
            .iter()
            .map(|p| (p.file, &p.facts))
            .chain(other_facts.iter().map(|(file, (_, facts))| (*file, facts)));
        let mut patch_sites: Vec<(usize, usize, usize)> = facts_by_file
            .flat_map(|(file, facts)| {
                facts
                    .monkey_patches
                    .iter()
                    .filter(|c| c.scope != 0)
                    .filter_map(move |c| Some((file, c.at?, c.line)))
            })
            .collect();
        patch_sites.sort_unstable();
        ProgramModel {
            patch_sites,
            programs: found.programs,
            library: found.library,
            other_facts,
            unresolved: graph
                .unresolved
                .iter()
                .map(|u| format!("{}:{} {}", u.path.display(), u.line, u.module))
                .collect(),
            assumed,
            held: HashMap::new(),
            call_reach: Arc::default(),
        }
    }

    /// The same model, with the module-level names tests replace.
    fn holding(self, held: HashMap<usize, Vec<HeldName>>) -> ProgramModel {
        ProgramModel { held, ..self }
    }

    /// The files that patch inside a function, sorted.
    fn patching_files(&self) -> Vec<usize> {
        let mut files: Vec<usize> = self.patch_sites.iter().map(|site| site.0).collect();
        files.dedup();
        files
    }

    /// The same model, knowing which programs may run the lines that start
    /// green threads.
    fn reaching_by_calls(self, call_reach: CallReach) -> ProgramModel {
        ProgramModel {
            call_reach: Arc::new(call_reach),
            ..self
        }
    }

    /// The facts of the programs, from the files' facts as they are now.
    fn facts(&self, parsed: &[Parsed]) -> ProjectFacts {
        let by_file: HashMap<usize, &Parsed> = parsed.iter().map(|p| (p.file, p)).collect();
        let lookup = |file: usize| {
            by_file
                .get(&file)
                .map(|p| (p.source.path.as_path(), &p.facts))
                .or_else(|| self.other_facts.get(&file).map(|(p, f)| (p.as_path(), f)))
        };
        let runs: Vec<ProgramRun> = self
            .programs
            .iter()
            .map(|p| ProgramRun {
                name: &p.name,
                reaches: &p.reaches,
                patches: &p.patches,
                // What the user says of the application is not said of
                // the project's own test runs.
                assumed_to_patch: p.kind != ProgramKind::Test,
                unknown: self.library && p.kind == ProgramKind::Importer,
                command: p.kind != ProgramKind::Test
                    && !(self.library && p.kind == ProgramKind::Importer),
                test_run: p.kind == ProgramKind::Test,
                reached: &p.reached,
                entries: &p.entries,
            })
            .collect();
        let mut facts = ProjectFacts::new(
            &runs,
            &lookup,
            &self.patching_files(),
            self.assumed.as_ref(),
            Arc::clone(&self.call_reach),
        );
        facts.set_held(self.held.clone());
        facts.set_block_mocks_without_code(self.block_mocks_without_code(parsed));
        facts
    }

    /// The mocks made by a `with` block that runs no code use of the
    /// mocked API while it is active.
    fn block_mocks_without_code(&self, parsed: &[Parsed]) -> HashSet<(usize, usize)> {
        // The code uses by site, asked for every site of every block.
        let code: HashSet<(usize, usize, Option<ApiId>)> = parsed
            .iter()
            .flat_map(|p| {
                p.analysis
                    .uses
                    .iter()
                    .filter(|u| u.kind == UseKind::Reference)
                    .map(move |u| (p.file, u.range.start, u.api))
            })
            .collect();
        let uses_api = |&(file, at): &(usize, usize), api| code.contains(&(file, at, api));
        let mut found = HashSet::new();
        for p in parsed {
            for u in p
                .analysis
                .uses
                .iter()
                .filter(|u| u.kind == UseKind::MockTarget)
            {
                let runs = self.call_reach.block_runs(p.file, u.range.start);
                if runs.is_some_and(|sites| !sites.iter().any(|site| uses_api(site, u.api))) {
                    found.insert((p.file, u.range.start));
                }
            }
        }
        found
    }

    /// `within`: the paths rewritten, when they are not the whole project.
    fn summary(
        &self,
        root: &Path,
        within: Option<Vec<PathBuf>>,
        files: &[PathBuf],
    ) -> ProjectSummary {
        let count = |kind| self.programs.iter().filter(|p| p.kind == kind).count();
        ProjectSummary {
            root: root.to_path_buf(),
            files_analysed: files.len(),
            paths: within,
            entry_points: count(ProgramKind::EntryPoint),
            scripts: count(ProgramKind::Script),
            test_programs: count(ProgramKind::Test),
            library: self.library,
            unresolved_imports: self.unresolved.clone(),
            eventlet_runtime: None,
        }
    }
}

/// A caller read in a round: its text when it had to be read from disk,
/// and its calls by function name when it names a patch function.
type CallerRead = (
    usize,
    Option<String>,
    Option<HashMap<String, Vec<FunctionCall>>>,
);

/// Records, as monkey_patch() calls of their own, the calls of patch
/// functions (a function that calls monkey_patch(), or one that calls such
/// a function, to any depth) in the files that import the file defining
/// them: in the facts of parsed files, or in `other_facts`, parsing the
/// caller.
fn patch_function_calls(
    files: &[PathBuf],
    graph: &ModuleGraph,
    parsed: &mut [Parsed],
    other_facts: &mut HashMap<usize, (PathBuf, FileFacts)>,
    stand_in: Option<&StandIn>,
) {
    let mut functions: HashMap<usize, Vec<PatchFunction>> = parsed
        .iter()
        .filter(|p| !p.facts.patch_functions.is_empty())
        .map(|p| (p.file, p.facts.patch_functions.clone()))
        .collect();
    if functions.is_empty() {
        return;
    }
    let position: HashMap<usize, usize> = parsed
        .iter()
        .enumerate()
        .map(|(i, p)| (p.file, i))
        .collect();
    // Each caller's calls by function name, read once, and the text of
    // those whose calls were not read yet.
    let mut calls_in: HashMap<usize, HashMap<String, Vec<FunctionCall>>> = HashMap::new();
    let mut texts: HashMap<usize, String> = HashMap::new();
    // (caller, line, function, what it patches): one function may hold
    // alternative calls (nova's `_monkey_patch()`), each recorded.
    let mut recorded: HashSet<(usize, usize, String, String)> = Default::default();
    let mut found: HashMap<usize, Vec<PatchCall>> = HashMap::new();
    // Each round finds the callers of the patch functions known so far;
    // a caller's own function becomes one in turn.
    loop {
        let called_by: Vec<(usize, Vec<PatchFunction>)> = graph
            .edges
            .iter()
            .enumerate()
            .map(|(caller, edges)| {
                let called: Vec<PatchFunction> = edges
                    .at_import
                    .iter()
                    .chain(&edges.later)
                    .chain(std::iter::once(&caller))
                    .filter_map(|to| functions.get(to))
                    .flatten()
                    .cloned()
                    .collect();
                (caller, called)
            })
            .filter(|(_, called)| !called.is_empty())
            .collect();
        // The callers not read yet, read in parallel. Most importers never
        // call the function: a look at the text spares parsing them.
        let parsed_now: &[Parsed] = parsed;
        let read_now: Vec<CallerRead> = called_by
            .par_iter()
            .filter(|(caller, _)| !calls_in.contains_key(caller))
            .map(|(caller, called)| {
                let (kept, read) = match position.get(caller) {
                    Some(&i) => (Some(parsed_now[i].source.text.as_str()), None),
                    None => match texts.get(caller) {
                        Some(text) => (Some(text.as_str()), None),
                        None => (
                            None,
                            read_bytes(&files[*caller], stand_in)
                                .ok()
                                .map(|b| String::from_utf8_lossy(&b).into_owned()),
                        ),
                    },
                };
                let text = kept.or(read.as_deref()).unwrap_or_default();
                let calls = called
                    .iter()
                    .any(|f| text.contains(f.name.as_str()))
                    .then(|| match position.get(caller) {
                        Some(&i) => function_calls(parsed_now[i].tree().root_node(), text),
                        None => function_calls(parse(text).root_node(), text),
                    });
                (*caller, read, calls)
            })
            .collect();
        for (caller, read, calls) in read_now {
            if let Some(text) = read {
                texts.insert(caller, text);
            }
            if let Some(calls) = calls {
                calls_in.insert(caller, calls);
            }
        }
        let mut new_functions: Vec<(usize, PatchFunction)> = Vec::new();
        for (caller, called) in called_by {
            let Some(calls) = calls_in.get(&caller) else {
                continue;
            };
            for function in &called {
                for call in calls.get(&function.name).into_iter().flatten() {
                    let patching = match call.sometimes {
                        true => function.patching.sometimes(),
                        false => function.patching.clone(),
                    };
                    let key = (
                        caller,
                        call.line,
                        function.name.clone(),
                        format!("{patching:?}"),
                    );
                    if !recorded.insert(key) {
                        continue;
                    }
                    found.entry(caller).or_default().push(PatchCall {
                        line: call.line,
                        scope: call.scope,
                        patching: patching.clone(),
                        at_import: call.at_import,
                        at: Some(call.at),
                        in_set_up: call.in_set_up,
                    });
                    if let Some(outer) = call.in_function.clone().filter(|f| *f != function.name) {
                        new_functions.push((
                            caller,
                            PatchFunction {
                                name: outer,
                                patching,
                            },
                        ));
                    }
                }
            }
        }
        let mut added = false;
        for (file, function) in new_functions {
            let known = functions.entry(file).or_default();
            if !known
                .iter()
                .any(|f| f.name == function.name && f.patching == function.patching)
            {
                known.push(function);
                added = true;
            }
        }
        if !added {
            break;
        }
    }
    for (caller, calls) in found {
        match position.get(&caller) {
            Some(&i) => parsed[i].facts.monkey_patches.extend(calls),
            None => other_facts
                .entry(caller)
                .or_insert_with(|| (files[caller].clone(), FileFacts::default()))
                .1
                .monkey_patches
                .extend(calls),
        }
    }
}
