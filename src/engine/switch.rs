//! The switch to native threads: the uses only it rewrites, whether all
//! that stays is held by it alone, and the files rewritten again once it
//! is made.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::decisions::{fate_of, matcher};
use super::options::Options;
use super::parsed::{Parsed, add_uses};
use super::rewritten::Rewritten;
use crate::analysis::{Use, UseKind, analyze};
use crate::decide::matcher::Fate;
use crate::decide::tree_facts::ProjectFacts;
use crate::helpers_home::Helpers;
use crate::outcome::{Action, FileResult, Finding};
use crate::plan::rewrite::{Mode, rewrite_file};
use crate::python::parse::parse;
use crate::python::syntax::Root;
use crate::source::LineIndex;
use crate::transform::Catalogue;

/// A use in code whose API has a rewrite that needs the tree free of
/// eventlet (monkey_patch(), GreenPool).
pub(super) fn is_whole_program(finding: &Finding, catalogue: &Catalogue) -> bool {
    finding.kind == UseKind::Reference
        && catalogue.api(&finding.api).is_some_and(|api| {
            catalogue
                .transforms_for(api)
                .iter()
                .any(|t| catalogue.transforms[*t].whole_program())
        })
}

/// Whether the only eventlet uses the rewrites leave (but imports) are
/// ones that only the whole program's switch rewrites.
pub(super) fn only_whole_program_left(files: &[Rewritten], catalogue: &Catalogue) -> bool {
    let mut left = false;
    for file in files.iter().map(|r| &r.result) {
        if file.error.is_some() {
            return false;
        }
        for finding in file.findings.iter().filter(|f| f.action == Action::Manual) {
            if !is_whole_program(finding, catalogue) {
                return false;
            }
            left = true;
        }
    }
    left
}

/// The uses of a file that the switch would rewrite, by start offset, and
/// those it would rewrite once their differences (ids) are accepted.
#[derive(Default)]
pub(super) struct SwitchFates {
    rewritten: HashSet<usize>,
    unaccepted: HashMap<usize, Vec<String>>,
}

/// The uses of the files within the paths given (by file) that the
/// project's switch to native threads would rewrite (decided under
/// `switched`, the project's facts once switched), or would once their
/// differences are accepted: those held only by what the switch removes
/// (its green threads, its monkey-patching, its other eventlet uses),
/// which therefore change only together. The rest of what stays needs a
/// person, or the acceptance of differences it has either way.
pub(super) fn uses_with_switch(
    parsed: &[Parsed],
    catalogue: &Catalogue,
    switched: &ProjectFacts,
    options: &Options,
    helpers: &Helpers,
) -> HashMap<usize, SwitchFates> {
    parsed
        .par_iter()
        .filter(|p| p.in_scope && !p.analysis.uses.is_empty())
        .map(|p| {
            let tree = std::cell::OnceCell::new();
            let root = std::cell::OnceCell::new();
            let root = || root.get_or_init(|| Root::new(tree.get_or_init(|| p.tree()).root_node()));
            let matcher = matcher(catalogue, switched, &options.selection, helpers, p.file);
            let mut fates = SwitchFates::default();
            for u in &p.analysis.uses {
                if matches!(u.kind, UseKind::Import | UseKind::Config) {
                    continue;
                }
                match fate_of(catalogue, &matcher, p, root, u) {
                    Fate::Rewrite(_) => {
                        fates.rewritten.insert(u.range.start);
                    }
                    Fate::Unaccepted(rewrite) => {
                        let ids = rewrite.differences.iter();
                        let ids = ids.map(|d| catalogue.differences[*d].id.clone()).collect();
                        fates.unaccepted.insert(u.range.start, ids);
                    }
                    _ => {}
                }
            }
            (p.file, fates)
        })
        .collect()
}

/// Where the file's uses left for a person start (line, column).
pub(super) fn manual_places(file: &FileResult) -> HashSet<(usize, usize)> {
    file.findings
        .iter()
        .filter(|x| x.action == Action::Manual)
        .map(|x| (x.line, x.column))
        .collect()
}

/// Marks the file's uses left for a person that the switch would rewrite
/// (`fates`, from `uses_with_switch`), or would once their differences are
/// accepted, where those are the switch's alone (a use that waits for
/// their acceptance now too is not the switch's); these say which.
pub(super) fn mark_with_switch(file: &mut FileResult, fates: Option<&SwitchFates>) {
    let Some(fates) = fates else {
        return;
    };
    if !file.findings.iter().any(|x| x.action == Action::Manual) {
        return;
    }
    let lines = LineIndex::new(&file.source.text);
    let place = |offset: usize| lines.line_col(&file.source.text, offset);
    let rewritten: HashSet<(usize, usize)> = fates.rewritten.iter().map(|&o| place(o)).collect();
    let unaccepted: HashMap<(usize, usize), &Vec<String>> = fates
        .unaccepted
        .iter()
        .map(|(&o, ids)| (place(o), ids))
        .collect();
    for finding in file
        .findings
        .iter_mut()
        .filter(|x| x.action == Action::Manual)
    {
        let at = (finding.line, finding.column);
        if rewritten.contains(&at) {
            finding.with_switch = true;
        } else if let Some(ids) = unaccepted
            .get(&at)
            .filter(|_| finding.differences.is_empty())
        {
            finding.with_switch = true;
            finding.differences = ids.to_vec();
            let accept = ids.join(",");
            if let Some(reason) = &mut finding.reason {
                if !reason.ends_with('.') {
                    reason.push('.');
                }
                reason.push_str(&format!(
                    " The switch rewrites it only with --accept {accept} (or --review)."
                ));
            }
        }
    }
}

/// The facts under which the switch to native threads is made, if it is
/// due: all that stays is held only by it (or, while an imported library
/// runs on eventlet itself, all that stays is what only the whole
/// program's switch rewrites). `switched`: the project's facts once
/// switched.
pub(super) fn the_switch(
    rewritten: &[Rewritten],
    facts: &ProjectFacts,
    switched: ProjectFacts,
    catalogue: &Catalogue,
) -> Option<ProjectFacts> {
    let manual = || {
        rewritten
            .iter()
            .flat_map(|r| r.result.findings.iter())
            .filter(|x| x.action == Action::Manual)
    };
    let held_only_for_the_switch = manual().next().is_some()
        && manual().all(|x| x.with_switch)
        && rewritten.iter().all(|r| r.result.error.is_none());
    if facts.keeps_eventlet_running() {
        only_whole_program_left(rewritten, catalogue).then(|| facts.eventlet_free())
    } else {
        held_only_for_the_switch.then_some(switched)
    }
}

/// Rewrites again, under `switch_facts`, the files that keep uses for a
/// person, and keeps the new results only if every use went (or, while a
/// library keeps eventlet running, if every file could be rewritten); what
/// they rewrite anew is part of the switch. Where only review-level
/// rewrites the user has not accepted would stay (monkey_patch()'s
/// resolver difference), nothing changes, but those uses say what
/// accepting their differences unlocks.
pub(super) fn rewrite_switched(
    rewritten: &mut [Rewritten],
    switch_facts: &ProjectFacts,
    catalogue: &Catalogue,
    options: &Options,
    helpers: &Helpers,
    mocks_through: &HashMap<usize, Vec<Use>>,
    mode: Mode,
) {
    let again: Vec<usize> = (0..rewritten.len())
        .filter(|&i| {
            rewritten[i]
                .result
                .findings
                .iter()
                .any(|x| x.action == Action::Manual)
        })
        .collect();
    let redone: Vec<Rewritten> = again
        .par_iter()
        .map(|&i| {
            let file = rewritten[i].file;
            let source = rewritten[i].result.source.clone();
            let tree = parse(&source.text);
            let matcher = matcher(catalogue, switch_facts, &options.selection, helpers, file);
            let naming = matcher.helpers.names_considered();
            let mut analysis = analyze(&tree, &source.text, catalogue, &naming, matcher.patchers);
            if let Some(mocks) = mocks_through.get(&file) {
                add_uses(&mut analysis, mocks);
            }
            let outcome = rewrite_file(
                &source.text,
                Some(tree),
                analysis,
                source.newline,
                &matcher,
                mode,
            );
            Rewritten::new(file, source, outcome)
        })
        .collect();
    let all_gone = redone.iter().all(|r| {
        let f = &r.result;
        f.error.is_none() && f.findings.iter().all(|x| x.action != Action::Manual)
    });
    let held_for_a_library =
        switch_facts.keeps_eventlet_running() && redone.iter().all(|r| r.result.error.is_none());
    if all_gone || held_for_a_library {
        for (i, mut entry) in again.into_iter().zip(redone) {
            // What stayed before and goes (or stays) now is the switch's.
            let before: HashSet<(usize, usize)> = manual_places(&rewritten[i].result);
            for finding in &mut entry.result.findings {
                finding.with_switch = before.contains(&(finding.line, finding.column));
            }
            rewritten[i] = entry;
        }
        return;
    }
    let only_unaccepted = redone.iter().all(|r| {
        let f = &r.result;
        f.error.is_none()
            && f.findings
                .iter()
                .filter(|x| x.action == Action::Manual)
                .all(|x| !x.differences.is_empty())
    });
    if only_unaccepted {
        for (i, entry) in again.into_iter().zip(redone) {
            let mut unaccepted: HashMap<(usize, usize), Finding> = entry
                .result
                .findings
                .into_iter()
                .filter(|x| x.action == Action::Manual)
                .map(|x| ((x.line, x.column), x))
                .collect();
            for finding in &mut rewritten[i].result.findings {
                if let Some(told) = unaccepted.remove(&(finding.line, finding.column)) {
                    *finding = Finding {
                        with_switch: true,
                        ..told
                    };
                }
            }
        }
    }
}
