//! The client side of each mechanism.
//!
//! Every machine has the same shape: [`initial_response`](Scram::initial_response)
//! (what `<auth/>` carries), [`step`](Scram::step) for each challenge (the
//! response to send), and [`success`](Scram::success) with the additional
//! data of `<success/>`. A peer's fault is a [`ClientError::Peer`]: send
//! `<abort/>` (or close the stream) and do not go on. Misuse is a
//! [`ClientError::WrongState`]. [`Client`] wraps any of them, for callers
//! that choose the mechanism at run time ([`select`](crate::select)).

use crate::crypto;
use crate::prep::{self, PrepError};
use crate::scram::{self, Nonce};
use crate::{
    ChannelBinding, ChannelBindingType, ClientError, CredentialsError, DowngradeProtection,
    HtMechanism, IterationBounds, Mechanism, PeerError, SaltedPassword, ScramError, ScramHash,
    ScramMechanism,
};

/// Where a client exchange stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Nothing received yet; the initial response is ready.
    Start,
    /// SCRAM: the proof was sent; waiting for the server's final message.
    ProofSent,
    /// SCRAM: the server's final message came as a challenge and
    /// verified; waiting for `<success/>`.
    Verified,
    /// Authenticated, and the server verified where the mechanism can.
    Done,
    /// The exchange failed; the machine takes no more input.
    Failed,
}

/// The client's secret for SCRAM.
#[derive(Clone, PartialEq, Eq)]
pub enum Password {
    /// The password, prepared with SASLprep by the machine.
    Clear(String),
    /// Keys kept from an earlier exchange ([`Scram::salted_password`]):
    /// usable while the server sends the same salt and iteration count;
    /// otherwise the step fails with [`CredentialsError::Stale`] and the
    /// caller starts again with the password.
    Salted(SaltedPassword),
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Password::Clear(_) => f.write_str("Clear(..)"),
            Password::Salted(s) => f.debug_tuple("Salted").field(s).finish(),
        }
    }
}

impl From<&str> for Password {
    fn from(s: &str) -> Password {
        Password::Clear(s.to_owned())
    }
}

impl From<String> for Password {
    fn from(s: String) -> Password {
        Password::Clear(s)
    }
}

fn wrong(action: &'static str, state: State) -> ClientError {
    ClientError::WrongState { action, state }
}

fn no_nul(s: &str, what: &'static str) -> Result<(), PrepError> {
    if s.contains('\0') {
        return Err(PrepError {
            what,
            reason: "contains NUL".into(),
        });
    }
    Ok(())
}

/// The end shared by the mechanisms without challenges (PLAIN, ANONYMOUS,
/// EXTERNAL): an empty challenge asks for the initial response (the client
/// sent `<auth/>` without one), `<success/>` ends the exchange.
#[derive(Debug, Clone)]
struct OneShot {
    message: Vec<u8>,
    state: State,
}

impl OneShot {
    fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ClientError> {
        match self.state {
            State::Start if challenge.is_empty() => Ok(self.message.clone()),
            State::Start => {
                self.state = State::Failed;
                Err(PeerError::UnexpectedData.into())
            }
            s => Err(wrong("step", s)),
        }
    }

    fn success(&mut self, data: Option<&[u8]>) -> Result<(), ClientError> {
        match self.state {
            State::Start if data.is_none_or(<[u8]>::is_empty) => {
                self.state = State::Done;
                Ok(())
            }
            State::Start => {
                self.state = State::Failed;
                Err(PeerError::UnexpectedData.into())
            }
            s => Err(wrong("succeed", s)),
        }
    }
}

/// `PLAIN` (RFC 4616): `[authzid] NUL authcid NUL passwd`, in one message.
/// Only over TLS; XEP-0474 §7 asks clients to pin that they used SCRAM and
/// never to fall back to PLAIN after.
#[derive(Debug, Clone)]
pub struct Plain(OneShot);

impl Plain {
    /// PLAIN for `username` with `password` (both prepared with SASLprep),
    /// acting as `authzid` when given.
    pub fn new(
        authzid: Option<&str>,
        username: &str,
        password: &str,
    ) -> Result<Plain, ClientError> {
        let user = prep::prepare(username, "username")?;
        let pass = prep::prepare(password, "password")?;
        if user.is_empty() || pass.is_empty() {
            return Err(PrepError {
                what: if user.is_empty() {
                    "username"
                } else {
                    "password"
                },
                reason: "empty".into(),
            }
            .into());
        }
        let mut message = Vec::new();
        if let Some(a) = authzid {
            no_nul(a, "authzid")?;
            message.extend_from_slice(a.as_bytes());
        }
        message.push(0);
        message.extend_from_slice(user.as_bytes());
        message.push(0);
        message.extend_from_slice(pass.as_bytes());
        Ok(Plain(OneShot {
            message,
            state: State::Start,
        }))
    }
}

/// `ANONYMOUS` (RFC 4505), with an optional trace (an email address or a
/// token, at most 255 characters).
#[derive(Debug, Clone)]
pub struct Anonymous(OneShot);

impl Anonymous {
    /// ANONYMOUS with an optional trace.
    pub fn new(trace: Option<&str>) -> Result<Anonymous, ClientError> {
        let trace = trace.unwrap_or("");
        no_nul(trace, "trace")?;
        if trace.chars().count() > 255 {
            return Err(PrepError {
                what: "trace",
                reason: "longer than 255 characters".into(),
            }
            .into());
        }
        Ok(Anonymous(OneShot {
            message: trace.as_bytes().to_vec(),
            state: State::Start,
        }))
    }
}

/// `EXTERNAL` (RFC 4422 Appendix A): authentication by the TLS client
/// certificate; the message is the authorization identity, or empty to
/// let the server derive it from the certificate.
#[derive(Debug, Clone)]
pub struct External(OneShot);

impl External {
    /// EXTERNAL, acting as `authzid` when given.
    pub fn new(authzid: Option<&str>) -> Result<External, ClientError> {
        let authzid = authzid.unwrap_or("");
        no_nul(authzid, "authzid")?;
        Ok(External(OneShot {
            message: authzid.as_bytes().to_vec(),
            state: State::Start,
        }))
    }
}

/// The one-message mechanisms (PLAIN, ANONYMOUS, EXTERNAL) share one
/// exchange, [`OneShot`]: their initial response is their one message, a
/// challenge may only ask for it again (empty), and `<success/>` carries
/// no additional data.
macro_rules! one_shot {
    ($($mechanism:ident: $what:literal),* $(,)?) => {$(
        impl $mechanism {
            #[doc = concat!("The ", $what, ", sent with `<auth/>` (empty: `=`).")]
            pub fn initial_response(&self) -> Vec<u8> {
                self.0.message.clone()
            }

            /// A challenge: only an empty one (asking for the initial
            /// response) is valid.
            pub fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ClientError> {
                self.0.step(challenge)
            }

            /// `<success/>` (no additional data is valid).
            pub fn success(&mut self, data: Option<&[u8]>) -> Result<(), ClientError> {
                self.0.success(data)
            }

            /// Where the exchange stands.
            pub fn state(&self) -> State {
                self.0.state
            }
        }
    )*};
}

one_shot!(Plain: "message (`[authzid] NUL authcid NUL passwd`)", Anonymous: "trace", External: "authzid");

/// A SCRAM client (RFC 5802): `SCRAM-SHA-1`, `-256`, `-512`, and their
/// `-PLUS` variants when the [`ChannelBinding`] is
/// [`Bound`](ChannelBinding::Bound).
///
/// The client refuses: a server nonce that does not extend its own, an
/// empty salt, an iteration count outside its [`IterationBounds`], a
/// mandatory extension, a wrong server signature, `<success/>` without
/// the server's signature, and (with [`DowngradeProtection`]) a
/// mechanism or channel-binding list changed on the way (XEP-0474).
#[derive(Clone)]
pub struct Scram {
    hash: ScramHash,
    binding: ChannelBinding,
    password: Password,
    nonce: String,
    gs2_header: String,
    client_first_bare: String,
    bounds: IterationBounds,
    downgrade: Option<DowngradeProtection>,
    state: State,
    server_key: Vec<u8>,
    auth_message: Vec<u8>,
    salted: Option<SaltedPassword>,
}

impl std::fmt::Debug for Scram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scram")
            .field("mechanism", &self.mechanism().name())
            .field("binding", &self.binding)
            .field("client_first_bare", &self.client_first_bare)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl Scram {
    /// A SCRAM client for `username` (prepared with SASLprep, then
    /// `,`/`=` escaped) with `password`, the caller's `nonce` and what it
    /// says about channel binding. `-PLUS` when `binding` is
    /// [`ChannelBinding::Bound`].
    pub fn new(
        hash: ScramHash,
        username: &str,
        password: impl Into<Password>,
        nonce: impl Into<Nonce>,
        binding: ChannelBinding,
    ) -> Result<Scram, ClientError> {
        let nonce = nonce.into();
        if !nonce.is_valid() {
            return Err(ClientError::InvalidNonce);
        }
        let user = prep::prepare(username, "username")?;
        let password = match password.into() {
            Password::Clear(p) => Password::Clear(prep::prepare(&p, "password")?),
            Password::Salted(s) if s.hash != hash => {
                return Err(ClientError::Credentials(CredentialsError::HashMismatch));
            }
            Password::Salted(s) => Password::Salted(s),
        };
        let gs2_header = format!("{},,", binding.flag());
        let client_first_bare = format!("n={},r={}", prep::escape(&user), nonce.0);
        Ok(Scram {
            hash,
            binding,
            password,
            nonce: nonce.0,
            gs2_header,
            client_first_bare,
            bounds: IterationBounds::default(),
            downgrade: None,
            state: State::Start,
            server_key: Vec::new(),
            auth_message: Vec::new(),
            salted: None,
        })
    }

    /// Acts as `authzid` (sent as `a=` in the GS2 header, `,`/`=`
    /// escaped, not prepared: in XMPP it is a JID). Call before the
    /// exchange starts.
    pub fn with_authzid(mut self, authzid: &str) -> Scram {
        self.gs2_header = format!("{},a={},", self.binding.flag(), prep::escape(authzid));
        self
    }

    /// Accepts iteration counts within `bounds` (default
    /// [`IterationBounds::default`]).
    pub fn with_iteration_bounds(mut self, bounds: IterationBounds) -> Scram {
        self.bounds = bounds;
        self
    }

    /// Checks the server's XEP-0474 hash (`h=`) against the lists the
    /// client saw.
    pub fn with_downgrade_protection(mut self, protection: DowngradeProtection) -> Scram {
        self.downgrade = Some(protection);
        self
    }

    /// The mechanism.
    pub fn mechanism(&self) -> ScramMechanism {
        ScramMechanism::new(self.hash, matches!(self.binding, ChannelBinding::Bound(..)))
    }

    /// Where the exchange stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The salted password derived during the exchange, for a client that
    /// caches it instead of the password (after [`State::Done`]).
    pub fn salted_password(&self) -> Option<&SaltedPassword> {
        (self.state == State::Done)
            .then_some(self.salted.as_ref())
            .flatten()
    }

    /// The client-first-message, sent with `<auth/>`.
    pub fn initial_response(&self) -> Vec<u8> {
        format!("{}{}", self.gs2_header, self.client_first_bare).into_bytes()
    }

    /// A challenge from the server: the server-first-message (answered
    /// with the client-final-message), or the server-final-message
    /// (verified, answered with an empty response; `<success/>` follows).
    /// An empty challenge before anything else asks for the initial
    /// response.
    pub fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ClientError> {
        let result = match self.state {
            State::Start if challenge.is_empty() => return Ok(self.initial_response()),
            State::Start => self.server_first(challenge),
            State::ProofSent => self.server_final(challenge).map(|()| {
                self.state = State::Verified;
                Vec::new()
            }),
            State::Verified => Err(PeerError::UnexpectedData.into()),
            s => return Err(wrong("step", s)),
        };
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// `<success/>` with its additional data: the server-final-message,
    /// unless it came as a challenge already. Success without the
    /// server's proof is refused ([`PeerError::MissingServerSignature`]).
    pub fn success(&mut self, data: Option<&[u8]>) -> Result<(), ClientError> {
        let data = data.filter(|d| !d.is_empty());
        let result = match (self.state, data) {
            (State::Start | State::ProofSent, None) => {
                Err(PeerError::MissingServerSignature.into())
            }
            (State::Start, Some(_)) => Err(PeerError::UnexpectedData.into()),
            (State::ProofSent, Some(d)) => self.server_final(d),
            (State::Verified, None) => Ok(()),
            (State::Verified, Some(_)) => Err(PeerError::UnexpectedData.into()),
            (s, _) => return Err(wrong("succeed", s)),
        };
        self.state = if result.is_ok() {
            State::Done
        } else {
            State::Failed
        };
        result
    }

    fn server_first(&mut self, msg: &[u8]) -> Result<Vec<u8>, ClientError> {
        let text = scram::utf8(msg)?;
        let attrs = scram::attributes(text)?;
        match attrs[0] {
            (b'e', v) => return Err(PeerError::ServerError(ScramError::parse(v)).into()),
            (b'm', _) => return Err(PeerError::MandatoryExtension.into()),
            _ => {}
        }
        let nonce = expect(&attrs, 0, b'r')?;
        let salt = scram::base64(b's', expect(&attrs, 1, b's')?)?;
        let iterations = parse_count(expect(&attrs, 2, b'i')?)?;
        if nonce.len() <= self.nonce.len()
            || !nonce.starts_with(self.nonce.as_str())
            || !prep::is_printable(nonce)
        {
            return Err(PeerError::NonceMismatch.into());
        }
        if salt.is_empty() {
            return Err(PeerError::EmptySalt.into());
        }
        self.bounds.check(iterations)?;
        let h = attrs[3..].iter().find(|(n, _)| *n == b'h').map(|(_, v)| *v);
        if let Some(d) = &self.downgrade {
            match h {
                Some(h) if h == d.expected(self.hash) => {}
                Some(_) => return Err(PeerError::Downgrade.into()),
                None if d.required => return Err(PeerError::MissingDowngradeHash.into()),
                None => {}
            }
        }
        let salted = match &self.password {
            Password::Clear(p) => crypto::hi(self.hash, p.as_bytes(), &salt, iterations),
            Password::Salted(s) if s.salt == salt && s.iterations == iterations => {
                s.salted_password.clone()
            }
            Password::Salted(_) => return Err(ClientError::Credentials(CredentialsError::Stale)),
        };
        let keys = crypto::keys(self.hash, &salted);
        let mut cbind_input = self.gs2_header.as_bytes().to_vec();
        if let ChannelBinding::Bound(_, data) = &self.binding {
            cbind_input.extend_from_slice(data);
        }
        let without_proof = format!("c={},r={}", scram::b64(&cbind_input), nonce);
        let auth_message = format!("{},{},{}", self.client_first_bare, text, without_proof);
        let signature = crypto::hmac(self.hash, &keys.stored_key, auth_message.as_bytes());
        let proof = crypto::xor(&keys.client_key, &signature);
        self.server_key = keys.server_key;
        self.auth_message = auth_message.into_bytes();
        self.salted = Some(SaltedPassword {
            hash: self.hash,
            salt,
            iterations,
            salted_password: salted,
        });
        self.state = State::ProofSent;
        Ok(format!("{},p={}", without_proof, scram::b64(&proof)).into_bytes())
    }

    fn server_final(&mut self, msg: &[u8]) -> Result<(), ClientError> {
        let attrs = scram::attributes(scram::utf8(msg)?)?;
        match attrs[0] {
            (b'e', v) => Err(PeerError::ServerError(ScramError::parse(v)).into()),
            (b'v', v) => {
                let signature = scram::base64(b'v', v)?;
                if crypto::hmac_verify(self.hash, &self.server_key, &self.auth_message, &signature)
                {
                    Ok(())
                } else {
                    Err(PeerError::ServerSignature.into())
                }
            }
            (b'm', _) => Err(PeerError::MandatoryExtension.into()),
            _ => Err(PeerError::MissingAttribute('v').into()),
        }
    }
}

/// An HT client (draft-schmaus-kitten-sasl-ht, XEP-0484 FAST): one
/// message, `authcid NUL HMAC(token, "Initiator" || cb-data)`, and the
/// server's `HMAC(token, "Responder" || cb-data)` in the additional data
/// of `<success/>`, which the client verifies (mutual authentication).
/// The token is the one the server issued (XEP-0484's `<token/>`), for
/// this mechanism only; `cb-data` is the data of the mechanism's
/// channel-binding type (none for `-NONE`).
///
/// ```
/// use xep_sasl::client::HashedToken;
/// use xep_sasl::server::{self, ChannelBindingOffer, ServerStep, Token};
/// use xep_sasl::{ChannelBindingType, HtMechanism};
///
/// let cb = vec![(ChannelBindingType::TlsServerEndPoint, vec![1; 32])];
/// let m = HtMechanism::SHA_256_ENDP;
/// let mut client = HashedToken::new(m, "juliet", "s3cr3t-t0ken", &cb).unwrap();
/// let mut server = server::HashedToken::new(m, ChannelBindingOffer::new(cb));
/// let ServerStep::NeedCredentials { username, .. } =
///     server.step(&client.initial_response()).unwrap() else { panic!() };
/// assert_eq!(username, "juliet");
/// // The caller looks up the tokens it issued to this user.
/// let ServerStep::Success { additional_data, .. } =
///     server.provide(vec![Token::new(m, "s3cr3t-t0ken")]).unwrap() else { panic!() };
/// client.success(additional_data.as_deref()).unwrap();
/// ```
#[derive(Clone)]
pub struct HashedToken {
    mechanism: HtMechanism,
    message: Vec<u8>,
    responder: Vec<u8>,
    state: State,
}

impl std::fmt::Debug for HashedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashedToken")
            .field("mechanism", &self.mechanism.name())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl HashedToken {
    /// An HT client for `username` (prepared with SASLprep) with `token`,
    /// taking the data of the mechanism's channel-binding type from
    /// `channel_bindings` (what the TLS library gives; unused by
    /// `-NONE`). Refused: an empty token
    /// ([`CredentialsError::EmptyToken`]), no data for the type
    /// ([`CredentialsError::ChannelBindingUnavailable`]).
    pub fn new(
        mechanism: HtMechanism,
        username: &str,
        token: &str,
        channel_bindings: &[(ChannelBindingType, Vec<u8>)],
    ) -> Result<HashedToken, ClientError> {
        let user = prep::prepare(username, "username")?;
        if user.is_empty() {
            return Err(PrepError {
                what: "username",
                reason: "empty".into(),
            }
            .into());
        }
        if token.is_empty() {
            return Err(ClientError::Credentials(CredentialsError::EmptyToken));
        }
        let cb: &[u8] = match mechanism.binding {
            None => &[],
            Some(t) => channel_bindings
                .iter()
                .find(|(have, _)| *have == t)
                .map(|(_, d)| d.as_slice())
                .ok_or(ClientError::Credentials(
                    CredentialsError::ChannelBindingUnavailable(t),
                ))?,
        };
        let key = token.as_bytes();
        let mut message = user.into_bytes();
        message.push(0);
        message.extend(crypto::ht_hmac(mechanism.hash, key, &[b"Initiator", cb]));
        Ok(HashedToken {
            mechanism,
            message,
            responder: crypto::ht_hmac(mechanism.hash, key, &[b"Responder", cb]),
            state: State::Start,
        })
    }

    /// The mechanism.
    pub fn mechanism(&self) -> HtMechanism {
        self.mechanism
    }

    /// Where the exchange stands.
    pub fn state(&self) -> State {
        self.state
    }

    /// The initiator message, sent with `<authenticate/>`.
    pub fn initial_response(&self) -> Vec<u8> {
        self.message.clone()
    }

    /// A challenge: only an empty one (asking for the initial response)
    /// is valid; HT has no other.
    pub fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ClientError> {
        match self.state {
            State::Start if challenge.is_empty() => Ok(self.message.clone()),
            State::Start => {
                self.state = State::Failed;
                Err(PeerError::UnexpectedData.into())
            }
            s => Err(wrong("step", s)),
        }
    }

    /// `<success/>` with its additional data, the responder message:
    /// refused when missing ([`PeerError::MissingServerSignature`]) or
    /// wrong ([`PeerError::ServerSignature`]: the server does not know
    /// the token, or the channel differs).
    pub fn success(&mut self, data: Option<&[u8]>) -> Result<(), ClientError> {
        if self.state != State::Start {
            return Err(wrong("succeed", self.state));
        }
        let result = match data.filter(|d| !d.is_empty()) {
            None => Err(PeerError::MissingServerSignature.into()),
            Some(d) if crypto::ct_eq(d, &self.responder) => Ok(()),
            Some(_) => Err(PeerError::ServerSignature.into()),
        };
        self.state = if result.is_ok() {
            State::Done
        } else {
            State::Failed
        };
        result
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

/// `posit-number`: a decimal without sign or leading zero, within u32.
fn parse_count(v: &str) -> Result<u32, PeerError> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) || v.starts_with('0') {
        return Err(PeerError::Malformed(
            "iteration count is not a positive decimal number",
        ));
    }
    v.parse()
        .map_err(|_| PeerError::Malformed("iteration count does not fit 32 bits"))
}

/// Any client mechanism, for callers that choose at run time.
#[derive(Debug, Clone)]
pub enum Client {
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

impl Client {
    /// The mechanism, to name in `<auth mechanism='...'/>`.
    pub fn mechanism(&self) -> Mechanism {
        match self {
            Client::Plain(_) => Mechanism::Plain,
            Client::Anonymous(_) => Mechanism::Anonymous,
            Client::External(_) => Mechanism::External,
            Client::Scram(s) => Mechanism::Scram(s.mechanism()),
            Client::Ht(h) => Mechanism::Ht(h.mechanism()),
        }
    }

    /// The initial response.
    pub fn initial_response(&self) -> Vec<u8> {
        match self {
            Client::Plain(m) => m.initial_response(),
            Client::Anonymous(m) => m.initial_response(),
            Client::External(m) => m.initial_response(),
            Client::Scram(m) => m.initial_response(),
            Client::Ht(m) => m.initial_response(),
        }
    }

    /// A challenge; the response to send.
    pub fn step(&mut self, challenge: &[u8]) -> Result<Vec<u8>, ClientError> {
        match self {
            Client::Plain(m) => m.step(challenge),
            Client::Anonymous(m) => m.step(challenge),
            Client::External(m) => m.step(challenge),
            Client::Scram(m) => m.step(challenge),
            Client::Ht(m) => m.step(challenge),
        }
    }

    /// `<success/>` with its additional data.
    pub fn success(&mut self, data: Option<&[u8]>) -> Result<(), ClientError> {
        match self {
            Client::Plain(m) => m.success(data),
            Client::Anonymous(m) => m.success(data),
            Client::External(m) => m.success(data),
            Client::Scram(m) => m.success(data),
            Client::Ht(m) => m.success(data),
        }
    }

    /// Where the exchange stands.
    pub fn state(&self) -> State {
        match self {
            Client::Plain(m) => m.state(),
            Client::Anonymous(m) => m.state(),
            Client::External(m) => m.state(),
            Client::Scram(m) => m.state(),
            Client::Ht(m) => m.state(),
        }
    }
}
