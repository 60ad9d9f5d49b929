//! Python syntax: parsing, name binding and import statements.

pub mod bindings;
pub mod imports;
pub mod parse;
pub mod syntax;
