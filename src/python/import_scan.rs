//! Reading the import statements of any Python file, fast: the project's
//! module graph needs every file's imports, while only files that mention
//! eventlet are parsed with tree-sitter (a full parse of every file would
//! cost several times the whole run). A small lexer splits the source into
//! logical lines (strings, comments, brackets and backslash continuations
//! understood) and reads only `import` / `from ... import` statements, the
//! `def`/`class` nesting around them, and the `__main__` guard. It never
//! rewrites anything.

/// What a module imports, and whether it runs as a script.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ImportScan {
    pub imports: Vec<ScannedImport>,
    /// A module-level `if __name__ == "__main__":`.
    pub main_guard: bool,
    /// A function or method named `test...`, which a test runner runs.
    pub defines_tests: bool,
    /// The line of a module-level `os.environ['EVENTLET_NO_GREENDNS'] =
    /// 'yes'` (or its `setdefault`): eventlet's green socket, imported
    /// after it, looks names up with the system resolver, not greendns.
    pub greendns_off: Option<usize>,
}

/// What importing a module does to the resolver that eventlet's green
/// socket picks when eventlet is first imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolverChoice {
    /// It turns greendns off before importing anything that may load
    /// eventlet.
    TurnsGreendnsOff,
    /// It imports nothing that may load eventlet, and leaves the choice.
    Leaves,
    /// It may load eventlet, greendns on, before any choice is made.
    MayLoadEventlet,
}

impl ImportScan {
    pub fn resolver_choice(&self) -> ResolverChoice {
        // Only modules of the standard library that never import eventlet.
        let may_load = |i: &&ScannedImport| {
            let never_loads = i.level == 0 && matches!(i.module.as_str(), "os" | "sys");
            !(i.in_function || never_loads)
        };
        let first_load = self.imports.iter().filter(may_load).map(|i| i.line).min();
        match (self.greendns_off, first_load) {
            (Some(off), first) if first.is_none_or(|load| off < load) => {
                ResolverChoice::TurnsGreendnsOff
            }
            (_, None) => ResolverChoice::Leaves,
            _ => ResolverChoice::MayLoadEventlet,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScannedImport {
    /// The leading dots of a relative import (0 for an absolute one).
    pub level: usize,
    /// The dotted module named (`a.b` in `import a.b` and `from a.b import
    /// c`; empty in `from . import c`).
    pub module: String,
    /// The names a from-import takes (each may be a submodule); empty for
    /// `import a.b`.
    pub names: Vec<String>,
    /// Inside a function, so it runs when the function is called rather
    /// than when the module is imported.
    pub in_function: bool,
    pub line: usize,
}

/// The imports and main guard of `source` (any text: undecodable bytes
/// were replaced before, and syntax errors only cost what they touch).
pub fn scan(source: &str) -> ImportScan {
    let mut found = ImportScan::default();
    // (indentation, is a function) of the enclosing def/class headers.
    let mut blocks: Vec<(usize, bool)> = Vec::new();
    logical_lines(
        source,
        |word| WORDS.contains(&word),
        |line| {
            while blocks
                .last()
                .is_some_and(|(indent, _)| line.indent <= *indent)
            {
                blocks.pop();
            }
            let in_function = blocks.iter().any(|(_, function)| *function);
            for statement in split_statements(line.text) {
                let statement = statement.trim();
                if let Some(rest) = statement.strip_prefix("import ") {
                    found
                        .imports
                        .extend(plain_imports(rest, in_function, line.number));
                } else if let Some(rest) = statement.strip_prefix("from ") {
                    found
                        .imports
                        .extend(from_import(rest, in_function, line.number));
                } else if line.indent == 0 && turns_greendns_off(statement) {
                    found.greendns_off.get_or_insert(line.number);
                }
            }
            let text = line.text.trim();
            let header = text.strip_prefix("async ").unwrap_or(text);
            if let Some(name) = header.strip_prefix("def ") {
                found.defines_tests |= name.starts_with("test");
                blocks.push((line.indent, true));
            } else if header.starts_with("class ") {
                blocks.push((line.indent, false));
            } else if line.indent == 0 && is_main_guard(text) {
                found.main_guard = true;
            }
        },
    );
    found
}

/// One logical line: its first physical line's number and indentation, and
/// its text with comments dropped and line breaks inside brackets or after
/// a backslash made spaces (string literals kept as written).
pub(crate) struct LogicalLine<'t> {
    pub number: usize,
    pub indent: usize,
    pub text: &'t str,
}

/// The statements that matter here start with one of these words; other
/// logical lines are skipped without copying their text.
const WORDS: &[&str] = &["import", "from", "def", "class", "async", "if", "os"];

/// Hands each logical line of `source` to `each`, in order; the text of
/// those whose first word `keep_text` refuses is left empty (it is not
/// copied).
pub(crate) fn logical_lines(
    source: &str,
    keep_text: impl Fn(&str) -> bool,
    mut each: impl FnMut(LogicalLine<'_>),
) {
    let bytes = source.as_bytes();
    let mut text = String::new();
    let (mut depth, mut number, mut at) = (0usize, 1usize, 0usize);
    // The current logical line: its first line, indentation, and whether
    // its text is kept.
    let mut start: Option<(usize, usize, bool)> = None;
    let mut line_start = 0usize;
    while at < bytes.len() {
        let c = bytes[at];
        if start.is_none() {
            match c {
                b' ' | b'\t' | b'\x0c' => {
                    at += 1;
                    continue;
                }
                b'\r' | b'\n' | b'#' => {}
                _ => {
                    let word_end = bytes[at..]
                        .iter()
                        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                        .map_or(bytes.len(), |n| at + n);
                    let keep = keep_text(&source[at..word_end]);
                    start = Some((number, indentation(&source[line_start..at]), keep));
                }
            }
        }
        let keep = start.is_some_and(|(_, _, keep)| keep);
        match c {
            b'#' => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
                continue;
            }
            b'\\' if matches!(bytes.get(at + 1), Some(b'\n' | b'\r')) => {
                at += 1;
                if bytes.get(at) == Some(&b'\r') && bytes.get(at + 1) == Some(&b'\n') {
                    at += 1;
                }
                number += 1;
                if keep {
                    text.push(' ');
                }
            }
            b'\n' => {
                number += 1;
                line_start = at + 1;
                if depth == 0 {
                    if let Some((first, indent, _)) = start.take() {
                        each(LogicalLine {
                            number: first,
                            indent,
                            text: &text,
                        });
                        text.clear();
                    }
                } else if keep {
                    text.push(' ');
                }
            }
            b'\r' => {}
            b'(' | b'[' | b'{' | b')' | b']' | b'}' => {
                depth = if matches!(c, b'(' | b'[' | b'{') {
                    depth + 1
                } else {
                    depth.saturating_sub(1)
                };
                if keep {
                    text.push(c as char);
                }
            }
            b'\'' | b'"' => {
                let end = string_end(bytes, at);
                let literal = &source[at..end];
                for (i, _) in literal.match_indices('\n') {
                    number += 1;
                    line_start = at + i + 1;
                }
                if keep {
                    text.push_str(literal);
                }
                at = end;
                continue;
            }
            _ => {
                // The run of plain text up to the next byte that matters,
                // copied at once (those bytes are ASCII, so the run ends
                // on a character boundary).
                let end = bytes[at + 1..]
                    .iter()
                    .position(|b| {
                        matches!(
                            b,
                            b'#' | b'\\'
                                | b'\n'
                                | b'\r'
                                | b'('
                                | b'['
                                | b'{'
                                | b')'
                                | b']'
                                | b'}'
                                | b'\''
                                | b'"'
                        )
                    })
                    .map_or(bytes.len(), |n| at + 1 + n);
                if keep {
                    text.push_str(&source[at..end]);
                }
                at = end;
                continue;
            }
        }
        at += 1;
    }
    if let Some((first, indent, _)) = start {
        each(LogicalLine {
            number: first,
            indent,
            text: &text,
        });
    }
}

/// Columns of leading whitespace, tabs to the next multiple of 8 as
/// Python counts them.
fn indentation(leading: &str) -> usize {
    leading.chars().fold(0, |column, c| match c {
        '\t' => (column / 8 + 1) * 8,
        _ => column + 1,
    })
}

/// The end of the string literal whose quote is at `at` (a prefix such as
/// `r` or `b` was copied as ordinary text before it). A backslash always
/// keeps the next character inside, as it does for the tokenizer.
pub(crate) fn string_end(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    let triple = bytes.get(at + 1) == Some(&quote) && bytes.get(at + 2) == Some(&quote);
    let mut i = if triple { at + 3 } else { at + 1 };
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if !triple => return i,
            c if c == quote => {
                if !triple {
                    return i + 1;
                }
                if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                    return i + 3;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The simple statements of a logical line (`import a; import b`), outside
/// brackets and strings.
fn split_statements(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut begin = 0;
    for i in top_level(text).filter(|&i| text.as_bytes()[i] == b';') {
        parts.push(&text[begin..i]);
        begin = i + 1;
    }
    parts.push(&text[begin..]);
    parts
}

/// The offsets of the bytes of a line of code that lie outside string
/// literals and brackets (the brackets themselves excluded), in order.
pub(crate) fn top_level(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    let (mut depth, mut at) = (0usize, 0usize);
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let i = at;
            at += 1;
            match bytes[i] {
                b'\'' | b'"' => at = string_end(bytes, i),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ if depth == 0 => return Some(i),
                _ => {}
            }
        }
        None
    })
}

fn is_dotted_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

/// `import a.b as c, d` (the text after `import`).
fn plain_imports(rest: &str, in_function: bool, line: usize) -> Vec<ScannedImport> {
    rest.split(',')
        .filter_map(|part| {
            let name = part.split(" as ").next()?.trim();
            is_dotted_name(name).then(|| ScannedImport {
                level: 0,
                module: name.to_owned(),
                names: Vec::new(),
                in_function,
                line,
            })
        })
        .collect()
}

/// `from ..a.b import (c as d, e)` (the text after `from`).
fn from_import(rest: &str, in_function: bool, line: usize) -> Option<ScannedImport> {
    let (source, names) = rest.split_once(" import")?;
    let source = source.trim();
    let level = source.chars().take_while(|c| *c == '.').count();
    let module = source[level..].trim();
    if !module.is_empty() && !is_dotted_name(module) {
        return None;
    }
    let names = names.trim().trim_start_matches('(').trim_end_matches(')');
    let names: Vec<String> = names
        .split(',')
        .filter_map(|part| {
            let name = part.split(" as ").next()?.trim();
            (name == "*" || is_dotted_name(name)).then(|| name.to_owned())
        })
        .collect();
    (level > 0 || !module.is_empty()).then(|| ScannedImport {
        level,
        module: module.to_owned(),
        names,
        in_function,
        line,
    })
}

/// `os.environ['EVENTLET_NO_GREENDNS'] = 'yes'`, or its `setdefault`
/// form, either quotes (eventlet reads the value in any case). This only
/// answers whether a program turns greendns off (the `resolver`
/// difference), read with its imports before any file is parsed; every
/// setting of an `EVENTLET_` variable, as a use, is found in the parse
/// tree by `python::environment_settings`.
fn turns_greendns_off(statement: &str) -> bool {
    let compact: String = statement
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    let value = compact
        .strip_prefix("os.environ['EVENTLET_NO_GREENDNS']=")
        .or_else(|| {
            compact
                .strip_prefix("os.environ.setdefault('EVENTLET_NO_GREENDNS',")
                .and_then(|rest| rest.strip_suffix(')'))
        });
    value.is_some_and(|v| v.eq_ignore_ascii_case("'yes'"))
}

/// `if __name__ == "__main__":`, either way round, either quotes.
pub fn is_main_guard(text: &str) -> bool {
    text.strip_prefix("if")
        .and_then(|rest| rest.trim_end().strip_suffix(':'))
        .is_some_and(is_main_condition)
}

/// `__name__ == "__main__"`, the condition of a main guard.
pub fn is_main_condition(condition: &str) -> bool {
    let words: String = condition.chars().filter(|c| !c.is_whitespace()).collect();
    let words = words.trim_start_matches('(').trim_end_matches(')');
    ["'__main__'", "\"__main__\""]
        .iter()
        .any(|main| words == format!("__name__=={main}") || words == format!("{main}==__name__"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(source: &str) -> Vec<(usize, String, Vec<String>, bool)> {
        scan(source)
            .imports
            .into_iter()
            .map(|i| (i.level, i.module, i.names, i.in_function))
            .collect()
    }

    #[test]
    fn greendns_is_off_only_when_set_before_eventlet_may_load() {
        let choice = |source: &str| scan(source).resolver_choice();
        // cinder's and designate's package __init__.
        assert_eq!(
            choice("import os\n\nos.environ['EVENTLET_NO_GREENDNS'] = 'yes'\nimport eventlet\n"),
            ResolverChoice::TurnsGreendnsOff
        );
        assert_eq!(
            choice("import os\nos.environ.setdefault(\"EVENTLET_NO_GREENDNS\", \"YES\")  # x\n"),
            ResolverChoice::TurnsGreendnsOff
        );
        // ironic-python-agent's: eventlet has already picked greendns.
        assert_eq!(
            choice("import os\nimport eventlet\nos.environ['EVENTLET_NO_GREENDNS'] = \"yes\"\n"),
            ResolverChoice::MayLoadEventlet
        );
        // Inside a function it runs too late, or never; 'no' keeps it on.
        assert_eq!(
            choice("import os\ndef f():\n    os.environ['EVENTLET_NO_GREENDNS'] = 'yes'\n"),
            ResolverChoice::Leaves
        );
        assert_eq!(
            choice("import os\nos.environ['EVENTLET_NO_GREENDNS'] = 'no'\nimport a\n"),
            ResolverChoice::MayLoadEventlet
        );
    }

    #[test]
    fn reads_both_forms_with_aliases_brackets_and_continuations() {
        let source = "import os, a.b as c\nfrom .x import (y,\n    z as w)\n\
                      from .. import q\nfrom m \\\n    import n; import p\n";
        assert_eq!(
            modules(source),
            vec![
                (0, "os".into(), vec![], false),
                (0, "a.b".into(), vec![], false),
                (1, "x".into(), vec!["y".into(), "z".into()], false),
                (2, "".into(), vec!["q".into()], false),
                (0, "m".into(), vec!["n".into()], false),
                (0, "p".into(), vec![], false),
            ]
        );
        let lines: Vec<usize> = scan(source).imports.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![1, 1, 2, 4, 5, 5]);
    }

    #[test]
    fn strings_and_comments_hide_imports() {
        let source = "'''\nimport hidden\n'''\nx = \"import no\"  # import nope\n\
                      s = r'\\''\nimport real\n";
        assert_eq!(modules(source), vec![(0, "real".into(), vec![], false)]);
    }

    #[test]
    fn imports_inside_functions_are_marked_and_classes_are_not_functions() {
        let source = "def f():\n    import inner\n\n    def g():\n        import deeper\n\
                      import outer\nclass C:\n    import in_class\n\
                      async def h():\n    from x import y\nif True:\n    import guarded\n";
        let found = modules(source);
        let in_function: Vec<(&str, bool)> =
            found.iter().map(|(_, m, _, f)| (m.as_str(), *f)).collect();
        assert_eq!(
            in_function,
            vec![
                ("inner", true),
                ("deeper", true),
                ("outer", false),
                ("in_class", false),
                ("x", true),
                ("guarded", false),
            ]
        );
    }

    #[test]
    fn finds_the_tests_a_runner_runs() {
        assert!(scan("class T:\n    def test_x(self):\n        pass\n").defines_tests);
        assert!(scan("async def test_y():\n    pass\n").defines_tests);
        assert!(
            !scan("class TestResource:\n    def handle_create(self):\n        pass\n")
                .defines_tests
        );
    }

    #[test]
    fn finds_the_main_guard_at_module_level_only() {
        assert!(scan("import sys\nif __name__ == '__main__':\n    main()\n").main_guard);
        assert!(scan("if \"__main__\" == __name__:\n    pass\n").main_guard);
        assert!(!scan("def f():\n    if __name__ == '__main__':\n        pass\n").main_guard);
        assert!(!scan("if __name__ == 'x':\n    pass\n").main_guard);
    }

    #[test]
    fn crlf_tabs_and_unterminated_strings_do_not_derail_it() {
        let source = "import a\r\nif x:\r\n\timport b\r\ns = 'open\r\nimport c\r\n";
        let found: Vec<String> = modules(source).into_iter().map(|m| m.1).collect();
        assert_eq!(found, vec!["a", "b", "c"]);
    }
}
