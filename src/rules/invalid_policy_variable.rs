use std::fmt;

use super::{Context, Rule};
use crate::diagnostic::Finding;
use crate::iamdata;
use crate::policy::reference::undocumented_condition_key;
use crate::policy::{Item, PolicyDocument, Principal, PrincipalElement};
use crate::source::Span;
use crate::syntax::tree::Part;

declare_rule! {
    /// A policy variable IAM cannot substitute: `${aws:username` without its brace, an unknown
    /// `${aws:…}` key, or a variable in `Action` or in a `Principal` that is not an ARN.
    pub struct InvalidPolicyVariable {
        name: "invalid-policy-variable",
        category: Correctness,
        severity: Error,
        summary: "a policy variable IAM cannot substitute: `${aws:username` unterminated, an unknown key (`${aws:usernme}`), a variable in `Action` or in a non-ARN `Principal`",
        kinds: [],
    }
}

/// A policy variable found in the literal text of an item.
enum Found<'a> {
    /// `${aws:username` with no `}` before the end of the value.
    Unterminated(&'a str),
    /// `${aws:username}` or `${aws:PrincipalTag/team, 'none'}`: the whole text, and the key.
    Variable(&'a str, &'a str),
}

/// The policy variables of an item. Only literal text is read: template parts (`${var.x}`,
/// `!Sub ${Bucket}`) are unknown parts, and escaped IAM variables (`$${aws:username}` in
/// Terraform, `${!aws:username}` in `!Sub`) are literal text `${aws:username}` after extraction.
fn variables(item: &Item) -> Vec<Found<'_>> {
    let mut out = Vec::new();
    let parts = &item.text.parts;
    for (i, part) in parts.iter().enumerate() {
        let Part::Lit(s) = part else { continue };
        if !s.contains('$') {
            continue;
        }
        let mut rest = s.as_str();
        while let Some(at) = rest.find("${") {
            let after = &rest[at + 2..];
            let Some(close) = after.find('}') else {
                // A template part follows: the brace may be in what it stands for. Without a
                // `prefix:` it is not an IAM variable (`${` in some other tool's template).
                if i + 1 == parts.len() && looks_like_key(after) {
                    out.push(Found::Unterminated(&rest[at..]));
                }
                break;
            };
            let inner = &after[..close];
            // `${aws:PrincipalTag/team, 'default'}`: a key with a default value.
            let key = inner.split(',').next().unwrap_or_default().trim();
            out.push(Found::Variable(&rest[at..=at + 2 + close], key));
            rest = &after[close + 1..];
        }
    }
    out
}

/// `aws:username`, `saml:sub`, `*`: what IAM variables are made of. `${region}` (a Terraform
/// `templatefile` placeholder, an envsubst one) is not an IAM variable and not judged.
fn looks_like_key(s: &str) -> bool {
    matches!(s, "*" | "?" | "$")
        || s.split_once(':').is_some_and(|(p, _)| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
        })
}

/// The span of `text` inside the item's token when it appears there once, else the token.
fn span_of(cx: &Context, item: &Item, text: &str) -> Span {
    let raw = cx.file().slice(item.span);
    match raw.find(text) {
        Some(at) if !raw[at + text.len()..].contains(text) => {
            let start = item.span.start as usize + at;
            Span::new(start, start + text.len())
        }
        _ => item.span,
    }
}

/// Is `key` a key IAM substitutes? Global keys (`aws:…`) are judged against the service
/// reference; a service's own keys and identity providers' keys (`saml:sub`,
/// `cognito-identity.amazonaws.com:sub`, and services' variables like `${transfer:UserName}`
/// that the reference does not list) are not judged.
fn unknown_global(key: &str) -> bool {
    let Some((prefix, _)) = key.split_once(':') else {
        return false;
    };
    prefix.eq_ignore_ascii_case("aws")
        && !undocumented_condition_key(key)
        && iamdata::get().condition_key(key).is_none()
}

fn check_substituted(cx: &mut Context, item: &Item) {
    for found in variables(item) {
        let f = match found {
            Found::Unterminated(text) => cx
                .finding(span_of(cx, item, text), "the policy variable has no closing `}`")
                .label("IAM reads the text literally: it never matches the value meant")
                .help(format!("write `{text}}}`")),
            Found::Variable(text, key) if unknown_global(key) => unknown(cx, item, text, key),
            Found::Variable(..) => continue,
        };
        cx.report(f);
    }
}

fn unknown(cx: &Context, item: &Item, text: &str, key: &str) -> Finding {
    // "arn:aws:s3:::${AWS::AccountId}-logs" outside `!Sub`: CloudFormation sends it as written.
    if key.starts_with("AWS::") {
        return cx
            .finding(
                span_of(cx, item, text),
                format!("`{text}` is a CloudFormation pseudo parameter outside `Fn::Sub`"),
            )
            .label("CloudFormation does not replace it here, and IAM has no such variable: it is matched literally")
            .help("wrap the value in `!Sub` (`Fn::Sub`)");
    }
    let f = cx
        .finding(
            span_of(cx, item, text),
            format!("`{key}` is not a global condition key"),
        )
        .label("IAM cannot substitute it: the text is matched literally");
    match super::unknown_condition_key::suggestion(key, "aws") {
        Some(s) => f.help(format!("did you mean `${{{s}}}`?")),
        None => f.help("see the global condition keys IAM substitutes as policy variables"),
    }
}

/// `${…}` in `Action` or in a principal that is not an ARN: IAM substitutes nothing there.
/// `place` is formatted only into a finding: most items hold no variable.
fn check_not_substituted(cx: &mut Context, item: &Item, place: fmt::Arguments<'_>) {
    let iam_like = |f: &&Found| match f {
        Found::Unterminated(_) => true,
        Found::Variable(_, k) => looks_like_key(k),
    };
    if let Some(found) = variables(item).iter().find(iam_like) {
        let text = match found {
            Found::Unterminated(t) | Found::Variable(t, _) => *t,
        };
        let f = cx
            .finding(
                span_of(cx, item, text),
                format!("IAM does not substitute policy variables in {place}"),
            )
            .label("the `${…}` is matched as literal text")
            .help("name the value; policy variables work in `Resource`, in condition values and in principal ARNs");
        cx.report(f);
    }
}

impl Rule for InvalidPolicyVariable {
    /// A `2008-10-17` policy, or one without `Version`, substitutes no variable at all:
    /// `outdated-version` and `missing-version` report that at the `Version`.
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        let current = doc.implicit
            || doc
                .version
                .as_ref()
                .is_some_and(|v| v.literal() == Some("2012-10-17"));
        if !current {
            return;
        }
        for st in &doc.statements {
            if let Some(a) = &st.action {
                for i in &a.items {
                    check_not_substituted(cx, i, format_args!("`{}`", a.key.name));
                }
            }
            if let Some(r) = &st.resource {
                for i in &r.items {
                    check_substituted(cx, i);
                }
            }
            if let Some(PrincipalElement {
                value: Principal::Map(m),
                ..
            }) = &st.principal
            {
                for (ty, items) in m {
                    for i in items {
                        if i.text.masked().starts_with("arn:") {
                            check_substituted(cx, i);
                        } else {
                            let place = format_args!("a `{}` principal that is not an ARN", ty.name);
                            check_not_substituted(cx, i, place);
                        }
                    }
                }
            }
            if let Some(c) = &st.condition {
                for e in c.operators.iter().flat_map(|o| o.entries.iter()) {
                    for i in &e.values {
                        check_substituted(cx, i);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::{Text, TextBuilder};

    fn keys(item: &Item) -> Vec<String> {
        variables(item)
            .iter()
            .map(|f| match f {
                Found::Unterminated(t) => format!("open {t}"),
                Found::Variable(_, k) => (*k).to_string(),
            })
            .collect()
    }

    #[test]
    fn finds_variables_in_literal_text_only() {
        let lit = |s: &str| Item::new(Span::default(), Text::lit(s));
        assert_eq!(
            keys(&lit("arn:aws:s3:::b/${aws:username}/${aws:PrincipalTag/team, 'x'}/*")),
            ["aws:username", "aws:PrincipalTag/team"]
        );
        assert_eq!(keys(&lit("home/${aws:username")), ["open ${aws:username"]);
        assert!(keys(&lit("arn:aws:s3:::b/*")).is_empty());
        // `!Sub "arn:aws:s3:::${Bucket}/${aws:username"`: the unknown part is not a variable, and
        // an opening brace before a template part is not judged.
        let mut b = TextBuilder::default();
        b.push(Part::Lit("arn:aws:s3:::x/${".into()));
        b.push(Part::Var("Bucket".into()));
        b.push(Part::Lit("/*".into()));
        assert!(keys(&Item::new(Span::default(), b.finish())).is_empty());
    }

    #[test]
    fn global_keys() {
        assert!(!unknown_global("aws:username"));
        assert!(!unknown_global("aws:PrincipalTag/team"));
        assert!(unknown_global("aws:usernme"));
        assert!(!unknown_global("saml:sub"));
        assert!(!unknown_global("transfer:HomeDirectory"));
    }
}
