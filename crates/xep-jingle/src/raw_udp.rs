//! XEP-0177 Jingle Raw UDP Transport Method.

use xep_element::XmlElement;

pub use crate::ice_udp::CandidateType;

/// `urn:xmpp:jingle:transports:raw-udp:1`.
pub const NS: &str = "urn:xmpp:jingle:transports:raw-udp:1";

/// `<transport/>`: the candidates where each party receives.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "transport")]
pub struct Transport {
    /// Candidates.
    #[xml(child)]
    pub candidates: Vec<Candidate>,
}

/// `<candidate/>`: an address and port.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "candidate")]
pub struct Candidate {
    /// The component (1 RTP, 2 RTCP).
    #[xml(attr)]
    pub component: u8,
    /// The generation.
    #[xml(attr)]
    pub generation: u8,
    /// A unique identifier.
    #[xml(attr)]
    pub id: String,
    /// The address.
    #[xml(attr)]
    pub ip: String,
    /// The port.
    #[xml(attr)]
    pub port: u16,
    /// The candidate type.
    #[xml(attr(name = "type"))]
    pub type_: Option<CandidateType>,
}
