//! Facts about one document that several rules need, worked out once per document (each on the
//! first ask) and handed to every rule in its [`super::Context`]: what an action item denotes,
//! which resource types a resource item matches, whether `invalid-arn` reports a resource, and
//! where a statement allows on unscoped resources. Rules keep nothing for each other on the model
//! or in global state: what one rule works out for another is here.

use std::cell::{Cell, OnceCell, RefCell};

use crate::iamdata::{self, ArnPattern, ResourceType};
use crate::policy::reference::{ActionRef, Resolved};
use crate::policy::{Item, PolicyDocument, Statement};
use crate::source::{SourceFile, Span};

/// What is known of one `Action` or `Resource` item (by [`Item::id`]).
#[derive(Default)]
struct ItemFacts {
    action: OnceCell<Resolved>,
    /// The item read as an ARN, for matching against the reference's formats. Boxed: most items
    /// never need one.
    arn: OnceCell<Box<ArnPattern>>,
    /// A resource type the item is known to match: the next rule that asks about it is answered
    /// without a match.
    matched: Cell<Option<&'static ResourceType>>,
    malformed: OnceCell<bool>,
}

pub struct Facts<'d> {
    file: &'d SourceFile,
    items: Box<[ItemFacts]>,
    unscoped: Box<[OnceCell<Option<Span>>]>,
    /// Per ARN namespace (a row of the reference's table), the position of the resource type that
    /// matched last: ARNs of one kind come together (object ARNs in a bucket policy), so it is
    /// tried first. Only the order of the tries depends on it, never an answer. Made on first use.
    hints: RefCell<Vec<u16>>,
}

impl<'d> Facts<'d> {
    pub fn new(doc: &PolicyDocument, file: &'d SourceFile) -> Self {
        Facts {
            file,
            items: (0..doc.item_count())
                .map(|_| ItemFacts::default())
                .collect(),
            unscoped: doc.statements.iter().map(|_| OnceCell::new()).collect(),
            hints: RefCell::new(Vec::new()),
        }
    }

    /// Facts for checks that have no document (managed policy attachments): nothing to know.
    pub fn without_document(file: &'d SourceFile) -> Self {
        Facts {
            file,
            items: Box::default(),
            unscoped: Box::default(),
            hints: RefCell::new(Vec::new()),
        }
    }

    pub fn file(&self) -> &'d SourceFile {
        self.file
    }

    fn of(&self, item: &Item) -> Option<&ItemFacts> {
        self.items.get(item.id as usize)
    }

    /// What an `Action` item denotes ([`ActionRef::of`], once per item).
    pub fn action<'a>(&self, item: &'a Item) -> ActionRef<'a> {
        match self.of(item) {
            Some(f) => ActionRef::view(item, f.action.get_or_init(|| ActionRef::resolve(item))),
            None => ActionRef::of(item),
        }
    }

    /// Could the resource item, read as an ARN, be of resource type `t`?
    pub fn matches_type(&self, item: &Item, t: &'static ResourceType) -> bool {
        let Some(f) = self.of(item) else {
            return t.arn_pattern_matches(&item.read_arn_pattern());
        };
        if f.matched.get().is_some_and(|m| std::ptr::eq(m, t)) {
            return true;
        }
        let arn = f.arn.get_or_init(|| Box::new(item.read_arn_pattern()));
        let m = t.arn_pattern_matches(arn);
        if m {
            f.matched.set(Some(t));
        }
        m
    }

    /// A resource type [`Self::matches_type`] found the item to match, if it found one.
    pub fn matched_type(&self, item: &Item) -> Option<&'static ResourceType> {
        self.of(item).and_then(|f| f.matched.get())
    }

    /// Does `invalid-arn` report the resource? Rules that judge resources leave such ones to it.
    pub fn malformed_arn(&self, item: &Item) -> bool {
        let check = || super::invalid_arn::check(item, self).is_some();
        match self.of(item) {
            Some(f) => *f.malformed.get_or_init(check),
            None => check(),
        }
    }

    /// [`Statement::unscoped_allow`], once per statement.
    pub fn unscoped_allow(&self, st: &Statement) -> Option<Span> {
        match self.unscoped.get(st.index) {
            Some(cell) => *cell.get_or_init(|| st.unscoped_allow()),
            None => st.unscoped_allow(),
        }
    }

    /// The type tried first in the namespace `row`.
    pub(super) fn hint(&self, row: usize) -> usize {
        self.hints.borrow().get(row).map_or(0, |&h| usize::from(h))
    }

    pub(super) fn set_hint(&self, row: usize, at: usize) {
        let mut hints = self.hints.borrow_mut();
        if hints.is_empty() {
            hints.resize(iamdata::ARN_NAMESPACES, 0);
        }
        hints[row] = u16::try_from(at).unwrap_or(0);
    }
}
