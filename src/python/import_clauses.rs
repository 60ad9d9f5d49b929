//! What one import statement binds, clause by clause: the syntax alone,
//! below the scopes of `bindings`.

use std::ops::Range;

use tree_sitter::Node;

use super::syntax::{named_children, text};

/// One name an import statement binds.
#[derive(Debug, Clone)]
pub struct Clause {
    /// The local name (`gt` in `import eventlet.greenthread as gt`).
    pub name: String,
    /// The dotted path the local name stands for (`eventlet.greenthread`).
    pub target: String,
    /// The clause inside the statement that creates this binding.
    pub range: Range<usize>,
    pub from_import: bool,
}

/// What `statement` imports: its clauses, or the module of a star import.
pub enum Imported {
    Clauses(Vec<Clause>),
    Star(String),
}

pub fn imported(statement: Node, source: &str) -> Imported {
    if statement.kind() == "import_statement" {
        let clauses = named_children(statement)
            .into_iter()
            .map(|clause| {
                let (dotted, alias) = split_alias(clause);
                let path = text(dotted, source).split_whitespace().collect::<String>();
                let (name, target) = match alias {
                    Some(a) => (text(a, source).to_owned(), path),
                    // `import a.b` binds `a` to the top-level package.
                    None => {
                        let top = path.split('.').next().unwrap_or_default().to_owned();
                        (top.clone(), top)
                    }
                };
                Clause {
                    name,
                    target,
                    range: clause.byte_range(),
                    from_import: false,
                }
            })
            .collect();
        return Imported::Clauses(clauses);
    }
    let Some(module) = statement.child_by_field_name("module_name") else {
        return Imported::Clauses(Vec::new());
    };
    let module_path = text(module, source).split_whitespace().collect::<String>();
    let mut cursor = statement.walk();
    let names: Vec<Node> = statement
        .children_by_field_name("name", &mut cursor)
        .collect();
    if names.is_empty() {
        let star = named_children(statement)
            .iter()
            .any(|c| c.kind() == "wildcard_import");
        return match star {
            true => Imported::Star(module_path),
            false => Imported::Clauses(Vec::new()),
        };
    }
    let clauses = names
        .into_iter()
        .map(|clause| {
            let (dotted, alias) = split_alias(clause);
            let imported = text(dotted, source).to_owned();
            let name = alias.map_or(imported.clone(), |a| text(a, source).to_owned());
            // Relative imports stay relative: they never name eventlet.
            Clause {
                name,
                target: format!("{module_path}.{imported}"),
                range: clause.byte_range(),
                from_import: true,
            }
        })
        .collect();
    Imported::Clauses(clauses)
}

fn split_alias(clause: Node) -> (Node, Option<Node>) {
    if clause.kind() == "aliased_import" {
        let name = clause.child_by_field_name("name").unwrap_or(clause);
        (name, clause.child_by_field_name("alias"))
    } else {
        (clause, None)
    }
}
