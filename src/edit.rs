//! Byte-range edits and applying a set of them. Bytes outside an edit are
//! copied untouched. Nothing here knows Python.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
        }
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            range: at..at,
            text: text.into(),
        }
    }
}

/// Applies non-overlapping edits. Insertions at the same offset keep their
/// order and go before a replacement that starts there. The same edit asked
/// for twice (two creations of one followed object rename the same member)
/// is made once.
pub fn apply(source: &str, edits: Vec<Edit>) -> Result<String, String> {
    let edits = normalize(edits);
    let mut out = String::with_capacity(source.len() + 256);
    let mut at = 0;
    for edit in &edits {
        if edit.range.start < at {
            return Err(format!(
                "two edits overlap at bytes {}..{} (a transform catalogue error)",
                edit.range.start, at
            ));
        }
        out.push_str(&source[at..edit.range.start]);
        out.push_str(&edit.text);
        at = edit.range.end;
    }
    out.push_str(&source[at..]);
    Ok(out)
}

/// Edits in order, each asked for once.
pub fn normalize(mut edits: Vec<Edit>) -> Vec<Edit> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits.dedup_by(|a, b| a.range == b.range && a.text == b.text && !a.range.is_empty());
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_edit_twice_is_made_once() {
        let edits = vec![Edit::replace(0..1, "x"), Edit::replace(0..1, "x")];
        assert_eq!(apply("abc", edits).unwrap(), "xbc");
    }

    #[test]
    fn overlapping_edits_are_an_error() {
        let edits = vec![Edit::replace(0..3, "a"), Edit::replace(2..4, "b")];
        assert!(apply("abcdef", edits).is_err());
    }
}
