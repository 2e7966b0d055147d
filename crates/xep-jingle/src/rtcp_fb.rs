//! XEP-0293 Jingle RTP Feedback Negotiation.

use xep_element::XmlElement;

/// `urn:xmpp:jingle:apps:rtp:rtcp-fb:0`.
pub const NS: &str = "urn:xmpp:jingle:apps:rtp:rtcp-fb:0";

/// `<rtcp-fb/>`: one feedback message type (SDP `a=rtcp-fb`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "rtcp-fb")]
pub struct RtcpFb {
    /// The feedback type (`nack`, `ccm`, `goog-remb`, ...).
    #[xml(attr(name = "type"))]
    pub type_: String,
    /// The subtype (`pli`, `fir`, ...).
    #[xml(attr)]
    pub subtype: Option<String>,
    /// Further parameters.
    #[xml(child)]
    pub parameters: Vec<FbParameter>,
}

/// `<parameter/>` of a feedback message.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "parameter")]
pub struct FbParameter {
    /// Name.
    #[xml(attr)]
    pub name: String,
    /// Value.
    #[xml(attr)]
    pub value: Option<String>,
}

/// `<rtcp-fb-trr-int/>`: the minimal interval between regular RTCP
/// reports, in milliseconds (SDP `a=rtcp-fb:* trr-int`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "rtcp-fb-trr-int")]
pub struct RtcpFbTrrInt {
    /// The interval. The schema says `xs:positiveInteger`, but the text
    /// makes 0 the default and its examples send it, as RFC 4585 allows:
    /// 0 is accepted.
    #[xml(attr)]
    pub value: u64,
}
