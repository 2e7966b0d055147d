//! XEP-0114 (Jabber Component Protocol), the component's end: the
//! `<handshake/>` element, its digest, and [`Component`], which opens a
//! `jabber:component:accept` stream to a server and authenticates with the
//! shared secret.
//!
//! The component sends a header addressed to its own name; the server
//! answers with a header carrying the stream id; the component sends
//! `<handshake/>` with the lowercase hex SHA-1 of the stream id followed by
//! the secret ([`handshake_digest`]); the server answers with an empty
//! `<handshake/>` (success) or a stream error (`not-authorized`, or
//! `host-unknown`/`conflict` for a name it will not serve).
//!
//! XEP-0114's other method, `jabber:component:connect`
//! ([`Method::Connect`]), swaps the roles: the server initiates, with a
//! header whose `from` is the component's name, and sends the handshake;
//! the component receives and checks it. The handshake is the same, in
//! the stream's namespace. So the server runs [`Component`] (the
//! initiator) and the component runs
//! [`ComponentServer`](crate::component_server::ComponentServer) (the
//! receiver), each configured with [`Method::Connect`].

use std::time::{Duration, Instant};

use sha1::{Digest, Sha1};
use xep_core::{ContentNs, StreamCondition, StreamError, StreamEvent, StreamHeader};
use xep_element::XmlElement;
use xep_element::jid::Jid;

use crate::{Failure, Outbox, Transmit, deadline};

/// `<handshake/>` of `jabber:component:accept` (XEP-0114 §3).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = xep_element::ns::COMPONENT_ACCEPT, name = "handshake")]
pub struct AcceptHandshake {
    /// The digest ([`handshake_digest`]) from the initiator; `None` (an
    /// empty element) from the receiver for success.
    #[xml(text)]
    pub digest: Option<String>,
}

/// `<handshake/>` of `jabber:component:connect` (XEP-0114 §3).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = xep_element::ns::COMPONENT_CONNECT, name = "handshake")]
pub struct ConnectHandshake {
    /// The digest from the initiator (the server); `None` from the
    /// component for success.
    #[xml(text)]
    pub digest: Option<String>,
}

/// `<handshake/>` (XEP-0114 §3) in the namespace of the stream's method:
/// `jabber:component:accept` or `jabber:component:connect`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
pub enum Handshake {
    /// `jabber:component:accept`.
    Accept(AcceptHandshake),
    /// `jabber:component:connect`.
    Connect(ConnectHandshake),
}

impl Default for Handshake {
    /// An empty `jabber:component:accept` handshake.
    fn default() -> Self {
        Handshake::success()
    }
}

impl Handshake {
    /// The initiator's handshake (in `jabber:component:accept`; see
    /// [`in_method`](Self::in_method)).
    pub fn with_digest(digest: impl Into<String>) -> Self {
        Handshake::Accept(AcceptHandshake {
            digest: Some(digest.into()),
        })
    }

    /// The receiver's empty handshake (success), in
    /// `jabber:component:accept`.
    pub fn success() -> Self {
        Handshake::Accept(AcceptHandshake { digest: None })
    }

    /// The same handshake in the namespace of `method`.
    pub fn in_method(self, method: Method) -> Self {
        let digest = self.digest().map(str::to_owned);
        match method {
            Method::Accept => Handshake::Accept(AcceptHandshake { digest }),
            Method::Connect => Handshake::Connect(ConnectHandshake { digest }),
        }
    }

    /// The digest (`None`: the empty element).
    pub fn digest(&self) -> Option<&str> {
        match self {
            Handshake::Accept(h) => h.digest.as_deref(),
            Handshake::Connect(h) => h.digest.as_deref(),
        }
    }

    /// The method whose namespace it is in.
    pub fn method(&self) -> Method {
        match self {
            Handshake::Accept(_) => Method::Accept,
            Handshake::Connect(_) => Method::Connect,
        }
    }
}

/// XEP-0114's connection method: which side initiates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Method {
    /// `jabber:component:accept`: the component connects to the server
    /// (the common one; the default).
    #[default]
    Accept,
    /// `jabber:component:connect`: the server connects to the component.
    Connect,
}

impl Method {
    /// The stream's content namespace.
    pub fn ns(self) -> ContentNs {
        match self {
            Method::Accept => ContentNs::ComponentAccept,
            Method::Connect => ContentNs::ComponentConnect,
        }
    }
}

/// The handshake digest: SHA-1 of the stream id followed by the shared
/// secret, in lowercase hexadecimal (XEP-0114 §3).
pub fn handshake_digest(stream_id: &str, secret: &str) -> String {
    let mut h = Sha1::new();
    h.update(stream_id.as_bytes());
    h.update(secret.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The timeout of a negotiation when none is configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What a [`Component`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The component's name (a domain): the `to` of the stream header
    /// ([`Method::Accept`]), or its `from` ([`Method::Connect`], where the
    /// server initiates).
    pub name: Jid,
    /// The connection method (default [`Method::Accept`]: this end is the
    /// component).
    pub method: Method,
    /// The secret shared with the server.
    pub secret: String,
    /// How long the whole negotiation may take, from
    /// [`Component::start`]; `None` for no limit. Default
    /// [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
}

impl Config {
    /// A component named `name` with the shared `secret`, and the default
    /// timeout.
    pub fn new(name: Jid, secret: impl Into<String>) -> Self {
        Config {
            name,
            method: Method::Accept,
            secret: secret.into(),
            timeout: Some(DEFAULT_TIMEOUT),
        }
    }
}

/// Where a [`Component`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Nothing sent yet: [`Component::start`] opens the stream.
    Idle,
    /// The header was sent; waiting for the server's (with the stream id).
    AwaitingHeader,
    /// The handshake was sent; waiting for the server's answer.
    AwaitingResult,
    /// Authenticated: stanzas flow, and every later input is the caller's.
    Ready,
    /// The negotiation failed ([`Event::Failed`]); the stream is closed.
    Failed,
}

/// What happened, for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The server accepted the handshake: send and receive stanzas (in
    /// `jabber:component:accept`, with `from` and `to` on every one).
    Authenticated,
    /// The negotiation failed.
    Failed(Failure),
}

/// The component's end of XEP-0114 `jabber:component:accept`.
///
/// Input: [`handle_stream_event`](Self::handle_stream_event) with each
/// event of the caller's stream reader, and
/// [`handle_timeout`](Self::handle_timeout); command:
/// [`start`](Self::start). Output: [`poll_transmit`](Self::poll_transmit),
/// [`poll_event`](Self::poll_event), [`poll_timeout`](Self::poll_timeout).
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract").
#[derive(Debug, Clone)]
pub struct Component {
    config: Config,
    state: State,
    out: Outbox<Event>,
}

impl Component {
    /// A component that has sent nothing yet.
    pub fn new(config: Config) -> Self {
        Component {
            config,
            state: State::Idle,
            out: Outbox::new(),
        }
    }

    /// Where the negotiation stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The component's name.
    pub fn name(&self) -> &Jid {
        &self.config.name
    }

    /// Opens the stream: queues the header, addressed to the component's
    /// name, and starts the timeout.
    pub fn start(&mut self, now: Instant) -> Result<(), crate::Error<State>> {
        if self.state != State::Idle {
            return Err(crate::Error::WrongState {
                action: "start",
                state: self.state,
            });
        }
        let name = Some(self.config.name.clone());
        let (to, from) = match self.config.method {
            Method::Accept => (name, None),
            Method::Connect => (None, name),
        };
        self.out.transmit.push_back(Transmit::Header(StreamHeader {
            to,
            from,
            content: self.config.method.ns(),
            ..Default::default()
        }));
        self.out.deadline = deadline(now, self.config.timeout);
        self.state = State::AwaitingHeader;
        Ok(())
    }

    /// One event of the stream from the server. `false` when it is not the
    /// machine's: before [`start`](Self::start), and once the negotiation
    /// ended (stanzas after success are the caller's).
    pub fn handle_stream_event(&mut self, _now: Instant, event: &StreamEvent) -> bool {
        if matches!(self.state, State::Idle | State::Ready | State::Failed) {
            return false;
        }
        if let Some(f) = crate::ending(event, self.state == State::AwaitingHeader) {
            self.fail(f);
            return true;
        }
        match event {
            StreamEvent::Header(h) => self.header(h),
            StreamEvent::Element(p) => {
                if self.state == State::AwaitingResult
                    && let Some(Ok(h)) = p.get::<Handshake>()
                    && h.method() == self.config.method
                {
                    // Success is the empty element; a server that puts
                    // text in it still means success.
                    self.state = State::Ready;
                    self.out.deadline = None;
                    self.out.events.push_back(Event::Authenticated);
                } else {
                    self.fail(Failure::Sent(StreamError::new(
                        StreamCondition::UnsupportedStanzaType,
                        Some("only <handshake/> is expected before authentication"),
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
                    Method::Accept => "the stream must be in jabber:component:accept",
                    Method::Connect => "the stream must be in jabber:component:connect",
                }),
            )));
        }
        let Some(id) = h.id.as_deref().filter(|id| !id.is_empty()) else {
            return self.fail(Failure::Sent(StreamError::new(
                StreamCondition::UndefinedCondition,
                Some("the server's stream header has no id to hash"),
            )));
        };
        let digest = handshake_digest(id, &self.config.secret);
        self.out.transmit.push_back(Transmit::Handshake(
            Handshake::with_digest(digest).in_method(self.config.method),
        ));
        self.state = State::AwaitingResult;
    }

    fn fail(&mut self, failure: Failure) {
        self.state = State::Failed;
        self.out.fail(failure, Event::Failed);
    }

    crate::outputs!(Event);
}
