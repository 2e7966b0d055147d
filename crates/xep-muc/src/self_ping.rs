//! XEP-0410 MUC self-ping: is this client still joined?
//!
//! The client pings its own occupant JID with XEP-0199; the reply says
//! whether it is still an occupant ([`classify`]).

use xep_core::{DefinedCondition, Iq, IqType};
use xep_element::jid::{BareJid, Jid};

/// `http://jabber.org/protocol/muc#self-ping-optimization`: the disco
/// feature of rooms that answer self-pings themselves.
pub const FEATURE_OPTIMIZATION: &str = "http://jabber.org/protocol/muc#self-ping-optimization";

/// What a self-ping reply says (XEP-0410 §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelfPing {
    /// Still joined: a result, `service-unavailable` or
    /// `feature-not-implemented` (the pinged client lacks ping), or
    /// `item-not-found` (the nickname just changed).
    Joined,
    /// Probably not joined any more (any other error, `not-acceptable`
    /// recommended): rejoin.
    NotJoined(DefinedCondition),
    /// No decision possible (`remote-server-not-found`,
    /// `remote-server-timeout`, or no reply): try again later.
    TryLater,
}

/// The self-ping request to the occupant JID `room/nick`.
pub fn request(id: impl Into<String>, room: &BareJid, nick: &str) -> Option<Iq> {
    let to = room.with_resource_str(nick).ok()?;
    Some(xep_ping::request(id, Some(Jid::from(to))))
}

/// Classifies `reply` to the self-ping `request`; `None` when it is not a
/// reply to it (other id or sender).
pub fn classify(request: &Iq, reply: &Iq) -> Option<SelfPing> {
    if reply.id != request.id || reply.from != request.to {
        return None;
    }
    match (&reply.type_, &reply.error) {
        (IqType::Result, _) => Some(SelfPing::Joined),
        (IqType::Error, Some(e)) => Some(match &e.condition {
            DefinedCondition::ServiceUnavailable
            | DefinedCondition::FeatureNotImplemented
            | DefinedCondition::ItemNotFound => SelfPing::Joined,
            DefinedCondition::RemoteServerNotFound | DefinedCondition::RemoteServerTimeout => {
                SelfPing::TryLater
            }
            c => SelfPing::NotJoined(c.clone()),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xep_core::{ErrorType, StanzaError};
    use xep_element::XmlElement;

    #[test]
    fn request_targets_own_occupant_jid() {
        let room: BareJid = "lounge@rooms.example.org".parse().unwrap();
        let iq = request("sp1", &room, "Ophelia").unwrap();
        assert_eq!(
            iq.to_xml(),
            "<iq xmlns='jabber:client' to='lounge@rooms.example.org/Ophelia' id='sp1' type='get'>\
             <ping xmlns='urn:xmpp:ping'/></iq>"
        );
    }

    #[test]
    fn every_row_of_the_table() {
        let room: BareJid = "lounge@rooms.example.org".parse().unwrap();
        let req = request("sp1", &room, "Ophelia").unwrap();
        assert_eq!(classify(&req, &req.result(None)), Some(SelfPing::Joined));
        let err = |c: DefinedCondition| req.error_reply(StanzaError::new(ErrorType::Cancel, c));
        use DefinedCondition as C;
        for c in [
            C::ServiceUnavailable,
            C::FeatureNotImplemented,
            C::ItemNotFound,
        ] {
            assert_eq!(
                classify(&req, &err(c.clone())),
                Some(SelfPing::Joined),
                "{c:?}"
            );
        }
        for c in [C::RemoteServerNotFound, C::RemoteServerTimeout] {
            assert_eq!(
                classify(&req, &err(c.clone())),
                Some(SelfPing::TryLater),
                "{c:?}"
            );
        }
        for c in [C::NotAcceptable, C::NotAllowed, C::BadRequest] {
            assert_eq!(
                classify(&req, &err(c.clone())),
                Some(SelfPing::NotJoined(c.clone()))
            );
        }
        let mut other = req.result(None);
        other.id = "x".into();
        assert_eq!(classify(&req, &other), None);
        let mut elsewhere = req.result(None);
        elsewhere.from = Some("lounge@rooms.example.org/Hamlet".parse().unwrap());
        assert_eq!(classify(&req, &elsewhere), None);
    }
}
