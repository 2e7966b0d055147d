//! XEP-0203 Delayed Delivery, and the legacy XEP-0091 form it replaced.
//!
//! ```
//! use xep_delay::Delay;
//! use xep_element::XmlElement;
//!
//! let d = Delay::from_xml(
//!     b"<delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25.123Z'>Offline Storage</delay>",
//! ).unwrap();
//! assert_eq!(d.stamp.frac_digits, 3);
//! assert_eq!(d.reason.as_deref(), Some("Offline Storage"));
//! // The stamp is written back as it was read.
//! assert!(d.to_xml().contains("stamp='2002-09-10T23:08:25.123Z'"));
//! ```

#![warn(missing_docs)]

use std::borrow::Cow;

use chrono::{DateTime, NaiveDateTime, Utc};
use xep_element::jid::Jid;
use xep_element::{DateTime82, XmlElement, XmlValue};

/// `urn:xmpp:delay`.
pub const NS: &str = "urn:xmpp:delay";
/// `jabber:x:delay` (XEP-0091, obsolete).
pub const NS_LEGACY: &str = "jabber:x:delay";

/// `<delay/>`: when (and by whom) a stanza was originally sent or stored.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "delay")]
pub struct Delay {
    /// The entity that delayed the stanza.
    #[xml(attr)]
    pub from: Option<Jid>,
    /// When the stanza was originally sent (XEP-0082 DateTime, UTC).
    #[xml(attr)]
    pub stamp: DateTime82,
    /// A natural-language reason for the delay.
    #[xml(text)]
    pub reason: Option<String>,
}

impl Delay {
    /// A delay stamped `stamp` by `from`.
    pub fn new(stamp: DateTime<Utc>, from: Option<Jid>) -> Delay {
        Delay {
            from,
            stamp: DateTime82::utc(stamp),
            reason: None,
        }
    }
}

/// A XEP-0091 timestamp: `CCYYMMDDThh:mm:ss`, always UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LegacyStamp(pub DateTime<Utc>);

impl XmlValue for LegacyStamp {
    const XSD_TYPE: &'static str = "xs:string";
    fn from_xml(s: &str) -> Result<Self, String> {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H:%M:%S")
            .map(|n| LegacyStamp(n.and_utc()))
            .map_err(|e| format!("not a XEP-0091 stamp CCYYMMDDThh:mm:ss ({e})"))
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.0.format("%Y%m%dT%H:%M:%S").to_string())
    }
}

/// `<x xmlns='jabber:x:delay'/>` of XEP-0091 (obsolete; still seen beside
/// [`Delay`] for old clients).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_LEGACY, name = "x")]
pub struct LegacyDelay {
    /// The entity that delayed the stanza.
    #[xml(attr)]
    pub from: Option<Jid>,
    /// When the stanza was originally sent, UTC.
    #[xml(attr)]
    pub stamp: LegacyStamp,
    /// A natural-language reason.
    #[xml(text)]
    pub reason: Option<String>,
}

impl From<&LegacyDelay> for Delay {
    fn from(l: &LegacyDelay) -> Delay {
        Delay {
            from: l.from.clone(),
            stamp: DateTime82::utc(l.stamp.0),
            reason: l.reason.clone(),
        }
    }
}

xep_element::elements! {
    "XEP-0203" => [Delay],
    "XEP-0091" => [LegacyDelay],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_round_trips_with_its_stamp_notation() {
        for stamp in [
            "2002-09-10T23:08:25Z",
            "2002-09-10T23:08:25.000123Z",
            "2002-09-10T23:08:25+02:00",
        ] {
            let xml = format!("<delay xmlns='urn:xmpp:delay' stamp='{stamp}'/>");
            let d = Delay::from_xml(xml.as_bytes()).unwrap();
            assert_eq!(d.to_xml(), xml);
        }
    }

    #[test]
    fn bad_or_missing_stamps_are_rejected_with_the_path() {
        let e = Delay::from_xml(b"<delay xmlns='urn:xmpp:delay'/>").unwrap_err();
        assert!(e.to_string().contains("'stamp'"), "{e}");
        let e = Delay::from_xml(b"<delay xmlns='urn:xmpp:delay' stamp='2002-09-10 23:08:25'/>")
            .unwrap_err();
        assert_eq!(e.path(), "delay");
        let e = Delay::from_xml(
            b"<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z' from='@'/>",
        )
        .unwrap_err();
        assert!(e.to_string().contains("'from'"), "{e}");
    }

    #[test]
    fn legacy_stamps_convert_to_xep_0203() {
        let l = LegacyDelay::from_xml(
            b"<x xmlns='jabber:x:delay' from='capulet.com' stamp='20020910T23:08:25'>Offline</x>",
        )
        .unwrap();
        assert_eq!(LegacyDelay::from_xml(l.to_xml().as_bytes()).unwrap(), l);
        let d = Delay::from(&l);
        assert_eq!(
            d.to_xml(),
            "<delay xmlns='urn:xmpp:delay' from='capulet.com' stamp='2002-09-10T23:08:25Z'>Offline</delay>"
        );
        let e = LegacyDelay::from_xml(b"<x xmlns='jabber:x:delay' stamp='2002-09-10T23:08:25Z'/>")
            .unwrap_err();
        assert!(e.to_string().contains("CCYYMMDD"), "{e}");
    }

    #[test]
    fn new_delays_are_utc_with_z() {
        let t = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            Delay::new(t, None).to_xml(),
            "<delay xmlns='urn:xmpp:delay' stamp='2026-11-22T10:00:00Z'/>"
        );
    }
}
