//! XEP-0202 entity time and XEP-0319 last user interaction in presence.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use xep_core::{Iq, Presence};
use xep_element::jid::Jid;
use xep_element::{DateTime82, Error, Payload, XmlElement, XmlValue};

use crate::{ReplyError, result_payload};

/// `urn:xmpp:time` (XEP-0202).
pub const NS_TIME: &str = "urn:xmpp:time";

/// A numeric time zone offset, XEP-0082's TZD: `Z` or `+hh:mm`/`-hh:mm`.
/// The notation is kept (`Z` or `+00:00`) so that a round trip writes
/// back what was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tzo {
    /// The offset from UTC.
    pub offset: FixedOffset,
    /// Whether UTC was written as `Z`.
    pub zulu: bool,
}

impl Tzo {
    /// The offset, written `Z` when zero.
    pub fn new(offset: FixedOffset) -> Tzo {
        Tzo {
            offset,
            zulu: offset.local_minus_utc() == 0,
        }
    }
}

/// Parses a TZD (`Z`, `+hh:mm` or `-hh:mm`, XEP-0082 §3) into an offset.
/// Hours run to 14 (the furthest zone in use), minutes to 59.
pub fn parse_offset(s: &str) -> Result<FixedOffset, String> {
    Tzo::from_xml(s).map(|t| t.offset)
}

impl XmlValue for Tzo {
    const XSD_TYPE: &'static str = "xs:string";
    fn from_xml(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}' is not a time zone offset (Z, +hh:mm or -hh:mm)");
        if s == "Z" {
            return Ok(Tzo {
                offset: FixedOffset::east_opt(0).expect("zero offset"),
                zulu: true,
            });
        }
        let b = s.as_bytes();
        let sign = match b.first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(bad()),
        };
        if b.len() != 6 || b[3] != b':' || ![1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit()) {
            return Err(bad());
        }
        let hh = i32::from(b[1] - b'0') * 10 + i32::from(b[2] - b'0');
        let mm = i32::from(b[4] - b'0') * 10 + i32::from(b[5] - b'0');
        if hh > 14 || mm > 59 {
            return Err(format!("time zone offset '{s}' out of range"));
        }
        let offset = FixedOffset::east_opt(sign * (hh * 3600 + mm * 60)).ok_or_else(bad)?;
        Ok(Tzo {
            offset,
            zulu: false,
        })
    }
    fn to_xml(&self) -> Cow<'_, str> {
        let secs = self.offset.local_minus_utc();
        if secs == 0 && self.zulu {
            return Cow::Borrowed("Z");
        }
        let sign = if secs < 0 { '-' } else { '+' };
        let a = secs.abs();
        Cow::Owned(format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60))
    }
}

/// `<time xmlns='urn:xmpp:time'/>`: empty in the request; in the result
/// the entity's offset (`<tzo/>`) and its UTC time (`<utc/>`), both
/// required there, the time expressed in UTC.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TIME, name = "time", validate = TimeQuery::check)]
pub struct TimeQuery {
    /// The entity's offset from UTC.
    #[xml(text_child(name = "tzo"))]
    pub tzo: Option<Tzo>,
    /// The UTC time according to the entity.
    #[xml(text_child(name = "utc"))]
    pub utc: Option<DateTime82>,
}

impl TimeQuery {
    fn check(q: &TimeQuery) -> Result<(), Error> {
        match (&q.tzo, &q.utc) {
            (Some(_), None) => Err(Error::missing_child("utc")),
            (None, Some(_)) => Err(Error::missing_child("tzo")),
            (_, Some(utc)) if utc.value.offset().local_minus_utc() != 0 => Err(Error::bad_text(
                &utc.to_xml(),
                "the time must be expressed in UTC (XEP-0202 §3)",
            )
            .within("utc")),
            _ => Ok(()),
        }
    }

    /// The answer's content: `now` (UTC) and the entity's `offset`.
    pub fn at(now: DateTime<Utc>, offset: FixedOffset) -> TimeQuery {
        TimeQuery {
            tzo: Some(Tzo::new(offset)),
            utc: Some(DateTime82::utc(now)),
        }
    }

    /// The time a result carries (`None` for an empty query).
    pub fn entity_time(&self) -> Option<EntityTime> {
        Some(EntityTime {
            utc: self.utc.as_ref()?.value.with_timezone(&Utc),
            offset: self.tzo?.offset,
        })
    }
}

/// An entity's time: its UTC time and its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityTime {
    /// The UTC time according to the entity.
    pub utc: DateTime<Utc>,
    /// Its offset from UTC.
    pub offset: FixedOffset,
}

impl EntityTime {
    /// The entity's local time (its UTC time at its offset).
    pub fn local(&self) -> DateTime<FixedOffset> {
        local_time(self.utc, self.offset)
    }

    /// How far the entity's clock is ahead of `now` (negative: behind),
    /// for the clock discrepancy §7 warns about. The round trip's
    /// duration is the caller's to subtract.
    pub fn skew(&self, now: DateTime<Utc>) -> TimeDelta {
        self.utc - now
    }
}

/// The local time at `offset` of the UTC time `utc`.
pub fn local_time(utc: DateTime<Utc>, offset: FixedOffset) -> DateTime<FixedOffset> {
    utc.with_timezone(&offset)
}

/// The request for the time of `to`.
pub fn time_request(id: impl Into<String>, to: Jid) -> Iq {
    Iq::get(id, Some(to), Payload::new(TimeQuery::default()))
}

/// The answer to a time `request`: `now` in UTC and the local `offset`.
pub fn time_answer(request: &Iq, now: DateTime<Utc>, offset: FixedOffset) -> Iq {
    request.result(Some(Payload::new(TimeQuery::at(now, offset))))
}

/// The time in `reply` to `request`, believed only from the entity asked
/// and only with both children a result requires.
pub fn time_reply(request: &Iq, reply: &Iq) -> Result<EntityTime, ReplyError> {
    let q: TimeQuery = result_payload(request, reply, "time")?;
    q.entity_time()
        .ok_or_else(|| ReplyError::Malformed(Error::missing_child("utc").within("time")))
}

/// `urn:xmpp:idle:1` (XEP-0319).
pub const NS_IDLE: &str = "urn:xmpp:idle:1";

/// `<idle since='...'/>` in a presence: the time of the user's last
/// interaction with the device.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_IDLE, name = "idle")]
pub struct Idle {
    /// The last interaction (a XEP-0082 DateTime).
    #[xml(attr)]
    pub since: DateTime82,
}

impl Idle {
    /// Idle since `since`.
    pub fn new(since: DateTime<Utc>) -> Idle {
        Idle {
            since: DateTime82::utc(since),
        }
    }

    /// The time of the last interaction, in UTC.
    pub fn since(&self) -> DateTime<Utc> {
        self.since.value.with_timezone(&Utc)
    }

    /// How long the user has been idle at `now` (zero for a time in the
    /// future, which a wrong clock gives).
    pub fn idle_for(&self, now: DateTime<Utc>) -> TimeDelta {
        (now - self.since()).max(TimeDelta::zero())
    }
}

/// The last interaction a presence announces (`None`: not idle, §2.2).
pub fn idle_since(presence: &Presence) -> Option<Result<DateTime<Utc>, Error>> {
    presence.payload::<Idle>().map(|r| r.map(|i| i.since()))
}

/// Marks `presence` idle since `since` (replacing an earlier mark), or
/// clears the mark when the user is back (`None`, §2.2).
pub fn set_idle(presence: &mut Presence, since: Option<DateTime<Utc>>) {
    presence.payloads.retain(|p| p.get::<Idle>().is_none());
    if let Some(t) = since {
        presence.payloads.push(Payload::new(Idle::new(t)));
    }
}
