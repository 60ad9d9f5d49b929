//! Unified diffs of rewritten files, optionally coloured.

use similar::TextDiff;

pub fn unified(path: &str, old: &str, new: &str, color: bool) -> String {
    let diff = TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    if !color {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 256);
    for line in text.split_inclusive('\n') {
        let style = if line.starts_with("+++") || line.starts_with("---") {
            "\x1b[1m"
        } else if line.starts_with('+') {
            "\x1b[32m"
        } else if line.starts_with('-') {
            "\x1b[31m"
        } else if line.starts_with("@@") {
            "\x1b[36m"
        } else {
            ""
        };
        if style.is_empty() {
            out.push_str(line);
        } else {
            let body = line.trim_end_matches(['\n', '\r']);
            out.push_str(style);
            out.push_str(body);
            out.push_str("\x1b[0m");
            out.push_str(&line[body.len()..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_name_both_sides() {
        let d = unified("x.py", "a\nb\n", "a\nc\n", false);
        assert!(
            d.starts_with("--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"),
            "{d}"
        );
    }

    #[test]
    fn colour_wraps_changed_lines() {
        let d = unified("x.py", "a\n", "b\n", true);
        assert!(
            d.contains("\x1b[31m-a\x1b[0m\n") && d.contains("\x1b[32m+b\x1b[0m\n"),
            "{d:?}"
        );
    }
}
