//! The `<body/>` wrapper of XEP-0124 (namespace
//! `http://jabber.org/protocol/httpbind`) with the attributes XEP-0206 adds
//! (namespace `urn:xmpp:xbosh`).

use std::sync::OnceLock;

use xep_core::{Stanza, StreamError};
use xep_element::{Error, ForeignAttr, Payload, Registry, XmlElement, XmlValue, XsdBool};

/// `http://jabber.org/protocol/httpbind`, the namespace of `<body/>`.
pub const NS: &str = "http://jabber.org/protocol/httpbind";

/// `urn:xmpp:xbosh`, the namespace of the XEP-0206 attributes (written with
/// the `xmpp` prefix).
pub const NS_XBOSH: &str = "urn:xmpp:xbosh";

/// The largest `rid` XEP-0124 allows (2^53 - 1, §14.1).
pub const MAX_RID: u64 = 9_007_199_254_740_991;

/// The `type` attribute of `<body/>`.
#[derive(xep_element::XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyType {
    /// `terminate`: the session ends (a terminal binding condition from
    /// the connection manager, or the client's termination request).
    Terminate,
    /// `error`: a recoverable binding condition; the client resends the
    /// requests without responses.
    Error,
}

/// The terminal binding conditions of XEP-0124 §17.2 (the `condition`
/// attribute); an unknown value is kept as [`Condition::Other`].
#[derive(xep_element::XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum Condition {
    /// `bad-request`: the format of an HTTP header or of the `<body/>` was
    /// not acceptable.
    BadRequest,
    /// `host-gone`: the target is no longer served.
    HostGone,
    /// `host-unknown`: the target is unknown to the connection manager.
    HostUnknown,
    /// `improper-addressing`: `to` or `route` is missing but required.
    ImproperAddressing,
    /// `internal-server-error`: the connection manager failed.
    InternalServerError,
    /// `item-not-found`: bad `sid`, `stream`, `rid` out of window, response
    /// no longer available, or bad key sequence.
    ItemNotFound,
    /// `other-request`: another request terminated the session.
    OtherRequest,
    /// `policy-violation`: polling too often, too many simultaneous
    /// requests, ...
    PolicyViolation,
    /// `remote-connection-failed`: the connection to the server failed.
    RemoteConnectionFailed,
    /// `remote-stream-error`: an error of the transported protocol (the
    /// body carries it, e.g. a `<stream:error/>`).
    RemoteStreamError,
    /// `see-other-uri`: use the URI of the `<uri/>` child instead.
    SeeOtherUri,
    /// `system-shutdown`: the connection manager is shutting down.
    SystemShutdown,
    /// `undefined-condition`: none of the above.
    UndefinedCondition,
    /// A condition this crate does not know, kept as written.
    #[xml(other)]
    Other(String),
}

/// A space-separated list of character set names (`charsets`,
/// `xs:NMTOKENS`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Charsets(pub Vec<String>);

impl XmlValue for Charsets {
    const XSD_TYPE: &'static str = "xs:NMTOKENS";
    fn from_xml(s: &str) -> Result<Self, String> {
        let v: Vec<String> = s
            .split([' ', '\t', '\n', '\r'])
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        if v.is_empty() {
            return Err("not a valid xs:NMTOKENS (empty)".into());
        }
        for t in &v {
            if !t
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '\u{B7}'))
            {
                return Err(format!(
                    "not a valid xs:NMTOKENS ({t:?} is not a name token)"
                ));
            }
        }
        Ok(Charsets(v))
    }
    fn to_xml(&self) -> std::borrow::Cow<'_, str> {
        self.0.join(" ").into()
    }
}

/// A request identifier (`rid`, `ack`, `report`): an `xs:positiveInteger`
/// no larger than [`MAX_RID`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rid(pub(crate) u64);

impl Rid {
    /// `n`, if in `1..=MAX_RID`.
    pub const fn new(n: u64) -> Option<Rid> {
        if n >= 1 && n <= MAX_RID {
            Some(Rid(n))
        } else {
            None
        }
    }

    /// The number.
    pub const fn get(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for Rid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl XmlValue for Rid {
    const XSD_TYPE: &'static str = "xs:positiveInteger";
    fn from_xml(s: &str) -> Result<Self, String> {
        let n = <u64 as XmlValue>::from_xml(s)
            .map_err(|_| "not a valid request id (a positive integer up to 2^53-1)".to_string())?;
        Rid::new(n).ok_or_else(|| "not a valid request id (a positive integer up to 2^53-1)".into())
    }
    fn to_xml(&self) -> std::borrow::Cow<'_, str> {
        self.0.to_string().into()
    }
}

/// `<body/>`, the wrapper of every HTTP request and response body
/// (XEP-0124 §4), with the XEP-0206 attributes.
///
/// Its payloads are kept in order in [`payloads`](Body::payloads): typed
/// (e.g. as [`Stanza`] or [`StreamError`]) when parsed with a registry that
/// knows them ([`Body::from_bytes`] uses the core XMPP elements), raw
/// otherwise.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "body", validate = Body::check)]
pub struct Body {
    /// `accept`: the content encodings the connection manager can
    /// decompress (comma-separated).
    #[xml(attr)]
    pub accept: Option<String>,
    /// `ack`: the highest rid acknowledged.
    #[xml(attr)]
    pub ack: Option<Rid>,
    /// `authid`: the XMPP stream id (obsolete, XEP-0206).
    #[xml(attr)]
    pub authid: Option<String>,
    /// `charsets`: the character sets the connection manager converts.
    #[xml(attr)]
    pub charsets: Option<Charsets>,
    /// `condition`: the terminal binding condition.
    #[xml(attr)]
    pub condition: Option<Condition>,
    /// `content`: the Content-Type of the responses.
    #[xml(attr)]
    pub content: Option<String>,
    /// `from`: the originator of the stream.
    #[xml(attr)]
    pub from: Option<String>,
    /// `hold`: the number of requests the connection manager may hold.
    #[xml(attr)]
    pub hold: Option<u8>,
    /// `inactivity`: the longest inactivity allowed, in seconds.
    #[xml(attr)]
    pub inactivity: Option<u16>,
    /// `key`: the next key of the key sequence (§15).
    #[xml(attr)]
    pub key: Option<String>,
    /// `maxpause`: the longest pause allowed, in seconds.
    #[xml(attr)]
    pub maxpause: Option<u16>,
    /// `newkey`: the first key of a new key sequence (§15).
    #[xml(attr)]
    pub newkey: Option<String>,
    /// `pause`: the pause asked for, in seconds.
    #[xml(attr)]
    pub pause: Option<u16>,
    /// `polling`: the shortest polling interval allowed, in seconds.
    #[xml(attr)]
    pub polling: Option<u16>,
    /// `report`: the rid of a request whose response seems lost.
    #[xml(attr)]
    pub report: Option<Rid>,
    /// `requests`: the number of simultaneous requests allowed.
    #[xml(attr)]
    pub requests: Option<u8>,
    /// `rid`: the request id.
    #[xml(attr)]
    pub rid: Option<Rid>,
    /// `route`: `proto:host:port` of the server to reach.
    #[xml(attr)]
    pub route: Option<String>,
    /// `secure`: the removed (version 1.8) attribute saying whether the
    /// connection manager reaches the server securely; kept for old peers.
    #[xml(attr)]
    pub secure: Option<XsdBool>,
    /// `sid`: the session id.
    #[xml(attr)]
    pub sid: Option<String>,
    /// `stream`: the stream name (multiple streams, §16).
    #[xml(attr)]
    pub stream: Option<String>,
    /// `time`: milliseconds since the response of `report` was sent.
    #[xml(attr)]
    pub time: Option<u16>,
    /// `to`: the target domain.
    #[xml(attr)]
    pub to: Option<String>,
    /// `type`: `terminate` or `error`.
    #[xml(attr(name = "type"))]
    pub type_: Option<BodyType>,
    /// `ver`: the highest BOSH version supported (`major.minor`).
    #[xml(attr)]
    pub ver: Option<String>,
    /// `wait`: the longest time a request is held, in seconds.
    #[xml(attr)]
    pub wait: Option<u16>,
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// `xmpp:version` (XEP-0206): the XMPP version of the stream.
    #[xml(attr(name = "version", ns = NS_XBOSH))]
    pub xmpp_version: Option<String>,
    /// `xmpp:restart` (XEP-0206): the client asks for a stream restart.
    #[xml(attr(name = "restart", ns = NS_XBOSH))]
    pub xmpp_restart: Option<XsdBool>,
    /// `xmpp:restartlogic` (XEP-0206): the connection manager supports
    /// stream restarts.
    #[xml(attr(name = "restartlogic", ns = NS_XBOSH))]
    pub xmpp_restartlogic: Option<XsdBool>,
    /// Other attributes of other namespaces (the schema's `anyAttribute`).
    #[xml(attrs)]
    pub extra: Vec<ForeignAttr>,
    /// `<uri/>`: where to go instead (condition `see-other-uri`).
    #[xml(text_child(name = "uri"))]
    pub uri: Option<String>,
    /// The payloads, in order (elements of other namespaces).
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
}

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| {
        Registry::new()
            .with(xep_core::ELEMENTS)
            .with(crate::ELEMENTS)
    })
}

/// Why a body could not be read from the bytes of an HTTP body.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyError {
    /// More bytes than the limit.
    TooLarge {
        /// The number of bytes received.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// Not a valid `<body/>`.
    Invalid(Error),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge { len, limit } => {
                write!(f, "HTTP body of {len} bytes exceeds the limit of {limit}")
            }
            BodyError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BodyError {}

/// Whether `el` is an XMPP stanza (`message`, `presence`, `iq` in a
/// content namespace).
fn is_stanza(el: &xep_element::minidom::Element) -> bool {
    matches!(el.name(), "message" | "presence" | "iq")
        && matches!(
            &*el.ns(),
            "jabber:client" | "jabber:server" | "jabber:component:accept"
        )
}

impl Body {
    fn check(b: &Body) -> Result<(), Error> {
        if b.uri.is_some() && b.condition != Some(Condition::SeeOtherUri) {
            return Err(Error::invalid(
                "a <uri/> child belongs to the 'see-other-uri' condition only",
            ));
        }
        if b.uri.is_some() && !b.payloads.is_empty() {
            return Err(Error::invalid(
                "a <uri/> child cannot be mixed with payloads (the schema's choice)",
            ));
        }
        if b.condition.is_some() && b.type_ != Some(BodyType::Terminate) {
            return Err(Error::invalid(
                "a 'condition' needs type='terminate' (terminal binding condition)",
            ));
        }
        if let Some(a) = b.extra.iter().find(|a| a.ns.is_empty()) {
            return Err(Error::unknown_attribute("", &a.name));
        }
        Ok(())
    }

    /// Parses the bytes of an HTTP body, refusing more than `limit` bytes.
    /// Stanzas, stream features and stream errors are typed.
    ///
    /// A stanza that does not type (a peer's bad attribute, say) does not
    /// cost its siblings: it stays a [`Payload::Raw`], so that
    /// `payload.get::<Stanza>()` returns its error with the element path
    /// (as the stream reader's `StreamEvent::Rejected` does over TCP), and
    /// the other payloads of the body are delivered. Anything else that
    /// does not type (stream features, a stream error, SASL) refuses the
    /// body. [`Body::from_xml_with`] with the crate's registry stays strict
    /// for every payload (what the example checker uses).
    pub fn from_bytes(bytes: &[u8], limit: usize) -> Result<Body, BodyError> {
        if bytes.len() > limit {
            return Err(BodyError::TooLarge {
                len: bytes.len(),
                limit,
            });
        }
        static UNTYPED: OnceLock<Registry> = OnceLock::new();
        let mut body = Body::from_xml_with(bytes, UNTYPED.get_or_init(Registry::new))
            .map_err(BodyError::Invalid)?;
        for payload in &mut body.payloads {
            let Payload::Raw(el) = payload else { continue };
            match registry().parse_dom(el) {
                Ok(Some(typed)) => *payload = Payload::Typed(typed),
                Ok(None) => {}
                Err(_) if is_stanza(el) => {}
                Err(e) => return Err(BodyError::Invalid(e.within("body"))),
            }
        }
        Ok(body)
    }

    /// The bytes of the HTTP body.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_xml().into_bytes()
    }

    /// Whether `type='terminate'`.
    pub fn is_terminate(&self) -> bool {
        self.type_ == Some(BodyType::Terminate)
    }

    /// Whether `type='error'` (a recoverable binding condition).
    pub fn is_recoverable_error(&self) -> bool {
        self.type_ == Some(BodyType::Error)
    }

    /// Whether `xmpp:restart='true'`.
    pub fn is_restart(&self) -> bool {
        self.xmpp_restart.is_some_and(|b| b.value)
    }

    /// The payloads that are XMPP stanzas, typed (others are skipped).
    pub fn stanzas(&self) -> Vec<Stanza> {
        self.payloads
            .iter()
            .filter_map(|p| p.get::<Stanza>().and_then(Result::ok))
            .collect()
    }

    /// The `<stream:error/>` a `remote-stream-error` carries, if any.
    pub fn stream_error(&self) -> Option<StreamError> {
        self.payloads
            .iter()
            .find_map(|p| p.get::<StreamError>().and_then(Result::ok))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xep_core::StreamCondition;

    fn round_trip(xml: &str) -> Body {
        let v = Body::from_bytes(xml.as_bytes(), 1 << 20).unwrap();
        let back = v.to_xml();
        assert_eq!(
            Body::from_bytes(back.as_bytes(), 1 << 20).unwrap(),
            v,
            "{back}"
        );
        let dom: xep_element::minidom::Element = xml.parse().unwrap();
        assert_eq!(Body::from_element_with(&dom, registry()).unwrap(), v);
        v
    }

    #[test]
    fn a_bad_stanza_does_not_cost_its_siblings() {
        let xml = "<body xmlns='http://jabber.org/protocol/httpbind' rid='1' sid='s'>\
                   <message xmlns='jabber:client' to='a@b.example' id='m1'><body>one</body></message>\
                   <iq xmlns='jabber:client' type='sideways' id='i1'/>\
                   <message xmlns='jabber:client' to='a@b.example' id='m2'><body>two</body></message>\
                   </body>";
        let b = Body::from_bytes(xml.as_bytes(), 4096).unwrap();
        assert_eq!(b.payloads.len(), 3);
        let bodies: Vec<_> = b
            .stanzas()
            .iter()
            .map(|s| match s {
                Stanza::Message(m) => m.body(None).map(str::to_owned),
                _ => None,
            })
            .collect();
        assert_eq!(bodies, [Some("one".to_string()), Some("two".to_string())]);
        // The bad one stays raw and says why, with its path.
        assert!(matches!(b.payloads[1], Payload::Raw(_)));
        let err = b.payloads[1].get::<Stanza>().unwrap().unwrap_err();
        assert!(err.to_string().contains("sideways"), "{err}");
        // The strict path (the checker's) still refuses the whole body.
        assert!(Body::from_xml_with(xml.as_bytes(), registry()).is_err());
        // Other payloads that do not type still refuse the body.
        let features = "<body xmlns='http://jabber.org/protocol/httpbind'>\
                        <stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
                        <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><bogus/></mechanisms>\
                        </stream:features></body>";
        let err = Body::from_bytes(features.as_bytes(), 4096).unwrap_err();
        assert!(err.to_string().contains("at body/features"), "{err}");
    }

    #[test]
    fn every_attribute_round_trips() {
        let b = round_trip(
            "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' \
             accept='gzip' ack='12' authid='s1' charsets='UTF-8 latin1' content='text/plain' \
             from='a@b.example' hold='2' inactivity='40' key='aa' maxpause='90' newkey='bb' \
             pause='30' polling='3' report='11' requests='3' rid='13' route='xmpp:b.example:5222' \
             secure='true' sid='x1' stream='s' time='100' to='b.example' ver='1.11' wait='45' \
             xml:lang='de' xmpp:version='1.0' xmpp:restart='1' xmpp:restartlogic='true'/>",
        );
        assert_eq!(b.ack, Rid::new(12));
        assert_eq!(b.charsets.as_ref().unwrap().0, ["UTF-8", "latin1"]);
        assert_eq!((b.hold, b.requests, b.wait), (Some(2), Some(3), Some(45)));
        assert!(b.is_restart());
        assert_eq!(b.xmpp_version.as_deref(), Some("1.0"));
        assert_eq!(b.lang.as_deref(), Some("de"));
        let xml = b.to_xml();
        assert!(xml.contains("xmpp:restart='1'"), "{xml}");
        assert!(xml.contains("xmlns:xmpp='urn:xmpp:xbosh'"), "{xml}");
    }

    #[test]
    fn payloads_are_kept_in_order_and_typed() {
        let b = round_trip(
            "<body xmlns='http://jabber.org/protocol/httpbind' sid='q'>\
             <message xmlns='jabber:client' to='a@b.example' id='one'><body>x</body></message>\
             <thing xmlns='urn:example:other'>raw</thing>\
             <presence xmlns='jabber:client' id='two'/></body>",
        );
        assert_eq!(b.payloads.len(), 3);
        assert!(
            b.payloads[0].downcast_ref::<Stanza>().is_some()
                || b.payloads[0].get::<Stanza>().is_some()
        );
        assert!(matches!(b.payloads[1], Payload::Raw(_)));
        let s = b.stanzas();
        assert_eq!(s.len(), 2);
        assert!(matches!(&s[1], Stanza::Presence(p) if p.id.as_deref() == Some("two")));
    }

    #[test]
    fn terminal_conditions() {
        let b = round_trip(
            "<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' \
             condition='see-other-uri'><uri>https://cm.example/bosh</uri></body>",
        );
        assert_eq!(b.condition, Some(Condition::SeeOtherUri));
        assert_eq!(b.uri.as_deref(), Some("https://cm.example/bosh"));
        let b = round_trip(
            "<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' \
             condition='remote-stream-error'>\
             <stream:error xmlns:stream='http://etherx.jabber.org/streams'>\
             <conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></body>",
        );
        assert_eq!(
            b.stream_error().unwrap().condition,
            StreamCondition::Conflict
        );
        let b = round_trip(
            "<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' condition='made-up'/>",
        );
        assert_eq!(b.condition, Some(Condition::Other("made-up".into())));
        for (v, c) in [
            ("bad-request", Condition::BadRequest),
            ("host-gone", Condition::HostGone),
            ("host-unknown", Condition::HostUnknown),
            ("improper-addressing", Condition::ImproperAddressing),
            ("internal-server-error", Condition::InternalServerError),
            ("item-not-found", Condition::ItemNotFound),
            ("other-request", Condition::OtherRequest),
            ("policy-violation", Condition::PolicyViolation),
            (
                "remote-connection-failed",
                Condition::RemoteConnectionFailed,
            ),
            ("remote-stream-error", Condition::RemoteStreamError),
            ("see-other-uri", Condition::SeeOtherUri),
            ("system-shutdown", Condition::SystemShutdown),
            ("undefined-condition", Condition::UndefinedCondition),
        ] {
            assert_eq!(Condition::from_xml(v).unwrap(), c);
            assert_eq!(c.to_xml(), v);
        }
        let b = round_trip("<body xmlns='http://jabber.org/protocol/httpbind' type='error'/>");
        assert!(b.is_recoverable_error());
    }

    #[test]
    fn size_limit() {
        let xml = b"<body xmlns='http://jabber.org/protocol/httpbind'/>";
        assert!(Body::from_bytes(xml, xml.len()).is_ok());
        let e = Body::from_bytes(xml, 10).unwrap_err();
        assert_eq!(
            e,
            BodyError::TooLarge {
                len: xml.len(),
                limit: 10
            }
        );
        assert!(e.to_string().contains("exceeds the limit"));
    }

    #[test]
    fn rejects_with_path_and_reason() {
        let cases: &[(&str, &str)] = &[
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' rid='0'/>",
                "at body: attribute 'rid' has bad value",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' rid='9007199254740992'/>",
                "attribute 'rid' has bad value",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' hold='256'/>",
                "at body: attribute 'hold' has bad value",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' wait='-1'/>",
                "attribute 'wait' has bad value",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' type='close'/>",
                "attribute 'type' has bad value",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' bogus='1'/>",
                "at body: attribute 'bogus' is not defined",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:x='urn:xmpp:xbosh' x:restart='yes'/>",
                "has bad value",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' charsets=''/>",
                "attribute 'charsets' has bad value",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind'>text</body>",
                "at body",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind'><foo/></body>",
                "at body",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind'><uri>u</uri></body>",
                "'see-other-uri' condition only",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' condition='see-other-uri'><uri>a</uri><uri>b</uri></body>",
                "at body",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' condition='host-gone'/>",
                "needs type='terminate'",
            ),
            (
                "<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' condition='remote-stream-error'><stream:error xmlns:stream='http://etherx.jabber.org/streams'/></body>",
                "at body/error",
            ),
            ("<body xmlns='urn:example:wrong'/>", "expected"),
        ];
        for (xml, expected) in cases {
            let err = Body::from_bytes(xml.as_bytes(), 4096)
                .err()
                .unwrap_or_else(|| panic!("{xml} was accepted"));
            let msg = err.to_string();
            assert!(msg.contains(expected), "{xml}: {msg}");
        }
    }
}
