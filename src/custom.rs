//! Team rules without code: `[[rules.custom]]` entries in `iamlint.toml`, each a JSONPath (RFC 9535,
//! `jsonpath-rust`) over a normalized view of every policy — `Statement`, `Action`, `NotAction`,
//! `Resource`, `NotResource` and condition values always arrays, template values as their text.
//! Every node `select` picks is a finding at that node's token in the original file, whatever the
//! format; with `require`, only where `require` selects nothing in the statement of that node.
//! Custom rules join the registry at run time and are selected, ignored and suppressed by name
//! like built-in ones.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use globset::{Glob, GlobSet, GlobSetBuilder};
use jsonpath_rust::parser::model::{
    Comparable, Comparison, FilterAtom, FnArg, JpQuery, Literal, Segment, Selector, Test,
    TestFunction,
};
use jsonpath_rust::query::js_path_process;
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
    /// Milliseconds the rule may spend on one file before it is stopped there and reported
    /// (default [`DEFAULT_BUDGET_MS`]).
    #[serde(default)]
    pub budget_ms: Option<u64>,
}

/// The time a custom rule may spend on one file by default.
pub const DEFAULT_BUDGET_MS: u64 = 2_000;

/// Descendant segments (`..`) allowed in one query, filters included: each multiplies the work by
/// the depth of the policy, so three or more could make one file cost minutes.
const MAX_DESCENDANTS: usize = 2;

/// The compiled size a `match()`/`search()` pattern may take.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// `[rules]` in `iamlint.toml`.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    #[serde(default)]
    pub custom: Vec<CustomRuleConfig>,
}

pub struct CustomRule {
    meta: RuleMeta,
    /// The query as written, for messages.
    select_text: String,
    /// Parsed once at load.
    select: JpQuery,
    require: Option<JpQuery>,
    kinds: Vec<PolicyKind>,
    paths: Option<GlobSet>,
    help: Option<String>,
    budget: Duration,
    /// Files where the rule ran out of its budget: its later documents there are not queried.
    stopped: Mutex<HashSet<Arc<str>>>,
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

/// Parses a query and checks its bounds: every `match()`/`search()` pattern is a literal string
/// that compiles (jsonpath-rust compiles it again per node, so it is checked here, once, with its
/// place in the config), and at most [`MAX_DESCENDANTS`] descendant segments.
fn check_path(s: &Spanned<String>) -> Result<JpQuery, ConfigError> {
    let query = match jsonpath_rust::parser::parse_json_path(s.get_ref()) {
        Ok(q) => q,
        Err(e) => {
            return err(
                s.span(),
                format!(
                    "`{}` is not a JSONPath: {}",
                    s.get_ref(),
                    e.to_string().replace('\n', " ")
                ),
            );
        }
    };
    let mut bounds = Bounds::default();
    bounds.segments(&query.segments);
    if let Some(problem) = bounds.problem {
        return err(s.span(), format!("`{}`: {problem}", s.get_ref()));
    }
    if bounds.descendants > MAX_DESCENDANTS {
        return err(
            s.span(),
            format!(
                "`{}` has {} descendant segments (`..`); at most {MAX_DESCENDANTS} are allowed, as each multiplies the work by the depth of the policy",
                s.get_ref(),
                bounds.descendants
            ),
        );
    }
    Ok(query)
}

/// What [`check_path`] finds walking a parsed query.
#[derive(Default)]
struct Bounds {
    descendants: usize,
    /// The first pattern that is not a literal or does not compile.
    problem: Option<String>,
}

impl Bounds {
    fn segments(&mut self, segments: &[Segment]) {
        for s in segments {
            self.segment(s);
        }
    }

    fn segment(&mut self, s: &Segment) {
        match s {
            Segment::Descendant(inner) => {
                self.descendants += 1;
                self.segment(inner);
            }
            Segment::Selector(sel) => self.selector(sel),
            Segment::Selectors(sels) => sels.iter().for_each(|sel| self.selector(sel)),
        }
    }

    fn selector(&mut self, sel: &Selector) {
        if let Selector::Filter(f) = sel {
            self.filter(f);
        }
    }

    fn filter(&mut self, f: &jsonpath_rust::parser::model::Filter) {
        use jsonpath_rust::parser::model::Filter;
        match f {
            Filter::Or(fs) | Filter::And(fs) => fs.iter().for_each(|f| self.filter(f)),
            Filter::Atom(FilterAtom::Filter { expr, .. }) => self.filter(expr),
            Filter::Atom(FilterAtom::Test { expr, .. }) => self.test(expr),
            Filter::Atom(FilterAtom::Comparison(c)) => {
                let (Comparison::Eq(a, b)
                | Comparison::Ne(a, b)
                | Comparison::Gt(a, b)
                | Comparison::Gte(a, b)
                | Comparison::Lt(a, b)
                | Comparison::Lte(a, b)) = c.as_ref();
                for side in [a, b] {
                    if let Comparable::Function(func) = side {
                        self.function(func);
                    }
                }
            }
        }
    }

    fn test(&mut self, t: &Test) {
        match t {
            Test::RelQuery(segments) => self.segments(segments),
            Test::AbsQuery(q) => self.segments(&q.segments),
            Test::Function(func) => self.function(func),
        }
    }

    fn function(&mut self, func: &TestFunction) {
        match func {
            TestFunction::Match(value, pattern) | TestFunction::Search(value, pattern) => {
                self.arg(value);
                self.pattern(pattern);
            }
            TestFunction::Custom(_, args) => args.iter().for_each(|a| self.arg(a)),
            TestFunction::Length(a) => self.arg(a),
            TestFunction::Value(a) | TestFunction::Count(a) => self.arg(a),
        }
    }

    fn arg(&mut self, a: &FnArg) {
        match a {
            FnArg::Literal(_) => {}
            FnArg::Test(t) => self.test(t),
            FnArg::Filter(f) => self.filter(f),
        }
    }

    fn pattern(&mut self, a: &FnArg) {
        if self.problem.is_some() {
            return;
        }
        self.problem = match a {
            FnArg::Literal(Literal::String(p)) => regex::RegexBuilder::new(p)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .err()
                .map(|e| {
                    format!(
                        "the pattern `{p}` is not a valid regular expression: {}",
                        e.to_string().replace('\n', " ")
                    )
                }),
            _ => Some(
                "the pattern of `match()`/`search()` must be a literal string, so that it is checked once, here".into(),
            ),
        };
    }
}

fn kind(s: &str) -> Option<PolicyKind> {
    PolicyKind::ALL.into_iter().find(|k| k.as_str() == s)
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
        let select = check_path(&c.select)?;
        let require = c.require.as_ref().map(check_path).transpose()?;
        let mut kinds = Vec::new();
        for k in &c.kinds {
            match kind(k.get_ref()) {
                Some(k) => kinds.push(k),
                None => {
                    return err(
                        k.span(),
                        format!(
                            "`{}` is not a policy kind (identity, trust, resource, key, endpoint, scp, rcp, boundary, session)",
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
            select_text: c.select.into_inner(),
            select,
            require,
            kinds,
            paths,
            help: c.help,
            budget: Duration::from_millis(c.budget_ms.unwrap_or(DEFAULT_BUDGET_MS)),
            stopped: Mutex::default(),
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
        let file: Arc<str> = cx.file().shown_path().into();
        if self.is_stopped(&file) {
            return;
        }
        let start = Instant::now();
        let (view, spans) = normalize(doc);
        let Ok(found) = js_path_process(&self.select, &view) else {
            return;
        };
        // A node reached twice (`$..Action[*]` with overlapping descendants, a union naming one
        // index twice) is one finding; a statement's `require` is asked once.
        let mut seen: HashSet<String> = HashSet::new();
        let mut satisfied: HashMap<String, bool> = HashMap::new();
        for hit in found {
            if start.elapsed() > self.budget {
                self.stop(cx, doc, file);
                return;
            }
            let path = hit.path();
            if !seen.insert(path.clone()) {
                continue;
            }
            if let Some(req) = &self.require {
                let Some(sp) = statement_path(&path) else {
                    continue;
                };
                let ok = *satisfied.entry(sp.to_owned()).or_insert_with(|| {
                    statement(&view, sp)
                        .is_some_and(|st| js_path_process(req, st).is_ok_and(|r| !r.is_empty()))
                });
                if ok {
                    continue;
                }
            }
            let span = spans.get(&path).copied().unwrap_or_else(|| doc.anchor());
            let mut f = cx
                .finding(span, self.meta.summary.as_ref())
                .label(format!("selected by `{}`", self.select_text));
            if let Some(h) = &self.help {
                f = f.help(h.clone());
            }
            cx.report(f);
        }
        if start.elapsed() > self.budget {
            self.stop(cx, doc, file);
        }
    }
}

impl CustomRule {
    fn is_stopped(&self, file: &str) -> bool {
        self.stopped.lock().is_ok_and(|s| s.contains(file))
    }

    /// Stops the rule on this file, with a finding that says so.
    fn stop(&self, cx: &mut Context, doc: &PolicyDocument, file: Arc<str>) {
        if let Ok(mut s) = self.stopped.lock() {
            s.insert(file);
        }
        cx.report(
            cx.finding(doc.anchor(), "custom rule stopped: it ran over its time budget on this file")
                .severity(Severity::Error)
                .label(format!(
                    "`{}` took over {} ms here; its other findings in this file are not reported",
                    self.select_text,
                    self.budget.as_millis()
                ))
                .help("simplify the query (fewer `..` segments and filters), or raise `budget_ms` for this rule in iamlint.toml"),
        );
    }
}

/// The statement a normalized statement path (`$['Statement'][3]`) names.
fn statement<'a>(view: &'a J, path: &str) -> Option<&'a J> {
    let index = path
        .strip_prefix("$['Statement'][")?
        .strip_suffix(']')?
        .parse::<usize>()
        .ok()?;
    view.get("Statement")?.get(index)
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
