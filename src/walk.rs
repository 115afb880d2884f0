//! Walking: ripgrep's `ignore` walker (parallel, honours `.gitignore`, `.ignore` and hidden-file
//! rules, `exclude` globs). Paths named on the command line are always linted. Each file is read,
//! decoded and linted on the walker's own threads; what cannot be read becomes a note, and the
//! walk goes on.

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
    let mut builder = WalkBuilder::new(first);
    for p in paths {
        builder.add(p);
    }
    builder
        .require_git(false)
        .follow_links(settings.follow)
        .threads(settings.threads);
    let mut excluded = None;
    if !settings.exclude.is_empty() {
        let mut ov = OverrideBuilder::new(".");
        for g in &settings.exclude {
            ov.add(&format!("!{g}"))
                .map_err(|e| UsageError(format!("invalid exclude glob `{g}`: {e}")))?;
        }
        let ov = ov
            .build()
            .map_err(|e| UsageError(format!("invalid exclude globs: {e}")))?;
        builder.overrides(ov.clone());
        excluded = Some(ov);
    }
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
    let note = |n: Note| notes.lock().unwrap_or_else(|e| e.into_inner()).push(n);
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    note(Note {
                        path: error_path(&e),
                        message: format!("skipped: {}", error_message(&e)),
                    });
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            // `iamlint --force-exclude a.json` (pre-commit): named, but filtered like walked files.
            if entry.depth() == 0 && force_excluded(entry.path()) {
                return WalkState::Continue;
            }
            let explicit = entry.depth() == 0 && !settings.force_exclude;
            let path = entry.into_path();
            let kind = match classify(&path) {
                Some(k) => k,
                None if explicit => match sniff(&path) {
                    Some(k) => k,
                    None => return WalkState::Continue,
                },
                None => return WalkState::Continue,
            };
            if let Some(n) = visit(Candidate {
                path,
                kind,
                explicit,
            }) {
                note(n);
            }
            WalkState::Continue
        })
    });
    let mut notes = notes.into_inner().unwrap_or_else(|e| e.into_inner());
    notes.sort();
    Ok(notes)
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
