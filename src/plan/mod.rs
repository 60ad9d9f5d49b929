//! Planning one file's edits from the decisions, round after round.

pub mod annotate;
pub mod imports;
pub mod retarget;
pub mod rewrite;
