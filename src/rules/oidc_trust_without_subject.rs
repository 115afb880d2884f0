use super::{Context, Rule};
use crate::diagnostic::Severity;
use crate::iamdata::wildcard_match;
use crate::policy::conditions::denied_without_key;
use crate::policy::{ConditionEntry, Item, PolicyDocument, Statement};
use crate::syntax::tree::UNKNOWN;

declare_rule! {
    /// A trust policy that lets an OIDC provider's tokens assume the role without a condition on
    /// the claim that names the workload (GitHub's `sub`…): any repository may assume it.
    pub struct OidcTrustWithoutSubject {
        name: "oidc-trust-without-subject",
        category: Security,
        severity: Error,
        summary: "a trust policy allows `sts:AssumeRoleWithWebIdentity` from an OIDC provider (GitHub Actions, GitLab, EKS…) without a condition on the subject claim that names the workload",
        kinds: [Trust],
    }
}

/// The provider table, `data/oidc-providers.tsv` (see `data/README.md`).
const TABLE: &str = include_str!("../../data/oidc-providers.tsv");

/// One OIDC provider of the table.
#[derive(Debug)]
struct Provider {
    /// The issuer (provider URL without `https://`), `*` for customer-specific parts.
    issuer: &'static str,
    /// Tokens of a tenant issuer (an EKS cluster, a Bitbucket workspace) come only from one
    /// customer's workloads: a missing subject lets in all of them, not the world.
    tenant: bool,
    /// Claims a condition on which pins the workload (`sub`, `repository`).
    subject: Vec<&'static str>,
    /// Claims that pin only the organization (`repository_owner_id`).
    org: Vec<&'static str>,
    /// The subject's format, `repo:{owner}/{repository}:`, if checked.
    format: Option<&'static str>,
}

fn providers() -> &'static [Provider] {
    static ALL: std::sync::OnceLock<Vec<Provider>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let list = |s: &'static str| -> Vec<&'static str> {
            s.split(',').filter(|c| *c != "-" && !c.is_empty()).collect()
        };
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let f: Vec<&'static str> = l.split('\t').collect();
                assert!(f.len() == 6, "data/oidc-providers.tsv: bad line {l:?}");
                Provider {
                    issuer: f[0],
                    tenant: f[1] == "tenant",
                    subject: list(f[2]),
                    org: list(f[3]),
                    format: (f[4] != "-").then_some(f[4]),
                }
            })
            .collect()
    })
}

fn provider_of(issuer: &str) -> Option<&'static Provider> {
    providers()
        .iter()
        .find(|p| wildcard_match(p.issuer, issuer, true))
}

/// How far the conditions pin who may assume the role; ordered from narrow to wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Pin {
    /// One workload (repository, project, service account), or a value the linter cannot see.
    Workload,
    /// An organization (`repo:my-org/*`), not a repository.
    Org,
    /// A subject condition that every token passes (`*`, `repo:*`).
    Everyone,
    /// No condition on a subject or organization claim.
    Missing,
}

/// A condition value: how much of `format` its literal prefix fixes.
fn pin_of_value(value: &str, like: bool, format: Option<&str>) -> Pin {
    let prefix = if like {
        match value.find(['*', '?']) {
            Some(i) => &value[..i],
            None => return Pin::Workload,
        }
    } else {
        return Pin::Workload;
    };
    let Some(format) = format else {
        return if prefix.is_empty() {
            Pin::Everyone
        } else {
            Pin::Workload
        };
    };
    match complete_segments(prefix, format) {
        // The value does not follow the documented format (a customized subject): not judged,
        // unless it is a bare wildcard.
        None if prefix.is_empty() => Pin::Everyone,
        None => Pin::Workload,
        Some((done, total)) if done == total => Pin::Workload,
        Some((0, _)) => Pin::Everyone,
        Some(_) => Pin::Org,
    }
}

/// How many `{segment}`s of `format` the literal `prefix` fixes completely (each given and
/// followed by its separator), and how many there are; `None` when the prefix departs from the
/// format's literal text.
fn complete_segments(prefix: &str, format: &str) -> Option<(usize, usize)> {
    let total = format.matches('{').count();
    let mut fmt = format;
    let mut rest = prefix;
    let mut done = 0;
    loop {
        // The literal text before the next segment.
        let lit_end = fmt.find('{').unwrap_or(fmt.len());
        let lit = &fmt[..lit_end];
        if rest.len() <= lit.len() {
            return lit.starts_with(rest).then_some((done, total));
        }
        rest = rest.strip_prefix(lit)?;
        if lit_end == fmt.len() {
            return Some((done, total));
        }
        fmt = &fmt[fmt[lit_end..].find('}')? + lit_end + 1..];
        // The segment runs to the format's next literal character (or the end of the value).
        let Some(sep) = fmt.chars().next() else {
            // The last segment, at the end of the format: given if anything follows.
            return Some((done + usize::from(!rest.is_empty()), total));
        };
        match rest.find(sep) {
            Some(0) => return Some((done, total)),
            Some(i) => {
                done += 1;
                rest = &rest[i..];
            }
            None => return Some((done, total)),
        }
    }
}

/// The condition key's issuer and claim: `token.actions.githubusercontent.com:sub`.
fn split_key(key: &str) -> Option<(&str, &str)> {
    key.split_once(':')
}

/// What the statement's conditions (and the policy's Deny statements) pin for `provider` tokens
/// of `issuer`, and the value that shows it when it is too wide. `None`: not known.
fn pin_for<'s>(
    doc: &PolicyDocument,
    st: &'s Statement,
    issuer: &str,
    provider: &Provider,
) -> Option<(Pin, Option<&'s Item>)> {
    let mut best = (Pin::Missing, None);
    let Some(c) = &st.condition else {
        return Some(best);
    };
    if c.has_unknown {
        return None;
    }
    for op in &c.operators {
        // Negated operators and `Null` let every other value through: they pin nothing.
        let positive = !op.op.base.contains("Not") && op.op.base != "Null";
        let like = op.op.base.contains("Like");
        for e in &op.entries {
            let Some((key_issuer, claim)) = split_key(&e.key.name) else {
                continue;
            };
            if !key_issuer.eq_ignore_ascii_case(issuer) {
                // A positive condition on another provider's claim is never met by this
                // provider's tokens (the key is absent): the statement does not let them in.
                if positive && !op.op.if_exists && provider_of(key_issuer).is_some() {
                    return None;
                }
                continue;
            }
            if !positive {
                continue;
            }
            let subject = provider.subject.iter().any(|s| s.eq_ignore_ascii_case(claim));
            let org = provider.org.iter().any(|s| s.eq_ignore_ascii_case(claim));
            if !subject && !org {
                continue;
            }
            let (pin, item) = entry_pin(e, like, subject.then_some(provider.format).flatten())?;
            let pin = if org { pin.max(Pin::Org) } else { pin };
            if pin < best.0 {
                best = (pin, item);
            }
        }
    }
    if best.0 > Pin::Workload
        && provider
            .subject
            .iter()
            .any(|s| denied_without_key(doc, st, &format!("{issuer}:{s}")))
    {
        return Some((Pin::Workload, None));
    }
    Some(best)
}

/// The widest value of one condition entry (a list of values: any one of them matches).
fn entry_pin<'s>(
    e: &'s ConditionEntry,
    like: bool,
    format: Option<&str>,
) -> Option<(Pin, Option<&'s Item>)> {
    let mut worst = (Pin::Workload, None);
    for v in &e.values {
        // A value the linter cannot see may pin anything.
        let text = v.literal()?;
        let pin = pin_of_value(text, like, format);
        if pin > worst.0 {
            worst = (pin, Some(v));
        }
    }
    Some(worst)
}

/// The issuer a `Federated` principal names: `arn:aws:iam::ACCOUNT:oidc-provider/ISSUER`, or a
/// bare issuer (`cognito-identity.amazonaws.com`). `None` when it is not known.
fn issuer_of(item: &Item) -> Option<String> {
    let masked = item.text.masked();
    let issuer = match masked.split_once(":oidc-provider/") {
        Some((_, i)) => i,
        None if !masked.starts_with("arn:") => &masked,
        None => return None,
    };
    (!issuer.is_empty() && !issuer.contains(UNKNOWN) && !issuer.contains("${"))
        .then(|| issuer.to_string())
}

/// Issuers of the table that the statement's condition keys name: what a `Federated` principal
/// the linter cannot read (`!Ref GithubOidc`) is proved to be.
fn issuers_in_conditions(st: &Statement) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(c) = &st.condition else {
        return out;
    };
    for e in c.operators.iter().flat_map(|o| o.entries.iter()) {
        let Some((issuer, _)) = split_key(&e.key.name) else {
            continue;
        };
        if provider_of(issuer).is_some() && !out.iter().any(|o| o.eq_ignore_ascii_case(issuer)) {
            out.push(issuer.to_string());
        }
    }
    out
}

/// A condition key whose issuer the linter cannot read (`${local.oidc}:sub`) may be the subject
/// of any provider.
fn has_unknown_key(st: &Statement) -> bool {
    st.condition.as_ref().is_some_and(|c| {
        c.any_key(|k| k.contains(UNKNOWN) || k.contains("${") || !k.contains(':'))
    })
}

impl Rule for OidcTrustWithoutSubject {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(action) = st.allows("sts:AssumeRoleWithWebIdentity") else {
                continue;
            };
            let Some(principal) = st.principal.as_ref().filter(|p| !p.negated) else {
                continue;
            };
            if has_unknown_key(st) {
                continue;
            }
            for item in principal.values_of("Federated") {
                let issuers = match issuer_of(item) {
                    Some(i) => vec![i],
                    None if item.literal().is_some() => continue,
                    None => issuers_in_conditions(st),
                };
                for issuer in issuers {
                    let Some(provider) = provider_of(&issuer) else {
                        continue;
                    };
                    check_provider(doc, st, cx, item, action, &issuer, provider);
                }
            }
        }
    }
}

fn check_provider(
    doc: &PolicyDocument,
    st: &Statement,
    cx: &mut Context,
    item: &Item,
    action: crate::source::Span,
    issuer: &str,
    provider: &Provider,
) {
    let Some((pin, value)) = pin_for(doc, st, issuer, provider) else {
        return;
    };
    let claim = provider.subject.first().copied().unwrap_or("sub");
    let key = format!("{issuer}:{claim}");
    let (severity, message, label) = match (pin, provider.tenant) {
        (Pin::Workload, _) | (Pin::Org, true) => return,
        (Pin::Missing, false) => (
            Severity::Error,
            format!("any token of `{issuer}` may assume this role: no condition on `{key}`"),
            "every workload that can get a token from this provider, in any organization",
        ),
        (Pin::Everyone, false) => (
            Severity::Error,
            format!("the condition on `{key}` matches every subject: any token of `{issuer}` may assume this role"),
            "matches every workload, in any organization",
        ),
        (Pin::Org, false) => (
            Severity::Warning,
            format!("the condition on `{issuer}` pins an organization, not a workload: every repository or project of it may assume this role"),
            "pins the organization only",
        ),
        (Pin::Missing, true) => (
            Severity::Warning,
            format!("every workload of `{issuer}` may assume this role: no condition on `{key}`"),
            "every workload of this cluster, workspace or organization",
        ),
        (Pin::Everyone, true) => (
            Severity::Warning,
            format!("the condition on `{key}` matches every subject of `{issuer}`"),
            "matches every workload of this cluster, workspace or organization",
        ),
    };
    let help = match provider.format {
        Some(f) => format!(
            "add `\"StringEquals\": {{\"{key}\": \"…\"}}` (or `StringLike`) naming the workload, in the form `{f}…`"
        ),
        None => format!("add `\"StringEquals\": {{\"{key}\": \"…\"}}` naming the workload"),
    };
    let mut f = match value {
        Some(v) => cx
            .finding(v.span, message)
            .label(label)
            .secondary(item.span, "the provider"),
        None => cx.finding(item.span, message).label(label),
    };
    f = f
        .secondary(action, "allows `sts:AssumeRoleWithWebIdentity`")
        .help(help)
        .severity(severity);
    cx.report(f);
}

#[cfg(test)]
mod tests {
    use super::*;

    const GITHUB: &str = "repo:{owner}/{repository}:";

    #[test]
    fn subjects_graded_by_the_segments_they_fix() {
        let like = |v| pin_of_value(v, true, Some(GITHUB));
        assert_eq!(like("*"), Pin::Everyone);
        assert_eq!(like("repo:*"), Pin::Everyone);
        assert_eq!(like("repo:*/*"), Pin::Everyone);
        assert_eq!(like("repo:my-org*"), Pin::Everyone, "matches `my-org-evil`");
        assert_eq!(like("repo:my-org/*"), Pin::Org);
        assert_eq!(like("repo:my-org/app-*"), Pin::Org);
        assert_eq!(like("repo:my-org/app:*"), Pin::Workload);
        assert_eq!(like("repo:my-org/app:ref:refs/heads/main"), Pin::Workload);
        assert_eq!(like("custom:*"), Pin::Workload, "a customized subject is not judged");
        assert_eq!(pin_of_value("*", false, Some(GITHUB)), Pin::Workload);
        let eks = Some("system:serviceaccount:{namespace}:{service-account}");
        assert_eq!(pin_of_value("system:serviceaccount:*", true, eks), Pin::Everyone);
        assert_eq!(pin_of_value("system:serviceaccount:ns:*", true, eks), Pin::Org);
        assert_eq!(pin_of_value("system:serviceaccount:ns:sa*", true, eks), Pin::Workload);
    }

    #[test]
    fn the_table_names_its_providers_and_sources() {
        let p = provider_of("oidc.eks.eu-west-1.amazonaws.com/id/ABC").unwrap();
        assert!(p.tenant && p.subject == ["sub"]);
        let g = provider_of("token.actions.githubusercontent.com").unwrap();
        assert!(!g.tenant && g.format == Some(GITHUB));
        assert!(provider_of("token.actions.githubusercontent.com/my-enterprise").is_some());
        assert!(provider_of("accounts.google.com").is_none());
        for l in TABLE.lines().filter(|l| !l.starts_with('#')) {
            assert!(l.ends_with(|c: char| c != '\t') && l.contains("\thttps://"), "{l}");
        }
    }
}
