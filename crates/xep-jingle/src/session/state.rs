//! The state of one session: what both parties agreed on, what is being
//! negotiated, and how an acknowledged action changes it.

use std::collections::BTreeMap;
use std::time::Instant;

use xep_element::jid::Jid;

use crate::jingle::{Action, Content, Creator, Jingle};

use super::SessionError;
use super::checks::set_transport;

/// The role of this party in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// This party sent the session-initiate.
    Initiator,
    /// This party received it.
    Responder,
}

impl Role {
    pub(super) fn creator(self) -> Creator {
        match self {
            Role::Initiator => Creator::Initiator,
            Role::Responder => Creator::Responder,
        }
    }
}

/// The state of a session (XEP-0166 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Initiated, not yet accepted.
    Pending,
    /// Accepted.
    Active,
    /// Terminated (or refused, or timed out).
    Ended,
}

pub(super) type Key = (Creator, String);

/// The name of a caller's content action, for [`SessionError::WrongState`].
pub(super) fn action_name(action: Action) -> &'static str {
    match action {
        Action::ContentAccept => "content-accept",
        Action::ContentAdd => "content-add",
        Action::ContentModify => "content-modify",
        Action::ContentReject => "content-reject",
        Action::ContentRemove => "content-remove",
        Action::DescriptionInfo => "description-info",
        Action::TransportAccept => "transport-accept",
        Action::TransportInfo => "transport-info",
        Action::TransportReject => "transport-reject",
        Action::TransportReplace => "transport-replace",
        _ => "send this action in",
    }
}

pub(super) fn key(c: &Content) -> Key {
    (c.creator, c.name.clone())
}

/// A session's identity: the peer's full JID and the session id.
pub(super) type SessionKey = (Jid, String);

/// One session as this party sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub(super) sid: String,
    pub(super) role: Role,
    pub(super) peer: Jid,
    pub(super) state: State,
    pub(super) contents: BTreeMap<Key, Content>,
    /// Contents we added, awaiting the peer's content-accept or -reject.
    pub(super) proposed: BTreeMap<Key, Content>,
    /// Contents the peer added, awaiting our content-accept or -reject.
    pub(super) offered: BTreeMap<Key, Content>,
    /// Transports we proposed with transport-replace.
    pub(super) replacing: BTreeMap<Key, Content>,
    /// Transports the peer proposed with transport-replace.
    pub(super) replaced: BTreeMap<Key, Content>,
    /// Whether our session-initiate is still unanswered.
    pub(super) initiate_pending: bool,
    /// When the ring timeout ends the session (initiator, PENDING).
    pub(super) ring_deadline: Option<Instant>,
    /// When the ended session is forgotten ([`Config::linger`](super::Config::linger)).
    pub(super) linger_deadline: Option<Instant>,
}

impl Session {
    /// The misuse error for `action` on this session.
    pub(super) fn wrong(&self, action: &'static str) -> SessionError {
        SessionError::WrongState {
            action,
            role: self.role,
            state: self.state,
        }
    }

    pub(super) fn new(sid: String, role: Role, peer: Jid, contents: &[Content]) -> Self {
        Session {
            sid,
            role,
            peer,
            state: State::Pending,
            contents: contents.iter().map(|c| (key(c), c.clone())).collect(),
            proposed: BTreeMap::new(),
            offered: BTreeMap::new(),
            replacing: BTreeMap::new(),
            replaced: BTreeMap::new(),
            initiate_pending: role == Role::Initiator,
            ring_deadline: None,
            linger_deadline: None,
        }
    }

    /// The session id.
    pub fn sid(&self) -> &str {
        &self.sid
    }

    /// This party's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The other party.
    pub fn peer(&self) -> &Jid {
        &self.peer
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The contents both parties agreed on (initiated, accepted or
    /// added and accepted), by creator and name.
    pub fn contents(&self) -> impl Iterator<Item = &Content> {
        self.contents.values()
    }

    /// Contents the peer added that await our accept or reject.
    pub fn offered(&self) -> impl Iterator<Item = &Content> {
        self.offered.values()
    }

    /// Contents we added that await the peer's accept or reject.
    pub fn proposed(&self) -> impl Iterator<Item = &Content> {
        self.proposed.values()
    }

    /// Transports the peer proposed with transport-replace, awaiting our
    /// transport-accept or -reject.
    pub fn replaced(&self) -> impl Iterator<Item = &Content> {
        self.replaced.values()
    }

    /// Whether no negotiation is in progress in this session (no pending
    /// content-add or transport-replace, no unanswered session-initiate).
    pub fn is_settled(&self) -> bool {
        self.proposed.is_empty()
            && self.offered.is_empty()
            && self.replacing.is_empty()
            && self.replaced.is_empty()
            && !self.initiate_pending
    }

    pub(super) fn knows(&self, k: &Key) -> bool {
        self.contents.contains_key(k)
            || self.proposed.contains_key(k)
            || self.offered.contains_key(k)
    }

    /// Applies an acknowledged action. `ours`: we sent it.
    pub(super) fn apply(&mut self, j: &Jingle, ours: bool) {
        if self.state == State::Ended {
            // Nothing revives an ended session (e.g. the late result of a
            // session-accept sent before our session-terminate).
            return;
        }
        match j.action {
            // The answer's parameters are the caller's to read (the event
            // carries them); the contents stay as initiated.
            Action::SessionAccept => self.state = State::Active,
            Action::SessionTerminate => self.state = State::Ended,
            Action::ContentAdd => {
                let map = if ours {
                    &mut self.proposed
                } else {
                    &mut self.offered
                };
                for c in &j.contents {
                    map.insert(key(c), c.clone());
                }
            }
            Action::ContentAccept | Action::ContentReject => {
                let accept = j.action == Action::ContentAccept;
                for c in &j.contents {
                    let k = key(c);
                    let pending = if ours {
                        &mut self.offered
                    } else {
                        &mut self.proposed
                    };
                    if pending.remove(&k).is_some() && accept {
                        self.contents.insert(k, c.clone());
                    }
                }
            }
            Action::ContentModify => {
                for c in &j.contents {
                    if let Some(have) = self.contents.get_mut(&key(c)) {
                        have.senders = c.senders;
                    }
                }
            }
            Action::ContentRemove => {
                for c in &j.contents {
                    let k = key(c);
                    self.contents.remove(&k);
                    self.proposed.remove(&k);
                    self.offered.remove(&k);
                    self.replacing.remove(&k);
                    self.replaced.remove(&k);
                }
            }
            Action::TransportReplace => {
                for c in &j.contents {
                    if ours {
                        self.replacing.insert(key(c), c.clone());
                    } else {
                        // The initiator's replace won any crossing one of
                        // ours (see check_incoming).
                        self.replacing.remove(&key(c));
                        self.replaced.insert(key(c), c.clone());
                    }
                }
            }
            Action::TransportAccept | Action::TransportReject => {
                let accept = j.action == Action::TransportAccept;
                for c in &j.contents {
                    let k = key(c);
                    let pending = if ours {
                        &mut self.replaced
                    } else {
                        &mut self.replacing
                    };
                    if pending.remove(&k).is_some()
                        && accept
                        && let Some(have) = self.contents.get_mut(&k)
                    {
                        set_transport(have, c);
                    }
                }
            }
            Action::SessionInitiate
            | Action::SessionInfo
            | Action::DescriptionInfo
            | Action::SecurityInfo
            | Action::TransportInfo => {}
        }
    }
}
