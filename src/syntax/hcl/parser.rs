//! A recursive-descent parser for HCL's native syntax, as far as finding policies needs: the body
//! structure (attributes, blocks, labels), and expressions as a small tree ([`Expr`]) that keeps
//! the byte range of every literal, collection item, object key and template part. What Terraform
//! computes (references, operators, conditionals, `for` expressions, splats) is checked for
//! syntax and kept as a range of text ([`Kind::Other`]).
//!
//! Newlines follow HCL: they end an attribute and separate object items, and are white space
//! inside parentheses, brackets, function arguments and template interpolations. Nesting deeper
//! than [`MAX_DEPTH`] stops the file with an error instead of growing the stack.

use std::ops::Range;

/// Blocks, brackets, parentheses, braces, template parts and unary operators nested deeper than
/// this stop the file. Real configurations stay well under 20.
pub const MAX_DEPTH: usize = 64;

/// A syntax error at `offset` (in the parsed text).
pub struct Error {
    pub offset: usize,
    pub message: String,
    /// Valid HCL, perhaps, but nested deeper than [`MAX_DEPTH`].
    pub over_limit: bool,
}

type R<T> = Result<T, Error>;

/// Which top-level blocks to keep, by type and labels.
pub type Keep<'k> = &'k dyn Fn(&str, &[String]) -> bool;

/// An expression and its range in the text (without surrounding white space).
#[derive(Debug)]
pub struct Expr {
    pub span: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug)]
pub enum Kind {
    Null,
    Bool(bool),
    Number,
    /// A quoted string without template parts; `raw` is the text between the quotes, and
    /// `escaped` says whether it holds `\` escapes or `$${`/`%%{`.
    Str {
        raw: Range<usize>,
        escaped: bool,
    },
    /// A quoted string with template parts (`heredoc: None`), or a heredoc (`Some(indented)`,
    /// `true` for `<<-`).
    Template {
        elems: Vec<Elem>,
        heredoc: Option<bool>,
    },
    Array(Vec<Expr>),
    Object(Vec<(Key, Expr)>),
    /// `name(args)`; `namespaced` for a provider function (`provider::aws::arn_parse(…)`).
    Call {
        name: Range<usize>,
        namespaced: bool,
        args: Vec<Expr>,
    },
    Paren(Box<Expr>),
    /// Anything computed: references, operators, conditionals, `for` expressions, splats.
    Other,
}

/// One part of a template.
#[derive(Debug)]
pub enum Elem {
    /// Literal text as written (escapes not yet decoded).
    Lit { raw: Range<usize>, escaped: bool },
    /// `${expr}`: the whole part and the expression inside.
    Interp {
        span: Range<usize>,
        expr: Range<usize>,
    },
    /// `%{ if … }…%{ endif }` or `%{ for … }…%{ endfor }`, from the opening to the closing tag.
    Directive { span: Range<usize> },
}

#[derive(Debug)]
pub struct Key {
    pub span: Range<usize>,
    pub kind: KeyKind,
}

#[derive(Debug)]
pub enum KeyKind {
    /// `Effect = …`
    Ident,
    /// `"Effect" = …`: the string's raw text and whether it has escapes.
    Str { raw: Range<usize>, escaped: bool },
    /// `(var.key) = …`, `"${x}" = …`
    Other,
}

/// One item of a body.
pub enum Item {
    Attr {
        name: Range<usize>,
        value: Expr,
    },
    Block {
        ident: Range<usize>,
        labels: Vec<String>,
        span: Range<usize>,
        /// `None` when the caller's `keep` declined the block: parsed, not kept.
        body: Option<Vec<Item>>,
    },
}

/// What ends a template.
#[derive(Clone, Copy)]
enum End<'a> {
    Quote,
    Heredoc(&'a str),
}

pub struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

fn is_id_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (!c.is_ascii() && c.is_alphabetic())
}

fn is_id_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || (!c.is_ascii() && c.is_alphanumeric())
}

/// Where the plain text of a quoted string may end: the first quote, escape, line break, or
/// start of a template part (`${`, `%{`) in `rest`.
fn quoted_text_end(rest: &[u8]) -> Option<usize> {
    let first = memchr::memchr3(b'"', b'\\', b'$', rest);
    let before = &rest[..first.unwrap_or(rest.len())];
    memchr::memchr2(b'\n', b'%', before).or(first)
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a str) -> Self {
        Parser {
            src,
            b: src.as_bytes(),
            pos: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.b.get(self.pos + ahead).copied()
    }

    fn at(&self, s: &str) -> bool {
        self.b[self.pos..].starts_with(s.as_bytes())
    }

    fn error_at<T>(&self, offset: usize, message: impl Into<String>) -> R<T> {
        Err(Error {
            offset,
            message: message.into(),
            over_limit: false,
        })
    }

    fn error<T>(&self, message: impl Into<String>) -> R<T> {
        self.error_at(self.pos, message)
    }

    /// What is at the current position, for messages.
    fn found(&self) -> String {
        match self.src[self.pos..].chars().next() {
            None => "the end of the file".into(),
            Some('\n') => "a line break".into(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn expect(&mut self, c: u8, what: &str) -> R<()> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            self.error(format!("expected {what}, found {}", self.found()))
        }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error {
                offset: self.pos,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                over_limit: true,
            });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Skips white space and comments, and line breaks too when `newlines`.
    #[inline]
    fn ws(&mut self, newlines: bool) -> R<()> {
        // Often there is none: decided here, without a call.
        match self.peek() {
            Some(b' ' | b'\t' | b'\r' | b'#' | b'/') => self.skip_ws(newlines),
            Some(b'\n') if newlines => self.skip_ws(newlines),
            _ => Ok(()),
        }
    }

    fn skip_ws(&mut self, newlines: bool) -> R<()> {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' if newlines => self.pos += 1,
                b'#' => self.skip_line(),
                b'/' if self.peek_at(1) == Some(b'/') => self.skip_line(),
                b'/' if self.peek_at(1) == Some(b'*') => {
                    match memchr::memmem::find(&self.b[self.pos + 2..], b"*/") {
                        Some(n) => self.pos += 2 + n + 2,
                        None => return self.error("this comment is never closed by `*/`"),
                    }
                }
                _ => break,
            }
        }
        Ok(())
    }

    /// To the line break that ends a `#` or `//` comment (not past it).
    fn skip_line(&mut self) {
        self.pos =
            memchr::memchr(b'\n', &self.b[self.pos..]).map_or(self.b.len(), |n| self.pos + n);
    }

    /// An identifier at the current position, if there is one.
    fn ident(&mut self) -> Option<Range<usize>> {
        let start = self.pos;
        // ASCII identifiers, the usual case, byte by byte.
        if self
            .peek()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        {
            let rest = &self.b[start + 1..];
            let n = rest
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
                .unwrap_or(rest.len());
            if rest.get(n).is_none_or(u8::is_ascii) {
                self.pos = start + 1 + n;
                return Some(start..self.pos);
            }
        }
        let mut chars = self.src[start..].char_indices();
        match chars.next() {
            Some((_, c)) if is_id_start(c) => {}
            _ => return None,
        }
        let len = chars
            .find(|&(_, c)| !is_id_continue(c))
            .map_or(self.src.len() - start, |(i, _)| i);
        self.pos = start + len;
        Some(start..self.pos)
    }

    /// Is the keyword `kw` at the current position (not the start of a longer identifier)?
    fn keyword(&self, kw: &str) -> bool {
        self.at(kw)
            && !self.src[self.pos + kw.len()..]
                .chars()
                .next()
                .is_some_and(is_id_continue)
    }

    /// A whole file: its top-level items. `keep` decides by type and labels which top-level
    /// blocks to keep (the others are parsed for syntax only).
    pub fn file(&mut self, keep: Keep) -> R<Vec<Item>> {
        self.body(false, Some(keep))
    }

    /// Items up to the end of the file (`nested: false`) or to a `}` (left for the caller).
    fn body(&mut self, nested: bool, keep: Option<Keep>) -> R<Vec<Item>> {
        let mut items = Vec::new();
        loop {
            self.ws(true)?;
            match self.peek() {
                None if nested => {
                    return self
                        .error("expected `}` to close the block, found the end of the file");
                }
                None => return Ok(items),
                Some(b'}') if nested => return Ok(items),
                _ => {}
            }
            let start = self.pos;
            let Some(ident) = self.ident() else {
                return self.error(format!(
                    "expected an attribute or a block, found {}",
                    self.found()
                ));
            };
            self.ws(false)?;
            if self.peek() == Some(b'=') && self.peek_at(1) != Some(b'=') {
                self.pos += 1;
                self.ws(false)?;
                let value = self.expr(false)?;
                self.end_of_line(nested, "the attribute")?;
                items.push(Item::Attr { name: ident, value });
                continue;
            }
            let mut labels = Vec::new();
            loop {
                match self.peek() {
                    Some(b'{') => break,
                    Some(b'"') => {
                        let label = self.term()?;
                        match label.kind {
                            Kind::Str { raw, escaped } => {
                                labels.push(super::unescape(&self.src[raw], escaped, true));
                            }
                            _ => {
                                return self.error_at(
                                    label.span.start,
                                    "a block label cannot hold template parts (`${…}`, `%{…}`)",
                                );
                            }
                        }
                    }
                    _ => match self.ident() {
                        Some(l) => labels.push(self.src[l].to_string()),
                        None => {
                            return self.error(format!(
                                "expected `=`, a block label or `{{` after `{}`, found {}",
                                &self.src[ident],
                                self.found()
                            ));
                        }
                    },
                }
                self.ws(false)?;
            }
            let kept = keep.is_none_or(|k| k(&self.src[ident.clone()], &labels));
            self.enter()?;
            self.pos += 1;
            let body = self.body(true, None)?;
            self.leave();
            self.pos += 1;
            let span = start..self.pos;
            self.end_of_line(nested, "the block")?;
            items.push(Item::Block {
                ident,
                labels,
                span,
                body: kept.then_some(body),
            });
        }
    }

    /// After an attribute or a block: only a line break, the end of the file or (in a block)
    /// its closing `}` may follow.
    fn end_of_line(&mut self, nested: bool, what: &str) -> R<()> {
        self.ws(false)?;
        match self.peek() {
            None | Some(b'\n') => Ok(()),
            Some(b'}') if nested => Ok(()),
            _ => self.error(format!(
                "expected a line break after {what}, found {}",
                self.found()
            )),
        }
    }

    /// An expression. With `multiline`, line breaks inside it are white space (in brackets,
    /// parentheses, arguments, interpolations); without, a line break ends it.
    pub fn expr(&mut self, multiline: bool) -> R<Expr> {
        let first = self.binary(multiline)?;
        let save = self.pos;
        self.ws(multiline)?;
        if self.peek() != Some(b'?') {
            self.pos = save;
            return Ok(first);
        }
        // cond ? a : b
        self.enter()?;
        self.pos += 1;
        self.ws(true)?;
        self.expr(true)?;
        self.ws(true)?;
        self.expect(b':', "`:` in the conditional")?;
        self.ws(true)?;
        let last = self.expr(multiline)?;
        self.leave();
        Ok(Expr {
            span: first.span.start..last.span.end,
            kind: Kind::Other,
        })
    }

    /// The length of the binary operator at the current position.
    fn binary_operator(&self) -> Option<usize> {
        let two = (self.peek()?, self.peek_at(1).unwrap_or(0));
        match two {
            (b'|', b'|') | (b'&', b'&') | (b'=' | b'!' | b'<' | b'>', b'=') => Some(2),
            (b'<', b'<') => None,
            (b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%', _) => Some(1),
            _ => None,
        }
    }

    fn binary(&mut self, multiline: bool) -> R<Expr> {
        let first = self.unary(multiline)?;
        let mut end = None;
        loop {
            let save = self.pos;
            self.ws(multiline)?;
            let Some(len) = self.binary_operator() else {
                self.pos = save;
                break;
            };
            self.pos += len;
            self.ws(true)?;
            end = Some(self.unary(multiline)?.span.end);
        }
        Ok(match end {
            None => first,
            Some(end) => Expr {
                span: first.span.start..end,
                kind: Kind::Other,
            },
        })
    }

    fn unary(&mut self, multiline: bool) -> R<Expr> {
        let start = self.pos;
        if matches!(self.peek(), Some(b'!' | b'-')) {
            self.enter()?;
            self.pos += 1;
            self.ws(true)?;
            let operand = self.unary(multiline)?;
            self.leave();
            return Ok(Expr {
                span: start..operand.span.end,
                kind: Kind::Other,
            });
        }
        let mut e = self.term()?;
        // Traversals: .attr, .0, .*, [index], [*]
        loop {
            let save = self.pos;
            self.ws(multiline)?;
            match self.peek() {
                Some(b'.') if !self.at("...") => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b'*') => self.pos += 1,
                        Some(c) if c.is_ascii_digit() => {
                            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                                self.pos += 1;
                            }
                        }
                        _ => {
                            if self.ident().is_none() {
                                return self.error(format!(
                                    "expected an attribute name after `.`, found {}",
                                    self.found()
                                ));
                            }
                        }
                    }
                }
                Some(b'[') => {
                    self.enter()?;
                    self.pos += 1;
                    self.ws(true)?;
                    if self.peek() == Some(b'*') {
                        self.pos += 1;
                    } else {
                        self.expr(true)?;
                    }
                    self.ws(true)?;
                    self.expect(b']', "`]` to close the index")?;
                    self.leave();
                }
                _ => {
                    self.pos = save;
                    return Ok(e);
                }
            }
            e = Expr {
                span: e.span.start..self.pos,
                kind: Kind::Other,
            };
        }
    }

    /// A term without traversals.
    fn term(&mut self) -> R<Expr> {
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'"') => return self.quoted(),
            Some(b'<') if self.at("<<") => return self.heredoc(),
            Some(b'[') => self.tuple()?,
            Some(b'{') => self.object()?,
            Some(b'(') => {
                self.enter()?;
                self.pos += 1;
                self.ws(true)?;
                let inner = self.expr(true)?;
                self.ws(true)?;
                self.expect(b')', "`)`")?;
                self.leave();
                Kind::Paren(Box::new(inner))
            }
            Some(c) if c.is_ascii_digit() => {
                self.number();
                Kind::Number
            }
            _ => match self.ident() {
                None => {
                    return self.error(format!("expected an expression, found {}", self.found()));
                }
                Some(id) => match &self.src[id.clone()] {
                    "true" => Kind::Bool(true),
                    "false" => Kind::Bool(false),
                    "null" => Kind::Null,
                    _ => self.call_or_reference(id)?,
                },
            },
        };
        Ok(Expr {
            span: start..self.pos,
            kind,
        })
    }

    /// After an identifier: a function call (`f(…)`, `provider::p::f(…)`) or a reference.
    fn call_or_reference(&mut self, id: Range<usize>) -> R<Kind> {
        let save = self.pos;
        let mut name_end = id.end;
        let mut namespaced = false;
        while self.at("::") {
            self.pos += 2;
            if self.ident().is_none() {
                return self.error(format!(
                    "expected a function name after `::`, found {}",
                    self.found()
                ));
            }
            name_end = self.pos;
            namespaced = true;
        }
        self.ws(false)?;
        if self.peek() != Some(b'(') {
            if namespaced {
                return self.error(format!(
                    "expected `(` after the function name, found {}",
                    self.found()
                ));
            }
            self.pos = save;
            return Ok(Kind::Other);
        }
        self.enter()?;
        self.pos += 1;
        let mut args = Vec::new();
        loop {
            self.ws(true)?;
            if self.peek() == Some(b')') {
                break;
            }
            args.push(self.expr(true)?);
            self.ws(true)?;
            if self.at("...") {
                self.pos += 3;
                self.ws(true)?;
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b')') => break,
                _ => {
                    return self.error(format!(
                        "expected `,` or `)` in the arguments, found {}",
                        self.found()
                    ));
                }
            }
        }
        self.pos += 1;
        self.leave();
        Ok(Kind::Call {
            name: id.start..name_end,
            namespaced,
            args,
        })
    }

    fn number(&mut self) {
        let digits = |p: &mut Self| {
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.pos += 1;
            }
        };
        digits(self);
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            digits(self);
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.peek_at(1), Some(b'+' | b'-')));
            if self.peek_at(1 + sign).is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1 + sign;
                digits(self);
            }
        }
    }

    /// `[a, b]` or `[for x in xs : x]`.
    fn tuple(&mut self) -> R<Kind> {
        self.enter()?;
        self.pos += 1;
        self.ws(true)?;
        if self.keyword("for") {
            self.for_rest(b']')?;
            self.leave();
            return Ok(Kind::Other);
        }
        let mut items = Vec::new();
        loop {
            self.ws(true)?;
            if self.peek() == Some(b']') {
                break;
            }
            items.push(self.expr(true)?);
            self.ws(true)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => break,
                _ => {
                    return self.error(format!(
                        "expected `,` or `]` in the list, found {}",
                        self.found()
                    ));
                }
            }
        }
        self.pos += 1;
        self.leave();
        Ok(Kind::Array(items))
    }

    /// `{ key = value, … }` or `{for k, v in m : k => v}`.
    fn object(&mut self) -> R<Kind> {
        self.enter()?;
        self.pos += 1;
        self.ws(true)?;
        if self.keyword("for") {
            self.for_rest(b'}')?;
            self.leave();
            return Ok(Kind::Other);
        }
        let mut items = Vec::new();
        loop {
            self.ws(true)?;
            if self.peek() == Some(b'}') {
                break;
            }
            let key = self.key()?;
            self.ws(false)?;
            match self.peek() {
                Some(b'=') if self.peek_at(1) != Some(b'=') => self.pos += 1,
                Some(b':') => self.pos += 1,
                _ => {
                    return self.error(format!(
                        "expected `=` or `:` after the object key, found {}",
                        self.found()
                    ));
                }
            }
            self.ws(false)?;
            let value = self.expr(false)?;
            items.push((key, value));
            self.ws(false)?;
            match self.peek() {
                Some(b',' | b'\n') => self.pos += 1,
                Some(b'}') => break,
                _ => {
                    return self.error(format!(
                        "expected `,`, a line break or `}}` after the object item, found {}",
                        self.found()
                    ));
                }
            }
        }
        self.pos += 1;
        self.leave();
        Ok(Kind::Object(items))
    }

    fn key(&mut self) -> R<Key> {
        let start = self.pos;
        if self.ident().is_some() {
            let end = self.pos;
            self.ws(false)?;
            if matches!(self.peek(), Some(b'=' | b':')) {
                self.pos = end;
                return Ok(Key {
                    span: start..end,
                    kind: KeyKind::Ident,
                });
            }
            self.pos = start;
        }
        let e = self.binary(false)?;
        let kind = match e.kind {
            Kind::Str { raw, escaped } => KeyKind::Str { raw, escaped },
            _ => KeyKind::Other,
        };
        Ok(Key { span: e.span, kind })
    }

    /// The rest of a `for` expression after `[` or `{`, through its closing bracket.
    fn for_rest(&mut self, close: u8) -> R<()> {
        self.pos += 3;
        self.ws(true)?;
        let name = |p: &mut Self| match p.ident() {
            Some(_) => p.ws(true),
            None => p.error(format!("expected a name after `for`, found {}", p.found())),
        };
        name(self)?;
        if self.peek() == Some(b',') {
            self.pos += 1;
            self.ws(true)?;
            name(self)?;
        }
        if !self.keyword("in") {
            return self.error(format!(
                "expected `in` in the `for` expression, found {}",
                self.found()
            ));
        }
        self.pos += 2;
        self.ws(true)?;
        self.expr(true)?;
        self.ws(true)?;
        self.expect(b':', "`:` in the `for` expression")?;
        self.ws(true)?;
        self.expr(true)?;
        self.ws(true)?;
        if close == b'}' {
            if !self.at("=>") {
                return self.error(format!(
                    "expected `=>` in the `for` expression, found {}",
                    self.found()
                ));
            }
            self.pos += 2;
            self.ws(true)?;
            self.expr(true)?;
            self.ws(true)?;
            if self.at("...") {
                self.pos += 3;
                self.ws(true)?;
            }
        }
        if self.keyword("if") {
            self.pos += 2;
            self.ws(true)?;
            self.expr(true)?;
            self.ws(true)?;
        }
        self.expect(close, if close == b']' { "`]`" } else { "`}`" })
    }

    /// `"…"`: a string, or a template when it has `${…}` or `%{…}` parts.
    fn quoted(&mut self) -> R<Expr> {
        let start = self.pos;
        self.pos += 1;
        // Most strings are plain text to the closing quote: no template to build.
        let rest = &self.b[self.pos..];
        if let Some(n) = quoted_text_end(rest).filter(|&n| rest[n] == b'"') {
            self.pos += n + 1;
            return Ok(Expr {
                span: start..self.pos,
                kind: Kind::Str {
                    raw: start + 1..start + 1 + n,
                    escaped: false,
                },
            });
        }
        let elems = self.template(End::Quote, start)?;
        self.pos += 1;
        let kind = match elems.as_slice() {
            [] => Kind::Str {
                raw: start + 1..start + 1,
                escaped: false,
            },
            [Elem::Lit { raw, escaped }] => Kind::Str {
                raw: raw.clone(),
                escaped: *escaped,
            },
            _ => Kind::Template {
                elems,
                heredoc: None,
            },
        };
        Ok(Expr {
            span: start..self.pos,
            kind,
        })
    }

    /// `<<EOF` or `<<-EOF`, its lines, and the closing delimiter.
    fn heredoc(&mut self) -> R<Expr> {
        let start = self.pos;
        self.pos += 2;
        let indented = self.peek() == Some(b'-');
        self.pos += usize::from(indented);
        let Some(delim) = self.ident() else {
            return self.error(format!(
                "expected a heredoc delimiter after `<<`, found {}",
                self.found()
            ));
        };
        if self.at("\r\n") {
            self.pos += 2;
        } else if self.peek() == Some(b'\n') {
            self.pos += 1;
        } else {
            return self.error(format!(
                "expected a line break after `{}`, found {}",
                &self.src[start..self.pos],
                self.found()
            ));
        }
        let delim = &self.src[delim];
        let elems = self.template(End::Heredoc(delim), start)?;
        Ok(Expr {
            span: start..self.pos,
            kind: Kind::Template {
                elems,
                heredoc: Some(indented),
            },
        })
    }

    /// If a heredoc's closing line starts here, moves past its delimiter.
    fn heredoc_end(&mut self, delim: &str) -> bool {
        let mut at = self.pos;
        while matches!(self.b.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        let rest = &self.src[at..];
        if rest.starts_with(delim)
            && !rest[delim.len()..]
                .chars()
                .next()
                .is_some_and(is_id_continue)
        {
            self.pos = at + delim.len();
            return true;
        }
        false
    }

    /// The parts of a template, up to its closing quote (left for the caller) or past a
    /// heredoc's closing delimiter. `start` is where the string or heredoc began, for messages.
    fn template(&mut self, end: End, start: usize) -> R<Vec<Elem>> {
        let mut elems = Vec::new();
        let mut lit = self.pos;
        let mut escaped = false;
        // Open `%{ if }` / `%{ for }` tags: is it an `if`, and where the outermost began.
        let mut open: Vec<bool> = Vec::new();
        let mut directive_start = 0;
        let mut line_start = true;
        loop {
            let here = self.pos;
            if let End::Heredoc(delim) = end
                && line_start
                && self.heredoc_end(delim)
            {
                if !open.is_empty() {
                    return self
                        .error_at(directive_start, "this template directive is never closed");
                }
                if here > lit {
                    elems.push(Elem::Lit {
                        raw: lit..here,
                        escaped,
                    });
                }
                return Ok(elems);
            }
            line_start = false;
            let Some(c) = self.peek() else {
                return self.error_at(
                    start,
                    match end {
                        End::Quote => "this string is never closed by `\"`".to_string(),
                        End::Heredoc(d) => format!("this heredoc is never closed by a `{d}` line"),
                    },
                );
            };
            match c {
                b'"' if matches!(end, End::Quote) => break,
                b'\\' if matches!(end, End::Quote) => {
                    self.escape()?;
                    escaped = true;
                }
                b'\n' => {
                    self.pos += 1;
                    line_start = true;
                }
                b'$' | b'%' if self.peek_at(1) == Some(c) && self.peek_at(2) == Some(b'{') => {
                    self.pos += 3;
                    escaped = true;
                }
                b'$' | b'%' if self.peek_at(1) == Some(b'{') => {
                    if open.is_empty() && here > lit {
                        elems.push(Elem::Lit {
                            raw: lit..here,
                            escaped,
                        });
                    }
                    escaped = false;
                    if c == b'$' {
                        let expr = self.interpolation()?;
                        if open.is_empty() {
                            elems.push(Elem::Interp {
                                span: here..self.pos,
                                expr,
                            });
                        }
                    } else {
                        match self.tag()? {
                            Tag::Open(is_if) => {
                                if open.is_empty() {
                                    directive_start = here;
                                }
                                open.push(is_if);
                            }
                            Tag::Else => {
                                if open.last() != Some(&true) {
                                    return self.error_at(here, "`%{ else }` outside `%{ if }`");
                                }
                            }
                            Tag::Close(is_if) => {
                                if open.pop() != Some(is_if) {
                                    let (tag, opener) = if is_if {
                                        ("endif", "if")
                                    } else {
                                        ("endfor", "for")
                                    };
                                    return self.error_at(
                                        here,
                                        format!("`%{{ {tag} }}` without its `%{{ {opener} }}`"),
                                    );
                                }
                                if open.is_empty() {
                                    elems.push(Elem::Directive {
                                        span: directive_start..self.pos,
                                    });
                                }
                            }
                        }
                    }
                    lit = self.pos;
                }
                // Plain text: on to the next byte that may mean something here (quotes and
                // backslashes are text in a heredoc).
                _ => {
                    self.pos += 1;
                    let rest = &self.b[self.pos..];
                    self.pos += match end {
                        End::Heredoc(_) => memchr::memchr3(b'\n', b'$', b'%', rest),
                        End::Quote => quoted_text_end(rest),
                    }
                    .unwrap_or(rest.len());
                }
            }
        }
        if !open.is_empty() {
            return self.error_at(directive_start, "this template directive is never closed");
        }
        if self.pos > lit {
            elems.push(Elem::Lit {
                raw: lit..self.pos,
                escaped,
            });
        }
        Ok(elems)
    }

    /// A `\` escape in a quoted string.
    fn escape(&mut self) -> R<()> {
        let len = match self.peek_at(1) {
            Some(b'n' | b'r' | b't' | b'"' | b'\\') => 2,
            Some(b'u') => 6,
            Some(b'U') => 10,
            _ => 0,
        };
        let valid = len == 2
            || (len > 2
                && self
                    .src
                    .get(self.pos + 2..self.pos + len)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                    .is_some());
        if !valid {
            let shown: String = self.src[self.pos..].chars().take(2).collect();
            return self.error(format!(
                "invalid escape `{shown}`: HCL knows `\\n`, `\\r`, `\\t`, `\\\"`, `\\\\`, `\\uNNNN` and `\\UNNNNNNNN`"
            ));
        }
        self.pos += len;
        Ok(())
    }

    /// `${ expr }`; returns the expression's range.
    fn interpolation(&mut self) -> R<Range<usize>> {
        self.enter()?;
        self.pos += 2;
        self.strip_marker()?;
        let e = self.expr(true)?;
        self.ws(true)?;
        if self.peek() == Some(b'~') {
            self.pos += 1;
        }
        self.expect(b'}', "`}` to close `${`")?;
        self.leave();
        Ok(e.span)
    }

    fn strip_marker(&mut self) -> R<()> {
        if self.peek() == Some(b'~') {
            self.pos += 1;
        }
        self.ws(true)
    }

    /// `%{ if cond }`, `%{ else }`, `%{ endif }`, `%{ for x in xs }`, `%{ endfor }`.
    fn tag(&mut self) -> R<Tag> {
        let start = self.pos;
        self.pos += 2;
        self.strip_marker()?;
        let tag = if self.keyword("if") {
            self.pos += 2;
            self.ws(true)?;
            self.enter()?;
            self.expr(true)?;
            self.leave();
            Tag::Open(true)
        } else if self.keyword("for") {
            self.pos += 3;
            self.ws(true)?;
            for i in 0..2 {
                if self.ident().is_none() {
                    return self.error(format!(
                        "expected a name after `for`, found {}",
                        self.found()
                    ));
                }
                self.ws(true)?;
                if i == 1 || self.peek() != Some(b',') {
                    break;
                }
                self.pos += 1;
                self.ws(true)?;
            }
            if !self.keyword("in") {
                return self.error(format!("expected `in`, found {}", self.found()));
            }
            self.pos += 2;
            self.ws(true)?;
            self.enter()?;
            self.expr(true)?;
            self.leave();
            Tag::Open(false)
        } else if self.keyword("else") {
            self.pos += 4;
            Tag::Else
        } else if self.keyword("endif") {
            self.pos += 5;
            Tag::Close(true)
        } else if self.keyword("endfor") {
            self.pos += 6;
            Tag::Close(false)
        } else {
            return self.error_at(
                start,
                "expected `if`, `else`, `endif`, `for` or `endfor` after `%{`",
            );
        };
        self.ws(true)?;
        if self.peek() == Some(b'~') {
            self.pos += 1;
        }
        self.expect(b'}', "`}` to close `%{`")?;
        Ok(tag)
    }
}

enum Tag {
    /// `if` (true) or `for`.
    Open(bool),
    Else,
    /// `endif` (true) or `endfor`.
    Close(bool),
}
