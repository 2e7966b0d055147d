//! [`Responder`]: offers commands, keeps their sessions and enforces the
//! actions each stage allows.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, StanzaError};
use xep_element::jid::Jid;
use xep_element::{Payload, XmlValue};
use xep_forms::{DataForm, FormType};

use super::CommandError;
use crate::{
    Action, Actions, Command, CommandErrorCondition, Note, Resolved, Status, errors, resolve,
};

/// How a [`Responder`] works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponderConfig {
    /// How long a session may wait for the requester's next action before
    /// it expires (its sessionid is then answered with `session-expired`).
    pub session_timeout: Duration,
    /// Whether a requester may run two sessions of the same command at
    /// once (§3.3: when not, the second is refused with `not-allowed`).
    pub concurrent_sessions: bool,
}

impl Default for ResponderConfig {
    fn default() -> Self {
        ResponderConfig {
            session_timeout: Duration::from_secs(600),
            concurrent_sessions: true,
        }
    }
}

/// A request handed to the caller, answered with [`Responder::start`],
/// [`Responder::respond`] or [`Responder::refuse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// What the caller answers a request with.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A stage (status `executing`): the actions it allows (`None`: a
    /// single-stage view, where `execute` and `complete` complete), its
    /// notes and payloads (a form to fill in first).
    Stage {
        /// The allowed actions; must be valid ([`Actions::is_valid`]).
        actions: Option<Actions>,
        /// Notes.
        notes: Vec<Note>,
        /// Payloads, in order of precedence.
        payloads: Vec<Payload>,
    },
    /// The end (status `completed`): notes (at least one of type `error`
    /// if the command failed, §3.6) and payloads (a result form).
    Completed {
        /// Notes.
        notes: Vec<Note>,
        /// Payloads.
        payloads: Vec<Payload>,
    },
}

impl Reply {
    /// A stage with `actions` and nothing else.
    pub fn stage(actions: Option<Actions>) -> Reply {
        Reply::Stage {
            actions,
            notes: Vec::new(),
            payloads: Vec::new(),
        }
    }

    /// A stage with `actions` presenting `form`.
    pub fn stage_with_form(actions: Option<Actions>, form: DataForm) -> Reply {
        Reply::Stage {
            actions,
            notes: Vec::new(),
            payloads: vec![Payload::new(form)],
        }
    }

    /// The end, with nothing to show.
    pub fn completed() -> Reply {
        Reply::Completed {
            notes: Vec::new(),
            payloads: Vec::new(),
        }
    }
}

/// What a [`Responder`] reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponderEvent {
    /// A requester executes a command: answer with [`Responder::start`]
    /// (a sessionid and the first stage, or the completion) or
    /// [`Responder::refuse`] (e.g. `forbidden`, `bad-locale`).
    Execute {
        /// The request to answer.
        request: RequestId,
        /// The requester.
        from: Option<Jid>,
        /// The command node.
        node: String,
        /// The language asked for (the command's, else the iq's).
        lang: Option<String>,
        /// The command as received (a submitted form of type `cancel` is
        /// read as `submit`, §3.5.1).
        command: Box<Command>,
    },
    /// The requester moves a session on with an action its stage allows:
    /// answer with [`Responder::respond`] (the next stage, or the
    /// completion) or [`Responder::refuse`] (e.g. `bad-payload`: the
    /// session stays at its stage).
    Action {
        /// The request to answer.
        request: RequestId,
        /// The session.
        sessionid: String,
        /// The action, resolved against the stage (`execute` is the
        /// stage's default).
        action: Resolved,
        /// The command as received, with the submitted form.
        command: Box<Command>,
    },
    /// The requester canceled a session; it was answered `canceled`.
    Canceled {
        /// The session.
        sessionid: String,
    },
    /// A session waited longer than [`ResponderConfig::session_timeout`]
    /// and ended.
    Expired {
        /// The session.
        sessionid: String,
    },
    /// A request the machine answered with an error on its own (an
    /// action the stage does not allow, an unknown or expired sessionid,
    /// an unknown node or action, ...).
    Refused {
        /// The requester.
        from: Option<Jid>,
        /// The sessionid it named, if any.
        sessionid: Option<String>,
        /// The error sent.
        error: StanzaError,
    },
}

/// A live session, as [`Responder::session`] shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    /// The requester it belongs to.
    pub requester: Option<Jid>,
    /// The command node.
    pub node: String,
    /// The language of the session (the first one asked for, §3.7).
    pub lang: Option<String>,
    /// The current stage's actions (`None` before the first stage, or at a
    /// single-stage view).
    pub actions: Option<Actions>,
    /// Whether the session waits for the caller's answer to a request.
    pub busy: bool,
}

#[derive(Debug, Clone)]
struct Session {
    info: SessionInfo,
    /// When it expires (only while not busy).
    deadline: Option<Instant>,
}

#[derive(Debug, Clone)]
enum Pending {
    Execute {
        iq: Iq,
        node: String,
        lang: Option<String>,
    },
    Action {
        iq: Iq,
        sessionid: String,
    },
}

/// Offers commands ([`Responder::add_command`]) and keeps their sessions
/// (XEP-0050 §3): a new execution is asked of the caller
/// ([`ResponderEvent::Execute`]), which answers with a sessionid of its
/// own (each used once) and the first stage; each later request is
/// checked against its session before the caller sees it:
///
/// - an unknown sessionid is `bad-sessionid`, one of a session that ended
///   (completed, canceled or expired) `session-expired`; a session answers
///   only its own requester and node (`bad-sessionid` otherwise);
/// - an action the stage's `<actions/>` do not allow is `bad-action`
///   ([`resolve`]); an action that is not one of XEP-0050's is
///   `malformed-action`;
/// - `cancel` ends the session (answered `canceled`, reported
///   [`ResponderEvent::Canceled`]);
/// - an allowed action goes to the caller ([`ResponderEvent::Action`]).
///
/// A session waiting for the requester expires after
/// [`ResponderConfig::session_timeout`] (a deadline, [`Responder::poll_timeout`]).
#[derive(Debug)]
pub struct Responder {
    config: ResponderConfig,
    commands: Vec<(String, String)>,
    sessions: HashMap<String, Session>,
    /// Every sessionid given so far (§3.3: never reused).
    used: HashSet<String>,
    pending: HashMap<RequestId, Pending>,
    next_request: u64,
    transmits: VecDeque<Iq>,
    events: VecDeque<ResponderEvent>,
}

impl Responder {
    /// A responder offering no command yet.
    pub fn new(config: ResponderConfig) -> Responder {
        Responder {
            config,
            commands: Vec::new(),
            sessions: HashMap::new(),
            used: HashSet::new(),
            pending: HashMap::new(),
            next_request: 0,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Offers the command `node` named `name` (in the command list).
    pub fn add_command(&mut self, node: impl Into<String>, name: impl Into<String>) {
        let node = node.into();
        if !self.commands.iter().any(|(n, _)| *n == node) {
            self.commands.push((node, name.into()));
        }
    }

    /// The command list to answer a disco#items request for
    /// [`NODE`](crate::NODE) with (§2.2), at the responder's JID `me`.
    pub fn command_list(&self, me: &Jid) -> xep_disco::DiscoItems {
        crate::command_list(
            me,
            self.commands
                .iter()
                .map(|(n, name)| (n.as_str(), name.as_str())),
        )
    }

    /// A live session.
    pub fn session(&self, sessionid: &str) -> Option<&SessionInfo> {
        self.sessions.get(sessionid).map(|s| &s.info)
    }

    /// The live sessions' ids.
    pub fn sessions(&self) -> impl Iterator<Item = &str> {
        self.sessions.keys().map(String::as_str)
    }

    fn refuse_iq(&mut self, iq: &Iq, sessionid: Option<String>, error: StanzaError) -> bool {
        self.transmits.push_back(iq.error_reply(error.clone()));
        self.events.push_back(ResponderEvent::Refused {
            from: iq.from.clone(),
            sessionid,
            error,
        });
        true
    }

    fn request_id(&mut self) -> RequestId {
        self.next_request += 1;
        RequestId(self.next_request)
    }

    /// An iq received: `true` when it is a command request (answered, or
    /// handed to the caller as an event).
    pub fn handle_iq(&mut self, now: Instant, iq: &Iq) -> bool {
        if iq.type_ != IqType::Set {
            return false;
        }
        let Some(payload) = iq.payloads.first() else {
            return false;
        };
        let command = match payload.get::<Command>() {
            None => return false,
            Some(Ok(c)) => c,
            Some(Err(_)) => {
                let el = payload.to_element();
                let sessionid = el.attr("sessionid").map(str::to_string);
                let bad_action = el
                    .attr("action")
                    .is_some_and(|a| Action::from_xml(a).is_err());
                let error = if bad_action {
                    CommandErrorCondition::MalformedAction.error()
                } else {
                    StanzaError::new(ErrorType::Modify, DefinedCondition::BadRequest)
                };
                return self.refuse_iq(iq, sessionid, error);
            }
        };
        let mut command = command;
        for p in &mut command.payloads {
            if let Some(Ok(mut form)) = p.get::<DataForm>()
                && form.type_ == FormType::Cancel
            {
                form.type_ = FormType::Submit;
                *p = Payload::new(form);
            }
        }
        match command.sessionid.clone() {
            None => self.new_session(iq, command),
            Some(sid) => self.continue_session(now, iq, sid, command),
        }
    }

    fn new_session(&mut self, iq: &Iq, command: Command) -> bool {
        if command.effective_action() != Action::Execute {
            return self.refuse_iq(iq, None, CommandErrorCondition::BadAction.error());
        }
        if !self.commands.iter().any(|(n, _)| *n == command.node) {
            return self.refuse_iq(iq, None, errors::item_not_found());
        }
        if !self.config.concurrent_sessions {
            let running = self
                .sessions
                .values()
                .any(|s| s.info.requester == iq.from && s.info.node == command.node)
                || self.pending.values().any(|p| {
                    matches!(p, Pending::Execute { iq: other, node, .. }
                        if other.from == iq.from && *node == command.node)
                });
            if running {
                return self.refuse_iq(iq, None, errors::second_session());
            }
        }
        let request = self.request_id();
        let lang = command.lang.clone().or_else(|| iq.lang.clone());
        self.pending.insert(
            request,
            Pending::Execute {
                iq: iq.clone(),
                node: command.node.clone(),
                lang: lang.clone(),
            },
        );
        self.events.push_back(ResponderEvent::Execute {
            request,
            from: iq.from.clone(),
            node: command.node.clone(),
            lang,
            command: Box::new(command),
        });
        true
    }

    fn continue_session(&mut self, now: Instant, iq: &Iq, sid: String, command: Command) -> bool {
        let Some(session) = self.sessions.get(&sid) else {
            let condition = if self.used.contains(&sid) {
                CommandErrorCondition::SessionExpired
            } else {
                CommandErrorCondition::BadSessionid
            };
            return self.refuse_iq(iq, Some(sid), condition.error());
        };
        if session.info.requester != iq.from || session.info.node != command.node {
            // Another entity's session (or another command's): as if
            // unknown, revealing nothing.
            return self.refuse_iq(iq, Some(sid), CommandErrorCondition::BadSessionid.error());
        }
        if session.info.busy {
            let error = StanzaError::new(ErrorType::Wait, DefinedCondition::UnexpectedRequest);
            return self.refuse_iq(iq, Some(sid), error);
        }
        let Some(action) = resolve(session.info.actions.as_ref(), command.effective_action())
        else {
            let refused = self.refuse_iq(
                iq,
                Some(sid.clone()),
                CommandErrorCondition::BadAction.error(),
            );
            self.touch(now, &sid);
            return refused;
        };
        if action == Resolved::Cancel {
            let session = self.sessions.remove(&sid).expect("looked up above");
            let mut reply = Command::new(command.node.clone());
            reply.sessionid = Some(sid.clone());
            reply.status = Some(Status::Canceled);
            reply.lang = session.info.lang;
            self.transmits
                .push_back(iq.result(Some(Payload::new(reply))));
            self.events
                .push_back(ResponderEvent::Canceled { sessionid: sid });
            return true;
        }
        let request = self.request_id();
        if let Some(s) = self.sessions.get_mut(&sid) {
            s.info.busy = true;
            s.deadline = None;
        }
        self.pending.insert(
            request,
            Pending::Action {
                iq: iq.clone(),
                sessionid: sid.clone(),
            },
        );
        self.events.push_back(ResponderEvent::Action {
            request,
            sessionid: sid,
            action,
            command: Box::new(command),
        });
        true
    }

    fn touch(&mut self, now: Instant, sid: &str) {
        let timeout = self.config.session_timeout;
        if let Some(s) = self.sessions.get_mut(sid) {
            s.deadline = now.checked_add(timeout);
        }
    }

    fn wrong_request(&self, action: &'static str, state: &str) -> CommandError {
        CommandError::WrongState {
            action,
            state: state.into(),
        }
    }

    /// Answers an [`ResponderEvent::Execute`]: the session gets
    /// `sessionid` (not empty, never given before) and `reply` (its first
    /// stage, or the completion of a single-stage command).
    pub fn start(
        &mut self,
        now: Instant,
        request: RequestId,
        sessionid: impl Into<String>,
        reply: Reply,
    ) -> Result<(), CommandError> {
        let sessionid = sessionid.into();
        match self.pending.get(&request) {
            None => return Err(CommandError::UnknownRequest(request)),
            Some(Pending::Action { .. }) => {
                return Err(self.wrong_request("start a session", "an action request"));
            }
            Some(Pending::Execute { .. }) => {}
        }
        if sessionid.is_empty() || self.used.contains(&sessionid) {
            return Err(CommandError::BadSessionId(sessionid));
        }
        check_reply(&reply)?;
        let Some(Pending::Execute { iq, node, lang }) = self.pending.remove(&request) else {
            unreachable!("checked above");
        };
        self.used.insert(sessionid.clone());
        let info = SessionInfo {
            requester: iq.from.clone(),
            node: node.clone(),
            lang: lang.clone(),
            actions: None,
            busy: false,
        };
        self.sessions.insert(
            sessionid.clone(),
            Session {
                info,
                deadline: None,
            },
        );
        self.answer(now, &iq, sessionid, node, lang, reply);
        Ok(())
    }

    /// Answers an [`ResponderEvent::Action`] with the next stage or the
    /// completion.
    pub fn respond(
        &mut self,
        now: Instant,
        request: RequestId,
        reply: Reply,
    ) -> Result<(), CommandError> {
        match self.pending.get(&request) {
            None => return Err(CommandError::UnknownRequest(request)),
            Some(Pending::Execute { .. }) => {
                return Err(self.wrong_request("respond to an action", "an execute request"));
            }
            Some(Pending::Action { .. }) => {}
        }
        check_reply(&reply)?;
        let Some(Pending::Action { iq, sessionid }) = self.pending.remove(&request) else {
            unreachable!("checked above");
        };
        let (node, lang) = match self.sessions.get(&sessionid) {
            Some(s) => (s.info.node.clone(), s.info.lang.clone()),
            None => unreachable!("a session with a pending request does not expire"),
        };
        self.answer(now, &iq, sessionid, node, lang, reply);
        Ok(())
    }

    /// Answers a pending request with `error`: an execution is refused (no
    /// session), an action leaves its session at its stage (e.g.
    /// `bad-payload` for a form that misses a required field).
    pub fn refuse(
        &mut self,
        now: Instant,
        request: RequestId,
        error: StanzaError,
    ) -> Result<(), CommandError> {
        let Some(pending) = self.pending.remove(&request) else {
            return Err(CommandError::UnknownRequest(request));
        };
        match pending {
            Pending::Execute { iq, .. } => {
                self.transmits.push_back(iq.error_reply(error));
            }
            Pending::Action { iq, sessionid } => {
                self.transmits.push_back(iq.error_reply(error));
                if let Some(s) = self.sessions.get_mut(&sessionid) {
                    s.info.busy = false;
                }
                self.touch(now, &sessionid);
            }
        }
        Ok(())
    }

    fn answer(
        &mut self,
        now: Instant,
        iq: &Iq,
        sessionid: String,
        node: String,
        lang: Option<String>,
        reply: Reply,
    ) {
        let mut command = Command::new(node);
        command.sessionid = Some(sessionid.clone());
        command.lang = lang;
        match reply {
            Reply::Stage {
                actions,
                notes,
                payloads,
            } => {
                command.status = Some(Status::Executing);
                command.actions = actions;
                command.notes = notes;
                command.payloads = payloads;
                if let Some(s) = self.sessions.get_mut(&sessionid) {
                    s.info.actions = actions;
                    s.info.busy = false;
                }
                self.touch(now, &sessionid);
            }
            Reply::Completed { notes, payloads } => {
                command.status = Some(Status::Completed);
                command.notes = notes;
                command.payloads = payloads;
                self.sessions.remove(&sessionid);
            }
        }
        self.transmits
            .push_back(iq.result(Some(Payload::new(command))));
    }

    /// The next iq to send.
    pub fn poll_transmit(&mut self) -> Option<Iq> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ResponderEvent> {
        self.events.pop_front()
    }

    /// When [`Responder::handle_timeout`] is due: the earliest expiry of a
    /// session waiting for its requester.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.sessions.values().filter_map(|s| s.deadline).min()
    }

    /// Time passed: sessions past their deadline expire
    /// ([`ResponderEvent::Expired`]); their sessionid is answered with
    /// `session-expired` from then on.
    pub fn handle_timeout(&mut self, now: Instant) {
        let mut due: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.deadline.is_some_and(|d| d <= now))
            .map(|(id, _)| id.clone())
            .collect();
        due.sort();
        for sessionid in due {
            self.sessions.remove(&sessionid);
            self.events.push_back(ResponderEvent::Expired { sessionid });
        }
    }
}

fn check_reply(reply: &Reply) -> Result<(), CommandError> {
    if let Reply::Stage {
        actions: Some(a), ..
    } = reply
        && !a.is_valid()
    {
        return Err(CommandError::InvalidActions);
    }
    Ok(())
}
