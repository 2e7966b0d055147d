//! XEP-0292 vCard4 over XMPP: the RFC 6351 XML representation of RFC 6350
//! vCards, in `urn:ietf:params:xml:ns:vcard-4.0`, with `<vcard/>` as the
//! root (§3).

use xep_element::{Error, Payload, XmlElement, XmlValue, XsdBool};
use xep_user::AnyUri;

use crate::values4::{
    LanguageTag, Loose, PidValue, UtcOffset, VDate, VDateTime, VTime, VTimestamp, XsFloat,
};

/// `urn:ietf:params:xml:ns:vcard-4.0`: the namespace, and the
/// service discovery feature of XEP-0292 §6.
pub const NS_VCARD4: &str = "urn:ietf:params:xml:ns:vcard-4.0";

macro_rules! value_element {
    ($(#[$doc:meta])* $ty:ident, $name:tt, $inner:ty) => {
        $(#[$doc])*
        #[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
        #[xml(ns = NS_VCARD4, name = $name)]
        pub struct $ty {
            /// The value.
            #[xml(text)]
            pub value: $inner,
        }
    };
}

value_element!(
    /// `<text/>`: a text value.
    TextValue, "text", String
);
value_element!(
    /// `<uri/>`: a URI value.
    UriValue, "uri", AnyUri
);
value_element!(
    /// `<date/>`: a date value.
    DateValue, "date", VDate
);
value_element!(
    /// `<time/>`: a time value.
    TimeValue, "time", VTime
);
value_element!(
    /// `<date-time/>`: a date-time value.
    DateTimeValue, "date-time", VDateTime
);
value_element!(
    /// `<timestamp/>`: a timestamp value.
    TimestampValue, "timestamp", VTimestamp
);
value_element!(
    /// `<boolean/>`: a boolean value.
    BooleanValue, "boolean", XsdBool
);
value_element!(
    /// `<integer/>`: an integer value.
    IntegerValue, "integer", i64
);
value_element!(
    /// `<float/>`: a float value.
    FloatValue, "float", XsFloat
);
value_element!(
    /// `<utc-offset/>`: a UTC offset value.
    UtcOffsetValue, "utc-offset", UtcOffset
);
value_element!(
    /// `<language-tag/>`: a language tag value.
    LanguageTagValue, "language-tag", LanguageTag
);
value_element!(
    /// `<unknown/>`: a value of a type not known (RFC 6351 §5).
    UnknownValue, "unknown", String
);

/// A property value: one of the value elements of RFC 6351 §4.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `<text/>`.
    Text(TextValue),
    /// `<uri/>`.
    Uri(UriValue),
    /// `<date/>`.
    Date(DateValue),
    /// `<time/>`.
    Time(TimeValue),
    /// `<date-time/>`.
    DateTime(DateTimeValue),
    /// `<timestamp/>`.
    Timestamp(TimestampValue),
    /// `<boolean/>`.
    Boolean(BooleanValue),
    /// `<integer/>`.
    Integer(IntegerValue),
    /// `<float/>`.
    Float(FloatValue),
    /// `<utc-offset/>`.
    UtcOffset(UtcOffsetValue),
    /// `<language-tag/>`.
    LanguageTag(LanguageTagValue),
    /// `<unknown/>`.
    Unknown(UnknownValue),
}

/// The kinds of [`Value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// `text`.
    Text,
    /// `uri`.
    Uri,
    /// `date`.
    Date,
    /// `time`.
    Time,
    /// `date-time`.
    DateTime,
    /// `timestamp`.
    Timestamp,
    /// `boolean`.
    Boolean,
    /// `integer`.
    Integer,
    /// `float`.
    Float,
    /// `utc-offset`.
    UtcOffset,
    /// `language-tag`.
    LanguageTag,
    /// `unknown`.
    Unknown,
}

impl Value {
    /// A text value.
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(TextValue { value: s.into() })
    }

    /// A URI value.
    pub fn uri(s: impl Into<String>) -> Value {
        Value::Uri(UriValue {
            value: AnyUri(s.into()),
        })
    }

    /// Its kind.
    pub fn kind(&self) -> ValueKind {
        match self {
            Value::Text(_) => ValueKind::Text,
            Value::Uri(_) => ValueKind::Uri,
            Value::Date(_) => ValueKind::Date,
            Value::Time(_) => ValueKind::Time,
            Value::DateTime(_) => ValueKind::DateTime,
            Value::Timestamp(_) => ValueKind::Timestamp,
            Value::Boolean(_) => ValueKind::Boolean,
            Value::Integer(_) => ValueKind::Integer,
            Value::Float(_) => ValueKind::Float,
            Value::UtcOffset(_) => ValueKind::UtcOffset,
            Value::LanguageTag(_) => ValueKind::LanguageTag,
            Value::Unknown(_) => ValueKind::Unknown,
        }
    }

    /// The value as written.
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Value::Text(v) => v.value.as_str().into(),
            Value::Uri(v) => v.value.as_str().into(),
            Value::Date(v) => v.value.as_str().into(),
            Value::Time(v) => v.value.as_str().into(),
            Value::DateTime(v) => v.value.as_str().into(),
            Value::Timestamp(v) => v.value.as_str().into(),
            Value::Boolean(v) => v.value.to_xml().into_owned().into(),
            Value::Integer(v) => v.value.to_string().into(),
            Value::Float(v) => v.value.as_str().into(),
            Value::UtcOffset(v) => v.value.as_str().into(),
            Value::LanguageTag(v) => v.value.as_str().into(),
            Value::Unknown(v) => v.value.as_str().into(),
        }
    }
}

// ---- parameters (RFC 6351 §5, RFC 6350 §5) ----

/// `<language/>` parameter: the language of the value.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "language")]
pub struct LanguageParam {
    /// The tag.
    #[xml(text_child(name = "language-tag"))]
    pub tag: LanguageTag,
}

/// A preference from 1 (most preferred) to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PrefValue(u8);

impl PrefValue {
    /// `n`, if within 1..=100.
    pub fn new(n: u8) -> Option<PrefValue> {
        (1..=100).contains(&n).then_some(PrefValue(n))
    }

    /// The value.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl XmlValue for PrefValue {
    const XSD_TYPE: &'static str = "xs:positiveInteger";
    const EXAMPLE: Option<&'static str> = Some("1");
    fn from_xml(s: &str) -> Result<Self, String> {
        u8::from_xml(s)
            .ok()
            .and_then(PrefValue::new)
            .ok_or_else(|| "not a preference from 1 to 100".into())
    }
    fn to_xml(&self) -> std::borrow::Cow<'_, str> {
        self.0.to_string().into()
    }
}

/// `<pref/>` parameter: the preference (RFC 6350 §5.3), in an
/// `<integer/>` as RFC 6351 writes it, or as bare text as XEP-0292's
/// examples write it (both read and written back as they came).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "pref", validate = Pref::check)]
pub struct Pref {
    /// `<integer/>`.
    #[xml(text_child(name = "integer"))]
    pub integer: Option<PrefValue>,
    /// The bare text form (and the blank around `<integer/>`).
    #[xml(text)]
    pub bare: Option<Loose<PrefValue>>,
}

impl Pref {
    /// The preference `n` (1..=100), in RFC 6351's form.
    pub fn new(n: u8) -> Option<Pref> {
        Some(Pref {
            integer: Some(PrefValue::new(n)?),
            bare: None,
        })
    }

    /// The preference.
    pub fn value(&self) -> u8 {
        self.integer
            .or_else(|| self.bare.as_ref().and_then(|b| b.get().copied()))
            .map_or(100, PrefValue::get)
    }

    fn check(&self) -> Result<(), Error> {
        let bare = self.bare.as_ref().is_some_and(|b| b.get().is_some());
        if self.integer.is_some() == bare {
            return Err(Error::missing_child("integer"));
        }
        Ok(())
    }
}

/// `<altid/>` parameter: ties alternative representations together.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "altid")]
pub struct AltId {
    /// The identifier.
    #[xml(text_child(name = "text"))]
    pub text: String,
}

/// `<pid/>` parameter: property identifiers for synchronization.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "pid")]
pub struct Pid {
    /// The identifiers (one or more).
    #[xml(text_child(name = "text"))]
    pub values: Vec<PidValue>,
}

/// A TYPE parameter value: the general ones of RFC 6350 §5.6, TEL's
/// (§6.4.1) and RELATED's (§6.6.6), others kept as written.
#[derive(xep_element::XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeValue {
    /// `work`.
    Work,
    /// `home`.
    Home,
    /// `text` (TEL).
    Text,
    /// `voice` (TEL).
    Voice,
    /// `fax` (TEL).
    Fax,
    /// `cell` (TEL).
    Cell,
    /// `video` (TEL).
    Video,
    /// `pager` (TEL).
    Pager,
    /// `textphone` (TEL).
    Textphone,
    /// `contact` (RELATED).
    Contact,
    /// `acquaintance` (RELATED).
    Acquaintance,
    /// `friend` (RELATED).
    Friend,
    /// `met` (RELATED).
    Met,
    /// `co-worker` (RELATED).
    CoWorker,
    /// `colleague` (RELATED).
    Colleague,
    /// `co-resident` (RELATED).
    CoResident,
    /// `neighbor` (RELATED).
    Neighbor,
    /// `child` (RELATED).
    Child,
    /// `parent` (RELATED).
    Parent,
    /// `sibling` (RELATED).
    Sibling,
    /// `spouse` (RELATED).
    Spouse,
    /// `kin` (RELATED).
    Kin,
    /// `muse` (RELATED).
    Muse,
    /// `crush` (RELATED).
    Crush,
    /// `date` (RELATED).
    Date,
    /// `sweetheart` (RELATED).
    Sweetheart,
    /// `me` (RELATED).
    Me,
    /// `agent` (RELATED).
    Agent,
    /// `emergency` (RELATED).
    Emergency,
    /// An x-name or IANA token, kept as written.
    #[xml(other)]
    Other(String),
}

/// `<type/>` parameter.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "type")]
pub struct TypeParam {
    /// The types (one or more).
    #[xml(text_child(name = "text"))]
    pub values: Vec<TypeValue>,
}

/// `<mediatype/>` parameter: the media type of a URI's content.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "mediatype")]
pub struct MediaType {
    /// The media type.
    #[xml(text_child(name = "text"))]
    pub text: String,
}

/// A calendar scale.
#[derive(xep_element::XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum CalScaleValue {
    /// `gregorian`.
    Gregorian,
    /// Another scale, kept as written.
    #[xml(other)]
    Other(String),
}

/// `<calscale/>` parameter.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "calscale")]
pub struct CalScale {
    /// The scale.
    #[xml(text_child(name = "text"))]
    pub text: CalScaleValue,
}

/// `<sort-as/>` parameter: how to sort the value (one or more strings).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "sort-as")]
pub struct SortAs {
    /// The sort strings.
    #[xml(text_child(name = "text"))]
    pub values: Vec<String>,
}

/// `<label/>` parameter of ADR: the formatted address.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "label")]
pub struct LabelParam {
    /// The label.
    #[xml(text_child(name = "text"))]
    pub text: String,
}

/// `<parameters/>`: the parameters of a property. The GEO and TZ
/// parameters have the names (and content) of the GEO and TZ properties.
/// Unknown parameters (x-names, later RFCs) are kept.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_VCARD4, name = "parameters")]
pub struct Parameters {
    /// LANGUAGE.
    #[xml(child)]
    pub language: Option<LanguageParam>,
    /// PREF.
    #[xml(child)]
    pub pref: Option<Pref>,
    /// ALTID.
    #[xml(child)]
    pub altid: Option<AltId>,
    /// PID.
    #[xml(child)]
    pub pid: Option<Pid>,
    /// TYPE.
    #[xml(child)]
    pub type_: Option<TypeParam>,
    /// MEDIATYPE.
    #[xml(child)]
    pub mediatype: Option<MediaType>,
    /// CALSCALE.
    #[xml(child)]
    pub calscale: Option<CalScale>,
    /// SORT-AS.
    #[xml(child)]
    pub sort_as: Option<SortAs>,
    /// GEO (of ADR).
    #[xml(child)]
    pub geo: Option<Box<Geo>>,
    /// TZ (of ADR).
    #[xml(child)]
    pub tz: Option<Box<Tz>>,
    /// LABEL (of ADR).
    #[xml(child)]
    pub label: Option<LabelParam>,
    /// Parameters not known here, kept.
    #[xml(children)]
    pub unknown: Vec<Payload>,
}

impl Parameters {
    /// The TYPE values.
    pub fn types(&self) -> &[TypeValue] {
        self.type_.as_ref().map_or(&[], |t| &t.values)
    }

    /// Whether the TYPE values include `t`.
    pub fn has_type(&self, t: &TypeValue) -> bool {
        self.types().contains(t)
    }
}

// ---- properties (RFC 6350 §6) ----

/// Checks a property's values: how many, and of which kinds.
fn check_values(values: &[Value], kinds: &[ValueKind], many: bool) -> Result<(), Error> {
    if values.is_empty() {
        return Err(Error::missing_child(
            &kinds
                .iter()
                .map(|k| format!("{k:?}").to_lowercase())
                .collect::<Vec<_>>()
                .join("|"),
        ));
    }
    if !many && values.len() > 1 {
        return Err(Error::invalid("a property of one value holds several"));
    }
    for v in values {
        if !kinds.contains(&v.kind()) && v.kind() != ValueKind::Unknown {
            return Err(Error::invalid(format!(
                "a value of kind {:?} where {kinds:?} are allowed",
                v.kind()
            )));
        }
    }
    Ok(())
}

/// What every property has: its parameters and values.
pub trait Property4 {
    /// The parameters, if any.
    fn parameters(&self) -> Option<&Parameters>;
    /// The values (RFC 6351 §4).
    fn values(&self) -> &[Value];
    /// The first value as text, whatever its kind.
    fn first(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.values().first().map(Value::as_str)
    }
}

macro_rules! property {
    ($($(#[$doc:meta])* $ty:ident = $name:tt [$($kind:ident),*] $card:ident;)*) => {$(
        $(#[$doc])*
        #[derive(XmlElement, Debug, Clone, PartialEq)]
        #[xml(ns = NS_VCARD4, name = $name, validate = $ty::check)]
        pub struct $ty {
            /// The parameters.
            #[xml(child)]
            pub parameters: Option<Parameters>,
            /// The value(s).
            #[xml(child)]
            pub values: Vec<Value>,
        }

        impl $ty {
            /// The value kinds RFC 6351 allows here.
            pub const KINDS: &'static [ValueKind] = &[$(ValueKind::$kind),*];

            /// The property with `value` and no parameters.
            pub fn new(value: Value) -> $ty {
                $ty { parameters: None, values: vec![value] }
            }

            fn check(&self) -> Result<(), Error> {
                check_values(&self.values, Self::KINDS, property!(@many $card))
            }
        }

        impl Property4 for $ty {
            fn parameters(&self) -> Option<&Parameters> {
                self.parameters.as_ref()
            }
            fn values(&self) -> &[Value] {
                &self.values
            }
        }
    )*};
    (@many one) => { false };
    (@many many) => { true };
}

property! {
    /// SOURCE (§6.1.3): where the vCard can be fetched.
    Source = "source" [Uri] one;
    /// FN (§6.2.1): the formatted name.
    FormattedName = "fn" [Text] one;
    /// NICKNAME (§6.2.3).
    Nickname = "nickname" [Text] many;
    /// PHOTO (§6.2.4): a URI (a `data:` URI for inline data).
    Photo = "photo" [Uri] one;
    /// BDAY (§6.2.5).
    Bday = "bday" [Date, DateTime, Time, Text] one;
    /// ANNIVERSARY (§6.2.6).
    Anniversary = "anniversary" [Date, DateTime, Time, Text] one;
    /// TEL (§6.4.1): a `tel:` URI, or text.
    Tel = "tel" [Text, Uri] one;
    /// EMAIL (§6.4.2).
    Email = "email" [Text] one;
    /// IMPP (§6.4.3): an instant messaging URI (`xmpp:`).
    Impp = "impp" [Uri] one;
    /// LANG (§6.4.4): a language the entity speaks.
    Lang = "lang" [LanguageTag] one;
    /// TZ (§6.5.1), also the TZ parameter of ADR.
    Tz = "tz" [Text, Uri, UtcOffset] one;
    /// GEO (§6.5.2): a `geo:` URI, also the GEO parameter of ADR.
    Geo = "geo" [Uri] one;
    /// TITLE (§6.6.1).
    Title = "title" [Text] one;
    /// ROLE (§6.6.2).
    Role = "role" [Text] one;
    /// LOGO (§6.6.3).
    Logo = "logo" [Uri] one;
    /// ORG (§6.6.4): the name, then the units.
    Org = "org" [Text] many;
    /// MEMBER (§6.6.5): a member of a group vCard.
    Member = "member" [Uri] one;
    /// RELATED (§6.6.6).
    Related = "related" [Uri, Text] one;
    /// CATEGORIES (§6.7.1).
    Categories = "categories" [Text] many;
    /// NOTE (§6.7.2).
    Note = "note" [Text] one;
    /// PRODID (§6.7.3).
    Prodid = "prodid" [Text] one;
    /// REV (§6.7.4): when the vCard was last revised.
    Rev = "rev" [Timestamp] one;
    /// SOUND (§6.7.5).
    Sound = "sound" [Uri] one;
    /// UID (§6.7.6): a URI, or text.
    Uid = "uid" [Uri, Text] one;
    /// URL (§6.7.8).
    Url = "url" [Uri] one;
    /// KEY (§6.8.1): a URI, or text.
    Key = "key" [Uri, Text] one;
    /// FBURL (§6.9.1): free/busy URL.
    Fburl = "fburl" [Uri] one;
    /// CALADRURI (§6.9.2): where to send scheduling requests.
    Caladruri = "caladruri" [Uri] one;
    /// CALURI (§6.9.3): the calendar.
    Caluri = "caluri" [Uri] one;
}

/// A KIND value (RFC 6350 §6.1.4, RFC 6473's `application`).
#[derive(xep_element::XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum KindValue {
    /// `individual` (the default).
    Individual,
    /// `group`.
    Group,
    /// `org`.
    Org,
    /// `location`.
    Location,
    /// `application` (RFC 6473): servers, rooms (XEP-0292 §5).
    Application,
    /// An x-name or IANA token, kept as written.
    #[xml(other)]
    Other(String),
}

/// KIND (§6.1.4): what the vCard describes.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_VCARD4, name = "kind")]
pub struct Kind {
    /// The parameters.
    #[xml(child)]
    pub parameters: Option<Parameters>,
    /// The kind.
    #[xml(text_child(name = "text"))]
    pub values: Vec<KindValue>,
}

/// N (§6.2.2): the structured name. RFC 6351 wants every component at
/// least once; XEP-0292's examples leave some out, so each may be absent.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_VCARD4, name = "n")]
pub struct StructuredName {
    /// The parameters.
    #[xml(child)]
    pub parameters: Option<Parameters>,
    /// Family names.
    #[xml(text_child(name = "surname"))]
    pub surname: Vec<String>,
    /// Given names.
    #[xml(text_child(name = "given"))]
    pub given: Vec<String>,
    /// Additional names (vcard-temp's MIDDLE).
    #[xml(text_child(name = "additional"))]
    pub additional: Vec<String>,
    /// Honorific prefixes.
    #[xml(text_child(name = "prefix"))]
    pub prefix: Vec<String>,
    /// Honorific suffixes.
    #[xml(text_child(name = "suffix"))]
    pub suffix: Vec<String>,
}

/// A sex (RFC 6350 §6.2.7).
#[derive(xep_element::XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum SexValue {
    /// `M`: male.
    #[xml(value = "M")]
    Male,
    /// `F`: female.
    #[xml(value = "F")]
    Female,
    /// `O`: other.
    #[xml(value = "O")]
    Other,
    /// `N`: none or not applicable.
    #[xml(value = "N")]
    NotApplicable,
    /// `U`: unknown.
    #[xml(value = "U")]
    Unknown,
}

/// `<sex/>` of GENDER: a letter (RFC 6351), or the letter in a
/// `<text/>` (XEP-0292's example); empty for no sex given.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_VCARD4, name = "sex", validate = Sex::check)]
pub struct Sex {
    /// The letter, as RFC 6351 writes it (and the blank around
    /// `<text/>`).
    #[xml(text)]
    pub value: Option<Loose<SexValue>>,
    /// The letter in a `<text/>`.
    #[xml(text_child(name = "text"))]
    pub text: Option<SexValue>,
}

impl Sex {
    /// The sex, if given.
    pub fn get(&self) -> Option<&SexValue> {
        self.value
            .as_ref()
            .and_then(Loose::get)
            .or(self.text.as_ref())
    }

    fn check(&self) -> Result<(), Error> {
        if self.value.as_ref().is_some_and(|v| v.get().is_some()) && self.text.is_some() {
            return Err(Error::invalid("the sex given twice"));
        }
        Ok(())
    }
}

/// GENDER (§6.2.7).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_VCARD4, name = "gender")]
pub struct Gender {
    /// The parameters.
    #[xml(child)]
    pub parameters: Option<Parameters>,
    /// The sex.
    #[xml(child)]
    pub sex: Sex,
    /// The gender identity, free text.
    #[xml(text_child(name = "identity"))]
    pub identity: Option<String>,
}

/// ADR (§6.3.1): a structured address. RFC 6351 wants every component;
/// XEP-0292's examples leave some out, so each may be absent.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_VCARD4, name = "adr")]
pub struct Adr {
    /// The parameters (LABEL, GEO and TZ among them).
    #[xml(child)]
    pub parameters: Option<Parameters>,
    /// Post office box.
    #[xml(text_child(name = "pobox"))]
    pub pobox: Vec<String>,
    /// Extended address (suite, apartment).
    #[xml(text_child(name = "ext"))]
    pub ext: Vec<String>,
    /// Street.
    #[xml(text_child(name = "street"))]
    pub street: Vec<String>,
    /// Locality.
    #[xml(text_child(name = "locality"))]
    pub locality: Vec<String>,
    /// Region.
    #[xml(text_child(name = "region"))]
    pub region: Vec<String>,
    /// Postal code.
    #[xml(text_child(name = "code"))]
    pub code: Vec<String>,
    /// Country.
    #[xml(text_child(name = "country"))]
    pub country: Vec<String>,
}

/// CLIENTPIDMAP (§6.7.7): a PID source identifier and its URI.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VCARD4, name = "clientpidmap", validate = ClientPidMap::check)]
pub struct ClientPidMap {
    /// The source identifier (positive).
    #[xml(text_child(name = "sourceid"))]
    pub sourceid: u64,
    /// The URI.
    #[xml(text_child(name = "uri"))]
    pub uri: AnyUri,
}

impl ClientPidMap {
    fn check(&self) -> Result<(), Error> {
        if self.sourceid == 0 {
            return Err(Error::bad_text("0", "a source identifier is positive").within("sourceid"));
        }
        Ok(())
    }
}

/// One property of a vCard: those of RFC 6350 typed, a group, or any
/// other element (an extension property, an x-name, an element of another
/// namespace), kept as read (RFC 6351 §5 and §6).
#[derive(XmlElement, Debug, Clone, PartialEq)]
pub enum Property {
    /// SOURCE.
    Source(Source),
    /// KIND.
    Kind(Kind),
    /// FN.
    Fn(FormattedName),
    /// N.
    N(StructuredName),
    /// NICKNAME.
    Nickname(Nickname),
    /// PHOTO.
    Photo(Photo),
    /// BDAY.
    Bday(Bday),
    /// ANNIVERSARY.
    Anniversary(Anniversary),
    /// GENDER.
    Gender(Gender),
    /// ADR.
    Adr(Adr),
    /// TEL.
    Tel(Tel),
    /// EMAIL.
    Email(Email),
    /// IMPP.
    Impp(Impp),
    /// LANG.
    Lang(Lang),
    /// TZ.
    Tz(Tz),
    /// GEO.
    Geo(Geo),
    /// TITLE.
    Title(Title),
    /// ROLE.
    Role(Role),
    /// LOGO.
    Logo(Logo),
    /// ORG.
    Org(Org),
    /// MEMBER.
    Member(Member),
    /// RELATED.
    Related(Related),
    /// CATEGORIES.
    Categories(Categories),
    /// NOTE.
    Note(Note),
    /// PRODID.
    Prodid(Prodid),
    /// REV.
    Rev(Rev),
    /// SOUND.
    Sound(Sound),
    /// UID.
    Uid(Uid),
    /// CLIENTPIDMAP.
    ClientPidMap(ClientPidMap),
    /// URL.
    Url(Url),
    /// KEY.
    Key(Key),
    /// FBURL.
    Fburl(Fburl),
    /// CALADRURI.
    Caladruri(Caladruri),
    /// CALURI.
    Caluri(Caluri),
    /// A group of properties.
    Group(Group),
    /// Anything else, kept.
    #[xml(other)]
    Other(Payload),
}

/// `<group name='...'/>`: properties grouped under a name (RFC 6351 §5;
/// groups do not nest).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_VCARD4, name = "group", validate = Group::check)]
pub struct Group {
    /// The group's name.
    #[xml(attr)]
    pub name: String,
    /// Its properties.
    #[xml(child)]
    pub properties: Vec<Property>,
}

impl Group {
    fn check(&self) -> Result<(), Error> {
        if self
            .properties
            .iter()
            .any(|p| matches!(p, Property::Group(_)))
        {
            return Err(Error::invalid("groups do not nest (RFC 6351 §5)"));
        }
        Ok(())
    }
}

/// `<vcard xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>`: a vCard 4 (the
/// root of XEP-0292 §3, not RFC 6351's `<vcards/>`), its properties in
/// the order read.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_VCARD4, name = "vcard")]
pub struct VCard4 {
    /// The properties and groups.
    #[xml(child)]
    pub properties: Vec<Property>,
}

/// `<vcards xmlns='urn:ietf:params:xml:ns:vcard-4.0'/>`: RFC 6351's
/// container of one or more vCards (§3: the root of an XML vCard document
/// holding several). XEP-0292 exchanges a `<vcard/>` alone; this is for
/// files and stores that keep several.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_VCARD4, name = "vcards")]
pub struct VCards {
    /// The vCards, in order (at least one).
    #[xml(child(min = 1))]
    pub vcards: Vec<VCard4>,
}

macro_rules! accessor {
    ($($(#[$doc:meta])* $fn:ident => $variant:ident: $ty:ty;)*) => {$(
        $(#[$doc])*
        pub fn $fn(&self) -> impl Iterator<Item = &$ty> {
            self.all().filter_map(|p| match p {
                Property::$variant(v) => Some(v),
                _ => None,
            })
        }
    )*};
}

impl VCard4 {
    /// Every property, those of groups included, in order.
    pub fn all(&self) -> impl Iterator<Item = &Property> {
        self.properties.iter().flat_map(|p| match p {
            Property::Group(g) => {
                Box::new(g.properties.iter()) as Box<dyn Iterator<Item = &Property>>
            }
            p => Box::new(std::iter::once(p)),
        })
    }

    /// The formatted name (the first FN's text).
    pub fn formatted_name(&self) -> Option<std::borrow::Cow<'_, str>> {
        self.fns().next().and_then(Property4::first)
    }

    /// Appends `property`.
    pub fn push(&mut self, property: Property) {
        self.properties.push(property);
    }

    /// RFC 6350's XML properties (§6.1.5): in the XML representation each
    /// is its element itself, in a namespace other than vCard 4's, among
    /// the properties (kept in [`others`](Self::others) with the unknown
    /// properties of the vCard 4 namespace, x-names and later RFCs').
    pub fn xml_properties(&self) -> impl Iterator<Item = &Payload> {
        self.others().filter(|p| p.to_element().ns() != NS_VCARD4)
    }

    accessor! {
        /// The FN properties.
        fns => Fn: FormattedName;
        /// The N properties.
        names => N: StructuredName;
        /// The NICKNAME properties.
        nicknames => Nickname: Nickname;
        /// The PHOTO properties.
        photos => Photo: Photo;
        /// The ADR properties.
        adrs => Adr: Adr;
        /// The TEL properties.
        tels => Tel: Tel;
        /// The EMAIL properties.
        emails => Email: Email;
        /// The IMPP properties.
        impps => Impp: Impp;
        /// The KIND properties.
        kinds => Kind: Kind;
        /// The NOTE properties.
        notes => Note: Note;
        /// The URL properties.
        urls => Url: Url;
        /// Elements not typed here.
        others => Other: Payload;
    }
}
