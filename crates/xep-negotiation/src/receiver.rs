//! Server-to-server negotiation, the receiving server's end: [`Receiver`]
//! answers an initiating server's `jabber:server` header (declaring
//! XEP-0220's `db:` prefix), offers STARTTLS, then SASL EXTERNAL
//! (XEP-0178) when the caller says the peer's certificate authenticates
//! the domain it names ([`Event::CertificateCheck`]), XEP-0220 dialback
//! with error handling, XEP-0288 bidirectionality and XEP-0478 limits.
//!
//! A `<db:result/>` key is the caller's to check
//! ([`Event::DialbackRequested`]: with [`verify_dialback_key`] when it
//! holds the sender domain's secret, or by asking the authoritative
//! server with an [`Initiator`](crate::initiator::Initiator)'s
//! `send_verify`); [`Receiver::answer_dialback`] sends the answer. The
//! same machine serves the authoritative server's side:
//! a `<db:verify/>` is [`Event::VerifyRequested`], answered with
//! [`Receiver::answer_verify`].
//!
//! After `Ready` the stream is the caller's: more domain pairs on it
//! (XEP-0220 multiplexing) with [`multiplex::Incoming`](crate::multiplex::Incoming),
//! which also says which stanzas to believe (their domains an authorized
//! pair).
//!
//! After `Ready` the machine still takes `<db:verify/>` requests (the
//! authoritative server's part goes on for the stream's life). Not
//! covered: the `<db:result/>` requests a bidirectional peer may send
//! after `Ready` (the caller's, like every other input then).
//!
//! [`verify_dialback_key`]: crate::verify_dialback_key

use std::time::{Duration, Instant};

use xep_core::{
    Auth, ContentNs, DefinedCondition, ErrorType, Features, Mechanisms, Proceed, SaslCondition,
    SaslFailure, StanzaError, StartTls, StreamCondition, StreamError, StreamEvent, StreamHeader,
    Success,
};
use xep_element::Payload;
use xep_element::jid::Jid;

use crate::component::DEFAULT_TIMEOUT;
pub use crate::initiator::Authentication;
use crate::s2s::{Bidi, BidiFeature, DialbackFeature, DialbackResult, DialbackVerify, Limits};
use crate::server::TlsOffer;
use crate::{Failure, Outbox, Transmit, deadline};

/// What a [`Receiver`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// This server's domain: the `to` the initiating server must name.
    pub domain: Jid,
    /// The id of the first stream: unique and unpredictable, from the
    /// caller's random number generator (it keys dialback). The streams
    /// after a restart get `{stream_id}.2`, `{stream_id}.3`.
    pub stream_id: String,
    /// How STARTTLS is offered. Default [`TlsOffer::Required`] (no
    /// dialback before TLS either).
    pub tls: TlsOffer,
    /// Whether the transport is already TLS (XEP-0368 direct TLS).
    pub tls_at_start: bool,
    /// Offer SASL EXTERNAL (XEP-0178) when the caller confirms the peer's
    /// certificate (default `true`).
    pub external: bool,
    /// Offer dialback (XEP-0220: the `db:` declaration and the feature
    /// with `<errors/>`; default `true`).
    pub dialback: bool,
    /// Offer XEP-0288 bidirectionality (default `true`).
    pub bidi: bool,
    /// The limits announced (XEP-0478); default none.
    pub limits: Option<Limits>,
    /// How long the whole negotiation may take, from [`Receiver::start`];
    /// `None` for no limit. Default [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
}

impl Config {
    /// A receiving server of `domain`, STARTTLS required, EXTERNAL,
    /// dialback and bidi offered.
    pub fn new(domain: Jid, stream_id: impl Into<String>) -> Self {
        Config {
            domain,
            stream_id: stream_id.into(),
            tls: TlsOffer::Required,
            tls_at_start: false,
            external: true,
            dialback: true,
            bidi: true,
            limits: None,
            timeout: Some(DEFAULT_TIMEOUT),
        }
    }
}

/// Where a [`Receiver`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not started: [`Receiver::start`] arms the timeout.
    Idle,
    /// Waiting for the peer's stream header (the first, or a restart).
    AwaitingHeader,
    /// [`Event::CertificateCheck`]: the caller calls
    /// [`Receiver::certificate`].
    AwaitingCertificate,
    /// The features were sent; waiting for a request.
    AwaitingRequest,
    /// `<proceed/>` was sent ([`Event::StartTls`]): the caller upgrades
    /// the transport and calls [`Receiver::tls_established`].
    TlsHandshake,
    /// [`Event::DialbackRequested`]: the caller calls
    /// [`Receiver::answer_dialback`].
    AwaitingDialback,
    /// Negotiated ([`Event::Ready`]): every later input is the caller's.
    Ready,
    /// Failed ([`Event::Failed`]); the stream is closed.
    Failed,
}

/// The end of a successful negotiation.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    /// The peer's domain, authenticated.
    pub from: Jid,
    /// This server's domain.
    pub to: Jid,
    /// How.
    pub authentication: Authentication,
    /// Whether the stream is encrypted.
    pub tls: bool,
    /// Whether the peer enabled XEP-0288 bidirectionality.
    pub bidi: bool,
    /// The limits the peer sent inside `<bidi/>` (XEP-0478 §2.2).
    pub limits: Option<Limits>,
}

/// The caller's verdict on a dialback key.
#[derive(Debug, Clone, PartialEq)]
pub enum DialbackAnswer {
    /// The key is right: `type='valid'`.
    Valid,
    /// The key is wrong: `type='invalid'`.
    Invalid,
    /// It could not be checked: `type='error'` with this condition
    /// (XEP-0220 §2.4: `remote-server-not-found`, `remote-server-timeout`,
    /// ...).
    Error(StanzaError),
}

/// What happened, for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `<proceed/>` is queued: write it, start TLS (asking for the peer's
    /// certificate), then call [`Receiver::tls_established`]. Use a new
    /// stream reader for the encrypted stream.
    StartTls,
    /// Does the peer's certificate authenticate `domain` (RFC 6125)? Call
    /// [`Receiver::certificate`]: yes offers SASL EXTERNAL.
    CertificateCheck {
        /// The domain the peer's header names.
        domain: Jid,
    },
    /// SASL EXTERNAL succeeded (`<success/>` is queued) and the stream
    /// restarts: call
    /// [`StreamReader::restart`](xep_core::StreamReader::restart).
    StreamRestart,
    /// The peer presents a dialback key: check it and call
    /// [`Receiver::answer_dialback`].
    DialbackRequested {
        /// The `<db:result/>` (sender domain `from`, target `to`, the key).
        request: DialbackResult,
        /// The id of the stream the key is for (this server's).
        stream_id: String,
    },
    /// As the authoritative server: is this key right? Call
    /// [`Receiver::answer_verify`].
    VerifyRequested(DialbackVerify),
    /// Negotiated.
    Ready(Box<Ready>),
    /// The negotiation failed.
    Failed(Failure),
}

/// Per-phase data.
#[derive(Debug, Clone)]
enum Phase {
    Idle,
    AwaitingHeader,
    AwaitingCertificate,
    /// Whether EXTERNAL was offered.
    AwaitingRequest {
        external: bool,
    },
    TlsHandshake,
    AwaitingDialback {
        request: Box<DialbackResult>,
        external: bool,
    },
    Ready,
    Failed,
}

/// The receiving server's end of s2s negotiation (RFC 6120, XEP-0178,
/// XEP-0220, XEP-0288, XEP-0478).
///
/// Input: [`handle_stream_event`](Self::handle_stream_event) with each
/// event of the caller's stream reader, and
/// [`handle_timeout`](Self::handle_timeout); commands:
/// [`start`](Self::start), [`tls_established`](Self::tls_established),
/// [`certificate`](Self::certificate),
/// [`answer_dialback`](Self::answer_dialback),
/// [`answer_verify`](Self::answer_verify). Output:
/// [`poll_transmit`](Self::poll_transmit), [`poll_event`](Self::poll_event),
/// [`poll_timeout`](Self::poll_timeout). It follows the workspace's
/// state-machine contract (ARCHITECTURE.md, "State machines: the one
/// contract").
#[derive(Debug)]
pub struct Receiver {
    config: Config,
    phase: Phase,
    tls: bool,
    streams: u32,
    /// The domain the peer's header names.
    peer: Option<Jid>,
    bidi: bool,
    peer_limits: Option<Limits>,
    /// SASL EXTERNAL succeeded.
    authenticated: bool,
    /// `<db:verify/>` requests, until answered.
    verifies: Vec<DialbackVerify>,
    out: Outbox<Event>,
}

impl Receiver {
    /// A receiving server that has received nothing yet.
    pub fn new(config: Config) -> Self {
        Receiver {
            tls: config.tls_at_start,
            config,
            phase: Phase::Idle,
            streams: 0,
            peer: None,
            bidi: false,
            peer_limits: None,
            authenticated: false,
            verifies: Vec::new(),
            out: Outbox::new(),
        }
    }

    /// Where the negotiation stands.
    pub fn state(&self) -> State {
        match self.phase {
            Phase::Idle => State::Idle,
            Phase::AwaitingHeader => State::AwaitingHeader,
            Phase::AwaitingCertificate => State::AwaitingCertificate,
            Phase::AwaitingRequest { .. } => State::AwaitingRequest,
            Phase::TlsHandshake => State::TlsHandshake,
            Phase::AwaitingDialback { .. } => State::AwaitingDialback,
            Phase::Ready => State::Ready,
            Phase::Failed => State::Failed,
        }
    }

    fn wrong(&self, action: &'static str) -> crate::Error<State> {
        crate::Error::WrongState {
            action,
            state: self.state(),
        }
    }

    /// The connection is open: waits for the peer's header and starts the
    /// timeout.
    pub fn start(&mut self, now: Instant) -> Result<(), crate::Error<State>> {
        if !matches!(self.phase, Phase::Idle) {
            return Err(self.wrong("start"));
        }
        self.out.deadline = deadline(now, self.config.timeout);
        self.phase = Phase::AwaitingHeader;
        Ok(())
    }

    /// The transport is now TLS (after [`Event::StartTls`]); waits for the
    /// peer's new header.
    pub fn tls_established(&mut self, _now: Instant) -> Result<(), crate::Error<State>> {
        if !matches!(self.phase, Phase::TlsHandshake) {
            return Err(self.wrong("tls_established"));
        }
        self.tls = true;
        self.phase = Phase::AwaitingHeader;
        Ok(())
    }

    /// After [`Event::CertificateCheck`]: whether the peer's certificate
    /// authenticates the domain; the features follow (with EXTERNAL when
    /// it does).
    pub fn certificate(
        &mut self,
        _now: Instant,
        authenticates: bool,
    ) -> Result<(), crate::Error<State>> {
        if !matches!(self.phase, Phase::AwaitingCertificate) {
            return Err(self.wrong("certificate"));
        }
        self.features(authenticates);
        Ok(())
    }

    /// After [`Event::DialbackRequested`]: queues the `<db:result/>`
    /// answer. [`DialbackAnswer::Valid`] ends the negotiation
    /// ([`Event::Ready`]); `Invalid` closes the stream
    /// ([`Failure::DialbackInvalid`], XEP-0220 §2.2.1); `Error` leaves it
    /// open for another attempt.
    pub fn answer_dialback(
        &mut self,
        _now: Instant,
        answer: DialbackAnswer,
    ) -> Result<(), crate::Error<State>> {
        let Phase::AwaitingDialback { request, external } = &self.phase else {
            return Err(self.wrong("answer_dialback"));
        };
        let (request, external) = (DialbackResult::clone(request), *external);
        match answer {
            DialbackAnswer::Valid => {
                self.send_result(DialbackResult::answer(&request, true));
                self.ready(request.from, Authentication::Dialback);
            }
            DialbackAnswer::Invalid => {
                self.send_result(DialbackResult::answer(&request, false));
                self.fail(Failure::DialbackInvalid);
            }
            DialbackAnswer::Error(e) => {
                self.send_result(DialbackResult::error(&request, e));
                self.phase = Phase::AwaitingRequest { external };
            }
        }
        Ok(())
    }

    /// After [`Event::VerifyRequested`]: queues the `<db:verify/>` answer
    /// to `request` (from and to swapped, the id kept). Possible until the
    /// stream ends (after [`Event::Ready`] too); `WrongState` for a request
    /// not received or already answered.
    pub fn answer_verify(
        &mut self,
        _now: Instant,
        request: &DialbackVerify,
        answer: DialbackAnswer,
    ) -> Result<(), crate::Error<State>> {
        let pending = self.verifies.iter().position(|v| v == request);
        let (Some(i), false) = (pending, matches!(self.phase, Phase::Failed)) else {
            return Err(self.wrong("answer_verify"));
        };
        let request = self.verifies.remove(i);
        let reply = match answer {
            DialbackAnswer::Valid => DialbackVerify::answer(&request, true),
            DialbackAnswer::Invalid => DialbackVerify::answer(&request, false),
            DialbackAnswer::Error(e) => DialbackVerify::error(&request, e),
        };
        self.out.transmit.push_back(Transmit::DialbackVerify(reply));
        Ok(())
    }

    /// One event of the stream from the peer. `false` when it is not the
    /// machine's: before [`start`](Self::start), once failed, and once
    /// ready but for `<db:verify/>` requests (as the authoritative server,
    /// on a stream already authenticated: a server sends them on the
    /// stream it has, as Prosody does once its own dialback succeeded).
    pub fn handle_stream_event(&mut self, _now: Instant, event: &StreamEvent) -> bool {
        if let (Phase::Ready, StreamEvent::Element(p)) = (&self.phase, event)
            && let Some(Ok(v)) = p.get::<DialbackVerify>()
            && v.type_.is_none()
            && v.key().is_some()
        {
            self.verify_requested(v);
            return true;
        }
        if matches!(self.phase, Phase::Idle | Phase::Ready | Phase::Failed) {
            return false;
        }
        let awaiting_header = matches!(self.phase, Phase::AwaitingHeader);
        if let Some(f) = crate::ending(event, awaiting_header) {
            self.fail(f);
            return true;
        }
        match event {
            StreamEvent::Header(h) => self.header(h),
            StreamEvent::Element(p) => self.element(p),
            StreamEvent::Rejected { .. } | StreamEvent::End => {}
        }
        true
    }

    /// Answers a header with this server's and a fresh stream id.
    fn send_header(&mut self, to: Option<Jid>) {
        self.streams += 1;
        let id = self.stream_id();
        self.out.transmit.push_back(Transmit::Header(StreamHeader {
            from: Some(self.config.domain.clone()),
            to,
            id: Some(id),
            version: Some("1.0".into()),
            content: ContentNs::Server,
            dialback: self.config.dialback,
            ..Default::default()
        }));
    }

    fn stream_id(&self) -> String {
        match self.streams {
            0 | 1 => self.config.stream_id.clone(),
            n => format!("{}.{n}", self.config.stream_id),
        }
    }

    fn header(&mut self, h: &StreamHeader) {
        self.send_header(h.from.clone());
        if h.content != ContentNs::Server {
            return self.protocol(
                StreamCondition::InvalidNamespace,
                "this port accepts jabber:server streams",
            );
        }
        if h.to.as_ref() != Some(&self.config.domain) {
            return self.protocol(StreamCondition::HostUnknown, "not a domain served here");
        }
        self.peer = h.from.clone();
        if self.authenticated {
            // After SASL: the last features, and the stream is the
            // caller's.
            self.send_features(Vec::new());
            let Some(peer) = self.peer.clone() else {
                return self.protocol(
                    StreamCondition::ImproperAddressing,
                    "the header names no sender domain ('from')",
                );
            };
            return self.ready(peer, Authentication::External);
        }
        match (&self.peer, self.tls && self.config.external) {
            (Some(domain), true) => {
                self.phase = Phase::AwaitingCertificate;
                self.out.events.push_back(Event::CertificateCheck {
                    domain: domain.clone(),
                });
            }
            _ => self.features(false),
        }
    }

    fn features(&mut self, external: bool) {
        let mut features = Vec::new();
        if !self.tls && self.config.tls != TlsOffer::Never {
            features.push(Payload::new(StartTls {
                required: self.config.tls == TlsOffer::Required,
            }));
        }
        let authenticating = self.tls || self.config.tls != TlsOffer::Required;
        let external = external && authenticating && self.tls;
        if external {
            features.push(Payload::new(Mechanisms {
                mechanisms: vec!["EXTERNAL".into()],
                extensions: Vec::new(),
            }));
        }
        if authenticating && self.config.dialback {
            features.push(Payload::new(DialbackFeature {
                errors: true,
                required: false,
            }));
        }
        if self.config.bidi && !self.bidi {
            features.push(Payload::new(BidiFeature));
        }
        self.send_features(features);
        self.phase = Phase::AwaitingRequest { external };
    }

    fn send_features(&mut self, mut features: Vec<Payload>) {
        if let Some(l) = self.config.limits {
            features.push(Payload::new(l));
        }
        self.out
            .transmit
            .push_back(Transmit::Features(Features { features }));
    }

    fn element(&mut self, p: &Payload) {
        // As the authoritative server, at any point of the negotiation.
        if let Some(Ok(v)) = p.get::<DialbackVerify>() {
            if v.type_.is_some() || v.key().is_none() {
                return self.unexpected("a <db:verify/> request");
            }
            return self.verify_requested(v);
        }
        let Phase::AwaitingRequest { external } = self.phase else {
            return self.unexpected("nothing while the server answers");
        };
        if let Some(Ok(StartTls { .. })) = p.get::<StartTls>() {
            if self.tls || self.config.tls == TlsOffer::Never {
                return self.unexpected("no <starttls/> now");
            }
            self.out.transmit.push_back(Transmit::Proceed(Proceed));
            self.phase = Phase::TlsHandshake;
            self.out.events.push_back(Event::StartTls);
        } else if let Some(Ok(b)) = p.get::<Bidi>() {
            if !self.config.bidi || self.bidi {
                return self.protocol(
                    StreamCondition::UnsupportedFeature,
                    "bidirectionality is not on offer",
                );
            }
            self.bidi = true;
            self.peer_limits = b.limits;
        } else if let Some(Ok(a)) = p.get::<Auth>() {
            self.auth(a, external);
        } else if let Some(Ok(r)) = p.get::<DialbackResult>() {
            self.dialback(r, external);
        } else if self.config.tls == TlsOffer::Required && !self.tls {
            self.protocol(
                StreamCondition::PolicyViolation,
                "STARTTLS is required first",
            );
        } else {
            self.unexpected("<starttls/>, <bidi/>, <auth/> or <db:result/>");
        }
    }

    fn verify_requested(&mut self, v: DialbackVerify) {
        self.verifies.push(v.clone());
        self.out.events.push_back(Event::VerifyRequested(v));
    }

    fn auth(&mut self, a: Auth, external: bool) {
        let authzid = a.data.map(|d| d.0).unwrap_or_default();
        let peer = self.peer.as_ref().map(|p| p.to_string().into_bytes());
        // XEP-0178 §3: no authorization identity, or the header's domain.
        let condition = if a.mechanism != "EXTERNAL" || !external {
            Some(SaslCondition::InvalidMechanism)
        } else if peer.is_none() || !(authzid.is_empty() || Some(&authzid) == peer.as_ref()) {
            Some(SaslCondition::InvalidAuthzid)
        } else {
            None
        };
        match condition {
            Some(condition) => self
                .out
                .transmit
                .push_back(Transmit::SaslFailure(SaslFailure {
                    condition,
                    texts: Vec::new(),
                })),
            None => {
                self.authenticated = true;
                self.out
                    .transmit
                    .push_back(Transmit::Success(Success::default()));
                self.out.events.push_back(Event::StreamRestart);
                self.phase = Phase::AwaitingHeader;
            }
        }
    }

    fn dialback(&mut self, request: DialbackResult, external: bool) {
        if !self.config.dialback || request.type_.is_some() || request.key().is_none() {
            return self.unexpected("a <db:result/> request with a key");
        }
        // XEP-0220 §2.4: errors that leave the stream open.
        let error = if request.to != self.config.domain {
            Some(DefinedCondition::ItemNotFound)
        } else if self.config.tls == TlsOffer::Required && !self.tls {
            Some(DefinedCondition::PolicyViolation)
        } else {
            None
        };
        if let Some(condition) = error {
            let e = StanzaError::new(ErrorType::Cancel, condition);
            return self.send_result(DialbackResult::error(&request, e));
        }
        self.out.events.push_back(Event::DialbackRequested {
            request: request.clone(),
            stream_id: self.stream_id(),
        });
        self.phase = Phase::AwaitingDialback {
            request: Box::new(request),
            external,
        };
    }

    fn send_result(&mut self, r: DialbackResult) {
        self.out.transmit.push_back(Transmit::DialbackResult(r));
    }

    fn ready(&mut self, from: Jid, authentication: Authentication) {
        self.phase = Phase::Ready;
        self.out.deadline = None;
        self.out.events.push_back(Event::Ready(Box::new(Ready {
            from,
            to: self.config.domain.clone(),
            authentication,
            tls: self.tls,
            bidi: self.bidi,
            limits: self.peer_limits,
        })));
    }

    fn unexpected(&mut self, expected: &str) {
        self.protocol(
            StreamCondition::UnsupportedStanzaType,
            &format!("expected {expected}"),
        );
    }

    fn protocol(&mut self, condition: StreamCondition, text: &str) {
        self.fail(Failure::Sent(StreamError::new(condition, Some(text))));
    }

    fn fail(&mut self, failure: Failure) {
        self.phase = Phase::Failed;
        self.out.fail(failure, Event::Failed);
    }

    crate::outputs!(Event);
}
