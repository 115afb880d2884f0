use super::{Context, Rule};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::source::any_byte;
use crate::syntax::tree::{Node, Part, Value};

declare_rule! {
    /// A policy document larger than the quota of the place it is attached to, counted as IAM,
    /// AWS Organizations and each service count: the inline policies of one role, user or group
    /// together; a resource policy against its service's documented quota.
    pub struct PolicySizeExceeded {
        name: "policy-size-exceeded",
        category: Correctness,
        severity: Error,
        summary: "a policy over its size quota (managed policy 6,144 characters, a role's inline policies together 10,240, a user's 2,048, a group's 5,120, a trust policy 2,048 by default, an SCP or RCP 5,120, resource policies as each service documents: SQS 8,192 bytes, S3 20 KB, KMS 32 KB…): AWS rejects it on deploy",
        kinds: [Identity, Trust, Scp, Rcp, Resource, KeyPolicy, Endpoint, Boundary, Session],
    }
}

/// The quota a document is held to, and the documents it is counted with.
struct Quota {
    limit: usize,
    /// What the quota counts.
    unit: Unit,
    /// How the size is counted, for the label.
    counted: &'static str,
    /// What the quota is of, for the message ("a customer managed policy").
    what: &'static str,
    /// Documents of one inline group share one quota: the owner up to its first `, ` (the
    /// template resource, `AWS::IAM::Role App`). `None`: the document is counted alone.
    group: Option<String>,
    /// How the quota may be raised, when it can be.
    raise: Option<&'static str>,
    /// The page that documents a service's quota (resource policies).
    source: Option<&'static str>,
}

/// The size quotas (IAM and AWS STS quotas page; AWS Organizations quotas page).
const MANAGED: usize = 6_144;
const ROLE_INLINE: usize = 10_240;
const USER_INLINE: usize = 2_048;
const GROUP_INLINE: usize = 5_120;
const TRUST_DEFAULT: usize = 2_048;
const ORGANIZATIONS: usize = 5_120;
/// STS: "The plaintext that you use for both inline and managed session policies can't exceed
/// 2,048 characters" (AssumeRole `Policy`); Transfer Family holds its session policies to the same.
const SESSION: usize = 2_048;

/// The owner's resource type: `AWS::IAM::Role` of `AWS::IAM::Role App, policy P`, `aws_iam_policy`
/// of `aws_iam_policy.app`.
fn owner_type(owner: &str) -> &str {
    if owner.starts_with("AWS::") {
        owner.split(' ').next().unwrap_or(owner)
    } else {
        owner.split('.').next().unwrap_or(owner)
    }
}

fn quota(doc: &PolicyDocument) -> Option<Quota> {
    let alone = |limit, what| Quota {
        limit,
        unit: Unit::Characters,
        counted: IAM_COUNTS,
        what,
        group: None,
        raise: None,
        source: None,
    };
    let organizations = |what| Quota {
        counted: SHORTEST_FORM,
        raise: Some(
            "remove the white space between elements (Organizations counts it), or split the policy: several SCPs or RCPs can be attached to the same root, OU or account",
        ),
        ..alone(ORGANIZATIONS, what)
    };
    match doc.kind {
        PolicyKind::Scp => return Some(organizations("a service control policy")),
        PolicyKind::Rcp => return Some(organizations("a resource control policy")),
        PolicyKind::Trust => {
            return Some(Quota {
                raise: Some(
                    "the quota `Role trust policy length` can be raised to 4,096 characters in Service Quotas (IAM); else shorten the policy",
                ),
                ..alone(TRUST_DEFAULT, "a role trust policy (the default quota)")
            });
        }
        // A permissions boundary is a managed policy.
        PolicyKind::Boundary => return Some(alone(MANAGED, "a permissions boundary (a managed policy)")),
        PolicyKind::Session => {
            return Some(Quota {
                counted: SHORTEST_FORM,
                source: Some("https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html"),
                ..alone(SESSION, "a session policy")
            });
        }
        PolicyKind::Identity => {}
        PolicyKind::Resource | PolicyKind::KeyPolicy | PolicyKind::Endpoint => {
            // A Terraform document attached through the one resource that uses it.
            let through = doc.attached_to.as_ref().and_then(|a| a.holder.as_deref());
            return resource_quota(owner_type(through.or(doc.owner.as_deref())?));
        }
    }
    let owner = doc.owner.as_deref().unwrap_or("");
    let group = || Some(owner.split(", ").next().unwrap_or(owner).to_string());
    Some(match owner_type(owner) {
        "AWS::IAM::ManagedPolicy" | "aws_iam_policy" => alone(MANAGED, "a customer managed policy"),
        "AWS::IAM::Role" | "aws_iam_role" | "AWS::Serverless::Function"
        | "AWS::Serverless::StateMachine" => Quota {
            group: group(),
            ..alone(ROLE_INLINE, "the inline policies of a role together")
        },
        "AWS::IAM::User" => Quota {
            group: group(),
            ..alone(USER_INLINE, "the inline policies of a user together")
        },
        "AWS::IAM::Group" => Quota {
            group: group(),
            ..alone(GROUP_INLINE, "the inline policies of a group together")
        },
        "AWS::IAM::UserPolicy" | "aws_iam_user_policy" => {
            alone(USER_INLINE, "the inline policies of a user together")
        }
        "AWS::IAM::GroupPolicy" | "aws_iam_group_policy" => {
            alone(GROUP_INLINE, "the inline policies of a group together")
        }
        // A role's inline policy, an `AWS::IAM::Policy` (inline in each role, user or group it
        // names), a raw JSON file, a Terraform document used elsewhere: the largest quota that
        // could apply, so that nothing that fits somewhere is reported.
        _ => alone(
            ROLE_INLINE,
            "any identity policy (a role's inline policies together, the largest quota)",
        ),
    })
}

/// How IAM counts: characters, white space left out (even inside strings).
const IAM_COUNTS: &str = "without white space, as IAM counts";
/// The least the document can be sent as: no white space between elements (a template's
/// object is serialized without it), strings as written.
const SHORTEST_FORM: &str = "without the white space between elements";

/// What a quota counts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Characters,
    /// UTF-8 bytes.
    Bytes,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Characters => "characters",
            Unit::Bytes => "bytes",
        }
    }
}

/// The resource policy quotas, `data/resource-policy-quotas.tsv` (see `data/README.md`): owner
/// types, quota, unit, white space, what, source; after `#` comments.
const RESOURCE_QUOTAS: &str = include_str!("../../data/resource-policy-quotas.tsv");

/// The quota of a resource policy held by a resource of type `ty` (`AWS::SQS::QueuePolicy`,
/// `aws_sqs_queue_policy`), when its service documents one. Every one is the document alone's.
fn resource_quota(ty: &str) -> Option<Quota> {
    let row = RESOURCE_QUOTAS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|f| f.len() == 6 && f[0].split(',').any(|t| t == ty))?;
    Some(Quota {
        limit: row[1].parse().ok()?,
        unit: if row[2] == "bytes" {
            Unit::Bytes
        } else {
            Unit::Characters
        },
        counted: if row[3] == "counted" {
            "without the white space between elements, which the service also counts"
        } else {
            SHORTEST_FORM
        },
        what: row[4],
        group: None,
        raise: None,
        source: Some(row[5]),
    })
}

/// A document's size as the service counts it.
#[derive(Default, Clone, Copy)]
struct Size {
    chars: usize,
    /// Some value is not known (`!Ref`, `${var.x}`): counted as its shortest form, empty.
    unknown: bool,
}

impl Size {
    fn add(&mut self, other: Size) {
        self.chars += other.chars;
        self.unknown |= other.unknown;
    }
}

struct Counter {
    /// IAM does not count white space; Organizations and the services holding resource policies
    /// count every character, so only the white space outside strings (which a serializer
    /// drops) is left out for them.
    white_space_in_strings: bool,
    /// Count UTF-8 bytes rather than characters.
    bytes: bool,
    /// Terraform writes a one-item list of `aws_iam_policy_document` as the item alone.
    single_item_lists_as_item: bool,
}

impl Counter {
    fn node(&self, n: &Node) -> Size {
        match &n.value {
            Value::Null => Size {
                chars: 4,
                unknown: false,
            },
            Value::Bool(b) => Size {
                chars: if *b { 4 } else { 5 },
                unknown: false,
            },
            Value::Number(s) => Size {
                chars: s.len(),
                unknown: false,
            },
            Value::Str(t) => {
                if t.is_unknown() {
                    // `!If [C, {...}, !Ref AWS::NoValue]`: possibly nothing at all.
                    return Size {
                        chars: 0,
                        unknown: true,
                    };
                }
                let mut size = Size {
                    chars: 2,
                    unknown: false,
                };
                for p in t.parts.iter() {
                    match p {
                        Part::Lit(s) => size.chars += self.string_chars(s),
                        Part::Var(_) => size.unknown = true,
                    }
                }
                size
            }
            Value::Array(items) => {
                if self.single_item_lists_as_item
                    && let [only] = items.as_slice()
                {
                    return self.node(only);
                }
                self.list(items.iter().map(|i| self.node(i)))
            }
            Value::Object(entries) => {
                // `{"key":value,…}`: the braces count as the brackets of a list.
                self.list(entries.iter().map(|e| {
                    let mut s = Size {
                        chars: 2 + self.string_chars(e.key.name.as_str()) + 1,
                        unknown: false,
                    };
                    s.add(self.node(&e.value));
                    s
                }))
            }
        }
    }

    /// Brackets, the members, and a comma between members; a member of unknown size 0 may be
    /// absent, so it takes no comma.
    fn list(&self, members: impl Iterator<Item = Size>) -> Size {
        let mut size = Size {
            chars: 2,
            unknown: false,
        };
        let mut present = 0usize;
        for m in members {
            if m.chars > 0 {
                present += 1;
            }
            size.add(m);
        }
        size.chars += present.saturating_sub(1);
        size
    }

    /// A string's characters as JSON writes them (`"` and `\` escaped), white space left out
    /// unless counted.
    fn string_chars(&self, s: &str) -> usize {
        // Most strings are printable ASCII without space, `"` or `\`: one character each.
        let plain = |b: u8| (b'!'..=b'~').contains(&b) && b != b'"' && b != b'\\';
        if !any_byte(s.as_bytes(), |b| !plain(b)) {
            return s.len();
        }
        s.chars().map(|c| self.char_chars(c)).sum()
    }

    fn char_chars(&self, c: char) -> usize {
        match c {
            '"' | '\\' => 2,
            c if c.is_whitespace() && !self.white_space_in_strings => 0,
            c if c.is_control() => 6,
            c if self.bytes => c.len_utf8(),
            _ => 1,
        }
    }
}

fn size_of(doc: &PolicyDocument, unit: Unit) -> Size {
    Counter {
        white_space_in_strings: !matches!(doc.kind, PolicyKind::Identity | PolicyKind::Trust),
        bytes: unit == Unit::Bytes,
        single_item_lists_as_item: doc
            .owner
            .as_deref()
            .is_some_and(|o| o.starts_with("data.aws_iam_policy_document.")),
    }
    .node(&doc.root)
}

/// The holder of an owner: `AWS::IAM::Role App` of `AWS::IAM::Role App, policy P`.
fn holder_of(owner: &str) -> &str {
    owner.split(", ").next().unwrap_or(owner)
}

/// The documents of `doc`'s inline group `group` (same kind, same holder), when `doc` is the
/// first of them; `None` when an earlier one reports the group. A holder's documents are
/// extracted one after the other (its trust policy among them), so the group is the run of
/// documents around `doc` with the same holder: found without a pass over the whole file, which
/// a template of thousands of roles would make quadratic.
fn group_members<'d>(
    docs: &'d [PolicyDocument],
    doc: &'d PolicyDocument,
    group: &str,
) -> Option<Vec<&'d PolicyDocument>> {
    let same_holder =
        |d: &PolicyDocument| d.owner.as_deref().is_some_and(|o| holder_of(o) == group);
    // `doc`'s position, from its address (no pass over the slice); a document that is not in
    // the slice is counted alone.
    let at = (std::ptr::from_ref(doc) as usize)
        .wrapping_sub(docs.as_ptr() as usize)
        .checked_div(std::mem::size_of::<PolicyDocument>())
        .filter(|&i| docs.get(i).is_some_and(|d| std::ptr::eq(d, doc)));
    let Some(at) = at else {
        return Some(vec![doc]);
    };
    let earlier = docs[..at]
        .iter()
        .rev()
        .take_while(|d| same_holder(d))
        .any(|d| d.kind == doc.kind);
    if earlier {
        return None;
    }
    Some(
        docs[at..]
            .iter()
            .take_while(|d| same_holder(d))
            .filter(|d| d.kind == doc.kind)
            .collect(),
    )
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Rule for PolicySizeExceeded {
    fn check(&self, doc: &PolicyDocument, cx: &mut Context) {
        let Some(q) = quota(doc) else {
            return;
        };
        // The documents counted together: this one, and for an inline group the other
        // documents of the same holder. The group is reported once, at its first document.
        let members = match &q.group {
            Some(g) => match group_members(cx.documents(), doc, g) {
                Some(m) => m,
                None => return,
            },
            None => vec![doc],
        };
        let sizes: Vec<Size> = members.iter().map(|d| size_of(d, q.unit)).collect();
        let mut total = Size::default();
        for s in &sizes {
            total.add(*s);
        }
        if total.chars <= q.limit {
            return;
        }
        let at_least = if total.unknown { "at least " } else { "" };
        let (counted, unit) = (q.counted, q.unit.name());
        let message = if members.len() > 1 {
            format!(
                "these {} policies are {at_least}{} {unit} together, over the {} quota of {}",
                members.len(),
                thousands(total.chars),
                thousands(q.limit),
                q.what
            )
        } else {
            format!(
                "the policy is {at_least}{} {unit}, over the {} quota of {}",
                thousands(total.chars),
                thousands(q.limit),
                q.what
            )
        };
        let mut label = format!("{} {unit} ({counted})", thousands(sizes[0].chars));
        if total.unknown {
            label.push_str("; values the template computes are counted as empty");
        }
        let mut f = cx.finding(doc.anchor(), message).label(label);
        for (d, s) in members.iter().zip(&sizes).skip(1) {
            f = f.secondary(d.anchor(), format!("{} more {unit} here", thousands(s.chars)));
        }
        let help = match (q.raise, q.source) {
            (Some(raise), _) => raise.to_string(),
            (None, Some(source)) => format!(
                "shorten it: one statement for the principals that share actions, wildcards for long action lists, fewer repeated ARNs (the quota: {source})"
            ),
            (None, None) => "split the grant into several policies (customer managed policies attached to the role each have their own 6,144-character quota), or shorten it: wildcards for long action lists, fewer repeated ARNs".to_string(),
        };
        cx.report(f.help(help));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of the resource quota table reads, and no owner type is listed twice.
    #[test]
    fn resource_quotas_read() {
        let mut seen = std::collections::HashSet::new();
        for l in RESOURCE_QUOTAS.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "data/resource-policy-quotas.tsv: bad line {l:?}");
            assert!(f[1].parse::<usize>().is_ok(), "bad quota in {l:?}");
            assert!(matches!(f[2], "bytes" | "characters"), "bad unit in {l:?}");
            assert!(matches!(f[3], "counted" | "-"), "bad white space in {l:?}");
            assert!(f[5].starts_with("https://docs.aws.amazon.com/"), "no source in {l:?}");
            for ty in f[0].split(',') {
                assert!(seen.insert(ty), "{ty} listed twice");
                assert!(resource_quota(ty).is_some());
            }
        }
        let q = resource_quota("aws_sqs_queue_policy").unwrap();
        assert!(q.limit == 8_192 && q.unit == Unit::Bytes);
        assert!(resource_quota("AWS::Events::EventBus").is_none());
    }

    /// Bytes count a character's UTF-8 length; white space inside strings counts for resource
    /// policies.
    #[test]
    fn counts_bytes_and_white_space_in_strings() {
        let c = Counter {
            white_space_in_strings: true,
            bytes: true,
            single_item_lists_as_item: false,
        };
        assert_eq!(c.string_chars("a é\""), 1 + 1 + 2 + 2);
        // Plain ASCII text is counted without reading its characters: the same answers.
        assert_eq!(c.string_chars("a \t\u{1}\\"), 1 + 1 + 6 + 6 + 2);
        for b in 0..=0x7f_u8 {
            let one = char::from(b);
            assert_eq!(c.string_chars(&one.to_string()), c.char_chars(one), "{b:#x}");
        }
        let c = Counter {
            bytes: false,
            white_space_in_strings: false,
            ..c
        };
        assert_eq!(c.string_chars("a é\""), 1 + 1 + 2);
        assert_eq!(c.string_chars("a \t\u{1}\\"), 1 + 6 + 2);
        for b in 0..=0x7f_u8 {
            let one = char::from(b);
            assert_eq!(c.string_chars(&one.to_string()), c.char_chars(one), "{b:#x}");
        }
    }
}
