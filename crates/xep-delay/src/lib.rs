//! XEP-0203 Delayed Delivery, and the legacy XEP-0091 form it replaced.
//!
//! [`Delay`] is `<delay xmlns='urn:xmpp:delay'/>`: its stamp is a XEP-0082
//! DateTime in UTC, kept with the notation it was written in (fraction
//! digits, `Z` or `+00:00`) so a parsed element is written back unchanged.
//! [`LegacyDelay`] is the obsolete `<x xmlns='jabber:x:delay'/>` of
//! XEP-0091, whose stamp is `CCYYMMDDThh:mm:ss` in UTC.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use xep_delay::{Delay, LegacyDelay};
//! use xep_element::XmlElement;
//!
//! let d = Delay::from_xml(
//!     b"<delay xmlns='urn:xmpp:delay' from='capulet.example' stamp='2002-09-10T23:08:25.123Z'>Offline Storage</delay>",
//! ).unwrap();
//! assert_eq!(d.utc(), Utc.with_ymd_and_hms(2002, 9, 10, 23, 8, 25).unwrap() + chrono::Duration::milliseconds(123));
//! assert_eq!(d.reason_text(), Some("Offline Storage"));
//! // The stamp is written back as it was read.
//! assert!(d.to_xml().contains("stamp='2002-09-10T23:08:25.123Z'"));
//!
//! // Stamping a stanza stored for later delivery, with the legacy form
//! // beside it for old clients.
//! let now = Utc.with_ymd_and_hms(2026, 11, 22, 8, 15, 30).unwrap();
//! let d = Delay::new(now, Some("example.org".parse().unwrap())).with_reason("Offline storage");
//! assert_eq!(
//!     d.to_xml(),
//!     "<delay xmlns='urn:xmpp:delay' from='example.org' stamp='2026-11-22T08:15:30Z'>Offline storage</delay>"
//! );
//! assert_eq!(
//!     LegacyDelay::from(&d).to_xml(),
//!     "<x xmlns='jabber:x:delay' from='example.org' stamp='20261122T08:15:30'>Offline storage</x>"
//! );
//! ```

#![warn(missing_docs)]

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveTime, SubsecRound, Utc};
use xep_element::jid::Jid;
use xep_element::{DateTime82, Error, XmlElement, XmlValue};

/// `urn:xmpp:delay`.
pub const NS: &str = "urn:xmpp:delay";
/// `jabber:x:delay` (XEP-0091, obsolete).
pub const NS_LEGACY: &str = "jabber:x:delay";

/// `<delay/>`: when (and by whom) a stanza was originally sent or stored.
///
/// XEP-0203 §2 requires the stamp to be expressed in UTC: a stamp with
/// another offset is rejected (`Z` and `+00:00` are both UTC and both
/// kept as written).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "delay", validate = Delay::check)]
pub struct Delay {
    /// The entity that originally sent the stanza or delayed it (e.g. a
    /// chat room); RECOMMENDED.
    #[xml(attr)]
    pub from: Option<Jid>,
    /// When the stanza was originally sent (XEP-0082 DateTime, UTC).
    #[xml(attr)]
    pub stamp: DateTime82,
    /// A natural-language reason for the delay, as written (whitespace
    /// included; see [`Delay::reason_text`]).
    #[xml(text)]
    pub reason: Option<String>,
}

impl Delay {
    /// A delay stamped `stamp` (written with `Z`, and milliseconds when
    /// there is a fraction) by `from`.
    pub fn new(stamp: DateTime<Utc>, from: Option<Jid>) -> Delay {
        Delay {
            from,
            stamp: DateTime82::utc(stamp),
            reason: None,
        }
    }

    /// The same delay with a natural-language reason.
    #[must_use]
    pub fn with_reason(mut self, reason: impl Into<String>) -> Delay {
        self.reason = Some(reason.into());
        self
    }

    /// The stamp as a UTC instant.
    pub fn utc(&self) -> DateTime<Utc> {
        self.stamp.value.with_timezone(&Utc)
    }

    /// The reason with surrounding whitespace removed, `None` when absent
    /// or blank.
    pub fn reason_text(&self) -> Option<&str> {
        self.reason
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    fn check(&self) -> Result<(), Error> {
        let offset = self.stamp.value.offset().local_minus_utc();
        if offset == 0 {
            return Ok(());
        }
        Err(Error::bad_attribute(
            "stamp",
            &self.stamp.to_xml(),
            "XEP-0203 requires the stamp to be expressed in UTC (Z)",
        ))
    }
}

/// A XEP-0091 timestamp: `CCYYMMDDThh:mm:ss`, always UTC, whole seconds.
///
/// XEP-0091 says the format SHOULD be this one and gives no other; any
/// other string is rejected, since its meaning is not defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LegacyStamp(pub DateTime<Utc>);

impl LegacyStamp {
    /// The stamp of `t`, its fraction of a second dropped.
    pub fn new(t: DateTime<Utc>) -> LegacyStamp {
        LegacyStamp(t.trunc_subsecs(0))
    }
}

impl XmlValue for LegacyStamp {
    const XSD_TYPE: &'static str = "xs:string";
    const EXAMPLE: Option<&'static str> = Some("20020910T23:08:25");
    fn from_xml(s: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("not a XEP-0091 stamp CCYYMMDDThh:mm:ss ({why})");
        let b = s.as_bytes();
        let shape_ok = b.len() == 17
            && b[8] == b'T'
            && b[11] == b':'
            && b[14] == b':'
            && b.iter()
                .enumerate()
                .all(|(i, c)| matches!(i, 8 | 11 | 14) || c.is_ascii_digit());
        if !shape_ok {
            return Err(bad("expected 8 digits, 'T', then hh:mm:ss"));
        }
        let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(u32::MAX);
        let date = NaiveDate::from_ymd_opt(n(0..4) as i32, n(4..6), n(6..8))
            .ok_or_else(|| bad("no such date"))?;
        let time = NaiveTime::from_hms_opt(n(9..11), n(12..14), n(15..17))
            .ok_or_else(|| bad("no such time"))?;
        Ok(LegacyStamp(date.and_time(time).and_utc()))
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.0.format("%Y%m%dT%H:%M:%S").to_string())
    }
}

/// `<x xmlns='jabber:x:delay'/>` of XEP-0091 (obsolete; still sent beside
/// [`Delay`] for old clients, and still received from old servers).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_LEGACY, name = "x")]
pub struct LegacyDelay {
    /// The entity that originally sent the stanza or delayed it.
    #[xml(attr)]
    pub from: Option<Jid>,
    /// When the stanza was originally sent, UTC.
    #[xml(attr)]
    pub stamp: LegacyStamp,
    /// A natural-language reason, as written.
    #[xml(text)]
    pub reason: Option<String>,
}

impl From<&LegacyDelay> for Delay {
    /// The XEP-0203 form of a legacy delay (stamp written with `Z`).
    fn from(l: &LegacyDelay) -> Delay {
        Delay {
            from: l.from.clone(),
            stamp: DateTime82::utc(l.stamp.0),
            reason: l.reason.clone(),
        }
    }
}

impl From<&Delay> for LegacyDelay {
    /// The XEP-0091 form of a delay; the legacy stamp has no fraction of a
    /// second, so it is dropped.
    fn from(d: &Delay) -> LegacyDelay {
        LegacyDelay {
            from: d.from.clone(),
            stamp: LegacyStamp::new(d.utc()),
            reason: d.reason.clone(),
        }
    }
}

xep_element::elements! {
    "XEP-0203" => [Delay],
    "XEP-0091" => [LegacyDelay],
}

#[cfg(test)]
mod tests;
