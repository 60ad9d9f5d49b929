//! Replacement templates: literal text with placeholders.
//!
//! - `{param}`   the source text of a call argument (or the parameter's default)
//! - `{param!p}` the same, in parentheses unless it is a primary expression
//! - `{...}`     all the call's arguments as written
//! - `{args.tuple}`, `{args.dict}` the positional arguments a `*args`
//!   parameter took, as a tuple display `(a,)`, and its keyword ones as a
//!   dict display `{'key': value}`
//! - `{@module}` the local name of a module (`import module`); the rewriter
//!   adds the import, or reuses one, and picks an alias on a name clash
//! - `{@package:module}` the same for `from package import module`
//! - `{def:name}` a module-level helper function of the catalogue; the
//!   rewriter names it as the file calls it (defined in the file, or in the
//!   project's shared helpers module)

use std::fmt;

/// The placeholder name for the call's whole argument list.
pub const ALL_ARGUMENTS: &str = "...";
/// Suffixes of a `*rest` parameter's name: its arguments as a tuple or dict.
pub const REST_AS_TUPLE: &str = ".tuple";
pub const REST_AS_DICT: &str = ".dict";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Argument {
        param: String,
        parenthesize: bool,
    },
    Module(String),
    Helper(String),
    /// The module a string argument names, imported: `{import:modname}`
    /// for `original('threading')` is `threading`. The matcher makes it a
    /// `Module` once it has read the argument (see `Template::importing`).
    ImportOf(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub pieces: Vec<Piece>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| TemplateError(format!("unclosed '{{' in template {text:?}")))?
                + open;
            let inner = &rest[open + 1..close];
            pieces.push(parse_placeholder(inner).ok_or_else(|| {
                TemplateError(format!("bad placeholder {{{inner}}} in template {text:?}"))
            })?);
            rest = &rest[close + 1..];
        }
        if rest.contains('}') {
            return Err(TemplateError(format!("stray '}}' in template {text:?}")));
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        Ok(Template { pieces })
    }

    pub fn modules(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Module(m) => Some(m.as_str()),
            _ => None,
        })
    }

    /// The module it names first, with the member read from it right
    /// after: `{@time}.sleep({seconds})` gives `time` and `sleep`.
    pub fn first_module(&self) -> Option<(&str, Option<&str>)> {
        self.module_members().next()
    }

    /// Each module it names, with the member read from it right after.
    pub fn module_members(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.pieces.iter().enumerate().filter_map(|(at, p)| {
            let Piece::Module(module) = p else {
                return None;
            };
            let member = match self.pieces.get(at + 1) {
                Some(Piece::Text(after)) => after.strip_prefix('.').and_then(|rest| {
                    let end = rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    (end > 0).then(|| &rest[..end])
                }),
                _ => None,
            };
            Some((module.as_str(), member))
        })
    }

    pub fn helpers(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Helper(h) => Some(h.as_str()),
            _ => None,
        })
    }

    pub fn params(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Argument { param, .. } | Piece::ImportOf(param) => Some(param.as_str()),
            _ => None,
        })
    }

    /// The parameters whose argument names a module to import.
    pub fn imports_of(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::ImportOf(param) => Some(param.as_str()),
            _ => None,
        })
    }

    /// The template with each module named by an argument imported by its
    /// dotted name, which `module_of` reads from the parameter's argument.
    pub fn importing(&self, module_of: impl Fn(&str) -> Option<String>) -> Option<Template> {
        let pieces = self
            .pieces
            .iter()
            .map(|p| match p {
                Piece::ImportOf(param) => module_of(param).map(Piece::Module),
                other => Some(other.clone()),
            })
            .collect::<Option<Vec<Piece>>>()?;
        Some(Template { pieces })
    }

    /// Fills the placeholders; `argument` returns the text and whether it is
    /// a primary expression, `module` the local name of a module, `helper`
    /// the expression that calls a helper.
    pub fn render(
        &self,
        argument: impl FnMut(&str) -> Option<(String, bool)>,
        module: impl FnMut(&str) -> String,
        helper: impl FnMut(&str) -> String,
    ) -> Option<String> {
        self.render_placed(argument, module, helper)
            .map(|(out, _)| out)
    }

    /// The text of a template that holds only text and modules, each module
    /// by its own name (a catalogue's dotted targets).
    pub fn as_written(&self) -> Option<String> {
        self.render(|_| None, |m| m.to_owned(), |h| h.to_owned())
    }

    /// Renders as `render` does, and tells where each argument's text
    /// begins in the output, with its parameter.
    pub fn render_placed(
        &self,
        mut argument: impl FnMut(&str) -> Option<(String, bool)>,
        mut module: impl FnMut(&str) -> String,
        mut helper: impl FnMut(&str) -> String,
    ) -> Option<(String, Vec<(usize, &str)>)> {
        let mut out = String::new();
        let mut placed = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Module(m) => out.push_str(&module(m)),
                Piece::Helper(h) => out.push_str(&helper(h)),
                // Made a module by the matcher before any rendering.
                Piece::ImportOf(_) => return None,
                Piece::Argument {
                    param,
                    parenthesize,
                } => {
                    let (text, primary) = argument(param)?;
                    let parenthesized = *parenthesize && !primary;
                    if parenthesized {
                        out.push('(');
                    }
                    placed.push((out.len(), param.as_str()));
                    out.push_str(&text);
                    if parenthesized {
                        out.push(')');
                    }
                }
            }
        }
        Some((out, placed))
    }
}

fn parse_placeholder(inner: &str) -> Option<Piece> {
    let is_dotted_name = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|part| {
                part.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    };
    if inner == ALL_ARGUMENTS {
        return Some(Piece::Argument {
            param: ALL_ARGUMENTS.to_owned(),
            parenthesize: false,
        });
    }
    if let Some(helper) = inner.strip_prefix("def:") {
        return (is_dotted_name(helper) && !helper.contains('.'))
            .then(|| Piece::Helper(helper.to_owned()));
    }
    if let Some(param) = inner.strip_prefix("import:") {
        return (is_dotted_name(param) && !param.contains('.'))
            .then(|| Piece::ImportOf(param.to_owned()));
    }
    if let Some(module) = inner.strip_prefix('@') {
        // `{@a.b}` imports a.b; `{@a:b}` is `from a import b`.
        let valid = match module.split_once(':') {
            Some((package, name)) => {
                is_dotted_name(package) && is_dotted_name(name) && !name.contains('.')
            }
            None => is_dotted_name(module),
        };
        return valid.then(|| Piece::Module(module.to_owned()));
    }
    let (param, parenthesize) = match inner.strip_suffix("!p") {
        Some(p) => (p, true),
        None => (inner, false),
    };
    let name = param
        .strip_suffix(REST_AS_TUPLE)
        .or_else(|| param.strip_suffix(REST_AS_DICT))
        .unwrap_or(param);
    (is_dotted_name(name) && !name.contains('.')).then(|| Piece::Argument {
        param: param.to_owned(),
        parenthesize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_arguments_and_modules() {
        let t = Template::parse("{@time}.sleep(max(0, {seconds}))").unwrap();
        let out = t
            .render(
                |_| Some(("delay".into(), true)),
                |m| format!("{m}_mod"),
                |h| h.into(),
            )
            .unwrap();
        assert_eq!(out, "time_mod.sleep(max(0, delay))");
    }

    #[test]
    fn helpers_render_as_the_file_calls_them() {
        let t = Template::parse("{def:_run}({...})").unwrap();
        assert_eq!(t.helpers().collect::<Vec<_>>(), ["_run"]);
        let out = t.render(
            |_| Some(("f, 1".into(), false)),
            |m| m.into(),
            |h| format!("helpers.{}", h.trim_start_matches('_')),
        );
        assert_eq!(out.as_deref(), Some("helpers.run(f, 1)"));
    }

    #[test]
    fn parenthesizes_non_primary_arguments() {
        let t = Template::parse("{obj!p}").unwrap();
        assert_eq!(
            t.render(
                |_| Some(("a + b".into(), false)),
                |m| m.into(),
                |h| h.into()
            )
            .unwrap(),
            "(a + b)"
        );
    }

    #[test]
    fn the_first_module_comes_with_the_member_read_from_it() {
        let first = |text| {
            Template::parse(text)
                .unwrap()
                .first_module()
                .map(|(m, a)| (m.to_owned(), a.map(str::to_owned)))
        };
        assert_eq!(
            first("{@threading}.Thread(target={func}).start()"),
            Some(("threading".into(), Some("Thread".into())))
        );
        assert_eq!(first("{@os}"), Some(("os".into(), None)));
        assert_eq!(
            first("max({seconds}, {@time}.monotonic())"),
            Some(("time".into(), Some("monotonic".into())))
        );
        assert_eq!(first("{def:_run}({...})"), None);
    }

    #[test]
    fn rejects_malformed_placeholders() {
        assert!(Template::parse("{@}").is_err());
        assert!(Template::parse("x(}").is_err());
        assert!(Template::parse("{a b}").is_err());
        assert!(Template::parse("{def:a.b}").is_err());
    }

    #[test]
    fn a_module_an_argument_names_renders_once_imported() {
        let t = Template::parse("{import:modname}.Thread").unwrap();
        assert_eq!(t.imports_of().collect::<Vec<_>>(), ["modname"]);
        assert_eq!(t.render(|_| None, |m| m.into(), |h| h.into()), None);
        let imported = t.importing(|_| Some("threading".into())).unwrap();
        assert_eq!(imported.as_written().as_deref(), Some("threading.Thread"));
        assert!(t.importing(|_| None).is_none());
    }
}
