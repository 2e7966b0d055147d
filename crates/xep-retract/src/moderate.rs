//! XEP-0425 moderated message retraction: a room moderator asks the
//! room ([`request`]) to retract a message it names by the room's stanza
//! id; the room then broadcasts a XEP-0424 `<retract/>` holding a
//! `<moderated/>`, which a client believes only from the room itself
//! (§5: any other such message is discarded) and only for the message
//! whose room-assigned stanza id it names ([`check`]).
//!
//! ```
//! use xep_core::Message;
//! use xep_element::XmlElement;
//! use xep_retract::moderate::{check, request};
//!
//! let room = "coven@chat.shakespeare.example".parse().unwrap();
//! let iq = request("mod1", &room, "stanza-id-1", Some("spam"));
//! assert!(iq.to_xml().contains("<moderate xmlns='urn:xmpp:message-moderate:1' id='stanza-id-1'>"));
//!
//! let broadcast = Message::from_xml(
//!     b"<message xmlns='jabber:client' type='groupchat' from='coven@chat.shakespeare.example' id='r1'>\
//!       <retract xmlns='urn:xmpp:message-retract:1' id='stanza-id-1'>\
//!       <moderated xmlns='urn:xmpp:message-moderate:1' by='coven@chat.shakespeare.example/firstwitch'/>\
//!       <reason>spam</reason></retract></message>",
//! ).unwrap();
//! let m = check(&broadcast, &room).unwrap();
//! assert_eq!(m.target, "stanza-id-1");
//! ```

use std::fmt;

use xep_core::{Iq, Message};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};

use crate::Retract;

/// `urn:xmpp:message-moderate:1`.
pub const NS: &str = "urn:xmpp:message-moderate:1";

/// `<moderate/>`: the moderator's request, naming the message by the
/// room's stanza id, with the action (a `<retract/>`) and a reason.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "moderate", validate = Moderate::check)]
pub struct Moderate {
    /// The room's stanza id of the message.
    #[xml(attr)]
    pub id: String,
    /// The action: a `<retract/>` (the only one XEP-0425 defines).
    #[xml(child)]
    pub retract: Option<Retract>,
    /// Why.
    #[xml(text_child(name = "reason"))]
    pub reason: Option<String>,
}

impl Moderate {
    fn check(&self) -> Result<(), Error> {
        if self.id.is_empty() {
            return Err(Error::bad_attribute(
                "id",
                "",
                "a moderation names the room's stanza id of the message (XEP-0425 §3)",
            ));
        }
        Ok(())
    }
}

/// `<moderated/>`: inside the room's `<retract/>` (or an archive's
/// `<retracted/>`), the retraction was a moderator's.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "moderated")]
pub struct Moderated {
    /// The moderator (an occupant JID, or left out).
    #[xml(attr)]
    pub by: Option<Jid>,
    /// Children of other namespaces (the moderator's XEP-0421
    /// `<occupant-id/>`).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// The request to `room` to retract the message whose room-assigned
/// stanza id is `stanza_id`.
pub fn request(id: impl Into<String>, room: &Jid, stanza_id: &str, reason: Option<&str>) -> Iq {
    Iq::set(
        id,
        Some(Jid::from(room.to_bare())),
        Payload::new(Moderate {
            id: stanza_id.into(),
            retract: Some(Retract {
                id: None,
                reason: None,
                extensions: Vec::new(),
            }),
            reason: reason.map(str::to_owned),
        }),
    )
}

/// A moderation the room announced.
#[derive(Debug, Clone, PartialEq)]
pub struct Moderation {
    /// The room's stanza id of the retracted message (compare it with
    /// [`crate::target_id`] of the original, with the room).
    pub target: String,
    /// The moderator, if named.
    pub by: Option<Jid>,
    /// The reason, if given.
    pub reason: Option<String>,
}

/// Why a moderation message is not believed.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// No `<retract/>` with a `<moderated/>`: not a moderation.
    NotAModeration,
    /// It does not come from the room's own JID (§5: discarded; an
    /// occupant could otherwise erase anyone's words).
    NotFromTheRoom(Option<Jid>),
    /// The `<retract/>` names no message.
    NoTarget,
    /// An element does not parse.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotAModeration => f.write_str("not a moderation"),
            Refusal::NotFromTheRoom(from) => write!(
                f,
                "a moderation from {from:?}, not from the room: discarded (XEP-0425 §5)"
            ),
            Refusal::NoTarget => f.write_str("the moderation names no message"),
            Refusal::Malformed(e) => write!(f, "malformed moderation: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// The moderation `message` announces, believed only when it comes from
/// `room`'s own bare JID.
pub fn check(message: &Message, room: &Jid) -> Result<Moderation, Refusal> {
    let retract = match message.payload::<Retract>() {
        None => return Err(Refusal::NotAModeration),
        Some(r) => r.map_err(Refusal::Malformed)?,
    };
    let moderated = match retract.extensions.iter().find_map(|p| p.get::<Moderated>()) {
        None => return Err(Refusal::NotAModeration),
        Some(m) => m.map_err(Refusal::Malformed)?,
    };
    let room = Jid::from(room.to_bare());
    if message.from.as_ref() != Some(&room) {
        return Err(Refusal::NotFromTheRoom(message.from.clone()));
    }
    let target = retract.id.ok_or(Refusal::NoTarget)?;
    Ok(Moderation {
        target,
        by: moderated.by,
        reason: retract.reason,
    })
}

/// Whether a believed `moderation` retracts `original`: it names the
/// stanza id `room` gave it (believed through xep-sid, so never an id
/// the sender chose).
pub fn retracts(
    moderation: &Moderation,
    original: &Message,
    room: &Jid,
    room_announces_sid: bool,
) -> bool {
    crate::target_id(original, Some((room, room_announces_sid)))
        .is_ok_and(|id| id == moderation.target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(xml: &str) -> Message {
        Message::from_xml(xml.as_bytes()).unwrap()
    }

    fn room() -> Jid {
        "coven@chat.example".parse().unwrap()
    }

    const BROADCAST: &str = "<retract xmlns='urn:xmpp:message-retract:1' id='sid-1'>\
        <moderated xmlns='urn:xmpp:message-moderate:1' by='coven@chat.example/witch'>\
        <occupant-id xmlns='urn:xmpp:occupant-id:0' id='dd72'/></moderated><reason>spam</reason></retract>";

    #[test]
    fn only_the_room_moderates() {
        let ok = msg(&format!(
            "<message xmlns='jabber:client' type='groupchat' from='coven@chat.example'>{BROADCAST}</message>"
        ));
        let m = check(&ok, &room()).unwrap();
        assert_eq!(m.target, "sid-1");
        assert_eq!(m.reason.as_deref(), Some("spam"));
        assert_eq!(m.by, Some("coven@chat.example/witch".parse().unwrap()));
        // An occupant (full JID of the room) or anyone else: discarded.
        for from in [
            "coven@chat.example/witch",
            "witch@shakespeare.example",
            "chat.example",
        ] {
            let forged = msg(&format!(
                "<message xmlns='jabber:client' type='groupchat' from='{from}'>{BROADCAST}</message>"
            ));
            assert_eq!(
                check(&forged, &room()),
                Err(Refusal::NotFromTheRoom(Some(from.parse().unwrap())))
            );
        }
        // A plain retraction is not a moderation.
        let plain = msg("<message xmlns='jabber:client' from='coven@chat.example'>\
            <retract xmlns='urn:xmpp:message-retract:1' id='x'/></message>");
        assert_eq!(check(&plain, &room()), Err(Refusal::NotAModeration));
    }

    #[test]
    fn the_target_is_the_rooms_stanza_id() {
        let ok = msg(&format!(
            "<message xmlns='jabber:client' type='groupchat' from='coven@chat.example'>{BROADCAST}</message>"
        ));
        let m = check(&ok, &room()).unwrap();
        let original = msg(
            "<message xmlns='jabber:client' type='groupchat' from='coven@chat.example/oldhag' id='sid-1'>\
            <body>potions!</body><stanza-id xmlns='urn:xmpp:sid:0' by='coven@chat.example' id='sid-1'/></message>",
        );
        assert!(retracts(&m, &original, &room(), true));
        // The message's own id equal to the target is not enough.
        let other = msg(
            "<message xmlns='jabber:client' type='groupchat' from='coven@chat.example/maiden' id='sid-1'>\
            <body>hello</body><stanza-id xmlns='urn:xmpp:sid:0' by='coven@chat.example' id='sid-2'/></message>",
        );
        assert!(!retracts(&m, &other, &room(), true));
        // Nor a stanza id the sender added.
        let forged = msg(
            "<message xmlns='jabber:client' type='groupchat' from='coven@chat.example/maiden'>\
            <body>hello</body><stanza-id xmlns='urn:xmpp:sid:0' by='maiden@example.org' id='sid-1'/></message>",
        );
        assert!(!retracts(&m, &forged, &room(), true));
    }

    #[test]
    fn the_request() {
        let iq = request(
            "m1",
            &"coven@chat.example/witch".parse().unwrap(),
            "sid-1",
            None,
        );
        assert_eq!(iq.to, Some(room()));
        let m = iq.payload::<Moderate>().unwrap().unwrap();
        assert_eq!(m.id, "sid-1");
        assert!(m.retract.is_some());
        assert!(Moderate::from_xml(b"<moderate xmlns='urn:xmpp:message-moderate:1'/>").is_err());
    }
}
