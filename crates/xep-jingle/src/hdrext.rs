//! XEP-0294 Jingle RTP Header Extensions Negotiation.

use xep_element::XmlElement;

use crate::jingle::Senders;

/// `urn:xmpp:jingle:apps:rtp:rtp-hdrext:0`.
pub const NS: &str = "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0";

/// `<rtp-hdrext/>`: one header extension (SDP `a=extmap`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "rtp-hdrext")]
pub struct RtpHdrext {
    /// The local identifier.
    #[xml(attr)]
    pub id: u16,
    /// The extension's URI.
    #[xml(attr)]
    pub uri: String,
    /// Who sends the extension (default `both`).
    #[xml(attr)]
    pub senders: Option<Senders>,
    /// Extension attributes.
    #[xml(child)]
    pub parameters: Vec<HdrextParameter>,
}

/// `<parameter/>` of a header extension.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "parameter")]
pub struct HdrextParameter {
    /// Name.
    #[xml(attr)]
    pub name: String,
    /// Value.
    #[xml(attr)]
    pub value: Option<String>,
}

/// `<extmap-allow-mixed/>` on its own (it is also the flag
/// [`Description::extmap_allow_mixed`](crate::rtp::Description::extmap_allow_mixed)).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "extmap-allow-mixed")]
pub struct ExtmapAllowMixed;
