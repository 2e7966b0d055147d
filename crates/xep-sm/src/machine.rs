//! The sans-IO stream management state machine, for either end of a stream.
//!
//! See the crate documentation for the run loop around it.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, Stanza, StreamError};
use xep_element::XmlElement;

use crate::elements::{
    Ack, Enable, Enabled, Failed, HandledCountTooHigh, Request, Resume, Resumed, Seconds, SmElement,
};
use crate::state::ResumptionState;

/// Which end of the stream a [`StreamManager`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The initiating entity: sends `<enable/>` and `<resume/>`.
    Client,
    /// The receiving entity: answers with `<enabled/>`, `<resumed/>` or
    /// `<failed/>`.
    Server,
}

/// When to ask the peer for an acknowledgement, and when to give one
/// unasked. Every rule is optional; [`Default`] asks after every 5 stanzas
/// and after 2 seconds without sending, and reports an unanswered request
/// after 30 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckPolicy {
    /// Send `<r/>` once this many stanzas were sent since the last `<r/>`.
    pub every: Option<NonZeroU32>,
    /// Send `<r/>` when stanzas sent since the last `<r/>` wait and nothing
    /// more was sent for this long.
    pub quiet: Option<Duration>,
    /// Send `<r/>` at the latest this long after the first stanza sent
    /// since the last `<r/>` (a deadline for asking, however busy the
    /// stream).
    pub max_delay: Option<Duration>,
    /// Report [`Event::AckTimeout`] when an `<r/>` gets no `<a/>` for this
    /// long (the usual sign of a dead connection).
    pub ack_timeout: Option<Duration>,
    /// Send an unrequested `<a/>` after handling this many stanzas since
    /// the last `<a/>`.
    pub ack_every_received: Option<NonZeroU32>,
}

impl Default for AckPolicy {
    fn default() -> Self {
        AckPolicy {
            every: NonZeroU32::new(5),
            quiet: Some(Duration::from_secs(2)),
            max_delay: None,
            ack_timeout: Some(Duration::from_secs(30)),
            ack_every_received: None,
        }
    }
}

impl AckPolicy {
    /// A policy that never asks and never acks unasked: only the caller's
    /// [`StreamManager::request_ack`] and [`StreamManager::send_ack`], and
    /// the answers to `<r/>`.
    pub const MANUAL: AckPolicy = AckPolicy {
        every: None,
        quiet: None,
        max_delay: None,
        ack_timeout: None,
        ack_every_received: None,
    };
}

/// What a server offers to a client that enables stream management.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOffer {
    /// The SM-ID for this stream (unique among the server's sessions, live
    /// and detached; opaque to the client; at most 4000 bytes).
    pub id: String,
    /// The longest a detached session is kept for resumption; `None` to
    /// not offer resumption.
    pub resume_max: Option<Duration>,
    /// The preferred place to reconnect to, for `location` (sent only
    /// when resumption is granted).
    pub location: Option<String>,
    /// XEP-0397: the instant stream resumption token to give a client
    /// that asks for one (`<isr-enable/>`) with one of the mechanisms
    /// offered, with resumption granted; `None`: no ISR.
    pub isr: Option<IsrOffer>,
}

/// XEP-0397: what a server gives a client asking for instant stream
/// resumption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsrOffer {
    /// The token: fresh from the caller's CSPRNG (128 bits or more),
    /// for this stream only.
    pub token: String,
    /// The mechanisms a token may be pinned to (those of the `<isr/>`
    /// feature, XEP-0484's `HT-*`).
    pub mechanisms: Vec<String>,
    /// Where to resume (`location` of `<isr-enabled/>`), if elsewhere.
    pub location: Option<String>,
}

/// XEP-0397: the instant stream resumption token of an enabled session,
/// pinned to one mechanism. A secret: store it like a password, use it
/// once.
#[derive(Clone, PartialEq, Eq)]
pub struct IsrGrant {
    /// The token.
    pub token: String,
    /// The only mechanism it works with.
    pub mechanism: String,
    /// Where to resume, if the server said.
    pub location: Option<String>,
}

impl std::fmt::Debug for IsrGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IsrGrant")
            .field("mechanism", &self.mechanism)
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// An element or a stanza to write to the stream, in order.
// Stanzas are most of what goes out: boxing them would cost an allocation
// each to save space on the rarer elements.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Transmit {
    /// A stanza (first sent or resent).
    Stanza(Stanza),
    /// A stream management element.
    Sm(SmElement),
}

/// What happened, for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Stream management is enabled (client: `<enabled/>` received;
    /// server: `<enabled/>` queued).
    Enabled {
        /// The SM-ID, if resumable.
        id: Option<String>,
        /// Whether the stream can be resumed.
        resume: bool,
        /// The negotiated maximum resumption time.
        max: Option<Seconds>,
        /// Where to reconnect to, if the server said.
        location: Option<String>,
        /// XEP-0397: the instant stream resumption token (client: given
        /// by the server, as asked with
        /// [`enable_with_isr`](StreamManager::enable_with_isr); server:
        /// given to the client from [`ServerOffer::isr`]).
        isr: Option<IsrGrant>,
    },
    /// The server refused `<enable/>` (client). The stanzas sent since
    /// `<enable/>` were transmitted but will never be acknowledged.
    EnableFailed {
        /// The condition the server gave.
        condition: Option<DefinedCondition>,
        /// The stanzas sent since `<enable/>`, in order.
        unacknowledged: Vec<Stanza>,
    },
    /// The peer acknowledged these stanzas, oldest first.
    Acknowledged(Vec<Stanza>),
    /// An `<r/>` was not answered within [`AckPolicy::ack_timeout`].
    AckTimeout,
    /// The stream was resumed. The stanzas not handled by the peer are
    /// already queued for transmission again, after the `<resumed/>` on the
    /// server's side.
    Resumed {
        /// Stanzas the `h` of `<resume/>` or `<resumed/>` acknowledged.
        acknowledged: Vec<Stanza>,
        /// Stanzas queued again, in order.
        resent: Vec<Stanza>,
    },
    /// The server refused `<resume/>` (client). The session is over; bind a
    /// resource and enable stream management again.
    ResumeFailed {
        /// The condition the server gave (`item-not-found` for an unknown
        /// or timed out session).
        condition: Option<DefinedCondition>,
        /// The `h` the server gave (for a session that timed out), if any.
        h: Option<u32>,
        /// Stanzas the server handled (by `h`), oldest first.
        delivered: Vec<Stanza>,
        /// Stanzas not known to be handled: lost, or (without `h`) perhaps
        /// handled. Resend them or report them, as the application sees fit.
        lost: Vec<Stanza>,
    },
    /// The client asked to resume a stream (server). Pass the request to
    /// the [`SessionStore`](crate::SessionStore) and continue with the
    /// session it returns (or send the `<failed/>` it returns).
    ResumeRequested(Resume),
    /// The connection was lost and the session cannot be resumed: these
    /// stanzas were never acknowledged, oldest first.
    Lost {
        /// The unacknowledged stanzas.
        unacknowledged: Vec<Stanza>,
    },
    /// The peer broke the protocol in a way that ends the stream (its `h`
    /// acknowledges more stanzas than were sent: XEP-0198 §6). Send this
    /// stream error and close the stream; the state was left as it was.
    StreamError(StreamError),
    /// An element that has no meaning in the current state or role was
    /// received and ignored (a server may answer misuse with a stream
    /// error, XEP-0198 §6).
    Unexpected(SmElement),
}

/// Where stream management stands ([`StreamManager::state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Stream management is not in use (not yet, or no more).
    Disabled,
    /// Client: `<enable/>` sent, waiting for the answer.
    Enabling,
    /// Enabled on a live connection.
    Active,
    /// The connection was lost; the session waits for resumption.
    Detached,
    /// Client: `<resume/>` sent, waiting for the answer.
    Resuming,
}

/// Why a caller's command was refused (nothing was sent): the caller's
/// misuse, as every machine reports it (see ARCHITECTURE.md). Peer faults
/// are never errors of a call: they are [`Event`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmError {
    /// The command is not possible in this role and state (`enable` is a
    /// client's, with stream management disabled; `resume` a client's,
    /// with a detached session).
    WrongState {
        /// The command refused.
        action: &'static str,
        /// Our role.
        role: Role,
        /// The state.
        state: State,
    },
}

impl std::fmt::Display for SmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SmError::WrongState {
                action,
                role,
                state,
            } => write!(f, "cannot {action} as a {role:?} in state {state:?}"),
        }
    }
}

impl std::error::Error for SmError {}

/// Stream management for one stream (and, across resumptions, one
/// session), on either end.
///
/// Inputs: [`send`](Self::send) for every outbound stanza,
/// [`stanza_received`](Self::stanza_received) for every inbound stanza handled,
/// [`handle_element`](Self::handle_element) for every inbound stream
/// management element, [`handle_timeout`](Self::handle_timeout),
/// [`connection_lost`](Self::connection_lost), and the commands
/// [`enable`](Self::enable), [`resume`](Self::resume),
/// [`request_ack`](Self::request_ack), [`send_ack`](Self::send_ack).
/// Outputs: [`poll_transmit`](Self::poll_transmit) (what to write, in
/// order), [`poll_event`](Self::poll_event) and
/// [`poll_timeout`](Self::poll_timeout). The machine never reads a clock.
///
/// Counters are the `u32` of XEP-0198 and wrap from 2^32−1 to 0.
///
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract"): inputs take `now` first, misuse
/// is a `WrongState` error, output is polled.
#[derive(Debug, Clone)]
pub struct StreamManager {
    role: Role,
    policy: AckPolicy,
    /// Where stream management stands, with the negotiated session in the
    /// phases that have one.
    phase: Phase,
    offer: Option<ServerOffer>,
    /// Client, XEP-0397: the mechanism of the ISR token asked for.
    isr_asked: Option<String>,
    bound: bool,
    // Counters and the queue of unacknowledged stanzas.
    counting_out: bool,
    outbound: u32,
    unacked: VecDeque<Stanza>,
    // Ack requests.
    unrequested: u32,
    first_unrequested_at: Option<Instant>,
    last_send_at: Option<Instant>,
    request_since: Option<Instant>,
    timeout_reported: bool,
    received_since_ack: u32,
    // Outputs.
    transmit: VecDeque<Transmit>,
    events: VecDeque<Event>,
}

/// [`State`] with the data of each phase.
#[derive(Debug, Clone)]
enum Phase {
    Disabled,
    Enabling,
    Active(Negotiated),
    /// Only a resumable session is detached.
    Detached(Negotiated),
    Resuming(Negotiated),
}

/// What `<enable/>` and `<enabled/>` (or a restored state) established.
#[derive(Debug, Clone)]
struct Negotiated {
    /// The SM-ID: `Some` exactly when the session can be resumed.
    id: Option<String>,
    /// The negotiated maximum resumption time.
    max: Option<Seconds>,
    /// The server's preferred reconnection place.
    location: Option<String>,
    /// Inbound stanzas handled, modulo 2^32: this end's `h`.
    inbound: u32,
}

impl Negotiated {
    fn new(id: Option<String>, max: Option<Seconds>, location: Option<String>) -> Self {
        Negotiated {
            id,
            max,
            location,
            inbound: 0,
        }
    }
}

impl StreamManager {
    fn new(role: Role, policy: AckPolicy, offer: Option<ServerOffer>) -> Self {
        StreamManager {
            role,
            policy,
            phase: Phase::Disabled,
            offer,
            isr_asked: None,
            bound: false,
            counting_out: false,
            outbound: 0,
            unacked: VecDeque::new(),
            unrequested: 0,
            first_unrequested_at: None,
            last_send_at: None,
            request_since: None,
            timeout_reported: false,
            received_since_ack: 0,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The client end of a new stream; stream management starts with
    /// [`enable`](Self::enable) or [`resume`](Self::resume) (after
    /// [`restore`](Self::restore)).
    pub fn client(policy: AckPolicy) -> Self {
        Self::new(Role::Client, policy, None)
    }

    /// The server end of a new stream, answering `<enable/>` with `offer`
    /// once [`resource_bound`](Self::resource_bound) was called.
    pub fn server(policy: AckPolicy, offer: ServerOffer) -> Self {
        Self::new(Role::Server, policy, Some(offer))
    }

    /// A detached, resumable session from a saved [`ResumptionState`] (after
    /// a process restart). A client then calls [`resume`](Self::resume) on
    /// its new stream; a server hands it to
    /// [`SessionStore::detach`](crate::SessionStore::detach).
    pub fn restore(role: Role, policy: AckPolicy, state: ResumptionState) -> Self {
        let offer = (role == Role::Server).then(|| ServerOffer {
            id: state.id.clone(),
            resume_max: state.max.map(Seconds::as_duration),
            location: state.location.clone(),
            isr: None,
        });
        let mut m = Self::new(role, policy, offer);
        m.phase = Phase::Detached(Negotiated {
            inbound: state.inbound,
            ..Negotiated::new(Some(state.id), state.max, state.location)
        });
        m.bound = true;
        m.counting_out = true;
        m.outbound = state.outbound;
        m.unacked = state.unacked.into();
        m
    }

    /// The state to persist for resumption after a restart, while the
    /// session is resumable.
    pub fn resumption_state(&self) -> Option<ResumptionState> {
        if !self.is_resumable() {
            return None;
        }
        let n = self.negotiated()?;
        Some(ResumptionState {
            id: n.id.clone()?,
            location: n.location.clone(),
            max: n.max,
            inbound: n.inbound,
            outbound: self.outbound,
            unacked: self.unacked.iter().cloned().collect(),
        })
    }

    /// Which end this is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The policy in use.
    pub fn policy(&self) -> &AckPolicy {
        &self.policy
    }

    /// Changes the policy (e.g. on a switch to a metered network).
    pub fn set_policy(&mut self, policy: AckPolicy) {
        self.policy = policy;
    }

    /// Where stream management stands.
    pub fn state(&self) -> State {
        match self.phase {
            Phase::Disabled => State::Disabled,
            Phase::Enabling => State::Enabling,
            Phase::Active(_) => State::Active,
            Phase::Detached(_) => State::Detached,
            Phase::Resuming(_) => State::Resuming,
        }
    }

    /// The negotiated session, in the phases that have one.
    fn negotiated(&self) -> Option<&Negotiated> {
        match &self.phase {
            Phase::Active(n) | Phase::Detached(n) | Phase::Resuming(n) => Some(n),
            Phase::Disabled | Phase::Enabling => None,
        }
    }

    /// Moves the negotiated session into the phase `to` makes of it
    /// (nothing without one).
    fn move_negotiated(&mut self, to: fn(Negotiated) -> Phase) {
        self.phase = match std::mem::replace(&mut self.phase, Phase::Disabled) {
            Phase::Active(n) | Phase::Detached(n) | Phase::Resuming(n) => to(n),
            other => other,
        };
    }

    /// The misuse error for `action`.
    fn wrong(&self, action: &'static str) -> SmError {
        SmError::WrongState {
            action,
            role: self.role,
            state: self.state(),
        }
    }

    /// Whether stream management is enabled on a live connection.
    pub fn is_enabled(&self) -> bool {
        matches!(self.phase, Phase::Active(_))
    }

    /// Whether a session exists that can be resumed (live, detached or
    /// being resumed).
    pub fn is_resumable(&self) -> bool {
        self.negotiated().is_some_and(|n| n.id.is_some())
    }

    /// Whether the connection was lost and the session waits to be resumed.
    pub fn is_detached(&self) -> bool {
        matches!(self.phase, Phase::Detached(_))
    }

    /// The SM-ID, once known.
    pub fn id(&self) -> Option<&str> {
        self.negotiated()?.id.as_deref()
    }

    /// The negotiated maximum resumption time.
    pub fn max(&self) -> Option<Seconds> {
        self.negotiated()?.max
    }

    /// The server's preferred reconnection place.
    pub fn location(&self) -> Option<&str> {
        self.negotiated()?.location.as_deref()
    }

    /// The `h` of this end: inbound stanzas handled (modulo 2^32), once
    /// counting started.
    pub fn inbound_count(&self) -> Option<u32> {
        self.negotiated().map(|n| n.inbound)
    }

    /// Outbound stanzas sent under stream management (modulo 2^32).
    pub fn outbound_count(&self) -> u32 {
        self.outbound
    }

    /// The stanzas sent and not yet acknowledged, oldest first.
    pub fn unacknowledged(&self) -> impl ExactSizeIterator<Item = &Stanza> {
        self.unacked.iter()
    }

    /// Removes and returns the unacknowledged stanzas (for a session that
    /// will not be resumed: bounce them, store them offline, or resend them
    /// on a new session).
    pub fn take_unacknowledged(&mut self) -> Vec<Stanza> {
        self.unacked.drain(..).collect()
    }

    // ---------------------------------------------------------------------
    // Commands

    /// Client: sends `<enable/>` (after resource binding), asking for
    /// resumption when `resume`. Stanzas sent from now on are counted.
    pub fn enable(
        &mut self,
        now: Instant,
        resume: bool,
        max: Option<Seconds>,
    ) -> Result<(), SmError> {
        if self.role != Role::Client || !matches!(self.phase, Phase::Disabled) {
            return Err(self.wrong("enable stream management"));
        }
        let _ = now;
        self.queue_sm(Enable::new(resume, max));
        self.isr_asked = None;
        self.phase = Phase::Enabling;
        self.counting_out = true;
        self.outbound = 0;
        self.unacked.clear();
        Ok(())
    }

    /// Client: [`enable`](Self::enable) with resumption, asking for a
    /// XEP-0397 instant stream resumption token pinned to `mechanism` (an
    /// `HT-*` one the server lists in its `<isr/>` feature). The token
    /// comes in [`Event::Enabled`]'s `isr`, if the server gives one.
    pub fn enable_with_isr(
        &mut self,
        now: Instant,
        max: Option<Seconds>,
        mechanism: impl Into<String>,
    ) -> Result<(), SmError> {
        if self.role != Role::Client || !matches!(self.phase, Phase::Disabled) {
            return Err(self.wrong("enable stream management"));
        }
        let _ = now;
        let mechanism = mechanism.into();
        let mut enable = Enable::new(true, max);
        enable
            .extensions
            .push(xep_element::Payload::new(crate::isr::IsrEnable {
                mechanism: mechanism.clone(),
            }));
        self.queue_sm(enable);
        self.isr_asked = Some(mechanism);
        self.phase = Phase::Enabling;
        self.counting_out = true;
        self.outbound = 0;
        self.unacked.clear();
        Ok(())
    }

    /// Client: sends `<resume/>` on a new stream (after authentication),
    /// for the detached session. Stanzas sent until `<resumed/>` are held
    /// and sent after it.
    pub fn resume(&mut self, now: Instant) -> Result<(), SmError> {
        let resume = self.resume_request("resume")?;
        let _ = now;
        self.queue_sm(resume);
        self.move_negotiated(Phase::Resuming);
        Ok(())
    }

    /// Client, XEP-0397: resumes the detached session inside SASL2
    /// instead of with `<resume/>`: returns the `<resume/>` for the
    /// negotiation's `<inst-resume/>` (nothing is queued here). Give the
    /// `<resumed/>` of the server's `<inst-resumed/>`, or the `<failed/>`
    /// of its `<inst-resume-failed/>`, to
    /// [`handle_element`](Self::handle_element), as for `<resume/>`; if
    /// the server refuses the authentication, it deleted the session: give
    /// a `<failed/>` with `item-not-found`.
    pub fn instant_resume(&mut self, now: Instant) -> Result<Resume, SmError> {
        let resume = self.resume_request("resume instantly")?;
        let _ = now;
        self.move_negotiated(Phase::Resuming);
        Ok(resume)
    }

    /// The `<resume/>` of a detached client session.
    fn resume_request(&self, action: &'static str) -> Result<Resume, SmError> {
        match &self.phase {
            Phase::Detached(Negotiated {
                id: Some(previd),
                inbound,
                ..
            }) if self.role == Role::Client => Ok(Resume {
                h: *inbound,
                previd: previd.clone(),
            }),
            _ => Err(self.wrong(action)),
        }
    }

    /// Server: the client bound a resource (or, on a server-to-server
    /// stream, authenticated), so `<enable/>` is accepted from now on.
    pub fn resource_bound(&mut self) {
        self.bound = true;
    }

    /// Sends a stanza: it is queued for transmission (held while the
    /// session is detached or being resumed) and, under stream management,
    /// kept until acknowledged.
    pub fn send(&mut self, now: Instant, stanza: Stanza) {
        if !self.counting_out {
            self.transmit.push_back(Transmit::Stanza(stanza));
            return;
        }
        self.outbound = self.outbound.wrapping_add(1);
        self.unacked.push_back(stanza.clone());
        if self.acking() {
            self.transmit.push_back(Transmit::Stanza(stanza));
            self.note_sent(now, 1);
        }
    }

    /// Sends `<r/>` now (when stream management is enabled or being
    /// enabled: the answer then follows `<enabled/>`).
    pub fn request_ack(&mut self, now: Instant) {
        if self.acking() {
            self.queue_request(now);
        }
    }

    /// Sends an unrequested `<a/>` now (e.g. before closing the stream, as
    /// XEP-0198 §4 recommends), when counting inbound stanzas.
    pub fn send_ack(&mut self) {
        // Counting starts with `<enabled/>`: nothing to acknowledge while
        // enabling.
        if let Phase::Active(n) = &self.phase {
            let h = n.inbound;
            self.queue_sm(Ack { h });
            self.received_since_ack = 0;
        }
    }

    /// Ends the session cleanly (before `</stream:stream>`): queues a last
    /// `<a/>` and returns the stanzas never acknowledged. The session
    /// cannot be resumed afterwards.
    pub fn close(&mut self) -> Vec<Stanza> {
        self.send_ack();
        let rest = self.take_unacknowledged();
        self.reset();
        rest
    }

    // ---------------------------------------------------------------------
    // Inputs

    /// A stanza was received and handled (call it once per inbound
    /// message, presence or iq; stream management elements go to
    /// [`handle_element`](Self::handle_element)).
    pub fn stanza_received(&mut self, now: Instant) {
        let _ = now;
        let (Phase::Active(n) | Phase::Detached(n) | Phase::Resuming(n)) = &mut self.phase else {
            return;
        };
        n.inbound = n.inbound.wrapping_add(1);
        self.received_since_ack = self.received_since_ack.saturating_add(1);
        if let Some(n) = self.policy.ack_every_received
            && self.received_since_ack >= n.get()
            && self.is_enabled()
        {
            self.send_ack();
        }
    }

    /// A stream management element was received.
    pub fn handle_element(&mut self, now: Instant, element: SmElement) {
        match (self.role, element) {
            (_, SmElement::Request(_)) if self.is_enabled() => self.send_ack(),
            (_, SmElement::Ack(a)) if self.is_enabled() => self.handle_ack(now, a.h),
            (Role::Client, SmElement::Enabled(e)) if matches!(self.phase, Phase::Enabling) => {
                self.handle_enabled(e)
            }
            (Role::Client, SmElement::Failed(f)) if matches!(self.phase, Phase::Enabling) => {
                let unacknowledged = self.take_unacknowledged();
                self.reset();
                self.events.push_back(Event::EnableFailed {
                    condition: f.condition,
                    unacknowledged,
                });
            }
            (Role::Client, SmElement::Resumed(r)) if matches!(&self.phase, Phase::Resuming(n) if n.id.as_deref() == Some(&r.previd)) => {
                self.handle_resumed(now, r.h)
            }
            (Role::Client, SmElement::Failed(f)) if matches!(self.phase, Phase::Resuming(_)) => {
                self.handle_resume_failed(f)
            }
            (Role::Server, SmElement::Enable(e)) => self.handle_enable(e),
            (Role::Server, SmElement::Resume(r)) => {
                if !matches!(self.phase, Phase::Disabled) {
                    self.queue_sm(Failed::new(DefinedCondition::UnexpectedRequest));
                    self.events
                        .push_back(Event::Unexpected(SmElement::Resume(r)));
                } else if self.offer.as_ref().is_none_or(|o| o.resume_max.is_none()) {
                    self.queue_sm(Failed::new(DefinedCondition::FeatureNotImplemented));
                } else {
                    self.events.push_back(Event::ResumeRequested(r));
                }
            }
            (_, other) => self.events.push_back(Event::Unexpected(other)),
        }
    }

    /// The connection under the stream was lost (or closed without
    /// `</stream:stream>`). Whatever was queued for transmission is
    /// dropped; a resumable session becomes detached (a server hands it to
    /// [`SessionStore::detach`](crate::SessionStore::detach)); otherwise
    /// the unacknowledged stanzas are reported as [`Event::Lost`].
    pub fn connection_lost(&mut self, now: Instant) {
        let _ = now;
        self.transmit.clear();
        self.clear_requests();
        match std::mem::replace(&mut self.phase, Phase::Disabled) {
            Phase::Disabled => {}
            Phase::Active(n) | Phase::Detached(n) | Phase::Resuming(n) if n.id.is_some() => {
                self.phase = Phase::Detached(n);
            }
            Phase::Enabling | Phase::Active(_) | Phase::Detached(_) | Phase::Resuming(_) => {
                let unacknowledged = self.take_unacknowledged();
                self.reset();
                self.events.push_back(Event::Lost { unacknowledged });
            }
        }
    }

    /// Runs the timers due at `now` (ack requests, ack time-out).
    pub fn handle_timeout(&mut self, now: Instant) {
        if !self.acking() {
            return;
        }
        if self.unrequested > 0 {
            let due = |d: Option<Instant>| d.is_some_and(|d| d <= now);
            if due(self.quiet_deadline()) || due(self.max_delay_deadline()) {
                self.queue_request(now);
            }
        }
        if let Some(d) = self.ack_timeout_deadline()
            && d <= now
        {
            self.timeout_reported = true;
            self.events.push_back(Event::AckTimeout);
        }
    }

    // ---------------------------------------------------------------------
    // Outputs

    /// The next element or stanza to write.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmit.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if !self.acking() {
            return None;
        }
        let mut next: Option<Instant> = None;
        let mut consider = |d: Option<Instant>| {
            if let Some(d) = d {
                next = Some(next.map_or(d, |n| n.min(d)));
            }
        };
        if self.unrequested > 0 {
            consider(self.quiet_deadline());
            consider(self.max_delay_deadline());
        }
        consider(self.ack_timeout_deadline());
        next
    }

    // ---------------------------------------------------------------------
    // Internals

    /// Whether acks can be requested: enabled, or being enabled by this
    /// client.
    fn acking(&self) -> bool {
        matches!(self.phase, Phase::Enabling | Phase::Active(_))
    }

    fn quiet_deadline(&self) -> Option<Instant> {
        self.last_send_at?.checked_add(self.policy.quiet?)
    }

    fn max_delay_deadline(&self) -> Option<Instant> {
        self.first_unrequested_at?
            .checked_add(self.policy.max_delay?)
    }

    fn ack_timeout_deadline(&self) -> Option<Instant> {
        if self.timeout_reported {
            return None;
        }
        self.request_since?.checked_add(self.policy.ack_timeout?)
    }

    fn queue_sm(&mut self, el: impl Into<SmElement>) {
        self.transmit.push_back(Transmit::Sm(el.into()));
    }

    fn note_sent(&mut self, now: Instant, n: u32) {
        self.unrequested = self.unrequested.saturating_add(n);
        self.first_unrequested_at.get_or_insert(now);
        self.last_send_at = Some(now);
        if self.acking()
            && let Some(every) = self.policy.every
            && self.unrequested >= every.get()
        {
            self.queue_request(now);
        }
    }

    fn queue_request(&mut self, now: Instant) {
        self.queue_sm(Request);
        self.unrequested = 0;
        self.first_unrequested_at = None;
        if self.request_since.is_none() {
            self.request_since = Some(now);
            self.timeout_reported = false;
        }
    }

    fn clear_requests(&mut self) {
        self.unrequested = 0;
        self.first_unrequested_at = None;
        self.last_send_at = None;
        self.request_since = None;
        self.timeout_reported = false;
        self.received_since_ack = 0;
    }

    /// Back to no stream management (the connection may go on).
    fn reset(&mut self) {
        self.phase = Phase::Disabled;
        self.counting_out = false;
        self.outbound = 0;
        self.unacked.clear();
        self.clear_requests();
    }

    /// How many stanzas of the queue `h` acknowledges, or the stream error
    /// when it acknowledges more than was sent. With `n` unacknowledged
    /// stanzas the acceptable values are the `n + 1` values from
    /// `outbound - n` to `outbound`, modulo 2^32; anything else counts
    /// stanzas that were never sent.
    fn acked_by(&self, h: u32) -> Result<usize, StreamError> {
        let base = self.outbound.wrapping_sub(self.unacked.len() as u32);
        let n = h.wrapping_sub(base) as usize;
        if n > self.unacked.len() {
            Err(HandledCountTooHigh::stream_error(h, self.outbound))
        } else {
            Ok(n)
        }
    }

    fn handle_ack(&mut self, now: Instant, h: u32) {
        let _ = now;
        match self.acked_by(h) {
            Ok(n) => {
                self.request_since = None;
                self.timeout_reported = false;
                if n > 0 {
                    let acked = self.unacked.drain(..n).collect();
                    self.events.push_back(Event::Acknowledged(acked));
                }
            }
            Err(e) => self.events.push_back(Event::StreamError(e)),
        }
    }

    fn handle_enabled(&mut self, e: Enabled) {
        // Resumable when the server allows it and gave the id to resume.
        let id = e.id.clone().filter(|_| e.allows_resume());
        // XEP-0397: a token only as asked, for a resumable stream.
        let isr = match (e.isr(), self.isr_asked.take()) {
            (Some(g), Some(mechanism)) if id.is_some() => Some(IsrGrant {
                token: g.token,
                mechanism,
                location: g.location,
            }),
            _ => None,
        };
        self.events.push_back(Event::Enabled {
            id: id.clone(),
            resume: id.is_some(),
            max: e.max,
            location: e.location.clone(),
            isr,
        });
        self.phase = Phase::Active(Negotiated::new(id, e.max, e.location));
    }

    fn handle_enable(&mut self, e: Enable) {
        let disabled = matches!(self.phase, Phase::Disabled);
        if !disabled || !self.bound {
            // Before binding, or a second attempt (XEP-0198 §3).
            self.queue_sm(Failed::new(DefinedCondition::UnexpectedRequest));
            if !disabled {
                self.events
                    .push_back(Event::Unexpected(SmElement::Enable(e)));
            }
            return;
        }
        // Only a server has an offer (see the constructors).
        let Some(offer) = self.offer.clone() else {
            return;
        };
        // Resumable when the client asks and the offer allows it.
        let max = offer.resume_max.filter(|_| e.wants_resume()).map(|d| {
            let ours = Seconds::from_duration(d);
            e.max.map_or(ours, |theirs| theirs.min(ours))
        });
        let resumable = max.is_some();
        // XEP-0397: the token for a mechanism offered, on a resumable
        // stream.
        let isr = match (e.isr(), &offer.isr) {
            (Some(asked), Some(o)) if resumable && o.mechanisms.contains(&asked.mechanism) => {
                Some(IsrGrant {
                    token: o.token.clone(),
                    mechanism: asked.mechanism,
                    location: o.location.clone(),
                })
            }
            _ => None,
        };
        let mut enabled = Enabled {
            id: resumable.then(|| offer.id.clone()),
            location: offer.location.clone().filter(|_| resumable),
            max,
            resume: resumable.then_some(true.into()),
            extensions: Vec::new(),
        };
        if let Some(g) = &isr {
            enabled
                .extensions
                .push(xep_element::Payload::new(crate::isr::IsrEnabled {
                    token: g.token.clone(),
                    location: g.location.clone(),
                }));
        }
        self.queue_sm(enabled);
        self.counting_out = true;
        self.outbound = 0;
        self.unacked.clear();
        let id = resumable.then_some(offer.id);
        let location = offer.location.filter(|_| resumable);
        self.events.push_back(Event::Enabled {
            id: id.clone(),
            resume: resumable,
            max,
            location: location.clone(),
            isr,
        });
        self.phase = Phase::Active(Negotiated::new(id, max, location));
    }

    /// Applies the peer's `h` from `<resume/>` or `<resumed/>` and queues
    /// the rest of the queue again. `prefix` is sent first (the server's
    /// `<resumed/>`).
    fn resume_with(
        &mut self,
        now: Instant,
        h: u32,
        prefix: Option<SmElement>,
    ) -> Result<(), StreamError> {
        let n = self.acked_by(h)?;
        let acknowledged: Vec<Stanza> = self.unacked.drain(..n).collect();
        self.move_negotiated(Phase::Active);
        self.clear_requests();
        if let Some(p) = prefix {
            self.queue_sm(p);
        }
        let resent: Vec<Stanza> = self.unacked.iter().cloned().collect();
        self.transmit
            .extend(resent.iter().cloned().map(Transmit::Stanza));
        if !resent.is_empty() {
            self.note_sent(now, resent.len() as u32);
        }
        self.events.push_back(Event::Resumed {
            acknowledged,
            resent,
        });
        Ok(())
    }

    fn handle_resumed(&mut self, now: Instant, h: u32) {
        if let Err(e) = self.resume_with(now, h, None) {
            self.events.push_back(Event::StreamError(e));
        }
    }

    fn handle_resume_failed(&mut self, f: Failed) {
        let n = match f.h.map(|h| self.acked_by(h)) {
            None => 0,
            Some(Ok(n)) => n,
            Some(Err(e)) => {
                self.events.push_back(Event::StreamError(e));
                return;
            }
        };
        let delivered = self.unacked.drain(..n).collect();
        let lost = self.take_unacknowledged();
        self.reset();
        self.events.push_back(Event::ResumeFailed {
            condition: f.condition,
            h: f.h,
            delivered,
            lost,
        });
    }

    /// Server: resumes this detached session for a client's `<resume/>`
    /// (called by the session store, which checked the id).
    pub(crate) fn server_resume(&mut self, now: Instant, h: u32) -> Result<(), StreamError> {
        let resumed = Resumed {
            h: self.negotiated().map_or(0, |n| n.inbound),
            previd: self
                .negotiated()
                .and_then(|n| n.id.clone())
                .unwrap_or_default(),
        };
        self.resume_with(now, h, Some(resumed.into()))
    }

    /// Whether the session can go into a session store.
    pub(crate) fn can_detach(&self) -> bool {
        self.role == Role::Server && matches!(&self.phase, Phase::Detached(n) if n.id.is_some())
    }
}

impl Transmit {
    /// The XML of the stanza or element (stanzas in `jabber:client`).
    pub fn to_xml(&self) -> String {
        match self {
            Transmit::Stanza(s) => s.to_xml(),
            Transmit::Sm(e) => e.to_xml(),
        }
    }
}
