//! The lower bounds of oslo.config options: declared anywhere in the
//! project as `cfg.IntOpt('interval', min=0)` (or `FloatOpt` with a `min`,
//! or a `PortOpt`, at least 0). A delay read from an option bounded at 0
//! (`CONF.interval`, `self.conf.group.interval`) needs no `max(0, ...)`; a
//! pool size read from an `IntOpt` bounded at 1 is a valid executor size.
//! An option name also declared without a bound, in any file, proves
//! nothing; declared with several, the least holds.

use std::collections::HashMap;

use tree_sitter::Node;

use super::bindings::module_bound_to;
use super::syntax::{descendants, keyword_value, named_children, numeric_literal, root_of, text};

/// The lower bound every declaration of an option gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub min: f64,
    /// Every declaration is an `IntOpt` (or a `PortOpt`).
    pub integer: bool,
}

/// The options of a project with a lower bound, and the constants of its
/// modules that other modules read (see `module_constants`), by module and
/// name.
#[derive(Debug, Default, Clone)]
pub struct ProjectBounds {
    options: HashMap<String, Bound>,
    constants: HashMap<(String, String), Bound>,
}

/// What one file declares: option names, each with its bound if it has one.
pub type Declared = Vec<(String, Option<Bound>)>;

impl ProjectBounds {
    /// The names every declaration bounds, each with the least bound.
    pub fn of<'a>(files: impl IntoIterator<Item = &'a Declared>) -> ProjectBounds {
        let mut bounds: HashMap<String, Option<Bound>> = HashMap::new();
        for (name, bound) in files.into_iter().flatten() {
            let least = match (bounds.get(name), bound) {
                (None, bound) => *bound,
                (Some(Some(a)), Some(b)) => Some(Bound {
                    min: a.min.min(b.min),
                    integer: a.integer && b.integer,
                }),
                (Some(_), _) => None,
            };
            bounds.insert(name.clone(), least);
        }
        ProjectBounds {
            options: bounds
                .into_iter()
                .filter_map(|(name, bound)| Some((name, bound?)))
                .collect(),
            constants: HashMap::new(),
        }
    }

    /// With the bounds of other modules' constants, by (module, name).
    pub fn with_constants(self, constants: HashMap<(String, String), Bound>) -> ProjectBounds {
        ProjectBounds { constants, ..self }
    }

    /// The bound of the option `node` reads from a configuration object:
    /// an attribute whose receiver is `CONF`, `conf` or `_conf`, directly
    /// or through groups (`CONF.libvirt.interval`, `self.conf.interval`),
    /// or a volume or share driver's `configuration` (cinder's and manila's
    /// view of the options registered for its backend);
    /// or of the constant it reads from another module of the project.
    pub fn bound_read(&self, node: Node, source: &str) -> Option<Bound> {
        self.option_read(node, source)
            .or_else(|| self.constant_read(node, source))
    }

    fn constant_read(&self, node: Node, source: &str) -> Option<Bound> {
        if self.constants.is_empty() {
            return None;
        }
        let object = node.child_by_field_name("object")?;
        let name = text(node.child_by_field_name("attribute")?, source);
        let module = module_bound_to(root_of(node), text(object, source), source)?;
        self.constants.get(&(module, name.to_owned())).copied()
    }

    fn option_read(&self, node: Node, source: &str) -> Option<Bound> {
        let (Some(object), Some(name)) = (
            node.child_by_field_name("object"),
            node.child_by_field_name("attribute"),
        ) else {
            return None;
        };
        let configuration = text(object, source)
            .split('.')
            .any(|part| matches!(part, "CONF" | "conf" | "_conf" | "configuration"));
        configuration
            .then(|| self.options.get(text(name, source)).copied())
            .flatten()
    }

    /// `node` reads an option or another module's constant that is never
    /// negative.
    pub fn reads_non_negative(&self, node: Node, source: &str) -> bool {
        self.bound_read(node, source).is_some_and(|b| b.min >= 0.0)
    }

    /// `node` reads an integer option or constant that is at least one.
    pub fn reads_positive_int(&self, node: Node, source: &str) -> bool {
        self.bound_read(node, source)
            .is_some_and(|b| b.integer && b.min >= 1.0)
    }
}

/// The numeric options `source` declares, parsed whole (for tests).
#[cfg(test)]
pub fn declared(source: &str) -> Declared {
    declared_in(crate::python::parse::parse(source).root_node(), source)
}

/// Whether `source` may declare options (only then is it worth a parse).
pub fn may_declare(source: &str) -> bool {
    source.contains("Opt(")
}

/// The options the parsed module `root` of `source` declares.
pub fn declared_in(root: Node, source: &str) -> Declared {
    descendants(root)
        .filter(|n| n.kind() == "call")
        .filter_map(|call| option(call, source))
        .collect()
}

fn option(call: Node, source: &str) -> Option<(String, Option<Bound>)> {
    let function = text(call.child_by_field_name("function")?, source);
    let kind = function.rsplit('.').next()?;
    if !matches!(kind, "IntOpt" | "FloatOpt" | "PortOpt") {
        return None;
    }
    let args = named_children(call.child_by_field_name("arguments")?);
    let keyword = |wanted: &str| keyword_value(&args, wanted, source);
    let name = args
        .first()
        .filter(|a| a.kind() == "string")
        .copied()
        .or_else(|| keyword("name"))?;
    let name = string_value(name, source)?;
    let min = keyword("min").and_then(|m| numeric_literal(m, source));
    let bound = match kind {
        "PortOpt" => Some(min.unwrap_or(0.0).max(0.0)),
        _ => min,
    }
    .map(|min| Bound {
        min,
        integer: kind != "FloatOpt",
    });
    Some((name, bound))
}

fn string_value(node: Node, source: &str) -> Option<String> {
    let content = named_children(node)
        .into_iter()
        .filter(|c| c.kind() == "string_content")
        .map(|c| text(c, source))
        .collect::<String>();
    (node.kind() == "string" && !content.is_empty()).then_some(content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    #[test]
    fn options_bounded_in_every_declaration_with_the_least_bound() {
        let opts = "from oslo_config import cfg\n\nopts = [\n    cfg.IntOpt('report_interval', default=10, min=0),\n    cfg.FloatOpt('jitter', min=0.5),\n    cfg.PortOpt('port'),\n    cfg.IntOpt('retries', default=-1),\n    cfg.IntOpt(name='workers', min=1),\n    cfg.IntOpt('twice', min=0),\n]\n";
        let other = "from oslo_config import cfg\nOPT = cfg.IntOpt('twice', min=-1)\n";
        let declared = [declared(opts), declared(other)];
        let proved = ProjectBounds::of(&declared);
        let mut names: Vec<&String> = proved.options.keys().collect();
        names.sort();
        assert_eq!(
            names,
            ["jitter", "port", "report_interval", "twice", "workers"]
        );
        let source = "CONF.report_interval\nself.conf.agent.jitter\nCONF.retries\nother.port\nCONF.twice\nCONF.workers\nCONF.jitter\nself.configuration.report_interval\n";
        let tree = parse(source);
        let read = |check: fn(&ProjectBounds, Node, &str) -> bool| -> Vec<bool> {
            named_children(tree.root_node())
                .iter()
                .map(|statement| check(&proved, statement.named_child(0).unwrap(), source))
                .collect()
        };
        assert_eq!(
            read(ProjectBounds::reads_non_negative),
            [true, true, false, false, false, true, true, true]
        );
        assert_eq!(
            read(ProjectBounds::reads_positive_int),
            [false, false, false, false, false, true, false, false]
        );
    }
}
