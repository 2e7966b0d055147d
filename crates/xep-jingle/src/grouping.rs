//! XEP-0338 Jingle Grouping Framework.

use xep_element::XmlElement;

/// `urn:xmpp:jingle:apps:grouping:0`.
pub const NS: &str = "urn:xmpp:jingle:apps:grouping:0";

/// `<group/>`: contents grouped with some semantics (SDP `a=group`), a
/// child of `<jingle/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "group")]
pub struct Group {
    /// The semantics (`LS`, `FID`, `BUNDLE`, ...: an open set).
    #[xml(attr)]
    pub semantics: String,
    /// The grouped contents.
    #[xml(child)]
    pub contents: Vec<GroupContent>,
}

/// `<content/>` of a group: a content by name.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "content")]
pub struct GroupContent {
    /// The content's name.
    #[xml(attr)]
    pub name: String,
}
