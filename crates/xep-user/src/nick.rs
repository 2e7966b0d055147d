//! XEP-0172 User Nickname.

use std::fmt;

use xep_core::{Message, Presence, PresenceType};
use xep_element::jid::{BareJid, Jid};
use xep_element::{Error, Payload, XmlElement};

/// `http://jabber.org/protocol/nick`: the namespace and the PEP node.
pub const NS_NICK: &str = "http://jabber.org/protocol/nick";

/// `<nick/>`: the nickname the sender asserts for itself (its bare JID:
/// the `from` of the nearest enclosing stanza, §3). Not unique, and no
/// proof of identity (§8): show it beside the JID or the user's own
/// handle for the contact, never instead of them.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_NICK, name = "nick")]
pub struct Nick {
    /// The nickname.
    #[xml(text)]
    pub name: String,
}

impl Nick {
    /// The nickname `name`.
    pub fn new(name: impl Into<String>) -> Nick {
        Nick { name: name.into() }
    }
}

/// Why a nickname is not carried or not taken from a presence.
#[derive(Debug, Clone, PartialEq)]
pub enum NickRefusal {
    /// A presence broadcast (no type, or `unavailable`) must not carry a
    /// nickname (§4.1): only subscription requests do.
    Broadcast,
    /// The stanza names no sender, so the nickname belongs to no one.
    NoSender,
    /// The `<nick/>` does not parse.
    Malformed(Error),
}

impl fmt::Display for NickRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NickRefusal::Broadcast => {
                f.write_str("a presence broadcast must not carry a nickname (XEP-0172 §4.1)")
            }
            NickRefusal::NoSender => f.write_str("a nickname without a sender"),
            NickRefusal::Malformed(e) => write!(f, "malformed nickname: {e}"),
        }
    }
}

impl std::error::Error for NickRefusal {}

fn is_broadcast(p: &Presence) -> bool {
    matches!(p.type_, None | Some(PresenceType::Unavailable))
}

/// Adds `nick` to `presence`, as §4.1 recommends for a subscription
/// request; refused on a presence broadcast.
pub fn add_to_presence(presence: &mut Presence, nick: Nick) -> Result<(), NickRefusal> {
    if is_broadcast(presence) {
        return Err(NickRefusal::Broadcast);
    }
    presence.payloads.push(Payload::new(nick));
    Ok(())
}

/// The nickname a presence carries, with the bare JID it belongs to.
/// `Ok(None)` without one; refused on a presence broadcast (which must
/// not carry one: a client ignores it rather than let a broadcast rename
/// a contact).
pub fn from_presence(presence: &Presence) -> Result<Option<(BareJid, Nick)>, NickRefusal> {
    let Some(nick) = presence.payload::<Nick>() else {
        return Ok(None);
    };
    if is_broadcast(presence) {
        return Err(NickRefusal::Broadcast);
    }
    owned(presence.from.as_ref(), nick)
}

/// The nickname a message carries (§4.2, the first message to someone
/// new; or a nickname change sent by message, §4.4), with the bare JID
/// it belongs to.
pub fn from_message(message: &Message) -> Result<Option<(BareJid, Nick)>, NickRefusal> {
    let Some(nick) = message.payload::<Nick>() else {
        return Ok(None);
    };
    owned(message.from.as_ref(), nick)
}

fn owned(
    from: Option<&Jid>,
    nick: Result<Nick, Error>,
) -> Result<Option<(BareJid, Nick)>, NickRefusal> {
    let nick = nick.map_err(NickRefusal::Malformed)?;
    let from = from.ok_or(NickRefusal::NoSender)?;
    Ok(Some((from.to_bare(), nick)))
}
