//! XEP-0260 Jingle SOCKS5 Bytestreams Transport Method.

use xep_element::jid::Jid;
use xep_element::{Error, XmlElement, XmlValue};

/// `urn:xmpp:jingle:transports:s5b:1`.
pub const NS: &str = "urn:xmpp:jingle:transports:s5b:1";

/// The bytestream mode.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// TCP (the default).
    #[default]
    Tcp,
    /// UDP.
    Udp,
}

/// The type of a SOCKS5 candidate.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CandidateType {
    /// A NAT-assisted candidate.
    Assisted,
    /// A direct connection (the default).
    #[default]
    Direct,
    /// A SOCKS5 proxy (XEP-0065).
    Proxy,
    /// A tunnel.
    Tunnel,
}

/// `<transport/>`: candidates, or one of the negotiation outcomes.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "transport", validate = Transport::check)]
pub struct Transport {
    /// The SOCKS5 destination address (a hash of sid and JIDs).
    #[xml(attr)]
    pub dstaddr: Option<String>,
    /// The mode (default `tcp`).
    #[xml(attr)]
    pub mode: Option<Mode>,
    /// The transport's stream id.
    #[xml(attr)]
    pub sid: String,
    /// The proxy was activated (by candidate id).
    #[xml(child)]
    pub activated: Option<Activated>,
    /// Offered candidates.
    #[xml(child)]
    pub candidates: Vec<Candidate>,
    /// None of the peer's candidates worked.
    #[xml(flag(name = "candidate-error"))]
    pub candidate_error: bool,
    /// The peer's candidate that worked.
    #[xml(child)]
    pub candidate_used: Option<CandidateUsed>,
    /// The proxy could not be activated.
    #[xml(flag(name = "proxy-error"))]
    pub proxy_error: bool,
}

impl Transport {
    fn check(t: &Transport) -> Result<(), Error> {
        let kinds = usize::from(t.activated.is_some())
            + usize::from(!t.candidates.is_empty())
            + usize::from(t.candidate_error)
            + usize::from(t.candidate_used.is_some())
            + usize::from(t.proxy_error);
        if kinds > 1 {
            return Err(Error::invalid(
                "a transport carries one of candidates, activated, candidate-used, candidate-error or proxy-error (XEP-0260 schema)",
            ));
        }
        Ok(())
    }
}

/// `<candidate/>`: a SOCKS5 host to connect to.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "candidate", validate = Candidate::check)]
pub struct Candidate {
    /// The candidate id.
    #[xml(attr)]
    pub cid: String,
    /// The host (IP address or name).
    #[xml(attr)]
    pub host: String,
    /// The JID of the party or proxy owning the host.
    #[xml(attr)]
    pub jid: Jid,
    /// The port (1080 when absent).
    #[xml(attr)]
    pub port: Option<u16>,
    /// The priority (positive).
    #[xml(attr)]
    pub priority: u32,
    /// The type (default `direct`).
    #[xml(attr(name = "type"))]
    pub type_: Option<CandidateType>,
}

impl Candidate {
    fn check(c: &Candidate) -> Result<(), Error> {
        if c.priority == 0 || c.port == Some(0) {
            return Err(Error::invalid(
                "a candidate's priority and port are positive integers (XEP-0260 schema)",
            ));
        }
        Ok(())
    }
}

/// `<candidate-used/>`: the peer's candidate this party connected to.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "candidate-used")]
pub struct CandidateUsed {
    /// The candidate id.
    #[xml(attr)]
    pub cid: String,
}

/// `<activated/>`: the proxy candidate was activated.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "activated")]
pub struct Activated {
    /// The candidate id.
    #[xml(attr)]
    pub cid: String,
}
