//! Every input that once crashed a fuzz target (`fuzz/`), minimized and kept under
//! `tests/fuzz-regressions/<target>/`, replayed on stable Rust: through its own target's checks
//! and through the whole pipeline under every file name kind. The checks are the fuzz targets'
//! own (`fuzz/fuzz_targets/common.rs`, included by path).

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    // A target that never crashed has no folder.
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

fn replay(target: &str, front_end: fn(&[u8])) -> usize {
    let all = inputs(target);
    for (name, data) in &all {
        println!("{name}");
        front_end(data);
        common::pipeline(data);
    }
    all.len()
}

#[test]
fn json_regressions() {
    replay("json", common::json);
}

#[test]
fn yaml_regressions() {
    replay("yaml", common::yaml);
}

#[test]
fn hcl_regressions() {
    replay("hcl", common::hcl);
}

#[test]
fn pipeline_regressions() {
    replay("pipeline", |_| {});
}
