//! Sans-IO stream negotiation: what happens on a stream between its
//! header and the first stanza.
//!
//! - [`client`]: RFC 6120 client negotiation: STARTTLS, SASL (mechanism
//!   choice, channel binding and downgrade protection from `xep-sasl`),
//!   the stream restarts and resource binding, ending with the bound JID;
//!   or XEP-0388 SASL2 when the server offers it (no restart), with
//!   XEP-0386 Bind 2 binding the resource in the same request, XEP-0484
//!   FAST (authentication with a token, falling back to the password
//!   when refused; tokens asked for and raised for storage), and a
//!   success believed only for the account asked.
//! - [`server`]: the receiving entity of the same negotiation (features
//!   per stage, `xep-sasl`'s server mechanisms with the credentials and
//!   the resource asked of the caller; SASL2, Bind 2 and FAST when
//!   configured, the user's tokens and new ones asked of the caller too),
//!   ending with the authenticated and the bound JID.
//! - [`component`]: the external component's end of XEP-0114's
//!   `jabber:component:accept` protocol (stream header, `<handshake/>`
//!   with the SHA-1 of stream id and secret, the empty `<handshake/>` of
//!   success), and [`component_server`], the server's end that accepts it.
//! - [`initiator`] and [`receiver`]: server-to-server negotiation, both
//!   ends: STARTTLS, XEP-0288 bidirectionality, SASL EXTERNAL (XEP-0178)
//!   or XEP-0220 dialback (keys by XEP-0185, [`dialback_key`]), the
//!   `<db:verify/>` round trip with an authoritative server, and XEP-0478
//!   limits; the elements ([`DialbackResult`], [`DialbackVerify`],
//!   [`DialbackFeature`], [`Bidi`], [`BidiFeature`], [`Limits`]) are
//!   re-exported here.
//!
//! The machines follow the workspace's state-machine contract
//! (ARCHITECTURE.md, "State machines: the one contract"): each input takes
//! `now` first and a [`StreamEvent`] from the
//! caller's [`StreamReader`](xep_core::StreamReader)
//! (`handle_stream_event`, `true` when it was the machine's); commands
//! return [`Error::WrongState`] on misuse, with nothing sent; output is
//! drained with `poll_transmit` ([`Transmit`]: what to write, in order),
//! `poll_event` and `poll_timeout`/`handle_timeout` (the negotiation
//! timeout). A peer's fault is never an `Err`: the machine queues the
//! stream error and the close, and reports [`Failure`] in its `Event`.
//! No crate here reads a clock, draws random numbers or does I/O: the
//! stream id a server hands out comes from the caller.
//!
//! ```
//! use std::time::Instant;
//! use xep_core::{StreamEvent, StreamHeader};
//! use xep_negotiation::{Transmit, component, component_server};
//!
//! let now = Instant::now();
//! let name: xep_element::jid::Jid = "gateway.example.org".parse().unwrap();
//! let mut c = component::Component::new(component::Config::new(name.clone(), "s3cr3t"));
//! let mut s = component_server::ComponentServer::new(component_server::Config::new("x1y2z3"));
//! c.start(now).unwrap();
//!
//! // Carry everything each end writes to the other, as a stream reader would.
//! fn carry(from: Option<Transmit>) -> Option<StreamEvent> {
//!     Some(match from? {
//!         Transmit::Header(h) => StreamEvent::Header(h),
//!         Transmit::Close => StreamEvent::End,
//!         other => StreamEvent::Element(other.into_payload().unwrap()),
//!     })
//! }
//! while let Some(e) = carry(c.poll_transmit()) { s.handle_stream_event(now, &e); }
//! // The server looks the component up by the name it asked for.
//! let Some(component_server::Event::NameRequested { name: asked }) = s.poll_event() else { panic!() };
//! assert_eq!(asked, name);
//! s.accept(now, "s3cr3t").unwrap();
//! while let Some(e) = carry(s.poll_transmit()) { c.handle_stream_event(now, &e); }
//! while let Some(e) = carry(c.poll_transmit()) { s.handle_stream_event(now, &e); }
//! while let Some(e) = carry(s.poll_transmit()) { c.handle_stream_event(now, &e); }
//! assert_eq!(c.poll_event(), Some(component::Event::Authenticated));
//! assert_eq!(c.state(), component::State::Ready);
//! assert_eq!(s.state(), component_server::State::Ready);
//! ```
//!
//! Server dialback between two servers (in the clear here; TLS is the
//! default), the receiving end checking the key with the shared secret:
//!
//! ```
//! use std::time::Instant;
//! use xep_core::StreamEvent;
//! use xep_negotiation::{Transmit, initiator, receiver, verify_dialback_key};
//! # fn carry(from: Option<Transmit>) -> Option<StreamEvent> {
//! #     Some(match from? {
//! #         Transmit::Header(h) => StreamEvent::Header(h),
//! #         Transmit::Close => StreamEvent::End,
//! #         other => StreamEvent::Element(other.into_payload().unwrap()),
//! #     })
//! # }
//! let now = Instant::now();
//! let (orchard, vineyard) = ("orchard.example".parse().unwrap(), "vineyard.example".parse().unwrap());
//! let mut i = initiator::Initiator::new(initiator::Config {
//!     tls: xep_negotiation::client::TlsPolicy::Never,
//!     ..initiator::Config::new(orchard, vineyard, Some("s3cr3t".into()))
//! });
//! let mut r = receiver::Receiver::new(receiver::Config {
//!     tls: xep_negotiation::server::TlsOffer::Never,
//!     ..receiver::Config::new("vineyard.example".parse().unwrap(), "id-1")
//! });
//! i.start(now).unwrap();
//! r.start(now).unwrap();
//! for _ in 0..3 {
//!     while let Some(e) = carry(i.poll_transmit()) { r.handle_stream_event(now, &e); }
//!     while let Some(e) = r.poll_event() {
//!         if let receiver::Event::DialbackRequested { request, stream_id } = e {
//!             let (to, from) = (request.to.to_string(), request.from.to_string());
//!             let ok = verify_dialback_key(request.key().unwrap(), "s3cr3t", &to, &from, &stream_id);
//!             let answer = if ok { receiver::DialbackAnswer::Valid } else { receiver::DialbackAnswer::Invalid };
//!             r.answer_dialback(now, answer).unwrap();
//!         }
//!     }
//!     while let Some(e) = carry(r.poll_transmit()) { i.handle_stream_event(now, &e); }
//! }
//! assert_eq!(i.state(), initiator::State::Ready);
//! assert_eq!(r.state(), receiver::State::Ready);
//! ```

#![warn(missing_docs)]

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use xep_core::{
    Abort, Auth, Challenge, Features, Proceed, Response, SaslFailure, StartTls, Success,
};
use xep_core::{
    Iq, StanzaError, StreamCondition, StreamError, StreamEvent, StreamHeader, StreamWriter,
};
use xep_element::Payload;
use xep_element::jid::{BareJid, Jid};

/// The output half of the state-machine contract, the same on every
/// machine here (each keeps an [`Outbox`] in `out` and has
/// `fn fail(&mut self, Failure)`).
macro_rules! outputs {
    ($event:ty) => {
        /// When [`handle_timeout`](Self::handle_timeout) is due.
        pub fn poll_timeout(&self) -> Option<std::time::Instant> {
            self.out.deadline
        }

        /// Ends the negotiation with [`Failure::TimedOut`](crate::Failure::TimedOut)
        /// once the deadline passed.
        pub fn handle_timeout(&mut self, now: std::time::Instant) {
            if self.out.is_due(now) {
                self.fail(crate::Failure::TimedOut);
            }
        }

        /// The next thing to write.
        pub fn poll_transmit(&mut self) -> Option<crate::Transmit> {
            self.out.transmit.pop_front()
        }

        /// The next event.
        pub fn poll_event(&mut self) -> Option<$event> {
            self.out.events.pop_front()
        }
    };
}
pub(crate) use outputs;

pub mod client;
pub mod component;
pub mod component_server;
pub mod initiator;
pub mod multiplex;
pub mod receiver;
pub mod run_loop;
mod s2s;
pub mod server;
#[cfg(any(test, feature = "sim"))]
pub mod sim;

pub use component::{AcceptHandshake, ConnectHandshake, Handshake};
pub use s2s::{
    Bidi, BidiFeature, DialbackFeature, DialbackResult, DialbackType, DialbackVerify, Limits,
    NS_BIDI, NS_BIDI_FEATURE, NS_DIALBACK, NS_DIALBACK_FEATURE, NS_LIMITS, dialback_key,
    verify_dialback_key,
};

xep_element::elements! {
    "XEP-0114" => [component::AcceptHandshake, component::ConnectHandshake],
    "XEP-0220" => [s2s::DialbackResult, s2s::DialbackVerify, s2s::DialbackFeature],
    "XEP-0288" => [s2s::Bidi, s2s::BidiFeature],
    "XEP-0478" => [s2s::Limits],
}

/// What to write to the stream, in order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Transmit {
    /// Open the stream (or answer the peer's header) with this header.
    Header(StreamHeader),
    /// XEP-0114's `<handshake/>`: the digest from a component, empty from
    /// the server for success.
    Handshake(Handshake),
    /// A stream error; [`Transmit::Close`] follows.
    StreamError(StreamError),
    /// RFC 6120's `<starttls/>` request.
    StartTls(StartTls),
    /// A SASL `<auth/>`.
    Auth(Auth),
    /// A SASL `<response/>`.
    Response(Response),
    /// A SASL `<abort/>`.
    Abort(Abort),
    /// An iq (resource binding).
    Iq(Iq),
    /// Server: `<stream:features/>`.
    Features(Features),
    /// Server: `<proceed/>`; TLS starts after it.
    Proceed(Proceed),
    /// Server: a SASL `<challenge/>`.
    Challenge(Challenge),
    /// Server: SASL `<success/>`; the stream restarts after it.
    Success(Success),
    /// Server: a SASL `<failure/>`.
    SaslFailure(SaslFailure),
    /// XEP-0388: the client's `<authenticate/>` (SASL2).
    Authenticate(xep_sasl::sasl2::Authenticate),
    /// XEP-0388: a SASL2 `<response/>`.
    Sasl2Response(xep_sasl::sasl2::Response),
    /// XEP-0388: a SASL2 `<abort/>`.
    Sasl2Abort(xep_sasl::sasl2::Abort),
    /// Server, XEP-0388: a SASL2 `<challenge/>`.
    Sasl2Challenge(xep_sasl::sasl2::Challenge),
    /// Server, XEP-0388: SASL2 `<success/>` (no stream restart; the
    /// features follow).
    Sasl2Success(xep_sasl::sasl2::Success),
    /// Server, XEP-0388: a SASL2 `<failure/>`.
    Sasl2Failure(xep_sasl::sasl2::Failure),
    /// Server, XEP-0388: `<continue/>`, authenticated with tasks to run
    /// (XEP-0480's upgrades).
    Sasl2Continue(xep_sasl::sasl2::Continue),
    /// Client, XEP-0388: `<next/>`, starting a task.
    Sasl2Next(xep_sasl::sasl2::Next),
    /// XEP-0388: a task's `<task-data/>`, either way.
    Sasl2TaskData(xep_sasl::sasl2::TaskData),
    /// XEP-0220: a `<db:result/>` (a key, or the answer to one).
    DialbackResult(DialbackResult),
    /// XEP-0220: a `<db:verify/>` (a request to the authoritative server,
    /// or its answer).
    DialbackVerify(DialbackVerify),
    /// XEP-0288: the initiating server's `<bidi/>`.
    Bidi(Bidi),
    /// Close the stream (`</stream:stream>`), then the transport once the
    /// peer closed its stream or after a grace period (RFC 6120 §4.4).
    Close,
}

impl Transmit {
    /// The bytes to write, through the stream's writer (a header makes its
    /// content namespace the writer's).
    pub fn to_bytes(&self, writer: &mut StreamWriter) -> Vec<u8> {
        match self {
            Transmit::Header(h) => writer.header(h),
            Transmit::Handshake(h) => writer.element(h),
            Transmit::StreamError(e) => writer.element(e),
            Transmit::StartTls(e) => writer.element(e),
            Transmit::Auth(e) => writer.element(e),
            Transmit::Response(e) => writer.element(e),
            Transmit::Abort(e) => writer.element(e),
            Transmit::Iq(e) => writer.element(e),
            Transmit::Features(e) => writer.element(e),
            Transmit::Proceed(e) => writer.element(e),
            Transmit::Challenge(e) => writer.element(e),
            Transmit::Success(e) => writer.element(e),
            Transmit::SaslFailure(e) => writer.element(e),
            Transmit::Authenticate(e) => writer.element(e),
            Transmit::Sasl2Response(e) => writer.element(e),
            Transmit::Sasl2Abort(e) => writer.element(e),
            Transmit::Sasl2Challenge(e) => writer.element(e),
            Transmit::Sasl2Success(e) => writer.element(e),
            Transmit::Sasl2Failure(e) => writer.element(e),
            Transmit::Sasl2Continue(e) => writer.element(e),
            Transmit::Sasl2Next(e) => writer.element(e),
            Transmit::Sasl2TaskData(e) => writer.element(e),
            Transmit::DialbackResult(e) => writer.element(e),
            Transmit::DialbackVerify(e) => writer.element(e),
            Transmit::Bidi(e) => writer.element(e),
            Transmit::Close => writer.close().to_vec(),
        }
    }

    /// The element to write, as a typed payload (`None` for a header or the
    /// close, which are not elements).
    pub fn into_payload(self) -> Option<Payload> {
        match self {
            Transmit::Handshake(h) => Some(Payload::new(h)),
            Transmit::StreamError(e) => Some(Payload::new(e)),
            Transmit::StartTls(e) => Some(Payload::new(e)),
            Transmit::Auth(e) => Some(Payload::new(e)),
            Transmit::Response(e) => Some(Payload::new(e)),
            Transmit::Abort(e) => Some(Payload::new(e)),
            Transmit::Iq(e) => Some(Payload::new(e)),
            Transmit::Features(e) => Some(Payload::new(e)),
            Transmit::Proceed(e) => Some(Payload::new(e)),
            Transmit::Challenge(e) => Some(Payload::new(e)),
            Transmit::Success(e) => Some(Payload::new(e)),
            Transmit::SaslFailure(e) => Some(Payload::new(e)),
            Transmit::Authenticate(e) => Some(Payload::new(e)),
            Transmit::Sasl2Response(e) => Some(Payload::new(e)),
            Transmit::Sasl2Abort(e) => Some(Payload::new(e)),
            Transmit::Sasl2Challenge(e) => Some(Payload::new(e)),
            Transmit::Sasl2Success(e) => Some(Payload::new(e)),
            Transmit::Sasl2Failure(e) => Some(Payload::new(e)),
            Transmit::Sasl2Continue(e) => Some(Payload::new(e)),
            Transmit::Sasl2Next(e) => Some(Payload::new(e)),
            Transmit::Sasl2TaskData(e) => Some(Payload::new(e)),
            Transmit::DialbackResult(e) => Some(Payload::new(e)),
            Transmit::DialbackVerify(e) => Some(Payload::new(e)),
            Transmit::Bidi(e) => Some(Payload::new(e)),
            Transmit::Header(_) | Transmit::Close => None,
        }
    }
}

/// Why a negotiation ended without success: the peer's fault, its
/// refusal, or an offer this end's configuration cannot accept (TLS, the
/// mechanisms); never the caller's misuse, which is [`Error`].
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The peer ended the stream with this error (`not-authorized` for a
    /// wrong handshake, `host-unknown` or `conflict` for a component name
    /// the server will not serve, ...).
    Received(StreamError),
    /// This end refused the peer or found it breaking the protocol: this
    /// stream error was queued, and the close after it
    /// (`not-authorized` for a wrong handshake, `invalid-namespace` for a
    /// header in another namespace, `policy-violation` from a server
    /// whose SASL attempts are spent, ...).
    Sent(StreamError),
    /// The peer closed its stream before the negotiation ended.
    Closed,
    /// The negotiation did not end within the configured timeout;
    /// `connection-timeout` was queued, and the close.
    TimedOut,
    /// Client: TLS is required (by the configuration) and the server does
    /// not offer STARTTLS; the close was queued.
    TlsUnavailable,
    /// Client: the server requires STARTTLS and the configuration forbids
    /// it; the close was queued.
    TlsRequiredByServer,
    /// Client: the server answered `<starttls/>` with `<failure/>` (and
    /// closes the stream).
    TlsFailed,
    /// Client: no offered mechanism is acceptable ([`xep_sasl::select`]'s
    /// reason: none in common, or a stripped channel-binding offer).
    NoMechanism(xep_sasl::SelectError),
    /// Client: the server refused authentication (its `<failure/>`, with
    /// the condition and text; a SASL2 `<failure/>` gives the same, its
    /// application-specific conditions left out).
    Sasl(SaslFailure),
    /// Client: the SASL2 exchange succeeded but the server asks for tasks
    /// (`<continue/>`) and none is implemented: `<abort/>` was sent, and
    /// the close. The names are the server's tasks.
    Sasl2Tasks(Vec<String>),
    /// Client: the server's SASL2 `<success/>` names another account than
    /// the one asked (a different bare JID), or a full JID without a Bind 2
    /// request: not believed; the close was queued.
    AuthorizationMismatch {
        /// The account asked for (`None` when the username and domain
        /// make no JID, so no identifier can be believed).
        expected: Option<BareJid>,
        /// The authorization identifier the server sent.
        received: Jid,
    },
    /// Client: the server's SASL data broke the mechanism (a wrong SCRAM
    /// server signature, a detected downgrade, ...): `<abort/>` was sent
    /// if the exchange was open, and the close.
    SaslPeer(xep_sasl::PeerError),
    /// Client: a feature the negotiation needs was not offered (`bind`
    /// after authentication, `mechanisms` before); the close was queued.
    FeatureMissing(&'static str),
    /// Client: the server refused resource binding (`conflict`,
    /// `not-allowed`, `resource-constraint`, ...); the close was queued.
    Bind(StanzaError),
    /// Client: the server refused the legacy session (RFC 3921 §3) it
    /// announced as mandatory; the close was queued.
    Session(Box<StanzaError>),
    /// Server-to-server (XEP-0220): the dialback key was found invalid
    /// (the initiating server received `type='invalid'`; the receiving
    /// server's caller refused the key and `type='invalid'` was sent); the
    /// close was queued.
    DialbackInvalid,
    /// Initiating server (XEP-0220 §2.4): the receiving server answered
    /// the key with a dialback error (`type='error'`, this condition);
    /// not fatal to the stream in the XEP, but this negotiation has
    /// nothing else to try: the close was queued. (Boxed: the enum
    /// stays small.)
    Dialback(Box<StanzaError>),
}

/// The caller's misuse of a machine: the command is not possible in this
/// state, and nothing was sent. `S` is the machine's state type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error<S> {
    /// `action` was refused in `state`.
    WrongState {
        /// The command refused.
        action: &'static str,
        /// The machine's state.
        state: S,
    },
    /// `action` was refused for its argument (`reason`).
    Refused {
        /// The command refused.
        action: &'static str,
        /// What is wrong with the argument.
        reason: &'static str,
    },
}

impl<S: fmt::Debug> fmt::Display for Error<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::WrongState { action, state } => write!(f, "cannot {action} in state {state:?}"),
            Error::Refused { action, reason } => write!(f, "cannot {action}: {reason}"),
        }
    }
}

impl<S: fmt::Debug> std::error::Error for Error<S> {}

/// What every machine of the crate keeps for its caller: the transmits and
/// events to poll, and the negotiation's one deadline.
#[derive(Debug, Clone)]
struct Outbox<E> {
    deadline: Option<Instant>,
    transmit: VecDeque<Transmit>,
    events: VecDeque<E>,
}

impl<E> Outbox<E> {
    fn new() -> Self {
        Outbox {
            deadline: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Whether the deadline passed at `now`.
    fn is_due(&self, now: Instant) -> bool {
        self.deadline.is_some_and(|d| d <= now)
    }

    /// Ends the negotiation for `failure`: queues the stream error this
    /// end sends (if any) and the close, drops the deadline and reports
    /// the failure as the event `failed` makes of it.
    fn fail(&mut self, failure: Failure, failed: fn(Failure) -> E) {
        match &failure {
            Failure::Sent(e) => self.transmit.push_back(Transmit::StreamError(e.clone())),
            Failure::TimedOut => self
                .transmit
                .push_back(Transmit::StreamError(StreamError::new(
                    StreamCondition::ConnectionTimeout,
                    None,
                ))),
            // The peer's error or close, or a client's refusal: the close.
            _ => {}
        }
        self.transmit.push_back(Transmit::Close);
        self.deadline = None;
        self.events.push_back(failed(failure));
    }
}

/// What ends a negotiation in any state: the peer's close, its stream
/// error, a malformed element, or a header where none is expected (unless
/// `header_expected`).
fn ending(event: &StreamEvent, header_expected: bool) -> Option<Failure> {
    let broken = |text: &str| {
        Some(Failure::Sent(StreamError::new(
            StreamCondition::BadFormat,
            Some(text),
        )))
    };
    match event {
        StreamEvent::End => Some(Failure::Closed),
        StreamEvent::Rejected { error, .. } => broken(&error.to_string()),
        StreamEvent::Header(_) if !header_expected => broken("an unexpected stream header"),
        StreamEvent::Element(p) => match p.get::<StreamError>() {
            Some(Ok(e)) => Some(Failure::Received(e)),
            _ => None,
        },
        StreamEvent::Header(_) => None,
    }
}

/// A deadline `d` after `now`; none when the clock cannot represent it.
fn deadline(now: Instant, d: Option<Duration>) -> Option<Instant> {
    d.and_then(|d| now.checked_add(d))
}

#[cfg(test)]
mod s2s_tests;
#[cfg(test)]
mod tests;
