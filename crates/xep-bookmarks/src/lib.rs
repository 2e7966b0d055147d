//! Bookmarks of chat rooms and the storage they live in.
//!
//! - XEP-0402 PEP native bookmarks, at the root: one item per room in the
//!   node `urn:xmpp:bookmarks:1`, its id the room's JID, its payload a
//!   [`Conference`] whose [`Extensions`] every client keeps. [`publish`]
//!   with the publish-options of §4.3 ([`publish_options`]), [`retract`],
//!   [`fetch`]; [`bookmarks`] and [`notification`] believe only the
//!   user's own account; [`Bookmarks`] keeps the list and says whether to
//!   join or leave a room on each [`Change`] (§5).
//! - XEP-0048 bookmarks, in [`legacy`]: one `<storage/>` of rooms and web
//!   pages, in private XML storage or in PEP.
//! - XEP-0049 private XML storage, in [`private`]: the requests, the
//!   server's checks with the stanza errors the XEP names, a store.
//! - Conversions, in [`convert`]: XEP-0048 ⇄ XEP-0402 (the compatibility
//!   of XEP-0402 §6.3, announced by [`COMPAT`] and [`COMPAT_PEP`], with
//!   [`convert::merge_legacy`] for a client that replaces the old list),
//!   and XEP-0411's private XML ⇄ PEP ([`convert::NS_CONVERSION`]).
//!
//! ```
//! use xep_bookmarks::{Action, Bookmarks, Change, convert, legacy, notification, publish};
//! use xep_core::{Message, Stanza};
//! use xep_element::XmlElement;
//!
//! let me = "juliet@capulet.example/balcony".parse().unwrap();
//! let Stanza::Message(m) = Stanza::from_xml(
//!     b"<message xmlns='jabber:client' from='juliet@capulet.example' type='headline'>\
//!       <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:bookmarks:1'>\
//!       <item id='crypt@rooms.capulet.example'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='1'>\
//!       <nick>J</nick></conference></item></items></event></message>",
//! ).unwrap() else { unreachable!() };
//! let mut list = Bookmarks::default();
//! for change in notification(&m, &me).unwrap() {
//!     assert_eq!(list.apply(change), Action::Join);
//! }
//!
//! // The same bookmarks as XEP-0048 storage, and back.
//! let bookmarks: Vec<_> = list.iter().map(|(jid, c)| xep_bookmarks::Bookmark {
//!     jid: jid.clone(),
//!     conference: c.clone(),
//! }).collect();
//! let storage = convert::to_legacy(&bookmarks, Vec::new());
//! assert!(storage.to_xml().contains("jid='crypt@rooms.capulet.example'"));
//! assert_eq!(convert::to_native(&storage).bookmarks, bookmarks);
//! ```

#![warn(missing_docs)]

pub mod convert;
pub mod legacy;
mod native;
pub mod private;

use std::fmt;

pub use native::{
    Action, Bookmark, Bookmarks, COMPAT, COMPAT_PEP, Change, Conference, Extensions, NODE, NOTIFY,
    NS, bookmarks, fetch, notification, publish, publish_options, retract,
};
pub use private::PrivateQuery;

use xep_core::{Iq, IqType, Message, StanzaError};
use xep_element::Error;
use xep_element::jid::{FullJid, Jid};
use xep_pubsub::{EventItems, Item, Pubsub, request};

/// Why bookmarks read from an answer or a notification are not believed.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Not the answer to the request, or not a notification of the node.
    NotThisNode,
    /// From another entity than the user's own account (the PEP service
    /// and the private storage are the account's).
    NotFromAccount(Option<Jid>),
    /// The service answered with an error (e.g. `item-not-found` before
    /// the first bookmark).
    Error(Box<StanzaError>),
    /// An item or payload that does not parse, or an item id that is not
    /// a room's bare JID.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotThisNode => f.write_str("not bookmarks"),
            Refusal::NotFromAccount(j) => {
                write!(f, "bookmarks from {j:?}, not from the account: refused")
            }
            Refusal::Error(e) => write!(f, "error: {:?}", e.condition),
            Refusal::Malformed(e) => write!(f, "malformed bookmarks: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// The items of `node` in the answer to the items request `request`,
/// believed only from `me`'s account (no `from`, or its bare JID).
fn own_items(request: &Iq, reply: &Iq, me: &FullJid, node: &str) -> Result<Vec<Item>, Refusal> {
    if reply.id != request.id {
        return Err(Refusal::NotThisNode);
    }
    let own = Jid::from(me.to_bare());
    if reply.from.as_ref().is_some_and(|f| *f != own) {
        return Err(Refusal::NotFromAccount(reply.from.clone()));
    }
    match reply.type_ {
        IqType::Result => {}
        IqType::Error => {
            return Err(Refusal::Error(Box::new(
                reply.error.clone().unwrap_or_else(|| {
                    StanzaError::new(
                        xep_core::ErrorType::Cancel,
                        xep_core::DefinedCondition::UndefinedCondition,
                    )
                }),
            )));
        }
        _ => return Err(Refusal::NotThisNode),
    }
    let Some(p) = reply.payload::<Pubsub>() else {
        return Ok(Vec::new());
    };
    let p = p.map_err(Refusal::Malformed)?;
    match p.items() {
        Some(items) if items.node == node => Ok(items.items.clone()),
        _ => Err(Refusal::NotThisNode),
    }
}

/// The event items of `node` in a notification, believed only from `me`'s
/// own bare JID.
fn own_event_items(message: &Message, me: &FullJid, node: &str) -> Result<EventItems, Refusal> {
    let event = match request::event_of(message) {
        None => return Err(Refusal::NotThisNode),
        Some(e) => e.map_err(Refusal::Malformed)?,
    };
    let Some(items) = event.items.filter(|i| i.node == node) else {
        return Err(Refusal::NotThisNode);
    };
    if message.from.as_ref() != Some(&Jid::from(me.to_bare())) {
        return Err(Refusal::NotFromAccount(message.from.clone()));
    }
    Ok(items)
}

xep_element::elements! {
    "XEP-0049" => [PrivateQuery],
    "XEP-0048" => [legacy::Storage, legacy::Conference, legacy::Url],
    "XEP-0402" => [Conference, Extensions],
}

#[cfg(test)]
mod tests;
