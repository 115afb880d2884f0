use super::{Context, Rule};
use crate::iamdata::{has_wildcard, wildcard_match};
use crate::policy::arn::Arn;
use crate::policy::{Condition, Element, Item, PolicyDocument, Statement};
use crate::source::{SourceFile, Span};

declare_rule! {
    /// A statement another statement of the same policy fully covers, or an action or resource
    /// listed twice in one statement (`s3:Get*` and `s3:GetObject`).
    pub struct RedundantStatement {
        name: "redundant-statement",
        category: Style,
        severity: Info,
        summary: "a statement another statement of the policy fully covers, or an action or resource an item of the same list already covers (`s3:Get*` and `s3:GetObject`)",
        kinds: [],
        default_enabled: false,
    }
}

/// Statements compared pairwise at most: beyond, the policy is left alone (the pairwise check is
/// quadratic, and such policies are generated, not reviewed).
const MAX_STATEMENTS: usize = 200;

/// Items of one list compared pairwise at most, per service prefix (actions) or per list.
const MAX_GROUP: usize = 500;

/// A fully written item: no unknown part, no policy variable (whose value is not known).
fn plain(item: &Item) -> Option<&str> {
    item.literal().filter(|v| !v.contains("${"))
}

/// Does the pattern `p` cover every text the pattern `q` covers? Exactly when `p` has no `?`
/// and matches `q` read as plain text: each `*` of `q` is then absorbed by a `*` of `p`, which
/// absorbs whatever `q`'s `*` stands for. (`?` in `p` could absorb a `*` of `q` that stands for
/// more than one character, so `p` with a `?` covers only texts without wildcards.)
fn covers(p: &str, q: &str, ignore_case: bool) -> bool {
    if has_wildcard(q) && p.contains('?') {
        return false;
    }
    wildcard_match(p, q, ignore_case)
}

/// The service prefix of an action pattern, lowercased (`s3`), or `""` for `*`.
fn prefix(action: &str) -> String {
    action
        .split_once(':')
        .map_or(String::new(), |(s, _)| s.to_ascii_lowercase())
}

/// Within one list: an item another item covers (the later of two equal items). Returns
/// (covered item, covering item). Actions are grouped by service prefix (a `*` item covers all
/// groups), so the pairwise comparison stays within a service.
fn redundant_items(el: &Element, actions: bool) -> Vec<(&Item, &Item)> {
    let items: Vec<(usize, &Item, &str)> = el
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| plain(it).map(|v| (i, it, v)))
        .collect();
    let mut groups: foldhash::HashMap<String, Vec<(usize, &Item, &str)>> =
        foldhash::HashMap::default();
    for &(i, it, v) in &items {
        let key = if actions { prefix(v) } else { String::new() };
        groups.entry(key).or_default().push((i, it, v));
    }
    let star = items.iter().find(|(_, _, v)| *v == "*").copied();
    let mut out = Vec::new();
    for group in groups.values() {
        if group.len() > MAX_GROUP {
            continue;
        }
        for &(i, it, v) in group {
            let by = group
                .iter()
                .chain(star.iter())
                .find(|&&(j, _, w)| {
                    j != i && covers(w, v, actions) && (!covers(v, w, actions) || j < i)
                });
            if let Some(&(_, by, _)) = by {
                out.push((it, by));
            }
        }
    }
    out.sort_by_key(|(it, _)| it.span.start);
    out
}

/// The parts of a statement compared between statements, when every one is fully known and of a
/// form the comparison understands: `Action` and `Resource` (not the `Not…` forms), no unknown
/// part, and the effect written out.
struct Grant<'a> {
    effect: &'a str,
    actions: Vec<&'a str>,
    resources: Vec<&'a str>,
    /// The source text of the `Principal` element and of the `Condition` block, compared as text.
    principal: Option<&'a str>,
    condition: Option<&'a str>,
}

fn grant<'a>(st: &'a Statement, file: &'a SourceFile) -> Option<Grant<'a>> {
    let known = |el: &'a Option<Element>| -> Option<Vec<&'a str>> {
        let el = el.as_ref().filter(|e| !e.negated && !e.has_unknown)?;
        el.items.iter().map(plain).collect()
    };
    let slice = |s: Span| Some(file.slice(s));
    let principal = match &st.principal {
        None => None,
        Some(p) if p.negated => return None,
        Some(p) => Some(slice(p.span)?),
    };
    let condition = match &st.condition {
        None => None,
        Some(c) if c.has_unknown => return None,
        Some(c) => Some(slice(c.span)?),
    };
    if condition.is_some_and(|c| c.contains("${")) {
        // Policy variables read the request: two equal texts still compare equal, but keep to
        // what is surely equal.
        return None;
    }
    Some(Grant {
        effect: st.effect.as_ref()?.literal().filter(|e| *e == "Allow" || *e == "Deny")?,
        actions: known(&st.action)?,
        resources: known(&st.resource)?,
        principal,
        condition,
    })
}

/// Does `big` cover everything `small` grants (or denies)? Same effect and principals, every
/// action and resource of `small` covered, and `big` unconditional or under the very same
/// condition text.
fn grant_covers(big: &Grant, small: &Grant) -> bool {
    big.effect == small.effect
        && big.principal == small.principal
        && (big.condition.is_none() || big.condition == small.condition)
        && small
            .actions
            .iter()
            .all(|q| big.actions.iter().any(|p| covers(p, q, true)))
        && small
            .resources
            .iter()
            .all(|q| big.resources.iter().any(|p| covers(p, q, false)))
}

/// One finding per list, at its first redundant item; the others as secondary labels.
fn report_list(cx: &mut Context, found: &[(&Item, &Item)], actions: bool) {
    let Some(&(it, by)) = found.first() else {
        return;
    };
    let same = |a: &Item, b: &Item| match (a.literal(), b.literal()) {
        (Some(x), Some(y)) if actions => x.eq_ignore_ascii_case(y),
        (x, y) => x == y,
    };
    let message = if same(it, by) {
        format!("`{}` is listed twice", it.text.display())
    } else {
        format!("`{}` is already covered by `{}` in this list", it.text.display(), by.text.display())
    };
    let mut f = cx
        .finding(it.span, message)
        .label("redundant item")
        .secondary(by.span, "covers it");
    for &(other, other_by) in &found[1..] {
        f = f.secondary(other.span, format!("also covered, by `{}`", other_by.text.display()));
    }
    cx.report(f.help("remove the redundant items"));
}

/// Numeric operators whose values are alternatives bounded on one side: only the loosest value
/// counts (`NumericLessThan` `["2700", "3600"]` is `< 3600`). `true`: the greatest value wins.
fn bound_side(base: &str) -> Option<bool> {
    match base {
        "NumericLessThan" | "NumericLessThanEquals" => Some(true),
        "NumericGreaterThan" | "NumericGreaterThanEquals" => Some(false),
        _ => None,
    }
}

/// Several values for one key under a one-sided numeric operator: every value but the loosest
/// is redundant (Access Analyzer's `REDUNDANT_CONDITION_VALUE_NUM`). The values of one key are
/// alternatives under any qualifier, so the loosest one decides alone. Judged only when every
/// value is a plain number.
fn redundant_numeric_values(cx: &mut Context, cond: &Condition) {
    for op in &cond.operators {
        let Some(greatest) = bound_side(&op.op.base) else {
            continue;
        };
        for e in &op.entries {
            if e.values.len() < 2 {
                continue;
            }
            let Some(nums) = e
                .values
                .iter()
                .map(|v| plain(v).and_then(|t| t.trim().parse::<f64>().ok()).map(|n| (v, n)))
                .collect::<Option<Vec<(&Item, f64)>>>()
            else {
                continue;
            };
            let keep = nums
                .iter()
                .enumerate()
                .reduce(|a, b| {
                    let better = if greatest { b.1.1 > a.1.1 } else { b.1.1 < a.1.1 };
                    if better { b } else { a }
                })
                .map(|(i, _)| i)
                .unwrap_or_default();
            let redundant: Vec<&Item> = nums
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != keep)
                .map(|(_, (v, _))| *v)
                .collect();
            let kept = nums[keep].0;
            let (word, which) = if greatest {
                ("below", "greatest")
            } else {
                ("above", "least")
            };
            let mut f = cx
                .finding(
                    redundant[0].span,
                    format!(
                        "`{}` is redundant: `{}` needs only its {which} value for `{}`",
                        redundant[0].text.display(),
                        op.key.name,
                        e.key.name
                    ),
                )
                .label("redundant value")
                .secondary(kept.span, format!("every value {word} this one already matches"));
            for v in &redundant[1..] {
                f = f.secondary(v.span, "also redundant");
            }
            cx.report(f.help(format!(
                "keep only `{}`",
                kept.text.display()
            )));
        }
    }
}

/// An STS session of a role (`arn:aws:sts::A:assumed-role/NAME/SESSION`) listed with the role
/// itself (`arn:aws:iam::A:role/NAME`, any path) in one `Principal`: the role matches all its
/// sessions (Access Analyzer's `REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY`). `NotPrincipal` is
/// left alone: there AWS asks for both.
fn redundant_session_principals(cx: &mut Context, st: &Statement) {
    let Some(p) = st.principal.as_ref().filter(|p| !p.negated) else {
        return;
    };
    let values: Vec<&Item> = p.values_of("AWS").collect();
    let roles: Vec<(&Item, Arn<'_>)> = values
        .iter()
        .filter_map(|v| Some((*v, Arn::parse(plain(v)?)?)))
        .filter(|(_, a)| a.service == "iam" && a.resource.starts_with("role/"))
        .collect();
    for v in &values {
        let Some(session) = plain(v).and_then(Arn::parse) else {
            continue;
        };
        let Some(name) = session
            .resource
            .strip_prefix("assumed-role/")
            .and_then(|r| r.split('/').next())
        else {
            continue;
        };
        if session.service != "sts" {
            continue;
        }
        let Some((role, _)) = roles.iter().find(|(_, r)| {
            r.partition == session.partition
                && r.account == session.account
                && r.resource.rsplit('/').next() == Some(name)
        }) else {
            continue;
        };
        let f = cx
            .finding(
                v.span,
                format!("the session `{}` is redundant with its role", v.text.display()),
            )
            .label("redundant principal")
            .secondary(role.span, "the role: it matches every session of it")
            .help("remove the assumed-role principal");
        cx.report(f);
    }
}

impl Rule for RedundantStatement {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            for (el, actions) in [(&st.action, true), (&st.resource, false)] {
                let Some(el) = el else { continue };
                report_list(cx, &redundant_items(el, actions), actions);
            }
            if let Some(cond) = &st.condition {
                redundant_numeric_values(cx, cond);
            }
            redundant_session_principals(cx, st);
        }
        if doc.statements.len() > MAX_STATEMENTS {
            return;
        }
        let file = &doc.file;
        let grants: Vec<Option<Grant>> =
            doc.statements.iter().map(|st| grant(st, file)).collect();
        for (i, st) in doc.statements.iter().enumerate() {
            let Some(small) = &grants[i] else { continue };
            let by = grants.iter().enumerate().find(|&(j, g)| {
                j != i
                    && g.as_ref().is_some_and(|big| {
                        grant_covers(big, small) && (!grant_covers(small, big) || j < i)
                    })
            });
            if let Some((j, _)) = by {
                let other = &doc.statements[j];
                let (does, to_do) = if st.is_deny() {
                    ("denies", "deny")
                } else {
                    ("allows", "allow")
                };
                let f = cx
                    .finding(
                        st.head(),
                        format!("this statement {does} nothing another statement of the policy does not already {to_do}"),
                    )
                    .label(format!("covered by statement {}", j + 1))
                    .secondary(other.head(), "covers every action and resource of it")
                    .help("remove the statement, or merge it into the other");
                cx.report(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_cover() {
        assert!(covers("s3:Get*", "s3:GetObject", true));
        assert!(covers("s3:*", "s3:Get*", true));
        assert!(covers("s3:G*t*", "s3:Get*", true));
        assert!(!covers("s3:Get*", "s3:G*", true));
        assert!(!covers("s3:Get?bject", "s3:Get*bject", true));
        assert!(covers("s3:Get?bject", "s3:GetObject", true));
        assert!(covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/x/*", false));
        assert!(!covers("arn:aws:s3:::b/*", "arn:aws:s3:::B/x", false));
        assert!(covers("S3:getobject", "s3:GetObject", true));
    }
}
