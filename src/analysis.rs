//! Finds every eventlet use in a parsed file and names it canonically.
//!
//! A use starts at a name bound by an eventlet import and extends along the
//! attribute chain (`gt.sleep` with `import eventlet.greenthread as gt` is
//! `eventlet.greenthread.sleep`) to the longest prefix the catalogue knows;
//! aliases such as `eventlet.sleep` are normalised to the canonical API.

use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::python::bindings::{Bindings, Occurrences, Resolution, import_statements, imported};
use crate::python::loaders::{EventletLoad, eventlet_load};
use crate::python::patchers::{Patchers, assigned_strings};
use crate::python::syntax::{
    Root, descendants, field_name, is_eventlet_path, module_assignments, named_children, node_at,
    plain_string_content, sole_dotted_name_argument, strings_starting_with, text,
};
use crate::transform::{ApiId, Catalogue};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UseKind {
    /// A name or attribute chain in code.
    Reference,
    /// An import statement clause.
    Import,
    /// A string naming an eventlet API as a mock target:
    /// `mock.patch('eventlet.sleep')`.
    MockTarget,
    /// A line of a configuration file (requirements, coverage, tox).
    Config,
    /// A library option that selects eventlet: `executor='eventlet'`.
    Option,
}

#[derive(Debug, Clone)]
pub struct Use {
    pub kind: UseKind,
    pub api: Option<ApiId>,
    /// The canonical API name, or the dotted name as written when the
    /// catalogue does not know it.
    pub name: String,
    /// The expression that names the API (or the import clause).
    pub range: Range<usize>,
    /// Members the import already reached past the API, e.g. `create_connection`
    /// for `from eventlet.green.socket import create_connection`.
    pub suffix: Vec<String>,
    pub import: Option<usize>,
    /// The local name the use starts from (`gt` in `gt.sleep`).
    pub local: String,
    /// The name is also bound to something else in the same scope, or
    /// bound by a loader call (then `loaded` is set).
    pub ambiguous: bool,
    /// Where the use starts at eventlet loaded by name rather than
    /// imported: the loader call's first byte.
    pub loaded: Option<usize>,
    /// A mock target that reaches eventlet through a project module.
    pub through: Option<Through>,
}

/// How a mock target reaches eventlet through a project module's import:
/// `mock.patch('pkg.a.manager.eventlet.sleep')`, or
/// `mock.patch.object(manager.eventlet, 'sleep')`.
#[derive(Debug, Clone)]
pub struct Through {
    /// The module's file (its index among the project's files).
    pub file: usize,
    /// The text from the module's name for eventlet (`eventlet` above) to
    /// the end of the string, or of the object of a `patch.object` form.
    pub from_binding: Range<usize>,
    /// The stdlib module that the module's rewrite makes it call, and the
    /// name it has there; or why that name is not certain.
    pub module: Result<(String, String), String>,
}

impl Use {
    /// The member of the API the use reaches: past the import
    /// (`create_connection` above), or as an attribute in code
    /// (`socket.getaddrinfo`).
    pub fn member<'s>(&'s self, root: &Root, source: &'s str) -> Option<&'s str> {
        self.suffix.first().map(String::as_str).or_else(|| {
            let node = node_at(root, &self.range)?;
            let parent = root.parent(node).filter(|p| p.kind() == "attribute")?;
            let attribute = parent.child_by_field_name("attribute")?;
            (attribute != node).then(|| &source[attribute.byte_range()])
        })
    }

    /// Where a call through this use looks its API up when it runs.
    pub fn lookup(&self, root: &Root, bindings: &Bindings, source: &str) -> Lookup {
        let unknown = Lookup {
            path: UNKNOWN_LOOKUP.to_owned(),
            bare: false,
        };
        let (Some(import), Some(node)) = (
            self.import.filter(|_| !self.ambiguous),
            node_at(root, &self.range),
        ) else {
            return unknown;
        };
        let written: String = source[node.byte_range()].split_whitespace().collect();
        match written.strip_prefix(self.local.as_str()) {
            Some(rest) if rest.is_empty() || rest.starts_with('.') => Lookup {
                path: format!("{}{rest}", bindings.imports[import].target),
                bare: rest.is_empty(),
            },
            _ => unknown,
        }
    }

    /// The import binding the use names in code: a reference's, or, for a
    /// mock that patches an imported module (`patch.object(eventlet,
    /// 'sleep')`), that module's.
    pub fn named_import(&self) -> Option<usize> {
        match self.kind {
            UseKind::Reference | UseKind::MockTarget => self.import,
            _ => None,
        }
    }
}

/// Where a call through a use looks its API up when it runs, which a
/// mock of that attribute replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The dotted path of the API object the code reads, from its name's
    /// import on: `eventlet.sleep`, `eventlet.greenthread.sleep` after
    /// `from eventlet import greenthread`, `eventlet.green.subprocess` (a
    /// mock of its `Popen` catches what the code reads from it); or
    /// [`UNKNOWN_LOOKUP`] where the name's binding is not known.
    pub path: String,
    /// The name is read alone: what it was bound to at import (`sleep`
    /// after `from eventlet import sleep`), which a mock of the attribute
    /// it was read from no longer reaches.
    pub bare: bool,
}

/// How an attribute is written where it is not known: a mock of it may
/// catch any call, and any mock may catch a call looked up there.
pub const UNKNOWN_LOOKUP: &str = "?";

/// Whether a mock of the attribute `mocked` (a dotted path) may catch a
/// call that reads `read` (a [`Lookup`]'s path): it replaced that
/// attribute, one the read goes through, or one of the object read.
pub fn mock_catches(mocked: &str, read: &str) -> bool {
    let within = |outer: &str, inner: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    };
    mocked == UNKNOWN_LOOKUP
        || read == UNKNOWN_LOOKUP
        || within(mocked, read)
        || within(read, mocked)
}

#[derive(Debug)]
pub struct FileAnalysis {
    pub bindings: Bindings,
    pub uses: Vec<Use>,
    /// Names listed in a module-level `__all__` (re-exports to keep).
    pub exported: HashSet<String>,
}

/// The modules whose imported names the analysis follows: eventlet's, and
/// those of libraries with catalogued members that run on it.
pub(crate) struct FollowedModules<'c> {
    library_tops: HashSet<&'c str>,
}

impl<'c> FollowedModules<'c> {
    pub(crate) fn of(catalogue: &'c Catalogue) -> Self {
        FollowedModules {
            library_tops: catalogue.library_tops().collect(),
        }
    }

    pub(crate) fn module(&self, dotted: &str) -> bool {
        is_eventlet_path(dotted)
            || self
                .library_tops
                .contains(dotted.split('.').next().unwrap_or_default())
    }
}

/// The names whose bindings the analysis and the rewrite look at: those
/// bound by imports of eventlet or of a module that rewrites name, the
/// names a rewrite may give a module, and `extra`.
fn names_that_matter(
    root: Node,
    source: &str,
    catalogue: &Catalogue,
    extra: &[String],
    loads: &[(Node, EventletLoad)],
) -> Vec<String> {
    let tops: HashSet<&str> = catalogue
        .module_tops()
        .chain(catalogue.library_tops())
        .chain(["eventlet"])
        .collect();
    let mut names: Vec<String> = catalogue.names_rewrites_consider().collect();
    names.extend_from_slice(extra);
    names.extend(names_loaded_by_name(root, source));
    names.extend(
        loads
            .iter()
            .filter_map(|(call, _)| call.parent().filter(|p| p.kind() == "assignment"))
            .filter_map(|assignment| assignment.child_by_field_name("left"))
            .filter(|left| left.kind() == "identifier")
            .map(|left| text(left, source).to_owned()),
    );
    for statement in import_statements(root, source) {
        names.extend(
            imported(statement, source)
                .into_iter()
                .filter(|(name, path)| {
                    name != "*" && tops.contains(path.split('.').next().unwrap_or_default())
                })
                .map(|(name, _)| name),
        );
    }
    names
}

/// The names that module-level statements `name = load('module')` bind,
/// a call with a module's name as its only argument: an import of the
/// module may take the statement's place (`threading =
/// patcher.original('threading')`) if nothing else binds the name.
fn names_loaded_by_name(root: Node, source: &str) -> Vec<String> {
    module_assignments(root)
        .filter(|(_, value)| {
            value.kind() == "call" && sole_dotted_name_argument(*value, source).is_some()
        })
        .map(|(name, _)| text(name, source).to_owned())
        .collect()
}

/// The eventlet uses of a file and the bindings that matter to them, and
/// those of `names` too: the names a rewrite may give the project's shared
/// helpers module. `patchers` tell the calls that patch names for a test.
pub fn analyze(
    tree: &Tree,
    source: &str,
    catalogue: &Catalogue,
    names: &[String],
    patchers: &Patchers,
) -> FileAnalysis {
    let loads = loader_calls(tree.root_node(), source);
    let names = names_that_matter(tree.root_node(), source, catalogue, names, &loads);
    let occurrences = Occurrences::of(source, names.iter().map(String::as_str));
    let bindings = Bindings::analyze_names(tree, source, &occurrences);
    analyze_with(bindings, tree, source, catalogue, patchers, &loads)
}

fn analyze_with(
    bindings: Bindings,
    tree: &Tree,
    source: &str,
    catalogue: &Catalogue,
    patchers: &Patchers,
    loads: &[(Node, EventletLoad)],
) -> FileAnalysis {
    let root = Root::new(tree.root_node());
    let followed = FollowedModules::of(catalogue);
    let mut uses = Vec::new();
    for (index, import) in bindings.imports.iter().enumerate() {
        let api = catalogue.api(&import.target);
        // Outside eventlet only an imported API is a use (`from futurist
        // import GreenThreadPoolExecutor`, not `import futurist`).
        if is_eventlet_path(&import.target) || (api.is_some() && followed.module(&import.target)) {
            uses.push(Use {
                kind: UseKind::Import,
                api,
                name: api.map_or(import.target.clone(), |a| catalogue.apis[a].name.clone()),
                range: import.clause.clone(),
                suffix: Vec::new(),
                import: Some(index),
                local: import.name.clone(),
                ambiguous: false,
                loaded: None,
                through: None,
            });
        }
    }
    for (module, range) in &bindings.star_imports {
        if is_eventlet_path(module) {
            uses.push(Use {
                kind: UseKind::Import,
                api: None,
                name: format!("{module}.*"),
                range: range.clone(),
                suffix: Vec::new(),
                import: None,
                local: "*".into(),
                ambiguous: true,
                loaded: None,
                through: None,
            });
        }
    }
    let eventlet_names: HashSet<&str> = bindings
        .imports
        .iter()
        .filter(|i| followed.module(&i.target))
        .map(|i| i.name.as_str())
        .chain(bindings.loaded.iter().map(|l| l.name.as_str()))
        .collect();
    for reference in &bindings.references {
        let name = &source[reference.range.clone()];
        if !eventlet_names.contains(name) {
            continue;
        }
        let (target, import, ambiguous, loaded) = match bindings.resolve(name, reference.scope) {
            Resolution::Import(i) if followed.module(&bindings.imports[i].target) => {
                (bindings.imports[i].target.as_str(), Some(i), false, None)
            }
            Resolution::Loaded(l) => {
                let load = &bindings.loaded[l];
                (load.target.as_str(), None, true, Some(load.call.start))
            }
            Resolution::Ambiguous => {
                let followed_import = bindings
                    .imports
                    .iter()
                    .find(|i| i.name == name && followed.module(&i.target))
                    .map(|i| i.target.as_str());
                let loaded = bindings.loaded.iter().find(|l| l.name == name);
                match followed_import.or(loaded.map(|l| l.target.as_str())) {
                    Some(target) => (target, None, true, None),
                    None => continue,
                }
            }
            _ => continue,
        };
        let Some(identifier) = node_at(&root, &reference.range) else {
            continue;
        };
        let mut found = chain_use(
            &root, identifier, target, import, ambiguous, source, catalogue,
        );
        found.loaded = loaded;
        // Of a library, only its catalogued members are uses.
        if found.api.is_some() || is_eventlet_path(target) {
            uses.push(found);
        }
    }
    uses.extend(eventlet_loads(loads, catalogue));
    uses.extend(library_options(&root, source, catalogue));
    if patchers.may_patch(source.as_bytes()) {
        let found = mock_targets(&root, source, catalogue, patchers, &uses);
        // The module a `patch.object` form patches is part of that mock's
        // use: it moves with the mock, or stays with it.
        uses.retain(|u| !found.iter().any(|m| m.object.as_ref() == Some(&u.range)));
        uses.extend(found.into_iter().map(|m| m.target));
    }
    uses.sort_by_key(|u| (u.range.start, u.range.end));
    let exported = exported_names(root.node(), source);
    FileAnalysis {
        bindings,
        uses,
        exported,
    }
}

fn chain_use(
    root: &Root,
    identifier: Node,
    target: &str,
    import: Option<usize>,
    ambiguous: bool,
    source: &str,
    catalogue: &Catalogue,
) -> Use {
    let local = text(identifier, source).to_owned();
    let mut tokens: Vec<String> = target.split('.').map(str::to_owned).collect();
    let base = tokens.len();
    let mut nodes = vec![identifier];
    let mut node = identifier;
    while let Some(parent) = root.parent(node) {
        if parent.kind() != "attribute" || field_name(parent, node) != Some("object") {
            break;
        }
        let Some(attr) = parent.child_by_field_name("attribute") else {
            break;
        };
        tokens.push(text(attr, source).to_owned());
        nodes.push(parent);
        node = parent;
    }
    for k in (0..tokens.len()).rev() {
        let candidate = tokens[..=k].join(".");
        if let Some(api) = catalogue.api(&candidate) {
            let (node, suffix) = if k + 1 >= base {
                (nodes[k + 1 - base], Vec::new())
            } else {
                (identifier, tokens[k + 1..base].to_vec())
            };
            return Use {
                kind: UseKind::Reference,
                api: Some(api),
                name: catalogue.apis[api].name.clone(),
                range: node.byte_range(),
                suffix,
                import,
                local,
                ambiguous,
                loaded: None,
                through: None,
            };
        }
    }
    Use {
        kind: UseKind::Reference,
        api: None,
        name: tokens.join("."),
        range: nodes.last().unwrap_or(&identifier).byte_range(),
        suffix: Vec::new(),
        import,
        local,
        ambiguous,
        loaded: None,
        through: None,
    }
}

/// The loader calls of a file given an eventlet name as a literal, found
/// from the strings that start with `eventlet`.
fn loader_calls<'t>(root: Node<'t>, source: &str) -> Vec<(Node<'t>, EventletLoad)> {
    strings_starting_with(&Root::new(root), source, "eventlet")
        .into_iter()
        .filter_map(|string| {
            let argument = string.parent()?;
            let arguments = match argument.kind() {
                "keyword_argument" => argument.parent()?,
                _ => argument,
            };
            let call = arguments.parent().filter(|c| c.kind() == "call")?;
            Some((call, eventlet_load(call, source)?))
        })
        .collect()
}

/// Each load of eventlet by name is a use: the module it loads (where the
/// catalogue knows it, its API), reported and never rewritten.
fn eventlet_loads(loads: &[(Node, EventletLoad)], catalogue: &Catalogue) -> Vec<Use> {
    loads
        .iter()
        .map(|(call, load)| {
            let api = catalogue.api(&load.path);
            Use {
                kind: UseKind::Reference,
                api,
                name: api.map_or(load.path.clone(), |a| catalogue.apis[a].name.clone()),
                range: call.byte_range(),
                suffix: Vec::new(),
                import: None,
                local: String::new(),
                ambiguous: true,
                loaded: Some(call.start_byte()),
                through: None,
            }
        })
        .collect()
}

/// oslo.messaging's server factories and classes, whose `executor=`
/// picks eventlet (barbican makes a `listener.NotificationServer` itself),
/// each with the position of that parameter.
const OSLO_MESSAGING_SERVERS: &[(&str, usize)] = &[
    ("get_rpc_server", 3),
    ("get_notification_listener", 3),
    ("get_batch_notification_listener", 3),
    ("MessageHandlingServer", 2),
    ("RPCServer", 3),
    ("NotificationServer", 3),
    ("BatchNotificationServer", 3),
];
const EXECUTOR_OPTION: &str = "eventlet:oslo.messaging-executor";
/// The same choice made where no rewrite follows it: passed to another
/// function, a parameter's default, or a module constant.
const WRAPPED_EXECUTOR: &str = "eventlet:wrapped-executor";

fn is_oslo_messaging_server(name: &str) -> bool {
    OSLO_MESSAGING_SERVERS
        .iter()
        .any(|(server, _)| *server == name)
}

/// Whether `source` may call one of oslo.messaging's server factories
/// (found before any parse; most files name none).
pub fn may_start_rpc_server(source: &str) -> bool {
    OSLO_MESSAGING_SERVERS
        .iter()
        .any(|(name, _)| source.contains(name))
}

/// The line of the first call of one of oslo.messaging's server factories
/// in the module `root`: the server's listener thread polls until it is
/// stopped, whatever its executor (see `Api::background_calls` of the
/// executor option).
pub fn rpc_server_line(root: Node, source: &str) -> Option<usize> {
    descendants(root)
        .filter(|n| n.kind() == "call")
        .find(|call| {
            call.child_by_field_name("function").is_some_and(|f| {
                let callee = text(f, source);
                is_oslo_messaging_server(callee.rsplit('.').next().unwrap_or(callee))
            })
        })
        .map(|call| call.start_position().row + 1)
}

/// What the threads of oslo.messaging's servers call as long as they run,
/// from the catalogue's executor option.
pub fn rpc_listener_calls(catalogue: &Catalogue) -> &[String] {
    catalogue
        .api(EXECUTOR_OPTION)
        .map_or(&[], |api| catalogue.apis[api].background_calls.as_slice())
}

/// The calls that may patch an eventlet API: those passed, first or
/// second, a string that starts with `eventlet` or an eventlet module that
/// `code` found (found from these, far fewer than the calls to `patch`).
fn patch_candidates<'t>(
    root: &Root<'t>,
    source: &str,
    code: &[Use],
    tops: &[&str],
) -> Vec<Node<'t>> {
    let strings = tops
        .iter()
        .flat_map(|top| strings_starting_with(root, source, top));
    let modules = code
        .iter()
        .filter(|u| u.kind == UseKind::Reference)
        .filter_map(|u| node_at(root, &u.range));
    let mut calls: Vec<Node> = Vec::new();
    for argument in strings.chain(modules) {
        let call = root
            .parent(argument)
            .filter(|a| a.kind() == "argument_list")
            .and_then(|a| root.parent(a))
            .filter(|c| c.kind() == "call");
        if let Some(call) = call
            && !calls.contains(&call)
        {
            calls.push(call);
        }
    }
    calls
}

/// A mock's assertion of the arguments it was called with, or the call
/// it expects (`mock.call(...)`).
const MOCK_ASSERTIONS: &[&str] = &[
    "assert_called_once_with",
    "assert_called_with",
    "assert_any_call",
    "call",
];

/// Whether the callee `callee` (as written) asserts a mock's call.
pub fn is_mock_assertion(callee: &str) -> bool {
    MOCK_ASSERTIONS.contains(&callee.rsplit('.').next().unwrap_or(callee))
}

/// Where a file picks eventlet's executor for an oslo.messaging server.
/// Passed to one of oslo.messaging's server factories (by keyword or at
/// its position), it is the executor option; asserted as what a mock was
/// passed, a test's expectation, which moves with the code like a mock
/// (kind `MockTarget`). Passed by keyword to any other function (the
/// project's own wrapper, which hands it on), as a parameter's default, or
/// through a module constant, it is a use of its own that no rewrite
/// follows.
fn library_options(root: &Root, source: &str, catalogue: &Catalogue) -> Vec<Use> {
    let (Some(option), Some(wrapped)) = (
        catalogue.api(EXECUTOR_OPTION),
        catalogue.api(WRAPPED_EXECUTOR),
    ) else {
        return Vec::new();
    };
    // Found from the text; most files have none, and pay no more.
    let arguments = executor_arguments(root, source);
    if arguments.is_empty() {
        return Vec::new();
    }
    let oslo_messaging_names = names_bound_to(root, source, "oslo_messaging");
    let constants: HashSet<&str> = module_assignments(root.node())
        .filter(|(_, value)| eventlet_string(*value, source).is_some())
        .map(|(name, _)| text(name, source))
        .collect();
    let mut found = Vec::new();
    for (argument, value) in arguments {
        let (range, literal) = match eventlet_string(value, source) {
            Some(content) => (content.byte_range(), true),
            None if value.kind() == "identifier" && constants.contains(text(value, source)) => {
                (value.byte_range(), false)
            }
            None => continue,
        };
        let (kind, api) = match argument {
            ExecutorArgument::Default => (UseKind::Option, wrapped),
            ExecutorArgument::Passed { callee, position } => {
                let member = callee.rsplit('.').next().unwrap_or(callee);
                let head = callee.split('.').next().unwrap_or(callee);
                let server = OSLO_MESSAGING_SERVERS
                    .iter()
                    .find(|(name, _)| *name == member)
                    .filter(|_| oslo_messaging_names.contains(head));
                if is_mock_assertion(callee) {
                    // A mock's assertion names no server: the usual
                    // position of the executor stands for it.
                    if !literal || position.is_some_and(|p| p != 3) {
                        continue;
                    }
                    (UseKind::MockTarget, option)
                } else if let Some((_, at)) = server {
                    if position.is_some_and(|p| p != *at) {
                        continue;
                    }
                    (UseKind::Option, if literal { option } else { wrapped })
                } else if position.is_none() {
                    (UseKind::Option, wrapped)
                } else {
                    continue;
                }
            }
        };
        found.push(Use {
            kind,
            api: Some(api),
            name: catalogue.apis[api].name.clone(),
            range,
            suffix: Vec::new(),
            import: None,
            local: String::new(),
            ambiguous: false,
            loaded: None,
            through: None,
        });
    }
    found
}

/// Where a value that may pick an executor sits.
enum ExecutorArgument<'s> {
    /// Passed to a call of `callee`: by the keyword `executor`, or as the
    /// positional argument at `position`.
    Passed {
        callee: &'s str,
        position: Option<usize>,
    },
    /// The default of a parameter named `executor`.
    Default,
}

/// The values passed as `executor=`, given as an `executor` parameter's
/// default, or passed positionally as the string `'eventlet'`, each with
/// where it sits.
fn executor_arguments<'t, 's>(
    root: &Root<'t>,
    source: &'s str,
) -> Vec<(ExecutorArgument<'s>, Node<'t>)> {
    let callee = |arguments: Node<'t>| {
        root.parent(arguments)
            .filter(|c| c.kind() == "call")
            .and_then(|c| c.child_by_field_name("function"))
            .map_or("", |f| text(f, source))
    };
    let named = memchr::memmem::find_iter(source.as_bytes(), b"executor")
        .filter_map(|at| root.descendant_for_byte_range(at, at + "executor".len()))
        .filter_map(|id| root.parent(id))
        .filter(|n| n.child_by_field_name("name").map(|n| text(n, source)) == Some("executor"))
        .filter_map(|n| {
            let value = n.child_by_field_name("value")?;
            match n.kind() {
                "keyword_argument" => {
                    let callee = callee(root.parent(n)?);
                    let position = None;
                    Some((ExecutorArgument::Passed { callee, position }, value))
                }
                "default_parameter" | "typed_default_parameter" => {
                    Some((ExecutorArgument::Default, value))
                }
                _ => None,
            }
        });
    let positional = strings_starting_with(root, source, "eventlet")
        .into_iter()
        .filter_map(|string| {
            let arguments = root
                .parent(string)
                .filter(|a| a.kind() == "argument_list")?;
            let before: Vec<Node> = named_children(arguments)
                .into_iter()
                .take_while(|a| *a != string)
                .filter(|a| a.kind() != "comment")
                .collect();
            // After a keyword or an unpacked sequence, positions are unknown.
            if before.iter().any(|a| {
                matches!(
                    a.kind(),
                    "keyword_argument" | "list_splat" | "dictionary_splat"
                )
            }) {
                return None;
            }
            let position = Some(before.len());
            Some((
                ExecutorArgument::Passed {
                    callee: callee(arguments),
                    position,
                },
                string,
            ))
        });
    named.chain(positional).collect()
}

/// The content of `value` where it is the plain string `'eventlet'`.
fn eventlet_string<'t>(value: Node<'t>, source: &str) -> Option<Node<'t>> {
    plain_string_content(value).filter(|content| text(*content, source) == "eventlet")
}

/// The names the file's imports bind to `module` or to something inside it
/// (`messaging` for `import oslo_messaging as messaging`, `listener` for
/// `from oslo_messaging.notify import listener`).
fn names_bound_to(root: &Root, source: &str, module: &str) -> HashSet<String> {
    import_statements(root.node(), source)
        .into_iter()
        .flat_map(|statement| imported(statement, source))
        .filter(|(_, target)| {
            target == module
                || target
                    .strip_prefix(module)
                    .is_some_and(|r| r.starts_with('.'))
        })
        .map(|(name, _)| name)
        .collect()
}

/// Strings like `'eventlet.sleep'` (or a library member's path, like
/// `'futurist.GreenThreadPoolExecutor'`) passed first to `mock.patch`,
/// `fixtures.MockPatch`, `fixtures.MonkeyPatch` (or where a project's
/// patcher takes them), and the
/// `patch.object(eventlet, 'sleep')` form and its kin (the string after an
/// eventlet module already found in `code`).
fn mock_targets(
    root: &Root,
    source: &str,
    catalogue: &Catalogue,
    patchers: &Patchers,
    code: &[Use],
) -> Vec<MockUse> {
    let mut found = Vec::new();
    // eventlet's paths, and those of libraries' members that run on it
    // (`futurist.GreenThreadPoolExecutor`).
    let tops: Vec<&str> = std::iter::once("eventlet")
        .chain(catalogue.library_tops())
        .collect();
    for node in patch_candidates(root, source, code, &tops) {
        // What the call patches: the string naming it, or each string the
        // file assigns to the variable that names it (such a mock cannot
        // follow a rewrite, and holds the code it patches).
        let targets: Vec<(Option<Node>, Node, String)> = match patchers.args(node, source) {
            Some(args) => vec![(
                args.object,
                args.string,
                text(args.string, source).to_owned(),
            )],
            None => {
                let Some((object, name)) = patchers.attribute_named_by(node, source) else {
                    continue;
                };
                let Some(values) = assigned_strings(root, name, source) else {
                    continue;
                };
                values
                    .into_iter()
                    .map(|value| (Some(object), name, value))
                    .collect()
            }
        };
        for (object, target, attribute) in targets {
            found.extend(mock_use(catalogue, code, object, target, &attribute));
        }
    }
    found
}

/// The mock of `attribute` (of `object`, for an attribute patcher) that
/// the argument `target` names, if it is eventlet's or a library member's.
fn mock_use(
    catalogue: &Catalogue,
    code: &[Use],
    object: Option<Node>,
    target: Node,
    attribute: &str,
) -> Option<MockUse> {
    let library_member = |dotted: &str| {
        canonical(catalogue, dotted)
            .0
            .is_some_and(|api| catalogue.apis[api].library)
    };
    let object = match object {
        None => None,
        Some(object) => Some(
            code.iter()
                .find(|u| u.kind == UseKind::Reference && u.range == object.byte_range())?,
        ),
    };
    let prefix = object.map_or(String::new(), |module| format!("{}.", module.name));
    let dotted = format!("{prefix}{attribute}");
    if !is_eventlet_path(&dotted) && !library_member(&dotted) {
        return None;
    }
    let (api, name, suffix) = canonical(catalogue, &dotted);
    // Through its object, the mock uses the object's import.
    Some(MockUse {
        target: Use {
            kind: UseKind::MockTarget,
            api,
            name,
            range: target.byte_range(),
            suffix,
            import: object.and_then(|o| o.import),
            local: object.map(|o| o.local.clone()).unwrap_or_default(),
            ambiguous: object.is_some_and(|o| o.ambiguous),
            loaded: None,
            through: None,
        },
        object: object.map(|o| o.range.clone()),
    })
}

/// The API a dotted eventlet name names (its longest catalogued prefix),
/// the API's canonical name and the members past it; or the name as
/// written when the catalogue does not know it.
pub(crate) fn canonical(
    catalogue: &Catalogue,
    dotted: &str,
) -> (Option<ApiId>, String, Vec<String>) {
    let tokens: Vec<&str> = dotted.split('.').collect();
    let matched = (1..=tokens.len())
        .rev()
        .find_map(|k| catalogue.api(&tokens[..k].join(".")).map(|api| (api, k)));
    match matched {
        Some((api, k)) => (
            Some(api),
            catalogue.apis[api].name.clone(),
            tokens[k..].iter().map(|t| t.to_string()).collect(),
        ),
        None => (None, dotted.to_owned(), Vec::new()),
    }
}

/// A mock target, and the module given as the object it patches.
struct MockUse {
    target: Use,
    object: Option<Range<usize>>,
}

fn exported_names(root: Node, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    for statement in named_children(root) {
        let Some(assignment) = statement.named_child(0) else {
            continue;
        };
        if statement.kind() != "expression_statement"
            || !matches!(assignment.kind(), "assignment" | "augmented_assignment")
            || assignment
                .child_by_field_name("left")
                .map(|l| text(l, source))
                != Some("__all__")
        {
            continue;
        }
        for node in descendants(assignment) {
            if node.kind() == "string_content" {
                names.insert(text(node, source).to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn uses(source: &str) -> Vec<(String, String, Vec<String>)> {
        let catalogue = Catalogue::builtin().unwrap();
        let tree = parse(source);
        analyze(&tree, source, &catalogue, &[], &Patchers::default())
            .uses
            .into_iter()
            .filter(|u| u.kind == UseKind::Reference)
            .map(|u| (u.name, source[u.range].to_owned(), u.suffix))
            .collect()
    }

    #[test]
    fn a_mock_catches_the_attribute_it_replaces_and_what_reads_through_it() {
        assert!(mock_catches("eventlet.sleep", "eventlet.sleep"));
        // eventlet binds its own sleep apart from greenthread's.
        assert!(!mock_catches(
            "eventlet.greenthread.sleep",
            "eventlet.sleep"
        ));
        assert!(!mock_catches(
            "eventlet.sleep",
            "eventlet.greenthread.sleep"
        ));
        // A mock of the module, or of a member of the module the code reads.
        assert!(mock_catches(
            "eventlet.greenthread",
            "eventlet.greenthread.sleep"
        ));
        assert!(mock_catches(
            "eventlet.green.subprocess.Popen",
            "eventlet.green.subprocess"
        ));
        assert!(!mock_catches(
            "eventlet.green.sub",
            "eventlet.green.subprocess"
        ));
        assert!(mock_catches(UNKNOWN_LOOKUP, "eventlet.sleep"));
        assert!(mock_catches("eventlet.sleep", UNKNOWN_LOOKUP));
    }

    #[test]
    fn a_use_is_looked_up_from_its_name_s_import() {
        let source = "import eventlet\nfrom eventlet import greenthread\nfrom eventlet import sleep\n\n\
                      eventlet.sleep(1)\ngreenthread.sleep(1)\nsleep(1)\n";
        let catalogue = Catalogue::builtin().unwrap();
        let tree = parse(source);
        let analysis = analyze(&tree, source, &catalogue, &[], &Patchers::default());
        let root = Root::new(tree.root_node());
        let lookups: Vec<(String, bool)> = analysis
            .uses
            .iter()
            .filter(|u| u.kind == UseKind::Reference)
            .map(|u| {
                let lookup = u.lookup(&root, &analysis.bindings, source);
                (lookup.path, lookup.bare)
            })
            .collect();
        assert_eq!(
            lookups,
            [
                ("eventlet.sleep".to_owned(), false),
                ("eventlet.greenthread.sleep".to_owned(), false),
                ("eventlet.sleep".to_owned(), true),
            ]
        );
    }

    #[test]
    fn aliases_normalise_to_the_canonical_api() {
        let found = uses(
            "import eventlet\nfrom eventlet.green import time as t\neventlet.sleep(1)\nt.sleep(2)\n",
        );
        assert_eq!(found[0].0, "eventlet.greenthread.sleep");
        assert_eq!(found[0].1, "eventlet.sleep");
        assert_eq!(found[1].0, "eventlet.greenthread.sleep");
        assert_eq!(found[1].1, "t.sleep");
    }

    #[test]
    fn the_longest_known_prefix_wins() {
        let found = uses("import eventlet.green.socket\neventlet.green.socket.socketpair()\n");
        assert_eq!(found[0].0, "eventlet.green.socket");
        assert_eq!(found[0].1, "eventlet.green.socket");
    }

    #[test]
    fn members_imported_past_a_module_api_keep_a_suffix() {
        let found =
            uses("from eventlet.green.socket import create_connection\ncreate_connection(a)\n");
        assert_eq!(found[0].0, "eventlet.green.socket");
        assert_eq!(found[0].2, ["create_connection"]);
    }

    #[test]
    fn eventlet_loaded_by_name_is_used_and_held_where_its_name_is_read() {
        let source = "from oslo_utils import importutils\n\
                      tpool = importutils.try_import('eventlet.tpool')\n\
                      green = importlib.import_module(name='eventlet.green.zmq')\n\
                      Pool = importutils.import_object('eventlet.greenpool.GreenPool')\n\
                      importutils.try_import(log('eventlet.tpool'))\n\
                      def poll(f):\n    return tpool.execute(f)\n\
                      def shadowed(tpool):\n    return tpool.execute(f)\n";
        let catalogue = Catalogue::builtin().unwrap();
        let tree = parse(source);
        let found: Vec<(String, String, bool)> =
            analyze(&tree, source, &catalogue, &[], &Patchers::default())
                .uses
                .into_iter()
                .map(|u| (u.name, source[u.range].to_owned(), u.loaded.is_some()))
                .collect();
        let held = |name: &str, call: &str| (name.to_owned(), call.to_owned(), true);
        assert_eq!(
            found,
            [
                held("eventlet.tpool", "importutils.try_import('eventlet.tpool')"),
                held(
                    "eventlet.green.zmq",
                    "importlib.import_module(name='eventlet.green.zmq')"
                ),
                // An instance is no module: the load is the only use.
                held(
                    "eventlet.greenpool.GreenPool",
                    "importutils.import_object('eventlet.greenpool.GreenPool')"
                ),
                held("eventlet.tpool.execute", "tpool.execute"),
            ]
        );
    }

    #[test]
    fn unknown_apis_keep_their_written_name() {
        let found = uses("import eventlet\neventlet.something.new()\n");
        assert_eq!(found[0].0, "eventlet.something.new");
    }

    #[test]
    fn mock_targets_are_found_in_patch_calls_only() {
        let catalogue = Catalogue::builtin().unwrap();
        let source = "@mock.patch('eventlet.sleep')\ndef t(m):\n    log('eventlet.sleep')\n    fixtures.MockPatch('eventlet.green.subprocess.Popen')\n";
        let tree = parse(source);
        let found: Vec<(String, Vec<String>)> =
            analyze(&tree, source, &catalogue, &[], &Patchers::default())
                .uses
                .into_iter()
                .filter(|u| u.kind == UseKind::MockTarget)
                .map(|u| (u.name, u.suffix))
                .collect();
        assert_eq!(
            found,
            [
                ("eventlet.greenthread.sleep".to_string(), vec![]),
                (
                    "eventlet.green.subprocess".to_string(),
                    vec!["Popen".to_string()]
                ),
            ]
        );
    }

    /// The uses of `kind` found in `source`, by line and API name.
    fn uses_by_line(source: &str, kind: UseKind) -> Vec<(usize, String)> {
        let catalogue = Catalogue::builtin().unwrap();
        let tree = parse(source);
        analyze(&tree, source, &catalogue, &[], &Patchers::default())
            .uses
            .into_iter()
            .filter(|u| u.kind == kind)
            .map(|u| (crate::source::line_col(source, u.range.start).0, u.name))
            .collect()
    }

    fn mock_targets_by_line(source: &str) -> Vec<(usize, String)> {
        uses_by_line(source, UseKind::MockTarget)
    }

    #[test]
    fn attribute_patches_of_test_base_classes_are_mock_targets() {
        let source = "import eventlet\n\
                      self.mock_object(eventlet, 'sleep')\n\
                      self.patchobject(eventlet, 'spawn_n')\n\
                      monkeypatch.setattr(eventlet, 'sleep', fake)\n\
                      self.useFixture(fixtures.MockPatchObject(eventlet, 'sleep'))\n\
                      other.object(eventlet, 'sleep')\n";
        let found = mock_targets_by_line(source);
        let sleep = "eventlet.greenthread.sleep".to_string();
        let spawn_n = "eventlet.greenthread.spawn_n".to_string();
        assert_eq!(
            found,
            [
                (2, sleep.clone()),
                (3, spawn_n),
                (4, sleep.clone()),
                (5, sleep)
            ]
        );
    }

    #[test]
    fn an_attribute_named_by_a_variable_is_each_string_the_file_gives_it() {
        let source = "import eventlet\n\
                      class T:\n    def setUp(self):\n        self.name = 'spawn_n'\n\
                      \x20   def test(self):\n        mock.patch.object(eventlet, self.name, f)\n\
                      class U(T):\n    def setUp(self):\n        self.name = 'spawn'\n\
                      def other(name):\n    mock.patch.object(eventlet, name, f)\n";
        let found = mock_targets_by_line(source);
        // A parameter may hold anything: that mock is not resolved.
        assert_eq!(
            found,
            [
                (6, "eventlet.greenthread.spawn_n".to_string()),
                (6, "eventlet.greenthread.spawn".to_string()),
            ]
        );
    }

    #[test]
    fn the_module_a_mock_patches_is_part_of_the_mock() {
        let catalogue = Catalogue::builtin().unwrap();
        let source = "import eventlet\nmock.patch.object(eventlet, 'spawn')\neventlet.tpool\n";
        let tree = parse(source);
        let found: Vec<(UseKind, String, Option<usize>)> =
            analyze(&tree, source, &catalogue, &[], &Patchers::default())
                .uses
                .into_iter()
                .filter(|u| u.kind != UseKind::Import)
                .map(|u| (u.kind, u.name, u.import))
                .collect();
        // No separate use of `eventlet` on line 2; the mock holds its import.
        assert_eq!(
            found,
            [
                (
                    UseKind::MockTarget,
                    "eventlet.greenthread.spawn".into(),
                    Some(0)
                ),
                (UseKind::Reference, "eventlet.tpool".into(), Some(0)),
            ]
        );
    }

    #[test]
    fn the_executor_of_every_oslo_messaging_server_is_an_option_use() {
        let source = "import oslo_messaging as messaging\n\
                      from oslo_messaging.notify import listener\n\
                      server = messaging.get_rpc_server(t, target, [], executor='eventlet')\n\
                      listener.NotificationServer(t, targets, d, executor='eventlet')\n\
                      messaging.get_rpc_server(t, target, [], 'eventlet', serializer)\n\
                      messaging.MessageHandlingServer(t, d, 'eventlet')\n\
                      messaging.get_rpc_server(t, target, 'eventlet')\n";
        let option = "eventlet:oslo.messaging-executor".to_string();
        assert_eq!(
            uses_by_line(source, UseKind::Option),
            [
                (3, option.clone()),
                (4, option.clone()),
                (5, option.clone()),
                (6, option)
            ]
        );
    }

    #[test]
    fn an_executor_no_rewrite_follows_to_oslo_messaging_is_a_use_of_its_own() {
        // murano's wrapper of the same name as oslo.messaging's factory, a
        // parameter's default, and a constant.
        let source = "import oslo_messaging\n\
                      from pkg import rpc\n\
                      EXECUTOR = 'eventlet'\n\
                      rpc.get_notification_listener(t, targets, e, executor='eventlet')\n\
                      def run(self, executor='eventlet'):\n    pass\n\
                      oslo_messaging.get_rpc_server(t, target, e, executor=EXECUTOR)\n\
                      get_rpc_server(t, target, e, executor='eventlet')\n\
                      other(t, target, e, 'eventlet')\n";
        let wrapped = "eventlet:wrapped-executor".to_string();
        assert_eq!(
            uses_by_line(source, UseKind::Option),
            [
                (4, wrapped.clone()),
                (5, wrapped.clone()),
                (7, wrapped.clone()),
                (8, wrapped)
            ]
        );
    }

    #[test]
    fn an_expected_executor_is_a_mock_target_by_keyword_or_at_its_position() {
        let source = "get_server.assert_called_once_with(t, target, e, executor='eventlet')\n\
                      get_server.assert_called_once_with(t, target, e, 'eventlet', s)\n\
                      importer.assert_called_once_with('eventlet')\n";
        let option = "eventlet:oslo.messaging-executor".to_string();
        assert_eq!(
            mock_targets_by_line(source),
            [(1, option.clone()), (2, option)]
        );
    }

    #[test]
    fn exported_names_are_collected() {
        let source = "from eventlet import sleep\n__all__ = ['sleep']\n";
        let tree = parse(source);
        let a = analyze(
            &tree,
            source,
            &Catalogue::builtin().unwrap(),
            &[],
            &Patchers::default(),
        );
        assert!(a.exported.contains("sleep"));
    }

    #[test]
    fn bindings_of_the_names_that_matter_give_what_all_bindings_give() {
        let catalogue = Catalogue::builtin().unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let programs = ["differential", "fixtures"]
            .iter()
            .flat_map(|d| std::fs::read_dir(dir.join(d)).unwrap())
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
            .map(|p| std::fs::read_to_string(p).unwrap());
        let examples = catalogue
            .transforms
            .iter()
            .flat_map(|t| &t.examples)
            .map(|e| e.before.clone());
        let mut compared = 0;
        for source in programs.chain(examples) {
            let tree = parse(&source);
            let everything = Bindings::analyze(&tree, &source);
            let loads = loader_calls(tree.root_node(), &source);
            let all = analyze_with(
                everything,
                &tree,
                &source,
                &catalogue,
                &Patchers::default(),
                &loads,
            );
            let pruned = analyze(&tree, &source, &catalogue, &[], &Patchers::default());
            assert_eq!(
                format!("{:?}", pruned.uses),
                format!("{:?}", all.uses),
                "{source}"
            );
            compared += 1;
        }
        assert!(compared > 50, "only {compared} programs compared");
    }
}
