//! [`Requester`]: executes one command at a responder, stage by stage.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, StanzaError};
use xep_element::jid::Jid;
use xep_element::{Error, Payload};
use xep_forms::DataForm;

use super::CommandError;
use crate::{Action, Actions, Command, CommandErrorCondition, Status, resolve};

/// How a [`Requester`] works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequesterConfig {
    /// How long the responder may take to answer one request before the
    /// session fails with [`Failure::TimedOut`].
    pub request_timeout: Duration,
    /// The prefix of the iq ids (`{prefix}-{n}`): give each requester
    /// running at once its own.
    pub id_prefix: String,
    /// The language asked for (`xml:lang` on the first request, §3.7),
    /// if any.
    pub lang: Option<String>,
}

impl Default for RequesterConfig {
    fn default() -> Self {
        RequesterConfig {
            request_timeout: Duration::from_secs(60),
            id_prefix: "cmd".into(),
            lang: None,
        }
    }
}

/// Where a [`Requester`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not executed yet.
    Idle,
    /// A request was sent and its answer has not come.
    Waiting,
    /// At a stage: the responder waits for the next action.
    Executing,
    /// The command completed (see [`Command::failed`] for how).
    Completed,
    /// The session was canceled.
    Canceled,
    /// The session ended without completing ([`Event::Failed`]).
    Failed,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Why an answer was not believed ([`Event::Refused`]); it changed
/// nothing, and the request is still waiting.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Not from the responder the command was sent to.
    WrongSender,
    /// For another command node.
    WrongNode(String),
    /// For another session than this one.
    WrongSession(Option<String>),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::WrongSender => f.write_str("not from the responder asked"),
            Refusal::WrongNode(n) => write!(f, "an answer for another command node ({n})"),
            Refusal::WrongSession(s) => write!(
                f,
                "an answer for another session ({})",
                s.as_deref().unwrap_or("none")
            ),
        }
    }
}

/// Why a session failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The responder answered with an error that ends the session
    /// (`session-expired`, `bad-sessionid`, `forbidden`, `item-not-found`,
    /// or any error to the first request or to a cancel).
    Error(StanzaError),
    /// No answer within [`RequesterConfig::request_timeout`].
    TimedOut,
    /// The answer holds no `<command/>`, one that does not parse, one
    /// without a status, or an executing one without a sessionid.
    BadReply(Option<Error>, &'static str),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Error(e) => {
                write!(f, "the responder answered with an error: {:?}", e.condition)?;
                if let Some(c) = CommandErrorCondition::of(e) {
                    write!(f, " ({c})")?;
                }
                Ok(())
            }
            Failure::TimedOut => f.write_str("no answer from the responder in time"),
            Failure::BadReply(None, why) => write!(f, "a bad answer: {why}"),
            Failure::BadReply(Some(e), why) => write!(f, "a bad answer: {why}: {e}"),
        }
    }
}

/// What a [`Requester`] reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A new stage: its form, notes and allowed actions (the command the
    /// responder sent; [`Requester::stage`] keeps it).
    Stage(Box<Command>),
    /// The command completed: its notes (an error note if it failed) and
    /// any result form.
    Completed(Box<Command>),
    /// The session was canceled (on the requester's request, or by the
    /// responder).
    Canceled,
    /// The responder refused the action but the session stays at its
    /// stage (`bad-action`, `bad-payload`, `bad-locale`): fix the form or
    /// choose another action.
    ActionRefused {
        /// The action refused.
        action: Action,
        /// The responder's error.
        error: StanzaError,
    },
    /// An answer that was not believed, dropped.
    Refused {
        /// Its sender.
        from: Option<Jid>,
        /// Why.
        reason: Refusal,
    },
    /// The session ended without completing.
    Failed(Failure),
}

/// Per-phase data.
#[derive(Debug, Clone)]
enum Phase {
    Idle,
    Waiting {
        iq_id: String,
        action: Action,
        deadline: Option<Instant>,
        /// The stage the request left (none before the first answer).
        stage: Option<Box<Stage>>,
    },
    Executing(Box<Stage>),
    Completed,
    Canceled,
    Failed,
}

#[derive(Debug, Clone)]
struct Stage {
    sessionid: String,
    command: Command,
}

/// Executes one command at a responder (XEP-0050 §3.3): [`execute`],
/// then at each stage [`next`], [`prev`], [`complete`] or [`proceed`]
/// (`execute`, the stage's default) where the stage's `<actions/>` allow
/// them ([`resolve`]), and [`cancel`] at any stage.
///
/// Answers are believed only from the responder asked, for the command's
/// node and, once the responder gave one, for the session's sessionid;
/// anything else that answers the open request is dropped with
/// [`Event::Refused`] and the request keeps waiting. One request is open
/// at a time.
///
/// [`execute`]: Requester::execute
/// [`next`]: Requester::next
/// [`prev`]: Requester::prev
/// [`complete`]: Requester::complete
/// [`proceed`]: Requester::proceed
/// [`cancel`]: Requester::cancel
#[derive(Debug)]
pub struct Requester {
    responder: Jid,
    node: String,
    config: RequesterConfig,
    phase: Phase,
    requests: u64,
    /// The sessionid once the responder gave one (kept after the end).
    sessionid: Option<String>,
    transmits: VecDeque<Iq>,
    events: VecDeque<Event>,
}

impl Requester {
    /// A requester for the command `node` at `responder`.
    pub fn new(responder: Jid, node: impl Into<String>, config: RequesterConfig) -> Requester {
        Requester {
            responder,
            node: node.into(),
            config,
            phase: Phase::Idle,
            requests: 0,
            sessionid: None,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Where the session is.
    pub fn state(&self) -> State {
        match self.phase {
            Phase::Idle => State::Idle,
            Phase::Waiting { .. } => State::Waiting,
            Phase::Executing(_) => State::Executing,
            Phase::Completed => State::Completed,
            Phase::Canceled => State::Canceled,
            Phase::Failed => State::Failed,
        }
    }

    /// The command node.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// The responder.
    pub fn responder(&self) -> &Jid {
        &self.responder
    }

    /// The sessionid the responder gave, if it gave one.
    pub fn sessionid(&self) -> Option<&str> {
        self.sessionid.as_deref()
    }

    /// The current stage (the command the responder sent last), while
    /// executing.
    pub fn stage(&self) -> Option<&Command> {
        match &self.phase {
            Phase::Executing(s) => Some(&s.command),
            _ => None,
        }
    }

    /// The current stage's `<actions/>` (`None` at a single-stage view or
    /// when not executing).
    pub fn actions(&self) -> Option<&Actions> {
        self.stage().and_then(|c| c.actions.as_ref())
    }

    /// Whether the current stage allows `action`.
    pub fn allows(&self, action: Action) -> bool {
        self.stage()
            .is_some_and(|c| resolve(c.actions.as_ref(), action).is_some())
    }

    fn send(&mut self, now: Instant, action: Action, mut command: Command) {
        self.requests += 1;
        let id = format!("{}-{}", self.config.id_prefix, self.requests);
        command.action = Some(action);
        let mut iq = Iq::set(
            id.clone(),
            Some(self.responder.clone()),
            Payload::new(command),
        );
        if self.requests == 1 {
            iq.lang = self.config.lang.clone();
        }
        self.transmits.push_back(iq);
        let stage = match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::Executing(s) => Some(s),
            _ => None,
        };
        self.phase = Phase::Waiting {
            iq_id: id,
            action,
            deadline: now.checked_add(self.config.request_timeout),
            stage,
        };
    }

    fn wrong_state(&self, action: &'static str) -> CommandError {
        CommandError::WrongState {
            action,
            state: self.state().to_string(),
        }
    }

    /// Executes the command (the first request, without a sessionid).
    pub fn execute(&mut self, now: Instant) -> Result<(), CommandError> {
        if !matches!(self.phase, Phase::Idle) {
            return Err(self.wrong_state("execute a command"));
        }
        self.send(now, Action::Execute, Command::new(self.node.clone()));
        Ok(())
    }

    fn act(
        &mut self,
        now: Instant,
        action: Action,
        form: Option<DataForm>,
        what: &'static str,
    ) -> Result<(), CommandError> {
        let Phase::Executing(stage) = &self.phase else {
            return Err(self.wrong_state(what));
        };
        if resolve(stage.command.actions.as_ref(), action).is_none() {
            return Err(CommandError::NotAllowed { action });
        }
        let mut command = Command::new(self.node.clone());
        command.sessionid = Some(stage.sessionid.clone());
        command.payloads = form.into_iter().map(Payload::new).collect();
        self.send(now, action, command);
        Ok(())
    }

    /// Goes to the next stage, submitting `form` (a form of type
    /// `submit`, §3.5.1) if given; needs `<next/>`.
    pub fn next(&mut self, now: Instant, form: Option<DataForm>) -> Result<(), CommandError> {
        self.act(now, Action::Next, form, "go to the next stage")
    }

    /// Goes back to the previous stage; needs `<prev/>`.
    pub fn prev(&mut self, now: Instant) -> Result<(), CommandError> {
        self.act(now, Action::Prev, None, "go to the previous stage")
    }

    /// Completes the command, submitting `form` if given; needs
    /// `<complete/>`, or a stage without `<actions/>`.
    pub fn complete(&mut self, now: Instant, form: Option<DataForm>) -> Result<(), CommandError> {
        self.act(now, Action::Complete, form, "complete the command")
    }

    /// Sends `execute`, the stage's default action (its `execute`
    /// attribute, `next` without one, `complete` without `<actions/>`).
    pub fn proceed(&mut self, now: Instant, form: Option<DataForm>) -> Result<(), CommandError> {
        self.act(now, Action::Execute, form, "execute the default action")
    }

    /// Cancels the session (allowed at every stage).
    pub fn cancel(&mut self, now: Instant) -> Result<(), CommandError> {
        self.act(now, Action::Cancel, None, "cancel the command")
    }

    /// An iq received: `true` when it answers the open request (believed,
    /// or refused with [`Event::Refused`]).
    pub fn handle_iq(&mut self, _now: Instant, iq: &Iq) -> bool {
        let Phase::Waiting {
            iq_id,
            action,
            stage,
            ..
        } = &self.phase
        else {
            return false;
        };
        if iq.is_request() || &iq.id != iq_id {
            return false;
        }
        let action = *action;
        if iq.from.as_ref() != Some(&self.responder) {
            return self.refuse(iq, Refusal::WrongSender);
        }
        // A result is read (and its node and session checked) before the
        // phase changes: an answer not believed changes nothing.
        let parsed = (iq.type_ != IqType::Error).then(|| iq.payload::<Command>());
        if let Some(Some(Ok(command))) = &parsed {
            if command.node != self.node {
                return self.refuse(iq, Refusal::WrongNode(command.node.clone()));
            }
            if let Some(s) = stage
                && command.sessionid.as_deref() != Some(s.sessionid.as_str())
            {
                return self.refuse(iq, Refusal::WrongSession(command.sessionid.clone()));
            }
        }
        let stage = match std::mem::replace(&mut self.phase, Phase::Failed) {
            Phase::Waiting { stage, .. } => stage,
            _ => unreachable!("checked above"),
        };
        let command = match parsed {
            None => {
                let error = iq.error.clone().unwrap_or_else(|| {
                    StanzaError::new(ErrorType::Cancel, DefinedCondition::UndefinedCondition)
                });
                let stays = matches!(
                    CommandErrorCondition::of(&error),
                    Some(
                        CommandErrorCondition::BadAction
                            | CommandErrorCondition::BadPayload
                            | CommandErrorCondition::BadLocale
                    )
                );
                match stage {
                    Some(stage) if stays && action != Action::Cancel => {
                        self.phase = Phase::Executing(stage);
                        self.events
                            .push_back(Event::ActionRefused { action, error });
                    }
                    _ => self.fail(Failure::Error(error)),
                }
                return true;
            }
            Some(Some(Ok(c))) => c,
            Some(Some(Err(e))) => {
                self.fail(Failure::BadReply(Some(e), "the <command/> is malformed"));
                return true;
            }
            Some(None) => {
                self.fail(Failure::BadReply(None, "the answer holds no <command/>"));
                return true;
            }
        };
        match command.status {
            Some(Status::Executing) if action == Action::Cancel => self.fail(Failure::BadReply(
                None,
                "the responder goes on executing a canceled session",
            )),
            Some(Status::Executing) => {
                let Some(sid) = command.sessionid.clone() else {
                    self.fail(Failure::BadReply(
                        None,
                        "an executing command without a sessionid",
                    ));
                    return true;
                };
                self.sessionid = Some(sid.clone());
                self.events
                    .push_back(Event::Stage(Box::new(command.clone())));
                self.phase = Phase::Executing(Box::new(Stage {
                    sessionid: sid,
                    command,
                }));
            }
            Some(Status::Completed) if action == Action::Cancel => self.fail(Failure::BadReply(
                None,
                "the responder completed a canceled session",
            )),
            Some(Status::Completed) => {
                if self.sessionid.is_none() {
                    self.sessionid = command.sessionid.clone();
                }
                self.phase = Phase::Completed;
                self.events.push_back(Event::Completed(Box::new(command)));
            }
            Some(Status::Canceled) => {
                if self.sessionid.is_none() {
                    self.sessionid = command.sessionid.clone();
                }
                self.phase = Phase::Canceled;
                self.events.push_back(Event::Canceled);
            }
            None => self.fail(Failure::BadReply(None, "a <command/> without a status")),
        }
        true
    }

    fn refuse(&mut self, iq: &Iq, reason: Refusal) -> bool {
        self.events.push_back(Event::Refused {
            from: iq.from.clone(),
            reason,
        });
        true
    }

    fn fail(&mut self, failure: Failure) {
        self.phase = Phase::Failed;
        self.events.push_back(Event::Failed(failure));
    }

    /// The next request to send.
    pub fn poll_transmit(&mut self) -> Option<Iq> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Requester::handle_timeout`] is due: the open request's
    /// deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Waiting { deadline, .. } => *deadline,
            _ => None,
        }
    }

    /// Time passed: a request unanswered past its deadline fails the
    /// session ([`Failure::TimedOut`]); its late answer is then not this
    /// requester's.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Phase::Waiting {
            deadline: Some(d), ..
        } = &self.phase
            && *d <= now
        {
            self.fail(Failure::TimedOut);
        }
    }
}
