//! XEP-0176 Jingle ICE-UDP Transport Method.

use xep_element::{Error, Payload, XmlElement, XmlValue};

use crate::dtls::Fingerprint;

/// `urn:xmpp:jingle:transports:ice-udp:1`.
pub const NS: &str = "urn:xmpp:jingle:transports:ice-udp:1";

/// The type of an ICE candidate.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateType {
    /// A host candidate.
    Host,
    /// A peer-reflexive candidate.
    Prflx,
    /// A relayed candidate.
    Relay,
    /// A server-reflexive candidate.
    Srflx,
}

/// `<transport/>`: ICE credentials and candidates (or the remote
/// candidate chosen), plus a XEP-0320 fingerprint.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "transport", validate = Transport::check)]
pub struct Transport {
    /// The ICE password.
    #[xml(attr)]
    pub pwd: Option<String>,
    /// The ICE username fragment.
    #[xml(attr)]
    pub ufrag: Option<String>,
    /// Candidates.
    #[xml(child)]
    pub candidates: Vec<Candidate>,
    /// The remote candidate in use (instead of candidates).
    #[xml(child)]
    pub remote_candidate: Option<RemoteCandidate>,
    /// XEP-0320 DTLS fingerprints.
    #[xml(child)]
    pub fingerprints: Vec<Fingerprint>,
    /// Other extensions (e.g. XEP-0343 sctpmap).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Transport {
    fn check(t: &Transport) -> Result<(), Error> {
        if !t.candidates.is_empty() && t.remote_candidate.is_some() {
            return Err(Error::invalid(
                "a transport carries either candidates or a remote-candidate, not both (XEP-0176 schema)",
            ));
        }
        Ok(())
    }
}

/// `<candidate/>`: one ICE candidate (RFC 8445).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "candidate", validate = Candidate::check)]
pub struct Candidate {
    /// The component (1 RTP, 2 RTCP).
    #[xml(attr)]
    pub component: u8,
    /// The foundation.
    #[xml(attr)]
    pub foundation: String,
    /// The generation.
    #[xml(attr)]
    pub generation: u8,
    /// A unique identifier.
    #[xml(attr)]
    pub id: String,
    /// The address.
    #[xml(attr)]
    pub ip: String,
    /// The network interface index.
    #[xml(attr)]
    pub network: Option<u8>,
    /// The port.
    #[xml(attr)]
    pub port: u16,
    /// The priority (positive).
    #[xml(attr)]
    pub priority: u32,
    /// The protocol (`udp`).
    #[xml(attr)]
    pub protocol: String,
    /// The related address.
    #[xml(attr(name = "rel-addr"))]
    pub rel_addr: Option<String>,
    /// The related port.
    #[xml(attr(name = "rel-port"))]
    pub rel_port: Option<u16>,
    /// The candidate type.
    #[xml(attr(name = "type"))]
    pub type_: CandidateType,
}

impl Candidate {
    fn check(c: &Candidate) -> Result<(), Error> {
        if c.priority == 0 {
            return Err(Error::invalid(
                "a candidate's priority is a positive integer (XEP-0176 schema)",
            ));
        }
        Ok(())
    }
}

/// `<remote-candidate/>`: the candidate the ICE controller selected.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "remote-candidate")]
pub struct RemoteCandidate {
    /// The component.
    #[xml(attr)]
    pub component: u8,
    /// The address.
    #[xml(attr)]
    pub ip: String,
    /// The port.
    #[xml(attr)]
    pub port: u16,
}
