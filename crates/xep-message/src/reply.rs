//! XEP-0461 message replies: `<reply/>` names the message answered, by
//! the id the context makes reliable (§4.1: the room's stanza id in a
//! group chat, the origin id or the `id` elsewhere), and a quote of it
//! may be sent as a XEP-0428 fallback.

use std::fmt;

use xep_core::{Body, Message, MessageType};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};

use crate::counting::char_len;
use crate::fallback::{BodyRange, Fallback, FallbackError, body_without_fallback};

/// `urn:xmpp:reply:0`.
pub const NS_REPLY: &str = "urn:xmpp:reply:0";

/// `<reply/>`: this message answers the message `id` of `to`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_REPLY, name = "reply", validate = Reply::check)]
pub struct Reply {
    /// `to`: the author of the message answered (a full JID; a bare one
    /// in a one-to-one chat).
    #[xml(attr)]
    pub to: Option<Jid>,
    /// `id`: the id of the message answered (see [`reply_to`]).
    #[xml(attr)]
    pub id: String,
}

impl Reply {
    fn check(&self) -> Result<(), Error> {
        if self.id.is_empty() {
            return Err(Error::bad_attribute(
                "id",
                "",
                "a reply names the message it answers (XEP-0461 §3)",
            ));
        }
        Ok(())
    }
}

/// Where a message was received, which decides the id that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chat {
    /// A one-to-one chat: the origin id, else the message's `id`.
    Direct,
    /// A room: only the stanza id the room assigned (XEP-0359, believed
    /// through [`xep_sid::trusted_stanza_id`]).
    Room {
        /// The room's bare JID (the `by` of its stanza ids).
        room: Jid,
        /// The room announces `urn:xmpp:sid:0`.
        announces_sid: bool,
    },
}

/// Why a message cannot be answered with a `<reply/>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoReply {
    /// An error message.
    ErrorMessage,
    /// No id names the message: in a room, no stanza id of the room can
    /// be believed (the refusal says why; §4.1: such a message cannot be
    /// replied to); elsewhere, neither an origin id nor an `id`.
    NoId(Option<xep_sid::Refusal>),
    /// The origin id does not parse.
    Malformed(Error),
}

impl fmt::Display for NoReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoReply::ErrorMessage => f.write_str("an error message is not replied to"),
            NoReply::NoId(None) => f.write_str("the message has no id to reply to"),
            NoReply::NoId(Some(r)) => write!(
                f,
                "no stanza id of the room to reply to (XEP-0461 §4.1): {r}"
            ),
            NoReply::Malformed(e) => write!(f, "malformed origin id: {e}"),
        }
    }
}

impl std::error::Error for NoReply {}

/// The id that names `message` in `chat` (XEP-0461 §4.1).
pub fn reply_id(message: &Message, chat: &Chat) -> Result<String, NoReply> {
    if message.type_ == Some(MessageType::Error) {
        return Err(NoReply::ErrorMessage);
    }
    match chat {
        Chat::Room {
            room,
            announces_sid,
        } => xep_sid::trusted_stanza_id(message, room, *announces_sid)
            .map(|sid| sid.id)
            .map_err(|r| NoReply::NoId(Some(r))),
        Chat::Direct => match xep_sid::origin_id(message) {
            Some(Ok(o)) => Ok(o.id),
            Some(Err(e)) => Err(NoReply::Malformed(e)),
            None => message
                .id
                .clone()
                .filter(|id| !id.is_empty())
                .ok_or(NoReply::NoId(None)),
        },
    }
}

/// The `<reply/>` that answers `original` in `chat`, naming its author
/// (its `from`) and the id of [`reply_id`].
pub fn reply_to(original: &Message, chat: &Chat) -> Result<Reply, NoReply> {
    Ok(Reply {
        to: original.from.clone(),
        id: reply_id(original, chat)?,
    })
}

/// Whether `reply` answers `candidate` in `chat`: the reply names the
/// id [`reply_id`] gives the candidate (never another id of it, §4:
/// an answer relates to the referenced message only) and, when it names
/// an author, the candidate's sender.
pub fn answers(reply: &Reply, candidate: &Message, chat: &Chat) -> bool {
    let Ok(id) = reply_id(candidate, chat) else {
        return false;
    };
    let author_matches = match (&reply.to, &candidate.from) {
        (None, _) => true,
        (Some(to), Some(from)) if matches!(chat, Chat::Direct) && to.is_bare() => {
            to == &Jid::from(from.to_bare())
        }
        (Some(to), Some(from)) => to == from,
        (Some(_), None) => false,
    };
    id == reply.id && author_matches
}

/// The `<reply/>` of `message`, if any.
pub fn reply(message: &Message) -> Option<Result<Reply, Error>> {
    message.payload::<Reply>()
}

/// A reply to `original` in `chat`: a message to `to` of type `type_`
/// whose body is `text`, preceded, when `quote` gives the author's name,
/// by a quote of the original's body (`> name wrote:` and the quoted
/// lines), which a XEP-0428 fallback for `urn:xmpp:reply:0` marks.
pub fn compose(
    original: &Message,
    chat: &Chat,
    to: Jid,
    type_: MessageType,
    text: &str,
    quote: Option<&str>,
) -> Result<Message, NoReply> {
    let reply = reply_to(original, chat)?;
    let mut body = String::new();
    let mut payloads = vec![Payload::new(reply)];
    if let Some(author) = quote {
        body.push_str("> ");
        body.push_str(author);
        body.push_str(" wrote:\n");
        for line in original.body(None).unwrap_or_default().lines() {
            body.push_str("> ");
            body.push_str(line);
            body.push('\n');
        }
        let end = u32::try_from(char_len(&body)).unwrap_or(u32::MAX);
        payloads.push(Payload::new(Fallback {
            for_: Some(NS_REPLY.into()),
            subjects: Vec::new(),
            bodies: vec![BodyRange::new(0, end)],
        }));
    }
    body.push_str(text);
    Ok(Message {
        to: Some(to),
        type_: Some(type_),
        bodies: vec![Body {
            lang: None,
            text: body,
        }],
        payloads,
        ..Message::default()
    })
}

/// The body of a reply without its quote (the XEP-0428 fallback for
/// `urn:xmpp:reply:0`), for a client that shows the message answered.
pub fn reply_text(message: &Message) -> Result<Option<String>, FallbackError> {
    body_without_fallback(message, NS_REPLY, None)
}
