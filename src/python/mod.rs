//! Python syntax: parsing, local parse proofs, name binding and import statements.

pub mod bindings;
pub mod continuation;
pub mod helpers;
pub mod imports;
pub mod local_proof;
pub mod module_names;
pub mod parse;
pub mod statements;
pub mod syntax;
