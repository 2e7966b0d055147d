//! Stanza errors (RFC 6120 §8.3) and stream errors (RFC 6120 §4.9).

use xep_element::jid::Jid;
use xep_element::{Payload, XmlElement, XmlValue};

/// `urn:ietf:params:xml:ns:xmpp-stanzas`.
pub const NS_STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";
/// `urn:ietf:params:xml:ns:xmpp-streams`.
pub const NS_STREAMS: &str = "urn:ietf:params:xml:ns:xmpp-streams";

/// `type` of a stanza error (RFC 6120 §8.3.2).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorType {
    /// Retry after providing credentials.
    Auth,
    /// Do not retry (unrecoverable).
    Cancel,
    /// Proceed (the condition was only a warning).
    Continue,
    /// Retry after changing the data sent.
    Modify,
    /// Retry after waiting (temporary).
    Wait,
}

/// `<gone/>`, with the new address if any (RFC 6120 §8.3.3.5).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_STANZAS, name = "gone")]
pub struct Gone {
    /// The new address (an XMPP URI).
    #[xml(text)]
    pub uri: Option<String>,
}

/// `<redirect/>`, with the alternative address if any (RFC 6120 §8.3.3.14).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_STANZAS, name = "redirect")]
pub struct Redirect {
    /// The alternative address (an XMPP URI).
    #[xml(text)]
    pub uri: Option<String>,
}

/// The 22 defined stanza error conditions of RFC 6120 §8.3.3.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_STANZAS)]
pub enum DefinedCondition {
    /// The request is malformed or unprocessable.
    BadRequest,
    /// A resource or session with that name already exists.
    Conflict,
    /// The feature is not implemented by the recipient.
    FeatureNotImplemented,
    /// The sender lacks the permissions.
    Forbidden,
    /// The recipient is no longer at this address.
    Gone(Gone),
    /// The server had an internal error.
    InternalServerError,
    /// The addressed entity or item does not exist.
    ItemNotFound,
    /// The address is not a valid JID.
    JidMalformed,
    /// The request does not meet the recipient's criteria.
    NotAcceptable,
    /// The recipient does not allow this action.
    NotAllowed,
    /// The sender must authenticate first.
    NotAuthorized,
    /// A local policy was violated.
    PolicyViolation,
    /// The intended recipient is temporarily unavailable.
    RecipientUnavailable,
    /// The recipient is redirecting requests elsewhere.
    Redirect(Redirect),
    /// Registration is required first.
    RegistrationRequired,
    /// A remote server does not exist.
    RemoteServerNotFound,
    /// A remote server could not be reached in time.
    RemoteServerTimeout,
    /// The recipient lacks the resources to serve the request.
    ResourceConstraint,
    /// The service is not available.
    ServiceUnavailable,
    /// A subscription is required first.
    SubscriptionRequired,
    /// Any other condition (with an application-specific element).
    UndefinedCondition,
    /// The request was understood but not expected now.
    UnexpectedRequest,
}

/// `<text/>` of a stanza error.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_STANZAS, name = "text")]
pub struct ErrorText {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The description.
    #[xml(text)]
    pub text: String,
}

/// `<error/>` inside a stanza (RFC 6120 §8.3.2).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = content, name = "error")]
pub struct StanzaError {
    /// How the sender should react.
    #[xml(attr(name = "type"))]
    pub type_: ErrorType,
    /// The entity that generated the error.
    #[xml(attr)]
    pub by: Option<Jid>,
    /// The legacy error code of XEP-0086 (deprecated, still seen).
    #[xml(attr)]
    pub code: Option<u16>,
    /// The defined condition.
    #[xml(child)]
    pub condition: DefinedCondition,
    /// Descriptions, at most one per language.
    #[xml(child)]
    pub texts: Vec<ErrorText>,
    /// The application-specific condition, if any.
    #[xml(children)]
    pub app: Vec<Payload>,
}

impl StanzaError {
    /// An error of `type_` with `condition` and nothing else.
    pub fn new(type_: ErrorType, condition: DefinedCondition) -> Self {
        StanzaError {
            type_,
            by: None,
            code: None,
            condition,
            texts: Vec::new(),
            app: Vec::new(),
        }
    }

    /// Adds a description.
    #[must_use]
    pub fn with_text(mut self, lang: Option<&str>, text: impl Into<String>) -> Self {
        self.texts.push(ErrorText {
            lang: lang.map(str::to_string),
            text: text.into(),
        });
        self
    }
}

/// `<see-other-host/>` with the host to reconnect to (RFC 6120 §4.9.3.19).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_STREAMS, name = "see-other-host")]
pub struct SeeOtherHost {
    /// `host`, `host:port`, `[ipv6]:port`.
    #[xml(text)]
    pub host: String,
}

/// The stream error conditions of RFC 6120 §4.9.3.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_STREAMS)]
pub enum StreamCondition {
    /// The entity sent XML that cannot be processed.
    BadFormat,
    /// An unsupported namespace prefix was used.
    BadNamespacePrefix,
    /// A new stream for this entity replaces this one.
    Conflict,
    /// The connection was idle too long.
    ConnectionTimeout,
    /// The `to` host is no longer serviced.
    HostGone,
    /// The `to` host is unknown.
    HostUnknown,
    /// A stanza was addressed wrongly between servers.
    ImproperAddressing,
    /// The server had an internal error.
    InternalServerError,
    /// The `from` address does not match an authorized domain.
    InvalidFrom,
    /// The stream or content namespace is wrong.
    InvalidNamespace,
    /// The XML is invalid against the schemas.
    InvalidXml,
    /// The entity is not authorized for this action.
    NotAuthorized,
    /// The XML is not well-formed.
    NotWellFormed,
    /// A local policy (e.g. a size limit) was violated.
    PolicyViolation,
    /// A remote server connection failed.
    RemoteConnectionFailed,
    /// The server is resetting the stream.
    Reset,
    /// The server lacks resources for the stream.
    ResourceConstraint,
    /// XML that XMPP forbids (comments, PIs, DTDs, entities).
    RestrictedXml,
    /// The client should reconnect to another host.
    SeeOtherHost(SeeOtherHost),
    /// The server is being shut down.
    SystemShutdown,
    /// Any other condition (with an application-specific element).
    UndefinedCondition,
    /// The encoding is not UTF-8.
    UnsupportedEncoding,
    /// A required stream feature is not supported.
    UnsupportedFeature,
    /// A first-level child is not supported.
    UnsupportedStanzaType,
    /// The stream version is not supported.
    UnsupportedVersion,
}

/// `<text/>` of a stream error.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_STREAMS, name = "text")]
pub struct StreamErrorText {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The description.
    #[xml(text)]
    pub text: String,
}

/// `<stream:error/>` (RFC 6120 §4.9).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = xep_element::ns::STREAM, name = "error")]
pub struct StreamError {
    /// The condition.
    #[xml(child)]
    pub condition: StreamCondition,
    /// Descriptions.
    #[xml(child)]
    pub texts: Vec<StreamErrorText>,
    /// The application-specific condition, if any.
    #[xml(children)]
    pub app: Vec<Payload>,
}

impl StreamError {
    /// An error with `condition` and an optional English description.
    pub fn new(condition: StreamCondition, text: Option<&str>) -> Self {
        StreamError {
            condition,
            texts: text
                .map(|t| StreamErrorText {
                    lang: Some("en".into()),
                    text: t.to_string(),
                })
                .into_iter()
                .collect(),
            app: Vec::new(),
        }
    }
}
