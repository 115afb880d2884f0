//! One harness over `tests/fixtures/<rule>/`, each fixture linted with only its own rule enabled
//! (as ruff's `for_rule`): every `valid*` file gives no finding of the rule, every `invalid*` file
//! gives at least one, and its findings are snapshotted in the compact and human formats, so the
//! exact line, column and wording of each finding is reviewed. A new rule never rewrites another
//! rule's snapshots. The whole pipeline (every rule at once) is snapshotted on the examples and
//! the format suites (`tests/cloudformation.rs`, `tests/terraform.rs`, `tests/cli.rs`).

use std::path::{Path, PathBuf};

use iamlint::output::{compact, human};
use iamlint::settings::Settings;

fn lint(path: &Path, rule: &str) -> iamlint::Outcome {
    let settings = Settings {
        paths: vec![path.to_path_buf()],
        ..Settings::for_rule(rule)
    };
    iamlint::run(&settings).expect("fixture paths exist")
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for rule in iamlint::rules::ALL {
        let name = rule.meta().name.as_str();
        let dir = Path::new("tests/fixtures").join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (name.to_string(), f)));
    }
    out
}

#[test]
fn valid_fixtures_are_clean_of_their_rule() {
    for (rule, path) in fixtures() {
        let stem = path.file_name().unwrap().to_string_lossy();
        if !stem.starts_with("valid") {
            continue;
        }
        let outcome = lint(&path, &rule);
        let hits: Vec<_> = outcome
            .active()
            .filter(|f| f.rule.as_str() == rule)
            .map(|f| f.message.clone())
            .collect();
        assert!(hits.is_empty(), "{}: {hits:#?}", path.display());
    }
}

#[test]
fn invalid_fixtures_fire_and_match_their_snapshots() {
    for (rule, path) in fixtures() {
        let stem = path.file_name().unwrap().to_string_lossy().into_owned();
        if !stem.starts_with("invalid") {
            continue;
        }
        let outcome = lint(&path, &rule);
        assert!(
            outcome.active().any(|f| f.rule.as_str() == rule),
            "{} gives no `{rule}` finding",
            path.display()
        );
        let name = format!("{rule}__{stem}");
        insta::assert_snapshot!(format!("{name}.compact"), compact::render(&outcome));
        insta::assert_snapshot!(format!("{name}.human"), human::render(&outcome, false));
    }
}
