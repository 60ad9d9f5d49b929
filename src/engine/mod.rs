//! One run over a project: discover its files, read every file's imports
//! and parse and analyse those that mention eventlet (in parallel), find the
//! programs that run the code and what each does, then decide and rewrite
//! every file within the paths given.

mod config_rewrite;
mod decisions;
mod first_read;
mod green_uses;
mod helpers_placement;
mod library;
mod mock_tallies;
mod module_mocks;
mod narrow_mocks;
mod options;
mod parsed;
mod program_model;
mod reach;
mod reassigned;
mod rewritten;
mod run_cache;
mod switch;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use rayon::prelude::*;

use crate::analysis::{UseKind, rpc_listener_calls};
use crate::cache;
use crate::discover::{discover, mentions_eventlet};
use crate::helpers_home::Helpers;
use crate::outcome::{Action, KeptFor, RunResult, Skipped};
use crate::plan::rewrite::{Mode, rewrite_file};
use crate::project::helpers_module::HelpersPlace;
use crate::project::metadata::declared_name;
use crate::project::modules::ModuleGraph;
use crate::project::requirements::RequirementFloors;
use crate::project::{Scope, Shown};
use crate::python::config_options::{Bound, ProjectBounds};
use crate::python::environment_settings::may_set;
use crate::python::import_scan::ImportScan;
use crate::python::module_constants;
use crate::python::syntax::is_eventlet_path;
use crate::source::{StandIn, line_col, read_bytes};
use crate::transform::{Catalogue, Shape, Transform};

use config_rewrite::{Settling, add_environment_settings, config_file, eventlet_left};
use decisions::matcher;
use first_read::{FirstRead, first_read, stdlib_calls_in_use};
use green_uses::settle_green_uses;
use helpers_placement::{Nearer, helper_with_alias, nearer_helpers, place_helpers};
use library::{
    eventlet_runtime, green_starting_imports, installed_imports, installed_patch_functions,
};
use mock_tallies::settle_mock_tallies;
use module_mocks::module_mocks;
use narrow_mocks::narrow_facts;
pub use options::{Options, TREE_BUDGET};
use parsed::{Loading, Parsed, Read, ToLoad, TreeBudget, load, read};
use program_model::ProgramModel;
use reach::{call_reach_of_uses, definitions_mentioning, named_outside, names_read_elsewhere};
use reassigned::reassigned_apis;
use rewritten::Rewritten;
use run_cache::{cache_key, cache_slot, from_cache, to_cache};
use switch::{mark_with_switch, rewrite_switched, the_switch, uses_with_switch};

/// One run over the project of `options`. Which files call the helpers is
/// known only once the rewrites are made: where a new default helpers
/// module would be imported by tests and tools only, or by one file, the
/// run is made again with the helpers nearer them (kept where they are when
/// that file would import one of their modules under an alias).
pub fn run(catalogue: &Catalogue, options: &Options) -> Result<RunResult> {
    let result = run_once(catalogue, options)?;
    if options.helpers != HelpersPlace::Default {
        return Ok(result);
    }
    match nearer_helpers(&result, catalogue) {
        Nearer::Here => Ok(result),
        Nearer::KeptFor(site) => {
            let mut result = result;
            result.helpers.kept_for = Some(site);
            Ok(result)
        }
        Nearer::Moved(moved) => {
            let again = Options {
                helpers: moved.to.clone(),
                ..options.clone()
            };
            let mut again = run_once(catalogue, &again)?;
            // An import under an alias is what a reviewer would send back.
            if moved.to == HelpersPlace::InFiles {
                if let Some(file) = helper_with_alias(&again, catalogue) {
                    let mut result = result;
                    result.helpers.kept_for = Some(KeptFor::NameTaken(file));
                    return Ok(result);
                }
            }
            again.helpers.moved = Some(moved);
            Ok(again)
        }
    }
}

fn run_once(catalogue: &Catalogue, options: &Options) -> Result<RunResult> {
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
    let budget = TreeBudget::new(options.tree_budget.unwrap_or(TREE_BUDGET));
    let FirstRead {
        scans,
        declared,
        patching,
        patchers,
        outlines,
        by_name,
        mut trees,
        rpc_servers,
        thread_locals: thread_locals_by_file,
        stdlib_mocks,
    } = first_read(
        &read,
        &discovered.files,
        &budget,
        stand_in,
        &stdlib_calls_in_use(&read, catalogue),
    );
    let helpers = Helpers::find(
        catalogue,
        &root,
        &discovered.files,
        &options.helpers,
        in_scope,
    );
    let mut to_load: Vec<ToLoad> = Vec::new();
    // Files that mention eventlet (or could not be read) but give no facts:
    // they may start green threads and may monkey-patch anything.
    let mut unreadable: Vec<(usize, Skipped)> = Vec::new();
    // Files that do not mention eventlet but may set its variables.
    let mut may_set_variables: Vec<usize> = Vec::new();
    for (file, r) in read.into_iter().enumerate() {
        match r {
            Read::Eventlet(path, bytes) => to_load.push(ToLoad {
                file,
                path,
                bytes,
                tree: trees[file].take(),
            }),
            Read::Failed(skipped) => unreadable.push((file, skipped)),
            Read::NoEventlet(_, may_set) => {
                if may_set {
                    may_set_variables.push(file);
                }
            }
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
        green_starting_imports(&scans, &graph, catalogue),
        installed_patch_functions(&scans, &graph, catalogue),
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
    let mentioning = definitions_mentioning(
        &outlines,
        &graph,
        &discovered.files,
        &catalogue.refused_identifiers(),
    );
    let shared = names_read_elsewhere(&parsed, &outlines, &graph, &discovered.files);
    let model = model
        .reaching_by_calls(reach)
        .mentioning(mentioning)
        .reading_names(shared);
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
    facts.set_reassigned(reassigned_apis(&parsed));
    facts.set_stdlib_mocks(stdlib_mocks, &graph, &discovered.files, &scans);
    facts.set_narrow_facts(narrow_facts(&parsed, &graph, catalogue));
    facts.patchers = patchers.clone();
    facts.requirement_floors = RequirementFloors::read(&root);
    facts.project_name = declared_name(&root);
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
    let installed = installed_imports(&parsed, &scans, &graph);
    settle_mock_tallies(
        &mut facts, &parsed, &installed, catalogue, options, &helpers,
    );
    let mut switched = facts.switched();
    settle_mock_tallies(
        &mut switched,
        &parsed,
        &installed,
        catalogue,
        options,
        &helpers,
    );
    let with_switch = uses_with_switch(&parsed, catalogue, &switched, options, &helpers);
    let facts = facts;
    // Only the files within the paths are rewritten.
    parsed.retain(|p| p.in_scope);
    // A configuration file's fate depends on the rewritten Python files, and
    // so does that of a setting of eventlet's variables in code.
    let findings_only = options.findings_only
        && !discovered
            .config_files
            .iter()
            .any(|p| std::fs::read(p).is_ok_and(|b| mentions_eventlet(&b.to_ascii_lowercase())))
        && may_set_variables.is_empty()
        && !parsed.iter().any(|p| may_set(p.source.text.as_bytes()));
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
    let the_switch = the_switch(&rewritten, &facts, switched, catalogue);
    if let Some(switch_facts) =
        the_switch.filter(|_| result.skipped.is_empty() && outside.is_none())
    {
        rewrite_switched(
            &mut rewritten,
            &switch_facts,
            catalogue,
            options,
            &helpers,
            &mocks_through,
            mode,
        );
    }
    // Where eventlet stays: an import, a library's member that imports it
    // (futurist's green executor), or a test's mock of an eventlet name
    // (the patch imports it when it starts), named as `path:line`.
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
                .or_else(|| {
                    f.findings
                        .iter()
                        .filter(|x| x.action == Action::Manual && x.kind == UseKind::MockTarget)
                        .find(|x| is_eventlet_path(&x.api))
                        .map(|x| format!("{path}:{}, where a mock of {} imports it", x.line, x.api))
                })
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
    let left = eventlet_left(&result, &eventlet_kept, outside.is_some());
    let left = left
        .as_ref()
        .map(|(site, with_switch)| (site.as_str(), *with_switch));
    // Settings of eventlet's variables in code, in its files and others.
    let others = may_set_variables
        .into_iter()
        .map(|file| discovered.files[file].as_path())
        .filter(|path| in_scope(path));
    let settling = Settling {
        selection: &options.selection,
        eventlet_left: left,
    };
    add_environment_settings(&mut result.files, others, catalogue, &settling, stand_in);
    if !config_transforms.is_empty() && !discovered.config_files.is_empty() {
        for path in discovered.config_files.iter().filter(|p| in_scope(p)) {
            match config_file(
                path,
                &config_transforms,
                catalogue,
                &options.selection,
                left,
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
