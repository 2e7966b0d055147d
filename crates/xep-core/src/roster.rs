//! The roster (RFC 6121 §2) and roster versioning (§2.6).

use xep_element::jid::Jid;
use xep_element::{Payload, XmlElement, XmlValue, XsdBool};

/// `jabber:iq:roster`.
pub const NS_ROSTER: &str = "jabber:iq:roster";

/// `subscription` of a roster item (RFC 6121 §2.1.2.5).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subscription {
    /// Both directions.
    Both,
    /// The contact receives the user's presence.
    From,
    /// No subscription.
    None,
    /// Only in a roster set: delete the item.
    Remove,
    /// The user receives the contact's presence.
    To,
}

/// `ask` of a roster item (RFC 6121 §2.1.2.2).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ask {
    /// A subscription request is pending.
    Subscribe,
}

/// A roster `<item/>`.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_ROSTER, name = "item")]
pub struct Item {
    /// The contact.
    #[xml(attr)]
    pub jid: Jid,
    /// The user's handle for the contact.
    #[xml(attr)]
    pub name: Option<String>,
    /// Subscription state (absent means `none`).
    #[xml(attr)]
    pub subscription: Option<Subscription>,
    /// A pending outbound request.
    #[xml(attr)]
    pub ask: Option<Ask>,
    /// Pre-approval of the contact's subscription (§3.4).
    #[xml(attr)]
    pub approved: Option<XsdBool>,
    /// Groups the contact is in.
    #[xml(text_child(name = "group"))]
    pub groups: Vec<String>,
    /// Extension elements of other namespaces (e.g. XEP-0321's rosters
    /// for remote entities), kept in order.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<query xmlns='jabber:iq:roster'/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_ROSTER, name = "query")]
pub struct Roster {
    /// Roster version (§2.6).
    #[xml(attr)]
    pub ver: Option<String>,
    /// Items.
    #[xml(child)]
    pub items: Vec<Item>,
    /// Extension elements of other namespaces (e.g. XEP-0150's SHIM
    /// headers), kept in order.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Item {
    /// A new item for `jid` with nothing else set.
    pub fn new(jid: Jid) -> Self {
        Item {
            jid,
            name: None,
            subscription: None,
            ask: None,
            approved: None,
            groups: Vec::new(),
            extensions: Vec::new(),
        }
    }
}
