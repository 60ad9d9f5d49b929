//! Python syntax: parsing, local parse proofs, name binding and import statements.

pub(crate) mod bindings;
pub(crate) mod config_options;
pub(crate) mod continuation;
pub(crate) mod environment_settings;
pub(crate) mod fallback_imports;
pub(crate) mod function_index;
pub(crate) mod helpers;
pub(crate) mod import_clauses;
pub(crate) mod import_order;
pub(crate) mod import_scan;
pub(crate) mod imports;
pub(crate) mod license_header;
pub(crate) mod loaders;
pub(crate) mod local_proof;
pub(crate) mod module_constants;
pub(crate) mod module_names;
pub(crate) mod nearby_comments;
pub(crate) mod non_negative;
pub(crate) mod outline;
pub mod parse;
pub(crate) mod patchers;
pub(crate) mod statements;
pub(crate) mod stdlib_mocks;
pub(crate) mod suppression;
pub(crate) mod syntax;
pub(crate) mod thread_locals;
