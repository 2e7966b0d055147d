//! What a session needs to be resumed after a process restart.

use xep_core::Stanza;
use xep_element::{Error, XmlElement};

use crate::elements::Seconds;

/// The namespace of the saved form of [`ResumptionState`]: private to this
/// crate, not a protocol namespace (the element never goes on a stream).
pub const NS_STATE: &str = "urn:x-xep-rs:sm-state:0";

/// A resumable session, as a value to persist and restore
/// ([`StreamManager::resumption_state`](crate::StreamManager::resumption_state),
/// [`StreamManager::restore`](crate::StreamManager::restore)).
///
/// [`to_bytes`](Self::to_bytes) writes it as one XML element of the private
/// namespace [`NS_STATE`], with the stanzas as children in
/// `jabber:client`; [`from_bytes`](Self::from_bytes) reads it back, losing
/// nothing (unknown payloads of the stanzas are kept as they were).
///
/// ```
/// use xep_core::{Message, Stanza};
/// use xep_sm::ResumptionState;
///
/// let state = ResumptionState {
///     id: "sm-1".into(),
///     location: None,
///     max: xep_sm::Seconds::new(300),
///     inbound: 4,
///     outbound: u32::MAX,
///     unacked: vec![Stanza::Message(Message::chat("juliet@capulet.lit".parse().unwrap(), "hi"))],
/// };
/// let bytes = state.to_bytes();
/// assert_eq!(ResumptionState::from_bytes(&bytes).unwrap(), state);
/// ```
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_STATE, name = "session")]
pub struct ResumptionState {
    /// The SM-ID.
    #[xml(attr)]
    pub id: String,
    /// The server's preferred reconnection place.
    #[xml(attr)]
    pub location: Option<String>,
    /// The negotiated maximum resumption time.
    #[xml(attr)]
    pub max: Option<Seconds>,
    /// Inbound stanzas handled: the `h` to send in `<resume/>` (or
    /// `<resumed/>`).
    #[xml(attr(name = "h"))]
    pub inbound: u32,
    /// Outbound stanzas sent, modulo 2^32 (the last of `unacked` has this
    /// number).
    #[xml(attr(name = "sent"))]
    pub outbound: u32,
    /// The stanzas sent and not acknowledged, oldest first.
    #[xml(child)]
    pub unacked: Vec<Stanza>,
}

impl ResumptionState {
    /// The saved form (UTF-8 XML).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_xml().into_bytes()
    }

    /// Reads the saved form back.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::from_xml(bytes)
    }
}
