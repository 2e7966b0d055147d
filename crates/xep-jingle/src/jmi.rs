//! XEP-0353 Jingle Message Initiation (`urn:xmpp:jingle-message:0`).

use xep_element::{Error, Payload, XmlElement};

use crate::jingle::Reason;

/// `urn:xmpp:jingle-message:0`.
pub const NS: &str = "urn:xmpp:jingle-message:0";

/// `<propose/>`: the intent to start a session, with one description per
/// media type.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "propose", validate = Propose::check)]
pub struct Propose {
    /// The session id to be used.
    #[xml(attr)]
    pub id: String,
    /// The descriptions (at least one).
    #[xml(children(foreign))]
    pub descriptions: Vec<Payload>,
}

impl Propose {
    fn check(p: &Propose) -> Result<(), Error> {
        if p.descriptions.is_empty() {
            return Err(Error::invalid(
                "a propose carries at least one description (XEP-0353 §3.1)",
            ));
        }
        Ok(())
    }
}

/// `<ringing/>`: a device of the responder is ringing.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "ringing")]
pub struct Ringing {
    /// The proposal's id.
    #[xml(attr)]
    pub id: String,
}

/// `<retract/>`: the initiator withdraws the proposal.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "retract")]
pub struct Retract {
    /// The proposal's id.
    #[xml(attr)]
    pub id: String,
    /// Why.
    #[xml(child)]
    pub reason: Option<Reason>,
    /// The retraction resolves simultaneous proposals: XEP-0353 §4.1
    /// requires it there, though the XEP's schema omits it (recorded in
    /// `xsd/differences.txt`).
    #[xml(flag(name = "tie-break"))]
    pub tie_break: bool,
}

/// `<accept/>`: the proposal was accepted (carbon-copied to the
/// responder's other devices).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "accept")]
pub struct Accept {
    /// The proposal's id.
    #[xml(attr)]
    pub id: String,
}

/// `<proceed/>`: the responder's chosen device accepts the proposal.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "proceed")]
pub struct Proceed {
    /// The proposal's id.
    #[xml(attr)]
    pub id: String,
}

/// `<reject/>`: the responder declines the proposal.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "reject")]
pub struct Reject {
    /// The proposal's id.
    #[xml(attr)]
    pub id: String,
    /// Why.
    #[xml(child)]
    pub reason: Option<Reason>,
    /// The rejection resolves simultaneous proposals (XEP-0353 tie
    /// breaking).
    #[xml(flag(name = "tie-break"))]
    pub tie_break: bool,
}

/// `<finish/>`: the session that followed the proposal ended.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "finish")]
pub struct Finish {
    /// The proposal's id.
    #[xml(attr)]
    pub id: String,
    /// Why.
    #[xml(child)]
    pub reason: Option<Reason>,
    /// The session moved to another one.
    #[xml(child)]
    pub migrated: Option<Migrated>,
}

/// `<migrated/>`: the id of the session that replaces this one.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "migrated")]
pub struct Migrated {
    /// The new session id.
    #[xml(attr)]
    pub to: String,
}
