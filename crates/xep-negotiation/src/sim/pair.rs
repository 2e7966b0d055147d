//! The crate's [`Client`] against its [`Server`] over real bytes (each
//! end's `Transmit`s written by a `StreamWriter` and read by the other
//! end's `StreamReader`; STARTTLS replaces both wires, as a TLS layer
//! would), under a [`Setup`]: the server's offer, the client's policy and
//! preferences, the right or a wrong password, the channel-binding data
//! each end's TLS produces, SASL2 and Bind 2 offered and wanted or not,
//! and the server's caller granting or refusing the resource, XEP-0484
//! (FAST) offered or not, the client holding the right token, a wrong
//! one or none, and asking for one or not, the XEP-0480 SCRAM upgrade
//! offered or not, ANONYMOUS among the mechanisms (the server's caller
//! naming a temporary account), RFC 3921's session not announced,
//! optional or required, XEP-0397 instant stream resumption offered or
//! not, the client holding the session's ISR token, a wrong one or none,
//! and the server's caller resuming the session or not. The harness of
//! the pairing
//! tests and of the `negotiation-pair-machine` fuzz target.
//!
//! Invariants ([`check`]): both ends end Ready with the same JID and
//! mechanism, or both fail with matching reasons (a stream error one end
//! sent is the one the other received; a SASL `<failure/>` the client
//! reports is the one the server sent; a client's refusal of the offer
//! is a close to the server); never Ready with a wrong password; `-PLUS`
//! only across matching channel bindings; PLAIN never in the clear
//! unless the server allows it; SASL2 used exactly when both ends want
//! it, Bind 2 exactly when both ends want it within SASL2; never Ready
//! with a wrong token (a refused token falls back to the password), an
//! `HT-*-EXPR` token only across matching channel bindings, and the token
//! the client stores is the one the server's caller issued; an upgrade
//! runs exactly when offered to a client that authenticated with its
//! password in SASL2, and the server never stores keys of a wrong
//! password; ANONYMOUS ends with the temporary account on both ends, and
//! a required session is established exactly after RFC 6120 binding;
//! a stream is resumed instantly only with the right ISR token across
//! matching channel bindings, on both ends alike, and a refused ISR
//! token falls back to the password.

use std::time::Instant;

use xep_core::{DefinedCondition, ErrorType, SaslCondition, StanzaError};
use xep_sasl::fast;
use xep_sasl::server::Token;
use xep_sasl::{ChannelBindingType, HtMechanism, Mechanism, ScramHash, StoredCredentials};

use super::Wire;
use crate::Failure;
use crate::client::{self, Client, TlsPolicy};
use crate::server::{self, Server, SessionOffer, TlsOffer};

const USER: &str = "juliet";
const PASSWORD: &str = "r0m30myr0m30";
const WRONG: &str = "not the password";
const TOKEN: &str = "sim-token-of-juliet";
const WRONG_TOKEN: &str = "a guessed token";
const UPGRADE_SALT: &[u8] = b"salt for SHA-512";
/// The ISR token of the detached session, and its mechanism.
const ISR_TOKEN: &str = "isr-token-of-juliet";
const ISR: HtMechanism = HtMechanism::SHA_256_EXPR;
/// The session resumed, and what the server's caller answers with.
const PREVID: &str = "sm-previous";
const RESUMED: &str = "juliet@example.org/resumed";
const NEW_ISR_TOKEN: &str = "next-isr-token";
/// The temporary account the server's caller gives an ANONYMOUS client.
const ANONYMOUS: &str = "anon-7f3e@example.org";
/// The token mechanisms a FAST server lists (the first only with its
/// channel binding).
const FAST: [HtMechanism; 2] = [HtMechanism::SHA_256_EXPR, HtMechanism::SHA_256_NONE];

/// Both ends' configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// The server's STARTTLS offer.
    pub server_tls: TlsOffer,
    /// The mechanisms the server offers (before its filtering).
    pub server_mechanisms: Vec<Mechanism>,
    /// Whether the server offers PLAIN in the clear.
    pub plain_in_clear: bool,
    /// The client's TLS policy.
    pub client_tls: TlsPolicy,
    /// The client's acceptable mechanisms, preferred first.
    pub client_mechanisms: Vec<Mechanism>,
    /// Whether the client has the right password.
    pub right_password: bool,
    /// The `tls-exporter` data the server's TLS produces (`None`: none).
    pub server_binding: Option<Vec<u8>>,
    /// The `tls-exporter` data the client's TLS produces (`None`: none).
    pub client_binding: Option<Vec<u8>>,
    /// The server's caller refuses the resource with `conflict`.
    pub bind_conflict: bool,
    /// The resource the client asks for.
    pub resource: Option<String>,
    /// The server's attempt limit.
    pub max_attempts: u32,
    /// The server offers SASL2 (XEP-0388).
    pub server_sasl2: bool,
    /// The server lists Bind 2 (XEP-0386) inline.
    pub server_bind2: bool,
    /// The client uses SASL2 when offered.
    pub client_sasl2: bool,
    /// The client uses Bind 2 when offered (its tag: `resource`).
    pub client_bind2: bool,
    /// The server offers XEP-0484 FAST (`FAST`'s mechanisms).
    pub server_fast: bool,
    /// The client holds a token: `Some(true)` the server's, `Some(false)`
    /// a wrong one.
    pub client_token: Option<bool>,
    /// The client's token is for `HT-SHA-256-EXPR` (else `-NONE`).
    pub token_binds: bool,
    /// The client asks for a token (`FAST`'s mechanisms).
    pub request_token: bool,
    /// The server offers the XEP-0480 upgrade to SCRAM-SHA-512 (the
    /// client asks for it when offered).
    pub server_upgrades: bool,
    /// How the server announces RFC 3921's session.
    pub server_session: SessionOffer,
    /// The server offers XEP-0397 ISR (with SASL2).
    pub server_isr: bool,
    /// The client holds an ISR token: `Some(true)` the session's,
    /// `Some(false)` a wrong one.
    pub client_isr: Option<bool>,
    /// The server's caller resumes the session (else `<failed/>`).
    pub isr_resumable: bool,
}

impl Default for Setup {
    /// STARTTLS required, both ends' default mechanisms, the right
    /// password, the same channel binding on both ends.
    fn default() -> Self {
        let cb = Some(vec![0x5a; 32]);
        Setup {
            server_tls: TlsOffer::Required,
            server_mechanisms: server::Config::new(domain(), "x", "y").mechanisms,
            plain_in_clear: false,
            client_tls: TlsPolicy::Required,
            client_mechanisms: Mechanism::SCRAM.to_vec(),
            right_password: true,
            server_binding: cb.clone(),
            client_binding: cb,
            bind_conflict: false,
            resource: Some("balcony".into()),
            max_attempts: 3,
            server_sasl2: false,
            server_bind2: true,
            client_sasl2: true,
            client_bind2: true,
            server_fast: false,
            client_token: None,
            token_binds: false,
            request_token: false,
            server_upgrades: false,
            server_session: SessionOffer::None,
            server_isr: false,
            client_isr: None,
            isr_resumable: true,
        }
    }
}

fn domain() -> xep_element::jid::BareJid {
    "example.org".parse().unwrap()
}

fn bindings(data: &Option<Vec<u8>>) -> Vec<(ChannelBindingType, Vec<u8>)> {
    data.iter()
        .map(|d| (ChannelBindingType::TlsExporter, d.clone()))
        .collect()
}

/// How a pairing ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    /// The client's end: its Ready or its failure.
    pub client: Result<client::Ready, Failure>,
    /// The server's end.
    pub server: Result<server::Ready, Failure>,
    /// The last SASL condition the server sent, if any.
    pub sasl: Option<SaslCondition>,
    /// Whether the server's caller refused the resource.
    pub refused: bool,
    /// The client reported its token refused.
    pub token_refused: bool,
    /// The server reported a token used.
    pub token_used: bool,
    /// The last token the server's caller issued, with its mechanism.
    pub issued: Option<(HtMechanism, String)>,
    /// The token the client received, with its mechanism.
    pub received: Option<(HtMechanism, String)>,
    /// The credentials an XEP-0480 upgrade gave the server's caller.
    pub upgraded: Option<StoredCredentials>,
    /// XEP-0397: the client reported its ISR token refused.
    pub isr_refused: bool,
    /// XEP-0397: the client reported the resumption failed.
    pub isr_failed: bool,
    /// What the client wrote, then what the server wrote (the last wire
    /// of each direction).
    pub transcripts: (String, String),
}

struct Pair {
    setup: Setup,
    now: Instant,
    c: Client,
    s: Server,
    up: Wire,
    down: Wire,
    client: Option<Result<client::Ready, Failure>>,
    server: Option<Result<server::Ready, Failure>>,
    sasl: Option<SaslCondition>,
    refused: bool,
    token_refused: bool,
    token_used: bool,
    issued: Option<(HtMechanism, String)>,
    received: Option<(HtMechanism, String)>,
    upgraded: Option<StoredCredentials>,
    isr_refused: bool,
    isr_failed: bool,
    plain_in_clear_seen: bool,
    tls: bool,
}

impl Pair {
    /// Moves output onto the wires and answers events, until nothing
    /// moves.
    fn pump(&mut self) {
        for _ in 0..256 {
            let mut moved = false;
            while let Some(t) = self.c.poll_transmit() {
                if let crate::Transmit::Auth(a) = &t
                    && a.mechanism == "PLAIN"
                    && !self.tls
                {
                    self.plain_in_clear_seen = true;
                }
                self.up.write(t);
                moved = true;
            }
            while let Some(t) = self.s.poll_transmit() {
                self.down.write(t);
                moved = true;
            }
            moved |= self.client_events() | self.server_events();
            if self.c.state() == client::State::TlsHandshake
                && self.s.state() == server::State::TlsHandshake
                && self.up.in_flight.is_empty()
                && self.down.in_flight.is_empty()
            {
                // TLS is up: a new stream on each side.
                self.tls = true;
                self.up = Wire::new();
                self.down = Wire::new();
                let (cb_c, cb_s) = (
                    bindings(&self.setup.client_binding),
                    bindings(&self.setup.server_binding),
                );
                self.c.tls_established(self.now, cb_c).unwrap();
                self.s.tls_established(self.now, cb_s).unwrap();
                moved = true;
            }
            if !self.up.in_flight.is_empty() {
                for e in self.up.deliver() {
                    let mine =
                        !matches!(self.s.state(), server::State::Ready | server::State::Failed);
                    assert_eq!(self.s.handle_stream_event(self.now, &e), mine, "{e:?}");
                }
                moved = true;
            }
            if !self.down.in_flight.is_empty() {
                for e in self.down.deliver() {
                    let mine =
                        !matches!(self.c.state(), client::State::Ready | client::State::Failed);
                    assert_eq!(self.c.handle_stream_event(self.now, &e), mine, "{e:?}");
                }
                moved = true;
            }
            if !moved {
                return;
            }
        }
        panic!("the pair never settles");
    }

    fn client_events(&mut self) -> bool {
        let mut any = false;
        while let Some(e) = self.c.poll_event() {
            any = true;
            assert!(self.client.is_none(), "a second client outcome: {e:?}");
            match e {
                client::Event::StartTls => {}
                client::Event::StreamRestart => self.down.reader.restart(),
                // A client that paused before binding binds (the sims
                // resume nothing).
                client::Event::Authenticated { .. } => self.c.bind(self.now).unwrap(),
                client::Event::TokenRefused { condition } => {
                    assert!(!self.token_refused, "a token refused twice");
                    assert_eq!(Some(condition), self.sasl.clone());
                    self.token_refused = true;
                }
                client::Event::TokenReceived { mechanism, token } => {
                    assert!(self.received.is_none(), "a second token");
                    self.received = Some((mechanism, token.token));
                }
                client::Event::InstantResumeRefused { .. } => {
                    assert!(!self.isr_refused, "ISR refused twice");
                    self.isr_refused = true;
                }
                client::Event::InstantResumeFailed(_) => {
                    assert!(!self.isr_failed, "ISR failed twice");
                    self.isr_failed = true;
                }
                client::Event::Ready(r) => self.client = Some(Ok(*r)),
                client::Event::Failed(f) => self.client = Some(Err(f)),
            }
        }
        any
    }

    fn server_events(&mut self) -> bool {
        let mut any = false;
        while let Some(e) = self.s.poll_event() {
            any = true;
            assert!(self.server.is_none(), "a second server outcome: {e:?}");
            match e {
                server::Event::StartTls => {}
                server::Event::CredentialsRequested {
                    username,
                    mechanism,
                } => {
                    if let Mechanism::Ht(m) = mechanism {
                        // The caller's tokens: one per mechanism.
                        let tokens = if username == USER {
                            vec![Token::new(m, TOKEN)]
                        } else {
                            Vec::new()
                        };
                        self.s.provide_tokens(self.now, tokens).unwrap();
                        continue;
                    }
                    let hash = match mechanism {
                        Mechanism::Scram(m) => m.hash,
                        _ => ScramHash::Sha256,
                    };
                    let stored = (username == USER).then(|| {
                        StoredCredentials::from_password(hash, PASSWORD, b"sim salt", 4096).unwrap()
                    });
                    self.s.provide_credentials(self.now, stored).unwrap();
                }
                server::Event::IsrTokenRequested {
                    username,
                    mechanism,
                    resume,
                } => {
                    assert_eq!(mechanism, Mechanism::Ht(ISR));
                    assert_eq!(resume.previd, PREVID);
                    let tokens = if username == USER {
                        vec![Token::new(ISR, ISR_TOKEN)]
                    } else {
                        Vec::new()
                    };
                    self.s.provide_tokens(self.now, tokens).unwrap();
                }
                server::Event::InstantResumeRequested { bare, resume } => {
                    assert_eq!(bare.to_string(), format!("{USER}@example.org"));
                    assert_eq!((resume.previd.as_str(), resume.h), (PREVID, 5));
                    if self.setup.isr_resumable {
                        let jid = RESUMED.parse().unwrap();
                        self.s
                            .instant_resumed(self.now, jid, NEW_ISR_TOKEN, 9)
                            .unwrap();
                    } else {
                        let f = xep_sm::Failed::new(DefinedCondition::ItemNotFound);
                        self.s.instant_resume_failed(self.now, f).unwrap();
                    }
                }
                server::Event::IdentityRequested { mechanism, .. } => {
                    assert_eq!(mechanism, Mechanism::Anonymous);
                    let account = ANONYMOUS.parse().unwrap();
                    self.s.authorize(self.now, Some(account)).unwrap();
                }
                server::Event::AuthenticationFailed { condition, .. } => {
                    self.sasl = Some(condition);
                }
                server::Event::StreamRestart => self.up.reader.restart(),
                server::Event::UpgradeRequested { hash, .. } => {
                    assert_eq!(hash, ScramHash::Sha512);
                    let salt = xep_sasl::upgrade::Salt::new(UPGRADE_SALT.to_vec(), 4096);
                    self.s.upgrade_salt(self.now, salt).unwrap();
                }
                server::Event::CredentialsUpgraded { credentials, .. } => {
                    assert!(self.upgraded.is_none(), "a second upgrade");
                    self.upgraded = Some(credentials);
                }
                server::Event::TokenUsed { matched, .. } => {
                    assert_eq!(matched, 0);
                    self.token_used = true;
                }
                server::Event::TokenRequested { mechanism, .. } => {
                    // A second one when the first success was refused
                    // later (Bind 2) and the client authenticated again.
                    let secret = format!("issued for {mechanism}");
                    self.issued = Some((mechanism, secret.clone()));
                    let token = fast::Token {
                        expiry: xep_element::XmlValue::from_xml("2030-01-01T00:00:00Z").unwrap(),
                        token: secret,
                    };
                    self.s.issue_token(self.now, Some(token)).unwrap();
                }
                server::Event::BindRequested {
                    bare,
                    resource,
                    inline,
                } => {
                    if self.setup.bind_conflict {
                        self.refused = true;
                        let e = StanzaError::new(ErrorType::Cancel, DefinedCondition::Conflict);
                        self.s.refuse_bind(self.now, e).unwrap();
                    } else {
                        let r = match (resource, inline) {
                            // XEP-0386: the tag, then a part of our own.
                            (Some(tag), true) => format!("{tag}/sim1"),
                            (Some(r), false) => r,
                            (None, _) => "sim-chosen".into(),
                        };
                        let jid = bare.with_resource_str(&r).unwrap();
                        self.s.bind(self.now, jid).unwrap();
                    }
                }
                server::Event::Ready(r) => self.server = Some(Ok(*r)),
                server::Event::Failed(f) => self.server = Some(Err(f)),
            }
        }
        any
    }
}

/// Runs the pairing to its end and checks the invariants (see the module
/// documentation).
pub fn check(now: Instant, setup: &Setup) -> Ended {
    let mut sc = server::Config::new(domain(), "sim-s1", b"sim server nonce bytes".to_vec());
    sc.tls = setup.server_tls;
    sc.mechanisms = setup.server_mechanisms.clone();
    sc.plain_in_clear = setup.plain_in_clear;
    sc.max_attempts = setup.max_attempts;
    sc.sasl2 = setup.server_sasl2;
    sc.bind2 = setup.server_bind2;
    if setup.server_fast {
        sc.fast = FAST.to_vec();
    }
    if setup.server_upgrades {
        sc.scram_upgrades = vec![ScramHash::Sha512];
    }
    sc.session = setup.server_session;
    if setup.server_isr {
        sc.isr = vec![ISR];
    }
    let password = if setup.right_password {
        PASSWORD
    } else {
        WRONG
    };
    let mut cc = client::Config::new(
        "example.org".parse().unwrap(),
        USER,
        password,
        b"sim client nonce bytes".to_vec(),
    );
    cc.tls = setup.client_tls;
    cc.mechanisms = setup.client_mechanisms.clone();
    cc.resource = setup.resource.clone();
    cc.sasl2 = setup.client_sasl2;
    cc.bind2 = setup.client_bind2;
    cc.bind2_tag = setup.resource.clone();
    cc.fast_token = setup.client_token.map(|right| client::FastToken {
        mechanism: token_mechanism(setup),
        secret: if right { TOKEN } else { WRONG_TOKEN }.into(),
    });
    if setup.request_token {
        cc.request_token = FAST.to_vec();
    }
    cc.isr = setup.client_isr.map(|right| client::IsrResume {
        jid: RESUMED.parse().unwrap(),
        token: if right { ISR_TOKEN } else { WRONG_TOKEN }.into(),
        mechanism: ISR,
        resume: xep_sm::Resume {
            h: 5,
            previd: PREVID.into(),
        },
    });
    let mut pair = Pair {
        setup: setup.clone(),
        now,
        c: Client::new(cc),
        s: Server::new(sc),
        up: Wire::new(),
        down: Wire::new(),
        client: None,
        server: None,
        sasl: None,
        refused: false,
        token_refused: false,
        token_used: false,
        issued: None,
        received: None,
        upgraded: None,
        isr_refused: false,
        isr_failed: false,
        plain_in_clear_seen: false,
        tls: false,
    };
    pair.s.start(now).unwrap();
    pair.c.start(now).unwrap();
    pair.pump();
    let ended = Ended {
        client: pair.client.clone().unwrap_or_else(|| {
            panic!(
                "the client did not end: {:?} {:?}\n{}\n{}",
                pair.c, pair.s, pair.up.transcript, pair.down.transcript
            )
        }),
        server: pair.server.clone().expect("the server ended"),
        sasl: pair.sasl.clone(),
        refused: pair.refused,
        token_refused: pair.token_refused,
        token_used: pair.token_used,
        issued: pair.issued.clone(),
        received: pair.received.clone(),
        upgraded: pair.upgraded.clone(),
        isr_refused: pair.isr_refused,
        isr_failed: pair.isr_failed,
        transcripts: (pair.up.transcript.clone(), pair.down.transcript.clone()),
    };
    invariants(setup, &ended, pair.plain_in_clear_seen);
    ended
}

/// The mechanism of the client's token.
fn token_mechanism(setup: &Setup) -> HtMechanism {
    if setup.token_binds { FAST[0] } else { FAST[1] }
}

fn invariants(setup: &Setup, e: &Ended, plain_in_clear: bool) {
    // A token is refused only when the client offered one, and never the
    // right one across matching bindings (but for a refused resource,
    // which fails the whole SASL2 attempt).
    if e.token_refused {
        let right = setup.client_token == Some(true)
            && (!setup.token_binds || setup.client_binding == setup.server_binding);
        assert!(
            !right || setup.bind_conflict,
            "the right token refused: {e:?}"
        );
    }
    // XEP-0480: the server stores only keys of the right password.
    if let Some(u) = &e.upgraded {
        let right =
            StoredCredentials::from_password(ScramHash::Sha512, PASSWORD, UPGRADE_SALT, 4096);
        assert_eq!(
            Some(u),
            right.ok().as_ref(),
            "credentials of a wrong password"
        );
        assert!(setup.server_upgrades);
    }
    // XEP-0397: the right token across matching bindings is never
    // refused (but for a spent attempt limit, none is spent before it).
    if e.isr_refused {
        assert!(
            setup.client_isr != Some(true) || setup.client_binding != setup.server_binding,
            "the right ISR token refused: {e:?}"
        );
    }
    match (&e.client, &e.server) {
        (Ok(c), Ok(s)) if c.instant_resumed.is_some() || s.instant_resumed => {
            let r = c.instant_resumed.as_ref().expect("resumed on both ends");
            assert!(s.instant_resumed, "resumed on both ends");
            assert_eq!(
                setup.client_isr,
                Some(true),
                "resumed with a wrong ISR token"
            );
            assert!(setup.server_isr && setup.isr_resumable && c.tls && c.sasl2);
            assert_eq!(
                setup.client_binding, setup.server_binding,
                "an ISR token across mismatched channel bindings"
            );
            assert_eq!(
                (c.jid.to_string(), s.jid.to_string()),
                (RESUMED.into(), RESUMED.into())
            );
            assert_eq!(
                (r.token.as_str(), r.resumed.h, r.resumed.previd.as_str()),
                (NEW_ISR_TOKEN, 9, PREVID)
            );
            assert_eq!(c.mechanism, Mechanism::Ht(ISR));
            assert!(!e.isr_failed && !e.isr_refused && !e.token_used && e.upgraded.is_none());
        }
        (Ok(c), Ok(s)) => {
            // An upgrade asked for and offered ran, exactly when the
            // client authenticated with its password.
            let password_auth = matches!(c.mechanism, Mechanism::Plain | Mechanism::Scram(_));
            assert_eq!(
                e.upgraded.is_some(),
                setup.server_upgrades && c.sasl2 && password_auth,
                "{e:?}"
            );
            // The token the client keeps is the one issued.
            assert_eq!(e.received, e.issued, "{e:?}");
            if e.isr_failed {
                // Authenticated with the ISR token, not resumed: bound
                // as usual, and only with the right token across
                // matching bindings.
                assert_eq!(c.mechanism, Mechanism::Ht(ISR), "{e:?}");
                assert_eq!(setup.client_isr, Some(true), "Ready with a wrong ISR token");
                assert!(setup.server_isr && !setup.isr_resumable && c.tls && c.sasl2);
                assert_eq!(
                    setup.client_binding, setup.server_binding,
                    "an ISR token across mismatched channel bindings"
                );
                assert!(!e.token_used);
            } else if let Mechanism::Ht(m) = c.mechanism {
                assert_eq!(setup.client_token, Some(true), "Ready with a wrong token");
                assert_eq!(m, token_mechanism(setup));
                assert!(setup.server_fast && c.tls && e.token_used);
                if m.binding.is_some() {
                    assert_eq!(
                        setup.client_binding, setup.server_binding,
                        "a bound token across mismatched channel bindings"
                    );
                }
                assert!(e.issued.is_some(), "no rotation after a token");
            } else if c.mechanism == Mechanism::Anonymous {
                assert_eq!(s.bare.to_string(), ANONYMOUS);
                assert!(!e.token_used);
            } else {
                assert!(setup.right_password, "Ready with a wrong password");
                assert_eq!(s.bare.to_string(), format!("{USER}@example.org"));
                assert!(!e.token_used);
            }
            // A required session is established after RFC 6120 binding,
            // never otherwise.
            let session = e.transcripts.0.contains("xmpp-session");
            assert_eq!(
                session,
                setup.server_session == SessionOffer::Required && c.bound.is_none(),
                "{e:?}"
            );
            // A FAST token is asked for and issued whenever both ends
            // can, but for an ISR attempt: its `<authenticate/>` asks
            // for none, also when the server then does not resume.
            if setup.request_token && setup.server_fast && c.sasl2 && c.tls && !e.isr_failed {
                assert!(e.issued.is_some(), "a token asked and not issued: {e:?}");
            }
            assert_eq!(c.jid, s.jid);
            assert_eq!(c.mechanism, s.mechanism);
            assert_eq!(c.tls, s.tls);
            let sasl2 = setup.server_sasl2 && setup.client_sasl2;
            assert_eq!((c.sasl2, s.sasl2), (sasl2, sasl2));
            // After an ISR attempt that did not resume, RFC 6120 binding.
            let bind2 = sasl2 && setup.server_bind2 && setup.client_bind2 && !e.isr_failed;
            assert_eq!((c.bound.is_some(), s.bind2), (bind2, bind2));
            assert!(!setup.bind_conflict);
            if c.mechanism.is_plus() {
                assert!(c.tls && setup.client_binding.is_some());
                assert_eq!(
                    setup.client_binding, setup.server_binding,
                    "-PLUS across mismatched channel bindings"
                );
            }
        }
        (Err(c), Err(s)) => match (c, s) {
            (Failure::Received(r), Failure::Sent(x)) | (Failure::Sent(x), Failure::Received(r)) => {
                assert_eq!(r.condition, x.condition);
            }
            (Failure::Sasl(f), Failure::Closed | Failure::Sent(_)) => {
                assert_eq!(Some(&f.condition), e.sasl.as_ref(), "{e:?}");
            }
            // A refused token (FAST or ISR) spent the last attempt, and
            // the fallback found no mechanism before reading the stream
            // error.
            (Failure::NoMechanism(_), Failure::Sent(x)) if e.token_refused || e.isr_refused => {
                assert_eq!(x.condition, xep_core::StreamCondition::PolicyViolation);
            }
            (Failure::Bind(b), Failure::Closed) => {
                assert!(e.refused);
                assert_eq!(b.condition, DefinedCondition::Conflict);
            }
            (
                Failure::TlsUnavailable
                | Failure::TlsRequiredByServer
                | Failure::NoMechanism(_)
                | Failure::FeatureMissing("mechanisms"),
                Failure::Closed,
            ) => {}
            other => panic!("mismatched failures: {other:?}"),
        },
        other => panic!("one end ready, the other not: {other:?}"),
    }
    assert!(
        !plain_in_clear || setup.plain_in_clear,
        "PLAIN in the clear"
    );
}

/// The mechanisms a setup picks from, by bit.
const MECHANISMS: [Mechanism; 6] = [
    Mechanism::Plain,
    Mechanism::Anonymous,
    Mechanism::Scram(xep_sasl::ScramMechanism::SHA_1),
    Mechanism::Scram(xep_sasl::ScramMechanism::SHA_256),
    Mechanism::Scram(xep_sasl::ScramMechanism::SHA_256_PLUS),
    Mechanism::Scram(xep_sasl::ScramMechanism::SHA_512_PLUS),
];
const TLS_OFFERS: [TlsOffer; 3] = [TlsOffer::Required, TlsOffer::Optional, TlsOffer::Never];
const TLS_POLICIES: [TlsPolicy; 3] = [TlsPolicy::Required, TlsPolicy::IfOffered, TlsPolicy::Never];
const SESSIONS: [SessionOffer; 3] = [
    SessionOffer::None,
    SessionOffer::Optional,
    SessionOffer::Required,
];
const SETUP_BYTES: usize = 12;

fn binding_from(b: u8) -> Option<Vec<u8>> {
    match b % 3 {
        0 => None,
        1 => Some(vec![0x5a; 32]),
        _ => Some(vec![7; 32]),
    }
}

fn binding_to(b: &Option<Vec<u8>>) -> u8 {
    match b.as_deref() {
        None => 0,
        Some([0x5a, ..]) => 1,
        Some(_) => 2,
    }
}

/// The mechanisms of bits `b` (bit 7: in reverse order).
fn mechanisms_from(b: u8) -> Vec<Mechanism> {
    let mut m: Vec<Mechanism> = (0..MECHANISMS.len())
        .filter(|i| b & (1 << i) != 0)
        .map(|i| MECHANISMS[i])
        .collect();
    if b & 0x80 != 0 {
        m.reverse();
    }
    m
}

fn mechanisms_to(m: &[Mechanism]) -> u8 {
    let mut b = 0u8;
    for x in m {
        b |= 1 << MECHANISMS.iter().position(|y| y == x).unwrap_or(0);
    }
    let reversed = m.windows(2).any(|w| {
        MECHANISMS.iter().position(|y| *y == w[0]) > MECHANISMS.iter().position(|y| *y == w[1])
    });
    if reversed { b | 0x80 } else { b }
}

/// Decodes any bytes into a setup, one byte per field (a missing byte is
/// 0): server TLS offer and client TLS policy (modulo 3), the server's
/// and the client's mechanisms (bits of `MECHANISMS` order, bit 7 for
/// the reverse), flags (PLAIN in the clear, right password, bind
/// conflict, a resource asked), the server's and the client's
/// channel-binding data (modulo 3: none, one value, another), the
/// attempt limit (1 to 4), SASL2 and Bind 2 flags (server SASL2, server
/// Bind 2, client SASL2, client Bind 2), and FAST flags (server FAST, the
/// client holds a token, the right one, for `-EXPR`, the client asks for
/// one, the server offers the XEP-0480 upgrade), and the server's
/// session offer (modulo 3), and XEP-0397 flags (server ISR, the client
/// holds a token, the right one, the server's caller resumes).
pub fn setup_from_bytes(data: &[u8]) -> Setup {
    let b = |i: usize| data.get(i).copied().unwrap_or(0);
    let flags = b(4);
    Setup {
        server_tls: TLS_OFFERS[usize::from(b(0) % 3)],
        client_tls: TLS_POLICIES[usize::from(b(1) % 3)],
        server_mechanisms: mechanisms_from(b(2)),
        client_mechanisms: mechanisms_from(b(3)),
        plain_in_clear: flags & 1 != 0,
        right_password: flags & 2 != 0,
        bind_conflict: flags & 4 != 0,
        resource: (flags & 8 != 0).then(|| "balcony".into()),
        server_binding: binding_from(b(5)),
        client_binding: binding_from(b(6)),
        max_attempts: 1 + u32::from(b(7) % 4),
        server_sasl2: b(8) & 1 != 0,
        server_bind2: b(8) & 2 != 0,
        client_sasl2: b(8) & 4 != 0,
        client_bind2: b(8) & 8 != 0,
        server_fast: b(9) & 1 != 0,
        client_token: (b(9) & 2 != 0).then_some(b(9) & 4 != 0),
        token_binds: b(9) & 8 != 0,
        request_token: b(9) & 16 != 0,
        server_upgrades: b(9) & 32 != 0,
        server_session: SESSIONS[usize::from(b(10) % 3)],
        server_isr: b(11) & 1 != 0,
        client_isr: (b(11) & 2 != 0).then_some(b(11) & 4 != 0),
        isr_resumable: b(11) & 8 != 0,
    }
}

/// The bytes [`setup_from_bytes`] decodes into `s` (for setups whose
/// mechanisms are in `MECHANISMS` order or its reverse).
pub fn setup_to_bytes(s: &Setup) -> Vec<u8> {
    let pos = |x: usize| u8::try_from(x).unwrap_or(0);
    let out = vec![
        pos(TLS_OFFERS
            .iter()
            .position(|t| *t == s.server_tls)
            .unwrap_or(0)),
        pos(TLS_POLICIES
            .iter()
            .position(|t| *t == s.client_tls)
            .unwrap_or(0)),
        mechanisms_to(&s.server_mechanisms),
        mechanisms_to(&s.client_mechanisms),
        u8::from(s.plain_in_clear)
            | u8::from(s.right_password) << 1
            | u8::from(s.bind_conflict) << 2
            | u8::from(s.resource.is_some()) << 3,
        binding_to(&s.server_binding),
        binding_to(&s.client_binding),
        u8::try_from(s.max_attempts.saturating_sub(1) % 4).unwrap_or(0),
        u8::from(s.server_sasl2)
            | u8::from(s.server_bind2) << 1
            | u8::from(s.client_sasl2) << 2
            | u8::from(s.client_bind2) << 3,
        u8::from(s.server_fast)
            | u8::from(s.client_token.is_some()) << 1
            | u8::from(s.client_token == Some(true)) << 2
            | u8::from(s.token_binds) << 3
            | u8::from(s.request_token) << 4
            | u8::from(s.server_upgrades) << 5,
        pos(SESSIONS
            .iter()
            .position(|x| *x == s.server_session)
            .unwrap_or(0)),
        u8::from(s.server_isr)
            | u8::from(s.client_isr.is_some()) << 1
            | u8::from(s.client_isr == Some(true)) << 2
            | u8::from(s.isr_resumable) << 3,
    ];
    debug_assert_eq!(out.len(), SETUP_BYTES);
    out
}

/// Runs the setup decoded from `data` (the fuzz target's entry point).
pub fn fuzz(now: Instant, data: &[u8]) {
    let _ = check(now, &setup_from_bytes(data));
}

/// The scenarios of the scripted pairing tests, as bytes: the fuzz
/// target's seeds.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let all = MECHANISMS.to_vec();
    let ok = Setup {
        server_mechanisms: all.clone(),
        client_mechanisms: all.iter().rev().copied().collect(),
        resource: Some("balcony".into()),
        ..Setup::default()
    };
    // The ISR token right, the session not resumable: authenticated with
    // the token, then bound as usual; with FAST offered and asked for as
    // well (two cases the pairing invariant once got wrong).
    let isr_not_resumable = Setup {
        server_sasl2: true,
        server_isr: true,
        client_isr: Some(true),
        isr_resumable: false,
        ..ok.clone()
    };
    let isr_not_resumable_fast = Setup {
        server_fast: true,
        client_token: Some(true),
        request_token: true,
        ..isr_not_resumable.clone()
    };
    let plain = vec![Mechanism::Plain];
    [
        ("plus-over-starttls", ok.clone()),
        (
            "anonymous",
            Setup {
                client_mechanisms: vec![Mechanism::Anonymous],
                right_password: false,
                ..ok.clone()
            },
        ),
        (
            "isr-resumed",
            Setup {
                server_sasl2: true,
                server_isr: true,
                client_isr: Some(true),
                ..ok.clone()
            },
        ),
        ("isr-not-resumable", isr_not_resumable.clone()),
        (
            "isr-not-resumable-token-requested",
            Setup {
                server_session: SessionOffer::Required,
                ..isr_not_resumable_fast.clone()
            },
        ),
        (
            "isr-not-resumable-password-only",
            Setup {
                server_mechanisms: vec![Mechanism::Plain],
                client_mechanisms: vec![
                    Mechanism::Anonymous,
                    Mechanism::Scram(xep_sasl::ScramMechanism::SHA_256),
                ],
                right_password: false,
                token_binds: true,
                ..isr_not_resumable_fast
            },
        ),
        (
            "isr-wrong-token",
            Setup {
                server_sasl2: true,
                server_isr: true,
                client_isr: Some(false),
                ..ok.clone()
            },
        ),
        (
            "isr-refused-last-attempt",
            Setup {
                server_sasl2: true,
                server_isr: true,
                client_isr: Some(false),
                client_mechanisms: Vec::new(),
                max_attempts: 1,
                ..ok.clone()
            },
        ),
        (
            "isr-mismatched-bindings",
            Setup {
                server_sasl2: true,
                server_isr: true,
                client_isr: Some(true),
                client_binding: Some(vec![7; 32]),
                ..ok.clone()
            },
        ),
        (
            "session-required",
            Setup {
                server_session: SessionOffer::Required,
                ..ok.clone()
            },
        ),
        (
            "session-required-sasl2-bind2",
            Setup {
                server_session: SessionOffer::Required,
                server_sasl2: true,
                ..ok.clone()
            },
        ),
        (
            "no-channel-binding",
            Setup {
                server_binding: None,
                ..ok.clone()
            },
        ),
        (
            "plain-over-tls",
            Setup {
                client_mechanisms: plain.clone(),
                ..ok.clone()
            },
        ),
        (
            "wrong-password",
            Setup {
                right_password: false,
                ..ok.clone()
            },
        ),
        (
            "mismatched-bindings",
            Setup {
                client_binding: Some(vec![7; 32]),
                ..ok.clone()
            },
        ),
        (
            "plain-in-the-clear",
            Setup {
                server_tls: TlsOffer::Never,
                client_tls: TlsPolicy::Never,
                client_mechanisms: plain,
                ..ok.clone()
            },
        ),
        (
            "tls-refused",
            Setup {
                client_tls: TlsPolicy::Never,
                ..ok.clone()
            },
        ),
        (
            "bind-conflict",
            Setup {
                bind_conflict: true,
                ..ok.clone()
            },
        ),
        (
            "last-attempt",
            Setup {
                right_password: false,
                max_attempts: 1,
                ..ok.clone()
            },
        ),
        (
            "sasl2-bind2",
            Setup {
                server_sasl2: true,
                ..ok.clone()
            },
        ),
        (
            "sasl2-without-bind2",
            Setup {
                server_sasl2: true,
                server_bind2: false,
                ..ok.clone()
            },
        ),
        (
            "sasl2-wrong-password",
            Setup {
                server_sasl2: true,
                right_password: false,
                ..ok.clone()
            },
        ),
        (
            "sasl2-bind2-conflict",
            Setup {
                server_sasl2: true,
                bind_conflict: true,
                ..ok.clone()
            },
        ),
        (
            "fast-request-token",
            Setup {
                server_sasl2: true,
                server_fast: true,
                request_token: true,
                ..ok.clone()
            },
        ),
        (
            "fast-token-bound",
            Setup {
                server_sasl2: true,
                server_fast: true,
                client_token: Some(true),
                token_binds: true,
                right_password: false,
                ..ok.clone()
            },
        ),
        (
            "sasl2-scram-upgrade",
            Setup {
                server_sasl2: true,
                server_upgrades: true,
                ..ok.clone()
            },
        ),
        (
            "fast-wrong-token",
            Setup {
                server_sasl2: true,
                server_fast: true,
                client_token: Some(false),
                request_token: true,
                ..ok
            },
        ),
    ]
    .into_iter()
    .map(|(n, s)| (n, setup_to_bytes(&s)))
    .collect()
}

/// Each field's telling values as bytes: the fuzz target's dictionary.
pub fn dictionary() -> Vec<Vec<u8>> {
    vec![
        vec![0, 0],
        vec![1, 1],
        vec![2, 2],
        vec![0x1f, 0x9f],
        vec![0x0f],
        vec![0x18],
        vec![1, 1],
        vec![1, 2],
        vec![0x0f],
        vec![0x05],
        vec![0x1f, 0x17, 0x0b],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use xep_sasl::ScramMechanism;

    fn run(setup: Setup) -> Ended {
        check(Instant::now(), &setup)
    }

    #[test]
    fn scram_sha_256_plus_over_starttls_with_tls_exporter() {
        let e = run(Setup {
            server_mechanisms: vec![
                Mechanism::Scram(ScramMechanism::SHA_256_PLUS),
                Mechanism::Scram(ScramMechanism::SHA_256),
            ],
            ..Setup::default()
        });
        let c = e.client.unwrap();
        assert_eq!(c.mechanism, Mechanism::Scram(ScramMechanism::SHA_256_PLUS));
        assert_eq!(c.jid.to_string(), "juliet@example.org/balcony");
        assert_eq!(e.server.unwrap().jid, c.jid);
        let (up, down) = e.transcripts;
        assert!(
            up.contains(
                "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256-PLUS'"
            ),
            "{up}"
        );
        assert!(down.contains("<sasl-channel-binding"), "{down}");
    }

    #[test]
    fn scram_sha_256_without_channel_binding() {
        let e = run(Setup {
            server_mechanisms: vec![
                Mechanism::Scram(ScramMechanism::SHA_256_PLUS),
                Mechanism::Scram(ScramMechanism::SHA_256),
            ],
            server_binding: None,
            ..Setup::default()
        });
        assert_eq!(
            e.client.unwrap().mechanism,
            Mechanism::Scram(ScramMechanism::SHA_256)
        );
        assert!(e.server.is_ok());
    }

    #[test]
    fn plain_over_tls() {
        let e = run(Setup {
            client_mechanisms: vec![Mechanism::Plain],
            resource: None,
            ..Setup::default()
        });
        let c = e.client.unwrap();
        assert_eq!(c.mechanism, Mechanism::Plain);
        assert!(c.tls);
        assert_eq!(c.jid.to_string(), "juliet@example.org/sim-chosen");
    }

    #[test]
    fn a_wrong_password_fails_both_ends_not_authorized() {
        for mechanisms in [vec![Mechanism::Plain], Mechanism::SCRAM.to_vec()] {
            let e = run(Setup {
                client_mechanisms: mechanisms,
                right_password: false,
                ..Setup::default()
            });
            let Err(Failure::Sasl(f)) = e.client else {
                panic!("{e:?}")
            };
            assert_eq!(f.condition, SaslCondition::NotAuthorized);
            assert_eq!(e.server, Err(Failure::Closed));
        }
    }

    #[test]
    fn mismatched_channel_bindings_fail_plus() {
        let e = run(Setup {
            client_binding: Some(vec![1; 32]),
            ..Setup::default()
        });
        let Err(Failure::Sasl(f)) = e.client else {
            panic!("{e:?}")
        };
        assert_eq!(f.condition, SaslCondition::NotAuthorized);
        assert!(e.server.is_err());
    }

    #[test]
    fn plain_is_not_offered_in_the_clear() {
        let e = run(Setup {
            server_tls: TlsOffer::Never,
            client_tls: TlsPolicy::Never,
            client_mechanisms: vec![Mechanism::Plain],
            ..Setup::default()
        });
        assert!(matches!(e.client, Err(Failure::NoMechanism(_))), "{e:?}");
        assert_eq!(e.server, Err(Failure::Closed));
    }

    #[test]
    fn no_tls_when_the_server_requires_it() {
        let e = run(Setup {
            client_tls: TlsPolicy::Never,
            ..Setup::default()
        });
        assert_eq!(e.client, Err(Failure::TlsRequiredByServer));
        assert_eq!(e.server, Err(Failure::Closed));
    }

    #[test]
    fn a_bind_conflict_fails_both_ends() {
        let e = run(Setup {
            bind_conflict: true,
            ..Setup::default()
        });
        let Err(Failure::Bind(b)) = e.client else {
            panic!("{e:?}")
        };
        assert_eq!(b.condition, DefinedCondition::Conflict);
        assert_eq!(e.server, Err(Failure::Closed));
    }

    #[test]
    fn a_last_attempt_ends_with_policy_violation() {
        let e = run(Setup {
            right_password: false,
            max_attempts: 1,
            ..Setup::default()
        });
        assert!(matches!(e.client, Err(Failure::Sasl(_))), "{e:?}");
        let Err(Failure::Sent(s)) = e.server else {
            panic!("{e:?}")
        };
        assert_eq!(s.condition, xep_core::StreamCondition::PolicyViolation);
    }

    #[test]
    fn sasl2_with_bind2_binds_the_tag_without_a_restart() {
        let e = run(Setup {
            server_sasl2: true,
            ..Setup::default()
        });
        let c = e.client.unwrap();
        let s = e.server.unwrap();
        assert_eq!(c.jid.to_string(), "juliet@example.org/balcony/sim1");
        assert_eq!(s.jid, c.jid);
        assert!(c.sasl2 && s.sasl2 && s.bind2 && c.bound.is_some());
        assert!(c.mechanism.is_plus(), "{:?}", c.mechanism);
        let (up, down) = e.transcripts;
        assert!(up.contains("<authenticate xmlns='urn:xmpp:sasl:2'"), "{up}");
        assert!(up.contains("<tag>balcony</tag>"), "{up}");
        assert!(!up.contains("urn:ietf:params:xml:ns:xmpp-bind"), "{up}");
        // One stream on the TLS wire: no restart after SASL2.
        assert_eq!(down.matches("<stream:stream").count(), 1, "{down}");
        assert!(down.contains("<bound xmlns='urn:xmpp:bind:0'/>"), "{down}");
    }

    #[test]
    fn sasl2_without_bind2_binds_as_rfc_6120() {
        let e = run(Setup {
            server_sasl2: true,
            server_bind2: false,
            ..Setup::default()
        });
        let c = e.client.unwrap();
        assert_eq!(c.jid.to_string(), "juliet@example.org/balcony");
        assert!(c.sasl2 && c.bound.is_none());
        assert!(!e.server.unwrap().bind2);
        let (up, down) = e.transcripts;
        assert!(up.contains("urn:ietf:params:xml:ns:xmpp-bind"), "{up}");
        assert!(!up.contains("urn:xmpp:bind:0"), "{up}");
        assert_eq!(down.matches("<stream:stream").count(), 1, "{down}");
    }

    #[test]
    fn a_client_without_sasl2_uses_rfc_6120_sasl_on_a_sasl2_server() {
        let e = run(Setup {
            server_sasl2: true,
            client_sasl2: false,
            ..Setup::default()
        });
        let c = e.client.unwrap();
        assert!(!c.sasl2 && !e.server.unwrap().sasl2);
        assert!(
            e.transcripts.0.contains("<auth xmlns="),
            "{:?}",
            e.transcripts
        );
    }

    #[test]
    fn sasl2_wrong_password_fails_both_ends_not_authorized() {
        let e = run(Setup {
            server_sasl2: true,
            right_password: false,
            ..Setup::default()
        });
        let Err(Failure::Sasl(f)) = e.client else {
            panic!("{e:?}")
        };
        assert_eq!(f.condition, SaslCondition::NotAuthorized);
        assert_eq!(e.sasl, Some(SaslCondition::NotAuthorized));
        assert_eq!(e.server, Err(Failure::Closed));
        assert!(
            e.transcripts
                .1
                .contains("<failure xmlns='urn:xmpp:sasl:2'>")
        );
    }

    #[test]
    fn sasl2_plus_across_mismatched_bindings_fails() {
        let e = run(Setup {
            server_sasl2: true,
            client_binding: Some(vec![1; 32]),
            ..Setup::default()
        });
        let Err(Failure::Sasl(f)) = e.client else {
            panic!("{e:?}")
        };
        assert_eq!(f.condition, SaslCondition::NotAuthorized);
        assert!(e.server.is_err());
    }

    #[test]
    fn a_bind2_refusal_is_a_sasl2_failure_on_both_ends() {
        let e = run(Setup {
            server_sasl2: true,
            bind_conflict: true,
            ..Setup::default()
        });
        let Err(Failure::Sasl(f)) = e.client else {
            panic!("{e:?}")
        };
        assert_eq!(f.condition, SaslCondition::TemporaryAuthFailure);
        assert!(e.refused);
        assert_eq!(e.server, Err(Failure::Closed));
    }

    fn fast() -> Setup {
        Setup {
            server_sasl2: true,
            server_fast: true,
            ..Setup::default()
        }
    }

    #[test]
    fn fast_token_requested_with_scram_is_stored() {
        let e = run(Setup {
            request_token: true,
            ..fast()
        });
        let c = e.client.unwrap();
        assert!(matches!(c.mechanism, Mechanism::Scram(_)));
        let m = HtMechanism::SHA_256_EXPR;
        assert_eq!(e.received, Some((m, format!("issued for {m}"))));
        assert!(
            e.transcripts.0.contains("<request-token"),
            "{}",
            e.transcripts.0
        );
        assert!(e.transcripts.1.contains("<fast"), "{}", e.transcripts.1);
    }

    #[test]
    fn a_right_token_authenticates_without_the_password_and_rotates() {
        for binds in [false, true] {
            let e = run(Setup {
                client_token: Some(true),
                token_binds: binds,
                right_password: false,
                ..fast()
            });
            let c = e.client.unwrap();
            let m = token_mechanism(&Setup {
                token_binds: binds,
                ..Setup::default()
            });
            assert_eq!(c.mechanism, Mechanism::Ht(m));
            assert_eq!(e.server.unwrap().mechanism, Mechanism::Ht(m));
            assert!(e.token_used && !e.token_refused);
            assert_eq!(e.received, Some((m, format!("issued for {m}"))));
        }
    }

    #[test]
    fn a_wrong_token_falls_back_to_the_password() {
        let e = run(Setup {
            client_token: Some(false),
            ..fast()
        });
        assert!(e.token_refused);
        assert_eq!(e.sasl, Some(SaslCondition::NotAuthorized));
        assert!(matches!(e.client.unwrap().mechanism, Mechanism::Scram(_)));
        // With a wrong password as well: both fail, never Ready.
        let e = run(Setup {
            client_token: Some(false),
            right_password: false,
            ..fast()
        });
        assert!(e.token_refused);
        let Err(Failure::Sasl(f)) = e.client else {
            panic!("{e:?}")
        };
        assert_eq!(f.condition, SaslCondition::NotAuthorized);
        assert!(e.server.is_err());
    }

    #[test]
    fn a_bound_token_across_mismatched_bindings_is_refused() {
        let e = run(Setup {
            client_token: Some(true),
            token_binds: true,
            right_password: false,
            client_binding: Some(vec![7; 32]),
            server_mechanisms: vec![Mechanism::Scram(ScramMechanism::SHA_256)],
            ..fast()
        });
        assert!(e.token_refused);
        assert!(e.client.is_err() && e.server.is_err(), "{e:?}");
    }

    #[test]
    fn a_wrong_token_on_the_last_attempt_ends_the_stream() {
        let e = run(Setup {
            client_token: Some(false),
            max_attempts: 1,
            ..fast()
        });
        assert!(e.token_refused);
        let Err(Failure::Received(r)) = e.client else {
            panic!("{e:?}")
        };
        assert_eq!(r.condition, xep_core::StreamCondition::PolicyViolation);
    }

    #[test]
    fn a_scram_upgrade_stores_the_new_keys_before_the_token() {
        let e = run(Setup {
            server_upgrades: true,
            request_token: true,
            client_mechanisms: vec![Mechanism::Scram(ScramMechanism::SHA_256)],
            ..fast()
        });
        assert!(e.client.is_ok(), "{e:?}");
        let u = e.upgraded.unwrap();
        assert_eq!(u.hash, ScramHash::Sha512);
        assert!(e.received.is_some());
        let down = &e.transcripts.1;
        let (task, token) = (
            down.find("<continue").unwrap(),
            down.find("<token").unwrap(),
        );
        assert!(task < token, "{down}");
        assert!(
            e.transcripts
                .0
                .contains("<hash xmlns='urn:xmpp:scram-upgrade:0'>")
        );
        // Not from a token authentication.
        let e = run(Setup {
            server_upgrades: true,
            client_token: Some(true),
            right_password: false,
            ..fast()
        });
        assert!(e.client.is_ok() && e.upgraded.is_none(), "{e:?}");
    }

    #[test]
    fn no_token_without_fast_or_tls() {
        let e = run(Setup {
            server_fast: false,
            client_token: Some(true),
            request_token: true,
            ..fast()
        });
        assert!(e.received.is_none() && !e.token_used);
        assert!(!e.transcripts.0.contains("HT-"), "{}", e.transcripts.0);
        let e = run(Setup {
            server_tls: TlsOffer::Never,
            client_tls: TlsPolicy::Never,
            plain_in_clear: true,
            client_mechanisms: vec![Mechanism::Scram(ScramMechanism::SHA_256)],
            client_token: Some(true),
            request_token: true,
            ..fast()
        });
        assert!(e.client.is_ok(), "{e:?}");
        assert!(e.received.is_none() && !e.token_used);
        assert!(!e.transcripts.1.contains("<fast"), "{}", e.transcripts.1);
    }

    fn mechanisms() -> impl Strategy<Value = Vec<Mechanism>> {
        let all = vec![
            Mechanism::Plain,
            Mechanism::Anonymous,
            Mechanism::Scram(ScramMechanism::SHA_1),
            Mechanism::Scram(ScramMechanism::SHA_256),
            Mechanism::Scram(ScramMechanism::SHA_256_PLUS),
            Mechanism::Scram(ScramMechanism::SHA_512_PLUS),
        ];
        proptest::sample::subsequence(all.clone(), 0..=all.len()).prop_shuffle()
    }

    fn binding() -> impl Strategy<Value = Option<Vec<u8>>> {
        prop_oneof![
            Just(None),
            Just(Some(vec![0x5a; 32])),
            Just(Some(vec![7; 32]))
        ]
    }

    prop_compose! {
        fn setup()(
            server_tls in prop_oneof![Just(TlsOffer::Required), Just(TlsOffer::Optional), Just(TlsOffer::Never)],
            server_mechanisms in mechanisms(),
            plain_in_clear in any::<bool>(),
            client_tls in prop_oneof![Just(TlsPolicy::Required), Just(TlsPolicy::IfOffered), Just(TlsPolicy::Never)],
            client_mechanisms in mechanisms(),
            right_password in any::<bool>(),
            server_binding in binding(),
            client_binding in binding(),
            bind_conflict in any::<bool>(),
            resource in prop_oneof![Just(None), Just(Some("balcony".to_string()))],
            max_attempts in 1u32..4,
            (server_sasl2, server_bind2, client_sasl2, client_bind2) in any::<(bool, bool, bool, bool)>(),
            (server_fast, token_binds, request_token, server_upgrades) in any::<(bool, bool, bool, bool)>(),
            client_token in proptest::option::of(any::<bool>()),
            server_session in prop_oneof![Just(SessionOffer::None), Just(SessionOffer::Optional), Just(SessionOffer::Required)],
            (server_isr, isr_resumable) in any::<(bool, bool)>(),
            client_isr in proptest::option::of(any::<bool>()),
        ) -> Setup {
            Setup {
                server_tls, server_mechanisms, plain_in_clear, client_tls, client_mechanisms,
                right_password, server_binding, client_binding, bind_conflict, resource,
                max_attempts, server_sasl2, server_bind2, client_sasl2, client_bind2,
                server_fast, client_token, token_binds, request_token, server_upgrades,
                server_session, server_isr, client_isr, isr_resumable,
            }
        }
    }

    #[test]
    fn seeds_replay_and_encode_their_setups() {
        assert_eq!(seeds().len(), 27);
        for (name, data) in seeds() {
            eprintln!("seed {name}");
            assert_eq!(setup_to_bytes(&setup_from_bytes(&data)), data);
            fuzz(Instant::now(), &data);
        }
        assert!(dictionary().len() > 4);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn any_bytes_keep_the_invariants(data in proptest::collection::vec(any::<u8>(), 0..SETUP_BYTES + 2)) {
            fuzz(Instant::now(), &data);
        }

        /// Both Ready with the same JID, or both failed for matching
        /// reasons; never Ready with a wrong password or across
        /// mismatched channel bindings (checked by [`check`]); and Ready
        /// whenever nothing stands in the way.
        #[test]
        fn client_and_server_agree(setup in setup()) {
            let e = check(Instant::now(), &setup);
            let tls = setup.server_tls != TlsOffer::Never && setup.client_tls != TlsPolicy::Never;
            let common = setup.client_mechanisms.iter().any(|m| {
                setup.server_mechanisms.contains(m)
                    && (!m.is_plus() || (setup.client_binding.is_some() && setup.server_binding.is_some()))
            });
            let bindings_agree = setup.client_binding == setup.server_binding
                || setup.client_binding.is_none()
                || setup.server_binding.is_none();
            let plus_offered = setup.server_mechanisms.iter().any(|m| m.is_plus());
            // XEP-0484: the token is tried (over TLS, in SASL2, offered
            // with some other mechanism, with the binding its mechanism
            // needs), and fails or not.
            let sasl_offered = setup.server_mechanisms.iter()
                .any(|m| !m.is_plus() || setup.server_binding.is_some());
            let token_tried = setup.client_token.is_some() && setup.server_fast && sasl_offered
                && setup.server_sasl2 && setup.client_sasl2 && tls
                && (!setup.token_binds
                    || (setup.client_binding.is_some() && setup.server_binding.is_some()));
            let token_ok = token_tried && setup.client_token == Some(true)
                && (!setup.token_binds || setup.client_binding == setup.server_binding);
            let spent = token_tried && !token_ok && setup.max_attempts == 1;
            let scram_ok = common && setup.right_password
                && !(plus_offered && setup.server_binding.is_some() && setup.client_binding.is_none());
            if tls && bindings_agree && !setup.bind_conflict && !spent && (scram_ok || token_ok) {
                prop_assert!(e.client.is_ok(), "{:?} {:?}", setup, e);
            }
        }
    }
}
