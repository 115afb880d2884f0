use super::{Context, Facts, Rule};
use crate::diagnostic::{Edit, Fix, replace_in_token};
use crate::syntax::tree::{Text, UNKNOWN};
use crate::iamdata::{self, ArnPattern, ResourceType, has_wildcard, wildcard_match};
use crate::policy::arn::has_unknown;
use crate::policy::{Item, PolicyDocument, PolicyKind};
use crate::source::SourceFile;

declare_rule! {
    /// A `Resource`/`NotResource` value that is not a well-formed ARN (`arn:aws:s3:us-east-1:123:b`).
    pub struct InvalidArn {
        name: "invalid-arn",
        category: Correctness,
        severity: Error,
        summary: "a resource that is not a well-formed ARN: partition, missing fields, service case, region or account where the service has none, account id length",
        kinds: [],
    }
}

/// The AWS partitions.
const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The resource types whose ARN format has one service field (`s3`, `execute-api`).
struct Namespace<'f, T> {
    types: T,
    /// The namespace's row in the reference: the facts keep the type that matched last there.
    row: usize,
    facts: &'f Facts<'f>,
}

/// The namespace of the service field `service`.
fn namespace<'f>(
    service: &str,
    facts: &'f Facts<'f>,
) -> Option<Namespace<'f, impl Iterator<Item = &'static ResourceType> + Clone>> {
    let (row, types) = iamdata::get().arn_namespace(service)?;
    Some(Namespace { types, row, facts })
}

impl<T: Iterator<Item = &'static ResourceType> + Clone> Namespace<'_, T> {
    /// Could the ARN be of some type of the namespace?
    fn any_matches(&self, arn: &ArnPattern) -> bool {
        self.find(|t| t.arn_pattern_matches(arn))
    }

    /// Could the item be of some type of the namespace? A type another rule found it to match
    /// answers without a search.
    fn holds(&self, item: &Item) -> bool {
        self.facts
            .matched_type(item)
            .is_some_and(|m| self.types.clone().any(|t| std::ptr::eq(t, m)))
            || self.find(|t| self.facts.matches_type(item, t))
    }

    /// Is `matches` true for some type? The hint is tried first.
    fn find(&self, matches: impl Fn(&'static ResourceType) -> bool) -> bool {
        let hint = self.facts.hint(self.row);
        if self.types.clone().nth(hint).is_some_and(&matches) {
            return true;
        }
        let found = self
            .types
            .clone()
            .enumerate()
            .find(|&(i, t)| i != hint && matches(t));
        if let Some((i, _)) = found {
            self.facts.set_hint(self.row, i);
        }
        found.is_some()
    }
}

/// Masked text (unknown parts as [`UNKNOWN`]) as matcher parts.
fn parts(masked: &str) -> Vec<iamdata::Part<'_>> {
    let mut out = Vec::new();
    for (i, lit) in masked.split(UNKNOWN).enumerate() {
        if i > 0 {
            out.push(iamdata::Part::Unknown);
        }
        if !lit.is_empty() {
            out.push(iamdata::Part::Lit(lit));
        }
    }
    out
}

/// A field the linter can judge: fully known, no wildcard, no policy variable.
fn plain(field: &str) -> bool {
    // One pass: every byte plain text may not have is one of these (a policy variable starts
    // with `$`, the unknown marker with 0xEF); a text with one is looked at closer.
    !field
        .bytes()
        .any(|b| matches!(b, b'*' | b'?' | b'$' | 0xEF))
        || !has_unknown(field) && !has_wildcard(field) && !has_policy_variable(field)
}

/// Does the text hold `${` (a policy variable such as `${aws:username}`)?
fn has_policy_variable(text: &str) -> bool {
    let b = text.as_bytes();
    b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'$' && b.get(i + 1) == Some(&b'{'))
}

/// The text split at its first five `:`: the six fields of an ARN, or fewer (how many, second).
fn split_fields(text: &str) -> ([&str; 6], usize) {
    let mut fields = [""; 6];
    let (mut n, mut start) = (0, 0);
    for (i, b) in text.bytes().enumerate() {
        if b == b':' {
            fields[n] = &text[start..i];
            n += 1;
            start = i + 1;
            if n == 5 {
                break;
            }
        }
    }
    fields[n] = &text[start..];
    (fields, n + 1)
}

/// Could the text start with `arn:`? Wildcards and unknown parts could stand for it.
fn could_be_arn(masked: &str) -> bool {
    let mut chars = masked.chars();
    for want in "arn:".chars() {
        match chars.next() {
            Some('*' | UNKNOWN) => return true,
            Some('?') => {}
            Some(c) if c == want => {}
            _ => return false,
        }
    }
    true
}

/// `_S3_BUCKET_ARN_`: an upper-case token between underscores, which a module replaces with the
/// real value before the policy is attached (terraform-aws-modules/s3-bucket documents
/// `_S3_BUCKET_ARN_`, `_S3_BUCKET_ID_`, `_AWS_ACCOUNT_ID_` for its `policy` input). Nobody writes
/// one by mistake for an ARN; it is a template part, as `${…}` is.
fn is_placeholder_token(masked: &str) -> bool {
    masked.len() > 2
        && masked.starts_with('_')
        && masked.ends_with('_')
        && masked[1..].starts_with(|c: char| c.is_ascii_uppercase())
        && masked
            .bytes()
            .all(|b| b == b'_' || b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The item is a module's placeholder token ([`is_placeholder_token`]).
pub(super) fn is_placeholder(item: &Item) -> bool {
    item.literal().is_some_and(is_placeholder_token)
}

pub(super) struct Problem {
    message: String,
    label: String,
    help: String,
    fix: Option<Fix>,
}

fn problem(message: String, label: &str, help: String) -> Option<Problem> {
    Some(Problem {
        message,
        label: label.to_string(),
        help,
        fix: None,
    })
}

/// What is wrong with the resource, if `invalid-arn` reports it; [`Facts::malformed_arn`] keeps
/// whether it does, for the rules that leave malformed resources to this one.
pub(super) fn check(item: &Item, facts: &Facts) -> Option<Problem> {
    let file = facts.file();
    if item.text.is_unknown() {
        return None;
    }
    let masked = item.text.masked();
    // Formatted only into a message: most resources have none.
    let shown = &item.text;
    // "" is `empty-value`'s.
    if masked.is_empty() || masked == "*" || masked.starts_with("${") {
        return None;
    }
    if !masked.starts_with("arn:") {
        // "ARN:aws:s3:::b", "my-bucket"
        if let Some(head) = masked.get(..4).filter(|h| h.eq_ignore_ascii_case("arn:")) {
            let fix = replace_in_token(file, item.span, head, "arn:");
            return Some(Problem {
                message: format!("`{shown}` must start with lower-case `arn:`"),
                label: "ARNs are case-sensitive: this matches no resource".into(),
                help: "write `arn:` in lower case".into(),
                fix,
            });
        }
        if could_be_arn(&masked) || is_placeholder_token(&masked) {
            return None;
        }
        return problem(
            format!("`{shown}` is not an ARN"),
            "a resource is an ARN or `*`",
            "write the resource's full ARN: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`".into(),
        );
    }
    let (fields, count) = split_fields(&masked);
    if count < 6 {
        // "arn:aws:s3:*" — a wildcard or unknown part may stand for the missing colons.
        if fields[..count]
            .iter()
            .any(|f| has_wildcard(f) || has_unknown(f))
        {
            return None;
        }
        return problem(
            format!("`{shown}` has {count} of the six ARN fields"),
            "an ARN is `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`",
            "add the missing fields; leave region or account empty (`::`) where the service has none".into(),
        );
    }
    let (partition, service, region, account, resource) =
        (fields[1], fields[2], fields[3], fields[4], fields[5]);

    if partition.is_empty() {
        return problem(
            format!("`{shown}` has no partition"),
            "the second field names the partition (`aws`, `aws-cn`, …)",
            format!("use one of {}", list(PARTITIONS)),
        );
    }
    // "arn:amazon:s3:::b", "arn:AWS:s3:::b"
    if !has_unknown(partition) && !has_policy_variable(partition) {
        let known = PARTITIONS
            .iter()
            .any(|p| wildcard_match(partition, p, false));
        if !known {
            let mut p = problem(
                format!("`{partition}` in `{shown}` is not an AWS partition"),
                "no resource is in this partition",
                format!("use one of {}", list(PARTITIONS)),
            )?;
            if let Some(good) = PARTITIONS
                .iter()
                .find(|p| p.eq_ignore_ascii_case(partition))
            {
                p.help = format!("partitions are lower case: `{good}`");
                p.fix = replace_in_token(
                    file,
                    item.span,
                    &format!("arn:{partition}:"),
                    &format!("arn:{good}:"),
                );
            }
            return Some(p);
        }
    }
    if service.is_empty() {
        return problem(
            format!("`{shown}` has no service"),
            "the third field names the service (`s3`, `iam`)",
            "write the service's ARN namespace after the partition".into(),
        );
    }
    if !has_unknown(service) && service.bytes().any(|b| b.is_ascii_uppercase()) {
        let lower = service.to_ascii_lowercase();
        return Some(Problem {
            message: format!("the service `{service}` in `{shown}` is not lower case"),
            label: "ARNs are case-sensitive: this matches no resource".into(),
            help: format!("write `{lower}`"),
            fix: replace_in_token(
                file,
                item.span,
                &format!(":{service}:"),
                &format!(":{lower}:"),
            ),
        });
    }
    if resource.is_empty() {
        return problem(
            format!("`{shown}` has no resource part"),
            "nothing after the account: this names no resource",
            "add the resource (`bucket-name`, `role/name`, `*`)".into(),
        );
    }
    format_problem(item, [partition, service, region, account, resource], shown, facts)
        .or_else(|| account_problem(item, account, shown, file))
}

/// A region or account where the service's ARNs of this form have none, or none where they
/// have one: the ARN matches no resource type of its service as written, but does with that
/// field emptied (or filled). An ARN that matches no type for another reason is not judged:
/// the reference may lack the type.
fn format_problem(
    item: &Item,
    fields: [&str; 5],
    shown: &Text,
    facts: &Facts,
) -> Option<Problem> {
    let [partition, service, region, account, resource] = fields;
    if !plain(service) {
        return None;
    }
    let types = namespace(service, facts)?;
    let matches = |arn: &str| types.any_matches(&ArnPattern::new(&parts(arn)));
    if types.holds(item) {
        return None;
    }
    let with = |r: &str, a: &str| format!("arn:{partition}:{service}:{r}:{a}:{resource}");
    let shown_with = |r: &str, a: &str| with(r, a).replace(UNKNOWN, "…");
    let given = |f: &str| plain(f) && !f.is_empty();
    // "arn:aws:s3:us-east-1:123456789012:bucket": S3 bucket ARNs have neither.
    if given(region) && given(account) && matches(&with("", "")) {
        return problem(
            format!(
                "`{shown}` has a region and an account, but `{service}` ARNs of this form have neither"
            ),
            "this ARN matches no resource",
            format!("leave both empty: `{}`", shown_with("", "")),
        );
    }
    if given(region) && matches(&with("", account)) {
        return problem(
            format!("`{shown}` has a region, but `{service}` ARNs of this form have none"),
            "this ARN matches no resource",
            format!("leave the region empty: `{}`", shown_with("", account)),
        );
    }
    if given(account) && matches(&with(region, "")) {
        return problem(
            format!("`{shown}` has an account, but `{service}` ARNs of this form have none"),
            "this ARN matches no resource",
            format!("leave the account empty: `{}`", shown_with(region, "")),
        );
    }
    // Filled with a real value, not `*`: a `*` also matches the empty field, so an ARN that
    // lacks only its account (`arn:aws:iam:::user/x`) would be said to lack a region.
    if region.is_empty() && matches(&with("us-east-1", account)) {
        return problem(
            format!("`{shown}` has no region, but `{service}` ARNs of this form have one"),
            "this ARN matches no resource",
            format!(
                "name the region, or write `*`: `{}`",
                shown_with("*", account)
            ),
        );
    }
    if account.is_empty() && matches(&with(region, "123456789012")) {
        return problem(
            format!("`{shown}` has no account, but `{service}` ARNs of this form have one"),
            "this ARN matches no resource",
            format!(
                "name the account, or write `*`: `{}`",
                shown_with(region, "*")
            ),
        );
    }
    None
}

/// An account field of digits that is not twelve long (`12345678901`: a dropped leading zero),
/// or the console's `1234-5678-9012`. Anything with letters is not judged: AWS uses `aws` and
/// `cloudfront` there, and documentation placeholders (`ACCOUNT_ID`) are someone else's concern.
fn account_problem(item: &Item, account: &str, shown: &Text, file: &SourceFile) -> Option<Problem> {
    if !plain(account) || account.is_empty() {
        return None;
    }
    if account.bytes().all(|b| b.is_ascii_digit()) && account.len() != 12 {
        return problem(
            format!(
                "the account `{account}` in `{shown}` has {} digits, not 12",
                account.len()
            ),
            "account ids are exactly twelve digits: this matches no resource",
            "write the twelve-digit account id (leading zeros included)".into(),
        );
    }
    if !account.contains('-') {
        return None;
    }
    let digits: String = account.chars().filter(|c| *c != '-').collect();
    if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
        let raw = file.slice(item.span);
        let fix = raw.find(account).and_then(|at| {
            (raw.matches(account).count() == 1).then(|| Fix {
                edits: vec![Edit {
                    span: crate::source::Span::new(
                        item.span.start as usize + at,
                        item.span.start as usize + at + account.len(),
                    ),
                    replacement: digits.clone(),
                }],
                safe: true,
            })
        });
        return Some(Problem {
            message: format!("the account `{account}` in `{shown}` has dashes"),
            label: "account ids in ARNs are twelve digits without dashes".into(),
            help: format!("write `{digits}`"),
            fix,
        });
    }
    None
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule for InvalidArn {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        for st in &doc.statements {
            let Some(resources) = &st.resource else {
                continue;
            };
            // An API Gateway resource policy may name its API's methods in short,
            // `execute-api:/stage/GET/path`, which API Gateway expands to the API's ARN.
            // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-examples.html
            let api_policy = doc.kind == PolicyKind::Resource
                && st.action.as_ref().is_some_and(|a| {
                    !a.negated
                        && !a.items.is_empty()
                        && a.items.iter().all(|i| {
                            i.literal().is_some_and(|l| {
                                l.get(..12)
                                    .is_some_and(|p| p.eq_ignore_ascii_case("execute-api:"))
                            })
                        })
                });
            for item in &resources.items {
                // "Resource": "execute-api:/*" in an API Gateway resource policy
                if api_policy && item.text.masked().starts_with("execute-api:/") {
                    continue;
                }
                // "Resource": "arn:aws:s3:us-east-1:123456789012:reports"
                if !cx.facts().malformed_arn(item) {
                    continue;
                }
                // A resource AWS documents for one of the statement's actions
                // (`arn:aws:bedrock:::foundation-model/…` for global cross-Region inference).
                if iamdata::documented::documented_for(&item.text.masked(), |a| {
                    st.action_item_covering(a).is_some()
                })
                .is_some()
                {
                    continue;
                }
                let Some(p) = check(item, cx.facts()) else {
                    continue;
                };
                let f = cx
                    .finding(item.span, p.message)
                    .label(p.label)
                    .help(p.help)
                    .fix(p.fix);
                cx.report(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_starts() {
        assert!(could_be_arn("arn:aws:s3:::b"));
        assert!(could_be_arn("*:s3:::b"));
        assert!(could_be_arn("ar?:aws"));
        assert!(could_be_arn("\u{FFFC}:s3"));
        assert!(!could_be_arn("bucket/*"));
        assert!(!could_be_arn("ar"));
    }

    #[test]
    fn fields_split_at_the_first_five_colons() {
        for text in [
            "",
            "arn",
            "arn:aws:s3",
            "arn:aws:s3:::b",
            "arn:aws:rds-db:r:1:dbuser:a/b:c",
            ":::::",
        ] {
            let want: Vec<&str> = text.splitn(6, ':').collect();
            let (fields, count) = split_fields(text);
            assert_eq!(fields[..count], want[..], "{text}");
        }
        assert!(has_policy_variable("a/${aws:username}"));
        assert!(!has_policy_variable("a$/{b}$"));
    }

    #[test]
    fn masked_text_to_parts() {
        assert_eq!(
            parts("arn:aws:s3:::\u{FFFC}/*"),
            [
                iamdata::Part::Lit("arn:aws:s3:::"),
                iamdata::Part::Unknown,
                iamdata::Part::Lit("/*")
            ]
        );
        assert_eq!(parts("\u{FFFC}"), [iamdata::Part::Unknown]);
    }

    #[test]
    fn namespaces_come_from_the_formats() {
        let types = |ns: &str| {
            iamdata::get()
                .arn_namespace(ns)
                .map(|(_, t)| t.collect::<Vec<_>>())
        };
        assert!(types("s3").unwrap().iter().any(|t| t.key() == "bucket"));
        assert!(types("execute-api").is_some());
        assert!(types("S3").is_none(), "ARNs are case-sensitive");
        // Every type is listed under the service field of each of its formats, unless that
        // field is a placeholder.
        let mut listed = 0;
        for s in iamdata::get().services() {
            for t in s.resource_types() {
                let mut own: Vec<&str> = t
                    .arn_formats()
                    .map(split_fields)
                    .filter(|&(_, count)| count >= 3)
                    .map(|(fields, _)| fields[2])
                    .collect();
                own.dedup();
                for ns in own {
                    let listed_here =
                        types(ns).is_some_and(|l| l.iter().any(|x| std::ptr::eq(*x, t)));
                    assert_eq!(
                        listed_here,
                        !ns.contains('{') && !ns.contains('*'),
                        "{} in {ns}",
                        t.key()
                    );
                    listed += usize::from(listed_here);
                }
            }
        }
        assert!(listed > 1000, "{listed}");
    }
}
