//! XEP-0054 vcard-temp: the `<vCard/>` of the DTD of §10, every field.

use std::borrow::Cow;

use xep_element::jid::Jid;
use xep_element::{Date82, DateTime82, Error, Payload, XmlElement, XmlValue};
use xep_user::{AnyUri, Decimal};

use crate::Binval;

/// `vcard-temp`.
pub const NS_TEMP: &str = "vcard-temp";

/// An ISO 8601 date or date-time (BDAY, REV): typed when in the XEP-0082
/// profile, kept as written otherwise (ISO 8601's basic format
/// `19660806`, week dates, ...).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IsoDate {
    /// A XEP-0082 Date (`1966-08-06`).
    Date(Date82),
    /// A XEP-0082 DateTime (`2026-11-30T12:34:56Z`).
    DateTime(DateTime82),
    /// Another ISO 8601 form (digits with `-`, `:`, `T`, `W`, `Z`, `+`,
    /// `.` and `,`), kept as written.
    Other(String),
}

impl XmlValue for IsoDate {
    const EXAMPLE: Option<&'static str> = Some("1966-08-06");
    fn from_xml(s: &str) -> Result<Self, String> {
        if let Ok(d) = Date82::from_xml(s) {
            return Ok(IsoDate::Date(d));
        }
        if let Ok(d) = DateTime82::from_xml(s) {
            return Ok(IsoDate::DateTime(d));
        }
        let ok = s.bytes().any(|b| b.is_ascii_digit())
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b"-:TWZ+.,".contains(&b));
        if ok {
            Ok(IsoDate::Other(s.to_string()))
        } else {
            Err("not an ISO 8601 date or date-time".into())
        }
    }
    fn to_xml(&self) -> Cow<'_, str> {
        match self {
            IsoDate::Date(d) => Cow::Owned(d.to_xml().into_owned()),
            IsoDate::DateTime(d) => Cow::Owned(d.to_xml().into_owned()),
            IsoDate::Other(s) => Cow::Borrowed(s),
        }
    }
}

/// `<N/>`: the structured name. Several values of one part are separated
/// by commas (DTD).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TEMP, name = "N")]
pub struct Name {
    /// `FAMILY`.
    #[xml(text_child(name = "FAMILY"))]
    pub family: Option<String>,
    /// `GIVEN`.
    #[xml(text_child(name = "GIVEN"))]
    pub given: Option<String>,
    /// `MIDDLE`.
    #[xml(text_child(name = "MIDDLE"))]
    pub middle: Option<String>,
    /// `PREFIX`.
    #[xml(text_child(name = "PREFIX"))]
    pub prefix: Option<String>,
    /// `SUFFIX`.
    #[xml(text_child(name = "SUFFIX"))]
    pub suffix: Option<String>,
}

/// The content of PHOTO and LOGO: `(TYPE, BINVAL) | EXTVAL`.
pub trait Image {
    /// `TYPE`: the content type of the data.
    fn content_type(&self) -> Option<&str>;
    /// `BINVAL`: the data.
    fn binval(&self) -> Option<&Binval>;
    /// `EXTVAL`: a URI of external content.
    fn extval(&self) -> Option<&str>;
}

fn check_image<T: Image>(i: &T) -> Result<(), Error> {
    if i.extval().is_some() && (i.binval().is_some() || i.content_type().is_some()) {
        return Err(Error::invalid(
            "either TYPE and BINVAL or EXTVAL, not both (XEP-0054 DTD)",
        ));
    }
    Ok(())
}

macro_rules! image {
    ($ty:ident, $name:tt, $what:literal) => {
        #[doc = concat!("`<", $name, "/>`: ", $what, ", inline (`TYPE` and `BINVAL`) or external (`EXTVAL`).")]
        /// An empty one says there is none (XEP-0153 §4.3).
        #[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
        #[xml(ns = NS_TEMP, name = $name, validate = check_image)]
        pub struct $ty {
            /// `TYPE`: the content type (a hint: the data says what it is).
            #[xml(text_child(name = "TYPE"))]
            pub type_: Option<String>,
            /// `BINVAL`: the data.
            #[xml(text_child(name = "BINVAL"))]
            pub binval: Option<Binval>,
            /// `EXTVAL`: a URI of the data.
            #[xml(text_child(name = "EXTVAL"))]
            pub extval: Option<String>,
        }

        impl $ty {
            /// Inline data of `content_type`.
            pub fn inline(content_type: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
                $ty {
                    type_: Some(content_type.into()),
                    binval: Some(Binval::new(data)),
                    extval: None,
                }
            }

            /// The inline data, if any and not empty.
            pub fn data(&self) -> Option<&[u8]> {
                self.binval.as_ref().map(Binval::data).filter(|d| !d.is_empty())
            }
        }

        impl Image for $ty {
            fn content_type(&self) -> Option<&str> {
                self.type_.as_deref()
            }
            fn binval(&self) -> Option<&Binval> {
                self.binval.as_ref()
            }
            fn extval(&self) -> Option<&str> {
                self.extval.as_deref()
            }
        }
    };
}

image!(Photo, "PHOTO", "a photograph");
image!(Logo, "LOGO", "an organization's logo");

/// The address flags shared by ADR and LABEL.
fn check_dom_intl(dom: bool, intl: bool) -> Result<(), Error> {
    if dom && intl {
        return Err(Error::invalid(
            "DOM and INTL exclude each other (XEP-0054 DTD)",
        ));
    }
    Ok(())
}

/// `<ADR/>`: a structured address. Several values of one part are
/// separated by commas (DTD).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TEMP, name = "ADR", validate = Address::check)]
pub struct Address {
    /// `HOME`.
    #[xml(flag(name = "HOME"))]
    pub home: bool,
    /// `WORK`.
    #[xml(flag(name = "WORK"))]
    pub work: bool,
    /// `POSTAL`.
    #[xml(flag(name = "POSTAL"))]
    pub postal: bool,
    /// `PARCEL`.
    #[xml(flag(name = "PARCEL"))]
    pub parcel: bool,
    /// `DOM`: domestic (not with `INTL`).
    #[xml(flag(name = "DOM"))]
    pub dom: bool,
    /// `INTL`: international (not with `DOM`).
    #[xml(flag(name = "INTL"))]
    pub intl: bool,
    /// `PREF`: the preferred one.
    #[xml(flag(name = "PREF"))]
    pub pref: bool,
    /// `POBOX`.
    #[xml(text_child(name = "POBOX"))]
    pub pobox: Option<String>,
    /// `EXTADD`: extended address (suite, apartment).
    #[xml(text_child(name = "EXTADD"))]
    pub extadd: Option<String>,
    /// `STREET`.
    #[xml(text_child(name = "STREET"))]
    pub street: Option<String>,
    /// `LOCALITY`.
    #[xml(text_child(name = "LOCALITY"))]
    pub locality: Option<String>,
    /// `REGION`.
    #[xml(text_child(name = "REGION"))]
    pub region: Option<String>,
    /// `PCODE`: postal code.
    #[xml(text_child(name = "PCODE"))]
    pub pcode: Option<String>,
    /// `CTRY`: country (not `COUNTRY`, §9).
    #[xml(text_child(name = "CTRY"))]
    pub ctry: Option<String>,
}

impl Address {
    fn check(&self) -> Result<(), Error> {
        check_dom_intl(self.dom, self.intl)
    }
}

/// `<LABEL/>`: an address label, line by line (at least one).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TEMP, name = "LABEL", validate = Label::check)]
pub struct Label {
    /// `HOME`.
    #[xml(flag(name = "HOME"))]
    pub home: bool,
    /// `WORK`.
    #[xml(flag(name = "WORK"))]
    pub work: bool,
    /// `POSTAL`.
    #[xml(flag(name = "POSTAL"))]
    pub postal: bool,
    /// `PARCEL`.
    #[xml(flag(name = "PARCEL"))]
    pub parcel: bool,
    /// `DOM` (not with `INTL`).
    #[xml(flag(name = "DOM"))]
    pub dom: bool,
    /// `INTL` (not with `DOM`).
    #[xml(flag(name = "INTL"))]
    pub intl: bool,
    /// `PREF`.
    #[xml(flag(name = "PREF"))]
    pub pref: bool,
    /// `LINE`s (one or more).
    #[xml(text_child(name = "LINE"))]
    pub lines: Vec<String>,
}

impl Label {
    fn check(&self) -> Result<(), Error> {
        if self.lines.is_empty() {
            return Err(Error::missing_child("LINE"));
        }
        check_dom_intl(self.dom, self.intl)
    }
}

/// `<TEL/>`: a telephone number with its kinds. `NUMBER` is required,
/// empty when there is no number (§9).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TEMP, name = "TEL")]
pub struct Tel {
    /// `HOME`.
    #[xml(flag(name = "HOME"))]
    pub home: bool,
    /// `WORK`.
    #[xml(flag(name = "WORK"))]
    pub work: bool,
    /// `VOICE`.
    #[xml(flag(name = "VOICE"))]
    pub voice: bool,
    /// `FAX`.
    #[xml(flag(name = "FAX"))]
    pub fax: bool,
    /// `PAGER`.
    #[xml(flag(name = "PAGER"))]
    pub pager: bool,
    /// `MSG`: with a message service.
    #[xml(flag(name = "MSG"))]
    pub msg: bool,
    /// `CELL`.
    #[xml(flag(name = "CELL"))]
    pub cell: bool,
    /// `VIDEO`.
    #[xml(flag(name = "VIDEO"))]
    pub video: bool,
    /// `BBS`: bulletin board.
    #[xml(flag(name = "BBS"))]
    pub bbs: bool,
    /// `MODEM`.
    #[xml(flag(name = "MODEM"))]
    pub modem: bool,
    /// `ISDN`.
    #[xml(flag(name = "ISDN"))]
    pub isdn: bool,
    /// `PCS`: personal communication services.
    #[xml(flag(name = "PCS"))]
    pub pcs: bool,
    /// `PREF`.
    #[xml(flag(name = "PREF"))]
    pub pref: bool,
    /// `NUMBER`.
    #[xml(text_child(name = "NUMBER"))]
    pub number: String,
}

/// `<EMAIL/>`: an e-mail address with its kinds (INTERNET by default).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TEMP, name = "EMAIL")]
pub struct Email {
    /// `HOME`.
    #[xml(flag(name = "HOME"))]
    pub home: bool,
    /// `WORK`.
    #[xml(flag(name = "WORK"))]
    pub work: bool,
    /// `INTERNET`.
    #[xml(flag(name = "INTERNET"))]
    pub internet: bool,
    /// `PREF`.
    #[xml(flag(name = "PREF"))]
    pub pref: bool,
    /// `X400`.
    #[xml(flag(name = "X400"))]
    pub x400: bool,
    /// `USERID`: the address.
    #[xml(text_child(name = "USERID"))]
    pub userid: String,
}

/// `<GEO/>`: latitude and longitude in decimal degrees.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_TEMP, name = "GEO")]
pub struct Geo {
    /// `LAT`.
    #[xml(text_child(name = "LAT"))]
    pub lat: Decimal,
    /// `LON`.
    #[xml(text_child(name = "LON"))]
    pub lon: Decimal,
}

/// `<AGENT/>`: someone who acts for the entity: a vCard inline, or a URI
/// of one (exactly one of the two).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_TEMP, name = "AGENT", validate = Agent::check)]
pub struct Agent {
    /// The agent's vCard.
    #[xml(child)]
    pub vcard: Option<Box<VCard>>,
    /// `EXTVAL`: a URI of it.
    #[xml(text_child(name = "EXTVAL"))]
    pub extval: Option<String>,
}

impl Agent {
    fn check(&self) -> Result<(), Error> {
        match (&self.vcard, &self.extval) {
            (Some(_), None) | (None, Some(_)) => Ok(()),
            _ => Err(Error::invalid(
                "AGENT holds a vCard or an EXTVAL (XEP-0054 DTD)",
            )),
        }
    }
}

/// `<ORG/>`: the organization's name and units.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TEMP, name = "ORG")]
pub struct Org {
    /// `ORGNAME`.
    #[xml(text_child(name = "ORGNAME"))]
    pub orgname: String,
    /// `ORGUNIT`s.
    #[xml(text_child(name = "ORGUNIT"))]
    pub orgunits: Vec<String>,
}

/// `<CATEGORIES/>`: keywords (at least one).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TEMP, name = "CATEGORIES", validate = Categories::check)]
pub struct Categories {
    /// `KEYWORD`s.
    #[xml(text_child(name = "KEYWORD"))]
    pub keywords: Vec<String>,
}

impl Categories {
    fn check(&self) -> Result<(), Error> {
        if self.keywords.is_empty() {
            return Err(Error::missing_child("KEYWORD"));
        }
        Ok(())
    }
}

/// `<SOUND/>`: how the formatted name is pronounced: phonetically, as
/// audio inline, or as a URI of audio (exactly one).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TEMP, name = "SOUND", validate = Sound::check)]
pub struct Sound {
    /// `PHONETIC`.
    #[xml(text_child(name = "PHONETIC"))]
    pub phonetic: Option<String>,
    /// `BINVAL`.
    #[xml(text_child(name = "BINVAL"))]
    pub binval: Option<Binval>,
    /// `EXTVAL`.
    #[xml(text_child(name = "EXTVAL"))]
    pub extval: Option<String>,
}

impl Sound {
    fn check(&self) -> Result<(), Error> {
        let n = [
            self.phonetic.is_some(),
            self.binval.is_some(),
            self.extval.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if n != 1 {
            return Err(Error::invalid(
                "SOUND holds one of PHONETIC, BINVAL or EXTVAL (XEP-0054 DTD)",
            ));
        }
        Ok(())
    }
}

/// The privacy classification of a `<CLASS/>`.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq)]
#[xml(ns = NS_TEMP)]
pub enum Classification {
    /// `PUBLIC`.
    #[xml(name = "PUBLIC")]
    Public,
    /// `PRIVATE`.
    #[xml(name = "PRIVATE")]
    Private,
    /// `CONFIDENTIAL`.
    #[xml(name = "CONFIDENTIAL")]
    Confidential,
}

/// `<CLASS/>`: the privacy classification.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq)]
#[xml(ns = NS_TEMP, name = "CLASS")]
pub struct Class {
    /// Which one.
    #[xml(child)]
    pub value: Classification,
}

/// `<KEY/>`: an authentication credential or encryption key.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TEMP, name = "KEY")]
pub struct Key {
    /// `TYPE`.
    #[xml(text_child(name = "TYPE"))]
    pub type_: Option<String>,
    /// `CRED`: the credential or key.
    #[xml(text_child(name = "CRED"))]
    pub cred: String,
}

/// `<vCard xmlns='vcard-temp'/>`: a vCard (XEP-0054). Every field of the
/// DTD; those after `N` may repeat (the DTD's starred group), in any
/// order. Empty, it says there is none (§3.1). `VERSION`, `FN` and `N`,
/// required by the DTD, are optional as in practice (the XEP's own
/// examples omit `VERSION`, and some `FN`).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_TEMP, name = "vCard")]
pub struct VCard {
    /// The `version` attribute some implementations add (§9: "3.0").
    #[xml(attr)]
    pub version: Option<String>,
    /// `VERSION` of the DTD (unused in practice: the attribute instead).
    #[xml(text_child(name = "VERSION"))]
    pub version_element: Option<String>,
    /// `FN`: the formatted name.
    #[xml(text_child(name = "FN"))]
    pub fn_: Option<String>,
    /// `N`: the structured name.
    #[xml(child)]
    pub n: Option<Name>,
    /// `NICKNAME`s (several in one are comma-separated).
    #[xml(text_child(name = "NICKNAME"))]
    pub nicknames: Vec<String>,
    /// `PHOTO`s.
    #[xml(child)]
    pub photos: Vec<Photo>,
    /// `BDAY`: the birthday.
    #[xml(text_child(name = "BDAY"))]
    pub bdays: Vec<IsoDate>,
    /// `ADR`s.
    #[xml(child)]
    pub addresses: Vec<Address>,
    /// `LABEL`s.
    #[xml(child)]
    pub labels: Vec<Label>,
    /// `TEL`s.
    #[xml(child)]
    pub tels: Vec<Tel>,
    /// `EMAIL`s.
    #[xml(child)]
    pub emails: Vec<Email>,
    /// `JABBERID`s.
    #[xml(text_child(name = "JABBERID"))]
    pub jabberids: Vec<Jid>,
    /// `MAILER`s: mail user agents.
    #[xml(text_child(name = "MAILER"))]
    pub mailers: Vec<String>,
    /// `TZ`s: the standard time's UTC offset.
    #[xml(text_child(name = "TZ"))]
    pub tzs: Vec<String>,
    /// `GEO`s.
    #[xml(child)]
    pub geos: Vec<Geo>,
    /// `TITLE`s.
    #[xml(text_child(name = "TITLE"))]
    pub titles: Vec<String>,
    /// `ROLE`s.
    #[xml(text_child(name = "ROLE"))]
    pub roles: Vec<String>,
    /// `LOGO`s.
    #[xml(child)]
    pub logos: Vec<Logo>,
    /// `AGENT`s.
    #[xml(child)]
    pub agents: Vec<Agent>,
    /// `ORG`s.
    #[xml(child)]
    pub orgs: Vec<Org>,
    /// `CATEGORIES`.
    #[xml(child)]
    pub categories: Vec<Categories>,
    /// `NOTE`s.
    #[xml(text_child(name = "NOTE"))]
    pub notes: Vec<String>,
    /// `PRODID`s: the product that made the vCard.
    #[xml(text_child(name = "PRODID"))]
    pub prodids: Vec<String>,
    /// `REV`s: when it was last revised.
    #[xml(text_child(name = "REV"))]
    pub revs: Vec<IsoDate>,
    /// `SORT-STRING`s.
    #[xml(text_child(name = "SORT-STRING"))]
    pub sort_strings: Vec<String>,
    /// `SOUND`s.
    #[xml(child)]
    pub sounds: Vec<Sound>,
    /// `UID`s.
    #[xml(text_child(name = "UID"))]
    pub uids: Vec<String>,
    /// `URL`s.
    #[xml(text_child(name = "URL"))]
    pub urls: Vec<AnyUri>,
    /// `CLASS`es.
    #[xml(child)]
    pub classes: Vec<Class>,
    /// `KEY`s.
    #[xml(child)]
    pub keys: Vec<Key>,
    /// `DESC`s: free-form description.
    #[xml(text_child(name = "DESC"))]
    pub descs: Vec<String>,
    /// Elements of other namespaces (outside the DTD, kept).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl VCard {
    /// Whether the vCard is empty (how a server may say there is none).
    pub fn is_empty(&self) -> bool {
        *self == VCard::default()
    }

    /// The first photo, if any.
    pub fn photo(&self) -> Option<&Photo> {
        self.photos.first()
    }

    /// The avatar image data: the first photo's inline data (XEP-0153
    /// §4.5), if not empty.
    pub fn photo_data(&self) -> Option<&[u8]> {
        self.photo().and_then(Photo::data)
    }

    /// Replaces the photos with `photo`.
    pub fn set_photo(&mut self, photo: Photo) {
        self.photos = vec![photo];
    }
}
