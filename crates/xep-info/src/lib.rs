//! What an entity says about itself: its software, its activity, its
//! clock, its contacts and its connection endpoints.
//!
//! - XEP-0092 software version ([`VersionQuery`]): [`version_request`],
//!   [`version_answer`] (the operating system only when the user lets it
//!   be shared, §4), [`version_reply`].
//! - XEP-0232 software information ([`SoftwareInfo`]): the
//!   `urn:xmpp:dataforms:softwareinfo` form of a disco#info result as a
//!   typed view over `xep-forms`, the icon as a URL or XEP-0221 media;
//!   [`software_name`] lets its `software` field override the identity's
//!   name (§2).
//! - XEP-0012 last activity ([`LastQuery`]): [`last_reply`] reads a result
//!   by the kind of JID that answered ([`LastActivity`]: an account's last
//!   logout or `Online`, a resource's idle time, a server's uptime);
//!   [`last_forbidden`] for a requester who may not see the presence.
//! - XEP-0202 entity time ([`TimeQuery`]): [`Tzo`] and [`parse_offset`]
//!   read the offset, [`local_time`] computes the local time from UTC and
//!   the offset, [`time_reply`] refuses a time not expressed in UTC.
//! - XEP-0319 last user interaction in presence ([`Idle`]):
//!   [`idle_since`], [`set_idle`].
//! - XEP-0157 contact addresses ([`ServerInfo`]): the
//!   `http://jabber.org/network/serverinfo` form as a typed view (status
//!   addresses must be URIs), each address read by scheme ([`Address`]).
//! - XEP-0156 host-meta ([`Xrd`]): the XRD document with its `<Link/>`s,
//!   [`Xrd::endpoints`] picks the BOSH and WebSocket endpoints by relation
//!   and only over TLS (§3.2), [`Xrd::from_jrd`]/[`Xrd::to_jrd`] for the
//!   JSON form.
//!
//! Answers are believed only from the entity asked ([`ReplyError`]).
//!
//! ```
//! use chrono::{FixedOffset, TimeZone, Utc};
//! use xep_core::{Iq, Stanza};
//! use xep_element::XmlElement;
//! use xep_info::{time_reply, time_request};
//!
//! let request = time_request("time_1", "juliet@capulet.com/balcony".parse().unwrap());
//! let Stanza::Iq(reply) = Stanza::from_xml(
//!     b"<iq xmlns='jabber:client' type='result' id='time_1' from='juliet@capulet.com/balcony'>\
//!       <time xmlns='urn:xmpp:time'><tzo>-06:00</tzo><utc>2006-12-19T17:58:35Z</utc></time></iq>",
//! ).unwrap() else { unreachable!() };
//! let time = time_reply(&request, &reply).unwrap();
//! let local = FixedOffset::west_opt(6 * 3600).unwrap().with_ymd_and_hms(2006, 12, 19, 11, 58, 35).unwrap();
//! assert_eq!(time.local(), local);
//! assert_eq!(time.utc, Utc.with_ymd_and_hms(2006, 12, 19, 17, 58, 35).unwrap());
//! ```

#![warn(missing_docs)]

mod contact;
mod hostmeta;
mod last;
mod time;
mod version;

use std::fmt;

pub use contact::{Address, Role, SERVER_INFO, ServerInfo, Uri};
pub use hostmeta::{
    Endpoints, Link, Method, NS_ALT_CONNECTIONS, NS_XRD, NS_XSI, Property, REL_BOSH, REL_WEBSOCKET,
    Title, Unusable, Xrd, host_meta_json_url, host_meta_url,
};
pub use last::{
    LastActivity, LastQuery, NS_LAST, last_answer, last_forbidden, last_reply, last_request,
    last_unavailable,
};
pub use time::{
    EntityTime, Idle, NS_IDLE, NS_TIME, TimeQuery, Tzo, idle_since, local_time, parse_offset,
    set_idle, time_answer, time_reply, time_request,
};
pub use version::{
    Icon, NS_VERSION, SOFTWARE_INFO, SoftwareInfo, SoftwareVersion, VersionQuery, software_name,
    version_answer, version_reply, version_request,
};

use xep_core::{Iq, IqType, StanzaError};
use xep_element::XmlElement;

/// Why an answer to one of the requests of this crate is not taken.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyError {
    /// Not the answer to the request: another id, another sender than the
    /// entity asked, or not a result or error.
    NotAReply,
    /// The entity answered with an error (e.g. `service-unavailable`
    /// when it does not support the protocol, `forbidden` when the
    /// requester may not see the user's presence).
    Refused(Box<StanzaError>),
    /// A result without the payload, or one that does not parse, with
    /// the reason.
    Malformed(xep_element::Error),
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::NotAReply => f.write_str("not the answer to the request"),
            ReplyError::Refused(e) => write!(f, "refused: {:?}", e.condition),
            ReplyError::Malformed(e) => write!(f, "malformed answer: {e}"),
        }
    }
}

impl std::error::Error for ReplyError {}

/// The payload `T` of the result `reply` to `request`, believed only from
/// the entity asked (the request's `to`) and for the request's id.
fn result_payload<T: XmlElement + Clone + 'static>(
    request: &Iq,
    reply: &Iq,
    name: &str,
) -> Result<T, ReplyError> {
    if reply.id != request.id || reply.from != request.to {
        return Err(ReplyError::NotAReply);
    }
    match reply.type_ {
        IqType::Result => match reply.payload::<T>() {
            Some(r) => r.map_err(ReplyError::Malformed),
            None => Err(ReplyError::Malformed(xep_element::Error::missing_child(
                name,
            ))),
        },
        IqType::Error => Err(ReplyError::Refused(Box::new(
            reply.error.clone().unwrap_or_else(|| {
                StanzaError::new(
                    xep_core::ErrorType::Cancel,
                    xep_core::DefinedCondition::UndefinedCondition,
                )
            }),
        ))),
        _ => Err(ReplyError::NotAReply),
    }
}

xep_element::elements! {
    "XEP-0092" => [VersionQuery],
    "XEP-0012" => [LastQuery],
    "XEP-0202" => [TimeQuery],
    "XEP-0319" => [Idle],
    "XEP-0156" => [Xrd, Link, Property, Title],
}

#[cfg(test)]
mod tests;
