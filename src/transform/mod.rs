//! The transform catalogue: idiom families described as data (TOML files
//! under `transforms/`), compiled once, and the small vocabulary of
//! predicates, guards and templates that the data may use.

pub mod catalogue;
pub mod predicate;
pub mod template;

pub use catalogue::{Api, ApiId, Catalogue, Requirement, Safety, Shape, Transform, TransformId};
