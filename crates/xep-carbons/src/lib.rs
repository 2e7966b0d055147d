//! XEP-0280 Message Carbons: copies of a user's messages delivered to all
//! of that user's clients.
//!
//! Elements: [`Enable`], [`Disable`] (iq payloads), [`Private`] (keeps a
//! message out of carbons), [`Received`] and [`Sent`] (the wrappers of a
//! copy, holding a XEP-0297 [`Forwarded`]).
//!
//! A carbon says "your account sent or received this message", so a client
//! that believes a forged one shows words nobody wrote in a conversation
//! (the carbons impersonation flaws found in several clients). XEP-0280 §11
//! requires a client to accept a copy only from its own account's bare
//! JID; [`unwrap`] returns the copied message only after that check, and
//! after checking that the copied message is indeed one of the account's
//! (sent from it, or addressed to it), and says why it refuses otherwise.
//!
//! For servers, [`eligible`] applies the delivery rules of §6.1 and
//! [`wrap`] builds a copy as §7 and §8 require.
//!
//! ```
//! use xep_carbons::{Direction, unwrap};
//! use xep_core::Message;
//! use xep_element::XmlElement;
//!
//! let outer = Message::from_xml(
//!     b"<message xmlns='jabber:client' from='romeo@montague.example' \
//!        to='romeo@montague.example/home' type='chat'>\
//!        <received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>\
//!        <message xmlns='jabber:client' from='juliet@capulet.example/balcony' \
//!          to='romeo@montague.example/garden' type='chat'><body>Wherefore art thou?</body></message>\
//!        </forwarded></received></message>",
//! ).unwrap();
//! let account = "romeo@montague.example".parse().unwrap();
//! let carbon = unwrap(&outer, &account).unwrap().expect("a carbon");
//! assert_eq!(carbon.direction, Direction::Received);
//! assert_eq!(carbon.message.body(None), Some("Wherefore art thou?"));
//!
//! // The same copy sent by anyone else is refused.
//! let mut forged = outer.clone();
//! forged.from = Some("mallory@evil.example".parse().unwrap());
//! assert!(unwrap(&forged, &account).is_err());
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{Iq, Message, MessageType, Stanza};
use xep_element::jid::{BareJid, FullJid, Jid};
use xep_element::{Error, Payload, XmlElement};
pub use xep_forward::Forwarded;

/// `urn:xmpp:carbons:2`.
pub const NS: &str = "urn:xmpp:carbons:2";
/// `urn:xmpp:carbons:rules:0`: the disco feature of a server that applies
/// the rules of §6.1 exactly ([`eligible`]).
pub const NS_RULES: &str = "urn:xmpp:carbons:rules:0";

/// `<enable/>`: the payload of the iq set that turns carbons on for the
/// sending client (§4).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "enable")]
pub struct Enable;

/// `<disable/>`: the payload of the iq set that turns carbons off (§5).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "disable")]
pub struct Disable;

/// `<private/>`: keeps a message from being copied to the other clients
/// of its sender and of its recipient (§9). §9 asks the sender to add a
/// XEP-0334 `<no-copy/>` hint beside it.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "private")]
pub struct Private;

/// `<received/>`: the copy of a message the account received (§7).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "received")]
pub struct Received {
    /// The copied message.
    #[xml(child)]
    pub forwarded: Forwarded,
}

/// `<sent/>`: the copy of a message one of the account's clients sent
/// (§8).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "sent")]
pub struct Sent {
    /// The copied message.
    #[xml(child)]
    pub forwarded: Forwarded,
}

/// The iq set that enables carbons for the sending client.
pub fn enable(id: impl Into<String>) -> Iq {
    Iq::set(id, None, Payload::new(Enable))
}

/// The iq set that disables carbons for the sending client.
pub fn disable(id: impl Into<String>) -> Iq {
    Iq::set(id, None, Payload::new(Disable))
}

/// Which way the copied message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Another client of the account sent it (`<sent/>`).
    Sent,
    /// The account received it, and another client was given it
    /// (`<received/>`).
    Received,
}

/// A copy a client can believe: what [`unwrap`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Carbon {
    /// Sent or received.
    pub direction: Direction,
    /// The copied message.
    pub message: Message,
    /// The `<forwarded/>` it came in (with its delay, if any).
    pub forwarded: Forwarded,
}

/// Why [`unwrap`] refused a copy. Each is a reason to ignore the message
/// entirely (§7, §11): it is neither a trusted copy nor an ordinary
/// message.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The wrapping message is not from the account's bare JID: anyone can
    /// send a message holding `<sent/>` or `<received/>`.
    NotFromOwnAccount {
        /// The `from` of the wrapping message.
        from: Option<Jid>,
    },
    /// The wrapping message holds more than one `<sent/>`/`<received/>`.
    Several,
    /// The copy holds an iq or a presence, not a message.
    NotAMessage,
    /// A `<sent/>` whose message is not from the account, or a
    /// `<received/>` whose message is not to it.
    NotOurs {
        /// The direction the wrapper claimed.
        direction: Direction,
        /// The `from` (sent) or `to` (received) of the copied message.
        party: Option<Jid>,
    },
    /// The `<sent/>` or `<received/>` element does not parse.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotFromOwnAccount { from } => write!(
                f,
                "a carbon copy from {} instead of the account's bare JID (XEP-0280 §11)",
                from.as_ref().map_or("(none)".to_string(), Jid::to_string)
            ),
            Refusal::Several => f.write_str("more than one sent/received copy in one message"),
            Refusal::NotAMessage => f.write_str("the copied stanza is not a message"),
            Refusal::NotOurs { direction, party } => write!(
                f,
                "a {} copy of a message {} {}, not the account",
                match direction {
                    Direction::Sent => "sent",
                    Direction::Received => "received",
                },
                match direction {
                    Direction::Sent => "from",
                    Direction::Received => "to",
                },
                party.as_ref().map_or("(none)".to_string(), Jid::to_string)
            ),
            Refusal::Malformed(e) => write!(f, "malformed carbon: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// Reads a message a client received: `Ok(None)` when it is no carbon
/// (no `<sent/>` or `<received/>` child), `Ok(Some(carbon))` for a copy
/// the client can believe, and `Err` for one it must ignore.
///
/// A copy is believed only when the wrapping message comes from
/// `account` (the client's own bare JID; a message without `from` comes
/// from the account too, RFC 6120 §8.1.2.1), and the copied message is
/// from `account` (a `<sent/>`) or to it (a `<received/>`), compared by
/// bare JID. A message addressed to the account's bare JID without
/// `from`/`to` is taken as the account's when the field is absent (a
/// client's own stanzas carry no `from` on the wire to its server).
pub fn unwrap(outer: &Message, account: &BareJid) -> Result<Option<Carbon>, Refusal> {
    let mut found: Option<(Direction, Forwarded)> = None;
    for p in &outer.payloads {
        let got = if let Some(r) = p.get::<Sent>() {
            (Direction::Sent, r.map_err(Refusal::Malformed)?.forwarded)
        } else if let Some(r) = p.get::<Received>() {
            (
                Direction::Received,
                r.map_err(Refusal::Malformed)?.forwarded,
            )
        } else {
            continue;
        };
        if found.is_some() {
            return Err(Refusal::Several);
        }
        found = Some(got);
    }
    let Some((direction, forwarded)) = found else {
        return Ok(None);
    };
    match &outer.from {
        None => {}
        Some(j) if j.is_bare() && &j.to_bare() == account => {}
        from => return Err(Refusal::NotFromOwnAccount { from: from.clone() }),
    }
    let Stanza::Message(message) = &forwarded.stanza else {
        return Err(Refusal::NotAMessage);
    };
    let party = match direction {
        Direction::Sent => &message.from,
        Direction::Received => &message.to,
    };
    let ours = match party {
        Some(j) => &j.to_bare() == account,
        None => direction == Direction::Sent,
    };
    if !ours {
        return Err(Refusal::NotOurs {
            direction,
            party: party.clone(),
        });
    }
    Ok(Some(Carbon {
        direction,
        message: message.clone(),
        forwarded,
    }))
}

/// Namespaces of the payloads §6.1 names as "typically used in IM":
/// receipts (XEP-0184), chat states (XEP-0085), markers (XEP-0333).
const IM_PAYLOADS: &[&str] = &[
    "urn:xmpp:receipts",
    "http://jabber.org/protocol/chatstates",
    "urn:xmpp:chat-markers:0",
];
/// XEP-0249 direct invitations.
const NS_CONFERENCE: &str = "jabber:x:conference";
/// XEP-0045's `muc#user` (mediated invitations, private messages).
const NS_MUC_USER: &str = "http://jabber.org/protocol/muc#user";

/// What [`eligible`] needs to know beyond the message itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// Whether the account sent the message or received it.
    pub direction: Direction,
    /// For a message of type `error`: whether it answers a message that
    /// was eligible (the server's own record).
    pub error_answers_eligible: bool,
}

/// Whether a server copies `message` to the account's other clients: the
/// rules of §6.1 (required of a server announcing [`NS_RULES`]).
///
/// Never with `<private/>`, never a `groupchat` message, never a private
/// message received from a room occupant (the room already copies it to
/// every joined client); otherwise a `chat` message, a `normal` one with a
/// body, one with receipts, chat states or markers, an invitation (direct
/// or mediated), a private message sent to an occupant, or an `error`
/// answering an eligible message.
pub fn eligible(message: &Message, context: Context) -> bool {
    let has = |ns: &str| message.payloads.iter().any(|p| p.to_element().ns() == ns);
    if message.payload::<Private>().is_some() {
        return false;
    }
    let kind = message.type_.clone().unwrap_or(MessageType::Normal);
    if kind == MessageType::Groupchat {
        return false;
    }
    if has(NS_MUC_USER) {
        let invite = message.payloads.iter().any(|p| {
            let el = p.to_element();
            el.ns() == NS_MUC_USER && el.children().any(|c| c.name() == "invite")
        });
        if invite {
            return true;
        }
        // A private message with a room occupant: copied when sent by the
        // account, not when received.
        return context.direction == Direction::Sent;
    }
    match kind {
        MessageType::Chat => true,
        MessageType::Normal if !message.bodies.is_empty() => true,
        MessageType::Error => context.error_answers_eligible,
        _ => IM_PAYLOADS.iter().any(|ns| has(ns)) || has(NS_CONFERENCE),
    }
}

/// The copy a server delivers to the account's client `to` (§7, §8): a
/// message of the original's type from `account`'s bare JID, holding the
/// original in `<sent/>` or `<received/>`.
pub fn wrap(direction: Direction, account: &BareJid, to: &FullJid, original: Message) -> Message {
    let forwarded = Forwarded::new(Stanza::Message(original.clone()), None);
    let payload = match direction {
        Direction::Sent => Payload::new(Sent { forwarded }),
        Direction::Received => Payload::new(Received { forwarded }),
    };
    Message {
        from: Some(Jid::from(account.clone())),
        to: Some(Jid::from(to.clone())),
        type_: original.type_,
        payloads: vec![payload],
        ..Message::default()
    }
}

/// Marks `message` private (§9): it is not copied to the other clients.
pub fn mark_private(message: &mut Message) {
    if message.payload::<Private>().is_none() {
        message.payloads.push(Payload::new(Private));
    }
}

xep_element::elements! {
    "XEP-0280" => [Enable, Disable, Private, Received, Sent],
}

#[cfg(test)]
mod tests;
