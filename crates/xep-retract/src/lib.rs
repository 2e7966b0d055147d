//! XEP-0424 Message Retraction: `<retract id='...'/>` asks recipients to
//! stop showing a message; `<retracted/>` is the tombstone an archive
//! keeps in its place.
//!
//! A retraction removes what someone said, so believing one from another
//! sender lets anyone erase others' words. [`check`] applies §5: only
//! from the original's sender (the same bare JID in a chat; in a room the
//! same occupant, by full JID and, in semi-anonymous rooms, by XEP-0421
//! occupant id, which the caller compares), through the sender rule of
//! [`xep_correct::same_sender`]. [`target_id`] gives the id a
//! retraction must name: a room's stanza id (believed through xep-sid)
//! for group chat, the message's `id` otherwise.
//!
//! XEP-0425 (moderated retraction in rooms) is [`moderate`]: the
//! moderator's request, and the room's broadcast believed only from the
//! room itself.
//!
//! ```
//! use xep_core::{Message, MessageType};
//! use xep_element::XmlElement;
//! use xep_retract::{Conversation, check, retract};
//!
//! let original = Message::from_xml(
//!     b"<message xmlns='jabber:client' from='romeo@montague.example/orchard' \
//!        to='juliet@capulet.example' id='wrong-recipient-1' type='chat'><body>Lady Capulet?</body></message>",
//! ).unwrap();
//! let mut r = retract("juliet@capulet.example".parse().unwrap(), MessageType::Chat, "retract-1", "wrong-recipient-1");
//! r.from = Some("romeo@montague.example/home".parse().unwrap());
//! assert_eq!(check(&r, &original, "wrong-recipient-1", Conversation::Direct), Ok(()));
//! r.from = Some("tybalt@capulet.example/street".parse().unwrap());
//! assert!(check(&r, &original, "wrong-recipient-1", Conversation::Direct).is_err());
//! ```

#![warn(missing_docs)]

pub mod moderate;

use std::fmt;

use xep_core::{Body, Message, MessageType};
pub use xep_correct::Conversation;
use xep_element::jid::Jid;
use xep_element::{DateTime82, Error, Payload, XmlElement};

/// `urn:xmpp:message-retract:1`.
pub const NS: &str = "urn:xmpp:message-retract:1";

/// `<retract/>`: retract the message `id` names.
///
/// XEP-0425 (moderation) reuses the element: inside its `<moderate/>`
/// request it has no `id` (the request names the message), and in the
/// room's broadcast it holds a `<moderated/>` (kept in
/// [`Retract::extensions`]) and a `<reason/>`.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "retract", validate = Retract::check)]
pub struct Retract {
    /// The retracted message's id ([`target_id`]); required in a
    /// retraction, absent only inside a XEP-0425 `<moderate/>`.
    #[xml(attr)]
    pub id: Option<String>,
    /// Why (XEP-0425).
    #[xml(text_child(name = "reason"))]
    pub reason: Option<String>,
    /// Children of other namespaces (XEP-0425's `<moderated/>`).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Retract {
    /// A retraction of the message `id`.
    pub fn new(id: impl Into<String>) -> Retract {
        Retract {
            id: Some(id.into()),
            reason: None,
            extensions: Vec::new(),
        }
    }

    fn check(&self) -> Result<(), Error> {
        match &self.id {
            Some(id) => non_empty(id),
            None => Ok(()),
        }
    }
}

/// `<retracted/>`: the tombstone of a retracted message in an archive
/// (§4), naming the retraction message.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "retracted", validate = Retracted::check)]
pub struct Retracted {
    /// The entity that retracted it.
    #[xml(attr)]
    pub by: Option<Jid>,
    /// The `id` of the retraction message (XEP-0424 §4); absent in a
    /// XEP-0425 moderation tombstone, which holds a `<moderated/>`
    /// instead.
    #[xml(attr)]
    pub id: Option<String>,
    /// When it was retracted.
    #[xml(attr)]
    pub stamp: Option<DateTime82>,
    /// Why (XEP-0425).
    #[xml(text_child(name = "reason"))]
    pub reason: Option<String>,
    /// Children of other namespaces (XEP-0425's `<moderated/>`).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Retracted {
    fn check(&self) -> Result<(), Error> {
        match &self.id {
            Some(id) => non_empty(id),
            None => Ok(()),
        }
    }
}

fn non_empty(id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::bad_attribute(
            "id",
            "",
            "a retraction names a message (XEP-0424 §3)",
        ));
    }
    Ok(())
}

/// The id a retraction of `message` names (§5): in group chat, the
/// room's stanza id, believed only when the room announces
/// `urn:xmpp:sid:0`; otherwise the message's `id`.
pub fn target_id(
    message: &Message,
    room: Option<(&Jid, bool)>,
) -> Result<String, Option<xep_sid::Refusal>> {
    match room {
        Some((room, announces)) => xep_sid::trusted_stanza_id(message, room, announces)
            .map(|s| s.id)
            .map_err(Some),
        None => message.id.clone().filter(|i| !i.is_empty()).ok_or(None),
    }
}

/// Why a retraction is not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The message holds no `<retract/>`.
    NotARetraction,
    /// It retracts another message.
    OtherMessage(String),
    /// Not from the original's sender (§5).
    NotTheSender(xep_correct::Refusal),
    /// The `<retract/>` does not parse.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotARetraction => f.write_str("not a retraction"),
            Refusal::OtherMessage(id) => write!(f, "a retraction of another message ('{id}')"),
            Refusal::NotTheSender(r) => write!(f, "a retraction refused (XEP-0424 §5): {r}"),
            Refusal::Malformed(e) => write!(f, "malformed retraction: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// Whether `retraction` retracts `original`, whose id (as [`target_id`]
/// gives it) is `original_id`, in `conversation`.
pub fn check(
    retraction: &Message,
    original: &Message,
    original_id: &str,
    conversation: Conversation,
) -> Result<(), Refusal> {
    let id = match retraction.payload::<Retract>() {
        None => return Err(Refusal::NotARetraction),
        Some(r) => r
            .map_err(Refusal::Malformed)?
            .id
            .ok_or_else(|| Refusal::Malformed(Error::missing_attribute("id").within("retract")))?,
    };
    if id != original_id {
        return Err(Refusal::OtherMessage(id));
    }
    xep_correct::same_sender(
        retraction.from.as_ref(),
        original.from.as_ref(),
        conversation,
    )
    .map_err(Refusal::NotTheSender)
}

/// A retraction of the message `target` (its [`target_id`]), sent as
/// message `id` to `to`, with a plain-text body for clients without
/// support (§3).
pub fn retract(
    to: Jid,
    type_: MessageType,
    id: impl Into<String>,
    target: impl Into<String>,
) -> Message {
    Message {
        to: Some(to),
        id: Some(id.into()),
        type_: Some(type_),
        bodies: vec![Body {
            lang: None,
            text: "/me retracted a previous message, but it's unsupported by your client.".into(),
        }],
        payloads: vec![Payload::new(Retract::new(target))],
        ..Message::default()
    }
}

xep_element::elements! {
    "XEP-0424" => [Retract, Retracted],
    "XEP-0425" => [moderate::Moderate, moderate::Moderated],
}

#[cfg(test)]
mod tests;
