//! The Jingle endpoint: the sessions of one party, their state, the checks
//! of incoming requests and the timers (see [`Endpoint`]).

mod checks;
mod state;
mod timers;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, StanzaError};
use xep_element::Payload;
use xep_element::jid::Jid;

use crate::jingle::{Action, Content, Creator, Jingle, JingleError, Reason};

use checks::{Refusal, apps, is_negotiation};
use state::{Key, SessionKey, action_name, key};
pub use state::{Role, Session, State};
pub use timers::Config;

/// What the caller must know. Every event names the session by its peer
/// and id.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A peer initiated a session (already acknowledged); accept it with
    /// [`Endpoint::accept`] or decline it with [`Endpoint::terminate`].
    Incoming {
        /// The initiator (the iq's `from`).
        peer: Jid,
        /// The session id.
        sid: String,
        /// The session-initiate.
        jingle: Jingle,
    },
    /// The peer sent another action, acknowledged and applied: a
    /// content-add to accept or reject, a transport-replace to accept or
    /// reject, informational messages, modifications, removals.
    Received {
        /// The peer.
        peer: Jid,
        /// The session id.
        sid: String,
        /// The action.
        jingle: Jingle,
    },
    /// One of our requests was answered.
    Answered {
        /// The peer.
        peer: Jid,
        /// The session id.
        sid: String,
        /// The iq id of the request (as returned by the action's method).
        id: String,
        /// The action of the request.
        action: Action,
        /// `None` for a result, the error otherwise.
        error: Option<StanzaError>,
    },
    /// One of our requests got no answer within
    /// [`Config::request_timeout`]: it is treated as failed (see
    /// [`Config::request_timeout`] for what follows). Every request gets
    /// exactly one `Answered` or `TimedOut`.
    TimedOut {
        /// The peer.
        peer: Jid,
        /// The session id.
        sid: String,
        /// The iq id of the request.
        id: String,
        /// The action of the request.
        action: Action,
    },
    /// The session changed state.
    StateChanged {
        /// The peer.
        peer: Jid,
        /// The session id.
        sid: String,
        /// The new state.
        state: State,
        /// When the session ended with a reason: the reason of the
        /// session-terminate sent or received, `<timeout/>` when a timer
        /// ended it. `None` otherwise.
        reason: Option<Reason>,
    },
}

/// Why a caller's action was refused (nothing was sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionError {
    /// No session with this peer has this id.
    UnknownSession,
    /// A session with this peer and id exists already (live, or ended and
    /// lingering: see [`Config::linger`]).
    DuplicateSession,
    /// The action is not possible in the session's role or state (the
    /// caller's misuse, as every machine reports it: see ARCHITECTURE.md).
    WrongState {
        /// The action refused (`accept`, `terminate`, a content action's
        /// name, ...).
        action: &'static str,
        /// Our role in the session.
        role: Role,
        /// The session's state.
        state: State,
    },
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
            SessionError::WrongState {
                action,
                role,
                state,
            } => {
                return write!(
                    f,
                    "cannot {action} as the {role:?} of a session in state {state:?}"
                );
            }
            SessionError::UnknownSession => "no session with this peer has this id",
            SessionError::DuplicateSession => "a session with this peer and id exists",
            SessionError::UnknownContent => "a content of the action is unknown",
            SessionError::DuplicateContent => "a content with this creator and name exists",
            SessionError::Busy => "a negotiation request about the content is unanswered",
        })
    }
}

impl std::error::Error for SessionError {}

/// One of our requests awaiting its reply.
#[derive(Debug, Clone)]
struct Outstanding {
    peer: Jid,
    sid: String,
    jingle: Jingle,
    /// When it times out (`None`: never, the timeout being too large to
    /// add to an `Instant`).
    deadline: Option<Instant>,
    /// Order of sending, to fire equal deadlines in order.
    seq: u64,
    /// The session it was about is gone (our session-initiate lost a
    /// tie-break with equal ids and the peer's session took its key): its
    /// answer or timeout is reported and changes nothing.
    detached: bool,
}

impl Outstanding {
    fn key(&self) -> SessionKey {
        (self.peer.clone(), self.sid.clone())
    }
}

/// A sans-IO Jingle endpoint (XEP-0166 §6–7): the sessions of one party,
/// in either role, in the style of `xep_sm::StreamManager`.
///
/// Inputs are method calls: [`Endpoint::handle_iq`] with every `<iq/>`
/// that concerns Jingle (requests carrying `<jingle/>` and the replies to
/// ours), the caller's own actions ([`Endpoint::initiate`],
/// [`Endpoint::accept`], [`Endpoint::terminate`], [`Endpoint::content_action`],
/// ...) and [`Endpoint::handle_timeout`]. Outputs are drained:
/// [`Endpoint::poll_transmit`] for the iqs to send, [`Endpoint::poll_event`]
/// for what the caller must know, [`Endpoint::poll_timeout`] for when to
/// call [`Endpoint::handle_timeout`] next.
///
/// # Sessions are per pair of parties
///
/// XEP-0166 §7.1 makes the `sid` a random identifier generated by the
/// initiator; nothing makes it unique across parties, so two peers may
/// well use the same one. A session is therefore known by the peer's full
/// JID *and* its id ([`Endpoint::session`] takes both), and an incoming
/// request is matched by its `from` and `sid`: a request quoting the id of
/// a session we have with someone else is about a session unknown to us
/// (`item-not-found` + `unknown-session`).
///
/// # Answers
///
/// Every request received is answered exactly once: an iq result, or an
/// error with the Jingle condition XEP-0166 §10 prescribes
/// (`unknown-session` for an unknown or ended session, `out-of-order` for
/// an action the state does not allow, `tie-break` for the losing side of
/// simultaneous actions, `unsupported-info` for an informational payload
/// this crate does not understand). Errors carry a text naming the reason.
///
/// Informational messages (XEP-0166 §6.8: session-info, description-info,
/// transport-info) whose payload the session does not understand are
/// answered `feature-not-implemented` + `unsupported-info`:
///
/// * a session-info payload other than the XEP-0167 RTP informational
///   messages and the XEP-0234 `<checksum/>` and `<received/>` (an empty
///   session-info is a ping and is acknowledged);
/// * in a transport-info, a `<transport/>` other than the content's
///   negotiated transport method (same namespace; a transport proposed
///   with a pending transport-replace is accepted too), or any other child
///   of the content or of `<jingle/>`;
/// * in a description-info, a `<description/>` of another application
///   format than the content's, or any other child.
///
/// A transport-info (description-info) content without a `<transport/>`
/// (`<description/>`) carries no information at all and is a `bad-request`.
///
/// # Applying actions
///
/// A request changes the session when it is acknowledged: the receiver
/// applies it as it sends the result, the sender when the result arrives
/// (an error leaves the session as it was). Simultaneous actions are
/// resolved as XEP-0166 §7.2.16 says: between two session-initiates for
/// equivalent contents the lower session id wins (the lower JID when the
/// ids are equal) and the other side answers `conflict` + `tie-break`; in
/// an existing session, a content-modify or transport-replace of the
/// responder that crosses one of the initiator's on the same content loses
/// (the initiator answers `tie-break`, the responder accepts the
/// initiator's). While our session-initiate is unanswered, a request from
/// the peer about the same id can only concern a session of its own that
/// collided with ours, and is answered `unknown-session`.
///
/// A party negotiates one thing at a time per content: while its
/// content-add, -accept, -reject or transport-replace, -accept, -reject
/// about a content is unanswered, another such action about it is refused
/// to the caller ([`SessionError::Busy`]), so that both sides apply them
/// in the same order.
///
/// Other refusals: `bad-request` for a session-initiate without contents
/// (or with contents not created by the initiator) and for an action that
/// names contents the session does not have; `conflict` for a content-add
/// of a content that exists.
///
/// # Timers
///
/// The machine reads no clock: every input that may start or fire a
/// timer takes the current time (`now`), and the caller asks
/// [`Endpoint::poll_timeout`] for the earliest deadline and calls
/// [`Endpoint::handle_timeout`] when it is reached. Every input first
/// fires the timers due at its `now`, so a reply that arrives after its
/// request timed out is not taken as an answer. The timers and their
/// defaults are described on [`Config`]:
///
/// * each request of ours times out after [`Config::request_timeout`];
/// * a session we initiated is ended after [`Config::ring_timeout`] if
///   not accepted; a session we are asked to join runs no timer (XEP-0166
///   leaves the answer to the responder's user: the caller limits it if
///   it wants to, see [`Config::ring_timeout`]);
/// * an ended session is forgotten after [`Config::linger`]: it leaves
///   [`Endpoint::sessions`], requests about it are answered like those
///   about any unknown id, and its id can be used again with that peer.
///   An endpoint thus holds the sessions that are live and those that
///   ended less than the linger period ago, however long it runs.
///
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract"): inputs take `now` first, misuse
/// is a `WrongState` error, output is polled.
#[derive(Debug, Clone)]
pub struct Endpoint {
    local: Jid,
    config: Config,
    sessions: BTreeMap<SessionKey, Session>,
    outstanding: HashMap<String, Outstanding>,
    transmit: VecDeque<Iq>,
    events: VecDeque<Event>,
    next_id: u64,
}

impl Endpoint {
    /// An endpoint for the full JID `local`, with no sessions and the
    /// default [`Config`].
    pub fn new(local: Jid) -> Self {
        Self::with_config(local, Config::default())
    }

    /// An endpoint for the full JID `local` with the timers of `config`.
    pub fn with_config(local: Jid, config: Config) -> Self {
        Endpoint {
            local,
            config,
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

    /// The timers.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The session `sid` with `peer`.
    pub fn session(&self, peer: &Jid, sid: &str) -> Option<&Session> {
        self.sessions.get(&(peer.clone(), sid.to_string()))
    }

    /// Every session, ended ones included until their
    /// [linger period](Config::linger) is over, ordered by peer and id.
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

    /// Whether a request of ours is unanswered (and not timed out).
    pub fn has_outstanding(&self) -> bool {
        !self.outstanding.is_empty()
    }

    fn send(&mut self, now: Instant, k: &SessionKey, jingle: Jingle) -> String {
        self.next_id += 1;
        let id = format!("jingle-{}", self.next_id);
        let mut iq = Iq::set(id.clone(), Some(k.0.clone()), Payload::new(jingle.clone()));
        iq.from = Some(self.local.clone());
        self.transmit.push_back(iq);
        self.outstanding.insert(
            id.clone(),
            Outstanding {
                peer: k.0.clone(),
                sid: k.1.clone(),
                jingle,
                deadline: now.checked_add(self.config.request_timeout),
                seq: self.next_id,
                detached: false,
            },
        );
        id
    }

    /// Moves the session `k` to `state` at `now` (starting its linger
    /// when it ends), with an [`Event::StateChanged`].
    fn set_state(&mut self, now: Instant, k: &SessionKey, state: State, reason: Option<Reason>) {
        let linger = self.config.linger;
        if let Some(s) = self.sessions.get_mut(k)
            && s.state != state
        {
            s.state = state;
            s.ring_deadline = None;
            if state == State::Ended {
                s.linger_deadline = now.checked_add(linger);
            }
            self.events.push_back(Event::StateChanged {
                peer: k.0.clone(),
                sid: k.1.clone(),
                state,
                reason,
            });
        }
    }

    /// Starts a session with `peer` (session-initiate with `contents`: at
    /// least one, all created by the initiator), starting the request and
    /// ring timers at `now`. Returns the request's iq id.
    pub fn initiate(
        &mut self,
        now: Instant,
        peer: Jid,
        sid: impl Into<String>,
        contents: Vec<Content>,
    ) -> Result<String, SessionError> {
        self.initiate_with(now, peer, sid, contents, Vec::new())
    }

    /// [`initiate`](Self::initiate) with session-level `payloads` in the
    /// `<jingle/>` element besides the contents: XEP-0338 `<group/>`s
    /// (BUNDLE, as [`crate::sdp`] reads them from an offer), or any
    /// other extension.
    pub fn initiate_with(
        &mut self,
        now: Instant,
        peer: Jid,
        sid: impl Into<String>,
        contents: Vec<Content>,
        payloads: Vec<Payload>,
    ) -> Result<String, SessionError> {
        self.handle_timeout(now);
        let k = (peer, sid.into());
        if self.sessions.contains_key(&k) {
            return Err(SessionError::DuplicateSession);
        }
        if contents.is_empty() || contents.iter().any(|c| c.creator != Creator::Initiator) {
            return Err(SessionError::UnknownContent);
        }
        let mut j = Jingle::new(Action::SessionInitiate, k.1.clone());
        j.initiator = Some(self.local.clone());
        j.contents = contents;
        j.payloads = payloads;
        let mut s = Session::new(k.1.clone(), Role::Initiator, k.0.clone(), &j.contents);
        s.ring_deadline = now.checked_add(self.config.ring_timeout);
        self.sessions.insert(k.clone(), s);
        Ok(self.send(now, &k, j))
    }

    fn live(
        &self,
        action: &'static str,
        peer: &Jid,
        sid: &str,
    ) -> Result<(SessionKey, &Session), SessionError> {
        let k = (peer.clone(), sid.to_string());
        match self.sessions.get(&k) {
            Some(s) if s.state != State::Ended => Ok((k, s)),
            Some(s) => Err(s.wrong(action)),
            None => Err(SessionError::UnknownSession),
        }
    }

    /// Accepts the incoming session `sid` from `peer` (session-accept with
    /// `contents`, or the session's contents when empty).
    pub fn accept(
        &mut self,
        now: Instant,
        peer: &Jid,
        sid: &str,
        contents: Vec<Content>,
    ) -> Result<String, SessionError> {
        self.accept_with(now, peer, sid, contents, Vec::new())
    }

    /// [`accept`](Self::accept) with session-level `payloads` in the
    /// `<jingle/>` element (the answer's XEP-0338 groups, say).
    pub fn accept_with(
        &mut self,
        now: Instant,
        peer: &Jid,
        sid: &str,
        contents: Vec<Content>,
        payloads: Vec<Payload>,
    ) -> Result<String, SessionError> {
        self.handle_timeout(now);
        let (k, s) = self.live("accept", peer, sid)?;
        if s.role != Role::Responder || s.state != State::Pending {
            return Err(s.wrong("accept"));
        }
        if contents.iter().any(|c| !s.contents.contains_key(&key(c))) {
            return Err(SessionError::UnknownContent);
        }
        let mut j = Jingle::new(Action::SessionAccept, sid);
        j.responder = Some(self.local.clone());
        j.payloads = payloads;
        j.contents = if contents.is_empty() {
            s.contents.values().cloned().collect()
        } else {
            contents
        };
        Ok(self.send(now, &k, j))
    }

    /// Ends the session `sid` with `peer` (session-terminate); the session
    /// is ended at once (XEP-0166 §6.7).
    pub fn terminate(
        &mut self,
        now: Instant,
        peer: &Jid,
        sid: &str,
        reason: Option<Reason>,
    ) -> Result<String, SessionError> {
        self.handle_timeout(now);
        let (k, _) = self.live("terminate", peer, sid)?;
        let mut j = Jingle::new(Action::SessionTerminate, sid);
        j.reason = reason.clone();
        let id = self.send(now, &k, j);
        self.set_state(now, &k, State::Ended, reason);
        Ok(id)
    }

    /// Sends an action about `contents` in the session `sid` with `peer`
    /// after checking it against the session: content-add (new contents
    /// created by us), content-accept and content-reject (of offered
    /// contents), content-modify, content-remove, transport-replace,
    /// transport-accept and transport-reject (of a transport the peer
    /// proposed), transport-info and description-info.
    pub fn content_action(
        &mut self,
        now: Instant,
        peer: &Jid,
        sid: &str,
        action: Action,
        contents: Vec<Content>,
        reason: Option<Reason>,
    ) -> Result<String, SessionError> {
        use Action as A;
        self.handle_timeout(now);
        let (k, s) = self.live(action_name(action), peer, sid)?;
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
            _ => return Err(s.wrong(action_name(action))),
        };
        if !ok {
            return Err(SessionError::UnknownContent);
        }
        if is_negotiation(action)
            && self.outstanding.values().any(|o| {
                o.peer == k.0
                    && o.sid == k.1
                    && !o.detached
                    && is_negotiation(o.jingle.action)
                    && o.jingle.contents.iter().any(|c| keys.contains(&key(c)))
            })
        {
            return Err(SessionError::Busy);
        }
        let mut j = Jingle::new(action, sid);
        j.contents = contents;
        j.reason = reason;
        Ok(self.send(now, &k, j))
    }

    /// Sends session-info with `payloads` (none: a ping) in the session
    /// `sid` with `peer`.
    pub fn session_info(
        &mut self,
        now: Instant,
        peer: &Jid,
        sid: &str,
        payloads: Vec<Payload>,
    ) -> Result<String, SessionError> {
        self.handle_timeout(now);
        let (k, _) = self.live("send session-info in", peer, sid)?;
        let mut j = Jingle::new(Action::SessionInfo, sid);
        j.payloads = payloads;
        Ok(self.send(now, &k, j))
    }

    /// Handles an iq received at `now` (timers due by then fire first): a
    /// request carrying `<jingle/>` (answered through
    /// [`poll_transmit`](Self::poll_transmit)) or a reply to one of ours.
    /// Returns `false` when the iq is neither (not for this endpoint, or a
    /// reply to a request that timed out).
    pub fn handle_iq(&mut self, now: Instant, iq: &Iq) -> bool {
        self.handle_timeout(now);
        match iq.type_ {
            IqType::Result | IqType::Error => self.handle_reply(now, iq),
            IqType::Set => match iq.payload::<Jingle>() {
                Some(Ok(j)) => {
                    self.handle_request(now, iq, j);
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

    fn handle_reply(&mut self, now: Instant, iq: &Iq) -> bool {
        let Some(o) = self.outstanding.get(&iq.id) else {
            return false;
        };
        if iq.from.as_ref().is_some_and(|f| *f != o.peer) {
            // Not from the peer: not the answer.
            return false;
        }
        let Some(o) = self.outstanding.remove(&iq.id) else {
            return false;
        };
        let k = o.key();
        let action = o.jingle.action;
        let error = if iq.type_ == IqType::Error {
            Some(iq.error.clone().unwrap_or_else(|| {
                StanzaError::new(ErrorType::Cancel, DefinedCondition::UndefinedCondition)
            }))
        } else {
            None
        };
        let mut new_state = None;
        if let Some(s) = self.sessions.get_mut(&k).filter(|_| !o.detached) {
            if action == Action::SessionInitiate {
                s.initiate_pending = false;
            }
            match &error {
                None => {
                    let before = s.state;
                    s.apply(&o.jingle, true);
                    if s.state != before {
                        new_state = Some((s.state, o.jingle.reason.clone()));
                        s.state = before;
                    }
                }
                Some(_) if action == Action::SessionInitiate => {
                    new_state = Some((State::Ended, None));
                }
                Some(_) => {}
            }
        }
        self.events.push_back(Event::Answered {
            peer: o.peer,
            sid: o.sid,
            id: iq.id.clone(),
            action,
            error,
        });
        if let Some((st, reason)) = new_state {
            self.set_state(now, &k, st, reason);
        }
        true
    }

    fn handle_request(&mut self, now: Instant, iq: &Iq, j: Jingle) {
        let Some(from) = iq.from.clone() else {
            let e = StanzaError::new(ErrorType::Modify, DefinedCondition::BadRequest)
                .with_text(None, "a Jingle request without a sender");
            return self.reply(iq, Err(e));
        };
        let k = (from.clone(), j.sid.clone());
        if j.action == Action::SessionInitiate {
            let Some(ours) = self.sessions.get(&k) else {
                return self.handle_initiate(iq, from, j);
            };
            // The same peer and sid: simultaneous initiates with equal
            // ids, or a repeated initiate.
            let colliding = ours.role == Role::Initiator && ours.initiate_pending;
            if colliding && from.to_string() < self.local.to_string() {
                // The peer's wins (the lower JID, XEP-0166 §7.2.16): ours
                // is forgotten; the requests about it still get their
                // answer (the peer's tie-break) or timeout reported.
                for o in self.outstanding.values_mut() {
                    if o.peer == k.0 && o.sid == k.1 {
                        o.detached = true;
                    }
                }
                self.sessions.remove(&k);
                self.events.push_back(Event::StateChanged {
                    peer: k.0.clone(),
                    sid: k.1.clone(),
                    state: State::Ended,
                    reason: None,
                });
                return self.handle_initiate(iq, from, j);
            }
            let refusal = if colliding {
                Refusal::jingle(
                    JingleError::TieBreak,
                    "simultaneous session-initiates with the same id: the lower JID wins",
                )
            } else if ours.state == State::Ended {
                Refusal::jingle(
                    JingleError::OutOfOrder,
                    "a session with this id has just ended: the id cannot be reused yet",
                )
            } else {
                Refusal::jingle(JingleError::OutOfOrder, "the session exists already")
            };
            return self.reply(iq, Err(refusal.0));
        }
        let outstanding: Vec<&Jingle> = self
            .outstanding
            .values()
            .filter(|o| o.peer == k.0 && o.sid == k.1 && !o.detached)
            .map(|o| &o.jingle)
            .collect();
        let check = match self.sessions.get(&k) {
            // While our initiate is unanswered the peer cannot know our
            // session (its acknowledgement would come first): the request
            // is about a session of its own with the same id, which lost
            // or will lose the tie-break.
            Some(s) if s.role == Role::Initiator && s.initiate_pending => Err(Refusal::jingle(
                JingleError::UnknownSession,
                "our session-initiate with this id is unanswered",
            )),
            Some(s) => s.check_incoming(&j, &outstanding),
            None => Err(Refusal::jingle(
                JingleError::UnknownSession,
                "no session with this sender has this id",
            )),
        };
        if let Err(r) = check {
            return self.reply(iq, Err(r.0));
        }
        self.reply(iq, Ok(()));
        let Some(s) = self.sessions.get_mut(&k) else {
            return;
        };
        let before = s.state;
        s.apply(&j, false);
        let after = s.state;
        s.state = before;
        let reason = j.reason.clone();
        self.events.push_back(Event::Received {
            peer: k.0.clone(),
            sid: k.1.clone(),
            jingle: j,
        });
        self.set_state(now, &k, after, reason);
    }

    fn handle_initiate(&mut self, iq: &Iq, from: Jid, j: Jingle) {
        if j.contents.is_empty() || j.contents.iter().any(|c| c.creator != Creator::Initiator) {
            let e = StanzaError::new(ErrorType::Cancel, DefinedCondition::BadRequest).with_text(
                None,
                "a session-initiate needs contents, all created by the initiator",
            );
            return self.reply(iq, Err(e));
        }
        // Simultaneous initiates (XEP-0166 §7.2.16): our unanswered
        // initiate to the same peer for equivalent contents with a lower
        // id wins.
        let theirs = apps(&j.contents);
        let beaten = self.sessions.values().any(|s| {
            s.role == Role::Initiator
                && s.initiate_pending
                && s.peer == from
                && apps(&s.contents.values().cloned().collect::<Vec<_>>()) == theirs
                && s.sid.as_bytes() < j.sid.as_bytes()
        });
        if beaten {
            let r = Refusal::jingle(
                JingleError::TieBreak,
                "simultaneous session-initiates: the lower session id wins",
            );
            return self.reply(iq, Err(r.0));
        }
        self.reply(iq, Ok(()));
        let k = (from.clone(), j.sid.clone());
        self.sessions.insert(
            k.clone(),
            Session::new(k.1.clone(), Role::Responder, from.clone(), &j.contents),
        );
        self.events.push_back(Event::Incoming {
            peer: from,
            sid: k.1,
            jingle: j,
        });
    }
}
