//! XEP-0059 Result Set Management: paging through long result sets.
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_rsm::Set;
//!
//! // Ask for the page after the last item seen.
//! let req = Set::next_page(10, "peterpan@neverland.lit");
//! assert_eq!(
//!     req.to_xml(),
//!     "<set xmlns='http://jabber.org/protocol/rsm'><after>peterpan@neverland.lit</after><max>10</max></set>"
//! );
//! // Read the page a service returned.
//! let page = Set::from_xml(
//!     b"<set xmlns='http://jabber.org/protocol/rsm'>\
//!       <first index='0'>stpeter@jabber.org</first><last>peterpan@neverland.lit</last>\
//!       <count>800</count></set>",
//! ).unwrap();
//! assert_eq!(page.first_index(), Some(0));
//! assert_eq!(page.count, Some(800));
//! ```

#![warn(missing_docs)]

use xep_element::XmlElement;

/// `http://jabber.org/protocol/rsm`.
pub const NS: &str = "http://jabber.org/protocol/rsm";

/// `<set/>`: a page request or the description of a returned page.
///
/// In a request: `max` (page size; `0` asks for the count only), then
/// `after` (next page), `before` (previous page; empty for the last page)
/// or `index` (jump). In a result: `first` (with the index of the first
/// item), `last` and `count`. `before` keeps the difference between absent
/// (`None`) and empty (`Some("")`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "set")]
pub struct Set {
    /// Items after this id (the next page).
    #[xml(text_child(name = "after"))]
    pub after: Option<String>,
    /// Items before this id; empty: the last page.
    #[xml(text_child(name = "before"))]
    pub before: Option<String>,
    /// Number of items in the whole set.
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
    /// Position of this item in the whole set.
    #[xml(attr)]
    pub index: Option<u32>,
    /// The item's id.
    #[xml(text)]
    pub id: String,
}

impl Set {
    /// The first page of at most `max` items.
    pub fn first_page(max: u32) -> Set {
        Set {
            max: Some(max),
            ..Set::default()
        }
    }

    /// The page of at most `max` items after the item `after`.
    pub fn next_page(max: u32, after: impl Into<String>) -> Set {
        Set {
            max: Some(max),
            after: Some(after.into()),
            ..Set::default()
        }
    }

    /// The page of at most `max` items before the item `before`.
    pub fn previous_page(max: u32, before: impl Into<String>) -> Set {
        Set {
            max: Some(max),
            before: Some(before.into()),
            ..Set::default()
        }
    }

    /// The last page of at most `max` items (an empty `<before/>`).
    pub fn last_page(max: u32) -> Set {
        Set::previous_page(max, "")
    }

    /// The page of at most `max` items starting at position `index`.
    pub fn page_at(max: u32, index: u32) -> Set {
        Set {
            max: Some(max),
            index: Some(index),
            ..Set::default()
        }
    }

    /// Asks for the number of items only (`max` 0, §2.7).
    pub fn count_only() -> Set {
        Set::first_page(0)
    }

    /// A result page: its first and last item ids, the index of the first
    /// and the size of the whole set.
    pub fn page(
        first: impl Into<String>,
        first_index: Option<u32>,
        last: impl Into<String>,
        count: Option<u32>,
    ) -> Set {
        Set {
            first: Some(First {
                index: first_index,
                id: first.into(),
            }),
            last: Some(last.into()),
            count,
            ..Set::default()
        }
    }

    /// Whether this asks for the last page (an empty `<before/>`).
    pub fn is_last_page_request(&self) -> bool {
        self.before.as_deref() == Some("")
    }

    /// The id of the page's first item.
    pub fn first_id(&self) -> Option<&str> {
        self.first.as_ref().map(|f| f.id.as_str())
    }

    /// The index of the page's first item.
    pub fn first_index(&self) -> Option<u32> {
        self.first.as_ref().and_then(|f| f.index)
    }

    /// Whether the page is empty (a result without `first`/`last`, §2.6).
    pub fn is_empty_page(&self) -> bool {
        self.first.is_none() && self.last.is_none()
    }
}

xep_element::elements! {
    "XEP-0059" => [Set, First],
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(set: &Set) {
        assert_eq!(&Set::from_xml(set.to_xml().as_bytes()).unwrap(), set);
    }

    #[test]
    fn requests_and_results_round_trip() {
        for s in [
            Set::first_page(10),
            Set::next_page(10, "a"),
            Set::previous_page(10, "b"),
            Set::last_page(10),
            Set::page_at(10, 371),
            Set::count_only(),
            Set::page("f", Some(20), "l", Some(800)),
            Set::default(),
        ] {
            rt(&s);
        }
    }

    #[test]
    fn empty_before_is_the_last_page_and_differs_from_absent() {
        let s = Set::from_xml(
            b"<set xmlns='http://jabber.org/protocol/rsm'><max>10</max><before/></set>",
        )
        .unwrap();
        assert!(s.is_last_page_request());
        assert_eq!(
            s.to_xml(),
            "<set xmlns='http://jabber.org/protocol/rsm'><before/><max>10</max></set>"
        );
        assert!(!Set::first_page(10).is_last_page_request());
    }

    #[test]
    fn bad_numbers_name_the_child() {
        let e = Set::from_xml(b"<set xmlns='http://jabber.org/protocol/rsm'><max>ten</max></set>")
            .unwrap_err();
        assert_eq!(e.path(), "set/max");
        let e =
            Set::from_xml(b"<set xmlns='http://jabber.org/protocol/rsm'><count>-1</count></set>")
                .unwrap_err();
        assert_eq!(e.path(), "set/count");
        let e = Set::from_xml(
            b"<set xmlns='http://jabber.org/protocol/rsm'><first index='x'>a</first></set>",
        )
        .unwrap_err();
        assert_eq!(e.path(), "set/first");
        let e = Set::from_xml(
            b"<set xmlns='http://jabber.org/protocol/rsm'><max>1</max><max>2</max></set>",
        )
        .unwrap_err();
        assert_eq!(e.path(), "set");
        let e = Set::from_xml(b"<set xmlns='http://jabber.org/protocol/rsm'><page/></set>")
            .unwrap_err();
        assert!(e.to_string().contains("page"), "{e}");
    }

    #[test]
    fn result_accessors() {
        let s = Set::page("f", Some(3), "l", None);
        assert_eq!(s.first_id(), Some("f"));
        assert_eq!(s.first_index(), Some(3));
        assert!(!s.is_empty_page());
        assert!(
            Set {
                count: Some(5),
                ..Set::default()
            }
            .is_empty_page()
        );
    }
}
