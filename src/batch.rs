//! One manifest, many repositories: each is scanned, diffed, committed or
//! turned into patches in parallel, one's failure never stops the others,
//! and a ledger beside the manifest records every outcome, so that reruns
//! can take up only the failed or changed ones.
//!
//! ```toml
//! [defaults]
//! link_base = "https://opendev.org/openstack/{name}/src/branch/master/"
//! exclude = ["doc", "releasenotes"]
//! topic = "eventlet-removal"
//!
//! [[repo]]
//! path = "../nova"          # relative to the manifest
//! name = "nova"             # default: the folder's name
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config;
use crate::decide::matcher::Selection;
use crate::engine::{self, Options};
use crate::outcome::Action;
use crate::project::helpers_module::HelpersPlace;
use crate::report::Summary;
use crate::report::readiness::assess;
use crate::transform::{Catalogue, Safety};
use crate::vcs::{self, SeriesOptions, series::Split};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Scan,
    Diff,
    Commit,
    Patches,
}

/// A repository's settings, from `[defaults]`, its `[[repo]]` entry and
/// the command line (which applies to every repository).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    link_base: Option<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default)]
    config: Option<PathBuf>,
    /// Transform ids: only these (`--select`), never these (`--ignore`).
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Behaviour differences accepted (`--accept`), or all (`--review`).
    #[serde(default)]
    pub accept: Vec<String>,
    #[serde(default)]
    pub review: Option<bool>,
    /// Commit and patches: proceed on a dirty work tree, add Signed-off-by,
    /// and these trailers ("Partial-Bug: #2004567").
    #[serde(default)]
    pub allow_dirty: Option<bool>,
    #[serde(default)]
    pub signoff: Option<bool>,
    #[serde(default)]
    pub footers: Vec<String>,
}

impl Settings {
    /// The batch command's flags, which apply to every repository.
    pub fn command_line(
        select: Vec<String>,
        ignore: Vec<String>,
        accept: Vec<String>,
        review: bool,
        allow_dirty: bool,
        signoff: bool,
    ) -> Settings {
        Settings {
            select,
            ignore,
            accept,
            review: review.then_some(true),
            allow_dirty: allow_dirty.then_some(true),
            signoff: signoff.then_some(true),
            ..Settings::default()
        }
    }

    /// These settings, with `over`'s where it has them (lists add up;
    /// `select` is replaced).
    fn under(&self, over: &Settings) -> Settings {
        let both = |a: &Vec<String>, b: &Vec<String>| a.iter().chain(b).cloned().collect();
        Settings {
            link_base: over.link_base.clone().or_else(|| self.link_base.clone()),
            exclude: both(&self.exclude, &over.exclude),
            branch: over.branch.clone().or_else(|| self.branch.clone()),
            topic: over.topic.clone().or_else(|| self.topic.clone()),
            config: over.config.clone().or_else(|| self.config.clone()),
            select: match over.select.is_empty() {
                true => self.select.clone(),
                false => over.select.clone(),
            },
            ignore: both(&self.ignore, &over.ignore),
            accept: both(&self.accept, &over.accept),
            review: over.review.or(self.review),
            allow_dirty: over.allow_dirty.or(self.allow_dirty),
            signoff: over.signoff.or(self.signoff),
            footers: both(&self.footers, &over.footers),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RepoEntry {
    path: PathBuf,
    #[serde(default)]
    name: Option<String>,
    #[serde(flatten)]
    settings: Settings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    defaults: Settings,
    #[serde(default)]
    repo: Vec<RepoEntry>,
}

/// A repository to run, with its settings merged over the defaults.
#[derive(Debug, Clone)]
pub struct Repo {
    pub name: String,
    pub path: PathBuf,
    link_base: Option<String>,
    exclude: Vec<String>,
    branch: String,
    topic: String,
    config: Option<PathBuf>,
    /// What the rewrite applies, and how commits are made.
    settings: Settings,
}

/// What happened to one repository.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    pub name: String,
    pub path: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub files_scanned: usize,
    pub uses: usize,
    pub rewritten: usize,
    /// Of the rewrites, those at the review level (named differences).
    #[serde(default)]
    pub review: usize,
    /// Where not every named difference is accepted: the rewrites
    /// `--review` makes besides these (those the differences held, and
    /// what waited for them).
    #[serde(default)]
    pub review_more: usize,
    pub manual: usize,
    pub files_changed: usize,
    pub deactivable: bool,
    pub complexity: u8,
    pub seconds: f64,
    /// `(summary, Change-Id or commit id)` of the commits made.
    #[serde(default)]
    pub commits: Vec<(String, String)>,
    /// Per eventlet API: `(rewritten, left for manual work)`.
    #[serde(default)]
    pub apis: BTreeMap<String, (usize, usize)>,
    #[serde(default)]
    pub link_base: Option<String>,
}

impl Outcome {
    /// The review-level rewrites made, or (`+N`) those `--review` would
    /// make where none were accepted.
    pub fn review_cell(&self) -> String {
        match (self.review, self.review_more) {
            (0, n) if n > 0 => format!("+{n}"),
            (made, _) => made.to_string(),
        }
    }
}

/// The ledger: every run's outcomes, newest last.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Ledger {
    pub runs: Vec<LedgerRun>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LedgerRun {
    pub unix_time: u64,
    pub mode: Mode,
    pub outcomes: Vec<Outcome>,
}

impl Ledger {
    pub fn load(path: &Path) -> Result<Ledger> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{}: not an eventless ledger (delete it or pass --state)",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(e).with_context(|| format!("{}: cannot read the ledger", path.display())),
        }
    }

    /// Each repository's latest outcome.
    pub fn latest(&self) -> BTreeMap<String, &Outcome> {
        let mut latest = BTreeMap::new();
        for run in &self.runs {
            for o in &run.outcomes {
                latest.insert(o.name.clone(), o);
            }
        }
        latest
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut temp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut temp, text.as_bytes())?;
        temp.persist(path)
            .with_context(|| format!("{}: cannot write the ledger", path.display()))?;
        Ok(())
    }
}

/// The manifest's repositories, `command_line` applying to each.
pub fn read_manifest(path: &Path, command_line: &Settings) -> Result<Vec<Repo>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the manifest", path.display()))?;
    let manifest: Manifest = toml::from_str(&text)
        .with_context(|| format!("{}: not a valid manifest", path.display()))?;
    if manifest.repo.is_empty() {
        bail!("{}: no [[repo]] entries", path.display());
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let d = &manifest.defaults;
    let mut names = std::collections::HashSet::new();
    manifest
        .repo
        .into_iter()
        .map(|entry| {
            let path = base.join(&entry.path);
            let name = entry.name.clone().unwrap_or_else(|| {
                entry.path.file_name().map_or_else(
                    || entry.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            });
            if !names.insert(name.clone()) {
                bail!("two repositories are named '{name}': give one a `name`");
            }
            let s = d.under(&entry.settings).under(command_line);
            if let Some(bad) = s.footers.iter().find(|f| !f.contains(": ")) {
                bail!("{name}: footer {bad:?} is not \"Key: value\"");
            }
            Ok(Repo {
                path,
                link_base: s.link_base.clone().map(|l| l.replace("{name}", &name)),
                exclude: s.exclude.clone(),
                branch: s
                    .branch
                    .clone()
                    .unwrap_or_else(|| "eventlet-removal".into()),
                topic: s.topic.clone().unwrap_or_else(|| "eventlet-removal".into()),
                config: s.config.clone().map(|c| base.join(c)),
                name,
                settings: s,
            })
        })
        .collect()
}

/// Runs one repository; every error becomes a failed outcome.
pub fn run_repo(repo: &Repo, mode: Mode, out: Option<&Path>) -> Outcome {
    let start = Instant::now();
    let mut outcome = Outcome {
        name: repo.name.clone(),
        path: repo.path.display().to_string(),
        link_base: repo.link_base.clone(),
        ..Outcome::default()
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_repo_inner(repo, mode, out, &mut outcome)
    }));
    match result {
        Ok(Ok(())) => outcome.ok = true,
        Ok(Err(e)) => outcome.error = Some(format!("{e:#}")),
        Err(_) => {
            outcome.error =
                Some("eventless crashed on this repository (a bug: please report it)".into())
        }
    }
    outcome.seconds = start.elapsed().as_secs_f64();
    outcome
}

fn run_repo_inner(
    repo: &Repo,
    mode: Mode,
    out: Option<&Path>,
    outcome: &mut Outcome,
) -> Result<()> {
    if !repo.path.is_dir() {
        bail!("{}: no such folder", repo.path.display());
    }
    let config_path = repo.config.clone().or_else(|| config::find(&repo.path));
    let (catalogue, file_options) = match &config_path {
        Some(path) => {
            let c = config::load(path)?;
            (c.catalogue, c.options)
        }
        None => (Catalogue::builtin()?, config::ConfigOptions::default()),
    };
    let mut options = Options {
        paths: vec![repo.path.clone()],
        excludes: repo
            .exclude
            .iter()
            .chain(&file_options.exclude)
            .cloned()
            .collect(),
        assume_monkey_patched: file_options
            .assume_monkey_patched
            .modules()
            .map_err(anyhow::Error::msg)?,
        findings_only: mode == Mode::Scan,
        helpers: HelpersPlace::configured(file_options.helpers_module.clone()),
        ..Options::default()
    };
    let s = &repo.settings;
    for id in s.select.iter().chain(&s.ignore) {
        if catalogue.transform_by_id(id).is_none() {
            bail!("unknown transform id '{id}' (see `eventless transforms list`)");
        }
    }
    options.selection.ignore = file_options
        .ignore
        .iter()
        .chain(&s.ignore)
        .cloned()
        .collect();
    let select = if s.select.is_empty() {
        &file_options.select
    } else {
        &s.select
    };
    if !select.is_empty() {
        options.selection.select = Some(select.iter().cloned().collect());
    }
    let safety = file_options.safety.unwrap_or(Safety::Conditional);
    options.selection.max_safety = safety.min(Safety::Conditional);
    options.selection.accepted = Selection::accepting(
        &catalogue,
        s.review == Some(true) || safety == Safety::Review,
        s.accept.iter().chain(&file_options.accept),
    )
    .map_err(anyhow::Error::msg)?;
    let run = engine::run(&catalogue, &options)?;
    let summary = Summary::of(&run);
    let readiness = assess(&run, &repo.path);
    outcome.files_scanned = summary.files_scanned;
    outcome.uses = summary.uses;
    outcome.rewritten = summary.rewrites();
    outcome.review = summary.rewrite_review;
    if !summary.unlockable.is_empty() {
        // A second pass at the review level, findings alone, so that the
        // summary gives both levels.
        let mut review = options.clone();
        review.findings_only = true;
        review.selection.accepted =
            Selection::accepting(&catalogue, true, []).map_err(anyhow::Error::msg)?;
        let at_review = Summary::of(&engine::run(&catalogue, &review)?);
        outcome.review_more = at_review.rewrites().saturating_sub(outcome.rewritten);
    }
    outcome.manual = summary.manual;
    outcome.files_changed = summary.files_to_change;
    outcome.deactivable = readiness.deactivable;
    outcome.complexity = readiness.complexity;
    for f in run.files.iter().flat_map(|f| &f.findings) {
        let entry = outcome.apis.entry(f.api.clone()).or_default();
        match f.action {
            Action::Rewrite => entry.0 += 1,
            Action::Manual => entry.1 += 1,
            Action::Import => {}
        }
    }
    outcome.apis.retain(|_, (r, m)| *r + *m > 0);
    match mode {
        Mode::Scan => {
            if let Some(out) = out {
                std::fs::create_dir_all(out)?;
                let report = crate::report::markdown::render(
                    &run,
                    &catalogue,
                    &repo.name,
                    &repo.path,
                    repo.link_base.as_deref(),
                );
                std::fs::write(out.join(format!("{}.md", repo.name)), report)?;
            }
        }
        Mode::Diff => {
            if let Some(out) = out {
                std::fs::create_dir_all(out)?;
                let mut text = String::new();
                for file in run.changed() {
                    let path = file
                        .source
                        .path
                        .strip_prefix(&repo.path)
                        .unwrap_or(&file.source.path);
                    let path = path.display().to_string();
                    text.push_str(&crate::diff::of_file(file, &path, false));
                }
                std::fs::write(out.join(format!("{}.diff", repo.name)), text)?;
            }
        }
        Mode::Commit | Mode::Patches => {
            let series = SeriesOptions {
                branch: repo.branch.clone(),
                split: Split::Family,
                allow_dirty: s.allow_dirty.unwrap_or(false),
                signoff: s.signoff.unwrap_or(false),
                footers: s
                    .footers
                    .iter()
                    .filter_map(|f| f.split_once(": "))
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                topic: repo.topic.clone(),
            };
            let (git, built) = vcs::build(
                std::slice::from_ref(&repo.path),
                &catalogue,
                &options,
                &series,
            )?;
            if mode == Mode::Commit {
                vcs::publish(&git, &repo.branch, &built, false)?;
            } else if let Some(out) = out {
                vcs::write_patches(&git, &built, &out.join(&repo.name))?;
            } else {
                bail!("patches mode needs --out DIR");
            }
            outcome.commits = built
                .commits
                .iter()
                .map(|c| {
                    let id = vcs::message::trailer(&c.message, "Change-Id")
                        .map_or_else(|| c.id.to_string(), str::to_owned);
                    (c.summary.clone(), id)
                })
                .collect();
        }
    }
    Ok(())
}

/// Runs the repositories in parallel on `jobs` threads, reporting each
/// as it finishes.
pub fn run_all(
    repos: &[Repo],
    mode: Mode,
    jobs: usize,
    out: Option<&Path>,
    on_done: &(dyn Fn(&Outcome) + Sync),
) -> Result<Vec<Outcome>> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()?;
    let mut outcomes: Vec<Outcome> = pool.install(|| {
        repos
            .par_iter()
            .map(|repo| {
                let outcome = run_repo(repo, mode, out);
                on_done(&outcome);
                outcome
            })
            .collect()
    });
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(outcomes)
}

pub fn summary_table(outcomes: &[Outcome]) -> String {
    let mut out = format!(
        "{:<24} {:>6} {:>6} {:>9} {:>6} {:>6} {:>11} {:>10} {:>7}  {}\n",
        "repository",
        "files",
        "uses",
        "rewritten",
        "review",
        "manual",
        "deactivable",
        "complexity",
        "time",
        "status"
    );
    for o in outcomes {
        let status = if o.ok {
            "ok".to_owned()
        } else {
            format!("FAILED: {}", o.error.as_deref().unwrap_or(""))
        };
        out.push_str(&format!(
            "{:<24} {:>6} {:>6} {:>9} {:>6} {:>6} {:>11} {:>10} {:>6.1}s  {status}\n",
            o.name,
            o.files_scanned,
            o.uses,
            o.rewritten,
            o.review_cell(),
            o.manual,
            if !o.ok {
                "-"
            } else if o.deactivable {
                "yes"
            } else {
                "no"
            },
            if o.ok {
                format!("{}/10", o.complexity)
            } else {
                "-".into()
            },
            o.seconds,
        ));
    }
    // The totals add up the rows above, failed repositories included (a
    // repository can fail after its uses were counted, at its commit).
    let total = |count: fn(&Outcome) -> usize| outcomes.iter().map(count).sum::<usize>();
    out.push_str(&format!(
        "{} repositories, {} failed; {} eventlet uses, {} rewritten, {} left for manual work{}\n",
        outcomes.len(),
        outcomes.iter().filter(|o| !o.ok).count(),
        total(|o| o.uses),
        total(|o| o.rewritten),
        total(|o| o.manual),
        review_note(total(|o| o.review), total(|o| o.review_more)),
    ));
    out
}

/// The totals' word on the review level: how many rewrites it made, or how
/// many more it would make.
fn review_note(made: usize, more: usize) -> String {
    match (made, more) {
        (0, 0) => String::new(),
        (0, n) => format!(" (--review rewrites {n} more, each with named differences)"),
        (made, _) => format!(" ({made} of the rewrites at the review level)"),
    }
}

pub fn markdown_report(outcomes: &[Outcome]) -> String {
    let mut out = String::from(
        "# eventlet removal: batch summary\n\n| repository | uses | rewritten | review | manual | deactivable | complexity | status |\n|---|---:|---:|---:|---:|---|---:|---|\n",
    );
    for o in outcomes {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            o.name,
            o.uses,
            o.rewritten,
            o.review_cell(),
            o.manual,
            if o.deactivable { "Yes" } else { "No" },
            o.complexity,
            if o.ok {
                "ok".to_owned()
            } else {
                format!(
                    "failed: {}",
                    o.error.as_deref().unwrap_or("").replace('|', "\\|")
                )
            }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_the_rows_failed_repositories_included() {
        let row = |name: &str, ok: bool, uses: usize| Outcome {
            name: name.into(),
            ok,
            error: (!ok).then(|| "commit failed".into()),
            uses,
            manual: uses,
            ..Outcome::default()
        };
        let table = summary_table(&[row("cinder", false, 271), row("glance", true, 64)]);
        assert!(
            table.ends_with(
                "2 repositories, 1 failed; 335 eventlet uses, 0 rewritten, 335 left for manual work\n"
            ),
            "{table}"
        );
    }

    #[test]
    fn the_review_level_is_counted_made_or_to_make() {
        let row = |name: &str, review: usize, review_more: usize| Outcome {
            name: name.into(),
            ok: true,
            uses: 10,
            rewritten: 2 + review,
            review,
            review_more,
            manual: 8 - review,
            ..Outcome::default()
        };
        let exact = summary_table(&[row("glance", 0, 27), row("nova", 0, 10)]);
        assert!(exact.contains(" +27 "), "{exact}");
        assert!(
            exact.ends_with(
                "4 rewritten, 16 left for manual work (--review rewrites 37 more, each with \
                 named differences)\n"
            ),
            "{exact}"
        );
        let review = summary_table(&[row("glance", 5, 0), row("nova", 3, 0)]);
        assert!(
            review.ends_with(
                "12 rewritten, 8 left for manual work (8 of the rewrites at the review level)\n"
            ),
            "{review}"
        );
        assert!(markdown_report(&[row("glance", 5, 0)]).contains("| glance | 10 | 7 | 5 | 3 |"));
    }
}
