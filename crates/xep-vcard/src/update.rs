//! XEP-0153 vCard-based avatars: the hash of the vCard photo in presence,
//! and the rules of §4 for the user's own resources.

use std::borrow::Cow;
use std::fmt;

use sha1::{Digest, Sha1};
use xep_core::Presence;
use xep_element::jid::FullJid;
use xep_element::{Error, Payload, XmlElement, XmlValue};

use crate::VCard;

/// `vcard-temp:x:update`.
pub const NS_UPDATE: &str = "vcard-temp:x:update";

/// The SHA-1 of avatar image data (RFC 3174) as lower-case hexadecimal:
/// the hash XEP-0153 advertises (of the image itself, not of its base64)
/// and the id XEP-0084 gives it.
pub fn photo_hash(data: &[u8]) -> String {
    let digest = Sha1::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hexadecimal (`xs:hexBinary`) as written, upper- or lower-case (§3.1:
/// both are read; lower-case is what is sent).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HexHash(String);

impl HexHash {
    /// The hash of `data` ([`photo_hash`]).
    pub fn of(data: &[u8]) -> HexHash {
        HexHash(photo_hash(data))
    }

    /// The hexadecimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it names the same bytes as `hex`, whatever the case of
    /// either.
    pub fn same_as(&self, hex: &str) -> bool {
        self.0.eq_ignore_ascii_case(hex)
    }

    /// Whether it is the hash of `data`.
    pub fn is_hash_of(&self, data: &[u8]) -> bool {
        self.same_as(&photo_hash(data))
    }
}

impl XmlValue for HexHash {
    const XSD_TYPE: &'static str = "xs:hexBinary";
    fn from_xml(s: &str) -> Result<Self, String> {
        let t = s.trim_matches([' ', '\t', '\n', '\r']);
        if t.len() % 2 == 0 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(HexHash(t.to_string()))
        } else {
            Err("not valid hexadecimal (xs:hexBinary)".into())
        }
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

/// `<photo/>` of the update element: the hash of the avatar, or empty
/// when there is none to advertise (§4.1 rule 3).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_UPDATE, name = "photo")]
pub struct UpdatePhoto {
    /// The SHA-1 of the image, or `None` for "no image".
    #[xml(text)]
    pub hash: Option<HexHash>,
}

/// `<x xmlns='vcard-temp:x:update'/>`: in every presence broadcast of a
/// client that supports the protocol (§4.1 rule 1). Without `<photo/>`,
/// the client is not ready to advertise (rule 2); with an empty one there
/// is no image (rule 3); otherwise the image's hash.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_UPDATE, name = "x")]
pub struct Update {
    /// The photo element.
    #[xml(child)]
    pub photo: Option<UpdatePhoto>,
}

impl Update {
    /// Not ready to advertise an image (rule 2): `<x/>`.
    pub fn not_ready() -> Update {
        Update { photo: None }
    }

    /// No image (rule 3): `<x><photo/></x>`.
    pub fn no_image() -> Update {
        Update {
            photo: Some(UpdatePhoto { hash: None }),
        }
    }

    /// The image `data` is the avatar: its hash.
    pub fn image(data: &[u8]) -> Update {
        Update {
            photo: Some(UpdatePhoto {
                hash: Some(HexHash::of(data)),
            }),
        }
    }

    /// What to advertise after downloading `vcard` (§4.4 steps 3 and 4):
    /// the hash of its photo, or no image when the BINVAL is empty or
    /// missing.
    pub fn from_vcard(vcard: &VCard) -> Update {
        match vcard.photo_data() {
            Some(d) => Update::image(d),
            None => Update::no_image(),
        }
    }

    /// The hash advertised, if any.
    pub fn hash(&self) -> Option<&HexHash> {
        self.photo.as_ref().and_then(|p| p.hash.as_ref())
    }
}

/// The update element of `presence`, if any.
pub fn update_of(presence: &Presence) -> Option<Result<Update, Error>> {
    presence.payload::<Update>()
}

/// Puts `update` in `presence`, replacing any update element there.
pub fn set_update(presence: &mut Presence, update: Update) {
    presence.payloads.retain(|p| p.get::<Update>().is_none());
    presence.payloads.push(Payload::new(update));
}

/// What a client does on a presence from another of its own resources
/// (§4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnResource {
    /// No update element: that resource may change the vCard without
    /// saying so, and polling is forbidden, so stop advertising a hash
    /// (rule 1; advertising may resume once every such resource is gone).
    StopAdvertising,
    /// An empty update element, or the same hash: carry on.
    Ignore,
    /// An empty photo: the other resource emptied the photo. Retrieve the
    /// vCard; if its BINVAL is empty too, stop advertising the old image.
    RetrieveVCard,
    /// Another hash: do not upload again, but reset (§4.4): send
    /// [`Update::not_ready`] now, download the vCard, then advertise
    /// [`Update::from_vcard`].
    ResetHash,
}

/// Why a presence is not one from the user's other resource.
#[derive(Debug, Clone, PartialEq)]
pub enum UpdateRefusal {
    /// From another account, this resource itself, or no one: §4.3 is
    /// about the user's other resources only.
    NotOwnResource,
    /// Not an available presence (an unavailable resource advertises
    /// nothing).
    NotAvailable,
    /// The update element does not parse.
    Malformed(Error),
}

impl fmt::Display for UpdateRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpdateRefusal::NotOwnResource => {
                f.write_str("not a presence from another resource of the account")
            }
            UpdateRefusal::NotAvailable => f.write_str("not an available presence"),
            UpdateRefusal::Malformed(e) => write!(f, "malformed vcard-temp:x:update: {e}"),
        }
    }
}

impl std::error::Error for UpdateRefusal {}

/// Applies §4.3 to `presence`, which must come from another resource of
/// `me`'s account; `advertised` is the hash this client advertises.
pub fn own_resource(
    presence: &Presence,
    me: &FullJid,
    advertised: Option<&HexHash>,
) -> Result<OwnResource, UpdateRefusal> {
    let own = presence.from.as_ref().is_some_and(|f| {
        f.to_bare() == me.to_bare() && f.resource().is_some_and(|r| r != me.resource())
    });
    if !own {
        return Err(UpdateRefusal::NotOwnResource);
    }
    if presence.type_.is_some() {
        return Err(UpdateRefusal::NotAvailable);
    }
    let update = match update_of(presence) {
        None => return Ok(OwnResource::StopAdvertising),
        Some(u) => u.map_err(UpdateRefusal::Malformed)?,
    };
    Ok(match update.photo {
        None => OwnResource::Ignore,
        Some(UpdatePhoto { hash: None }) => OwnResource::RetrieveVCard,
        Some(UpdatePhoto { hash: Some(h) }) => match advertised {
            Some(mine) if mine.same_as(h.as_str()) => OwnResource::Ignore,
            _ => OwnResource::ResetHash,
        },
    })
}
