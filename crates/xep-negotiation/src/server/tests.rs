//! Scripted server negotiations: the client's side is written out as the
//! bytes a client sends; the server's answers are checked as the bytes
//! its writer produces. Full exchanges against the crate's client are in
//! `sim::pair`.

use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, ErrorType};
use xep_element::{XmlElement, XmlValue};
use xep_sasl::ScramHash;

use super::*;
use crate::Error;
use crate::sim::Wire;

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' to='example.org' version='1.0'>";
const STARTTLS: &str = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
/// `\0juliet\0r0m30` and `\0juliet\0wrong`.
const PLAIN_RIGHT: &str =
    "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMA==</auth>";
const PLAIN_WRONG: &str =
    "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAB3cm9uZw==</auth>";
const BIND: &str = "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>balcony</resource></bind></iq>";

/// The server, the wire of what the client sends, the server's writer
/// and its transcript.
struct Run {
    now: Instant,
    s: Server,
    up: Wire,
    down: Wire,
    events: Vec<Event>,
}

fn config() -> Config {
    Config::new(
        "example.org".parse().unwrap(),
        "s1",
        b"server nonce bytes".to_vec(),
    )
}

impl Run {
    fn new(config: Config) -> Self {
        let now = Instant::now();
        let mut s = Server::new(config);
        s.start(now).unwrap();
        Run {
            now,
            s,
            up: Wire::new(),
            down: Wire::new(),
            events: Vec::new(),
        }
    }

    /// The client sends `bytes`; returns what the server wrote.
    fn client(&mut self, bytes: &str) -> String {
        self.up.in_flight.extend_from_slice(bytes.as_bytes());
        for e in self.up.deliver() {
            self.s.handle_stream_event(self.now, &e);
        }
        self.drain()
    }

    fn drain(&mut self) -> String {
        let before = self.down.transcript.len();
        while let Some(t) = self.s.poll_transmit() {
            self.down.write(t);
        }
        while let Some(e) = self.s.poll_event() {
            if e == Event::StreamRestart {
                self.up.reader.restart();
            }
            self.events.push(e);
        }
        self.down.transcript[before..].to_string()
    }

    fn provide(&mut self, hash: ScramHash) -> String {
        let c = StoredCredentials::from_password(hash, "r0m30", b"salt of juliet", 4096).unwrap();
        self.s.provide_credentials(self.now, Some(c)).unwrap();
        self.drain()
    }

    /// STARTTLS with `cb` as the server's channel binding.
    fn tls(&mut self, cb: Vec<(ChannelBindingType, Vec<u8>)>) -> String {
        self.client(&format!("{HEADER}{STARTTLS}"));
        assert_eq!(self.events.pop(), Some(Event::StartTls));
        self.up = Wire::new();
        self.down = Wire::new();
        self.s.tls_established(self.now, cb).unwrap();
        self.client(HEADER)
    }

    fn failed(&self) -> &Failure {
        match self.events.last() {
            Some(Event::Failed(f)) => f,
            other => panic!("not failed: {other:?}"),
        }
    }
}

#[test]
fn features_follow_rfc_6120_order() {
    let mut run = Run::new(config());
    let first = run.client(HEADER);
    assert_eq!(
        first,
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
         xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='s1' \
         version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>\
         <required/></starttls></stream:features>"
    );
    let proceed = run.client(STARTTLS);
    assert_eq!(
        proceed,
        "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
    );
    assert_eq!(run.s.state(), State::TlsHandshake);
    run.up = Wire::new();
    run.down = Wire::new();
    run.s
        .tls_established(
            run.now,
            vec![(ChannelBindingType::TlsExporter, vec![9; 32])],
        )
        .unwrap();
    let second = run.client(HEADER);
    assert!(second.contains("id='s1.2'"), "{second}");
    assert!(
        second.contains(
            "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>SCRAM-SHA-512-PLUS</mechanism>"
        ),
        "{second}"
    );
    assert!(second.contains("<mechanism>PLAIN</mechanism></mechanisms><sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding type='tls-exporter'/>"), "{second}");
    assert!(!second.contains("starttls"));
    run.client(PLAIN_RIGHT);
    assert_eq!(
        run.events.last(),
        Some(&Event::CredentialsRequested {
            username: "juliet".into(),
            mechanism: Mechanism::Plain
        })
    );
    assert_eq!(
        run.provide(ScramHash::Sha256),
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
    );
    assert_eq!(run.events.last(), Some(&Event::StreamRestart));
    let third = run.client(HEADER);
    assert!(
        third.ends_with(
            "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
        ),
        "{third}"
    );
    run.client(BIND);
    let bare: BareJid = "juliet@example.org".parse().unwrap();
    assert_eq!(
        run.events.last(),
        Some(&Event::BindRequested {
            bare: bare.clone(),
            resource: Some("balcony".into()),
            inline: false,
        })
    );
    let jid = bare.with_resource_str("balcony").unwrap();
    run.s.bind(run.now, jid.clone()).unwrap();
    let result = run.drain();
    assert!(
        result.contains("type='result'")
            && result.contains("<jid>juliet@example.org/balcony</jid>"),
        "{result}"
    );
    assert_eq!(run.s.state(), State::Ready);
    assert_eq!(run.s.poll_timeout(), None);
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!()
    };
    assert_eq!((&ready.bare, &ready.jid, ready.tls), (&bare, &jid, true));
    assert!(!run.s.handle_stream_event(run.now, &StreamEvent::End));
}

#[test]
fn auth_before_starttls_when_required_is_encryption_required() {
    let mut run = Run::new(config());
    run.client(HEADER);
    let out = run.client(PLAIN_RIGHT);
    assert!(
        out.starts_with("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><encryption-required/>"),
        "{out}"
    );
    assert_eq!(run.s.state(), State::AwaitingRequest);
}

#[test]
fn plain_in_the_clear_is_refused() {
    let mut c = config();
    c.tls = TlsOffer::Optional;
    let mut run = Run::new(c);
    let features = run.client(HEADER);
    assert!(
        features.contains("<mechanism>SCRAM-SHA-1</mechanism>"),
        "{features}"
    );
    assert!(
        !features.contains("PLAIN") && !features.contains("-PLUS"),
        "{features}"
    );
    let out = run.client(PLAIN_RIGHT);
    assert!(out.contains("<encryption-required/>"), "{out}");
    assert!(matches!(
        run.events.last(),
        Some(Event::AuthenticationFailed {
            condition: SaslCondition::EncryptionRequired,
            attempts: 1
        })
    ));
}

#[test]
fn a_wrong_password_then_too_many_attempts() {
    let mut c = config();
    c.max_attempts = 2;
    let mut run = Run::new(c);
    run.tls(Vec::new());
    run.client(PLAIN_WRONG);
    let out = run.provide(ScramHash::Sha256);
    assert!(out.contains("<not-authorized/>"), "{out}");
    assert_eq!(run.s.state(), State::AwaitingRequest);
    run.client("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='X-UNKNOWN'>AA==</auth>");
    let out = run.down.transcript.clone();
    assert!(out.contains("<invalid-mechanism/>"), "{out}");
    assert!(
        out.contains("</failure><stream:error><policy-violation")
            && out.ends_with("</stream:error></stream:stream>"),
        "{out}"
    );
    let Failure::Sent(e) = run.failed() else {
        panic!()
    };
    assert_eq!(e.condition, StreamCondition::PolicyViolation);
}

#[test]
fn an_unknown_user_and_an_abort_are_failures() {
    let mut run = Run::new(config());
    run.tls(Vec::new());
    run.client(PLAIN_RIGHT);
    run.s.provide_credentials(run.now, None).unwrap();
    assert!(run.drain().contains("<not-authorized/>"));
    // SCRAM without an initial response: an empty challenge, then abort.
    let out =
        run.client("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'/>");
    assert_eq!(out, "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    let out = run.client("<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    assert!(out.contains("<aborted/>"), "{out}");
}

#[test]
fn bind_errors_follow_rfc_6120() {
    let mut c = config();
    // Any feature the caller announces with bind (here the legacy session).
    let session = xep_core::Session { optional: true };
    c.bound_features.push(Payload::new(session));
    let mut run = Run::new(c);
    run.tls(Vec::new());
    run.client(PLAIN_RIGHT);
    run.provide(ScramHash::Sha256);
    let features = run.client(HEADER);
    assert!(
        features.contains(
            "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
             <session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>"
        ),
        "{features}"
    );
    // Not a bind request: bad-request, and the negotiation goes on.
    let out = run.client("<iq type='get' id='q1'><query xmlns='jabber:iq:roster'/></iq>");
    assert!(
        out.contains("type='error'") && out.contains("<bad-request"),
        "{out}"
    );
    run.client(BIND);
    run.s
        .refuse_bind(
            run.now,
            StanzaError::new(ErrorType::Cancel, DefinedCondition::Conflict),
        )
        .unwrap();
    let out = run.drain();
    assert!(
        out.contains("id='b1'") && out.contains("<conflict"),
        "{out}"
    );
    assert_eq!(run.s.state(), State::AwaitingRequest);
    run.client(BIND);
    assert_eq!(run.s.state(), State::AwaitingResource);
}

#[test]
fn the_negotiation_times_out_with_one_deadline() {
    let mut run = Run::new(config());
    let deadline = run.s.poll_timeout().unwrap();
    run.client(HEADER);
    assert_eq!(run.s.poll_timeout(), Some(deadline));
    run.s.handle_timeout(run.now + Duration::from_secs(29));
    assert_eq!(run.s.state(), State::AwaitingRequest);
    run.s.handle_timeout(deadline);
    let out = run.drain();
    assert!(out.contains("<connection-timeout"), "{out}");
    assert_eq!(run.failed(), &Failure::TimedOut);
    assert_eq!(run.s.poll_timeout(), None);
}

#[test]
fn a_timeout_before_the_header_answers_with_a_header_first() {
    let mut run = Run::new(config());
    run.s.handle_timeout(run.now + Duration::from_secs(30));
    let out = run.drain();
    assert!(
        out.starts_with("<?xml version='1.0'?><stream:stream"),
        "{out}"
    );
    assert!(out.ends_with("</stream:stream>"), "{out}");
}

#[test]
fn misuse_is_wrong_state_and_sends_nothing() {
    let now = Instant::now();
    let mut s = Server::new(config());
    let idle = |action| Error::WrongState {
        action,
        state: State::Idle,
    };
    assert!(!s.handle_stream_event(now, &StreamEvent::End));
    assert_eq!(
        s.tls_established(now, Vec::new()),
        Err(idle("tls_established"))
    );
    assert_eq!(
        s.provide_credentials(now, None),
        Err(idle("provide_credentials"))
    );
    let jid: FullJid = "juliet@example.org/x".parse().unwrap();
    assert_eq!(s.bind(now, jid), Err(idle("bind")));
    let e = StanzaError::new(ErrorType::Cancel, DefinedCondition::NotAllowed);
    assert_eq!(s.refuse_bind(now, e), Err(idle("refuse_bind")));
    s.start(now).unwrap();
    assert_eq!(
        s.start(now),
        Err(Error::WrongState {
            action: "start",
            state: State::AwaitingHeader
        })
    );
    assert_eq!(s.poll_transmit(), None);
    assert_eq!(s.poll_event(), None);
}

#[test]
fn a_stanza_before_authentication_is_not_authorized() {
    let mut run = Run::new(config());
    run.client(HEADER);
    run.client("<message to='romeo@example.net'><body>hi</body></message>");
    let Failure::Sent(e) = run.failed() else {
        panic!()
    };
    assert_eq!(e.condition, StreamCondition::NotAuthorized);
}

#[test]
fn a_malformed_message_and_an_abort_during_the_lookup() {
    let mut run = Run::new(config());
    run.tls(Vec::new());
    // "x" is no SCRAM client-first-message.
    let out = run.client(
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>eA==</auth>",
    );
    assert!(out.contains("<malformed-request/>"), "{out}");
    run.client(PLAIN_RIGHT);
    assert_eq!(run.s.state(), State::AwaitingCredentials);
    let out = run.client("<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    assert!(out.contains("<aborted/>"), "{out}");
    assert_eq!(
        run.s.provide_credentials(run.now, None),
        Err(Error::WrongState {
            action: "provide_credentials",
            state: State::AwaitingRequest
        })
    );
    assert!(matches!(
        run.events.last(),
        Some(Event::AuthenticationFailed { attempts: 2, .. })
    ));
}

// SASL2 (XEP-0388) and Bind 2 (XEP-0386).

fn sasl2_config() -> Config {
    let mut c = config();
    c.tls = TlsOffer::Never;
    c.tls_at_start = true;
    c.channel_bindings = vec![(ChannelBindingType::TlsExporter, vec![9; 32])];
    c.sasl2 = true;
    c
}

/// `<authenticate/>` with PLAIN (`\0juliet\0{password}`), a user agent
/// and, with `tag`, a Bind 2 request.
fn authenticate_plain(password: &str, bind: Option<&str>) -> String {
    let data = xep_element::Base64(format!("\0juliet\0{password}").into_bytes())
        .to_xml()
        .into_owned();
    let bind = match bind {
        Some(tag) => format!("<bind xmlns='urn:xmpp:bind:0'><tag>{tag}</tag></bind>"),
        None => String::new(),
    };
    format!(
        "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='PLAIN'>\
         <initial-response>{data}</initial-response>\
         <user-agent id='d4565fa7-4d72-4749-b3d3-740edbf87770'><software>Orchard</software>\
         </user-agent>{bind}</authenticate>"
    )
}

#[test]
fn sasl2_is_offered_beside_the_mechanisms_with_bind2_inline() {
    let mut run = Run::new(sasl2_config());
    let features = run.client(HEADER);
    assert!(
        features.contains(
            "<authentication xmlns='urn:xmpp:sasl:2'><mechanism>SCRAM-SHA-512-PLUS</mechanism>"
        ),
        "{features}"
    );
    assert!(
        features.contains(
            "<mechanism>PLAIN</mechanism><inline><bind xmlns='urn:xmpp:bind:0'/></inline>\
             </authentication>"
        ),
        "{features}"
    );
    assert!(features.contains("<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"));
    let mut no_bind2 = sasl2_config();
    no_bind2.bind2 = false;
    let features = Run::new(no_bind2).client(HEADER);
    assert!(
        features.contains("<mechanism>PLAIN</mechanism></authentication>"),
        "{features}"
    );
    let mut off = sasl2_config();
    off.sasl2 = false;
    assert!(!Run::new(off).client(HEADER).contains("urn:xmpp:sasl:2"));
}

#[test]
fn sasl2_with_bind2_answers_the_full_jid_without_a_restart() {
    let mut run = Run::new(sasl2_config());
    run.client(HEADER);
    assert_eq!(
        run.client(&authenticate_plain("r0m30", Some("Orchard"))),
        ""
    );
    assert_eq!(
        run.events.last(),
        Some(&Event::CredentialsRequested {
            username: "juliet".into(),
            mechanism: Mechanism::Plain
        })
    );
    assert_eq!(run.provide(ScramHash::Sha256), "");
    let bare: BareJid = "juliet@example.org".parse().unwrap();
    assert_eq!(
        run.events.last(),
        Some(&Event::BindRequested {
            bare: bare.clone(),
            resource: Some("Orchard".into()),
            inline: true,
        })
    );
    assert_eq!(run.s.state(), State::AwaitingResource);
    let jid = bare.with_resource_str("Orchard/4232f4d4").unwrap();
    run.s.bind(run.now, jid.clone()).unwrap();
    assert_eq!(
        run.drain(),
        "<success xmlns='urn:xmpp:sasl:2'>\
         <authorization-identifier>juliet@example.org/Orchard/4232f4d4</authorization-identifier>\
         <bound xmlns='urn:xmpp:bind:0'/></success><stream:features/>"
    );
    assert!(!run.events.contains(&Event::StreamRestart));
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.jid, jid);
    assert!(ready.sasl2 && ready.bind2);
    assert_eq!(run.s.state(), State::Ready);
    assert_eq!(run.s.poll_timeout(), None);
}

#[test]
fn sasl2_without_bind2_answers_the_bare_jid_then_rfc_6120_binding() {
    let mut run = Run::new(sasl2_config());
    run.client(HEADER);
    run.client(&authenticate_plain("r0m30", None));
    let after = run.provide(ScramHash::Sha256);
    assert_eq!(
        after,
        "<success xmlns='urn:xmpp:sasl:2'>\
         <authorization-identifier>juliet@example.org</authorization-identifier></success>\
         <stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
    );
    assert!(!run.events.contains(&Event::StreamRestart));
    run.client(BIND);
    let bare: BareJid = "juliet@example.org".parse().unwrap();
    assert_eq!(
        run.events.last(),
        Some(&Event::BindRequested {
            bare: bare.clone(),
            resource: Some("balcony".into()),
            inline: false,
        })
    );
    run.s
        .bind(run.now, bare.with_resource_str("balcony").unwrap())
        .unwrap();
    run.drain();
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert!(ready.sasl2 && !ready.bind2);
}

#[test]
fn a_bind2_request_is_ignored_when_not_offered() {
    let mut cfg = sasl2_config();
    cfg.bind2 = false;
    let mut run = Run::new(cfg);
    run.client(HEADER);
    run.client(&authenticate_plain("r0m30", Some("Orchard")));
    let after = run.provide(ScramHash::Sha256);
    assert!(
        after.contains("<authorization-identifier>juliet@example.org</authorization-identifier>"),
        "{after}"
    );
}

#[test]
fn sasl2_wrong_password_is_a_sasl2_failure_and_the_bind_is_not_processed() {
    let mut run = Run::new(sasl2_config());
    run.client(HEADER);
    run.client(&authenticate_plain("wrong", Some("Orchard")));
    let out = run.provide(ScramHash::Sha256);
    assert!(
        out.starts_with(
            "<failure xmlns='urn:xmpp:sasl:2'>\
             <not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/><text>"
        ),
        "{out}"
    );
    assert_eq!(
        run.events.last(),
        Some(&Event::AuthenticationFailed {
            condition: SaslCondition::NotAuthorized,
            attempts: 1
        })
    );
    assert!(
        !run.events
            .iter()
            .any(|e| matches!(e, Event::BindRequested { .. }))
    );
    assert_eq!(run.s.state(), State::AwaitingRequest);
    // A second attempt succeeds.
    run.client(&authenticate_plain("r0m30", None));
    assert!(
        run.provide(ScramHash::Sha256)
            .starts_with("<success xmlns='urn:xmpp:sasl:2'>")
    );
}

#[test]
fn sasl2_failure_conditions() {
    let mut run = Run::new(sasl2_config());
    run.client(HEADER);
    let out = run.client(
        "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='DIGEST-MD5'>\
         <initial-response>AA==</initial-response></authenticate>",
    );
    assert!(
        out.starts_with(
            "<failure xmlns='urn:xmpp:sasl:2'>\
             <invalid-mechanism xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
        ),
        "{out}"
    );
    // SCRAM without an initial response: an empty SASL2 challenge, then
    // the client's abort.
    let out = run.client("<authenticate xmlns='urn:xmpp:sasl:2' mechanism='SCRAM-SHA-256'/>");
    assert_eq!(out, "<challenge xmlns='urn:xmpp:sasl:2'/>");
    let out = run.client("<abort xmlns='urn:xmpp:sasl:2'/>");
    assert!(
        out.starts_with(
            "<failure xmlns='urn:xmpp:sasl:2'><aborted xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
        ),
        "{out}"
    );
    // An RFC 6120 response inside a SASL2 exchange breaks the protocol.
    run.client("<authenticate xmlns='urn:xmpp:sasl:2' mechanism='SCRAM-SHA-256'/>");
    run.client("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>AA==</response>");
    let Failure::Sent(e) = run.failed() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(e.condition, StreamCondition::UnsupportedStanzaType);
}

#[test]
fn sasl2_is_refused_when_not_offered() {
    let mut cfg = sasl2_config();
    cfg.sasl2 = false;
    let mut run = Run::new(cfg);
    run.client(HEADER);
    run.client(&authenticate_plain("r0m30", None));
    let Failure::Sent(e) = run.failed() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(e.condition, StreamCondition::NotAuthorized);
}

#[test]
fn a_refused_bind2_request_is_a_failed_sasl2_attempt() {
    let mut run = Run::new(sasl2_config());
    run.client(HEADER);
    run.client(&authenticate_plain("r0m30", Some("Orchard")));
    run.provide(ScramHash::Sha256);
    let e = StanzaError::new(ErrorType::Cancel, DefinedCondition::Conflict);
    run.s.refuse_bind(run.now, e).unwrap();
    let out = run.drain();
    assert!(
        out.starts_with(
            "<failure xmlns='urn:xmpp:sasl:2'>\
             <temporary-auth-failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>\
             <text>resource binding refused: Conflict</text>"
        ),
        "{out}"
    );
    assert_eq!(
        run.events.last(),
        Some(&Event::AuthenticationFailed {
            condition: SaslCondition::TemporaryAuthFailure,
            attempts: 1
        })
    );
    assert_eq!(run.s.state(), State::AwaitingRequest);
    assert_eq!(
        run.s.bind(run.now, "juliet@example.org/x".parse().unwrap()),
        Err(Error::WrongState {
            action: "bind",
            state: State::AwaitingRequest
        })
    );
}

#[test]
fn sasl2_scram_plus_with_a_mismatched_channel_is_not_authorized() {
    use xep_sasl::client::{Password, Scram};
    let mut run = Run::new(sasl2_config());
    run.client(HEADER);
    // The client's TLS sees another channel than the server's.
    let mut scram = Scram::new(
        ScramHash::Sha256,
        "juliet",
        Password::from("r0m30"),
        b"client nonce bytes!",
        xep_sasl::ChannelBinding::Bound(ChannelBindingType::TlsExporter, vec![7; 32]),
    )
    .unwrap();
    let first = xep_element::Base64(scram.initial_response())
        .to_xml()
        .into_owned();
    run.client(&format!(
        "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='SCRAM-SHA-256-PLUS'>\
         <initial-response>{first}</initial-response></authenticate>"
    ));
    let challenge = run.provide(ScramHash::Sha256);
    let challenge = xep_sasl::sasl2::Challenge::from_xml(challenge.as_bytes()).unwrap();
    let last = xep_element::Base64(scram.step(&challenge.data.0).unwrap())
        .to_xml()
        .into_owned();
    let out = run.client(&format!(
        "<response xmlns='urn:xmpp:sasl:2'>{last}</response>"
    ));
    assert!(
        out.starts_with(
            "<failure xmlns='urn:xmpp:sasl:2'>\
             <not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
        ),
        "{out}"
    );
    assert!(matches!(
        run.events.last(),
        Some(Event::AuthenticationFailed { .. })
    ));
}

// XEP-0484 (FAST).

fn fast_config() -> Config {
    let mut c = sasl2_config();
    c.bind2 = false;
    c.fast = vec![
        HtMechanism::SHA_256_UNIQ,
        HtMechanism::SHA_256_EXPR,
        HtMechanism::SHA_256_NONE,
    ];
    c
}

/// `<authenticate/>` with an HT mechanism and `token`, over the
/// channel binding of [`sasl2_config`], with the given FAST children.
fn authenticate_ht(m: HtMechanism, token: &str, children: &str) -> String {
    let cb = [(ChannelBindingType::TlsExporter, vec![9; 32])];
    let c = xep_sasl::client::HashedToken::new(m, "juliet", token, &cb).unwrap();
    let data = xep_element::Base64(c.initial_response())
        .to_xml()
        .into_owned();
    format!(
        "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='{m}'>\
         <initial-response>{data}</initial-response>{children}</authenticate>"
    )
}

fn expiry() -> xep_element::DateTime82 {
    xep_element::DateTime82::from_xml("2030-03-12T14:36:15Z").unwrap()
}

#[test]
fn fast_is_offered_inline_with_the_mechanisms_this_channel_binds() {
    let features = Run::new(fast_config()).client(HEADER);
    assert!(
        features.contains(
            "<inline><fast xmlns='urn:xmpp:fast:0'><mechanism>HT-SHA-256-EXPR</mechanism>\
             <mechanism>HT-SHA-256-NONE</mechanism></fast></inline>"
        ),
        "{features}"
    );
    // Not in the clear.
    let mut clear = fast_config();
    clear.tls_at_start = false;
    clear.tls = TlsOffer::Optional;
    clear.plain_in_clear = true;
    assert!(!Run::new(clear).client(HEADER).contains("urn:xmpp:fast:0"));
}

#[test]
fn a_token_request_asks_the_caller_and_the_token_goes_in_the_success() {
    let mut run = Run::new(fast_config());
    run.client(HEADER);
    let auth = authenticate_plain("r0m30", None).replace(
        "</authenticate>",
        "<request-token xmlns='urn:xmpp:fast:0' mechanism='HT-SHA-256-EXPR'/></authenticate>",
    );
    run.client(&auth);
    assert_eq!(run.provide(ScramHash::Sha256), "");
    let bare: BareJid = "juliet@example.org".parse().unwrap();
    assert_eq!(
        run.events.last(),
        Some(&Event::TokenRequested {
            bare,
            mechanism: HtMechanism::SHA_256_EXPR,
            requested: true,
        })
    );
    assert_eq!(run.s.state(), State::AwaitingToken);
    let token = xep_sasl::fast::Token {
        expiry: expiry(),
        token: "WXZzciBwYmFmdmZnZiBqdmd1IGp2eXFhcmZm".into(),
    };
    run.s.issue_token(run.now, Some(token)).unwrap();
    let after = run.drain();
    assert!(
        after.starts_with(
            "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>juliet@example.org\
             </authorization-identifier><token xmlns='urn:xmpp:fast:0' \
             expiry='2030-03-12T14:36:15Z' token='WXZzciBwYmFmdmZnZiBqdmd1IGp2eXFhcmZm'/>\
             </success>"
        ),
        "{after}"
    );
    // A token of a mechanism not offered is not asked for.
    let mut run = Run::new(fast_config());
    run.client(HEADER);
    let auth = authenticate_plain("r0m30", None).replace(
        "</authenticate>",
        "<request-token xmlns='urn:xmpp:fast:0' mechanism='HT-SHA-256-UNIQ'/></authenticate>",
    );
    run.client(&auth);
    assert!(run.provide(ScramHash::Sha256).starts_with("<success"));
    assert!(
        !run.events
            .iter()
            .any(|e| matches!(e, Event::TokenRequested { .. }))
    );
}

#[test]
fn a_token_authenticates_asks_for_tokens_and_rotates() {
    let m = HtMechanism::SHA_256_EXPR;
    let mut run = Run::new(fast_config());
    run.client(HEADER);
    run.client(&authenticate_ht(
        m,
        "t0ken",
        "<fast xmlns='urn:xmpp:fast:0'/>",
    ));
    assert_eq!(
        run.events.last(),
        Some(&Event::CredentialsRequested {
            username: "juliet".into(),
            mechanism: Mechanism::Ht(m),
        })
    );
    // HT takes tokens, not stored credentials.
    let c = StoredCredentials::from_password(ScramHash::Sha256, "r0m30", b"salt", 4096).unwrap();
    assert!(matches!(
        run.s.provide_credentials(run.now, Some(c)),
        Err(Error::WrongState { .. })
    ));
    let tokens = vec![
        xep_sasl::server::Token::new(m, "newer"),
        xep_sasl::server::Token::new(m, "t0ken"),
    ];
    run.s.provide_tokens(run.now, tokens).unwrap();
    run.drain();
    let bare: BareJid = "juliet@example.org".parse().unwrap();
    let n = run.events.len();
    assert_eq!(
        run.events[n - 2..],
        [
            Event::TokenUsed {
                bare: bare.clone(),
                matched: 1,
                invalidate: false,
                count: None,
            },
            Event::TokenRequested {
                bare,
                mechanism: m,
                requested: false,
            }
        ]
    );
    run.s.issue_token(run.now, None).unwrap();
    let after = run.drain();
    let cb = [(ChannelBindingType::TlsExporter, vec![9; 32])];
    let mut client = xep_sasl::client::HashedToken::new(m, "juliet", "t0ken", &cb).unwrap();
    let success = after.split("</success>").next().unwrap();
    let data = success
        .split("<additional-data>")
        .nth(1)
        .and_then(|d| d.split("</additional-data>").next())
        .unwrap();
    let data = xep_element::Base64::from_xml(data).unwrap();
    client.success(Some(&data.0)).unwrap();
    assert!(!after.contains("<token"), "{after}");
    // RFC 6120 binding follows (no Bind 2 here).
    assert!(after.contains("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"));
}

#[test]
fn an_invalidating_token_authentication_gets_no_new_token() {
    let m = HtMechanism::SHA_256_NONE;
    let mut run = Run::new(fast_config());
    run.client(HEADER);
    run.client(&authenticate_ht(
        m,
        "t0ken",
        "<fast xmlns='urn:xmpp:fast:0' invalidate='1'/>",
    ));
    run.s
        .provide_tokens(run.now, vec![xep_sasl::server::Token::new(m, "t0ken")])
        .unwrap();
    let after = run.drain();
    assert!(after.starts_with("<success"), "{after}");
    assert!(matches!(
        run.events
            .iter()
            .find(|e| matches!(e, Event::TokenUsed { .. })),
        Some(Event::TokenUsed {
            invalidate: true,
            ..
        })
    ));
    assert!(
        !run.events
            .iter()
            .any(|e| matches!(e, Event::TokenRequested { .. }))
    );
    assert!(matches!(
        run.s.issue_token(run.now, None),
        Err(Error::WrongState { .. })
    ));
}

#[test]
fn wrong_missing_and_unoffered_tokens_are_failed_attempts() {
    let m = HtMechanism::SHA_256_EXPR;
    let cases: [(Vec<xep_sasl::server::Token>, &str); 3] = [
        (
            vec![xep_sasl::server::Token::new(m, "other")],
            "<not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
        ),
        (
            vec![],
            "<credentials-expired xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
        ),
        // The right secret, issued for another mechanism.
        (
            vec![xep_sasl::server::Token::new(
                HtMechanism::SHA_256_NONE,
                "t0ken",
            )],
            "<not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
        ),
    ];
    for (tokens, condition) in cases {
        let mut run = Run::new(fast_config());
        run.client(HEADER);
        run.client(&authenticate_ht(
            m,
            "t0ken",
            "<fast xmlns='urn:xmpp:fast:0'/>",
        ));
        run.s.provide_tokens(run.now, tokens).unwrap();
        let after = run.drain();
        assert!(
            after.starts_with(&format!("<failure xmlns='urn:xmpp:sasl:2'>{condition}")),
            "{after}"
        );
        assert_eq!(run.s.state(), State::AwaitingRequest);
    }
    // Not offered (UNIQ: no tls-unique here), and never in RFC 6120 SASL.
    let mut run = Run::new(fast_config());
    run.client(HEADER);
    let after = run.client(
        &authenticate_ht(HtMechanism::SHA_256_NONE, "t", "")
            .replace("HT-SHA-256-NONE", "HT-SHA-256-UNIQ"),
    );
    assert!(after.contains("<invalid-mechanism"), "{after}");
    let after = run.client(
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='HT-SHA-256-NONE'>AA==</auth>",
    );
    assert!(after.contains("<invalid-mechanism"), "{after}");
    assert!(matches!(
        run.s.provide_tokens(run.now, vec![]),
        Err(Error::WrongState { .. })
    ));
}

// XEP-0480 (SCRAM upgrade tasks).

#[test]
fn a_scram_upgrade_runs_as_a_task_with_the_callers_salt() {
    let mut cfg = sasl2_config();
    cfg.bind2 = false;
    cfg.scram_upgrades = vec![ScramHash::Sha512];
    let mut run = Run::new(cfg);
    let features = run.client(HEADER);
    assert!(
        features.contains(
            "<upgrade xmlns='urn:xmpp:sasl:upgrade:0'>UPGR-SCRAM-SHA-512</upgrade></authentication>"
        ),
        "{features}"
    );
    let auth = authenticate_plain("r0m30", None).replace(
        "</authenticate>",
        "<upgrade xmlns='urn:xmpp:sasl:upgrade:0'>UPGR-SCRAM-SHA-512</upgrade>\
         <upgrade xmlns='urn:xmpp:sasl:upgrade:0'>UPGR-BLOOP2</upgrade></authenticate>",
    );
    run.client(&auth);
    assert_eq!(
        run.provide(ScramHash::Sha256),
        "<continue xmlns='urn:xmpp:sasl:2'><tasks><task>UPGR-SCRAM-SHA-512</task></tasks>\
         </continue>"
    );
    assert_eq!(run.s.state(), State::Tasks);
    let salt = xep_sasl::upgrade::Salt::new(b"new salt".to_vec(), 4096);
    assert!(matches!(
        run.s.upgrade_salt(run.now, salt.clone()),
        Err(Error::WrongState { .. })
    ));
    run.client("<next xmlns='urn:xmpp:sasl:2' task='UPGR-SCRAM-SHA-512'/>");
    let bare: BareJid = "juliet@example.org".parse().unwrap();
    assert_eq!(
        run.events.last(),
        Some(&Event::UpgradeRequested {
            bare: bare.clone(),
            hash: ScramHash::Sha512
        })
    );
    run.s.upgrade_salt(run.now, salt.clone()).unwrap();
    assert_eq!(
        run.drain(),
        "<task-data xmlns='urn:xmpp:sasl:2'><salt xmlns='urn:xmpp:scram-upgrade:0' \
         iterations='4096'>bmV3IHNhbHQ=</salt></task-data>"
    );
    let answer = xep_sasl::upgrade::scram_answer(
        ScramHash::Sha512,
        "r0m30",
        &salt,
        xep_sasl::IterationBounds::default(),
    )
    .unwrap();
    let after = run.client(&format!(
        "<task-data xmlns='urn:xmpp:sasl:2'>{}</task-data>",
        answer.to_xml()
    ));
    assert!(
        after.starts_with("<success xmlns='urn:xmpp:sasl:2'>"),
        "{after}"
    );
    let expected =
        StoredCredentials::from_password(ScramHash::Sha512, "r0m30", b"new salt", 4096).unwrap();
    assert!(run.events.contains(&Event::CredentialsUpgraded {
        bare,
        credentials: expected
    }));
}

#[test]
fn a_broken_upgrade_task_is_a_failed_attempt() {
    let mut cfg = sasl2_config();
    cfg.scram_upgrades = vec![ScramHash::Sha512];
    for (next, answer, condition) in [
        (
            "<next xmlns='urn:xmpp:sasl:2' task='UPGR-SCRAM-SHA-1'/>",
            None,
            "malformed-request",
        ),
        (
            "<next xmlns='urn:xmpp:sasl:2' task='UPGR-SCRAM-SHA-512'/>",
            Some(
                "<task-data xmlns='urn:xmpp:sasl:2'><hash xmlns='urn:xmpp:scram-upgrade:0'>AAAA</hash></task-data>",
            ),
            "malformed-request",
        ),
        (
            "<next xmlns='urn:xmpp:sasl:2' task='UPGR-SCRAM-SHA-512'/>",
            Some("<abort xmlns='urn:xmpp:sasl:2'/>"),
            "aborted",
        ),
    ] {
        let mut run = Run::new(cfg.clone());
        run.client(HEADER);
        let auth = authenticate_plain("r0m30", None).replace(
            "</authenticate>",
            "<upgrade xmlns='urn:xmpp:sasl:upgrade:0'>UPGR-SCRAM-SHA-512</upgrade></authenticate>",
        );
        run.client(&auth);
        run.provide(ScramHash::Sha256);
        let mut after = run.client(next);
        if let Some(answer) = answer {
            let salt = xep_sasl::upgrade::Salt::new(b"new salt".to_vec(), 4096);
            run.s.upgrade_salt(run.now, salt).unwrap();
            run.drain();
            after = run.client(answer);
        }
        assert!(
            after.starts_with(&format!("<failure xmlns='urn:xmpp:sasl:2'><{condition} ")),
            "{after}"
        );
        assert_eq!(run.s.state(), State::AwaitingRequest);
        assert!(
            !run.events
                .iter()
                .any(|e| matches!(e, Event::CredentialsUpgraded { .. }))
        );
    }
}

const ANONYMOUS: &str =
    "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'>dHJhY2U=</auth>";

#[test]
fn anonymous_asks_the_caller_for_a_temporary_account() {
    let mut c = config();
    c.mechanisms = vec![Mechanism::Anonymous];
    let mut run = Run::new(c);
    let features = run.tls(Vec::new());
    assert!(
        features.contains("<mechanism>ANONYMOUS</mechanism>"),
        "{features}"
    );
    assert_eq!(run.client(ANONYMOUS), "");
    assert_eq!(
        run.events.last(),
        Some(&Event::IdentityRequested {
            mechanism: Mechanism::Anonymous,
            authzid: None,
            trace: Some("trace".into()),
        })
    );
    assert_eq!(run.s.state(), State::AwaitingIdentity);
    // Only an account of this domain.
    assert_eq!(
        run.s
            .authorize(run.now, Some("x@elsewhere.example".parse().unwrap())),
        Err(Error::Refused {
            action: "authorize",
            reason: "an account of another domain",
        })
    );
    run.s
        .authorize(run.now, Some("a7f3@example.org".parse().unwrap()))
        .unwrap();
    assert_eq!(
        run.drain(),
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
    );
    run.client(HEADER);
    run.client(BIND);
    let Some(Event::BindRequested { bare, .. }) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(bare.to_string(), "a7f3@example.org");
}

#[test]
fn external_needs_a_client_certificate_and_the_callers_account() {
    let mut c = config();
    c.mechanisms = vec![Mechanism::External, Mechanism::Plain];
    // No certificate: not offered, and refused as not offered.
    let mut run = Run::new(c.clone());
    let features = run.tls(Vec::new());
    assert!(!features.contains("EXTERNAL"), "{features}");
    let out =
        run.client("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
    assert!(out.contains("<invalid-mechanism/>"), "{out}");

    // A certificate: offered; the authzid asked goes to the caller,
    // whose refusal is not-authorized.
    let mut run = Run::new(c.clone());
    run.client(&format!("{HEADER}{STARTTLS}"));
    run.s.client_certificate(run.now, true).unwrap();
    run.up = Wire::new();
    run.down = Wire::new();
    run.s.tls_established(run.now, Vec::new()).unwrap();
    let features = run.client(HEADER);
    assert!(
        features.contains("<mechanism>EXTERNAL</mechanism>"),
        "{features}"
    );
    // "juliet@example.org" in base64.
    run.client("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>anVsaWV0QGV4YW1wbGUub3Jn</auth>");
    assert_eq!(
        run.events.last(),
        Some(&Event::IdentityRequested {
            mechanism: Mechanism::External,
            authzid: Some("juliet@example.org".into()),
            trace: None,
        })
    );
    run.s.authorize(run.now, None).unwrap();
    let out = run.drain();
    assert!(out.contains("<not-authorized/>"), "{out}");
    assert_eq!(run.s.state(), State::AwaitingRequest);
    // No authzid: the certificate's account.
    run.client("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
    assert!(matches!(
        run.events.last(),
        Some(Event::IdentityRequested { authzid: None, .. })
    ));
    run.s
        .authorize(run.now, Some("juliet@example.org".parse().unwrap()))
        .unwrap();
    assert!(run.drain().starts_with("<success"));
    // Too late to change the certificate.
    assert!(run.s.client_certificate(run.now, false).is_err());
}

#[test]
fn a_required_legacy_session_is_answered_before_ready() {
    let mut c = config();
    c.session = SessionOffer::Required;
    let mut run = Run::new(c);
    run.tls(Vec::new());
    run.client(PLAIN_RIGHT);
    run.provide(ScramHash::Sha256);
    let features = run.client(HEADER);
    assert!(
        features.contains("<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>"),
        "{features}"
    );
    run.client(BIND);
    run.s
        .bind(run.now, "juliet@example.org/balcony".parse().unwrap())
        .unwrap();
    let out = run.drain();
    assert!(out.contains("id='b1'"), "{out}");
    assert_eq!(run.s.state(), State::AwaitingSession);
    assert!(!run.events.iter().any(|e| matches!(e, Event::Ready(_))));
    let out = run.client(
        "<iq type='set' id='s1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>",
    );
    assert_eq!(out, "<iq id='s1' type='result'/>");
    assert!(matches!(run.events.last(), Some(Event::Ready(_))));

    // Anything else then is out of turn.
    let mut c = config();
    c.session = SessionOffer::Required;
    let mut run = Run::new(c);
    run.tls(Vec::new());
    run.client(PLAIN_RIGHT);
    run.provide(ScramHash::Sha256);
    run.client(HEADER);
    run.client(BIND);
    run.s
        .bind(run.now, "juliet@example.org/balcony".parse().unwrap())
        .unwrap();
    run.drain();
    run.client("<message to='romeo@example.net'><body>hi</body></message>");
    assert!(matches!(run.failed(), Failure::Sent(_)));
}

#[test]
fn an_optional_legacy_session_is_announced_and_answered_by_the_helper() {
    let mut c = config();
    c.session = SessionOffer::Optional;
    let mut run = Run::new(c);
    run.tls(Vec::new());
    run.client(PLAIN_RIGHT);
    run.provide(ScramHash::Sha256);
    let features = run.client(HEADER);
    assert!(
        features
            .contains("<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>"),
        "{features}"
    );
    let request = Iq::from_xml(
        b"<iq xmlns='jabber:client' type='set' id='s9'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>",
    )
    .unwrap();
    let reply = session_reply(&request).unwrap();
    assert_eq!((reply.type_, reply.id.as_str()), (IqType::Result, "s9"));
    let ping = Iq::from_xml(
        b"<iq xmlns='jabber:client' type='set' id='p'><ping xmlns='urn:xmpp:ping'/></iq>",
    )
    .unwrap();
    assert_eq!(session_reply(&ping), None);
}

#[test]
fn in_0rtt_data_only_a_token_with_a_fresh_count_authenticates() {
    let m = HtMechanism::SHA_256_EXPR;
    let stored = || {
        let mut t = xep_sasl::server::Token::new(m, "t0ken");
        t.count = Some(5);
        vec![t]
    };
    // A password in early data: refused.
    let mut run = Run::new(fast_config());
    run.client(HEADER);
    run.s.early_data(run.now, true).unwrap();
    let out = run.client(&authenticate_plain("r0m30", None));
    assert!(out.contains("<encryption-required "), "{out}");
    // No count, or a count already seen: a replay, refused.
    for fast in [
        "<fast xmlns='urn:xmpp:fast:0'/>",
        "<fast xmlns='urn:xmpp:fast:0' count='5'/>",
    ] {
        let mut run = Run::new(fast_config());
        run.client(HEADER);
        run.s.early_data(run.now, true).unwrap();
        run.client(&authenticate_ht(m, "t0ken", fast));
        run.s.provide_tokens(run.now, stored()).unwrap();
        let out = run.drain();
        assert!(out.contains("<not-authorized "), "{fast}: {out}");
        assert!(
            !run.events
                .iter()
                .any(|e| matches!(e, Event::TokenUsed { .. }))
        );
    }
    // A greater count: authenticated, and reported for the caller to
    // store.
    let mut run = Run::new(fast_config());
    run.client(HEADER);
    run.s.early_data(run.now, true).unwrap();
    run.client(&authenticate_ht(
        m,
        "t0ken",
        "<fast xmlns='urn:xmpp:fast:0' count='6'/>",
    ));
    run.s.provide_tokens(run.now, stored()).unwrap();
    run.drain();
    assert!(
        run.events
            .iter()
            .any(|e| matches!(e, Event::TokenUsed { count: Some(6), .. }))
    );
    // Outside early data the count is not needed.
    let mut run = Run::new(fast_config());
    run.client(HEADER);
    run.client(&authenticate_ht(
        m,
        "t0ken",
        "<fast xmlns='urn:xmpp:fast:0'/>",
    ));
    run.s.provide_tokens(run.now, stored()).unwrap();
    run.drain();
    assert!(
        run.events
            .iter()
            .any(|e| matches!(e, Event::TokenUsed { count: None, .. }))
    );
}

const INST_RESUME: &str = "<inst-resume xmlns='https://xmpp.org/extensions/isr/0'>\
    <resume xmlns='urn:xmpp:sm:3' h='5' previd='sm-1'/></inst-resume>";

fn isr_config() -> Config {
    let mut c = fast_config();
    c.fast = Vec::new();
    c.isr = vec![HtMechanism::SHA_256_EXPR, HtMechanism::SHA_256_UNIQ];
    c
}

#[test]
fn isr_is_offered_and_resumes_with_the_sessions_token() {
    let m = HtMechanism::SHA_256_EXPR;
    let mut run = Run::new(isr_config());
    let features = run.client(HEADER);
    assert!(
        features.contains(
            "<isr xmlns='https://xmpp.org/extensions/isr/0'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
             <mechanism>HT-SHA-256-EXPR</mechanism></mechanisms></isr>"
        ),
        "{features}"
    );
    run.client(&authenticate_ht(m, "isr-t0ken", INST_RESUME));
    let Some(Event::IsrTokenRequested {
        username, resume, ..
    }) = run.events.last()
    else {
        panic!("{:?}", run.events)
    };
    assert_eq!(
        (username.as_str(), resume.previd.as_str(), resume.h),
        ("juliet", "sm-1", 5)
    );
    run.s
        .provide_tokens(run.now, vec![xep_sasl::server::Token::new(m, "isr-t0ken")])
        .unwrap();
    assert_eq!(run.drain(), "");
    assert_eq!(run.s.state(), State::AwaitingResumption);
    assert!(matches!(
        run.events.last(),
        Some(Event::InstantResumeRequested { resume, .. }) if resume.previd == "sm-1"
    ));
    // Only a session of the account.
    assert_eq!(
        run.s
            .instant_resumed(run.now, "romeo@example.org/r".parse().unwrap(), "t2", 9),
        Err(Error::Refused {
            action: "instant_resumed",
            reason: "a session of another account",
        })
    );
    run.s
        .instant_resumed(
            run.now,
            "juliet@example.org/balcony".parse().unwrap(),
            "t2",
            9,
        )
        .unwrap();
    let out = run.drain();
    assert!(
        out.contains(
            "<authorization-identifier>juliet@example.org</authorization-identifier>\
             <inst-resumed xmlns='https://xmpp.org/extensions/isr/0' token='t2'>\
             <resumed xmlns='urn:xmpp:sm:3' h='9' previd='sm-1'/></inst-resumed></success>\
             <stream:features/>"
        ),
        "{out}"
    );
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert!(ready.instant_resumed && !ready.bind2);
    assert!(
        !run.events
            .iter()
            .any(|e| matches!(e, Event::TokenUsed { .. }))
    );
}

#[test]
fn isr_failures_wrong_token_unresumable_and_unoffered() {
    let m = HtMechanism::SHA_256_EXPR;
    // A wrong token: a failed attempt.
    let mut run = Run::new(isr_config());
    run.client(HEADER);
    run.client(&authenticate_ht(m, "guessed", INST_RESUME));
    run.s
        .provide_tokens(run.now, vec![xep_sasl::server::Token::new(m, "isr-t0ken")])
        .unwrap();
    let out = run.drain();
    assert!(
        out.contains("<failure xmlns='urn:xmpp:sasl:2'><not-authorized "),
        "{out}"
    );
    assert!(
        !run.events
            .iter()
            .any(|e| matches!(e, Event::InstantResumeRequested { .. }))
    );

    // Not resumable: authenticated, <inst-resume-failed/>, then binding.
    let mut run = Run::new(isr_config());
    run.client(HEADER);
    run.client(&authenticate_ht(m, "isr-t0ken", INST_RESUME));
    run.s
        .provide_tokens(run.now, vec![xep_sasl::server::Token::new(m, "isr-t0ken")])
        .unwrap();
    run.drain();
    run.s
        .instant_resume_failed(run.now, xep_sm::Failed::new(DefinedCondition::ItemNotFound))
        .unwrap();
    let out = run.drain();
    assert!(
        out.contains(
            "<inst-resume-failed xmlns='https://xmpp.org/extensions/isr/0'><failed xmlns='urn:xmpp:sm:3'>\
             <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed></inst-resume-failed>\
             </success><stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
        ),
        "{out}"
    );
    run.client(BIND);
    assert!(matches!(
        run.events.last(),
        Some(Event::BindRequested { .. })
    ));

    // A password mechanism with the ISR token, or ISR not offered.
    let mut run = Run::new(isr_config());
    run.client(HEADER);
    let out = run.client(
        &authenticate_plain("r0m30", None)
            .replace("</authenticate>", &format!("{INST_RESUME}</authenticate>")),
    );
    assert!(out.contains("<invalid-mechanism "), "{out}");
    let mut run = Run::new(fast_config());
    run.client(HEADER);
    let out = run.client(&authenticate_ht(
        HtMechanism::SHA_256_EXPR,
        "t",
        INST_RESUME,
    ));
    assert!(out.contains("<malformed-request "), "{out}");
    assert!(out.contains("ISR not offered"), "{out}");
}
