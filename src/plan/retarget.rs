//! From-imports that move to the stdlib module instead of their uses.
//!
//! `from eventlet.green.httplib import HTTPConnection, HTTPResponse` binds
//! names that a reference rewrite turns into `http.client.HTTPConnection`
//! wherever they are used. When every use of every name the statement binds
//! is rewritten that way in the same round, the statement is imported from
//! the stdlib module instead (`from http.client import HTTPConnection,
//! HTTPResponse`, in the stdlib group) and the uses keep their names: the
//! change is one import, as a person would make it, and no line grows.
//! Members of the modules monkey_patch() patches in place keep the
//! reference rewrite (`socket.socketpair`), which looks them up when used.

use std::collections::{BTreeMap, HashSet};

use tree_sitter::Node;

use crate::analysis::FileAnalysis;
use crate::decide::matcher::Rewrite;
use crate::python::bindings::MODULE_SCOPE;
use crate::python::continuation::MAX_LINE;
use crate::python::import_order::clauses;
use crate::python::module_names::{ModuleRef, NewImport};
use crate::python::syntax::{descendants, text};
use crate::source::line_end;
use crate::transform::template::Piece;

/// The imports that replace retargeted statements, and the uses whose
/// rewrites they stand for (their own edits are not made).
#[derive(Default)]
pub struct Retargets {
    pub imports: Vec<NewImport>,
    pub uses: HashSet<usize>,
    /// The local names the new imports bind to members (`HTTPConnection`),
    /// which no module the rewrite names may take.
    pub member_names: Vec<String>,
}

/// The top-level from-imports this round moves to a stdlib module, and the
/// uses whose rewrites they stand for. `applied` are the round's rewrites
/// by use index; `leaving` the import bindings they leave unused.
pub fn retargets(
    root: Node,
    source: &str,
    analysis: &FileAnalysis,
    applied: &[(usize, &Rewrite)],
    leaving: &HashSet<usize>,
) -> Retargets {
    let bindings = &analysis.bindings;
    let mut by_statement: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for &b in leaving {
        let binding = &bindings.imports[b];
        if binding.from_import && binding.scope == MODULE_SCOPE {
            let key = (binding.statement.start, binding.statement.end);
            by_statement.entry(key).or_default().push(b);
        }
    }
    let rewrite_of: BTreeMap<usize, &Rewrite> = applied.iter().map(|(i, rw)| (*i, *rw)).collect();
    // A module the file imports under another name already (`import time
    // as time_mod`, from a rewrite nested in this one's text a round
    // before): the uses take that name rather than a second import.
    let aliased = |dotted: &str| {
        bindings.imports.iter().any(|b| {
            b.scope == MODULE_SCOPE && !b.from_import && b.target == dotted && b.name != dotted
        })
    };
    let mut found = Retargets::default();
    for ((start, end), mut leaving_here) in by_statement {
        let Some(statement) = root
            .descendant_for_byte_range(start, end)
            .filter(|s| s.kind() == "import_from_statement")
        else {
            continue;
        };
        let clauses: Vec<&str> = clauses(statement)
            .into_iter()
            .map(|c| text(c, source))
            .collect();
        if clauses.len() != leaving_here.len() || !stands_alone(statement, source) {
            continue;
        }
        leaving_here.sort_by_key(|b| bindings.imports[*b].clause.start);
        let mut imported: Vec<Imported> = Vec::new();
        let mut uses = Vec::new();
        for (&b, clause) in leaving_here.iter().zip(&clauses) {
            let Some((module, member)) = moved_to(b, analysis, &rewrite_of, &mut uses) else {
                break;
            };
            match imported_from(&module, member, clause, &aliased) {
                Some(new) => imported.push(new),
                None => break,
            }
        }
        if imported.len() == clauses.len() {
            found.member_names.extend(
                imported
                    .iter()
                    .filter(|i| i.member)
                    .filter_map(|i| i.clause.split_whitespace().last().map(str::to_owned)),
            );
            found.imports.extend(new_imports(imported));
            found.uses.extend(uses);
        }
    }
    found
}

/// The module every use of binding `b` is rewritten to name (the same one
/// for all, the local name alone replaced), and the member of it the
/// binding stands for, if any (`HTTPConnection` for `from
/// eventlet.green.httplib import HTTPConnection`); collects the uses.
fn moved_to<'r>(
    b: usize,
    analysis: &FileAnalysis,
    rewrite_of: &BTreeMap<usize, &'r Rewrite>,
    uses: &mut Vec<usize>,
) -> Option<(String, Option<&'r str>)> {
    let mut found: Option<(&str, Option<&str>)> = None;
    for (i, u) in analysis.uses.iter().enumerate() {
        if u.named_import() != Some(b) {
            continue;
        }
        let rw = rewrite_of.get(&i)?;
        let [Piece::Module(m)] = rw.template.pieces.as_slice() else {
            return None;
        };
        let member = match rw.suffix.as_slice() {
            [] => None,
            [member] => Some(member.as_str()),
            _ => return None,
        };
        if rw.range != u.range
            || !rw.attached_edits.is_empty()
            || !rw.appended.is_empty()
            || *found.get_or_insert((m, member)) != (m.as_str(), member)
        {
            return None;
        }
        uses.push(i);
    }
    found.map(|(m, member)| (m.to_owned(), member))
}

/// The stdlib modules whose attributes monkey_patch() replaces in place: a
/// member imported from one before patching would stay the original, where
/// `module.member` is looked up when used.
const PATCHED_IN_PLACE: &[&str] = &[
    "os",
    "select",
    "selectors",
    "socket",
    "ssl",
    "queue",
    "threading",
    "_thread",
    "time",
    "subprocess",
    "builtins",
];

/// One clause of the new imports.
struct Imported {
    /// `from package` (none: `import module`).
    package: Option<String>,
    clause: String,
    /// A member of the module rather than the module itself.
    member: bool,
}

/// How a clause imports from `module` what it imported from eventlet:
/// a member by the same name and alias (`from http.client import
/// HTTPConnection`), or the module itself under its own name, not aliased
/// (`from urllib import request`, `import socket`). Not a member of a
/// module that monkey_patch() patches in place, nor a module the file
/// imports under another name (`aliased`).
fn imported_from(
    module: &str,
    member: Option<&str>,
    clause: &str,
    aliased: &dyn Fn(&str) -> bool,
) -> Option<Imported> {
    let dotted = match ModuleRef::parse(module) {
        ModuleRef::Import(dotted) => dotted.to_owned(),
        ModuleRef::From { package, name } => format!("{package}.{name}"),
    };
    if member.is_some() {
        if PATCHED_IN_PLACE.contains(&dotted.as_str()) {
            return None;
        }
        return Some(Imported {
            package: Some(dotted),
            clause: clause.to_owned(),
            member: true,
        });
    }
    if dotted.rsplit('.').next() != Some(clause) || aliased(&dotted) {
        return None;
    }
    Some(match dotted.rsplit_once('.') {
        Some((package, _)) => Imported {
            package: Some(package.to_owned()),
            clause: clause.to_owned(),
            member: false,
        },
        None => Imported {
            package: None,
            clause: dotted,
            member: false,
        },
    })
}

/// The statement is a top-level one of its own lines: no comment in it or
/// after it on its last line (a deleted statement takes those along).
fn stands_alone(statement: Node, source: &str) -> bool {
    let top_level = statement.parent().is_some_and(|p| p.kind() == "module");
    let comment_inside = descendants(statement).any(|n| n.kind() == "comment");
    let rest_of_line = &source[statement.end_byte()..line_end(source, statement.end_byte())];
    top_level && !comment_inside && rest_of_line.trim().is_empty()
}

/// `from package import a, b` when it fits on a line, else one statement
/// per name (hacking's one import per line); `import module` apart.
fn new_imports(imported: Vec<Imported>) -> Vec<NewImport> {
    let mut by_package: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
    for i in imported {
        by_package.entry(i.package).or_default().push(i.clause);
    }
    let mut out = Vec::new();
    for (package, clauses) in by_package {
        let import = |names: &[String]| {
            let first = names[0].split_whitespace().next().unwrap_or_default();
            let (statement, key) = match &package {
                Some(p) => (
                    format!("from {p} import {}", names.join(", ")),
                    format!("{p}.{first}"),
                ),
                None => (format!("import {}", names.join(", ")), first.to_owned()),
            };
            let top = key.split('.').next().unwrap_or_default().to_owned();
            NewImport {
                statement,
                key,
                top,
            }
        };
        let together = import(&clauses);
        if package.is_some() && together.statement.chars().count() <= MAX_LINE {
            out.push(together);
        } else {
            out.extend(clauses.chunks(1).map(import));
        }
    }
    out
}
