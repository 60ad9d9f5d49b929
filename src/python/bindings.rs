//! Name binding: which scope binds each name, and what every import binds.
//!
//! The model follows Python's rules closely enough to be conservative: a name
//! counts as an import only where every binding of it in the resolving scope
//! is the same import. Anything else assigned to the name (a parameter, a
//! loop target, a fallback `eventlet = None`) makes uses of it ambiguous, and
//! ambiguous uses are reported, never rewritten. The one exception is a
//! fallback import of the same names (`fallback_imports`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::fallback_imports::in_fallback_handler;
use super::import_clauses::{self, Imported};
use super::loaders::eventlet_load;
use super::syntax::{named_children, text};

pub type ScopeId = usize;
pub const MODULE_SCOPE: ScopeId = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Module,
    Function,
    Class,
    Comprehension,
}

#[derive(Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    pub parent: Option<ScopeId>,
    /// The definition or comprehension that makes the scope (the module's
    /// is the whole file).
    range: Range<usize>,
    /// The name of the definition that makes it (`<lambda>` for a lambda,
    /// `<comprehension>` for one, empty for the module's).
    name: String,
    bound: HashMap<String, Vec<Binding>>,
    globals: HashSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Binding {
    Import(usize),
    /// A module loaded by name (an index into `Bindings::loaded`).
    Loaded(usize),
    Other,
}

/// One name bound by an import statement.
#[derive(Debug, Clone)]
pub struct ImportBinding {
    /// The local name (`gt` in `import eventlet.greenthread as gt`).
    pub name: String,
    /// The dotted path the local name stands for (`eventlet.greenthread`).
    pub target: String,
    /// The whole import statement.
    pub statement: Range<usize>,
    /// The clause inside the statement that creates this binding.
    pub clause: Range<usize>,
    pub scope: ScopeId,
    pub from_import: bool,
}

/// A name bound to what a loader call given an eventlet name returns:
/// `tpool = importutils.try_import('eventlet.tpool')`.
#[derive(Debug, Clone)]
pub struct LoadedBinding {
    pub name: String,
    /// The dotted name the value stands for, as for an import.
    pub target: String,
    /// The loader call.
    pub call: Range<usize>,
}

/// A name read somewhere (a load, not a store).
#[derive(Debug, Clone)]
pub struct Reference {
    pub range: Range<usize>,
    pub scope: ScopeId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Every binding in the resolving scope is this import.
    Import(usize),
    /// The name is an import in some bindings and something else in others.
    Ambiguous,
    /// Every binding in the resolving scope is this module loaded by name
    /// (there is no import of the name there).
    Loaded(usize),
    /// Bound, but not by an import.
    Other,
    /// Not bound in the file (a builtin or a star import).
    Unbound,
}

/// Where a name given to a module would be read.
#[derive(Debug, Clone, Copy)]
pub enum Reads<'a> {
    /// Anywhere in the file: every binding of the name counts.
    Anywhere,
    /// At these byte offsets: only bindings a read there may meet count.
    At(&'a [usize]),
}

#[derive(Debug)]
pub struct Bindings {
    pub scopes: Vec<Scope>,
    pub imports: Vec<ImportBinding>,
    pub loaded: Vec<LoadedBinding>,
    pub references: Vec<Reference>,
    /// `from M import *` statements, with their module.
    pub star_imports: Vec<(String, Range<usize>)>,
}

/// What an import statement binds: (local name, dotted path) pairs, with
/// `*` as the name of a star import.
pub fn imported(statement: Node, source: &str) -> Vec<(String, String)> {
    let mut b = Bindings::empty();
    b.record_import(statement, source, MODULE_SCOPE);
    b.imports
        .into_iter()
        .map(|i| (i.name, i.target))
        .chain(
            b.star_imports
                .into_iter()
                .map(|(module, _)| ("*".to_owned(), module)),
        )
        .collect()
}

/// The bindings an import statement makes, one per clause (none for a
/// star import), as if it stood at module level.
pub fn import_bindings(statement: Node, source: &str) -> Vec<ImportBinding> {
    let mut b = Bindings::empty();
    b.record_import(statement, source, MODULE_SCOPE);
    b.imports
}

/// The import statements of a file, found from the word's occurrences
/// rather than by walking the tree.
pub fn import_statements<'t>(root: Node<'t>, source: &str) -> Vec<Node<'t>> {
    let mut statements: Vec<Node> = Vec::new();
    for at in memchr::memmem::find_iter(source.as_bytes(), b"import") {
        let Some(mut node) = root.descendant_for_byte_range(at, at + "import".len()) else {
            continue;
        };
        let statement = loop {
            if matches!(node.kind(), "import_statement" | "import_from_statement") {
                break Some(node);
            }
            if node.kind().ends_with("statement") || node.kind() == "module" {
                break None;
            }
            match node.parent() {
                Some(parent) => node = parent,
                None => break None,
            }
        };
        if let Some(statement) = statement
            && statements.last() != Some(&statement)
        {
            statements.push(statement);
        }
    }
    statements
}

/// Where the names that matter to an analysis occur (at the start of a
/// word), and every `import`: a subtree without any binds and reads nothing
/// that matters, so the walk skips it.
pub struct Occurrences(Vec<usize>);

impl Occurrences {
    pub fn of<'n>(source: &str, names: impl IntoIterator<Item = &'n str>) -> Occurrences {
        let bytes = source.as_bytes();
        let word_start = |at: usize| {
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_')
        };
        let mut at: Vec<usize> = names
            .into_iter()
            .chain(["import"])
            .filter(|n| !n.is_empty())
            .flat_map(|name| memchr::memmem::find_iter(bytes, name.as_bytes()))
            .filter(|&at| word_start(at))
            .collect();
        at.sort_unstable();
        at.dedup();
        Occurrences(at)
    }

    fn within(&self, range: Range<usize>) -> bool {
        let first = self.0.partition_point(|&at| at < range.start);
        self.0.get(first).is_some_and(|&at| at < range.end)
    }
}

impl Bindings {
    fn empty() -> Bindings {
        Bindings {
            scopes: vec![Scope::new(ScopeKind::Module, None, 0..usize::MAX)],
            imports: Vec::new(),
            loaded: Vec::new(),
            references: Vec::new(),
            star_imports: Vec::new(),
        }
    }

    /// Every binding and reference in the file.
    pub fn analyze(tree: &Tree, source: &str) -> Bindings {
        let mut b = Bindings::empty();
        b.walk(tree.root_node(), source, None);
        b
    }

    /// Every import, and the bindings and references of the names whose
    /// occurrences are given (the others may be missing).
    pub fn analyze_names(tree: &Tree, source: &str, names: &Occurrences) -> Bindings {
        let mut b = Bindings::empty();
        b.walk(tree.root_node(), source, Some(names));
        b
    }

    pub fn resolve(&self, name: &str, scope: ScopeId) -> Resolution {
        for id in self.scopes_seen_from(scope) {
            let s = &self.scopes[id];
            if s.globals.contains(name) {
                return self.classify(name, MODULE_SCOPE);
            }
            if s.bound.contains_key(name) {
                return self.classify(name, id);
            }
        }
        Resolution::Unbound
    }

    /// The scopes a read in `scope` resolves through, innermost first: its
    /// own, then those around it but class bodies (a method does not see
    /// its class's names).
    fn scopes_seen_from(&self, scope: ScopeId) -> impl Iterator<Item = ScopeId> + '_ {
        std::iter::successors(Some(scope), |id| self.scopes[*id].parent)
            .enumerate()
            .filter(|(n, id)| *n == 0 || self.scopes[*id].kind != ScopeKind::Class)
            .map(|(_, id)| id)
    }

    pub fn resolve_reference(&self, reference: &Reference, source: &str) -> Resolution {
        self.resolve(&source[reference.range.clone()], reference.scope)
    }

    fn classify(&self, name: &str, scope: ScopeId) -> Resolution {
        let bindings = &self.scopes[scope].bound[name];
        let mut target: Option<&str> = None;
        let mut first_import = None;
        let mut loaded: Option<usize> = None;
        let mut other = false;
        for binding in bindings {
            match *binding {
                Binding::Import(i) => {
                    let t = self.imports[i].target.as_str();
                    if target.is_some_and(|prev| prev != t) {
                        return Resolution::Ambiguous;
                    }
                    target = Some(t);
                    first_import.get_or_insert(i);
                }
                Binding::Loaded(l) => {
                    let t = self.loaded[l].target.as_str();
                    if loaded.is_some_and(|prev| self.loaded[prev].target != t) {
                        other = true;
                    }
                    loaded.get_or_insert(l);
                }
                Binding::Other => other = true,
            }
        }
        match (first_import, loaded, other) {
            (Some(i), None, false) => Resolution::Import(i),
            (Some(_), _, _) => Resolution::Ambiguous,
            (None, Some(l), false) => Resolution::Loaded(l),
            (None, _, _) => Resolution::Other,
        }
    }

    /// How many times `name` is bound in the file, in any scope.
    pub fn times_bound(&self, name: &str) -> usize {
        self.scopes
            .iter()
            .filter_map(|scope| scope.bound.get(name))
            .map(Vec::len)
            .sum()
    }

    /// Whether `name` is bound by something other than a `compatible`
    /// import or one of the `leaving` imports, in the module or in a scope
    /// where a new module-level `name` would be `read`.
    pub fn name_taken(
        &self,
        name: &str,
        read: Reads,
        leaving: &HashSet<usize>,
        compatible: impl Fn(&ImportBinding) -> bool,
    ) -> bool {
        let seen = self.scopes_reading(read);
        let counts = |id: &ScopeId| seen.as_ref().is_none_or(|seen| seen.contains(id));
        self.scopes.iter().enumerate().any(|(id, scope)| {
            counts(&id)
                && scope.bound.get(name).is_some_and(|bindings| {
                    bindings.iter().any(|b| match *b {
                        Binding::Import(i) => {
                            !leaving.contains(&i) && !compatible(&self.imports[i])
                        }
                        Binding::Loaded(_) | Binding::Other => true,
                    })
                })
        })
    }

    /// The scopes whose bindings a module-level name read at `read` may
    /// meet (`None`: every one): the module's, and those a read at each
    /// site resolves through.
    fn scopes_reading(&self, read: Reads) -> Option<HashSet<ScopeId>> {
        let Reads::At(sites) = read else {
            return None;
        };
        let around_sites = sites
            .iter()
            .flat_map(|&at| self.scopes_seen_from(self.scope_at(at)));
        Some(std::iter::once(MODULE_SCOPE).chain(around_sites).collect())
    }

    /// The innermost scope around the byte offset `at`. Scopes are made in
    /// the order of the text (the walk is depth-first) and nest, so it is
    /// the last scope to start at or before `at`, or the first of that
    /// one's enclosing scopes that holds `at`: a search, not a scan of
    /// every scope per site (which made files of many functions and uses
    /// quadratic).
    fn scope_at(&self, at: usize) -> ScopeId {
        let started = self.scopes.partition_point(|s| s.range.start <= at);
        let mut scope = started.saturating_sub(1);
        while !self.scopes[scope].range.contains(&at) {
            match self.scopes[scope].parent {
                Some(parent) => scope = parent,
                None => return MODULE_SCOPE,
            }
        }
        scope
    }

    fn walk(&mut self, root: Node, source: &str, only: Option<&Occurrences>) {
        // (node, scope for loads, scope for stores, what an identifier here does)
        let mut stack: Vec<(Node, ScopeId, ScopeId, Role)> =
            vec![(root, MODULE_SCOPE, MODULE_SCOPE, Role::Load)];
        let mut children: Vec<(Node, Option<&'static str>)> = Vec::new();
        while let Some((node, load, store, role)) = stack.pop() {
            let kind = node.kind();
            match kind {
                "import_statement" | "import_from_statement" => {
                    // A handler's import of an eventlet fallback binds
                    // nothing where eventlet is installed.
                    if !in_fallback_handler(node, source) {
                        self.record_import(node, source, store);
                    }
                    continue;
                }
                "future_import_statement" | "comment" | "string_content" => continue,
                "global_statement" | "nonlocal_statement" => {
                    for id in named_children(node) {
                        let name = text(id, source).to_owned();
                        if kind == "global_statement" {
                            self.scopes[store].globals.insert(name);
                        } else {
                            self.bind(store, name, Binding::Other);
                        }
                    }
                    continue;
                }
                "identifier" => {
                    self.record_identifier(node, source, load, store, role);
                    continue;
                }
                "assignment" => {
                    if let Some(value) = self.record_loaded(node, source, store) {
                        stack.push((value, load, store, Role::Load));
                        continue;
                    }
                }
                _ => {}
            }
            // A new scope for what is inside a definition or comprehension.
            let scope = match kind {
                "function_definition" | "lambda" => Some(ScopeKind::Function),
                "class_definition" => Some(ScopeKind::Class),
                "list_comprehension"
                | "set_comprehension"
                | "dictionary_comprehension"
                | "generator_expression" => Some(ScopeKind::Comprehension),
                _ => None,
            }
            .map(|scope_kind| {
                let name = match kind {
                    "lambda" => "<lambda>",
                    _ if scope_kind == ScopeKind::Comprehension => "<comprehension>",
                    _ => node
                        .child_by_field_name("name")
                        .map_or("", |n| text(n, source)),
                };
                self.new_scope(scope_kind, load, node.byte_range(), name)
            });
            children.clear();
            let mut cursor = node.walk();
            if cursor.goto_first_child() {
                loop {
                    if cursor.node().is_named() {
                        children.push((cursor.node(), cursor.field_name()));
                    }
                    if !cursor.goto_next_sibling() {
                        break;
                    }
                }
            }
            for &(child, field) in children.iter().rev() {
                if only.is_some_and(|names| !names.within(child.byte_range())) {
                    continue;
                }
                let child_role = child_role(kind, field, role);
                let (child_load, child_store) = match (kind, field, scope) {
                    ("function_definition" | "class_definition", Some("name"), _) => {
                        self.bind(store, text(child, source).to_owned(), Binding::Other);
                        continue;
                    }
                    ("function_definition" | "lambda", Some("parameters"), Some(s)) => (load, s),
                    (_, Some("body"), Some(s)) => (s, s),
                    (
                        "list_comprehension"
                        | "set_comprehension"
                        | "dictionary_comprehension"
                        | "generator_expression",
                        _,
                        Some(s),
                    ) => (s, s),
                    _ => (load, store),
                };
                stack.push((child, child_load, child_store, child_role));
            }
        }
    }

    fn record_identifier(
        &mut self,
        id: Node,
        source: &str,
        load: ScopeId,
        store: ScopeId,
        role: Role,
    ) {
        match role {
            Role::NotAName => {}
            Role::Store => {
                let name = text(id, source).to_owned();
                let scope = if self.scopes[store].globals.contains(&name) {
                    MODULE_SCOPE
                } else {
                    store
                };
                self.bind(scope, name, Binding::Other);
            }
            Role::Load => self.references.push(Reference {
                range: id.byte_range(),
                scope: load,
            }),
        }
    }

    /// Binds the name of `name = loader('eventlet...')` to what the loader
    /// returns, and gives back the value, whose reads are still to walk.
    fn record_loaded<'t>(
        &mut self,
        assignment: Node<'t>,
        source: &str,
        scope: ScopeId,
    ) -> Option<Node<'t>> {
        let left = assignment
            .child_by_field_name("left")
            .filter(|l| l.kind() == "identifier")?;
        let value = assignment
            .child_by_field_name("right")
            .filter(|r| r.kind() == "call")?;
        let target = eventlet_load(value, source)?.binds?;
        let name = text(left, source).to_owned();
        let scope = if self.scopes[scope].globals.contains(&name) {
            MODULE_SCOPE
        } else {
            scope
        };
        self.loaded.push(LoadedBinding {
            name: name.clone(),
            target,
            call: value.byte_range(),
        });
        self.bind(scope, name, Binding::Loaded(self.loaded.len() - 1));
        Some(value)
    }

    fn record_import(&mut self, stmt: Node, source: &str, scope: ScopeId) {
        let statement = stmt.byte_range();
        match import_clauses::imported(stmt, source) {
            Imported::Star(module) => self.star_imports.push((module, statement)),
            Imported::Clauses(clauses) => {
                for clause in clauses {
                    self.add_import(ImportBinding {
                        name: clause.name,
                        target: clause.target,
                        statement: statement.clone(),
                        clause: clause.range,
                        scope,
                        from_import: clause.from_import,
                    });
                }
            }
        }
    }

    fn add_import(&mut self, import: ImportBinding) {
        let index = self.imports.len();
        let (scope, name) = (import.scope, import.name.clone());
        let scope = if self.scopes[scope].globals.contains(&name) {
            MODULE_SCOPE
        } else {
            scope
        };
        self.imports.push(ImportBinding { scope, ..import });
        self.bind(scope, name, Binding::Import(index));
    }

    fn bind(&mut self, scope: ScopeId, name: String, binding: Binding) {
        self.scopes[scope]
            .bound
            .entry(name)
            .or_default()
            .push(binding);
    }

    fn new_scope(
        &mut self,
        kind: ScopeKind,
        parent: ScopeId,
        range: Range<usize>,
        name: &str,
    ) -> ScopeId {
        let mut scope = Scope::new(kind, Some(parent), range);
        scope.name = name.to_owned();
        self.scopes.push(scope);
        self.scopes.len() - 1
    }

    /// The names of the definitions around `scope`, outermost first
    /// (`Handler.run.<lambda>`; empty for the module): what names the same
    /// scope after a rewrite has moved its text.
    pub fn scope_path(&self, scope: ScopeId) -> String {
        let mut names: Vec<&str> = std::iter::successors(Some(scope), |s| self.scopes[*s].parent)
            .map(|s| self.scopes[s].name.as_str())
            .filter(|n| !n.is_empty())
            .collect();
        names.reverse();
        names.join(".")
    }
}

impl Scope {
    fn new(kind: ScopeKind, parent: Option<ScopeId>, range: Range<usize>) -> Scope {
        Scope {
            kind,
            parent,
            range,
            name: String::new(),
            bound: HashMap::new(),
            globals: HashSet::new(),
        }
    }
}

impl ImportBinding {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Load,
    Store,
    /// An attribute name, a keyword argument name, a label.
    NotAName,
}

/// What an identifier directly under `parent` (in `field`) does, given
/// what the parent does. Unknown binding contexts count as stores: that
/// only makes later rewrites more cautious.
fn child_role(parent: &str, field: Option<&str>, parent_role: Role) -> Role {
    let store_if = |is_store: bool| if is_store { Role::Store } else { Role::Load };
    match parent {
        "attribute" => {
            if field == Some("attribute") {
                Role::NotAName
            } else {
                Role::Load
            }
        }
        "keyword_argument" => {
            if field == Some("name") {
                Role::NotAName
            } else {
                Role::Load
            }
        }
        // Containers pass on what their parent does: `a, (b, c) = ...`.
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "list_splat_pattern"
        | "as_pattern_target"
        | "tuple"
        | "list"
        | "parenthesized_expression"
        | "expression_list"
        | "list_splat" => parent_role,
        "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
            store_if(field == Some("left"))
        }
        "named_expression" => store_if(field == Some("name")),
        "as_pattern" => store_if(field == Some("alias")),
        "delete_statement" | "parameters" | "lambda_parameters" | "dictionary_splat_pattern" => {
            Role::Store
        }
        "default_parameter" | "typed_default_parameter" => store_if(field == Some("name")),
        "typed_parameter" => store_if(field != Some("type")),
        "case_pattern"
        | "splat_pattern"
        | "dict_pattern"
        | "keyword_pattern"
        | "class_pattern"
        | "union_pattern"
        | "dotted_name"
        | "as_pattern_target_pattern" => Role::Store,
        _ => Role::Load,
    }
}

/// The dotted module a module-level import binds to `alias`:
/// `import a.b as alias`, `import alias`, `from a import b as alias` or
/// `from a import alias` (which may import a name, not a module).
/// Relative imports are not followed.
pub fn module_bound_to(root: Node, alias: &str, source: &str) -> Option<String> {
    named_children(root).into_iter().find_map(|statement| {
        let from = match statement.kind() {
            "import_statement" => None,
            "import_from_statement" => {
                let module = statement
                    .child_by_field_name("module_name")
                    .filter(|m| m.kind() == "dotted_name")?;
                Some(text(module, source))
            }
            _ => return None,
        };
        let mut cursor = statement.walk();
        let names: Vec<Node> = statement
            .children_by_field_name("name", &mut cursor)
            .collect();
        names.into_iter().find_map(|clause| {
            let (dotted, bound) = match clause.kind() {
                "aliased_import" => (
                    text(clause.child_by_field_name("name")?, source),
                    text(clause.child_by_field_name("alias")?, source),
                ),
                // `import a.b` binds `a`; only `import a` binds the module.
                _ => (text(clause, source), text(clause, source)),
            };
            (bound == alias).then(|| match from {
                Some(from) => format!("{from}.{dotted}"),
                None => dotted.to_owned(),
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    fn resolve_all(source: &str, name: &str) -> Vec<Resolution> {
        let tree = parse(source);
        let b = Bindings::analyze(&tree, source);
        b.references
            .iter()
            .filter(|r| &source[r.range.clone()] == name)
            .map(|r| b.resolve_reference(r, source))
            .collect()
    }

    fn target(source: &str, name: &str) -> Vec<String> {
        let tree = parse(source);
        let b = Bindings::analyze(&tree, source);
        b.references
            .iter()
            .filter(|r| &source[r.range.clone()] == name)
            .filter_map(|r| match b.resolve_reference(r, source) {
                Resolution::Import(i) => Some(b.imports[i].target.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn import_forms_resolve_to_dotted_targets() {
        assert_eq!(
            target("import eventlet.greenthread as gt\ngt.sleep()\n", "gt"),
            ["eventlet.greenthread"]
        );
        assert_eq!(
            target("import eventlet.greenthread\neventlet.x\n", "eventlet"),
            ["eventlet"]
        );
        assert_eq!(
            target("from eventlet import sleep as s\ns(1)\n", "s"),
            ["eventlet.sleep"]
        );
        assert_eq!(
            target("from eventlet.green import (socket)\nsocket.x\n", "socket"),
            ["eventlet.green.socket"]
        );
    }

    #[test]
    fn parameters_and_locals_shadow_imports() {
        let src = "from eventlet import sleep\ndef f(sleep):\n    sleep(1)\ndef g():\n    sleep = 3\n    sleep\nsleep(2)\n";
        assert_eq!(
            resolve_all(src, "sleep"),
            [Resolution::Other, Resolution::Other, Resolution::Import(0)]
        );
    }

    #[test]
    fn loop_with_and_except_targets_shadow() {
        for src in [
            "import eventlet\nfor eventlet in x: pass\neventlet.sleep()\n",
            "import eventlet\nwith a as eventlet: pass\neventlet.sleep()\n",
            "import eventlet\ntry: pass\nexcept E as eventlet: pass\neventlet.sleep()\n",
            "try:\n    import eventlet\nexcept ImportError:\n    eventlet = None\neventlet.sleep()\n",
        ] {
            assert_eq!(
                resolve_all(src, "eventlet"),
                [Resolution::Ambiguous],
                "{src}"
            );
        }
    }

    #[test]
    fn class_scope_does_not_leak_into_methods() {
        let src = "import eventlet\nclass C:\n    eventlet = 1\n    def m(self):\n        eventlet.sleep()\n";
        assert_eq!(resolve_all(src, "eventlet"), [Resolution::Import(0)]);
    }

    #[test]
    fn global_declaration_binds_in_module() {
        let src = "import eventlet\ndef f():\n    global eventlet\n    eventlet = None\neventlet.sleep()\n";
        assert_eq!(resolve_all(src, "eventlet"), [Resolution::Ambiguous]);
    }

    #[test]
    fn default_values_resolve_in_the_enclosing_scope() {
        let src = "from eventlet import sleep\ndef f(sleep=sleep):\n    pass\n";
        assert_eq!(resolve_all(src, "sleep"), [Resolution::Import(0)]);
    }

    #[test]
    fn a_loader_given_an_eventlet_name_binds_what_it_loads() {
        let src = "tpool = importutils.try_import('eventlet.tpool')\ntpool.execute(f)\n";
        assert_eq!(resolve_all(src, "tpool"), [Resolution::Loaded(0)]);
        // Anything else bound to the name, or another module, and it is
        // not certain; nor is a name loaded from a computed string.
        for src in [
            "tpool = importutils.try_import('eventlet.tpool')\nif not tpool:\n    tpool = None\ntpool.execute(f)\n",
            "tpool = importutils.try_import('eventlet.tpool')\ntpool = importutils.try_import('eventlet.green')\ntpool.execute(f)\n",
            "tpool = importutils.try_import(NAME)\ntpool.execute(f)\n",
        ] {
            let found = resolve_all(src, "tpool");
            assert!(found.iter().all(|r| *r == Resolution::Other), "{src}");
        }
    }

    #[test]
    fn attribute_names_are_not_references() {
        assert!(resolve_all("import eventlet\nx.eventlet\n", "eventlet").is_empty());
    }
}
