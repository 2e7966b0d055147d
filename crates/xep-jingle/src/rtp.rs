//! XEP-0167 Jingle RTP Sessions: the RTP description with its payload
//! types, and the informational and error payloads; the extensions of
//! XEP-0293, XEP-0294 and XEP-0339 are typed fields of the description.

use xep_element::{Payload, XmlElement, XsdBool};

use crate::hdrext::RtpHdrext;
use crate::jingle::Creator;
use crate::rtcp_fb::{RtcpFb, RtcpFbTrrInt};
use crate::ssma::{Source, SsrcGroup};

/// `urn:xmpp:jingle:apps:rtp:1`.
pub const NS: &str = "urn:xmpp:jingle:apps:rtp:1";
/// `urn:xmpp:jingle:apps:rtp:info:1`: session-info payloads.
pub const NS_INFO: &str = "urn:xmpp:jingle:apps:rtp:info:1";
/// `urn:xmpp:jingle:apps:rtp:errors:1`: RTP-specific error conditions.
pub const NS_ERRORS: &str = "urn:xmpp:jingle:apps:rtp:errors:1";
/// `urn:xmpp:jingle:apps:rtp:audio`: disco feature for audio.
pub const FEATURE_AUDIO: &str = "urn:xmpp:jingle:apps:rtp:audio";
/// `urn:xmpp:jingle:apps:rtp:video`: disco feature for video.
pub const FEATURE_VIDEO: &str = "urn:xmpp:jingle:apps:rtp:video";

/// `<description xmlns='urn:xmpp:jingle:apps:rtp:1'/>`: an RTP media
/// stream (XEP-0167 §4), with the XEP-0293, XEP-0294 and XEP-0339
/// extensions typed and any other extension kept.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "description")]
pub struct Description {
    /// The media type (`audio`, `video`, ...).
    #[xml(attr)]
    pub media: String,
    /// The synchronisation source of the stream.
    #[xml(attr)]
    pub ssrc: Option<u32>,
    /// The acceptable codecs, in order of preference.
    #[xml(child)]
    pub payload_types: Vec<PayloadType>,
    /// RTP and RTCP multiplexed on one port (RFC 5761).
    #[xml(flag(name = "rtcp-mux"))]
    pub rtcp_mux: bool,
    /// SRTP keying (SDES).
    #[xml(child)]
    pub encryption: Option<Encryption>,
    /// The bandwidth limit.
    #[xml(child)]
    pub bandwidth: Option<Bandwidth>,
    /// XEP-0293 feedback messages for every payload type.
    #[xml(child)]
    pub rtcp_fbs: Vec<RtcpFb>,
    /// XEP-0293 minimal RTCP report intervals for every payload type.
    #[xml(child)]
    pub rtcp_fb_trr_ints: Vec<RtcpFbTrrInt>,
    /// XEP-0294 header extensions.
    #[xml(child)]
    pub hdrexts: Vec<RtpHdrext>,
    /// XEP-0294 `<extmap-allow-mixed/>`: one- and two-byte header
    /// extensions may be mixed (RFC 8285).
    #[xml(flag(name = "extmap-allow-mixed", ns = crate::hdrext::NS))]
    pub extmap_allow_mixed: bool,
    /// XEP-0339 sources.
    #[xml(child)]
    pub sources: Vec<Source>,
    /// XEP-0339 source groups.
    #[xml(child)]
    pub ssrc_groups: Vec<SsrcGroup>,
    /// Other extensions.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Description {
    /// A description of `media` with no payload types.
    pub fn new(media: impl Into<String>) -> Self {
        Description {
            media: media.into(),
            ..Description::default()
        }
    }
}

/// `<payload-type/>`: one codec (XEP-0167 §4).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "payload-type")]
pub struct PayloadType {
    /// Number of channels (default 1).
    #[xml(attr)]
    pub channels: Option<u8>,
    /// Sampling frequency in Hertz.
    #[xml(attr)]
    pub clockrate: Option<u32>,
    /// The RTP payload type number.
    #[xml(attr)]
    pub id: u8,
    /// Maximum packet time in milliseconds.
    #[xml(attr)]
    pub maxptime: Option<u32>,
    /// The codec name (required for dynamic ids).
    #[xml(attr)]
    pub name: Option<String>,
    /// Packet time in milliseconds.
    #[xml(attr)]
    pub ptime: Option<u32>,
    /// Codec parameters (`a=fmtp`).
    #[xml(child)]
    pub parameters: Vec<Parameter>,
    /// XEP-0293 feedback messages for this payload type.
    #[xml(child)]
    pub rtcp_fbs: Vec<RtcpFb>,
    /// XEP-0293 minimal report intervals for this payload type.
    #[xml(child)]
    pub rtcp_fb_trr_ints: Vec<RtcpFbTrrInt>,
}

impl PayloadType {
    /// A payload type with an id, a name and a clock rate.
    pub fn new(id: u8, name: impl Into<String>, clockrate: u32) -> Self {
        PayloadType {
            id,
            name: Some(name.into()),
            clockrate: Some(clockrate),
            ..PayloadType::default()
        }
    }

    /// The effective channel count (1 when absent).
    pub fn channels(&self) -> u8 {
        self.channels.unwrap_or(1)
    }
}

/// `<parameter/>` of a payload type: a name and a value.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "parameter")]
pub struct Parameter {
    /// Name.
    #[xml(attr)]
    pub name: String,
    /// Value.
    #[xml(attr)]
    pub value: String,
}

/// `<bandwidth/>`: a bandwidth limit (the SDP `b=` line).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "bandwidth")]
pub struct Bandwidth {
    /// The modifier (`AS`, `CT`, `TIAS`, ...).
    #[xml(attr(name = "type"))]
    pub type_: String,
    /// The value (kilobits per second for `AS`).
    #[xml(text)]
    pub value: String,
}

/// `<encryption/>`: SRTP keying offers (XEP-0167 §7).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "encryption")]
pub struct Encryption {
    /// Whether encryption is required.
    #[xml(attr)]
    pub required: Option<XsdBool>,
    /// The crypto offers.
    #[xml(child)]
    pub cryptos: Vec<Crypto>,
    /// Elements of other namespaces (XEP-0262's `<zrtp-hash/>`, say),
    /// kept.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<crypto/>`: one SDES crypto attribute (RFC 4568).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "crypto")]
pub struct Crypto {
    /// The crypto suite.
    #[xml(attr(name = "crypto-suite"))]
    pub crypto_suite: String,
    /// The key parameters.
    #[xml(attr(name = "key-params"))]
    pub key_params: String,
    /// The session parameters.
    #[xml(attr(name = "session-params"))]
    pub session_params: Option<String>,
    /// The tag identifying the offer.
    #[xml(attr)]
    pub tag: String,
}

/// `<mute/>` and `<unmute/>`'s content: which content is (un)muted.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_INFO, name = "mute")]
pub struct Mute {
    /// The creator of the content.
    #[xml(attr)]
    pub creator: Creator,
    /// The content's name (all contents when absent).
    #[xml(attr)]
    pub name: Option<String>,
}

/// `<unmute/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_INFO, name = "unmute")]
pub struct Unmute {
    /// The creator of the content.
    #[xml(attr)]
    pub creator: Creator,
    /// The content's name (all contents when absent).
    #[xml(attr)]
    pub name: Option<String>,
}

/// A session-info payload of an RTP session (XEP-0167 §6).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_INFO)]
pub enum RtpInfo {
    /// The party is again actively participating.
    Active,
    /// The party puts the other on hold.
    Hold,
    /// The party ends the hold.
    Unhold,
    /// The party mutes a content (or all).
    Mute(Mute),
    /// The party unmutes a content (or all).
    Unmute(Unmute),
    /// The device is ringing.
    Ringing,
}

/// An RTP-specific error condition.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq)]
#[xml(ns = NS_ERRORS)]
pub enum RtpError {
    /// Encryption is required but was not offered.
    CryptoRequired,
    /// The offered crypto is not acceptable.
    InvalidCrypto,
}
