//! A sans-IO Jingle endpoint (XEP-0166 §6–7): the sessions of one party,
//! in either role, in the style of `xep_sm::StreamManager`.
//!
//! Inputs are method calls: [`Endpoint::handle_iq`] with every `<iq/>`
//! that concerns Jingle (requests carrying `<jingle/>` and the replies to
//! ours), and the caller's own actions ([`Endpoint::initiate`],
//! [`Endpoint::accept`], [`Endpoint::terminate`], [`Endpoint::content_action`],
//! ...). Outputs are drained: [`Endpoint::poll_transmit`] for the iqs to
//! send, [`Endpoint::poll_event`] for what the caller must know.
//!
//! Every request received is answered exactly once: an iq result, or an
//! error with the Jingle condition XEP-0166 §10 prescribes
//! (`unknown-session` for an unknown or ended session, `out-of-order` for
//! an action the state does not allow, `tie-break` for the losing side of
//! simultaneous actions, `unsupported-info` for a session-info payload this
//! crate does not know).
//!
//! A request changes the session when it is acknowledged: the receiver
//! applies it as it sends the result, the sender when the result arrives
//! (an error leaves the session as it was). Simultaneous actions are
//! resolved as XEP-0166 §7.2 says: between two session-initiates for
//! equivalent contents the lower session id wins (the lower JID when the
//! ids are equal) and the other side answers `conflict` + `tie-break`; in
//! an existing session, a content-modify or transport-replace of the
//! responder that crosses one of the initiator's on the same content loses
//! (the initiator answers `tie-break`, the responder accepts the
//! initiator's). While our session-initiate is unanswered, a request from
//! the peer about the same id can only concern a session of its own that
//! collided with ours, and is answered `unknown-session`.
//!
//! A party negotiates one thing at a time per content: while its
//! content-add, -accept, -reject or transport-replace, -accept, -reject
//! about a content is unanswered, another such action about it is refused
//! to the caller ([`SessionError::Busy`]), so that both sides apply them
//! in the same order.
//!
//! Other refusals: `bad-request` for a session-initiate without contents
//! (or with contents not created by the initiator) and for an action that
//! names contents the session does not have; `conflict` for a content-add
//! of a content that exists. Sessions are keyed by their id alone: ids
//! are expected to be unique across peers, as XEP-0166 asks of them.
//! There are no timers: a request the peer never answers stays pending.

use std::collections::{BTreeMap, HashMap, VecDeque};

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, StanzaError};
use xep_element::Payload;
use xep_element::jid::Jid;

use crate::file_transfer::{Checksum, Received};
use crate::jingle::{Action, Content, Creator, Jingle, JingleError, Reason};
use crate::rtp::RtpInfo;

/// The role of this party in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// This party sent the session-initiate.
    Initiator,
    /// This party received it.
    Responder,
}

impl Role {
    fn creator(self) -> Creator {
        match self {
            Role::Initiator => Creator::Initiator,
            Role::Responder => Creator::Responder,
        }
    }
}

/// The state of a session (XEP-0166 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Initiated, not yet accepted.
    Pending,
    /// Accepted.
    Active,
    /// Terminated (or refused).
    Ended,
}

/// What the caller must know.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A peer initiated a session (already acknowledged); accept it with
    /// [`Endpoint::accept`] or decline it with [`Endpoint::terminate`].
    Incoming {
        /// The session id.
        sid: String,
        /// The initiator.
        from: Jid,
        /// The session-initiate.
        jingle: Jingle,
    },
    /// The peer sent another action, acknowledged and applied: a
    /// content-add to accept or reject, a transport-replace to accept or
    /// reject, informational messages, modifications, removals.
    Received {
        /// The session id.
        sid: String,
        /// The action.
        jingle: Jingle,
    },
    /// One of our requests was answered.
    Answered {
        /// The session id.
        sid: String,
        /// The action of the request.
        action: Action,
        /// `None` for a result, the error otherwise.
        error: Option<StanzaError>,
    },
    /// The session changed state.
    StateChanged {
        /// The session id.
        sid: String,
        /// The new state.
        state: State,
    },
}

/// Why a caller's action was refused (nothing was sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// No session has this id.
    UnknownSession,
    /// A session with this id exists already.
    DuplicateSession,
    /// The action is not possible in the session's state or role.
    WrongState,
    /// A content named in the action is not in the session (or not in the
    /// state the action needs).
    UnknownContent,
    /// A content with this creator and name exists already.
    DuplicateContent,
    /// A negotiation request of ours about one of the contents (a
    /// content-add, -accept or -reject, a transport-replace, -accept or
    /// -reject) is still unanswered.
    Busy,
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SessionError::UnknownSession => "no session has this id",
            SessionError::DuplicateSession => "a session with this id exists",
            SessionError::WrongState => "the action is not allowed in this state or role",
            SessionError::UnknownContent => "a content of the action is unknown",
            SessionError::DuplicateContent => "a content with this creator and name exists",
            SessionError::Busy => "a negotiation request about the content is unanswered",
        })
    }
}

impl std::error::Error for SessionError {}

type Key = (Creator, String);

fn key(c: &Content) -> Key {
    (c.creator, c.name.clone())
}

/// One session as this party sees it.
#[derive(Debug, Clone)]
pub struct Session {
    sid: String,
    role: Role,
    peer: Jid,
    state: State,
    contents: BTreeMap<Key, Content>,
    /// Contents we added, awaiting the peer's content-accept or -reject.
    proposed: BTreeMap<Key, Content>,
    /// Contents the peer added, awaiting our content-accept or -reject.
    offered: BTreeMap<Key, Content>,
    /// Transports we proposed with transport-replace.
    replacing: BTreeMap<Key, Content>,
    /// Transports the peer proposed with transport-replace.
    replaced: BTreeMap<Key, Content>,
    /// Whether our session-initiate is still unanswered.
    initiate_pending: bool,
}

impl Session {
    fn new(sid: String, role: Role, peer: Jid, contents: &[Content]) -> Self {
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

    fn knows(&self, k: &Key) -> bool {
        self.contents.contains_key(k)
            || self.proposed.contains_key(k)
            || self.offered.contains_key(k)
    }

    /// Applies an acknowledged action. `ours`: we sent it.
    fn apply(&mut self, j: &Jingle, ours: bool) {
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

    /// Checks an incoming request against the state; `Err` is the Jingle
    /// condition (or a plain stanza error) to answer with.
    fn check_incoming(&self, j: &Jingle, outstanding: &[&Jingle]) -> Result<(), Refusal> {
        use Action as A;
        if self.state == State::Ended {
            return Err(Refusal::Jingle(JingleError::UnknownSession));
        }
        let keys: Vec<Key> = j.contents.iter().map(key).collect();
        match j.action {
            A::SessionInitiate => return Err(Refusal::Jingle(JingleError::OutOfOrder)),
            A::SessionAccept => {
                if self.role != Role::Initiator || self.state != State::Pending {
                    return Err(Refusal::Jingle(JingleError::OutOfOrder));
                }
            }
            A::SessionTerminate | A::SecurityInfo => {}
            A::SessionInfo => {
                if !j.payloads.iter().all(known_info) {
                    return Err(Refusal::Jingle(JingleError::UnsupportedInfo));
                }
            }
            A::ContentAdd => {
                if keys.is_empty() {
                    return Err(Refusal::BadRequest);
                }
                if keys.iter().any(|k| self.knows(k)) {
                    return Err(Refusal::Conflict);
                }
            }
            A::ContentAccept | A::ContentReject => {
                if keys.is_empty() || !keys.iter().all(|k| self.proposed.contains_key(k)) {
                    return Err(Refusal::Jingle(JingleError::OutOfOrder));
                }
            }
            A::TransportAccept | A::TransportReject => {
                if keys.is_empty() || !keys.iter().all(|k| self.replacing.contains_key(k)) {
                    return Err(Refusal::Jingle(JingleError::OutOfOrder));
                }
            }
            A::ContentModify | A::TransportReplace => {
                if keys.is_empty() || !keys.iter().all(|k| self.contents.contains_key(k)) {
                    return Err(Refusal::BadRequest);
                }
                // Tie-break (XEP-0166 §7.2): the initiator's action wins
                // over a crossing one of the responder on the same content
                // (for transports: over any replace of ours still pending).
                let crossing = outstanding.iter().any(|o| {
                    o.action == j.action && o.contents.iter().any(|c| keys.contains(&key(c)))
                }) || (j.action == A::TransportReplace
                    && keys.iter().any(|k| self.replacing.contains_key(k)));
                if crossing && self.role == Role::Initiator {
                    return Err(Refusal::Jingle(JingleError::TieBreak));
                }
            }
            A::ContentRemove | A::TransportInfo | A::DescriptionInfo => {
                if keys.is_empty() || !keys.iter().all(|k| self.knows(k)) {
                    return Err(Refusal::BadRequest);
                }
            }
        }
        Ok(())
    }
}

fn set_transport(have: &mut Content, from: &Content) {
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

enum Refusal {
    Jingle(JingleError),
    BadRequest,
    Conflict,
}

impl Refusal {
    fn error(self) -> StanzaError {
        match self {
            Refusal::Jingle(j) => j.stanza_error(),
            Refusal::BadRequest => {
                StanzaError::new(ErrorType::Cancel, DefinedCondition::BadRequest)
            }
            Refusal::Conflict => StanzaError::new(ErrorType::Cancel, DefinedCondition::Conflict),
        }
    }
}

/// One of our requests awaiting its reply.
#[derive(Debug, Clone)]
struct Outstanding {
    sid: String,
    jingle: Jingle,
}

/// The Jingle sessions of one party (see the module docs).
#[derive(Debug, Clone)]
pub struct Endpoint {
    local: Jid,
    sessions: BTreeMap<String, Session>,
    outstanding: HashMap<String, Outstanding>,
    transmit: VecDeque<Iq>,
    events: VecDeque<Event>,
    next_id: u64,
}

impl Endpoint {
    /// An endpoint for the full JID `local`, with no sessions.
    pub fn new(local: Jid) -> Self {
        Endpoint {
            local,
            sessions: BTreeMap::new(),
            outstanding: HashMap::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            next_id: 0,
        }
    }

    /// This party's JID.
    pub fn local(&self) -> &Jid {
        &self.local
    }

    /// The session `sid`.
    pub fn session(&self, sid: &str) -> Option<&Session> {
        self.sessions.get(sid)
    }

    /// Every session, ended ones included.
    pub fn sessions(&self) -> impl Iterator<Item = &Session> {
        self.sessions.values()
    }

    /// The next iq to send.
    pub fn poll_transmit(&mut self) -> Option<Iq> {
        self.transmit.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether a request of ours is unanswered.
    pub fn has_outstanding(&self) -> bool {
        !self.outstanding.is_empty()
    }

    fn send(&mut self, sid: &str, peer: Jid, jingle: Jingle) -> String {
        self.next_id += 1;
        let id = format!("jingle-{}", self.next_id);
        let mut iq = Iq::set(id.clone(), Some(peer), Payload::new(jingle.clone()));
        iq.from = Some(self.local.clone());
        self.transmit.push_back(iq);
        self.outstanding.insert(
            id.clone(),
            Outstanding {
                sid: sid.to_string(),
                jingle,
            },
        );
        id
    }

    fn set_state(&mut self, sid: &str, state: State) {
        if let Some(s) = self.sessions.get_mut(sid)
            && s.state != state
        {
            s.state = state;
            self.events.push_back(Event::StateChanged {
                sid: sid.to_string(),
                state,
            });
        }
    }

    /// Starts a session with `peer` (session-initiate with `contents`: at
    /// least one, all created by the initiator). Returns the request's iq
    /// id.
    pub fn initiate(
        &mut self,
        peer: Jid,
        sid: impl Into<String>,
        contents: Vec<Content>,
    ) -> Result<String, SessionError> {
        let sid = sid.into();
        if self.sessions.contains_key(&sid) {
            return Err(SessionError::DuplicateSession);
        }
        if contents.is_empty() || contents.iter().any(|c| c.creator != Creator::Initiator) {
            return Err(SessionError::UnknownContent);
        }
        let mut j = Jingle::new(Action::SessionInitiate, sid.clone());
        j.initiator = Some(self.local.clone());
        j.contents = contents;
        self.sessions.insert(
            sid.clone(),
            Session::new(sid.clone(), Role::Initiator, peer.clone(), &j.contents),
        );
        Ok(self.send(&sid, peer, j))
    }

    fn live(&self, sid: &str) -> Result<&Session, SessionError> {
        match self.sessions.get(sid) {
            Some(s) if s.state != State::Ended => Ok(s),
            Some(_) => Err(SessionError::WrongState),
            None => Err(SessionError::UnknownSession),
        }
    }

    /// Accepts an incoming session (session-accept with `contents`, or
    /// the session's contents when empty).
    pub fn accept(&mut self, sid: &str, contents: Vec<Content>) -> Result<String, SessionError> {
        let s = self.live(sid)?;
        if s.role != Role::Responder || s.state != State::Pending {
            return Err(SessionError::WrongState);
        }
        if contents.iter().any(|c| !s.contents.contains_key(&key(c))) {
            return Err(SessionError::UnknownContent);
        }
        let mut j = Jingle::new(Action::SessionAccept, sid);
        j.responder = Some(self.local.clone());
        j.contents = if contents.is_empty() {
            s.contents.values().cloned().collect()
        } else {
            contents
        };
        let peer = s.peer.clone();
        Ok(self.send(sid, peer, j))
    }

    /// Ends a session (session-terminate); the session is ended at once.
    pub fn terminate(&mut self, sid: &str, reason: Option<Reason>) -> Result<String, SessionError> {
        let peer = self.live(sid)?.peer.clone();
        let mut j = Jingle::new(Action::SessionTerminate, sid);
        j.reason = reason;
        let id = self.send(sid, peer, j);
        self.set_state(sid, State::Ended);
        Ok(id)
    }

    /// Sends an action about `contents` after checking it against the
    /// session: content-add (new contents created by us), content-accept
    /// and content-reject (of offered contents), content-modify,
    /// content-remove, transport-replace, transport-accept and
    /// transport-reject (of a transport the peer proposed),
    /// transport-info and description-info.
    pub fn content_action(
        &mut self,
        sid: &str,
        action: Action,
        contents: Vec<Content>,
        reason: Option<Reason>,
    ) -> Result<String, SessionError> {
        use Action as A;
        let s = self.live(sid)?;
        let keys: Vec<Key> = contents.iter().map(key).collect();
        if keys.is_empty() {
            return Err(SessionError::UnknownContent);
        }
        let ok = match action {
            A::ContentAdd => {
                if keys.iter().any(|k| s.knows(k)) {
                    return Err(SessionError::DuplicateContent);
                }
                keys.iter().all(|k| k.0 == s.role.creator())
            }
            A::ContentAccept | A::ContentReject => keys.iter().all(|k| s.offered.contains_key(k)),
            A::ContentModify => keys.iter().all(|k| s.contents.contains_key(k)),
            A::TransportReplace => keys.iter().all(|k| {
                s.contents.contains_key(k)
                    && !s.replacing.contains_key(k)
                    && !s.replaced.contains_key(k)
            }),
            A::TransportAccept | A::TransportReject => {
                keys.iter().all(|k| s.replaced.contains_key(k))
            }
            A::ContentRemove | A::TransportInfo | A::DescriptionInfo => {
                keys.iter().all(|k| s.knows(k))
            }
            _ => return Err(SessionError::WrongState),
        };
        if !ok {
            return Err(SessionError::UnknownContent);
        }
        if is_negotiation(action)
            && self.outstanding.values().any(|o| {
                o.sid == sid
                    && is_negotiation(o.jingle.action)
                    && o.jingle.contents.iter().any(|c| keys.contains(&key(c)))
            })
        {
            return Err(SessionError::Busy);
        }
        let peer = s.peer.clone();
        let mut j = Jingle::new(action, sid);
        j.contents = contents;
        j.reason = reason;
        Ok(self.send(sid, peer, j))
    }

    /// Sends session-info with `payloads` (none: a ping).
    pub fn session_info(
        &mut self,
        sid: &str,
        payloads: Vec<Payload>,
    ) -> Result<String, SessionError> {
        let peer = self.live(sid)?.peer.clone();
        let mut j = Jingle::new(Action::SessionInfo, sid);
        j.payloads = payloads;
        Ok(self.send(sid, peer, j))
    }

    /// Handles an iq: a request carrying `<jingle/>` (answered through
    /// [`poll_transmit`](Self::poll_transmit)) or a reply to one of ours.
    /// Returns `false` when the iq is neither (not for this endpoint).
    pub fn handle_iq(&mut self, iq: &Iq) -> bool {
        match iq.type_ {
            IqType::Result | IqType::Error => self.handle_reply(iq),
            IqType::Set => match iq.payload::<Jingle>() {
                Some(Ok(j)) => {
                    self.handle_request(iq, j);
                    true
                }
                Some(Err(e)) => {
                    let err = StanzaError::new(ErrorType::Modify, DefinedCondition::BadRequest)
                        .with_text(None, e.to_string());
                    self.reply(iq, Err(err));
                    true
                }
                None => false,
            },
            IqType::Get => false,
        }
    }

    fn reply(&mut self, req: &Iq, outcome: Result<(), StanzaError>) {
        let mut out = match outcome {
            Ok(()) => req.result(None),
            Err(e) => {
                let mut r = req.error_reply(e);
                r.payloads.clear();
                r
            }
        };
        out.from = Some(self.local.clone());
        out.to = req.from.clone();
        self.transmit.push_back(out);
    }

    fn handle_reply(&mut self, iq: &Iq) -> bool {
        let Some(o) = self.outstanding.remove(&iq.id) else {
            return false;
        };
        let Some(s) = self.sessions.get_mut(&o.sid) else {
            return true;
        };
        if iq.from.is_some() && iq.from.as_ref() != Some(&s.peer) {
            // Not from the peer: put it back.
            self.outstanding.insert(iq.id.clone(), o);
            return false;
        }
        let action = o.jingle.action;
        let error = if iq.type_ == IqType::Error {
            Some(iq.error.clone().unwrap_or_else(|| {
                StanzaError::new(ErrorType::Cancel, DefinedCondition::UndefinedCondition)
            }))
        } else {
            None
        };
        if action == Action::SessionInitiate {
            s.initiate_pending = false;
        }
        let mut new_state = None;
        match &error {
            None => {
                let before = s.state;
                s.apply(&o.jingle, true);
                if s.state != before {
                    new_state = Some(s.state);
                    s.state = before;
                }
            }
            Some(_) if action == Action::SessionInitiate => new_state = Some(State::Ended),
            Some(_) => {}
        }
        let sid = o.sid.clone();
        self.events.push_back(Event::Answered {
            sid: sid.clone(),
            action,
            error,
        });
        if let Some(st) = new_state {
            self.set_state(&sid, st);
        }
        true
    }

    fn handle_request(&mut self, iq: &Iq, j: Jingle) {
        let Some(from) = iq.from.clone() else {
            let e = StanzaError::new(ErrorType::Modify, DefinedCondition::BadRequest);
            return self.reply(iq, Err(e));
        };
        if j.action == Action::SessionInitiate && !self.sessions.contains_key(&j.sid) {
            return self.handle_initiate(iq, from, j);
        }
        if j.action == Action::SessionInitiate {
            // The same sid: simultaneous initiates with equal ids, or a
            // repeated initiate.
            let ours = &self.sessions[&j.sid];
            if ours.role == Role::Initiator
                && ours.initiate_pending
                && ours.peer == from
                && from.to_string() < self.local.to_string()
            {
                // The peer's wins: ours is forgotten.
                let sid = j.sid.clone();
                self.outstanding.retain(|_, o| o.sid != sid);
                self.sessions.remove(&sid);
                self.events.push_back(Event::StateChanged {
                    sid: sid.clone(),
                    state: State::Ended,
                });
                return self.handle_initiate(iq, from, j);
            }
            let refusal = if ours.role == Role::Initiator && ours.initiate_pending {
                JingleError::TieBreak
            } else {
                JingleError::OutOfOrder
            };
            return self.reply(iq, Err(refusal.stanza_error()));
        }
        let outstanding: Vec<&Jingle> = self
            .outstanding
            .values()
            .filter(|o| o.sid == j.sid)
            .map(|o| &o.jingle)
            .collect();
        let check = match self.sessions.get(&j.sid) {
            // While our initiate is unanswered the peer cannot know our
            // session (its acknowledgement would come first): the request
            // is about a session of its own with the same id, which lost
            // or will lose the tie-break.
            Some(s) if s.role == Role::Initiator && s.initiate_pending => {
                Err(Refusal::Jingle(JingleError::UnknownSession))
            }
            Some(s) if s.peer == from => s.check_incoming(&j, &outstanding),
            _ => Err(Refusal::Jingle(JingleError::UnknownSession)),
        };
        if let Err(r) = check {
            return self.reply(iq, Err(r.error()));
        }
        self.reply(iq, Ok(()));
        let sid = j.sid.clone();
        let s = self.sessions.get_mut(&sid).expect("checked above");
        let before = s.state;
        s.apply(&j, false);
        let after = s.state;
        s.state = before;
        self.events.push_back(Event::Received {
            sid: sid.clone(),
            jingle: j,
        });
        self.set_state(&sid, after);
    }

    fn handle_initiate(&mut self, iq: &Iq, from: Jid, j: Jingle) {
        if j.contents.is_empty() || j.contents.iter().any(|c| c.creator != Creator::Initiator) {
            let e = StanzaError::new(ErrorType::Cancel, DefinedCondition::BadRequest);
            return self.reply(iq, Err(e));
        }
        // Simultaneous initiates (XEP-0166 §7.2): our unanswered initiate
        // to the same peer for equivalent contents with a lower id wins.
        let theirs = apps(&j.contents);
        let beaten = self.sessions.values().any(|s| {
            s.role == Role::Initiator
                && s.initiate_pending
                && s.peer == from
                && apps(&s.contents.values().cloned().collect::<Vec<_>>()) == theirs
                && s.sid.as_bytes() < j.sid.as_bytes()
        });
        if beaten {
            return self.reply(iq, Err(JingleError::TieBreak.stanza_error()));
        }
        self.reply(iq, Ok(()));
        let sid = j.sid.clone();
        self.sessions.insert(
            sid.clone(),
            Session::new(sid.clone(), Role::Responder, from.clone(), &j.contents),
        );
        self.events.push_back(Event::Incoming {
            sid,
            from,
            jingle: j,
        });
    }
}

/// Whether an action negotiates a content or a transport (one at a time
/// per content and party).
fn is_negotiation(a: Action) -> bool {
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
fn apps(contents: &[Content]) -> Vec<String> {
    let mut v: Vec<String> = contents
        .iter()
        .filter_map(Content::description_ns)
        .collect();
    v.sort();
    v
}
