use super::*;
use xep_element::jid::Jid;
use xep_testkit::stanza::message as msg;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn from(m: &Message, j: &str) -> Message {
    let mut m = m.clone();
    m.from = Some(jid(j));
    m
}

#[test]
fn replace_round_trips_and_needs_an_id() {
    let xml = "<replace xmlns='urn:xmpp:message-correct:0' id='bad1'/>";
    let r = Replace::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(r.to_xml(), xml);
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(Replace::from_element(&dom).unwrap(), r);
    let e = Replace::from_xml(b"<replace xmlns='urn:xmpp:message-correct:0'/>").unwrap_err();
    assert_eq!(e.path(), "replace");
    let e = Replace::from_xml(b"<replace xmlns='urn:xmpp:message-correct:0' id=''/>").unwrap_err();
    assert!(e.to_string().contains("names the message"), "{e}");
}

fn original() -> Message {
    msg(
        "<message xmlns='jabber:client' from='romeo@montague.example/orchard' to='juliet@capulet.example' \
         id='bad1' type='chat'><thread>t</thread><body>airlock</body><request xmlns='urn:xmpp:receipts'/></message>",
    )
}

#[test]
fn direct_corrections_come_from_the_same_account() {
    let o = original();
    let c = correct(&o, "good1", "window").unwrap();
    assert_eq!(c.to, o.to);
    assert_eq!(c.thread, o.thread);
    assert_eq!(c.body(None), Some("window"));
    assert_eq!(
        c.payloads.len(),
        1,
        "only the replace, no other payload repeated"
    );
    assert_eq!(
        check(
            &from(&c, "romeo@montague.example/orchard"),
            &o,
            Conversation::Direct
        ),
        Ok("bad1")
    );
    assert_eq!(
        check(
            &from(&c, "romeo@montague.example/home"),
            &o,
            Conversation::Direct
        ),
        Ok("bad1")
    );
    for other in [
        "mallory@evil.example/orchard",
        "montague.example",
        "juliet@capulet.example/balcony",
    ] {
        assert_eq!(
            check(&from(&c, other), &o, Conversation::Direct),
            Err(Refusal::NotTheSender),
            "{other}"
        );
    }
    // No sender at all cannot be shown to be the original's.
    assert_eq!(
        check(&c, &o, Conversation::Direct),
        Err(Refusal::NotTheSender)
    );
}

#[test]
fn room_corrections_come_from_the_same_occupant() {
    let o = from(&original(), "coven@chat.shakespeare.example/firstwitch");
    let c = from(
        &correct(&o, "c1", "fixed").unwrap(),
        "coven@chat.shakespeare.example/firstwitch",
    );
    assert_eq!(
        check(
            &c,
            &o,
            Conversation::Room {
                same_occupant: true
            }
        ),
        Ok("bad1")
    );
    // Another nick of the same room; the nick rejoined by someone else.
    let other = from(&c, "coven@chat.shakespeare.example/secondwitch");
    assert_eq!(
        check(
            &other,
            &o,
            Conversation::Room {
                same_occupant: true
            }
        ),
        Err(Refusal::NotTheSender)
    );
    assert_eq!(
        check(
            &c,
            &o,
            Conversation::Room {
                same_occupant: false
            }
        ),
        Err(Refusal::OccupantChanged)
    );
    // The room's bare JID is no occupant.
    let bare_o = from(&o, "coven@chat.shakespeare.example");
    let bare_c = from(&c, "coven@chat.shakespeare.example");
    assert_eq!(
        check(
            &bare_c,
            &bare_o,
            Conversation::Room {
                same_occupant: true
            }
        ),
        Err(Refusal::NotTheSender)
    );
}

#[test]
fn corrections_of_corrections_name_the_first_message() {
    let o = original();
    let first = correct(&o, "c1", "one").unwrap();
    let second = correct(&first, "c2", "two").unwrap();
    assert_eq!(replaces(&second), Some(Ok("bad1".into())));
    assert_eq!(
        check(
            &from(&second, "romeo@montague.example/orchard"),
            &o,
            Conversation::Direct
        ),
        Ok("bad1")
    );
    // Checked against the first correction instead of the original: it
    // names another message.
    let first_from = from(&first, "romeo@montague.example/orchard");
    assert_eq!(
        check(
            &from(&second, "romeo@montague.example/orchard"),
            &first_from,
            Conversation::Direct
        ),
        Err(Refusal::OtherMessage("bad1".into()))
    );
    // Nothing to name without an id.
    let mut no_id = original();
    no_id.id = None;
    assert_eq!(correct(&no_id, "c", "x"), None);
}

#[test]
fn what_is_not_a_correction_is_said() {
    let o = original();
    assert_eq!(
        check(&o, &o, Conversation::Direct),
        Err(Refusal::NotACorrection)
    );
    let broken = msg(
        "<message xmlns='jabber:client' from='romeo@montague.example/orchard'>\
         <replace xmlns='urn:xmpp:message-correct:0'/></message>",
    );
    assert!(matches!(
        check(&broken, &o, Conversation::Direct),
        Err(Refusal::Malformed(_))
    ));
    let error = msg(
        "<message xmlns='jabber:client' from='romeo@montague.example/orchard' type='error'>\
         <replace xmlns='urn:xmpp:message-correct:0' id='bad1'/>\
         <error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
    );
    assert_eq!(
        check(&error, &o, Conversation::Direct),
        Err(Refusal::ErrorMessage)
    );
}

#[test]
fn the_xeps_examples_parse() {
    let Some(doc) = xep_element::testdata::xep_source(308) else {
        eprintln!("skipped: ../shared/xeps/xep-0308.xml is not there");
        return;
    };
    let mut n = 0;
    for xml in xep_element::testdata::elements_in(&doc, "<replace ", "replace") {
        let r = Replace::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        assert!(!r.id.is_empty());
        n += 1;
    }
    assert!(n >= 1);
}
