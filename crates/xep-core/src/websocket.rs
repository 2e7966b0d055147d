//! WebSocket framing (RFC 7395 §3.3): `<open/>` and `<close/>` replace the
//! stream header and `</stream:stream>`.

use xep_element::XmlElement;
use xep_element::jid::Jid;

/// `urn:ietf:params:xml:ns:xmpp-framing`.
pub const NS_FRAMING: &str = "urn:ietf:params:xml:ns:xmpp-framing";

/// `<open/>`: opens the XMPP stream over a WebSocket.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_FRAMING, name = "open")]
pub struct Open {
    /// Sender.
    #[xml(attr)]
    pub from: Option<Jid>,
    /// Recipient.
    #[xml(attr)]
    pub to: Option<Jid>,
    /// Stream identifier (from the server).
    #[xml(attr)]
    pub id: Option<String>,
    /// Protocol version, `1.0`.
    #[xml(attr)]
    pub version: Option<String>,
    /// Default language.
    #[xml(lang)]
    pub lang: Option<String>,
}

/// `<close/>`: closes the stream, optionally redirecting (§3.6.1).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_FRAMING, name = "close")]
pub struct Close {
    /// Where to reconnect (a `ws://` or `wss://` URI).
    #[xml(attr(name = "see-other-uri"))]
    pub see_other_uri: Option<String>,
}
