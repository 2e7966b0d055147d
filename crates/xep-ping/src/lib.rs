//! XEP-0199: XMPP Ping — application-level liveness checks over an iq.
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_ping::{Outcome, Ping, classify_reply, request};
//!
//! let req = request("c2s1", Some("capulet.lit".parse().unwrap()));
//! assert_eq!(
//!     req.to_xml(),
//!     "<iq xmlns='jabber:client' to='capulet.lit' id='c2s1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"
//! );
//! let reply = req.result(None);
//! assert_eq!(classify_reply(&req, &reply), Outcome::Pong);
//! # let _ = Ping;
//! ```

#![warn(missing_docs)]

use xep_core::{DefinedCondition, Iq, IqType};
use xep_element::jid::Jid;
use xep_element::{Payload, XmlElement};

/// `urn:xmpp:ping`.
pub const NS: &str = "urn:xmpp:ping";

/// `<ping xmlns='urn:xmpp:ping'/>`: the payload of a ping request.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "ping")]
pub struct Ping;

/// A ping request (`<iq type='get'>` with `<ping/>`) to `to`.
pub fn request(id: impl Into<String>, to: Option<Jid>) -> Iq {
    Iq::get(id, to, Payload::new(Ping))
}

/// What a reply to a ping says about the pinged entity (XEP-0199 §3–4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An iq result: the entity is there.
    Pong,
    /// `service-unavailable` or `feature-not-implemented`: the entity is
    /// there but does not support ping (which still proves liveness).
    Unsupported,
    /// Any other error: the path to the entity is broken or refused.
    Failed(DefinedCondition),
    /// The stanza is not a reply to this request (different id or sender).
    NotAReply,
}

/// Classifies `reply` as the answer to `request`.
pub fn classify_reply(request: &Iq, reply: &Iq) -> Outcome {
    if reply.id != request.id || reply.from != request.to {
        return Outcome::NotAReply;
    }
    match (&reply.type_, &reply.error) {
        (IqType::Result, _) => Outcome::Pong,
        (IqType::Error, Some(e)) => match e.condition {
            DefinedCondition::ServiceUnavailable | DefinedCondition::FeatureNotImplemented => {
                Outcome::Unsupported
            }
            ref c => Outcome::Failed(c.clone()),
        },
        _ => Outcome::NotAReply,
    }
}

xep_element::elements! {
    "XEP-0199" => [Ping],
}

#[cfg(test)]
mod tests {
    use super::*;
    use xep_core::{ErrorType, StanzaError};

    #[test]
    fn ping_rejects_content() {
        let e = Ping::from_xml(b"<ping xmlns='urn:xmpp:ping'><x/></ping>").unwrap_err();
        assert_eq!(e.path(), "ping");
        let e = Ping::from_xml(b"<ping xmlns='urn:xmpp:ping' a='1'/>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "at ping: attribute 'a' is not defined for this element"
        );
    }

    #[test]
    fn replies_are_classified() {
        let to: Jid = "juliet@capulet.lit/balcony".parse().unwrap();
        let req = request("s2c1", Some(to));
        let unsupported = req.error_reply(StanzaError::new(
            ErrorType::Cancel,
            DefinedCondition::ServiceUnavailable,
        ));
        assert_eq!(classify_reply(&req, &unsupported), Outcome::Unsupported);
        let refused = req.error_reply(StanzaError::new(
            ErrorType::Cancel,
            DefinedCondition::RemoteServerNotFound,
        ));
        assert_eq!(
            classify_reply(&req, &refused),
            Outcome::Failed(DefinedCondition::RemoteServerNotFound)
        );
        let mut other = req.result(None);
        other.id = "x".into();
        assert_eq!(classify_reply(&req, &other), Outcome::NotAReply);
    }

    #[test]
    fn ping_iq_round_trips_through_registry_typing() {
        let reg = xep_element::Registry::new()
            .with(xep_core::ELEMENTS)
            .with(ELEMENTS);
        let bytes = b"<iq xmlns='jabber:client' from='capulet.lit' id='s2c1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>";
        let iq = Iq::from_xml_with(bytes, &reg).unwrap();
        assert!(iq.payloads[0].downcast_ref::<Ping>().is_some());
        assert_eq!(iq.to_xml().as_bytes(), &bytes[..]);
        let untyped = Iq::from_xml(bytes).unwrap();
        assert!(matches!(untyped.payloads[0], Payload::Raw(_)));
        assert_eq!(untyped.payload::<Ping>(), Some(Ok(Ping)));
    }
}
