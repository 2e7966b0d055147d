use super::*;
use xep_element::jid::Jid;
use xep_testkit::stanza::message as msg;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

#[test]
fn elements_round_trip_and_refuse_what_the_schema_does() {
    for xml in [
        "<request xmlns='urn:xmpp:receipts'/>",
        "<received xmlns='urn:xmpp:receipts' id='richard2-4.1.247'/>",
    ] {
        xep_element::testdata::assert_round_trips(crate::ELEMENTS, xml);
    }
    let e = Received::from_xml(b"<received xmlns='urn:xmpp:receipts'/>").unwrap_err();
    assert_eq!(e.path(), "received");
    let e = Received::from_xml(b"<received xmlns='urn:xmpp:receipts' id=''/>").unwrap_err();
    assert!(e.to_string().contains("echoes"), "{e}");
    let e = Request::from_xml(b"<request xmlns='urn:xmpp:receipts'>x</request>").unwrap_err();
    assert_eq!(e.path(), "request");
}

#[test]
fn a_request_needs_an_id_and_no_error() {
    let mut m = Message::chat(jid("juliet@capulet.example"), "hi");
    assert_eq!(request(&mut m), Err(ReceiptError::NoId));
    m.id = Some("m1".into());
    request(&mut m).unwrap();
    request(&mut m).unwrap();
    assert_eq!(m.payloads.len(), 1, "requested once");
    let mut e = msg(
        "<message xmlns='jabber:client' id='e1' type='error'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
    );
    assert_eq!(request(&mut e), Err(ReceiptError::ErrorMessage));
}

#[test]
fn receipts_are_returned_only_when_due() {
    let asked = msg(
        "<message xmlns='jabber:client' from='romeo@montague.example/orchard' to='juliet@capulet.example/balcony' \
         id='m1' type='chat'><thread>t1</thread><body>hi</body><request xmlns='urn:xmpp:receipts'/></message>",
    );
    let ack = receipt_for(&asked).unwrap();
    assert_eq!(ack.to, Some(jid("romeo@montague.example/orchard")));
    assert_eq!(ack.type_, Some(MessageType::Chat));
    assert_eq!(ack.thread, asked.thread);
    assert!(ack.bodies.is_empty());
    assert_eq!(
        ack.to_xml(),
        "<message xmlns='jabber:client' to='romeo@montague.example/orchard' type='chat'><thread>t1</thread>\
         <received xmlns='urn:xmpp:receipts' id='m1'/></message>"
    );
    // Not asked, no id, an error, an ack asking for an ack.
    for xml in [
        "<message xmlns='jabber:client' id='m2'><body>hi</body></message>",
        "<message xmlns='jabber:client'><body>hi</body><request xmlns='urn:xmpp:receipts'/></message>",
        "<message xmlns='jabber:client' id='m3' type='error'><request xmlns='urn:xmpp:receipts'/>\
         <error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
        "<message xmlns='jabber:client' id='m4'><received xmlns='urn:xmpp:receipts' id='m0'/>\
         <request xmlns='urn:xmpp:receipts'/></message>",
    ] {
        assert_eq!(receipt_for(&msg(xml)), None, "{xml}");
    }
}

#[test]
fn an_ack_is_believed_only_from_the_recipient_for_the_message() {
    let mut to_bare = Message::chat(jid("juliet@capulet.example"), "hi");
    to_bare.id = Some("m1".into());
    let ack = |from: &str, id: &str| {
        msg(&format!(
            "<message xmlns='jabber:client' from='{from}'><received xmlns='urn:xmpp:receipts' id='{id}'/></message>"
        ))
    };
    assert_eq!(
        confirms(&ack("juliet@capulet.example/balcony", "m1"), &to_bare),
        Ok(())
    );
    assert_eq!(
        confirms(&ack("juliet@capulet.example", "m1"), &to_bare),
        Ok(())
    );
    assert_eq!(
        confirms(&ack("mallory@evil.example/x", "m1"), &to_bare),
        Err(ReceiptError::WrongSender)
    );
    assert_eq!(
        confirms(&ack("juliet@capulet.example/balcony", "m9"), &to_bare),
        Err(ReceiptError::OtherId("m9".into()))
    );
    // Sent to one full JID: only that resource confirms it.
    let mut to_full = to_bare.clone();
    to_full.to = Some(jid("juliet@capulet.example/balcony"));
    assert_eq!(
        confirms(&ack("juliet@capulet.example/balcony", "m1"), &to_full),
        Ok(())
    );
    assert_eq!(
        confirms(&ack("juliet@capulet.example/chamber", "m1"), &to_full),
        Err(ReceiptError::WrongSender)
    );
    // An ack without a sender, or no ack at all.
    let anonymous = msg(
        "<message xmlns='jabber:client'><received xmlns='urn:xmpp:receipts' id='m1'/></message>",
    );
    assert_eq!(
        confirms(&anonymous, &to_bare),
        Err(ReceiptError::WrongSender)
    );
    assert_eq!(confirms(&to_bare, &to_bare), Err(ReceiptError::NotAnAck));
    let broken = msg(
        "<message xmlns='jabber:client' from='juliet@capulet.example'><received xmlns='urn:xmpp:receipts'/></message>",
    );
    assert!(matches!(
        confirms(&broken, &to_bare),
        Err(ReceiptError::Malformed(_))
    ));
}

#[test]
fn the_xeps_examples_parse() {
    let Some(doc) = xep_element::testdata::xep_source(184) else {
        eprintln!("skipped: ../shared/xeps/xep-0184.xml is not there");
        return;
    };
    let mut n = 0;
    for xml in
        xep_element::testdata::elements_in(&doc, "<received xmlns='urn:xmpp:receipts'", "received")
    {
        Received::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        n += 1;
    }
    assert!(n >= 1);
}
