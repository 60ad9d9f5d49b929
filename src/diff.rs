//! Unified diffs of rewritten files (and of files a run creates),
//! optionally coloured.

use similar::TextDiff;

use crate::outcome::FileResult;

pub fn unified(path: &str, old: &str, new: &str, color: bool) -> String {
    with_header(&format!("a/{path}"), path, old, new, color)
}

/// The diff of a run's file, shown as `path`. A file the run creates comes
/// from /dev/null, as `git apply` and `patch` take a new file.
pub fn of_file(file: &FileResult, path: &str, color: bool) -> String {
    let new = file.new_text.as_deref().unwrap_or("");
    match file.created {
        true => with_header("/dev/null", path, "", new, color),
        false => unified(path, &file.source.text, new, color),
    }
}

fn with_header(from: &str, path: &str, old: &str, new: &str, color: bool) -> String {
    let diff = TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(from, &format!("b/{path}"))
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
    fn a_new_file_comes_from_dev_null() {
        let file = FileResult {
            source: crate::source::SourceFile::from_bytes("x.py".into(), Vec::new()).unwrap(),
            findings: Vec::new(),
            new_text: Some("a\nb\n".into()),
            error: None,
            created: true,
        };
        let d = of_file(&file, "pkg/x.py", false);
        assert_eq!(
            d,
            "--- /dev/null\n+++ b/pkg/x.py\n@@ -0,0 +1,2 @@\n+a\n+b\n"
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
