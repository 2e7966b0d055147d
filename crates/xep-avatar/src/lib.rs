//! XEP-0084 User Avatar and XEP-0398 avatar conversion.
//!
//! XEP-0084 publishes an avatar in two PEP nodes: the image in
//! `urn:xmpp:avatar:data` ([`Data`], base64 PNG) and what contacts are
//! told in `urn:xmpp:avatar:metadata` ([`Metadata`]: one [`Info`] per
//! format, a [`Pointer`] to a third-party service), both items named by
//! the SHA-1 of the PNG data ([`avatar_id`]).
//!
//! - [`publish`] gives the two publications of a PNG, in the order §2
//!   requires (data first); [`disable`] publishes the empty metadata.
//! - [`metadata_notification`] reads a metadata notification, believed
//!   only from the contact's bare JID, and checks that the ItemID is the
//!   PNG's id (§2.2); [`fetch_data`] asks for the data of an id and
//!   [`data_result`] reads it, believed only from the contact asked, and
//!   refuses data whose SHA-1 is not the id ([`verify`]).
//! - XEP-0398: [`FEATURE_CONVERSION`]; [`pep_to_vcard`] and
//!   [`vcard_to_pep`] are the service's conversions (§3), and
//!   [`inject_hash`] its rule for XEP-0153 hashes in presence (§4).
//!
//! ```
//! use xep_avatar::{Info, avatar_id, publish, verify, Data};
//!
//! let png = b"\x89PNG\r\n\x1a\n...".to_vec();
//! let (data_iq, metadata_iq) = publish("a1", "a2", &png, Some((64, 64)), Vec::new()).unwrap();
//! let id = avatar_id(&png);
//! assert!(xep_element::XmlElement::to_xml(&data_iq).contains(&format!("<item id='{id}'>")));
//! assert!(xep_element::XmlElement::to_xml(&metadata_iq).contains("type='image/png'"));
//! // A subscriber checks what it fetched against the id.
//! assert!(verify(&id, Data::new(png.clone()).bytes()).is_ok());
//! assert!(verify(&id, b"something else").is_err());
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{Iq, Message, Presence};
use xep_element::jid::BareJid;
use xep_element::{Error, Payload, XmlElement};
use xep_pubsub::{Item, request};
use xep_user::AnyUri;
use xep_user::pep::{self, Published};
use xep_vcard::{Binval, HexHash, Photo, Update, UpdatePhoto, photo_hash};

/// `urn:xmpp:avatar:data`: the namespace of [`Data`] and the data node.
pub const NS_DATA: &str = "urn:xmpp:avatar:data";
/// `urn:xmpp:avatar:metadata`: the namespace of [`Metadata`] and the
/// metadata node.
pub const NS_METADATA: &str = "urn:xmpp:avatar:metadata";
/// The content type every avatar offers (§4.2.1).
pub const PNG: &str = "image/png";
/// XEP-0398's account feature: the service converts XEP-0084 avatars to
/// XEP-0153 (and may convert back).
pub const FEATURE_CONVERSION: &str = "urn:xmpp:pep-vcard-conversion:0";

/// The id of avatar data: the SHA-1 of the image bytes (not of their
/// base64), in lower-case hex.
pub fn avatar_id(data: &[u8]) -> String {
    photo_hash(data)
}

/// `<data/>`: the PNG image, base64 (line feeds accepted and kept as
/// written, §4.1); no attributes.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_DATA, name = "data")]
pub struct Data {
    /// The image.
    #[xml(text)]
    pub data: Binval,
}

impl Data {
    /// The data `bytes` (a PNG image).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Data {
        Data {
            data: Binval::new(bytes),
        }
    }

    /// The image bytes.
    pub fn bytes(&self) -> &[u8] {
        self.data.data()
    }

    /// Its id: [`avatar_id`] of the bytes.
    pub fn id(&self) -> String {
        avatar_id(self.bytes())
    }
}

/// `<info/>`: one format of the avatar (empty element).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_METADATA, name = "info")]
pub struct Info {
    /// The size of the image in bytes.
    #[xml(attr)]
    pub bytes: u32,
    /// The height in pixels.
    #[xml(attr)]
    pub height: Option<u16>,
    /// The SHA-1 of the image data of this format.
    #[xml(attr)]
    pub id: String,
    /// The content type (an IANA `image/` or `video/` type).
    #[xml(attr(name = "type"))]
    pub type_: String,
    /// Where the image is hosted (http: or https:); absent when it is in
    /// the data node.
    #[xml(attr)]
    pub url: Option<AnyUri>,
    /// The width in pixels.
    #[xml(attr)]
    pub width: Option<u16>,
}

impl Info {
    /// The info of `data` of `content_type`, with its size, id and, if
    /// known, dimensions (`width`, `height`).
    pub fn of(content_type: &str, data: &[u8], dimensions: Option<(u16, u16)>) -> Option<Info> {
        Some(Info {
            bytes: u32::try_from(data.len()).ok()?,
            height: dimensions.map(|d| d.1),
            id: avatar_id(data),
            type_: content_type.to_string(),
            url: None,
            width: dimensions.map(|d| d.0),
        })
    }

    /// Whether this format is in the data node (no `url`).
    pub fn in_data_node(&self) -> bool {
        self.url.is_none()
    }
}

/// `<pointer/>`: an avatar held by a third-party service (a game, a
/// virtual world), described by one element of another namespace; the
/// attributes when the publisher knows them.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_METADATA, name = "pointer", validate = Pointer::check)]
pub struct Pointer {
    /// The size in bytes.
    #[xml(attr)]
    pub bytes: Option<u32>,
    /// The height in pixels.
    #[xml(attr)]
    pub height: Option<u16>,
    /// The SHA-1 of the image data.
    #[xml(attr)]
    pub id: Option<String>,
    /// The content type.
    #[xml(attr(name = "type"))]
    pub type_: Option<String>,
    /// The width in pixels.
    #[xml(attr)]
    pub width: Option<u16>,
    /// The application-specific element (exactly one).
    #[xml(children(foreign))]
    pub payload: Vec<Payload>,
}

impl Pointer {
    fn check(&self) -> Result<(), Error> {
        match self.payload.len() {
            1 => Ok(()),
            0 => Err(Error::missing_child("an element of another namespace")),
            _ => Err(Error::invalid(
                "a pointer holds one element of another namespace",
            )),
        }
    }
}

/// `<metadata/>`: the formats of the current avatar (at least one
/// [`Info`], then any [`Pointer`]s); empty, avatars are disabled (§2.5).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_METADATA, name = "metadata", validate = Metadata::check)]
pub struct Metadata {
    /// The formats.
    #[xml(child)]
    pub infos: Vec<Info>,
    /// Third-party avatars.
    #[xml(child)]
    pub pointers: Vec<Pointer>,
    /// `<stop/>`: the deprecated way of disabling (§2.5); read, never
    /// needed.
    #[xml(flag(name = "stop"))]
    pub stop: bool,
}

impl Metadata {
    fn check(&self) -> Result<(), Error> {
        if !self.pointers.is_empty() && self.infos.is_empty() {
            // §4.2.2: a pointer comes after at least one info, the
            // fallback of clients that do not know it.
            return Err(Error::missing_child("info"));
        }
        if self.stop && !(self.infos.is_empty() && self.pointers.is_empty()) {
            return Err(Error::invalid("<stop/> disables: nothing beside it"));
        }
        Ok(())
    }

    /// Whether avatars are disabled (empty, or the deprecated `<stop/>`).
    pub fn is_disabled(&self) -> bool {
        self.infos.is_empty()
    }

    /// The PNG info held in the data node: the id subscribers fetch.
    pub fn png(&self) -> Option<&Info> {
        self.infos
            .iter()
            .find(|i| i.type_ == PNG && i.in_data_node())
            .or_else(|| self.infos.iter().find(|i| i.type_ == PNG))
    }
}

/// Why avatar data or metadata is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AvatarError {
    /// The data's SHA-1 is not the id it was published or announced
    /// under.
    IdMismatch {
        /// The id given.
        expected: String,
        /// The SHA-1 of the data.
        computed: String,
    },
    /// The data's size is not the `bytes` announced.
    SizeMismatch {
        /// The size announced.
        announced: u32,
        /// The size of the data.
        actual: usize,
    },
    /// The metadata offers no `image/png` format (§4.2.1 requires one).
    NoPng,
    /// The metadata's ItemID is not the PNG format's id (§2.2).
    ItemIdMismatch {
        /// The ItemID.
        item_id: Option<String>,
        /// The PNG format's id.
        png_id: String,
    },
    /// The data is too large to announce (`bytes` is 32 bits).
    TooLarge,
    /// The notification or result is not believed.
    Refused(pep::Refusal),
    /// No item in the result.
    NoData,
}

impl fmt::Display for AvatarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AvatarError::IdMismatch { expected, computed } => write!(
                f,
                "avatar data under id {expected} has SHA-1 {computed}: refused"
            ),
            AvatarError::SizeMismatch { announced, actual } => {
                write!(f, "avatar of {actual} bytes announced as {announced}")
            }
            AvatarError::NoPng => f.write_str("avatar metadata without an image/png format"),
            AvatarError::ItemIdMismatch { item_id, png_id } => write!(
                f,
                "avatar metadata item {item_id:?} is not the PNG's id {png_id}"
            ),
            AvatarError::TooLarge => f.write_str("avatar data too large"),
            AvatarError::Refused(r) => write!(f, "{r}"),
            AvatarError::NoData => f.write_str("no avatar data in the result"),
        }
    }
}

impl std::error::Error for AvatarError {}

/// Checks that `data` is what `id` names: its SHA-1 (whatever the case
/// of `id`'s hex digits).
pub fn verify(id: &str, data: &[u8]) -> Result<(), AvatarError> {
    let computed = avatar_id(data);
    if computed.eq_ignore_ascii_case(id) {
        Ok(())
    } else {
        Err(AvatarError::IdMismatch {
            expected: id.to_string(),
            computed,
        })
    }
}

/// Checks `data` against an `info`: the id and the size.
pub fn verify_info(info: &Info, data: &[u8]) -> Result<(), AvatarError> {
    verify(&info.id, data)?;
    if info.bytes as usize != data.len() {
        return Err(AvatarError::SizeMismatch {
            announced: info.bytes,
            actual: data.len(),
        });
    }
    Ok(())
}

/// The two publications of a PNG avatar (§2.1, §2.2): the data under
/// its id, then the metadata naming it, with `dimensions` (`width`,
/// `height`) if known and `others`, further formats at URLs (each
/// checked: no second in-node PNG). Send the first, and the second once
/// the first succeeded.
pub fn publish(
    data_id: impl Into<String>,
    metadata_id: impl Into<String>,
    png: &[u8],
    dimensions: Option<(u16, u16)>,
    others: Vec<Info>,
) -> Result<(Iq, Iq), AvatarError> {
    let info = Info::of(PNG, png, dimensions).ok_or(AvatarError::TooLarge)?;
    let id = info.id.clone();
    let data = xep_user::pep::publish(data_id, NS_DATA, Some(id.clone()), Data::new(png));
    let mut infos = vec![info];
    infos.extend(others);
    let metadata = Metadata {
        infos,
        pointers: Vec::new(),
        stop: false,
    };
    Ok((data, publish_metadata(metadata_id, &id, metadata)?))
}

/// The publication of `metadata` (with a PNG format, §4.2.1) under the
/// ItemID `png_id`, which must be that format's id (§2.2).
pub fn publish_metadata(
    id: impl Into<String>,
    png_id: &str,
    metadata: Metadata,
) -> Result<Iq, AvatarError> {
    let png = metadata.png().ok_or(AvatarError::NoPng)?;
    if !png.id.eq_ignore_ascii_case(png_id) {
        return Err(AvatarError::ItemIdMismatch {
            item_id: Some(png_id.to_string()),
            png_id: png.id.clone(),
        });
    }
    Ok(xep_user::pep::publish(
        id,
        NS_METADATA,
        Some(png_id.to_string()),
        metadata,
    ))
}

/// Disables avatar publishing (§2.5): empty metadata.
pub fn disable(id: impl Into<String>) -> Iq {
    xep_user::pep::publish(id, NS_METADATA, None, Metadata::default())
}

/// What a metadata notification says about a contact's avatar.
#[derive(Debug, Clone, PartialEq)]
pub struct AvatarUpdate {
    /// Whose avatar.
    pub owner: BareJid,
    /// The metadata (disabled when empty).
    pub metadata: Metadata,
    /// The id to look up in a cache and fetch: the PNG's (absent when
    /// disabled).
    pub id: Option<String>,
}

/// The avatar a metadata notification announces, believed only from the
/// owner's bare JID, its ItemID checked against the PNG's id (§2.2). The
/// latest item counts.
pub fn metadata_notification(message: &Message) -> Result<AvatarUpdate, AvatarError> {
    let n = pep::notification::<Metadata>(message, NS_METADATA).map_err(AvatarError::Refused)?;
    let Some(Published { item_id, value }) = n.items.into_iter().last() else {
        return Err(AvatarError::NoData);
    };
    let metadata = value.ok_or(AvatarError::NoData)?;
    if metadata.is_disabled() {
        return Ok(AvatarUpdate {
            owner: n.publisher,
            metadata,
            id: None,
        });
    }
    let png = metadata.png().ok_or(AvatarError::NoPng)?;
    if !item_id
        .as_deref()
        .is_some_and(|i| i.eq_ignore_ascii_case(&png.id))
    {
        return Err(AvatarError::ItemIdMismatch {
            item_id,
            png_id: png.id.clone(),
        });
    }
    let id = Some(png.id.clone());
    Ok(AvatarUpdate {
        owner: n.publisher,
        metadata,
        id,
    })
}

/// The request for the data of avatar `id` of `owner` (§2.4).
pub fn fetch_data(request_id: impl Into<String>, owner: BareJid, id: &str) -> Iq {
    request::items(request_id, Some(owner.into()), NS_DATA, None, &[id])
}

/// The image in the answer to [`fetch_data`], believed only from
/// `owner`, and only if its SHA-1 is `id`.
pub fn data_result(
    reply: &Iq,
    owner: &BareJid,
    me: &BareJid,
    id: &str,
) -> Result<Vec<u8>, AvatarError> {
    let items =
        pep::items_result::<Data>(reply, Some(owner), me, NS_DATA).map_err(AvatarError::Refused)?;
    let item = items
        .into_iter()
        .find(|i| {
            i.item_id
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(id))
        })
        .ok_or(AvatarError::NoData)?;
    let data = item.value.ok_or(AvatarError::NoData)?;
    verify(id, data.bytes())?;
    Ok(data.data.into_data())
}

// ---- XEP-0398 ----

/// XEP-0398 §3.1: the vCard photo a service stores when `metadata` is
/// published: the format held in the data node (no URL, the PNG
/// first), with `data`, the item of the data node it names, checked
/// against its id and size.
pub fn pep_to_vcard(metadata: &Metadata, data: &Data) -> Result<Photo, AvatarError> {
    let info = metadata
        .infos
        .iter()
        .filter(|i| i.in_data_node())
        .find(|i| i.type_ == PNG)
        .or_else(|| metadata.infos.iter().find(|i| i.in_data_node()))
        .ok_or(AvatarError::NoPng)?;
    verify_info(info, data.bytes())?;
    Ok(Photo::inline(info.type_.clone(), data.bytes().to_vec()))
}

/// XEP-0398 §3.2: the two items a service publishes for a vCard photo
/// (the data item under the image's SHA-1, then a metadata item with one
/// info of the vCard's type), or `None` when the photo has no inline
/// data.
pub fn vcard_to_pep(photo: &Photo) -> Option<(Item, Item)> {
    let data = photo.data()?;
    let content_type = photo.type_.clone().unwrap_or_else(|| PNG.to_string());
    let info = Info::of(&content_type, data, None)?;
    let id = info.id.clone();
    let data_item = Item::new(Some(id.clone()), Payload::new(Data::new(data)));
    let metadata_item = Item::new(
        Some(id),
        Payload::new(Metadata {
            infos: vec![info],
            pointers: Vec::new(),
            stop: false,
        }),
    );
    Some((data_item, metadata_item))
}

/// What [`inject_hash`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injection {
    /// The hash was added (no update element, or one without photo).
    Injected,
    /// An empty photo: the user says there is none; left alone.
    LeftEmpty,
    /// The same hash was already there.
    Unchanged,
    /// Another hash was there and was replaced (`overwrite`).
    Overwritten,
    /// Another hash was there and was kept.
    KeptOther,
    /// Not an available presence: nothing to do.
    NotAvailable,
}

/// XEP-0398 §4, the service's rule for an available presence (broadcast
/// or directed, MUC joins included): add `hash`, the user's avatar hash
/// (`None`: no avatar, advertised as an empty photo), unless the presence
/// carries an empty photo; an update element without photo is
/// overwritten; another hash is replaced only with `overwrite` (a MAY).
pub fn inject_hash(presence: &mut Presence, hash: Option<&HexHash>, overwrite: bool) -> Injection {
    if presence.type_.is_some() {
        return Injection::NotAvailable;
    }
    let ours = Update {
        photo: Some(UpdatePhoto {
            hash: hash.cloned(),
        }),
    };
    let current = presence.payload::<Update>().and_then(Result::ok);
    let outcome = match current.as_ref().and_then(|u| u.photo.as_ref()) {
        None => Injection::Injected,
        Some(UpdatePhoto { hash: None }) => return Injection::LeftEmpty,
        Some(UpdatePhoto { hash: Some(h) }) => match hash {
            Some(mine) if mine.same_as(h.as_str()) => return Injection::Unchanged,
            _ if overwrite => Injection::Overwritten,
            _ => return Injection::KeptOther,
        },
    };
    xep_vcard::set_update(presence, ours);
    outcome
}

/// Whether a client resends its directed presences (to rooms) after a
/// metadata update so that the service injects the new hash: only when
/// the account announces [`FEATURE_CONVERSION`] (XEP-0398 §5.1).
pub fn resend_directed_presence<'a>(account_features: impl IntoIterator<Item = &'a str>) -> bool {
    account_features
        .into_iter()
        .any(|f| f == FEATURE_CONVERSION)
}

xep_element::elements! {
    "XEP-0084" => [Data, Metadata, Info, Pointer],
}

#[cfg(test)]
mod tests;
