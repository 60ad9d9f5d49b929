//! Mocks that reach eventlet through a project module.
//!
//! A test may patch eventlet where a module of the project finds it:
//! `mock.patch('pkg.a.manager.eventlet.sleep')` and
//! `mock.patch.object(manager.eventlet, 'sleep')` go through the module's
//! `import eventlet`; `mock.patch('pkg.a.manager.eventlet')`,
//! `mock.patch.object(manager, 'eventlet')` and, after `from eventlet
//! import sleep`, `mock.patch('pkg.a.manager.sleep')` patch the module's
//! own name.
//!
//! Through the name, the mock patches eventlet itself, as
//! `mock.patch('eventlet.sleep')` does: it is a mock of the API, which
//! moves with the code to what the module calls once rewritten
//! (`pkg.a.manager.time.sleep`), or stays with it. The module's own name is
//! what the module looks up while the test runs: its uses of that name
//! stay, reported with the test that patches it, and so does the name.
//!
//! A file is parsed for such mocks only when a cheap look at its text
//! finds one of those names after a dot or in quotes.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use tree_sitter::{Node, Tree};

use crate::analysis::{FileAnalysis, FollowedModules, Through, Use, UseKind, canonical};
use crate::project::modules::ModuleGraph;
use crate::python::bindings::{
    Bindings, MODULE_SCOPE, Occurrences, Reads, Reference, Resolution, import_statements, imported,
};
use crate::python::module_names::{ModuleRef, name_module};
use crate::python::patchers::{PatchArgs, Patchers};
use crate::python::syntax::{Root, text};
use crate::source::line_of;
use crate::transform::{ApiId, Catalogue};

/// A module-level name that a test replaces: the module's code that looks
/// it up stays, for the reason given.
#[derive(Debug, Clone)]
pub struct HeldName {
    pub name: String,
    pub reason: String,
}

/// What one file's patch calls do to the project's modules.
#[derive(Debug, Default)]
pub struct FoundMocks {
    /// Mocks through a module's name for eventlet, as uses of the file.
    pub uses: Vec<Use>,
    /// Names held in modules, by the module's file.
    pub held: Vec<(usize, HeldName)>,
    /// The modules the patches import when they start.
    pub imported: Vec<String>,
}

/// The project's modules that bind eventlet names at module level.
pub struct EventletModules<'a> {
    graph: &'a ModuleGraph,
    catalogue: &'a Catalogue,
    patchers: &'a Patchers,
    followed: FollowedModules<'a>,
    modules: HashMap<usize, Module<'a>>,
    /// Each of their names for eventlet, with the modules that bind it.
    names: HashMap<&'a str, Vec<usize>>,
}

struct Module<'a> {
    path: &'a Path,
    analysis: &'a FileAnalysis,
}

/// A patch call's target as one dotted name: each part with where it is
/// written, if it is (not the parts a name imported by the file stands
/// for), and where the text a retarget may replace ends.
struct Target {
    parts: Vec<(String, Option<usize>)>,
    end: usize,
    /// The string's content.
    string: Range<usize>,
}

impl<'a> EventletModules<'a> {
    /// `files`: the parsed files, each with its index, path and analysis.
    pub fn new(
        graph: &'a ModuleGraph,
        catalogue: &'a Catalogue,
        patchers: &'a Patchers,
        files: impl IntoIterator<Item = (usize, &'a Path, &'a FileAnalysis)>,
    ) -> Self {
        let followed = FollowedModules::of(catalogue);
        let mut modules = HashMap::new();
        let mut names: HashMap<&str, Vec<usize>> = HashMap::new();
        for (file, path, analysis) in files {
            let mut bound = analysis
                .bindings
                .imports
                .iter()
                .filter(|b| b.scope == MODULE_SCOPE && followed.module(&b.target))
                .peekable();
            if bound.peek().is_none() {
                continue;
            }
            for b in bound {
                names.entry(b.name.as_str()).or_default().push(file);
            }
            modules.insert(file, Module { path, analysis });
        }
        EventletModules {
            graph,
            catalogue,
            patchers,
            followed,
            modules,
            names,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// Whether the text of `file` may patch one of the modules' names: the
    /// name after a dot that follows the module's own last name
    /// (`'pkg.a.manager.greenthread.sleep'`), or, where the file imports
    /// the module, after a dot that follows a name the file imports as
    /// (`mgr.greenthread` after `import ... as mgr`) or as a whole string
    /// (`patch.object(mgr, 'sleep')`).
    pub fn may_be_patched_in(&self, file: usize, text: &str) -> bool {
        let edges = &self.graph.edges[file];
        let imported: HashSet<usize> = edges
            .at_import
            .iter()
            .chain(&edges.later)
            .copied()
            .collect();
        let bytes = text.as_bytes();
        let word_at = |start: usize| {
            let end = bytes[start..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(bytes.len(), |n| start + n);
            &text[start..end]
        };
        let word_before = |end: usize| {
            let start = bytes[..end]
                .iter()
                .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map_or(0, |n| n + 1);
            &text[start..end]
        };
        memchr::memchr3_iter(b'.', b'\'', b'"', bytes).any(|at| {
            let word = word_at(at + 1);
            let Some(modules) = self.names.get(word) else {
                return false;
            };
            let after_dot = bytes[at] == b'.';
            let before = if after_dot { word_before(at) } else { "" };
            let whole_string = !after_dot && bytes.get(at + 1 + word.len()) == Some(&bytes[at]);
            modules.iter().any(|m| {
                let last = self.graph.names[*m].rsplit('.').next();
                let named_by_module = after_dot && last == Some(before);
                let named_by_import = whole_string || (after_dot && imports_as(text, before));
                named_by_module || (imported.contains(m) && named_by_import)
            })
        })
    }

    /// The modules' names for eventlet that the file assigns to as an
    /// attribute (`edge_utils.eventlet = mock.Mock()`), as the object and
    /// the name a `patch.object` form would give: a test's replacement of
    /// a module's name made without a patcher. Found from the names' text,
    /// in the file's order.
    fn assigned_names<'t>(&self, root: &Root<'t>, source: &str) -> Vec<PatchArgs<'t>> {
        let mut found: Vec<PatchArgs> = self
            .names
            .keys()
            .flat_map(|name| {
                memchr::memmem::find_iter(source.as_bytes(), name.as_bytes())
                    .filter(|&at| at > 0 && source.as_bytes()[at - 1] == b'.')
                    .filter_map(move |at| {
                        let id = root.descendant_for_byte_range(at, at + name.len())?;
                        let left = root.parent(id).filter(|a| {
                            a.kind() == "attribute"
                                && a.child_by_field_name("attribute") == Some(id)
                        })?;
                        root.parent(left).filter(|assignment| {
                            assignment.kind() == "assignment"
                                && assignment.child_by_field_name("left") == Some(left)
                        })?;
                        Some(PatchArgs {
                            object: Some(left.child_by_field_name("object")?),
                            string: id,
                        })
                    })
            })
            .collect();
        found.sort_by_key(|args| args.string.start_byte());
        found
    }

    /// The mocks in the file at `path` that reach eventlet through one of
    /// the modules.
    pub fn mocks_in(&self, path: &Path, tree: &Tree, source: &str) -> FoundMocks {
        let root = Root::new(tree.root_node());
        let calls: Vec<_> = self
            .patchers
            .calls(&root, source)
            .into_iter()
            .filter_map(|call| self.patchers.args(call, source))
            .map(|args| (args, false))
            .chain(
                self.assigned_names(&root, source)
                    .into_iter()
                    .map(|args| (args, true)),
            )
            .collect();
        // The objects of `patch.object` forms start with names the file
        // imports (`manager` in `manager.eventlet`), resolved where used.
        let imported_names: HashSet<String> = import_statements(tree.root_node(), source)
            .into_iter()
            .flat_map(|statement| imported(statement, source))
            .map(|(name, _)| name)
            .collect();
        let heads: Vec<&str> = calls
            .iter()
            .filter_map(|(args, _)| Some(text(chain(args.object?)?[0], source)))
            .filter(|head| imported_names.contains(*head))
            .collect();
        let bindings = (!heads.is_empty())
            .then(|| Bindings::analyze_names(tree, source, &Occurrences::of(source, heads)));
        let references: HashMap<usize, &Reference> = bindings
            .iter()
            .flat_map(|b| &b.references)
            .map(|r| (r.range.start, r))
            .collect();
        let mut found = FoundMocks::default();
        for (args, assigned) in calls {
            let target = match args.object {
                None => Some(string_target(args.string, source)),
                Some(object) => bindings.as_ref().and_then(|b| {
                    let head = references.get(&object.start_byte())?;
                    object_target(object, args.string, head, b, source)
                }),
            };
            if let Some(target) = target {
                let site = format!(
                    "{}:{}",
                    path.display(),
                    line_of(source, target.string.start)
                );
                self.resolve(target, &site, assigned, &mut found);
            }
        }
        found
    }

    /// Adds to `found` what the target does, when it names a module's name
    /// for eventlet.
    fn resolve(&self, target: Target, site: &str, assigned: bool, found: &mut FoundMocks) {
        let dotted = |k: usize| {
            let parts: Vec<&str> = target.parts[..k].iter().map(|(p, _)| p.as_str()).collect();
            parts.join(".")
        };
        // The longest prefix that names a module of the project.
        let Some((k, file)) = (1..target.parts.len())
            .rev()
            .find_map(|k| Some((k, self.graph.file_named(&dotted(k))?)))
        else {
            return;
        };
        let Some(module) = self.modules.get(&file) else {
            return;
        };
        let (name, name_at) = &target.parts[k];
        let Some(binding) = module.analysis.bindings.imports.iter().find(|b| {
            b.scope == MODULE_SCOPE && b.name == *name && self.followed.module(&b.target)
        }) else {
            return;
        };
        let written = dotted(target.parts.len());
        found.imported.push(dotted(k));
        let mut hold = |why: &str| {
            let reason = format!("mocked by {site} through {written}: {why}");
            found.held.push((
                file,
                HeldName {
                    name: name.clone(),
                    reason,
                },
            ));
        };
        let members = &target.parts[k + 1..];
        // An assignment (`edge_utils.eventlet = mock.Mock()`) names no
        // string a rewrite could follow.
        if members.is_empty() || assigned {
            return hold(&format!(
                "the test replaces '{name}' in this module, so the code that looks it up stays \
                 for the mock to catch"
            ));
        }
        let through: Vec<&str> = std::iter::once(binding.target.as_str())
            .chain(members.iter().map(|(p, _)| p.as_str()))
            .collect();
        let (api, canonical_name, suffix) = canonical(self.catalogue, &through.join("."));
        // The rewrite of the module's calls through the name must bind
        // the stdlib module that the mock then names; a name bound past
        // the API (`from eventlet.green.httplib import HTTPConnection`) is
        // imported from the stdlib under its own name instead.
        let followable = api.filter(|api| {
            suffix.len() <= members.len() && calls_through(module.analysis, *api, name)
        });
        let (Some(api), Some(name_at)) = (followable, name_at) else {
            return hold(&format!(
                "no call through '{name}' here that the mock could follow once rewritten, so \
                 '{name}' and the code that looks it up stay for the mock"
            ));
        };
        found.uses.push(Use {
            kind: UseKind::MockTarget,
            api: Some(api),
            name: canonical_name,
            range: target.string.clone(),
            suffix,
            import: None,
            local: name.clone(),
            ambiguous: false,
            loaded: None,
            through: Some(Through {
                file,
                from_binding: *name_at..target.end,
                module: self.module_named_after(module, api),
            }),
        });
    }

    /// The stdlib module a module calls once its uses of `api` are all
    /// rewritten, and the name it gets there: the same whichever of the
    /// module's eventlet imports leave with the rewrite.
    fn module_named_after(&self, module: &Module, api: ApiId) -> Result<(String, String), String> {
        let api_name = &self.catalogue.apis[api].name;
        let stdlib = self.catalogue.module_named_by(api).ok_or_else(|| {
            format!("the rewrites of {api_name} name no one stdlib module for the mock to follow")
        })?;
        let analysis = module.analysis;
        let eventlet: HashSet<usize> = (0..analysis.bindings.imports.len())
            .filter(|i| self.followed.module(&analysis.bindings.imports[*i].target))
            .collect();
        // The imports used only for the API surely leave with its uses.
        let only_api: HashSet<usize> = eventlet
            .iter()
            .copied()
            .filter(|i| {
                let uses: Vec<&Use> = analysis
                    .uses
                    .iter()
                    .filter(|u| u.named_import() == Some(*i))
                    .collect();
                !uses.is_empty() && uses.iter().all(|u| u.api == Some(api))
            })
            .collect();
        // Read where the API's uses are, or at most where any use is.
        let sites = |of_api: bool| -> Vec<usize> {
            let uses = analysis.uses.iter();
            uses.filter(|u| !of_api || (u.kind == UseKind::Reference && u.api == Some(api)))
                .map(|u| u.range.start)
                .collect()
        };
        let named = |leaving, read| {
            name_module(
                ModuleRef::Import(stdlib),
                &analysis.bindings,
                Reads::At(read),
                leaving,
                &[],
                &[],
            )
            .0
        };
        let (surely, at_most) = (
            named(&only_api, &sites(true)),
            named(&eventlet, &sites(false)),
        );
        if surely != at_most {
            return Err(format!(
                "{} names {stdlib} '{surely}' or '{at_most}' once rewritten, depending on which \
                 of its eventlet imports go and which of its uses are rewritten, so the mock's new \
                 target is not certain",
                module.path.display()
            ));
        }
        Ok((stdlib.to_owned(), surely))
    }
}

/// Whether the text says `as name` somewhere (an import's alias).
fn imports_as(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, format!(" as {name}").as_bytes()).any(|at| {
        let end = at + " as ".len() + name.len();
        bytes
            .get(end)
            .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
    })
}

/// Whether the module's code uses `api` through its module-level `name`.
fn calls_through(analysis: &FileAnalysis, api: ApiId, name: &str) -> bool {
    analysis.uses.iter().any(|u| {
        u.kind == UseKind::Reference
            && u.api == Some(api)
            && u.named_import().is_some_and(|i| {
                let b = &analysis.bindings.imports[i];
                b.scope == MODULE_SCOPE && b.name == name
            })
    })
}

/// `mock.patch('pkg.a.manager.eventlet.sleep')`: the string's parts.
fn string_target(content: Node, source: &str) -> Target {
    let mut at = content.start_byte();
    let parts = text(content, source)
        .split('.')
        .map(|part| {
            let start = at;
            at += part.len() + 1;
            (part.to_owned(), Some(start))
        })
        .collect();
    Target {
        parts,
        end: content.end_byte(),
        string: content.byte_range(),
    }
}

/// `mock.patch.object(manager.eventlet, 'sleep')`: the object's parts,
/// its first name (`head`) standing for what the file imports as that
/// name, then the attribute string.
fn object_target(
    object: Node,
    string: Node,
    head: &Reference,
    bindings: &Bindings,
    source: &str,
) -> Option<Target> {
    let names = chain(object)?;
    let Resolution::Import(import) = bindings.resolve_reference(head, source) else {
        return None;
    };
    let imported = &bindings.imports[import].target;
    // Relative imports stay relative in the bindings.
    if imported.starts_with('.') {
        return None;
    }
    let parts = imported
        .split('.')
        .map(|p| (p.to_owned(), None))
        .chain(
            names[1..]
                .iter()
                .map(|n| (text(*n, source).to_owned(), Some(n.start_byte()))),
        )
        .chain(std::iter::once((
            text(string, source).to_owned(),
            Some(string.start_byte()),
        )))
        .collect();
    Some(Target {
        parts,
        end: object.end_byte(),
        string: string.byte_range(),
    })
}

/// The identifiers of a dotted chain of names (`a.b.c`), first to last.
fn chain(node: Node) -> Option<Vec<Node>> {
    match node.kind() {
        "identifier" => Some(vec![node]),
        "attribute" => {
            let mut names = chain(node.child_by_field_name("object")?)?;
            names.push(node.child_by_field_name("attribute")?);
            Some(names)
        }
        _ => None,
    }
}
