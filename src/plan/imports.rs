//! Which imports a round's rewrites remove and which they add: the one
//! place that owns the file's import bookkeeping. Eventlet imports leave
//! with their last use; every module a template or helper names gets a
//! name, from an import the file already has or from a new one.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::analysis::{FileAnalysis, UseKind};
use crate::python::bindings::{Bindings, ImportBinding, MODULE_SCOPE, Reads};
use crate::python::module_names::{ModuleRef, NewImport, name_module};
use crate::python::syntax::is_eventlet_path;
use crate::transform::Catalogue;

/// What identifies an import binding across rounds: the definitions it
/// is in, its name and its target. A function's own import of a name the
/// module imports too (a probe in a try) is another binding.
pub fn binding_key(bindings: &Bindings, b: &ImportBinding) -> (String, String, String) {
    (
        bindings.scope_path(b.scope),
        b.name.clone(),
        b.target.clone(),
    )
}

/// The import bindings (indices into `analysis.bindings.imports`) that
/// leave because every use of them is `consumed` by this round's rewrites.
/// Only imports that had uses before the first round (`originally_used`)
/// leave, never one the module exports or one whose name is ambiguous.
/// `import eventlet.greenio` also leaves with the last use in `text` that
/// goes through `eventlet.greenio`, when another import keeps the name
/// bound.
pub fn imports_leaving(
    analysis: &FileAnalysis,
    text: &str,
    consumed: &HashSet<usize>,
    catalogue: &Catalogue,
    originally_used: &HashSet<(String, String, String)>,
) -> HashSet<usize> {
    let bindings = &analysis.bindings;
    let mut remaining: HashMap<(usize, &str), usize> = HashMap::new();
    let mut ambiguous_names: HashSet<&str> = HashSet::new();
    let mut written_left: Vec<&str> = Vec::new();
    let mut written_consumed: Vec<&str> = Vec::new();
    for (i, u) in analysis.uses.iter().enumerate() {
        if u.kind == UseKind::Reference && consumed.contains(&i) {
            written_consumed.push(&text[u.range.clone()]);
        }
        if !matches!(u.kind, UseKind::Reference | UseKind::MockTarget) || consumed.contains(&i) {
            continue;
        }
        if u.ambiguous {
            ambiguous_names.insert(u.local.as_str());
        }
        if let Some(b) = u.named_import() {
            let b = &bindings.imports[b];
            *remaining.entry((b.scope, b.name.as_str())).or_default() += 1;
        }
        if u.kind == UseKind::Reference {
            written_left.push(&text[u.range.clone()]);
        }
    }
    let leaves = |b: &ImportBinding| {
        // An eventlet import, or one of a library's API (`from futurist
        // import GreenThreadPoolExecutor`).
        (is_eventlet_path(&b.target) || catalogue.api(&b.target).is_some())
            && originally_used.contains(&binding_key(bindings, b))
            && !ambiguous_names.contains(b.name.as_str())
            && !(b.scope == MODULE_SCOPE && analysis.exported.contains(&b.name))
    };
    // `import a.b` binds `a` and loads `a.b`: needed while a use left goes
    // through `a.b`, or to bind `a` if no other import does.
    let through = |written: &&str, path: &str| {
        written
            .strip_prefix(path)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    };
    let used_through = |path: &str| written_left.iter().any(|w| through(w, path));
    // Only with the last use through it: one never used so (cinder's
    // `import eventlet.tpool` before monkey_patch()) is there for what
    // importing it does.
    let last_use_goes = |path: &str| written_consumed.iter().any(|w| through(w, path));
    let submodule = |b: &ImportBinding| {
        let path = &text[b.clause.clone()];
        let dotted = path.contains('.')
            && path
                .split('.')
                .all(|part| !part.is_empty() && !part.contains(char::is_whitespace));
        (!b.from_import && dotted).then_some(path)
    };
    let submodule_unused = |b: &ImportBinding| {
        submodule(b).is_some_and(|path| last_use_goes(path) && !used_through(path))
            && bindings.imports.iter().any(|other| {
                let binds_name = other.scope == b.scope
                    && !other.from_import
                    && other.name == b.name
                    && other.clause != b.clause;
                let kept = match submodule(other) {
                    Some(path) => used_through(path),
                    None => text[other.clause.clone()] == other.name,
                };
                binds_name && kept
            })
    };
    bindings
        .imports
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            leaves(b)
                && (!remaining.contains_key(&(b.scope, b.name.as_str())) || submodule_unused(b))
        })
        .map(|(i, _)| i)
        .collect()
}

/// The expression naming each module the round's rewrites use, and the
/// imports to add: those that give the modules their names, then the
/// retargeted from-imports (`retargeted`, whose member names are taken),
/// sorted, each once. `freed` names lose their only binding in the round.
/// `read_at` gives, by module, the offsets where its name is read (none:
/// only at module level, as a helper defined there reads it); without it,
/// a name bound anywhere in the file is taken.
pub fn imports_added<'m>(
    modules: BTreeSet<&'m str>,
    read_at: Option<&HashMap<&str, Vec<usize>>>,
    bindings: &Bindings,
    leaving: &HashSet<usize>,
    retargeted: Vec<NewImport>,
    retargeted_names: &[String],
    freed: &[String],
) -> (HashMap<&'m str, String>, Vec<NewImport>) {
    let mut names: HashMap<&str, String> = HashMap::new();
    let mut new_imports: Vec<NewImport> = Vec::new();
    for module in modules {
        // A name a retargeted import binds to a member is not free either.
        let chosen: Vec<String> = names.values().chain(retargeted_names).cloned().collect();
        let read = match read_at {
            Some(sites) => Reads::At(sites.get(module).map_or(&[], Vec::as_slice)),
            None => Reads::Anywhere,
        };
        let (expr, import) = name_module(
            ModuleRef::parse(module),
            bindings,
            read,
            leaving,
            &chosen,
            freed,
        );
        new_imports.extend(import);
        names.insert(module, expr);
    }
    new_imports.extend(retargeted);
    new_imports.sort_by_key(|i| i.key.to_ascii_lowercase());
    // A retargeted `import socket` may be the one a template needs too.
    new_imports.dedup_by(|a, b| a.statement == b.statement);
    (names, new_imports)
}
