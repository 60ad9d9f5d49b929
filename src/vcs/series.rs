//! Planning a series of commits: which rewrites go into which commit, in
//! an order where every commit stands alone (each is a full eventless run
//! restricted to the families so far, so it parses and keeps behaviour).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::Result;
use similar::{DiffTag, TextDiff};

use crate::engine::{self, Options};
use crate::outcome::RunResult;
use crate::outcome::{Action, Finding};
use crate::transform::{Catalogue, DifferenceId, Shape};

use super::file_groups::file_groups;
use super::message::truncate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Split {
    /// One commit for everything.
    None,
    /// One commit per idiom family, primitives first, requirements last;
    /// then one per behaviour difference of the review-level rewrites.
    Family,
    /// One commit per file, or per group of files where tests mock what
    /// the code uses (configuration files last).
    File,
}

/// One planned commit.
#[derive(Debug)]
pub struct Step {
    pub summary: String,
    /// The families or files it covers, for the message.
    pub scope: Vec<String>,
    /// The full content of every file changed so far in the series, by
    /// path relative to the tree root.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// Rewrites this step adds, and uses left for a person, with paths.
    pub rewrites: Vec<(PathBuf, Finding)>,
    pub manual: Vec<(PathBuf, Finding)>,
    /// The shared helpers module the rewrites so far call, when the
    /// project has one.
    pub helpers_module: Option<PathBuf>,
}

/// Families whose rewrites come first; anything else follows in catalogue
/// order, and configuration files (the requirement) come last.
const ORDER: &[&str] = &[
    "sleep",
    "locks",
    "queue",
    "event",
    "threadlocal",
    "tpool",
    "green",
    "network",
    "hub",
    "patcher",
    "library",
];

pub fn plan(
    root: &Path,
    catalogue: &Catalogue,
    options: &Options,
    split: Split,
) -> Result<Vec<Step>> {
    let all = engine::run(catalogue, options)?;
    // Every commit defines the helpers where the whole change does.
    let options = &Options {
        helpers: all
            .helpers
            .moved
            .as_ref()
            .map_or_else(|| options.helpers.clone(), |m| m.to.clone()),
        ..options.clone()
    };
    let steps = match split {
        Split::None => {
            let scope = families_with_rewrites(&all, catalogue);
            let summary = if scope.len() == 1 {
                family_summary(catalogue, &scope[0])
            } else {
                "Replace eventlet idioms with the standard library".to_owned()
            };
            vec![step(root, &all, summary, scope, |_| true)]
        }
        Split::File => {
            // The shared helpers module lands with the first group that
            // calls it.
            let module = all.helpers.module.as_ref();
            let changed: Vec<_> = all
                .changed()
                .filter(|f| module.is_none_or(|m| m.path != f.source.path))
                .map(|f| (path_in_repo(root, &f.source.path), f))
                .collect();
            let mut so_far: Vec<PathBuf> = Vec::new();
            let mut steps = Vec::new();
            for group in file_groups(root, &changed, catalogue) {
                so_far.extend(group.files.iter().cloned());
                if let Some(m) = module.filter(|m| {
                    m.callers
                        .iter()
                        .any(|c| group.files.contains(&path_in_repo(root, c)))
                }) {
                    let helpers = path_in_repo(root, &m.path);
                    if !so_far.contains(&helpers) {
                        so_far.push(helpers);
                    }
                }
                let scope = group
                    .files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                let mut s = step(root, &all, group.summary, scope, |p| {
                    so_far.iter().any(|f| f == p)
                });
                s.rewrites.retain(|(p, _)| group.files.contains(p));
                s.manual.retain(|(p, _)| group.files.contains(p));
                steps.push(s);
            }
            // What is left in files no commit changes is listed in the last.
            if let Some(last) = steps.last_mut() {
                last.manual.extend(
                    step(root, &all, String::new(), Vec::new(), |_| true)
                        .manual
                        .into_iter()
                        .filter(|(p, _)| !so_far.contains(p)),
                );
            }
            steps
        }
        Split::Family => {
            let families = families_with_rewrites(&all, catalogue);
            let mut steps: Vec<Step> = Vec::new();
            // Exact rewrites first, family by family; then the review-level
            // ones, a commit per behaviour difference for its reviewer.
            let mut exact = options.clone();
            exact.selection.accepted.clear();
            for (k, family) in families.iter().enumerate() {
                let so_far = &families[..=k];
                let mut restricted = exact.clone();
                let allowed: Vec<String> = catalogue
                    .transforms
                    .iter()
                    .filter(|t| so_far.contains(&catalogue.families[t.family].name))
                    .map(|t| t.id.clone())
                    .collect();
                let select = match &options.selection.select {
                    Some(user) => allowed.into_iter().filter(|id| user.contains(id)).collect(),
                    None => allowed.into_iter().collect(),
                };
                restricted.selection.select = Some(select);
                let run = engine::run(catalogue, &restricted)?;
                let mut s = step(
                    root,
                    &run,
                    family_summary(catalogue, family),
                    vec![family.clone()],
                    |_| true,
                );
                // The switch off eventlet lands in one commit, with every
                // rewrite it makes, whatever family came first.
                s.rewrites
                    .retain(|(_, f)| &f.family == family || f.makes_the_switch(catalogue));
                keep_new_rewrites(root, &steps, &mut s);
                s.manual.retain(|(_, f)| &f.family == family);
                if steps.last().is_some_and(|prev| prev.files == s.files) {
                    continue;
                }
                steps.push(s);
            }
            let mut accepted = exact.selection.accepted.clone();
            for difference in differences_made(&all, catalogue) {
                accepted.insert(difference);
                let mut restricted = options.clone();
                restricted.selection.accepted = accepted.clone();
                let run = engine::run(catalogue, &restricted)?;
                let id = &catalogue.differences[difference].id;
                let mut s = step(
                    root,
                    &run,
                    catalogue.differences[difference].commit_summary.clone(),
                    vec![id.clone()],
                    |_| true,
                );
                // What accepting it adds: its own rewrites (a case with it
                // may replace an exact one: `max(0, x)` dropped), and those
                // it frees (code that moves with them has differences
                // accepted before, or none).
                keep_new_rewrites(root, &steps, &mut s);
                s.manual.clear();
                if steps.last().is_some_and(|prev| prev.files == s.files) {
                    continue;
                }
                steps.push(s);
            }
            // What no commit of the series covers is listed in the last one.
            let covered: Vec<String> = steps.iter().flat_map(|s| s.scope.clone()).collect();
            if let Some(last) = steps.last_mut() {
                last.manual.extend(
                    step(root, &all, String::new(), Vec::new(), |_| true)
                        .manual
                        .into_iter()
                        .filter(|(_, f)| !covered.contains(&f.family)),
                );
            }
            steps
        }
    };
    Ok(steps.into_iter().filter(|s| !s.files.is_empty()).collect())
}

/// Keeps the step's rewrites that earlier steps did not make: not listed
/// by one of them as they are, and with lines this step changes from the
/// step before (or, for one that keeps its text, in a file it changes). A
/// rewrite made before, again or in another form that writes the same
/// lines (the switch's, once made; the pool of a patched program, made
/// again by the switch), is not this commit's; one whose line changes
/// only for another use on it is listed where it was made.
fn keep_new_rewrites(root: &Path, earlier: &[Step], step: &mut Step) {
    let Some(previous) = earlier.last() else {
        return;
    };
    let made = |(p, f): &(PathBuf, Finding)| {
        (
            p.clone(),
            f.line,
            f.column,
            f.transform.clone(),
            f.differences.clone(),
        )
    };
    let listed: HashSet<_> = earlier.iter().flat_map(|s| &s.rewrites).map(made).collect();
    step.rewrites.retain(|r| !listed.contains(&made(r)));
    // Each file's changes from its original, before and after the step,
    // found once for all its rewrites.
    let mut changes: HashMap<PathBuf, [Vec<Change>; 2]> = HashMap::new();
    let files = &step.files;
    step.rewrites.retain(|(p, f)| {
        let [before, after] = changes.entry(p.clone()).or_insert_with(|| {
            let bytes = std::fs::read(root.join(p)).unwrap_or_default();
            let original = String::from_utf8_lossy(&bytes);
            [&previous.files, files].map(|state| match state.get(p) {
                Some(text) => changes_from(&original, &String::from_utf8_lossy(text)),
                None => Vec::new(),
            })
        });
        let lines = f.line - 1..f.end_line;
        // A rewrite that keeps its text (a module's name, renamed in the
        // import only) is the step's that changes its file.
        let keeps_text =
            touching(before, &lines).next().is_none() && touching(after, &lines).next().is_none();
        touching(before, &lines).ne(touching(after, &lines)) || (keeps_text && before != after)
    });
}

/// A change of a file from its original: the original's lines it replaces
/// (0-based; empty for an insertion) and the new lines.
type Change = (Range<usize>, String);

/// The changes of `text` from `original`.
fn changes_from(original: &str, text: &str) -> Vec<Change> {
    let diff = TextDiff::from_lines(original, text);
    let new_lines: Vec<&str> = diff.iter_new_slices().collect();
    diff.ops()
        .iter()
        .filter(|op| op.tag() != DiffTag::Equal)
        .map(|op| (op.old_range(), new_lines[op.new_range()].concat()))
        .collect()
}

/// The changes that touch the original's `lines` (0-based): an insertion
/// counts where it lands.
fn touching<'c>(changes: &'c [Change], lines: &Range<usize>) -> impl Iterator<Item = &'c Change> {
    changes
        .iter()
        .filter(move |(old, _)| old.start < lines.end && lines.start < old.end.max(old.start + 1))
}

fn step(
    root: &Path,
    run: &RunResult,
    summary: String,
    scope: Vec<String>,
    include: impl Fn(&Path) -> bool,
) -> Step {
    let mut files = BTreeMap::new();
    let mut rewrites = Vec::new();
    let mut manual = Vec::new();
    for file in &run.files {
        let rel = path_in_repo(root, &file.source.path);
        if let Some(text) = &file.new_text
            && include(&rel)
        {
            files.insert(rel.clone(), file.source.encode(text));
        }
        for f in &file.findings {
            // Reasons, and where differences show, name places in the
            // export the series was built from.
            let mut f = f.clone();
            let in_repo =
                |text: &mut String| *text = text.replace(&format!("{}/", root.display()), "");
            f.reason.as_mut().map(in_repo);
            f.conditions.values_mut().for_each(in_repo);
            match f.action {
                Action::Rewrite if include(&rel) => rewrites.push((rel.clone(), f)),
                Action::Manual => manual.push((rel.clone(), f)),
                _ => {}
            }
        }
    }
    Step {
        summary,
        scope,
        files,
        rewrites,
        manual,
        helpers_module: run
            .helpers
            .module
            .as_ref()
            .map(|m| path_in_repo(root, &m.path)),
    }
}

/// The behaviour differences of the run's review-level rewrites, in
/// catalogue order.
fn differences_made(run: &RunResult, catalogue: &Catalogue) -> Vec<DifferenceId> {
    let made: Vec<&String> = run.rewrites().flat_map(|f| &f.differences).collect();
    (0..catalogue.differences.len())
        .filter(|d| made.contains(&&catalogue.differences[*d].id))
        .collect()
}

fn families_with_rewrites(run: &RunResult, catalogue: &Catalogue) -> Vec<String> {
    let used: Vec<&str> = run.rewrites().map(|f| f.family.as_str()).collect();
    let is_config = |name: &str| {
        catalogue
            .transforms
            .iter()
            .any(|t| t.shape == Shape::Config && catalogue.families[t.family].name == name)
    };
    let mut ordered: Vec<String> = ORDER
        .iter()
        .filter(|f| used.contains(f))
        .map(|f| f.to_string())
        .collect();
    for family in &catalogue.families {
        let name = family.name.as_str();
        if used.contains(&name)
            && !ORDER.contains(&name)
            && !is_config(name)
            && !ordered.iter().any(|o| o == name)
        {
            ordered.push(name.to_owned());
        }
    }
    for family in &catalogue.families {
        if used.contains(&family.name.as_str())
            && is_config(&family.name)
            && !ordered.contains(&family.name)
        {
            ordered.push(family.name.clone());
        }
    }
    ordered
}

pub fn family_summary(catalogue: &Catalogue, family: &str) -> String {
    catalogue
        .families
        .iter()
        .find(|f| f.name == family)
        .and_then(|f| f.commit_summary.clone())
        .unwrap_or_else(|| truncate(&format!("Move eventlet {family} idioms to the stdlib")))
}

pub fn path_in_repo(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}
