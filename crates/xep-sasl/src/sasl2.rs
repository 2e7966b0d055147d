//! XEP-0388 Extensible SASL Profile (SASL2): the elements of
//! `urn:xmpp:sasl:2`. The mechanism machines of this crate run inside
//! them as they do inside RFC 6120's: [`Authenticate::initial_response`]
//! is the initial response, [`Challenge`] and [`Response`] carry the
//! steps, [`Success::additional_data`] the server's final message. The
//! conditions of [`Failure`] are RFC 6120's
//! ([`SaslCondition`]).
//!
//! The `<continue/>` tasks, `<next/>` and `<task-data/>` are typed; the
//! task data of XEP-0480's SCRAM upgrades is in
//! [`upgrade`](crate::upgrade), whose `<upgrade/>` is a typed field of
//! [`Authentication`] and [`Authenticate`]. The extension points this crate
//! knows are typed fields: XEP-0386's [`bind2::Bind`](crate::bind2::Bind)
//! in [`Inline`] and [`Authenticate`] and its
//! [`bind2::Bound`](crate::bind2::Bound) in [`Success`]; XEP-0484's
//! [`fast::Fast`](crate::fast::Fast) in [`Inline`] and [`Authenticate`],
//! its [`fast::RequestToken`](crate::fast::RequestToken) in
//! [`Authenticate`] and [`fast::Token`](crate::fast::Token) in
//! [`Success`]. Other namespaces' (XEP-0198's `<sm/>`, ...) stay payloads.

use xep_core::SaslCondition;
use xep_element::jid::Jid;
use xep_element::{Base64, Payload, XmlElement};

/// `urn:xmpp:sasl:2`.
pub const NS_SASL2: &str = "urn:xmpp:sasl:2";

/// `<authentication/>`: the stream feature listing the mechanisms, and
/// what may be negotiated inline.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_SASL2, name = "authentication")]
pub struct Authentication {
    /// The mechanism names.
    #[xml(text_child(name = "mechanism"))]
    pub mechanisms: Vec<String>,
    /// Features negotiable inside `<authenticate/>`.
    #[xml(child)]
    pub inline: Option<Inline>,
    /// XEP-0480's upgrade tasks the server can run.
    #[xml(child)]
    pub upgrades: Vec<crate::upgrade::Upgrade>,
}

/// `<inline/>`: features of other namespaces negotiable in the same
/// `<authenticate/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_SASL2, name = "inline")]
pub struct Inline {
    /// XEP-0386's `<bind/>` feature.
    #[xml(child)]
    pub bind2: Option<crate::bind2::Bind>,
    /// XEP-0484's `<fast/>`: the token mechanisms accepted.
    #[xml(child)]
    pub fast: Option<crate::fast::Fast>,
    /// The other features (XEP-0198's `<sm/>`, ...).
    #[xml(children(foreign))]
    pub features: Vec<Payload>,
}

impl Authentication {
    /// XEP-0386's `<bind/>` feature, when the server lists it inline.
    pub fn bind2(&self) -> Option<&crate::bind2::Bind> {
        self.inline.as_ref()?.bind2.as_ref()
    }

    /// XEP-0484's `<fast/>` feature, when the server lists it inline.
    pub fn fast(&self) -> Option<&crate::fast::Fast> {
        self.inline.as_ref()?.fast.as_ref()
    }
}

/// `<authenticate/>`: the client starts, naming the mechanism.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_SASL2, name = "authenticate")]
pub struct Authenticate {
    /// The mechanism.
    #[xml(attr)]
    pub mechanism: String,
    /// The initial response, if the mechanism has one (base64; no `=`
    /// special case as in RFC 6120).
    #[xml(text_child(name = "initial-response"))]
    pub initial_response: Option<Base64>,
    /// The client software and device (SHOULD be present).
    #[xml(child)]
    pub user_agent: Option<UserAgent>,
    /// XEP-0386's Bind 2 request.
    #[xml(child)]
    pub bind2: Option<crate::bind2::Bind>,
    /// XEP-0484's `<fast/>`: this authentication uses a token.
    #[xml(child)]
    pub fast: Option<crate::fast::Fast>,
    /// XEP-0484's `<request-token/>`: the client asks for a token.
    #[xml(child)]
    pub request_token: Option<crate::fast::RequestToken>,
    /// XEP-0480's upgrade tasks the client asks for.
    #[xml(child)]
    pub upgrades: Vec<crate::upgrade::Upgrade>,
    /// Inline requests of other namespaces (XEP-0198's `<resume/>`, ...).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<user-agent/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL2, name = "user-agent")]
pub struct UserAgent {
    /// A stable identifier of the installation (a UUID v4).
    #[xml(attr)]
    pub id: Option<String>,
    /// The client software.
    #[xml(text_child(name = "software"))]
    pub software: Option<String>,
    /// The device.
    #[xml(text_child(name = "device"))]
    pub device: Option<String>,
}

/// `<challenge/>`: a challenge (base64).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL2, name = "challenge")]
pub struct Challenge {
    /// The challenge data (no text: empty).
    #[xml(text)]
    pub data: Base64,
}

/// `<response/>`: a response (base64).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL2, name = "response")]
pub struct Response {
    /// The response data (no text: empty).
    #[xml(text)]
    pub data: Base64,
}

/// `<success/>`: authenticated (and any task completed).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_SASL2, name = "success")]
pub struct Success {
    /// The mechanism's additional data (SCRAM: the server-final-message,
    /// which the client must verify).
    #[xml(text_child(name = "additional-data"))]
    pub additional_data: Option<Base64>,
    /// The negotiated identity: a bare JID, or a full JID when a resource
    /// was bound inline.
    #[xml(text_child(name = "authorization-identifier"))]
    pub authorization_identifier: Jid,
    /// XEP-0386's `<bound/>`, when a resource was bound inline.
    #[xml(child)]
    pub bound: Option<crate::bind2::Bound>,
    /// XEP-0484's `<token/>`: a new token (asked for, or a rotation).
    #[xml(child)]
    pub token: Option<crate::fast::Token>,
    /// Results of other inline features (XEP-0198's `<resumed/>`, ...)
    /// and task data.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<failure/>`: the exchange failed, with RFC 6120's condition.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_SASL2, name = "failure")]
pub struct Failure {
    /// The condition (namespace `urn:ietf:params:xml:ns:xmpp-sasl`).
    #[xml(child)]
    pub condition: SaslCondition,
    /// A description.
    #[xml(text_child(name = "text"))]
    pub text: Option<String>,
    /// Application-specific conditions.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<continue/>`: authenticated, but tasks remain.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_SASL2, name = "continue")]
pub struct Continue {
    /// The mechanism's additional data.
    #[xml(text_child(name = "additional-data"))]
    pub additional_data: Option<Base64>,
    /// The tasks the client may choose from.
    #[xml(child)]
    pub tasks: Tasks,
    /// A description.
    #[xml(text_child(name = "text"))]
    pub text: Option<String>,
}

/// `<tasks/>` of `<continue/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL2, name = "tasks")]
pub struct Tasks {
    /// The task names.
    #[xml(text_child(name = "task"))]
    pub tasks: Vec<String>,
}

/// `<next/>`: the client starts a task.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_SASL2, name = "next")]
pub struct Next {
    /// The task chosen.
    #[xml(attr)]
    pub task: String,
    /// The task's first data.
    #[xml(children(foreign))]
    pub data: Vec<Payload>,
}

/// `<task-data/>`: a step of a task, either way.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_SASL2, name = "task-data")]
pub struct TaskData {
    /// The task's data.
    #[xml(children(foreign))]
    pub data: Vec<Payload>,
}

/// `<abort/>`: the client gives up.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_SASL2, name = "abort")]
pub struct Abort {
    /// Why.
    #[xml(text_child(name = "text"))]
    pub text: Option<String>,
    /// Extensions.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_carries_the_server_final_message() {
        let s = Success {
            additional_data: Some(Base64(
                b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".to_vec(),
            )),
            authorization_identifier: "user@example.org".parse().unwrap(),
            bound: None,
            token: None,
            extensions: vec![],
        };
        let xml = s.to_xml();
        assert_eq!(Success::from_xml(xml.as_bytes()).unwrap(), s);
        let e = Success::from_xml(b"<success xmlns='urn:xmpp:sasl:2'/>").unwrap_err();
        assert!(e.to_string().contains("authorization-identifier"), "{e}");
    }

    #[test]
    fn failure_with_condition_text_and_extension() {
        let f = Failure::from_xml(
            b"<failure xmlns='urn:xmpp:sasl:2'>\
              <not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>\
              <x xmlns='urn:example'/><text>bad</text></failure>",
        )
        .unwrap();
        assert_eq!(f.condition, SaslCondition::NotAuthorized);
        assert_eq!(f.text.as_deref(), Some("bad"));
        assert_eq!(f.extensions.len(), 1);
    }

    #[test]
    fn empty_challenge() {
        let c = Challenge::from_xml(b"<challenge xmlns='urn:xmpp:sasl:2'/>").unwrap();
        assert_eq!(c.data, Base64(vec![]));
        assert_eq!(c.to_xml(), "<challenge xmlns='urn:xmpp:sasl:2'/>");
        let c = Challenge {
            data: Base64(b"r=abc".to_vec()),
        };
        assert_eq!(
            c.to_xml(),
            "<challenge xmlns='urn:xmpp:sasl:2'>cj1hYmM=</challenge>"
        );
    }
}
