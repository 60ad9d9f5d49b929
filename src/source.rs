//! A Python source file as read from disk: its bytes, its decoded text and
//! the facts about its layout that edits must preserve; and the text that
//! may stand in for a file's content (standard input).

use std::ops::Range;
use std::path::{Path, PathBuf};

/// Why a file is left alone before it is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    Io(String),
    NotUtf8,
    DeclaredEncoding(String),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::Io(e) => write!(f, "cannot read: {e}"),
            Unreadable::NotUtf8 => write!(f, "not valid UTF-8; left alone"),
            Unreadable::DeclaredEncoding(enc) => write!(
                f,
                "declares encoding '{enc}' (PEP 263); only UTF-8 files are rewritten"
            ),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The file's bytes exactly as read; used to detect a change under us.
    pub original: Vec<u8>,
    /// Text after a UTF-8 byte order mark, if any.
    pub text: String,
    pub has_bom: bool,
    pub newline: &'static str,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SourceFile {
    pub fn read(path: &Path) -> Result<SourceFile, Unreadable> {
        let bytes = std::fs::read(path).map_err(|e| Unreadable::Io(e.to_string()))?;
        SourceFile::from_bytes(path.to_path_buf(), bytes)
    }

    pub fn from_bytes(path: PathBuf, bytes: Vec<u8>) -> Result<SourceFile, Unreadable> {
        let has_bom = bytes.starts_with(BOM);
        let body = if has_bom {
            &bytes[BOM.len()..]
        } else {
            &bytes[..]
        };
        if let Some(enc) = declared_encoding(body)
            && !is_utf8_compatible(&enc)
        {
            return Err(Unreadable::DeclaredEncoding(enc));
        }
        let text = std::str::from_utf8(body)
            .map_err(|_| Unreadable::NotUtf8)?
            .to_owned();
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        Ok(SourceFile {
            path,
            original: bytes,
            text,
            has_bom,
            newline,
        })
    }

    /// The bytes to write for a new text of this file (keeps the BOM).
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.has_bom {
            out.extend_from_slice(BOM);
        }
        out.extend_from_slice(text.as_bytes());
        out
    }
}

/// Text given in place of a file's content on disk (standard input, from
/// an editor's buffer or a pre-commit hook): every read of that file gets
/// it, whether or not the file exists yet.
#[derive(Debug, Clone)]
pub struct StandIn {
    /// The file, canonical: the same however a path spells it.
    file: PathBuf,
    pub bytes: Vec<u8>,
}

impl StandIn {
    /// Fails when the file's folder does not exist.
    pub fn new(path: &Path, bytes: Vec<u8>) -> std::io::Result<StandIn> {
        Ok(StandIn {
            file: canonical(path)?,
            bytes,
        })
    }

    pub fn stands_for(&self, path: &Path) -> bool {
        // Comparing names first spares resolving every path of a project.
        path.file_name() == self.file.file_name() && canonical(path).is_ok_and(|p| p == self.file)
    }

    /// Where a walk from `root` would list the file, when it is not on disk
    /// (an editor's new buffer) and lies below `root`.
    pub fn missing_under(&self, root: &Path) -> Option<PathBuf> {
        if self.file.exists() {
            return None;
        }
        let below = self
            .file
            .strip_prefix(std::fs::canonicalize(root).ok()?)
            .ok()?;
        Some(root.join(below))
    }
}

/// The bytes of the file at `path`, or of the text standing in for it.
pub fn read_bytes(path: &Path, stand_in: Option<&StandIn>) -> std::io::Result<Vec<u8>> {
    match stand_in {
        Some(s) if s.stands_for(path) => Ok(s.bytes.clone()),
        _ => std::fs::read(path),
    }
}

/// The canonical form of `path`; for a file not on disk, its folder's
/// canonical form joined with its name.
pub fn canonical(path: &Path) -> std::io::Result<PathBuf> {
    std::fs::canonicalize(path).or_else(|missing| {
        let name = path.file_name().ok_or(missing)?;
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Ok(std::fs::canonicalize(folder)?.join(name))
    })
}

/// Where each line starts, for many position lookups in one text.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        let start = self.start_of(line);
        (line, text[start..offset].chars().count() + 1)
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The byte offset where the 1-based line `line` starts.
    pub fn start_of(&self, line: usize) -> usize {
        self.starts[line - 1]
    }

    /// 0-based row and byte column of a byte offset (a tree-sitter point).
    pub fn point(&self, offset: usize) -> tree_sitter::Point {
        let line = self.line_of(offset);
        tree_sitter::Point {
            row: line - 1,
            column: offset - self.start_of(line),
        }
    }

    /// The text of the 1-based line `line`, without its line ending.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.starts.get(line - 1).copied().unwrap_or(text.len());
        let end = self.starts.get(line).map_or(text.len(), |e| e - 1);
        text[start..end.max(start)].trim_end_matches('\r')
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    (line, before[line_start(text, offset)..].chars().count() + 1)
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    line_col(text, offset).0
}

/// The offset where the line of `offset` begins.
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset of the line break ending the line of `offset` (or the end).
pub fn line_end(text: &str, offset: usize) -> usize {
    text[offset..].find('\n').map_or(text.len(), |i| offset + i)
}

/// The lines `range` fills alone, with their indentation and line end:
/// what deleting it as a whole takes, when nothing else is on them.
pub fn own_lines(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let start = line_start(text, range.start);
    let end = (line_end(text, range.end) + 1).min(text.len());
    let alone =
        text[start..range.start].trim().is_empty() && text[range.end..end].trim().is_empty();
    alone.then_some(start..end)
}

/// The text of the 1-based line `line`, without its line ending.
pub fn line_text(text: &str, line: usize) -> &str {
    text.split('\n')
        .nth(line - 1)
        .unwrap_or("")
        .trim_end_matches('\r')
}

/// PEP 263: a `coding[:=]` comment on one of the first two lines.
fn declared_encoding(body: &[u8]) -> Option<String> {
    body.split(|&b| b == b'\n')
        .take(2)
        .find_map(|line| encoding_declaration(&String::from_utf8_lossy(line)))
}

/// The encoding a line declares, if it is a PEP 263 `coding[:=]` comment
/// (which counts only on one of the first two lines).
pub fn encoding_declaration(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    if !trimmed.starts_with('#') {
        return None;
    }
    let pos = trimmed.find("coding")?;
    let rest = &trimmed[pos + "coding".len()..];
    let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('='))?;
    let enc: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    (!enc.is_empty()).then_some(enc)
}

fn is_utf8_compatible(encoding: &str) -> bool {
    let e = encoding.to_ascii_lowercase().replace('_', "-");
    matches!(
        e.as_str(),
        "utf-8" | "utf8" | "utf-8-sig" | "ascii" | "us-ascii"
    ) || e.starts_with("utf-8-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(bytes: &[u8]) -> Result<SourceFile, Unreadable> {
        SourceFile::from_bytes(PathBuf::from("t.py"), bytes.to_vec())
    }

    #[test]
    fn utf8_coding_line_is_accepted() {
        let f = load(b"# -*- coding: utf-8 -*-\nx = 1\n").unwrap();
        assert_eq!(f.newline, "\n");
    }

    #[test]
    fn latin1_declaration_is_refused_by_name() {
        let err = load(b"# vim: set fileencoding=latin-1 :\nx = '\xe9'\n").unwrap_err();
        assert_eq!(err, Unreadable::DeclaredEncoding("latin-1".into()));
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert_eq!(load(b"x = '\xff'\n").unwrap_err(), Unreadable::NotUtf8);
    }

    #[test]
    fn bom_and_crlf_round_trip() {
        let f = load(b"\xEF\xBB\xBFx = 1\r\n").unwrap();
        assert!(f.has_bom);
        assert_eq!(f.newline, "\r\n");
        assert_eq!(f.encode(&f.text), f.original);
    }

    #[test]
    fn the_line_index_agrees_with_a_scan() {
        let text = "ab\r\ncd\n\nlast";
        let index = LineIndex::new(text);
        for offset in 0..text.len() {
            assert_eq!(
                index.line_col(text, offset),
                line_col(text, offset),
                "{offset}"
            );
        }
        for line in 1..=4 {
            assert_eq!(index.line_text(text, line), line_text(text, line));
        }
    }

    #[test]
    fn a_stand_in_is_read_for_its_file_however_spelled_even_if_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/on_disk.py"), "disk").unwrap();
        let on_disk = StandIn::new(&dir.path().join("pkg/on_disk.py"), b"given".to_vec()).unwrap();
        let roundabout = dir.path().join("pkg/../pkg/on_disk.py");
        assert_eq!(read_bytes(&roundabout, Some(&on_disk)).unwrap(), b"given");
        assert_eq!(read_bytes(&roundabout, None).unwrap(), b"disk");
        assert_eq!(on_disk.missing_under(dir.path()), None);
        let new = StandIn::new(&dir.path().join("pkg/new.py"), b"given".to_vec()).unwrap();
        assert!(new.stands_for(&dir.path().join("./pkg/new.py")));
        assert!(!new.stands_for(&dir.path().join("new.py")));
        assert_eq!(
            new.missing_under(dir.path()),
            Some(dir.path().join("pkg/new.py"))
        );
        assert!(StandIn::new(&dir.path().join("nowhere/new.py"), Vec::new()).is_err());
    }

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_text("a\r\nb\n", 1), "a");
    }
}
