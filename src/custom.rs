//! Team rules without code: `[[rules.custom]]` entries in `iamlint.toml`, each a JSONPath (RFC 9535,
//! `jsonpath-rust`) over a normalized view of every policy — `Statement`, `Action`, `NotAction`,
//! `Resource`, `NotResource` and condition values always arrays, template values as their text.
//! Every node `select` picks is a finding at that node's token in the original file, whatever the
//! format; with `require`, only where `require` selects nothing in the statement of that node.
//! Custom rules join the registry at run time and are selected, ignored and suppressed by name
//! like built-in ones.

use std::collections::HashMap;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use jsonpath_rust::JsonPath;
use serde::Deserialize;
use serde_json::{Map, Value as J};
use toml::Spanned;

use crate::diagnostic::{RuleName, Severity};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::rules::{Category, Context, Declared, Rule, RuleMeta, RuleRef};
use crate::source::Span;
use crate::syntax::tree::{Node, Value};

/// One `[[rules.custom]]` table as written.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CustomRuleConfig {
    pub name: Spanned<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
    pub message: String,
    #[serde(default)]
    pub help: Option<String>,
    pub select: Spanned<String>,
    #[serde(default)]
    pub require: Option<Spanned<String>>,
    #[serde(default)]
    pub kinds: Vec<Spanned<String>>,
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
}

/// `[rules]` in `iamlint.toml`.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    #[serde(default)]
    pub custom: Vec<CustomRuleConfig>,
}

pub struct CustomRule {
    meta: RuleMeta,
    select: String,
    require: Option<String>,
    kinds: Vec<PolicyKind>,
    paths: Option<GlobSet>,
    help: Option<String>,
}

/// A config problem at a byte range of the config file.
pub struct ConfigError {
    pub span: std::ops::Range<usize>,
    pub message: String,
}

fn err<T>(span: std::ops::Range<usize>, message: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError {
        span,
        message: message.into(),
    })
}

fn check_path(s: &Spanned<String>) -> Result<(), ConfigError> {
    match jsonpath_rust::parser::parse_json_path(s.get_ref()) {
        Ok(_) => Ok(()),
        Err(e) => err(
            s.span(),
            format!(
                "`{}` is not a JSONPath: {}",
                s.get_ref(),
                e.to_string().replace('\n', " ")
            ),
        ),
    }
}

fn kind(s: &str) -> Option<PolicyKind> {
    [
        PolicyKind::Identity,
        PolicyKind::Trust,
        PolicyKind::Resource,
        PolicyKind::KeyPolicy,
        PolicyKind::Endpoint,
        PolicyKind::Scp,
        PolicyKind::Rcp,
    ]
    .into_iter()
    .find(|k| k.as_str() == s)
}

/// Checks and builds the custom rules. Names must be kebab-case and unique among all rules.
pub fn compile(configs: Vec<CustomRuleConfig>) -> Result<Vec<RuleRef>, ConfigError> {
    let mut out: Vec<RuleRef> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for c in configs {
        let name = c.name.get_ref().clone();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return err(
                c.name.span(),
                format!("rule name `{name}` must be kebab-case (a-z, 0-9, -)"),
            );
        }
        if crate::rules::find(&name).is_some() || seen.contains(&name) {
            return err(
                c.name.span(),
                format!("a rule named `{name}` already exists"),
            );
        }
        check_path(&c.select)?;
        if let Some(r) = &c.require {
            check_path(r)?;
        }
        let mut kinds = Vec::new();
        for k in &c.kinds {
            match kind(k.get_ref()) {
                Some(k) => kinds.push(k),
                None => {
                    return err(
                        k.span(),
                        format!(
                            "`{}` is not a policy kind (identity, trust, resource, key, endpoint, scp, rcp)",
                            k.get_ref()
                        ),
                    );
                }
            }
        }
        let paths = if c.paths.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for p in &c.paths {
                match Glob::new(p.get_ref()) {
                    Ok(g) => {
                        b.add(g);
                    }
                    Err(e) => return err(p.span(), format!("invalid glob: {e}")),
                }
            }
            Some(b.build().map_err(|e| ConfigError {
                span: c.paths[0].span(),
                message: e.to_string(),
            })?)
        };
        seen.push(name.clone());
        let doc = format!(
            "# {name}\n\nA custom rule from `iamlint.toml`.\n\n{}\n\n`select = \"{}\"`\n",
            c.message,
            c.select.get_ref()
        );
        let meta = RuleMeta {
            name: RuleName::shared(name.into()),
            category: Category::Custom,
            default_severity: c.severity.unwrap_or(Severity::Warning),
            summary: c.message.into(),
            doc: doc.into(),
            kinds: &[],
        };
        out.push(RuleRef::Custom(Arc::new(CustomRule {
            meta,
            select: c.select.into_inner(),
            require: c.require.map(Spanned::into_inner),
            kinds,
            paths,
            help: c.help,
        })));
    }
    Ok(out)
}

/// The normalized JSON view of a policy and the span of every node in it, by normalized path
/// (`$['Statement'][0]['Action'][1]`, the form jsonpath-rust reports).
pub fn normalize(doc: &PolicyDocument) -> (J, HashMap<String, Span>) {
    let mut spans = HashMap::new();
    let v = convert(&doc.root, "$".to_string(), Shape::Document, &mut spans);
    (v, spans)
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Document,
    Statement,
    /// `Action`, `Resource`… and condition values: always arrays.
    List,
    Condition,
    ConditionOperator,
    Other,
}

fn key_path(base: &str, key: &str) -> String {
    format!(
        "{base}['{}']",
        key.replace('\\', "\\\\").replace('\'', "\\'")
    )
}

fn convert(n: &Node, path: String, shape: Shape, spans: &mut HashMap<String, Span>) -> J {
    spans.insert(path.clone(), n.span);
    let as_list = |n: &Node, path: &str, spans: &mut HashMap<String, Span>, item: Shape| -> J {
        J::Array(
            n.items()
                .iter()
                .enumerate()
                .map(|(i, x)| convert(x, format!("{path}[{i}]"), item, spans))
                .collect(),
        )
    };
    match &n.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(s) => s
            .parse::<serde_json::Number>()
            .map_or_else(|_| J::String(s.clone()), J::Number),
        Value::Str(t) if shape == Shape::List => J::Array(vec![{
            let p = format!("{path}[0]");
            spans.insert(p, n.span);
            J::String(t.display())
        }]),
        Value::Str(t) => J::String(t.display()),
        Value::Array(_) if shape == Shape::List => as_list(n, &path, spans, Shape::Other),
        Value::Array(a) => J::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| {
                    let s = if shape == Shape::Document {
                        Shape::Statement
                    } else {
                        Shape::Other
                    };
                    convert(x, format!("{path}[{i}]"), s, spans)
                })
                .collect(),
        ),
        Value::Object(entries) => {
            let mut m = Map::new();
            for e in entries {
                let p = key_path(&path, &e.key.name);
                let child = match (shape, e.key.name.as_str()) {
                    // "Statement": {…} becomes a list of one statement.
                    (Shape::Document, "Statement") => {
                        if matches!(e.value.value, Value::Object(_)) {
                            spans.insert(p.clone(), e.value.span);
                            J::Array(vec![convert(
                                &e.value,
                                format!("{p}[0]"),
                                Shape::Statement,
                                spans,
                            )])
                        } else {
                            convert(&e.value, p, Shape::Document, spans)
                        }
                    }
                    (Shape::Statement, "Action" | "NotAction" | "Resource" | "NotResource") => {
                        convert(&e.value, p, Shape::List, spans)
                    }
                    (Shape::Statement, "Condition") => {
                        convert(&e.value, p, Shape::Condition, spans)
                    }
                    (Shape::Condition, _) => convert(&e.value, p, Shape::ConditionOperator, spans),
                    (Shape::ConditionOperator, _) => convert(&e.value, p, Shape::List, spans),
                    _ => convert(&e.value, p, Shape::Other, spans),
                };
                m.insert(e.key.name.to_string(), child);
            }
            J::Object(m)
        }
    }
}

/// `$['Statement'][3]…` → `$['Statement'][3]`.
fn statement_path(path: &str) -> Option<&str> {
    const PREFIX: &str = "$['Statement'][";
    let rest = path.strip_prefix(PREFIX)?;
    let end = rest.find(']')?;
    Some(&path[..=(PREFIX.len() + end)])
}

impl Declared for CustomRule {
    fn meta(&self) -> &RuleMeta {
        &self.meta
    }
}

impl Rule for CustomRule {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        if !self.kinds.is_empty() && !self.kinds.contains(&doc.kind) {
            return;
        }
        if self
            .paths
            .as_ref()
            .is_some_and(|g| !g.is_match(cx.file().shown_path()))
        {
            return;
        }
        let (view, spans) = normalize(doc);
        let Ok(found) = view.query_with_path(&self.select) else {
            return;
        };
        for hit in found {
            if let Some(req) = &self.require {
                let Some(sp) = statement_path(&hit.path) else {
                    continue;
                };
                let Ok(stmts) = view.query(sp) else { continue };
                let satisfied = stmts
                    .first()
                    .is_some_and(|st| st.query(req).is_ok_and(|r| !r.is_empty()));
                if satisfied {
                    continue;
                }
            }
            let span = spans
                .get(&hit.path)
                .copied()
                .unwrap_or_else(|| doc.anchor());
            let mut f = cx
                .finding(span, self.meta.summary.as_ref())
                .label(format!("selected by `{}`", self.select));
            if let Some(h) = &self.help {
                f = f.help(h.clone());
            }
            cx.report(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::syntax::json;

    #[test]
    fn normalized_paths_map_back_to_tokens() {
        let text =
            r#"{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": ["a", "b"]}}"#;
        let file = SourceFile::new("p.json".into(), text.into());
        let root = json::parse(text, 0).unwrap().unwrap();
        let doc = PolicyDocument::build(&file, root, PolicyKind::Identity, None);
        let (v, spans) = normalize(&doc);
        assert_eq!(v["Statement"][0]["Action"][0], "s3:*");
        let s = spans["$['Statement'][0]['Action'][0]"];
        assert_eq!(file.slice(s), "\"s3:*\"");
        assert_eq!(
            file.slice(spans["$['Statement'][0]['Resource'][1]"]),
            "\"b\""
        );
        assert_eq!(
            statement_path("$['Statement'][12]['Action'][0]"),
            Some("$['Statement'][12]")
        );
    }
}
