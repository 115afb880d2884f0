//! Policies in files a Terraform argument reads: `file("…/policy.json")` and
//! `templatefile("…/policy.json.tftpl", { name = value })`, with the path literal or written
//! from `${path.module}` / `${path.root}`. The file is read (never outside the linted folder,
//! [`Follow::root`]) and its policy linted as the calling resource's kind, with spans in that
//! file; a template's `${…}` parts are unknown values (a variable the call gives a literal
//! string is that text) and its `%{ for }`/`%{ if }` directives are left out, so a loop's body
//! is read once. What cannot be followed (a computed path, a path that leaves the folder, a
//! missing file, a template that does not read as JSON) is noted as not read.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::super::{Extracted, Unread, json};
use crate::policy::{PolicyDocument, PolicyKind, infer_kind};
use crate::source::{SourceFile, Span};
use crate::syntax::hcl::{
    self, Val,
    embedded::{self, Lit, Seg},
};
use crate::syntax::tree::{Node, Part, Value};

/// Where followed files may be read from, set by the driver for the file being linted.
#[derive(Clone, Debug)]
pub struct Follow {
    /// The linted folder, with links resolved: a followed file must be inside it.
    pub root: PathBuf,
    /// Files larger than this are not read (`--max-file-size`).
    pub max_size: u64,
}

/// The two functions that read a file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Func {
    File,
    Template,
}

/// The function, path argument and variables of a `file(…)`/`templatefile(…)` call written as
/// the whole value `node` of a `.tf` file (its text is the call as written) or of a `.tf.json`
/// file (`"${templatefile(…)}"`).
fn call(file: &SourceFile, node: &Node) -> Option<(Func, Node, Option<Node>)> {
    let Value::Str(t) = &node.value else {
        return None;
    };
    let [Part::Var(expr)] = &t.parts[..] else {
        return None;
    };
    let (func, rest) = if let Some(r) = expr.strip_prefix("templatefile(") {
        (Func::Template, r)
    } else if let Some(r) = expr.strip_prefix("file(") {
        (Func::File, r)
    } else {
        return None;
    };
    if !rest.ends_with(')') {
        return None;
    }
    // The arguments as written in a `.tf` file, read as an HCL list; in a `.tf.json` file the
    // call is inside a JSON string (`"${file(\"p.json\")}"`): the expression as decoded.
    let written = file.slice(node.span);
    let raw = if written.trim_start().starts_with(['f', 't']) {
        written
    } else {
        expr.as_str()
    };
    let open = raw.find('(')?;
    let inner = raw.get(open + 1..raw.rfind(')')?)?;
    let src = format!("c {{\n  v = [\n{inner}\n  ]\n}}\n");
    let mut blocks = hcl::read(&src, 0, |ident, _| ident == "c").ok()?;
    let attr = blocks.pop()?.attrs.pop()?;
    let Val::Data { node: list, .. } = attr.value else {
        return None;
    };
    let Value::Array(mut args) = list.value else {
        return None;
    };
    if args.is_empty() || args.len() > 2 {
        return None;
    }
    let vars = (args.len() == 2).then(|| args.pop()).flatten();
    Some((func, args.pop()?, vars))
}

/// Follows the call in `value` when it is one: `true` when it was (the policy read, or why not
/// noted), `false` when `value` is no `file`/`templatefile` call.
pub(super) fn follow(
    file: &Arc<SourceFile>,
    value: &Node,
    kind: Option<PolicyKind>,
    owner: &str,
    out: &mut Extracted,
) -> bool {
    let Some((func, path, vars)) = call(file, value) else {
        return false;
    };
    let mut note = |what: String| {
        out.unread.push(Unread {
            file: file.clone(),
            span: value.span,
            what,
        });
    };
    let Some(cfg) = out.follow.clone() else {
        note(format!(
            "the file {owner} reads is not followed: there is no folder to follow it in"
        ));
        return true;
    };
    let Some(rel) = relative_path(&path) else {
        note(format!(
            "the policy file of {owner} has a computed path: not followed"
        ));
        return true;
    };
    let dir = file.path.parent().unwrap_or(Path::new(""));
    let shown = normalize(&dir.join(&rel));
    // `..` that climbs out of the folder: not even looked at.
    let absolute = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok())
        .map(|d| normalize(&d.join(&shown)));
    if absolute.is_some_and(|a| !a.starts_with(&cfg.root)) {
        note(format!(
            "the policy file of {owner}, {}, is outside the linted folder: not read",
            crate::source::display_path(&shown)
        ));
        return true;
    }
    let Ok(real) = std::fs::canonicalize(&shown) else {
        note(format!(
            "the policy file of {owner}, {}, is not there",
            crate::source::display_path(&shown)
        ));
        return true;
    };
    if !real.starts_with(&cfg.root) {
        note(format!(
            "the policy file of {owner}, {}, is outside the linted folder: not read",
            crate::source::display_path(&shown)
        ));
        return true;
    }
    let text = match std::fs::metadata(&real) {
        Ok(m) if m.len() <= cfg.max_size => std::fs::read_to_string(&real).ok(),
        _ => None,
    };
    let Some(text) = text else {
        note(format!(
            "the policy file of {owner}, {}, cannot be read",
            crate::source::display_path(&shown)
        ));
        return true;
    };
    let line = file.position(value.span.start as usize).line;
    let caller = format!("{owner} ({}:{line})", file.shown_path());
    let followed = SourceFile::new(shown.clone(), text);
    let root = match func {
        Func::File => plain_json(&followed, out),
        Func::Template => template_json(&followed, vars.as_ref(), out),
    };
    out.followed.push((real, shown.clone()));
    let Some(root) = root.filter(|r| matches!(r.value, Value::Object(_))) else {
        out.unread.push(Unread {
            file: file.clone(),
            span: value.span,
            what: format!(
                "the policy file of {owner}, {}, does not read as a JSON policy",
                crate::source::display_path(&shown)
            ),
        });
        return true;
    };
    let kind = kind.unwrap_or_else(|| infer_kind(&root));
    let opening = Span::new(root.span.start as usize, root.span.start as usize + 1);
    let mut doc = PolicyDocument::build(&followed, root, kind, Some(caller));
    doc.owner_span = Some(opening);
    out.documents.push(doc);
    true
}

/// The path argument as a path relative to the calling file's folder: `"policy.json"`,
/// `"${path.module}/policies/p.json"`; `None` when another part of it is computed.
fn relative_path(path: &Node) -> Option<PathBuf> {
    let Value::Str(t) = &path.value else {
        return None;
    };
    let mut out = String::new();
    for (i, p) in t.parts.iter().enumerate() {
        match p {
            Part::Lit(l) => out.push_str(l),
            Part::Var(v) if i == 0 && (v == "path.module" || v == "path.root") => {
                out.push('.');
            }
            Part::Var(_) => return None,
        }
    }
    (!out.is_empty()).then(|| PathBuf::from(out))
}

/// `a/./b/../c` → `a/c`, without asking the file system; a leading `..` stays.
fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// A `file()` policy: the file is JSON.
fn plain_json(file: &Arc<SourceFile>, out: &mut Extracted) -> Option<Node> {
    let mut scratch = Extracted::default();
    let root = super::super::json_file_root(file, &mut scratch);
    out.findings.append(&mut scratch.findings);
    root.filter(json::is_policy)
}

/// A `templatefile()` policy: the template's text with `${…}` parts as unknown values (or the
/// literal the call gives that variable, [`given`], written where `${name}` is) and `%{…}`
/// directives left out ([`template_segments`]).
fn template_json(file: &Arc<SourceFile>, vars: Option<&Node>, out: &mut Extracted) -> Option<Node> {
    let base = super::super::bom_len(&file.text);
    let chars: Vec<(char, Span)> = file.text[base..]
        .char_indices()
        .map(|(i, c)| (c, Span::new(base + i, base + i + c.len_utf8())))
        .collect();
    let (segs, directives) = template_segments(&file.text, embedded::split_template(&chars), vars);
    let parsed = embedded::parse(&segs);
    // Without its directives the text may not be what Terraform renders (a loop's separator):
    // its syntax errors are not the author's.
    if let Some(e) = parsed.error.filter(|_| !directives) {
        out.findings.push(
            super::super::input::INVALID_JSON
                .finding(file, e.span, e.message)
                .label("parsing of the policy template stopped here"),
        );
    }
    parsed.root.filter(json::is_policy)
}

/// A template directive (`%{ for a in arns }`, `%{ if … }`, `%{ else }`, `%{ endif }`…).
#[derive(Debug, PartialEq)]
enum Directive {
    /// The names a `for` binds (`for k, v in m` binds two).
    For(Vec<String>),
    EndFor,
    If,
    Else,
    EndIf,
}

fn directive(expr: &str) -> Option<Directive> {
    let mut words = expr.split_whitespace();
    Some(match words.next()? {
        "for" => {
            let head = expr.trim_start().strip_prefix("for")?;
            let names = head.split(" in ").next()?;
            Directive::For(names.split(',').map(|n| n.trim().to_string()).collect())
        }
        "endfor" => Directive::EndFor,
        "if" => Directive::If,
        "else" => Directive::Else,
        "endif" => Directive::EndIf,
        _ => return None,
    })
}

/// The segments of a template as the JSON reader takes them, and whether it had directives.
/// Directives are left out, so a `for` loop's body is read once and both branches of an `if`
/// are read, except a branch that holds only a separator (`%{ if i < length(xs) - 1 },%{ endif
/// }`), which read once would leave a stray comma. Inside a loop, its names (`a` of
/// `%{ for a in arns }`) are unknown values even when the call gives a variable of that name; a
/// variable the call gives a literal string, number or boolean (or a literal list or object,
/// read through `cfg.bucket`, `arns[0]`) is that text. A list or object used whole
/// (`${jsonencode(arns)}`) stays an unknown value.
fn template_segments(text: &str, segs: Vec<Seg>, vars: Option<&Node>) -> (Vec<Seg>, bool) {
    let is_directive =
        |s: &Seg| matches!(s, Seg::Var(_, span) if text.as_bytes()[span.start as usize] == b'%');
    let separator =
        |s: &Seg| matches!(s, Seg::Lit(l) if l.text.chars().all(|c| c.is_whitespace() || c == ','));
    // Branches of `if`s that hold only separators, by segment index.
    let mut dropped = vec![false; segs.len()];
    let mut branch_starts: Vec<usize> = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        let Seg::Var(expr, _) = s else { continue };
        if !is_directive(s) {
            continue;
        }
        match directive(expr) {
            Some(Directive::If) => branch_starts.push(i + 1),
            Some(d @ (Directive::Else | Directive::EndIf)) => {
                let Some(from) = branch_starts.pop() else {
                    continue;
                };
                if segs[from..i].iter().all(separator) {
                    dropped[from..i].iter_mut().for_each(|d| *d = true);
                }
                if d == Directive::Else {
                    branch_starts.push(i + 1);
                }
            }
            _ => {}
        }
    }
    let mut bound: Vec<Vec<String>> = Vec::new();
    let mut directives = false;
    let mut out = Vec::with_capacity(segs.len());
    for (i, s) in segs.into_iter().enumerate() {
        if dropped[i] {
            continue;
        }
        match s {
            Seg::Var(expr, span) if text.as_bytes()[span.start as usize] == b'%' => {
                directives = true;
                match directive(&expr) {
                    Some(Directive::For(names)) => bound.push(names),
                    Some(Directive::EndFor) => {
                        bound.pop();
                    }
                    _ => {}
                }
            }
            Seg::Var(expr, span) => {
                let root = expr.split(['.', '[']).next().unwrap_or("");
                let shadowed = bound.iter().flatten().any(|n| n == root);
                match given(vars, &expr).filter(|_| !shadowed) {
                    Some(v) => out.push(Seg::Lit(Lit::from_chars(
                        &v.chars().map(|c| (c, span)).collect::<Vec<_>>(),
                    ))),
                    None => out.push(Seg::Var(expr, span)),
                }
            }
            lit @ Seg::Lit(_) => out.push(lit),
        }
    }
    (out, directives)
}

/// The literal text a `templatefile` call gives the expression `expr` (`bucket`, `cfg.bucket`,
/// `arns[0]`): a string, number or boolean in the call's variables; `None` for anything else.
fn given(vars: Option<&Node>, expr: &str) -> Option<String> {
    let mut node = vars?;
    let mut rest = expr.trim();
    let mut first = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            let index: usize = r[..close].trim().parse().ok()?;
            node = node
                .items()
                .get(index)
                .filter(|_| matches!(node.value, Value::Array(_)))?;
            rest = &r[close + 1..];
            continue;
        }
        let r = if first { rest } else { rest.strip_prefix('.')? };
        let end = r.find(['.', '[']).unwrap_or(r.len());
        let name = &r[..end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return None;
        }
        node = node.get(name)?;
        rest = &r[end..];
        first = false;
    }
    match &node.value {
        Value::Str(_) => node.literal().map(str::to_string),
        Value::Number(n) => Some(n.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_without_the_file_system() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.json")),
            PathBuf::from("a/c.json")
        );
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(normalize(Path::new("a/../../x")), PathBuf::from("../x"));
    }

    /// The call's variables as `templatefile` reads them.
    fn vars(hcl_object: &str) -> Node {
        let src = format!("c {{\n  v = {hcl_object}\n}}\n");
        let Ok(mut blocks) = hcl::read(&src, 0, |ident, _| ident == "c") else {
            panic!("{src} does not parse")
        };
        match blocks.pop().unwrap().attrs.pop().unwrap().value {
            Val::Data { node, .. } => node,
            Val::Jsonencode(_) => unreachable!(),
        }
    }

    #[test]
    fn literal_lists_and_objects_are_read_through_their_paths() {
        let v = vars(
            r#"{ bucket = "b", arns = ["x", "y"], cfg = { n = 3, on = true, list = ["z"] }, u = var.u }"#,
        );
        let g = |e: &str| given(Some(&v), e);
        assert_eq!(g("bucket").as_deref(), Some("b"));
        assert_eq!(g("arns[1]").as_deref(), Some("y"));
        assert_eq!(g("cfg.n").as_deref(), Some("3"));
        assert_eq!(g("cfg.on").as_deref(), Some("true"));
        assert_eq!(g("cfg.list[0]").as_deref(), Some("z"));
        // Lists, objects, unknown values and expressions stay unknown.
        for e in [
            "arns",
            "cfg",
            "u",
            "arns[2]",
            "jsonencode(arns)",
            "cfg.missing",
            "bucket.x",
        ] {
            assert_eq!(g(e), None, "{e}");
        }
    }

    #[test]
    fn directives_are_left_out_and_loop_names_stay_unknown() {
        let text = r#"[%{ for i, a in xs }"${a}"%{ if i < 1 },%{ endif }%{ endfor }, "${a}", %{ if c }"${b}"%{ else }"y"%{ endif }]"#;
        let file = SourceFile::new("t.tftpl".into(), text.to_string());
        let chars: Vec<(char, Span)> = text
            .char_indices()
            .map(|(i, c)| (c, Span::new(i, i + c.len_utf8())))
            .collect();
        let v = vars(r#"{ a = "given", b = "also" }"#);
        let (segs, directives) =
            template_segments(&file.text, embedded::split_template(&chars), Some(&v));
        assert!(directives);
        let shown: String = segs
            .iter()
            .map(|s| match s {
                Seg::Lit(l) => l.text.clone(),
                Seg::Var(v, _) => format!("<{v}>"),
            })
            .collect();
        // The loop's `a` is unknown, the separator branch is gone, `a` after the loop and `b`
        // are the call's; both branches of the last `if` are read.
        assert_eq!(shown, r#"["<a>", "given", "also""y"]"#);
        assert_eq!(
            directive("for k, v in m"),
            Some(Directive::For(vec!["k".into(), "v".into()]))
        );
        assert_eq!(directive("endif"), Some(Directive::EndIf));
        assert_eq!(directive("something"), None);
    }

    #[test]
    fn calls_are_read_from_the_file() {
        let text =
            r#"x = templatefile("${path.module}/p.json.tftpl", { bucket = "b", n = var.n })"#;
        let file = SourceFile::new("m.tf".into(), text.to_string());
        let at = text.find("templatefile").unwrap();
        let node = Node {
            span: Span::new(at, text.len()),
            value: Value::Str(crate::syntax::tree::Text::var(&text[at..])),
        };
        let (func, path, vars) = call(&file, &node).unwrap();
        assert!(func == Func::Template);
        assert_eq!(relative_path(&path), Some(PathBuf::from("./p.json.tftpl")));
        let vars = vars.unwrap();
        assert_eq!(vars.get("bucket").and_then(Node::literal), Some("b"));
        assert!(vars.get("n").is_some_and(Node::is_unknown));
    }
}
