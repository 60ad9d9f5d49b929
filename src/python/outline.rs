//! A module's top-level functions and classes, and the names each of them
//! mentions: what finding which code may call which needs, for any file of
//! the project (read by the small lexer of the imports, since a parse of
//! every file would cost too much).
//!
//! A line belongs to the top-level function or class whose code it is, or
//! to the module when it runs at import: module-level statements, and in a
//! class body everything outside its methods (decorators, bases, default
//! values, class attributes). A class is one unit with its methods: a
//! method runs wherever an instance of its class may exist. A class an
//! `except` clause catches is no mention: no instance comes of it there;
//! one `isinstance()` tests for is a mention only of a `__subclasshook__`.

use super::import_scan::{is_main_guard, logical_lines, string_end, top_level};

/// The name of the definition a module's main block is: not one code can
/// mention.
const MAIN_BLOCK: &str = "if __name__ == '__main__'";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopDef {
    pub name: String,
    /// Decorated: the decorator receives it when the module is imported
    /// (a registry, a route), so it may run without its name being read.
    pub decorated: bool,
    /// A class that defines `__subclasshook__`, which `isinstance()` and
    /// `issubclass()` run (through `abc.ABCMeta`).
    pub hooks_type_tests: bool,
}

impl TopDef {
    /// A definition neither decorated nor hooking type tests.
    fn plain(name: &str) -> TopDef {
        TopDef {
            name: name.to_owned(),
            decorated: false,
            hooks_type_tests: false,
        }
    }
}

#[derive(Debug, Default)]
pub struct Outline {
    pub defs: Vec<TopDef>,
    /// From which line on the code is whose (`None`: code that runs at
    /// import), in order.
    owners: Vec<(usize, Option<usize>)>,
    /// The names mentioned (by [`name_key`]) with where, sorted, without
    /// repeats: compact, as every file of a project has one.
    mentions: Vec<(u64, Mention)>,
    /// The module paths that dotted paths name their names in (`pkg.mod`
    /// of `'pkg.mod.Name'` or `'pkg.mod:name'`), each once.
    pub modules: Vec<String>,
}

/// Words that never name a function or class: the keywords, and the
/// names methods give their instance and class (the most common words).
fn never_defined(word: &str) -> bool {
    // A match, not a list: it runs for every word of every file.
    matches!(
        word,
        "self"
            | "cls"
            | "None"
            | "True"
            | "False"
            | "and"
            | "as"
            | "assert"
            | "async"
            | "await"
            | "break"
            | "class"
            | "continue"
            | "def"
            | "del"
            | "elif"
            | "else"
            | "except"
            | "finally"
            | "for"
            | "from"
            | "global"
            | "if"
            | "import"
            | "in"
            | "is"
            | "lambda"
            | "nonlocal"
            | "not"
            | "or"
            | "pass"
            | "raise"
            | "return"
            | "try"
            | "while"
            | "with"
            | "yield"
    )
}

/// The key of a name among mentions: a 64-bit hash (two names that share
/// one would only count as calling each other, never as not calling).
pub fn name_key(name: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(name)
}

/// A line that mentions a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mention {
    /// The definition whose code the line is (`None`: it runs at import).
    pub owner: Option<usize>,
    /// In a string holding a dotted path: code loaded by name, which
    /// needs no import.
    pub by_path: bool,
    /// In a dotted path, the index among the outline's `modules` of the
    /// path before the name: only a definition of that module is named.
    /// `None` where that part is no plain path (a template, `'%s.Name'`,
    /// a relative path, a piece of a longer one), so any module may be
    /// meant.
    pub module: Option<u32>,
    /// Only the class `isinstance()` or `issubclass()` tests for: it runs
    /// none of the class's code but a `__subclasshook__`.
    pub type_tested: bool,
}

impl Outline {
    pub fn of(source: &str) -> Outline {
        let mut outline = Outline::default();
        // The enclosing headers: (indentation, is a function).
        let mut blocks: Vec<(usize, bool)> = Vec::new();
        let mut decorated = false;
        // Most words are seen many times: kept once each here.
        let mut seen: foldhash::HashSet<(u64, Mention)> = foldhash::HashSet::default();
        let mut module_index: foldhash::HashMap<String, u32> = foldhash::HashMap::default();
        logical_lines(
            source,
            |_| true,
            |line| {
                while blocks
                    .last()
                    .is_some_and(|(indent, _)| line.indent <= *indent)
                {
                    blocks.pop();
                }
                let text = line.text.trim();
                let header = text.strip_prefix("async ").unwrap_or(text);
                let def = header.starts_with("def ") || header.starts_with("class ");
                let assigned = (blocks.is_empty() && !def)
                    .then(|| assigned_name(text))
                    .flatten();
                // A header's own name, or an assignment's, is not a mention.
                let own_name = def.then(|| header.split_whitespace().nth(1)).flatten();
                let own_name = own_name
                    .map(|n| n.split(['(', ':']).next().unwrap_or(n))
                    .or(assigned);
                // A script's main block runs only where the file is run,
                // not imported: a definition of its own, which no name
                // leads to.
                let main_guard = blocks.is_empty() && is_main_guard(text);
                if main_guard {
                    outline.defs.push(TopDef::plain(MAIN_BLOCK));
                }
                if !blocks.is_empty()
                    && header.starts_with("def __subclasshook__")
                    && let Some(class) = outline.defs.last_mut()
                {
                    class.hooks_type_tests = true;
                }
                let owner = if blocks.is_empty() && def {
                    outline.defs.push(TopDef {
                        decorated: std::mem::take(&mut decorated),
                        ..TopDef::plain(own_name.unwrap_or_default())
                    });
                    // A class's bases run where the class does (a subclass
                    // instance); a function's default values, and a
                    // metaclass, run at import.
                    let bases = header.starts_with("class ") && !header.contains("metaclass");
                    bases.then(|| outline.defs.len() - 1)
                } else if blocks.iter().any(|(_, function)| *function) {
                    outline.defs.len().checked_sub(1)
                } else {
                    None
                };
                if blocks.is_empty() && text.starts_with('@') {
                    decorated = true;
                }
                if outline.owners.last().is_none_or(|(_, last)| *last != owner) {
                    outline.owners.push((line.number, owner));
                }
                // A docstring calls nothing.
                if only_strings(text) {
                    return;
                }
                // `from m import a, b as c` at module level runs nothing: it
                // passes each name on, as `c = m.b` would, to code that
                // mentions the name it binds.
                if blocks.is_empty()
                    && let Some(names) = imported_names(text)
                {
                    for (name, bound) in names {
                        outline.defs.push(TopDef::plain(bound));
                        let passer = Some(outline.defs.len() - 1);
                        seen.insert((
                            name_key(name),
                            Mention {
                                owner: passer,
                                by_path: false,
                                module: None,
                                type_tested: false,
                            },
                        ));
                    }
                    return;
                }
                // What code at import refers to without calling it runs only
                // through what holds it: the module-level name assigned, or the
                // class whose attribute it is.
                let holder = match (owner, assigned) {
                    (Some(_), _) => None,
                    (None, Some(name)) => {
                        outline.defs.push(TopDef::plain(name));
                        Some(outline.defs.len() - 1)
                    }
                    (None, None) if !blocks.is_empty() && !def => outline.defs.len().checked_sub(1),
                    (None, None) => None,
                };
                let mut skipped_own = false;
                identifiers(line.text, |word| {
                    if !skipped_own && !word.by_path && Some(word.text) == own_name {
                        skipped_own = true;
                        return;
                    }
                    if never_defined(word.text) || word.caught {
                        return;
                    }
                    let module = word.module.map(|path| {
                        let path = match path.contains(':') {
                            true => std::borrow::Cow::Owned(path.replace(':', ".")),
                            false => std::borrow::Cow::Borrowed(path),
                        };
                        // Most paths are seen before: kept once each.
                        let next = module_index.len() as u32;
                        match module_index.get(path.as_ref()) {
                            Some(&index) => index,
                            None => *module_index.entry(path.into_owned()).or_insert(next),
                        }
                    });
                    let owner = if word.called { owner } else { owner.or(holder) };
                    let mention = Mention {
                        owner,
                        by_path: word.by_path,
                        module,
                        type_tested: word.type_tested,
                    };
                    seen.insert((name_key(word.text), mention));
                });
                if def || main_guard {
                    blocks.push((line.indent, header.starts_with("def ") || main_guard));
                }
            },
        );
        outline.mentions = seen.into_iter().collect();
        outline.mentions.sort_unstable();
        outline.modules = vec![String::new(); module_index.len()];
        for (path, index) in module_index {
            outline.modules[index as usize] = path;
        }
        outline
    }

    /// The definition whose code line `line` is, or `None` when it runs at
    /// import.
    pub fn owner_of(&self, line: usize) -> Option<usize> {
        let after = self.owners.partition_point(|(first, _)| *first <= line);
        after.checked_sub(1).and_then(|i| self.owners[i].1)
    }

    /// Every name mentioned (by key), with where.
    pub fn mentions(&self) -> &[(u64, Mention)] {
        &self.mentions
    }

    /// The mentions of the name of `key`.
    pub fn mentions_of(&self, key: u64) -> impl Iterator<Item = &Mention> {
        let first = self.mentions.partition_point(|(k, _)| *k < key);
        self.mentions[first..]
            .iter()
            .take_while(move |(k, _)| *k == key)
            .map(|(_, mention)| mention)
    }

    /// The lines that mention `name`.
    #[cfg(test)]
    pub fn mentioned_by(&self, name: &str) -> Vec<Mention> {
        let key = name_key(name);
        self.mentions
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, m)| *m)
            .collect()
    }
}

/// Whether a statement is nothing but string literals (a docstring), none
/// of them an f-string, whose fields run code.
fn only_strings(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let prefix = bytes[at..]
            .iter()
            .take_while(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'u'))
            .count();
        at += prefix;
        if !matches!(bytes.get(at), Some(b'\'' | b'"')) {
            return false;
        }
        at = string_end(bytes, at);
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
    }
    !text.is_empty()
}

/// A name in a line of code.
struct Word<'t> {
    text: &'t str,
    /// In a string holding a dotted path.
    by_path: bool,
    /// Called or used (followed by `(`, `.` or `[`) rather than only
    /// referred to.
    called: bool,
    /// A class an `except` clause catches: none of its code runs there.
    caught: bool,
    /// The second argument of `isinstance()` or `issubclass()`
    /// (`isinstance(self, base.Manager)`, a tuple of classes too).
    type_tested: bool,
    /// In a dotted path, the path before it (`pkg.mod` of `pkg.mod.Name`,
    /// empty for the first name); `None` where that is no plain path.
    module: Option<&'t str>,
}

/// Hands `each` the names of a line of code, but those of strings with
/// spaces. A non-ASCII character counts as part of a name, as Python
/// allows.
fn identifiers<'t>(text: &'t str, mut each: impl FnMut(Word<'t>)) {
    let bytes = text.as_bytes();
    let caught_end = except_clause_end(text);
    // `whole_path`: the string is a whole path, not a relative one or a
    // piece of one split over literals that follow each other.
    let mut words = |range: std::ops::Range<usize>, by_path: bool, whole_path: bool| {
        // A string's text starts after its quotes.
        let path_start = range.start
            + bytes[range.clone()]
                .iter()
                .take_while(|b| matches!(b, b'\'' | b'"'))
                .count();
        let mut at = range.start;
        while at < range.end {
            if !is_name(bytes[at]) {
                at += 1;
                continue;
            }
            let begin = at;
            while at < range.end && is_name(bytes[at]) {
                at += 1;
            }
            if bytes[begin].is_ascii_digit() {
                continue;
            }
            let next = bytes[at..].iter().find(|b| !b.is_ascii_whitespace());
            let called = matches!(next, Some(b'(' | b'.' | b'['));
            let a_type = !by_path && !called;
            let caught =
                a_type && caught_end.is_some_and(|end| at <= end) && caught_directly(bytes, begin);
            let module = (by_path && whole_path)
                .then(|| module_before(text, path_start, begin))
                .flatten();
            let word = Word {
                text: &text[begin..at],
                by_path,
                called,
                caught,
                type_tested: a_type && type_tested(bytes, begin, at),
                module,
            };
            each(word);
        }
    };
    let (mut code_start, mut at) = (0, 0);
    // The string before was a mock's target (the next one may continue it).
    let mut in_target = false;
    let mut after_string = false;
    while at < bytes.len() {
        if matches!(bytes[at], b'\'' | b'"') {
            let code = &bytes[code_start..at];
            words(code_start..at, false, true);
            let end = string_end(bytes, at);
            let continues = after_string && code.iter().all(u8::is_ascii_whitespace);
            in_target = if continues {
                in_target
            } else {
                is_mock_call_opening(code)
            };
            after_string = true;
            // A string may name code to load: a dotted path (`pkg.mod.Name`,
            // `pkg.mod:name`, a template of one) from anywhere, a bare name
            // (for getattr) like code; one with spaces is prose. What a
            // mock replaces only has its module imported.
            let literal = &bytes[at..end];
            if !in_target && !literal.iter().any(u8::is_ascii_whitespace) {
                let content = literal.iter().find(|b| !matches!(b, b'\'' | b'"'));
                let relative = matches!(content, Some(b'.' | b':'));
                let by_path = literal.iter().any(|b| matches!(b, b'.' | b':'));
                words(at..end, by_path, !continues && !relative);
            }
            (code_start, at) = (end, end);
        } else {
            at += 1;
        }
    }
    words(code_start..bytes.len(), false, true);
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Whether code ends by opening a call that replaces what its first
/// argument, a dotted path, names: `mock.patch(`, `patch.multiple(`,
/// `fixtures.MockPatch(`, `fixtures.MonkeyPatch(`, a test's `stub_out(`.
fn is_mock_call_opening(code: &[u8]) -> bool {
    let Some(open) = code.iter().rposition(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    code[open] == b'('
        && matches!(
            callee_before(code, open),
            (
                _,
                b"patch" | b"multiple" | b"MockPatch" | b"MonkeyPatch" | b"stub_out"
            )
        )
}

/// The name a call's `(` at `open` follows, with where it starts (an
/// empty name where none does).
fn callee_before(bytes: &[u8], open: usize) -> (usize, &[u8]) {
    let end = bytes[..open]
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    let start = bytes[..end]
        .iter()
        .rposition(|&b| !is_name(b))
        .map_or(0, |i| i + 1);
    (start, &bytes[start..end])
}

/// The module path a dotted path names the name at `begin` in: the text
/// from `path_start` to the `.` or `:` before it (empty for the first
/// name), if that is only names and dots.
fn module_before(text: &str, path_start: usize, begin: usize) -> Option<&str> {
    if begin == path_start {
        return Some("");
    }
    let bytes = text.as_bytes();
    if !matches!(bytes[begin - 1], b'.' | b':') {
        return None;
    }
    let path = &text[path_start..begin - 1];
    path.bytes()
        .all(|b| is_name(b) || matches!(b, b'.' | b':'))
        .then_some(path)
}

/// Where the classes of an `except` clause end (its `:`), if the line is
/// one.
fn except_clause_end(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("except")?;
    if rest.bytes().next().is_some_and(is_name) {
        return None;
    }
    text.find(':')
}

/// Whether the name at `begin..end` of a line ends a reference that is the
/// second argument of `isinstance()` or `issubclass()`, or an item of a
/// tuple that is. Anything unclear (a string on the way) is not.
fn type_tested(bytes: &[u8], begin: usize, end: usize) -> bool {
    let start = reference_start(bytes, begin);
    let after = bytes[end..].iter().find(|b| !b.is_ascii_whitespace());
    let before = bytes[..start]
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace());
    if !matches!(after, Some(b')' | b',')) || !matches!(before, Some(b',' | b'(')) {
        return false;
    }
    let Enclosing::Paren(open) = enclosing(bytes, 0, start) else {
        return false;
    };
    if second_argument_of_type_test(bytes, open, start) {
        return true;
    }
    // A tuple of classes: its own bracket is the second argument.
    let tuple_start = open;
    bytes[..tuple_start]
        .iter()
        .rev()
        .find(|b| !b.is_ascii_whitespace())
        == Some(&b',')
        && matches!(enclosing(bytes, 0, tuple_start),
            Enclosing::Paren(call) if second_argument_of_type_test(bytes, call, tuple_start))
}

/// Where the dotted reference (`base_manager.Manager`) that the name at
/// `begin` ends starts.
fn reference_start(bytes: &[u8], begin: usize) -> usize {
    let mut start = begin;
    while start > 1 && bytes[start - 1] == b'.' && is_name(bytes[start - 2]) {
        start -= 1;
        while start > 0 && is_name(bytes[start - 1]) {
            start -= 1;
        }
    }
    start
}

/// Whether the reference that the name at `begin` of an `except` clause
/// ends is what the clause catches: outside any bracket, or an item of the
/// tuple right after `except` (not an argument of a call there, whose
/// code runs). A string on the way leaves it a mention.
fn caught_directly(bytes: &[u8], begin: usize) -> bool {
    let clause = "except".len();
    match enclosing(bytes, clause, reference_start(bytes, begin)) {
        Enclosing::Nothing => true,
        Enclosing::Paren(open) => matches!(bytes[clause..open].trim_ascii(), b"" | b"*"),
        Enclosing::Unclear => false,
    }
}

/// What encloses a position of a line, back to a start.
enum Enclosing {
    Nothing,
    /// The `(` of a call or a tuple.
    Paren(usize),
    /// A `[` or `{`, or a string on the way.
    Unclear,
}

/// What encloses position `at`, looking back as far as `from`.
fn enclosing(bytes: &[u8], from: usize, at: usize) -> Enclosing {
    let mut depth = 0usize;
    for i in (from..at).rev() {
        match bytes[i] {
            b'\'' | b'"' => return Enclosing::Unclear,
            b')' | b']' | b'}' => depth += 1,
            b'(' if depth == 0 => return Enclosing::Paren(i),
            b'[' | b'{' if depth == 0 => return Enclosing::Unclear,
            b'(' | b'[' | b'{' => depth -= 1,
            _ => {}
        }
    }
    Enclosing::Nothing
}

/// Whether `open` is the bracket of an `isinstance(` or `issubclass(` call
/// and `at` lies in its second argument (after exactly one comma at its
/// own depth).
fn second_argument_of_type_test(bytes: &[u8], open: usize, at: usize) -> bool {
    let (callee_start, callee) = callee_before(bytes, open);
    let attribute = callee_start > 0 && bytes[callee_start - 1] == b'.';
    if attribute || !matches!(callee, b"isinstance" | b"issubclass") {
        return false;
    }
    let mut depth = 0usize;
    let mut commas = 0;
    for &b in &bytes[open + 1..at] {
        match b {
            b'\'' | b'"' => return false,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    commas == 1
}

/// The names a `from m import ...` statement imports, each with the name
/// it binds (`b as c`: `("b", "c")`); `None` for any other statement, and
/// for a star import, which names nothing.
fn imported_names(text: &str) -> Option<Vec<(&str, &str)>> {
    let rest = text.strip_prefix("from ")?;
    let (_, names) = rest.split_once(" import ")?;
    let names = names.trim().trim_start_matches('(').trim_end_matches(')');
    let mut imported = Vec::new();
    for item in names.split(',') {
        let mut words = item.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (None, _, _) => {}
            (Some("*"), _, _) => return None,
            (Some(name), None, _) => imported.push((name, name)),
            (Some(name), Some("as"), Some(bound)) => imported.push((name, bound)),
            _ => return None,
        }
    }
    Some(imported)
}

/// The name a simple module-level assignment binds (`NAME = value`, one
/// target, no other assignment in it).
fn assigned_name(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let (name, rest) = text.split_at(end);
    let value = rest.trim_start().strip_prefix('=')?;
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || value.starts_with('=') {
        return None;
    }
    (!has_assignment(value)).then_some(name)
}

/// Whether `text` holds an `=` outside brackets and strings that is not
/// part of a comparison (a chained assignment).
fn has_assignment(text: &str) -> bool {
    let bytes = text.as_bytes();
    top_level(text).any(|at| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        bytes[at] == b'='
            && !matches!(before, Some(b'=' | b'<' | b'>' | b'!'))
            && bytes.get(at + 1) != Some(&b'=')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "\
import pool

@registry.add
def handler():
    pass

def start():
    pool.spawn(handler)

class Server(Base):
    size = DEFAULT

    def run(self, delay=PAUSE):
        \"\"\"Calls main() and start().\"\"\"
        start()
        load('pkg.mod.Driver')
        LOG.info('Handler failed')

    def fire(self):  # start
        pass

def main():
    Server().run()
";

    /// Checks who mentions each name: the definitions' names, `<import>`
    /// for code that runs at import, `(by path)` for a dotted string.
    fn assert_mentions(outline: &Outline, expected: &[(&str, &[&str])]) {
        for (name, owners) in expected {
            assert_eq!(
                names_of(outline, &outline.mentioned_by(name)),
                *owners,
                "{name}"
            );
        }
    }

    fn names_of(outline: &Outline, mentions: &[Mention]) -> Vec<String> {
        mentions
            .iter()
            .map(|m| {
                let owner = m
                    .owner
                    .map_or("<import>".to_owned(), |d| outline.defs[d].name.clone());
                if m.by_path {
                    format!("{owner} (by path)")
                } else if m.type_tested {
                    format!("{owner} (type test)")
                } else {
                    owner
                }
            })
            .collect()
    }

    #[test]
    fn lines_belong_to_top_level_definitions_or_to_the_import() {
        let outline = Outline::of(SOURCE);
        let names: Vec<(&str, bool)> = outline
            .defs
            .iter()
            .map(|d| (d.name.as_str(), d.decorated))
            .collect();
        assert_eq!(
            names,
            vec![
                ("handler", true),
                ("start", false),
                ("Server", false),
                ("main", false)
            ]
        );
        assert_eq!(outline.owner_of(1), None);
        assert_eq!(outline.owner_of(5), Some(0));
        assert_eq!(outline.owner_of(8), Some(1));
        // A class attribute and a method's header run at import; its body
        // is the class's code.
        assert_eq!(outline.owner_of(11), None);
        assert_eq!(outline.owner_of(13), None);
        assert_eq!(outline.owner_of(14), Some(2));
        assert_eq!(outline.owner_of(23), Some(3));
    }

    #[test]
    fn mentions_in_code_and_strings_count_and_own_names_and_comments_do_not() {
        assert_mentions(
            &Outline::of(SOURCE),
            &[
                ("handler", &["start"]),
                ("start", &["Server"]),
                ("Server", &["main"]),
                // A subclass runs its base's code.
                ("Base", &["Server"]),
                ("PAUSE", &["<import>"]),
                ("Driver", &["Server (by path)"]),
                // A docstring calls nothing, prose names nothing.
                ("main", &[]),
                ("Handler", &[]),
                ("fire", &[]),
            ],
        );
    }

    #[test]
    fn what_import_time_code_only_refers_to_runs_through_what_holds_it() {
        let outline = Outline::of(
            "Server = PosixServer if posix else Win32Server\nPOOL = make_pool(size)\n\
             A = B = Thing\n\nclass Manager(object):\n    executor = Executor\n    \
             limit = compute()\n",
        );
        let defs: Vec<&str> = outline.defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(defs, ["Server", "POOL", "Manager"]);
        assert_mentions(
            &outline,
            &[
                ("PosixServer", &["Server"]),
                ("Win32Server", &["Server"]),
                // Called at import, or bound to two names: it runs at import.
                ("make_pool", &["<import>"]),
                ("size", &["POOL"]),
                ("Thing", &["<import>"]),
                // A class attribute runs where the class does.
                ("Executor", &["Manager"]),
                ("compute", &["<import>"]),
            ],
        );
        // Code at module level stays code that runs at import.
        assert_eq!(outline.owner_of(1), None);
    }

    #[test]
    fn an_import_passes_each_name_on_to_what_mentions_the_name_it_binds() {
        let outline = Outline::of(
            "from pkg.fixtures import Fixture, Pool as BasePool\nfrom pkg import (\n    \
             one,\n    two,\n)\nfrom pkg.all import *\nfrom pkg import three  # noqa\n\n\n\
             def main():\n    from pkg import four\n    four()\n",
        );
        let defs: Vec<&str> = outline.defs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(defs, ["Fixture", "BasePool", "one", "two", "three", "main"]);
        assert_mentions(
            &outline,
            &[
                ("Fixture", &["Fixture"]),
                ("Pool", &["BasePool"]),
                ("one", &["one"]),
                ("two", &["two"]),
                ("three", &["three"]),
                // Inside a function, the function's code.
                ("four", &["main"]),
            ],
        );
    }

    #[test]
    fn a_class_only_tested_for_or_caught_is_not_run() {
        let outline = Outline::of(
            "def wrapper(self, x):\n    if isinstance(self, base_manager.Manager):\n        \
             check(x)\n    if issubclass(type(x), (Pool, mod.Executor)) and Helper():\n        \
             isinstance(Server, kind)\n    try:\n        run()\n    except (Timeout, \
             errors.Gone) as e:\n        handle(e)\n    except Failure: recover(Fallback)\n    \
             except errors_of(probe, [Listed]):\n        pass\n    \
             except (Lost, errors_of(Probed)):\n        pass\n    \
             isinstance(x, make_type())\n    isinstance(x, table[Key])\n\n\n\
             class Interface(metaclass=abc.ABCMeta):\n    @classmethod\n    \
             def __subclasshook__(cls, other):\n        return check(other)\n",
        );
        assert_mentions(
            &outline,
            &[
                // Tested for: a mention that leads only to a class's
                // `__subclasshook__`.
                ("Manager", &["wrapper (type test)"]),
                ("Pool", &["wrapper (type test)"]),
                ("Executor", &["wrapper (type test)"]),
                // Caught: no mention.
                ("Timeout", &[]),
                ("Gone", &[]),
                ("Failure", &[]),
                ("Lost", &[]),
                // Called, the first argument, after the clause, an argument
                // of a call in the clause, or inside another expression:
                // mentions as before.
                ("Helper", &["wrapper"]),
                ("Server", &["wrapper"]),
                ("Fallback", &["wrapper"]),
                ("probe", &["wrapper"]),
                ("Listed", &["wrapper"]),
                ("Probed", &["wrapper"]),
                ("make_type", &["wrapper"]),
                ("Key", &["wrapper"]),
                ("base_manager", &["wrapper"]),
            ],
        );
        let hooks: Vec<bool> = outline.defs.iter().map(|d| d.hooks_type_tests).collect();
        assert_eq!(hooks, [false, true]);
    }

    #[test]
    fn a_dotted_path_names_its_names_in_the_module_before_them() {
        let outline = Outline::of(
            "A = 'pkg.mod.Name'\nB = 'pkg.db.main.api.get'\nC = 'pkg.%s.Driver'\n\
             D = 'pkg.mod:factory'\n",
        );
        let modules = |name: &str| -> Vec<Option<&str>> {
            outline
                .mentioned_by(name)
                .iter()
                .map(|m| m.module.map(|i| outline.modules[i as usize].as_str()))
                .collect()
        };
        assert_eq!(modules("Name"), [Some("pkg.mod")]);
        assert_eq!(modules("main"), [Some("pkg.db")]);
        assert_eq!(modules("pkg"), [Some("")]);
        assert_eq!(modules("Driver"), [None]);
        assert_eq!(modules("factory"), [Some("pkg.mod")]);
    }

    #[test]
    fn what_a_mock_replaces_is_no_mention() {
        let outline = Outline::of(
            "@mock.patch('pkg.mod.Manager.run')\ndef test_a(self):\n    \
             self.useFixture(fixtures.MockPatch(\n        'pkg.mod.Service.'\n        \
             '_start', mock.DEFAULT))\n    self.stub_out('pkg.mod.helper', fake)\n    \
             mock.patch.multiple('pkg.util', name=Other)\n    load('pkg.mod.Loaded')\n",
        );
        assert_mentions(
            &outline,
            &[
                ("Manager", &[]),
                ("Service", &[]),
                ("helper", &[]),
                ("util", &[]),
                ("Other", &["test_a"]),
                ("Loaded", &["test_a (by path)"]),
            ],
        );
    }

    #[test]
    fn a_main_block_runs_only_where_the_file_is_run() {
        let outline = Outline::of(
            "def _main():\n    patch()\n\n\nif __name__ == '__main__':\n    # A CLI.\n    \
             _main()\n    serve()\nelse:\n    register()\n",
        );
        assert_mentions(
            &outline,
            &[
                ("patch", &["_main"]),
                ("_main", &[MAIN_BLOCK]),
                ("serve", &[MAIN_BLOCK]),
                ("register", &["<import>"]),
            ],
        );
        assert_eq!(outline.owner_of(7), Some(1));
    }
}
