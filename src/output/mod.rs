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

/// Writes the outcome in `format` to `out`, as it is rendered, on up to `threads` threads (0:
/// one per core; see `in_chunks`).
pub fn write(
    format: Format,
    outcome: &Outcome,
    color: bool,
    threads: usize,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let threads = crate::settings::thread_count(threads);
    match format {
        Format::Human => human::write(outcome, color, threads, out),
        Format::Compact => compact::write(outcome, threads, out),
        Format::Json => json::write(outcome, threads, out),
        Format::Github => github::write(outcome, threads, out),
        Format::Sarif => sarif::write(outcome, threads, out),
    }
}

/// Renders the outcome in `format` into a string (tests, `--output FILE`), on one thread.
/// `color` only affects the human view.
pub fn render(format: Format, outcome: &Outcome, color: bool) -> String {
    let mut out = Vec::new();
    write(format, outcome, color, 1, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("every format writes UTF-8")
}

/// Findings per chunk of `in_chunks`.
const CHUNK: usize = 512;

/// Runs `work` on consecutive chunks of `items` (with the index of each chunk's first item) and
/// hands the results to `sink` in the items' order. The chunks of a round, two per thread, are
/// worked on by `threads` threads at once (an output is written after the walk, whose threads
/// are done by then), so at most one round's results are held. On one thread, or for one chunk,
/// no thread is started.
pub(crate) fn in_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: &(dyn Fn(usize, &[T]) -> R + Sync),
    mut sink: impl FnMut(R) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let threads = threads.max(1);
    let round = CHUNK * 2 * threads;
    for (r, items) in items.chunks(round).enumerate() {
        let start = r * round;
        let chunks: Vec<(usize, &[T])> = items
            .chunks(CHUNK)
            .enumerate()
            .map(|(i, c)| (start + i * CHUNK, c))
            .collect();
        if threads == 1 || chunks.len() == 1 {
            for (at, c) in chunks {
                sink(work(at, c))?;
            }
            continue;
        }
        // Thread `t` takes chunks t, t + threads, …; the results are put back in order.
        let mut done: Vec<Option<R>> = std::iter::repeat_with(|| None).take(chunks.len()).collect();
        std::thread::scope(|scope| {
            let chunks = &chunks;
            let helpers: Vec<_> = (1..threads)
                .map(|t| {
                    scope.spawn(move || {
                        (t..chunks.len())
                            .step_by(threads)
                            .map(|i| (i, work(chunks[i].0, chunks[i].1)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for i in (0..chunks.len()).step_by(threads) {
                done[i] = Some(work(chunks[i].0, chunks[i].1));
            }
            for h in helpers {
                // A panic in a helper is the renderer's bug: let it end the run as it would have
                // on one thread.
                for (i, r) in h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)) {
                    done[i] = Some(r);
                }
            }
        });
        for r in done {
            sink(r.expect("every chunk is worked on"))?;
        }
    }
    Ok(())
}

/// `serde_json`'s pretty printer (two spaces a level) for a value printed `level` levels deep
/// in a larger document: its lines are indented as they are when the whole document is printed
/// at once, without a second pass over the printed text. An indentation of up to 32 levels is one
/// write.
pub(crate) struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    pub fn at(level: usize) -> Self {
        Nested {
            level,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> std::io::Result<()> {
        let mut n = self.level * 2;
        while n > 0 {
            let some = n.min(INDENTS.len());
            w.write_all(&INDENTS.as_bytes()[..some])?;
            n -= some;
        }
        Ok(())
    }

    /// An array or object opens (`[`, `{`): one level deeper, no member yet.
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// Before a member of an array or object: its own line, after a comma unless `first`.
    fn member<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    /// An array or object closes: on its own line if it has members.
    fn end<W: ?Sized + Write>(&mut self, w: &mut W, close: &[u8]) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(close)
    }
}

/// The same calls as `serde_json::ser::PrettyFormatter` makes, from a starting level.
impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.end(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.end(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.member(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Prints `value` as `serde_json::to_writer_pretty` prints it `level` levels deep ([`Nested`]).
pub(crate) fn write_nested<W: ?Sized + Write, T: serde::Serialize>(
    out: &mut W,
    level: usize,
    value: &T,
) -> std::io::Result<()> {
    let mut s = serde_json::Serializer::with_formatter(out, Nested::at(level));
    value.serialize(&mut s).map_err(std::io::Error::other)
}

/// A writer that counts the bytes it passes on to `inner`; with an `io::Sink`, a value's printed
/// size without keeping it.
#[derive(Default)]
pub(crate) struct Counted<W> {
    pub inner: W,
    pub bytes: usize,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n;
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.inner.write_all(buf)?;
        self.bytes += buf.len();
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Elements of a JSON array as `serde_json::to_writer_pretty` writes it at `indent` (spaces
/// before the array's own closing bracket), each indented two spaces more, after the `[`
/// (while `empty`: none written yet) or the `,` that goes before it. Returns whether the array
/// is still empty; [`close_array`] ends it.
pub(crate) fn write_elements<W: ?Sized + Write, T: serde::Serialize>(
    out: &mut W,
    indent: &'static str,
    mut empty: bool,
    items: impl Iterator<Item = T>,
) -> std::io::Result<bool> {
    let item_indent = indent_of(indent.len() + 2);
    for item in items {
        out.write_all(if empty { b"[\n" } else { b",\n" })?;
        empty = false;
        out.write_all(item_indent.as_bytes())?;
        write_nested(out, item_indent.len() / 2, &item)?;
    }
    Ok(empty)
}

/// The end of an array [`write_elements`] writes: `[]` if no element was written (`empty`).
pub(crate) fn close_array<W: ?Sized + Write>(
    out: &mut W,
    indent: &'static str,
    empty: bool,
) -> std::io::Result<()> {
    if empty {
        out.write_all(b"[]")
    } else {
        out.write_all(b"\n")?;
        out.write_all(indent.as_bytes())?;
        out.write_all(b"]")
    }
}

const INDENTS: &str = "                                                                ";

/// `n` spaces (at most 64; the deepest array an output writes this way is SARIF's results, at 6).
pub(crate) fn indent_of(n: usize) -> &'static str {
    &INDENTS[..n.min(INDENTS.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Elements printed one by one, at any depth, are the bytes of the document printed at once.
    #[test]
    fn elements_print_as_the_whole_document() {
        let items = vec![
            serde_json::json!({"a": [1, {"b": []}, {}], "c": "x\ny", "d": {"e": [[]]}}),
            serde_json::json!([]),
            // Deeper than one write of indentation holds.
            (0..40).fold(serde_json::json!(1), |v, _| serde_json::json!([v])),
        ];
        for depth in [0, 1, 3, 6] {
            let mut whole = serde_json::Value::Array(items.clone());
            let mut indent = "";
            for _ in 0..depth {
                whole = serde_json::json!({ "k": whole });
                indent = indent_of(indent.len() + 2);
            }
            let mut out = Vec::new();
            let mut open = String::new();
            let mut close = String::new();
            for d in 0..depth {
                open.push_str(&format!("{{\n{}\"k\": ", indent_of(2 * (d + 1))));
                close.insert_str(0, &format!("\n{}}}", indent_of(2 * d)));
            }
            out.extend_from_slice(open.as_bytes());
            let empty = write_elements(&mut out, indent, true, items.iter()).unwrap();
            close_array(&mut out, indent, empty).unwrap();
            out.extend_from_slice(close.as_bytes());
            let expected = serde_json::to_string_pretty(&whole).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "depth {depth}");
        }
        let mut empty = Vec::new();
        let none = write_elements(&mut empty, "  ", true, std::iter::empty::<u8>()).unwrap();
        close_array(&mut empty, "  ", none).unwrap();
        assert_eq!(empty, b"[]");
    }

    /// Results come back in the items' order whatever the thread count, each chunk with the
    /// index of its first item.
    #[test]
    fn chunks_come_back_in_order() {
        let items: Vec<usize> = (0..CHUNK * 11 + 7).collect();
        for threads in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            let work = |at: usize, chunk: &[usize]| {
                assert_eq!(chunk[0], at);
                chunk.to_vec()
            };
            in_chunks(&items, threads, &work, |mut some| {
                seen.append(&mut some);
                Ok(())
            })
            .unwrap();
            assert_eq!(seen, items, "{threads} threads");
        }
    }
}
