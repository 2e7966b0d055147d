//! XEP-0320 Use of DTLS-SRTP in Jingle Sessions.

use xep_element::{XmlElement, XmlValue};

/// `urn:xmpp:jingle:apps:dtls:0`.
pub const NS: &str = "urn:xmpp:jingle:apps:dtls:0";

/// The DTLS role (SDP `a=setup`, RFC 4145).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// Connects.
    Active,
    /// Accepts connections.
    Passive,
    /// Either.
    Actpass,
    /// Neither, for now.
    Holdconn,
}

/// `<fingerprint/>`: the certificate fingerprint for DTLS (SDP
/// `a=fingerprint`), inside an ICE-UDP transport.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "fingerprint")]
pub struct Fingerprint {
    /// The hash function (`sha-256`, ...).
    #[xml(attr)]
    pub hash: String,
    /// The DTLS role.
    #[xml(attr)]
    pub setup: Setup,
    /// The fingerprint, as colon-separated hexadecimal bytes.
    #[xml(text)]
    pub value: String,
}
