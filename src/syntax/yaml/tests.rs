//! The fast reader's tests. What it reads, it must read exactly as the builder over
//! libyaml-safer's events does (tree, values and spans); what it does not read, it must leave to
//! the builder. Checked on every YAML file of the repository, on hand-picked cases, on generated
//! templates (which it must all read) and on damaged ones.

use proptest::prelude::*;

use super::{fast, parse, parse_events};
use crate::syntax::tree::Node;

/// Both readers on `text`: `Some(root)` when the fast reader read it (and the builder agrees),
/// `None` when it left the text to the builder.
fn agree(text: &str) -> Result<Option<Node>, TestCaseError> {
    let base = 7;
    let events = parse_events(text, base);
    let Some(root) = fast::parse(text, base) else {
        return Ok(None);
    };
    prop_assert!(
        events.error.is_none(),
        "the fast reader read what the builder refuses: {:?}\n{text}",
        events.error
    );
    prop_assert_eq!(
        &events.documents,
        &vec![root.clone()],
        "the readers differ on\n{}",
        text
    );
    Ok(Some(root))
}

fn read_fast(text: &str) -> Node {
    match agree(text) {
        Ok(Some(root)) => root,
        Ok(None) => panic!("the fast reader left this to the builder:\n{text}"),
        Err(e) => panic!("{e}"),
    }
}

fn left_to_builder(text: &str) {
    match agree(text) {
        Ok(None) => {}
        Ok(Some(_)) => panic!("the fast reader read this:\n{text}"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn every_yaml_file_of_the_repository_reads_as_the_builder_reads_it() {
    let (mut fast, mut total) = (0, 0);
    for f in &crate::syntax::repository_files(&[".yaml", ".yml", ".template"]) {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        total += 1;
        match agree(text) {
            Ok(Some(_)) => fast += 1,
            Ok(None) => {}
            Err(e) => panic!("{}: {e}", f.display()),
        }
    }
    assert!(total >= 30, "only {total} YAML files found");
    // Most are CloudFormation templates in the subset; the rest use anchors, block scalars,
    // Go templates or are broken on purpose.
    assert!(fast * 2 >= total, "only {fast} of {total} files read fast");
}

#[test]
fn a_template_reads_with_tags_spans_and_types() {
    let text = "\
AWSTemplateFormatVersion: '2010-09-09'
# a comment
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
      - PolicyName: p   # indentless
        PolicyDocument:
          Statement:
            - Effect: Allow
              Action: [s3:GetObject, 'kms:Decrypt']
              Resource: !Sub 'arn:${AWS::Partition}:s3:::b/*'
              Condition: {Bool: {aws:SecureTransport: \"true\"}}
            - Effect: Deny
              NotAction:
                - iam:*
              Resource: !GetAtt
                - Bucket
                - Arn
      Empty:
      Max: 12
";
    let root = read_fast(text);
    let slice = |n: &Node| &text[n.span.start as usize - 7..n.span.end as usize - 7];
    let st = root.get("Resources").unwrap().get("Role").unwrap();
    let props = st.get("Properties").unwrap();
    let pol = &props.get("Policies").unwrap().items()[0];
    let stmts = pol
        .get("PolicyDocument")
        .unwrap()
        .get("Statement")
        .unwrap()
        .items();
    assert_eq!(stmts.len(), 2);
    assert_eq!(
        slice(stmts[0].get("Resource").unwrap()),
        "'arn:${AWS::Partition}:s3:::b/*'"
    );
    assert_eq!(
        stmts[0].get("Action").unwrap().items()[1].literal(),
        Some("kms:Decrypt")
    );
    assert_eq!(slice(stmts[1].get("NotAction").unwrap()), "- iam:*");
    let getatt = stmts[1].get("Resource").unwrap().get("Fn::GetAtt").unwrap();
    assert_eq!(getatt.items().len(), 2);
    assert!(props.get("Empty").unwrap().value == crate::syntax::tree::Value::Null);
}

#[test]
fn what_the_subset_leaves_out_goes_to_the_builder() {
    for text in [
        "a: &x 1\nb: *x\n",
        "a: |2\n  text\n",
        "a: |\n  \n  text\n",
        "a: >\n  text\n   \n  more\n",
        "a: |\n",
        "a: plain\n  continued\n",
        "a: 'quoted\n  continued'\n",
        "a:\n\t- x\n",
        "a: 1\r\nb: 2\r\n",
        "a: 1\n---\nb: 2\n",
        "%YAML 1.1\n---\na: 1\n",
        "? a\n: b\n",
        "a: b: c\n",
        "a: [x, y,]\n",
        "a: [x: y]\n",
        "a: {x}\n",
        "<<: {a: 1}\n",
        "a:\n- x\n -y\n",
        "a: 1\n  b: 2\n",
        "- \n- x\n",
        "just a scalar\n",
        "",
        "# only a comment\n",
        "a: !Ref\nb: 1\n",
        "a: !!str 1\n",
        "a: \"\\x41\"\n",
        "a: [x # c\n  ]\n",
        "a: 'x'#c\n",
        "a: \u{85}\n",
        "k: [a:, b]\n",
        "\u{fffd}a:\n  b: 1\n",
    ] {
        left_to_builder(text);
        // And the whole front end still reads it (or reports it).
        let _ = parse(text, 0);
    }
}

#[test]
fn edge_cases_read_as_the_builder_reads_them() {
    for text in [
        "---\na: 1\n",
        "a: 1",
        "a:",
        "a:\n",
        "a:\n# c\nb:\n",
        "a:   # c\n  - x\n  - y   # c\n\n\nb: 'it''s'\n",
        "a: \"q \\\"x\\\" \\u00e9 \\\\ \\/\"\n",
        "- x\n- {a: b, c: [d, e]}\n- !Ref y\n-\n  k: v\n",
        "  a: 1\n  b: 2\n",
        "a: [\n    x,\n    'y'\n  ]\nb: 2\n",
        "a: !If\n  - c\n  - x\n  - y\n",
        "a: !Join ['', [!Ref X, ':', !GetAtt A.Arn]]\n",
        "a: -1\nb: .5\nc: 0x1F\nd: ~\ne: TRUE\nf: yes\n",
        "a b c: x y  z \n",
        "'k:1': x\n\"k 2\": y\n",
        "é: ü\n",
        "a: x#y\n",
        "a: {}\nb: []\n",
        "a:\n  - b: 1\n    c:\n      - d\n  - e\n",
        "a: |\n  text\n",
        "a: >-\n  text\n",
        "a: >\n  one\n  two\n\n  three\n    indented\n  four\n\n\nb: 1\n",
        "a: |+\n  x\n\n\n# c\nb: |-\n    y\n     z\n",
        "- !Sub |\n  echo ${X}\n  # not a comment\n- >\n\n  after a blank line\n",
        "a: | # header comment\n  x",
        "a: >+\n  x",
        "k:\n  a: >\n   x\n  b: 2\n",
        "- - x\n  - - y\n    - z\n- w\n",
    ] {
        read_fast(text);
    }
}

/// A node to render as YAML in the subset the fast reader reads.
#[derive(Clone, Debug)]
enum Gen {
    Scalar(String),
    Flow(String),
    /// A block scalar: header (`|`, `>-`, …) and lines (empty, or indented further).
    Block(String, Vec<String>),
    Tagged(String, Box<Gen>),
    Map(Vec<(String, Gen, bool)>),
    Seq(Vec<Gen>, bool),
    Empty,
}

fn plain() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9]([A-Za-z0-9:/*._${}-]{0,10}[A-Za-z0-9*])?",
        "[a-z0-9]{1,4}( [a-z0-9]{1,4}){1,2}",
        "-?[0-9]{1,3}(\\.[0-9]{1,2})?",
        Just("true".to_string()),
        Just("null".to_string()),
        Just("~".to_string()),
        Just("é".to_string()),
    ]
}

fn flow_plain() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]([A-Za-z0-9:/*._-]{0,8}[A-Za-z0-9*])?"
}

fn quoted() -> impl Strategy<Value = String> {
    prop_oneof![
        "'([a-z:# ,\\[\\]{}\"-]|''){0,8}'",
        "\"([a-z:# ,\\[\\]{}'-]|\\\\[\"\\\\/ntbfr0]|\\\\u00e9){0,8}\"",
    ]
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![3 => plain(), 2 => quoted()]
}

fn flow(depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        3 => flow_plain(),
        2 => quoted(),
        1 => flow_plain().prop_map(|s| format!("!Ref {s}")),
    ];
    leaf.prop_recursive(depth, 12, 3, |inner| {
        prop_oneof![
            (prop::collection::vec(inner.clone(), 0..4), "[ \n]{0,2}").prop_map(|(v, sep)| {
                let sep = if sep.contains('\n') {
                    ",\n      "
                } else {
                    ", "
                };
                format!("[{}]", v.join(sep))
            }),
            prop::collection::vec((flow_plain(), inner.clone()), 0..3).prop_map(|v| {
                let v: Vec<String> = v.into_iter().map(|(k, x)| format!("{k}: {x}")).collect();
                format!("{{{}}}", v.join(", "))
            }),
            prop::collection::vec(inner, 1..3).prop_map(|v| format!("!GetAtt [{}]", v.join(", "))),
        ]
    })
    .boxed()
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[A-Za-z][A-Za-z0-9_.-]{0,8}(:[A-Za-z0-9]{1,5})?",
        1 => "'[a-z :#-]{1,6}'",
        1 => "\"[a-z :#-]{1,6}\"",
    ]
}

fn tag() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Sub"),
        Just("Ref"),
        Just("GetAtt"),
        Just("If"),
        Just("Condition")
    ]
    .prop_map(str::to_string)
}

fn node(depth: u32) -> BoxedStrategy<Gen> {
    let block = (
        prop::sample::select(vec!["|", ">", "|-", ">-", "|+", ">+"]),
        prop::collection::vec("( {0,2}[a-z#:]{1,6}( [a-z]{1,3})?)?", 1..5),
    )
        .prop_map(|(h, mut lines)| {
            // The first line sets the indentation: it has content and no extra spaces.
            lines.insert(0, "first".into());
            Gen::Block(h.to_string(), lines)
        });
    let leaf = prop_oneof![
        1 => block,
        4 => scalar().prop_map(Gen::Scalar),
        1 => flow(2).prop_map(Gen::Flow),
        1 => (tag(), scalar()).prop_map(|(t, s)| Gen::Tagged(t, Box::new(Gen::Scalar(s)))),
        1 => Just(Gen::Empty),
    ];
    leaf.prop_recursive(depth, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec((key(), inner.clone(), any::<bool>()), 1..5).prop_map(Gen::Map),
            (prop::collection::vec(inner.clone(), 1..4), any::<bool>())
                .prop_map(|(v, indentless)| Gen::Seq(v, indentless)),
            (tag(), inner).prop_map(|(t, g)| Gen::Tagged(t, Box::new(g))),
        ]
    })
    .boxed()
}

/// Renders a mapping's entries at column `n`; `first` is already on its line (after `- `).
fn render_map(out: &mut String, entries: &[(String, Gen, bool)], n: usize, first_inline: bool) {
    for (i, (k, v, comment)) in entries.iter().enumerate() {
        if *comment {
            out.push_str(&format!("{}# note\n\n", " ".repeat(n)));
        }
        if !(first_inline && i == 0) || *comment {
            out.push_str(&" ".repeat(n));
        }
        out.push_str(k);
        out.push(':');
        render_value(out, v, n, true);
    }
}

/// Renders a value after `key:` (`in_map`) or `-`, for a collection at column `n`.
fn render_value(out: &mut String, v: &Gen, n: usize, in_map: bool) {
    match v {
        Gen::Scalar(s) | Gen::Flow(s) => out.push_str(&format!(" {s}\n")),
        Gen::Block(h, lines) => render_block_scalar(out, h, lines, n),
        Gen::Empty if in_map => out.push('\n'),
        Gen::Empty => out.push_str(" x\n"),
        Gen::Tagged(t, inner) => match &**inner {
            Gen::Map(_) | Gen::Seq(..) => {
                out.push_str(&format!(" !{t}\n"));
                render_block(out, inner, n + 2);
            }
            Gen::Empty => out.push_str(&format!(" !{t} x\n")),
            Gen::Tagged(_, _) => out.push_str(&format!(" !{t} y\n")),
            // One tag per node.
            Gen::Flow(s) if s.starts_with('!') => out.push_str(&format!(" {s}\n")),
            Gen::Scalar(s) | Gen::Flow(s) => out.push_str(&format!(" !{t} {s}\n")),
            Gen::Block(h, lines) => {
                out.push_str(&format!(" !{t}"));
                render_block_scalar(out, h, lines, n);
            }
        },
        Gen::Map(entries) if !in_map && entries.len() > 1 => {
            // A compact mapping: `- k: v` then the other keys under it.
            out.push(' ');
            render_map(out, entries, n + 2, true);
        }
        Gen::Seq(items, true) if !in_map => {
            // A compact sequence: `- - a` then the other entries under it.
            out.push(' ');
            render_seq(out, items, n + 2, true);
        }
        Gen::Seq(items, true) if in_map => {
            out.push('\n');
            render_seq(out, items, n, false);
        }
        Gen::Map(_) | Gen::Seq(..) => {
            out.push_str(" # block\n");
            render_block(out, v, n + 2);
        }
    }
}

fn render_block_scalar(out: &mut String, header: &str, lines: &[String], n: usize) {
    out.push_str(&format!(" {header}\n"));
    for l in lines {
        if !l.is_empty() {
            out.push_str(&" ".repeat(n + 2));
            out.push_str(l);
        }
        out.push('\n');
    }
}

fn render_block(out: &mut String, v: &Gen, n: usize) {
    match v {
        Gen::Map(entries) => render_map(out, entries, n, false),
        Gen::Seq(items, _) => render_seq(out, items, n, false),
        _ => unreachable!("only collections are blocks"),
    }
}

fn render_seq(out: &mut String, items: &[Gen], n: usize, first_inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if !(first_inline && i == 0) {
            out.push_str(&" ".repeat(n));
        }
        out.push('-');
        render_value(out, item, n, false);
    }
}

fn document() -> impl Strategy<Value = String> {
    (node(3), any::<bool>()).prop_map(|(g, start)| {
        let mut out = String::new();
        if start {
            out.push_str("---\n");
        }
        match g {
            Gen::Map(entries) => render_map(&mut out, &entries, 0, false),
            Gen::Seq(items, _) => render_seq(&mut out, &items, 0, false),
            other => render_map(&mut out, &[("Root".into(), other, false)], 0, false),
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn generated_templates_read_fast_as_the_builder_reads_them(text in document()) {
        prop_assert!(agree(&text)?.is_some(), "left to the builder:\n{}", text);
    }

    #[test]
    fn damaged_templates_read_fast_only_as_the_builder_reads_them(
        text in document(),
        at in any::<prop::sample::Index>(),
        cut in 0usize..4,
        insert in prop::sample::select(vec!["", "-", " ", ":", "#", "'", "\"", "[", "]", "{", "}", "!", "&", "*", "|", ">", "\n", "  ", "- ", ": ", ",", "?", "\\", "%"]),
    ) {
        agree(&crate::syntax::damage(&text, at, cut, insert))?;
    }
}
