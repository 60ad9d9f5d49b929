//! eventless: moves Python code bases off eventlet onto the standard library.
//!
//! The pipeline runs one way, each stage importing only those before it:
//!
//! 1. **Input**: [`discover`] the files, read them ([`source`], which
//!    also holds the text standard input gives for one of them),
//!    [`python::parse`] them; `python` also binds names and edits import
//!    statements.
//! 2. **Vocabulary**: the [`transform`] catalogue, compiled from the TOML
//!    files; every word they may say is defined there.
//! 3. **Uses and programs**: `analysis` names each eventlet use
//!    canonically; `project` finds the root, the module graph and the
//!    programs that run the code.
//! 4. **Decision** ([`decide`]): whole-tree facts, following a created
//!    object, Timeout blocks, and the matcher that gives each use its fate.
//! 5. **Plan** (`plan`): one file's edits round after round, its import
//!    bookkeeping, retargeted from-imports and TODO annotations, as byte
//!    `edit`s.
//! 6. **Records** ([`outcome`]): findings and new texts, which the outputs
//!    (`report`, [`diff`], `write`, `vcs`, `batch`) and the run `cache` read.
//!
//! [`engine`] strings the steps together; [`commands`] runs them for [`cli`].

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
pub(crate) mod helpers_home;
pub(crate) mod hunks;
pub mod outcome;
pub(crate) mod plan;
pub(crate) mod project;
pub mod python;
pub(crate) mod report;
pub mod source;
pub(crate) mod stdin;
pub mod transform;
pub(crate) mod vcs;
pub(crate) mod write;
