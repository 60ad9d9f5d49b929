//! The transform catalogue: idiom families described as data (TOML files
//! under `transforms/`), compiled once, and the small vocabulary of
//! predicates, guards, strategies and templates that the data may use.
//! Nothing here imports the code that interprets the vocabulary.

pub mod catalogue;
mod compile;
pub mod model;
pub mod predicate;
pub mod strategy;
pub mod template;

pub use catalogue::Catalogue;
pub use model::{
    Api, ApiId, CAUGHT_BY_MOCK, Difference, DifferenceId, ESCAPED_MOCK, MockForm, PATCHABLE,
    RESOLVER, Requirement, Safety, Shape, Transform, TransformId, UNPATCHED_LOCALS,
    UNPATCHED_PROGRAM, UNPATCHED_RUNS, UNPATCHED_THREADS,
};
