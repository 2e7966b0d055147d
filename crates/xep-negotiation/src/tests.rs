//! Scripted XEP-0114 negotiations, both ends talking through real bytes
//! (StreamWriter → StreamReader), and the misuse of each machine.

use std::time::{Duration, Instant};

use xep_core::{ContentNs, Stanza, StreamCondition, StreamError, StreamEvent};
use xep_element::XmlElement;

use crate::component::{self, Component, Handshake, Method, handshake_digest};
use crate::component_server::{self, ComponentServer};
use crate::sim::Wire;
use crate::{Error, Failure, Transmit};

const NAME: &str = "gateway.example.org";
const SECRET: &str = "correct horse";
const STREAM_ID: &str = "k7Qz2w";

/// Writes every transmit and delivers: the events the other end reads.
fn carry(wire: &mut Wire, out: impl IntoIterator<Item = Transmit>) -> Vec<StreamEvent> {
    for t in out {
        wire.write(t);
    }
    wire.deliver()
}

fn drain(mut poll: impl FnMut() -> Option<Transmit>) -> Vec<Transmit> {
    std::iter::from_fn(&mut poll).collect()
}

struct Pair {
    now: Instant,
    c: Component,
    s: ComponentServer,
    up: Wire,
    down: Wire,
}

impl Pair {
    fn new(secret: &str) -> Self {
        Pair::with_method(secret, Method::Accept)
    }

    /// `c` initiates, `s` receives: with [`Method::Connect`], `c` is the
    /// server and `s` the component.
    fn with_method(secret: &str, method: Method) -> Self {
        let now = Instant::now();
        let mut config = component::Config::new(NAME.parse().unwrap(), secret);
        config.method = method;
        let mut c = Component::new(config);
        c.start(now).unwrap();
        let mut server = component_server::Config::new(STREAM_ID);
        server.method = method;
        Pair {
            now,
            c,
            s: ComponentServer::new(server),
            up: Wire::new(),
            down: Wire::new(),
        }
    }

    /// Component → server.
    fn up(&mut self) {
        for e in carry(&mut self.up, drain(|| self.c.poll_transmit())) {
            // The close after a stream error finds the machine done.
            let handled = self.s.handle_stream_event(self.now, &e);
            assert!(handled || e == StreamEvent::End, "{e:?}");
        }
    }

    /// Server → component.
    fn down(&mut self) {
        for e in carry(&mut self.down, drain(|| self.s.poll_transmit())) {
            let handled = self.c.handle_stream_event(self.now, &e);
            assert!(handled || e == StreamEvent::End, "{e:?}");
        }
    }

    /// Up to the server's question about the name.
    fn until_name_requested(&mut self) {
        self.up();
        assert_eq!(
            self.s.poll_event(),
            Some(component_server::Event::NameRequested {
                name: NAME.parse().unwrap()
            })
        );
        assert_eq!(self.s.state(), component_server::State::AwaitingDecision);
    }
}

fn not_authorized(e: &StreamError) -> bool {
    e.condition == StreamCondition::NotAuthorized
}

#[test]
fn the_digest_is_lowercase_hex_sha1_of_id_then_secret() {
    // FIPS 180's "abc" vector, split between id and secret.
    assert_eq!(
        handshake_digest("a", "bc"),
        "a9993e364706816aba3e25717850c26c9cd0d89d"
    );
    assert_eq!(
        handshake_digest("", ""),
        "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    );
    assert_ne!(handshake_digest("ab", "c"), handshake_digest("a", "bcd"));
}

#[test]
fn handshake_is_an_element_of_jabber_component_accept() {
    let xml = "<handshake xmlns='jabber:component:accept'>00ff</handshake>";
    let h = Handshake::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(h.digest(), Some("00ff"));
    assert_eq!(h.to_xml(), xml);
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(Handshake::from_element(&dom).unwrap(), h);
    assert_eq!(h.to_element(), dom);
    // Not of a client stream.
    assert!(Handshake::from_xml(b"<handshake xmlns='jabber:client'>00ff</handshake>").is_err());
    assert_eq!(
        Handshake::success().to_xml(),
        "<handshake xmlns='jabber:component:accept'/>"
    );
}

#[test]
fn a_component_authenticates_with_the_shared_secret() {
    let mut p = Pair::new(SECRET);
    assert_eq!(p.c.state(), component::State::AwaitingHeader);
    p.until_name_requested();
    p.s.accept(p.now, SECRET).unwrap();
    p.down();
    assert_eq!(p.c.state(), component::State::AwaitingResult);
    p.up();
    assert_eq!(
        p.s.poll_event(),
        Some(component_server::Event::Authenticated {
            name: NAME.parse().unwrap()
        })
    );
    p.down();
    assert_eq!(p.c.poll_event(), Some(component::Event::Authenticated));
    assert_eq!(p.c.state(), component::State::Ready);
    assert_eq!(p.s.state(), component_server::State::Ready);
    assert_eq!((p.c.poll_timeout(), p.s.poll_timeout()), (None, None));
    // The transcript, as written on each side.
    let digest = handshake_digest(STREAM_ID, SECRET);
    assert_eq!(
        p.up.transcript,
        format!(
            "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' \
             xmlns:stream='http://etherx.jabber.org/streams' to='{NAME}'>\
             <handshake>{digest}</handshake>"
        )
    );
    assert_eq!(
        p.down.transcript,
        format!(
            "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' \
             xmlns:stream='http://etherx.jabber.org/streams' from='{NAME}' id='{STREAM_ID}'>\
             <handshake/>"
        )
    );
    // Stanzas are the caller's now, on both ends.
    let msg =
        "<message from='bot@gateway.example.org' to='juliet@example.org'><body>hi</body></message>";
    p.up.reader.feed(msg.as_bytes());
    let e = p.up.reader.next_event().unwrap().unwrap();
    let StreamEvent::Element(el) = &e else {
        panic!("{e:?}")
    };
    assert!(matches!(el.get::<Stanza>(), Some(Ok(s)) if s.ns() == ContentNs::ComponentAccept));
    assert!(!p.s.handle_stream_event(p.now, &e));
    assert!(!p.c.handle_stream_event(p.now, &e));
}

#[test]
fn a_wrong_secret_is_refused_with_not_authorized() {
    let mut p = Pair::new("wrong horse");
    p.until_name_requested();
    p.s.accept(p.now, SECRET).unwrap();
    p.down();
    p.up();
    let Some(component_server::Event::Failed(Failure::Sent(e))) = p.s.poll_event() else {
        panic!()
    };
    assert!(not_authorized(&e));
    assert_eq!(p.s.state(), component_server::State::Failed);
    p.down();
    assert!(
        !p.down.transcript.contains("<handshake"),
        "{}",
        p.down.transcript
    );
    assert!(
        p.down.transcript.contains(
            "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
        ),
        "{}",
        p.down.transcript
    );
    assert!(p.down.transcript.ends_with("</stream:stream>"));
    let Some(component::Event::Failed(Failure::Received(e))) = p.c.poll_event() else {
        panic!()
    };
    assert!(not_authorized(&e));
    assert_eq!(p.c.state(), component::State::Failed);
    // The component closes its side too.
    assert_eq!(drain(|| p.c.poll_transmit()), vec![Transmit::Close]);
}

#[test]
fn an_uppercase_digest_is_the_same_digest() {
    let mut p = Pair::new(SECRET);
    p.until_name_requested();
    p.s.accept(p.now, SECRET).unwrap();
    p.down();
    let Some(Transmit::Handshake(h)) = p.c.poll_transmit() else {
        panic!()
    };
    let loud = Handshake::with_digest(h.digest().unwrap().to_ascii_uppercase());
    for e in carry(&mut p.up, [Transmit::Handshake(loud)]) {
        p.s.handle_stream_event(p.now, &e);
    }
    assert_eq!(p.s.state(), component_server::State::Ready);
}

#[test]
fn a_name_the_server_does_not_serve_is_refused() {
    let mut p = Pair::new(SECRET);
    p.until_name_requested();
    p.s.refuse(p.now, StreamCondition::HostUnknown).unwrap();
    let Some(component_server::Event::Failed(Failure::Sent(e))) = p.s.poll_event() else {
        panic!()
    };
    assert_eq!(e.condition, StreamCondition::HostUnknown);
    p.down();
    // A header first, then the error and the close (RFC 6120 §4.9.1.2).
    assert!(
        p.down
            .transcript
            .contains(&format!("from='{NAME}' id='{STREAM_ID}'>"))
    );
    assert!(
        p.down.transcript.ends_with(
            "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
             </stream:error></stream:stream>"
        ),
        "{}",
        p.down.transcript
    );
    let Some(component::Event::Failed(Failure::Received(e))) = p.c.poll_event() else {
        panic!()
    };
    assert_eq!(e.condition, StreamCondition::HostUnknown);
}

#[test]
fn a_client_stream_on_the_component_port_is_an_invalid_namespace() {
    let now = Instant::now();
    let mut s = ComponentServer::new(component_server::Config::new(STREAM_ID));
    let mut up = Wire::new();
    up.reader.feed(
        b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
          to='example.org' version='1.0'>",
    );
    let e = up.reader.next_event().unwrap().unwrap();
    assert!(s.handle_stream_event(now, &e));
    let Some(component_server::Event::Failed(Failure::Sent(err))) = s.poll_event() else {
        panic!()
    };
    assert_eq!(err.condition, StreamCondition::InvalidNamespace);
    let out = drain(|| s.poll_transmit());
    assert!(matches!(
        &out[..],
        [
            Transmit::Header(_),
            Transmit::StreamError(_),
            Transmit::Close
        ]
    ));
    // And a component refuses a server answering in another namespace.
    let mut c = Component::new(component::Config::new(NAME.parse().unwrap(), SECRET));
    c.start(now).unwrap();
    let header = xep_core::StreamHeader {
        id: Some("x".into()),
        ..Default::default()
    };
    assert!(c.handle_stream_event(now, &StreamEvent::Header(header)));
    let Some(component::Event::Failed(Failure::Sent(err))) = c.poll_event() else {
        panic!()
    };
    assert_eq!(err.condition, StreamCondition::InvalidNamespace);
}

#[test]
fn a_server_header_without_id_cannot_be_answered() {
    let now = Instant::now();
    let mut c = Component::new(component::Config::new(NAME.parse().unwrap(), SECRET));
    c.start(now).unwrap();
    let header = xep_core::StreamHeader {
        content: ContentNs::ComponentAccept,
        ..Default::default()
    };
    c.handle_stream_event(now, &StreamEvent::Header(header));
    assert!(matches!(
        c.poll_event(),
        Some(component::Event::Failed(Failure::Sent(_)))
    ));
    assert_eq!(c.state(), component::State::Failed);
}

#[test]
fn stanzas_before_the_handshake_are_not_authorized() {
    let mut p = Pair::new(SECRET);
    p.until_name_requested();
    p.s.accept(p.now, SECRET).unwrap();
    p.up.reader
        .feed(b"<message from='a@gateway.example.org' to='b@example.org'/>");
    let e = p.up.reader.next_event().unwrap().unwrap();
    assert!(p.s.handle_stream_event(p.now, &e));
    let Some(component_server::Event::Failed(Failure::Sent(err))) = p.s.poll_event() else {
        panic!()
    };
    assert!(not_authorized(&err));
}

#[test]
fn a_peer_closing_early_is_a_failure() {
    let mut p = Pair::new(SECRET);
    p.until_name_requested();
    assert!(p.s.handle_stream_event(p.now, &StreamEvent::End));
    assert_eq!(
        p.s.poll_event(),
        Some(component_server::Event::Failed(Failure::Closed))
    );
    let out = drain(|| p.s.poll_transmit());
    assert!(matches!(&out[..], [Transmit::Header(_), Transmit::Close]));
}

#[test]
fn each_end_times_out() {
    let mut p = Pair::new(SECRET);
    let due = p.c.poll_timeout().expect("a deadline from start");
    assert_eq!(due, p.now + component::DEFAULT_TIMEOUT);
    p.c.handle_timeout(due - Duration::from_millis(1));
    assert_eq!(p.c.state(), component::State::AwaitingHeader);
    p.c.handle_timeout(due);
    assert_eq!(
        p.c.poll_event(),
        Some(component::Event::Failed(Failure::TimedOut))
    );
    let out = drain(|| p.c.poll_transmit());
    assert!(matches!(
        &out[..],
        [Transmit::Header(_), Transmit::StreamError(e), Transmit::Close]
            if e.condition == StreamCondition::ConnectionTimeout
    ));
    assert_eq!(p.c.poll_timeout(), None);

    let mut p = Pair::new(SECRET);
    p.until_name_requested();
    assert_eq!(
        p.s.poll_timeout(),
        None,
        "no deadline while the caller decides"
    );
    p.s.accept(p.now, SECRET).unwrap();
    let due = p.s.poll_timeout().unwrap();
    p.s.handle_timeout(due);
    assert_eq!(
        p.s.poll_event(),
        Some(component_server::Event::Failed(Failure::TimedOut))
    );
    // A timeout too long for the clock is no deadline.
    let mut cfg = component::Config::new(NAME.parse().unwrap(), SECRET);
    cfg.timeout = Some(Duration::MAX);
    let mut c = Component::new(cfg);
    c.start(p.now).unwrap();
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn misuse_is_wrong_state_and_sends_nothing() {
    let now = Instant::now();
    let mut c = Component::new(component::Config::new(NAME.parse().unwrap(), SECRET));
    assert!(
        !c.handle_stream_event(now, &StreamEvent::End),
        "not started"
    );
    c.start(now).unwrap();
    c.poll_transmit();
    assert_eq!(
        c.start(now),
        Err(Error::WrongState {
            action: "start",
            state: component::State::AwaitingHeader
        })
    );
    assert_eq!(c.poll_transmit(), None);

    let mut s = ComponentServer::new(component_server::Config::new(STREAM_ID));
    assert_eq!(
        s.accept(now, SECRET),
        Err(Error::WrongState {
            action: "accept",
            state: component_server::State::AwaitingHeader
        })
    );
    let mut p = Pair::new(SECRET);
    p.until_name_requested();
    p.s.accept(p.now, SECRET).unwrap();
    let err = p.s.refuse(p.now, StreamCondition::Conflict).unwrap_err();
    assert_eq!(err.to_string(), "cannot refuse in state AwaitingHandshake");
    s.poll_transmit();
    assert_eq!(s.poll_transmit(), None);
}

#[test]
fn handshake_is_also_an_element_of_jabber_component_connect() {
    let xml = "<handshake xmlns='jabber:component:connect'>00ff</handshake>";
    let h = Handshake::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(h.method(), Method::Connect);
    assert_eq!(h.to_xml(), xml);
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(Handshake::from_element(&dom).unwrap(), h);
    assert_eq!(h.to_element(), dom);
    assert_eq!(
        Handshake::success().in_method(Method::Connect).to_xml(),
        "<handshake xmlns='jabber:component:connect'/>"
    );
    // Not of a server stream either.
    assert!(Handshake::from_xml(b"<handshake xmlns='jabber:server'/>").is_err());
}

#[test]
fn the_connect_method_has_the_server_initiate_and_the_component_check() {
    // `c` is the server connecting to the component `s`.
    let mut p = Pair::with_method(SECRET, Method::Connect);
    p.until_name_requested();
    p.s.accept(p.now, SECRET).unwrap();
    p.down();
    p.up();
    assert_eq!(
        p.s.poll_event(),
        Some(component_server::Event::Authenticated {
            name: NAME.parse().unwrap()
        })
    );
    p.down();
    assert_eq!(p.c.poll_event(), Some(component::Event::Authenticated));
    let digest = handshake_digest(STREAM_ID, SECRET);
    assert_eq!(
        p.up.transcript,
        format!(
            "<?xml version='1.0'?><stream:stream xmlns='jabber:component:connect' \
             xmlns:stream='http://etherx.jabber.org/streams' from='{NAME}'>\
             <handshake>{digest}</handshake>"
        )
    );
    assert_eq!(
        p.down.transcript,
        format!(
            "<?xml version='1.0'?><stream:stream xmlns='jabber:component:connect' \
             xmlns:stream='http://etherx.jabber.org/streams' from='{NAME}' id='{STREAM_ID}'>\
             <handshake/>"
        )
    );

    // A wrong secret is refused by the component.
    let mut p = Pair::with_method("wrong horse", Method::Connect);
    p.until_name_requested();
    p.s.accept(p.now, SECRET).unwrap();
    p.down();
    p.up();
    assert!(matches!(
        p.s.poll_event(),
        Some(component_server::Event::Failed(Failure::Sent(e))) if not_authorized(&e)
    ));
}

#[test]
fn the_methods_do_not_mix() {
    // An accept initiator at a connect receiver: invalid-namespace.
    let now = Instant::now();
    let mut c = Component::new(component::Config::new(NAME.parse().unwrap(), SECRET));
    c.start(now).unwrap();
    let mut config = component_server::Config::new(STREAM_ID);
    config.method = Method::Connect;
    let mut s = ComponentServer::new(config);
    let mut up = Wire::new();
    for e in carry(&mut up, drain(|| c.poll_transmit())) {
        s.handle_stream_event(now, &e);
    }
    let Some(component_server::Event::Failed(Failure::Sent(e))) = s.poll_event() else {
        panic!()
    };
    assert_eq!(e.condition, StreamCondition::InvalidNamespace);
    assert!(
        format!("{e:?}").contains("jabber:component:connect"),
        "{e:?}"
    );

    // On a connect stream, a handshake in the accept namespace is not
    // the handshake.
    let mut p = Pair::with_method(SECRET, Method::Connect);
    p.until_name_requested();
    p.s.accept(p.now, SECRET).unwrap();
    p.down();
    let digest = handshake_digest(STREAM_ID, SECRET);
    p.up.in_flight.extend_from_slice(
        format!("<handshake xmlns='jabber:component:accept'>{digest}</handshake>").as_bytes(),
    );
    for e in p.up.deliver() {
        p.s.handle_stream_event(p.now, &e);
    }
    assert!(matches!(
        p.s.poll_event(),
        Some(component_server::Event::Failed(Failure::Sent(e))) if e.condition == StreamCondition::NotAuthorized
    ));
}
