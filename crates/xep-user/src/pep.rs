//! Publishing user data to the user's own PEP node (XEP-0163) and
//! reading what contacts publish, for any payload type: each kind of user
//! data has one node named after its namespace.
//!
//! A PEP node belongs to an account, and its notifications and items come
//! from that account's bare JID (the PEP service is the account, XEP-0163
//! §4.3): [`notification`] and [`items_result`] name the publisher from
//! that address and refuse what comes from a full JID or no address,
//! so a stanza from a client cannot pass for the data of an account.

use std::fmt;

use xep_core::{Iq, IqType, Message};
use xep_element::jid::{BareJid, Jid};
use xep_element::{AnyElementBounds, Error, Payload, XmlElement};
use xep_pubsub::{Item, PubsubAction, request};

/// The request publishing `payload` as an item (with `item_id`, or one
/// the service assigns) of the user's own `node`.
pub fn publish<T: XmlElement + AnyElementBounds>(
    id: impl Into<String>,
    node: &str,
    item_id: Option<String>,
    payload: T,
) -> Iq {
    request::publish(
        id,
        None,
        node,
        Item::new(item_id, Payload::new(payload)),
        None,
    )
}

/// The request for the latest item of `owner`'s `node` (`None`: the
/// user's own).
pub fn fetch(id: impl Into<String>, owner: Option<BareJid>, node: &str) -> Iq {
    request::items(id, owner.map(Jid::from), node, Some(1), &[])
}

/// One item published to a node, with its payload typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Published<T> {
    /// The ItemID, if the service gave one.
    pub item_id: Option<String>,
    /// The payload; `None` for a notification without payload (the node
    /// does not deliver payloads: fetch the item).
    pub value: Option<T>,
}

/// What a notification of a node says.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification<T> {
    /// The account that published: the notification's bare JID.
    pub publisher: BareJid,
    /// Items published.
    pub items: Vec<Published<T>>,
    /// ItemIDs retracted.
    pub retracted: Vec<String>,
}

/// Why a notification or an items result is not believed.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Not about the node (another node, or no pubsub payload).
    NotThisNode,
    /// Not from an account's bare JID: from a full JID, or without
    /// address. A PEP node's notifications and items come from the bare
    /// JID of the account that owns it.
    NotFromAccount(Option<Jid>),
    /// An items result from another entity than the one asked.
    NotFromOwner {
        /// The entity asked.
        asked: Option<BareJid>,
        /// Where the result came from.
        from: Option<Jid>,
    },
    /// The payload does not parse.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotThisNode => f.write_str("not about this node"),
            Refusal::NotFromAccount(j) => write!(
                f,
                "PEP data from {j:?}, not from an account's bare JID: refused"
            ),
            Refusal::NotFromOwner { asked, from } => {
                write!(f, "items of {asked:?} answered by {from:?}: refused")
            }
            Refusal::Malformed(e) => write!(f, "malformed PEP payload: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

fn typed<T: XmlElement + Clone + 'static>(payloads: &[Payload]) -> Result<Option<T>, Refusal> {
    match payloads.first() {
        None => Ok(None),
        Some(p) => match p.get::<T>() {
            Some(v) => v.map(Some).map_err(Refusal::Malformed),
            None => {
                let el = p.to_element();
                Err(Refusal::Malformed(
                    Error::unexpected_child(&el.ns(), el.name()).within("item"),
                ))
            }
        },
    }
}

/// The items and retractions of `node` a notification carries, believed
/// only from an account's bare JID (the publisher).
pub fn notification<T: XmlElement + Clone + 'static>(
    message: &Message,
    node: &str,
) -> Result<Notification<T>, Refusal> {
    let event = match request::event_of(message) {
        None => return Err(Refusal::NotThisNode),
        Some(e) => e.map_err(Refusal::Malformed)?,
    };
    let Some(items) = event.items.filter(|i| i.node == node) else {
        return Err(Refusal::NotThisNode);
    };
    let publisher = match &message.from {
        Some(j) if j.resource().is_none() => j.to_bare(),
        other => return Err(Refusal::NotFromAccount(other.clone())),
    };
    let mut out = Vec::new();
    for item in &items.items {
        out.push(Published {
            item_id: item.id.clone(),
            value: typed::<T>(&item.payloads)?,
        });
    }
    Ok(Notification {
        publisher,
        items: out,
        retracted: items.retracts.into_iter().map(|r| r.id).collect(),
    })
}

/// The items of `node` in the result of a [`fetch`] of `owner`'s node
/// (`None`: the user's own, answered without `from` or from the user's
/// bare JID, `me`), believed only from the owner asked.
pub fn items_result<T: XmlElement + Clone + 'static>(
    reply: &Iq,
    owner: Option<&BareJid>,
    me: &BareJid,
    node: &str,
) -> Result<Vec<Published<T>>, Refusal> {
    if reply.type_ != IqType::Result {
        return Err(Refusal::NotThisNode);
    }
    let expected = owner.unwrap_or(me);
    let believed = match &reply.from {
        None => owner.is_none(),
        Some(j) => j.resource().is_none() && &j.to_bare() == expected,
    };
    if !believed {
        return Err(Refusal::NotFromOwner {
            asked: owner.cloned(),
            from: reply.from.clone(),
        });
    }
    let pubsub = match reply.payload::<xep_pubsub::Pubsub>() {
        None => return Err(Refusal::NotThisNode),
        Some(p) => p.map_err(Refusal::Malformed)?,
    };
    let Some(PubsubAction::Items(items)) = pubsub.action else {
        return Err(Refusal::NotThisNode);
    };
    if items.node != node {
        return Err(Refusal::NotThisNode);
    }
    items
        .items
        .iter()
        .map(|i| {
            Ok(Published {
                item_id: i.id.clone(),
                value: typed::<T>(&i.payloads)?,
            })
        })
        .collect()
}
