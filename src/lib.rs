//! eventless: moves Python code bases off eventlet onto the standard library.
//!
//! The pipeline runs one way: [`discover`] files, read them ([`source`]),
//! [`python::parse`] them, resolve names ([`python::bindings`]) into eventlet
//! uses ([`analysis`]), decide each use against the [`transform`] catalogue
//! ([`matcher`], with the whole-tree [`context`]), [`rewrite`] with byte
//! [`edit`]s, and hand the result to the outputs ([`report`], [`diff`],
//! [`write`]). [`engine`] strings the steps together.

mod allocator;
pub mod analysis;
pub mod batch;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod config_files;
pub mod decide;
pub mod diff;
pub mod discover;
pub mod edit;
pub mod engine;
pub mod examples;
pub mod fingerprint;
pub mod hunks;
pub mod outcome;
pub mod plan;
pub mod python;
pub mod report;
pub mod source;
pub mod transform;
pub mod vcs;
pub mod write;
