use super::{Context, Rule};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::syntax::tree::{Node, Part, Value};

declare_rule! {
    /// A policy document larger than the quota of the place it is attached to, counted as IAM and
    /// AWS Organizations count: the inline policies of one role, user or group together.
    pub struct PolicySizeExceeded {
        name: "policy-size-exceeded",
        category: Correctness,
        severity: Error,
        summary: "a policy over its size quota (managed policy 6,144 characters, a role's inline policies together 10,240, a user's 2,048, a group's 5,120, a trust policy 2,048 by default, an SCP or RCP 5,120): AWS rejects it on deploy",
        kinds: [Identity, Trust, Scp, Rcp],
    }
}

/// The quota a document is held to, and the documents it is counted with.
struct Quota {
    limit: usize,
    /// What the quota is of, for the message ("a customer managed policy").
    what: &'static str,
    /// Documents of one inline group share one quota: the owner up to its first `, ` (the
    /// template resource, `AWS::IAM::Role App`). `None`: the document is counted alone.
    group: Option<String>,
    /// How the quota may be raised, when it can be.
    raise: Option<&'static str>,
}

/// The size quotas (IAM and AWS STS quotas page; AWS Organizations quotas page).
const MANAGED: usize = 6_144;
const ROLE_INLINE: usize = 10_240;
const USER_INLINE: usize = 2_048;
const GROUP_INLINE: usize = 5_120;
const TRUST_DEFAULT: usize = 2_048;
const ORGANIZATIONS: usize = 5_120;

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
        what,
        group: None,
        raise: None,
    };
    let organizations = |what| Quota {
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
        PolicyKind::Identity => {}
        _ => return None,
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
    /// IAM does not count white space; Organizations counts every character, so only the white
    /// space outside strings (which a serializer drops) is left out for SCPs and RCPs.
    white_space_in_strings: bool,
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
        s.chars()
            .map(|c| match c {
                '"' | '\\' => 2,
                c if c.is_whitespace() => usize::from(self.white_space_in_strings),
                c if c.is_control() => 6,
                _ => 1,
            })
            .sum()
    }
}

fn size_of(doc: &PolicyDocument) -> Size {
    let organizations = matches!(doc.kind, PolicyKind::Scp | PolicyKind::Rcp);
    Counter {
        white_space_in_strings: organizations,
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
        let sizes: Vec<Size> = members.iter().map(|d| size_of(d)).collect();
        let mut total = Size::default();
        for s in &sizes {
            total.add(*s);
        }
        if total.chars <= q.limit {
            return;
        }
        let at_least = if total.unknown { "at least " } else { "" };
        let counted = if matches!(doc.kind, PolicyKind::Scp | PolicyKind::Rcp) {
            "without the white space between elements"
        } else {
            "without white space, as IAM counts"
        };
        let message = if members.len() > 1 {
            format!(
                "these {} policies are {at_least}{} characters together, over the {} quota of {}",
                members.len(),
                thousands(total.chars),
                thousands(q.limit),
                q.what
            )
        } else {
            format!(
                "the policy is {at_least}{} characters, over the {} quota of {}",
                thousands(total.chars),
                thousands(q.limit),
                q.what
            )
        };
        let mut label = format!("{} characters ({counted})", thousands(sizes[0].chars));
        if total.unknown {
            label.push_str("; values the template computes are counted as empty");
        }
        let mut f = cx.finding(doc.anchor(), message).label(label);
        for (d, s) in members.iter().zip(&sizes).skip(1) {
            f = f.secondary(d.anchor(), format!("{} more characters here", thousands(s.chars)));
        }
        let help = q.raise.unwrap_or(
            "split the grant into several policies (customer managed policies attached to the role each have their own 6,144-character quota), or shorten it: wildcards for long action lists, fewer repeated ARNs",
        );
        cx.report(f.help(help));
    }
}
