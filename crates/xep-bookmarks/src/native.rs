//! XEP-0402 PEP native bookmarks: one item per room in the node
//! `urn:xmpp:bookmarks:1`, its id the room's JID.

use std::collections::BTreeMap;

use xep_core::{Iq, Message};
use xep_element::jid::{BareJid, FullJid};
use xep_element::{Error, Payload, XmlElement, XsdBool};
use xep_forms::{FormType, FormView};
use xep_pubsub::forms::{AccessModel, Limit, PublishOptionsForm, SendLastPublishedItem};
use xep_pubsub::{EventItems, Item, request};

use crate::Refusal;

/// `urn:xmpp:bookmarks:1`: the namespace of [`Conference`].
pub const NS: &str = "urn:xmpp:bookmarks:1";
/// The PEP node (the namespace).
pub const NODE: &str = NS;
/// The entity capabilities feature of a client that wants notifications
/// of the node (§3.1, XEP-0163).
pub const NOTIFY: &str = "urn:xmpp:bookmarks:1+notify";
/// The account feature of a server that unifies these bookmarks with
/// XEP-0048's in private XML storage (§6.3).
pub const COMPAT: &str = "urn:xmpp:bookmarks:1#compat";
/// The account feature of a server that unifies these bookmarks with
/// XEP-0048's in PEP (§6.3).
pub const COMPAT_PEP: &str = "urn:xmpp:bookmarks:1#compat-pep";

/// `<conference xmlns='urn:xmpp:bookmarks:1'/>`: the bookmark of one
/// room, whose JID is the item's id. Nothing in it is required.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "conference")]
pub struct Conference {
    /// `autojoin`: join the room on login (default false).
    #[xml(attr)]
    pub autojoin: Option<XsdBool>,
    /// `name`: a name the user gave (clients should not make one up from
    /// the JID).
    #[xml(attr)]
    pub name: Option<String>,
    /// `<nick/>`: the nickname in this room, if not the XEP-0172 one.
    #[xml(text_child(name = "nick"))]
    pub nick: Option<String>,
    /// `<password/>`: the room's password (no secure storage).
    #[xml(text_child(name = "password"))]
    pub password: Option<String>,
    /// `<extensions/>`: elements of other namespaces, which every client
    /// must keep when it edits the bookmark (§4.4).
    #[xml(child)]
    pub extensions: Option<Extensions>,
}

/// `<extensions/>`: any elements, kept as they came.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "extensions")]
pub struct Extensions {
    /// The elements (typed when the registry knows them).
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
}

impl Conference {
    /// Whether to join on login (`autojoin` `true` or `1`).
    pub fn autojoin(&self) -> bool {
        self.autojoin.is_some_and(bool::from)
    }
}

/// A bookmark: the room's JID (the item id) and its conference element.
#[derive(Debug, Clone, PartialEq)]
pub struct Bookmark {
    /// The room.
    pub jid: BareJid,
    /// The bookmark.
    pub conference: Conference,
}

/// The publish-options §4.3 requires: persistent items, as many as the
/// service allows, never sent on subscription, and only the user may read
/// them (whitelist).
pub fn publish_options() -> PublishOptionsForm {
    PublishOptionsForm {
        persist_items: Some(true),
        max_items: Some(Limit::Max),
        send_last_published_item: Some(SendLastPublishedItem::Never),
        access_model: Some(AccessModel::Whitelist),
        ..PublishOptionsForm::default()
    }
}

/// Adds or edits a bookmark (§4.3, §4.4): the item with the room's JID as
/// id, with [`publish_options`]. Edit a bookmark read from the node to
/// keep its extensions.
pub fn publish(id: impl Into<String>, bookmark: &Bookmark) -> Iq {
    request::publish(
        id,
        None,
        NODE,
        Item::new(
            Some(bookmark.jid.to_string()),
            Payload::new(bookmark.conference.clone()),
        ),
        Some(publish_options().to_form(FormType::Submit)),
    )
}

/// Removes the bookmark of `room` (§4.5), notifying the user's other
/// clients.
pub fn retract(id: impl Into<String>, room: &BareJid) -> Iq {
    request::retract(id, None, NODE, &[room.as_str()], true)
}

/// The request for every bookmark (§4.2).
pub fn fetch(id: impl Into<String>) -> Iq {
    request::items(id, None, NODE, None, &[])
}

fn room_of(id: Option<&str>) -> Result<BareJid, Refusal> {
    let id = id.ok_or_else(|| Refusal::Malformed(Error::missing_attribute("id").within("item")))?;
    id.parse::<BareJid>().map_err(|e| {
        Refusal::Malformed(
            Error::bad_attribute(
                "id",
                id,
                format!("the item id is the room's bare JID ({e})"),
            )
            .within("item"),
        )
    })
}

fn conference_of(payloads: &[Payload]) -> Result<Conference, Refusal> {
    match payloads.iter().find_map(|p| p.get::<Conference>()) {
        Some(c) => c.map_err(|e| Refusal::Malformed(e.within("item"))),
        None => Err(Refusal::Malformed(
            Error::missing_child("conference").within("item"),
        )),
    }
}

/// The bookmarks in the answer to [`fetch`], believed only from `me`'s
/// own account; each item id must be a room's bare JID.
pub fn bookmarks(request: &Iq, reply: &Iq, me: &FullJid) -> Result<Vec<Bookmark>, Refusal> {
    crate::own_items(request, reply, me, NODE)?
        .into_iter()
        .map(|i| {
            Ok(Bookmark {
                jid: room_of(i.id.as_deref())?,
                conference: conference_of(&i.payloads)?,
            })
        })
        .collect()
}

/// A change a notification announces.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A bookmark added or edited.
    Set(Bookmark),
    /// The bookmark of this room removed.
    Retracted(BareJid),
}

/// What a client does about a room when a change arrives (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Join now: the bookmark says autojoin.
    Join,
    /// Leave now: autojoin turned off, or the bookmark removed.
    Leave,
}

impl Change {
    /// The room concerned.
    pub fn room(&self) -> &BareJid {
        match self {
            Change::Set(b) => &b.jid,
            Change::Retracted(j) => j,
        }
    }

    /// What §5 says a client should do (join on autojoin, leave on
    /// autojoin false or a retraction); the caller knows whether it is
    /// already in the room.
    pub fn action(&self) -> Action {
        match self {
            Change::Set(b) if b.conference.autojoin() => Action::Join,
            _ => Action::Leave,
        }
    }
}

fn changes(items: EventItems) -> Result<Vec<Change>, Refusal> {
    let mut out = Vec::new();
    for i in items.items {
        out.push(Change::Set(Bookmark {
            jid: room_of(i.id.as_deref())?,
            conference: conference_of(&i.payloads)?,
        }));
    }
    for r in items.retracts {
        out.push(Change::Retracted(room_of(Some(&r.id))?));
    }
    Ok(out)
}

/// The changes a PEP notification of the node carries (§5), believed only
/// from `me`'s own bare JID.
pub fn notification(message: &Message, me: &FullJid) -> Result<Vec<Change>, Refusal> {
    changes(crate::own_event_items(message, me, NODE)?)
}

/// A client's bookmarks, kept by the answer to [`fetch`] and then the
/// notifications.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bookmarks {
    rooms: BTreeMap<BareJid, Conference>,
}

impl Bookmarks {
    /// The bookmarks of a fetch.
    pub fn new(list: Vec<Bookmark>) -> Bookmarks {
        Bookmarks {
            rooms: list.into_iter().map(|b| (b.jid, b.conference)).collect(),
        }
    }

    /// The bookmark of `room`.
    pub fn get(&self, room: &BareJid) -> Option<&Conference> {
        self.rooms.get(room)
    }

    /// Every bookmark, by room JID.
    pub fn iter(&self) -> impl Iterator<Item = (&BareJid, &Conference)> {
        self.rooms.iter()
    }

    /// The rooms to join after fetching (§4.2: autojoin `true` or `1`).
    pub fn autojoin(&self) -> impl Iterator<Item = &BareJid> {
        self.rooms
            .iter()
            .filter(|(_, c)| c.autojoin())
            .map(|(j, _)| j)
    }

    /// Applies a change, returning what to do about the room (§5).
    pub fn apply(&mut self, change: Change) -> Action {
        let action = change.action();
        match change {
            Change::Set(b) => {
                self.rooms.insert(b.jid, b.conference);
            }
            Change::Retracted(j) => {
                self.rooms.remove(&j);
            }
        }
        action
    }

    /// The bookmark of `room` edited by `edit`, ready for [`publish`]:
    /// starting from the one held (so its extensions stay, §4.4) or a new
    /// one.
    pub fn edited(&self, room: &BareJid, edit: impl FnOnce(&mut Conference)) -> Bookmark {
        let mut conference = self.rooms.get(room).cloned().unwrap_or_default();
        edit(&mut conference);
        Bookmark {
            jid: room.clone(),
            conference,
        }
    }
}
