//! XEP-0114 (Jabber Component Protocol), the server's end:
//! [`ComponentServer`] accepts a `jabber:component:accept` stream, asks
//! the caller whether it serves the component name the header asks for
//! (and with which secret), and checks the component's `<handshake/>`.
//!
//! With [`Method::Connect`] it is the component's end of
//! `jabber:component:connect`, where the server initiates: the name is
//! the header's `from`, and the handshake checked is the server's.

use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;
use xep_core::{StreamCondition, StreamError, StreamEvent, StreamHeader};
use xep_element::jid::Jid;

use crate::component::{DEFAULT_TIMEOUT, Handshake, Method, handshake_digest};
use crate::{Failure, Outbox, Transmit, deadline};

/// What a [`ComponentServer`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The id of this stream, sent in the reply header and hashed into the
    /// handshake: unique and unpredictable, from the caller's random
    /// number generator.
    pub stream_id: String,
    /// How long the component has to send its handshake, from
    /// [`ComponentServer::accept`]; `None` for no limit. Default
    /// [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
    /// The connection method (default [`Method::Accept`]: this end is
    /// the server; with [`Method::Connect`], the component).
    pub method: Method,
}

impl Config {
    /// A stream with id `stream_id`, and the default timeout.
    pub fn new(stream_id: impl Into<String>) -> Self {
        Config {
            stream_id: stream_id.into(),
            timeout: Some(DEFAULT_TIMEOUT),
            method: Method::Accept,
        }
    }
}

/// Where a [`ComponentServer`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Waiting for the component's stream header.
    AwaitingHeader,
    /// The header named a component ([`Event::NameRequested`]): the caller
    /// [`accept`](ComponentServer::accept)s or
    /// [`refuse`](ComponentServer::refuse)s it.
    AwaitingDecision,
    /// The reply header was sent; waiting for the handshake.
    AwaitingHandshake,
    /// The component is authenticated: stanzas flow, and every later input
    /// is the caller's.
    Ready,
    /// The negotiation failed or was refused; the stream is closed.
    Failed,
}

/// What happened, for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The component asks to be `name` (its header's `to`): look it up and
    /// [`accept`](ComponentServer::accept) it with its secret, or
    /// [`refuse`](ComponentServer::refuse) it.
    NameRequested {
        /// The component name asked for.
        name: Jid,
    },
    /// The handshake was right (the empty `<handshake/>` is queued): the
    /// component `name` may send stanzas from any address of its domain.
    Authenticated {
        /// The component's name.
        name: Jid,
    },
    /// The negotiation failed (a wrong handshake is
    /// [`Failure::Sent`] with `not-authorized`), or the caller refused the
    /// name (`Failure::Sent` with the condition given).
    Failed(Failure),
}

/// The server's end of XEP-0114 `jabber:component:accept`.
///
/// Input: [`handle_stream_event`](Self::handle_stream_event) with each
/// event of the stream from the component, and
/// [`handle_timeout`](Self::handle_timeout); commands:
/// [`accept`](Self::accept) and [`refuse`](Self::refuse) after
/// [`Event::NameRequested`]. Output: [`poll_transmit`](Self::poll_transmit),
/// [`poll_event`](Self::poll_event), [`poll_timeout`](Self::poll_timeout).
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract").
#[derive(Debug, Clone)]
pub struct ComponentServer {
    config: Config,
    state: State,
    /// The name the header asked for, once known.
    name: Option<Jid>,
    /// The digest the handshake must carry, once accepted.
    expected: Option<String>,
    header_sent: bool,
    out: Outbox<Event>,
}

impl ComponentServer {
    /// A server end waiting for the component's header.
    pub fn new(config: Config) -> Self {
        ComponentServer {
            config,
            state: State::AwaitingHeader,
            name: None,
            expected: None,
            header_sent: false,
            out: Outbox::new(),
        }
    }

    /// Where the negotiation stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The component name the header asked for, once received.
    pub fn name(&self) -> Option<&Jid> {
        self.name.as_ref()
    }

    fn wrong(&self, action: &'static str) -> crate::Error<State> {
        crate::Error::WrongState {
            action,
            state: self.state,
        }
    }

    /// Serves the requested name with the shared `secret`: queues the
    /// reply header with the stream id and starts the timeout.
    pub fn accept(&mut self, now: Instant, secret: &str) -> Result<(), crate::Error<State>> {
        if self.state != State::AwaitingDecision {
            return Err(self.wrong("accept"));
        }
        self.expected = Some(handshake_digest(&self.config.stream_id, secret));
        self.send_header();
        self.out.deadline = deadline(now, self.config.timeout);
        self.state = State::AwaitingHandshake;
        Ok(())
    }

    /// Refuses the requested name with `condition` (XEP-0114 suggests
    /// `host-unknown` or `conflict`): queues the reply header, the stream
    /// error and the close.
    pub fn refuse(
        &mut self,
        _now: Instant,
        condition: StreamCondition,
    ) -> Result<(), crate::Error<State>> {
        if self.state != State::AwaitingDecision {
            return Err(self.wrong("refuse"));
        }
        self.fail(Failure::Sent(StreamError::new(condition, None)));
        Ok(())
    }

    fn send_header(&mut self) {
        if self.header_sent {
            return;
        }
        self.header_sent = true;
        self.out.transmit.push_back(Transmit::Header(StreamHeader {
            from: self.name.clone(),
            id: Some(self.config.stream_id.clone()),
            content: self.config.method.ns(),
            ..Default::default()
        }));
    }

    /// One event of the stream from the component. `false` once the
    /// negotiation ended (stanzas after success are the caller's).
    pub fn handle_stream_event(&mut self, _now: Instant, event: &StreamEvent) -> bool {
        if matches!(self.state, State::Ready | State::Failed) {
            return false;
        }
        if let Some(f) = crate::ending(event, self.state == State::AwaitingHeader) {
            self.fail(f);
            return true;
        }
        match event {
            StreamEvent::Header(h) => self.header(h),
            StreamEvent::Element(p) => {
                if self.state == State::AwaitingHandshake
                    && let Some(Ok(h)) = p.get::<Handshake>()
                    && h.method() == self.config.method
                {
                    self.handshake(&h);
                } else {
                    // RFC 6120 §4.9.3.12: data before authentication.
                    self.fail(Failure::Sent(StreamError::new(
                        StreamCondition::NotAuthorized,
                        Some("only <handshake/> is accepted before authentication"),
                    )));
                }
            }
            StreamEvent::Rejected { .. } | StreamEvent::End => {}
        }
        true
    }

    fn header(&mut self, h: &StreamHeader) {
        if h.content != self.config.method.ns() {
            return self.fail(Failure::Sent(StreamError::new(
                StreamCondition::InvalidNamespace,
                Some(match self.config.method {
                    Method::Accept => "this port accepts jabber:component:accept streams",
                    Method::Connect => "this component accepts jabber:component:connect streams",
                }),
            )));
        }
        let named = match self.config.method {
            Method::Accept => h.to.clone(),
            Method::Connect => h.from.clone(),
        };
        let Some(name) = named else {
            return self.fail(Failure::Sent(StreamError::new(
                StreamCondition::ImproperAddressing,
                Some("the header names no component"),
            )));
        };
        self.name = Some(name.clone());
        self.state = State::AwaitingDecision;
        self.out.events.push_back(Event::NameRequested { name });
    }

    fn handshake(&mut self, h: &Handshake) {
        let expected = self.expected.as_deref().unwrap_or_default();
        // Hex digits compare the same in either case; the digest is
        // lowercase, and a component that sent uppercase means the same.
        let got = h.digest().unwrap_or_default().to_ascii_lowercase();
        if bool::from(got.as_bytes().ct_eq(expected.as_bytes())) && !expected.is_empty() {
            self.out.transmit.push_back(Transmit::Handshake(
                Handshake::success().in_method(self.config.method),
            ));
            self.state = State::Ready;
            self.out.deadline = None;
            let name = self.name.clone().expect("a name before the handshake");
            self.out.events.push_back(Event::Authenticated { name });
        } else {
            self.fail(Failure::Sent(StreamError::new(
                StreamCondition::NotAuthorized,
                Some("wrong handshake"),
            )));
        }
    }

    fn fail(&mut self, failure: Failure) {
        // RFC 6120 §4.9.1.2: a stream error answers a header with a header.
        self.send_header();
        self.state = State::Failed;
        self.out.fail(failure, Event::Failed);
    }

    crate::outputs!(Event);
}
