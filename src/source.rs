//! Source files as the linter reads them: the path as the walk found it, the decoded text, and a
//! line index that turns byte offsets into 1-based lines and character (or UTF-16) columns.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A byte range in one source file. Every value in the policy model carries one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
    /// The smallest span that covers both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A path as every output prints it: forward slashes, no leading `./`.
pub fn display_path(path: &std::path::Path) -> String {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    s.replace('\\', "/")
}

/// One file's text, shared by every document and finding that points into it.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the walk found it (relative when the user gave a relative path).
    pub path: PathBuf,
    pub text: String,
    /// Where each line starts, worked out when a position is first asked for: about half the
    /// files of a tree have no finding and never need it.
    line_starts: OnceLock<Vec<u32>>,
    /// [`display_path`] of `path`, made on first use.
    shown: OnceLock<String>,
    /// Characters and UTF-16 units before every [`BLOCK`]-th byte, made when a column is first
    /// asked for on a long line: a column is then counted from the nearest block, not from the
    /// line's start (20,000 findings on one minified line stay linear).
    blocks: OnceLock<Vec<(u32, u32)>>,
}

/// Bytes per column checkpoint, and the line length from which checkpoints are used.
const BLOCK: usize = 1024;

/// Characters and UTF-16 units in `bytes`, counted on bytes (a slice may cut a character: its
/// lead byte counts it, continuation bytes do not, a four-byte lead counts two UTF-16 units).
fn count_units(bytes: &[u8]) -> (u32, u32) {
    let mut chars = 0u32;
    let mut wide = 0u32;
    for &b in bytes {
        chars += u32::from((b & 0xC0) != 0x80);
        wide += u32::from(b >= 0xF0);
    }
    (chars, chars + wide)
}

/// A 1-based position; `column` counts characters, `column_utf16` UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub column_utf16: u32,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Arc<Self> {
        Arc::new(SourceFile {
            path,
            text,
            line_starts: OnceLock::new(),
            shown: OnceLock::new(),
            blocks: OnceLock::new(),
        })
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = Vec::with_capacity(self.text.len() / 32 + 1);
            starts.push(0u32);
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i as u32 + 1));
            starts
        })
    }

    /// Makes the line index and the shown path now rather than when first asked for.
    pub fn prepare_positions(&self) {
        self.line_starts();
        self.shown_path();
    }

    /// The path with forward slashes, as every output format prints it.
    pub fn display_path(&self) -> String {
        self.shown_path().to_string()
    }

    /// [`Self::display_path`] without a copy.
    pub fn shown_path(&self) -> &str {
        self.shown.get_or_init(|| display_path(&self.path))
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// 1-based line and columns of a byte offset. Offsets inside a multi-byte character or past the
    /// end are clamped, so a position is always defined.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&s| s as usize <= offset) - 1;
        let mut start = line_starts[line] as usize;
        // A byte order mark is not a column: editors do not show it.
        if start == 0 && offset >= 3 && self.text.starts_with('\u{feff}') {
            start = 3;
        }
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let (column, column_utf16) = if end - start > BLOCK {
            let (a, a16) = self.units_before(start);
            let (b, b16) = self.units_before(end);
            (b - a, b16 - a16)
        } else {
            count_units(&self.text.as_bytes()[start..end])
        };
        // A CR before LF belongs to the line break, never to a column.
        Position {
            line: line as u32 + 1,
            column: column + 1,
            column_utf16: column_utf16 + 1,
        }
    }

    /// Characters and UTF-16 units in the text before byte `at` (a character boundary).
    fn units_before(&self, at: usize) -> (u32, u32) {
        let blocks = self.blocks.get_or_init(|| {
            let mut out = Vec::with_capacity(self.text.len() / BLOCK + 1);
            let (mut c, mut w) = (0u32, 0u32);
            out.push((0, 0));
            for chunk in self.text.as_bytes().chunks(BLOCK) {
                let (dc, dw) = count_units(chunk);
                c += dc;
                w += dw;
                out.push((c, w));
            }
            out
        });
        let i = at / BLOCK;
        let (c, w) = blocks[i];
        let (dc, dw) = count_units(&self.text.as_bytes()[i * BLOCK..at]);
        (c + dc, w + dw)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line as usize).saturating_sub(1);
        let line_starts = self.line_starts();
        let Some(&start) = line_starts.get(i) else {
            return "";
        };
        let end = line_starts
            .get(i + 1)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_utf16_units() {
        let f = SourceFile::new("a.json".into(), "{\r\n \"é😀\": \"x\"\n}".into());
        let x = f.text.find("\"x\"").unwrap();
        assert_eq!(
            f.position(x),
            Position {
                line: 2,
                column: 8,
                column_utf16: 9
            }
        );
        assert_eq!(f.position(0).line, 1);
        assert_eq!(f.position(f.text.len()).line, 3);
        assert_eq!(f.line_text(2), " \"é😀\": \"x\"");
        assert_eq!(f.line_text(1), "{");
        let bom = SourceFile::new("b.json".into(), "\u{feff}{\"a\": 1}".into());
        assert_eq!(bom.position(bom.text.find('1').unwrap()).column, 7);
        assert_eq!(bom.position(3).column, 1);
        assert_eq!(bom.position(0).column, 1);
    }

    /// Columns on a long line come from checkpoints: the same as counting from the line start.
    #[test]
    fn long_line_columns_match_a_plain_count() {
        let line: String = (0..3000).map(|i| ["a", "é", "😀", "€"][i % 4]).collect();
        let text = format!("x\n{line}\n");
        let f = SourceFile::new("a.json".into(), text.clone());
        for (at, _) in text.char_indices().step_by(97) {
            let p = f.position(at);
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let prefix = &text[start..at];
            assert_eq!(p.column as usize, prefix.chars().count() + 1);
            assert_eq!(p.column_utf16 as usize, prefix.encode_utf16().count() + 1);
        }
    }

    #[test]
    fn escapes_controls() {
        assert_eq!(escape_controls("a\tb"), "a\tb");
        assert_eq!(
            escape_controls("x\ny.json:1:1: error\r\u{1b}[2J"),
            "x\\ny.json:1:1: error\\r\\u{1b}[2J"
        );
    }
}

/// `s` with control characters (C0 but tab, DEL, C1, line and paragraph separators) written as
/// escapes (`\n`, `\r`, `\u{1b}`): a file name or a policy string cannot start a line of its own
/// in a one-line-per-finding output, move the cursor or colour a terminal.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\t') || c == '\u{2028}' || c == '\u{2029}';
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if bad(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Writes `bytes` to `path` without ever leaving it half written: into a temporary file in the
/// same folder, flushed to disk, then renamed over the target, which keeps its permissions. A
/// symbolic link is written through (its target is replaced, the link stays). On any error
/// (a full disk, a read-only folder) the target is as it was and the temporary file is gone.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".iamlint-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(&target) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// How the bytes of a file became text.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    Utf8(String),
    /// UTF-16 with a byte order mark, decoded; spans point into the decoded text.
    Utf16(String),
    /// Not valid UTF-8: invalid bytes were replaced; `at` is the first invalid byte.
    Lossy {
        text: String,
        at: usize,
    },
    /// A NUL byte in the first 8 KiB: a binary file, not read further.
    Binary,
}

pub fn decode(bytes: Vec<u8>) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes);
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Decoded::Binary;
    }
    match String::from_utf8(bytes) {
        Ok(s) => Decoded::Utf8(s),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Decoded::Lossy {
                text: String::from_utf8_lossy(e.as_bytes()).into_owned(),
                at,
            }
        }
    }
}

fn utf16(rest: &[u8], read: fn([u8; 2]) -> u16) -> Decoded {
    let units = rest
        .chunks(2)
        .map(|c| read([c[0], *c.get(1).unwrap_or(&0)]));
    Decoded::Utf16(
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect(),
    )
}

#[cfg(test)]
mod decode_tests {
    use super::*;

    #[test]
    fn decodes_utf16_reports_latin1_and_binary() {
        let mut b = vec![0xFF, 0xFE];
        b.extend("{\"a\":1}".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(b), Decoded::Utf16("{\"a\":1}".into()));
        assert_eq!(
            decode(b"{\"caf\xe9\": 1}".to_vec()),
            Decoded::Lossy {
                text: "{\"caf\u{FFFD}\": 1}".into(),
                at: 5
            }
        );
        assert_eq!(decode(b"\x00\x01binary".to_vec()), Decoded::Binary);
        assert_eq!(decode(Vec::new()), Decoded::Utf8(String::new()));
    }
}
