use super::*;
use crate::{Iq, Message, Stanza};
use xep_element::minidom;

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='s1' version='1.0' xml:lang='en'>";

fn stream() -> String {
    format!(
        "{HEADER}\n<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features> \
         <message to='a@example.org' id='m1'><body>x &amp; y <![CDATA[<z>]]></body></message>\r\n\
         <presence/>\
         <iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>\
         <iq type='get'><query xmlns='jabber:iq:roster'/></iq>\
         <x xmlns='urn:example:nonza' a='b'>  <y/>  </x>\
         </stream:stream>"
    )
}

fn reader() -> StreamReader {
    StreamReader::new(StreamLimits::default()).with_registry(Registry::new().with(crate::ELEMENTS))
}

/// Feeds the chunks and collects every event up to the end or an error.
fn run(chunks: &[&[u8]]) -> (Vec<StreamEvent>, Option<StreamError>) {
    let mut r = reader();
    let mut events = Vec::new();
    for c in chunks {
        r.feed(c);
        loop {
            match r.next_event() {
                Ok(Some(e)) => events.push(e),
                Ok(None) => break,
                Err(e) => return (events, Some(e)),
            }
        }
    }
    (events, None)
}

#[test]
fn reads_a_stream() {
    let s = stream();
    let (events, err) = run(&[s.as_bytes()]);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(events.len(), 8, "{events:#?}");
    let StreamEvent::Header(h) = &events[0] else {
        panic!()
    };
    assert_eq!(h.id.as_deref(), Some("s1"));
    assert!(
        matches!(&events[1], StreamEvent::Element(p) if p.downcast_ref::<crate::negotiation::Features>().is_some())
    );
    let StreamEvent::Element(m) = &events[2] else {
        panic!()
    };
    let m: &Message = m.downcast_ref().expect("typed message");
    assert_eq!(m.body(None), Some("x & y <z>"));
    assert!(
        matches!(&events[4], StreamEvent::Element(p) if matches!(p.get::<Stanza>(), Some(Ok(Stanza::Iq(_)))))
    );
    // The iq without id is well-formed but invalid: handed over, stream goes on.
    let StreamEvent::Rejected { element, error } = &events[5] else {
        panic!("{:?}", events[5])
    };
    assert_eq!(element.name(), "iq");
    assert!(
        error
            .to_string()
            .contains("missing required attribute 'id'"),
        "{error}"
    );
    // Unknown top-level elements come as DOM.
    assert!(matches!(&events[6], StreamEvent::Element(Payload::Raw(e)) if e.name() == "x"));
    assert_eq!(events[7], StreamEvent::End);
}

#[test]
fn any_split_gives_the_same_events() {
    let s = stream();
    let b = s.as_bytes();
    let (whole, _) = run(&[b]);
    for i in 0..=b.len() {
        let (events, err) = run(&[&b[..i], &b[i..]]);
        assert!(err.is_none(), "split at {i}: {err:?}");
        assert_eq!(events, whole, "split at {i}");
    }
    let bytes: Vec<&[u8]> = b.chunks(1).collect();
    assert_eq!(run(&bytes).0, whole, "byte by byte");
    let three: Vec<&[u8]> = b.chunks(7).collect();
    assert_eq!(run(&three).0, whole, "7-byte chunks");
}

#[test]
fn limits_end_in_policy_violation() {
    let mut r = StreamReader::new(StreamLimits {
        max_element_size: 100,
        ..Default::default()
    });
    r.feed(HEADER.as_bytes());
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    r.feed(b"<message><body>");
    assert_eq!(r.next_event().unwrap(), None);
    r.feed(&[b'a'; 200]);
    let e = r.next_event().unwrap_err();
    assert_eq!(e.condition, StreamCondition::PolicyViolation);
    assert_eq!(r.buffered(), 0, "the buffer is released");
    assert_eq!(r.next_event().unwrap(), None, "a failed reader stays quiet");

    let deep = "<a>".repeat(100);
    let (_, err) = run(&[HEADER.as_bytes(), deep.as_bytes()]);
    assert_eq!(err.unwrap().condition, StreamCondition::PolicyViolation);
}

#[test]
fn bad_xml_ends_in_the_matching_error() {
    let cases: [(&str, StreamCondition); 6] = [
        ("</stream:streams>", StreamCondition::NotWellFormed),
        (
            "<message><!-- c --></message>",
            StreamCondition::RestrictedXml,
        ),
        ("<message>&foo;</message>", StreamCondition::RestrictedXml),
        ("<message></presence>", StreamCondition::NotWellFormed),
        ("<message a='1' a='2'/>", StreamCondition::NotWellFormed),
        ("<p:message/>", StreamCondition::NotWellFormed),
    ];
    for (input, cond) in cases {
        let (_, err) = run(&[HEADER.as_bytes(), input.as_bytes()]);
        assert_eq!(err.expect(input).condition, cond, "{input}");
    }
    let (_, err) = run(&[b"<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong'>"]);
    assert_eq!(err.unwrap().condition, StreamCondition::InvalidNamespace);
    let (_, err) = run(&[b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='2.0'>"]);
    assert_eq!(err.unwrap().condition, StreamCondition::UnsupportedVersion);
}

#[test]
fn restart_expects_a_new_header() {
    let mut r = reader();
    r.feed(HEADER.as_bytes());
    r.feed(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Element(_)))));
    r.restart();
    r.feed(HEADER.as_bytes());
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
}

#[test]
fn writer_output_reads_back() {
    let mut w = StreamWriter::default();
    let header = StreamHeader::client_to("example.org".parse().unwrap());
    let mut bytes = w.header(&header);
    let iq = Iq::get(
        "q1",
        None,
        Payload::Raw(minidom::Element::bare("query", "jabber:iq:roster")),
    );
    let iq_bytes = w.element(&iq);
    assert_eq!(
        std::str::from_utf8(&iq_bytes).unwrap(),
        "<iq id='q1' type='get'><query xmlns='jabber:iq:roster'/></iq>",
        "no redundant jabber:client declaration inside the stream"
    );
    bytes.extend_from_slice(&iq_bytes);
    bytes.extend_from_slice(&w.element(&StreamError::new(StreamCondition::Conflict, None)));
    bytes.extend_from_slice(w.close());
    let (events, err) = run(&[&bytes]);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(events.len(), 4);
    assert!(
        matches!(&events[2], StreamEvent::Element(p) if p.downcast_ref::<StreamError>().is_some())
    );
}

/// Drains every event; the number of elements, and the error if any.
fn drain(r: &mut StreamReader) -> (usize, Option<StreamError>) {
    let mut n = 0;
    loop {
        match r.next_event() {
            Ok(Some(StreamEvent::Element(_))) => n += 1,
            Ok(Some(_)) => {}
            Ok(None) => return (n, None),
            Err(e) => return (n, Some(e)),
        }
    }
}

#[test]
fn one_large_feed_is_consumed_in_linear_work() {
    // Issue 23: the buffer was drained after each element, so one feed of
    // N bytes cost O(N^2) (10 MB of <presence/> took 203 s).
    let mut r = reader();
    r.feed(HEADER.as_bytes());
    let n = 50_000;
    let many = "<presence/>".repeat(n);
    r.feed(many.as_bytes());
    let (count, err) = drain(&mut r);
    assert!(err.is_none(), "{err:?}");
    assert_eq!(count, n);
    // Fed in pieces that each leave half an element behind, too.
    for piece in many.as_bytes().chunks(4096 + 5) {
        r.feed(piece);
        drain(&mut r);
    }
    assert!(
        r.moved <= 2 * (HEADER.len() + 2 * many.len()),
        "{} bytes moved for {} fed",
        r.moved,
        HEADER.len() + 2 * many.len()
    );
}

#[test]
fn a_huge_feed_is_refused_as_it_arrives() {
    // Issue 23: 100 MB fed at once were buffered whole before the check.
    let limits = StreamLimits::default();
    let mut r = reader();
    r.feed(HEADER.as_bytes());
    let mut huge = b"<message><body>".to_vec();
    huge.resize(16 << 20, b'a');
    r.feed(&huge);
    assert!(
        r.buffered() <= HEADER.len() + limits.max_element_size + 1,
        "{} bytes held",
        r.buffered()
    );
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    let e = r.next_event().unwrap_err();
    assert_eq!(e.condition, StreamCondition::PolicyViolation);
    assert_eq!(r.buffered(), 0);
}

#[test]
fn nothing_is_kept_after_the_stream_closes() {
    // Issue 23: after </stream:stream> feed kept buffering (64 MB held).
    let mut r = reader();
    r.feed(format!("{HEADER}<presence/></stream:stream>").as_bytes());
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..16 {
        r.feed(&chunk);
    }
    assert!(
        r.buffered() < HEADER.len() + 64,
        "{} bytes held",
        r.buffered()
    );
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Element(_)))));
    assert_eq!(r.next_event().unwrap(), Some(StreamEvent::End));
    r.feed(&chunk);
    assert_eq!(r.buffered(), 0);
    assert_eq!(r.next_event().unwrap(), None);
}

#[test]
fn bytes_that_are_not_utf8_end_in_unsupported_encoding() {
    // RFC 6120 §11.6 and §4.9.3.22 (see xml_error).
    let mut r = reader();
    r.feed(HEADER.as_bytes());
    r.feed(b"<message><body>caf\xe9</body></message>");
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    let e = r.next_event().unwrap_err();
    assert_eq!(e.condition, StreamCondition::UnsupportedEncoding);

    let mut r = reader();
    r.feed(b"<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>");
    let e = r.next_event().unwrap_err();
    assert_eq!(e.condition, StreamCondition::UnsupportedEncoding);
}

#[test]
fn a_restart_reads_bytes_that_came_with_the_element_before_it() {
    // A peer may send the new header right after <success/>, in the same
    // read; it must be read as a header once the caller restarts.
    let mut r = reader();
    r.feed(HEADER.as_bytes());
    r.feed(b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    r.feed(HEADER.as_bytes());
    r.feed(b"<presence/>");
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Element(_)))));
    r.restart();
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Element(_)))));
    assert_eq!(r.next_event().unwrap(), None);
}

#[test]
fn a_restart_does_not_read_past_refused_bytes() {
    // Bytes refused while the reader took them for one oversized element
    // cannot be read again after a restart: the stream fails there.
    let mut r = StreamReader::new(StreamLimits {
        max_element_size: 300,
        ..Default::default()
    });
    r.feed(HEADER.as_bytes());
    r.feed(b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    r.feed(HEADER.as_bytes());
    r.feed(&[b' '; 400]);
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Element(_)))));
    r.restart();
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    let e = r.next_event().unwrap_err();
    assert_eq!(e.condition, StreamCondition::PolicyViolation);
}

#[test]
fn whitespace_between_elements_is_not_kept() {
    // Keepalives: a peer sending nothing but whitespace fills no buffer.
    let mut r = reader();
    r.feed(b"   \n");
    r.feed(HEADER.as_bytes());
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..8 {
        r.feed(&spaces);
    }
    assert_eq!(r.buffered(), HEADER.len());
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Header(_)))));
    r.feed(b"<presence/>");
    for _ in 0..8 {
        r.feed(&spaces);
    }
    assert!(r.buffered() <= 11, "{} bytes held", r.buffered());
    assert!(matches!(r.next_event(), Ok(Some(StreamEvent::Element(_)))));
    assert_eq!(r.next_event().unwrap(), None);
}

#[test]
fn a_component_stream_keeps_its_namespace_in_and_out() {
    let header = "<stream:stream xmlns='jabber:component:accept' \
                  xmlns:stream='http://etherx.jabber.org/streams' from='service.example.org' id='c1'>";
    let iq = "<iq from='example.org' to='service.example.org' id='a' type='get'>\
              <ping xmlns='urn:xmpp:ping'/></iq>";
    let (events, err) = run(&[header.as_bytes(), iq.as_bytes()]);
    assert!(err.is_none(), "{err:?}");
    let StreamEvent::Element(p) = &events[1] else {
        panic!("{events:?}")
    };
    let read: &Iq = p.downcast_ref().expect("typed iq");
    assert_eq!(read.ns, ContentNs::ComponentAccept);
    // Written on a stream of the same namespace: nothing to declare.
    let w = StreamWriter::new(ContentNs::ComponentAccept);
    assert_eq!(w.element(read), iq.as_bytes());
    // On a client stream it stays a component stanza.
    let w = StreamWriter::new(ContentNs::Client);
    assert!(
        String::from_utf8(w.element(read))
            .unwrap()
            .starts_with("<iq xmlns='jabber:component:accept' ")
    );
}
