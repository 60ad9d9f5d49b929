//! The fingerprint of a cache key: its parts hashed in order. A leaf, so
//! that the catalogue (hashed when loaded) and the run cache (keyed by it)
//! share it without depending on each other.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// Hashes the parts of a key in order.
#[derive(Default)]
pub struct KeyBuilder(DefaultHasher);

impl KeyBuilder {
    pub fn add(&mut self, part: impl Hash) -> &mut Self {
        part.hash(&mut self.0);
        self
    }

    pub fn finish(&self) -> String {
        format!("{:016x}", self.0.finish())
    }
}
