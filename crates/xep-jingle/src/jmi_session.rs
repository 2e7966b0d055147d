//! A sans-IO XEP-0353 Jingle Message Initiation machine for one device of
//! an account: [`Calls`].
//!
//! XEP-0353 (version 0.8.0, namespace `urn:xmpp:jingle-message:0`) lets
//! an initiator announce a Jingle session with a `<message/>` to the
//! responder's *bare* JID, so that every device of the responder rings;
//! one device then answers, and the initiator sends the XEP-0166
//! session-initiate (an [`Endpoint`](crate::Endpoint) session, with the
//! proposal id as `sid`) to the *full* JID that answered.
//!
//! [`Calls`] keeps the calls of one device (its full JID), in both
//! directions. Inputs are [`Calls::handle_message`] (every received
//! `<message/>`, carbon copies unwrapped by the caller), the user's
//! actions ([`Calls::propose`], [`Calls::retract`], [`Calls::ring`],
//! [`Calls::proceed`], [`Calls::reject`], [`Calls::finish`]) and
//! [`Calls::handle_timeout`]; outputs are drained with
//! [`Calls::poll_transmit`], [`Calls::poll_event`] and
//! [`Calls::poll_timeout`]. No clock is read: every input takes the
//! current time.
//!
//! Nothing that reveals this device's presence is sent without the
//! caller asking (§6): an incoming `<propose/>` only raises
//! [`Event::Incoming`]; `<ringing/>` is sent by [`Calls::ring`], not on
//! receipt. The machine answers by itself only to parties we already
//! have a call with: the tie-break `<reject/>` and `<retract/>` (§4.1),
//! the migration `<finish/>` and `<proceed/>` (§4.2), the `<retract/>` to
//! a second device that proceeded, and the timers' `<retract/>` and
//! `<finish/>`.
//!
//! # Rules implemented
//!
//! * Every message built is `type='chat'` with a XEP-0334
//!   `<store xmlns='urn:xmpp:hints'/>` hint ([`xep_hints::Store`]) (§3). Received
//!   messages of any type but `error` are read.
//! * `<propose/>` and `<retract/>` go to the responder's bare JID (§3.1,
//!   §3.3); `<ringing/>`, `<proceed/>` and `<reject/>` to the full JID of
//!   the initiator (§3.2, §3.4, §3.5); `<finish/>` to the full JID of the
//!   other party (§3.7).
//! * Multi-device (§3.4, §5): the caller passes the carbon copies
//!   (XEP-0280, unwrapped) of what our other devices send. A `<proceed/>`
//!   or `<reject/>` sent by another device of our account ends our ringing
//!   ([`Outcome::AnsweredElsewhere`], [`Outcome::RejectedElsewhere`]); so
//!   does an `<accept/>` to our bare JID (the pre-carbons way, which this
//!   machine sends too when [`Config::send_accept`] is set). A message
//!   from another party addressed to *another* full JID of our account (a
//!   received carbon) is not for this device and is ignored.
//! * When two devices of the responder proceed, the first wins: the
//!   second gets a `<retract/>` with `<cancel/>` to its full JID (the XEP
//!   says nothing here; this is this crate's choice).
//! * Tie-breaking (§4.1): when a `<propose/>` arrives from the party we
//!   are proposing to ourselves, the lower id (`i;octet`, the lower bare
//!   JID on equal ids) wins. The side receiving the lower id retracts its
//!   own proposal with `<expired/>` and handles the received one normally;
//!   the side receiving the higher id answers `<reject/>` with
//!   `<tie-break/>` and `<expired/>`, and keeps its own proposal. The
//!   retract carries `<tie-break/>` too, as §4.1 requires (the XEP's
//!   schema omits it; [`crate::jmi::Retract::tie_break`]). A
//!   tie-break `<reject/>` that overtakes the peer's `<propose/>` ends
//!   our call as [`Outcome::Rejected`] (its reason is `<expired/>`).
//! * Existing session (§4.2): a `<propose/>` from a party with whom a call
//!   is accepted and not finished replaces it: the old call is finished
//!   with `<expired/>` and `<migrated to=.../>`, and the new one is
//!   proceeded with at once ([`Event::Incoming`] with `replaces`).
//! * Timers ([`Config`]): our unanswered proposal is retracted after
//!   [`Config::propose_timeout`]; a call neither finished nor otherwise
//!   ended is given up after [`Config::stale_after`] (§5: "for example 24
//!   hours"); an ended call is remembered for [`Config::linger`], so that
//!   repeated messages about it are ignored.
//!
//! Section numbers are those of XEP-0353 0.8.0: §3 Use Cases (§3.1
//! propose ... §3.7 finish), §4 Tie Breaking, §5 Business Rules, §6
//! Security Considerations, §11 XML Schema.
//!
//! The rules assume what XMPP guarantees between two entities: messages
//! arrive in the order they were sent (a `<propose/>` before the
//! `<retract/>` that follows it). Out of order, every call still ends
//! exactly once on every device (a `<retract/>` that overtakes its
//! `<propose/>` is ignored, and the call left ringing ends after
//! [`Config::stale_after`]), but not always the same way everywhere.
//!
//! Messages from parties that have no call with that id, about unknown
//! ids, malformed, or not allowed in the call's state are ignored
//! ([`Calls::handle_message`] returns `false`).
//!
//! ```
//! use std::time::Instant;
//! use xep_element::Payload;
//! use xep_element::jid::{BareJid, FullJid};
//! use xep_jingle::jmi_session::{Calls, Event, Outcome};
//! use xep_jingle::rtp;
//!
//! let romeo_dev: FullJid = "romeo@montague.example/orchard".parse().unwrap();
//! let juliet_dev: FullJid = "juliet@capulet.example/phone".parse().unwrap();
//! let mut romeo = Calls::new(romeo_dev.clone());
//! let mut juliet = Calls::new(juliet_dev.clone());
//! let now = Instant::now();
//!
//! let audio = Payload::new(rtp::Description::new("audio"));
//! romeo.propose(now, juliet_dev.to_bare(), "c1", vec![audio]).unwrap();
//! let propose = romeo.poll_transmit().unwrap();
//! assert!(juliet.handle_message(now, &propose));
//! assert!(matches!(juliet.poll_event(), Some(Event::Incoming { .. })));
//!
//! juliet.proceed(now, "c1").unwrap();
//! let proceed = juliet.poll_transmit().unwrap();
//! assert!(romeo.handle_message(now, &proceed));
//! // Romeo now sends the session-initiate (Endpoint::initiate) to this
//! // full JID with the proposal id as sid.
//! assert_eq!(
//!     romeo.poll_event(),
//!     Some(Event::Proceed { id: "c1".into(), device: juliet_dev.clone() })
//! );
//!
//! // ... the Jingle session runs and ends; both sides send <finish/>.
//! romeo.finish(now, "c1", None).unwrap();
//! let finish = romeo.poll_transmit().unwrap();
//! assert!(juliet.handle_message(now, &finish));
//! assert!(matches!(
//!     juliet.poll_event(),
//!     Some(Event::Ended { outcome: Outcome::Finished { by_us: false, .. }, .. })
//! ));
//! juliet.finish(now, "c1", None).unwrap();
//! assert!(juliet.poll_transmit().is_some());
//! ```

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use xep_core::{Message, MessageType};
use xep_element::jid::{BareJid, FullJid, Jid};
use xep_element::{Error, Payload, XmlElement};
use xep_hints::Store;

use crate::jingle::{Reason, ReasonCondition};
use crate::jmi::{Accept, Finish, Migrated, Proceed, Propose, Reject, Retract, Ringing};

#[cfg(test)]
#[path = "jmi_session_tests.rs"]
mod jmi_session_tests;

/// The timers and options of [`Calls`].
///
/// A duration too large to be added to the `now` of an input (such as
/// `Duration::MAX`) disables its timer.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// How long a proposal of ours may stay unanswered (neither proceeded
    /// nor rejected), counted from [`Calls::propose`]; default 60 seconds,
    /// as the ring timeout of [`crate::Config`]. When it expires the
    /// proposal is retracted with [`timeout_condition`](Self::timeout_condition)
    /// and the call ends with [`Outcome::TimedOut`]. XEP-0353 defines no
    /// such timer.
    pub propose_timeout: Duration,
    /// The condition of the `<retract/>` sent when
    /// [`propose_timeout`](Self::propose_timeout) expires; default
    /// `<cancel/>`: XEP-0353 §3.3 says a retract SHOULD use `<cancel/>`,
    /// and §6 warns that other conditions may leak information. Set
    /// [`ReasonCondition::Timeout`] to tell the responder why.
    pub timeout_condition: ReasonCondition,
    /// How long a call may stay live without ending, counted from the
    /// proposal (incoming calls left ringing) or from the proceed
    /// (accepted calls waiting for `<finish/>`); default 24 hours, the
    /// example of XEP-0353 §5 ("sessions SHOULD be considered terminated
    /// after an appropriate timeframe"). The call then ends with
    /// [`Outcome::Expired`]; an accepted call also sends `<finish/>` with
    /// `<expired/>` (§3.7). Our own unanswered proposals end earlier, on
    /// [`propose_timeout`](Self::propose_timeout).
    pub stale_after: Duration,
    /// How long an ended call is remembered, counted from its end;
    /// default 10 minutes. While it lingers, repeated or late messages
    /// about it (a delayed `<propose/>` re-delivered from an archive, a
    /// second `<proceed/>`) are recognised instead of being taken for a
    /// new call, and [`Calls::finish`] can still send our `<finish/>`
    /// after the peer's. Afterwards the call is forgotten.
    pub linger: Duration,
    /// Whether [`Calls::proceed`] also sends `<accept/>` to our own bare
    /// JID; default `false`. XEP-0353 0.8.0 relies on XEP-0280 carbons of
    /// the `<proceed/>` to stop our other devices ringing, and mentions
    /// `<accept/>` only as what the older protocol did without carbons
    /// (§5). Incoming `<accept/>`s from our account are always honoured.
    pub send_accept: bool,
}

impl Config {
    /// The default proposal timeout: 60 seconds.
    pub const DEFAULT_PROPOSE_TIMEOUT: Duration = Duration::from_secs(60);
    /// The default stale period: 24 hours.
    pub const DEFAULT_STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
    /// The default linger of ended calls: 10 minutes.
    pub const DEFAULT_LINGER: Duration = Duration::from_secs(600);
}

impl Default for Config {
    fn default() -> Self {
        Config {
            propose_timeout: Self::DEFAULT_PROPOSE_TIMEOUT,
            timeout_condition: ReasonCondition::Cancel,
            stale_after: Self::DEFAULT_STALE_AFTER,
            linger: Self::DEFAULT_LINGER,
            send_accept: false,
        }
    }
}

/// Who proposed the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// This device proposed it.
    Outgoing,
    /// The peer proposed it to our account.
    Incoming,
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallState {
    /// Proposed; no device rang (outgoing) or we did not ring (incoming).
    Proposed,
    /// A device of the responder rang (outgoing), or we rang (incoming).
    Ringing,
    /// Proceeded: the Jingle session is to be (or is being) run with
    /// [`Call::device`].
    Accepted,
    /// Over; see [`Call::outcome`].
    Ended,
}

/// How a call ended. Every call a device knows of ends exactly once,
/// with one [`Event::Ended`].
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The call was accepted and then finished (§3.7).
    Finished {
        /// Whether we sent the first `<finish/>` (or a timer did).
        by_us: bool,
        /// The reason of that `<finish/>`.
        reason: Option<Reason>,
        /// The call was replaced by the call with this id (§4.2).
        migrated_to: Option<String>,
    },
    /// The responder declined (§3.5).
    Rejected {
        /// Whether this device rejected.
        by_us: bool,
        /// The reason of the `<reject/>`.
        reason: Option<Reason>,
    },
    /// The initiator withdrew the proposal (§3.3).
    Retracted {
        /// Whether this device retracted.
        by_us: bool,
        /// The reason of the `<retract/>`.
        reason: Option<Reason>,
    },
    /// Our proposal got no answer within [`Config::propose_timeout`]; a
    /// `<retract/>` was sent.
    TimedOut,
    /// Another device of our account proceeded (§3.4).
    AnsweredElsewhere {
        /// That device.
        device: FullJid,
    },
    /// Another device of our account rejected (§3.5).
    RejectedElsewhere {
        /// That device.
        device: FullJid,
    },
    /// Both parties proposed at once and the other proposal won (§4.1).
    TieBreak {
        /// The id of the winning proposal.
        winner: String,
    },
    /// Nothing ended the call within [`Config::stale_after`] (§5).
    Expired,
}

/// What the caller must know.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A call is proposed to us: ring with [`Calls::ring`], answer with
    /// [`Calls::proceed`] or [`Calls::reject`].
    Incoming {
        /// The proposal id, to be the Jingle `sid`.
        id: String,
        /// The initiator's device.
        from: FullJid,
        /// The `<description/>`s of the proposal.
        descriptions: Vec<Payload>,
        /// When the call replaces an accepted call with the same party
        /// (§4.2): the old call's id. The new call is then already
        /// proceeded with.
        replaces: Option<String>,
    },
    /// A device of the responder is ringing for our proposal (§3.2): one
    /// event per `<ringing/>` received before the call is answered.
    Ringing {
        /// The proposal id.
        id: String,
        /// The ringing device.
        device: FullJid,
    },
    /// The responder accepted on `device` (§3.4): start the Jingle session
    /// there, with `sid` = `id` ([`Endpoint::initiate`](crate::Endpoint::initiate)).
    Proceed {
        /// The proposal id.
        id: String,
        /// The device to send the session-initiate to.
        device: FullJid,
    },
    /// The call ended.
    Ended {
        /// The proposal id.
        id: String,
        /// The other party.
        peer: BareJid,
        /// How.
        outcome: Outcome,
    },
}

/// Why an action of the caller was refused (nothing was sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No call has this id.
    UnknownCall,
    /// The id is used by a call we know of (live or lingering).
    DuplicateId,
    /// The id is empty.
    EmptyId,
    /// A proposal needs at least one description (§3.1).
    NoDescriptions,
    /// A call to our own account.
    OwnAccount,
    /// The action is not possible in the call's direction or state.
    WrongState {
        /// The action refused.
        action: &'static str,
        /// The call's direction.
        direction: Direction,
        /// The call's state.
        state: CallState,
    },
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::UnknownCall => f.write_str("no call has this id"),
            CallError::DuplicateId => {
                f.write_str("a call with this id exists (ids are globally unique, XEP-0353 §5)")
            }
            CallError::EmptyId => f.write_str("the proposal id is empty"),
            CallError::NoDescriptions => {
                f.write_str("a propose carries at least one description (XEP-0353 §3.1)")
            }
            CallError::OwnAccount => f.write_str("a call cannot be proposed to our own account"),
            CallError::WrongState {
                action,
                direction,
                state,
            } => write!(
                f,
                "cannot {action} a call in direction {direction:?} and state {state:?}"
            ),
        }
    }
}

impl std::error::Error for CallError {}

/// One call as this device sees it.
#[derive(Debug, Clone)]
pub struct Call {
    id: String,
    direction: Direction,
    peer: BareJid,
    device: Option<FullJid>,
    descriptions: Vec<Payload>,
    state: CallState,
    outcome: Option<Outcome>,
    replaces: Option<String>,
    /// Whether our `<finish/>` was sent.
    finish_sent: bool,
    /// Proposal timeout (outgoing, unanswered) or stale timer.
    deadline: Option<Instant>,
    /// When the ended call is forgotten.
    forget_at: Option<Instant>,
}

impl Call {
    /// The proposal id (the Jingle `sid`).
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Who proposed it.
    pub fn direction(&self) -> Direction {
        self.direction
    }
    /// The other party's account.
    pub fn peer(&self) -> &BareJid {
        &self.peer
    }
    /// The other party's device: the initiator's for an incoming call,
    /// the device that proceeded for an outgoing one (`None` before).
    pub fn device(&self) -> Option<&FullJid> {
        self.device.as_ref()
    }
    /// The descriptions of the proposal.
    pub fn descriptions(&self) -> &[Payload] {
        &self.descriptions
    }
    /// The state.
    pub fn state(&self) -> CallState {
        self.state
    }
    /// How it ended (`Some` once [`CallState::Ended`]).
    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }
    /// The call this one replaced (§4.2).
    pub fn replaces(&self) -> Option<&str> {
        self.replaces.as_deref()
    }
    fn live(&self) -> bool {
        self.state != CallState::Ended
    }
    fn unanswered(&self) -> bool {
        matches!(self.state, CallState::Proposed | CallState::Ringing)
    }
}

/// A XEP-0353 element received.
pub(crate) enum Jmi {
    Propose(Propose),
    Ringing(Ringing),
    Proceed(Proceed),
    Accept(Accept),
    Reject(Reject),
    Retract(Retract),
    Finish(Finish),
}

pub(crate) fn parse_jmi(p: &Payload) -> Option<Result<Jmi, Error>> {
    fn map<T: XmlElement + Clone + 'static>(
        p: &Payload,
        f: fn(T) -> Jmi,
    ) -> Option<Result<Jmi, Error>> {
        p.get::<T>().map(|r| r.map(f))
    }
    map(p, Jmi::Propose)
        .or_else(|| map(p, Jmi::Ringing))
        .or_else(|| map(p, Jmi::Proceed))
        .or_else(|| map(p, Jmi::Accept))
        .or_else(|| map(p, Jmi::Reject))
        .or_else(|| map(p, Jmi::Finish))
        .or_else(|| map(p, Jmi::Retract))
}

/// The XEP-0353 calls of one device (see the module docs).
///
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract"): inputs take `now` first, misuse
/// is a `WrongState` error, output is polled.
#[derive(Debug, Clone)]
pub struct Calls {
    local: FullJid,
    config: Config,
    calls: Vec<Call>,
    transmit: VecDeque<Message>,
    events: VecDeque<Event>,
    next_id: u64,
}

impl Calls {
    /// The calls of the device `local`, with the default [`Config`].
    pub fn new(local: FullJid) -> Self {
        Self::with_config(local, Config::default())
    }

    /// The calls of the device `local` with `config`.
    pub fn with_config(local: FullJid, config: Config) -> Self {
        Calls {
            local,
            config,
            calls: Vec::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            next_id: 0,
        }
    }

    /// This device.
    pub fn local(&self) -> &FullJid {
        &self.local
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The call `id` with `peer`: the live one if there is one, otherwise
    /// the latest ended one still lingering. (Two calls share an id only
    /// after a tie-break of equal ids, §4.1.)
    pub fn call(&self, peer: &BareJid, id: &str) -> Option<&Call> {
        let matching = |c: &&Call| c.peer == *peer && c.id == id;
        self.calls
            .iter()
            .filter(matching)
            .find(|c| c.live())
            .or_else(|| self.calls.iter().rev().find(matching))
    }

    /// Every call known, live or lingering, oldest first.
    pub fn calls(&self) -> impl Iterator<Item = &Call> {
        self.calls.iter()
    }

    /// The accepted call whose Jingle session is `sid` with `peer` (a
    /// full JID): use it to recognise the session-initiate that follows
    /// our [`proceed`](Self::proceed) ([`crate::Event::Incoming`]).
    pub fn call_for_session(&self, peer: &Jid, sid: &str) -> Option<&Call> {
        self.calls.iter().find(|c| {
            c.state == CallState::Accepted
                && c.id == sid
                && c.device.as_ref().is_some_and(|d| *peer == *d)
        })
    }

    /// The next message to send.
    pub fn poll_transmit(&mut self) -> Option<Message> {
        self.transmit.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The earliest deadline: when to call
    /// [`handle_timeout`](Self::handle_timeout). `None` when no timer runs.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.calls
            .iter()
            .flat_map(|c| [c.deadline, c.forget_at])
            .flatten()
            .min()
    }

    /// Fires every timer due at `now`, in deadline order.
    pub fn handle_timeout(&mut self, now: Instant) {
        loop {
            let due = self
                .calls
                .iter()
                .enumerate()
                .flat_map(|(i, c)| [(c.deadline, 0, i), (c.forget_at, 1, i)])
                .filter_map(|(d, kind, i)| Some((d?, kind, i)))
                .filter(|(d, _, _)| *d <= now)
                .min();
            let Some((_, kind, i)) = due else { return };
            if kind == 1 {
                self.calls.remove(i);
                continue;
            }
            self.calls[i].deadline = None;
            let c = &self.calls[i];
            match (c.direction, c.state) {
                (Direction::Outgoing, CallState::Proposed | CallState::Ringing) => {
                    let reason = Reason::new(self.config.timeout_condition.clone());
                    let r = Retract {
                        id: c.id.clone(),
                        reason: Some(reason),
                        tie_break: false,
                    };
                    let to = Jid::from(c.peer.clone());
                    self.send(to, Payload::new(r));
                    self.end(now, i, Outcome::TimedOut);
                }
                (_, CallState::Accepted) => {
                    let f = Finish {
                        id: c.id.clone(),
                        reason: Some(Reason::new(ReasonCondition::Expired)),
                        migrated: None,
                    };
                    if let Some(d) = c.device.clone() {
                        self.send(d.into(), Payload::new(f));
                    }
                    self.calls[i].finish_sent = true;
                    self.end(now, i, Outcome::Expired);
                }
                (_, CallState::Proposed | CallState::Ringing) => {
                    self.end(now, i, Outcome::Expired);
                }
                (_, CallState::Ended) => {}
            }
        }
    }

    fn send(&mut self, to: Jid, payload: Payload) {
        self.next_id += 1;
        let msg = Message {
            from: Some(self.local.clone().into()),
            to: Some(to),
            id: Some(format!("jmi-{}", self.next_id)),
            type_: Some(MessageType::Chat),
            payloads: vec![payload, Payload::new(Store)],
            ..Default::default()
        };
        self.transmit.push_back(msg);
    }

    fn end(&mut self, now: Instant, i: usize, outcome: Outcome) {
        let c = &mut self.calls[i];
        c.state = CallState::Ended;
        c.deadline = None;
        c.forget_at = now.checked_add(self.config.linger);
        c.outcome = Some(outcome.clone());
        self.events.push_back(Event::Ended {
            id: c.id.clone(),
            peer: c.peer.clone(),
            outcome,
        });
    }

    fn find(&self, direction: Direction, peer: &BareJid, id: &str) -> Option<usize> {
        // The live call first, then the latest ended one.
        let matching = |c: &&Call| c.direction == direction && c.peer == *peer && c.id == id;
        self.calls
            .iter()
            .position(|c| matching(&c) && c.live())
            .or_else(|| self.calls.iter().rposition(|c| matching(&c)))
    }

    /// The call `id` the caller acts on: the live one, else the latest.
    fn by_id(&self, id: &str) -> Result<usize, CallError> {
        self.calls
            .iter()
            .position(|c| c.id == id && c.live())
            .or_else(|| self.calls.iter().rposition(|c| c.id == id))
            .ok_or(CallError::UnknownCall)
    }

    fn wrong(&self, i: usize, action: &'static str) -> CallError {
        CallError::WrongState {
            action,
            direction: self.calls[i].direction,
            state: self.calls[i].state,
        }
    }

    /// Proposes a call with `descriptions` (one per media type, §3.1) to
    /// the account `to`: a `<propose/>` to its bare JID, so that all its
    /// devices ring. `id` should be a UUIDv4 (§3.1, §5); it becomes the
    /// Jingle `sid`. Starts [`Config::propose_timeout`].
    pub fn propose(
        &mut self,
        now: Instant,
        to: BareJid,
        id: impl Into<String>,
        descriptions: Vec<Payload>,
    ) -> Result<(), CallError> {
        self.handle_timeout(now);
        let id = id.into();
        if id.is_empty() {
            return Err(CallError::EmptyId);
        }
        if descriptions.is_empty() {
            return Err(CallError::NoDescriptions);
        }
        if to == self.local.to_bare() {
            return Err(CallError::OwnAccount);
        }
        if self.calls.iter().any(|c| c.id == id) {
            return Err(CallError::DuplicateId);
        }
        let p = Propose {
            id: id.clone(),
            descriptions: descriptions.clone(),
        };
        self.send(to.clone().into(), Payload::new(p));
        self.calls.push(Call {
            id,
            direction: Direction::Outgoing,
            peer: to,
            device: None,
            descriptions,
            state: CallState::Proposed,
            outcome: None,
            replaces: None,
            finish_sent: false,
            deadline: now.checked_add(self.config.propose_timeout),
            forget_at: None,
        });
        Ok(())
    }

    /// Withdraws our unanswered proposal `id` (§3.3): a `<retract/>` to
    /// the responder's bare JID with `reason` (`<cancel/>` when `None`,
    /// as §3.3 recommends).
    pub fn retract(
        &mut self,
        now: Instant,
        id: &str,
        reason: Option<Reason>,
    ) -> Result<(), CallError> {
        self.handle_timeout(now);
        let i = self.by_id(id)?;
        let c = &self.calls[i];
        if c.direction != Direction::Outgoing || !c.unanswered() {
            return Err(self.wrong(i, "retract"));
        }
        let reason = reason.unwrap_or_else(|| Reason::new(ReasonCondition::Cancel));
        let r = Retract {
            id: id.to_string(),
            reason: Some(reason.clone()),
            tie_break: false,
        };
        self.send(c.peer.clone().into(), Payload::new(r));
        self.end(
            now,
            i,
            Outcome::Retracted {
                by_us: true,
                reason: Some(reason),
            },
        );
        Ok(())
    }

    /// Tells the initiator that this device rings for the incoming call
    /// `id` (§3.2): a `<ringing/>` to its full JID.
    pub fn ring(&mut self, now: Instant, id: &str) -> Result<(), CallError> {
        self.handle_timeout(now);
        let i = self.by_id(id)?;
        let c = &self.calls[i];
        if c.direction != Direction::Incoming || c.state != CallState::Proposed {
            return Err(self.wrong(i, "ring"));
        }
        let to = c.device.clone().ok_or(CallError::UnknownCall)?;
        self.send(to.into(), Payload::new(Ringing { id: id.to_string() }));
        self.calls[i].state = CallState::Ringing;
        Ok(())
    }

    /// Accepts the incoming call `id` on this device (§3.4): a
    /// `<proceed/>` to the initiator's full JID (carbons tell our other
    /// devices), and an `<accept/>` to our bare JID when
    /// [`Config::send_accept`] is set. The initiator then sends the
    /// session-initiate with `sid` = `id` (see
    /// [`call_for_session`](Self::call_for_session)).
    pub fn proceed(&mut self, now: Instant, id: &str) -> Result<(), CallError> {
        self.handle_timeout(now);
        let i = self.by_id(id)?;
        let c = &self.calls[i];
        if c.direction != Direction::Incoming || !c.unanswered() {
            return Err(self.wrong(i, "proceed"));
        }
        self.accept_incoming(now, i);
        Ok(())
    }

    fn accept_incoming(&mut self, now: Instant, i: usize) {
        let c = &self.calls[i];
        let id = c.id.clone();
        if let Some(to) = c.device.clone() {
            self.send(to.into(), Payload::new(Proceed { id: id.clone() }));
        }
        if self.config.send_accept {
            let own = Jid::from(self.local.to_bare());
            self.send(own, Payload::new(Accept { id }));
        }
        let c = &mut self.calls[i];
        c.state = CallState::Accepted;
        c.deadline = now.checked_add(self.config.stale_after);
    }

    /// Declines the incoming call `id` (§3.5): a `<reject/>` to the
    /// initiator's full JID with `reason` (`<busy/>` when `None`, as §3.5
    /// recommends); carbons stop our other devices ringing.
    pub fn reject(
        &mut self,
        now: Instant,
        id: &str,
        reason: Option<Reason>,
    ) -> Result<(), CallError> {
        self.handle_timeout(now);
        let i = self.by_id(id)?;
        let c = &self.calls[i];
        if c.direction != Direction::Incoming || !c.unanswered() {
            return Err(self.wrong(i, "reject"));
        }
        let reason = reason.unwrap_or_else(|| Reason::new(ReasonCondition::Busy));
        let r = Reject {
            id: id.to_string(),
            reason: Some(reason.clone()),
            tie_break: false,
        };
        if let Some(to) = c.device.clone() {
            self.send(to.into(), Payload::new(r));
        }
        self.end(
            now,
            i,
            Outcome::Rejected {
                by_us: true,
                reason: Some(reason),
            },
        );
        Ok(())
    }

    /// Sends our `<finish/>` for the accepted call `id` once its Jingle
    /// session is over (§3.7: both parties send one, to the other's full
    /// JID), with `reason` (`<success/>` when `None`). Ends the call if
    /// the peer's `<finish/>` did not already; after the peer's, it only
    /// sends ours (once).
    pub fn finish(
        &mut self,
        now: Instant,
        id: &str,
        reason: Option<Reason>,
    ) -> Result<(), CallError> {
        self.handle_timeout(now);
        let i = self
            .calls
            .iter()
            .position(|c| c.id == id && c.state == CallState::Accepted)
            .or_else(|| {
                self.calls.iter().rposition(|c| {
                    c.id == id
                        && !c.finish_sent
                        && matches!(c.outcome, Some(Outcome::Finished { by_us: false, .. }))
                })
            });
        let Some(i) = i else {
            let i = self.by_id(id)?;
            return Err(self.wrong(i, "finish"));
        };
        let reason = reason.unwrap_or_else(|| Reason::new(ReasonCondition::Success));
        let f = Finish {
            id: id.to_string(),
            reason: Some(reason.clone()),
            migrated: None,
        };
        if let Some(to) = self.calls[i].device.clone() {
            self.send(to.into(), Payload::new(f));
        }
        self.calls[i].finish_sent = true;
        if self.calls[i].live() {
            self.end(
                now,
                i,
                Outcome::Finished {
                    by_us: true,
                    reason: Some(reason),
                    migrated_to: None,
                },
            );
        }
        Ok(())
    }

    /// Handles a message received at `now` (timers due by then fire
    /// first). Carbon copies (XEP-0280) are passed unwrapped: the copy of
    /// a message one of our other devices sent has that device as `from`.
    ///
    /// Returns `true` when the message was a XEP-0353 message that
    /// changed a call or made us answer; `false` otherwise: not XEP-0353,
    /// malformed, an `error` message, from a party without a call of that
    /// id, about an unknown or ended id, not allowed in the call's state,
    /// or addressed to another device of our account.
    pub fn handle_message(&mut self, now: Instant, msg: &Message) -> bool {
        self.handle_timeout(now);
        if msg.type_ == Some(MessageType::Error) {
            return false;
        }
        let Some(from) = msg.from.clone() else {
            return false;
        };
        let Some(Ok(jmi)) = msg.payloads.iter().find_map(parse_jmi) else {
            return false;
        };
        let own = self.local.to_bare();
        if from.to_bare() == own {
            if from == self.local {
                return false;
            }
            let Ok(device) = from.try_into_full() else {
                return false;
            };
            return self.on_own_device_copy(now, msg, device, jmi);
        }
        if let Some(to) = &msg.to {
            // Not for our account, or a received carbon of a message for
            // another of our devices.
            if to.to_bare() != own || (to.is_full() && *to != self.local) {
                return false;
            }
        }
        let Ok(device) = from.try_into_full() else {
            // Every answer goes to the sender's full JID.
            return false;
        };
        let peer = device.to_bare();
        match jmi {
            Jmi::Propose(p) => self.on_propose(now, device, p),
            Jmi::Ringing(r) => {
                let Some(i) = self.find(Direction::Outgoing, &peer, &r.id) else {
                    return false;
                };
                if !self.calls[i].unanswered() {
                    return false;
                }
                self.calls[i].state = CallState::Ringing;
                self.events.push_back(Event::Ringing { id: r.id, device });
                true
            }
            Jmi::Proceed(p) => {
                let Some(i) = self.find(Direction::Outgoing, &peer, &p.id) else {
                    return false;
                };
                let c = &self.calls[i];
                if c.unanswered() {
                    let c = &mut self.calls[i];
                    c.state = CallState::Accepted;
                    c.device = Some(device.clone());
                    c.deadline = now.checked_add(self.config.stale_after);
                    self.events.push_back(Event::Proceed { id: p.id, device });
                    true
                } else if c.device.is_some() && c.device.as_ref() != Some(&device) {
                    // Another device of the responder was first: tell this
                    // one the call is taken (a retract to its full JID).
                    let r = Retract {
                        id: p.id,
                        reason: Some(Reason::new(ReasonCondition::Cancel)),
                        tie_break: false,
                    };
                    self.send(device.into(), Payload::new(r));
                    true
                } else {
                    false
                }
            }
            Jmi::Reject(r) => {
                let Some(i) = self.find(Direction::Outgoing, &peer, &r.id) else {
                    return false;
                };
                if !self.calls[i].unanswered() {
                    return false;
                }
                self.end(
                    now,
                    i,
                    Outcome::Rejected {
                        by_us: false,
                        reason: r.reason,
                    },
                );
                true
            }
            Jmi::Retract(r) => {
                let Some(i) = self.find(Direction::Incoming, &peer, &r.id) else {
                    return false;
                };
                if !self.calls[i].live() {
                    return false;
                }
                if self.calls[i].state == CallState::Accepted {
                    // Only the initiator's device we proceeded for may
                    // withdraw a call we took.
                    if self.calls[i].device.as_ref() != Some(&device) {
                        return false;
                    }
                }
                self.end(
                    now,
                    i,
                    Outcome::Retracted {
                        by_us: false,
                        reason: r.reason,
                    },
                );
                true
            }
            Jmi::Finish(f) => {
                let Some(i) = self
                    .calls
                    .iter()
                    .position(|c| c.peer == peer && c.id == f.id && c.state == CallState::Accepted)
                else {
                    return false;
                };
                self.end(
                    now,
                    i,
                    Outcome::Finished {
                        by_us: false,
                        reason: f.reason,
                        migrated_to: f.migrated.map(|m| m.to),
                    },
                );
                true
            }
            // <accept/> is only ever sent to the sender's own account.
            Jmi::Accept(_) => false,
        }
    }

    /// A copy of what another device of our account sent.
    fn on_own_device_copy(
        &mut self,
        now: Instant,
        msg: &Message,
        device: FullJid,
        jmi: Jmi,
    ) -> bool {
        let (id, answered) = match jmi {
            Jmi::Proceed(p) => (p.id, true),
            Jmi::Accept(a) => (a.id, true),
            Jmi::Reject(r) => (r.id, false),
            _ => return false,
        };
        let own = self.local.to_bare();
        let to = msg.to.as_ref().map(Jid::to_bare).filter(|t| *t != own);
        let Some(i) = self.calls.iter().position(|c| {
            c.direction == Direction::Incoming
                && c.id == id
                && c.unanswered()
                && to.as_ref().is_none_or(|t| *t == c.peer)
        }) else {
            return false;
        };
        let outcome = if answered {
            Outcome::AnsweredElsewhere { device }
        } else {
            Outcome::RejectedElsewhere { device }
        };
        self.end(now, i, outcome);
        true
    }

    fn on_propose(&mut self, now: Instant, from: FullJid, p: Propose) -> bool {
        let peer = from.to_bare();
        if self.find(Direction::Incoming, &peer, &p.id).is_some() {
            // A repeated proposal.
            return false;
        }
        let mut call = Call {
            id: p.id.clone(),
            direction: Direction::Incoming,
            peer: peer.clone(),
            device: Some(from.clone()),
            descriptions: p.descriptions.clone(),
            state: CallState::Proposed,
            outcome: None,
            replaces: None,
            finish_sent: false,
            deadline: now.checked_add(self.config.stale_after),
            forget_at: None,
        };
        // §4.1: both parties proposed, no answer yet.
        if let Some(mine) = self
            .calls
            .iter()
            .position(|c| c.direction == Direction::Outgoing && c.peer == peer && c.unanswered())
        {
            let my_id = self.calls[mine].id.clone();
            let we_win = match my_id.as_bytes().cmp(p.id.as_bytes()) {
                std::cmp::Ordering::Less => true,
                std::cmp::Ordering::Greater => false,
                std::cmp::Ordering::Equal => {
                    self.local.to_bare().as_str().as_bytes() < peer.as_str().as_bytes()
                }
            };
            let expired = || {
                let mut r = Reason::new(ReasonCondition::Expired);
                r.text = Some("Tie-Break".into());
                r
            };
            if we_win {
                // We received the higher id: reject it, keep ours.
                let r = Reject {
                    id: p.id.clone(),
                    reason: Some(expired()),
                    tie_break: true,
                };
                self.send(from.into(), Payload::new(r));
                call.state = CallState::Ended;
                call.deadline = None;
                call.forget_at = now.checked_add(self.config.linger);
                call.outcome = Some(Outcome::TieBreak { winner: my_id });
                self.calls.push(call);
                return true;
            }
            // We received the lower id: retract ours, handle theirs.
            let r = Retract {
                id: my_id,
                reason: Some(expired()),
                tie_break: true,
            };
            self.send(peer.clone().into(), Payload::new(r));
            self.end(
                now,
                mine,
                Outcome::TieBreak {
                    winner: p.id.clone(),
                },
            );
        }
        // §4.2: an accepted call with this party is an orphan.
        let old = self
            .calls
            .iter()
            .position(|c| c.peer == peer && c.state == CallState::Accepted);
        self.calls.push(call);
        let new = self.calls.len() - 1;
        let mut replaces = None;
        if let Some(o) = old {
            let old_id = self.calls[o].id.clone();
            let mut reason = Reason::new(ReasonCondition::Expired);
            reason.text = Some("Session migrated".into());
            let f = Finish {
                id: old_id.clone(),
                reason: Some(reason.clone()),
                migrated: Some(Migrated { to: p.id.clone() }),
            };
            if let Some(to) = self.calls[o].device.clone() {
                self.send(to.into(), Payload::new(f));
            }
            self.calls[o].finish_sent = true;
            self.end(
                now,
                o,
                Outcome::Finished {
                    by_us: true,
                    reason: Some(reason),
                    migrated_to: Some(p.id.clone()),
                },
            );
            self.calls[new].replaces = Some(old_id.clone());
            self.accept_incoming(now, new);
            replaces = Some(old_id);
        }
        self.events.push_back(Event::Incoming {
            id: p.id,
            from,
            descriptions: p.descriptions,
            replaces,
        });
        true
    }
}
