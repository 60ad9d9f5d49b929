//! The sites whose call reach is asked: which programs may run the lines
//! that use eventlet, through the calls that lead there.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use rayon::prelude::*;

use super::parsed::Parsed;
use crate::analysis::UseKind;
use crate::decide::tree_facts::{DefinitionsMentioning, NamesReadElsewhere};
use crate::project::call_reach::{self, CallReach, MockBlock};
use crate::project::modules::ModuleGraph;
use crate::python::outline::{Outline, name_key};
use crate::python::patchers::{self};
use crate::python::syntax::{Root, descendants, node_at, text};
use crate::source::LineIndex;

/// Which programs may run the lines of `parsed` that use eventlet, and
/// the monkey_patch() calls of `patch_sites`, by the code that may call
/// them.
pub(super) fn call_reach_of_uses(
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
pub(super) fn mock_blocks(parsed: &[Parsed]) -> Vec<MockBlock> {
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

/// By (file, name), a module-level name or `self` attribute of a file that
/// uses eventlet which a module importing that file mentions, with that
/// module's path: an object so held may be used there
/// (`state.POOL.spawn(...)`, `notifier._pending_events.get()`), out of the
/// sight of the file's own rewrite.
pub(super) fn names_read_elsewhere(
    parsed: &[Parsed],
    outlines: &[Outline],
    graph: &ModuleGraph,
    files: &[PathBuf],
) -> NamesReadElsewhere {
    let mut importers: HashMap<usize, Vec<usize>> = HashMap::new();
    for (importer, edges) in graph.edges.iter().enumerate() {
        for &imported in edges.at_import.iter().chain(&edges.later) {
            if imported != importer {
                importers.entry(imported).or_default().push(importer);
            }
        }
    }
    let mut found = NamesReadElsewhere::new();
    for p in parsed.iter().filter(|p| !p.shared_names.is_empty()) {
        for name in &p.shared_names {
            let key = name_key(name);
            let reader = importers
                .get(&p.file)
                .into_iter()
                .flatten()
                .find(|&&g| outlines[g].mentions_of(key).next().is_some());
            if let Some(&reader) = reader {
                found.insert((p.file, name.clone()), files[reader].display().to_string());
            }
        }
    }
    found
}

/// The words of the project's non-Python files that may load code by name.
pub(super) fn named_outside(discovered: &crate::discover::Discovered) -> HashSet<String> {
    call_reach::words_of(
        discovered
            .config_files
            .iter()
            .chain(&discovered.ini_files)
            .filter_map(|path| std::fs::read_to_string(path).ok()),
    )
}

/// The top-level definitions of the project that mention one of `names`
/// (module, definition, name), with the module's file: a function a
/// spawn starts in another module is checked as the spawning file is.
pub(super) fn definitions_mentioning(
    outlines: &[Outline],
    graph: &ModuleGraph,
    files: &[PathBuf],
    names: &[&str],
) -> DefinitionsMentioning {
    let keys: Vec<(u64, &str)> = names.iter().map(|n| (name_key(n), *n)).collect();
    let mut found = DefinitionsMentioning::new();
    for (file, outline) in outlines.iter().enumerate() {
        for &(key, name) in &keys {
            for mention in outline.mentions_of(key) {
                let Some(def) = mention.owner.map(|d| &outline.defs[d]) else {
                    continue;
                };
                let at = (graph.names[file].clone(), def.name.clone(), name.to_owned());
                found.insert(at, files[file].display().to_string());
            }
        }
    }
    found
}
