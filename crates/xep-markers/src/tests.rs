use super::*;
use xep_testkit::stanza::message as msg;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

#[test]
fn elements_round_trip_and_need_an_id() {
    for xml in [
        "<markable xmlns='urn:xmpp:chat-markers:0'/>",
        "<displayed xmlns='urn:xmpp:chat-markers:0' id='m1'/>",
    ] {
        xep_element::testdata::assert_round_trips(crate::ELEMENTS, xml);
    }
    let e = Displayed::from_xml(b"<displayed xmlns='urn:xmpp:chat-markers:0'/>").unwrap_err();
    assert_eq!(e.path(), "displayed");
    let e = Displayed::from_xml(b"<displayed xmlns='urn:xmpp:chat-markers:0' id=''/>").unwrap_err();
    assert!(e.to_string().contains("names the message"), "{e}");
}

#[test]
fn direct_markers_only_for_markable_messages_of_others() {
    let m = msg(
        "<message xmlns='jabber:client' from='romeo@montague.example/orchard' id='m1' type='chat'>\
                 <thread>t</thread><body>hi</body><markable xmlns='urn:xmpp:chat-markers:0'/></message>",
    );
    let marker = displayed_for(&m, Context::Direct { own: false }).unwrap();
    assert_eq!(marker.to, m.from);
    assert_eq!(marker.thread, m.thread);
    assert_eq!(displayed(&marker), Some(Ok("m1".into())));
    assert_eq!(
        displayed_for(&m, Context::Direct { own: true }),
        Err(NoMarker::Own)
    );
    let plain = msg(
        "<message xmlns='jabber:client' from='romeo@montague.example/orchard' id='m2' type='chat'><body>hi</body></message>",
    );
    assert_eq!(
        displayed_for(&plain, Context::Direct { own: false }),
        Err(NoMarker::NotMarkable)
    );
    let no_id = msg(
        "<message xmlns='jabber:client' type='chat'><markable xmlns='urn:xmpp:chat-markers:0'/></message>",
    );
    assert_eq!(
        displayed_for(&no_id, Context::Direct { own: false }),
        Err(NoMarker::NoId(None))
    );
    // A marker is never answered with a marker, even a markable one.
    let loop_ = msg(
        "<message xmlns='jabber:client' id='m3'><markable xmlns='urn:xmpp:chat-markers:0'/>\
                     <displayed xmlns='urn:xmpp:chat-markers:0' id='m1'/></message>",
    );
    assert_eq!(
        displayed_for(&loop_, Context::Direct { own: false }),
        Err(NoMarker::IsAMarker)
    );
}

#[test]
fn room_markers_name_the_rooms_id_only_when_it_can_be_believed() {
    let room = jid("coven@chat.shakespeare.example");
    // The sender chose id 'message-1', which another occupant could reuse;
    // the room assigned its own.
    let m = msg(
        "<message xmlns='jabber:client' from='coven@chat.shakespeare.example/firstwitch' id='message-1' type='groupchat'>\
                 <body>x</body><stanza-id xmlns='urn:xmpp:sid:0' id='room-7' by='coven@chat.shakespeare.example'/></message>",
    );
    let ctx = |announces_sid| Context::Room {
        room: room.clone(),
        announces_sid,
        own: false,
    };
    let marker = displayed_for(&m, ctx(true)).unwrap();
    assert_eq!(displayed(&marker), Some(Ok("room-7".into())));
    assert_eq!(marker.to, Some(room.clone()));
    assert_eq!(marker.type_, Some(MessageType::Groupchat));
    // The room does not announce stanza ids: its stanza-id may be forged.
    assert_eq!(
        displayed_for(&m, ctx(false)),
        Err(NoMarker::NoId(Some(xep_sid::Refusal::NotAnnounced)))
    );
    // A stanza-id by someone else is not the room's.
    let forged = msg(
        "<message xmlns='jabber:client' from='coven@chat.shakespeare.example/firstwitch' id='message-1' type='groupchat'>\
                      <stanza-id xmlns='urn:xmpp:sid:0' id='x' by='mallory@evil.example'/></message>",
    );
    assert_eq!(
        displayed_for(&forged, ctx(true)),
        Err(NoMarker::NoId(Some(xep_sid::Refusal::Absent)))
    );
    assert_eq!(
        displayed_for(
            &m,
            Context::Room {
                room,
                announces_sid: true,
                own: true
            }
        ),
        Err(NoMarker::Own)
    );
}

#[test]
fn the_xeps_examples_parse() {
    let Some(doc) = xep_element::testdata::xep_source(333) else {
        eprintln!("skipped: ../shared/xeps/xep-0333.xml is not there");
        return;
    };
    let mut n = 0;
    for xml in xep_element::testdata::elements_in(
        &doc,
        "<displayed xmlns='urn:xmpp:chat-markers:0'",
        "displayed",
    ) {
        Displayed::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        n += 1;
    }
    assert!(n >= 2, "{n}");
}
