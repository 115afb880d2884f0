//! The YAML front end: text → spanned [`Node`] trees, one per document: by the fast reader
//! (`fast`) for the subset CloudFormation templates are written in, else from libyaml-safer's
//! events and a small iterative tree builder. Both give the same tree.
//!
//! CloudFormation's short tags become the long form they stand for, so that one intrinsic resolver
//! reads YAML and JSON alike: `!Sub "…"` is built as `{"Fn::Sub": "…"}`, `!Ref X` as
//! `{"Ref": "X"}`, `!Condition C` as `{"Condition": "C"}`, and any other `!Name` (custom tags
//! included) as `{"Fn::Name": …}`. The wrapper object's span is the value token *after* the tag
//! (what a finding should underline) and its key's span is the tag itself.
//!
//! Spans are byte offsets in the file. A scalar's span is its token (quotes and block header
//! included) without the anchor or tag before it; a block collection ends at its last child, so it
//! never covers the blank lines and comments after it.
//!
//! Hostile input stays cheap: nesting deeper than [`MAX_DEPTH`] and aliases that would expand to
//! more than [`ALIAS_BUDGET`] nodes stop the parse with an error (no stack overflow on
//! `[[[[…`, no billion laughs). Duplicate keys are kept, both entries, like the JSON front end.

use libyaml_safer::{EventData, MappingStyle, Parser, ScalarStyle, SequenceStyle};

mod fast;
#[cfg(test)]
mod tests;

use super::tree::{Entry, Key, Name, Node, Text, Value};
use crate::source::Span;

/// Deeper nesting is an error. CloudFormation templates stay under 30 levels; the limit keeps
/// every recursive walk over the tree (clone, drop, resolvers) far from the stack's end.
pub const MAX_DEPTH: usize = 256;

/// How many nodes aliases may add in one file, in all.
pub const ALIAS_BUDGET: usize = 100_000;

/// Where and why YAML could not be read (byte offsets in the file).
#[derive(Debug)]
pub struct YamlError {
    pub span: Span,
    pub message: String,
}

/// What a YAML stream gave: the documents read before any error, and the error.
#[derive(Debug, Default)]
pub struct Parsed {
    pub documents: Vec<Node>,
    pub error: Option<YamlError>,
}

/// A finished node, with what its parent needs to know about it.
struct Built {
    node: Node,
    /// The scalar text, when the node is a scalar: a mapping key's name.
    scalar: Option<String>,
    /// Nodes in the subtree, for the alias budget.
    size: usize,
    /// Where the node's text ends in this stream (an alias: the alias, not its anchor).
    end: usize,
}

enum Frame {
    Seq {
        props: Props,
        flow: bool,
        items: Vec<Node>,
        size: usize,
        last_end: Option<usize>,
    },
    Map {
        props: Props,
        flow: bool,
        entries: Vec<Entry>,
        /// `<<: *defaults` values, merged when the mapping ends.
        merges: Vec<Node>,
        key: Option<PendingKey>,
        size: usize,
        last_end: Option<usize>,
    },
}

/// A key waiting for its value. `None` name: a key that is not a scalar (`? [a, b]`), whose entry
/// is dropped, since no IAM or CloudFormation element is keyed that way.
struct PendingKey {
    name: Option<String>,
    span: Span,
}

/// Anchor, tag and where the node's token starts (after them).
struct Props {
    anchor: Option<String>,
    tag: Option<Tag>,
    value_start: usize,
}

struct Tag {
    name: String,
    span: Span,
}

struct Builder<'a> {
    text: &'a str,
    base: usize,
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<String, (Node, usize)>,
    alias_nodes: usize,
    documents: Vec<Node>,
}

/// Parses a YAML stream at byte offset `base` of its file. Every span is a file offset.
///
/// Most CloudFormation templates are read by the fast reader (`fast`); what it does not read
/// (anchors, block scalars, errors, …) is read by the builder over libyaml-safer's events. Both
/// give the same tree.
pub fn parse(text: &str, base: usize) -> Parsed {
    // libyaml reads a leading byte order mark without counting it in its offsets.
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        return parse(rest, base + '\u{feff}'.len_utf8());
    }
    if let Some(root) = fast::parse(text, base) {
        return Parsed {
            documents: vec![root],
            error: None,
        };
    }
    parse_events(text, base)
}

/// [`parse`] without the fast reader: the builder over libyaml-safer's events alone. Public for
/// the fuzz targets, which check that both agree.
pub fn parse_events(text: &str, base: usize) -> Parsed {
    if let Some(rest) = text.strip_prefix('\u{feff}') {
        return parse_events(rest, base + '\u{feff}'.len_utf8());
    }
    let mut b = Builder {
        text,
        base,
        stack: Vec::new(),
        anchors: std::collections::HashMap::default(),
        alias_nodes: 0,
        documents: Vec::new(),
    };
    let error = b.run().err();
    Parsed {
        documents: b.documents,
        error,
    }
}

impl Builder<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        let start = start.min(self.text.len());
        let end = end.clamp(start, self.text.len());
        Span::new(self.base + start, self.base + end)
    }

    fn error_at(&self, at: usize, message: impl Into<String>) -> YamlError {
        let at = at.min(self.text.len());
        let end = self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        YamlError {
            span: self.span(at, end),
            message: message.into(),
        }
    }

    fn run(&mut self) -> Result<(), YamlError> {
        // libyaml-safer 0.3 panics on a block scalar that ends the input without a line break
        // (`a: |\n  x`): it always gets one. Marks past the real text are clamped in `span`.
        let padded;
        let mut input = if self.text.ends_with(['\n', '\r']) {
            self.text.as_bytes()
        } else {
            padded = format!("{}\n", self.text);
            padded.as_bytes()
        };
        let mut parser = Parser::new();
        parser.set_input_string(&mut input);
        let mut root: Option<Node> = None;
        let mut last_end = 0;
        loop {
            let ev = match parse_quietly(&mut parser) {
                Ok(ev) => ev.map_err(|e| self.convert_error(&e))?,
                // `[!Ref, x]`: libyaml-safer 0.3 has a `panic!("TODO")` for a tag before `,`.
                Err(()) => {
                    return Err(self.error_at(
                        last_end,
                        "the YAML parser cannot read what follows; the file is not read further",
                    ));
                }
            };
            let start = ev.start_mark.index as usize;
            let end = ev.end_mark.index as usize;
            last_end = end;
            let done = match ev.data {
                EventData::StreamStart { .. } => None,
                EventData::StreamEnd => return Ok(()),
                EventData::DocumentStart { .. } => {
                    // Anchors do not cross documents.
                    self.anchors.clear();
                    root = None;
                    None
                }
                EventData::DocumentEnd { .. } => {
                    let doc = root.take().unwrap_or(Node {
                        span: self.span(start, start),
                        value: Value::Null,
                    });
                    self.documents.push(doc);
                    None
                }
                // `*defaults`
                EventData::Alias { anchor } => {
                    let Some((node, size)) = self.anchors.get(&anchor) else {
                        return Err(self.error_at(
                            start,
                            format!("alias `*{anchor}` names no anchor before it"),
                        ));
                    };
                    self.alias_nodes += size;
                    if self.alias_nodes > ALIAS_BUDGET {
                        return Err(self.error_at(
                            start,
                            format!("aliases expand to more than {ALIAS_BUDGET} nodes; the file is not read further (a \"billion laughs\" document?)"),
                        ));
                    }
                    Some(Built {
                        scalar: scalar_text(node),
                        node: node.clone(),
                        size: *size,
                        end,
                    })
                }
                // `Effect: Allow`, `Resource: !Sub "arn:…"`
                EventData::Scalar {
                    anchor,
                    tag,
                    value,
                    style,
                    ..
                } => {
                    let props = self.props(start, anchor, tag);
                    let span = self.span(props.value_start, end);
                    let plain = style == ScalarStyle::Plain;
                    let forced_str = props.tag.as_ref().is_some_and(|t| t.name == "!!str");
                    // A mapping key is only its text and span (see `attach`): no value node,
                    // and a value needs no copy of its text.
                    let is_key = props.anchor.is_none()
                        && matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
                    let (value, scalar) = if is_key {
                        (Value::Null, Some(value))
                    } else if plain && !forced_str {
                        (plain_value(value.into()), None)
                    } else {
                        (Value::Str(Text::lit(value)), None)
                    };
                    let (node, size) = wrap(Node { span, value }, 1, &props);
                    if let Some(a) = props.anchor {
                        self.anchors.insert(a, (node.clone(), size));
                    }
                    Some(Built {
                        node,
                        scalar,
                        size,
                        end,
                    })
                }
                EventData::SequenceStart {
                    anchor, tag, style, ..
                } => {
                    self.check_depth(start)?;
                    let props = self.props(start, anchor, tag);
                    self.stack.push(Frame::Seq {
                        props,
                        flow: style == SequenceStyle::Flow,
                        items: Vec::new(),
                        size: 1,
                        last_end: None,
                    });
                    None
                }
                EventData::MappingStart {
                    anchor, tag, style, ..
                } => {
                    self.check_depth(start)?;
                    let props = self.props(start, anchor, tag);
                    self.stack.push(Frame::Map {
                        props,
                        flow: style == MappingStyle::Flow,
                        entries: Vec::new(),
                        merges: Vec::new(),
                        key: None,
                        size: 1,
                        last_end: None,
                    });
                    None
                }
                EventData::SequenceEnd | EventData::MappingEnd => Some(self.close(end)),
            };
            if let Some(built) = done
                && let Some(node) = self.attach(built)
            {
                root = Some(node);
            }
        }
    }

    fn check_depth(&self, at: usize) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.error_at(
                at,
                format!("nesting deeper than {MAX_DEPTH} levels; the file is not read further"),
            ));
        }
        Ok(())
    }

    /// Ends the innermost collection; `end` is the event's end (after `]`/`}` in flow style).
    fn close(&mut self, end: usize) -> Built {
        let frame = self
            .stack
            .pop()
            .expect("libyaml balances collection events");
        let (props, flow, last_end, size, value) = match frame {
            Frame::Seq {
                props,
                flow,
                items,
                size,
                last_end,
            } => (props, flow, last_end, size, Value::Array(items)),
            Frame::Map {
                props,
                flow,
                mut entries,
                merges,
                size,
                last_end,
                ..
            } => {
                merge(&mut entries, merges);
                (props, flow, last_end, size, Value::Object(entries))
            }
        };
        // A block collection's end event sits at the next token, past blank lines and comments.
        let end = if flow {
            end
        } else {
            last_end.unwrap_or(props.value_start)
        };
        let node = Node {
            span: self.span(props.value_start, end),
            value,
        };
        let (node, size) = wrap(node, size, &props);
        if let Some(a) = props.anchor {
            self.anchors.insert(a, (node.clone(), size));
        }
        Built {
            node,
            scalar: None,
            size,
            end,
        }
    }

    /// Hands a finished node to its parent; returns it when it is a document's root.
    fn attach(&mut self, built: Built) -> Option<Node> {
        match self.stack.last_mut() {
            None => Some(built.node),
            Some(Frame::Seq {
                items,
                size,
                last_end,
                ..
            }) => {
                *size += built.size;
                *last_end = Some(built.end);
                items.push(built.node);
                None
            }
            Some(Frame::Map {
                entries,
                merges,
                key,
                size,
                last_end,
                ..
            }) => {
                *size += built.size;
                *last_end = Some(built.end);
                match key.take() {
                    // A tagged key (`!Sub x: y`) is named by its text; the tag is dropped.
                    None => {
                        *key = Some(PendingKey {
                            name: built.scalar,
                            span: built.node.span,
                        });
                    }
                    // `<<: *defaults` (YAML 1.1 merge key)
                    Some(PendingKey {
                        name: Some(name), ..
                    }) if name == "<<" => merges.push(built.node),
                    Some(PendingKey {
                        name: Some(name),
                        span,
                    }) => entries.push(Entry {
                        key: Key {
                            name: name.into(),
                            span,
                        },
                        value: built.node,
                    }),
                    Some(PendingKey { name: None, .. }) => {}
                }
                None
            }
        }
    }

    /// Reads the anchor and tag before a node's token and where the token itself starts.
    fn props(&self, start: usize, anchor: Option<String>, tag: Option<String>) -> Props {
        let (value_start, tag_span) = skip_props(self.text, start);
        let tag = tag.map(|t| Tag {
            name: match t.strip_prefix("tag:yaml.org,2002:") {
                Some(std) => format!("!!{std}"),
                None => t,
            },
            span: tag_span.map_or(self.span(start, start), |(s, e)| self.span(s, e)),
        });
        Props {
            anchor,
            tag,
            value_start,
        }
    }

    fn convert_error(&self, e: &libyaml_safer::Error) -> YamlError {
        let problem = e.problem();
        let Some(mark) = e.problem_mark() else {
            // Reader errors carry only a byte offset, in their text: "… (offset 5, value 7)".
            let text = e.to_string();
            let at = text
                .split("offset ")
                .nth(1)
                .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            return self.error_at(at, problem);
        };
        let message = match (e.context(), e.context_mark()) {
            (Some(ctx), Some(cm)) => format!("{problem} {ctx} that starts on line {}", cm.line + 1),
            (Some(ctx), None) => format!("{problem} {ctx}"),
            _ => problem.to_string(),
        };
        self.error_at(mark.index as usize, message)
    }
}

thread_local! {
    /// Set while this thread is inside libyaml-safer: a panic there is expected, caught and
    /// reported as a syntax error.
    static IN_PARSER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Is this thread inside libyaml-safer? A panic hook (the binary's) can keep the message of a
/// panic that [`parse`] catches and reports as a syntax error off stderr. The library installs
/// no hook of its own: the process's panic hook is its owner's to set.
pub fn in_parser() -> bool {
    IN_PARSER.with(std::cell::Cell::get)
}

/// The parser's next event; `Err(())` when it panicked. libyaml-safer 0.3 still has a few
/// `panic!`s on malformed input, and one YAML file must not end a run over a whole repository.
fn parse_quietly(
    parser: &mut Parser<&mut &[u8]>,
) -> Result<Result<libyaml_safer::Event, libyaml_safer::Error>, ()> {
    IN_PARSER.with(|q| q.set(true));
    let event = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse()));
    IN_PARSER.with(|q| q.set(false));
    event.map_err(|_| ())
}

/// Skips `&anchor` and `!tag` tokens, white space and comments from `at`: where the node's own
/// token starts, and the tag's byte range if there is one.
fn skip_props(text: &str, mut at: usize) -> (usize, Option<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut tag = None;
    loop {
        match bytes.get(at) {
            Some(b'!' | b'&') => {
                let start = at;
                while at < bytes.len() && !bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
                if bytes[start] == b'!' {
                    tag = Some((start, at));
                }
            }
            Some(b' ' | b'\t' | b'\r' | b'\n') => at += 1,
            Some(b'#') => {
                while at < bytes.len() && bytes[at] != b'\n' {
                    at += 1;
                }
            }
            _ => return (at, tag),
        }
    }
}

/// Puts a tagged node inside the long form of its intrinsic: `!Sub x` → `{"Fn::Sub": x}`.
fn wrap(node: Node, size: usize, props: &Props) -> (Node, usize) {
    let Some(tag) = &props.tag else {
        return (node, size);
    };
    let name: Name = match tag.name.as_str() {
        // `!!str 12`, `!!map {…}`: standard tags say what the node already is.
        n if n.starts_with("!!") => return (node, size),
        "!Ref" => "Ref".into(),
        "!Condition" => "Condition".into(),
        // The forms templates use most, without formatting their names.
        "!Sub" => "Fn::Sub".into(),
        "!GetAtt" => "Fn::GetAtt".into(),
        // `!Join`, `!Whatever`
        n if n.starts_with('!') && n.len() > 1 => format!("Fn::{}", &n[1..]).into(),
        // `!<tag:example.com,2000:x>`, a verbatim tag nothing here knows
        _ => return (node, size),
    };
    (
        Node {
            span: node.span,
            value: Value::Object(vec![Entry {
                key: Key {
                    name,
                    span: tag.span,
                },
                value: node,
            }]),
        },
        size + 1,
    )
}

/// Adds the entries of `<<` merge values that the mapping does not set itself.
fn merge(entries: &mut Vec<Entry>, merges: Vec<Node>) {
    for m in merges {
        let sources: Vec<Node> = match m.value {
            // `<<: [*a, *b]`
            Value::Array(items) => items,
            _ => vec![m],
        };
        for s in sources {
            if let Value::Object(es) = s.value {
                for e in es {
                    if !entries.iter().any(|x| x.key.name == e.key.name) {
                        entries.push(e);
                    }
                }
            }
        }
    }
}

fn scalar_text(n: &Node) -> Option<String> {
    match &n.value {
        Value::Str(t) => t.literal().map(str::to_string),
        Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A plain scalar's type, as CloudFormation's YAML reader sees it: `null`/`~`/empty, `true`/
/// `false`, numbers; everything else (`2012-10-17`, `yes`, `AWS::Region`) is a string.
fn plain_value(s: std::borrow::Cow<'_, str>) -> Value {
    match &*s {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ if is_number(&s) => Value::Number(s.into_owned()),
        _ => Value::Str(Text::lit(s)),
    }
}

fn is_number(s: &str) -> bool {
    // Most scalars are words: no number starts with a letter.
    if !s
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.'))
    {
        return false;
    }
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    if let Some(hex) = t.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if matches!(t, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod unit {
    use super::*;

    fn one(text: &str) -> Node {
        let p = parse(text, 0);
        assert!(p.error.is_none(), "{:?}", p.error);
        assert_eq!(p.documents.len(), 1);
        p.documents.into_iter().next().unwrap()
    }

    fn slice(text: &str, s: Span) -> &str {
        &text[s.range()]
    }

    #[test]
    fn short_tags_become_long_forms_spanning_the_value_token() {
        let text = "Resource: !Sub \"arn:${AWS::Region}\"\nJ: !Join [\"\", [a, !Ref X]]\n";
        let n = one(text);
        let r = n.get("Resource").unwrap();
        let e = &r.entries().unwrap()[0];
        assert_eq!(e.key.name, "Fn::Sub");
        assert_eq!(slice(text, e.key.span), "!Sub");
        assert_eq!(slice(text, r.span), "\"arn:${AWS::Region}\"");
        assert_eq!(e.value.literal(), Some("arn:${AWS::Region}"));
        let j = n.get("J").unwrap();
        assert_eq!(slice(text, j.span), "[\"\", [a, !Ref X]]");
        let inner = &j.get("Fn::Join").unwrap().items()[1].items()[1];
        assert_eq!(inner.get("Ref").unwrap().literal(), Some("X"));
        assert_eq!(slice(text, inner.span), "X");
    }

    #[test]
    fn block_collections_end_at_their_last_child() {
        let text = "a:\n  - x: 1\n    y: two\n  # note\n\nb: 2\n";
        let n = one(text);
        let a = n.get("a").unwrap();
        assert_eq!(slice(text, a.span), "- x: 1\n    y: two");
        assert_eq!(slice(text, a.items()[0].span), "x: 1\n    y: two");
        assert_eq!(n.get("b").unwrap().value, Value::Number("2".into()));
        assert_eq!(slice(text, n.entries().unwrap()[1].key.span), "b");
    }

    #[test]
    fn scalars_are_typed_like_cloudformation_reads_them() {
        let n = one("v: 2012-10-17\nb: false\nq: 'false'\nn:\ns: !!str 12\nh: yes\n");
        assert_eq!(n.get("v").unwrap().literal(), Some("2012-10-17"));
        assert_eq!(n.get("b").unwrap().value, Value::Bool(false));
        assert_eq!(n.get("q").unwrap().literal(), Some("false"));
        assert_eq!(n.get("n").unwrap().value, Value::Null);
        assert_eq!(n.get("s").unwrap().literal(), Some("12"));
        assert_eq!(n.get("h").unwrap().literal(), Some("yes"));
        for yes in ["1", "-2.5", "1e3", "0x1F", ".5"] {
            assert!(is_number(yes), "{yes}");
        }
        for no in ["1.2.3", "e3", "-", "12a", "."] {
            assert!(!is_number(no), "{no}");
        }
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "base: &b {Effect: Allow, Action: x}\ns: *b\nm:\n  <<: *b\n  Action: y\n";
        let n = one(text);
        assert_eq!(
            n.get("s").unwrap().get("Effect").unwrap().literal(),
            Some("Allow")
        );
        let m = n.get("m").unwrap();
        assert_eq!(m.get("Action").unwrap().literal(), Some("y"));
        assert_eq!(m.get("Effect").unwrap().literal(), Some("Allow"));
        assert_eq!(m.entries().unwrap().len(), 2);
    }

    #[test]
    fn duplicate_keys_are_both_kept_and_documents_are_separate() {
        let p = parse("a: 1\na: 2\n---\nb: 3\n", 0);
        assert_eq!(p.documents.len(), 2);
        assert_eq!(p.documents[0].entries().unwrap().len(), 2);
        assert_eq!(
            p.documents[1].get("b").unwrap().value,
            Value::Number("3".into())
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        let text = "a:\n  b: 1\n c: 2\n";
        let p = parse(text, 10);
        let e = p.error.unwrap();
        assert_eq!(e.span.start, 10 + 11);
        assert!(
            e.message.starts_with("did not find expected key"),
            "{}",
            e.message
        );
        let e = parse("a: *nope\n", 0).error.unwrap();
        assert_eq!(e.span, Span::new(3, 4));
        let e = parse("a: \"x\u{7}\"\n", 0).error.unwrap();
        assert_eq!(e.span.start, 5);
    }

    #[test]
    fn a_block_scalar_may_end_the_file() {
        for text in ["a: |\n  x", "a: >\n  x", "a: |", "- >-\n x\n y"] {
            let p = parse(text, 0);
            assert!(p.error.is_none(), "{text:?}: {:?}", p.error);
            assert!(p.documents[0].span.end as usize <= text.len());
        }
        let n = one("a: |\n  x");
        assert_eq!(n.get("a").unwrap().literal(), Some("x\n"));
        assert_eq!(n.get("a").unwrap().span, Span::new(3, 8));
    }

    #[test]
    fn a_parser_panic_is_a_syntax_error() {
        let text = "a: [!Ref, x]\n";
        let p = parse(text, 0);
        let e = p.error.unwrap();
        assert!(
            e.message.starts_with("the YAML parser cannot read"),
            "{}",
            e.message
        );
        assert_eq!(slice(text, e.span), "!");
    }

    #[test]
    fn a_byte_order_mark_is_not_counted_twice() {
        let text = "\u{feff}é: x\n";
        let n = parse(text, 0).documents.remove(0);
        let e = &n.entries().unwrap()[0];
        assert_eq!(slice(text, e.key.span), "é");
        assert_eq!(slice(text, e.value.span), "x");
    }

    #[test]
    fn hostile_input_stops_early() {
        let deep = "[".repeat(100_000);
        let e = parse(&deep, 0).error.unwrap();
        assert!(e.message.contains("nesting deeper"), "{}", e.message);
        assert_eq!(e.span.start as usize, MAX_DEPTH);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, prev) in ["b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g"])
        {
            bomb.push_str(&format!("{i}: &{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let e = parse(&bomb, 0).error.unwrap();
        assert!(e.message.contains("billion laughs"), "{}", e.message);
    }
}
