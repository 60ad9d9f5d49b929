//! The programs of the project, and the facts of the files they run.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::parsed::Parsed;
use crate::analysis::UseKind;
use crate::decide::tree_facts::{
    DefinitionsMentioning, FileFacts, FunctionCall, NamesReadElsewhere, PatchCall, PatchFunction,
    ProgramRun, ProjectFacts, function_calls,
};
use crate::outcome::{ProjectSummary, Skipped};
use crate::project::call_reach::CallReach;
use crate::project::mock_paths::HeldName;
use crate::project::modules::ModuleGraph;
use crate::project::programs::{self, FileInfo, Program, ProgramKind};
use crate::python::import_scan::ImportScan;
use crate::python::parse::parse;
use crate::source::{StandIn, read_bytes};
use crate::transform::ApiId;

/// The programs of the project, and the facts of the files they run.
pub(super) struct ProgramModel {
    pub(super) programs: Vec<Program>,
    pub(super) library: bool,
    /// The facts of files not parsed for their eventlet uses: those that
    /// mention eventlet and could not be read (unknown, so worst-case), and
    /// those that call another file's patch function.
    pub(super) other_facts: HashMap<usize, (PathBuf, FileFacts)>,
    pub(super) unresolved: Vec<String>,
    pub(super) assumed: Option<BTreeSet<String>>,
    /// Per file, the module-level names tests replace there.
    pub(super) held: HashMap<usize, Vec<HeldName>>,
    /// Which programs may run the lines of functions that use eventlet.
    pub(super) call_reach: Arc<CallReach>,
    /// The monkey_patch() calls made inside functions (of monkey_patch()
    /// itself, or of a patch function), as call reach sites: (file, byte
    /// offset, line), sorted.
    pub(super) patch_sites: Vec<(usize, usize, usize)>,
    /// The top-level definitions that mention a name a `no-identifier`
    /// guard refuses.
    pub(super) mentioning: Arc<DefinitionsMentioning>,
    /// Module-level names and `self` attributes of files using eventlet
    /// that their importers mention.
    pub(super) names_read_elsewhere: Arc<NamesReadElsewhere>,
}

impl ProgramModel {
    // The project's facts as the run gathered them, each in its own form.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        root: &Path,
        graph: &ModuleGraph,
        files: &[PathBuf],
        scans: &[ImportScan],
        parsed: &mut [Parsed],
        unreadable: &[(usize, Skipped)],
        green_imports: HashMap<usize, (String, usize)>,
        installed_patchers: HashMap<usize, Vec<PatchFunction>>,
        assumed: Option<BTreeSet<String>>,
        stand_in: Option<&StandIn>,
    ) -> ProgramModel {
        let mut other_facts: HashMap<usize, (PathBuf, FileFacts)> = unreadable
            .iter()
            .map(|(file, s)| (*file, (s.path.clone(), FileFacts::unreadable())))
            .collect();
        patch_function_calls(
            files,
            graph,
            parsed,
            &mut other_facts,
            &installed_patchers,
            stand_in,
        );
        // Files that start green threads through an installed module.
        let position: HashMap<usize, usize> = parsed
            .iter()
            .enumerate()
            .map(|(i, p)| (p.file, i))
            .collect();
        for (file, import) in green_imports {
            let facts = match position.get(&file) {
                Some(&i) => &mut parsed[i].facts,
                None => {
                    let (_, facts) = other_facts
                        .entry(file)
                        .or_insert_with(|| (files[file].clone(), FileFacts::default()));
                    facts
                }
            };
            facts.green_import = Some(import);
        }
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
                    relevant: parsed.is_some()
                        || unreadable.iter().any(|(f, _)| *f == i)
                        || facts.is_some_and(|f| f.green_import.is_some()),
                    calls_at_import: facts
                        .map(|f| f.monkey_patches.iter().map(|c| c.at_import).collect())
                        .unwrap_or_default(),
                    resolver_choice: scans[i].resolver_choice(),
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
            mentioning: Arc::default(),
            names_read_elsewhere: Arc::default(),
        }
    }

    /// The same model, with the module-level names tests replace.
    pub(super) fn holding(self, held: HashMap<usize, Vec<HeldName>>) -> ProgramModel {
        ProgramModel { held, ..self }
    }

    /// The files that patch inside a function, sorted.
    pub(super) fn patching_files(&self) -> Vec<usize> {
        let mut files: Vec<usize> = self.patch_sites.iter().map(|site| site.0).collect();
        files.dedup();
        files
    }

    /// The same model, knowing which programs may run the lines that start
    /// green threads.
    pub(super) fn reaching_by_calls(self, call_reach: CallReach) -> ProgramModel {
        ProgramModel {
            call_reach: Arc::new(call_reach),
            ..self
        }
    }

    /// The same model, knowing which module-level names and `self`
    /// attributes of files using eventlet their importers mention.
    pub(super) fn reading_names(self, names: NamesReadElsewhere) -> ProgramModel {
        ProgramModel {
            names_read_elsewhere: Arc::new(names),
            ..self
        }
    }

    /// The same model, knowing which definitions mention the names that
    /// `no-identifier` guards refuse.
    pub(super) fn mentioning(self, mentioning: DefinitionsMentioning) -> ProgramModel {
        ProgramModel {
            mentioning: Arc::new(mentioning),
            ..self
        }
    }

    /// The facts of the programs, from the files' facts as they are now.
    pub(super) fn facts(&self, parsed: &[Parsed]) -> ProjectFacts {
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
                // A library's user may load eventlet before the library.
                greendns_off: p.greendns_off && !(self.library && p.kind == ProgramKind::Importer),
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
        facts.set_eventlet_tests(
            parsed
                .iter()
                .filter(|p| programs::is_named_for_eventlet_test(&p.source.path))
                .map(|p| p.file)
                .collect(),
        );
        facts.set_definitions_mentioning(Arc::clone(&self.mentioning));
        facts.set_names_read_elsewhere(Arc::clone(&self.names_read_elsewhere));
        facts.set_block_mocks_without_code(self.block_mocks_without_code(parsed));
        facts
    }

    /// The mocks made by a `with` block that runs no code use of the
    /// mocked API while it is active.
    pub(super) fn block_mocks_without_code(&self, parsed: &[Parsed]) -> HashSet<(usize, usize)> {
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
    pub(super) fn summary(
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
pub(super) type CallerRead = (
    usize,
    Option<String>,
    Option<HashMap<String, Vec<FunctionCall>>>,
);

/// Records, as monkey_patch() calls of their own, the calls of patch
/// functions (a function that calls monkey_patch(), or one that calls such
/// a function, to any depth) in the files that import the file defining
/// them, or, for the installed ones, the module (`installed`, by caller):
/// in the facts of parsed files, or in `other_facts`, parsing the caller.
pub(super) fn patch_function_calls(
    files: &[PathBuf],
    graph: &ModuleGraph,
    parsed: &mut [Parsed],
    other_facts: &mut HashMap<usize, (PathBuf, FileFacts)>,
    installed: &HashMap<usize, Vec<PatchFunction>>,
    stand_in: Option<&StandIn>,
) {
    let mut functions: HashMap<usize, Vec<PatchFunction>> = parsed
        .iter()
        .filter(|p| !p.facts.patch_functions.is_empty())
        .map(|p| (p.file, p.facts.patch_functions.clone()))
        .collect();
    if functions.is_empty() && installed.is_empty() {
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
                    .chain(installed.get(&caller))
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
