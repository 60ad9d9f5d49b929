//! How OpenStack's hacking checks group and order imports: whether a
//! module is the standard library's, and the key H306 sorts statements by.

use std::collections::HashSet;
use std::sync::LazyLock;

use tree_sitter::Node;

use super::syntax::{named_children, text};

static STDLIB: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("stdlib_modules.txt").lines().collect());

/// Whether `module` (a dotted name) is of the standard library.
pub fn is_stdlib(module: &str) -> bool {
    STDLIB.contains(module.split('.').next().unwrap_or(module))
}

/// The clauses of an import statement: `a.b` or `a as b`, one per name.
pub fn clauses(stmt: Node) -> Vec<Node> {
    if stmt.kind() == "import_statement" {
        return named_children(stmt)
            .into_iter()
            .filter(|c| c.kind() != "comment")
            .collect();
    }
    let mut cursor = stmt.walk();
    stmt.children_by_field_name("name", &mut cursor).collect()
}

/// Whether `below` may follow `above` in one group of standard library
/// imports: both import stdlib modules, in hacking's order (H306).
pub fn continues_stdlib_group(above: Node, below: Node, source: &str) -> bool {
    let stdlib = |stmt: Node| {
        matches!(stmt.kind(), "import_statement" | "import_from_statement")
            && is_stdlib(&module_of(stmt, source))
    };
    stdlib(above) && stdlib(below) && hacking_key(above, source) <= hacking_key(below, source)
}

/// The module a statement imports (`a.b` of `import a.b` and of `from a.b
/// import c`).
pub fn module_of(stmt: Node, source: &str) -> String {
    match stmt.kind() {
        "future_import_statement" => "__future__".into(),
        "import_from_statement" => stmt
            .child_by_field_name("module_name")
            .map_or(String::new(), |m| text(m, source).to_owned()),
        _ => clauses(stmt)
            .first()
            .map(|c| {
                let dotted = c.child_by_field_name("name").unwrap_or(*c);
                text(dotted, source).to_owned()
            })
            .unwrap_or_default(),
    }
}

/// hacking's H306 key, as hacking computes it: `import a.b` is `a.b`, a
/// from-import of one name `from a import b` is `a.b`, and one of several
/// names is the module alone.
pub fn hacking_key(stmt: Node, source: &str) -> String {
    let module = module_of(stmt, source);
    match (stmt.kind(), clauses(stmt).as_slice()) {
        ("import_from_statement", [single]) => one_name_key(&module, *single, source),
        _ => module.to_ascii_lowercase(),
    }
}

/// The key of `from module import clause`: `module.name`.
pub fn one_name_key(module: &str, clause: Node, source: &str) -> String {
    let dotted = clause.child_by_field_name("name").unwrap_or(clause);
    format!("{module}.{}", text(dotted, source)).to_ascii_lowercase()
}
