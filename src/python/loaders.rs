//! Modules a program loads by name rather than by an import statement:
//! `importutils.import_class(CONF.scheduler_manager)` (oslo.utils),
//! `importlib.import_module(name)`. OpenStack services find their manager
//! and driver classes this way, so a program that imports `cinder.service`
//! runs the scheduler manager although no import names it; a test that
//! mocks `eventlet.sleep` around `start_service('scheduler')` reaches that
//! manager's sleeps.
//!
//! A loader given a string literal loads that module. One given a computed
//! name may load whatever the project offers as a name to load: the
//! dotted default of a string option (`cfg.StrOpt('scheduler_manager',
//! default='cinder.scheduler.manager.SchedulerManager')`), or a dotted
//! string in the loader's own file (nova's table of service managers).
//! Dotted strings elsewhere (mock targets, log messages) are not names a
//! loader is handed, and counting them made most of a project reach most
//! of it.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use tree_sitter::Node;

use super::syntax::{
    descendants, dotted_name_literal, is_eventlet_path, keyword_value, named_children, text,
};

/// The functions that import the module (or `module.Name`) their first
/// argument (or `import_str=`, `name=`) names.
const LOADERS: &[&str] = &[
    "import_class",
    "import_object",
    "import_module",
    "try_import",
    "__import__",
];

/// oslo.utils' loaders that build the name from their arguments:
/// `import_object_ns(name_space, import_str)` tries `name_space.import_str`,
/// then `import_str`; `import_versioned_module(module, version)` imports
/// `module.v<version>`. Whatever they are given, what they load is
/// computed.
const COMPUTING_LOADERS: &[&str] = &["import_object_ns", "import_versioned_module"];

/// What one file tells about code loaded by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ByName {
    /// The dotted names its loader calls are given as string literals.
    pub loads: Vec<String>,
    /// Whether one of its loader calls is given a computed name.
    pub loads_computed: bool,
    /// The dotted defaults of the string options it declares.
    pub option_defaults: Vec<String>,
    /// Its dotted string literals, when it loads a computed name (it may be
    /// handed any of them).
    pub own_paths: Vec<String>,
}

#[cfg(test)]
fn by_name(source: &str) -> ByName {
    if !may_load_or_offer(source) {
        return ByName::default();
    }
    by_name_in(crate::python::parse::parse(source).root_node(), source)
}

/// Whether `source` may call a loader or declare a string option: every
/// file of the project is asked, and only those are worth a parse.
pub fn may_load_or_offer(source: &str) -> bool {
    static STR_OPT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("StrOpt("));
    may_call_a_loader(source.as_bytes()) || STR_OPT.find(source.as_bytes()).is_some()
}

/// What the parsed module `root` of `source` loads by name and offers to
/// be loaded.
pub fn by_name_in(root: Node, source: &str) -> ByName {
    let mut found = ByName::default();
    let mut strings = Vec::new();
    for node in descendants(root) {
        match node.kind() {
            "string" => strings.extend(dotted_string(node, source)),
            "call" => match called_name(node, source) {
                Some(name) if LOADERS.contains(&name) => match name_given(node, source) {
                    Some(arg) if arg.kind() == "string" => {
                        found.loads.extend(dotted_string(arg, source))
                    }
                    Some(_) => found.loads_computed = true,
                    None => {}
                },
                Some(name) if COMPUTING_LOADERS.contains(&name) => found.loads_computed = true,
                Some("StrOpt") => found.option_defaults.extend(dotted_default(node, source)),
                _ => {}
            },
            _ => {}
        }
    }
    if found.loads_computed {
        strings.sort();
        strings.dedup();
        found.own_paths = strings;
    }
    found
}

/// A loader call given an eventlet module (or name) as a literal:
/// oslo.messaging's `eventlet = importutils.try_import('eventlet')`, a
/// driver's `tpool = importutils.try_import('eventlet.tpool')`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventletLoad {
    /// The dotted name the call is given.
    pub path: String,
    /// What the call returns when assigned, as the dotted name an import
    /// would bind: the module or class loaded, `__import__`'s top-level
    /// package; `None` for an instance (`import_object`) or an
    /// `__import__` given more than the name.
    pub binds: Option<String>,
}

/// What `call` loads, when it is a loader given an eventlet name.
pub fn eventlet_load(call: Node, source: &str) -> Option<EventletLoad> {
    let loader = called_name(call, source).filter(|name| LOADERS.contains(name))?;
    let path = dotted_name_literal(name_given(call, source)?, source)
        .filter(|path| is_eventlet_path(path))?;
    let arguments = call
        .child_by_field_name("arguments")
        .map_or(0, |a| named_children(a).len());
    let binds = match loader {
        "import_object" => None,
        "__import__" if arguments > 1 => None,
        "__import__" => path.split('.').next().map(str::to_owned),
        _ => Some(path.clone()),
    };
    Some(EventletLoad { path, binds })
}

/// Whether `bytes` hold a loader's name followed by `(`: every loader's
/// name holds `import`, so one search finds the candidates.
fn may_call_a_loader(bytes: &[u8]) -> bool {
    static IMPORT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("import"));
    IMPORT.find_iter(bytes).any(|at| {
        LOADERS.iter().chain(COMPUTING_LOADERS).any(|name| {
            let offset = name.find("import").expect("every loader's name holds it");
            at.checked_sub(offset).is_some_and(|start| {
                bytes[start..].starts_with(name.as_bytes())
                    && bytes.get(start + name.len()) == Some(&b'(')
            })
        })
    })
}

/// The last name of what a call calls (`import_class` in
/// `importutils.import_class(...)`).
fn called_name<'s>(call: Node, source: &'s str) -> Option<&'s str> {
    let function = call.child_by_field_name("function")?;
    let name = match function.kind() {
        "attribute" => function.child_by_field_name("attribute")?,
        "identifier" => function,
        _ => return None,
    };
    Some(text(name, source))
}

/// What a loader call is given as the name to load: its first argument, or
/// the keyword that names it (oslo.utils' `import_str=`, importlib's and
/// `__import__`'s `name=`).
fn name_given<'t>(call: Node<'t>, source: &str) -> Option<Node<'t>> {
    let arguments: Vec<Node> = named_children(call.child_by_field_name("arguments")?)
        .into_iter()
        .filter(|a| a.kind() != "comment")
        .collect();
    match arguments.first() {
        Some(first) if first.kind() != "keyword_argument" => Some(*first),
        _ => keyword_value(&arguments, "import_str", source)
            .or_else(|| keyword_value(&arguments, "name", source)),
    }
}

/// The `default=` of a string option, when it is a dotted name.
fn dotted_default(call: Node, source: &str) -> Option<String> {
    let arguments = named_children(call.child_by_field_name("arguments")?);
    dotted_string(keyword_value(&arguments, "default", source)?, source)
}

/// The content of a plain string literal that is a dotted name of at least
/// two parts (`pkg.module`), the form a loader takes.
fn dotted_string(node: Node, source: &str) -> Option<String> {
    dotted_name_literal(node, source).filter(|name| name.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_loads_are_named_and_computed_ones_take_the_files_paths() {
        let source = "from oslo_utils import importutils\n\nMANAGERS = {'nova-compute': 'nova.compute.manager.ComputeManager'}\nLOG_NAME = 'not a path'\n\n\ndef create(binary):\n    driver = importutils.import_module('nova.virt.driver')\n    return importutils.import_class(MANAGERS[binary])\n";
        let found = by_name(source);
        assert_eq!(found.loads, ["nova.virt.driver"]);
        assert!(found.loads_computed);
        assert_eq!(
            found.own_paths,
            ["nova.compute.manager.ComputeManager", "nova.virt.driver"]
        );
    }

    #[test]
    fn a_loader_given_keywords_only_loads_their_values() {
        let found = by_name(
            "from oslo_utils import importutils\n\nimportutils.import_class(import_str='a.b.C')\n",
        );
        assert_eq!(found.loads, ["a.b.C"]);
        assert!(!found.loads_computed);
        let found = by_name(
            "from oslo_utils import importutils\n\nimportutils.import_object(import_str=CONF.driver)\n",
        );
        assert!(found.loads_computed);
        // The loaded object's own arguments are not names to load.
        let found = by_name(
            "from oslo_utils import importutils\n\nimportutils.import_object(import_str='a.b.C', \
             host=CONF.host, topic='x.y')\nimportlib.import_module(  # why\n    'c.d')\n",
        );
        assert_eq!(found.loads, ["a.b.C", "c.d"]);
        assert!(!found.loads_computed);
    }

    #[test]
    fn loaders_that_build_the_name_load_a_computed_one() {
        for call in [
            "importutils.import_object_ns('nova.virt', 'libvirt.LibvirtDriver')",
            "importutils.import_versioned_module('novaclient', '2')",
        ] {
            let found = by_name(&format!("from oslo_utils import importutils\n\n{call}\n"));
            assert!(found.loads.is_empty(), "{call}");
            assert!(found.loads_computed, "{call}");
        }
    }

    #[test]
    fn string_option_defaults_are_offered_and_other_strings_are_not() {
        let source = "from oslo_config import cfg\n\nopts = [\n    cfg.StrOpt('scheduler_manager',\n               default='cinder.scheduler.manager.SchedulerManager'),\n    cfg.StrOpt('host', default='localhost'),\n    cfg.StrOpt('name', default=f'cinder.{x}'),\n]\nTARGET = 'cinder.volume.api.API'\n";
        let found = by_name(source);
        assert_eq!(
            found.option_defaults,
            ["cinder.scheduler.manager.SchedulerManager"]
        );
        assert!(!found.loads_computed);
        assert!(found.own_paths.is_empty());
        assert!(found.loads.is_empty());
    }

    #[test]
    fn files_without_loaders_or_options_are_not_parsed_for_them() {
        let found = by_name("import time\n\nPATH = 'a.b.c'\ntime.sleep(1)\n");
        assert_eq!(found, ByName::default());
    }
}
