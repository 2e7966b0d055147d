//! vCards: XEP-0054 vcard-temp, XEP-0292 vCard4 over XMPP and XEP-0153
//! vCard-based avatars.
//!
//! - XEP-0054 ([`VCard`]): every field of the DTD of §10 with its type
//!   flags (`HOME`, `WORK`, `PREF`, `VOICE`, ...), [`Binval`] keeping the
//!   base64 as written. [`request`] asks for the user's own vCard or
//!   another's, [`set`] stores the user's; [`vcard_of`] reads the answer,
//!   believed only from the entity asked, with "no vCard" (an empty
//!   vCard, `item-not-found` or `service-unavailable`, §3) as `None`;
//!   [`check_set`] is the server's rule of §3.2 (only one's own vCard).
//! - XEP-0153 ([`Update`]): the `<x xmlns='vcard-temp:x:update'/>` of
//!   presence, [`photo_hash`] (SHA-1 of the image, lower-case hex),
//!   [`Update::from_vcard`], and [`own_resource`], the rules of §4.3 for
//!   a presence from another of the user's resources; [`Advertiser`]
//!   keeps §4's state for a session (not ready until the vCard is
//!   downloaded, each image uploaded once, the resets of §4.4).
//! - XEP-0292 ([`VCard4`]): the RFC 6351 XML vCard, every property and
//!   parameter of RFC 6350 typed, groups, unknown properties and
//!   parameters kept (RFC 6350's XML properties, elements of other
//!   namespaces, through [`VCard4::xml_properties`]), and RFC 6351's
//!   [`vcards`](vcard4::VCards) container of several; [`publish4`]/[`fetch4`] on the `urn:xmpp:vcard4`
//!   PEP node, [`store_contact`] in the private `urn:xmpp:contacts`
//!   node, [`contacts_notification`] its notifications, believed only from
//!   the user's own account; [`to_vcard4`] maps vcard-temp to vCard4 as §9
//!   describes.
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_vcard::{Photo, Update, VCard, photo_hash};
//!
//! let mut card = VCard::from_xml(
//!     b"<vCard xmlns='vcard-temp'><FN>Juliet Capulet</FN>\
//!       <TEL><HOME/><VOICE/><NUMBER>+39 045 123</NUMBER></TEL></vCard>",
//! ).unwrap();
//! assert!(card.tels[0].home && card.tels[0].voice);
//! card.set_photo(Photo::inline("image/png", b"abc".to_vec()));
//! // The presence advertises the SHA-1 of the image (XEP-0153 §3.1).
//! let update = Update::from_vcard(&card);
//! assert_eq!(update.hash().unwrap().as_str(), photo_hash(b"abc"));
//! assert_eq!(photo_hash(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
//! ```

#![warn(missing_docs)]

mod advertiser;
mod binval;
mod mapping;
mod temp;
mod update;
pub mod values4;
pub mod vcard4;

use std::fmt;

pub use advertiser::{Advertiser, AdvertiserEvent};
pub use binval::Binval;
pub use mapping::to_vcard4;
pub use temp::{
    Address, Agent, Categories, Class, Classification, Email, Geo, Image, IsoDate, Key, Label,
    Logo, NS_TEMP, Name, Org, Photo, Sound, Tel, VCard,
};
pub use update::{
    HexHash, NS_UPDATE, OwnResource, Update, UpdatePhoto, UpdateRefusal, own_resource, photo_hash,
    set_update, update_of,
};
pub use vcard4::{NS_VCARD4, VCard4};

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, StanzaError};
use xep_element::jid::{BareJid, FullJid, Jid};
use xep_element::{Error, Payload};
use xep_pubsub::Item;

/// The request for a vCard: the user's own (`None`, to the user's
/// server) or another entity's (its bare JID, answered by its server,
/// §3.3).
pub fn request(id: impl Into<String>, of: Option<BareJid>) -> Iq {
    Iq::get(id, of.map(Jid::from), Payload::new(VCard::default()))
}

/// The request storing `vcard` as the user's own (the whole vCard: there
/// are no partial updates, §3.2).
pub fn set(id: impl Into<String>, vcard: VCard) -> Iq {
    Iq::set(id, None, Payload::new(vcard))
}

/// Why a vCard answer is not believed or not a vCard.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// From another entity than the one asked (the user's own vCard comes
    /// without `from` or from the user's bare JID).
    NotFromAsked {
        /// The entity asked (`None`: the user's own).
        asked: Option<BareJid>,
        /// Where the answer came from.
        from: Option<Jid>,
    },
    /// An error other than "no vCard".
    Error(StanzaError),
    /// A result without a vCard, or one that does not parse.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotFromAsked { asked, from } => {
                write!(f, "the vCard of {asked:?} answered by {from:?}: refused")
            }
            Refusal::Error(e) => write!(f, "vCard request failed: {:?}", e.condition),
            Refusal::Malformed(e) => write!(f, "malformed vCard answer: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// The vCard in `reply` to a [`request`] of `asked`'s (`None`: the
/// user's own, `me`'s): `None` when there is none (an empty vCard,
/// `item-not-found`, or `service-unavailable`, which §3.3 also uses for
/// an account that does not exist), believed only from the entity asked.
pub fn vcard_of(
    reply: &Iq,
    asked: Option<&BareJid>,
    me: &BareJid,
) -> Result<Option<VCard>, Refusal> {
    let expected = asked.unwrap_or(me);
    let believed = match &reply.from {
        None => asked.is_none(),
        Some(j) => j.resource().is_none() && &j.to_bare() == expected,
    };
    if !believed {
        return Err(Refusal::NotFromAsked {
            asked: asked.cloned(),
            from: reply.from.clone(),
        });
    }
    match reply.type_ {
        IqType::Error => {
            let e = reply
                .error
                .clone()
                .ok_or_else(|| Refusal::Malformed(Error::missing_child("error")))?;
            match e.condition {
                DefinedCondition::ItemNotFound | DefinedCondition::ServiceUnavailable => Ok(None),
                _ => Err(Refusal::Error(e)),
            }
        }
        IqType::Result => match reply.payload::<VCard>() {
            None => Err(Refusal::Malformed(Error::missing_child("vCard"))),
            Some(v) => {
                let v = v.map_err(Refusal::Malformed)?;
                Ok((!v.is_empty()).then_some(v))
            }
        },
        _ => Err(Refusal::Malformed(Error::invalid("not an answer"))),
    }
}

/// The server's rule of §3.2: a vCard set from `sender` is allowed only
/// for the sender's own vCard (no `to`, or the sender's bare JID);
/// otherwise the error to answer (`forbidden`).
pub fn check_set(iq: &Iq, sender: &FullJid) -> Result<(), StanzaError> {
    match &iq.to {
        Some(to) if to.resource().is_some() || to.to_bare() != sender.to_bare() => Err(
            StanzaError::new(ErrorType::Auth, DefinedCondition::Forbidden),
        ),
        _ => Ok(()),
    }
}

/// The PEP node of the user's own vCard4 (XEP-0292 §4.1).
pub const NODE_VCARD4: &str = "urn:xmpp:vcard4";
/// The private PEP node of contact vCards (XEP-0292 §5.2).
pub const NODE_CONTACTS: &str = "urn:xmpp:contacts";

/// The publication of the user's whole vCard4 to its PEP node (§4.1.2).
pub fn publish4(id: impl Into<String>, vcard: VCard4) -> Iq {
    xep_user::pep::publish(id, NODE_VCARD4, None, vcard)
}

/// The retrieval of `owner`'s vCard4 (`None`: the user's own), §4.1.1.
/// Read the answer with `xep_user::pep::items_result`, and notifications
/// with `xep_user::pep::notification` (believed only from the owner's
/// bare JID; a notification may carry no payload, §4.2.2).
pub fn fetch4(id: impl Into<String>, owner: Option<BareJid>) -> Iq {
    xep_user::pep::fetch(id, owner, NODE_VCARD4)
}

/// Stores `vcard` about `contact` in the private contacts node (§5.2):
/// the ItemID is the contact's bare JID (which §5.1 says the vCard should
/// carry too), with XEP-0223's publish-options (whitelist access).
pub fn store_contact(id: impl Into<String>, contact: &BareJid, vcard: VCard4) -> Iq {
    let item = Item::new(Some(contact.to_string()), Payload::new(vcard));
    Iq::set(
        id,
        None,
        Payload::new(xep_pubsub::pep::private_publish(NODE_CONTACTS, item)),
    )
}

/// The contact a stored contact vCard is about: its ItemID, which must be
/// a bare JID (§5.2).
pub fn contact_of(item_id: Option<&str>) -> Result<BareJid, Error> {
    let id = item_id.ok_or_else(|| Error::missing_attribute("id").within("item"))?;
    id.parse::<BareJid>().map_err(|_| {
        Error::bad_attribute("id", id, "a contact vCard's ItemID is a bare JID").within("item")
    })
}

/// The contact vCards a notification of the private contacts node
/// carries (§5.2), each with the contact its ItemID names: believed only
/// from `me`'s own bare JID (the node is the user's, and private), each
/// ItemID a bare JID.
pub fn contacts_notification(
    message: &xep_core::Message,
    me: &BareJid,
) -> Result<Vec<(BareJid, VCard4)>, xep_user::pep::Refusal> {
    use xep_user::pep::{Refusal as PepRefusal, notification};
    let n = notification::<VCard4>(message, NODE_CONTACTS)?;
    if &n.publisher != me {
        return Err(PepRefusal::NotFromAccount(message.from.clone()));
    }
    let mut out = Vec::new();
    for item in n.items {
        let contact = contact_of(item.item_id.as_deref()).map_err(PepRefusal::Malformed)?;
        if let Some(v) = item.value {
            out.push((contact, v));
        }
    }
    Ok(out)
}

xep_element::elements! {
    "XEP-0054" => [VCard],
    "XEP-0153" => [Update],
    "XEP-0292" => [VCard4],
    "RFC 6351" => [vcard4::VCards],
}

#[cfg(test)]
mod tests;
