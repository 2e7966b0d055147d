//! Stream negotiation elements: features, STARTTLS (RFC 6120 §5), SASL
//! (RFC 6120 §6), resource binding (RFC 6120 §7) and the legacy session
//! establishment of RFC 3921 §3 (still announced by servers).

use std::borrow::Cow;

use xep_element::jid::FullJid;
use xep_element::{Payload, XmlElement, XmlValue};

/// `urn:ietf:params:xml:ns:xmpp-tls`.
pub const NS_TLS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
/// `urn:ietf:params:xml:ns:xmpp-sasl`.
pub const NS_SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
/// `urn:ietf:params:xml:ns:xmpp-bind`.
pub const NS_BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
/// `urn:ietf:params:xml:ns:xmpp-session` (RFC 3921, RFC 6121 Appendix E).
pub const NS_SESSION: &str = "urn:ietf:params:xml:ns:xmpp-session";

/// `<stream:features/>`: every feature is kept in order, typed where the
/// parser's registry knows it (STARTTLS, SASL mechanisms, bind, ...).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = xep_element::ns::STREAM, name = "features")]
pub struct Features {
    /// The features.
    #[xml(children)]
    pub features: Vec<Payload>,
}

impl Features {
    /// The first feature of type `T`, parsed.
    pub fn get<T: XmlElement + Clone + 'static>(&self) -> Option<Result<T, xep_element::Error>> {
        self.features.iter().find_map(|p| p.get::<T>())
    }
}

/// `<starttls/>` as a feature (with `<required/>`) or as the request.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TLS, name = "starttls")]
pub struct StartTls {
    /// Whether the receiving entity requires TLS.
    #[xml(flag(name = "required"))]
    pub required: bool,
}

/// `<proceed/>`: go ahead with the TLS handshake.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TLS, name = "proceed")]
pub struct Proceed;

/// `<failure/>` of STARTTLS: the stream is closed.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_TLS, name = "failure")]
pub struct TlsFailure;

/// SASL data: base64 on the wire, `=` for an empty response (RFC 6120
/// §6.4.2), no text for "no data".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SaslData(pub Vec<u8>);

impl XmlValue for SaslData {
    const XSD_TYPE: &'static str = "xs:string";
    const EXAMPLE: Option<&'static str> = Some("AGp1bGlldAByMG0zbzE=");
    fn from_xml(s: &str) -> Result<Self, String> {
        if s.trim() == "=" {
            return Ok(SaslData(Vec::new()));
        }
        xep_element::Base64::from_xml(s).map(|b| SaslData(b.0))
    }
    fn to_xml(&self) -> Cow<'_, str> {
        if self.0.is_empty() {
            Cow::Borrowed("=")
        } else {
            Cow::Owned(xep_element::Base64(self.0.clone()).to_xml().into_owned())
        }
    }
}

/// `<mechanisms/>`: the SASL mechanisms offered.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_SASL, name = "mechanisms")]
pub struct Mechanisms {
    /// Mechanism names, in order of preference.
    #[xml(text_child(name = "mechanism"))]
    pub mechanisms: Vec<String>,
    /// Extension elements of other namespaces, which RFC 6120's schema
    /// allows after the mechanisms (e.g. XEP-0233's `<hostname/>`).
    #[xml(children(foreign))]
    pub extensions: Vec<xep_element::Payload>,
}

/// `<auth/>`: starts a SASL exchange.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL, name = "auth")]
pub struct Auth {
    /// The chosen mechanism.
    #[xml(attr)]
    pub mechanism: String,
    /// Initial response; `None` for no initial response.
    #[xml(text)]
    pub data: Option<SaslData>,
}

/// `<challenge/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL, name = "challenge")]
pub struct Challenge {
    /// Challenge data.
    #[xml(text)]
    pub data: Option<SaslData>,
}

/// `<response/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL, name = "response")]
pub struct Response {
    /// Response data.
    #[xml(text)]
    pub data: Option<SaslData>,
}

/// `<success/>`, with additional data if the mechanism has any.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL, name = "success")]
pub struct Success {
    /// Additional data with success.
    #[xml(text)]
    pub data: Option<SaslData>,
}

/// `<abort/>`: the initiator aborts the exchange.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL, name = "abort")]
pub struct Abort;

/// SASL failure conditions (RFC 6120 §6.5).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_SASL)]
pub enum SaslCondition {
    /// The initiator aborted.
    Aborted,
    /// The account is disabled.
    AccountDisabled,
    /// The credentials have expired.
    CredentialsExpired,
    /// The mechanism requires an encrypted stream.
    EncryptionRequired,
    /// The data was not properly base64-encoded.
    IncorrectEncoding,
    /// The authorization identity is invalid.
    InvalidAuthzid,
    /// The mechanism is not supported.
    InvalidMechanism,
    /// The request is malformed.
    MalformedRequest,
    /// The mechanism is weaker than policy allows.
    MechanismTooWeak,
    /// The credentials are wrong.
    NotAuthorized,
    /// A temporary failure; retry later.
    TemporaryAuthFailure,
}

/// `<text/>` of a SASL failure.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL, name = "text")]
pub struct SaslText {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The description.
    #[xml(text)]
    pub text: String,
}

/// `<failure/>` of SASL.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_SASL, name = "failure")]
pub struct SaslFailure {
    /// The condition.
    #[xml(child)]
    pub condition: SaslCondition,
    /// Descriptions.
    #[xml(child)]
    pub texts: Vec<SaslText>,
}

/// `<bind/>`: request a resource (client) or report the bound JID (server).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_BIND, name = "bind")]
pub struct Bind {
    /// The requested resource.
    #[xml(text_child(name = "resource"))]
    pub resource: Option<String>,
    /// The bound full JID (in the result).
    #[xml(text_child(name = "jid"))]
    pub jid: Option<FullJid>,
    /// `<required/>` in the stream feature: not in RFC 6120 (binding is
    /// always mandatory-to-negotiate there), but from the drafts before
    /// it, and Prosody 0.12 still sends it after authentication (found by
    /// the interop suite, where a strict reading cost the BOSH session).
    /// Kept so the feature round-trips.
    #[xml(flag(name = "required"))]
    pub required: bool,
}

/// `<session/>` of RFC 3921 (with `<optional/>` as a feature, RFC 6121
/// Appendix E notes it is obsolete but servers still announce it).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SESSION, name = "session")]
pub struct Session {
    /// The feature is announced as optional.
    #[xml(flag(name = "optional"))]
    pub optional: bool,
}
