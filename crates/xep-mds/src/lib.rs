//! XEP-0490 Message Displayed Synchronization: each chat's "displayed up
//! to here" is an item of the user's private PEP node
//! `urn:xmpp:mds:displayed:0` ([`NODE`]), its id the chat's JID and its
//! payload a [`Displayed`] holding the stanza id of the last message
//! displayed (the room's in a group chat, the user's server's otherwise).
//!
//! - [`publish`] writes the item with the publish-options §3.2 and §7
//!   require (whitelist access, max-items `max`); [`fetch`] asks for
//!   every item after binding (§3.4).
//! - [`notification`] reads a PEP notification of the node, believed
//!   only from the user's own bare JID (a PEP node's service is the
//!   account): anyone else's is refused.
//! - [`Tracker`] keeps the state per chat and moves it only forward
//!   (§5): the caller, which knows its history, says where a stanza id
//!   stands; an unknown id or an older one is ignored, as §5 requires.
//! - [`assist`] adds the displayed state to an outgoing message for a
//!   server that announces `urn:xmpp:mds:server-assist:0` (§4), refusing
//!   where §5 and §7 forbid it.
//!
//! ```
//! use xep_mds::{Displayed, Tracker, Update, publish};
//!
//! let chat = "romeo@montague.lit".parse().unwrap();
//! let own_server = "juliet@capulet.lit".parse().unwrap();
//! let shown = Displayed::new("0f710f2b", own_server);
//! let iq = publish("mds1", &chat, shown.clone());
//! assert!(xep_element::XmlElement::to_xml(&iq).contains("urn:xmpp:mds:displayed:0"));
//!
//! let mut t = Tracker::default();
//! // The caller orders stanza ids by its history: here, ids sort by name.
//! let order = |a: &str, b: &str| Some(a.cmp(b));
//! assert_eq!(t.update(&chat, shown, order), Update::Moved);
//! let older = Displayed::new("0a", "juliet@capulet.lit".parse().unwrap());
//! assert_eq!(t.update(&chat, older, order), Update::Older);
//! ```

#![warn(missing_docs)]

use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;

use xep_core::{Iq, Message};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};
use xep_forms::{FormType, FormView};
use xep_pubsub::forms::{AccessModel, Limit, PublishOptionsForm};
use xep_pubsub::{Item, request};
use xep_sid::StanzaId;

/// `urn:xmpp:mds:displayed:0`: the namespace of [`Displayed`] and the
/// node.
pub const NS: &str = "urn:xmpp:mds:displayed:0";
/// The PEP node.
pub const NODE: &str = NS;
/// The account feature of a server that publishes from messages (§4).
pub const SERVER_ASSIST: &str = "urn:xmpp:mds:server-assist:0";

/// `<displayed/>`: the stanza id of the last message displayed.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "displayed")]
pub struct Displayed {
    /// Exactly one `<stanza-id/>` (§3.1).
    #[xml(child)]
    pub stanza_id: StanzaId,
}

impl Displayed {
    /// Displayed up to the message `id` that `by` assigned.
    pub fn new(id: impl Into<String>, by: Jid) -> Displayed {
        Displayed {
            stanza_id: StanzaId::new(id, by),
        }
    }
}

/// The publish-options of §3.2 and §7: whitelist access, every item
/// kept.
pub fn publish_options() -> PublishOptionsForm {
    PublishOptionsForm {
        access_model: Some(AccessModel::Whitelist),
        max_items: Some(Limit::Max),
        persist_items: Some(true),
        ..PublishOptionsForm::default()
    }
}

/// The publication of `displayed` for `chat` (its bare JID, or a
/// room occupant's full JID for a private message), to the user's own
/// PEP service.
pub fn publish(id: impl Into<String>, chat: &Jid, displayed: Displayed) -> Iq {
    let item = Item {
        id: Some(chat.to_string()),
        publisher: None,
        payloads: vec![Payload::new(displayed)],
    };
    request::publish(
        id,
        None,
        NODE,
        item,
        Some(publish_options().to_form(FormType::Submit)),
    )
}

/// The request for every item of the node (§3.4, after binding).
pub fn fetch(id: impl Into<String>) -> Iq {
    request::items(id, None, NODE, None, &[])
}

/// Why a notification is not believed.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Not a notification of the node.
    NotThisNode,
    /// From another entity than the user's own account (PEP
    /// notifications of the user's node come from the bare JID).
    NotFromAccount(Option<Jid>),
    /// An item's id is not a JID, or its payload does not parse.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotThisNode => f.write_str("not a notification of urn:xmpp:mds:displayed:0"),
            Refusal::NotFromAccount(j) => {
                write!(
                    f,
                    "a displayed state from {j:?}, not from the account: refused"
                )
            }
            Refusal::Malformed(e) => write!(f, "malformed displayed state: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// The (chat, displayed) pairs a PEP notification carries, believed only
/// when `message` comes from `me`'s bare JID.
pub fn notification(message: &Message, me: &Jid) -> Result<Vec<(Jid, Displayed)>, Refusal> {
    let event = match request::event_of(message) {
        None => return Err(Refusal::NotThisNode),
        Some(e) => e.map_err(Refusal::Malformed)?,
    };
    let Some(items) = event.items.filter(|i| i.node == NODE) else {
        return Err(Refusal::NotThisNode);
    };
    let own = Jid::from(me.to_bare());
    if message.from.as_ref() != Some(&own) {
        return Err(Refusal::NotFromAccount(message.from.clone()));
    }
    let mut out = Vec::new();
    for item in items.items {
        let id = item
            .id
            .ok_or_else(|| Refusal::Malformed(Error::missing_attribute("id").within("item")))?;
        let chat: Jid = id.parse().map_err(|_| {
            Refusal::Malformed(
                Error::bad_attribute("id", &id, "the item id names a chat's JID").within("item"),
            )
        })?;
        let Some(d) = item.payloads.iter().find_map(|p| p.get::<Displayed>()) else {
            continue;
        };
        out.push((chat, d.map_err(Refusal::Malformed)?));
    }
    Ok(out)
}

/// What [`Tracker::update`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Update {
    /// The chat's state moved to the new stanza id.
    Moved,
    /// The same stanza id as before: nothing to do.
    Same,
    /// Older than the current state: ignored (§5).
    Older,
    /// The stanza id is not in the chat's history: ignored (§5).
    Unknown,
}

/// The displayed state of each chat (see the crate docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracker {
    chats: HashMap<Jid, Displayed>,
}

impl Tracker {
    /// The state of `chat`, if known.
    pub fn get(&self, chat: &Jid) -> Option<&Displayed> {
        self.chats.get(chat)
    }

    /// Takes a displayed state for `chat`. `order(new, current)` places
    /// the new stanza id against the current one in the chat's history
    /// (`None` when the new id is not in it); the first state of a chat
    /// is taken when its id is known (`order(new, new)` is `Some`).
    pub fn update(
        &mut self,
        chat: &Jid,
        displayed: Displayed,
        order: impl Fn(&str, &str) -> Option<Ordering>,
    ) -> Update {
        let new = displayed.stanza_id.id.as_str();
        let verdict = match self.chats.get(chat) {
            None => order(new, new).map(|_| Ordering::Greater),
            Some(current) => order(new, &current.stanza_id.id),
        };
        match verdict {
            None => Update::Unknown,
            Some(Ordering::Less) => Update::Older,
            Some(Ordering::Equal) => Update::Same,
            Some(Ordering::Greater) => {
                self.chats.insert(chat.clone(), displayed);
                Update::Moved
            }
        }
    }
}

/// Why [`assist`] refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssistRefusal {
    /// The server does not announce `urn:xmpp:mds:server-assist:0` (§7).
    NotAnnounced,
    /// The message would be empty without it (§4).
    EmptyMessage,
    /// The message is not addressed to the chat's bare JID (§5: the
    /// server takes the item id from `to` verbatim).
    NotBareJid,
}

impl fmt::Display for AssistRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AssistRefusal::NotAnnounced => {
                "the server does not announce urn:xmpp:mds:server-assist:0 (XEP-0490 §7)"
            }
            AssistRefusal::EmptyMessage => {
                "a message carrying only the displayed state is not allowed (XEP-0490 §4)"
            }
            AssistRefusal::NotBareJid => {
                "a server-assisted update goes to the chat's bare JID (XEP-0490 §5)"
            }
        })
    }
}

impl std::error::Error for AssistRefusal {}

/// Adds `displayed` to `message` (e.g. one carrying a XEP-0333 marker)
/// for the server to publish (§4). `private_message` is true for a
/// private message in a room, whose item id is the occupant's full JID.
pub fn assist(
    message: &mut Message,
    displayed: Displayed,
    server_announces: bool,
    private_message: bool,
) -> Result<(), AssistRefusal> {
    if !server_announces {
        return Err(AssistRefusal::NotAnnounced);
    }
    if message.bodies.is_empty() && message.subjects.is_empty() && message.payloads.is_empty() {
        return Err(AssistRefusal::EmptyMessage);
    }
    if !private_message && !message.to.as_ref().is_some_and(Jid::is_bare) {
        return Err(AssistRefusal::NotBareJid);
    }
    message.payloads.push(Payload::new(displayed));
    Ok(())
}

xep_element::elements! {
    "XEP-0490" => [Displayed],
}

#[cfg(test)]
mod tests;
