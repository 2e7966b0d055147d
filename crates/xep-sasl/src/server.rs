//! The server side of each mechanism.
//!
//! Every machine takes the client's messages with [`step`](Scram::step)
//! and returns a [`ServerStep`]: a challenge to send, a request for the
//! user's credentials (answered by [`provide`](Scram::provide): the
//! machine never looks anything up itself), or success. A client's fault
//! is a [`ServerError::Peer`]: answer `<failure/>` with
//! [`PeerError::condition`]. Misuse is a [`ServerError::WrongState`].
//!
//! When `<auth/>` carries no initial response, the caller sends an empty
//! challenge itself (every mechanism here is client-first) and passes the
//! client's answer to `step`.

use crate::crypto;
use crate::prep;
use crate::scram::{self, Nonce};
use crate::{
    ChannelBindingType, CredentialsError, HtMechanism, Mechanism, PeerError, ScramMechanism,
    ServerError, StoredCredentials, downgrade_hash,
};

/// Where a server exchange stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum State {
    /// Waiting for the client's first message.
    #[default]
    Start,
    /// Waiting for the caller's [`provide`](Scram::provide).
    NeedCredentials,
    /// SCRAM: the server-first-message was sent; waiting for the
    /// client-final-message.
    ChallengeSent,
    /// The client authenticated.
    Done,
    /// The exchange failed; the machine takes no more input.
    Failed,
}

/// What the server does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStep {
    /// Send this `<challenge/>`.
    Challenge(Vec<u8>),
    /// Look up `username` and answer with `provide` (`None` for an
    /// unknown user).
    NeedCredentials {
        /// The authentication identity, unescaped and prepared with
        /// SASLprep.
        username: String,
        /// The authorization identity requested, if any.
        authzid: Option<String>,
    },
    /// The client authenticated. The caller decides whether it may act as
    /// `authzid` (RFC 6120 §6.4.6: `invalid-authzid` otherwise) and, for
    /// EXTERNAL, whether the external credentials (the TLS client
    /// certificate) are those of `authzid`; then it sends `<success/>`
    /// with `additional_data`.
    Success {
        /// The authenticated identity (`None` for ANONYMOUS and EXTERNAL).
        username: Option<String>,
        /// The authorization identity requested, if any.
        authzid: Option<String>,
        /// The additional data of `<success/>` (SCRAM: the
        /// server-final-message).
        additional_data: Option<Vec<u8>>,
    },
}

/// The channel binding a SCRAM server can check on this connection.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ChannelBindingOffer {
    /// Whether `-PLUS` mechanisms were offered (a client's `y` is then a
    /// sign of a downgrade).
    pub plus_offered: bool,
    /// The data of this connection for each type the server binds to.
    pub data: Vec<(ChannelBindingType, Vec<u8>)>,
}

impl ChannelBindingOffer {
    /// No channel binding: no `-PLUS` offered.
    pub fn none() -> Self {
        Self::default()
    }

    /// `-PLUS` offered, with the data of each type the server binds to.
    pub fn new(data: Vec<(ChannelBindingType, Vec<u8>)>) -> Self {
        ChannelBindingOffer {
            plus_offered: !data.is_empty(),
            data,
        }
    }
}

impl std::fmt::Debug for ChannelBindingOffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelBindingOffer")
            .field("plus_offered", &self.plus_offered)
            .field(
                "types",
                &self.data.iter().map(|(t, _)| t.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// The state after a one-message mechanism's step: `ok` when the message
/// was good, `Failed` otherwise.
fn settled<T>(r: &Result<T, ServerError>, ok: State) -> State {
    if r.is_ok() { ok } else { State::Failed }
}

fn wrong(action: &'static str, state: State) -> ServerError {
    ServerError::WrongState { action, state }
}

/// Moves to [`State::Failed`] when `r` is the peer's fault.
fn failed_if_peer<T>(state: &mut State, r: Result<T, ServerError>) -> Result<T, ServerError> {
    if matches!(r, Err(ServerError::Peer(_))) {
        *state = State::Failed;
    }
    r
}

/// A SCRAM server (RFC 5802) for one mechanism.
#[derive(Clone)]
pub struct Scram {
    mechanism: ScramMechanism,
    nonce: String,
    cb: ChannelBindingOffer,
    downgrade_hash: Option<String>,
    state: State,
    gs2_header: String,
    cb_data: Vec<u8>,
    client_first_bare: String,
    client_nonce: String,
    username: String,
    authzid: Option<String>,
    credentials: Option<StoredCredentials>,
    server_first: String,
}

impl std::fmt::Debug for Scram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scram")
            .field("mechanism", &self.mechanism.name())
            .field("cb", &self.cb)
            .field("state", &self.state)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl Scram {
    /// A server for `mechanism` (the one the client named in `<auth/>`),
    /// with the caller's `nonce` (its part of the combined nonce) and the
    /// channel binding this connection offers.
    pub fn new(
        mechanism: ScramMechanism,
        nonce: impl Into<Nonce>,
        cb: ChannelBindingOffer,
    ) -> Result<Scram, ServerError> {
        let nonce = nonce.into();
        if !nonce.is_valid() {
            return Err(ServerError::InvalidNonce);
        }
        Ok(Scram {
            mechanism,
            nonce: nonce.0,
            cb,
            downgrade_hash: None,
            state: State::Start,
            gs2_header: String::new(),
            cb_data: Vec::new(),
            client_first_bare: String::new(),
            client_nonce: String::new(),
            username: String::new(),
            authzid: None,
            credentials: None,
            server_first: String::new(),
        })
    }

    /// Adds XEP-0474's `h=` to the server-first-message: the hash of the
    /// mechanisms this server advertised (in the profile the client uses)
    /// and, if it sent XEP-0440's `<sasl-channel-binding/>`, its types.
    pub fn with_downgrade_protection<S: AsRef<str>, T: AsRef<str>>(
        mut self,
        mechanisms: &[S],
        channel_bindings: Option<&[T]>,
    ) -> Scram {
        self.downgrade_hash = Some(downgrade_hash(
            self.mechanism.hash,
            mechanisms,
            channel_bindings,
        ));
        self
    }

    /// The mechanism.
    pub fn mechanism(&self) -> ScramMechanism {
        self.mechanism
    }

    /// Where the exchange stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// A message from the client: the client-first-message (the initial
    /// response), then the client-final-message.
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        let r = match self.state {
            State::Start => self.client_first(response),
            State::ChallengeSent => self.client_final(response),
            s => return Err(wrong("step", s)),
        };
        failed_if_peer(&mut self.state, r)
    }

    /// The user's stored credentials, after [`ServerStep::NeedCredentials`]
    /// (`None`: no such user; the exchange fails with `unknown-user`). A
    /// server that does not want to reveal which users exist gives made-up
    /// credentials instead (a salt derived from the username and a server
    /// secret), and the exchange fails later with `invalid-proof`.
    pub fn provide(
        &mut self,
        credentials: Option<StoredCredentials>,
    ) -> Result<ServerStep, ServerError> {
        if self.state != State::NeedCredentials {
            return Err(wrong("provide credentials", self.state));
        }
        let Some(credentials) = credentials else {
            self.state = State::Failed;
            return Err(PeerError::UnknownUser.into());
        };
        credentials
            .check(self.mechanism.hash)
            .map_err(ServerError::Credentials)?;
        let mut first = format!(
            "r={}{},s={},i={}",
            self.client_nonce,
            self.nonce,
            scram::b64(&credentials.salt),
            credentials.iterations
        );
        if let Some(h) = &self.downgrade_hash {
            first.push_str(",h=");
            first.push_str(h);
        }
        self.server_first = first;
        self.credentials = Some(credentials);
        self.state = State::ChallengeSent;
        Ok(ServerStep::Challenge(
            self.server_first.clone().into_bytes(),
        ))
    }

    fn client_first(&mut self, msg: &[u8]) -> Result<ServerStep, ServerError> {
        let text = scram::utf8(msg)?;
        let mut parts = text.splitn(3, ',');
        let (Some(flag), Some(authz), Some(bare)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(PeerError::Malformed("no GS2 header").into());
        };
        let authzid = match authz {
            "" => None,
            a => match a.strip_prefix("a=").filter(|a| !a.is_empty()) {
                Some(a) => Some(prep::unescape(a).ok_or(PeerError::Malformed("authzid encoding"))?),
                None => return Err(PeerError::Malformed("GS2 authzid").into()),
            },
        };
        match flag {
            "n" | "y" if self.mechanism.plus => {
                return Err(PeerError::ChannelBindingRequired.into());
            }
            "n" => {}
            "y" if self.cb.plus_offered => {
                return Err(PeerError::ServerDoesSupportChannelBinding.into());
            }
            "y" => {}
            f => {
                let Some(name) = f.strip_prefix("p=").filter(|n| {
                    !n.is_empty()
                        && n.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                }) else {
                    return Err(PeerError::Malformed("GS2 channel-binding flag").into());
                };
                if !self.mechanism.plus {
                    return Err(PeerError::ChannelBindingNotSupported.into());
                }
                let data = self
                    .cb
                    .data
                    .iter()
                    .find(|(t, _)| t.name() == name)
                    .map(|(_, d)| d.clone())
                    .ok_or_else(|| PeerError::UnsupportedChannelBindingType(name.to_owned()))?;
                self.cb_data = data;
            }
        }
        let attrs = scram::attributes(bare)?;
        if attrs[0].0 == b'm' {
            return Err(PeerError::MandatoryExtension.into());
        }
        let user = expect(&attrs, 0, b'n')?;
        let nonce = expect(&attrs, 1, b'r')?;
        let username = prep::unescape(user)
            .and_then(|u| prep::prepare(&u, "username").ok())
            .filter(|u| !u.is_empty())
            .ok_or(PeerError::InvalidUsername)?;
        if !prep::is_printable(nonce) {
            return Err(PeerError::Malformed("client nonce is not printable").into());
        }
        self.gs2_header = text[..flag.len() + authz.len() + 2].to_owned();
        self.client_first_bare = bare.to_owned();
        self.client_nonce = nonce.to_owned();
        self.username = username.clone();
        self.authzid = authzid.clone();
        self.state = State::NeedCredentials;
        Ok(ServerStep::NeedCredentials { username, authzid })
    }

    fn client_final(&mut self, msg: &[u8]) -> Result<ServerStep, ServerError> {
        let text = scram::utf8(msg)?;
        let Some((without_proof, proof)) = text.rsplit_once(',') else {
            let missing = if text.starts_with("p=") { 'c' } else { 'p' };
            return Err(PeerError::MissingAttribute(missing).into());
        };
        let Some(proof) = proof.strip_prefix("p=") else {
            return Err(PeerError::MissingAttribute('p').into());
        };
        let attrs = scram::attributes(without_proof)?;
        let c = scram::base64(b'c', expect(&attrs, 0, b'c')?)?;
        let nonce = expect(&attrs, 1, b'r')?;
        let proof = scram::base64(b'p', proof)?;
        let mut expected_c = self.gs2_header.as_bytes().to_vec();
        expected_c.extend_from_slice(&self.cb_data);
        if !crypto::ct_eq(&c, &expected_c) {
            return Err(PeerError::ChannelBindingMismatch.into());
        }
        let combined_len = self.client_nonce.len() + self.nonce.len();
        if nonce.len() != combined_len
            || !nonce.starts_with(self.client_nonce.as_str())
            || !nonce.ends_with(self.nonce.as_str())
        {
            return Err(PeerError::NonceMismatch.into());
        }
        let creds = self
            .credentials
            .as_ref()
            .expect("credentials are set in ChallengeSent");
        let hash = self.mechanism.hash;
        if proof.len() != hash.output_len() {
            return Err(PeerError::InvalidProof.into());
        }
        let auth_message = format!(
            "{},{},{}",
            self.client_first_bare, self.server_first, without_proof
        );
        let signature = crypto::hmac(hash, &creds.stored_key, auth_message.as_bytes());
        let client_key = crypto::xor(&proof, &signature);
        if !crypto::ct_eq(&crypto::hash(hash, &client_key), &creds.stored_key) {
            return Err(PeerError::InvalidProof.into());
        }
        let server_signature = crypto::hmac(hash, &creds.server_key, auth_message.as_bytes());
        self.state = State::Done;
        Ok(ServerStep::Success {
            username: Some(self.username.clone()),
            authzid: self.authzid.clone(),
            additional_data: Some(format!("v={}", scram::b64(&server_signature)).into_bytes()),
        })
    }
}

/// Attribute `name` at position `i` (RFC 5802 fixes the order).
fn expect<'a>(attrs: &[scram::Attr<'a>], i: usize, name: u8) -> Result<&'a str, PeerError> {
    match attrs.get(i) {
        Some((n, v)) if *n == name => Ok(v),
        _ if attrs.iter().any(|(n, _)| *n == name) => {
            Err(PeerError::Malformed("attributes out of order"))
        }
        _ => Err(PeerError::MissingAttribute(name as char)),
    }
}

/// A PLAIN server (RFC 4616). The caller verifies the password either
/// with [`provide`](Plain::provide) (SCRAM stored credentials: the
/// password is salted and compared with the stored key) or itself, with
/// [`password`](Plain::password) and [`decide`](Plain::decide) (an LDAP
/// bind, a legacy hash).
#[derive(Clone)]
pub struct Plain {
    state: State,
    username: String,
    authzid: Option<String>,
    password: String,
}

impl std::fmt::Debug for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plain")
            .field("state", &self.state)
            .field("username", &self.username)
            .field("authzid", &self.authzid)
            .finish_non_exhaustive()
    }
}

impl Default for Plain {
    fn default() -> Self {
        Self::new()
    }
}

impl Plain {
    /// A PLAIN server.
    pub fn new() -> Plain {
        Plain {
            state: State::Start,
            username: String::new(),
            authzid: None,
            password: String::new(),
        }
    }

    /// Where the exchange stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The client's message: `[authzid] NUL authcid NUL passwd`.
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        if self.state != State::Start {
            return Err(wrong("step", self.state));
        }
        let r = self.parse(response);
        self.state = settled(&r, State::NeedCredentials);
        r
    }

    fn parse(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        let text = scram::utf8(response)?;
        let mut parts = text.split('\0');
        let (Some(authzid), Some(user), Some(pass), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(PeerError::Malformed("PLAIN is authzid NUL authcid NUL passwd").into());
        };
        if user.is_empty() || pass.is_empty() {
            return Err(PeerError::Malformed("empty authcid or password").into());
        }
        self.username = prep::prepare(user, "username")
            .ok()
            .filter(|u| !u.is_empty())
            .ok_or(PeerError::InvalidUsername)?;
        self.password = prep::prepare(pass, "password")
            .ok()
            .filter(|p| !p.is_empty())
            .ok_or(PeerError::Malformed("password refused by SASLprep"))?;
        self.authzid = (!authzid.is_empty()).then(|| authzid.to_owned());
        Ok(ServerStep::NeedCredentials {
            username: self.username.clone(),
            authzid: self.authzid.clone(),
        })
    }

    /// The password the client sent (prepared), for a caller that checks
    /// it itself, while the machine waits for credentials.
    pub fn password(&self) -> Option<&str> {
        (self.state == State::NeedCredentials).then_some(self.password.as_str())
    }

    /// Verifies the password against stored SCRAM credentials (costs their
    /// iteration count); `None`: no such user.
    pub fn provide(
        &mut self,
        credentials: Option<StoredCredentials>,
    ) -> Result<ServerStep, ServerError> {
        if self.state != State::NeedCredentials {
            return Err(wrong("provide credentials", self.state));
        }
        let Some(c) = credentials else {
            self.state = State::Failed;
            return Err(PeerError::UnknownUser.into());
        };
        c.check(c.hash).map_err(ServerError::Credentials)?;
        let salted = crypto::hi(c.hash, self.password.as_bytes(), &c.salt, c.iterations);
        let ok = crypto::ct_eq(&crypto::keys(c.hash, &salted).stored_key, &c.stored_key);
        self.decide(ok)
    }

    /// The caller's own verdict on the password.
    pub fn decide(&mut self, password_ok: bool) -> Result<ServerStep, ServerError> {
        if self.state != State::NeedCredentials {
            return Err(wrong("decide", self.state));
        }
        self.password.clear();
        if !password_ok {
            self.state = State::Failed;
            return Err(PeerError::WrongPassword.into());
        }
        self.state = State::Done;
        Ok(ServerStep::Success {
            username: Some(self.username.clone()),
            authzid: self.authzid.clone(),
            additional_data: None,
        })
    }
}

/// An ANONYMOUS server (RFC 4505): any trace of at most 255 characters.
#[derive(Debug, Clone, Default)]
pub struct Anonymous {
    state: State,
    trace: Option<String>,
}

impl Anonymous {
    /// An ANONYMOUS server.
    pub fn new() -> Anonymous {
        Anonymous::default()
    }

    /// Where the exchange stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The trace the client sent, if any.
    pub fn trace(&self) -> Option<&str> {
        self.trace.as_deref()
    }

    /// The client's message: the trace (possibly empty).
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        if self.state != State::Start {
            return Err(wrong("step", self.state));
        }
        let r = self.parse(response);
        self.state = settled(&r, State::Done);
        r
    }

    fn parse(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        let trace = scram::utf8(response)?;
        if trace.contains('\0') || trace.chars().count() > 255 {
            return Err(PeerError::Malformed("ANONYMOUS trace").into());
        }
        self.trace = (!trace.is_empty()).then(|| trace.to_owned());
        Ok(ServerStep::Success {
            username: None,
            authzid: None,
            additional_data: None,
        })
    }
}

/// An EXTERNAL server (RFC 4422 Appendix A): the message is the
/// authorization identity; the caller checks it against the external
/// credentials (the TLS client certificate, XEP-0178).
#[derive(Debug, Clone, Default)]
pub struct External {
    state: State,
}

impl External {
    /// An EXTERNAL server.
    pub fn new() -> External {
        External::default()
    }

    /// Where the exchange stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The client's message: the authzid, or empty.
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        if self.state != State::Start {
            return Err(wrong("step", self.state));
        }
        let r = self.parse(response);
        self.state = settled(&r, State::Done);
        r
    }

    fn parse(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        let authzid = scram::utf8(response)?;
        if authzid.contains('\0') {
            return Err(PeerError::Malformed("NUL in the EXTERNAL authzid").into());
        }
        Ok(ServerStep::Success {
            username: None,
            authzid: (!authzid.is_empty()).then(|| authzid.to_owned()),
            additional_data: None,
        })
    }
}

/// A token the server issued (XEP-0484's `<token/>`), as the caller
/// stored it: the secret and the mechanism it was issued for (a token
/// works with that mechanism only, XEP-0484 §"Client authenticates using
/// FAST").
#[derive(Clone, PartialEq, Eq)]
pub struct Token {
    /// The mechanism the client asked the token for.
    pub mechanism: HtMechanism,
    /// The secret, as sent in `<token token='...'/>`.
    pub secret: String,
    /// The highest XEP-0484 replay `count` processed with this token
    /// (TLS 0-RTT), `None` before any.
    pub count: Option<u32>,
}

impl Token {
    /// The token `secret`, issued for `mechanism`, never used in 0-RTT.
    pub fn new(mechanism: HtMechanism, secret: impl Into<String>) -> Token {
        Token {
            mechanism,
            secret: secret.into(),
            count: None,
        }
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("mechanism", &self.mechanism.name())
            .finish_non_exhaustive()
    }
}

/// An HT server (draft-schmaus-kitten-sasl-ht, XEP-0484 FAST): the
/// client's one message names the user; the caller gives the tokens it
/// holds for that user ([`provide`](HashedToken::provide), after
/// [`ServerStep::NeedCredentials`]), each compared in constant time with
/// the client's `HMAC(token, "Initiator" || cb-data)`; the success
/// carries `HMAC(token, "Responder" || cb-data)`. Which token matched is
/// [`matched`](HashedToken::matched), for XEP-0484's rotation (a matched
/// "new" token replaces the "current" one).
#[derive(Clone)]
pub struct HashedToken {
    mechanism: HtMechanism,
    cb: ChannelBindingOffer,
    state: State,
    username: String,
    hashed: Vec<u8>,
    matched: Option<usize>,
}

impl std::fmt::Debug for HashedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashedToken")
            .field("mechanism", &self.mechanism.name())
            .field("cb", &self.cb)
            .field("state", &self.state)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl HashedToken {
    /// A server for `mechanism` (the one the client named), with the
    /// channel-binding data of this connection (`-NONE` uses none).
    pub fn new(mechanism: HtMechanism, cb: ChannelBindingOffer) -> HashedToken {
        HashedToken {
            mechanism,
            cb,
            state: State::Start,
            username: String::new(),
            hashed: Vec::new(),
            matched: None,
        }
    }

    /// The mechanism.
    pub fn mechanism(&self) -> HtMechanism {
        self.mechanism
    }

    /// Where the exchange stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// After success: the index, among the tokens given to
    /// [`provide`](Self::provide), of the one the client used.
    pub fn matched(&self) -> Option<usize> {
        self.matched
    }

    /// The client's message: `authcid NUL initiator-hashed-token`.
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        if self.state != State::Start {
            return Err(wrong("step", self.state));
        }
        let r = self.parse(response);
        self.state = settled(&r, State::NeedCredentials);
        r
    }

    fn parse(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        let Some(nul) = response.iter().position(|b| *b == 0) else {
            return Err(PeerError::Malformed("HT is authcid NUL hashed-token").into());
        };
        let (user, hashed) = (&response[..nul], &response[nul + 1..]);
        if user.is_empty() || hashed.is_empty() {
            return Err(PeerError::Malformed("empty authcid or hashed token").into());
        }
        if hashed.len() != self.mechanism.hash.output_len() {
            return Err(PeerError::Malformed("hashed token of the wrong length").into());
        }
        if let Some(t) = self.mechanism.binding
            && !self.cb.data.iter().any(|(have, _)| *have == t)
        {
            return Err(PeerError::UnsupportedChannelBindingType(t.name().into()).into());
        }
        self.username = scram::utf8(user)
            .ok()
            .and_then(|u| prep::prepare(u, "username").ok())
            .filter(|u| !u.is_empty())
            .ok_or(PeerError::InvalidUsername)?;
        self.hashed = hashed.to_vec();
        Ok(ServerStep::NeedCredentials {
            username: self.username.clone(),
            authzid: None,
        })
    }

    /// The tokens the caller holds for the user (XEP-0484's "new" and
    /// "current" slots, unexpired; empty: none, answered
    /// `credentials-expired` ([`PeerError::NoToken`]) so that the client
    /// falls back to its password). A token issued for another mechanism
    /// never matches. None matching: [`PeerError::InvalidToken`].
    pub fn provide(&mut self, tokens: Vec<Token>) -> Result<ServerStep, ServerError> {
        if self.state != State::NeedCredentials {
            return Err(wrong("provide tokens", self.state));
        }
        let cb: &[u8] = match self.mechanism.binding {
            None => &[],
            Some(t) => self
                .cb
                .data
                .iter()
                .find(|(have, _)| *have == t)
                .map_or(&[], |(_, d)| d.as_slice()),
        };
        let hash = self.mechanism.hash;
        let mut matched = None;
        // Every token is compared, so the time taken does not tell which.
        for (i, token) in tokens.iter().enumerate() {
            let expected = crypto::ht_hmac(hash, token.secret.as_bytes(), &[b"Initiator", cb]);
            let same = crypto::ct_eq(&expected, &self.hashed);
            if same && token.mechanism == self.mechanism && !token.secret.is_empty() {
                matched.get_or_insert(i);
            }
        }
        let Some(i) = matched else {
            self.state = State::Failed;
            return Err(if tokens.is_empty() {
                PeerError::NoToken
            } else {
                PeerError::InvalidToken
            }
            .into());
        };
        self.matched = Some(i);
        self.state = State::Done;
        let responder = crypto::ht_hmac(hash, tokens[i].secret.as_bytes(), &[b"Responder", cb]);
        Ok(ServerStep::Success {
            username: Some(self.username.clone()),
            authzid: None,
            additional_data: Some(responder),
        })
    }
}

/// Any server mechanism, for a server that takes the client's choice at
/// run time.
#[derive(Debug, Clone)]
pub enum Server {
    /// PLAIN.
    Plain(Plain),
    /// ANONYMOUS.
    Anonymous(Anonymous),
    /// EXTERNAL.
    External(External),
    /// A SCRAM mechanism.
    Scram(Box<Scram>),
    /// An HT mechanism (XEP-0484 FAST).
    Ht(HashedToken),
}

impl Server {
    /// The server for `mechanism`; `nonce` is used by SCRAM only, `cb`
    /// by SCRAM and HT.
    pub fn new(
        mechanism: Mechanism,
        nonce: impl Into<Nonce>,
        cb: ChannelBindingOffer,
    ) -> Result<Server, ServerError> {
        Ok(match mechanism {
            Mechanism::Plain => Server::Plain(Plain::new()),
            Mechanism::Anonymous => Server::Anonymous(Anonymous::new()),
            Mechanism::External => Server::External(External::new()),
            Mechanism::Scram(m) => Server::Scram(Box::new(Scram::new(m, nonce, cb)?)),
            Mechanism::Ht(m) => Server::Ht(HashedToken::new(m, cb)),
        })
    }

    /// The mechanism.
    pub fn mechanism(&self) -> Mechanism {
        match self {
            Server::Plain(_) => Mechanism::Plain,
            Server::Anonymous(_) => Mechanism::Anonymous,
            Server::External(_) => Mechanism::External,
            Server::Scram(s) => Mechanism::Scram(s.mechanism()),
            Server::Ht(h) => Mechanism::Ht(h.mechanism()),
        }
    }

    /// A message from the client.
    pub fn step(&mut self, response: &[u8]) -> Result<ServerStep, ServerError> {
        match self {
            Server::Plain(m) => m.step(response),
            Server::Anonymous(m) => m.step(response),
            Server::External(m) => m.step(response),
            Server::Scram(m) => m.step(response),
            Server::Ht(m) => m.step(response),
        }
    }

    /// The tokens the caller holds for the user (HT); see
    /// [`HashedToken::provide`].
    pub fn provide_tokens(&mut self, tokens: Vec<Token>) -> Result<ServerStep, ServerError> {
        match self {
            Server::Ht(m) => m.provide(tokens),
            m => Err(wrong("provide tokens", m.state())),
        }
    }

    /// The user's stored credentials (PLAIN and SCRAM).
    pub fn provide(
        &mut self,
        credentials: Option<StoredCredentials>,
    ) -> Result<ServerStep, ServerError> {
        match self {
            Server::Plain(m) => m.provide(credentials),
            Server::Scram(m) => m.provide(credentials),
            Server::Anonymous(m) => Err(wrong("provide credentials", m.state())),
            Server::External(m) => Err(wrong("provide credentials", m.state())),
            Server::Ht(m) => Err(wrong("provide credentials", m.state())),
        }
    }

    /// Where the exchange stands.
    pub fn state(&self) -> State {
        match self {
            Server::Plain(m) => m.state(),
            Server::Anonymous(m) => m.state(),
            Server::External(m) => m.state(),
            Server::Scram(m) => m.state(),
            Server::Ht(m) => m.state(),
        }
    }
}

impl From<CredentialsError> for ServerError {
    fn from(e: CredentialsError) -> Self {
        ServerError::Credentials(e)
    }
}
