//! XEP-0333 Displayed Markers: `<markable/>` asks the recipient to say
//! when a message was displayed, `<displayed id='...'/>` says so.
//!
//! [`displayed_for`] builds the marker for a message the user has seen,
//! applying §4 and §5: never for a marker (no loops), never for the
//! user's own messages (carbons and archive copies of what it sent), only
//! for markable messages in a one-to-one chat, and in a room always with
//! the id the room assigned (XEP-0359 `<stanza-id/>` by the room, believed
//! only when the room announces the feature), since occupants can reuse
//! each other's message ids.
//!
//! ```
//! use xep_core::Message;
//! use xep_element::XmlElement;
//! use xep_markers::{Context, displayed_for};
//!
//! let m = Message::from_xml(
//!     b"<message xmlns='jabber:client' from='northumberland@shakespeare.example/westminster' \
//!        to='kingrichard@royalty.example/throne' id='message-1' type='chat'>\
//!        <body>My lord, dispatch; read o'er these articles.</body>\
//!        <markable xmlns='urn:xmpp:chat-markers:0'/></message>",
//! ).unwrap();
//! let marker = displayed_for(&m, Context::Direct { own: false }).unwrap();
//! assert!(marker.to_xml().contains("<displayed xmlns='urn:xmpp:chat-markers:0' id='message-1'/>"));
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{Message, MessageType};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};

/// `urn:xmpp:chat-markers:0`.
pub const NS: &str = "urn:xmpp:chat-markers:0";

/// `<markable/>`: the sender wants to know when this message is
/// displayed.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "markable")]
pub struct Markable;

/// `<displayed/>`: every message up to the one named was displayed.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "displayed", validate = Displayed::check)]
pub struct Displayed {
    /// The id of the message displayed: its `id` in a one-to-one chat,
    /// the room's stanza id in a room. The schema makes it optional, but
    /// §4 says it MUST be there, and a marker without it names nothing.
    #[xml(attr)]
    pub id: String,
}

impl Displayed {
    fn check(&self) -> Result<(), Error> {
        if self.id.is_empty() {
            return Err(Error::bad_attribute(
                "id",
                "",
                "a displayed marker names the message displayed (XEP-0333 §4)",
            ));
        }
        Ok(())
    }
}

/// Where the message was received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// A one-to-one chat; `own` when the message is one the user sent
    /// (a carbon or archive copy of it).
    Direct {
        /// The message is the user's own.
        own: bool,
    },
    /// A room.
    Room {
        /// The room's bare JID (the `by` of its stanza ids).
        room: Jid,
        /// The room announces `urn:xmpp:sid:0`.
        announces_sid: bool,
        /// The message is the user's own (its own occupant's).
        own: bool,
    },
}

/// Why no marker is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoMarker {
    /// The message is a marker itself (§4: no marker answers a marker).
    IsAMarker,
    /// The user sent it (§5).
    Own,
    /// In a one-to-one chat, the message is not markable.
    NotMarkable,
    /// The message has no id to name (in a room: no stanza id the room
    /// assigned that can be believed).
    NoId(Option<xep_sid::Refusal>),
    /// An error message.
    ErrorMessage,
}

impl fmt::Display for NoMarker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoMarker::IsAMarker => f.write_str("no marker answers a marker (XEP-0333 §4)"),
            NoMarker::Own => f.write_str("no marker for the user's own messages (XEP-0333 §5)"),
            NoMarker::NotMarkable => f.write_str("the message is not markable"),
            NoMarker::NoId(None) => f.write_str("the message has no id"),
            NoMarker::NoId(Some(r)) => write!(f, "no room-assigned id to name: {r}"),
            NoMarker::ErrorMessage => f.write_str("an error message"),
        }
    }
}

impl std::error::Error for NoMarker {}

/// The `<displayed/>` marker for `message`, once the user has seen it:
/// to its sender (in a room, to the room), with its type and thread.
pub fn displayed_for(message: &Message, context: Context) -> Result<Message, NoMarker> {
    if message.type_ == Some(MessageType::Error) {
        return Err(NoMarker::ErrorMessage);
    }
    if message.payload::<Displayed>().is_some() {
        return Err(NoMarker::IsAMarker);
    }
    let (id, to) = match &context {
        Context::Direct { own: true } | Context::Room { own: true, .. } => {
            return Err(NoMarker::Own);
        }
        Context::Direct { own: false } => {
            if message.payload::<Markable>().is_none() {
                return Err(NoMarker::NotMarkable);
            }
            let id = message
                .id
                .clone()
                .filter(|i| !i.is_empty())
                .ok_or(NoMarker::NoId(None))?;
            (id, message.from.clone())
        }
        // In a room a marker may be sent without <markable/> (§4.1).
        Context::Room {
            room,
            announces_sid,
            own: false,
        } => {
            let sid = xep_sid::trusted_stanza_id(message, room, *announces_sid)
                .map_err(|r| NoMarker::NoId(Some(r)))?;
            (sid.id, Some(room.clone()))
        }
    };
    Ok(Message {
        to,
        type_: message.type_.clone(),
        thread: message.thread.clone(),
        payloads: vec![Payload::new(Displayed { id })],
        ..Message::default()
    })
}

/// The id a received marker names, if `message` is one.
pub fn displayed(message: &Message) -> Option<Result<String, Error>> {
    message.payload::<Displayed>().map(|d| d.map(|d| d.id))
}

xep_element::elements! {
    "XEP-0333" => [Markable, Displayed],
}

#[cfg(test)]
mod tests;
