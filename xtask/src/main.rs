//! Contributors' chores, as `cargo xtask …` (the alias is in `.cargo/config.toml`).
//!
//! `cargo xtask new-rule NAME --category CATEGORY [--severity SEVERITY] [--kinds K1,K2]` writes
//! what a new rule is made of, and nothing else is edited by hand:
//!
//! - `src/rules/NAME.rs`: the `declare_rule!` and an empty `check` (`build.rs` registers every
//!   file of that folder, so the rule is listed by `iamlint rules` at the next build);
//! - `rules/NAME.md`: the doc page with its sections and a failing and a passing example, run as
//!   tests by `tests/docs.rs`;
//! - `tests/fixtures/NAME/invalid.json` and `valid.json`, run by `tests/fixtures.rs` with only
//!   the new rule enabled.
//!
//! Then it regenerates the rule index `rules/README.md` and prints the rule as `iamlint rules`
//! lists it. The doc example and the invalid fixture fail until the rule reports what its page
//! says: that is the to-do list. The rule starts opt-in (`default_enabled: false`), so the
//! default run and the whole-pipeline snapshot suites do not change until it is promoted.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const CATEGORIES: &[&str] = &["correctness", "security", "suspicious", "style"];
const SEVERITIES: &[&str] = &["error", "warning", "info"];
const KINDS: &[&str] = &["Identity", "Trust", "Resource", "KeyPolicy"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("new-rule") => new_rule(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "usage: cargo xtask new-rule NAME --category correctness|security|suspicious|style \
[--severity error|warning|info] [--kinds Identity,Trust,Resource,KeyPolicy]";

struct NewRule {
    name: String,
    category: String,
    severity: String,
    kinds: Vec<String>,
}

fn parse(args: &[String]) -> Result<NewRule, String> {
    let mut name = None;
    let (mut category, mut severity, mut kinds) = (None, None, Vec::new());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--category" => category = Some(value("--category")?),
            "--severity" => severity = Some(value("--severity")?),
            "--kinds" => {
                kinds = value("--kinds")?.split(',').map(str::to_string).collect();
            }
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}\n{USAGE}")),
            n if name.is_none() => name = Some(n.to_string()),
            extra => return Err(format!("unexpected argument {extra}\n{USAGE}")),
        }
    }
    let name = name.ok_or_else(|| USAGE.to_string())?;
    let valid = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        return Err(format!(
            "`{name}` is not a rule name: kebab-case, naming the pattern it flags (`pass-role-with-wildcard-resource`)"
        ));
    }
    let category = category.ok_or_else(|| format!("--category is required\n{USAGE}"))?;
    if !CATEGORIES.contains(&category.as_str()) {
        return Err(format!(
            "unknown category `{category}` (one of {CATEGORIES:?})"
        ));
    }
    // The category sets the default severity, as in clippy; --severity overrides it.
    let severity = severity.unwrap_or_else(|| {
        match category.as_str() {
            "correctness" => "error",
            "style" => "info",
            _ => "warning",
        }
        .to_string()
    });
    if !SEVERITIES.contains(&severity.as_str()) {
        return Err(format!(
            "unknown severity `{severity}` (one of {SEVERITIES:?})"
        ));
    }
    if let Some(k) = kinds.iter().find(|k| !KINDS.contains(&k.as_str())) {
        return Err(format!("unknown policy kind `{k}` (one of {KINDS:?})"));
    }
    Ok(NewRule {
        name,
        category,
        severity,
        kinds,
    })
}

fn capitalized(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn rule_file(r: &NewRule) -> String {
    let ty: String = r.name.split('-').map(capitalized).collect();
    let name = &r.name;
    format!(
        r#"use super::{{Context, Rule}};
use crate::policy::PolicyDocument;

declare_rule! {{
    /// TODO: what the rule flags, in one sentence.
    pub struct {ty} {{
        name: "{name}",
        category: {category},
        severity: {severity},
        summary: "TODO: one line, shown by `iamlint rules`",
        kinds: [{kinds}],
        // A new rule starts opt-in (the `pedantic` group, as clippy's nursery): the default run
        // and the whole-pipeline suites do not see it until it is judged on real code. Remove
        // this line to make it part of the default run.
        default_enabled: false,
    }}
}}

impl Rule for {ty} {{
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {{
        for st in &doc.statements {{
            // TODO: report what rules/{name}.md says, e.g.
            // cx.report(cx.finding(span, "what is wrong").label("why").help("what to do"));
            let _ = (st, &cx);
        }}
    }}
}}
"#,
        category = capitalized(&r.category),
        severity = capitalized(&r.severity),
        kinds = r.kinds.join(", "),
    )
}

fn doc_page(r: &NewRule) -> String {
    let name = &r.name;
    format!(
        r#"# {name}

## What it does
TODO: what the rule reports, and what it stays silent on (unknown values, Deny statements,
narrowing conditions).

## Why is this bad?
TODO: what goes wrong, with the AWS documentation it rests on.

## Example
```json,expect_diagnostic
{example}
```

## Use instead
```json
{example}
```

## How to suppress
In YAML or Terraform, `# iamlint: ignore[{name}] reason` on the line of the finding or the line
above; anywhere, `--ignore {name}` or `ignore = ["{name}"]` in `iamlint.toml`.

## References
- AWS: TODO (link)
- Other tools: TODO (the IAM Access Analyzer check, cfn-lint rule or Parliament finding it
  corresponds to, if any)
"#,
        example = EXAMPLE.trim_end(),
    )
}

/// The starting example of every page and fixture: a policy to edit into one the rule reports
/// (and, for `valid`, one it does not).
const EXAMPLE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*" }
  ]
}
"#;

fn write_new(path: &Path, text: &str) -> Result<(), String> {
    if path.exists() {
        return Err(format!("{} exists already", path.display()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn new_rule(args: &[String]) -> Result<(), String> {
    let r = parse(args)?;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is in the repository")
        .to_path_buf();
    let module = r.name.replace('-', "_");
    let files = [
        (
            root.join("src/rules").join(format!("{module}.rs")),
            rule_file(&r),
        ),
        (
            root.join("rules").join(format!("{}.md", r.name)),
            doc_page(&r),
        ),
        (
            root.join("tests/fixtures")
                .join(&r.name)
                .join("invalid.json"),
            EXAMPLE.to_string(),
        ),
        (
            root.join("tests/fixtures").join(&r.name).join("valid.json"),
            EXAMPLE.to_string(),
        ),
    ];
    if let Some((p, _)) = files.iter().find(|(p, _)| p.exists()) {
        return Err(format!(
            "{} exists already: is the rule there?",
            p.display()
        ));
    }
    for (path, text) in &files {
        write_new(path, text)?;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // The registry is built from the folder: the rule is in `iamlint rules` at once.
    let listed = run(Command::new(&cargo).current_dir(&root).args([
        "run",
        "--quiet",
        "--package",
        "iamlint",
        "--",
        "rules",
    ]))?;
    let line = listed
        .lines()
        .find(|l| l.split_whitespace().next() == Some(r.name.as_str()))
        .ok_or_else(|| format!("`iamlint rules` does not list {}", r.name))?;
    println!("registered: {line}");
    // The index of rules is generated from the registry.
    run(Command::new(&cargo)
        .current_dir(&root)
        .env("UPDATE_DOCS", "1")
        .args([
            "test",
            "--quiet",
            "--test",
            "docs",
            "index_lists_the_registry",
        ]))?;
    println!("updated rules/README.md");
    println!(
        "\nNext: write the check in src/rules/{module}.rs, the page rules/{name}.md (its example must \
         give one finding, its `Use instead` none) and the fixtures in tests/fixtures/{name}/ \
         (invalid* must fire; their snapshots are written by `INSTA_UPDATE=always cargo test --test \
         fixtures`). Until then `cargo test` fails on them.",
        name = r.name
    );
    Ok(())
}
