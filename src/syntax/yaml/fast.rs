//! The fast reader: the YAML that CloudFormation templates are written in, read straight into
//! the tree, without libyaml-safer's per-character reader, token queue and events.
//!
//! It reads a subset: one document (after an optional `---` line) whose root is a block mapping
//! or sequence; block mappings with plain or quoted keys; block sequences, also indentless
//! (`Key:` then `- a` at the key's column) and compact ones (`- Effect: Allow`, `- - a`);
//! one-line plain, single-quoted and double-quoted scalars; flow collections, also over several
//! lines; literal and folded block scalars; `!Name` tags; comments; empty mapping values.
//! Anything else (anchors, aliases, multi-line plain or quoted scalars, block scalars with an
//! indentation indicator or lines of spaces, tabs, carriage returns, `? ` keys, several
//! documents, directives, errors of any kind) makes it give up, and [`super::parse`] reads the
//! file with the builder instead. So what it gives is the builder's tree, spans included, or
//! nothing: `tests.rs` checks that on every YAML file of the repository and on generated ones.
//!
//! Spans follow libyaml's marks as the builder turns them into spans: a scalar is its token, a
//! block collection runs from its first token to the end of its last child, a flow collection
//! from its bracket to its closing bracket, and an empty value is an empty span at the next token.

use std::borrow::Cow;

use super::{Props, Tag, plain_value, wrap};
use crate::source::{Span, any_byte};
use crate::syntax::escape::backslash;
use crate::syntax::tree::{Entry, Key, Node, Text, Value};

/// Deeper nesting is left to the builder, which reports it past its own limit.
const MAX_DEPTH: usize = 64;

/// libyaml reads a key only within 1,024 bytes of its start; longer ones go to the builder.
const MAX_KEY: usize = 1000;

/// Reads `text` (at byte `base` of its file) when it is in the subset; `None` when the builder
/// must read it.
pub(super) fn parse(text: &str, base: usize) -> Option<Node> {
    if !plain_characters(text) {
        return None;
    }
    let mut r = Reader {
        b: text.as_bytes(),
        text,
        base,
        depth: 0,
        entries: Vec::new(),
        items: Vec::new(),
    };
    r.document()
}

/// True when the text has no character the subset leaves to the builder: tabs, carriage returns
/// and other control characters, YAML 1.1's other line breaks (NEL, LS, PS), byte order marks,
/// what libyaml refuses to read, and a first character it takes for a broken byte order mark.
fn plain_characters(text: &str) -> bool {
    // libyaml reads a first byte 0xEF as the start of a byte order mark, and anything else there
    // (`\u{fffd}` after a lossy decoding) as an error.
    if text.as_bytes().first() == Some(&0xef) {
        return false;
    }
    if any_byte(text.as_bytes(), |b| (b < 0x20 && b != b'\n') || b == 0x7f) {
        return false;
    }
    text.is_ascii()
        || text.chars().all(|c| {
            matches!(c,
                '\0'..='\u{7f}'
                | '\u{a0}'..='\u{2027}'
                | '\u{202a}'..='\u{d7ff}'
                | '\u{e000}'..='\u{fefe}'
                | '\u{ff00}'..='\u{fffd}'
                | '\u{10000}'..)
        })
}

/// A node, and where libyaml's event for it ends: what an enclosing block collection ends at.
struct Built {
    node: Node,
    end: usize,
}

/// The first token of a line that is not blank or a comment, and its column; `pos` is the length
/// of the text at its end.
#[derive(Clone, Copy)]
struct Line {
    pos: usize,
    col: usize,
}

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
    base: usize,
    depth: usize,
    /// The entries and items of the collections being read, innermost last: a collection's
    /// list is allocated once, at its length, when it is complete.
    entries: Vec<Entry>,
    items: Vec<Node>,
}

/// A scalar token read on one line.
struct Scalar<'a> {
    /// The value: the text itself for a plain scalar.
    text: Cow<'a, str>,
    /// Where the token ends: after the closing quote, or after a plain scalar's last non-space.
    end: usize,
    quoted: bool,
}

impl Reader<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    fn at_end(&self, line: Line) -> bool {
        line.pos >= self.b.len()
    }

    /// A space, a line break or the end of the text at `i`.
    fn blankz(&self, i: usize) -> bool {
        matches!(self.b.get(i), None | Some(b' ' | b'\n'))
    }

    fn spaces(&self, mut i: usize) -> usize {
        while self.b.get(i) == Some(&b' ') {
            i += 1;
        }
        i
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// `- ` (or `-` at the end of a line): a block sequence entry.
    fn dash(&self, i: usize) -> bool {
        self.b.get(i) == Some(&b'-') && self.blankz(i + 1)
    }

    /// The next content line from the line start `p`, past blank lines and comment lines.
    /// Document markers and directives are left to the builder.
    fn content(&self, p: usize) -> Option<Line> {
        let line = self.skip_blank_lines(p);
        if line.col == 0 && !self.at_end(line) && self.marker(line.pos) {
            return None;
        }
        Some(line)
    }

    fn skip_blank_lines(&self, mut p: usize) -> Line {
        loop {
            let start = p;
            p = self.spaces(p);
            match self.b.get(p) {
                None => {
                    return Line {
                        pos: self.b.len(),
                        col: 0,
                    };
                }
                Some(b'\n') => p += 1,
                Some(b'#') => p = self.next_line(p),
                Some(_) => {
                    return Line {
                        pos: p,
                        col: p - start,
                    };
                }
            }
        }
    }

    /// `---`, `...` or `%` at the start of a line.
    fn marker(&self, p: usize) -> bool {
        let rest = &self.b[p..];
        rest.starts_with(b"%")
            || ((rest.starts_with(b"---") || rest.starts_with(b"...")) && self.blankz(p + 3))
    }

    /// The start of the line after the one `p` is on (the text's length on the last line).
    fn next_line(&self, p: usize) -> usize {
        memchr::memchr(b'\n', &self.b[p..]).map_or(self.b.len(), |i| p + i + 1)
    }

    /// After a token that ends a line's content: spaces and a comment up to the line break.
    /// The start of the next line, or `None` when anything else follows.
    fn line_end(&self, p: usize) -> Option<usize> {
        let q = self.spaces(p);
        match self.b.get(q) {
            None => Some(self.b.len()),
            Some(b'\n') => Some(q + 1),
            Some(b'#') if q > 0 && self.b[q - 1] == b' ' => Some(self.next_line(q)),
            _ => None,
        }
    }

    fn document(&mut self) -> Option<Node> {
        let mut first = self.skip_blank_lines(0);
        if first.col == 0 && self.b[first.pos..].starts_with(b"---\n") {
            first = self.content(first.pos + 4)?;
        } else if !self.at_end(first) && first.col == 0 && self.marker(first.pos) {
            return None;
        }
        if self.at_end(first) {
            return None;
        }
        let (root, next) = self.block(first)?;
        self.at_end(next).then_some(root.node)
    }

    /// A block collection starting at `line`: a sequence at `- `, else a mapping.
    fn block(&mut self, line: Line) -> Option<(Built, Line)> {
        let sequence = self.dash(line.pos);
        self.collection(line, sequence)
    }

    /// A block sequence or mapping at `line`, also one that starts on a sequence entry's line
    /// (`- - a`, `- Effect: Allow`).
    fn collection(&mut self, line: Line, sequence: bool) -> Option<(Built, Line)> {
        self.enter()?;
        let built = if sequence {
            self.sequence(line, false)
        } else {
            self.mapping(line)
        }?;
        self.depth -= 1;
        Some(built)
    }

    /// What `read` gives, and the list it pushed onto the stack `stack` picks (taken off it,
    /// also when `read` gives up, so the stack holds only the enclosing collections' lists).
    fn gathered<T, R>(
        &mut self,
        stack: fn(&mut Self) -> &mut Vec<T>,
        read: impl FnOnce(&mut Self) -> Option<R>,
    ) -> Option<(R, Vec<T>)> {
        let base = stack(self).len();
        let read = read(self);
        let list = stack(self).split_off(base);
        Some((read?, list))
    }

    fn mapping(&mut self, line: Line) -> Option<(Built, Line)> {
        let ((last_end, next), entries) =
            self.gathered(|r| &mut r.entries, |r| r.mapping_entries(line))?;
        Some(self.block_collection(line.pos, last_end, Value::Object(entries), next))
    }

    /// The entries of the mapping at `line`, onto `self.entries`; where the last value ends and
    /// the line after the mapping.
    fn mapping_entries(&mut self, line: Line) -> Option<(usize, Line)> {
        let col = line.col;
        let mut p = line.pos;
        loop {
            let (key, after) = self.key(p)?;
            let (value, next) = self.value(after, col)?;
            self.entries.push(Entry {
                key,
                value: value.node,
            });
            if self.at_end(next) || next.col < col {
                return Some((value.end, next));
            }
            // More indented, or `- ` after an entry: libyaml's error, the builder's message.
            if next.col > col || self.dash(next.pos) {
                return None;
            }
            p = next.pos;
        }
    }

    /// A sequence whose `- ` entries are at `line.col`; `indentless` when it is a mapping value
    /// at the mapping's own column, which ends at the first line that is not an entry.
    fn sequence(&mut self, line: Line, indentless: bool) -> Option<(Built, Line)> {
        let ((last_end, next), items) =
            self.gathered(|r| &mut r.items, |r| r.sequence_items(line, indentless))?;
        Some(self.block_collection(line.pos, last_end, Value::Array(items), next))
    }

    /// The items of the sequence at `line`, onto `self.items`; where the last one ends and the
    /// line after the sequence.
    fn sequence_items(&mut self, line: Line, indentless: bool) -> Option<(usize, Line)> {
        let col = line.col;
        let mut p = line.pos;
        loop {
            let q = self.spaces(p + 1);
            // A collection on the entry's line starts at its own column.
            let compact = Line {
                pos: q,
                col: col + (q - p),
            };
            let (item, next) = match self.b.get(q) {
                // The entry's node starts on a later line.
                None | Some(b'\n' | b'#') => {
                    let next = self.content(self.line_end(p + 1)?)?;
                    if self.at_end(next) || next.col <= col {
                        return None;
                    }
                    self.block(next)?
                }
                Some(b'!') => self.tagged(q, col)?,
                // A compact collection: `- - a` or `- Effect: Allow`, at its own column.
                Some(b'-') if self.blankz(q + 1) => self.collection(compact, true)?,
                Some(b'[' | b'{' | b'|' | b'>') => self.inline(q, col)?,
                // A scalar, read once: the key of a compact mapping when `: ` follows it.
                _ => {
                    let s = self.scalar(q, false)?;
                    if self.b.get(s.end) == Some(&b':') && self.blankz(s.end + 1) {
                        self.collection(compact, false)?
                    } else {
                        self.inline_scalar(q, s, col)?
                    }
                }
            };
            let end = item.end;
            self.items.push(item.node);
            if self.at_end(next) || next.col < col {
                return Some((end, next));
            }
            if next.col > col {
                return None;
            }
            if !self.dash(next.pos) {
                if indentless {
                    return Some((end, next));
                }
                return None;
            }
            p = next.pos;
        }
    }

    /// A finished block collection: from its first token to the end of its last child.
    fn block_collection(
        &self,
        start: usize,
        end: usize,
        value: Value,
        next: Line,
    ) -> (Built, Line) {
        let node = Node {
            span: self.span(start, end),
            value,
        };
        (Built { node, end }, next)
    }

    /// The value after a mapping key's `:` at `after`; `col` is the mapping's column.
    fn value(&mut self, after: usize, col: usize) -> Option<(Built, Line)> {
        let q = self.spaces(after);
        match self.b.get(q) {
            None | Some(b'\n' | b'#') => {
                let next = self.content(self.line_end(after)?)?;
                if !self.at_end(next) {
                    if next.col > col {
                        return self.block(next);
                    }
                    if next.col == col && self.dash(next.pos) {
                        self.enter()?;
                        let built = self.sequence(next, true)?;
                        self.depth -= 1;
                        return Some(built);
                    }
                    // The builder would take a tag or anchor for this empty value's.
                    if matches!(self.b[next.pos], b'!' | b'&') {
                        return None;
                    }
                }
                // Nothing: libyaml's empty scalar ends right after the `:`, and the builder
                // starts it at the next token.
                let node = Node {
                    span: self.span(next.pos, next.pos),
                    value: Value::Null,
                };
                Some((Built { node, end: after }, next))
            }
            Some(b'!') => self.tagged(q, col),
            _ => self.inline(q, col),
        }
    }

    /// A `!Name` tag at `q` and the node it tags: on the same line, or a block collection on
    /// the lines after. `col` is the enclosing block collection's column.
    fn tagged(&mut self, q: usize, col: usize) -> Option<(Built, Line)> {
        let (tag, tag_end) = self.tag(q)?;
        let r = self.spaces(tag_end);
        let (built, next) = match self.b.get(r) {
            None | Some(b'\n' | b'#') => {
                let next = self.content(self.line_end(tag_end)?)?;
                if self.at_end(next) || next.col <= col {
                    return None;
                }
                self.block(next)?
            }
            Some(b'!') => return None,
            _ => self.inline(r, col)?,
        };
        Some((self.wrap(built, tag), next))
    }

    /// `!Name` at `q`, followed by a space, a line break or the end: the tag and where it ends.
    fn tag(&self, q: usize) -> Option<(Tag, usize)> {
        let mut e = q + 1;
        if !self.b.get(e).is_some_and(u8::is_ascii_alphabetic) {
            return None;
        }
        while self.b.get(e).is_some_and(u8::is_ascii_alphanumeric) {
            e += 1;
        }
        if !self.blankz(e) {
            return None;
        }
        let tag = Tag {
            name: self.text[q..e].to_string(),
            span: self.span(q, e),
        };
        Some((tag, e))
    }

    fn wrap(&self, built: Built, tag: Tag) -> Built {
        let props = Props {
            anchor: None,
            tag: Some(tag),
            value_start: 0,
        };
        Built {
            node: wrap(built.node, 0, &props).0,
            end: built.end,
        }
    }

    /// A scalar or flow collection at `q` that ends its line; `col` is the enclosing block
    /// collection's column, which the next line must not go past (that would continue a plain
    /// scalar, or be an error).
    fn inline(&mut self, q: usize, col: usize) -> Option<(Built, Line)> {
        let (built, next_line) = match self.b[q] {
            b'[' | b'{' => {
                let built = self.flow(q, col)?;
                let end = built.end;
                (built, self.line_end(end)?)
            }
            b'|' | b'>' => self.block_scalar(q, col)?,
            _ => return self.inline_scalar(q, self.scalar(q, false)?, col),
        };
        self.line_after(built, next_line, col)
    }

    /// [`Self::inline`] for the one-line scalar `s` read at `q`.
    fn inline_scalar(&self, q: usize, s: Scalar<'_>, col: usize) -> Option<(Built, Line)> {
        let built = self.scalar_node(q, s);
        let end = built.end;
        self.line_after(built, self.line_end(end)?, col)
    }

    /// `built` and the next content line from `next_line`, which must not go past `col`.
    fn line_after(&self, built: Built, next_line: usize, col: usize) -> Option<(Built, Line)> {
        let next = self.content(next_line)?;
        if !self.at_end(next) && next.col > col {
            return None;
        }
        Some((built, next))
    }

    /// A literal (`|`) or folded (`>`) block scalar at `q`, with an optional chomping indicator
    /// and the indentation of its first line; `col` is the enclosing collection's column. The
    /// node and the start of the line after it, as libyaml reads it: the token ends at the start
    /// of the first line that is not blank after the scalar.
    fn block_scalar(&self, q: usize, col: usize) -> Option<(Built, usize)> {
        let b = self.b;
        let literal = b[q] == b'|';
        let mut h = q + 1;
        let chomp = match b.get(h) {
            Some(b'-') => Some(false),
            Some(b'+') => Some(true),
            _ => None,
        };
        if chomp.is_some() {
            h += 1;
        }
        if !self.blankz(h) {
            return None;
        }
        let mut p = self.line_end(h)?;
        // Lines before the first content line must be empty: libyaml measures the indentation
        // on lines of spaces as well.
        let mut trailing = 0;
        while b.get(p) == Some(&b'\n') {
            trailing += 1;
            p += 1;
        }
        let indent = self.spaces(p) - p;
        if p >= b.len() || indent <= col || matches!(b.get(p + indent), Some(b'\n') | None) {
            return None;
        }
        let mut text = String::new();
        let mut leading_break = false;
        let mut leading_blank = false;
        let end = loop {
            // `p` starts a line that has content at column `indent` or more.
            let content = p + indent;
            let line_end = memchr::memchr(b'\n', &b[content..]).map_or(b.len(), |i| content + i);
            let trailing_blank = b[content] == b' ';
            if !literal && leading_break && !leading_blank && !trailing_blank {
                if trailing == 0 {
                    text.push(' ');
                }
            } else if leading_break {
                text.push('\n');
            }
            text.extend(std::iter::repeat_n('\n', trailing));
            leading_blank = trailing_blank;
            text.push_str(&self.text[content..line_end]);
            // The builder gives the text a final line break when it has none.
            leading_break = true;
            p = (line_end + 1).min(b.len());
            trailing = 0;
            while b.get(p) == Some(&b'\n') {
                trailing += 1;
                p += 1;
            }
            if p >= b.len() {
                break b.len();
            }
            let spaces = self.spaces(p) - p;
            if matches!(b.get(p + spaces), Some(b'\n') | None) {
                // A line of spaces: content or a break, depending on its length.
                return None;
            }
            if spaces < indent {
                break p;
            }
        };
        match chomp {
            Some(false) => {}
            None => text.push('\n'),
            Some(true) => text.extend(std::iter::repeat_n('\n', 1 + trailing)),
        }
        let node = Node {
            span: self.span(q, end),
            value: Value::Str(Text::lit(text)),
        };
        Some((Built { node, end }, end))
    }

    fn scalar_node(&self, q: usize, s: Scalar<'_>) -> Built {
        let value = if s.quoted {
            Value::Str(Text::lit(s.text))
        } else {
            plain_value(s.text)
        };
        Built {
            node: Node {
                span: self.span(q, s.end),
                value,
            },
            end: s.end,
        }
    }

    /// A mapping key at `p` (a scalar directly followed by `:` and a space or line break): the
    /// key and where its `:` ends.
    fn key(&self, p: usize) -> Option<(Key, usize)> {
        let s = self.scalar(p, false)?;
        if self.b.get(s.end) != Some(&b':')
            || !self.blankz(s.end + 1)
            || s.end - p > MAX_KEY
            || s.text == "<<"
        {
            return None;
        }
        let key = Key {
            name: s.text.into(),
            span: self.span(p, s.end),
        };
        Some((key, s.end + 1))
    }

    /// A one-line scalar token at `q`, in block or flow context.
    fn scalar(&self, q: usize, flow: bool) -> Option<Scalar<'_>> {
        match self.b.get(q)? {
            b'\'' | b'"' => self.quoted(q),
            _ => self.plain(q, flow),
        }
    }

    /// A plain scalar on one line. In block context it ends at `: `, ` #` or the line's end; in
    /// flow context also at `,`, `[`, `]`, `{` and `}`.
    fn plain(&self, q: usize, flow: bool) -> Option<Scalar<'_>> {
        let end = self.plain_end(q, flow)?;
        Some(Scalar {
            text: Cow::Borrowed(&self.text[q..end]),
            end,
            quoted: false,
        })
    }

    /// Where the plain scalar at `q` ends (after its last character that is not a space).
    fn plain_end(&self, q: usize, flow: bool) -> Option<usize> {
        let b = self.b;
        let indicator = matches!(
            b[q],
            b'-' | b'?'
                | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
        );
        // `-1` is a plain scalar, `- ` a sequence entry; other indicators are not read here.
        let number_like = b[q] == b'-' && !self.blankz(q + 1) && !(flow && self.flow_stop(q + 1));
        if indicator && !number_like {
            return None;
        }
        if !flow {
            // Only `:`, `#` and line breaks can end it: jump between them.
            let mut i = q;
            let stop = loop {
                let Some(k) = memchr::memchr3(b':', b'#', b'\n', &b[i..]) else {
                    break b.len();
                };
                let j = i + k;
                match b[j] {
                    b':' if !self.blankz(j + 1) => i = j + 1,
                    b'#' if b[j - 1] != b' ' => i = j + 1,
                    _ => break j,
                }
            };
            let mut end = stop;
            while end > q && b[end - 1] == b' ' {
                end -= 1;
            }
            return Some(end);
        }
        let mut i = q;
        let mut end = q;
        while let Some(&c) = b.get(i) {
            match c {
                b'\n' => break,
                b' ' => {
                    i += 1;
                    continue;
                }
                b':' if self.blankz(i + 1) => break,
                // libyaml's error in flow context: `[a:]`.
                b':' if matches!(b.get(i + 1), Some(b',' | b'?' | b'[' | b']' | b'{' | b'}')) => {
                    return None;
                }
                b'#' if b[i - 1] == b' ' => break,
                b',' | b'[' | b']' | b'{' | b'}' => break,
                _ => {}
            }
            i += 1;
            end = i;
        }
        Some(end)
    }

    fn flow_stop(&self, i: usize) -> bool {
        matches!(self.b.get(i), Some(b',' | b'[' | b']' | b'{' | b'}'))
    }

    /// A quoted scalar on one line: `'…'` (`''` standing for a quote) or `"…"` (with the escapes
    /// JSON knows and `\0`; `\uXXXX` but no surrogates).
    fn quoted(&self, q: usize) -> Option<Scalar<'_>> {
        let quote = self.b[q];
        // Only the quote, a backslash in `"…"` and a line break stop the reading: jump between
        // them. Text without escapes is borrowed.
        let escape = if quote == b'"' { b'\\' } else { b'\'' };
        let mut text = Cow::Borrowed("");
        let (mut from, mut i) = (q + 1, q + 1);
        loop {
            i += memchr::memchr3(quote, escape, b'\n', &self.b[i..])?;
            let (decoded, len) = match self.b[i] {
                b'\n' => return None,
                b'\'' if quote == b'\'' && self.b.get(i + 1) == Some(&b'\'') => ('\'', 2),
                b'\\' if quote == b'"' => backslash(self.text, i, b"0")?,
                _ => {
                    let rest = &self.text[from..i];
                    match &mut text {
                        Cow::Borrowed(_) => text = Cow::Borrowed(rest),
                        Cow::Owned(t) => t.push_str(rest),
                    }
                    return Some(Scalar {
                        text,
                        end: i + 1,
                        quoted: true,
                    });
                }
            };
            let t = text.to_mut();
            t.push_str(&self.text[from..i]);
            t.push(decoded);
            i += len;
            from = i;
        }
    }

    /// Spaces and line breaks inside a flow collection; a comment, or a line that does not go
    /// past the enclosing block collection's column `col`, is left to the builder.
    fn flow_space(&self, mut i: usize, col: usize) -> Option<usize> {
        loop {
            i = self.spaces(i);
            match self.b.get(i) {
                Some(b'\n') => {
                    let start = i + 1;
                    i = self.spaces(start);
                    if i - start <= col || matches!(self.b.get(i), Some(b'#')) {
                        // A blank line ends up here too: it is not worth reading.
                        return None;
                    }
                }
                Some(b'#') => return None,
                _ => return Some(i),
            }
        }
    }

    /// A flow collection at `p` (`[` or `{`): the node, ending after its closing bracket.
    fn flow(&mut self, p: usize, col: usize) -> Option<Built> {
        self.enter()?;
        let i = self.flow_space(p + 1, col)?;
        let (i, value) = if self.b[p] == b'[' {
            let (i, items) = self.gathered(|r| &mut r.items, |r| r.flow_items(i, col))?;
            (i, Value::Array(items))
        } else {
            let (i, entries) = self.gathered(|r| &mut r.entries, |r| r.flow_entries(i, col))?;
            (i, Value::Object(entries))
        };
        self.depth -= 1;
        let end = i + 1;
        Some(Built {
            node: Node {
                span: self.span(p, end),
                value,
            },
            end,
        })
    }

    /// The items of a flow sequence from `i` on, onto `self.items`; where its `]` is.
    fn flow_items(&mut self, mut i: usize, col: usize) -> Option<usize> {
        if self.b.get(i) == Some(&b']') {
            return Some(i);
        }
        loop {
            let item = self.flow_value(i, col)?;
            self.items.push(item.node);
            let closed;
            (i, closed) = self.flow_next(item.end, col, b']')?;
            if closed {
                return Some(i);
            }
        }
    }

    /// The entries of a flow mapping from `i` on, onto `self.entries`; where its `}` is.
    fn flow_entries(&mut self, mut i: usize, col: usize) -> Option<usize> {
        if self.b.get(i) == Some(&b'}') {
            return Some(i);
        }
        loop {
            let s = self.scalar(i, true)?;
            if self.b.get(s.end) != Some(&b':') || !self.blankz(s.end + 1) || s.text == "<<" {
                return None;
            }
            let key = Key {
                name: s.text.into(),
                span: self.span(i, s.end),
            };
            i = self.flow_space(s.end + 1, col)?;
            let value = self.flow_value(i, col)?;
            self.entries.push(Entry {
                key,
                value: value.node,
            });
            let closed;
            (i, closed) = self.flow_next(value.end, col, b'}')?;
            if closed {
                return Some(i);
            }
        }
    }

    /// After a flow collection's item that ends at `end`: the next item's start after a `,`, or
    /// the closing bracket `close` and `true`. A trailing comma is left to the builder.
    fn flow_next(&self, end: usize, col: usize, close: u8) -> Option<(usize, bool)> {
        let i = self.flow_space(end, col)?;
        match *self.b.get(i)? {
            b',' => {
                let next = self.flow_space(i + 1, col)?;
                (self.b.get(next) != Some(&close)).then_some((next, false))
            }
            c if c == close => Some((i, true)),
            _ => None,
        }
    }

    /// A node inside a flow collection: a nested collection, a scalar, or a tagged one of them.
    fn flow_value(&mut self, i: usize, col: usize) -> Option<Built> {
        match self.b.get(i)? {
            b'[' | b'{' => self.flow(i, col),
            b'!' => {
                let (tag, tag_end) = self.tag(i)?;
                if self.b.get(tag_end) != Some(&b' ') {
                    return None;
                }
                let r = self.spaces(tag_end);
                if matches!(self.b.get(r), Some(b'!')) {
                    return None;
                }
                let built = self.flow_value(r, col)?;
                Some(self.wrap(built, tag))
            }
            _ => {
                let s = self.scalar(i, true)?;
                // A plain scalar that goes on after a line break is folded by libyaml.
                if !s.quoted && self.b.get(self.spaces(s.end)) == Some(&b'\n') {
                    let after = self.flow_space(s.end, col)?;
                    if !matches!(self.b.get(after), Some(b',' | b']' | b'}')) {
                        return None;
                    }
                }
                Some(self.scalar_node(i, s))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// The vectorised test agrees, for every ASCII byte and at every place in a 64-byte chunk,
    /// with the rule: control characters but the line feed, and DEL, are left to the builder.
    #[test]
    fn control_characters_are_seen_anywhere() {
        for b in 0u8..0x80 {
            let c = char::from(b);
            let control = (b < 0x20 && b != b'\n') || b == 0x7F;
            for at in [0, 1, 31, 63, 64, 100] {
                let mut text = "a".repeat(130);
                text.replace_range(at..=at, &c.to_string());
                assert_eq!(super::plain_characters(&text), !control, "{b:#x} at {at}");
            }
        }
    }
}
