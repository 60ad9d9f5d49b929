//! The eventlet APIs the project's own code assigns something else to
//! (`eventlet.spawn_after = fake_spawn`, as trove's event simulator does):
//! calls of them run that, which a stdlib call would escape.

use std::collections::HashMap;
use std::ops::Range;

use rayon::prelude::*;

use super::parsed::Parsed;
use crate::analysis::UseKind;
use crate::python::syntax::{Root, field_name, node_at};
use crate::source::line_col;
use crate::transform::ApiId;

/// Each reassigned API, with where the first assignment is (`path:line`).
pub(super) fn reassigned_apis(parsed: &[Parsed]) -> HashMap<ApiId, String> {
    let found: Vec<(usize, usize, ApiId)> = parsed
        .par_iter()
        .flat_map_iter(|p| {
            let text = &p.source.text;
            // Only a use followed by `=` may be assigned to: most files
            // have none, and are not parsed again.
            let maybe: Vec<(Range<usize>, ApiId)> = p
                .analysis
                .uses
                .iter()
                .filter(|u| u.kind == UseKind::Reference)
                .filter_map(|u| Some((u.range.clone(), u.api?)))
                .filter(|(range, _)| {
                    let after = text[range.end..].trim_start_matches([' ', '\t']);
                    after.starts_with('=') && !after.starts_with("==")
                })
                .collect();
            let mut assigned = Vec::new();
            if !maybe.is_empty() {
                let tree = p.tree();
                let root = Root::new(tree.root_node());
                for (range, api) in maybe {
                    let is_target = node_at(&root, &range).is_some_and(|target| {
                        root.parent(target).is_some_and(|a| {
                            a.kind() == "assignment" && field_name(a, target) == Some("left")
                        })
                    });
                    if is_target {
                        assigned.push((p.file, range.start, api));
                    }
                }
            }
            assigned
        })
        .collect();
    let mut reassigned = HashMap::new();
    for (file, start, api) in found {
        let p = parsed
            .iter()
            .find(|p| p.file == file)
            .expect("a parsed file");
        let line = line_col(&p.source.text, start).0;
        reassigned
            .entry(api)
            .or_insert_with(|| format!("{}:{line}", p.source.path.display()));
    }
    reassigned
}
