//! Rewriting one file: plan edits from the decisions, fix imports, apply,
//! re-parse, and repeat until nothing changes (a rewrite nested inside
//! another is done in the next round). Output that does not parse is never
//! returned.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;

use tree_sitter::Tree;

use crate::analysis::{FileAnalysis, UseKind, analyze};
use crate::decide::helper_site::{Call, HelperSite};
use crate::decide::matcher::{Fate, Matcher, Rewrite, decide_without_code};
use crate::edit::{self, Cover, Edit};
use crate::outcome::{Action, Finding};
use crate::plan::imports::{binding_key, imports_added, imports_leaving};
use crate::python::bindings::ImportBinding;
use crate::python::continuation;
use crate::python::helpers;
use crate::python::imports;
use crate::python::local_proof;
use crate::python::nearby_comments::speaking_of_eventlet;
use crate::python::parse::{edit_tree, first_syntax_error, parse, reparse};
use crate::python::statements::delete_statements;
use crate::python::syntax::Root;
use crate::source::{LineIndex, line_col, line_of};
use crate::transform::model::Helper;
use crate::transform::{Catalogue, DifferenceId, Safety};

const MAX_ROUNDS: usize = 8;

#[derive(Debug, Default)]
pub struct FileRewrite {
    pub findings: Vec<Finding>,
    /// The new text, when it differs from the old.
    pub new_text: Option<String>,
    /// Why the file is left unchanged although rewrites were planned.
    pub error: Option<String>,
    /// The line of an eventlet import still there once this rewrite is
    /// made (in the new text, or in the old one when nothing is written).
    pub import_left: Option<usize>,
    /// The helpers the new text calls from the shared helpers module.
    pub helpers_from_module: BTreeSet<String>,
    /// The helpers the new text defines, which the old did not.
    pub helpers_defined: BTreeSet<String>,
}

/// How far a file's rewrite goes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode {
    /// Mark uses left for a person with a TODO comment.
    pub annotate: bool,
    /// Decide every use but plan no edits.
    pub findings_only: bool,
    /// Prove the output with a fresh parse as well as the incremental
    /// re-parses of the rounds (for text that will be written).
    pub fresh_proof: bool,
}

/// Decides and rewrites one file. `tree` is the parse of `text`, when it
/// was kept; it is made again only if some use needs a look at the code.
pub fn rewrite_file(
    text: &str,
    tree: Option<Tree>,
    analysis: FileAnalysis,
    newline: &str,
    matcher: &Matcher,
    mode: Mode,
) -> FileRewrite {
    let catalogue = matcher.catalogue;
    let decide = |tree: &Tree, text: &str, analysis: &FileAnalysis| -> Vec<Fate> {
        let root = Root::new(tree.root_node());
        analysis
            .uses
            .iter()
            .map(|u| matcher.decide(u, &root, text, analysis))
            .collect()
    };
    // With no transform to try and no comment to add, nothing is rewritten
    // and the code needs no look.
    let known: Option<Vec<Fate>> = if mode.annotate {
        None
    } else {
        analysis
            .uses
            .iter()
            .map(|u| decide_without_code(catalogue, u).ok())
            .collect()
    };
    let (tree, fates) = match known {
        Some(fates) => (None, fates),
        None => {
            let tree = tree.unwrap_or_else(|| parse(text));
            let fates = decide(&tree, text, &analysis);
            (Some(tree), fates)
        }
    };
    let findings = findings(text, tree.as_ref(), &analysis, &fates, catalogue);
    // Where an eventlet import stays when nothing is written.
    let original_import = findings
        .iter()
        .find(|f| f.action == Action::Import)
        .map(|f| f.line);
    let Some(tree) = tree.filter(|_| !mode.findings_only) else {
        return FileRewrite {
            findings,
            import_left: original_import,
            ..FileRewrite::default()
        };
    };
    let originally_used: HashSet<(String, String, String)> = analysis
        .uses
        .iter()
        .filter_map(|u| u.named_import())
        .map(|i| binding_key(&analysis.bindings, &analysis.bindings.imports[i]))
        .collect();
    let settings = FileSettings {
        catalogue,
        originally_used,
        newline,
        annotate: mode.annotate,
        helpers: matcher.helpers,
    };
    let naming = matcher.helpers.names_considered();

    let mut current = text.to_owned();
    let (mut tree, mut analysis, mut fates) = (tree, analysis, fates);
    let failed = |findings, error: String| FileRewrite {
        findings,
        error: Some(error),
        import_left: original_import,
        ..FileRewrite::default()
    };
    // What the last round planned on: for the import a rewrite leaves.
    let mut last_plan = Plan::default();
    let (mut from_module, mut defined) = (BTreeSet::new(), BTreeSet::new());
    for round in 1.. {
        if round > MAX_ROUNDS {
            return failed(
                findings,
                format!(
                    "the rewrite did not settle after {MAX_ROUNDS} rounds; file left unchanged"
                ),
            );
        }
        let plan = match plan_edits(&current, &tree, &analysis, &fates, &settings) {
            Ok(plan) => plan,
            Err(error) => return failed(findings, error),
        };
        if plan.edits.is_empty() {
            last_plan = plan;
            break;
        }
        let next = match edit::apply(&current, plan.edits.clone()) {
            Ok(next) => next,
            Err(error) => return failed(findings, error),
        };
        from_module.extend(plan.helpers_from_module.iter().cloned());
        defined.extend(plan.helpers_defined.iter().cloned());
        // Nothing held back for a next round: another analysis would find
        // nothing more to do, and the statements the edits touch prove the
        // output (a parse of all of it costs as much as the first).
        if plan.settled && local_proof::proves(tree.root_node(), &current, &plan.edits) {
            current = next;
            last_plan = plan;
            break;
        }
        edit_tree(&mut tree, &current, &plan.edits);
        tree = reparse(&next, &tree);
        if let Some(at) = first_syntax_error(&tree) {
            let (line, col) = line_col(&next, at);
            return failed(
                findings,
                format!(
                    "the rewrite would not parse (line {line}, column {col}); file left unchanged"
                ),
            );
        }
        current = next;
        if plan.settled {
            last_plan = plan;
            break;
        }
        analysis = analyze(&tree, &current, catalogue, &naming, matcher.patchers);
        fates = decide(&tree, &current, &analysis);
    }
    if current == text {
        return FileRewrite {
            findings,
            import_left: original_import,
            ..FileRewrite::default()
        };
    }
    // The rounds' proofs covered the output; text to be written is proved
    // once more by a parse from scratch.
    if mode.fresh_proof && first_syntax_error(&parse(&current)).is_some() {
        return failed(
            findings,
            "the rewrite would not parse; file left unchanged".into(),
        );
    }
    let import_left = import_left_after(&analysis, &last_plan, &current);
    FileRewrite {
        findings,
        new_text: Some(current),
        error: None,
        import_left,
        helpers_from_module: from_module,
        helpers_defined: defined,
    }
}

/// The line, in `new` (the text after `plan`'s edits), of the first
/// eventlet import that the plan leaves, found from the analysis it was
/// made on.
fn import_left_after(analysis: &FileAnalysis, plan: &Plan, new: &str) -> Option<usize> {
    let first = analysis
        .uses
        .iter()
        .filter(|u| u.kind == UseKind::Import)
        .filter(|u| u.import.is_none_or(|i| !plan.leaving.contains(&i)))
        .map(|u| u.range.start)
        .min()?;
    let moved = plan
        .edits
        .iter()
        .filter(|e| e.range.end <= first)
        .fold(first, |at, e| at + e.text.len() - e.range.len());
    Some(line_of(new, moved))
}

/// Text that a rewrite replaces without copying it: a use inside goes with
/// it (the except clause of a Timeout block, the module argument of a
/// patch.object mock).
fn swallowed(rw: &Rewrite) -> impl Iterator<Item = Range<usize>> + '_ {
    let copies = rw.template.params().next().is_some();
    let main = (!copies).then(|| rw.range.clone());
    main.into_iter()
        .chain(rw.attached_edits.iter().map(|e| e.range.clone()))
}

fn findings(
    text: &str,
    tree: Option<&Tree>,
    analysis: &FileAnalysis,
    fates: &[Fate],
    catalogue: &Catalogue,
) -> Vec<Finding> {
    let lines = LineIndex::new(text);
    let consumed: Cover<&Rewrite> = Cover::new(
        fates
            .iter()
            .filter_map(|f| match f {
                Fate::Rewrite(rw) => Some(rw),
                _ => None,
            })
            .flat_map(|rw| swallowed(rw).map(move |r| (r, rw)))
            .collect(),
    );
    analysis
        .uses
        .iter()
        .zip(fates)
        .map(|(u, fate)| {
            let taken = consumed.containing(&u.range);
            let (line, column) = lines.line_col(text, u.range.start);
            let (end_line, end_column) = lines.line_col(text, u.range.end);
            let family = u.api.map_or(
                match u.kind {
                    UseKind::Import => "import",
                    UseKind::MockTarget => "mock",
                    UseKind::Config => "config",
                    UseKind::Option => "library",
                    UseKind::Reference => "other",
                }
                .to_owned(),
                |a| catalogue.family_name(a).to_owned(),
            );
            let name = |id: usize| catalogue.transforms[id].id.clone();
            let ids = |differences: &[DifferenceId]| -> Vec<String> {
                differences
                    .iter()
                    .map(|d| catalogue.differences[*d].id.clone())
                    .collect()
            };
            let conditions = |rw: &Rewrite| -> BTreeMap<String, String> {
                let mut by_id: BTreeMap<String, String> = BTreeMap::new();
                for (id, why) in &rw.conditions {
                    let shows = by_id
                        .entry(catalogue.differences[*id].id.clone())
                        .or_default();
                    if !shows.is_empty() {
                        shows.push_str("; ");
                    }
                    shows.push_str(why);
                }
                by_id
            };
            // The helpers of the rewrite that makes it (its own, or the
            // one that takes it in), each once.
            let helpers: BTreeSet<&str> = match (fate, taken) {
                (Fate::Rewrite(rw), _) | (Fate::Manual(..) | Fate::Unaccepted(_), Some(rw)) => {
                    rw.helpers().collect()
                }
                _ => BTreeSet::new(),
            };
            let (action, transform, safety, reason, differences, conditions) = match (fate, taken) {
                (Fate::Rewrite(rw), _) | (Fate::Manual(..) | Fate::Unaccepted(_), Some(rw)) => (
                    Action::Rewrite,
                    Some(name(rw.transform)),
                    rw.safety,
                    None,
                    ids(&rw.differences),
                    conditions(rw),
                ),
                (Fate::Manual(id, why), None) => (
                    Action::Manual,
                    id.map(name),
                    Safety::Manual,
                    Some(why.clone()),
                    Vec::new(),
                    BTreeMap::new(),
                ),
                (Fate::Unaccepted(rw), None) => {
                    let differences = ids(&rw.differences);
                    // Each difference with where it shows, when a condition says.
                    let shown: Vec<String> = rw
                        .differences
                        .iter()
                        .zip(&differences)
                        .map(|(d, id)| {
                            rw.conditions
                                .iter()
                                .filter(|(c, _)| c == d)
                                .fold(id.clone(), |shown, (_, why)| format!("{shown}: {why}"))
                        })
                        .collect();
                    let reason = format!(
                        "a review-level rewrite by {} with named differences ({}); --accept {} \
                         or --review applies it",
                        name(rw.transform),
                        shown.join("; "),
                        differences.join(",")
                    );
                    (
                        Action::Manual,
                        Some(name(rw.transform)),
                        Safety::Review,
                        Some(reason),
                        differences,
                        conditions(rw),
                    )
                }
                (Fate::Import, _) => (
                    Action::Import,
                    None,
                    Safety::Safe,
                    None,
                    Vec::new(),
                    BTreeMap::new(),
                ),
            };
            Finding {
                kind: u.kind,
                line,
                column,
                end_line,
                end_column,
                api: u.name.clone(),
                family,
                transform,
                safety,
                action,
                reason,
                differences,
                conditions,
                comments: match (action, tree) {
                    (Action::Rewrite, Some(tree)) => {
                        speaking_of_eventlet(tree.root_node(), text, &lines, &u.range)
                    }
                    _ => Vec::new(),
                },
                with_switch: false,
                helpers: helpers.into_iter().map(str::to_owned).collect(),
                code: lines.line_text(text, line).trim().to_owned(),
            }
        })
        .collect()
}

/// What stays the same for a file across rounds.
struct FileSettings<'a> {
    catalogue: &'a Catalogue,
    /// Eventlet imports that had uses before the first round (only those
    /// are removed when their uses go).
    originally_used: HashSet<(String, String, String)>,
    newline: &'a str,
    annotate: bool,
    helpers: HelperSite<'a>,
}

/// One round's edits.
#[derive(Default)]
struct Plan {
    edits: Vec<Edit>,
    /// Whether every planned rewrite is in `edits` (none nested in another
    /// waits for the next round).
    settled: bool,
    /// The eventlet import bindings the edits remove.
    leaving: HashSet<usize>,
    /// The helpers the edits call from the shared helpers module.
    helpers_from_module: BTreeSet<String>,
    /// The helpers the edits define in the file.
    helpers_defined: BTreeSet<String>,
}

fn plan_edits(
    text: &str,
    tree: &Tree,
    analysis: &FileAnalysis,
    fates: &[Fate],
    settings: &FileSettings,
) -> Result<Plan, String> {
    let FileSettings {
        catalogue,
        originally_used,
        newline,
        annotate,
        helpers: site,
    } = settings;
    let (catalogue, newline, annotate) = (*catalogue, *newline, *annotate);
    let root = tree.root_node();
    let indexed = Root::new(root);
    let bindings = &analysis.bindings;

    // Outermost rewrites first; one nested in another waits for the next round.
    let mut planned: Vec<(usize, &Rewrite)> = fates
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match f {
            Fate::Rewrite(rw) => Some((i, rw)),
            _ => None,
        })
        .collect();
    planned.sort_by_key(|(_, rw)| (rw.range.start, std::cmp::Reverse(rw.range.end)));
    let planned_count = planned.len();
    let mut applied: Vec<(usize, &Rewrite)> = Vec::new();
    for (i, rw) in planned {
        if let Some((_, outer)) = applied.last() {
            if contains(&outer.range, &rw.range) {
                continue;
            }
            if rw.range.start < outer.range.end {
                let line = line_of(text, rw.range.start);
                return Err(format!(
                    "transforms '{}' and '{}' overlap at line {line} (a catalogue error)",
                    catalogue.transforms[outer.transform].id, catalogue.transforms[rw.transform].id
                ));
            }
        }
        applied.push((i, rw));
    }
    // A member rename inside another rewrite waits for the next round, with
    // the rewrite it belongs to.
    let mains: Vec<Range<usize>> = applied.iter().map(|(_, rw)| rw.range.clone()).collect();
    applied.retain(|(_, rw)| {
        let attached = rw.attached_edits.iter().map(|e| e.range.clone());
        let appended = rw.appended.iter().map(|(at, _)| *at..*at);
        attached
            .chain(appended)
            .all(|e| !mains.iter().any(|m| m.start < e.end && e.start < m.end))
    });
    // A rewrite that is correct only with another one waits with it.
    loop {
        let made = Cover::new(
            applied
                .iter()
                .map(|(_, rw)| (rw.range.clone(), ()))
                .collect(),
        );
        let before = applied.len();
        applied.retain(|(_, rw)| rw.needs.iter().all(|need| made.containing(need).is_some()));
        if applied.len() == before {
            break;
        }
    }
    // The applied rewrites' uses, and the uses in text they replace without
    // copying it.
    let gone = Cover::new(
        applied
            .iter()
            .flat_map(|(_, rw)| swallowed(rw))
            .map(|r| (r, ()))
            .collect(),
    );
    let consumed: HashSet<usize> = applied
        .iter()
        .map(|(i, _)| *i)
        .chain(
            analysis
                .uses
                .iter()
                .enumerate()
                .filter(|(_, u)| gone.containing(&u.range).is_some())
                .map(|(i, _)| i),
        )
        .collect();
    // Settled when nothing waits and no other use sits in replaced text
    // (whether it survives, and keeps its import, shows in the next round).
    let replaced = Cover::new(
        applied
            .iter()
            .map(|(_, rw)| (rw.range.clone(), ()))
            .collect(),
    );
    let settled = applied.len() == planned_count
        && analysis
            .uses
            .iter()
            .enumerate()
            .all(|(i, u)| consumed.contains(&i) || replaced.containing(&u.range).is_none());

    // Imports whose every use is rewritten in this round leave with them.
    let leaving = imports_leaving(analysis, text, &consumed, catalogue, originally_used);

    // From-imports whose names all move to a stdlib module are imported
    // from it instead; their uses are then left as they are.
    let retargets = crate::plan::retarget::retargets(root, text, analysis, &applied, &leaving);
    let edited: Vec<&Rewrite> = applied
        .iter()
        .filter(|(i, _)| !retargets.uses.contains(i))
        .map(|(_, rw)| *rw)
        .collect();

    // How the file calls each helper the rewrites need, and those it
    // defines now, with the first call of each.
    let mut calls: HashMap<&str, Call> = HashMap::new();
    let mut new_helpers: Vec<(&Helper, usize)> = Vec::new();
    for (_, rw) in &applied {
        for helper in catalogue.helpers_needed(rw.helpers()) {
            let call = site.call(helper, root, text, bindings)?;
            calls.insert(&helper.name, call);
            if !matches!(call, Call::InFile { new: true, .. }) {
                continue;
            }
            match new_helpers.iter_mut().find(|(h, _)| h.name == helper.name) {
                Some((_, first)) => *first = (*first).min(rw.start()),
                None => new_helpers.push((helper, rw.start())),
            }
        }
    }
    let helpers_from_module: BTreeSet<String> = applied
        .iter()
        .flat_map(|(_, rw)| rw.helpers())
        .filter(|h| calls[h] == Call::FromModule)
        .map(str::to_owned)
        .collect();
    let shared_module = match site {
        HelperSite::Shared(shared) if !helpers_from_module.is_empty() => Some(shared.spec.as_str()),
        _ => None,
    };
    // An assignment that becomes an import gives its name to the module.
    let imported: Vec<&(String, String)> =
        edited.iter().filter_map(|rw| rw.imports.as_ref()).collect();
    let freed: Vec<String> = imported.iter().map(|(_, name)| name.clone()).collect();
    let modules: BTreeSet<&str> = edited
        .iter()
        .flat_map(|rw| rw.template.modules())
        .chain(imported.iter().map(|(module, _)| module.as_str()))
        .chain(new_helpers.iter().flat_map(|(h, _)| h.code.modules()))
        .chain(shared_module)
        .collect();
    // Where each module's name is read: a binding no read meets (another
    // function's parameter) leaves the module its own name. Helpers are
    // defined at module level, which is always checked.
    let mut read_at: HashMap<&str, Vec<usize>> = HashMap::new();
    for rw in &edited {
        for module in rw.template.modules() {
            read_at.entry(module).or_default().push(rw.range.start);
        }
    }
    if let Some(shared) = shared_module {
        let calls_shared = |rw: &&Rewrite| rw.helpers().any(|h| calls[h] == Call::FromModule);
        for (_, rw) in applied.iter().filter(|(_, rw)| calls_shared(rw)) {
            let sites =
                std::iter::once(rw.range.start).chain(rw.appended.iter().map(|(at, _)| *at));
            read_at.entry(shared).or_default().extend(sites);
        }
    }
    let (names, mut new_imports) = imports_added(
        modules,
        Some(&read_at),
        bindings,
        &leaving,
        retargets.imports,
        &retargets.member_names,
        &freed,
    );
    if let Some((module, name)) = imported.iter().find(|(m, name)| names[m.as_str()] != *name) {
        return Err(format!(
            "{module} would be imported as '{}', not as '{name}', the name the deleted \
             assignment bound",
            names[module.as_str()]
        ));
    }
    let call_of = |name: &str| -> String {
        let helper = catalogue.helper(name).expect("validated: known helpers");
        match calls[name].name_in_file(helper) {
            Some(local) => local.to_owned(),
            None => {
                let module = &names[shared_module.expect("a helper is called from it")];
                format!("{module}.{}", helper.public_name())
            }
        }
    };
    let mut edits = Vec::new();
    let mut deleted_statements: Vec<Range<usize>> = Vec::new();
    for rw in edited {
        let (mut rendered, placed) = rw
            .template
            .render_placed(
                |p| rw.arguments.get(p).map(|a| (a.text.clone(), a.primary)),
                |m| names[m].clone(),
                call_of,
            )
            .ok_or_else(|| {
                format!(
                    "transform '{}' needs an argument the call does not pass (a catalogue error)",
                    catalogue.transforms[rw.transform].id
                )
            })?;
        for member in &rw.suffix {
            rendered.push('.');
            rendered.push_str(member);
        }
        let copied: Vec<(usize, Range<usize>)> = placed
            .iter()
            .filter_map(|(at, param)| Some((*at, rw.arguments[*param].copied.clone()?)))
            .collect();
        let first_argument = placed.iter().map(|(at, _)| *at).min();
        let rendered =
            continuation::keep_hanging(&rendered, &copied, &rw.range, text, root, newline)
                .unwrap_or_else(|| {
                    continuation::realign(rendered, &copied, rw.range.start, text, root)
                });
        let rendered = continuation::wrap_long_line(
            rendered,
            first_argument,
            &rw.range,
            continuation::Shift::default(),
            text,
            root,
            newline,
        );
        if rw.statement && rendered.is_empty() {
            deleted_statements.push(rw.range.clone());
        } else {
            edits.push(Edit::replace(rw.range.clone(), rendered));
        }
        let appended = rw.appended.iter().map(|(at, then)| {
            let added = then
                .render(|_| None, |m| names[m].clone(), call_of)
                .expect("validated: `then` holds text and helpers only");
            Edit::insert(*at, added)
        });
        edits.extend(
            rw.attached_edits
                .iter()
                .cloned()
                .chain(appended)
                .map(|e| attached_edit(rw, e, text, root, newline)),
        );
    }
    let leaving_bindings: Vec<&ImportBinding> =
        leaving.iter().map(|i| &bindings.imports[*i]).collect();
    let (whole, partial, moved) = imports::removals(root, text, &leaving_bindings);
    deleted_statements.extend(whole);
    new_imports.extend(moved);
    let (insertions, refilled) = imports::insertions(
        root,
        text,
        newline,
        &new_imports,
        &deleted_statements,
        settings.helpers.project_package(),
    );
    edits.extend(insertions);
    edits.extend(imports::stale_late_import_markers(
        root,
        text,
        &deleted_statements,
    ));
    let rewritten: Vec<Range<usize>> = applied.iter().map(|(_, rw)| rw.range.clone()).collect();
    let stale_comments =
        crate::plan::annotate::stale(text, &indexed, analysis, fates, &rewritten, &consumed);
    let comment_ranges: Vec<Range<usize>> =
        stale_comments.iter().map(|e| e.range.clone()).collect();
    edits.extend(delete_statements(
        root,
        text,
        &deleted_statements,
        &refilled,
        &comment_ranges,
    ));
    edits.extend(partial);
    let realigned = continuation::follow_moved_brackets(root, text, &edits);
    edits.extend(realigned);
    let mut edits = continuation::rejoin_shortened(root, text, edits);
    // After the imports inserted at the same place, before a TODO comment.
    for (helper, first_call) in &new_helpers {
        let public = matches!(
            calls[helper.name.as_str()],
            Call::InFile { public: true, .. }
        );
        let code = helper.render(|m| names[m].clone(), public);
        let edit = helpers::insertion(root, text, newline, *first_call, &code, &edits);
        edits.push(edit);
    }
    let helpers_defined = new_helpers.iter().map(|(h, _)| h.name.clone()).collect();
    edits.extend(stale_comments);
    if annotate {
        edits.extend(crate::plan::annotate::annotations(
            text, &indexed, analysis, fates, newline,
        ));
    }
    Ok(Plan {
        edits,
        settled,
        leaving,
        helpers_from_module,
        helpers_defined,
    })
}

/// One attached edit as made. Text added after a call
/// (`.add_done_callback(...)`) may need its line broken, counting the
/// renames before it on the line.
fn attached_edit(
    rw: &Rewrite,
    edit: Edit,
    text: &str,
    root: tree_sitter::Node,
    newline: &str,
) -> Edit {
    let (range, added) = (&edit.range, &edit.text);
    if !range.is_empty() {
        return edit;
    }
    let line = crate::source::line_start(text, range.start);
    let width = |s: &str| s.chars().count() as isize;
    let before_on_line =
        |e: &&Edit| line <= e.range.start && e.range.end <= range.start && &e.range != range;
    let widened: isize = rw
        .attached_edits
        .iter()
        .filter(before_on_line)
        .map(|e| width(&e.text) - width(&text[e.range.clone()]))
        .sum();
    // A continuation line realigned under a renamed call (`spawn_n(` to
    // `submit(`): a hanging indent counts from its new indentation.
    let others: Vec<Edit> = rw
        .attached_edits
        .iter()
        .filter(|e| &e.range != range)
        .cloned()
        .collect();
    // So does a line indented into a with block.
    let indented = others
        .iter()
        .filter(|e| e.range.start == line && continuation::indents_line(text, e));
    let reindented: isize = continuation::follow_moved_brackets(root, text, &others)
        .iter()
        .filter(|e| e.range.start == line)
        .chain(indented)
        .map(|e| width(&e.text) - width(&text[e.range.clone()]))
        .sum();
    let shift = continuation::Shift {
        widened,
        reindented,
    };
    let wrapped =
        continuation::wrap_long_line(added.to_owned(), None, range, shift, text, root, newline);
    let first_line = wrapped.split(newline).next().unwrap_or_default();
    let first_width =
        text[line..range.start].chars().count() as isize + widened + width(first_line);
    // Text that starts a line of its own (`timer.start()` after a Timer)
    // adds nothing to the line it follows.
    if first_line.is_empty() || first_width <= continuation::MAX_LINE as isize {
        return Edit::replace(range.clone(), wrapped);
    }
    // Still too long: break the call the text follows instead, when no
    // other edit falls in its arguments.
    let call = crate::python::syntax::Root::new(root)
        .descendant_for_byte_range(range.start - 1, range.start)
        .and_then(|closing| closing.parent())
        .and_then(|arguments| arguments.parent())
        .filter(|call| call.kind() == "call" && call.end_byte() == range.start);
    let broken = call.and_then(|call| {
        let arguments = call.child_by_field_name("arguments")?.byte_range();
        let untouched = !overlaps(&rw.range, &arguments)
            && rw
                .attached_edits
                .iter()
                .all(|e| &e.range == range || !overlaps(&e.range, &arguments));
        let widened_before: isize = rw
            .attached_edits
            .iter()
            .filter(|e| line <= e.range.start && e.range.end <= arguments.start)
            .map(|e| width(&e.text) - width(&text[e.range.clone()]))
            .sum();
        untouched
            .then(|| continuation::break_call_before(call, added, widened_before, text, newline))
            .flatten()
    });
    match broken {
        Some((arguments, replaced)) => Edit::replace(arguments.start..range.end, replaced),
        None => Edit::replace(range.clone(), wrapped),
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}
