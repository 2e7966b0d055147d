//! Jingle RTP contents ⇄ SDP offers and answers, as WebRTC writes them.
//!
//! The mapping follows the SDP sections of XEP-0167 (payload types,
//! `a=rtpmap`, `a=fmtp`, `a=ptime`, `b=`, `a=crypto`, direction),
//! XEP-0176 (`a=ice-ufrag`, `a=ice-pwd`, `a=candidate`,
//! `a=remote-candidates`), XEP-0177 (a raw UDP transport: the `m=` port
//! and `c=` address, `a=rtcp` for RTCP, in sections without ICE), XEP-0320 (`a=fingerprint`, `a=setup`),
//! XEP-0293 (`a=rtcp-fb`, `trr-int`), XEP-0294 (`a=extmap`,
//! `a=extmap-allow-mixed`), XEP-0338 (`a=group`, `a=mid` as the content
//! name) and XEP-0339 (`a=ssrc`, `a=ssrc-group`).
//!
//! ```
//! use xep_jingle::Creator;
//! use xep_jingle::sdp::{from_sdp, parse, to_sdp};
//!
//! let offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
//!     a=group:BUNDLE 0\r\n\
//!     m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n\
//!     a=ice-ufrag:8hhy\r\na=ice-pwd:asd88fgpdd777uzjYhagZg\r\n\
//!     a=fingerprint:sha-256 02:1A:CC\r\na=setup:actpass\r\na=mid:0\r\n\
//!     a=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n\
//!     a=fmtp:111 minptime=10;useinbandfec=1\r\n";
//! let jingle = from_sdp(&parse(offer).unwrap(), Creator::Initiator, Creator::Initiator).unwrap();
//! assert_eq!(jingle.contents[0].name, "0");
//! assert!(jingle.unmapped.is_empty());
//! let back = to_sdp(&jingle.contents, &jingle.groups, Creator::Initiator).unwrap();
//! assert!(back.sdp.marshal().contains("a=fmtp:111 minptime=10;useinbandfec=1\r\n"));
//! ```
//!
//! With a session [`Endpoint`](crate::Endpoint), an offer's contents and
//! groups go out with [`Endpoint::initiate_with`](crate::Endpoint::initiate_with)
//! (the groups as payloads of `<jingle/>`), an answer's with
//! [`Endpoint::accept_with`](crate::Endpoint::accept_with); the peer's
//! session-initiate ([`Event::Incoming`](crate::Event::Incoming)) and
//! session-accept ([`Event::Received`](crate::Event::Received)) convert
//! back with [`to_sdp`] and [`groups`].
//!
//! # The SDP crate
//!
//! The SDP grammar (the `v=`/`o=`/`m=`/`a=` lines and their order) is
//! read and written by the `sdp` crate of webrtc-rs, which keeps
//! every attribute line as a key and a raw value. Mozilla's `webrtc-sdp`
//! was the other candidate; it was not taken because a mapping through it
//! loses data: it drops attributes it does not know (with a warning),
//! rejects `a=rtcp-fb` types and `a=group`/`a=ssrc-group` semantics
//! outside its lists, and rewrites `a=fmtp` through a fixed set of typed
//! fields (parameters equal to its defaults vanish, the order changes,
//! unknown parameters are joined with `,`). Jingle's values are open
//! sets, so the attribute values are read here, by the grammars of the
//! RFCs the XEPs cite.
//!
//! # What does not cross
//!
//! Nothing is dropped silently: what cannot be carried is listed in
//! [`FromSdp::unmapped`] and [`ToSdp::unmapped`], and a value that does
//! not fit its SDP field is an error (see below).
//! - SDP → Jingle: the session envelope (`o=`, `s=`, `t=`) and the
//!   `m=` port, protocol and `c=` address (JSEP's placeholders; the
//!   candidates carry the addresses, the protocol follows from
//!   fingerprints and feedback) are not carried and not listed. Listed:
//!   any attribute with no Jingle element (`a=msid`, `a=ice-options`,
//!   `a=rtcp`, `a=rtcp-rsize`, `a=end-of-candidates`, `a=msid-semantic`,
//!   ...), a port of 0 (a rejected or bundle-only section), `a=rtcp`
//!   next to ICE, candidate
//!   extensions other than `generation`, `network-id`
//!   (or `network`), `raddr` and `rport`, a second `b=` line, a second
//!   remote candidate, and `m=` sections other than `audio`/`video`.
//! - Jingle → SDP: a candidate's `id` has no SDP form (it is rebuilt
//!   from the content name and the candidate's position, or component
//!   for raw UDP); listed: a raw UDP candidate's type, a generation other
//!   than 0 and a second candidate per component, the
//!   description's `ssrc` attribute, a content's `disposition`, foreign
//!   extensions of the description, transport or encryption, the
//!   `required` attribute of `<encryption/>`, and `ptime`/`maxptime`
//!   values that differ between payload types or are missing on some
//!   (SDP has one per media section: the first is written).
//!
//! # Values are checked
//!
//! Jingle attributes are strings that may hold anything XML can, a CR LF
//! (`&#13;&#10;`) included, which would end an SDP line and start
//! another (an `m=` section of the peer's choosing). So every value that
//! [`to_sdp`] writes is first checked against the grammar of its SDP
//! field: RFC 8866 `token` (content names, semantics, media, encoding
//! names, `bwtype`, candidate transports, hash functions, rtcp-fb
//! subtypes, SSRC attribute names), `byte-string` (SSRC attribute
//! values), RFC 8839 `ice-char` (ufrag, pwd, foundation, with their
//! lengths), RFC 8122 fingerprints, addresses (IPv4, IPv6 or a domain
//! name), RFC 4568 crypto fields, RFC 4585 `rtcp-fb-id`, visible ASCII
//! extmap URIs, and `a=fmtp`, `a=extmap` and `a=rtcp-fb` parameter names
//! and values (no `=`, `;`, whitespace or control characters where they
//! would split or end them). A value that does not match is refused with
//! [`SdpError::Value`], which names its element path
//! (`content 'audio'/description/payload-type[id=111]/@name`), and is
//! never written. [`from_sdp`] holds what it reads to the same grammars,
//! so that what it accepts can be written back as it was read.
//!
//! Direction (`a=sendrecv` ... and `a=extmap:N/dir`) is relative to the
//! party that wrote the SDP; `senders` is absolute. The conversions take
//! that party as `author`. XEP-0294's example maps `a=extmap:2/recvonly`
//! in an offer to `senders='initiator'`; by RFC 8285 the offerer then
//! only receives, so this module maps it to the responder.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Cursor;

use ::sdp::description::common::{
    Address, Attribute, Bandwidth as SdpBandwidth, ConnectionInformation,
};
use ::sdp::description::media::{MediaDescription, MediaName, RangedPort};
use ::sdp::description::session::{Origin, SessionDescription, TimeDescription, Timing};
use xep_element::{Payload, XmlValue};

use crate::dtls::{Fingerprint, Setup};
use crate::grouping::{Group, GroupContent};
use crate::hdrext::{HdrextParameter, RtpHdrext};
use crate::ice_udp::{Candidate, CandidateType, RemoteCandidate, Transport};
use crate::jingle::{Content, Creator, Jingle, Senders};
use crate::raw_udp;
use crate::rtcp_fb::{FbParameter, RtcpFb, RtcpFbTrrInt};
use crate::rtp::{Bandwidth, Crypto, Description, Encryption, Parameter, PayloadType};
use crate::ssma::{Semantics, Source, SourceParameter, SsrcGroup};

/// Why a conversion failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdpError {
    /// The text is not SDP (the `sdp` crate's reason).
    Syntax(String),
    /// A line of a media section (or of the session, `media` `None`) is
    /// malformed.
    Attribute {
        /// The media section's `a=mid` (or its index) when inside one.
        media: Option<String>,
        /// The offending line.
        line: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A `<group/>` among the `<jingle/>`'s payloads does not parse.
    Group(String),
    /// A value from Jingle does not match the grammar of the SDP field
    /// it would be written to, so it is not written.
    Value {
        /// The Jingle element path to the value, as
        /// `content 'audio'/description/payload-type[id=111]/@name`.
        path: String,
        /// The value.
        value: String,
        /// The grammar it does not match.
        reason: String,
    },
    /// A content cannot be written as an SDP media section.
    Content {
        /// The content's name.
        content: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for SdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdpError::Syntax(r) => write!(f, "not SDP: {r}"),
            SdpError::Attribute {
                media: Some(m),
                line,
                reason,
            } => write!(f, "media section {m}: '{line}': {reason}"),
            SdpError::Attribute {
                media: None,
                line,
                reason,
            } => write!(f, "session: '{line}': {reason}"),
            SdpError::Group(r) => write!(f, "<jingle/>/<group/>: {r}"),
            SdpError::Value {
                path,
                value,
                reason,
            } => write!(f, "{path}: {value:?} {reason}"),
            SdpError::Content { content, reason } => write!(f, "content '{content}': {reason}"),
        }
    }
}

impl std::error::Error for SdpError {}

/// The grammar a value must match to be written into its SDP field, and
/// to be accepted when read from one. Each is the RFC's grammar for the
/// field, narrowed where noted so that what is written reads back as the
/// same value through [`parse`] (which trims each line and splits fields
/// at any whitespace, Unicode's included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// RFC 8866 `token`: content names (`a=mid`, RFC 5888
    /// `identification-tag`), group and ssrc-group semantics, media,
    /// encoding names, bandwidth types, candidate transports, fingerprint
    /// hash functions, rtcp-fb subtypes, SSRC attribute names.
    Token,
    /// RFC 8866 `byte-string` (no NUL, CR or LF) that ends its line, so
    /// not ending in whitespace, which the reader trims: an SSRC
    /// attribute's value (RFC 5576 `att-value`).
    LineEnd,
    /// `1*VCHAR`: an extmap URI (RFC 8285, RFC 3986 has no spaces) and
    /// RFC 4568 `key-params`.
    Visible,
    /// RFC 8839 `ice-char` (`ALPHA / DIGIT / "+" / "/"`), `min` to `max`
    /// of them: `ice-ufrag` 4-256, `ice-pwd` 22-256, a candidate
    /// `foundation` 1-32.
    Ice { min: usize, max: usize },
    /// RFC 8122 `fingerprint`: `2UHEX *(":" 2UHEX)` (lower case hex is
    /// accepted too: it is what some peers send, and it cannot end a line).
    Fingerprint,
    /// RFC 8866 `IP4-address`, `IP6-address` or `FQDN` (an mDNS name is
    /// one). Its `extn-addr` (any non-whitespace) is not taken: ICE and
    /// raw UDP carry addresses.
    Address,
    /// RFC 4568 `tag`: `1*9DIGIT`.
    Tag,
    /// RFC 4568 `crypto-suite`: `1*(ALPHA / DIGIT / "_")`.
    Suite,
    /// RFC 4568 session parameters: `1*VCHAR` each, one space apart (the
    /// reader splits them at whitespace and joins them with one space).
    SessionParams,
    /// RFC 4585 `rtcp-fb-id`: `1*(alpha-numeric / "-" / "_")`.
    FbId,
    /// An `a=fmtp` parameter name (RFC 8866 `fmtp` is a `byte-string`;
    /// the media types' `name=value;...` convention splits it): non-empty,
    /// no whitespace, control character, `=` or `;`.
    FmtpName,
    /// An `a=fmtp` parameter value: possibly empty, no NUL, CR, LF or
    /// `;`, and no whitespace at either end (the parameters are trimmed).
    FmtpValue,
    /// The name of an `a=extmap` or `a=rtcp-fb` parameter (Jingle's
    /// `name[=value]` words of RFC 8285 `extensionattributes` and RFC 4585
    /// `rtcp-fb-param`): RFC 8866 `non-ws-string` without `=`.
    ParamName,
    /// Its value: empty, or a `non-ws-string`.
    ParamValue,
}

impl Field {
    const UFRAG: Field = Field::Ice { min: 4, max: 256 };
    const PWD: Field = Field::Ice { min: 22, max: 256 };
    const FOUNDATION: Field = Field::Ice { min: 1, max: 32 };

    /// `Err(why)` when `v` does not match the grammar.
    fn check(self, v: &str) -> Result<(), &'static str> {
        let ok = match self {
            Field::Token => is_token(v),
            Field::LineEnd => is_byte_string(v) && !v.ends_with(char::is_whitespace),
            Field::Visible => is_visible(v),
            Field::Ice { min, max } => {
                (min..=max).contains(&v.len())
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            }
            Field::Fingerprint => v
                .split(':')
                .all(|h| h.len() == 2 && h.bytes().all(|b| b.is_ascii_hexdigit())),
            Field::Address => is_address(v),
            Field::Tag => (1..=9).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()),
            Field::Suite => {
                !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }
            Field::SessionParams => v.split(' ').all(is_visible),
            Field::FbId => {
                !v.is_empty()
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
            Field::FmtpName => is_non_ws_string(v) && !v.contains(['=', ';']),
            Field::FmtpValue => {
                (v.is_empty() || is_byte_string(v)) && !v.contains(';') && v.trim() == v
            }
            Field::ParamName => is_non_ws_string(v) && !v.contains('='),
            Field::ParamValue => v.is_empty() || is_non_ws_string(v),
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Field::Token => "is not an RFC 8866 token",
            Field::LineEnd => {
                "is not an RFC 8866 byte-string (non-empty, no NUL, CR or LF) without whitespace at its end"
            }
            Field::Visible => "is not visible ASCII without spaces (1*VCHAR)",
            Field::Ice { .. } if self == Field::UFRAG => {
                "is not an RFC 8839 ice-ufrag (4 to 256 of ALPHA, DIGIT, '+' and '/')"
            }
            Field::Ice { .. } if self == Field::PWD => {
                "is not an RFC 8839 ice-pwd (22 to 256 of ALPHA, DIGIT, '+' and '/')"
            }
            Field::Ice { .. } => {
                "is not an RFC 8839 foundation (1 to 32 of ALPHA, DIGIT, '+' and '/')"
            }
            Field::Fingerprint => "is not an RFC 8122 fingerprint (hex pairs separated by ':')",
            Field::Address => "is not an IPv4 or IPv6 address or a domain name (RFC 8866)",
            Field::Tag => "is not an RFC 4568 tag (1 to 9 digits)",
            Field::Suite => "is not an RFC 4568 crypto-suite (ALPHA, DIGIT and '_')",
            Field::SessionParams => {
                "is not RFC 4568 session parameters (visible ASCII words, one space apart)"
            }
            Field::FbId => "is not an RFC 4585 rtcp-fb-id (ALPHA, DIGIT, '-' and '_')",
            Field::FmtpName => {
                "is not an fmtp parameter name (non-empty, no whitespace, control character, '=' or ';')"
            }
            Field::FmtpValue => {
                "is not an fmtp parameter value (no NUL, CR, LF or ';', no whitespace at its ends)"
            }
            Field::ParamName => {
                "is not a parameter name (non-empty, no whitespace, control character or '=')"
            }
            Field::ParamValue => "is not a parameter value (no whitespace or control character)",
        })
    }
}

/// RFC 8866 `token-char`: `%x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 /
/// %x41-5A / %x5E-7E`.
fn is_token(v: &str) -> bool {
    !v.is_empty()
        && v.bytes().all(|b| {
            matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'^'..=b'~')
        })
}

/// RFC 8866 `byte-string`: `1*(%x01-09 / %x0B-0C / %x0E-FF)`.
fn is_byte_string(v: &str) -> bool {
    !v.is_empty() && !v.contains(['\0', '\r', '\n'])
}

/// RFC 8866 `non-ws-string`: `1*(VCHAR / %x80-FF)`, less the non-ASCII
/// whitespace the reader splits at.
fn is_non_ws_string(v: &str) -> bool {
    !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_whitespace()))
}

/// `1*VCHAR`.
fn is_visible(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic())
}

/// RFC 8866 `IP4-address / IP6-address / FQDN` (`FQDN = 4*(alpha-numeric
/// / "-" / ".")`).
fn is_address(v: &str) -> bool {
    v.parse::<std::net::IpAddr>().is_ok()
        || (v.len() >= 4
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
}

/// Checks a value taken from Jingle against the grammar of the SDP field
/// it goes to; `path` names its element. What does not match is refused,
/// never written.
fn valid(field: Field, value: &str, path: impl FnOnce() -> String) -> Result<(), SdpError> {
    field.check(value).map_err(|reason| SdpError::Value {
        path: path(),
        value: value.to_string(),
        reason: reason.to_string(),
    })
}

/// Checks a value read from SDP against the grammar [`to_sdp`] writes it
/// with (the same [`Field`]), so that whatever [`from_sdp`] accepts can be
/// written back as it was read. `what` names it in the reason.
fn read_valid(field: Field, value: &str, what: &str) -> Result<(), String> {
    field
        .check(value)
        .map_err(|reason| format!("{what} {value:?} {reason}"))
}

/// Something one side expresses that the other cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// The media section or content it belongs to (`None`: the session).
    pub media: Option<String>,
    /// The SDP line (`a=msid:...`) or a description of the Jingle item.
    pub what: String,
}

/// Jingle contents and groups read from SDP.
#[derive(Debug, Clone, PartialEq)]
pub struct FromSdp {
    /// One content per `audio`/`video` media section, in order, with an
    /// RTP description and an ICE-UDP transport.
    pub contents: Vec<Content>,
    /// The `a=group` lines (XEP-0338 `<group/>`, children of `<jingle/>`).
    pub groups: Vec<Group>,
    /// What SDP said that Jingle cannot carry.
    pub unmapped: Vec<Unmapped>,
}

/// SDP written from Jingle contents.
#[derive(Debug, Clone)]
pub struct ToSdp {
    /// The session description (`.marshal()` gives the text).
    pub sdp: SessionDescription,
    /// What the contents said that SDP cannot carry.
    pub unmapped: Vec<Unmapped>,
}

/// Reads SDP text.
pub fn parse(text: &str) -> Result<SessionDescription, SdpError> {
    SessionDescription::unmarshal(&mut Cursor::new(text.as_bytes()))
        .map_err(|e| SdpError::Syntax(e.to_string()))
}

/// The XEP-0338 groups among a `<jingle/>`'s payloads.
pub fn groups(jingle: &Jingle) -> Result<Vec<Group>, SdpError> {
    jingle
        .payloads
        .iter()
        .filter_map(|p| p.get::<Group>())
        .map(|g| g.map_err(|e| SdpError::Group(e.to_string())))
        .collect()
}

/// The direction attribute for `senders`, seen from `author`.
fn direction(senders: Senders, author: Creator) -> &'static str {
    match (senders, author) {
        (Senders::Both, _) => "sendrecv",
        (Senders::None, _) => "inactive",
        (Senders::Initiator, Creator::Initiator) | (Senders::Responder, Creator::Responder) => {
            "sendonly"
        }
        _ => "recvonly",
    }
}

/// `senders` for a direction attribute written by `author`.
fn senders(direction: &str, author: Creator) -> Option<Senders> {
    let (me, peer) = match author {
        Creator::Initiator => (Senders::Initiator, Senders::Responder),
        Creator::Responder => (Senders::Responder, Senders::Initiator),
    };
    Some(match direction {
        "sendrecv" => Senders::Both,
        "inactive" => Senders::None,
        "sendonly" => me,
        "recvonly" => peer,
        _ => return None,
    })
}

fn attr(key: &str, value: impl Into<String>) -> Attribute {
    Attribute {
        key: key.to_string(),
        value: Some(value.into()),
    }
}

fn flag(key: &str) -> Attribute {
    Attribute {
        key: key.to_string(),
        value: None,
    }
}

/// Writes `name=value`, or `name` alone when there is no value
/// (XEP-0293/0294's parameters not in `a=b` form). An empty value is
/// `name=`, so that it reads back as written.
fn param(name: &str, value: Option<&str>) -> String {
    match value {
        Some(v) => format!("{name}={v}"),
        None => name.to_string(),
    }
}

/// Checks a `name[=value]` word of `a=extmap` or `a=rtcp-fb` as read.
fn read_param(name: &str, value: Option<&str>, what: &str) -> Result<(), String> {
    read_valid(
        Field::ParamName,
        name,
        &format!("the {what} parameter name"),
    )?;
    match value {
        Some(v) => read_valid(Field::ParamValue, v, &format!("the {what} parameter value")),
        None => Ok(()),
    }
}

fn split_param(token: &str) -> (String, Option<String>) {
    match token.split_once('=') {
        Some((n, v)) => (n.to_string(), Some(v.to_string())),
        None => (token.to_string(), None),
    }
}

fn typed<T: xep_element::XmlElement + Clone + 'static>(
    p: Option<&Payload>,
    content: &str,
) -> Result<Option<T>, SdpError> {
    match p.and_then(|p| p.get::<T>()) {
        None => Ok(None),
        Some(Ok(v)) => Ok(Some(v)),
        Some(Err(e)) => Err(SdpError::Content {
            content: content.to_string(),
            reason: e.to_string(),
        }),
    }
}

/// Writes `contents` (each with an XEP-0167 RTP description and an
/// XEP-0176 ICE-UDP transport, or none) and `groups` as an SDP offer or
/// answer written by `author`.
pub fn to_sdp(contents: &[Content], groups: &[Group], author: Creator) -> Result<ToSdp, SdpError> {
    let mut unmapped = Vec::new();
    let mut session = SessionDescription {
        version: 0,
        origin: Origin {
            username: "-".into(),
            session_id: 0,
            session_version: 2,
            network_type: "IN".into(),
            address_type: "IP4".into(),
            unicast_address: "127.0.0.1".into(),
        },
        session_name: "-".into(),
        session_information: None,
        uri: None,
        email_address: None,
        phone_number: None,
        connection_information: None,
        bandwidth: vec![],
        time_descriptions: vec![TimeDescription {
            timing: Timing {
                start_time: 0,
                stop_time: 0,
            },
            repeat_times: vec![],
        }],
        time_zones: vec![],
        encryption_key: None,
        attributes: vec![],
        media_descriptions: vec![],
    };
    for (i, g) in groups.iter().enumerate() {
        let i = i + 1;
        valid(Field::Token, &g.semantics, || {
            format!("group[{i}]/@semantics")
        })?;
        let mut v = g.semantics.clone();
        for (j, c) in g.contents.iter().enumerate() {
            let j = j + 1;
            valid(Field::Token, &c.name, || {
                format!("group[{i}]/content[{j}]/@name")
            })?;
            v.push(' ');
            v.push_str(&c.name);
        }
        session.attributes.push(attr("group", v));
    }
    for c in contents {
        session
            .media_descriptions
            .push(media_to_sdp(c, author, &mut unmapped)?);
    }
    Ok(ToSdp {
        sdp: session,
        unmapped,
    })
}

fn media_to_sdp(
    c: &Content,
    author: Creator,
    unmapped: &mut Vec<Unmapped>,
) -> Result<MediaDescription, SdpError> {
    let name = c.name.as_str();
    // The content's element path, for the values checked below; the
    // name is checked first, so that the errors after it can quote it.
    let at = |rest: &str| format!("content '{}'/{rest}", name.escape_debug());
    valid(Field::Token, name, || at("@name"))?;
    let mut note = |what: String| {
        unmapped.push(Unmapped {
            media: Some(name.to_string()),
            what,
        })
    };
    let desc: Description = typed(c.description(), name)?.ok_or_else(|| SdpError::Content {
        content: name.to_string(),
        reason: "no XEP-0167 RTP <description/>: only RTP contents map to SDP here".into(),
    })?;
    let raw: Option<raw_udp::Transport> = typed(c.transport(), name)?;
    let transport: Transport = match (c.transport(), &raw) {
        (None, _) | (Some(_), Some(_)) => Transport::default(),
        (Some(p), None) => typed(Some(p), name)?.ok_or_else(|| SdpError::Content {
            content: name.to_string(),
            reason: format!(
                "transport {} has no SDP mapping (XEP-0176 ICE-UDP and XEP-0177 raw UDP have)",
                crate::jingle::payload_ns(p)
            ),
        })?,
    };
    valid(Field::Token, &desc.media, || at("description/@media"))?;
    if desc.payload_types.is_empty() {
        return Err(SdpError::Content {
            content: name.to_string(),
            reason: "no payload types: an m= line needs at least one format (RFC 4566 §5.14)"
                .into(),
        });
    }
    if let Some(d) = &c.disposition {
        note(format!("disposition '{d}'"));
    }
    if let Some(s) = desc.ssrc {
        note(format!("description ssrc '{s}'"));
    }
    for e in desc.extensions.iter().chain(&transport.extensions) {
        let el = e.to_element();
        note(format!("extension <{} xmlns='{}'/>", el.name(), el.ns()));
    }

    let mut a = Vec::new();
    for (i, cand) in transport.candidates.iter().enumerate() {
        let p = |attr: &str| at(&format!("transport/candidate[{}]/@{attr}", i + 1));
        valid(Field::FOUNDATION, &cand.foundation, || p("foundation"))?;
        valid(Field::Token, &cand.protocol, || p("protocol"))?;
        valid(Field::Address, &cand.ip, || p("ip"))?;
        if let Some(r) = &cand.rel_addr {
            valid(Field::Address, r, || p("rel-addr"))?;
        }
        if cand.priority == 0 {
            // Not the grammar (1*10DIGIT) but RFC 8445, which from_sdp
            // holds the line to: it would not read back.
            return Err(SdpError::Value {
                path: p("priority"),
                value: "0".into(),
                reason: "is not a positive priority (RFC 8445)".into(),
            });
        }
        a.push(attr("candidate", candidate_line(cand)));
    }
    if let Some(r) = &transport.remote_candidate {
        valid(Field::Address, &r.ip, || {
            at("transport/remote-candidate/@ip")
        })?;
        a.push(attr(
            "remote-candidates",
            format!("{} {} {}", r.component, r.ip, r.port),
        ));
    }
    if let Some(u) = &transport.ufrag {
        valid(Field::UFRAG, u, || at("transport/@ufrag"))?;
        a.push(attr("ice-ufrag", u.as_str()));
    }
    if let Some(p) = &transport.pwd {
        valid(Field::PWD, p, || at("transport/@pwd"))?;
        a.push(attr("ice-pwd", p.as_str()));
    }
    for (i, f) in transport.fingerprints.iter().enumerate() {
        let p = || at(&format!("transport/fingerprint[{}]", i + 1));
        valid(Field::Token, &f.hash, || p() + "/@hash")?;
        valid(Field::Fingerprint, &f.value, p)?;
        a.push(attr("fingerprint", format!("{} {}", f.hash, f.value)));
    }
    if let Some(f) = transport.fingerprints.first() {
        if transport.fingerprints.iter().any(|g| g.setup != f.setup) {
            return Err(SdpError::Content {
                content: name.to_string(),
                reason: "fingerprints with different setup roles: SDP has one a=setup".into(),
            });
        }
        a.push(attr("setup", f.setup.to_xml()));
    }
    a.push(attr("mid", name));
    for (i, h) in desc.hdrexts.iter().enumerate() {
        let p = |rest: &str| at(&format!("description/rtp-hdrext[{}]{rest}", i + 1));
        valid(Field::Visible, &h.uri, || p("/@uri"))?;
        let mut v = h.id.to_string();
        if let Some(s) = h.senders {
            v.push('/');
            v.push_str(direction(s, author));
        }
        v.push(' ');
        v.push_str(&h.uri);
        for (j, hp) in h.parameters.iter().enumerate() {
            let pp = |attr: &str| p(&format!("/parameter[{}]/@{attr}", j + 1));
            valid(Field::ParamName, &hp.name, || pp("name"))?;
            if let Some(value) = &hp.value {
                valid(Field::ParamValue, value, || pp("value"))?;
            }
            v.push(' ');
            v.push_str(&param(&hp.name, hp.value.as_deref()));
        }
        a.push(attr("extmap", v));
    }
    if desc.extmap_allow_mixed {
        a.push(flag("extmap-allow-mixed"));
    }
    a.push(flag(direction(c.senders(), author)));
    if desc.rtcp_mux {
        a.push(flag("rtcp-mux"));
    }
    for (i, fb) in desc.rtcp_fbs.iter().enumerate() {
        let v = fb_value(fb, |rest| {
            at(&format!("description/rtcp-fb[{}]{rest}", i + 1))
        })?;
        a.push(attr("rtcp-fb", format!("* {v}")));
    }
    for t in &desc.rtcp_fb_trr_ints {
        a.push(attr("rtcp-fb", format!("* trr-int {}", t.value)));
    }
    let mut ptime: Option<u32> = None;
    let mut maxptime: Option<u32> = None;
    for pt in &desc.payload_types {
        let ptp = |rest: &str| at(&format!("description/payload-type[id={}]{rest}", pt.id));
        if let Some(n) = &pt.name {
            valid(Field::Token, n, || ptp("/@name"))?;
            let mut v = format!("{} {}/{}", pt.id, n, pt.clockrate.unwrap_or(0));
            if pt.clockrate.is_none() {
                return Err(SdpError::Content {
                    content: name.to_string(),
                    reason: format!(
                        "payload type {} has a name but no clockrate (a=rtpmap needs both)",
                        pt.id
                    ),
                });
            }
            if let Some(ch) = pt.channels {
                v.push_str(&format!("/{ch}"));
            }
            a.push(attr("rtpmap", v));
        }
        for (i, fb) in pt.rtcp_fbs.iter().enumerate() {
            let v = fb_value(fb, |rest| ptp(&format!("/rtcp-fb[{}]{rest}", i + 1)))?;
            a.push(attr("rtcp-fb", format!("{} {v}", pt.id)));
        }
        for t in &pt.rtcp_fb_trr_ints {
            a.push(attr("rtcp-fb", format!("{} trr-int {}", pt.id, t.value)));
        }
        for (j, p) in pt.parameters.iter().enumerate() {
            let pp = |attr: &str| ptp(&format!("/parameter[{}]/@{attr}", j + 1));
            valid(Field::FmtpName, &p.name, || pp("name"))?;
            valid(Field::FmtpValue, &p.value, || pp("value"))?;
        }
        if !pt.parameters.is_empty() {
            let ps: Vec<String> = pt
                .parameters
                .iter()
                // A bare fmtp token (`0-15`) is a name with an empty value.
                .map(|p| param(&p.name, Some(p.value.as_str()).filter(|v| !v.is_empty())))
                .collect();
            a.push(attr("fmtp", format!("{} {}", pt.id, ps.join(";"))));
        }
        for (slot, value, key) in [
            (&mut ptime, pt.ptime, "ptime"),
            (&mut maxptime, pt.maxptime, "maxptime"),
        ] {
            match (slot.as_ref(), value) {
                (None, Some(v)) => *slot = Some(v),
                (Some(first), Some(v)) if *first != v => note(format!(
                    "payload type {} {key} {v} (a={key}:{first} written)",
                    pt.id
                )),
                _ => {}
            }
        }
    }
    for (key, value, get) in [
        (
            "ptime",
            ptime,
            (|p: &PayloadType| p.ptime) as fn(&PayloadType) -> Option<u32>,
        ),
        ("maxptime", maxptime, |p: &PayloadType| p.maxptime),
    ] {
        if let Some(v) = value {
            for pt in desc.payload_types.iter().filter(|p| get(p).is_none()) {
                note(format!(
                    "payload type {} has no {key} (a={key}:{v} applies to it)",
                    pt.id
                ));
            }
        }
    }
    if let Some(p) = ptime {
        a.push(attr("ptime", p.to_string()));
    }
    if let Some(p) = maxptime {
        a.push(attr("maxptime", p.to_string()));
    }
    if let Some(enc) = &desc.encryption {
        if enc.required.is_some() {
            note("encryption 'required' attribute".into());
        }
        for e in &enc.extensions {
            let el = e.to_element();
            note(format!(
                "encryption extension <{} xmlns='{}'/>",
                el.name(),
                el.ns()
            ));
        }
        for (i, cr) in enc.cryptos.iter().enumerate() {
            let p = |attr: &str| at(&format!("description/encryption/crypto[{}]/@{attr}", i + 1));
            valid(Field::Tag, &cr.tag, || p("tag"))?;
            valid(Field::Suite, &cr.crypto_suite, || p("crypto-suite"))?;
            valid(Field::Visible, &cr.key_params, || p("key-params"))?;
            if let Some(sp) = &cr.session_params {
                valid(Field::SessionParams, sp, || p("session-params"))?;
            }
            let mut v = format!("{} {} {}", cr.tag, cr.crypto_suite, cr.key_params);
            if let Some(s) = &cr.session_params {
                v.push(' ');
                v.push_str(s);
            }
            a.push(attr("crypto", v));
        }
    }
    for (i, g) in desc.ssrc_groups.iter().enumerate() {
        let mut v = g.semantics.to_xml().into_owned();
        valid(Field::Token, &v, || {
            at(&format!("description/ssrc-group[{}]/@semantics", i + 1))
        })?;
        for s in &g.sources {
            v.push_str(&format!(" {}", s.ssrc));
        }
        a.push(attr("ssrc-group", v));
    }
    for s in &desc.sources {
        if s.parameters.is_empty() {
            note(format!(
                "source {} without parameters (a=ssrc needs an attribute)",
                s.ssrc
            ));
        }
        for (j, p) in s.parameters.iter().enumerate() {
            let pp = |attr: &str| {
                at(&format!(
                    "description/source[ssrc={}]/parameter[{}]/@{attr}",
                    s.ssrc,
                    j + 1
                ))
            };
            // RFC 5576: `att-field` is a token (it cannot hold the `:`),
            // `att-value` a byte-string.
            valid(Field::Token, &p.name, || pp("name"))?;
            if let Some(v) = &p.value {
                valid(Field::LineEnd, v, || pp("value"))?;
            }
            let v = match &p.value {
                Some(v) => format!("{} {}:{}", s.ssrc, p.name, v),
                None => format!("{} {}", s.ssrc, p.name),
            };
            a.push(attr("ssrc", v));
        }
    }

    let feedback = !desc.rtcp_fbs.is_empty()
        || !desc.rtcp_fb_trr_ints.is_empty()
        || desc
            .payload_types
            .iter()
            .any(|p| !p.rtcp_fbs.is_empty() || !p.rtcp_fb_trr_ints.is_empty());
    let proto = match (
        !transport.fingerprints.is_empty(),
        desc.encryption.is_some(),
        feedback,
    ) {
        (true, _, _) => "UDP/TLS/RTP/SAVPF",
        (false, true, true) => "RTP/SAVPF",
        (false, true, false) => "RTP/SAVP",
        (false, false, true) => "RTP/AVPF",
        (false, false, false) => "RTP/AVP",
    };
    let bandwidth = match &desc.bandwidth {
        None => vec![],
        Some(b) => {
            let value = b
                .value
                .trim()
                .parse::<u64>()
                .map_err(|_| SdpError::Content {
                    content: name.to_string(),
                    reason: format!("bandwidth '{}' is not a number (SDP b= needs one)", b.value),
                })?;
            let (experimental, bandwidth_type) = match b.type_.strip_prefix("X-") {
                Some(t) => (true, t.to_string()),
                None => (false, b.type_.clone()),
            };
            // RFC 8866 `bwtype` is a token; `X-` is written by the sdp
            // crate in front of an experimental one.
            if let Err(reason) = Field::Token.check(&bandwidth_type) {
                return Err(SdpError::Value {
                    path: at("description/bandwidth/@type"),
                    value: b.type_.clone(),
                    reason: reason.into(),
                });
            }
            vec![SdpBandwidth {
                experimental,
                bandwidth_type,
                bandwidth: value,
            }]
        }
    };
    // Raw UDP (XEP-0177): the RTP candidate is the m= port and c=
    // address, the RTCP one a=rtcp (RFC 3605); ICE: JSEP's placeholders.
    let (mut port, mut address) = (9, "0.0.0.0".to_string());
    if let Some(raw) = &raw {
        if !raw.candidates.iter().any(|c| c.component == 1) {
            return Err(SdpError::Content {
                content: name.to_string(),
                reason: "a raw-udp transport without an RTP (component 1) candidate has no m= port and c= address".into(),
            });
        }
        for (n, cand) in raw.candidates.iter().enumerate() {
            let first = raw.candidates[..n]
                .iter()
                .all(|o| o.component != cand.component);
            if first && matches!(cand.component, 1 | 2) {
                // Written as the c= address or in a=rtcp.
                valid(Field::Address, &cand.ip, || {
                    at(&format!("transport/candidate[{}]/@ip", n + 1))
                })?;
            }
            match cand.component {
                1 if first => {
                    port = cand.port as isize; // u16 always fits
                    address = cand.ip.clone();
                    if cand.port == 9 {
                        note(format!(
                            "raw-udp candidate {}: port 9 is JSEP's placeholder, read back as no address",
                            cand.id
                        ));
                    }
                }
                2 if first => a.push(attr(
                    "rtcp",
                    format!("{} IN {} {}", cand.port, ip_version(&cand.ip), cand.ip),
                )),
                _ => note(format!(
                    "raw-udp candidate {} (component {}, {}:{}): SDP has one address per component",
                    cand.id, cand.component, cand.ip, cand.port
                )),
            }
            if let Some(t) = cand.type_ {
                note(format!(
                    "raw-udp candidate {} type '{}'",
                    cand.id,
                    t.to_xml()
                ));
            }
            if cand.generation != 0 {
                note(format!(
                    "raw-udp candidate {} generation {}",
                    cand.id, cand.generation
                ));
            }
        }
    }
    Ok(MediaDescription {
        media_name: MediaName {
            media: desc.media.clone(),
            port: RangedPort {
                value: port,
                range: None,
            },
            protos: proto.split('/').map(str::to_string).collect(),
            formats: desc
                .payload_types
                .iter()
                .map(|p| p.id.to_string())
                .collect(),
        },
        media_title: None,
        connection_information: Some(ConnectionInformation {
            network_type: "IN".into(),
            address_type: ip_version(&address).into(),
            address: Some(Address {
                address,
                ttl: None,
                range: None,
            }),
        }),
        bandwidth,
        encryption_key: None,
        attributes: a,
    })
}

/// `IP6` for an address with a colon, `IP4` otherwise.
fn ip_version(ip: &str) -> &'static str {
    if ip.contains(':') { "IP6" } else { "IP4" }
}

/// The `a=rtcp-fb` value after the payload type, with its values checked
/// (`at` gives the element path of `fb` followed by its argument).
fn fb_value(fb: &RtcpFb, at: impl Fn(&str) -> String) -> Result<String, SdpError> {
    valid(Field::FbId, &fb.type_, || at("/@type"))?;
    if fb.type_ == "trr-int" {
        // It would read back as <rtcp-fb-trr-int/>.
        return Err(SdpError::Value {
            path: at("/@type"),
            value: fb.type_.clone(),
            reason: "is <rtcp-fb-trr-int/>'s, not <rtcp-fb/>'s (XEP-0293)".into(),
        });
    }
    let mut v = fb.type_.clone();
    if let Some(s) = &fb.subtype {
        valid(Field::Token, s, || at("/@subtype"))?;
        v.push(' ');
        v.push_str(s);
    }
    for (j, p) in fb.parameters.iter().enumerate() {
        let pp = |attr: &str| at(&format!("/parameter[{}]/@{attr}", j + 1));
        valid(Field::ParamName, &p.name, || pp("name"))?;
        match &p.value {
            Some(value) => valid(Field::ParamValue, value, || pp("value"))?,
            // The first bare word after the type is the subtype.
            None if fb.subtype.is_none() && j == 0 => {
                return Err(SdpError::Value {
                    path: pp("value"),
                    value: String::new(),
                    reason: "is missing: without a subtype, a bare first parameter reads back as the subtype".into(),
                });
            }
            None => {}
        }
        v.push(' ');
        v.push_str(&param(&p.name, p.value.as_deref()));
    }
    Ok(v)
}

fn candidate_line(c: &Candidate) -> String {
    let mut v = format!(
        "{} {} {} {} {} {} typ {}",
        c.foundation,
        c.component,
        c.protocol,
        c.priority,
        c.ip,
        c.port,
        c.type_.to_xml()
    );
    if let Some(a) = &c.rel_addr {
        v.push_str(&format!(" raddr {a}"));
    }
    if let Some(p) = c.rel_port {
        v.push_str(&format!(" rport {p}"));
    }
    v.push_str(&format!(" generation {}", c.generation));
    if let Some(n) = c.network {
        v.push_str(&format!(" network-id {n}"));
    }
    v
}

/// Reads the `audio` and `video` media sections of `sdp`, written by
/// `author`, as contents created by `creator` (the initiator for a
/// session-initiate, say), with the groups of the session.
pub fn from_sdp(
    sdp: &SessionDescription,
    author: Creator,
    creator: Creator,
) -> Result<FromSdp, SdpError> {
    let mut out = FromSdp {
        contents: vec![],
        groups: vec![],
        unmapped: vec![],
    };
    // Session-level defaults for every media section.
    let mut defaults = MediaState::default();
    for a in &sdp.attributes {
        let line = a.to_string();
        let err = |reason: String| SdpError::Attribute {
            media: None,
            line: format!("a={line}"),
            reason,
        };
        let value = a.value.as_deref().unwrap_or("");
        match a.key.as_str() {
            "group" => {
                let mut it = value.split_whitespace();
                let semantics = it
                    .next()
                    .ok_or_else(|| err("a group needs its semantics".into()))?;
                // RFC 5888: the semantics and identification-tags are tokens.
                read_valid(Field::Token, semantics, "the group semantics").map_err(err)?;
                let mut contents = Vec::new();
                for n in it {
                    read_valid(Field::Token, n, "a group content name").map_err(err)?;
                    contents.push(GroupContent {
                        name: n.to_string(),
                    });
                }
                out.groups.push(Group {
                    semantics: semantics.to_string(),
                    contents,
                });
            }
            "ice-ufrag" | "ice-pwd" | "fingerprint" | "setup" | "extmap-allow-mixed" => {
                defaults.transport_attr(a).map_err(err)?;
            }
            _ => out.unmapped.push(Unmapped {
                media: None,
                what: format!("a={line}"),
            }),
        }
    }
    for (index, m) in sdp.media_descriptions.iter().enumerate() {
        let mid = m
            .attribute("mid")
            .flatten()
            .map(str::to_string)
            .unwrap_or_else(|| index.to_string());
        let media = &m.media_name.media;
        if media != "audio" && media != "video" {
            out.unmapped.push(Unmapped {
                media: Some(mid),
                what: format!("m={} (not an RTP audio or video section)", m.media_name),
            });
            continue;
        }
        // The content name: RFC 5888 `identification-tag`, a token.
        read_valid(Field::Token, &mid, "the content name (a=mid)").map_err(|reason| {
            SdpError::Attribute {
                media: Some(index.to_string()),
                line: format!("a=mid:{}", mid.escape_debug()),
                reason,
            }
        })?;
        out.contents.push(media_from_sdp(
            m,
            &mid,
            sdp.connection_information.as_ref(),
            &defaults,
            author,
            creator,
            &mut out.unmapped,
        )?);
    }
    Ok(out)
}

/// ICE and DTLS attributes, which may sit at session level.
#[derive(Default, Clone)]
struct MediaState {
    ufrag: Option<String>,
    pwd: Option<String>,
    fingerprints: Vec<(String, String)>,
    setup: Option<Setup>,
    extmap_allow_mixed: bool,
}

impl MediaState {
    fn transport_attr(&mut self, a: &Attribute) -> Result<(), String> {
        let value = a.value.clone().unwrap_or_default();
        match a.key.as_str() {
            "ice-ufrag" => {
                read_valid(Field::UFRAG, &value, "the ICE ufrag")?;
                self.ufrag = Some(value)
            }
            "ice-pwd" => {
                read_valid(Field::PWD, &value, "the ICE pwd")?;
                self.pwd = Some(value)
            }
            "fingerprint" => {
                let (hash, fp) = value
                    .split_once(' ')
                    .ok_or("a fingerprint is '<hash-func> <fingerprint>' (RFC 8122)")?;
                let fp = fp.trim();
                read_valid(Field::Token, hash, "the fingerprint hash function")?;
                read_valid(Field::Fingerprint, fp, "the fingerprint")?;
                self.fingerprints.push((hash.to_string(), fp.to_string()));
            }
            "setup" => {
                self.setup = Some(Setup::from_xml(&value).map_err(|_| {
                    format!(
                        "setup '{value}' is not active, passive, actpass or holdconn (RFC 4145)"
                    )
                })?)
            }
            "extmap-allow-mixed" => self.extmap_allow_mixed = true,
            _ => unreachable!("only the keys matched by the callers"),
        }
        Ok(())
    }
}

fn number<T: std::str::FromStr>(s: Option<&str>, what: &str) -> Result<T, String> {
    let s = s.ok_or_else(|| format!("{what} is missing"))?;
    s.parse()
        .map_err(|_| format!("{what} '{s}' is not a number in range"))
}

#[allow(clippy::too_many_arguments)] // the session's context, passed down
fn media_from_sdp(
    m: &MediaDescription,
    mid: &str,
    session_connection: Option<&ConnectionInformation>,
    defaults: &MediaState,
    author: Creator,
    creator: Creator,
    unmapped: &mut Vec<Unmapped>,
) -> Result<Content, SdpError> {
    let mut state = defaults.clone();
    if m.has_attribute("fingerprint") {
        // The media section's own fingerprints replace the session's.
        state.fingerprints.clear();
    }
    let mut desc = Description::new(m.media_name.media.clone());
    // Payload types in m= order; attributes fill them in.
    let mut pts: Vec<PayloadType> = Vec::new();
    for f in &m.media_name.formats {
        let id: u8 = f.parse().map_err(|_| SdpError::Attribute {
            media: Some(mid.to_string()),
            line: format!("m={}", m.media_name),
            reason: format!("format '{f}' is not an RTP payload type (0-127)"),
        })?;
        pts.push(PayloadType {
            id,
            ..PayloadType::default()
        });
    }
    let index: BTreeMap<u8, usize> = pts.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let mut transport = Transport::default();
    let mut senders_attr = Senders::Both;
    let mut ptime = None;
    let mut maxptime = None;
    let mut sources: Vec<Source> = Vec::new();
    let mut crypto = Vec::new();
    let mut rtcp: Option<String> = None;
    let mut note = |what: String| {
        unmapped.push(Unmapped {
            media: Some(mid.to_string()),
            what,
        })
    };
    for (i, b) in m.bandwidth.iter().enumerate() {
        if i == 0 {
            read_valid(Field::Token, &b.bandwidth_type, "the bandwidth type").map_err(
                |reason| SdpError::Attribute {
                    media: Some(mid.to_string()),
                    line: format!("b={b}"),
                    reason,
                },
            )?;
            desc.bandwidth = Some(Bandwidth {
                type_: if b.experimental {
                    format!("X-{}", b.bandwidth_type)
                } else {
                    b.bandwidth_type.clone()
                },
                value: b.bandwidth.to_string(),
            });
        } else {
            note(format!("b={b}"));
        }
    }
    for a in &m.attributes {
        let line = format!("a={a}");
        let value = a.value.as_deref().unwrap_or("");
        let fail = |reason: String| SdpError::Attribute {
            media: Some(mid.to_string()),
            line: line.clone(),
            reason,
        };
        // The payload type a per-format attribute names.
        let pt_of = |tok: Option<&str>| -> Result<Option<usize>, SdpError> {
            let id: u8 = number(tok, "the payload type").map_err(fail)?;
            Ok(index.get(&id).copied())
        };
        match a.key.as_str() {
            "mid" => {}
            "ice-ufrag" | "ice-pwd" | "fingerprint" | "setup" | "extmap-allow-mixed" => {
                state.transport_attr(a).map_err(fail)?
            }
            "sendrecv" | "sendonly" | "recvonly" | "inactive" => {
                senders_attr = senders(&a.key, author).expect("matched above")
            }
            "rtcp-mux" => desc.rtcp_mux = true,
            "rtpmap" => {
                let (pt, rest) = value
                    .split_once(' ')
                    .ok_or_else(|| fail("a=rtpmap is '<pt> <name>/<clock>[/<channels>]'".into()))?;
                let Some(i) = pt_of(Some(pt))? else {
                    note(format!("{line} (payload type not in the m= line)"));
                    continue;
                };
                let mut parts = rest.trim().split('/');
                let p = &mut pts[i];
                let name = parts.next().unwrap_or_default();
                read_valid(Field::Token, name, "the encoding name").map_err(fail)?;
                p.name = Some(name.to_string());
                p.clockrate = Some(number(parts.next(), "the clock rate").map_err(fail)?);
                if let Some(ch) = parts.next() {
                    p.channels = Some(number(Some(ch), "the channel count").map_err(fail)?);
                }
            }
            "fmtp" => {
                let (pt, rest) = value
                    .split_once(' ')
                    .ok_or_else(|| fail("a=fmtp is '<pt> <parameters>'".into()))?;
                let Some(i) = pt_of(Some(pt))? else {
                    note(format!("{line} (payload type not in the m= line)"));
                    continue;
                };
                for tok in rest.split(';').map(str::trim).filter(|t| !t.is_empty()) {
                    let (name, value) = split_param(tok);
                    // `a=fmtp:125 =` has an empty name, which would be
                    // written back as nothing (`a=fmtp:125 `); a CR in a
                    // name would be written raw and end the line. Refused
                    // as to_sdp refuses them: a format parameter has a name.
                    read_valid(Field::FmtpName, &name, "the fmtp parameter name").map_err(fail)?;
                    if let Some(v) = &value {
                        read_valid(Field::FmtpValue, v, "the fmtp parameter value")
                            .map_err(fail)?;
                    }
                    pts[i].parameters.push(Parameter {
                        name,
                        value: value.unwrap_or_default(),
                    });
                }
            }
            "rtcp-fb" => {
                let mut it = value.split_whitespace();
                let pt = it.next();
                let ty = it
                    .next()
                    .ok_or_else(|| fail("a=rtcp-fb is '<pt|*> <type> [...]' (RFC 4585)".into()))?;
                read_valid(Field::FbId, ty, "the rtcp-fb type").map_err(fail)?;
                let target = if pt == Some("*") {
                    None
                } else {
                    match pt_of(pt)? {
                        Some(i) => Some(i),
                        None => {
                            note(format!("{line} (payload type not in the m= line)"));
                            continue;
                        }
                    }
                };
                if ty == "trr-int" {
                    let t = RtcpFbTrrInt {
                        value: number(it.next(), "the trr-int interval").map_err(fail)?,
                    };
                    match target {
                        None => desc.rtcp_fb_trr_ints.push(t),
                        Some(i) => pts[i].rtcp_fb_trr_ints.push(t),
                    }
                    continue;
                }
                let mut fb = RtcpFb {
                    type_: ty.to_string(),
                    subtype: None,
                    parameters: vec![],
                };
                for (n, tok) in it.enumerate() {
                    if n == 0 && !tok.contains('=') {
                        read_valid(Field::Token, tok, "the rtcp-fb subtype").map_err(fail)?;
                        fb.subtype = Some(tok.to_string());
                    } else {
                        let (name, value) = split_param(tok);
                        read_param(&name, value.as_deref(), "rtcp-fb").map_err(fail)?;
                        fb.parameters.push(FbParameter { name, value });
                    }
                }
                match target {
                    None => desc.rtcp_fbs.push(fb),
                    Some(i) => pts[i].rtcp_fbs.push(fb),
                }
            }
            "ptime" => ptime = Some(number(Some(value), "the ptime").map_err(fail)?),
            "maxptime" => maxptime = Some(number(Some(value), "the maxptime").map_err(fail)?),
            "extmap" => {
                let mut it = value.split_whitespace();
                let head = it.next().unwrap_or("");
                let (id, dir) = match head.split_once('/') {
                    Some((id, d)) => (id, Some(d)),
                    None => (head, None),
                };
                let senders = match dir {
                    None => None,
                    Some(d) => Some(senders(d, author).ok_or_else(|| {
                        fail(format!(
                            "'{d}' is not sendrecv, sendonly, recvonly or inactive"
                        ))
                    })?),
                };
                let uri = it.next().ok_or_else(|| {
                    fail("a=extmap is '<id>[/<direction>] <uri> [...]' (RFC 8285)".into())
                })?;
                read_valid(Field::Visible, uri, "the extmap URI").map_err(fail)?;
                let mut parameters = Vec::new();
                for t in it {
                    let (name, value) = split_param(t);
                    read_param(&name, value.as_deref(), "extmap").map_err(fail)?;
                    parameters.push(HdrextParameter { name, value });
                }
                desc.hdrexts.push(RtpHdrext {
                    id: number(Some(id), "the extension id").map_err(fail)?,
                    uri: uri.to_string(),
                    senders,
                    parameters,
                });
            }
            "ssrc" => {
                let (id, rest) = value.split_once(' ').unwrap_or((value, ""));
                let ssrc: u32 = number(Some(id), "the SSRC").map_err(fail)?;
                let rest = rest.trim();
                if rest.is_empty() {
                    return Err(fail(
                        "a=ssrc is '<ssrc> <attribute>[:<value>]' (RFC 5576)".into(),
                    ));
                }
                let (name, value) = match rest.split_once(':') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (rest.to_string(), None),
                };
                read_valid(Field::Token, &name, "the SSRC attribute name").map_err(fail)?;
                if let Some(v) = &value {
                    read_valid(Field::LineEnd, v, "the SSRC attribute value").map_err(fail)?;
                }
                let source = match sources.iter_mut().position(|s| s.ssrc == ssrc) {
                    Some(i) => &mut sources[i],
                    None => {
                        sources.push(Source {
                            ssrc,
                            parameters: vec![],
                        });
                        sources.last_mut().expect("just pushed")
                    }
                };
                source.parameters.push(SourceParameter { name, value });
            }
            "ssrc-group" => {
                let mut it = value.split_whitespace();
                let sem = it.next().ok_or_else(|| {
                    fail("a=ssrc-group is '<semantics> <ssrc>...' (RFC 5576)".into())
                })?;
                read_valid(Field::Token, sem, "the ssrc-group semantics").map_err(fail)?;
                let mut group = SsrcGroup {
                    semantics: Semantics::from_xml(sem).map_err(fail)?,
                    sources: vec![],
                };
                for s in it {
                    group.sources.push(Source {
                        ssrc: number(Some(s), "the SSRC").map_err(fail)?,
                        parameters: vec![],
                    });
                }
                desc.ssrc_groups.push(group);
            }
            "crypto" => {
                let mut it = value.split_whitespace();
                let (Some(tag), Some(suite), Some(key)) = (it.next(), it.next(), it.next()) else {
                    return Err(fail(
                        "a=crypto is '<tag> <suite> <key-params> [<session-params>]' (RFC 4568)"
                            .into(),
                    ));
                };
                let rest: Vec<&str> = it.collect();
                read_valid(Field::Tag, tag, "the crypto tag").map_err(fail)?;
                read_valid(Field::Suite, suite, "the crypto suite").map_err(fail)?;
                read_valid(Field::Visible, key, "the crypto key-params").map_err(fail)?;
                if !rest.is_empty() {
                    read_valid(
                        Field::SessionParams,
                        &rest.join(" "),
                        "the crypto session-params",
                    )
                    .map_err(fail)?;
                }
                crypto.push(Crypto {
                    tag: tag.to_string(),
                    crypto_suite: suite.to_string(),
                    key_params: key.to_string(),
                    session_params: (!rest.is_empty()).then(|| rest.join(" ")),
                });
            }
            "candidate" => {
                let n = transport.candidates.len();
                let (c, extra) = parse_candidate(value, format!("{mid}-{n}")).map_err(fail)?;
                for e in extra {
                    note(format!("{line} (candidate extension '{e}')"));
                }
                transport.candidates.push(c);
            }
            "rtcp" => rtcp = Some(value.to_string()),
            "remote-candidates" => {
                let toks: Vec<&str> = value.split_whitespace().collect();
                for (n, ch) in toks.chunks(3).enumerate() {
                    let [component, ip, port] = ch else {
                        return Err(fail(
                            "a=remote-candidates is '<component> <address> <port>...' (RFC 8839)"
                                .into(),
                        ));
                    };
                    read_valid(Field::Address, ip, "the remote candidate address").map_err(fail)?;
                    let r = RemoteCandidate {
                        component: number(Some(component), "the component").map_err(fail)?,
                        ip: ip.to_string(),
                        port: number(Some(port), "the port").map_err(fail)?,
                    };
                    if n == 0 {
                        transport.remote_candidate = Some(r);
                    } else {
                        note(format!(
                            "{line} (remote candidate {component} {ip} {port}: Jingle carries one)"
                        ));
                    }
                }
            }
            _ => note(line.clone()),
        }
    }
    for p in &mut pts {
        p.ptime = ptime;
        p.maxptime = maxptime;
    }
    desc.payload_types = pts;
    desc.sources = sources;
    desc.extmap_allow_mixed = state.extmap_allow_mixed;
    if !crypto.is_empty() {
        desc.encryption = Some(Encryption {
            required: None,
            cryptos: crypto,
            extensions: vec![],
        });
    }
    transport.ufrag = state.ufrag;
    transport.pwd = state.pwd;
    if !state.fingerprints.is_empty() {
        let setup = state.setup.ok_or_else(|| SdpError::Attribute {
            media: Some(mid.to_string()),
            line: "a=fingerprint".into(),
            reason:
                "a fingerprint without a=setup: Jingle's <fingerprint/> needs the role (XEP-0320)"
                    .into(),
        })?;
        transport.fingerprints = state
            .fingerprints
            .into_iter()
            .map(|(hash, value)| Fingerprint { hash, setup, value })
            .collect();
    }
    // The m= port and c= address are JSEP's placeholders when ICE
    // candidates carry the addresses. Without ICE (no credentials, no
    // candidates, no fingerprint) a real port and address are a raw UDP
    // transport (XEP-0177), with a=rtcp as the RTCP candidate.
    let port = m.media_name.port.value;
    let ice = transport.ufrag.is_some()
        || transport.pwd.is_some()
        || !transport.candidates.is_empty()
        || transport.remote_candidate.is_some()
        || !transport.fingerprints.is_empty();
    let address = m
        .connection_information
        .as_ref()
        .or(session_connection)
        .and_then(|c| c.address.as_ref())
        .map(|a| a.address.clone());
    let transport_payload = if port == 0 {
        note(format!(
            "m={} (port 0: the section is rejected or bundle-only)",
            m.media_name
        ));
        Payload::new(transport)
    } else if port == 9 || ice {
        if let Some(rtcp) = rtcp {
            note(format!("a=rtcp:{rtcp}"));
        }
        Payload::new(transport)
    } else {
        let ip = address.ok_or_else(|| SdpError::Attribute {
            media: Some(mid.to_string()),
            line: format!("m={}", m.media_name),
            reason: "a port but no c= address, here or at session level (RFC 4566 §5.7)".into(),
        })?;
        read_valid(Field::Address, &ip, "the c= address").map_err(|reason| {
            SdpError::Attribute {
                media: Some(mid.to_string()),
                line: format!("c=IN {} {ip}", ip_version(&ip)),
                reason,
            }
        })?;
        let candidate = |component: u8, ip: String, port: u16| raw_udp::Candidate {
            component,
            generation: 0,
            id: format!("{mid}-{component}"),
            ip,
            port,
            type_: None,
        };
        let rtp_port = u16::try_from(port).map_err(|_| SdpError::Attribute {
            media: Some(mid.to_string()),
            line: format!("m={}", m.media_name),
            reason: format!("port {port} is not a UDP port"),
        })?;
        let mut raw = raw_udp::Transport {
            candidates: vec![candidate(1, ip.clone(), rtp_port)],
        };
        if let Some(rtcp) = rtcp {
            let mut it = rtcp.split_whitespace();
            let rtcp_port: u16 =
                number(it.next(), "the RTCP port").map_err(|reason| SdpError::Attribute {
                    media: Some(mid.to_string()),
                    line: format!("a=rtcp:{rtcp}"),
                    reason,
                })?;
            let rtcp_ip = it.nth(2).map_or(ip, str::to_string);
            read_valid(Field::Address, &rtcp_ip, "the RTCP address").map_err(|reason| {
                SdpError::Attribute {
                    media: Some(mid.to_string()),
                    line: format!("a=rtcp:{rtcp}"),
                    reason,
                }
            })?;
            raw.candidates.push(candidate(2, rtcp_ip, rtcp_port));
        }
        Payload::new(raw)
    };
    let mut content = Content::new(creator, mid)
        .with(Payload::new(desc))
        .with(transport_payload);
    if senders_attr != Senders::Both {
        content.senders = Some(senders_attr);
    }
    Ok(content)
}

/// Reads `a=candidate` (RFC 8839 §5.1): the candidate, with `id` as its
/// id, and the extensions Jingle has no attribute for.
fn parse_candidate(value: &str, id: String) -> Result<(Candidate, Vec<String>), String> {
    let t: Vec<&str> = value.split_whitespace().collect();
    if t.len() < 8 || t[6] != "typ" {
        return Err(
            "a=candidate is '<foundation> <component> <transport> <priority> <address> <port> typ <type> [...]' (RFC 8839)"
                .into(),
        );
    }
    let type_ = CandidateType::from_xml(t[7]).map_err(|_| {
        format!(
            "candidate type '{}' is not host, srflx, prflx or relay",
            t[7]
        )
    })?;
    read_valid(Field::FOUNDATION, t[0], "the candidate foundation")?;
    read_valid(Field::Token, t[2], "the candidate transport")?;
    read_valid(Field::Address, t[4], "the candidate address")?;
    let mut c = Candidate {
        component: number(Some(t[1]), "the component")?,
        foundation: t[0].to_string(),
        generation: 0,
        id,
        ip: t[4].to_string(),
        network: None,
        port: number(Some(t[5]), "the port")?,
        priority: number(Some(t[3]), "the priority")?,
        protocol: t[2].to_string(),
        rel_addr: None,
        rel_port: None,
        type_,
    };
    if c.priority == 0 {
        return Err("a candidate's priority is positive (RFC 8445)".into());
    }
    let mut extra = Vec::new();
    let mut rest = t[8..].chunks(2);
    for pair in rest.by_ref() {
        let [k, v] = pair else {
            return Err(format!("candidate extension '{}' has no value", pair[0]));
        };
        match *k {
            "raddr" => {
                read_valid(Field::Address, v, "the candidate raddr")?;
                c.rel_addr = Some(v.to_string())
            }
            "rport" => c.rel_port = Some(number(Some(v), "rport")?),
            "generation" => c.generation = number(Some(v), "the generation")?,
            "network-id" | "network" => c.network = Some(number(Some(v), "the network")?),
            _ => extra.push(format!("{k} {v}")),
        }
    }
    Ok((c, extra))
}

/// The `jingle-sdp` fuzz target's property (feature `sim`, and this
/// crate's tests): any bytes
/// either fail to convert, with an error, or convert to Jingle contents
/// that [`to_sdp`] writes (what [`from_sdp`] accepts matches the grammars
/// `to_sdp` checks) and whose SDP reads back as the same contents and
/// groups. Panics when the property does not hold.
#[cfg(any(test, feature = "sim"))]
pub fn fuzz(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(sdp) = parse(text) else {
        return;
    };
    for author in [Creator::Initiator, Creator::Responder] {
        let Ok(jingle) = from_sdp(&sdp, author, Creator::Initiator) else {
            continue;
        };
        let out = to_sdp(&jingle.contents, &jingle.groups, author)
            .unwrap_or_else(|e| panic!("read from SDP, but not written back: {e}\n{text}"));
        let written = out.sdp.marshal();
        let reread =
            parse(&written).unwrap_or_else(|e| panic!("our SDP does not parse: {e}\n{written}"));
        let again = from_sdp(&reread, author, Creator::Initiator)
            .unwrap_or_else(|e| panic!("our SDP does not convert: {e}\n{written}"));
        assert_eq!(again.contents, jingle.contents, "{written}");
        assert_eq!(again.groups, jingle.groups, "{written}");
    }
}

#[cfg(test)]
mod fuzz_tests {
    /// Replays the `jingle-sdp` fuzz target's seeds
    /// (`fixtures/xep-jingle/sdp/`) and every crash input kept under
    /// `fixtures/xep-jingle/fuzz/jingle-sdp/`.
    #[test]
    fn fuzz_seeds_and_crash_fixtures_replay() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/xep-jingle/sdp");
        let mut seeds = 0;
        for f in std::fs::read_dir(dir).unwrap().flatten() {
            super::fuzz(&std::fs::read(f.path()).unwrap());
            seeds += 1;
        }
        assert!(seeds >= 3);
        for (path, data) in crate::sim::crash_fixtures("jingle-sdp") {
            eprintln!("replaying {}", path.display());
            super::fuzz(&data);
        }
    }
}
