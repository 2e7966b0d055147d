//! XEP-0166 Jingle with its applications and transports.
//!
//! # Elements
//!
//! One module per specification, XEP-0166's own elements at the root
//! ([`Jingle`], [`Content`], [`Reason`], [`JingleError`]): [`rtp`]
//! (XEP-0167), [`rtcp_fb`] (XEP-0293), [`hdrext`] (XEP-0294),
//! [`grouping`] (XEP-0338), [`ssma`] (XEP-0339), [`file_transfer`]
//! (XEP-0234), [`ice_udp`] (XEP-0176), [`raw_udp`] (XEP-0177), [`s5b`]
//! (XEP-0260), [`ibb`] (XEP-0261 and XEP-0047), [`dtls`] (XEP-0320),
//! [`jmi`] (XEP-0353) and [`extdisco`] (XEP-0215). The `sdp` module
//! (feature `sdp`, on by default) converts RTP contents to and from SDP
//! offers and answers.
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_jingle::{Action, Jingle, ReasonCondition};
//!
//! let j = Jingle::from_xml(
//!     b"<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='s1'>\
//!       <reason><busy/></reason></jingle>",
//! ).unwrap();
//! assert_eq!(j.action, Action::SessionTerminate);
//! assert_eq!(j.reason.unwrap().condition, ReasonCondition::Busy);
//! ```

//!
//! Registered types are typed inside `<content/>` and `<jingle/>` when the
//! parser has a registry with [`ELEMENTS`]; anything else is kept as a raw
//! payload.
//!
//! [`jmi_session::Calls`] runs the XEP-0353 message exchange (propose,
//! ring, proceed, finish) that precedes and follows a session.
//!
//! # Sessions
//!
//! [`Endpoint`] holds the sessions of one party, in either role, sans I/O
//! (see [`Endpoint`]): the caller passes in every Jingle iq, its own
//! actions and the current time, and drains iqs to send and [`Event`]s.
//! A session is known by the peer's JID and the session id, as ids are
//! only unique per pair of parties. The machine reads no clock: requests
//! left unanswered and calls left ringing end on the timers of [`Config`],
//! fired by [`Endpoint::handle_timeout`] at [`Endpoint::poll_timeout`].
//! An ended session lingers for [`Config::linger`] (30 s by default), still
//! listed and its id still taken, then is forgotten, so an endpoint holds
//! only its live and recently ended sessions however long it runs. A
//! session we are asked to join has no timer: XEP-0166 leaves the answer
//! to the user, and the caller limits the wait itself if it wants to.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use xep_element::{Payload, XmlElement};
//! use xep_element::jid::Jid;
//! use xep_jingle::{Content, Creator, Endpoint, Event, ReasonCondition, State, rtp, ice_udp};
//!
//! let romeo_jid: Jid = "romeo@verona.example/a".parse().unwrap();
//! let juliet_jid: Jid = "juliet@verona.example/b".parse().unwrap();
//! let mut romeo = Endpoint::new(romeo_jid.clone());
//! let mut juliet = Endpoint::new(juliet_jid.clone());
//! let now = Instant::now();
//! let voice = Content::new(Creator::Initiator, "voice")
//!     .with(Payload::new(rtp::Description::new("audio")))
//!     .with(Payload::new(ice_udp::Transport::default()));
//! romeo.initiate(now, juliet_jid.clone(), "sid1", vec![voice]).unwrap();
//! let pump = |from: &mut Endpoint, to: &mut Endpoint| {
//!     while let Some(iq) = from.poll_transmit() {
//!         to.handle_iq(now, &iq);
//!     }
//! };
//! pump(&mut romeo, &mut juliet); // session-initiate
//! pump(&mut juliet, &mut romeo); // its acknowledgement
//! assert!(matches!(juliet.poll_event(), Some(Event::Incoming { .. })));
//! // The call rings until the ring timeout (60 s by default).
//! assert_eq!(romeo.poll_timeout(), Some(now + romeo.config().ring_timeout));
//! juliet.accept(now, &romeo_jid, "sid1", vec![]).unwrap();
//! pump(&mut juliet, &mut romeo);
//! pump(&mut romeo, &mut juliet);
//! assert_eq!(romeo.session(&juliet_jid, "sid1").unwrap().state(), State::Active);
//! assert_eq!(juliet.session(&romeo_jid, "sid1").unwrap().state(), State::Active);
//! assert_eq!(romeo.poll_timeout(), None);
//!
//! // A second call that Juliet never answers ends on the ring timeout.
//! let video = Content::new(Creator::Initiator, "video")
//!     .with(Payload::new(rtp::Description::new("video")))
//!     .with(Payload::new(ice_udp::Transport::default()));
//! romeo.initiate(now, juliet_jid.clone(), "sid2", vec![video]).unwrap();
//! pump(&mut romeo, &mut juliet);
//! pump(&mut juliet, &mut romeo);
//! let later = now + Duration::from_secs(61);
//! romeo.handle_timeout(later);
//! assert_eq!(romeo.session(&juliet_jid, "sid2").unwrap().state(), State::Ended);
//! let terminate = romeo.poll_transmit().unwrap();
//! assert!(terminate.to_xml().contains("<reason><timeout/></reason>"));
//! juliet.handle_iq(later, &terminate);
//! assert_eq!(juliet.session(&romeo_jid, "sid2").unwrap().state(), State::Ended);
//!
//! // Ended sessions are forgotten after the linger, and the id is free.
//! let gone = later + juliet.config().linger;
//! assert_eq!(juliet.poll_timeout(), Some(gone));
//! juliet.handle_timeout(gone);
//! assert!(juliet.session(&romeo_jid, "sid2").is_none());
//! # let _ = ReasonCondition::Timeout;
//! ```

#![warn(missing_docs)]

pub mod dtls;
pub mod extdisco;
pub mod file_transfer;
pub mod grouping;
pub mod hdrext;
pub mod ibb;
pub mod ice_udp;
mod jingle;
pub mod jmi;
pub mod jmi_session;
pub mod raw_udp;
pub mod rtcp_fb;
pub mod rtp;
pub mod s5b;
#[cfg(feature = "sdp")]
pub mod sdp;
mod session;
pub mod ssma;

pub use jingle::{
    Action, AlternativeSession, Content, Creator, Jingle, JingleError, NS, NS_ERRORS, Reason,
    ReasonCondition, Senders, payload_name, payload_ns,
};
pub use session::{Config, Endpoint, Event, Role, Session, SessionError, State};

xep_element::elements! {
    "XEP-0166" => [jingle::Jingle, jingle::Content, jingle::Reason, jingle::JingleError],
    "XEP-0167" => [
        rtp::Description, rtp::PayloadType, rtp::Parameter, rtp::Bandwidth,
        rtp::Encryption, rtp::Crypto, rtp::RtpInfo, rtp::RtpError,
    ],
    "XEP-0176" => [ice_udp::Transport, ice_udp::Candidate, ice_udp::RemoteCandidate],
    "XEP-0177" => [raw_udp::Transport, raw_udp::Candidate],
    "XEP-0234" => [
        file_transfer::Description, file_transfer::File, file_transfer::Range,
        file_transfer::Checksum, file_transfer::Received, file_transfer::FileTransferError,
    ],
    "XEP-0260" => [s5b::Transport, s5b::Candidate, s5b::CandidateUsed, s5b::Activated],
    "XEP-0261" => [ibb::Transport],
    "XEP-0047" => [ibb::Open, ibb::Data, ibb::Close],
    "XEP-0293" => [rtcp_fb::RtcpFb, rtcp_fb::RtcpFbTrrInt],
    "XEP-0294" => [hdrext::RtpHdrext, hdrext::ExtmapAllowMixed],
    "XEP-0320" => [dtls::Fingerprint],
    "XEP-0338" => [grouping::Group],
    "XEP-0339" => [ssma::Source, ssma::SsrcGroup],
    "XEP-0353" => [
        jmi::Propose, jmi::Ringing, jmi::Retract, jmi::Accept, jmi::Proceed,
        jmi::Reject, jmi::Finish,
    ],
    "XEP-0215" => [extdisco::Services, extdisco::Credentials, extdisco::Service],
}

#[cfg(test)]
mod element_tests;
#[cfg(test)]
mod session_tests;
#[cfg(any(test, feature = "sim"))]
pub mod sim;
