//! The checks of an incoming request against a session's state, and the
//! refusals they answer with (XEP-0166 §10).

use xep_core::{DefinedCondition, ErrorType, StanzaError};
use xep_element::Payload;

use crate::file_transfer::{Checksum, Received};
use crate::jingle::{Action, Content, Jingle, JingleError, payload_name, payload_ns};
use crate::rtp::RtpInfo;

use super::state::{Key, Role, Session, State, key};

impl Session {
    /// Checks an incoming request against the state; `Err` is the Jingle
    /// condition (or a plain stanza error) to answer with.
    pub(super) fn check_incoming(
        &self,
        j: &Jingle,
        outstanding: &[&Jingle],
    ) -> Result<(), Refusal> {
        use Action as A;
        if self.state == State::Ended {
            return Err(Refusal::jingle(
                JingleError::UnknownSession,
                "the session has ended",
            ));
        }
        let keys: Vec<Key> = j.contents.iter().map(key).collect();
        match j.action {
            A::SessionInitiate => {
                return Err(Refusal::jingle(
                    JingleError::OutOfOrder,
                    "the session exists already",
                ));
            }
            A::SessionAccept => {
                if self.role != Role::Initiator || self.state != State::Pending {
                    return Err(Refusal::jingle(
                        JingleError::OutOfOrder,
                        "only a pending session can be accepted, by its responder",
                    ));
                }
            }
            A::SessionTerminate | A::SecurityInfo => {}
            A::SessionInfo => {
                if let Some(p) = j.payloads.iter().find(|p| !known_info(p)) {
                    return Err(Refusal::jingle(
                        JingleError::UnsupportedInfo,
                        format!("session-info payload {} not understood", describe(p)),
                    ));
                }
            }
            A::ContentAdd => {
                if keys.is_empty() {
                    return Err(Refusal::bad_request("content-add without contents"));
                }
                if let Some(k) = keys.iter().find(|k| self.knows(k)) {
                    return Err(Refusal::conflict(format!(
                        "content '{}' exists already",
                        k.1
                    )));
                }
            }
            A::ContentAccept | A::ContentReject => {
                if keys.is_empty() || !keys.iter().all(|k| self.proposed.contains_key(k)) {
                    return Err(Refusal::jingle(
                        JingleError::OutOfOrder,
                        "no content-add of ours awaits an answer for these contents",
                    ));
                }
            }
            A::TransportAccept | A::TransportReject => {
                if keys.is_empty() || !keys.iter().all(|k| self.replacing.contains_key(k)) {
                    return Err(Refusal::jingle(
                        JingleError::OutOfOrder,
                        "no transport-replace of ours awaits an answer for these contents",
                    ));
                }
            }
            A::ContentModify | A::TransportReplace => {
                if keys.is_empty() || !keys.iter().all(|k| self.contents.contains_key(k)) {
                    return Err(Refusal::bad_request(
                        "the action names no content or a content the session does not have",
                    ));
                }
                // Tie-break (XEP-0166 §7.2): the initiator's action wins
                // over a crossing one of the responder on the same content
                // (for transports: over any replace of ours still pending).
                let crossing = outstanding.iter().any(|o| {
                    o.action == j.action && o.contents.iter().any(|c| keys.contains(&key(c)))
                }) || (j.action == A::TransportReplace
                    && keys.iter().any(|k| self.replacing.contains_key(k)));
                if crossing && self.role == Role::Initiator {
                    return Err(Refusal::jingle(
                        JingleError::TieBreak,
                        "a request of the initiator about the same content is pending",
                    ));
                }
            }
            A::ContentRemove | A::TransportInfo | A::DescriptionInfo => {
                if keys.is_empty() || !keys.iter().all(|k| self.knows(k)) {
                    return Err(Refusal::bad_request(
                        "the action names no content or a content the session does not have",
                    ));
                }
                if j.action != A::ContentRemove {
                    self.check_info(j)?;
                }
            }
        }
        Ok(())
    }

    /// Checks the payloads of a transport-info or description-info
    /// (contents known): XEP-0166 §6.8 asks for `unsupported-info` when
    /// the payload is not understood.
    pub(super) fn check_info(&self, j: &Jingle) -> Result<(), Refusal> {
        let (wanted, what) = if j.action == Action::TransportInfo {
            ("transport", "transport-info")
        } else {
            ("description", "description-info")
        };
        if let Some(p) = j.payloads.first() {
            return Err(Refusal::jingle(
                JingleError::UnsupportedInfo,
                format!(
                    "{what} payload {} outside a content not understood",
                    describe(p)
                ),
            ));
        }
        for c in &j.contents {
            let k = key(c);
            // The kinds the content has: its negotiated one, and for a
            // transport one proposed by a pending transport-replace.
            let mut kinds: Vec<(String, String)> = Vec::new();
            let have = [&self.contents, &self.proposed, &self.offered]
                .into_iter()
                .filter_map(|m| m.get(&k));
            let replacing = [&self.replacing, &self.replaced]
                .into_iter()
                .filter_map(|m| m.get(&k))
                .filter(|_| wanted == "transport");
            for known in have.chain(replacing) {
                if let Some(p) = named(known, wanted) {
                    kinds.push(kind(p));
                }
            }
            if !c
                .payloads
                .iter()
                .any(|p| payload_name(p).as_deref() == Some(wanted))
            {
                return Err(Refusal::bad_request(format!(
                    "{what} for content '{}' carries no <{wanted}/>",
                    c.name
                )));
            }
            if let Some(p) = c.payloads.iter().find(|p| !kinds.contains(&kind(p))) {
                let expected = kinds.first().map_or_else(
                    || "none".to_string(),
                    |(ns, n)| format!("<{n} xmlns='{ns}'/>"),
                );
                return Err(Refusal::jingle(
                    JingleError::UnsupportedInfo,
                    format!(
                        "{what} payload {} not understood for content '{}' (negotiated: {expected})",
                        describe(p),
                        c.name
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn named<'a>(c: &'a Content, local: &str) -> Option<&'a Payload> {
    c.payloads
        .iter()
        .find(|p| payload_name(p).as_deref() == Some(local))
}

/// A payload's element namespace and local name.
fn kind(p: &Payload) -> (String, String) {
    (payload_ns(p), payload_name(p).unwrap_or_default())
}

/// A payload's element, for error texts.
fn describe(p: &Payload) -> String {
    let (ns, name) = kind(p);
    format!("<{name} xmlns='{ns}'/>")
}

/// The error to answer a request with.
pub(super) struct Refusal(pub(super) StanzaError);

impl Refusal {
    pub(super) fn jingle(e: JingleError, text: impl Into<String>) -> Self {
        Refusal(e.stanza_error().with_text(None, text))
    }

    pub(super) fn bad_request(text: impl Into<String>) -> Self {
        Refusal(
            StanzaError::new(ErrorType::Cancel, DefinedCondition::BadRequest).with_text(None, text),
        )
    }

    pub(super) fn conflict(text: impl Into<String>) -> Self {
        Refusal(
            StanzaError::new(ErrorType::Cancel, DefinedCondition::Conflict).with_text(None, text),
        )
    }
}

pub(super) fn set_transport(have: &mut Content, from: &Content) {
    if let Some(t) = from.transport() {
        have.payloads
            .retain(|p| crate::jingle::payload_name(p).as_deref() != Some("transport"));
        have.payloads.push(t.clone());
    }
}

fn known_info(p: &Payload) -> bool {
    p.get::<RtpInfo>().is_some_and(|r| r.is_ok())
        || p.get::<Checksum>().is_some_and(|r| r.is_ok())
        || p.get::<Received>().is_some_and(|r| r.is_ok())
}

/// Whether an action negotiates a content or a transport (one at a time
/// per content and party).
pub(super) fn is_negotiation(a: Action) -> bool {
    matches!(
        a,
        Action::ContentAdd
            | Action::ContentAccept
            | Action::ContentReject
            | Action::TransportReplace
            | Action::TransportAccept
            | Action::TransportReject
    )
}

/// The application formats of contents, sorted (to compare offers).
pub(super) fn apps(contents: &[Content]) -> Vec<String> {
    let mut v: Vec<String> = contents
        .iter()
        .filter_map(Content::description_ns)
        .collect();
    v.sort();
    v
}
