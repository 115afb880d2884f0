//! Turns the embedded AWS service reference (`data/iam-data.json.br`, see `data/README.md`) into
//! Rust statics at build time, so a run pays nothing to decode it: `src/iamdata/tables.rs`
//! `include!`s the generated `$OUT_DIR/iam_data.rs`.
//!
//! Everything the old run-time loader did happens here once: decompressing, checking the
//! layout, turning per-service indices into `&'static` references, turning templated condition
//! keys into wildcard patterns, lower-casing names for the case-insensitive lookups, and
//! building the cross-service condition key index. A malformed file fails the build with a
//! message (it is written and checked by `scripts/gen-iam-data.mjs`).

use std::cmp::{Ordering, Reverse};
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;

use serde_json::Value;

#[path = "src/iamdata/names.rs"]
mod names;

use names::cmp_ci;

/// The layout version this generator understands (the node generator's `FORMAT`).
const FORMAT: u64 = 1;

const DATA: &str = "data/iam-data.json.br";

fn main() {
    rule_registry();
    println!("cargo::rerun-if-changed={DATA}");
    println!("cargo::rerun-if-changed=build.rs");
    let compressed = std::fs::read(DATA).unwrap_or_else(|e| panic!("cannot read {DATA}: {e}"));
    let mut json = Vec::with_capacity(compressed.len() * 9);
    brotli_decompressor::Decompressor::new(&compressed[..], 1 << 16)
        .read_to_end(&mut json)
        .unwrap_or_else(|e| panic!("{DATA} does not decompress: {e}"));
    let doc: Value =
        serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{DATA} does not parse: {e}"));
    let code = generate(&doc);
    write_out("iam_data.rs", &code);
}

/// Writes `$OUT_DIR/name` as a new file (written beside it, then renamed over it), never into
/// the old file: a target folder copied with hard links keeps its own.
fn write_out(name: &str, code: &str) {
    let dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    let out = Path::new(&dir).join(name);
    let tmp = Path::new(&dir).join(format!("{name}.tmp"));
    std::fs::write(&tmp, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", tmp.display()));
    std::fs::rename(&tmp, &out).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

// ---- the rule registry ----

/// Writes `$OUT_DIR/rules.rs`, which `src/rules/mod.rs` includes: a module for every file of
/// `src/rules/` that holds a `declare_rule!`, and `ALL`, their rules sorted by name. The name and
/// the struct are read from the declaration, so a rule is registered by existing.
fn rule_registry() {
    const DIR: &str = "src/rules";
    println!("cargo::rerun-if-changed={DIR}");
    let dir =
        Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR")).join(DIR);
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {DIR}: {e}")) {
        let path = entry.expect("a folder entry").path();
        let Some(module) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "rs") || module == "mod" {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let Some(at) = text.find("declare_rule! {") else {
            panic!("{DIR}/{module}.rs declares no rule: every file here is a rule (declare_rule!)");
        };
        let decl = &text[at..];
        let after = |key: &str| {
            let i = decl
                .find(key)
                .unwrap_or_else(|| panic!("{DIR}/{module}.rs: `{key}` not found in declare_rule!"));
            decl[i + key.len()..].trim_start()
        };
        let rule: String = after("pub struct ")
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let name = after("name:")
            .strip_prefix('"')
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("{DIR}/{module}.rs: the rule's name is not a string"));
        assert!(
            name.replace('-', "_") == module,
            "{DIR}/{module}.rs declares `{name}`: a rule's file is named after it"
        );
        found.push((name.to_string(), module.to_string(), rule, path));
    }
    found.sort();
    let mut code = String::new();
    for (_, module, _, path) in &found {
        writeln!(
            code,
            "#[path = {:?}]\npub mod {module};",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str(
        "\n/// Every built-in rule, sorted by name.\npub static ALL: &[&dyn Rule] = &[\n",
    );
    for (_, module, rule, _) in &found {
        writeln!(code, "    &{module}::{rule},").unwrap();
    }
    code.push_str("];\n");
    write_out("rules.rs", &code);
}

// ---- reading the document ----

fn arr(v: &Value) -> &[Value] {
    v.as_array()
        .unwrap_or_else(|| panic!("{DATA}: expected an array, got {v}"))
}

fn st(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("{DATA}: expected a string, got {v}"))
}

fn num(v: &Value) -> usize {
    let n = v
        .as_u64()
        .unwrap_or_else(|| panic!("{DATA}: expected a number, got {v}"));
    usize::try_from(n).expect("index fits usize")
}

fn field<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc.get(name)
        .unwrap_or_else(|| panic!("{DATA}: no field {name:?}"))
}

/// The `ConditionType` variant for a type named as in the IAM docs.
fn type_variant(aws: &str) -> &'static str {
    match aws {
        "String" => "String",
        "ArrayOfString" => "ArrayOfString",
        "ARN" => "Arn",
        "ArrayOfARN" => "ArrayOfArn",
        "Bool" => "Bool",
        "ArrayOfBool" => "ArrayOfBool",
        "Numeric" => "Numeric",
        "ArrayOfNumeric" => "ArrayOfNumeric",
        "Date" => "Date",
        "ArrayOfDate" => "ArrayOfDate",
        "IPAddress" => "IpAddress",
        "ArrayOfIPAddress" => "ArrayOfIpAddress",
        "Binary" => "Binary",
        "ArrayOfBinary" => "ArrayOfBinary",
        "Null" => "Null",
        other => panic!("{DATA}: unknown condition type {other:?}; add it to ConditionType"),
    }
}

/// The `AccessLevel` bit for a level named as in the IAM docs (see `AccessLevel`'s constants).
fn access_bit(aws: &str) -> u8 {
    match aws {
        "List" => 1,
        "Read" => 1 << 1,
        "Write" => 1 << 2,
        "Permissions management" => 1 << 3,
        "Tagging" => 1 << 4,
        other => panic!("{DATA}: unknown access level {other:?}"),
    }
}

/// Turns a templated key into a wildcard pattern (each placeholder → `?*`, i.e. non-empty
/// text), or `None` if the key has no placeholder.
///
/// Placeholders in the data: `${Name}` (most), `<key>` (S3), and a trailing `/tag-key` (the
/// global tag keys and two services, spelled the way the IAM docs do).
fn template_pattern(key: &str) -> Option<String> {
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
    templated.then_some(pattern)
}

/// One condition key as the generator sees it, for the cross-service index.
struct Key {
    /// Position in `KEYS`.
    index: usize,
    key: String,
    template: Option<String>,
    /// 0 global, 1 declared by the service its prefix names, 2 declared by another service.
    tier: u8,
}

/// The tables being written. Every table is an array of plain integers and `Str`/`Run` pairs
/// (no pointers), so the compiled tables sit in read-only data that needs no relocation when
/// the program starts; text lives in one string, `STRINGS`.
#[derive(Default)]
struct Tables {
    strings: String,
    interned: std::collections::HashMap<String, (usize, usize)>,
    keys: Vec<String>,
    key_refs: Vec<String>,
    str_refs: Vec<String>,
    resource_types: Vec<String>,
    actions: Vec<String>,
    action_resources: Vec<String>,
    services: Vec<String>,
    /// ARN namespaces (the service field of formats) in order of first appearance, with the
    /// rows of `resource_types` whose formats name them.
    namespaces: Vec<(String, Vec<usize>)>,
    namespace_of: std::collections::HashMap<String, usize>,
}

impl Tables {
    /// `Str(offset, len)` of `text` in `STRINGS`, each distinct text stored once.
    fn s(&mut self, text: &str) -> String {
        let (at, len) = if let Some(&found) = self.interned.get(text) {
            found
        } else {
            let found = (self.strings.len(), text.len());
            self.strings.push_str(text);
            self.interned.insert(text.to_owned(), found);
            found
        };
        format!("Str({at},{len})")
    }

    /// `Run(start, len)` of the condition keys at `base + i` for each per-service index `i`.
    fn key_run(&mut self, indices: &Value, base: usize, count: usize, owner: &str) -> String {
        let start = self.key_refs.len();
        for i in arr(indices) {
            let i = num(i);
            assert!(i < count, "{DATA}: {owner}: condition key {i} out of range");
            self.key_refs.push((base + i).to_string());
        }
        format!("Run({start},{})", self.key_refs.len() - start)
    }

    /// Files resource type `row` under the service field of each of its ARN formats (`s3`,
    /// `execute-api`). A field with a placeholder (`arn:${Partition}:${Vendor}:…`, AWS Backup)
    /// names no namespace.
    fn add_namespaces(&mut self, formats: &str, row: usize) {
        for format in formats.split(", ").map(str::trim) {
            let Some(ns) = format.split(':').nth(2) else {
                continue;
            };
            if ns.contains('{') || ns.contains('*') {
                continue;
            }
            let at = if let Some(&at) = self.namespace_of.get(ns) {
                at
            } else {
                self.namespaces.push((ns.to_owned(), Vec::new()));
                self.namespace_of
                    .insert(ns.to_owned(), self.namespaces.len() - 1);
                self.namespaces.len() - 1
            };
            let rows = &mut self.namespaces[at].1;
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
    }

    /// `Run(start, len)` of the strings in `STR_REFS`.
    fn str_run(&mut self, v: &Value) -> String {
        let start = self.str_refs.len();
        for item in arr(v) {
            let lit = self.s(st(item));
            self.str_refs.push(lit);
        }
        format!("Run({start},{})", self.str_refs.len() - start)
    }
}

// ---- writing Rust ----

fn generate(doc: &Value) -> String {
    let format = field(doc, "format").as_u64();
    assert_eq!(
        format,
        Some(FORMAT),
        "{DATA} has format {format:?}, this build reads {FORMAT}; rerun scripts/update-iam-data.sh"
    );
    let access: Vec<u8> = arr(field(doc, "access"))
        .iter()
        .map(|n| access_bit(st(n)))
        .collect();
    let types: Vec<&str> = arr(field(doc, "types"))
        .iter()
        .map(|n| type_variant(st(n)))
        .collect();
    let categories: Vec<&str> = arr(field(doc, "globalCategories")).iter().map(st).collect();

    let mut t = Tables::default();
    // (hash, row) of each service prefix and each `prefix:action`, for the hash indexes.
    let mut service_hashes: Vec<u64> = Vec::new();
    let mut action_hashes: Vec<u64> = Vec::new();
    // The length of the longest `prefix:action`, in bytes.
    let mut longest_action = 0;
    // (name, row) of every action, for `ACTIONS_BY_NAME`.
    let mut action_names: Vec<(String, usize)> = Vec::new();
    let mut all_keys: Vec<Key> = Vec::new();
    let mut push_key = |t: &mut Tables, key: &str, ty: &str, origin: String, tier: u8| {
        let template = template_pattern(key);
        let key_lit = t.s(key);
        let template_lit = match &template {
            Some(p) => format!("Some({})", t.s(p)),
            None => "None".to_owned(),
        };
        all_keys.push(Key {
            index: t.keys.len(),
            key: key.to_owned(),
            template,
            tier,
        });
        t.keys.push(format!(
            "ConditionKeyInfo{{key:{key_lit},ty:ConditionType::{ty},origin:KeyOrigin::{origin},template:{template_lit}}}"
        ));
    };

    let global = arr(field(doc, "global"));
    for g in global {
        let g = arr(g);
        let category = t.s(categories[num(&g[2])]);
        push_key(
            &mut t,
            st(&g[0]),
            types[num(&g[1])],
            format!("Global({category})"),
            0,
        );
    }
    let global_len = t.keys.len();

    let services = arr(field(doc, "services"));
    check_sorted(
        services.iter().map(|s| st(&arr(s)[0])),
        "services",
        "prefixes",
    );
    for (si, service) in services.iter().enumerate() {
        let [prefix, name, keys, resource_types, actions] = arr(service) else {
            panic!("{DATA}: service {si} is not [prefix, name, keys, resource types, actions]");
        };
        let prefix = st(prefix);
        let keys = arr(keys);
        let resource_types = arr(resource_types);
        let actions = arr(actions);
        check_sorted(
            keys.iter().map(|k| st(&arr(k)[0])),
            prefix,
            "condition keys",
        );
        check_sorted(
            resource_types.iter().map(|r| st(&arr(r)[0])),
            prefix,
            "resource types",
        );
        check_sorted(actions.iter().map(|a| st(&arr(a)[0])), prefix, "actions");

        let key_base = t.keys.len();
        for k in keys {
            let k = arr(k);
            let key = st(&k[0]);
            let own = key
                .split(':')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix));
            push_key(
                &mut t,
                key,
                types[num(&k[1])],
                format!("Service({si})"),
                if own { 1 } else { 2 },
            );
        }

        let rt_base = t.resource_types.len();
        for r in resource_types {
            let [key, arn_format, keys_of] = arr(r) else {
                panic!("{DATA}: {prefix}: resource type is not [key, ARN format, keys]");
            };
            let row = t.resource_types.len();
            t.add_namespaces(st(arn_format), row);
            let key = t.s(st(key));
            let arn_format = t.s(st(arn_format));
            let keys_of = t.key_run(keys_of, key_base, keys.len(), prefix);
            t.resource_types.push(format!(
                "ResourceType{{row:{row},service:{si},key:{key},arn_format:{arn_format},condition_keys:{keys_of}}}"
            ));
        }

        let action_base = t.actions.len();
        for a in actions {
            let [name, bits, resources, keys_of, dependent] = arr(a) else {
                panic!(
                    "{DATA}: {prefix}: action is not [name, access, resources, keys, dependent]"
                );
            };
            let bits = num(bits);
            let level = access
                .iter()
                .enumerate()
                .filter(|&(i, _)| bits & (1 << i) != 0)
                .fold(0u8, |all, (_, &bit)| all | bit);
            let res_start = t.action_resources.len();
            for r in arr(resources) {
                let [rt, required, keys_of, dependent] = arr(r) else {
                    panic!(
                        "{DATA}: {prefix}: action resource is not [type, required, keys, dependent]"
                    );
                };
                let rt = num(rt);
                assert!(
                    rt < resource_types.len(),
                    "{DATA}: {prefix}: resource type {rt} out of range"
                );
                let keys_of = t.key_run(keys_of, key_base, keys.len(), prefix);
                let dependent = t.str_run(dependent);
                t.action_resources.push(format!(
                    "ActionResource{{resource_type:{},required:{},condition_keys:{keys_of},dependent_actions:{dependent}}}",
                    rt_base + rt,
                    num(required) != 0,
                ));
            }
            let res_run = format!("Run({res_start},{})", t.action_resources.len() - res_start);
            let keys_of = t.key_run(keys_of, key_base, keys.len(), prefix);
            let dependent = t.str_run(dependent);
            let name = st(name);
            action_names.push((name.to_owned(), t.actions.len()));
            let full = format!("{prefix}:{name}");
            longest_action = longest_action.max(full.len());
            action_hashes.push(names::fold(names::START, full.as_bytes()));
            let name = t.s(name);
            t.actions.push(format!(
                "Action{{service:{si},name:{name},access_level:AccessLevel({level}),resource_types:{res_run},condition_keys:{keys_of},dependent_actions:{dependent}}}"
            ));
        }

        service_hashes.push(names::fold(names::START, prefix.as_bytes()));
        let prefix_lit = t.s(prefix);
        let name = t.s(st(name));
        t.services.push(format!(
            "Service{{prefix:{prefix_lit},name:{name},actions:Run({action_base},{}),resource_types:Run({rt_base},{}),condition_keys:Run({key_base},{})}}",
            actions.len(),
            resource_types.len(),
            keys.len()
        ));
    }

    // Rows of these are stored as u16.
    assert!(
        u16::try_from(t.services.len()).is_ok() && u16::try_from(t.resource_types.len()).is_ok()
    );
    let (exact, templated) = index_condition_keys(all_keys);
    let mut namespace_rows = Vec::new();
    let mut namespace_types = Vec::new();
    let mut namespace_hashes = Vec::new();
    for (ns, rows) in std::mem::take(&mut t.namespaces) {
        namespace_hashes.push(names::fold(names::START, ns.as_bytes()));
        let name = t.s(&ns);
        namespace_rows.push(format!(
            "ArnNamespace{{name:{name},types:Run({},{})}}",
            namespace_types.len(),
            rows.len()
        ));
        namespace_types.extend(rows.iter().map(usize::to_string));
    }

    let mut out = String::with_capacity(8 << 20);
    writeln!(
        out,
        "// Generated by build.rs from {DATA}; do not edit.\n\
         pub(super) const SOURCE: &str = {:?};\n\
         pub(super) const DATE: &str = {:?};\n\
         pub(super) const GLOBAL_KEYS: usize = {global_len};\n\
         pub(super) const LONGEST_ACTION: usize = {longest_action};\n\
         pub(super) const STRINGS: &str = {:?};",
        st(field(doc, "source")),
        st(field(doc, "date")),
        t.strings
    )
    .unwrap();
    let mut table = |name: &str, ty: &str, rows: &[String]| {
        writeln!(
            out,
            "pub(super) const {name}_LEN: usize = {};\n\
             pub(super) static {name}: [{ty}; {name}_LEN] = [\n{}\n];",
            rows.len(),
            rows.join(",\n")
        )
        .unwrap();
    };
    table("KEYS", "ConditionKeyInfo", &t.keys);
    table("KEY_REFS", "u32", &t.key_refs);
    table("STR_REFS", "Str", &t.str_refs);
    table("RESOURCE_TYPES", "ResourceType", &t.resource_types);
    table("ACTION_RESOURCES", "ActionResource", &t.action_resources);
    table("ACTIONS", "Action", &t.actions);
    table("SERVICES", "Service", &t.services);
    table("SERVICE_INDEX", "u32", &hash_index(&service_hashes));
    table("ACTION_INDEX", "u32", &hash_index(&action_hashes));
    table("ACTIONS_BY_NAME", "u32", &by_name(action_names));
    table("EXACT_KEY_INDEX", "u32", &exact);
    table("TEMPLATED_KEYS", "u32", &templated);
    table("ARN_NAMESPACES", "ArnNamespace", &namespace_rows);
    table("ARN_NAMESPACE_TYPES", "u32", &namespace_types);
    table("ARN_NAMESPACE_INDEX", "u32", &hash_index(&namespace_hashes));
    out
}

/// An open-addressing hash table (linear probing, at most half full) of the rows whose hashes
/// are given: each slot holds a row, or `u32::MAX` when empty.
fn hash_index(hashes: &[u64]) -> Vec<String> {
    let len = (hashes.len() * 2).next_power_of_two();
    let mut slots = vec![u32::MAX; len];
    for (row, &h) in hashes.iter().enumerate() {
        let mut at = names::slot(h, len);
        while slots[at] != u32::MAX {
            at = (at + 1) & (len - 1);
        }
        slots[at] = u32::try_from(row).expect("row fits u32");
    }
    slots.iter().map(u32::to_string).collect()
}

/// Rows of `ACTIONS` sorted case-insensitively by action name alone, then by row (so by
/// service prefix): the actions called `GetSecretValue` in any service are one run of it,
/// found by binary search (did-you-mean across services, `suggest.rs`).
fn by_name(mut names: Vec<(String, usize)>) -> Vec<String> {
    names.sort_by(|a, b| cmp_ci(&a.0, &b.0).then(a.1.cmp(&b.1)));
    names.iter().map(|(_, row)| row.to_string()).collect()
}

/// The lookups binary-search case-insensitively: every list must be sorted that way, with no
/// two names equal ignoring case.
fn check_sorted<'a>(names: impl Iterator<Item = &'a str>, owner: &str, what: &str) {
    let names: Vec<&str> = names.collect();
    for w in names.windows(2) {
        assert!(
            cmp_ci(w[0], w[1]) == Ordering::Less,
            "{DATA}: {owner}: {what} not sorted case-insensitively: {:?} before {:?}",
            w[0],
            w[1]
        );
    }
}

/// The cross-service condition key lookup: exact names (one entry per name, as a hash index
/// of rows of `KEYS`) and templates (rows of `KEYS` in the order they are tried).
///
/// Several services declare the same key (`aws:ResourceTag/${TagKey}` in hundreds, a few
/// service keys in neighbours). Precedence: the global declaration, then the declaration by
/// the service the key's prefix names, then the first other service by prefix. Among
/// templates, more literal text first, so `events:Metadata/${MetadataKey}/Matcher` is tried
/// before `events:Metadata/${MetadataKey}`.
fn index_condition_keys(mut all: Vec<Key>) -> (Vec<String>, Vec<String>) {
    // Stable: within a tier, services stay in prefix order.
    all.sort_by(|a, b| cmp_ci(&a.key, &b.key).then(a.tier.cmp(&b.tier)));
    all.dedup_by(|later, kept| later.key.eq_ignore_ascii_case(&kept.key));
    let (mut templated, exact): (Vec<Key>, Vec<Key>) =
        all.into_iter().partition(|k| k.template.is_some());
    let literal_len = |k: &Key| {
        k.template
            .as_deref()
            .map_or(0, |p| p.bytes().filter(|&b| b != b'?' && b != b'*').count())
    };
    templated.sort_by_key(|k| (k.tier, Reverse(literal_len(k))));
    // The index holds positions in `exact`; turn them into rows of `KEYS`.
    let hashes: Vec<u64> = exact
        .iter()
        .map(|k| names::fold(names::START, k.key.as_bytes()))
        .collect();
    let index = hash_index(&hashes)
        .into_iter()
        .map(|slot| match slot.parse::<usize>() {
            Ok(i) if i < exact.len() => exact[i].index.to_string(),
            _ => slot,
        })
        .collect();
    let rows = templated.iter().map(|k| k.index.to_string()).collect();
    (index, rows)
}
