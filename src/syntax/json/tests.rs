//! The fast reader's tests. What it reads, it must read exactly as jsonc-parser and the
//! conversion of its tree do (values and spans); what it does not read, it must leave to
//! jsonc-parser. Checked on every JSON file of the repository, on hand-picked cases, on generated
//! documents (which it must all read) and on damaged ones.

use proptest::prelude::*;

use super::{fast, parse, parse_jsonc};
use crate::syntax::tree::Node;

/// Both readers on `text`: `Some(root)` when the fast reader read it (and jsonc-parser agrees),
/// `None` when it left the text to jsonc-parser.
fn agree(text: &str) -> Result<Option<Node>, TestCaseError> {
    let base = 5;
    let jsonc = parse_jsonc(text, base);
    let Some(root) = fast::parse(text, base) else {
        return Ok(None);
    };
    match jsonc {
        Ok(Some(j)) => prop_assert_eq!(&j, &root, "the readers differ on\n{}", text),
        Ok(None) => prop_assert!(false, "jsonc-parser found no value in\n{text}"),
        Err(e) => prop_assert!(
            false,
            "the fast reader read what jsonc-parser refuses ({}):\n{text}",
            e.message
        ),
    }
    Ok(Some(root))
}

fn read_fast(text: &str) -> Node {
    match agree(text) {
        Ok(Some(root)) => root,
        Ok(None) => panic!("the fast reader left this to jsonc-parser:\n{text}"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn every_json_file_of_the_repository_reads_as_jsonc_parser_reads_it() {
    let (mut fast, mut total) = (0, 0);
    for f in &crate::syntax::repository_files(&[".json"]) {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        total += 1;
        match agree(&text) {
            Ok(Some(_)) => fast += 1,
            Ok(None) => {}
            Err(e) => panic!("{}: {e}", f.display()),
        }
    }
    assert!(total >= 50, "only {total} JSON files found");
    // Most are policies and templates; the rest are broken on purpose or have comments.
    assert!(
        fast * 4 >= total * 3,
        "only {fast} of {total} files read fast"
    );
}

#[test]
fn a_policy_reads_with_values_and_spans() {
    let text = "{\r\n\t\"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\":\"Allow\",\
                \"Action\": [\"s3:Get*\", \"kms:Decrypt\"], \"Resource\": \"arn:aws:s3:::b\\/k\\u00e9\",\
                \"Condition\": {\"NumericLessThan\": {\"n\": -1.5e+3}, \"Bool\": {\"x\": true}}, \"N\": null}]}\n";
    let root = read_fast(text);
    let st = &root.get("Statement").unwrap().items()[0];
    let r = st.get("Resource").unwrap();
    assert_eq!(r.literal(), Some("arn:aws:s3:::b/ké"));
    let at = text.find("\"arn:").unwrap();
    assert_eq!(
        &text[r.span.start as usize - 5..r.span.end as usize - 5],
        &text[at..at + 25]
    );
    let n = st
        .get("Condition")
        .unwrap()
        .get("NumericLessThan")
        .unwrap()
        .get("n")
        .unwrap();
    assert_eq!(
        n.value,
        crate::syntax::tree::Value::Number("-1.5e+3".into())
    );
}

#[test]
fn what_strict_json_leaves_out_goes_to_jsonc_parser() {
    for text in [
        "",
        "   ",
        "{\"a\": 1,}",
        "[1, 2,]",
        "{\"a\": 1 // c\n}",
        "/* c */ {}",
        "{a: 1}",
        "{'a': 1}",
        "[01]",
        "[1.]",
        "[.5]",
        "[+1]",
        "[-]",
        "[1e]",
        "[0x1F]",
        "[NaN]",
        "[truex]",
        "[\"\\ud83d\\ude00\"]",
        "[\"\\q\"]",
        "[\"a\tb\"]",
        "{\"a\" 1}",
        "{} {}",
        "\u{feff}{}",
        "[\u{a0}1]",
        "{\"a\": {\"b\": ",
    ] {
        assert!(agree(text).unwrap().is_none(), "read fast: {text:?}");
        let _ = parse(text, 0);
    }
    let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
    assert!(agree(&deep).unwrap().is_none());
    let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
    read_fast(&ok);
}

fn json(depth: u32) -> BoxedStrategy<String> {
    let ws = || prop::sample::select(vec!["", " ", "\n  ", "\t", "\r\n"]);
    let string = prop::collection::vec(
        prop_oneof![
            6 => "[a-zA-Z0-9:/*${}.,#' -]",
            1 => Just("é".to_string()),
            1 => prop::sample::select(vec!["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041", "\\u00E9", "\\u2028"]).prop_map(str::to_string),
        ],
        0..8,
    )
    .prop_map(|v| format!("\"{}\"", v.concat()));
    let leaf = prop_oneof![
        4 => string.clone(),
        1 => "-?(0|[1-9][0-9]{0,3})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?",
        1 => prop::sample::select(vec!["true", "false", "null"]).prop_map(str::to_string),
    ];
    leaf.prop_recursive(depth, 40, 5, move |inner| {
        prop_oneof![
            prop::collection::vec((ws(), inner.clone(), ws()), 0..5).prop_map(|v| {
                let items: Vec<String> = v
                    .into_iter()
                    .map(|(a, x, b)| format!("{a}{x}{b}"))
                    .collect();
                format!("[{}]", items.join(","))
            }),
            prop::collection::vec((string.clone(), ws(), inner, ws()), 0..5).prop_map(|v| {
                let entries: Vec<String> = v
                    .into_iter()
                    .map(|(k, a, x, b)| format!("{k}{a}:{b}{x}"))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }),
        ]
    })
    .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn generated_documents_read_fast_as_jsonc_parser_reads_them(
        text in json(4),
        before in prop::sample::select(vec!["", " ", "\n"]),
        after in prop::sample::select(vec!["", "\n", "  \r\n"]),
    ) {
        let text = format!("{before}{text}{after}");
        prop_assert!(agree(&text)?.is_some(), "left to jsonc-parser:\n{}", text);
    }

    #[test]
    fn damaged_documents_read_fast_only_as_jsonc_parser_reads_them(
        text in json(4),
        at in any::<prop::sample::Index>(),
        cut in 0usize..3,
        insert in prop::sample::select(vec!["", ",", ":", "\"", "\\", "[", "]", "{", "}", "0", "-", ".", "e", "/", "//", "\n", "\u{1}", "tru", " "]),
    ) {
        agree(&crate::syntax::damage(&text, at, cut, insert))?;
    }
}
