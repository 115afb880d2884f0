//! The spanned document tree every front end (JSON, YAML, HCL) produces and the policy model reads.
//!
//! A value that the linter cannot know — a CloudFormation `!Ref`, a Terraform `${var.x}`, a
//! Serverless `${self:…}` — is kept as a [`Text`] with [`Part::Var`] parts, next to the literal
//! parts around it. Nothing is guessed: rules ask [`Text::literal`] and stay silent on `None`.

use std::rc::Rc;

use crate::source::Span;

/// Stands for an unknown part in [`Text::masked`].
pub const UNKNOWN: char = '\u{FFFC}';
const UNKNOWN_STR: &str = "\u{FFFC}";

/// The default is a null at offset 0: what a value moved out of a tree leaves.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Node {
    /// The whole token in the original file (quotes and tags included).
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    /// The number as written.
    Number(String),
    Str(Text),
    Array(Vec<Node>),
    /// Entries in source order; duplicate keys are kept, a rule may report them.
    Object(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Key,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: Name,
    pub span: Span,
}

/// An object key's text. Shared, not copied: the policy model keeps the keys of its elements,
/// and CloudFormation's resolved copies keep the template's.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Name(Rc<str>);

impl Name {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// The keys nearly every policy and template holds: a thread makes each once and hands out
/// shared copies, where any other key is allocated each time it is read.
const COMMON_KEYS: [&str; 20] = [
    "Effect",
    "Action",
    "Resource",
    "Type",
    "Properties",
    "Sid",
    "Version",
    "Statement",
    "Condition",
    "PolicyDocument",
    "Principal",
    "Description",
    "Policies",
    "PolicyName",
    "AssumeRolePolicyDocument",
    "Service",
    "Ref",
    "Fn::Sub",
    "Fn::GetAtt",
    "AWS",
];

/// The thread's shared copy of `s`, when `s` is one of `texts` (`shared` holds their copies).
fn shared<T: Clone, const N: usize>(
    texts: &[&str; N],
    shared: &'static std::thread::LocalKey<[T; N]>,
    s: &str,
) -> Option<T> {
    let i = texts.iter().position(|t| *t == s)?;
    Some(shared.with(|copies| copies[i].clone()))
}

impl Name {
    fn new(s: &str) -> Name {
        thread_local! {
            static COMMON: [Name; COMMON_KEYS.len()] = COMMON_KEYS.map(|k| Name(Rc::from(k)));
        }
        shared(&COMMON_KEYS, &COMMON, s).unwrap_or_else(|| Name(Rc::from(s)))
    }
}

impl From<String> for Name {
    fn from(s: String) -> Name {
        Name::new(&s)
    }
}

impl From<std::borrow::Cow<'_, str>> for Name {
    fn from(s: std::borrow::Cow<'_, str>) -> Name {
        Name::new(&s)
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Name {
        Name::new(s)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

/// A string whose parts are literal text or values known only when the infrastructure is deployed.
/// Built with [`TextBuilder`]; never changed after. The parts are shared, so the policy model's
/// items hold the tree's texts without copying them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub parts: Rc<[Part]>,
}

impl Default for Text {
    fn default() -> Self {
        Text { parts: Rc::new([]) }
    }
}

/// Builds a [`Text`] a part at a time, merging adjacent literals so a fully known text is always
/// one `Lit`.
#[derive(Debug, Default)]
pub struct TextBuilder {
    parts: Vec<Part>,
}

impl TextBuilder {
    pub fn push(&mut self, part: Part) {
        match (self.parts.last_mut(), part) {
            (_, Part::Lit(s)) if s.is_empty() => {}
            (Some(Part::Lit(prev)), Part::Lit(s)) => prev.push_str(&s),
            (_, p) => self.parts.push(p),
        }
    }

    /// Appends every part of `text`.
    pub fn push_text(&mut self, text: &Text) {
        for p in text.parts.iter() {
            self.push(p.clone());
        }
    }

    pub fn finish(self) -> Text {
        Text {
            parts: self.parts.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    /// An expression the linter does not evaluate, as written (`AWS::Region`, `var.region`).
    Var(String),
}

/// The values nearly every policy holds, shared per thread like [`COMMON_KEYS`].
const COMMON_VALUES: [&str; 5] = ["Allow", "Deny", "2012-10-17", "*", "sts:AssumeRole"];

impl Text {
    pub fn lit<S: AsRef<str> + Into<String>>(s: S) -> Self {
        thread_local! {
            static COMMON: [Text; COMMON_VALUES.len()] = COMMON_VALUES.map(|v| Text {
                parts: Rc::new([Part::Lit(v.to_string())]),
            });
        }
        shared(&COMMON_VALUES, &COMMON, s.as_ref()).unwrap_or_else(|| Text {
            parts: Rc::new([Part::Lit(s.into())]),
        })
    }

    pub fn var(s: impl Into<String>) -> Self {
        Text {
            parts: Rc::new([Part::Var(s.into())]),
        }
    }

    /// The value when every part is literal.
    pub fn literal(&self) -> Option<&str> {
        match &*self.parts {
            [] => Some(""),
            [Part::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// True when nothing of the value is known.
    pub fn is_unknown(&self) -> bool {
        !self.parts.is_empty() && self.parts.iter().all(|p| matches!(p, Part::Var(_)))
    }

    pub fn var_name(&self) -> Option<&str> {
        match &*self.parts {
            [Part::Var(v)] => Some(v),
            _ => None,
        }
    }

    /// The literal text before the first unknown part.
    pub fn known_prefix(&self) -> &str {
        match self.parts.first() {
            Some(Part::Lit(s)) => s,
            _ => "",
        }
    }

    /// The value with each unknown part replaced by [`UNKNOWN`], one character that is never `:`,
    /// `/` or `*`, so ARN fields split where the literal text says and unknown stays visible.
    pub fn masked(&self) -> std::borrow::Cow<'_, str> {
        match self.literal() {
            Some(s) => std::borrow::Cow::Borrowed(s),
            None => std::borrow::Cow::Owned(
                self.parts
                    .iter()
                    .map(|p| match p {
                        Part::Lit(l) => l.as_str(),
                        Part::Var(_) => UNKNOWN_STR,
                    })
                    .collect(),
            ),
        }
    }

    /// The value as people write it: unknown parts shown as `${…}` (what `{}` formats).
    pub fn display(&self) -> String {
        self.to_string()
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in self.parts.iter() {
            match p {
                Part::Lit(l) => f.write_str(l)?,
                Part::Var(v) => write!(f, "${{{v}}}")?,
            }
        }
        Ok(())
    }
}

impl Node {
    pub fn text(&self) -> Option<&Text> {
        match &self.value {
            Value::Str(t) => Some(t),
            _ => None,
        }
    }

    /// A string node's value when fully known.
    pub fn literal(&self) -> Option<&str> {
        self.text().and_then(Text::literal)
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Object(e) => Some(e),
            _ => None,
        }
    }

    /// The value of the last entry with this key (exact case): of duplicate keys, AWS (like any
    /// JSON reader that keeps one) reads the last.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The last entry with this key (see [`Node::get`]).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().rev().find(|e| e.key.name == key)
    }

    /// A string-or-list value as a list: `"s3:*"` and `["s3:*"]` both give one item.
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Array(a) => a,
            _ => std::slice::from_ref(self),
        }
    }

    pub fn entries_mut(&mut self) -> Option<&mut [Entry]> {
        match &mut self.value {
            Value::Object(e) => Some(e),
            _ => None,
        }
    }

    /// [`Node::get`], to change or take the value.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entry_mut(key).map(|e| &mut e.value)
    }

    pub fn entry_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.entries_mut()?.iter_mut().find(|e| e.key.name == key)
    }

    /// [`Node::items`], to change or take the items.
    pub fn items_mut(&mut self) -> &mut [Node] {
        match self.value {
            Value::Array(ref mut a) => a,
            _ => std::slice::from_mut(self),
        }
    }

    /// The node, leaving `null` in its place: a front end's tree is read once, and a policy
    /// document takes its part of it instead of a copy.
    pub fn take(&mut self) -> Node {
        std::mem::replace(
            self,
            Node {
                span: self.span,
                value: Value::Null,
            },
        )
    }

    /// True when the value is unknown as a whole (`Resource: !Ref Arns`).
    pub fn is_unknown(&self) -> bool {
        self.text().is_some_and(Text::is_unknown)
    }

    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::Str(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_merge_literals_and_keep_unknown_parts() {
        let mut b = TextBuilder::default();
        b.push(Part::Lit("arn:aws:rds-db:".into()));
        b.push(Part::Var("AWS::Region".into()));
        b.push(Part::Lit(":".into()));
        b.push(Part::Lit(String::new()));
        b.push(Part::Lit("dbuser:*/*".into()));
        let t = b.finish();
        assert_eq!(t.parts.len(), 3);
        assert_eq!(t.literal(), None);
        assert_eq!(t.known_prefix(), "arn:aws:rds-db:");
        assert_eq!(t.display(), "arn:aws:rds-db:${AWS::Region}:dbuser:*/*");
        assert!(!t.is_unknown());
        assert!(Text::var("x").is_unknown());
        assert_eq!(Text::lit("a").literal(), Some("a"));
    }

    #[test]
    fn common_values_are_shared_and_other_values_are_not() {
        for v in COMMON_VALUES {
            let (a, b) = (Text::lit(v), Text::lit(v.to_string()));
            assert_eq!(a.literal(), Some(v));
            assert!(Rc::ptr_eq(&a.parts, &b.parts), "{v} is one shared text");
        }
        let (a, b) = (Text::lit("allow"), Text::lit("allow"));
        assert_eq!(a, b);
        assert!(!Rc::ptr_eq(&a.parts, &b.parts));
    }

    #[test]
    fn common_keys_are_shared_and_other_keys_are_not() {
        for k in COMMON_KEYS {
            let (a, b) = (Name::from(k), Name::from(k.to_string()));
            assert_eq!(a, k);
            assert!(Rc::ptr_eq(&a.0, &b.0), "{k} is one shared name");
        }
        for k in ["effect", "Actions", "", "Principals"] {
            let (a, b) = (Name::from(k), Name::from(k));
            assert_eq!(a, k);
            assert!(!Rc::ptr_eq(&a.0, &b.0), "{k} is allocated each time");
        }
    }
}
