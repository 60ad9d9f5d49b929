//! The compiled catalogue and the questions the engine asks it: which
//! API a dotted name is, which transforms may rewrite it, which helpers
//! a rewrite needs. Loading it is `compile`'s job.

use std::collections::HashMap;

use super::model::{
    Api, ApiId, CAUGHT_BY_MOCK, CaseAction, Difference, DifferenceId, ESCAPED_MOCK, Family, Guard,
    Helper, PatchWrapper, RESOLVER, Requirement, Shape, Transform, TransformId, UNPATCHED_LOCALS,
    UNPATCHED_PROGRAM, UNPATCHED_RUNS, UNPATCHED_THREADS,
};
use super::template::Template;
use crate::python::import_order::is_stdlib;
use crate::python::module_names::ModuleRef;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_transforms.rs"));
}

#[derive(Debug, Default)]
pub struct Catalogue {
    /// A hash of every source it was loaded from (for the result cache).
    pub fingerprint: String,
    pub families: Vec<Family>,
    pub apis: Vec<Api>,
    pub transforms: Vec<Transform>,
    pub helpers: Vec<Helper>,
    pub differences: Vec<Difference>,
    pub(super) api_index: HashMap<String, ApiId>,
    pub(super) by_api: HashMap<ApiId, Vec<TransformId>>,
}

pub use crate::python::stdlib_mocks::StdlibTarget;

#[derive(Debug, thiserror::Error)]
#[error("invalid transform catalogue:\n{}", .0.join("\n"))]
pub struct CatalogueError(pub Vec<String>);

impl Catalogue {
    /// Every module a rewrite may name (`{@module}` in templates and helpers).
    fn modules(&self) -> impl Iterator<Item = ModuleRef<'_>> {
        self.transforms
            .iter()
            .flat_map(|t| &t.cases)
            .filter_map(|c| match &c.action {
                CaseAction::Replace(templates) => Some(templates.values()),
                CaseAction::Manual(_) => None,
            })
            .flatten()
            .chain(self.helpers.iter().map(|h| &h.code))
            .flat_map(|template| template.modules())
            .map(ModuleRef::parse)
    }

    /// The catalogued APIs of libraries other than eventlet that run on it
    /// (`futurist.GreenThreadPoolExecutor`).
    fn library_apis(&self) -> impl Iterator<Item = &str> {
        self.apis
            .iter()
            .filter(|api| api.library)
            .map(|api| api.name.as_str())
    }

    /// The names some transform's `no-identifier` guard refuses.
    pub fn refused_identifiers(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .transforms
            .iter()
            .flat_map(|t| &t.guards)
            .filter_map(|g| match g {
                Guard::NoIdentifier(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The installed modules outside eventlet that start green threads
    /// themselves (`called_by` of an API that starts them: oslo.service's
    /// looping calls).
    pub fn green_starting_modules(&self) -> Vec<&str> {
        self.installed_callers(|api| api.green)
    }

    /// The installed modules outside eventlet that call its APIs themselves
    /// (`called_by`: oslo.service's launcher and thread groups,
    /// oslo.vmware; the modules of patch wrappers): a process that imports
    /// one keeps running on eventlet, whatever the project's own code does.
    pub fn eventlet_runtime_modules(&self) -> Vec<&str> {
        let mut modules = self.installed_callers(|_| true);
        modules.extend(
            self.patch_wrappers()
                .filter_map(|w| Some(w.function.rsplit_once('.')?.0)),
        );
        modules.sort_unstable();
        modules.dedup();
        modules
    }

    /// The modules outside eventlet that call the APIs `of` picks, each
    /// once, sorted.
    fn installed_callers(&self, of: impl Fn(&Api) -> bool) -> Vec<&str> {
        let mut modules: Vec<&str> = self
            .apis
            .iter()
            .filter(|api| of(api))
            .flat_map(|api| &api.called_by)
            .map(String::as_str)
            .filter(|m| m.split('.').next() != Some("eventlet"))
            .collect();
        modules.sort_unstable();
        modules.dedup();
        modules
    }

    /// The installed functions that monkey-patch for their callers.
    pub fn patch_wrappers(&self) -> impl Iterator<Item = &PatchWrapper> {
        self.apis.iter().flat_map(|api| &api.wrappers)
    }

    /// Their top-level packages (`futurist`).
    pub fn library_tops(&self) -> impl Iterator<Item = &str> {
        self.library_apis()
            .filter_map(|name| name.split('.').next())
    }

    /// Their own names (`GreenThreadPoolExecutor`).
    pub fn library_members(&self) -> impl Iterator<Item = &str> {
        self.library_apis()
            .filter_map(|name| name.rsplit('.').next())
    }

    /// The top-level packages of the modules rewrites name.
    pub fn module_tops(&self) -> impl Iterator<Item = &str> {
        self.modules().map(|m| m.top())
    }

    /// The names a rewrite may look up or bind: to name a module, or to
    /// define a helper (in its file, or as the shared helpers module does).
    pub fn names_rewrites_consider(&self) -> impl Iterator<Item = String> {
        self.modules().flat_map(|m| m.names_considered()).chain(
            self.helpers
                .iter()
                .flat_map(|h| [h.name.clone(), h.public_name().to_owned()]),
        )
    }

    /// The one module (`import module`) that every rewrite of the API's
    /// uses in code names, if there is one (`time` for eventlet's sleep):
    /// a file whose uses are all rewritten then binds it.
    pub fn module_named_by(&self, api: ApiId) -> Option<&str> {
        let mut named: Option<&str> = None;
        for t in self.transforms_for(api) {
            let t = &self.transforms[*t];
            if t.shape == Shape::MockTarget {
                continue;
            }
            for case in &t.cases {
                let CaseAction::Replace(templates) = &case.action else {
                    continue;
                };
                let modules: std::collections::BTreeSet<&str> = templates[&api]
                    .modules()
                    .filter(|m| matches!(ModuleRef::parse(m), ModuleRef::Import(_)))
                    .collect();
                let [module] = modules.into_iter().collect::<Vec<_>>()[..] else {
                    return None;
                };
                if *named.get_or_insert(module) != module {
                    return None;
                }
            }
        }
        named
    }

    pub fn helper(&self, name: &str) -> Option<&Helper> {
        self.helpers.iter().find(|h| h.name == name)
    }

    /// The helpers named, and those their code calls in turn, each once,
    /// each after the helpers it calls.
    pub fn helpers_needed<'a, 'n>(
        &'a self,
        names: impl IntoIterator<Item = &'n str>,
    ) -> Vec<&'a Helper> {
        fn visit<'a>(catalogue: &'a Catalogue, name: &str, needed: &mut Vec<&'a Helper>) {
            if needed.iter().any(|h| h.name == name) {
                return;
            }
            let helper = catalogue
                .helper(name)
                .expect("validated: templates and helpers call known helpers");
            for called in helper.code.helpers() {
                visit(catalogue, called, needed);
            }
            needed.push(helper);
        }
        let mut needed = Vec::new();
        for name in names {
            visit(self, name, &mut needed);
        }
        needed
    }

    pub fn builtin() -> Result<Catalogue, CatalogueError> {
        Catalogue::load(builtin::BUILTIN)
    }

    /// Loads `(file name, TOML text)` sources; later files may not redefine
    /// an API or a transform id of an earlier one.
    pub fn load(sources: &[(&str, &str)]) -> Result<Catalogue, CatalogueError> {
        Catalogue::load_with(sources, None)
    }

    /// The built-in catalogue with a project's additions: its `[[api]]` and
    /// `[[transform]]` entries (a transform with a built-in id replaces it).
    pub fn with_project(file: &str, project: toml::Table) -> Result<Catalogue, CatalogueError> {
        Catalogue::load_with(builtin::BUILTIN, Some((file, project)))
    }
    /// The API a dotted name (canonical or alias) stands for.
    pub fn api(&self, dotted: &str) -> Option<ApiId> {
        self.api_index.get(dotted).copied()
    }

    pub fn transforms_for(&self, api: ApiId) -> &[TransformId] {
        self.by_api.get(&api).map_or(&[], |v| v.as_slice())
    }

    /// The differences the rewrites of the API's mocks may have.
    pub fn mock_differences(&self, api: ApiId) -> Vec<DifferenceId> {
        self.transforms_for(api)
            .iter()
            .map(|id| &self.transforms[*id])
            .filter(|t| t.shape == Shape::MockTarget)
            .flat_map(|t| t.cases.iter().flat_map(|c| c.differences.iter().copied()))
            .collect()
    }

    /// The transforms whose rewrites may have a difference: a case of
    /// theirs names it, or a condition of theirs holds with it (a
    /// native-or-patched requirement in a program that does not always
    /// patch; a same-resolver one where lookups change resolver; a sleep
    /// leaving a mock that only skips its wait; a stdlib call that a test
    /// mocks).
    pub fn transforms_with(&self, difference: DifferenceId) -> Vec<&Transform> {
        let id = self.differences[difference].id.as_str();
        // Every use of it starts threads, or gives per-thread state: it
        // never takes the blocking call's unpatched differences.
        let never_blocks = |a: ApiId| {
            let api = &self.apis[a];
            (api.green && api.green_members.is_empty())
                || (api.per_thread && api.per_thread_members.is_empty())
        };
        let relaxable = |t: &Transform| {
            t.requires
                .iter()
                .any(|r| matches!(r, Requirement::NativeOrPatched(_)))
        };
        self.transforms
            .iter()
            .filter(|t| {
                t.cases.iter().any(|c| c.differences.contains(&difference))
                    || t.member_differences().any(|d| d == id)
                    || match id {
                        UNPATCHED_RUNS | UNPATCHED_PROGRAM => {
                            relaxable(t) && !t.apis.iter().all(|a| never_blocks(*a))
                        }
                        UNPATCHED_THREADS => {
                            relaxable(t) && t.apis.iter().any(|a| self.apis[*a].green)
                        }
                        UNPATCHED_LOCALS => {
                            relaxable(t) && t.apis.iter().any(|a| self.apis[*a].per_thread)
                        }
                        RESOLVER => t.requires.contains(&Requirement::SameResolver),
                        CAUGHT_BY_MOCK => stdlib_calls_of(t).next().is_some(),
                        ESCAPED_MOCK => {
                            t.shape != Shape::MockTarget
                                && t.apis.iter().any(|a| self.apis[*a].only_waits)
                        }
                        _ => false,
                    }
            })
            .collect()
    }

    pub fn difference_by_id(&self, id: &str) -> Option<DifferenceId> {
        self.differences.iter().position(|d| d.id == id)
    }

    pub fn transform_by_id(&self, id: &str) -> Option<&Transform> {
        self.transforms.iter().find(|t| t.id == id)
    }

    /// What the rewrites of `api` put in its place from the standard
    /// library (`time.sleep` for eventlet's sleep). None where they name no
    /// stdlib module, or differ by context (a Timeout becomes `queue.Empty`
    /// around a queue's get, `subprocess.TimeoutExpired` around a wait).
    pub fn stdlib_target(&self, api: ApiId) -> Option<StdlibTarget> {
        let mut named = self
            .transforms_for(api)
            .iter()
            .flat_map(|&t| &self.transforms[t].cases)
            .filter_map(|c| match &c.action {
                CaseAction::Replace(templates) => templates.get(&api),
                CaseAction::Manual(_) => None,
            })
            .filter_map(Template::first_module);
        let (spec, member) = named.next()?;
        if named.any(|other| other != (spec, member)) {
            return None;
        }
        let module = ModuleRef::parse(spec).dotted();
        is_stdlib(&module).then(|| StdlibTarget {
            module,
            member: member.map(str::to_owned),
        })
    }

    /// Every stdlib module, or member of one, that rewrites in code may
    /// call, themselves or in the helpers they call (a test's mock of one
    /// catches the rewritten call).
    pub fn stdlib_calls(&self) -> Vec<StdlibTarget> {
        let mut calls: Vec<StdlibTarget> = Vec::new();
        let in_helpers = self.helpers.iter().flat_map(|h| stdlib_names(&h.code));
        for target in self
            .transforms
            .iter()
            .flat_map(stdlib_calls_of)
            .chain(in_helpers)
        {
            if !calls.contains(&target) {
                calls.push(target);
            }
        }
        calls
    }

    pub fn family_name(&self, api: ApiId) -> &str {
        &self.families[self.apis[api].family].name
    }
}

/// The stdlib modules, or members of them, that a transform's rewrites in
/// code call.
fn stdlib_calls_of(t: &Transform) -> impl Iterator<Item = StdlibTarget> + '_ {
    let code = !matches!(t.shape, Shape::MockTarget | Shape::Config);
    t.cases
        .iter()
        .filter(move |_| code)
        .filter_map(|c| match &c.action {
            CaseAction::Replace(templates) => Some(templates.values()),
            CaseAction::Manual(_) => None,
        })
        .flatten()
        .flat_map(stdlib_names)
}

/// The stdlib modules a template names, each with the member it reads.
pub fn stdlib_names(template: &Template) -> impl Iterator<Item = StdlibTarget> + '_ {
    template
        .module_members()
        .map(|(spec, member)| StdlibTarget {
            module: ModuleRef::parse(spec).dotted(),
            member: member.map(str::to_owned),
        })
        .filter(|target| is_stdlib(&target.module))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_rule_names_known_differences_and_leaves_out_only_its_then() {
        let loaded = |from: &str, to: &str| {
            let sources: Vec<(&str, String)> = builtin::BUILTIN
                .iter()
                .map(|(name, text)| (*name, text.replace(from, to)))
                .collect();
            let sources: Vec<(&str, &str)> =
                sources.iter().map(|(n, t)| (*n, t.as_str())).collect();
            Catalogue::load(&sources).err().map(|e| e.to_string())
        };
        let printer = r#"then = ".add_done_callback({def:_print_exception})", "#;
        let unknown = loaded("\"unprinted-exception\" }", "\"unprinted-nope\" }").unwrap();
        assert!(
            unknown.contains("member 'spawn': `then_left_out` names unknown difference"),
            "{unknown}"
        );
        let without_then = loaded(printer, "").unwrap();
        assert!(
            without_then.contains("`then_left_out` needs `then`"),
            "{without_then}"
        );
    }

    fn target(api: &str) -> Option<(String, Option<String>)> {
        let catalogue = Catalogue::builtin().unwrap();
        let target = catalogue.stdlib_target(catalogue.api(api).unwrap())?;
        Some((target.module, target.member))
    }

    #[test]
    fn the_stdlib_target_is_what_the_rewrites_name() {
        let named = |module: &str, member: Option<&str>| {
            Some((module.to_owned(), member.map(str::to_owned)))
        };
        assert_eq!(
            target("eventlet.greenthread.sleep"),
            named("time", Some("sleep"))
        );
        assert_eq!(
            target("eventlet.greenpool.GreenPool"),
            named("concurrent.futures", Some("ThreadPoolExecutor"))
        );
        assert_eq!(
            target("eventlet.green.subprocess"),
            named("subprocess", None)
        );
        // Rewrites that differ by context name no one target.
        assert_eq!(target("eventlet.timeout.Timeout"), None);
        // Nor do a deletion, a library's own executor, or what stays manual.
        assert_eq!(target("eventlet.patcher.monkey_patch"), None);
        assert_eq!(target("futurist.GreenThreadPoolExecutor"), None);
        assert_eq!(target("eventlet.hubs.get_hub"), None);
    }
}
