//! What a run found and decided, as records: every eventlet use with its
//! fate, each file's new text, the files skipped. The outputs (reports,
//! commits, batches) and the run cache read these, never the engine.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::analysis::UseKind;
use crate::project::helpers_module::HelpersPlace;
use crate::source::SourceFile;
use crate::transform::{Catalogue, Safety};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Rewritten by a transform.
    Rewrite,
    /// Left for a person.
    Manual,
    /// An import; removed when nothing uses it any more.
    Import,
}

/// One eventlet use and what happens to it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Finding {
    pub kind: UseKind,
    /// Where the use starts and ends (1-based lines, columns in characters;
    /// the end is the column after its last character).
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub api: String,
    pub family: String,
    pub transform: Option<String>,
    pub safety: Safety,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The behaviour differences (ids) of a review-level rewrite; for a use
    /// left because they are not accepted, those that would unlock it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<String>,
    /// Where a difference that comes from the programs running the line
    /// shows (the program, and where its green threads start), by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conditions: BTreeMap<String, String>,
    /// The lines of comments (and log calls) beside a rewrite that speak of
    /// eventlet or green threads, which it may make wrong: for a person to
    /// check.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<usize>,
    /// Part of the project's switch to native threads (no green threads,
    /// no monkey-patching, no other eventlet use): left for a person, a use
    /// the switch would rewrite, so it changes with the rest; rewritten, one
    /// the switch rewrites, right only together with the rest of it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub with_switch: bool,
    /// The helpers a rewrite calls (catalogue names), in its own text or
    /// in text it adds after a call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub helpers: Vec<String>,
    pub code: String,
}

/// A file that mentions eventlet, with what happens to it; or the shared
/// helpers module, which gets the helpers the rewrites call.
#[derive(Debug)]
pub struct FileResult {
    pub source: SourceFile,
    pub findings: Vec<Finding>,
    pub new_text: Option<String>,
    pub error: Option<String>,
    /// The run creates the file (its source is empty).
    pub created: bool,
}

#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

/// The project a run analysed, and where it rewrote.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProjectSummary {
    pub root: PathBuf,
    /// Python files read for the facts (imports, programs).
    pub files_analysed: usize,
    /// The paths rewritten, when only part of the project is.
    pub paths: Option<Vec<PathBuf>>,
    pub entry_points: usize,
    pub scripts: usize,
    pub test_programs: usize,
    /// No declared entry point monkey-patches: its modules are judged for
    /// the unknown programs that import them.
    pub library: bool,
    /// Imports of the project's own packages that name no file
    /// (`path:line module`).
    pub unresolved_imports: Vec<String>,
    /// An installed module the project imports that runs on eventlet
    /// itself (`oslo_service.service (imported at a.py:3)`): the switch to
    /// native threads waits for it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eventlet_runtime: Option<String>,
}

/// Where the helper functions the rewrites call are defined.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct HelperPlaces {
    /// The project's shared helpers module, when the run adds to it.
    pub module: Option<HelpersModule>,
    /// Without one, the helpers the run defines in more than one file,
    /// with those files.
    pub repeated: Vec<(String, Vec<PathBuf>)>,
    /// Why the configured helpers module cannot be used, when it cannot.
    pub unavailable: Option<String>,
    /// Where the run put the helpers instead of a new default module that
    /// only tests and tools would import.
    pub moved: Option<MovedHelpers>,
    /// Why a new default module that only tests and tools import, or only
    /// one file, stays where it is.
    pub kept_for: Option<KeptFor>,
}

/// Why a new default helpers module stays where it is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub enum KeptFor {
    /// A use (`path:line`), left for now, that a rewrite calling one of its
    /// helpers may take: a later run would define the helper again.
    Use(String),
    /// The one file that calls them binds a name their code uses (`socket`)
    /// to another module: defined there, they would import it under an
    /// alias.
    NameTaken(PathBuf),
}

/// Helpers put nearer their callers than the default module.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MovedHelpers {
    /// The new module the default place would have been.
    pub from: PathBuf,
    /// Where they are instead.
    pub to: HelpersPlace,
}

/// What the run adds to the shared helpers module.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HelpersModule {
    pub path: PathBuf,
    /// The helpers it gets, by their public names.
    pub added: Vec<String>,
    /// The files that call them: it is written with the first of them.
    pub callers: Vec<PathBuf>,
}

#[derive(Debug, Default)]
pub struct RunResult {
    /// Files that mention eventlet and could be analysed (and the shared
    /// helpers module, when the run adds to it), sorted by path.
    pub files: Vec<FileResult>,
    pub skipped: Vec<Skipped>,
    /// Python files looked at in all.
    pub files_scanned: usize,
    pub project: Option<ProjectSummary>,
    pub helpers: HelperPlaces,
}

impl RunResult {
    pub fn changed(&self) -> impl Iterator<Item = &FileResult> {
        self.files.iter().filter(|f| f.new_text.is_some())
    }

    /// Every rewritten use of the run.
    pub fn rewrites(&self) -> impl Iterator<Item = &Finding> {
        self.files.iter().flat_map(FileResult::rewrites)
    }

    /// The files the rewrite changes, also where only findings were
    /// decided (scan plans no text).
    pub fn to_change(&self) -> impl Iterator<Item = &FileResult> {
        self.files.iter().filter(|f| f.changes())
    }
}

impl Finding {
    /// Part of the switch off eventlet: a rewrite made only in the run
    /// that leaves no other eventlet use in the tree.
    pub fn makes_the_switch(&self, catalogue: &Catalogue) -> bool {
        (self.with_switch && self.action == Action::Rewrite)
            || self
                .transform
                .as_deref()
                .and_then(|id| catalogue.transform_by_id(id))
                .is_some_and(|t| t.whole_program())
    }
}

impl FileResult {
    /// The rewrite changes it: new text was planned, or a use is rewritten.
    pub fn changes(&self) -> bool {
        self.new_text.is_some() || self.rewrites().next().is_some()
    }

    /// Its rewritten uses.
    pub fn rewrites(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.action == Action::Rewrite)
    }
}
