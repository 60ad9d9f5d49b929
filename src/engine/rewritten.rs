//! One file's result, with what the rest of the run draws from its rewrite.

use std::collections::BTreeSet;

use crate::outcome::FileResult;
use crate::plan::rewrite::FileRewrite;
use crate::source::SourceFile;

/// One file's result, with what the rest of the run draws from its
/// rewrite.
pub(super) struct Rewritten {
    /// Its index among the project's files.
    pub(super) file: usize,
    pub(super) result: FileResult,
    /// The line of an eventlet import it keeps.
    pub(super) import_left: Option<usize>,
    /// The helpers its new text calls from the shared helpers module.
    pub(super) helpers_from_module: BTreeSet<String>,
    /// The helpers its new text defines.
    pub(super) helpers_defined: BTreeSet<String>,
}

impl Rewritten {
    pub(super) fn new(file: usize, source: SourceFile, outcome: FileRewrite) -> Rewritten {
        let FileRewrite {
            findings,
            new_text,
            error,
            import_left,
            helpers_from_module,
            helpers_defined,
        } = outcome;
        Rewritten {
            file,
            result: FileResult {
                source,
                findings,
                new_text,
                error,
                created: false,
            },
            import_left,
            helpers_from_module,
            helpers_defined,
        }
    }
}
