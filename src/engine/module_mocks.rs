//! Mocks that reach eventlet through a project module.

use std::collections::HashMap;

use rayon::prelude::*;

use super::parsed::{Loading, Parsed, add_uses, read_source};
use crate::analysis::Use;
use crate::project::mock_paths::{EventletModules, FoundMocks, HeldName};
use crate::project::modules::ModuleGraph;
use crate::source::read_bytes;

/// Finds the mocks that reach eventlet through a project module (see
/// `project::mock_paths`) in the files that may patch: adds those that may
/// follow the code as uses of their files (loading a file that does not
/// mention eventlet for them), records the imports the patches make when
/// they start, and returns the module-level names the others hold, and
/// the uses added, by file.
pub(super) fn module_mocks(
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
        // A file that uses eventlet may also replace a module's eventlet
        // name by assignment (`edge_utils.eventlet = mock.Mock()`), which
        // names no patcher.
        (0..patching.len())
            .into_par_iter()
            .filter(|file| patching[*file] || position.contains_key(file))
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
