//! The facts narrow mocks need of the project's files (see
//! `decide::narrow_mock`): each module's file, the files whose code uses
//! an API a narrow transform takes, and whether each such file's own name
//! for the target's module may become a mock passing calls through.

use std::collections::HashSet;

use super::parsed::Parsed;
use crate::analysis::{Use, UseKind};
use crate::decide::narrow_mock::{NarrowFacts, fits};
use crate::project::modules::ModuleGraph;
use crate::python::syntax::Root;
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
        let code: Vec<(ApiId, &Use)> = p
            .analysis
            .uses
            .iter()
            .filter(|u| u.kind == UseKind::Reference)
            .filter_map(|u| u.api.filter(|a| apis.contains(a)).map(|api| (api, u)))
            .collect();
        if code.is_empty() {
            continue;
        }
        let tree = p.tree();
        let root = Root::new(tree.root_node());
        for (api, u) in code {
            // A name read alone was bound at import: no mock of an
            // attribute reaches it.
            let lookup = u.lookup(&root, &p.analysis.bindings, &p.source.text);
            let read = if lookup.bare {
                String::new()
            } else {
                lookup.path
            };
            facts
                .code_files
                .entry(api)
                .or_default()
                .entry(p.file)
                .or_default()
                .insert(read);
        }
        for (api, module, member) in &targets {
            if facts
                .code_files
                .get(api)
                .is_some_and(|f| f.contains_key(&p.file))
            {
                let fit = fits(tree.root_node(), &p.source.text, module, member);
                facts
                    .fits
                    .insert((p.file, format!("{module}.{member}")), fit);
            }
        }
    }
    facts
}
