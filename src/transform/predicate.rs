//! Conditions on a call's arguments, named in a transform case's `when`.

use tree_sitter::Node;

use crate::python::import_order::is_stdlib;
use crate::python::non_negative::Proof;
use crate::python::syntax::{dotted_name_literal, numeric_literal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Predicate {
    /// Always holds.
    Any,
    /// The argument was not passed.
    Absent,
    /// The argument was passed.
    Present,
    /// A numeric literal greater than zero.
    PositiveNumber,
    /// A numeric literal equal to zero.
    Zero,
    /// A numeric literal below zero.
    NegativeNumber,
    /// An expression proved never negative (literals, constants assigned
    /// once, `len()`, `random.randint(0, n)`, sums and products of such).
    NonNegative,
    /// An integer literal of at least one, or an `IntOpt` declared with
    /// `min >= 1` read from the configuration.
    PositiveInt,
    /// The literal `None`.
    None,
    /// An address tuple literal whose port is an integer literal above zero.
    NonzeroPort,
    /// An address tuple literal whose port is the literal 0.
    ZeroPort,
    /// The IPv4 address family, `socket.AF_INET` (or `AF_INET`): sockets of
    /// other families differ in options a rewrite may set (IPv6-only).
    Ipv4Family,
    /// Of a `*rest` parameter: it took arguments, all positional.
    Positional,
    /// Of a `*rest` parameter: it took arguments, all keywords (or `**`).
    Keywords,
    /// A string literal naming a module of the standard library by its
    /// dotted name (`'threading'`), which a top-level import never fails to
    /// load.
    StdlibModule,
}

impl Predicate {
    pub fn parse(word: &str) -> Option<Predicate> {
        Some(match word {
            "any" => Predicate::Any,
            "absent" => Predicate::Absent,
            "present" => Predicate::Present,
            "positive-number" => Predicate::PositiveNumber,
            "zero" => Predicate::Zero,
            "negative-number" => Predicate::NegativeNumber,
            "non-negative" => Predicate::NonNegative,
            "positive-int" => Predicate::PositiveInt,
            "none" => Predicate::None,
            "nonzero-port" => Predicate::NonzeroPort,
            "zero-port" => Predicate::ZeroPort,
            "ipv4-family" => Predicate::Ipv4Family,
            "positional" => Predicate::Positional,
            "keywords" => Predicate::Keywords,
            "stdlib-module" => Predicate::StdlibModule,
            _ => return Option::None,
        })
    }

    pub const WORDS: &'static str = "any, absent, present, positive-number, zero, negative-number, non-negative, \
         positive-int, none, nonzero-port, zero-port, ipv4-family, positional, keywords, stdlib-module";

    /// Evaluates the predicate on the arguments a parameter took (a
    /// `*rest` one may take several; the others take one).
    pub fn holds_on<'t>(
        self,
        args: Option<&[Node<'t>]>,
        default: Option<&str>,
        proof: &Proof<'_, 't>,
    ) -> bool {
        let keyword = |n: &Node| matches!(n.kind(), "keyword_argument" | "dictionary_splat");
        match (self, args) {
            (Predicate::Positional, Some(args)) => !args.iter().any(keyword),
            (Predicate::Keywords, Some(args)) => args.iter().all(keyword),
            (Predicate::Positional | Predicate::Keywords, Option::None) => false,
            (_, args) => self.holds(args.and_then(|a| a.first().copied()), default, proof),
        }
    }

    /// Evaluates the predicate on a passed argument, or on the parameter's
    /// default (a Python literal) when the argument is absent.
    pub fn holds<'t>(
        self,
        arg: Option<Node<'t>>,
        default: Option<&str>,
        proof: &Proof<'_, 't>,
    ) -> bool {
        let source = proof.source;
        match self {
            Predicate::Any => true,
            Predicate::Absent => arg.is_none(),
            Predicate::Present => arg.is_some(),
            Predicate::NonNegative => match arg {
                Some(node) => proof.proved(node),
                Option::None => default
                    .is_some_and(|d| matches!(parse_literal(d), Literal::Number(v, _) if v >= 0.0)),
            },
            Predicate::Positional | Predicate::Keywords => {
                self.holds_on(arg.as_ref().map(std::slice::from_ref), default, proof)
            }
            Predicate::NonzeroPort | Predicate::ZeroPort => {
                let port = arg
                    .filter(|a| a.kind() == "tuple" && a.named_child_count() == 2)
                    .and_then(|a| a.named_child(1))
                    .filter(|p| p.kind() == "integer")
                    .and_then(|p| numeric_literal(p, source));
                match port {
                    Some(p) if self == Predicate::NonzeroPort => p > 0.0,
                    Some(p) => p == 0.0,
                    Option::None => false,
                }
            }
            Predicate::Ipv4Family => {
                let named = arg.map_or(default.unwrap_or_default(), |node| match node.kind() {
                    "identifier" | "attribute" => crate::python::syntax::text(node, source),
                    _ => "",
                });
                named.rsplit('.').next() == Some("AF_INET")
            }
            Predicate::StdlibModule => arg
                .and_then(|node| dotted_name_literal(node, source))
                .is_some_and(|module| is_stdlib(&module)),
            Predicate::PositiveInt if arg.is_some_and(|node| proof.positive_int(node)) => true,
            _ => match arg {
                Some(node) => self.holds_on_literal(literal_of(node, source)),
                Option::None => default.is_some_and(|d| self.holds_on_literal(parse_literal(d))),
            },
        }
    }

    fn holds_on_literal(self, literal: Literal) -> bool {
        match (self, literal) {
            (Predicate::PositiveNumber, Literal::Number(v, _)) => v > 0.0,
            (Predicate::Zero, Literal::Number(v, _)) => v == 0.0,
            (Predicate::NegativeNumber, Literal::Number(v, _)) => v < 0.0,
            (Predicate::PositiveInt, Literal::Number(v, true)) => v >= 1.0,
            (Predicate::None, Literal::None) => true,
            _ => false,
        }
    }
}

enum Literal {
    /// The value and whether it is an integer literal.
    Number(f64, bool),
    None,
    Other,
}

fn literal_of(node: Node, source: &str) -> Literal {
    if node.kind() == "none" {
        return Literal::None;
    }
    match numeric_literal(node, source) {
        Some(v) => Literal::Number(v, is_int_node(node)),
        Option::None => Literal::Other,
    }
}

fn is_int_node(node: Node) -> bool {
    match node.kind() {
        "integer" => true,
        "unary_operator" | "parenthesized_expression" => node
            .named_child(node.named_child_count().saturating_sub(1) as u32)
            .is_some_and(is_int_node),
        _ => false,
    }
}

fn parse_literal(text: &str) -> Literal {
    if text == "None" {
        return Literal::None;
    }
    match text.parse::<f64>() {
        Ok(v) => Literal::Number(v, !text.contains(['.', 'e', 'E'])),
        Err(_) => Literal::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::{first_expression, parse};
    use crate::python::syntax::Root;

    /// Evaluates `predicate` on the argument of `f(expr)`, or on `default`
    /// where `expr` is empty (the argument is absent).
    fn holds_in(predicate: Predicate, expr: &str, default: Option<&str>) -> bool {
        let source = format!("f({expr})\n");
        let tree = parse(&source);
        let root = Root::new(tree.root_node());
        let proof = Proof::within_file(&root, &source);
        let arg = first_expression(&tree)
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0));
        predicate.holds(arg, default, &proof)
    }

    fn check(predicate: &str, expr: &str) -> bool {
        holds_in(Predicate::parse(predicate).unwrap(), expr, None)
    }

    #[test]
    fn numeric_predicates_read_literals() {
        assert!(check("positive-number", "0.5"));
        assert!(check("positive-number", "1_000"));
        assert!(!check("positive-number", "-1"));
        assert!(!check("positive-number", "x"));
        assert!(check("zero", "0.0"));
        assert!(check("negative-number", "-2"));
        assert!(check("nonzero-port", "('0.0.0.0', 8080)"));
        assert!(check("zero-port", "(host, 0)"));
        assert!(!check("nonzero-port", "(host, port)"));
        assert!(!check("negative-number", "2"));
        assert!(check("positive-int", "(3)"));
        assert!(!check("positive-int", "3.0"));
        assert!(check("none", "None"));
    }

    #[test]
    fn only_the_ipv4_family_is_ipv4() {
        assert!(check("ipv4-family", "socket.AF_INET"));
        assert!(check("ipv4-family", "AF_INET"));
        assert!(!check("ipv4-family", "socket.AF_INET6"));
        assert!(!check("ipv4-family", "family"));
        assert!(holds_in(Predicate::Ipv4Family, "", Some("socket.AF_INET")));
    }

    #[test]
    fn absent_arguments_use_the_default() {
        let p = Predicate::Zero;
        assert!(holds_in(p, "", Some("0")));
        assert!(!holds_in(Predicate::PositiveInt, "", Some("None")));
    }
}
