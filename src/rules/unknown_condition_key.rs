use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

use super::{Context, Rule};
use crate::diagnostic::{Severity, replace_in_token};
use crate::iamdata::{self, ConditionKeyInfo, Remembered, remembered};
use crate::policy::reference::{exact_actions, undocumented_condition_key};
use crate::policy::suggest::nearest_within;
use crate::policy::{PolicyDocument, Statement};
use crate::syntax::tree::{Key, UNKNOWN};

declare_rule! {
    /// A condition key that does not exist, or that none of the statement's actions has.
    pub struct UnknownConditionKey {
        name: "unknown-condition-key",
        category: Correctness,
        severity: Error,
        summary: "a condition key that does not exist (`s3:prefx`, `aws:SourceIPs`), or that none of the statement's actions has",
        kinds: [],
    }
}

/// The literal text of a templated key up to its placeholder: `aws:ResourceTag/` for
/// `aws:ResourceTag/${TagKey}` (and for the docs' spelling `aws:ResourceTag/tag-key`).
fn template_head(key: &str) -> &str {
    let end = [key.find("${"), key.find('<')]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(key.len());
    let head = &key[..end];
    if end == key.len() && key.to_ascii_lowercase().ends_with("/tag-key") {
        return &key[..key.len() - "tag-key".len()];
    }
    head
}

/// The written key cut after as many `:`/`/` separators as `head` has: the part that should
/// spell the template's literal head.
fn same_head<'a>(written: &'a str, head: &str) -> &'a str {
    let seps = head.bytes().filter(|b| matches!(b, b':' | b'/')).count();
    let mut seen = 0;
    for (i, b) in written.bytes().enumerate() {
        if matches!(b, b':' | b'/') {
            seen += 1;
            if seen == seps {
                return &written[..=i];
            }
        }
    }
    written
}

/// The closest existing key to `written` among `candidates`, as it would be written: a
/// templated key (`aws:ResourceTag/${TagKey}`) keeps the written tail (`aws:ResourceTags/team` →
/// `aws:ResourceTag/team`). Ties go to the earlier candidate.
fn nearest_key<'a>(
    written: &str,
    candidates: impl Iterator<Item = &'a ConditionKeyInfo>,
) -> Option<String> {
    let limit = (written.len() / 3).max(2);
    // A templated key is compared by its literal head with the written key cut as far.
    let compared = candidates.filter_map(|k| {
        if !k.is_templated() {
            return Some((written, k.key(), None));
        }
        let head = template_head(k.key());
        if head.is_empty() || !head.ends_with([':', '/']) {
            return None;
        }
        let written_head = same_head(written, head);
        let tail = &written[written_head.len()..];
        (!tail.is_empty()).then_some((written_head, head, Some(tail)))
    });
    let (_, key, tail) = nearest_within(limit, compared, |&(mine, theirs, _)| (mine, theirs))?;
    Some(format!("{key}{}", tail.unwrap_or("")))
}

/// The suggested key for an unknown key `written` of `prefix` (`aws` or a service's).
/// Remembered per prefix and written key (per thread): a tree repeats its few misspellings.
pub(super) fn suggestion(written: &str, prefix: &str) -> Option<Rc<str>> {
    thread_local! {
        static SEEN: Remembered<Option<Rc<str>>> = RefCell::default();
    }
    // The `aws:` keys: global ones, then those services declare (`aws:RequestTag/${TagKey}`).
    static AWS_KEYS: OnceLock<Vec<&'static ConditionKeyInfo>> = OnceLock::new();
    remembered(&SEEN, &format!("{prefix} {written}"), || {
        let data = iamdata::get();
        let found = if prefix.eq_ignore_ascii_case("aws") {
            let keys = AWS_KEYS.get_or_init(|| {
                let services = data
                    .services()
                    .iter()
                    .flat_map(iamdata::Service::condition_keys)
                    .filter(|k| {
                        k.key()
                            .get(..4)
                            .is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
                    });
                data.global_condition_keys().iter().chain(services).collect()
            });
            nearest_key(written, keys.iter().copied())
        } else {
            nearest_key(written, data.service(prefix)?.condition_keys().iter())
        };
        found.map(Into::into)
    })
}

/// A key the rule can judge: `prefix:name` with nothing unknown and no policy variable in it.
fn judgeable(key: &Key) -> Option<(&str, &str)> {
    let name = key.name.as_str();
    // "aws:ResourceTag/${var.tag}" from a template, or a key built by an expression.
    if name.contains("${") || name.contains(UNKNOWN) || name.chars().any(char::is_whitespace) {
        return None;
    }
    name.split_once(':')
}

impl Rule for UnknownConditionKey {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        let data = iamdata::get();
        for st in &doc.statements {
            let Some(condition) = &st.condition else {
                continue;
            };
            for op in &condition.operators {
                same_key_other_case(cx, &op.entries);
                for entry in &op.entries {
                    let key = &entry.key;
                    if no_prefix(cx, key) {
                        continue;
                    }
                    let Some((prefix, _)) = judgeable(key) else {
                        continue;
                    };
                    let is_aws = prefix.eq_ignore_ascii_case("aws");
                    if !is_aws && data.service(prefix).is_none() {
                        unknown_prefix(cx, key, prefix);
                        continue;
                    }
                    if undocumented_condition_key(&key.name) {
                        continue;
                    }
                    match data.condition_key(&key.name) {
                        // "aws:SourceIPs", "s3:prefx"
                        None => report_unknown(cx, key, prefix),
                        // "s3:prefix" on `s3:GetObject`
                        Some(info) if !info.is_global() => check_applies(cx, st, key, info),
                        Some(_) => {}
                    }
                }
            }
        }
    }
}

/// `"bad"`, `"SourceIp"`: a key without a `prefix:`. Every condition key IAM knows has one.
/// Returns whether the key was such (and reported).
fn no_prefix(cx: &mut Context, key: &Key) -> bool {
    let name = key.name.as_str();
    if name.contains(':')
        || name.contains("${")
        || name.contains(UNKNOWN)
        || name.chars().any(char::is_whitespace)
    {
        return false;
    }
    let data = iamdata::get();
    let mut f = cx
        .finding(key.span, format!("`{name}` is not a condition key"))
        .label("a condition key is `prefix:name` (`aws:SourceIp`, `s3:prefix`): no request carries this one");
    // "SourceIp" → "aws:SourceIp"
    f = match data
        .global_condition_keys()
        .iter()
        .find(|k| k.key().split_once(':').is_some_and(|(_, n)| n.eq_ignore_ascii_case(name)))
    {
        Some(k) => f.help(format!("did you mean `{}`?", k.key())),
        None => f.help("write the key with its prefix: `aws:` for global keys, the service prefix for a service's keys"),
    };
    cx.report(f);
    true
}

/// `s33:prefix`, `aws-:SourceIp`: a prefix that is neither `aws` nor a service. Identity providers'
/// keys (`accounts.google.com:aud`, `token.actions.githubusercontent.com:sub`, an EKS OIDC
/// issuer, `saml:aud`) are left alone: their prefixes have a dot, or are `saml`.
fn unknown_prefix(cx: &mut Context, key: &Key, prefix: &str) {
    if prefix.contains(['.', '/']) || prefix.eq_ignore_ascii_case("saml") {
        return;
    }
    // Reported only as a likely misspelling of a known prefix: the reference misses some
    // prefixes AWS's own managed policies use (`deepracer:`, `catalog:` of AWS Marketplace).
    let data = iamdata::get();
    let prefixes = data.services().iter().map(iamdata::Service::prefix);
    let Some(s) = crate::policy::suggest::nearest(prefix, prefixes.chain(["aws"])) else {
        return;
    };
    let f = cx
        .finding(key.span, format!("`{prefix}` is not a service prefix"))
        .label("no request carries this key, so the condition does not test what it says")
        .help(format!("did you mean `{s}:`?"));
    cx.report(f);
}

/// `aws:SourceIp` and `aws:sourceip` in one operator block: IAM reads key names
/// case-insensitively, so they are one key written twice, which JSON does not see as a
/// duplicate (exact duplicates are `conflicting-elements`').
fn same_key_other_case(cx: &mut Context, entries: &[crate::policy::ConditionEntry]) {
    for (i, e) in entries.iter().enumerate() {
        let Some(first) = entries[..i].iter().find(|p| {
            p.key.name != e.key.name && p.key.name.eq_ignore_ascii_case(&e.key.name)
        }) else {
            continue;
        };
        let f = cx
            .finding(
                e.key.span,
                format!("`{}` is `{}` in another case", e.key.name, first.key.name),
            )
            .severity(Severity::Warning)
            .label("IAM reads condition keys case-insensitively: one key written twice in the block")
            .secondary(first.key.span, "first written here")
            .help("merge the two into one key with all the values");
        cx.report(f);
    }
}

fn report_unknown(cx: &mut Context, key: &Key, prefix: &str) {
    if unsupported_arn_key(cx, key) || missing_tag_key(cx, key, prefix) {
        return;
    }
    let data = iamdata::get();
    let owner = if prefix.eq_ignore_ascii_case("aws") {
        "a global condition key".to_string()
    } else {
        let s = data.service(prefix).map_or(prefix, |s| s.name());
        format!("a condition key of {s}")
    };
    let mut f = cx
        .finding(key.span, format!("`{}` is not {owner}", key.name))
        .label("no request carries this key, so the condition does not test what it says");
    f = match suggestion(&key.name, prefix) {
        Some(s) => {
            let fix = replace_in_token(cx.file(), key.span, &key.name, &s).map(|mut fix| {
                fix.safe = false;
                fix
            });
            f.help(format!("did you mean `{s}`?")).fix(fix)
        }
        None => f.help(format!(
            "check the key in the Service Authorization Reference page of `{prefix}`"
        )),
    };
    cx.report(f);
}

/// `aws:ARN`: a global key AWS no longer supports (Access Analyzer: `UNSUPPORTED_GLOBAL_CONDITION_KEY`,
/// formerly `DEPRECATED_GLOBAL_CONDITION_KEY`), with the two keys that replace it. Returns whether
/// the key was such (and reported).
fn unsupported_arn_key(cx: &mut Context, key: &Key) -> bool {
    if !key.name.eq_ignore_ascii_case("aws:ARN") {
        return false;
    }
    let f = cx
        .finding(key.span, format!("`{}` is not supported", key.name))
        .label("a deprecated global key: no request carries it, so the condition does not test what it says")
        .help("use `aws:PrincipalArn` for the ARN of the caller, or `aws:SourceArn` for the resource that makes a service-to-service request");
    cx.report(f);
    true
}

/// `aws:RequestTag`, `aws:ResourceTag/`, `s3:ExistingObjectTag`: a tag key (`…Tag/${TagKey}`)
/// written without the tag's name, which IAM needs to know which tag to compare (Access
/// Analyzer: `MISSING_TAG_KEY_IN_CONDITION`). Returns whether the key was such (and reported).
fn missing_tag_key(cx: &mut Context, key: &Key, prefix: &str) -> bool {
    let data = iamdata::get();
    let written = key.name.strip_suffix('/').unwrap_or(&key.name);
    let keys: &[ConditionKeyInfo] = if prefix.eq_ignore_ascii_case("aws") {
        data.global_condition_keys()
    } else {
        match data.service(prefix) {
            Some(s) => s.condition_keys(),
            None => return false,
        }
    };
    let Some(head) = keys.iter().filter(|k| k.is_templated()).find_map(|k| {
        let head = template_head(k.key());
        let bare = head.strip_suffix('/')?;
        (bare.to_ascii_lowercase().ends_with("tag") && bare.eq_ignore_ascii_case(written))
            .then_some(head)
    }) else {
        return false;
    };
    let f = cx
        .finding(key.span, format!("`{}` has no tag key", key.name))
        .label("a tag condition key names the tag it compares: no request carries the key without one")
        .help(format!(
            "write `{head}tag-key` with the tag's name for `tag-key` (`{head}team`); to test which tag keys a request carries, use `aws:TagKeys`"
        ));
    cx.report(f);
    true
}

/// Keys AWS documents (and uses in its managed policies) for actions whose entries in the
/// reference omit them: `(key, action)`.
const MISSING_FROM_ACTIONS: &[(&str, &str)] = &[
    ("aws-marketplace:ProductId", "aws-marketplace:Subscribe"),
    ("aws-marketplace:ProductId", "aws-marketplace:Unsubscribe"),
    (
        "aws-marketplace:ProductId",
        "aws-marketplace:ViewSubscriptions",
    ),
];

/// A service key that exists: warn when no action of the statement lists it. Judged only when
/// every action is a known action written out, and only where the reference can be trusted:
/// - some action of the statement belongs to the key's service (a service's keys also reach
///   requests it makes to other services on the caller's behalf, which the reference does not
///   list: `iottwinmaker:linkedServices` on `iotsitewise` actions);
/// - the reference lists the key for at least one action of its service (97 keys are declared
///   but attached to no action, so the reference says nothing about where they apply).
fn check_applies(cx: &mut Context, st: &Statement, key: &Key, info: &ConditionKeyInfo) {
    let Some(actions) = exact_actions(st) else {
        return;
    };
    let Some(declared) = info.declared_by() else {
        return;
    };
    let listed = |a: &&'static iamdata::Action| {
        a.find_condition_key(&key.name).is_some()
            || MISSING_FROM_ACTIONS.iter().any(|(k, full)| {
                k.eq_ignore_ascii_case(&key.name) && full.eq_ignore_ascii_case(&a.full_name())
            })
    };
    if actions.iter().any(listed) {
        return;
    }
    // A key of another service than the statement's actions: services put their keys on
    // requests they make on the caller's behalf, which the reference may not list for the
    // action. Judged only when no action of the statement's services takes any key of the
    // key's prefix (`s3:prefix` on `ec2:RunInstances`: EC2 has no `s3:` key at all).
    if !actions
        .iter()
        .any(|a| a.service().eq_ignore_ascii_case(declared))
        && actions
            .iter()
            .any(|a| service_takes_prefix(a.service(), declared))
    {
        return;
    }
    if !attached_somewhere(declared, &key.name) {
        return;
    }
    let target = match actions.as_slice() {
        [one] => format!("`{one}`"),
        many => format!("any of the statement's {} actions", many.len()),
    };
    let f = cx
        .finding(
            key.span,
            format!("`{}` is not a condition key of {target}", key.name),
        )
        .severity(Severity::Warning)
        .label("no request for these actions carries this key")
        .help(format!(
            "check which `{declared}` actions support the key, or move the condition to a statement with them"
        ));
    cx.report(f);
}

/// Does some action of `service` list a key of `prefix` (`ec2` actions and `ec2:` keys,
/// `iotsitewise` actions and `iottwinmaker:` keys)? Remembered per service and prefix (per
/// thread): the answer reads every action of the service.
fn service_takes_prefix(service: &str, prefix: &str) -> bool {
    thread_local! {
        static SEEN: Remembered<bool> = RefCell::default();
    }
    remembered(&SEEN, &format!("{service} {prefix}"), || {
        let Some(svc) = iamdata::get().service(service) else {
            return true;
        };
        let of_prefix = |k: &ConditionKeyInfo| {
            k.key()
                .split_once(':')
                .is_some_and(|(p, _)| p.eq_ignore_ascii_case(prefix))
        };
        svc.actions().iter().any(|a| {
            a.condition_keys().any(&of_prefix)
                || a.resource_types().iter().any(|r| {
                    r.condition_keys()
                        .chain(r.resource_type().condition_keys())
                        .any(&of_prefix)
                })
        })
    })
}

/// Does some action of the service `declared` list the key? Remembered per service and key
/// (per thread): the answer reads every action of the service.
fn attached_somewhere(declared: &str, key: &str) -> bool {
    thread_local! {
        static SEEN: Remembered<bool> = RefCell::default();
    }
    remembered(&SEEN, &format!("{declared} {key}"), || {
        iamdata::get().service(declared).is_some_and(|s| {
            s.actions()
                .iter()
                .any(|a| a.find_condition_key(key).is_some())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_heads() {
        assert_eq!(
            template_head("aws:ResourceTag/${TagKey}"),
            "aws:ResourceTag/"
        );
        assert_eq!(template_head("aws:ResourceTag/tag-key"), "aws:ResourceTag/");
        assert_eq!(
            template_head("s3:RequestObjectTag/<key>"),
            "s3:RequestObjectTag/"
        );
        assert_eq!(
            template_head("kms:EncryptionContext:${EncryptionContextKey}"),
            "kms:EncryptionContext:"
        );
        assert_eq!(
            same_head("aws:ResourceTags/team/x", "aws:ResourceTag/"),
            "aws:ResourceTags/"
        );
        assert_eq!(
            same_head("kms:EncryptionContex:aws:s3:arn", "kms:EncryptionContext:"),
            "kms:EncryptionContex:"
        );
    }

    #[test]
    fn suggestions_keep_the_written_tag() {
        assert_eq!(
            suggestion("aws:ResourceTags/team", "aws").as_deref(),
            Some("aws:ResourceTag/team")
        );
        assert_eq!(
            suggestion("aws:SourceIPs", "aws").as_deref(),
            Some("aws:SourceIp")
        );
        assert_eq!(suggestion("s3:prefx", "s3").as_deref(), Some("s3:prefix"));
        assert_eq!(suggestion("s3:qqqqqqqqqqqqqqqqqq", "s3"), None);
    }
}
