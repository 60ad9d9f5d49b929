//! The options of one run.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::decide::matcher::Selection;
use crate::project::helpers_module::HelpersPlace;
use crate::source::StandIn;

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The files and folders to rewrite.
    pub paths: Vec<PathBuf>,
    /// The project they belong to, analysed whole (its programs, its mocks,
    /// the switch off eventlet); `None` takes the paths for the project.
    pub project_root: Option<PathBuf>,
    pub excludes: Vec<String>,
    pub selection: Selection,
    /// What the application that runs the project monkey-patches, when the
    /// user says so (libraries run by patched services).
    pub assume_monkey_patched: Option<BTreeSet<String>>,
    /// Mark uses left for a person with a TODO comment.
    pub annotate: bool,
    /// Only report (scan): decide every use but plan no edits.
    pub findings_only: bool,
    /// The results will be written (apply, commit, patches): prove every
    /// rewritten text with a fresh parse too, not only the incremental one.
    pub writes: bool,
    /// Where the helpers rewrites call are defined.
    pub helpers: HelpersPlace,
    /// Reuse and store whole-run results in the user's cache folder.
    pub cache: bool,
    /// Keep the trees of at most this many bytes of source between the
    /// passes (default [`TREE_BUDGET`]).
    pub tree_budget: Option<usize>,
    /// Text read in place of one file's content (standard input).
    pub stand_in: Option<StandIn>,
}

/// The trees of this many bytes of source (about 25 times as much memory)
/// are kept between the passes, or the tree of one larger file; other
/// files are parsed again if needed, so memory stays bounded by the budget
/// or the largest file.
pub const TREE_BUDGET: usize = 12 << 20;
