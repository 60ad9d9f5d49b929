//! The layout keeps the pipeline one-way: no module of `src/` imports,
//! directly or through others, a module that imports it. A circle means a
//! definition sits in the wrong file (a word of the transform files
//! defined in the code that interprets it, a record defined in the engine
//! that outputs read): move it down to the module both sides can import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path below the crate: `["decide", "matcher"]`.
type Module = Vec<String>;

#[test]
fn src_has_no_import_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = BTreeMap::new();
    read_modules(&root, &root, &mut sources);
    assert!(sources.len() > 20, "found only {} modules", sources.len());
    let circles = circles(&graph(&sources));
    assert!(
        circles.is_empty(),
        "modules that import each other:\n{}",
        circles.join("\n")
    );
}

#[test]
fn a_circle_through_a_reexport_is_found() {
    let sources = BTreeMap::from([
        (module("a"), "use crate::b::Thing;\n".to_owned()),
        (
            module("b"),
            "pub use inner::Thing;\nmod inner;\n".to_owned(),
        ),
        (
            module("b::inner"),
            "// use crate::c; is a comment\npub struct Thing(crate::a::Other);\n".to_owned(),
        ),
        (
            module("c"),
            "use crate::{a, b::{self, Thing}};\n".to_owned(),
        ),
    ]);
    let edges = graph(&sources);
    assert_eq!(edges[&module("a")], BTreeSet::from([module("b::inner")]));
    assert_eq!(
        edges[&module("c")],
        BTreeSet::from([module("a"), module("b"), module("b::inner")])
    );
    assert_eq!(circles(&edges), vec!["a -> b::inner -> a".to_owned()]);
}

fn module(path: &str) -> Module {
    path.split("::").map(str::to_owned).collect()
}

fn read_modules(root: &Path, dir: &Path, out: &mut BTreeMap<Module, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_modules(root, &path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(root).unwrap().with_extension("");
        let mut name: Module = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(
            name.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            name.pop();
        }
        out.insert(name, std::fs::read_to_string(&path).unwrap());
    }
}

/// Each module's imports, resolved to the modules that define the items.
fn graph(sources: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    sources
        .iter()
        .map(|(name, text)| {
            let targets = crate_paths(name, &code_only(text))
                .into_iter()
                .filter_map(|path| resolve(sources, &path))
                .filter(|target| target != name && !target.is_empty())
                .collect();
            (name.clone(), targets)
        })
        .collect()
}

fn code_only(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a module names from the crate: its `use` trees and inline
/// `crate::a::b` / `super::a` paths, made absolute.
fn crate_paths(module: &Module, code: &str) -> Vec<Module> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        // A use statement starts its line (after `pub` at most): the words
        // `use ` in a string are not one.
        let line_start = rest[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = rest[line_start..at].trim();
        let boundary = before.is_empty() || before.starts_with("pub");
        let after = &rest[at + 4..];
        let Some(end) = after.find(';') else { break };
        if boundary {
            expand(&Vec::new(), after[..end].trim(), &mut paths);
        }
        rest = &after[end..];
    }
    for anchor in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(anchor).map(|i| i + from) {
            from = at + anchor.len();
            if at > 0 && is_word(code.as_bytes()[at - 1] as char) {
                continue;
            }
            let path: String = code[at..]
                .chars()
                .take_while(|c| is_word(*c) || *c == ':')
                .collect();
            paths.push(path.split("::").map(str::to_owned).collect());
        }
    }
    paths
        .into_iter()
        .filter_map(|path| absolute(module, path))
        .collect()
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The paths of one use tree (`a::{b, c::{self, D}}`).
fn expand(prefix: &Module, tree: &str, out: &mut Vec<Module>) {
    for part in split_top_level(tree) {
        let part = part.split(" as ").next().unwrap_or_default().trim();
        match part.find('{') {
            Some(open) => {
                let mut path = prefix.clone();
                path.extend(segments(&part[..open]));
                expand(&path, &part[open + 1..part.len() - 1], out);
            }
            None if part == "self" => out.push(prefix.clone()),
            None if !part.is_empty() => {
                let mut path = prefix.clone();
                path.extend(segments(part));
                out.push(path);
            }
            None => {}
        }
    }
}

fn segments(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A path from `crate`, `super` or `self`; others (std, serde) are `None`.
fn absolute(module: &Module, path: Module) -> Option<Module> {
    let (first, rest) = path.split_first()?;
    let mut base = match first.as_str() {
        "crate" => Vec::new(),
        "self" => module.clone(),
        "super" => module[..module.len().saturating_sub(1)].to_vec(),
        _ => return None,
    };
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The module that defines what `path` names: the longest prefix that is a
/// module, followed through `pub use child::Name` re-exports.
fn resolve(sources: &BTreeMap<Module, String>, path: &Module) -> Option<Module> {
    let (len, module) = (0..=path.len())
        .rev()
        .map(|n| (n, path[..n].to_vec()))
        .find(|(_, m)| sources.contains_key(m))?;
    let Some(name) = path.get(len) else {
        return Some(module);
    };
    // Statement by statement: a re-export may span lines.
    for statement in code_only(&sources[&module]).split(';') {
        let Some(tree) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        let mut reexported = Vec::new();
        expand(&Vec::new(), tree, &mut reexported);
        if let Some(found) = reexported.iter().find(|p| p.last() == Some(name)) {
            let target = absolute(&module, found.clone()).unwrap_or_else(|| {
                let mut child = module.clone();
                child.extend(found.iter().cloned());
                child
            });
            return resolve(sources, &target);
        }
    }
    Some(module)
}

/// The circles of the graph, each as `a -> b -> a`, found by a depth-first
/// search that reports each back edge's loop once.
fn circles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    fn visit<'a>(
        node: &'a Module,
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        stack: &mut Vec<&'a Module>,
        done: &mut BTreeSet<&'a Module>,
        found: &mut Vec<String>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(at) = stack.iter().position(|m| *m == node) {
            let names: Vec<String> = stack[at..]
                .iter()
                .chain([&node])
                .map(|m| m.join("::"))
                .collect();
            found.push(names.join(" -> "));
            return;
        }
        stack.push(node);
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, stack, done, found);
        }
        stack.pop();
        done.insert(node);
    }
    let mut found = Vec::new();
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        visit(node, edges, &mut Vec::new(), &mut done, &mut found);
    }
    found
}
