//! XEP-0059 Result Set Management: paging through long result sets.
//!
//! One element, [`Set`], serves both directions: a requesting entity puts
//! a page request in it (`max` and one of `after`, `before` or `index`),
//! a responding entity describes the page it returned (`first` with its
//! index, `last`, `count`). The constructors build the requests and pages
//! of XEP-0059 §2; [`Set::position`] reads a request, and
//! [`Set::request_next`] / [`Set::request_previous`] turn a returned page
//! into the request for its neighbour.
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_rsm::{Position, Set};
//!
//! // Ask for the page after the last item seen.
//! let req = Set::next_page(10, "peterpan@neverland.example");
//! assert_eq!(
//!     req.to_xml(),
//!     "<set xmlns='http://jabber.org/protocol/rsm'><after>peterpan@neverland.example</after><max>10</max></set>"
//! );
//! assert_eq!(req.position().unwrap(), Position::After("peterpan@neverland.example"));
//!
//! // Read the page a service returned, and ask for the one after it.
//! let page = Set::from_xml(
//!     b"<set xmlns='http://jabber.org/protocol/rsm'>\
//!       <first index='0'>stpeter@jabber.example</first><last>peterpan@neverland.example</last>\
//!       <count>800</count></set>",
//! ).unwrap();
//! assert_eq!(page.first_index(), Some(0));
//! assert_eq!(page.count, Some(800));
//! assert_eq!(page.remaining(10), Some(790));
//! assert_eq!(page.request_next(10), Some(req));
//! ```

#![warn(missing_docs)]

use xep_element::{Error, XmlElement};

/// `http://jabber.org/protocol/rsm`.
pub const NS: &str = "http://jabber.org/protocol/rsm";

/// `<set/>`: a page request or the description of a returned page.
///
/// In a request: `max` (page size; `0` asks for the count only), then
/// `after` (next page), `before` (previous page; empty for the last page)
/// or `index` (jump). In a result: `first` (with the index of the first
/// item), `last` and `count`. `before` keeps the difference between absent
/// (`None`) and empty (`Some("")`).
///
/// The schema types the numbers as `xs:int`; as they are sizes and
/// positions, negative values are rejected (`u32`). Children are written
/// in the schema's order.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "set")]
pub struct Set {
    /// Items after this id (the next page).
    #[xml(text_child(name = "after"))]
    pub after: Option<String>,
    /// Items before this id; empty: the last page.
    #[xml(text_child(name = "before"))]
    pub before: Option<String>,
    /// Number of items in the whole set (may be approximate).
    #[xml(text_child(name = "count"))]
    pub count: Option<u32>,
    /// The first item of the page.
    #[xml(child)]
    pub first: Option<First>,
    /// Index of the first item wanted (a jump to a page).
    #[xml(text_child(name = "index"))]
    pub index: Option<u32>,
    /// The last item of the page.
    #[xml(text_child(name = "last"))]
    pub last: Option<String>,
    /// Maximum number of items wanted.
    #[xml(text_child(name = "max"))]
    pub max: Option<u32>,
}

/// `<first index='...'/>`: the id of a page's first item.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "first")]
pub struct First {
    /// Position of this item in the whole set (may be approximate).
    #[xml(attr)]
    pub index: Option<u32>,
    /// The item's id (opaque to the requesting entity).
    #[xml(text)]
    pub id: String,
}

impl First {
    /// The first item `id`, at position `index` if known.
    pub fn new(id: impl Into<String>, index: Option<u32>) -> First {
        First {
            index,
            id: id.into(),
        }
    }
}

/// Where a request's page starts, as [`Set::position`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position<'a> {
    /// No `after`, `before` or `index`: the start of the set (§2.1).
    Start,
    /// The items following this id (§2.2).
    After(&'a str),
    /// The items preceding this id (§2.3).
    Before(&'a str),
    /// The last page: an empty `<before/>` (§2.5).
    Last,
    /// The page starting at this position (§2.6).
    Index(u32),
}

impl Set {
    /// The first page of at most `max` items (§2.1).
    pub fn first_page(max: u32) -> Set {
        Set {
            max: Some(max),
            ..Set::default()
        }
    }

    /// The page of at most `max` items after the item `after` (§2.2).
    pub fn next_page(max: u32, after: impl Into<String>) -> Set {
        Set {
            max: Some(max),
            after: Some(after.into()),
            ..Set::default()
        }
    }

    /// The page of at most `max` items before the item `before` (§2.3).
    pub fn previous_page(max: u32, before: impl Into<String>) -> Set {
        Set {
            max: Some(max),
            before: Some(before.into()),
            ..Set::default()
        }
    }

    /// The last page of at most `max` items: an empty `<before/>` (§2.5).
    pub fn last_page(max: u32) -> Set {
        Set::previous_page(max, "")
    }

    /// The page of at most `max` items starting at position `index`
    /// (§2.6; ids should be preferred where known).
    pub fn page_at(max: u32, index: u32) -> Set {
        Set {
            max: Some(max),
            index: Some(index),
            ..Set::default()
        }
    }

    /// Asks for the number of items only: `max` 0 (§2.7).
    pub fn count_only() -> Set {
        Set::first_page(0)
    }

    /// A result page: its first and last item ids (the same id for a
    /// one-item page), the index of the first and the size of the whole
    /// set (§2.2).
    pub fn page(
        first: impl Into<String>,
        first_index: Option<u32>,
        last: impl Into<String>,
        count: Option<u32>,
    ) -> Set {
        Set {
            first: Some(First::new(first, first_index)),
            last: Some(last.into()),
            count,
            ..Set::default()
        }
    }

    /// A result without items (no `first`/`last`, §2.2), e.g. the answer
    /// to a count request (§2.7), with the size of the whole set if known.
    pub fn empty_page(count: Option<u32>) -> Set {
        Set {
            count,
            ..Set::default()
        }
    }

    /// Where the requested page starts.
    ///
    /// `after`, `before` and `index` are alternatives (§2.2, §2.3, §2.5,
    /// §2.6); XEP-0059 does not define a request with more than one of
    /// them, so that is an error (a responder answers `bad-request`).
    pub fn position(&self) -> Result<Position<'_>, Error> {
        let mut given = Vec::new();
        if self.after.is_some() {
            given.push("<after/>");
        }
        if self.before.is_some() {
            given.push("<before/>");
        }
        if self.index.is_some() {
            given.push("<index/>");
        }
        if given.len() > 1 {
            return Err(Error::invalid(format!(
                "{} are alternatives: XEP-0059 does not define a request with more than one",
                given.join(" and ")
            ))
            .within("set"));
        }
        Ok(match (&self.after, &self.before, self.index) {
            (Some(a), _, _) => Position::After(a),
            (_, Some(b), _) if b.is_empty() => Position::Last,
            (_, Some(b), _) => Position::Before(b),
            (_, _, Some(i)) => Position::Index(i),
            _ => Position::Start,
        })
    }

    /// Whether this asks for the last page (an empty `<before/>`).
    pub fn is_last_page_request(&self) -> bool {
        self.before.as_deref() == Some("")
    }

    /// Whether this asks for the item count only (`max` 0, §2.7).
    pub fn is_count_request(&self) -> bool {
        self.max == Some(0)
    }

    /// The id of the page's first item.
    pub fn first_id(&self) -> Option<&str> {
        self.first.as_ref().map(|f| f.id.as_str())
    }

    /// The index of the page's first item.
    pub fn first_index(&self) -> Option<u32> {
        self.first.as_ref().and_then(|f| f.index)
    }

    /// The id of the page's last item.
    pub fn last_id(&self) -> Option<&str> {
        self.last.as_deref()
    }

    /// Whether the page is empty (a result without `first`/`last`, §2.2).
    pub fn is_empty_page(&self) -> bool {
        self.first.is_none() && self.last.is_none()
    }

    /// For a returned page: the request for the next `max` items, after
    /// this page's last item (`None` for a page without items).
    pub fn request_next(&self, max: u32) -> Option<Set> {
        self.last.as_ref().map(|l| Set::next_page(max, l.clone()))
    }

    /// For a returned page: the request for the previous `max` items,
    /// before this page's first item (`None` for a page without items).
    pub fn request_previous(&self, max: u32) -> Option<Set> {
        self.first
            .as_ref()
            .map(|f| Set::previous_page(max, f.id.clone()))
    }

    /// For a returned page of `page_len` items: how many items of the whole
    /// set follow it, when the page gave its index and the count (both may
    /// be approximate, §2.2).
    pub fn remaining(&self, page_len: u32) -> Option<u32> {
        let count = self.count?;
        let index = self.first_index()?;
        Some(count.saturating_sub(index.saturating_add(page_len)))
    }
}

xep_element::elements! {
    "XEP-0059" => [Set, First],
}

#[cfg(test)]
mod tests;
