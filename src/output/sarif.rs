//! SARIF 2.1.0, for GitHub code scanning and any SARIF viewer: one run whose `tool.driver.rules`
//! lists every enabled rule (id, descriptions, doc link, configured level) and whose `results`
//! carry the primary token's region, related locations for secondary labels, a fingerprint that
//! survives edits above the finding, and `suppressions` for findings hidden by an inline comment
//! (`inSource`) or by the baseline (`external`): code scanning expects suppressed results to be
//! present and marked, not missing.
//!
//! Columns are UTF-16 code units (SARIF's default `columnKind`, and what GitHub reads); paths are
//! relative to the working directory under `%SRCROOT%`, percent-encoded.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};

use std::io::Write as _;

use super::Counted;
use crate::Outcome;
use crate::diagnostic::{Finding, Severity};
use crate::fingerprint;
use crate::rules::RuleMeta;
use crate::source::Span;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The paragraph under the doc page's `## What it does`, else the summary.
fn full_description(meta: &RuleMeta) -> String {
    let mut lines = meta
        .doc
        .lines()
        .skip_while(|l| l.trim() != "## What it does");
    if lines.next().is_none() {
        return meta.summary.to_string();
    }
    let text: Vec<&str> = lines
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .collect();
    let text = text.join(" ").trim().to_string();
    if text.is_empty() {
        meta.summary.to_string()
    } else {
        text
    }
}

/// SARIF wants `name` readable and different from the opaque `id`: `rds-db-wildcard-user` →
/// `RdsDbWildcardUser`, the rule's type name.
fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn rule(meta: &RuleMeta, severity: Severity) -> Value {
    json!({
        "id": meta.name.as_str(),
        "name": pascal_case(meta.name.as_str()),
        "shortDescription": { "text": meta.summary },
        "fullDescription": { "text": full_description(meta) },
        "helpUri": meta.doc_url(),
        "help": { "text": meta.doc, "markdown": meta.doc },
        "defaultConfiguration": { "level": level(severity) },
        "properties": { "tags": [meta.category.as_str()] },
    })
}

/// Percent-encodes a path for a URI: everything but unreserved characters and `/`.
pub fn encode_uri_path(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                s.push(b as char);
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s
}

/// `file:///abs/dir/` for a folder (SARIF base URIs end in a slash).
fn file_uri(abs: &str, folder: bool) -> String {
    let abs = abs.replace('\\', "/");
    // "C:/x" on Windows becomes "file:///C:/x".
    let lead = if abs.starts_with('/') { "" } else { "/" };
    let mut encoded = encode_uri_path(&abs);
    // A drive letter keeps its colon: "C%3A/x" → "C:/x".
    if encoded.as_bytes().get(1..4) == Some(b"%3A") && encoded.as_bytes()[0].is_ascii_alphabetic() {
        encoded.replace_range(1..4, ":");
    }
    let mut uri = format!("file://{lead}{encoded}");
    if folder && !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Where a file is: under `%SRCROOT%`, or an absolute `file://` URI.
#[derive(Clone, serde::Serialize)]
struct Artifact {
    uri: String,
    #[serde(rename = "uriBaseId", skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

fn artifact(f: &Finding, cwd: Option<&Path>) -> Artifact {
    let path = fingerprint::path_of(&f.file, cwd);
    if Path::new(&path).is_absolute() {
        Artifact {
            uri: file_uri(&path, false),
            uri_base_id: None,
        }
    } else {
        Artifact {
            uri: encode_uri_path(&path),
            uri_base_id: Some(SRCROOT),
        }
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    end_column: u32,
    end_line: u32,
    start_column: u32,
    start_line: u32,
}

fn region(f: &Finding, span: Span) -> Region {
    let s = f.file.position(span.start as usize);
    let e = f.file.position(span.end as usize);
    Region {
        end_column: e.column_utf16,
        end_line: e.line,
        start_column: s.column_utf16,
        start_line: s.line,
    }
}

/// A result as the log prints it, serialized straight from the finding (no `Value` tree: a run
/// can measure hundreds of thousands). Every object's fields in the order printed: alphabetical.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    level: &'static str,
    locations: [Location<'a>; 1],
    message: Text<String>,
    partial_fingerprints: Print<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    rule_id: &'a str,
    rule_index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression<'a>; 1]>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<&'a str>>,
    physical_location: Physical,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(serde::Serialize)]
struct Text<T> {
    text: T,
}

#[derive(serde::Serialize)]
struct Suppression<'a> {
    justification: &'a str,
    kind: &'static str,
}

/// `{"iamlint/v1": "…"}`: the fingerprint under its recipe's name.
struct Print<'a>(&'a str);

impl serde::Serialize for Print<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(fingerprint::VERSION, self.0)?;
        m.end()
    }
}

fn result<'a>(
    f: &'a Finding,
    print: &'a str,
    index: &HashMap<&str, usize>,
    external: bool,
    cwd: Option<&Path>,
) -> SarifResult<'a> {
    let file = artifact(f, cwd);
    let location = |span: Span, text: &'a str, id: Option<usize>| Location {
        id,
        message: (!text.is_empty()).then_some(Text { text }),
        physical_location: Physical {
            artifact_location: file.clone(),
            region: region(f, span),
        },
    };
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    SarifResult {
        level: level(f.severity),
        locations: [location(f.primary.span, &f.primary.text, None)],
        message: Text { text: message },
        partial_fingerprints: Print(print),
        // GitHub code scanning takes at most 1,000 locations of a kind per result.
        related_locations: f
            .secondary
            .iter()
            .take(MAX_RELATED_LOCATIONS)
            .enumerate()
            .map(|(i, l)| location(l.span, &l.text, Some(i + 1)))
            .collect(),
        rule_id: f.rule.as_str(),
        rule_index: index[f.rule.as_str()],
        suppressions: f.suppressed.as_deref().map(|reason| {
            [Suppression {
                justification: reason,
                kind: if external { "external" } else { "inSource" },
            }]
        }),
    }
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = Vec::new();
    write(outcome, 1, &mut out).expect("writing to memory");
    String::from_utf8(out).expect("SARIF is UTF-8")
}

/// Stands for the results in the log printed without them; replaced by the results, written one
/// at a time.
const RESULTS_HERE: &str = "\u{0}results";
/// Indentation of a result in the printed log (`runs[0].results[i]`), and of its closing `]`.
const RESULT_INDENT: &str = "        ";
const RESULTS_END_INDENT: &str = "      ";

/// Writes the log, results streamed: each result is built twice (once to count its printed
/// size, which the limits need before anything is written, and once to print it; both on up to
/// `threads` threads), and only severities and sizes are kept in between. The bytes are those
/// of printing the whole log at once with `serde_json::to_string_pretty`.
pub fn write(
    outcome: &Outcome,
    threads: usize,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let cwd = fingerprint::cwd();
    // Every enabled rule, plus any rule a finding names that the outcome did not list.
    let mut rules: Vec<(&RuleMeta, Severity)> =
        outcome.rules.iter().map(|(r, s)| (r.meta(), *s)).collect();
    for f in &outcome.findings {
        if !rules.iter().any(|(m, _)| m.name == f.rule)
            && let Some(r) = crate::rules::find(f.rule.as_str())
        {
            rules.push((r.meta(), r.meta().default_severity));
        }
    }
    let index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, (m, _))| (m.name.as_str(), i))
        .collect();
    let prints = outcome.prints();
    let external = |p: &str| {
        outcome
            .baseline
            .as_ref()
            .is_some_and(|b| b.fingerprints.contains(p))
    };
    let result_of = |i: usize| {
        let (f, p) = (&outcome.findings[i], &prints[i]);
        result(f, p, &index, external(p), cwd.as_deref())
    };
    // (severity, printed size, finding) of every result, in output order; measured on up to
    // `threads` threads (see `in_chunks`).
    let measure = |at: usize, some: &[Finding]| {
        (at..at + some.len())
            .map(|i| {
                let mut size = Counted::<std::io::Sink>::default();
                super::write_nested(&mut size, RESULT_INDENT.len() / 2, &result_of(i))
                    .expect("SARIF serializes");
                (outcome.findings[i].severity, (size.bytes, i))
            })
            .collect::<Vec<_>>()
    };
    let mut results: Vec<(Severity, (usize, usize))> = Vec::with_capacity(outcome.findings.len());
    super::in_chunks(&outcome.findings, threads, &measure, |mut some| {
        results.append(&mut some);
        Ok(())
    })?;
    let total = results.len();
    // GitHub code scanning rejects a run of more than 25,000 results: keep the most severe.
    if results.len() > MAX_RESULTS {
        keep_most_severe(&mut results, MAX_RESULTS);
    }
    let driver = json!({
        "name": "iamlint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "informationUri": crate::REPOSITORY,
        "rules": rules.iter().map(|&(m, s)| rule(m, s)).collect::<Vec<_>>(),
    });
    let notes: Vec<Value> = outcome
        .notes
        .iter()
        .map(|n| {
            let uri = if Path::new(&n.path).is_absolute() {
                json!({ "uri": file_uri(&n.path, false) })
            } else {
                json!({ "uri": encode_uri_path(&n.path), "uriBaseId": SRCROOT })
            };
            json!({
                "level": if n.named { "error" } else { "warning" },
                "message": { "text": format!("{}: {}", n.path, n.message) },
                "locations": [{ "physicalLocation": { "artifactLocation": uri } }],
            })
        })
        .collect();
    let successful = !outcome.notes.iter().any(|n| n.named);
    // The log without its results: `RESULTS_HERE` (quoted) where they go.
    let envelope = |cut: Option<String>| {
        let mut notifications = notes.clone();
        if let Some(text) = cut {
            notifications.push(json!({ "level": "warning", "message": { "text": text } }));
        }
        let mut run = json!({
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": successful,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "utf16CodeUnits",
            "results": RESULTS_HERE,
        });
        if let Some(cwd) = &cwd {
            run["originalUriBaseIds"] = json!({
                SRCROOT: { "uri": file_uri(&cwd.to_string_lossy(), true) }
            });
        }
        let log = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [run],
        });
        let mut s = serde_json::to_string_pretty(&log).expect("SARIF serializes");
        s.push('\n');
        let here = serde_json::to_string(RESULTS_HERE).expect("a string");
        let at = s.find(&here).expect("the results' place");
        let after = s[at + here.len()..].to_string();
        s.truncate(at);
        (s, after)
    };
    let cut_note = |kept: usize| {
        (kept < total).then(|| {
            format!(
                "{kept} of {total} results kept, the most severe: code scanning accepts at most \
                 {MAX_RESULTS} results in a run and {MAX_BYTES} bytes in a file"
            )
        })
    };
    // The printed size of the log with `results` (see `write_elements`).
    let size = |results: &[(Severity, (usize, usize))], (before, after): &(String, String)| {
        let items: usize = results
            .iter()
            .map(|(_, (bytes, _))| 2 + RESULT_INDENT.len() + bytes)
            .sum();
        let array = if results.is_empty() {
            2
        } else {
            items + 1 + RESULTS_END_INDENT.len() + 1
        };
        before.len() + array + after.len()
    };
    let mut parts = envelope(cut_note(results.len()));
    let mut len = size(&results, &parts);
    // Over the size limit: drop the least severe results until the file fits.
    while len > MAX_BYTES && !results.is_empty() {
        // Scale the count by how far over the file is (5 % under, for the notes' own bytes).
        let keep = (results.len() * (MAX_BYTES / 100 * 95) / len).min(results.len() - 1);
        keep_most_severe(&mut results, keep);
        parts = envelope(cut_note(results.len()));
        len = size(&results, &parts);
    }
    if let Some(note) = cut_note(results.len()) {
        // The file says so in its notifications; the person running it hears it too.
        eprintln!("iamlint: SARIF: {note}");
    }
    // Counted, to check that the limits were worked out on the bytes written.
    let mut out = Counted {
        inner: out,
        bytes: 0,
    };
    out.write_all(parts.0.as_bytes())?;
    // The kept results printed on up to `threads` threads, a round at a time.
    let print = |at: usize, some: &[(Severity, (usize, usize))]| {
        let mut buf = Vec::new();
        let kept = some.iter().map(|&(_, (_, i))| result_of(i));
        super::write_elements(&mut buf, RESULTS_END_INDENT, at == 0, kept)
            .expect("writing to memory");
        buf
    };
    super::in_chunks(&results, threads, &print, |buf| out.write_all(&buf))?;
    super::close_array(&mut out, RESULTS_END_INDENT, results.is_empty())?;
    out.write_all(parts.1.as_bytes())?;
    debug_assert_eq!(out.bytes, len, "the size the limits were applied to");
    Ok(())
}

/// Most results in one run that GitHub code scanning accepts.
pub const MAX_RESULTS: usize = 25_000;
/// Related locations written per result (GitHub's limit of locations per result); the first
/// ones, which the rules list in the order they matter.
pub const MAX_RELATED_LOCATIONS: usize = 1_000;
/// Largest SARIF file written (GitHub code scanning: 10 MB).
pub const MAX_BYTES: usize = 10_000_000;

/// Keeps the `keep` most severe results (the earlier of equals), in their order.
fn keep_most_severe<T>(results: &mut Vec<(Severity, T)>, keep: usize) {
    if results.len() <= keep {
        return;
    }
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(results[i].0));
    let mut kept = vec![false; results.len()];
    for &i in &order[..keep] {
        kept[i] = true;
    }
    let mut flags = kept.into_iter();
    results.retain(|_| flags.next().unwrap_or(false));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_description_is_the_what_it_does_paragraph() {
        static META: RuleMeta = RuleMeta {
            name: crate::diagnostic::RuleName::new("some-rule"),
            category: crate::rules::Category::Security,
            default_severity: Severity::Warning,
            summary: std::borrow::Cow::Borrowed("the summary"),
            doc: std::borrow::Cow::Borrowed(
                "# some-rule\n\n## What it does\n\nFlags this\nand that.\n\n## Why is this bad?\n\nNo.\n",
            ),
            kinds: &[],
        };
        assert_eq!(full_description(&META), "Flags this and that.");
        assert_eq!(pascal_case("rds-db-wildcard-user"), "RdsDbWildcardUser");
    }

    #[test]
    fn related_locations_stay_within_githubs_limit() {
        let file = crate::source::SourceFile::new("p.json".into(), "x".repeat(10));
        let mut f = Finding::new(
            crate::diagnostic::RuleName::new("some-rule"),
            Severity::Error,
            &file,
            Span::new(0, 1),
            "m",
        );
        for _ in 0..MAX_RELATED_LOCATIONS + 500 {
            f.secondary.push(crate::diagnostic::Label {
                span: Span::new(1, 2),
                text: "here".into(),
            });
        }
        let index = HashMap::from([("some-rule", 0)]);
        let r = serde_json::to_value(result(&f, "p", &index, false, None)).unwrap();
        let related = r["relatedLocations"].as_array().expect("related locations");
        assert_eq!(related.len(), MAX_RELATED_LOCATIONS);
        assert_eq!(related[0]["id"], 1);
    }

    #[test]
    fn encodes_paths_for_uris() {
        assert_eq!(
            encode_uri_path("a b/café#1.json"),
            "a%20b/caf%C3%A9%231.json"
        );
        assert_eq!(file_uri("/w/x y", true), "file:///w/x%20y/");
        assert_eq!(file_uri("C:\\w\\p.json", false), "file:///C:/w/p.json");
    }
}
