//! What every fuzz target checks, shared with `tests/fuzz_regressions.rs` (which includes this
//! file by path) so that a crash input replays on stable Rust in `cargo test`.
//!
//! Beyond "does not panic": every span a front end or rule produces is a range of the file's
//! text on character boundaries, since outputs slice the text with it and line/column come from it.

#![allow(dead_code)]

use iamlint::extract::{Extracted, json, terraform};
use iamlint::settings::Format;
use iamlint::settings::Settings;
use iamlint::source::{SourceFile, Span};
use iamlint::syntax::tree::{Node, Value};
use iamlint::syntax::yaml;

/// The file names the pipeline target lints each input as: one per front end and extractor.
pub const NAMES: &[&str] = &["p.json", "t.yaml", "main.tf", "x.tf.json", "serverless.yml"];

pub fn check_span(text: &str, s: Span, what: &str) {
    let r = s.range();
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{what} span {r:?} is outside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what} span {r:?} cuts a character"
    );
}

pub fn check_node(text: &str, n: &Node) {
    check_span(text, n.span, "node");
    match &n.value {
        Value::Array(items) => items.iter().for_each(|i| check_node(text, i)),
        Value::Object(entries) => entries.iter().for_each(|e| {
            check_span(text, e.key.span, "key");
            check_node(text, &e.value);
        }),
        _ => {}
    }
}

/// Lints `data` (as lossy UTF-8) under every name in [`NAMES`], checks every span, renders every
/// output format and applies every fix. Returns the findings per name, for tests to look at.
pub fn pipeline(data: &[u8]) -> Vec<(&'static str, Vec<iamlint::diagnostic::Finding>)> {
    let text = String::from_utf8_lossy(data);
    let settings = Settings::default();
    let mut all = Vec::new();
    for name in NAMES {
        let findings = iamlint::lint_text(name, &text, &settings);
        for f in &findings {
            check_span(&text, f.primary.span, f.rule.as_str());
            for l in &f.secondary {
                check_span(&text, l.span, f.rule.as_str());
            }
            for e in f.fix.iter().flat_map(|x| &x.edits) {
                check_span(&text, e.span, "fix");
            }
            let start = f.file.position(f.primary.span.start as usize);
            let end = f.file.position(f.primary.span.end as usize);
            assert!(start <= end, "{}: {start:?} after {end:?}", f.rule.as_str());
        }
        let outcome = iamlint::Outcome {
            findings,
            files_linted: 1,
            ..iamlint::Outcome::default()
        };
        for format in [
            Format::Human,
            Format::Compact,
            Format::Json,
            Format::Sarif,
            Format::Github,
        ] {
            let _ = iamlint::output::render(format, &outcome, false);
        }
        let _ = iamlint::fix::fix_files(&outcome.findings, &settings, true);
        all.push((*name, outcome.findings));
    }
    all
}

/// The `json` target: the JSON front end alone.
pub fn json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // The fast reader reads strict JSON; what it reads must be what jsonc-parser reads.
    let summary = |r: &Result<Option<Node>, json::JsonError>| match r {
        Ok(root) => Ok(root.clone()),
        Err(e) => Err((e.span, e.message.clone(), e.recovered.clone())),
    };
    assert_eq!(
        summary(&json::parse(&text, 0)),
        summary(&iamlint::syntax::json::parse_jsonc(&text, 0)),
        "the readers differ"
    );
    match json::parse(&text, 0) {
        Ok(Some(mut root)) => {
            check_node(&text, &root);
            for (doc, _) in json::take_policies(&mut root) {
                check_node(&text, &doc);
            }
        }
        Ok(None) => {}
        Err(e) => {
            check_span(&text, e.span, "error");
            if let Some(root) = &e.recovered {
                check_node(&text, root);
            }
        }
    }
}

/// The `yaml` target: the YAML front end alone.
pub fn yaml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = yaml::parse(&text, 0);
    // The fast reader reads a subset; what it reads must be what the builder reads.
    let events = yaml::parse_events(&text, 0);
    assert_eq!(parsed.documents, events.documents, "the readers differ");
    assert_eq!(
        parsed.error.as_ref().map(|e| (e.span, &e.message)),
        events.error.as_ref().map(|e| (e.span, &e.message)),
        "the readers differ"
    );
    for d in &parsed.documents {
        check_node(&text, d);
    }
    if let Some(e) = parsed.error {
        check_span(&text, e.span, "error");
    }
}

/// The `hcl` target: the Terraform front end for native syntax, up to policy documents.
pub fn hcl(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let file = SourceFile::new("main.tf".into(), text);
    let mut out = Extracted::default();
    terraform::extract_hcl(&file, &mut out);
    for f in &out.findings {
        check_span(&file.text, f.primary.span, f.rule.as_str());
    }
    for d in &out.documents {
        check_node(&file.text, &d.root);
    }
}
