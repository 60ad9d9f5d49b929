//! The benchmark's floor: read every .py file under the given folders, and
//! parse (in parallel, with tree-sitter-python) the ones that mention
//! eventlet. eventless cannot be faster than this on a cold run.

use std::path::PathBuf;

use rayon::prelude::*;

fn main() {
    let roots: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let files = eventless::discover::discover(&roots, &[], None)
        .expect("the folders exist")
        .files;
    let parsed: usize = files
        .par_iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .filter(|text| eventless::discover::mentions_eventlet(text.as_bytes()))
        .map(|text| {
            eventless::python::parse::parse(&text)
                .root_node()
                .child_count()
                .min(1)
        })
        .sum();
    println!("{parsed} files parsed of {}", files.len());
}
