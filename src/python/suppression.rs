//! Per-line opt-out comments, as `# noqa` is for flake8:
//! `# eventless: ignore` keeps every eventlet use on its line as it is;
//! `# eventless: ignore[sleep, spawn-statement]` keeps them from those
//! transforms only.

use tree_sitter::Node;

use super::syntax::text;
use crate::source::{line_end, line_start};

const MARKER: &str = "eventless: ignore";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suppression {
    /// Every transform.
    All,
    /// These transform ids.
    Transforms(Vec<String>),
}

impl Suppression {
    pub fn covers(&self, transform: &str) -> bool {
        match self {
            Suppression::All => true,
            Suppression::Transforms(ids) => ids.iter().any(|id| id == transform),
        }
    }
}

/// The suppression a comment on the line of `at` states, if any.
pub fn on_line(root: Node, source: &str, at: usize) -> Option<Suppression> {
    let (start, end) = (line_start(source, at), line_end(source, at));
    let line = &source[start..end];
    let hash = start + line.rfind('#')?;
    let comment = root
        .descendant_for_byte_range(hash, hash + 1)
        .filter(|n| n.kind() == "comment")?;
    parse(text(comment, source))
}

/// Reads `# eventless: ignore` or `# eventless: ignore[a, b]` anywhere in
/// a comment (after other tools' markers too: `# noqa  # eventless: ignore`).
fn parse(comment: &str) -> Option<Suppression> {
    let (_, rest) = comment.split_once(MARKER)?;
    match rest.strip_prefix('[') {
        Some(list) => {
            let ids: Vec<String> = list
                .split_once(']')?
                .0
                .split(',')
                .map(|id| id.trim().to_owned())
                .filter(|id| !id.is_empty())
                .collect();
            (!ids.is_empty()).then_some(Suppression::Transforms(ids))
        }
        None => Some(Suppression::All),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::parse::parse as parse_python;

    fn at_call(source: &str) -> Option<Suppression> {
        let tree = parse_python(source);
        on_line(tree.root_node(), source, source.find("sleep").unwrap())
    }

    #[test]
    fn comments_on_the_line_suppress() {
        assert_eq!(
            at_call("sleep(1)  # eventless: ignore\n"),
            Some(Suppression::All)
        );
        assert_eq!(
            at_call("sleep(1)  # noqa  # eventless: ignore[sleep, other]\n"),
            Some(Suppression::Transforms(vec![
                "sleep".into(),
                "other".into()
            ]))
        );
        assert_eq!(at_call("sleep(1)  # eventless: ignore[]\n"), None);
        assert_eq!(at_call("sleep('# eventless: ignore')\n"), None);
        assert_eq!(at_call("# eventless: ignore\nsleep(1)\n"), None);
    }
}
