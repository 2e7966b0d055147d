//! XEP-0308 Last Message Correction: `<replace id='...'/>` in a message
//! that replaces an earlier one.
//!
//! A correction changes what a conversation shows someone said, so
//! believing one from another sender lets anyone put words in another's
//! mouth. §5 allows a correction only from the original message's
//! sender: the same bare JID in a direct conversation, the same full JID
//! (the same occupant, who has not left and come back as someone else)
//! in a room. [`check`] applies that rule and returns the id of the
//! message to replace, or says why it refuses; [`correct`] builds a
//! correction that replaces the original, not an earlier correction.
//!
//! ```
//! use xep_core::Message;
//! use xep_correct::{Conversation, check, correct};
//! use xep_element::XmlElement;
//!
//! let original = Message::from_xml(
//!     b"<message xmlns='jabber:client' from='romeo@montague.example/orchard' \
//!        to='juliet@capulet.example' id='bad1' type='chat'><body>But soft, what light through yonder airlock breaks?</body></message>",
//! ).unwrap();
//! let fixed = correct(&original, "good1", "But soft, what light through yonder window breaks?").unwrap();
//! assert!(fixed.to_xml().contains("<replace xmlns='urn:xmpp:message-correct:0' id='bad1'/>"));
//!
//! // Received from Romeo's other device: the same bare JID, believed.
//! let mut received = fixed.clone();
//! received.from = Some("romeo@montague.example/home".parse().unwrap());
//! assert_eq!(check(&received, &original, Conversation::Direct), Ok("bad1"));
//! // The same correction from someone else is refused.
//! received.from = Some("mallory@evil.example/x".parse().unwrap());
//! assert!(check(&received, &original, Conversation::Direct).is_err());
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{Body, Message, MessageType};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};

/// `urn:xmpp:message-correct:0`.
pub const NS: &str = "urn:xmpp:message-correct:0";

/// `<replace/>`: this message replaces the one whose `id` it names.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "replace", validate = Replace::check)]
pub struct Replace {
    /// The `id` of the message replaced (the original, for every
    /// correction of it).
    #[xml(attr)]
    pub id: String,
}

impl Replace {
    fn check(&self) -> Result<(), Error> {
        if self.id.is_empty() {
            return Err(Error::bad_attribute(
                "id",
                "",
                "a correction names the message it replaces (XEP-0308 §3)",
            ));
        }
        Ok(())
    }
}

/// Where the messages were exchanged, which decides what "the same
/// sender" means (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversation {
    /// A one-to-one chat: the same bare JID (any of its devices).
    Direct,
    /// A room or a private message through it: the same full JID
    /// (`room@service/nick`), and `same_occupant` says whether the
    /// caller knows the occupant behind that nick did not change between
    /// the two messages (§5, §7): where the room announces XEP-0421, the
    /// two messages' `<occupant-id/>` (`xep_muc::OccupantId`, set by the
    /// room) are equal; otherwise no leave and join in between, and the
    /// same real JID where the room shows it.
    Room {
        /// The nick still belongs to the original sender.
        same_occupant: bool,
    },
}

/// Why a correction is not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The message holds no `<replace/>`.
    NotACorrection,
    /// It replaces another message than the one given.
    OtherMessage(String),
    /// It comes from another sender than the original (§5).
    NotTheSender,
    /// In a room, the nick may belong to someone else now (§7).
    OccupantChanged,
    /// A message of type `error` corrects nothing.
    ErrorMessage,
    /// The `<replace/>` does not parse.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotACorrection => f.write_str("not a correction"),
            Refusal::OtherMessage(id) => write!(f, "a correction of another message ('{id}')"),
            Refusal::NotTheSender => f.write_str(
                "a correction from another sender than the original's (XEP-0308 §5)",
            ),
            Refusal::OccupantChanged => f.write_str(
                "the room occupant behind this nick may have changed since the original (XEP-0308 §7)",
            ),
            Refusal::ErrorMessage => f.write_str("an error message corrects nothing"),
            Refusal::Malformed(e) => write!(f, "malformed correction: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// The id `message` replaces, if it is a correction (parsed).
pub fn replaces(message: &Message) -> Option<Result<String, Error>> {
    message.payload::<Replace>().map(|r| r.map(|r| r.id))
}

/// Whether `correction` may replace `original` in `conversation`: it
/// names `original`'s id, is not an error, and comes from the same sender
/// (§5). Returns the replaced id.
///
/// When a message was already corrected, pass the original (the message
/// whose id every correction names), not the last correction.
pub fn check<'a>(
    correction: &Message,
    original: &'a Message,
    conversation: Conversation,
) -> Result<&'a str, Refusal> {
    let id = match replaces(correction) {
        None => return Err(Refusal::NotACorrection),
        Some(r) => r.map_err(Refusal::Malformed)?,
    };
    if correction.type_ == Some(MessageType::Error) {
        return Err(Refusal::ErrorMessage);
    }
    let original_id = original.id.as_deref().unwrap_or("");
    if id != original_id || original_id.is_empty() {
        return Err(Refusal::OtherMessage(id));
    }
    same_sender(
        correction.from.as_ref(),
        original.from.as_ref(),
        conversation,
    )?;
    Ok(original_id)
}

/// The sender rule of XEP-0308 §5, which XEP-0424 (retraction) shares:
/// `later` (a correction, a retraction) comes from the sender of
/// `original`: the same bare JID in a direct conversation, the same
/// occupant's full JID in a room (and [`Refusal::OccupantChanged`] when
/// the nick may have changed hands). A message without a sender is never
/// the same sender.
pub fn same_sender(
    later: Option<&Jid>,
    original: Option<&Jid>,
    conversation: Conversation,
) -> Result<(), Refusal> {
    let same = match (conversation, later, original) {
        (_, None, _) | (_, _, None) => false,
        (Conversation::Direct, Some(a), Some(b)) => a.to_bare() == b.to_bare(),
        (Conversation::Room { .. }, Some(a), Some(b)) => a == b && !a.is_bare(),
    };
    if !same {
        return Err(Refusal::NotTheSender);
    }
    if conversation
        == (Conversation::Room {
            same_occupant: false,
        })
    {
        return Err(Refusal::OccupantChanged);
    }
    Ok(())
}

/// A correction of `original` (a message this client sent) with the new
/// body `body`, under the new id `id`: the same addressee, type and
/// thread, and `<replace/>` naming `original`'s id (or the id it itself
/// replaced, when `original` is a correction: §5 corrects the first
/// message each time). `None` when `original` has no id to name.
///
/// §5 asks for the whole stanza again with the corrected payloads; this
/// builds a body correction and keeps no other payload, so that the
/// correction never repeats a non-messaging payload (which §5 forbids).
pub fn correct(
    original: &Message,
    id: impl Into<String>,
    body: impl Into<String>,
) -> Option<Message> {
    let replaced = match replaces(original) {
        Some(Ok(first)) => first,
        _ => original.id.clone().filter(|i| !i.is_empty())?,
    };
    Some(Message {
        ns: original.ns,
        to: original.to.clone(),
        id: Some(id.into()),
        type_: original.type_.clone(),
        lang: original.lang.clone(),
        thread: original.thread.clone(),
        bodies: vec![Body {
            lang: None,
            text: body.into(),
        }],
        payloads: vec![Payload::new(Replace { id: replaced })],
        ..Message::default()
    })
}

xep_element::elements! {
    "XEP-0308" => [Replace],
}

#[cfg(test)]
mod tests;
