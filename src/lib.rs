//! eventless: moves Python code bases off eventlet onto the standard library.
//!
//! The pipeline runs one way: [`discover`] files, read them ([`source`]),
//! [`python::parse`] them, resolve names ([`python::bindings`]) into eventlet
//! uses ([`analysis`]), decide each use against the [`transform`] catalogue
//! ([`matcher`], with the whole-tree [`context`]), [`rewrite`] with byte
//! [`edit`]s, and hand the result to the outputs ([`report`], [`diff`],
//! [`write`]). [`engine`] strings the steps together.

mod allocator;
pub(crate) mod analysis;
pub(crate) mod batch;
pub(crate) mod cache;
pub mod cli;
pub mod commands;
pub(crate) mod config;
pub(crate) mod config_files;
pub mod decide;
pub mod diff;
pub mod discover;
pub(crate) mod edit;
pub mod engine;
pub mod examples;
pub(crate) mod fingerprint;
pub(crate) mod hunks;
pub mod outcome;
pub(crate) mod plan;
pub mod python;
pub(crate) mod report;
pub(crate) mod source;
pub mod transform;
pub(crate) mod vcs;
pub(crate) mod write;
