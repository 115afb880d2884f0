//! Decoding the embedded `data/iam-data.json.br` into the tables of [`IamData`].
//!
//! The file is written by `scripts/gen-iam-data.mjs`; its layout is described in
//! `data/README.md`. Everything built here lives until the process ends (it sits in a
//! `static OnceLock`), so the decompressed JSON buffer and the tables are leaked on purpose:
//! strings borrow straight from the buffer and cross references are plain `&'static`
//! pointers, which keeps loading to one pass without a per-string allocation.
//!
//! The data is generated and checked by our own script and covered by tests, so a malformed
//! file is a build defect: it panics with a message rather than surfacing a `Result` to every
//! lint rule.

use std::cmp::Reverse;
use std::fmt;
use std::io::Read;
use std::sync::Mutex;

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};

use super::{
    AccessLevel, Action, ActionResource, ConditionKeyInfo, ConditionType, IamData, KeyOrigin,
    ResourceType, Service, cmp_ci,
};

/// The compressed data, written by `scripts/update-iam-data.sh`.
const BYTES: &[u8] = include_bytes!("../../data/iam-data.json.br");

/// The layout version this loader understands (the generator's `FORMAT`).
const FORMAT: u32 = 1;

pub(super) fn load() -> IamData {
    let json = decompress();
    let doc: RawDoc<'static> = serde_json::from_slice(json)
        .unwrap_or_else(|e| panic!("embedded IAM data does not parse: {e}"));
    assert_eq!(
        doc.format, FORMAT,
        "embedded IAM data has format {}, this build reads {FORMAT}; rerun scripts/update-iam-data.sh",
        doc.format
    );

    let access: Vec<AccessLevel> = doc
        .access
        .iter()
        .map(|n| {
            AccessLevel::from_aws_name(n.0)
                .unwrap_or_else(|| panic!("unknown access level {:?}", n.0))
        })
        .collect();
    let types: Vec<ConditionType> = doc
        .types
        .iter()
        .map(|n| {
            ConditionType::from_aws_name(n.0)
                .unwrap_or_else(|| panic!("unknown condition type {:?}", n.0))
        })
        .collect();

    let global_keys: &'static [ConditionKeyInfo] = doc
        .global
        .into_iter()
        .map(|RawGlobal(key, ty, category)| {
            ConditionKeyInfo::new(
                key.0,
                types[ty],
                KeyOrigin::Global(doc.global_categories[category].0),
            )
        })
        .collect::<Vec<_>>()
        .leak();
    let services: &'static [Service] = doc
        .services
        .into_iter()
        .map(|raw| build_service(raw, &access, &types))
        .collect::<Vec<_>>()
        .leak();
    let (exact_keys, templated_keys) = index_condition_keys(global_keys, services);

    IamData {
        source: doc.source.0,
        date: doc.date.0,
        services,
        global_keys,
        exact_keys,
        templated_keys,
        expansions: Mutex::default(),
    }
}

fn decompress() -> &'static [u8] {
    // The JSON is about 8.5× the compressed size; reserving avoids regrowing a 1.5 MB buffer.
    let mut json = Vec::with_capacity(BYTES.len() * 9);
    brotli_decompressor::Decompressor::new(BYTES, 1 << 16)
        .read_to_end(&mut json)
        .unwrap_or_else(|e| panic!("embedded IAM data does not decompress: {e}"));
    json.leak()
}

fn build_service(
    raw: RawService<'static>,
    access: &[AccessLevel],
    types: &[ConditionType],
) -> Service {
    let RawService(prefix, name, keys, resource_types, actions) = raw;
    let prefix = prefix.0;

    let condition_keys: &'static [ConditionKeyInfo] = keys
        .into_iter()
        .map(|RawKey(key, ty)| ConditionKeyInfo::new(key.0, types[ty], KeyOrigin::Service(prefix)))
        .collect::<Vec<_>>()
        .leak();
    let keys_at = |indices: Vec<usize>| -> Box<[&'static ConditionKeyInfo]> {
        indices.into_iter().map(|i| &condition_keys[i]).collect()
    };

    let resource_types: &'static [ResourceType] = resource_types
        .into_iter()
        .map(|RawResourceType(key, arn_format, keys)| ResourceType {
            service: prefix,
            key: key.0,
            arn_format: arn_format.0,
            condition_keys: keys_at(keys),
        })
        .collect::<Vec<_>>()
        .leak();

    let actions: &'static [Action] = actions
        .into_iter()
        .map(
            |RawAction(name, access_bits, resources, keys, dependent)| Action {
                service: prefix,
                name: name.0,
                access_level: decode_access(access_bits, access),
                resource_types: resources
                    .into_iter()
                    .map(
                        |RawActionResource(rt, required, keys, dependent)| ActionResource {
                            resource_type: &resource_types[rt],
                            required: required != 0,
                            condition_keys: keys_at(keys),
                            dependent_actions: strs(dependent),
                        },
                    )
                    .collect(),
                condition_keys: keys_at(keys),
                dependent_actions: strs(dependent),
            },
        )
        .collect::<Vec<_>>()
        .leak();

    Service {
        prefix,
        name: name.0,
        actions,
        resource_types,
        condition_keys,
    }
}

/// Bit `i` of the file's access bits stands for the file's `access[i]`.
fn decode_access(bits: u32, access: &[AccessLevel]) -> AccessLevel {
    access
        .iter()
        .enumerate()
        .filter(|&(i, _)| bits & (1 << i) != 0)
        .fold(AccessLevel::default(), |all, (_, &level)| all | level)
}

fn strs(raw: Vec<Str<'static>>) -> Box<[&'static str]> {
    raw.into_iter().map(|s| s.0).collect()
}

/// Builds the cross-service condition key lookup: exact names (one entry per name, sorted
/// for binary search) and templates (in the order they are tried).
///
/// Several services declare the same key (`aws:ResourceTag/${TagKey}` in hundreds, a few
/// service keys in neighbours). Precedence: the global declaration, then the declaration by
/// the service the key's prefix names, then the first other service by prefix. Among
/// templates, more literal text first, so `events:Metadata/${MetadataKey}/Matcher` is tried
/// before `events:Metadata/${MetadataKey}`.
fn index_condition_keys(
    global: &'static [ConditionKeyInfo],
    services: &'static [Service],
) -> (
    Vec<&'static ConditionKeyInfo>,
    Vec<&'static ConditionKeyInfo>,
) {
    let tier = |k: &ConditionKeyInfo| match k.origin {
        KeyOrigin::Global(_) => 0,
        KeyOrigin::Service(prefix) => {
            let own = k
                .key
                .split(':')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(prefix));
            if own { 1 } else { 2 }
        }
    };
    let mut all: Vec<(u8, &'static ConditionKeyInfo)> = global
        .iter()
        .chain(services.iter().flat_map(|s| s.condition_keys.iter()))
        .map(|k| (tier(k), k))
        .collect();
    // Stable: within a tier, services stay in prefix order.
    all.sort_by(|a, b| cmp_ci(a.1.key, b.1.key).then(a.0.cmp(&b.0)));
    all.dedup_by(|later, kept| later.1.key.eq_ignore_ascii_case(kept.1.key));

    let (mut templated, exact): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|(_, k)| k.is_templated());
    templated.sort_by_key(|&(tier, k)| (tier, Reverse(k.literal_len())));
    (
        exact.into_iter().map(|(_, k)| k).collect(),
        templated.into_iter().map(|(_, k)| k).collect(),
    )
}

// ---- The file's shape (see data/README.md). Lists are positional to keep the file small. ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDoc<'a> {
    format: u32,
    #[serde(borrow)]
    source: Str<'a>,
    #[serde(borrow)]
    date: Str<'a>,
    #[serde(borrow)]
    access: Vec<Str<'a>>,
    #[serde(borrow)]
    types: Vec<Str<'a>>,
    #[serde(borrow)]
    global_categories: Vec<Str<'a>>,
    #[serde(borrow)]
    global: Vec<RawGlobal<'a>>,
    #[serde(borrow)]
    services: Vec<RawService<'a>>,
}

/// `[key, type index, category index]`
#[derive(Deserialize)]
struct RawGlobal<'a>(#[serde(borrow)] Str<'a>, usize, usize);

/// `[prefix, name, condition keys, resource types, actions]`
#[derive(Deserialize)]
struct RawService<'a>(
    #[serde(borrow)] Str<'a>,
    #[serde(borrow)] Str<'a>,
    #[serde(borrow)] Vec<RawKey<'a>>,
    #[serde(borrow)] Vec<RawResourceType<'a>>,
    #[serde(borrow)] Vec<RawAction<'a>>,
);

/// `[key, type index]`
#[derive(Deserialize)]
struct RawKey<'a>(#[serde(borrow)] Str<'a>, usize);

/// `[key, ARN format, condition key indices]`
#[derive(Deserialize)]
struct RawResourceType<'a>(
    #[serde(borrow)] Str<'a>,
    #[serde(borrow)] Str<'a>,
    Vec<usize>,
);

/// `[name, access bits, resource types, condition key indices, dependent actions]`
#[derive(Deserialize)]
struct RawAction<'a>(
    #[serde(borrow)] Str<'a>,
    u32,
    #[serde(borrow)] Vec<RawActionResource<'a>>,
    Vec<usize>,
    #[serde(borrow)] Vec<Str<'a>>,
);

/// `[resource type index, required (0/1), condition key indices, dependent actions]`
#[derive(Deserialize)]
struct RawActionResource<'a>(usize, u8, Vec<usize>, #[serde(borrow)] Vec<Str<'a>>);

/// A string borrowed from the JSON buffer. serde can only borrow strings without escapes;
/// the rare escaped one is decoded into a leaked allocation, consistent with the rest of the
/// data living forever.
struct Str<'a>(&'a str);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for StrVisitor<'a> {
            type Value = Str<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Box::leak(v.into())))
            }
        }
        deserializer.deserialize_str(StrVisitor(std::marker::PhantomData))
    }
}
