//! The typed IAM policy model every rule reads.
//!
//! Built from a spanned [`Node`] tree, whatever format the policy came from. The builder is
//! lenient: it keeps what it finds (unknown elements, wrong types, duplicates) so that rules can
//! report each problem at its token; it never rejects a document.

pub mod arn;
pub mod attached;
pub mod attachment;
pub mod conditions;
pub mod reference;
pub mod suggest;

use std::cell::OnceCell;
use std::sync::Arc;

use crate::iamdata::{equal_run, has_wildcard, hash_ci, wildcard_match};
use crate::source::{SourceFile, Span};
use crate::syntax::tree::{Key, Node, Text, Value};

/// What a policy document is for; rules declare which kinds they apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Attached to a user, group or role: grants what the principal may do.
    Identity,
    /// A role's `AssumeRolePolicyDocument`: who may assume the role.
    Trust,
    /// Attached to a resource (bucket, queue, topic, secret…): who may use it.
    Resource,
    /// A KMS key policy.
    KeyPolicy,
    /// A VPC endpoint policy: what may be reached through the endpoint. Its `Principal` is
    /// commonly `"*"`: only callers inside the VPC reach the endpoint at all.
    Endpoint,
    /// An AWS Organizations service control policy: the most an account's principals may do. No
    /// `Principal`; it grants nothing by itself.
    Scp,
    /// An AWS Organizations resource control policy: the most anyone may do to an account's
    /// resources. Its `Principal` is always `"*"` (it limits every caller), and it grants nothing.
    Rcp,
    /// A managed policy set as a role's or user's permissions boundary: the most the holder's
    /// identity policies may grant. No `Principal`; it grants nothing by itself.
    Boundary,
    /// A session policy (passed when a role session is created, or a Transfer Family user's
    /// `Policy`): narrows the role's permissions for one session. No `Principal`; it grants
    /// nothing by itself.
    Session,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Trust => "trust",
            PolicyKind::Resource => "resource",
            PolicyKind::KeyPolicy => "key",
            PolicyKind::Endpoint => "endpoint",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Session => "session",
        }
    }

    /// Every kind, in declaration order.
    pub const ALL: [PolicyKind; 9] = [
        PolicyKind::Identity,
        PolicyKind::Trust,
        PolicyKind::Resource,
        PolicyKind::KeyPolicy,
        PolicyKind::Endpoint,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::Boundary,
        PolicyKind::Session,
    ];

    /// Policies whose statements carry a `Principal`.
    pub fn has_principal(self) -> bool {
        !matches!(
            self,
            PolicyKind::Identity | PolicyKind::Scp | PolicyKind::Boundary | PolicyKind::Session
        )
    }
}

/// A policy document found in a file, with where it came from.
#[derive(Debug)]
pub struct PolicyDocument {
    pub file: Arc<SourceFile>,
    pub kind: PolicyKind,
    /// The resource or attribute that holds the policy (`AWS::IAM::Role MyRole`), if any.
    pub owner: Option<String>,
    /// Where the owner is named in the file (a template resource's logical id): findings in the
    /// document get a secondary label there.
    pub owner_span: Option<Span>,
    /// The document object itself.
    pub root: Node,
    pub version: Option<Item>,
    pub id: Option<Item>,
    /// The `Statement` key, when present.
    pub statement_key: Option<Key>,
    pub statements: Vec<Statement>,
    /// See [`Self::item_count`].
    item_count: u32,
    /// The document was assembled from a list of statements (Serverless `iamRoleStatements`, a
    /// Terraform `aws_iam_policy_document`): its `Version` and `Statement` are not the author's to
    /// write, so document-level rules stay silent.
    pub implicit: bool,
    /// Where text a tool wrote for the author sits (a SAM policy template's name stands for the
    /// statements SAM writes): a finding whose primary span lies within one of these is about the
    /// tool's text, which the author cannot change, and the driver drops it. Values the author
    /// gave the tool keep their own spans, so what they cause is still reported.
    pub generated: Vec<Span>,
    /// Account ids that mean "this template's own account" where the format knows them
    /// (`${AWS::AccountId}`, `data.aws_caller_identity.current.account_id`).
    pub own_account_vars: Vec<String>,
    /// The resources a resource policy is attached to, where the format says (an S3 bucket
    /// policy's `Bucket: my-bucket`, an SQS queue policy's `Queues: [!Ref Queue]`,
    /// `queue_url = aws_sqs_queue.q.id`): see [`attached`].
    pub attached_to: Option<attached::AttachedTo>,
    /// The statements that are `Deny`s made only of exclusions (a `NotPrincipal`, negated
    /// condition operators), at most [`conditions::MAX_EXCLUSION_DENIES`]: the only ones that can
    /// narrow an Allow, found once so that asking for every Allow is linear in statements.
    pub exclusion_denies: Vec<u32>,
}

/// A string value in the policy and the token it came from.
#[derive(Clone, Debug)]
pub struct Item {
    pub span: Span,
    pub text: Text,
    /// The item's number among the `Action` and `Resource` items of its document, in order
    /// ([`PolicyDocument::item_count`]): where the rules' facts about it are kept
    /// (`rules::Facts`). [`Item::NO_ID`] for the other items.
    pub id: u32,
}

impl PartialEq for Item {
    fn eq(&self, other: &Item) -> bool {
        self.span == other.span && self.text == other.text
    }
}

impl Item {
    /// The id of an item that is not an `Action` or `Resource` item of a document.
    pub const NO_ID: u32 = u32::MAX;

    pub fn new(span: Span, text: Text) -> Item {
        Item {
            span,
            text,
            id: Item::NO_ID,
        }
    }

    /// The item read as an ARN pattern (unknown parts match anything).
    pub fn read_arn_pattern(&self) -> crate::iamdata::ArnPattern {
        match self.text.literal() {
            Some(s) => crate::iamdata::ArnPattern::new(&[crate::iamdata::Part::Lit(s)]),
            None => crate::iamdata::ArnPattern::new(&reference::arn_parts(&self.text)),
        }
    }

    pub fn literal(&self) -> Option<&str> {
        self.text.literal()
    }

    /// `arn:aws:rds:…:dbuser:…`: a database user ARN under `rds`, where `rds-db` is meant.
    pub fn is_rds_dbuser_arn(&self) -> bool {
        self.rds_dbuser_arn(|_| ()).is_some()
    }

    /// `f` of the item read as an ARN, when [`Self::is_rds_dbuser_arn`]. The resource part can
    /// start with `dbuser:` only if a literal part holds it, which rules out nearly every item
    /// before its ARN is read.
    pub fn rds_dbuser_arn<R>(&self, f: impl FnOnce(&arn::Arn<'_>) -> R) -> Option<R> {
        use crate::syntax::tree::Part;
        if !self
            .text
            .parts
            .iter()
            .any(|p| matches!(p, Part::Lit(l) if l.contains("dbuser:")))
        {
            return None;
        }
        let masked = self.text.masked();
        arn::Arn::parse(&masked)
            .filter(|a| a.service == "rds" && a.resource.starts_with("dbuser:"))
            .map(|a| f(&a))
    }
}

/// `Action`/`NotAction`, `Resource`/`NotResource`: a string or a list of strings.
#[derive(Clone, Debug)]
pub struct Element {
    pub key: Key,
    /// `NotAction`, `NotResource`, `NotPrincipal`.
    pub negated: bool,
    /// The value node's span (the string, or the whole array).
    pub span: Span,
    pub items: Vec<Item>,
    /// The value (or part of it) is not known (`!Ref`, `${jsonencode(var.arns)}`, a non-string).
    pub has_unknown: bool,
}

impl Element {
    /// True when some item is exactly `*`.
    pub fn star(&self) -> Option<&Item> {
        self.items.iter().find(|i| i.literal() == Some("*"))
    }
}

#[derive(Clone, Debug)]
pub enum Principal {
    /// `"Principal": "*"`
    Any(Item),
    /// `"Principal": {"AWS": [...], "Service": "...", "Federated": "..."}`
    Map(Vec<(Key, Vec<Item>)>),
    /// Not known or not of a shape IAM accepts.
    Unknown,
}

#[derive(Clone, Debug)]
pub struct PrincipalElement {
    pub key: Key,
    pub negated: bool,
    pub span: Span,
    pub value: Principal,
}

impl PrincipalElement {
    /// Every principal value of one type (`AWS`, `Service`…); `"*"` counts as an `AWS` principal.
    pub fn values_of<'a>(&'a self, ty: &'a str) -> Box<dyn Iterator<Item = &'a Item> + 'a> {
        match &self.value {
            Principal::Any(i) if ty == "AWS" => Box::new(std::iter::once(i)),
            Principal::Map(m) => Box::new(
                m.iter()
                    .filter(move |(k, _)| k.name == ty)
                    .flat_map(|(_, v)| v.iter()),
            ),
            _ => Box::new(std::iter::empty()),
        }
    }
}

/// `ForAnyValue:` / `ForAllValues:` before a condition operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

/// A condition operator split into its parts: `ForAnyValue:StringLikeIfExists`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub base: String,
    pub if_exists: bool,
    pub qualifier: Option<SetQualifier>,
}

impl Operator {
    pub fn parse(s: &str) -> Operator {
        let (qualifier, rest) = if let Some(r) = s.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else if let Some(r) = s.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else {
            (None, s)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(b) if !b.is_empty() => (b, true),
            _ => (rest, false),
        };
        Operator {
            base: base.to_string(),
            if_exists,
            qualifier,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ConditionEntry {
    /// The condition key as written (`kms:ViaService`).
    pub key: Key,
    pub values: Vec<Item>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ConditionOperator {
    pub key: Key,
    pub op: Operator,
    pub entries: Vec<ConditionEntry>,
}

#[derive(Clone, Debug)]
pub struct Condition {
    pub key: Key,
    pub span: Span,
    pub operators: Vec<ConditionOperator>,
    /// Part of the condition block is not known (`Condition: !If […]`).
    pub has_unknown: bool,
}

impl Condition {
    /// Every entry whose key matches `name` case-insensitively, under any operator.
    pub fn entries_for<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a ConditionOperator, &'a ConditionEntry)> + 'a {
        self.operators.iter().flat_map(move |op| {
            op.entries
                .iter()
                .filter(move |e| e.key.name.eq_ignore_ascii_case(name))
                .map(move |e| (op, e))
        })
    }

    /// True when a key matching `pred` (lowercased key given) appears under any operator.
    pub fn any_key(&self, mut pred: impl FnMut(&str) -> bool) -> bool {
        self.operators
            .iter()
            .flat_map(|op| op.entries.iter())
            .any(|e| pred(&e.key.name.to_ascii_lowercase()))
    }
}

#[derive(Clone, Debug)]
pub struct Statement {
    pub index: usize,
    pub span: Span,
    /// Where the statement's object is in the document's `Statement` list (`None`: the
    /// `Statement` value is the object itself); read it with [`PolicyDocument::statement_node`].
    pos: Option<usize>,
    /// The span of the statement's first key.
    first_key: Option<Span>,
    /// For each key that is not a statement element, the element it is likely a misspelling of.
    misspelt: Vec<&'static str>,
    pub sid: Option<Item>,
    pub effect: Option<Item>,
    pub action: Option<Element>,
    pub resource: Option<Element>,
    pub principal: Option<PrincipalElement>,
    pub condition: Option<Condition>,
    /// The `Action` items by service, for [`Self::action_item_covering`] and
    /// [`Self::service_action_item_covering`].
    action_index: OnceCell<ActionIndex>,
}

/// Where the items of an `Action` list are, by the service they name, so that rules asking about
/// dozens of actions (`privilege-escalation`, `credentials-exposure`, `data-read-on-all-resources`)
/// read only the items that can cover each, and most often none.
#[derive(Clone, Debug, Default)]
struct ActionIndex {
    /// The services the items name, as a set of 64 bits (one per service name's hash): no item
    /// covers an action whose service's bit is clear. Every bit when some item can cover actions
    /// of any service.
    services: u64,
    /// The items whose service prefix is written out (`kms` of `kms:De*`): the prefix's hash
    /// ([`hash_ci`]) and the item's position, sorted (so in list order within one hash).
    by_service: Vec<(u64, u32)>,
    /// Positions of the other literal items, which can cover actions of any service (`*`,
    /// `*:Get*`, `s3*:Get*`), in list order.
    any_service: Vec<u32>,
}

/// The bit of [`ActionIndex::services`] for a service prefix's hash (its high bits, which depend
/// on every byte).
fn service_bit(hash: u64) -> u64 {
    1 << (hash >> 58)
}

impl ActionIndex {
    fn new(items: &[Item]) -> ActionIndex {
        let mut index = ActionIndex::default();
        for (i, item) in items.iter().enumerate() {
            let Some(text) = item.literal() else { continue };
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match arn::split_colon(text) {
                Some((prefix, _)) if !has_wildcard(prefix) => {
                    let hash = hash_ci(prefix);
                    index.services |= service_bit(hash);
                    index.by_service.push((hash, i));
                }
                _ => {
                    index.services = u64::MAX;
                    index.any_service.push(i);
                }
            }
        }
        // Hashes, not names, are sorted: a whole list's names are not compared. Items of another
        // service whose prefix has the same hash only cost a match ([`first_covering`] matches
        // an item's whole text).
        index.by_service.sort_unstable();
        index
    }

    /// The positions of the items whose service prefix is `service` (and perhaps of a few
    /// other items), in list order.
    fn of_service(&self, service: &str) -> impl Iterator<Item = u32> + '_ {
        let hash = hash_ci(service);
        let run = if self.services & service_bit(hash) == 0 {
            &[][..]
        } else {
            equal_run(&self.by_service, |&(h, _)| h.cmp(&hash))
        };
        run.iter().map(|&(_, i)| i)
    }
}

/// The first of `positions` (in `items`) whose item covers `action`.
fn first_covering(
    items: &[Item],
    mut positions: impl Iterator<Item = u32>,
    action: &str,
) -> Option<u32> {
    positions.find(|&i| {
        items[i as usize]
            .literal()
            .is_some_and(|p| wildcard_match(p, action, true))
    })
}

/// The service of an action name: `kms` of `kms:Decrypt` (the whole text without a `:`).
fn service_part(action: &str) -> &str {
    arn::split_colon(action).map_or(action, |(service, _)| service)
}

impl Statement {
    /// `Effect` is literally `Allow`. An unknown effect is neither allow nor deny.
    pub fn is_allow(&self) -> bool {
        self.effect.as_ref().and_then(Item::literal) == Some("Allow")
    }

    pub fn is_deny(&self) -> bool {
        self.effect.as_ref().and_then(Item::literal) == Some("Deny")
    }

    /// True when the statement has a key that is a misspelling of one of `names` (`Actions`):
    /// `unknown-element` reports it, and "missing" rules stay silent rather than report it twice.
    pub fn has_misspelt(&self, names: &[&str]) -> bool {
        self.misspelt.iter().any(|n| names.contains(n))
    }

    /// Where findings about the statement as a whole point: its `Sid`, else its first key.
    pub fn head(&self) -> Span {
        if let Some(sid) = &self.sid {
            return sid.span;
        }
        self.first_key.unwrap_or(Span::new(
            self.span.start as usize,
            self.span.start as usize + 1,
        ))
    }

    pub fn effect_span(&self) -> Span {
        self.effect.as_ref().map_or(self.span, |e| e.span)
    }

    /// Does the statement's `Action` (not `NotAction`) cover `action` (`kms:Decrypt`)? Returns the
    /// item that covers it. Patterns match case-insensitively, as IAM does.
    pub fn action_item_covering(&self, action: &str) -> Option<&Item> {
        let (items, index) = self.indexed_actions()?;
        // The first item that covers it: of its service's items or of those of any service.
        let own = first_covering(items, index.of_service(service_part(action)), action);
        let any = first_covering(items, index.any_service.iter().copied(), action);
        let at = match (own, any) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some(&items[at as usize])
    }

    /// Does this Allow statement grant `action`? `Some(span)` of the evidence: the `Action` item
    /// that covers it, or the `NotAction` key when no `NotAction` pattern excludes it. Never for
    /// Deny, an unknown effect, or an action list with unknown parts that might exclude it.
    pub fn allows(&self, action: &str) -> Option<Span> {
        if !self.is_allow() {
            return None;
        }
        let el = self.action.as_ref()?;
        if !el.negated {
            return self.action_item_covering(action).map(|i| i.span);
        }
        let excluded = el.items.iter().any(|i| match i.literal() {
            Some(p) => wildcard_match(p, action, true),
            None => true,
        });
        (!excluded && !el.has_unknown).then_some(el.key.span)
    }

    /// The statement applies to every resource: `"Resource": "*"` (the `*` item's span) or any
    /// `NotResource` (its key's span).
    pub fn all_resources(&self) -> Option<Span> {
        let r = self.resource.as_ref()?;
        if r.negated {
            return Some(r.key.span);
        }
        r.star().map(|i| i.span)
    }

    /// An Allow on every resource (the `*` or `NotResource` span) that nothing narrows: not an
    /// administrator statement (another rule's), no unknown condition, no condition on the
    /// resource. What "on unscoped resources" means for the rules that grade grants.
    /// Rules read it through their facts (`rules::Facts::unscoped_allow`), worked out once.
    pub fn unscoped_allow(&self) -> Option<Span> {
        if !self.is_allow()
            || self.is_admin()
            || self.condition_unknown()
            || conditions::narrowing(self).resource
        {
            return None;
        }
        self.all_resources()
    }

    /// `"Effect": "Allow", "Action": "*", "Resource": "*"` with no condition: administrator access.
    /// Other rules leave such statements to `admin-access-allowed`.
    pub fn is_admin(&self) -> bool {
        self.is_allow()
            && self.condition.is_none()
            && self
                .action
                .as_ref()
                .is_some_and(|a| !a.negated && a.star().is_some())
            && self
                .resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.star().is_some())
    }

    /// The actions of the service reference that each `Action` item grants (patterns expanded;
    /// see [`crate::iamdata::IamData::expand_action_pattern`]), given what each item denotes
    /// (`meaning`: rules read it from their facts). Empty for `NotAction`, Deny and unknown
    /// items.
    pub fn granted_actions<'s>(
        &'s self,
        meaning: impl Fn(&'s Item) -> reference::ActionRef<'s>,
    ) -> Vec<(&'s Item, crate::iamdata::ActionList)> {
        let Some(el) = self
            .action
            .as_ref()
            .filter(|a| !a.negated && self.is_allow())
        else {
            return Vec::new();
        };
        el.items
            .iter()
            .filter_map(|i| Some((i, reference::granted_by(i, meaning(i))?)))
            .collect()
    }

    /// Like [`Self::action_item_covering`] but only through a pattern of the action's own service
    /// (`kms:Decrypt`, `kms:De*`, `kms:*`), not `*` or `*:Decrypt`.
    pub fn service_action_item_covering(&self, action: &str) -> Option<&Item> {
        let (items, index) = self.indexed_actions()?;
        let at = first_covering(items, index.of_service(service_part(action)), action)?;
        Some(&items[at as usize])
    }

    /// The `Action` (not `NotAction`) items and their index by service, made on the first ask.
    fn indexed_actions(&self) -> Option<(&[Item], &ActionIndex)> {
        let el = self.action.as_ref().filter(|a| !a.negated)?;
        let index = self
            .action_index
            .get_or_init(|| ActionIndex::new(&el.items));
        Some((&el.items, index))
    }

    /// The condition key's entries, if the statement has a condition with that key.
    pub fn has_condition_key(&self, name: &str) -> bool {
        self.condition
            .as_ref()
            .is_some_and(|c| c.entries_for(name).next().is_some())
    }

    /// The condition block is present but not fully known: rules that credit conditions stay
    /// silent, since the unknown part may narrow the grant.
    pub fn condition_unknown(&self) -> bool {
        self.condition.as_ref().is_some_and(|c| c.has_unknown)
    }
}

/// Element names IAM accepts in a statement, in AWS's casing.
pub const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Element names IAM accepts at the top of a policy document.
pub const DOCUMENT_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];

impl PolicyDocument {
    /// Builds the model from a document node. `root` is normally an object with `Statement`.
    pub fn build(
        file: &Arc<SourceFile>,
        root: Node,
        kind: PolicyKind,
        owner: Option<String>,
    ) -> PolicyDocument {
        let version = root.get("Version").and_then(item);
        let id = root.get("Id").and_then(item);
        let statement_entry = root.entry("Statement");
        let statements = statement_entry
            .map(|e| {
                let list: &[Node] = match &e.value.value {
                    Value::Array(a) => a,
                    Value::Object(_) => std::slice::from_ref(&e.value),
                    _ => &[],
                };
                let single = matches!(e.value.value, Value::Object(_));
                // Sized once: a statement is large, and a list grown from empty copies each
                // one at every doubling (into blocks of sizes the allocator keeps apart).
                let mut statements = Vec::with_capacity(list.len());
                statements.extend(
                    list.iter()
                        .enumerate()
                        .filter(|(_, n)| matches!(n.value, Value::Object(_)))
                        .enumerate()
                        .map(|(i, (pos, n))| build_statement(i, (!single).then_some(pos), n)),
                );
                statements
            })
            .unwrap_or_default();
        let mut statements = statements;
        let item_count = number_items(&mut statements);
        let exclusion_denies = conditions::exclusion_denies(&statements);
        PolicyDocument {
            item_count,
            exclusion_denies,
            file: file.clone(),
            kind,
            owner,
            version,
            id,
            statement_key: statement_entry.map(|e| e.key.clone()),
            statements,
            root,
            implicit: false,
            generated: Vec::new(),
            owner_span: None,
            own_account_vars: Vec::new(),
            attached_to: None,
        }
    }

    /// A document made of a bare list of statements (`iamRoleStatements:` in `serverless.yml`),
    /// as if it were `{"Statement": list}`; `key_span` (the list's key) stands for `Statement`.
    pub fn from_statements(
        file: &Arc<SourceFile>,
        key_span: Span,
        list: Node,
        kind: PolicyKind,
        owner: Option<String>,
    ) -> PolicyDocument {
        let key = Key {
            name: "Statement".into(),
            span: key_span,
        };
        let root = Node {
            span: key_span.cover(list.span),
            value: Value::Object(vec![crate::syntax::tree::Entry { key, value: list }]),
        };
        PolicyDocument {
            implicit: true,
            ..PolicyDocument::build(file, root, kind, owner)
        }
    }

    /// Is `span` inside text a tool wrote ([`Self::generated`])?
    pub fn is_generated(&self, span: Span) -> bool {
        self.generated
            .iter()
            .any(|g| g.start <= span.start && span.end <= g.end)
    }

    /// How many `Action` and `Resource` items the document has: the ids of its items are below.
    pub fn item_count(&self) -> u32 {
        self.item_count
    }

    /// The object a statement was read from.
    pub fn statement_node(&self, st: &Statement) -> &Node {
        let list = self
            .root
            .get("Statement")
            .expect("a document with statements has a `Statement` entry");
        match st.pos {
            Some(i) => &list.items()[i],
            None => list,
        }
    }

    /// Every item of every statement's `Action` or `NotAction`, in order.
    pub fn action_items(&self) -> impl Iterator<Item = &Item> {
        self.statements
            .iter()
            .filter_map(|st| st.action.as_ref())
            .flat_map(|a| a.items.iter())
    }

    /// Where findings about the document as a whole point: its `Statement` key, or the document.
    pub fn anchor(&self) -> Span {
        self.statement_key.as_ref().map_or(
            Span::new(
                self.root.span.start as usize,
                self.root.span.start as usize + 1,
            ),
            |k| k.span,
        )
    }

    /// Does a principal value name this document's own account through a variable the format
    /// resolves (`${AWS::AccountId}`, `data.aws_caller_identity.current.account_id`)?
    pub fn is_own_account_var(&self, var: &str) -> bool {
        self.own_account_vars.iter().any(|v| v == var)
    }
}

fn item(n: &Node) -> Option<Item> {
    n.text().map(|t| Item::new(n.span, t.clone()))
}

fn items(n: &Node) -> (Vec<Item>, bool) {
    let mut unknown = false;
    let list = n.items();
    let mut out = Vec::with_capacity(list.len());
    for i in list {
        match item(i) {
            Some(it) if it.text.is_unknown() => {
                // `!Ref ListOfArns` may stand for any number of values: keep it, but flag the list.
                unknown = true;
                out.push(it);
            }
            Some(it) => out.push(it),
            None => unknown = true,
        }
    }
    (out, unknown)
}

fn element(key: &Key, n: &Node, negated: bool) -> Element {
    let (items, has_unknown) = items(n);
    Element {
        key: key.clone(),
        negated,
        span: n.span,
        items,
        has_unknown,
    }
}

/// Numbers the `Action`/`NotAction` and `Resource`/`NotResource` items of `statements` in
/// order ([`Item::id`]); returns how many there are.
fn number_items(statements: &mut [Statement]) -> u32 {
    let mut next = 0;
    for st in statements {
        for el in [&mut st.action, &mut st.resource].into_iter().flatten() {
            for item in &mut el.items {
                item.id = next;
                next += 1;
            }
        }
    }
    next
}

fn build_statement(index: usize, pos: Option<usize>, node: &Node) -> Statement {
    let entries = node.entries().unwrap_or_default();
    let mut st = Statement {
        index,
        span: node.span,
        pos,
        first_key: entries.first().map(|e| e.key.span),
        misspelt: entries
            .iter()
            .filter(|e| !STATEMENT_ELEMENTS.contains(&e.key.name.as_str()))
            .filter_map(|e| suggest::nearest(&e.key.name, STATEMENT_ELEMENTS.iter().copied()))
            .collect(),
        sid: None,
        effect: None,
        action: None,
        resource: None,
        principal: None,
        condition: None,
        action_index: OnceCell::new(),
    };
    for e in node.entries().unwrap_or_default() {
        let key = &e.key;
        let v = &e.value;
        // Of two conflicting elements (`Action`, `NotAction`) the first wins here; of one
        // element given twice, the last, as AWS reads it. Rules report the rest.
        let same = |k: Option<&Key>| k.is_none_or(|k| k.name == key.name);
        match key.name.as_str() {
            "Sid" => st.sid = item(v),
            "Effect" => st.effect = item(v),
            "Action" | "NotAction" if same(st.action.as_ref().map(|e| &e.key)) => {
                st.action = Some(element(key, v, key.name == "NotAction"));
            }
            "Resource" | "NotResource" if same(st.resource.as_ref().map(|e| &e.key)) => {
                st.resource = Some(element(key, v, key.name == "NotResource"));
            }
            "Principal" | "NotPrincipal" if same(st.principal.as_ref().map(|e| &e.key)) => {
                st.principal = Some(PrincipalElement {
                    key: key.clone(),
                    negated: key.name == "NotPrincipal",
                    span: v.span,
                    value: principal(v),
                });
            }
            "Condition" => st.condition = Some(condition(key, v)),
            _ => {}
        }
    }
    st
}

fn principal(v: &Node) -> Principal {
    match &v.value {
        // "Principal": "*"
        Value::Str(t) if t.literal() == Some("*") => Principal::Any(Item::new(v.span, t.clone())),
        // "Principal": {"AWS": ["arn:aws:iam::111122223333:root"], "Service": "ec2.amazonaws.com"}
        Value::Object(entries) => Principal::Map(
            entries
                .iter()
                .map(|e| (e.key.clone(), items(&e.value).0))
                .collect(),
        ),
        _ => Principal::Unknown,
    }
}

fn condition(key: &Key, v: &Node) -> Condition {
    let mut has_unknown = false;
    let mut operators = Vec::new();
    match &v.value {
        // "Condition": {"StringEquals": {"kms:ViaService": "rds.us-east-1.amazonaws.com"}}
        Value::Object(ops) => {
            for op in ops {
                let mut entries = Vec::new();
                match &op.value.value {
                    Value::Object(keys) => {
                        for k in keys {
                            let (values, unknown) = match &k.value.value {
                                // "aws:SecureTransport": false
                                Value::Bool(_) | Value::Number(_) => (
                                    vec![Item::new(k.value.span, Text::lit(scalar_text(&k.value)))],
                                    false,
                                ),
                                _ => items(&k.value),
                            };
                            has_unknown |= unknown;
                            entries.push(ConditionEntry {
                                key: k.key.clone(),
                                values,
                                span: k.value.span,
                            });
                        }
                    }
                    _ => has_unknown = true,
                }
                operators.push(ConditionOperator {
                    key: op.key.clone(),
                    op: Operator::parse(&op.key.name),
                    entries,
                });
            }
        }
        _ => has_unknown = true,
    }
    Condition {
        key: key.clone(),
        span: v.span,
        operators,
        has_unknown,
    }
}

fn scalar_text(n: &Node) -> String {
    match &n.value {
        Value::Bool(b) => b.to_string(),
        Value::Number(s) => s.clone(),
        _ => String::new(),
    }
}

/// A document with principals that reads as a KMS key policy: AWS's default key policy
/// (`"Id": "key-default-1"`, `key-consolepolicy-3`), or a statement granting `kms:*` (only a key
/// policy can: it is the root delegation every key policy starts with), or only `kms:` actions.
/// <https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html>
fn is_key_policy(root: &Node, stmts: &[&Node]) -> bool {
    if root
        .get("Id")
        .and_then(Node::literal)
        .is_some_and(|id| id.starts_with("key-default") || id.starts_with("key-consolepolicy"))
    {
        return true;
    }
    let actions = || {
        stmts
            .iter()
            .filter_map(|s| s.get("Action"))
            .flat_map(|a| a.items().iter())
    };
    let kms = |i: &Node| {
        i.literal()
            .is_some_and(|a| a.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("kms:")))
    };
    actions().any(|i| i.literal().is_some_and(|a| a.eq_ignore_ascii_case("kms:*")))
        || (actions().next().is_some()
            && stmts.iter().all(|s| s.get("Action").is_some())
            && actions().all(kms))
}

/// Kind of a raw policy document that does not say where it is attached: with a `Principal` it is
/// a key policy when it reads as one (`is_key_policy`), a trust policy when a statement names a `Federated` principal or every action is
/// `sts:AssumeRole*` (or the like), else a resource policy.
pub fn infer_kind(root: &Node) -> PolicyKind {
    let stmts: Vec<&Node> = match root.get("Statement") {
        Some(Node {
            value: Value::Array(a),
            ..
        }) => a.iter().collect(),
        Some(n) => vec![n],
        None => vec![],
    };
    let has_principal = stmts
        .iter()
        .any(|s| s.get("Principal").is_some() || s.get("NotPrincipal").is_some());
    if !has_principal {
        return PolicyKind::Identity;
    }
    if is_key_policy(root, &stmts) {
        return PolicyKind::KeyPolicy;
    }
    // Only a role's trust policy can name a `Federated` principal (an identity provider).
    let federated = stmts.iter().any(|s| {
        s.get("Principal")
            .and_then(Node::entries)
            .is_some_and(|es| es.iter().any(|e| e.key.name == "Federated"))
    });
    if federated {
        return PolicyKind::Trust;
    }
    let trust_only = stmts.iter().all(|s| {
        let Some(a) = s.get("Action").or_else(|| s.get("NotAction")) else {
            return false;
        };
        a.items().iter().all(|i| {
            i.literal().is_some_and(|a| {
                let a = a.to_ascii_lowercase();
                a.starts_with("sts:assumerole")
                    || a == "sts:tagsession"
                    || a == "sts:setsourceidentity"
            })
        })
    });
    if trust_only {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::{Part, TextBuilder};

    fn statement_with_actions(actions: &[String]) -> PolicyDocument {
        let text = serde_json::json!({
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": actions, "Resource": "*"}
        })
        .to_string();
        let file = SourceFile::new("p.json".into(), text);
        let root = crate::syntax::json::parse(&file.text, 0).unwrap().unwrap();
        PolicyDocument::build(&file, root, PolicyKind::Identity, None)
    }

    /// The item of the action's own service that covers it, in a short list and in a long one.
    #[test]
    fn covering_item_in_short_and_long_action_lists() {
        let head = ["s3:GetObject", "KMS:Enc*", "kms:de*", "kms:Decrypt", "*"];
        for extra in [0, 40] {
            let mut actions: Vec<String> =
                head.iter().map(std::string::ToString::to_string).collect();
            actions.extend((0..extra).map(|i| format!("ec2:Describe{i}")));
            let doc = statement_with_actions(&actions);
            let st = &doc.statements[0];
            let found = |a: &str| st.service_action_item_covering(a).and_then(Item::literal);
            assert_eq!(found("kms:Decrypt"), Some("kms:de*"));
            assert_eq!(found("KMS:encrypt"), Some("KMS:Enc*"));
            assert_eq!(found("s3:GetObject"), Some("s3:GetObject"));
            assert_eq!(found("s3:PutObject"), None, "`*` is not of the service");
            assert_eq!(
                found("ec2:Describe3"),
                (extra > 0).then_some("ec2:Describe3")
            );
            assert_eq!(found("iam:PassRole"), None);
        }
    }

    /// The item `action_item_covering` finds through the index is the first one in the list that
    /// covers the action, as reading the list finds it; with an item of any service (`*`) and
    /// without one (then the services no item names are answered from the set of services).
    #[test]
    fn covering_item_through_the_index_is_the_first_in_the_list() {
        let mut actions: Vec<String> = (0..40).map(|i| format!("ec2:Describe{i}")).collect();
        actions.extend(
            [
                "KMS:Enc*",
                "s3:Get*",
                "*:GetObject",
                "kms:de*",
                "S3*:Put*",
                "kms:Decrypt",
                "Kms:*",
            ]
            .map(String::from),
        );
        actions.extend((0..40).map(|i| format!("iam:Get{i}")));
        let without_star = actions.clone();
        actions.push("*".into());
        let short: Vec<String> = ["kms:Decrypt", "s3:Get*", "iam:PassRole"]
            .map(String::from)
            .into();
        for (list, star) in [(&actions, true), (&without_star, false), (&short, false)] {
            let doc = statement_with_actions(list);
            let st = &doc.statements[0];
            let items = &st.action.as_ref().unwrap().items;
            let read = |a: &str| {
                items
                    .iter()
                    .find(|i| i.literal().is_some_and(|p| wildcard_match(p, a, true)))
            };
            let mut found = 0;
            for a in [
                "kms:Decrypt",
                "KMS:encrypt",
                "kms:Sign",
                "s3:GetObject",
                "s3:PutObject",
                "s3:ListBucket",
                "ec2:Describe7",
                "EC2:describe39",
                "iam:Get3",
                "iam:PassRole",
                "s3-outposts:PutObject",
                "sts:AssumeRole",
                "lambda:InvokeFunction",
            ] {
                let through_index = st.action_item_covering(a);
                assert_eq!(
                    through_index.map(|i| i.span),
                    read(a).map(|i| i.span),
                    "{a}"
                );
                found += usize::from(through_index.is_some());
            }
            assert_eq!(found == 13, star);
            assert!(found >= 3, "{found}");
        }
        let doc = statement_with_actions(&actions);
        let st = &doc.statements[0];
        let literal = |a: &str| st.action_item_covering(a).and_then(Item::literal);
        assert_eq!(literal("s3:GetObject"), Some("s3:Get*"));
        assert_eq!(literal("s3:PutObject"), Some("S3*:Put*"));
        assert_eq!(literal("kms:Sign"), Some("Kms:*"));
        assert_eq!(literal("iam:PassRole"), Some("*"));
    }

    /// The `dbuser:` look-up before parsing says no only where parsing would.
    #[test]
    fn rds_dbuser_arns() {
        let item = |t: Text| Item::new(Span::default(), t);
        let lit = |s: &str| item(Text::lit(s));
        assert!(lit("arn:aws:rds:us-east-1:123456789012:dbuser:db-ABC/jane").is_rds_dbuser_arn());
        assert!(
            !lit("arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/jane").is_rds_dbuser_arn()
        );
        assert!(!lit("arn:aws:rds:us-east-1:123456789012:db:main").is_rds_dbuser_arn());
        assert!(!lit("arn:aws:s3:::b/dbuser:x").is_rds_dbuser_arn());
        let mut b = TextBuilder::default();
        b.push(Part::Lit("arn:".into()));
        b.push(Part::Var("partition".into()));
        b.push(Part::Lit(
            ":rds:us-east-1:123456789012:dbuser:db-ABC/jane".into(),
        ));
        assert!(item(b.finish()).is_rds_dbuser_arn());
        let mut b = TextBuilder::default();
        b.push(Part::Lit("arn:aws:rds:us-east-1:123456789012:".into()));
        b.push(Part::Var("kind".into()));
        b.push(Part::Lit(":db-ABC/jane".into()));
        assert!(
            !item(b.finish()).is_rds_dbuser_arn(),
            "`dbuser` is not known"
        );
    }

    #[test]
    fn operators_split_into_qualifier_base_and_if_exists() {
        assert_eq!(
            Operator::parse("ForAnyValue:StringLikeIfExists"),
            Operator {
                base: "StringLike".into(),
                if_exists: true,
                qualifier: Some(SetQualifier::ForAnyValue)
            }
        );
        assert_eq!(Operator::parse("Null").base, "Null");
        assert_eq!(Operator::parse("IfExists").base, "IfExists");
        assert_eq!(
            Operator::parse("ForAllValues:StringEquals").qualifier,
            Some(SetQualifier::ForAllValues)
        );
    }
}
