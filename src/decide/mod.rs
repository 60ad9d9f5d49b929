//! Deciding each eventlet use: which transform rewrites it, or why none may.

pub mod follow;
pub mod matcher;
pub mod timeout_block;
pub mod tree_facts;
