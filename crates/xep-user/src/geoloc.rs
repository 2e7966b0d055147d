//! XEP-0080 User Location.

use xep_element::{DateTime82, XmlElement};

use crate::{AnyUri, Decimal, Tzd};

/// `http://jabber.org/protocol/geoloc`: the namespace and the PEP node.
pub const NS_GEOLOC: &str = "http://jabber.org/protocol/geoloc";

/// The datum a receiver assumes when none is given (§3).
pub const DEFAULT_DATUM: &str = "WGS84";

/// `<geoloc/>`: where the user is, in GPS coordinates and civil terms;
/// empty, the user stopped publishing (§4). Units are fixed (§5):
/// degrees for latitude, longitude and bearing, meters for altitude and
/// accuracies, meters per second for speed.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_GEOLOC, name = "geoloc")]
pub struct Geoloc {
    /// `xml:lang` of the human-readable strings (which §8 says it should
    /// have).
    #[xml(lang)]
    pub lang: Option<String>,
    /// Horizontal GPS error in meters (obsoletes `error`).
    #[xml(text_child)]
    pub accuracy: Option<Decimal>,
    /// Altitude in meters above or below sea level.
    #[xml(text_child)]
    pub alt: Option<Decimal>,
    /// Vertical GPS error in meters.
    #[xml(text_child)]
    pub altaccuracy: Option<Decimal>,
    /// A named area such as a campus or neighborhood.
    #[xml(text_child)]
    pub area: Option<String>,
    /// Heading in decimal degrees relative to true north.
    #[xml(text_child)]
    pub bearing: Option<Decimal>,
    /// A building.
    #[xml(text_child)]
    pub building: Option<String>,
    /// The nation.
    #[xml(text_child)]
    pub country: Option<String>,
    /// The ISO 3166 two-letter country code.
    #[xml(text_child)]
    pub countrycode: Option<String>,
    /// The GPS datum (WGS84 when absent: [`Geoloc::datum_or_default`]).
    #[xml(text_child)]
    pub datum: Option<String>,
    /// A natural-language name or description of the location.
    #[xml(text_child)]
    pub description: Option<String>,
    /// Horizontal GPS error in arc minutes (deprecated for `accuracy`).
    #[xml(text_child)]
    pub error: Option<Decimal>,
    /// A floor in a building.
    #[xml(text_child)]
    pub floor: Option<String>,
    /// Latitude in decimal degrees North.
    #[xml(text_child)]
    pub lat: Option<Decimal>,
    /// A locality: a town or city.
    #[xml(text_child)]
    pub locality: Option<String>,
    /// Longitude in decimal degrees East.
    #[xml(text_child)]
    pub lon: Option<Decimal>,
    /// A postal code.
    #[xml(text_child)]
    pub postalcode: Option<String>,
    /// An administrative region: a state or province.
    #[xml(text_child)]
    pub region: Option<String>,
    /// The ISO 3166-2 region code.
    #[xml(text_child)]
    pub regioncode: Option<String>,
    /// A room in a building.
    #[xml(text_child)]
    pub room: Option<String>,
    /// Speed in meters per second.
    #[xml(text_child)]
    pub speed: Option<Decimal>,
    /// A thoroughfare, or a crossing of two.
    #[xml(text_child)]
    pub street: Option<String>,
    /// Any other information about the location.
    #[xml(text_child)]
    pub text: Option<String>,
    /// When the reading was taken (a XEP-0082 DateTime, UTC).
    #[xml(text_child)]
    pub timestamp: Option<DateTime82>,
    /// The time zone offset from UTC at the location.
    #[xml(text_child)]
    pub tzo: Option<Tzd>,
    /// A URI of information about the location.
    #[xml(text_child)]
    pub uri: Option<AnyUri>,
}

impl Geoloc {
    /// The empty `<geoloc/>`: the "stop" of §4.
    pub fn stop() -> Geoloc {
        Geoloc::default()
    }

    /// Whether this is the stop (no information at all).
    pub fn is_stop(&self) -> bool {
        Geoloc {
            lang: None,
            ..self.clone()
        } == Geoloc::default()
    }

    /// The datum: the one given, else WGS84 (§3).
    pub fn datum_or_default(&self) -> &str {
        self.datum.as_deref().unwrap_or(DEFAULT_DATUM)
    }

    /// Latitude and longitude in decimal degrees, when both are given and
    /// within range (−90..=90, −180..=180).
    pub fn coordinates(&self) -> Option<(f64, f64)> {
        let lat = self.lat.as_ref()?.value();
        let lon = self.lon.as_ref()?.value();
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
    }

    /// The horizontal error in meters: `accuracy`, else the deprecated
    /// `error` in arc minutes converted at one nautical mile (1852 m) per
    /// arc minute of latitude.
    pub fn horizontal_error_meters(&self) -> Option<f64> {
        if let Some(a) = &self.accuracy {
            return Some(a.value());
        }
        self.error.as_ref().map(|e| e.value() * 1852.0)
    }
}
