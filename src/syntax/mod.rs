//! The bottom of the pipeline: the readers of the three syntaxes policies are written in, and the
//! spanned tree they build. Each reader has a fast path for the common subset and a full parser
//! for the rest, side by side, and a test that holds the fast one to the full one.
//!
//! Nothing here knows about policies: [`crate::extract`] turns the trees into documents.

pub mod escape;
pub mod hcl;
pub mod json;
pub mod tree;
pub mod yaml;

/// `text` with `cut` bytes at the position `at` picks replaced by `insert` (widened to whole
/// characters): the damaged inputs of the front ends' tests.
#[cfg(test)]
pub(crate) fn damage(text: &str, at: proptest::sample::Index, cut: usize, insert: &str) -> String {
    let mut at = at.index(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + cut).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    format!("{}{}{}", &text[..at], insert, &text[end..])
}

/// The repository's files under `examples`, `tests`, `rules`, `bench` and `fuzz` whose names end
/// in one of `suffixes`: what the front ends' tests read with both of their parsers.
#[cfg(test)]
pub(crate) fn repository_files(suffixes: &[&str]) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, suffixes: &[&str], out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            if p.is_dir() {
                walk(&p, suffixes, out);
            } else if suffixes.iter().any(|x| name.ends_with(x)) {
                out.push(p);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests", "rules", "bench", "fuzz"] {
        walk(&root.join(dir), suffixes, &mut files);
    }
    files
}
