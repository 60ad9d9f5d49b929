//! Gerrit-ready commits and patch files, made with git2 (which runs no
//! hooks, so the Change-Id is written here as Gerrit's commit-msg hook
//! would). The series is built from HEAD's tree, never from the work tree,
//! on a branch of its own; the user's branch and files are never touched.

mod file_groups;
pub mod message;
pub mod series;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use git2::{ErrorCode, FileMode, Oid, Repository, StatusOptions};

use crate::engine::Options;
use crate::transform::{Catalogue, Difference};
use message::{BODY_WIDTH, change_id, ident_line, trailer, with_trailers, wrap};
use series::{Split, Step};

#[derive(Debug, Clone)]
pub struct SeriesOptions {
    pub branch: String,
    pub split: Split,
    pub allow_dirty: bool,
    pub signoff: bool,
    /// Tags such as `Partial-Bug: #123`, in order.
    pub footers: Vec<(String, String)>,
    pub topic: String,
}

/// A commit of the series, made or planned.
pub struct Made {
    pub id: Oid,
    pub parent: Oid,
    pub summary: String,
    pub message: String,
    /// The Change-Id made for this commit where no earlier series had one
    /// for it. Like Gerrit's hook, it hashes the committer's time, so
    /// another run makes another.
    pub new_change_id: Option<String>,
}

pub struct Series {
    pub commits: Vec<Made>,
    /// `git review` command to send it, when the repository has a .gitreview.
    pub review_hint: Option<String>,
}

/// Builds the series as commit objects on top of HEAD. `paths` are the
/// user's paths; `options` the engine options for them.
pub fn build(
    paths: &[PathBuf],
    catalogue: &Catalogue,
    options: &Options,
    series: &SeriesOptions,
) -> Result<(Repository, Series)> {
    let start = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let repo = Repository::discover(&start).map_err(|_| {
        anyhow::anyhow!(
            "{}: not inside a git repository (run `git init` or point at a checkout)",
            start.display()
        )
    })?;
    let series = build_in(&repo, paths, catalogue, options, series)?;
    Ok((repo, series))
}

fn build_in(
    repo: &Repository,
    paths: &[PathBuf],
    catalogue: &Catalogue,
    options: &Options,
    series: &SeriesOptions,
) -> Result<Series> {
    let workdir = repo
        .workdir()
        .context("the repository is bare: eventless needs a work tree")?
        .to_path_buf();
    let head = match repo.head() {
        Ok(head) => head,
        Err(e) if e.code() == ErrorCode::UnbornBranch => {
            bail!("the repository has no commit yet: commit something first")
        }
        Err(e) => return Err(e.into()),
    };
    if head.shorthand().ok() == Some(series.branch.as_str()) && head.is_branch() {
        bail!(
            "you are on '{}', the branch eventless writes: check out the branch to base the series on",
            series.branch
        );
    }
    if !series.allow_dirty && is_dirty(repo)? {
        bail!(
            "the work tree has uncommitted changes: commit or stash them first (or pass --allow-dirty: the series is built from HEAD either way, so only eventless's own edits are committed)"
        );
    }
    let base = head.peel_to_commit()?;
    let signature = repo.signature().map_err(|_| {
        anyhow::anyhow!("git has no author identity: set it with `git config user.name \"Your Name\"` and `git config user.email you@example.com`")
    })?;

    // Run on an export of HEAD, so the series holds exactly the tool's edits.
    let export = tempfile::tempdir()?;
    export_tree(repo, &base.tree()?, export.path())?;
    let canonical_workdir = std::fs::canonicalize(&workdir)?;
    let mut exported = options.clone();
    // The export lives once: caching its results would only fill the cache.
    exported.cache = false;
    exported.writes = true;
    let in_export = |p: &PathBuf| -> Result<PathBuf> {
        let absolute =
            std::fs::canonicalize(p).with_context(|| format!("{}: no such path", p.display()))?;
        let rel = absolute
            .strip_prefix(&canonical_workdir)
            .with_context(|| format!("{} is outside the repository", p.display()))?;
        Ok(export.path().join(rel))
    };
    exported.paths = paths.iter().map(in_export).collect::<Result<_>>()?;
    exported.project_root = options.project_root.as_ref().map(in_export).transpose()?;
    let steps = series::plan(export.path(), catalogue, &exported, series.split)?;

    let mut previous = previous_change_ids(repo, &series.branch, base.id());
    let create_change_id = repo
        .config()?
        .get_bool("gerrit.createChangeId")
        .unwrap_or(true);
    let mut parent = base.clone();
    let mut commits = Vec::new();
    for step in &steps {
        let tree_id = updated_tree(repo, &base.tree()?, step)?;
        let body = message_body(step, catalogue);
        let mut trailers = series.footers.clone();
        if series.signoff {
            let (name, email) = (
                signature.name().unwrap_or(""),
                signature.email().unwrap_or(""),
            );
            trailers.push(("Signed-off-by".into(), format!("{name} <{email}>")));
        }
        let draft = with_trailers(&body, &trailers);
        let mut new_change_id = None;
        if create_change_id {
            // Each earlier id is taken once: two commits of a series never
            // share one, even where their summaries are the same.
            let id = previous.remove(&step.summary).unwrap_or_else(|| {
                let id = change_id(&ident_line(&signature), Some(parent.id()), &draft);
                new_change_id = Some(id.clone());
                id
            });
            trailers.push(("Change-Id".into(), id));
        }
        let message = with_trailers(&body, &trailers);
        let tree = repo.find_tree(tree_id)?;
        let id = repo.commit(None, &signature, &signature, &message, &tree, &[&parent])?;
        commits.push(Made {
            id,
            parent: parent.id(),
            summary: step.summary.clone(),
            message,
            new_change_id,
        });
        parent = repo.find_commit(id)?;
    }
    let review_hint = review_hint(repo, &workdir, &series.branch, &series.topic);
    Ok(Series {
        commits,
        review_hint,
    })
}

/// What `publish` did to the branch.
#[derive(Debug, PartialEq, Eq)]
pub enum Published {
    /// The branch now ends with the series.
    Moved,
    /// The branch already held the same commits (trees and messages, on
    /// the same base): left as it was, so Gerrit sees no new patch sets.
    Unchanged,
}

/// Points `branch` at the series. The tip eventless published last is
/// kept in `refs/eventless/<branch>`: commits on the branch beyond it
/// (or, without it, beyond the series' base) were made by someone else,
/// and the run refuses to drop them unless `force`.
pub fn publish(repo: &Repository, branch: &str, series: &Series, force: bool) -> Result<Published> {
    let Some(last) = series.commits.last() else {
        return Ok(Published::Unchanged);
    };
    let head_ref = format!("refs/heads/{branch}");
    let mark = format!("refs/eventless/{branch}");
    if let Some(tip) = repo.find_reference(&head_ref).ok().and_then(|r| r.target()) {
        if same_series(repo, tip, series)? {
            return Ok(Published::Unchanged);
        }
        let mut walk = repo.revwalk()?;
        walk.push(tip)?;
        walk.hide(series.commits[0].parent)?;
        if let Some(ours) = repo.find_reference(&mark).ok().and_then(|r| r.target()) {
            walk.hide(ours)?;
        }
        let foreign: Vec<String> = walk
            .filter_map(|id| id.ok())
            .filter_map(|id| repo.find_commit(id).ok())
            .map(|c| {
                let summary = c.summary().ok().flatten().unwrap_or("").to_owned();
                format!("{} {summary}", &c.id().to_string()[..12])
            })
            .collect();
        if !foreign.is_empty() && !force {
            bail!(
                "branch '{branch}' has {} commit(s) eventless did not make, which a new series \
                 would drop:\n  {}\nrebase them onto the new series yourself, use another \
                 --branch, or pass --force to replace the branch",
                foreign.len(),
                foreign.join("\n  ")
            );
        }
    }
    let log = "eventless: eventlet removal series";
    repo.reference(&head_ref, last.id, true, log)?;
    repo.reference(&mark, last.id, true, log)?;
    Ok(Published::Moved)
}

/// Whether the branch ending at `tip` holds the series already: the same
/// trees and messages, commit by commit, on the same base.
fn same_series(repo: &Repository, tip: Oid, series: &Series) -> Result<bool> {
    let mut commit = repo.find_commit(tip)?;
    for made in series.commits.iter().rev() {
        let new = repo.find_commit(made.id)?;
        let same = commit.tree_id() == new.tree_id()
            && commit.message_bytes() == new.message_bytes()
            && commit.parent_count() == 1;
        if !same {
            return Ok(false);
        }
        commit = commit.parent(0)?;
    }
    Ok(commit.id() == series.commits[0].parent)
}

/// Writes the series as numbered mbox patches that `git am` applies on the
/// base commit; returns the files written.
pub fn write_patches(repo: &Repository, series: &Series, out: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("{}: cannot create the folder", out.display()))?;
    // `git am DIR/*.patch` would apply an earlier run's files too.
    let earlier: Vec<String> = std::fs::read_dir(out)
        .with_context(|| format!("{}: cannot read the folder", out.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".patch"))
        .collect();
    if !earlier.is_empty() {
        bail!(
            "{} already holds {} .patch file(s) ({}...), which `git am {}/*.patch` would \
             apply too: remove them or choose another --out",
            out.display(),
            earlier.len(),
            earlier[0],
            out.display()
        );
    }
    let total = series.commits.len();
    let mut written = Vec::new();
    for (n, made) in series.commits.iter().enumerate() {
        let commit = repo.find_commit(made.id)?;
        let parent_tree = repo.find_commit(made.parent)?.tree()?;
        let diff = repo.diff_tree_to_tree(Some(&parent_tree), Some(&commit.tree()?), None)?;
        let summary = commit.summary().ok().flatten().unwrap_or("").to_owned();
        let body = commit.body().ok().flatten().unwrap_or("").to_owned();
        let email = git2::Email::from_diff(
            &diff,
            n + 1,
            total,
            &made.id,
            summary.as_str(),
            body.as_str(),
            &commit.author(),
            &mut git2::EmailCreateOptions::default(),
        )?;
        let slug: String = summary
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let path = out.join(format!(
            "{:04}-{}.patch",
            n + 1,
            slug.chars().take(52).collect::<String>()
        ));
        std::fs::write(&path, email.as_slice())
            .with_context(|| format!("{}: cannot write", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Lines for `--dry-run`: each message and its diffstat. A Change-Id kept
/// from the series on the branch is shown; a new one is not, since the
/// real run makes another.
pub fn describe(repo: &Repository, series: &Series) -> Result<String> {
    let mut out = String::new();
    for made in &series.commits {
        let message = match &made.new_change_id {
            Some(id) => made.message.replace(
                &format!("Change-Id: {id}"),
                "Change-Id: (new, assigned when committed)",
            ),
            None => made.message.clone(),
        };
        let commit = repo.find_commit(made.id)?;
        let parent_tree = repo.find_commit(made.parent)?.tree()?;
        let diff = repo.diff_tree_to_tree(Some(&parent_tree), Some(&commit.tree()?), None)?;
        let stats = diff.stats()?.to_buf(git2::DiffStatsFormat::FULL, 72)?;
        let _ = writeln!(
            out,
            "{}\n---\n{}",
            message.trim_end(),
            stats.as_str().unwrap_or("")
        );
    }
    Ok(out)
}

fn message_body(step: &Step, catalogue: &Catalogue) -> String {
    let mut counts: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for (_, f) in &step.rewrites {
        *counts
            .entry((f.transform.clone().unwrap_or_default(), f.api.clone()))
            .or_default() += 1;
    }
    let files: std::collections::BTreeSet<&PathBuf> =
        step.rewrites.iter().map(|(p, _)| p).collect();
    let mut text = format!(
        "eventlet is deprecated and is being removed from OpenStack. This change \
         replaces {} use{} of eventlet in {} file{} with {} standard library \
         equivalent{}, where the program keeps its behaviour{} (checked by \
         eventless, see `eventless transforms show ID`):\n\n",
        step.rewrites.len(),
        if step.rewrites.len() == 1 { "" } else { "s" },
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        if step.rewrites.len() == 1 {
            "its"
        } else {
            "their"
        },
        if step.rewrites.len() == 1 { "" } else { "s" },
        if step.rewrites.iter().any(|(_, f)| !f.differences.is_empty()) {
            " but for the differences named below"
        } else {
            ""
        },
    );
    for ((transform, api), n) in &counts {
        let _ = writeln!(text, "* {api}: {n} (transform {transform})");
    }
    let shared = step.helpers_module.as_ref();
    let called = step.rewrites.iter().flat_map(|(_, f)| &f.helpers);
    let helpers: std::collections::BTreeSet<&str> = catalogue
        .helpers_needed(called.map(String::as_str))
        .into_iter()
        .map(|h| h.defined_name(shared.is_some()))
        .collect();
    if !helpers.is_empty() {
        let names: Vec<String> = helpers.iter().map(|h| format!("`{h}`")).collect();
        let place = match shared {
            Some(module) => format!(
                "the change calls a small helper function, defined once in {}",
                module.display()
            ),
            None => "a file gets a small helper function, defined once after its imports".into(),
        };
        let _ = write!(
            text,
            "\nWhere no standard library call keeps the behaviour, {place}: {}.\n",
            names.join(", ")
        );
    }
    let mut differences: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (path, f) in &step.rewrites {
        for id in &f.differences {
            let shows = f
                .conditions
                .get(id)
                .map_or(String::new(), |why| format!(" ({why})"));
            let place = format!("{}:{}{shows}", path.display(), f.line);
            crate::report::add_place(differences.entry(id).or_default(), place);
        }
    }
    // Differences of the same lines share one list of them: an executor's
    // rewrite has four, and four copies of its lines hide the text.
    let mut by_places: std::collections::BTreeMap<&Vec<String>, Vec<&Difference>> =
        Default::default();
    for (id, places) in &differences {
        if let Some(d) = catalogue.difference_by_id(id) {
            by_places
                .entry(places)
                .or_default()
                .push(&catalogue.differences[d]);
        }
    }
    fn ids<'d>(group: &[&'d Difference]) -> Vec<&'d str> {
        group.iter().map(|d| d.id.as_str()).collect()
    }
    let mut groups: Vec<(&Vec<String>, Vec<&Difference>)> = by_places.into_iter().collect();
    groups.sort_by_key(|(_, group)| ids(group));
    for (places, group) in groups {
        match group.as_slice() {
            [d] => {
                let _ = write!(
                    text,
                    "\nReview level, difference {}: {} {}\n",
                    d.id, d.summary, d.guidance
                );
            }
            _ => {
                let _ = write!(
                    text,
                    "\nReview level, differences {}, at the same lines:\n\n",
                    spoken_list(&ids(&group))
                );
                for d in &group {
                    let _ = writeln!(text, "* {}: {} {}", d.id, d.summary, d.guidance);
                }
            }
        }
        let _ = write!(text, "\nWhere (lines before this change):\n\n");
        for place in places {
            let _ = writeln!(text, "* {place}");
        }
    }
    let comments: std::collections::BTreeSet<(&PathBuf, usize)> = step
        .rewrites
        .iter()
        .flat_map(|(path, f)| f.comments.iter().map(move |line| (path, *line)))
        .collect();
    if !comments.is_empty() {
        let _ = write!(
            text,
            "\nComments or log messages beside the rewritten lines speak of eventlet or \
             green threads; check that they still hold:\n\n"
        );
        for (path, line) in comments {
            let _ = writeln!(text, "* {}:{line}", path.display());
        }
    }
    let switches = step
        .rewrites
        .iter()
        .any(|(_, f)| f.makes_the_switch(catalogue));
    if switches {
        let _ = write!(
            text,
            "\nNothing else in the tree uses eventlet after this change, which makes \
             the switch: the program now runs on native, preemptive threads, so shared \
             state (counters, check-then-set, lazy singletons) needs locks where \
             green threads needed none, and a loop that waits with sleep(0) keeps a \
             core busy where it yielded to the other green threads.\n"
        );
    }
    if !step.manual.is_empty() {
        // One bullet per API and reason, with the places it holds for.
        let mut reasons: std::collections::BTreeMap<(&str, &str), Vec<String>> = Default::default();
        for (path, f) in &step.manual {
            let reason = f.reason.as_deref().unwrap_or("");
            let first = reason
                .split(". ")
                .next()
                .unwrap_or(reason)
                .trim_end_matches('.');
            reasons
                .entry((f.api.as_str(), first))
                .or_default()
                .push(format!("{}:{}", path.display(), f.line));
        }
        let _ = write!(
            text,
            "\nLeft for manual work ({} use{}):\n\n",
            step.manual.len(),
            if step.manual.len() == 1 { "" } else { "s" }
        );
        const PLACES: usize = 3;
        for ((api, reason), places) in &reasons {
            let shown = crate::report::first_places(places, PLACES);
            let _ = writeln!(text, "* {api} ({}): {reason} ({shown})", places.len());
        }
    }
    let body = text
        .split("\n\n")
        .map(|p| wrap(p, BODY_WIDTH))
        .collect::<Vec<_>>()
        .join("\n\n");
    format!("{}\n\n{}\n", step.summary, body.trim_end())
}

fn updated_tree(repo: &Repository, base: &git2::Tree, step: &Step) -> Result<Oid> {
    let mut builder = git2::build::TreeUpdateBuilder::new();
    for (path, bytes) in &step.files {
        let blob = repo.blob(bytes)?;
        let mode = match base.get_path(path) {
            Ok(entry) if entry.filemode() == i32::from(FileMode::BlobExecutable) => {
                FileMode::BlobExecutable
            }
            _ => FileMode::Blob,
        };
        builder.upsert(path.to_string_lossy().as_ref(), blob, mode);
    }
    Ok(builder.create_updated(repo, base)?)
}

fn export_tree(repo: &Repository, tree: &git2::Tree, dest: &Path) -> Result<()> {
    let mut failure = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let path = dest.join(dir).join(entry.name().unwrap_or(""));
        let result: Result<()> = (|| {
            match entry.kind() {
                Some(git2::ObjectType::Tree) => std::fs::create_dir_all(&path)?,
                Some(git2::ObjectType::Blob) if entry.filemode() != i32::from(FileMode::Link) => {
                    let blob = repo.find_blob(entry.id())?;
                    std::fs::write(&path, blob.content())?;
                }
                _ => {}
            }
            Ok(())
        })();
        match result {
            Ok(()) => git2::TreeWalkResult::Ok,
            Err(e) => {
                failure = Some(e);
                git2::TreeWalkResult::Abort
            }
        }
    })?;
    failure.map_or(Ok(()), Err)
}

fn is_dirty(repo: &Repository) -> Result<bool> {
    let mut options = StatusOptions::new();
    options.include_untracked(false).include_ignored(false);
    let statuses = repo.statuses(Some(&mut options))?;
    Ok(statuses.iter().any(|s| s.status() != git2::Status::CURRENT))
}

/// Change-Ids of an earlier series on `branch`, by summary, so that a
/// re-run makes new patch sets of the same Gerrit changes.
fn previous_change_ids(repo: &Repository, branch: &str, head: Oid) -> HashMap<String, String> {
    let mut ids = HashMap::new();
    let Ok(reference) = repo.find_reference(&format!("refs/heads/{branch}")) else {
        return ids;
    };
    let Ok(mut commit) = reference.peel_to_commit() else {
        return ids;
    };
    let stop = repo.merge_base(commit.id(), head).ok();
    loop {
        if Some(commit.id()) == stop || commit.id() == head {
            break;
        }
        let message = commit.message().unwrap_or("");
        if let (Ok(Some(summary)), Some(id)) = (commit.summary(), trailer(message, "Change-Id")) {
            ids.entry(summary.to_owned())
                .or_insert_with(|| id.to_owned());
        }
        match commit.parent(0) {
            Ok(parent) => commit = parent,
            Err(_) => break,
        }
    }
    ids
}

/// How to send the series, when the repository has a .gitreview: the
/// `git review` command, unless the series is built on a detached HEAD or
/// on another branch than the one .gitreview sends to.
fn review_hint(repo: &Repository, workdir: &Path, branch: &str, topic: &str) -> Option<String> {
    let text = std::fs::read_to_string(workdir.join(".gitreview")).ok()?;
    let value = |key: &str| {
        text.lines().find_map(|l| {
            l.strip_prefix(key)?
                .trim_start()
                .strip_prefix('=')
                .map(|v| v.trim().to_owned())
        })
    };
    let host = value("host")?;
    let project = value("project").unwrap_or_default();
    let head = repo.head().ok();
    let on = head
        .as_ref()
        .filter(|h| h.is_branch())
        .and_then(|h| h.shorthand().ok());
    let Some(on) = on else {
        return Some(format!(
            "the series is built on a detached HEAD: check out the branch it is for and \
             run commit again before `git review -t {topic}`"
        ));
    };
    if let Some(target) = value("defaultbranch").filter(|target| target != on) {
        return Some(format!(
            "the series is built on {on}, but .gitreview sends changes to {target}: build it \
             on {target} before `git review -t {topic}`"
        ));
    }
    Some(format!(
        "to send the series to {host} ({project}): git checkout {branch} && git review -t {topic}"
    ))
}

/// `a`, `a and b`, `a, b and c`.
fn spoken_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
