//! XEP-0118 User Tune.

use std::borrow::Cow;

use xep_element::{XmlElement, XmlValue};

use crate::AnyUri;

/// `http://jabber.org/protocol/tune`: the namespace and the PEP node.
pub const NS_TUNE: &str = "http://jabber.org/protocol/tune";

/// A rating from 1 (lowest) to 10 (highest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    /// The rating `n`, if within 1..=10.
    pub fn new(n: u8) -> Option<Rating> {
        (1..=10).contains(&n).then_some(Rating(n))
    }

    /// The value, 1..=10.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl XmlValue for Rating {
    const XSD_TYPE: &'static str = "xs:positiveInteger";
    const EXAMPLE: Option<&'static str> = Some("8");
    fn from_xml(s: &str) -> Result<Self, String> {
        let n = u8::from_xml(s).map_err(|_| "not a rating from 1 to 10".to_string())?;
        Rating::new(n).ok_or_else(|| "not a rating from 1 to 10".into())
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.0.to_string())
    }
}

/// `<tune/>`: what the user is listening to; empty, the user stopped
/// listening or publishing (§2.2).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TUNE, name = "tune")]
pub struct Tune {
    /// The artist or performer.
    #[xml(text_child)]
    pub artist: Option<String>,
    /// The composer.
    #[xml(text_child)]
    pub composer: Option<String>,
    /// The recording or publication date (free text).
    #[xml(text_child)]
    pub date: Option<String>,
    /// The genre.
    #[xml(text_child)]
    pub genre: Option<String>,
    /// The language (an ISO 639 three-letter code, preferably).
    #[xml(text_child)]
    pub language: Option<String>,
    /// The duration in seconds.
    #[xml(text_child)]
    pub length: Option<u16>,
    /// The lyricist.
    #[xml(text_child)]
    pub lyricist: Option<String>,
    /// The performer.
    #[xml(text_child)]
    pub performer: Option<String>,
    /// The user's rating.
    #[xml(text_child)]
    pub rating: Option<Rating>,
    /// The collection (album) or other source.
    #[xml(text_child)]
    pub source: Option<String>,
    /// The title.
    #[xml(text_child)]
    pub title: Option<String>,
    /// A unique identifier of the tune (a track number, a URI).
    #[xml(text_child)]
    pub track: Option<String>,
    /// A URI of information about the tune.
    #[xml(text_child)]
    pub uri: Option<AnyUri>,
}

impl Tune {
    /// The empty `<tune/>`: not listening (the "stop" of §2.2).
    pub fn stop() -> Tune {
        Tune::default()
    }

    /// Whether this is the stop (no information at all).
    pub fn is_stop(&self) -> bool {
        *self == Tune::default()
    }
}
