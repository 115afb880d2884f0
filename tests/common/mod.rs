//! Helpers the integration tests share: a temporary tree of files, the real binary run in it, and
//! a scripted Language Server client ([`lsp`]). Each test crate includes this module
//! (`mod common;`) and uses what it needs.

#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

mod lsp;
#[allow(unused_imports)] // only the LSP suites use it
pub use lsp::*;

/// A temporary folder holding `files` (`("a/b.json", text)`; folders are made as needed).
pub fn tree(files: &[(&str, &str)]) -> TempDir {
    let files: Vec<(&str, &[u8])> = files.iter().map(|&(n, t)| (n, t.as_bytes())).collect();
    tree_bytes(&files)
}

/// [`tree`] with any bytes in the files.
pub fn tree_bytes(files: &[(&str, &[u8])]) -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, contents) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
    }
    dir
}

/// The `iamlint` binary, run in `dir`, without colour.
pub fn iamlint(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("iamlint").unwrap();
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

/// What a run printed and how it ended.
pub struct Ran {
    pub stdout: String,
    pub stderr: String,
    /// The exit code; -1 when the process was killed (a time-out).
    pub code: i32,
}

/// Runs `iamlint --format compact ARGS` in `dir` (killed after two minutes).
pub fn compact(dir: &Path, args: &[&str]) -> Ran {
    let out = iamlint(dir)
        .args(["--format", "compact"])
        .args(args)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    Ran {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}
