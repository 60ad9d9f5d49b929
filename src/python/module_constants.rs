//! Constants another module of the project defines, read through a module
//! import (`datc.DEFAULT_SNAP_SLEEP` after `from cinder.volume.drivers.datera
//! import datera_common as datc`, where `DEFAULT_SNAP_SLEEP = 1`): which
//! ones a file reads, and the bounds their modules prove, so that a delay
//! or a pool size read from them needs no guard.

use std::collections::BTreeSet;
use std::ops::Range;

use super::bindings::module_bound_to;
use super::config_options::Bound;
use super::non_negative::{Proof, constant_named, is_constant_name};
use super::parse::parse;
use super::syntax::{Root, descendants, text};

/// The (module, name) pairs of the constants that the arguments of the
/// calls of `callees` (the eventlet uses of a file: delays, pool sizes)
/// read through a module the file imports at module level. The module may
/// turn out to be a name, not a module: the project's module graph decides.
pub fn reads(
    root: &Root,
    source: &str,
    callees: impl IntoIterator<Item = Range<usize>>,
) -> Vec<(String, String)> {
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    for callee in callees {
        let Some(arguments) = root
            .descendant_for_byte_range(callee.start, callee.end)
            .and_then(|node| root.parent(node))
            .filter(|call| call.kind() == "call")
            .and_then(|call| call.child_by_field_name("arguments"))
        else {
            continue;
        };
        for attribute in descendants(arguments).filter(|n| n.kind() == "attribute") {
            let (Some(object), Some(name)) = (
                attribute.child_by_field_name("object"),
                attribute.child_by_field_name("attribute"),
            ) else {
                continue;
            };
            let name = text(name, source);
            if object.kind() != "identifier" || !is_constant_name(name) {
                continue;
            }
            if let Some(module) = module_bound_to(root.node(), text(object, source), source) {
                found.insert((module, name.to_owned()));
            }
        }
    }
    found.into_iter().collect()
}

/// The bounds the module `source` proves for the constants `names`: at
/// least 0 where its value is never negative, an integer of at least 1
/// where it is one (options and other modules are not followed).
pub fn bounds(source: &str, names: &BTreeSet<String>) -> Vec<(String, Bound)> {
    let tree = parse(source);
    let root = Root::new(tree.root_node());
    let proof = Proof::within_file(&root, source);
    names
        .iter()
        .filter_map(|name| {
            let value = constant_named(&root, name, source)?;
            let bound = if proof.positive_int(value) {
                Bound {
                    min: 1.0,
                    integer: true,
                }
            } else if proof.proved(value) {
                Bound {
                    min: 0.0,
                    integer: false,
                }
            } else {
                return None;
            };
            Some((name.clone(), bound))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_the_arguments_of_the_calls_through_module_imports() {
        let source = "import random\n\nfrom pkg import common as c\nfrom pkg import util\nimport pkg.consts as k\nfrom . import rel\n\n\ndef f(x):\n    nap(c.DELAY, util.RETRIES, k.SIZE, rel.DELAY, x.DELAY, c.delay, random.MAX)\n    other(c.OTHER)\n";
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        let nap = source.find("nap").unwrap();
        assert_eq!(
            reads(&root, source, std::iter::once(nap..nap + 3)),
            [
                ("pkg.common".to_owned(), "DELAY".to_owned()),
                ("pkg.consts".to_owned(), "SIZE".to_owned()),
                ("pkg.util".to_owned(), "RETRIES".to_owned()),
                ("random".to_owned(), "MAX".to_owned()),
            ]
        );
    }

    #[test]
    fn bounds_of_constants_assigned_once() {
        let source =
            "DELAY = 1.5\nWORKERS = 4\nOFFSET = -1\nTWICE = 1\nTWICE = 2\nDERIVED = WORKERS * 2\n";
        let names = ["DELAY", "WORKERS", "OFFSET", "TWICE", "DERIVED", "MISSING"]
            .map(str::to_owned)
            .into();
        let found = bounds(source, &names);
        let named: Vec<(&str, f64, bool)> = found
            .iter()
            .map(|(n, b)| (n.as_str(), b.min, b.integer))
            .collect();
        assert_eq!(
            named,
            [
                ("DELAY", 0.0, false),
                ("DERIVED", 0.0, false),
                ("WORKERS", 1.0, true)
            ]
        );
    }
}
