//! Schedules for a [`Requester`] paired with a [`Responder`] (feature
//! `sim`): the `commands-machine` fuzz target and this crate's property
//! test. The schedule gives a graph of stages (each stage's
//! `<actions/>`, or none) and a sequence of operations: the requester's
//! actions (allowed or not), raw requests with actions the stage does not
//! allow, forged and mismatched answers, a caller refusing a payload,
//! silence long enough to expire the session or the request, and other
//! entities naming the session.
//!
//! Invariants checked: no panic; the requester and the responder always
//! agree on the stage (each stage's form carries its index), on its
//! actions, on the sessionid and on how the session ended (completed,
//! canceled, expired, timed out); every refusal is the one §4.4 names
//! (`bad-action`, `bad-sessionid`, `session-expired`); forged answers
//! change nothing; no deadline lies in the past.

use std::time::{Duration, Instant};

use xep_core::{Iq, IqType};
use xep_element::Payload;
use xep_element::jid::Jid;
use xep_forms::{DataForm, FormType};

use crate::session::{CommandError, Event, Failure, Refusal, Reply, ResponderEvent, State};
use crate::{
    Action, Actions, Command, CommandErrorCondition, ExecuteAction, Requester, RequesterConfig,
    Resolved, Responder, ResponderConfig, Status, resolve,
};

/// One thing that happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// The requester goes to the next stage (if its stage allows it).
    Next,
    /// The requester goes back.
    Prev,
    /// The requester completes.
    Complete,
    /// The requester sends `execute` (the stage's default).
    Proceed,
    /// The requester cancels.
    Cancel,
    /// The requester's JID sends, outside the requester, an action the
    /// stage does not allow: `bad-action`, the stage unchanged.
    Disallowed,
    /// Someone else answers the requester's open request.
    ForgedReply,
    /// The responder's JID answers for another session.
    WrongSession,
    /// The responder's caller refuses the next action with `bad-payload`.
    BadPayload,
    /// Time passes beyond the session timeout: the session expires.
    Silence,
    /// Another entity names the session: `bad-sessionid`.
    OtherRequester,
    /// The responder's answer is lost and the request times out.
    Lost,
    /// An unknown sessionid: `bad-sessionid`.
    UnknownSession,
    /// A sessionid of an ended session: `session-expired`.
    EndedSession,
}

const OPS: [Op; 16] = [
    Op::Next,
    Op::Prev,
    Op::Complete,
    Op::Proceed,
    Op::Cancel,
    Op::Disallowed,
    Op::ForgedReply,
    Op::WrongSession,
    Op::BadPayload,
    Op::Silence,
    Op::OtherRequester,
    Op::Lost,
    Op::UnknownSession,
    Op::EndedSession,
    Op::Next,
    Op::Proceed,
];

/// A decoded schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The stages, 1 to 4: each one's `<actions/>` (`None`: a
    /// single-stage view), always valid.
    pub stages: Vec<Option<Actions>>,
    /// What happens, one op per byte.
    pub ops: Vec<Op>,
}

fn stage_from_byte(b: u8) -> Option<Actions> {
    if b & 0x20 != 0 {
        return None;
    }
    let execute = match (b >> 3) & 3 {
        0 => None,
        1 => Some(ExecuteAction::Prev),
        2 => Some(ExecuteAction::Next),
        _ => Some(ExecuteAction::Complete),
    };
    let mut a = Actions::new(execute, b & 1 != 0, b & 2 != 0, b & 4 != 0);
    // Always valid: the default action is allowed.
    match a.default_action() {
        ExecuteAction::Prev => a.prev = true,
        ExecuteAction::Next => a.next = true,
        ExecuteAction::Complete => a.complete = true,
    }
    Some(a)
}

fn stage_to_byte(a: &Option<Actions>) -> u8 {
    let Some(a) = a else { return 0x20 };
    let execute = match a.execute {
        None => 0,
        Some(ExecuteAction::Prev) => 1,
        Some(ExecuteAction::Next) => 2,
        Some(ExecuteAction::Complete) => 3,
    };
    u8::from(a.prev) | u8::from(a.next) << 1 | u8::from(a.complete) << 2 | execute << 3
}

/// Decodes any bytes: byte 0 the number of stages (low 2 bits, plus one);
/// then one byte per stage (bits 0-2 `prev`/`next`/`complete`, bits 3-4
/// `execute`: none, prev, next, complete; bit 5: no `<actions/>`), the
/// default action added when missing; then one op per byte (low 4 bits),
/// at most 256.
pub fn schedule_from_bytes(data: &[u8]) -> Schedule {
    let n = usize::from(data.first().copied().unwrap_or(0) & 3) + 1;
    let stages = (0..n)
        .map(|i| stage_from_byte(data.get(1 + i).copied().unwrap_or(0x02)))
        .collect();
    Schedule {
        stages,
        ops: data
            .iter()
            .skip(1 + n)
            .take(256)
            .map(|b| OPS[usize::from(b & 15)])
            .collect(),
    }
}

/// The bytes [`schedule_from_bytes`] decodes to `s`.
pub fn schedule_to_bytes(s: &Schedule) -> Vec<u8> {
    let n = s.stages.len().clamp(1, 4);
    let mut out = vec![(n - 1) as u8];
    out.extend(s.stages.iter().take(n).map(stage_to_byte));
    out.extend(
        s.ops
            .iter()
            .map(|op| OPS.iter().position(|o| o == op).unwrap() as u8),
    );
    out
}

/// How the harness's responder caller sees a session.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Known {
    /// At stage `i`.
    At(usize),
    Completed,
    Canceled,
    Expired,
}

struct Harness {
    now: Instant,
    stages: Vec<Option<Actions>>,
    me: Jid,
    server: Jid,
    mallory: Jid,
    requester: Requester,
    responder: Responder,
    /// Requesters started so far.
    runs: u32,
    /// The responder's view of each session, by sessionid.
    sessions: Vec<(String, Known)>,
    /// Sessions started so far.
    started: u32,
    /// The caller refuses the next action with bad-payload.
    refuse_next: bool,
    /// The requester's last request.
    last_request: Option<Iq>,
    /// Why the current requester failed, as the harness expects it.
    expect_failure: Option<&'static str>,
}

const NODE: &str = "config";

fn stage_form(i: usize) -> DataForm {
    let mut form = DataForm::with_form_type(FormType::Form, "urn:example:sim", Vec::new());
    form.title = Some(format!("stage {i}"));
    form
}

fn stage_of(command: &Command) -> usize {
    let title = command.form().and_then(|f| f.title).expect("a stage form");
    title
        .strip_prefix("stage ")
        .and_then(|i| i.parse().ok())
        .expect("a stage title")
}

impl Harness {
    fn new(now: Instant, stages: Vec<Option<Actions>>) -> Harness {
        let server: Jid = "shakespeare.lit".parse().unwrap();
        let mut responder = Responder::new(ResponderConfig {
            session_timeout: Duration::from_secs(600),
            concurrent_sessions: true,
        });
        responder.add_command(NODE, "Configure");
        Harness {
            now,
            stages,
            me: "bard@shakespeare.lit/globe".parse().unwrap(),
            server: server.clone(),
            mallory: "mallory@evil.example/x".parse().unwrap(),
            requester: Requester::new(server, NODE, Self::config(1)),
            responder,
            runs: 1,
            sessions: Vec::new(),
            started: 0,
            refuse_next: false,
            last_request: None,
            expect_failure: None,
        }
    }

    fn config(run: u32) -> RequesterConfig {
        RequesterConfig {
            request_timeout: Duration::from_secs(60),
            id_prefix: format!("r{run}"),
            lang: None,
        }
    }

    fn known(&self, sid: &str) -> Option<&Known> {
        self.sessions.iter().find(|(s, _)| s == sid).map(|(_, k)| k)
    }

    fn set_known(&mut self, sid: &str, k: Known) {
        match self.sessions.iter_mut().find(|(s, _)| s == sid) {
            Some((_, old)) => *old = k,
            None => self.sessions.push((sid.to_string(), k)),
        }
    }

    fn reply_for(&self, i: usize) -> Reply {
        Reply::stage_with_form(self.stages[i], stage_form(i))
    }

    /// Delivers what the requester sent to the responder, plays the
    /// responder's caller, and returns the responder's answers.
    fn deliver_to_responder(&mut self, mut iq: Iq) -> Vec<Iq> {
        iq.from = Some(self.me.clone());
        assert!(self.responder.handle_iq(self.now, &iq), "a command request");
        self.play_responder_caller();
        let mut out = Vec::new();
        while let Some(mut r) = self.responder.poll_transmit() {
            r.from = Some(self.server.clone());
            out.push(r);
        }
        out
    }

    fn play_responder_caller(&mut self) {
        while let Some(e) = self.responder.poll_event() {
            match e {
                ResponderEvent::Execute { request, node, .. } => {
                    assert_eq!(node, NODE);
                    self.started += 1;
                    let sid = format!("{NODE}:{}", self.started);
                    let reply = self.reply_for(0);
                    self.responder
                        .start(self.now, request, sid.clone(), reply)
                        .unwrap();
                    self.set_known(&sid, Known::At(0));
                }
                ResponderEvent::Action {
                    request,
                    sessionid,
                    action,
                    ..
                } => {
                    let Some(Known::At(i)) = self.known(&sessionid).cloned() else {
                        panic!("an action for a session not at a stage");
                    };
                    // The action is one the stage allows.
                    assert_ne!(action, Resolved::Cancel);
                    if std::mem::take(&mut self.refuse_next) {
                        self.responder
                            .refuse(self.now, request, CommandErrorCondition::BadPayload.error())
                            .unwrap();
                        continue;
                    }
                    let next = match action {
                        Resolved::Prev => Some(i.saturating_sub(1)),
                        Resolved::Next if i + 1 < self.stages.len() => Some(i + 1),
                        Resolved::Next | Resolved::Complete => None,
                        Resolved::Cancel => unreachable!(),
                    };
                    match next {
                        Some(j) => {
                            let reply = self.reply_for(j);
                            self.responder.respond(self.now, request, reply).unwrap();
                            self.set_known(&sessionid, Known::At(j));
                        }
                        None => {
                            self.responder
                                .respond(self.now, request, Reply::completed())
                                .unwrap();
                            self.set_known(&sessionid, Known::Completed);
                        }
                    }
                }
                ResponderEvent::Canceled { sessionid } => {
                    assert!(matches!(self.known(&sessionid), Some(Known::At(_))));
                    self.set_known(&sessionid, Known::Canceled);
                }
                ResponderEvent::Expired { sessionid } => {
                    assert!(matches!(self.known(&sessionid), Some(Known::At(_))));
                    self.set_known(&sessionid, Known::Expired);
                }
                ResponderEvent::Refused { .. } => {}
            }
        }
    }

    fn deliver_to_requester(&mut self, replies: Vec<Iq>) {
        for r in replies {
            assert!(self.requester.handle_iq(self.now, &r), "the answer");
        }
    }

    fn drain_requester(&mut self) -> Vec<Event> {
        let mut v = Vec::new();
        while let Some(e) = self.requester.poll_event() {
            v.push(e);
        }
        v
    }

    /// The requester's request: sent to the responder, its answer back.
    fn exchange(&mut self) {
        let iq = self.requester.poll_transmit().expect("a request");
        self.last_request = Some(iq.clone());
        if let Some(d) = self.requester.poll_timeout() {
            assert!(d > self.now, "a deadline in the past");
        }
        let replies = self.deliver_to_responder(iq);
        assert_eq!(replies.len(), 1, "one answer per request");
        self.deliver_to_requester(replies);
    }

    /// Starts a new requester when the last one ended.
    fn ensure_running(&mut self) {
        if matches!(
            self.requester.state(),
            State::Completed | State::Canceled | State::Failed
        ) {
            self.runs += 1;
            self.requester = Requester::new(self.server.clone(), NODE, Self::config(self.runs));
            self.expect_failure = None;
        }
        if self.requester.state() == State::Idle {
            self.requester.execute(self.now).unwrap();
            self.exchange();
            self.check_events();
        }
    }

    fn check_events(&mut self) {
        for e in self.drain_requester() {
            match e {
                Event::Stage(c) => {
                    let sid = c.sessionid.clone().unwrap();
                    assert_eq!(self.known(&sid), Some(&Known::At(stage_of(&c))));
                }
                Event::Completed(c) => {
                    let sid = c.sessionid.clone().unwrap();
                    assert_eq!(self.known(&sid), Some(&Known::Completed));
                }
                Event::Canceled => {
                    let sid = self.requester.sessionid().unwrap().to_string();
                    assert_eq!(self.known(&sid), Some(&Known::Canceled));
                }
                Event::ActionRefused { error, .. } => {
                    assert_eq!(
                        CommandErrorCondition::of(&error),
                        Some(CommandErrorCondition::BadPayload)
                    );
                }
                Event::Refused { .. } => panic!("an unexpected refusal: {e:?}"),
                Event::Failed(f) => {
                    let sid = self.requester.sessionid().map(str::to_string);
                    match (&f, self.expect_failure) {
                        (Failure::TimedOut, Some("timeout")) => {}
                        (Failure::Error(err), _) => {
                            assert_eq!(
                                CommandErrorCondition::of(err),
                                Some(CommandErrorCondition::SessionExpired),
                                "{f}"
                            );
                            assert_eq!(self.known(sid.as_deref().unwrap()), Some(&Known::Expired));
                        }
                        _ => panic!("an unexpected failure: {f}"),
                    }
                }
            }
        }
    }

    /// Both sides agree on the session.
    fn check_agreement(&self) {
        let Some(sid) = self.requester.sessionid() else {
            return;
        };
        let known = self.known(sid).expect("a session the responder started");
        match self.requester.state() {
            State::Executing => {
                let stage = stage_of(self.requester.stage().unwrap());
                match known {
                    Known::At(i) => {
                        assert_eq!(*i, stage, "the stage");
                        let live = self.responder.session(sid).expect("a live session");
                        assert_eq!(live.actions.as_ref(), self.requester.actions());
                        assert_eq!(live.actions, self.stages[stage]);
                    }
                    Known::Expired => assert!(self.responder.session(sid).is_none()),
                    other => panic!("the requester executes a session that is {other:?}"),
                }
            }
            State::Completed => {
                assert_eq!(known, &Known::Completed);
                assert!(self.responder.session(sid).is_none());
            }
            State::Canceled => {
                assert_eq!(known, &Known::Canceled);
                assert!(self.responder.session(sid).is_none());
            }
            State::Failed | State::Idle | State::Waiting => {}
        }
    }

    /// A raw command request from `from` (outside the requester).
    fn raw(&mut self, from: &Jid, sid: &str, action: Action, id: &str) -> Iq {
        let mut c = Command::new(NODE);
        c.sessionid = Some(sid.into());
        c.action = Some(action);
        let mut iq = Iq::set(id, Some(self.server.clone()), Payload::new(c));
        iq.from = Some(from.clone());
        assert!(self.responder.handle_iq(self.now, &iq));
        self.play_responder_caller();
        let reply = self.responder.poll_transmit().expect("an answer");
        assert!(self.responder.poll_transmit().is_none());
        assert_eq!(reply.type_, IqType::Error);
        reply
    }

    fn expect_condition(reply: &Iq, c: CommandErrorCondition) {
        let err = reply.error.as_ref().expect("an error");
        assert_eq!(CommandErrorCondition::of(err), Some(c), "{reply:?}");
    }

    fn act(&mut self, action: Action) {
        let allowed = self.requester.allows(action);
        let r = match action {
            Action::Next => self.requester.next(self.now, None),
            Action::Prev => self.requester.prev(self.now),
            Action::Complete => self.requester.complete(self.now, None),
            Action::Execute => self.requester.proceed(self.now, None),
            Action::Cancel => self.requester.cancel(self.now),
        };
        match r {
            Ok(()) => {
                assert!(allowed);
                self.exchange();
            }
            Err(CommandError::NotAllowed { .. }) => {
                assert!(!allowed);
                // The responder's stage does not allow it either.
                let sid = self.requester.sessionid().unwrap();
                if let Some(live) = self.responder.session(sid) {
                    assert!(resolve(live.actions.as_ref(), action).is_none());
                }
            }
            Err(e) => panic!("{e}"),
        }
    }

    fn step(&mut self, op: Op) {
        self.ensure_running();
        if self.requester.state() != State::Executing {
            return;
        }
        let sid = self.requester.sessionid().unwrap().to_string();
        match op {
            Op::Next => self.act(Action::Next),
            Op::Prev => self.act(Action::Prev),
            Op::Complete => self.act(Action::Complete),
            Op::Proceed => self.act(Action::Execute),
            Op::Cancel => self.act(Action::Cancel),
            Op::Disallowed => {
                let actions = self.requester.actions().copied();
                let refused = [
                    Action::Prev,
                    Action::Next,
                    Action::Complete,
                    Action::Execute,
                ]
                .into_iter()
                .find(|a| resolve(actions.as_ref(), *a).is_none());
                if let (Some(a), Some(Known::At(_))) = (refused, self.known(&sid)) {
                    let me = self.me.clone();
                    let reply = self.raw(&me, &sid, a, "raw-1");
                    Self::expect_condition(&reply, CommandErrorCondition::BadAction);
                }
            }
            Op::ForgedReply | Op::WrongSession => {
                let allowed = [
                    Action::Next,
                    Action::Prev,
                    Action::Complete,
                    Action::Execute,
                ]
                .into_iter()
                .find(|a| self.requester.allows(*a))
                .unwrap_or(Action::Cancel);
                match allowed {
                    Action::Next => self.requester.next(self.now, None).unwrap(),
                    Action::Prev => self.requester.prev(self.now).unwrap(),
                    Action::Complete => self.requester.complete(self.now, None).unwrap(),
                    Action::Execute => self.requester.proceed(self.now, None).unwrap(),
                    Action::Cancel => self.requester.cancel(self.now).unwrap(),
                }
                let iq = self.requester.poll_transmit().unwrap();
                let mut c = Command::new(NODE);
                c.status = Some(Status::Completed);
                c.sessionid = Some(sid.clone());
                let mut forged = iq.result(Some(Payload::new(c.clone())));
                let want = if op == Op::ForgedReply {
                    forged.from = Some(self.mallory.clone());
                    Refusal::WrongSender
                } else {
                    c.sessionid = Some(format!("{sid}-other"));
                    forged = iq.result(Some(Payload::new(c)));
                    forged.from = Some(self.server.clone());
                    Refusal::WrongSession(Some(format!("{sid}-other")))
                };
                assert!(self.requester.handle_iq(self.now, &forged));
                match self.requester.poll_event() {
                    Some(Event::Refused { reason, .. }) if reason == want => {}
                    other => panic!("expected a refusal, got {other:?}"),
                }
                assert_eq!(self.requester.state(), State::Waiting);
                // The real answer is still believed.
                self.last_request = Some(iq.clone());
                let replies = self.deliver_to_responder(iq);
                self.deliver_to_requester(replies);
            }
            Op::BadPayload => {
                self.refuse_next = true;
                let before = self.known(&sid).cloned();
                if self.requester.allows(Action::Next) {
                    self.act(Action::Next);
                } else if self.requester.allows(Action::Complete) {
                    self.act(Action::Complete);
                } else {
                    self.act(Action::Execute);
                }
                if self.refuse_next {
                    // The session had expired: the caller was not asked.
                    self.refuse_next = false;
                } else if before.as_ref().is_some_and(|k| matches!(k, Known::At(_))) {
                    assert_eq!(self.known(&sid), before.as_ref());
                    assert_eq!(self.requester.state(), State::Executing);
                }
            }
            Op::Silence => {
                self.now += Duration::from_secs(601);
                self.requester.handle_timeout(self.now);
                self.responder.handle_timeout(self.now);
                self.play_responder_caller();
                assert!(self.responder.session(&sid).is_none());
                if let Some(d) = self.responder.poll_timeout() {
                    assert!(d > self.now, "a deadline in the past");
                }
            }
            Op::OtherRequester => {
                let mallory = self.mallory.clone();
                let reply = self.raw(&mallory, &sid, Action::Cancel, "raw-2");
                let expired = self.known(&sid) != Some(&Known::At(self.current_stage()));
                Self::expect_condition(
                    &reply,
                    if expired {
                        CommandErrorCondition::SessionExpired
                    } else {
                        CommandErrorCondition::BadSessionid
                    },
                );
            }
            Op::Lost => {
                self.requester.cancel(self.now).unwrap();
                let iq = self.requester.poll_transmit().unwrap();
                let _lost = self.deliver_to_responder(iq);
                self.expect_failure = Some("timeout");
                self.now += Duration::from_secs(61);
                self.requester.handle_timeout(self.now);
                assert_eq!(self.requester.state(), State::Failed);
            }
            Op::UnknownSession => {
                let me = self.me.clone();
                let reply = self.raw(&me, "never-given", Action::Next, "raw-3");
                Self::expect_condition(&reply, CommandErrorCondition::BadSessionid);
            }
            Op::EndedSession => {
                let ended = self
                    .sessions
                    .iter()
                    .find(|(_, k)| !matches!(k, Known::At(_)))
                    .map(|(s, _)| s.clone());
                if let Some(old) = ended {
                    let me = self.me.clone();
                    let reply = self.raw(&me, &old, Action::Next, "raw-4");
                    Self::expect_condition(&reply, CommandErrorCondition::SessionExpired);
                }
            }
        }
        self.check_events();
        self.check_agreement();
    }

    fn current_stage(&self) -> usize {
        self.requester.stage().map_or(usize::MAX, stage_of)
    }
}

/// Runs the schedule in `data` from `now` and checks the invariants;
/// panics when one breaks.
pub fn fuzz(now: Instant, data: &[u8]) {
    let s = schedule_from_bytes(data);
    let mut h = Harness::new(now, s.stages);
    for op in s.ops {
        h.step(op);
    }
    // Every session the requester still runs ends when it completes.
    for _ in 0..12 {
        h.ensure_running();
        if h.requester.state() != State::Executing {
            break;
        }
        if h.requester.allows(Action::Complete) {
            h.act(Action::Complete);
        } else {
            h.act(Action::Execute);
        }
        h.check_events();
        h.check_agreement();
    }
}

/// The fuzz target's seeds: one schedule per kind of scenario.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let wizard = vec![
        Some(Actions::new(Some(ExecuteAction::Next), false, true, false)),
        Some(Actions::new(
            Some(ExecuteAction::Complete),
            true,
            false,
            true,
        )),
    ];
    let single = vec![None];
    let s = |stages: &Vec<Option<Actions>>, ops: &[Op]| {
        schedule_to_bytes(&Schedule {
            stages: stages.clone(),
            ops: ops.to_vec(),
        })
    };
    vec![
        (
            "wizard-next-complete",
            s(&wizard, &[Op::Next, Op::Complete]),
        ),
        (
            "wizard-prev",
            s(&wizard, &[Op::Next, Op::Prev, Op::Next, Op::Proceed]),
        ),
        ("single-stage", s(&single, &[Op::Proceed])),
        ("cancel", s(&wizard, &[Op::Next, Op::Cancel])),
        (
            "bad-action",
            s(&wizard, &[Op::Disallowed, Op::Prev, Op::Next]),
        ),
        ("forged", s(&wizard, &[Op::ForgedReply, Op::WrongSession])),
        ("bad-payload", s(&wizard, &[Op::BadPayload, Op::Next])),
        (
            "expired",
            s(&wizard, &[Op::Silence, Op::Next, Op::EndedSession]),
        ),
        (
            "others",
            s(&wizard, &[Op::OtherRequester, Op::UnknownSession]),
        ),
        ("lost", s(&wizard, &[Op::Lost, Op::Next])),
    ]
}

/// The fuzz target's dictionary: each op's byte.
pub fn dictionary() -> Vec<Vec<u8>> {
    (0u8..16).map(|b| vec![b]).collect()
}
