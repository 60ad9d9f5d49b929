//! Deciding each eventlet use: which transform rewrites it, or why none may.

pub mod covered_mock;
pub(crate) mod follow;
pub(crate) mod helper_site;
pub(crate) mod identity;
pub mod matcher;
pub mod narrow_mock;
pub(crate) mod started_reach;
pub(crate) mod timeout_block;
pub mod tree_facts;
