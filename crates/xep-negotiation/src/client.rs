//! RFC 6120 client stream negotiation: [`Client`] opens a `jabber:client`
//! stream and negotiates STARTTLS (§5), SASL (§6, the mechanism chosen by
//! [`xep_sasl::select`] with channel binding and XEP-0474 downgrade
//! protection), the stream restarts after each, and resource binding (§7),
//! ending with the bound full JID and the last features.
//!
//! When the server offers XEP-0388's `<authentication/>` (SASL2) and
//! [`Config::sasl2`] allows it (the default), the same mechanisms run in
//! `<authenticate/>` instead, with [`Config::user_agent`]; there is no
//! stream restart after its `<success/>`, whose server-final message (in
//! `<additional-data/>`) SCRAM verifies as before. When the server lists
//! XEP-0386's Bind 2 inline and [`Config::bind2`] allows it (the default),
//! the resource is bound in the same request (`<bind/>` with
//! [`Config::bind2_tag`]) and the success names the full JID; otherwise
//! the success names the bare JID and RFC 6120 binding follows. A success
//! naming another account is refused
//! ([`Failure::AuthorizationMismatch`]). The only SASL2 tasks run are
//! XEP-0480's SCRAM upgrades (below): any other `<continue/>` is answered
//! with `<abort/>` ([`Failure::Sasl2Tasks`]).
//!
//! XEP-0484 (FAST), over TLS and inside SASL2 only: with
//! [`Config::fast_token`] the client authenticates with the token when
//! the server's inline `<fast/>` lists its mechanism (preferred to
//! passwords; `<fast/>` marks the `<authenticate/>`, with `invalidate`
//! when [`Config::invalidate_token`]); a `<failure/>` makes it discard the
//! token ([`Event::TokenRefused`]) and fall back to the configured
//! mechanisms on the same stream, as the XEP says a client SHOULD. With
//! [`Config::request_token`] it asks for a token (`<request-token/>`) of
//! the first mechanism listed there that the server lists and the
//! connection can bind. A `<token/>` in the success (asked for, or a
//! rotation) is raised as [`Event::TokenReceived`] for the caller to
//! store like a password. The HT responder message in the success is
//! verified (mutual authentication). TLS 0-RTT is not used.
//!
//! XEP-0480 (SCRAM upgrade tasks): with [`Config::scram_upgrades`] (the
//! default) and the password in the clear, the client asks for every
//! `UPGR-SCRAM-*` task the server lists; to a `<continue/>` naming one
//! of them it answers `<next/>`, then the server's `<salt/>` with the
//! salted password (`<hash/>`, never the password), its iteration count
//! within the bounds a SCRAM exchange accepts. Other tasks are refused
//! with `<abort/>` ([`Failure::Sasl2Tasks`]).
//!
//! XEP-0198 resumption: with [`Config::pause_before_bind`] the machine
//! stops after authentication ([`Event::Authenticated`], with the
//! features); the caller's `StreamManager` sends `<resume/>` on the stream
//! and the caller ends the negotiation with [`Client::resumed`] (the
//! resumed session's JID), or binds with [`Client::bind`] after a
//! `<failed/>`. The interop suite does this against Prosody and ejabberd
//! (`sm-resume`, `sm-resume-expired`).
//!
//! The legacy session establishment of RFC 3921 (RFC 6121 Appendix E):
//! after RFC 6120 binding, a `<session/>` feature without `<optional/>`
//! makes the client send the session request ([`Config::session_id`])
//! and wait for its result before [`Event::Ready`]; an optional one (and
//! the feature after Bind 2 or a resumption) is skipped, as RFC 6121
//! allows. An error answer is [`Failure::Session`].
//!
//! XEP-0484's TLS 0-RTT: a caller that writes the `<authenticate/>` in
//! TLS early data sets [`Config::fast_count`], the token's attempt
//! counter, which the `<fast/>` then carries.
//!
//! XEP-0397 (instant stream resumption): with [`Config::isr`], when the
//! server's features list the token's mechanism in `<isr/>` (over TLS,
//! with SASL2), the client authenticates with the ISR token and resumes
//! in the same `<authenticate/>` (`<inst-resume/>` with the `<resume/>`
//! of the caller's `StreamManager::instant_resume`). The success's
//! `<inst-resumed/>` (its `previd` checked) ends in [`Event::Ready`]
//! with [`Ready::instant_resumed`] (the new token and `<resumed/>`, for
//! the caller's `StreamManager`); `<inst-resume-failed/>` is
//! [`Event::InstantResumeFailed`] and binding follows; a `<failure/>` is
//! [`Event::InstantResumeRefused`] and the client falls back to its
//! other mechanisms on the same stream.
//!
//! Not covered: SASL2 tasks other than XEP-0480's SCRAM upgrades and
//! features enabled inside the Bind 2 request (so no XEP-0198 resumption
//! inline in SASL2).

use std::time::{Duration, Instant};

use xep_core::Challenge;
use xep_core::{
    Abort, Auth, Bind, Features, Mechanisms, Proceed, Response, SaslData, SaslFailure, StartTls,
    Success, TlsFailure,
};
use xep_core::{ContentNs, Iq, IqType, StreamCondition, StreamError, StreamEvent, StreamHeader};
use xep_element::jid::{BareJid, FullJid, Jid};
use xep_sasl::bind2::{self, Bound};
use xep_sasl::client::{HashedToken, Password};
use xep_sasl::fast::{self, Fast, RequestToken};
use xep_sasl::sasl2::{self, Authentication, UserAgent};
use xep_sasl::upgrade::{self, Salt};
use xep_sasl::{
    ChannelBindingType, ClientError, HtMechanism, IterationBounds, Mechanism, Offer, PeerError,
    Preferences, SaslChannelBinding, ScramHash,
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

/// A XEP-0484 token the client holds: the secret of a
/// [`Event::TokenReceived`] and the mechanism it was issued for.
#[derive(Clone, PartialEq, Eq)]
pub struct FastToken {
    /// The mechanism (the one asked for with the token).
    pub mechanism: HtMechanism,
    /// The secret (`<token token='...'/>`).
    pub secret: String,
}

impl std::fmt::Debug for FastToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastToken")
            .field("mechanism", &self.mechanism.name())
            .finish_non_exhaustive()
    }
}

/// XEP-0397: what a [`Client`] needs to resume a session instantly.
#[derive(Clone, PartialEq, Eq)]
pub struct IsrResume {
    /// The session's full JID (the resumed stream's).
    pub jid: FullJid,
    /// The ISR token (`StreamManager`'s `IsrGrant`).
    pub token: String,
    /// The mechanism the token is pinned to.
    pub mechanism: HtMechanism,
    /// The `<resume/>`: `StreamManager::instant_resume`'s.
    pub resume: xep_sm::Resume,
}

impl std::fmt::Debug for IsrResume {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IsrResume")
            .field("jid", &self.jid)
            .field("mechanism", &self.mechanism.name())
            .field("resume", &self.resume)
            .finish_non_exhaustive()
    }
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
    /// Whether the transport is already TLS (XEP-0368 direct TLS; BOSH
    /// over HTTPS; WebSocket over `wss:`), with the channel bindings it
    /// can produce in `channel_bindings`: STARTTLS is then never used,
    /// whatever [`tls`](Self::tls) says. See
    /// [`over_secure_transport`](Self::over_secure_transport).
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
    /// Authenticate with XEP-0388 (SASL2) when the server offers it,
    /// rather than RFC 6120 SASL (default `true`).
    pub sasl2: bool,
    /// Bind the resource inside SASL2 with XEP-0386 (Bind 2) when the
    /// server lists it inline (default `true`); else RFC 6120 binding
    /// follows SASL2.
    pub bind2: bool,
    /// The Bind 2 `<tag/>`: a short name of the software, which the
    /// server puts in the resource (seen by others: nothing private).
    /// [`resource`](Self::resource) has no meaning in Bind 2.
    pub bind2_tag: Option<String>,
    /// SASL2's `<user-agent/>` (a stable id, the software, the device);
    /// default empty.
    pub user_agent: UserAgent,
    /// Stop after authentication, before resource binding, with
    /// [`Event::Authenticated`] (default `false`): the caller may then
    /// resume an XEP-0198 session on the stream (its `StreamManager`
    /// sends `<resume/>`) and call [`Client::resumed`], or call
    /// [`Client::bind`] to bind as usual (after a `<failed/>`, say).
    /// Not with Bind 2, where the resource is bound inside SASL2.
    pub pause_before_bind: bool,
    /// XEP-0484: a token to authenticate with, preferred to the
    /// password when the server lists its mechanism in SASL2's inline
    /// `<fast/>` (over TLS; with the channel binding its mechanism
    /// names). Default `None`. XEP-0484 asks clients using FAST for a
    /// [`user_agent`](Self::user_agent) with an `id`.
    pub fast_token: Option<FastToken>,
    /// XEP-0484: with [`fast_token`](Self::fast_token), ask the server to
    /// invalidate it once authenticated (logging out; default `false`).
    pub invalidate_token: bool,
    /// XEP-0484: ask for a token of the first of these mechanisms that
    /// the server lists in `<fast/>` and this connection can bind
    /// (channel-binding ones first, as the XEP asks); empty: ask for none
    /// (the default).
    pub request_token: Vec<HtMechanism>,
    /// XEP-0480: ask for the SCRAM upgrade tasks the server lists (with
    /// the password in the clear; default `true`, as the XEP says a
    /// client SHOULD).
    pub scram_upgrades: bool,
    /// XEP-0484: the `count` of the token authentication, required when
    /// the caller sends the `<authenticate/>` in TLS 0-RTT data (a
    /// positive number the caller increments at every attempt with the
    /// token and resets with a new token); default `None`.
    pub fast_count: Option<u32>,
    /// The id of the legacy session request (RFC 3921), sent only when a
    /// server announces `<session/>` as mandatory.
    pub session_id: String,
    /// XEP-0397: resume this session instantly when the server offers
    /// ISR with the token's mechanism (default `None`).
    pub isr: Option<IsrResume>,
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
            .field("sasl2", &self.sasl2)
            .field("bind2", &self.bind2)
            .field("fast_token", &self.fast_token)
            .field("request_token", &self.request_token)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// This configuration over a transport secured below the stream
    /// (XEP-0368 direct TLS, BOSH over HTTPS, WebSocket over `wss:`):
    /// TLS from the start, with the channel bindings that connection
    /// produces (empty when it produces none, as an HTTPS library may
    /// not: no `-PLUS` then).
    pub fn over_secure_transport(
        mut self,
        channel_bindings: Vec<(ChannelBindingType, Vec<u8>)>,
    ) -> Self {
        self.tls_at_start = true;
        self.channel_bindings = channel_bindings;
        self
    }

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
            sasl2: true,
            bind2: true,
            bind2_tag: None,
            user_agent: UserAgent::default(),
            pause_before_bind: false,
            fast_token: None,
            invalidate_token: false,
            request_token: Vec::new(),
            scram_upgrades: true,
            fast_count: None,
            session_id: "session-1".into(),
            isr: None,
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
    /// Authenticated, before binding ([`Config::pause_before_bind`],
    /// [`Event::Authenticated`]): the stream is the caller's until
    /// [`Client::bind`] or [`Client::resumed`].
    Authenticated,
    /// The bind request was sent; waiting for its result.
    Binding,
    /// The legacy session request (RFC 3921) was sent; waiting for its
    /// result.
    Session,
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
    /// Whether authentication was XEP-0388's (SASL2).
    pub sasl2: bool,
    /// XEP-0386's `<bound/>` when the resource was bound inside SASL2
    /// (with the results of features enabled with it, if any).
    pub bound: Option<Bound>,
    /// XEP-0397: the stream was resumed inside SASL2 (nothing bound):
    /// the new token, and the `<resumed/>` to give the caller's
    /// `StreamManager`.
    pub instant_resumed: Option<xep_sm::isr::InstResumed>,
}

/// What happened, for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The server said `<proceed/>`: start TLS on the transport now
    /// (nothing else is written before), then call
    /// [`Client::tls_established`] with its channel bindings. Use a new
    /// stream reader for the encrypted stream.
    StartTls,
    /// RFC 6120 SASL succeeded and the stream restarts (never after
    /// SASL2): call
    /// [`StreamReader::restart`](xep_core::StreamReader::restart) before
    /// reading on (the new header is queued).
    StreamRestart,
    /// Authenticated, the features of the new stream received, nothing
    /// bound ([`Config::pause_before_bind`]): resume an XEP-0198 session
    /// (when the features offer `<sm/>`) and call [`Client::resumed`], or
    /// call [`Client::bind`].
    Authenticated {
        /// The features after authentication.
        features: Box<Features>,
    },
    /// XEP-0484: the server refused the token ([`Config::fast_token`])
    /// with this condition: discard it. The client falls back to its
    /// password on the same stream.
    TokenRefused {
        /// The condition of the server's `<failure/>`.
        condition: xep_core::SaslCondition,
    },
    /// XEP-0484: the server gave a token (asked for, or a rotation of the
    /// one used): store it (a secret, like a password) and use it with
    /// `mechanism` until its expiry ([`Config::fast_token`]).
    TokenReceived {
        /// The mechanism the token is for.
        mechanism: HtMechanism,
        /// The token and its expiry.
        token: fast::Token,
    },
    /// XEP-0397: the server authenticated the ISR token but did not
    /// resume (its `<failed/>`, for the caller's `StreamManager`); binding
    /// follows.
    InstantResumeFailed(xep_sm::Failed),
    /// XEP-0397: the server refused the ISR authentication with this
    /// condition (it deleted the session): the client falls back to its
    /// other mechanisms on the same stream.
    InstantResumeRefused {
        /// The condition of the server's `<failure/>`.
        condition: xep_core::SaslCondition,
    },
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
    /// `Some` in a SASL2 exchange: whether Bind 2 was requested.
    sasl2: Option<bool>,
    /// After a SASL2 success with Bind 2: the JID and `<bound/>`, until
    /// the features that follow.
    bound: Option<(FullJid, Option<Bound>)>,
    /// Whether authentication was SASL2.
    used_sasl2: bool,
    /// XEP-0484: the features of a token attempt, for the fallback.
    token_attempt: Option<Features>,
    /// XEP-0484: the server refused the token.
    token_refused: bool,
    /// XEP-0484: the mechanism of the token asked for, or of the token
    /// used (a rotation).
    token_mechanism: Option<HtMechanism>,
    /// XEP-0480: the upgrade tasks asked for.
    upgrades: Vec<ScramHash>,
    /// XEP-0480: the task running (after `<next/>`).
    task: Option<ScramHash>,
    /// The mechanism's final data was verified (at a `<continue/>`).
    verified: bool,
    /// The bound JID while the legacy session is established.
    session_jid: Option<FullJid>,
    /// XEP-0397: the features of the ISR attempt, for the fallback.
    isr_attempt: Option<Features>,
    /// XEP-0397: the attempt was made (once per client).
    isr_tried: bool,
    /// XEP-0397: the resumption the success named, until the features.
    isr_resumed: Option<xep_sm::isr::InstResumed>,
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
            sasl2: None,
            bound: None,
            used_sasl2: false,
            token_attempt: None,
            token_refused: false,
            token_mechanism: None,
            upgrades: Vec::new(),
            task: None,
            verified: false,
            session_jid: None,
            isr_attempt: None,
            isr_tried: false,
            isr_resumed: None,
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

    /// After [`Event::Authenticated`]: binds a resource as RFC 6120 §7
    /// does (the negotiation goes on to [`Event::Ready`]).
    pub fn bind(&mut self, _now: Instant) -> Result<(), crate::Error<State>> {
        if self.state != State::Authenticated {
            return Err(self.wrong("bind"));
        }
        let features = self.features.take().unwrap_or_default();
        self.send_bind(features);
        Ok(())
    }

    /// After [`Event::Authenticated`]: the caller resumed the XEP-0198
    /// session of `jid` on this stream (its `StreamManager` reported
    /// `Resumed`): the negotiation ends [`Event::Ready`] with that JID and
    /// the features after authentication, nothing bound.
    pub fn resumed(&mut self, _now: Instant, jid: FullJid) -> Result<(), crate::Error<State>> {
        if self.state != State::Authenticated {
            return Err(self.wrong("resumed"));
        }
        if self.mechanism.is_none() {
            return Err(self.wrong("resumed"));
        }
        let features = self.features.take().unwrap_or_default();
        self.ready(jid, features, None);
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
        if matches!(
            self.state,
            State::Idle | State::Authenticated | State::Ready | State::Failed
        ) {
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
                State::Session => match p.get::<Iq>() {
                    Some(Ok(iq)) if iq.id == self.config.session_id => self.session(iq),
                    _ => self.unexpected("the session result"),
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
        if let Some((jid, bound)) = self.bound.take() {
            return self.ready(jid, features, bound);
        }
        if self.isr_resumed.is_some()
            && let Some(isr) = &self.config.isr
        {
            return self.ready(isr.jid.clone(), features, None);
        }
        if self.config.pause_before_bind {
            self.features = Some(features.clone());
            self.state = State::Authenticated;
            self.out.events.push_back(Event::Authenticated {
                features: Box::new(features),
            });
            return;
        }
        self.send_bind(features);
    }

    /// Sends the RFC 6120 bind request, if the features offer binding.
    fn send_bind(&mut self, features: Features) {
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
        let cb = features.get::<SaslChannelBinding>().and_then(Result::ok);
        let sasl2 = match features.get::<Authentication>() {
            Some(Ok(a)) if self.config.sasl2 => Some(a),
            _ => None,
        };
        let offer = match (&sasl2, features.get::<Mechanisms>()) {
            (Some(a), _) => Offer::sasl2(a, cb.as_ref()),
            (None, Some(Ok(mechanisms))) => Offer::sasl1(&mechanisms, cb.as_ref()),
            (None, _) => return self.fail(Failure::FeatureMissing("mechanisms")),
        };
        let prefs = Preferences {
            mechanisms: self.config.mechanisms.clone(),
            channel_bindings: self.channel_bindings.clone(),
            downgrade_protection: self.config.downgrade_protection,
        };
        let isr = sasl2.as_ref().and_then(|_| self.isr_client(features));
        let token = match isr {
            Some(c) => {
                self.isr_tried = true;
                self.isr_attempt = Some(features.clone());
                Some(c)
            }
            None => sasl2
                .as_ref()
                .and_then(|a| self.token_client(a))
                .inspect(|_| {
                    self.token_attempt = Some(features.clone());
                }),
        };
        let (mechanism, client) = match token {
            Some(c) => (c.mechanism(), c),
            None => {
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
                match client {
                    Ok(c) => (mechanism, c),
                    // The configuration cannot serve the mechanism chosen
                    // (e.g. salted keys for PLAIN): none of the acceptable
                    // ones works.
                    Err(_) => {
                        return self.fail(Failure::NoMechanism(
                            xep_sasl::SelectError::NoCommonMechanism,
                        ));
                    }
                }
            }
        };
        let data = client.initial_response();
        if let Some(authentication) = sasl2 {
            // XEP-0397: a resumption binds nothing.
            let isr = self.isr_attempt.is_some();
            let bind2 = self.config.bind2 && authentication.bind2().is_some() && !isr;
            let request = bind2.then(|| bind2::Bind::request(self.config.bind2_tag.clone()));
            let fast = self.token_attempt.is_some().then(|| Fast {
                invalidate: self
                    .config
                    .invalidate_token
                    .then_some(xep_element::XsdBool::new(true)),
                count: self.config.fast_count,
                ..Fast::default()
            });
            let requested = self.token_to_request(&authentication).filter(|_| !isr);
            // XEP-0480: only from a mechanism that checks the password
            // it would salt (not a token, not ANONYMOUS or EXTERNAL,
            // where a wrong one would be salted and stored).
            let by_password = self.token_attempt.is_none()
                && matches!(mechanism, Mechanism::Plain | Mechanism::Scram(_));
            self.upgrades = match &self.config.password {
                Password::Clear(_) if self.config.scram_upgrades && by_password => authentication
                    .upgrades
                    .iter()
                    .filter_map(|u| upgrade::scram_hash(&u.task))
                    .collect(),
                _ => Vec::new(),
            };
            self.token_mechanism = match (requested, client.mechanism()) {
                (Some(m), _) => Some(m),
                (None, Mechanism::Ht(m)) => Some(m),
                _ => None,
            };
            self.out
                .transmit
                .push_back(Transmit::Authenticate(sasl2::Authenticate {
                    mechanism: mechanism.name().to_string(),
                    initial_response: Some(xep_element::Base64(data)),
                    user_agent: Some(self.config.user_agent.clone()),
                    bind2: request,
                    fast,
                    request_token: requested.map(RequestToken::new),
                    upgrades: self
                        .upgrades
                        .iter()
                        .map(|h| upgrade::Upgrade::new(upgrade::scram_task(*h)))
                        .collect(),
                    extensions: self
                        .config
                        .isr
                        .as_ref()
                        .filter(|_| isr)
                        .map(|r| {
                            xep_element::Payload::new(xep_sm::isr::InstResume {
                                with_isr_token: None,
                                resume: r.resume.clone(),
                            })
                        })
                        .into_iter()
                        .collect(),
                }));
            self.sasl2 = Some(bind2);
        } else {
            self.out.transmit.push_back(Transmit::Auth(Auth {
                mechanism: mechanism.name().to_string(),
                data: Some(SaslData(data)),
            }));
        }
        self.sasl = Some(client);
        self.mechanism = Some(mechanism);
        self.state = State::Authenticating;
    }

    /// XEP-0397: the ISR token's mechanism when the server lists it in
    /// `<isr/>`, over TLS, once.
    fn isr_client(&self, features: &Features) -> Option<xep_sasl::client::Client> {
        let isr = self.config.isr.as_ref()?;
        let offer = features.get::<xep_sm::isr::Isr>().and_then(Result::ok)?;
        if self.isr_tried || !self.tls || !offer.lists(isr.mechanism.name()) {
            return None;
        }
        HashedToken::new(
            isr.mechanism,
            &self.config.username,
            &isr.token,
            &self.channel_bindings,
        )
        .ok()
        .map(xep_sasl::client::Client::Ht)
    }

    /// XEP-0484: the token's mechanism when the server lists it in
    /// `<fast/>`, over TLS, with the channel binding it needs.
    fn token_client(&self, a: &Authentication) -> Option<xep_sasl::client::Client> {
        let token = self.config.fast_token.as_ref()?;
        if self.token_refused || !self.tls || !a.fast()?.mechanisms().contains(&token.mechanism) {
            return None;
        }
        HashedToken::new(
            token.mechanism,
            &self.config.username,
            &token.secret,
            &self.channel_bindings,
        )
        .ok()
        .map(xep_sasl::client::Client::Ht)
    }

    /// XEP-0484: the mechanism of the token to ask for, over TLS: the
    /// first of [`Config::request_token`] the server lists that this
    /// connection can bind.
    fn token_to_request(&self, a: &Authentication) -> Option<HtMechanism> {
        let offered = a.fast()?.mechanisms();
        if !self.tls {
            return None;
        }
        self.config.request_token.iter().copied().find(|m| {
            offered.contains(m)
                && m.binding
                    .is_none_or(|t| self.channel_bindings.iter().any(|(have, _)| *have == t))
        })
    }

    fn sasl_element(&mut self, p: &xep_element::Payload) {
        if let Some(bind2) = self.sasl2 {
            return self.sasl2_element(p, bind2);
        }
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

    /// One element of a SASL2 exchange; `bind2`: whether Bind 2 was
    /// requested.
    fn sasl2_element(&mut self, p: &xep_element::Payload, bind2: bool) {
        let Some(sasl) = self.sasl.as_mut() else {
            return self.unexpected("a SASL2 exchange");
        };
        if let Some(Ok(c)) = p.get::<sasl2::Challenge>() {
            match sasl.step(&c.data.0) {
                Ok(r) => self
                    .out
                    .transmit
                    .push_back(Transmit::Sasl2Response(sasl2::Response {
                        data: xep_element::Base64(r),
                    })),
                Err(e) => self.sasl_error(e, true),
            }
        } else if let Some(Ok(s)) = p.get::<sasl2::Success>() {
            let data = s.additional_data.as_ref().map(|d| d.0.as_slice());
            let checked = match (self.verified, data) {
                // Verified at the `<continue/>` already.
                (true, None) if self.task.is_none() => Ok(()),
                (true, _) => Err(PeerError::UnexpectedData.into()),
                (false, data) => sasl.success(data),
            };
            match checked {
                Ok(()) => self.sasl2_success(s, bind2),
                Err(e) => self.sasl_error(e, false),
            }
        } else if let Some(Ok(f)) = p.get::<sasl2::Failure>() {
            if let Some(features) = self.isr_attempt.take() {
                // XEP-0397: the session is gone; authenticate as usual.
                self.sasl = None;
                self.sasl2 = None;
                self.out.events.push_back(Event::InstantResumeRefused {
                    condition: f.condition,
                });
                return self.authenticate(&features);
            }
            if let Some(features) = self.token_attempt.take() {
                // XEP-0484: discard the token, fall back to the password.
                self.token_refused = true;
                self.sasl = None;
                self.sasl2 = None;
                self.out.events.push_back(Event::TokenRefused {
                    condition: f.condition,
                });
                return self.authenticate(&features);
            }
            let texts = f.text.map(|text| xep_core::SaslText { lang: None, text });
            self.fail(Failure::Sasl(SaslFailure {
                condition: f.condition,
                texts: texts.into_iter().collect(),
            }));
        } else if let Some(Ok(c)) = p.get::<sasl2::Continue>() {
            // The mechanism ran to its end: its final data is checked
            // before the tasks are refused, so a forged server is named
            // as such rather than as one asking for tasks.
            let data = c.additional_data.as_ref().map(|d| d.0.as_slice());
            let checked = match (self.verified, data) {
                (true, None) if self.task.is_none() => Ok(()),
                (true, _) => Err(PeerError::UnexpectedData.into()),
                (false, data) => sasl.success(data),
            };
            if let Err(e) = checked {
                return self.sasl_error(e, true);
            }
            self.verified = true;
            // XEP-0480: one task at a time, one the client asked for.
            let task = match c.tasks.tasks.as_slice() {
                [t] => upgrade::scram_hash(t).filter(|h| self.upgrades.contains(h)),
                _ => None,
            };
            let Some(hash) = task else {
                self.out
                    .transmit
                    .push_back(Transmit::Sasl2Abort(sasl2::Abort {
                        text: Some("no such task was asked for".into()),
                        extensions: Vec::new(),
                    }));
                return self.fail(Failure::Sasl2Tasks(c.tasks.tasks));
            };
            self.upgrades.retain(|h| *h != hash);
            self.task = Some(hash);
            self.out
                .transmit
                .push_back(Transmit::Sasl2Next(sasl2::Next {
                    task: upgrade::scram_task(hash).into(),
                    data: Vec::new(),
                }));
        } else if let Some(Ok(t)) = p.get::<sasl2::TaskData>()
            && let Some(hash) = self.task.take()
        {
            self.upgrade_step(hash, &t);
        } else {
            self.unexpected("<challenge/>, <success/>, <continue/> or <failure/> (SASL2)");
        }
    }

    /// XEP-0480: the server's `<salt/>` for the SCRAM task `hash`,
    /// answered with the salted password.
    fn upgrade_step(&mut self, hash: ScramHash, t: &sasl2::TaskData) {
        let salt = match t.data.iter().find_map(|p| p.get::<Salt>()) {
            Some(Ok(s)) => s,
            _ => {
                let e = PeerError::Malformed("an upgrade task's data without <salt/>");
                return self.sasl_error(e.into(), true);
            }
        };
        let Password::Clear(password) = &self.config.password else {
            return self.sasl_error(PeerError::UnexpectedData.into(), true);
        };
        match upgrade::scram_answer(hash, password, &salt, IterationBounds::default()) {
            Ok(answer) => self
                .out
                .transmit
                .push_back(Transmit::Sasl2TaskData(sasl2::TaskData {
                    data: vec![xep_element::Payload::new(answer)],
                })),
            Err(e) => self.sasl_error(e, true),
        }
    }

    /// The account asked for: the authorization identity when configured,
    /// else the username at the domain.
    fn account(&self) -> Option<BareJid> {
        match &self.config.authzid {
            Some(a) => a.parse().ok(),
            None => format!("{}@{}", self.config.username, self.config.domain.to_bare())
                .parse()
                .ok(),
        }
    }

    /// A SASL2 success the mechanism accepted: believed only for the
    /// account asked; with Bind 2, the full JID waits for the features.
    fn sasl2_success(&mut self, s: sasl2::Success, bind2: bool) {
        let received = s.authorization_identifier.clone();
        let expected = self.account();
        let full = received.try_as_full().ok().cloned();
        let unasked_full = full.is_some() && !bind2;
        // ANONYMOUS, and EXTERNAL without an authzid, leave the account
        // to the server: any of its domain.
        let server_chooses = match self.mechanism {
            Some(Mechanism::Anonymous) => true,
            Some(Mechanism::External) => self.config.authzid.is_none(),
            _ => false,
        };
        let believed = if server_chooses {
            received.domain() == self.config.domain.domain()
        } else {
            expected.as_ref() == Some(&received.to_bare())
        };
        if !believed || unasked_full {
            return self.fail(Failure::AuthorizationMismatch { expected, received });
        }
        if self.isr_attempt.take().is_some() {
            let resumed = s
                .extensions
                .iter()
                .find_map(|p| p.get::<xep_sm::isr::InstResumed>());
            let failed = s
                .extensions
                .iter()
                .find_map(|p| p.get::<xep_sm::isr::InstResumeFailed>());
            let previd = self.config.isr.as_ref().map(|r| r.resume.previd.as_str());
            match (resumed, failed) {
                (Some(Ok(r)), None) if Some(r.resumed.previd.as_str()) == previd => {
                    self.isr_resumed = Some(r);
                }
                (None, Some(Ok(f))) => {
                    self.out
                        .events
                        .push_back(Event::InstantResumeFailed(f.failed));
                }
                _ => {
                    return self.protocol(
                        StreamCondition::UndefinedCondition,
                        "an ISR success without <inst-resumed/> of this session or <inst-resume-failed/>",
                    );
                }
            }
        }
        let bound = s.bound;
        if let (Some(token), Some(mechanism)) = (s.token, self.token_mechanism) {
            self.out
                .events
                .push_back(Event::TokenReceived { mechanism, token });
        }
        self.token_attempt = None;
        self.authenticated = true;
        self.used_sasl2 = true;
        self.sasl = None;
        self.sasl2 = None;
        // Bind 2 asked but a bare JID answered: RFC 6120 binding follows.
        self.bound = full.map(|jid| (jid, bound));
        // No stream restart (XEP-0388): the features follow.
        self.state = State::AwaitingFeatures;
    }

    fn ready(&mut self, jid: FullJid, features: Features, bound: Option<Bound>) {
        let Some(mechanism) = self.mechanism else {
            return self.unexpected("authentication first");
        };
        self.state = State::Ready;
        self.out.deadline = None;
        let ready = Ready {
            jid,
            features,
            mechanism,
            tls: self.tls,
            sasl2: self.used_sasl2,
            bound,
            instant_resumed: self.isr_resumed.take(),
        };
        self.out.events.push_back(Event::Ready(Box::new(ready)));
    }

    /// The server's SASL data broke the mechanism: abort an open exchange
    /// and close.
    fn sasl_error(&mut self, e: ClientError, open: bool) {
        if open {
            let abort = match self.sasl2 {
                Some(_) => Transmit::Sasl2Abort(sasl2::Abort::default()),
                None => Transmit::Abort(Abort),
            };
            self.out.transmit.push_back(abort);
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
                (Some(Ok(Bind { jid: Some(jid), .. })), Some(_)) => {
                    let features = self.features.take().unwrap_or_default();
                    match features.get::<xep_core::Session>() {
                        // RFC 6121 Appendix E: only a mandatory session
                        // is established.
                        Some(Ok(s)) if !s.optional => {
                            self.out.transmit.push_back(Transmit::Iq(Iq::set(
                                self.config.session_id.clone(),
                                None,
                                xep_element::Payload::new(xep_core::Session::default()),
                            )));
                            self.features = Some(features);
                            self.session_jid = Some(jid);
                            self.state = State::Session;
                        }
                        _ => self.ready(jid, features, None),
                    }
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

    /// The answer to the legacy session request.
    fn session(&mut self, iq: Iq) {
        match (iq.type_, self.session_jid.take()) {
            (IqType::Result, Some(jid)) => {
                let features = self.features.take().unwrap_or_default();
                self.ready(jid, features, None);
            }
            (IqType::Error, _) => match iq.error {
                Some(e) => self.fail(Failure::Session(Box::new(e))),
                None => self.unexpected("the session result"),
            },
            _ => self.unexpected("the session result"),
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
