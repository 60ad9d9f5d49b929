//! Proofs that an expression is never negative, so that a delay needs no
//! `max(0, ...)` around it: numeric literals, constants assigned once in
//! the file (`TIME_INTERVAL = 3`, also read as `self.TIME_INTERVAL`) or in
//! another module of the project (see `module_constants`), a function's
//! local variable whose every store is proved (`period =
//! random.randint(10, 25) / 100`, `wait = wait + 2`),
//! `len()`, `abs()`, `max()` with a proved argument, `min()` of proved
//! ones, `random.random()`,
//! `random.randint(a, b)` and `random.uniform(a, b)` with proved bounds
//! (also of a `random.Random()` of the module's own),
//! `+`, `*`, `/`, `//` of proved terms, a proved base's `**`, and oslo.config
//! options declared with `min >= 0` (see `config_options`). Anything else is not
//! proved (the rewrite keeps its guard). Beside it, the proof that a pool's
//! size is an integer of at least one.

use std::sync::LazyLock;

use tree_sitter::Node;

use super::config_options::ProjectBounds;
use super::syntax::{Root, descendants, named_children, numeric_literal, text};

/// How deep constants are followed (`A = B`, `B = 2`).
const DEPTH: usize = 4;

/// The proofs about expressions of one file.
pub struct Proof<'a, 't> {
    /// The file's tree: it remembers each constant's value once found, as
    /// a file may read one constant in thousands of delays.
    pub root: &'a Root<'t>,
    pub source: &'a str,
    /// The lower bounds of the project's options and modules' constants.
    pub bounds: &'a ProjectBounds,
}

impl<'a, 't> Proof<'a, 't> {
    /// The proofs of one file that read nothing beyond it (no option,
    /// no other module's constant).
    pub fn within_file(root: &'a Root<'t>, source: &'a str) -> Self {
        static NOTHING: LazyLock<ProjectBounds> = LazyLock::new(ProjectBounds::default);
        Proof {
            root,
            source,
            bounds: &NOTHING,
        }
    }

    /// Whether `node` is never negative.
    pub fn proved(&self, node: Node<'t>) -> bool {
        self.non_negative(node, DEPTH, &[])
    }

    /// Whether `node` is an integer of at least one: an integer literal, an
    /// oslo.config `IntOpt` declared with `min >= 1`, or a constant assigned
    /// once in the file to one of them (`WORKERS = 8`, read as `WORKERS` or
    /// `self.WORKERS`). A pool's size needs it.
    pub fn positive_int(&self, node: Node<'t>) -> bool {
        self.positive_int_within(node, DEPTH)
    }

    fn positive_int_within(&self, node: Node<'t>, depth: usize) -> bool {
        let source = self.source;
        if node.kind() == "integer" {
            return numeric_literal(node, source).is_some_and(|v| v >= 1.0);
        }
        match node.kind() {
            "parenthesized_expression" => node
                .named_child(0)
                .is_some_and(|inner| self.positive_int_within(inner, depth)),
            "attribute" if self.bounds.reads_positive_int(node, source) => true,
            "identifier" | "attribute" if depth > 0 => self
                .constant(node)
                .is_some_and(|value| self.positive_int_within(value, depth - 1)),
            _ => false,
        }
    }

    /// The value of a constant: an upper-case name (or `self.NAME`,
    /// `cls.NAME`, `Class.NAME`) assigned exactly once in the file, at module
    /// or class level, and never a parameter of a function around the use.
    fn constant(&self, node: Node<'t>) -> Option<Node<'t>> {
        let source = self.source;
        let name = match node.kind() {
            "identifier" => text(node, source),
            _ => text(node.child_by_field_name("attribute")?, source),
        };
        if !is_constant_name(name) || is_parameter_around(node, name, source) {
            return None;
        }
        self.root
            .remembered_constant(name, || constant_named(self.root, name, source))
    }

    /// `assumed`: the locals whose stores are being proved, each read as
    /// non-negative (by induction: every earlier store was).
    fn non_negative(&self, node: Node<'t>, depth: usize, assumed: &[Local]) -> bool {
        let source = self.source;
        if let Some(v) = numeric_literal(node, source) {
            return v >= 0.0;
        }
        match node.kind() {
            "parenthesized_expression" => node
                .named_child(0)
                .is_some_and(|inner| self.non_negative(inner, depth, assumed)),
            "binary_operator" => {
                let operator = node
                    .child_by_field_name("operator")
                    .map(|o| text(o, source));
                // A power of a non-negative base is never negative.
                let sides = match operator {
                    Some("**") => 1,
                    _ => 2,
                };
                matches!(operator, Some("+" | "*" | "/" | "//" | "**"))
                    && [
                        node.child_by_field_name("left"),
                        node.child_by_field_name("right"),
                    ]
                    .into_iter()
                    .take(sides)
                    .all(|side| side.is_some_and(|s| self.non_negative(s, depth, assumed)))
            }
            "call" => self.call_non_negative(node, depth, assumed),
            "attribute" if self.bounds.reads_non_negative(node, source) => true,
            "identifier"
                if !assumed.is_empty()
                    && local(node, source).is_some_and(|l| assumed.contains(&l)) =>
            {
                true
            }
            "identifier" | "attribute" if depth > 0 => {
                if let Some(value) = self.constant(node) {
                    return self.non_negative(value, depth - 1, assumed);
                }
                let Some((this, stored)) = local_stores(node, source) else {
                    return false;
                };
                let assumed = [assumed, &[this]].concat();
                stored
                    .iter()
                    .all(|value| self.non_negative(*value, depth - 1, &assumed))
            }
            _ => false,
        }
    }

    fn call_non_negative(&self, call: Node<'t>, depth: usize, assumed: &[Local]) -> bool {
        let source = self.source;
        let Some(function) = call.child_by_field_name("function") else {
            return false;
        };
        let args: Vec<Node> = call
            .child_by_field_name("arguments")
            .map(named_children)
            .unwrap_or_default();
        let positional = args
            .iter()
            .all(|a| a.kind() != "keyword_argument" && !a.kind().contains("splat"));
        // A generator of the module's own (`random.Random().randint(a, b)`)
        // draws as the module's functions do.
        let generator_method = (function.kind() == "attribute")
            .then(|| function.child_by_field_name("object"))
            .flatten()
            .filter(|object| object.kind() == "call")
            .and_then(|object| object.child_by_field_name("function"))
            .filter(|class| {
                matches!(
                    text(*class, source),
                    "random.Random" | "random.SystemRandom"
                )
            })
            .and_then(|_| function.child_by_field_name("attribute"))
            .map(|method| format!("random.{}", text(method, source)));
        let callee = generator_method
            .as_deref()
            .unwrap_or(text(function, source));
        match callee {
            "len" | "abs" => args.len() == 1 && positional,
            "max" => positional && args.iter().any(|a| self.non_negative(*a, depth, assumed)),
            "min" => {
                positional
                    && !args.is_empty()
                    && args.iter().all(|a| self.non_negative(*a, depth, assumed))
            }
            "random.random" => args.is_empty() && self.imports_random(),
            "random.randint" | "random.uniform" => {
                args.len() == 2
                    && positional
                    && self.imports_random()
                    && args.iter().all(|a| self.non_negative(*a, depth, assumed))
            }
            _ => false,
        }
    }

    /// The file imports the stdlib `random` module under its own name, at
    /// module level.
    fn imports_random(&self) -> bool {
        self.root
            .identifiers("random", self.source)
            .into_iter()
            .any(|identifier| {
                let name = identifier.parent().filter(|n| n.kind() == "dotted_name");
                let import = name
                    .filter(|n| n.named_child_count() == 1)
                    .and_then(|n| n.parent())
                    .filter(|n| n.kind() == "import_statement");
                import.and_then(|i| i.parent()) == Some(self.root.node())
            })
    }
}

/// Spelled as a constant: upper case, digits and underscores.
pub fn is_constant_name(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The value of the constant `name` of the module `root`: assigned
/// exactly once, at module or class level.
pub fn constant_named<'t>(root: &Root<'t>, name: &str, source: &str) -> Option<Node<'t>> {
    let names_it = |target: Node| match target.kind() {
        "identifier" => text(target, source) == name,
        "attribute" => target
            .child_by_field_name("attribute")
            .is_some_and(|a| text(a, source) == name),
        _ => true,
    };
    // The assignments whose target holds the name (each once): among the
    // ancestors of each identifier within its statement.
    let mut assignments: Vec<Node> = Vec::new();
    for identifier in root.identifiers(name, source) {
        let within_statement = root
            .ancestors(identifier)
            .take_while(|n| !matches!(n.kind(), "expression_statement" | "block" | "module"));
        for assignment in within_statement.filter(|n| {
            matches!(
                n.kind(),
                "assignment" | "augmented_assignment" | "named_expression"
            )
        }) {
            let Some(target) = assignment
                .child_by_field_name("left")
                .or_else(|| assignment.child_by_field_name("name"))
            else {
                continue;
            };
            let holds = target.start_byte() <= identifier.start_byte()
                && identifier.end_byte() <= target.end_byte();
            if holds && names_it(target) && !assignments.contains(&assignment) {
                assignments.push(assignment);
            }
        }
    }
    match assignments.as_slice() {
        [assignment] => {
            let target = assignment.child_by_field_name("left")?;
            let plain = assignment.kind() == "assignment"
                && target.kind() == "identifier"
                && at_module_or_class_level(*assignment);
            plain
                .then(|| assignment.child_by_field_name("right"))
                .flatten()
        }
        _ => None,
    }
}

/// A local variable: the function that binds it, and its name.
type Local<'t, 's> = (Node<'t>, &'s str);

/// The innermost function, lambda or class around `node`: the scope its
/// names belong to.
fn innermost_scope(node: Node) -> Option<Node> {
    std::iter::successors(node.parent(), |n| n.parent()).find(|n| {
        matches!(
            n.kind(),
            "function_definition" | "lambda" | "class_definition"
        )
    })
}

/// The innermost function around an identifier, when the name is one of
/// its locals rather than a parameter.
fn local<'t, 's>(node: Node<'t>, source: &'s str) -> Option<Local<'t, 's>> {
    if node.kind() != "identifier" {
        return None;
    }
    let name = text(node, source);
    let function = innermost_scope(node).filter(|n| n.kind() == "function_definition")?;
    let parameters = function.child_by_field_name("parameters")?;
    if descendants(parameters).any(|d| d.kind() == "identifier" && text(d, source) == name) {
        return None;
    }
    Some((function, name))
}

/// The values stored in a local variable: a name the innermost function
/// around `node` binds only by plain assignments (`wait = 2`) and by
/// augmented ones that keep a non-negative value so (`wait += step`,
/// `*=`, `/=`, `//=`, whose operand is what must be proved), in no other
/// way (not a parameter, a loop or `with` target, `global` or
/// `nonlocal`, nor in a nested scope, which may share it through
/// `nonlocal`). If every value stored is non-negative, reading the earlier
/// ones as non-negative, so is every read.
fn local_stores<'t, 's>(node: Node<'t>, source: &'s str) -> Option<(Local<'t, 's>, Vec<Node<'t>>)> {
    let this @ (function, name) = local(node, source)?;
    let body = function.child_by_field_name("body")?;
    let mut stored = Vec::new();
    for occurrence in
        descendants(body).filter(|d| d.kind() == "identifier" && text(*d, source) == name)
    {
        if innermost_scope(occurrence) != Some(function) {
            return None;
        }
        match binding_of(occurrence, body, source) {
            Binding::Read => {}
            Binding::Stored(value) => stored.push(value),
            Binding::Other => return None,
        }
    }
    (!stored.is_empty()).then_some((this, stored))
}

enum Binding<'t> {
    /// Read (or an attribute or keyword of the same spelling).
    Read,
    /// The whole target of a plain assignment (the value stored), or of
    /// an augmented one that keeps a non-negative value non-negative (its
    /// operand).
    Stored(Node<'t>),
    /// Bound some other way: not followed.
    Other,
}

/// How an occurrence of a name in `body`, in the function's own scope,
/// binds it.
fn binding_of<'t>(occurrence: Node<'t>, body: Node<'t>, source: &str) -> Binding<'t> {
    let parent = occurrence.parent();
    let field_of_parent =
        |field: &str| parent.is_some_and(|p| p.child_by_field_name(field) == Some(occurrence));
    // `x.name` and `f(name=...)` are other names spelled the same.
    if parent.is_some_and(|p| p.kind() == "attribute") && field_of_parent("attribute")
        || parent.is_some_and(|p| p.kind() == "keyword_argument") && field_of_parent("name")
    {
        return Binding::Read;
    }
    let assigned = parent.filter(|p| {
        matches!(p.kind(), "assignment" | "augmented_assignment") && field_of_parent("left")
    });
    if let Some(parent) = assigned {
        let keeps_sign = parent.kind() == "assignment"
            || parent
                .child_by_field_name("operator")
                .is_some_and(|o| matches!(text(o, source), "+=" | "*=" | "/=" | "//="));
        return match parent.child_by_field_name("right") {
            Some(right) if keeps_sign => Binding::Stored(right),
            _ => Binding::Other,
        };
    }
    let mut child = occurrence;
    for ancestor in std::iter::successors(occurrence.parent(), |n| n.parent()) {
        if ancestor == body {
            return Binding::Read;
        }
        let within = |field: &str| {
            ancestor
                .child_by_field_name(field)
                .is_some_and(|f| f.byte_range().contains(&child.start_byte()))
        };
        let binds = match ancestor.kind() {
            "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
                within("left")
            }
            "named_expression" => within("name"),
            "as_pattern"
            | "with_item"
            | "except_clause"
            | "global_statement"
            | "nonlocal_statement"
            | "delete_statement"
            | "import_statement"
            | "import_from_statement"
            | "case_clause" => true,
            _ => false,
        };
        if binds {
            return Binding::Other;
        }
        child = ancestor;
    }
    Binding::Other
}

fn at_module_or_class_level(node: Node) -> bool {
    !std::iter::successors(node.parent(), |n| n.parent())
        .any(|n| matches!(n.kind(), "function_definition" | "lambda"))
}

fn is_parameter_around(node: Node, name: &str, source: &str) -> bool {
    std::iter::successors(node.parent(), |n| n.parent())
        .filter(|n| matches!(n.kind(), "function_definition" | "lambda"))
        .filter_map(|f| f.child_by_field_name("parameters"))
        .any(|params| {
            descendants(params).any(|d| d.kind() == "identifier" && text(d, source) == name)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse;

    /// `proof` of the first argument of the last call to `callee` in
    /// `source`.
    fn argument_holds(
        source: &str,
        callee: &str,
        holds: for<'t> fn(&Proof<'_, 't>, Node<'t>) -> bool,
    ) -> bool {
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        let proof = Proof::within_file(&root, source);
        let call = descendants(tree.root_node())
            .filter(|n| n.kind() == "call" && text(*n, source).starts_with(callee))
            .last()
            .unwrap();
        let arg = call
            .child_by_field_name("arguments")
            .unwrap()
            .named_child(0)
            .unwrap();
        holds(&proof, arg)
    }

    /// Whether the argument of the last `sleep(...)` is proved.
    fn sleep_proved(source: &str) -> bool {
        argument_holds(source, "sleep(", |proof, arg| proof.proved(arg))
    }

    #[test]
    fn literals_constants_and_arithmetic_of_them() {
        assert!(sleep_proved("sleep(0.5)\n"));
        assert!(!sleep_proved("sleep(-1)\n"));
        assert!(sleep_proved(
            "DELAY = 5\n\ndef f():\n    sleep(DELAY * 2 + 1)\n"
        ));
        assert!(sleep_proved(
            "class A:\n    TIME_INTERVAL = 3\n\n    def f(self):\n        sleep(self.TIME_INTERVAL)\n"
        ));
        assert!(!sleep_proved("DELAY = 5\nDELAY = -1\nsleep(DELAY)\n"));
        assert!(!sleep_proved(
            "def f(DELAY):\n    sleep(DELAY)\nDELAY = 5\n"
        ));
        assert!(!sleep_proved(
            "DELAY = 5\n\ndef f():\n    sleep(DELAY - 6)\n"
        ));
        assert!(!sleep_proved("delay = 5\nsleep(delay)\n"));
        // Any other store of the name (on an object, augmented, unpacked,
        // by `:=`) leaves its value unknown; its name in text does not.
        for other in [
            "config.DELAY = -1",
            "DELAY -= 9",
            "DELAY, x = -1, 0",
            "(DELAY := -1)",
        ] {
            let source = format!("DELAY = 5\n{other}\n\ndef f():\n    sleep(DELAY)\n");
            assert!(!sleep_proved(&source), "{other}");
        }
        assert!(sleep_proved(
            "# DELAY = -1\nDELAY = 5\nMY_DELAY = -1\nsleep(DELAY)  # 'DELAY = -1'\n"
        ));
    }

    #[test]
    fn locals_whose_every_store_is_proved() {
        assert!(sleep_proved(
            "import random\n\ndef f():\n    period = random.randint(10, 25) / 100.0\n    sleep(period)\n"
        ));
        assert!(sleep_proved(
            "def f(interval):\n    idle = max(interval - elapsed(), 0)\n    sleep(idle)\n"
        ));
        assert!(sleep_proved(
            "def f():\n    wait = 3\n    while busy(wait):\n        sleep(wait)\n"
        ));
        // Stored again, each time non-negative when the earlier value was.
        assert!(sleep_proved(
            "def f():\n    wait = 2\n    while busy():\n        sleep(wait)\n        wait = wait + 2\n"
        ));
        assert!(sleep_proved(
            "def f():\n    wait = 0.5\n    while busy():\n        sleep(wait)\n        wait *= 2\n"
        ));
        assert!(!sleep_proved(
            "def f(step):\n    wait = 2\n    while busy():\n        sleep(wait)\n        wait += step\n"
        ));
        // Made smaller, a parameter, a loop target, or shared.
        assert!(!sleep_proved(
            "def f():\n    wait = 2\n    sleep(wait)\n    wait = wait - 5\n"
        ));
        assert!(!sleep_proved(
            "def f():\n    wait = 2\n    sleep(wait)\n    wait -= 5\n"
        ));
        assert!(!sleep_proved(
            "def f(wait=2):\n    wait = 3\n    sleep(wait)\n"
        ));
        assert!(!sleep_proved(
            "def f(items):\n    for wait in items:\n        sleep(wait)\n"
        ));
        assert!(!sleep_proved(
            "def f():\n    wait = 1\n\n    def g():\n        nonlocal wait\n        wait = -1\n    g()\n    sleep(wait)\n"
        ));
        assert!(!sleep_proved(
            "def f():\n    wait, other = 1, -1\n    sleep(wait)\n"
        ));
        assert!(!sleep_proved("def f():\n    wait = -1\n    sleep(wait)\n"));
        assert!(!sleep_proved("wait = 1\nsleep(wait)\n"));
        assert!(!sleep_proved(
            "def f():\n    def g():\n        wait = 5\n    sleep(wait)\n"
        ));
    }

    #[test]
    fn calls_that_never_return_a_negative() {
        assert!(sleep_proved(
            "import random\nsleep(random.randint(20, 500) / 100.0)\n"
        ));
        assert!(sleep_proved("import random\nsleep(random.random())\n"));
        assert!(!sleep_proved(
            "import random\nsleep(random.uniform(-1, 1))\n"
        ));
        assert!(!sleep_proved("sleep(random.random())\n"));
        assert!(sleep_proved(
            "import random\nsleep(random.Random().randint(0, 10) * 0.001)\n"
        ));
        assert!(!sleep_proved(
            "import random\nsleep(random.Random().uniform(-1, 1))\n"
        ));
        assert!(!sleep_proved("import random\nsleep(rng.randint(0, 10))\n"));
        assert!(sleep_proved("sleep(len(items) * 0.1)\n"));
        assert!(sleep_proved("sleep(max(0, x))\n"));
        assert!(!sleep_proved("sleep(min(0, x))\n"));
        assert!(!sleep_proved("sleep(min(1, x))\n"));
        assert!(sleep_proved("sleep(min(2 ** attempt, 30))\n"));
    }

    #[test]
    fn a_constant_found_once_serves_every_later_use() {
        // The tree remembers where each constant's value is: the second
        // question of each name is answered from there.
        let source = "DELAY = (2)\nSIZE = 4\nBAD = -1\n\n\
                      def f():\n    sleep(DELAY)\n    GreenPool(SIZE)\n    sleep(BAD)\n\n\
                      def g():\n    sleep(DELAY * 2)\n    GreenPool(SIZE)\n    sleep(BAD)\n";
        let tree = parse(source);
        let root = Root::new(tree.root_node());
        let proof = Proof::within_file(&root, source);
        let first_arguments = |callee: &str| -> Vec<Node> {
            descendants(tree.root_node())
                .filter(|n| n.kind() == "call" && text(*n, source).starts_with(callee))
                .filter_map(|call| call.child_by_field_name("arguments")?.named_child(0))
                .collect()
        };
        let sleeps: Vec<bool> = first_arguments("sleep(")
            .into_iter()
            .map(|arg| proof.proved(arg))
            .collect();
        assert_eq!(sleeps, [true, false, true, false]);
        let pools: Vec<bool> = first_arguments("GreenPool(")
            .into_iter()
            .map(|arg| proof.positive_int(arg))
            .collect();
        assert_eq!(pools, [true, true]);
    }

    /// Whether the argument of the last `GreenPool(...)` is a positive int.
    fn pool_size_proved(source: &str) -> bool {
        argument_holds(source, "GreenPool(", |proof, arg| proof.positive_int(arg))
    }

    #[test]
    fn pool_sizes_from_literals_and_constants() {
        assert!(pool_size_proved("GreenPool(4)\n"));
        assert!(!pool_size_proved("GreenPool(0)\n"));
        assert!(!pool_size_proved("GreenPool(4.0)\n"));
        assert!(pool_size_proved(
            "WORKERS = 8\n\ndef f():\n    GreenPool(WORKERS)\n"
        ));
        assert!(pool_size_proved(
            "class A:\n    POOL_SIZE = 10\n\n    def f(self):\n        GreenPool(self.POOL_SIZE)\n"
        ));
        assert!(!pool_size_proved("WORKERS = 0\nGreenPool(WORKERS)\n"));
        assert!(!pool_size_proved(
            "WORKERS = 8\nWORKERS = 2\nGreenPool(WORKERS)\n"
        ));
        assert!(!pool_size_proved(
            "def f(WORKERS):\n    GreenPool(WORKERS)\nWORKERS = 8\n"
        ));
        assert!(!pool_size_proved("workers = 8\nGreenPool(workers)\n"));
    }
}
