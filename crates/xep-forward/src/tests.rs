use super::*;
use xep_element::testdata::{elements_in, xep_source as xep};
use xep_element::{DomSink, ErrorKind, Registry, XmlWriter, is_equivalent};

const DELAY: &str = "<delay xmlns='urn:xmpp:delay' stamp='2026-11-22T08:16:00Z'/>";

fn fwd(inner: &str) -> String {
    format!("<forwarded xmlns='urn:xmpp:forward:0'>{inner}</forwarded>")
}

fn err(xml: &str) -> Error {
    let bytes = Forwarded::from_xml(xml.as_bytes()).unwrap_err();
    // The DOM path fails the same way.
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(Forwarded::from_element(&dom).unwrap_err(), bytes, "{xml}");
    bytes
}

/// Bytes -> typed -> bytes is identical, and DOM -> typed -> DOM is
/// equivalent and gives the same value.
fn round_trip(xml: &str) -> Forwarded {
    let f = Forwarded::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(f.to_xml(), xml);
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    let g = Forwarded::try_from(&dom).unwrap();
    assert_eq!(g, f);
    assert!(is_equivalent(&xep_element::minidom::Element::from(g), &dom));
    f
}

#[test]
fn forwarded_message_round_trips_with_payloads() {
    let f = round_trip(&fwd(&format!(
        "{DELAY}<message xmlns='jabber:client' from='juliet@example.org/balcony' \
         to='romeo@example.org' type='chat'><body>x</body>\
         <active xmlns='http://jabber.org/protocol/chatstates'/></message>"
    )));
    let m = f.message().expect("a message");
    assert_eq!(m.body(None), Some("x"));
    assert_eq!(m.payloads.len(), 1);
    assert_eq!(
        f.delay.as_ref().map(|d| d.stamp.value.to_rfc3339()),
        Some("2026-11-22T08:16:00+00:00".to_string())
    );
    assert!(f.presence().is_none() && f.iq().is_none());
}

#[test]
fn presence_and_iq_can_be_forwarded() {
    let f = round_trip(&fwd(
        "<presence xmlns='jabber:client' from='juliet@example.org/balcony'><show>away</show></presence>",
    ));
    assert!(f.presence().is_some());
    assert!(f.delay.is_none());
    let f = round_trip(&fwd(
        "<iq xmlns='jabber:client' id='r1' type='get'><query xmlns='jabber:iq:roster'/></iq>",
    ));
    assert_eq!(f.iq().map(|i| i.id.as_str()), Some("r1"));
}

#[test]
fn the_stanza_namespace_is_preserved() {
    // A jabber:server stanza stays in jabber:server (XEP-0297 §3.2 rule 3),
    // children of the content namespace included.
    let xml = fwd(
        "<message xmlns='jabber:server' from='a@example.org' to='b@example.net'>\
         <body>hi</body><thread>t1</thread></message>",
    );
    let f = round_trip(&xml);
    assert_eq!(f.stanza_ns(), ContentNs::Server);
    // Whatever the namespace in scope around <forwarded/>.
    let mut w = XmlWriter::with_default_ns(ns::CLIENT);
    f.write(&mut w);
    assert_eq!(w.into_string(), xml);
    // Wrapped again, the stanza keeps the namespace it was read in.
    let mut d = DomSink::with_default_ns(ns::CLIENT);
    Forwarded::new(f.stanza.clone(), None).write(&mut d);
    let dom = d.finish().unwrap();
    let inner = dom.children().next().unwrap();
    assert_eq!(inner.ns(), ns::SERVER);
    assert_eq!(inner.children().next().unwrap().ns(), ns::SERVER);
    // A stanza built in code is in jabber:client, whatever is in scope.
    let mut d = DomSink::with_default_ns(ns::SERVER);
    Forwarded::new(Message::chat("b@example.net".parse().unwrap(), "hi"), None).write(&mut d);
    let inner = d.finish().unwrap().children().next().unwrap().clone();
    assert_eq!(inner.ns(), ns::CLIENT);
    assert_eq!(inner.children().next().unwrap().ns(), ns::CLIENT);
}

#[test]
fn forwarded_inside_a_server_stanza_keeps_jabber_client() {
    let registry = Registry::new()
        .with(crate::ELEMENTS)
        .with(xep_delay::ELEMENTS);
    let xml = format!(
        "<message xmlns='jabber:server' from='example.org' to='romeo@example.net'>{}</message>",
        fwd(&format!(
            "{DELAY}<message xmlns='jabber:client' to='example.org'><body>b</body></message>"
        ))
    );
    let outer = Message::from_xml_with(xml.as_bytes(), &registry).unwrap();
    let f = outer
        .payload::<Forwarded>()
        .expect("typed forwarded")
        .unwrap();
    assert_eq!(f.stanza_ns(), ContentNs::Client);
    // The inner delay payload is typed too.
    assert!(f.delay.is_some());
    let mut w = XmlWriter::with_default_ns("");
    // Written on a server-to-server stream: the outer stanza in
    // jabber:server, the forwarded one still in jabber:client.
    w.start(ns::SERVER, "stream");
    outer.write(&mut w);
    w.end();
    let out = w.into_string();
    assert!(out.contains("<message from='example.org'"), "{out}");
    assert!(
        out.contains("<message xmlns='jabber:client' to='example.org'><body>b</body>"),
        "{out}"
    );
}

#[test]
fn inner_payloads_are_typed_through_a_registry() {
    let registry = Registry::new().with(xep_delay::ELEMENTS);
    let xml = fwd("<message xmlns='jabber:client' to='a@example.org'>\
         <delay xmlns='urn:xmpp:delay' stamp='2026-11-22T08:15:30Z'>Offline</delay></message>");
    let f = Forwarded::from_xml_with(xml.as_bytes(), &registry).unwrap();
    let d = f.message().unwrap().payload::<Delay>().unwrap().unwrap();
    assert_eq!(d.reason.as_deref(), Some("Offline"));
    assert_eq!(f.to_xml(), xml);
}

#[test]
fn built_forward_serializes_in_jabber_client() {
    let f = Forwarded::new(
        Stanza::Message(Message::chat("b@example.com".parse().unwrap(), "hi")),
        None,
    );
    assert_eq!(
        f.to_xml(),
        fwd(
            "<message xmlns='jabber:client' to='b@example.com' type='chat'><body>hi</body></message>"
        )
    );
    let mut f = f;
    f.stanza.set_ns(ContentNs::Server);
    assert!(
        f.to_xml()
            .contains("<message xmlns='jabber:server' to='b@example.com'")
    );
}

#[test]
fn exactly_one_stanza_is_required() {
    let e = err(&fwd(""));
    assert_eq!(e.path(), "forwarded");
    assert_eq!(
        e.kind(),
        &ErrorKind::MissingChild {
            name: "message|presence|iq".into()
        }
    );
    let e = err(&fwd(DELAY));
    assert!(matches!(e.kind(), ErrorKind::MissingChild { .. }), "{e}");
    let e = err(&fwd(
        "<message xmlns='jabber:client'/><presence xmlns='jabber:client'/>",
    ));
    assert_eq!(e.path(), "forwarded");
    assert_eq!(
        e.kind(),
        &ErrorKind::DuplicateChild {
            name: "presence".into()
        }
    );
    let e = err(&fwd(&format!(
        "{DELAY}{DELAY}<message xmlns='jabber:client'/>"
    )));
    assert_eq!(
        e.to_string(),
        "at forwarded: child <delay/> may occur only once"
    );
}

#[test]
fn the_stanza_must_be_in_a_content_namespace_xep_0297_allows() {
    // Without xmlns the stanza inherits urn:xmpp:forward:0 (§3.2 rule 3).
    let e = err("<forwarded xmlns='urn:xmpp:forward:0'><message/></forwarded>");
    assert_eq!(e.path(), "forwarded");
    assert!(
        matches!(e.kind(), ErrorKind::UnexpectedChild { name } if name == "{urn:xmpp:forward:0}message"),
        "{e}"
    );
    let e = err(&fwd("<message xmlns='jabber:component:accept'/>"));
    assert_eq!(e.path(), "forwarded/message");
    assert!(e.to_string().contains("jabber:component:accept"), "{e}");
    let e = err(&fwd("<x xmlns='jabber:x:oob'/>"));
    assert!(
        matches!(e.kind(), ErrorKind::UnexpectedChild { name } if name == "{jabber:x:oob}x"),
        "{e}"
    );
}

#[test]
fn errors_inside_carry_the_path() {
    let e = err(&fwd("<iq xmlns='jabber:client' type='get'/>"));
    assert_eq!(e.path(), "forwarded/iq");
    assert_eq!(e.kind(), &ErrorKind::MissingAttribute { name: "id".into() });
    let e = err(&fwd(
        "<delay xmlns='urn:xmpp:delay' stamp='yesterday'/><message xmlns='jabber:client'/>",
    ));
    assert_eq!(e.path(), "forwarded/delay");
    assert!(
        matches!(e.kind(), ErrorKind::BadAttribute { name, .. } if name == "stamp"),
        "{e}"
    );
    let e = err(
        "<forwarded xmlns='urn:xmpp:forward:0' id='x'><message xmlns='jabber:client'/></forwarded>",
    );
    assert_eq!(e.path(), "forwarded");
    assert!(
        matches!(e.kind(), ErrorKind::UnknownAttribute { name } if name == "id"),
        "{e}"
    );
    let e = err(&fwd("see below<message xmlns='jabber:client'/>"));
    assert_eq!(e.kind(), &ErrorKind::UnexpectedText);
    // Whitespace between children is fine.
    assert!(Forwarded::from_xml(fwd("\n  <message xmlns='jabber:client'/>\n").as_bytes()).is_ok());
}

#[test]
fn description_lists_delay_and_stanza() {
    let d = &Forwarded::descriptions()[0];
    assert_eq!(d.name, "forwarded");
    assert_eq!(d.children.len(), 2);
    assert_eq!((d.children[0].min, d.children[0].max), (0, Some(1)));
    assert_eq!((d.children[1].min, d.children[1].max), (1, Some(1)));
    assert!(Forwarded::matches(NS, "forwarded"));
    assert!(!Forwarded::matches(ns::CLIENT, "forwarded"));
    assert_eq!(ELEMENTS.len(), 1);
}

#[test]
fn the_forwards_of_xep_0297_and_its_users_keep_their_stanza() {
    // XEP-0297 itself, Message Carbons and Message Archive Management.
    for n in [297, 280, 313] {
        let Some(doc) = xep(n) else { return };
        let registry = Registry::new().with(xep_delay::ELEMENTS);
        let forwards = elements_in(&doc, "<forwarded xmlns='urn:xmpp:forward:0'>", "forwarded");
        assert!(!forwards.is_empty(), "no <forwarded/> in XEP-{n}");
        for xml in forwards {
            let f = Forwarded::from_xml_with(xml.as_bytes(), &registry)
                .unwrap_or_else(|e| panic!("XEP-{n}: {xml}: {e}"));
            // Every example qualifies the stanza with jabber:client, and it
            // stays there when written back.
            assert_eq!(f.stanza_ns(), ContentNs::Client, "{xml}");
            let dom: xep_element::minidom::Element = xml.parse().unwrap();
            assert_eq!(Forwarded::from_element(&dom).unwrap(), f);
            let out = f.to_element();
            assert!(is_equivalent(&out, &dom), "XEP-{n}: {xml}");
            let inner = out.children().find(|c| c.name() != "delay").unwrap();
            assert_eq!(inner.ns(), ns::CLIENT);
            // The forwarded messages keep their body and every payload.
            let m = f.message().expect("the examples forward messages");
            assert!(m.body(None).is_some(), "{xml}");
            let src = dom.children().find(|c| c.name() == "message").unwrap();
            assert_eq!(
                m.payloads.len(),
                src.children().filter(|c| !ns::is_content(&c.ns())).count(),
                "{xml}"
            );
        }
    }
}
