//! Python syntax: parsing, name binding and import statements.

pub mod bindings;
pub mod imports;
pub mod local_proof;
pub mod module_names;
pub mod parse;
pub mod syntax;
