//! Command-line definitions (clap). Behaviour lives in `commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "eventless",
    version,
    about = "Move Python code off eventlet onto the standard library",
    long_about = "Move Python code off eventlet onto the standard library.\n\n\
        eventless finds every eventlet use in a tree, rewrites the idioms that have an \
        exact standard-library equivalent, and reports the rest with guidance. Rewrites \
        go through the Python parse tree: bytes outside an edit are never touched, every \
        output is proved to parse (and parsed whole before it is written), and a second run \
        changes nothing.",
    after_help = "Exit codes: 0 success; 1 `diff --check` found changes to make; 2 error (in batch: a repository failed)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every eventlet use with its API, idiom family, transform and safety class.
    Scan {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        stdin: StdinArgs,
        /// Report format (markdown: the readiness report; sarif: SARIF 2.1.0).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Link occurrences in the Markdown report as <URL>/<path>#L<line>
        /// (e.g. https://opendev.org/openstack/nova/src/branch/master), or,
        /// when URL holds {path} (and {line}), as URL with them filled in.
        #[arg(long, value_name = "URL")]
        link_base: Option<String>,
        /// Count the uses per API and fate (the transform, or the reason they
        /// stay) instead of listing each one (text format).
        #[arg(long)]
        statistics: bool,
        /// Exit with 1 when eventlet uses are left for a person or files are
        /// skipped (a CI gate for "no eventlet left"; rewritable uses pass).
        #[arg(long)]
        exit_non_zero_on_manual: bool,
    },
    /// Show the rewrite as a unified diff without writing anything.
    ///
    /// With `-` as the path, the diff of the text on standard input, under
    /// the name --stdin-filename gives it.
    Diff {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        stdin: StdinArgs,
        /// Exit with 1 when changes would be made (for CI and pre-commit).
        #[arg(long)]
        check: bool,
        /// Colour the diff.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Rewrite the files in place (atomically; a file changed meanwhile is left alone).
    ///
    /// Every new file is staged outside the tree, then all are renamed into
    /// place in one short phase: stopped by Ctrl-C, SIGTERM or SIGHUP, a run
    /// writes every file or none (exit status 128 + the signal's number).
    ///
    /// With `-` as the path, print the rewritten text of standard input on
    /// standard output instead, and write no file: the text as it came when
    /// nothing changes or it cannot be rewritten (not UTF-8, a syntax error).
    /// For editors and pre-commit hooks:
    /// `eventless apply - --stdin-filename PATH < PATH`.
    Apply {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        stdin: StdinArgs,
        /// Show each file's diff and ask before writing it: yes, no, all, quit, or
        /// hunk by hunk (a choice of hunks is written only if it still parses and
        /// leaves no name without its import).
        #[arg(long, short = 'i')]
        interactive: bool,
    },
    /// Commit the rewrite on a branch of its own, as a Gerrit-ready series.
    ///
    /// The series is built from HEAD (never from uncommitted files) on --branch, one commit
    /// per idiom family by default, each with an OpenStack-style message and a Change-Id
    /// computed as Gerrit's commit-msg hook does. Re-running keeps the Change-Ids of
    /// matching commits, so Gerrit records new patch sets. Nothing is pushed.
    Commit {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        series: SeriesArgs,
        /// Print the messages and diffstats without creating the branch (a Change-Id the
        /// real run makes anew shows as a placeholder).
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the same series as numbered mbox patches that `git am` applies on HEAD.
    Patches {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        series: SeriesArgs,
        /// Folder for the patch files.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Run over many repositories listed in a TOML manifest, in parallel.
    ///
    /// One repository's failure never stops the others. Every outcome is recorded in a
    /// ledger (MANIFEST.state.json beside the manifest, or --state), which --only-failed
    /// and --only-changed read to rerun part of the set.
    Batch {
        /// The manifest: [[repo]] entries with path (and optional name, link_base,
        /// exclude, config, branch, topic) and shared [defaults].
        manifest: PathBuf,
        /// What to do in each repository.
        #[arg(long, value_enum, default_value_t = crate::batch::Mode::Scan)]
        mode: crate::batch::Mode,
        /// Repositories run at once [default: the number of cores].
        #[arg(long, short)]
        jobs: Option<usize>,
        /// The ledger file.
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// Only the repositories whose last run failed.
        #[arg(long, conflicts_with = "only_changed")]
        only_failed: bool,
        /// Only the repositories whose last run found something to rewrite.
        #[arg(long)]
        only_changed: bool,
        /// Also write the summary here: .json, .md, or .html (a self-contained
        /// dashboard with progress per repository, idioms and the ledger's burndown);
        /// repeatable.
        #[arg(long, value_name = "FILE")]
        report: Vec<PathBuf>,
        /// Apply only these transforms in every repository (comma-separated
        /// ids; manifest key `select`).
        #[arg(long, value_delimiter = ',', value_name = "ID,...")]
        select: Vec<String>,
        /// Never apply these transforms (manifest key `ignore`).
        #[arg(long, value_delimiter = ',', value_name = "ID,...")]
        ignore: Vec<String>,
        /// Also make every review-level rewrite (manifest key `review = true`). Without it,
        /// the summary's review column shows as +N how many more it would make.
        #[arg(long)]
        review: bool,
        /// Accept these behaviour differences (manifest key `accept`).
        #[arg(long, value_delimiter = ',', value_name = "ID,...")]
        accept: Vec<String>,
        /// Commit and patches: proceed although a work tree has uncommitted
        /// changes (manifest key `allow_dirty = true`).
        #[arg(long)]
        allow_dirty: bool,
        /// Commit and patches: add a Signed-off-by trailer (manifest key
        /// `signoff = true`; trailers such as Partial-Bug go in `footers`).
        #[arg(long, short = 's')]
        signoff: bool,
        /// Folder for per-repository readiness reports (scan mode, NAME.md), diffs
        /// (diff mode, NAME.diff) or patches (patches mode, NAME/; required).
        #[arg(long, value_name = "DIR", required_if_eq("mode", "patches"))]
        out: Option<PathBuf>,
        /// Print only the summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Show the transform catalogue.
    Transforms {
        #[command(subcommand)]
        action: Option<TransformsAction>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TransformsAction {
    /// One line per transform (the default).
    List,
    /// A transform's documentation, checks and examples.
    Show { id: String },
    /// The behaviour differences review-level rewrites may have, with what
    /// the reviewer checks.
    Differences,
    /// The whole catalogue as Markdown (docs/transforms.md is this output).
    Markdown,
    /// Run every example of the catalogue, a project's eventless.toml included.
    Check,
}

#[derive(Debug, Args)]
pub struct Common {
    /// Files or folders to rewrite (folders are walked, honouring .gitignore).
    /// The whole project they belong to is analysed: the nearest folder at or
    /// above them with .git, eventless.toml, setup.cfg, pyproject.toml or
    /// setup.py. Its programs (entry points, scripts, test modules) decide
    /// each rewrite, and code is never moved apart from its mocks.
    /// `-` alone reads one file's text from standard input (scan, diff and
    /// apply; see --stdin-filename).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Take the paths for the whole project: analyse nothing outside them.
    #[arg(long)]
    pub no_project: bool,
    /// Skip files and folders matching this glob (a glob without '/' matches any name).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Apply only these transforms (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub select: Vec<String>,
    /// Never apply these transforms (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub ignore: Vec<String>,
    /// The least safe class of exact rewrite to apply; everything else is reported
    /// [default: conditional, or the configuration's]. `review` is `--review`.
    #[arg(long, value_enum)]
    pub safety: Option<SafetyChoice>,
    /// Also make the review-level rewrites: what maintainers write, each
    /// with behaviour differences named for the reviewer (every difference
    /// of `eventless transforms differences` is accepted).
    #[arg(long)]
    pub review: bool,
    /// Accept these behaviour differences (comma-separated ids): the
    /// review-level rewrites that have only accepted differences are made.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub accept: Vec<String>,
    /// Treat the programs that use the project (its entry points, scripts, and for a
    /// library the unknown programs importing it) as monkey-patched by their
    /// application (for libraries such as oslo.* run by patched services): every
    /// module, or those named (`=socket,select,thread`). Test runs stay as they are.
    #[arg(
        long,
        value_name = "MODULES",
        num_args = 0..=1,
        require_equals = true,
        value_delimiter = ',',
        default_missing_value = "all"
    )]
    pub assume_monkey_patched: Option<Vec<String>>,
    /// With diff and apply: add a `# TODO(eventlet-removal): ...` comment above each
    /// statement whose eventlet use is left for a person.
    #[arg(long)]
    pub annotate: bool,
    /// Use this configuration file instead of the eventless.toml found at or above
    /// the first path.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any eventless.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Neither read nor write the result cache ($XDG_CACHE_HOME/eventless or
    /// ~/.cache/eventless), which makes runs over an unchanged tree instant.
    #[arg(long)]
    pub no_cache: bool,
    /// Print only errors and what the command is for: the summaries go,
    /// but scan's report and diff's diff stay on standard output.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Standard input as a file of a project, for editors and pre-commit hooks.
#[derive(Debug, Args)]
pub struct StdinArgs {
    /// With `-` as the path: the file whose text standard input holds. The
    /// text is decided as that file would be in its project (root,
    /// configuration, and the programs and mocks of the other files, read
    /// from disk) and shown under its name; the file need not exist yet.
    /// Without it, the text is a lone file `-` in the current folder,
    /// analysed alone as with --no-project.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SeriesArgs {
    /// Branch to write the series to (created, or replaced when it holds only
    /// what eventless made; never the current one)
    /// [default: eventlet-removal, or eventless.toml's [commit] branch].
    #[arg(long)]
    pub branch: Option<String>,
    /// How to split the rewrite into commits.
    #[arg(long, value_enum, default_value_t = crate::vcs::series::Split::Family)]
    pub split: crate::vcs::series::Split,
    /// Proceed although the work tree has uncommitted changes (they are not committed).
    #[arg(long)]
    pub allow_dirty: bool,
    /// Replace the branch although it holds commits eventless did not make
    /// (without it the run refuses and lists them).
    #[arg(long)]
    pub force: bool,
    /// Add a Signed-off-by trailer from git's user.name and user.email.
    #[arg(long, short = 's')]
    pub signoff: bool,
    /// Gerrit topic for the `git review` hint [default: eventlet-removal, or the
    /// configuration's].
    #[arg(long)]
    pub topic: Option<String>,
    /// Closes-Bug: #N (Launchpad bug number); repeatable.
    #[arg(long, value_name = "N")]
    pub closes_bug: Vec<String>,
    /// Partial-Bug: #N; repeatable.
    #[arg(long, value_name = "N")]
    pub partial_bug: Vec<String>,
    /// Related-Bug: #N; repeatable.
    #[arg(long, value_name = "N")]
    pub related_bug: Vec<String>,
    /// Implements: blueprint NAME.
    #[arg(long, value_name = "BLUEPRINT")]
    pub implements: Option<String>,
    /// Partial-Implements: blueprint NAME.
    #[arg(long, value_name = "BLUEPRINT")]
    pub partial_implements: Option<String>,
    /// Depends-On: URL of a Gerrit change; repeatable.
    #[arg(long, value_name = "URL")]
    pub depends_on: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SafetyChoice {
    Safe,
    Conditional,
    /// Also the review-level rewrites (the same as --review).
    Review,
}
