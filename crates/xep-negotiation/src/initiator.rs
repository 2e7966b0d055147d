//! Server-to-server negotiation, the initiating server's end:
//! [`Initiator`] opens a `jabber:server` stream from its domain to the
//! target domain (declaring XEP-0220's `db:` prefix), negotiates STARTTLS
//! as an RFC 6120 client does, enables XEP-0288 bidirectionality when
//! both ends want it, and authenticates with SASL EXTERNAL (XEP-0178) when
//! offered and [`Config::external`] says this server's certificate
//! authenticates its domain, else with XEP-0220 dialback: a
//! `<db:result/>` carrying the XEP-0185 key ([`dialback_key`] of
//! [`Config::dialback_secret`], the pair and the stream id), `Ready` on
//! `type='valid'`. The receiving server's XEP-0478 `<limits/>` end up in
//! [`Ready::limits`].
//!
//! On the same stream, the caller may ask the peer (as the authoritative
//! server of a domain) to verify a key someone presented to this server:
//! [`Initiator::send_verify`] sends `<db:verify/>` and
//! [`Event::Verified`] reports the answer; with [`Config::verify_only`]
//! the stream is opened for that alone.
//!
//! After `Ready` the stream is the caller's: more domain pairs on it
//! (XEP-0220 multiplexing) with [`multiplex::Outgoing`](crate::multiplex::Outgoing),
//! which also says which stanzas the stream may carry.
//!
//! Not covered: the dialback requests a bidirectional peer may send after
//! `Ready` (the caller's, like every input then).

use std::time::{Duration, Instant};

use xep_core::{
    Auth, ContentNs, Features, Mechanisms, Proceed, SaslData, SaslFailure, StartTls,
    StreamCondition, StreamError, StreamEvent, StreamHeader, Success, TlsFailure,
};
use xep_element::Payload;
use xep_element::jid::Jid;

use crate::client::TlsPolicy;
use crate::component::DEFAULT_TIMEOUT;
use crate::s2s::{
    Bidi, BidiFeature, DialbackFeature, DialbackResult, DialbackType, DialbackVerify, Limits,
    dialback_key,
};
use crate::{Failure, Outbox, Transmit, deadline};

/// What an [`Initiator`] needs.
#[derive(Clone)]
pub struct Config {
    /// This server's domain (the sender domain): the header's `from`.
    pub from: Jid,
    /// The peer's domain (the target domain): the header's `to`.
    pub to: Jid,
    /// When to use STARTTLS. Default [`TlsPolicy::Required`].
    pub tls: TlsPolicy,
    /// Whether the transport is already TLS (XEP-0368 direct TLS).
    pub tls_at_start: bool,
    /// Whether this server presented, over TLS, a certificate that
    /// authenticates [`from`](Self::from): then SASL EXTERNAL is used when
    /// offered (XEP-0178). Default `false`.
    pub external: bool,
    /// The secret for XEP-0185 dialback keys; `None`: no dialback.
    pub dialback_secret: Option<String>,
    /// Enable XEP-0288 bidirectionality when offered (default `true`).
    pub bidi: bool,
    /// The limits sent inside `<bidi/>` (XEP-0478 §2.2); default none.
    pub limits: Option<Limits>,
    /// How long the whole negotiation may take, from
    /// [`Initiator::start`]; `None` for no limit. Default
    /// [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
    /// Open the stream only to send `<db:verify/>` requests (XEP-0220
    /// §2.1.2's separate connection to the authoritative server): no
    /// TLS, no authentication, the features ignored; the machine stays
    /// in [`State::Verifying`], where the timeout still applies, until the
    /// caller closes the stream. Default `false`.
    pub verify_only: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("from", &self.from)
            .field("to", &self.to)
            .field("tls", &self.tls)
            .field("tls_at_start", &self.tls_at_start)
            .field("external", &self.external)
            .field("dialback", &self.dialback_secret.is_some())
            .field("bidi", &self.bidi)
            .field("limits", &self.limits)
            .field("timeout", &self.timeout)
            .field("verify_only", &self.verify_only)
            .finish()
    }
}

impl Config {
    /// A stream from `from` to `to`, TLS required, dialback with
    /// `secret` (no EXTERNAL until [`external`](Self::external) is set),
    /// bidirectional when offered.
    pub fn new(from: Jid, to: Jid, secret: Option<String>) -> Self {
        Config {
            from,
            to,
            tls: TlsPolicy::Required,
            tls_at_start: false,
            external: false,
            dialback_secret: secret,
            bidi: true,
            limits: None,
            timeout: Some(DEFAULT_TIMEOUT),
            verify_only: false,
        }
    }
}

/// Where an [`Initiator`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Nothing sent yet: [`Initiator::start`] opens the stream.
    Idle,
    /// A header was sent; waiting for the peer's.
    AwaitingHeader,
    /// Waiting for `<stream:features/>`.
    AwaitingFeatures,
    /// `<starttls/>` sent; waiting for `<proceed/>`.
    AwaitingProceed,
    /// [`Event::StartTls`]: the caller upgrades the transport and calls
    /// [`Initiator::tls_established`].
    TlsHandshake,
    /// SASL EXTERNAL sent; waiting for `<success/>` or `<failure/>`.
    Authenticating,
    /// `<db:result/>` sent; waiting for its answer.
    AwaitingDialback,
    /// [`Config::verify_only`]: the stream is open for
    /// [`Initiator::send_verify`] and nothing else.
    Verifying,
    /// Negotiated ([`Event::Ready`]): inputs are the caller's, but for the
    /// answers to [`Initiator::send_verify`].
    Ready,
    /// Failed ([`Event::Failed`]); the stream is closed.
    Failed,
}

/// How the initiating server was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Authentication {
    /// SASL EXTERNAL with its certificate (XEP-0178).
    External,
    /// Server dialback (XEP-0220).
    Dialback,
}

/// The end of a successful negotiation.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    /// The sender domain authorized.
    pub from: Jid,
    /// The target domain.
    pub to: Jid,
    /// How.
    pub authentication: Authentication,
    /// Whether the stream is encrypted.
    pub tls: bool,
    /// Whether the stream is bidirectional (XEP-0288): the peer may send
    /// stanzas from `to` to `from` on it.
    pub bidi: bool,
    /// The receiving server's limits (XEP-0478), from its last features.
    pub limits: Option<Limits>,
    /// The last features received.
    pub features: Features,
}

/// What happened, for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The peer said `<proceed/>`: start TLS (presenting this server's
    /// certificate), then call [`Initiator::tls_established`]. Use a new
    /// stream reader for the encrypted stream.
    StartTls,
    /// SASL succeeded and the stream restarts: call
    /// [`StreamReader::restart`](xep_core::StreamReader::restart) (the new
    /// header is queued).
    StreamRestart,
    /// The answer to a [`Initiator::send_verify`] request (`type` valid,
    /// invalid or error).
    Verified(DialbackVerify),
    /// Negotiated.
    Ready(Box<Ready>),
    /// The negotiation failed.
    Failed(Failure),
}

/// Per-phase data: the id of the stream the peer opened, and whether
/// dialback is on offer there (its `db:` declaration or feature).
#[derive(Debug, Clone)]
enum Phase {
    Idle,
    AwaitingHeader,
    AwaitingFeatures {
        stream_id: Option<String>,
        dialback: bool,
    },
    AwaitingProceed,
    TlsHandshake,
    Authenticating {
        stream_id: Option<String>,
        dialback: bool,
        features: Box<Features>,
    },
    AwaitingDialback {
        features: Box<Features>,
    },
    Verifying,
    Ready,
    Failed,
}

/// The initiating server's end of s2s negotiation (RFC 6120, XEP-0178,
/// XEP-0220, XEP-0288, XEP-0478).
///
/// Input: [`handle_stream_event`](Self::handle_stream_event) with each
/// event of the caller's stream reader, and
/// [`handle_timeout`](Self::handle_timeout); commands:
/// [`start`](Self::start), [`tls_established`](Self::tls_established),
/// [`send_verify`](Self::send_verify). Output:
/// [`poll_transmit`](Self::poll_transmit), [`poll_event`](Self::poll_event),
/// [`poll_timeout`](Self::poll_timeout). It follows the workspace's
/// state-machine contract (ARCHITECTURE.md, "State machines: the one
/// contract").
#[derive(Debug)]
pub struct Initiator {
    config: Config,
    phase: Phase,
    tls: bool,
    bidi: bool,
    /// SASL EXTERNAL succeeded (the features of the restarted stream end
    /// the negotiation).
    authenticated: bool,
    /// Sent `<db:verify/>` requests, until answered.
    verifies: Vec<DialbackVerify>,
    out: Outbox<Event>,
}

impl Initiator {
    /// An initiating server that has sent nothing yet.
    pub fn new(config: Config) -> Self {
        Initiator {
            tls: config.tls_at_start,
            config,
            phase: Phase::Idle,
            bidi: false,
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
            Phase::AwaitingFeatures { .. } => State::AwaitingFeatures,
            Phase::AwaitingProceed => State::AwaitingProceed,
            Phase::TlsHandshake => State::TlsHandshake,
            Phase::Authenticating { .. } => State::Authenticating,
            Phase::AwaitingDialback { .. } => State::AwaitingDialback,
            Phase::Verifying => State::Verifying,
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

    /// Opens the stream: queues the header and starts the timeout.
    pub fn start(&mut self, now: Instant) -> Result<(), crate::Error<State>> {
        if !matches!(self.phase, Phase::Idle) {
            return Err(self.wrong("start"));
        }
        self.out.deadline = deadline(now, self.config.timeout);
        self.open();
        Ok(())
    }

    /// The transport is now TLS (after [`Event::StartTls`]): the stream
    /// restarts.
    pub fn tls_established(&mut self, _now: Instant) -> Result<(), crate::Error<State>> {
        if !matches!(self.phase, Phase::TlsHandshake) {
            return Err(self.wrong("tls_established"));
        }
        self.tls = true;
        self.open();
        Ok(())
    }

    /// Asks the peer, as the authoritative server of `request.to`, whether
    /// a key is right (XEP-0220 §2.1.2; build it with
    /// [`DialbackVerify::request`]): queues `<db:verify/>`; the answer
    /// comes as [`Event::Verified`]. Possible once the stream is open and
    /// until it ends (after [`Event::Ready`] too).
    pub fn send_verify(
        &mut self,
        _now: Instant,
        request: DialbackVerify,
    ) -> Result<(), crate::Error<State>> {
        if matches!(self.phase, Phase::Idle | Phase::Failed) {
            return Err(self.wrong("send_verify"));
        }
        self.verifies.push(request.clone());
        self.out
            .transmit
            .push_back(Transmit::DialbackVerify(request));
        Ok(())
    }

    fn open(&mut self) {
        self.out.transmit.push_back(Transmit::Header(StreamHeader {
            from: Some(self.config.from.clone()),
            to: Some(self.config.to.clone()),
            version: Some("1.0".into()),
            content: ContentNs::Server,
            dialback: true,
            ..Default::default()
        }));
        self.phase = Phase::AwaitingHeader;
    }

    /// One event of the stream from the peer. `false` when it is not the
    /// machine's: before [`start`](Self::start), once failed, and once
    /// ready but for answers to [`send_verify`](Self::send_verify).
    pub fn handle_stream_event(&mut self, _now: Instant, event: &StreamEvent) -> bool {
        if matches!(self.phase, Phase::Idle | Phase::Failed) {
            return false;
        }
        if let StreamEvent::Element(p) = event
            && let Some(Ok(v)) = p.get::<DialbackVerify>()
            && v.type_.is_some()
            && self.verified(v)
        {
            return true;
        }
        if matches!(self.phase, Phase::Ready) {
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

    /// An answer to a sent `<db:verify/>`: `true` when it answers one.
    fn verified(&mut self, answer: DialbackVerify) -> bool {
        let Some(i) = self
            .verifies
            .iter()
            .position(|r| r.from == answer.to && r.to == answer.from && r.id == answer.id)
        else {
            return false;
        };
        self.verifies.remove(i);
        self.out.events.push_back(Event::Verified(answer));
        true
    }

    fn header(&mut self, h: &StreamHeader) {
        if h.content != ContentNs::Server {
            return self.protocol(
                StreamCondition::InvalidNamespace,
                "not a jabber:server stream",
            );
        }
        if self.config.verify_only {
            self.phase = Phase::Verifying;
            return;
        }
        self.phase = Phase::AwaitingFeatures {
            stream_id: h.id.clone(),
            dialback: h.dialback,
        };
        if h.version.is_none() {
            // A server older than stream features (RFC 3920's dialback
            // only): no features will come.
            self.features(Features::default());
        }
    }

    fn element(&mut self, p: &Payload) {
        match std::mem::replace(&mut self.phase, Phase::Failed) {
            Phase::AwaitingFeatures {
                stream_id,
                dialback,
            } => {
                self.phase = Phase::AwaitingFeatures {
                    stream_id,
                    dialback,
                };
                match p.get::<Features>() {
                    Some(Ok(f)) => self.features(f),
                    _ => self.unexpected("<stream:features/>"),
                }
            }
            Phase::AwaitingProceed => {
                if let Some(Ok(Proceed)) = p.get::<Proceed>() {
                    self.phase = Phase::TlsHandshake;
                    self.out.events.push_back(Event::StartTls);
                } else if let Some(Ok(TlsFailure)) = p.get::<TlsFailure>() {
                    self.fail(Failure::TlsFailed);
                } else {
                    self.unexpected("<proceed/> or <failure/>");
                }
            }
            Phase::Authenticating {
                stream_id,
                dialback,
                features,
            } => {
                if let Some(Ok(_)) = p.get::<Success>() {
                    self.authenticated = true;
                    self.out.events.push_back(Event::StreamRestart);
                    self.open();
                } else if let Some(Ok(f)) = p.get::<SaslFailure>() {
                    // XEP-0178 §3: the receiving server may continue with
                    // dialback after refusing the certificate.
                    if !self.dialback(stream_id, dialback, *features) {
                        self.fail(Failure::Sasl(f));
                    }
                } else {
                    self.unexpected("<success/> or <failure/>");
                }
            }
            Phase::AwaitingDialback { features } => match p.get::<DialbackResult>() {
                Some(Ok(r)) => self.dialback_answer(r, *features),
                _ => self.unexpected("the <db:result/> answer"),
            },
            Phase::Verifying => {
                self.phase = Phase::Verifying;
                // The features are not acted on; anything else but the
                // answers (handled before) is out of turn.
                if p.get::<Features>().is_none() {
                    self.unexpected("<db:verify/> answers");
                }
            }
            Phase::AwaitingHeader | Phase::TlsHandshake => {
                self.unexpected("nothing before the stream header")
            }
            Phase::Idle | Phase::Ready | Phase::Failed => {}
        }
    }

    fn features(&mut self, features: Features) {
        let (stream_id, dialback) = match &self.phase {
            Phase::AwaitingFeatures {
                stream_id,
                dialback,
            } => (stream_id.clone(), *dialback),
            _ => return self.unexpected("no features now"),
        };
        if !self.tls {
            let starttls = features.get::<StartTls>().and_then(Result::ok);
            match (&starttls, self.config.tls) {
                (Some(_), TlsPolicy::Required | TlsPolicy::IfOffered) => {
                    self.out
                        .transmit
                        .push_back(Transmit::StartTls(StartTls::default()));
                    self.phase = Phase::AwaitingProceed;
                    return;
                }
                (None, TlsPolicy::Required) => return self.fail(Failure::TlsUnavailable),
                (Some(s), TlsPolicy::Never) if s.required => {
                    return self.fail(Failure::TlsRequiredByServer);
                }
                _ => {}
            }
        }
        // XEP-0288 §2.2: after TLS, before authenticating.
        if self.config.bidi && !self.bidi && features.get::<BidiFeature>().is_some() {
            self.bidi = true;
            self.out.transmit.push_back(Transmit::Bidi(Bidi {
                limits: self.config.limits,
            }));
        }
        if self.authenticated {
            return self.ready(Authentication::External, features);
        }
        let dialback = dialback || features.get::<DialbackFeature>().is_some();
        let external = match features.get::<Mechanisms>() {
            Some(Ok(m)) => m.mechanisms.iter().any(|m| m == "EXTERNAL"),
            _ => false,
        };
        if self.config.external && self.tls && external {
            // XEP-0178 §3: the authorization identity is the domain, for
            // the receiving servers that still rely on it.
            self.out.transmit.push_back(Transmit::Auth(Auth {
                mechanism: "EXTERNAL".into(),
                data: Some(SaslData(self.config.from.to_string().into_bytes())),
            }));
            self.phase = Phase::Authenticating {
                stream_id,
                dialback,
                features: Box::new(features),
            };
            return;
        }
        if !self.dialback(stream_id, dialback, features) {
            self.fail(Failure::FeatureMissing(
                "SASL EXTERNAL or dialback this server can use",
            ));
        }
    }

    /// Sends the dialback key when dialback is possible: the peer offers
    /// it, a secret is configured and the stream has an id to key.
    fn dialback(&mut self, stream_id: Option<String>, offered: bool, features: Features) -> bool {
        let (Some(secret), Some(id), true) = (&self.config.dialback_secret, stream_id, offered)
        else {
            return false;
        };
        let key = dialback_key(
            secret,
            &self.config.to.to_string(),
            &self.config.from.to_string(),
            &id,
        );
        self.out
            .transmit
            .push_back(Transmit::DialbackResult(DialbackResult::request(
                self.config.from.clone(),
                self.config.to.clone(),
                key,
            )));
        self.phase = Phase::AwaitingDialback {
            features: Box::new(features),
        };
        true
    }

    fn dialback_answer(&mut self, r: DialbackResult, features: Features) {
        // XEP-0220 §2.1.1: the answer must match the pair asked for.
        if r.from != self.config.to || r.to != self.config.from {
            return self.protocol(
                StreamCondition::InvalidFrom,
                "a dialback answer for another domain pair",
            );
        }
        match (r.type_, r.error) {
            (Some(DialbackType::Valid), _) => self.ready(Authentication::Dialback, features),
            (Some(DialbackType::Invalid), _) => self.fail(Failure::DialbackInvalid),
            (Some(DialbackType::Error), Some(e)) => self.fail(Failure::Dialback(Box::new(e))),
            _ => self.unexpected("the <db:result/> answer"),
        }
    }

    fn ready(&mut self, authentication: Authentication, features: Features) {
        let limits = features.get::<Limits>().and_then(Result::ok);
        self.phase = Phase::Ready;
        self.out.deadline = None;
        self.out.events.push_back(Event::Ready(Box::new(Ready {
            from: self.config.from.clone(),
            to: self.config.to.clone(),
            authentication,
            tls: self.tls,
            bidi: self.bidi,
            limits,
            features,
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
