//! Output formats, all rendered from the same sorted findings. Suppressed findings are left out of
//! every format except those that record suppressions (SARIF).
//!
//! Every format is written to its writer as it is rendered, finding by finding: no format holds
//! its whole report in memory (SARIF and the JSON array write each entry with the same
//! indentation `serde_json`'s pretty printer gives it inside the whole document, so the bytes are
//! those of printing the document at once).

pub mod compact;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use std::io::Write;

use crate::Outcome;
use crate::settings::Format;

/// Writes the outcome in `format` to `out`, as it is rendered.
pub fn write(
    format: Format,
    outcome: &Outcome,
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(outcome, color, out),
        Format::Compact => compact::write(outcome, out),
        Format::Json => json::write(outcome, out),
        Format::Github => github::write(outcome, out),
        Format::Sarif => sarif::write(outcome, out),
    }
}

/// Renders the outcome in `format` into a string (tests, `--output FILE`). `color` only affects
/// the human view.
pub fn render(format: Format, outcome: &Outcome, color: bool) -> String {
    let mut out = Vec::new();
    write(format, outcome, color, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("every format writes UTF-8")
}

/// A writer that puts `indent` spaces after every line break it passes on: a value printed by
/// `serde_json`'s pretty printer at the top level comes out as it would nested `indent / 2`
/// levels deep (JSON strings never hold a raw line break, so every break is the printer's).
pub(crate) struct Indented<'a> {
    out: &'a mut dyn Write,
    indent: &'static str,
    /// Bytes passed on, for working out a value's size without keeping it.
    pub bytes: usize,
}

impl<'a> Indented<'a> {
    pub fn new(out: &'a mut dyn Write, indent: &'static str) -> Self {
        Indented {
            out,
            indent,
            bytes: 0,
        }
    }
}

impl Write for Indented<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let mut rest = buf;
        while let Some(i) = memchr::memchr(b'\n', rest) {
            self.out.write_all(&rest[..=i])?;
            self.out.write_all(self.indent.as_bytes())?;
            rest = &rest[i + 1..];
        }
        self.out.write_all(rest)?;
        self.bytes += indented_len(buf, self.indent);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The length of `buf` written through an [`Indented`] writer with `indent`.
pub(crate) fn indented_len(buf: &[u8], indent: &str) -> usize {
    buf.len() + indent.len() * memchr::memchr_iter(b'\n', buf).count()
}

/// Writes a JSON array of `items` as `serde_json::to_writer_pretty` writes it at `indent`
/// (spaces before the array's own closing bracket): `[]` when empty, else one item per
/// element, each indented two spaces more.
pub(crate) fn write_array<T: serde::Serialize>(
    out: &mut dyn Write,
    indent: &'static str,
    items: impl Iterator<Item = T>,
) -> std::io::Result<()> {
    let item_indent = indent_of(indent.len() + 2);
    let mut first = true;
    // Each item is printed into this buffer, then indented line by line on its way out: one
    // write per line rather than one per token.
    let mut buf = Vec::new();
    for item in items {
        out.write_all(if first { b"[\n" } else { b",\n" })?;
        first = false;
        out.write_all(item_indent.as_bytes())?;
        buf.clear();
        serde_json::to_writer_pretty(&mut buf, &item).map_err(std::io::Error::other)?;
        Indented::new(out, item_indent).write_all(&buf)?;
    }
    if first {
        out.write_all(b"[]")
    } else {
        out.write_all(b"\n")?;
        out.write_all(indent.as_bytes())?;
        out.write_all(b"]")
    }
}

const INDENTS: &str = "                ";

/// `n` spaces (at most 16: the deepest array an output writes this way is SARIF's results).
pub(crate) fn indent_of(n: usize) -> &'static str {
    &INDENTS[..n.min(INDENTS.len())]
}
