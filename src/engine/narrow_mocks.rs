//! The facts narrow mocks need of the project's files (see
//! `decide::narrow_mock`): each module's file, the files whose code uses
//! an API a narrow transform takes, and whether each such file's own name
//! for the target's module may become a mock passing calls through.

use std::collections::HashSet;

use super::parsed::Parsed;
use crate::analysis::{Use, UseKind};
use crate::decide::narrow_mock::{NarrowFacts, UNKNOWN_PATH, fits};
use crate::project::modules::ModuleGraph;
use crate::python::bindings::Bindings;
use crate::transform::{ApiId, Catalogue, MockForm};

pub(super) fn narrow_facts(
    parsed: &[Parsed],
    graph: &ModuleGraph,
    catalogue: &Catalogue,
) -> NarrowFacts {
    // (API, the module and member its mock would patch: `time`, `sleep`).
    let targets: Vec<(ApiId, String, String)> = catalogue
        .transforms
        .iter()
        .filter(|t| t.mock_form == MockForm::Narrow)
        .flat_map(|t| t.apis.iter().map(move |api| (*api, t.mock_target(*api))))
        .filter_map(|(api, target)| {
            let (module, member) = target?
                .rsplit_once('.')
                .map(|(m, n)| (m.to_owned(), n.to_owned()))?;
            Some((api, module, member))
        })
        .collect();
    if targets.is_empty() {
        return NarrowFacts::default();
    }
    let apis: HashSet<ApiId> = targets.iter().map(|(api, _, _)| *api).collect();
    let mut facts = NarrowFacts::default();
    for (file, name) in graph.names.iter().enumerate() {
        facts.module_files.entry(name.clone()).or_insert(file);
    }
    for p in parsed {
        for u in &p.analysis.uses {
            if let Some(api) = u
                .api
                .filter(|a| u.kind == UseKind::Reference && apis.contains(a))
            {
                facts
                    .code_files
                    .entry(api)
                    .or_default()
                    .entry(p.file)
                    .or_default()
                    .insert(looked_up_at(u, &p.analysis.bindings, &p.source.text));
            }
        }
    }
    for p in parsed {
        for (api, module, member) in &targets {
            if !facts
                .code_files
                .get(api)
                .is_some_and(|f| f.contains_key(&p.file))
            {
                continue;
            }
            let tree = p.tree();
            let fit = fits(tree.root_node(), &p.source.text, module, member);
            facts
                .fits
                .insert((p.file, format!("{module}.{member}")), fit);
        }
    }
    facts
}

/// The attribute a call through the use `u` looks its API up at when it
/// runs (`eventlet.sleep`, `eventlet.greenthread.sleep`), which a mock of
/// that attribute replaces: empty for a name bound at import (`from
/// eventlet import sleep`), which no such mock reaches.
fn looked_up_at(u: &Use, bindings: &Bindings, source: &str) -> String {
    let written: String = source[u.range.clone()].split_whitespace().collect();
    let Some(rest) = written
        .strip_prefix(u.local.as_str())
        .filter(|rest| rest.starts_with('.'))
    else {
        return String::new();
    };
    match u.import.filter(|_| !u.ambiguous) {
        Some(import) => format!("{}{rest}", bindings.imports[import].target),
        None => UNKNOWN_PATH.to_owned(),
    }
}
