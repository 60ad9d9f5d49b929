//! What each subcommand does with a run's result.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::cli::{
    Cli, ColorChoice, Command, Common, Format, SafetyChoice, SeriesArgs, StdinArgs,
    TransformsAction,
};
use crate::config::{self, CommitConfig, ConfigOptions};
use crate::decide::matcher::Selection;
use crate::diff::unified;
use crate::engine::{self, Options};
use crate::outcome::Action;
use crate::outcome::{FileResult, HelpersModule, KeptFor, RunResult};
use crate::project::helpers_module::{HelpersPlace, outside_its_package};
use crate::project::programs::is_test_code;
use crate::report::{self, Summary};
use crate::transform::{Catalogue, Safety};
use crate::vcs;
use crate::write::{SignalWatch, Transaction};

/// The default branch and Gerrit topic of a series.
const DEFAULT_SERIES: &str = "eventlet-removal";

pub const EXIT_CHANGES: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan {
            mut common,
            stdin,
            format,
            link_base,
            statistics,
            exit_non_zero_on_manual,
        } => {
            if statistics && format != Format::Text {
                bail!("--statistics is a text report; leave out --format");
            }
            if link_base.is_some() && format != Format::Markdown {
                bail!("--link-base links the Markdown report's occurrences; add --format markdown");
            }
            let (catalogue, mut options) = setup(&mut common, &stdin)?;
            // SARIF carries the rewrite itself (`fixes`); the other reports
            // need only the findings, which are faster to decide alone.
            options.findings_only = format != Format::Sarif;
            let run = engine::run(&catalogue, &options)?;
            let root = common.paths.first().cloned().unwrap_or_else(|| ".".into());
            let title = project_name(&root);
            let text = match format {
                Format::Text if statistics => report::text::statistics(&run),
                Format::Text => report::text::render(&run),
                Format::Json => report::json::render(&run, &root),
                Format::Markdown => {
                    report::markdown::render(&run, &catalogue, &title, &root, link_base.as_deref())
                }
                Format::Sarif => report::sarif::render(&run, &catalogue, &root),
            };
            emit(&text)?;
            let left = !Summary::of(&run).eventlet_removable();
            Ok(match exit_non_zero_on_manual && left {
                true => ExitCode::from(EXIT_CHANGES),
                false => ExitCode::SUCCESS,
            })
        }
        Command::Diff {
            mut common,
            stdin,
            check,
            color,
        } => {
            let (catalogue, options) = setup(&mut common, &stdin)?;
            let run = engine::run(&catalogue, &options)?;
            let color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => std::io::stdout().is_terminal(),
            };
            for file in run.changed() {
                emit(&file_diff(file, &run, color))?;
            }
            let failed = report_problems(&run, common.quiet);
            if !common.quiet {
                let changed: Vec<&FileResult> = run.changed().collect();
                eprint!(
                    "{}",
                    summary(&run, &catalogue, "would be rewritten", &changed)
                );
            }
            if failed {
                Ok(ExitCode::from(EXIT_ERROR))
            } else if check && run.changed().next().is_some() {
                Ok(ExitCode::from(EXIT_CHANGES))
            } else {
                Ok(ExitCode::SUCCESS)
            }
        }
        Command::Apply {
            mut common,
            stdin,
            interactive,
        } => apply(&mut common, &stdin, interactive),
        Command::Commit {
            common,
            series,
            dry_run,
        } => {
            let (repo, built, series_options) = build_series(&common, &series)?;
            if built.commits.is_empty() {
                eprintln!("nothing to commit: no eventlet use here can be rewritten");
                return Ok(ExitCode::SUCCESS);
            }
            if dry_run {
                emit(&vcs::describe(&repo, &built)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            let published = vcs::publish(&repo, &series_options.branch, &built, series.force)?;
            if published == vcs::Published::Unchanged {
                if !common.quiet {
                    eprintln!(
                        "the series on branch '{}' is unchanged: left as it is",
                        series_options.branch
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            for made in &built.commits {
                emit(&format!(
                    "{} {}\n",
                    &made.id.to_string()[..12],
                    made.summary
                ))?;
            }
            if !common.quiet {
                eprintln!(
                    "{} commit(s) on branch '{}'; your current branch is unchanged",
                    built.commits.len(),
                    series_options.branch
                );
                if let Some(hint) = &built.review_hint {
                    eprintln!("{hint}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Patches {
            common,
            series,
            out,
        } => {
            let (repo, built, _) = build_series(&common, &series)?;
            for path in vcs::write_patches(&repo, &built, &out)? {
                emit(&format!("{}\n", path.display()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Batch {
            manifest,
            mode,
            jobs,
            state,
            only_failed,
            only_changed,
            report,
            out,
            quiet,
            select,
            ignore,
            review,
            accept,
            allow_dirty,
            signoff,
        } => batch(
            &manifest,
            &crate::batch::Settings::command_line(
                select,
                ignore,
                accept,
                review,
                allow_dirty,
                signoff,
            ),
            mode,
            jobs,
            state,
            only_failed,
            only_changed,
            &report,
            out.as_deref(),
            quiet,
        ),
        Command::Transforms { action } => {
            let catalogue = match config::find(Path::new(".")) {
                Some(path) => config::load(&path)?.catalogue,
                None => Catalogue::builtin()?,
            };
            match action.unwrap_or(TransformsAction::List) {
                TransformsAction::List => emit(&list_transforms(&catalogue))?,
                TransformsAction::Show { id } => emit(&show_transform(&catalogue, &id)?)?,
                TransformsAction::Differences => emit(&list_differences(&catalogue))?,
                TransformsAction::Markdown => emit(&crate::report::catalogue_markdown(&catalogue))?,
                TransformsAction::Check => {
                    let (checked, failures) = crate::examples::check_all(&catalogue);
                    for failure in &failures {
                        eprintln!("{failure}\n");
                    }
                    emit(&format!(
                        "{} of {checked} examples hold\n",
                        checked - failures.len()
                    ))?;
                    if !failures.is_empty() {
                        return Ok(ExitCode::from(EXIT_ERROR));
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Rewrites the files in place: decides what to write (asking, with
/// `interactive`), then writes it all as one transaction, after the shared
/// helpers module, whose failure writes nothing else.
fn apply(common: &mut Common, stdin: &StdinArgs, interactive: bool) -> Result<ExitCode> {
    if interactive && crate::stdin::wanted(&common.paths) {
        bail!("--interactive reads its answers from standard input, which `-` gives the text");
    }
    let (catalogue, mut options) = setup(common, stdin)?;
    options.writes = true;
    let run = engine::run(&catalogue, &options)?;
    let mut failed = report_problems(&run, common.quiet);
    if let Some(stand_in) = &options.stand_in {
        // Standard output holds one file: a rewrite that needs the shared
        // helpers module written too is not made there.
        if let Some(module) = run
            .helpers
            .module
            .as_ref()
            .filter(|m| m.callers.iter().any(|c| stand_in.stands_for(c)))
        {
            eprintln!(
                "error: the rewrite calls helpers it defines in {}, which standard input \
                 cannot write; run `eventless apply` on the project",
                module.path.display()
            );
            emit_bytes(&crate::stdin::output(stand_in, None))?;
            return Ok(ExitCode::from(EXIT_ERROR));
        }
        // The text goes to standard output, rewritten or as it came.
        let rewritten = crate::stdin::rewritten(stand_in, &run);
        emit_bytes(&crate::stdin::output(stand_in, rewritten))?;
        if !common.quiet {
            let written = Vec::from_iter(rewritten);
            eprint!("{}", summary(&run, &catalogue, "rewritten", &written));
        }
        return Ok(exit_code(failed));
    }
    let chosen = choose_writes(&run, interactive)?;
    let signals = SignalWatch::install()?;
    let module = run.helpers.module.as_ref();
    let (first, rest): (Vec<_>, Vec<_>) = chosen
        .into_iter()
        .partition(|(file, _)| module.is_some_and(|m| m.path == file.source.path));
    let mut phases: Vec<(Transaction, Vec<&FileResult>)> = Vec::new();
    let mut module_failed = false;
    for (phase, files) in [first, rest].into_iter().enumerate() {
        let mut transaction = Transaction::default();
        let mut staged = Vec::new();
        for (file, new_text) in files {
            if let Some(signal) = signals.interrupted() {
                drop((phases, transaction));
                eprintln!("interrupted: nothing was written");
                return Ok(ExitCode::from(signal.exit_status()));
            }
            let (path, bytes) = (&file.source.path, file.source.encode(&new_text));
            let outcome = match file.created {
                true => transaction.stage_new(path, &bytes),
                false => transaction.stage(path, &file.source.original, &bytes),
            };
            match outcome {
                Ok(()) => staged.push(file),
                Err(e) => {
                    eprintln!("error: {e:#}");
                    failed = true;
                    module_failed |= phase == 0;
                }
            }
        }
        phases.push((transaction, staged));
    }
    // What is said to be rewritten is what was written.
    let mut written: Vec<&FileResult> = Vec::new();
    for (phase, (transaction, staged)) in phases.into_iter().enumerate() {
        if module_failed {
            eprintln!(
                "error: the shared helpers module was not written, so neither was any other file"
            );
            break;
        }
        for (file, (_, result)) in staged.into_iter().zip(transaction.commit()) {
            match result {
                Ok(()) => {
                    written.push(file);
                    if !common.quiet {
                        println!("{}", file_line(file, module));
                    }
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    failed = true;
                    module_failed |= phase == 0;
                }
            }
        }
    }
    if !common.quiet {
        eprint!("{}", summary(&run, &catalogue, "rewritten", &written));
    }
    if let Some(signal) = signals.interrupted() {
        eprintln!("interrupted: every file had been written");
        return Ok(ExitCode::from(signal.exit_status()));
    }
    Ok(exit_code(failed))
}

/// The changed files to write and their new text: all of them, or those
/// (and the hunks of them) a person accepts when `interactive`. The shared
/// helpers module is asked about only for rewrites of its own: it is
/// written with the first file that calls it.
fn choose_writes(run: &RunResult, interactive: bool) -> Result<Vec<(&FileResult, String)>> {
    let mut chosen = Vec::new();
    let mut ask = interactive;
    let stdin = std::io::stdin();
    let mut answers = stdin.lock().lines();
    let module = run.helpers.module.as_ref();
    let is_module = |file: &FileResult| module.is_some_and(|m| m.path == file.source.path);
    let helpers_only = |file: &FileResult| is_module(file) && file.findings.is_empty();
    for file in run.changed().filter(|f| !helpers_only(f)) {
        let new_text = file.new_text.clone().expect("changed files have new text");
        if !ask {
            chosen.push((file, new_text));
            continue;
        }
        emit(&file_diff(file, run, std::io::stdout().is_terminal()))?;
        eprint!(
            "Apply to {}? [y]es [n]o [a]ll [q]uit [h]unk by hunk: ",
            file.source.path.display()
        );
        let answer = answers.next().transpose()?.unwrap_or_default();
        match answer.trim() {
            "y" | "yes" => chosen.push((file, new_text)),
            "a" | "all" => {
                ask = false;
                chosen.push((file, new_text));
            }
            "q" | "quit" => break,
            "h" | "hunks" => {
                let mut keep = Vec::new();
                for hunk in crate::hunks::hunks(&file.source.text, &new_text) {
                    emit(&hunk)?;
                    eprint!("Apply this hunk? [y]es [n]o: ");
                    let answer = answers.next().transpose()?.unwrap_or_default();
                    keep.push(matches!(answer.trim(), "y" | "yes"));
                }
                match crate::hunks::compose(&file.source.text, &new_text, &keep) {
                    Ok(text) if text == file.source.text => {}
                    Ok(text) => chosen.push((file, text)),
                    Err(why) => eprintln!("{}: not written: {why}", file.source.path.display()),
                }
            }
            _ => {}
        }
    }
    let called = |m: &HelpersModule| {
        chosen
            .iter()
            .any(|(file, _)| m.callers.contains(&file.source.path))
    };
    let taken = chosen.iter().any(|(file, _)| is_module(file));
    if let Some(file) = run.changed().find(|f| is_module(f))
        && !taken
        && module.is_some_and(called)
    {
        let new_text = file.new_text.clone().expect("changed files have new text");
        chosen.insert(0, (file, new_text));
    }
    Ok(chosen)
}

/// The catalogue and options for a run: the built-in catalogue or the
/// project's, with the command line taking precedence over eventless.toml;
/// for `-`, standard input read and the paths made the file it stands for.
fn setup(common: &mut Common, stdin: &StdinArgs) -> Result<(Catalogue, Options)> {
    let stand_in = crate::stdin::take(common, stdin.stdin_filename.as_deref())?;
    let (catalogue, mut options, _) = setup_with_commit(common)?;
    options.stand_in = stand_in;
    Ok((catalogue, options))
}

/// `setup`, with the configuration's `[commit]` defaults.
fn setup_with_commit(common: &Common) -> Result<(Catalogue, Options, CommitConfig)> {
    let config_path = if common.no_config {
        None
    } else if let Some(path) = &common.config {
        Some(path.clone())
    } else {
        common.paths.first().and_then(|p| config::find(p))
    };
    let (catalogue, file_options, commit) = match config_path {
        Some(path) => {
            let loaded = config::load(&path)?;
            if !common.quiet {
                eprintln!("eventless: using {}", path.display());
            }
            (loaded.catalogue, loaded.options, loaded.commit)
        }
        None => (
            Catalogue::builtin()?,
            ConfigOptions::default(),
            CommitConfig::default(),
        ),
    };
    for id in common.select.iter().chain(&common.ignore) {
        if catalogue.transform_by_id(id).is_none() {
            bail!("unknown transform id '{id}' (see `eventless transforms list`)");
        }
    }
    let select = if common.select.is_empty() {
        file_options.select
    } else {
        common.select.clone()
    };
    let safety = match common.safety {
        Some(SafetyChoice::Safe) => Safety::Safe,
        Some(SafetyChoice::Conditional) => Safety::Conditional,
        Some(SafetyChoice::Review) => Safety::Review,
        None => file_options.safety.unwrap_or(Safety::Conditional),
    };
    let accepted = Selection::accepting(
        &catalogue,
        common.review || safety == Safety::Review,
        common.accept.iter().chain(&file_options.accept),
    )
    .map_err(anyhow::Error::msg)?;
    let project_root = if common.no_project {
        None
    } else {
        crate::project::find_root(&common.paths).map_err(anyhow::Error::msg)?
    };
    let options = Options {
        paths: common.paths.clone(),
        project_root,
        excludes: common
            .exclude
            .iter()
            .chain(&file_options.exclude)
            .cloned()
            .collect(),
        selection: Selection {
            max_safety: safety.min(Safety::Conditional),
            accepted,
            select: (!select.is_empty()).then(|| select.into_iter().collect()),
            ignore: common
                .ignore
                .iter()
                .chain(&file_options.ignore)
                .cloned()
                .collect::<HashSet<_>>(),
        },
        assume_monkey_patched: match &common.assume_monkey_patched {
            Some(names) => Some(
                crate::decide::tree_facts::assumed_patching(names)
                    .map_err(|e| anyhow::anyhow!("--assume-monkey-patched: {e}"))?,
            ),
            None => file_options
                .assume_monkey_patched
                .modules()
                .map_err(anyhow::Error::msg)?,
        },
        annotate: common.annotate,
        findings_only: false,
        writes: false,
        helpers: HelpersPlace::configured(file_options.helpers_module),
        cache: !common.no_cache,
        tree_budget: None,
        stand_in: None,
    };
    Ok((catalogue, options, commit))
}

/// The series of `commit` and `patches`, with the options it was made with.
fn build_series(
    common: &Common,
    series: &SeriesArgs,
) -> Result<(git2::Repository, vcs::Series, vcs::SeriesOptions)> {
    if crate::stdin::wanted(&common.paths) {
        bail!(
            "a series is made of the files in git: `-` (standard input) is for scan, diff and apply"
        );
    }
    let (catalogue, options, commit) = setup_with_commit(common)?;
    let series_options = series_options(series, &commit);
    // A series takes a run per commit (seconds on a large project): show
    // that it is going, on a terminal.
    let spinner = (!common.quiet && std::io::stderr().is_terminal()).then(|| {
        let spinner = indicatif::ProgressBar::new_spinner();
        spinner.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                .expect("a valid progress template"),
        );
        spinner.set_message("making the series: a full run per commit");
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        spinner
    });
    let built = vcs::build(&common.paths, &catalogue, &options, &series_options);
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let (repo, built) = built?;
    Ok((repo, built, series_options))
}

/// The command line's series options over the configuration's `[commit]`.
fn series_options(args: &SeriesArgs, config: &CommitConfig) -> vcs::SeriesOptions {
    let mut footers: Vec<(String, String)> = config
        .footers
        .iter()
        .filter_map(|f| {
            f.split_once(": ")
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        })
        .collect();
    for (key, values) in [
        ("Closes-Bug", &args.closes_bug),
        ("Partial-Bug", &args.partial_bug),
        ("Related-Bug", &args.related_bug),
    ] {
        for n in values {
            footers.push((key.to_owned(), format!("#{}", n.trim_start_matches('#'))));
        }
    }
    if let Some(bp) = &args.implements {
        footers.push(("Implements".into(), format!("blueprint {bp}")));
    }
    if let Some(bp) = &args.partial_implements {
        footers.push(("Partial-Implements".into(), format!("blueprint {bp}")));
    }
    for url in &args.depends_on {
        footers.push(("Depends-On".into(), url.clone()));
    }
    vcs::SeriesOptions {
        branch: args
            .branch
            .clone()
            .or_else(|| config.branch.clone())
            .unwrap_or_else(|| DEFAULT_SERIES.into()),
        split: args.split,
        allow_dirty: args.allow_dirty,
        signoff: args.signoff || config.signoff,
        footers,
        topic: args
            .topic
            .clone()
            .or_else(|| config.topic.clone())
            .unwrap_or_else(|| DEFAULT_SERIES.into()),
    }
}

#[allow(clippy::too_many_arguments)]
fn batch(
    manifest: &Path,
    command_line: &crate::batch::Settings,
    mode: crate::batch::Mode,
    jobs: Option<usize>,
    state: Option<std::path::PathBuf>,
    only_failed: bool,
    only_changed: bool,
    reports: &[std::path::PathBuf],
    out: Option<&Path>,
    quiet: bool,
) -> Result<ExitCode> {
    use crate::batch::{Ledger, LedgerRun, markdown_report, read_manifest, run_all, summary_table};
    let mut repos = read_manifest(manifest, command_line)?;
    let state = state.unwrap_or_else(|| manifest.with_extension("state.json"));
    let mut ledger = Ledger::load(&state)?;
    if only_failed || only_changed {
        let latest = ledger.latest();
        repos.retain(|r| {
            latest
                .get(&r.name)
                .is_none_or(|o| if only_failed { !o.ok } else { o.rewritten > 0 })
        });
    }
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let total = repos.len();
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}")
                .expect("a valid progress template"),
        );
        bar
    });
    let done = std::sync::atomic::AtomicUsize::new(0);
    let on_done = |o: &crate::batch::Outcome| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        let status = if o.ok {
            "ok".to_owned()
        } else {
            format!("failed: {}", o.error.as_deref().unwrap_or(""))
        };
        match &bar {
            Some(bar) => {
                bar.set_message(format!("{} {status}", o.name));
                bar.inc(1);
            }
            None if !quiet => eprintln!("[{n}/{total}] {}: {status} ({:.1}s)", o.name, o.seconds),
            None => {}
        }
    };
    let outcomes = run_all(&repos, mode, jobs, out, &on_done)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let unix_time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    ledger.runs.push(LedgerRun {
        unix_time,
        mode,
        outcomes: outcomes.clone(),
    });
    ledger.save(&state)?;
    emit(&summary_table(&outcomes))?;
    for path in reports {
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("json") => serde_json::to_string_pretty(&outcomes)? + "\n",
            Some("md") => markdown_report(&outcomes),
            Some("html") => crate::report::dashboard::render(&outcomes, &ledger),
            _ => bail!(
                "{}: --report writes .json, .md or .html files",
                path.display()
            ),
        };
        std::fs::write(path, text)
            .with_context(|| format!("{}: cannot write the report", path.display()))?;
    }
    Ok(if outcomes.iter().all(|o| o.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_ERROR)
    })
}

/// A name for the project at `root`: its folder's name.
fn project_name(root: &Path) -> String {
    std::fs::canonicalize(root)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| root.display().to_string())
}

fn exit_code(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(EXIT_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}

fn emit(text: &str) -> Result<()> {
    emit_bytes(text.as_bytes())
}

/// Writes to stdout; a closed pipe (`eventless diff | head`) ends quietly.
fn emit_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other.context("cannot write to standard output"),
    }
}

/// A file's diff, its headers named as `git apply` and `patch -p1` take
/// them: relative to the working folder, or, for a project outside it
/// (whose paths are absolute), to the project's root.
fn file_diff(file: &FileResult, run: &RunResult, color: bool) -> String {
    let path = &file.source.path;
    let root = run.project.as_ref().map(|p| p.root.as_path());
    let path = match root {
        Some(root) if path.is_absolute() => report::display_path(root, path),
        _ => report::display_path(Path::new("."), path),
    };
    crate::diff::of_file(file, &path, color)
}

fn counts(file: &FileResult) -> (usize, usize) {
    let rewrites = file
        .findings
        .iter()
        .filter(|f| f.action == Action::Rewrite)
        .count();
    let manual = file
        .findings
        .iter()
        .filter(|f| f.action == Action::Manual)
        .count();
    (rewrites, manual)
}

fn file_line(file: &FileResult, module: Option<&HelpersModule>) -> String {
    let path = file.source.path.display();
    if let Some(module) = module.filter(|m| m.path == file.source.path)
        && file.findings.is_empty()
    {
        let made = if file.created { "created" } else { "extended" };
        return format!("{path}: {made}, defines {}", module.added.join(", "));
    }
    let (rewrites, manual) = counts(file);
    format!(
        "{path}: {}, {manual} left for manual work",
        report::count(rewrites, "rewrite")
    )
}

/// Where the run's helpers go: the shared helpers module and what it gets,
/// or why the configured one cannot be used; without one, the helpers
/// defined in several files.
fn helper_lines(run: &RunResult) -> String {
    let mut out = String::new();
    if let Some(module) = &run.helpers.module {
        let created = run
            .files
            .iter()
            .any(|f| f.created && f.source.path == module.path);
        let callers = module.callers.len();
        out.push_str(&format!(
            "helpers defined once, in {}{}: {} (called from {})\n",
            module.path.display(),
            if created { " (a new module)" } else { "" },
            module.added.join(", "),
            report::count(callers, "file"),
        ));
        if let Some(moved) = &run.helpers.moved {
            out.push_str(&format!(
                "  beside the tests that call it, not in a new {} that only they would import\n",
                moved.from.display()
            ));
        }
        // A reviewer asks why the package gets a module its own code never
        // imports.
        let root = run
            .project
            .as_ref()
            .map_or(Path::new("."), |p| p.root.as_path());
        let outside = |caller: &std::path::PathBuf| outside_its_package(root, &module.path, caller);
        let all_outside = module.callers.iter().all(outside);
        // Why the helpers are not in the file, or nearer the tests.
        let kept = run.helpers.kept_for.as_ref().map(|kept| match kept {
            KeptFor::Use(site) => format!(
                "{site}, a use left now whose rewrite may call one of its helpers, would \
                 need them too"
            ),
            KeptFor::NameTaken(file) => format!(
                "{}, the one file that calls them, binds a name their code uses to another \
                 module, which they would import under an alias",
                file.display()
            ),
        });
        if let Some(why) = kept.as_ref().filter(|_| callers == 1 && !all_outside) {
            out.push_str(&format!(
                "  a module for one file, not helpers in it: {why}\n"
            ));
        }
        if created && all_outside {
            let kept = kept.map_or(String::new(), |why| format!(" (it stays: {why})"));
            out.push_str(&format!(
                "  only tests and tools call it, not the package it joins{kept}: \
                 `helpers_module` in eventless.toml can name a module of theirs instead\n",
            ));
        }
        // In a library, a module without a leading underscore is public API
        // (its tests' modules are not).
        let name = module
            .path
            .file_stem()
            .and_then(|n| n.to_str())
            .unwrap_or("");
        let library = run.project.as_ref().is_some_and(|p| p.library);
        if created && !name.starts_with('_') && library && !is_test_code(root, &module.path) {
            out.push_str(&format!(
                "  the project is a library, whose modules are its public API: `helpers_module` \
                 in eventless.toml can name a private one (`_{name}` in the same package)\n"
            ));
        }
    }
    if let Some(moved) = run
        .helpers
        .moved
        .as_ref()
        .filter(|m| m.to == HelpersPlace::InFiles)
    {
        out.push_str(&format!(
            "helpers defined in the one file that calls them, not in a new {} that only it \
             would import\n",
            moved.from.display()
        ));
    }
    if let Some(why) = &run.helpers.unavailable {
        out.push_str(&format!(
            "warning: {why}: the uses that need a helper are left (see `eventless scan`)\n"
        ));
    }
    for (helper, files) in &run.helpers.repeated {
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        out.push_str(&format!(
            "warning: helper {helper} is defined in each of {} files ({}): the project has no \
             single top-level package to hold it once; name a module with helpers_module in \
             eventless.toml\n",
            files.len(),
            files.join(", ")
        ));
    }
    out
}

/// Where each difference of the review-level rewrites shows, one line
/// per difference under the summary's "review level" line, at the lines
/// of the files as they were.
fn difference_places(changed: &[&FileResult]) -> String {
    let mut places: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in changed {
        for r in f.rewrites() {
            for id in &r.differences {
                let place = format!("{}:{}", f.source.path.display(), r.line);
                report::add_place(places.entry(id).or_default(), place);
            }
        }
    }
    if places.is_empty() {
        return String::new();
    }
    let listed: String = places
        .iter()
        .map(|(id, places)| {
            let shown = report::first_places(places, PLACES_SHOWN);
            format!("  {id}: {shown}\n")
        })
        .collect();
    format!("  (line numbers as in the files before the rewrite)\n{listed}")
}

/// The comments (and log messages) beside rewritten lines that speak of
/// eventlet, for a person to check (none: no line).
fn comment_lines(changed: &[&FileResult]) -> String {
    let places: Vec<String> = changed
        .iter()
        .flat_map(|f| {
            let lines: BTreeSet<usize> = f.rewrites().flat_map(|r| r.comments.clone()).collect();
            lines
                .into_iter()
                .map(|line| format!("{}:{line}", f.source.path.display()))
        })
        .collect();
    if places.is_empty() {
        return String::new();
    }
    format!(
        "{} comment{} or log message{} beside rewritten lines speak{} of eventlet or green \
         threads and may no longer hold: {}\n",
        places.len(),
        if places.len() == 1 { "" } else { "s" },
        if places.len() == 1 { "" } else { "s" },
        if places.len() == 1 { "s" } else { "" },
        report::first_places(&places, PLACES_SHOWN)
    )
}

/// How many places a summary line shows before "and N more".
const PLACES_SHOWN: usize = 5;

/// Prints skipped files and per-file errors; true when a file failed.
fn report_problems(run: &RunResult, quiet: bool) -> bool {
    if !quiet {
        for s in &run.skipped {
            eprintln!("{}: skipped: {}", s.path.display(), s.reason);
        }
    }
    let mut failed = false;
    for f in run.files.iter().filter(|f| f.error.is_some()) {
        eprintln!(
            "{}: error: {}",
            f.source.path.display(),
            f.error.as_deref().unwrap_or("")
        );
        failed = true;
    }
    failed
}

/// The run's summary, saying `verb` of the files in `changed` (those
/// written, for apply) and of their rewrites.
fn summary(run: &RunResult, catalogue: &Catalogue, verb: &str, changed: &[&FileResult]) -> String {
    let s = Summary::of(run);
    let rewrites: usize = changed.iter().map(|f| f.rewrites().count()).sum();
    // A rewrite that needs the tree free of eventlet changes the program as
    // a whole: say so, whatever the quiet flag of the diff itself.
    let mut whole_program: Vec<&str> = run
        .rewrites()
        .filter(|f| f.makes_the_switch(catalogue))
        .filter_map(|f| f.transform.as_deref())
        .collect();
    whole_program.sort_unstable();
    whole_program.dedup();
    let note = if whole_program.is_empty() {
        String::new()
    } else {
        format!(
            "whole program ({}): no eventlet is left in the project; it now runs on native, \
             preemptive threads: audit shared state for locks\n",
            whole_program.join(", ")
        )
    };
    let project = run
        .project
        .as_ref()
        .map(report::project_lines)
        .unwrap_or_default();
    project
        + &note
        + &helper_lines(run)
        + &s.difference_lines()
        + &difference_places(changed)
        + &comment_lines(changed)
        + &format!(
            "{} {verb} ({}); {} left for manual work (see `eventless scan`); {} skipped\n",
            report::count(changed.len(), "file"),
            report::count(rewrites, "rewrite"),
            report::count(s.manual, "use"),
            s.files_skipped
        )
}

fn list_transforms(catalogue: &Catalogue) -> String {
    let mut out = String::new();
    for t in &catalogue.transforms {
        out.push_str(&format!(
            "{:<28} {:<12} {:<11} {}\n",
            t.id,
            catalogue.families[t.family].name,
            t.safety.as_str(),
            t.summary
        ));
    }
    out
}

fn list_differences(catalogue: &Catalogue) -> String {
    let mut out = String::new();
    for (index, d) in catalogue.differences.iter().enumerate() {
        let users: Vec<&str> = catalogue
            .transforms_with(index)
            .into_iter()
            .map(|t| t.id.as_str())
            .collect();
        out.push_str(&format!(
            "{}\n  {}\n  {}\n  rewrites with it: {}\n\n",
            d.id,
            d.summary,
            d.guidance,
            users.join(", ")
        ));
    }
    out
}

fn show_transform(catalogue: &Catalogue, id: &str) -> Result<String> {
    let Some(t) = catalogue.transform_by_id(id) else {
        bail!("unknown transform id '{id}' (see `eventless transforms list`)");
    };
    let mut out = format!(
        "{id}: {}\nfamily: {}\nsafety: {}\napplies to: {}\n\n{}\n",
        t.summary,
        catalogue.families[t.family].name,
        t.safety.as_str(),
        t.apis
            .iter()
            .map(|a| catalogue.apis[*a].name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        t.docs
    );
    let mut differences: Vec<usize> = t.cases.iter().flat_map(|c| c.differences.clone()).collect();
    differences.sort_unstable();
    differences.dedup();
    if !differences.is_empty() {
        out.push_str(
            "\nreview level, with these behaviour differences (--accept ID or --review):\n",
        );
        for d in &differences {
            let d = &catalogue.differences[*d];
            out.push_str(&format!("  {}: {} {}\n", d.id, d.summary, d.guidance));
        }
    }
    // Those its object's uses give (a pool never waited for, one made by
    // a with block).
    let mut by_members: Vec<usize> = t
        .member_differences()
        .filter_map(|id| catalogue.difference_by_id(id))
        .filter(|d| !differences.contains(d))
        .collect();
    by_members.sort_unstable();
    by_members.dedup();
    if !by_members.is_empty() {
        out.push_str("\nand where its object is used so (see above):\n");
        for d in &by_members {
            let d = &catalogue.differences[*d];
            out.push_str(&format!("  {}: {} {}\n", d.id, d.summary, d.guidance));
        }
    }
    // Those a condition of the transform holds with only in some programs
    // (unpatched runs, a test's mock of the stdlib name, ...).
    let conditional: Vec<&str> = (0..catalogue.differences.len())
        .filter(|d| !differences.contains(d) && !by_members.contains(d))
        .filter(|d| catalogue.transforms_with(*d).iter().any(|w| w.id == t.id))
        .map(|d| catalogue.differences[d].id.as_str())
        .collect();
    if !conditional.is_empty() {
        out.push_str(&format!(
            "\nin some programs, a condition holds only with one of these differences, which \
             the reason then names (see `eventless transforms differences`): {}\n",
            conditional.join(", ")
        ));
    }
    for (n, example) in t.examples.iter().enumerate() {
        out.push_str(&format!(
            "\nexample {}{}:\n",
            n + 1,
            example
                .name
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        ));
        let after = example.after.as_deref().unwrap_or(&example.before);
        out.push_str(&unified("example.py", &example.before, after, false));
        if example.after.is_none() {
            out.push_str("(left untouched)\n");
        }
    }
    Ok(out)
}
