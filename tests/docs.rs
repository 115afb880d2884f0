//! The rule pages are part of the product: every rule has one, every page belongs to a rule, its
//! examples behave as it says (an `expect_diagnostic` block gives exactly one finding of the rule,
//! a plain block none), and `rules/README.md` lists the registry (regenerate with
//! `UPDATE_DOCS=1 cargo test --test docs`).

use std::collections::BTreeSet;
use std::path::Path;

use iamlint::rules::{ALL, RuleMeta};
use iamlint::settings::Settings;

const SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## How to suppress",
    "## References",
];

/// Rules whose failing input cannot be written in a Markdown code block (raw bytes); their
/// fixtures under `tests/fixtures/<rule>/` carry the examples instead.
const NO_TEXT_EXAMPLE: &[&str] = &["invalid-encoding"];

struct Block {
    lang: String,
    expect: bool,
    code: String,
    line: usize,
}

fn blocks(doc: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in doc.lines().enumerate() {
        if let Some(info) = line.strip_prefix("```") {
            if let Some(b) = current.take() {
                out.push(b);
            } else {
                let mut parts = info.split(',');
                let lang = parts.next().unwrap_or("").trim().to_string();
                current = Some(Block {
                    lang,
                    expect: parts.any(|p| p.trim() == "expect_diagnostic"),
                    code: String::new(),
                    line: i + 1,
                });
            }
        } else if let Some(b) = current.as_mut() {
            b.code.push_str(line);
            b.code.push('\n');
        }
    }
    out
}

fn file_name(lang: &str) -> Option<&'static str> {
    match lang {
        "json" => Some("policy.json"),
        "yaml" | "yml" => Some("template.yaml"),
        "hcl" | "terraform" => Some("main.tf"),
        _ => None,
    }
}

#[test]
fn every_rule_has_a_page_with_the_sections() {
    for r in ALL {
        let m: &RuleMeta = r.meta();
        assert!(
            m.doc.starts_with(&format!("# {}\n", m.name)),
            "rules/{}.md must start with `# {}`",
            m.name,
            m.name
        );
        let mut at = 0;
        for s in SECTIONS {
            let found = m.doc[at..]
                .find(&format!("\n{s}\n"))
                .unwrap_or_else(|| panic!("rules/{}.md lacks `{s}` (in this order)", m.name));
            at += found + 1;
        }
    }
}

#[test]
fn every_page_belongs_to_a_rule() {
    let names: BTreeSet<_> = ALL.iter().map(|r| r.meta().name.as_str()).collect();
    for e in std::fs::read_dir("rules").unwrap() {
        let p = e.unwrap().path();
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        if stem == "README" {
            continue;
        }
        assert!(names.contains(stem.as_str()), "{} has no rule", p.display());
    }
}

#[test]
fn doc_examples_behave_as_documented() {
    // Every rule, the opt-in ones included: each page's examples are about its own rule.
    let settings = Settings::all_rules();
    for r in ALL {
        let m = r.meta();
        let bs = blocks(&m.doc);
        let expects = bs.iter().filter(|b| b.expect).count();
        if !NO_TEXT_EXAMPLE.contains(&m.name.as_str()) {
            assert!(
                expects >= 1,
                "rules/{}.md has no expect_diagnostic example",
                m.name
            );
            assert!(
                bs.iter().any(|b| !b.expect && file_name(&b.lang).is_some()),
                "rules/{}.md has no passing example",
                m.name
            );
        }
        for b in &bs {
            let Some(name) = file_name(&b.lang) else {
                continue;
            };
            let found = iamlint::lint_text(name, &b.code, &settings);
            let of_rule = found.iter().filter(|f| m.name == f.rule).count();
            let want = usize::from(b.expect);
            assert_eq!(
                of_rule,
                want,
                "rules/{}.md:{}: expected {want} finding(s) of `{}`, got: {:#?}",
                m.name,
                b.line,
                m.name,
                found
                    .iter()
                    .map(|f| format!("{}: {}", f.rule.as_str(), f.message))
                    .collect::<Vec<_>>()
            );
        }
    }
}

fn index() -> String {
    let mut s = String::from(
        "# Rules\n\nGenerated from the registry (`UPDATE_DOCS=1 cargo test --test docs`).\n\n\
         ## Defaults\n\n\
         A run without `select` checks the rules of the `default` group and fails (`fail_on`, default \
         `warning`) on errors and warnings only: each is something a reviewer acts on. A rule that is \
         right but reports much that well-written policies do on purpose is either quieter where it \
         is unsure (`info` findings never fail a run) or in the opt-in `pedantic` group, the way \
         clippy and ruff keep pedantic lints out of the default set. Turn those on by name, or all \
         of them with `select = [\"default\", \"pedantic\"]` (`--select default,pedantic`); `all` \
         selects every rule. A category (`security`) selects the default rules of that category; in \
         `ignore`, a category names all of its rules. Some rules pick the level per finding (the \
         summary and the page say when); a `[severity]` entry in `iamlint.toml` sets one level for \
         all of a rule's findings.\n\n\
         The last column names the check of IAM Access Analyzer, cfn-lint, Parliament or Checkov \
         that corresponds to the rule (each page's `Other tools` section; the coverage of Access \
         Analyzer's checks is in [`docs/access-analyzer.md`](../docs/access-analyzer.md)). The \
         `kinds` column names the policy kinds a rule checks (`all`: every kind): `identity`, \
         `trust`, `resource`, `key`, `endpoint` (VPC endpoint), `scp`, `rcp`, `boundary` \
         (permissions boundary) and `session` (session policy). A permissions boundary or a \
         session policy grants nothing by itself, so the rules about what a grant lets someone do \
         leave them out.\n\n\
         | rule | group | category | default severity | kinds | summary | other tools |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in ALL {
        let m = r.meta();
        s.push_str(&format!(
            "| [`{0}`]({0}.md) | {1} | {2} | {3} | {4} | {5} | {6} |\n",
            m.name,
            r.group(),
            m.category.as_str(),
            m.default_severity,
            kinds(m),
            m.summary.replace('|', "\\|"),
            other_tools(&m.doc).unwrap_or_default().replace('|', "\\|")
        ));
    }
    s
}

/// The policy kinds a rule checks, for the index: `all`, or their names.
fn kinds(m: &RuleMeta) -> String {
    if m.kinds.is_empty() {
        return "all".to_string();
    }
    m.kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `## Other tools` section of a rule page, as one line: what IAM Access Analyzer,
/// cfn-lint, Parliament or Checkov call the same check.
fn other_tools(doc: &str) -> Option<String> {
    let start = doc.find("\n## Other tools\n")? + "\n## Other tools\n".len();
    let rest = &doc[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    let text = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

#[test]
fn every_page_says_what_other_tools_call_the_check() {
    for r in ALL {
        let m = r.meta();
        assert!(
            other_tools(&m.doc).is_some(),
            "rules/{}.md lacks a non-empty `## Other tools` section (the check of Access Analyzer, cfn-lint, Parliament or Checkov it corresponds to, or \"none\")",
            m.name
        );
    }
}

#[test]
fn index_lists_the_registry() {
    let path = Path::new("rules/README.md");
    let want = index();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        have, want,
        "rules/README.md is out of date: run UPDATE_DOCS=1 cargo test --test docs"
    );
}

#[test]
fn every_rule_has_fixtures() {
    for r in ALL {
        let dir = Path::new("tests/fixtures").join(r.meta().name.as_str());
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("{} is missing", dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("invalid")),
            "{} has no invalid* fixture",
            dir.display()
        );
    }
}

/// The front ends raise the input rules by value (`extract::input`): each is a declared rule of
/// the syntax category, at the same default severity.
#[test]
fn input_rules_are_declared_rules() {
    for r in iamlint::extract::input::ALL {
        let rule = iamlint::rules::find(r.name.as_str())
            .unwrap_or_else(|| panic!("{} is not declared", r.name));
        assert_eq!(rule.meta().default_severity, r.severity, "{}", r.name);
        assert_eq!(
            rule.meta().category,
            iamlint::rules::Category::Syntax,
            "{}",
            r.name
        );
    }
}
