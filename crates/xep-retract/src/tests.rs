use super::*;

fn msg(xml: &str) -> Message {
    Message::from_xml(xml.as_bytes()).unwrap()
}

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

#[test]
fn elements_round_trip_and_need_an_id() {
    for xml in [
        "<retract xmlns='urn:xmpp:message-retract:1' id='m1'/>",
        "<retracted xmlns='urn:xmpp:message-retract:1' by='r@montague.example' id='r1' stamp='2019-09-20T23:09:32Z'/>",
    ] {
        xep_element::testdata::assert_round_trips(crate::ELEMENTS, xml);
    }
    // XEP-0425 reuses it: no id inside <moderate/>, a reason and a
    // <moderated/> in the room's broadcast.
    let bare = Retract::from_xml(b"<retract xmlns='urn:xmpp:message-retract:1'/>").unwrap();
    assert_eq!(bare.id, None);
    let moderated = Retract::from_xml(
        b"<retract xmlns='urn:xmpp:message-retract:1' id='s1'><moderated xmlns='urn:xmpp:message-moderate:1' by='r@m.example/mod'/>\
          <reason>spam</reason></retract>",
    )
    .unwrap();
    assert_eq!(moderated.reason.as_deref(), Some("spam"));
    assert_eq!(moderated.extensions.len(), 1);
    let e = Retract::from_xml(b"<retract xmlns='urn:xmpp:message-retract:1' id=''/>").unwrap_err();
    assert_eq!(e.path(), "retract");
    let e =
        Retracted::from_xml(b"<retracted xmlns='urn:xmpp:message-retract:1' id=''/>").unwrap_err();
    assert!(e.to_string().contains("names a message"), "{e}");
    let e =
        Retracted::from_xml(b"<retracted xmlns='urn:xmpp:message-retract:1' id='x' stamp='soon'/>")
            .unwrap_err();
    assert_eq!(e.path(), "retracted");
}

fn original(from: &str) -> Message {
    msg(&format!(
        "<message xmlns='jabber:client' from='{from}' id='m1' type='chat'><body>oops</body>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='room-9' by='coven@chat.shakespeare.example'/></message>"
    ))
}

fn retraction(from: &str, target: &str) -> Message {
    let mut r = retract(jid("x@y.example"), MessageType::Chat, "r1", target);
    r.from = Some(jid(from));
    r
}

#[test]
fn only_the_sender_retracts_in_a_chat() {
    let o = original("romeo@montague.example/orchard");
    let id = target_id(&o, None).unwrap();
    assert_eq!(id, "m1");
    assert_eq!(
        check(
            &retraction("romeo@montague.example/home", &id),
            &o,
            &id,
            Conversation::Direct
        ),
        Ok(())
    );
    assert_eq!(
        check(
            &retraction("tybalt@capulet.example/street", &id),
            &o,
            &id,
            Conversation::Direct
        ),
        Err(Refusal::NotTheSender(xep_correct::Refusal::NotTheSender))
    );
    assert_eq!(
        check(
            &retraction("romeo@montague.example/home", "m2"),
            &o,
            &id,
            Conversation::Direct
        ),
        Err(Refusal::OtherMessage("m2".into()))
    );
    assert_eq!(
        check(&o, &o, &id, Conversation::Direct),
        Err(Refusal::NotARetraction)
    );
    let broken = msg(
        "<message xmlns='jabber:client' from='romeo@montague.example/home'><retract xmlns='urn:xmpp:message-retract:1'/></message>",
    );
    assert!(matches!(
        check(&broken, &o, &id, Conversation::Direct),
        Err(Refusal::Malformed(_))
    ));
}

#[test]
fn in_a_room_the_occupant_retracts_by_the_rooms_id() {
    let room = jid("coven@chat.shakespeare.example");
    let o = original("coven@chat.shakespeare.example/firstwitch");
    let id = target_id(&o, Some((&room, true))).unwrap();
    assert_eq!(id, "room-9", "the room's id, not the sender's");
    assert_eq!(
        target_id(&o, Some((&room, false))),
        Err(Some(xep_sid::Refusal::NotAnnounced))
    );
    let same = Conversation::Room {
        same_occupant: true,
    };
    assert_eq!(
        check(
            &retraction("coven@chat.shakespeare.example/firstwitch", &id),
            &o,
            &id,
            same
        ),
        Ok(())
    );
    assert_eq!(
        check(
            &retraction("coven@chat.shakespeare.example/secondwitch", &id),
            &o,
            &id,
            same
        ),
        Err(Refusal::NotTheSender(xep_correct::Refusal::NotTheSender))
    );
    assert_eq!(
        check(
            &retraction("coven@chat.shakespeare.example/firstwitch", &id),
            &o,
            &id,
            Conversation::Room {
                same_occupant: false
            }
        ),
        Err(Refusal::NotTheSender(xep_correct::Refusal::OccupantChanged))
    );
    let mut no_id = o.clone();
    no_id.id = None;
    assert_eq!(target_id(&no_id, None), Err(None));
}

#[test]
fn the_xeps_examples_parse() {
    let Some(doc) = xep_element::testdata::xep_source(424) else {
        eprintln!("skipped: ../shared/xeps/xep-0424.xml is not there");
        return;
    };
    let mut n = 0;
    for xml in xep_element::testdata::elements_in(&doc, "<retract ", "retract") {
        Retract::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        n += 1;
    }
    for xml in xep_element::testdata::elements_in(&doc, "<retracted ", "retracted") {
        Retracted::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        n += 1;
    }
    assert!(n >= 2, "{n}");
}
