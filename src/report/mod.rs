//! Scan reports: every eventlet use with its fate, and a summary.

mod catalogue;
pub mod dashboard;
pub mod json;
pub mod markdown;
pub mod readiness;
pub mod sarif;
pub mod text;

pub use catalogue::catalogue_markdown;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::outcome::Action;
use crate::outcome::{ProjectSummary, RunResult};
use crate::transform::Safety;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub files_scanned: usize,
    pub files_with_eventlet: usize,
    pub files_skipped: usize,
    /// Uses in code (imports not counted).
    pub uses: usize,
    pub rewrite_safe: usize,
    pub rewrite_conditional: usize,
    /// Review-level rewrites made (their differences accepted).
    pub rewrite_review: usize,
    pub manual: usize,
    /// Of those, the uses the project's switch to native threads would
    /// rewrite: they change only with the rest, not by a person's hand.
    pub with_switch: usize,
    /// Of those, the uses the switch rewrites only once their differences
    /// are accepted, and those differences (ids).
    pub with_switch_once_accepted: usize,
    pub switch_needs: BTreeSet<String>,
    /// Review-level rewrites made, by their differences (ids joined by ',').
    pub review_made: BTreeMap<String, usize>,
    /// Uses left only because their rewrite's differences are not
    /// accepted, by those differences: what `--accept` would unlock.
    pub unlockable: BTreeMap<String, usize>,
    pub imports: usize,
    pub files_to_change: usize,
}

impl Summary {
    pub fn of(run: &RunResult) -> Summary {
        let mut s = Summary {
            files_scanned: run.files_scanned,
            files_with_eventlet: run.files.len(),
            files_skipped: run.skipped.len(),
            files_to_change: run.to_change().count(),
            ..Summary::default()
        };
        for f in run.files.iter().flat_map(|f| &f.findings) {
            if f.with_switch && f.action == Action::Manual {
                s.with_switch += 1;
                if !f.differences.is_empty() {
                    s.with_switch_once_accepted += 1;
                    s.switch_needs.extend(f.differences.iter().cloned());
                }
            }
            let differences = || f.differences.join(",");
            match (f.action, f.safety) {
                (Action::Import, _) => s.imports += 1,
                (Action::Manual, Safety::Review) => {
                    s.manual += 1;
                    *s.unlockable.entry(differences()).or_default() += 1;
                }
                (Action::Manual, _) => s.manual += 1,
                (Action::Rewrite, Safety::Safe) => s.rewrite_safe += 1,
                (Action::Rewrite, Safety::Review) => {
                    s.rewrite_review += 1;
                    *s.review_made.entry(differences()).or_default() += 1;
                }
                (Action::Rewrite, _) => s.rewrite_conditional += 1,
            }
        }
        s.uses = s.rewrites() + s.manual;
        s
    }

    pub fn rewrites(&self) -> usize {
        self.rewrite_safe + self.rewrite_conditional + self.rewrite_review
    }

    /// Lines naming the differences of the review-level rewrites made, and
    /// what accepting more would unlock (none when there is neither).
    pub fn difference_lines(&self) -> String {
        let mut out = String::new();
        let listed = |counts: &BTreeMap<String, usize>| {
            counts
                .iter()
                .map(|(ids, n)| format!("{n} with {ids}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.rewrite_review > 0 {
            out += &format!(
                "review level: {} with named behaviour differences for the reviewer to check \
                 ({}; see `eventless transforms differences`)\n",
                count(self.rewrite_review, "rewrite"),
                listed(&self.review_made)
            );
        }
        let unlockable: usize = self.unlockable.values().sum();
        if unlockable > 0 {
            out += &format!(
                "{} left only for named differences; --review (or --accept ID) rewrites {} and \
                 what then follows: {}\n",
                count(unlockable, "use"),
                if unlockable == 1 { "it" } else { "them" },
                listed(&self.unlockable)
            );
        }
        out
    }

    /// The uses left that need a person (not only the switch).
    pub fn need_a_person(&self) -> usize {
        self.manual - self.with_switch
    }

    /// What stays, for a verdict: `12 uses need a person; 5 more change
    /// only with the switch to native threads`.
    pub fn left_for_people(&self) -> String {
        let person = self.need_a_person();
        let mut told = match person {
            // All that stays waits for the switch (for a library that runs
            // on eventlet, or for its differences to be accepted).
            0 => "no use needs a person".to_owned(),
            1 => "1 use needs a person".to_owned(),
            n => format!("{n} uses need a person"),
        };
        if self.with_switch > 0 {
            told += &format!(
                "; {} more change{} only with the switch to native threads",
                self.with_switch,
                if self.with_switch == 1 { "s" } else { "" }
            );
        }
        let ids: Vec<&str> = self.switch_needs.iter().map(String::as_str).collect();
        if let Some((last, init)) = ids.split_last() {
            let (list, verb) = match init {
                [] => (last.to_string(), "is"),
                _ => (format!("{} and {last}", init.join(", ")), "are"),
            };
            let which = match (self.with_switch_once_accepted, self.with_switch) {
                (1, 1) => String::new(),
                (n, all) if n == all => "all of them ".to_owned(),
                (n, _) => format!("{n} of them "),
            };
            told += &format!(", {which}once {list} {verb} accepted");
        }
        told
    }

    /// Whether nothing would be left for a person once the rewrites apply.
    pub fn eventlet_removable(&self) -> bool {
        self.manual == 0 && self.files_skipped == 0
    }
}

/// Adds `place` to the places of a difference, once where several uses on
/// one line share it (`socket.fromfd(fd, socket.AF_INET, ...)`); places
/// come in file and line order.
pub fn add_place(places: &mut Vec<String>, place: String) {
    if places.last() != Some(&place) {
        places.push(place);
    }
}

/// The first `shown` of `places` (`a.py:3`), and how many more there are:
/// `a.py:3, b.py:9 and 4 more`.
pub fn first_places(places: &[String], shown: usize) -> String {
    let more = match places.len().saturating_sub(shown) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!("{}{more}", places[..places.len().min(shown)].join(", "))
}

/// `n` and the noun, plural unless `n` is one: `1 file`, `3 entry points`.
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

/// A file's path as reports show it: relative to the root given.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel.display().to_string();
    text.strip_prefix("./").unwrap_or(&text).to_owned()
}

/// What was analysed and what rewritten, in a sentence or three: the
/// project root, its programs, whether it is judged as a library, and the
/// imports of its own packages that name no file.
pub fn project_lines(p: &ProjectSummary) -> String {
    project_lines_under(p, &p.root.display().to_string())
}

/// `project_lines`, naming the root as given.
pub fn project_lines_under(p: &ProjectSummary, root: &str) -> String {
    let within = match &p.paths {
        Some(paths) => paths
            .iter()
            .map(|x| x.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        None => "the whole project".to_owned(),
    };
    let mut out = format!(
        "analysed {} under {root} ({}, {}, {}); rewrites within {within}\n",
        count(p.files_analysed, "Python file"),
        count(p.entry_points, "entry point"),
        count(p.scripts, "script"),
        count(p.test_programs, "test module")
    );
    if p.library {
        out.push_str(
            "a library: no entry point of it monkey-patches in its own module or as its \
             imports run (a patch in another module's function, which a command calls later, \
             is not seen), so each module is judged for the unknown programs that import it, \
             which may or may not patch (--assume-monkey-patched says how they run it)\n",
        );
    }
    if let Some(runtime) = &p.eventlet_runtime {
        out.push_str(&format!(
            "{runtime} runs on eventlet itself: the switch to native threads also waits for \
             that library to move off it\n"
        ));
    }
    if let Some(first) = p.unresolved_imports.first() {
        out.push_str(&format!(
            "{} of the project's own packages {} no file (first: {first}); a program that \
             reaches code only through such an import is not seen\n",
            count(p.unresolved_imports.len(), "import"),
            if p.unresolved_imports.len() == 1 {
                "names"
            } else {
                "name"
            }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_with_several_uses_is_listed_once() {
        let mut places = Vec::new();
        for place in ["a.py:3", "a.py:3", "a.py:9", "b.py:3"] {
            add_place(&mut places, place.to_owned());
        }
        assert_eq!(places, ["a.py:3", "a.py:9", "b.py:3"]);
        assert_eq!(first_places(&places, 2), "a.py:3, a.py:9 and 1 more");
    }
}
