//! Whole-tree facts that decide whether a primitive's rewrite keeps the
//! program's behaviour.
//!
//! Replacing `eventlet.sleep` by `time.sleep` is exact once the process runs
//! on native threads, and also while `monkey_patch()` makes `time` green.
//! It is *not* exact while green threads still run unpatched: `time.sleep`
//! would then block every green thread. So each transform states what it
//! requires, and the tree's green-thread starters and `monkey_patch()` calls
//! decide.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use tree_sitter::Node;

use crate::python::syntax::{named_children, text};
use crate::transform::{ApiId, PATCHABLE, Requirement};

const OFF_BY_DEFAULT: &[&str] = &["MySQLdb", "builtins"];
/// Where the patching the user assumes is said to come from.
const ASSUMED: &str = "--assume-monkey-patched";

/// The modules the application that runs the tree patches, as the user
/// says (`--assume-monkey-patched[=MODULES]`): `all` or some of
/// [`PATCHABLE`].
pub fn assumed_patching(names: &[String]) -> Result<BTreeSet<String>, String> {
    let mut modules = BTreeSet::new();
    for name in names {
        match name.as_str() {
            "all" => modules.extend(PATCHABLE.iter().map(|m| m.to_string())),
            m if PATCHABLE.contains(&m) => {
                modules.insert(m.to_owned());
            }
            other => {
                return Err(format!(
                    "'{other}' is not a module monkey_patch() patches (expected all or some of {})",
                    PATCHABLE.join(", ")
                ));
            }
        }
    }
    Ok(modules)
}

/// How the uses of one API fare across the tree.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiTally {
    /// Uses in code, and how many of them a transform rewrites.
    pub code: usize,
    pub rewritten: usize,
    /// Mock targets naming it, and how many of them a transform can rewrite.
    pub mocks: usize,
    pub followable: usize,
}

impl ApiTally {
    pub fn add(&mut self, other: ApiTally) {
        self.code += other.code;
        self.rewritten += other.rewritten;
        self.mocks += other.mocks;
        self.followable += other.followable;
    }
}

/// A use that starts green threads or hub timers.
#[derive(Debug, Clone)]
pub struct GreenUse {
    pub line: usize,
    pub api: String,
    /// Its index among the uses of the file's analysis.
    pub use_index: usize,
}

/// A `monkey_patch()` call.
#[derive(Debug, Clone)]
pub struct PatchCall {
    pub line: usize,
    /// The modules it surely patches.
    pub modules: BTreeSet<String>,
}

/// What one file contributes.
#[derive(Debug, Clone, Default)]
pub struct FileFacts {
    pub green_threads: Vec<GreenUse>,
    pub monkey_patches: Vec<PatchCall>,
}

#[derive(Debug, Clone, Default)]
pub struct TreeContext {
    /// Per API, how its uses fare across the tree: code and the mocks that
    /// patch it must move together.
    api_uses: HashMap<ApiId, ApiTally>,
    /// One example site ("path:line api") of a green-thread starter.
    green_thread_site: Option<String>,
    monkey_patch_site: Option<String>,
    patched: BTreeSet<String>,
    /// Modules some program-setting call patches and another leaves alone,
    /// with the call that leaves it.
    left_unpatched: BTreeMap<String, String>,
    /// Whether the run's other rewrites leave no other eventlet use in the
    /// tree (known only once they are made).
    eventlet_free: bool,
}

impl TreeContext {
    /// `assumed`: what the application that runs the tree patches, taken as
    /// one more program that calls monkey_patch().
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a Path, &'a FileFacts)>,
        assumed: Option<&'a BTreeSet<String>>,
    ) -> TreeContext {
        let mut ctx = TreeContext::default();
        let mut calls: Vec<(String, &BTreeSet<String>)> = Vec::new();
        for (path, facts) in files {
            if let Some(GreenUse { line, api, .. }) = facts.green_threads.first() {
                ctx.green_thread_site
                    .get_or_insert_with(|| format!("{}:{line} {api}", path.display()));
            }
            for PatchCall { line, modules } in &facts.monkey_patches {
                calls.push((format!("{}:{line}", path.display()), modules));
            }
        }
        if let Some(modules) = assumed {
            calls.push((ASSUMED.into(), modules));
        }
        ctx.monkey_patch_site = calls.first().map(|(site, _)| site.clone());
        // The calls that patch threads set a program up: a module is
        // patched when every one of them patches it (swift's servers patch
        // socket, select and thread, but not time, where its probe tests
        // patch all). A call that leaves threads alone adds to a program
        // that patched them already, or runs no green threads of this code
        // (a debugger mode, a docs build).
        let mut governing: Vec<&(String, &BTreeSet<String>)> = calls
            .iter()
            .filter(|(_, modules)| modules.contains("thread"))
            .collect();
        if governing.is_empty() {
            governing = calls.iter().collect();
        }
        for module in governing.iter().flat_map(|(_, modules)| modules.iter()) {
            match governing.iter().find(|(_, m)| !m.contains(module)) {
                Some((site, _)) => {
                    let call = if *site == ASSUMED {
                        format!("the application ({ASSUMED})")
                    } else {
                        format!("the monkey_patch() at {site}")
                    };
                    ctx.left_unpatched.insert(module.clone(), call);
                }
                None => {
                    ctx.patched.insert(module.clone());
                }
            }
        }
        ctx
    }

    /// Records, from a first pass over every file, how the uses of each
    /// API fare.
    pub fn set_api_uses(&mut self, api_uses: HashMap<ApiId, ApiTally>) {
        self.api_uses = api_uses;
    }

    /// The same context, once the run's other rewrites are known to leave
    /// nothing else of eventlet in the tree.
    pub fn eventlet_free(&self) -> TreeContext {
        TreeContext {
            eventlet_free: true,
            ..self.clone()
        }
    }

    /// Code and the tests that mock it move together: `Ok` unless the tree
    /// mocks `api` and either some code use stays or some mock cannot follow.
    pub fn check_moves_whole(&self, api: ApiId, name: &str) -> Result<(), String> {
        let Some(t) = self.api_uses.get(&api) else {
            return Ok(());
        };
        if t.mocks == 0 {
            return Ok(());
        }
        if t.code == 0 {
            return Err(format!(
                "no code in this tree uses {name}; the patched code lives elsewhere"
            ));
        }
        if t.rewritten < t.code {
            return Err(format!(
                "tests mock {name}, and only {} of its {} uses in code are rewritten: code and \
                 mocks must move together",
                t.rewritten, t.code
            ));
        }
        if t.followable < t.mocks {
            return Err(format!(
                "tests mock {name} in {} place(s) that cannot follow a rewrite (a patch.object \
                 form, or no stdlib target): code and mocks must move together",
                t.mocks - t.followable
            ));
        }
        Ok(())
    }

    fn green(&self) -> bool {
        self.green_thread_site.is_some() || self.patched.contains("thread")
    }

    /// `Ok` when the requirement holds, else the reason it does not.
    pub fn check(&self, requirement: &Requirement) -> Result<(), String> {
        match requirement {
            Requirement::Native => {
                if let Some(site) = &self.green_thread_site {
                    Err(format!(
                        "green threads or hub timers still run in this tree ({site}); this \
                         rewrite is exact only once the program runs on native threads"
                    ))
                } else if let Some(site) = &self.monkey_patch_site {
                    Err(format!(
                        "the tree calls monkey_patch() ({site}); this rewrite is exact only \
                         once monkey-patching is gone"
                    ))
                } else {
                    Ok(())
                }
            }
            Requirement::Unpatched => match &self.monkey_patch_site {
                Some(site) => Err(format!(
                    "the tree calls monkey_patch() ({site}); the result differs while \
                     monkey-patching is active"
                )),
                None => Ok(()),
            },
            Requirement::EventletFree if self.eventlet_free => Ok(()),
            Requirement::EventletFree => Err(
                "other eventlet uses stay in this tree; this rewrite is part of the switch \
                 to native threads, made once nothing else uses eventlet"
                    .into(),
            ),
            Requirement::NativeOrPatched(module) => {
                if !self.green() || self.patched.contains(module) {
                    return Ok(());
                }
                let site = self
                    .green_thread_site
                    .as_deref()
                    .unwrap_or("monkey-patched threads");
                let patching = match self.left_unpatched.get(module) {
                    Some(call) => format!("{call} leaves '{module}' alone"),
                    None => format!("nothing monkey-patches '{module}'"),
                };
                Err(format!(
                    "green threads or hub timers run in this tree ({site}) and {patching}: the \
                     stdlib call would block them all. Rewrite once the threads are native, or \
                     when monkey_patch() covers '{module}' (--assume-monkey-patched if the \
                     application patches)"
                ))
            }
        }
    }
}

/// The modules a `monkey_patch(**on)` call surely patches, following
/// eventlet's rules: no module named True means every module except the
/// ones off by default; naming some True patches only those; `all=` sets the
/// default. A keyword whose value is not a literal makes its module unknown.
pub fn patched_by_call(call: Node, source: &str) -> BTreeSet<String> {
    let mut on: BTreeMap<String, Option<bool>> = BTreeMap::new();
    if let Some(args) = call.child_by_field_name("arguments") {
        for arg in named_children(args) {
            if arg.kind() != "keyword_argument" {
                return BTreeSet::new();
            }
            let (Some(name), Some(value)) = (
                arg.child_by_field_name("name"),
                arg.child_by_field_name("value"),
            ) else {
                return BTreeSet::new();
            };
            let literal = match value.kind() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            };
            on.insert(text(name, source).to_owned(), literal);
        }
    }
    let default_on = match on.remove("all") {
        Some(all) => all,
        None if on.values().any(|v| *v == Some(true)) => Some(false),
        None if on.values().any(Option::is_none) => None,
        None => Some(true),
    };
    PATCHABLE
        .iter()
        .filter(|m| {
            let value = on
                .get(**m)
                .copied()
                .unwrap_or(if OFF_BY_DEFAULT.contains(m) {
                    Some(false)
                } else {
                    default_on
                });
            value == Some(true)
        })
        .map(|m| m.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::{first_expression, parse};

    fn patched(call: &str) -> Vec<String> {
        let tree = parse(call);
        let node = first_expression(&tree);
        patched_by_call(node, call).into_iter().collect()
    }

    #[test]
    fn default_call_patches_the_default_set() {
        assert_eq!(
            patched("monkey_patch()"),
            [
                "os",
                "psycopg",
                "select",
                "socket",
                "subprocess",
                "thread",
                "time"
            ]
        );
    }

    #[test]
    fn naming_modules_true_patches_only_those() {
        assert_eq!(patched("monkey_patch(time=True)"), ["time"]);
        assert!(!patched("monkey_patch(thread=False)").contains(&"thread".to_string()));
        assert!(patched("monkey_patch(thread=flag)").is_empty());
    }

    fn ctx(green: bool, patched: &[&str]) -> TreeContext {
        TreeContext {
            api_uses: HashMap::new(),
            green_thread_site: green.then(|| "a.py:1 eventlet.greenthread.spawn".into()),
            monkey_patch_site: (!patched.is_empty()).then(|| "b.py:2".into()),
            patched: patched.iter().map(|s| s.to_string()).collect(),
            left_unpatched: BTreeMap::new(),
            eventlet_free: false,
        }
    }

    /// A tree whose files call monkey_patch() as given, one call per file,
    /// run by an application that patches `assumed`.
    fn tree_patching(calls: &[&str], assumed: Option<&BTreeSet<String>>) -> TreeContext {
        let facts: Vec<(std::path::PathBuf, FileFacts)> = calls
            .iter()
            .enumerate()
            .map(|(n, call)| {
                let modules = patched(call).into_iter().collect();
                let facts = FileFacts {
                    green_threads: vec![GreenUse {
                        line: 1,
                        api: "eventlet.greenthread.spawn".into(),
                        use_index: 0,
                    }],
                    monkey_patches: vec![PatchCall { line: 1, modules }],
                };
                (format!("f{n}.py").into(), facts)
            })
            .collect();
        TreeContext::from_files(facts.iter().map(|(p, f)| (p.as_path(), f)), assumed)
    }

    #[test]
    fn a_module_is_patched_when_every_call_that_patches_threads_patches_it() {
        let time = Requirement::NativeOrPatched("time".into());
        let thread = Requirement::NativeOrPatched("thread".into());
        // swift: the servers leave time alone, the probe tests patch all.
        let swift = tree_patching(
            &[
                "monkey_patch(all=False, socket=True, select=True, thread=True)",
                "monkey_patch()",
            ],
            None,
        );
        assert!(swift.check(&thread).is_ok());
        let err = swift.check(&time).unwrap_err();
        assert!(
            err.contains("the monkey_patch() at f0.py:1 leaves 'time' alone"),
            "{err}"
        );
        // heat: a service patches all, a helper adds time again; nova's
        // debugger mode leaves threads alone.
        let heat = tree_patching(&["monkey_patch()", "monkey_patch(time=True)"], None);
        assert!(heat.check(&time).is_ok() && heat.check(&thread).is_ok());
        let nova = tree_patching(
            &["monkey_patch(thread=False)", "monkey_patch(os=False)"],
            None,
        );
        assert!(nova.check(&time).is_ok() && nova.check(&thread).is_ok());
        // What the user says the application patches is one more program.
        let assumed = assumed_patching(&["socket".into(), "thread".into()]).unwrap();
        let library = tree_patching(&["monkey_patch()"], Some(&assumed));
        assert!(library.check(&thread).is_ok());
        let err = library.check(&time).unwrap_err();
        assert!(
            err.contains("the application (--assume-monkey-patched) leaves 'time' alone"),
            "{err}"
        );
        // No call patches threads: each must patch the module.
        let partial = tree_patching(
            &["monkey_patch(socket=True)", "monkey_patch(time=True)"],
            None,
        );
        assert!(partial.check(&time).is_err());
    }

    #[test]
    fn eventlet_freedom_is_known_only_after_the_rewrites() {
        let before = ctx(false, &["thread"]);
        assert!(before.check(&Requirement::EventletFree).is_err());
        assert!(
            before
                .eventlet_free()
                .check(&Requirement::EventletFree)
                .is_ok()
        );
    }

    #[test]
    fn requirements_follow_green_threads_and_patching() {
        let time = Requirement::NativeOrPatched("time".into());
        assert!(ctx(false, &[]).check(&time).is_ok());
        assert!(ctx(true, &["time"]).check(&time).is_ok());
        let err = ctx(true, &["socket"]).check(&time).unwrap_err();
        assert!(err.contains("a.py:1"), "{err}");
        assert!(ctx(false, &["time"]).check(&Requirement::Native).is_err());
        assert!(ctx(true, &[]).check(&Requirement::Unpatched).is_ok());
    }
}
