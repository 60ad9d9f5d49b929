//! Which green-thread starters and hub timers stay once the rewrites that
//! need nothing of the programs are made.

use rayon::prelude::*;

use super::decisions::matcher;
use super::options::Options;
use super::parsed::Parsed;
use super::program_model::ProgramModel;
use crate::decide::matcher::{Fate, Matcher, decide_without_code};
use crate::decide::tree_facts::GreenUse;
use crate::helpers_home::Helpers;
use crate::python::syntax::Root;
use crate::transform::Catalogue;

/// Leaves in each file's facts the green uses that stay: a green-thread
/// starter or hub timer that is itself rewritten (a Timeout around one
/// queue get) does not keep its programs green. Files outside the paths
/// given keep all of theirs, as nothing there is rewritten.
///
/// A use whose transforms hold whatever the tree runs (they require
/// nothing) is first assumed gone, since some go only together (a Timeout
/// around an Event's wait() goes with the Event, which becomes threading's
/// only once no hub timer is left), and put back, round by round, while it
/// is refused under what is assumed. Then the other green uses are decided
/// once under what is left, as a starter must not count itself out.
pub(super) fn settle_green_uses(
    parsed: &mut [Parsed],
    catalogue: &Catalogue,
    options: &Options,
    helpers: &Helpers,
    model: &ProgramModel,
) {
    let decided_by_code =
        |p: &Parsed, index: usize| decide_without_code(catalogue, &p.analysis.uses[index]).is_err();
    let context_free = |p: &Parsed, index: usize| {
        p.analysis.uses[index].api.is_some_and(|api| {
            decided_by_code(p, index)
                && catalogue
                    .transforms_for(api)
                    .iter()
                    .all(|t| catalogue.transforms[*t].requires.is_empty())
        })
    };
    let all_green: Vec<Vec<GreenUse>> = parsed
        .iter_mut()
        .map(|p| {
            if !p.in_scope {
                return Vec::new();
            }
            let all = std::mem::take(&mut p.facts.green_threads);
            p.facts.green_threads = all
                .iter()
                .filter(|g| !context_free(p, g.use_index))
                .cloned()
                .collect();
            all
        })
        .collect();
    loop {
        let put_back: usize = with_matcher(
            parsed,
            &all_green,
            catalogue,
            options,
            helpers,
            model,
            |matcher, p, all| {
                let before = p.facts.green_threads.len();
                let assumed_gone =
                    |index: usize| !p.facts.green_threads.iter().any(|g| g.use_index == index);
                let replaced = replaced_by_rewrites(p, all, matcher, &assumed_gone);
                let left: Vec<GreenUse> = all
                    .iter()
                    .filter(|g| !assumed_gone(g.use_index) || !covered(&replaced, p, g.use_index))
                    .cloned()
                    .collect();
                p.facts.green_threads = left;
                p.facts.green_threads.len() - before
            },
        )
        .into_iter()
        .sum();
        if put_back == 0 {
            break;
        }
    }
    with_matcher(
        parsed,
        &all_green,
        catalogue,
        options,
        helpers,
        model,
        |matcher, p, all| {
            let replaced =
                replaced_by_rewrites(p, all, matcher, &|index| decided_by_code(p, index));
            p.facts.green_threads = all
                .iter()
                .filter(|g| !covered(&replaced, p, g.use_index))
                .cloned()
                .collect();
        },
    );
}

/// Runs `step` on every file with green uses (and all of them), with a
/// matcher under the facts the files give now.
pub(super) fn with_matcher<T: Send>(
    parsed: &mut [Parsed],
    all_green: &[Vec<GreenUse>],
    catalogue: &Catalogue,
    options: &Options,
    helpers: &Helpers,
    model: &ProgramModel,
    step: impl Fn(&Matcher, &mut Parsed, &[GreenUse]) -> T + Sync,
) -> Vec<T> {
    let facts = model.facts(parsed);
    parsed
        .par_iter_mut()
        .zip(all_green)
        .filter(|(_, all)| !all.is_empty())
        .map(|(p, all)| {
            let file = p.file;
            step(
                &matcher(catalogue, &facts, &options.selection, helpers, file),
                p,
                all,
            )
        })
        .collect()
}

/// What the rewrites of the green uses `decided` picks replace: their
/// ranges, and their edits elsewhere (a Timeout block's except clause).
pub(super) fn replaced_by_rewrites(
    p: &Parsed,
    all: &[GreenUse],
    matcher: &Matcher,
    decided: &dyn Fn(usize) -> bool,
) -> Vec<std::ops::Range<usize>> {
    let picked: Vec<usize> = all
        .iter()
        .map(|g| g.use_index)
        .filter(|i| decided(*i))
        .collect();
    if picked.is_empty() {
        return Vec::new();
    }
    let tree = p.tree();
    let root = Root::new(tree.root_node());
    let (text, analysis) = (&p.source.text, &p.analysis);
    let mut replaced = Vec::new();
    for index in picked {
        if let Fate::Rewrite(rw) = matcher.decide(&analysis.uses[index], &root, text, analysis) {
            replaced.push(rw.range.clone());
            replaced.extend(rw.attached_edits.iter().map(|e| e.range.clone()));
        }
    }
    replaced
}

pub(super) fn covered(replaced: &[std::ops::Range<usize>], p: &Parsed, index: usize) -> bool {
    let range = &p.analysis.uses[index].range;
    replaced
        .iter()
        .any(|r| r.start <= range.start && range.end <= r.end)
}
