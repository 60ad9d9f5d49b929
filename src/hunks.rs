//! `apply --interactive` by hunk: the user keeps some hunks of a file's
//! rewrite. Hunks are not independent (a rewritten call and the import it
//! needs sit in different hunks), so a choice is only written when the
//! result still parses and binds no name the original left unbound.

use std::collections::HashSet;

use similar::{DiffOp, DiffTag, TextDiff};

use crate::python::bindings::{Bindings, Resolution};
use crate::python::parse::{first_syntax_error, parse};

/// The hunks of a rewrite, each as unified-diff text.
pub fn hunks(old: &str, new: &str) -> Vec<String> {
    let diff = TextDiff::from_lines(old, new);
    diff.unified_diff()
        .context_radius(3)
        .iter_hunks()
        .map(|h| h.to_string())
        .collect()
}

/// The text with only the `keep`-marked hunks of the rewrite, or why that
/// choice cannot be written.
pub fn compose(old: &str, new: &str, keep: &[bool]) -> Result<String, String> {
    let diff = TextDiff::from_lines(old, new);
    let groups = diff.grouped_ops(3);
    let chosen: HashSet<(usize, usize)> = groups
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .flat_map(|(ops, _)| ops.iter().filter(|op| op.tag() != DiffTag::Equal).map(key))
        .collect();
    let old_lines: Vec<&str> = diff.iter_old_slices().collect();
    let new_lines: Vec<&str> = diff.iter_new_slices().collect();
    let mut out = String::with_capacity(new.len());
    for op in diff.ops() {
        let take_new = op.tag() != DiffTag::Equal && chosen.contains(&key(op));
        let lines = if take_new {
            &new_lines[op.new_range()]
        } else {
            &old_lines[op.old_range()]
        };
        lines.iter().for_each(|l| out.push_str(l));
    }
    let tree = parse(&out);
    if first_syntax_error(&tree).is_some() {
        return Err("the chosen hunks do not parse together".into());
    }
    let before = unbound(old);
    let missing: Vec<String> = unbound(&out).difference(&before).cloned().collect();
    if !missing.is_empty() {
        return Err(format!(
            "the chosen hunks use {} without the import that another hunk adds",
            missing.join(", ")
        ));
    }
    Ok(out)
}

fn key(op: &DiffOp) -> (usize, usize) {
    (op.old_range().start, op.new_range().start)
}

/// Names read somewhere that nothing in the file binds.
fn unbound(text: &str) -> HashSet<String> {
    let tree = parse(text);
    let bindings = Bindings::analyze(&tree, text);
    bindings
        .references
        .iter()
        .filter(|r| bindings.resolve_reference(r, text) == Resolution::Unbound)
        .map(|r| text[r.range.clone()].to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "import eventlet\n\nA = 1\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6\nG = 7\n\n\ndef f():\n    eventlet.sleep(1)\n";
    const NEW: &str = "import time\n\nA = 1\nB = 2\nC = 3\nD = 4\nE = 5\nF = 6\nG = 7\n\n\ndef f():\n    time.sleep(1)\n";

    #[test]
    fn all_hunks_give_the_rewrite() {
        assert_eq!(hunks(OLD, NEW).len(), 2);
        assert_eq!(compose(OLD, NEW, &[true, true]).unwrap(), NEW);
        assert_eq!(compose(OLD, NEW, &[false, false]).unwrap(), OLD);
    }

    #[test]
    fn a_use_without_its_import_is_refused() {
        let err = compose(OLD, NEW, &[false, true]).unwrap_err();
        assert!(err.contains("time"), "{err}");
    }
}
