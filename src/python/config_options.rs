//! oslo.config options that never hold a negative number: declared
//! anywhere in the project as `cfg.IntOpt('interval', min=0)` (or
//! `FloatOpt` with `min >= 0`, or a `PortOpt`). A delay read from such an
//! option (`CONF.interval`, `self.conf.group.interval`) needs no
//! `max(0, ...)`. An option name also declared without such a bound, in any
//! file, proves nothing.

use std::collections::HashSet;

use tree_sitter::Node;

use super::parse::parse;
use super::syntax::{descendants, named_children, numeric_literal, text};

/// The option names of a project proved non-negative.
#[derive(Debug, Default, Clone)]
pub struct NonNegativeOptions(HashSet<String>);

/// What one file declares: option names, each with whether its bound
/// proves it non-negative.
pub type Declared = Vec<(String, bool)>;

impl NonNegativeOptions {
    /// The names every declaration bounds at zero or above.
    pub fn of<'a>(files: impl IntoIterator<Item = &'a Declared>) -> NonNegativeOptions {
        let mut bounded = HashSet::new();
        let mut unbounded = HashSet::new();
        for (name, non_negative) in files.into_iter().flatten() {
            match non_negative {
                true => bounded.insert(name.clone()),
                false => unbounded.insert(name.clone()),
            };
        }
        NonNegativeOptions(bounded.difference(&unbounded).cloned().collect())
    }

    /// `node` reads a proved option from a configuration object: an
    /// attribute whose receiver is `CONF`, `conf` or `_conf`, directly or
    /// through groups (`CONF.libvirt.interval`, `self.conf.interval`).
    pub fn reads_one(&self, node: Node, source: &str) -> bool {
        let (Some(object), Some(name)) = (
            node.child_by_field_name("object"),
            node.child_by_field_name("attribute"),
        ) else {
            return false;
        };
        self.0.contains(text(name, source))
            && text(object, source)
                .split('.')
                .any(|part| matches!(part, "CONF" | "conf" | "_conf"))
    }
}

/// The numeric options a file declares (none is parsed unless the file
/// mentions `Opt(`).
pub fn declared(source: &str) -> Declared {
    if !source.contains("Opt(") {
        return Vec::new();
    }
    let tree = parse(source);
    descendants(tree.root_node())
        .filter(|n| n.kind() == "call")
        .filter_map(|call| option(call, source))
        .collect()
}

fn option(call: Node, source: &str) -> Option<(String, bool)> {
    let function = text(call.child_by_field_name("function")?, source);
    let kind = function.rsplit('.').next()?;
    if !matches!(kind, "IntOpt" | "FloatOpt" | "PortOpt") {
        return None;
    }
    let args = named_children(call.child_by_field_name("arguments")?);
    let keyword = |wanted: &str| {
        args.iter().find_map(|a| {
            (a.kind() == "keyword_argument"
                && a.child_by_field_name("name")
                    .is_some_and(|n| text(n, source) == wanted))
            .then(|| a.child_by_field_name("value"))
            .flatten()
        })
    };
    let name = args
        .first()
        .filter(|a| a.kind() == "string")
        .copied()
        .or_else(|| keyword("name"))?;
    let name = string_value(name, source)?;
    let bounded = kind == "PortOpt"
        || keyword("min")
            .and_then(|m| numeric_literal(m, source))
            .is_some_and(|m| m >= 0.0);
    Some((name, bounded))
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

    #[test]
    fn options_bounded_at_zero_in_every_declaration() {
        let opts = "from oslo_config import cfg\n\nopts = [\n    cfg.IntOpt('report_interval', default=10, min=0),\n    cfg.FloatOpt('jitter', min=0.5),\n    cfg.PortOpt('port'),\n    cfg.IntOpt('retries', default=-1),\n    cfg.IntOpt(name='timeout', min=1),\n    cfg.IntOpt('twice', min=0),\n]\n";
        let other = "from oslo_config import cfg\nOPT = cfg.IntOpt('twice', min=-1)\n";
        let declared = [declared(opts), declared(other)];
        let proved = NonNegativeOptions::of(&declared);
        let mut names: Vec<&String> = proved.0.iter().collect();
        names.sort();
        assert_eq!(names, ["jitter", "port", "report_interval", "timeout"]);
        let source = "CONF.report_interval\nself.conf.agent.jitter\nCONF.retries\nother.port\n";
        let tree = parse(source);
        let read: Vec<bool> = named_children(tree.root_node())
            .iter()
            .map(|statement| proved.reads_one(statement.named_child(0).unwrap(), source))
            .collect();
        assert_eq!(read, [true, true, false, false]);
    }
}
