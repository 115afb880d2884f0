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
    let empty = write_elements(out, indent, true, items)?;
    close_array(out, indent, empty)
}

/// Elements of an array [`write_array`] writes, each after the `[` (while `empty`: none
/// written yet) or the `,` that goes before it. Returns whether the array is still empty.
pub(crate) fn write_elements<T: serde::Serialize>(
    out: &mut dyn Write,
    indent: &'static str,
    mut empty: bool,
    items: impl Iterator<Item = T>,
) -> std::io::Result<bool> {
    let item_indent = indent_of(indent.len() + 2);
    // Each item is printed into this buffer, then indented line by line on its way out: one
    // write per line rather than one per token.
    let mut buf = Vec::new();
    for item in items {
        out.write_all(if empty { b"[\n" } else { b",\n" })?;
        empty = false;
        out.write_all(item_indent.as_bytes())?;
        buf.clear();
        serde_json::to_writer_pretty(&mut buf, &item).map_err(std::io::Error::other)?;
        Indented::new(out, item_indent).write_all(&buf)?;
    }
    Ok(empty)
}

/// The end of an array [`write_array`] writes: `[]` if no element was written (`empty`).
pub(crate) fn close_array(
    out: &mut dyn Write,
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

const INDENTS: &str = "                ";

/// `n` spaces (at most 16: the deepest array an output writes this way is SARIF's results).
pub(crate) fn indent_of(n: usize) -> &'static str {
    &INDENTS[..n.min(INDENTS.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

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
