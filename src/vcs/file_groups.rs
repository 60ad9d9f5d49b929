//! The commits of a series split by file: the changed files in the groups
//! that must land together, in the order they are committed, each with
//! the summary that names it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::analysis::UseKind;
use crate::outcome::FileResult;
use crate::project::modules::dotted_from;
use crate::project::programs::is_test_code;
use crate::transform::Catalogue;

use super::message::{SUMMARY_MAX, truncate};

/// Files committed together.
#[derive(Debug)]
pub struct Group {
    /// Paths relative to the tree root, sorted.
    pub files: Vec<PathBuf>,
    pub summary: String,
}

/// The changed files, by path relative to `root`, in groups, in commit
/// order.
///
/// A test that mocks an eventlet API lands with every file whose code
/// rewrites a use of it, so that no commit moves code off eventlet while
/// its tests still patch eventlet (or the reverse). The mock target is an
/// eventlet path (`eventlet.sleep`, `patch.object(eventlet, 'sleep')`),
/// which patches the API for every module that looks it up, not one, and
/// the engine rewrites it only once every use in the tree is rewritten:
/// so its file goes with all of them. A narrower rule would need targets
/// through one module (`pkg.manager.eventlet.sleep`), which the analysis
/// does not take as mocks of eventlet.
///
/// Groups of Python files come first, by their first path; the switch
/// off eventlet (`monkey_patch()` going) after them, once everything else
/// runs without eventlet; configuration files (the requirement) last.
pub fn file_groups(
    root: &Path,
    files: &[(PathBuf, &FileResult)],
    catalogue: &Catalogue,
) -> Vec<Group> {
    let mut code_using: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (_, file)) in files.iter().enumerate() {
        for f in file.rewrites().filter(|f| f.kind != UseKind::MockTarget) {
            code_using.entry(f.api.as_str()).or_default().push(i);
        }
    }
    let mut together = Partition::new(files.len());
    for (i, (_, file)) in files.iter().enumerate() {
        for f in file.rewrites().filter(|f| f.kind == UseKind::MockTarget) {
            for &code in code_using.get(f.api.as_str()).into_iter().flatten() {
                together.join(i, code);
            }
        }
    }
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..files.len() {
        members.entry(together.leader(i)).or_default().push(i);
    }
    let mut groups: Vec<_> = members
        .into_values()
        .map(|indices| {
            let mut paths: Vec<PathBuf> = indices.iter().map(|&i| files[i].0.clone()).collect();
            paths.sort();
            let switches = indices
                .iter()
                .any(|&i| files[i].1.rewrites().any(|f| f.makes_the_switch(catalogue)));
            let configuration = !paths.iter().any(|p| is_python(p));
            let order = (configuration, switches, paths.clone());
            let summary = summary(root, &paths);
            (
                order,
                Group {
                    files: paths,
                    summary,
                },
            )
        })
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    groups.into_iter().map(|(_, group)| group).collect()
}

/// Sets of indices that grow by joining two (union-find).
struct Partition {
    parent: Vec<usize>,
}

impl Partition {
    fn new(size: usize) -> Self {
        Partition {
            parent: (0..size).collect(),
        }
    }

    /// The index that stands for the set `i` is in.
    fn leader(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.leader(a), self.leader(b));
        self.parent[a] = b;
    }
}

fn is_python(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
}

/// Names the group by its first module that is not test code (tests
/// follow the code they exercise), with its package path: a project has
/// many `manager.py`. A configuration file is named by its path.
fn summary(root: &Path, paths: &[PathBuf]) -> String {
    let is_test = |p: &PathBuf| is_test_code(root, &root.join(p));
    let lead = paths
        .iter()
        .filter(|p| is_python(p))
        .min_by_key(|p| is_test(p))
        .unwrap_or(&paths[0]);
    if !is_python(lead) {
        return truncate(&format!("Drop eventlet from {}", lead.display()));
    }
    let module = dotted_from(root, &root.join(lead)).unwrap_or_else(|| lead.display().to_string());
    let others: Vec<&PathBuf> = paths.iter().filter(|p| *p != lead).collect();
    modules_summary(&module, others.len(), others.iter().all(|p| is_test(p)))
}

/// "Move MODULE off eventlet", saying what else moves with it: the first
/// wording that fits the summary limit, with the module path shortened
/// from the left (`...scheduler.manager`) only when none fits it whole.
fn modules_summary(module: &str, others: usize, others_are_tests: bool) -> String {
    let endings = match others {
        0 => vec!["off eventlet".to_owned()],
        // The tests may go unsaid: code changes with its tests.
        _ if others_are_tests => vec![
            "and its tests off eventlet".to_owned(),
            "off eventlet".to_owned(),
        ],
        n => vec![
            format!("and {n} more modules off eventlet"),
            format!("and {n} more off eventlet"),
        ],
    };
    let parts: Vec<&str> = module.split('.').collect();
    let names = (0..parts.len()).map(|dropped| match dropped {
        0 => module.to_owned(),
        _ => format!("...{}", parts[dropped..].join(".")),
    });
    for name in names {
        for ending in &endings {
            let summary = format!("Move {name} {ending}");
            if summary.chars().count() <= SUMMARY_MAX {
                return summary;
            }
        }
    }
    truncate(&format!("Move {module} {}", endings[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_name_the_module_and_what_moves_with_it() {
        assert_eq!(
            modules_summary("pkg.a.manager", 0, true),
            "Move pkg.a.manager off eventlet"
        );
        assert_eq!(
            modules_summary("pkg.a.manager", 1, true),
            "Move pkg.a.manager and its tests off eventlet"
        );
        // Where the tests do not fit, they go unsaid before the path is cut.
        assert_eq!(
            modules_summary("cinder.scheduler.manager", 2, true),
            "Move cinder.scheduler.manager off eventlet"
        );
        assert_eq!(
            modules_summary("cinder.volume.manager", 2, false),
            "Move cinder.volume.manager and 2 more off eventlet"
        );
        // A deep path keeps its end, which tells the modules apart.
        assert_eq!(
            modules_summary("cinder.volume.drivers.dell_emc.powermax.common", 0, true),
            "Move ...dell_emc.powermax.common off eventlet"
        );
    }
}
