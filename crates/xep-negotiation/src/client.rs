//! RFC 6120 client stream negotiation: [`Client`] opens a `jabber:client`
//! stream and negotiates STARTTLS (§5), SASL (§6, the mechanism chosen by
//! [`xep_sasl::select`] with channel binding and XEP-0474 downgrade
//! protection), the stream restarts after each, and resource binding (§7),
//! ending with the bound full JID and the last features.
//!
//! Not covered: SASL2 (XEP-0388), Bind2, stream management resumption
//! during negotiation (XEP-0198 is the caller's after [`Event::Ready`]),
//! and the legacy session establishment (RFC 3921), which is ignored.

use std::time::{Duration, Instant};

use xep_core::Challenge;
use xep_core::{
    Abort, Auth, Bind, Features, Mechanisms, Proceed, Response, SaslData, SaslFailure, StartTls,
    Success, TlsFailure,
};
use xep_core::{ContentNs, Iq, IqType, StreamCondition, StreamError, StreamEvent, StreamHeader};
use xep_element::jid::{FullJid, Jid};
use xep_sasl::client::Password;
use xep_sasl::{
    ChannelBindingType, ClientError, Mechanism, Offer, Preferences, SaslChannelBinding,
};

use crate::component::DEFAULT_TIMEOUT;
use crate::{Failure, Outbox, Transmit, deadline};

/// When to use STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsPolicy {
    /// TLS or nothing: fail with [`Failure::TlsUnavailable`] when the
    /// server does not offer STARTTLS (the default).
    Required,
    /// STARTTLS when offered; go on in the clear otherwise.
    IfOffered,
    /// Never (a transport already secure, or a test server); fail with
    /// [`Failure::TlsRequiredByServer`] when the server requires it.
    Never,
}

/// What a [`Client`] needs.
#[derive(Clone)]
pub struct Config {
    /// The server's domain: the `to` of the stream header.
    pub domain: Jid,
    /// The username (SASL authcid).
    pub username: String,
    /// The password (or salted keys kept from an earlier SCRAM exchange).
    pub password: Password,
    /// The identity to act as, if not the username's own.
    pub authzid: Option<String>,
    /// Random bytes for the SCRAM nonce, from the caller's CSPRNG (18 or
    /// more).
    pub nonce: Vec<u8>,
    /// Acceptable mechanisms, preferred first (`-PLUS` ones are chosen
    /// only with channel-binding data). Default: SCRAM only, strongest
    /// first ([`Mechanism::SCRAM`]).
    pub mechanisms: Vec<Mechanism>,
    /// When to use STARTTLS. Default [`TlsPolicy::Required`].
    pub tls: TlsPolicy,
    /// Whether the transport is already TLS (XEP-0368 direct TLS), with
    /// the channel bindings it can produce in `channel_bindings`.
    pub tls_at_start: bool,
    /// Channel bindings of a transport that is TLS from the start.
    pub channel_bindings: Vec<(ChannelBindingType, Vec<u8>)>,
    /// Check XEP-0474's downgrade-protection hash (default on).
    pub downgrade_protection: bool,
    /// The resource to ask for; `None` lets the server choose.
    pub resource: Option<String>,
    /// The id of the bind request.
    pub bind_id: String,
    /// How long the whole negotiation may take, from [`Client::start`];
    /// `None` for no limit. Default [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("domain", &self.domain)
            .field("username", &self.username)
            .field("mechanisms", &self.mechanisms)
            .field("tls", &self.tls)
            .field("tls_at_start", &self.tls_at_start)
            .field("resource", &self.resource)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// A client of `domain` authenticating as `username` with `password`,
    /// SCRAM only, TLS required, the server choosing the resource.
    pub fn new(
        domain: Jid,
        username: impl Into<String>,
        password: impl Into<Password>,
        nonce: impl Into<Vec<u8>>,
    ) -> Self {
        Config {
            domain,
            username: username.into(),
            password: password.into(),
            authzid: None,
            nonce: nonce.into(),
            mechanisms: Mechanism::SCRAM.to_vec(),
            tls: TlsPolicy::Required,
            tls_at_start: false,
            channel_bindings: Vec::new(),
            downgrade_protection: true,
            resource: None,
            bind_id: "bind-1".into(),
            timeout: Some(DEFAULT_TIMEOUT),
        }
    }
}

/// Where a [`Client`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Nothing sent yet: [`Client::start`] opens the stream.
    Idle,
    /// A header was sent; waiting for the server's.
    AwaitingHeader,
    /// Waiting for `<stream:features/>`.
    AwaitingFeatures,
    /// `<starttls/>` sent; waiting for `<proceed/>`.
    AwaitingProceed,
    /// [`Event::StartTls`]: the caller upgrades the transport and calls
    /// [`Client::tls_established`].
    TlsHandshake,
    /// In a SASL exchange.
    Authenticating,
    /// The bind request was sent; waiting for its result.
    Binding,
    /// Negotiated ([`Event::Ready`]): every later input is the caller's.
    Ready,
    /// Failed ([`Event::Failed`]); the stream is closed.
    Failed,
}

/// The end of a successful negotiation.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    /// The full JID the server bound.
    pub jid: FullJid,
    /// The features of the last stream (stream management, CSI, ...: what
    /// the caller may enable now).
    pub features: Features,
    /// The mechanism used.
    pub mechanism: Mechanism,
    /// Whether the stream is encrypted (STARTTLS or direct TLS).
    pub tls: bool,
}

/// What happened, for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The server said `<proceed/>`: start TLS on the transport now
    /// (nothing else is written before), then call
    /// [`Client::tls_established`] with its channel bindings. Use a new
    /// stream reader for the encrypted stream.
    StartTls,
    /// SASL succeeded and the stream restarts: call
    /// [`StreamReader::restart`](xep_core::StreamReader::restart) before
    /// reading on (the new header is queued).
    StreamRestart,
    /// Negotiated.
    Ready(Box<Ready>),
    /// The negotiation failed.
    Failed(Failure),
}

/// The client's end of RFC 6120 stream negotiation (STARTTLS, SASL,
/// resource binding).
///
/// Input: [`handle_stream_event`](Self::handle_stream_event) with each
/// event of the caller's stream reader, and
/// [`handle_timeout`](Self::handle_timeout); commands:
/// [`start`](Self::start), [`tls_established`](Self::tls_established).
/// Output: [`poll_transmit`](Self::poll_transmit),
/// [`poll_event`](Self::poll_event), [`poll_timeout`](Self::poll_timeout).
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract").
pub struct Client {
    config: Config,
    state: State,
    tls: bool,
    channel_bindings: Vec<(ChannelBindingType, Vec<u8>)>,
    sasl: Option<xep_sasl::client::Client>,
    mechanism: Option<Mechanism>,
    authenticated: bool,
    features: Option<Features>,
    out: Outbox<Event>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("state", &self.state)
            .field("tls", &self.tls)
            .field("mechanism", &self.mechanism)
            .field("authenticated", &self.authenticated)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client that has sent nothing yet.
    pub fn new(config: Config) -> Self {
        Client {
            tls: config.tls_at_start,
            channel_bindings: config.channel_bindings.clone(),
            config,
            state: State::Idle,
            sasl: None,
            mechanism: None,
            authenticated: false,
            features: None,
            out: Outbox::new(),
        }
    }

    /// Where the negotiation stands.
    pub fn state(&self) -> State {
        self.state
    }

    fn wrong(&self, action: &'static str) -> crate::Error<State> {
        crate::Error::WrongState {
            action,
            state: self.state,
        }
    }

    /// Opens the stream: queues the header and starts the timeout.
    pub fn start(&mut self, now: Instant) -> Result<(), crate::Error<State>> {
        if self.state != State::Idle {
            return Err(self.wrong("start"));
        }
        self.out.deadline = deadline(now, self.config.timeout);
        self.open();
        Ok(())
    }

    /// The transport is now TLS (after [`Event::StartTls`]), able to
    /// produce these channel bindings (preferred first; empty when it
    /// cannot): the stream restarts.
    pub fn tls_established(
        &mut self,
        _now: Instant,
        channel_bindings: Vec<(ChannelBindingType, Vec<u8>)>,
    ) -> Result<(), crate::Error<State>> {
        if self.state != State::TlsHandshake {
            return Err(self.wrong("tls_established"));
        }
        self.tls = true;
        self.channel_bindings = channel_bindings;
        self.open();
        Ok(())
    }

    /// Queues a stream header (the first one or a restart).
    fn open(&mut self) {
        self.out
            .transmit
            .push_back(Transmit::Header(StreamHeader::client_to(
                self.config.domain.clone(),
            )));
        self.state = State::AwaitingHeader;
    }

    /// One event of the stream from the server. `false` when it is not the
    /// machine's: before [`start`](Self::start), and once the negotiation
    /// ended.
    pub fn handle_stream_event(&mut self, _now: Instant, event: &StreamEvent) -> bool {
        if matches!(self.state, State::Idle | State::Ready | State::Failed) {
            return false;
        }
        if let Some(f) = crate::ending(event, self.state == State::AwaitingHeader) {
            self.fail(f);
            return true;
        }
        match event {
            StreamEvent::Header(h) => {
                if h.content == ContentNs::Client {
                    self.state = State::AwaitingFeatures;
                } else {
                    self.protocol(
                        StreamCondition::InvalidNamespace,
                        "not a jabber:client stream",
                    );
                }
            }
            StreamEvent::Element(p) => match self.state {
                State::AwaitingFeatures => match p.get::<Features>() {
                    Some(Ok(f)) => self.features(f),
                    _ => self.unexpected("<stream:features/>"),
                },
                State::AwaitingProceed => {
                    if let Some(Ok(Proceed)) = p.get::<Proceed>() {
                        self.state = State::TlsHandshake;
                        self.out.events.push_back(Event::StartTls);
                    } else if let Some(Ok(TlsFailure)) = p.get::<TlsFailure>() {
                        self.fail(Failure::TlsFailed);
                    } else {
                        self.unexpected("<proceed/> or <failure/>");
                    }
                }
                State::Authenticating => self.sasl_element(p),
                State::Binding => match p.get::<Iq>() {
                    Some(Ok(iq)) if iq.id == self.config.bind_id => self.bound(iq),
                    _ => self.unexpected("the bind result"),
                },
                _ => self.unexpected("nothing before the stream header"),
            },
            StreamEvent::Rejected { .. } | StreamEvent::End => {}
        }
        true
    }

    fn features(&mut self, features: Features) {
        let starttls = features.get::<StartTls>().and_then(Result::ok);
        if !self.tls {
            match (&starttls, self.config.tls) {
                (Some(_), TlsPolicy::Required | TlsPolicy::IfOffered) => {
                    self.out
                        .transmit
                        .push_back(Transmit::StartTls(StartTls::default()));
                    self.state = State::AwaitingProceed;
                    return;
                }
                (None, TlsPolicy::Required) => return self.fail(Failure::TlsUnavailable),
                (Some(s), TlsPolicy::Never) if s.required => {
                    return self.fail(Failure::TlsRequiredByServer);
                }
                _ => {}
            }
        }
        if !self.authenticated {
            return self.authenticate(&features);
        }
        if features.get::<Bind>().is_none() {
            return self.fail(Failure::FeatureMissing("bind"));
        }
        let bind = Bind {
            resource: self.config.resource.clone(),
            ..Bind::default()
        };
        self.out.transmit.push_back(Transmit::Iq(Iq::set(
            self.config.bind_id.clone(),
            None,
            xep_element::Payload::new(bind),
        )));
        self.features = Some(features);
        self.state = State::Binding;
    }

    fn authenticate(&mut self, features: &Features) {
        let Some(Ok(mechanisms)) = features.get::<Mechanisms>() else {
            return self.fail(Failure::FeatureMissing("mechanisms"));
        };
        let cb = features.get::<SaslChannelBinding>().and_then(Result::ok);
        let offer = Offer::sasl1(&mechanisms, cb.as_ref());
        let prefs = Preferences {
            mechanisms: self.config.mechanisms.clone(),
            channel_bindings: self.channel_bindings.clone(),
            downgrade_protection: self.config.downgrade_protection,
        };
        let selection = match xep_sasl::select(&offer, &prefs) {
            Ok(s) => s,
            Err(e) => return self.fail(Failure::NoMechanism(e)),
        };
        let mechanism = selection.mechanism;
        let client = selection.client(
            &self.config.username,
            self.config.password.clone(),
            self.config.authzid.as_deref(),
            self.config.nonce.as_slice(),
        );
        let client = match client {
            Ok(c) => c,
            // The configuration cannot serve the mechanism chosen (e.g.
            // salted keys for PLAIN): none of the acceptable ones works.
            Err(_) => {
                return self.fail(Failure::NoMechanism(
                    xep_sasl::SelectError::NoCommonMechanism,
                ));
            }
        };
        let data = client.initial_response();
        self.out.transmit.push_back(Transmit::Auth(Auth {
            mechanism: mechanism.name().to_string(),
            data: Some(SaslData(data)),
        }));
        self.sasl = Some(client);
        self.mechanism = Some(mechanism);
        self.state = State::Authenticating;
    }

    fn sasl_element(&mut self, p: &xep_element::Payload) {
        let Some(sasl) = self.sasl.as_mut() else {
            return self.unexpected("a SASL exchange");
        };
        if let Some(Ok(c)) = p.get::<Challenge>() {
            let challenge = c.data.map(|d| d.0).unwrap_or_default();
            match sasl.step(&challenge) {
                Ok(r) => self.out.transmit.push_back(Transmit::Response(Response {
                    data: Some(SaslData(r)),
                })),
                Err(e) => self.sasl_error(e, true),
            }
        } else if let Some(Ok(s)) = p.get::<Success>() {
            let data = s.data.map(|d| d.0);
            match sasl.success(data.as_deref()) {
                Ok(()) => {
                    self.authenticated = true;
                    self.sasl = None;
                    self.out.events.push_back(Event::StreamRestart);
                    self.open();
                }
                Err(e) => self.sasl_error(e, false),
            }
        } else if let Some(Ok(f)) = p.get::<SaslFailure>() {
            self.fail(Failure::Sasl(f));
        } else {
            self.unexpected("<challenge/>, <success/> or <failure/>");
        }
    }

    /// The server's SASL data broke the mechanism: abort an open exchange
    /// and close.
    fn sasl_error(&mut self, e: ClientError, open: bool) {
        if open {
            self.out.transmit.push_back(Transmit::Abort(Abort));
        }
        let peer = match e {
            ClientError::Peer(p) => p,
            // The mechanism refusing a step it should take is the
            // server's doing too (a challenge after the last one).
            _ => xep_sasl::PeerError::Malformed("a SASL message out of turn"),
        };
        self.fail(Failure::SaslPeer(peer));
    }

    fn bound(&mut self, iq: Iq) {
        match iq.type_ {
            // Binding comes after authentication, with its mechanism.
            IqType::Result => match (iq.payload::<Bind>(), self.mechanism) {
                (Some(Ok(Bind { jid: Some(jid), .. })), Some(mechanism)) => {
                    self.state = State::Ready;
                    self.out.deadline = None;
                    let ready = Ready {
                        jid,
                        features: self.features.take().unwrap_or_default(),
                        mechanism,
                        tls: self.tls,
                    };
                    self.out.events.push_back(Event::Ready(Box::new(ready)));
                }
                _ => self.protocol(
                    StreamCondition::UndefinedCondition,
                    "a bind result without a JID",
                ),
            },
            IqType::Error => match iq.error {
                Some(e) => self.fail(Failure::Bind(e)),
                None => self.unexpected("the bind result"),
            },
            IqType::Get | IqType::Set => self.unexpected("the bind result"),
        }
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
        self.state = State::Failed;
        self.sasl = None;
        self.out.fail(failure, Event::Failed);
    }

    crate::outputs!(Event);
}

#[cfg(test)]
mod tests;
