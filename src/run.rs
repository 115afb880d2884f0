//! The driver: walks the paths, reads each file, extracts its documents, runs the enabled rules
//! on each, applies severities and suppressions, and puts the findings in output order; then the
//! filters that hide findings (baseline, changed lines).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diagnostic::{self, Finding};
use crate::extract::{self, Extracted, FileKind, Unread};
use crate::outcome::Outcome;
use crate::rules::{self, Context};
use crate::settings::{self, Settings};
use crate::source::{self, Decoded, SourceFile, Span};
use crate::walk::{self, Note};
use crate::{baseline, changed, fingerprint, suppress};

/// Lints one file's text as if it were at `path`, read by the `kind` front end.
pub fn lint_source(file: &Arc<SourceFile>, kind: FileKind, settings: &Settings) -> Vec<Finding> {
    lint_extracted(file, kind, settings, Extracted::default()).findings
}

/// What linting one file gives: its findings (in the files they point into: a Terraform file's
/// `templatefile()` policy is linted in the template) and the places not read.
#[derive(Debug)]
struct Linted {
    findings: Vec<Finding>,
    unread: Vec<Unread>,
    /// Files read for a policy a Terraform argument names: (with links resolved, as named).
    followed: Vec<(PathBuf, PathBuf)>,
}

/// Extracts into `ex` (which may already hold findings about the input), runs the rules, applies
/// selection, severities and suppressions.
fn lint_extracted(
    file: &Arc<SourceFile>,
    kind: FileKind,
    settings: &Settings,
    mut ex: Extracted,
) -> Linted {
    extract::extract(file, kind, &mut ex);
    let mut findings = ex.findings;
    for doc in &ex.documents {
        let before = findings.len();
        // The document's own file: a followed Terraform template's, or `file` itself.
        let file = &doc.file;
        // Worked out once per document, for all the rules that ask.
        let facts = rules::Facts::new(doc, file);
        for enabled in &settings.rules {
            let rule = &enabled.rule;
            if rule.meta().applies_to(doc.kind) {
                let mut cx = Context::new(
                    &settings.options,
                    rule.meta(),
                    file,
                    &facts,
                    &ex.documents,
                    &mut findings,
                );
                rule.check(doc, &mut cx);
            }
        }
        // What a tool wrote (SAM's policy templates) is not the author's to fix.
        if !doc.generated.is_empty() {
            let own = findings.split_off(before);
            findings.extend(
                own.into_iter()
                    .filter(|f| !doc.is_generated(f.primary.span)),
            );
        }
        // Name the resource that holds the policy where the template names it.
        if let (Some(owner), Some(span)) = (&doc.owner, doc.owner_span) {
            let text: std::sync::Arc<str> =
                format!("in the {} policy of {owner}", doc.kind.as_str()).into();
            for f in &mut findings[before..] {
                f.secondary.push(diagnostic::Label {
                    span,
                    text: text.clone().into(),
                });
            }
        }
    }
    check_attachments(file, settings, &ex.attachments, &mut findings);
    // Front ends report whatever they see; keep what is selected, at the configured severity.
    // A configured severity applies to every finding of its rule; otherwise the level the rule
    // chose stays (some rules pick one per finding).
    findings.retain_mut(|f| match settings.enabled(f.rule.as_str()) {
        Some(e) => {
            if e.configured {
                f.severity = e.severity;
            }
            true
        }
        None => false,
    });
    // Each file's suppression comments apply to the findings in that file.
    if findings.iter().all(|f| Arc::ptr_eq(&f.file, file)) {
        suppress::apply(file, &mut findings, settings);
    } else {
        let mut rest = findings;
        findings = Vec::with_capacity(rest.len());
        while let Some(first) = rest.first() {
            let of = first.file.clone();
            let (mut mine, others): (Vec<_>, Vec<_>) =
                rest.into_iter().partition(|f| Arc::ptr_eq(&f.file, &of));
            suppress::apply(&of, &mut mine, settings);
            findings.append(&mut mine);
            rest = others;
        }
    }
    Linted {
        findings,
        unread: ex.unread,
        followed: ex.followed,
    }
}

/// Runs the rules' attachment checks on every managed policy the file attaches, naming the
/// role, user or group that attaches it.
fn check_attachments(
    file: &Arc<SourceFile>,
    settings: &Settings,
    attachments: &[crate::policy::attachment::Attachment],
    findings: &mut Vec<Finding>,
) {
    if attachments.is_empty() {
        return;
    }
    let facts = rules::Facts::without_document(file);
    for a in attachments {
        let before = findings.len();
        for enabled in &settings.rules {
            let rule = &enabled.rule;
            // Attachment checks read no other document.
            let mut cx = Context::new(&settings.options, rule.meta(), file, &facts, &[], findings);
            rule.check_attachment(a, &mut cx);
        }
        if a.owner_span != a.span {
            for f in &mut findings[before..] {
                f.secondary.push(diagnostic::Label {
                    span: a.owner_span,
                    text: format!("attached to {}", a.owner).into(),
                });
            }
        }
    }
}

/// Lints `text` as if it were the file at `path`, choosing the front end by the name (and, for a
/// name that says nothing, by the first character). Empty when iamlint does not read such files.
pub fn lint_text(path: &str, text: &str, settings: &Settings) -> Vec<Finding> {
    let path = PathBuf::from(path);
    let Some(kind) = extract::classify(&path).or_else(|| extract::sniff_text(text)) else {
        return Vec::new();
    };
    let file = SourceFile::new(path, text.to_string());
    let mut findings = lint_source(&file, kind, settings);
    Finding::sort(&mut findings);
    findings
}

/// Lints `bytes` (standard input, an editor's unsaved buffer) as if they were the file at `path`.
/// Returns the outcome and the decoded text.
pub fn run_bytes(path: &std::path::Path, bytes: Vec<u8>, settings: &Settings) -> (Outcome, String) {
    let (text, binary) = match source::decode(bytes) {
        Decoded::Utf8(t) | Decoded::Utf16(t) | Decoded::Lossy { text: t, .. } => (t, false),
        Decoded::Binary => (String::new(), true),
    };
    let (mut findings, unread) =
        match extract::classify(path).or_else(|| extract::sniff_text(&text)) {
            Some(kind) if !binary => {
                // A Terraform `file()`/`templatefile()` is followed as for the file named on the
                // command line (the input stands for it), and what is not read is said.
                let ex = Extracted {
                    follow: stdin_follow_root(path).map(|root| extract::Follow {
                        root,
                        max_size: settings.max_file_size,
                    }),
                    ..Extracted::default()
                };
                let file = SourceFile::new(path.to_path_buf(), text.clone());
                let linted = lint_extracted(&file, kind, settings, ex);
                (linted.findings, linted.unread)
            }
            _ => (Vec::new(), Vec::new()),
        };
    Finding::sort(&mut findings);
    let notes = if binary {
        vec![Note {
            path: source::display_path(path),
            message: "skipped: binary input (a NUL byte)".into(),
            named: true,
        }]
    } else {
        Vec::new()
    };
    let outcome = Outcome {
        findings,
        files_linted: usize::from(!binary),
        notes,
        unread,
        ..Outcome::default()
    };
    (outcome, text)
}

/// Reads and lints one file. `None` when the file holds nothing worth parsing.
fn lint_path(
    path: PathBuf,
    kind: FileKind,
    explicit: bool,
    settings: &Settings,
    follow: Option<extract::Follow>,
) -> Result<Option<Linted>, Note> {
    let note = |message: String| Note {
        path: source::display_path(&path),
        message,
        named: explicit,
    };
    let bytes = read_limited(&path, settings.max_file_size).map_err(|e| {
        note(match e {
            ReadError::Io(e) => format!("skipped: {e}"),
            ReadError::TooBig(size) => format!(
                "skipped: {size} bytes is over the {} byte limit (--max-file-size)",
                settings.max_file_size
            ),
        })
    })?;
    // UTF-16's needles are not the UTF-8 bytes: look for them once decoded.
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if !explicit && !utf16 && !extract::worth_parsing(kind, &bytes) {
        return Ok(None);
    }
    let (text, lossy_at) = match source::decode(bytes) {
        Decoded::Utf8(t) | Decoded::Utf16(t) => (t, None),
        Decoded::Lossy { text, at } => (text, Some(at)),
        Decoded::Binary => return Err(note("skipped: binary file".into())),
    };
    if !explicit && utf16 && !extract::worth_parsing(kind, text.as_bytes()) {
        return Ok(None);
    }
    let file = SourceFile::new(path.clone(), text);
    let mut ex = Extracted {
        follow,
        ..Extracted::default()
    };
    if let Some(at) = lossy_at {
        ex.findings.push(
            extract::input::INVALID_ENCODING
                .finding(
                    &file,
                    source::Span::new(at, at + '\u{FFFD}'.len_utf8()),
                    "the file is not valid UTF-8",
                )
                .label("this byte is not UTF-8; it was read as U+FFFD")
                .help("save the file as UTF-8"),
        );
    }
    Ok(Some(lint_extracted(&file, kind, settings, ex)))
}

enum ReadError {
    Io(std::io::Error),
    TooBig(u64),
}

/// The file's bytes, unless it holds more than `max` (checked on the open file, before reading).
///
/// A regular file is read up to the size the open file reports, without the extra `read` that
/// would only confirm its end (one system call in three on a tree of small files); bytes added
/// while it is read are not read. A file that reports no size (a pipe, `/proc`) is read to its
/// end, up to `max`.
fn read_limited(path: &std::path::Path, max: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let size = file.metadata().map_err(ReadError::Io)?.len();
    if size > max {
        return Err(ReadError::TooBig(size));
    }
    if size == 0 {
        let mut bytes = Vec::new();
        file.take(max + 1)
            .read_to_end(&mut bytes)
            .map_err(ReadError::Io)?;
        if bytes.len() as u64 > max {
            return Err(ReadError::TooBig(bytes.len() as u64));
        }
        return Ok(bytes);
    }
    // `take` ends the read at the size without asking the file again.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(size)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    Ok(bytes)
}

/// The files' findings in one list, in [`Finding::sort`]'s order: the lists of one path (a path
/// named twice on the command line is linted twice) joined, each list sorted, the lists in path
/// order, and put together once at their full length. It is the order one sort of all of them
/// gives, without growing one list file by file and sorting it whole (a large list is memory the
/// allocator has to fetch fresh; a few per-file lists are not).
fn sorted_by_file(mut by_file: Vec<Vec<Finding>>) -> Vec<Finding> {
    // Every list is of one file: its first finding names it.
    by_file.retain(|f| !f.is_empty());
    by_file.sort_by(|a, b| a[0].file.shown_path().cmp(b[0].file.shown_path()));
    by_file.dedup_by(|later, first| {
        let same = later[0].file.shown_path() == first[0].file.shown_path();
        if same {
            first.append(later);
        }
        same
    });
    let mut out = Vec::with_capacity(by_file.iter().map(Vec::len).sum());
    for mut f in by_file {
        Finding::sort(&mut f);
        out.append(&mut f);
    }
    out
}

/// Points the findings and places not read at [`SourceFile::settled`] copies of their files,
/// which keep only the lines they point into (where that saves memory): findings are held until
/// the walk ends, and most of a file's text is not needed by then.
fn settle(findings: &mut [Finding], unread: &mut [Unread]) {
    /// The spans of `file` in `spans`, added if new.
    fn of<'a>(
        spans: &'a mut Vec<(Arc<SourceFile>, Vec<Span>)>,
        file: &Arc<SourceFile>,
    ) -> &'a mut Vec<Span> {
        let i = spans
            .iter()
            .position(|(f, _)| Arc::ptr_eq(f, file))
            .unwrap_or_else(|| {
                spans.push((file.clone(), Vec::new()));
                spans.len() - 1
            });
        &mut spans[i].1
    }
    // The files (a finding may point into a file the linted one reads) and their spans.
    let mut spans: Vec<(Arc<SourceFile>, Vec<Span>)> = Vec::new();
    for f in findings.iter() {
        let s = of(&mut spans, &f.file);
        s.push(f.primary.span);
        s.extend(f.secondary.iter().map(|l| l.span));
    }
    for u in unread.iter() {
        of(&mut spans, &u.file).push(u.span);
    }
    let settled: Vec<Option<Arc<SourceFile>>> = spans
        .iter()
        .map(|(file, s)| file.settled(s, source::SNIPPET_CONTEXT))
        .collect();
    let copy = |file: &mut Arc<SourceFile>| {
        if let Some(i) = spans.iter().position(|(f, _)| Arc::ptr_eq(f, file))
            && let Some(s) = &settled[i]
        {
            *file = s.clone();
        }
    };
    for f in findings.iter_mut() {
        copy(&mut f.file);
    }
    for u in unread.iter_mut() {
        copy(&mut u.file);
    }
}

/// Walks the settings' paths and lints every candidate file.
pub fn run(settings: &Settings) -> Result<Outcome, settings::UsageError> {
    let found = Mutex::new((Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new()));
    let cwd = fingerprint::cwd();
    let roots = follow_roots(settings);
    let notes = walk::walk(settings, |c| {
        let shown = fingerprint::relative(&c.path, cwd.as_deref());
        // A bug in a parser must not end the run (nor leave the other files unlinted): the file
        // that triggered it becomes a note that says to report it.
        let path = c.path.clone();
        let named = c.explicit;
        let follow = follow_root(&roots, &c.path).map(|root| extract::Follow {
            root,
            max_size: settings.max_file_size,
        });
        let linted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lint_path(c.path, c.kind, c.explicit, settings, follow)
        }))
        .unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(std::string::ToString::to_string)
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(Note {
                path: source::display_path(&path),
                message: format!(
                    "skipped: iamlint crashed reading this file ({what}); please report it"
                ),
                named,
            })
        });
        match linted {
            Ok(Some(Linted {
                mut findings,
                mut unread,
                followed,
            })) => {
                if !settings.keep_sources {
                    settle(&mut findings, &mut unread);
                }
                // The outputs ask for positions on one thread: the files' line indexes and
                // shown paths are made here, on the walk's threads, where the work is spread.
                for finding in &findings {
                    finding.file.prepare_positions();
                }
                for u in &unread {
                    u.file.prepare_positions();
                }
                // Findings in files a Terraform argument reads are kept apart: such a file is
                // linted as the calling resource's kind, once, whoever else reads it.
                let (mut own, other): (Vec<_>, Vec<_>) =
                    findings.into_iter().partition(|f| f.file.path == path);
                // Kept until the end of the walk: without the room a growing list leaves.
                own.shrink_to_fit();
                for f in &mut own {
                    f.message.shrink_to_fit();
                    f.secondary.shrink_to_fit();
                }
                let mut g = found
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                g.0.push((path, own));
                g.1.push(shown);
                g.2.extend(unread);
                g.3.extend(other);
                g.4.extend(followed);
                None
            }
            Ok(None) => None,
            Err(n) => Some(n),
        }
    })?;
    let (direct, mut linted_paths, mut unread, in_followed, followed) = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let by_file = without_followed(direct, in_followed, &followed);
    for (_, named) in &followed {
        let shown = fingerprint::relative(named, cwd.as_deref());
        if !linted_paths.contains(&shown) {
            linted_paths.push(shown);
        }
    }
    let findings = sorted_by_file(by_file);
    linted_paths.sort();
    unread.sort_by(|a, b| {
        (a.file.shown_path(), a.span.start).cmp(&(b.file.shown_path(), b.span.start))
    });
    Ok(Outcome {
        // Worked out when an output or a filter first asks ([`Outcome::prints`]).
        fingerprints: Vec::new(),
        findings,
        notes,
        unread,
        files_linted: linted_paths.len(),
        linted_paths,
        rules: settings
            .rules
            .iter()
            .map(|e| (e.rule.clone(), e.severity))
            .collect(),
        baseline: None,
        left_out: None,
    })
}

/// The folders a followed Terraform policy file may be read from, one per given path: the path
/// itself when a folder; for a file, the working folder when the file is inside it, else the
/// file's folder. With links resolved.
fn follow_roots(settings: &Settings) -> Vec<(PathBuf, PathBuf)> {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok());
    settings
        .paths
        .iter()
        .filter_map(|p| {
            let real = std::fs::canonicalize(p).ok()?;
            let root = if real.is_dir() {
                real
            } else {
                match &cwd {
                    Some(c) if real.starts_with(c) => c.clone(),
                    _ => real.parent()?.to_path_buf(),
                }
            };
            Some((p.clone(), root))
        })
        .collect()
}

/// The folder a file read from standard input as `path` may follow Terraform policy files into:
/// the working folder when `path` is inside it, else `path`'s folder (which must exist).
fn stdin_follow_root(path: &Path) -> Option<PathBuf> {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok())?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let folder = std::fs::canonicalize(parent).ok()?;
    Some(if folder.starts_with(&cwd) {
        cwd
    } else {
        folder
    })
}

/// The root for a file the walk found under one of the given paths.
fn follow_root(roots: &[(PathBuf, PathBuf)], path: &Path) -> Option<PathBuf> {
    roots
        .iter()
        .find(|(given, _)| path.starts_with(given))
        .map(|(_, root)| root.clone())
}

/// The per-file finding lists, the files a Terraform argument read taking the place of their
/// own lint (the kind comes from the calling resource): a followed file's own list goes, and
/// its findings from every caller come in once each.
fn without_followed(
    direct: Vec<(PathBuf, Vec<Finding>)>,
    mut in_followed: Vec<Finding>,
    followed: &[(PathBuf, PathBuf)],
) -> Vec<Vec<Finding>> {
    let real: std::collections::HashSet<&Path> =
        followed.iter().map(|(r, _)| r.as_path()).collect();
    let mut by_file: Vec<Vec<Finding>> = direct
        .into_iter()
        .filter(|(path, _)| {
            real.is_empty()
                || !std::fs::canonicalize(path).is_ok_and(|c| real.contains(c.as_path()))
        })
        .map(|(_, f)| f)
        .collect();
    // Two callers of one template give the same findings: kept once.
    Finding::sort(&mut in_followed);
    in_followed.dedup_by(|a, b| {
        a.file.shown_path() == b.file.shown_path()
            && a.primary.span == b.primary.span
            && a.rule == b.rule
            && a.message == b.message
    });
    let mut run: Vec<Finding> = Vec::new();
    for f in in_followed {
        if run
            .first()
            .is_some_and(|r| r.file.shown_path() != f.file.shown_path())
        {
            by_file.push(std::mem::take(&mut run));
        }
        run.push(f);
    }
    by_file.push(run);
    by_file
}

/// Steps between linting and rendering that hide findings: the baseline and changed-lines mode.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    /// `--write-baseline FILE`: record every current finding there (and so hide them all).
    pub write_baseline: Option<PathBuf>,
    /// `--baseline FILE`: hide the findings recorded there.
    pub baseline: Option<PathBuf>,
    /// `--new-from-rev REV`: keep only findings on lines changed since `REV`.
    pub new_from_rev: Option<String>,
}

/// Applies `filters` to `outcome`; returns lines for stderr (what was recorded, baseline summary).
/// The baseline is matched before changed lines are, so its stale count covers the whole run.
pub fn apply_filters(
    outcome: &mut Outcome,
    filters: &Filters,
) -> Result<Vec<String>, settings::UsageError> {
    let mut said = Vec::new();
    // Ask git first: a bad revision is a usage error, reported before anything is written.
    let changed = match &filters.new_from_rev {
        Some(rev) => Some(changed::since(rev)?),
        None => None,
    };
    let shown = |p: &Path| p.display().to_string();
    if let Some(path) = &filters.write_baseline {
        let n = baseline::write(path, outcome)?;
        said.push(format!(
            "recorded {n} finding{} in the baseline {}",
            if n == 1 { "" } else { "s" },
            shown(path)
        ));
    }
    if let Some(path) = filters
        .write_baseline
        .as_ref()
        .or(filters.baseline.as_ref())
    {
        let b = baseline::load(path)?;
        baseline::apply(outcome, &b, &shown(path));
        if filters.write_baseline.is_none()
            && let Some(applied) = &outcome.baseline
        {
            said.push(applied.summary());
        }
    }
    if let Some(changed) = &changed {
        changed::filter(outcome, changed);
    }
    Ok(said)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file that vanishes between the walk listing it and the read: a note, not a panic.
    #[test]
    fn a_missing_file_is_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.json");
        let note = lint_path(
            path.clone(),
            FileKind::Json,
            false,
            &Settings::default(),
            None,
        )
        .expect_err("a missing file cannot be linted");
        assert_eq!(note.path, source::display_path(&path));
        assert!(
            note.message.starts_with("skipped: ") && note.message.contains("No such file"),
            "{}",
            note.message
        );
    }

    /// Per-file lists put together give what one stable sort of all findings gives: across
    /// files in any order, and for a path linted twice, whose findings interleave.
    #[test]
    fn findings_by_file_come_out_as_one_sort_orders_them() {
        let file = |p: &str| Arc::new(SourceFile::new(p.into(), "x".repeat(64)));
        let (a, b, b_again, c) = (
            file("a.json"),
            file("b.json"),
            file("b.json"),
            file("c.json"),
        );
        let f = |file: &Arc<SourceFile>, at: usize, m: &str| {
            extract::input::INVALID_JSON.finding(file, source::Span::new(at, at + 1), m)
        };
        let lists = || {
            vec![
                vec![f(&c, 5, "c5"), f(&c, 1, "c1")],
                vec![f(&b, 9, "b9"), f(&b, 2, "b2"), f(&b, 2, "b2")],
                vec![],
                vec![f(&a, 3, "a3")],
                vec![f(&b_again, 4, "b4"), f(&b_again, 2, "b2")],
            ]
        };
        let mut one_sort: Vec<Finding> = lists().into_iter().flatten().collect();
        Finding::sort(&mut one_sort);
        let show = |fs: &[Finding]| {
            fs.iter()
                .map(|f| format!("{}:{}", f.file.shown_path(), f.message))
                .collect::<Vec<_>>()
        };
        let by_file = sorted_by_file(lists());
        assert_eq!(show(&by_file), show(&one_sort));
        // Equal keys keep the order they were found in: the twice-linted path's `b2`s.
        let again: Vec<bool> = by_file
            .iter()
            .filter(|f| f.message == "b2")
            .map(|f| Arc::ptr_eq(&f.file, &b_again))
            .collect();
        assert_eq!(again, [false, false, true]);
        assert_eq!(
            show(&by_file),
            [
                "a.json:a3",
                "b.json:b2",
                "b.json:b2",
                "b.json:b2",
                "b.json:b4",
                "b.json:b9",
                "c.json:c1",
                "c.json:c5"
            ]
        );
    }
}
