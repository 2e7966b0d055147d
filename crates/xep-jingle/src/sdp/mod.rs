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

mod from;
mod grammar;
mod to;

use std::fmt;
use std::io::Cursor;

use ::sdp::description::session::SessionDescription;

use crate::grouping::Group;
#[cfg(any(test, feature = "sim"))]
use crate::jingle::Creator;
use crate::jingle::{Content, Jingle};

pub use from::from_sdp;
pub use to::to_sdp;

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
        for (path, data) in xep_element::testdata::crash_fixtures("xep-jingle", "jingle-sdp") {
            eprintln!("replaying {}", path.display());
            super::fuzz(&data);
        }
    }
}
