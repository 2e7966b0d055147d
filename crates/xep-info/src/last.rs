//! XEP-0012 last activity.

use xep_core::{DefinedCondition, ErrorType, Iq, StanzaError};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};

use crate::{ReplyError, result_payload};

/// `jabber:iq:last` (XEP-0012).
pub const NS_LAST: &str = "jabber:iq:last";

/// `<query xmlns='jabber:iq:last'/>`: empty in the request; in the result
/// `seconds` (required there) and, from a user's server, the status text
/// of the user's last unavailable presence.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_LAST, name = "query")]
pub struct LastQuery {
    /// Seconds since the last activity (meaning depends on who answers,
    /// see [`LastActivity`]).
    #[xml(attr)]
    pub seconds: Option<u64>,
    /// The status of the last unavailable presence (empty: none).
    #[xml(text)]
    pub status: String,
}

/// What a last activity result means, by the JID that answered (§2 to
/// §4, and the implementation note of §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastActivity {
    /// An account (bare JID) with a connected resource: `seconds='0'`
    /// (§3).
    Online,
    /// An account (bare JID) that logged out `seconds` ago, with the
    /// status of its last unavailable presence, if any (§3).
    Offline {
        /// Seconds since the logout.
        seconds: u64,
        /// The status text of the unavailable presence.
        status: Option<String>,
    },
    /// A resource (full JID) whose user has been idle for `seconds` (§4).
    Idle {
        /// Seconds since the user last interacted.
        seconds: u64,
    },
    /// A server or component (a domain) running for `seconds` (§5).
    Uptime {
        /// Seconds since the last (re)start.
        seconds: u64,
    },
}

impl LastActivity {
    /// The meaning of `query` when `from` answered it.
    pub fn interpret(from: &Jid, query: &LastQuery) -> Result<LastActivity, Error> {
        let seconds = query
            .seconds
            .ok_or_else(|| Error::missing_attribute("seconds").within("query"))?;
        let status = (!query.status.is_empty()).then(|| query.status.clone());
        Ok(match (from.node().is_some(), from.resource().is_some()) {
            (true, false) if seconds == 0 && status.is_none() => LastActivity::Online,
            (true, false) => LastActivity::Offline { seconds, status },
            (_, true) if from.node().is_some() => LastActivity::Idle { seconds },
            _ => LastActivity::Uptime { seconds },
        })
    }
}

/// The request for the last activity of `to`: an account's bare JID
/// (last logout, §3), a resource's full JID (idle time, §4), or a server
/// or component (uptime, §5).
pub fn last_request(id: impl Into<String>, to: Jid) -> Iq {
    Iq::get(id, Some(to), Payload::new(LastQuery::default()))
}

/// The answer to a last activity `request`: `seconds` and, for a user's
/// server answering for an offline account, the status text. A server
/// must refuse a requester not allowed to see the user's presence
/// (§3, §8): see [`last_forbidden`].
pub fn last_answer(request: &Iq, seconds: u64, status: Option<&str>) -> Iq {
    request.result(Some(Payload::new(LastQuery {
        seconds: Some(seconds),
        status: status.unwrap_or_default().to_string(),
    })))
}

/// The refusal a user's server sends a requester that may not see the
/// user's presence (§3, §4: `forbidden`, type `auth`).
pub fn last_forbidden(request: &Iq) -> Iq {
    let mut reply = request.error_reply(StanzaError::new(
        ErrorType::Auth,
        DefinedCondition::Forbidden,
    ));
    reply.payloads.clear();
    reply
}

/// The refusal of a client that does not support the protocol or does not
/// divulge its idle time (§4: `service-unavailable`, type `cancel`).
pub fn last_unavailable(request: &Iq) -> Iq {
    let mut reply = request.error_reply(StanzaError::new(
        ErrorType::Cancel,
        DefinedCondition::ServiceUnavailable,
    ));
    reply.payloads.clear();
    reply
}

/// The last activity in `reply` to `request`, believed only from the
/// entity asked, read by the kind of JID that answered.
pub fn last_reply(request: &Iq, reply: &Iq) -> Result<LastActivity, ReplyError> {
    let q: LastQuery = result_payload(request, reply, "query")?;
    let from = reply.from.as_ref().ok_or(ReplyError::NotAReply)?;
    LastActivity::interpret(from, &q).map_err(ReplyError::Malformed)
}
