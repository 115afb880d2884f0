//! Walking: ripgrep's `ignore` walker (parallel, honours `.gitignore`, `.ignore` and hidden-file
//! rules, `exclude` globs). Paths named on the command line are always linted. Each file is read,
//! decoded and linted on the walker's own threads; what cannot be read becomes a note, and the
//! walk goes on.
//!
//! Symbolic links are not followed unless `--follow` (so nothing outside the given paths is read),
//! except a path named on the command line. When a file can be reached twice (`--follow`, or
//! several paths given), each real file is linted once, under its real path: the path with links
//! resolved, written from the given path that contains it, so the name does not depend on which
//! thread got there first.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};

use crate::extract::{FileKind, classify};
use crate::settings::{Settings, UsageError};

/// A file the walk found and the front end that reads it.
pub struct Candidate {
    pub path: PathBuf,
    pub kind: FileKind,
    /// Named on the command line: linted whatever its content.
    pub explicit: bool,
}

/// Something about a path that is not a finding: skipped, unreadable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Note {
    pub path: String,
    pub message: String,
    /// The path was named on the command line (not found by walking a folder): a file the user
    /// asked for and did not get linted, so the run cannot say it is clean.
    pub named: bool,
}

/// Runs `visit` on every candidate file under the settings' paths, in parallel.
pub fn walk<F>(settings: &Settings, visit: F) -> Result<Vec<Note>, UsageError>
where
    F: Fn(Candidate) -> Option<Note> + Sync,
{
    let mut paths = settings.paths.iter();
    let first = paths
        .next()
        .ok_or_else(|| UsageError("no path to lint".into()))?;
    for p in &settings.paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(UsageError(format!(
                "{}: no such file or folder",
                p.display()
            )));
        }
    }
    let excluded = exclude_overrides(settings)?;
    // The walker never filters the paths it starts from; --force-exclude asks us to.
    let force_excluded = |path: &Path| {
        settings.force_exclude
            && excluded.as_ref().is_some_and(|ov| {
                path.ancestors()
                    .filter(|p| !p.as_os_str().is_empty() && *p != Path::new("."))
                    .enumerate()
                    .any(|(i, p)| ov.matched(p, i > 0).is_ignore())
            })
    };
    let notes = Mutex::new(Vec::new());
    let note = |n: Note| {
        notes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(n);
    };
    let real =
        (settings.follow || settings.paths.len() > 1).then(|| RealPaths::new(&settings.paths));
    // One found or named file: classified, claimed once, handed to `visit`.
    let consider = |path: PathBuf, file_type: Option<std::fs::FileType>, named: bool| {
        if !file_type.is_some_and(|t| t.is_file()) {
            // `iamlint pipe.json` on a FIFO or a device: reading it could block forever.
            if named && !file_type.is_some_and(|t| t.is_dir()) {
                note(Note {
                    path: crate::source::display_path(&path),
                    message: "skipped: not a regular file".into(),
                    named: true,
                });
            }
            return;
        }
        // `iamlint --force-exclude a.json` (pre-commit): named, but filtered like walked files.
        if named && force_excluded(&path) {
            return;
        }
        // Linted whatever its name and content, unless --force-exclude asks to filter it.
        let explicit = named && !settings.force_exclude;
        let kind = match classify(&path) {
            Some(k) => k,
            None if explicit => match sniff(&path) {
                Some(k) => k,
                None => return,
            },
            None => return,
        };
        let (path, kind) = match &real {
            None => (path, kind),
            Some(real) => match real.claim(&path, kind, named) {
                Ok(Some(claimed)) => claimed,
                Ok(None) => return,
                Err(e) => {
                    note(Note {
                        path: crate::source::display_path(&path),
                        message: format!("skipped: {e}"),
                        named,
                    });
                    return;
                }
            },
        };
        if let Some(n) = visit(Candidate {
            path,
            kind,
            explicit,
        }) {
            note(n);
        }
    };
    let named_types: Vec<_> = settings
        .paths
        .iter()
        .map(|p| std::fs::metadata(p).ok().map(|m| m.file_type()))
        .collect();
    if named_types.iter().all(|t| t.is_some_and(|t| !t.is_dir())) {
        // Only files named (what pre-commit and editors pass): nothing to walk, so no ignore
        // files to read and, for one file, no thread to start.
        let named: Vec<_> = settings.paths.iter().cloned().zip(named_types).collect();
        for_each_parallel(named, settings.threads, |(path, t)| consider(path, t, true));
    } else {
        let mut builder = WalkBuilder::new(first);
        for p in paths {
            builder.add(p);
        }
        builder
            .require_git(false)
            .follow_links(settings.follow)
            .threads(settings.threads);
        if let Some(ov) = &excluded {
            builder.overrides(ov.clone());
        }
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                match entry {
                    // Named on the command line: the walk starts from it.
                    Ok(e) => {
                        let named = e.depth() == 0;
                        let file_type = e.file_type();
                        consider(e.into_path(), file_type, named);
                    }
                    Err(e) => note(Note {
                        path: error_path(&e),
                        message: format!("skipped: {}", error_message(&e)),
                        named: false,
                    }),
                }
                WalkState::Continue
            })
        });
    }
    let mut notes = notes
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    notes.sort();
    Ok(notes)
}

/// The `--exclude` globs as walker overrides, or `None` when there are none.
fn exclude_overrides(
    settings: &Settings,
) -> Result<Option<ignore::overrides::Override>, UsageError> {
    if settings.exclude.is_empty() {
        return Ok(None);
    }
    let mut ov = OverrideBuilder::new(".");
    for g in &settings.exclude {
        ov.add(&format!("!{g}"))
            .map_err(|e| UsageError(format!("invalid exclude glob `{g}`: {e}")))?;
    }
    ov.build()
        .map(Some)
        .map_err(|e| UsageError(format!("invalid exclude globs: {e}")))
}

/// Runs `f` on every item, on up to `threads` threads (0: one per core); one item runs on the
/// calling thread.
fn for_each_parallel<T: Send>(items: Vec<T>, threads: usize, f: impl Fn(T) + Sync) {
    let threads = crate::settings::thread_count(threads).min(items.len());
    if threads <= 1 {
        items.into_iter().for_each(f);
        return;
    }
    let queue = Mutex::new(items.into_iter());
    let next = || {
        queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .next()
    };
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                while let Some(item) = next() {
                    f(item);
                }
            });
        }
    });
}

/// Which real files the walk has handed out, and how to name them.
struct RealPaths {
    /// Each given path as typed and with links resolved (`None`: it does not resolve).
    roots: Vec<(PathBuf, Option<PathBuf>)>,
    /// Files named on the command line: linted as named, never as found by a walk.
    explicit: HashSet<PathBuf>,
    seen: Mutex<HashSet<(PathBuf, FileKind)>>,
}

impl RealPaths {
    fn new(paths: &[PathBuf]) -> Self {
        let roots: Vec<_> = paths
            .iter()
            .map(|p| (p.clone(), std::fs::canonicalize(p).ok()))
            .collect();
        let explicit = roots
            .iter()
            .filter_map(|(_, c)| c.clone())
            .filter(|c| c.is_file())
            .collect();
        RealPaths {
            roots,
            explicit,
            seen: Mutex::default(),
        }
    }

    /// The real path to lint `path` under and the front end that reads it (by the real name
    /// when it says, as the found name did otherwise), or `None` when that file is (or will be)
    /// linted already.
    fn claim(
        &self,
        path: &Path,
        kind: FileKind,
        named: bool,
    ) -> std::io::Result<Option<(PathBuf, FileKind)>> {
        let canon = std::fs::canonicalize(path)?;
        if !named && self.explicit.contains(&canon) {
            return Ok(None);
        }
        let kind = classify(&canon).unwrap_or(kind);
        if !self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert((canon.clone(), kind))
        {
            return Ok(None);
        }
        Ok(Some((self.name(canon), kind)))
    }

    /// `canon` written from the first given path that contains it (`repo/link/p.json`, with
    /// `link -> real`, is `repo/real/p.json`); outside them all, relative to the working folder,
    /// or else absolute.
    fn name(&self, canon: PathBuf) -> PathBuf {
        for (given, root) in &self.roots {
            if let Some(rest) = root.as_ref().and_then(|r| canon.strip_prefix(r).ok()) {
                return if rest.as_os_str().is_empty() {
                    given.clone()
                } else {
                    given.join(rest)
                };
            }
        }
        std::env::current_dir()
            .ok()
            .and_then(|d| std::fs::canonicalize(d).ok())
            .and_then(|d| canon.strip_prefix(d).ok().map(Path::to_path_buf))
            .unwrap_or(canon)
    }
}

/// The front end for a file named on the command line whose name says nothing: by its content.
fn sniff(path: &Path) -> Option<FileKind> {
    use std::io::Read;
    let mut buf = [0u8; 512];
    let n = std::fs::File::open(path).ok()?.read(&mut buf).ok()?;
    crate::extract::sniff_text(&String::from_utf8_lossy(&buf[..n]))
}

fn error_path(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithPath { path, .. } => crate::source::display_path(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => crate::source::display_path(child),
        _ => String::new(),
    }
}

fn error_message(e: &ignore::Error) -> String {
    match e {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_message(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("symbolic link loop back to {}", ancestor.display())
        }
        other => other.to_string(),
    }
}
