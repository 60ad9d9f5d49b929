//! Memory allocation: mimalloc for Rust and for tree-sitter's C core.
//!
//! Parsing is most of a cold run, and tree-sitter makes many small
//! allocations from every worker thread at once, where glibc's malloc
//! spends a third of the parse growing and locking its arenas.

use std::sync::Once;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Makes tree-sitter allocate through mimalloc. Must run before its first
/// allocation, which is why the only place that creates parsers calls it.
pub(crate) fn route_tree_sitter() {
    static ROUTED: Once = Once::new();
    ROUTED.call_once(|| {
        // SAFETY: called once, before tree-sitter has allocated anything
        // (every tree-sitter object comes from a parser made after this);
        // the four functions are one consistent allocator.
        unsafe {
            tree_sitter::set_allocator(
                Some(libmimalloc_sys::mi_malloc),
                Some(libmimalloc_sys::mi_calloc),
                Some(libmimalloc_sys::mi_realloc),
                Some(libmimalloc_sys::mi_free),
            );
        }
    });
}
