//! Scripted client negotiations. The server's side is written out as the
//! bytes a server would send, with feature sets shaped like those Prosody
//! and ejabberd announce (our own stanzas); the SCRAM exchange runs
//! against xep-sasl's server.

use std::time::{Duration, Instant};

use xep_core::SaslCondition;
use xep_core::{DefinedCondition, StreamCondition, StreamLimits, StreamReader, StreamWriter};
use xep_element::{Registry, XmlElement, XmlValue};
use xep_sasl::server::{self, ChannelBindingOffer, ServerStep};
use xep_sasl::{ChannelBindingType, Mechanism, PeerError, ScramMechanism, StoredCredentials};

use super::*;

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='s-1' version='1.0'>";

/// Before TLS, a server requiring STARTTLS (as Prosody does by default).
const FEATURES_TLS_REQUIRED: &str = "<stream:features>\
    <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>";

/// After TLS: SCRAM with -PLUS, PLAIN, and XEP-0440's channel-binding types.
const FEATURES_SASL: &str = "<stream:features>\
    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
    <mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-256</mechanism>\
    <mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms>\
    <sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>\
    <channel-binding type='tls-server-end-point'/><channel-binding type='tls-exporter'/>\
    </sasl-channel-binding></stream:features>";

/// After authentication: bind, the legacy session, stream management, CSI.
const FEATURES_BIND: &str = "<stream:features>\
    <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
    <session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>\
    <sm xmlns='urn:xmpp:sm:3'/><csi xmlns='urn:xmpp:csi:0'/></stream:features>";

/// Before TLS, an ejabberd-like offer: STARTTLS optional, mechanisms in
/// the clear already, caps and registration.
const FEATURES_OPTIONAL_TLS: &str = "<stream:features>\
    <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\
    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism>\
    <mechanism>SCRAM-SHA-1</mechanism></mechanisms>\
    <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://www.process-one.net/en/ejabberd/' ver='aW5jb25zaXN0ZW50'/>\
    <register xmlns='http://jabber.org/features/iq-register'/></stream:features>";

const TLS_EXPORTER: &[u8] = &[0x5a; 32];

/// The client, its writer, the reader of what the server sends, and the
/// transcript of what the client wrote.
struct Run {
    now: Instant,
    client: Client,
    writer: StreamWriter,
    reader: StreamReader,
    sent: String,
    events: Vec<Event>,
}

fn reader() -> StreamReader {
    StreamReader::new(StreamLimits::default()).with_registry(
        Registry::new()
            .with(xep_core::ELEMENTS)
            .with(xep_sasl::ELEMENTS),
    )
}

impl Run {
    fn new(config: Config) -> Self {
        let now = Instant::now();
        let mut client = Client::new(config);
        client.start(now).unwrap();
        let mut r = Run {
            now,
            client,
            writer: StreamWriter::default(),
            reader: reader(),
            sent: String::new(),
            events: Vec::new(),
        };
        r.drain();
        r
    }

    /// Takes what the client wrote since the last call.
    fn sent(&mut self) -> String {
        std::mem::take(&mut self.sent)
    }

    fn drain(&mut self) {
        while let Some(t) = self.client.poll_transmit() {
            let b = t.to_bytes(&mut self.writer);
            self.sent.push_str(std::str::from_utf8(&b).unwrap());
        }
        while let Some(e) = self.client.poll_event() {
            match &e {
                Event::StartTls => {
                    // A new transport, a new reader and writer.
                    self.reader = reader();
                    self.writer = StreamWriter::default();
                }
                Event::StreamRestart => self.reader.restart(),
                _ => {}
            }
            self.events.push(e);
        }
    }

    /// The server writes `bytes`; the client reads them.
    fn server(&mut self, bytes: &str) {
        self.reader.feed(bytes.as_bytes());
        while let Some(e) = self.reader.next_event().expect("our server writes well") {
            assert!(self.client.handle_stream_event(self.now, &e), "{e:?}");
            self.drain();
        }
    }

    fn tls_up(&mut self, bindings: Vec<(ChannelBindingType, Vec<u8>)>) {
        self.client.tls_established(self.now, bindings).unwrap();
        self.drain();
    }

    fn failure(&self) -> &Failure {
        match self.events.last() {
            Some(Event::Failed(f)) => f,
            other => panic!("not failed: {other:?}"),
        }
    }
}

fn config() -> Config {
    Config::new(
        "example.org".parse().unwrap(),
        "juliet",
        "r0m30myr0m30",
        b"client nonce bytes!".to_vec(),
    )
}

fn plain_config() -> Config {
    let mut c = config();
    c.mechanisms = vec![Mechanism::Plain];
    c
}

const CLIENT_HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' to='example.org' version='1.0'>";

/// The server side up to the bind request, over TLS, with PLAIN.
fn plain_up_to_bind(run: &mut Run) {
    assert_eq!(run.sent(), CLIENT_HEADER);
    run.server(HEADER);
    run.server(FEATURES_TLS_REQUIRED);
    assert_eq!(
        run.sent(),
        "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
    );
    run.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    assert_eq!(run.events, vec![Event::StartTls]);
    assert_eq!(run.client.state(), State::TlsHandshake);
    assert_eq!(
        run.sent(),
        "",
        "nothing is written during the TLS handshake"
    );
    run.tls_up(vec![(
        ChannelBindingType::TlsExporter,
        TLS_EXPORTER.to_vec(),
    )]);
    assert_eq!(run.sent(), CLIENT_HEADER);
    run.server(HEADER);
    run.server(FEATURES_SASL);
    // PLAIN: \0juliet\0r0m30myr0m30
    assert_eq!(
        run.sent(),
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG15cjBtMzA=</auth>"
    );
}

#[test]
fn starttls_plain_and_bind_end_ready_with_the_bound_jid() {
    let mut run = Run::new(plain_config());
    plain_up_to_bind(&mut run);
    run.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    assert_eq!(run.events.last(), Some(&Event::StreamRestart));
    assert_eq!(run.sent(), CLIENT_HEADER);
    run.server(HEADER);
    run.server(FEATURES_BIND);
    assert_eq!(
        run.sent(),
        "<iq id='bind-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>"
    );
    assert_eq!(run.client.state(), State::Binding);
    run.server(
        "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
         <jid>juliet@example.org/balcony-4f2a</jid></bind></iq>",
    );
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.jid.to_string(), "juliet@example.org/balcony-4f2a");
    assert_eq!(ready.mechanism, Mechanism::Plain);
    assert!(ready.tls);
    assert_eq!(
        ready.features.features.len(),
        4,
        "sm and csi stay for the caller"
    );
    assert_eq!(run.client.state(), State::Ready);
    assert_eq!(run.client.poll_timeout(), None);
    // Stanzas are the caller's now.
    run.reader
        .feed(b"<message from='romeo@example.net/orchard'><body>hi</body></message>");
    let e = run.reader.next_event().unwrap().unwrap();
    assert!(!run.client.handle_stream_event(run.now, &e));
}

#[test]
fn scram_plus_binds_to_the_tls_channel_and_asks_for_a_resource() {
    let mut cfg = config();
    cfg.resource = Some("balcony".into());
    let mut run = Run::new(cfg);
    run.server(HEADER);
    run.server(FEATURES_TLS_REQUIRED);
    run.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    run.tls_up(vec![(
        ChannelBindingType::TlsExporter,
        TLS_EXPORTER.to_vec(),
    )]);
    run.sent();
    run.server(HEADER);
    run.server(FEATURES_SASL);
    // The server's end of SCRAM-SHA-256-PLUS over the same channel.
    plus_succeeds(&mut run);
    assert_eq!(run.sent(), CLIENT_HEADER);
    run.server(HEADER);
    run.server(FEATURES_BIND);
    assert_eq!(
        run.sent(),
        "<iq id='bind-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
         <resource>balcony</resource></bind></iq>"
    );
    run.server(
        "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
         <jid>juliet@example.org/balcony</jid></bind></iq>",
    );
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.mechanism.name(), "SCRAM-SHA-256-PLUS");
}

/// The server's `<success/>` with the server-final-message.
fn success(run: &mut Run, server_final: Vec<u8>) {
    run.server(&format!(
        "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</success>",
        SaslData(server_final).to_xml()
    ));
}

/// SCRAM-SHA-256-PLUS over the `tls-exporter` channel, to `<success/>`.
fn plus_succeeds(run: &mut Run) {
    let channel = vec![(ChannelBindingType::TlsExporter, TLS_EXPORTER.to_vec())];
    let last = scram_server(
        run,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(channel),
    );
    success(run, last);
}

/// The server's end of the SCRAM exchange the client's `<auth/>` (the
/// last thing it wrote) starts, up to the server-final-message, returned.
fn scram_server(run: &mut Run, mechanism: ScramMechanism, offer: ChannelBindingOffer) -> Vec<u8> {
    let mut scram = server::Scram::new(mechanism, b"server nonce bytes", offer).unwrap();
    scram_challenge(run, &mut scram);
    let response = xep_core::Response::from_xml(run.sent().as_bytes()).unwrap();
    let ServerStep::Success {
        additional_data, ..
    } = scram.step(&response.data.unwrap().0).unwrap()
    else {
        panic!()
    };
    additional_data.unwrap()
}

/// `scram` answers the client's `<auth/>` with its server-first-message.
fn scram_challenge(run: &mut Run, scram: &mut server::Scram) {
    let auth = xep_core::Auth::from_xml(run.sent().as_bytes()).unwrap();
    let mechanism = scram.mechanism();
    assert_eq!(auth.mechanism, mechanism.name());
    let ServerStep::NeedCredentials { username, .. } = scram.step(&auth.data.unwrap().0).unwrap()
    else {
        panic!()
    };
    assert_eq!(username, "juliet");
    let stored =
        StoredCredentials::from_password(mechanism.hash, "r0m30myr0m30", b"salt", 4096).unwrap();
    let ServerStep::Challenge(first) = scram.provide(Some(stored)).unwrap() else {
        panic!()
    };
    run.server(&format!(
        "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>{}</challenge>",
        SaslData(first).to_xml()
    ));
}

#[test]
fn a_stripped_plus_offer_is_caught_by_downgrade_protection() {
    let mut run = Run::new(config());
    run.server(HEADER);
    run.server(FEATURES_TLS_REQUIRED);
    run.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    // The TLS library cannot bind here: the client will not use -PLUS.
    run.tls_up(Vec::new());
    run.sent();
    run.server(HEADER);
    // Someone in the middle removed -PLUS and XEP-0440's types.
    run.server(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>SCRAM-SHA-256</mechanism></mechanisms></stream:features>",
    );
    // The server hashes what it really offered (XEP-0474).
    let mut scram = server::Scram::new(
        ScramMechanism::SHA_256,
        b"server nonce bytes",
        ChannelBindingOffer::none(),
    )
    .unwrap()
    .with_downgrade_protection(
        &["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"],
        Some(&["tls-exporter"]),
    );
    scram_challenge(&mut run, &mut scram);
    assert_eq!(
        run.failure(),
        &Failure::SaslPeer(xep_sasl::PeerError::Downgrade)
    );
    assert_eq!(
        run.sent(),
        "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:stream>"
    );
}

/// Runs SCRAM-SHA-1 in the clear (no STARTTLS offered, `IfOffered`) up
/// to the server-final-message, which the server gives to `finish`.
fn scram_sha1_in_the_clear(finish: impl FnOnce(&mut Run, Vec<u8>)) -> Run {
    let mut cfg = config();
    cfg.tls = TlsPolicy::IfOffered;
    let mut run = Run::new(cfg);
    run.sent();
    run.server(HEADER);
    run.server(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>",
    );
    let last = scram_server(&mut run, ScramMechanism::SHA_1, ChannelBindingOffer::none());
    finish(&mut run, last);
    run
}

#[test]
fn scram_in_the_clear_when_tls_is_only_preferred() {
    let mut run = scram_sha1_in_the_clear(success);
    assert_eq!(run.events, vec![Event::StreamRestart]);
    assert_eq!(run.sent(), CLIENT_HEADER);
}

#[test]
fn a_wrong_scram_server_signature_ends_the_negotiation() {
    // v= of 20 zero bytes: not the server's signature.
    let mut run =
        scram_sha1_in_the_clear(|run, _| success(run, b"v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_vec()));
    assert!(
        matches!(run.failure(), Failure::SaslPeer(_)),
        "{:?}",
        run.events
    );
    // The exchange is over: no <abort/>, only the close.
    assert_eq!(run.sent(), "</stream:stream>");
}

#[test]
fn a_malformed_challenge_is_answered_with_abort() {
    let mut cfg = config();
    cfg.tls = TlsPolicy::IfOffered;
    let mut run = Run::new(cfg);
    run.server(HEADER);
    run.server(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>",
    );
    run.sent();
    // "nonsense": not a server-first-message.
    run.server("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>bm9uc2Vuc2U=</challenge>");
    assert!(
        matches!(run.failure(), Failure::SaslPeer(_)),
        "{:?}",
        run.events
    );
    assert_eq!(
        run.sent(),
        "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:stream>"
    );
}

#[test]
fn optional_starttls_is_taken_when_offered() {
    let mut cfg = plain_config();
    cfg.tls = TlsPolicy::IfOffered;
    let mut run = Run::new(cfg);
    run.server(HEADER);
    run.server(FEATURES_OPTIONAL_TLS);
    assert_eq!(
        run.sent(),
        format!("{CLIENT_HEADER}<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    );
    // And a client that never does STARTTLS authenticates in the clear.
    let mut cfg = plain_config();
    cfg.tls = TlsPolicy::Never;
    let mut run = Run::new(cfg);
    run.server(HEADER);
    run.server(FEATURES_OPTIONAL_TLS);
    assert!(run.sent().contains("<auth "));
}

#[test]
fn sasl_failure_is_typed() {
    let mut run = Run::new(plain_config());
    plain_up_to_bind(&mut run);
    run.server(
        "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>\
         <text xml:lang='en'>Invalid username or password</text></failure>",
    );
    let Failure::Sasl(f) = run.failure() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(f.condition, SaslCondition::NotAuthorized);
    assert_eq!(f.texts[0].text, "Invalid username or password");
    assert_eq!(run.client.state(), State::Failed);
    assert_eq!(run.sent(), "</stream:stream>");
}

#[test]
fn a_bind_conflict_is_typed() {
    let mut run = Run::new(plain_config());
    plain_up_to_bind(&mut run);
    run.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    run.server(HEADER);
    run.server(FEATURES_BIND);
    run.server(
        "<iq type='error' id='bind-1'><error type='cancel'>\
         <conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    );
    let Failure::Bind(e) = run.failure() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(e.condition, DefinedCondition::Conflict);
}

#[test]
fn see_other_host_is_a_received_stream_error() {
    let mut run = Run::new(plain_config());
    run.server(HEADER);
    run.server(
        "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>\
         [2001:db8::a]:5222</see-other-host></stream:error>",
    );
    let Failure::Received(e) = run.failure() else {
        panic!("{:?}", run.events)
    };
    let StreamCondition::SeeOtherHost(host) = &e.condition else {
        panic!("{e:?}")
    };
    assert!(format!("{host:?}").contains("2001:db8::a"), "{host:?}");
    assert_eq!(run.sent(), format!("{CLIENT_HEADER}</stream:stream>"));
}

#[test]
fn tls_required_but_not_offered_fails() {
    let mut run = Run::new(plain_config());
    run.server(HEADER);
    run.server(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>PLAIN</mechanism></mechanisms></stream:features>",
    );
    assert_eq!(run.failure(), &Failure::TlsUnavailable);
    assert!(!run.sent().contains("<auth"), "no password in the clear");
}

#[test]
fn starttls_required_by_the_server_but_refused_by_policy_fails() {
    let mut cfg = plain_config();
    cfg.tls = TlsPolicy::Never;
    let mut run = Run::new(cfg);
    run.server(HEADER);
    run.server(FEATURES_TLS_REQUIRED);
    assert_eq!(run.failure(), &Failure::TlsRequiredByServer);
}

#[test]
fn a_tls_failure_ends_the_negotiation() {
    let mut run = Run::new(plain_config());
    run.server(HEADER);
    run.server(FEATURES_TLS_REQUIRED);
    run.server("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    assert_eq!(run.failure(), &Failure::TlsFailed);
}

#[test]
fn plus_only_without_channel_binding_has_no_mechanism() {
    let mut run = Run::new(config());
    run.server(HEADER);
    run.server(FEATURES_TLS_REQUIRED);
    run.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    // The TLS library gives no channel binding.
    run.tls_up(Vec::new());
    run.server(HEADER);
    run.server(
        "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
         <mechanism>SCRAM-SHA-256-PLUS</mechanism></mechanisms></stream:features>",
    );
    assert!(
        matches!(run.failure(), Failure::NoMechanism(_)),
        "{:?}",
        run.events
    );
}

#[test]
fn bind_missing_after_authentication_fails() {
    let mut run = Run::new(plain_config());
    plain_up_to_bind(&mut run);
    run.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    run.server(HEADER);
    run.server("<stream:features><sm xmlns='urn:xmpp:sm:3'/></stream:features>");
    assert_eq!(run.failure(), &Failure::FeatureMissing("bind"));
}

#[test]
fn a_server_header_in_another_namespace_is_refused() {
    let mut run = Run::new(plain_config());
    run.server(
        "<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' \
         from='example.org' id='s' version='1.0'>",
    );
    let Failure::Sent(e) = run.failure() else {
        panic!()
    };
    assert_eq!(e.condition, StreamCondition::InvalidNamespace);
}

#[test]
fn the_negotiation_times_out() {
    let mut run = Run::new(plain_config());
    let due = run.client.poll_timeout().unwrap();
    assert_eq!(due, run.now + DEFAULT_TIMEOUT);
    run.client.handle_timeout(due - Duration::from_secs(1));
    assert_eq!(run.client.state(), State::AwaitingHeader);
    run.client.handle_timeout(due);
    run.drain();
    assert_eq!(run.failure(), &Failure::TimedOut);
    assert!(run.sent().contains("<connection-timeout "));
}

#[test]
fn misuse_is_wrong_state_and_sends_nothing() {
    let now = Instant::now();
    let mut c = Client::new(plain_config());
    assert_eq!(
        c.tls_established(now, Vec::new()),
        Err(crate::Error::WrongState {
            action: "tls_established",
            state: State::Idle
        })
    );
    assert!(
        !c.handle_stream_event(now, &StreamEvent::End),
        "not started"
    );
    c.start(now).unwrap();
    c.poll_transmit();
    assert_eq!(
        c.start(now),
        Err(crate::Error::WrongState {
            action: "start",
            state: State::AwaitingHeader
        })
    );
    assert_eq!(c.poll_transmit(), None);
}

#[test]
fn direct_tls_skips_starttls_and_binds_the_channel() {
    // XEP-0368: TLS from the first byte, with its channel binding.
    let mut cfg = config();
    cfg.tls_at_start = true;
    cfg.channel_bindings = vec![(ChannelBindingType::TlsExporter, TLS_EXPORTER.to_vec())];
    let mut run = Run::new(cfg);
    run.sent();
    run.server(HEADER);
    run.server(FEATURES_SASL);
    plus_succeeds(&mut run);
    assert!(!run.events.contains(&Event::StartTls));
    assert_eq!(run.events, vec![Event::StreamRestart]);
    assert_eq!(run.sent(), CLIENT_HEADER);
}

// SASL2 (XEP-0388) and Bind 2 (XEP-0386). The features are shaped like
// those of a server with SASL2, Bind 2, inline stream management and
// XEP-0484 FAST (as Prosody's community modules announce them): the
// RFC 6120 mechanisms beside SASL2's, Bind 2 listing what it can enable.

/// After TLS: RFC 6120 SASL and SASL2 with Bind 2, SM and FAST inline.
const FEATURES_SASL2: &str = "<stream:features>\
    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
    <mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-256</mechanism>\
    <mechanism>PLAIN</mechanism></mechanisms>\
    <authentication xmlns='urn:xmpp:sasl:2'>\
    <mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-256</mechanism>\
    <mechanism>PLAIN</mechanism><inline>\
    <bind xmlns='urn:xmpp:bind:0'><inline><feature var='urn:xmpp:carbons:2'/>\
    <feature var='urn:xmpp:csi:0'/><feature var='urn:xmpp:sm:3'/></inline></bind>\
    <sm xmlns='urn:xmpp:sm:3'/>\
    <fast xmlns='urn:xmpp:fast:0'><mechanism>HT-SHA-256-NONE</mechanism></fast>\
    </inline></authentication>\
    <sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>\
    <channel-binding type='tls-exporter'/></sasl-channel-binding>\
    <register xmlns='urn:xmpp:invite'/></stream:features>";

/// The same without Bind 2 inline.
const FEATURES_SASL2_NO_BIND2: &str = "<stream:features>\
    <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
    <mechanism>SCRAM-SHA-256</mechanism></mechanisms>\
    <authentication xmlns='urn:xmpp:sasl:2'><mechanism>SCRAM-SHA-256</mechanism>\
    <inline><sm xmlns='urn:xmpp:sm:3'/></inline></authentication></stream:features>";

/// After a SASL2 success with Bind 2: no bind, what the session may use.
const FEATURES_AFTER_BIND2: &str = "<stream:features>\
    <sm xmlns='urn:xmpp:sm:3'/><csi xmlns='urn:xmpp:csi:0'/></stream:features>";

fn exporter() -> Vec<(ChannelBindingType, Vec<u8>)> {
    vec![(ChannelBindingType::TlsExporter, TLS_EXPORTER.to_vec())]
}

/// A direct-TLS client (XEP-0368) with the `tls-exporter` channel, a
/// user agent and a Bind 2 tag.
fn sasl2_config() -> Config {
    let mut c = config();
    c.tls_at_start = true;
    c.channel_bindings = exporter();
    c.bind2_tag = Some("Orchard".into());
    c.user_agent = xep_sasl::sasl2::UserAgent {
        id: Some("d4565fa7-4d72-4749-b3d3-740edbf87770".into()),
        software: Some("Orchard".into()),
        device: Some("Balcony".into()),
    };
    c
}

/// A client run up to its `<authenticate/>` on `features`, returned.
fn sasl2_authenticate(config: Config, features: &str) -> (Run, xep_sasl::sasl2::Authenticate) {
    let mut run = Run::new(config);
    assert_eq!(run.sent(), CLIENT_HEADER);
    run.server(HEADER);
    run.server(features);
    let sent = run.sent();
    let a = xep_sasl::sasl2::Authenticate::from_xml_with(
        sent.as_bytes(),
        &Registry::new().with(xep_sasl::ELEMENTS),
    )
    .unwrap();
    (run, a)
}

/// The server's end of the SCRAM exchange in SASL2, from the client's
/// initial response to the server-final-message (returned).
fn sasl2_scram(
    run: &mut Run,
    a: &xep_sasl::sasl2::Authenticate,
    mechanism: ScramMechanism,
    offer: ChannelBindingOffer,
) -> Result<Vec<u8>, xep_sasl::ServerError> {
    assert_eq!(a.mechanism, mechanism.name());
    let mut scram = server::Scram::new(mechanism, b"server nonce bytes", offer).unwrap();
    let initial = &a.initial_response.as_ref().unwrap().0;
    let ServerStep::NeedCredentials { username, .. } = scram.step(initial).unwrap() else {
        panic!()
    };
    assert_eq!(username, "juliet");
    let stored =
        StoredCredentials::from_password(mechanism.hash, "r0m30myr0m30", b"salt", 4096).unwrap();
    let ServerStep::Challenge(first) = scram.provide(Some(stored)).unwrap() else {
        panic!()
    };
    run.server(
        &xep_sasl::sasl2::Challenge {
            data: xep_element::Base64(first),
        }
        .to_xml(),
    );
    let response = xep_sasl::sasl2::Response::from_xml(run.sent().as_bytes()).unwrap();
    match scram.step(&response.data.0)? {
        ServerStep::Success {
            additional_data, ..
        } => Ok(additional_data.unwrap()),
        other => panic!("{other:?}"),
    }
}

fn sasl2_success(additional: &[u8], authz: &str, rest: &str) -> String {
    format!(
        "<success xmlns='urn:xmpp:sasl:2'><additional-data>{}</additional-data>\
         <authorization-identifier>{authz}</authorization-identifier>{rest}</success>",
        xep_element::Base64(additional.to_vec()).to_xml()
    )
}

#[test]
fn sasl2_scram_plus_with_bind2_is_ready_without_a_restart() {
    let (mut run, a) = sasl2_authenticate(sasl2_config(), FEATURES_SASL2);
    assert_eq!(a.mechanism, "SCRAM-SHA-256-PLUS");
    let ua = a.user_agent.clone().unwrap();
    assert_eq!(ua.software.as_deref(), Some("Orchard"));
    let bind = a.bind2.clone().unwrap();
    assert_eq!(bind, xep_sasl::bind2::Bind::request(Some("Orchard".into())));
    assert_eq!(run.client.state(), State::Authenticating);
    let last = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(exporter()),
    )
    .unwrap();
    run.server(&sasl2_success(
        &last,
        "juliet@example.org/Orchard/4232f4d4",
        "<bound xmlns='urn:xmpp:bind:0'><metadata xmlns='urn:xmpp:mam:2'/></bound>",
    ));
    assert_eq!(run.sent(), "", "no restart, no bind request");
    assert!(!run.events.contains(&Event::StreamRestart));
    assert_eq!(run.client.state(), State::AwaitingFeatures);
    run.server(FEATURES_AFTER_BIND2);
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.jid.to_string(), "juliet@example.org/Orchard/4232f4d4");
    assert_eq!(ready.mechanism.name(), "SCRAM-SHA-256-PLUS");
    assert!(ready.sasl2 && ready.tls);
    assert_eq!(ready.bound.as_ref().unwrap().payloads.len(), 1);
    assert_eq!(ready.features.features.len(), 2);
    assert_eq!(run.client.state(), State::Ready);
    assert_eq!(run.client.poll_timeout(), None);
}

#[test]
fn sasl2_without_bind2_is_followed_by_rfc_6120_binding() {
    let mut cfg = sasl2_config();
    cfg.channel_bindings = Vec::new();
    cfg.resource = Some("balcony".into());
    let (mut run, a) = sasl2_authenticate(cfg, FEATURES_SASL2_NO_BIND2);
    assert!(a.bind2.is_none(), "no Bind 2 when not offered");
    let last = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256,
        ChannelBindingOffer::none(),
    )
    .unwrap();
    run.server(&sasl2_success(&last, "juliet@example.org", ""));
    assert_eq!(run.sent(), "");
    run.server(FEATURES_BIND);
    assert_eq!(
        run.sent(),
        "<iq id='bind-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
         <resource>balcony</resource></bind></iq>"
    );
    run.server(
        "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
         <jid>juliet@example.org/balcony</jid></bind></iq>",
    );
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.jid.to_string(), "juliet@example.org/balcony");
    assert!(ready.sasl2);
    assert_eq!(ready.bound, None);
}

#[test]
fn bind2_can_be_declined_by_config() {
    let mut cfg = sasl2_config();
    cfg.bind2 = false;
    let (_, a) = sasl2_authenticate(cfg, FEATURES_SASL2);
    assert!(a.bind2.is_none());
}

#[test]
fn sasl2_can_be_declined_by_config() {
    let mut cfg = sasl2_config();
    cfg.sasl2 = false;
    let mut run = Run::new(cfg);
    run.sent();
    run.server(HEADER);
    run.server(FEATURES_SASL2);
    let sent = run.sent();
    assert!(
        sent.starts_with(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256-PLUS'>"
        ),
        "{sent}"
    );
}

#[test]
fn sasl2_wrong_password_is_a_typed_failure() {
    let mut cfg = sasl2_config();
    cfg.password = "not the password".into();
    let (mut run, a) = sasl2_authenticate(cfg, FEATURES_SASL2);
    let e = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(exporter()),
    )
    .unwrap_err();
    let xep_sasl::ServerError::Peer(p) = e else {
        panic!("{e:?}")
    };
    assert_eq!(p.condition(), SaslCondition::NotAuthorized);
    run.server(
        "<failure xmlns='urn:xmpp:sasl:2'>\
         <not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>\
         <text>Invalid username or password</text></failure>",
    );
    let Failure::Sasl(f) = run.failure() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(f.condition, SaslCondition::NotAuthorized);
    assert_eq!(f.texts[0].text, "Invalid username or password");
    assert_eq!(run.client.state(), State::Failed);
    assert_eq!(run.sent(), "</stream:stream>");
}

#[test]
fn sasl2_failure_conditions_are_typed_with_application_conditions_left_out() {
    let (mut run, _) = sasl2_authenticate(sasl2_config(), FEATURES_SASL2);
    run.server(
        "<failure xmlns='urn:xmpp:sasl:2'>\
         <account-disabled xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>\
         <locked xmlns='urn:example:accounts'/></failure>",
    );
    let Failure::Sasl(f) = run.failure() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(f.condition, SaslCondition::AccountDisabled);
    assert!(f.texts.is_empty());
}

#[test]
fn sasl2_plus_with_mismatched_channel_binding_is_refused_by_the_server() {
    let (mut run, a) = sasl2_authenticate(sasl2_config(), FEATURES_SASL2);
    // The server's TLS sees another channel: someone in the middle.
    let other = vec![(ChannelBindingType::TlsExporter, vec![7; 32])];
    let e = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(other),
    )
    .unwrap_err();
    let xep_sasl::ServerError::Peer(p) = e else {
        panic!("{e:?}")
    };
    assert_eq!(p.condition(), SaslCondition::NotAuthorized);
    run.server(
        "<failure xmlns='urn:xmpp:sasl:2'>\
         <not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></failure>",
    );
    let Failure::Sasl(f) = run.failure() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(f.condition, SaslCondition::NotAuthorized);
}

#[test]
fn sasl2_forged_server_signature_is_refused() {
    let (mut run, a) = sasl2_authenticate(sasl2_config(), FEATURES_SASL2);
    let mut last = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(exporter()),
    )
    .unwrap();
    let n = last.len();
    last[n - 2] ^= 1;
    run.server(&sasl2_success(&last, "juliet@example.org/Orchard/1", ""));
    assert!(
        matches!(run.failure(), Failure::SaslPeer(_)),
        "{:?}",
        run.events
    );
    assert_eq!(run.sent(), "</stream:stream>", "the exchange was over");
}

#[test]
fn sasl2_continue_with_an_unknown_task_is_aborted() {
    let (mut run, a) = sasl2_authenticate(sasl2_config(), FEATURES_SASL2);
    let last = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(exporter()),
    )
    .unwrap();
    run.server(&format!(
        "<continue xmlns='urn:xmpp:sasl:2'><additional-data>{}</additional-data>\
         <tasks><task>HOTP-EXAMPLE</task><task>TOTP-EXAMPLE</task></tasks>\
         <text>This account requires 2FA</text></continue>",
        xep_element::Base64(last).to_xml()
    ));
    assert_eq!(
        run.failure(),
        &Failure::Sasl2Tasks(vec!["HOTP-EXAMPLE".into(), "TOTP-EXAMPLE".into()])
    );
    assert_eq!(
        run.sent(),
        "<abort xmlns='urn:xmpp:sasl:2'><text>no such task was asked for</text></abort>\
         </stream:stream>"
    );
}

#[test]
fn sasl2_success_for_another_account_is_refused() {
    for (authz, bind2) in [
        ("romeo@example.org/Orchard/1", true),
        ("juliet@example.net", true),
        ("romeo@example.org", false),
        // A full JID although no resource was asked inline.
        ("juliet@example.org/unasked", false),
    ] {
        let mut cfg = sasl2_config();
        cfg.bind2 = bind2;
        let (mut run, a) = sasl2_authenticate(cfg, FEATURES_SASL2);
        let last = sasl2_scram(
            &mut run,
            &a,
            ScramMechanism::SHA_256_PLUS,
            ChannelBindingOffer::new(exporter()),
        )
        .unwrap();
        run.server(&sasl2_success(&last, authz, ""));
        assert_eq!(
            run.failure(),
            &Failure::AuthorizationMismatch {
                expected: Some("juliet@example.org".parse().unwrap()),
                received: authz.parse().unwrap(),
            },
            "{authz}"
        );
        assert_eq!(run.sent(), "</stream:stream>");
        assert_eq!(run.client.state(), State::Failed);
    }
}

#[test]
fn sasl2_out_of_turn_elements_are_refused() {
    let (mut run, _) = sasl2_authenticate(sasl2_config(), FEATURES_SASL2);
    // An RFC 6120 challenge inside a SASL2 exchange.
    run.server("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>AA==</challenge>");
    let Failure::Sent(e) = run.failure() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(e.condition, StreamCondition::UnsupportedStanzaType);
}

#[test]
fn bind2_asked_but_a_bare_jid_answered_falls_back_to_rfc_6120_binding() {
    let (mut run, a) = sasl2_authenticate(sasl2_config(), FEATURES_SASL2);
    assert!(a.bind2.is_some(), "Bind 2 asked");
    let last = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(exporter()),
    )
    .unwrap();
    run.server(&sasl2_success(&last, "juliet@example.org", ""));
    run.server(FEATURES_BIND);
    assert_eq!(
        run.sent(),
        "<iq id='bind-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>"
    );
    assert_eq!(run.client.state(), State::Binding);
}

/// Up to the features after authentication, paused before binding.
fn paused() -> Run {
    let mut cfg = plain_config();
    cfg.pause_before_bind = true;
    let mut run = Run::new(cfg);
    plain_up_to_bind(&mut run);
    run.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    assert_eq!(run.sent(), CLIENT_HEADER);
    run.server(HEADER);
    run.server(FEATURES_BIND);
    assert_eq!(run.sent(), "", "nothing bound while paused");
    assert_eq!(run.client.state(), State::Authenticated);
    let Some(Event::Authenticated { features }) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(features.features.len(), 4);
    run
}

#[test]
fn paused_before_bind_the_stream_is_the_callers_and_resumed_ends_ready_with_the_old_jid() {
    let mut run = paused();
    // The caller's <resume/> and the server's <resumed/> are not the
    // machine's.
    run.reader
        .feed(b"<resumed xmlns='urn:xmpp:sm:3' h='3' previd='sm-1'/>");
    let e = run.reader.next_event().unwrap().unwrap();
    assert!(!run.client.handle_stream_event(run.now, &e));
    let jid: FullJid = "juliet@example.org/balcony".parse().unwrap();
    run.client.resumed(run.now, jid.clone()).unwrap();
    run.drain();
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.jid, jid);
    assert_eq!(ready.mechanism, Mechanism::Plain);
    assert_eq!(ready.features.features.len(), 4);
    assert_eq!(run.client.state(), State::Ready);
    assert_eq!(run.client.poll_timeout(), None);
    assert_eq!(run.sent(), "");
    // Misuse afterwards is refused and sends nothing.
    assert!(run.client.bind(run.now).is_err());
    assert!(run.client.resumed(run.now, jid).is_err());
}

#[test]
fn paused_before_bind_then_bind_after_a_failed_resumption() {
    let mut run = paused();
    run.client.bind(run.now).unwrap();
    run.drain();
    assert_eq!(
        run.sent(),
        "<iq id='bind-1' type='set'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>"
    );
    assert_eq!(run.client.state(), State::Binding);
    run.server(
        "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
         <jid>juliet@example.org/new</jid></bind></iq>",
    );
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.jid.to_string(), "juliet@example.org/new");
}

#[test]
fn bind_and_resumed_are_refused_outside_the_pause() {
    let mut run = Run::new(plain_config());
    assert_eq!(run.sent(), CLIENT_HEADER);
    let jid: FullJid = "juliet@example.org/x".parse().unwrap();
    assert!(matches!(
        run.client.bind(run.now),
        Err(crate::Error::WrongState { action: "bind", .. })
    ));
    assert!(run.client.resumed(run.now, jid).is_err());
    run.drain();
    assert_eq!(run.sent(), "");
}

// XEP-0484 (FAST), against FEATURES_SASL2's `<fast/>` (HT-SHA-256-NONE).

fn token_config() -> Config {
    let mut c = sasl2_config();
    c.fast_token = Some(FastToken {
        mechanism: HtMechanism::SHA_256_NONE,
        secret: "t0ken".into(),
    });
    c
}

/// The server's end of an HT exchange holding `secret`: the responder
/// message, or the refusal.
fn ht_server(a: &xep_sasl::sasl2::Authenticate, secret: &str) -> Result<Vec<u8>, PeerError> {
    let m = HtMechanism::from_name(&a.mechanism).unwrap();
    let mut s = server::HashedToken::new(m, ChannelBindingOffer::new(exporter()));
    s.step(&a.initial_response.as_ref().unwrap().0).unwrap();
    match s.provide(vec![server::Token::new(m, secret)]) {
        Ok(ServerStep::Success {
            additional_data, ..
        }) => Ok(additional_data.unwrap()),
        Err(xep_sasl::ServerError::Peer(p)) => Err(p),
        other => panic!("{other:?}"),
    }
}

const TOKEN: &str = "<token xmlns='urn:xmpp:fast:0' expiry='2030-03-12T14:36:15Z' \
    token='WXZzciBwYmFmdmZnZiBqdmd1IGp2eXFhcmZm'/>";

#[test]
fn a_token_is_requested_for_a_mechanism_offered_and_raised_for_storage() {
    let mut cfg = sasl2_config();
    cfg.request_token = vec![HtMechanism::SHA_256_EXPR, HtMechanism::SHA_256_NONE];
    let (mut run, a) = sasl2_authenticate(cfg, FEATURES_SASL2);
    assert_eq!(a.mechanism, "SCRAM-SHA-256-PLUS");
    assert_eq!(
        a.request_token,
        Some(xep_sasl::fast::RequestToken::new(HtMechanism::SHA_256_NONE))
    );
    assert_eq!(a.fast, None, "no token used");
    let last = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(exporter()),
    )
    .unwrap();
    run.server(&sasl2_success(
        &last,
        "juliet@example.org/Orchard/1",
        &format!("<bound xmlns='urn:xmpp:bind:0'/>{TOKEN}"),
    ));
    let Some(Event::TokenReceived { mechanism, token }) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(*mechanism, HtMechanism::SHA_256_NONE);
    assert_eq!(token.token, "WXZzciBwYmFmdmZnZiBqdmd1IGp2eXFhcmZm");
    run.server(FEATURES_AFTER_BIND2);
    assert!(matches!(run.events.last(), Some(Event::Ready(_))));
    // Nothing to ask for where the server lists no FAST.
    let mut cfg = sasl2_config();
    cfg.request_token = vec![HtMechanism::SHA_256_NONE];
    let (_, a) = sasl2_authenticate(cfg, FEATURES_SASL2_NO_BIND2);
    assert_eq!(a.request_token, None);
}

#[test]
fn a_token_is_preferred_verified_and_rotated() {
    let (mut run, a) = sasl2_authenticate(token_config(), FEATURES_SASL2);
    assert_eq!(a.mechanism, "HT-SHA-256-NONE");
    assert_eq!(a.fast, Some(xep_sasl::fast::Fast::default()));
    assert!(a.bind2.is_some() && a.user_agent.is_some());
    let responder = ht_server(&a, "t0ken").unwrap();
    run.server(&sasl2_success(
        &responder,
        "juliet@example.org/Orchard/2",
        &format!("<bound xmlns='urn:xmpp:bind:0'/>{TOKEN}"),
    ));
    assert!(matches!(
        run.events.last(),
        Some(Event::TokenReceived {
            mechanism: HtMechanism::SHA_256_NONE,
            ..
        })
    ));
    run.server(FEATURES_AFTER_BIND2);
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.mechanism, Mechanism::Ht(HtMechanism::SHA_256_NONE));
    // Invalidation asked for.
    let mut cfg = token_config();
    cfg.invalidate_token = true;
    let (_, a) = sasl2_authenticate(cfg, FEATURES_SASL2);
    assert!(a.fast.unwrap().invalidates());
}

#[test]
fn a_false_responder_ends_the_negotiation() {
    let (mut run, a) = sasl2_authenticate(token_config(), FEATURES_SASL2);
    assert_eq!(ht_server(&a, "t0ken").unwrap().len(), 32);
    // A server that does not know the token cannot answer right.
    run.server(&sasl2_success(&[7; 32], "juliet@example.org/Orchard/3", ""));
    assert_eq!(
        run.failure(),
        &Failure::SaslPeer(PeerError::ServerSignature)
    );
}

#[test]
fn a_refused_token_is_dropped_and_the_password_follows_on_the_same_stream() {
    let (mut run, a) = sasl2_authenticate(token_config(), FEATURES_SASL2);
    assert_eq!(ht_server(&a, "rotated away"), Err(PeerError::InvalidToken));
    run.server(
        "<failure xmlns='urn:xmpp:sasl:2'>\
         <credentials-expired xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></failure>",
    );
    assert_eq!(
        run.events,
        vec![Event::TokenRefused {
            condition: SaslCondition::CredentialsExpired
        }]
    );
    let again = xep_sasl::sasl2::Authenticate::from_xml_with(
        run.sent().as_bytes(),
        &Registry::new().with(xep_sasl::ELEMENTS),
    )
    .unwrap();
    assert_eq!(again.mechanism, "SCRAM-SHA-256-PLUS");
    assert_eq!(again.fast, None);
    let last = sasl2_scram(
        &mut run,
        &again,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(exporter()),
    )
    .unwrap();
    run.server(&sasl2_success(
        &last,
        "juliet@example.org/Orchard/4",
        "<bound xmlns='urn:xmpp:bind:0'/>",
    ));
    run.server(FEATURES_AFTER_BIND2);
    assert!(matches!(run.events.last(), Some(Event::Ready(_))));
    // A second failure is the password's: the negotiation fails.
    let (mut run, _) = sasl2_authenticate(token_config(), FEATURES_SASL2);
    let failure = "<failure xmlns='urn:xmpp:sasl:2'>\
         <not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></failure>";
    run.server(failure);
    run.sent();
    run.server(failure);
    let Failure::Sasl(f) = run.failure() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(f.condition, SaslCondition::NotAuthorized);
}

#[test]
fn no_token_without_fast_tls_or_the_channel_binding() {
    // Not listed.
    let (_, a) = sasl2_authenticate(token_config(), FEATURES_SASL2_NO_BIND2);
    assert_eq!(a.mechanism, "SCRAM-SHA-256");
    // A token bound to tls-unique, which this connection lacks.
    let mut cfg = token_config();
    cfg.fast_token = Some(FastToken {
        mechanism: HtMechanism::SHA_256_UNIQ,
        secret: "t0ken".into(),
    });
    let features = FEATURES_SASL2.replace("HT-SHA-256-NONE", "HT-SHA-256-UNIQ");
    let (_, a) = sasl2_authenticate(cfg, &features);
    assert_eq!(a.mechanism, "SCRAM-SHA-256-PLUS");
    // In the clear.
    let mut cfg = token_config();
    cfg.tls_at_start = false;
    cfg.tls = TlsPolicy::Never;
    cfg.channel_bindings = Vec::new();
    cfg.request_token = vec![HtMechanism::SHA_256_NONE];
    let (_, a) = sasl2_authenticate(cfg, FEATURES_SASL2);
    assert_eq!(a.mechanism, "SCRAM-SHA-256");
    assert_eq!(a.request_token, None);
}

// XEP-0480 (SCRAM upgrade tasks).

#[test]
fn a_scram_upgrade_task_answers_the_salt_with_the_salted_password() {
    let features = FEATURES_SASL2.replace(
        "</inline></authentication>",
        "</inline><upgrade xmlns='urn:xmpp:sasl:upgrade:0'>UPGR-SCRAM-SHA-512</upgrade>\
         <upgrade xmlns='urn:xmpp:sasl:upgrade:0'>UPGR-BLOOP2</upgrade></authentication>",
    );
    let (mut run, a) = sasl2_authenticate(sasl2_config(), &features);
    assert_eq!(
        a.upgrades,
        vec![xep_sasl::upgrade::Upgrade::new("UPGR-SCRAM-SHA-512")]
    );
    let last = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(exporter()),
    )
    .unwrap();
    run.server(&format!(
        "<continue xmlns='urn:xmpp:sasl:2'><additional-data>{}</additional-data>\
         <tasks><task>UPGR-SCRAM-SHA-512</task></tasks></continue>",
        xep_element::Base64(last).to_xml()
    ));
    assert_eq!(
        run.sent(),
        "<next xmlns='urn:xmpp:sasl:2' task='UPGR-SCRAM-SHA-512'/>"
    );
    run.server(
        "<task-data xmlns='urn:xmpp:sasl:2'><salt xmlns='urn:xmpp:scram-upgrade:0' \
         iterations='4096'>bmV3IHNhbHQ=</salt></task-data>",
    );
    let salt = xep_sasl::upgrade::Salt::new(b"new salt".to_vec(), 4096);
    let answer = xep_sasl::upgrade::scram_answer(
        xep_sasl::ScramHash::Sha512,
        "r0m30myr0m30",
        &salt,
        xep_sasl::IterationBounds::default(),
    )
    .unwrap();
    assert_eq!(
        run.sent(),
        format!(
            "<task-data xmlns='urn:xmpp:sasl:2'>{}</task-data>",
            answer.to_xml()
        )
    );
    // The final success carries no mechanism data (checked already).
    run.server(
        "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>\
         juliet@example.org/Orchard/5</authorization-identifier>\
         <bound xmlns='urn:xmpp:bind:0'/></success>",
    );
    run.server(FEATURES_AFTER_BIND2);
    assert!(matches!(run.events.last(), Some(Event::Ready(_))));
}

#[test]
fn an_upgrade_task_not_asked_for_or_a_hostile_salt_is_aborted() {
    let features = FEATURES_SASL2.replace(
        "</inline></authentication>",
        "</inline><upgrade xmlns='urn:xmpp:sasl:upgrade:0'>UPGR-SCRAM-SHA-512</upgrade>\
         </authentication>",
    );
    let mut cfg = sasl2_config();
    cfg.scram_upgrades = false;
    let (_, a) = sasl2_authenticate(cfg, &features);
    assert!(a.upgrades.is_empty());
    let (mut run, a) = sasl2_authenticate(sasl2_config(), &features);
    let last = sasl2_scram(
        &mut run,
        &a,
        ScramMechanism::SHA_256_PLUS,
        ChannelBindingOffer::new(exporter()),
    )
    .unwrap();
    run.server(&format!(
        "<continue xmlns='urn:xmpp:sasl:2'><additional-data>{}</additional-data>\
         <tasks><task>UPGR-SCRAM-SHA-512</task></tasks></continue>",
        xep_element::Base64(last).to_xml()
    ));
    run.sent();
    run.server(
        "<task-data xmlns='urn:xmpp:sasl:2'><salt xmlns='urn:xmpp:scram-upgrade:0' \
         iterations='4000000000'>bmV3IHNhbHQ=</salt></task-data>",
    );
    assert!(run.sent().starts_with("<abort xmlns='urn:xmpp:sasl:2'"));
    assert!(matches!(
        run.failure(),
        Failure::SaslPeer(PeerError::IterationCount { .. })
    ));
}

/// After PLAIN: the server announces bind and a mandatory session (as
/// servers before RFC 6121 did), without `<optional/>`.
const FEATURES_BIND_SESSION: &str = "<stream:features>\
    <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
    <session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>";

const BIND_RESULT: &str = "<iq type='result' id='bind-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
     <jid>juliet@example.org/balcony</jid></bind></iq>";

/// PLAIN, then bind on `features`, up to the bind result.
fn bound_on(features: &str) -> Run {
    let mut run = Run::new(plain_config());
    plain_up_to_bind(&mut run);
    run.server("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    run.sent();
    run.server(HEADER);
    run.server(features);
    run.sent();
    run.server(BIND_RESULT);
    run
}

#[test]
fn a_mandatory_legacy_session_is_established_before_ready() {
    let mut run = bound_on(FEATURES_BIND_SESSION);
    assert_eq!(run.client.state(), State::Session);
    assert_eq!(
        run.sent(),
        "<iq id='session-1' type='set'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>"
    );
    assert!(!matches!(run.events.last(), Some(Event::Ready(_))));
    run.server("<iq type='result' id='session-1'/>");
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.jid.to_string(), "juliet@example.org/balcony");

    // Refused: a typed failure.
    let mut run = bound_on(FEATURES_BIND_SESSION);
    run.server(
        "<iq type='error' id='session-1'><error type='wait'>\
         <internal-server-error xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    );
    let Failure::Session(e) = run.failure() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(e.condition, DefinedCondition::InternalServerError);
    // Another answer is out of turn.
    let mut run = bound_on(FEATURES_BIND_SESSION);
    run.server("<iq type='result' id='other'/>");
    assert!(matches!(run.failure(), Failure::Sent(_)));
}

#[test]
fn an_optional_legacy_session_is_skipped() {
    let mut run = bound_on(FEATURES_BIND);
    assert_eq!(run.sent(), "");
    assert!(matches!(run.events.last(), Some(Event::Ready(_))));
}

#[test]
fn anonymous_in_sasl2_believes_an_account_of_the_servers_domain_only() {
    let features = "<stream:features><authentication xmlns='urn:xmpp:sasl:2'>\
        <mechanism>ANONYMOUS</mechanism></authentication></stream:features>";
    let mut c = sasl2_config();
    c.mechanisms = vec![Mechanism::Anonymous];
    let (mut run, a) = sasl2_authenticate(c.clone(), features);
    assert_eq!(a.mechanism, "ANONYMOUS");
    run.server(
        "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>a7f3@example.org\
         </authorization-identifier></success>",
    );
    assert_eq!(run.client.state(), State::AwaitingFeatures);
    run.server(FEATURES_BIND);
    run.server(BIND_RESULT.replace("juliet", "a7f3").as_str());
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.mechanism, Mechanism::Anonymous);

    let (mut run, _) = sasl2_authenticate(c, features);
    run.server(
        "<success xmlns='urn:xmpp:sasl:2'><authorization-identifier>a7f3@elsewhere.example\
         </authorization-identifier></success>",
    );
    assert!(matches!(
        run.failure(),
        Failure::AuthorizationMismatch { .. }
    ));
}

#[test]
fn a_token_attempt_in_0rtt_carries_the_count() {
    let features = "<stream:features><authentication xmlns='urn:xmpp:sasl:2'>\
        <mechanism>SCRAM-SHA-256</mechanism><inline><fast xmlns='urn:xmpp:fast:0'>\
        <mechanism>HT-SHA-256-NONE</mechanism></fast></inline></authentication></stream:features>";
    let mut c = sasl2_config();
    c.fast_token = Some(FastToken {
        mechanism: xep_sasl::HtMechanism::SHA_256_NONE,
        secret: "t0ken".into(),
    });
    c.fast_count = Some(7);
    let (_, a) = sasl2_authenticate(c, features);
    assert_eq!(a.mechanism, "HT-SHA-256-NONE");
    assert_eq!(a.fast.and_then(|f| f.count), Some(7));
}

const FEATURES_ISR: &str = "<stream:features><authentication xmlns='urn:xmpp:sasl:2'>\
    <mechanism>SCRAM-SHA-256</mechanism><inline><bind xmlns='urn:xmpp:bind:0'/></inline></authentication>\
    <isr xmlns='https://xmpp.org/extensions/isr/0'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
    <mechanism>HT-SHA-256-EXPR</mechanism></mechanisms></isr></stream:features>";

fn isr_config() -> Config {
    let mut c = sasl2_config();
    c.isr = Some(IsrResume {
        jid: "juliet@example.org/balcony".parse().unwrap(),
        token: "isr-t0ken".into(),
        mechanism: xep_sasl::HtMechanism::SHA_256_EXPR,
        resume: xep_sm::Resume {
            h: 5,
            previd: "sm-1".into(),
        },
    });
    c
}

/// The server's HT answer to `a`, with `token` on its side.
fn ht_success(a: &xep_sasl::sasl2::Authenticate, token: &str, rest: &str) -> String {
    let m = xep_sasl::HtMechanism::SHA_256_EXPR;
    let mut s = server::HashedToken::new(m, ChannelBindingOffer::new(exporter()));
    s.step(&a.initial_response.as_ref().unwrap().0).unwrap();
    let step = s.provide(vec![server::Token::new(m, token)]).unwrap();
    let ServerStep::Success {
        additional_data, ..
    } = step
    else {
        panic!("{step:?}")
    };
    sasl2_success(&additional_data.unwrap(), "juliet@example.org", rest)
}

#[test]
fn isr_resumes_in_the_authenticate_without_binding() {
    let (mut run, a) = sasl2_authenticate(isr_config(), FEATURES_ISR);
    assert_eq!(a.mechanism, "HT-SHA-256-EXPR");
    assert!(a.bind2.is_none(), "a resumption binds nothing");
    let inst = a
        .extensions
        .iter()
        .find_map(|p| p.get::<xep_sm::isr::InstResume>())
        .unwrap()
        .unwrap();
    assert_eq!((inst.resume.previd.as_str(), inst.resume.h), ("sm-1", 5));
    run.server(&ht_success(
        &a,
        "isr-t0ken",
        "<inst-resumed xmlns='https://xmpp.org/extensions/isr/0' token='t2'>\
         <resumed xmlns='urn:xmpp:sm:3' h='9' previd='sm-1'/></inst-resumed>",
    ));
    run.server("<stream:features><sm xmlns='urn:xmpp:sm:3'/></stream:features>");
    let Some(Event::Ready(ready)) = run.events.last() else {
        panic!("{:?}", run.events)
    };
    assert_eq!(ready.jid.to_string(), "juliet@example.org/balcony");
    let r = ready.instant_resumed.as_ref().unwrap();
    assert_eq!((r.token.as_str(), r.resumed.h), ("t2", 9));
}

#[test]
fn isr_failures_are_typed_and_fall_back() {
    // <inst-resumed/> of another session: refused.
    let (mut run, a) = sasl2_authenticate(isr_config(), FEATURES_ISR);
    run.server(&ht_success(
        &a,
        "isr-t0ken",
        "<inst-resumed xmlns='https://xmpp.org/extensions/isr/0' token='t2'>\
         <resumed xmlns='urn:xmpp:sm:3' h='9' previd='sm-other'/></inst-resumed>",
    ));
    assert!(matches!(run.failure(), Failure::Sent(_)));

    // Not resumed: the event, then RFC 6120 binding.
    let (mut run, a) = sasl2_authenticate(isr_config(), FEATURES_ISR);
    run.server(&ht_success(
        &a,
        "isr-t0ken",
        "<inst-resume-failed xmlns='https://xmpp.org/extensions/isr/0'><failed xmlns='urn:xmpp:sm:3'>\
         <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed></inst-resume-failed>",
    ));
    assert!(matches!(
        run.events.last(),
        Some(Event::InstantResumeFailed(_))
    ));
    run.server(FEATURES_BIND);
    assert!(
        run.sent()
            .contains("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'")
    );

    // Refused: the event, and SCRAM on the same stream.
    let (mut run, _) = sasl2_authenticate(isr_config(), FEATURES_ISR);
    run.server(
        "<failure xmlns='urn:xmpp:sasl:2'><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></failure>",
    );
    assert!(matches!(
        run.events.last(),
        Some(Event::InstantResumeRefused {
            condition: SaslCondition::NotAuthorized
        })
    ));
    let again = run.sent();
    assert!(again.contains("mechanism='SCRAM-SHA-256'"), "{again}");
    assert!(!again.contains("inst-resume"), "{again}");
}

#[test]
fn over_a_secure_transport_starttls_is_never_used() {
    // As over BOSH with HTTPS: no STARTTLS even if offered, and TLS
    // counts for PLAIN.
    let c = plain_config().over_secure_transport(Vec::new());
    let mut run = Run::new(c);
    assert_eq!(run.sent(), CLIENT_HEADER);
    run.server(HEADER);
    run.server(FEATURES_OPTIONAL_TLS);
    assert!(
        run.sent()
            .starts_with("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>")
    );
}
