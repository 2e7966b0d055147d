//! XEP-0033 Extended Stanza Addressing: `<addresses/>` of `<address/>`
//! headers (to, cc, bcc, replyto, replyroom, noreply, ofrom), checked as
//! §4 requires (a type; a jid, uri, node or desc; never jid with uri;
//! node only with jid; `delivered` only `true`).
//!
//! - [`reply`] applies §8 to a received message: no reply, the rooms
//!   to join, the reply-to addresses, or the copied header (delivered
//!   marks removed, the sender added, the replier removed).
//! - [`original_sender`] believes an `ofrom` address only when the
//!   message comes from a multicast service the caller trusts (§9: the
//!   headers are worth as much as their sender).
//! - [`redirected_replies`] lists the replyto and replyroom addresses
//!   other than the sender, which §9 asks a client to show the user.
//! - [`for_recipient`] is what a multicast service sends a recipient:
//!   every bcc removed but the recipient's own (§4.6).
//!
//! ```
//! use xep_address::{Addresses, Reply, reply};
//! use xep_core::Message;
//! use xep_element::XmlElement;
//!
//! let m = Message::from_xml(
//!     b"<message xmlns='jabber:client' from='hildjj@jabber.org/Work' to='multicast.jabber.org'>\
//!       <addresses xmlns='http://jabber.org/protocol/address'>\
//!       <address type='to' jid='hildjj@jabber.org/Work' delivered='true'/>\
//!       <address type='cc' jid='juliet@capulet.example' delivered='true'/>\
//!       </addresses><body>Hi</body></message>",
//! ).unwrap();
//! let me = "juliet@capulet.example/balcony".parse().unwrap();
//! let Reply::Multicast(header) = reply(&m, &me).unwrap() else { panic!() };
//! // The sender stays, the replier is removed, the delivered marks too.
//! assert_eq!(header.addresses.len(), 1);
//! assert_eq!(header.addresses[0].delivered, None);
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::Message;
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement, XmlValue, XsdBool};

/// `http://jabber.org/protocol/address`.
pub const NS: &str = "http://jabber.org/protocol/address";

/// The most addresses a service should accept (§10 suggests a limit
/// between 20 and 100; beyond it, `not-acceptable`).
pub const SUGGESTED_LIMIT: usize = 50;

/// The type of an address (§4.6).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressType {
    /// A primary recipient.
    To,
    /// A carbon-copy recipient.
    Cc,
    /// A blind carbon-copy recipient.
    Bcc,
    /// Where replies should go.
    Replyto,
    /// The room replies should go to.
    Replyroom,
    /// No reply is wanted.
    Noreply,
    /// The original sender (added by a multicast service).
    Ofrom,
}

/// `<address/>`.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "address", validate = Address::check)]
pub struct Address {
    /// `type`.
    #[xml(attr(name = "type"))]
    pub type_: AddressType,
    /// `jid`.
    #[xml(attr)]
    pub jid: Option<Jid>,
    /// `uri`: an address outside XMPP (sip:, im:, ...).
    #[xml(attr)]
    pub uri: Option<String>,
    /// `node`: a disco node at `jid`.
    #[xml(attr)]
    pub node: Option<String>,
    /// `desc`: a human-readable description.
    #[xml(attr)]
    pub desc: Option<String>,
    /// `delivered='true'`: a multicast service delivered to it.
    #[xml(attr)]
    pub delivered: Option<XsdBool>,
    /// Extensions of other namespaces (§4.7).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Address {
    /// An address of `type_` for `jid`.
    pub fn jid(type_: AddressType, jid: Jid) -> Address {
        Address {
            type_,
            jid: Some(jid),
            uri: None,
            node: None,
            desc: None,
            delivered: None,
            extensions: Vec::new(),
        }
    }

    fn check(&self) -> Result<(), Error> {
        if self.type_ != AddressType::Noreply
            && self.jid.is_none()
            && self.uri.is_none()
            && self.node.is_none()
            && self.desc.is_none()
        {
            return Err(Error::invalid(
                "an address needs a 'jid', 'uri', 'node' or 'desc' (XEP-0033 §4)",
            ));
        }
        if self.uri.is_some() && (self.jid.is_some() || self.node.is_some()) {
            return Err(Error::invalid(
                "an address with a 'uri' has neither 'jid' nor 'node' (XEP-0033 §4.2)",
            ));
        }
        if self.node.is_some() && self.jid.is_none() {
            return Err(Error::invalid(
                "a 'node' belongs to a 'jid' (XEP-0033 §4.3)",
            ));
        }
        if let Some(d) = self.delivered
            && !d.value
        {
            return Err(Error::bad_attribute(
                "delivered",
                "false",
                "'delivered' is fixed to true (XEP-0033 §4.5)",
            ));
        }
        Ok(())
    }
}

/// `<addresses/>`: at least one address.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "addresses")]
pub struct Addresses {
    /// The addresses.
    #[xml(child(min = 1))]
    pub addresses: Vec<Address>,
}

impl Addresses {
    /// The addresses of `type_`.
    pub fn of(&self, type_: AddressType) -> impl Iterator<Item = &Address> {
        self.addresses.iter().filter(move |a| a.type_ == type_)
    }
}

/// The `<addresses/>` of a message.
pub fn addresses(message: &Message) -> Option<Result<Addresses, Error>> {
    message.payload::<Addresses>()
}

/// How to reply to a message with address headers (§8).
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The message has no address header: reply as usual.
    Plain,
    /// `noreply`: no reply should be sent.
    NoReply,
    /// Join these rooms instead of replying to people.
    Rooms(Vec<Jid>),
    /// Reply to these addresses (the thread copied into the reply).
    To(Vec<Address>),
    /// Send the reply through a multicast service with this header.
    Multicast(Addresses),
}

/// What §8 says about replying to `message` as `me`.
pub fn reply(message: &Message, me: &Jid) -> Result<Reply, Error> {
    let Some(header) = addresses(message).transpose()? else {
        return Ok(Reply::Plain);
    };
    if header.of(AddressType::Noreply).next().is_some() {
        return Ok(Reply::NoReply);
    }
    let rooms: Vec<Jid> = header
        .of(AddressType::Replyroom)
        .filter_map(|a| a.jid.clone())
        .collect();
    if !rooms.is_empty() {
        return Ok(Reply::Rooms(rooms));
    }
    let to: Vec<Address> = header.of(AddressType::Replyto).cloned().collect();
    if !to.is_empty() {
        return Ok(Reply::To(to));
    }
    let me_bare = me.to_bare();
    let mut copied: Vec<Address> = header
        .addresses
        .iter()
        .filter(|a| matches!(a.type_, AddressType::To | AddressType::Cc))
        .filter(|a| {
            a.jid
                .as_ref()
                .is_none_or(|j| j != me && j.to_bare() != me_bare)
        })
        .cloned()
        .map(|mut a| {
            a.delivered = None;
            a
        })
        .collect();
    if let Some(sender) = &message.from
        && !copied.iter().any(|a| a.jid.as_ref() == Some(sender))
    {
        copied.push(Address::jid(AddressType::To, sender.clone()));
    }
    Ok(Reply::Multicast(Addresses { addresses: copied }))
}

/// Why an original sender is not believed.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// No `ofrom` address.
    Absent,
    /// The message does not come from a multicast service the caller
    /// trusts: anyone can write an `ofrom`.
    UntrustedSender(Option<Jid>),
    /// More than one `ofrom`.
    Ambiguous,
    /// The header does not parse.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Absent => f.write_str("no ofrom address"),
            Refusal::UntrustedSender(j) => write!(
                f,
                "an ofrom address from {j:?}, not a trusted multicast service (XEP-0033 §9)"
            ),
            Refusal::Ambiguous => f.write_str("more than one ofrom address"),
            Refusal::Malformed(e) => write!(f, "malformed address header: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// The original sender an `ofrom` address names, believed only when
/// `message` comes from a service `trusted` accepts.
pub fn original_sender(message: &Message, trusted: impl Fn(&Jid) -> bool) -> Result<Jid, Refusal> {
    let header = match addresses(message) {
        None => return Err(Refusal::Absent),
        Some(h) => h.map_err(Refusal::Malformed)?,
    };
    let mut ofrom = header.of(AddressType::Ofrom).filter_map(|a| a.jid.clone());
    let Some(jid) = ofrom.next() else {
        return Err(Refusal::Absent);
    };
    if ofrom.next().is_some() {
        return Err(Refusal::Ambiguous);
    }
    if !message.from.as_ref().is_some_and(&trusted) {
        return Err(Refusal::UntrustedSender(message.from.clone()));
    }
    Ok(jid)
}

/// The replyto and replyroom addresses that are not the sender's (§9:
/// show them to the user before following them).
pub fn redirected_replies(message: &Message) -> Vec<Address> {
    let Some(Ok(header)) = addresses(message) else {
        return Vec::new();
    };
    let sender = message.from.as_ref().map(|j| j.to_bare());
    header
        .addresses
        .into_iter()
        .filter(|a| matches!(a.type_, AddressType::Replyto | AddressType::Replyroom))
        .filter(|a| a.jid.as_ref().map(|j| j.to_bare()) != sender || a.jid.is_none())
        .collect()
}

/// The header a multicast service delivers to `recipient` (§4.6): every
/// bcc address removed except the recipient's own.
pub fn for_recipient(header: &Addresses, recipient: &Jid) -> Addresses {
    Addresses {
        addresses: header
            .addresses
            .iter()
            .filter(|a| a.type_ != AddressType::Bcc || a.jid.as_ref() == Some(recipient))
            .cloned()
            .collect(),
    }
}

xep_element::elements! {
    "XEP-0033" => [Addresses, Address],
}

#[cfg(test)]
mod tests;
