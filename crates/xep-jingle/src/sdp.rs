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
//! [`FromSdp::unmapped`] and [`ToSdp::unmapped`].
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
            SdpError::Content { content, reason } => write!(f, "content '{content}': {reason}"),
        }
    }
}

impl std::error::Error for SdpError {}

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
    for g in groups {
        let mut v = g.semantics.clone();
        for c in &g.contents {
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
    for cand in &transport.candidates {
        a.push(attr("candidate", candidate_line(cand)));
    }
    if let Some(r) = &transport.remote_candidate {
        a.push(attr(
            "remote-candidates",
            format!("{} {} {}", r.component, r.ip, r.port),
        ));
    }
    if let Some(u) = &transport.ufrag {
        a.push(attr("ice-ufrag", u.as_str()));
    }
    if let Some(p) = &transport.pwd {
        a.push(attr("ice-pwd", p.as_str()));
    }
    for f in &transport.fingerprints {
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
    for h in &desc.hdrexts {
        let mut v = h.id.to_string();
        if let Some(s) = h.senders {
            v.push('/');
            v.push_str(direction(s, author));
        }
        v.push(' ');
        v.push_str(&h.uri);
        for p in &h.parameters {
            v.push(' ');
            v.push_str(&param(&p.name, p.value.as_deref()));
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
    for fb in &desc.rtcp_fbs {
        a.push(attr("rtcp-fb", format!("* {}", fb_value(fb))));
    }
    for t in &desc.rtcp_fb_trr_ints {
        a.push(attr("rtcp-fb", format!("* trr-int {}", t.value)));
    }
    let mut ptime: Option<u32> = None;
    let mut maxptime: Option<u32> = None;
    for pt in &desc.payload_types {
        if let Some(n) = &pt.name {
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
        for fb in &pt.rtcp_fbs {
            a.push(attr("rtcp-fb", format!("{} {}", pt.id, fb_value(fb))));
        }
        for t in &pt.rtcp_fb_trr_ints {
            a.push(attr("rtcp-fb", format!("{} trr-int {}", pt.id, t.value)));
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
        for cr in &enc.cryptos {
            let mut v = format!("{} {} {}", cr.tag, cr.crypto_suite, cr.key_params);
            if let Some(s) = &cr.session_params {
                v.push(' ');
                v.push_str(s);
            }
            a.push(attr("crypto", v));
        }
    }
    for g in &desc.ssrc_groups {
        let mut v = g.semantics.to_xml().into_owned();
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
        for p in &s.parameters {
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

fn fb_value(fb: &RtcpFb) -> String {
    let mut v = fb.type_.clone();
    if let Some(s) = &fb.subtype {
        v.push(' ');
        v.push_str(s);
    }
    for p in &fb.parameters {
        v.push(' ');
        v.push_str(&param(&p.name, p.value.as_deref()));
    }
    v
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
                out.groups.push(Group {
                    semantics: semantics.to_string(),
                    contents: it
                        .map(|n| GroupContent {
                            name: n.to_string(),
                        })
                        .collect(),
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
            "ice-ufrag" => self.ufrag = Some(value),
            "ice-pwd" => self.pwd = Some(value),
            "fingerprint" => {
                let (hash, fp) = value
                    .split_once(' ')
                    .ok_or("a fingerprint is '<hash-func> <fingerprint>' (RFC 8122)")?;
                self.fingerprints
                    .push((hash.to_string(), fp.trim().to_string()));
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
                p.name = parts.next().map(str::to_string);
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
                        fb.subtype = Some(tok.to_string());
                    } else {
                        let (name, value) = split_param(tok);
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
                desc.hdrexts.push(RtpHdrext {
                    id: number(Some(id), "the extension id").map_err(fail)?,
                    uri: uri.to_string(),
                    senders,
                    parameters: it
                        .map(|t| {
                            let (name, value) = split_param(t);
                            HdrextParameter { name, value }
                        })
                        .collect(),
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
            "raddr" => c.rel_addr = Some(v.to_string()),
            "rport" => c.rel_port = Some(number(Some(v), "rport")?),
            "generation" => c.generation = number(Some(v), "the generation")?,
            "network-id" | "network" => c.network = Some(number(Some(v), "the network")?),
            _ => extra.push(format!("{k} {v}")),
        }
    }
    Ok((c, extra))
}

/// The `jingle-sdp` fuzz target's property (feature `sim`, and this
/// crate's tests): any bytes either fail to convert, with an error, or
/// convert to Jingle contents whose SDP reads back as the same contents
/// and groups. Panics when the property does not hold.
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
        let Ok(out) = to_sdp(&jingle.contents, &jingle.groups, author) else {
            continue;
        };
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
