//! How the uses of each mocked API fare in every program: code and the tests
//! that mock it move together.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::decisions::{fate_of, matcher};
use super::library::library_callers;
use super::options::Options;
use super::parsed::Parsed;
use crate::analysis::{UNKNOWN_LOOKUP, Use, UseKind};
use crate::decide::matcher::{Fate, Selection, mock_behaviour};
use crate::decide::narrow_mock::{modules_under_test, patched_path};
use crate::decide::tree_facts::{ProjectFacts, Tallies, TallyPlace, add_new};
use crate::helpers_home::Helpers;
use crate::python::import_scan::ScannedImport;
use crate::python::patchers::{self};
use crate::python::syntax::{Root, node_at};
use crate::source::line_col;
use crate::transform::{ApiId, Catalogue, ESCAPED_MOCK, MockForm};

/// Settles how the uses of each mocked API fare in every program. A use
/// that one program's mock holds may hold another program's mock in turn
/// (nova's libvirt tests mock the sleep that the vmware tests' mock holds):
/// tally again until nothing changes. Mocks keep their first judgement (by
/// their form, and whether a transform takes them); only code's fate
/// changes with the holds, and only for an API that some program holds.
pub(super) fn settle_mock_tallies(
    facts: &mut ProjectFacts,
    parsed: &[Parsed],
    installed: &[Vec<ScannedImport>],
    catalogue: &Catalogue,
    options: &Options,
    helpers: &Helpers,
) {
    let mocked: HashSet<ApiId> = parsed
        .iter()
        .flat_map(|p| p.mocked.iter().copied())
        .collect();
    if mocked.is_empty() {
        return;
    }
    let tally = |facts: &ProjectFacts, apis: &HashSet<ApiId>| {
        api_fates(
            parsed,
            installed,
            catalogue,
            facts,
            &options.selection,
            helpers,
            apis,
        )
    };
    let mut current = tally(facts, &mocked);
    for pass in 1.. {
        facts.set_api_uses(current.clone());
        let held = facts.held_apis();
        if held.is_empty() {
            break;
        }
        let again = with_code_fates(&current, &tally(facts, &held), pass);
        if again == current {
            break;
        }
        current = again;
    }
}

/// The tallies of `current`, with the fates of code uses of `again` (made
/// in pass `pass`) where it has them: how many are rewritten, or wait for
/// escaped-mock.
pub(super) fn with_code_fates(current: &Tallies, again: &Tallies, pass: usize) -> Tallies {
    let mut merged = current.clone();
    for (place, tallies) in &mut merged {
        for (api, tally) in tallies {
            if let Some(t) = again.get(place).and_then(|t| t.get(api)) {
                tally.rewritten = t.rewritten;
                tally.code_differences.clone_from(&t.code_differences);
                tally.escaping.clone_from(&t.escaping);
                // The site held in the earliest pass is the root of what
                // later passes hold.
                if tally.held_code.is_none() && t.held_code.is_some() {
                    tally.held_code = t.held_code.clone();
                    tally.held_pass = pass;
                }
            }
        }
    }
    merged
}

/// Per file, for each API of `mocked`, how its uses fare in a pass of
/// decisions made with the tallies `facts` holds so far (none in the first
/// pass): code and the tests that mock it then move together in every
/// program.
pub(super) fn api_fates(
    parsed: &[Parsed],
    installed: &[Vec<ScannedImport>],
    catalogue: &Catalogue,
    facts: &ProjectFacts,
    selection: &Selection,
    helpers: &Helpers,
    mocked: &HashSet<ApiId>,
) -> Tallies {
    // Only the APIs asked for (mocked ones) are tallied: nothing else
    // depends on the tallies.
    parsed
        .par_iter()
        .filter(|p| !p.apis.is_disjoint(mocked))
        .flat_map_iter(|p| {
            let mut tallies: Tallies = HashMap::new();
            let tree = std::cell::OnceCell::new();
            let root = std::cell::OnceCell::new();
            let root = || root.get_or_init(|| Root::new(tree.get_or_init(|| p.tree()).root_node()));
            let matcher = matcher(catalogue, facts, selection, helpers, p.file);
            let fate = |u: &Use| fate_of(catalogue, &matcher, p, root, u);
            // Nothing outside the paths given is rewritten.
            let mut rewritten_use = |u: &Use| p.in_scope && matches!(fate(u), Fate::Rewrite(_));
            let mut library_caller = None;
            for u in &p.analysis.uses {
                let Some(api) = u.api.filter(|a| mocked.contains(a)) else {
                    continue;
                };
                if u.kind == UseKind::MockTarget && facts.mocks_no_code(p.file, u.range.start) {
                    continue;
                }
                // A mock, and code only with the differences of its mocks,
                // moves once those are accepted: code and mocks then wait
                // for the same acceptance.
                // Code that leaves mocks which only skip its wait moves
                // once that is accepted: the code its mocks reach waits
                // for the same.
                let mut escaping = false;
                // The files whose code a narrow mock patches (see
                // `narrow_mock`), when this is one that follows.
                let mut narrow_files = Vec::new();
                // The attribute a mock replaces; unknown through a
                // module's own name, which its code may look up however
                // it likes.
                let patched = (u.kind == UseKind::MockTarget && u.through.is_none())
                    .then(|| patched_path(root(), &p.source.text, u.range.clone(), &facts.patchers))
                    .and_then(Result::ok);
                let mut narrowed = |rw: &crate::decide::matcher::Rewrite| {
                    if catalogue.transforms[rw.transform].mock_form == MockForm::Narrow {
                        let facts = facts.context(p.file).narrow_facts();
                        narrow_files = patched
                            .as_deref()
                            .and_then(|patched| {
                                modules_under_test(
                                    root().node(),
                                    &p.source.text,
                                    api,
                                    patched,
                                    facts,
                                )
                                .ok()
                            })
                            .unwrap_or_default()
                            .into_iter()
                            .map(|m| m.file)
                            .collect();
                    }
                };
                let fate = p.in_scope.then(|| fate(u));
                // A mock that its class's setUp covers goes whatever the
                // code does: it neither holds code nor follows it.
                if let Some(Fate::Rewrite(rw)) = &fate
                    && catalogue.transforms[rw.transform].mock_form == MockForm::Covered
                {
                    continue;
                }
                let moving = match fate {
                    Some(Fate::Rewrite(rw)) => {
                        narrowed(&rw);
                        Some(rw.differences)
                    }
                    Some(Fate::Unaccepted(rw)) => {
                        narrowed(&rw);
                        let of_mocks = catalogue.mock_differences(api);
                        let escaped = catalogue.difference_by_id(ESCAPED_MOCK);
                        if u.kind == UseKind::MockTarget
                            || rw.differences.iter().all(|d| of_mocks.contains(d))
                        {
                            Some(rw.differences)
                        } else {
                            escaping = rw
                                .differences
                                .iter()
                                .all(|d| of_mocks.contains(d) || Some(*d) == escaped);
                            None
                        }
                    }
                    _ => None,
                };
                let rewritten = usize::from(moving.is_some());
                // A code use counts for the programs that may run its line.
                let place = TallyPlace {
                    file: p.file,
                    code_at: matches!(u.kind, UseKind::Reference | UseKind::Option)
                        .then_some(u.range.start),
                };
                let tally = tallies.entry(place).or_default().entry(api).or_default();
                // Where a use that stays is, and where to read why.
                let site = || {
                    let line = line_col(&p.source.text, u.range.start).0;
                    let why = if p.in_scope {
                        "whose finding says why"
                    } else {
                        "outside the paths given"
                    };
                    format!("{}:{line}, {why}", p.source.path.display())
                };
                match u.kind {
                    // A mock's own behaviour is the test's, not code it patches.
                    UseKind::Reference if in_mock_behaviour(p, root, u) => {}
                    UseKind::Reference | UseKind::Option => {
                        tally.code += 1;
                        tally.rewritten += rewritten;
                        add_new(&mut tally.code_differences, moving.into_iter().flatten());
                        if escaping {
                            tally.escaping.note(site);
                        } else if rewritten == 0 {
                            tally.held_code.get_or_insert_with(site);
                        }
                    }
                    // With no tallies yet, a mock is refused only for its form,
                    // for want of a transform or for threads of the test run
                    // that call its new target, which the second pass keeps.
                    UseKind::MockTarget => {
                        tally.mocks += 1;
                        tally
                            .mocked_at
                            .insert(patched.clone().unwrap_or_else(|| UNKNOWN_LOOKUP.to_owned()));
                        tally.followable += rewritten;
                        if rewritten == 1 && !narrow_files.is_empty() {
                            tally.narrow_mocks += 1;
                            tally.narrow_files.extend(narrow_files);
                        }
                        tally.mock_differences.extend(moving.into_iter().flatten());
                        if rewritten == 0 {
                            // One outside the paths given would follow
                            // in a run that includes it: it holds.
                            let skips_wait = p.in_scope
                                && catalogue.apis[api].only_waits
                                && node_at(root(), &u.range).is_some_and(|n| {
                                    patchers::is_unread_with_mock(root(), n, &p.source.text)
                                });
                            if skips_wait {
                                tally.wait_skippers.note(site);
                            } else {
                                tally.stuck_mock.get_or_insert_with(site);
                            }
                        }
                        let caller = library_caller
                            .get_or_insert_with(|| {
                                library_callers(
                                    p,
                                    &installed[p.file],
                                    catalogue,
                                    &mut rewritten_use,
                                )
                            })
                            .iter()
                            .find(|c| c.runs(&catalogue.apis[api].called_by));
                        if let Some(c) = caller {
                            tally.library_caller.get_or_insert_with(|| {
                                format!("{}, at {}:{}", c.shown, p.source.path.display(), c.line)
                            });
                        }
                    }
                    UseKind::Import | UseKind::Config => {}
                }
            }
            tallies
        })
        .collect()
}

pub(super) fn in_mock_behaviour<'r, 't: 'r>(
    p: &Parsed,
    root: impl Fn() -> &'r Root<'t>,
    u: &Use,
) -> bool {
    p.source.text.contains("patch")
        && node_at(root(), &u.range)
            .is_some_and(|n| mock_behaviour(root(), n, &p.source.text).is_some())
}
