//! SARIF `fixes`: a file's rewrite as replacements of whole lines, each
//! given to one rewritten use, so that the fixes of all the file's results
//! applied together make the rewrite exactly. A use's fix alone is only
//! part of it: the import a rewritten line needs is another line's change.
//!
//! Lines are counted as the findings count them (each ends with '\n');
//! columns are UTF-16 code units, as the run declares.

use std::ops::Range;

use similar::{Algorithm, DiffTag, capture_diff_slices};

use super::utf16_len;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Text put in place of the old text from `start` up to `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub start: Position,
    pub end: Position,
    pub inserted: String,
}

/// The replacements that turn `old` into `new`, for each of the uses on
/// `lines` (1-based): a replacement goes to the last use on a line before
/// its end, or to the first use when none is (the imports and helpers at
/// the top of the file).
pub fn by_use(old: &str, new: &str, lines: &[usize]) -> Vec<Vec<Replacement>> {
    let mut fixes = vec![Vec::new(); lines.len()];
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| lines[i]);
    let Some(&first) = order.first() else {
        return fixes;
    };
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    for (deleted, inserted) in changed_lines(&old_lines, new) {
        // The uses on lines up to the last one deleted (or, for an
        // insertion, up to the line before it).
        let before = order.partition_point(|&i| lines[i] <= deleted.end);
        let owner = match before {
            0 => first,
            n => order[order.partition_point(|&i| lines[i] < lines[order[n - 1]])],
        };
        fixes[owner].push(Replacement {
            start: boundary(&old_lines, deleted.start),
            end: boundary(&old_lines, deleted.end),
            inserted,
        });
    }
    fixes
}

/// The old lines (0-based) each change deletes, with the text it puts in
/// their place.
fn changed_lines(old_lines: &[&str], new: &str) -> Vec<(Range<usize>, String)> {
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut changes = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, old_lines, &new_lines) {
        let (tag, deleted, inserted) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            continue;
        }
        // Lines replaced one for one are changes of their own, so that
        // uses on neighbouring lines each get theirs.
        if deleted.len() == inserted.len() {
            for (old, new) in deleted.zip(inserted) {
                changes.push((old..old + 1, new_lines[new].to_owned()));
            }
        } else {
            changes.push((deleted, new_lines[inserted].concat()));
        }
    }
    changes
}

/// Where the old line `index` (0-based) starts, or the text ends when it
/// is past the last line.
fn boundary(old_lines: &[&str], index: usize) -> Position {
    match index.checked_sub(1).map(|previous| old_lines[previous]) {
        // The end of a last line with no line break.
        Some(last) if !last.ends_with('\n') => Position {
            line: index,
            column: utf16_len(last) + 1,
        },
        _ => Position {
            line: index + 1,
            column: 1,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte offset of a position.
    fn offset(text: &str, at: Position) -> usize {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(at.line - 1)
            .map(str::len)
            .sum();
        let mut units = 0;
        let mut bytes = line_start;
        for c in text[line_start..].chars() {
            if units == at.column - 1 {
                break;
            }
            units += c.len_utf16();
            bytes += c.len_utf8();
        }
        bytes
    }

    /// `old` with every replacement of every use made.
    fn apply(old: &str, fixes: &[Vec<Replacement>]) -> String {
        let mut all: Vec<&Replacement> = fixes.iter().flatten().collect();
        all.sort_by_key(|r| std::cmp::Reverse((r.start.line, r.start.column)));
        let mut text = old.to_owned();
        for r in all {
            text.replace_range(offset(old, r.start)..offset(old, r.end), &r.inserted);
        }
        text
    }

    const OLD: &str = "# café ☕\nimport eventlet\n\n\ndef nap(t):\n    eventlet.sleep(t)\n    eventlet.sleep(1)\n";
    const NEW: &str =
        "# café ☕\nimport time\n\n\ndef nap(t):\n    time.sleep(max(0, t))\n    time.sleep(1)\n";

    #[test]
    fn each_use_gets_its_line_and_the_first_the_import() {
        let fixes = by_use(OLD, NEW, &[7, 6]);
        assert_eq!(apply(OLD, &fixes), NEW);
        let lines =
            |fix: &[Replacement]| -> Vec<usize> { fix.iter().map(|r| r.start.line).collect() };
        assert_eq!(lines(&fixes[0]), [7]);
        assert_eq!(lines(&fixes[1]), [2, 6]);
        assert_eq!(fixes[0][0].inserted, "    time.sleep(1)\n");
        assert_eq!(
            (fixes[0][0].start, fixes[0][0].end),
            (
                Position { line: 7, column: 1 },
                Position { line: 8, column: 1 }
            )
        );
    }

    #[test]
    fn lines_deleted_and_added_go_to_the_use_before_them() {
        let old = "import eventlet\neventlet.monkey_patch()\n\nx = 1\neventlet.sleep(0)\n";
        let new = "import time\n\nx = 1\ntime.sleep(0)\n\n\ndef _helper():\n    pass\n";
        let fixes = by_use(old, new, &[2, 5]);
        assert_eq!(apply(old, &fixes), new);
        let deletes_line_2 = |r: &Replacement| r.start.line <= 2 && r.end.line > 2;
        assert!(fixes[0].iter().any(deletes_line_2), "{fixes:?}");
        assert!(
            fixes[1].iter().any(|r| r.inserted.contains("def _helper")),
            "{fixes:?}"
        );
    }

    #[test]
    fn a_last_line_without_a_line_break_ends_at_its_last_column() {
        // 21 characters, then 😀, which counts two UTF-16 code units.
        let old = "import eventlet\neventlet.sleep(1)  # 😀";
        let new = "import time\ntime.sleep(1)  # 😀";
        let fixes = by_use(old, new, &[2]);
        assert_eq!(apply(old, &fixes), new);
        let last = fixes[0].last().unwrap();
        assert_eq!(
            last.end,
            Position {
                line: 2,
                column: 24
            }
        );
        // And text added after it starts there.
        let longer = "import time\ntime.sleep(1)  # 😀\nprint()\n";
        assert_eq!(apply(old, &by_use(old, longer, &[2])), longer);
    }
}
