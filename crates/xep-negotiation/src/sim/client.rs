//! A simulated RFC 6120 client negotiation: a [`Client`] against a model
//! server over real bytes, the server's offer (STARTTLS optional or
//! required, mechanisms, XEP-0440 types, bind; SASL2 with Bind 2, inline
//! stream management and FAST listed as a real SASL2 server lists them,
//! a `<continue/>` task, a success naming another account) and the
//! client's policy,
//! channel binding and password decoded from the schedule, with time
//! passing and stream errors, closes and stanzas arriving out of turn. The
//! harness of the `negotiation-client-machine` fuzz target.
//!
//! Invariants: the client writes a well-formed stream (nothing after the
//! close); it reports at most one outcome and its state agrees; never an
//! `<auth/>` in the clear when TLS is required; Ready only with the right
//! password, a bind the server granted, TLS where required, `-PLUS`
//! only over TLS with channel-binding data, never after a SASL2 success
//! for another account or a `<continue/>`; no deadline in the past; and
//! when nothing came out of turn, the negotiation ends Ready or with one of
//! the refusals the offer explains (never a protocol error), Ready for the
//! fully capable offer.

use std::time::{Duration, Instant};

use xep_core::{
    Auth, Bind, Challenge, Response, SaslCondition, SaslData, SaslFailure, StartTls, Success,
};
use xep_core::{
    DefinedCondition, ErrorType, Iq, Message, Stanza, StanzaError, StreamCondition, StreamError,
    StreamEvent,
};
use xep_element::{Base64, Payload};
use xep_sasl::sasl2;
use xep_sasl::server::{self, ChannelBindingOffer, ServerStep};
use xep_sasl::{ChannelBindingType, Mechanism, ScramHash, ScramMechanism, StoredCredentials};

use super::Wire;
use crate::Failure;
use crate::client::{Client, Config, Event, State, TlsPolicy};

const PASSWORD: &str = "sim password";
const JID: &str = "juliet@example.org/sim";
const CHANNEL: &[u8] = &[0x42; 32];

/// The server's offer and the client's setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setup {
    /// STARTTLS is offered.
    pub starttls: bool,
    /// ... and required (mechanisms only after TLS).
    pub tls_required: bool,
    /// The client's policy.
    pub policy: TlsPolicy,
    /// The client's TLS library gives `tls-exporter` data.
    pub client_binds: bool,
    /// The server announces XEP-0440 types (after TLS).
    pub announce_types: bool,
    /// The client has the wrong password.
    pub wrong_password: bool,
    /// The server offers bind after authentication.
    pub bind: bool,
    /// The server refuses the bind (`conflict`).
    pub bind_conflict: bool,
    /// The mechanisms offered (0: PLAIN and SCRAM-SHA-1; 1: SCRAM-SHA-256
    /// and -PLUS; 2: SCRAM-SHA-256-PLUS only; 3: PLAIN only).
    pub mechanisms: u8,
    /// The server offers SASL2 (XEP-0388) beside RFC 6120 SASL.
    pub sasl2: bool,
    /// ... with Bind 2 (XEP-0386) inline.
    pub bind2: bool,
    /// The SASL2 exchange ends in `<continue/>` with a task.
    pub task: bool,
    /// The SASL2 success names another account.
    pub forged_authz: bool,
}

impl Setup {
    /// The offer every client can complete: TLS required and offered,
    /// SCRAM-SHA-256(-PLUS) with types, bind granted.
    pub const CAPABLE: Setup = Setup {
        starttls: true,
        tls_required: true,
        policy: TlsPolicy::Required,
        client_binds: true,
        announce_types: true,
        wrong_password: false,
        bind: true,
        bind_conflict: false,
        mechanisms: 1,
        sasl2: false,
        bind2: false,
        task: false,
        forged_authz: false,
    };

    /// [`CAPABLE`](Self::CAPABLE) with SASL2 and Bind 2 offered.
    pub const SASL2: Setup = Setup {
        sasl2: true,
        bind2: true,
        ..Setup::CAPABLE
    };

    fn from_bytes(a: u8, b: u8) -> Setup {
        Setup {
            starttls: a & 1 != 0,
            tls_required: a & 2 != 0,
            policy: match (a >> 2) & 3 {
                0 => TlsPolicy::Required,
                1 => TlsPolicy::IfOffered,
                _ => TlsPolicy::Never,
            },
            client_binds: a & 16 != 0,
            announce_types: a & 32 != 0,
            wrong_password: a & 64 != 0,
            bind: a & 128 == 0,
            bind_conflict: b & 4 != 0,
            mechanisms: b & 3,
            sasl2: b & 8 != 0,
            bind2: b & 16 != 0,
            task: b & 32 != 0,
            forged_authz: b & 64 != 0,
        }
    }

    fn to_bytes(self) -> [u8; 2] {
        let policy = match self.policy {
            TlsPolicy::Required => 0,
            TlsPolicy::IfOffered => 1,
            TlsPolicy::Never => 2,
        };
        [
            u8::from(self.starttls)
                | u8::from(self.tls_required) << 1
                | policy << 2
                | u8::from(self.client_binds) << 4
                | u8::from(self.announce_types) << 5
                | u8::from(self.wrong_password) << 6
                | u8::from(!self.bind) << 7,
            self.mechanisms & 3
                | u8::from(self.bind_conflict) << 2
                | u8::from(self.sasl2) << 3
                | u8::from(self.bind2) << 4
                | u8::from(self.task) << 5
                | u8::from(self.forged_authz) << 6,
        ]
    }

    fn mechanism_names(self) -> &'static [&'static str] {
        match self.mechanisms & 3 {
            0 => &["PLAIN", "SCRAM-SHA-1"],
            1 => &["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"],
            2 => &["SCRAM-SHA-256-PLUS"],
            _ => &["PLAIN"],
        }
    }
}

/// One step of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// What the client wrote reaches the server, which answers; its
    /// answers reach the client.
    Exchange,
    /// The caller reports TLS up (after `StartTls`; misuse otherwise).
    TlsUp,
    /// Seconds pass; then the client's timer runs.
    Tick(u8),
    /// The server ends its stream.
    End,
    /// The server sends a stream error (`system-shutdown`).
    StreamError,
    /// A stanza reaches the client out of turn.
    Stanza,
}

/// A schedule: the setup and the steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The server's offer and the client's setup.
    pub setup: Setup,
    /// The steps.
    pub ops: Vec<Op>,
}

/// Decodes any bytes: two bytes of [`Setup`], then one byte per op kind
/// (modulo 6, in [`Op`]'s order), `Tick` reading one more byte.
pub fn schedule_from_bytes(data: &[u8]) -> Schedule {
    let setup = Setup::from_bytes(
        data.first().copied().unwrap_or(0),
        data.get(1).copied().unwrap_or(0),
    );
    let mut ops = Vec::new();
    let mut it = data.iter().skip(2).copied();
    while let Some(k) = it.next() {
        ops.push(match k % 6 {
            0 => Op::Exchange,
            1 => Op::TlsUp,
            2 => match it.next() {
                Some(s) => Op::Tick(s),
                None => break,
            },
            3 => Op::End,
            4 => Op::StreamError,
            _ => Op::Stanza,
        });
    }
    Schedule { setup, ops }
}

/// The bytes [`schedule_from_bytes`] decodes into `s`.
pub fn schedule_to_bytes(s: &Schedule) -> Vec<u8> {
    let mut out = s.setup.to_bytes().to_vec();
    for op in &s.ops {
        match op {
            Op::Exchange => out.push(0),
            Op::TlsUp => out.push(1),
            Op::Tick(t) => out.extend([2, *t]),
            Op::End => out.push(3),
            Op::StreamError => out.push(4),
            Op::Stanza => out.push(5),
        }
    }
    out
}

/// Runs the schedule decoded from `data` (the fuzz target's entry point).
pub fn fuzz(now: Instant, data: &[u8]) {
    let _ = check(now, &schedule_from_bytes(data));
}

/// The model server.
struct Server {
    setup: Setup,
    tls: bool,
    authed: bool,
    scram: Option<server::Scram>,
    streams: u32,
    /// `Some` in a SASL2 exchange: whether Bind 2 was requested.
    sasl2: Option<bool>,
    /// The resource was bound inside SASL2.
    bound: bool,
}

impl Server {
    /// The server's answer to one event of the client's stream, as bytes
    /// through its writer (`down`); `true` when the client's stream must
    /// restart on the server's reader (after `<success/>`).
    fn answer(&mut self, e: &StreamEvent, down: &mut Wire) -> bool {
        let StreamEvent::Element(p) = e else {
            if let StreamEvent::Header(_) = e {
                self.streams += 1;
                let header = xep_core::StreamHeader {
                    from: Some("example.org".parse().unwrap()),
                    id: Some(format!("sim-{}", self.streams)),
                    version: Some("1.0".into()),
                    ..Default::default()
                };
                down.write(crate::Transmit::Header(header));
                self.features(down);
            }
            return false;
        };
        if p.get::<StartTls>().is_some() {
            down.in_flight
                .extend_from_slice(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        } else if let Some(Ok(auth)) = p.get::<Auth>() {
            self.sasl2 = None;
            return self.auth(&auth.mechanism, auth.data.map(|d| d.0), down);
        } else if let Some(Ok(a)) = p.get::<sasl2::Authenticate>()
            && self.setup.sasl2
        {
            let bind = a.bind2.is_some();
            self.sasl2 = Some(bind && self.setup.bind2);
            return self.auth(&a.mechanism, a.initial_response.map(|d| d.0), down);
        } else if let Some(Ok(r)) = p.get::<sasl2::Response>()
            && self.sasl2.is_some()
        {
            let step = self.scram.as_mut().map(|s| s.step(&r.data.0));
            return self.sasl_step(step, down);
        } else if let Some(Ok(r)) = p.get::<Response>() {
            let step = self
                .scram
                .as_mut()
                .map(|s| s.step(&r.data.map(|d| d.0).unwrap_or_default()));
            return self.sasl_step(step, down);
        } else if let Some(Ok(iq)) = p.get::<Iq>() {
            let reply = if self.setup.bind_conflict {
                iq.error_reply(StanzaError::new(
                    ErrorType::Cancel,
                    DefinedCondition::Conflict,
                ))
            } else {
                let bind = Bind {
                    jid: Some(JID.parse().unwrap()),
                    ..Bind::default()
                };
                iq.result(Some(Payload::new(bind)))
            };
            down.in_flight.extend(down.writer.element(&reply));
        } else {
            // <abort/> and anything else: a SASL failure.
            self.fail(SaslCondition::Aborted, down);
        }
        false
    }

    fn features(&self, down: &mut Wire) {
        let mut f = String::from("<stream:features>");
        if !self.tls && self.setup.starttls {
            f.push_str("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>");
            if self.setup.tls_required {
                f.push_str("<required/>");
            }
            f.push_str("</starttls>");
        }
        let mechanisms_now = self.tls || !(self.setup.starttls && self.setup.tls_required);
        if !self.authed && mechanisms_now {
            f.push_str("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>");
            for m in self.setup.mechanism_names() {
                f.push_str(&format!("<mechanism>{m}</mechanism>"));
            }
            f.push_str("</mechanisms>");
            if self.setup.sasl2 {
                // As a SASL2 server lists it: the mechanisms, then what
                // can be negotiated inline (Bind 2 with its own inline
                // features, stream management, FAST).
                f.push_str("<authentication xmlns='urn:xmpp:sasl:2'>");
                for m in self.setup.mechanism_names() {
                    f.push_str(&format!("<mechanism>{m}</mechanism>"));
                }
                f.push_str("<inline>");
                if self.setup.bind2 {
                    f.push_str(
                        "<bind xmlns='urn:xmpp:bind:0'><inline>\
                         <feature var='urn:xmpp:carbons:2'/><feature var='urn:xmpp:csi:0'/>\
                         <feature var='urn:xmpp:sm:3'/></inline></bind>",
                    );
                }
                f.push_str(
                    "<sm xmlns='urn:xmpp:sm:3'/><fast xmlns='urn:xmpp:fast:0'>\
                     <mechanism>HT-SHA-256-NONE</mechanism></fast></inline></authentication>",
                );
            }
            if self.tls && self.setup.announce_types {
                f.push_str(
                    "<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>\
                     <channel-binding type='tls-exporter'/></sasl-channel-binding>",
                );
            }
        }
        if self.authed {
            if self.setup.bind && !self.bound {
                f.push_str("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>");
            }
            f.push_str("<sm xmlns='urn:xmpp:sm:3'/>");
        }
        f.push_str("</stream:features>");
        down.in_flight.extend_from_slice(f.as_bytes());
    }

    fn auth(&mut self, mechanism: &str, data: Option<Vec<u8>>, down: &mut Wire) -> bool {
        let data = data.unwrap_or_default();
        let Some(mechanism) = Mechanism::from_name(mechanism) else {
            self.fail(SaslCondition::InvalidMechanism, down);
            return false;
        };
        match mechanism {
            Mechanism::Plain => {
                let ok = data.ends_with(format!("\0{PASSWORD}").as_bytes());
                if ok {
                    return self.success(None, down);
                }
                self.fail(SaslCondition::NotAuthorized, down);
                false
            }
            Mechanism::Scram(m) => {
                // A server binds to the channel where it offers -PLUS
                // (and then refuses a client's `y`).
                let plus = self
                    .setup
                    .mechanism_names()
                    .iter()
                    .any(|m| m.ends_with("-PLUS"));
                let offer = if self.tls && plus {
                    ChannelBindingOffer::new(vec![(
                        ChannelBindingType::TlsExporter,
                        CHANNEL.to_vec(),
                    )])
                } else {
                    ChannelBindingOffer::none()
                };
                let mut s = match server::Scram::new(m, b"sim server nonce", offer) {
                    Ok(s) => s,
                    Err(_) => {
                        self.fail(SaslCondition::InvalidMechanism, down);
                        return false;
                    }
                };
                let step = match s.step(&data) {
                    Ok(ServerStep::NeedCredentials { .. }) => {
                        let stored =
                            StoredCredentials::from_password(m.hash, PASSWORD, b"salt", 4096).ok();
                        s.provide(stored)
                    }
                    other => other,
                };
                self.scram = Some(s);
                self.sasl_step(Some(step), down)
            }
            _ => {
                self.fail(SaslCondition::InvalidMechanism, down);
                false
            }
        }
    }

    fn sasl_step(
        &mut self,
        step: Option<Result<ServerStep, xep_sasl::ServerError>>,
        down: &mut Wire,
    ) -> bool {
        match step {
            Some(Ok(ServerStep::Challenge(c))) => {
                if self.sasl2.is_some() {
                    let c = sasl2::Challenge { data: Base64(c) };
                    down.in_flight.extend(down.writer.element(&c));
                } else {
                    let c = Challenge {
                        data: Some(SaslData(c)),
                    };
                    down.in_flight.extend(down.writer.element(&c));
                }
                false
            }
            Some(Ok(ServerStep::Success {
                additional_data, ..
            })) => self.success(additional_data, down),
            _ => {
                self.fail(SaslCondition::NotAuthorized, down);
                false
            }
        }
    }

    fn success(&mut self, data: Option<Vec<u8>>, down: &mut Wire) -> bool {
        self.scram = None;
        if let Some(bind) = self.sasl2.take() {
            self.sasl2_success(data, bind, down);
            return false;
        }
        self.authed = true;
        let s = Success {
            data: data.map(SaslData),
        };
        down.in_flight.extend(down.writer.element(&s));
        true
    }

    /// SASL2's end of a successful mechanism: `<continue/>` when a task is
    /// set up, else `<success/>` (the full JID and `<bound/>` with Bind 2,
    /// another account when forged) and the features, no restart.
    fn sasl2_success(&mut self, data: Option<Vec<u8>>, bind: bool, down: &mut Wire) {
        let additional_data = data.map(Base64);
        if self.setup.task {
            let c = sasl2::Continue {
                additional_data,
                tasks: sasl2::Tasks {
                    tasks: vec!["TOTP-EXAMPLE".into()],
                },
                text: Some("a second factor is required".into()),
            };
            down.in_flight.extend(down.writer.element(&c));
            return;
        }
        if bind && self.setup.bind_conflict {
            self.sasl2 = Some(bind);
            return self.fail(SaslCondition::TemporaryAuthFailure, down);
        }
        let account = if self.setup.forged_authz {
            "romeo@example.org"
        } else {
            "juliet@example.org"
        };
        let (authz, bound) = if bind {
            (
                format!("{account}/sim"),
                Some(xep_sasl::bind2::Bound::default()),
            )
        } else {
            (account.to_string(), None)
        };
        let s = sasl2::Success {
            additional_data,
            authorization_identifier: authz.parse().unwrap(),
            bound,
            token: None,
            extensions: Vec::new(),
        };
        down.in_flight.extend(down.writer.element(&s));
        self.authed = true;
        self.bound = bind;
        self.features(down);
    }

    fn fail(&mut self, condition: SaslCondition, down: &mut Wire) {
        self.scram = None;
        if self.sasl2.take().is_some() {
            let f = sasl2::Failure {
                condition,
                text: None,
                extensions: Vec::new(),
            };
            down.in_flight.extend(down.writer.element(&f));
            return;
        }
        let f = SaslFailure {
            condition,
            texts: Vec::new(),
        };
        down.in_flight.extend(down.writer.element(&f));
    }
}

/// How the client's negotiation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Still negotiating (the schedule stopped it half-way).
    Open,
    /// Ready, with the mechanism used.
    Ready(Mechanism),
    /// Failed.
    Failed(Failure),
}

struct Sim {
    setup: Setup,
    now: Instant,
    client: Client,
    server: Server,
    up: Wire,
    down: Wire,
    tls_pending: bool,
    outcome: Outcome,
}

impl Sim {
    fn drain(&mut self) {
        while let Some(t) = self.client.poll_transmit() {
            if let crate::Transmit::Auth(_) | crate::Transmit::Authenticate(_) = &t {
                assert!(
                    self.server.tls || self.setup.policy != TlsPolicy::Required,
                    "an <auth/> in the clear with TLS required"
                );
            }
            self.up.write(t);
        }
        while let Some(e) = self.client.poll_event() {
            assert_eq!(self.outcome, Outcome::Open, "a second outcome: {e:?}");
            match e {
                Event::StartTls => self.tls_pending = true,
                Event::StreamRestart => self.down.reader.restart(),
                Event::Authenticated { .. } => self.client.bind(self.now).unwrap(),
                // This client holds and asks for no XEP-0484 token.
                Event::TokenRefused { .. } | Event::TokenReceived { .. } => {
                    panic!("a token event without FAST: {e:?}")
                }
                // Nor an ISR token.
                Event::InstantResumeFailed(_) | Event::InstantResumeRefused { .. } => {
                    panic!("an ISR event without ISR: {e:?}")
                }
                Event::Ready(r) => {
                    assert_eq!(r.jid.to_string(), JID);
                    assert!(!self.setup.wrong_password, "ready with a wrong password");
                    assert!(r.bound.is_some() || self.setup.bind);
                    assert!(!self.setup.bind_conflict);
                    assert_eq!(r.sasl2, self.setup.sasl2, "SASL2 used when offered");
                    assert_eq!(r.bound.is_some(), self.setup.sasl2 && self.setup.bind2);
                    assert!(!(r.sasl2 && self.setup.task), "ready after <continue/>");
                    assert!(
                        !(r.sasl2 && self.setup.forged_authz),
                        "ready as another account"
                    );
                    assert_eq!(r.tls, self.server.tls);
                    assert!(r.tls || self.setup.policy != TlsPolicy::Required);
                    if r.mechanism.is_plus() {
                        assert!(r.tls && self.setup.client_binds, "-PLUS without a channel");
                    }
                    // The last stream's features, for the caller (sm; bind
                    // unless bound inline).
                    assert_eq!(
                        r.features
                            .features
                            .iter()
                            .any(|f| f.get::<Bind>().is_some()),
                        r.bound.is_none()
                    );
                    self.outcome = Outcome::Ready(r.mechanism);
                }
                Event::Failed(f) => self.outcome = Outcome::Failed(f),
            }
        }
        let state = match &self.outcome {
            Outcome::Open => !matches!(self.client.state(), State::Ready | State::Failed),
            Outcome::Ready(_) => self.client.state() == State::Ready,
            Outcome::Failed(_) => self.client.state() == State::Failed,
        };
        assert!(state, "{:?} in {:?}", self.outcome, self.client.state());
    }

    fn input_client(&mut self, e: &StreamEvent) {
        let negotiating = !matches!(self.client.state(), State::Ready | State::Failed);
        assert_eq!(
            self.client.handle_stream_event(self.now, e),
            negotiating,
            "{e:?}"
        );
        self.drain();
    }

    fn step(&mut self, op: Op) {
        match op {
            Op::Exchange => {
                if self.tls_pending {
                    return;
                }
                for e in self.up.deliver() {
                    if self.server.answer(&e, &mut self.down) {
                        self.up.reader.restart();
                    }
                }
                for e in self.down.deliver() {
                    self.input_client(&e);
                    if self.tls_pending {
                        // Nothing after <proceed/> is read in the clear.
                        break;
                    }
                }
            }
            Op::TlsUp => {
                let state = self.client.state();
                let bindings = if self.setup.client_binds {
                    vec![(ChannelBindingType::TlsExporter, CHANNEL.to_vec())]
                } else {
                    Vec::new()
                };
                match self.client.tls_established(self.now, bindings) {
                    Ok(()) => {
                        assert!(self.tls_pending);
                        self.tls_pending = false;
                        self.server.tls = true;
                        self.up = Wire::new();
                        self.down = Wire::new();
                    }
                    Err(e) => {
                        assert!(!self.tls_pending || state != State::TlsHandshake);
                        assert_eq!(
                            e,
                            crate::Error::WrongState {
                                action: "tls_established",
                                state
                            }
                        );
                    }
                }
                self.drain();
            }
            Op::Tick(s) => {
                self.now += Duration::from_secs(u64::from(s));
                self.client.handle_timeout(self.now);
                assert!(self.client.poll_timeout().is_none_or(|t| t > self.now));
                self.drain();
            }
            Op::End => self.input_client(&StreamEvent::End),
            Op::StreamError => self.input_client(&StreamEvent::Element(Payload::new(
                StreamError::new(StreamCondition::SystemShutdown, None),
            ))),
            Op::Stanza => {
                let m = Message::chat(JID.parse().unwrap(), "out of turn");
                self.input_client(&StreamEvent::Element(Payload::new(Stanza::Message(m))));
            }
        }
    }
}

/// Runs the schedule, checks the invariants (see the module
/// documentation) and returns how the negotiation ended.
pub fn check(now: Instant, schedule: &Schedule) -> Outcome {
    let setup = schedule.setup;
    let password = if setup.wrong_password {
        "wrong"
    } else {
        PASSWORD
    };
    let mut config = Config::new(
        "example.org".parse().unwrap(),
        "juliet",
        password,
        b"sim client nonce".to_vec(),
    );
    config.mechanisms = vec![
        Mechanism::Scram(ScramMechanism::SHA_256_PLUS),
        Mechanism::Scram(ScramMechanism::SHA_256),
        Mechanism::Scram(ScramMechanism::new(ScramHash::Sha1, false)),
        Mechanism::Plain,
    ];
    config.tls = setup.policy;
    let mut client = Client::new(config);
    client.start(now).unwrap();
    let mut sim = Sim {
        setup,
        now,
        client,
        server: Server {
            setup,
            tls: false,
            authed: false,
            scram: None,
            streams: 0,
            sasl2: None,
            bound: false,
        },
        up: Wire::new(),
        down: Wire::new(),
        tls_pending: false,
        outcome: Outcome::Open,
    };
    sim.drain();
    for &op in &schedule.ops {
        sim.step(op);
    }
    let clean = schedule
        .ops
        .iter()
        .all(|op| matches!(op, Op::Exchange | Op::TlsUp | Op::Tick(_)))
        && sim.now.duration_since(now) < crate::component::DEFAULT_TIMEOUT;
    // The rest of the negotiation, without time passing.
    for _ in 0..12 {
        sim.step(Op::Exchange);
        if sim.tls_pending {
            sim.step(Op::TlsUp);
        }
    }
    if clean {
        match &sim.outcome {
            Outcome::Ready(_) => {}
            Outcome::Failed(
                Failure::TlsUnavailable
                | Failure::TlsRequiredByServer
                | Failure::NoMechanism(_)
                | Failure::FeatureMissing("bind"),
            ) => {}
            Outcome::Failed(Failure::Sasl(f)) => {
                // A wrong password, or a Bind 2 refusal... never otherwise.
                let bind2_refused = setup.sasl2 && setup.bind2 && setup.bind_conflict;
                assert!(setup.wrong_password || bind2_refused, "{f:?} in {setup:?}");
            }
            Outcome::Failed(Failure::Bind(_)) => assert!(setup.bind_conflict),
            Outcome::Failed(Failure::Sasl2Tasks(t)) => {
                assert!(setup.sasl2 && setup.task, "{t:?} in {setup:?}");
                assert_eq!(t, &["TOTP-EXAMPLE".to_string()]);
            }
            Outcome::Failed(Failure::AuthorizationMismatch { .. }) => {
                assert!(setup.sasl2 && setup.forged_authz, "{setup:?}");
            }
            other => panic!("{other:?} for {setup:?}"),
        }
        if setup == Setup::CAPABLE || setup == Setup::SASL2 {
            assert_eq!(
                sim.outcome,
                Outcome::Ready(Mechanism::Scram(ScramMechanism::SHA_256_PLUS))
            );
        }
    }
    sim.outcome
}

/// The scenarios of the scripted client tests, as schedules: the fuzz
/// target's seeds.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let run = |setup: Setup, ops: Vec<Op>| schedule_to_bytes(&Schedule { setup, ops });
    let c = Setup::CAPABLE;
    vec![
        ("capable", run(c, vec![])),
        (
            "plain-in-the-clear",
            run(
                Setup {
                    starttls: false,
                    policy: TlsPolicy::IfOffered,
                    mechanisms: 3,
                    ..c
                },
                vec![],
            ),
        ),
        (
            "tls-unavailable",
            run(
                Setup {
                    starttls: false,
                    ..c
                },
                vec![],
            ),
        ),
        (
            "tls-required-by-server",
            run(
                Setup {
                    policy: TlsPolicy::Never,
                    ..c
                },
                vec![],
            ),
        ),
        (
            "wrong-password",
            run(
                Setup {
                    wrong_password: true,
                    ..c
                },
                vec![],
            ),
        ),
        (
            "bind-conflict",
            run(
                Setup {
                    bind_conflict: true,
                    ..c
                },
                vec![],
            ),
        ),
        ("bind-missing", run(Setup { bind: false, ..c }, vec![])),
        (
            "plus-only-without-binding",
            run(
                Setup {
                    mechanisms: 2,
                    client_binds: false,
                    ..c
                },
                vec![],
            ),
        ),
        ("timeout", run(c, vec![Op::Tick(31)])),
        ("stream-error", run(c, vec![Op::Exchange, Op::StreamError])),
        ("closed", run(c, vec![Op::Exchange, Op::End])),
        ("stanza-out-of-turn", run(c, vec![Op::Exchange, Op::Stanza])),
        ("tls-up-out-of-turn", run(c, vec![Op::TlsUp, Op::Exchange])),
        ("sasl2-bind2", run(Setup::SASL2, vec![])),
        (
            "sasl2-without-bind2",
            run(
                Setup {
                    bind2: false,
                    ..Setup::SASL2
                },
                vec![],
            ),
        ),
        (
            "sasl2-wrong-password",
            run(
                Setup {
                    wrong_password: true,
                    ..Setup::SASL2
                },
                vec![],
            ),
        ),
        (
            "sasl2-continue",
            run(
                Setup {
                    task: true,
                    ..Setup::SASL2
                },
                vec![],
            ),
        ),
        (
            "sasl2-forged-authz",
            run(
                Setup {
                    forged_authz: true,
                    ..Setup::SASL2
                },
                vec![],
            ),
        ),
        (
            "sasl2-bind2-refused",
            run(
                Setup {
                    bind_conflict: true,
                    ..Setup::SASL2
                },
                vec![],
            ),
        ),
        (
            "sasl2-plain-in-the-clear",
            run(
                Setup {
                    starttls: false,
                    policy: TlsPolicy::IfOffered,
                    mechanisms: 3,
                    ..Setup::SASL2
                },
                vec![],
            ),
        ),
    ]
}

/// Each kind of input as the bytes the decoder reads: the fuzz target's
/// dictionary (after the two setup bytes).
pub fn dictionary() -> Vec<Vec<u8>> {
    let mut d: Vec<Vec<u8>> = vec![
        vec![0],
        vec![1],
        vec![2, 1],
        vec![2, 31],
        vec![3],
        vec![4],
        vec![5],
    ];
    d.push(Setup::CAPABLE.to_bytes().to_vec());
    d.push(Setup::SASL2.to_bytes().to_vec());
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_bytes_keep_the_invariants(data in proptest::collection::vec(any::<u8>(), 0..48)) {
            fuzz(Instant::now(), &data);
        }

        #[test]
        fn schedules_encode_and_decode(a in any::<u8>(), b in 0u8..128, ops in proptest::collection::vec(0u8..6, 0..16)) {
            let mut bytes = vec![a, b];
            for k in ops {
                bytes.push(k);
                if k == 2 {
                    bytes.push(7);
                }
            }
            let s = schedule_from_bytes(&bytes);
            // The policy's two bits read 2 and 3 as Never: compare decoded.
            prop_assert_eq!(schedule_from_bytes(&schedule_to_bytes(&s)), s);
        }
    }

    #[test]
    fn each_seed_ends_as_its_scenario_says() {
        let ends: Vec<(&str, Outcome)> = seeds()
            .into_iter()
            .map(|(n, d)| (n, check(Instant::now(), &schedule_from_bytes(&d))))
            .collect();
        let get = |name: &str| ends.iter().find(|(n, _)| *n == name).unwrap().1.clone();
        assert_eq!(
            get("capable"),
            Outcome::Ready(Mechanism::Scram(ScramMechanism::SHA_256_PLUS))
        );
        assert_eq!(get("plain-in-the-clear"), Outcome::Ready(Mechanism::Plain));
        assert_eq!(
            get("tls-unavailable"),
            Outcome::Failed(Failure::TlsUnavailable)
        );
        assert_eq!(
            get("tls-required-by-server"),
            Outcome::Failed(Failure::TlsRequiredByServer)
        );
        assert!(matches!(
            get("wrong-password"),
            Outcome::Failed(Failure::Sasl(_))
        ));
        assert!(matches!(
            get("bind-conflict"),
            Outcome::Failed(Failure::Bind(_))
        ));
        assert_eq!(
            get("bind-missing"),
            Outcome::Failed(Failure::FeatureMissing("bind"))
        );
        assert!(matches!(
            get("plus-only-without-binding"),
            Outcome::Failed(Failure::NoMechanism(_))
        ));
        assert_eq!(get("timeout"), Outcome::Failed(Failure::TimedOut));
        assert!(matches!(
            get("stream-error"),
            Outcome::Failed(Failure::Received(_))
        ));
        assert_eq!(get("closed"), Outcome::Failed(Failure::Closed));
        assert!(matches!(
            get("stanza-out-of-turn"),
            Outcome::Failed(Failure::Sent(_))
        ));
        assert!(matches!(get("tls-up-out-of-turn"), Outcome::Ready(_)));
        assert_eq!(
            get("sasl2-bind2"),
            Outcome::Ready(Mechanism::Scram(ScramMechanism::SHA_256_PLUS))
        );
        assert!(matches!(get("sasl2-without-bind2"), Outcome::Ready(_)));
        let Outcome::Failed(Failure::Sasl(f)) = get("sasl2-wrong-password") else {
            panic!()
        };
        assert_eq!(f.condition, SaslCondition::NotAuthorized);
        assert_eq!(
            get("sasl2-continue"),
            Outcome::Failed(Failure::Sasl2Tasks(vec!["TOTP-EXAMPLE".into()]))
        );
        assert_eq!(
            get("sasl2-forged-authz"),
            Outcome::Failed(Failure::AuthorizationMismatch {
                expected: Some("juliet@example.org".parse().unwrap()),
                received: "romeo@example.org/sim".parse().unwrap(),
            })
        );
        let Outcome::Failed(Failure::Sasl(f)) = get("sasl2-bind2-refused") else {
            panic!()
        };
        assert_eq!(f.condition, SaslCondition::TemporaryAuthFailure);
        assert_eq!(
            get("sasl2-plain-in-the-clear"),
            Outcome::Ready(Mechanism::Plain)
        );
        assert!(dictionary().len() > 5);
    }
}
