//! XEP-0048 bookmarks: one `<storage xmlns='storage:bookmarks'/>` holding
//! every bookmark, stored in private XML storage (XEP-0049, the older
//! method most clients use) or in the PEP node `storage:bookmarks`
//! (XEP-0223, the item `current`).

use xep_core::{Iq, Message};
use xep_element::jid::{FullJid, Jid};
use xep_element::{Error, Payload, XmlElement, XsdBool};
use xep_forms::{FormType, FormView};
use xep_pubsub::forms::{AccessModel, PublishOptionsForm};
use xep_pubsub::{Item, request};

use crate::Refusal;
use crate::private::{self, PrivateQuery};

/// `storage:bookmarks`: the namespace of [`Storage`].
pub const NS: &str = "storage:bookmarks";
/// The PEP node of XEP-0048 §3 (the namespace).
pub const NODE: &str = NS;
/// The id of the one item of the node.
pub const ITEM_ID: &str = "current";

/// `<storage xmlns='storage:bookmarks'/>`: every bookmark of the user,
/// any number of rooms and web pages.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "storage")]
pub struct Storage {
    /// Bookmarked rooms.
    #[xml(child)]
    pub conferences: Vec<Conference>,
    /// Bookmarked web pages.
    #[xml(child)]
    pub urls: Vec<Url>,
}

/// `<conference/>`: a bookmarked chat room.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "conference")]
pub struct Conference {
    /// `autojoin`: join the room on login (default false).
    #[xml(attr)]
    pub autojoin: Option<XsdBool>,
    /// `jid`: the room.
    #[xml(attr)]
    pub jid: Jid,
    /// `name`: a friendly name (recommended).
    #[xml(attr)]
    pub name: Option<String>,
    /// `<nick/>`: the user's preferred nickname in the room.
    #[xml(text_child(name = "nick"))]
    pub nick: Option<String>,
    /// `<password/>`: the room's password, in the clear (not recommended,
    /// §4: a client must let the user turn password storage off).
    #[xml(text_child(name = "password"))]
    pub password: Option<String>,
}

impl Conference {
    /// A bookmark of `jid`, nothing else set.
    pub fn new(jid: Jid) -> Conference {
        Conference {
            autojoin: None,
            jid,
            name: None,
            nick: None,
            password: None,
        }
    }

    /// Whether to join on login (`autojoin`, default false).
    pub fn autojoin(&self) -> bool {
        self.autojoin.is_some_and(bool::from)
    }

    /// The name to show: `name`, or else the room's JID (§2: a client
    /// substitutes one when the name is missing).
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.jid.to_string())
    }
}

/// `<url/>`: a bookmarked web page.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "url")]
pub struct Url {
    /// `name`: a friendly name (recommended).
    #[xml(attr)]
    pub name: Option<String>,
    /// `url`: the HTTP or HTTPS URL.
    #[xml(attr)]
    pub url: String,
}

impl Url {
    /// The name to show: `name`, or else the URL.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.url)
    }
}

impl Storage {
    /// The bookmark of `room`, if any.
    pub fn conference(&self, room: &Jid) -> Option<&Conference> {
        self.conferences.iter().find(|c| c.jid == *room)
    }

    /// The rooms to join on login.
    pub fn autojoin(&self) -> impl Iterator<Item = &Conference> {
        self.conferences.iter().filter(|c| c.autojoin())
    }

    /// The storage without any password (§4: for a user who turned
    /// password storage off).
    pub fn without_passwords(mut self) -> Storage {
        for c in &mut self.conferences {
            c.password = None;
        }
        self
    }
}

/// The publish-options of §3.1: the items persist, and only the user may
/// read them (whitelist access).
pub fn publish_options() -> PublishOptionsForm {
    PublishOptionsForm {
        persist_items: Some(true),
        access_model: Some(AccessModel::Whitelist),
        ..PublishOptionsForm::default()
    }
}

/// The publication of `storage` to the user's PEP node (§3.1): the item
/// `current`, with [`publish_options`].
pub fn publish(id: impl Into<String>, storage: Storage) -> Iq {
    request::publish(
        id,
        None,
        NODE,
        Item::new(Some(ITEM_ID.into()), Payload::new(storage)),
        Some(publish_options().to_form(FormType::Submit)),
    )
}

/// The request for the PEP node's items (§3.3).
pub fn fetch(id: impl Into<String>) -> Iq {
    request::items(id, None, NODE, None, &[])
}

/// The request for the bookmarks in private XML storage (XEP-0049).
pub fn private_get(id: impl Into<String>) -> Iq {
    private::get(id, Payload::new(Storage::default()))
}

/// The request that stores `storage` in private XML storage (XEP-0049).
pub fn private_set(id: impl Into<String>, storage: Storage) -> Iq {
    Iq::set(
        id,
        None,
        Payload::new(PrivateQuery {
            payloads: vec![Payload::new(storage)],
        }),
    )
}

fn storage_of(payloads: &[Payload]) -> Result<Storage, Error> {
    payloads
        .iter()
        .find_map(|p| p.get::<Storage>())
        .unwrap_or_else(|| Ok(Storage::default()))
}

/// The bookmarks in the answer to [`private_get`], believed only from
/// `me`'s own account (none stored: an empty storage).
pub fn from_private(request: &Iq, reply: &Iq, me: &FullJid) -> Result<Storage, Refusal> {
    let payloads = private::reply(request, reply, me).map_err(|e| match e {
        private::ReplyError::NotAReply => Refusal::NotFromAccount(reply.from.clone()),
        private::ReplyError::Refused(e) => Refusal::Error(e),
        private::ReplyError::Malformed(e) => Refusal::Malformed(e),
    })?;
    storage_of(&payloads).map_err(Refusal::Malformed)
}

/// The bookmarks in the answer to [`fetch`], believed only from `me`'s
/// own account (no item: an empty storage).
pub fn from_items(request: &Iq, reply: &Iq, me: &FullJid) -> Result<Storage, Refusal> {
    let items = crate::own_items(request, reply, me, NODE)?;
    let payloads: Vec<Payload> = items.into_iter().flat_map(|i| i.payloads).collect();
    storage_of(&payloads).map_err(Refusal::Malformed)
}

/// The bookmarks a PEP notification of the node carries (§3.2), believed
/// only from `me`'s own bare JID.
pub fn notification(message: &Message, me: &FullJid) -> Result<Storage, Refusal> {
    let items = crate::own_event_items(message, me, NODE)?;
    let payloads: Vec<Payload> = items.items.into_iter().flat_map(|i| i.payloads).collect();
    storage_of(&payloads).map_err(Refusal::Malformed)
}
