//! "Could this ARN be of that resource type?": matching policy ARNs (with IAM wildcards, policy
//! variables and parts unknown to static analysis) against the ARN formats of the service
//! authorization reference, such as
//! `arn:${Partition}:rds-db:${Region}:${Account}:dbuser:${DbiResourceId}/${DbUserName}`.
//!
//! Both sides describe a *set* of strings, so the question is whether the two sets intersect.
//! Each side becomes a list of [`El`]ements (one character from a set, or a run of characters
//! from a set) and a depth-first search over pairs of positions decides the intersection:
//! at most (len₁+1)·(len₂+1) states, no recursion, no regex engine.
//!
//! How the reference's formats are read (decided here, keep in sync with
//! [`ResourceType::arn_matches`](super::ResourceType::arn_matches)):
//! - A `${Placeholder}` (or a bare `{Placeholder}`, which one format uses) stands for a
//!   non-empty run of characters without `:`; it may contain `/` (log group names, paths).
//! - The placeholder that ends a format may also contain `:` (Lambda qualifiers, S3 keys,
//!   `log-group:name:*`) — unless it is the whole resource part, as in
//!   `arn:${Partition}:s3:::${BucketName}` or `…:sns:${Region}:${Account}:${TopicName}`: there it
//!   is a bare name with neither `/` nor `:`, which is what tells a bucket from an object and a
//!   pipeline from its stages. A whole-resource placeholder named `…Arn` holds an ARN and may
//!   contain anything.
//! - A `*` in a format matches anything; a format of several alternatives separated by `, `
//!   matches if any alternative does.
//! - ARNs compare case-sensitively.
//!
//! The answer is deliberately "could match": wildcards, policy variables and unknown parts
//! only ever widen the set, so a `false` is a reliable "this can never be that resource type".

/// One piece of an ARN template whose text is only partly known, for
/// [`ResourceType::arn_parts_match`](super::ResourceType::arn_parts_match).
///
/// For `"arn:aws:s3:::${var.bucket}/*"` from Terraform, pass
/// `[Part::Lit("arn:aws:s3:::"), Part::Unknown, Part::Lit("/*")]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part<'a> {
    /// Known text, read as policy text: `*` and `?` are IAM wildcards and `${…}` policy
    /// variables match anything (except the escapes `${*}`, `${?}`, `${$}`, which stand for
    /// the literal character).
    Lit(&'a str),
    /// Text not known statically (an interpolation, a parameter): matches anything,
    /// including the empty string and text with `:` and `/`.
    Unknown,
}

/// A set of characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Set {
    One(char),
    Any,
    NoColon,
    NoColonSlash,
}

impl Set {
    fn contains(self, c: char) -> bool {
        match self {
            Set::One(x) => x == c,
            Set::Any => true,
            Set::NoColon => c != ':',
            Set::NoColonSlash => c != ':' && c != '/',
        }
    }

    /// Does the set hold every character of `text`? The classes exclude only ASCII characters,
    /// so they are checked on bytes.
    fn holds_all(self, text: &str) -> bool {
        match self {
            Set::One(x) => text.chars().all(|c| c == x),
            Set::Any => true,
            _ => text
                .bytes()
                .all(|b| !b.is_ascii() || self.contains(char::from(b))),
        }
    }

    fn intersects(self, other: Set) -> bool {
        match (self, other) {
            (Set::One(c), s) | (s, Set::One(c)) => s.contains(c),
            // Every class contains ordinary letters.
            _ => true,
        }
    }
}

/// One character of `set`, or with `repeat` any run (possibly empty) of such characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct El {
    set: Set,
    repeat: bool,
}

const fn one(set: Set) -> El {
    El { set, repeat: false }
}

const fn run(set: Set) -> El {
    El { set, repeat: true }
}

/// Scratch space for [`search`]: visited states and the stack of states to visit.
type Scratch = (Vec<bool>, Vec<(usize, usize)>);

/// What a policy ARN is made of: characters, `?` and `*` (unknown parts are `*` too).
fn policy_like(els: &[El]) -> bool {
    els.iter()
        .all(|e| matches!(e.set, Set::One(_) | Set::Any) && (!e.repeat || e.set == Set::Any))
}

/// Does some string match both element lists?
fn intersects(a: &[El], b: &[El]) -> bool {
    if policy_like(b)
        && let Some(m) = Masks::new(a)
    {
        return m.run(b);
    }
    if policy_like(a)
        && let Some(m) = Masks::new(b)
    {
        return m.run(a);
    }
    search(a, b)
}

/// Bit masks over the positions of an element list (fewer than 64: nearly every format's
/// resource part and most whole formats; longer ones are searched), to run a policy ARN
/// against it without a search ([`Masks::run`]).
#[derive(Debug)]
struct Masks {
    len: usize,
    /// Repeated elements, which may match nothing.
    repeats: u64,
    any: u64,
    no_colon: u64,
    no_colon_slash: u64,
    /// Single-character positions, by character (a format part has few distinct ones).
    ones: Box<[(char, u64)]>,
    /// [`Masks::holding`] for each ASCII character, worked out once: nearly every character of
    /// a policy ARN is one.
    ascii: Box<[u64; 128]>,
}

impl Masks {
    fn new(els: &[El]) -> Option<Masks> {
        if els.len() >= 64 {
            return None;
        }
        let mut m = Masks {
            len: els.len(),
            repeats: 0,
            any: 0,
            no_colon: 0,
            no_colon_slash: 0,
            ones: Box::new([]),
            ascii: Box::new([0; 128]),
        };
        let mut ones: Vec<(char, u64)> = Vec::new();
        for (i, e) in els.iter().enumerate() {
            let bit = 1u64 << i;
            if e.repeat {
                m.repeats |= bit;
            }
            match e.set {
                Set::Any => m.any |= bit,
                Set::NoColon => m.no_colon |= bit,
                Set::NoColonSlash => m.no_colon_slash |= bit,
                Set::One(c) => match ones.iter_mut().find(|(x, _)| *x == c) {
                    Some((_, b)) => *b |= bit,
                    None => ones.push((c, bit)),
                },
            }
        }
        // Every character is held by the `any` positions, every one but `:` by the no-colon
        // ones, and so on; then each single character by its own positions.
        let base = m.any | m.no_colon | m.no_colon_slash;
        m.ascii.fill(base);
        m.ascii[usize::from(b'/')] = m.any | m.no_colon;
        m.ascii[usize::from(b':')] = m.any;
        for &(c, bits) in &ones {
            if let Some(slot) = m.ascii.get_mut(c as usize) {
                *slot |= bits;
            }
        }
        m.ones = ones.into_boxed_slice();
        Some(m)
    }

    /// Positions whose set holds `c`.
    fn holding(&self, c: char) -> u64 {
        match self.ascii.get(c as usize) {
            Some(&m) => m,
            None => self.holding_slow(c),
        }
    }

    /// [`Masks::holding`] worked out from the sets: for characters outside ASCII, and as the
    /// definition the table is checked against.
    fn holding_slow(&self, c: char) -> u64 {
        let mut m = self.any;
        if c != ':' {
            m |= self.no_colon;
            if c != '/' {
                m |= self.no_colon_slash;
            }
        }
        self.ones
            .iter()
            .find(|(x, _)| *x == c)
            .map_or(m, |(_, bits)| m | bits)
    }

    /// Adds the positions reachable without reading: past repeated elements. From a position
    /// in a run of repeated elements, every later position of the run and the one after it.
    /// Adding the run's bits to the reached ones carries from the lowest reached bit to just
    /// past the run; the exclusive or then leaves exactly those positions (carries stop at the
    /// position after a run, which is never a repeated one, and `len` < 64 leaves room).
    fn close(&self, s: u64) -> u64 {
        s | ((s & self.repeats).wrapping_add(self.repeats) ^ self.repeats)
    }

    /// [`Masks::run`] on policy text without policy variables: characters, `?` and `*`.
    fn run_text(&self, text: &str) -> bool {
        let end = 1u64 << self.len;
        let mut states = self.close(1);
        for c in text.chars() {
            let m = match c {
                '*' => {
                    states = (end << 1).wrapping_sub(states & states.wrapping_neg());
                    continue;
                }
                '?' => end - 1,
                c => self.holding(c),
            };
            states = self.close(((states & !self.repeats & m) << 1) | (states & self.repeats & m));
            if states == 0 {
                return false;
            }
        }
        states & end != 0
    }

    /// [`intersects`] with a `policy` of characters, `?` and `*` ([`policy_like`]): a run over
    /// the policy's elements with the set of positions the text read so far can end at.
    fn run(&self, policy: &[El]) -> bool {
        debug_assert!(policy_like(policy));
        let end = 1u64 << self.len;
        let mut states = self.close(1);
        for p in policy {
            states = match (p.set, p.repeat) {
                // `*`: any text; every element can take some character or, repeated, none,
                // so every position from the first reachable one on is reachable.
                (_, true) => (end << 1).wrapping_sub(states & states.wrapping_neg()),
                // one character: `c`, or any (`?`), which every position's set holds
                (set, false) => {
                    let m = match set {
                        Set::One(c) => self.holding(c),
                        _ => end - 1,
                    };
                    self.close(((states & !self.repeats & m) << 1) | (states & self.repeats & m))
                }
            };
            if states == 0 {
                return false;
            }
        }
        states & end != 0
    }
}

/// [`intersects`] in general: a depth-first search over pairs of positions.
fn search(a: &[El], b: &[El]) -> bool {
    thread_local! {
        /// Reused by every search on this thread.
        static SCRATCH: std::cell::RefCell<Scratch> =
            const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    SCRATCH.with_borrow_mut(|(seen, stack)| {
        let width = b.len() + 1;
        seen.clear();
        seen.resize((a.len() + 1) * width, false);
        stack.clear();
        stack.push((0usize, 0usize));
        while let Some((i, j)) = stack.pop() {
            let slot = &mut seen[i * width + j];
            if *slot {
                continue;
            }
            *slot = true;
            if i == a.len() && j == b.len() {
                return true;
            }
            if i < a.len() && a[i].repeat {
                stack.push((i + 1, j));
            }
            if j < b.len() && b[j].repeat {
                stack.push((i, j + 1));
            }
            if i < a.len() && j < b.len() && a[i].set.intersects(b[j].set) {
                let next = (i + usize::from(!a[i].repeat), j + usize::from(!b[j].repeat));
                if next != (i, j) {
                    stack.push(next);
                }
            }
        }
        false
    })
}

fn push_policy_text(text: &str, out: &mut Vec<El>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let el = match b[i] {
            // `${aws:username}` matches anything; `${*}`, `${?}`, `${$}` are the character.
            b'$' if b.get(i + 1) == Some(&b'{')
                && let Some(len) = memchr::memchr(b'}', &b[i + 2..]) =>
            {
                let el = match &b[i + 2..i + 2 + len] {
                    b"*" => one(Set::One('*')),
                    b"?" => one(Set::One('?')),
                    b"$" => one(Set::One('$')),
                    _ => run(Set::Any),
                };
                i += len + 3;
                out.push(el);
                continue;
            }
            b'*' => run(Set::Any),
            b'?' => one(Set::Any),
            c if c.is_ascii() => one(Set::One(char::from(c))),
            _ => {
                let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
                i += c.len_utf8();
                out.push(one(Set::One(c)));
                continue;
            }
        };
        out.push(el);
        i += 1;
    }
}

/// Elements for the policy side given as parts.
pub(crate) fn policy_elements(parts: &[Part<'_>]) -> Vec<El> {
    let len = parts
        .iter()
        .map(|p| match p {
            Part::Lit(text) => text.len(),
            Part::Unknown => 1,
        })
        .sum();
    let mut out = Vec::with_capacity(len);
    for part in parts {
        match part {
            Part::Lit(text) => push_policy_text(text, &mut out),
            Part::Unknown => out.push(run(Set::Any)),
        }
    }
    out
}

/// Elements for one alternative of a reference ARN format (see the module docs for the rules).
fn format_elements(format: &str) -> Vec<El> {
    // Where the resource part starts: after the fifth `:` (placeholders contain no `:`).
    let resource_start = format
        .match_indices(':')
        .nth(4)
        .map_or(format.len(), |(i, _)| i + 1);

    let mut out = Vec::with_capacity(format.len());
    let mut rest = format;
    while let Some(c) = rest.chars().next() {
        let offset = format.len() - rest.len();
        let brace = rest.strip_prefix("${").or_else(|| rest.strip_prefix('{'));
        if let Some((name, after)) = brace.and_then(|b| b.split_once('}')) {
            let set = if !after.is_empty() {
                Set::NoColon
            } else if offset > resource_start || name.ends_with("Arn") {
                Set::Any
            } else {
                Set::NoColonSlash
            };
            out.extend([one(set), run(set)]);
            rest = after;
            continue;
        }
        out.push(if c == '*' {
            run(Set::Any)
        } else {
            one(Set::One(c))
        });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Could a string described by `policy` match the reference ARN `format` (all alternatives)?
#[cfg(test)]
pub(crate) fn format_could_match(format: &str, policy: &[El]) -> bool {
    CompiledFormat::new(format).could_match(&ArnPattern::of(policy.to_vec()))
}

/// A policy ARN read once, to match against many formats.
#[derive(Clone, Debug)]
pub struct ArnPattern {
    els: Vec<El>,
    colons: Colons,
    /// With certain colons: which of the six fields are plain text.
    plain: [bool; 6],
    policy_like: bool,
    /// Most policy ARNs are plain text with five `:` (no `$` or unknown part, and wildcards only
    /// in the resource part): those are matched as text, field by field, and `els` is empty.
    text: Option<PlainArn>,
}

/// A policy ARN of plain text, and where its first five `:` are; the resource part (after the
/// fifth) may hold the wildcards `*` and `?`.
#[derive(Clone, Debug)]
struct PlainArn {
    text: Box<str>,
    colons: [usize; 5],
    /// The resource part holds a wildcard.
    wild: bool,
}

impl PlainArn {
    fn new(parts: &[Part<'_>]) -> Option<PlainArn> {
        // Read before copying: many ARNs that are not plain are given up early.
        let mut colons = [0; 5];
        let mut n = 0;
        let mut wild = false;
        let mut at = 0;
        for p in parts {
            let Part::Lit(t) = p else {
                return None;
            };
            for (i, b) in t.bytes().enumerate() {
                match b {
                    b'$' => return None,
                    b':' if n < 5 => {
                        colons[n] = at + i;
                        n += 1;
                    }
                    b'*' | b'?' if n < 5 => return None,
                    b'*' | b'?' => wild = true,
                    _ => {}
                }
            }
            at += t.len();
        }
        if n < 5 {
            return None;
        }
        let mut text = String::with_capacity(at);
        for p in parts {
            if let Part::Lit(t) = p {
                text.push_str(t);
            }
        }
        Some(PlainArn {
            text: text.into_boxed_str(),
            colons,
            wild,
        })
    }

    /// Field `i`, as [`field`] numbers them.
    fn field(&self, i: usize) -> &str {
        let c = self.colons;
        let start = if i == 0 { 0 } else { c[i - 1] + 1 };
        &self.text[start..if i == 5 { self.text.len() } else { c[i] }]
    }
}

impl ArnPattern {
    /// An ARN known only in parts: [`Part::Unknown`] stands for text static analysis cannot
    /// see and matches anything.
    pub fn new(parts: &[Part<'_>]) -> ArnPattern {
        match PlainArn::new(parts) {
            Some(text) => ArnPattern {
                els: Vec::new(),
                colons: Some(text.colons),
                plain: [true, true, true, true, true, !text.wild],
                policy_like: true,
                text: Some(text),
            },
            None => ArnPattern::of(policy_elements(parts)),
        }
    }

    fn of(els: Vec<El>) -> ArnPattern {
        let colons = colons(&els);
        let mut plain = [false; 6];
        if let Some(c) = colons {
            for (i, p) in plain.iter_mut().enumerate() {
                *p = is_plain(field(&els, c, i));
            }
        }
        ArnPattern {
            policy_like: policy_like(&els),
            colons,
            plain,
            els,
            text: None,
        }
    }
}

/// The positions of the first five `:` of an element list, when certain (see [`colons`]).
type Colons = Option<[usize; 5]>;

/// Field `i` (0 `arn`, 1 partition, 2 service, 3 region, 4 account, 5 the resource part) of a
/// list whose colons are certain.
fn field(els: &[El], c: [usize; 5], i: usize) -> &[El] {
    let start = if i == 0 { 0 } else { c[i - 1] + 1 };
    &els[start..if i == 5 { els.len() } else { c[i] }]
}

fn is_plain(els: &[El]) -> bool {
    els.iter()
        .all(|e| !e.repeat && matches!(e.set, Set::One(_)))
}

/// What a format's field is, for matching plain policy text against it without a search.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// Plain text (`rds-db`, `dbuser:`…).
    Plain,
    /// Plain text, then one placeholder (one character of a set, then any more of it):
    /// `${Region}`, `stateMachine:${StateMachineName}`.
    Placeholder,
    Other,
}

fn shape(f: &[El]) -> Shape {
    match f {
        _ if is_plain(f) => Shape::Plain,
        [head @ .., one, more]
            if !one.repeat && more.repeat && one.set == more.set && is_plain(head) =>
        {
            Shape::Placeholder
        }
        _ => Shape::Other,
    }
}

/// One alternative of a format, read once.
#[derive(Debug)]
struct Alternative {
    els: Box<[El]>,
    colons: Colons,
    /// With certain colons: each field's shape.
    shapes: [Shape; 6],
    /// With certain colons: each plain field's text, and the plain text before a placeholder.
    heads: [Box<str>; 6],
    /// With certain colons: the resource part's masks, for policy ARNs with `*` or `?` there.
    resource: Option<Masks>,
    /// The whole list's masks, for policy ARNs whose colons are not certain (`arn:aws:s3:*`).
    whole: Option<Masks>,
}

/// An ARN format read once: its alternatives as elements, with their colons.
#[derive(Debug)]
pub(crate) struct CompiledFormat {
    alternatives: Box<[Alternative]>,
}

impl CompiledFormat {
    pub(crate) fn new(format: &str) -> CompiledFormat {
        CompiledFormat {
            alternatives: format
                .split(", ")
                .map(|alt| {
                    let els = format_elements(alt.trim());
                    let colons = colons(&els);
                    let mut shapes = [Shape::Other; 6];
                    let mut heads: [Box<str>; 6] = Default::default();
                    let mut resource = None;
                    if let Some(c) = colons {
                        for (i, s) in shapes.iter_mut().enumerate() {
                            let f = field(&els, c, i);
                            *s = shape(f);
                            let head = match *s {
                                Shape::Plain => f,
                                Shape::Placeholder => &f[..f.len() - 2],
                                Shape::Other => &[],
                            };
                            heads[i] = head
                                .iter()
                                .filter_map(|e| match e.set {
                                    Set::One(c) => Some(c),
                                    _ => None,
                                })
                                .collect();
                        }
                        resource = Masks::new(field(&els, c, 5));
                    }
                    Alternative {
                        whole: Masks::new(&els),
                        els: els.into_boxed_slice(),
                        colons,
                        shapes,
                        heads,
                        resource,
                    }
                })
                .collect(),
        }
    }

    pub(crate) fn could_match(&self, policy: &ArnPattern) -> bool {
        if let Some(text) = &policy.text {
            return self.alternatives.iter().any(|alt| {
                if let Some(fc) = alt.colons {
                    text_fields_match(alt, fc, text)
                } else {
                    let els = policy_elements(&[Part::Lit(&text.text)]);
                    starts_agree(&alt.els, &els)
                        && match &alt.whole {
                            Some(m) => m.run(&els),
                            None => intersects(&alt.els, &els),
                        }
                }
            });
        }
        self.alternatives
            .iter()
            .any(|alt| match (alt.colons, policy.colons) {
                (Some(fc), Some(pc)) => fields_match(alt, fc, policy, pc),
                _ if !starts_agree(&alt.els, &policy.els) => false,
                _ => match &alt.whole {
                    Some(m) if policy.policy_like => m.run(&policy.els),
                    _ => intersects(&alt.els, &policy.els),
                },
            })
    }
}

/// The positions of the first five `:`, if no element before the fifth could be another `:`
/// (a format's placeholders there never are; a policy's `*`, `?` or unknown part could be).
fn colons(els: &[El]) -> Colons {
    let mut found = [0; 5];
    let mut n = 0;
    for (i, e) in els.iter().enumerate() {
        if e.set == Set::One(':') && !e.repeat {
            found[n] = i;
            n += 1;
            if n == 5 {
                return Some(found);
            }
        } else if e.set.contains(':') {
            return None;
        }
    }
    None
}

/// The single characters `els` starts with, up to the first element that is not one.
fn literal_start(els: &[El]) -> impl Iterator<Item = char> + '_ {
    els.iter().map_while(|e| match (e.repeat, e.set) {
        (false, Set::One(c)) => Some(c),
        _ => None,
    })
}

/// Do the single characters both lists start with agree (a quick necessary condition for
/// [`intersects`])?
fn starts_agree(a: &[El], b: &[El]) -> bool {
    literal_start(a).zip(literal_start(b)).all(|(x, y)| x == y)
}

/// [`intersects`] for two lists whose first five `:` are certain ([`colons`]): a string both
/// match has its first five `:` exactly there on both sides, so the lists intersect if and only
/// if each field does — `arn`, partition, service, region, account, and the resource part. Plain
/// fields and those of one placeholder are decided without a search, the cheap ones first.
fn fields_match(alt: &Alternative, fc: [usize; 5], policy: &ArnPattern, pc: [usize; 5]) -> bool {
    let (format, els) = (&alt.els[..], &policy.els[..]);
    // The resource parts' starts tell most types of a service apart (`dbuser:` against `db:`):
    // compared first.
    if !starts_agree(field(format, fc, 5), field(els, pc, 5)) {
        return false;
    }
    (0..6).all(|i| {
        let (f, p) = (field(format, fc, i), field(els, pc, i));
        match (alt.shapes[i], policy.plain[i]) {
            (Shape::Plain, true) => f == p,
            (Shape::Placeholder, true) => {
                let (head, set) = (&f[..f.len() - 2], f[f.len() - 1].set);
                p.len() > head.len()
                    && p[..head.len()] == *head
                    && p[head.len()..].iter().all(|e| set.intersects(e.set))
            }
            _ => match &alt.resource {
                Some(m) if i == 5 && policy.policy_like => m.run(p),
                _ => starts_agree(f, p) && intersects(f, p),
            },
        }
    })
}

/// [`fields_match`] for a plain-text policy ARN, on its text.
fn text_fields_match(alt: &Alternative, fc: [usize; 5], policy: &PlainArn) -> bool {
    let format = &alt.els[..];
    let resource = policy.field(5);
    if !literal_start(field(format, fc, 5))
        .zip(resource.chars().take_while(|c| !matches!(c, '*' | '?')))
        .all(|(x, y)| x == y)
    {
        return false;
    }
    (0..6).all(|i| {
        let (f, p) = (field(format, fc, i), policy.field(i));
        let head = &*alt.heads[i];
        match alt.shapes[i] {
            _ if i == 5 && policy.wild => {
                if let Some(m) = &alt.resource {
                    m.run_text(p)
                } else {
                    let p = policy_elements(&[Part::Lit(p)]);
                    starts_agree(f, &p) && intersects(f, &p)
                }
            }
            Shape::Plain => p == head,
            Shape::Placeholder => {
                let set = f[f.len() - 1].set;
                p.len() > head.len() && p.starts_with(head) && set.holds_all(&p[head.len()..])
            }
            Shape::Other => match &alt.resource {
                Some(m) if i == 5 => m.run_text(p),
                _ => {
                    // Fields before the resource part hold no wildcard: one element a character.
                    let p = policy_elements(&[Part::Lit(p)]);
                    starts_agree(f, &p) && intersects(f, &p)
                }
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn matches(format: &str, arn: &str) -> bool {
        format_could_match(format, &policy_elements(&[Part::Lit(arn)]))
    }

    const RDS_DB: &str =
        "arn:${Partition}:rds-db:${Region}:${Account}:dbuser:${DbiResourceId}/${DbUserName}";
    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";

    /// The ASCII table holds what the sets say, character by character.
    #[test]
    fn ascii_table_is_the_sets() {
        for format in [
            RDS_DB,
            BUCKET,
            OBJECT,
            "arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}",
        ] {
            let els = format_elements(format);
            let m = Masks::new(&els).expect("fewer than 64 elements");
            for b in 0..128u8 {
                let c = char::from(b);
                assert_eq!(m.holding(c), m.holding_slow(c), "{format}: {c:?}");
            }
        }
    }

    #[test]
    fn concrete_arns() {
        assert!(matches(
            RDS_DB,
            "arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC/alice"
        ));
        assert!(!matches(
            RDS_DB,
            "arn:aws:rds-db:us-east-1:123456789012:dbuser:db-ABC"
        ));
        assert!(!matches(
            RDS_DB,
            "arn:aws:rds:us-east-1:123456789012:db:mydb"
        ));
        // Empty segments where the format has a placeholder cannot match.
        assert!(!matches(
            RDS_DB,
            "arn:aws:rds-db::123456789012:dbuser:db-ABC/alice"
        ));
        assert!(matches(BUCKET, "arn:aws:s3:::my-bucket"));
        assert!(!matches(BUCKET, "arn:aws:s3:::my-bucket/key"));
        assert!(matches(OBJECT, "arn:aws:s3:::my-bucket/a/b/c.txt"));
        assert!(!matches(OBJECT, "arn:aws:s3:::my-bucket"));
        // Case-sensitive.
        assert!(!matches(BUCKET, "ARN:aws:s3:::my-bucket"));
    }

    #[test]
    fn field_by_field_rejects_other_services_and_resource_kinds() {
        let quick = |format: &str, arn: &str| {
            let f = CompiledFormat::new(format);
            let p = ArnPattern::of(policy_elements(&[Part::Lit(arn)]));
            let alt = &f.alternatives[0];
            let by_elements = match (alt.colons, p.colons) {
                (Some(fc), Some(pc)) => fields_match(alt, fc, &p, pc),
                _ => intersects(&alt.els, &p.els),
            };
            // The same answer from the text, where the ARN is plain enough.
            if let (Some(fc), Some(t)) = (alt.colons, PlainArn::new(&[Part::Lit(arn)])) {
                assert_eq!(
                    text_fields_match(alt, fc, &t),
                    by_elements,
                    "{format} vs {arn}"
                );
            }
            by_elements
        };
        // A region where the format has none, and none where it has one.
        assert!(!quick(BUCKET, "arn:aws:s3:us-east-1::b"));
        assert!(!quick(RDS_DB, "arn:aws:rds-db::1:dbuser:db-ABC/alice"));
        assert!(quick(BUCKET, "arn:aws:s3:*::b"));
        // The service field differs.
        assert!(!quick(
            RDS_DB,
            "arn:aws:rds:us-east-1:1:dbuser:db-ABC/alice"
        ));
        // The resource part starts differently.
        assert!(!quick(RDS_DB, "arn:aws:rds-db:us-east-1:1:db:x"));
        // Wildcards before the resource could hold a `:`: left to the search.
        assert!(quick(RDS_DB, "arn:aws:*:db:x"));
        assert!(quick(RDS_DB, "arn:aws:rds-db:us-east-1:1:dbuser:*"));
        assert!(quick(BUCKET, "arn:aws:s3:::b"));
    }

    #[test]
    fn wildcards_in_policy() {
        assert!(matches(BUCKET, "*"));
        assert!(matches(OBJECT, "*"));
        assert!(matches(BUCKET, "arn:aws:s3:::*"));
        assert!(matches(OBJECT, "arn:aws:s3:::*"));
        assert!(!matches(BUCKET, "arn:aws:s3:::my-bucket/*"));
        assert!(matches(OBJECT, "arn:aws:s3:::my-bucket/*"));
        assert!(matches(RDS_DB, "arn:aws:rds-db:*:*:dbuser:*/*"));
        assert!(matches(RDS_DB, "arn:aws:rds-db:*:*:dbuser:*"));
        assert!(matches(BUCKET, "arn:aws:s3:::bucket-?"));
        assert!(!matches(BUCKET, "arn:aws:s3:::?/?"));
    }

    #[test]
    fn policy_variables_widen() {
        assert!(matches(BUCKET, "arn:aws:s3:::${aws:username}"));
        assert!(matches(
            "arn:${Partition}:iam::${Account}:user/${AwsUserName}",
            "arn:aws:iam::*:user/${aws:username}"
        ));
        // Escapes are literal characters.
        assert!(!matches(BUCKET, "arn:aws:s3:::a${*}b/c"));
        assert!(matches(OBJECT, "arn:aws:s3:::b/${*}"));
    }

    #[test]
    fn final_placeholder_may_hold_colons_and_slashes() {
        let function = "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}";
        assert!(matches(function, "arn:aws:lambda:us-east-1:1:function:f"));
        assert!(matches(
            function,
            "arn:aws:lambda:us-east-1:1:function:f:live"
        ));
        let log_group = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
        assert!(matches(
            log_group,
            "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/x:*"
        ));
        let stream = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";
        assert!(matches(
            stream,
            "arn:aws:logs:us-east-1:1:log-group:/aws/x:log-stream:s"
        ));
        let pipeline = "arn:${Partition}:codepipeline:${Region}:${Account}:${PipelineName}";
        assert!(!matches(
            pipeline,
            "arn:aws:codepipeline:us-east-1:1:p/stage"
        ));
        let connection = "arn:${Partition}:mgh:${Region}:${Account}:${ConnectionArn}";
        assert!(matches(
            connection,
            "arn:aws:mgh:us-east-1:1:arn:aws:x:y:z:w/v"
        ));
    }

    #[test]
    fn alternatives_and_format_wildcards() {
        let lex = "arn:${Partition}:lex:${Region}:${Account}:bot/${BotId}, arn:${Partition}:lex:${Region}:${Account}:bot:${BotName}";
        assert!(matches(lex, "arn:aws:lex:us-east-1:1:bot/ABC"));
        assert!(matches(lex, "arn:aws:lex:us-east-1:1:bot:Name"));
        assert!(!matches(lex, "arn:aws:lex:us-east-1:1:intent:Name"));
        let dms = "arn:${Partition}:dms:${Region}:${Account}:endpoint:*";
        assert!(matches(dms, "arn:aws:dms:us-east-1:1:endpoint:ABC"));
        assert!(matches(dms, "arn:aws:dms:us-east-1:1:endpoint:"));
        let backup = "arn:${Partition}:${Vendor}:${Region}:*:${ResourceType}:${RecoveryPointId}";
        assert!(matches(backup, "arn:aws:ec2:us-east-1::snapshot:snap-1"));
        let adjacent = "arn:${Partition}:codeartifact:${Region}:${Account}:package-group/${DomainName}${EncodedPackageGroupPattern}";
        assert!(matches(
            adjacent,
            "arn:aws:codeartifact:us-east-1:1:package-group/dom/x"
        ));
        assert!(!matches(
            adjacent,
            "arn:aws:codeartifact:us-east-1:1:package-group/d"
        ));
    }

    /// Regex for an element list, the reference semantics of one side.
    fn regex_of(els: &[El]) -> regex::Regex {
        let mut re = String::from("^");
        for el in els {
            re.push_str(&match el.set {
                Set::One(c) => regex::escape(&c.to_string()),
                Set::Any => "(?s:.)".to_string(),
                Set::NoColon => "[^:]".to_string(),
                Set::NoColonSlash => "[^:/]".to_string(),
            });
            if el.repeat {
                re.push('*');
            }
        }
        re.push('$');
        regex::Regex::new(&re).unwrap()
    }

    fn element() -> impl Strategy<Value = El> {
        let set = prop_oneof![
            prop::sample::select(vec!['a', 'b', ':', '/']).prop_map(Set::One),
            Just(Set::Any),
            Just(Set::NoColon),
            Just(Set::NoColonSlash),
        ];
        (set, any::<bool>()).prop_map(|(set, repeat)| El { set, repeat })
    }

    proptest! {
        // Against concrete text the intersection is plain membership, which a regex decides.
        #[test]
        fn intersection_with_concrete_text_is_membership(
            els in prop::collection::vec(element(), 0..8),
            text in "[ab:/]{0,10}",
        ) {
            let concrete = policy_elements(&[Part::Lit(&text)]);
            let member = regex_of(&els).is_match(&text);
            prop_assert_eq!(intersects(&els, &concrete), member);
            prop_assert_eq!(intersects(&concrete, &els), member);
            prop_assert_eq!(search(&els, &concrete), member);
            prop_assert_eq!(search(&concrete, &els), member);
        }

        // A policy's characters, `?` and `*` against any list: the bit-set run and the search
        // agree.
        #[test]
        fn policy_run_is_the_search(
            els in prop::collection::vec(element(), 0..10),
            policy in "[ab:/*?]{0,10}",
        ) {
            let p = policy_elements(&[Part::Lit(&policy)]);
            prop_assert_eq!(Masks::new(&els).unwrap().run(&p), search(&els, &p), "{:?} vs {}", els, policy);
            prop_assert_eq!(intersects(&p, &els), search(&els, &p));
        }

        // The closure in one addition is the closure taken a step at a time.
        #[test]
        fn closure_is_the_stepwise_closure(
            els in prop::collection::vec(element(), 0..63),
            reached in any::<u64>(),
        ) {
            let m = Masks::new(&els).unwrap();
            let mut s = reached & ((1u64 << els.len() << 1) - 1);
            let start = s;
            loop {
                let next = s | ((s & m.repeats) << 1);
                if next == s {
                    break;
                }
                s = next;
            }
            prop_assert_eq!(m.close(start), s);
        }

        // Matching field by field decides exactly what the search over the whole lists does.
        #[test]
        fn field_by_field_is_the_whole_search(
            f_service in "[ab]{1,2}",
            f_region in "(\\$\\{Region\\})?",
            f_account in "(\\$\\{Account\\})?",
            f_resource in "([ab/:]|\\$\\{Name\\}){0,4}",
            p_fields in prop::collection::vec("[ab*?]{0,2}", 4),
            p_resource in "[ab/:*?]{0,6}",
        ) {
            let format = format!("arn:${{Partition}}:{f_service}:{f_region}:{f_account}:{f_resource}");
            let policy = format!("arn:{}:{p_resource}", p_fields.join(":"));
            let f = format_elements(&format);
            let p = policy_elements(&[Part::Lit(&policy)]);
            let compiled = CompiledFormat::new(&format);
            let pattern = ArnPattern::of(p.clone());
            prop_assert_eq!(compiled.could_match(&pattern), intersects(&f, &p), "{} vs {}", format, policy);
            // Plain text (wildcards only in the resource part) is matched as text.
            let text = ArnPattern::new(&[Part::Lit(&policy)]);
            if text.text.is_some() {
                prop_assert_eq!(compiled.could_match(&text), intersects(&f, &p), "text: {} vs {}", format, policy);
            }
        }

        // Against every format of the reference, text matching decides what element matching
        // does, for ARNs made from the format itself and changed a little.
        #[test]
        fn text_matching_is_element_matching_on_the_reference(
            pick in any::<prop::sample::Index>(),
            fill in "[a-z0-9/-]{1,6}",
            edit in prop::sample::select(vec!["", "*", "?", "/", ":", "x", "-1"]),
            at in any::<prop::sample::Index>(),
        ) {
            let formats: Vec<&str> = crate::iamdata::get()
                .services()
                .iter()
                .flat_map(super::super::Service::resource_types)
                .flat_map(super::super::ResourceType::arn_formats)
                .collect();
            let format = *pick.get(&formats);
            let mut arn = String::new();
            let mut rest = format;
            while let Some(i) = rest.find("${") {
                arn.push_str(&rest[..i]);
                let Some(j) = rest[i..].find('}') else { break };
                arn.push_str(if rest[..i].ends_with("arn:") { "aws" } else { &fill });
                rest = &rest[i + j + 1..];
            }
            arn.push_str(rest);
            let mut cut = at.index(arn.len() + 1);
            while !arn.is_char_boundary(cut) {
                cut -= 1;
            }
            arn.insert_str(cut, edit);
            let text = ArnPattern::new(&[Part::Lit(&arn)]);
            let els = ArnPattern::of(policy_elements(&[Part::Lit(&arn)]));
            let compiled = CompiledFormat::new(format);
            prop_assert_eq!(compiled.could_match(&text), compiled.could_match(&els), "{} vs {}", format, arn);
        }

        // A format without placeholders is concrete text: ARN matching is wildcard matching.
        #[test]
        fn concrete_format_is_wildcard_matching(
            pattern in "[ab:/*?]{0,8}",
            text in "[ab:/]{0,10}",
        ) {
            prop_assert_eq!(
                format_could_match(&text, &policy_elements(&[Part::Lit(&pattern)])),
                crate::iamdata::wildcard_match(&pattern, &text, false)
            );
        }
    }

    #[test]
    fn unknown_parts() {
        let parts = [Part::Lit("arn:aws:s3:::"), Part::Unknown, Part::Lit("/*")];
        let els = policy_elements(&parts);
        assert!(format_could_match(OBJECT, &els));
        assert!(!format_could_match(BUCKET, &els));
        let bare = policy_elements(&[Part::Lit("arn:aws:s3:::"), Part::Unknown]);
        assert!(format_could_match(BUCKET, &bare));
        assert!(format_could_match(OBJECT, &bare));
        assert!(format_could_match(
            RDS_DB,
            &policy_elements(&[Part::Unknown])
        ));
    }
}
