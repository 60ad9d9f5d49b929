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

/// Ranges, each with an item, asked in O(log n) whether one of them
/// contains a range: per-use questions over a file stay linear in its uses.
pub struct Cover<T> {
    starts: Vec<usize>,
    /// For the ranges sorted by start, up to each: the furthest end, and
    /// the item of the range that reaches it.
    reach: Vec<(usize, T)>,
}

impl<T: Copy> Cover<T> {
    pub fn new(mut ranges: Vec<(Range<usize>, T)>) -> Cover<T> {
        ranges.sort_by_key(|(r, _)| r.start);
        let mut reach: Vec<(usize, T)> = Vec::with_capacity(ranges.len());
        for (range, item) in &ranges {
            let best = match reach.last() {
                Some(&(end, best)) if end >= range.end => (end, best),
                _ => (range.end, *item),
            };
            reach.push(best);
        }
        Cover {
            starts: ranges.iter().map(|(r, _)| r.start).collect(),
            reach,
        }
    }

    /// The item of a range that contains `inner`, if any does.
    pub fn containing(&self, inner: &Range<usize>) -> Option<T> {
        let before = self.starts.partition_point(|s| *s <= inner.start);
        let &(end, item) = self.reach.get(before.checked_sub(1)?)?;
        (end >= inner.end).then_some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cover_finds_a_containing_range() {
        let cover = Cover::new(vec![(10..20, 'a'), (0..5, 'b'), (12..40, 'c')]);
        assert_eq!(cover.containing(&(1..3)), Some('b'));
        assert_eq!(cover.containing(&(11..15)), Some('a'));
        assert_eq!(cover.containing(&(15..30)), Some('c'));
        assert_eq!(cover.containing(&(4..8)), None);
        assert_eq!(cover.containing(&(41..42)), None);
        assert_eq!(Cover::<()>::new(vec![]).containing(&(0..1)), None);
    }

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
