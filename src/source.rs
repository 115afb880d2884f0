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
    /// The whole text; empty in a [`SourceFile::settled`] copy, whose kept lines answer instead.
    pub text: String,
    /// In a settled copy: the lines its findings point into (see [`SourceFile::settled`]).
    kept: Option<Kept>,
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

/// Lines shown above and below a token in the human view's snippet; a
/// [`SourceFile::settled`] copy made for it keeps them.
pub const SNIPPET_CONTEXT: usize = 1;

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
            kept: None,
            line_starts: OnceLock::new(),
            shown: OnceLock::new(),
            blocks: OnceLock::new(),
        })
    }

    /// A copy that keeps only the whole lines `spans` touch and `context` lines around them: what
    /// the outputs ask of a file once it is linted (positions, the token, its line, the human
    /// view's snippet). A run holds its findings
    /// until the walk ends; their files' whole texts were most of its memory. `None` when the
    /// copy would save little (the lines are most of the file) or hold a long line (a column on
    /// it would be counted from the line's start: the whole file's checkpoints stay linear).
    /// Asked about an offset, line or span outside the kept lines, the copy answers as if the
    /// file ended there (line 1 for an offset before every kept line).
    pub fn settled(&self, spans: &[Span], context: usize) -> Option<Arc<Self>> {
        if self.kept.is_some() {
            return None;
        }
        let starts = self.line_starts();
        let line_of = |o: usize| starts.partition_point(|&s| s as usize <= o) - 1;
        let mut ranges: Vec<(usize, usize)> = spans
            .iter()
            .map(|s| {
                let a = (s.start as usize).min(self.text.len());
                let b = (s.end as usize).clamp(a, self.text.len());
                (
                    line_of(a).saturating_sub(context),
                    (line_of(b) + context).min(starts.len() - 1),
                )
            })
            .collect();
        ranges.sort_unstable();
        let end_of = |line: usize| {
            starts
                .get(line + 1)
                .map_or(self.text.len(), |&e| e as usize)
        };
        let mut pieces: Vec<Piece> = Vec::new();
        let mut last: Option<(usize, usize)> = None;
        let mut kept_bytes = 0;
        let mut flush = |(first, through): (usize, usize), pieces: &mut Vec<Piece>| {
            let (a, b) = (starts[first] as usize, end_of(through));
            kept_bytes += b - a;
            pieces.push(Piece::new(a, first, &self.text[a..b]));
        };
        for (first, through) in ranges {
            match &mut last {
                Some((_, t)) if first <= *t + 1 => *t = (*t).max(through),
                _ => {
                    if let Some(r) = last.take() {
                        flush(r, &mut pieces);
                    }
                    last = Some((first, through));
                }
            }
        }
        if let Some(r) = last {
            flush(r, &mut pieces);
        }
        let long = pieces
            .iter()
            .any(|p| p.text.split('\n').any(|l| l.len() > BLOCK));
        if long || kept_bytes * 2 > self.text.len() {
            return None;
        }
        let shown = OnceLock::new();
        let _ = shown.set(self.shown_path().to_string());
        Some(Arc::new(SourceFile {
            path: self.path.clone(),
            text: String::new(),
            kept: Some(Kept {
                len: self.text.len() as u32,
                lines: starts.len() as u32,
                pieces: pieces.into_boxed_slice(),
            }),
            line_starts: OnceLock::new(),
            shown,
            blocks: OnceLock::new(),
        }))
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
        if self.kept.is_none() {
            self.line_starts();
        }
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
        if let Some(kept) = &self.kept {
            let p = kept.piece(span.start as usize);
            let a = (span.start - p.start) as usize;
            return p.text.get(a..a + span.len()).unwrap_or("");
        }
        self.text.get(span.range()).unwrap_or("")
    }

    /// 1-based line and columns of a byte offset. Offsets inside a multi-byte character or past the
    /// end are clamped, so a position is always defined.
    pub fn position(&self, offset: usize) -> Position {
        if let Some(kept) = &self.kept {
            return kept.position(offset);
        }
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

    /// The 0-based line of a byte offset: [`Self::position`]'s line less one, without counting
    /// columns.
    pub fn line_of(&self, offset: usize) -> usize {
        if let Some(kept) = &self.kept {
            return kept.line_of(offset);
        }
        let offset = offset.min(self.text.len());
        self.line_starts()
            .partition_point(|&s| s as usize <= offset)
            - 1
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
        if let Some(kept) = &self.kept {
            return kept.line_text(i);
        }
        let line_starts = self.line_starts();
        let Some(&start) = line_starts.get(i) else {
            return "";
        };
        let end = line_starts
            .get(i + 1)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    /// The text's length in bytes (of the whole text, also in a settled copy).
    pub fn len(&self) -> usize {
        self.kept
            .as_ref()
            .map_or(self.text.len(), |k| k.len as usize)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where 0-based line `line` starts and ends (before its line break), if the file has it
    /// (a settled copy: if it kept it).
    pub fn line_range(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let start = self.line_start(line)?;
        // A settled copy knows where the line after a kept one starts, but not its text (unless
        // it is the empty line after the file's last line break).
        if let Some(kept) = &self.kept
            && kept.piece_of_line(line).is_none()
            && !(line + 1 == kept.lines as usize && start == kept.len as usize)
        {
            return None;
        }
        Some(start..start + self.line_text(line as u32 + 1).len())
    }

    /// Where 0-based line `line` starts, if the file has it (a settled copy: if it kept it or
    /// the line before it).
    pub fn line_start(&self, line: usize) -> Option<usize> {
        match &self.kept {
            Some(kept) => kept.line_start(line),
            None => self.line_starts().get(line).map(|&s| s as usize),
        }
    }

    /// The text with offsets as in the file: the file's own, or for a settled copy one as long
    /// with the kept lines in place and spaces elsewhere (what the human view's snippets read).
    pub fn offset_text(&self) -> std::borrow::Cow<'_, str> {
        let Some(kept) = &self.kept else {
            return std::borrow::Cow::Borrowed(&self.text);
        };
        let mut bytes = vec![b' '; kept.len as usize];
        for p in &kept.pieces {
            bytes[p.start as usize..p.start as usize + p.text.len()]
                .copy_from_slice(p.text.as_bytes());
        }
        std::borrow::Cow::Owned(String::from_utf8(bytes).expect("whole lines between spaces"))
    }
}

/// The lines a settled file keeps, in order, none adjacent to the next.
#[derive(Debug)]
struct Kept {
    /// The whole text's length and lines.
    len: u32,
    lines: u32,
    pieces: Box<[Piece]>,
}

/// Whole lines of a file, line breaks included.
#[derive(Debug)]
struct Piece {
    /// Byte offset of the first line, and its 0-based number.
    start: u32,
    line: u32,
    text: Box<str>,
    /// Where each line ends in `text` (after its line break): a position is a search, not a
    /// count from the piece's start (a piece can hold thousands of lines with findings).
    ends: Box<[u32]>,
}

impl Piece {
    fn new(start: usize, line: usize, text: &str) -> Self {
        Piece {
            start: start as u32,
            line: line as u32,
            ends: text
                .split_inclusive('\n')
                .scan(0u32, |end, l| {
                    *end += l.len() as u32;
                    Some(*end)
                })
                .collect(),
            text: text.into(),
        }
    }

    /// Where the piece's `k`-th line starts (its end, for the line after its last).
    fn line_start(&self, k: usize) -> usize {
        k.checked_sub(1).map_or(0, |k| self.ends[k] as usize)
    }
}

impl Kept {
    /// The piece an offset falls in (or the one before it, or the first).
    fn piece(&self, offset: usize) -> &Piece {
        let i = self.pieces.partition_point(|p| p.start as usize <= offset);
        &self.pieces[i.saturating_sub(1)]
    }

    /// The piece an offset falls in, and the offset within its text (at a character boundary).
    fn locate(&self, offset: usize) -> (&Piece, usize) {
        let offset = offset.min(self.len as usize);
        let p = self.piece(offset);
        let mut at = offset.saturating_sub(p.start as usize).min(p.text.len());
        while !p.text.is_char_boundary(at) {
            at -= 1;
        }
        (p, at)
    }

    fn line_of(&self, offset: usize) -> usize {
        let (p, at) = self.locate(offset);
        p.line as usize + p.ends.partition_point(|&e| e as usize <= at)
    }

    fn position(&self, offset: usize) -> Position {
        let (p, at) = self.locate(offset);
        let bytes = p.text.as_bytes();
        let k = p.ends.partition_point(|&e| e as usize <= at);
        let mut start = p.line_start(k);
        if p.start == 0 && start == 0 && at >= 3 && p.text.starts_with('\u{feff}') {
            start = 3;
        }
        let (column, column_utf16) = count_units(&bytes[start..at]);
        Position {
            line: (p.line as usize + k) as u32 + 1,
            column: column + 1,
            column_utf16: column_utf16 + 1,
        }
    }

    /// The piece whose lines run up to 0-based line `i` (`i` itself, or the line after it).
    fn piece_before_line(&self, i: usize) -> Option<&Piece> {
        let k = self.pieces.partition_point(|p| p.line as usize <= i);
        let p = &self.pieces[k.checked_sub(1)?];
        (i <= p.line as usize + p.ends.len()).then_some(p)
    }

    /// The piece that holds 0-based line `i`.
    fn piece_of_line(&self, i: usize) -> Option<&Piece> {
        self.piece_before_line(i)
            .filter(|p| i < p.line as usize + p.ends.len())
    }

    /// Where 0-based line `i` starts, if kept or right after a kept line.
    fn line_start(&self, i: usize) -> Option<usize> {
        let p = self.piece_before_line(i)?;
        Some(p.start as usize + p.line_start(i - p.line as usize))
    }

    /// The text of 0-based line `i`, without its line break; empty when not kept.
    fn line_text(&self, i: usize) -> &str {
        let Some(p) = self.piece_of_line(i) else {
            return "";
        };
        let k = i - p.line as usize;
        p.text[p.line_start(k)..p.ends[k] as usize].trim_end_matches(['\n', '\r'])
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
        for o in 0..f.text.len() + 3 {
            assert_eq!(f.line_of(o), f.position(o).line as usize - 1, "offset {o}");
        }
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

    /// A settled copy answers every question about the lines its spans touch as the whole file
    /// does: positions (start, end, the last byte), the token, the token's line.
    #[test]
    fn a_settled_copy_answers_as_the_whole_file() {
        let line: String = (0..40).map(|i| ["a", "é", "😀", "€", " "][i % 5]).collect();
        let mut text = String::from("\u{feff}{\r\n");
        for i in 0..60 {
            text.push_str(&format!("  \"k{i}\": \"{line}\",\r\n"));
        }
        text.push_str("}\n");
        let whole = SourceFile::new("a.json".into(), text.clone());
        let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let mut spans = Vec::new();
        // Spans of every length class, on one line and across lines, at the start and the end.
        for (k, w) in [(0usize, 1usize), (5, 3), (17, 90), (400, 2), (2000, 1)] {
            let a = bounds[(k * 7) % bounds.len()];
            let b = bounds
                .get((k * 7) % bounds.len() + w)
                .copied()
                .unwrap_or(text.len());
            spans.push(Span::new(a, b));
        }
        spans.push(Span::new(text.len() - 1, text.len()));
        let settled = whole
            .settled(&spans, 1)
            .expect("a few lines of a long file are kept");
        assert!(settled.text.is_empty());
        assert_eq!(settled.len(), whole.len());
        let offsets = settled.offset_text();
        for s in &spans {
            // The token's lines and one line of context on each side, and where the next starts.
            let first = whole.position(s.start as usize).line as usize - 1;
            let last = whole.position(s.end as usize).line as usize - 1;
            for l in first.saturating_sub(1)..=last + 1 {
                assert_eq!(settled.line_range(l), whole.line_range(l), "line {l}");
                let r = whole.line_range(l).unwrap_or(0..0);
                assert_eq!(&offsets[r.clone()], &text[r]);
            }
            assert_eq!(settled.line_start(last + 2), whole.line_start(last + 2));
        }
        for s in &spans {
            let (a, b) = (s.start as usize, s.end as usize);
            for o in [a, b, b.saturating_sub(1).max(a), a + (b - a) / 2] {
                assert_eq!(settled.position(o), whole.position(o), "offset {o}");
                let line = whole.position(o).line as usize - 1;
                assert_eq!(
                    (settled.line_of(o), whole.line_of(o)),
                    (line, line),
                    "offset {o}"
                );
            }
            assert_eq!(settled.slice(*s), whole.slice(*s));
            let l = whole.position(a).line;
            assert_eq!(settled.line_text(l), whole.line_text(l), "line {l}");
        }
        assert_eq!(settled.shown_path(), "a.json");
        // Most of the file is left out; a file whose lines are all needed is not copied.
        let everything = [Span::new(0, text.len())];
        assert!(whole.settled(&everything, 0).is_none());
    }

    #[test]
    fn escapes_controls() {
        assert_eq!(escape_controls("a\tb"), "a\tb");
        assert_eq!(
            escape_controls("x\ny.json:1:1: error\r\u{1b}[2J"),
            "x\\ny.json:1:1: error\\r\\u{1b}[2J"
        );
        // Every ASCII byte: the byte loop and the per-character rule agree.
        for b in 0u8..0x80 {
            let c = char::from(b);
            let escaped = c != '\t' && c.is_control();
            assert_eq!(
                escape_controls(&format!("a{c}b")) != format!("a{c}b"),
                escaped,
                "{b:#x}"
            );
        }
        assert_eq!(escape_controls("é\u{85}\u{2028}"), "é\\u{85}\\u{2028}");
    }
}

/// Does `test` hold for some byte? Every byte is tested and the answers or-ed together without
/// a branch per byte, so that the compiler reads the bytes in vector steps: for the usual answer
/// (none), on text of any length, several times faster than stopping at the first byte found.
pub fn any_byte(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    bytes
        .chunks(64)
        .any(|c| c.iter().fold(0u8, |any, &b| any | u8::from(test(b))) != 0)
}

/// `s` with control characters (C0 but tab, DEL, C1, line and paragraph separators) written as
/// escapes (`\n`, `\r`, `\u{1b}`): a file name or a policy string cannot start a line of its own
/// in a one-line-per-finding output, move the cursor or colour a terminal.
pub fn escape_controls(s: &str) -> std::borrow::Cow<'_, str> {
    // Printable ASCII and tabs, by far the most text, is seen a vector of bytes at a time.
    let plain = |b: u8| (b' '..0x7F).contains(&b) || b == b'\t';
    if !any_byte(s.as_bytes(), |b| !plain(b)) || !s.chars().any(is_escaped_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_escaped_control(c) => push_unicode_escape(&mut out, c),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A character no output writes as it is: a control character but tab (C0, DEL, C1), or the
/// Unicode line and paragraph separators.
pub fn is_escaped_control(c: char) -> bool {
    (c.is_control() && c != '\t') || c == '\u{2028}' || c == '\u{2029}'
}

/// Appends `c` as `\u{1b}`.
pub fn push_unicode_escape(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
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

    /// A byte that passes the test is found wherever it stands, in texts shorter and longer
    /// than a chunk.
    #[test]
    fn any_byte_finds_a_byte_anywhere() {
        for len in [0, 1, 63, 64, 65, 200] {
            let mut bytes = vec![b'a'; len];
            assert!(!any_byte(&bytes, |b| b == b'!'), "{len}");
            for at in 0..len {
                bytes[at] = b'!';
                assert!(any_byte(&bytes, |b| b == b'!'), "{len} {at}");
                bytes[at] = b'a';
            }
        }
    }

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
