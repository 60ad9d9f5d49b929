//! Planning one file's edits from the decisions, round after round.

pub(crate) mod annotate;
pub(crate) mod helpers_module;
pub(crate) mod imports;
pub(crate) mod retarget;
pub(crate) mod rewrite;
