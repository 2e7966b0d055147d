//! RFC 6120 server stream negotiation, the receiving entity of a
//! `jabber:client` stream: [`Server`] answers the client's header with
//! its own and the features of each stage (STARTTLS, §5; SASL, §6, with
//! `xep-sasl`'s server mechanisms, XEP-0440 channel-binding types and
//! XEP-0474 downgrade protection; resource binding, §7), and ends with the
//! authenticated bare JID and the bound full JID.
//!
//! The machine decides nothing a server's policy owns: the user's
//! credentials ([`Event::CredentialsRequested`]) and the resource
//! ([`Event::BindRequested`]) are the caller's, asked through events and
//! answered with commands.
//!
//! With [`Config::sasl2`], XEP-0388's `<authentication/>` is offered
//! beside `<mechanisms/>` (the same mechanisms), with XEP-0386's Bind 2
//! listed inline when [`Config::bind2`]: an `<authenticate/>` runs the
//! same mechanisms and credentials event, a Bind 2 request asks the
//! caller through the same [`Event::BindRequested`] (with `inline` set,
//! the client's tag as the resource asked), and `<success/>` names the
//! bare JID, or the full JID with `<bound/>`; the features follow
//! without a stream restart (RFC 6120 binding among them when nothing was
//! bound inline).
//!
//! XEP-0484 (FAST): with [`Config::fast`], the token mechanisms are
//! listed in SASL2's inline `<fast/>` (over TLS only, and those binding
//! to a channel-binding type the connection produces). A client asking
//! for a token (`<request-token/>`) or authenticated with one (a
//! rotation) makes the machine ask the caller for a new token
//! ([`Event::TokenRequested`], answered by [`Server::issue_token`]) before
//! the `<success/>` that carries it. An HT authentication asks for the
//! user's tokens with the same [`Event::CredentialsRequested`] (its
//! mechanism `HT-*`), answered by [`Server::provide_tokens`]; the token
//! that matched is reported ([`Event::TokenUsed`], with the client's
//! `invalidate`) for the caller's slots. TLS 0-RTT is not offered, and
//! the `count` attribute is not checked.
//!
//! XEP-0480: with [`Config::scram_upgrades`], the `UPGR-SCRAM-*` tasks
//! are listed in `<authentication/>`; those the client asks for run once
//! it authenticated, one `<continue/>` each: the client's `<next/>` asks
//! the caller for a salt ([`Event::UpgradeRequested`], answered by
//! [`Server::upgrade_salt`]), and the salted password it answers becomes
//! [`Event::CredentialsUpgraded`] for the caller to store. Tokens
//! (XEP-0484) are issued only after the tasks.
//!
//! ANONYMOUS (RFC 4505, XEP-0175) and EXTERNAL (RFC 4422 Appendix A,
//! XEP-0178's client certificates) are offered when configured, EXTERNAL
//! only over TLS and once the caller said the client presented a
//! certificate ([`Server::client_certificate`]). Neither names an
//! account, so the machine asks the caller for one
//! ([`Event::IdentityRequested`], answered by [`Server::authorize`]):
//! a fresh temporary JID for ANONYMOUS; for EXTERNAL the account the
//! certificate authenticates (the `authzid` asked, if any, must be one of
//! its identities), or none.
//!
//! The legacy session establishment of RFC 3921 ([`Config::session`]):
//! announced after authentication, optional (RFC 6121 Appendix E; a
//! later request is the caller's: [`session_reply`] answers it), or
//! required, as servers before RFC 6121 did, when the machine waits for
//! the request after binding and answers it before [`Event::Ready`].
//!
//! XEP-0484 TLS 0-RTT: [`Server::early_data`] says the `<authenticate/>`
//! came in TLS early data; a token authentication then needs a `count`
//! greater than the token's last ([`Token::count`]), reported in
//! [`Event::TokenUsed`] for the caller to store.
//!
//! XEP-0397 (instant stream resumption): with [`Config::isr`], the
//! `<isr/>` feature lists the token mechanisms (over TLS, with SASL2). An
//! `<authenticate/>` carrying `<inst-resume/>` asks the caller for the
//! session's ISR token ([`Event::IsrTokenRequested`], answered by
//! [`Server::provide_tokens`]; or, with `with-isr-token='false'`, the
//! usual credentials), then for the resumption
//! ([`Event::InstantResumeRequested`], answered by
//! [`Server::instant_resumed`] or [`Server::instant_resume_failed`]).
//!
//! Not covered: SASL2 tasks other than XEP-0480's SCRAM upgrades, features
//! enabled inside the Bind 2 request (ignored; the inline list is
//! empty), and an authorization identity other than the user's own bare
//! JID (`invalid-authzid`).

use std::time::{Duration, Instant};

use xep_core::{
    Auth, Bind, Challenge, Features, Mechanisms, Proceed, Response, SaslCondition, SaslData,
    SaslFailure, SaslText, StartTls, Success,
};
use xep_core::{
    ContentNs, Iq, IqType, StanzaError, StreamCondition, StreamError, StreamEvent, StreamHeader,
};
use xep_element::Payload;
use xep_element::jid::{BareJid, FullJid, Jid};
use xep_sasl::bind2::{self, Bound};
use xep_sasl::fast::{self, Fast};
use xep_sasl::sasl2::{self, Authenticate, Authentication};
use xep_sasl::server::{ChannelBindingOffer, ServerStep, Token};
use xep_sasl::upgrade;
use xep_sasl::{
    ChannelBindingType, HtMechanism, Mechanism, Nonce, SaslChannelBinding, ScramHash,
    StoredCredentials,
};

use crate::component::DEFAULT_TIMEOUT;
use crate::{Failure, Outbox, Transmit, deadline};

/// How a [`Server`] offers STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsOffer {
    /// Offered with `<required/>`: nothing but `<starttls/>` before TLS
    /// (the default; an `<auth/>` in the clear is answered
    /// `encryption-required`).
    Required,
    /// Offered; SASL may also happen in the clear.
    Optional,
    /// Not offered (the transport is already secure, or a test server).
    Never,
}

/// How a [`Server`] announces RFC 3921's session establishment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SessionOffer {
    /// Not announced (the default: RFC 6121 dropped it).
    #[default]
    None,
    /// Announced with `<optional/>` (RFC 6121 Appendix E), for old
    /// clients; a request after [`Event::Ready`] is the caller's
    /// ([`session_reply`]).
    Optional,
    /// Announced as mandatory, as before RFC 6121: the machine waits for
    /// the request after binding and answers it.
    Required,
}

/// The answer to a legacy session request (RFC 3921 §3: an iq `set`
/// with `<session/>`), `None` for any other stanza: a server that
/// announced [`SessionOffer::Optional`] answers it this way after the
/// negotiation.
pub fn session_reply(iq: &Iq) -> Option<Iq> {
    (iq.type_ == IqType::Set && matches!(iq.payload::<xep_core::Session>(), Some(Ok(_))))
        .then(|| iq.result(None))
}

/// What a [`Server`] needs.
#[derive(Clone)]
pub struct Config {
    /// This server's domain: the `from` of its headers and the domain of
    /// the JIDs it authenticates.
    pub domain: BareJid,
    /// The id of the first stream: unique and unpredictable, from the
    /// caller's random number generator. The streams after a restart
    /// get `{stream_id}.2`, `{stream_id}.3`.
    pub stream_id: String,
    /// Random bytes for the SCRAM server nonce, from the caller's CSPRNG
    /// (18 or more); each attempt appends its number.
    pub nonce: Vec<u8>,
    /// The mechanisms offered, preferred first. `-PLUS` ones are
    /// offered only with channel-binding data; PLAIN only over TLS unless
    /// [`plain_in_clear`](Self::plain_in_clear); EXTERNAL only over TLS
    /// with a client certificate ([`Server::client_certificate`]). The
    /// `HT-*` ones belong in [`fast`](Self::fast). Default: the SCRAM
    /// mechanisms strongest first, then PLAIN.
    pub mechanisms: Vec<Mechanism>,
    /// Offer PLAIN on an unencrypted stream (default `false`: refused
    /// with `encryption-required`).
    pub plain_in_clear: bool,
    /// How STARTTLS is offered. Default [`TlsOffer::Required`].
    pub tls: TlsOffer,
    /// Whether the transport is already TLS (XEP-0368 direct TLS; BOSH
    /// over HTTPS; WebSocket over `wss:`), with the channel bindings of
    /// that connection in `channel_bindings`: STARTTLS is then never
    /// offered. See [`over_secure_transport`](Self::over_secure_transport).
    pub tls_at_start: bool,
    /// Channel bindings of a transport that is TLS from the start.
    pub channel_bindings: Vec<(ChannelBindingType, Vec<u8>)>,
    /// Features announced with `<bind/>` after authentication (XEP-0198
    /// stream management, XEP-0352 CSI, ...): the client's
    /// [`client::Ready::features`](crate::client::Ready::features).
    pub bound_features: Vec<Payload>,
    /// Failed SASL attempts allowed before the stream is closed with
    /// `policy-violation` (RFC 6120 §6.4.5). Default 3.
    pub max_attempts: u32,
    /// How long the whole negotiation may take, from [`Server::start`];
    /// `None` for no limit. Default [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
    /// Offer XEP-0388's `<authentication/>` (SASL2) beside
    /// `<mechanisms/>`, with the same mechanisms (default `false`).
    pub sasl2: bool,
    /// With [`sasl2`](Self::sasl2), list XEP-0386's Bind 2 inline
    /// (default `true`).
    pub bind2: bool,
    /// With [`sasl2`](Self::sasl2), the XEP-0484 token mechanisms to list
    /// in SASL2's inline `<fast/>`, preferred first (default empty: no
    /// FAST). Listed only over TLS, and only those whose channel-binding
    /// type the connection produces (`-NONE` always).
    pub fast: Vec<HtMechanism>,
    /// With [`sasl2`](Self::sasl2), the XEP-0480 SCRAM upgrade tasks to
    /// offer (`UPGR-SCRAM-*`: the hashes the caller lacks credentials of;
    /// default empty).
    pub scram_upgrades: Vec<ScramHash>,
    /// Whether and how RFC 3921's session is announced after
    /// authentication (default [`SessionOffer::None`]).
    pub session: SessionOffer,
    /// With [`sasl2`](Self::sasl2), the XEP-0397 token mechanisms to
    /// list in `<isr/>` (default empty: no ISR). Listed over TLS only,
    /// those binding to a type the connection produces.
    pub isr: Vec<HtMechanism>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("domain", &self.domain)
            .field("stream_id", &self.stream_id)
            .field("mechanisms", &self.mechanisms)
            .field("plain_in_clear", &self.plain_in_clear)
            .field("tls", &self.tls)
            .field("tls_at_start", &self.tls_at_start)
            .field("max_attempts", &self.max_attempts)
            .field("timeout", &self.timeout)
            .field("sasl2", &self.sasl2)
            .field("bind2", &self.bind2)
            .field("fast", &self.fast)
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

    /// A server of `domain`, STARTTLS required, SCRAM and PLAIN (over
    /// TLS), three attempts.
    pub fn new(domain: BareJid, stream_id: impl Into<String>, nonce: impl Into<Vec<u8>>) -> Self {
        let mut mechanisms = Mechanism::SCRAM.to_vec();
        mechanisms.push(Mechanism::Plain);
        Config {
            domain,
            stream_id: stream_id.into(),
            nonce: nonce.into(),
            mechanisms,
            plain_in_clear: false,
            tls: TlsOffer::Required,
            tls_at_start: false,
            channel_bindings: Vec::new(),
            bound_features: Vec::new(),
            max_attempts: 3,
            timeout: Some(DEFAULT_TIMEOUT),
            sasl2: false,
            bind2: true,
            fast: Vec::new(),
            scram_upgrades: Vec::new(),
            session: SessionOffer::None,
            isr: Vec::new(),
        }
    }
}

/// Where a [`Server`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not started: [`Server::start`] arms the timeout.
    Idle,
    /// Waiting for the client's stream header (the first, or a restart).
    AwaitingHeader,
    /// The features were sent; waiting for `<starttls/>`, `<auth/>` or the
    /// bind request, as the stage allows.
    AwaitingRequest,
    /// `<proceed/>` was sent ([`Event::StartTls`]): the caller upgrades
    /// the transport and calls [`Server::tls_established`].
    TlsHandshake,
    /// A SASL exchange is open; waiting for the client's `<response/>`.
    Authenticating,
    /// [`Event::CredentialsRequested`]: the caller calls
    /// [`Server::provide_credentials`].
    AwaitingCredentials,
    /// [`Event::BindRequested`]: the caller calls [`Server::bind`] or
    /// [`Server::refuse_bind`].
    AwaitingResource,
    /// [`Event::TokenRequested`]: the caller calls
    /// [`Server::issue_token`].
    AwaitingToken,
    /// XEP-0480: a SASL2 upgrade task runs; waiting for the client's
    /// `<next/>` or `<task-data/>`.
    Tasks,
    /// XEP-0480: [`Event::UpgradeRequested`]: the caller calls
    /// [`Server::upgrade_salt`].
    AwaitingSalt,
    /// [`Event::IdentityRequested`] (ANONYMOUS, EXTERNAL): the caller
    /// calls [`Server::authorize`].
    AwaitingIdentity,
    /// Bound, with [`SessionOffer::Required`]: waiting for the session
    /// request.
    AwaitingSession,
    /// [`Event::InstantResumeRequested`]: the caller calls
    /// [`Server::instant_resumed`] or [`Server::instant_resume_failed`].
    AwaitingResumption,
    /// Negotiated ([`Event::Ready`]): every later input is the caller's.
    Ready,
    /// Failed ([`Event::Failed`]); the stream is closed.
    Failed,
}

/// The end of a successful negotiation.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    /// The authenticated account.
    pub bare: BareJid,
    /// The full JID bound.
    pub jid: FullJid,
    /// The mechanism used.
    pub mechanism: Mechanism,
    /// Whether the stream is encrypted (STARTTLS or direct TLS).
    pub tls: bool,
    /// Whether authentication was XEP-0388's (SASL2).
    pub sasl2: bool,
    /// Whether the resource was bound inside SASL2 (XEP-0386).
    pub bind2: bool,
    /// Whether the stream was resumed inside SASL2 (XEP-0397): `jid` is
    /// the resumed session's, nothing was bound.
    pub instant_resumed: bool,
}

/// What happened, for the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `<proceed/>` is queued: write it, start TLS on the transport (the
    /// server side of the handshake), then call
    /// [`Server::tls_established`]. Use a new stream reader for the
    /// encrypted stream.
    StartTls,
    /// Look the user up and call [`Server::provide_credentials`] (for an
    /// `HT-*` mechanism, XEP-0484: [`Server::provide_tokens`] with the
    /// user's unexpired tokens of that mechanism).
    CredentialsRequested {
        /// The authentication identity (SASLprep'd).
        username: String,
        /// The mechanism the client chose.
        mechanism: Mechanism,
    },
    /// XEP-0397: the client resumes `resume.previd` authenticating with
    /// its ISR token: call [`Server::provide_tokens`] with that session's
    /// ISR token (if the session is the user's and still detached; else
    /// none). Whatever the outcome, the token is spent: destroy it (and,
    /// if the authentication fails, the session, XEP-0397 §5.2.4).
    IsrTokenRequested {
        /// The authentication identity.
        username: String,
        /// The mechanism (the token's pin).
        mechanism: Mechanism,
        /// The session to resume.
        resume: xep_sm::Resume,
    },
    /// XEP-0397: authenticated, the client asks to resume `resume`: call
    /// [`Server::instant_resumed`] (its `StreamManager` resumed: the
    /// session's JID, a new token, the server's `h`) or
    /// [`Server::instant_resume_failed`].
    InstantResumeRequested {
        /// The authenticated account (the session must be its own).
        bare: BareJid,
        /// The `<resume/>` (the client's `h`, the SM-ID).
        resume: xep_sm::Resume,
    },
    /// ANONYMOUS or EXTERNAL succeeded, and neither names an account:
    /// call [`Server::authorize`] with the account (ANONYMOUS: a fresh
    /// temporary JID of this domain; EXTERNAL: the one the client's
    /// certificate authenticates, which must be `authzid` when given) or
    /// `None` (refused, `not-authorized`).
    IdentityRequested {
        /// [`Mechanism::Anonymous`] or [`Mechanism::External`].
        mechanism: Mechanism,
        /// EXTERNAL: the authorization identity asked for, if any.
        authzid: Option<String>,
        /// ANONYMOUS: the client's trace, if any (RFC 4505 §2; for logs
        /// only, never an identity).
        trace: Option<String>,
    },
    /// An attempt failed (the `<failure/>` is queued); the client may try
    /// again, up to [`Config::max_attempts`].
    AuthenticationFailed {
        /// The condition sent.
        condition: SaslCondition,
        /// Failed attempts so far.
        attempts: u32,
    },
    /// RFC 6120 SASL succeeded (`<success/>` is queued) and the stream
    /// restarts: call
    /// [`StreamReader::restart`](xep_core::StreamReader::restart) before
    /// reading on. Never after SASL2, which has no restart.
    StreamRestart,
    /// The client asks to bind a resource (`None`: the server chooses):
    /// call [`Server::bind`] with the full JID, or [`Server::refuse_bind`].
    BindRequested {
        /// The authenticated account.
        bare: BareJid,
        /// The resource asked for; with `inline`, XEP-0386's tag, which
        /// the server SHOULD put in the resource it generates (XEP-0386
        /// recommends `{tag}/{generated}`).
        resource: Option<String>,
        /// XEP-0386: the request came inside SASL2 `<authenticate/>`; the
        /// answer goes in SASL2's `<success/>` (a refusal is a
        /// `<failure/>`, `temporary-auth-failure`).
        inline: bool,
    },
    /// XEP-0484: the client authenticated with the token at this index of
    /// those given to [`Server::provide_tokens`]. Tokens issued earlier
    /// than it are now invalid; with `invalidate`, it is too (the client
    /// logs out).
    TokenUsed {
        /// The authenticated account.
        bare: BareJid,
        /// The index of the token matched.
        matched: usize,
        /// The client asked for the token to be invalidated.
        invalidate: bool,
        /// The `count` of the client's `<fast/>` (TLS 0-RTT): store it
        /// as the token's [`Token::count`].
        count: Option<u32>,
    },
    /// XEP-0484: a new token is due, asked for (`requested`) or a
    /// rotation after a token authentication: call
    /// [`Server::issue_token`] with a token of `mechanism` (fresh random
    /// secret, at least 128 bits) and its expiry, or `None` (no rotation
    /// now). Keep it in the "new" slot until the client uses it.
    TokenRequested {
        /// The authenticated account.
        bare: BareJid,
        /// The mechanism the token is for.
        mechanism: HtMechanism,
        /// Whether the client asked (`<request-token/>`).
        requested: bool,
    },
    /// XEP-0480: the client started the SCRAM upgrade task for `hash`:
    /// call [`Server::upgrade_salt`] with a fresh random salt and the
    /// iteration count for the new credentials.
    UpgradeRequested {
        /// The authenticated account.
        bare: BareJid,
        /// The hash of the SCRAM mechanism to upgrade to.
        hash: ScramHash,
    },
    /// XEP-0480: the account's credentials for a new SCRAM hash, derived
    /// from the salted password the client sent: store them.
    CredentialsUpgraded {
        /// The authenticated account.
        bare: BareJid,
        /// The new credentials.
        credentials: StoredCredentials,
    },
    /// Negotiated (the bind result is queued).
    Ready(Box<Ready>),
    /// The negotiation failed.
    Failed(Failure),
}

/// The receiving entity's end of RFC 6120 c2s negotiation.
///
/// Input: [`handle_stream_event`](Self::handle_stream_event) with each
/// event of the caller's stream reader, and
/// [`handle_timeout`](Self::handle_timeout); commands:
/// [`start`](Self::start), [`tls_established`](Self::tls_established),
/// [`provide_credentials`](Self::provide_credentials),
/// [`provide_tokens`](Self::provide_tokens),
/// [`issue_token`](Self::issue_token),
/// [`upgrade_salt`](Self::upgrade_salt),
/// [`bind`](Self::bind), [`refuse_bind`](Self::refuse_bind).
/// Output: [`poll_transmit`](Self::poll_transmit),
/// [`poll_event`](Self::poll_event), [`poll_timeout`](Self::poll_timeout).
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract").
pub struct Server {
    config: Config,
    state: State,
    tls: bool,
    channel_bindings: Vec<(ChannelBindingType, Vec<u8>)>,
    streams: u32,
    /// The mechanisms of the last features sent.
    offered: Vec<Mechanism>,
    sasl: Option<xep_sasl::server::Server>,
    /// The account and mechanism, once SASL succeeded.
    authenticated: Option<(BareJid, Mechanism)>,
    attempts: u32,
    bind_request: Option<Iq>,
    /// The token mechanisms of the last features sent (XEP-0484).
    offered_fast: Vec<HtMechanism>,
    /// The ISR mechanisms of the last features sent (XEP-0397).
    offered_isr: Vec<HtMechanism>,
    /// `Some` while a SASL2 exchange is open: what it asks inline.
    sasl2: Option<Sasl2Request>,
    /// A SASL2 success waiting for the caller (a token, a resource).
    sasl2_pending: Option<Sasl2Pending>,
    /// Whether authentication was SASL2.
    used_sasl2: bool,
    /// The caller said the client presented a TLS certificate.
    client_certificate: bool,
    /// XEP-0397: the resumption the caller was asked for.
    isr_resume: Option<xep_sm::Resume>,
    /// The caller said the input comes in TLS 0-RTT data.
    early_data: bool,
    /// The replay counts of the tokens provided (XEP-0484).
    token_counts: Vec<Option<u32>>,
    /// ANONYMOUS or EXTERNAL: the authzid and additional data, until
    /// [`Server::authorize`].
    identity: Option<(Option<String>, Option<Vec<u8>>)>,
    /// With [`SessionOffer::Required`]: the end, once the session is
    /// established.
    session_ready: Option<Ready>,
    out: Outbox<Event>,
}

/// What an `<authenticate/>` asks besides authentication.
#[derive(Debug, Clone, Default)]
struct Sasl2Request {
    /// The Bind 2 request.
    bind: Option<bind2::Bind>,
    /// XEP-0484: the mechanism of the token asked for (one offered).
    request_token: Option<HtMechanism>,
    /// XEP-0484: invalidate the token used.
    invalidate: bool,
    /// XEP-0484: the replay counter of `<fast/>`.
    count: Option<u32>,
    /// XEP-0480: the SCRAM upgrade tasks asked for (and offered).
    upgrades: Vec<ScramHash>,
    /// XEP-0397: the resumption asked for.
    isr: Option<xep_sm::isr::InstResume>,
}

/// A SASL2 success waiting for the caller.
#[derive(Debug, Clone)]
struct Sasl2Pending {
    /// The mechanism's additional data.
    additional_data: Option<Vec<u8>>,
    /// The Bind 2 request, until the caller is asked.
    bind: Option<bind2::Bind>,
    /// The token the caller issued.
    token: Option<fast::Token>,
    /// XEP-0484: the token to ask the caller for (its mechanism, and
    /// whether the client asked).
    token_for: Option<(HtMechanism, bool)>,
    /// XEP-0480: the upgrade tasks still to run.
    upgrades: Vec<ScramHash>,
    /// XEP-0480: the task running, with the salt the caller gave.
    task: Option<(ScramHash, Option<upgrade::Salt>)>,
    /// XEP-0397: the resumption to ask the caller for.
    isr: Option<xep_sm::Resume>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("state", &self.state)
            .field("tls", &self.tls)
            .field("authenticated", &self.authenticated)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A server end that has received nothing yet.
    pub fn new(config: Config) -> Self {
        Server {
            tls: config.tls_at_start,
            channel_bindings: config.channel_bindings.clone(),
            config,
            state: State::Idle,
            streams: 0,
            offered: Vec::new(),
            offered_fast: Vec::new(),
            offered_isr: Vec::new(),
            sasl: None,
            authenticated: None,
            attempts: 0,
            bind_request: None,
            sasl2: None,
            sasl2_pending: None,
            used_sasl2: false,
            client_certificate: false,
            isr_resume: None,
            early_data: false,
            token_counts: Vec::new(),
            identity: None,
            session_ready: None,
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

    /// The connection is open: waits for the client's header and starts
    /// the timeout.
    pub fn start(&mut self, now: Instant) -> Result<(), crate::Error<State>> {
        if self.state != State::Idle {
            return Err(self.wrong("start"));
        }
        self.out.deadline = deadline(now, self.config.timeout);
        self.state = State::AwaitingHeader;
        Ok(())
    }

    /// The transport is now TLS (after [`Event::StartTls`]), with these
    /// channel bindings (empty when it cannot produce any: no `-PLUS`
    /// then); waits for the client's new header.
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
        self.state = State::AwaitingHeader;
        Ok(())
    }

    /// The client presented a TLS certificate (or not): with
    /// [`Mechanism::External`] configured, EXTERNAL is offered in the
    /// features sent from now on (over TLS). Call it before
    /// [`start`](Self::start) for direct TLS, or before
    /// [`tls_established`](Self::tls_established).
    pub fn client_certificate(
        &mut self,
        _now: Instant,
        present: bool,
    ) -> Result<(), crate::Error<State>> {
        let before = matches!(
            self.state,
            State::Idle | State::TlsHandshake | State::AwaitingHeader
        );
        if !before || self.authenticated.is_some() {
            return Err(self.wrong("client_certificate"));
        }
        self.client_certificate = present;
        Ok(())
    }

    /// XEP-0484: whether what follows arrives in TLS 0-RTT (early) data,
    /// which an attacker can replay: a token authentication then needs a
    /// `count` greater than the token's last, and every other mechanism
    /// is refused (`encryption-required`) until the handshake completes
    /// and the caller says `false`.
    pub fn early_data(&mut self, _now: Instant, early: bool) -> Result<(), crate::Error<State>> {
        if matches!(self.state, State::Ready | State::Failed) {
            return Err(self.wrong("early_data"));
        }
        self.early_data = early;
        Ok(())
    }

    /// The account after [`Event::IdentityRequested`]: a JID of this
    /// server's domain (another is refused with
    /// [`Error::Refused`](crate::Error::Refused)), or `None`: the attempt
    /// fails with `not-authorized`.
    pub fn authorize(
        &mut self,
        _now: Instant,
        account: Option<BareJid>,
    ) -> Result<(), crate::Error<State>> {
        if self.state != State::AwaitingIdentity {
            return Err(self.wrong("authorize"));
        }
        if let Some(a) = &account
            && a.domain() != self.config.domain.domain()
        {
            return Err(crate::Error::Refused {
                action: "authorize",
                reason: "an account of another domain",
            });
        }
        let (_, additional_data) = self.identity.take().unwrap_or_default();
        match account {
            Some(bare) => self.authenticated_as(bare, additional_data),
            None => self.sasl_failure(
                SaslCondition::NotAuthorized,
                "no account for these credentials",
            ),
        }
        Ok(())
    }

    /// The user's stored credentials after
    /// [`Event::CredentialsRequested`] (`None`: no such user, answered
    /// `not-authorized` like a wrong password). Credentials the
    /// mechanism cannot use (another hash) are answered
    /// `temporary-auth-failure`. A client's `<abort/>` while the caller
    /// looks up ends the attempt: the answer is then `WrongState`.
    pub fn provide_credentials(
        &mut self,
        _now: Instant,
        credentials: Option<StoredCredentials>,
    ) -> Result<(), crate::Error<State>> {
        if self.state != State::AwaitingCredentials {
            return Err(self.wrong("provide_credentials"));
        }
        let step = match self.sasl.as_mut() {
            Some(xep_sasl::server::Server::Ht(_)) | None => {
                return Err(self.wrong("provide_credentials"));
            }
            Some(sasl) => sasl.provide(credentials),
        };
        self.sasl_step(step);
        Ok(())
    }

    /// XEP-0484: the user's tokens after [`Event::CredentialsRequested`]
    /// for an `HT-*` mechanism: those of that mechanism that have not
    /// expired nor been revoked ("new" slot first, then "current"). Empty:
    /// none, answered `credentials-expired` (the client falls back to
    /// its password); no match: `not-authorized`.
    pub fn provide_tokens(
        &mut self,
        _now: Instant,
        tokens: Vec<Token>,
    ) -> Result<(), crate::Error<State>> {
        let step = match (self.state, self.sasl.as_mut()) {
            (State::AwaitingCredentials, Some(sasl @ xep_sasl::server::Server::Ht(_))) => {
                self.token_counts = tokens.iter().map(|t| t.count).collect();
                sasl.provide_tokens(tokens)
            }
            _ => return Err(self.wrong("provide_tokens")),
        };
        self.sasl_step(step);
        Ok(())
    }

    /// XEP-0480: the salt and iteration count for the upgrade after
    /// [`Event::UpgradeRequested`] (the salt fresh from the caller's
    /// random number generator, not empty), sent in `<task-data/>`.
    pub fn upgrade_salt(
        &mut self,
        _now: Instant,
        salt: upgrade::Salt,
    ) -> Result<(), crate::Error<State>> {
        let pending = self.sasl2_pending.as_mut();
        let (
            State::AwaitingSalt,
            Some(Sasl2Pending {
                task: Some((_, slot @ None)),
                ..
            }),
        ) = (self.state, pending)
        else {
            return Err(self.wrong("upgrade_salt"));
        };
        *slot = Some(salt.clone());
        self.out
            .transmit
            .push_back(Transmit::Sasl2TaskData(sasl2::TaskData {
                data: vec![Payload::new(salt)],
            }));
        self.state = State::Tasks;
        Ok(())
    }

    /// XEP-0484: the token after [`Event::TokenRequested`] (`None`: none
    /// now), sent in SASL2's `<success/>`; the negotiation goes on
    /// (Bind 2's [`Event::BindRequested`], or the success).
    pub fn issue_token(
        &mut self,
        _now: Instant,
        token: Option<fast::Token>,
    ) -> Result<(), crate::Error<State>> {
        let (State::AwaitingToken, Some(pending)) = (self.state, self.sasl2_pending.as_mut())
        else {
            return Err(self.wrong("issue_token"));
        };
        pending.token = token;
        self.sasl2_continue();
        Ok(())
    }

    /// Binds `jid` (the account's bare JID and the resource the caller
    /// chose: the one asked for, or its own) after
    /// [`Event::BindRequested`]: queues the result and ends the
    /// negotiation. For an `inline` (XEP-0386) request the result is
    /// SASL2's `<success/>` naming `jid`, with `<bound/>`, followed by the
    /// features of the session ([`Config::bound_features`]).
    pub fn bind(&mut self, _now: Instant, jid: FullJid) -> Result<(), crate::Error<State>> {
        if self.state == State::AwaitingResource
            && let Some(pending) = self.sasl2_pending.take()
        {
            return self.bind_inline(jid, pending);
        }
        let (State::AwaitingResource, Some(request), Some((bare, mechanism))) = (
            self.state,
            self.bind_request.as_ref(),
            self.authenticated.as_ref(),
        ) else {
            return Err(self.wrong("bind"));
        };
        let result = request.result(Some(Payload::new(Bind {
            jid: Some(jid.clone()),
            ..Bind::default()
        })));
        let ready = Ready {
            bare: bare.clone(),
            jid,
            mechanism: *mechanism,
            tls: self.tls,
            sasl2: self.used_sasl2,
            bind2: false,
            instant_resumed: false,
        };
        self.bind_request = None;
        self.out.transmit.push_back(Transmit::Iq(result));
        if self.config.session == SessionOffer::Required {
            self.session_ready = Some(ready);
            self.state = State::AwaitingSession;
            return Ok(());
        }
        self.finish(ready);
        Ok(())
    }

    /// XEP-0397, after [`Event::InstantResumeRequested`]: the caller's
    /// `StreamManager` resumed the session of `jid` (`h`: the stanzas
    /// the server handled on it; `token`: a new ISR token, fresh from the
    /// caller's CSPRNG): queues SASL2's `<success/>` with
    /// `<inst-resumed/>`, then the features of the session
    /// ([`Config::bound_features`]), and ends the negotiation.
    pub fn instant_resumed(
        &mut self,
        _now: Instant,
        jid: FullJid,
        token: impl Into<String>,
        h: u32,
    ) -> Result<(), crate::Error<State>> {
        let (State::AwaitingResumption, Some(resume), Some((bare, mechanism))) = (
            self.state,
            self.isr_resume.as_ref(),
            self.authenticated.clone(),
        ) else {
            return Err(self.wrong("instant_resumed"));
        };
        if jid.to_bare() != bare {
            return Err(crate::Error::Refused {
                action: "instant_resumed",
                reason: "a session of another account",
            });
        }
        let token = token.into();
        if token.is_empty() {
            return Err(crate::Error::Refused {
                action: "instant_resumed",
                reason: "an empty ISR token",
            });
        }
        let resumed = xep_sm::isr::InstResumed {
            token,
            resumed: xep_sm::Resumed {
                h,
                previd: resume.previd.clone(),
            },
        };
        self.isr_success(&bare, Payload::new(resumed));
        self.out.transmit.push_back(Transmit::Features(Features {
            features: self.config.bound_features.clone(),
        }));
        let ready = Ready {
            bare,
            jid,
            mechanism,
            tls: self.tls,
            sasl2: true,
            bind2: false,
            instant_resumed: true,
        };
        self.finish(ready);
        Ok(())
    }

    /// XEP-0397, after [`Event::InstantResumeRequested`]: the session
    /// cannot be resumed (`failed`, as the caller's `StreamManager` gave
    /// it): queues SASL2's `<success/>` with `<inst-resume-failed/>`; the
    /// client is authenticated and binding follows.
    pub fn instant_resume_failed(
        &mut self,
        _now: Instant,
        failed: xep_sm::Failed,
    ) -> Result<(), crate::Error<State>> {
        let (State::AwaitingResumption, Some((bare, _))) = (self.state, self.authenticated.clone())
        else {
            return Err(self.wrong("instant_resume_failed"));
        };
        self.isr_success(
            &bare,
            Payload::new(xep_sm::isr::InstResumeFailed { failed }),
        );
        self.features();
        Ok(())
    }

    /// Refuses the bind request after [`Event::BindRequested`] with
    /// `error` (RFC 6120 §7.6.2: `conflict`, `not-allowed`,
    /// `resource-constraint`; `bad-request` for a malformed resource):
    /// queues the iq error; the client may ask again. An `inline`
    /// (XEP-0386) request is refused inside SASL2, which has no bind
    /// error: a `<failure/>` with `temporary-auth-failure` and the
    /// condition in its text, a failed attempt
    /// ([`Event::AuthenticationFailed`]).
    pub fn refuse_bind(
        &mut self,
        _now: Instant,
        error: StanzaError,
    ) -> Result<(), crate::Error<State>> {
        if self.state != State::AwaitingResource {
            return Err(self.wrong("refuse_bind"));
        }
        if self.sasl2_pending.take().is_some() {
            // Answered in the SASL2 exchange: a failed attempt.
            self.authenticated = None;
            self.sasl2 = Some(Sasl2Request::default());
            let text = format!("resource binding refused: {:?}", error.condition);
            self.sasl_failure(SaslCondition::TemporaryAuthFailure, &text);
            return Ok(());
        }
        let Some(request) = self.bind_request.take() else {
            return Err(self.wrong("refuse_bind"));
        };
        self.out
            .transmit
            .push_back(Transmit::Iq(request.error_reply(error)));
        self.state = State::AwaitingRequest;
        Ok(())
    }

    /// One event of the stream from the client. `false` when it is not the
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
            StreamEvent::Header(h) => self.header(h),
            StreamEvent::Element(p) => match self.state {
                State::AwaitingRequest => self.request(p),
                State::Authenticating | State::AwaitingCredentials => self.response(p),
                State::Tasks => self.task_element(p),
                State::AwaitingSession => self.session_request(p),
                // The client waits for our answer (or for TLS): anything
                // now is out of turn.
                _ => self.unexpected("nothing while the server answers"),
            },
            StreamEvent::Rejected { .. } | StreamEvent::End => {}
        }
        true
    }

    /// Answers a header (or, failing before one came, precedes the
    /// stream error, RFC 6120 §4.9.1.2) with this server's, and a
    /// fresh stream id.
    fn send_header(&mut self, to: Option<Jid>) {
        self.streams += 1;
        let id = match self.streams {
            1 => self.config.stream_id.clone(),
            n => format!("{}.{n}", self.config.stream_id),
        };
        self.out.transmit.push_back(Transmit::Header(StreamHeader {
            from: Some(Jid::from(self.config.domain.clone())),
            to,
            id: Some(id),
            version: Some("1.0".into()),
            ..Default::default()
        }));
    }

    fn header(&mut self, h: &StreamHeader) {
        self.send_header(h.from.clone());
        if h.content != ContentNs::Client {
            return self.protocol(
                StreamCondition::InvalidNamespace,
                "this port accepts jabber:client streams",
            );
        }
        if h.to.as_ref().map(Jid::to_bare).as_ref() != Some(&self.config.domain) {
            return self.protocol(StreamCondition::HostUnknown, "not a domain served here");
        }
        self.features();
    }

    /// The mechanisms offered now: PLAIN only over TLS (unless
    /// configured), `-PLUS` only with channel-binding data.
    fn mechanisms_now(&self) -> Vec<Mechanism> {
        let cb = self.tls && !self.channel_bindings.is_empty();
        self.config
            .mechanisms
            .iter()
            .copied()
            .filter(|m| match m {
                Mechanism::Plain => self.tls || self.config.plain_in_clear,
                Mechanism::Scram(s) => !s.plus || cb,
                Mechanism::Anonymous => true,
                Mechanism::External => self.tls && self.client_certificate,
                Mechanism::Ht(_) => false,
            })
            .collect()
    }

    /// The token mechanisms offered now (XEP-0484): over TLS only, those
    /// binding to a type this connection produces.
    fn fast_now(&self) -> Vec<HtMechanism> {
        self.tokens_now(&self.config.fast)
    }

    /// Those of `mechanisms` usable now: over TLS only, those binding to
    /// a type this connection produces.
    fn tokens_now(&self, mechanisms: &[HtMechanism]) -> Vec<HtMechanism> {
        if !self.tls {
            return Vec::new();
        }
        mechanisms
            .iter()
            .copied()
            .filter(|m| {
                m.binding
                    .is_none_or(|t| self.channel_bindings.iter().any(|(have, _)| *have == t))
            })
            .collect()
    }

    /// Whether STARTTLS must come first.
    fn tls_pending(&self) -> bool {
        !self.tls && self.config.tls == TlsOffer::Required
    }

    fn features(&mut self) {
        let mut features = Vec::new();
        if self.authenticated.is_some() {
            features.push(Payload::new(Bind::default()));
            if self.config.session != SessionOffer::None {
                features.push(Payload::new(xep_core::Session {
                    optional: self.config.session == SessionOffer::Optional,
                }));
            }
            features.extend(self.config.bound_features.iter().cloned());
        } else {
            if !self.tls && self.config.tls != TlsOffer::Never {
                features.push(Payload::new(StartTls {
                    required: self.tls_pending(),
                }));
            }
            self.offered = if self.tls_pending() {
                Vec::new()
            } else {
                self.mechanisms_now()
            };
            if !self.offered.is_empty() {
                features.push(Payload::new(Mechanisms {
                    mechanisms: self.offered.iter().map(|m| m.name().into()).collect(),
                    extensions: Vec::new(),
                }));
                if self.config.sasl2 {
                    self.offered_fast = self.fast_now();
                    let fast = (!self.offered_fast.is_empty())
                        .then(|| Fast::offer(self.offered_fast.iter().copied()));
                    let bind2 = self.config.bind2.then(bind2::Bind::default);
                    let inline = (bind2.is_some() || fast.is_some()).then(|| sasl2::Inline {
                        bind2,
                        fast,
                        ..sasl2::Inline::default()
                    });
                    features.push(Payload::new(Authentication {
                        mechanisms: self.offered.iter().map(|m| m.name().into()).collect(),
                        inline,
                        upgrades: self
                            .config
                            .scram_upgrades
                            .iter()
                            .map(|h| upgrade::Upgrade::new(upgrade::scram_task(*h)))
                            .collect(),
                    }));
                }
            }
            if let Some(cb) = self.advertised_bindings() {
                features.push(Payload::new(cb));
            }
            self.offered_isr = if self.config.sasl2 && !self.offered.is_empty() {
                self.tokens_now(&self.config.isr)
            } else {
                Vec::new()
            };
            if !self.offered_isr.is_empty() {
                features.push(Payload::new(xep_sm::isr::Isr::offer(
                    self.offered_isr.iter().map(|m| m.name()),
                )));
            }
        }
        self.out
            .transmit
            .push_back(Transmit::Features(Features { features }));
        self.state = State::AwaitingRequest;
    }

    /// XEP-0440's `<sasl-channel-binding/>`, when `-PLUS` is offered.
    fn advertised_bindings(&self) -> Option<SaslChannelBinding> {
        self.offered
            .iter()
            .any(|m| m.is_plus())
            .then(|| SaslChannelBinding::new(self.channel_bindings.iter().map(|(t, _)| t.name())))
    }

    fn request(&mut self, p: &Payload) {
        if self.authenticated.is_some() {
            return match p.get::<Iq>() {
                Some(Ok(iq)) => self.bind_request(iq),
                _ => self.unexpected("the bind request"),
            };
        }
        if let Some(Ok(_)) = p.get::<StartTls>() {
            if self.tls || self.config.tls == TlsOffer::Never {
                return self.unexpected("no <starttls/> where it is not offered");
            }
            self.out.transmit.push_back(Transmit::Proceed(Proceed));
            self.state = State::TlsHandshake;
            self.out.events.push_back(Event::StartTls);
        } else if let Some(Ok(auth)) = p.get::<Auth>() {
            self.sasl2 = None;
            self.auth(&auth.mechanism, auth.data.map(|d| d.0));
        } else if let Some(Ok(a)) = p.get::<Authenticate>()
            && self.config.sasl2
        {
            self.authenticate(a);
        } else {
            // RFC 6120 §4.9.3.12: data before authentication.
            self.protocol(
                StreamCondition::NotAuthorized,
                "only <starttls/> and <auth/> before authentication",
            );
        }
    }

    /// XEP-0388's `<authenticate/>`: the same mechanisms, answered in
    /// SASL2's elements, with the Bind 2 request kept for the success.
    fn authenticate(&mut self, a: Authenticate) {
        let bind = a.bind2.filter(|_| self.config.bind2);
        // XEP-0484: a token only for a mechanism offered.
        let request_token = a
            .request_token
            .and_then(|r| HtMechanism::from_name(&r.mechanism))
            .filter(|m| self.offered_fast.contains(m));
        // XEP-0480: the SCRAM tasks asked for and offered.
        let upgrades = a
            .upgrades
            .iter()
            .filter_map(|u| upgrade::scram_hash(&u.task))
            .filter(|h| self.config.scram_upgrades.contains(h))
            .collect();
        let isr = a
            .extensions
            .iter()
            .find_map(|p| p.get::<xep_sm::isr::InstResume>())
            .and_then(Result::ok);
        if isr.is_some() && self.offered_isr.is_empty() {
            self.sasl2 = Some(Sasl2Request::default());
            return self.sasl_failure(SaslCondition::MalformedRequest, "ISR not offered");
        }
        self.sasl2 = Some(Sasl2Request {
            // A resumption binds nothing.
            bind: bind.filter(|_| isr.is_none()),
            request_token,
            invalidate: a.fast.as_ref().is_some_and(Fast::invalidates),
            count: a.fast.as_ref().and_then(|f| f.count),
            upgrades,
            isr,
        });
        self.auth(&a.mechanism, a.initial_response.map(|d| d.0));
    }

    fn auth(&mut self, mechanism: &str, data: Option<Vec<u8>>) {
        let Some(mechanism) = Mechanism::from_name(mechanism) else {
            return self.sasl_failure(SaslCondition::InvalidMechanism, "unknown mechanism");
        };
        let plain_refused =
            mechanism == Mechanism::Plain && !self.tls && !self.config.plain_in_clear;
        if self.tls_pending() || plain_refused {
            return self.sasl_failure(SaslCondition::EncryptionRequired, "STARTTLS first");
        }
        if self.early_data && !matches!(mechanism, Mechanism::Ht(_)) {
            // Replayable: only a token with its count (XEP-0484).
            return self.sasl_failure(
                SaslCondition::EncryptionRequired,
                "only FAST in TLS 0-RTT data",
            );
        }
        let isr = self.sasl2.as_ref().and_then(|r| r.isr.as_ref());
        let offered = match (mechanism, isr) {
            // XEP-0397: with the ISR token, an ISR mechanism only.
            (Mechanism::Ht(m), Some(i)) if i.uses_token() => self.offered_isr.contains(&m),
            (_, Some(i)) if i.uses_token() => false,
            // XEP-0484: token mechanisms inside SASL2 only.
            (Mechanism::Ht(m), _) => self.sasl2.is_some() && self.offered_fast.contains(&m),
            (m, _) => self.offered.contains(&m),
        };
        if !offered {
            return self.sasl_failure(SaslCondition::InvalidMechanism, "not offered");
        }
        let cb =
            if matches!(mechanism, Mechanism::Ht(_)) || self.offered.iter().any(|m| m.is_plus()) {
                ChannelBindingOffer::new(self.channel_bindings.clone())
            } else {
                ChannelBindingOffer::none()
            };
        let mut nonce = self.config.nonce.clone();
        nonce.extend(self.attempts.to_be_bytes());
        let sasl = match xep_sasl::server::Server::new(mechanism, Nonce::from_random(&nonce), cb) {
            Ok(xep_sasl::server::Server::Scram(s)) => {
                let names: Vec<&str> = self.offered.iter().map(|m| m.name()).collect();
                let types: Option<Vec<&str>> = self.advertised_bindings().map(|_| {
                    self.channel_bindings
                        .iter()
                        .map(|(t, _)| t.name())
                        .collect()
                });
                xep_sasl::server::Server::Scram(Box::new(
                    s.with_downgrade_protection(&names, types.as_deref()),
                ))
            }
            Ok(s) => s,
            Err(_) => {
                return self.sasl_failure(SaslCondition::TemporaryAuthFailure, "no server nonce");
            }
        };
        self.sasl = Some(sasl);
        match data {
            Some(data) => self.client_message(&data),
            // Every mechanism here is client-first: an empty challenge
            // asks for the first message.
            None => {
                self.challenge(Vec::new());
                self.state = State::Authenticating;
            }
        }
    }

    /// A challenge, in the profile of the open exchange.
    fn challenge(&mut self, data: Vec<u8>) {
        let t = match (&self.sasl2, data.is_empty()) {
            (Some(_), _) => Transmit::Sasl2Challenge(sasl2::Challenge {
                data: xep_element::Base64(data),
            }),
            (None, true) => Transmit::Challenge(Challenge { data: None }),
            (None, false) => Transmit::Challenge(Challenge {
                data: Some(SaslData(data)),
            }),
        };
        self.out.transmit.push_back(t);
    }

    fn response(&mut self, p: &Payload) {
        let open = self.state == State::Authenticating;
        let sasl2 = self.sasl2.is_some();
        if let Some(Ok(r)) = p.get::<Response>()
            && open
            && !sasl2
        {
            self.client_message(&r.data.map(|d| d.0).unwrap_or_default());
        } else if let Some(Ok(r)) = p.get::<sasl2::Response>()
            && open
            && sasl2
        {
            self.client_message(&r.data.0);
        } else if (!sasl2 && matches!(p.get::<xep_core::Abort>(), Some(Ok(_))))
            || (sasl2 && matches!(p.get::<sasl2::Abort>(), Some(Ok(_))))
        {
            self.sasl_failure(SaslCondition::Aborted, "aborted by the client");
        } else {
            self.unexpected("<response/> or <abort/>");
        }
    }

    fn client_message(&mut self, data: &[u8]) {
        let Some(sasl) = self.sasl.as_mut() else {
            return self.unexpected("no SASL data");
        };
        let step = sasl.step(data);
        self.sasl_step(step);
    }

    fn sasl_step(&mut self, step: Result<ServerStep, xep_sasl::ServerError>) {
        match step {
            Ok(ServerStep::Challenge(c)) => {
                self.challenge(c);
                self.state = State::Authenticating;
            }
            Ok(ServerStep::NeedCredentials { username, .. }) => {
                let mechanism = self
                    .sasl
                    .as_ref()
                    .map_or(Mechanism::Plain, |s| s.mechanism());
                self.state = State::AwaitingCredentials;
                let isr = self
                    .sasl2
                    .as_ref()
                    .and_then(|r| r.isr.as_ref())
                    .filter(|i| i.uses_token());
                let event = match isr {
                    Some(i) => Event::IsrTokenRequested {
                        username,
                        mechanism,
                        resume: i.resume.clone(),
                    },
                    None => Event::CredentialsRequested {
                        username,
                        mechanism,
                    },
                };
                self.out.events.push_back(event);
            }
            Ok(ServerStep::Success {
                username,
                authzid,
                additional_data,
            }) => self.success(username, authzid, additional_data),
            Err(xep_sasl::ServerError::Peer(e)) => {
                self.sasl_failure(e.condition(), &e.to_string());
            }
            // The caller's credentials cannot serve the mechanism.
            Err(_) => self.sasl_failure(
                SaslCondition::TemporaryAuthFailure,
                "credentials unusable for this mechanism",
            ),
        }
    }

    fn success(
        &mut self,
        username: Option<String>,
        authzid: Option<String>,
        additional_data: Option<Vec<u8>>,
    ) {
        let Some(username) = username else {
            // ANONYMOUS and EXTERNAL: the caller names the account.
            let (mechanism, trace) = match &self.sasl {
                Some(xep_sasl::server::Server::Anonymous(a)) => {
                    (Mechanism::Anonymous, a.trace().map(str::to_owned))
                }
                _ => (Mechanism::External, None),
            };
            self.identity = Some((authzid.clone(), additional_data));
            self.state = State::AwaitingIdentity;
            self.out.events.push_back(Event::IdentityRequested {
                mechanism,
                authzid: authzid.filter(|_| mechanism == Mechanism::External),
                trace,
            });
            return;
        };
        let bare = format!("{username}@{}", self.config.domain)
            .parse::<BareJid>()
            .ok();
        let Some(bare) = bare else {
            return self.sasl_failure(SaslCondition::NotAuthorized, "not a valid JID");
        };
        if authzid.is_some_and(|a| a.parse::<BareJid>().ok().as_ref() != Some(&bare)) {
            return self.sasl_failure(SaslCondition::InvalidAuthzid, "only the user's own JID");
        }
        self.authenticated_as(bare, additional_data);
    }

    /// The mechanism authenticated `bare`: `<success/>` (RFC 6120) or the
    /// steps of a SASL2 success.
    fn authenticated_as(&mut self, bare: BareJid, additional_data: Option<Vec<u8>>) {
        let sasl = self.sasl.take();
        let mechanism = sasl.as_ref().map_or(Mechanism::Plain, |s| s.mechanism());
        let matched = match &sasl {
            Some(xep_sasl::server::Server::Ht(h)) => h.matched(),
            _ => None,
        };
        self.authenticated = Some((bare.clone(), mechanism));
        let Some(request) = self.sasl2.take() else {
            // RFC 6120 SASL.
            self.out.transmit.push_back(Transmit::Success(Success {
                data: additional_data.map(SaslData),
            }));
            self.state = State::AwaitingHeader;
            self.out.events.push_back(Event::StreamRestart);
            return;
        };
        if let Some(matched) = matched.filter(|_| request.isr.is_none()) {
            // XEP-0484: in 0-RTT data, a count above the token's last.
            let last = self.token_counts.get(matched).copied().flatten();
            if self.early_data && request.count.is_none_or(|c| last.is_some_and(|l| c <= l)) {
                self.authenticated = None;
                self.sasl2 = Some(request);
                return self.sasl_failure(
                    SaslCondition::NotAuthorized,
                    "a replayed or missing count in 0-RTT data",
                );
            }
            self.out.events.push_back(Event::TokenUsed {
                bare: bare.clone(),
                matched,
                invalidate: request.invalidate,
                count: request.count,
            });
        }
        // XEP-0484: a token asked for, or a rotation of the one used
        // (none after an invalidation unless asked).
        let rotation = match mechanism {
            Mechanism::Ht(m) if !request.invalidate && request.isr.is_none() => Some(m),
            _ => None,
        };
        let token_for = request
            .request_token
            .or(rotation)
            .map(|m| (m, request.request_token.is_some()));
        // XEP-0480: keys are derived from a password, so only after a
        // mechanism that checked one.
        let password = matches!(mechanism, Mechanism::Plain | Mechanism::Scram(_));
        self.sasl2_pending = Some(Sasl2Pending {
            additional_data,
            bind: request.bind,
            token: None,
            token_for,
            upgrades: if password {
                request.upgrades
            } else {
                Vec::new()
            },
            isr: request.isr.map(|i| i.resume),
            task: None,
        });
        self.sasl2_next();
    }

    /// The next step of a SASL2 success: an XEP-0480 task (`<continue/>`
    /// with the mechanism's data), then the token (XEP-0484: only once
    /// fully authenticated), then the resource and the success.
    fn sasl2_next(&mut self) {
        let Some((bare, _)) = self.authenticated.clone() else {
            return self.unexpected("authentication first");
        };
        let Some(pending) = self.sasl2_pending.as_mut() else {
            return self.unexpected("authentication first");
        };
        if !pending.upgrades.is_empty() {
            let hash = pending.upgrades.remove(0);
            pending.task = Some((hash, None));
            let c = sasl2::Continue {
                additional_data: pending.additional_data.take().map(xep_element::Base64),
                tasks: sasl2::Tasks {
                    tasks: vec![upgrade::scram_task(hash).into()],
                },
                text: None,
            };
            self.sasl2 = Some(Sasl2Request::default());
            self.out.transmit.push_back(Transmit::Sasl2Continue(c));
            self.state = State::Tasks;
            return;
        }
        if let Some((m, requested)) = pending.token_for.take() {
            self.state = State::AwaitingToken;
            self.out.events.push_back(Event::TokenRequested {
                bare,
                mechanism: m,
                requested,
            });
            return;
        }
        self.sasl2_continue();
    }

    /// XEP-0480: the client's `<next/>`, `<task-data/>` or `<abort/>`
    /// during an upgrade task.
    fn task_element(&mut self, p: &Payload) {
        let Some((bare, _)) = self.authenticated.clone() else {
            return self.unexpected("authentication first");
        };
        let Some((hash, salt)) = self.sasl2_pending.as_ref().and_then(|p| p.task.clone()) else {
            return self.unexpected("no task");
        };
        if let Some(Ok(next)) = p.get::<sasl2::Next>()
            && salt.is_none()
        {
            if next.task != upgrade::scram_task(hash) {
                return self.task_failure(SaslCondition::MalformedRequest, "not the task offered");
            }
            self.state = State::AwaitingSalt;
            self.out
                .events
                .push_back(Event::UpgradeRequested { bare, hash });
        } else if let Some(Ok(t)) = p.get::<sasl2::TaskData>()
            && let Some(salt) = salt
        {
            let answer = t.data.iter().find_map(|p| p.get::<upgrade::Hash>());
            let credentials = match answer {
                Some(Ok(h)) => upgrade::scram_credentials(hash, &salt, &h),
                _ => Err(xep_sasl::PeerError::Malformed(
                    "no <hash/> in the task data",
                )),
            };
            match credentials {
                Ok(credentials) => {
                    self.sasl2 = None;
                    if let Some(p) = self.sasl2_pending.as_mut() {
                        p.task = None;
                    }
                    self.out
                        .events
                        .push_back(Event::CredentialsUpgraded { bare, credentials });
                    self.sasl2_next();
                }
                Err(e) => self.task_failure(e.condition(), &e.to_string()),
            }
        } else if let Some(Ok(_)) = p.get::<sasl2::Abort>() {
            self.task_failure(SaslCondition::Aborted, "aborted by the client");
        } else {
            self.unexpected("<next/>, <task-data/> or <abort/> (SASL2 task)");
        }
    }

    /// A SASL2 task failed: the attempt fails (`<failure/>`).
    fn task_failure(&mut self, condition: SaslCondition, text: &str) {
        self.authenticated = None;
        self.sasl2_pending = None;
        self.sasl2 = Some(Sasl2Request::default());
        self.sasl_failure(condition, text);
    }

    /// A SASL2 success once the token is settled: the caller's resource
    /// (Bind 2) or the success naming the bare JID.
    fn sasl2_continue(&mut self) {
        let Some((bare, _)) = self.authenticated.clone() else {
            return self.unexpected("authentication first");
        };
        if let Some(resume) = self.sasl2_pending.as_mut().and_then(|p| p.isr.take()) {
            // XEP-0397: the caller resumes, or not.
            self.isr_resume = Some(resume.clone());
            self.state = State::AwaitingResumption;
            self.out
                .events
                .push_back(Event::InstantResumeRequested { bare, resume });
            return;
        }
        if let Some(bind) = self.sasl2_pending.as_mut().and_then(|p| p.bind.take()) {
            // XEP-0386: the caller chooses the resource before the
            // success is sent.
            self.state = State::AwaitingResource;
            self.out.events.push_back(Event::BindRequested {
                bare,
                resource: bind.tag,
                inline: true,
            });
            return;
        }
        let Some(pending) = self.sasl2_pending.take() else {
            return self.unexpected("authentication first");
        };
        // SASL2 without Bind 2: the bare JID, then the features of the
        // authenticated stream (RFC 6120 binding), no restart.
        self.used_sasl2 = true;
        self.out
            .transmit
            .push_back(Transmit::Sasl2Success(sasl2::Success {
                additional_data: pending.additional_data.map(xep_element::Base64),
                authorization_identifier: Jid::from(bare),
                bound: None,
                token: pending.token,
                extensions: Vec::new(),
            }));
        self.features();
    }

    /// Answers a SASL2 exchange with Bind 2: `<success/>` with the full
    /// JID and `<bound/>`, then the features (no bind among them); ready.
    fn bind_inline(
        &mut self,
        jid: FullJid,
        pending: Sasl2Pending,
    ) -> Result<(), crate::Error<State>> {
        let Some((bare, mechanism)) = self.authenticated.clone() else {
            return Err(self.wrong("bind"));
        };
        self.used_sasl2 = true;
        self.out
            .transmit
            .push_back(Transmit::Sasl2Success(sasl2::Success {
                additional_data: pending.additional_data.map(xep_element::Base64),
                authorization_identifier: Jid::from(jid.clone()),
                bound: Some(Bound::default()),
                token: pending.token,
                extensions: Vec::new(),
            }));
        self.out.transmit.push_back(Transmit::Features(Features {
            features: self.config.bound_features.clone(),
        }));
        let ready = Ready {
            bare,
            jid,
            mechanism,
            tls: self.tls,
            sasl2: true,
            bind2: true,
            instant_resumed: false,
        };
        self.finish(ready);
        Ok(())
    }

    /// A failed attempt: `<failure/>`, then the stream error once the
    /// attempts are spent.
    fn sasl_failure(&mut self, condition: SaslCondition, text: &str) {
        self.sasl = None;
        self.attempts += 1;
        let failure = match self.sasl2.take() {
            Some(_) => Transmit::Sasl2Failure(sasl2::Failure {
                condition: condition.clone(),
                text: Some(text.into()),
                extensions: Vec::new(),
            }),
            None => Transmit::SaslFailure(SaslFailure {
                condition: condition.clone(),
                texts: vec![SaslText {
                    lang: None,
                    text: text.into(),
                }],
            }),
        };
        self.out.transmit.push_back(failure);
        self.out.events.push_back(Event::AuthenticationFailed {
            condition,
            attempts: self.attempts,
        });
        self.state = State::AwaitingRequest;
        if self.attempts >= self.config.max_attempts {
            self.protocol(
                StreamCondition::PolicyViolation,
                "too many authentication attempts",
            );
        }
    }

    fn bind_request(&mut self, iq: Iq) {
        let bind = match (iq.type_, iq.payload::<Bind>()) {
            (IqType::Set, Some(Ok(b))) => b,
            // RFC 6120 §7.7.2.1 / §8.3.3.1: a request we cannot parse.
            _ if iq.is_request() => {
                let e = StanzaError::new(
                    xep_core::ErrorType::Modify,
                    xep_core::DefinedCondition::BadRequest,
                );
                self.out.transmit.push_back(Transmit::Iq(iq.error_reply(e)));
                return;
            }
            _ => return self.unexpected("the bind request"),
        };
        let Some((bare, _)) = self.authenticated.clone() else {
            return self.unexpected("authentication first");
        };
        self.bind_request = Some(iq);
        self.state = State::AwaitingResource;
        self.out.events.push_back(Event::BindRequested {
            bare,
            resource: bind.resource,
            inline: false,
        });
    }

    /// With [`SessionOffer::Required`], after binding: the session
    /// request (answered), then ready.
    fn session_request(&mut self, p: &Payload) {
        let reply = match p.get::<Iq>() {
            Some(Ok(iq)) => session_reply(&iq),
            _ => None,
        };
        let (Some(reply), Some(ready)) = (reply, self.session_ready.take()) else {
            return self.unexpected("the session request");
        };
        self.out.transmit.push_back(Transmit::Iq(reply));
        self.finish(ready);
    }

    /// Negotiated: no deadline any more, and the caller's.
    fn finish(&mut self, ready: Ready) {
        self.out.deadline = None;
        self.state = State::Ready;
        self.out.events.push_back(Event::Ready(Box::new(ready)));
    }

    /// SASL2's `<success/>` after an ISR attempt (XEP-0397), naming the
    /// account, with `extension` (`<inst-resumed/>` or
    /// `<inst-resume-failed/>`).
    fn isr_success(&mut self, bare: &BareJid, extension: Payload) {
        let pending = self.sasl2_pending.take();
        self.isr_resume = None;
        self.used_sasl2 = true;
        self.out
            .transmit
            .push_back(Transmit::Sasl2Success(sasl2::Success {
                additional_data: pending
                    .and_then(|p| p.additional_data)
                    .map(xep_element::Base64),
                authorization_identifier: Jid::from(bare.clone()),
                bound: None,
                token: None,
                extensions: vec![extension],
            }));
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
        let owed = self.state == State::AwaitingHeader;
        if owed && matches!(failure, Failure::Sent(_) | Failure::TimedOut) {
            self.send_header(None);
        }
        self.state = State::Failed;
        self.sasl = None;
        self.out.fail(failure, Event::Failed);
    }

    crate::outputs!(Event);
}

#[cfg(test)]
mod tests;
